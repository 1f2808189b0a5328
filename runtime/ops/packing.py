"""Building the array ops from user values: TF's auto-packing and the ops' name scopes.

A list that holds tensors (``[tf.shape(x)[0], -1]``) is not a constant: TF turns it
into a ``Pack`` op named after the argument, inside the op's name scope. Everything
else a user passes (numbers, nested lists, numpy arrays) is converted by the binder
(:mod:`runtime.op_binding`) to the type its argument has already bound, as TF's
``_apply_op_helper`` does. :func:`build` does both for every array op builder.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Operation, Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor
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
        return any(has_tensor(item) for item in value)
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def _first_dtype(value):
    """The dtype of the first tensor in the nested list ``value``, else ``None``."""
    if isinstance(value, list | tuple):
        return next((d for d in map(_first_dtype, value) if d is not None), None)
    return convert_to_tensor(value).dtype.base_dtype if has_tensor(value) else None


def convert_or_pack(value, name: str, graph=None, dtype=None) -> Tensor:
    """``convert_to_tensor``, also for a list holding tensors: TF's auto-packing makes it
    a ``Pack`` op (plain entries become Consts of the tensors' dtype), so a shape such as
    ``[tf.shape(x)[0], -1]`` works.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     s = convert_or_pack([tf.shape(x)[0], -1], name="dims")
    >>> s.op.type, s.dtype, [t.op.name for t in s.op.inputs]
    ('Pack', tf.int32, ['strided_slice', 'dims/1'])
    """
    flat = value if isinstance(value, list | tuple) else [value]
    graph = graph if graph is not None else graph_of(flat)
    if not (isinstance(value, list | tuple) and has_tensor(value)):
        # An index-like value: ``[]`` is an empty int32 vector, not float32.
        empty = isinstance(value, list | tuple) and not value
        hint = dtypes.int32 if dtype is None and empty else None
        return convert_to_tensor(value, dtype=dtype, dtype_hint=hint, graph=graph, name=name)
    with graph.name_scope(name) as scope:
        hint = dtype or _first_dtype(value)
        items = [
            convert_or_pack(item, str(i), graph, None if has_tensor(item) else hint)
            for i, item in enumerate(value)
        ]
    return apply_op(PACK, [items], scope, graph=graph).outputs[0]


def build(op_def: OpDef, inputs: list, name, **attrs) -> Operation:
    """An op of ``op_def`` on user values, named ``name`` (default: the op type).

    Each input that is a list holding tensors is packed (TF's auto-packing) inside the
    op's name scope; the binder converts the other values to their argument's type.
    A list argument (``values: N * T``) takes a list of such values.

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
    flat = []
    for is_list, value in zip(op_def.input_is_list, inputs):
        flat.extend(value if is_list and isinstance(value, list | tuple) else [value])
    graph = graph_of(flat)
    if all(isinstance(value, Tensor) for value in flat):
        return apply_op(op_def, inputs, name or op_def.name, graph=graph, **attrs)
    with graph.name_scope(name or op_def.name) as scope:
        inputs = [
            _packed(value, arg, graph, is_list)
            for value, arg, is_list in zip(inputs, op_def.input_names, op_def.input_is_list)
        ]
    return apply_op(op_def, inputs, scope, graph=graph, **attrs)


def _packed(value, arg: str, graph, is_list: bool):
    if is_list and isinstance(value, list | tuple):
        return [_packed(item, f"{arg}_{i}", graph, False) for i, item in enumerate(value)]
    if isinstance(value, list | tuple) and has_tensor(value):
        return convert_or_pack(value, arg, graph)
    if hasattr(value, "_as_graph_element") and not isinstance(value, Tensor):
        return convert_to_tensor(value, graph=graph)  # a variable: its value
    return value
