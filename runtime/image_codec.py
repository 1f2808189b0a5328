"""Kernels of ``DecodePng``, ``DecodeJpeg`` and ``EncodePng``, on Pillow.

They live outside ``runtime.kernels`` because they need Pillow (the pure numpy
kernels may not import it). An image is ``uint8`` (or ``uint16`` for 16-bit PNGs)
``[height, width, channels]``; ``channels=0`` keeps the file's channels, 1 is grey,
2 grey and alpha, 3 RGB and 4 RGBA. Bytes that are not an image of the format are
``InvalidArgumentError``, as in TF; decoding allocates only what the header of an
image that decodes says (Pillow refuses decompression bombs).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .errors import InvalidArgumentError
from .registry import register_kernel

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _fail(text: str):
    raise InvalidArgumentError(None, None, text)


def _scalar_bytes(contents) -> bytes:
    """The bytes of a scalar string tensor's value."""
    if np.ndim(contents) != 0:
        _fail(f"contents must be scalar, got shape {list(np.shape(contents))}")
    value = np.asarray(contents, dtype=object).item()
    return value.encode() if isinstance(value, str) else bytes(value)


def _open(contents: bytes, kind: str, formats: tuple) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(contents), formats=list(formats))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _fail(f"Invalid {kind} data, size {len(contents)}")
    return image


def _check_channels(channels: int, allowed=(0, 1, 2, 3, 4)) -> None:
    if channels not in allowed:
        _fail(f"channels must be 0, 1, 2, 3, or 4, got {channels}")


def _to_channels(image: Image.Image, channels: int) -> Image.Image:
    """``image`` converted to ``channels`` (0: as stored, a palette expanded)."""
    if channels == 0:
        if image.mode in _MODES.values():
            return image
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    return image.convert(_MODES[channels])


def _as_array(image: Image.Image) -> np.ndarray:
    array = np.asarray(image)
    return array[:, :, None] if array.ndim == 2 else array


@register_kernel("DecodePng")
def decode_png(contents, *, channels, dtype):
    _check_channels(channels)
    image = _open(_scalar_bytes(contents), "PNG", ("PNG",))
    if image.mode in ("I;16", "I;16B", "I") and channels in (0, 1):
        wide = np.asarray(image, dtype=np.uint16)[:, :, None]  # 16-bit grey
        if dtype.as_numpy_dtype is np.uint8:
            return ((wide >> 8).astype(np.uint8),)
        return (wide,)
    pixels = _as_array(_to_channels(image, channels))
    if dtype.as_numpy_dtype is np.uint16:
        return (pixels.astype(np.uint16) * 257,)  # 8 bits spread over 16, as TF's
    return (pixels,)


@register_kernel("DecodeJpeg")
def decode_jpeg(
    contents,
    *,
    channels,
    ratio,
    fancy_upscaling,
    try_recover_truncated,
    acceptable_fraction,
    dct_method,
):
    _check_channels(channels, (0, 1, 3))
    if ratio not in (1, 2, 4, 8):
        _fail(f"ratio must be 1, 2, 4, or 8, got {ratio}")
    data = _scalar_bytes(contents)
    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG"])
        if ratio > 1:  # libjpeg's DCT scaling, as TF's ratio
            image.draft(image.mode, (image.width // ratio, image.height // ratio))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _fail(f"Invalid JPEG data or crop window, data size {len(data)}")
    if channels == 0 and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return (_as_array(_to_channels(image, channels)),)


@register_kernel("EncodePng")
def encode_png(image, *, compression, T):
    if image.ndim != 3:
        _fail(f"image must be 3-dimensional{list(image.shape)}")
    depth = image.shape[2]
    if depth not in _MODES:
        _fail(f"image must have 1, 2, 3, or 4 channels, got {depth}")
    if image.dtype == np.uint16:
        if depth != 1:
            _fail("Only 16-bit grey PNGs are supported here")
        picture = Image.fromarray(image[:, :, 0].astype("<u2"), mode="I;16")
    else:
        picture = Image.fromarray(image[:, :, 0] if depth == 1 else image, mode=_MODES[depth])
    buffer = io.BytesIO()
    level = 6 if compression == -1 else int(compression)
    if not 0 <= level <= 9:
        _fail(f"compression should be in [-1,9], got {compression}")
    picture.save(buffer, format="PNG", compress_level=level)
    return (np.array(buffer.getvalue(), dtype=object),)
