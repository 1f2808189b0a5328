"""Taking parts of tensors and reordering them: ``slice``, ``strided_slice`` (and
``tensor[...]``), ``boolean_mask``, ``reverse``, ``reverse_sequence`` and ``roll``."""

from __future__ import annotations

import builtins
import numbers

from .. import dtypes
from ..graph import Tensor
from ..kernels.array import UNKNOWN, slice_index, sliced_dims
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .concat_ops import concat, stack
from .constant_value import known_shape, known_value
from .core import constant, convert_to_tensor, deprecated_argument_lookup
from .fill_ops import ones_like
from .gather_scatter_ops import gather
from .packing import build
from .shape_ops import reshape, shape, squeeze
from .shape_util import canonical_axis, merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "boolean_mask",
    "newaxis",
    "reverse",
    "reverse_sequence",
    "roll",
    "slice",
    "strided_slice",
]

newaxis = None
_INDEX = "{int32, int64}"


# -- slice -------------------------------------------------------------------------------


def _slice_shape(input: TensorSpec, begin: TensorSpec, size: TensorSpec, *, T, Index):
    with_rank(begin.shape, 1)
    with_rank(size.shape, 1)
    rank = input.shape.rank
    for spec in (begin, size):
        length = spec.shape.dim_value(0)
        if rank is None:
            rank = length
        elif length is not None and length != rank:
            raise ValueError(f"Shape must be rank {length} but is rank {rank}")
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    begins, sizes = known_value(begin), known_shape(size)
    value_sizes = known_value(size)
    in_dims = input.shape.as_tuple() or (None,) * rank
    dims = []
    for i in range(rank):
        piece = None if value_sizes is None else int(value_sizes[i])
        if piece is None:
            piece = sizes.dim_value(i)
        elif piece == -1:
            start = None if begins is None else int(begins[i])
            piece = None if start is None or in_dims[i] is None else in_dims[i] - start
        dims.append(piece)
    return [TensorSpec(T, TensorShape(dims))]


SLICE = register_op(
    OpDef(
        "Slice",
        ("input: T", "begin: Index", "size: Index"),
        ("output: T",),
        ("T: type", f"Index: {_INDEX}"),
        _slice_shape,
    )
)


def slice(input_, begin, size, name=None) -> Tensor:
    """The block of ``input_`` starting at ``begin`` of extent ``size`` (``-1``: to the end).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(12), [3, 4])
    ...     print(tf.compat.v1.Session().run(slice(x, [1, 1], [-1, 2])))
    [[ 5  6]
     [ 9 10]]
    """
    return build(SLICE, [input_, begin, size], name).outputs[0]


# -- strided_slice -----------------------------------------------------------------------

_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
_MASK_ATTRS = tuple(f"{mask}: int = 0" for mask in _MASKS)


def _strided_index(begin: TensorSpec, end: TensorSpec, strides: TensorSpec, masks: dict):
    """The slice as a Python index, with ``UNKNOWN`` where a value is not known yet."""
    length = next(
        (
            s.shape.dim_value(0)
            for s in (begin, end, strides)
            if s.shape.rank == 1 and s.shape.dim_value(0) is not None
        ),
        None,
    )
    if length is None:
        return None
    values = [known_value(s) for s in (begin, end, strides)]
    values = [[UNKNOWN] * length if v is None else v.tolist() for v in values]
    return slice_index(*values, **masks)


def _strided_slice_shape(
    input: TensorSpec, begin: TensorSpec, end: TensorSpec, strides: TensorSpec, *, T, Index, **masks
):
    for spec in (begin, end, strides):
        with_rank(spec.shape, 1)
    index = _strided_index(begin, end, strides, masks)
    if input.shape.rank is None or index is None:
        return [TensorSpec(T, TensorShape(None))]
    return [TensorSpec(T, TensorShape(sliced_dims(list(input.shape.as_tuple()), index)))]


STRIDED_SLICE = register_op(
    OpDef(
        "StridedSlice",
        ("input: T", "begin: Index", "end: Index", "strides: Index"),
        ("output: T",),
        ("T: type", "Index: {int16, int32, int64}", *_MASK_ATTRS),
        _strided_slice_shape,
    )
)
STRIDED_SLICE_GRAD = register_op(
    OpDef(
        "StridedSliceGrad",
        ("shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"),
        ("output: T",),
        ("T: type", f"Index: {_INDEX}", *_MASK_ATTRS),
        lambda shape, begin, end, strides, dy, *, T, Index, **masks: [
            TensorSpec(T, known_shape(shape))
        ],
    )
)


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    var=None,
    name=None,
) -> Tensor:
    """``input_[begin:end:strides]`` per dimension, with TF's bit masks (bit ``i`` of
    ``begin_mask`` ignores ``begin[i]``, ``shrink_axis_mask`` takes one index and drops
    the dimension, ...). ``tensor[...]`` builds one of these.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(12), [3, 4])
    ...     y = strided_slice(x, [0, 3], [3, 0], [2, -1])
    ...     print(y.shape, tf.compat.v1.Session().run(y).tolist())
    (2, 3) [[3, 2, 1], [11, 10, 9]]
    """
    if strides is None:
        strides = ones_like(begin)
    masks = {
        "begin_mask": int(begin_mask),
        "end_mask": int(end_mask),
        "ellipsis_mask": int(ellipsis_mask),
        "new_axis_mask": int(new_axis_mask),
        "shrink_axis_mask": int(shrink_axis_mask),
    }
    return build(STRIDED_SLICE, [input_, begin, end, strides], name, **masks).outputs[0]


