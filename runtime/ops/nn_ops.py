"""Neural-network ops: activations, softmax, bias, losses, convolution and pooling.

The op types, their inputs and attrs are TF's (``Relu``, ``BiasAdd``, ``Conv2D``,
``MaxPoolGrad`` ...), and so are the shape functions: ``Conv2D`` and the pools use
TF's window arithmetic (:func:`runtime.kernels.nn.window_geometry`) and fail at build
time with TF's "Negative dimension size caused by subtracting 3 from 2". Gradients
are registered beside each op and use the backward ops of this module
(``ReluGrad``, ``Conv2DBackpropInput`` ...), as TF's do.

The public builders live in the ``tf.nn`` namespace (:mod:`runtime.nn`).
"""

from __future__ import annotations

from .. import dtypes
from ..errors import InvalidArgumentError
from ..graph import Tensor, graph_of
from ..kernels.nn.windows import window_geometry
from ..registry import REQUIRED, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops, math_ops, random_ops
from .constant_value import constant_value, known_shape
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup, same_dtype
from .math_ops import check_dtype
from .shape_util import merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "avg_pool",
    "avg_pool2d",
    "bias_add",
    "conv2d",
    "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "dropout",
    "elu",
    "l2_loss",
    "leaky_relu",
    "log_softmax",
    "max_pool",
    "max_pool2d",
    "relu",
    "relu6",
    "sigmoid_cross_entropy_with_logits",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softplus",
    "sparse_softmax_cross_entropy_with_logits",
]

# Allowed dtypes by name, as math_ops.check_dtype takes them.
_FLOATS = ("float16", "float32", "float64")
_REALS = (*_FLOATS, "int8", "int16", "int32", "int64", "uint8")
_CONV_TYPES = (*_FLOATS, "int32")
_LABEL_TYPES = ("int32", "int64")


# -- activations ------------------------------------------------------------------------


def _activation_shape(allowed):
    def rule(features, *, T, **_attrs):
        check_dtype("features", features, allowed)
        return [TensorSpec(features.dtype, features.shape)]

    return rule


def _activation_grad_shape(gradients, features, *, T, **_attrs):
    dtype = same_dtype("activation gradient", gradients, features)
    return [TensorSpec(dtype, merge_shapes(gradients.shape, features.shape))]


def _activation(op_type: str, allowed, extra_attrs=None) -> tuple[OpDef, OpDef]:
    attrs = {"T": REQUIRED, **(extra_attrs or {})}
    forward = register_op(
        OpDef(op_type, ("features",), ("activations",), attrs, _activation_shape(allowed))
    )
    grad_inputs = ("gradients", "outputs" if op_type == "Elu" else "features")
    backward = register_op(
        OpDef(f"{op_type}Grad", grad_inputs, ("backprops",), attrs, _activation_grad_shape)
    )
    return forward, backward


RELU, RELU_GRAD = _activation("Relu", _REALS)
RELU6, RELU6_GRAD = _activation("Relu6", _REALS)
ELU, ELU_GRAD = _activation("Elu", _FLOATS)
LEAKY_RELU, LEAKY_RELU_GRAD = _activation("LeakyRelu", _FLOATS, {"alpha": 0.2})
SOFTPLUS, SOFTPLUS_GRAD = _activation("Softplus", _FLOATS)


def _unary(op_def: OpDef, features, name, **attrs) -> Tensor:
    """``op_def`` of one tensor (a Python value becomes a Const named after its input)."""
    with name_scope(name, op_def.name, [features]) as scope:
        graph = graph_of([features])
        features = convert_to_tensor(features, name=op_def.input_names[0], graph=graph)
        op = apply_op(op_def, [features], scope, T=features.dtype.base_dtype, **attrs)
    return op.outputs[0]


def relu(features, name=None) -> Tensor:
    """Rectified linear: ``max(features, 0)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.relu([-1.0, 2.0])
    ...     tf.compat.v1.Session().run(y)
    array([0., 2.], dtype=float32)
    """
    return _unary(RELU, features, name)


def relu6(features, name=None) -> Tensor:
    """Rectified linear capped at 6: ``min(max(features, 0), 6)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.relu6([-1.0, 3.0, 8.0]))
    array([0., 3., 6.], dtype=float32)
    """
    return _unary(RELU6, features, name)


