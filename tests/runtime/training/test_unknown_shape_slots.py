"""Variables whose shape is known only when they run, as TF 2.21 trains them: a value
of unknown shape must say ``validate_shape=False``, and every optimizer's slots and the
moving averages take the shape the variable has at run time."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1


def _unknown_shape_variable():
    fed = v1.placeholder(tf.float32, [None, 3])
    return fed, v1.Variable(fed, validate_shape=False)


def test_an_initial_value_of_unknown_shape_must_say_so(graph):
    fed = v1.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        v1.Variable(fed)
    assert v1.Variable(fed, validate_shape=False).shape.rank is None


@pytest.mark.parametrize(
    "make, value",  # TF 2.21's variable after two steps of sum(v * v) from ones
    [
        (lambda: v1.train.AdamOptimizer(0.1), 0.8004125952720642),
        (lambda: v1.train.MomentumOptimizer(0.1, 0.9), 0.46000000834465027),
        (lambda: v1.train.AdagradOptimizer(0.1), 0.8347373008728027),
        (lambda: v1.train.RMSPropOptimizer(0.1), 0.6872513294219971),
        (lambda: v1.train.GradientDescentOptimizer(0.1), 0.6399999856948853),
    ],
)
def test_optimizers_make_slots_of_the_variables_run_time_shape(graph, make, value):
    fed, v = _unknown_shape_variable()
    train = make().minimize(tf.reduce_sum(v * v))
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer(), {fed: np.ones((2, 3), np.float32)})
        sess.run(train)
        sess.run(train)
        np.testing.assert_allclose(sess.run(v), np.full((2, 3), value), rtol=1e-6)


def test_moving_averages_of_unknown_shape(graph):
    # TF 2.21: the variable's average starts from its initialized value, the tensor's
    # from zeros of its shape at run time.
    fed, v = _unknown_shape_variable()
    doubled = fed * 2.0
    ema = v1.train.ExponentialMovingAverage(0.5)
    update = ema.apply([v, doubled])
    triple = v1.assign(v, v * 3.0, validate_shape=False)
    with v1.Session() as sess:
        ones = {fed: np.ones((2, 3), np.float32)}
        sess.run(v1.global_variables_initializer(), ones)
        sess.run(update, ones)
        sess.run(triple)
        sess.run(update, {fed: np.full((2, 3), 2.0, np.float32)})
        assert sess.run(ema.average(v)).tolist() == [[2.0] * 3] * 2
        assert sess.run(ema.average(doubled)).tolist() == [[2.5] * 3] * 2
