"""TF's auto-packing: a list that holds tensors converts to a ``Pack`` op.

A list such as ``[tf.shape(x)[0], -1]`` or ``[a, 1.0]`` is not a constant: TF turns it
into a ``Pack`` op (named ``packed``, or after the argument inside an op's name scope),
its plain entries ``Const`` ops of the tensors' dtype. This module registers that as the
conversion of lists and tuples, as TF's ``array_ops`` does, so ``convert_to_tensor`` and
so every op's inputs pack (``tf.reduce_sum([n, n])``, ``[a, b] + x``).
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Operation, Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .core import (
    apply_op,
    convert_to_tensor,
    first_tensor,
    register_tensor_conversion_function,
)
from .shape_util import merge_shapes

__all__ = ["PACK", "build", "convert_or_pack", "has_tensor"]


def _pack_shape(*values: TensorSpec, N, T, axis):
    shape = TensorShape(None)
    for value in values:
        try:
            shape = merge_shapes(shape, value.shape)
        except ValueError as err:
            raise ValueError(f"{err}\n\tFrom merging shape 0 with other shapes.") from None
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    rank = shape.rank + 1
    if not -rank <= axis < rank:
        raise ValueError(f"Invalid axis: {axis}; must be in [{-rank},{rank})")
    dims = list(shape.as_tuple())
    dims.insert(axis % rank, N)
    return [TensorSpec(T, TensorShape(dims))]


PACK = register_op(
    OpDef(
        "Pack",
        ("values: N * T",),
        ("output: T",),
        ("N: int >= 1", "T: type", "axis: int = 0"),
        _pack_shape,
    )
)


def has_tensor(value) -> bool:
    """True when ``value`` is a tensor (or variable) or a nested list holding one.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     has_tensor([1, [2, tf.constant(3)]]), has_tensor([[1, 2]])
    (True, False)
    """
    if isinstance(value, list | tuple):
        return first_tensor(value) is not None
    return first_tensor([value]) is not None


def _autopack(value, dtype=None, name=None, as_ref=False):
    """TF's ``_autopacking_conversion_function``, registered for lists and tuples.

    ``NotImplemented`` (the next conversion: a constant) for a list without tensors.
    With a ``dtype`` other than the first tensor's, the tensors of other dtypes are cast
    first, as TF does; a tensor that still differs is a ``TypeError``.
    """
    first = first_tensor(value)
    if as_ref or first is None:
        return NotImplemented
    inferred = first.dtype.base_dtype
    if dtype is None:
        dtype = inferred
    elif dtype.base_dtype is not inferred:
        dtype = dtype.base_dtype
        value = _cast_tensors(value, dtype)
    return _pack(value, dtype, name or "packed", graph_of([first]))


register_tensor_conversion_function((list, tuple), _autopack, priority=99)


def _cast_tensors(value, dtype):
    """``value`` with its tensors of another dtype cast to ``dtype``, in the caller's scope
    (TF's ``Cast`` ops precede the ``packed`` scope)."""
    if isinstance(value, list | tuple):
        return type(value)(_cast_tensors(item, dtype) for item in value)
    if not has_tensor(value):
        return value
    tensor = convert_to_tensor(value)
    if tensor.dtype.base_dtype is dtype:
        return tensor
    return apply_op("Cast", [tensor], "Cast", DstT=dtype).outputs[0]


def _pack(value, dtype, name: str, graph):
    """TF's ``_autopacking_helper``: ``value`` packed in scope ``name`` when it holds a
    tensor, else ``value`` as it is (a sublist of plain entries becomes one Const).

    As TF, every sublist opens its own scope, used or not: a plain sublist's Const is
    then ``packed/0_1``, its scope having taken ``packed/0``.
    """
    with graph.name_scope(name) as scope:
        items = []
        for i, item in enumerate(value):
            if isinstance(item, list | tuple):
                item = _pack(item, dtype, str(i), graph)
            elif has_tensor(item):
                item = _tensor_of(item, dtype)
            items.append(item)
        if not any(isinstance(item, Tensor) for item in items):
            return items
        tensors = [
            item
            if isinstance(item, Tensor)
            else convert_to_tensor(item, dtype, str(i), graph=graph)
            for i, item in enumerate(items)
        ]
        return apply_op(PACK, [tensors], scope, graph=graph).outputs[0]


def _tensor_of(item, dtype) -> Tensor:
    """A tensor entry of a packed list: of ``dtype``, as TF insists (no cast here)."""
    if item.dtype.base_dtype is not dtype:
        raise TypeError(
            f"Cannot convert a list containing a tensor of dtype {item.dtype} to {dtype} "
            f"(Tensor is: {item!r})"
        )
    return convert_to_tensor(item)  # a variable: its value


def convert_or_pack(value, name: str, graph=None, dtype=None) -> Tensor:
    """``convert_to_tensor`` for an index-like argument: ``[]`` is an empty int32 vector.

    A list holding tensors packs, as every conversion does, so a shape such as
    ``[tf.shape(x)[0], -1]`` works.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     s = convert_or_pack([tf.shape(x)[0], -1], name="dims")
    ...     e = convert_or_pack([], name="empty")
    >>> s.op.type, s.dtype, [t.op.name for t in s.op.inputs], e.dtype
    ('Pack', tf.int32, ['strided_slice', 'dims/1'], tf.int32)
    """
    empty = isinstance(value, list | tuple) and not value
    hint = dtypes.int32 if dtype is None and empty else None
    return convert_to_tensor(value, dtype=dtype, dtype_hint=hint, graph=graph, name=name)


def build(op_def: OpDef, inputs: list, name, **attrs) -> Operation:
    """An op of ``op_def`` on user values, named ``name`` (default: the op type).

    :func:`runtime.ops.core.apply_op`: the binder converts each value to its argument's
    type inside the op's name scope, a list holding tensors by packing it (named after
    the argument). A list argument (``values: N * T``) takes a list of such values.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.ops.shape_ops import RESHAPE
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     op = build(RESHAPE, [x, [tf.shape(x)[0], 3, 1]], None)
    >>> op.name, [t.op.name for t in op.inputs], op.outputs[0].shape
    ('Reshape', ['Placeholder', 'Reshape/shape'], TensorShape([Dimension(None), Dimension(3), Dimension(1)]))
    """
    return apply_op(op_def, inputs, name or op_def.name, **attrs)
