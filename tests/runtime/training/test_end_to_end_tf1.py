"""End to end, TF1 programs as tutorials write them (``import runtime as tf`` only):

- a ``tf.layers`` CNN with batch norm and dropout trained on scikit-learn's digits by
  ``MonitoredTrainingSession`` with hooks (digits_cnn.py), killed midway, restarted
  from its checkpoint, and evaluated in a fresh process from the exported meta graph
  with ``tf.metrics``;
- a ``tf.layers`` MLP trained by an optimizer the user wrote (``Optimizer`` subclass).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import runtime as tf

from .digits_cnn import digits

v1 = tf.compat.v1
ROOT = Path(__file__).parents[3]
LAST_STEP = 150
TARGET_ACCURACY = 0.93  # reached: 0.953


def program(*args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.runtime.training.digits_cnn", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_checkpoint(directory: Path, step: int, process, timeout=120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        latest = v1.train.latest_checkpoint(str(directory))
        if latest and int(latest.rsplit("-", 1)[1]) >= step:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint at step {step} after {timeout} s")


def test_cnn_killed_midway_resumes_and_its_meta_graph_evaluates_in_a_fresh_process(tmp_path):
    first = program(tmp_path, LAST_STEP)
    wait_for_checkpoint(tmp_path, 50, first)
    first.send_signal(signal.SIGKILL)  # no chance to save or clean up
    first.wait()
    killed_at = v1.train.latest_checkpoint(str(tmp_path))
    assert killed_at.endswith(("-50", "-100"))
    start = (tmp_path / "model.ckpt-0.index").stat().st_mtime_ns

    second = program(tmp_path, LAST_STEP)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert v1.train.latest_checkpoint(str(tmp_path)).endswith(f"-{LAST_STEP}")
    # Resumed, not restarted: a fresh start would have saved step 0 again.
    assert (tmp_path / "model.ckpt-0.index").stat().st_mtime_ns == start

    evaluation = program("evaluate", tmp_path)
    out, err = evaluation.communicate(timeout=300)
    assert evaluation.returncode == 0, err
    accuracy = float(out.split()[-1])
    assert accuracy >= TARGET_ACCURACY, accuracy


class MomentumSGD(v1.train.Optimizer):
    """The user's optimizer: heavy-ball momentum, ``v = mu*v + g; w -= lr*v``."""

    def __init__(self, learning_rate, momentum=0.9, use_locking=False, name="MomentumSGD"):
        super().__init__(use_locking, name)
        self._lr, self._momentum = learning_rate, momentum

    def _create_slots(self, var_list):
        for var in var_list:
            self._zeros_slot(var, "velocity", self._name)

    def _prepare(self):
        self._lr_t = tf.convert_to_tensor(self._lr, name="learning_rate")
        self._momentum_t = tf.convert_to_tensor(self._momentum, name="momentum")

    def _apply_dense(self, grad, var):
        velocity = self.get_slot(var, "velocity")
        new_velocity = v1.assign(velocity, self._momentum_t * velocity + grad)
        return tf.group(v1.assign_sub(var, self._lr_t * new_velocity), new_velocity)


def test_mlp_trained_by_a_users_optimizer(graph, sess):
    (train_images, train_labels), (test_images, test_labels) = digits()
    train_x, test_x = train_images.reshape(-1, 64), test_images.reshape(-1, 64)
    v1.set_random_seed(0)
    x = v1.placeholder(tf.float32, [None, 64])
    y = v1.placeholder(tf.int64, [None])
    hidden = v1.layers.dense(x, 32, activation=tf.nn.relu)
    logits = v1.layers.dense(hidden, 10)
    loss = v1.losses.sparse_softmax_cross_entropy(y, logits)
    train_op = MomentumSGD(0.05).minimize(loss)
    accuracy, update = v1.metrics.accuracy(y, tf.argmax(logits, axis=1))
    sess.run([v1.global_variables_initializer(), v1.local_variables_initializer()])
    rng = np.random.default_rng(0)
    for _ in range(300):
        batch = rng.choice(len(train_x), 64, replace=False)
        sess.run(train_op, {x: train_x[batch], y: train_labels[batch]})
    sess.run(update, {x: test_x, y: test_labels})
    assert sess.run(accuracy) >= 0.9
