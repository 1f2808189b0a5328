"""Build-time values: what shape inference can know about a tensor before any run.

Many shape functions depend on a *value*: the ``shape`` argument of ``Reshape``, the
``multiples`` of ``Tile``, ``begin``/``size`` of ``Slice``. As in TF (its
``tensor_util.constant_value``), a value is known when the tensor is a ``Const`` or is
computed from constants and static shapes by a few cheap ops (``Shape`` of a fully
known tensor, ``Pack`` of constants, ``Cast`` ...). Otherwise it is ``None`` and the
shape function leaves the dimensions it would have computed unknown.

Shape functions see their inputs as :class:`InputSpec` (a ``TensorSpec`` that also
answers :func:`known_value` and :func:`known_shape`).
"""

from __future__ import annotations

import numpy as np

from ..registry import TensorSpec
from ..shapes import TensorShape


def constant_value(tensor) -> np.ndarray | None:
    """The value of ``tensor`` when it is known while building, else ``None``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [2, 3])
    ...     known = constant_value(tf.stack([tf.constant(1), tf.size(x)]))
    ...     unknown = constant_value(x)
    >>> known, unknown
    (array([1, 6], dtype=int32), None)
    """
    rule = _VALUE_RULES.get(tensor.op.type)
    return None if rule is None else rule(tensor.op, tensor.value_index)


def _const(op, index):
    return op.get_attr("value")


def _shape(op, index):
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return None
    return np.array(shape.as_tuple(), dtype=op.get_attr("out_type").as_numpy_dtype)


def _size(op, index):
    count = op.inputs[0].shape.num_elements()
    return None if count is None else np.array(count, op.get_attr("out_type").as_numpy_dtype)


def _rank(op, index):
    rank = op.inputs[0].shape.rank
    return None if rank is None else np.array(rank, np.int32)


def _all_inputs(op):
    values = [constant_value(t) for t in op.inputs]
    return None if any(v is None for v in values) else values


def _pack(op, index):
    values = _all_inputs(op)
    return None if values is None else np.stack(values, axis=op.get_attr("axis"))


def _concat(op, index):
    values = _all_inputs(op)
    return None if values is None else np.concatenate(values[:-1], axis=int(values[-1]))


def _cast(op, index):
    value = constant_value(op.inputs[0])
    return None if value is None else value.astype(op.get_attr("DstT").as_numpy_dtype)


def _passthrough(op, index):
    return constant_value(op.inputs[0])


def _fill(op, index):
    values = _all_inputs(op)
    return None if values is None else np.full(tuple(values[0]), values[1])


def _range(op, index):
    values = _all_inputs(op)
    if values is None:
        return None
    return np.arange(*values, dtype=op.get_attr("Tidx").as_numpy_dtype)


def _filled_like(fill_value):
    def rule(op, index):
        shape = op.inputs[0].shape
        if not shape.is_fully_defined():
            return None
        return np.full(shape.as_tuple(), fill_value, op.get_attr("T").as_numpy_dtype)

    return rule


def _strided_slice(op, index):
    from ..kernels.array import slice_index

    source = op.inputs[0]
    spec = [constant_value(t) for t in op.inputs[1:]]
    if any(v is None for v in spec):
        return None
    masks = {key: value for key, value in op.attrs.items() if key.endswith("_mask")}
    key = slice_index(*(v.tolist() for v in spec), **masks)
    value = constant_value(source)
    if value is not None:
        return np.asarray(value[key])
    if source.op.type == "Shape" and source.op.inputs[0].shape.rank is not None:
        # ``tf.shape(x)[1]`` is known when that dim of ``x`` is, even if others are not.
        dims = np.array(source.op.inputs[0].shape.as_tuple(), dtype=object)[key]
        if not np.any(dims == None):  # noqa: E711 - elementwise test on an object array
            return np.asarray(dims, dtype=source.dtype.as_numpy_dtype)
    return None


def _arithmetic(fn):
    def rule(op, index):
        values = _all_inputs(op)
        return None if values is None else np.asarray(fn(*values))

    return rule


