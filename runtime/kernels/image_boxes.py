"""Kernels of the bounding-box ops: non-max suppression (``NonMaxSuppression`` V1-V5,
``NonMaxSuppressionWithOverlaps``, ``CombinedNonMaxSuppression``), drawing boxes,
``ExtractGlimpse`` and ``SampleDistortedBoundingBox``.

Non-max suppression is TF's greedy walk: candidates leave a priority queue by score
(ties: the lower index first); a candidate is dropped when its overlap with a box
already selected exceeds the threshold, or, in soft NMS, its score decays by
``exp(-overlap**2 / (2 * sigma))`` and it goes back into the queue. Boxes are
``[y1, x1, y2, x2]`` with either corner first; overlaps are computed in float32.
"""

from __future__ import annotations

import heapq

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text
from .random import _draw

_F32 = np.float32


# -- non-max suppression -------------------------------------------------------------------


def _corners(boxes) -> tuple:
    """Each box's low and high corners and its area, in float32."""
    boxes = np.asarray(boxes, _F32)
    low = np.minimum(boxes[:, :2], boxes[:, 2:])
    high = np.maximum(boxes[:, :2], boxes[:, 2:])
    return low, high, (high[:, 0] - low[:, 0]) * (high[:, 1] - low[:, 1])


def _box_overlaps(boxes):
    """``overlaps(i, js)``: the intersection over union of box ``i`` with each of boxes
    ``js`` (0 where either box is empty), computed as TF computes one pair."""
    low, high, area = _corners(boxes)

    def overlaps(i, js) -> np.ndarray:
        sides = np.maximum(np.minimum(high[i], high[js]) - np.maximum(low[i], low[js]), _F32(0))
        inter = sides[:, 0] * sides[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / (area[i] + area[js] - inter)
        return np.where((area[i] <= 0) | (area[js] <= 0), _F32(0), iou).astype(_F32)

    return overlaps


def _scalar(value, what: str):
    if np.ndim(value) != 0:
        fail(f"{what} must be 0-D, got shape {shape_text(np.shape(value))}")
    return np.asarray(value).item()


def _greedy(overlaps, scores, max_output, threshold, score_threshold, sigma=0.0):
    """TF's ``DoNonMaxSuppressionOp``: the selected indices and their (decayed) scores.
    ``overlaps(i, js)`` gives candidate ``i``'s overlaps with the boxes ``js``."""
    scores = np.asarray(scores, _F32)
    threshold, score_threshold = _F32(threshold), _F32(score_threshold)
    # (-score, index, suppress_begin): the heap's top is the highest score, lowest index.
    queue = [(-s, i, 0) for i, s in enumerate(scores.tolist()) if _F32(s) > score_threshold]
    heapq.heapify(queue)
    selected, selected_scores = [], []
    while len(selected) < max_output and queue:
        negative, index, begin = heapq.heappop(queue)
        score = original = _F32(-negative)
        if sigma <= 0:  # hard suppression: any overlap over the threshold drops the box
            if not selected or not (overlaps(index, selected) > threshold).any():
                selected.append(index)
                selected_scores.append(score)
            continue
        # Soft: decay by each newer selection in turn (newest first), stopping once the
        # score falls to the threshold; a decayed box goes back into the queue.
        scale = _F32(-0.5) / _F32(sigma)
        for overlap in overlaps(index, selected[begin:])[::-1]:
            score = _F32(score * np.exp(scale * overlap * overlap, dtype=_F32))
            if score <= score_threshold:
                break
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(queue, (-float(score), index, len(selected)))
    return selected, np.array(selected_scores, _F32)


def _check_boxes(boxes, scores) -> None:
    if np.ndim(boxes) != 2 or np.shape(boxes)[1] != 4:
        fail(f"boxes must be 2-D with 4 columns, got shape {shape_text(np.shape(boxes))}")
    if np.ndim(scores) != 1 or len(scores) != len(boxes):
        fail(
            f"scores has incompatible shape: {shape_text(np.shape(scores))} for {len(boxes)} boxes"
        )


def _max_output(max_output_size) -> int:
    size = int(_scalar(max_output_size, "max_output_size"))
    if size < 0:
        fail("max_output_size must be non-negative")
    return size


def _iou_threshold(iou_threshold) -> float:
    threshold = _scalar(iou_threshold, "iou_threshold")
    if not 0 <= threshold <= 1:
        fail("iou_threshold must be in [0, 1]")
    return threshold


def _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold, sigma=0.0):
    _check_boxes(boxes, scores)
    return _greedy(
        _box_overlaps(boxes),
        scores,
        _max_output(max_output_size),
        _iou_threshold(iou_threshold),
        _scalar(score_threshold, "score_threshold"),
        sigma,
    )


