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


# -- JPEG encoding, cropping, header ---------------------------------------------------------

_JFIF_UNITS = {"in": 1, "cm": 2}


def encode_jpeg_bytes(
    image: np.ndarray,
    *,
    format="",
    quality=95,
    progressive=False,
    optimize_size=False,
    chroma_downsampling=True,
    density_unit="in",
    x_density=300,
    y_density=300,
    xmp_metadata="",
) -> bytes:
    """The JPEG bytes TF writes for the uint8 ``image`` ``[height, width, channels]``
    (libjpeg through Pillow: the same bytes as TF's)."""
    if image.ndim != 3:
        _fail(f"image must be 3-dimensional{list(image.shape)}")
    depth = image.shape[2]
    if format:
        wanted = 1 if format == "grayscale" else 3
        if depth != wanted:
            _fail(f"format {format} expects {wanted} channels, got {list(image.shape)}")
    elif depth not in (1, 3):
        _fail(f"image must have 1 or 3 channels, got [{','.join(map(str, image.shape))}]")
    if not 0 <= quality <= 100:
        _fail(f"quality must be in [0,100], got {quality}")
    picture = Image.fromarray(np.ascontiguousarray(image[:, :, 0] if depth == 1 else image))
    options = {
        "quality": int(quality),
        "progressive": bool(progressive),
        "optimize": bool(optimize_size),
        "dpi": (int(x_density), int(y_density)),
        # 4:2:0 (one chroma sample per 2x2 pixels), or 4:4:4; grey has no chroma.
        "subsampling": 2 if chroma_downsampling and depth == 3 else 0,
    }
    if xmp_metadata:
        options["xmp"] = xmp_metadata.encode() if isinstance(xmp_metadata, str) else xmp_metadata
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", **options)
    data = bytearray(buffer.getvalue())
    data[13] = _JFIF_UNITS[density_unit]  # the JFIF header's density unit (Pillow: inches)
    return bytes(data)


@register_kernel("EncodeJpeg")
def encode_jpeg(image, **attrs):
    out = np.empty((), dtype=object)
    out[()] = encode_jpeg_bytes(np.asarray(image), **attrs)
    return (out,)


@register_kernel("EncodeJpegVariableQuality")
def encode_jpeg_variable_quality(images, quality):
    if np.ndim(quality) != 0:
        _fail(f"quality must be a scalar: {list(np.shape(quality))}")
    out = np.empty((), dtype=object)
    out[()] = encode_jpeg_bytes(np.asarray(images), quality=int(quality))
    return (out,)


def _jpeg(data: bytes) -> Image.Image:
    """The JPEG in ``data``, its header read (pixels not decoded); TF's error otherwise."""
    if not data.startswith(b"\xff\xd8\xff"):
        _fail(f"Invalid JPEG data, size {len(data)}")
    try:
        return Image.open(io.BytesIO(data), formats=["JPEG"])
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _fail(f"Invalid JPEG data, size {len(data)}")


@register_kernel("ExtractJpegShape")
def extract_jpeg_shape(contents, *, output_type):
    picture = _jpeg(_scalar_bytes(contents))
    channels = len(picture.getbands())
    return (np.array([picture.height, picture.width, channels], output_type.as_numpy_dtype),)


@register_kernel("DecodeAndCropJpeg")
def decode_and_crop_jpeg(contents, crop_window, **attrs):
    if np.shape(crop_window) != (4,):
        _fail(f"crop_window must be shape [4], got {list(np.shape(crop_window))}")
    (image,) = decode_jpeg(contents, **attrs)
    top, left, height, width = (int(v) for v in crop_window)
    if top < 0 or left < 0 or height <= 0 or width <= 0:
        _fail("jpeg::Uncompress failed. Invalid JPEG data or crop window.")
    if top + height > image.shape[0] or left + width > image.shape[1]:
        _fail("jpeg::Uncompress failed. Invalid JPEG data or crop window.")
    return (np.ascontiguousarray(image[top : top + height, left : left + width]),)


# -- BMP, GIF, WebP ----------------------------------------------------------------------------

_OTHER_DECODERS = {
    "JPEG": "decode_jpeg",
    "PNG": "decode_png",
    "GIF": "decode_gif",
    "BMP": "decode_bmp",
}


