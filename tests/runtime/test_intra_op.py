"""Intra-op parallelism: blocks on the session's threads, large products split by rows."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import runtime as tf
from runtime import intra_op

tf1 = tf.compat.v1


@pytest.fixture
def two_threads():
    with tf1.Session(graph=tf.Graph(), config=tf1.ConfigProto(intra_op_parallelism_threads=2)):
        yield


def test_outside_a_session_blocks_run_in_the_calling_thread():
    names = intra_op.map_blocks(lambda _: threading.current_thread().name, [1, 2, 3])
    assert names == [threading.current_thread().name] * 3
    assert intra_op.parts(7) == [slice(0, 7)]


def test_blocks_run_on_the_intra_op_threads(two_threads):
    names = intra_op.map_blocks(lambda _: threading.current_thread().name, list(range(8)))
    assert all(name.startswith("tfgraph-intra-op") for name in names)
    assert intra_op.parts(7) == [slice(0, 3), slice(3, 7)]
    assert intra_op.parts(1) == [slice(0, 1)]


@pytest.mark.parametrize("transpose", [False, True])
def test_split_product_equals_numpy(two_threads, monkeypatch, transpose):
    monkeypatch.setattr(intra_op, "PARALLEL_WORK", 1)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((40, 30)).astype(np.float32)
    b = rng.standard_normal((30, 20)).astype(np.float32)
    a = np.ascontiguousarray(a.T).T if transpose else a  # a transposed view, as MatMul passes
    calls = []
    monkeypatch.setattr(
        intra_op,
        "map_blocks",
        lambda fn, blocks, threads: calls.append(blocks) or [fn(b) for b in blocks],
    )
    product = intra_op.matmul(a, b)
    assert calls == [[slice(0, 20), slice(20, 40)]]  # the rows were split in two
    np.testing.assert_allclose(product, a @ b, rtol=1e-5)
    assert product.dtype == np.float32


def test_matmul_op_splits_and_matches(two_threads, monkeypatch):
    monkeypatch.setattr(intra_op, "PARALLEL_WORK", 1)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((16, 8)).astype(np.float32)
    b = rng.standard_normal((16, 5)).astype(np.float32)
    with tf.Graph().as_default():
        product = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=True)
        config = tf1.ConfigProto(intra_op_parallelism_threads=2)
        config.graph_options.rewrite_options.disable_meta_optimizer = True
        with tf1.Session(config=config) as sess:
            np.testing.assert_allclose(sess.run(product), a.T @ b, rtol=1e-5)


def test_small_products_are_not_split(two_threads, monkeypatch):
    calls = []
    monkeypatch.setattr(intra_op, "map_blocks", lambda fn, blocks, threads: calls.append(blocks))
    a = np.ones((64, 64), np.float32)
    np.testing.assert_array_equal(intra_op.matmul(a, a), a @ a)
    assert calls == []
