"""``tf.test``: TestCase, compute_gradient and the small helpers (TF 2.21's results for
compute_gradient are the ones its docs and tests give: the Jacobian ``[x_size, y_size]``)."""

from __future__ import annotations

import os
import unittest

import numpy as np
import pytest

import runtime as tf


def test_compute_gradient_gives_both_jacobians_x_by_y():
    with tf.Graph().as_default(), tf.Session():
        x = tf.constant([1.0, 2.0, 3.0], tf.float64)
        theoretical, numerical = tf.test.compute_gradient(
            x, [3], x * x, [3], x_init_value=np.array([1.0, 2.0, 3.0])
        )
        np.testing.assert_allclose(theoretical, np.diag([2.0, 4.0, 6.0]))
        np.testing.assert_allclose(numerical, theoretical, atol=1e-8)
        p = tf.placeholder(tf.float64, [2, 2])
        pairs = tf.test.compute_gradient([p], [[2, 2]], tf.reduce_sum(p * p, 1), [2])
        assert len(pairs) == 1 and pairs[0][0].shape == (4, 2)
        error = tf.test.compute_gradient_error(x, [3], tf.sin(x), [3])
        assert error < 1e-6


def test_compute_gradient_needs_a_default_session():
    with tf.Graph().as_default():
        x = tf.constant([1.0])
        with pytest.raises(ValueError, match="default session"):
            tf.test.compute_gradient(x, [1], x * 2, [1])


def test_test_case_runs_its_tests_with_sessions_and_assertions():
    stale = tf.InteractiveSession(graph=tf.Graph())  # another graph's default session

    class Case(tf.test.TestCase):
        def test_add(self):
            with self.cached_session():
                self.assertAllClose(tf.add(1.0, 2.0), 3.0)
                self.assertAllEqual(self.evaluate(tf.constant([1, 2])), [1, 2])
                self.assertAllInRange(tf.constant([0.5, 1.0]), 0.0, 1.0)
                self.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
            with self.assertRaisesOpError("must be fed|placeholder"):
                with self.session() as sess:
                    sess.run(tf.placeholder(tf.float32) + 1)

        def test_fails(self):
            self.assertAllEqual([1, 2], [1, 3])

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    stale.close()
    assert result.testsRun == 2 and not result.errors, result.errors
    failed = {test.id().split(".")[-1]: text for test, text in result.failures}
    assert list(failed) == ["test_fails"], failed


def test_helpers():
    assert os.path.isdir(tf.test.get_temp_dir())
    assert tf.test.is_gpu_available() is False and tf.test.gpu_device_name() == ""
    assert isinstance(tf.test.benchmark_config(), tf.ConfigProto)
    assert tf.test.mock is unittest.mock
    with tf.Graph().as_default() as a:
        tf.constant(1.0, name="c")
    with tf.Graph().as_default() as b:
        tf.constant(2.0, name="c")
    tf.test.assert_equal_graph_def(a.as_graph_def(), a.as_graph_def())
    with pytest.raises(AssertionError, match="Node 'c' differs"):
        tf.test.assert_equal_graph_def(a.as_graph_def(), b.as_graph_def())


def test_stub_out_and_benchmark(capsys):
    class Holder:
        value = 1

    with tf.test.StubOutForTesting() as stubs:
        stubs.Set(Holder, "value", 2)
        assert Holder.value == 2
    assert Holder.value == 1
    with tf.Graph().as_default(), tf.Session() as sess:
        result = tf.test.Benchmark().run_op_benchmark(sess, tf.constant(1.0), min_iters=3)
    assert result["iters"] == 3 and result["wall_time"] >= 0
    assert "Benchmark [Benchmark] iters: 3" in capsys.readouterr().out
