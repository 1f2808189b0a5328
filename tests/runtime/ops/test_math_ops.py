"""Math ops: static shapes equal run-time shapes, values match numpy, TF's dtype rules
and build-time errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import runtime as tf
from runtime.errors import InvalidArgumentError

RNG = np.random.default_rng(1234)


def _check(sess, tensor, expected, feed=None, rtol=1e-6):
    """The static shape fits the value, the dtype matches, the value matches numpy."""
    value = np.asarray(sess.run(tensor, feed))
    expected = np.asarray(expected)
    assert tensor.shape.is_compatible_with(value.shape), (tensor.shape, value.shape)
    assert value.dtype == expected.dtype, (value.dtype, expected.dtype)
    np.testing.assert_allclose(value, expected, rtol=rtol, equal_nan=True)
    return value


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


UNARY = [
    (tf.negative, np.negative, None),
    (tf.abs, np.abs, None),
    (tf.sign, np.sign, None),
    (tf.square, np.square, None),
    (tf.sqrt, np.sqrt, "positive"),
    (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), "positive"),
    (tf.exp, np.exp, None),
    (tf.math.log, np.log, "positive"),
    (tf.math.log1p, np.log1p, "positive"),
    (tf.sin, np.sin, None),
    (tf.cos, np.cos, None),
    (tf.tanh, np.tanh, None),
    (tf.sigmoid, _sigmoid, None),
    (tf.round, np.rint, None),
    (tf.floor, np.floor, None),
    (tf.math.ceil, np.ceil, None),
    (tf.math.reciprocal, np.reciprocal, "positive"),
]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3)]


def _sample(shape, domain=None, dtype=np.float64):
    values = RNG.standard_normal(shape) * 2
    if domain == "positive":
        values = np.abs(values) + 0.1
    return values.astype(dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("fn", "ref", "domain"), UNARY, ids=[f.__name__ for f, _, _ in UNARY])
def test_unary_matches_numpy(sess, fn, ref, domain, shape):
    x = _sample(shape, domain)
    known = tf.compat.v1.placeholder(tf.float64, shape)
    out = fn(known)
    assert out.shape == shape and out.dtype == tf.float64
    _check(sess, out, ref(x), {known: x})
    unknown = tf.compat.v1.placeholder(tf.float64, [None] * len(shape))
    assert fn(unknown).shape.as_list() == [None] * len(shape)
    _check(sess, fn(unknown), ref(x), {unknown: x})


@pytest.mark.parametrize(("fn", "ref", "domain"), UNARY[:4], ids=["neg", "abs", "sign", "square"])
def test_unary_on_int32_keeps_dtype(sess, fn, ref, domain):
    x = np.array([-3, 0, 5], np.int32)
    _check(sess, fn(tf.constant(x)), ref(x))


def test_round_is_half_to_even_and_passes_ints_through(sess):
    _check(sess, tf.round([0.5, 1.5, 2.5, -0.5, -1.5]), np.float32([0, 2, 2, -0, -2]))
    ints = tf.constant([1, 2])
    assert tf.round(ints) is ints


@pytest.mark.parametrize("fn", [tf.sqrt, tf.exp, tf.math.log, tf.sin, tf.tanh, tf.sigmoid])
def test_float_only_ops_reject_ints(graph, fn):
    with pytest.raises(
        TypeError,
        match=re.escape(
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128"
        ),
    ):
        fn(tf.constant([1, 2]))


BINARY = [
    (tf.add, np.add),
    (tf.subtract, np.subtract),
    (tf.multiply, np.multiply),
    (tf.maximum, np.maximum),
    (tf.minimum, np.minimum),
    (tf.math.squared_difference, lambda x, y: (x - y) ** 2),
    (tf.pow, np.power),
    (tf.math.floordiv, lambda x, y: np.floor(x / y)),
    (tf.math.floormod, np.mod),
    (tf.truediv, np.true_divide),
    (tf.divide, np.true_divide),
]
BROADCASTS = [((2, 3), (3,)), ((2, 1), (1, 4)), ((), (3,)), ((0, 3), (1, 3)), ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize(("a_shape", "b_shape"), BROADCASTS)
@pytest.mark.parametrize(("fn", "ref"), BINARY, ids=[f.__name__ for f, _ in BINARY])
def test_binary_broadcasts_like_numpy(sess, fn, ref, a_shape, b_shape):
    a, b = _sample(a_shape, "positive"), _sample(b_shape, "positive")
    pa = tf.compat.v1.placeholder(tf.float64, a_shape)
    pb = tf.compat.v1.placeholder(tf.float64, b_shape)
    out = fn(pa, pb)
    assert out.shape == np.broadcast_shapes(a_shape, b_shape)
    _check(sess, out, ref(a, b), {pa: a, pb: b})
    ua = tf.compat.v1.placeholder(tf.float64, [None] * len(a_shape))
    _check(sess, fn(ua, pb), ref(a, b), {ua: a, pb: b})


def test_adding_strings_concatenates_them_with_tf1s_add_op(sess):
    # As TF 2.21: AddV2 takes no strings, so add builds TF1's Add for them.
    z = tf.constant(["a", "b"]) + "z"
    fed = tf.compat.v1.placeholder(tf.string, [None])
    w = tf.add(fed, tf.constant(["q"]))
    assert (z.op.type, z.op.name, z.op.inputs[1].op.name) == ("Add", "add", "add/y")
    assert (w.op.type, w.op.name) == ("Add", "Add_1")  # names are unique ignoring case
    assert tf.add(1.0, 2.0).op.type == "AddV2"
    got = sess.run([z, w, tf.constant("p") + tf.constant("q")], {fed: [b"x", b"y"]})
    assert [list(got[0]), list(got[1]), got[2]] == [[b"az", b"bz"], [b"xq", b"yq"], b"pq"]


def test_tf1_graphs_add_op_adds_numbers_and_has_a_gradient():
    # GraphDefs from TF 1.x write Add where TF 2 writes AddV2.
    from runtime.graph_def import GraphDef, NodeDef, attr_value

    def node(name, op, inputs=(), **attrs):
        return NodeDef(name, op, list(inputs), "", {k: attr_value(v) for k, v in attrs.items()})

    graph_def = GraphDef(
        [
            node("x", "Placeholder", dtype=tf.float32),
            node("y", "Placeholder", dtype=tf.float32),
            node("total", "Add", ["x", "y"], T=tf.float32),
        ]
    )
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        x, y, total = (graph.get_tensor_by_name(f"{name}:0") for name in ("x", "y", "total"))
        assert total.op.type == "Add"
        grads = tf.gradients(total, [x, y])
        with tf.compat.v1.Session() as sess:
            values = sess.run([total, *grads], {x: [1.0, 2.0], y: [10.0]})
    np.testing.assert_array_equal(values[0], [11.0, 12.0])
    np.testing.assert_array_equal(values[1], [1.0, 1.0])
    np.testing.assert_array_equal(values[2], [2.0])


@settings(deadline=None, max_examples=25)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_broadcast_shape_inference_matches_numpy(shapes):
    (a_shape, b_shape), result = shapes.input_shapes, shapes.result_shape
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        a = tf.compat.v1.placeholder(tf.float32, a_shape)
        b = tf.compat.v1.placeholder(tf.float32, b_shape)
        out = a * b + a
        assert out.shape == result
        rng = np.random.default_rng(0)
        a_value = rng.standard_normal(a_shape).astype(np.float32)
        b_value = rng.standard_normal(b_shape).astype(np.float32)
        _check(sess, out, a_value * b_value + a_value, {a: a_value, b: b_value})


def test_integer_division_rules(sess):
    x, y = tf.constant([7, -7, 7, -7]), tf.constant([2, 2, -2, -2])
    _check(sess, tf.math.floordiv(x, y), np.int32([3, -4, -4, 3]))
    _check(sess, tf.math.floormod(x, y), np.int32([1, 1, -1, -1]))
    _check(sess, x // y, np.int32([3, -4, -4, 3]))
    _check(sess, x % y, np.int32([1, 1, -1, -1]))
    _check(sess, tf.compat.v1.div(x, y), np.int32([3, -4, -4, 3]))
    _check(sess, tf.realdiv(x, y), np.int32([3, -3, -3, 3]))
    q = x / y  # true division of ints computes in float64, as Python 3
    assert q.dtype == tf.float64 and q.op.type == "RealDiv"
    _check(sess, q, np.array([3.5, -3.5, -3.5, 3.5]))
    small = tf.constant([1, 2], tf.int16) / tf.constant([2, 2], tf.int16)
    assert small.dtype == tf.float32


def test_integer_division_by_zero_is_an_invalid_argument(sess):
    with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
        sess.run(tf.math.floordiv(tf.constant([1]), tf.constant([0])))


def test_integer_pow_rejects_negative_exponents(sess):
    _check(sess, tf.pow(tf.constant([2, 3]), 3), np.int32([8, 27]))
    with pytest.raises(InvalidArgumentError, match="negative integer powers"):
        sess.run(tf.pow(tf.constant([2]), tf.constant([-1])))


def test_mixed_dtypes_are_rejected_with_tfs_message(graph):
    with pytest.raises(
        TypeError,
        match=re.escape(
            "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'."
        ),
    ):
        tf.add(tf.constant([1.0]), tf.constant([1]))


def test_python_operands_take_the_tensors_dtype_and_scope(graph):
    x = tf.constant([1.0, 2.0], tf.float64)
    y = x * 2
    assert y.dtype == tf.float64 and y.op.name == "mul"
    assert [t.op.name for t in y.op.inputs] == ["Const", "mul/y"]
    z = 3 - x
    assert z.op.name == "sub" and z.op.inputs[0].op.name == "sub/x"


def test_build_time_broadcast_error_names_op_and_shapes(graph):
    a = tf.compat.v1.placeholder(tf.float32, [2, 3])
    b = tf.compat.v1.placeholder(tf.float32, [4, 5])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Dimensions must be equal, but are 2 and 4 for '{{node Add}} = AddV2[T=DT_FLOAT]"
            "(Placeholder, Placeholder_1)' with input shapes: [2,3], [4,5]."
        ),
    ):
        tf.add(a, b)


def test_operator_overloads(sess):
    a, b = tf.constant([1.0, 4.0]), tf.constant([2.0, 2.0])
    cases = {
        a + b: [3, 6],
        a - b: [-1, 2],
        a * b: [2, 8],
        a / b: [0.5, 2],
        a // b: [0, 2],
        a % b: [1, 0],
        a**b: [1, 16],
        -a: [-1, -4],
        abs(-a): [1, 4],
    }
    for tensor, expected in cases.items():
        _check(sess, tensor, np.float32(expected))
    comparisons = {
        a < b: [True, False],
        a <= b: [True, False],
        a > b: [False, True],
        a >= b: [False, True],
    }
    for tensor, expected in comparisons.items():
        _check(sess, tensor, np.array(expected))
    t, f = tf.constant([True, True]), tf.constant([True, False])
    for tensor, expected in {t & f: [1, 0], t | f: [1, 1], t ^ f: [0, 1], ~f: [0, 1]}.items():
        _check(sess, tensor, np.array(expected, bool))
    m = tf.constant([[1.0, 2.0]]) @ tf.constant([[3.0], [4.0]])
    _check(sess, m, np.float32([[11]]))


COMPARISONS = [
    (tf.equal, np.equal),
    (tf.not_equal, np.not_equal),
    (tf.less, np.less),
    (tf.less_equal, np.less_equal),
    (tf.greater, np.greater),
    (tf.greater_equal, np.greater_equal),
]


@pytest.mark.parametrize(("fn", "ref"), COMPARISONS, ids=[f.__name__ for f, _ in COMPARISONS])
def test_comparisons(sess, fn, ref):
    a = RNG.integers(0, 3, (2, 3)).astype(np.int32)
    b = RNG.integers(0, 3, (3,)).astype(np.int32)
    out = fn(a, b)
    assert out.dtype == tf.bool and out.shape == (2, 3)
    _check(sess, out, ref(a, b))


def test_equal_works_on_strings_and_logic_needs_bools(sess):
    _check(sess, tf.equal(["a", "b"], "a"), np.array([True, False]))
    _check(
        sess,
        tf.math.logical_xor([True, False, True], [True, True, False]),
        np.array([False, True, True]),
    )
    with pytest.raises(
        TypeError,
        match=re.escape(
            "Input 'x' of 'LogicalAnd' Op has type float32 that does not match expected type "
            "of bool."
        ),
    ):
        tf.logical_and(tf.constant([1.0]), tf.constant([1.0]))


def test_run_time_shape_mismatch(sess):
    a = tf.compat.v1.placeholder(tf.float32, [None])
    with pytest.raises(InvalidArgumentError, match=re.escape("Incompatible shapes: [2] vs. [3]")):
        sess.run(a + tf.constant([1.0, 2.0, 3.0]), {a: [1.0, 2.0]})


def test_add_n(sess):
    xs = [_sample((2, 3)) for _ in range(3)]
    out = tf.add_n([tf.constant(x) for x in xs])
    assert out.op.type == "AddN" and out.shape == (2, 3)
    _check(sess, out, sum(xs))
    single = tf.add_n([tf.constant(1.0)])
    assert single.op.type == "Identity"
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.add_n([])
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        tf.add_n([tf.zeros([2]), tf.zeros([3])])


# -- matmul, tensordot, cumsum ------------------------------------------------------------


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_transposes(sess, transpose_a, transpose_b):
    a, b = _sample((3, 2)), _sample((2, 4))
    a_in = a.T if transpose_a else a
    b_in = b.T if transpose_b else b
    out = tf.matmul(a_in, b_in, transpose_a=transpose_a, transpose_b=transpose_b)
    assert out.op.type == "MatMul" and out.shape == (3, 4)
    _check(sess, out, a @ b)
    adj = tf.matmul(a_in, b_in, adjoint_a=transpose_a, adjoint_b=transpose_b)
    _check(sess, adj, a @ b)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (7, 3, 4)), ((2, 3), (6, 3, 4)), ((0, 2, 3), (3, 1))],
)
def test_batched_matmul_broadcasts(sess, a_shape, b_shape):
    a, b = _sample(a_shape), _sample(b_shape)
    out = tf.matmul(a, b)
    assert out.op.type == "BatchMatMulV2" and out.shape == np.matmul(a, b).shape
    _check(sess, out, np.matmul(a, b))
    swapped = tf.matmul(np.swapaxes(a, -1, -2), b, transpose_a=True)
    _check(sess, swapped, np.matmul(a, b))


def test_matmul_errors_match_tf(graph, sess):
    a = tf.compat.v1.placeholder(tf.float32, [2, 3])
    b = tf.compat.v1.placeholder(tf.float32, [4, 5])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Dimensions must be equal, but are 3 and 4 for '{{node MatMul}} = MatMul[T=DT_FLOAT, "
            "grad_a=false, grad_b=false, transpose_a=false, transpose_b=false](Placeholder, "
            "Placeholder_1)' with input shapes: "
            "[2,3], [4,5]."
        ),
    ):
        tf.matmul(a, b)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.compat.v1.matmul(a, tf.compat.v1.placeholder(tf.float32, [3]))
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a"):
        tf.matmul(a, a, transpose_a=True, adjoint_a=True)
    u = tf.compat.v1.placeholder(tf.float32, [None, None])
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape("Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]"),
    ):
        sess.run(tf.matmul(u, u), {u: np.ones((2, 3))})


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "axes"),
    [
        ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
        ((3, 4), (4, 2), 1),
        ((2, 3), (4,), 0),
        ((2, 3), (3, 2), [[0, 1], [1, 0]]),
    ],
)
def test_tensordot(sess, a_shape, b_shape, axes):
    a, b = _sample(a_shape), _sample(b_shape)
    out = tf.tensordot(a, b, axes)
    expected = np.tensordot(a, b, axes)
    assert out.shape == expected.shape
    _check(sess, out, expected)
    pa = tf.compat.v1.placeholder(tf.float64, [None] * len(a_shape))
    dynamic = tf.tensordot(pa, b, axes)
    _check(sess, dynamic, expected, {pa: a})


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum(sess, exclusive, reverse, axis):
    x = RNG.integers(-5, 5, (3, 4)).astype(np.int32)
    values = np.flip(x, axis) if reverse else x
    expected = np.cumsum(values, axis)
    if exclusive:
        expected = expected - values
    expected = np.flip(expected, axis) if reverse else expected
    out = tf.cumsum(x, axis=axis, exclusive=exclusive, reverse=reverse)
    assert out.shape == (3, 4)
    _check(sess, out, expected.astype(np.int32))


# -- reductions -------------------------------------------------------------------------------

REDUCTIONS = [
    (tf.reduce_sum, np.sum),
    (tf.reduce_mean, np.mean),
    (tf.reduce_max, np.max),
    (tf.reduce_min, np.min),
    (tf.reduce_prod, np.prod),
]
AXES = [None, 0, -1, [0, 2], [], (1,), [-3, 1]]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list | tuple) else axis


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize(("fn", "ref"), REDUCTIONS, ids=[f.__name__ for f, _ in REDUCTIONS])
def test_reductions_match_numpy(sess, fn, ref, axis, keepdims):
    x = _sample((2, 3, 4))
    expected = ref(x, axis=_np_axis(axis), keepdims=keepdims)
    out = fn(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    _check(sess, out, expected, rtol=1e-5)
    unknown = tf.compat.v1.placeholder(tf.float64, None)
    loose = fn(unknown, axis=axis, keepdims=keepdims)
    if axis is None and not keepdims:
        assert loose.shape == ()
    _check(sess, loose, expected, {unknown: x}, rtol=1e-5)


def test_reductions_of_empty_and_integer_inputs(sess):
    empty = np.zeros((0, 3), np.float32)
    _check(sess, tf.reduce_sum(empty, 0), np.zeros(3, np.float32))
    _check(sess, tf.reduce_max(empty, 0), np.full(3, -np.inf, np.float32))
    _check(sess, tf.reduce_prod(empty, 0), np.ones(3, np.float32))
    _check(sess, tf.reduce_mean([[-3, 4]], 1), np.int32([0]))  # truncated toward zero
    _check(sess, tf.reduce_max([[1, 7], [3, 2]], 0), np.int32([3, 7]))
    _check(sess, tf.reduce_all([[True, False], [True, True]], 1), np.array([False, True]))
    _check(sess, tf.reduce_any([[True, False], [False, False]], 1), np.array([True, False]))


def test_v1_reduction_aliases(sess):
    x = np.ones((2, 3), np.float32)
    out = tf.compat.v1.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    assert out.shape == (2, 1)
    _check(sess, out, np.full((2, 1), 3, np.float32))
    with pytest.raises(ValueError, match="Cannot specify both 'reduction_indices' and 'axis'"):
        tf.compat.v1.reduce_sum(x, axis=0, reduction_indices=0)


def test_reduction_errors(graph, sess):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Invalid reduction dimension 5 for input with 2 dimensions for '{{node Sum}} = Sum"
        ),
    ):
        tf.reduce_sum(tf.zeros([2, 3]), 5)
    axis = tf.compat.v1.placeholder(tf.int32, [])
    out = tf.reduce_sum(tf.zeros([2, 3]), axis)
    assert out.shape == tf.TensorShape(None)
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape("Invalid reduction dimension (4 for input with 2 dimension(s)"),
    ):
        sess.run(out, {axis: 4})
    kept = tf.reduce_sum(tf.zeros([2, 3]), axis, keepdims=True)
    assert kept.shape.as_list() == [None, None]


@pytest.mark.parametrize(("fn", "ref"), [(tf.argmax, np.argmax), (tf.argmin, np.argmin)])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax_argmin(sess, fn, ref, axis):
    x = RNG.integers(0, 3, (4, 5)).astype(np.float32)  # ties: the first index wins
    out = fn(x, axis=axis)
    expected = ref(x, axis=0 if axis is None else axis)
    assert out.dtype == tf.int64 and out.shape == expected.shape
    _check(sess, out, expected.astype(np.int64))
    narrow = fn(x, axis=axis, output_type=tf.int32)
    _check(sess, narrow, expected.astype(np.int32))


def test_argmax_v1_dimension_and_errors(graph, sess):
    x = tf.constant([[1, 5], [7, 2]])
    _check(sess, tf.compat.v1.argmax(x, dimension=1), np.int64([1, 0]))
    with pytest.raises(
        ValueError, match=re.escape("Expected dimension in the range [-2, 2), but got 2")
    ):
        tf.argmax(x, 2)
    with pytest.raises(
        InvalidArgumentError, match=re.escape("Reduction axis 0 is empty in shape [0]")
    ):
        sess.run(tf.argmax(tf.zeros([0])))


# -- where, cast, range, linspace -------------------------------------------------------------


def test_where_v2_broadcasts_and_one_arg_gives_indices(sess):
    cond = np.array([[True, False, True]])
    x, y = _sample((2, 1)), _sample((3,))
    out = tf.where_v2(cond, x, y)
    assert out.op.type == "SelectV2" and out.shape == (2, 3)
    _check(sess, out, np.where(cond, x, y))
    indices = tf.where_v2([[True, False], [False, True]])
    assert indices.dtype == tf.int64 and indices.shape.as_list() == [None, 2]
    _check(sess, indices, np.int64([[0, 0], [1, 1]]))
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        tf.where_v2(cond, x)


def test_where_v1_picks_rows_with_a_vector_condition(sess):
    x, y = np.ones((3, 2), np.float32), np.zeros((3, 2), np.float32)
    out = tf.compat.v1.where([True, False, True], x, y)
    assert out.op.type == "Select" and out.shape == (3, 2)
    _check(sess, out, np.float32([[1, 1], [0, 0], [1, 1]]))
    _check(sess, tf.compat.v1.where([[True], [False]]), np.int64([[0, 0]]))


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1.7, -1.7, 0.0], tf.int32, np.int32([1, -1, 0])),
        ([0.0, 2.5], tf.bool, np.array([False, True])),
        ([True, False], tf.float32, np.float32([1, 0])),
        ([300], tf.uint8, np.uint8([44])),
        (np.array([1 + 2j]), tf.float64, np.array([1.0])),
    ],
)
def test_cast(sess, values, dtype, expected):
    out = tf.cast(values, dtype)
    assert out.dtype == dtype
    _check(sess, out, expected)


def test_cast_to_same_dtype_adds_no_op(graph):
    x = tf.constant([1.0])
    assert tf.cast(x, tf.float32) is x
    with pytest.raises(TypeError, match="Cast string to float32 is not supported"):
        tf.cast(tf.constant(["a"]), tf.float32)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((5,), {}),
        ((2, 10, 3), {}),
        ((10, 2, -3), {}),
        ((0.0, 1.0, 0.3), {}),
        ((3,), {"dtype": tf.float64}),
        ((1, 2.5, 0.5), {}),
    ],
)
def test_range(sess, args, kwargs):
    out = tf.range(*args, **kwargs)
    expected = np.arange(*args)
    dtype = kwargs.get("dtype", tf.float32 if expected.dtype.kind == "f" else tf.int32)
    assert out.dtype == dtype and out.shape == expected.shape
    _check(sess, out, expected.astype(dtype.as_numpy_dtype), rtol=1e-6)


def test_range_errors_and_unknown_limit(graph, sess):
    with pytest.raises(ValueError, match=re.escape("Requires start <= limit when delta > 0: 5/0")):
        tf.range(5, 0)
    limit = tf.compat.v1.placeholder(tf.int32, [])
    out = tf.range(limit)
    assert out.shape.as_list() == [None]
    _check(sess, out, np.arange(4, dtype=np.int32), {limit: 4})
    with pytest.raises(InvalidArgumentError, match="Requires delta != 0"):
        sess.run(tf.range(0, limit, 0), {limit: 3})


def test_linspace(sess):
    out = tf.linspace(1.0, 2.0, 5)
    assert out.shape == (5,) and out.op.type == "LinSpace"
    _check(sess, out, np.linspace(1, 2, 5, dtype=np.float32))
    with pytest.raises(ValueError, match="Requires num > 0: 0"):
        tf.linspace(0.0, 1.0, 0)


def test_namespaces(graph):
    assert tf.math.add is tf.add and tf.math.reduce_sum is tf.reduce_sum
    assert tf.compat.v1.log is tf.math.log and tf.compat.v1.mod is tf.math.floormod
    assert not hasattr(tf.compat.v2, "log")  # TF2's top level has tf.math.log only
    assert tf.get_static_value(tf.constant([1, 2])).tolist() == [1, 2]


def test_float_floormod_keeps_tfs_signs(sess):
    out = sess.run(tf.math.floormod([-0.5, 0.5, -1.0, 1.0], [0.5, -0.5, 0.75, -0.75]))
    np.testing.assert_allclose(out, [0.0, 0.0, 0.5, -0.5])
    assert np.signbit(out).tolist() == [True, False, False, True]


def test_reduction_gradient_of_a_fed_scalar_of_unknown_shape(sess):
    """Issue 14 item 4: TF's reduced shape computes (axes + rank) % rank; for a scalar
    there are no axes and nothing divides by the rank 0."""
    x = tf.compat.v1.placeholder(tf.float32, None)
    matrix = np.float32([[2.0, 2.0]])
    for reduce, of_matrix in [
        (tf.reduce_sum, [[1.0, 1.0]]),
        (tf.reduce_mean, [[0.5, 0.5]]),
        (tf.reduce_max, [[0.5, 0.5]]),  # a tie shares the gradient
        (tf.reduce_prod, [[2.0, 2.0]]),
    ]:
        (grad,) = tf.gradients(reduce(x), [x])
        assert sess.run(grad, {x: 3.0}) == 1.0
        np.testing.assert_allclose(sess.run(grad, {x: matrix}), of_matrix)
    with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
        sess.run(tf.math.floormod(tf.constant([1]), tf.constant([0])))
    empty = tf.math.floormod(tf.zeros([0], tf.int32), tf.constant(0))
    assert sess.run(empty).shape == (0,)  # nothing divides: no error, as in TF


def test_typed_op_defs_refuse_undeclared_types_everywhere(graph):
    """The binder checks every op built, not only the builders' calls."""
    from runtime.ops.core import apply_op

    message = "Value passed to parameter 'x' has DataType int32 not in list of allowed values"
    with pytest.raises(TypeError, match=message):
        apply_op("Sqrt", [tf.constant([4])], "s")
    with pytest.raises(ValueError, match="Inconsistent values for attr 'T'"):
        apply_op("Sqrt", [tf.constant([4.0])], "s", T=tf.float64)
    with pytest.raises(
        TypeError, match="not in list of allowed values: int16, uint16, int32, int64"
    ):
        tf.math.argmax([1.0, 2.0], output_type=tf.float32)


def test_approx_min_k_on_any_axis_is_exact(sess):
    """TF's CPU kernel takes the largest along the last axis only; every case works here."""
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    values, indices = tf.math.approx_min_k(x, 3, reduction_dimension=0)
    assert values.shape == (3, 5) and indices.dtype == tf.int32
    got_values, got_indices = sess.run([values, indices])
    order = np.argsort(x, axis=0, kind="stable")[:3]
    np.testing.assert_array_equal(got_indices, order)
    np.testing.assert_array_equal(got_values, np.take_along_axis(x, order, axis=0))
    x_tensor = tf.constant(x)
    low, _ = tf.math.approx_min_k(x_tensor, 3, reduction_dimension=0)
    (grad,) = tf.gradients(tf.reduce_sum(low), [x_tensor])
    expected = np.zeros_like(x)
    np.put_along_axis(expected, order, 1.0, axis=0)
    np.testing.assert_array_equal(sess.run(grad), expected)