def _indices(selected) -> np.ndarray:
    return np.array(selected, np.int32)


@register_kernel("NonMaxSuppression")
def non_max_suppression(boxes, scores, max_output_size, *, iou_threshold):
    selected, _ = _suppress(boxes, scores, max_output_size, iou_threshold, -np.inf)
    return (_indices(selected),)


@register_kernel("NonMaxSuppressionV2")
def non_max_suppression_v2(boxes, scores, max_output_size, iou_threshold, *, T, T_threshold):
    selected, _ = _suppress(boxes, scores, max_output_size, iou_threshold, -np.inf)
    return (_indices(selected),)


@register_kernel("NonMaxSuppressionV3")
def non_max_suppression_v3(
    boxes, scores, max_output_size, iou_threshold, score_threshold, *, T, T_threshold
):
    selected, _ = _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold)
    return (_indices(selected),)


def _padded(values: np.ndarray, size: int, pad: bool) -> np.ndarray:
    return np.pad(values, (0, size - len(values))) if pad else values


@register_kernel("NonMaxSuppressionV4")
def non_max_suppression_v4(
    boxes,
    scores,
    max_output_size,
    iou_threshold,
    score_threshold,
    *,
    T,
    T_threshold,
    pad_to_max_output_size,
):
    selected, _ = _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold)
    size = _max_output(max_output_size)
    return (
        _padded(_indices(selected), size, pad_to_max_output_size),
        np.array(len(selected), np.int32),
    )


@register_kernel("NonMaxSuppressionV5")
def non_max_suppression_v5(
    boxes,
    scores,
    max_output_size,
    iou_threshold,
    score_threshold,
    soft_nms_sigma,
    *,
    T,
    pad_to_max_output_size,
):
    sigma = _scalar(soft_nms_sigma, "soft_nms_sigma")
    if sigma < 0:
        fail("soft_nms_sigma must be non-negative")
    selected, kept = _suppress(
        boxes, scores, max_output_size, iou_threshold, score_threshold, sigma
    )
    size = _max_output(max_output_size)
    return (
        _padded(_indices(selected), size, pad_to_max_output_size),
        _padded(kept.astype(scores.dtype), size, pad_to_max_output_size),
        np.array(len(selected), np.int32),
    )


@register_kernel("NonMaxSuppressionWithOverlaps")
def non_max_suppression_with_overlaps(
    overlaps, scores, max_output_size, overlap_threshold, score_threshold
):
    if np.ndim(overlaps) != 2 or np.shape(overlaps)[0] != np.shape(overlaps)[1]:
        fail(f"overlaps must be a square matrix, got shape {shape_text(np.shape(overlaps))}")
    if np.ndim(scores) != 1 or len(scores) != len(overlaps):
        fail(f"scores has incompatible shape: {shape_text(np.shape(scores))}")
    overlaps = np.asarray(overlaps, _F32)
    selected, _ = _greedy(
        lambda i, js: overlaps[i, js],
        scores,
        _max_output(max_output_size),
        _scalar(overlap_threshold, "overlap_threshold"),
        _scalar(score_threshold, "score_threshold"),
    )
    return (_indices(selected),)


