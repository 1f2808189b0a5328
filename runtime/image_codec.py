"""Kernels of ``DecodePng``, ``DecodeJpeg`` and ``EncodePng``, on Pillow.

They live outside ``runtime.kernels`` because they need Pillow (the pure numpy
kernels may not import it). An image is ``uint8`` (or ``uint16`` for 16-bit PNGs)
``[height, width, channels]``; ``channels=0`` keeps the file's channels, 1 is grey,
3 RGB and 4 RGBA. As TF's, either decoder reads any image format it knows by its
first bytes (PNG, JPEG, GIF, BMP, WebP); bytes of no known format, or a file that
does not decode, are ``InvalidArgumentError`` with TF's message. Decoding allocates
only what the header of an image that decodes says (Pillow refuses decompression
bombs).

16-bit PNGs
    Pillow keeps only 8 bits of a 16-bit colour PNG, so 16-bit PNGs of every colour
    type (grey, grey+alpha, RGB, RGBA; interlaced or not) are coded here with
    ``zlib``. The decoder walks the chunks checking each length and CRC against the
    data, and inflates no more pixels than the compressed data can hold (deflate
    expands at most 1032-fold) before it allocates them. Colour is converted as TF's
    libpng converts it (grey from RGB by libpng's weights, 8 bits the high byte). A
    ``tRNS`` chunk (a transparent colour) of a 16-bit PNG is not applied.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from .errors import InternalError, InvalidArgumentError
from .registry import register_kernel

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
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
    """``image`` (8 bits a sample) as ``[height, width, channels]`` of ``dtype`` (uint8 or
    uint16)."""
    wide = dtype is np.uint16
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
    data = _scalar_bytes(contents)
    wide = _wide_png(data, channels)
    if wide is not None:
        return (_with_depth(wide, dtype.as_numpy_dtype),)
    image = _open(data, grey=channels == 1)
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
    if image.dtype == np.uint16:
        return encode_png16(image, level)
    # Pillow picks the mode from the array: L, LA, RGB or RGBA.
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
    if out.size and 0 in image.shape[-3:-1]:  # libpng writes no image without pixels
        failed = ", ".join(map(str, range(out.size)))
        raise InternalError(
            None, None, f"PNG encoding failed at the following flattened batch indices: {failed}"
        )
    flat = image.reshape((out.size, *image.shape[-3:]))
    for i, picture in enumerate(flat):
        out.reshape(-1)[i] = _encode(picture, level)
    return (out,)


@register_kernel("DecodeImage")
def decode_image(contents, *, channels, dtype, expand_animations):
    _check_channels(channels)
    data = _scalar_bytes(contents)
    pixels = _wide_png(data, channels)
    if pixels is None:
        pixels = _decoded_image(_open(data, grey=channels == 1), channels, dtype, expand_animations)
    if dtype.as_numpy_dtype is np.float32:  # [0, 1] of the file's own depth
        return ((pixels / np.float32(np.iinfo(pixels.dtype).max)).astype(np.float32),)
    return (_with_depth(pixels, dtype.as_numpy_dtype),)


def _decoded_image(image: Image.Image, channels: int, dtype, expand_animations: bool):
    """The pixels of an image Pillow decoded: every frame of a GIF when
    ``expand_animations``; ``uint16`` only when ``dtype`` asks for it."""
    if expand_animations and image.format == "GIF":
        pictures = []
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            pictures.append(_pixels(image.convert("RGB"), channels or 3, np.uint8))
        return np.stack(pictures)
    return _pixels(image, channels, np.uint16 if dtype.as_numpy_dtype is np.uint16 else np.uint8)


def _with_depth(pixels: np.ndarray, dtype) -> np.ndarray:
    """``pixels`` as ``dtype`` (uint8 or uint16): 16 bits to 8 keep the high byte, as TF's."""
    if pixels.dtype == np.uint16 and dtype is np.uint8:
        return (pixels >> 8).astype(np.uint8)
    return pixels


# -- 16-bit PNGs ------------------------------------------------------------------------------

