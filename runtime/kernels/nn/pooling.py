"""Pooling kernels: max and average pools in 2-D and 3-D, their gradients, and argmax pools.

Each kernel loops over the taps of a window (4 for a 2x2 pool), doing one vectorised
numpy operation on the strided slice of the padded input that tap reads in every
window at once (see :mod:`.windows`). Max pools whose windows tile the input (stride
equal to size, no padding: the common 2x2 pool) view it as ``[n, out_0, k_0, ...,
c]`` instead, and take maxima over whole input rows first (:func:`_tiled_max`); their
gradients copy each block of images tap-major, so every tap is one contiguous array,
in blocks that stay in cache, split across the intra-op threads.

A max pool's gradient goes to the *first* maximum of each window in row-major order,
TF's rule for ties, and padding never wins: :func:`first_max` keeps, per window, the
running maximum and the tap it came from. Average pools divide by the number of real
(unpadded) cells in each window, as TF does.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ...errors import InvalidArgumentError, UnimplementedError
from ...intra_op import ELEMENT_WORK, map_blocks, map_parts, parts, threads_for
from ...registry import register_kernel
from ..math import lowest
from .windows import (
    TILE_BYTES,
    Windows,
    channel_of,
    channels_first,
    channels_last,
    check_grad_shape,
    check_rank,
    explicit_pairs,
    pad_spatial,
    spatial_of,
)

STACK_BYTES = 32 << 20
"""Largest stack of tap slices a max-pool gradient holds at once."""
STRIDED_WORK = 3 * ELEMENT_WORK
"""What a pass over one element of a tap's strided slice costs, in multiply-adds (for
:func:`runtime.intra_op.map_parts`): about three times a contiguous pass (measured)."""


def _accumulating(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _taps(padded: np.ndarray, win: Windows):
    """``(index, tap, view)`` for each tap of a window, in row-major order."""
    for index, tap in enumerate(win.all_taps()):
        yield index, tap, padded[(slice(None), *win.tap_slices(tap))]


def _real_cells(win: Windows, tap) -> np.ndarray:
    """Which windows' cell ``tap`` is a real input cell: a mask ``[1, *out_sizes, 1]``."""
    mask = np.ones((), bool)
    for n, (before, _), s, d, out, i in zip(
        win.in_sizes, win.pads, win.strides, win.dilations, win.out_sizes, tap
    ):
        cells = np.arange(out) * s - before + i * d
        mask = np.logical_and.outer(mask, (cells >= 0) & (cells < n))
    return mask.reshape((1, *win.out_sizes, 1))


def max_pool_forward(x: np.ndarray, win: Windows) -> np.ndarray:
    """The maximum of each window of channels-last ``x`` (images split across the
    intra-op threads when there are enough)."""
    out = np.empty((x.shape[0], *win.out_sizes, x.shape[-1]), x.dtype)
    padded = None if _tiles(win) else pad_spatial(x, win, lowest(x.dtype))
    if padded is not None:
        out.fill(lowest(x.dtype))

    def images(part: slice) -> None:
        maximum = out[part]
        if padded is None:
            _tiled_max(_tiled_view(x[part], win)[0], maximum)
            return
        for _, _, view in _taps(padded[part], win):
            np.maximum(maximum, view, out=maximum)

    map_parts(images, x.shape[0], out.size * win.taps * STRIDED_WORK)
    return out


def _first_max_hits(
    padded: np.ndarray, win: Windows, has_padding: bool, offsets: np.ndarray | None = None
) -> np.ndarray:
    """``hits[t]`` marks the windows whose first maximum is tap ``t``: ``[taps, n, *out, c]``.

    ``offsets`` (``[*ksize, c]``), when given, is added to each tap's values first: the
    structuring element of a morphological dilation.

    numpy's arithmetic on strided slices is several times slower than on contiguous
    arrays, and its masked copies (``where=``) slower still on random masks, so the taps
    are first copied into one contiguous stack and the masks come from comparisons and
    boolean arithmetic: a tap hits where it equals the window's maximum and no earlier
    tap did.
    """
    stack = _tap_stack(padded, win, offsets)
    hits = stack == stack.max(axis=0)
    found = np.zeros(hits.shape[1:], bool)
    for index, tap in enumerate(win.all_taps()):
        if has_padding:  # padding never wins, even where every cell is the lowest value
            hits[index] &= _real_cells(win, tap)
        np.greater(hits[index], found, out=hits[index])  # a hit, and no earlier one
        found |= hits[index]
    return hits


