"""Categorical, gamma, Poisson and stateless samplers.

TF's numbers are not reproduced (numpy's PCG64 draws them), so the tests check what does
carry over, against ``tests/fixtures/tf_random`` recorded from TF 2.21 (dtypes, static
shapes, the deterministic ``RandomGammaGrad``, errors), the distributions statistically,
and the seeds: a seeded stateful op repeats in a new session, a stateless op repeats
everywhere for its seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import runtime as tf
from runtime.kernels import special
from runtime.ops.core import apply_op
from runtime.ops.random_ops import RANDOM_GAMMA_GRAD
from tests.fixtures.tf_random.cases import ERRORS, SAMPLERS
from tests.runtime.ops import recorded

v1 = tf.compat.v1


def _run(fetches, feed=None):
    with v1.Session() as sess:
        return sess.run(fetches, feed)


# -- against TF's records ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_dtype_and_static_shape_are_tfs(name):
    _, meta = recorded.fixture("random")
    expected = meta["samplers"][name]
    with tf.Graph().as_default() as graph:
        sample = SAMPLERS[name](tf)
        assert sample.dtype.name == expected["dtype"]
        assert sample.shape.as_list() == expected["shape"]
        if not any(op.type == "Placeholder" for op in graph.get_operations()):
            value = _run(sample)
            assert value.dtype == np.dtype(expected["dtype"])
            assert list(value.shape) == expected["shape"]


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    recorded.check_error(case, "random")


def test_random_gamma_grad_is_tfs():
    values, _ = recorded.fixture("random")
    alpha, sample = values["gamma_grad:alpha"], values["gamma_grad:sample"]
    with tf.Graph().as_default():
        grad = apply_op(RANDOM_GAMMA_GRAD, [alpha, sample], "RandomGammaGrad").outputs[0]
        ours = _run(grad)
    np.testing.assert_allclose(ours, values["gamma_grad:grad"], rtol=1e-5)


def test_random_gamma_grad_is_the_implicit_derivative_of_the_cdf():
    # A sample x at quantile q moves with alpha so that P(alpha, x) stays q:
    # dx/dalpha = -(dP/dalpha) / (dP/dx), checked here by central differences of P.
    alpha = np.array([0.3, 1.0, 4.0, 20.0])
    x = np.array([0.1, 0.8, 5.0, 18.0])
    step = 1e-5
    dp_dalpha = (special.igamma(alpha + step, x) - special.igamma(alpha - step, x)) / (2 * step)
    dp_dx = (special.igamma(alpha, x + step) - special.igamma(alpha, x - step)) / (2 * step)
    with tf.Graph().as_default():
        ours = _run(apply_op(RANDOM_GAMMA_GRAD, [alpha, x], "RandomGammaGrad").outputs[0])
    np.testing.assert_allclose(ours, -dp_dalpha / dp_dx, rtol=1e-5)


# -- distributions ----------------------------------------------------------------------


def test_multinomial_draws_classes_by_their_softmax_probabilities():
    logits = np.log([[0.2, 0.5, 0.3], [0.7, 1.0, 0.3]])
    logits[1, 1] = -np.inf
    with tf.Graph().as_default():
        draws = _run(v1.multinomial(logits, 20000, seed=5))
    for row, probabilities in zip(draws, [[0.2, 0.5, 0.3], [0.7, 0.0, 0.3]]):
        frequencies = np.bincount(row, minlength=3) / row.size
        np.testing.assert_allclose(frequencies, probabilities, atol=0.015)
    assert not (draws[1] == 1).any()  # -inf: never drawn


def test_multinomial_rows_without_a_finite_logit_draw_num_classes_as_tf():
    with tf.Graph().as_default():
        draws = _run(v1.multinomial([[-np.inf, -np.inf], [np.nan, 0.0]], 5, seed=1))
    assert draws.tolist() == [[2] * 5, [1] * 5]


@pytest.mark.parametrize("alpha, beta", [(0.3, 1.0), (1.0, 2.0), (7.5, 0.5)])
def test_random_gamma_has_gammas_moments(alpha, beta):
    with tf.Graph().as_default():
        values = _run(v1.random_gamma([40000], alpha, beta=beta, dtype=tf.float64, seed=2))
    mean, variance = alpha / beta, alpha / beta**2
    assert values.mean() == pytest.approx(mean, rel=0.03)
    assert values.var() == pytest.approx(variance, rel=0.06)
    assert (values > 0).all()


def test_random_gamma_edges_as_tf():
    with tf.Graph().as_default():
        values = _run(v1.random_gamma([3], [-1.0, 0.0], seed=1))
    assert np.isnan(values[:, 0]).all()
    assert (values[:, 1] == np.finfo(np.float32).tiny).all()  # 0, floored at tiny


def test_gamma_gradients_are_the_reparameterized_ones():
    # E[x] = alpha / beta, so the mean gradient of the samples is 1 / beta for alpha and
    # -alpha / beta**2 for beta; the same for the stateless sampler.
    with tf.Graph().as_default():
        alpha = tf.constant([0.7, 3.0], tf.float64)
        beta = tf.constant([2.0, 0.5], tf.float64)
        stateful = v1.random_gamma([10000], alpha, beta=beta, dtype=tf.float64, seed=3)
        stateless = tf.random.stateless_gamma(
            [10000, 2], seed=[4, 5], alpha=alpha, beta=beta, dtype=tf.float64
        )
        grads = [tf.gradients(sample, [alpha, beta]) for sample in (stateful, stateless)]
        values = _run(grads)
    for d_alpha, d_beta in values:
        np.testing.assert_allclose(d_alpha / 10000, [0.5, 2.0], rtol=0.05)
        np.testing.assert_allclose(d_beta / 10000, [-0.7 / 4, -12.0], rtol=0.05)


def test_random_poisson_has_poissons_moments_and_tfs_edges():
    with tf.Graph().as_default():
        values = _run(v1.random_poisson([0.5, 6.0, -1.0], [30000], seed=6))
    for column, lam in zip(values.T[:2], (0.5, 6.0)):
        assert column.mean() == pytest.approx(lam, rel=0.03)
        assert column.var() == pytest.approx(lam, rel=0.06)
    assert (values[:, 2] == 0).all()  # a negative rate draws 0, as TF's


def test_seeded_stateful_samplers_repeat_in_a_new_session_and_move_on_within_one():
    def draws():
        with tf.Graph().as_default():
            v1.set_random_seed(11)
            samplers = [
                v1.multinomial([[0.0, 0.0, 0.0]], 8),
                v1.random_gamma([4], 2.0),
                v1.random_poisson(3.0, [4]),
            ]
            with v1.Session() as sess:
                return [sess.run(samplers), sess.run(samplers)]

    (first, second), (again, _) = draws(), draws()
    for a, b, c in zip(first, second, again):
        np.testing.assert_array_equal(a, c)
        assert not np.array_equal(a, b)


# -- stateless samplers ------------------------------------------------------------------

_STATELESS = {
    "uniform": lambda seed: tf.random.stateless_uniform([500], seed),
    "uniform_int": lambda seed: tf.random.stateless_uniform(
        [500], seed, minval=-3, maxval=4, dtype=tf.int64
    ),
    "normal": lambda seed: tf.random.stateless_normal([500], seed),
    "truncated_normal": lambda seed: tf.random.stateless_truncated_normal([500], seed),
    "categorical": lambda seed: tf.random.stateless_categorical([[0.0, 0.0, 0.0]], 500, seed),
    "gamma": lambda seed: tf.random.stateless_gamma([500], seed, alpha=2.0),
    "poisson": lambda seed: tf.random.stateless_poisson([500], seed, lam=4.0),
    "binomial": lambda seed: tf.random.stateless_binomial([500], seed, counts=10.0, probs=0.5),
    "truncated": lambda seed: tf.random.stateless_parameterized_truncated_normal([500], seed),
}


@pytest.mark.parametrize("name", sorted(_STATELESS))
def test_stateless_numbers_depend_on_the_seed_alone(name):
    def draw(seed, graph_seed):
        with tf.Graph().as_default():
            v1.set_random_seed(graph_seed)
            seed_input = v1.placeholder(tf.int64, [2])
            sample = _STATELESS[name](seed_input)
            with v1.Session() as sess:
                return [sess.run(sample, {seed_input: seed}) for _ in range(2)]

    first, repeated = draw([1, 2], graph_seed=1)
    elsewhere, _ = draw([1, 2], graph_seed=99)
    other, _ = draw([2, 1], graph_seed=1)
    np.testing.assert_array_equal(first, repeated)
    np.testing.assert_array_equal(first, elsewhere)
    assert not np.array_equal(first, other)


def test_stateless_distributions():
    seed = [7, 9]
    with tf.Graph().as_default():
        samples = _run(
            {
                "uniform": tf.random.stateless_uniform([20000], seed, minval=2.0, maxval=5.0),
                "int": tf.random.stateless_uniform([20000], seed, 0, 5, dtype=tf.int32),
                "full": tf.random.stateless_uniform([2000], seed, None, None, dtype=tf.int32),
                "normal": tf.random.stateless_normal([20000], seed, mean=1.0, stddev=3.0),
                "truncated": tf.random.stateless_truncated_normal([20000], seed, stddev=2.0),
                "poisson": tf.random.stateless_poisson([20000], seed, lam=3.0, dtype=tf.int64),
                "binomial": tf.random.stateless_binomial([20000], seed, counts=12.0, probs=0.25),
            }
        )
    assert samples["uniform"].min() >= 2.0 and samples["uniform"].max() < 5.0
    assert samples["uniform"].mean() == pytest.approx(3.5, rel=0.01)
    assert sorted(set(samples["int"].tolist())) == [0, 1, 2, 3, 4]
    assert samples["full"].min() < -(2**30) and samples["full"].max() > 2**30
    assert samples["normal"].mean() == pytest.approx(1.0, abs=0.06)
    assert samples["normal"].std() == pytest.approx(3.0, rel=0.02)
    assert np.abs(samples["truncated"]).max() <= 4.0
    assert samples["poisson"].dtype == np.int64
    assert samples["poisson"].mean() == pytest.approx(3.0, rel=0.02)
    assert samples["binomial"].mean() == pytest.approx(3.0, rel=0.02)


def test_stateless_parameterized_truncated_normal_stays_within_and_has_the_mean():
    mean, stddev, low, high = 1.0, 2.0, 1.5, 9.0  # mostly the upper tail
    with tf.Graph().as_default():
        values = _run(
            tf.random.stateless_parameterized_truncated_normal(
                [30000], [3, 3], means=mean, stddevs=stddev, minvals=low, maxvals=high
            )
        )
    assert values.min() >= low and values.max() <= high
    a, b = (low - mean) / stddev, (high - mean) / stddev
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    expected = mean + stddev * (pdf(a) - pdf(b)) / (cdf(b) - cdf(a))
    assert values.mean() == pytest.approx(expected, rel=0.01)


def test_stateless_categorical_frequencies():
    logits = np.log([[0.1, 0.6, 0.3]])
    with tf.Graph().as_default():
        draws = _run(tf.random.stateless_categorical(logits, 20000, seed=[1, 1]))
    np.testing.assert_allclose(
        np.bincount(draws[0], minlength=3) / 20000, [0.1, 0.6, 0.3], atol=0.015
    )
