"""TF1 ``tf.metrics`` calls, each runnable by real TensorFlow and by the runtime.

Each case names a metric, its inputs (one array per batch, fed through placeholders),
and its arguments. :func:`record` builds it with the module given as ``tf``, initializes
the local variables, runs ``update_op`` on each batch and reads ``value`` after each,
and returns those, the names of the value, the update op and the metric's variables
(``LOCAL_VARIABLES``, ``METRIC_VARIABLES``). ``tests/fixtures/tf_metrics/generate.py``
records TF 2.21's; ``test_metrics_tf.py`` compares the runtime's. This module imports
neither.
"""

from __future__ import annotations

import zlib

import numpy as np

BATCHES = 3


def _rng(key: str):
    return np.random.default_rng(zlib.crc32(key.encode()))


def ints(key: str, shape, high: int) -> list:
    rng = _rng(key)
    return [rng.integers(0, high, size=shape).astype(np.int64) for _ in range(BATCHES)]


def floats(key: str, shape, low=0.0, high=1.0) -> list:
    rng = _rng(key)
    return [rng.uniform(low, high, size=shape).astype(np.float32) for _ in range(BATCHES)]


def bools(key: str, shape) -> list:
    return [v > 0.5 for v in floats(key, shape)]


def _case(function, inputs, static=False, **kwargs):
    """A metric call; ``static`` placeholders have the batches' full shape."""
    return {"function": function, "inputs": inputs, "static": static, "kwargs": kwargs}


LABELS = ints("labels", [6], 3)
PREDICTIONS = ints("predictions", [6], 3)
WEIGHTS = floats("weights", [6])
SCORES = floats("scores", [8])
BINARY = [v.astype(np.int64) for v in bools("binary", [8])]
REAL = floats("real", [4, 2], -1.0, 1.0)
REAL_LABELS = floats("real_labels", [4, 2], -1.0, 1.0)
UNIT = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in REAL]
UNIT_LABELS = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in REAL_LABELS]
THRESHOLDS = [0.2, 0.5, 0.8]


def top_ids(key: str, rows: int, classes: int, k: int) -> list:
    """Per batch, ``k`` distinct class ids for each row (what ``top_k`` returns)."""
    rng = _rng(key)
    return [
        np.stack([rng.permutation(classes)[:k] for _ in range(rows)]).astype(np.int64)
        for _ in range(BATCHES)
    ]


TOP_IDS = top_ids("top", 6, 5, 2)
SCORES5 = floats("scores5", [6, 5])
MULTI_LABELS = ints("multi", [6, 3], 5)