@register_kernel("CombinedNonMaxSuppression")
def combined_non_max_suppression(
    boxes,
    scores,
    max_output_size_per_class,
    max_total_size,
    iou_threshold,
    score_threshold,
    *,
    pad_per_class,
    clip_boxes,
):
    if np.ndim(boxes) != 4 or np.shape(boxes)[3] != 4:
        fail(f"boxes must be 4-D with 4 coordinates, got shape {shape_text(np.shape(boxes))}")
    batch, count, q, _ = boxes.shape
    if np.ndim(scores) != 3 or scores.shape[:2] != (batch, count):
        fail(f"scores must be [batch, boxes, classes], got shape {shape_text(np.shape(scores))}")
    classes = scores.shape[2]
    if q not in (1, classes):
        fail("third dimension of boxes must be either 1 or num classes")
    per_class = _max_output(max_output_size_per_class)
    total = int(_scalar(max_total_size, "max_total_size"))
    if total <= 0:
        fail(f"max_total_size must be > 0, got {total}")
    threshold = _iou_threshold(iou_threshold)
    floor = _scalar(score_threshold, "score_threshold")
    size = min(per_class * classes, total) if pad_per_class else total
    out_boxes = np.zeros((batch, size, 4), _F32)
    out_scores = np.zeros((batch, size), _F32)
    out_classes = np.zeros((batch, size), _F32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        found = []  # (score, class, box)
        for c in range(classes):
            class_boxes = boxes[b, :, 0 if q == 1 else c]
            selected, kept = _greedy(
                _box_overlaps(class_boxes), scores[b, :, c], per_class, threshold, floor
            )
            found += [(s, c, class_boxes[i]) for i, s in zip(selected, kept)]
        found.sort(key=lambda entry: -entry[0])
        found = found[:size]
        valid[b] = len(found)
        for k, (score, c, box) in enumerate(found):
            out_boxes[b, k] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, k], out_classes[b, k] = score, c
    return out_boxes, out_scores, out_classes, valid


# -- drawing boxes -------------------------------------------------------------------------

_COLOURS = np.array(
    [
        [1, 1, 0, 1],
        [0, 0, 1, 1],
        [1, 0, 0, 1],
        [0, 1, 0, 1],
        [0.5, 0, 0.5, 1],
        [0.5, 0.5, 0, 1],
        [0.5, 0, 0, 1],
        [0, 0, 0.5, 1],
        [0, 1, 1, 1],
        [1, 0, 1, 1],
    ],
    _F32,
)


