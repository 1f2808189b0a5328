"""``tf.image``: resizing (bilinear, nearest neighbour, bicubic), flips and rotations,
crops and pads, ``crop_and_resize``, colour and dtype conversions, brightness and
contrast, and PNG/JPEG coding, as TF 2.21's ``tf.compat.v1.image``.

Images are ``[height, width, channels]`` or a batch ``[batch, height, width,
channels]``. The resize ops are TF's (``ResizeBilinear`` ...) with its
``align_corners``/``half_pixel_centers`` arithmetic (:mod:`runtime.kernels.image`), and
TF2's Lanczos, Gaussian, Mitchell and antialiased resizes are ``ScaleAndTranslate``
(:mod:`runtime.kernels.image_scale`);
the rest is built from array and math ops as TF builds it, with TF's checks: static
ones raise ``ValueError`` while building, dynamic ones are ``Assert`` ops.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from .. import image_codec as _codec_kernels  # noqa: F401 - registers the PNG/JPEG kernels
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import control_dependencies, name_scope
from ..shapes import TensorShape
from . import math_ops, random_ops, string_ops
from .concat_ops import concat, stack, unstack
from .constant_value import constant_value, constant_value_as_shape, known_shape, known_value
from .control_flow_ops import case, cond
from .core import convert_to_tensor, deprecated_argument_lookup
from .fill_ops import ones, zeros
from .logging_ops import Assert
from .packing import build, convert_or_pack
from .placeholder_ops import identity
from .shape_ops import expand_dims, rank, reshape, shape, squeeze
from .shape_ops import transpose as transpose_op
from .shape_util import merge_dim, with_rank, with_rank_at_least
from .slicing_ops import reverse, slice
from .tile_pad_ops import pad, tile

__all__: list = []  # no top-level names: tf.image is runtime.image

_RESIZE_TYPES = (
    "{int8, uint8, int16, uint16, int32, int64, bfloat16, float16, float32, float64, bfloat16}"
)
_RESIZE_ATTRS = ("align_corners: bool = false", "half_pixel_centers: bool = false")


# -- resize ops ----------------------------------------------------------------------------


def _with_value(dim, value: int) -> None:
    """TF's ``WithValue``: a dimension that must be ``value`` when known."""
    if dim is not None and dim != value:
        raise ValueError(f"Dimension must be {value} but is {dim}")


def _resize_shape(
    images: TensorSpec, size: TensorSpec, *, T, align_corners, half_pixel_centers, out=None
):
    dims = with_rank(images.shape, 4).as_tuple()
    with_rank(size.shape, 1)
    _with_value(size.shape.dim_value(0), 2)
    target = known_shape(size)
    height, width = target.as_tuple() if target.rank == 2 else (None, None)
    return [TensorSpec(out or T, TensorShape([dims[0], height, width, dims[3]]))]


def _resize_op(op_type: str, types: str, float_output: bool) -> OpDef:
    def shape_fn(images, size, **attrs):
        return _resize_shape(images, size, out=dtypes.float32 if float_output else None, **attrs)

    output = "resized_images: float" if float_output else "resized_images: T"
    return register_op(
        OpDef(
            op_type,
            ("images: T", "size: int32"),
            (output,),
            (f"T: {types}", *_RESIZE_ATTRS),
            shape_fn,
        )
    )


RESIZE_BILINEAR = _resize_op("ResizeBilinear", _RESIZE_TYPES, True)
RESIZE_BICUBIC = _resize_op(
    "ResizeBicubic",
    "{int8, uint8, int16, uint16, int32, int64, float16, float32, float64, bfloat16}",
    True,
)
RESIZE_NEAREST_NEIGHBOR = _resize_op(
    "ResizeNearestNeighbor",
    "{int8, uint8, int16, uint16, int32, int64, float16, float32, float64, bfloat16}",
    False,
)
RESIZE_AREA = register_op(
    OpDef(
        "ResizeArea",
        ("images: T", "size: int32"),
        ("resized_images: float",),
        (
            "T: {int8, uint8, int16, uint16, int32, int64, float16, float32, float64, bfloat16}",
            "align_corners: bool = false",
        ),
        lambda images, size, **attrs: _resize_shape(
            images, size, out=dtypes.float32, half_pixel_centers=False, **attrs
        ),
    )
)


def resize_area(images, size, align_corners=False, name=None) -> Tensor:
    """``images`` resized to ``size``, each output pixel the mean of the input area it
    covers (float32; TF gives it no gradient).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = resize_area([[[[0.0], [2.0], [4.0], [6.0]]]], [1, 2])
    ...     print(tf.compat.v1.Session().run(y)[0, 0, :, 0])
    [1. 5.]
    """
    return build(RESIZE_AREA, [images, size], name, align_corners=bool(align_corners)).outputs[0]


def _image_like_shape(grads: TensorSpec, original_image: TensorSpec, *, T, **_attrs):
    with_rank(grads.shape, 4)
    return [TensorSpec(T, with_rank(original_image.shape, 4))]


RESIZE_BILINEAR_GRAD = register_op(
    OpDef(
        "ResizeBilinearGrad",
        ("grads: float", "original_image: T"),
        ("output: T",),
        ("T: {float32, bfloat16, float16, float64}", *_RESIZE_ATTRS),
        _image_like_shape,
    )
)
RESIZE_BICUBIC_GRAD = register_op(
    OpDef(
        "ResizeBicubicGrad",
        ("grads: float", "original_image: T"),
        ("output: T",),
        ("T: {float32, float64}", *_RESIZE_ATTRS),
        _image_like_shape,
    )
)


def _nearest_grad_shape(grads: TensorSpec, size: TensorSpec, *, T, **_attrs):
    dims = with_rank(grads.shape, 4).as_tuple()
    target = known_shape(size)
    height, width = target.as_tuple() if target.rank == 2 else (None, None)
    return [TensorSpec(T, TensorShape([dims[0], height, width, dims[3]]))]


RESIZE_NEAREST_NEIGHBOR_GRAD = register_op(
    OpDef(
        "ResizeNearestNeighborGrad",
        ("grads: T", "size: int32"),
        ("output: T",),
        ("T: {uint8, int8, int32, float16, float32, float64, bfloat16}", *_RESIZE_ATTRS),
        _nearest_grad_shape,
    )
)


_SCALE_AND_TRANSLATE_ATTRS = ("kernel_type: string = 'lanczos3'", "antialias: bool = true")


def _scale_and_translate_shape(images: TensorSpec, size: TensorSpec, scale, translation, *, T, **_):
    return _resize_shape(
        images, size, T=T, align_corners=False, half_pixel_centers=False, out=dtypes.float32
    )


SCALE_AND_TRANSLATE = register_op(
    OpDef(
        "ScaleAndTranslate",
        ("images: T", "size: int32", "scale: float", "translation: float"),
        ("resized_images: float",),
        (
            "T: {int8, uint8, int16, uint16, int32, int64, bfloat16, float16, float32, float64}",
            *_SCALE_AND_TRANSLATE_ATTRS,
        ),
        _scale_and_translate_shape,
    )
)
SCALE_AND_TRANSLATE_GRAD = register_op(
    OpDef(
        "ScaleAndTranslateGrad",
        ("grads: T", "original_image: T", "scale: float", "translation: float"),
        ("output: T",),
        ("T: {float32}", *_SCALE_AND_TRANSLATE_ATTRS),
        # TF's shape function: the original image's shape, unchecked.
        lambda grads, original_image, scale, translation, *, T, **_: [
            TensorSpec(T, original_image.shape)
        ],
    )
)


