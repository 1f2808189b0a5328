"""Benchmark: graph-building cost, µs per op, for a 10,000-op chain and a 10,000-op tree.

The chain adds each new op to the previous one (``x = x + x``), and a second chain does the
same with an op whose OpDef is typed (``BitwiseAnd``: its types are checked by
``runtime.op_binding``, not by its builder); the tree combines pairs of tensors level by
level (``tf.add(left, right)``) from 5,000 constants, so names, scopes and shape
inference are exercised as user code does. Best of a few repeats,
each in a fresh graph, in CPU time of the building thread: building is single-threaded
Python, so on an idle machine this is the wall time, and other work sharing the cores
disturbs it far less. TensorFlow 2.21 (tf.compat.v1 graph mode) takes about 130 µs
per op on this machine kind; the target here is under 10 µs.

Run ``.venv/bin/python bench/bench_graph.py``; it prints the figures and rewrites its
section of bench/RESULTS.md (``--no-write`` to only print).
"""

from __future__ import annotations

import sys
import time

from bench_common import machine_line, write_section

import runtime as tf

OPS = 10_000
REPEATS = 5


def build_chain() -> float:
    with tf.Graph().as_default() as graph:
        start = time.thread_time()
        x = tf.constant(1.0)
        for _ in range(OPS - 1):
            x = x + x
        elapsed = time.thread_time() - start
    assert graph.version == OPS
    return elapsed / OPS


def build_typed_chain() -> float:
    """The chain with a typed op (checked by the binder, no builder-side dtype checks)."""
    with tf.Graph().as_default() as graph:
        start = time.thread_time()
        x = tf.constant(1)
        for _ in range(OPS - 1):
            x = tf.bitwise.bitwise_and(x, x)
        elapsed = time.thread_time() - start
    assert graph.version == OPS
    return elapsed / OPS


def build_tree() -> float:
    with tf.Graph().as_default() as graph:
        start = time.thread_time()
        level = [tf.constant(float(i)) for i in range(OPS // 2)]
        while len(level) > 1:
            pairs = zip(level[0::2], level[1::2])
            level = [tf.add(a, b) for a, b in pairs] + ([level[-1]] if len(level) % 2 else [])
        elapsed = time.thread_time() - start
    return elapsed / graph.version


def best(fn) -> float:
    return min(fn() for _ in range(REPEATS))


def main() -> None:
    chain, typed, tree = best(build_chain), best(build_typed_chain), best(build_tree)
    rows = [
        ("10,000-op chain (`x = x + x`)", chain),
        ("10,000-op chain of a typed op (`tf.bitwise.bitwise_and(x, x)`)", typed),
        ("10,000-op tree (`tf.add` of pairs, 5,000 constants)", tree),
    ]
    lines = [
        "## Graph building (bench/bench_graph.py)",
        "",
        machine_line()
        + f" Best of {REPEATS}, each in a fresh graph; the building thread's CPU time.",
        "",
        "| graph | µs per op | target | TensorFlow 2.21 |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {name} | {seconds * 1e6:.1f} | < 10 | ~130 |" for name, seconds in rows]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_graph", lines)


if __name__ == "__main__":
    main()
