"""Benchmark: convolutional models, the runtime next to TensorFlow 2.21 in the same run.

Figures (targets from issue 17):

- small CNN forward, batch 64 of 28x28x1, two 3x3 conv layers (32 and 64 channels,
  each with bias, ReLU and 2x2 max pool) and a dense layer ......... (report)
- the same CNN's training step (softmax cross-entropy, Adam) ........ <= 2x TF at 1
  thread, <= 2.5x at 2 threads
- MobileNetV2 and ResNet50 inference on one 224x224 image ........... <= 2x TF
- MLP 784-512-256-10 training step (softmax cross-entropy, Adam), batch 128 <= 1.5x TF

"1 thread" and "2 threads" set both ``intra_op_parallelism_threads`` (BLAS threads)
and ``inter_op_parallelism_threads``, in the runtime and in TF. TF runs in
subprocesses with the scratch TF venv (``$TF_PYTHON``, default
``/work/tfvenv/bin/python``), on the same graphs: the CNN is built by the same TF1
code in both (:func:`small_cnn`), and the keras applications are frozen by TF
(random weights) and imported by the runtime. The runtime's batches and TF's
alternate, so a busy moment of the machine hits both; each figure is the best batch.
Each batch starts with 50 ms of untimed calls, on both sides: after the pause between
batches the cores take a few calls to come back to speed, and a training loop's
steps run back to back.

TF sizes its thread pools once per process, from the first session or eager context
it makes, and ignores later sessions' settings: so each thread count is measured in a
TF process of its own, and the applications are frozen (eagerly) in another. The
table's "cores" column is CPU time over wall time, which shows each side used the
threads it was given.
"numpy" is the CNN forward computed by calling the runtime's kernels directly,
without a session: the engine's overhead is the difference.

Run with the BLAS variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_models.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print). ``--freeze`` and ``--tf-half`` are the TF subprocesses' entry points.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_common import blas_line, machine_line, per_call, write_section

TF_PYTHON = os.environ.get("TF_PYTHON", "/work/tfvenv/bin/python")
BATCH, CLASSES, MLP_BATCH = 64, 10, 128
APPLICATIONS = ("MobileNetV2", "ResNet50")


def small_cnn(tf, seed: int = 0):
    """The CNN, in TF1 code both TensorFlow and the runtime run: ``(x, y, loss, train)``."""
    v1 = tf.compat.v1
    rng = np.random.default_rng(seed)

    def variable(*shape):
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        return v1.Variable((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))

    x = v1.placeholder(tf.float32, [BATCH, 28, 28, 1], name="x")
    y = v1.placeholder(tf.int32, [BATCH], name="y")
    hidden = x
    for channels_in, channels_out in ((1, 32), (32, 64)):
        conv = tf.nn.conv2d(hidden, variable(3, 3, channels_in, channels_out), 1, "SAME")
        hidden = tf.nn.relu(tf.nn.bias_add(conv, variable(channels_out)))
        hidden = tf.nn.max_pool2d(hidden, 2, 2, "VALID")
    flat = tf.reshape(hidden, [BATCH, 7 * 7 * 64])
    logits = tf.matmul(flat, variable(7 * 7 * 64, CLASSES)) + variable(CLASSES)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = v1.train.AdamOptimizer(1e-3).minimize(loss)
    return x, y, logits, train


def mlp(tf, seed: int = 0):
    """The MLP of issue 17, in TF1 code both run: ``(x, y, train)``."""
    v1 = tf.compat.v1
    rng = np.random.default_rng(seed)
    x = v1.placeholder(tf.float32, [MLP_BATCH, 784], name="x")
    y = v1.placeholder(tf.int32, [MLP_BATCH], name="y")
    hidden = x
    for fan_in, fan_out in ((784, 512), (512, 256), (256, CLASSES)):
        kernel = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
        hidden = tf.matmul(hidden, v1.Variable(kernel)) + v1.Variable(np.zeros(fan_out, np.float32))
        if fan_out != CLASSES:
            hidden = tf.nn.relu(hidden)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=hidden))
    return x, y, v1.train.AdamOptimizer(1e-3).minimize(loss)


def cnn_batch(seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.random((BATCH, 28, 28, 1), np.float32), rng.integers(0, CLASSES, BATCH)


def session_config(tf, threads: int):
    return tf.compat.v1.ConfigProto(
        intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads
    )


@contextlib.contextmanager
def workloads(tf, folder: str, threads: int):
    """Each workload as a callable running it once, in sessions of ``threads`` threads."""
    v1 = tf.compat.v1
    images, labels = cnn_batch()
    image = np.random.default_rng(2).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    with contextlib.ExitStack() as stack:
        graph = tf.Graph()
        with graph.as_default():
            x, y, logits, train = small_cnn(tf)
            initialize = v1.global_variables_initializer()
        sess = stack.enter_context(v1.Session(graph=graph, config=session_config(tf, threads)))
        sess.run(initialize)
        mlp_graph = tf.Graph()
        with mlp_graph.as_default():
            mlp_x, mlp_y, mlp_train = mlp(tf)
            mlp_initialize = v1.global_variables_initializer()
        mlp_sess = stack.enter_context(
            v1.Session(graph=mlp_graph, config=session_config(tf, threads))
        )
        mlp_sess.run(mlp_initialize)
        rng = np.random.default_rng(3)
        mlp_feed = {
            mlp_x: rng.random((MLP_BATCH, 784), np.float32),
            mlp_y: rng.integers(0, CLASSES, MLP_BATCH),
        }
        found = {
            "cnn_forward": lambda: sess.run(logits, {x: images}),
            "cnn_step": lambda: sess.run(train, {x: images, y: labels}),
            "mlp_step": lambda: mlp_sess.run(mlp_train, mlp_feed),
        }
        for name in APPLICATIONS:
            app_graph = tf.Graph()
            with app_graph.as_default():
                graph_def = v1.GraphDef.FromString(Path(folder, f"{name}.pb").read_bytes())
                v1.import_graph_def(graph_def, name="")
            app = stack.enter_context(
                v1.Session(graph=app_graph, config=session_config(tf, threads))
            )
            found[name] = functools.partial(app.run, "output:0", {"input:0": image})
        yield found


# After a batch's settle (SETTLE) the cores take a few calls to come back to speed: the
# MLP step's first four to eight calls after 0.1-0.3 s idle took 6-8 ms, the later ones
# 4.3-4.6 ms. So each batch, on both sides, first runs its workload untimed this long.
WARM = 0.05


def batch_seconds(fn, calls: int) -> tuple[float, float]:
    """Wall and CPU seconds per call over one batch of ``calls`` calls, after WARM
    seconds (at least one call) of untimed calls."""
    warm_until = time.perf_counter() + WARM
    fn()
    while time.perf_counter() < warm_until:
        fn()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls, (time.process_time() - cpu) / calls


# -- the TensorFlow half (runs in TF's venv) ----------------------------------------------------


def freeze_application(name: str, path: str) -> None:
    """Freeze keras application ``name`` (random weights, 224x224, batch 1) to ``path``."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow as tf
    import tf_keras as keras
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    model = getattr(keras.applications, name)(input_shape=(224, 224, 3), weights=None)
    spec = tf.TensorSpec([1, 224, 224, 3], tf.float32, name="input")
    function = tf.function(lambda x: tf.identity(model(x, training=False), name="output"))
    frozen = convert_variables_to_constants_v2(function.get_concrete_function(spec))
    Path(path).write_bytes(frozen.graph.as_graph_def().SerializeToString())


