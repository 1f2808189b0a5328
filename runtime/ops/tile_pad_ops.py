"""Growing tensors by repetition and borders: ``tile``, ``repeat`` and ``pad``
(constant, reflect, symmetric)."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .concat_ops import concat
from .constant_value import constant_value, known_shape, known_value
from .core import convert_to_tensor
from .fill_ops import sequence_mask
from .packing import build, has_tensor
from .shape_ops import broadcast_to, expand_dims, reshape, shape
from .shape_util import canonical_axis, merge_dim, with_rank
from .slicing_ops import boolean_mask

__all__ = ["pad", "repeat", "tile"]

_INDEX = "{int32, int64} = DT_INT32"


def _tile_shape(input: TensorSpec, multiples: TensorSpec, *, T, Tmultiples):
    with_rank(multiples.shape, 1)
    count = multiples.shape.dim_value(0)
    shape = input.shape
    if count is not None and shape.rank is not None and shape.rank != count:
        raise ValueError(f"Shape must be rank {shape.rank} but is rank {count}")
    shape = shape if count is None else with_rank(shape, count)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    factors = known_shape(multiples)
    factors = factors.as_tuple() if factors.rank is not None else (None,) * shape.rank
    dims = [None if d is None or m is None else d * m for d, m in zip(shape.as_tuple(), factors)]
    return [TensorSpec(T, TensorShape(dims))]


TILE = register_op(
    OpDef(
        "Tile",
        ("input: T", "multiples: Tmultiples"),
        ("output: T",),
        ("T: type", f"Tmultiples: {_INDEX}"),
        _tile_shape,
    )
)


def tile(input, multiples, name=None) -> Tensor:
    """``input`` repeated ``multiples[i]`` times along each dimension ``i``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tile(tf.zeros([2, 3]), [2, 1]).shape)
    (4, 3)
    """
    return build(TILE, [input, multiples], name).outputs[0]


def _stacked_row_totals(paddings: TensorSpec, rank: int) -> list:
    """``before + after`` of each row of stacked ``paddings`` whose values are known
    (``None`` for the others), as TF's ``tf.pad`` restores them: ``x`` of shape
    ``[None, 4]`` padded by ``[[0, n], [0, 0]]`` is ``[None, 4]``."""
    tensor = getattr(paddings, "_tensor", None)
    if tensor is None or tensor.op.type != "Pack" or len(tensor.op.inputs) != rank:
        return [None] * rank
    if tensor.op.get_attr("axis") != 0:
        return [None] * rank
    rows = [constant_value(row) for row in tensor.op.inputs]
    return [None if row is None else int(row.sum()) for row in rows]


def _padded_dims(input: TensorSpec, paddings: TensorSpec, shrink: bool = False):
    with_rank(paddings.shape, 2)
    merge_dim(paddings.shape.dim_value(1), 2)
    count = paddings.shape.dim_value(0)
    shape = input.shape if count is None else with_rank(input.shape, count)
    if shape.rank is None:
        return TensorShape(None)
    value = known_value(paddings)
    if value is None and shrink:
        return TensorShape([None] * shape.rank)
    if value is None:
        totals = _stacked_row_totals(paddings, shape.rank)
        return TensorShape(
            [None if d is None or t is None else d + t for d, t in zip(shape.as_tuple(), totals)]
        )
    if (value < 0).any():
        raise ValueError(f"Paddings must be non-negative: {value.tolist()}")
    sign = -1 if shrink else 1
    return TensorShape(
        [
            None if d is None else d + sign * int(before + after)
            for d, (before, after) in zip(shape.as_tuple(), value)
        ]
    )


def _pad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings):
    return [TensorSpec(T, _padded_dims(input, paddings))]


def _pad_v2_shape(
    input: TensorSpec, paddings: TensorSpec, constant_values: TensorSpec, *, T, Tpaddings
):
    with_rank(constant_values.shape, 0)
    return [TensorSpec(T, _padded_dims(input, paddings))]


def _mirror_pad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings, mode):
    shape = _padded_dims(input, paddings)
    value = known_value(paddings)
    if value is not None and input.shape.rank is not None:
        limit_offset = 0 if mode == "SYMMETRIC" else 1
        for dim, (before, after) in zip(input.shape.as_tuple(), value.tolist()):
            if dim is not None and max(before, after) > dim - limit_offset:
                word = "not greater than" if limit_offset == 0 else "less than"
                raise ValueError(
                    f"paddings must be {word} the dimension size: {before}, {after} "
                    f"{'greater than' if limit_offset == 0 else 'not less than'} {dim}"
                )
    return [TensorSpec(T, shape)]


def _mirror_pad_grad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings, mode):
    return [TensorSpec(T, _padded_dims(input, paddings, shrink=True))]


_PAD_ATTRS = ("T: type", f"Tpaddings: {_INDEX}")
_MIRROR_ATTRS = (*_PAD_ATTRS, "mode: {'REFLECT', 'SYMMETRIC'}")
PAD = register_op(
    OpDef("Pad", ("input: T", "paddings: Tpaddings"), ("output: T",), _PAD_ATTRS, _pad_shape)
)
PAD_V2 = register_op(
    OpDef(
        "PadV2",
        ("input: T", "paddings: Tpaddings", "constant_values: T"),
        ("output: T",),
        _PAD_ATTRS,
        _pad_v2_shape,
    )
)
MIRROR_PAD = register_op(
    OpDef(
        "MirrorPad",
        ("input: T", "paddings: Tpaddings"),
        ("output: T",),
        _MIRROR_ATTRS,
        _mirror_pad_shape,
    )
)
MIRROR_PAD_GRAD = register_op(
    OpDef(
        "MirrorPadGrad",
        ("input: T", "paddings: Tpaddings"),
        ("output: T",),
        _MIRROR_ATTRS,
        _mirror_pad_grad_shape,
    )
)


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """``tensor`` padded by ``paddings[i] = [before, after]`` in each dimension ``i``;
    ``mode`` is ``"CONSTANT"`` (with ``constant_values``), ``"REFLECT"`` or ``"SYMMETRIC"``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = pad([1, 2, 3], [[2, 1]], "REFLECT")
    ...     print(p.op.type, tf.compat.v1.Session().run(p))
    MirrorPad [3 2 1 2 3 2]
    """
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(
            f'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". Received `mode` = {mode}'
        )
    if mode != "CONSTANT":
        return build(MIRROR_PAD, [tensor, paddings], name, mode=mode).outputs[0]
    if not has_tensor(constant_values) and np.all(np.asarray(constant_values) == 0):
        return build(PAD, [tensor, paddings], name).outputs[0]
    return build(PAD_V2, [tensor, paddings, constant_values], name).outputs[0]


def pad_v1(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) -> Tensor:
    """TF1's argument order of :func:`pad`."""
    return pad(tensor, paddings, mode, constant_values, name)


