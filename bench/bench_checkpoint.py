"""Benchmark: checkpoint save and restore of 100 MB of variables, next to TensorFlow.

The figure of issue 16: 25 float32 variables of 2^20 elements each (100 MiB), saved by
``tf.compat.v1.train.Saver`` to TF's V2 format and restored into the same session, in
MB/s (best of 5). TensorFlow 2.21 runs the same program in the same run (a subprocess
of ``/work/tfvenv/bin/python``); plain numpy writing the same arrays to one file
(``numpy.save``, then ``fsync``) and reading them back is the floor. The runtime's
saves flush the data to disk before renaming it into place (its atomic write); TF's
do not, so its figures are those of the page cache.

Run with the BLAS variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_checkpoint.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
from bench_common import machine_line, write_section

import runtime as tf

VARIABLES, ELEMENTS, REPEATS = 25, 1 << 20, 5
MB = VARIABLES * ELEMENTS * 4 / 1e6
TF_PYTHON = "/work/tfvenv/bin/python"

# The program, written once for both: ``tf`` is TensorFlow or the runtime.
PROGRAM = textwrap.dedent(
    f"""
    import os, time
    import numpy as np

    def save_and_restore_seconds(directory):
        v1 = tf.compat.v1
        rng = np.random.default_rng(0)
        with tf.Graph().as_default():
            for i in range({VARIABLES}):
                v1.Variable(rng.standard_normal({ELEMENTS}, dtype=np.float32), name=f"layer{{i}}/w")
            saver = v1.train.Saver()
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                prefix = os.path.join(directory, "model")
                saves, restores = [], []
                for _ in range({REPEATS}):
                    start = time.perf_counter()
                    saver.save(sess, prefix, write_meta_graph=False)
                    saves.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    saver.restore(sess, prefix)
                    restores.append(time.perf_counter() - start)
        return min(saves), min(restores)
    """
)


def measure_runtime() -> tuple:
    namespace = {"tf": tf}
    exec(PROGRAM, namespace)
    with tempfile.TemporaryDirectory() as directory:
        return namespace["save_and_restore_seconds"](directory)


def measure_tensorflow() -> tuple | None:
    if not os.path.exists(TF_PYTHON):
        return None
    script = (
        "import json, sys, tempfile\nimport tensorflow as tf\n"
        "tf.compat.v1.disable_v2_behavior()\n"
        + PROGRAM
        + "\nwith tempfile.TemporaryDirectory() as d:\n"
        "    print(json.dumps(save_and_restore_seconds(d)))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [TF_PYTHON, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_numpy() -> tuple:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(ELEMENTS, dtype=np.float32) for _ in range(VARIABLES)]
    saves, loads = [], []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "arrays.npy")
        for _ in range(REPEATS):
            start = time.perf_counter()
            with open(path, "wb") as file:
                for array in arrays:
                    np.save(file, array)
                file.flush()
                os.fsync(file.fileno())
            saves.append(time.perf_counter() - start)
            start = time.perf_counter()
            with open(path, "rb") as file:
                arrays = [np.load(file) for _ in range(VARIABLES)]
            loads.append(time.perf_counter() - start)
    return min(saves), min(loads)


def main() -> None:
    rows = [("tfgraph runtime", measure_runtime())]
    tensorflow = measure_tensorflow()
    if tensorflow is not None:
        rows.append(("TensorFlow 2.21 (`tf.compat.v1`)", tensorflow))
    rows.append(("plain numpy (`np.save` + fsync, `np.load`)", measure_numpy()))
    lines = [
        "## Checkpoint save and restore, 100 MB (bench/bench_checkpoint.py)",
        "",
        machine_line(),
        f"{VARIABLES} float32 variables of {ELEMENTS:,} elements ({MB:.0f} MB = 100 MiB), `Saver.save` "
        f"then `Saver.restore` in one session, best of {REPEATS}. The runtime fsyncs the "
        "data before renaming it into place (atomic save); TensorFlow leaves it in the page "
        "cache.",
        "",
        "| | save | restore |",
        "| :--- | ---: | ---: |",
    ]
    lines += [
        f"| {name} | {MB / save:,.0f} MB/s ({save * 1000:.0f} ms) | "
        f"{MB / restore:,.0f} MB/s ({restore * 1000:.0f} ms) |"
        for name, (save, restore) in rows
    ]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_checkpoint", lines)


if __name__ == "__main__":
    main()
