"""Clipping a sparse gradient: the clips take an ``IndexedSlices`` by its slices.

The gradient of ``embedding_lookup(emb, [1, 1])`` is two slices of ones at row 1. TF's
norms count the slices (a row looked up twice counts twice: norm 2.0, where the dense
``[[0, 0], [2, 2]]`` has 2.83) and its clips return an ``IndexedSlices`` at the same
indices. The expected values below are TF 2.21's.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.indexed_slices import IndexedSlices

v1 = tf.compat.v1


@pytest.fixture
def lookup_grad(graph):
    emb = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="emb")
    grad = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(emb, [1, 1])), emb)[0]
    assert isinstance(grad, IndexedSlices)
    return grad


def _run(graph, *fetches):
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        return sess.run(list(fetches))


def test_global_norm_counts_each_slice(graph, lookup_grad):
    norm = tf.linalg.global_norm([lookup_grad])
    assert norm.name == "global_norm/global_norm:0"  # (TF 2.21)
    assert _run(graph, norm) == [pytest.approx(2.0)]  # (TF 2.21; dense: 2.83)


def test_clip_by_global_norm_keeps_the_gradient_sparse(graph, lookup_grad):
    (clipped,), norm = tf.clip_by_global_norm([lookup_grad], 1.0)
    assert isinstance(clipped, IndexedSlices)
    assert clipped.indices is lookup_grad.indices
    assert clipped.dense_shape is lookup_grad.dense_shape
    assert clipped.values.name == "clip_by_global_norm/clip_by_global_norm/_0:0"  # (TF 2.21)
    values, dense, norm_value = _run(graph, clipped.values, tf.convert_to_tensor(clipped), norm)
    np.testing.assert_allclose(values, [[0.5, 0.5], [0.5, 0.5]])  # (TF 2.21)
    np.testing.assert_allclose(dense, [[0.0, 0.0], [1.0, 1.0]])  # (TF 2.21)
    assert norm_value == pytest.approx(2.0)


def test_clip_by_global_norm_mixes_dense_sparse_and_none(graph, lookup_grad):
    dense = tf.constant([0.0, 2.0])
    (a, b, c), norm = tf.clip_by_global_norm([dense, None, lookup_grad], 1.0)
    assert b is None and isinstance(c, IndexedSlices) and not isinstance(a, IndexedSlices)
    a_value, c_value, norm_value = _run(graph, a, c.values, norm)
    assert norm_value == pytest.approx(np.sqrt(8.0))
    np.testing.assert_allclose(a_value, [0.0, 2.0] / np.sqrt(8.0), rtol=1e-6)
    np.testing.assert_allclose(c_value, np.ones((2, 2)) / np.sqrt(8.0), rtol=1e-6)


def test_clip_by_norm_keeps_the_gradient_sparse(graph, lookup_grad):
    whole = tf.clip_by_norm(lookup_grad, 1.0)
    rows = tf.clip_by_norm(lookup_grad, 1.0, axes=[1])
    assert isinstance(whole, IndexedSlices) and isinstance(rows, IndexedSlices)
    assert whole.values.name == "clip_by_norm:0"  # (TF 2.21)
    whole_dense, rows_dense = _run(graph, tf.convert_to_tensor(whole), tf.convert_to_tensor(rows))
    np.testing.assert_allclose(whole_dense, [[0.0, 0.0], [1.0, 1.0]])  # (TF 2.21)
    # Each slice clipped to norm 1, then the two added up (TF 2.21).
    np.testing.assert_allclose(rows_dense, [[0.0, 0.0], [np.sqrt(2.0)] * 2], rtol=1e-6)


def test_clip_by_value_keeps_the_gradient_sparse(graph, lookup_grad):
    clipped = tf.clip_by_value(lookup_grad, -0.5, 0.5)
    assert isinstance(clipped, IndexedSlices)
    assert clipped.values.name == "clip_by_value:0"  # (TF 2.21)
    (dense,) = _run(graph, tf.convert_to_tensor(clipped))
    np.testing.assert_allclose(dense, [[0.0, 0.0], [1.0, 1.0]])  # (TF 2.21)


def test_clip_by_average_norm_densifies_as_tf_does(graph, lookup_grad):
    clipped = v1.clip_by_average_norm(lookup_grad, 1.0)
    assert not isinstance(clipped, IndexedSlices)  # (TF 2.21: a Tensor)
    (value,) = _run(graph, clipped)
    np.testing.assert_allclose(value, [[0.0, 0.0], [2.0, 2.0]])  # (TF 2.21)


def test_a_clipped_sparse_gradient_trains_only_its_rows(graph, lookup_grad):
    emb = v1.global_variables()[0]
    (clipped,), _ = tf.clip_by_global_norm([lookup_grad], 1.0)
    train = v1.train.GradientDescentOptimizer(1.0).apply_gradients([(clipped, emb)])
    with v1.Session(graph=graph) as sess:
        sess.run(emb.initializer)
        sess.run(train)
        np.testing.assert_allclose(sess.run(emb), [[1.0, 2.0], [2.0, 3.0]])
