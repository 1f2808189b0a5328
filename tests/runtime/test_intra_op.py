"""Intra-op parallelism: blocks on the session's threads, large products split by rows."""

from __future__ import annotations

import threading
import time
import warnings

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


def test_blocks_run_on_the_caller_and_the_intra_op_threads(two_threads):
    def name(_):
        time.sleep(0.01)
        return threading.current_thread().name

    names = set(intra_op.map_blocks(name, list(range(8))))
    assert threading.current_thread().name in names
    assert len(names) == 2 and any(n.startswith("tfgraph-intra-op") for n in names)
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


def test_pools_and_their_gradients_split_by_images_and_match(monkeypatch):
    # Each kernel run unsplit outside a session, then split across two threads: equal
    # values, and the work went in two parts. The 5x5 input leaves a row and column
    # that the 2x2 windows don't cover: they get no gradient.
    from runtime.kernels.nn import pooling
    from runtime.kernels.nn.windows import Windows

    rng = np.random.default_rng(2)
    x = np.maximum(rng.standard_normal((4, 5, 5, 3)).astype(np.float32), 0)  # ties at 0
    grad = rng.standard_normal((4, 2, 2, 3)).astype(np.float32)
    win = Windows.of((5, 5), (2, 2), (2, 2), "VALID")
    kernels = {
        "max_pool": lambda: pooling.max_pool_forward(x, win),
        "max_pool_grad": lambda: pooling.max_pool_backward(x, grad, win),
    }
    unsplit = {name: kernel() for name, kernel in kernels.items()}
    assert (unsplit["max_pool_grad"][:, 4] == 0).all() and unsplit["max_pool_grad"].any()
    calls, split = [], intra_op.map_blocks
    monkeypatch.setattr(intra_op, "PARALLEL_WORK", 1)
    for module in (intra_op, pooling):
        monkeypatch.setattr(
            module,
            "map_blocks",
            lambda fn, blocks, threads: calls.append(blocks) or split(fn, blocks, threads),
        )
    with tf1.Session(graph=tf.Graph(), config=tf1.ConfigProto(intra_op_parallelism_threads=2)):
        for name, kernel in kernels.items():
            calls.clear()
            np.testing.assert_array_equal(kernel(), unsplit[name], err_msg=name)
            assert calls == [[slice(0, 2), slice(2, 4)]], name


def test_a_failing_block_stops_the_rest_and_raises_once_claimed_ones_finish(two_threads):
    finished = []

    def block(index):
        if index == 1:
            raise ValueError("block 1")
        time.sleep(0.01)
        finished.append(index)
        return index

    with pytest.raises(ValueError, match="block 1"):
        intra_op.map_blocks(block, list(range(6)))
    # Block 0, claimed before block 1 failed, ran to its end; none started after.
    assert finished == [0]
    assert intra_op.map_blocks(lambda i: i * i, [1, 2, 3]) == [1, 4, 9]  # still usable


@pytest.mark.parametrize("intra, inter", [(2, 2), (2, 1), (1, 2)])
def test_a_split_product_overflows_quietly_as_tf(intra, inter):
    """Ops make inf quietly, as in TF, also when a helper thread computes part of one
    (numpy's error state is per thread): no RuntimeWarning, with warnings as errors."""
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [512, 2048])
        y = tf.matmul(x, tf.transpose(x))  # 2^29 multiply-adds: split across threads
        config = tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=intra, inter_op_parallelism_threads=inter
        )
        with tf.compat.v1.Session(config=config) as sess, warnings.catch_warnings():
            warnings.simplefilter("error")
            out = sess.run(y, {x: np.full((512, 2048), 1e30, np.float32)})
    assert np.isinf(out).all()
