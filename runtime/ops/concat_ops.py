"""Joining and cutting tensors: ``concat``, ``stack``/``unstack`` and ``split``."""

from __future__ import annotations

import numbers

from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from .constant_value import known_value
from .core import convert_to_tensor
from .packing import PACK, build, convert_or_pack
from .placeholder_ops import identity
from .shape_ops import expand_dims
from .shape_util import canonical_axis, merge_dim, merge_shapes, with_rank

__all__ = ["concat", "parallel_stack", "split", "stack", "unstack"]


def _concat_shape(*specs: TensorSpec, N, T, Tidx):
    *values, axis = specs
    with_rank(axis.shape, 0)
    rank = next((v.shape.rank for v in values if v.shape.rank is not None), None)
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    for value in values:
        with_rank(value.shape, rank)
    axis_value = known_value(axis)
    if axis_value is None:
        return [TensorSpec(T, TensorShape([None] * rank))]
    axis_value = int(axis_value)
    if not -rank <= axis_value < rank:
        raise ValueError(
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, {rank}), but "
            f"got {axis_value}"
        )
    axis_value %= rank
    others = TensorShape(None)
    total = 0
    for value in values:
        dims = list(value.shape.as_tuple() or [None] * rank)
        size = dims.pop(axis_value)
        total = None if total is None or size is None else total + size
        others = merge_shapes(others, TensorShape(dims))
    dims = list(others.as_tuple())
    dims.insert(axis_value, total)
    return [TensorSpec(T, TensorShape(dims))]


CONCAT = register_op(
    OpDef(
        "ConcatV2",
        ("values: N * T", "axis: Tidx"),
        ("output: T",),
        ("N: int >= 2", "T: type", "Tidx: {int32, int64} = DT_INT32"),
        _concat_shape,
    )
)


def _concat_offset_shape(concat_dim, *shapes, N, shape_type):
    return [TensorSpec(shape_type, shape.shape) for shape in shapes]


# The offsets of each input in a ConcatV2's output: what TF's ConcatV2 gradient slices
# with (a GraphDef TF wrote holds it).
CONCAT_OFFSET = register_op(
    OpDef(
        "ConcatOffset",
        ("concat_dim: int32", "shape: N * shape_type"),
        ("offset: N * shape_type",),
        ("N: int >= 2", "shape_type: {int32, int64} = DT_INT32"),
        _concat_offset_shape,
    )
)


def concat(values, axis, name="concat") -> Tensor:
    """The tensors ``values`` joined along ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(concat([tf.zeros([2, 3]), tf.zeros([4, 3])], 0).shape)
    (6, 3)
    """
    if not isinstance(values, list | tuple):
        values = [values]
    if len(values) == 1:  # as TF: one value is passed through
        with name_scope(name, "concat", [*values, axis]) as scope:
            with_rank(convert_to_tensor(axis, name="concat_dim").shape, 0)
            return identity(values[0], name=scope)
    return build(CONCAT, [list(values), axis], name or "concat").outputs[0]


def stack(values, axis=0, name="stack") -> Tensor:
    """The tensors ``values`` (same shape) stacked along a new dimension ``axis``.

    A list of Python numbers becomes one ``Const``, and a list with tensors is
    autopacked, as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = stack([tf.zeros([2, 3]), tf.ones([2, 3])], axis=1)
    >>> s.shape, s.op.type
    (TensorShape([Dimension(2), Dimension(2), Dimension(3)]), 'Pack')
    """
    if axis == 0:
        # As TF: a list with tensors is autopacked, its numbers named by their index
        # (``stack/1``, as Keras' conv2d_transpose output shape is in frozen graphs).
        try:
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError, NotImplementedError):
            pass  # TF then builds the Pack itself, which says what is wrong
    return build(PACK, [list(values)], name or "stack", axis=int(axis)).outputs[0]


def _parallel_concat_shape(*values: TensorSpec, N, T, shape):
    if not shape.is_fully_defined():
        raise ValueError("shape attr must be fully defined.")
    piece = TensorShape([1]).concatenate(shape[1:])
    for i, value in enumerate(values):
        if not value.shape.is_compatible_with(piece):
            raise ValueError(
                f"Input {i} has shape {value.shape}; every input of ParallelConcat must be "
                f"{piece}: one slice of the output."
            )
    return [TensorSpec(T, shape)]


PARALLEL_CONCAT = register_op(
    OpDef(
        "ParallelConcat",
        ("values: N * T",),
        ("output: T",),
        ("N: int >= 1", "T: type", "shape: shape"),
        _parallel_concat_shape,
    )
)


def parallel_stack(values, name="parallel_stack") -> Tensor:
    """The tensors ``values`` stacked along a new first axis, as :func:`stack` with
    ``axis=0``, with TF's ``ParallelConcat`` (whose shapes must all be known when built;
    TF gives it no gradient).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = parallel_stack([[1, 2], [3, 4], [5, 6]])
    ...     print(s.shape, tf.compat.v1.Session().run(s).tolist())
    (3, 2) [[1, 2], [3, 4], [5, 6]]
    """
    with name_scope(name):
        if not values:
            raise ValueError("Input `values` cannot be empty.")
        values = [convert_to_tensor(value) for value in values]
        whole = TensorShape([len(values)]).concatenate(values[0].shape)
        slices = [expand_dims(value, 0) for value in values]
        return build(PARALLEL_CONCAT, [slices], None, shape=whole).outputs[0]


