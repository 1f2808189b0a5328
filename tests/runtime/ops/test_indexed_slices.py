"""``IndexedSlices``: tf.gather's gradient, fetched and fed as TF does, densified where
TF densifies it (conversion, ``add_n``, an op taking a tensor) and aggregated as TF
aggregates gradients."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import runtime as tf
from runtime.indexed_slices import IndexedSlicesValue, convert_to_tensor_or_indexed_slices

v1 = tf.compat.v1


def _slices(values, indices, dense_shape=None):
    return tf.IndexedSlices(
        tf.constant(values),
        tf.constant(indices),
        None if dense_shape is None else tf.constant(dense_shape),
    )


def test_fetch_order_is_values_indices_dense_shape(sess):
    slices = _slices([[1.0, 2.0]], [3], [5, 2])
    got = sess.run(slices)
    assert isinstance(got, IndexedSlicesValue)
    values, indices, dense_shape = got
    assert values.tolist() == [[1.0, 2.0]] and indices.tolist() == [3]
    assert dense_shape.tolist() == [5, 2]
    assert sess.run([slices])[0].indices.tolist() == [3]


def test_fetch_without_dense_shape(sess):
    got = sess.run(_slices([[1.0]], [0]))
    assert got.dense_shape is None and got.values.tolist() == [[1.0]]


def test_feed_by_tuple_and_value(sess):
    values = v1.placeholder(tf.float32, [None, 2])
    indices = v1.placeholder(tf.int64, [None])
    shape = v1.placeholder(tf.int64, [2])
    slices = tf.IndexedSlices(values, indices, shape)
    with pytest.warns(UserWarning, match="unknown shape"):
        dense = tf.convert_to_tensor(slices)
    fed = (np.ones((1, 2), np.float32), np.array([1]), np.array([3, 2]))
    assert sess.run(dense, {slices: fed}).tolist() == [[0, 0], [1, 1], [0, 0]]
    got = sess.run(slices, {slices: IndexedSlicesValue(*fed)})
    assert got.indices.tolist() == [1]
    without_shape = tf.IndexedSlices(values, indices)
    got = sess.run(without_shape, {without_shape: fed[:2]})
    assert got.dense_shape is None and got.values.shape == (1, 2)


def test_conversion_densifies_and_sums_repeated_rows(sess):
    slices = _slices([[1.0], [2.0], [4.0]], [2, 0, 2], [4, 1])
    dense = tf.convert_to_tensor(slices)
    assert dense.op.type == "UnsortedSegmentSum"
    assert sess.run(dense).ravel().tolist() == [2.0, 0.0, 5.0, 0.0]
    assert slices.shape == tf.TensorShape([4, 1]) and slices.dtype == tf.float32
    with pytest.raises(ValueError, match="requested dtype int32 for IndexedSlices"):
        tf.convert_to_tensor(slices, dtype=tf.int32)
    with pytest.raises(ValueError, match="IndexedSlices without dense_shape"):
        tf.convert_to_tensor(_slices([[1.0]], [0]))


def test_densifying_an_unknown_shape_warns_as_tf(graph):
    shape = v1.placeholder(tf.int32, [2])
    slices = tf.IndexedSlices(tf.ones([1, 2]), tf.constant([0]), shape)
    with pytest.warns(UserWarning, match="to a dense Tensor of unknown shape"):
        tf.convert_to_tensor(slices)


def test_ops_taking_tensors_densify(sess):
    slices = _slices([[1.0, 1.0]], [1], [2, 2])
    assert sess.run(tf.add_n([slices, tf.ones([2, 2])])).tolist() == [[1, 1], [2, 2]]
    assert sess.run(tf.reduce_sum(slices)) == 2.0
    assert convert_to_tensor_or_indexed_slices(slices) is slices


def test_gather_gradient_is_indexed_slices_of_the_rows_looked_up(sess):
    params = tf.constant(np.arange(12.0, dtype=np.float32).reshape(4, 3))
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(params, [[3, 1], [3, 3]])), params)
    assert isinstance(grad, tf.IndexedSlices)
    got = sess.run(grad)
    assert got.indices.tolist() == [3, 1, 3, 3] and got.values.shape == (4, 3)
    assert got.dense_shape.tolist() == [4, 3]
    np.testing.assert_array_equal(sess.run(tf.convert_to_tensor(grad))[:, 0], [0, 1, 0, 3])


def test_gather_along_another_axis_has_a_dense_gradient(graph):
    params = tf.ones([2, 3])
    (grad,) = tf.gradients(tf.reduce_sum(tf.gather(params, [0], axis=1)), params)
    assert isinstance(grad, tf.Tensor)


def test_variable_gradient_through_its_read_is_indexed_slices(sess):
    embeddings = v1.Variable(np.ones((5, 2), np.float32))
    looked_up = tf.nn.embedding_lookup(embeddings, [4, 0])
    (grad,) = tf.gradients(tf.reduce_sum(looked_up), [embeddings])
    assert isinstance(grad, tf.IndexedSlices)
    sess.run(embeddings.initializer)
    assert sorted(sess.run(grad).indices.tolist()) == [0, 4]


def test_aggregation_concatenates_slices_or_adds_densely(sess):
    params = tf.constant([[1.0], [2.0], [3.0]])
    two_gathers = tf.gather(params, [0]) * 2.0 + tf.gather(params, [2, 0])[:1]
    (sparse_sum,) = tf.gradients(tf.reduce_sum(two_gathers), params)
    assert isinstance(sparse_sum, tf.IndexedSlices)
    assert sess.run(tf.convert_to_tensor(sparse_sum)).ravel().tolist() == [2.0, 0.0, 1.0]
    mixed = tf.reduce_sum(tf.gather(params, [1])) + tf.reduce_sum(params * 3.0)
    (dense_sum,) = tf.gradients(mixed, params)
    assert isinstance(dense_sum, tf.Tensor) and dense_sum.op.type == "AddN"
    assert sess.run(dense_sum).ravel().tolist() == [3.0, 4.0, 3.0]


def test_mixed_index_dtypes_aggregate_as_int64(sess):
    params = tf.constant([[1.0], [2.0]])
    both = tf.gather(params, tf.constant([0], tf.int64)) + tf.gather(params, [1])
    (grad,) = tf.gradients(tf.reduce_sum(both), params)
    assert grad.indices.dtype == tf.int64
    assert sorted(sess.run(grad).indices.tolist()) == [0, 1]


def _gather_loop(params, ids, steps, scale=None):
    """``sum_i scale(i) * sum(gather(params, ids[i:i + 1]) ** 2)`` over ``steps`` iterations."""

    def body(i, total):
        rows = tf.gather(params, ids[i : i + 1]) ** 2
        weight = 1.0 if scale is None else tf.cast(i + 1, tf.float32)
        return i + 1, total + weight * tf.reduce_sum(rows)

    return v1.while_loop(lambda i, t: i < steps, body, [tf.constant(0), tf.constant(0.0)])[1]


def test_a_gather_gradient_inside_a_while_loop_stays_sparse_as_tfs(sess):
    # TF's AddBackpropIndexedSlicesAccumulator: each iteration's rows concatenated to
    # one zero row at index 0; TF 2.21 gives these indices, values and shapes.
    params = tf.constant(np.arange(12, dtype=np.float32).reshape(6, 2))
    (grad,) = tf.gradients(_gather_loop(params, tf.constant([1, 2, 2, 4]), 4), params)
    assert isinstance(grad, tf.IndexedSlices)
    assert (grad.values.shape.as_list(), grad.indices.shape.as_list()) == ([None, 2], [None])
    value = sess.run(grad)
    assert value.indices.tolist() == [0, 4, 2, 2, 1]
    assert value.values.tolist() == [[0, 0], [16, 18], [8, 10], [8, 10], [4, 6]]
    assert value.dense_shape.tolist() == [6, 2]


def test_a_sparse_loop_gradient_of_unknown_shape_and_in_nested_loops(sess):
    # Values of unknown shape start from a zero row shaped at run time; an inner loop's
    # sparse gradient accumulates again in the outer loop's (TF 2.21's rows, in order).
    params = v1.placeholder(tf.float32, [None, None])
    ids = v1.placeholder(tf.int64, [None])
    (grad,) = tf.gradients(_gather_loop(params, ids, 2, scale=True), params)
    assert grad.values.shape.as_list() == [None, None]
    value = sess.run(grad, {params: np.ones((5, 3), np.float32), ids: [3, 0, 4]})
    assert (value.indices.tolist(), value.dense_shape.tolist()) == ([0, 0, 3], [5, 3])
    assert value.values.tolist() == [[0.0] * 3, [4.0] * 3, [2.0] * 3]

    emb = tf.constant(np.arange(12, dtype=np.float32).reshape(6, 2))
    slots = v1.placeholder(tf.int32, [None])

    def outer(j, total):
        def inner(i, t):
            rows = tf.gather(emb, slots[i : i + 1]) * tf.cast(j + 1, tf.float32)
            return i + 1, t + tf.reduce_sum(rows)

        return j + 1, v1.while_loop(lambda i, t: i < tf.size(slots), inner, [0, total])[1]

    (grad,) = tf.gradients(v1.while_loop(lambda j, t: j < 2, outer, [0, 0.0])[1], emb)
    value = sess.run(grad, {slots: [0, 3, 3]})
    assert value.indices.tolist() == [0, 0, 3, 3, 0, 0, 3, 3, 0]
    assert value.values[:, 0].tolist() == [0, 0, 2, 2, 2, 0, 1, 1, 1]


def test_momentum_updates_only_the_rows_a_loop_gathered(sess):
    # With the gradient sparse, Momentum's accumulator moves only the rows a step
    # touched, as TF's (TF 2.21's variable after these four steps; a dense gradient
    # kept moving rows 1 and 2 after their step: 1.86244 where TF has 1.96).
    emb = v1.Variable(np.arange(12, dtype=np.float32).reshape(6, 2))
    ids = v1.placeholder(tf.int32, [None])
    train = v1.train.MomentumOptimizer(0.01, 0.9).minimize(_gather_loop(emb, ids, tf.size(ids)))
    sess.run(v1.global_variables_initializer())
    for feed in ([1, 2], [4], [4, 4], [5]):
        sess.run(train, {ids: feed})
    expected = [[0, 1], [1.96, 2.94], [3.92, 4.9], [6, 7], [7.3824, 8.3052], [9.8, 10.78]]
    np.testing.assert_allclose(sess.run(emb), expected, rtol=1e-5)


def test_negation_keeps_the_rows(sess):
    negated = -_slices([[1.0, 2.0]], [1], [2, 2])
    assert isinstance(negated, tf.IndexedSlices)
    assert sess.run(negated).values.tolist() == [[-1.0, -2.0]]


def test_no_densification_warning_for_a_known_shape(graph):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.convert_to_tensor(_slices([[1.0]], [0], [2, 1]))
