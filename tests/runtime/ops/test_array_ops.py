"""Array ops: static shapes equal run-time shapes, values match numpy, value-dependent
shape inference, and TF's build-time and run-time errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.errors import InvalidArgumentError

RNG = np.random.default_rng(99)


def _check(sess, tensor, expected, feed=None):
    value = np.asarray(sess.run(tensor, feed))
    expected = np.asarray(expected)
    assert tensor.shape.is_compatible_with(value.shape), (tensor.shape, value.shape)
    assert value.dtype == expected.dtype, (value.dtype, expected.dtype)
    np.testing.assert_array_equal(value, expected)
    return value


def _arange(*shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


def _unknown(value, dtype=tf.float32):
    """A placeholder of ``value``'s rank with every dimension unknown."""
    return tf.compat.v1.placeholder(dtype, [None] * np.ndim(value))


# -- reshape ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "target", "static"),
    [
        ((2, 3, 4), [-1, 4], [6, 4]),
        ((6,), [2, 3], [2, 3]),
        ((2, 3), [-1], [6]),
        ((1,), [], []),
        ((0, 3), [-1, 2, 3], [0, 2, 3]),
    ],
)
def test_reshape(sess, shape, target, static):
    x = _arange(*shape)
    out = tf.reshape(x, target)
    assert out.shape == static
    _check(sess, out, x.reshape(target))
    p = _unknown(x)
    loose = tf.reshape(p, target)
    assert loose.shape.rank == len(target)
    _check(sess, loose, x.reshape(target), {p: x})


def test_reshape_infers_static_shape_from_computed_shapes(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3, 4])
    assert tf.reshape(x, [tf.shape(x)[0], -1]).shape.as_list() == [None, None]  # as TF
    assert tf.reshape(x, [-1, tf.shape(x)[1] * 4]).shape.as_list() == [None, 12]
    assert tf.reshape(x, tf.stack([2, tf.shape(x)[1], 8])).shape.as_list() == [2, 3, 8]
    assert tf.reshape(tf.zeros([2, 6]), tf.shape(tf.zeros([3, 4]))).shape == (3, 4)
    assert tf.reshape(x, tf.compat.v1.placeholder(tf.int32, [3])).shape.as_list() == [None] * 3


def test_reshape_errors(graph, sess):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Cannot reshape a tensor with 6 elements to shape [4,5] (20 elements) for "
            "'{{node Reshape}} = Reshape[T=DT_FLOAT, Tshape=DT_INT32](zeros, Reshape/shape)' "
            "with input shapes: [2,3], [2]."
        ),
    ):
        tf.reshape(tf.zeros([2, 3]), [4, 5])
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 4 but is 6"):
        tf.reshape(tf.zeros([2, 3]), [-1, 4])
    p = tf.compat.v1.placeholder(tf.float32, None)
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape(
            "Input to reshape is a tensor with 4 values, but the requested shape has 21"
        ),
    ) as info:
        sess.run(tf.reshape(p, [3, 7]), {p: np.zeros(4)})
    assert info.value.op.type == "Reshape"
    with pytest.raises(InvalidArgumentError, match="requested shape requires a multiple of 4"):
        sess.run(tf.reshape(p, [-1, 4]), {p: np.zeros(6)})
    with pytest.raises(
        InvalidArgumentError, match="Only one input size may be -1, not both 0 and 1"
    ):
        sess.run(tf.reshape(p, [-1, -1]), {p: np.zeros(6)})


# -- transpose, expand_dims, squeeze -----------------------------------------------------------


@pytest.mark.parametrize("perm", [None, [1, 0, 2], [2, 0, 1], [0, 1, 2]])
def test_transpose(sess, perm):
    x = _arange(2, 3, 4)
    out = tf.transpose(x, perm)
    expected = np.transpose(x, perm)
    assert out.shape == expected.shape
    _check(sess, out, expected)
    p = tf.compat.v1.placeholder(tf.float32, None)
    loose = tf.transpose(p, perm)
    _check(sess, loose, expected, {p: x})


