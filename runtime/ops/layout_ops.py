"""Moving blocks of space into depth or batch and back: ``space_to_depth``,
``depth_to_space``, ``space_to_batch_nd``, ``batch_to_space_nd`` (and TF1's
``space_to_batch``/``batch_to_space`` with one square block size), and the patches of
images and volumes (``extract_image_patches``, ``extract_volume_patches``): every window
of a convolution, laid out along the depth.

``SpaceToBatchND`` pads the spatial dimensions, cuts them into blocks and stacks the
block positions in front of the batch: batch entry ``(i * block_w + j) * batch + b``
holds the pixels at offset ``(i, j)`` of every block of image ``b``, which is how
atrous convolution runs a dilated filter as a dense one.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..kernels.layout import patch_geometry
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from .concat_ops import stack
from .constant_value import constant_value, known_value
from .core import convert_to_tensor, deprecated_argument_lookup
from .fill_ops import zeros
from .packing import build
from .shape_ops import shape
from .shape_util import merge_dim, merge_shapes, with_rank, with_rank_at_least

# TF2's top-level names; TF1's (space_to_depth, batch_to_space_nd, the square-block
# space_to_batch ...) are in array_ops.V1_OVERRIDES, tf.nn's in the nn namespace.
__all__ = [
    "batch_to_space",
    "extract_volume_patches",
    "required_space_to_batch_paddings",
    "space_to_batch",
    "space_to_batch_nd",
]  # with_space_to_batch is tf.nn's (runtime.nn)

_FORMATS = "data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'"


# -- space_to_depth, depth_to_space --------------------------------------------------------


def _depth_shape(to_depth: bool):
    def shape_fn(input: TensorSpec, *, T, block_size, data_format):
        shape = with_rank(input.shape, 4).as_tuple()
        channels_first = data_format == "NCHW"
        b, c, h, w = (
            (shape[0], shape[1], shape[2], shape[3])
            if channels_first
            else (shape[0], shape[3], shape[1], shape[2])
        )
        square = block_size * block_size
        if to_depth:
            for size in (h, w):
                if size is not None and size % block_size:
                    raise ValueError(
                        f"Dimension size must be evenly divisible by {block_size} but is {size}"
                    )
            h, w = (None if d is None else d // block_size for d in (h, w))
            c = None if c is None else c * square
        else:
            if c is not None and c % square:
                raise ValueError(f"Dimension size must be evenly divisible by {square} but is {c}")
            h, w = (None if d is None else d * block_size for d in (h, w))
            c = None if c is None else c // square
        dims = [b, c, h, w] if channels_first else [b, h, w, c]
        return [TensorSpec(T, TensorShape(dims))]

    return shape_fn


SPACE_TO_DEPTH = register_op(
    OpDef(
        "SpaceToDepth",
        ("input: T",),
        ("output: T",),
        ("T: type", "block_size: int >= 2", _FORMATS),
        _depth_shape(to_depth=True),
    )
)
DEPTH_TO_SPACE = register_op(
    OpDef(
        "DepthToSpace",
        ("input: T",),
        ("output: T",),
        ("T: type", "block_size: int >= 2", _FORMATS),
        _depth_shape(to_depth=False),
    )
)


def space_to_depth(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """Each ``block_size`` x ``block_size`` block of pixels becomes one pixel with
    ``block_size**2`` times the channels (in row-major block order).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = space_to_depth(tf.reshape(tf.range(16), [1, 4, 4, 1]), 2)
    ...     print(y.shape, tf.compat.v1.Session().run(y)[0, 0, 0].tolist())
    (1, 2, 2, 4) [0, 1, 4, 5]
    """
    return build(
        SPACE_TO_DEPTH, [input], name, block_size=block_size, data_format=data_format
    ).outputs[0]


def space_to_depth_v2(input, block_size, data_format="NHWC", name=None) -> Tensor:
    """TF2's argument order of :func:`space_to_depth`."""
    return space_to_depth(input, block_size, name, data_format)


