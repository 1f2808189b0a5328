"""Candidate samplers: their distributions, expected counts, seeds and state.

TF's samplers draw from its own random streams, so their draws are checked by their
statistics and by TF's formulas for the expected counts, not value by value (the
sampled losses are checked against TF with fixed samples in test_nn_fixtures.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1


def draw(sampler, true_classes, runs: int = 1, **kwargs) -> list:
    with tf.Graph().as_default():
        outputs = sampler(true_classes, **kwargs)
        with v1.Session() as sess:
            return [sess.run(list(outputs)) for _ in range(runs)]


def log_uniform(k, range_max):
    return math.log((k + 2) / (k + 1)) / math.log(range_max + 1)


@pytest.mark.parametrize("unique", [True, False])
def test_uniform_sampler_range_uniqueness_and_expected_counts(unique):
    ((sampled, true_count, sampled_count),) = draw(
        tf.random.uniform_candidate_sampler,
        [[3, 7], [1, 2]],
        num_true=2,
        num_sampled=6,
        unique=unique,
        range_max=10,
        seed=5,
    )
    assert sampled.dtype == np.int64 and sampled.shape == (6,)
    assert ((sampled >= 0) & (sampled < 10)).all()
    assert true_count.shape == (2, 2) and sampled_count.shape == (6,)
    if unique:
        assert len(set(sampled.tolist())) == 6
        # 1 - (1 - p) ** tries is the same for every class of a uniform sampler.
        assert np.ptp(sampled_count) == 0 and 0.6 <= sampled_count[0] <= 1
    else:
        np.testing.assert_allclose(sampled_count, 6 / 10)
        np.testing.assert_allclose(true_count, 6 / 10)


def test_log_uniform_sampler_draws_zipf_frequencies():
    runs = draw(
        tf.random.log_uniform_candidate_sampler,
        [[0]],
        runs=400,
        num_true=1,
        num_sampled=50,
        unique=False,
        range_max=20,
        seed=1,
    )
    counts = np.bincount(np.concatenate([run[0] for run in runs]), minlength=20)
    expected = np.array([log_uniform(k, 20) for k in range(20)]) * 400 * 50
    np.testing.assert_allclose(counts, expected, rtol=0.1, atol=60)
    sampled, true_count, sampled_count = runs[0]
    np.testing.assert_allclose(true_count, [[log_uniform(0, 20) * 50]], rtol=1e-6)
    np.testing.assert_allclose(sampled_count, [log_uniform(k, 20) * 50 for k in sampled], rtol=1e-6)


def test_unique_expected_counts_follow_tfs_formula():
    ((sampled, true_count, sampled_count),) = draw(
        tf.random.log_uniform_candidate_sampler,
        [[0, 1]],
        num_true=2,
        num_sampled=15,
        unique=True,
        range_max=20,
        seed=3,
    )
    assert len(set(sampled.tolist())) == 15
    # All counts come from one number of tries: solve it from one, check the rest.
    p = np.array([log_uniform(k, 20) for k in sampled])
    tries = np.log1p(-sampled_count[0]) / np.log1p(-p[0])
    assert tries >= 15
    np.testing.assert_allclose(sampled_count, -np.expm1(tries * np.log1p(-p)), rtol=1e-4)
    p_true = np.array([log_uniform(0, 20), log_uniform(1, 20)])
    np.testing.assert_allclose(true_count[0], -np.expm1(tries * np.log1p(-p_true)), rtol=1e-4)


def test_seeded_samplers_repeat_in_a_new_session_and_continue_in_the_same():
    def two_runs():
        return draw(
            tf.random.uniform_candidate_sampler,
            [[0]],
            runs=2,
            num_true=1,
            num_sampled=5,
            unique=True,
            range_max=1000,
            seed=11,
        )

    first, second = two_runs(), two_runs()
    np.testing.assert_array_equal(first[0][0], second[0][0])
    assert not np.array_equal(first[0][0], first[1][0])


def test_fixed_unigram_sampler_never_draws_reserved_or_zero_weight_classes():
    runs = draw(
        tf.random.fixed_unigram_candidate_sampler,
        [[2]],
        runs=200,
        num_true=1,
        num_sampled=10,
        unique=False,
        range_max=6,
        num_reserved_ids=2,
        unigrams=[1.0, 0.0, 3.0, 4.0],
        distortion=0.5,
        seed=2,
    )
    counts = np.bincount(np.concatenate([run[0] for run in runs]), minlength=6)
    assert counts[0] == counts[1] == counts[3] == 0
    weights = np.array([0, 0, 1.0, 0, 3**0.5, 2.0])
    np.testing.assert_allclose(counts / counts.sum(), weights / weights.sum(), atol=0.03)


def test_learned_unigram_sampler_learns_the_true_classes():
    runs = draw(
        tf.random.learned_unigram_candidate_sampler,
        [[4], [4], [4], [4]],
        runs=300,
        num_true=1,
        num_sampled=1,
        unique=False,
        range_max=5,
        seed=4,
    )
    late = np.concatenate([run[0] for run in runs[200:]])
    assert (late == 4).mean() > 0.9


def test_all_candidate_sampler_returns_every_class_once():
    ((sampled, true_count, sampled_count),) = draw(
        tf.nn.all_candidate_sampler, [[1], [2]], num_true=1, num_sampled=4, unique=True
    )
    np.testing.assert_array_equal(sampled, [0, 1, 2, 3])
    np.testing.assert_array_equal(true_count, [[1], [1]])
    np.testing.assert_array_equal(sampled_count, [1, 1, 1, 1])


def test_sampler_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
            tf.random.uniform_candidate_sampler([[1, 2, 3]], 2, 2, True, 5)
        sampled = tf.random.uniform_candidate_sampler([[1]], 1, 6, True, 5)[0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="range is too small"):
            v1.Session().run(sampled)


def test_nce_loss_samples_by_default_and_trains():
    with tf.Graph().as_default():
        v1.set_random_seed(0)
        weights = v1.Variable(np.zeros((50, 4), np.float32))
        biases = v1.Variable(np.zeros(50, np.float32))
        inputs = tf.constant(np.eye(4, dtype=np.float32))
        labels = tf.constant([[1], [7], [13], [21]], tf.int64)
        losses = [
            tf.reduce_mean(loss(weights, biases, labels, inputs, 5, 50))
            for loss in (tf.nn.nce_loss, tf.nn.sampled_softmax_loss)
        ]
        train = v1.train.GradientDescentOptimizer(0.5).minimize(tf.add_n(losses))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            before = sess.run(losses)
            for _ in range(50):
                sess.run(train)
            after = sess.run(losses)
    assert all(a < b / 2 for a, b in zip(after, before)), (before, after)