def test_transpose_errors(graph):
    with pytest.raises(ValueError, match="Dimension must be 2 but is 3"):
        tf.transpose(tf.zeros([2, 3]), [0, 1, 2])


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_expand_dims(sess, axis):
    x = _arange(2, 3)
    out = tf.expand_dims(x, axis)
    assert out.shape == np.expand_dims(x, axis).shape
    _check(sess, out, np.expand_dims(x, axis))


def test_expand_dims_errors_and_v1_alias(graph, sess):
    with pytest.raises(
        ValueError, match=re.escape("dim 5 not in the interval [-3, 2] for '{{node ExpandDims}}")
    ):
        tf.expand_dims(tf.zeros([2, 3]), 5)
    assert tf.compat.v1.expand_dims(tf.zeros([2]), dim=0).shape == (1, 2)


@pytest.mark.parametrize("axis", [None, [0], [2], [0, -1]])
def test_squeeze(sess, axis):
    x = _arange(1, 3, 1)
    expected = np.squeeze(x, None if axis is None else tuple(axis))
    out = tf.squeeze(x, axis)
    assert out.shape == expected.shape
    _check(sess, out, expected)


def test_squeeze_unknown_dims_and_errors(graph, sess):
    p = tf.compat.v1.placeholder(tf.float32, [None, 1])
    assert tf.squeeze(p).shape == tf.TensorShape(None)  # is dim 0 a 1? unknown
    assert tf.squeeze(p, [1]).shape.as_list() == [None]
    with pytest.raises(
        ValueError, match=re.escape("Can not squeeze dim[0], expected a dimension of 1, got 2")
    ):
        tf.squeeze(tf.zeros([2, 3]), [0])
    with pytest.raises(InvalidArgumentError, match="Can not squeeze dim"):
        sess.run(tf.squeeze(p, [0]), {p: np.zeros((2, 1))})
    assert tf.compat.v1.squeeze(tf.zeros([1, 2]), squeeze_dims=[0]).shape == (2,)


# -- concat, stack, unstack, split ---------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(sess, axis):
    a, b = _arange(2, 3), _arange(2, 3) + 10
    out = tf.concat([a, b], axis)
    assert out.shape == np.concatenate([a, b], axis).shape
    _check(sess, out, np.concatenate([a, b], axis))
    p = tf.compat.v1.placeholder(tf.float32, [None, 3])
    loose = tf.concat([p, b], axis)
    assert loose.shape.as_list() == ([None, 3] if axis == 0 else [2, 6])
    _check(sess, loose, np.concatenate([a, b], axis), {p: a})


def test_concat_errors(graph, sess):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Dimension 0 in both shapes must be equal, but are 3 and 5. Shapes are [3] and [5] "
            "for '{{node concat}} = ConcatV2"
        ),
    ):
        tf.concat([tf.zeros([2, 3]), tf.zeros([4, 5])], 0)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([3])], 0)
    p = tf.compat.v1.placeholder(tf.float32, [None, None])
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape(
            "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. shape[1] = [2,4]"
        ),
    ):
        sess.run(tf.concat([p, tf.zeros([2, 4])], 0), {p: np.zeros((2, 3))})
    single = tf.concat([tf.zeros([2])], 0)
    assert single.op.type == "Identity"


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_and_unstack(sess, axis):
    parts = [_arange(2, 3) + i for i in range(4)]
    out = tf.stack([tf.constant(p) for p in parts], axis)
    expected = np.stack(parts, axis)
    assert out.shape == expected.shape and out.op.type == "Pack"
    _check(sess, out, expected)
    pieces = tf.unstack(tf.constant(expected), axis=axis)
    assert len(pieces) == 4
    for piece, part in zip(pieces, parts):
        assert piece.shape == (2, 3)
        _check(sess, piece, part)


