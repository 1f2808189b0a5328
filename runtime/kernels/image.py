"""Kernels of the image ops: resizing (bilinear, nearest neighbour, bicubic) and their
gradients, ``CropAndResize`` and its gradients, ``AdjustContrastv2``.

The arithmetic is TF's, in float32 as TF's kernels do it, so results agree to the last
bits: a source coordinate is ``x * scale`` (legacy) or ``(x + 0.5) * scale - 0.5``
(``half_pixel_centers``; nearest neighbour drops the ``- 0.5``), with
``scale = in / out``, or ``(in - 1) / (out - 1)`` under ``align_corners``. Bicubic uses
TF's table of Keys' cubic weights (``a = -0.75``, or ``-0.5`` with half-pixel centers,
where samples outside the image get no weight). Images are NHWC.
"""

from __future__ import annotations

import functools

import numpy as np

from ..errors import OutOfRangeError
from ..registry import register_kernel
from .array import fail
from .math import shape_text

_F32 = np.float32


def _check_resize(images, size, align_corners: bool, half_pixel_centers: bool) -> tuple:
    if images.ndim != 4:
        fail(f"input must be 4-dimensional{shape_text(images.shape)}")
    if np.ndim(size) != 1:
        fail(f"shape_t must be 1-dimensional{shape_text(np.shape(size))}")
    if len(size) != 2:
        fail(f"shape_t must have two elements{shape_text(np.shape(size))}")
    if half_pixel_centers and align_corners:
        fail("If half_pixel_centers is True, align_corners must be False.")
    out_h, out_w = (int(s) for s in size)
    if out_h <= 0 or out_w <= 0:
        fail("output dimensions must be positive")
    if images.shape[1] <= 0 or images.shape[2] <= 0:
        fail("input image must be of non-zero size")
    return out_h, out_w


def _scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    if align_corners and out_size > 1:
        return _F32(in_size - 1) / _F32(out_size - 1)
    return _F32(in_size) / _F32(out_size)


def _source(out_size: int, scale, half_pixel: bool, offset=0.5) -> np.ndarray:
    """Each output coordinate's source coordinate, in float32."""
    x = np.arange(out_size, dtype=_F32)
    return (x + _F32(0.5)) * scale - _F32(offset) if half_pixel else x * scale


# -- bilinear ----------------------------------------------------------------------------


def _linear_taps(out_size, in_size, scale, half_pixel):
    """The two source indices of each output coordinate and the weight of the upper."""
    src = _source(out_size, scale, half_pixel)
    floor = np.floor(src)
    lower = np.maximum(floor, 0).astype(np.int64)
    upper = np.minimum(np.ceil(src), in_size - 1).astype(np.int64)
    return lower, upper, (src - floor).astype(_F32)


def _bilinear_taps(shape, out_h, out_w, align_corners, half_pixel_centers):
    _, in_h, in_w, _ = shape
    ys = _linear_taps(out_h, in_h, _scale(in_h, out_h, align_corners), half_pixel_centers)
    xs = _linear_taps(out_w, in_w, _scale(in_w, out_w, align_corners), half_pixel_centers)
    return ys, xs


@register_kernel("ResizeBilinear")
def resize_bilinear(images, size, *, T, align_corners, half_pixel_centers):
    out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
    (top, bottom, y_lerp), (left, right, x_lerp) = _bilinear_taps(
        images.shape, out_h, out_w, align_corners, half_pixel_centers
    )
    image = images.astype(_F32, copy=False)
    # Along x, then along y: TF's order of the same products and sums, one axis at a time.
    lefts = np.take(image, left, axis=2)
    rows = lefts + (np.take(image, right, axis=2) - lefts) * x_lerp[None, None, :, None]
    tops = np.take(rows, top, axis=1)
    return (tops + (np.take(rows, bottom, axis=1) - tops) * y_lerp[None, :, None, None],)


