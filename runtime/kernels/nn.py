"""Kernels of neural-network ops: activations, softmax, losses, convolution and pooling.

Convolution and pooling take NHWC arrays. They look at the (padded) input through a
strided window view, ``windows[n, oh, ow, c, i, j] = padded[n, oh*sh + i, ow*sw + j, c]``
(``numpy.lib.stride_tricks.sliding_window_view``), so the arithmetic is one numpy
reduction or ``tensordot`` and never a Python loop over pixels. The backward kernels
build the same ``[n, oh, ow, c, kh, kw]`` layout and add it back into the input with
one slice per filter tap (:func:`_scatter_windows`).

Padding follows TF's ``GetWindowedOutputSizeVerbose`` (:func:`window_geometry`): SAME
puts the odd padding element after the input, VALID drops what does not fill a window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from .math import lowest

_SHOWN_LABELS = 10  # label values quoted in an out-of-range error


# -- activations --------------------------------------------------------------------


@register_kernel("Relu")
def relu(features, *, T):
    return (np.maximum(features, 0),)


@register_kernel("ReluGrad")
def relu_grad(gradients, features, *, T):
    return (np.where(features > 0, gradients, 0).astype(gradients.dtype),)


@register_kernel("Relu6")
def relu6(features, *, T):
    return (np.clip(features, 0, 6),)


@register_kernel("Relu6Grad")
def relu6_grad(gradients, features, *, T):
    inside = (features > 0) & (features < 6)
    return (np.where(inside, gradients, 0).astype(gradients.dtype),)


@register_kernel("Elu")
def elu(features, *, T):
    return (np.where(features < 0, np.expm1(np.minimum(features, 0)), features),)


@register_kernel("EluGrad")
def elu_grad(gradients, outputs, *, T):
    # d elu / dx is exp(x) = elu(x) + 1 where x < 0, so the output suffices.
    return (np.where(outputs < 0, gradients * (outputs + 1), gradients),)


@register_kernel("LeakyRelu")
def leaky_relu(features, *, T, alpha):
    return (np.where(features > 0, features, features * features.dtype.type(alpha)),)


@register_kernel("LeakyReluGrad")
def leaky_relu_grad(gradients, features, *, T, alpha):
    return (np.where(features > 0, gradients, gradients * gradients.dtype.type(alpha)),)


@register_kernel("Softplus")
def softplus(features, *, T):
    # log(1 + exp(x)) without overflow for large x or underflow for very negative x.
    return (np.logaddexp(features, features.dtype.type(0)),)


@register_kernel("SoftplusGrad")
def softplus_grad(gradients, features, *, T):
    return (gradients * _sigmoid(features),)


def _sigmoid(x):
    # The tanh form is exact to rounding for all x and never overflows.
    half = x.dtype.type(0.5)
    return half + half * np.tanh(half * x)


# -- softmax and losses ---------------------------------------------------------------


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@register_kernel("Softmax")
def softmax(logits, *, T):
    if logits.size == 0:
        return (logits.copy(),)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True),)


@register_kernel("LogSoftmax")
def log_softmax(logits, *, T):
    if logits.size == 0:
        return (logits.copy(),)
    return (_log_softmax(logits),)


def _check_classes(logits) -> None:
    if logits.shape[0] > 0 and logits.shape[1] == 0:
        raise InvalidArgumentError(
            None,
            None,
            f"Must have at least one class, but got logits shape {list(logits.shape)}",
        )


@register_kernel("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy_with_logits(features, labels, *, T):
    logits, labels = np.broadcast_arrays(features, labels)
    _check_classes(logits)
    if logits.size == 0:
        return np.zeros(logits.shape[:1], logits.dtype), np.zeros_like(logits)
    log_probs = _log_softmax(logits)
    loss = -(labels * log_probs).sum(axis=1)
    return loss, np.exp(log_probs) - labels


@register_kernel("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_cross_entropy_with_logits(features, labels, *, T, Tlabels):
    _check_classes(features)
    classes = features.shape[1]
    _check_labels(labels, classes)
    if features.size == 0:
        return np.zeros(features.shape[:1], features.dtype), np.zeros_like(features)
    log_probs = _log_softmax(features)
    rows = np.arange(len(labels))
    loss = -log_probs[rows, labels]
    backprop = np.exp(log_probs)
    backprop[rows, labels] -= 1
    return loss, backprop


def _check_labels(labels, classes: int) -> None:
    if labels.size == 0:
        return
    low, high = labels.min(), labels.max()
    if low >= 0 and high < classes:
        return
    bad = low if low < 0 else high
    shown = " ".join(str(v) for v in labels[:_SHOWN_LABELS])
    if labels.size > _SHOWN_LABELS:
        shown += "..."
    raise InvalidArgumentError(
        None,
        None,
        f"Received a label value of {bad} which is outside the valid range of "
        f"[0, {classes}).  Label values: {shown}",
    )


@register_kernel("BiasAdd")
def bias_add(value, bias, *, T, data_format):
    if data_format == "NCHW":
        bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
    return (value + bias,)


@register_kernel("BiasAddGrad")
def bias_add_grad(out_backprop, *, T, data_format):
    channel = 1 if data_format == "NCHW" else out_backprop.ndim - 1
    axes = tuple(a for a in range(out_backprop.ndim) if a != channel)
    return (out_backprop.sum(axis=axes, dtype=out_backprop.dtype),)


@register_kernel("L2Loss")
def l2_loss(t, *, T):
    return (np.asarray(np.sum(t * t) / 2, dtype=t.dtype),)


# -- window geometry ------------------------------------------------------------------


def window_geometry(size: int, window: int, stride: int, padding: str) -> tuple[int, int, int]:
    """Output size and padding before/after of one spatial dimension, as TF computes them.

    VALID keeps the windows that fit (C integer division, so a slightly too small
    input gives 0 windows, not a negative count); SAME gives ``ceil(size / stride)``
    windows and puts the odd padding element after the input.

    Examples
    --------
    >>> window_geometry(5, 3, 2, "SAME"), window_geometry(5, 3, 2, "VALID")
    ((3, 1, 1), (2, 0, 0))
    >>> window_geometry(4, 3, 2, "SAME")
    (2, 0, 1)
    """
    if padding == "VALID":
        span = size - window + stride
        return int(span / stride), 0, 0  # truncates toward zero like TF's C++
    out = (size + stride - 1) // stride
    needed = max(0, (out - 1) * stride + window - size)
    return out, needed // 2, needed - needed // 2


def _geometry(in_hw, ksize, strides, padding) -> list[tuple[int, int, int]]:
    geometry = [window_geometry(n, k, s, padding) for n, k, s in zip(in_hw, ksize, strides)]
    for (out, _, _), n, k, s in zip(geometry, in_hw, ksize, strides):
        if out < 0:
            raise InvalidArgumentError(
                None,
                None,
                f"Computed output size would be negative: {out} [input_size: {n}, "
                f"effective_filter_size: {k}, stride: {s}]",
            )
    return geometry


def _padded_windows(x, ksize, strides, padding, fill):
    """``(windows[n, oh, ow, c, kh, kw], geometry)`` of NHWC ``x`` padded with ``fill``."""
    geometry = _geometry(x.shape[1:3], ksize, strides, padding)
    # Padding up to a whole window as well keeps the view valid when no window fits.
    pads = [
        (before, max(after, k - n - before))
        for (_, before, after), n, k in zip(geometry, x.shape[1:3], ksize)
    ]
    padded = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    windows = sliding_window_view(padded, tuple(ksize), axis=(1, 2))
    (oh, _, _), (ow, _, _) = geometry
    return windows[:, : strides[0] * oh : strides[0], : strides[1] * ow : strides[1]], geometry


def _scatter_windows(cols, in_hw, geometry, strides):
    """Add ``cols[n, oh, ow, c, kh, kw]`` back onto the NHWC input the windows came from."""
    n, oh, ow, c, kh, kw = cols.shape
    (_, top, bottom), (_, left, right) = geometry
    padded = np.zeros(
        (n, max(top + in_hw[0] + bottom, kh), max(left + in_hw[1] + right, kw), c), cols.dtype
    )
    sh, sw = strides
    # One slice per filter tap: every output pixel of that tap is added at once.
    for i in range(kh):
        for j in range(kw):
            padded[:, i : i + sh * oh : sh, j : j + sw * ow : sw] += cols[..., i, j]
    return padded[:, top : top + in_hw[0], left : left + in_hw[1]]


def _check_rank4(name: str, array) -> None:
    if array.ndim != 4:
        raise InvalidArgumentError(
            None, None, f"{name} must be 4-dimensional, got shape {list(array.shape)}"
        )


def _spatial(values) -> tuple[int, int]:
    return int(values[1]), int(values[2])


def _filter_hw(filter_sizes) -> tuple[int, int]:
    return int(filter_sizes[0]), int(filter_sizes[1])


def _check_depth(input_depth: int, filter_depth: int) -> None:
    if input_depth != filter_depth:
        raise InvalidArgumentError(
            None,
            None,
            f"input depth must be equal to filter depth: {input_depth} vs {filter_depth}",
        )


def _check_grad_shape(name: str, grad, batch: int, geometry, depth: int) -> None:
    """A backward kernel's gradient must be shaped like its forward op's output."""
    expected = (int(batch), geometry[0][0], geometry[1][0], int(depth))
    if grad.shape != expected:
        raise InvalidArgumentError(
            None,
            None,
            f"{name} has shape {list(grad.shape)}, but the forward op's output has shape "
            f"{list(expected)}",
        )


# -- convolution ------------------------------------------------------------------------


@register_kernel("Conv2D")
def conv2d(input, filter, *, T, strides, padding, data_format, dilations):
    _check_rank4("input", input)
    _check_rank4("filter", filter)
    _check_depth(input.shape[3], filter.shape[2])
    windows, _ = _padded_windows(input, filter.shape[:2], _spatial(strides), padding, 0)
    out = np.tensordot(windows, filter, axes=([3, 4, 5], [2, 0, 1]))
    return (out.astype(input.dtype, copy=False),)


@register_kernel("Conv2DBackpropInput")
def conv2d_backprop_input(
    input_sizes, filter, out_backprop, *, T, strides, padding, data_format, dilations
):
    _check_rank4("filter", filter)
    _check_depth(int(input_sizes[3]), filter.shape[2])
    in_hw = _spatial(input_sizes)
    geometry = _geometry(in_hw, filter.shape[:2], _spatial(strides), padding)
    _check_grad_shape("out_backprop", out_backprop, input_sizes[0], geometry, filter.shape[3])
    # cols[n, oh, ow, c, i, j]: what each output pixel sends back to its window.
    cols = np.tensordot(out_backprop, filter, axes=([3], [3])).transpose(0, 1, 2, 5, 3, 4)
    dx = _scatter_windows(cols, in_hw, geometry, _spatial(strides))
    return (dx.astype(filter.dtype, copy=False),)


@register_kernel("Conv2DBackpropFilter")
def conv2d_backprop_filter(
    input, filter_sizes, out_backprop, *, T, strides, padding, data_format, dilations
):
    _check_rank4("input", input)
    _check_depth(input.shape[3], int(filter_sizes[2]))
    windows, geometry = _padded_windows(
        input, _filter_hw(filter_sizes), _spatial(strides), padding, 0
    )
    _check_grad_shape("out_backprop", out_backprop, len(input), geometry, filter_sizes[3])
    dw = np.tensordot(windows, out_backprop, axes=([0, 1, 2], [0, 1, 2]))  # [c, i, j, o]
    return (dw.transpose(1, 2, 0, 3).astype(input.dtype, copy=False),)


# -- pooling ----------------------------------------------------------------------------


@register_kernel("MaxPool")
def max_pool(input, *, T, ksize, strides, padding, data_format):
    _check_rank4("input", input)
    windows, _ = _padded_windows(
        input, _spatial(ksize), _spatial(strides), padding, lowest(input.dtype)
    )
    return (windows.max(axis=(4, 5)),)


def _first_max(orig_input, ksize, strides, padding):
    """Each window's flat index of its first maximum (TF's tie rule), and the geometry."""
    windows, geometry = _padded_windows(
        orig_input, ksize, strides, padding, lowest(orig_input.dtype)
    )
    flat = windows.reshape((*windows.shape[:4], -1))
    return flat.argmax(axis=-1)[..., None], geometry


@register_kernel("MaxPoolGrad")
def max_pool_grad(orig_input, orig_output, grad, *, T, ksize, strides, padding, data_format):
    ksize, strides = _spatial(ksize), _spatial(strides)
    first_max, geometry = _first_max(orig_input, ksize, strides, padding)
    _check_grad_shape("grad", grad, len(orig_input), geometry, orig_input.shape[3])
    # Each window's gradient goes to its first maximum only.
    cols = np.zeros((*grad.shape, ksize[0] * ksize[1]), grad.dtype)
    np.put_along_axis(cols, first_max, grad[..., None], axis=-1)
    cols = cols.reshape((*grad.shape, *ksize))
    return (_scatter_windows(cols, orig_input.shape[1:3], geometry, strides),)


@register_kernel("MaxPoolGradGrad")
def max_pool_grad_grad(orig_input, orig_output, grad, *, T, ksize, strides, padding, data_format):
    # MaxPoolGrad is linear in its gradient: each window reads grad at its first maximum.
    ksize, strides = _spatial(ksize), _spatial(strides)
    if grad.shape != orig_input.shape:
        raise InvalidArgumentError(
            None,
            None,
            f"grad has shape {list(grad.shape)}, but orig_input has {list(orig_input.shape)}",
        )
    first_max, _ = _first_max(orig_input, ksize, strides, padding)
    windows, _ = _padded_windows(grad, ksize, strides, padding, 0)
    flat = windows.reshape((*windows.shape[:4], -1))
    return (np.take_along_axis(flat, first_max, axis=-1)[..., 0],)


def _window_counts(in_hw, ksize, strides, padding):
    """How many real (unpadded) input elements each output window covers: [1, oh, ow, 1]."""
    ones = np.ones((1, *in_hw, 1))
    windows, _ = _padded_windows(ones, ksize, strides, padding, 0)
    return windows.sum(axis=(4, 5))


@register_kernel("AvgPool")
def avg_pool(value, *, T, ksize, strides, padding, data_format):
    _check_rank4("value", value)
    ksize, strides = _spatial(ksize), _spatial(strides)
    windows, _ = _padded_windows(value, ksize, strides, padding, 0)
    counts = _window_counts(value.shape[1:3], ksize, strides, padding)
    return ((windows.sum(axis=(4, 5)) / counts).astype(value.dtype, copy=False),)


@register_kernel("AvgPoolGrad")
def avg_pool_grad(orig_input_shape, grad, *, T, ksize, strides, padding, data_format):
    in_hw = _spatial(orig_input_shape)
    ksize, strides = _spatial(ksize), _spatial(strides)
    geometry = _geometry(in_hw, ksize, strides, padding)
    _check_grad_shape("grad", grad, orig_input_shape[0], geometry, orig_input_shape[3])
    share = (grad / _window_counts(in_hw, ksize, strides, padding)).astype(grad.dtype)
    cols = np.broadcast_to(share[..., None, None], share.shape + ksize)
    return (_scatter_windows(cols, in_hw, geometry, strides),)