def test_stack_of_python_values_is_a_constant_and_errors(graph):
    assert tf.stack([1, 2]).op.type == "Const"
    with pytest.raises(ValueError, match="From merging shape 0 with other shapes"):
        tf.stack([tf.zeros([2, 3]), tf.zeros([4, 5])])
    with pytest.raises(ValueError, match="Cannot infer argument `num` from shape"):
        tf.unstack(tf.compat.v1.placeholder(tf.float32, [None, 2]))


@pytest.mark.parametrize(
    ("splits", "axis", "expected_sizes"),
    [
        (3, 1, [2, 2, 2]),
        ([1, 2, 3], 1, [1, 2, 3]),
        ([4, -1], 1, [4, 2]),
        (2, 0, [2, 2]),
        ([3, 1], -2, [3, 1]),
    ],
)
def test_split(sess, splits, axis, expected_sizes):
    x = _arange(4, 6)
    parts = tf.split(x, splits, axis=axis)
    expected = np.split(x, np.cumsum(expected_sizes)[:-1], axis=axis)
    assert len(parts) == len(expected)
    for part, want in zip(parts, expected):
        assert part.shape == want.shape
        _check(sess, part, want)


def test_split_errors(graph):
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 2 but is 3"):
        tf.split(tf.zeros([2, 3]), 2, axis=1)
    with pytest.raises(
        ValueError, match=re.escape("can't split axis of size 3 into pieces of size [1,1]")
    ):
        tf.split(tf.zeros([2, 3]), [1, 1], axis=1)


# -- slicing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("begin", "size"), [([0, 0], [1, 1]), ([1, 2], [-1, 2]), ([0, 1], [3, -1]), ([3, 4], [0, 0])]
)
def test_slice(sess, begin, size):
    x = _arange(3, 4)
    ends = [x.shape[i] if s == -1 else b + s for i, (b, s) in enumerate(zip(begin, size))]
    expected = x[begin[0] : ends[0], begin[1] : ends[1]]
    out = tf.slice(x, begin, size)
    assert out.shape == expected.shape
    _check(sess, out, expected)


def test_slice_run_time_error(sess):
    p = tf.compat.v1.placeholder(tf.float32, [None, 3])
    with pytest.raises(
        InvalidArgumentError, match=re.escape("Expected size[0] in [0, 2], but got 3")
    ):
        sess.run(tf.slice(p, [0, 0], [3, 1]), {p: np.zeros((2, 3))})


SPECS = [
    (1,),
    (-1,),
    (slice(None),),
    (slice(1, None), 2),
    (Ellipsis, 1),
    (None, Ellipsis),
    (slice(None, None, -1), slice(None, None, 2)),
    (slice(-2, None), None, slice(3, 0, -2)),
    (0, Ellipsis, None, slice(1, 3)),
    (slice(10, 20),),
    (slice(None, None, -2), Ellipsis, -1),
]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_getitem_matches_numpy(sess, spec):
    x = _arange(3, 4, 5)
    expected = x[spec]
    out = tf.constant(x)[spec]
    assert out.op.type == "StridedSlice" and out.shape == expected.shape
    _check(sess, out, expected)
    p = tf.compat.v1.placeholder(tf.float32, [None, 4, None])
    loose = p[spec]
    assert loose.shape.rank == expected.ndim
    _check(sess, loose, expected, {p: x})


_INDEX = st.one_of(
    st.integers(-3, 2),
    st.none(),
    st.builds(
        slice,
        st.one_of(st.none(), st.integers(-5, 5)),
        st.one_of(st.none(), st.integers(-5, 5)),
        st.one_of(st.none(), st.integers(-3, 3).filter(bool)),
    ),
)