def depth_to_space(input, block_size, name=None, data_format="NHWC") -> Tensor:
    """The inverse of :func:`space_to_depth`: channels spread into blocks of pixels.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = depth_to_space(tf.reshape(tf.range(8), [1, 1, 2, 4]), 2)
    ...     print(y.shape, tf.compat.v1.Session().run(y)[0, :, :, 0].tolist())
    (1, 2, 4, 1) [[0, 1, 4, 5], [2, 3, 6, 7]]
    """
    return build(
        DEPTH_TO_SPACE, [input], name, block_size=block_size, data_format=data_format
    ).outputs[0]


def depth_to_space_v2(input, block_size, data_format="NHWC", name=None) -> Tensor:
    """TF2's argument order of :func:`depth_to_space`."""
    return depth_to_space(input, block_size, name, data_format)


# -- space_to_batch_nd, batch_to_space_nd --------------------------------------------------


def _blocks_and_edges(input: TensorSpec, block_shape: TensorSpec, edges: TensorSpec):
    """The static rank checks both ops share; the block sizes and pads/crops if known."""
    with_rank(block_shape.shape, 1)
    return _edges(input, block_shape.shape.dim_value(0), known_value(block_shape), edges)


def _edges(input: TensorSpec, count, blocks, edges: TensorSpec):
    with_rank(edges.shape, 2)
    count = merge_dim(count, edges.shape.dim_value(0))
    merge_dim(edges.shape.dim_value(1), 2)
    if count is not None:
        with_rank_at_least(input.shape, count + 1)
    pads = known_value(edges)
    if blocks is not None and (blocks < 1).any():
        raise ValueError(f"block_shape must be positive, got {blocks.tolist()}")
    if pads is not None and (pads < 0).any():
        raise ValueError(f"paddings and crops must be non-negative, got {pads.tolist()}")
    return count, blocks, pads


def _space_to_batch_dims(input: TensorSpec, count, blocks, pads) -> TensorShape:
    if input.shape.rank is None or count is None:
        return TensorShape(None)
    dims = list(input.shape.as_tuple())
    if blocks is None:
        return TensorShape([None] * (count + 1) + dims[count + 1 :])
    dims[0] = None if dims[0] is None else dims[0] * int(np.prod(blocks))
    for i in range(count):
        size = dims[i + 1]
        if size is None or pads is None:
            dims[i + 1] = None
            continue
        padded = size + int(pads[i].sum())
        if padded % int(blocks[i]):
            raise ValueError(
                f"Dimension size must be evenly divisible by {int(blocks[i])} but is {padded}"
            )
        dims[i + 1] = padded // int(blocks[i])
    return TensorShape(dims)


def _batch_to_space_dims(input: TensorSpec, count, blocks, cuts) -> TensorShape:
    if input.shape.rank is None or count is None:
        return TensorShape(None)
    dims = list(input.shape.as_tuple())
    if blocks is None:
        return TensorShape([None] * (count + 1) + dims[count + 1 :])
    if dims[0] is not None:
        for block in blocks.tolist():  # as TF's: one block size at a time
            if dims[0] % block:
                raise ValueError(
                    f"Dimension size must be evenly divisible by {block} but is {dims[0]}"
                )
            dims[0] //= block
    for i in range(count):
        size = dims[i + 1]
        if size is None or cuts is None:
            dims[i + 1] = None
            continue
        cropped = size * int(blocks[i]) - int(cuts[i].sum())
        if cropped < 0:
            raise ValueError(f"cropped_shape[{i}]={cropped} must be non-negative")
        dims[i + 1] = cropped
    return TensorShape(dims)


def _space_to_batch_shape(
    input: TensorSpec, block_shape: TensorSpec, paddings: TensorSpec, *, T, Tblock_shape, Tpaddings
):
    edges = _blocks_and_edges(input, block_shape, paddings)
    return [TensorSpec(T, _space_to_batch_dims(input, *edges))]


def _batch_to_space_shape(
    input: TensorSpec, block_shape: TensorSpec, crops: TensorSpec, *, T, Tblock_shape, Tcrops
):
    edges = _blocks_and_edges(input, block_shape, crops)
    return [TensorSpec(T, _batch_to_space_dims(input, *edges))]


