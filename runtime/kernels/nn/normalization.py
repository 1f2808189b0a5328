"""Normalization kernels: fused batch norm (all three versions) and local response norm.

``FusedBatchNorm`` normalizes each channel over the batch and spatial axes. In training
it uses the batch's own statistics and also returns the running statistics to store:
the batch mean and the *unbiased* batch variance, blended into the given ones by
``exponential_avg_factor`` (1 keeps only the batch's). Its reserve spaces hold the batch
mean and the biased variance the gradient needs. At inference it uses the given mean and
variance. The math runs in float32 (TF's ``U``), whatever the input's dtype.

``LRN`` divides each element by ``(bias + alpha * sum of squares over the 2r + 1
neighbouring channels) ** beta``; the channel windows are summed with one shifted add
per neighbour.
"""

from __future__ import annotations

import numpy as np

from ...errors import InvalidArgumentError
from ...registry import register_kernel
from .windows import channels_first, channels_last


def _per_channel(x: np.ndarray, data_format: str) -> np.ndarray:
    """``x`` as a float32 ``[elements per channel, channels]`` matrix (channels last)."""
    values = channels_last(x, data_format).astype(np.float32, copy=False)
    return values.reshape(-1, values.shape[-1])


def _scale_and_shift(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x * a + b``, ``a`` and ``b`` per channel of channels-last float32 ``x``.

    With ``x`` contiguous, its rows of ``width * channels`` values meet ``a`` and ``b``
    tiled as wide, so numpy's loop runs along a whole row rather than along one
    pixel's channels (1.4x faster on MobileNetV2's first layers).
    """
    if x.flags.c_contiguous:
        width = x.shape[-2]
        rows = x.reshape(-1, width * x.shape[-1])
        y = rows * np.tile(a, width)
        y += np.tile(b, width)
        return y
    y = x * a
    y += b
    return y


def _check_vectors(channels: int, **vectors) -> None:
    for name, vector in vectors.items():
        if vector.shape != (channels,):
            raise InvalidArgumentError(
                None,
                None,
                f"{name} must have the same number of elements as the channels of x, got "
                f"{vector.size} and {channels}",
            )


def _fused_batch_norm(x, scale, offset, mean, variance, **attrs):
    if x.ndim not in (4, 5):
        raise InvalidArgumentError(
            None, None, f"input must be 4 or 5-dimensional, got shape {list(x.shape)}"
        )
    data_format, epsilon = attrs["data_format"], np.float32(attrs["epsilon"])
    x_last = channels_last(x, data_format).astype(np.float32, copy=False)
    values = x_last.reshape(-1, x_last.shape[-1])  # a view unless x is NC...
    count, channels = values.shape
    _check_vectors(channels, scale=scale, offset=offset)
    if attrs["is_training"]:
        batch_mean = values.mean(axis=0)
        y = values - batch_mean  # centered, then scaled and shifted in place below
        batch_var = np.einsum("pc,pc->c", y, y) / max(count, 1)
        # The running variance is the unbiased estimate (Bessel's correction).
        unbiased = batch_var * (count / (count - 1) if count > 1 else 1.0)
        factor = np.float32(attrs["exponential_avg_factor"])
        if factor == 1:
            running_mean, running_var = batch_mean, unbiased
        else:
            _check_vectors(channels, mean=mean, variance=variance)
            running_mean = (1 - factor) * mean + factor * batch_mean
            running_var = (1 - factor) * variance + factor * unbiased
        saved = (batch_mean, batch_var)
        y *= scale / np.sqrt(batch_var + epsilon)
        y += offset
    else:
        _check_vectors(channels, mean=mean, variance=variance)
        running_mean, running_var = mean, variance
        saved = (mean, variance)
        # (x - mean) * a + offset, as one product and one sum: x * a + (offset - mean * a).
        a = scale / np.sqrt(variance + epsilon)
        y = _scale_and_shift(x_last, a, offset - mean * a)
    y = y.reshape(x_last.shape)
    y = channels_first(y.astype(x.dtype, copy=False), data_format)
    stats = [np.asarray(v, np.float32) for v in (running_mean, running_var, *saved)]
    return (y, *stats)


@register_kernel("FusedBatchNorm")
@register_kernel("FusedBatchNormV2")
def fused_batch_norm(x, scale, offset, mean, variance, **attrs):
    return _fused_batch_norm(x, scale, offset, mean, variance, **attrs)


@register_kernel("FusedBatchNormV3")
def fused_batch_norm_v3(x, scale, offset, mean, variance, **attrs):
    # The third reserve space is cuDNN's workspace; on CPU it is empty.
    outputs = _fused_batch_norm(x, scale, offset, mean, variance, **attrs)
    return (*outputs, np.zeros(0, np.float32))


def _fused_batch_norm_grad(y_backprop, x, scale, reserve_space_1, reserve_space_2, **attrs):
    data_format, epsilon = attrs["data_format"], np.float32(attrs["epsilon"])
    values = _per_channel(x, data_format)
    grads = _per_channel(y_backprop, data_format)
    count, channels = values.shape
    _check_vectors(channels, scale=scale, reserve_space_1=reserve_space_1)
    _check_vectors(channels, reserve_space_2=reserve_space_2)
    inv_std = 1 / np.sqrt(reserve_space_2 + epsilon)
    normalized = values - reserve_space_1
    normalized *= inv_std
    offset_backprop = grads.sum(axis=0, dtype=np.float32)
    scale_backprop = np.einsum("pc,pc->c", grads, normalized).astype(np.float32)
    if attrs["is_training"]:
        # The batch statistics depend on x too: remove the gradient's mean and its
        # projection on the normalized input.
        normalized *= -scale_backprop / max(count, 1)
        normalized += grads
        normalized -= offset_backprop / max(count, 1)
        x_backprop = normalized
        x_backprop *= scale * inv_std
    else:
        x_backprop = grads * (scale * inv_std)
    x_backprop = x_backprop.reshape(channels_last(x, data_format).shape)
    x_backprop = channels_first(x_backprop.astype(x.dtype, copy=False), data_format)
    empty = np.zeros(0, np.float32)
    return x_backprop, scale_backprop, offset_backprop, empty, empty


@register_kernel("FusedBatchNormGrad")
@register_kernel("FusedBatchNormGradV2")
def fused_batch_norm_grad(y_backprop, x, scale, reserve_space_1, reserve_space_2, **attrs):
    return _fused_batch_norm_grad(y_backprop, x, scale, reserve_space_1, reserve_space_2, **attrs)


@register_kernel("FusedBatchNormGradV3")
def fused_batch_norm_grad_v3(
    y_backprop, x, scale, reserve_space_1, reserve_space_2, reserve_space_3, **attrs
):
    return _fused_batch_norm_grad(y_backprop, x, scale, reserve_space_1, reserve_space_2, **attrs)


# -- local response normalization -----------------------------------------------------------


def _window_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Each element's sum over the channels within ``radius`` of its own (last axis)."""
    total = values.copy()
    depth = values.shape[-1]
    for shift in range(1, min(radius, depth - 1) + 1):
        total[..., shift:] += values[..., :-shift]
        total[..., :-shift] += values[..., shift:]
    return total


