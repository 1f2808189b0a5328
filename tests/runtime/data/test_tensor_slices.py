"""``Dataset.from_tensor_slices`` of sparse tensors and of components whose sizes differ,
and ``padded_batch`` past its padded shape. Expected values and error classes are TF
2.21's."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.errors import DataLossError, InvalidArgumentError

v1 = tf.compat.v1
Dataset = tf.data.Dataset


def _all(dataset, feed=None) -> list:
    iterator = v1.data.make_initializable_iterator(dataset)
    element = iterator.get_next()
    values = []
    with v1.Session() as sess:
        sess.run(iterator.initializer, feed)
        try:
            while True:
                values.append(sess.run(element))
        except tf.errors.OutOfRangeError:
            return values


def _sparse(value) -> tuple:
    return value.indices.tolist(), value.values.tolist(), value.dense_shape.tolist()


# -- sizes of the components -----------------------------------------------------------


@pytest.mark.parametrize(
    "tensors",
    [
        (np.arange(3), np.arange(4)),
        {"a": np.arange(3), "b": np.zeros((4, 2))},
    ],
)
def test_static_sizes_that_differ_fail_when_built(graph, tensors):
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        Dataset.from_tensor_slices(tensors)


def test_sizes_known_only_at_run_time_fail_then(graph):
    size = v1.placeholder(tf.int64, [None])
    dataset = Dataset.from_tensor_slices((size, np.arange(4)))  # builds (TF 2.21)
    with pytest.raises(InvalidArgumentError, match="same size"):
        _all(dataset, {size: np.arange(3)})
    assert len(_all(dataset, {size: np.arange(4)})) == 4


def test_scalar_components_are_refused(graph):
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices((np.arange(3), 5))


# -- sparse tensors ----------------------------------------------------------------------


def test_a_sparse_tensor_is_sliced_into_its_rows(graph):
    dataset = Dataset.from_tensor_slices(tf.SparseTensor([[0, 0], [1, 2]], [1, 2], [2, 3]))
    assert v1.data.get_output_classes(dataset) is tf.SparseTensor
    assert v1.data.get_output_shapes(dataset).as_list() == [3]
    values = _all(dataset)
    assert [_sparse(v) for v in values] == [([[0]], [1], [3]), ([[2]], [2], [3])]  # (TF 2.21)
    assert all(isinstance(v, tf.SparseTensorValue) for v in values)


def test_rows_without_values_are_empty_sparse_tensors(graph):
    values = _all(Dataset.from_tensor_slices(tf.SparseTensor([[2, 1]], [5], [4, 3])))
    assert [_sparse(v) for v in values] == [
        ([], [], [3]),
        ([], [], [3]),
        ([[1]], [5], [3]),
        ([], [], [3]),
    ]
    assert values[0].indices.shape == (0, 1)


def test_sparse_and_dense_slices_together_in_map(graph):
    rows = tf.SparseTensor([[0, 0, 1], [2, 1, 0]], [b"x", b"y"], [3, 2, 2])
    dataset = Dataset.from_tensor_slices((rows, [7, 8, 9]))
    assert v1.data.get_output_shapes(dataset)[0].as_list() == [2, 2]
    dense = dataset.map(lambda s, n: (tf.sparse.to_dense(s, default_value=b"-"), n))
    values = [(grid.tolist(), int(n)) for grid, n in _all(dense)]
    assert values == [
        ([[b"-", b"x"], [b"-", b"-"]], 7),
        ([[b"-", b"-"], [b"-", b"-"]], 8),
        ([[b"-", b"-"], [b"y", b"-"]], 9),
    ]


def test_sparse_slices_batch_back(graph):
    rows = tf.SparseTensor([[0, 0], [1, 2], [2, 1]], [1.0, 2.0, 3.0], [3, 3])
    values = _all(Dataset.from_tensor_slices(rows).batch(2))
    assert [_sparse(v) for v in values] == [
        ([[0, 0], [1, 2]], [1.0, 2.0], [2, 3]),
        ([[0, 1]], [3.0], [1, 3]),
    ]


def test_a_fed_sparse_placeholder_is_sliced(graph):
    rows = v1.sparse_placeholder(tf.float32, [None, 2])
    dataset = Dataset.from_tensor_slices(rows)
    feed = {rows: tf.SparseTensorValue([[1, 0]], [4.0], [2, 2])}
    assert [_sparse(v) for v in _all(dataset, feed)] == [([], [], [2]), ([[0]], [4.0], [2])]


def test_a_sparse_size_that_differs_fails_at_run_time(graph):
    # TF 2.21 builds this dataset and fails when it runs.
    dataset = Dataset.from_tensor_slices((tf.SparseTensor([[0, 0]], [1], [2, 3]), [1, 2, 3]))
    with pytest.raises(InvalidArgumentError, match="same size"):
        _all(dataset)


def test_a_scalar_sparse_tensor_is_refused(graph):
    scalar = tf.SparseTensor(np.zeros((0, 0), np.int64), tf.zeros([0], tf.int32), [])
    with pytest.raises(ValueError, match="sparse tensor is only supported for rank >= 1"):
        Dataset.from_tensor_slices(scalar)


# -- padded_batch ------------------------------------------------------------------------


def test_padding_to_a_smaller_size_is_data_loss(graph):
    dataset = Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).padded_batch(2, padded_shapes=[1])
    with pytest.raises(
        DataLossError, match=r"Attempted to pad to a smaller size than the input element\."
    ):
        _all(dataset)