@settings(deadline=None, max_examples=40)
@given(
    spec=st.lists(_INDEX, min_size=1, max_size=3),
    ellipsis_at=st.one_of(st.none(), st.integers(0, 3)),
)
def test_strided_slicing_random_specs(spec, ellipsis_at):
    if ellipsis_at is not None:
        spec.insert(min(ellipsis_at, len(spec)), Ellipsis)
    x = _arange(3, 4, 2)
    try:
        expected = x[tuple(spec)]
    except IndexError:
        with (
            tf.Graph().as_default(),
            pytest.raises(ValueError, match=r"slice index -?\d+ of dimension \d+ out of bounds"),
        ):
            tf.constant(x)[tuple(spec)]
        return
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        out = tf.constant(x)[tuple(spec)]
        assert out.shape == expected.shape
        _check(sess, out, expected)


def test_getitem_with_tensor_indices_and_errors(graph, sess):
    x = _arange(3, 4)
    i = tf.compat.v1.placeholder(tf.int32, [])
    out = tf.constant(x)[i, 1:]
    assert out.shape.as_list() == [None]  # as TF: begin is not known while building
    _check(sess, out, x[2, 1:], {i: 2})
    with pytest.raises(
        ValueError,
        match=re.escape("slice index 5 of dimension 0 out of bounds for '{{node strided_slice"),
    ):
        tf.constant(x)[5]
    with pytest.raises(
        ValueError, match="Index out of range using input dim 2; input has only 2 dims"
    ):
        tf.constant(x)[:, :, 1]
    with pytest.raises(TypeError, match="Only integers, slices"):
        tf.constant(x)[1.5]
    p = tf.compat.v1.placeholder(tf.float32, [None])
    with pytest.raises(InvalidArgumentError, match="slice index 3 of dimension 0 out of bounds"):
        sess.run(p[3], {p: np.zeros(2)})


def test_strided_slice_with_masks(sess):
    x = _arange(4, 5)
    out = tf.strided_slice(x, [1, 0], [3, 5], [1, 2], end_mask=2, shrink_axis_mask=1)
    assert out.shape == (3,)
    _check(sess, out, x[1, 0:5:2])


# -- gather, scatter -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indices", "axis"),
    [([2, 0], 0), ([[1], [3]], 1), (1, -1), (np.zeros(0, np.int32), 0), ([[0, 1], [1, 0]], 2)],
)
def test_gather(sess, indices, axis):
    x = _arange(3, 4, 2)
    expected = np.take(x, np.asarray(indices, dtype=np.int64), axis=axis)
    out = tf.gather(x, indices, axis=axis)
    assert out.shape == expected.shape
    _check(sess, out, expected)


def test_gather_batch_dims(sess):
    x = _arange(2, 3, 4)
    idx = np.array([[2, 0], [1, 1]])
    out = tf.gather(x, idx, axis=1, batch_dims=1)
    expected = np.stack([np.take(x[b], idx[b], axis=0) for b in range(2)])
    assert out.shape == expected.shape
    _check(sess, out, expected)


def test_gather_errors(graph, sess):
    with pytest.raises(ValueError, match="Shape must be at least rank 4 but is rank 2"):
        tf.gather(tf.zeros([2, 3]), [0], axis=3)
    with pytest.raises(InvalidArgumentError, match=re.escape("indices[1] = 5 is not in [0, 3)")):
        sess.run(tf.gather(tf.zeros([3]), [0, 5]))
    # As TF: an empty Python list is float32, which indices do not take.
    with pytest.raises(TypeError, match="parameter 'indices' has DataType float32 not in list"):
        tf.gather(tf.zeros([3, 2]), [])


def test_gather_nd_and_scatter_nd(sess):
    x = _arange(2, 3, 4)
    _check(sess, tf.gather_nd(x, [[1, 2], [0, 0]]), x[[1, 0], [2, 0]])
    out = tf.gather_nd(x, [[[1]], [[0]]])
    assert out.shape == (2, 1, 3, 4)
    _check(sess, out, x[[[1], [0]]])
    scattered = tf.scatter_nd([[1], [3], [1]], np.float32([1, 2, 3]), [5])
    assert scattered.shape == (5,)
    _check(sess, scattered, np.float32([0, 4, 0, 2, 0]))
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape("indices[0] = [5] does not index into param shape [2,3,4]"),
    ):
        sess.run(tf.gather_nd(x, [[5]]))


