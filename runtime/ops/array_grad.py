"""Gradients of the array ops, as TF builds them (``tensorflow/python/ops/array_grad.py``).

The gradient of a gather along axis 0 is an :class:`~runtime.indexed_slices.IndexedSlices`
(only the rows looked up); every other gradient here is a tensor.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..indexed_slices import IndexedSlices, densify_quietly
from ..registry import not_differentiable, register_gradient
from . import math_ops
from .concat_ops import concat, split, stack, unstack
from .constant_value import constant_value
from .fill_ops import ones, zeros_like
from .gather_scatter_ops import (
    gather,
    gather_nd,
    scatter_nd,
    tensor_scatter_nd_update,
)
from .layout_ops import (
    batch_to_space_nd,
    batch_to_space_v1,
    depth_to_space,
    space_to_batch_nd,
    space_to_batch_v1,
    space_to_depth,
)
from .nn_util import apply_like
from .shape_ops import expand_dims, invert_permutation, rank, reshape, shape, size, transpose
from .slicing_ops import (
    _MASKS,
    STRIDED_SLICE_GRAD,
    reverse,
    reverse_sequence,
    roll,
    slice,
    strided_slice,
)
from .tile_pad_ops import MIRROR_PAD_GRAD, pad


def _reshape_to_input(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


register_gradient("Reshape")(_reshape_to_input)
register_gradient("ExpandDims")(_reshape_to_input)
register_gradient("Squeeze")(lambda op, grad: [reshape(grad, shape(op.inputs[0]))])
register_gradient("Identity")(lambda op, grad: [grad])
register_gradient("IdentityN")(lambda op, *grads: list(grads))
register_gradient("PlaceholderWithDefault")(lambda op, grad: [grad])
register_gradient("ReverseV2")(lambda op, grad: [reverse(grad, op.inputs[1]), None])
register_gradient("Roll")(
    lambda op, grad: [roll(grad, math_ops.negative(op.inputs[1]), op.inputs[2]), None, None]
)
register_gradient("ReverseSequence")(
    lambda op, grad: [
        reverse_sequence(
            grad,
            op.inputs[1],
            seq_axis=op.get_attr("seq_dim"),
            batch_axis=op.get_attr("batch_dim"),
        ),
        None,
    ]
)


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    perm = op.inputs[1]
    value = constant_value(perm)
    inverse = (
        np.argsort(value).astype(value.dtype) if value is not None else invert_permutation(perm)
    )
    return [transpose(grad, inverse), None]


# -- concat, stack, split ----------------------------------------------------------------


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    *values, axis = op.inputs
    axis_value = constant_value(axis)
    if axis_value is not None and all(v.shape.rank is not None for v in values):
        sizes = [v.shape.dim_value(int(axis_value) % v.shape.rank) for v in values]
        if None not in sizes:
            return [*split(grad, sizes, axis), None]
    sizes = [gather(shape(v), math_ops.floormod(axis, rank(v))) for v in values]
    return [*split(grad, stack(sizes), axis, num=len(values)), None]


register_gradient("Pack")(
    lambda op, grad: unstack(grad, num=op.get_attr("N"), axis=op.get_attr("axis"))
)
register_gradient("Unpack")(lambda op, *grads: [stack(list(grads), axis=op.get_attr("axis"))])
register_gradient("Split")(lambda op, *grads: [None, concat(list(grads), op.inputs[0])])
register_gradient("SplitV")(lambda op, *grads: [concat(list(grads), op.inputs[2]), None, None])


# -- slicing -----------------------------------------------------------------------------


@register_gradient("Slice")
def _slice_grad(op, grad):
    x, begin, _ = op.inputs
    before = reshape(begin, [-1, 1])
    after = reshape(
        math_ops.subtract(
            math_ops.subtract(shape(x, out_type=begin.dtype), shape(grad, out_type=begin.dtype)),
            begin,
        ),
        [-1, 1],
    )
    return [pad(grad, concat([before, after], 1)), None, None]


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    begin, end, strides = op.inputs[1:]
    masks = {key: op.get_attr(key) for key in _MASKS}
    dx = apply_like(
        STRIDED_SLICE_GRAD,
        [shape(op.inputs[0], out_type=begin.dtype), begin, end, strides, grad],
        op,
        **masks,
    )
    return [dx, None, None, None]


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    masks = {key: op.get_attr(key) for key in _MASKS}
    return [None, None, None, None, strided_slice(grad, *op.inputs[1:4], **masks)]


# -- gather and scatter ------------------------------------------------------------------


@register_gradient("GatherV2")
def _gather_grad(op, grad):
    """Axis 0: the rows looked up, as ``IndexedSlices``. Another axis: moved to the front
    (after the batch dimensions), summed per index, moved back (TF's ``_GatherV2Grad``)."""
    params, indices, axis = op.inputs
    params_shape = shape(params)
    indices_size = expand_dims(size(indices), 0)
    batch_dims = op.get_attr("batch_dims")
    if batch_dims < 0:
        if indices.shape.rank is None:
            raise ValueError(
                "Currently, it is unsupported to take the gradient of tf.gather when "
                "batch_dims < 0 and the rank of the indices is unknown."
            )
        batch_dims += indices.shape.rank
    if constant_value(axis) == 0:
        values_shape = concat([indices_size, params_shape[1:]], 0)
        values = reshape(densify_quietly(grad), values_shape)
        return [IndexedSlices(values, reshape(indices, indices_size), params_shape), None, None]
    outer_shape = params_shape[:axis]
    inner_shape = params_shape[axis:][1:]
    values_shape = concat([outer_shape, [-1], inner_shape], 0)
    values_dims = size(values_shape)
    axis_dims = size(outer_shape)
    outer_batches = math_ops.range(batch_dims)
    batch_axes = math_ops.range(batch_dims, axis_dims)
    inner_axes = math_ops.range(axis_dims + 1, values_dims)
    values = reshape(densify_quietly(grad), values_shape)
    to_front = concat([outer_batches, [axis_dims], batch_axes, inner_axes], 0)
    params_grad = _batch_gather_grad(
        gather(params_shape, to_front),
        transpose(values, to_front),
        indices,
        batch_dims,
        params_shape[axis],
    )
    back = concat([outer_batches, batch_axes + 1, [batch_dims], inner_axes], 0)
    params_grad = transpose(params_grad, back)
    return [reshape(params_grad, shape(params)), None, None]


def _batch_gather_grad(params_shape, values, indices, batch_dims: int, gather_dim_size):
    """The gradient of a gather along the first non-batch axis: each batch entry's
    indices offset into one flat axis, then summed per index."""
    indices_size = expand_dims(size(indices), 0)
    if batch_dims:
        values_shape = shape(values)
        outer_shape = values_shape[:batch_dims]
        inner_shape = values_shape[batch_dims:][1:]
        batch_size = math_ops.reduce_prod(outer_shape, [0])
        flat_values_shape = concat([[-1], inner_shape], 0)
        gather_dim_size = gather_dim_size * batch_size
        indices = _batch_indices(params_shape, indices, batch_dims)
        values = reshape(values, flat_values_shape)
    indices = reshape(indices, indices_size)
    params_grad = math_ops.unsorted_segment_sum(values, indices, gather_dim_size)
    if batch_dims:
        params_grad = reshape(params_grad, concat([outer_shape, flat_values_shape], 0))
    return params_grad


def _batch_indices(params_shape, indices, batch_dims: int):
    """``indices`` plus each batch entry's offset into the flattened batch and gather axes."""
    dtype = indices.dtype.base_dtype
    dims = math_ops.cast(params_shape, dtype)
    stride = math_ops.cast(1, dtype)
    for dim in range(batch_dims, 0, -1):
        dim_value = dims[dim - 1]
        stride = stride * dims[dim]
        offsets = (
            math_ops.range(math_ops.cast(0, dtype), dim_value, math_ops.cast(1, dtype)) * stride
        )
        offsets_shape = concat(
            [
                np.ones(dim - 1, np.int32),
                expand_dims(math_ops.cast(dim_value, dtypes.int32), 0),
                ones(expand_dims(rank(indices) - dim, 0), dtype=dtypes.int32),
            ],
            0,
        )
        indices = indices + reshape(offsets, offsets_shape)
    return indices


register_gradient("GatherNd")(
    lambda op, grad: [
        scatter_nd(op.inputs[1], grad, shape(op.inputs[0], out_type=op.inputs[1].dtype)),
        None,
    ]
)
register_gradient("ScatterNd")(lambda op, grad: [None, gather_nd(grad, op.inputs[0]), None])
register_gradient("TensorScatterUpdate")(
    lambda op, grad: [
        tensor_scatter_nd_update(grad, op.inputs[1], zeros_like(op.inputs[2])),
        None,
        gather_nd(grad, op.inputs[1]),
    ]
)
register_gradient("TensorScatterAdd")(lambda op, grad: [grad, None, gather_nd(grad, op.inputs[1])])
register_gradient("TensorScatterSub")(
    lambda op, grad: [grad, None, math_ops.negative(gather_nd(grad, op.inputs[1]))]
)


@register_gradient("TensorScatterMax")
@register_gradient("TensorScatterMin")
def _tensor_scatter_extremum_grad(op, grad):
    # The gradient goes to whichever of the tensor and the updates the output took,
    # shared equally among ties.
    x, indices, updates = op.inputs
    output = op.outputs[0]
    x_picked = math_ops.cast(math_ops.equal(x, output), grad.dtype)
    updates_picked = math_ops.cast(math_ops.equal(updates, gather_nd(output, indices)), grad.dtype)
    picks = x_picked + scatter_nd(indices, updates_picked, shape(x, out_type=indices.dtype))
    return [
        grad * x_picked / picks,
        None,
        gather_nd(grad / picks, indices) * updates_picked,
    ]


register_gradient("EnsureShape")(lambda op, grad: [grad])


# -- tile, pad, fill, broadcast ----------------------------------------------------------


@register_gradient("Tile")
def _tile_grad(op, grad):
    # Reshape to [m0, d0, m1, d1, ...] and sum over the copies (the even axes).
    x, multiples = op.inputs
    input_shape = shape(x, out_type=multiples.dtype)
    split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
    axes = math_ops.range(0, size(split_shape), 2)
    summed = math_ops.reduce_sum(reshape(grad, split_shape), axes)
    if x.shape.is_fully_defined():
        summed = reshape(summed, x.shape.as_list())
    return [summed, None]


def _pad_grad(op, grad):
    x, paddings = op.inputs[:2]
    begin = reshape(slice(paddings, [0, 0], stack([rank(x), 1])), [-1])
    return [slice(grad, begin, shape(x, out_type=paddings.dtype)), None] + [None] * (
        len(op.inputs) - 2
    )


register_gradient("Pad")(_pad_grad)
register_gradient("PadV2")(_pad_grad)
register_gradient("MirrorPad")(
    lambda op, grad: [apply_like(MIRROR_PAD_GRAD, [grad, op.inputs[1]], op), None]
)
register_gradient("MirrorPadGrad")(
    lambda op, grad: [pad(grad, op.inputs[1], op.get_attr("mode")), None]
)
register_gradient("Fill")(lambda op, grad: [None, math_ops.reduce_sum(grad)])
register_gradient("BroadcastTo")(
    lambda op, grad: [math_ops.reduce_to_shape(grad, op.inputs[0]), None]
)


# -- space, depth and batch --------------------------------------------------------------


def _block_attrs(op) -> dict:
    return {"block_size": op.get_attr("block_size"), "data_format": op.get_attr("data_format")}


register_gradient("SpaceToDepth")(lambda op, grad: [depth_to_space(grad, **_block_attrs(op))])
register_gradient("DepthToSpace")(lambda op, grad: [space_to_depth(grad, **_block_attrs(op))])
register_gradient("SpaceToBatchND")(
    lambda op, grad: [batch_to_space_nd(grad, op.inputs[1], op.inputs[2]), None, None]
)
register_gradient("BatchToSpaceND")(
    lambda op, grad: [space_to_batch_nd(grad, op.inputs[1], op.inputs[2]), None, None]
)
register_gradient("SpaceToBatch")(
    lambda op, grad: [batch_to_space_v1(grad, op.inputs[1], op.get_attr("block_size")), None]
)
register_gradient("BatchToSpace")(
    lambda op, grad: [space_to_batch_v1(grad, op.inputs[1], op.get_attr("block_size")), None]
)


for _op_type in (
    "Shape",
    "ShapeN",
    "Size",
    "Rank",
    "ZerosLike",
    "OnesLike",
    "OneHot",
    "StopGradient",
    "InvertPermutation",
    "BroadcastGradientArgs",
    # TF1 variable updates (TF's state_grad.py)
    "ScatterAdd",
    "ScatterSub",
    "ScatterMul",
    "ScatterDiv",
    "ScatterNdUpdate",
    "ScatterNdAdd",
    "ScatterNdSub",
):
    not_differentiable(_op_type)


# -- patches -------------------------------------------------------------------------------


def _patches_grad(op, grad):
    # Run the op on a map of input positions to learn which element each output copies
    # (0: padding), then add the gradient up by position.
    x = op.inputs[0]
    rank = x.shape.rank
    dims = shape(x, out_type=dtypes.int64)
    spatial = dims[1:-1]
    count = math_ops.reduce_prod(spatial)
    positions = reshape(
        math_ops.range(1, count + 1, dtype=dtypes.int64), concat([[1], spatial, [1]], 0)
    )
    copied = apply_like(op.op_def, [positions], op, T=dtypes.int64)
    taps = int(np.prod(op.get_attr("ksizes")))
    batch, depth = dims[0], dims[-1]
    out_spatial = shape(grad, out_type=dtypes.int64)[1:-1]
    # [batch, *out, taps, depth] -> [*out, taps, batch, depth] -> [-1, batch * depth]; the
    # map's [1, *out, taps] flattens in the same order.
    pieces = reshape(grad, concat([[batch], out_spatial, [taps, depth]], 0))
    moved = transpose(pieces, [*range(1, rank), 0, rank])
    flat = reshape(moved, stack([-1, batch * depth]))
    summed = math_ops.unsorted_segment_sum(flat, reshape(copied, [-1]) - 1, count)
    back = reshape(summed, concat([spatial, [batch, depth]], 0))
    return [transpose(back, [rank - 2, *range(rank - 2), rank - 1])]


register_gradient("ExtractImagePatches")(_patches_grad)
register_gradient("ExtractVolumePatches")(_patches_grad)
