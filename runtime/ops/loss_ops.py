"""Losses: softmax and sigmoid cross-entropies, L2 and Poisson losses, sampled losses.

The cross-entropy ops are TF's fused ones (``SoftmaxCrossEntropyWithLogits`` returns
the loss and its gradient together); the other losses are built from math ops as TF
builds them, in forms that neither overflow nor lose precision for large logits.
"""

from __future__ import annotations

import math

from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops, math_ops
from .activation_ops import log_softmax, relu, softmax
from .constant_value import constant_value
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup, same_dtype
from .nn_util import unary
from .shape_util import merge_dim, merge_shapes, with_rank

__all__ = [
    "l2_loss",
    "log_poisson_loss",
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
]


# -- l2 loss --------------------------------------------------------------------------------


L2_LOSS = register_op(
    OpDef(
        "L2Loss",
        ("t: T",),
        ("output: T",),
        ("T: {half, bfloat16, float, double}",),
        lambda t, **_: [TensorSpec(t.dtype, TensorShape([]))],
    )
)


def l2_loss(t, name=None) -> Tensor:
    """Half the squared L2 norm of ``t``: ``sum(t ** 2) / 2``, a scalar.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.l2_loss([3.0, 4.0]))
    np.float32(12.5)
    """
    return unary(L2_LOSS, t, name)


@register_gradient("L2Loss")
def _l2_loss_gradient(op, grad):
    return [math_ops.multiply(op.inputs[0], grad)]


# -- cross-entropy ops ------------------------------------------------------------------


def _xent_shape(features, labels, **_attrs):
    dtype = same_dtype("SoftmaxCrossEntropyWithLogits", features, labels)
    try:
        both = merge_shapes(with_rank(features.shape, 2), labels.shape)
    except ValueError:
        # Not the same [batch, classes] shape: the kernel broadcasts them to rank 2.
        both = broadcast_shapes(features.shape, labels.shape)
        if both.rank is None:
            raise ValueError(
                "Shape must be broadcasted with rank 2, but is rank is unknown."
            ) from None
        if both.rank != 2:
            raise ValueError(
                f"Shape must be broadcasted with rank 2, but is rank {both.rank}"
            ) from None
    return [TensorSpec(dtype, TensorShape([both.dim_value(0)])), TensorSpec(dtype, both)]


def _sparse_xent_shape(features, labels, **_attrs):
    batch, classes = with_rank(features.shape, 2).as_tuple()
    batch = merge_dim(batch, with_rank(labels.shape, 1).dim_value(0))
    return [
        TensorSpec(features.dtype, TensorShape([batch])),
        TensorSpec(features.dtype, TensorShape([batch, classes])),
    ]


_FLOAT_T = "T: {half, bfloat16, float, double}"
SOFTMAX_XENT = register_op(
    OpDef(
        "SoftmaxCrossEntropyWithLogits",
        ("features: T", "labels: T"),
        ("loss: T", "backprop: T"),
        (_FLOAT_T,),
        _xent_shape,
    )
)
SPARSE_SOFTMAX_XENT = register_op(
    OpDef(
        "SparseSoftmaxCrossEntropyWithLogits",
        ("features: T", "labels: Tlabels"),
        ("loss: T", "backprop: T"),
        (_FLOAT_T, "Tlabels: {int32, int64} = DT_INT64"),
        _sparse_xent_shape,
    )
)


def _ensure_xent_args(name: str, labels, logits) -> None:
    """TF1's guard: ``labels`` and ``logits`` default to ``None`` but are both needed."""
    if labels is None or logits is None:
        raise ValueError(
            f"Both `labels` and `logits` must be provided for {name}. "
            f"Received: labels={labels} and logits={logits}"
        )


def _logits_and_labels(logits, labels) -> tuple[Tensor, Tensor]:
    """Both as tensors; Python ``labels`` take the logits' dtype."""
    graph = graph_of([logits, labels])
    logits = convert_to_tensor(logits, name="logits", graph=graph)
    labels = convert_to_tensor(
        labels, dtype_hint=logits.dtype.base_dtype, name="labels", graph=graph
    )
    return logits, labels


