"""The array ops' gradients against finite differences, and their kernels against plain
numpy on random inputs (TF's own values are in ``test_array_fixtures.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
RNG = np.random.default_rng(11)


def _normal(*shape):
    return RNG.standard_normal(shape)


GRADIENTS = {
    "reverse_sequence": (lambda x: v1.reverse_sequence(x, [3, 0, 2], 1), [(3, 4, 2)]),
    "roll": (lambda x: tf.roll(x, [2, -1], [0, 1]), [(3, 4)]),
    "space_to_depth": (lambda x: v1.space_to_depth(x, 2), [(2, 4, 2, 3)]),
    "depth_to_space": (lambda x: v1.depth_to_space(x, 2), [(1, 2, 3, 8)]),
    "space_to_batch_nd": (
        lambda x: tf.space_to_batch_nd(x, [2, 3], [[1, 1], [2, 1]]),
        [(2, 4, 3, 1)],
    ),
    "batch_to_space_nd": (
        lambda x: v1.batch_to_space_nd(x, [2, 1], [[1, 0], [0, 1]]),
        [(4, 2, 3, 1)],
    ),
    "space_to_batch_v1": (lambda x: v1.space_to_batch(x, [[0, 0], [1, 1]], 2), [(1, 2, 2, 2)]),
    "tensor_scatter_update": (
        lambda t, u: tf.tensor_scatter_nd_update(t, [[0], [2]], u),
        [(3, 2), (2, 2)],
    ),
    "tensor_scatter_add": (
        lambda t, u: tf.tensor_scatter_nd_add(t, [[1, 1], [1, 1]], u),
        [(2, 3), (2,)],
    ),
    "tensor_scatter_sub": (lambda t, u: tf.tensor_scatter_nd_sub(t, [[0]], u), [(2, 2), (1, 2)]),
    "batch_gather": (lambda p: v1.batch_gather(p, [[2, 0, 2], [1, 1, 0]]), [(2, 3, 2)]),
    "gather_nd_batch_dims": (
        lambda p: tf.gather_nd(p, [[[1], [0]], [[2], [2]]], batch_dims=1),
        [(2, 3)],
    ),
    "gather_batch_dims_axis2": (
        lambda p: tf.gather(p, [[0, 2], [1, 1]], axis=2, batch_dims=1),
        [(2, 2, 3)],
    ),
    "gather_negative_axis": (lambda p: tf.gather(p, [1, 0, 1], axis=-1), [(2, 2)]),
    "meshgrid": (lambda a, b: tf.meshgrid(a, b), [(3,), (2,)]),
    "broadcast_to": (lambda x: tf.broadcast_to(x, [2, 3, 2]), [(3, 1)]),
    "identity_n": (lambda a, b: tf.identity_n([a, b * 2.0]), [(2,), (3,)]),
    # Normal draws: no ties between the tensor and the updates, so no kinks.
    "tensor_scatter_max": (
        lambda t, u: tf.tensor_scatter_nd_max(t, [[0], [2], [0]], u),
        [(3, 2), (3, 2)],
    ),
    "tensor_scatter_min": (lambda t, u: tf.tensor_scatter_nd_min(t, [[1, 1]], u), [(2, 3), (1,)]),
    "repeat_axis1": (lambda x: tf.repeat(x, [2, 0, 1], axis=1), [(2, 3)]),
    "repeat_flat": (lambda x: tf.repeat(x, 3), [(2, 2)]),
    "ensure_shape": (lambda x: tf.ensure_shape(x * x, [None, 2]), [(3, 2)]),
    "extract_image_patches": (
        lambda x: v1.extract_image_patches(x, [1, 2, 3, 1], [1, 1, 2, 1], [1, 2, 1, 1], "SAME"),
        [(2, 4, 5, 2)],
    ),
    "extract_volume_patches": (
        lambda x: tf.extract_volume_patches(x, [1, 2, 1, 2, 1], [1, 1, 2, 1, 1], "VALID"),
        [(1, 3, 4, 3, 2)],
    ),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_match_finite_differences(name):
    fn, shapes = GRADIENTS[name]
    check_gradients(fn, [_normal(*shape) for shape in shapes])


def test_space_to_depth_nchw_is_nhwc_transposed(sess):
    x = _normal(2, 4, 6, 3).astype(np.float32)
    nhwc = v1.space_to_depth(x, 2)
    nchw = v1.space_to_depth(np.transpose(x, (0, 3, 1, 2)), 2, data_format="NCHW")
    assert nchw.shape.as_list() == [2, 12, 2, 3]
    got_nhwc, got_nchw = sess.run([nhwc, nchw])
    np.testing.assert_array_equal(np.transpose(got_nchw, (0, 2, 3, 1)), got_nhwc)
    back = v1.depth_to_space(nchw, 2, data_format="NCHW")
    np.testing.assert_array_equal(sess.run(back), np.transpose(x, (0, 3, 1, 2)))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from(["left", "right"]),
    st.integers(0, 10_000),
)
def test_searchsorted_is_numpys(rows, count, side, seed):
    rng = np.random.default_rng(seed)
    sorted_rows = np.sort(rng.integers(0, 5, (rows, 6)), axis=1).astype(np.int32)
    values = rng.integers(-1, 7, (rows, count)).astype(np.int32)
    with tf.Graph().as_default(), v1.Session() as sess:
        got = sess.run(tf.searchsorted(sorted_rows, values, side=side))
    expected = [np.searchsorted(r, v, side=side) for r, v in zip(sorted_rows, values)]
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 9))
def test_histogram_counts_every_value_once(seed, bins):
    values = np.random.default_rng(seed).normal(0, 2, 30).astype(np.float32)
    with tf.Graph().as_default(), v1.Session() as sess:
        counts = sess.run(tf.histogram_fixed_width(values, [-1.0, 1.0], nbins=bins))
    assert counts.sum() == values.size
    # Values outside the range count in the first or last bin, as if clipped into it.
    expected, _ = np.histogram(np.clip(values, -1.0, 1.0 - 1e-6), bins=bins, range=(-1.0, 1.0))
    assert counts.tolist() == expected.tolist()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=8), st.lists(st.integers(0, 6), max_size=5))
def test_setdiff1d_keeps_order_and_repeats(x, y):
    with tf.Graph().as_default(), v1.Session() as sess:
        out, idx = sess.run(list(v1.setdiff1d(np.array(x, np.int32), np.array(y, np.int32))))
    assert out.tolist() == [a for a in x if a not in y]
    assert [x[i] for i in idx] == out.tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
def test_reverse_sequence_is_numpys(batch, time, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, (batch, time, 2)).astype(np.int32)
    lengths = rng.integers(0, time + 1, batch)
    with tf.Graph().as_default(), v1.Session() as sess:
        got = sess.run(v1.reverse_sequence(x, lengths.astype(np.int64), seq_axis=1))
    expected = x.copy()
    for b, n in enumerate(lengths):
        expected[b, :n] = x[b, :n][::-1]
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(0, 10_000))
def test_space_to_batch_then_back_is_identity(block_h, block_w, pad, seed):
    rng = np.random.default_rng(seed)
    height, width = block_h * 2 - pad, block_w * 3 - pad
    x = rng.normal(size=(2, height, width, 2)).astype(np.float32)
    edges = [[pad, 0], [0, pad]]
    with tf.Graph().as_default(), v1.Session() as sess:
        batched = tf.space_to_batch_nd(x, [block_h, block_w], edges)
        back = v1.batch_to_space_nd(batched, [block_h, block_w], edges)
        got_batched, got_back = sess.run([batched, back])
    assert got_batched.shape[0] == 2 * block_h * block_w
    np.testing.assert_array_equal(got_back, x)


def test_static_shapes_of_unknown_inputs(graph):
    x = v1.placeholder(tf.float32, [None, None, None, 4])
    assert v1.space_to_depth(x, 2).shape.as_list() == [None, None, None, 16]
    assert v1.depth_to_space(x, 2).shape.as_list() == [None, None, None, 1]
    assert tf.space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]]).shape.as_list() == [
        None,
        None,
        None,
        4,
    ]
    unknown_rank = v1.placeholder(tf.float32)
    assert tf.roll(unknown_rank, 1, 0).shape.rank is None
    assert tf.searchsorted(x[0, 0], x[0, 0]).shape.as_list() == [None, 4]


@pytest.mark.parametrize(
    "build",
    [
        lambda x: v1.guarantee_const(x),
        lambda x: tf.parallel_stack([x, x]),
        lambda x: tf.bitcast(x, tf.float16),
    ],
    ids=["guarantee_const", "parallel_stack", "bitcast"],
)
def test_ops_tf_gives_no_gradient_refuse_one(graph, build):
    x = v1.placeholder(tf.float32, [2, 3])
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(tf.reduce_sum(build(x)), x)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["float32", "float64", "int16", "uint8", "int64"]), st.integers(0, 2**32 - 1)
)
def test_bitcast_reads_the_same_bytes_and_back(dtype, seed):
    wide = np.dtype(dtype).itemsize
    raw = np.random.default_rng(seed).integers(0, 256, (3, wide), dtype=np.uint8)
    with tf.Graph().as_default(), v1.Session() as session:
        there = tf.bitcast(raw, tf.as_dtype(dtype))
        seen, back = session.run([there, tf.bitcast(there, tf.uint8)])
    assert seen.shape == ((3,) if wide > 1 else (3, 1))
    np.testing.assert_array_equal(np.ascontiguousarray(seen).view(np.uint8).reshape(3, wide), raw)
    np.testing.assert_array_equal(back.reshape(3, wide), raw)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=4),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_repeat_is_numpys(counts, width, seed):
    x = np.random.default_rng(seed).standard_normal((len(counts), width))
    with tf.Graph().as_default(), v1.Session() as session:
        along_rows, fed = session.run(
            [
                tf.repeat(x, counts, axis=0),
                tf.repeat(x, v1.placeholder_with_default(counts, None), 0),
            ]
        )
    np.testing.assert_array_equal(along_rows, np.repeat(x, counts, axis=0))
    np.testing.assert_array_equal(fed, np.repeat(x, counts, axis=0))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_tensor_scatter_extrema_are_numpys(size, count, seed):
    rng = np.random.default_rng(seed)
    tensor = rng.integers(-9, 9, size)
    at, updates = rng.integers(0, size, (count, 1)), rng.integers(-9, 9, count)
    high, low = tensor.copy(), tensor.copy()
    np.maximum.at(high, at[:, 0], updates)
    np.minimum.at(low, at[:, 0], updates)
    with tf.Graph().as_default(), v1.Session() as session:
        got = session.run(
            [
                tf.tensor_scatter_nd_max(tensor, at, updates),
                tf.tensor_scatter_nd_min(tensor, at, updates),
            ]
        )
    assert got[0].tolist() == high.tolist() and got[1].tolist() == low.tolist()


def test_ensure_shape_checks_when_it_runs(graph, sess):
    x = v1.placeholder(tf.float32, [None, None])
    checked = tf.ensure_shape(x, [None, 3])
    assert checked.shape.as_list() == [None, 3]
    assert sess.run(checked, {x: np.ones((2, 3))}).shape == (2, 3)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"\[2,4\] is not compatible with expected shape \[\?,3\]",
    ):
        sess.run(checked, {x: np.ones((2, 4))})
