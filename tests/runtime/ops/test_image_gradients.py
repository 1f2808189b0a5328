"""The gradients of ``tf.image``'s differentiable ops against finite differences (TF's
own gradients are compared in ``test_image_fixtures.py``): the HSV conversion's
piecewise derivative away from its kinks, and the composites built from array,
math and convolution ops. Ops that compute in float32 whatever they are given (the
quality metrics, resizing) are checked with a coarser step and tolerance."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
RNG = np.random.default_rng(5)

EXACT = {
    # Distinct channels in (0.1, 0.9): every pixel well inside one piece of the HSV formulas.
    "rgb_to_hsv": (lambda x: tf.image.rgb_to_hsv(x), [(4, 3)]),
    "yiq_round_trip": (lambda x: tf.image.yiq_to_rgb(tf.image.rgb_to_yiq(x)) * x, [(3, 3)]),
    "yuv": (lambda x: tf.image.rgb_to_yuv(x), [(2, 2, 3)]),
    "total_variation": (lambda x: tf.image.total_variation(x), [(2, 3, 4, 1)]),
    "sobel_edges": (lambda x: tf.image.sobel_edges(x), [(1, 4, 5, 2)]),
    "image_gradients": (lambda x: list(tf.image.image_gradients(x)), [(1, 3, 4, 2)]),
}

FLOAT32_INSIDE = {
    "resize_image_with_pad": (lambda x: v1.image.resize_image_with_pad(x, 5, 7), [(3, 4, 1)]),
    "adjust_gamma": (lambda x: tf.image.adjust_gamma(x, 1.7, 0.5), [(2, 3)]),
    "psnr": (lambda a, b: tf.image.psnr(a, b, 1.0), [(4, 5, 3), (4, 5, 3)]),
    "ssim": (lambda a, b: tf.image.ssim(a, b, 1.0, filter_size=3), [(1, 6, 6, 1)] * 2),
    "ssim_multiscale": (
        lambda a, b: tf.image.ssim_multiscale(a, b, 1.0, (0.5, 0.5), filter_size=3),
        [(1, 8, 8, 1)] * 2,
    ),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_gradients_match_finite_differences(name):
    build, shapes = EXACT[name]
    check_gradients(build, [RNG.uniform(0.1, 0.9, shape) for shape in shapes])


@pytest.mark.parametrize("name", sorted(FLOAT32_INSIDE))
def test_float32_gradients_match_finite_differences(name):
    build, shapes = FLOAT32_INSIDE[name]
    inputs = [RNG.uniform(0.2, 0.8, shape) for shape in shapes]
    check_gradients(build, inputs, delta=1e-3, rtol=2e-2, atol=2e-3)


@pytest.mark.parametrize(
    "build",
    [
        lambda x: tf.image.adjust_hue(x, 0.1),
        lambda x: tf.image.adjust_saturation(x, 0.5),
        lambda x: v1.image.resize_area(x, [2, 2]),
    ],
    ids=["adjust_hue", "adjust_saturation", "resize_area"],
)
def test_ops_tf_gives_no_gradient_refuse_one(graph, build):
    x = v1.placeholder(tf.float32, [1, 3, 3, 3])
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(tf.reduce_sum(build(x)), x)


def test_hsv_to_rgb_has_no_gradient_as_tf(graph):
    x = v1.placeholder(tf.float32, [2, 3])
    assert tf.gradients(tf.reduce_sum(tf.image.hsv_to_rgb(x)), x) == [None]