def _unpack_shape(value: TensorSpec, *, num, T, axis):
    shape = value.shape
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))] * num
    axis = canonical_axis(axis, shape.rank)
    merge_dim(shape.dim_value(axis), num)
    dims = list(shape.as_tuple())
    del dims[axis]
    return [TensorSpec(T, TensorShape(dims))] * num


UNPACK = register_op(
    OpDef(
        "Unpack",
        ("value: T",),
        ("output: num * T",),
        ("num: int >= 0", "T: type", "axis: int = 0"),
        _unpack_shape,
    )
)


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """The slices of ``value`` along ``axis``, as a list of ``num`` tensors.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     parts = unstack(tf.zeros([2, 3]), axis=1)
    >>> len(parts), parts[0].shape
    (3, TensorShape([Dimension(2)]))
    """
    if num is None:
        value = convert_to_tensor(value)
        shape = value.shape
        if shape.rank is None or shape.dim_value(canonical_axis(axis, shape.rank)) is None:
            raise ValueError(f"Cannot infer argument `num` from shape {shape}")
        num = shape.dim_value(axis)
    return build(UNPACK, [value], name or "unstack", num=num, axis=int(axis)).outputs


def _split_shape(split_dim: TensorSpec, value: TensorSpec, *, T, num_split):
    with_rank(split_dim.shape, 0)
    shape = value.shape
    axis = known_value(split_dim)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))] * num_split
    if axis is None:
        return [TensorSpec(T, TensorShape([None] * shape.rank))] * num_split
    axis = canonical_axis(int(axis), shape.rank, "split_dim")
    dims = list(shape.as_tuple())
    if dims[axis] is not None:
        if dims[axis] % num_split:
            raise ValueError(
                f"Dimension size must be evenly divisible by {num_split} but is {dims[axis]}\n"
                "\tNumber of ways to split should evenly divide the split dimension"
            )
        dims[axis] //= num_split
    return [TensorSpec(T, TensorShape(dims))] * num_split


def _split_v_shape(
    value: TensorSpec, size_splits: TensorSpec, split_dim: TensorSpec, *, T, Tlen, num_split
):
    with_rank(split_dim.shape, 0)
    shape = value.shape
    axis, sizes = known_value(split_dim), known_value(size_splits)
    if shape.rank is None or axis is None:
        rank_dims = None if shape.rank is None else [None] * shape.rank
        return [TensorSpec(T, TensorShape(rank_dims))] * num_split
    axis = canonical_axis(int(axis), shape.rank, "split_dim")
    size = shape.dim_value(axis)
    if sizes is None:
        dims = list(shape.as_tuple())
        dims[axis] = None
        return [TensorSpec(T, TensorShape(dims))] * num_split
    sizes = [int(s) for s in sizes]
    if sizes.count(-1) > 1:
        raise ValueError("Only one dimensions can have a value of -1")
    if -1 in sizes and size is not None:
        sizes[sizes.index(-1)] = size - (sum(sizes) + 1)
    if size is not None and (sum(sizes) != size or min(sizes) < 0):
        raise ValueError(
            f"can't split axis of size {size} into pieces of size [{','.join(map(str, sizes))}]"
        )
    specs = []
    for piece in sizes:
        dims = list(shape.as_tuple())
        dims[axis] = None if piece < 0 else piece
        specs.append(TensorSpec(T, TensorShape(dims)))
    return specs


SPLIT = register_op(
    OpDef(
        "Split",
        ("split_dim: int32", "value: T"),
        ("output: num_split * T",),
        ("num_split: int >= 1", "T: type"),
        _split_shape,
    )
)
SPLIT_V = register_op(
    OpDef(
        "SplitV",
        ("value: T", "size_splits: Tlen", "split_dim: int32"),
        ("output: num_split * T",),
        ("num_split: int >= 1", "T: type", "Tlen: {int8, int32, int64} = DT_INT64"),
        _split_v_shape,
    )
)


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """``value`` cut along ``axis`` into ``num_or_size_splits`` equal parts, or into
    parts of the listed sizes (one may be ``-1``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = split(tf.zeros([2, 6]), 2, axis=1)
    ...     c, d = split(tf.zeros([2, 6]), [1, -1], axis=1)
    >>> a.shape, c.shape, d.shape
    (TensorShape([Dimension(2), Dimension(3)]), TensorShape([Dimension(2), Dimension(1)]), TensorShape([Dimension(2), Dimension(5)]))
    """
    name = name or "split"
    if isinstance(num_or_size_splits, numbers.Integral) and not isinstance(
        num_or_size_splits, bool
    ):
        return build(SPLIT, [axis, value], name, num_split=int(num_or_size_splits)).outputs
    sizes = convert_or_pack(num_or_size_splits, "Const")
    if sizes.shape.rank == 0:
        raise ValueError(
            "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
            f"Argument provided: {num_or_size_splits}"
        )
    if num is None:
        num = sizes.shape.dim_value(0) if sizes.shape.rank == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    return build(SPLIT_V, [value, sizes, axis], name, num_split=int(num)).outputs
