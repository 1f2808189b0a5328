"""Colour spaces and colour adjustments of images (``tf.image``): ``rgb_to_hsv`` and back
(with TF's gradient of the conversion), YIQ and YUV, ``adjust_hue``,
``adjust_saturation``, ``adjust_gamma`` and their random forms.

Images are floats in ``[0, 1]`` with the colours on the last axis; an integer image
is converted to float32 and back, as TF does.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops, random_ops
from .concat_ops import stack
from .core import convert_to_tensor
from .image_ops import _assert, _with_checks, convert_image_dtype
from .packing import build
from .shape_util import with_rank_at_least

__all__: list = []  # tf.image's names: runtime.image


def _three_channels(images: TensorSpec, *, T):
    dims = with_rank_at_least(images.shape, 1)
    if dims.rank is not None:
        last = dims.dim_value(-1)
        if last not in (None, 3):
            raise ValueError(f"Dimension must be 3 but is {last}")
        dims = TensorShape([*dims.as_tuple()[:-1], 3])
    return [TensorSpec(T, dims)]


_HSV_TYPES = "{float16, bfloat16, float32, float64} = DT_FLOAT"
RGB_TO_HSV = register_op(
    OpDef("RGBToHSV", ("images: T",), ("output: T",), (f"T: {_HSV_TYPES}",), _three_channels)
)
HSV_TO_RGB = register_op(
    OpDef("HSVToRGB", ("images: T",), ("output: T",), (f"T: {_HSV_TYPES}",), _three_channels)
)
not_differentiable("HSVToRGB")


def _adjust_shape(images: TensorSpec, factor: TensorSpec, *, T):
    return [TensorSpec(T, with_rank_at_least(images.shape, 3))]


ADJUST_HUE = register_op(
    OpDef(
        "AdjustHue",
        ("images: T", "delta: float"),
        ("output: T",),
        ("T: {float16, float32} = DT_FLOAT",),
        _adjust_shape,
    )
)
ADJUST_SATURATION = register_op(
    OpDef(
        "AdjustSaturation",
        ("images: T", "scale: float"),
        ("output: T",),
        ("T: {float16, float32} = DT_FLOAT",),
        _adjust_shape,
    )
)


def rgb_to_hsv(images, name=None) -> Tensor:
    """RGB images (floats in ``[0, 1]``) as hue, saturation and value, each in ``[0, 1]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     hsv = rgb_to_hsv([[1.0, 0.5, 0.0]])
    ...     print(tf.compat.v1.Session().run(hsv).astype(float).round(4).tolist())
    [[0.0833, 1.0, 1.0]]
    """
    return build(RGB_TO_HSV, [images], name).outputs[0]


def hsv_to_rgb(images, name=None) -> Tensor:
    """HSV images (each in ``[0, 1]``) as RGB (no gradient, as TF's).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     rgb = hsv_to_rgb([[1 / 12, 1.0, 1.0]])
    ...     print(tf.compat.v1.Session().run(rgb).astype(float).round(4).tolist())
    [[1.0, 0.5, 0.0]]
    """
    return build(HSV_TO_RGB, [images], name).outputs[0]


def _safe_reciprocal(x: Tensor) -> Tensor:
    return math_ops.divide_no_nan(math_ops.cast(1, x.dtype), x)


@register_gradient("RGBToHSV")
def _rgb_to_hsv_grad(op, grad):
    # TF's partial derivatives of the piecewise HSV formulas: which channel is largest
    # and which smallest picks the piece; a zero denominator gives zero, not nan. Each
    # channel's formulas are the others' with the channels taken round the hue circle
    # (red, green, blue, red ...).
    rgb = op.inputs[0]
    saturation, value = op.outputs[0][..., 1], op.outputs[0][..., 2]

    def mask(condition) -> Tensor:
        return math_ops.cast(condition, rgb.dtype)

    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    # (value, largest?, smallest?, positive?) per channel, ties broken as TF breaks them.
    channels = [
        (red, red >= blue, red >= green, red < blue, red < green),
        (green, green > red, green >= blue, green <= red, green < blue),
        (blue, blue > red, blue > green, blue <= red, blue <= green),
    ]
    channels = [
        (x, mask(math_ops.logical_and(m1, m2)), mask(math_ops.logical_and(n1, n2)), mask(x > 0))
        for x, m1, m2, n1, n2 in channels
    ]
    inverse_sv = _safe_reciprocal(math_ops.square(saturation)) * _safe_reciprocal(
        math_ops.square(value)
    )
    grads = []
    for i in range(3):
        (x, x_max, x_min, x_pos) = channels[i]
        (up, up_max, up_min, up_pos) = channels[(i + 1) % 3]
        (down, down_max, down_min, down_pos) = channels[(i + 2) % 3]
        d_value = x_max
        d_saturation = x_pos * (
            x_max * (up_min * up + down_min * down) * _safe_reciprocal(math_ops.square(x))
            - x_min * _safe_reciprocal(up_max * up + down_max * down)
        )
        d_hue = (
            -x_pos * x_max * (up - down) * inverse_sv
            + up_pos * up_max * x_min * (down - up) * _safe_reciprocal(math_ops.square(x - up))
            - up_pos * up_max * down_min * _safe_reciprocal(up - down)
            + down_pos
            * down_max
            * x_min
            * (down - up)
            * _safe_reciprocal(math_ops.square(down - x))
            + down_pos * down_max * up_min * _safe_reciprocal(down - up)
        ) * (60 / 360)
        grads.append(grad[..., 0] * d_hue + grad[..., 1] * d_saturation + grad[..., 2] * d_value)
    return [stack(grads, axis=-1)]


def rgb_to_yiq(images) -> Tensor:
    """RGB images as YIQ (luma and two chroma channels), by TF's matrix."""
    return _colour_matrix(images, _RGB_TO_YIQ)


def yiq_to_rgb(images) -> Tensor:
    """YIQ images as RGB, by TF's matrix."""
    return _colour_matrix(images, _YIQ_TO_RGB)


def rgb_to_yuv(images) -> Tensor:
    """RGB images as YUV (luma and two chroma channels), by TF's matrix.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     yuv = rgb_to_yuv([[1.0, 1.0, 1.0]])
    ...     print(tf.compat.v1.Session().run(yuv).astype(float).round(4).tolist())
    [[1.0, 0.0, 0.0]]
    """
    return _colour_matrix(images, _RGB_TO_YUV)


def yuv_to_rgb(images) -> Tensor:
    """YUV images as RGB, by TF's matrix."""
    return _colour_matrix(images, _YUV_TO_RGB)


# Each maps a colour (a row vector) to the other space: colour @ matrix.
_RGB_TO_YIQ = [
    [0.299, 0.59590059, 0.2115],
    [0.587, -0.27455667, -0.52273617],
    [0.114, -0.32134392, 0.31119955],
]
_YIQ_TO_RGB = [
    [1, 1, 1],
    [0.95598634, -0.27201283, -1.10674021],
    [0.6208248, -0.64720424, 1.70423049],
]
_RGB_TO_YUV = [
    [0.299, -0.14714119, 0.61497538],
    [0.587, -0.28886916, -0.51496512],
    [0.114, 0.43601035, -0.10001026],
]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _colour_matrix(images, matrix) -> Tensor:
    images = convert_to_tensor(images, name="images")
    kernel = convert_to_tensor(matrix, dtype=images.dtype, name="kernel")
    rank = images.shape.rank
    return math_ops.tensordot(images, kernel, axes=[[rank - 1], [0]])


def _in_float(op_def: OpDef, image, factor, scope_name: str, name) -> Tensor:
    """``op_def`` on ``image`` as float (half or float32 as they are), then back to its
    own dtype, as TF's ``adjust_hue``/``adjust_saturation`` do."""
    with name_scope(name, scope_name, [image]) as scope:
        image = convert_to_tensor(image, name="image")
        original = image.dtype.base_dtype
        floats = (
            image
            if original in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(image, dtypes.float32)
        )
        adjusted = build(op_def, [floats, factor], scope).outputs[0]
        return convert_image_dtype(adjusted, original)


def adjust_hue(image, delta, name=None) -> Tensor:
    """RGB ``image`` with its hue turned by ``delta`` (in ``[-1, 1]``, a full turn each
    way).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     turned = adjust_hue([[[1.0, 0.0, 0.0]]], 1 / 3)
    ...     print(tf.compat.v1.Session().run(turned).tolist())
    [[[0.0, 1.0, 0.0]]]
    """
    return _in_float(ADJUST_HUE, image, delta, "adjust_hue", name)


def adjust_saturation(image, saturation_factor, name=None) -> Tensor:
    """RGB ``image`` with its saturation scaled by ``saturation_factor`` (clipped to
    ``[0, 1]``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     grey = adjust_saturation([[[1.0, 0.5, 0.5]]], 0.0)
    ...     print(tf.compat.v1.Session().run(grey).tolist())
    [[[1.0, 1.0, 1.0]]]
    """
    return _in_float(ADJUST_SATURATION, image, saturation_factor, "adjust_saturation", name)


def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """``gain * image ** gamma`` (on ``[0, 1]`` floats for an integer image, saturated
    back); ``gamma`` must not be negative.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = adjust_gamma([[[0.25]]], 0.5, 2.0)
    ...     print(tf.compat.v1.Session().run(y).item())
    1.0
    """
    with name_scope(None, "adjust_gamma", [image, gamma, gain]):
        image = convert_to_tensor(image, name="image")
        original = image.dtype.base_dtype
        floats = (
            image
            if original in (dtypes.float16, dtypes.float32)
            else convert_image_dtype(image, dtypes.float32)
        )
        # A number is checked now, a tensor when the graph runs.
        check = math_ops.greater_equal(gamma, 0) if isinstance(gamma, Tensor) else gamma >= 0
        checks = _assert(check, ValueError, "Gamma should be a non-negative real number.")
        adjusted = gain * math_ops.pow(floats, _with_checks(checks, gamma))
        return convert_image_dtype(adjusted, original, saturate=True)


def random_hue(image, max_delta, seed=None) -> Tensor:
    """:func:`adjust_hue` by a delta drawn uniformly from ``[-max_delta, max_delta)``
    (``max_delta`` in ``[0, 0.5]``)."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_hue(image, delta)


def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """:func:`adjust_saturation` by a factor drawn uniformly from ``[lower, upper)``."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_saturation(image, factor)