# -- tile, pad, reverse, broadcast --------------------------------------------------------------------


@pytest.mark.parametrize("multiples", [[1, 1], [2, 3], [0, 2]])
def test_tile(sess, multiples):
    x = _arange(2, 3)
    out = tf.tile(x, multiples)
    assert out.shape == np.tile(x, multiples).shape
    _check(sess, out, np.tile(x, multiples))
    p = tf.compat.v1.placeholder(tf.float32, [None, 3])
    assert tf.tile(p, multiples).shape.as_list() == [None, 3 * multiples[1]]


def test_tile_rank_error(graph):
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 3"):
        tf.tile(tf.zeros([2, 3]), [1, 2, 3])


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC", "reflect"])
def test_pad_modes(sess, mode):
    x = _arange(3, 4)
    paddings = [[1, 2], [2, 0]]
    out = tf.pad(x, paddings, mode)
    expected = np.pad(x, paddings, mode={"CONSTANT": "constant"}.get(mode, mode.lower()))
    assert out.shape == expected.shape
    _check(sess, out, expected)


def test_pad_with_constant_values_and_errors(graph, sess):
    out = tf.pad([1, 2], [[1, 1]], constant_values=9)
    assert out.op.type == "PadV2"
    _check(sess, out, np.int32([9, 1, 2, 9]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.pad(tf.zeros([2, 3]), [[1, 1]])
    with pytest.raises(
        ValueError, match="paddings must be less than the dimension size: 3, 0 not less than 3"
    ):
        tf.pad(tf.zeros([3]), [[3, 0]], "REFLECT")


@settings(deadline=None, max_examples=40)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)), max_size=4),
    st.sampled_from(["float32", "int8", "bool", "complex64", "S2"]),
    st.sampled_from([0, 1]),
)
def test_constant_pads_fill_only_the_border(dims, dtype, fill):
    # Pad/PadV2 copy the interior once and fill the border; numpy's np.pad is the oracle
    # for every rank (0-sized axes included) and dtype.
    x = np.arange(int(np.prod([n for n, _, _ in dims]))).reshape([n for n, _, _ in dims])
    x = x.astype(dtype)
    paddings = [[before, after] for _, before, after in dims]
    value = np.asarray(fill).astype(dtype)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        out = tf.pad(x, np.int32(paddings).reshape(-1, 2), constant_values=value)
        np.testing.assert_array_equal(
            sess.run(out), np.pad(x, paddings, constant_values=value) if paddings else x
        )


@pytest.mark.parametrize("axis", [[0], [1], [0, 1], [-1]])
def test_reverse(sess, axis):
    x = _arange(2, 3)
    _check(sess, tf.reverse(x, axis), np.flip(x, tuple(axis)))


def test_broadcast_to(sess):
    out = tf.broadcast_to([1.0, 2.0], [3, 2])
    assert out.shape == (3, 2)
    _check(sess, out, np.broadcast_to(np.float32([1, 2]), (3, 2)))
    with pytest.raises(ValueError, match=re.escape("Incompatible shapes: [3] vs. [2,2]")):
        tf.broadcast_to([1, 2, 3], [2, 2])


# -- fills, one_hot, cast, shapes ------------------------------------------------------------------


def test_fill_zeros_ones(sess):
    out = tf.fill([2, 3], 7)
    assert out.shape == (2, 3) and out.dtype == tf.int32
    _check(sess, out, np.full((2, 3), 7, np.int32))
    _check(sess, tf.zeros([2, 3]), np.zeros((2, 3), np.float32))
    _check(sess, tf.ones([2], tf.int64), np.ones(2, np.int64))
    assert tf.zeros([40, 40]).op.type == "Fill" and tf.zeros([40, 40]).shape == (40, 40)
    n = tf.compat.v1.placeholder(tf.int32, [])
    dynamic = tf.ones([n, 2], tf.bool)
    assert dynamic.shape.as_list() == [None, 2]
    _check(sess, dynamic, np.ones((3, 2), bool), {n: 3})
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.fill([2], [1, 2])