def _check_index(index) -> None:
    if isinstance(index, numbers.Integral) and not isinstance(index, bool):
        return
    if isinstance(index, Tensor) and index.dtype.base_dtype in (dtypes.int32, dtypes.int64):
        return
    raise TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        f"tf.int32/tf.int64 tensors are valid indices, got {index!r}"
    )


def _slice_spec(slice_spec) -> tuple:
    """``tensor[slice_spec]`` as ``begin``, ``end``, ``strides`` lists and the masks."""
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for bit, item in enumerate(slice_spec):
        flag = 1 << bit
        if isinstance(item, builtins.slice):
            for value, bucket, mask in (
                (item.start, begin, "begin_mask"),
                (item.stop, end, "end_mask"),
            ):
                if value is None:
                    bucket.append(0)
                    masks[mask] |= flag
                else:
                    _check_index(value)
                    bucket.append(value)
            if item.step is not None:
                _check_index(item.step)
            strides.append(1 if item.step is None else item.step)
        elif item is Ellipsis or item is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= flag
        else:
            _check_index(item)
            begin.append(item)
            end.append(item + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= flag
    if masks["ellipsis_mask"] & (masks["ellipsis_mask"] - 1):
        raise ValueError("Multiple ellipses in slice spec not allowed")
    return begin, end, strides, masks


def slice_helper(tensor, slice_spec, var=None) -> Tensor:
    """``tensor[slice_spec]``: ints, slices with steps, ``...``, ``None`` (new axis),
    negative indices and scalar int tensors, as one ``StridedSlice`` op.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(24), [2, 3, 4])
    ...     y = x[-1, ::2, None, 1:]
    ...     print(y.shape, y.op.name, tf.compat.v1.Session().run(y).tolist())
    (2, 1, 3) strided_slice [[[13, 14, 15]], [[21, 22, 23]]]
    """
    if not isinstance(slice_spec, list | tuple):
        slice_spec = [slice_spec]
    begin, end, strides, masks = _slice_spec(slice_spec)
    with name_scope(None, "strided_slice", [tensor, *begin, *end, *strides]) as scope:
        if begin:
            packed = [stack(part) for part in (begin, end, strides)]
            if any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                packed = [math_ops.cast(p, dtypes.int64) for p in packed]
        else:
            packed = [constant([], dtype=dtypes.int32)] * 3
        return strided_slice(tensor, *packed, name=scope, **masks)


# -- boolean_mask ------------------------------------------------------------------------


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The elements (or slices along ``axis``) of ``tensor`` where ``mask`` is true.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [3, 2])
    ...     m = boolean_mask(x, [True, False, True])
    ...     print(m.shape, tf.compat.v1.Session().run(m).tolist())
    (?, 2) [[0, 1], [4, 5]]
    """
    with name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        mask_rank = mask.shape.rank
        if mask_rank == 0:
            raise ValueError("mask cannot be scalar.")
        if mask_rank is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some dimensions are None.  "
                "E.g. shape=[None] is ok, but shape=None is not."
            )
        axis = 0 if axis is None else int(axis)
        static = tensor.shape
        if static.rank is not None:
            static[axis : axis + mask_rank].assert_is_compatible_with(mask.shape)
        dims = shape(tensor)
        leading = math_ops.reduce_prod(dims[axis : axis + mask_rank], [0])
        flat = reshape(tensor, concat([dims[:axis], [leading], dims[axis + mask_rank :]], 0))
        if static.rank is not None:
            masked = static[axis : axis + mask_rank].num_elements()
            flat.set_shape(
                static[:axis].concatenate([masked]).concatenate(static[axis + mask_rank :])
            )
        indices = squeeze(math_ops.where(reshape(mask, [-1])), axis=[1])
        return gather(flat, indices, axis=axis)


def boolean_mask_v1(tensor, mask, name="boolean_mask", axis=None) -> Tensor:
    """TF1's argument order of :func:`boolean_mask`."""
    return boolean_mask(tensor, mask, axis, name)


