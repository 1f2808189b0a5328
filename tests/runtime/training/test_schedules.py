"""Learning-rate schedules: values at many steps against TF 2.21's (fixtures recorded by
tests/fixtures/tf_training/generate.py), result names, dtypes, and TF's errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_training"
VALUES = np.load(FIXTURES / "training.npz")
NAMES = json.loads((FIXTURES / "training.json").read_text())
STEPS = VALUES["schedule/steps"]

# The same calls as the generator's SCHEDULES.
SCHEDULES = {
    "exponential": ("exponential_decay", dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    "exponential_staircase": (
        "exponential_decay",
        dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True),
    ),
    "natural_exp": ("natural_exp_decay", dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    "natural_exp_staircase": (
        "natural_exp_decay",
        dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True),
    ),
    "inverse_time": ("inverse_time_decay", dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    "inverse_time_staircase": (
        "inverse_time_decay",
        dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=True),
    ),
    "polynomial": ("polynomial_decay", dict(learning_rate=0.1, decay_steps=20)),
    "polynomial_power": (
        "polynomial_decay",
        dict(learning_rate=0.1, decay_steps=20, end_learning_rate=0.01, power=0.5),
    ),
    "polynomial_cycle": (
        "polynomial_decay",
        dict(learning_rate=0.1, decay_steps=20, end_learning_rate=0.01, cycle=True),
    ),
    "cosine": ("cosine_decay", dict(learning_rate=0.1, decay_steps=20)),
    "cosine_alpha": ("cosine_decay", dict(learning_rate=0.1, decay_steps=20, alpha=0.2)),
    "cosine_restarts": ("cosine_decay_restarts", dict(learning_rate=0.1, first_decay_steps=10)),
    "cosine_restarts_equal": (
        "cosine_decay_restarts",
        dict(learning_rate=0.1, first_decay_steps=10, t_mul=1.0, m_mul=0.5, alpha=0.1),
    ),
    "linear_cosine": ("linear_cosine_decay", dict(learning_rate=0.1, decay_steps=20)),
    "linear_cosine_periods": (
        "linear_cosine_decay",
        dict(learning_rate=0.1, decay_steps=20, num_periods=2.0, alpha=0.1, beta=0.01),
    ),
    "noisy_linear_cosine_quiet": (
        "noisy_linear_cosine_decay",
        dict(learning_rate=0.1, decay_steps=20, initial_variance=0.0),
    ),
}


def values_at_steps(build):
    with tf.Graph().as_default():
        step = v1.placeholder(tf.int64, [])
        lr = build(step)
        with v1.Session() as sess:
            return lr, np.array([sess.run(lr, {step: s}) for s in STEPS])


@pytest.mark.parametrize("key", sorted(SCHEDULES))
def test_schedule_values_and_names_match_tensorflow(key):
    fn, kwargs = SCHEDULES[key]
    lr, got = values_at_steps(lambda step: getattr(v1.train, fn)(global_step=step, **kwargs))
    np.testing.assert_allclose(got, VALUES[f"schedule/{key}"], rtol=1e-5, atol=1e-8)
    assert lr.dtype == tf.float32
    # The result is named after the schedule, as TF's (whose cosine_decay leaves its last
    # Mul unnamed, and whose natural_exp_decay is an ExponentialDecay since TF 2).
    scope = NAMES[f"schedule/{key}"].split("/")[0].split(":")[0]
    expected = "NaturalExpDecay" if key.startswith("natural_exp") else scope
    assert lr.name == f"{expected}:0"


def test_piecewise_constant_matches_tensorflow():
    _, got = values_at_steps(
        lambda step: v1.train.piecewise_constant(step, [5, 10], [1.0, 0.5, 0.1])
    )
    np.testing.assert_allclose(got, VALUES["schedule/piecewise"], rtol=1e-7)


def test_schedule_follows_the_global_step_as_training_advances(graph, sess):
    step = v1.train.get_or_create_global_step()
    lr = v1.train.exponential_decay(1.0, step, decay_steps=1, decay_rate=0.5, staircase=True)
    w = tf.Variable(0.0, name="w")
    train = v1.train.GradientDescentOptimizer(lr).minimize(-w, global_step=step)  # w += lr
    sess.run(v1.global_variables_initializer())
    for _ in range(3):
        sess.run(train)
    assert sess.run(w) == pytest.approx(1.0 + 0.5 + 0.25)
    assert sess.run(lr) == pytest.approx(0.125)


def test_float64_learning_rate_gives_a_float64_schedule(graph, sess):
    lr = v1.train.polynomial_decay(
        tf.constant(1.0, tf.float64), 5, decay_steps=10, end_learning_rate=0.0
    )
    assert lr.dtype == tf.float64
    assert sess.run(lr) == 0.5


def test_noisy_linear_cosine_decay_is_noisy_around_linear_cosine(graph, sess):
    step = v1.placeholder(tf.int64, [])
    noisy = v1.train.noisy_linear_cosine_decay(1.0, step, decay_steps=100, initial_variance=1.0)
    quiet = v1.train.linear_cosine_decay(1.0, step, decay_steps=100)
    samples = np.array([sess.run([noisy, quiet], {step: 0}) for _ in range(400)])
    spread = samples[:, 0] - samples[:, 1]  # (noise) * cosine(0) = noise, std 1 at step 0
    assert abs(spread.mean()) < 0.2 and 0.8 < spread.std() < 1.2


@pytest.mark.parametrize("fn", ["exponential_decay", "natural_exp_decay", "inverse_time_decay"])
def test_missing_global_step_is_a_value_error(graph, fn):
    with pytest.raises(ValueError, match=f"global_step is required for {fn}."):
        getattr(v1.train, fn)(0.1, None, 10, 0.5)


def test_piecewise_constant_errors_match_tensorflow(graph):
    step = v1.train.get_or_create_global_step()
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less"):
        v1.train.piecewise_constant(step, [5, 10], [1.0, 0.5])
    with pytest.raises(
        ValueError, match=r"Boundaries \(tf.float32\) must have the same dtype as x \(tf.int64\)"
    ):
        v1.train.piecewise_constant(step, [5.0, 10.0], [1.0, 0.5, 0.2])
    with pytest.raises(
        ValueError,
        match=r"Values must have elements all with the same dtype \(tf.float32 vs tf.int32\)",
    ):
        v1.train.piecewise_constant(step, [5, 10], [1.0, 0.5, 2])
