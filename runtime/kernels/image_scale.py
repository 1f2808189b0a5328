"""Kernels of ``ScaleAndTranslate`` and its gradient: resampling with TF's sampling
kernels (Lanczos, Gaussian, box, triangle, Keys and Mitchell cubics), what
``tf.image.resize`` runs for its Lanczos, Gaussian and Mitchell methods and with
``antialias``.

As TF's ``scale_and_translate_op.cc``: each output pixel ``x`` samples the input at
``(x + 0.5) / scale - translation / scale``, weighing the input pixels within the
kernel's radius (stretched by ``1 / scale`` when antialiasing a downscale) by the
kernel at their distance, normalised to sum to one; rows are resampled first, then
columns, each a float32 sum in the input's order. The gradient applies the
transposed weights.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text

_F32 = np.float32
_PI = _F32(3.14159265359)


def _lanczos(radius: float):
    radius = _F32(radius)

    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = radius * np.sin(_PI * x) * np.sin(_PI * x / radius) / (_PI * _PI * x * x)
        value = np.where(x <= _F32(1e-3), _F32(1), value)  # sin(x) / x's limit at zero
        return np.where(x > radius, _F32(0), value)

    return kernel, radius


def _gaussian(x):
    # TF's sigma is radius / 3 = 0.5; the exponent is taken in double precision.
    sigma = 1.5 / 3.0
    value = np.exp(-(x.astype(np.float64) ** 2) / (2.0 * sigma * sigma)).astype(_F32)
    return np.where(x >= _F32(1.5), _F32(0), value)


def _box(x):
    return np.where(x < _F32(0.5), _F32(1), np.where(x == _F32(0.5), _F32(0.5), _F32(0)))


def _triangle(x):
    return np.where(x < _F32(1), _F32(1) - x, _F32(0))


def _cubic(near: tuple, far: tuple):
    """A cubic of radius 2: the coefficients on ``[0, 1)`` and on ``[1, 2)``."""
    near, far = [_F32(c) for c in near], [_F32(c) for c in far]

    def kernel(x):
        inner = ((near[0] * x + near[1]) * x + near[2]) * x + near[3]
        outer = ((far[0] * x + far[1]) * x + far[2]) * x + far[3]
        return np.where(x >= _F32(2), _F32(0), np.where(x >= _F32(1), outer, inner))

    return kernel, _F32(2)


# Each kernel type: (function of the distance |x| in float32, radius).
KERNELS = {
    "lanczos1": _lanczos(1.0),
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
    "gaussian": (_gaussian, _F32(1.5)),
    "box": (_box, _F32(1)),
    "triangle": (_triangle, _F32(1)),
    "keyscubic": _cubic((1.5, -2.5, 0.0, 1.0), (-0.5, 2.5, -4.0, 2.0)),
    "mitchellcubic": _cubic(
        (7.0 / 6.0, -2.0, 0.0, 8.0 / 9.0), (-7.0 / 18.0, 2.0, -10.0 / 3.0, 16.0 / 9.0)
    ),
}


def sampling_weights(kernel_type, out_size, in_size, scale, translate, antialias) -> np.ndarray:
    """``[out_size, in_size]`` float32: each output pixel's normalised weights on the
    input pixels (TF's ``ComputeSpans``; a row is zero where the sample falls outside
    the input or the weights sum to about zero).

    Examples
    --------
    Halving 4 pixels: the triangle's weights, then widened by antialiasing; shifted
    by a translation of 1, the first sample falls before the image:

    >>> sampling_weights("triangle", 2, 4, 0.5, 0.0, False)
    array([[0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]], dtype=float32)
    >>> sampling_weights("triangle", 2, 4, 0.5, 0.0, True)
    array([[0.42857146, 0.42857146, 0.14285715, 0.        ],
           [0.        , 0.14285715, 0.42857146, 0.42857146]], dtype=float32)
    >>> sampling_weights("triangle", 3, 4, 0.5, 1.0, False)
    array([[0. , 0. , 0. , 0. ],
           [0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]], dtype=float32)
    """
    kernel, radius = KERNELS[kernel_type]
    inv_scale = _F32(1.0 / float(scale))  # TF divides in double, then rounds
    inv_translate = -inv_scale * _F32(translate)
    kernel_scale = max(inv_scale, _F32(1)) if antialias else _F32(1)
    reach = radius * kernel_scale
    samples = (np.arange(out_size, dtype=_F32) + _F32(0.5)) * inv_scale + inv_translate
    starts = np.clip(np.ceil(samples - reach - _F32(0.5)), 0, in_size - 1)
    ends = np.clip(np.floor(samples + reach - _F32(0.5)), 0, in_size - 1) + 1
    source = np.arange(in_size, dtype=_F32)[None, :]
    inside = (source >= starts[:, None]) & (source < ends[:, None])
    distance = np.abs((source + _F32(0.5) - samples[:, None]) * (_F32(1) / kernel_scale))
    weights = np.where(inside, kernel(distance.astype(_F32)), _F32(0)).astype(_F32)
    # TF's float32 running sum over the span (cumsum adds in order; zeros change nothing).
    totals = np.cumsum(weights, axis=1, dtype=_F32)[:, -1]
    usable = (np.abs(totals) >= _F32(1000) * np.finfo(_F32).tiny) & (samples >= 0)
    usable &= samples <= in_size
    scaled = weights * (_F32(1) / np.where(usable, totals, _F32(1)))[:, None]
    return np.where(usable[:, None], scaled, _F32(0)).astype(_F32)


def gather_spans(weights: np.ndarray, values: np.ndarray, axis: int) -> np.ndarray:
    """``values`` resampled along ``axis`` by ``weights`` ``[out, in]``: per output, a
    float32 running sum over its span of inputs in ascending order, as TF's
    ``GatherRows``/``GatherColumns`` add them (one pass per tap of the widest span).

    Examples
    --------
    >>> gather_spans(np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]], np.float32),
    ...              np.array([2.0, 4.0, 8.0], np.float32), 0)
    array([3., 7.], dtype=float32)
    """
    nonzero = weights != 0
    starts = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), 0)
    lasts = weights.shape[1] - 1 - nonzero[:, ::-1].argmax(axis=1)
    width = int(np.max(lasts - starts + 1, initial=0))
    shape = [1] * values.ndim  # the weights' shape, broadcast along ``axis``
    shape[axis] = weights.shape[0]
    out_shape = list(values.shape)
    out_shape[axis] = weights.shape[0]
    out = np.zeros(out_shape, _F32)
    rows = np.arange(weights.shape[0])
    for k in range(width):
        index = np.minimum(starts + k, weights.shape[1] - 1)
        tap = np.where(starts + k < weights.shape[1], weights[rows, index], _F32(0))
        out += tap.reshape(shape) * np.take(values, index, axis=axis).astype(_F32, copy=False)
    return out


def _check_pair(value) -> tuple:
    # TF's messages call both the scale and the translation "t".
    if np.ndim(value) != 1:
        fail(f"t must be 1-dimensional{shape_text(np.shape(value))}")
    if np.size(value) != 2:
        fail(f"t must have two elements{shape_text(np.shape(value))}")
    return tuple(_F32(v) for v in value)


def _scales(scale, translation) -> tuple:
    scales, translations = _check_pair(scale), _check_pair(translation)
    if not all(s > 0 for s in scales):
        fail("Scale must be greater than zero.")
    return scales, translations


def _axis_weights(kernel_type, antialias, out_sizes, in_sizes, places) -> list:
    """The sampling weights along height and along width."""
    return [
        sampling_weights(kernel_type, out_size, in_size, scale, translate, antialias)
        for out_size, in_size, scale, translate in zip(out_sizes, in_sizes, *places)
    ]


def _check_kernel_type(kernel_type) -> str:
    kernel_type = kernel_type.decode() if isinstance(kernel_type, bytes) else kernel_type
    if kernel_type not in KERNELS:
        fail(f"Unrecognized kernel type: {kernel_type}")
    return kernel_type


@register_kernel("ScaleAndTranslate")
def scale_and_translate(images, size, scale, translation, *, T, kernel_type, antialias):
    kernel_type = _check_kernel_type(kernel_type)
    if images.ndim != 4:
        fail(f"input must be 4-dimensional{shape_text(images.shape)}")
    if np.ndim(size) != 1:
        fail(f"output_shape_t must be 1-dimensional{shape_text(np.shape(size))}")
    if np.size(size) != 2:
        fail(f"output_shape_t must have two elements{shape_text(np.shape(size))}")
    out_h, out_w = (int(s) for s in size)
    _, in_h, in_w, channels = images.shape
    if out_h <= 0 or out_w <= 0:
        fail("output dimensions must be positive")
    if channels <= 0:
        fail("image must have at least one channel")
    if in_h <= 0 or in_w <= 0:
        fail("input image must be of non-zero size")
    places = _scales(scale, translation)
    rows, cols = _axis_weights(kernel_type, antialias, (out_h, out_w), (in_h, in_w), places)
    return (gather_spans(cols, gather_spans(rows, images, 1), 2),)


@register_kernel("ScaleAndTranslateGrad")
def scale_and_translate_grad(
    grads, original_image, scale, translation, *, T, kernel_type, antialias
):
    kernel_type = _check_kernel_type(kernel_type)
    if grads.ndim != 4:
        fail(f"input_grad must be 4-dimensional{shape_text(grads.shape)}")
    if original_image.ndim != 4:
        fail(f"original_image must be 4-dimensional{shape_text(original_image.shape)}")
    batch, out_h, out_w, channels = grads.shape
    _, in_h, in_w, _ = original_image.shape
    places = _scales(scale, translation)
    if 0 in (batch, out_h, out_w, in_h, in_w, channels):
        return (np.zeros((batch, in_h, in_w, channels), _F32),)
    rows, cols = _axis_weights(kernel_type, antialias, (out_h, out_w), (in_h, in_w), places)
    return (gather_spans(cols.T, gather_spans(rows.T, grads, 1), 2),)
