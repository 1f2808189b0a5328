"""Linear algebra beyond the TF-recorded cases (tests/runtime/ops/test_math_fixtures.py):
gradients TF does not define, properties over random batches, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from tests.runtime.gradcheck import check_gradients

RNG = np.random.default_rng(7)


def test_lu_gradient_matches_finite_differences():
    """TF registers no gradient for Lu; this one differentiates a[p] = L U."""
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)

    def packed(x):
        factors, _ = tf.linalg.lu(x)
        return factors

    check_gradients(packed, [a], rtol=1e-4)


def test_lu_round_trips_on_random_batches(sess):
    a = RNG.standard_normal((4, 5, 5))
    factors, perm = tf.linalg.lu(a)
    rebuilt, inverse = (
        tf.linalg.lu_reconstruct(factors, perm),
        tf.linalg.lu_matrix_inverse(factors, perm),
    )
    got_rebuilt, got_inverse, got_perm = sess.run([rebuilt, inverse, perm])
    np.testing.assert_allclose(got_rebuilt, a, atol=1e-12)
    np.testing.assert_allclose(got_inverse, np.linalg.inv(a), rtol=1e-8, atol=1e-10)
    assert sorted(got_perm[0].tolist()) == list(range(5))


def test_pseudo_inverse_satisfies_penrose_conditions(sess):
    a = RNG.standard_normal((3, 5, 2)) @ RNG.standard_normal((3, 2, 4))  # rank 2
    p = sess.run(tf.linalg.pinv(a))
    np.testing.assert_allclose(a @ p @ a, a, atol=1e-10)
    np.testing.assert_allclose(p @ a @ p, p, atol=1e-10)
    assert sess.run(tf.linalg.matrix_rank(a)).tolist() == [2, 2, 2]


def test_triangular_solve_broadcasts_batches(sess):
    lower = np.tril(RNG.standard_normal((3, 3))) + 3 * np.eye(3)
    rhs = RNG.standard_normal((2, 3, 4))
    out = tf.linalg.triangular_solve(lower, rhs)
    assert out.shape == (2, 3, 4)
    np.testing.assert_allclose(sess.run(out), np.linalg.solve(lower, rhs), rtol=1e-10)


def test_eye_needs_integer_sizes(graph):
    with pytest.raises(TypeError, match="`num_rows` and `num_columns` must be positive integer"):
        tf.eye(2.5)


def test_norm_refuses_unsupported_orders_and_axes(graph):
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got -1"):
        tf.norm(x, ord=-1)
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        tf.norm(x, ord=3, axis=[0, 1])
    with pytest.raises(ValueError, match="tuple of 2 unique integers"):
        tf.norm(x, axis=[1, 1])


def test_lstsq_needs_known_matrix_sizes(graph):
    a = tf.compat.v1.placeholder(tf.float64, [None, 3])
    with pytest.raises(ValueError, match="needs matrices of known size"):
        tf.linalg.lstsq(a, tf.zeros([4, 1], tf.float64))


def test_sort_refuses_unknown_directions(graph):
    with pytest.raises(ValueError, match="Argument `direction` should be one of"):
        tf.sort([3, 1, 2], direction="UP")


def test_einsum_refuses_bad_equations(graph):
    with pytest.raises(ValueError, match="Expecting 2 inputs, got 1"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="output label 'z' does not appear in the inputs"):
        tf.einsum("ij->z", tf.zeros([2, 2]))


@pytest.mark.parametrize("shape", [(5, 3), (2, 4)], ids=["overdetermined", "underdetermined"])
def test_matrix_solve_ls_op_gradient(shape):
    """The MatrixSolveLs op (TF's graphs hold it where lstsq's composite is not used)."""
    from runtime.ops.core import apply_op
    from runtime.ops.linalg_ops import MATRIX_SOLVE_LS

    a, b = RNG.standard_normal(shape), RNG.standard_normal((shape[0], 2))

    def solve(a, b):
        regularizer = tf.constant(0.1, tf.float64)
        return apply_op(MATRIX_SOLVE_LS, [a, b, regularizer], "ls").outputs[0]

    check_gradients(solve, [a, b], rtol=1e-4)
