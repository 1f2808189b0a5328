"""TF1 ``tf.losses`` calls, each runnable by real TensorFlow and by the runtime.

Each case names a loss, its inputs (fed through placeholders of unknown batch size) and
keyword arguments; :func:`record` builds it with the module given as ``tf``, and returns
the loss's value, its gradients with respect to every float input, the result's name and
the ``losses`` collection. ``tests/fixtures/tf_losses/generate.py`` records TF 2.21's;
``test_losses_tf.py`` compares the runtime's. This module imports neither.
"""

from __future__ import annotations

import zlib

import numpy as np

REDUCTIONS = [
    "none",
    "weighted_sum",
    "weighted_mean",
    "weighted_sum_over_batch_size",
    "weighted_sum_by_nonzero_weights",
]


def array(key: str, shape, low=-1.0, high=1.0) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    return rng.uniform(low, high, size=shape).astype(np.float32)


def one_hot(key: str, batch: int, classes: int) -> np.ndarray:
    ids = np.random.default_rng(zlib.crc32(key.encode())).integers(0, classes, batch)
    return np.eye(classes, dtype=np.float32)[ids]


BATCH = 4
PREDICTIONS = array("predictions", [BATCH, 3])
LABELS = array("labels", [BATCH, 3])
BINARY = (array("binary", [BATCH, 3]) > 0).astype(np.float32)
PROBABILITIES = array("probabilities", [BATCH, 3], 0.05, 0.95)
UNIT = PREDICTIONS / np.linalg.norm(PREDICTIONS, axis=1, keepdims=True)
UNIT_LABELS = LABELS / np.linalg.norm(LABELS, axis=1, keepdims=True)
ONE_HOT = one_hot("onehot", BATCH, 3)
IDS = ONE_HOT.argmax(axis=1).astype(np.int32)

WEIGHTS = {
    "scalar": np.float32(2.0),
    "batch": np.array([[1.0], [0.0], [2.0], [0.5]], np.float32),
    "full": np.where(array("w", [BATCH, 3]) > 0, array("w2", [BATCH, 3], 0.0, 2.0), 0.0),
}


def _case(function, inputs, **kwargs):
    return {"function": function, "inputs": inputs, "kwargs": kwargs}


def _cases() -> dict:
    cases = {}
    pairs = {"labels": LABELS, "predictions": PREDICTIONS}
    for reduction in REDUCTIONS:
        for weight_key, weights in WEIGHTS.items():
            cases[f"absolute_difference/{reduction}/{weight_key}"] = _case(
                "absolute_difference", pairs, weights=weights, reduction=reduction
            )
        cases[f"mean_squared_error/{reduction}"] = _case(
            "mean_squared_error", pairs, weights=WEIGHTS["batch"], reduction=reduction
        )
        cases[f"huber_loss/{reduction}"] = _case(
            "huber_loss", pairs, weights=WEIGHTS["full"], delta=0.3, reduction=reduction
        )
        cases[f"softmax_cross_entropy/{reduction}"] = _case(
            "softmax_cross_entropy",
            {"onehot_labels": ONE_HOT, "logits": PREDICTIONS},
            weights=WEIGHTS["batch"][:, 0],
            reduction=reduction,
        )
    cases["mean_squared_error/zero_weights"] = _case(
        "mean_squared_error", pairs, weights=np.zeros([BATCH, 1], np.float32)
    )
    cases["cosine_distance"] = _case(
        "cosine_distance", {"labels": UNIT_LABELS, "predictions": UNIT}, axis=1
    )
    cases["cosine_distance/weighted"] = _case(
        "cosine_distance",
        {"labels": UNIT_LABELS, "predictions": UNIT},
        axis=1,
        weights=WEIGHTS["batch"],
        reduction="weighted_sum",
    )
    cases["hinge_loss"] = _case("hinge_loss", {"labels": BINARY, "logits": PREDICTIONS * 2})
    cases["log_loss"] = _case(
        "log_loss", {"labels": BINARY, "predictions": PROBABILITIES}, weights=WEIGHTS["full"]
    )
    cases["log_loss/epsilon"] = _case(
        "log_loss", {"labels": BINARY, "predictions": PROBABILITIES}, epsilon=0.1
    )
    cases["mean_pairwise_squared_error"] = _case("mean_pairwise_squared_error", pairs)
    cases["mean_pairwise_squared_error/weighted"] = _case(
        "mean_pairwise_squared_error", pairs, weights=WEIGHTS["batch"]
    )
    cases["sigmoid_cross_entropy"] = _case(
        "sigmoid_cross_entropy", {"multi_class_labels": BINARY, "logits": PREDICTIONS * 3}
    )
    cases["sigmoid_cross_entropy/smoothing"] = _case(
        "sigmoid_cross_entropy",
        {"multi_class_labels": BINARY, "logits": PREDICTIONS * 3},
        label_smoothing=0.2,
        weights=WEIGHTS["full"],
    )
    cases["softmax_cross_entropy/smoothing"] = _case(
        "softmax_cross_entropy",
        {"onehot_labels": ONE_HOT, "logits": PREDICTIONS * 3},
        label_smoothing=0.1,
    )
    cases["sparse_softmax_cross_entropy"] = _case(
        "sparse_softmax_cross_entropy",
        {"labels": IDS, "logits": PREDICTIONS * 3},
        weights=WEIGHTS["batch"][:, 0],
    )
    cases["sparse_softmax_cross_entropy/column_labels"] = _case(
        "sparse_softmax_cross_entropy",
        {"labels": IDS[:, None], "logits": PREDICTIONS * 3},
        weights=WEIGHTS["batch"],
        reduction="weighted_mean",
    )
    cases["compute_weighted_loss"] = _case(
        "compute_weighted_loss", {"losses": PREDICTIONS}, weights=WEIGHTS["full"]
    )
    return cases


CASES = _cases()


def record(tf, case: dict) -> tuple[dict, dict]:
    """Build and run ``case`` with ``tf``; ``(values, names)``."""
    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        feeds, inputs = {}, {}
        for name, value in case["inputs"].items():
            dtype = tf.int32 if value.dtype == np.int32 else tf.float32
            shape = [None, *value.shape[1:]]
            inputs[name] = v1.placeholder(dtype, shape, name=name)
            feeds[inputs[name]] = value
        loss = getattr(v1.losses, case["function"])(**inputs, **case["kwargs"])
        floats = [p for p in inputs.values() if p.dtype == tf.float32]
        grads = tf.gradients(loss, floats)
        with v1.Session() as sess:
            values = {"loss": sess.run(loss, feeds)}
            for placeholder, grad in zip(floats, grads):
                if grad is not None:
                    values[f"grad/{placeholder.op.name}"] = sess.run(grad, feeds)
        names = {
            "loss": loss.name,
            "losses": [t.name for t in graph.get_collection(v1.GraphKeys.LOSSES)],
        }
    return values, names
