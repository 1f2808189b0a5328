"""Benchmark: audio features, map_fn and scan, next to TensorFlow 2.21 and plain numpy.

Three TF1 workloads, the same code run by the runtime and by TensorFlow (tf.compat.v1
graph mode, one thread, ``/work/tfvenv/bin/python``) in subprocesses, alternately, a few
rounds (the best counts: the machine is shared), and by numpy written directly:

- MFCCs of one second of 16 kHz audio: ``stft`` (400-sample frames, 160 apart, 512-point
  FFT), magnitude, a 40-band mel matrix, log, ``mfccs_from_log_mel_spectrograms``; per run;
- ``map_fn`` of a 5-op function over 1,000 rows; per element;
- ``scan`` of a small recurrent step (matmul, add, tanh) over 200 steps; per step.

Run as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_signal.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write``: print only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
from bench_common import machine_line, write_section

ROOT = Path(__file__).resolve().parent.parent
TF_PYTHON = "/work/tfvenv/bin/python"
ROUNDS = 3

SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if sys.argv[1] == "tensorflow":
        import tensorflow as tf
        tf.compat.v1.disable_v2_behavior()
    else:
        import runtime as tf
    v1 = tf.compat.v1

    def best(run, calls):
        run()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times.append((time.perf_counter() - start) / calls)
        return min(times)

    config = v1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    rng = np.random.default_rng(0)
    figures = {}
    with tf.Graph().as_default():
        audio = v1.placeholder(tf.float32, [16000])
        spectrum = tf.abs(tf.signal.stft(audio, 400, 160, fft_length=512))
        mel = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0)
        mfccs = tf.signal.mfccs_from_log_mel_spectrograms(
            tf.math.log(tf.tensordot(spectrum, mel, 1) + 1e-6))
        feed = {audio: rng.standard_normal(16000).astype(np.float32)}
        with v1.Session(config=config) as sess:
            figures["mfcc"] = best(lambda: sess.run(mfccs, feed), 20)
    with tf.Graph().as_default():
        rows = v1.placeholder(tf.float32, [1000, 16])
        mapped = v1.map_fn(lambda r: tf.reduce_sum(tf.tanh(r * 2.0 + 1.0) * r), rows)
        feed = {rows: rng.standard_normal((1000, 16)).astype(np.float32)}
        with v1.Session(config=config) as sess:
            figures["map_fn"] = best(lambda: sess.run(mapped, feed), 3) / 1000
    with tf.Graph().as_default():
        steps = v1.placeholder(tf.float32, [200, 8])
        w = tf.constant(rng.standard_normal((8, 8)).astype(np.float32) * 0.3)
        states = v1.scan(lambda h, x: tf.tanh(tf.matmul(x[None], w)[0] + h), steps,
                         initializer=tf.zeros([8]))
        feed = {steps: rng.standard_normal((200, 8)).astype(np.float32)}
        with v1.Session(config=config) as sess:
            figures["scan"] = best(lambda: sess.run(states, feed), 5) / 200
    print(json.dumps(figures))
    """
)


def _run(python: str, form: str) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [python, "-c", SCRIPT, form], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _numpy_figures() -> dict:
    """The same three computations in numpy, vectorized where numpy can."""
    rng = np.random.default_rng(0)
    audio = rng.standard_normal(16000).astype(np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)).astype(np.float32)
    mel = np.abs(rng.standard_normal((257, 40))).astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(audio, 400)[::160]

    def mfcc():
        spectrum = np.abs(np.fft.rfft(frames * window, 512))
        log_mel = np.log(spectrum @ mel + 1e-6)
        return np.fft.rfft(log_mel, 80)  # the DCT-II's FFT, as tf.signal.dct computes it

    rows = rng.standard_normal((1000, 16)).astype(np.float32)
    steps = rng.standard_normal((200, 8)).astype(np.float32)
    w = (rng.standard_normal((8, 8)) * 0.3).astype(np.float32)

    def scan():
        h = np.zeros(8, np.float32)
        for x in steps:
            h = np.tanh(x @ w + h)
        return h

    return {
        "mfcc": _best(mfcc, 50),
        "map_fn": _best(lambda: (np.tanh(rows * 2 + 1) * rows).sum(axis=1), 200) / 1000,
        "scan": _best(scan, 50) / 200,
    }


def _best(run, calls: int) -> float:
    run()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        times.append((time.perf_counter() - start) / calls)
    return min(times)


def main() -> None:
    runs = {"runtime": [], "tensorflow": [], "numpy": []}
    for _ in range(ROUNDS):
        runs["runtime"].append(_run(sys.executable, "runtime"))
        runs["tensorflow"].append(_run(TF_PYTHON, "tensorflow"))
        runs["numpy"].append(_numpy_figures())
    ours, theirs, plain = (
        {key: min(run[key] for run in runs[form]) for key in runs[form][0]} for form in runs
    )
    rows = [
        ("MFCCs of 1 s of 16 kHz audio, per run", "mfcc", 1e3, "ms"),
        ("map_fn of a 5-op function over 1,000 rows, per element", "map_fn", 1e6, "µs"),
        ("scan of a recurrent step over 200 steps, per step", "scan", 1e6, "µs"),
    ]
    lines = [
        "## Audio features, map_fn and scan (bench/bench_signal.py)",
        "",
        machine_line(),
        "",
        "| workload | runtime | TensorFlow 2.21 | numpy |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key, scale, unit in rows:
        lines.append(
            f"| {label} | {ours[key] * scale:.2f} {unit} | {theirs[key] * scale:.2f} {unit} | "
            f"{plain[key] * scale:.2f} {unit} |"
        )
    lines += [
        "",
        "The MFCCs are a handful of large ops (a gather of frames, one RFFT, a matmul, a "
        "DCT through an RFFT): numpy's FFT does the work, and the runtime is near plain "
        "numpy. `map_fn` and `scan` are TF1 dataflow while loops as TF builds them, about "
        "30 ops per element (the loop's Merge/Switch/NextIteration, its counters and constants, the "
        "TensorArray read and write, then the function): they pay the executor's cost per "
        "op of a loop iteration (see the RNN section), not their kernels'.",
    ]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_signal", lines)


if __name__ == "__main__":
    main()
