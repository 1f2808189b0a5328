"""Gradients of the neural-network ops against central differences (float64).

First-order gradients are also checked against TF's recorded ones in
test_nn_fixtures.py; here each is checked by finite differences, and so are the
second-order ones (the gradients of the gradient ops: a conv backprop's gradient is
built from the conv and the other backprop, ``MaxPoolGrad``'s from
``MaxPoolGradGrad`` ...), which TF's fixtures do not record.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from tests.runtime.gradcheck import check_gradients

RNG = np.random.default_rng(3)
nn = tf.compat.v2.nn  # the cases call TF2's signatures


def randn(*shape):
    return RNG.standard_normal(shape)


def away_from_kinks(*shape):
    """Values away from 0 (and from 6), where the rectifiers are smooth."""
    values = RNG.uniform(0.2, 1.5, shape) * RNG.choice([-1, 1], shape)
    return values


FIRST_ORDER = {
    "selu": (nn.selu, [away_from_kinks(3, 4)]),
    "elu": (nn.elu, [away_from_kinks(3, 4)]),
    "softsign": (nn.softsign, [randn(3, 4)]),
    "relu6": (lambda x: nn.relu6(x * 4), [away_from_kinks(3, 4)]),
    "gelu_tanh": (lambda x: nn.gelu(x, approximate=True), [randn(5)]),
    "swish": (nn.swish, [randn(5)]),
    "crelu": (nn.crelu, [away_from_kinks(2, 3)]),
    "conv2d_nchw_dilated_strided": (
        lambda x, w: nn.conv2d(x, w, [1, 2], "SAME", "NCHW", dilations=[2, 1]),
        [randn(2, 2, 6, 5), randn(2, 3, 2, 3)],
    ),
    "conv2d_grouped_explicit": (
        lambda x, w: nn.conv2d(x, w, 1, [[0, 0], [1, 0], [2, 1], [0, 0]]),
        [randn(1, 4, 4, 4), randn(2, 3, 2, 4)],
    ),
    "conv3d": (
        lambda x, w: nn.conv3d(x, w, [1, 2, 1, 1, 1], "SAME"),
        [randn(1, 3, 4, 3, 2), randn(2, 2, 2, 2, 2)],
    ),
    "conv3d_ncdhw_dilated": (
        lambda x, w: nn.conv3d(x, w, [1, 1, 1, 1, 1], "VALID", "NCDHW", [1, 1, 1, 2, 1]),
        [randn(1, 2, 3, 5, 3), randn(2, 2, 2, 2, 1)],
    ),
    "depthwise": (
        lambda x, w: nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", dilations=[1, 1]),
        [randn(2, 5, 5, 2), randn(3, 3, 2, 2)],
    ),
    "conv2d_transpose": (
        lambda x, w: nn.conv2d_transpose(x, w, [1, 5, 5, 2], 2, "SAME"),
        [randn(1, 3, 3, 3), randn(3, 3, 2, 3)],
    ),
    "avg_pool3d": (lambda x: nn.avg_pool3d(x, 2, [1, 1, 2, 2, 1], "SAME"), [randn(1, 3, 3, 4, 2)]),
    "max_pool_nchw": (
        lambda x: nn.max_pool2d(x, 3, 2, "SAME", data_format="NCHW"),
        [randn(1, 2, 5, 5)],
    ),
    "max_pool_with_argmax": (
        lambda x: nn.max_pool_with_argmax(x, 2, 2, "SAME")[0],
        [randn(2, 3, 5, 2)],
    ),
    "dilated_pool": (lambda x: nn.pool(x, [2, 2], "MAX", dilations=[2, 1]), [randn(1, 5, 4, 2)]),
    "l2_normalize": (lambda x: nn.l2_normalize(x, axis=1), [randn(3, 4)]),
    "moments": (lambda x: list(nn.moments(x, [0, 2])), [randn(3, 2, 4)]),
    "batch_normalization": (
        lambda x, m, v: nn.batch_normalization(x, m, v, 0.5, 2.0, 0.01),
        [randn(4, 3), randn(3), RNG.uniform(0.5, 2, 3)],
    ),
    "weighted_cross_entropy": (
        lambda z, x: nn.weighted_cross_entropy_with_logits(z, x, 2.5),
        [RNG.uniform(0, 1, (3, 2)), randn(3, 2)],
    ),
    "log_poisson_loss": (
        lambda z, x: nn.log_poisson_loss(z, x, compute_full_loss=True),
        [RNG.uniform(1.5, 3, 4), randn(4)],
    ),
    "embedding_lookup_max_norm": (
        lambda p: tf.compat.v1.nn.embedding_lookup([p[:3], p[3:]], [[0, 4], [2, 1]], max_norm=1.2),
        [randn(5, 3)],
    ),
}


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_first_order_gradients(name):
    build, inputs = FIRST_ORDER[name]
    check_gradients(build, inputs)


def gradient_of(forward, wrt: int = 0):
    """``build(*xs, dy)``: the gradient of ``forward(*xs)`` along ``dy`` (linear in ``dy``)."""

    def build(*args):
        *xs, dy = args
        return tf.gradients(forward(*xs), [xs[wrt]], grad_ys=dy)[0]

    return build


SECOND_ORDER = {
    "conv2d_backprop_input": (
        gradient_of(lambda x, w: nn.conv2d(x, w, 2, "SAME"), wrt=0),
        [randn(1, 4, 5, 2), randn(3, 2, 2, 3), randn(1, 2, 3, 3)],
    ),
    "conv2d_backprop_filter": (
        gradient_of(lambda x, w: nn.conv2d(x, w, 1, "VALID"), wrt=1),
        [randn(1, 4, 4, 2), randn(2, 2, 2, 2), randn(1, 3, 3, 2)],
    ),
    "conv3d_backprop_input": (
        gradient_of(lambda x, w: nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME"), wrt=0),
        [randn(1, 2, 3, 3, 1), randn(2, 2, 2, 1, 2), randn(1, 2, 3, 3, 2)],
    ),
    "depthwise_backprop_filter": (
        gradient_of(lambda x, w: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID"), wrt=1),
        [randn(1, 4, 4, 2), randn(2, 2, 2, 1), randn(1, 3, 3, 2)],
    ),
    "max_pool_grad": (
        gradient_of(lambda x: nn.max_pool2d(x, 2, 1, "VALID")),
        [randn(1, 3, 4, 2), randn(1, 2, 3, 2)],
    ),
    "avg_pool_grad": (
        gradient_of(lambda x: nn.avg_pool2d(x, 2, 2, "SAME")),
        [randn(1, 3, 3, 2), randn(1, 2, 2, 2)],
    ),
    "avg_pool3d_grad": (
        gradient_of(lambda x: nn.avg_pool3d(x, 2, 1, "VALID")),
        [randn(1, 3, 2, 3, 1), randn(1, 2, 1, 2, 1)],
    ),
    "elu_grad": (gradient_of(nn.elu), [away_from_kinks(5), randn(5)]),
    "selu_grad": (gradient_of(nn.selu), [away_from_kinks(5), randn(5)]),
    "softplus_grad": (gradient_of(nn.softplus), [randn(5), randn(5)]),
    "bias_add_grad_nchw": (
        gradient_of(lambda x, b: nn.bias_add(x, b, "NCHW"), wrt=1),
        [randn(2, 3, 2), randn(3), randn(2, 3, 2)],
    ),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradients_of_gradient_ops(name):
    build, inputs = SECOND_ORDER[name]
    check_gradients(build, inputs)


def test_fused_batch_norm_gradient_in_both_modes():
    """FusedBatchNorm is float32 only: its gradient against float32 central differences."""
    x = RNG.standard_normal((2, 3, 3, 4)).astype(np.float32)
    scale, offset = RNG.uniform(0.5, 2, 4).astype(np.float32), RNG.standard_normal(4)
    mean, variance = RNG.standard_normal(4), RNG.uniform(0.5, 2, 4)
    weights = RNG.standard_normal(x.shape).astype(np.float32)
    for training in (True, False):
        with tf.Graph().as_default():
            xs = tf.compat.v1.placeholder(tf.float32, x.shape)
            y = tf.compat.v1.nn.fused_batch_norm(
                xs,
                scale,
                offset.astype(np.float32),
                mean.astype(np.float32),
                variance.astype(np.float32),
                is_training=training,
            )[0]
            loss = tf.reduce_sum(y * weights)
            (grad,) = tf.gradients(loss, [xs])
            with tf.compat.v1.Session() as sess:
                analytic = sess.run(grad, {xs: x})
                numeric = np.zeros_like(x)
                step = 1e-2
                for index in np.ndindex(*x.shape):
                    shifted = x.copy()
                    shifted[index] += step
                    above = sess.run(loss, {xs: shifted})
                    shifted[index] -= 2 * step
                    below = sess.run(loss, {xs: shifted})
                    numeric[index] = (above - below) / (2 * step)
        np.testing.assert_allclose(analytic, numeric, rtol=2e-2, atol=2e-2)
