"""Benchmark: the graph optimizer (runtime.grappler), next to TensorFlow's Grappler.

Figures (issue 17, item 3), each run by the runtime with its default rewrites
("optimized"), by the runtime exactly as written (``disable_meta_optimizer`` and
``opt_level=L0``), and by TensorFlow 2.21 with its default rewrites in the same run (a
subprocess of ``/work/tfvenv/bin/python`` running the same program text):

- the MLP 784-512-256-10 forward on a constant input (batch 256; weights, biases and
  input are constants): Grappler folds it to one constant; target within 2× of TF;
- the same MLP fed a new batch each run (fused MatMul + BiasAdd + Relu);
- the small CNN's inference on a fed batch of 64×28×28×1 (conv 5×5×32 + batch norm +
  relu, conv 5×5×64 + bias + relu; the batch norm folded into the filter);
- a ``while_loop`` of 1,000 iterations with constants in its body, per iteration
  (constants hoisted out of the loop);
- the frozen MobileNetV2 (alpha 0.35, 96×96, batch 2) and ResNet50 of
  ``tests/fixtures/tf_models`` (batch norms folded into filters, fused convolutions);
  ResNet50 when its generated file is there;
- what the optimizer costs: the first run of the MLP graph, optimized and as written.

Sessions use one inter-op and one intra-op thread on both sides. Run with the BLAS
variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_grappler.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from bench_common import blas_line, machine_line, write_section
from threadpoolctl import threadpool_limits

import runtime as tf

TF_PYTHON = "/work/tfvenv/bin/python"
MODELS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tf_models"
FROZEN = {
    "mobilenet": MODELS / "mobilenet_v2",
    "resnet": MODELS / "generated" / "resnet50",
}

# The program, written once for both: ``tf`` is TensorFlow or the runtime.
PROGRAM = textwrap.dedent(
    """
    import time
    import numpy as np

    v1 = tf.compat.v1
    SIZES = (784, 512, 256, 10)


    def config(as_written):
        config = v1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
        if as_written:
            config.graph_options.rewrite_options.disable_meta_optimizer = True
            config.graph_options.optimizer_options.opt_level = -1
        return config


    def best_per_call(runs, calls, repeats=7):
        # Seconds per call of each of runs, in alternating batches (best of each).
        for run in runs:
            run()
        best = [float("inf")] * len(runs)
        for _ in range(repeats):
            for i, run in enumerate(runs):
                start = time.perf_counter()
                for _ in range(calls):
                    run()
                best[i] = min(best[i], (time.perf_counter() - start) / calls)
        return best


    def mlp(constant_input):
        rng = np.random.default_rng(0)
        batch = rng.standard_normal((256, 784)).astype(np.float32)
        x = tf.constant(batch) if constant_input else v1.placeholder(tf.float32, [None, 784])
        h = x
        for i in range(3):
            w = rng.standard_normal(SIZES[i : i + 2]).astype(np.float32) * 0.05
            b = rng.standard_normal(SIZES[i + 1]).astype(np.float32) * 0.05
            h = tf.nn.bias_add(tf.matmul(h, tf.constant(w)), tf.constant(b))
            if i < 2:
                h = tf.nn.relu(h)
        return h, ({} if constant_input else {x: batch})


    def cnn():
        rng = np.random.default_rng(1)
        images = rng.standard_normal((64, 28, 28, 1)).astype(np.float32)
        x = v1.placeholder(tf.float32, [None, 28, 28, 1])
        w1 = tf.constant(rng.standard_normal((5, 5, 1, 32)).astype(np.float32) * 0.1)
        conv = tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME")
        vectors = [rng.uniform(0.5, 1.5, 32), rng.standard_normal(32), rng.standard_normal(32), rng.uniform(0.5, 1.5, 32)]
        vectors = [tf.constant(v.astype(np.float32)) for v in vectors]
        normed, _, _ = v1.nn.fused_batch_norm(conv, vectors[0], vectors[1], mean=vectors[2], variance=vectors[3], is_training=False)
        h = tf.nn.max_pool2d(tf.nn.relu(normed), 2, 2, "VALID")
        w2 = tf.constant(rng.standard_normal((5, 5, 32, 64)).astype(np.float32) * 0.05)
        b2 = tf.constant(rng.standard_normal(64).astype(np.float32) * 0.05)
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, w2, [1, 1, 1, 1], "SAME"), b2))
        return tf.nn.max_pool2d(h, 2, 2, "VALID"), {x: images}


    def loop(iterations=1000):
        _, total = v1.while_loop(
            lambda i, acc: i < iterations,
            lambda i, acc: (i + 1, acc * 0.5 + 1.0),
            [tf.constant(0), tf.constant(0.0)],
        )
        return total, {}


    def frozen(path):
        graph_def = v1.GraphDef.FromString(open(path + ".pb", "rb").read())
        v1.import_graph_def(graph_def, name="")
        graph = v1.get_default_graph()
        images = np.load(path + ".npz")["input"]
        return graph.get_tensor_by_name("output:0"), {graph.get_tensor_by_name("input:0"): images}


    def steady(build, calls, both):
        # Optimized (and, with both, as written) seconds per run, measured alternately.
        with tf.Graph().as_default():
            fetch, feeds = build()
            sessions = [v1.Session(config=config(False))]
            if both:
                sessions.append(v1.Session(config=config(True)))
            try:
                return best_per_call([lambda s=s: s.run(fetch, feeds) for s in sessions], calls)
            finally:  # last made, first closed: each restores the BLAS limit it found
                for session in reversed(sessions):
                    session.close()


    def first_run(build, as_written):
        best = float("inf")
        for _ in range(3):
            with tf.Graph().as_default():
                fetch, feeds = build()
                with v1.Session(config=config(as_written)) as sess:
                    start = time.perf_counter()
                    sess.run(fetch, feeds)
                    best = min(best, time.perf_counter() - start)
        return best


    def figures(both, models):
        # Each figure's seconds: [optimized], or [optimized, as written] with both.
        found = {
            "mlp_constant": steady(lambda: mlp(True), 200, both),
            "mlp_fed": steady(lambda: mlp(False), 20, both),
            "cnn": steady(cnn, 3, both),
            "loop": [seconds / 1000 for seconds in steady(loop, 3, both)],
            "first_mlp": [first_run(lambda: mlp(False), w) for w in (False, True)[: 1 + both]],
        }
        for key, path in models.items():
            found[key] = steady(lambda: frozen(path), 3, both)
        return found
    """
)


def _models() -> dict:
    return {key: str(path) for key, path in FROZEN.items() if path.with_suffix(".pb").exists()}


def measure_runtime() -> dict:
    namespace = {"tf": tf}
    exec(PROGRAM, namespace)
    return namespace["figures"](True, _models())


def measure_tensorflow() -> dict | None:
    if not os.path.exists(TF_PYTHON):
        return None
    script = (
        "import json, os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\nimport tensorflow as tf\n"
        "tf.compat.v1.disable_v2_behavior()\n"
        + PROGRAM
        + f"\nprint(json.dumps(figures(False, {_models()!r})))\n"
    )
    done = subprocess.run([TF_PYTHON, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def numpy_mlp_fed() -> float:
    """Plain numpy doing the fed MLP's work (one BLAS thread), seconds per call."""
    namespace = {"tf": tf}
    exec(PROGRAM, namespace)
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((256, 784)).astype(np.float32)
    sizes = namespace["SIZES"]
    layers = []
    for i in range(3):
        w = rng.standard_normal(sizes[i : i + 2]).astype(np.float32) * 0.05
        layers.append((w, rng.standard_normal(sizes[i + 1]).astype(np.float32) * 0.05))

    def forward():
        h = batch
        for i, (w, b) in enumerate(layers):
            h = h @ w + b
            if i < 2:
                h = np.maximum(h, 0)
        return h

    with threadpool_limits(limits=1, user_api="blas"):
        return namespace["best_per_call"]([forward], 20)[0]


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} µs"