def _draw_boxes(images, boxes, colours):
    if images.ndim != 4:
        fail(f"The rank of the images should be 4, got shape {shape_text(images.shape)}")
    if boxes.ndim != 3 or boxes.shape[2] != 4 or boxes.shape[0] != images.shape[0]:
        fail(f"boxes must be [batch, num_boxes, 4], got shape {shape_text(boxes.shape)}")
    batch, height, width, depth = images.shape
    if depth not in (1, 3, 4):
        fail("Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    if colours is None:
        colours = _COLOURS.copy()
        if depth == 1:  # the first channel of a grey image, which would be 0
            colours[:, 0] = 1
    elif colours.ndim != 2 or colours.shape[1] < depth:
        fail(f"Color should have at least {depth} channels, got shape {shape_text(colours.shape)}")
    canvas = images.copy()
    for b in range(batch):
        for k, box in enumerate(np.asarray(boxes[b], _F32)):
            colour = colours[k % len(colours), :depth].astype(images.dtype)
            # Truncated toward zero, as TF's casts to int64.
            top, left = int(box[0] * _F32(height - 1)), int(box[1] * _F32(width - 1))
            bottom, right = int(box[2] * _F32(height - 1)), int(box[3] * _F32(width - 1))
            if top > bottom or left > right:
                continue  # inverted: not drawn
            if top >= height or bottom < 0 or left >= width or right < 0:
                continue  # wholly outside
            rows = slice(max(top, 0), min(bottom, height - 1) + 1)
            cols = slice(max(left, 0), min(right, width - 1) + 1)
            if top >= 0:
                canvas[b, top, cols] = colour
            if bottom < height:
                canvas[b, bottom, cols] = colour
            if left >= 0:
                canvas[b, rows, left] = colour
            if right < width:
                canvas[b, rows, right] = colour
    return (canvas,)


@register_kernel("DrawBoundingBoxes")
def draw_bounding_boxes(images, boxes, *, T):
    return _draw_boxes(images, boxes, None)


@register_kernel("DrawBoundingBoxesV2")
def draw_bounding_boxes_v2(images, boxes, colors, *, T):
    return _draw_boxes(images, boxes, None if np.size(colors) == 0 else np.asarray(colors, _F32))


# -- glimpses ------------------------------------------------------------------------------


def _glimpse(ctx, input, size, offsets, centered, normalized, noise):
    if input.ndim != 4:
        fail(f"input must be a 4-D tensor, got shape {shape_text(input.shape)}")
    if np.shape(size) != (2,):
        fail(f"size must be a vector of two elements, got shape {shape_text(np.shape(size))}")
    batch, height, width, depth = input.shape
    if np.shape(offsets) != (batch, 2):
        fail(f"offsets must be [batch, 2], got shape {shape_text(np.shape(offsets))}")
    glimpse_h, glimpse_w = (int(s) for s in size)
    out = np.zeros((batch, glimpse_h, glimpse_w, depth), _F32)
    for b in range(batch):
        y, x = (_F32(v) for v in offsets[b])
        if normalized:
            y, x = y * _F32(height), x * _F32(width)
        if centered:
            y, x = y / _F32(2) + _F32(height) / _F32(2), x / _F32(2) + _F32(width) / _F32(2)
        y, x = y - _F32(glimpse_h) / _F32(2), x - _F32(glimpse_w) / _F32(2)
        top, left = int(y), int(x)  # truncated toward zero, as TF's casts
        picture = input[b].astype(_F32)
        fill = _noise(ctx, noise, picture, (glimpse_h, glimpse_w, depth))
        rows = np.arange(top, top + glimpse_h)
        cols = np.arange(left, left + glimpse_w)
        inside = ((rows >= 0) & (rows < height))[:, None] & ((cols >= 0) & (cols < width))[None]
        taken = picture[np.clip(rows, 0, height - 1)][:, np.clip(cols, 0, width - 1)]
        out[b] = np.where(inside[:, :, None], taken, fill)
    return (out,)


def _noise(ctx, noise: str, picture, shape) -> np.ndarray:
    """What fills the part of a glimpse outside the image: zeros, or noise of the image's
    range (uniform) or its mean and spread (gaussian), per channel."""
    if noise == "zero":
        return np.zeros(shape, _F32)
    if noise not in ("uniform", "gaussian"):
        fail(f"Unknown noise type: {noise}")
    low, high = picture.min(axis=(0, 1)), picture.max(axis=(0, 1))
    mean, spread = picture.mean(axis=(0, 1)), picture.std(axis=(0, 1))
    if noise == "uniform":
        return _draw(ctx, 0, 0, lambda rng: rng.uniform(low, high, shape).astype(_F32))
    return _draw(ctx, 0, 0, lambda rng: rng.normal(mean, spread, shape).astype(_F32))


@register_kernel("ExtractGlimpse", context=True)
def extract_glimpse(ctx, input, size, offsets, *, centered, normalized, uniform_noise, noise):
    noise = noise or ("uniform" if uniform_noise else "gaussian")
    return _glimpse(ctx, input, size, offsets, centered, normalized, noise)


@register_kernel("ExtractGlimpseV2", context=True)
def extract_glimpse_v2(ctx, input, size, offsets, *, centered, normalized, uniform_noise, noise):
    noise = noise or ("uniform" if uniform_noise else "gaussian")
    return _glimpse(ctx, input, size, offsets, centered, normalized, noise)


# -- sample_distorted_bounding_box ---------------------------------------------------------


def _sample_box(rng, height, width, boxes, min_covered, aspect_range, area_range, attempts):
    """TF's rejection sampling: ``(top, left, crop_h, crop_w)`` or ``None``."""
    area = height * width
    for _ in range(attempts):
        ratio = rng.uniform(*aspect_range)
        target = rng.uniform(*area_range) * area
        crop_h = round(np.sqrt(target / ratio))
        crop_w = round(crop_h * ratio)
        if not (0 < crop_h <= height and 0 < crop_w <= width):
            continue
        top = rng.integers(0, height - crop_h + 1)
        left = rng.integers(0, width - crop_w + 1)
        crop = np.array([top, left, top + crop_h, left + crop_w], np.float64)
        if _covers(crop, boxes, height, width, min_covered):
            return int(top), int(left), crop_h, crop_w
    return None


def _covers(crop, boxes, height, width, min_covered) -> bool:
    """Whether ``crop`` (pixels) covers ``min_covered`` of some box (fractions)."""
    for box in boxes:
        pixels = box * np.array([height, width, height, width])
        inter_h = min(crop[2], pixels[2]) - max(crop[0], pixels[0])
        inter_w = min(crop[3], pixels[3]) - max(crop[1], pixels[1])
        box_area = (pixels[2] - pixels[0]) * (pixels[3] - pixels[1])
        if inter_h > 0 and inter_w > 0 and box_area > 0:
            if inter_h * inter_w / box_area >= min_covered:
                return True
        elif box_area <= 0 and min_covered <= 0:
            return True
    return False


def _sample_distorted(ctx, image_size, bounding_boxes, min_covered, attrs):
    if np.shape(image_size) != (3,):
        fail(
            f"image_size must be 1-dimensional with 3 elements, got {shape_text(np.shape(image_size))}"
        )
    height, width, _ = (int(d) for d in image_size)
    if height <= 0 or width <= 0:
        fail(f"image height and width must be positive, got {height} x {width}")
    boxes = np.asarray(bounding_boxes, np.float64).reshape(-1, 4)
    if np.shape(bounding_boxes)[-1:] != (4,):
        fail(
            f"bounding_boxes must have shape [batch, N, 4], got {shape_text(np.shape(bounding_boxes))}"
        )
    aspect_range, area_range = attrs["aspect_ratio_range"], attrs["area_range"]
    if len(aspect_range) != 2 or len(area_range) != 2:
        fail("aspect_ratio_range and area_range must each have 2 elements")
    if not 0 < area_range[0] <= area_range[1] <= 1:
        fail(f"area_range must be in (0, 1], got {list(area_range)}")
    if not len(boxes):
        if not attrs["use_image_if_no_bounding_boxes"]:
            fail(
                "No bounding boxes provided as input. One must enable "
                "use_image_if_no_bounding_boxes if you wish to not provide any bounding boxes."
            )
        boxes = np.array([[0.0, 0.0, 1.0, 1.0]])
    if ((boxes < 0) | (boxes > 1) | (boxes[:, :2] >= boxes[:, 2:]).repeat(2, axis=1)).any():
        fail(f"All bounding boxes should have a positive area in [0, 1]: {boxes.tolist()}")
    found = _draw(
        ctx,
        attrs["seed"],
        attrs["seed2"],
        lambda rng: _sample_box(
            rng,
            height,
            width,
            boxes,
            float(min_covered),
            aspect_range,
            area_range,
            attrs["max_attempts"],
        ),
    )
    top, left, crop_h, crop_w = found if found is not None else (0, 0, height, width)
    dtype = np.asarray(image_size).dtype
    begin = np.array([top, left, 0], dtype)
    size = np.array([crop_h, crop_w, -1], dtype)
    box = np.array(
        [[[top / height, left / width, (top + crop_h) / height, (left + crop_w) / width]]], _F32
    )
    return begin, size, box


@register_kernel("SampleDistortedBoundingBox", context=True)
def sample_distorted_bounding_box(
    ctx, image_size, bounding_boxes, *, T, min_object_covered, **attrs
):
    return _sample_distorted(ctx, image_size, bounding_boxes, min_object_covered, attrs)


@register_kernel("SampleDistortedBoundingBoxV2", context=True)
def sample_distorted_bounding_box_v2(
    ctx, image_size, bounding_boxes, min_object_covered, *, T, **attrs
):
    if np.ndim(min_object_covered) != 0:
        fail(
            f"min_object_covered must be 0-D, got shape {shape_text(np.shape(min_object_covered))}"
        )
    covered = float(min_object_covered)
    if covered < 0:
        fail(f"min_object_covered must be non-negative: {covered}")
    return _sample_distorted(ctx, image_size, bounding_boxes, covered, attrs)