def _square_blocks(dims_fn):
    """The shape function of TF1's ``SpaceToBatch``/``BatchToSpace``: the ND op's with
    two spatial dimensions of ``block_size`` and a 4-D input."""

    def shape_fn(input: TensorSpec, edges: TensorSpec, *, T, block_size, **_index_types):
        with_rank(input.shape, 4)
        count, blocks, pads = _edges(input, 2, np.array([block_size] * 2), edges)
        return [TensorSpec(T, dims_fn(input, count, blocks, pads))]

    return shape_fn


_INDEX = "{int32, int64} = DT_INT32"
SPACE_TO_BATCH_ND = register_op(
    OpDef(
        "SpaceToBatchND",
        ("input: T", "block_shape: Tblock_shape", "paddings: Tpaddings"),
        ("output: T",),
        ("T: type", f"Tblock_shape: {_INDEX}", f"Tpaddings: {_INDEX}"),
        _space_to_batch_shape,
    )
)
BATCH_TO_SPACE_ND = register_op(
    OpDef(
        "BatchToSpaceND",
        ("input: T", "block_shape: Tblock_shape", "crops: Tcrops"),
        ("output: T",),
        ("T: type", f"Tblock_shape: {_INDEX}", f"Tcrops: {_INDEX}"),
        _batch_to_space_shape,
    )
)


SPACE_TO_BATCH = register_op(
    OpDef(
        "SpaceToBatch",
        ("input: T", "paddings: Tpaddings"),
        ("output: T",),
        ("T: type", f"Tpaddings: {_INDEX}", "block_size: int >= 2"),
        _square_blocks(_space_to_batch_dims),
    )
)
BATCH_TO_SPACE = register_op(
    OpDef(
        "BatchToSpace",
        ("input: T", "crops: Tidx"),
        ("output: T",),
        ("T: type", "block_size: int >= 2", f"Tidx: {_INDEX}"),
        _square_blocks(_batch_to_space_dims),
    )
)


def space_to_batch_nd(input, block_shape, paddings, name=None) -> Tensor:
    """``input``'s spatial dimensions (those after the batch, one per ``block_shape``
    entry) padded by ``paddings`` and cut into blocks moved to the batch.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = space_to_batch_nd(tf.reshape(tf.range(16), [1, 4, 4, 1]), [2, 2], [[0, 0], [0, 0]])
    ...     print(y.shape, tf.compat.v1.Session().run(y)[:, 0, 0, 0].tolist())
    (4, 2, 2, 1) [0, 1, 4, 5]
    """
    return build(SPACE_TO_BATCH_ND, [input, block_shape, paddings], name).outputs[0]


def batch_to_space_nd(input, block_shape, crops, name=None) -> Tensor:
    """The inverse of :func:`space_to_batch_nd`: batch blocks back into space, then
    ``crops`` cut off.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(16), [1, 4, 4, 1])
    ...     y = batch_to_space_nd(space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]]), [2, 2], [[0, 0], [0, 0]])
    ...     print(y.shape, bool((tf.compat.v1.Session().run(y - x) == 0).all()))
    (1, 4, 4, 1) True
    """
    return build(BATCH_TO_SPACE_ND, [input, block_shape, crops], name).outputs[0]


def space_to_batch(input, block_shape, paddings, name=None) -> Tensor:
    """TF2's ``tf.space_to_batch``: :func:`space_to_batch_nd`."""
    return space_to_batch_nd(input, block_shape, paddings, name)


def batch_to_space(input, block_shape, crops, name=None) -> Tensor:
    """TF2's ``tf.batch_to_space``: :func:`batch_to_space_nd` (an int ``block_shape`` is
    a square block)."""
    if isinstance(block_shape, int):
        block_shape = np.array([block_shape, block_shape], dtype=np.int64)
    return batch_to_space_nd(input, block_shape, crops, name)


