"""TF1 models with conds and loops that are saved, imported from their ``.meta`` file and
fine-tuned, by real TensorFlow (``tests/fixtures/tf_control_flow_meta/generate.py``)
and by the runtime (``test_control_flow_meta_vs_tf.py``): each function takes the
module (``tensorflow`` or ``runtime``) it runs with.

Fine-tuning an imported model (a new loss on its output, its gradients, a new
optimizer's ``minimize``) needs the contexts of its conds and loops, which the meta
graph's ``cond_context``/``while_context`` collections carry.

This module imports neither TensorFlow nor the runtime.
"""

from __future__ import annotations

import os
import shutil

import numpy as np

MODELS = ("cond", "while", "nested", "lstm")
_ROWS = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], np.float32)
X = {
    "cond": _ROWS,
    "while": _ROWS,
    "nested": _ROWS,
    "lstm": np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 4, 3),
}
# The cond model is fed each branch in turn (the other models have no ``pred``).
PREDS = (True, False, True)
# What is fine-tuned: each model, and two imported under a scope (which renames loops).
CASES = (*((name, None) for name in MODELS), ("nested", "imp"), ("lstm", "imp"))
# The files each engine makes: ``model_*`` hold the models, ``trained_*`` their training
# graphs (a train op, with the gradient loops it needs, saved with the model).
DIRECTORIES = ("model", "trained")


def case_name(name: str, scope) -> str:
    """The key of a case in ``expected.npz``: ``nested``, ``nested@imp``."""
    return name if scope is None else f"{name}@{scope}"


def build(tf, name):
    """Build model ``name`` in the default graph; returns ``(input, output)``."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, X[name].shape, name="x")
    w = v1.get_variable("w", initializer=np.array([0.5, -0.3, 0.8], np.float32))
    if name == "cond":
        pred = v1.placeholder_with_default(True, [], name="pred")
        out = v1.cond(pred, lambda: tf.tanh(x * w), lambda: tf.square(w) - x)
    elif name == "while":
        body = lambda i, h: (i + 1, tf.tanh(h * w + x))  # noqa: E731
        _, out = v1.while_loop(lambda i, h: i < 3, body, [tf.constant(0), x])
    elif name == "nested":
        u = v1.get_variable("u", initializer=np.array([0.2, 0.4, -0.6], np.float32))

        def body(i, h):
            even = tf.equal(tf.math.floormod(i, 2), 0)
            h = v1.cond(even, lambda: tf.tanh(h * w), lambda: h * u + x)
            inner = lambda j, g: (j + 1, tf.tanh(g * u + h))  # noqa: E731
            _, g = v1.while_loop(lambda j, g: j < 2, inner, [tf.constant(0), h])
            return i + 1, g

        _, out = v1.while_loop(lambda i, h: i < 3, body, [tf.constant(0), x])
    else:
        cell = v1.nn.rnn_cell.LSTMCell(4, initializer=v1.constant_initializer(0.1))
        out, _ = v1.nn.dynamic_rnn(cell, x * w, sequence_length=[4, 2], dtype=tf.float32)
    v1.add_to_collection("input", x)
    v1.add_to_collection("output", out)
    return x, out


def save(tf, directory, trained=False) -> None:
    """Build and save every model (variables at their initial values) in ``directory``
    (``<model>.meta`` and the ``<model>`` checkpoint); ``trained``: with a
    ``GradientDescentOptimizer``'s train op on the sum of the output."""
    v1 = tf.compat.v1
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name in MODELS:
        with tf.Graph().as_default():
            _, out = build(tf, name)
            if trained:
                train = v1.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(out))
                v1.add_to_collection("train_op", train)
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                v1.train.Saver().save(sess, os.path.join(directory, name))
        os.remove(os.path.join(directory, "checkpoint"))


def fine_tune(tf, path, name, scope=None) -> dict:
    """Import ``path.meta`` (under ``scope``), restore ``path`` and train a new loss on
    the output with a new Adam; returns the gradients (``grad/x`` of the input,
    ``grad/<variable>`` of each trainable variable) before training and the ``losses``
    before each of three steps."""
    v1 = tf.compat.v1
    result = {}
    with tf.Graph().as_default() as graph:
        saver = v1.train.import_meta_graph(path + ".meta", import_scope=scope)
        x = v1.get_collection("input")[0]
        out = v1.get_collection("output")[0]
        loss = tf.reduce_sum(tf.square(out - 0.3))
        variables = sorted(v1.trainable_variables(), key=lambda v: v.name)
        grads = tf.gradients(loss, [x, *variables])
        train = v1.train.AdamOptimizer(0.1, name="FineTune").minimize(loss)
        feeds = [{x: X[name]} for _ in PREDS]
        if name == "cond":
            pred = graph.get_tensor_by_name("pred:0" if scope is None else f"{scope}/pred:0")
            feeds = [{x: X[name], pred: p} for p in PREDS]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            saver.restore(sess, path)
            values = sess.run(grads, feeds[1])  # the cond's false branch
            result["grad/x"] = values[0]
            for var, value in zip(variables, values[1:]):
                result[f"grad/{var.op.name}"] = value
            losses = []
            for feed in feeds:
                losses.append(sess.run(loss, feed))
                sess.run(train, feed)
            result["losses"] = np.array(losses, np.float32)
    return result
