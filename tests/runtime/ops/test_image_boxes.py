"""Bounding boxes, random distortions and codecs beyond TF's recorded values
(``test_image_fixtures.py``): non-max suppression against a brute-force greedy
reference on random boxes, the random ops' ranges and seeds, and codecs fed bad or
hostile bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import runtime as tf

v1 = tf.compat.v1


def _run(*tensors, feed=None):
    with v1.Session() as session:
        return session.run(list(tensors) if len(tensors) > 1 else tensors[0], feed)


def _iou(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    low_a, high_a = np.minimum(a[:2], a[2:]), np.maximum(a[:2], a[2:])
    low_b, high_b = np.minimum(b[:2], b[2:]), np.maximum(b[:2], b[2:])
    inter = np.prod(np.maximum(np.minimum(high_a, high_b) - np.maximum(low_a, low_b), 0))
    union = np.prod(high_a - low_a) + np.prod(high_b - low_b) - inter
    return inter / union if union > 0 else 0.0


def _greedy(boxes, scores, limit, threshold) -> list:
    kept = []
    for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i)):
        if len(kept) < limit and all(_iou(boxes[i], boxes[j]) <= threshold for j in kept):
            kept.append(i)
    return kept


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 25), st.integers(1, 10), st.floats(0.1, 0.9), st.integers(0, 2**32 - 1))
def test_non_max_suppression_is_greedy_suppression(count, limit, threshold, seed):
    rng = np.random.default_rng(seed)
    corners = rng.uniform(0, 1, (count, 2, 2))
    boxes = np.concatenate([corners.min(1), corners.max(1)], 1).astype(np.float32)
    scores = rng.permutation(count).astype(np.float32) / count  # no ties
    with tf.Graph().as_default():
        kept, with_scores, kept_scores = _run(
            tf.image.non_max_suppression(boxes, scores, limit, threshold),
            *tf.image.non_max_suppression_with_scores(boxes, scores, limit, threshold),
        )
    expected = _greedy(boxes, scores, limit, threshold)
    assert kept.tolist() == with_scores.tolist() == expected
    assert kept_scores.tolist() == scores[expected].tolist()


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_soft_nms_scores_only_decay(count, seed):
    rng = np.random.default_rng(seed)
    corners = rng.uniform(0, 1, (count, 2, 2))
    boxes = np.concatenate([corners.min(1), corners.max(1)], 1).astype(np.float32)
    scores = rng.uniform(0.1, 1, count).astype(np.float32)
    with tf.Graph().as_default():
        kept, decayed = _run(
            *tf.image.non_max_suppression_with_scores(boxes, scores, count, soft_nms_sigma=0.5)
        )
    assert len(set(kept.tolist())) == len(kept)
    assert (decayed <= scores[kept] + 1e-7).all() and (decayed > 0).all()
    assert decayed.tolist() == sorted(decayed.tolist(), reverse=True)  # picked best first


def test_draw_bounding_boxes_outlines_only(graph):
    canvas = tf.zeros([1, 5, 6, 3])
    drawn = _run(v1.image.draw_bounding_boxes(canvas, [[[0.25, 0.2, 0.75, 0.8]]]))[0]
    painted = drawn.any(axis=-1)
    assert painted[1, 1:5].all() and painted[3, 1:5].all() and painted[1:4, 1].all()
    assert not painted[2, 2:4].any() and not painted[0].any()  # inside and outside untouched
    assert drawn[1, 1].tolist() == [1.0, 1.0, 0.0]  # TF's first colour, yellow


def test_sample_distorted_bounding_box_covers_the_box_reproducibly(graph):
    size, boxes = [60, 80, 3], [[[0.2, 0.3, 0.6, 0.7]]]
    sample = v1.image.sample_distorted_bounding_box(
        size, boxes, seed=3, seed2=4, min_object_covered=0.6
    )
    with v1.Session() as session:
        draws = [session.run(sample) for _ in range(5)]
    with v1.Session() as session:  # a new session with the same seeds draws the same crops
        assert [session.run(sample)[1].tolist() for _ in range(5)] == [d[1].tolist() for d in draws]
    box = np.array([0.2, 0.3, 0.6, 0.7]) * [60, 80, 60, 80]
    for begin, extent, normalized in draws:
        top, left, height, width = begin[0], begin[1], extent[0], extent[1]
        assert top >= 0 and top + height <= 60 and left >= 0 and left + width <= 80
        assert extent[2] == -1 and begin[2] == 0
        inter_h = min(top + height, box[2]) - max(top, box[0])
        inter_w = min(left + width, box[3]) - max(left, box[1])
        assert inter_h * inter_w >= 0.6 * (box[2] - box[0]) * (box[3] - box[1]) - 1e-6
        np.testing.assert_allclose(
            normalized[0, 0], [top / 60, left / 80, (top + height) / 60, (left + width) / 80], 1e-6
        )


@pytest.mark.parametrize(
    "adjust",
    [
        lambda x: tf.image.random_hue(x, 0.2, seed=1),
        lambda x: tf.image.random_saturation(x, 0.5, 1.5, seed=2),
        lambda x: tf.image.random_jpeg_quality(x, 40, 90, seed=3),
    ],
    ids=["hue", "saturation", "jpeg_quality"],
)
def test_random_adjustments_stay_images(graph, adjust):
    image = np.random.default_rng(0).uniform(0, 1, (8, 8, 3)).astype(np.float32)
    out = _run(adjust(tf.constant(image)))
    assert out.shape == image.shape and out.dtype == np.float32
    assert (out >= -1e-6).all() and (out <= 1 + 1e-6).all()


def test_random_adjustments_refuse_bad_ranges(graph):
    with pytest.raises(ValueError, match=r"max_delta must be <= 0\.5"):
        tf.image.random_hue(tf.zeros([2, 2, 3]), 0.7)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_saturation(tf.zeros([2, 2, 3]), 1.0, 0.5)
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(tf.zeros([2, 2, 3]), 90, 40)


def test_glimpse_noise_comes_from_the_image_range(graph):
    image = np.random.default_rng(1).uniform(0.25, 0.75, (1, 4, 4, 1)).astype(np.float32)
    glimpse = _run(v1.image.extract_glimpse(image, [6, 6], [[0.0, 0.0]]))[0, :, :, 0]
    outside = np.ones((6, 6), bool)
    outside[1:5, 1:5] = False
    np.testing.assert_array_equal(glimpse[1:5, 1:5], image[0, :, :, 0])
    assert (glimpse[outside] >= image.min()).all() and (glimpse[outside] <= image.max()).all()


def _png(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


BMP_HEADER = b"BM" + bytes(8) + (54).to_bytes(4, "little") + (40).to_bytes(4, "little")


@pytest.mark.parametrize(
    "decode, data, message",
    [
        (
            tf.image.decode_bmp,
            BMP_HEADER + (2**30).to_bytes(4, "little") * 2 + b"\x01\x00\x18\x00" + bytes(24),
            "claims",
        ),
        (tf.image.decode_bmp, b"BM" + bytes(10), "Incomplete bmp content"),
        (
            tf.image.decode_gif,
            _png(np.zeros((2, 2, 3), np.uint8)),
            "Trying to decode PNG format using DecodeGif",
        ),
        (tf.image.decode_webp, b"RIFF\x00\x00\x00\x00WEBPgarbage", "Invalid WebP data"),
        (tf.image.extract_jpeg_shape, b"\xff\xd8\xff" + bytes(5), "Invalid JPEG data, size 8"),
        (
            lambda s: tf.image.decode_and_crop_jpeg(s, [0, 0, 1, 1]),
            b"not an image",
            "Unknown image file format",
        ),
    ],
    ids=[
        "bmp_claims_a_gigapixel",
        "bmp_truncated",
        "gif_of_png",
        "webp_garbage",
        "jpeg_header",
        "crop_unknown",
    ],
)
def test_codecs_refuse_bad_bytes_with_tfs_error(graph, decode, data, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        _run(decode(tf.constant(data)))


def test_jpeg_encoding_is_decoded_back_closely(graph):
    ramp = (np.add.outer(np.arange(16), np.arange(16)) * 8).astype(np.uint8)
    image = np.stack([ramp, ramp.T, 255 - ramp], axis=-1)
    encoded = tf.image.encode_jpeg(image, quality=95)
    decoded, shape, is_jpeg = _run(
        tf.image.decode_jpeg(encoded, dct_method="INTEGER_ACCURATE"),
        tf.image.extract_jpeg_shape(encoded),
        tf.image.is_jpeg(encoded),
    )
    assert shape.tolist() == [16, 16, 3] and bool(is_jpeg)
    assert np.abs(decoded.astype(int) - image).mean() < 3
    cm = _run(tf.image.encode_jpeg(image, density_unit="cm", x_density=10, y_density=20))
    assert cm[13:18] == b"\x02\x00\x0a\x00\x14"  # JFIF: dots per cm, 10 by 20
