"""``tf.losses``: TF1's losses, each a per-element loss reduced by ``compute_weighted_loss``.

Every loss takes ``weights`` (a scalar, or a tensor of the losses' rank whose
dimensions are 1 or the losses'), a ``scope``, the collection to add the result to
(``GraphKeys.LOSSES``) and a ``Reduction``; the default, ``SUM_BY_NONZERO_WEIGHTS``,
is the weighted sum divided by the number of non-zero weights. Inputs are cast to
float32, as TF's are, and the result is named ``<loss scope>/value``.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops import activation_ops, array_ops, loss_ops, math_ops
from ..ops.core import convert_to_tensor
from .util import add_loss

__all__ = [
    "Reduction",
    "absolute_difference",
    "compute_weighted_loss",
    "cosine_distance",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]


class Reduction:
    """How ``compute_weighted_loss`` reduces the weighted losses.

    ``NONE`` keeps them; ``SUM`` adds them up; ``MEAN`` divides the sum by the sum of
    the weights; ``SUM_OVER_BATCH_SIZE`` by the number of elements;
    ``SUM_BY_NONZERO_WEIGHTS`` (``SUM_OVER_NONZERO_WEIGHTS``) by the number of non-zero
    weights.

    Examples
    --------
    >>> Reduction.validate("weighted_sum")
    >>> Reduction.validate("mean")
    Traceback (most recent call last):
    ...
    ValueError: Invalid Reduction Key mean. Key should be one of ('none', 'weighted_sum', 'weighted_mean', 'weighted_sum_over_batch_size', 'weighted_sum_by_nonzero_weights', 'weighted_sum_by_nonzero_weights').
    """

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple:
        return (
            cls.NONE,
            cls.SUM,
            cls.MEAN,
            cls.SUM_OVER_BATCH_SIZE,
            cls.SUM_OVER_NONZERO_WEIGHTS,
            cls.SUM_BY_NONZERO_WEIGHTS,
        )

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Key should be one of {cls.all()}.")


# -- weights and reductions --------------------------------------------------------------


def _check_broadcastable(weights: Tensor, values: Tensor) -> None:
    """TF's rule for loss weights: a scalar, or the values' rank with each dimension 1 or
    the values' (checked here when the shapes are known)."""
    w, v = weights.shape, values.shape
    if w.rank == 0 or w.rank is None or v.rank is None:
        return
    detail = f"values.shape={v}. weights.shape={w}."
    if w.rank != v.rank:
        raise ValueError(
            f"weights can not be broadcast to values. values.rank={v.rank}. "
            f"weights.rank={w.rank}. {detail}"
        )
    for wd, vd in zip(w.as_list(), v.as_list()):
        if wd is not None and vd is not None and wd not in (1, vd):
            raise ValueError(f"weights can not be broadcast to values. {detail}")


def _num_present(losses: Tensor, weights: Tensor, per_batch: bool = False) -> Tensor:
    """The number of losses with a non-zero weight (per batch element if asked)."""
    with get_default_graph().name_scope("num_present") as scope:
        weights = math_ops.cast(weights, dtypes.float32)
        present = math_ops.where(
            math_ops.equal(weights, 0.0),
            array_ops.zeros_like(weights),
            array_ops.ones_like(weights),
        )
        present = math_ops.multiply(present, array_ops.ones_like(losses))  # broadcast
        if per_batch:
            axes = math_ops.range(1, array_ops.rank(present))
            return math_ops.reduce_sum(present, axis=axes, keepdims=True, name=scope)
        return math_ops.reduce_sum(present, name=scope)


def _num_elements(losses: Tensor) -> Tensor:
    with get_default_graph().name_scope("num_elements") as scope:
        return math_ops.cast(array_ops.size(losses, name=scope), losses.dtype)


