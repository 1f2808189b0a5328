"""Benchmark: ``tf.data`` throughput, next to TensorFlow and plain numpy.

The figure of issue 16: ``from_tensor_slices -> map -> batch(128) -> prefetch`` over
60,000 28×28 uint8 images with int64 labels, the map scaling each image to float32 in
[0, 1]; one epoch drained through an initializable iterator in a TF1 session, in
elements per second (best of 3 epochs). TensorFlow 2.21 runs the same pipeline in
the same run (a subprocess of ``/work/tfvenv/bin/python``); plain numpy slicing and
scaling the same batches is the floor. Also measured: the map with
``num_parallel_calls=2``, and the pipeline without a map.

Run with the BLAS variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_data.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
from bench_common import blas_line, machine_line, write_section

import runtime as tf

COUNT, SIDE, BATCH, EPOCHS = 60_000, 28, 128, 3
TF_PYTHON = "/work/tfvenv/bin/python"

# The pipeline, written once for both: ``tf`` is TensorFlow or the runtime.
PIPELINE = textwrap.dedent(
    f"""
    import time
    import numpy as np

    def data():
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, ({COUNT}, {SIDE}, {SIDE}), dtype=np.uint8)
        return images, rng.integers(0, 10, {COUNT}).astype(np.int64)

    def scale(image, label):
        return tf.cast(image, tf.float32) / 255.0, label

    def epoch_seconds(mapping):
        v1 = tf.compat.v1
        images, labels = data()
        with tf.Graph().as_default():
            ds = tf.data.Dataset.from_tensor_slices((images, labels))
            if mapping == "map":
                ds = ds.map(scale)
            elif mapping == "parallel map":
                ds = ds.map(scale, num_parallel_calls=2)
            ds = ds.batch({BATCH}).prefetch(tf.data.experimental.AUTOTUNE)
            it = v1.data.make_initializable_iterator(ds)
            batch = it.get_next()
            with v1.Session() as sess:
                best = float("inf")
                for _ in range({EPOCHS}):
                    sess.run(it.initializer)
                    start = time.perf_counter()
                    count = 0
                    try:
                        while True:
                            count += len(sess.run(batch)[1])
                    except tf.errors.OutOfRangeError:
                        pass
                    assert count == {COUNT}, count
                    best = min(best, time.perf_counter() - start)
        return best
    """
)
VARIANTS = ("map", "parallel map", "no map")

TF_SCRIPT = (
    "import json, os\n"
    'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"\n'
    "import tensorflow as tf\n"
    "tf.compat.v1.disable_v2_behavior()\n"
    + PIPELINE
    + f"\nprint(json.dumps({{'seconds': {{v: epoch_seconds(v) for v in {VARIANTS!r}}}, "
    "'version': tf.__version__}))\n"
)


def tensorflow_seconds() -> tuple[dict, str] | None:
    """TF's seconds per epoch for each variant, from a subprocess (``None`` without TF)."""
    if not os.path.exists(TF_PYTHON):
        return None
    done = subprocess.run([TF_PYTHON, "-c", TF_SCRIPT], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["version"]


def runtime_seconds() -> dict:
    namespace = {"tf": tf}
    exec(PIPELINE, namespace)  # the same pipeline text TF runs
    return {variant: namespace["epoch_seconds"](variant) for variant in VARIANTS}


def numpy_seconds() -> float:
    """Plain numpy: the same batches sliced and scaled, no pipeline at all."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (COUNT, SIDE, SIDE), dtype=np.uint8)
    best = float("inf")
    for _ in range(EPOCHS):
        start = time.perf_counter()
        for i in range(0, COUNT, BATCH):
            images[i : i + BATCH].astype(np.float32) / np.float32(255.0)
        best = min(best, time.perf_counter() - start)
    return best


def _rate(seconds: float) -> str:
    return f"{COUNT / seconds:,.0f}/s"


def main(write: bool) -> None:
    # The runtime is measured before and after TensorFlow and keeps its best: on a shared
    # machine, a busy moment then hits both sides alike.
    before = runtime_seconds()
    theirs = tensorflow_seconds()
    after = runtime_seconds()
    ours = {variant: min(before[variant], after[variant]) for variant in VARIANTS}
    floor = numpy_seconds()
    version = theirs[1] if theirs else "not installed"
    lines = [
        "## tf.data throughput (bench/bench_data.py)",
        "",
        f"{machine_line()} {blas_line()}. TensorFlow {version} in a subprocess, same run.",
        f"`from_tensor_slices((images, labels))` over {COUNT:,} {SIDE}×{SIDE} uint8 images "
        f"→ `map` (cast to float32, / 255) → `batch({BATCH})` → `prefetch(AUTOTUNE)`, one "
        f"epoch through an initializable iterator in a session; elements per second, best "
        f"of {EPOCHS} epochs (the runtime's measured before and after TF's). Plain numpy (slice and scale each batch) is the floor: "
        f"{_rate(floor)}.",
        "",
        "| pipeline | runtime | TensorFlow | runtime / TF |",
        "| :--- | ---: | ---: | ---: |",
    ]
    for variant in VARIANTS:
        ours_s = ours[variant]
        tf_s = theirs[0][variant] if theirs else None
        ratio = f"{tf_s / ours_s:.2f}×" if tf_s else "—"
        tf_rate = _rate(tf_s) if tf_s else "—"
        lines.append(f"| {variant} | {_rate(ours_s)} | {tf_rate} | {ratio} |")
    print("\n".join(lines))
    if write:
        write_section("bench_data", lines)


if __name__ == "__main__":
    main(write="--no-write" not in sys.argv)
