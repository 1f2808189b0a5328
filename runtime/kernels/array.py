"""Kernels of array ops: constants, placeholders, identity and shape manipulation.

Kernels may return views of their inputs (reshape, transpose, slices): values are
never modified in place, and the session copies read-only results before handing
them out.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..dtypes import short_name
from ..errors import InvalidArgumentError
from ..registry import register_kernel
from .math import shape_text


@register_kernel("Const")
def const(*, value, dtype):
    # A read-only view: results derived from it (views included) are copied before a
    # fetch hands them out, so nobody can change the graph's constant.
    view = value.view()
    view.flags.writeable = False
    return (view,)


@register_kernel("Placeholder", context=True)
def placeholder(ctx, *, dtype, shape):
    # Reached only when the placeholder was not fed.
    shown = ""
    if shape is not None and shape.rank is not None:
        shown = f" and shape {shape_text(shape.as_tuple())}"
    raise InvalidArgumentError(
        None,
        None,
        f"You must feed a value for placeholder tensor '{ctx.op.name}' with dtype "
        f"{short_name(dtype)}{shown}",
    )


@register_kernel("PlaceholderWithDefault")
def placeholder_with_default(value, *, dtype, shape):
    return (value,)


@register_kernel("Identity")
def identity(x, *, T):
    return (x,)


@register_kernel("IdentityN")
def identity_n(*xs, T):
    return xs


# -- slicing specs (shared with the StridedSlice shape function) --------------------------------


class _Unknown:
    """A value shape inference does not know yet (in a slice spec)."""

    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = _Unknown()


def slice_index(
    begin,
    end,
    strides,
    *,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
) -> tuple:
    """A ``StridedSlice`` spec as a Python index: slices, ints, ``...`` and ``None``.

    Examples
    --------
    >>> slice_index([0, 1, 0], [0, 2, 0], [1, 1, 1], begin_mask=1, end_mask=1, new_axis_mask=4)
    (slice(None, None, 1), slice(1, 2, 1), None)
    """
    items = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            items.append(Ellipsis)
        elif new_axis_mask & bit:
            items.append(None)
        elif shrink_axis_mask & bit:
            items.append(b)
        else:
            if s is not UNKNOWN and s == 0:
                raise ValueError(f"strides[{i}] must be non-zero")
            items.append(slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return tuple(items)


def sliced_dims(dims: list, index: tuple) -> list:
    """The dims of ``x[index]`` for ``x`` of ``dims`` (``None`` = unknown), checked as TF does.

    Examples
    --------
    >>> sliced_dims([4, None, 3], (1, slice(None, None, 2), None))
    [None, 1, 3]
    >>> sliced_dims([2, 3], (5,))
    Traceback (most recent call last):
    ...
    ValueError: slice index 5 of dimension 0 out of bounds.
    """
    consumed = sum(1 for item in index if item is not None and item is not Ellipsis)
    if consumed > len(dims):
        raise ValueError(
            f"Index out of range using input dim {consumed - 1}; input has only {len(dims)} dims"
        )
    if Ellipsis not in index:
        index = (*index, Ellipsis)
    out, d = [], 0
    for item in index:
        if item is Ellipsis:
            covered = len(dims) - consumed
            out.extend(dims[d : d + covered])
            d += covered
        elif item is None:
            out.append(1)
        elif isinstance(item, slice):
            size = dims[d]
            d += 1
            known = size is not None and all(
                v is not UNKNOWN for v in (item.start, item.stop, item.step)
            )
            out.append(len(range(*item.indices(size))) if known else None)
        else:
            size = dims[d]
            if item is not UNKNOWN and size is not None and not -size <= item < size:
                raise ValueError(f"slice index {item} of dimension {d} out of bounds.")
            d += 1
    return out


def _strided_index(x_shape, begin, end, strides, masks) -> tuple:
    index = slice_index(begin.tolist(), end.tolist(), strides.tolist(), **masks)
    sliced_dims(list(x_shape), index)  # TF's bounds checks
    return index


@register_kernel("StridedSlice")
def strided_slice(x, begin, end, strides, *, T, Index, **masks):
    return (np.asarray(x[_strided_index(x.shape, begin, end, strides, masks)]),)


@register_kernel("StridedSliceGrad")
def strided_slice_grad(shape, begin, end, strides, dy, *, T, Index, **masks):
    out = np.zeros(tuple(shape.tolist()), dtype=dy.dtype)
    out[_strided_index(out.shape, begin, end, strides, masks)] = dy
    return (out,)


@register_kernel("Slice")
def slice_(x, begin, size, *, T, Index):
    index = []
    for i, (b, s, dim) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
        if not 0 <= b <= dim:
            raise InvalidArgumentError(
                None, None, f"Expected begin[{i}] in [0, {dim}], but got {b}"
            )
        s = dim - b if s == -1 else s
        if not 0 <= s <= dim - b:
            raise InvalidArgumentError(
                None, None, f"Expected size[{i}] in [0, {dim - b}], but got {s}"
            )
        index.append(slice(b, b + s))
    if len(index) != x.ndim:
        raise InvalidArgumentError(
            None,
            None,
            f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got shapes [{len(begin)}] and [{len(size)}] instead.",
        )
    return (x[tuple(index)],)


# -- reshaping ----------------------------------------------------------------------------------


def fail(text: str):
    """Raise TF's ``InvalidArgumentError`` with ``text`` (a kernel's bad input)."""
    raise InvalidArgumentError(None, None, text)


@register_kernel("Reshape")
def reshape(tensor, shape, *, T, Tshape):
    dims = [int(d) for d in np.asarray(shape).reshape(-1)]
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        fail(f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}")
    for i, d in enumerate(dims):
        if d < -1:
            fail(f"Size {i} must be non-negative, not {d}")
    known = math.prod(d for d in dims if d != -1)
    if unknown:
        if known == 0 or tensor.size % known:
            fail(
                f"Input to reshape is a tensor with {tensor.size} values, but the requested "
                f"shape requires a multiple of {known}"
            )
        dims[unknown[0]] = tensor.size // known
    elif known != tensor.size:
        fail(
            f"Input to reshape is a tensor with {tensor.size} values, but the requested shape "
            f"has {known}"
        )
    return (tensor.reshape(dims),)


def _check_permutation(perm, rank: int) -> list:
    perm = [int(p) for p in perm]
    if len(perm) != rank:
        fail(
            f"transpose expects a vector of size {rank}. But input(1) is a vector of size {len(perm)}"
        )
    for i in range(rank):
        if i not in perm:
            fail(f"{i} is missing from {{{','.join(map(str, perm))}}}.")
    return perm


@register_kernel("Transpose")
def transpose(x, perm, *, T, Tperm):
    return (np.transpose(x, _check_permutation(perm, x.ndim)),)


@register_kernel("InvertPermutation")
def invert_permutation(x, *, T):
    perm = _check_permutation(x, len(x))
    return (np.argsort(perm).astype(x.dtype),)


@register_kernel("ExpandDims")
def expand_dims(x, dim, *, T, Tdim):
    axis = int(np.asarray(dim).reshape(-1)[0])
    if not -x.ndim - 1 <= axis <= x.ndim:
        fail(f"Tried to expand dim index {axis} for tensor with {x.ndim} dimensions.")
    return (np.expand_dims(x, axis),)


@register_kernel("Squeeze")
def squeeze(x, *, T, squeeze_dims):
    if not squeeze_dims:
        return (np.squeeze(x),)
    axes = []
    for axis in squeeze_dims:
        if not -x.ndim <= axis < x.ndim:
            fail(f"Tried to squeeze dim index {axis} for tensor with {x.ndim} dimensions.")
        if x.shape[axis] != 1:
            fail(
                f"Can not squeeze dim[{axis % x.ndim}], expected a dimension of 1, got {x.shape[axis]}"
            )
        axes.append(axis % x.ndim)
    return (np.squeeze(x, axis=tuple(set(axes))),)


@register_kernel("ConcatOffset")
def concat_offset(concat_dim, *shapes, N, shape_type):
    rank = len(shapes[0])
    axis = int(concat_dim)
    if not -rank <= axis < rank:
        fail(f"Concat dim is out of range: {axis} vs. {rank}")
    axis %= rank
    offsets, position = [], 0
    for i, shape in enumerate(shapes):
        if len(shape) != rank:
            fail(f"input {i} should contain {rank} elements, but got {len(shape)}")
        for d in range(rank):
            if d != axis and shape[d] != shapes[0][d]:
                fail(
                    f"All dimensions except {axis} must match. Input {i} has shape "
                    f"{shape_text(shape)} and doesn't match input 0 with shape "
                    f"{shape_text(shapes[0])}."
                )
        offset = np.zeros(rank, dtype=shape.dtype)
        offset[axis] = position
        offsets.append(offset)
        position += int(shape[axis])
    return tuple(offsets)


@register_kernel("ConcatV2")
def concat_v2(*inputs, N, T, Tidx):
    *values, axis = inputs
    rank = values[0].ndim
    axis = int(axis)
    if not -rank <= axis < rank:
        fail(
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, {rank}), but got {axis}"
        )
    axis %= rank
    for i, value in enumerate(values[1:], 1):
        if value.ndim != rank:
            fail(
                f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                f"{shape_text(values[0].shape)} vs. shape[{i}] = {shape_text(value.shape)}"
            )
        for d in range(rank):
            if d != axis and value.shape[d] != values[0].shape[d]:
                fail(
                    f"ConcatOp : Dimension {d} in both shapes must be equal: shape[0] = "
                    f"{shape_text(values[0].shape)} vs. shape[{i}] = {shape_text(value.shape)}"
                )
    return (np.concatenate(values, axis=axis),)


@register_kernel("Pack")
def pack(*values, N, T, axis):
    for i, value in enumerate(values[1:], 1):
        if value.shape != values[0].shape:
            fail(
                f"Shapes of all inputs must match: values[0].shape = {shape_text(values[0].shape)} "
                f"!= values[{i}].shape = {shape_text(value.shape)}"
            )
    return (np.stack(values, axis=axis),)


@register_kernel("Unpack")
def unpack(value, *, num, T, axis):
    if value.shape[axis] != num:
        fail(f"Input shape axis {axis} must equal {num}, got shape {shape_text(value.shape)}")
    return tuple(np.moveaxis(value, axis, 0))


def _split_axis(value, split_dim) -> int:
    axis = int(split_dim)
    if not -value.ndim <= axis < value.ndim:
        fail(f"-input rank(-{value.ndim}) <= split_dim < input rank ({value.ndim}), but got {axis}")
    return axis


@register_kernel("Split")
def split(split_dim, value, *, T, num_split):
    axis = _split_axis(value, split_dim)
    size = value.shape[axis]
    if size % num_split:
        fail(
            "Number of ways to split should evenly divide the split dimension, but got "
            f"split_dim {axis % value.ndim} (size = {size}) and num_split {num_split}"
        )
    return _pieces(value, axis, [k * (size // num_split) for k in range(num_split + 1)])


def _pieces(value: np.ndarray, axis: int, bounds) -> tuple:
    """Views of ``value`` between consecutive ``bounds`` along ``axis``: plain slicing,
    several times quicker than ``np.split`` (an LSTM splits its gates every step)."""
    index = [slice(None)] * value.ndim
    pieces = []
    for start, stop in itertools.pairwise(bounds):
        index[axis] = slice(start, stop)
        pieces.append(value[tuple(index)])
    return tuple(pieces)


@register_kernel("SplitV")
def split_v(value, size_splits, split_dim, *, T, Tlen, num_split):
    axis = _split_axis(value, split_dim)
    size = value.shape[axis]
    sizes = [int(s) for s in size_splits]
    if len(sizes) != num_split:
        fail(f"Number of split sizes {len(sizes)} does not match num_split {num_split}")
    if sizes.count(-1) > 1:
        fail("There can only be one -1 in the input.")
    if -1 in sizes:
        sizes[sizes.index(-1)] = size - (sum(sizes) + 1)
    if sum(sizes) != size or min(sizes, default=0) < 0:
        fail(
            "Determined shape must either match input shape along split_dim exactly if fully "
            f"specified, or be less than the size of the input along split_dim if not fully "
            f"specified.  Got: {sum(sizes)}"
        )
    return _pieces(value, axis, itertools.accumulate(sizes, initial=0))


# -- gather and scatter -----------------------------------------------------------------------


def position_text(index) -> str:
    return ",".join(map(str, index))


def check_indices(indices, limit: int) -> None:
    """``InvalidArgumentError`` naming the first of ``indices`` outside ``[0, limit)``."""
    bad = np.argwhere((indices < 0) | (indices >= limit))
    if len(bad):
        where = tuple(bad[0])
        fail(f"indices[{position_text(where)}] = {indices[where]} is not in [0, {limit})")


@register_kernel("GatherV2")
def gather_v2(params, indices, axis, *, Tparams, Tindices, Taxis, batch_dims):
    axis = int(axis)
    if not -params.ndim <= axis < params.ndim:
        fail(f"Expected axis in the range [{-params.ndim}, {params.ndim}), but got {axis}")
    axis %= params.ndim
    if batch_dims < 0:
        batch_dims += indices.ndim
    check_indices(indices, params.shape[axis])
    if not batch_dims:
        return (np.take(params, indices, axis=axis),)
    batch = params.shape[:batch_dims]
    if indices.shape[:batch_dims] != batch:
        fail(
            f"params.shape[:{batch_dims}] = {shape_text(batch)} must equal "
            f"indices.shape[:{batch_dims}] = {shape_text(indices.shape[:batch_dims])}"
        )
    parts = [np.take(params[b], indices[b], axis=axis - batch_dims) for b in np.ndindex(*batch)]
    out_tail = parts[0].shape if parts else ()
    return (np.asarray(parts, dtype=params.dtype).reshape(batch + out_tail),)


def nd_index(indices, shape, what: str) -> tuple:
    """``indices`` (coordinates along its last axis) as a numpy index into ``shape``;
    ``InvalidArgumentError`` naming the first coordinate out of bounds."""
    depth = indices.shape[-1]
    flat = indices.reshape(-1, depth)
    limits = np.asarray(shape[:depth])
    bad = np.argwhere(((flat < 0) | (flat >= limits)).any(axis=1))
    if len(bad):
        row = int(bad[0][0])
        position = np.unravel_index(row, indices.shape[:-1])
        fail(
            f"indices[{position_text(position)}] = {shape_text(flat[row].tolist())} does not index "
            f"into {what} {shape_text(shape)}"
        )
    return tuple(np.moveaxis(indices, -1, 0))


@register_kernel("GatherNd")
def gather_nd(params, indices, *, Tparams, Tindices, bad_indices_policy):
    return (np.asarray(params[nd_index(indices, params.shape, "param shape")]),)


@register_kernel("UnsortedSegmentSum")
def unsorted_segment_sum(data, segment_ids, num_segments, *, T, Tindices, Tnumsegments):
    count = int(num_segments)
    bad = np.argwhere(segment_ids >= count)
    if len(bad):
        where = tuple(bad[0])
        fail(
            f"segment_ids[{position_text(where)}] = {segment_ids[where]} is out of range [0, {count})"
        )
    out = np.zeros((count, *data.shape[segment_ids.ndim :]), dtype=data.dtype)
    keep = segment_ids >= 0  # negative ids are dropped, as in TF
    np.add.at(out, segment_ids[keep], data[keep])
    return (out,)


# -- tile, pad, reverse, broadcast, fill ---------------------------------------------------------


@register_kernel("Tile")
def tile(x, multiples, *, T, Tmultiples):
    factors = [int(m) for m in multiples]
    if len(factors) != x.ndim:
        fail(
            f"Expected multiples argument to be a vector of length {x.ndim} but got length {len(factors)}"
        )
    for i, m in enumerate(factors):
        if m < 0:
            fail(f"Expected multiples[{i}] >= 0, but got {m}")
    return (np.tile(x, factors) if factors else x,)


def _paddings(x, paddings) -> list:
    if paddings.shape != (x.ndim, 2):
        fail(
            f"The first dimension of paddings must be the rank of inputs{shape_text(paddings.shape)} "
            f"{shape_text(x.shape)}"
        )
    if (paddings < 0).any():
        fail(f"Paddings must be non-negative: {' '.join(map(str, paddings.reshape(-1)))}")
    return paddings.tolist()


def pad_constant(x: np.ndarray, pads, fill) -> np.ndarray:
    """``x`` with ``pads[axis] = (before, after)`` cells of ``fill`` around it: the
    interior copied once and only the border filled (``np.pad`` took 1.5x as long on a
    112x112x96 image, MobileNetV2's largest pad). The Pad ops' kernel, and the window
    kernels' padding (:func:`.nn.windows.pad_spatial`).

    Examples
    --------
    >>> pad_constant(np.array([[1, 2]]), [[0, 1], [1, 0]], 0)
    array([[0, 1, 2],
           [0, 0, 0]])
    """
    out = np.empty([before + n + after for n, (before, after) in zip(x.shape, pads)], x.dtype)
    out[tuple(slice(before, before + n) for n, (before, _) in zip(x.shape, pads))] = x
    for axis, (before, after) in enumerate(pads):
        lead = (slice(None),) * axis
        if before:
            out[(*lead, slice(0, before))] = fill
        if after:
            out[(*lead, slice(out.shape[axis] - after, None))] = fill
    return out


@register_kernel("Pad")
def pad(x, paddings, *, T, Tpaddings):
    pads = _paddings(x, paddings)
    return (pad_constant(x, pads, 0) if pads else x,)


@register_kernel("PadV2")
def pad_v2(x, paddings, constant_values, *, T, Tpaddings):
    pads = _paddings(x, paddings)
    return (pad_constant(x, pads, constant_values) if pads else x,)


def _mirror_paddings(x, paddings, mode: str) -> list:
    pads = _paddings(x, paddings)
    offset = 0 if mode == "SYMMETRIC" else 1
    for (before, after), dim in zip(pads, x.shape):
        if max(before, after) > dim - offset:
            if offset:
                fail(
                    f"paddings must be less than the dimension size: {before}, {after} not less than {dim}"
                )
            fail(
                f"paddings must be no greater than the dimension size: {before}, {after} greater than {dim}"
            )
    return pads


@register_kernel("MirrorPad")
def mirror_pad(x, paddings, *, T, Tpaddings, mode):
    pads = _mirror_paddings(x, paddings, mode)
    return (np.pad(x, pads, mode=mode.lower()) if pads else x,)


@register_kernel("MirrorPadGrad")
def mirror_pad_grad(grad, paddings, *, T, Tpaddings, mode):
    # Fold each padded border back onto the elements it mirrored.
    offset = 0 if mode == "SYMMETRIC" else 1
    out = grad
    for axis, (before, after) in enumerate(paddings.tolist()):
        moved = np.moveaxis(out, axis, 0)
        size = moved.shape[0] - before - after
        core = moved[before : before + size].copy()
        for k in range(before):
            core[k + offset] += moved[before - 1 - k]
        for k in range(after):
            core[size - 1 - k - offset] += moved[before + size + k]
        out = np.moveaxis(core, 0, axis)
    return (np.ascontiguousarray(out),)


@register_kernel("ReverseV2")
def reverse_v2(tensor, axis, *, T, Tidx):
    axes = []
    for a in np.asarray(axis).reshape(-1).tolist():
        if not -tensor.ndim <= a < tensor.ndim:
            fail(f"'axis'[0] = {a} is out of valid range [0, {tensor.ndim - 1}")
        if a % tensor.ndim in axes:
            fail(f"axis {a % tensor.ndim} specified more than once.")
        axes.append(a % tensor.ndim)
    return (np.flip(tensor, tuple(axes)) if axes else tensor,)


@register_kernel("BroadcastTo")
def broadcast_to(x, shape, *, T, Tidx):
    try:
        return (np.broadcast_to(x, tuple(shape.tolist())),)
    except ValueError:
        fail(f"Incompatible shapes: {shape_text(x.shape)} vs. {shape_text(shape.tolist())}")


@register_kernel("BroadcastGradientArgs")
def broadcast_gradient_args(s0, s1, *, T):
    rank = max(len(s0), len(s1))
    a = [1] * (rank - len(s0)) + s0.tolist()
    b = [1] * (rank - len(s1)) + s1.tolist()
    r0, r1 = [], []
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y == 1:
            r0.append(i)
            r1.append(i)
        elif x == 1 and y != 1:
            r0.append(i)
        elif y == 1 and x != 1:
            r1.append(i)
        elif x != y:
            fail(f"Incompatible shapes: {shape_text(s0.tolist())} vs. {shape_text(s1.tolist())}")
    dtype = s0.dtype
    return (np.array(r0, dtype=dtype), np.array(r1, dtype=dtype))


@register_kernel("Fill")
def fill(dims, value, *, T, index_type):
    shape = tuple(int(d) for d in dims)
    if any(d < 0 for d in shape):
        fail(f"Fill dimensions must be >= 0: {list(shape)}")
    return (np.full(shape, value, dtype=np.asarray(value).dtype),)


@register_kernel("ZerosLike")
def zeros_like(x, *, T):
    return (np.zeros_like(x),)


@register_kernel("OnesLike")
def ones_like(x, *, T):
    return (np.ones_like(x),)


@register_kernel("OneHot")
def one_hot(indices, depth, on_value, off_value, *, T, TI, axis):
    depth = int(depth)
    if depth < 0:
        fail(f"depth must be non-negative, got: {depth}")
    hot = indices[..., None] == np.arange(depth)  # out-of-range indices: all off
    out = np.where(hot, on_value, off_value).astype(np.asarray(on_value).dtype)
    return (out if axis == -1 else np.moveaxis(out, -1, axis),)


# -- shapes --------------------------------------------------------------------------------------


@register_kernel("Shape")
def shape(x, *, T, out_type):
    return (np.array(np.shape(x), dtype=out_type.as_numpy_dtype),)


@register_kernel("ShapeN")
def shape_n(*xs, N, T, out_type):
    return tuple(np.array(np.shape(x), dtype=out_type.as_numpy_dtype) for x in xs)


@register_kernel("Size")
def size(x, *, T, out_type):
    return (np.array(np.size(x), dtype=out_type.as_numpy_dtype),)


@register_kernel("Rank")
def rank(x, *, T):
    return (np.array(np.ndim(x), dtype=np.int32),)


@register_kernel("StopGradient")
def stop_gradient(x, *, T):
    return (x,)


# -- reverse_sequence, roll -------------------------------------------------------------


@register_kernel("ReverseSequence")
def reverse_sequence(x, seq_lengths, *, seq_dim, batch_dim, T, Tlen):
    if batch_dim == seq_dim:
        fail(f"batch_dim == seq_dim == {seq_dim}")
    if seq_lengths.ndim != 1:
        fail(f"seq_lengths must be 1-dim, not {seq_lengths.ndim}")
    if seq_lengths.shape[0] != x.shape[batch_dim]:
        fail(
            f"Length of seq_lengths != input.dims({batch_dim}), ({seq_lengths.shape[0]} vs. "
            f"{x.shape[batch_dim]})"
        )
    out = np.array(x, copy=True)
    for b, length in enumerate(seq_lengths.tolist()):
        if length < 0:
            fail(f"seq_lens({b}) < 0")
        if length > x.shape[seq_dim]:
            fail(f"seq_lens({b}) > input.dims({seq_dim})")
        rows = [slice(None)] * x.ndim
        rows[batch_dim] = b
        rows[seq_dim] = slice(0, length)
        source = [slice(None)] * x.ndim
        source[batch_dim] = b
        source[seq_dim] = slice(length - 1, None, -1) if length else slice(0, 0)
        out[tuple(rows)] = x[tuple(source)]
    return (out,)


@register_kernel("Roll")
def roll(x, shift, axis, *, T, Tshift, Taxis):
    shifts, axes = np.reshape(shift, -1).tolist(), np.reshape(axis, -1).tolist()
    if x.ndim < 1:
        fail("input must be 1-D or higher")
    if np.ndim(shift) > 1:
        fail(f"shift must be a scalar or a 1-D vector. Found: {shape_text(np.shape(shift))}")
    if np.ndim(axis) > 1:
        fail(f"axis must be a scalar or a 1-D vector. Found: {shape_text(np.shape(axis))}")
    if len(shifts) != len(axes):
        fail(f"shift and axis must have the same size. Found: {len(shifts)} vs {len(axes)}")
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            fail(f"axis {a} is out of range")
    return (np.roll(x, shifts, axes) if shifts else x,)


# -- searching -------------------------------------------------------------------------


def _bounds(sorted_inputs, values, side: str, out_type):
    if sorted_inputs.ndim != 2 or values.ndim != 2:
        fail("Input sorted_inputs and values must be 2-D")
    if sorted_inputs.shape[0] != values.shape[0]:
        fail("Leading dim_size of both tensors must match.")
    out = np.empty(values.shape, dtype=out_type.as_numpy_dtype)
    for row in range(values.shape[0]):
        out[row] = np.searchsorted(sorted_inputs[row], values[row], side=side)
    return (out,)


@register_kernel("LowerBound")
def lower_bound(sorted_inputs, values, *, T, out_type):
    return _bounds(sorted_inputs, values, "left", out_type)


@register_kernel("UpperBound")
def upper_bound(sorted_inputs, values, *, T, out_type):
    return _bounds(sorted_inputs, values, "right", out_type)


@register_kernel("HistogramFixedWidth")
def histogram_fixed_width(values, value_range, nbins, *, T, dtype):
    count = int(nbins)
    low, high = value_range.tolist()
    if count <= 0:
        fail(f"nbins should be a positive number, but got '{count}'")
    if not low < high:
        fail(
            f"value_range should satisfy value_range[0] < value_range[1], but got '[{low}, {high}]'"
        )
    # As TF's kernel: the offset from the low edge in the values' type, the bin in double.
    offset = (np.maximum(values, value_range[0]) - value_range[0]).astype(np.float64)
    step = float(value_range[1] - value_range[0]) / count
    bins = np.minimum(offset / step, count - 1).astype(np.int64)
    return (np.bincount(bins.reshape(-1), minlength=count).astype(dtype.as_numpy_dtype),)


@register_kernel("ListDiff")
def list_diff(x, y, *, T, out_idx):
    if x.ndim != 1:
        fail("x should be a 1D vector.")
    if y.ndim != 1:
        fail("y should be a 1D vector.")
    keep = ~np.isin(x, y)
    return (x[keep], np.flatnonzero(keep).astype(out_idx.as_numpy_dtype))


@register_kernel("BroadcastArgs")
def broadcast_args(s0, s1, *, T):
    try:
        shape = np.broadcast_shapes(tuple(s0.tolist()), tuple(s1.tolist()))
    except ValueError:
        fail(f"Incompatible shapes: {shape_text(s0.tolist())} vs. {shape_text(s1.tolist())}")
    return (np.array(shape, dtype=s0.dtype),)


@register_kernel("UnravelIndex")
def unravel_index(indices, dims, *, Tidx):
    if indices.ndim > 1:
        fail(f"The indices can only be scalar or vector, got {shape_text(indices.shape)}")
    if dims.ndim != 1:
        fail(f"The indices can only be 1-D, got {shape_text(dims.shape)}")
    size = int(np.prod(dims))
    if ((indices < 0) | (indices >= size)).any():
        fail("index is out of bound as with dims")
    return (np.asarray(np.unravel_index(indices, tuple(dims.tolist())), dtype=indices.dtype),)


# -- bitcast, ensure_shape, guarantee_const ----------------------------------------------


@register_kernel("Bitcast")
def bitcast(input, *, T, type):
    x = np.ascontiguousarray(input)
    if T.size > type.size:
        return (x.view(type.as_numpy_dtype).reshape(*x.shape, T.size // type.size),)
    if T.size < type.size:
        if x.ndim == 0 or x.shape[-1] != type.size // T.size:
            fail(
                f"Cannot bitcast from {T.as_datatype_enum} to {type.as_datatype_enum}: shape "
                f"{shape_text(x.shape)}"
            )
        return (x.view(type.as_numpy_dtype).reshape(x.shape[:-1]),)
    return (x.view(type.as_numpy_dtype),)


@register_kernel("EnsureShape", context=True)
def ensure_shape(ctx, input, *, shape, T):
    if not shape.is_compatible_with(np.shape(input)):
        fail(
            f"Shape of tensor {ctx.op.inputs[0].op.name} {shape_text(np.shape(input))} is not "
            f"compatible with expected shape {shape_text(shape.as_list())}."
        )
    return (input,)


@register_kernel("GuaranteeConst")
def guarantee_const(input, *, T):
    return (input,)


@register_kernel("ParallelConcat")
def parallel_concat(*values, N, T, shape):
    piece = (1, *shape.as_tuple()[1:])
    for i, value in enumerate(values):
        if np.shape(value) != piece:
            fail(
                f"input {i} should have shape {shape_text(piece)} but has shape "
                f"{shape_text(np.shape(value))}"
            )
    return (np.concatenate(values, axis=0),)
