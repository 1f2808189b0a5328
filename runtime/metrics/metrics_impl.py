"""``tf.metrics``: TF1's streaming metrics.

Each metric returns ``(value, update_op)``. Its state lives in local variables (in
``LOCAL_VARIABLES`` and ``METRIC_VARIABLES``, zeroed by
``tf.local_variables_initializer()``) in a variable scope named after the metric
(``accuracy/total:0``, ``accuracy/count:0``); ``update_op`` folds a batch into them and
returns the metric so far, ``value`` reads it without changing anything::

    acc, update = tf.metrics.accuracy(labels, predictions)
    sess.run(tf.local_variables_initializer())
    for batch in batches:
        sess.run(update, feed(batch))
    print(sess.run(acc))

Updates are ``AssignAdd``\\ s, each under its variable's lock, so runs updating the same
metric from several threads count every batch exactly once.
"""

from __future__ import annotations

import logging

import numpy as np

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops import array_ops, control_flow_ops, math_ops
from ..ops.core import constant, convert_to_tensor
from ..ops.logging_ops import Assert
from ..ops.sort_ops import top_k
from ..ops.variable_scope import variable_scope
from ..ops.variables import Variable, assign_add

__all__ = [
    "accuracy",
    "auc",
    "average_precision_at_k",
    "false_negatives",
    "false_negatives_at_thresholds",
    "false_positives",
    "false_positives_at_thresholds",
    "mean",
    "mean_absolute_error",
    "mean_cosine_distance",
    "mean_iou",
    "mean_per_class_accuracy",
    "mean_relative_error",
    "mean_squared_error",
    "mean_tensor",
    "percentage_below",
    "precision",
    "precision_at_k",
    "precision_at_thresholds",
    "precision_at_top_k",
    "recall",
    "recall_at_k",
    "recall_at_thresholds",
    "recall_at_top_k",
    "root_mean_squared_error",
    "sensitivity_at_specificity",
    "sparse_average_precision_at_k",
    "sparse_precision_at_k",
    "specificity_at_sensitivity",
    "true_negatives",
    "true_negatives_at_thresholds",
    "true_positives",
    "true_positives_at_thresholds",
]

_logger = logging.getLogger("runtime")


# -- shared pieces -------------------------------------------------------------------------


def metric_variable(shape, dtype, validate_shape=True, name=None) -> Variable:
    """A zero-initialized local variable of a metric (``LOCAL_VARIABLES`` and
    ``METRIC_VARIABLES``, not trainable)."""
    dtype = dtypes.as_dtype(dtype)
    return Variable(
        lambda: array_ops.zeros(shape, dtype),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
        validate_shape=validate_shape,
        name=name,
    )


def _publish(value, update_op, metrics_collections, updates_collections) -> tuple:
    graph = get_default_graph()
    if metrics_collections:
        graph.add_to_collections(metrics_collections, value)
    if updates_collections:
        graph.add_to_collections(updates_collections, update_op)
    return value, update_op


def _squeeze_last(tensor: Tensor) -> Tensor:
    return array_ops.squeeze(tensor, [-1])


def _remove_squeezable_dimensions(predictions, labels, weights) -> tuple:
    """Line up ranks as TF does: a trailing size-1 dimension of the predictions or labels
    goes when their ranks differ by one; weights are squeezed or expanded by one
    dimension to the predictions' rank."""
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels = convert_to_tensor(labels)
        p_rank, l_rank = predictions.shape.rank, labels.shape.rank
        if p_rank is not None and l_rank is not None:
            if p_rank - l_rank == 1 and predictions.shape.dim_value(-1) in (1, None):
                predictions = _squeeze_last(predictions)
            elif l_rank - p_rank == 1 and labels.shape.dim_value(-1) in (1, None):
                labels = _squeeze_last(labels)
        predictions.shape.assert_is_compatible_with(labels.shape)
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    w_rank, p_rank = weights.shape.rank, predictions.shape.rank
    if w_rank not in (None, 0) and p_rank is not None:
        if w_rank - p_rank == 1:
            weights = _squeeze_last(weights)
        elif p_rank - w_rank == 1:
            weights = array_ops.expand_dims(weights, -1)
    return predictions, labels, weights


def _broadcast_weights(weights: Tensor, values: Tensor) -> Tensor:
    """``weights`` as float32, broadcast to the shape of ``values``."""
    weights = math_ops.cast(weights, dtypes.float32)
    if weights.shape.is_fully_defined() and weights.shape == values.shape:
        return weights
    return math_ops.multiply(weights, array_ops.ones_like(values, dtype=dtypes.float32))


# -- means -------------------------------------------------------------------------------


