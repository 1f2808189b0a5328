"""Bounding boxes (``tf.image``): non-max suppression in TF's variants (hard and soft,
precomputed overlaps, padded and batched, combined over classes), drawing boxes,
glimpses and the random crops of ``sample_distorted_bounding_box``.

Boxes are ``[y1, x1, y2, x2]``, normalized or in pixels; the ops' kernels are in
:mod:`runtime.kernels.image_boxes`. ``non_max_suppression_padded`` has no op of its own
in TF (it is Python there): here it is built from array ops and a ``while_loop``, to
TF's rules.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops, random_ops
from .concat_ops import concat, split
from .constant_value import known_value
from .control_flow_ops import while_loop_v1 as while_loop
from .core import convert_to_tensor, op_outputs
from .fill_ops import one_hot, zeros
from .gather_scatter_ops import gather
from .packing import build
from .shape_ops import expand_dims, reshape, shape, transpose
from .shape_util import merge_dim, with_rank
from .sort_ops import argsort, top_k

__all__: list = []  # tf.image's names: runtime.image

_TYPES = "{float16, float32} = DT_FLOAT"


# -- non-max suppression -------------------------------------------------------------------


def _check_nms_inputs(boxes: TensorSpec, scores: TensorSpec, max_output_size: TensorSpec, *scalars):
    dims = with_rank(boxes.shape, 2)
    if dims.dim_value(1) not in (None, 4):
        raise ValueError(f"Dimension must be 4 but is {dims.dim_value(1)}")
    merge_dim(dims.dim_value(0), with_rank(scores.shape, 1).dim_value(0))
    for spec in (max_output_size, *scalars):
        with_rank(spec.shape, 0)


def _selected_length(max_output_size: TensorSpec, pad: bool):
    size = known_value(max_output_size)
    return int(size) if pad and size is not None else None


def _nms_shape(boxes, scores, max_output_size, *thresholds, **_attrs):
    _check_nms_inputs(boxes, scores, max_output_size, *thresholds)
    return [TensorSpec(dtypes.int32, TensorShape([None]))]


def _nms_v4_shape(boxes, scores, max_output_size, *thresholds, pad_to_max_output_size, **_attrs):
    _check_nms_inputs(boxes, scores, max_output_size, *thresholds)
    length = _selected_length(max_output_size, pad_to_max_output_size)
    return [
        TensorSpec(dtypes.int32, TensorShape([length])),
        TensorSpec(dtypes.int32, TensorShape([])),
    ]


def _nms_v5_shape(boxes, scores, max_output_size, *thresholds, pad_to_max_output_size, T):
    _check_nms_inputs(boxes, scores, max_output_size, *thresholds)
    length = _selected_length(max_output_size, pad_to_max_output_size)
    return [
        TensorSpec(dtypes.int32, TensorShape([length])),
        TensorSpec(T, TensorShape([length])),
        TensorSpec(dtypes.int32, TensorShape([])),
    ]


_NMS_INPUTS = ("boxes: T", "scores: T", "max_output_size: int32")
NON_MAX_SUPPRESSION = register_op(
    OpDef(
        "NonMaxSuppression",
        ("boxes: float", "scores: float", "max_output_size: int32"),
        ("selected_indices: int32",),
        ("iou_threshold: float = 0.5",),
        _nms_shape,
    )
)
NON_MAX_SUPPRESSION_V2 = register_op(
    OpDef(
        "NonMaxSuppressionV2",
        (*_NMS_INPUTS, "iou_threshold: T_threshold"),
        ("selected_indices: int32",),
        (f"T: {_TYPES}", f"T_threshold: {_TYPES}"),
        _nms_shape,
    )
)
NON_MAX_SUPPRESSION_V3 = register_op(
    OpDef(
        "NonMaxSuppressionV3",
        (*_NMS_INPUTS, "iou_threshold: T_threshold", "score_threshold: T_threshold"),
        ("selected_indices: int32",),
        (f"T: {_TYPES}", f"T_threshold: {_TYPES}"),
        _nms_shape,
    )
)
NON_MAX_SUPPRESSION_V4 = register_op(
    OpDef(
        "NonMaxSuppressionV4",
        (*_NMS_INPUTS, "iou_threshold: T_threshold", "score_threshold: T_threshold"),
        ("selected_indices: int32", "valid_outputs: int32"),
        (f"T: {_TYPES}", f"T_threshold: {_TYPES}", "pad_to_max_output_size: bool = false"),
        _nms_v4_shape,
    )
)
NON_MAX_SUPPRESSION_V5 = register_op(
    OpDef(
        "NonMaxSuppressionV5",
        (*_NMS_INPUTS, "iou_threshold: T", "score_threshold: T", "soft_nms_sigma: T"),
        ("selected_indices: int32", "selected_scores: T", "valid_outputs: int32"),
        (f"T: {_TYPES}", "pad_to_max_output_size: bool = false"),
        _nms_v5_shape,
    )
)


def _overlaps_shape(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
    dims = with_rank(overlaps.shape, 2)
    merge_dim(dims.dim_value(0), dims.dim_value(1))
    merge_dim(dims.dim_value(0), with_rank(scores.shape, 1).dim_value(0))
    for spec in (max_output_size, overlap_threshold, score_threshold):
        with_rank(spec.shape, 0)
    return [TensorSpec(dtypes.int32, TensorShape([None]))]


NON_MAX_SUPPRESSION_WITH_OVERLAPS = register_op(
    OpDef(
        "NonMaxSuppressionWithOverlaps",
        (
            "overlaps: float",
            "scores: float",
            "max_output_size: int32",
            "overlap_threshold: float",
            "score_threshold: float",
        ),
        ("selected_indices: int32",),
        (),
        _overlaps_shape,
    )
)


def _combined_shape(boxes, scores, per_class, total, iou, score, *, pad_per_class, clip_boxes):
    box_dims = with_rank(boxes.shape, 4).as_tuple()
    score_dims = with_rank(scores.shape, 3).as_tuple()
    for spec in (per_class, total, iou, score):
        with_rank(spec.shape, 0)
    if box_dims[3] not in (None, 4):
        raise ValueError(f"Dimension must be 4 but is {box_dims[3]}")
    batch = merge_dim(box_dims[0], score_dims[0])
    merge_dim(box_dims[1], score_dims[1])
    classes = score_dims[2]
    if None not in (box_dims[2], classes) and box_dims[2] not in (1, classes):
        raise ValueError(
            f"third dimension of boxes must be either 1 or {classes}, got {box_dims[2]}"
        )
    per_class_size, total_size = known_value(per_class), known_value(total)
    size = None if total_size is None else int(total_size)
    if pad_per_class:
        if None in (per_class_size, classes, total_size):
            size = None
        else:
            size = min(int(per_class_size) * classes, int(total_size))
    return [
        TensorSpec(dtypes.float32, TensorShape([batch, size, 4])),
        TensorSpec(dtypes.float32, TensorShape([batch, size])),
        TensorSpec(dtypes.float32, TensorShape([batch, size])),
        TensorSpec(dtypes.int32, TensorShape([batch])),
    ]


COMBINED_NON_MAX_SUPPRESSION = register_op(
    OpDef(
        "CombinedNonMaxSuppression",
        (
            "boxes: float",
            "scores: float",
            "max_output_size_per_class: int32",
            "max_total_size: int32",
            "iou_threshold: float",
            "score_threshold: float",
        ),
        (
            "nmsed_boxes: float",
            "nmsed_scores: float",
            "nmsed_classes: float",
            "valid_detections: int32",
        ),
        ("pad_per_class: bool = false", "clip_boxes: bool = true"),
        _combined_shape,
    )
)
for _op_type in ("NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionWithOverlaps"):
    not_differentiable(_op_type)


def _threshold(value, name: str, dtype=None) -> Tensor:
    return convert_to_tensor(value, dtype=dtype, name=name)


def non_max_suppression(
    boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"), name=None
) -> Tensor:
    """The indices of the boxes greedy non-max suppression keeps, best score first: at
    most ``max_output_size``, none overlapping a kept one by more than
    ``iou_threshold`` (intersection over union), none scored ``score_threshold`` or less.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     boxes = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]]
    ...     kept = non_max_suppression(boxes, [0.9, 0.8, 0.7], 3)
    ...     print(tf.compat.v1.Session().run(kept).tolist())
    [0, 2]
    """
    with name_scope(name, "non_max_suppression"):
        iou_threshold = _threshold(iou_threshold, "iou_threshold")
        score_threshold = _threshold(score_threshold, "score_threshold")
        return build(
            NON_MAX_SUPPRESSION_V3,
            [boxes, scores, max_output_size, iou_threshold, score_threshold],
            None,
        ).outputs[0]


def non_max_suppression_with_scores(
    boxes,
    scores,
    max_output_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    soft_nms_sigma=0.0,
    name=None,
) -> tuple:
    """:func:`non_max_suppression` and the scores of the kept boxes; with a positive
    ``soft_nms_sigma``, soft NMS: an overlapping box's score decays by
    ``exp(-iou**2 / (2 * sigma))`` instead of the box going.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     boxes = [[0, 0, 1, 1], [0, 0.5, 1, 1.5]]
    ...     kept, scores = non_max_suppression_with_scores(boxes, [0.9, 0.8], 2, soft_nms_sigma=0.5)
    ...     print(tf.compat.v1.Session().run(scores).astype(float).round(4).tolist())
    [0.9, 0.7159]
    """
    with name_scope(name, "non_max_suppression_with_scores"):
        iou_threshold = _threshold(iou_threshold, "iou_threshold")
        score_threshold = _threshold(score_threshold, "score_threshold")
        soft_nms_sigma = _threshold(soft_nms_sigma, "soft_nms_sigma")
        selected, kept_scores, _ = build(
            NON_MAX_SUPPRESSION_V5,
            [boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma],
            None,
            pad_to_max_output_size=False,
        ).outputs
        return selected, kept_scores


def non_max_suppression_with_overlaps(
    overlaps,
    scores,
    max_output_size,
    overlap_threshold=0.5,
    score_threshold=float("-inf"),
    name=None,
) -> Tensor:
    """:func:`non_max_suppression` with the overlaps given (``overlaps[i, j]`` between
    boxes ``i`` and ``j``) instead of computed from boxes (``non_max_suppression_overlaps``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     overlaps = [[1.0, 0.7, 0.1], [0.7, 1.0, 0.2], [0.1, 0.2, 1.0]]
    ...     kept = non_max_suppression_with_overlaps(overlaps, [0.5, 0.9, 0.4], 3)
    ...     print(tf.compat.v1.Session().run(kept).tolist())
    [1, 2]
    """
    with name_scope(name, "non_max_suppression_overlaps"):
        overlap_threshold = _threshold(overlap_threshold, "overlap_threshold")
        return build(
            NON_MAX_SUPPRESSION_WITH_OVERLAPS,
            [overlaps, scores, max_output_size, overlap_threshold, score_threshold],
            None,
        ).outputs[0]


def combined_non_max_suppression(
    boxes,
    scores,
    max_output_size_per_class,
    max_total_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    pad_per_class=False,
    clip_boxes=True,
    name=None,
) -> tuple:
    """Non-max suppression per class of each image of a batch, the classes' results
    merged best score first: TF's namedtuple ``CombinedNonMaxSuppression(nmsed_boxes,
    nmsed_scores, nmsed_classes, valid_detections)``, zero-padded
    to ``max_total_size`` (or, with ``pad_per_class``, to at most
    ``max_output_size_per_class`` per class). ``boxes`` is ``[batch, n, q, 4]`` (``q``
    1 for boxes shared by the classes), ``scores`` ``[batch, n, classes]``; the boxes
    are clipped to ``[0, 1]`` unless ``clip_boxes`` is false.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     boxes = [[[[0, 0, 1, 1]], [[0, 0, 0.9, 1]]]]
    ...     scores = [[[0.9, 0.1], [0.2, 0.8]]]
    ...     _, s, c, n = combined_non_max_suppression(boxes, scores, 1, 2)
    ...     print(tf.compat.v1.Session().run([s, c, n]))
    [array([[0.9, 0.8]], dtype=float32), array([[0., 1.]], dtype=float32), array([2], dtype=int32)]
    """
    with name_scope(name, "combined_non_max_suppression"):
        iou_threshold = _threshold(iou_threshold, "iou_threshold", dtypes.float32)
        score_threshold = _threshold(score_threshold, "score_threshold", dtypes.float32)
        max_total_size = convert_to_tensor(max_total_size)
        inputs = [boxes, scores, max_output_size_per_class, max_total_size]
        op = build(
            COMBINED_NON_MAX_SUPPRESSION,
            [*inputs, iou_threshold, score_threshold],
            None,
            pad_per_class=bool(pad_per_class),
            clip_boxes=bool(clip_boxes),
        )
        return op_outputs(op)


def non_max_suppression_padded(
    boxes,
    scores,
    max_output_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    pad_to_max_output_size=False,
    name=None,
    sorted_input=False,
    canonicalized_coordinates=False,
    tile_size=512,
) -> tuple:
    """Non-max suppression of boxes ``[..., n, 4]`` (leading axes: a batch of images),
    as TF's: ``(indices, num_valid)``, the indices padded with zeros to
    ``max_output_size`` when ``pad_to_max_output_size`` (which a batch needs).

    TF's rules, which differ from :func:`non_max_suppression`'s: a box goes when its
    overlap with a kept one reaches ``iou_threshold``; the corners' order is read from
    the first box (unless ``canonicalized_coordinates``); a box whose coordinates are
    all zero or less is never kept. ``tile_size`` (TF's parallel tiles) changes nothing
    here.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     boxes = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]]
    ...     kept, count = non_max_suppression_padded(
    ...         boxes, [0.9, 0.8, 0.7], 3, pad_to_max_output_size=True
    ...     )
    ...     kept, count = tf.compat.v1.Session().run([kept, count])
    >>> kept.tolist(), int(count)
    ([0, 2, 0], 2)
    """
    with name_scope(name, "non_max_suppression_padded"):
        boxes = convert_to_tensor(boxes, name="boxes")
        scores = convert_to_tensor(scores, name="scores")
        if not pad_to_max_output_size and (boxes.shape.rank or 0) > 2:
            raise ValueError(
                f"'pad_to_max_output_size' (value {pad_to_max_output_size}) must be True for "
                "batched input"
            )
        max_output_size = convert_to_tensor(max_output_size, dtypes.int32, name="max_output_size")
        batch_dims = shape(boxes)[:-2]
        count = shape(boxes)[-2]
        boxes = math_ops.cast(reshape(boxes, [-1, count, 4]), dtypes.float32)
        scores = math_ops.cast(reshape(scores, [-1, count]), dtypes.float32)
        if score_threshold != float("-inf"):  # a box scored at most the threshold is empty
            passing = math_ops.cast(math_ops.greater(scores, score_threshold), dtypes.float32)
            scores, boxes = scores * passing, boxes * expand_dims(passing, 2)
        if not canonicalized_coordinates:
            boxes = _canonical_as_first_box(boxes)
        order = argsort(scores, axis=1, direction="DESCENDING", stable=True)
        if sorted_input:
            order = reshape(math_ops.range(count), [1, -1]) + zeros(shape(scores), dtypes.int32)
        boxes = gather(boxes, order, axis=1, batch_dims=1)
        kept = _greedy_keep(boxes, iou_threshold)
        num_valid = math_ops.minimum(
            math_ops.cast(math_ops.reduce_sum(kept, 1), dtypes.int32), max_output_size
        )
        # The kept positions in order: top_k of (count - position) where kept.
        ranks = math_ops.cast(kept, dtypes.int32) * expand_dims(math_ops.range(count, 0, -1), 0)
        positions = math_ops.minimum(count - top_k(ranks, max_output_size)[0], count - 1)
        picked = gather(order, positions, axis=1, batch_dims=1)
        valid = math_ops.less(
            expand_dims(math_ops.range(max_output_size), 0), expand_dims(num_valid, 1)
        )
        picked = math_ops.where(valid, picked, zeros(shape(picked), dtypes.int32))
        if not pad_to_max_output_size:
            return picked[0, : num_valid[0]], num_valid[0]
        picked = reshape(picked, concat([batch_dims, expand_dims(max_output_size, 0)], 0))
        return picked, reshape(num_valid, batch_dims)


def _canonical_as_first_box(boxes: Tensor) -> Tensor:
    """``boxes`` ``[batch, n, 4]`` as ``[y_min, x_min, y_max, x_max]``, each pair of
    coordinates swapped for all boxes when the first box's is the wrong way round."""
    y_1, x_1, y_2, x_2 = split(boxes, 4, axis=2)

    def ordered(low, high):
        low_first = math_ops.less_equal(low[0, 0, 0], high[0, 0, 0])
        return (
            math_ops.where(low_first, low, high),
            math_ops.where(low_first, high, low),
        )

    (y_min, y_max), (x_min, x_max) = ordered(y_1, y_2), ordered(x_1, x_2)
    return concat([y_min, x_min, y_max, x_max], axis=2)