_PNG_SIGNATURE = _FORMATS[0][0]
_BAD_PNG_HEADER = _FORMATS[0][2]
# IHDR's colour type of each channel count: grey, grey+alpha, RGB, RGBA.
_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}
_CHANNELS_OF = {colour: channels for channels, colour in _COLOUR_TYPES.items()}
_DEFLATE_MAX_RATIO = 1032  # no deflate stream inflates more than this
_IDAT_BYTES = 1 << 20  # each IDAT chunk of an encoded image holds at most this
# Adam7's seven passes: (first column, first row, column step, row step).
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
# libpng's weights of R, G and B in a grey level (15-bit fixed point), as TF's decoder uses.
_GREY_WEIGHTS = (9797, 19234, 3737)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png16(image: np.ndarray, level: int = 6) -> bytes:
    """The PNG of the ``uint16`` ``image`` ``[height, width, channels]`` (1 to 4 channels),
    16 bits a sample, compressed at zlib ``level``.

    Examples
    --------
    >>> image = np.array([[[0, 1000, 65535]]], np.uint16)
    >>> png = encode_png16(image)
    >>> png[:8] == _PNG_SIGNATURE, bool((_wide_png(png, 0) == image).all())
    (True, True)
    """
    height, width, depth = image.shape
    header = struct.pack(">IIBBBBB", width, height, 16, _COLOUR_TYPES[depth], 0, 0, 0)
    samples = np.ascontiguousarray(image, dtype=">u2").view(np.uint8).reshape(height, -1)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), samples], axis=1)  # filter: none
    data = zlib.compress(rows.tobytes(), level)
    idat = [_chunk(b"IDAT", data[at : at + _IDAT_BYTES]) for at in range(0, len(data), _IDAT_BYTES)]
    return b"".join([_PNG_SIGNATURE, _chunk(b"IHDR", header), *idat, _chunk(b"IEND", b"")])


