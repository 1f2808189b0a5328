"""16-bit PNGs of every colour type (``runtime.image_codec``): encoded and decoded
exactly, converted between channel counts and depths as TF 2.21's libpng does, and
refused safely when the file is bad.

The files come from TF itself (a hex fixture written by ``tf.io.encode_png``, whose libpng
filters rows with Sub and Paeth) and from a writer here that uses every PNG filter and
Adam7 interlacing, independent of the runtime's own encoder.
"""

from __future__ import annotations

import struct
import tracemalloc
import zlib

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InternalError, InvalidArgumentError

v1 = tf.compat.v1
RNG = np.random.default_rng(16)
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}

# tf.io.encode_png of TF_PIXELS (TF 2.21): rows filtered Sub, then Paeth.
TF_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000007000000061002000000d0fccf6200000079494441541895758c"
    "b10dc2500c05ef59902634a4090d158d0b8fc2108cf0cb3f08c3fc61525023b203854124029ad3c93e3dc1fd02"
    "8a4705c55c7fb9c55c61737200396c2739742b5a7a40372dd27cef5ad21cfaa6f85cfea4fbab390c255d0ec3ed"
    "2beddb2b0a188b1c0e67398c65955aaec67b29a363d29f206a267e84a402090000000049454e44ae426082"
)
_Y, _X = np.mgrid[0:6, 0:7]
TF_PIXELS = np.stack(
    [_Y * 9000 + _X * 300, 60000 - _X * 5000, (_Y * _X * 1500) % 65536], axis=2
).astype(np.uint16)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _filtered(image: np.ndarray, rng) -> bytes:
    """The rows of ``image`` each filtered by a random one of PNG's five filters."""
    height, width, depth = image.shape
    samples = np.ascontiguousarray(image, ">u2").view(np.uint8).astype(np.int32)
    samples = samples.reshape(height, width, 2 * depth)
    zero = np.zeros((1, 2 * depth), np.int32)
    rows = []
    for y in range(height):
        row = samples[y]
        up = samples[y - 1] if y else np.zeros_like(row)
        left, corner = np.vstack([zero, row[:-1]]), np.vstack([zero, up[:-1]])
        guess = left + up - corner
        near_left, near_up = abs(guess - left), abs(guess - up)
        near_corner = abs(guess - corner)
        paeth = np.where(
            (near_left <= near_up) & (near_left <= near_corner),
            left,
            np.where(near_up <= near_corner, up, corner),
        )
        kind = int(rng.integers(0, 5))
        predicted = [0 * row, left, up, (left + up) // 2, paeth][kind]
        rows.append(bytes([kind]) + ((row - predicted) & 255).astype(np.uint8).tobytes())
    return b"".join(rows)


def _png(image: np.ndarray, interlaced=False, seed=0, idat=None, ihdr=None) -> bytes:
    """A 16-bit PNG of ``image`` written here, every filter used; Adam7 if ``interlaced``."""
    rng = np.random.default_rng(seed)
    height, width, depth = image.shape
    if interlaced:
        parts = [image[row::down, col::across] for col, row, across, down in ADAM7]
        raw = b"".join(_filtered(part, rng) for part in parts if part.size)
    else:
        raw = _filtered(image, rng)
    header = ihdr or struct.pack(
        ">IIBBBBB", width, height, 16, COLOUR_TYPES[depth], 0, 0, int(interlaced)
    )
    body = zlib.compress(raw) if idat is None else idat
    return b"".join(
        [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", body), _chunk(b"IEND", b"")]
    )


def _decode(data: bytes, channels=0, dtype=tf.uint16, op=None):
    with tf.Graph().as_default(), v1.Session() as sess:
        decode = op or tf.image.decode_png
        return sess.run(decode(data, channels=channels, dtype=dtype))


def _encode(image: np.ndarray) -> bytes:
    with tf.Graph().as_default(), v1.Session() as sess:
        return sess.run(tf.image.encode_png(image))


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_encode_then_decode_is_exact(depth):
    image = RNG.integers(0, 65536, (5, 7, depth), dtype=np.uint16)
    image[0, 0], image[0, 1] = 0, 65535
    png = _encode(image)
    # IHDR: width 7, height 5, 16 bits, the colour type of the channels (TF 2.21).
    assert png[12:29].hex() == f"494844520000000700000005100{COLOUR_TYPES[depth]}000000"
    decoded = _decode(png)
    assert decoded.dtype == np.uint16
    np.testing.assert_array_equal(decoded, image)


def test_a_batch_of_16_bit_rgb_images_encodes_each():
    images = RNG.integers(0, 65536, (2, 3, 4, 3), dtype=np.uint16)
    with tf.Graph().as_default(), v1.Session() as sess:
        pngs = sess.run(tf.image.encode_png(images))
    assert pngs.shape == (2,)
    for png, image in zip(pngs, images):
        np.testing.assert_array_equal(_decode(png), image)


def test_a_png_written_by_tf_decodes_exactly():
    np.testing.assert_array_equal(_decode(TF_PNG), TF_PIXELS)


@pytest.mark.parametrize("interlaced", [False, True])
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (9, 11), (17, 5)])
def test_every_filter_and_adam7_decode_exactly(depth, interlaced, shape):
    image = RNG.integers(0, 65536, (*shape, depth), dtype=np.uint16)
    np.testing.assert_array_equal(_decode(_png(image, interlaced, seed=depth)), image)


