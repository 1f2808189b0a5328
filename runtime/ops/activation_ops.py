"""Activation ops: the rectifiers, ELU/SELU, softplus/softsign, softmax, and their gradients.

The op types and their gradient ops are TF's (``Relu``/``ReluGrad`` ...); the
composite activations (``swish``, ``gelu``, ``crelu``) are built from other ops as
TF builds them. The public builders are in ``tf.nn`` (:mod:`runtime.nn`).
"""

from __future__ import annotations

import math

from ..errors import InvalidArgumentError
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from . import array_ops, math_ops
from .core import convert_to_tensor, deprecated_argument_lookup, same_dtype
from .nn_util import apply_like, unary
from .shape_util import merge_shapes, with_rank_at_least

__all__ = [
    "crelu",
    "elu",
    "gelu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "relu6",
    "selu",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
]

_FLOATS = "{half, bfloat16, float, double}"


def _same_shape(features: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [features]


def _grad_shape(gradients: TensorSpec, features: TensorSpec, **_attrs) -> list[TensorSpec]:
    dtype = same_dtype("activation gradient", gradients, features)
    return [TensorSpec(dtype, merge_shapes(gradients.shape, features.shape))]


def _activation(op_type: str, types: str, extra=(), grad_input="features", grad_types=None):
    """Register an activation and its gradient op (``<op_type>Grad``, of ``grad_types``
    when TF allows it fewer types)."""
    attrs = (f"T: {types}", *extra)
    forward = register_op(OpDef(op_type, ("features: T",), ("activations: T",), attrs, _same_shape))
    backward = register_op(
        OpDef(
            f"{op_type}Grad",
            ("gradients: T", f"{grad_input}: T"),
            ("backprops: T",),
            (f"T: {grad_types or types}", *extra),
            _grad_shape,
        )
    )
    return forward, backward


RELU, RELU_GRAD = _activation("Relu", "{realnumbertype, qint8}", grad_types="realnumbertype")
RELU6, RELU6_GRAD = _activation("Relu6", "realnumbertype")
ELU, ELU_GRAD = _activation("Elu", _FLOATS, grad_input="outputs")
SELU, SELU_GRAD = _activation("Selu", _FLOATS, grad_input="outputs")
LEAKY_RELU, LEAKY_RELU_GRAD = _activation(
    "LeakyRelu", f"{_FLOATS} = DT_FLOAT", ("alpha: float = 0.2",)
)
SOFTPLUS, SOFTPLUS_GRAD = _activation("Softplus", _FLOATS)
SOFTSIGN, SOFTSIGN_GRAD = _activation("Softsign", _FLOATS)


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
    return unary(RELU, features, name)


def relu6(features, name=None) -> Tensor:
    """Rectified linear capped at 6: ``min(max(features, 0), 6)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.relu6([-1.0, 3.0, 8.0]))
    array([0., 3., 6.], dtype=float32)
    """
    return unary(RELU6, features, name)


def elu(features, name=None) -> Tensor:
    """Exponential linear: ``exp(features) - 1`` where negative, ``features`` elsewhere.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.elu([0.0, 2.0]))
    array([0., 2.], dtype=float32)
    """
    return unary(ELU, features, name)


def selu(features, name=None) -> Tensor:
    """Scaled exponential linear: ``scale * elu(features)`` with ``alpha`` 1.6733 inside.

    The constants (``scale`` 1.0507, ``alpha`` 1.6733) keep activations near zero mean
    and unit variance through deep stacks (Klambauer et al., 2017).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.selu([0.0, 1.0]))
    array([0.      , 1.050701], dtype=float32)
    """
    return unary(SELU, features, name)


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Leaky rectified linear: ``features`` where positive, ``alpha * features`` elsewhere.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.leaky_relu([-2.0, 2.0], alpha=0.5))
    array([-1.,  2.], dtype=float32)
    """
    return unary(LEAKY_RELU, features, name, alpha=float(alpha))


def softplus(features, name=None) -> Tensor:
    """``log(exp(features) + 1)``, computed without overflow.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.softplus([0.0, 100.0]))
    array([  0.6931472, 100.       ], dtype=float32)
    """
    return unary(SOFTPLUS, features, name)


def softsign(features, name=None) -> Tensor:
    """``features / (abs(features) + 1)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.softsign([-3.0, 1.0]))
    array([-0.75,  0.5 ], dtype=float32)
    """
    return unary(SOFTSIGN, features, name)


def silu(features, beta=1.0) -> Tensor:
    """The sigmoid linear unit (swish): ``features * sigmoid(beta * features)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.silu([0.0, 1.0]))
    array([0.       , 0.7310586], dtype=float32)
    """
    with name_scope(None, "swish", [features]):
        features = convert_to_tensor(features, name="features", graph=graph_of([features]))
        gate = features if beta == 1.0 else math_ops.multiply(beta, features)
        return math_ops.multiply(features, math_ops.sigmoid(gate))


swish = silu


def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit: ``features * P(X <= features)`` for a standard normal X.

    ``approximate=True`` uses the tanh form of Hendrycks and Gimpel,
    ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x**3)))``; otherwise the exact
    ``0.5 x erfc(-x / sqrt(2))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.gelu([-1.0, 0.0, 1.0], approximate=True)
    ...     tf.compat.v1.Session().run(y).round(4)
    array([-0.1588,  0.    ,  0.8412], dtype=float32)
    """
    with name_scope(name, "Gelu", [features]):
        x = convert_to_tensor(features, name="features", graph=graph_of([features]))
        dtype = x.dtype.base_dtype
        half = convert_to_tensor(0.5, dtype, graph=x.graph)
        if approximate:
            cube = math_ops.multiply(convert_to_tensor(0.044715, dtype, graph=x.graph), x**3)
            inner = math_ops.multiply(math.sqrt(2 / math.pi), math_ops.add(x, cube))
            return math_ops.multiply(
                math_ops.multiply(half, x), math_ops.add(1.0, math_ops.tanh(inner))
            )
        scaled = math_ops.multiply(math_ops.negative(x), 1 / math.sqrt(2))
        return math_ops.multiply(math_ops.multiply(half, x), math_ops.erfc(scaled))


