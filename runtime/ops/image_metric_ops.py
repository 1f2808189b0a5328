"""Comparing and differentiating images (``tf.image``): ``psnr``, ``ssim`` and
``ssim_multiscale``, ``image_gradients``, ``sobel_edges`` and ``total_variation``.

All are built from array, math and convolution ops as TF builds them, so their
gradients are TF's. Images are ``[..., height, width, channels]``; an integer image is
converted to float32 (``max_val`` with it), as TF does.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..scopes import control_dependencies, name_scope
from ..shapes import TensorShape
from . import activation_ops, math_ops
from .concat_ops import concat, stack, unstack
from .control_flow_ops import cond_v1 as cond
from .conv_ops import depthwise_conv2d
from .core import constant, convert_to_tensor
from .fill_ops import zeros
from .image_ops import convert_image_dtype
from .logging_ops import Assert
from .placeholder_ops import identity
from .pooling_ops import avg_pool
from .shape_ops import expand_dims, reshape, shape, shape_n, size
from .tile_pad_ops import pad, tile

__all__: list = []  # tf.image's names: runtime.image


def _compatible_images(img1: Tensor, img2: Tensor) -> tuple:
    """TF's ``_verify_compatible_image_shapes``: the static checks now, the rest as
    ``Assert`` ops; ``(shape1, shape2, checks)``."""
    shape1 = img1.shape.with_rank_at_least(3)
    shape2 = img2.shape.with_rank_at_least(3)
    shape1[-3:].assert_is_compatible_with(shape2[-3:])
    if shape1.rank is not None and shape2.rank is not None:
        for dim1, dim2 in zip(reversed(shape1.as_tuple()[:-3]), reversed(shape2.as_tuple()[:-3])):
            if not (dim1 == 1 or dim2 == 1 or dim1 is None or dim2 is None or dim1 == dim2):
                raise ValueError(f"Two images are not compatible: {shape1} and {shape2}")
    dims1, dims2 = shape_n([img1, img2])
    checks = [
        Assert(math_ops.greater_equal(size(dims1), 3), [dims1, dims2], summarize=10),
        Assert(
            math_ops.reduce_all(math_ops.equal(dims1[-3:], dims2[-3:])),
            [dims1, dims2],
            summarize=10,
        ),
    ]
    return dims1, dims2, checks


def _as_float(max_val, image: Tensor) -> tuple:
    """``max_val`` scaled as ``image`` is when both become float32."""
    max_val = convert_image_dtype(math_ops.cast(max_val, image.dtype), dtypes.float32)
    return max_val, convert_image_dtype(image, dtypes.float32)


def psnr(a, b, max_val, name=None) -> Tensor:
    """The peak signal-to-noise ratio between images ``a`` and ``b`` (in dB), per image:
    ``20 log10(max_val) - 10 log10(mse)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ratio = psnr(tf.zeros([2, 2, 1]), tf.fill([2, 2, 1], 0.1), max_val=1.0)
    ...     print(round(float(tf.compat.v1.Session().run(ratio)), 3))
    20.0
    """
    with name_scope(name, "PSNR", [a, b]):
        a, b = convert_to_tensor(a), convert_to_tensor(b)
        max_val, a = _as_float(max_val, a)
        b = convert_image_dtype(b, dtypes.float32)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        ratio = math_ops.subtract(
            20 * math_ops.log(max_val) / math_ops.log(10.0),
            np.float32(10 / np.log(10)) * math_ops.log(mse),
            name="psnr",
        )
        _, _, checks = _compatible_images(a, b)
        with control_dependencies(checks):
            return identity(ratio)


def _gaussian_window(size: Tensor, sigma: Tensor) -> Tensor:
    """A ``[size, size, 1, 1]`` Gaussian filter summing to one (TF's ``_fspecial_gauss``)."""
    coords = math_ops.cast(math_ops.range(size), sigma.dtype)
    coords -= math_ops.cast(size - 1, sigma.dtype) / 2.0
    g = math_ops.square(coords) * (-0.5 / math_ops.square(sigma))
    g = reshape(g, [1, -1]) + reshape(g, [-1, 1])
    return reshape(activation_ops.softmax(reshape(g, [1, -1])), stack([size, size, 1, 1]))


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2, index_map=False):
    """SSIM and its contrast-structure part per channel (or per pixel, ``index_map``)."""
    filter_size = constant(filter_size, dtype=dtypes.int32)
    filter_sigma = constant(filter_sigma, dtype=img1.dtype)
    dims1, dims2 = shape_n([img1, img2])
    checks = [
        Assert(
            math_ops.reduce_all(math_ops.greater_equal(dims[-3:-1], filter_size)),
            [dims, filter_size],
            summarize=8,
        )
        for dims in (dims1, dims2)
    ]
    with control_dependencies(checks):
        img1 = identity(img1)
    window = tile(_gaussian_window(filter_size, filter_sigma), stack([1, 1, dims1[-1], 1]))

    def weighted_mean(x):
        dims = shape(x)
        flat = reshape(x, concat([[-1], dims[-3:]], 0))
        y = depthwise_conv2d(flat, window, strides=[1, 1, 1, 1], padding="VALID")
        return reshape(y, concat([dims[:-3], shape(y)[1:]], 0))

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean1, mean2 = weighted_mean(img1), weighted_mean(img2)
    num0 = mean1 * mean2 * 2.0
    den0 = math_ops.square(mean1) + math_ops.square(mean2)
    luminance = (num0 + c1) / (den0 + c1)
    # cov_xy = E[xy] - E[x] E[y], so the contrast-structure measure needs only means.
    num1 = weighted_mean(img1 * img2) * 2.0
    den1 = weighted_mean(math_ops.square(img1) + math_ops.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    if index_map:
        return luminance * cs, cs
    axes = constant([-3, -2], dtype=dtypes.int32)
    return math_ops.reduce_mean(luminance * cs, axes), math_ops.reduce_mean(cs, axes)


def _prepared(img1, img2, max_val) -> tuple:
    """Both images float32 after TF's shape checks, and ``max_val`` scaled alike."""
    img1 = convert_to_tensor(img1, name="img1")
    img2 = convert_to_tensor(img2, name="img2")
    dims1, dims2, checks = _compatible_images(img1, img2)
    with control_dependencies(checks):
        img1 = identity(img1)
    max_val, img1 = _as_float(max_val, img1)
    return img1, convert_image_dtype(img2, dtypes.float32), max_val, (dims1, dims2)


def ssim(
    img1,
    img2,
    max_val,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
    return_index_map=False,
) -> Tensor:
    """The structural similarity of images ``img1`` and ``img2`` (each ``[..., h, w,
    c]``, at least ``filter_size`` square), averaged over the channels: 1 for equal
    images. With ``return_index_map``, per pixel of the valid filter positions.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(64.0), [8, 8, 1]) / 64
    ...     print(tf.compat.v1.Session().run(ssim(x, x, 1.0, filter_size=3)))
    1.0
    """
    with name_scope(None, "SSIM", [img1, img2]):
        img1, img2, max_val, _ = _prepared(img1, img2, max_val)
        value, _ = _ssim_per_channel(
            img1, img2, max_val, filter_size, filter_sigma, k1, k2, return_index_map
        )
        return math_ops.reduce_mean(value, [-1])


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(
    img1,
    img2,
    max_val,
    power_factors=_MSSSIM_WEIGHTS,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
) -> Tensor:
    """Multi-scale SSIM: the contrast-structure measures of the images halved
    ``len(power_factors) - 1`` times and the SSIM of the smallest, combined as a
    weighted geometric mean by ``power_factors``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(256.0), [16, 16, 1]) / 256
    ...     same = ssim_multiscale(x, x, 1.0, (0.5, 0.5), filter_size=3)
    ...     print(round(float(tf.compat.v1.Session().run(same)), 5))
    1.0
    """
    with name_scope(None, "MS-SSIM", [img1, img2]):
        img1, img2, max_val, shapes = _prepared(img1, img2, max_val)
        images = [img1, img2]
        heads = [dims[:-3] for dims in shapes]
        tails = [dims[-3:] for dims in shapes]
        divisor = [1, 2, 2, 1]
        halves = constant(divisor[1:], dtype=dtypes.int32)
        measures = []
        for k in range(len(power_factors)):
            with name_scope(None, f"Scale{k}", images):
                if k > 0:
                    images, tails = _halved(images, heads, tails, divisor, halves)
                value, cs = _ssim_per_channel(*images, max_val, filter_size, filter_sigma, k1, k2)
                measures.append(activation_ops.relu(cs))
        # The last scale contributes its full SSIM (luminance too), the others their cs.
        stacked = stack([*measures[:-1], activation_ops.relu(value)], axis=-1)
        weighted = math_ops.reduce_prod(math_ops.pow(stacked, power_factors), [-1])
        return math_ops.reduce_mean(weighted, [-1])


def _halved(images: list, heads: list, tails: list, divisor: list, halves: Tensor) -> tuple:
    """The images average-pooled 2x2 (an odd size first padded symmetrically)."""
    flat = [reshape(x, concat([[-1], t], 0)) for x, t in zip(images, tails)]
    remainder = tails[0] % halves
    needs_padding = math_ops.reduce_any(math_ops.not_equal(remainder, 0))

    def padded():
        amounts = pad(expand_dims(remainder, -1), [[1, 0], [1, 0]])
        return [pad(x, amounts, mode="SYMMETRIC") for x in flat]

    flat = cond(needs_padding, padded, lambda: flat)
    pooled = [avg_pool(x, ksize=divisor, strides=divisor, padding="VALID") for x in flat]
    tails = [dims[1:] for dims in shape_n(pooled)]
    return [reshape(x, concat([h, t], 0)) for x, h, t in zip(pooled, heads, tails)], tails


def image_gradients(image) -> tuple:
    """``(dy, dx)``: each pixel's difference to the next pixel down and right of it,
    zero on the last row and column (``image`` ``[batch, h, w, d]``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dy, dx = image_gradients(tf.reshape(tf.range(4.0), [1, 2, 2, 1]))
    ...     print(tf.compat.v1.Session().run(dx)[0, :, :, 0].tolist())
    [[1.0, 0.0], [1.0, 0.0]]
    """
    image = convert_to_tensor(image)
    if image.shape.rank != 4:
        raise ValueError(
            f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {image.shape}."
        )
    dims = shape(image)
    batch, height, width, depth = unstack(dims)
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    dy = reshape(concat([dy, zeros(stack([batch, 1, width, depth]), image.dtype)], 1), dims)
    dx = reshape(concat([dx, zeros(stack([batch, height, 1, depth]), image.dtype)], 2), dims)
    return dy, dx


_SOBEL = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])


