"""Benchmark: TF1's high-level APIs, next to TensorFlow 2.21 measured in the same run.

- Graph building: a 3-layer ``tf.layers`` MLP (784-512-256-10) with a ``tf.losses``
  loss and ``AdamOptimizer.minimize`` (gradients, slots, updates), ms per graph, each
  in a fresh graph.
- A training step of the digits CNN of the end-to-end tests (conv, batch norm, pool,
  conv, pool, dropout, dense; Adam; batch 64 of 8x8 images), ms per step, with the
  session's default threads and with one thread.

The same functions build both (they take the ``tf`` module). TensorFlow runs in its own
interpreter (``$TF_PYTHON``, default ``/work/tfvenv/bin/python``, with
``TF_USE_LEGACY_KERAS=1`` for ``tf.compat.v1.layers``); without it the TF column says
so. Run with the BLAS variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_layers.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to only
print).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

GRAPHS = 5
STEPS = 30
BATCH = 64


def build_mlp(tf) -> None:
    """The 3-layer MLP with its loss and Adam's training op, in a fresh graph."""
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 784])
        y = v1.placeholder(tf.int64, [None])
        h = v1.layers.dense(x, 512, activation=tf.nn.relu)
        h = v1.layers.dense(h, 256, activation=tf.nn.relu)
        logits = v1.layers.dense(h, 10)
        loss = v1.losses.sparse_softmax_cross_entropy(y, logits)
        v1.train.AdamOptimizer(1e-3).minimize(loss)


def graph_ms(tf) -> float:
    build_mlp(tf)  # warm: lazy imports, registries
    best = float("inf")
    for _ in range(GRAPHS):
        start = time.perf_counter()
        build_mlp(tf)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def cnn_step_ms(tf, threads=None) -> float:
    """Best ms per training step of the digits CNN on random batches."""
    v1 = tf.compat.v1
    layers = v1.layers
    rng = np.random.default_rng(0)
    with tf.Graph().as_default() as graph:
        images = v1.placeholder(tf.float32, [None, 8, 8, 1])
        labels = v1.placeholder(tf.int64, [None])
        training = v1.placeholder_with_default(True, [])
        h = layers.conv2d(images, 16, 3, padding="same", use_bias=False)
        h = tf.nn.relu(layers.batch_normalization(h, training=training))
        h = layers.max_pooling2d(h, 2, 2)
        h = layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu)
        h = layers.max_pooling2d(h, 2, 2)
        h = layers.dropout(layers.flatten(h), 0.25, training=training)
        logits = layers.dense(h, 10)
        loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
        with tf.control_dependencies(graph.get_collection(v1.GraphKeys.UPDATE_OPS)):
            train = v1.train.AdamOptimizer(1e-3).minimize(loss)
        config = None
        if threads is not None:
            config = v1.ConfigProto(
                inter_op_parallelism_threads=threads, intra_op_parallelism_threads=threads
            )
        with v1.Session(config=config) as sess:
            sess.run(v1.global_variables_initializer())
            feed = {
                images: rng.random((BATCH, 8, 8, 1), dtype=np.float32),
                labels: rng.integers(0, 10, BATCH),
            }
            sess.run(train, feed)  # warm: plan, placement
            best = float("inf")
            for _ in range(STEPS):
                start = time.perf_counter()
                sess.run(train, feed)
                best = min(best, time.perf_counter() - start)
    return best * 1e3


FIGURES = {
    "graph": graph_ms,
    "step": cnn_step_ms,
    "step_one_thread": lambda tf: cnn_step_ms(tf, threads=1),
}
# TF sizes its thread pools once per process, from the first session it makes, and
# ignores later sessions' settings: so its one-thread step runs in a process of its own.
TF_PROCESSES = (("graph", "step"), ("step_one_thread",))


def measure(tf, names=tuple(FIGURES)) -> dict:
    return {name: FIGURES[name](tf) for name in names}


def tensorflow_figures() -> dict | None:
    """TF's figures from its own interpreters, or ``None`` when TF is not there."""
    python = os.environ.get("TF_PYTHON", "/work/tfvenv/bin/python")
    if not os.path.exists(python):
        return None
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    figures = {}
    for names in TF_PROCESSES:
        done = subprocess.run(
            [python, __file__, "--tensorflow", ",".join(names)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return None
        figures.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return figures


def main() -> None:
    from bench_common import blas_line, machine_line, write_section

    import runtime as tf

    ours = measure(tf)
    theirs = tensorflow_figures()

    def tf_cell(key):
        return f"{theirs[key]:.1f}" if theirs else "not measured (no TensorFlow)"

    def ratio(key):
        return f"{ours[key] / theirs[key]:.2g}x" if theirs else "-"

    rows = [
        ("3-layer `tf.layers` MLP + loss + Adam `minimize`: build, ms per graph", "graph"),
        ("digits CNN training step (batch 64), ms, default threads", "step"),
        ("digits CNN training step (batch 64), ms, one thread", "step_one_thread"),
    ]
    lines = [
        "## TF1 high-level APIs (bench/bench_layers.py)",
        "",
        machine_line() + f" {blas_line()}. Best of {GRAPHS} graphs / {STEPS} steps; "
        "TensorFlow 2.21 (tf.compat.v1, legacy Keras layers) measured in the same run in "
        "its own interpreter.",
        "",
        "| what | runtime | TensorFlow 2.21 | runtime / TF |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {name} | {ours[key]:.1f} | {tf_cell(key)} | {ratio(key)} |" for name, key in rows]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_layers", lines)


if __name__ == "__main__":
    if "--tensorflow" in sys.argv:
        import tensorflow

        tensorflow.compat.v1.disable_v2_behavior()
        names = sys.argv[sys.argv.index("--tensorflow") + 1].split(",")
        print(json.dumps(measure(tensorflow, names)))
    else:
        main()