# -- reverse, reverse_sequence, roll -----------------------------------------------------


def _reverse_shape(tensor: TensorSpec, axis: TensorSpec, *, T, Tidx):
    with_rank(axis.shape, 1)
    value = known_value(axis)
    rank = tensor.shape.rank
    if value is not None and rank is not None:
        for a in value.tolist():
            canonical_axis(a, rank)
    return [TensorSpec(T, tensor.shape)]


REVERSE = register_op(
    OpDef(
        "ReverseV2",
        ("tensor: T", "axis: Tidx"),
        ("output: T",),
        (
            "Tidx: {int32, int64} = DT_INT32",
            "T: {uint8, int8, uint16, int16, int32, uint32, int64, uint64, bool, bfloat16, "
            "float16, float32, float64, complex64, complex128, string}",
        ),
        _reverse_shape,
    )
)


def reverse(tensor, axis, name=None) -> Tensor:
    """``tensor`` with the order of elements reversed along each of ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(reverse([[1, 2], [3, 4]], [1])).tolist())
    [[2, 1], [4, 3]]
    """
    return build(REVERSE, [tensor, axis], name).outputs[0]


def _reverse_sequence_shape(
    input: TensorSpec, seq_lengths: TensorSpec, *, seq_dim, batch_dim, T, Tlen
):
    with_rank(seq_lengths.shape, 1)
    rank = input.shape.rank
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    for what, dim in (("batch_dim", batch_dim), ("seq_dim", seq_dim)):
        if not 0 <= dim < rank:
            raise ValueError(f"Invalid {what} {dim} for a tensor of rank {rank}")
    batch = merge_dim(input.shape.dim_value(batch_dim), seq_lengths.shape.dim_value(0))
    dims = list(input.shape.as_tuple())
    dims[batch_dim] = batch
    return [TensorSpec(T, TensorShape(dims))]


REVERSE_SEQUENCE = register_op(
    OpDef(
        "ReverseSequence",
        ("input: T", "seq_lengths: Tlen"),
        ("output: T",),
        ("seq_dim: int", "batch_dim: int = 0", "T: type", "Tlen: {int32, int64} = DT_INT64"),
        _reverse_sequence_shape,
    )
)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None) -> Tensor:
    """``input`` with the first ``seq_lengths[i]`` entries along ``seq_axis`` of each
    batch entry ``i`` (along ``batch_axis``, default 0) reversed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = [[1, 2, 3, 4], [5, 6, 7, 8]]
    ...     y = reverse_sequence(x, [2, 3], seq_axis=1, batch_axis=0)
    ...     print(tf.compat.v1.Session().run(y).tolist())
    [[2, 1, 3, 4], [7, 6, 5, 8]]
    """
    return build(
        REVERSE_SEQUENCE,
        [input, seq_lengths],
        name,
        seq_dim=seq_axis,
        batch_dim=0 if batch_axis is None else batch_axis,
    ).outputs[0]


def reverse_sequence_v1(
    input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None, batch_dim=None
) -> Tensor:
    """TF1's :func:`reverse_sequence`: ``seq_dim``/``batch_dim`` are the old names."""
    seq_axis = deprecated_argument_lookup("seq_axis", seq_axis, "seq_dim", seq_dim)
    batch_axis = deprecated_argument_lookup("batch_axis", batch_axis, "batch_dim", batch_dim)
    return reverse_sequence(input, seq_lengths, seq_axis, batch_axis, name)


def _roll_shape(input: TensorSpec, shift: TensorSpec, axis: TensorSpec, *, T, Tshift, Taxis):
    for spec, what in ((shift, "shift"), (axis, "axis")):
        if spec.shape.rank is not None and spec.shape.rank > 1:
            raise ValueError(f"{what} must be rank 0 or rank 1, got rank {spec.shape.rank}")
    with_rank_at_least(input.shape, 1)
    if shift.shape.rank == 1 and axis.shape.rank == 1:
        merge_shapes(shift.shape, axis.shape)
    return [TensorSpec(T, input.shape)]


ROLL = register_op(
    OpDef(
        "Roll",
        ("input: T", "shift: Tshift", "axis: Taxis"),
        ("output: T",),
        ("T: type", f"Tshift: {_INDEX}", f"Taxis: {_INDEX}"),
        _roll_shape,
    )
)


def roll(input, shift, axis, name=None) -> Tensor:
    """``input`` shifted cyclically by ``shift`` along ``axis`` (both may be lists; a
    repeated axis adds its shifts).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(roll([0, 1, 2, 3, 4], 2, 0)).tolist())
    [3, 4, 0, 1, 2]
    """
    return build(ROLL, [input, shift, axis], name).outputs[0]