def _lrn_input(name: str, array: np.ndarray) -> np.ndarray:
    if array.ndim != 4:
        raise InvalidArgumentError(
            None, None, f"{name} must be 4-dimensional, got shape {list(array.shape)}"
        )
    return array.astype(np.float32, copy=False)


@register_kernel("LRN")
def lrn(input, *, T, depth_radius, bias, alpha, beta):
    x = _lrn_input("input", input)
    norm = np.float32(bias) + np.float32(alpha) * _window_sum(np.square(x), depth_radius)
    return ((x * norm ** np.float32(-beta)).astype(input.dtype, copy=False),)


@register_kernel("LRNGrad")
def lrn_grad(input_grads, input_image, output_image, *, T, depth_radius, bias, alpha, beta):
    dy = _lrn_input("input_grads", input_grads)
    x = _lrn_input("input_image", input_image)
    y = _lrn_input("output_image", output_image)
    if not dy.shape == x.shape == y.shape:
        raise InvalidArgumentError(
            None,
            None,
            f"input_grads, input_image and output_image must have the same shape, got "
            f"{list(dy.shape)}, {list(x.shape)} and {list(y.shape)}",
        )
    norm = np.float32(bias) + np.float32(alpha) * _window_sum(np.square(x), depth_radius)
    # y_i = x_i * norm_i ** -beta, and norm_i sums x_j ** 2 over j near i, so
    # dx_j = dy_j * norm_j ** -beta - 2 alpha beta x_j * sum_{i near j} dy_i y_i / norm_i.
    spread = _window_sum(dy * y / norm, depth_radius)
    dx = dy * norm ** np.float32(-beta) - np.float32(2 * alpha * beta) * x * spread
    return (dx.astype(input_grads.dtype, copy=False),)