def _streaming_mean(values, weights, elementwise: bool, collections: tuple) -> tuple:
    """The running (weighted) mean of ``values``: of all their entries, or of each one
    (``elementwise``, for ``mean_tensor``)."""
    values = math_ops.cast(convert_to_tensor(values), dtypes.float32)
    shape = values.shape if elementwise else []
    suffix = "_tensor" if elementwise else ""
    total = metric_variable(shape, dtypes.float32, name=f"total{suffix}")
    count = metric_variable(shape, dtypes.float32, name=f"count{suffix}")
    if weights is None:
        counts = array_ops.ones_like(values) if elementwise else array_ops.size(values)
        counts = math_ops.cast(counts, dtypes.float32)
    else:
        values, _, weights = _remove_squeezable_dimensions(values, None, weights)
        counts = _broadcast_weights(weights, values)
        values = math_ops.multiply(values, counts)
    if not elementwise:
        values = math_ops.reduce_sum(values)
        counts = counts if weights is None else math_ops.reduce_sum(counts)
    update_total = assign_add(total, values)
    update_count = assign_add(count, counts)
    value = math_ops.divide_no_nan(total.value(), math_ops.maximum(count.value(), 0), name="value")
    update_op = math_ops.divide_no_nan(
        update_total, math_ops.maximum(update_count, 0), name="update_op"
    )
    return _publish(value, update_op, *collections)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of ``values`` over every batch so far.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None])
    ...     value, update = mean(x)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         _ = sess.run(update, {x: [1.0, 2.0]})
    ...         print(sess.run(update, {x: [6.0]}), sess.run(value), value.name)
    3.0 3.0 mean/value:0
    """
    with variable_scope(name, "mean", (values, weights)):
        return _streaming_mean(values, weights, False, (metrics_collections, updates_collections))


def mean_tensor(
    values, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The (weighted) mean of each entry of ``values`` (of a fully defined shape) over
    every batch so far.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [2])
    ...     value, update = mean_tensor(x)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         _ = sess.run(update, {x: [1.0, 2.0]})
    ...         print(sess.run(update, {x: [3.0, 6.0]}), value.name)
    [2. 4.] mean/value:0
    """
    with variable_scope(name, "mean", (values, weights)):
        return _streaming_mean(values, weights, True, (metrics_collections, updates_collections))


