"""Benchmark: array, sparse and image ops, building and running, next to TensorFlow.

Building: µs per builder call for 2,000 calls of ``tf.reshape(x, [2, 3])`` (a Python
shape: a Const and a Reshape, both typed and bound) and of ``tf.gather(x, [1, 0])``.
Running, ms per ``Session.run`` (best of several):

- an embedding lookup, 1,000 rows of a 50,000 x 64 float32 table, and its gradient as
  ``IndexedSlices`` (the rows only, never the 12.8 MB dense gradient);
- ``tf.sparse.sparse_dense_matmul`` of a 2,000 x 2,000 matrix with 20,000 non-zeros by
  a dense 2,000 x 64 one;
- ``tf.image.resize_bilinear`` of 8 images 128 x 128 x 3 to 256 x 256.

The same program runs under TensorFlow 2.21 (``tf.compat.v1``, a subprocess of
``/work/tfvenv/bin/python``) in the same run, and plain numpy does the same arithmetic.

Run ``.venv/bin/python bench/bench_array.py`` (``--no-write`` to only print; it
rewrites its section of bench/RESULTS.md otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
from bench_common import machine_line, write_section

import runtime as tf

TF_PYTHON = "/work/tfvenv/bin/python"

PROGRAM = textwrap.dedent(
    """
    import time
    import numpy as np

    def best(fn, repeats=7):
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    def build_seconds(make, calls=2000):
        times = []
        for _ in range(3):
            with tf.Graph().as_default():
                x = tf.compat.v1.placeholder(tf.float32, [2, 3])
                start = time.thread_time()
                for _ in range(calls):
                    x = make(x)
                times.append((time.thread_time() - start) / calls)
        return min(times)

    def measure():
        v1 = tf.compat.v1
        rng = np.random.default_rng(0)
        out = {
            "build reshape": build_seconds(lambda x: tf.reshape(x, [2, 3])),
            "build gather": build_seconds(lambda x: tf.gather(x, [1, 0])),
        }
        table = rng.standard_normal((50_000, 64)).astype(np.float32)
        ids = rng.integers(0, 50_000, 1_000)
        rows, cols = rng.integers(0, 2_000, (2, 20_000))
        order = np.lexsort((cols, rows))
        indices = np.stack([rows, cols], 1)[order]
        values = rng.standard_normal(20_000).astype(np.float32)
        dense = rng.standard_normal((2_000, 64)).astype(np.float32)
        images = rng.uniform(size=(8, 128, 128, 3)).astype(np.float32)
        with tf.Graph().as_default():
            # Every input is fed: nothing can be computed once and cached.
            params = v1.placeholder(tf.float32, [None, 64])
            looked_up = tf.gather(params, ids)
            (grad,) = tf.gradients(tf.reduce_sum(looked_up), params)
            right = v1.placeholder(tf.float32, [2_000, 64])
            sparse = tf.SparseTensor(indices, v1.placeholder(tf.float32, [None]), [2_000, 2_000])
            product = tf.sparse.sparse_dense_matmul(sparse, right)
            pictures = v1.placeholder(tf.float32, [None, 128, 128, 3])
            resized = v1.image.resize_bilinear(pictures, [256, 256])
            with v1.Session() as sess:
                out["gather"] = best(lambda: sess.run(looked_up, {params: table}))
                out["gather gradient"] = best(lambda: sess.run(grad, {params: table}))
                feed = {right: dense, sparse.values: values}
                out["sparse matmul"] = best(lambda: sess.run(product, feed))
                out["resize bilinear"] = best(lambda: sess.run(resized, {pictures: images}))
        return out
    """
)


def measure_runtime() -> dict:
    namespace = {"tf": tf}
    exec(PROGRAM, namespace)
    return namespace["measure"]()


def measure_tensorflow() -> dict | None:
    if not os.path.exists(TF_PYTHON):
        return None
    script = (
        "import json\nimport tensorflow as tf\ntf.compat.v1.disable_v2_behavior()\n"
        + PROGRAM
        + "\nprint(json.dumps(measure()))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [TF_PYTHON, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(fn, repeats=7) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure_numpy() -> dict:
    """The same arithmetic in plain numpy, done as well as numpy does it."""
    rng = np.random.default_rng(0)
    table = rng.standard_normal((50_000, 64)).astype(np.float32)
    ids = rng.integers(0, 50_000, 1_000)
    rows, cols = rng.integers(0, 2_000, (2, 20_000))
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    values = rng.standard_normal(20_000).astype(np.float32)
    dense = rng.standard_normal((2_000, 64)).astype(np.float32)
    images = rng.uniform(size=(8, 128, 128, 3)).astype(np.float32)

    def matmul():  # row-major non-zeros: a segmented sum of the scaled rows of the dense side
        out = np.zeros((2_000, 64), np.float32)
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        out[rows[starts]] = np.add.reduceat(values[:, None] * dense[cols], starts, axis=0)
        return out

    def resize():  # bilinear, legacy mapping: along x, then along y
        src = np.arange(256, dtype=np.float32) * np.float32(0.5)
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, 127)
        weight = src - low
        lefts = np.take(images, low, axis=2)
        along_x = lefts + (np.take(images, high, axis=2) - lefts) * weight[None, None, :, None]
        tops = np.take(along_x, low, axis=1)
        return tops + (np.take(along_x, high, axis=1) - tops) * weight[None, :, None, None]

    return {
        "gather": _best(lambda: np.take(table, ids, axis=0)),
        "sparse matmul": _best(matmul),
        "resize bilinear": _best(resize),
    }


def main() -> None:
    columns = [("tfgraph runtime", measure_runtime())]
    tensorflow = measure_tensorflow()
    if tensorflow is not None:
        columns.append(("TensorFlow 2.21", tensorflow))
    columns.append(("plain numpy", measure_numpy()))
    rows = [
        ("building `tf.reshape(x, [2, 3])`, µs per call", "build reshape", 1e6),
        ("building `tf.gather(x, [1, 0])`, µs per call", "build gather", 1e6),
        ("embedding lookup, 1,000 of 50,000 x 64 rows, ms", "gather", 1e3),
        ("its gradient (IndexedSlices), ms", "gather gradient", 1e3),
        ("sparse_dense_matmul, 20,000 non-zeros x (2,000 x 64), ms", "sparse matmul", 1e3),
        ("resize_bilinear, 8 x 128² x 3 to 256², ms", "resize bilinear", 1e3),
    ]
    lines = [
        "## Array, sparse and image ops (bench/bench_array.py)",
        "",
        machine_line() + " Best of several runs; building in the thread's CPU time.",
        "",
        "| | " + " | ".join(name for name, _ in columns) + " |",
        "| :--- |" + " ---: |" * len(columns),
    ]
    for label, key, scale in rows:
        cells = [f"{found[key] * scale:.2f}" if key in found else "–" for _, found in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_array", lines)


if __name__ == "__main__":
    main()
