"""Benchmark: what a ``Session.run`` costs, next to plain numpy doing the same work.

Figures (targets from issue 3, the chain's as issue 17 tightened it; TensorFlow 2.21
measured on this machine kind):

- run-call overhead on a trivial fetch (a constant) ............ <= 10 µs (TF: 16 µs)
- a fed placeholder plus one op ................................. <= 30 µs (TF: 38 µs)
- ``make_callable`` on a trivial fetch .......................... <= 5 µs
- a 1,000-op chain of scalar adds, per op ....................... <= 1.0 µs (TF: 0.2 µs)
- the first run of a 10,000-op graph (placement + plan) ......... <= 100 ms
- 2/4/8 independent branches of 512x512 matmuls, 2 inter-op
  threads vs 1 (one BLAS thread each) ........................... >= 1.85x
- an MLP forward pass 784-512-256-10, batch 256, fed a new batch
  each run ....................................................... within 1.1x of numpy

Each figure is the best of several batches. numpy's reference runs in this same
process; for the branches it is the same products run serially and then on two plain
Python threads (alternating batches, as the runtime's two sessions): the most two threads
give on this machine at the moment of the run. Run with the BLAS variables this machine sets for tests unset, as the issue
asks (they halve numpy's matmul speed here)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_session.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print).
"""

from __future__ import annotations

import functools
import itertools
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from bench_common import blas_line, machine_line, paired, per_call, write_section
from threadpoolctl import threadpool_limits

import runtime as tf

tf1 = tf.compat.v1


def trivial_fetch():
    with tf.Graph().as_default():
        c = tf.constant(1.0)
        with tf1.Session() as sess:
            run = per_call(lambda: sess.run(c), 20_000)
            callable_ = sess.make_callable(c)
            call = per_call(callable_, 20_000)
    return run, call


def fed_placeholder():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, shape=[])
        y = x + 1.0
        with tf1.Session() as sess:
            ours = per_call(lambda: sess.run(y, {x: 2.0}), 20_000)
    one = np.float32(1.0)
    reference = per_call(lambda: np.asarray(2.0, np.float32) + one, 20_000)
    return ours, reference


def scalar_chain(ops: int = 1000):
    """1,000 AddV2 ops in a chain, each adding the same constant (1,002 ops in all), from
    a fed start: the graph optimizer would fold a chain of constants to one op."""
    with tf.Graph().as_default():
        start = tf1.placeholder(tf.float32, [])
        one = tf.constant(1.0)
        x = start
        for _ in range(ops):
            x = x + one
        with tf1.Session() as sess:
            ours = per_call(lambda: sess.run(x, {start: 1.0}), 50) / ops

    one = np.asarray(1.0, np.float32)

    def numpy_chain():
        value = np.asarray(1.0, np.float32)
        for _ in range(ops):
            value = np.add(value, one)
        return value

    return ours, per_call(numpy_chain, 50) / ops


def first_run(ops: int = 10_000):
    """The first run of a 10,000-op chain from a fed start (plan, graph optimizer, run)."""
    best = float("inf")
    for _ in range(3):
        with tf.Graph().as_default():
            x = fed = tf1.placeholder(tf.float32, [])
            for _ in range(ops - 1):
                x = x + x
            with tf1.Session() as sess:
                start = time.perf_counter()
                sess.run(x, {fed: 1.0})
                best = min(best, time.perf_counter() - start)
    return best


def matmul_branches(branches: int, size: int = 512):
    """One and two inter-op threads, one BLAS thread each (so only the pool can overlap)."""
    rng = np.random.default_rng(0)
    x_value = rng.standard_normal((size, size), np.float32)
    weights = [rng.standard_normal((size, size), np.float32) for _ in range(branches)]
    with tf.Graph().as_default():
        # Fed, so the graph optimizer cannot fold the products away (constants would be).
        x = tf1.placeholder(tf.float32, [size, size])
        outputs = [tf.matmul(x, tf.constant(w)) for w in weights]
        sessions = [
            tf1.Session(
                config=tf1.ConfigProto(
                    inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1
                )
            )
            for threads in (1, 2)
        ]
        one, two = paired(
            lambda: sessions[0].run(outputs, {x: x_value}),
            lambda: sessions[1].run(outputs, {x: x_value}),
            3,
        )
        for sess in reversed(sessions):
            sess.close()
    # Into outputs made once: a new 1 MB array each product took 0.5 ms of page faults
    # here (glibc gave the freed pair back to the system each time), more than the runtime's.
    outs = [np.empty((size, size), np.float32) for _ in weights]
    with threadpool_limits(limits=1, user_api="blas"):
        serial, threaded = paired(
            lambda: products(x_value, weights, outs, range(branches)),
            lambda: numpy_on_two_threads(x_value, weights, outs),
            3,
        )
    return one, two, serial, threaded