def elu(features, name=None) -> Tensor:
    """Exponential linear: ``exp(features) - 1`` where negative, ``features`` elsewhere.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.elu([0.0, 2.0]))
    array([0., 2.], dtype=float32)
    """
    return _unary(ELU, features, name)


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Leaky rectified linear: ``features`` where positive, ``alpha * features`` elsewhere.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.leaky_relu([-2.0, 2.0], alpha=0.5))
    array([-1.,  2.], dtype=float32)
    """
    return _unary(LEAKY_RELU, features, name, alpha=float(alpha))


def softplus(features, name=None) -> Tensor:
    """``log(exp(features) + 1)``, computed without overflow.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.softplus([0.0, 100.0]))
    array([  0.6931472, 100.       ], dtype=float32)
    """
    return _unary(SOFTPLUS, features, name)


def _apply_like(op_def: OpDef, inputs: list, op) -> Tensor:
    """``op_def`` (a gradient's op) of ``inputs``, named after its type, with ``op``'s attrs."""
    attrs = {key: op.get_attr(key) for key in op_def.attrs}
    return apply_op(op_def, inputs, op_def.name, **attrs).outputs[0]


def _register_activation_gradient(op_type: str, backward: OpDef, use_output: bool) -> None:
    @register_gradient(op_type)
    def _gradient(op, grad):
        return [_apply_like(backward, [grad, op.outputs[0] if use_output else op.inputs[0]], op)]


def _register_piecewise_linear_grad_gradient(backward: OpDef) -> None:
    """``XGrad(g, x)`` is linear in ``g`` with a slope that is flat in ``x``."""

    @register_gradient(backward.name)
    def _gradient(op, grad):
        return [_apply_like(backward, [grad, op.inputs[1]], op), None]


# TF's ReluGrad and Relu6Grad take the output (same sign pattern as the input); EluGrad
# needs it; LeakyReluGrad and SoftplusGrad need the input.
_register_activation_gradient("Relu", RELU_GRAD, use_output=True)
_register_activation_gradient("Relu6", RELU6_GRAD, use_output=True)
_register_activation_gradient("Elu", ELU_GRAD, use_output=True)
_register_activation_gradient("LeakyRelu", LEAKY_RELU_GRAD, use_output=False)
_register_activation_gradient("Softplus", SOFTPLUS_GRAD, use_output=False)
for _backward_op in (RELU_GRAD, RELU6_GRAD, LEAKY_RELU_GRAD):
    _register_piecewise_linear_grad_gradient(_backward_op)


@register_gradient("EluGrad")
def _elu_grad_gradient(op, grad):
    # EluGrad(g, y) = g * (y + 1) where y < 0, else g.
    gradients, outputs = op.inputs
    negative = math_ops.less(outputs, array_ops.zeros_like(outputs))
    d_outputs = math_ops.where(
        negative, math_ops.multiply(grad, gradients), array_ops.zeros_like(outputs)
    )
    return [_apply_like(ELU_GRAD, [grad, outputs], op), d_outputs]


@register_gradient("SoftplusGrad")
def _softplus_grad_gradient(op, grad):
    # SoftplusGrad(g, x) = g * sigmoid(x); sigmoid'(x) = 1 / (exp(-x) + 2 + exp(x)).
    gradients, features = op.inputs
    curvature = math_ops.add(
        math_ops.add(math_ops.exp(math_ops.negative(features)), 2.0), math_ops.exp(features)
    )
    d_features = math_ops.realdiv(math_ops.multiply(grad, gradients), curvature)
    return [_apply_like(SOFTPLUS_GRAD, [grad, features], op), d_features]


# -- softmax ------------------------------------------------------------------------------


def _softmax_shape(logits, *, T):
    check_dtype("logits", logits, _FLOATS)
    return [TensorSpec(logits.dtype, with_rank_at_least(logits.shape, 1))]


SOFTMAX = register_op(OpDef("Softmax", ("logits",), ("softmax",), {"T": REQUIRED}, _softmax_shape))
LOG_SOFTMAX = register_op(
    OpDef("LogSoftmax", ("logits",), ("logsoftmax",), {"T": REQUIRED}, _softmax_shape)
)


def _softmax_along(op_def: OpDef, logits, axis, name) -> Tensor:
    """Apply ``op_def`` (which works on the last axis) along ``axis``, as TF does:
    swap ``axis`` with the last one, apply, and swap back."""
    logits = convert_to_tensor(logits, name="logits")
    rank = logits.shape.rank
    axis = -1 if axis is None else int(axis)
    if axis == -1 or (rank is not None and axis == rank - 1):
        return _unary(op_def, logits, name)
    if rank is None:
        raise ValueError(
            f"{op_def.name} along axis {axis} needs the rank of logits, which is unknown."
        )
    if not -rank <= axis < rank:
        raise InvalidArgumentError(
            None,
            None,
            f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of "
            f"dimensions in the input. Received: dim={axis}",
        )
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    swapped = array_ops.transpose(logits, perm)
    return array_ops.transpose(_unary(op_def, swapped, None), perm, name=name)


def softmax(logits, axis=None, name=None) -> Tensor:
    """``exp(logits) / sum(exp(logits), axis)``, computed without overflow.

    Parameters
    ----------
    logits : Tensor of floats
        At least 1-D.
    axis : int, optional
        The dimension softmax is taken over (default: the last).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.softmax([1.0, 1.0, 1000.0]))
    array([0., 0., 1.], dtype=float32)
    """
    return _softmax_along(SOFTMAX, logits, axis, name)


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """``logits - log(sum(exp(logits), axis))``, computed without overflow.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.log_softmax([0.0, 0.0]))
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    return _softmax_along(LOG_SOFTMAX, logits, axis, name)


@register_gradient("Softmax")
def _softmax_gradient(op, grad):
    # d softmax: (grad - sum(grad * softmax)) * softmax, along the last axis.
    out = op.outputs[0]
    total = math_ops.reduce_sum(math_ops.multiply(grad, out), -1, keepdims=True)
    return [math_ops.multiply(math_ops.subtract(grad, total), out)]