# -- repeat --------------------------------------------------------------------------------


def _tile_one_axis(data: Tensor, axis: int, multiple) -> Tensor:
    """``data`` tiled ``multiple`` times along ``axis`` only."""
    multiples = [1] * data.shape.rank
    multiples[axis] = multiple
    return tile(data, multiples)


def _with_axis(data: Tensor) -> Tensor:
    """``data``, a scalar made a vector of one."""
    if data.shape.rank is None:
        raise ValueError("tf.repeat needs the rank of its input known when it is built.")
    return reshape(data, [1]) if data.shape.rank == 0 else data


def repeat(input, repeats, axis=None, name=None) -> Tensor:
    """Each element (or slice along ``axis``) of ``input`` repeated ``repeats`` times:
    a count per slice, or one for all; no ``axis`` repeats the flattened elements.

    Built as TF builds it (a ``sequence_mask`` of the counts picking from a tiled
    copy), so its gradient is TF's too.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = repeat([[1, 2], [3, 4]], [2, 1], axis=0)
    ...     print(tf.compat.v1.Session().run(r).tolist())
    [[1, 2], [1, 2], [3, 4]]
    """
    if axis is None:
        input, axis = reshape(input, [-1]), 0
    if not isinstance(axis, int):
        raise TypeError(
            f"Argument `axis` must be an int. Received `axis` = {axis} of type "
            f"{type(axis).__name__}"
        )
    with name_scope(name, "Repeat", [input, repeats]):
        data = _with_axis(convert_to_tensor(input, name="data"))
        repeats = convert_to_tensor(repeats, name="repeats")
        if not repeats.dtype.is_integer:
            raise TypeError(f"repeats must be an integer tensor, got {repeats.dtype.name}")
        repeats = math_ops.cast(repeats, dtypes.int32)
        if (repeats.shape.rank or 0) > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {repeats.shape.rank}")
        data_shape = shape(data, out_type=repeats.dtype)
        axis = canonical_axis(axis, data.shape.rank, "axis")
        # Counts known now give the static size TF's shape inference computes from them.
        known = constant_value(repeats)
        if repeats.shape.num_elements() == 1:
            count = reshape(repeats, []) if known is None else int(np.reshape(known, []))
            tiled = _tile_one_axis(expand_dims(data, axis + 1), axis + 1, count)
            dims = [data_shape[:axis], [count * data_shape[axis]], data_shape[axis + 1 :]]
            return reshape(tiled, concat(dims, 0))
        size = data.shape.dim_value(axis)
        counted = repeats.shape.dim_value(0) if repeats.shape.rank else None
        if None not in (size, counted) and size != counted:
            raise ValueError(f"Dimensions {size} and {counted} are not compatible")
        counts = broadcast_to(repeats, [data_shape[axis]])
        per_slice = counts
        if axis > 0:  # one count per slice through the axes up to ``axis``
            per_slice = broadcast_to(counts, concat([data_shape[:axis], shape(counts)], 0))
            per_slice.set_shape([None] * (axis + 1))
        most = math_ops.maximum(0, math_ops.reduce_max(per_slice))
        mask = sequence_mask(per_slice, most)
        tiled = _tile_one_axis(expand_dims(data, axis + 1), axis + 1, most)
        result = boolean_mask(tiled, mask)
        if axis > 0:
            if known is not None and size is not None:
                total = int(np.sum(np.broadcast_to(known, [size])))
            else:
                total = math_ops.reduce_sum(counts)
            result = reshape(
                result, concat([data_shape[:axis], [total], data_shape[axis + 1 :]], 0)
            )
        new_size = 0 if counts.shape.dim_value(0) == 0 else None
        result.set_shape(
            data.shape[:axis].concatenate([new_size]).concatenate(data.shape[axis + 1 :])
        )
        return result
