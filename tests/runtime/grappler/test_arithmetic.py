"""Arithmetic simplification: the graph before and after, and equal results."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

from .compare import assert_same, both, ops, types

v1 = tf.compat.v1


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * 1.0,
        lambda x: 1.0 * x,
        lambda x: x / 1.0,
        lambda x: x + 0.0,
        lambda x: 0.0 + x,
        lambda x: x - 0.0,
        lambda x: x * tf.ones([3]),
        lambda x: tf.nn.bias_add(x, tf.zeros([3])),
        # tf.cast to x's own type returns x; an imported graph may hold the op.
        lambda x: x.graph.create_op("Cast", [x], attrs={"DstT": tf.float32}).outputs[0],
        lambda x: tf.tile(x, [1, 1]),
    ],
    ids=["x*1", "1*x", "x/1", "x+0", "0+x", "x-0", "x*ones", "bias0", "cast", "tile1"],
)
def test_a_neutral_op_is_dropped_and_its_reader_reads_x(build):
    x = v1.placeholder(tf.float32, [2, 3], name="x")
    y = tf.negative(build(x), name="y")
    value = np.array([[1.0, -0.0, 2.5], [np.inf, -3.0, np.nan]], np.float32)
    before, after, written, ran = both(y, {x: value})
    assert len(ops(before)) > 2
    assert ops(after) == [("x", "Placeholder"), ("y", "Neg")]
    assert after.report.by_kind("simplified")
    assert_same(written, ran)


def test_a_constant_that_broadcasts_x_to_a_bigger_shape_stays():
    x = v1.placeholder(tf.float32, [3], name="x")
    y = tf.negative(x * tf.ones([2, 3]), name="y")
    _, after, written, ran = both(y, {x: [1.0, 2.0, 3.0]})
    assert "Mul" in types(after) and ran.shape == (2, 3)
    assert_same(written, ran)


def test_transposes_that_cancel_go_and_others_stay():
    x = v1.placeholder(tf.float32, [2, 3, 4], name="x")
    cancel = tf.transpose(tf.transpose(x, [1, 2, 0]), [2, 0, 1])
    keep = tf.transpose(tf.transpose(x, [1, 2, 0]), [1, 0, 2])
    y = tf.negative(cancel, name="y")
    z = tf.negative(keep, name="z")
    value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    before, after, written, ran = both([y, z], {x: value})
    assert types(before).count("Transpose") == 4
    assert [r[0].op.name for r in [after.as_run(y).op.inputs]] == ["x"]
    assert types(after).count("Transpose") == 2
    assert_same(written, ran)


def test_a_reshape_chain_becomes_one_reshape_and_a_reshape_to_itself_goes():
    x = v1.placeholder(tf.float32, [2, 6], name="x")
    chain = tf.reshape(tf.reshape(tf.reshape(x, [3, 4]), [12]), [4, 3])
    back = tf.reshape(tf.reshape(x, [12]), [2, 6])
    y = tf.negative(chain, name="y")
    z = tf.negative(back, name="z")
    value = np.arange(12, dtype=np.float32).reshape(2, 6)
    before, after, written, ran = both([y, z], {x: value})
    assert types(before).count("Reshape") == 5
    assert types(after).count("Reshape") == 1
    assert after.as_run(y).op.inputs[0].op.inputs[0].op.name == "x"
    assert after.as_run(z).op.inputs[0].op.name == "x"
    assert_same(written, ran)


def test_double_negation_goes():
    x = v1.placeholder(tf.float32, [2], name="x")
    b = v1.placeholder(tf.bool, [2], name="b")
    y = tf.abs(tf.negative(tf.negative(x)), name="y")
    z = tf.logical_and(tf.logical_not(tf.logical_not(b)), b, name="z")
    _, after, written, ran = both([y, z], {x: [1.0, -2.0], b: [True, False]})
    assert "Neg" not in types(after) and "LogicalNot" not in types(after)
    assert_same(written, ran)


def test_an_op_with_a_control_input_is_kept():
    x = v1.placeholder(tf.float32, [2], name="x")
    v = v1.Variable([0.0, 0.0], name="v")
    update = v.assign_add([1.0, 1.0])
    with tf.control_dependencies([update]):
        y = tf.multiply(x, 1.0, name="y")
    z = tf.negative(y, name="z")
    with v1.Session() as sess:
        sess.run(v.initializer)
        after = sess.optimized_graph(z, [x])
        assert ("y", "Mul") in ops(after)
        sess.run(z, {x: [1.0, 2.0]})
        assert list(sess.run(v)) == [1.0, 1.0]


def _relu_pool_gradient(ksize, strides, padding):
    """x -> ReLU -> max pool -> loss, and the loss's gradient for x (ReluGrad reading
    MaxPoolGrad, as tf.gradients builds it)."""
    x = v1.placeholder(tf.float32, [2, 5, 6, 3], name="x")
    g = v1.placeholder(tf.float32, [2, 5, 6, 3], name="g")
    relu = tf.nn.relu(x)
    pooled = tf.nn.max_pool2d(relu, ksize, strides, padding)
    (grad,) = tf.gradients(pooled, x, grad_ys=tf.nn.max_pool2d(g, ksize, strides, padding))
    return x, g, tf.identity(grad, name="dx")


@pytest.mark.parametrize(
    "ksize, strides, padding", [(2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME")]
)
def test_a_relu_gradient_masks_the_pooled_gradient_before_the_max_pool_gradient(
    ksize, strides, padding
):
    # Overlapping windows (3 by 2 or by 1) route several gradients to one cell; ties at
    # 0 (half the ReLU's outputs) and a NaN and infinities in the gradient: the same
    # result to the bit as the ReLU gradient after the max-pool gradient.
    x, g, dx = _relu_pool_gradient(ksize, strides, padding)
    rng = np.random.default_rng(0)
    g_value = rng.standard_normal(g.shape.as_list()).astype(np.float32)
    g_value[0, 0, 0, 0], g_value[1, 2, 2, 1], g_value[1, 4, 5, 2] = np.nan, np.inf, -np.inf
    feeds = {x: rng.standard_normal(x.shape.as_list()).astype(np.float32), g: g_value}
    before, after, written, ran = both(dx, feeds)
    assert types(before).index("MaxPoolGrad") < types(before).index("ReluGrad")
    routed = after.as_run(dx).op.inputs[0].op
    assert routed.type == "MaxPoolGrad" and routed.inputs[2].op.type == "ReluGrad"
    assert routed.inputs[2].shape == routed.inputs[1].shape  # on the pooled values
    assert after.report.by_kind("simplified")
    np.testing.assert_array_equal(ran, written)


def test_a_max_pool_gradient_of_other_pooled_values_keeps_its_relu_gradient_after():
    # MaxPoolGrad fed pooled values that are not the max pool of the ReLU's output (here
    # of another tensor): the mask cannot move.
    x = v1.placeholder(tf.float32, [1, 4, 4, 1], name="x")
    relu = tf.nn.relu(x)
    other = tf.nn.max_pool2d(-x, 2, 2, "VALID")  # positive where the ReLU is 0
    routed = x.graph.create_op(
        "MaxPoolGrad",
        [relu, other, tf.ones([1, 2, 2, 1])],
        attrs={"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": b"VALID"},
    ).outputs[0]
    dx = x.graph.create_op("ReluGrad", [routed, relu]).outputs[0]
    y = tf.identity(dx, name="y")
    value = np.arange(-8, 8, dtype=np.float32).reshape(1, 4, 4, 1)
    _, after, written, ran = both(y, {x: value})
    assert after.as_run(y).op.inputs[0].op.type == "ReluGrad"
    np.testing.assert_array_equal(ran, written)