def _wide_png(data: bytes, channels: int) -> np.ndarray | None:
    """The ``uint16`` pixels of a 16-bit PNG in ``channels`` (0: the file's), or ``None``
    when ``data`` is no 16-bit PNG (Pillow decodes those)."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height, depth, colour, method, filtering, interlace = struct.unpack_from(
        ">IIBBBBB", data, 16
    )
    if depth != 16:
        return None
    if colour not in _CHANNELS_OF or (method, filtering) != (0, 0) or interlace > 1:
        _fail(_BAD_PNG_HEADER)
    if not (0 < width < 2**27 and 0 < height < 2**27 and width * height < 2**29):  # TF's
        _fail(f"PNG size too large for int: {width} by {height}")
    compressed = b"".join(_png_chunks(data).get(b"IDAT", []))
    passes = _passes(width, height, interlace == 1)
    pixels = _png_pixels(data, compressed, passes, (height, width, _CHANNELS_OF[colour]))
    return _converted(pixels, channels)


def _png_chunks(data: bytes) -> dict:
    """``{kind: [body, ...]}`` of the chunks of a PNG up to ``IEND``, each length and CRC
    checked against the data (TF's errors for any that is wrong, and for no ``IEND``)."""
    chunks: dict = {}
    at = len(_PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        end = at + 12 + length
        kind, body = data[at + 4 : at + 8], data[at + 8 : end - 4]
        if end > len(data) or zlib.crc32(kind + body) != struct.unpack_from(">I", data, end - 4)[0]:
            break
        if kind == b"IEND":
            return chunks
        chunks.setdefault(kind, []).append(body)
        at = end
    # libpng reads the chunks before the first IDAT when it starts: a file that ends or
    # breaks before then fails to start, as TF says.
    started = b"IDAT" in chunks or data[at + 4 : at + 8] == b"IDAT"
    _fail(f"Invalid PNG data, size {len(data)}" if started else _BAD_PNG_HEADER)


def _passes(width: int, height: int, interlaced: bool) -> list:
    """``(column, row, column step, row step, width, height)`` of each non-empty sub-image
    the rows of a PNG come in: the whole image, or Adam7's passes."""
    passes = []
    for column, row, across, down in _ADAM7 if interlaced else ((0, 0, 1, 1),):
        size = (-(-(width - column) // across), -(-(height - row) // down))
        if min(size) > 0:
            passes.append((column, row, across, down, *size))
    return passes


def _png_pixels(data: bytes, compressed: bytes, passes: list, shape: tuple) -> np.ndarray:
    """The ``uint16`` pixels ``shape`` of the IDAT data ``compressed``, inflated only once
    the data is known able to hold them."""
    sample_bytes = 2 * shape[2]
    sizes = [h * (1 + w * sample_bytes) for *_, w, h in passes]
    if sum(sizes) > len(compressed) * _DEFLATE_MAX_RATIO:
        _fail(f"Invalid PNG data, size {len(data)}")  # the header claims more than it holds
    try:
        raw = zlib.decompressobj().decompress(compressed, sum(sizes))
    except zlib.error:
        raw = b""
    if len(raw) != sum(sizes):
        _fail(f"Invalid PNG data, size {len(data)}")
    pixels = np.empty(shape, np.uint16)
    start = 0
    for (column, row, across, down, w, h), size in zip(passes, sizes):
        rows = np.frombuffer(raw, np.uint8, size, start).reshape(h, -1)
        start += size
        samples = _unfiltered(rows[:, 0], rows[:, 1:].reshape(h, w, sample_bytes), data)
        pixels[row::down, column::across] = samples.view(">u2").reshape(h, w, shape[2])
    return pixels


def _unfiltered(filters: np.ndarray, raw: np.ndarray, data: bytes) -> np.ndarray:
    """The bytes ``[height, width, bytes a pixel]`` of rows that PNG's ``filters`` (None,
    Sub, Up, Average, Paeth) made ``raw``. A byte needs only its left, upper and upper-left
    neighbours, so each anti-diagonal is one vectorised step: ``height + width - 1`` steps,
    not a Python loop over the pixels."""
    if (filters > 4).any():
        _fail(f"Invalid PNG data, size {len(data)}")
    if not filters.any():
        return raw  # no filter at all (as this module writes them)
    height, width, depth = raw.shape
    out = np.zeros((height + 1, width + 1, depth), np.int32)  # a zero row and column first
    kinds = filters.astype(np.intp)
    for step in range(height + width - 1):
        ys = np.arange(max(0, step - width + 1), min(height, step + 1))
        xs = step - ys
        left, up, corner = out[ys + 1, xs], out[ys, xs + 1], out[ys, xs]
        out[ys + 1, xs + 1] = (raw[ys, xs] + _predicted(kinds[ys], left, up, corner)) & 255
    return out[1:, 1:].astype(np.uint8)


def _predicted(kinds: np.ndarray, left, up, corner) -> np.ndarray:
    """What each filter of ``kinds`` (one per pixel) predicts from a pixel's neighbours."""
    guess = left + up - corner
    to_left, to_up, to_corner = np.abs(guess - left), np.abs(guess - up), np.abs(guess - corner)
    paeth = np.where(
        (to_left <= to_up) & (to_left <= to_corner), left, np.where(to_up <= to_corner, up, corner)
    )
    choices = np.stack([np.zeros_like(left), left, up, (left + up) >> 1, paeth])
    return choices[kinds, np.arange(len(kinds))]


def _converted(pixels: np.ndarray, channels: int) -> np.ndarray:
    """16-bit ``pixels`` (grey, grey+alpha, RGB or RGBA) in ``channels`` (0, 1, 3 or 4),
    as TF's libpng converts them: grey from colour by libpng's weights, rounded; alpha
    dropped, or opaque where there was none."""
    have = pixels.shape[2]
    if channels in (0, have):
        return pixels
    colour = pixels[..., : 3 if have >= 3 else 1]
    if channels == 1:
        if colour.shape[2] == 1:
            return colour
        weighted = (colour.astype(np.int64) * np.array(_GREY_WEIGHTS)).sum(axis=2, keepdims=True)
        return ((weighted + (1 << 14)) >> 15).astype(np.uint16)
    colour = np.repeat(colour, 3 // colour.shape[2], axis=2)  # grey to RGB
    if channels == 3:
        return colour
    alpha = pixels[..., -1:] if have % 2 == 0 else np.full_like(pixels[..., :1], 65535)
    return np.concatenate([colour, alpha], axis=2)


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