def space_to_batch_v1(input, paddings, block_size=None, name=None, block_shape=None) -> Tensor:
    """TF1's ``space_to_batch``: :func:`space_to_batch_nd` of 4-D ``input`` with square
    blocks of ``block_size``."""
    block_size = deprecated_argument_lookup("block_shape", block_shape, "block_size", block_size)
    result = space_to_batch_nd(input, np.array([block_size] * 2, np.int64), paddings, name)
    result.set_shape(with_rank(result.shape, 4))
    return result


def batch_to_space_v1(input, crops, block_size, name=None, block_shape=None) -> Tensor:
    """TF1's ``batch_to_space``: :func:`batch_to_space_nd` of 4-D ``input`` with square
    blocks of ``block_size``."""
    block_size = deprecated_argument_lookup("block_shape", block_shape, "block_size", block_size)
    result = batch_to_space_nd(input, np.array([block_size] * 2, np.int64), crops, name)
    result.set_shape(with_rank(result.shape, 4))
    return result


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """The ``paddings`` and ``crops`` that make ``input_shape`` (spatial dims, padded by
    ``base_paddings``) divisible by ``block_shape``: the extra padding goes at the end,
    and the crops take it off again after :func:`batch_to_space_nd`.

    Returns
    -------
    (Tensor, Tensor)
        int32 ``[num_block_dims, 2]`` each; constants when all the inputs are known.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     pads, crops = required_space_to_batch_paddings([5, 7], [2, 3])
    ...     print(tf.compat.v1.Session().run([pads, crops]))
    [array([[0, 1],
           [0, 2]], dtype=int32), array([[0, 1],
           [0, 2]], dtype=int32)]
    """
    with name_scope(name, "required_space_to_batch_paddings", [input_shape, block_shape]):
        input_shape = convert_to_tensor(input_shape, dtypes.int32, name="input_shape")
        block_shape = convert_to_tensor(block_shape, dtypes.int32, name="block_shape")
        if not block_shape.shape.is_fully_defined():
            raise ValueError(f"Shape {block_shape.shape} is not fully defined")
        count = with_rank(block_shape.shape, 1).dim_value(0)
        if count == 0:
            return zeros([0, 2], dtypes.int32), zeros([0, 2], dtypes.int32)
        merge_shapes(input_shape.shape, TensorShape([count]))
        if base_paddings is None:
            base_paddings = zeros([count, 2], dtypes.int32)
        base_paddings = convert_to_tensor(base_paddings, dtypes.int32, name="base_paddings")
        merge_shapes(base_paddings.shape, TensorShape([count, 2]))
        known = [constant_value(t) for t in (block_shape, input_shape, base_paddings)]
        if all(value is not None for value in known):  # numpy all the way: constants
            block_shape, input_shape, base_paddings = known
        pad_start, pad_end = base_paddings[:, 0], base_paddings[:, 1]
        padded = input_shape + pad_start + pad_end
        extra = (block_shape - padded % block_shape) % block_shape
        pad_end = pad_end + extra
        paddings = stack([[pad_start[i], pad_end[i]] for i in range(count)], name="paddings")
        crops = stack([[0, extra[i]] for i in range(count)], name="crops")
        return paddings, crops


def _over_leading_dims(value, fill, spatial_dims: list):
    """``value`` (a row per spatial dim) spread over dims ``1 .. max(spatial_dims)``,
    rows of ``fill`` for the dims that are not spatial (a no-op block there)."""
    known = constant_value(value) if isinstance(value, Tensor) else np.asarray(value)
    if known is not None:
        out = np.full((spatial_dims[-1], *known.shape[1:]), fill, dtype=known.dtype)
        out[[d - 1 for d in spatial_dims]] = known
        return out
    filler = np.full(value.shape.as_list()[1:], fill, dtype=value.dtype.as_numpy_dtype)
    rows = [
        value[spatial_dims.index(d)] if d in spatial_dims else filler
        for d in range(1, spatial_dims[-1] + 1)
    ]
    return stack(rows)