def tf_half(folder: str, threads: int) -> None:
    """Serve TF's timings at ``threads`` threads: answer each ``<workload> <calls>`` line
    on stdin with one batch's wall and CPU seconds per call."""
    import tensorflow as tf

    with workloads(tf, folder, threads) as found:  # the process's first sessions
        print(f"ready {tf.__version__}", flush=True)
        for line in sys.stdin:
            name, calls = line.split()
            print(*batch_seconds(found[name], int(calls)), flush=True)


def tf_environment() -> dict:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_USE_LEGACY_KERAS": "1"}


def freeze_applications(folder: str) -> None:
    """Freeze the applications into ``folder``, in a TF process of their own (freezing
    runs eagerly, and an eager context would size the timed sessions' thread pools)."""
    subprocess.run(
        [TF_PYTHON, __file__, "--freeze", folder],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=tf_environment(),
    )


class TensorFlow:
    """A TF process timing the workloads at one thread count, one batch at a time."""

    def __init__(self, folder: str, threads: int):
        self.process = subprocess.Popen(
            [TF_PYTHON, __file__, "--tf-half", folder, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=tf_environment(),
        )
        self.version = self.process.stdout.readline().split()[-1]

    def batch(self, name: str, calls: int) -> tuple[float, float]:
        self.process.stdin.write(f"{name} {calls}\n")
        self.process.stdin.flush()
        wall, cpu = self.process.stdout.readline().split()
        return float(wall), float(cpu)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


# -- the runtime half -------------------------------------------------------------------------------


def kernels_forward(images) -> float:
    """The CNN's forward pass from the runtime's kernels alone (no session): numpy's time."""
    from runtime.kernels.nn import activations, conv, pooling
    from runtime.kernels.nn.windows import Windows

    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) for s in ((3, 3, 1, 32), (3, 3, 32, 64))]
    dense = rng.standard_normal((7 * 7 * 64, CLASSES)).astype(np.float32)

    def forward():
        hidden = images
        for w in weights:
            win = Windows.of(hidden.shape[1:3], (3, 3), (1, 1), "SAME")
            hidden = activations.relu(conv.conv_forward(hidden, w, win) + 0.1, T=None)[0]
            hidden = pooling.max_pool_forward(
                hidden, Windows.of(hidden.shape[1:3], (2, 2), (2, 2), "VALID")
            )
        return hidden.reshape(BATCH, -1) @ dense

    return per_call(forward, 10)