def _flatten_outer_dims(tensor: Tensor) -> Tensor:
    """``tensor`` as ``[-1, last dim]``, keeping what is known of the static shape."""
    last = array_ops.shape(tensor)[-1:]
    flat = array_ops.reshape(tensor, array_ops.concat([[-1], last], 0))
    shape = tensor.shape
    if shape.rank is not None:
        flat.set_shape([shape[:-1].num_elements(), shape.dim_value(-1)])
    return flat


def _move_axis_last(tensor: Tensor, axis: int) -> Tensor:
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError(f"A cross-entropy along axis {axis} needs the rank of logits.")
    axis %= rank
    return array_ops.transpose(tensor, [*range(axis), *range(axis + 1, rank), axis])


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Softmax cross-entropy between ``logits`` and a distribution ``labels`` over ``axis``.

    The gradient flows into ``labels`` as well as ``logits`` (TF2's behaviour; the TF1
    form ``tf.compat.v1.nn.softmax_cross_entropy_with_logits`` stops it).

    Parameters
    ----------
    labels : Tensor
        Probabilities, shaped like ``logits``; each row should sum to 1.
    logits : Tensor of floats
        Unscaled log-probabilities.
    axis : int
        The class dimension (default: the last).

    Returns
    -------
    Tensor
        The loss, shaped like ``logits`` without ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.softmax_cross_entropy_with_logits(
    ...         labels=[[0.0, 1.0], [0.5, 0.5]], logits=[[0.0, 0.0], [0.0, 0.0]])
    ...     tf.compat.v1.Session().run(loss)
    array([0.6931472, 0.6931472], dtype=float32)
    """
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits, labels = _logits_and_labels(logits, labels)
        labels = math_ops.cast(labels, logits.dtype.base_dtype)
        shape = logits.shape
        if shape.rank == 2 and axis in (-1, 1):
            return _xent_op(logits, labels, scope)
        # As TF: the class axis goes last, the rest is flattened to a batch and back.
        if axis not in (-1, None) and not (shape.rank is not None and axis == shape.rank - 1):
            logits, labels = _move_axis_last(logits, axis), _move_axis_last(labels, axis)
        loss = _xent_op(_flatten_outer_dims(logits), _flatten_outer_dims(labels), "xent")
        loss = array_ops.reshape(loss, array_ops.shape(logits)[:-1], name=scope)
        if shape.rank is not None:
            dims = shape.as_list()
            del dims[axis]
            loss.set_shape(dims)
        return loss


def _xent_op(logits: Tensor, labels: Tensor, name) -> Tensor:
    return apply_op(SOFTMAX_XENT, [logits, labels], name).outputs[0]


def softmax_cross_entropy_with_logits_v1(
    labels=None, logits=None, dim=-1, name=None, axis=None
) -> Tensor:
    """TF1's softmax cross-entropy: as TF2's, but no gradient flows into ``labels``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.compat.v1.nn.softmax_cross_entropy_with_logits(
    ...         labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    ...     tf.compat.v1.Session().run(loss)
    array([0.6931472], dtype=float32)
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits", labels, logits)
    axis = deprecated_argument_lookup("axis", axis, "dim", None if dim == -1 else dim)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits(
            labels, logits, -1 if axis is None else axis, scope
        )


def softmax_cross_entropy_with_logits_v2_v1(
    labels, logits, axis=None, name=None, dim=None
) -> Tensor:
    """``tf.compat.v1.nn.softmax_cross_entropy_with_logits_v2``: TF2's, with ``dim``."""
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    return softmax_cross_entropy_with_logits(labels, logits, -1 if axis is None else axis, name)


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_gradient(op, grad_loss, grad_backprop):
    logits = op.inputs[0]
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zeros(grad_backprop):
        # backprop = softmax(logits) - labels; its derivative is softmax's Jacobian.
        probabilities = softmax(logits)
        projected = math_ops.reduce_sum(
            math_ops.multiply(grad_backprop, probabilities), -1, keepdims=True
        )
        grad = math_ops.add(
            grad, math_ops.multiply(math_ops.subtract(grad_backprop, projected), probabilities)
        )
    return [grad, _broadcast_mul(grad_loss, math_ops.negative(log_softmax(logits)))]


def _is_zeros(tensor) -> bool:
    """True for a gradient known to be zero while building, such as the zeros
    ``gradients()`` gives an output nobody used (TF's ``_is_zeros_tensor``)."""
    if tensor is None or tensor.op.type == "ZerosLike":
        return True
    value = constant_value(tensor)
    return value is not None and not value.any()


def _sparse_xent_op(logits: Tensor, labels: Tensor, name) -> Tensor:
    return apply_op(SPARSE_SOFTMAX_XENT, [logits, labels], name).outputs[0]


def _check_sparse_labels(labels: Tensor, logits: Tensor) -> None:
    """The static checks of TF's wrapper, before any op is built."""
    labels_shape, logits_shape = labels.shape, logits.shape
    if logits_shape.rank == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {logits_shape}.")
    if labels_shape.rank is None or logits_shape.rank is None:
        return
    if labels_shape.rank != logits_shape.rank - 1:
        raise ValueError(
            f"Rank mismatch: Rank of labels (received {labels_shape.rank}) should equal "
            f"rank of logits minus 1 (received {logits_shape.rank})."
        )
    if not labels_shape.is_compatible_with(logits_shape[:-1]):
        raise ValueError(
            f"Shape mismatch: The shape of labels (received {labels_shape}) should equal "
            f"the shape of logits except for the last dimension (received {logits_shape})."
        )


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Softmax cross-entropy between ``logits`` and integer class ``labels``.

    Parameters
    ----------
    labels : Tensor of int32 or int64
        Class indices in ``[0, num_classes)``, shaped like ``logits`` without its last
        dimension. An index outside that range is an ``InvalidArgumentError`` at run time.
    logits : Tensor of floats
        Unscaled log-probabilities, ``[..., num_classes]``.

    Returns
    -------
    Tensor
        The loss per example, shaped like ``labels``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
    ...         labels=[0, 1], logits=[[0.0, 0.0], [0.0, 0.0]])
    ...     tf.compat.v1.Session().run(loss)
    array([0.6931472, 0.6931472], dtype=float32)
    """
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]) as scope:
        graph = graph_of([labels, logits])
        logits = convert_to_tensor(logits, name="logits", graph=graph)
        labels = convert_to_tensor(labels, name="labels", graph=graph)
        _check_sparse_labels(labels, logits)
        if logits.shape.rank == 2:
            return _sparse_xent_op(logits, labels, scope)
        # Other ranks: flatten to a batch of rows, and shape the loss like the labels.
        flat_labels = array_ops.reshape(labels, [-1])
        loss = _sparse_xent_op(_flatten_outer_dims(logits), flat_labels, "xent")
        loss = array_ops.reshape(loss, array_ops.shape(labels), name=scope)
        loss.set_shape(labels.shape)
        return loss


def sparse_softmax_cross_entropy_with_logits_v1(labels=None, logits=None, name=None) -> Tensor:
    """TF1's signature of :func:`sparse_softmax_cross_entropy_with_logits`."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", labels, logits)
    return sparse_softmax_cross_entropy_with_logits(labels, logits, name)