def with_space_to_batch(
    input, dilation_rate, padding, op, filter_shape=None, spatial_dims=None, data_format=None
) -> Tensor:
    """``op(input, num_spatial_dims, padding)`` made atrous: the spatial dims of
    ``input`` sampled every ``dilation_rate`` by moving them into the batch
    (:func:`space_to_batch_nd`), ``op`` run with ``"VALID"`` padding there, and the
    result moved back (:func:`batch_to_space_nd`), with the padding ``"SAME"`` needs
    for a ``filter_shape`` window. A rate of all ones calls ``op`` on ``input`` as it is.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    ...     def pick(batched, dims, padding):  # the top left of each 2 x 2 window
    ...         return batched[:, :-1, :-1, :]
    ...     y = with_space_to_batch(x, [2, 2], "VALID", pick)
    ...     print(tf.compat.v1.Session().run(y)[0, :, :, 0].tolist())
    [[0.0, 1.0], [4.0, 5.0]]
    """
    input = convert_to_tensor(input, name="input")
    rate = convert_to_tensor(dilation_rate, dtypes.int32, name="dilation_rate")
    if rate.shape.rank not in (None, 1):
        raise ValueError(
            f"`dilation_rate.shape.rank` must be 1. Received: dilation_rate={dilation_rate} of "
            f"rank {rate.shape.rank}"
        )
    if not rate.shape.is_fully_defined():
        raise ValueError(
            f"`dilation_rate.shape` must be fully defined. Received: dilation_rate={dilation_rate}"
        )
    count = rate.shape.dim_value(0)
    channels_first = bool(data_format) and data_format.startswith("NC")
    first = 2 if channels_first else 1
    dims = list(range(first, first + count)) if spatial_dims is None else list(spatial_dims)
    if dims != sorted({int(d) for d in dims}) or any(d < 1 for d in dims):
        raise ValueError(
            "`spatial_dims` must be a monotonically increasing sequence of positive integers. "
            f"Received: spatial_dims={list(dims)}"
        )
    needed = dims[-1] if channels_first else dims[-1] + 1
    if input.shape.rank is not None and input.shape.rank < needed:
        raise ValueError(
            f"`input.shape.rank` must be at least {needed}. Received: input.shape="
            f"{input.shape} with rank {input.shape.rank}"
        )
    known_rate = constant_value(rate)
    if known_rate is not None:
        if (known_rate < 1).any():
            raise ValueError(
                f"`dilation_rate` must be positive. Received: dilation_rate={known_rate}"
            )
        if (known_rate == 1).all():
            return op(input, count, padding)
    rate_value = rate if known_rate is None else known_rate
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError(
                "`filter_shape` must be specified for `padding='SAME'`. Received: "
                f"filter_shape={filter_shape} and padding={padding}"
            )
        filter_shape = convert_to_tensor(filter_shape, name="filter_shape")
        known_filter = constant_value(filter_shape)
        window = filter_shape if known_filter is None else known_filter
        # The dilated window's extra extent, half before (the smaller half) and half after.
        extra = (window[:count] - 1) * rate_value
        base = stack([[extra[i] // 2, extra[i] - extra[i] // 2] for i in range(count)])
    elif padding == "VALID":
        base = np.zeros([count, 2], np.int32)
    else:
        raise ValueError(f"`padding` must be one of 'SAME' or 'VALID'. Received: padding={padding}")
    static = input.shape.as_list() if input.shape.rank is not None else None
    sizes = None if static is None else [static[d] for d in dims]
    if sizes is None or None in sizes:
        sizes = stack([shape(input)[d] for d in dims])
    paddings, crops = required_space_to_batch_paddings(sizes, rate, base)
    block = _over_leading_dims(rate, 1, dims)
    moved = space_to_batch_nd(input, block, _over_leading_dims(paddings, 0, dims))
    result = op(moved, count, "VALID")
    return batch_to_space_nd(result, block, _over_leading_dims(crops, 0, dims))


# -- patches -------------------------------------------------------------------------------


def _patches_shape(rank: int, attrs: dict, input: TensorSpec):
    """The output shape of ExtractImagePatches (rank 4) or ExtractVolumePatches (5)."""
    dims = with_rank(input.shape, rank).as_tuple()
    ksizes, strides = attrs["ksizes"], attrs["strides"]
    rates = attrs.get("rates", [1] * rank)
    op_type = "ExtractImagePatches" if rank == 4 else "ExtractVolumePatches"
    for name, values in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(values) != rank:
            raise ValueError(
                f"{op_type} requires the {name} attribute to contain {rank} values, but got: "
                f"{len(values)}"
            )
        if values[0] != 1 or values[-1] != 1:
            raise ValueError(
                f"{op_type} is only supported across spatial dimensions: {name} must be 1 "
                f"for the batch and the depth, got {list(values)}"
            )
    spatial = [
        None
        if size is None
        else patch_geometry(size, ksizes[i + 1], strides[i + 1], rates[i + 1], attrs["padding"])[0]
        for i, size in enumerate(dims[1:-1])
    ]
    taps = int(np.prod(ksizes))
    depth = None if dims[-1] is None else dims[-1] * taps
    return [TensorSpec(attrs["T"], TensorShape([dims[0], *spatial, depth]))]


_PADDING = "padding: {'SAME', 'VALID'}"
EXTRACT_IMAGE_PATCHES = register_op(
    OpDef(
        "ExtractImagePatches",
        ("images: T",),
        ("patches: T",),
        (
            "ksizes: list(int) >= 4",
            "strides: list(int) >= 4",
            "rates: list(int) >= 4",
            "T: {bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, "
            "uint16, uint32, uint64, complex64, complex128, bool}",
            _PADDING,
        ),
        lambda images, **attrs: _patches_shape(4, attrs, images),
    )
)
EXTRACT_VOLUME_PATCHES = register_op(
    OpDef(
        "ExtractVolumePatches",
        ("input: T",),
        ("patches: T",),
        (
            "ksizes: list(int) >= 5",
            "strides: list(int) >= 5",
            "T: {float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, "
            "float16, uint32, uint64}",
            _PADDING,
        ),
        lambda input, **attrs: _patches_shape(5, attrs, input),
    )
)


def extract_image_patches_v2(images, sizes, strides, rates, padding, name=None) -> Tensor:
    """Every ``sizes`` window of each image (``[batch, rows, cols, depth]``), taken
    every ``strides`` pixels with its taps ``rates`` apart, flattened into the depth:
    ``[batch, out_rows, out_cols, rows * cols * depth]`` (``tf.image.extract_patches``;
    ``"SAME"`` padding reads zeros outside).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     image = tf.reshape(tf.range(16), [1, 4, 4, 1])
    ...     p = extract_image_patches_v2(image, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    ...     print(tf.compat.v1.Session().run(p)[0, 0].tolist())
    [[0, 1, 4, 5], [2, 3, 6, 7]]
    """
    return build(
        EXTRACT_IMAGE_PATCHES,
        [images],
        name,
        ksizes=list(sizes),
        strides=list(strides),
        rates=list(rates),
        padding=padding,
    ).outputs[0]


def extract_image_patches(
    images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None
) -> Tensor:
    """TF1's :func:`extract_image_patches_v2` (``ksizes``, or its new name ``sizes``)."""
    ksizes = deprecated_argument_lookup("sizes", sizes, "ksizes", ksizes)
    return extract_image_patches_v2(images, ksizes, strides, rates, padding, name)


def extract_volume_patches(input, ksizes, strides, padding, name=None) -> Tensor:
    """Every ``ksizes`` window of each volume (``[batch, planes, rows, cols, depth]``),
    taken every ``strides``, flattened into the depth.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     volume = tf.zeros([1, 4, 4, 4, 2])
    ...     print(extract_volume_patches(volume, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID").shape)
    (1, 2, 2, 2, 16)
    """
    return build(
        EXTRACT_VOLUME_PATCHES,
        [input],
        name,
        ksizes=list(ksizes),
        strides=list(strides),
        padding=padding,
    ).outputs[0]