def _tap_stack(padded: np.ndarray, win: Windows, offsets: np.ndarray | None) -> np.ndarray:
    """Every tap's values (plus its offset) copied into one ``[taps, n, *out, c]`` array."""
    stack = np.empty((win.taps, padded.shape[0], *win.out_sizes, padded.shape[-1]), padded.dtype)
    for index, tap, view in _taps(padded, win):
        np.copyto(stack[index], view)
        if offsets is not None:
            stack[index] += offsets[tap]
    return stack


def _batch_blocks(batch: int, image_bytes: int):
    """Slices of the batch whose tap stacks stay under ``STACK_BYTES`` (at least one image)."""
    step = max(1, STACK_BYTES // max(image_bytes, 1))
    for start in range(0, batch, step):
        yield slice(start, min(start + step, batch))


def first_max(x: np.ndarray, win: Windows) -> np.ndarray:
    """The tap index of each window's first maximum (TF's argmax tie rule)."""
    padded = pad_spatial(x, win, lowest(x.dtype))
    hits = _first_max_hits(padded, win, padded is not x)
    return np.argmax(hits, axis=0)


def max_pool_backward(x: np.ndarray, grad: np.ndarray, win: Windows) -> np.ndarray:
    """``grad`` of each window sent to its first maximum: the gradient of a max pool."""
    if _tiles(win):
        dx = np.empty(x.shape, grad.dtype)

        def images(part: slice) -> None:
            _tiled_max_pool_backward(x[part], grad[part], win, dx[part])

        threads = threads_for(grad.size * win.taps * 4 * STRIDED_WORK)
        tiles = -(-x.nbytes // TILE_BYTES)
        map_blocks(images, parts(x.shape[0], max(threads, tiles)), threads)
        return dx
    padded = pad_spatial(x, win, lowest(x.dtype))
    dx = np.zeros((x.shape[0], *win.padded_sizes, x.shape[-1]), grad.dtype)
    share = np.empty(grad.shape, grad.dtype)
    image_bytes = win.taps * grad[:1].nbytes
    for images in _batch_blocks(x.shape[0], image_bytes):
        hits = _first_max_hits(padded[images], win, padded is not x)
        for index, tap in enumerate(win.all_taps()):
            np.multiply(grad[images], hits[index], out=share[images])
            target = dx[images][(slice(None), *win.tap_slices(tap))]
            if win.overlapping:
                target += share[images]
            else:  # each cell is in one window at most: a copy, much faster than an add
                np.copyto(target, share[images])
    return np.ascontiguousarray(dx[(slice(None), *win.interior())])


def _tiles(win: Windows) -> bool:
    """The windows tile the input: side by side (stride = size), unpadded, undilated."""
    unpadded = all(p == (0, 0) for p in win.pads)
    return win.strides == win.ksize and unpadded and all(d == 1 for d in win.dilations)


def _tiled_max_pool_backward(x: np.ndarray, grad: np.ndarray, win: Windows, dx: np.ndarray):
    """:func:`max_pool_backward` into ``dx`` where the windows tile the input (the
    common 2x2 pool).

    The input is copied tap-major, ``[*ksize, n, *out, c]``: each tap of every window is
    then one contiguous array like ``grad``, and the comparisons and products run on
    long runs. On the tiled view itself (``[n, out_0, k_0, ..., c]``) each tap is strided
    in runs of ``c`` values, where numpy's loops ran 5x slower; the copy there and back
    costs less than that (the small CNN's 64x28x28x32 pool: 3.7 -> 1.9 ms). Each tap's
    gradient is written over its copy, so the copy is the only buffer.
    """
    blocks, covered = _tiled_view(x, win)
    rank = win.rank
    tap_major = (*range(2, 2 * rank + 1, 2), 0, *range(1, 2 * rank, 2), 2 * rank + 1)
    taps = blocks.transpose(tap_major).copy()  # x's type: grad's (one T)
    flat = taps.reshape(win.taps, *grad.shape)
    top = _maximum(list(flat))
    found, hit = np.zeros(top.shape, bool), np.empty(top.shape, bool)
    for tap in flat:  # the first maximum in row-major order takes the gradient (TF's rule)
        np.equal(tap, top, out=hit)
        np.greater(hit, found, out=hit)
        found |= hit
        np.multiply(grad, hit, out=tap)  # not copyto(where=): 20x slower on random masks
    if math.prod(blocks.shape) == x.size:
        np.copyto(dx.reshape(blocks.shape).transpose(tap_major), taps)
    else:
        dx[...] = 0  # the cells no window covers get no gradient
        grads = np.empty(blocks.shape, grad.dtype)
        np.copyto(grads.transpose(tap_major), taps)
        dx[covered] = grads.reshape(dx[covered].shape)


def _tiled_view(x: np.ndarray, win: Windows) -> tuple:
    """``(blocks, covered)``: ``x`` shaped ``[n, out_0, k_0, out_1, k_1, ..., c]`` where
    the windows tile it, so each tap of every window is a view; and the index of the
    cells the windows cover (VALID may leave some over, and then ``blocks`` is a copy)."""
    batch, channels = x.shape[0], x.shape[-1]
    shape = (batch, *(n for pair in zip(win.out_sizes, win.ksize) for n in pair), channels)
    covered = (slice(None), *(slice(0, o * k) for o, k in zip(win.out_sizes, win.ksize)))
    return x[covered].reshape(shape), covered


def _tiled_max(blocks: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The maximum of each window of ``blocks`` (``[n, out_0, k_0, ..., out_last,
    k_last, c]``, windows that tile their input), into ``out`` if given: first over the
    leading window axes, on whole rows of the input (long runs: numpy's fast loop),
    then over the last axis, whose runs are only ``c`` long. 1.3x faster than tap by
    tap (measured)."""
    rank = (blocks.ndim - 2) // 2
    *outer, out_last, k_last, channels = blocks.shape
    rows = blocks.reshape(*outer, out_last * k_last * channels)
    leading = itertools.product(*(range(k) for k in blocks.shape[2 : 2 * rank - 1 : 2]))
    taps = [(slice(None), *(i for t in tap for i in (slice(None), t))) for tap in leading]
    top = _maximum([rows[tap] for tap in taps])
    top = top.reshape(*top.shape[:-1], out_last, k_last, channels)
    return _maximum([top[..., j, :] for j in range(k_last)], out)


def _maximum(views: list, out: np.ndarray | None = None) -> np.ndarray:
    """The elementwise maximum of ``views`` (one or more), into ``out`` if given: pairwise,
    with no copy first (np.maximum.reduce over a short axis ran 5x slower, measured)."""
    if len(views) == 1:
        if out is None:
            return views[0].copy()
        np.copyto(out, views[0])
        return out
    out = np.maximum(views[0], views[1], out=out)
    for view in views[2:]:
        np.maximum(out, view, out=out)
    return out


def max_pool_grad_grad(x: np.ndarray, grad: np.ndarray, win: Windows) -> np.ndarray:
    """Each window reads ``grad`` (shaped like ``x``) at its first maximum."""
    padded = pad_spatial(x, win, lowest(x.dtype))
    hits = _first_max_hits(padded, win, padded is not x)
    grads = pad_spatial(grad, win)
    out = np.zeros(hits.shape[1:], grad.dtype)
    for index, _, view in _taps(grads, win):
        out += view * hits[index]
    return out


def avg_pool_forward(x: np.ndarray, win: Windows) -> np.ndarray:
    """The mean of the real cells of each window of channels-last ``x``."""
    total = np.zeros((x.shape[0], *win.out_sizes, x.shape[-1]), _accumulating(x.dtype))
    for _, _, view in _taps(pad_spatial(x, win), win):
        total += view
    total /= win.window_counts()[..., None]
    return total.astype(x.dtype, copy=False)


def avg_pool_backward(grad: np.ndarray, win: Windows, channels: int) -> np.ndarray:
    """Each window's ``grad`` shared evenly among its real cells."""
    share = grad.astype(_accumulating(grad.dtype)) / win.window_counts()[..., None]
    padded = np.zeros((grad.shape[0], *win.padded_sizes, channels), share.dtype)
    for _, _, view in _taps(padded, win):
        view += share
    return padded[(slice(None), *win.interior())].astype(grad.dtype)


# -- registered kernels -------------------------------------------------------------------
# Kernels read their window attrs (ksize, strides, padding, explicit_paddings,
# data_format) from ``attrs``; the OpDefs say which each op has.


def _depth_window(x_shape, attrs) -> int | None:
    """The channel window of a max pool across depth (which TF runs on CPU), or ``None``.

    Raises TF's ``UnimplementedError`` for windows across the batch, and for windows
    across both depth and space.
    """
    data_format = attrs.get("data_format", "NHWC")
    ksize, strides = attrs["ksize"], attrs["strides"]
    for name, values in (("ksize", ksize), ("strides", strides)):
        if any(v <= 0 for v in values):
            raise InvalidArgumentError(
                None, None, f"Sliding window {name} field must be positive, got {list(values)}"
            )
    if ksize[0] != 1 or strides[0] != 1:
        raise UnimplementedError(None, None, "Pooling is not yet supported on the batch dimension.")
    window, stride = channel_of(ksize, data_format), channel_of(strides, data_format)
    if (window, stride) == (1, 1):
        return None
    if any(v != 1 for v in (*spatial_of(ksize, data_format), *spatial_of(strides, data_format))):
        raise UnimplementedError(
            None,
            None,
            "MaxPooling supports exactly one of pooling across depth or pooling across "
            "width/height.",
        )
    if window != stride:
        raise InvalidArgumentError(
            None, None, "Depthwise max pooling requires the depth window to equal the depth stride."
        )
    if x_shape[-1] % window:
        raise InvalidArgumentError(
            None,
            None,
            "Depthwise max pooling requires the depth window to evenly divide the input depth.",
        )
    return window


def _windows(x_shape, attrs) -> Windows:
    """The spatial windows of a pool; windows across depth are refused."""
    if _depth_window(x_shape, attrs) is not None:
        raise UnimplementedError(None, None, "Pooling across depth is supported by MaxPool only.")
    data_format, padding = attrs.get("data_format", "NHWC"), attrs["padding"]
    ksize, strides = attrs["ksize"], attrs["strides"]
    explicit = None
    if padding == "EXPLICIT":
        explicit = explicit_pairs(attrs["explicit_paddings"], data_format)
    return Windows.of(
        x_shape[1:-1],
        spatial_of(ksize, data_format),
        spatial_of(strides, data_format),
        padding,
        explicit=explicit,
    )


def _pool(forward, name: str):
    """The kernel of a forward pool: ``forward`` on the channels-last input."""

    def kernel(input, **attrs):
        check_rank(name, input, len(attrs["ksize"]))
        data_format = attrs["data_format"]
        x = channels_last(input, data_format)
        return (channels_first(forward(x, _windows(x.shape, attrs)), data_format),)

    return kernel


def _depth_groups(x: np.ndarray, window: int) -> np.ndarray:
    return x.reshape(*x.shape[:-1], x.shape[-1] // window, window)


@register_kernel("MaxPool")
def max_pool(input, **attrs):
    check_rank("input", input, 4)
    data_format = attrs["data_format"]
    x = channels_last(input, data_format)
    window = _depth_window(x.shape, attrs)
    if window is not None:  # the maximum of each group of `window` channels
        return (channels_first(_depth_groups(x, window).max(axis=-1), data_format),)
    return (channels_first(max_pool_forward(x, _windows(x.shape, attrs)), data_format),)


def _depth_max_pool_backward(x: np.ndarray, grad: np.ndarray, window: int) -> np.ndarray:
    groups = _depth_groups(x, window)
    hits = groups == groups.max(axis=-1, keepdims=True)
    hits &= np.cumsum(hits, axis=-1) == 1  # the first maximum of each group
    return (hits * grad[..., None]).reshape(x.shape).astype(grad.dtype, copy=False)


def _max_pool_grad(orig_input, orig_output, grad, **attrs):
    check_rank("orig_input", orig_input, len(attrs["ksize"]))
    data_format = attrs["data_format"]
    x, dy = channels_last(orig_input, data_format), channels_last(grad, data_format)
    window = _depth_window(x.shape, attrs)
    if window is not None:
        check_grad_shape("grad", dy, (*x.shape[:-1], x.shape[-1] // window))
        return (channels_first(_depth_max_pool_backward(x, dy, window), data_format),)
    win = _windows(x.shape, attrs)
    check_grad_shape("grad", dy, (x.shape[0], *win.out_sizes, x.shape[-1]))
    return (channels_first(max_pool_backward(x, dy, win), data_format),)


def _max_pool_grad_grad(orig_input, orig_output, grad, **attrs):
    check_rank("orig_input", orig_input, len(attrs["ksize"]))
    check_grad_shape("grad", grad, orig_input.shape)
    data_format = attrs["data_format"]
    x, g = channels_last(orig_input, data_format), channels_last(grad, data_format)
    return (channels_first(max_pool_grad_grad(x, g, _windows(x.shape, attrs)), data_format),)


def _avg_pool_grad(orig_input_shape, grad, **attrs):
    rank, data_format = len(attrs["ksize"]), attrs["data_format"]
    shape = np.asarray(orig_input_shape)
    if shape.shape != (rank,):
        raise InvalidArgumentError(
            None, None, f"orig_input_shape must be a {rank}-vector, got shape {list(shape.shape)}"
        )
    shape = tuple(int(v) for v in shape)
    if data_format.startswith("NC"):
        shape = shape[:1] + shape[2:] + shape[1:2]
    dy = channels_last(grad, data_format)
    win = _windows(shape, attrs)
    check_grad_shape("grad", dy, (shape[0], *win.out_sizes, shape[-1]))
    return (channels_first(avg_pool_backward(dy, win, shape[-1]), data_format),)


register_kernel("MaxPool3D")(_pool(max_pool_forward, "input"))
register_kernel("AvgPool")(_pool(avg_pool_forward, "value"))
register_kernel("AvgPool3D")(_pool(avg_pool_forward, "input"))
register_kernel("MaxPoolGrad")(_max_pool_grad)
register_kernel("MaxPool3DGrad")(_max_pool_grad)
register_kernel("MaxPoolGradGrad")(_max_pool_grad_grad)
register_kernel("MaxPool3DGradGrad")(_max_pool_grad_grad)
register_kernel("AvgPoolGrad")(_avg_pool_grad)
register_kernel("AvgPool3DGrad")(_avg_pool_grad)


def _window_vector(values) -> tuple:
    """``MaxPoolV2``'s ksize and strides, given as tensors."""
    values = np.asarray(values)
    if values.shape != (4,):
        raise InvalidArgumentError(
            None, None, f"Sliding window ksize and strides must be 4-vectors, got {values.tolist()}"
        )
    return tuple(int(v) for v in values)


@register_kernel("MaxPoolV2")
def max_pool_v2(input, ksize, strides, **attrs):
    return max_pool(input, ksize=_window_vector(ksize), strides=_window_vector(strides), **attrs)


@register_kernel("MaxPoolGradV2")
def max_pool_grad_v2(orig_input, orig_output, grad, ksize, strides, **attrs):
    window = {"ksize": _window_vector(ksize), "strides": _window_vector(strides)}
    return _max_pool_grad(orig_input, orig_output, grad, **window, **attrs)


# -- argmax pools (NHWC only, as TF's) ------------------------------------------------------


def _argmax_windows(input, attrs) -> Windows:
    check_rank("input", input, 4)
    return _windows(input.shape, attrs)


def _flat_argmax(arg: np.ndarray, win: Windows, shape: tuple, include_batch: bool) -> np.ndarray:
    """TF's argmax: the flat index ``((b * H + y) * W + x) * C + c`` of each window's maximum.

    Without ``include_batch_in_index`` the ``b * H`` term is left out.
    """
    batch, height, width, channels = shape
    taps = np.array(list(win.all_taps()))  # [taps, 2]
    (top, _), (left, _) = win.pads
    rows = np.arange(win.out_sizes[0])[None, :, None, None] * win.strides[0] - top
    cols = np.arange(win.out_sizes[1])[None, None, :, None] * win.strides[1] - left
    y = rows + taps[arg, 0]
    x = cols + taps[arg, 1]
    index = (y * width + x) * channels + np.arange(channels)
    if include_batch:
        index = index + np.arange(batch)[:, None, None, None] * (height * width * channels)
    return index


@register_kernel("MaxPoolWithArgmax")
def max_pool_with_argmax(input, **attrs):
    win = _argmax_windows(input, attrs)
    arg = first_max(input, win)
    best = max_pool_forward(input, win)
    index = _flat_argmax(arg, win, input.shape, attrs["include_batch_in_index"])
    return best, index.astype(attrs["Targmax"].as_numpy_dtype)


def _batch_offsets(argmax: np.ndarray, shape: tuple, include_batch: bool) -> np.ndarray:
    """``argmax`` as indices into the whole flattened input."""
    index = argmax.astype(np.int64)
    if not include_batch:
        index = index + np.arange(shape[0])[:, None, None, None] * int(np.prod(shape[1:]))
    if index.size and (index.min() < 0 or index.max() >= int(np.prod(shape))):
        raise InvalidArgumentError(
            None, None, f"Invalid argmax: the input has {int(np.prod(shape))} elements"
        )
    return index


@register_kernel("MaxPoolGradWithArgmax")
def max_pool_grad_with_argmax(input, grad, argmax, **attrs):
    win = _argmax_windows(input, attrs)
    check_grad_shape("grad", grad, (input.shape[0], *win.out_sizes, input.shape[-1]))
    check_grad_shape("argmax", argmax, grad.shape)
    index = _batch_offsets(argmax, input.shape, attrs["include_batch_in_index"]).reshape(-1)
    total = np.bincount(index, weights=grad.reshape(-1), minlength=input.size)
    return (total.astype(grad.dtype).reshape(input.shape),)


@register_kernel("MaxPoolGradGradWithArgmax")
def max_pool_grad_grad_with_argmax(input, grad, argmax, **attrs):
    win = _argmax_windows(input, attrs)
    check_grad_shape("grad", grad, input.shape)
    check_grad_shape("argmax", argmax, (input.shape[0], *win.out_sizes, input.shape[-1]))
    index = _batch_offsets(argmax, input.shape, attrs["include_batch_in_index"])
    return (grad.reshape(-1)[index],)


# -- morphological dilation (NHWC, as TF's) -------------------------------------------------------
# A dilation is a max pool whose taps each add their value of a structuring element
# ``filter[kh, kw, c]``; ``rates`` space the taps as a convolution's dilations do.


def _dilation_windows(input, filter, attrs) -> Windows:
    check_rank("input", input, 4)
    check_rank("filter", filter, 3)
    if filter.shape[-1] != input.shape[-1]:
        raise InvalidArgumentError(
            None,
            None,
            f"input and filter must have the same depth: {input.shape[-1]} vs {filter.shape[-1]}",
        )
    strides, rates = attrs["strides"], attrs["rates"]
    return Windows.of(
        input.shape[1:3], filter.shape[:2], strides[1:3], attrs["padding"], rates[1:3]
    )


@register_kernel("Dilation2D")
def dilation2d(input, filter, **attrs):
    win = _dilation_windows(input, filter, attrs)
    padded = pad_spatial(input, win, lowest(input.dtype))
    return (_tap_stack(padded, win, filter).max(axis=0),)


def _dilation_hits(input, filter, out_backprop, attrs):
    win = _dilation_windows(input, filter, attrs)
    check_grad_shape(
        "out_backprop", out_backprop, (input.shape[0], *win.out_sizes, input.shape[-1])
    )
    padded = pad_spatial(input, win, lowest(input.dtype))
    return win, _first_max_hits(padded, win, padded is not input, filter)


@register_kernel("Dilation2DBackpropInput")
def dilation2d_backprop_input(input, filter, out_backprop, **attrs):
    """Each window's gradient goes to the input cell of its first maximum."""
    win, hits = _dilation_hits(input, filter, out_backprop, attrs)
    dx = np.zeros((input.shape[0], *win.padded_sizes, input.shape[-1]), out_backprop.dtype)
    for index, tap in enumerate(win.all_taps()):
        dx[(slice(None), *win.tap_slices(tap))] += out_backprop * hits[index]
    return (np.ascontiguousarray(dx[(slice(None), *win.interior())]),)


@register_kernel("Dilation2DBackpropFilter")
def dilation2d_backprop_filter(input, filter, out_backprop, **attrs):
    """Each window's gradient goes to the filter tap of its first maximum."""
    win, hits = _dilation_hits(input, filter, out_backprop, attrs)
    channels = input.shape[-1]
    sums = (hits * out_backprop).reshape(win.taps, -1, channels).sum(axis=1)
    return (sums.reshape(filter.shape).astype(out_backprop.dtype, copy=False),)