def _broadcast_mul(vector: Tensor, matrix: Tensor) -> Tensor:
    """``vector[:, None] * matrix``: scale each row's gradient by its loss gradient."""
    return math_ops.multiply(array_ops.expand_dims(vector, -1), matrix)


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_gradient(op, grad_loss, grad_backprop):
    # The backprop output is already d loss / d logits; labels are integers.
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Logistic loss of ``logits`` against ``labels`` in [0, 1], elementwise.

    Computed as TF does, ``max(x, 0) - x * z + log(1 + exp(-|x|))``, which neither
    overflows for large ``|x|`` nor loses precision near 0.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.sigmoid_cross_entropy_with_logits(
    ...         labels=[1.0, 0.0, 1.0], logits=[0.0, 1000.0, 1000.0])
    ...     tf.compat.v1.Session().run(loss)
    array([6.931472e-01, 1.000000e+03, 0.000000e+00], dtype=float32)
    """
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits, labels = _logits_and_labels(logits, labels)
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(
                f"`logits` and `labels` must have the same shape, received "
                f"({logits.shape} vs {labels.shape})."
            )
        zeros = array_ops.zeros_like(logits)
        positive = math_ops.greater_equal(logits, zeros)
        relu_logits = math_ops.where(positive, logits, zeros)
        neg_abs_logits = math_ops.where(positive, math_ops.negative(logits), logits)
        return math_ops.add(
            math_ops.subtract(relu_logits, math_ops.multiply(logits, labels)),
            math_ops.log1p(math_ops.exp(neg_abs_logits)),
            name=scope,
        )


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Sigmoid cross-entropy with the positive term weighted by ``pos_weight``.

    ``labels * -log(sigmoid(logits)) * pos_weight + (1 - labels) *
    -log(1 - sigmoid(logits))``, computed as TF does without overflow:
    ``(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.weighted_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0], 2.0)
    ...     tf.compat.v1.Session().run(loss)
    array([1.3862944, 0.6931472], dtype=float32)
    """
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits, labels = _logits_and_labels(logits, labels)
        if not labels.shape.is_compatible_with(logits.shape):
            raise ValueError(
                f"`logits` and `labels` must have the same shape, received "
                f"({logits.shape} vs {labels.shape})."
            )
        pos_weight = convert_to_tensor(pos_weight, dtype_hint=logits.dtype.base_dtype)
        log_weight = math_ops.add(
            1.0, math_ops.multiply(math_ops.subtract(pos_weight, 1.0), labels)
        )
        softplus_neg = math_ops.add(
            math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(logits)))),
            relu(math_ops.negative(logits)),
        )
        return math_ops.add(
            math_ops.multiply(math_ops.subtract(1.0, labels), logits),
            math_ops.multiply(log_weight, softplus_neg),
            name=scope,
        )