# -- channels and depth, as TF's libpng converts ---------------------------------------------


def test_channels_and_depth_of_a_tf_png():
    # (TF 2.21) grey by libpng's weights, rounded; 8 bits are the high byte.
    assert _decode(TF_PNG, channels=1)[:2, :3, 0].tolist() == [
        [35219, 32373, 29528],
        [37909, 35235, 32561],
    ]
    assert _decode(TF_PNG, channels=4, dtype=tf.uint8)[:2, :3].tolist() == [
        [[0, 234, 0, 255], [1, 214, 0, 255], [2, 195, 0, 255]],
        [[35, 234, 0, 255], [36, 214, 5, 255], [37, 195, 11, 255]],
    ]


@pytest.mark.parametrize(
    ("pixel", "channels", "expected"),
    [  # (TF 2.21)
        ([45831, 47818, 10150], 1, [42928]),
        ([50495, 52755, 1622, 64280], 1, [46248]),
        ([50495, 52755, 1622, 64280], 3, [50495, 52755, 1622]),
        ([45831, 47818, 10150], 4, [45831, 47818, 10150, 65535]),
        ([1000, 2000], 1, [1000]),
        ([1000, 2000], 3, [1000, 1000, 1000]),
        ([1000, 2000], 4, [1000, 1000, 1000, 2000]),
        ([1000], 3, [1000, 1000, 1000]),
        ([1000], 4, [1000, 1000, 1000, 65535]),
    ],
)
def test_channel_conversions(pixel, channels, expected):
    png = _png(np.array([[pixel]], np.uint16))
    assert _decode(png, channels=channels)[0, 0].tolist() == expected


def test_eight_bits_are_the_high_byte():
    png = _png(np.array([[[0x80FF, 0x7F80, 0x00FF]]], np.uint16))
    assert _decode(png, dtype=tf.uint8)[0, 0].tolist() == [128, 127, 0]  # (TF 2.21)
    assert _decode(png, channels=1, dtype=tf.uint8).dtype == np.uint8


def test_decode_image_of_16_bit_rgb():
    image = np.array([[[65535, 0, 32768]]], np.uint16)
    png = _png(image)
    floats = _decode(png, dtype=tf.float32, op=tf.image.decode_image)
    assert floats.dtype == np.float32
    assert floats[0, 0].tolist() == [1.0, 0.0, float(np.float32(32768 / 65535))]
    assert _decode(png, dtype=tf.uint8, op=tf.image.decode_image)[0, 0].tolist() == [255, 0, 128]
    np.testing.assert_array_equal(_decode(png, op=tf.image.decode_image), image)


# -- bad files -------------------------------------------------------------------------------


def _header(width, height, colour=2, interlace=0) -> bytes:
    return struct.pack(">IIBBBBB", width, height, 16, colour, 0, 0, interlace)


@pytest.mark.parametrize(
    ("data", "message"),
    [  # TF 2.21's messages
        (TF_PNG[:60], "Invalid PNG data, size 60"),  # cut inside the pixels
        (TF_PNG[:-12], f"Invalid PNG data, size {len(TF_PNG) - 12}"),  # no IEND
        (TF_PNG[:33], "Invalid PNG. Failed to initialize decoder."),  # nothing after IHDR
        (TF_PNG[:-20] + bytes([TF_PNG[-20] ^ 1]) + TF_PNG[-19:], "Invalid PNG data"),  # CRC
        (_png(np.zeros((1, 1, 3), np.uint16), ihdr=_header(1, 1, colour=3)), "initialize"),
        (
            _png(np.zeros((1, 1, 3), np.uint16), idat=zlib.compress(b"\x07" + bytes(6))),
            "Invalid PNG data",  # filter type 7
        ),
        (
            _png(np.zeros((1, 1, 3), np.uint16), idat=b"not zlib"),
            "Invalid PNG data",
        ),
        (
            _png(np.zeros((1, 1, 3), np.uint16), ihdr=_header(100_000, 100_000)),
            "PNG size too large for int: 100000 by 100000",
        ),
        (
            _png(np.zeros((1, 1, 3), np.uint16), ihdr=_header(40_000, 40_000)),
            "PNG size too large for int: 40000 by 40000",
        ),
    ],
)
def test_bad_files_are_invalid_argument(data, message):
    with pytest.raises(InvalidArgumentError, match=message):
        _decode(data)


def test_a_header_claiming_more_than_the_data_holds_allocates_nothing():
    # 20000 x 20000 RGB pixels (2.4 GB) claimed by 10 kB of data: refused before inflating.
    bomb = _png(
        np.zeros((1, 1, 3), np.uint16),
        ihdr=_header(20_000, 20_000),
        idat=zlib.compress(bytes(10_000_000), 9),
    )
    tracemalloc.start()
    try:
        with pytest.raises(InvalidArgumentError, match=f"Invalid PNG data, size {len(bomb)}"):
            _decode(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


@pytest.mark.parametrize(
    ("shape", "message"),
    [  # TF 2.21's eager message; its graph kernel aborts the process (png_io.cc CHECK)
        ((0, 3, 3), "(?m)flattened batch indices: 0$"),
        ((3, 2, 0, 3), "(?m)flattened batch indices: 0, 1, 2$"),
    ],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_encoding_an_image_without_pixels_fails_as_tf_eager_does(shape, message, dtype):
    with pytest.raises(InternalError, match=message):
        _encode(np.zeros(shape, dtype))