def main() -> None:
    blas = blas_line()  # before any session limits BLAS threads
    ours = measure_runtime()
    theirs = measure_tensorflow()
    reference = numpy_mlp_fed()
    rows = [
        ("MLP 784-512-256-10 forward, constant input (batch 256)", "mlp_constant", "≤ 2× TF"),
        ("MLP 784-512-256-10 forward, fed batch 256", "mlp_fed", f"— (numpy {_ms(reference)})"),
        ("small CNN inference, fed 64×28×28×1", "cnn", "—"),
        ("`while_loop`, 1,000 iterations, per iteration", "loop", "—"),
        ("frozen MobileNetV2 0.35, 96×96, batch 2", "mobilenet", "—"),
        ("frozen ResNet50, 64×64, batch 2", "resnet", "—"),
        ("first run of the fed MLP graph (plan + optimizer)", "first_mlp", "—"),
    ]
    lines = [
        "## Graph optimizer (bench/bench_grappler.py)",
        "",
        machine_line(),
        blas + ".",
        "One inter-op and one intra-op thread on both sides; best of several batches, the "
        "runtime's two sessions in alternating batches. TensorFlow 2.21 runs the same "
        "program text with its default rewrites in the same run.",
        "",
        "| figure | runtime optimized | runtime as written | TensorFlow 2.21 | optimized / TF | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, key, target in rows:
        if key not in ours:
            continue
        optimized, written = ours[key]
        tf_value = theirs[key][0] if theirs else float("nan")
        lines.append(
            f"| {label} | {_ms(optimized)} | {_ms(written)} | {_ms(tf_value)} | "
            f"{optimized / tf_value:.2f}× | {target} |"
        )
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_grappler", lines)


if __name__ == "__main__":
    main()