def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: ``relu(concat([features, -features], axis))``, twice the depth.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.crelu([[1.0, -2.0]]))
    array([[1., 0., 0., 2.]], dtype=float32)
    """
    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features", graph=graph_of([features]))
        both = array_ops.concat([features, math_ops.negative(features)], axis)
        return unary(RELU, both, scope)


def crelu_v1(features, name=None, axis=-1) -> Tensor:
    """TF1's argument order of :func:`crelu`."""
    return crelu(features, axis, name)


# Gradients. TF's ReluGrad and Relu6Grad take the output (same sign pattern as the
# input); EluGrad and SeluGrad need it; LeakyReluGrad, SoftplusGrad, SoftsignGrad need
# the input.


def _register_gradient(forward: OpDef, backward: OpDef, use_output: bool) -> None:
    @register_gradient(forward.name)
    def _gradient(op, grad):
        return [apply_like(backward, [grad, op.outputs[0] if use_output else op.inputs[0]], op)]


for _forward, _backward, _use_output in (
    (RELU, RELU_GRAD, True),
    (RELU6, RELU6_GRAD, True),
    (ELU, ELU_GRAD, True),
    (SELU, SELU_GRAD, True),
    (LEAKY_RELU, LEAKY_RELU_GRAD, False),
    (SOFTPLUS, SOFTPLUS_GRAD, False),
    (SOFTSIGN, SOFTSIGN_GRAD, False),
):
    _register_gradient(_forward, _backward, _use_output)