def scale_and_translate(
    images, size, scale, translation, kernel_type="lanczos3", antialias=True, name=None
) -> Tensor:
    """TF's ``ScaleAndTranslate`` op (``gen_image_ops.scale_and_translate``): ``images``
    resampled to ``size`` by the sampling kernel ``kernel_type`` (``lanczos1``,
    ``lanczos3``, ``lanczos5``, ``gaussian``, ``box``, ``triangle``, ``keyscubic``,
    ``mitchellcubic``), output pixel ``x`` sampling the input at
    ``(x + 0.5 - translation) / scale``; ``antialias`` widens the kernel when
    downscaling (float32).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = scale_and_translate([[[[0.0], [2.0], [4.0], [6.0]]]], [1, 2], [1.0, 0.5], [0.0, 0.0],
    ...                             kernel_type="triangle", antialias=False)
    ...     print(tf.compat.v1.Session().run(y)[0, 0, :, 0])
    [1. 5.]
    """
    return build(
        SCALE_AND_TRANSLATE,
        [images, size, scale, translation],
        name,
        kernel_type=kernel_type,
        antialias=bool(antialias),
    ).outputs[0]


def _resizer(op_def: OpDef):
    def resize(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
        return build(
            op_def,
            [images, size],
            name,
            align_corners=bool(align_corners),
            half_pixel_centers=bool(half_pixel_centers),
        ).outputs[0]

    return resize


resize_bilinear = _resizer(RESIZE_BILINEAR)
resize_bilinear.__name__ = resize_bilinear.__qualname__ = "resize_bilinear"
resize_bilinear.__doc__ = """``images`` resized to ``size`` by bilinear interpolation (float32).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = resize_bilinear([[[[0.0], [4.0]]]], [1, 4])
    ...     print(tf.compat.v1.Session().run(y)[0, 0, :, 0])
    [0. 2. 4. 4.]
    """
resize_nearest_neighbor = _resizer(RESIZE_NEAREST_NEIGHBOR)
resize_nearest_neighbor.__name__ = resize_nearest_neighbor.__qualname__ = "resize_nearest_neighbor"
resize_nearest_neighbor.__doc__ = """``images`` resized to ``size``, each pixel the nearest
    source pixel (same dtype)."""
resize_bicubic = _resizer(RESIZE_BICUBIC)
resize_bicubic.__name__ = resize_bicubic.__qualname__ = "resize_bicubic"
resize_bicubic.__doc__ = """``images`` resized to ``size`` by bicubic interpolation (float32)."""


class ResizeMethodV1:
    """TF1's ``tf.image.ResizeMethod``: resize methods as numbers."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


class ResizeMethod:
    """TF2's ``tf.image.ResizeMethod``: resize methods as names."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


_RESIZERS = {
    ResizeMethodV1.BILINEAR: RESIZE_BILINEAR,
    ResizeMethod.BILINEAR: RESIZE_BILINEAR,
    ResizeMethodV1.NEAREST_NEIGHBOR: RESIZE_NEAREST_NEIGHBOR,
    ResizeMethod.NEAREST_NEIGHBOR: RESIZE_NEAREST_NEIGHBOR,
    ResizeMethodV1.BICUBIC: RESIZE_BICUBIC,
    ResizeMethod.BICUBIC: RESIZE_BICUBIC,
    ResizeMethodV1.AREA: RESIZE_AREA,
    ResizeMethod.AREA: RESIZE_AREA,
}

_RESIZERS_V2 = {
    ResizeMethod.BILINEAR: RESIZE_BILINEAR,
    ResizeMethod.NEAREST_NEIGHBOR: RESIZE_NEAREST_NEIGHBOR,
    ResizeMethod.BICUBIC: RESIZE_BICUBIC,
    ResizeMethod.AREA: RESIZE_AREA,
}
# TF2's methods that are ScaleAndTranslate's kernels, and those antialiasing makes so.
_SAMPLED = (
    ResizeMethod.LANCZOS3,
    ResizeMethod.LANCZOS5,
    ResizeMethod.GAUSSIAN,
    ResizeMethod.MITCHELLCUBIC,
)
_ANTIALIASED = {ResizeMethod.BILINEAR: "triangle", ResizeMethod.BICUBIC: "keyscubic"}


def _resize_images_common(images, resizer, size, preserve_aspect_ratio, name, skip_if_same):
    """TF's ``_resize_images_common``: a 3-D image gets a batch of one, ``resizer``
    ``(images, size) -> resized`` makes the op; the output's static height and width
    come from a known ``size``."""
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.rank is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.shape.rank == 4
        if images.shape.rank == 3:
            images = expand_dims(images, 0)
        elif images.shape.rank != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        try:  # a list holding tensors is packed, as TF's conversion does
            size = convert_or_pack(size, "size", dtype=dtypes.int32)
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            size = _aspect_preserving_size(images, size)
        new = constant_value_as_shape(size)
        new_height, new_width = new.as_tuple() if new.rank == 2 else (None, None)
        if (
            skip_if_same
            and None not in (height, width)
            and (height, width) == (new_height, new_width)
        ):
            return images if is_batch else squeeze(images, axis=[0])
        images = resizer(images, size)
        images.set_shape([None, new_height, new_width, None])
        return images if is_batch else squeeze(images, axis=[0])


def _aspect_preserving_size(images, size) -> Tensor:
    """The largest size within ``size`` of ``images``' aspect ratio (TF's float32
    arithmetic; computed now when the sizes are known, as TF's shape inference does)."""
    _, height, width, _ = _image_dimensions(images, 4)
    wanted = constant_value(size)
    if wanted is not None and not _is_tensor(height) and not _is_tensor(width):
        f32 = np.float32
        factor = min(f32(wanted[0]) / f32(height), f32(wanted[1]) / f32(width))
        scaled = [int(np.round(factor * f32(d))) for d in (height, width)]
        return convert_to_tensor(scaled, dtypes.int32, name="size")
    as_float = lambda x: math_ops.cast(x, dtypes.float32)  # noqa: E731
    factor = math_ops.minimum(
        as_float(size[0]) / as_float(height), as_float(size[1]) / as_float(width)
    )
    scaled = [
        math_ops.cast(math_ops.round(factor * as_float(d)), dtypes.int32) for d in (height, width)
    ]
    return convert_to_tensor(stack(scaled), dtypes.int32, name="size")


def resize_images(
    images,
    size,
    method=ResizeMethodV1.BILINEAR,
    align_corners=False,
    preserve_aspect_ratio=False,
    name=None,
) -> Tensor:
    """TF1's ``tf.image.resize_images``: ``images`` resized to ``size`` by ``method``
    (TF's legacy pixel mapping; an image already of ``size`` is returned as it is).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = resize_images(tf.zeros([4, 6, 3]), [2, 3])
    >>> y.shape, y.dtype
    (TensorShape([Dimension(2), Dimension(3), Dimension(3)]), tf.float32)
    """

    def resizer(images, size) -> Tensor:
        op_def = _RESIZERS.get(method)
        if op_def is None:
            raise ValueError(f"Resize method is not implemented: {method}")
        return build(op_def, [images, size], None, align_corners=bool(align_corners)).outputs[0]

    return _resize_images_common(images, resizer, size, preserve_aspect_ratio, name, True)


def resize(
    images,
    size,
    method=ResizeMethod.BILINEAR,
    preserve_aspect_ratio=False,
    antialias=False,
    name=None,
) -> Tensor:
    """TF2's ``tf.image.resize``: half-pixel centers; the Lanczos, Gaussian and
    Mitchell methods, and bilinear and bicubic with ``antialias`` (a low-pass filter
    when downscaling), are :func:`scale_and_translate` with TF's sampling kernels.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = resize([[[[0.0], [4.0]]]], [1, 4])
    ...     print(tf.compat.v1.Session().run(y)[0, 0, :, 0])
    [0. 1. 3. 4.]
    """

    def resizer(images, size) -> Tensor:
        kernel_type = _ANTIALIASED.get(method) if antialias else None
        if method in _SAMPLED:
            kernel_type = method
        if kernel_type is not None:
            as_float = lambda x: math_ops.cast(x, dtypes.float32)  # noqa: E731
            scale = as_float(size) / as_float(shape(images)[1:3])
            return scale_and_translate(
                images, size, scale, zeros([2]), kernel_type=kernel_type, antialias=antialias
            )
        op_def = _RESIZERS_V2.get(method)
        if op_def is None:
            raise ValueError(f"Resize method is not implemented: {method}")
        attrs = {} if op_def is RESIZE_AREA else {"half_pixel_centers": True}
        return build(op_def, [images, size], None, **attrs).outputs[0]

    return _resize_images_common(images, resizer, size, preserve_aspect_ratio, name, False)


def _resize_with_pad(image, target_height, target_width, resize_fn) -> Tensor:
    """TF's ``_resize_image_with_pad_common``: ``image`` scaled by one factor to fit
    ``target_height`` x ``target_width``, then centred with zero padding."""
    with name_scope(None, "resize_image_with_pad", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _batched(image)
        checks = _check_3d_image(image)
        checks += _assert(_gt(target_width, 0), ValueError, "target_width must be > 0.")
        checks += _assert(_gt(target_height, 0), ValueError, "target_height must be > 0.")
        image = _with_checks(checks, image)
        _, height, width, _ = _image_dimensions(image, 4)

        def as_float(x):
            return math_ops.cast(x, dtypes.float32)

        f_height, f_width = as_float(height), as_float(width)
        f_target_height, f_target_width = as_float(target_height), as_float(target_width)
        ratio = math_ops.maximum(f_width / f_target_width, f_height / f_target_height)
        new_height, new_width = f_height / ratio, f_width / ratio
        sizes = [math_ops.cast(math_ops.floor(x), dtypes.int32) for x in (new_height, new_width)]
        top, left = (
            math_ops.maximum(0, math_ops.cast(math_ops.floor((target - new) / 2), dtypes.int32))
            for target, new in ((f_target_height, new_height), (f_target_width, new_width))
        )
        resized = resize_fn(image, sizes)
        padded = pad_to_bounding_box(resized, top, left, target_height, target_width)
        return padded if is_batch else squeeze(padded, axis=[0])


def resize_image_with_pad_v1(
    image, target_height, target_width, method=ResizeMethodV1.BILINEAR, align_corners=False
) -> Tensor:
    """TF1's ``tf.image.resize_image_with_pad``: ``image`` resized by ``method`` (TF1's
    pixel mapping), keeping its aspect ratio, to fit ``target_height`` x
    ``target_width``, and padded with zeros around it to that size.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(resize_image_with_pad_v1(tf.ones([2, 4, 1]), 4, 4).shape)
    (4, 4, 1)
    """
    return _resize_with_pad(
        image,
        target_height,
        target_width,
        lambda im, size: resize_images(im, size, method, align_corners=align_corners),
    )


def resize_with_pad(
    image, target_height, target_width, method=ResizeMethod.BILINEAR, antialias=False
) -> Tensor:
    """TF2's ``tf.image.resize_with_pad``: :func:`resize_image_with_pad_v1` with
    :func:`resize` (half-pixel centers)."""
    return _resize_with_pad(
        image,
        target_height,
        target_width,
        lambda im, size: resize(im, size, method, antialias=antialias),
    )


# -- static and dynamic checks (TF's _CheckAtLeast3DImage, _assert) -----------------------


def _assert(condition, error: type, message: str) -> list:
    """A check: raised now if ``condition`` is a Python value, else an ``Assert`` op."""
    if isinstance(condition, Tensor):
        return [Assert(condition, [message])]
    if not condition:
        raise error(message)
    return []


def _check_3d_image(image: Tensor) -> list:
    try:
        if image.shape.rank is None:
            dims = image.shape.with_rank(3)
        else:
            dims = image.shape.with_rank_at_least(3)
    except ValueError:
        raise ValueError(
            f"'image' (shape {image.shape}) must be at least three-dimensional."
        ) from None
    if any(d == 0 for d in dims[-3:].as_tuple()):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {dims}")
    if dims[-3:].is_fully_defined():
        return []
    inner = shape(image)[-3:]
    return [
        Assert(
            math_ops.reduce_all(math_ops.greater(inner, 0)),
            ["inner 3 dims of 'image.shape' must be > 0."],
        ),
        Assert(
            math_ops.greater_equal(rank(image), 3), ["'image' must be at least three-dimensional."]
        ),
    ]


def _with_checks(checks: list, tensor: Tensor) -> Tensor:
    if not checks:
        return tensor
    with control_dependencies(checks):
        return identity(tensor)


def _image_dimensions(image: Tensor, rank_: int) -> list:
    """Each dimension: static when known, else a scalar tensor."""
    if image.shape.is_fully_defined():
        return image.shape.as_list()
    static = image.shape.with_rank(rank_).as_list()
    dynamic = unstack(shape(image), rank_)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def _batched(image: Tensor):
    """``image`` as a batch (a 3-D image gets a batch of one) and whether it was one."""
    image_rank = image.shape.rank
    if image_rank == 4:
        return image, True
    if image_rank == 3:
        return expand_dims(image, 0), False
    if image_rank is None:
        batch = expand_dims(image, 0)
        batch.set_shape([None] * 4)
        return batch, False
    raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


# -- flips, rotation, transpose ------------------------------------------------------------


def _by_rank(image: Tensor, rank3, rank4) -> Tensor:
    image_rank = image.shape.rank
    if image_rank is None:
        return cond(math_ops.equal(rank(image), 3), rank3, rank4)
    if image_rank == 3:
        return rank3()
    if image_rank == 4:
        return rank4()
    raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")


def _fix_flip_shape(image: Tensor, result: Tensor) -> Tensor:
    result.set_shape(image.shape if image.shape.rank is not None else [None, None, None])
    return result


def _flip(image, axis: int, scope_name: str) -> Tensor:
    with name_scope(None, scope_name, [image]):
        image = convert_to_tensor(image, name="image")
        image = _with_checks(_check_3d_image(image), image)
        return _by_rank(
            image,
            lambda: _fix_flip_shape(image, reverse(image, [axis])),
            lambda: reverse(image, [axis + 1]),
        )


def flip_left_right(image) -> Tensor:
    """``image`` mirrored left to right (each image of a batch).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = flip_left_right([[[1], [2], [3]]])
    ...     print(tf.compat.v1.Session().run(y)[0, :, 0].tolist())
    [3, 2, 1]
    """
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image) -> Tensor:
    """``image`` mirrored top to bottom (each image of a batch)."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, axis: int, seed, scope_name: str) -> Tensor:
    with name_scope(None, scope_name, [image]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _with_checks(_check_3d_image(image), image)

        def rank3():
            draw = random_ops.random_uniform(shape=[], minval=0, maxval=1.0, seed=seed)
            flipped = cond(
                math_ops.less(draw, 0.5), lambda: reverse(image, [axis]), lambda: image, name=scope
            )
            return _fix_flip_shape(image, flipped)

        def rank4():
            batch = shape(image)[:1]
            draw = random_ops.random_uniform(shape=batch, minval=0, maxval=1.0, seed=seed)
            flips = math_ops.cast(math_ops.round(reshape(draw, [-1, 1, 1, 1])), image.dtype)
            flipped = reverse(image, [axis + 1])
            return flips * flipped + (1 - flips) * image

        return _by_rank(image, rank3, rank4)


def random_flip_left_right(image, seed=None) -> Tensor:
    """``image`` mirrored left to right with probability 1/2 (per image of a batch),
    reproducibly under a graph-level and op ``seed``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = random_flip_left_right(tf.zeros([2, 3, 1]), seed=7)
    >>> y.shape
    TensorShape([Dimension(2), Dimension(3), Dimension(1)])
    """
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None) -> Tensor:
    """``image`` mirrored top to bottom with probability 1/2 (per image of a batch)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def rot90(image, k=1, name=None) -> Tensor:
    """``image`` rotated ``k`` quarter turns counter-clockwise.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = rot90([[[1], [2]], [[3], [4]]])
    ...     print(tf.compat.v1.Session().run(y)[:, :, 0].tolist())
    [[2, 4], [1, 3]]
    """
    with name_scope(name, "rot90", [image, k]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _with_checks(_check_3d_image(image), image)
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        k.shape.with_rank(0)
        turns = constant_value(k)
        k = math_ops.floormod(k, 4)
        return _by_rank(
            image,
            lambda: _rot90(image, k, turns, 0, scope),
            lambda: _rot90(image, k, turns, 1, scope),
        )


def _rot90(image: Tensor, k: Tensor, turns, batch: int, scope: str) -> Tensor:
    """Rotate axes ``batch`` and ``batch + 1``: a static ``turns`` picks the ops now,
    else TF's ``case`` of the four."""
    h, w = batch, batch + 1
    swap = list(range(image.shape.rank or 3 + batch))
    swap[h], swap[w] = w, h
    rotations = [
        lambda: identity(image),
        lambda: transpose_op(reverse(image, [w]), swap),
        lambda: reverse(image, [h, w]),
        lambda: reverse(transpose_op(image, swap), [w]),
    ]
    if turns is not None:
        result = rotations[int(turns) % 4]()
    else:
        result = case(
            [(math_ops.equal(k, i), rotations[i]) for i in (1, 2, 3)],
            default=rotations[0],
            exclusive=True,
            name=scope,
        )
    dims = image.shape.as_list() if image.shape.rank is not None else [None] * (3 + batch)
    result.set_shape([*dims[:batch], None, None, *dims[batch + 2 :]])
    return result


def transpose(image, name=None) -> Tensor:
    """``image`` with height and width swapped (``tf.image.transpose``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(transpose(tf.zeros([2, 5, 3])).shape)
    (5, 2, 3)
    """
    with name_scope(name, "transpose", [image]):
        image = convert_to_tensor(image, name="image")
        image = _with_checks(_check_3d_image(image), image)
        return _by_rank(
            image,
            lambda: transpose_op(image, [1, 0, 2], name=name),
            lambda: transpose_op(image, [0, 2, 1, 3], name=name),
        )


# -- crops and pads ------------------------------------------------------------------------


def central_crop(image, central_fraction) -> Tensor:
    """The central ``central_fraction`` (in ``(0, 1]``) of ``image``'s height and width.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(central_crop(tf.zeros([10, 8, 3]), 0.5).shape)
    (6, 4, 3)
    """
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        fraction = central_fraction
        static = constant_value(fraction) if isinstance(fraction, Tensor) else fraction
        if static is not None:
            if static <= 0.0 or static > 1.0:
                raise ValueError("central_fraction must be within (0, 1]")
            if static == 1.0:
                return image
        else:
            image = _with_checks(
                _assert(
                    math_ops.logical_and(
                        math_ops.greater(fraction, 0.0), math_ops.less_equal(fraction, 1.0)
                    ),
                    ValueError,
                    "central_fraction must be within (0, 1]",
                ),
                image,
            )
        _check_3d_image(image)
        image_rank = image.shape.rank
        if image_rank not in (3, 4):
            raise ValueError(
                "`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = "
                f"{image_rank}."
            )
        first = image_rank - 3
        sizes, starts, dynamic = [], [], []
        for axis in (first, first + 1):
            size = image.shape.dim_value(axis)
            is_dynamic = size is None or static is None
            if size is None:
                size = shape(image)[axis]
            if is_dynamic:
                as_double = math_ops.cast(size, dtypes.float64)
                start = math_ops.cast(
                    (as_double - as_double * math_ops.cast(fraction, dtypes.float64)) / 2,
                    dtypes.int32,
                )
            else:
                start = int((float(size) - float(size) * static) / 2)
            sizes.append(size - start * 2)
            starts.append(start)
            dynamic.append(is_dynamic)
        lead = [0] if image_rank == 4 else []
        begin = stack([*lead, *starts, 0])
        extent = stack([*([-1] if image_rank == 4 else []), *sizes, -1])
        cropped = slice(image, begin, extent)
        dims = image.shape.as_list()
        cropped.set_shape(
            dims[:first] + [None if d else s for d, s in zip(dynamic, sizes)] + dims[first + 2 :]
        )
        return cropped


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """The ``target_height`` x ``target_width`` window of ``image`` at
    ``(offset_height, offset_width)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(crop_to_bounding_box(tf.zeros([5, 6, 3]), 1, 2, 3, 4).shape)
    (3, 4, 3)
    """
    with name_scope(None, "crop_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _batched(image)
        checks = _check_3d_image(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        checks += _assert(_ge(offset_width, 0), ValueError, "offset_width must be >= 0.")
        checks += _assert(_ge(offset_height, 0), ValueError, "offset_height must be >= 0.")
        checks += _assert(_gt(target_width, 0), ValueError, "target_width must be > 0.")
        checks += _assert(_gt(target_height, 0), ValueError, "target_height must be > 0.")
        checks += _assert(
            _ge(width, _add(target_width, offset_width)),
            ValueError,
            "width must be >= target + offset.",
        )
        checks += _assert(
            _ge(height, _add(target_height, offset_height)),
            ValueError,
            "height must be >= target + offset.",
        )
        image = _with_checks(checks, image)
        dims = shape(image)
        cropped = slice(
            image,
            stack([0, offset_height, offset_width, 0]),
            stack([dims[0], target_height, target_width, dims[3]]),
        )
        cropped.set_shape(
            [None if _is_tensor(d) else d for d in (batch, target_height, target_width, depth)]
        )
        return cropped if is_batch else squeeze(cropped, axis=[0])


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """``image`` placed at ``(offset_height, offset_width)`` in a zero image of
    ``target_height`` x ``target_width``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = pad_to_bounding_box(tf.ones([1, 1, 1]), 1, 0, 2, 2)
    ...     print(tf.compat.v1.Session().run(y)[:, :, 0].tolist())
    [[0.0, 0.0], [1.0, 0.0]]
    """
    with name_scope(None, "pad_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _batched(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        after_width = _sub(_sub(target_width, offset_width), width)
        after_height = _sub(_sub(target_height, offset_height), height)
        checks = _check_3d_image(image)
        checks += _assert(_ge(offset_height, 0), ValueError, "offset_height must be >= 0")
        checks += _assert(_ge(offset_width, 0), ValueError, "offset_width must be >= 0")
        checks += _assert(_ge(after_width, 0), ValueError, "width must be <= target - offset")
        checks += _assert(_ge(after_height, 0), ValueError, "height must be <= target - offset")
        image = _with_checks(checks, image)
        paddings = reshape(
            stack([0, 0, offset_height, after_height, offset_width, after_width, 0, 0]), [4, 2]
        )
        padded = pad(image, paddings)
        padded.set_shape(
            [None if _is_tensor(d) else d for d in (batch, target_height, target_width, depth)]
        )
        return padded if is_batch else squeeze(padded, axis=[0])


def resize_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """``image`` centrally cropped and/or zero-padded to ``target_height`` x
    ``target_width`` (``tf.image.resize_image_with_crop_or_pad``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(resize_with_crop_or_pad(tf.zeros([5, 2, 3]), 3, 4).shape)
    (3, 4, 3)
    """
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _batched(image)
        checks = _check_3d_image(image)
        checks += _assert(_gt(target_width, 0), ValueError, "target_width must be > 0.")
        checks += _assert(_gt(target_height, 0), ValueError, "target_height must be > 0.")
        image = _with_checks(checks, image)
        if _is_tensor(target_height):
            target_height = _with_checks(checks, target_height)
        if _is_tensor(target_width):
            target_width = _with_checks(checks, target_width)
        _, height, width, _ = _image_dimensions(image, 4)
        width_diff = _sub(target_width, width)
        height_diff = _sub(target_height, height)
        cropped = crop_to_bounding_box(
            image,
            _max(_floordiv(_neg(height_diff), 2), 0),
            _max(_floordiv(_neg(width_diff), 2), 0),
            _min(target_height, height),
            _min(target_width, width),
        )
        resized = pad_to_bounding_box(
            cropped,
            _max(_floordiv(height_diff, 2), 0),
            _max(_floordiv(width_diff, 2), 0),
            target_height,
            target_width,
        )
        return resized if is_batch else squeeze(resized, axis=[0])


def _arith(python_op, tensor_op):
    """A binary operation on Python ints, or an op when either side is a tensor."""

    def apply(x, y):
        return tensor_op(x, y) if _is_tensor(x) or _is_tensor(y) else python_op(x, y)

    return apply


_add = _arith(lambda x, y: x + y, math_ops.add)
_sub = _arith(lambda x, y: x - y, math_ops.subtract)
_floordiv = _arith(lambda x, y: x // y, math_ops.floordiv)
_max = _arith(max, math_ops.maximum)
_min = _arith(min, math_ops.minimum)
_ge = _arith(lambda x, y: x >= y, math_ops.greater_equal)
_gt = _arith(lambda x, y: x > y, math_ops.greater)


def _neg(x):
    return math_ops.negative(x) if _is_tensor(x) else -x


# -- crop_and_resize -----------------------------------------------------------------------


def _crop_and_resize_shape(image, boxes, box_ind, crop_size, *, T, method, extrapolation_value):
    depth = with_rank(image.shape, 4).dim_value(3)
    count = merge_dim(
        with_rank(boxes.shape, 2).dim_value(0), with_rank(box_ind.shape, 1).dim_value(0)
    )
    _with_value(boxes.shape.dim_value(1), 4)
    with_rank(crop_size.shape, 1)
    _with_value(crop_size.shape.dim_value(0), 2)
    value = known_value(crop_size)
    height, width = (None, None) if value is None else (int(value[0]), int(value[1]))
    return [TensorSpec(dtypes.float32, TensorShape([count, height, width, depth]))]


_CROP_TYPES = "{uint8, uint16, int8, int16, int32, int64, float16, float32, float64}"
CROP_AND_RESIZE = register_op(
    OpDef(
        "CropAndResize",
        ("image: T", "boxes: float", "box_ind: int32", "crop_size: int32"),
        ("crops: float",),
        (
            f"T: {_CROP_TYPES}",
            "method: {'bilinear', 'nearest'} = 'bilinear'",
            "extrapolation_value: float = 0.0",
        ),
        _crop_and_resize_shape,
    )
)
CROP_AND_RESIZE_GRAD_IMAGE = register_op(
    OpDef(
        "CropAndResizeGradImage",
        ("grads: float", "boxes: float", "box_ind: int32", "image_size: int32"),
        ("output: T",),
        ("T: {float32, float16, float64}", "method: {'bilinear', 'nearest'} = 'bilinear'"),
        lambda grads, boxes, box_ind, image_size, *, T, method: [
            TensorSpec(T, with_rank(known_shape(image_size), 4))
        ],
    )
)
CROP_AND_RESIZE_GRAD_BOXES = register_op(
    OpDef(
        "CropAndResizeGradBoxes",
        ("grads: float", "image: T", "boxes: float", "box_ind: int32"),
        ("output: float",),
        (f"T: {_CROP_TYPES}", "method: {'bilinear'} = 'bilinear'"),
        lambda grads, image, boxes, box_ind, *, T, method: [
            TensorSpec(dtypes.float32, with_rank(boxes.shape, 2))
        ],
    )
)


def crop_and_resize(
    image, boxes, box_indices, crop_size, method="bilinear", extrapolation_value=0.0, name=None
) -> Tensor:
    """Crops of the batch ``image`` at normalised ``boxes`` (``[y1, x1, y2, x2]``, of
    image ``box_indices[i]``) resized to ``crop_size`` (float32); samples outside the
    image are ``extrapolation_value``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     image = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    ...     crops = crop_and_resize(image, [[0.0, 0.0, 1.0, 1.0]], [0], [2, 2])
    ...     print(tf.compat.v1.Session().run(crops)[0, :, :, 0].tolist())
    [[0.0, 3.0], [12.0, 15.0]]
    """
    return build(
        CROP_AND_RESIZE,
        [image, boxes, box_indices, crop_size],
        name,
        method=method,
        extrapolation_value=float(extrapolation_value),
    ).outputs[0]


def crop_and_resize_v1(
    image,
    boxes,
    box_ind=None,
    crop_size=None,
    method="bilinear",
    extrapolation_value=0,
    name=None,
    box_indices=None,
) -> Tensor:
    """TF1's :func:`crop_and_resize` (``box_ind`` is the old name of ``box_indices``)."""
    box_ind = deprecated_argument_lookup("box_indices", box_indices, "box_ind", box_ind)
    return crop_and_resize(image, boxes, box_ind, crop_size, method, extrapolation_value, name)


# -- dtypes, colours, brightness and contrast ----------------------------------------------


def _saturate_cast(value: Tensor, dtype, name=None) -> Tensor:
    """``value`` clamped to ``dtype``'s range, then cast (TF's ``saturate_cast``)."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "saturate_cast", [value]) as scope:
        if value.dtype.min < dtype.min:
            value = math_ops.maximum(value, math_ops.cast(dtype.min, value.dtype))
        if value.dtype.max > dtype.max:
            value = math_ops.minimum(value, math_ops.cast(dtype.max, value.dtype))
        return math_ops.cast(value, dtype, name=scope)


def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """``image`` as ``dtype``, rescaled as images are: integers span their type's range,
    floats ``[0, 1)``; ``saturate`` clamps before a cast that could overflow.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = convert_image_dtype(tf.constant([0, 255], tf.uint8), tf.float32)
    ...     print(tf.compat.v1.Session().run(y))
    [0. 1.]
    """
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    source = image.dtype.base_dtype
    if not source.is_floating and not source.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == source:
        return identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as scope:
        cast = _saturate_cast if saturate else math_ops.cast
        if source.is_integer and dtype.is_integer:
            if source.max > dtype.max:
                scale = (source.max + 1) // (dtype.max + 1)
                return cast(math_ops.floordiv(image, scale), dtype, name=scope)
            scale = (dtype.max + 1) // (source.max + 1)
            return math_ops.multiply(cast(image, dtype), scale, name=scope)
        if source.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=scope)
        if source.is_integer:
            return math_ops.multiply(math_ops.cast(image, dtype), 1.0 / source.max, name=scope)
        scaled = math_ops.multiply(image, dtype.max + 0.5)
        return cast(scaled, dtype, name=scope)


def rgb_to_grayscale(images, name=None) -> Tensor:
    """The luma of RGB ``images`` (ITU-R 601 weights), one channel, same dtype.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = rgb_to_grayscale([[[1.0, 1.0, 1.0]]])
    ...     print(y.shape, tf.compat.v1.Session().run(y))
    (1, 1, 1) [[[0.99990004]]]
    """
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        floats = convert_image_dtype(images, dtypes.float32)
        gray = math_ops.tensordot(floats, [0.2989, 0.587, 0.114], [-1, -1])
        return convert_image_dtype(expand_dims(gray, -1), images.dtype, name=scope)


def grayscale_to_rgb(images, name=None) -> Tensor:
    """One-channel ``images`` with the channel repeated three times.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(grayscale_to_rgb(tf.zeros([2, 2, 1])).shape)
    (2, 2, 3)
    """
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        if images.shape.rank is not None:
            with_rank_at_least(images.shape, 2)
            last = images.shape.dim_value(-1)
            if last not in (None, 1):
                raise ValueError(
                    f"Last dimension of a grayscale image should be size 1, got {last}"
                )
        # [1, ..., 1, 3]: the last axis repeated three times.
        multiples = concat([ones(expand_dims(rank(images) - 1, 0), dtype=dtypes.int32), [3]], 0)
        rgb = tile(images, multiples, name=scope)
        rgb.set_shape(images.shape[:-1].concatenate([3]) if images.shape.rank else None)
        return rgb


def per_image_standardization(image) -> Tensor:
    """Each image scaled to zero mean and unit variance, ``(x - mean) / max(stddev,
    1/sqrt(pixels))``, as float32.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = per_image_standardization([[[1.0], [3.0]]])
    ...     print(tf.compat.v1.Session().run(y)[0, :, 0])
    [-1.  1.]
    """
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        image = _with_checks(_check_3d_image(image), image)
        image = math_ops.cast(image, dtypes.float32)
        num_pixels = math_ops.reduce_prod(shape(image)[-3:])
        mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = math_ops.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        floor = math_ops.rsqrt(math_ops.cast(num_pixels, dtypes.float32))
        adjusted = math_ops.maximum(stddev, floor)
        return math_ops.divide(math_ops.subtract(image, mean), adjusted, name=scope)


def adjust_brightness(image, delta) -> Tensor:
    """``image + delta`` (on ``[0, 1]`` floats for an integer image, saturated back).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = adjust_brightness(tf.constant([[[250]]], tf.uint8), 0.1)
    ...     print(tf.compat.v1.Session().run(y).item())
    255
    """
    with name_scope(None, "adjust_brightness", [image, delta]) as scope:
        image = convert_to_tensor(image, name="image")
        original = image.dtype.base_dtype
        floats = (
            image
            if original in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(image, dtypes.float32)
        )
        adjusted = math_ops.add(floats, math_ops.cast(delta, floats.dtype), name=scope)
        return convert_image_dtype(adjusted, original, saturate=True)


ADJUST_CONTRAST = register_op(
    OpDef(
        "AdjustContrastv2",
        ("images: T", "contrast_factor: float"),
        ("output: T",),
        ("T: {float16, float32} = DT_FLOAT",),
        lambda images, contrast_factor, *, T: [
            TensorSpec(T, with_rank_at_least(images.shape, 3)),
        ],
    )
)


def adjust_contrast(images, contrast_factor) -> Tensor:
    """Each channel of each image moved away from (or toward) its mean by
    ``contrast_factor``: ``(x - mean) * contrast_factor + mean``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = adjust_contrast([[[1.0], [3.0]]], 2.0)
    ...     print(tf.compat.v1.Session().run(y)[0, :, 0])
    [0. 4.]
    """
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        images = convert_to_tensor(images, name="images")
        original = images.dtype.base_dtype
        floats = (
            images
            if original in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(images, dtypes.float32)
        )
        adjusted = build(ADJUST_CONTRAST, [floats, contrast_factor], scope).outputs[0]
        return convert_image_dtype(adjusted, original, saturate=True)


# -- PNG and JPEG --------------------------------------------------------------------------


def _decoded_shape(contents: TensorSpec, *, channels, **_attrs) -> TensorShape:
    with_rank(contents.shape, 0)
    return TensorShape([None, None, channels or None])


DECODE_PNG = register_op(
    OpDef(
        "DecodePng",
        ("contents: string",),
        ("image: dtype",),
        ("channels: int = 0", "dtype: {uint8, uint16} = DT_UINT8"),
        lambda contents, *, channels, dtype: [
            TensorSpec(dtype, _decoded_shape(contents, channels=channels))
        ],
    )
)
DECODE_JPEG = register_op(
    OpDef(
        "DecodeJpeg",
        ("contents: string",),
        ("image: uint8",),
        (
            "channels: int = 0",
            "ratio: int = 1",
            "fancy_upscaling: bool = true",
            "try_recover_truncated: bool = false",
            "acceptable_fraction: float = 1.0",
            "dct_method: string = ''",
        ),
        lambda contents, **attrs: [TensorSpec(dtypes.uint8, _decoded_shape(contents, **attrs))],
    )
)


def _encode_png_shape(image: TensorSpec, *, compression, T):
    dims = with_rank_at_least(image.shape, 3)
    return [TensorSpec(dtypes.string, dims[:-3] if dims.rank is not None else TensorShape(None))]


ENCODE_PNG = register_op(
    OpDef(
        "EncodePng",
        ("image: T",),
        ("contents: string",),
        ("compression: int = -1", "T: {uint8, uint16} = DT_UINT8"),
        _encode_png_shape,
    )
)


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None) -> Tensor:
    """The image in the PNG bytes ``contents``: ``[height, width, channels]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     png = encode_png(tf.constant([[[1, 2, 3]]], tf.uint8))
    ...     print(tf.compat.v1.Session().run(decode_png(png)).tolist())
    [[[1, 2, 3]]]
    """
    return build(
        DECODE_PNG, [contents], name, channels=int(channels), dtype=dtypes.as_dtype(dtype)
    ).outputs[0]


def decode_jpeg(
    contents,
    channels=0,
    ratio=1,
    fancy_upscaling=True,
    try_recover_truncated=False,
    acceptable_fraction=1,
    dct_method="",
    name=None,
) -> Tensor:
    """The image in the JPEG bytes ``contents``: uint8 ``[height, width, channels]``
    (``ratio`` 2, 4 or 8 decodes it that much smaller)."""
    return build(
        DECODE_JPEG,
        [contents],
        name,
        channels=int(channels),
        ratio=int(ratio),
        fancy_upscaling=bool(fancy_upscaling),
        try_recover_truncated=bool(try_recover_truncated),
        acceptable_fraction=float(acceptable_fraction),
        dct_method=dct_method,
    ).outputs[0]


def encode_png(image, compression=-1, name=None) -> Tensor:
    """The PNG bytes of the uint8 (or uint16) ``image`` ``[height, width, channels]``
    (of each image of a batch); ``compression`` 0-9 (-1: zlib's default)."""
    return build(ENCODE_PNG, [image], name, compression=int(compression)).outputs[0]


# -- JPEG encoding and headers, BMP, GIF, WebP -----------------------------------------------

_JPEG_ENCODE_ATTRS = (
    "format: {'', 'grayscale', 'rgb'} = ''",
    "quality: int = 95",
    "progressive: bool = false",
    "optimize_size: bool = false",
    "chroma_downsampling: bool = true",
    "density_unit: {'in', 'cm'} = 'in'",
    "x_density: int = 300",
    "y_density: int = 300",
    "xmp_metadata: string = ''",
)


def _encode_jpeg_shape(image: TensorSpec, *quality: TensorSpec, **_attrs):
    with_rank(image.shape, 3)
    for spec in quality:
        with_rank(spec.shape, 0)
    return [TensorSpec(dtypes.string, TensorShape([]))]


ENCODE_JPEG = register_op(
    OpDef(
        "EncodeJpeg",
        ("image: uint8",),
        ("contents: string",),
        _JPEG_ENCODE_ATTRS,
        _encode_jpeg_shape,
    )
)
ENCODE_JPEG_VARIABLE_QUALITY = register_op(
    OpDef(
        "EncodeJpegVariableQuality",
        ("images: uint8", "quality: int32"),
        ("contents: string",),
        (),
        _encode_jpeg_shape,
    )
)


def _crop_shape(contents: TensorSpec, crop_window: TensorSpec, *, channels, **_attrs):
    with_rank(contents.shape, 0)
    with_rank(crop_window.shape, 1)
    window = known_value(crop_window)
    height, width = (None, None) if window is None else (int(window[2]), int(window[3]))
    return [TensorSpec(dtypes.uint8, TensorShape([height, width, channels or None]))]


DECODE_AND_CROP_JPEG = register_op(
    OpDef(
        "DecodeAndCropJpeg",
        ("contents: string", "crop_window: int32"),
        ("image: uint8",),
        (
            "channels: int = 0",
            "ratio: int = 1",
            "fancy_upscaling: bool = true",
            "try_recover_truncated: bool = false",
            "acceptable_fraction: float = 1.0",
            "dct_method: string = ''",
        ),
        _crop_shape,
    )
)


def _jpeg_header_shape(contents: TensorSpec, *, output_type):
    with_rank(contents.shape, 0)
    return [TensorSpec(output_type, TensorShape([3]))]


EXTRACT_JPEG_SHAPE = register_op(
    OpDef(
        "ExtractJpegShape",
        ("contents: string",),
        ("image_shape: output_type",),
        ("output_type: {int32, int64} = DT_INT32",),
        _jpeg_header_shape,
    )
)
DECODE_BMP = register_op(
    OpDef(
        "DecodeBmp",
        ("contents: string",),
        ("image: uint8",),
        ("channels: int = 0",),
        lambda contents, *, channels: [
            TensorSpec(dtypes.uint8, _decoded_shape(contents, channels=channels))
        ],
    )
)


def _frames_shape(contents: TensorSpec, *, depth=3, dtype=dtypes.uint8):
    with_rank(contents.shape, 0)
    return [TensorSpec(dtype, TensorShape([None, None, None, depth]))]


DECODE_GIF = register_op(
    OpDef("DecodeGif", ("contents: string",), ("image: uint8",), (), _frames_shape)
)
DECODE_WEBP = register_op(
    OpDef(
        "DecodeWebP",
        ("contents: string",),
        ("image: dtype",),
        ("channels: int = 0", "dtype: {uint8} = DT_UINT8"),
        lambda contents, *, channels, dtype: _frames_shape(
            contents, depth=channels or None, dtype=dtype
        ),
    )
)
for _op_type in (
    "EncodeJpeg",
    "EncodeJpegVariableQuality",
    "DecodeAndCropJpeg",
    "ExtractJpegShape",
):
    not_differentiable(_op_type)
for _op_type in ("DecodeBmp", "DecodeGif", "DecodeWebP"):
    not_differentiable(_op_type)


def encode_jpeg(
    image,
    format="",
    quality=95,
    progressive=False,
    optimize_size=False,
    chroma_downsampling=True,
    density_unit="in",
    x_density=300,
    y_density=300,
    xmp_metadata="",
    name=None,
) -> Tensor:
    """The JPEG bytes of the uint8 ``image`` ``[height, width, channels]`` (1 channel:
    greyscale, 3: RGB), byte for byte as TF writes them.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     jpeg = encode_jpeg(tf.zeros([8, 8, 3], tf.uint8), quality=80)
    ...     data = tf.compat.v1.Session().run(jpeg)
    >>> data[:4], data[6:10]
    (b'\\xff\\xd8\\xff\\xe0', b'JFIF')
    """
    return build(
        ENCODE_JPEG,
        [image],
        name,
        format=format,
        quality=int(quality),
        progressive=bool(progressive),
        optimize_size=bool(optimize_size),
        chroma_downsampling=bool(chroma_downsampling),
        density_unit=density_unit,
        x_density=int(x_density),
        y_density=int(y_density),
        xmp_metadata=xmp_metadata,
    ).outputs[0]


def decode_and_crop_jpeg(
    contents,
    crop_window,
    channels=0,
    ratio=1,
    fancy_upscaling=True,
    try_recover_truncated=False,
    acceptable_fraction=1,
    dct_method="",
    name=None,
) -> Tensor:
    """The ``crop_window`` (``[y, x, height, width]``) of the JPEG ``contents``, decoded
    as :func:`decode_jpeg` decodes; a window outside the image is an error."""
    return build(
        DECODE_AND_CROP_JPEG,
        [contents, crop_window],
        name,
        channels=int(channels),
        ratio=int(ratio),
        fancy_upscaling=bool(fancy_upscaling),
        try_recover_truncated=bool(try_recover_truncated),
        acceptable_fraction=float(acceptable_fraction),
        dct_method=dct_method,
    ).outputs[0]


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None) -> Tensor:
    """``[height, width, channels]`` of the JPEG ``contents``, read from its header."""
    return build(
        EXTRACT_JPEG_SHAPE, [contents], name, output_type=dtypes.as_dtype(output_type)
    ).outputs[0]


def is_jpeg(contents, name=None) -> Tensor:
    """Whether ``contents`` starts as a JPEG does (``\\xff\\xd8\\xff``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(is_jpeg(encode_png(tf.zeros([1, 1, 1], tf.uint8)))))
    False
    """
    with name_scope(name, "is_jpeg"):
        start = string_ops.substr(contents, 0, 3)
        return math_ops.equal(start, b"\xff\xd8\xff", name=name)


def decode_bmp(contents, channels=0, name=None) -> Tensor:
    """The image in the BMP bytes ``contents``: uint8 ``[height, width, channels]``."""
    return build(DECODE_BMP, [contents], name, channels=int(channels)).outputs[0]


def decode_gif(contents, name=None) -> Tensor:
    """The frames of the GIF ``contents``, each drawn over the last as a viewer shows
    them: uint8 ``[frames, height, width, 3]``."""
    return build(DECODE_GIF, [contents], name).outputs[0]


def decode_webp(contents, channels=0, dtype=dtypes.uint8, name=None) -> Tensor:
    """The frames of the WebP ``contents``: uint8 ``[frames, height, width, channels]``."""
    return build(
        DECODE_WEBP, [contents], name, channels=int(channels), dtype=dtypes.as_dtype(dtype)
    ).outputs[0]


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None) -> Tensor:
    """``image`` as it looks after JPEG compression at ``jpeg_quality`` (0-100),
    in its own dtype.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = adjust_jpeg_quality(tf.fill([8, 8, 3], 0.5), 90)
    ...     print(round(float(tf.compat.v1.Session().run(y)[0, 0, 0]), 3))
    0.498
    """
    with name_scope(name, "adjust_jpeg_quality", [image]):
        image = convert_to_tensor(image, name="image")
        channels = image.shape.as_list()[-1] if image.shape.rank else None
        original = image.dtype.base_dtype
        pixels = convert_image_dtype(image, dtypes.uint8, saturate=True)
        jpeg_quality = convert_to_tensor(jpeg_quality, dtype=dtypes.int32)
        jpeg = build(ENCODE_JPEG_VARIABLE_QUALITY, [pixels, jpeg_quality], None).outputs[0]
        decoded = decode_jpeg(jpeg, channels=channels or 0, dct_method=dct_method)
        return convert_image_dtype(decoded, original, saturate=True)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None) -> Tensor:
    """:func:`adjust_jpeg_quality` at a quality drawn uniformly from
    ``[min_jpeg_quality, max_jpeg_quality)``."""
    if not (0 <= min_jpeg_quality <= 100 and 0 <= max_jpeg_quality <= 100):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_ops.random_uniform(
        [], min_jpeg_quality, max_jpeg_quality, seed=seed, dtype=dtypes.int32
    )
    return adjust_jpeg_quality(image, quality)


# -- gradients (TF's image_grad.py) ---------------------------------------------------------


def _resize_attrs(op) -> dict:
    return {
        "align_corners": op.get_attr("align_corners"),
        "half_pixel_centers": op.get_attr("half_pixel_centers"),
    }


@register_gradient("ResizeNearestNeighbor")
def _resize_nearest_neighbor_grad(op, grad):
    image = op.inputs[0]
    size = image.shape[1:3].as_list() if image.shape[1:3].is_fully_defined() else shape(image)[1:3]
    return [
        build(RESIZE_NEAREST_NEIGHBOR_GRAD, [grad, size], None, **_resize_attrs(op)).outputs[0],
        None,
    ]


@register_gradient("ResizeBilinear")
def _resize_bilinear_grad(op, grad):
    return [
        build(RESIZE_BILINEAR_GRAD, [grad, op.inputs[0]], None, **_resize_attrs(op)).outputs[0],
        None,
    ]


@register_gradient("ResizeBicubic")
def _resize_bicubic_grad(op, grad):
    if op.inputs[0].dtype.base_dtype not in (dtypes.float32, dtypes.float64):
        return [None, None]
    return [
        build(RESIZE_BICUBIC_GRAD, [grad, op.inputs[0]], None, **_resize_attrs(op)).outputs[0],
        None,
    ]


@register_gradient("ScaleAndTranslate")
def _scale_and_translate_grad(op, grad):
    image_grad = build(
        SCALE_AND_TRANSLATE_GRAD,
        [grad, op.inputs[0], op.inputs[2], op.inputs[3]],
        None,
        kernel_type=op.get_attr("kernel_type"),
        antialias=op.get_attr("antialias"),
    ).outputs[0]
    return [image_grad, None, None, None]


@register_gradient("CropAndResize")
def _crop_and_resize_grad(op, grad):
    image, boxes, box_ind, _ = op.inputs
    method = op.get_attr("method")
    image_grad = None
    if image.dtype.base_dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
        size = image.shape.as_list() if image.shape.is_fully_defined() else shape(image)
        image_grad = build(
            CROP_AND_RESIZE_GRAD_IMAGE,
            [grad, boxes, box_ind, size],
            None,
            T=image.dtype.base_dtype,
            method=method,
        ).outputs[0]
    boxes_grad = build(CROP_AND_RESIZE_GRAD_BOXES, [grad, image, boxes, box_ind], None).outputs[0]
    return [image_grad, boxes_grad, None, None]


not_differentiable("ResizeBilinearGrad")
not_differentiable("ScaleAndTranslateGrad")


# -- decode_image, random crops, brightness and contrast -----------------------------------


def _decode_image_shape(contents: TensorSpec, *, channels, dtype, expand_animations):
    with_rank(contents.shape, 0)
    if expand_animations:
        return [TensorSpec(dtype, TensorShape(None))]  # 3-D, or 4-D for an animated GIF
    return [TensorSpec(dtype, TensorShape([None, None, channels or None]))]


DECODE_IMAGE = register_op(
    OpDef(
        "DecodeImage",
        ("contents: string",),
        ("image: dtype",),
        (
            "channels: int = 0",
            "dtype: {uint8, uint16, float32} = DT_UINT8",
            "expand_animations: bool = true",
        ),
        _decode_image_shape,
    )
)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None, expand_animations=True):
    """The image in ``contents``, of whichever format (PNG, JPEG, GIF, BMP): 3-D, or 4-D
    frames for an animated GIF unless ``expand_animations`` is false; a float32 image
    is scaled to ``[0, 1]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     png = encode_png(tf.constant([[[255, 0]]], tf.uint8))
    ...     image = decode_image(png, dtype=tf.float32)
    ...     print(tf.compat.v1.Session().run(image).tolist())
    [[[1.0, 0.0]]]
    """
    with name_scope(name, "decode_image"):
        channels = 0 if channels is None else int(channels)
        dtype = dtypes.as_dtype(dtype)
        decoded_as = (
            dtype if dtype in (dtypes.float32, dtypes.uint8, dtypes.uint16) else dtypes.uint16
        )
        image = build(
            DECODE_IMAGE,
            [contents],
            None,
            channels=channels,
            dtype=decoded_as,
            expand_animations=bool(expand_animations),
        ).outputs[0]
        return image if decoded_as == dtype else convert_image_dtype(image, dtype)


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A crop of ``size`` of ``value`` at a random offset (every dimension may be cut;
    ``tf.image.random_crop``, TF1's ``tf.random_crop``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(random_crop(tf.zeros([5, 6, 3]), [2, 3, 3], seed=1).shape)
    (2, 3, 3)
    """
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        dims = shape(value)
        check = Assert(
            math_ops.reduce_all(math_ops.greater_equal(dims, size)),
            ["Need value.shape >= size, got ", dims, size],
            summarize=1000,
        )
        dims = _with_checks([check], dims)
        limit = dims - size + 1
        offset = math_ops.floormod(
            random_ops.random_uniform(
                shape(dims), dtype=dtypes.int32, maxval=dtypes.int32.max, seed=seed
            ),
            limit,
        )
        return slice(value, offset, size, name=scope)


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """:func:`adjust_brightness` by a delta drawn uniformly from
    ``[-max_delta, max_delta)``."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """:func:`adjust_contrast` by a factor drawn uniformly from ``[lower, upper)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = random_contrast([[[1.0], [3.0]]], 0.5, 1.5, seed=3)
    ...     low, high = tf.compat.v1.Session().run(y)[0, :, 0]
    >>> bool(0.5 < low <= 1.5 and 2.5 <= high < 3.5 and low + high == 4.0)  # about mean 2
    True
    """
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


# tf.compat.v1's top-level image name.
V1_OVERRIDES = {"random_crop": random_crop}
