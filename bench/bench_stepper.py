"""Benchmark: what stepping costs per op, next to ``Session.run`` of the same plan.

The graph is a chain of cheap elementwise ops (``Neg`` on 16 floats, so the
kernels cost little and the bookkeeping shows). For each size, best of a few
repeats, with the session's plan already cached:

- ``Session.run`` of the chain;
- a stepped run driven by ``step()`` until every op has run, then ``finish()``
  (the stepper's creation included);
- the same with ``cont()``, without breakpoints and with a ``has_inf_or_nan``
  breakpoint checked after every op.

The overhead per op is (stepped time - run time) / ops.

Run ``.venv/bin/python bench/bench_stepper.py``; it rewrites its own section of
bench/RESULTS.md.
"""

from __future__ import annotations

import datetime
import os
import platform
import time

import numpy as np
from bench_common import write_section

import runtime as tf

SIZES = (100, 1_000)
REPEATS = 15


def chain(ops: int):
    """A placeholder and ``ops - 1`` chained ``Neg`` ops; returns (graph, x, last)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [16], name="x")
        value = x
        for _ in range(ops):
            value = tf.negative(value, name="neg")
    return graph, x, value


def best(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def stepped(session, fetch, feeds) -> None:
    stepper = session.stepper(fetch, feeds)
    while stepper.next is not None:
        stepper.step()
    stepper.finish()


def continued(session, fetch, feeds, nan_breakpoint: bool) -> None:
    stepper = session.stepper(fetch, feeds)
    if nan_breakpoint:
        stepper.add_breakpoint(condition="has_inf_or_nan")
    stepper.cont()
    stepper.finish()


def measure(ops: int) -> dict:
    graph, x, last = chain(ops)
    feeds = {x: np.ones(16, np.float32)}
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(last, feeds)  # plan and placement are cached from here on
        return {
            "ops": ops,
            "run": best(lambda: session.run(last, feeds)),
            "step": best(lambda: stepped(session, last, feeds)),
            "cont": best(lambda: continued(session, last, feeds, False)),
            "cont_nan": best(lambda: continued(session, last, feeds, True)),
        }


def per_op_us(seconds: float, ops: int) -> float:
    return seconds / ops * 1e6


def table(rows: list) -> str:
    lines = [
        "| ops | `Session.run` | `step()` each op + `finish()` | `cont()` | `cont()` with a NaN "
        "breakpoint | overhead of `step()` per op |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        ops = r["ops"]
        run, step = per_op_us(r["run"], ops), per_op_us(r["step"], ops)
        lines.append(
            f"| {ops:,} | {run:.1f} µs/op | {step:.1f} µs/op | "
            f"{per_op_us(r['cont'], ops):.1f} µs/op | {per_op_us(r['cont_nan'], ops):.1f} µs/op "
            f"| +{step - run:.1f} µs ({step / run:.1f}×) |"
        )
    return "\n".join(lines)


def write(rows: list) -> None:
    lines = [
        "## Stepping overhead (bench/bench_stepper.py)",
        "",
        f"Machine: {os.cpu_count()}-core Debian 12 VM ({platform.machine()}), Python "
        f"{platform.python_version()}, numpy {np.__version__}; "
        f"{datetime.date.today().isoformat()}. Best of {REPEATS}, plan cached. A chain of "
        "`Neg` ops on 16 floats, so the bookkeeping shows rather than the kernels. "
        "Times per op; the stepped columns include creating the stepper and `finish()`. "
        f"Load average while measuring: {os.getloadavg()[0]:.1f} (other suites share the "
        "cores), so treat differences under ~30 % as noise.",
        "",
        table(rows),
    ]
    write_section("bench_stepper", lines)


if __name__ == "__main__":
    rows = [measure(n) for n in SIZES]
    print(table(rows))
    write(rows)