def sobel_edges(image) -> Tensor:
    """The vertical and horizontal Sobel responses of each channel of ``image``
    (``[batch, h, w, d]``, borders reflected): ``[batch, h, w, d, 2]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     edges = sobel_edges(tf.reshape(tf.range(9.0), [1, 3, 3, 1]))
    ...     print(tf.compat.v1.Session().run(edges)[0, 1, 1, 0].tolist())
    [24.0, 8.0]
    """
    image = convert_to_tensor(image)
    static = image.shape
    dims = shape(image)
    filters = np.expand_dims(np.transpose(_SOBEL, (1, 2, 0)), -2)
    filters = tile(
        constant(filters, dtype=image.dtype), stack([1, 1, dims[-1], 1]), name="sobel_filters"
    )
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    edges = depthwise_conv2d(padded, filters, [1, 1, 1, 1], "VALID")
    edges = reshape(edges, concat([dims, [len(_SOBEL)]], 0))
    edges.set_shape(
        static.concatenate([len(_SOBEL)]) if static.rank is not None else TensorShape(None)
    )
    return edges


def total_variation(images, name=None) -> Tensor:
    """The sum of the absolute differences between neighbouring pixels, down and
    across: one number for a 3-D image, one per image of a batch.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tv = total_variation(tf.reshape(tf.range(4.0), [2, 2, 1]))
    ...     print(tf.compat.v1.Session().run(tv))
    6.0
    """
    with name_scope(name, "total_variation"):
        images = convert_to_tensor(images)
        rank = images.shape.rank
        if rank == 3:
            down = images[1:, :, :] - images[:-1, :, :]
            across = images[:, 1:, :] - images[:, :-1, :]
            axes = None
        elif rank == 4:
            down = images[:, 1:, :, :] - images[:, :-1, :, :]
            across = images[:, :, 1:, :] - images[:, :, :-1, :]
            axes = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return math_ops.reduce_sum(math_ops.abs(down), axis=axes) + math_ops.reduce_sum(
            math_ops.abs(across), axis=axes
        )