def _greedy_keep(boxes: Tensor, iou_threshold) -> Tensor:
    """Which of the score-sorted ``boxes`` ``[batch, n, 4]`` greedy suppression keeps
    (float 0/1 ``[batch, n]``): box ``j`` stays unless a kept box before it overlaps it
    by ``iou_threshold`` or more; a box with no positive coordinate never stays."""
    count = shape(boxes)[1]
    iou = _pairwise_iou(boxes)
    before = math_ops.less(
        reshape(math_ops.range(count), [-1, 1]), reshape(math_ops.range(count), [1, -1])
    )
    suppresses = math_ops.cast(
        math_ops.logical_and(expand_dims(before, 0), math_ops.greater_equal(iou, iou_threshold)),
        dtypes.float32,
    )
    candidate = math_ops.cast(math_ops.reduce_any(math_ops.greater(boxes, 0), 2), dtypes.float32)

    def step(j, kept):
        suppressed = math_ops.reduce_max(kept * suppresses[:, :, j], 1)
        keep_j = candidate[:, j] * (1 - suppressed)
        return j + 1, kept + expand_dims(keep_j, 1) * expand_dims(one_hot(j, count), 0)

    _, kept = while_loop(
        lambda j, _: math_ops.less(j, count),
        step,
        [convert_to_tensor(0, name="j"), zeros(shape(boxes)[:2])],
    )
    return kept