@register_gradient("LogSoftmax")
def _log_softmax_gradient(op, grad):
    probabilities = math_ops.exp(op.outputs[0])
    total = math_ops.reduce_sum(grad, -1, keepdims=True)
    return [math_ops.subtract(grad, math_ops.multiply(total, probabilities))]


# -- bias ---------------------------------------------------------------------------------


def _channel_axis(data_format: str) -> int:
    return 1 if data_format == "NCHW" else -1


def _bias_add_shape(value, bias, *, T, data_format):
    dtype = same_dtype("BiasAdd", value, bias)
    shape = with_rank_at_least(value.shape, 3 if data_format == "NCHW" else 2)
    (channels,) = with_rank(bias.shape, 1).as_tuple()
    if shape.rank is None:
        return [TensorSpec(dtype, shape)]
    dims = list(shape.as_tuple())
    axis = _channel_axis(data_format)
    dims[axis] = merge_dim(dims[axis], channels)
    return [TensorSpec(dtype, TensorShape(dims))]


def _bias_add_grad_shape(out_backprop, *, T, data_format):
    shape = with_rank_at_least(out_backprop.shape, 3 if data_format == "NCHW" else 2)
    channels = None if shape.rank is None else shape[_channel_axis(data_format)]
    return [TensorSpec(out_backprop.dtype, TensorShape([channels]))]


_FORMAT = {"T": REQUIRED, "data_format": "NHWC"}
BIAS_ADD = register_op(OpDef("BiasAdd", ("value", "bias"), attrs=_FORMAT, shape_fn=_bias_add_shape))
BIAS_ADD_GRAD = register_op(
    OpDef("BiasAddGrad", ("out_backprop",), attrs=_FORMAT, shape_fn=_bias_add_grad_shape)
)


def _bias_format(data_format) -> str:
    if data_format is None:
        return "NHWC"
    if data_format.startswith("NC"):
        return "NCHW"
    if data_format.startswith("N") and data_format.endswith("C"):
        return "NHWC"
    raise ValueError(f"data_format must be of the form `N...C` or `NC...`, got {data_format!r}")


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Add the 1-D ``bias`` along the channel dimension of ``value``.

    Parameters
    ----------
    value : Tensor
        At least 2-D (3-D for ``NC...`` formats).
    bias : Tensor
        1-D, as long as ``value``'s channel dimension.
    data_format : str, optional
        ``"N...C"`` (channels last, the default) or ``"NC..."`` (channels second).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.bias_add([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]], [1.0, 2.0, 3.0])
    ...     tf.compat.v1.Session().run(y)
    array([[ 1.,  2.,  3.],
           [11., 12., 13.]], dtype=float32)
    """
    data_format = _bias_format(data_format)
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        graph = graph_of([value, bias])
        value = convert_to_tensor(value, name="input", graph=graph)
        bias = convert_to_tensor(bias, dtype_hint=value.dtype.base_dtype, name="bias", graph=graph)
        op = apply_op(
            BIAS_ADD, [value, bias], scope, T=value.dtype.base_dtype, data_format=data_format
        )
    return op.outputs[0]


@register_gradient("BiasAdd")
def _bias_add_gradient(op, grad):
    return [grad, _apply_like(BIAS_ADD_GRAD, [grad], op)]


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.xw_plus_b``: ``matmul(x, weights) + biases``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.xw_plus_b([[1.0, 2.0]], [[1.0], [1.0]], [0.5])
    ...     tf.compat.v1.Session().run(y)
    array([[3.5]], dtype=float32)
    """
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        graph = graph_of([x, weights, biases])
        x = convert_to_tensor(x, name="x", graph=graph)
        weights = convert_to_tensor(weights, name="weights", graph=graph)
        biases = convert_to_tensor(biases, name="biases", graph=graph)
        return bias_add(math_ops.matmul(x, weights), biases, name=scope)


@register_gradient("BiasAddGrad")
def _bias_add_grad_gradient(op, grad):
    # BiasAddGrad sums over all but the channel axis, so its gradient spreads ``grad``
    # back along those axes: a BiasAdd of ``grad`` onto zeros.
    zeros = array_ops.zeros_like(op.inputs[0])
    return [_apply_like(BIAS_ADD, [zeros, grad], op)]


# -- l2 loss --------------------------------------------------------------------------------


def _l2_loss_shape(t, *, T):
    check_dtype("t", t, _FLOATS)
    return [TensorSpec(t.dtype, TensorShape([]))]


L2_LOSS = register_op(OpDef("L2Loss", ("t",), attrs={"T": REQUIRED}, shape_fn=_l2_loss_shape))


def l2_loss(t, name=None) -> Tensor:
    """Half the squared L2 norm of ``t``: ``sum(t ** 2) / 2``, a scalar.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.l2_loss([3.0, 4.0]))
    np.float32(12.5)
    """
    return _unary(L2_LOSS, t, name)


@register_gradient("L2Loss")
def _l2_loss_gradient(op, grad):
    return [math_ops.multiply(op.inputs[0], grad)]


# -- cross-entropy ops ------------------------------------------------------------------


def _xent_shape(features, labels, *, T):
    dtype = same_dtype("SoftmaxCrossEntropyWithLogits", features, labels)
    check_dtype("features", features, _FLOATS)
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
    return [TensorSpec(dtype, TensorShape([both[0]])), TensorSpec(dtype, both)]


