"""String elements inside a ``tf.data`` pipeline are string tensors like any other (0-d
object arrays of ``bytes``): kernels take them, and batching keeps every byte, NULs
included. Expected values are TF 2.21's."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
Dataset = tf.data.Dataset
WITH_NULS = [b"a\x00", b"b\x00\x00", b"c"]


def _all(dataset) -> list:
    element = v1.data.make_one_shot_iterator(dataset).get_next()
    values = []
    with v1.Session() as sess:
        try:
            while True:
                values.append(sess.run(element))
        except tf.errors.OutOfRangeError:
            return values


def _strings(array) -> list:
    """The items of a fetched string array, checked to be an object array of ``bytes``."""
    assert array.dtype == object
    assert all(type(item) is bytes for item in array.reshape(-1))
    return array.tolist()


def test_a_string_element_is_fetched_as_bytes(graph):
    assert [(type(v), v) for v in _all(Dataset.from_tensor_slices(["a", "b"]))] == [
        (bytes, b"a"),
        (bytes, b"b"),
    ]


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda s: tf.expand_dims(s, 0), [[b"a"], [b"b"]]),
        (lambda s: tf.stack([s, s]), [[b"a", b"a"], [b"b", b"b"]]),
        (lambda s: tf.reshape(s, [1, 1]), [[[b"a"]], [[b"b"]]]),
    ],
)
def test_kernels_take_a_sliced_string_element(graph, fn, expected):
    values = _all(Dataset.from_tensor_slices(["a", "b"]).map(fn))
    assert [_strings(v) for v in values] == expected


def test_a_batch_of_strings_keeps_trailing_nul_bytes(graph):
    (batch,) = _all(Dataset.from_tensor_slices(WITH_NULS).batch(3))
    assert _strings(batch) == WITH_NULS  # lengths [2, 3, 1] (TF 2.21)


def test_unbatch_keeps_trailing_nul_bytes(graph):
    values = _all(Dataset.from_tensors([b"a\x00", b"b"]).unbatch())
    assert [(type(v), v) for v in values] == [(bytes, b"a\x00"), (bytes, b"b")]
    (batch,) = _all(Dataset.from_tensors([b"a\x00", b"b"]).unbatch().batch(2))
    assert _strings(batch) == [b"a\x00", b"b"]


def test_experimental_unbatch_keeps_trailing_nul_bytes(graph):
    dataset = Dataset.from_tensor_slices([[b"a\x00", b"b"]]).apply(tf.data.experimental.unbatch())
    assert _all(dataset) == [b"a\x00", b"b"]


def test_padded_batch_of_scalar_strings_stores_bytes(graph):
    dataset = Dataset.from_tensor_slices([[b"a\x00"], [b"b"]]).unbatch().padded_batch(2, [])
    (batch,) = _all(dataset)
    assert _strings(batch) == [b"a\x00", b"b"]


def test_padded_batch_of_string_vectors(graph):
    (batch,) = _all(Dataset.from_tensor_slices([[b"a\x00"], [b"b"]]).padded_batch(2, [2]))
    assert _strings(batch) == [[b"a\x00", b""], [b"b", b""]]


@pytest.mark.parametrize(
    "transform",
    [
        lambda ds: ds.window(3).flat_map(lambda w: w.batch(3)),
        lambda ds: ds.cache().batch(3),
        lambda ds: Dataset.zip((ds, Dataset.range(3))).map(lambda s, _: s).batch(3),
        lambda ds: ds.apply(
            tf.data.experimental.group_by_window(
                lambda s: tf.constant(0, tf.int64), lambda _, w: w.batch(3), 3
            )
        ),
    ],
)
def test_strings_with_nul_bytes_survive_transformations(graph, transform):
    (batch,) = _all(transform(Dataset.from_tensor_slices(WITH_NULS)))
    assert _strings(batch) == WITH_NULS


def test_dense_to_sparse_batch_of_strings_keeps_nul_bytes(graph):
    dataset = (
        Dataset.from_tensor_slices(WITH_NULS)
        .map(lambda s: tf.expand_dims(s, 0))
        .apply(tf.data.experimental.dense_to_sparse_batch(3, [2]))
    )
    (batch,) = _all(dataset)
    assert _strings(batch.values) == WITH_NULS
    assert batch.dense_shape.tolist() == [3, 2]


def test_numeric_elements_are_unchanged(graph):
    values = _all(Dataset.from_tensor_slices(np.array([1, 2], np.int32)))
    assert [(type(v), v) for v in values] == [(np.int32, 1), (np.int32, 2)]  # (TF 2.21)