def _pairwise_iou(boxes: Tensor) -> Tensor:
    """TF's ``_bbox_overlap``: ``[batch, n, n]`` intersection over union (plus 1e-8 in
    the union) of boxes given as ``[y_min, x_min, y_max, x_max]``."""
    y_min, x_min, y_max, x_max = split(boxes, 4, axis=2)

    def across(x):  # [batch, n, 1] -> [batch, 1, n]
        return transpose(x, [0, 2, 1])

    width = math_ops.maximum(
        math_ops.minimum(x_max, across(x_max)) - math_ops.maximum(x_min, across(x_min)), 0
    )
    height = math_ops.maximum(
        math_ops.minimum(y_max, across(y_max)) - math_ops.maximum(y_min, across(y_min)), 0
    )
    intersection = width * height
    area = (y_max - y_min) * (x_max - x_min)
    return intersection / (area + across(area) - intersection + 1e-8)


# -- drawing boxes -------------------------------------------------------------------------


def _draw_shape(images: TensorSpec, boxes: TensorSpec, *colors, T):
    dims = with_rank(images.shape, 4)
    box_dims = with_rank(boxes.shape, 3)
    if box_dims.dim_value(2) not in (None, 4):
        raise ValueError(f"Dimension must be 4 but is {box_dims.dim_value(2)}")
    for spec in colors:
        with_rank(spec.shape, 2)
    return [TensorSpec(T, dims)]