def _sparse_xent_shape(features, labels, *, T, Tlabels):
    check_dtype("features", features, _FLOATS)
    check_dtype("labels", labels, _LABEL_TYPES)
    batch, classes = with_rank(features.shape, 2).as_tuple()
    batch = merge_dim(batch, with_rank(labels.shape, 1)[0])
    return [
        TensorSpec(features.dtype, TensorShape([batch])),
        TensorSpec(features.dtype, TensorShape([batch, classes])),
    ]


SOFTMAX_XENT = register_op(
    OpDef(
        "SoftmaxCrossEntropyWithLogits",
        ("features", "labels"),
        ("loss", "backprop"),
        {"T": REQUIRED},
        _xent_shape,
    )
)
SPARSE_SOFTMAX_XENT = register_op(
    OpDef(
        "SparseSoftmaxCrossEntropyWithLogits",
        ("features", "labels"),
        ("loss", "backprop"),
        {"T": REQUIRED, "Tlabels": dtypes.int64},
        _sparse_xent_shape,
    )
)


def _ensure_xent_args(name: str, sentinel, labels, logits) -> None:
    """TF1's guard: the cross-entropies take ``labels=`` and ``logits=`` by name."""
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


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
        flat.set_shape([TensorShape(shape[:-1]).num_elements(), shape[-1]])
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
    op = apply_op(SOFTMAX_XENT, [logits, labels], name, T=logits.dtype.base_dtype)
    return op.outputs[0]