_VALUE_RULES = {
    "ZerosLike": _filled_like(0),
    "OnesLike": _filled_like(1),
    "StridedSlice": _strided_slice,
    "Add": _arithmetic(np.add),
    "AddV2": _arithmetic(np.add),
    "Sub": _arithmetic(np.subtract),
    "Mul": _arithmetic(np.multiply),
    "FloorDiv": _arithmetic(np.floor_divide),
    "Maximum": _arithmetic(np.maximum),
    "Minimum": _arithmetic(np.minimum),
    "Const": _const,
    "Shape": _shape,
    "Size": _size,
    "Rank": _rank,
    "Pack": _pack,
    "ConcatV2": _concat,
    "Cast": _cast,
    "Reshape": _arithmetic(np.reshape),  # tf.zeros(n) reshapes its scalar size to a vector
    "Identity": _passthrough,
    "StopGradient": _passthrough,
    "Fill": _fill,
    "Range": _range,
}


def constant_value_as_shape(tensor) -> TensorShape:
    """What ``tensor``, a 1-D tensor of dimension sizes, says about a shape.

    Each entry is known when its value is (``-1`` reads as unknown); unknown entries
    of a ``Pack`` and the dims of a ``Shape`` op come through one by one, so
    ``tf.stack([tf.shape(x)[0], 4])`` gives ``[None, 4]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     s = tf.stack([tf.constant(2), tf.reduce_sum(tf.ones([2], tf.int32)), -1])
    >>> constant_value_as_shape(tf.shape(x)), constant_value_as_shape(s)
    (TensorShape([Dimension(None), Dimension(3)]), TensorShape([Dimension(2), Dimension(None), Dimension(None)]))
    """
    op = tensor.op
    if tensor.shape.rank == 0:  # a scalar -1 is TF's spelling of "unknown rank"
        return TensorShape(None)
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack":
        return TensorShape([_dim_of(t) for t in op.inputs])
    if op.type == "ConcatV2":
        shape = TensorShape([])
        for part in op.inputs[:-1]:
            shape = shape.concatenate(constant_value_as_shape(part))
        return shape
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in value.reshape(-1)])
    length = tensor.shape.dim_value(0) if tensor.shape.rank == 1 else None
    return TensorShape(None if length is None else [None] * length)


def _dim_of(tensor):
    value = constant_value(tensor)
    return None if value is None or value < 0 else int(value)


class InputSpec(TensorSpec):
    """An op input as its shape function sees it: dtype, static shape, and the tensor.

    The tensor stays hidden behind :func:`known_value` and :func:`known_shape`, so a
    shape function can also be called with plain ``TensorSpec`` objects (in tests).
    """

    def __new__(cls, tensor):
        # tuple.__new__ directly: the NamedTuple's own __new__ is a Python-level call per input.
        spec = tuple.__new__(cls, (tensor.dtype.base_dtype, tensor.shape))
        spec._tensor = tensor
        return spec


def known_value(spec: TensorSpec) -> np.ndarray | None:
    """The build-time value of the input behind ``spec``, or ``None``.

    Examples
    --------
    >>> from runtime import dtypes
    >>> known_value(TensorSpec(dtypes.int32, TensorShape([2]))) is None
    True
    """
    tensor = getattr(spec, "_tensor", None)
    return None if tensor is None else constant_value(tensor)


def known_shape(spec: TensorSpec) -> TensorShape:
    """What the 1-D input behind ``spec`` says about a shape (see ``constant_value_as_shape``).

    Examples
    --------
    >>> from runtime import dtypes
    >>> known_shape(TensorSpec(dtypes.int32, TensorShape([2])))
    TensorShape([Dimension(None), Dimension(None)])
    """
    tensor = getattr(spec, "_tensor", None)
    if tensor is not None:
        return constant_value_as_shape(tensor)
    length = spec.shape.dim_value(0) if spec.shape.rank == 1 else None
    return TensorShape(None if length is None else [None] * length)