DRAW_BOUNDING_BOXES = register_op(
    OpDef(
        "DrawBoundingBoxes",
        ("images: T", "boxes: float"),
        ("output: T",),
        ("T: {float32, float16} = DT_FLOAT",),
        _draw_shape,
    )
)
DRAW_BOUNDING_BOXES_V2 = register_op(
    OpDef(
        "DrawBoundingBoxesV2",
        ("images: T", "boxes: float", "colors: float"),
        ("output: T",),
        ("T: {float32, float16} = DT_FLOAT",),
        _draw_shape,
    )
)
not_differentiable("DrawBoundingBoxes")


def draw_bounding_boxes_v2(images, boxes, colors, name=None) -> Tensor:
    """The images ``[batch, height, width, depth]`` with the outlines of ``boxes``
    (``[batch, n, 4]``, normalized ``[y_min, x_min, y_max, x_max]``) drawn on them, in
    ``colors`` (RGBA rows, cycled; ``None``: TF's own ten).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     drawn = draw_bounding_boxes_v2(tf.zeros([1, 3, 3, 1]), [[[0, 0, 1, 1]]], [[1.0]])
    ...     print(tf.compat.v1.Session().run(drawn)[0, :, :, 0].tolist())
    [[1.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    """
    if colors is None:
        return build(DRAW_BOUNDING_BOXES, [images, boxes], name).outputs[0]
    return build(DRAW_BOUNDING_BOXES_V2, [images, boxes, colors], name).outputs[0]