@register_kernel("ResizeBilinearGrad")
def resize_bilinear_grad(grads, original_image, *, T, align_corners, half_pixel_centers):
    if grads.ndim != 4 or original_image.ndim != 4:
        fail(f"input_grad must be 4-dimensional{shape_text(grads.shape)}")
    batch, in_h, in_w, depth = original_image.shape
    _, out_h, out_w, _ = grads.shape
    (top, bottom, y_lerp), (left, right, x_lerp) = _bilinear_taps(
        original_image.shape, out_h, out_w, align_corners, half_pixel_centers
    )
    out = np.zeros((batch, in_h, in_w, depth), dtype=_F32)
    g = grads.astype(_F32, copy=False)
    y_lerp, x_lerp = y_lerp[:, None], x_lerp[None, :]
    for rows, y_weight in ((top, 1 - y_lerp), (bottom, y_lerp)):
        for cols, x_weight in ((left, 1 - x_lerp), (right, x_lerp)):
            weight = (y_weight * x_weight)[None, :, :, None]
            np.add.at(out, (slice(None), rows[:, None], cols[None, :]), g * weight)
    return (out.astype(T.as_numpy_dtype),)


# -- nearest neighbour -------------------------------------------------------------------


def _nearest(out_size, in_size, align_corners, half_pixel_centers) -> np.ndarray:
    scale = _scale(in_size, out_size, align_corners)
    src = _source(out_size, scale, half_pixel_centers, offset=0)
    if align_corners:
        index = np.floor(src)
        index += src - index >= 0.5  # roundf: halves away from zero (src >= 0)
    else:
        index = np.floor(src)
    index = np.minimum(index.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel_centers else index


@register_kernel("ResizeNearestNeighbor")
def resize_nearest_neighbor(images, size, *, T, align_corners, half_pixel_centers):
    out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
    rows = _nearest(out_h, images.shape[1], align_corners, half_pixel_centers)
    cols = _nearest(out_w, images.shape[2], align_corners, half_pixel_centers)
    return (images[:, rows][:, :, cols],)


@register_kernel("ResizeNearestNeighborGrad")
def resize_nearest_neighbor_grad(grads, size, *, T, align_corners, half_pixel_centers):
    if grads.ndim != 4:
        fail(f"input must be 4-dimensional{shape_text(grads.shape)}")
    out_h, out_w = (int(s) for s in size)
    rows = _nearest(grads.shape[1], out_h, align_corners, half_pixel_centers)
    cols = _nearest(grads.shape[2], out_w, align_corners, half_pixel_centers)
    out = np.zeros((grads.shape[0], out_h, out_w, grads.shape[3]), dtype=grads.dtype)
    np.add.at(out, (slice(None), rows[:, None], cols[None, :]), grads)
    return (out,)


# -- bicubic -----------------------------------------------------------------------------

_TABLE_SIZE = 1 << 10


@functools.cache
def _cubic_table(a: float) -> np.ndarray:
    """TF's table of Keys' cubic weights: row i holds the weights at distance i/1024
    (column 0) and 1 + i/1024 (column 1)."""
    x = np.arange(_TABLE_SIZE + 1, dtype=np.float64) / _TABLE_SIZE
    x = x.astype(_F32).astype(np.float64)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far_x = x + 1.0
    far = ((a * far_x - 5 * a) * far_x + 8 * a) * far_x - 4 * a
    return np.stack([near, far], axis=1).astype(_F32)


def _cubic_taps(out_size, in_size, scale, half_pixel):
    """The four source indices and weights of each output coordinate."""
    src = _source(out_size, scale, half_pixel)
    base = np.floor(src)
    offset = np.rint((src - base) * _F32(_TABLE_SIZE)).astype(np.int64)
    base = base.astype(np.int64)
    table = _cubic_table(-0.5 if half_pixel else -0.75)
    raw = np.stack([base - 1, base, base + 1, base + 2], axis=1)
    weights = np.stack(
        [
            table[offset, 1],
            table[offset, 0],
            table[_TABLE_SIZE - offset, 0],
            table[_TABLE_SIZE - offset, 1],
        ],
        axis=1,
    )
    indices = np.clip(raw, 0, in_size - 1)
    if half_pixel:
        # Samples outside the image get no weight; the rest are renormalised.
        weights = np.where(indices == raw, weights, _F32(0))
        total = weights.sum(axis=1, keepdims=True, dtype=_F32)
        ok = np.abs(total) >= 1000.0 * np.finfo(_F32).tiny
        weights = np.where(ok, weights * (_F32(1) / np.where(ok, total, 1)), weights)
    return indices, weights.astype(_F32)


def _bicubic_taps(shape, out_h, out_w, align_corners, half_pixel_centers):
    _, in_h, in_w, _ = shape
    ys = _cubic_taps(out_h, in_h, _scale(in_h, out_h, align_corners), half_pixel_centers)
    xs = _cubic_taps(out_w, in_w, _scale(in_w, out_w, align_corners), half_pixel_centers)
    return ys, xs


@register_kernel("ResizeBicubic")
def resize_bicubic(images, size, *, T, align_corners, half_pixel_centers):
    out_h, out_w = _check_resize(images, size, align_corners, half_pixel_centers)
    (y_idx, y_w), (x_idx, x_w) = _bicubic_taps(
        images.shape, out_h, out_w, align_corners, half_pixel_centers
    )
    image = images.astype(_F32, copy=False)
    # Along x first, then y, each a weighted sum of four taps in order, as TF's.
    along_x = sum(image[:, :, x_idx[:, k]] * x_w[None, None, :, k, None] for k in range(4))
    out = sum(along_x[:, y_idx[:, k]] * y_w[None, :, k, None, None] for k in range(4))
    return (out.astype(_F32, copy=False),)


@register_kernel("ResizeBicubicGrad")
def resize_bicubic_grad(grads, original_image, *, T, align_corners, half_pixel_centers):
    batch, in_h, in_w, depth = original_image.shape
    _, out_h, out_w, _ = grads.shape
    (y_idx, y_w), (x_idx, x_w) = _bicubic_taps(
        original_image.shape, out_h, out_w, align_corners, half_pixel_centers
    )
    out = np.zeros((batch, in_h, in_w, depth), dtype=np.float64)
    g = grads.astype(np.float64)
    for j in range(4):
        for i in range(4):
            weight = (y_w[:, j, None] * x_w[None, :, i])[None, :, :, None]
            np.add.at(out, (slice(None), y_idx[:, j, None], x_idx[None, :, i]), g * weight)
    return (out.astype(T.as_numpy_dtype),)


# -- crop_and_resize ---------------------------------------------------------------------


def _check_boxes(boxes, box_index, batch: int) -> None:
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        fail(f"boxes must be 2-D with 4 columns, got {shape_text(boxes.shape)}")
    if box_index.ndim != 1 or len(box_index) != len(boxes):
        fail(
            f"box_index has incompatible shape {shape_text(box_index.shape)} for {len(boxes)} boxes"
        )
    if len(box_index) and (box_index.min() < 0 or box_index.max() >= batch):
        raise OutOfRangeError(None, None, "box_index has values outside [0, batch_size)")


def _crop_coordinates(y1, y2, crop: int, size: int):
    """A box edge pair's sample coordinates in the image, in float32."""
    if crop > 1:
        step = (y2 - y1) * _F32(size - 1) / _F32(crop - 1)
        return y1 * _F32(size - 1) + np.arange(crop, dtype=_F32) * step
    return np.full(1, _F32(0.5) * (y1 + y2) * _F32(size - 1), dtype=_F32)


def _crop_samples(boxes, crop_h, crop_w, image_h, image_w):
    """Per box: the sample rows and columns, and which fall inside the image."""
    for y1, x1, y2, x2 in boxes.astype(_F32):
        ys = _crop_coordinates(y1, y2, crop_h, image_h)
        xs = _crop_coordinates(x1, x2, crop_w, image_w)
        yield ys, xs, (ys >= 0) & (ys <= image_h - 1), (xs >= 0) & (xs <= image_w - 1)


def _round_half_away(x):
    r = np.floor(x)
    return (r + (x - r >= 0.5)).astype(np.int64)


@register_kernel("CropAndResize")
def crop_and_resize(image, boxes, box_ind, crop_size, *, T, method, extrapolation_value):
    if image.ndim != 4:
        fail(f"input image must be 4-D{shape_text(image.shape)}")
    batch, image_h, image_w, depth = image.shape
    if image_h <= 0 or image_w <= 0:
        fail("image dimensions must be positive")
    crop_h, crop_w = (int(c) for c in crop_size)
    if crop_h <= 0 or crop_w <= 0:
        fail("crop dimensions must be positive")
    _check_boxes(boxes, box_ind, batch)
    out = np.full((len(boxes), crop_h, crop_w, depth), _F32(extrapolation_value), dtype=_F32)
    source = image.astype(_F32, copy=False)
    for b, (ys, xs, y_in, x_in) in enumerate(
        _crop_samples(boxes, crop_h, crop_w, image_h, image_w)
    ):
        picture = source[box_ind[b]]
        inside = y_in[:, None] & x_in[None, :]
        if method == "nearest":
            rows = _round_half_away(np.clip(ys, 0, image_h - 1))
            cols = _round_half_away(np.clip(xs, 0, image_w - 1))
            values = picture[rows][:, cols]
        else:
            top, left = np.floor(ys), np.floor(xs)
            y_lerp, x_lerp = (ys - top)[:, None, None], (xs - left)[None, :, None]
            top = np.clip(top, 0, image_h - 1).astype(np.int64)
            bottom = np.clip(np.ceil(ys), 0, image_h - 1).astype(np.int64)
            left = np.clip(left, 0, image_w - 1).astype(np.int64)
            right = np.clip(np.ceil(xs), 0, image_w - 1).astype(np.int64)
            upper = (
                picture[top][:, left] + (picture[top][:, right] - picture[top][:, left]) * x_lerp
            )
            lower = (
                picture[bottom][:, left]
                + (picture[bottom][:, right] - picture[bottom][:, left]) * x_lerp
            )
            values = upper + (lower - upper) * y_lerp
        out[b] = np.where(inside[:, :, None], values, out[b])
    return (out,)


@register_kernel("CropAndResizeGradImage")
def crop_and_resize_grad_image(grads, boxes, box_ind, image_size, *, T, method):
    batch, image_h, image_w, depth = (int(d) for d in image_size)
    if image_h <= 0 or image_w <= 0:
        fail("image dimensions must be positive")
    _, crop_h, crop_w, _ = grads.shape
    _check_boxes(boxes, box_ind, batch)
    out = np.zeros((batch, image_h, image_w, depth), dtype=_F32)
    g = grads.astype(_F32, copy=False)
    for b, (ys, xs, y_in, x_in) in enumerate(
        _crop_samples(boxes, crop_h, crop_w, image_h, image_w)
    ):
        inside = (y_in[:, None] & x_in[None, :])[:, :, None]
        part = np.where(inside, g[b], 0)
        target = out[box_ind[b]]
        if method == "nearest":
            rows = _round_half_away(np.clip(ys, 0, image_h - 1))
            cols = _round_half_away(np.clip(xs, 0, image_w - 1))
            np.add.at(target, (rows[:, None], cols[None, :]), part)
            continue
        top, left = np.floor(ys), np.floor(xs)
        y_lerp, x_lerp = (ys - top)[:, None, None], (xs - left)[None, :, None]
        rows = (np.clip(top, 0, image_h - 1), np.clip(np.ceil(ys), 0, image_h - 1))
        cols = (np.clip(left, 0, image_w - 1), np.clip(np.ceil(xs), 0, image_w - 1))
        for row, y_weight in zip(rows, (1 - y_lerp, y_lerp)):
            for col, x_weight in zip(cols, (1 - x_lerp, x_lerp)):
                np.add.at(
                    target,
                    (row.astype(np.int64)[:, None], col.astype(np.int64)[None, :]),
                    part * y_weight * x_weight,
                )
    return (out.astype(T.as_numpy_dtype),)


@register_kernel("CropAndResizeGradBoxes")
def crop_and_resize_grad_boxes(grads, image, boxes, box_ind, *, T, method):
    batch, image_h, image_w, _ = image.shape
    _, crop_h, crop_w, _ = grads.shape
    _check_boxes(boxes, box_ind, batch)
    out = np.zeros((len(boxes), 4), dtype=_F32)
    source = image.astype(_F32, copy=False)
    h_ratio = _F32(image_h - 1) / _F32(crop_h - 1) if crop_h > 1 else _F32(0)
    w_ratio = _F32(image_w - 1) / _F32(crop_w - 1) if crop_w > 1 else _F32(0)
    y_steps = np.arange(crop_h, dtype=_F32) * h_ratio
    x_steps = np.arange(crop_w, dtype=_F32) * w_ratio
    for b, (ys, xs, y_in, x_in) in enumerate(
        _crop_samples(boxes, crop_h, crop_w, image_h, image_w)
    ):
        picture = source[box_ind[b]]
        top, left = np.floor(ys), np.floor(xs)
        y_lerp, x_lerp = (ys - top)[:, None, None], (xs - left)[None, :, None]
        top = np.clip(top, 0, image_h - 1).astype(np.int64)
        bottom = np.clip(np.ceil(ys), 0, image_h - 1).astype(np.int64)
        left = np.clip(left, 0, image_w - 1).astype(np.int64)
        right = np.clip(np.ceil(xs), 0, image_w - 1).astype(np.int64)
        tl, tr = picture[top][:, left], picture[top][:, right]
        bl, br = picture[bottom][:, left], picture[bottom][:, right]
        # d(value)/d(sample row) and d(value)/d(sample column), times the incoming gradient.
        inside = (y_in[:, None] & x_in[None, :])[:, :, None]
        grad_y = np.where(inside, ((1 - x_lerp) * (bl - tl) + x_lerp * (br - tr)) * grads[b], 0)
        grad_x = np.where(inside, ((1 - y_lerp) * (tr - tl) + y_lerp * (br - bl)) * grads[b], 0)
        per_row = grad_y.sum(axis=(1, 2), dtype=np.float64)
        per_col = grad_x.sum(axis=(0, 2), dtype=np.float64)
        if crop_h > 1:
            out[b, 0] = (per_row * (image_h - 1 - y_steps)).sum()
            out[b, 2] = (per_row * y_steps).sum()
        else:
            out[b, 0] = out[b, 2] = per_row.sum() * 0.5 * (image_h - 1)
        if crop_w > 1:
            out[b, 1] = (per_col * (image_w - 1 - x_steps)).sum()
            out[b, 3] = (per_col * x_steps).sum()
        else:
            out[b, 1] = out[b, 3] = per_col.sum() * 0.5 * (image_w - 1)
    return (out,)


# -- adjust_contrast ---------------------------------------------------------------------


@register_kernel("AdjustContrastv2")
def adjust_contrast_v2(images, contrast_factor, *, T):
    if images.ndim < 3:
        fail(f"input must be at least 3-D, got shape{shape_text(images.shape)}")
    if np.ndim(contrast_factor) != 0:
        fail(f"contrast_factor must be scalar: {shape_text(np.shape(contrast_factor))}")
    pixels = images.astype(_F32, copy=False)
    mean = pixels.mean(axis=(-3, -2), keepdims=True, dtype=_F32)
    out = (pixels - mean) * _F32(contrast_factor) + mean
    return (out.astype(images.dtype),)


# -- area --------------------------------------------------------------------------------


def _area_weights(in_size: int, out_size: int, scale) -> np.ndarray:
    """``[out, in]``: how much of each input cell output cell ``i``'s span
    ``[i * scale, (i + 1) * scale)`` covers (TF's cell scales; cells past the edge
    fold onto the last)."""
    weights = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        start, end = _F32(i) * scale, _F32(i + 1) * scale
        for cell in range(int(np.floor(start)), int(np.ceil(end))):
            if cell < start:
                part = scale if cell + 1 > end else cell + 1 - start
            else:
                part = end - cell if cell + 1 > end else 1.0
            weights[i, min(max(cell, 0), in_size - 1)] += part
    return weights


@register_kernel("ResizeArea")
def resize_area(images, size, *, T, align_corners):
    out_h, out_w = _check_resize(images, size, align_corners, False)
    _, in_h, in_w, _ = images.shape
    height_scale = _scale(in_h, out_h, align_corners)
    width_scale = _scale(in_w, out_w, align_corners)
    rows = _area_weights(in_h, out_h, height_scale)
    cols = _area_weights(in_w, out_w, width_scale)
    pixels = images.astype(np.float64)
    out = np.einsum("yh,bhwc,xw->byxc", rows, pixels, cols) / (
        float(height_scale) * float(width_scale)
    )
    return (out.astype(_F32),)