def products(x, weights, outs, which) -> None:
    for i in which:
        np.matmul(x, weights[i], out=outs[i])


def numpy_on_two_threads(x, weights, outs) -> None:
    """:func:`products`, every other one on a second plain Python thread: the most two
    threads give on this machine at the moment, the branches' ceiling."""
    other = _helper().submit(products, x, weights, outs, range(1, len(weights), 2))
    products(x, weights, outs, range(0, len(weights), 2))
    other.result()


@functools.cache
def _helper() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1)


def mlp_forward(batch: int = 256):
    rng = np.random.default_rng(0)
    sizes = [784, 512, 256, 10]
    weights = [rng.standard_normal((a, b), np.float32) * 0.05 for a, b in itertools.pairwise(sizes)]
    biases = [rng.standard_normal(b, np.float32) * 0.05 for b in sizes[1:]]
    batches = itertools.cycle([rng.standard_normal((batch, 784), np.float32) for _ in range(8)])
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, shape=[None, 784])
        h = x
        for i, (w, b) in enumerate(zip(weights, biases)):
            h = tf.matmul(h, tf.constant(w)) + tf.constant(b)
            if i < len(weights) - 1:
                h = tf.nn.relu(h)
        with tf1.Session() as sess:
            sample = next(batches)
            np.testing.assert_allclose(
                sess.run(h, {x: sample}), numpy_mlp(sample, weights, biases), rtol=1e-4, atol=1e-4
            )
            ours, reference = paired(
                lambda: sess.run(h, {x: next(batches)}),
                lambda: numpy_mlp(next(batches), weights, biases),
                10,
            )
    return ours, reference


def numpy_mlp(x, weights, biases):
    h = x
    for i, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w + b
        if i < len(weights) - 1:
            h = np.maximum(h, 0)
    return h


def us(seconds: float, decimals: int = 1) -> str:
    return f"{seconds * 1e6:.{decimals}f} µs"


def main() -> None:
    run, call = trivial_fetch()
    fed, fed_np = fed_placeholder()
    chain, chain_np = scalar_chain()
    first = first_run()
    mlp, mlp_np = mlp_forward()
    rows = [
        ("run-call overhead, trivial fetch", us(run), "≤ 10 µs", "—"),
        ("`make_callable`, trivial fetch", us(call), "≤ 5 µs", "—"),
        ("fed placeholder + one op", us(fed), "≤ 30 µs", us(fed_np)),
        ("1,000-op chain of scalar adds, per op", us(chain, 2), "≤ 1.0 µs", us(chain_np, 2)),
        ("first run of a 10,000-op graph", f"{first * 1e3:.0f} ms", "≤ 100 ms", "—"),
        (
            "MLP 784-512-256-10 forward, batch 256, fed",
            f"{mlp * 1e3:.2f} ms ({mlp / mlp_np:.2f}× numpy)",
            "≤ 1.1× numpy",
            f"{mlp_np * 1e3:.2f} ms",
        ),
    ]
    for branches in (2, 4, 8):
        one, two, serial, threaded = matmul_branches(branches)
        rows.append(
            (
                f"{branches} branches of 512×512 matmul, 2 inter-op threads vs 1",
                f"{one * 1e3:.1f} → {two * 1e3:.1f} ms ({one / two:.2f}×)",
                "≥ 1.85×",
                f"{serial * 1e3:.1f} → {threaded * 1e3:.1f} ms ({serial / threaded:.2f}×)",
            )
        )
    lines = [
        "## Session runs (bench/bench_session.py)",
        "",
        machine_line(),
        blas_line() + ".",
        "Best of several batches per figure; numpy's reference runs in the same process.",
        "",
        "| figure | runtime | target | plain numpy |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_session", lines)


if __name__ == "__main__":
    main()