def draw_bounding_boxes(images, boxes, name=None, colors=None) -> Tensor:
    """TF1's argument order of :func:`draw_bounding_boxes_v2` (``colors`` optional)."""
    return draw_bounding_boxes_v2(images, boxes, colors, name)


# -- glimpses ------------------------------------------------------------------------------


def _glimpse_shape(input: TensorSpec, size: TensorSpec, offsets: TensorSpec, **_attrs):
    dims = with_rank(input.shape, 4).as_tuple()
    with_rank(size.shape, 1)
    merge_dim(with_rank(offsets.shape, 2).dim_value(0), dims[0])
    extent = known_value(size)
    height, width = (None, None) if extent is None else (int(extent[0]), int(extent[1]))
    return [TensorSpec(dtypes.float32, TensorShape([dims[0], height, width, dims[3]]))]


_GLIMPSE_ATTRS = (
    "centered: bool = true",
    "normalized: bool = true",
    "uniform_noise: bool = true",
    "noise: string = 'uniform'",
)
EXTRACT_GLIMPSE = register_op(
    OpDef(
        "ExtractGlimpse",
        ("input: float", "size: int32", "offsets: float"),
        ("glimpse: float",),
        _GLIMPSE_ATTRS,
        _glimpse_shape,
    )
)
EXTRACT_GLIMPSE_V2 = register_op(
    OpDef(
        "ExtractGlimpseV2",
        ("input: float", "size: int32", "offsets: float"),
        ("glimpse: float",),
        _GLIMPSE_ATTRS,
        _glimpse_shape,
    )
)
not_differentiable("ExtractGlimpse")
not_differentiable("ExtractGlimpseV2")