CASES = {
    "mean": _case("mean", {"values": REAL}),
    "mean/weighted": _case("mean", {"values": REAL, "weights": floats("w2", [4, 1])}),
    "mean_tensor": _case("mean_tensor", {"values": REAL}, static=True),
    "mean_tensor/weighted": _case(
        "mean_tensor", {"values": REAL, "weights": floats("w4", [4, 1])}, static=True
    ),
    "accuracy": _case("accuracy", {"labels": LABELS, "predictions": PREDICTIONS}),
    "accuracy/weighted": _case(
        "accuracy", {"labels": LABELS, "predictions": PREDICTIONS, "weights": WEIGHTS}
    ),
    "accuracy/column": _case(
        "accuracy", {"labels": [v[:, None] for v in LABELS], "predictions": PREDICTIONS}
    ),
    "mean_absolute_error": _case(
        "mean_absolute_error", {"labels": REAL_LABELS, "predictions": REAL}
    ),
    "mean_squared_error": _case(
        "mean_squared_error",
        {"labels": REAL_LABELS, "predictions": REAL, "weights": floats("w3", [4, 2])},
    ),
    "root_mean_squared_error": _case(
        "root_mean_squared_error", {"labels": REAL_LABELS, "predictions": REAL}
    ),
    "mean_relative_error": _case(
        "mean_relative_error",
        {"labels": REAL_LABELS, "predictions": REAL, "normalizer": floats("n", [4, 2], 0.5, 2.0)},
    ),
    "mean_cosine_distance": _case(
        "mean_cosine_distance", {"labels": UNIT_LABELS, "predictions": UNIT}, dim=1
    ),
    "percentage_below": _case("percentage_below", {"values": REAL}, threshold=0.1),
    "true_positives": _case("true_positives", {"labels": BINARY, "predictions": bools("p", [8])}),
    "false_positives": _case(
        "false_positives",
        {"labels": BINARY, "predictions": bools("p", [8]), "weights": floats("w8", [8])},
    ),
    "true_negatives": _case("true_negatives", {"labels": BINARY, "predictions": bools("p", [8])}),
    "false_negatives": _case("false_negatives", {"labels": BINARY, "predictions": bools("p", [8])}),
    "precision": _case("precision", {"labels": BINARY, "predictions": bools("p", [8])}),
    "recall": _case(
        "recall", {"labels": BINARY, "predictions": bools("p", [8]), "weights": floats("w8", [8])}
    ),
    "true_positives_at_thresholds": _case(
        "true_positives_at_thresholds",
        {"labels": BINARY, "predictions": SCORES},
        thresholds=THRESHOLDS,
    ),
    "false_positives_at_thresholds": _case(
        "false_positives_at_thresholds",
        {"labels": BINARY, "predictions": SCORES, "weights": floats("w8", [8])},
        thresholds=THRESHOLDS,
    ),
    "true_negatives_at_thresholds": _case(
        "true_negatives_at_thresholds",
        {"labels": BINARY, "predictions": SCORES},
        thresholds=THRESHOLDS,
    ),
    "false_negatives_at_thresholds": _case(
        "false_negatives_at_thresholds",
        {"labels": BINARY, "predictions": SCORES},
        thresholds=THRESHOLDS,
    ),
    "precision_at_thresholds": _case(
        "precision_at_thresholds", {"labels": BINARY, "predictions": SCORES}, thresholds=THRESHOLDS
    ),
    "recall_at_thresholds": _case(
        "recall_at_thresholds", {"labels": BINARY, "predictions": SCORES}, thresholds=THRESHOLDS
    ),
    "auc": _case("auc", {"labels": BINARY, "predictions": SCORES}),
    "auc/weighted_20": _case(
        "auc",
        {"labels": BINARY, "predictions": SCORES, "weights": floats("w8", [8])},
        num_thresholds=20,
    ),
    "auc/pr": _case("auc", {"labels": BINARY, "predictions": SCORES}, curve="PR"),
    "auc/pr_careful": _case(
        "auc",
        {"labels": BINARY, "predictions": SCORES},
        curve="PR",
        summation_method="careful_interpolation",
    ),
    "auc/minoring": _case(
        "auc", {"labels": BINARY, "predictions": SCORES}, summation_method="minoring"
    ),
    "auc/majoring_thresholds": _case(
        "auc",
        {"labels": BINARY, "predictions": SCORES},
        summation_method="majoring",
        thresholds=[0.3, 0.6, 0.9],
    ),
    "specificity_at_sensitivity": _case(
        "specificity_at_sensitivity", {"labels": BINARY, "predictions": SCORES}, sensitivity=0.7
    ),
    "sensitivity_at_specificity": _case(
        "sensitivity_at_specificity",
        {"labels": BINARY, "predictions": SCORES},
        specificity=0.4,
        num_thresholds=50,
    ),
    "precision_at_top_k": _case(
        "precision_at_top_k", {"labels": MULTI_LABELS, "predictions_idx": TOP_IDS}
    ),
    "precision_at_top_k/class": _case(
        "precision_at_top_k",
        {"labels": MULTI_LABELS, "predictions_idx": TOP_IDS, "weights": WEIGHTS},
        k=2,
        class_id=2,
    ),
    "recall_at_top_k": _case(
        "recall_at_top_k", {"labels": ints("single", [6], 5), "predictions_idx": TOP_IDS}, k=2
    ),
    "recall_at_top_k/class": _case(
        "recall_at_top_k",
        {"labels": MULTI_LABELS, "predictions_idx": TOP_IDS},
        class_id=3,
    ),
    "precision_at_k": _case(
        "precision_at_k", {"labels": MULTI_LABELS, "predictions": SCORES5}, k=2
    ),
    "precision_at_k/class": _case(
        "precision_at_k",
        {"labels": MULTI_LABELS, "predictions": SCORES5, "weights": WEIGHTS},
        k=3,
        class_id=1,
    ),
    "sparse_precision_at_k": _case(
        "sparse_precision_at_k", {"labels": MULTI_LABELS, "predictions": SCORES5}, k=1
    ),
    "recall_at_k": _case(
        "recall_at_k", {"labels": ints("single", [6], 5), "predictions": SCORES5}, k=3
    ),
    "average_precision_at_k": _case(
        "average_precision_at_k", {"labels": MULTI_LABELS, "predictions": SCORES5}, k=3
    ),
    "sparse_average_precision_at_k": _case(
        "sparse_average_precision_at_k",
        {"labels": MULTI_LABELS, "predictions": SCORES5, "weights": WEIGHTS},
        k=2,
    ),
    "average_precision_at_k/unknown_classes": _case(
        "average_precision_at_k",
        {"labels": ints("wide", [6, 2], 7), "predictions": SCORES5},
        k=2,
    ),
    "mean_iou": _case("mean_iou", {"labels": LABELS, "predictions": PREDICTIONS}, num_classes=3),
    "mean_iou/weighted": _case(
        "mean_iou",
        {"labels": LABELS, "predictions": PREDICTIONS, "weights": WEIGHTS},
        num_classes=4,
    ),
    "mean_per_class_accuracy": _case(
        "mean_per_class_accuracy",
        {"labels": LABELS, "predictions": PREDICTIONS, "weights": WEIGHTS},
        num_classes=3,
    ),
}


def _dtype(tf, value):
    if value.dtype == np.int64:
        return tf.int64
    return tf.bool if value.dtype == np.bool_ else tf.float32


def record(tf, case: dict) -> tuple[dict, dict]:
    """Build and run ``case`` with ``tf``; ``(values, names)``."""
    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        placeholders = {
            name: v1.placeholder(
                _dtype(tf, batches[0]),
                batches[0].shape if case["static"] else [None, *batches[0].shape[1:]],
                name=name,
            )
            for name, batches in case["inputs"].items()
        }
        value, update_op = getattr(v1.metrics, case["function"])(
            **placeholders, **case["kwargs"], metrics_collections=["m"], updates_collections=["u"]
        )
        names = {
            "value": value.name,
            "update_op": update_op.name,
            "local_variables": [[v.name, v.shape.as_list()] for v in v1.local_variables()],
            "metric_variables": [
                v.name for v in graph.get_collection(v1.GraphKeys.METRIC_VARIABLES)
            ],
            "collections": [
                graph.get_collection("m") == [value],
                graph.get_collection("u") == [update_op],
            ],
            "global_variables": len(v1.global_variables()),
        }
        values = {}
        with v1.Session() as sess:
            sess.run(v1.local_variables_initializer())
            for batch in range(len(next(iter(case["inputs"].values())))):
                feed = {placeholders[n]: b[batch] for n, b in case["inputs"].items()}
                values[f"update/{batch}"] = sess.run(update_op, feed)
                values[f"value/{batch}"] = sess.run(value)
    return values, names
