"""Kernels moving blocks between space, depth and batch: ``SpaceToDepth``,
``DepthToSpace``, ``SpaceToBatchND``, ``BatchToSpaceND`` and TF1's square-block forms.

Each is a reshape, a transpose and a reshape: a spatial size ``s`` becomes
``(s / block, block)`` and the ``block`` axes move next to depth (or in front of the
batch), in TF's order.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text


def _channels_last(x, data_format: str):
    if data_format == "NCHW_VECT_C":
        fail("NCHW_VECT_C data format is only supported for qint8 on GPU")
    if x.ndim != 4:
        fail(f"Input rank should be: 4 instead of: {x.ndim}")
    return np.transpose(x, (0, 2, 3, 1)) if data_format == "NCHW" else x


def _restore(y, data_format: str):
    return np.ascontiguousarray(np.transpose(y, (0, 3, 1, 2)) if data_format == "NCHW" else y)


@register_kernel("SpaceToDepth")
def space_to_depth(x, *, T, block_size, data_format):
    image = _channels_last(x, data_format)
    b, h, w, c = image.shape
    if h % block_size or w % block_size:
        fail(f"Image width {w} and height {h} should be divisible by block_size: {block_size}")
    blocks = image.reshape(b, h // block_size, block_size, w // block_size, block_size, c)
    out = blocks.transpose(0, 1, 3, 2, 4, 5).reshape(
        b, h // block_size, w // block_size, block_size * block_size * c
    )
    return (_restore(out, data_format),)


@register_kernel("DepthToSpace")
def depth_to_space(x, *, T, block_size, data_format):
    image = _channels_last(x, data_format)
    b, h, w, c = image.shape
    square = block_size * block_size
    if c % square:
        fail(f"Input depth dimension {c} should be divisible by: {square}")
    blocks = image.reshape(b, h, w, block_size, block_size, c // square)
    out = blocks.transpose(0, 1, 3, 2, 4, 5).reshape(b, h * block_size, w * block_size, c // square)
    return (_restore(out, data_format),)


def _blocks(x, block_shape, edges, what: str):
    blocks = [int(b) for b in np.asarray(block_shape).reshape(-1)]
    edges = np.asarray(edges)
    count = len(blocks)
    if edges.shape != (count, 2):
        fail(f"{what} should have shape [{count}, 2] instead of {shape_text(edges.shape)}")
    if x.ndim < count + 1:
        fail(f"input rank should be >= {count + 1} instead of {x.ndim}")
    if any(b < 1 for b in blocks):
        fail(f"All values in block_shape must be positive, got value, {min(blocks)} instead.")
    if (edges < 0).any():
        fail(f"All values in {what} must be non-negative, got {edges.tolist()}")
    return blocks, edges.tolist()


@register_kernel("SpaceToBatchND")
def space_to_batch_nd(x, block_shape, paddings, *, T, Tblock_shape, Tpaddings):
    blocks, pads = _blocks(x, block_shape, paddings, "paddings")
    count = len(blocks)
    padded = np.pad(x, [[0, 0], *pads] + [[0, 0]] * (x.ndim - count - 1)) if count else x
    batch, rest = x.shape[0], padded.shape[count + 1 :]
    for i, (size, block) in enumerate(zip(padded.shape[1 : count + 1], blocks)):
        if size % block:
            fail(f"padded_shape[{i}]={size} is not divisible by block_shape[{i}]={block}")
    split = [batch]
    for size, block in zip(padded.shape[1 : count + 1], blocks):
        split += [size // block, block]
    parts = padded.reshape(*split, *rest)
    # [batch, s0/b0, b0, s1/b1, b1, ...] -> [b0, b1, ..., batch, s0/b0, s1/b1, ..., rest]
    order = [2 + 2 * i for i in range(count)] + [0] + [1 + 2 * i for i in range(count)]
    order += list(range(1 + 2 * count, parts.ndim))
    out = parts.transpose(order).reshape(
        batch * int(np.prod(blocks)),
        *(s // b for s, b in zip(padded.shape[1 : count + 1], blocks)),
        *rest,
    )
    return (np.ascontiguousarray(out),)


@register_kernel("BatchToSpaceND")
def batch_to_space_nd(x, block_shape, crops, *, T, Tblock_shape, Tcrops):
    blocks, cuts = _blocks(x, block_shape, crops, "crops")
    count = len(blocks)
    product = int(np.prod(blocks))
    if x.shape[0] % product:
        fail(
            f"Input batch dimension ({x.shape[0]}) is not divisible by product of block sizes "
            f"({product})"
        )
    batch = x.shape[0] // product
    spatial, rest = x.shape[1 : count + 1], x.shape[count + 1 :]
    parts = x.reshape(*blocks, batch, *spatial, *rest)
    # [b0, b1, ..., batch, s0, s1, ..., rest] -> [batch, s0, b0, s1, b1, ..., rest]
    order = [count]
    for i in range(count):
        order += [count + 1 + i, i]
    order += list(range(2 * count + 1, parts.ndim))
    full = parts.transpose(order).reshape(batch, *(s * b for s, b in zip(spatial, blocks)), *rest)
    index = [slice(None)]
    for i, (size, (before, after)) in enumerate(zip(full.shape[1 : count + 1], cuts)):
        if before + after > size:
            fail(
                f"Crops must be smaller than the output dimension {i}: {before} + {after} > {size}"
            )
        index.append(slice(before, size - after))
    return (np.ascontiguousarray(full[tuple(index)]),)


@register_kernel("SpaceToBatch")
def space_to_batch(x, paddings, *, T, Tpaddings, block_size):
    return space_to_batch_nd(
        x, np.array([block_size] * 2), paddings, T=T, Tblock_shape=None, Tpaddings=Tpaddings
    )


@register_kernel("BatchToSpace")
def batch_to_space(x, crops, *, T, block_size, Tidx):
    return batch_to_space_nd(
        x, np.array([block_size] * 2), crops, T=T, Tblock_shape=None, Tcrops=Tidx
    )


# -- patches -------------------------------------------------------------------------------


def patch_geometry(size: int, ksize: int, stride: int, rate: int, padding: str) -> tuple:
    """``(output size, padding before)`` of one spatial axis, as TF's windowed ops:
    the window spans ``ksize + (ksize - 1) * (rate - 1)`` inputs."""
    span = ksize + (ksize - 1) * (rate - 1)
    if padding == "VALID":
        return max(0, -(-(size - span + 1) // stride)), 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + span - size, 0) // 2


def _patches(x, ksizes, strides, rates, padding: str) -> np.ndarray:
    """Every window of ``x`` (``[batch, *spatial, depth]``), flattened into the depth:
    ``[batch, *out_spatial, prod(ksizes) * depth]``, outside the input zeros."""
    spatial = x.shape[1:-1]
    grids = []
    for axis, size in enumerate(spatial):
        k, s, r = ksizes[axis + 1], strides[axis + 1], rates[axis + 1]
        out, before = patch_geometry(size, k, s, r, padding)
        # The input index each (output position, kernel tap) reads; -1 is outside.
        index = np.arange(out)[:, None] * s - before + np.arange(k)[None, :] * r
        grids.append(np.where((index >= 0) & (index < size), index, -1))
    padded = np.pad(x, [(0, 0)] + [(0, 1)] * len(spatial) + [(0, 0)])  # index -1: the zero row
    # Broadcast to [out_0, k_0, out_1, k_1, ...] and read the windows at once.
    rank = len(grids)
    expanded = [
        g.reshape([1] * (2 * i) + list(g.shape) + [1] * (2 * (rank - i - 1)))
        for i, g in enumerate(grids)
    ]
    windows = padded[(slice(None), *expanded)]  # [batch, out_0, k_0, out_1, k_1, ..., depth]
    order = [0, *range(1, 2 * rank, 2), *range(2, 2 * rank + 1, 2), 2 * rank + 1]
    windows = windows.transpose(order)
    shape = windows.shape
    return np.ascontiguousarray(windows).reshape(*shape[: rank + 1], -1)


def _check_window_attrs(x, rank: int, ksizes, strides, rates, what: str) -> None:
    if x.ndim != rank:
        fail(f"input must be {rank}-dimensional{shape_text(x.shape)}")
    for name, values in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(values) != rank or values[0] != 1 or values[-1] != 1:
            fail(f"{what} only supports {name} across spatial dimensions, got {list(values)}")


@register_kernel("ExtractImagePatches")
def extract_image_patches(images, *, ksizes, strides, rates, T, padding):
    _check_window_attrs(images, 4, ksizes, strides, rates, "ExtractImagePatches")
    return (_patches(images, ksizes, strides, rates, padding),)


@register_kernel("ExtractVolumePatches")
def extract_volume_patches(input, *, ksizes, strides, T, padding):
    _check_window_attrs(input, 5, ksizes, strides, [1] * 5, "ExtractVolumePatches")
    return (_patches(input, ksizes, strides, [1] * 5, padding),)