def extract_glimpse(
    input, size, offsets, centered=True, normalized=True, uniform_noise=True, name=None
) -> Tensor:
    """TF1's ``tf.image.extract_glimpse``: a ``size`` window of each image of ``input``
    at ``offsets`` (``[batch, 2]`` as ``(y, x)``: of the window's centre from the image's
    centre when ``centered``, in ``[-1, 1]`` when ``normalized``); what lies outside the
    image is noise of the image's range (offsets truncate toward zero, as TF's).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     image = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    ...     g = extract_glimpse(image, [2, 2], [[0.0, 0.0]])
    ...     print(tf.compat.v1.Session().run(g)[0, :, :, 0].tolist())
    [[5.0, 6.0], [9.0, 10.0]]
    """
    return build(
        EXTRACT_GLIMPSE,
        [input, size, offsets],
        name,
        centered=bool(centered),
        normalized=bool(normalized),
        uniform_noise=bool(uniform_noise),
    ).outputs[0]


def extract_glimpse_v2(
    input, size, offsets, centered=True, normalized=True, noise="uniform", name=None
) -> Tensor:
    """TF2's ``tf.image.extract_glimpse``: ``noise`` (``"uniform"``, ``"gaussian"`` or
    ``"zero"``) fills what lies outside the image."""
    return build(
        EXTRACT_GLIMPSE_V2,
        [input, size, offsets],
        name,
        centered=bool(centered),
        normalized=bool(normalized),
        noise=noise,
        uniform_noise=False,
    ).outputs[0]


# -- sample_distorted_bounding_box ---------------------------------------------------------


def _sample_shape(image_size: TensorSpec, bounding_boxes: TensorSpec, *covered, T, **_attrs):
    dims = with_rank(image_size.shape, 1)
    merge_dim(dims.dim_value(0), 3)
    box_dims = with_rank(bounding_boxes.shape, 3)
    merge_dim(box_dims.dim_value(2), 4)
    return [
        TensorSpec(T, TensorShape([3])),
        TensorSpec(T, TensorShape([3])),
        TensorSpec(dtypes.float32, TensorShape([1, 1, 4])),
    ]


