"""SparseTensors in sessions (fetching, feeding, ``sparse_placeholder``), the
``SparseTensor`` class, and the sparse ops' gradients against finite differences.
TF's values for the ops are checked in ``test_array_fixtures.py``."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.sparse_tensor import SparseTensorValue, convert_to_tensor_or_sparse_tensor
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
RNG = np.random.default_rng(3)
IDX = [[0, 0], [0, 3], [1, 1], [2, 0], [2, 2]]


def _st(values, indices=IDX, shape=(3, 4)):
    return tf.SparseTensor(indices, values, list(shape))


# -- SparseTensor ----------------------------------------------------------------------


def test_sparse_tensor_parts_names_and_static_shape(graph):
    st = tf.SparseTensor([[0, 1]], [2.0], [3, 4])
    assert [t.op.name for t in (st.indices, st.values, st.dense_shape)] == [
        "SparseTensor/indices",
        "SparseTensor/values",
        "SparseTensor/dense_shape",
    ]
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert st.shape == tf.TensorShape([3, 4]) and st.dtype == tf.float32
    partial = tf.SparseTensor(
        st.indices, st.values, tf.stack([tf.constant(3, tf.int64), v1.placeholder(tf.int64, [])])
    )
    assert partial.shape.as_list() == [3, None]
    partial.set_shape([None, 5])
    assert partial.get_shape().as_list() == [3, 5]
    with pytest.raises(ValueError):
        partial.set_shape([4, 5])


def test_sparse_tensor_checks_its_parts_as_tf(graph):
    with pytest.raises(ValueError, match="Dimensions 2 and 1 are not compatible"):
        tf.SparseTensor([[0, 1], [1, 1]], [1.0], [2, 2])
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.SparseTensor([[0, 1]], [1.0], [2, 2, 2])
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.SparseTensor([0, 1], [1.0], [2])
    with pytest.raises(TypeError, match="neither a SparseTensor nor SparseTensorValue"):
        tf.SparseTensor.from_value([[0]])


def test_from_value_with_values_and_conversion(sess):
    value = SparseTensorValue(np.array([[1]]), np.array([5], np.int32), np.array([3]))
    st = tf.SparseTensor.from_value(value)
    doubled = st.with_values(st.values * 2)
    assert sess.run(doubled).values.tolist() == [10]
    assert convert_to_tensor_or_sparse_tensor(value).dtype == tf.int32
    with pytest.raises(RuntimeError, match="Sparse dtype mismatch"):
        convert_to_tensor_or_sparse_tensor(value, tf.float32)
    assert convert_to_tensor_or_sparse_tensor([1.0]).dtype == tf.float32
    assert doubled.values.op in st.consumers()


def test_fetch_in_nested_structures_and_eval(sess):
    st = _st([1.0, 2.0, 3.0, 4.0, 5.0])
    got = sess.run({"a": [st, (st.values,)]})
    value = got["a"][0]
    assert isinstance(value, v1.SparseTensorValue)
    indices, values, shape = value  # usable as a 3-tuple
    assert indices.tolist() == IDX and shape.tolist() == [3, 4]
    assert got["a"][1][0].tolist() == values.tolist()
    with sess.as_default():
        assert st.eval().dense_shape.tolist() == [3, 4]


# -- feeding ---------------------------------------------------------------------------


def test_feed_a_sparse_tensor_of_placeholders(sess):
    st = tf.SparseTensor(
        v1.placeholder(tf.int64, [None, 2]),
        v1.placeholder(tf.float32, [None]),
        v1.placeholder(tf.int64, [2]),
    )
    dense = tf.sparse.to_dense(st)
    fed = (np.array([[0, 1]]), np.array([7.0], np.float32), np.array([2, 2]))
    assert sess.run(dense, {st: fed}).tolist() == [[0.0, 7.0], [0.0, 0.0]]
    got = sess.run(st, {st: SparseTensorValue(*fed)})  # fetching the fed tensor: the feed
    assert got.values.tolist() == [7.0]


def test_sparse_placeholder_unknown_and_partial_shapes(sess):
    sp = v1.sparse_placeholder(tf.float32, name="sp")
    assert sp.shape.rank is None and sp.indices.op.name == "sp/indices"
    assert sp.values.op.name == "sp/values" and sp.dense_shape.op.name == "sp/shape"
    value = v1.SparseTensorValue([[0, 1, 2]], [1.5], [2, 3, 4])
    total = tf.sparse.reduce_sum(sp)
    assert sess.run(total, {sp: value}) == 1.5
    partial = v1.sparse_placeholder(tf.float32, shape=[None, 9, 2])
    assert partial.shape.as_list() == [None, 9, 2]
    fed = v1.SparseTensorValue([[1, 8, 1]], [3.0], [4, 9, 2])
    assert sess.run(tf.sparse.to_dense(partial), {partial: fed}).shape == (4, 9, 2)


def test_sparse_placeholder_with_a_known_shape_needs_no_shape_fed(sess):
    sp = v1.sparse_placeholder(tf.float32, shape=[2, 3])
    assert sp.shape.as_list() == [2, 3]
    assert tf.get_static_value(sp.dense_shape) is None  # a placeholder with a default, feedable
    dense = tf.sparse.to_dense(sp)
    assert sess.run(dense, {sp: ([[1, 2]], [4.0])}).tolist() == [[0, 0, 0], [0, 0, 4.0]]
    assert sess.run(sp.dense_shape).tolist() == [2, 3]


# -- gradients against finite differences ------------------------------------------------


def _values(n=5):
    return RNG.standard_normal(n)


def test_to_dense_and_reduce_sum_gradients():
    check_gradients(lambda v: tf.sparse.to_dense(_st(v)) * 3.0, [_values()])
    check_gradients(lambda v: tf.sparse.reduce_sum(_st(v), axis=1, keepdims=True), [_values()])
    check_gradients(
        lambda v, d: v1.sparse_to_dense([[1], [3]], [5], v, d),
        [_values(2), RNG.standard_normal(())],
    )


def test_add_gradients():
    def both_sparse(a, b):
        total = tf.sparse.add(_st(a), _st(b, [[0, 0], [1, 2], [2, 2]]))
        return total.values

    check_gradients(both_sparse, [_values(), _values(3)])
    check_gradients(lambda a, d: tf.sparse.add(_st(a), d), [_values(), RNG.standard_normal((3, 4))])


@pytest.mark.parametrize("adjoint_a", [False, True])
@pytest.mark.parametrize("adjoint_b", [False, True])
def test_sparse_dense_matmul_gradients(adjoint_a, adjoint_b):
    inner = 3 if adjoint_a else 4
    b_shape = (2, inner) if adjoint_b else (inner, 2)

    def product(v, b):
        return tf.sparse.sparse_dense_matmul(_st(v), b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)

    check_gradients(product, [_values(), RNG.standard_normal(b_shape)])


def test_sparse_dense_matmul_of_two_sparse_operands_transposes(sess):
    a = _st([1.0, 2.0, 3.0, 4.0, 5.0])
    dense = np.zeros((3, 4))
    dense[tuple(np.array(IDX).T)] = [1.0, 2.0, 3.0, 4.0, 5.0]
    b = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    product = tf.sparse.sparse_dense_matmul(b, a)  # dense b, sparse a: b @ a
    np.testing.assert_allclose(sess.run(product), b @ dense)


def test_slice_and_reorder_gradients():
    check_gradients(lambda v: tf.sparse.slice(_st(v), [1, 1], [5, 2]).values, [_values()])
    unordered = [[2, 1], [0, 3], [1, 0], [0, 0]]
    check_gradients(
        lambda v: tf.sparse.reorder(_st(v, unordered)).values * [1.0, 2.0, 3.0, 4.0], [_values(4)]
    )


def test_concat_and_split_have_no_gradient_as_in_tf(graph):
    v = v1.placeholder(tf.float32, [5])
    st = tf.sparse.concat(1, [_st(v), _st(v)])
    assert tf.gradients(tf.reduce_sum(st.values), v) == [None]
    with pytest.raises(LookupError, match="op type: SparseSplit"):
        parts = v1.sparse_split(sp_input=_st(v), num_split=2, axis=1)
        tf.gradients(tf.reduce_sum(parts[0].values), v)


def test_bad_inputs_are_refused(graph):
    with pytest.raises(TypeError, match=r"Input must be a SparseTensor\."):
        tf.sparse.to_dense([[1.0]])
    with pytest.raises(ValueError, match="Keyword arguments are required"):
        v1.sparse_split(_st([1.0] * 5), 2, 1)
    with pytest.raises(TypeError, match="parameter 'a_values' has DataType bool not in list"):
        tf.sparse.add(_st([True] * 5), _st([False] * 5))


# -- a sparse tensor times or over a dense one -------------------------------------------------


def test_sparse_times_and_over_dense_match_tf(sess):
    sp = tf.SparseTensor([[0, 0], [1, 2]], [2.0, 4.0], [2, 3])
    scaled = sp * tf.constant(3.0)
    assert (scaled.values.op.type, scaled.values.op.name) == ("SparseDenseCwiseMul", "mul")
    assert scaled.indices is sp.indices and scaled.dense_shape is sp.dense_shape
    ints = tf.SparseTensor([[0, 1]], [7], [1, 2]) / 2  # as Tensor's /: int32 -> float64
    assert ints.values.op.type == "SparseDenseCwiseDiv" and ints.dtype == tf.float64
    values = sess.run(
        [
            scaled.values,
            (sp / tf.constant([1.0, 2.0, 4.0])).values,
            ints.values,
            (sp * [[1.0], [10.0]]).values,
        ]
    )
    expected = [[6.0, 12.0], [2.0, 1.0], [3.5], [2.0, 40.0]]  # TF 2.21
    for value, want in zip(values, expected):
        np.testing.assert_array_equal(value, want)
    with pytest.raises(TypeError):
        3.0 * sp  # as TF's: no reflected operators, and no +
    with pytest.raises(TypeError):
        sp + 1.0


def test_a_dense_side_that_does_not_broadcast_to_the_sparse_one_fails(sess):
    sp = tf.SparseTensor([[0, 0], [1, 2]], [2.0, 4.0], [2, 3])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"got incompatible shapes: \[2,3\] vs. \[2\]"
    ):
        sess.run((sp * tf.constant([1.0, 2.0])).values)
    outside = tf.SparseTensor([[0, 5]], [1.0], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out-of-bounds"):
        sess.run((outside * tf.constant([1.0, 2.0, 3.0])).values)


def test_sparse_times_and_over_dense_gradients(sess):
    sp = tf.SparseTensor([[0, 0], [1, 2]], [2.0, 4.0], [2, 3])
    dense = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    product = (sp * dense).values
    quotient = (sp / dense).values
    grads = sess.run(
        tf.gradients(tf.reduce_sum(product * product), [sp.values, dense])
        + tf.gradients(tf.reduce_sum(quotient), [sp.values, dense])
    )
    expected = [  # TF 2.21
        [4.0, 288.0],
        [[8.0, 0.0, 0.0], [0.0, 0.0, 192.0]],
        [1.0, 1 / 6],
        [[-2.0, 0.0, 0.0], [0.0, 0.0, -1 / 9]],
    ]
    for value, want in zip(grads, expected):
        np.testing.assert_allclose(value, want, rtol=1e-6)


@pytest.mark.parametrize("operator", ["mul", "truediv"])
def test_sparse_dense_gradients_with_broadcasting_match_finite_differences(operator):
    def build(values, dense):
        sp = tf.SparseTensor(IDX, values, [3, 4])
        return (sp * dense if operator == "mul" else sp / dense).values

    with tf.Graph().as_default():
        check_gradients(build, [RNG.normal(size=5), RNG.uniform(1, 2, (1, 4))])
