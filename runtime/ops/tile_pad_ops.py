"""Growing tensors by repetition and borders: ``tile`` and ``pad`` (constant, reflect,
symmetric)."""

from __future__ import annotations

import numpy as np

from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .constant_value import known_shape, known_value
from .packing import build, has_tensor
from .shape_util import merge_dim, with_rank

__all__ = ["pad", "tile"]

_INDEX = "{int32, int64} = DT_INT32"


def _tile_shape(input: TensorSpec, multiples: TensorSpec, *, T, Tmultiples):
    with_rank(multiples.shape, 1)
    count = multiples.shape[0]
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


def _padded_dims(input: TensorSpec, paddings: TensorSpec, shrink: bool = False):
    with_rank(paddings.shape, 2)
    merge_dim(paddings.shape[1], 2)
    count = paddings.shape[0]
    shape = input.shape if count is None else with_rank(input.shape, count)
    if shape.rank is None:
        return TensorShape(None)
    value = known_value(paddings)
    if value is None:
        return TensorShape([None] * shape.rank)
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