_SAMPLE_ATTRS = (
    "seed: int = 0",
    "seed2: int = 0",
    "aspect_ratio_range: list(float) = [0.75, 1.33]",
    "area_range: list(float) = [0.05, 1.0]",
    "max_attempts: int = 100",
    "use_image_if_no_bounding_boxes: bool = false",
)
SAMPLE_DISTORTED_BOUNDING_BOX = register_op(
    OpDef(
        "SampleDistortedBoundingBox",
        ("image_size: T", "bounding_boxes: float"),
        ("begin: T", "size: T", "bboxes: float"),
        (
            "T: {uint8, int8, int16, int32, int64}",
            *_SAMPLE_ATTRS[:2],
            "min_object_covered: float = 0.1",
            *_SAMPLE_ATTRS[2:],
        ),
        _sample_shape,
        is_stateful=True,
    )
)
SAMPLE_DISTORTED_BOUNDING_BOX_V2 = register_op(
    OpDef(
        "SampleDistortedBoundingBoxV2",
        ("image_size: T", "bounding_boxes: float", "min_object_covered: float"),
        ("begin: T", "size: T", "bboxes: float"),
        ("T: {uint8, int8, int16, int32, int64}", *_SAMPLE_ATTRS),
        _sample_shape,
        is_stateful=True,
    )
)
not_differentiable("SampleDistortedBoundingBox")
not_differentiable("SampleDistortedBoundingBoxV2")


def _sample_attrs(aspect_ratio_range, area_range, max_attempts, use_image) -> dict:
    attrs = {}
    if aspect_ratio_range is not None:
        attrs["aspect_ratio_range"] = [float(x) for x in aspect_ratio_range]
    if area_range is not None:
        attrs["area_range"] = [float(x) for x in area_range]
    if max_attempts is not None:
        attrs["max_attempts"] = int(max_attempts)
    if use_image is not None:
        attrs["use_image_if_no_bounding_boxes"] = bool(use_image)
    return attrs


def sample_distorted_bounding_box(
    image_size,
    bounding_boxes,
    seed=None,
    seed2=None,
    min_object_covered=0.1,
    aspect_ratio_range=None,
    area_range=None,
    max_attempts=None,
    use_image_if_no_bounding_boxes=None,
    name=None,
) -> tuple:
    """TF1's ``tf.image.sample_distorted_bounding_box``: a random crop of an image of
    ``image_size`` (``[height, width, channels]``) covering at least
    ``min_object_covered`` of one of ``bounding_boxes``, of an aspect ratio and area in
    the given ranges: TF's namedtuple ``SampleDistortedBoundingBoxV2(begin, size,
    bboxes)``, for ``tf.slice`` and for drawing. The
    whole image if ``max_attempts`` draws find none. TF1 passes ``seed``/``seed2`` as
    they are (no graph seed).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     begin, size, box = sample_distorted_bounding_box(
    ...         [40, 60, 3], [[[0.1, 0.1, 0.9, 0.9]]], seed=1, min_object_covered=0.5
    ...     )
    ...     b, s = tf.compat.v1.Session().run([begin, size])
    >>> bool(0 < s[0] <= 40 and 0 < s[1] <= 60 and s[2] == -1 and b[0] + s[0] <= 40)
    True
    """
    attrs = _sample_attrs(
        aspect_ratio_range, area_range, max_attempts, use_image_if_no_bounding_boxes
    )
    with name_scope(name, "sample_distorted_bounding_box"):
        inputs = [image_size, bounding_boxes, min_object_covered]
        seeds = {"seed": int(seed or 0), "seed2": int(seed2 or 0)}
        return op_outputs(build(SAMPLE_DISTORTED_BOUNDING_BOX_V2, inputs, None, **seeds, **attrs))


def sample_distorted_bounding_box_v2(
    image_size,
    bounding_boxes,
    seed=0,
    min_object_covered=0.1,
    aspect_ratio_range=None,
    area_range=None,
    max_attempts=None,
    use_image_if_no_bounding_boxes=None,
    name=None,
) -> tuple:
    """TF2's :func:`sample_distorted_bounding_box`: one ``seed``, combined with the
    graph's seed as random ops do."""
    seed1, seed2 = random_ops.get_seed(seed) if seed else (0, 0)
    return sample_distorted_bounding_box(
        image_size,
        bounding_boxes,
        seed1,
        seed2,
        min_object_covered,
        aspect_ratio_range,
        area_range,
        max_attempts,
        use_image_if_no_bounding_boxes,
        name,
    )
