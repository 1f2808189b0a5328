"""Kernels of the colour-space ops: ``RGBToHSV``, ``HSVToRGB``, ``AdjustHue`` and
``AdjustSaturation``, with TF's formulas in the input's float type (hue in ``[0, 1)``;
TF's hue and saturation kernels compute in float32 whatever they were given).
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text

_F32 = np.float32


def _channels(images, what: str = "input") -> tuple:
    if images.ndim < 1 or images.shape[-1] != 3:
        fail(
            f"{what} must have 3 channels but instead has {images.shape[-1] if images.ndim else 0}"
            f" channels{'' if images.ndim else shape_text(images.shape)}."
        )
    return images[..., 0], images[..., 1], images[..., 2]


def _hsv(r, g, b):
    """TF's RGB to HSV of float arrays (any float type; computed in it)."""
    one = r.dtype.type(1)
    value = np.maximum(np.maximum(r, g), b)
    spread = value - np.minimum(np.minimum(r, g), b)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(value > 0, spread / value, 0).astype(r.dtype)
        norm = (one / spread) * (one / r.dtype.type(6))
        hue = np.where(
            r == value,
            norm * (g - b),
            np.where(g == value, norm * (b - r) + one * 2 / 6, norm * (r - g) + one * 4 / 6),
        )
    hue = np.where(spread > 0, hue, 0).astype(r.dtype)
    return np.where(hue < 0, hue + one, hue), saturation, value


@register_kernel("RGBToHSV")
def rgb_to_hsv(images, *, T):
    return (np.stack(_hsv(*_channels(images)), axis=-1),)


@register_kernel("HSVToRGB")
def hsv_to_rgb(images, *, T):
    hue, saturation, value = _channels(images)
    one = images.dtype.type(1)
    sextant = hue * images.dtype.type(6)
    red = np.clip(np.abs(sextant - 3) - one, 0, 1)
    green = np.clip(-np.abs(sextant - 2) + 2, 0, 1)
    blue = np.clip(-np.abs(sextant - 4) + 2, 0, 1)
    rest = one - saturation
    rgb = [(rest + saturation * channel) * value for channel in (red, green, blue)]
    return (np.stack(rgb, axis=-1).astype(images.dtype),)


def _scalar(value, what: str) -> np.float32:
    if np.ndim(value) != 0:
        fail(f"{what} must be scalar: {shape_text(np.shape(value))}")
    return _F32(value)


# AdjustHue's sextants: which channel is largest, middle and smallest in each, and whether
# the hue rises (even sextants) or falls through it.
_ORDERS = ((0, 1, 2), (1, 0, 2), (1, 2, 0), (2, 1, 0), (2, 0, 1), (0, 2, 1))


def _hue_ranges(r, g, b):
    """TF's ``rgb_to_hv_range``: hue in ``[0, 6)`` and the smallest and largest channel."""
    sextant = np.where(
        r < g,
        np.where(b < r, 1, np.where(b > g, 3, 2)),
        np.where(b < g, 0, np.where(b > r, 4, 5)),
    )
    channels = np.stack([r, g, b])
    high, mid, low = (
        np.choose(sextant, [channels[order[k]] for order in _ORDERS]) for k in range(3)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (mid - low) / (high - low)
    hue = sextant + np.where(sextant % 2 == 0, ratio, _F32(1) - ratio)
    return np.where(high == low, _F32(0), hue).astype(_F32), low, high


def _from_hue_ranges(hue, low, high):
    """TF's ``hv_range_to_rgb``."""
    sextant = np.floor(hue).astype(np.int64)
    ratio = hue - sextant
    ratio = np.where(sextant % 2 == 0, ratio, _F32(1) - ratio)
    mid = low + ratio * (high - low)
    rgb = np.zeros((3, *hue.shape), _F32)
    for s, order in enumerate(_ORDERS):
        here = sextant == s if s < 5 else sextant >= 5
        for channel, part in zip(order, (high, mid, low)):
            rgb[channel] = np.where(here, part, rgb[channel])
    return rgb


@register_kernel("AdjustHue")
def adjust_hue(images, delta, *, T):
    if images.ndim < 3:
        fail(f"input must be at least 3-D, got shape{shape_text(images.shape)}")
    r, g, b = (c.astype(_F32) for c in _channels(images))
    hue, low, high = _hue_ranges(r, g, b)
    hue = np.mod(hue + _scalar(delta, "delta") * _F32(6), _F32(6)).astype(_F32)
    return (np.moveaxis(_from_hue_ranges(hue, low, high), 0, -1).astype(images.dtype),)


@register_kernel("AdjustSaturation")
def adjust_saturation(images, scale, *, T):
    if images.ndim < 3:
        fail(f"input must be at least 3-D, got shape{shape_text(images.shape)}")
    r, g, b = (c.astype(_F32) for c in _channels(images))
    hue, saturation, value = _hsv(r, g, b)
    saturation = np.clip(saturation * _scalar(scale, "scale"), 0, 1).astype(_F32)
    # TF's hsv_to_rgb: the chroma placed by the sextant of the hue.
    chroma = saturation * value
    lowest = value - chroma
    sextant = hue * _F32(6)
    category = sextant.astype(np.int64)
    second = chroma * (_F32(1) - np.abs(np.mod(sextant, _F32(2)) - _F32(1)))
    parts = {"c": chroma, "x": second, "0": np.zeros_like(chroma)}
    layouts = ("cx0", "xc0", "0cx", "0xc", "x0c", "c0x")
    rgb = np.zeros((3, *hue.shape), _F32)
    for k, layout in enumerate(layouts):
        for channel, part in enumerate(layout):
            rgb[channel] = np.where(category == k, parts[part], rgb[channel])
    return (np.moveaxis(rgb + lowest, 0, -1).astype(images.dtype),)