def compute_weighted_loss(
    losses,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weight ``losses`` and reduce them; add the result to ``loss_collection``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = compute_weighted_loss([1.0, 2.0, 3.0], weights=[1.0, 0.0, 1.0])
    ...     print(loss.name, tf.compat.v1.Session().run(loss))
    weighted_loss/value:0 2.0
    """
    Reduction.validate(reduction)
    graph = get_default_graph()
    with graph.name_scope(scope or "weighted_loss"):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.cast(losses, dtypes.float32)
        weights = math_ops.cast(convert_to_tensor(weights), dtypes.float32)
        _check_broadcastable(weights, losses)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                total_weight = math_ops.reduce_sum(array_ops.ones_like(losses) * weights)
                loss = math_ops.divide_no_nan(loss, total_weight, name="value")
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = math_ops.divide_no_nan(loss, _num_present(losses, weights), name="value")
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = math_ops.divide_no_nan(loss, _num_elements(losses), name="value")
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


# -- the losses ---------------------------------------------------------------------------


def _required(value, argument: str):
    if value is None:
        raise ValueError(f"Argument `{argument}` must not be None.")
    return value


def _as_floats(*values) -> list:
    return [math_ops.cast(convert_to_tensor(v), dtypes.float32) for v in values]


def _check_compatible(a: Tensor, b: Tensor) -> None:
    a.shape.assert_is_compatible_with(b.shape)


def absolute_difference(
    labels,
    predictions,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """``|predictions - labels|``, weighted and reduced (L1).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = absolute_difference([0.0, 1.0], [1.0, 3.0])
    ...     print(loss.name, tf.compat.v1.Session().run(loss))
    absolute_difference/value:0 1.5
    """
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "absolute_difference") as scope:
        predictions, labels = _as_floats(predictions, labels)
        _check_compatible(predictions, labels)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def cosine_distance(
    labels,
    predictions,
    axis=None,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
    dim=None,
) -> Tensor:
    """``1 - sum(predictions * labels, axis)`` for unit-normalized inputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], axis=1)
    ...     print(round(float(tf.compat.v1.Session().run(loss)), 6))
    0.4
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify argument `axis`.")
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "cosine_distance_loss") as scope:
        predictions, labels = _as_floats(predictions, labels)
        _check_compatible(predictions, labels)
        products = math_ops.multiply(predictions, labels)
        losses = 1 - math_ops.reduce_sum(products, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def hinge_loss(
    labels,
    logits,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """``max(0, 1 - y * logits)`` with 0/1 ``labels`` mapped to ``y`` in -1/1.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = hinge_loss([1.0, 0.0], [0.5, 0.5])
    ...     print(tf.compat.v1.Session().run(loss))
    1.0
    """
    _required(labels, "labels")
    _required(logits, "logits")
    with get_default_graph().name_scope(scope or "hinge_loss") as scope:
        logits, labels = _as_floats(logits, labels)
        _check_compatible(logits, labels)
        signs = math_ops.subtract(2 * labels, array_ops.ones_like(labels))
        losses = activation_ops.relu(math_ops.subtract(array_ops.ones_like(labels), signs * logits))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def huber_loss(
    labels,
    predictions,
    weights=1.0,
    delta=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Quadratic for errors up to ``delta``, linear beyond: ``0.5*x^2`` or
    ``delta*(|x| - 0.5*delta)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = huber_loss([0.0, 0.0], [0.5, 3.0])
    ...     print(tf.compat.v1.Session().run(loss))
    1.3125
    """
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "huber_loss") as scope:
        predictions, labels = _as_floats(predictions, labels)
        _check_compatible(predictions, labels)
        error = math_ops.abs(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(error, delta)
        linear = math_ops.subtract(error, quadratic)
        losses = math_ops.add(
            math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
            math_ops.multiply(delta, linear),
        )
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def log_loss(
    labels,
    predictions,
    weights=1.0,
    epsilon=1e-7,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Binary cross-entropy of probabilities: ``-y log(p + eps) - (1-y) log(1 - p + eps)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = log_loss([1.0], [0.5])
    ...     print(round(float(tf.compat.v1.Session().run(loss)), 4))
    0.6931
    """
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "log_loss") as scope:
        predictions, labels = _as_floats(predictions, labels)
        _check_compatible(predictions, labels)
        losses = -math_ops.multiply(
            labels, math_ops.log(predictions + epsilon)
        ) - math_ops.multiply((1 - labels), math_ops.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def mean_pairwise_squared_error(
    labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES
) -> Tensor:
    """The mean of ``((p_i - p_j) - (y_i - y_j))^2`` over the pairs of each batch element
    (differences between predictions matter, not their level); ``weights`` per element.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = mean_pairwise_squared_error([[0.0, 1.0, 2.0]], [[1.0, 2.0, 3.0]])
    ...     print(tf.compat.v1.Session().run(loss))  # shifted, so every pair agrees
    0.0
    """
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "mean_pairwise_squared_error"):
        predictions, labels = _as_floats(predictions, labels)
        weights = math_ops.cast(convert_to_tensor(weights), dtypes.float32)
        _check_compatible(predictions, labels)
        _check_broadcastable(weights, labels)
        diffs = math_ops.subtract(predictions, labels)
        axes = math_ops.range(1, array_ops.rank(diffs))
        sum_squares = math_ops.reduce_sum(math_ops.square(diffs), axis=axes, keepdims=True)
        present = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * math_ops.divide_no_nan(
            sum_squares, math_ops.maximum(present - 1, 0), name="value"
        )
        sums = math_ops.reduce_sum(diffs, axis=axes, keepdims=True)
        pairs = math_ops.maximum(math_ops.multiply(present, present - 1), 0)
        term2 = 2.0 * math_ops.divide_no_nan(math_ops.square(sums), pairs, name="value")
        loss = math_ops.reduce_sum(math_ops.multiply(term1 - term2, weights))
        mean_loss = math_ops.where(
            math_ops.reduce_sum(present) > 0, loss, array_ops.zeros_like(loss), name="value"
        )
        add_loss(mean_loss, loss_collection)
        return mean_loss


def mean_squared_error(
    labels,
    predictions,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """``(predictions - labels)^2``, weighted and reduced.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = mean_squared_error([0.0, 0.0], [1.0, 3.0])
    ...     print(loss.name, tf.compat.v1.Session().run(loss))
    mean_squared_error/value:0 5.0
    """
    _required(labels, "labels")
    _required(predictions, "predictions")
    with get_default_graph().name_scope(scope or "mean_squared_error") as scope:
        predictions, labels = _as_floats(predictions, labels)
        _check_compatible(predictions, labels)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def sigmoid_cross_entropy(
    multi_class_labels,
    logits,
    weights=1.0,
    label_smoothing=0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Per-class sigmoid cross-entropy; ``label_smoothing`` pulls the 0/1 labels towards 1/2.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = sigmoid_cross_entropy([[1.0, 0.0]], [[0.0, 0.0]])
    ...     print(round(float(tf.compat.v1.Session().run(loss)), 4))
    0.6931
    """
    _required(multi_class_labels, "multi_class_labels")
    _required(logits, "logits")
    with get_default_graph().name_scope(scope or "sigmoid_cross_entropy_loss") as scope:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(convert_to_tensor(multi_class_labels), logits.dtype)
        _check_compatible(logits, labels)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = loss_ops.sigmoid_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(
    onehot_labels,
    logits,
    weights=1.0,
    label_smoothing=0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Softmax cross-entropy with one-hot labels; ``label_smoothing`` spreads that much of
    each label's mass over every class. No gradient flows into the labels.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = softmax_cross_entropy([[0.0, 1.0]], [[0.0, 0.0]])
    ...     print(loss.name, round(float(tf.compat.v1.Session().run(loss)), 4))
    softmax_cross_entropy_loss/value:0 0.6931
    """
    _required(onehot_labels, "onehot_labels")
    _required(logits, "logits")
    with get_default_graph().name_scope(scope or "softmax_cross_entropy_loss") as scope:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(convert_to_tensor(onehot_labels), logits.dtype)
        _check_compatible(logits, labels)
        if label_smoothing > 0:
            classes = math_ops.cast(array_ops.shape(labels)[-1], logits.dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / classes
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        losses = loss_ops.softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def _squeeze_labels(labels: Tensor, logits: Tensor, weights):
    """Drop a trailing size-1 dimension of the labels (and weights) when their rank
    equals the logits' (class ids given as ``[batch, 1]``)."""

    def squeezable(tensor: Tensor) -> bool:
        rank = tensor.shape.rank
        return rank is not None and rank == logits.shape.rank and tensor.shape.dim_value(-1) == 1

    weights = convert_to_tensor(weights)
    if squeezable(labels):
        labels = array_ops.squeeze(labels, [-1])
    if squeezable(weights):
        weights = array_ops.squeeze(weights, [-1])
    return labels, weights


def sparse_softmax_cross_entropy(
    labels,
    logits,
    weights=1.0,
    scope=None,
    loss_collection=GraphKeys.LOSSES,
    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Softmax cross-entropy with class ids as labels (``[batch]`` or ``[batch, 1]``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = sparse_softmax_cross_entropy([1], [[0.0, 0.0]])
    ...     print(round(float(tf.compat.v1.Session().run(loss)), 4))
    0.6931
    """
    _required(labels, "labels")
    _required(logits, "logits")
    with get_default_graph().name_scope(scope or "sparse_softmax_cross_entropy_loss") as scope:
        logits = convert_to_tensor(logits)
        labels, weights = _squeeze_labels(convert_to_tensor(labels), logits, weights)
        losses = loss_ops.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)
