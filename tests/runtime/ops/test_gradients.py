"""Gradients: every differentiable math and array op against finite differences, and
the ``tf.gradients`` API (grad_ys, stop_gradients, unconnected gradients, naming)."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.registry import OpDef, register_kernel, register_op
from tests.runtime.gradcheck import check_gradients

RNG = np.random.default_rng(7)


def _normal(*shape):
    return RNG.standard_normal(shape)


def _positive(*shape):
    return np.abs(RNG.standard_normal(shape)) + 0.5


def _unknown(x):
    """``x`` seen through a placeholder of unknown dims, so gradients take dynamic paths."""
    return tf.compat.v1.placeholder_with_default(x, [None] * x.shape.rank)


UNARY = {
    "negative": (tf.negative, _normal),
    "abs": (tf.abs, _positive),
    "square": (tf.square, _normal),
    "sqrt": (tf.sqrt, _positive),
    "rsqrt": (tf.math.rsqrt, _positive),
    "exp": (tf.exp, _normal),
    "log": (tf.math.log, _positive),
    "log1p": (tf.math.log1p, _positive),
    "sin": (tf.sin, _normal),
    "cos": (tf.cos, _normal),
    "tanh": (tf.tanh, _normal),
    "sigmoid": (tf.sigmoid, _normal),
    "reciprocal": (tf.math.reciprocal, _positive),
    "identity": (tf.identity, _normal),
    "cast_roundtrip": (lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64), _normal),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradients(name):
    fn, sample = UNARY[name]
    check_gradients(fn, [sample(2, 3)], rtol=1e-4, atol=1e-5)


BINARY = {
    "add": tf.add,
    "subtract": tf.subtract,
    "multiply": tf.multiply,
    "truediv": tf.truediv,
    "maximum": tf.maximum,
    "minimum": tf.minimum,
    "squared_difference": tf.math.squared_difference,
    "pow": tf.pow,
    "floormod": tf.math.floormod,
}


@pytest.mark.parametrize(
    "shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (3,))], ids=str
)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradients_sum_over_broadcast_dims(name, shapes):
    a, b = _positive(*shapes[0]) + 1.0, _positive(*shapes[1])
    if name == "floormod":
        b = b + 2.0  # keep x / y away from integers, where floormod jumps
    check_gradients(BINARY[name], [a, b], rtol=1e-4, atol=1e-5)


def test_binary_gradients_with_unknown_shapes():
    check_gradients(
        lambda a, b: _unknown(a) * _unknown(b) + _unknown(b), [_normal(2, 3), _normal(3)]
    )
    check_gradients(lambda a, b: tf.maximum(_unknown(a), b), [_normal(4, 1), _normal(1, 3)])


def test_add_n_and_select_gradients():
    check_gradients(lambda a, b: tf.add_n([a, b, a]), [_normal(2, 2), _normal(2, 2)])
    cond = np.array([[True, False, True], [False, True, False]])
    check_gradients(lambda a, b: tf.where_v2(cond, a, b), [_normal(2, 3), _normal(3)])
    check_gradients(
        lambda a, b: tf.compat.v1.where([True, False], a, b), [_normal(2, 3), _normal(2, 3)]
    )


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_gradients(transpose_a, transpose_b):
    a = _normal(3, 2) if transpose_a else _normal(2, 3)
    b = _normal(4, 3) if transpose_b else _normal(3, 4)
    check_gradients(
        lambda x, y: tf.matmul(x, y, transpose_a=transpose_a, transpose_b=transpose_b), [a, b]
    )


@pytest.mark.parametrize("adjoint", [False, True])
def test_batch_matmul_gradients_reduce_broadcast_batches(adjoint):
    a, b = _normal(2, 1, 2, 3), _normal(3, 3, 2)
    if adjoint:
        a = np.swapaxes(a, -1, -2)
    check_gradients(lambda x, y: tf.matmul(x, y, adjoint_a=adjoint), [a, b])


def test_tensordot_and_cumulative_gradients():
    check_gradients(
        lambda a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]), [_normal(2, 3, 2), _normal(2, 3, 2)]
    )
    for exclusive in (False, True):
        for reverse in (False, True):
            check_gradients(
                lambda x, e=exclusive, r=reverse: tf.cumsum(x, 1, exclusive=e, reverse=r),
                [_normal(2, 4)],
            )
            check_gradients(
                lambda x, e=exclusive, r=reverse: tf.math.cumprod(x, 0, exclusive=e, reverse=r),
                [_positive(3, 2)],
                rtol=1e-4,
            )


REDUCTIONS = {
    "sum": tf.reduce_sum,
    "mean": tf.reduce_mean,
    "max": tf.reduce_max,
    "min": tf.reduce_min,
    "prod": tf.reduce_prod,
}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 2]], ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_gradients(name, axis, keepdims):
    fn = REDUCTIONS[name]
    x = _positive(2, 3, 2)
    check_gradients(lambda t: fn(t, axis=axis, keepdims=keepdims), [x], rtol=1e-4)
    if name != "prod":
        check_gradients(lambda t: fn(_unknown(t), axis=axis, keepdims=keepdims), [x], rtol=1e-4)


def test_reduction_gradients_with_unknown_rank_and_axes():
    check_gradients(
        lambda t: tf.reduce_sum(tf.compat.v1.placeholder_with_default(t, None), [1]),
        [_normal(2, 3)],
    )

    def mean_over_fed_axes(t):
        axes = tf.compat.v1.placeholder_with_default(np.int32([0, -1]), [None])
        return tf.reduce_mean(t, axes)

    check_gradients(mean_over_fed_axes, [_normal(2, 3, 2)])


def test_prod_gradient_with_zeros():
    check_gradients(lambda t: tf.reduce_prod(t, 1), [np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]])])


ARRAY = {
    "reshape": (lambda x: tf.reshape(x, [3, -1]), (2, 3)),
    "reshape_dynamic": (lambda x: tf.reshape(_unknown(x), [-1]), (2, 3)),
    "transpose": (lambda x: tf.transpose(x, [2, 0, 1]), (2, 3, 2)),
    "transpose_default": (lambda x: tf.transpose(_unknown(x)), (2, 3, 2)),
    "expand_dims": (lambda x: tf.expand_dims(x, 1), (2, 3)),
    "squeeze": (lambda x: tf.squeeze(x, [1]), (2, 1, 3)),
    "concat": (lambda x: tf.concat([x, 2 * x, x[:, :1]], 1), (2, 3)),
    "concat_dynamic": (lambda x: tf.concat([_unknown(x), x], -1), (2, 3)),
    "stack": (lambda x: tf.stack([x, x * x], 1), (2, 3)),
    "unstack": (lambda x: tf.unstack(x, axis=1)[1:], (2, 3)),
    "split": (lambda x: tf.split(x, 3, axis=1)[:2], (2, 3)),
    "split_sizes": (lambda x: tf.split(x, [1, -1], axis=1), (2, 3)),
    "slice": (lambda x: tf.slice(x, [1, 0], [1, -1]), (3, 3)),
    "getitem": (lambda x: x[1:, ::-2, None], (3, 4)),
    "getitem_shrink": (lambda x: x[..., 1], (2, 3, 2)),
    "gather": (lambda x: tf.gather(x, [[2, 0], [2, 2]]), (3, 2)),
    "gather_axis": (lambda x: tf.gather(x, [1, 1, 0], axis=1), (2, 3, 2)),
    "gather_nd": (lambda x: tf.gather_nd(x, [[1, 0], [1, 0], [0, 2]]), (2, 3)),
    "tile": (lambda x: tf.tile(x, [2, 3]), (2, 3)),
    "tile_dynamic": (lambda x: tf.tile(_unknown(x), [1, 2]), (2, 3)),
    "pad": (lambda x: tf.pad(x, [[1, 0], [2, 1]]), (2, 3)),
    "pad_value": (lambda x: tf.pad(x, [[1, 0], [2, 1]], constant_values=3.0), (2, 3)),
    "pad_reflect": (lambda x: tf.pad(x, [[1, 2], [2, 1]], "REFLECT"), (4, 3)),
    "pad_symmetric": (lambda x: tf.pad(x, [[2, 1], [3, 0]], "SYMMETRIC"), (3, 3)),
    "reverse": (lambda x: tf.reverse(x, [0, 1]), (2, 3)),
    "broadcast_to": (lambda x: tf.broadcast_to(x, [4, 2, 3]), (2, 1)),
    "boolean_mask": (lambda x: tf.boolean_mask(x, [True, False, True]), (3, 2)),
    "segment_sum": (lambda x: tf.math.unsorted_segment_sum(x, [0, 2, 0, -1], 3), (4, 2)),
    "fill": (lambda x: tf.fill([2, 3], x), ()),
}


@pytest.mark.parametrize("name", sorted(ARRAY))
def test_array_gradients(name):
    fn, shape = ARRAY[name]
    check_gradients(fn, [_normal(*shape)])


def test_scatter_nd_gradient_flows_to_updates():
    check_gradients(lambda u: tf.scatter_nd([[1], [3], [1]], u, [5, 2]), [_normal(3, 2)])


def test_second_order_gradients():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.constant([1.0, -2.0], tf.float64)
        (dx,) = tf.gradients(tf.reduce_sum(x**3), [x])
        (ddx,) = tf.gradients(tf.reduce_sum(dx), [x])
        np.testing.assert_allclose(sess.run([dx, ddx]), [[3.0, 12.0], [6.0, -12.0]])


# -- the gradients() API -----------------------------------------------------------------------


def test_names_follow_tf(graph):
    a = tf.compat.v1.placeholder(tf.float32, [2, 3], name="a")
    b = tf.compat.v1.placeholder(tf.float32, [3], name="b")
    y = tf.reduce_sum(a * b + a)
    ga, gb = tf.gradients(y, [a, b])
    assert ga.name == "gradients/AddN:0" and gb.name == "gradients/mul_grad/Reshape:0"
    names = {op.name for op in graph.get_operations()}
    assert {"gradients/grad_ys_0", "gradients/Sum_grad/Reshape", "gradients/mul_grad/Mul"} <= names
    (again,) = tf.gradients(y, [b])
    assert again.name.startswith("gradients_1/")


def test_grad_ys_weight_the_ys_and_multiple_ys_sum(sess):
    x = tf.constant([1.0, 2.0])
    y1, y2 = x * 3.0, tf.square(x)
    (g,) = tf.compat.v1.gradients([y1, y2], [x], grad_ys=[tf.constant([1.0, 0.0]), [2.0, 2.0]])
    np.testing.assert_allclose(sess.run(g), [3 + 4, 0 + 8])
    with pytest.raises(ValueError, match="Passed 1 grad_ys for 2 ys"):
        tf.gradients([y1, y2], [x], grad_ys=[x])


def test_stop_gradients_and_stop_gradient_op(sess):
    a = tf.constant(2.0)
    b = a * 3.0
    c = a + b
    ga, gb = tf.gradients(c, [a, b], stop_gradients=[a, b])
    assert sess.run([ga, gb]) == [1.0, 1.0]  # b is held constant: nothing flows through it to a
    (free,) = tf.gradients(c, [a])
    assert sess.run(free) == 4.0
    (held,) = tf.gradients(a * tf.stop_gradient(a), [a])
    assert sess.run(held) == 2.0


def test_unconnected_gradients(sess):
    x, y = tf.constant([1.0, 2.0]), tf.constant(3.0)
    z = y * 2.0
    assert tf.gradients(z, [x]) == [None]
    (zero,) = tf.gradients(z, [x], unconnected_gradients="zero")
    np.testing.assert_array_equal(sess.run(zero), [0.0, 0.0])
    (enum_zero,) = tf.gradients(z, [x], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert enum_zero.shape == (2,)


def test_integer_and_non_differentiable_paths_give_none(sess):
    x = tf.constant([[1.0, 5.0], [3.0, 2.0]])
    assert tf.gradients(tf.cast(tf.argmax(x, 1), tf.float32), [x]) == [None]
    assert tf.gradients(tf.cast(tf.shape(x), tf.float32), [x]) == [None]
    assert tf.gradients(tf.round(x), [x]) == [None]


def test_gradient_with_respect_to_an_intermediate(sess):
    x = tf.constant(3.0)
    h = x * x
    y = h * 4.0
    gh, gx = tf.gradients(y, [h, x])
    assert sess.run([gh, gx]) == [4.0, 24.0]


_NO_GRAD = register_op(
    OpDef("TestOpWithoutGradient", ("x: T",), ("y: T",), ("T: type",), shape_fn=lambda x, T: [x])
)


@register_kernel("TestOpWithoutGradient")
def _no_grad_kernel(x, T):
    return (x,)


def test_missing_gradient_function_names_the_op(graph):
    from runtime.ops.core import apply_op

    x = tf.constant(1.0)
    y = apply_op(_NO_GRAD, [x], "mystery").outputs[0]
    with pytest.raises(
        LookupError,
        match=r"No gradient defined for operation 'mystery' \(op type: TestOpWithoutGradient\)",
    ):
        tf.gradients(y * 2.0, [x])


def test_gate_and_colocate_options(graph, sess):
    with tf.device("/cpu:0"):
        a = tf.constant([[1.0, 2.0]])
        b = tf.constant([[3.0], [4.0]])
        y = tf.matmul(a, b)
    ga, gb = tf.compat.v1.gradients(
        y, [a, b], colocate_gradients_with_ops=True, gate_gradients=True
    )
    assert ga.op.type == "Identity" and ga.op.control_inputs
    assert ga.device == "/device:CPU:0"
    np.testing.assert_allclose(sess.run(ga), [[3.0, 4.0]])
    np.testing.assert_allclose(sess.run(gb), [[1.0], [2.0]])


def test_grad_ys_dtype_must_match(graph):
    x = tf.constant([1.0])
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
        tf.gradients(x * 2.0, [x], grad_ys=[tf.constant([1], tf.int32)])


def test_the_gradient_of_a_variable_sums_over_all_its_reads():
    # As TF: tf.gradients takes a variable as its reference (v:0), not v/read.
    with tf.Graph().as_default():
        v = tf.Variable(3.0)
        inc = tf.compat.v1.assign_add(v, 10.0)
        y = v.read_value() * 2.0 + v * 1.0
        with tf.control_dependencies([inc]):
            z = v * 5.0
        (grad,) = tf.gradients([y, z], v)
        (through_snapshot,) = tf.gradients([y, z], v.value())
        with tf.compat.v1.Session() as sess:
            sess.run(v.initializer)
            assert sess.run([grad, through_snapshot]) == [8.0, 1.0]  # TF 2.21: 8.0


def test_holding_a_variable_constant_stops_at_the_variable_not_at_its_read():
    # TF 2.21: stop_gradients=[a] leaves a's own gradient, and b's is taken with a constant.
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0])
        b = tf.Variable(3.0)
        loss = tf.reduce_sum(a * a * b)
        grads = tf.gradients(loss, [a, b], stop_gradients=[a])
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            got_a, got_b = sess.run(grads)
    np.testing.assert_array_equal(got_a, [6.0, 12.0])
    assert got_b == 5.0