def weighted_cross_entropy_with_logits_v1(
    labels=None, logits=None, pos_weight=None, name=None, targets=None
) -> Tensor:
    """TF1's signature: ``targets`` is the old name of ``labels``."""
    labels = deprecated_argument_lookup("labels", labels, "targets", targets)
    return weighted_cross_entropy_with_logits(labels, logits, pos_weight, name)


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """Negative log-likelihood of ``targets`` under a Poisson of mean ``exp(log_input)``.

    ``exp(log_input) - log_input * targets``; with ``compute_full_loss`` also the
    Stirling approximation of ``log(targets!)`` (for ``targets`` above 1).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.log_poisson_loss([1.0, 2.0], [0.0, 0.0])
    ...     tf.compat.v1.Session().run(loss)
    array([1., 1.], dtype=float32)
    """
    with name_scope(name, "log_poisson_loss", [log_input, targets]) as scope:
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets", dtype_hint=log_input.dtype.base_dtype)
        if not targets.shape.is_compatible_with(log_input.shape):
            raise ValueError(
                f"`log_input` and `targets` must have the same shape, received "
                f"({log_input.shape} vs {targets.shape})."
            )
        result = math_ops.subtract(math_ops.exp(log_input), math_ops.multiply(log_input, targets))
        if not compute_full_loss:
            return array_ops.identity(result, name=scope)
        # Stirling: z log z - z + 0.5 log(2 pi z), left out where 0 <= z <= 1.
        stirling = math_ops.add(
            math_ops.subtract(math_ops.multiply(targets, math_ops.log(targets)), targets),
            math_ops.multiply(0.5, math_ops.log(math_ops.multiply(2 * math.pi, targets))),
        )
        zeros = array_ops.zeros_like(targets)
        small = math_ops.logical_and(
            math_ops.greater_equal(targets, zeros), math_ops.less_equal(targets, 1.0)
        )
        return math_ops.add(result, math_ops.where(small, zeros, stirling), name=scope)


# TF1's signatures.
V1_OVERRIDES = {
    "softmax_cross_entropy_with_logits": softmax_cross_entropy_with_logits_v1,
    "softmax_cross_entropy_with_logits_v2": softmax_cross_entropy_with_logits_v2_v1,
    "sparse_softmax_cross_entropy_with_logits": sparse_softmax_cross_entropy_with_logits_v1,
    "weighted_cross_entropy_with_logits": weighted_cross_entropy_with_logits_v1,
}