def accuracy(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """How often ``predictions`` equal ``labels``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     acc, update = accuracy([1, 2, 3, 4], [1, 2, 0, 4])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update), [v.name for v in tf.compat.v1.local_variables()])
    0.75 ['accuracy/total:0', 'accuracy/count:0']
    """
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if labels.dtype != predictions.dtype:
        predictions = math_ops.cast(predictions, labels.dtype)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def mean_absolute_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The mean of ``|predictions - labels|``."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    errors = math_ops.abs(predictions - labels)
    return mean(
        errors, weights, metrics_collections, updates_collections, name or "mean_absolute_error"
    )


def mean_squared_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The mean of ``(predictions - labels)^2``."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    errors = math_ops.squared_difference(labels, predictions)
    return mean(
        errors, weights, metrics_collections, updates_collections, name or "mean_squared_error"
    )


def root_mean_squared_error(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The square root of :func:`mean_squared_error`."""
    mse, update_mse = mean_squared_error(
        labels, predictions, weights, None, None, name or "root_mean_squared_error"
    )
    rmse, update = math_ops.sqrt(mse), math_ops.sqrt(update_mse)
    return _publish(rmse, update, metrics_collections, updates_collections)


def mean_relative_error(
    labels,
    predictions,
    normalizer,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The mean of ``|labels - predictions| / normalizer`` (zero where the normalizer is)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions, normalizer, _ = _remove_squeezable_dimensions(predictions, normalizer, None)
    predictions.shape.assert_is_compatible_with(normalizer.shape)
    relative = math_ops.where(
        math_ops.equal(normalizer, 0.0),
        array_ops.zeros_like(labels),
        math_ops.truediv(math_ops.abs(labels - predictions), normalizer),
    )
    return mean(
        relative, weights, metrics_collections, updates_collections, name or "mean_relative_error"
    )


def mean_cosine_distance(
    labels,
    predictions,
    dim,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """One minus the mean cosine similarity along ``dim`` (inputs unit-normalized)."""
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    similarity = math_ops.reduce_sum(
        math_ops.multiply(predictions, labels), axis=[dim], keepdims=True
    )
    value, update = mean(similarity, weights, None, None, name or "mean_cosine_distance")
    distance, update = math_ops.subtract(1.0, value), math_ops.subtract(1.0, update)
    return _publish(distance, update, metrics_collections, updates_collections)


def percentage_below(
    values, threshold, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """The fraction of ``values`` below ``threshold``."""
    below = math_ops.cast(math_ops.less(values, threshold), dtypes.float32)
    return mean(
        below,
        weights,
        metrics_collections,
        updates_collections,
        name or "percentage_below_threshold",
    )


# -- counts of true and false positives and negatives --------------------------------------


def _count_condition(values, weights, metrics_collections, updates_collections) -> tuple:
    """Count the true entries of boolean ``values`` (weighted) across batches."""
    count = metric_variable([], dtypes.float32, name="count")
    values = math_ops.cast(values, dtypes.float32)
    if weights is not None:
        values = math_ops.multiply(values, math_ops.cast(weights, dtypes.float32))
    update_op = assign_add(count, math_ops.reduce_sum(values))
    return _publish(array_ops.identity(count), update_op, metrics_collections, updates_collections)


def _bool_inputs(labels, predictions, weights) -> tuple:
    return _remove_squeezable_dimensions(
        math_ops.cast(convert_to_tensor(predictions), dtypes.bool),
        math_ops.cast(convert_to_tensor(labels), dtypes.bool),
        weights,
    )


def _condition_metric(default_name: str, condition, doc: str):
    def metric(
        labels,
        predictions,
        weights=None,
        metrics_collections=None,
        updates_collections=None,
        name=None,
    ):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            predictions, labels, weights = _bool_inputs(labels, predictions, weights)
            return _count_condition(
                condition(labels, predictions), weights, metrics_collections, updates_collections
            )

    metric.__name__ = metric.__qualname__ = default_name
    metric.__doc__ = doc
    return metric


def _both(first, second):
    return math_ops.logical_and(first, second)


true_positives = _condition_metric(
    "true_positives",
    lambda labels, predictions: _both(labels, predictions),
    """The (weighted) number of entries where both ``labels`` and ``predictions`` are true.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tp, update = true_positives([1, 1, 0, 1], [1, 0, 1, 1])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update), tp.name)
    2.0 true_positives/Identity:0
    """,
)
false_positives = _condition_metric(
    "false_positives",
    lambda labels, predictions: _both(math_ops.logical_not(labels), predictions),
    "The (weighted) number of entries predicted true whose label is false.",
)
true_negatives = _condition_metric(
    "true_negatives",
    lambda labels, predictions: _both(
        math_ops.logical_not(labels), math_ops.logical_not(predictions)
    ),
    "The (weighted) number of entries where both ``labels`` and ``predictions`` are false.",
)
false_negatives = _condition_metric(
    "false_negatives",
    lambda labels, predictions: _both(labels, math_ops.logical_not(predictions)),
    "The (weighted) number of entries predicted false whose label is true.",
)


def _ratio(numerator, other, name):
    """``numerator / (numerator + other)``, zero when both are."""
    total = numerator + other
    return math_ops.where(
        math_ops.greater(total, 0), math_ops.truediv(numerator, total), 0.0, name=name
    )


def precision(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """``true_positives / (true_positives + false_positives)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p, update = precision([1, 1, 0, 1], [1, 0, 1, 1])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(round(float(sess.run(update)), 4), p.name)
    0.6667 precision/value:0
    """
    with variable_scope(name, "precision", (predictions, labels, weights)):
        predictions, labels, weights = _bool_inputs(labels, predictions, weights)
        tp, update_tp = true_positives(labels, predictions, weights)
        fp, update_fp = false_positives(labels, predictions, weights)
        value = _ratio(tp, fp, "value")
        update_op = _ratio(update_tp, update_fp, "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def recall(
    labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None
):
    """``true_positives / (true_positives + false_negatives)``."""
    with variable_scope(name, "recall", (predictions, labels, weights)):
        predictions, labels, weights = _bool_inputs(labels, predictions, weights)
        tp, update_tp = true_positives(labels, predictions, weights)
        fn, update_fn = false_negatives(labels, predictions, weights)
        value = _ratio(tp, fn, "value")
        update_op = _ratio(update_tp, update_fn, "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


# -- counts at thresholds --------------------------------------------------------------------

_COUNTS = ("tp", "fn", "tn", "fp")
_COUNT_NAMES = {
    "tp": "true_positives",
    "fn": "false_negatives",
    "tn": "true_negatives",
    "fp": "false_positives",
}


def _confusion_at_thresholds(labels, predictions, thresholds, weights=None, includes=_COUNTS):
    """Local ``[len(thresholds)]`` variables counting, at each threshold, the predictions
    above it (positive) or not, against the labels; returns (values, update ops) by
    ``"tp"``/``"fn"``/``"tn"``/``"fp"``.

    Predictions must lie in [0, 1] (an ``InvalidArgumentError`` otherwise).
    """
    for include in includes:
        if include not in _COUNTS:
            raise ValueError(f"Invalid key: {include}.")
    predictions = math_ops.cast(convert_to_tensor(predictions), dtypes.float32)
    in_range = math_ops.logical_and(
        math_ops.reduce_all(math_ops.greater_equal(predictions, 0.0)),
        math_ops.reduce_all(math_ops.less_equal(predictions, 1.0)),
    )
    check = Assert(in_range, ["predictions must be in [0, 1]", predictions])
    predictions, labels, weights = _remove_squeezable_dimensions(
        predictions, math_ops.cast(convert_to_tensor(labels), dtypes.bool), weights
    )
    count = len(thresholds)
    with get_default_graph().control_dependencies([check]):
        flat = array_ops.reshape(predictions, [1, -1])
    thresholds_column = constant(np.asarray(thresholds, np.float32).reshape(-1, 1))
    predicted_positive = math_ops.greater(flat, thresholds_column)  # [thresholds, n]
    labelled_positive = array_ops.tile(array_ops.reshape(labels, [1, -1]), [count, 1])
    weights_tiled = None
    if weights is not None:
        weights = _broadcast_weights(weights, predictions)
        weights_tiled = array_ops.tile(array_ops.reshape(weights, [1, -1]), [count, 1])
    conditions = {
        "tp": lambda: _both(labelled_positive, predicted_positive),
        "fn": lambda: _both(labelled_positive, math_ops.logical_not(predicted_positive)),
        "tn": lambda: _both(
            math_ops.logical_not(labelled_positive), math_ops.logical_not(predicted_positive)
        ),
        "fp": lambda: _both(math_ops.logical_not(labelled_positive), predicted_positive),
    }
    values, updates = {}, {}
    for key in _COUNTS:
        if key not in includes:
            continue
        variable = metric_variable([count], dtypes.float32, name=_COUNT_NAMES[key])
        hits = math_ops.cast(conditions[key](), dtypes.float32)
        if weights_tiled is not None:
            hits = hits * weights_tiled
        updates[key] = assign_add(variable, math_ops.reduce_sum(hits, 1))
        values[key] = variable.value()
    return values, updates


def _at_thresholds_metric(key: str):
    default_name = _COUNT_NAMES[key]

    def metric(
        labels,
        predictions,
        thresholds,
        weights=None,
        metrics_collections=None,
        updates_collections=None,
        name=None,
    ):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            values, updates = _confusion_at_thresholds(
                labels, predictions, thresholds, weights, includes=(key,)
            )
            value = array_ops.identity(values[key])
            return _publish(value, updates[key], metrics_collections, updates_collections)

    metric.__name__ = metric.__qualname__ = f"{default_name}_at_thresholds"
    metric.__doc__ = (
        f"The (weighted) number of {default_name.replace('_', ' ')} at each of ``thresholds`` "
        "(a prediction is positive when above the threshold)."
    )
    return metric


true_positives_at_thresholds = _at_thresholds_metric("tp")
false_negatives_at_thresholds = _at_thresholds_metric("fn")
true_negatives_at_thresholds = _at_thresholds_metric("tn")
false_positives_at_thresholds = _at_thresholds_metric("fp")

_EPSILON = 1e-7


def precision_at_thresholds(
    labels,
    predictions,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """Precision at each of ``thresholds``."""
    with variable_scope(name, "precision_at_thresholds", (predictions, labels, weights)):
        values, updates = _confusion_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fp")
        )

        def compute(tp, fp, suffix):
            return math_ops.truediv(tp, _EPSILON + tp + fp, name=f"precision_{suffix}")

        value = compute(values["tp"], values["fp"], "value")
        update_op = compute(updates["tp"], updates["fp"], "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def recall_at_thresholds(
    labels,
    predictions,
    thresholds,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """Recall at each of ``thresholds``."""
    with variable_scope(name, "recall_at_thresholds", (predictions, labels, weights)):
        values, updates = _confusion_at_thresholds(
            labels, predictions, thresholds, weights, includes=("tp", "fn")
        )

        def compute(tp, fn, suffix):
            return math_ops.truediv(tp, _EPSILON + tp + fn, name=f"recall_{suffix}")

        value = compute(values["tp"], values["fn"], "value")
        update_op = compute(updates["tp"], updates["fn"], "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def _interior_thresholds(num_thresholds: int) -> list:
    """``num_thresholds - 2`` thresholds evenly inside (0, 1)."""
    return [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]


def auc(
    labels,
    predictions,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    curve="ROC",
    name=None,
    summation_method="trapezoidal",
    thresholds=None,
):
    """The area under the ROC (or precision-recall, ``curve="PR"``) curve, from counts
    at ``num_thresholds`` thresholds (or the given ``thresholds``).

    ``summation_method``: ``"trapezoidal"``, ``"careful_interpolation"`` (the PR curve's
    exact interpolation), ``"minoring"`` or ``"majoring"``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     value, update = auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(round(float(sess.run(update)), 3))
    0.75
    """
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring", "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method}")
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if thresholds is not None:
            interior = sorted(thresholds)
            num_thresholds = len(interior) + 2
        else:
            interior = _interior_thresholds(num_thresholds)
        edges = [0.0 - _EPSILON, *interior, 1.0 + _EPSILON]
        values, updates = _confusion_at_thresholds(labels, predictions, edges, weights)
        if curve == "PR" and summation_method == "trapezoidal":
            _logger.warning(
                "Trapezoidal rule is known to produce incorrect PR-AUCs; please switch to "
                '"careful_interpolation" instead.'
            )

        def compute(counts, name):
            return _area(counts, num_thresholds, curve, summation_method, name)

        value = compute(values, "value")
        update_op = compute(updates, "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def _area(counts: dict, n: int, curve: str, summation_method: str, name: str) -> Tensor:
    tp, fn, tn, fp = (counts[k] for k in _COUNTS)
    if curve == "PR" and summation_method == "careful_interpolation":
        return _interpolated_pr_auc(tp, fp, fn, n)
    epsilon = 1.0e-6
    recall_curve = math_ops.truediv(tp + epsilon, tp + fn + epsilon)
    if curve == "ROC":
        x, y = math_ops.truediv(fp, fp + tn + epsilon), recall_curve
    else:
        x, y = recall_curve, math_ops.truediv(tp + epsilon, tp + fp + epsilon)
    widths = x[: n - 1] - x[1:]
    if summation_method == "minoring":
        heights = math_ops.minimum(y[: n - 1], y[1:])
    elif summation_method == "majoring":
        heights = math_ops.maximum(y[: n - 1], y[1:])
    else:
        heights = (y[: n - 1] + y[1:]) / 2.0
    return math_ops.reduce_sum(math_ops.multiply(widths, heights), name=name)


def _interpolated_pr_auc(tp, fp, fn, n: int) -> Tensor:
    """Davis & Goadrich's interpolation of the PR curve between thresholds (ICML 2006)."""
    dtp = tp[: n - 1] - tp[1:]
    p = tp + fp
    slope = math_ops.divide_no_nan(dtp, math_ops.maximum(p[: n - 1] - p[1:], 0), name="prec_slope")
    intercept = tp[1:] - math_ops.multiply(slope, p[1:])
    ratio = math_ops.where(
        math_ops.logical_and(p[: n - 1] > 0, p[1:] > 0),
        math_ops.divide_no_nan(
            p[: n - 1], math_ops.maximum(p[1:], 0), name="recall_relative_ratio"
        ),
        array_ops.ones_like(p[1:]),
    )
    increments = math_ops.divide_no_nan(
        slope * (dtp + intercept * math_ops.log(ratio)),
        math_ops.maximum(tp[1:] + fn[1:], 0),
        name="pr_auc_increment",
    )
    return math_ops.reduce_sum(increments, name="interpolate_pr_auc")  # named so by TF