def softmax_cross_entropy_with_logits_v1(
    _sentinel=None, labels=None, logits=None, dim=-1, name=None, axis=None
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
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
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
    op = apply_op(
        SPARSE_SOFTMAX_XENT,
        [logits, labels],
        name,
        T=logits.dtype.base_dtype,
        Tlabels=labels.dtype.base_dtype,
    )
    return op.outputs[0]


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


def sparse_softmax_cross_entropy_with_logits_v1(
    _sentinel=None, labels=None, logits=None, name=None
) -> Tensor:
    """TF1's signature of :func:`sparse_softmax_cross_entropy_with_logits`."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
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
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", None, labels, logits)
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


def sigmoid_cross_entropy_with_logits_v1(
    _sentinel=None, labels=None, logits=None, name=None
) -> Tensor:
    """TF1's signature of :func:`sigmoid_cross_entropy_with_logits`."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    return sigmoid_cross_entropy_with_logits(labels, logits, name)


# -- dropout ------------------------------------------------------------------------------


def _noise_shape(x: Tensor, noise_shape):
    """TF's ``_get_noise_shape``: ``x``'s shape, or ``noise_shape`` completed from it."""
    if noise_shape is None:
        return array_ops.shape(x)
    if isinstance(noise_shape, Tensor) or x.shape.rank is None:
        return noise_shape
    dims = list(noise_shape)
    if len(dims) != x.shape.rank:
        return noise_shape
    dims = [x_dim if dim is None else dim for dim, x_dim in zip(dims, x.shape)]
    if None not in dims:
        return dims
    # Unlike TF, dims unknown in both take x's size at run time instead of failing.
    dynamic = array_ops.shape(x)
    return array_ops.stack([dynamic[i] if dim is None else dim for i, dim in enumerate(dims)])


def _check_rate(rate, x: Tensor):
    """``rate`` as given (a number) or as a scalar tensor of ``x``'s dtype."""
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        if not 0 <= rate < 1:
            raise ValueError(
                f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: "
                f"rate={rate}"
            )
        return rate
    rate = convert_to_tensor(rate, dtype_hint=x.dtype.base_dtype, name="rate", graph=x.graph)
    if rate.shape.rank not in (None, 0):
        raise ValueError(f"`rate` must be a scalar, got shape {rate.shape}")
    return math_ops.cast(rate, x.dtype.base_dtype)


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zero each element of ``x`` with probability ``rate``; scale the rest by ``1 / (1 - rate)``.

    Parameters
    ----------
    x : Tensor of floats
    rate : float or scalar tensor in [0, 1)
        The probability that an element is dropped.
    noise_shape : list of int, optional
        The shape of the keep/drop mask, broadcast against ``x`` (``None`` entries take
        ``x``'s dimension): ``[batch, 1, 1, channels]`` drops whole feature maps.
    seed : int, optional
        With the graph seed, makes the mask sequence repeatable (see ``tf.random``).

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.dropout(tf.constant(np.ones(10000)), rate=0.25, seed=1)
    ...     kept = tf.compat.v1.Session().run(y)
    >>> sorted(set(kept.round(6).tolist())), bool(abs((kept == 0).mean() - 0.25) < 0.02)
    ([0.0, 1.333333], True)
    """
    with name_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if not x.dtype.is_floating:
            raise ValueError(
                "`x.dtype` must be a floating point tensor as `x` will be scaled. Received: "
                f"x_dtype={x.dtype.name}"
            )
        rate = _check_rate(rate, x)
        if isinstance(rate, (int, float)):
            if rate == 0:
                return x
            kept = math_ops.multiply(x, convert_to_tensor(1 / (1 - rate), x.dtype.base_dtype))
        else:
            kept = math_ops.realdiv(x, math_ops.subtract(1.0, rate))
        noise = random_ops.random_uniform(
            _noise_shape(x, noise_shape), dtype=x.dtype.base_dtype, seed=seed
        )
        keep_mask = math_ops.greater_equal(noise, rate)
        zero = convert_to_tensor(0, x.dtype.base_dtype, graph=x.graph)
        out = math_ops.where(keep_mask, kept, zero, name=scope)
        out.set_shape(x.shape)
        return out


def dropout_v1(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.dropout``: keeps each element with probability ``keep_prob``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.dropout([1.0, 1.0], keep_prob=0.5, seed=1)
    >>> y.shape
    TensorShape([2])
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
    if keep_prob is not None:
        if isinstance(keep_prob, (int, float)) and not 0 < keep_prob <= 1:
            raise ValueError(f"`keep_prob` must be a float in the range (0, 1], got {keep_prob}")
        rate = 1 - keep_prob
    if rate is None:
        raise ValueError("Either 'keep_prob' or 'rate' must be given")
    return dropout(x, rate, noise_shape, seed, name)


# -- convolution and pooling ----------------------------------------------------------


def _window_sizes(value, what: str) -> list[int]:
    """TF's ``_get_sequence`` for 2-D NHWC windows: an int, 1, 2 or 4 values -> 4 values."""
    values = [value] if isinstance(value, int) else [int(v) for v in value]
    if len(values) == 1:
        return [1, values[0], values[0], 1]
    if len(values) == 2:
        return [1, *values, 1]
    if len(values) == 4:
        return values
    raise ValueError(f"{what} should be of length 1, 2 or 4 but was {len(values)}")


def _check_format(op_type: str, data_format: str) -> None:
    if data_format != "NHWC":
        raise ValueError(
            f"{op_type} supports only the NHWC data format on CPU, got data_format="
            f"{data_format!r}; transpose the input to NHWC."
        )


def _check_padding(padding) -> str:
    if isinstance(padding, (list, tuple)):
        raise ValueError("Explicit padding lists are not supported; use 'SAME' or 'VALID'.")
    if padding not in ("SAME", "VALID"):
        raise ValueError(
            f"Value for attr 'padding' of {padding!r} is not in the list of allowed values: "
            '"SAME", "VALID"'
        )
    return padding


def _output_dim(size, window, stride, padding):
    if size is None or window is None:
        return None if padding == "VALID" or size is None else -(-size // stride)
    if padding == "VALID" and size < window:
        raise ValueError(f"Negative dimension size caused by subtracting {window} from {size}")
    return window_geometry(size, window, stride, padding)[0]


def _spatial_output(shape: TensorShape, window, strides, padding) -> list:
    return [
        _output_dim(shape[axis], window[i], strides[axis], padding) for i, axis in enumerate((1, 2))
    ]


def _conv2d_shape(input, filter, *, T, strides, padding, data_format, dilations):
    dtype = same_dtype("Conv2D", input, filter)
    check_dtype("input", input, _CONV_TYPES)
    _check_conv_attrs(strides, dilations, data_format)
    in_shape = with_rank(input.shape, 4)
    kh, kw, in_depth, out_depth = with_rank(filter.shape, 4).as_tuple()
    _check_depths(in_shape[3], in_depth)
    oh, ow = _spatial_output(in_shape, (kh, kw), strides, padding)
    return [TensorSpec(dtype, TensorShape([in_shape[0], oh, ow, out_depth]))]


def _check_conv_attrs(strides, dilations, data_format) -> None:
    _check_format("Conv2D", data_format)
    if len(strides) != 4:
        raise ValueError(f"Conv2D requires 4 strides, got {len(strides)}")
    if strides[0] != 1 or strides[3] != 1:
        raise ValueError(
            "Current implementation does not yet support strides in the batch and depth dimensions."
        )
    if list(dilations) != [1, 1, 1, 1]:
        raise ValueError(f"Conv2D supports only dilations of 1, got {list(dilations)}")


def _check_depths(input_depth, filter_depth) -> None:
    if input_depth is None or filter_depth is None or input_depth == filter_depth:
        return
    if input_depth % filter_depth:
        raise ValueError(
            f"Depth of input ({input_depth}) is not a multiple of input depth of filter "
            f"({filter_depth})"
        )
    raise ValueError(
        f"Grouped convolution (input depth {input_depth}, filter depth {filter_depth}) "
        "is not supported"
    )


def _window_op(op_type: str, inputs: tuple, attrs: dict, shape_fn) -> OpDef:
    """Register a convolution or pooling op: numpy-heavy, so it runs on the inter-op pool."""
    return register_op(OpDef(op_type, inputs, attrs=attrs, shape_fn=shape_fn, cost="expensive"))


_CONV_ATTRS = {
    "T": REQUIRED,
    "strides": REQUIRED,
    "padding": REQUIRED,
    "data_format": "NHWC",
    "dilations": (1, 1, 1, 1),
}
CONV2D = _window_op("Conv2D", ("input", "filter"), _CONV_ATTRS, _conv2d_shape)


def _conv_args(strides, padding, data_format, dilations) -> dict:
    data_format = data_format or "NHWC"
    return {
        "strides": tuple(_window_sizes(strides, "strides")),
        "padding": _check_padding(padding),
        "data_format": data_format,
        "dilations": tuple(_window_sizes(1 if dilations is None else dilations, "dilations")),
    }


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D convolution of an NHWC ``input`` with ``filters`` ``[kh, kw, in, out]``.

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, in_channels]``.
    filters : Tensor
        ``[filter_height, filter_width, in_channels, out_channels]``.
    strides : int or list of 1, 2 or 4 ints
        Window step; the batch and channel strides must be 1.
    padding : {"SAME", "VALID"}
        SAME pads with zeros so the output is ``ceil(size / stride)`` (odd padding
        after), VALID keeps only whole windows.
    data_format : "NHWC"
    dilations : 1, optional
        Only 1 (no dilation) is supported.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(1.0, shape=[1, 4, 4, 1])
    ...     w = tf.constant(1.0, shape=[3, 3, 1, 2])
    ...     y = tf.nn.conv2d(x, w, strides=2, padding="SAME")
    ...     out = tf.compat.v1.Session().run(y)
    >>> y.shape, out[0, :, :, 0].tolist()
    (TensorShape([1, 2, 2, 2]), [[9.0, 6.0], [6.0, 4.0]])
    """
    attrs = _conv_args(strides, padding, data_format, dilations)
    with name_scope(name, "Conv2D", [input, filters]) as scope:
        graph = graph_of([input, filters])
        input = convert_to_tensor(input, name="input", graph=graph)
        filters = convert_to_tensor(
            filters, dtype_hint=input.dtype.base_dtype, name="filters", graph=graph
        )
        return apply_op(CONV2D, [input, filters], scope, T=input.dtype.base_dtype, **attrs).outputs[
            0
        ]


def _int_shape_input(spec: TensorSpec, arg: str) -> TensorShape:
    check_dtype(arg, spec, ("int32",))
    with_rank(spec.shape, 1)
    return with_rank(known_shape(spec), 4)


def _conv_backprop_shape(
    op_type, sizes_arg, sizes, tensor, out_backprop, *, T, strides, padding, data_format, dilations
):
    """Both conv backprops: the output's shape is the int32 ``sizes`` input's value."""
    dtype = same_dtype(op_type, tensor, out_backprop)
    _check_conv_attrs(strides, dilations, data_format)
    with_rank(tensor.shape, 4)
    with_rank(out_backprop.shape, 4)
    return [TensorSpec(dtype, _int_shape_input(sizes, sizes_arg))]


def _conv2d_backprop_input_shape(input_sizes, filter, out_backprop, **attrs):
    return _conv_backprop_shape(
        "Conv2DBackpropInput", "input_sizes", input_sizes, filter, out_backprop, **attrs
    )


def _conv2d_backprop_filter_shape(input, filter_sizes, out_backprop, **attrs):
    return _conv_backprop_shape(
        "Conv2DBackpropFilter", "filter_sizes", filter_sizes, input, out_backprop, **attrs
    )


CONV2D_BACKPROP_INPUT = _window_op(
    "Conv2DBackpropInput",
    ("input_sizes", "filter", "out_backprop"),
    _CONV_ATTRS,
    _conv2d_backprop_input_shape,
)
CONV2D_BACKPROP_FILTER = _window_op(
    "Conv2DBackpropFilter",
    ("input", "filter_sizes", "out_backprop"),
    _CONV_ATTRS,
    _conv2d_backprop_filter_shape,
)


def _conv_backprop(op_def: OpDef, values: list, sizes_at: int, attrs: dict, name) -> Tensor:
    """Build a conv backprop op of ``values``: the int32 sizes vector at ``sizes_at``,
    the other tensor, and ``out_backprop`` (which takes that tensor's dtype)."""
    with name_scope(name, op_def.name, values) as scope:
        graph = graph_of(values)
        inputs = [
            convert_to_tensor(value, dtypes.int32 if i == sizes_at else None, arg, graph=graph)
            for i, (arg, value) in enumerate(zip(op_def.input_names, values[:2]))
        ]
        dtype = inputs[1 - sizes_at].dtype.base_dtype
        out_backprop = convert_to_tensor(
            values[2], dtype_hint=dtype, name="out_backprop", graph=graph
        )
        return apply_op(op_def, [*inputs, out_backprop], scope, T=dtype, **attrs).outputs[0]


def conv2d_backprop_input(
    input_sizes,
    filter,
    out_backprop,
    strides,
    padding,
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """The gradient of ``conv2d`` with respect to its input (op ``Conv2DBackpropInput``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dx = tf.nn.conv2d_backprop_input(
    ...         [1, 3, 3, 1], tf.constant(1.0, shape=[2, 2, 1, 1]),
    ...         tf.constant(1.0, shape=[1, 2, 2, 1]), strides=1, padding="VALID")
    ...     tf.compat.v1.Session().run(dx)[0, :, :, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """
    attrs = _conv_args(strides, padding, data_format, dilations)
    values = [input_sizes, filter, out_backprop]
    return _conv_backprop(CONV2D_BACKPROP_INPUT, values, 0, attrs, name)


def conv2d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """The gradient of ``conv2d`` with respect to its filter (op ``Conv2DBackpropFilter``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dw = tf.nn.conv2d_backprop_filter(
    ...         tf.constant(1.0, shape=[1, 3, 3, 1]), [2, 2, 1, 1],
    ...         tf.constant(1.0, shape=[1, 2, 2, 1]), strides=1, padding="VALID")
    ...     tf.compat.v1.Session().run(dw)[:, :, 0, 0]
    array([[4., 4.],
           [4., 4.]], dtype=float32)
    """
    attrs = _conv_args(strides, padding, data_format, dilations)
    values = [input, filter_sizes, out_backprop]
    return _conv_backprop(CONV2D_BACKPROP_FILTER, values, 1, attrs, name)


@register_gradient("Conv2D")
def _conv2d_gradient(op, grad):
    input, filter = op.inputs
    input_shape, filter_shape = array_ops.shape(input), array_ops.shape(filter)
    return [
        _apply_like(CONV2D_BACKPROP_INPUT, [input_shape, filter, grad], op),
        _apply_like(CONV2D_BACKPROP_FILTER, [input, filter_shape, grad], op),
    ]


@register_gradient("Conv2DBackpropInput")
def _conv2d_backprop_input_gradient(op, grad):
    _, filter, out_backprop = op.inputs
    filter_shape = array_ops.shape(filter)
    return [
        None,
        _apply_like(CONV2D_BACKPROP_FILTER, [grad, filter_shape, out_backprop], op),
        _apply_like(CONV2D, [grad, filter], op),
    ]


@register_gradient("Conv2DBackpropFilter")
def _conv2d_backprop_filter_gradient(op, grad):
    input, _, out_backprop = op.inputs
    input_shape = array_ops.shape(input)
    return [
        _apply_like(CONV2D_BACKPROP_INPUT, [input_shape, grad, out_backprop], op),
        None,
        _apply_like(CONV2D, [input, grad], op),
    ]


# -- pooling ----------------------------------------------------------------------------


def _check_pool_attrs(op_type: str, ksize, strides, data_format) -> None:
    _check_format(op_type, data_format)
    for attr, values in (("ksize", ksize), ("stride", strides)):
        if len(values) != 4:
            raise ValueError(
                f"{op_type} requires the {attr} attribute to contain 4 values, but got: "
                f"{len(values)}"
            )
    if ksize[0] != 1 or strides[0] != 1:
        raise ValueError("Pooling is not yet supported on the batch dimension.")
    if ksize[3] != 1 or strides[3] != 1:
        raise ValueError(
            f"{op_type} does not support pooling across depth; ksize and strides "
            "must be 1 in the channel dimension."
        )


def _pool_shape(op_type: str, allowed):
    def rule(value, *, T, ksize, strides, padding, data_format):
        check_dtype("input", value, allowed)
        _check_pool_attrs(op_type, ksize, strides, data_format)
        shape = with_rank(value.shape, 4)
        oh, ow = _spatial_output(shape, ksize[1:3], strides, padding)
        return [TensorSpec(value.dtype, TensorShape([shape[0], oh, ow, shape[3]]))]

    return rule


def _max_pool_grad_shape(orig_input, orig_output, grad, *, T, ksize, strides, padding, data_format):
    dtype = same_dtype("MaxPoolGrad", orig_input, orig_output, grad)
    _check_pool_attrs("MaxPoolGrad", ksize, strides, data_format)
    return [TensorSpec(dtype, with_rank(orig_input.shape, 4))]


def _max_pool_grad_grad_shape(
    orig_input, orig_output, grad, *, T, ksize, strides, padding, data_format
):
    dtype = same_dtype("MaxPoolGradGrad", orig_input, orig_output, grad)
    (pooled,) = _pool_shape("MaxPoolGradGrad", _REALS)(
        orig_input, T=T, ksize=ksize, strides=strides, padding=padding, data_format=data_format
    )
    merge_shapes(orig_input.shape, grad.shape)
    return [TensorSpec(dtype, merge_shapes(pooled.shape, orig_output.shape))]


def _avg_pool_grad_shape(orig_input_shape, grad, *, T, ksize, strides, padding, data_format):
    _check_pool_attrs("AvgPoolGrad", ksize, strides, data_format)
    with_rank(grad.shape, 4)
    return [TensorSpec(grad.dtype, _int_shape_input(orig_input_shape, "orig_input_shape"))]


_POOL_ATTRS = {
    "T": REQUIRED,
    "ksize": REQUIRED,
    "strides": REQUIRED,
    "padding": REQUIRED,
    "data_format": "NHWC",
}
_MAX_POOL_GRAD_INPUTS = ("orig_input", "orig_output", "grad")
MAX_POOL = _window_op("MaxPool", ("input",), _POOL_ATTRS, _pool_shape("MaxPool", _REALS))
AVG_POOL = _window_op("AvgPool", ("value",), _POOL_ATTRS, _pool_shape("AvgPool", _FLOATS))
MAX_POOL_GRAD = _window_op("MaxPoolGrad", _MAX_POOL_GRAD_INPUTS, _POOL_ATTRS, _max_pool_grad_shape)
MAX_POOL_GRAD_GRAD = _window_op(
    "MaxPoolGradGrad", _MAX_POOL_GRAD_INPUTS, _POOL_ATTRS, _max_pool_grad_grad_shape
)
AVG_POOL_GRAD = _window_op(
    "AvgPoolGrad", ("orig_input_shape", "grad"), _POOL_ATTRS, _avg_pool_grad_shape
)


def _pool(op_def: OpDef, value, ksize, strides, padding, data_format, name) -> Tensor:
    attrs = {
        "ksize": tuple(_window_sizes(ksize, "ksize")),
        "strides": tuple(_window_sizes(strides, "strides")),
        "padding": _check_padding(padding),
        "data_format": data_format or "NHWC",
    }
    with name_scope(name, op_def.name, [value]) as scope:
        value = convert_to_tensor(value, name="input", graph=graph_of([value]))
        return apply_op(op_def, [value], scope, T=value.dtype.base_dtype, **attrs).outputs[0]


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """The maximum of each ``ksize`` window of an NHWC ``input`` (op ``MaxPool``).

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, channels]``.
    ksize, strides : int or list of 1, 2 or 4 ints
        Window size and step; 1 in the batch and channel dimensions.
    padding : {"SAME", "VALID"}
        SAME windows may overhang the input; the overhang never wins the max.

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(np.arange(16.0).reshape([1, 4, 4, 1]))
    ...     y = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID")
    ...     tf.compat.v1.Session().run(y)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return _pool(MAX_POOL, input, ksize, strides, padding, data_format, name)


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """TF2's ``tf.nn.max_pool`` for 4-D NHWC inputs (see :func:`max_pool2d`)."""
    return _pool(MAX_POOL, input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """The mean of each ``ksize`` window of an NHWC ``input`` (op ``AvgPool``).

    With SAME padding, a window that overhangs the input averages only the elements
    inside it, as TF does.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[[[1.0], [2.0], [3.0]]]])
    ...     y = tf.nn.avg_pool2d(x, ksize=[1, 2], strides=[1, 2], padding="SAME")
    ...     tf.compat.v1.Session().run(y)[0, 0, :, 0]
    array([1.5, 3. ], dtype=float32)
    """
    return _pool(AVG_POOL, input, ksize, strides, padding, data_format, name)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """TF2's ``tf.nn.avg_pool`` for 4-D NHWC inputs (see :func:`avg_pool2d`)."""
    return _pool(AVG_POOL, input, ksize, strides, padding, data_format, name)


@register_gradient("MaxPool")
def _max_pool_gradient(op, grad):
    return [_apply_like(MAX_POOL_GRAD, [op.inputs[0], op.outputs[0], grad], op)]


def _register_max_pool_grad_gradient(backward: OpDef, its_gradient: OpDef) -> None:
    """MaxPoolGrad and MaxPoolGradGrad are linear in ``grad``: each is the other's gradient."""

    @register_gradient(backward.name)
    def _gradient(op, grad):
        return [None, None, _apply_like(its_gradient, [op.inputs[0], op.inputs[1], grad], op)]


_register_max_pool_grad_gradient(MAX_POOL_GRAD, MAX_POOL_GRAD_GRAD)
_register_max_pool_grad_gradient(MAX_POOL_GRAD_GRAD, MAX_POOL_GRAD)


@register_gradient("AvgPool")
def _avg_pool_gradient(op, grad):
    return [_apply_like(AVG_POOL_GRAD, [array_ops.shape(op.inputs[0]), grad], op)]


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_gradient(op, grad):
    return [None, _apply_like(AVG_POOL, [grad], op)]


# -- TF1 signatures (tf.compat.v1.nn) ----------------------------------------------------


def max_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """TF1's ``tf.compat.v1.nn.max_pool``: :func:`max_pool2d` taking ``value``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.max_pool(tf.constant(1.0, shape=[1, 4, 4, 1]),
    ...                                  ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    >>> y.shape
    TensorShape([1, 2, 2, 1])
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    return _pool(MAX_POOL, value, ksize, strides, padding, data_format, name)


def avg_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """TF1's ``tf.compat.v1.nn.avg_pool``: :func:`avg_pool2d` taking ``value``."""
    value = deprecated_argument_lookup("input", input, "value", value)
    return _pool(AVG_POOL, value, ksize, strides, padding, data_format, name)


def conv2d_v1(
    input,
    filter=None,
    strides=None,
    padding=None,
    use_cudnn_on_gpu=True,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
    filters=None,
):
    """TF1's ``tf.compat.v1.nn.conv2d``: :func:`conv2d` taking ``filter``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.conv2d(tf.constant(1.0, shape=[1, 5, 5, 3]),
    ...                                filter=tf.constant(1.0, shape=[3, 3, 3, 8]),
    ...                                strides=[1, 1, 1, 1], padding="VALID")
    >>> y.shape
    TensorShape([1, 3, 3, 8])
    """
    filters = deprecated_argument_lookup("filters", filters, "filter", filter)
    return conv2d(input, filters, strides, padding, data_format, dilations, name)


def softmax_v1(logits, axis=None, name=None, dim=None) -> Tensor:
    """TF1's :func:`softmax`, which also takes the old ``dim`` for ``axis``."""
    return softmax(logits, deprecated_argument_lookup("axis", axis, "dim", dim), name)


def log_softmax_v1(logits, axis=None, name=None, dim=None) -> Tensor:
    """TF1's :func:`log_softmax`, which also takes the old ``dim`` for ``axis``."""
    return log_softmax(logits, deprecated_argument_lookup("axis", axis, "dim", dim), name)
