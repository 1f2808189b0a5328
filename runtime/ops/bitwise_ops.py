"""Bitwise ops on integer tensors: ``tf.bitwise`` and the ``&``, ``|``, ``^``, ``~`` operators.

As in TF, the operators are logical on ``bool`` tensors and bitwise on integer ones
(:func:`and_`, :func:`or_`, :func:`xor_`, :func:`invert_`). Shifts clamp their amount
to ``[0, bits - 1]``. None of these ops has a gradient. Kernels:
:mod:`runtime.kernels.bitwise`.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import broadcast_shapes
from .core import apply_op, convert_to_tensor, unchanged

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]

_INTEGERS = "T: {int8, int16, int32, int64, uint8, uint16, uint32, uint64}"


def _broadcast(x, y, *, T):
    return [TensorSpec(T, broadcast_shapes(x.shape, y.shape))]


def _binary(op_type: str) -> OpDef:
    return register_op(
        OpDef(op_type, ("x: T", "y: T"), ("z: T",), (_INTEGERS,), shape_fn=_broadcast)
    )


BITWISE_AND = _binary("BitwiseAnd")
BITWISE_OR = _binary("BitwiseOr")
BITWISE_XOR = _binary("BitwiseXor")
LEFT_SHIFT = _binary("LeftShift")
RIGHT_SHIFT = _binary("RightShift")
INVERT = register_op(OpDef("Invert", ("x: T",), ("y: T",), (_INTEGERS,), shape_fn=unchanged))
for _op_type in ("BitwiseAnd", "BitwiseOr", "BitwiseXor", "LeftShift", "RightShift", "Invert"):
    not_differentiable(_op_type)


def bitwise_and(x, y, name=None) -> Tensor:
    """``x & y`` bit by bit, with broadcasting.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = bitwise_and(tf.constant([6, 5]), 3)
    ...     print(z.op.type, tf.compat.v1.Session().run(z))
    BitwiseAnd [2 1]
    """
    return apply_op(BITWISE_AND, [x, y], name or "BitwiseAnd").outputs[0]


def bitwise_or(x, y, name=None) -> Tensor:
    """``x | y`` bit by bit, with broadcasting."""
    return apply_op(BITWISE_OR, [x, y], name or "BitwiseOr").outputs[0]


def bitwise_xor(x, y, name=None) -> Tensor:
    """``x ^ y`` bit by bit, with broadcasting."""
    return apply_op(BITWISE_XOR, [x, y], name or "BitwiseXor").outputs[0]


def left_shift(x, y, name=None) -> Tensor:
    """``x << y``, the amount clamped to ``[0, bits - 1]``; bits shifted out are lost.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = left_shift(tf.constant([1, 1], tf.int8), [3, 9])
    ...     print(tf.compat.v1.Session().run(z))
    [   8 -128]
    """
    return apply_op(LEFT_SHIFT, [x, y], name or "LeftShift").outputs[0]


def right_shift(x, y, name=None) -> Tensor:
    """``x >> y`` (arithmetic for signed types), the amount clamped to ``[0, bits - 1]``."""
    return apply_op(RIGHT_SHIFT, [x, y], name or "RightShift").outputs[0]


def invert(x, name=None) -> Tensor:
    """``~x``: every bit flipped.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(invert(tf.constant([0, 5], tf.uint8))))
    [255 250]
    """
    return apply_op(INVERT, [x], name or "Invert").outputs[0]


# -- the operators ------------------------------------------------------------------


def _math_ops():
    from . import math_ops  # not at import: math_ops pulls in the kernels, which import late

    return math_ops


def _operator(logical: str, bitwise, x, y, name: str) -> Tensor:
    """TF's ``x & y`` on tensors: math_ops' ``logical`` for bool operands, else ``bitwise``.

    As TF names them: a bitwise op goes inside the operator's scope (``and/BitwiseAnd``),
    where a Python left operand becomes ``and/x`` with the right one's dtype.
    """
    tensor = x if isinstance(x, Tensor) else y
    if tensor.dtype.base_dtype == dtypes.bool:
        return getattr(_math_ops(), logical)(x, y, name=name)
    graph = graph_of([x, y])
    with graph.name_scope(name):
        if not isinstance(x, Tensor):
            x = convert_to_tensor(x, dtype_hint=y.dtype.base_dtype, name="x", graph=graph)
        return bitwise(x, y)


def and_(x, y, name="and") -> Tensor:
    """``x & y``: ``logical_and`` for bool tensors, ``bitwise_and`` for integers.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = tf.constant([6, -3]) & 3
    ...     print(z.op.name, tf.compat.v1.Session().run(z))
    and/BitwiseAnd [2 1]
    """
    return _operator("logical_and", bitwise_and, x, y, name)


def or_(x, y, name="or") -> Tensor:
    """``x | y``: ``logical_or`` for bool tensors, ``bitwise_or`` for integers."""
    return _operator("logical_or", bitwise_or, x, y, name)


def xor_(x, y, name="xor") -> Tensor:
    """``x ^ y``: ``logical_xor`` for bool tensors, ``bitwise_xor`` for integers."""
    return _operator("logical_xor", bitwise_xor, x, y, name)


def invert_(x) -> Tensor:
    """``~x``: ``logical_not`` for a bool tensor, ``invert`` for integers."""
    if x.dtype.base_dtype == dtypes.bool:
        return _math_ops().logical_not(x, name="LogicalNot")
    return invert(x)