def specificity_at_sensitivity(
    labels,
    predictions,
    sensitivity,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The specificity at the threshold whose sensitivity is closest to ``sensitivity``
    (the last such threshold on ties)."""
    if not 0 <= sensitivity <= 1:
        raise ValueError(
            f"`sensitivity` must be in the range [0, 1]. Currently, `sensitivity` is {sensitivity}."
        )
    with variable_scope(name, "specificity_at_sensitivity", (predictions, labels, weights)):
        edges = [0.0 - _EPSILON, *_interior_thresholds(num_thresholds), 1.0 - _EPSILON]
        values, updates = _confusion_at_thresholds(labels, predictions, edges, weights)

        def compute(counts, name):
            tp, fn, tn, fp = (counts[k] for k in _COUNTS)
            sensitivities = math_ops.truediv(tp, tp + fn + _EPSILON)
            distance = math_ops.abs(sensitivities - sensitivity)
            closest = math_ops.cast(
                math_ops.equal(distance, math_ops.reduce_min(distance)), dtypes.int64
            )
            index = math_ops.cast(math_ops.argmax(math_ops.cumsum(closest), 0), dtypes.int32)
            return math_ops.truediv(tn[index], tn[index] + fp[index] + _EPSILON, name=name)

        value, update_op = compute(values, "value"), compute(updates, "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


def sensitivity_at_specificity(
    labels,
    predictions,
    specificity,
    weights=None,
    num_thresholds=200,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The sensitivity at the threshold whose specificity is closest to ``specificity``."""
    if not 0 <= specificity <= 1:
        raise ValueError("`specificity` must be in the range [0, 1].")
    with variable_scope(name, "sensitivity_at_specificity", (predictions, labels, weights)):
        edges = [0.0 - _EPSILON, *_interior_thresholds(num_thresholds), 1.0 + _EPSILON]
        values, updates = _confusion_at_thresholds(labels, predictions, edges, weights)

        def compute(counts, name):
            tp, fn, tn, fp = (counts[k] for k in _COUNTS)
            specificities = math_ops.truediv(tn, tn + fp + _EPSILON)
            index = math_ops.cast(
                math_ops.argmin(math_ops.abs(specificities - specificity), 0), dtypes.int32
            )
            return math_ops.truediv(tp[index], tp[index] + fn[index] + _EPSILON, name=name)

        value, update_op = compute(values, "value"), compute(updates, "update_op")
        return _publish(value, update_op, metrics_collections, updates_collections)


# -- per-class metrics -------------------------------------------------------------------


def _flat(tensor: Tensor) -> Tensor:
    rank = tensor.shape.rank
    return array_ops.reshape(tensor, [-1]) if rank is None or rank > 1 else tensor


def _class_ids(values, num_classes: int, what: str) -> Tensor:
    """``values`` as int64 class ids, checked to lie in ``[0, num_classes)`` when run."""
    ids = math_ops.cast(_flat(convert_to_tensor(values)), dtypes.int64)
    valid = math_ops.reduce_all(
        math_ops.logical_and(math_ops.greater_equal(ids, 0), math_ops.less(ids, num_classes))
    )
    check = Assert(valid, [f"`{what}` out of bound", ids])
    with get_default_graph().control_dependencies([check]):
        return array_ops.identity(ids)


def _streaming_confusion_matrix(labels, predictions, num_classes: int, weights=None):
    """A local ``[num_classes, num_classes]`` float64 variable counting (label, prediction)
    pairs, and its update op."""
    total = metric_variable(
        [num_classes, num_classes], dtypes.float64, name="total_confusion_matrix"
    )
    labels = _class_ids(labels, num_classes, "labels")
    predictions = _class_ids(predictions, num_classes, "predictions")
    if weights is None:
        counts = array_ops.ones_like(labels, dtype=dtypes.float64)
    else:
        counts = math_ops.cast(_flat(convert_to_tensor(weights)), dtypes.float64)
        counts = counts * array_ops.ones_like(labels, dtype=dtypes.float64)
    cells = labels * num_classes + predictions
    current = math_ops.unsorted_segment_sum(counts, cells, num_classes * num_classes)
    update = assign_add(total, array_ops.reshape(current, [num_classes, num_classes]))
    return total, update


def mean_iou(
    labels,
    predictions,
    num_classes,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The mean intersection-over-union of the classes that occur (segmentation).

    ``update_op`` updates (and returns) the confusion matrix; ``value`` is the mean IoU.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     iou, update = mean_iou([0, 0, 1, 1], [0, 1, 1, 1], num_classes=2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         _ = sess.run(update)
    ...         print(round(float(sess.run(iou)), 4))  # (1/2 + 2/3) / 2
    0.5833
    """
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        convert_to_tensor(predictions).shape.assert_is_compatible_with(
            convert_to_tensor(labels).shape
        )
        total, update_op = _streaming_confusion_matrix(labels, predictions, num_classes, weights)
        matrix = math_ops.cast(total.value(), dtypes.float32)
        diagonal = math_ops.reduce_sum(matrix * np.eye(num_classes, dtype=np.float32), 1)
        union = math_ops.reduce_sum(matrix, 0) + math_ops.reduce_sum(matrix, 1) - diagonal
        present = math_ops.reduce_sum(math_ops.cast(math_ops.not_equal(union, 0), dtypes.float32))
        union = math_ops.where_v1(math_ops.greater(union, 0), union, array_ops.ones_like(union))
        total_iou = math_ops.reduce_sum(math_ops.truediv(diagonal, union), name="mean_iou")
        value = math_ops.where_v1(
            math_ops.greater(present, 0), total_iou / present, array_ops.zeros_like(present)
        )
        return _publish(value, update_op, metrics_collections, updates_collections)


def mean_per_class_accuracy(
    labels,
    predictions,
    num_classes,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The mean over classes of each class's accuracy (the recall of each label).

    ``update_op`` returns the per-class accuracies so far; ``value`` their mean.
    """
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        labels = math_ops.cast(_flat(convert_to_tensor(labels)), dtypes.int64)
        predictions = _flat(convert_to_tensor(predictions))
        predictions.shape.assert_is_compatible_with(labels.shape)
        total = metric_variable([num_classes], dtypes.float32, name="total")
        count = metric_variable([num_classes], dtypes.float32, name="count")
        ones = array_ops.ones_like(labels, dtype=dtypes.float32)
        if labels.dtype != predictions.dtype:
            predictions = math_ops.cast(predictions, labels.dtype)
        correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = math_ops.cast(_flat(convert_to_tensor(weights)), dtypes.float32)
            correct, ones = correct * weights, ones * weights
        update_total = assign_add(total, math_ops.unsorted_segment_sum(ones, labels, num_classes))
        update_count = assign_add(
            count, math_ops.unsorted_segment_sum(correct, labels, num_classes)
        )
        per_class = math_ops.divide_no_nan(count.value(), math_ops.maximum(total.value(), 0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        update_op = math_ops.divide_no_nan(
            update_count, math_ops.maximum(update_total, 0), name="update_op"
        )
        return _publish(value, update_op, metrics_collections, updates_collections)


# -- top-k retrieval metrics ------------------------------------------------------------


def _at_k_name(name: str, k=None, class_id=None) -> str:
    name = f"{name}_at_{k}" if k is not None else f"{name}_at_k"
    return f"{name}_class{class_id}" if class_id is not None else name


def _first_occurrences(ids: Tensor) -> Tensor:
    """Along the last axis, true where a value is not repeated from earlier (set semantics)."""
    positions = math_ops.range(array_ops.shape(ids)[-1])
    earlier = math_ops.less(
        array_ops.expand_dims(positions, 0), array_ops.expand_dims(positions, 1)
    )
    same = math_ops.equal(array_ops.expand_dims(ids, -1), array_ops.expand_dims(ids, -2))
    return math_ops.logical_not(math_ops.reduce_any(math_ops.logical_and(same, earlier), -1))


def _contains(ids: Tensor, of: Tensor) -> Tensor:
    """For each entry of ``of``, whether it is among ``ids`` (rows matched by leading axes)."""
    same = math_ops.equal(array_ops.expand_dims(of, -1), array_ops.expand_dims(ids, -2))
    return math_ops.reduce_any(same, -1)


def _top_k_counts(labels, predictions_idx, class_id) -> dict:
    """Per row: how many predicted ids are labels (``tp``), are not (``fp``), and how many
    labels were not predicted (``fn``), each counted as a set; with ``class_id``, only
    that class counts."""
    predictions_idx = math_ops.cast(convert_to_tensor(predictions_idx), dtypes.int64)
    labels = math_ops.cast(convert_to_tensor(labels), dtypes.int64)
    if labels.shape.rank is not None and labels.shape.rank == predictions_idx.shape.rank - 1:
        labels = array_ops.expand_dims(labels, -1)
    if class_id is not None:
        predicted = math_ops.reduce_any(math_ops.equal(predictions_idx, class_id), -1)
        labelled = math_ops.reduce_any(math_ops.equal(labels, class_id), -1)
        not_predicted, not_labelled = (
            math_ops.logical_not(predicted),
            math_ops.logical_not(labelled),
        )
        hits = {
            "tp": _both(predicted, labelled),
            "fp": _both(predicted, not_labelled),
            "fn": _both(labelled, not_predicted),
        }
        return {key: math_ops.cast(value, dtypes.float64) for key, value in hits.items()}
    new_predictions = _first_occurrences(predictions_idx)
    new_labels = _first_occurrences(labels)
    predicted_right = _contains(labels, predictions_idx)
    found = _contains(predictions_idx, labels)
    counts = {
        "tp": _both(new_predictions, predicted_right),
        "fp": _both(new_predictions, math_ops.logical_not(predicted_right)),
        "fn": _both(new_labels, math_ops.logical_not(found)),
    }
    return {
        key: math_ops.reduce_sum(math_ops.cast(v, dtypes.float64), -1) for key, v in counts.items()
    }


def _streaming_count(rows: Tensor, weights, name: str) -> tuple:
    """A float64 local variable summing the (weighted) per-row counts ``rows``."""
    graph = get_default_graph()
    with graph.name_scope(name) as scope:
        if weights is not None:
            rows = rows * math_ops.cast(convert_to_tensor(weights), dtypes.float64)
        variable = metric_variable([], dtypes.float64, name=scope)
        update = assign_add(variable, math_ops.reduce_sum(rows), name="update")
        return variable.value(), update


def _top_k_ratio(
    metric: str, name, other: str, labels, predictions_idx, k, class_id, weights, collections
):
    """``tp / (tp + other)`` over the batches so far (NaN before any count, as TF's)."""
    graph = get_default_graph()
    counter_names = {"fp": "false_positive", "fn": "false_negative"}
    with graph.name_scope(name or _at_k_name(metric, k, class_id)) as scope:
        rows = _top_k_counts(labels, predictions_idx, class_id)
        tp, update_tp = _streaming_count(
            rows["tp"], weights, _at_k_name("true_positive", k, class_id)
        )
        extra, update_extra = _streaming_count(
            rows[other], weights, _at_k_name(counter_names[other], k, class_id)
        )
        value = math_ops.truediv(tp, tp + extra, name=scope)
        update_op = math_ops.truediv(update_tp, update_tp + update_extra, name="update")
        return _publish(value, update_op, *collections)


def precision_at_top_k(
    labels,
    predictions_idx,
    k=None,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """Precision of retrieved ids: of the ``predictions_idx`` (``[..., k]``, e.g. from
    ``top_k``), the fraction that are among the row's ``labels`` (``[..., num_labels]``
    or ``[...]``); ids and labels count as sets. With ``class_id``, the precision of
    that class alone.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p, update = precision_at_top_k([[1, 3], [0, 2]], [[1, 2], [2, 0]])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update), p.name)
    0.75 precision_at_k:0
    """
    collections = (metrics_collections, updates_collections)
    return _top_k_ratio(
        "precision", name, "fp", labels, predictions_idx, k, class_id, weights, collections
    )


def recall_at_top_k(
    labels,
    predictions_idx,
    k=None,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """Recall of retrieved ids: of each row's ``labels`` (as a set), the fraction found
    among its ``predictions_idx``. With ``class_id``, the recall of that class alone.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r, update = recall_at_top_k([[1, 3], [0, 2]], [[1, 2], [2, 0]])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update))
    0.75
    """
    collections = (metrics_collections, updates_collections)
    return _top_k_ratio(
        "recall", name, "fn", labels, predictions_idx, k, class_id, weights, collections
    )


def _top_k_ids(predictions, k: int) -> Tensor:
    return top_k(predictions, k)[1]


def precision_at_k(
    labels,
    predictions,
    k,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """:func:`precision_at_top_k` of the ``k`` highest ``predictions`` (logits or scores,
    ``[..., num_classes]``) of each row.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p, update = precision_at_k([[2], [0]], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], k=2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update), p.name)
    0.5 precision_at_2:0
    """
    with get_default_graph().name_scope(name or _at_k_name("precision", k, class_id)) as scope:
        return precision_at_top_k(
            labels,
            _top_k_ids(predictions, k),
            k,
            class_id,
            weights,
            metrics_collections,
            updates_collections,
            name=scope,
        )


sparse_precision_at_k = precision_at_k  # TF1's older name


def recall_at_k(
    labels,
    predictions,
    k,
    class_id=None,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """:func:`recall_at_top_k` of the ``k`` highest ``predictions`` of each row."""
    with get_default_graph().name_scope(name or _at_k_name("recall", k, class_id)) as scope:
        return recall_at_top_k(
            labels,
            _top_k_ids(predictions, k),
            k,
            class_id,
            weights,
            metrics_collections,
            updates_collections,
            name=scope,
        )


def _average_precision(labels, predictions_idx) -> Tensor:
    """Per row, the average precision of the ranked ``predictions_idx``: the mean over the
    relevant positions of the precision up to them, over ``min(labels, k)``."""
    graph = get_default_graph()
    with graph.name_scope("average_precision") as scope:
        predictions_idx = math_ops.cast(predictions_idx, dtypes.int64)
        k = predictions_idx.shape.dim_value(-1)
        labels = math_ops.cast(convert_to_tensor(labels), dtypes.int64)
        if labels.shape.rank is not None and labels.shape.rank == predictions_idx.shape.rank - 1:
            labels = array_ops.expand_dims(labels, -1)
        relevant = math_ops.cast(_contains(labels, predictions_idx), dtypes.float64)
        retrieved = math_ops.cast(math_ops.range(1, k + 1), dtypes.float64)
        precision = math_ops.cumsum(relevant, axis=-1) / retrieved
        total = math_ops.reduce_sum(precision * relevant, -1)
        labelled = math_ops.reduce_sum(
            math_ops.cast(math_ops.greater_equal(labels, 0), dtypes.float64), -1
        )
        return math_ops.truediv(total, math_ops.minimum(labelled, float(k)), name=scope)


def _without_unknown_classes(labels, predictions) -> Tensor:
    """``labels`` with the ids of no class of ``predictions`` replaced by -1 (not relevant)."""
    labels = math_ops.cast(convert_to_tensor(labels), dtypes.int64)
    classes = math_ops.cast(array_ops.shape(predictions)[-1], dtypes.int64)
    return control_flow_ops.cond_v1(
        math_ops.reduce_max(labels) >= classes,
        lambda: math_ops.where(labels >= classes, -array_ops.ones_like(labels), labels),
        lambda: labels,
    )


def average_precision_at_k(
    labels,
    predictions,
    k,
    weights=None,
    metrics_collections=None,
    updates_collections=None,
    name=None,
):
    """The mean average precision at ``k`` (for ranking with several relevant labels).

    Labels that are no class of ``predictions`` (``>= num_classes``) are not relevant.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ap, update = average_precision_at_k([[0, 2]], [[0.1, 0.2, 0.7]], k=2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(update))  # label 2 ranked first: (1/1) / 2
    0.5
    """
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    graph = get_default_graph()
    with graph.name_scope(name or _at_k_name("average_precision", k)) as scope:
        ids = _top_k_ids(predictions, k)
        precision = _average_precision(_without_unknown_classes(labels, predictions), ids)
        if weights is not None:
            weights = math_ops.cast(convert_to_tensor(weights), dtypes.float64)
            weights = weights * array_ops.ones_like(precision)
            precision = precision * weights
        with graph.name_scope("max") as max_scope:
            most = metric_variable([], dtypes.float64, name=max_scope)
            if weights is None:
                batch_most = math_ops.cast(array_ops.size(precision), dtypes.float64)
            else:
                batch_most = math_ops.reduce_sum(weights)
            update_most = assign_add(most, batch_most, name="update")
        with graph.name_scope("total") as total_scope:
            total = metric_variable([], dtypes.float64, name=total_scope)
            update_total = assign_add(total, math_ops.reduce_sum(precision), name="update")
        value = math_ops.divide_no_nan(total.value(), most.value(), name="mean")
        update_op = math_ops.divide_no_nan(update_total, update_most, name=scope)
        return _publish(value, update_op, metrics_collections, updates_collections)


sparse_average_precision_at_k = average_precision_at_k  # TF1's older name
