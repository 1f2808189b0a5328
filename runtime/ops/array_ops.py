"""Array ops: placeholders, identity, and shape manipulation."""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..registry import REQUIRED, OpDef, TensorSpec, register_op
from ..shapes import TensorShape, as_shape
from .core import apply_op, convert_to_tensor, unchanged

__all__ = ["identity", "placeholder", "placeholder_with_default"]


def _placeholder_shape(*, dtype, shape):
    return [TensorSpec(dtype, TensorShape(None) if shape is None else shape)]


def _placeholder_with_default_shape(value, *, dtype, shape):
    if not value.shape.is_compatible_with(shape):
        raise ValueError(
            f"Default value of shape {value.shape} is not compatible with shape {shape}"
        )
    return [TensorSpec(value.dtype, shape)]


PLACEHOLDER = register_op(
    OpDef(
        "Placeholder",
        (),
        attrs={"dtype": REQUIRED, "shape": None},
        shape_fn=_placeholder_shape,
    )
)
PLACEHOLDER_WITH_DEFAULT = register_op(
    OpDef(
        "PlaceholderWithDefault",
        ("input",),
        attrs={"dtype": REQUIRED, "shape": REQUIRED},
        shape_fn=_placeholder_with_default_shape,
    )
)
IDENTITY = register_op(OpDef("Identity", ("input",), attrs={"T": REQUIRED}, shape_fn=unchanged))


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
    ('x:0', TensorShape([None, 3]))
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
    TensorShape([None])
    """
    value = convert_to_tensor(input)
    return apply_op(
        PLACEHOLDER_WITH_DEFAULT,
        [value],
        name or "PlaceholderWithDefault",
        dtype=value.dtype,
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
    ('Identity', TensorShape([2]))
    """
    value = convert_to_tensor(input)
    return apply_op(IDENTITY, [value], name or "Identity", T=value.dtype.base_dtype).outputs[0]
