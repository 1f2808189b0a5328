"""Sparse arithmetic, crosses, counts and serialization beyond TF's recorded values
(``test_sparse_fixtures.py``): against numpy and Python on random inputs, the
gradients against finite differences, and deserialization of hostile bytes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.proto import graph_pb2
from runtime.sparse_codec import encode_tensor
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1


def _random_sparse(rng, shape, density=0.5, dtype=np.float64):
    dense = np.where(rng.random(shape) < density, rng.standard_normal(shape), 0).astype(dtype)
    indices = np.argwhere(dense != 0)
    return dense, tf.SparseTensor(indices, dense[dense != 0], shape)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_sparse_maximum_and_minimum_are_numpys_on_the_union(rows, cols, seed):
    rng = np.random.default_rng(seed)
    with tf.Graph().as_default(), v1.Session() as session:
        a, sa = _random_sparse(rng, (rows, cols))
        b, sb = _random_sparse(rng, (rows, cols))
        high, low = session.run([tf.sparse.maximum(sa, sb), tf.sparse.minimum(sa, sb)])
    either = np.argwhere((a != 0) | (b != 0))
    assert high.indices.tolist() == low.indices.tolist() == either.tolist()
    np.testing.assert_array_equal(high.values, np.maximum(a, b)[tuple(either.T)])
    np.testing.assert_array_equal(low.values, np.minimum(a, b)[tuple(either.T)])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_sparse_softmax_normalizes_each_row_over_its_entries(rows, cols, seed):
    rng = np.random.default_rng(seed)
    with tf.Graph().as_default(), v1.Session() as session:
        dense, st_ = _random_sparse(rng, (rows, cols), 0.6)
        value = session.run(tf.sparse.softmax(st_))
    for row in range(rows):
        mine = value.indices[:, 0] == row
        if mine.any():
            present = dense[row][dense[row] != 0]
            np.testing.assert_allclose(value.values[mine], np.exp(present) / np.exp(present).sum())


def test_sparse_softmax_gradient_matches_finite_differences():
    indices = [[0, 0], [0, 2], [1, 1], [1, 2], [1, 3]]
    check_gradients(
        lambda v: tf.sparse.softmax(tf.SparseTensor(indices, v, [2, 4])).values,
        [np.random.default_rng(2).standard_normal(5)],
    )


def test_sparse_matmul_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    check_gradients(
        lambda a, b: v1.sparse_matmul(tf.cast(a, tf.float32), tf.cast(b, tf.float32), True, True),
        [rng.standard_normal((3, 2)), rng.standard_normal((4, 3))],
        delta=1e-3,
        rtol=1e-3,
        atol=1e-4,
    )


def _levenshtein(a, b) -> int:
    table = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, table[0] = table[0], i
        for j, y in enumerate(b, 1):
            previous, table[j] = table[j], min(table[j] + 1, table[j - 1] + 1, previous + (x != y))
    return table[-1]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 3), max_size=5), min_size=1, max_size=3),
    st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=5), min_size=1, max_size=3),
    st.booleans(),
)
def test_edit_distance_is_levenshteins(hypotheses, truths, normalize):
    rows = max(len(hypotheses), len(truths))

    def sparse(sequences):
        indices = [[r, k] for r, seq in enumerate(sequences) for k in range(len(seq))]
        values = [v for seq in sequences for v in seq]
        width = max(map(len, sequences))
        return tf.SparseTensor(
            np.array(indices, np.int64).reshape(-1, 2),
            np.array(values, np.int64),
            [len(sequences), width],
        )

    with tf.Graph().as_default(), v1.Session() as session:
        distances = session.run(tf.edit_distance(sparse(hypotheses), sparse(truths), normalize))
    for r in range(rows):
        h = hypotheses[r] if r < len(hypotheses) else []
        t = truths[r] if r < len(truths) else []
        if not t and normalize:  # nothing to divide by: inf, or 0 where both are empty
            assert distances[r] == (np.inf if h else 0)
        else:
            assert distances[r] == pytest.approx(_levenshtein(h, t) / (len(t) if normalize else 1))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_sparse_cross_is_the_cartesian_product_per_row(rows, seed):
    rng = np.random.default_rng(seed)
    columns = [
        [[f"c{c}v{rng.integers(9)}" for _ in range(rng.integers(0, 3))] for _ in range(rows)]
        for c in range(3)
    ]

    def sparse(column):
        indices = [[r, k] for r, row in enumerate(column) for k in range(len(row))]
        values = np.array([v for row in column for v in row], object).astype("S")
        return tf.SparseTensor(np.array(indices, np.int64).reshape(-1, 2), values, [rows, 3])

    with tf.Graph().as_default(), v1.Session() as session:
        crossed = session.run(tf.sparse.cross([sparse(c) for c in columns], separator="*"))
    expected = [
        ["*".join(parts) for parts in itertools.product(*(c[r] for c in columns))]
        for r in range(rows)
    ]
    got = [[] for _ in range(rows)]
    for (r, _), value in zip(crossed.indices.tolist(), crossed.values.tolist()):
        got[r].append(value.decode())
    assert got == expected


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_serialize_many_then_deserialize_is_identity(rows, cols, seed):
    rng = np.random.default_rng(seed)
    with tf.Graph().as_default(), v1.Session() as session:
        _, st_ = _random_sparse(rng, (rows, cols, 2), dtype=np.float32)
        back = session.run(
            v1.deserialize_many_sparse(v1.serialize_many_sparse(st_), tf.float32, rank=3)
        )
        original = session.run(st_)
    assert back.indices.tolist() == original.indices.tolist()
    assert back.values.tolist() == original.values.tolist()
    assert back.dense_shape.tolist() == [rows, cols, 2]


def _tensor_proto(dtype: int, dims: list, content: bytes = b"") -> bytes:
    proto = graph_pb2.TensorProto(dtype=dtype, tensor_content=content)
    for size in dims:
        proto.tensor_shape.dim.add().size = size
    return proto.SerializeToString()


@pytest.mark.parametrize(
    "values, dtype, message",
    [
        (_tensor_proto(7, [5], b"\x01"), tf.string, "claims 5 strings in 1 bytes"),
        (_tensor_proto(9, [2**40]), tf.int64, "claims"),
        (b"\xff\xff\xff", tf.int64, "Could not parse"),
    ],
    ids=["strings_claimed", "ints_claimed", "not_a_proto"],
)
def test_deserialize_refuses_hostile_bytes_without_allocating(graph, sess, values, dtype, message):
    indices = encode_tensor(np.zeros((5, 1), np.int64))
    shape = encode_tensor(np.array([5], np.int64))
    rows = tf.constant(np.array([[indices, values, shape]], object))
    with pytest.raises(
        (tf.errors.InvalidArgumentError, tf.errors.ResourceExhaustedError), match=message
    ):
        sess.run(v1.deserialize_many_sparse(rows, dtype).values)
