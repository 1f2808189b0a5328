"""The candidate samplers refuse true classes outside ``[0, range_max)``, as TF's do.

A class outside the range has no probability to give an expected count for; TF 2.21
fails the run with ``InvalidArgumentError: `true_candidate` out of range [0, 5),
received 7`` (the first such class, row by row), in every sampler and so in
``nce_loss`` and ``sampled_softmax_loss``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError

v1 = tf.compat.v1
_UNIGRAMS = {"unigrams": [1.0, 2.0, 3.0, 4.0, 5.0]}
SAMPLERS = {
    "uniform_candidate_sampler": {},
    "log_uniform_candidate_sampler": {},
    "fixed_unigram_candidate_sampler": _UNIGRAMS,
    "learned_unigram_candidate_sampler": {},
}


def _message(received) -> str:
    return re.escape(f"`true_candidate` out of range [0, 5), received {received}")


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
@pytest.mark.parametrize(
    ("true_classes", "received"), [([[7]], 7), ([[-1]], -1), ([[5]], 5), ([[1], [9]], 9)]
)
def test_a_class_outside_the_range_fails_the_run(graph, sampler, true_classes, received):
    sample = getattr(tf.nn, sampler)(
        tf.constant(true_classes, tf.int64), 1, 2, True, 5, **SAMPLERS[sampler]
    )
    with (
        v1.Session(graph=graph) as sess,
        pytest.raises(InvalidArgumentError, match=_message(received)),
    ):
        sess.run(sample)


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_the_range_ends_are_accepted(graph, sampler):
    sample = getattr(tf.nn, sampler)(
        tf.constant([[0], [4]], tf.int64), 1, 2, True, 5, **SAMPLERS[sampler]
    )
    with v1.Session(graph=graph) as sess:
        sampled, true_expected, _ = sess.run(sample)
    assert sampled.shape == (2,) and true_expected.shape == (2, 1)
    assert np.all(true_expected > 0)


def test_the_all_sampler_ranges_over_num_sampled(graph):
    sample = tf.nn.all_candidate_sampler(tf.constant([[7]], tf.int64), 1, 5, True)
    with v1.Session(graph=graph) as sess, pytest.raises(InvalidArgumentError, match=_message(7)):
        sess.run(sample)


def test_a_learned_unigram_learns_nothing_from_a_failed_run(graph):
    classes = v1.placeholder(tf.int64, [None, 1])
    sample = tf.nn.learned_unigram_candidate_sampler(classes, 1, 1, False, 5, seed=1)
    with v1.Session(graph=graph) as sess:
        with pytest.raises(InvalidArgumentError):
            sess.run(sample, {classes: [[2], [7]]})
        first = sess.run(sample, {classes: [[2]]})[1]
        second = sess.run(sample, {classes: [[2]]})[1]
    # (TF 2.21) a batch is drawn from the counts before it (each class starts at 1):
    # 1/5, then 2/6 once class 2 was seen; the failed run counted nothing.
    np.testing.assert_allclose([first[0, 0], second[0, 0]], [1 / 5, 2 / 6], rtol=1e-6)


@pytest.mark.parametrize("loss", ["nce_loss", "sampled_softmax_loss"])
def test_sampled_losses_fail_on_a_label_outside_the_classes(graph, loss):
    weights, biases, inputs = tf.ones([5, 3]), tf.zeros([5]), tf.ones([1, 3])
    labels = tf.constant([[7]], tf.int64)
    value = getattr(tf.nn, loss)(weights, biases, labels, inputs, 2, 5)
    with v1.Session(graph=graph) as sess, pytest.raises(InvalidArgumentError, match=_message(7)):
        sess.run(value)
