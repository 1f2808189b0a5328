"""Benchmark: the string hashes, image analysis and set ops of TF1's long tail, next to
TensorFlow.

Running, ms per ``Session.run`` (best of several), every input fed:

- ``tf.strings.to_hash_bucket_fast`` of 20,000 short strings (FarmHash's
  ``Fingerprint64``, written in Python here);
- ``tf.image.non_max_suppression`` of 2,000 random boxes, at most 100 kept;
- ``tf.image.ssim`` of 8 pairs of 128 x 128 x 3 images;
- ``tf.image.extract_patches``, 3 x 3 patches of 8 images 64 x 64 x 3;
- ``tf.sets.intersection`` of 1,000 pairs of rows of 50 integers.

The same program runs under TensorFlow 2.21 (``tf.compat.v1``, a subprocess of
``/work/tfvenv/bin/python``) in the same run, and plain numpy does the same work where
numpy has a way (hashing strings is Python either way, so its column is Python's own
``hash`` of the strings: the cost of touching each one).

Run ``.venv/bin/python bench/bench_strings_image.py`` (``--no-write`` to only print;
it rewrites its section of bench/RESULTS.md otherwise).
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

    def best(fn, repeats=5):
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    def data():
        rng = np.random.default_rng(0)
        words = np.array([f"user{i}/item{i % 97}".encode() for i in range(20_000)], object)
        corners = rng.uniform(0, 1, (2_000, 2, 2)).astype(np.float32)
        boxes = np.concatenate([corners.min(1), corners.max(1)], 1)
        scores = rng.uniform(0, 1, 2_000).astype(np.float32)
        images = rng.uniform(0, 1, (2, 8, 128, 128, 3)).astype(np.float32)
        small = rng.uniform(0, 1, (8, 64, 64, 3)).astype(np.float32)
        rows = rng.integers(0, 100, (2, 1_000, 50)).astype(np.int32)
        return words, boxes, scores, images, small, rows

    def measure():
        v1 = tf.compat.v1
        words, boxes, scores, images, small, rows = data()
        out = {}
        with tf.Graph().as_default():
            text = v1.placeholder(tf.string, [None])
            buckets = tf.strings.to_hash_bucket_fast(text, 1000)
            b = v1.placeholder(tf.float32, [None, 4])
            s = v1.placeholder(tf.float32, [None])
            kept = tf.image.non_max_suppression(b, s, 100, 0.5)
            x = v1.placeholder(tf.float32, [None, 128, 128, 3])
            y = v1.placeholder(tf.float32, [None, 128, 128, 3])
            similarity = tf.image.ssim(x, y, 1.0)
            p = v1.placeholder(tf.float32, [None, 64, 64, 3])
            patches = tf.image.extract_patches(p, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
            left = v1.placeholder(tf.int32, [None, 50])
            right = v1.placeholder(tf.int32, [None, 50])
            common = tf.sets.intersection(left, right)
            with v1.Session() as sess:
                out["hash"] = best(lambda: sess.run(buckets, {text: words}))
                out["nms"] = best(lambda: sess.run(kept, {b: boxes, s: scores}))
                out["ssim"] = best(lambda: sess.run(similarity, {x: images[0], y: images[1]}))
                out["patches"] = best(lambda: sess.run(patches, {p: small}))
                out["sets"] = best(
                    lambda: sess.run(common, {left: rows[0], right: rows[1]}), repeats=3
                )
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


def _best(fn, repeats=5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure_numpy() -> dict:
    """The same work in plain numpy (and Python where numpy has no way)."""
    namespace = {"tf": None}
    exec(PROGRAM, namespace)
    words, boxes, scores, images, small, rows = namespace["data"]()

    def nms():  # greedy, vectorized per kept box
        order = np.argsort(-scores, kind="stable")
        area = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
        kept, alive = [], np.ones(len(boxes), bool)
        for i in order:
            if not alive[i]:
                continue
            kept.append(i)
            if len(kept) == 100:
                break
            low = np.maximum(boxes[i, :2], boxes[:, :2])
            high = np.minimum(boxes[i, 2:], boxes[:, 2:])
            inter = np.prod(np.maximum(high - low, 0), axis=1)
            alive &= inter / (area[i] + area - inter) <= 0.5
        return kept

    window = np.exp(-0.5 * (np.arange(11) - 5.0) ** 2 / 1.5**2)
    window /= window.sum()

    def blur(x):  # the separable 11 x 11 Gaussian, valid part
        rows_done = np.apply_along_axis(lambda v: np.convolve(v, window, "valid"), 1, x)
        return np.apply_along_axis(lambda v: np.convolve(v, window, "valid"), 2, rows_done)

    def ssim():
        a, b = images
        mean_a, mean_b = blur(a), blur(b)
        c1, c2 = 0.01**2, 0.03**2
        luminance = (2 * mean_a * mean_b + c1) / (mean_a**2 + mean_b**2 + c1)
        cov = 2 * blur(a * b) - 2 * mean_a * mean_b
        var = blur(a * a + b * b) - mean_a**2 - mean_b**2
        return (luminance * (cov + c2) / (var + c2)).mean(axis=(1, 2, 3))

    def patches():
        padded = np.pad(small, [(0, 0), (1, 1), (1, 1), (0, 0)])
        view = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
        return np.ascontiguousarray(view.transpose(0, 1, 2, 4, 5, 3)).reshape(8, 64, 64, 27)

    return {
        "hash": _best(lambda: [hash(w) % 1000 for w in words]),
        "nms": _best(nms),
        "ssim": _best(ssim, repeats=2),
        "patches": _best(patches),
        "sets": _best(lambda: [np.intersect1d(a, b) for a, b in zip(*rows)], repeats=3),
    }


def main() -> None:
    columns = [("tfgraph runtime", measure_runtime())]
    tensorflow = measure_tensorflow()
    if tensorflow is not None:
        columns.append(("TensorFlow 2.21", tensorflow))
    columns.append(("plain numpy", measure_numpy()))
    rows = [
        ("to_hash_bucket_fast, 20,000 strings", "hash"),
        ("non_max_suppression, 2,000 boxes, 100 kept", "nms"),
        ("ssim, 8 pairs of 128² x 3", "ssim"),
        ("extract_patches 3 x 3, 8 x 64² x 3", "patches"),
        ("sets.intersection, 1,000 pairs of 50", "sets"),
    ]
    lines = [
        "## String hashes, image analysis and sets (bench/bench_strings_image.py)",
        "",
        machine_line() + " ms per `Session.run`, best of several; inputs fed.",
        "",
        "| ms | " + " | ".join(name for name, _ in columns) + " |",
        "| :--- |" + " ---: |" * len(columns),
    ]
    for label, key in rows:
        cells = [f"{found[key] * 1e3:.2f}" if key in found else "–" for _, found in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Where the time goes: the hashes are Python (FarmHash in Python ints, some 3 µs a "
        "string); non-max suppression computes a candidate's overlaps only with the boxes "
        "already kept (it was 118 ms with the whole 2,000² overlap matrix); SSIM is five "
        "11 x 11 depthwise convolutions, as TF builds it, and the runtime's depthwise "
        "kernel is most of its time; set operations are Python sets per row.",
    ]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_strings_image", lines)


if __name__ == "__main__":
    main()