CALLS = {"cnn_forward": 10, "cnn_step": 5, "mlp_step": 20, "MobileNetV2": 5, "ResNet50": 2}
# Seconds to wait after each batch: TF's (Eigen) and OpenBLAS's worker threads spin for
# a while after their work, which would take the cores from the other side's batch.
SETTLE = 0.3


def measure(rounds: int) -> tuple[dict, str]:
    """Best seconds per call of every workload, ``(threads, name) -> (ours, TF's)``, each a
    ``(wall, cpu)`` pair from the batch of least wall time: batches of the runtime and of
    TF alternate, so a busy moment of the machine hits both."""
    import runtime as tf

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        freeze_applications(folder)
        for threads in (1, 2):  # BLAS threads are per process: one setting at a time
            theirs = TensorFlow(folder, threads)
            try:
                with workloads(tf, folder, threads) as ours:
                    for name, fn in ours.items():
                        fn()
                        best = [(float("inf"), 0.0), (float("inf"), 0.0)]
                        for _ in range(rounds):
                            best[0] = min(best[0], batch_seconds(fn, CALLS[name]))
                            time.sleep(SETTLE)
                            best[1] = min(best[1], theirs.batch(name, CALLS[name]))
                            time.sleep(SETTLE)
                        results[threads, name] = tuple(best)
            finally:
                theirs.close()
    return results, theirs.version


LABELS = {
    "cnn_forward": "small CNN forward, 64x28x28x1",
    "cnn_step": "small CNN training step (Adam)",
    "mlp_step": "MLP 784-512-256-10 training step (Adam), batch 128",
    "MobileNetV2": "MobileNetV2 inference, 1 image 224x224",
    "ResNet50": "ResNet50 inference, 1 image 224x224",
}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def table(results: dict, numpy_forward: float) -> list[str]:
    rows = [
        "| workload | threads | runtime | TensorFlow | ratio | cores (runtime / TF) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, label in LABELS.items():
        for threads in (1, 2):
            (mine, my_cpu), (theirs, their_cpu) = results[threads, name]
            rows.append(
                f"| {label} | {threads} | {ms(mine)} | {ms(theirs)} | {mine / theirs:.2f}x | "
                f"{my_cpu / mine:.1f} / {their_cpu / theirs:.1f} |"
            )
    rows.append(
        f"| small CNN forward, the kernels called directly (numpy, no session) | 2 | "
        f"{ms(numpy_forward)} | | | |"
    )
    return rows


def main() -> None:
    if "--freeze" in sys.argv:
        folder = sys.argv[sys.argv.index("--freeze") + 1]
        for name in APPLICATIONS:
            freeze_application(name, os.path.join(folder, f"{name}.pb"))
        return
    if "--tf-half" in sys.argv:
        at = sys.argv.index("--tf-half")
        tf_half(sys.argv[at + 1], int(sys.argv[at + 2]))
        return
    results, version = measure(rounds=int(os.environ.get("BENCH_ROUNDS", "7")))
    lines = [
        "## Convolutional models (bench/bench_models.py)",
        "",
        machine_line(),
        blas_line(),
        f"TensorFlow {version} in a subprocess per thread count on the same machine; its "
        "batches and the runtime's alternate, and each figure is the best batch.",
        "",
        *table(results, kernels_forward(cnn_batch()[0])),
    ]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_models", lines)


if __name__ == "__main__":
    main()