def _format_of(data: bytes) -> str | None:
    return next((name for magic, name, _ in _FORMATS if data.startswith(magic)), None)


def _expect_format(data: bytes, wanted: str, op_type: str) -> None:
    """TF's refusal of a file of another format than the op decodes."""
    found = _format_of(data)
    if found is not None and found != wanted:
        _fail(
            f"Trying to decode {found} format using {op_type} op. Use "
            f"`{_OTHER_DECODERS[found]}` or `decode_image` instead."
        )


def _bmp_pixels(data: bytes) -> np.ndarray:
    """The pixels of an uncompressed BMP as TF reads them: 8 bits a grey level (the
    palette unread), 24 RGB, 32 RGBA (the file's BGR(A) reordered), top row first."""
    if len(data) < 54:
        _fail(
            f"Incomplete bmp content, requires at least 54 bytes to find the header, got {len(data)}"
        )
    offset, width, height = (
        int.from_bytes(data[at : at + 4], "little", signed=True) for at in (10, 18, 22)
    )
    bpp = int.from_bytes(data[28:30], "little")
    if bpp not in (8, 24, 32):
        _fail(f"Only 8, 24 and 32 bits per pixel are supported, got {bpp}")
    if width <= 0 or height == 0:
        _fail(f"Invalid BMP size: width {width}, height {height}")
    depth, rows = bpp // 8, abs(height)
    row_bytes = (bpp * width + 31) // 32 * 4  # each row padded to 4 bytes
    if offset < 0 or offset + row_bytes * rows > len(data):
        _fail(
            f"Invalid BMP data (size {len(data)}): its header claims {rows} rows of {row_bytes} bytes"
        )
    table = np.frombuffer(data, np.uint8, row_bytes * rows, offset).reshape(rows, row_bytes)
    pixels = table[:, : width * depth].reshape(rows, width, depth)
    pixels = pixels[::-1] if height > 0 else pixels  # a positive height: bottom row first
    return pixels[..., [2, 1, 0, 3][:depth]] if depth >= 3 else pixels


@register_kernel("DecodeBmp")
def decode_bmp(contents, *, channels):
    if channels not in (0, 1, 3, 4):
        _fail(f"channels must be 0, 1, 3 or 4, was {channels}")
    data = _scalar_bytes(contents)
    _expect_format(data, "BMP", "DecodeBmp")
    if not data.startswith(b"BM"):
        _fail("Input is not a BMP-encoded image. Expected 'BM' as the first two bytes.")
    pixels = _bmp_pixels(data)
    depth = pixels.shape[2]
    if channels in (0, depth):
        return (np.ascontiguousarray(pixels),)
    if depth == 1:  # grey to colour
        pixels = np.repeat(pixels, 3, axis=2)
    elif channels == 1:
        _fail(f"channels attribute 1 does not match bits per pixel from file {depth * 8}")
    colour = pixels[..., :3]
    if channels == 4:
        colour = np.concatenate([colour, np.full((*colour.shape[:2], 1), 255, np.uint8)], axis=2)
    return (np.ascontiguousarray(colour),)


@register_kernel("DecodeGif")
def decode_gif(contents):
    data = _scalar_bytes(contents)
    _expect_format(data, "GIF", "DecodeGif")
    image = _open(data)
    frames = []
    for frame in range(getattr(image, "n_frames", 1)):
        image.seek(frame)
        frames.append(_pixels(image.convert("RGB"), 3, np.uint8))
    return (np.stack(frames),)


@register_kernel("DecodeWebP")
def decode_webp(contents, *, channels, dtype):
    if channels not in (0, 3, 4):
        _fail(f"channels must be 0, 3 or 4, was {channels}")
    data = _scalar_bytes(contents)
    if not (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
        _fail("Invalid WebP data")
    try:
        image = Image.open(io.BytesIO(data), formats=["WEBP"])
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _fail("Invalid WebP data")
    frames = []
    for frame in range(getattr(image, "n_frames", 1)):
        image.seek(frame)
        frames.append(_pixels(image, channels, np.uint8))
    return (np.stack(frames),)