def test_zeros_and_ones_name_their_shape_ops_as_tf(sess):
    # TF 2.21's op names and types, which programs that fetch by name rely on.
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    n = tf.shape(x)[0]
    big, packed, scalar = tf.zeros([100, 100]), tf.ones([n, 2]), tf.zeros(n)
    made = [(op.name, op.type) for op in tf.compat.v1.get_default_graph().get_operations()]
    assert made[-11:] == [
        ("zeros/shape_as_tensor", "Const"),
        ("zeros/Const", "Const"),
        ("zeros", "Fill"),
        ("ones/packed/1", "Const"),
        ("ones/packed", "Pack"),
        ("ones/Const", "Const"),
        ("ones", "Fill"),
        ("zeros_1/Reshape/shape", "Const"),
        ("zeros_1/Reshape", "Reshape"),
        ("zeros_1/Const", "Const"),
        ("zeros_1", "Fill"),
    ]
    assert (big.shape, packed.shape.as_list(), scalar.shape.as_list()) == (
        (100, 100),
        [None, 2],
        [None],
    )
    assert tf.zeros(tf.constant(4)).shape == (4,)  # the reshaped size is known while building
    _check(sess, scalar, np.zeros(2, np.float32), {x: np.ones((2, 3))})


def test_zeros_like_ones_like(sess):
    p = tf.compat.v1.placeholder(tf.float64, [None, 2])
    z, o = tf.zeros_like(p), tf.ones_like(p, dtype=tf.int32)
    assert z.op.type == "ZerosLike" and z.shape.as_list() == [None, 2]
    x = np.ones((3, 2))
    _check(sess, z, np.zeros((3, 2)), {p: x})
    _check(sess, o, np.ones((3, 2), np.int32), {p: x})
    assert tf.zeros_like(tf.zeros([2])).op.type == "Const"  # static shape: TF folds it
    assert tf.compat.v1.zeros_like(tf.zeros([2]), optimize=False).op.type == "ZerosLike"


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_one_hot(sess, axis):
    indices = np.array([0, 2, -1, 5])
    eye = np.vstack([np.eye(3), np.zeros((2, 3))])[[0, 2, 3, 4]]
    expected = eye if axis in (None, 1) else eye.T
    out = tf.one_hot(indices, 3, axis=axis)
    assert out.shape == expected.shape
    _check(sess, out, expected.astype(np.float32))
    custom = tf.one_hot([1], 2, on_value=5, off_value=-1)
    _check(sess, custom, np.int32([[-1, 5]]))


def test_shape_size_rank(sess):
    p = tf.compat.v1.placeholder(tf.float32, [None, 3])
    s, n, r = tf.shape(p), tf.size(p, out_type=tf.int64), tf.rank(p)
    assert (s.op.type, s.shape, n.dtype, r.op.type) == ("Shape", (2,), tf.int64, "Const")
    x = np.zeros((4, 3))
    _check(sess, s, np.int32([4, 3]), {p: x})
    _check(sess, n, np.int64(12), {p: x})
    _check(sess, r, np.int32(2))
    assert tf.shape(tf.zeros([2, 5])).op.type == "Const"
    assert tf.compat.v1.shape(p, out_type=tf.int64).dtype == tf.int64
    u = tf.compat.v1.placeholder(tf.float32, None)
    assert tf.rank(u).op.type == "Rank"
    _check(sess, tf.rank(u), np.int32(3), {u: np.zeros((1, 2, 3))})


def test_identity_and_stop_gradient(sess):
    x = _arange(2)
    for fn in (tf.identity, tf.stop_gradient):
        out = fn(x)
        assert out.shape == (2,)
        _check(sess, out, x)


