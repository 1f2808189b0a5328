"""Kernels of ``DecodePng``, ``DecodeJpeg`` and ``EncodePng``, on Pillow.

They live outside ``runtime.kernels`` because they need Pillow (the pure numpy
kernels may not import it). An image is ``uint8`` (or ``uint16`` for 16-bit PNGs)
``[height, width, channels]``; ``channels=0`` keeps the file's channels, 1 is grey,
3 RGB and 4 RGBA. As TF's, either decoder reads any image format it knows by its
first bytes (PNG, JPEG, GIF, BMP, WebP); bytes of no known format, or a file that
does not decode, are ``InvalidArgumentError`` with TF's message. Decoding allocates
only what the header of an image that decodes says (Pillow refuses decompression
bombs).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .errors import InvalidArgumentError
from .registry import register_kernel

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
_WIDE_MODES = ("I;16", "I;16B", "I")  # 16-bit grey
# The first bytes of each format, and TF's message for a file of it that does not decode.
_FORMATS = (
    (b"\x89PNG\r\n\x1a\n", "PNG", "Invalid PNG. Failed to initialize decoder."),
    (b"\xff\xd8\xff", "JPEG", "jpeg::Uncompress failed. Invalid JPEG data or crop window."),
    (b"GIF8", "GIF", "Invalid GIF data (size {size})"),
    (b"BM", "BMP", "Invalid BMP data (size {size})"),
)


def _fail(text: str):
    raise InvalidArgumentError(None, None, text)


def _scalar_bytes(contents) -> bytes:
    """The bytes of a scalar string tensor's value."""
    if np.ndim(contents) != 0:
        _fail(f"contents must be scalar, got shape {list(np.shape(contents))}")
    value = np.asarray(contents, dtype=object).item()
    return value.encode() if isinstance(value, str) else bytes(value)


def _open(data: bytes, reduce: int = 1, grey: bool = False) -> Image.Image:
    """The image in ``data``, of whichever format its first bytes say. A JPEG is
    decoded ``reduce`` times smaller, and straight to grey if ``grey``, by libjpeg
    itself (its DCT scaling and colour conversion, as TF's ``ratio`` and channels)."""
    for magic, name, message in _FORMATS:
        if data.startswith(magic):
            try:
                image = Image.open(io.BytesIO(data), formats=[name])
                if name == "JPEG" and (reduce > 1 or grey):
                    size = (image.width // reduce, image.height // reduce)
                    image.draft("L" if grey else image.mode, size)
                image.load()
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
                _fail(message.format(size=len(data)))
            return image
    _fail("Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required.")


def _pixels(image: Image.Image, channels: int, dtype) -> np.ndarray:
    """``image`` as ``[height, width, channels]`` of ``dtype`` (uint8 or uint16)."""
    wide = dtype is np.uint16
    if image.mode in _WIDE_MODES and channels in (0, 1):
        grey = np.asarray(image, dtype=np.uint16)[:, :, None]  # 16-bit grey
        return grey if wide else (grey >> 8).astype(np.uint8)
    if channels == 0:
        if image.mode not in _MODES.values():
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
    else:
        image = image.convert(_MODES[channels])
    array = np.asarray(image)
    array = array[:, :, None] if array.ndim == 2 else array
    return array.astype(np.uint16) * 257 if wide else array  # 8 bits spread over 16


def _check_channels(channels: int) -> None:
    if channels not in (0, 1, 3, 4):
        _fail(f"`channels` must be 0, 1, 3 or 4 but got {channels}")


@register_kernel("DecodePng")
def decode_png(contents, *, channels, dtype):
    _check_channels(channels)
    image = _open(_scalar_bytes(contents), grey=channels == 1)
    return (_pixels(image, channels, dtype.as_numpy_dtype),)


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
    # Pillow's libjpeg decodes with the accurate integer IDCT ("INTEGER_ACCURATE");
    # TF's default, the fast one, differs by a few levels.
    _check_channels(channels)
    if channels == 4:
        _fail("JPEG does not support 4 channels")
    if ratio not in (1, 2, 4, 8):
        _fail(f"ratio must be 1, 2, 4, or 8, got {ratio}")
    image = _open(_scalar_bytes(contents), reduce=ratio, grey=channels == 1)
    return (_pixels(image, channels, np.uint8),)


def _encode(image: np.ndarray, level: int) -> bytes:
    depth = image.shape[2]
    if depth not in _MODES:
        _fail(f"image must have 1, 2, 3, or 4 channels, got {depth}")
    if image.dtype == np.uint16 and depth != 1:
        _fail("Only 16-bit greyscale PNGs are supported here")
    # Pillow picks the mode from the array: L, LA, RGB, RGBA, or I;16 for 16-bit grey.
    picture = Image.fromarray(np.ascontiguousarray(image[:, :, 0] if depth == 1 else image))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


@register_kernel("EncodePng")
def encode_png(image, *, compression, T):
    if image.ndim < 3:
        _fail(f"image must be at least 3-dimensional{list(image.shape)}")
    if not -1 <= compression <= 9:
        _fail(f"compression should be in [-1,9], got {compression}")
    level = 6 if compression == -1 else int(compression)  # zlib's default
    batch = image.shape[:-3]
    out = np.empty(batch, dtype=object)
    flat = image.reshape((-1, *image.shape[-3:]))
    for i, picture in enumerate(flat):
        out.reshape(-1)[i] = _encode(picture, level)
    return (out,)


@register_kernel("DecodeImage")
def decode_image(contents, *, channels, dtype, expand_animations):
    _check_channels(channels)
    image = _open(_scalar_bytes(contents), grey=channels == 1)
    if expand_animations and image.format == "GIF":
        pictures = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            pictures.append(_pixels(image.convert("RGB"), channels or 3, np.uint8))
        pixels = np.stack(pictures)
    else:
        wide = dtype.as_numpy_dtype is np.uint16 or (
            dtype.as_numpy_dtype is np.float32 and image.mode in _WIDE_MODES
        )
        pixels = _pixels(image, channels, np.uint16 if wide else np.uint8)
    if dtype.as_numpy_dtype is np.float32:  # [0, 1] of the file's own depth
        return ((pixels / np.float32(np.iinfo(pixels.dtype).max)).astype(np.float32),)
    return (pixels.astype(dtype.as_numpy_dtype, copy=False),)
