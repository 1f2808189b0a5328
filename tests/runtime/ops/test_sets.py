"""``tf.sets`` against Python's sets on random rows, dense and sparse, in every
pairing the builders take (TF's own values are in ``test_sparse_fixtures.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf

v1 = tf.compat.v1
OPERATIONS = {
    "intersection": (tf.sets.intersection, lambda a, b: a & b),
    "union": (tf.sets.union, lambda a, b: a | b),
    "difference": (tf.sets.difference, lambda a, b: a - b),
    "reverse_difference": (
        lambda a, b: tf.sets.difference(a, b, aminusb=False),
        lambda a, b: b - a,
    ),
}


def _sparse_rows(rows: np.ndarray, keep: np.ndarray) -> tf.SparseTensor:
    """The entries of ``rows`` where ``keep``, as a sparse tensor of the same shape."""
    indices = np.argwhere(keep)
    return tf.SparseTensor(indices, rows[keep], rows.shape)


def _rows_of(value) -> list:
    rows = [[] for _ in range(value.dense_shape[0])]
    for (row, _), item in zip(value.indices.tolist(), value.values.tolist()):
        rows[row].append(item)
    return rows


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(OPERATIONS)),
    st.sampled_from(["dense-dense", "dense-sparse", "sparse-dense", "sparse-sparse"]),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_set_operations_are_pythons(name, kinds, rows, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 6, (rows, 4)), rng.integers(0, 6, (rows, 3))
    keep_a, keep_b = rng.random(a.shape) < 0.7, rng.random(b.shape) < 0.7
    build, python = OPERATIONS[name]
    with tf.Graph().as_default(), v1.Session() as session:
        left = a if kinds.startswith("dense") else _sparse_rows(a, keep_a)
        right = b if kinds.endswith("dense") else _sparse_rows(b, keep_b)
        result = session.run(build(left, right))
    sets_a = [
        set(r[k].tolist()) if kinds.startswith("sparse") else set(r.tolist())
        for r, k in zip(a, keep_a)
    ]
    sets_b = [
        set(r[k].tolist()) if kinds.endswith("sparse") else set(r.tolist())
        for r, k in zip(b, keep_b)
    ]
    expected = [sorted(python(x, y)) for x, y in zip(sets_a, sets_b)]
    assert _rows_of(result) == expected
    assert result.dense_shape.tolist() == [rows, max(map(len, expected))]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_set_size_counts_distinct_members(rows, seed):
    rng = np.random.default_rng(seed)
    values, keep = rng.integers(0, 4, (rows, 5)), rng.random((rows, 5)) < 0.6
    with tf.Graph().as_default(), v1.Session() as session:
        sizes = session.run(tf.sets.size(_sparse_rows(values, keep)))
    assert sizes.tolist() == [len(set(r[k].tolist())) for r, k in zip(values, keep)]


def test_sparse_sets_must_be_in_order(graph, sess):
    shuffled = tf.SparseTensor([[1, 0], [0, 0]], [3, 4], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="row-major order"):
        sess.run(tf.sets.size(shuffled))
    assert sess.run(tf.sets.size(shuffled, validate_indices=False)).tolist() == [1, 1]


def test_sets_of_floats_are_refused_at_build(graph):
    with pytest.raises(TypeError, match="not in supported dtypes"):
        tf.sets.union([[1.0, 2.0]], [[2.0]])
