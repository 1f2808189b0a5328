"""Feeds and pass-throughs: placeholders, ``identity``, ``identity_n``, ``stop_gradient``."""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape, as_shape
from .core import apply_op, unchanged
from .packing import build

__all__ = [
    "identity",
    "identity_n",
    "placeholder",
    "placeholder_with_default",
    "stop_gradient",
]


def _placeholder_shape(*, dtype, shape):
    return [TensorSpec(dtype, TensorShape(None) if shape is None else shape)]


def _placeholder_with_default_shape(input: TensorSpec, *, dtype, shape):
    if not input.shape.is_compatible_with(shape):
        raise ValueError(
            f"Default value of shape {input.shape} is not compatible with shape {shape}"
        )
    return [TensorSpec(dtype, shape)]


PLACEHOLDER = register_op(
    OpDef(
        "Placeholder",
        (),
        ("output: dtype",),
        ("dtype: type", "shape: shape = { unknown_rank: true }"),
        _placeholder_shape,
    )
)
PLACEHOLDER_WITH_DEFAULT = register_op(
    OpDef(
        "PlaceholderWithDefault",
        ("input: dtype",),
        ("output: dtype",),
        ("dtype: type", "shape: shape"),
        _placeholder_with_default_shape,
    )
)
IDENTITY = register_op(OpDef("Identity", ("input: T",), ("output: T",), ("T: type",), unchanged))
IDENTITY_N = register_op(
    OpDef(
        "IdentityN",
        ("input: T",),
        ("output: T",),
        ("T: list(type) >= 1",),
        lambda *inputs, T: list(inputs),
    )
)
STOP_GRADIENT = register_op(
    OpDef("StopGradient", ("input: T",), ("output: T",), ("T: type",), unchanged)
)


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """A tensor whose value must be fed when the graph runs.

    Parameters
    ----------
    dtype : DType
    shape : sequence of int or None, optional
        ``None`` entries are unknown dimensions; ``shape=None`` is an unknown rank.
    name : str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = placeholder(tf.float32, shape=[None, 3], name="x")
    >>> x.name, x.shape
    ('x:0', TensorShape([Dimension(None), Dimension(3)]))
    """
    shape = None if shape is None else as_shape(shape)
    if shape is not None and shape.rank is None:
        shape = None
    return apply_op(
        PLACEHOLDER,
        [],
        name or "Placeholder",
        graph=get_default_graph(),
        dtype=dtypes.as_dtype(dtype),
        shape=shape,
    ).outputs[0]


def placeholder_with_default(input, shape, name=None) -> Tensor:
    """A placeholder that passes ``input`` through when it is not fed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = placeholder_with_default([1.0, 2.0], shape=[None])
    >>> x.shape
    TensorShape([Dimension(None)])
    """
    return apply_op(  # a Python default becomes ``<name>/input``, as TF names it
        PLACEHOLDER_WITH_DEFAULT,
        [input],
        name or "PlaceholderWithDefault",
        shape=as_shape(shape),
    ).outputs[0]


def identity(input, name=None) -> Tensor:
    """A tensor with the same value as ``input``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = identity(tf.constant([1, 2]), name="y")
    >>> y.op.type, y.shape
    ('Identity', TensorShape([Dimension(2)]))
    """
    return build(IDENTITY, [input], name).outputs[0]


def identity_n(input, name=None) -> list:
    """The tensors ``input`` passed through one op (their gradients stay separate).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = identity_n([tf.constant(1.0), tf.constant([1, 2])])
    >>> a.op.type, a.dtype, b.shape
    ('IdentityN', tf.float32, TensorShape([Dimension(2)]))
    """
    return build(IDENTITY_N, [list(input)], name).outputs


def stop_gradient(input, name=None) -> Tensor:
    """``input`` unchanged, but :func:`runtime.gradients` treats it as a constant.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(3.0)
    ...     print(tf.gradients(x * stop_gradient(x), [x]))
    [<tf.Tensor 'gradients/mul_grad/Mul:0' shape=() dtype=float32>]
    """
    return build(STOP_GRADIENT, [input], name).outputs[0]