@pytest.mark.parametrize("axis", [None, 1])
def test_boolean_mask(sess, axis):
    x = _arange(3, 4)
    mask = np.array([True, False, True] if axis is None else [False, True, True, False])
    expected = x[mask] if axis is None else x[:, mask]
    out = tf.boolean_mask(x, mask, axis=axis)
    assert out.shape.is_compatible_with(expected.shape)
    _check(sess, out, expected)
    both = tf.boolean_mask(x, x > 5)
    _check(sess, both, x[x > 5])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)


def test_constant_fetches_cannot_change_the_graph(sess):
    c = tf.constant([1, 2, 3])
    view = tf.reshape(c, [3, 1])
    fetched = sess.run(view)
    fetched[0, 0] = 100
    assert sess.run(c).tolist() == [1, 2, 3]


def _random_op(draw, shape):
    """A builder taking one tensor of ``shape``, drawn at random, with its numpy twin."""
    rank = len(shape)
    axis = draw(st.integers(-rank, rank - 1)) if rank else None
    choices = ["expand_dims", "reshape", "tile", "pad", "reverse_all"]
    if rank:
        choices += ["reduce_sum", "transpose", "concat", "gather", "cumsum", "unstack"]
    kind = draw(st.sampled_from(choices))
    if kind == "reduce_sum":
        axes = draw(st.lists(st.integers(0, rank - 1), unique=True))
        keep = draw(st.booleans())
        return lambda t: tf.reduce_sum(t, axes, keepdims=keep), lambda x: np.sum(
            x, tuple(axes), keepdims=keep
        )
    if kind == "transpose":
        perm = draw(st.permutations(range(rank)))
        return lambda t: tf.transpose(t, perm), lambda x: np.transpose(x, perm)
    if kind == "concat":
        return lambda t: tf.concat([t, t], axis), lambda x: np.concatenate([x, x], axis)
    if kind == "gather":
        return lambda t: tf.gather(t, [0, 0], axis=axis), lambda x: np.take(x, [0, 0], axis=axis)
    if kind == "cumsum":
        return lambda t: tf.cumsum(t, axis), lambda x: np.cumsum(x, axis)
    if kind == "unstack":
        return lambda t: tf.unstack(t, num=shape[0])[0], lambda x: x[0]
    if kind == "expand_dims":
        at = draw(st.integers(-rank - 1, rank))
        return lambda t: tf.expand_dims(t, at), lambda x: np.expand_dims(x, at)
    if kind == "reshape":
        return lambda t: tf.reshape(t, [-1]), lambda x: x.reshape(-1)
    if kind == "tile":
        reps = draw(st.lists(st.integers(0, 2), min_size=rank, max_size=rank))
        return lambda t: tf.tile(t, reps), lambda x: np.tile(x, reps) if reps else x
    if kind == "pad":
        pads = draw(
            st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=rank, max_size=rank)
        )
        return lambda t: tf.pad(
            t, [list(p) for p in pads] or np.zeros((0, 2), np.int32)
        ), lambda x: np.pad(x, pads) if pads else x
    return lambda t: tf.reverse(t, list(range(rank))), lambda x: np.flip(x, tuple(range(rank)))


@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_random_ops_static_shapes_match_run_time(data):
    rank = data.draw(st.integers(0, 3))
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    build, ref = _random_op(data.draw, shape)
    x = _arange(*shape)
    expected = ref(x)
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        known = tf.compat.v1.placeholder(tf.float32, shape)
        out = build(known)
        assert out.shape == expected.shape
        value = sess.run(out, {known: x})
        np.testing.assert_array_equal(value, expected)
        loose = tf.compat.v1.placeholder(tf.float32, [None] * rank)
        partial = build(loose) if rank else out
        assert partial.shape.is_compatible_with(expected.shape)
        np.testing.assert_array_equal(
            sess.run(partial, {loose: x} if rank else {known: x}), expected
        )
