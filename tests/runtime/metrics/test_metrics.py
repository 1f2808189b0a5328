"""tf.metrics beyond the recorded cases: concurrent updates, resets, and TF's errors."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError

v1 = tf.compat.v1
metrics = v1.metrics


def test_concurrent_updates_count_every_batch_once(graph, sess):
    labels = v1.placeholder(tf.int64, [None])
    predictions = v1.placeholder(tf.int64, [None])
    accuracy, update = metrics.accuracy(labels, predictions)
    sess.run(v1.local_variables_initializer())
    batch = {labels: np.arange(10), predictions: np.array([0, 1, 2, 3, 0, 0, 0, 0, 0, 0])}

    def worker():
        for _ in range(25):
            sess.run(update, batch)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total, count = sess.run(["accuracy/total:0", "accuracy/count:0"])
    assert (total, count) == (4 * 25 * 4, 4 * 25 * 10)  # 4 of each batch of 10 are right
    assert sess.run(accuracy) == pytest.approx(0.4)


def test_local_variables_initializer_resets_metrics(graph, sess):
    values = v1.placeholder(tf.float32, [None])
    mean, update = metrics.mean(values)
    sess.run(v1.local_variables_initializer())
    sess.run(update, {values: [1.0, 3.0]})
    assert sess.run(mean) == 2.0
    sess.run(v1.local_variables_initializer())
    assert sess.run(mean) == 0.0  # no values yet: 0, not NaN
    assert v1.global_variables() == [] and len(v1.local_variables()) == 2


def test_predictions_outside_unit_interval_fail_when_run(graph, sess):
    _, update = metrics.auc([0, 1], v1.placeholder_with_default([0.2, 1.5], [2]))
    sess.run(v1.local_variables_initializer())
    with pytest.raises(InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
        sess.run(update)


def test_class_ids_outside_the_classes_fail_when_run(graph, sess):
    _, update = metrics.mean_iou([0, 1, 5], [0, 1, 1], num_classes=3)
    sess.run(v1.local_variables_initializer())
    with pytest.raises(InvalidArgumentError, match="`labels` out of bound"):
        sess.run(update)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: metrics.auc([1], [0.5], curve="XYZ"),
            "curve must be either ROC or PR, XYZ unknown",
        ),
        (lambda: metrics.auc([1], [0.5], summation_method="simpson"), "Invalid summation_method"),
        (
            lambda: metrics.specificity_at_sensitivity([1], [0.5], 1.5),
            "`sensitivity` must be in the range",
        ),
        (
            lambda: metrics.sensitivity_at_specificity([1], [0.5], -0.1),
            "`specificity` must be in the range",
        ),
        (lambda: metrics.accuracy([[1, 2]], [[1, 2, 3]]), "are incompatible"),
    ],
)
def test_bad_arguments_raise_tensorflows_errors(graph, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_metric_scopes_are_unique_and_names_can_be_given(graph):
    metrics.accuracy([1], [1])
    metrics.accuracy([1], [1])
    metrics.precision([1], [1], name="eval_precision")
    assert [v.op.name for v in v1.local_variables()] == [
        "accuracy/total",
        "accuracy/count",
        "accuracy_1/total",
        "accuracy_1/count",
        "eval_precision/true_positives/count",
        "eval_precision/false_positives/count",
    ]