def _register_piecewise_linear_grad_gradient(backward: OpDef) -> None:
    """``XGrad(g, x)`` is linear in ``g`` with a slope that is flat in ``x``."""

    @register_gradient(backward.name)
    def _gradient(op, grad):
        return [apply_like(backward, [grad, op.inputs[1]], op), None]


for _backward in (RELU_GRAD, RELU6_GRAD, LEAKY_RELU_GRAD):
    _register_piecewise_linear_grad_gradient(_backward)


def _negative_part(outputs: Tensor, value: Tensor) -> Tensor:
    """``value`` where ``outputs < 0``, else 0."""
    zeros = array_ops.zeros_like(outputs)
    return math_ops.where(math_ops.less(outputs, zeros), value, zeros)


@register_gradient("EluGrad")
def _elu_grad_gradient(op, grad):
    # EluGrad(g, y) = g * (y + 1) where y < 0, else g.
    gradients, outputs = op.inputs
    d_outputs = _negative_part(outputs, math_ops.multiply(grad, gradients))
    return [apply_like(ELU_GRAD, [grad, outputs], op), d_outputs]


@register_gradient("SeluGrad")
def _selu_grad_gradient(op, grad):
    # SeluGrad(g, y) = g * (y + scale * alpha) where y < 0, else g * scale.
    gradients, outputs = op.inputs
    d_outputs = _negative_part(outputs, math_ops.multiply(grad, gradients))
    return [apply_like(SELU_GRAD, [grad, outputs], op), d_outputs]


@register_gradient("SoftplusGrad")
def _softplus_grad_gradient(op, grad):
    # SoftplusGrad(g, x) = g * sigmoid(x); sigmoid'(x) = 1 / (exp(-x) + 2 + exp(x)).
    gradients, features = op.inputs
    curvature = math_ops.add(
        math_ops.add(math_ops.exp(math_ops.negative(features)), 2.0), math_ops.exp(features)
    )
    d_features = math_ops.realdiv(math_ops.multiply(grad, gradients), curvature)
    return [apply_like(SOFTPLUS_GRAD, [grad, features], op), d_features]


# -- softmax ------------------------------------------------------------------------------


def _softmax_shape(logits: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [TensorSpec(logits.dtype, with_rank_at_least(logits.shape, 1))]


SOFTMAX = register_op(
    OpDef("Softmax", ("logits: T",), ("softmax: T",), (f"T: {_FLOATS}",), _softmax_shape)
)
LOG_SOFTMAX = register_op(
    OpDef("LogSoftmax", ("logits: T",), ("logsoftmax: T",), (f"T: {_FLOATS}",), _softmax_shape)
)


def _softmax_along(op_def: OpDef, logits, axis, name) -> Tensor:
    """Apply ``op_def`` (which works on the last axis) along ``axis``, as TF does:
    swap ``axis`` with the last one, apply, and swap back."""
    logits = convert_to_tensor(logits, name="logits")
    rank = logits.shape.rank
    axis = -1 if axis is None else int(axis)
    if axis == -1 or (rank is not None and axis == rank - 1):
        return unary(op_def, logits, name)
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
    return array_ops.transpose(unary(op_def, swapped, None), perm, name=name)


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


def softmax_v1(logits, axis=None, name=None, dim=None) -> Tensor:
    """TF1's :func:`softmax`, which also takes the old ``dim`` for ``axis``."""
    return softmax(logits, deprecated_argument_lookup("axis", axis, "dim", dim), name)


def log_softmax_v1(logits, axis=None, name=None, dim=None) -> Tensor:
    """TF1's :func:`log_softmax`, which also takes the old ``dim`` for ``axis``."""
    return log_softmax(logits, deprecated_argument_lookup("axis", axis, "dim", dim), name)


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


# TF1's signatures.
V1_OVERRIDES = {"crelu": crelu_v1, "log_softmax": log_softmax_v1, "softmax": softmax_v1}
