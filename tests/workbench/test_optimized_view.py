"""``show_optimized``: the graph as written beside the graph as run, with the changes."""

from __future__ import annotations

import numpy as np

import runtime as tf
import workbench
from workbench.optimized_view import OptimizedView

v1 = tf.compat.v1


def _cnn():
    x = v1.placeholder(tf.float32, [None, 8, 8, 1], name="images")
    with tf.name_scope("conv"):
        w = tf.constant(np.full((3, 3, 1, 4), 0.1, np.float32), name="w")
        conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        h = tf.nn.relu(tf.nn.bias_add(conv, tf.constant(np.full(4, 0.1, np.float32))))
    with tf.name_scope("dense"):
        flat = tf.reshape(h, [-1, 8 * 8 * 4])
        w2 = tf.constant(np.full((256, 3), 0.01, np.float32), name="w")
        logits = tf.nn.bias_add(tf.matmul(flat, w2), tf.constant(np.ones(3, np.float32)))
    return x, logits


def test_the_two_pictures_and_the_changes_show_side_by_side():
    x, logits = _cnn()
    with v1.Session() as sess:
        view = workbench.show_optimized(sess, logits, [x], collapse=None)
    written = [node.op for node in view.written.view.nodes]
    run = [node.op for node in view.as_run.view.nodes]
    assert {"Conv2D", "BiasAdd", "Relu", "MatMul"} <= set(written)
    assert {"_FusedConv2D", "_FusedMatMul"} <= set(run) and "Conv2D" not in run
    assert [row[1] for row in view.rows()].count("fused") == 2
    page = view._repr_html_()
    assert page.count("<svg") == 2
    assert f"As written: {len(written)} ops" in page and f"As run: {len(run)} ops" in page
    assert "<td>fused</td>" in page and "conv/Relu" in page
    assert sorted(view._repr_mimebundle_()) == ["text/html", "text/plain"]
    assert view._repr_mimebundle_(exclude=["text/html"]) == {"text/plain": str(view.report)}


def test_the_pictures_are_ordinary_graph_displays():
    x, logits = _cnn()
    with v1.Session() as sess:
        view = OptimizedView(sess, logits, {x: None})
    bundle = view.as_run._repr_mimebundle_(include=[workbench.MIME_TYPE])
    assert "_FusedMatMul" in bundle[workbench.MIME_TYPE]["nodes"]["op"]
    assert view.written.view.name == "as written" and view.as_run.view.name == "as run"


def test_a_run_the_optimizer_leaves_alone_says_why():
    y = tf.negative(tf.constant(1.0, name="a"), name="y")
    with v1.Session() as sess:
        view = workbench.show_optimized(sess, y)
    assert [node.name for node in view.as_run.view.nodes] == ["a", "y"]
    assert "min_graph_nodes" in view._repr_html_() and not view.rows()
