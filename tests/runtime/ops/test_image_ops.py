"""``tf.image`` beyond TF's recorded values (``test_image_fixtures.py``): gradients
against finite differences, seeded random flips, PNG round trips and untrusted image
bytes."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

import runtime as tf
from runtime.errors import InvalidArgumentError
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
RNG = np.random.default_rng(5)


@pytest.mark.parametrize(
    "flags",
    [{}, {"align_corners": True}, {"half_pixel_centers": True}],
    ids=["legacy", "corners", "half"],
)
@pytest.mark.parametrize("method", ["bilinear", "bicubic", "nearest_neighbor"])
def test_resize_gradients_match_finite_differences(method, flags):
    resize = getattr(v1.image, f"resize_{method}")
    # Linear in the image, so a large step is exact; the outputs are float32.
    check_gradients(
        lambda x: resize(x, [5, 3], **flags),
        [RNG.uniform(size=(1, 3, 4, 2))],
        delta=1.0,
        rtol=1e-4,
        atol=1e-5,
    )


def test_crop_and_resize_gradients_match_finite_differences():
    boxes = np.array([[0.11, 0.23, 0.83, 0.91], [0.05, 0.31, 0.57, 0.66]])

    def crop(image, boxes):
        return tf.image.crop_and_resize(image, tf.cast(boxes, tf.float32), [0, 1], [3, 2])

    check_gradients(
        lambda image: crop(image, boxes), [RNG.uniform(size=(2, 5, 6, 1))], delta=1.0, rtol=1e-4
    )
    # Boxes away from the kinks where a sample crosses a pixel; float32: looser.
    image = RNG.uniform(size=(2, 5, 6, 1))
    check_gradients(
        lambda b: crop(tf.constant(image), b), [boxes], delta=1e-3, rtol=2e-2, atol=2e-3
    )


def test_geometry_gradients():
    check_gradients(lambda x: tf.image.rot90(x, 3), [RNG.normal(size=(3, 4, 2))])
    check_gradients(lambda x: tf.image.central_crop(x, 0.5), [RNG.normal(size=(6, 4, 1))])
    check_gradients(
        lambda x: tf.image.resize_with_crop_or_pad(x, 2, 5), [RNG.normal(size=(4, 3, 1))]
    )
    # It computes in float32 whatever it is given: a larger step, looser tolerances.
    check_gradients(
        tf.image.per_image_standardization,
        [RNG.normal(size=(3, 3, 2))],
        delta=1e-2,
        rtol=1e-3,
        atol=1e-3,
    )


def test_random_flip_is_seeded_and_flips_about_half(graph):
    images = np.arange(64 * 3, dtype=np.float32).reshape(64, 1, 3, 1)
    v1.set_random_seed(3)
    flipped = tf.image.random_flip_left_right(images, seed=5)
    with v1.Session() as sess:
        first = sess.run(flipped)
    with v1.Session() as sess:
        again = sess.run(flipped)
    np.testing.assert_array_equal(first, again)  # the same seeds: the same draws
    mirrored = (first == images[:, :, ::-1]).all(axis=(1, 2, 3))
    kept = (first == images).all(axis=(1, 2, 3))
    assert (mirrored | kept).all() and 16 < mirrored.sum() < 48
    single = tf.image.random_flip_up_down(images[0], seed=1)
    assert single.shape == tf.TensorShape([1, 3, 1])


def test_png_round_trip_of_every_channel_count(sess):
    for depth in (1, 2, 3, 4):
        pixels = RNG.integers(0, 256, (5, 7, depth), dtype=np.uint8)
        png = sess.run(tf.image.encode_png(pixels))
        assert Image.open(io.BytesIO(png)).size == (7, 5)
        np.testing.assert_array_equal(sess.run(tf.image.decode_png(png)), pixels)
    wide = RNG.integers(0, 65536, (3, 4, 1), dtype=np.uint16)
    png16 = sess.run(tf.image.encode_png(wide))
    np.testing.assert_array_equal(sess.run(tf.image.decode_png(png16, dtype=tf.uint16)), wide)


def test_decoders_refuse_bombs_and_truncated_files(sess):
    # A PNG header claiming 100000 x 100000 pixels: refused without allocating them.
    header = io.BytesIO()
    Image.new("L", (1, 1)).save(header, format="PNG")
    claimed = bytearray(header.getvalue())
    claimed[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR's width and height
    claimed[29:33] = zlib.crc32(bytes(claimed[12:29])).to_bytes(4, "big")  # a valid header
    with pytest.raises(InvalidArgumentError, match="Invalid PNG"):
        sess.run(tf.image.decode_png(bytes(claimed)))
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    with pytest.raises(InvalidArgumentError, match="Invalid JPEG data"):
        sess.run(tf.image.decode_jpeg(jpeg.getvalue()[:40]))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.image.decode_png([b"a", b"b"])


def test_resize_images_keeps_static_sizes(graph):
    images = v1.placeholder(tf.float32, [None, None, None, 3])
    assert v1.image.resize_images(images, [4, 5]).shape.as_list() == [None, 4, 5, 3]
    single = v1.placeholder(tf.float32, [7, 9, 1])
    assert v1.image.resize_images(single, [3, 3]).shape.as_list() == [3, 3, 1]
    with pytest.raises(ValueError, match="Resize method is not implemented: 7"):
        v1.image.resize_images(single, [3, 3], method=7)
    antialiased = tf.compat.v2.image.resize(single, [3, 3], antialias=True)
    assert antialiased.shape.as_list() == [3, 3, 1]


def test_convert_image_dtype_refuses_non_numbers(graph):
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(tf.zeros([1, 1, 1]), tf.string)


def test_random_crop_takes_a_window_of_the_image(graph):
    image = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)
    crop = v1.random_crop(image, [2, 3, 2], seed=4)
    assert crop.shape == tf.TensorShape([2, 3, 2])
    with v1.Session() as sess:
        windows = {tuple(sess.run(crop)[0, 0]) for _ in range(30)}
    # Every draw is a window of the image: its top-left pixel fixes where.
    for top, left in ((int(p) // 12, int(p) % 12 // 2) for p, _ in windows):
        assert top <= 3 and left <= 3
    assert len(windows) > 1
    with pytest.raises(InvalidArgumentError, match=r"Need value\.shape >= size"):
        with v1.Session() as sess:
            sess.run(tf.image.random_crop(image, [6, 1, 1]))


def test_random_brightness_and_contrast_stay_in_their_ranges(sess):
    image = np.linspace(0.1, 0.9, 12, dtype=np.float32).reshape(2, 3, 2)
    brighter = tf.image.random_brightness(image, 0.2, seed=1)
    contrasted = tf.image.random_contrast(image, 0.5, 0.9, seed=2)
    for _ in range(5):
        delta = sess.run(brighter) - image
        np.testing.assert_allclose(delta, delta.flat[0], atol=1e-6)  # one delta per image
        assert -0.2 <= delta.flat[0] < 0.2
        spread = np.ptp(sess.run(contrasted), axis=(0, 1)) / np.ptp(image, axis=(0, 1))
        assert (spread >= 0.5).all() and (spread < 0.9 + 1e-6).all()
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.random_brightness(image, -1.0)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(image, 0.5, 0.5)


def test_decode_image_expands_an_animated_gif(sess):
    frames = [Image.new("RGB", (3, 2), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:])
    animation = sess.run(tf.image.decode_image(gif.getvalue()))
    assert animation.shape == (2, 2, 3, 3)
    assert animation[0, 0, 0].tolist() == [255, 0, 0] and animation[1, 0, 0].tolist() == [0, 0, 255]
    first = tf.image.decode_image(gif.getvalue(), expand_animations=False)
    assert first.shape.as_list() == [None, None, None]
    assert sess.run(first).shape == (2, 3, 3)
