"""tf.losses beyond the recorded cases: the collections, totals and TF's errors."""

from __future__ import annotations

import pytest

import runtime as tf

v1 = tf.compat.v1
losses = v1.losses


def test_losses_collect_and_total_with_regularization(graph, sess):
    x = tf.constant([[1.0, 2.0]])
    tf.compat.v1.layers.dense(
        x, 1, kernel_initializer=tf.ones_initializer(), kernel_regularizer=tf.nn.l2_loss
    )
    a = losses.mean_squared_error([0.0, 0.0], [1.0, 1.0])
    b = losses.absolute_difference([0.0], [2.0], loss_collection=None)  # not collected
    assert losses.get_losses() == [a] and b not in losses.get_losses()
    total = losses.get_total_loss()
    regularization = losses.get_regularization_loss()
    assert total.name == "total_loss:0"
    assert regularization.name == "total_regularization_loss:0"
    sess.run(v1.global_variables_initializer())
    assert sess.run(regularization) == 1.0  # l2_loss of a kernel of ones: 2 / 2
    assert sess.run(total) == 2.0
    assert sess.run(losses.get_total_loss(add_regularization_losses=False, name="data")) == 1.0


def test_a_graph_without_losses_has_no_total(graph):
    with pytest.raises(ValueError, match="No losses found"):
        losses.get_total_loss()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: losses.mean_squared_error(None, [1.0]),
            ValueError,
            "Argument `labels` must not be None",
        ),
        (lambda: losses.hinge_loss([1.0], None), ValueError, "Argument `logits` must not be None"),
        (
            lambda: losses.absolute_difference([[1.0, 2.0]], [[1.0, 2.0, 3.0]]),
            ValueError,
            "are incompatible",
        ),
        (
            lambda: losses.mean_squared_error([[1.0, 2.0]], [[1.0, 2.0]], weights=[1.0, 2.0, 3.0]),
            ValueError,
            "weights can not be broadcast to values",
        ),
        (
            lambda: losses.cosine_distance([[1.0]], [[1.0]]),
            ValueError,
            "You must specify argument `axis`",
        ),
        (
            lambda: losses.log_loss([1.0], [0.5], reduction="mean"),
            ValueError,
            "Invalid Reduction Key mean",
        ),
    ],
)
def test_bad_arguments_raise_tensorflows_errors(graph, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_reduction_names_are_tensorflows():
    assert losses.Reduction.all() == (
        "none",
        "weighted_sum",
        "weighted_mean",
        "weighted_sum_over_batch_size",
        "weighted_sum_by_nonzero_weights",
        "weighted_sum_by_nonzero_weights",
    )
    assert losses.Reduction.SUM_OVER_NONZERO_WEIGHTS == losses.Reduction.SUM_BY_NONZERO_WEIGHTS
