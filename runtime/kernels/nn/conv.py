"""Convolution kernels: ``Conv2D``, ``Conv3D``, ``DepthwiseConv2dNative`` and their backprops.

A convolution is one matrix product over *patches* (im2col): row ``p`` of the patch
matrix holds the window of output pixel ``p`` (``taps * in_channels`` values), and
``patches @ filter.reshape(taps * in_channels, out_channels)`` is the output, computed
by BLAS. The patch matrix is built block by block, a block being whole images or rows
of one image, so it never holds more than ``TILE_BYTES`` whatever the batch, and the
blocks run on the session's intra-op threads (:mod:`runtime.intra_op`); a 1x1 convolution
with stride 1 needs no patches at all. A fused op's bias and activation (an epilogue,
``finish``) run on each block of output rows right after its product, while it is in
cache.

The two backprops use the same blocks: the filter's gradient is ``patches.T @ dy``,
summed over blocks, and the input's gradient is ``dy @ filter.T``, a block of patch
gradients added back onto the (padded) input one tap at a time (col2im).

Depthwise convolutions multiply each channel by its own filter: there is no sum over
channels for BLAS to do. At stride 1 one ``einsum`` makes one multiply-add pass per tap
(9 for 3x3) over whole rows of the output (the filter's gradient too); at larger
strides they loop over the taps with a multiply and an add per tap, or, with many
channels, sum each window with one ``einsum`` over the windows' view.

Every kernel takes ``NC...`` layouts by working on a channels-last view (see
:mod:`.windows`); float16 is computed in float32 and rounded once at the end, as
TF's CPU kernels accumulate.
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import InvalidArgumentError
from ...intra_op import (
    ELEMENT_WORK,
    map_blocks,
    map_parts,
    threads_for,
)
from ...registry import register_kernel
from ..derived import derived
from .windows import (
    TILE_BYTES,
    Windows,
    channels_first,
    channels_last,
    check_grad_shape,
    check_rank,
    check_spatial_only,
    explicit_pairs,
    pad_spatial,
    spatial_of,
)


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _patches(padded: np.ndarray, win: Windows) -> np.ndarray:
    """A view ``[batch, *out_sizes, *ksize, channels]`` of every window of ``padded``."""
    spans = [(k - 1) * d + 1 for k, d in zip(win.ksize, win.dilations)]
    axes = tuple(range(1, win.rank + 1))
    view = np.lib.stride_tricks.sliding_window_view(padded, spans, axis=axes)
    index = (
        slice(None),
        *(slice(0, (out - 1) * s + 1, s) for out, s in zip(win.out_sizes, win.strides)),
        slice(None),
        *(slice(None, None, d) for d in win.dilations),
    )
    return np.moveaxis(view[index], win.rank + 1, -1)


def _row_blocks(batch: int, win: Windows, row_bytes: int, parts: int = 1) -> list:
    """``(images, first, count)`` blocks of output rows whose patches fit ``TILE_BYTES``.

    ``images`` is a slice of the batch; ``first`` and ``count`` select rows along the
    first spatial axis. Whole images go together while they fit; a larger image is cut
    into runs of rows. There are at least ``parts`` blocks where the rows allow it (one
    for each intra-op thread).
    """
    rows = win.out_sizes[0]
    row = math.prod(win.out_sizes[1:]) * row_bytes  # patch bytes of one output row
    image = rows * row
    tile = min(TILE_BYTES, max(row, -(-batch * image // parts)))
    if image <= tile:
        step = max(1, tile // max(image, 1))
        return [(slice(n, min(n + step, batch)), 0, rows) for n in range(0, batch, step)]
    step = max(1, tile // row)
    return [
        (slice(n, n + 1), first, min(step, rows - first))
        for n in range(batch)
        for first in range(0, rows, step)
    ]


class _Patches:
    """The patch matrix of a convolution's input, one block of output rows at a time.

    A block is a ``[pixels, taps * channels]`` matrix. Copied pixel by pixel, a
    window's row is made of runs of ``kw * channels`` contiguous values (one run per
    filter row); when those runs are short (a first layer of 1 or 3 channels and a
    small filter) the block is copied tap by tap instead, each tap's pixels as one row
    of the transposed matrix, a long run.
    """

    def __init__(self, x: np.ndarray, win: Windows):
        self.win = win
        self.padded = pad_spatial(x, win)
        self.channels = x.shape[-1]
        self.width = win.taps * self.channels
        run = self.channels * (win.ksize[-1] if win.dilations[-1] == 1 else 1)
        self.by_tap = run < _SHORT_RUN
        self.patches = None if self.by_tap else _patches(self.padded, win)

    def block(self, images: slice, first: int, count: int) -> np.ndarray:
        """The ``[pixels, taps * channels]`` patch matrix of a block of output rows."""
        if not self.by_tap:
            block = self.patches[images, first : first + count]
            matrix = np.empty((block.size // self.width, self.width), block.dtype)
            np.copyto(matrix.reshape(block.shape), block)
            return matrix
        padded, win, channels = self.padded[images], self.win, self.channels
        pixels = padded.shape[0] * count * math.prod(win.out_sizes[1:])
        transposed = np.empty((self.width, pixels), padded.dtype)
        for t, tap in enumerate(win.all_taps()):
            view = padded[(slice(None), *win.tap_slices(tap, first, count))]
            rows = transposed[t * channels : (t + 1) * channels]
            np.copyto(rows.reshape(channels, *view.shape[:-1]), np.moveaxis(view, -1, 0))
        return transposed.T


_SHORT_RUN = 10  # pixel-major runs shorter than this are gathered tap by tap (measured)


def _flat(array: np.ndarray, images: slice, first: int, count: int) -> np.ndarray:
    """Output rows of a channels-last array as a ``[pixels, channels]`` view (no copy)."""
    block = array[images, first : first + count]
    return block.reshape(-1, array.shape[-1])


def conv_forward(x: np.ndarray, w: np.ndarray, win: Windows, finish=None) -> np.ndarray:
    """``x`` ``[n, *spatial, c]`` convolved with ``w`` ``[*k, c, o]``: ``[n, *out, o]``.

    ``finish``, when given, is applied in place to each block of output rows (a
    ``[pixels, o]`` matrix) as soon as its product is made, while the block is still in
    cache: a fused op's bias and activation (see :mod:`runtime.grappler.fused`).
    """
    out_channels = w.shape[-1]
    out = np.empty((x.shape[0], *win.out_sizes, out_channels), x.dtype)  # every row written
    if out.size == 0 or x.size == 0:
        out[...] = 0  # zero taps sum to nothing
        if finish is not None:
            finish(out.reshape(-1, out_channels))
        return out
    weights = w.reshape(-1, out_channels)
    passes = 2 if finish is None else 4  # the output's writes, and the epilogue's
    work = out.size * (weights.shape[0] + passes * ELEMENT_WORK)
    if win.is_pointwise:
        rows, outputs = x.reshape(-1, x.shape[-1]), out.reshape(-1, out_channels)

        def pointwise(part: slice) -> None:
            np.matmul(rows[part], weights, out=outputs[part])
            if finish is not None:
                finish(outputs[part])

        map_parts(pointwise, len(rows), work)
        return out
    patches = _Patches(x, win)

    def block(where):
        rows = _flat(out, *where)
        np.matmul(patches.block(*where), weights, out=rows)
        if finish is not None:
            finish(rows)

    row_bytes = (weights.shape[0] + out_channels) * x.itemsize  # patches and output
    threads = threads_for(work + out.size // out_channels * weights.shape[0] * ELEMENT_WORK)
    map_blocks(block, _row_blocks(x.shape[0], win, row_bytes, threads), threads)
    return out


def conv_backprop_filter(x: np.ndarray, dy: np.ndarray, win: Windows, k: tuple) -> np.ndarray:
    """The gradient of :func:`conv_forward` with respect to its ``[*k, c, o]`` filter."""
    channels, out_channels = x.shape[-1], dy.shape[-1]
    if x.size == 0 or dy.size == 0:
        return np.zeros((*k, channels, out_channels), x.dtype)
    if win.is_pointwise:
        rows, grads = x.reshape(-1, channels), dy.reshape(-1, out_channels)
        work = rows.size * out_channels
        sums = map_parts(lambda part: rows[part].T @ grads[part], len(rows), work)
        return sum(sums[1:], sums[0]).reshape(*k, channels, out_channels)
    patches = _Patches(x, win)
    row_bytes = win.taps * channels * x.itemsize
    pixels = dy.size // out_channels
    threads = threads_for((dy.size + pixels * ELEMENT_WORK) * win.taps * channels)
    blocks = _row_blocks(x.shape[0], win, row_bytes, threads)
    sums = map_blocks(lambda where: patches.block(*where).T @ _flat(dy, *where), blocks, threads)
    return sum(sums[1:], sums[0]).reshape(*k, channels, out_channels)


def conv_backprop_input(dy: np.ndarray, w: np.ndarray, win: Windows) -> np.ndarray:
    """The gradient of :func:`conv_forward` with respect to its input ``[n, *spatial, c]``.

    With stride 1 it is itself a convolution, of ``dy`` with the flipped and transposed
    filter (:func:`_transposed_windows`), and runs as one when that moves fewer bytes
    than scattering patch gradients back (col2im): when the filter has fewer outputs
    than about four times its inputs.
    """
    batch, channels, out_channels = dy.shape[0], w.shape[-2], w.shape[-1]
    weights_t = w.reshape(-1, out_channels).T
    if win.is_pointwise:
        return conv_forward(dy, w.swapaxes(-1, -2), win)
    transposed = _transposed_windows(win)
    if transposed is not None and out_channels < 4 * channels and dy.size and w.size:
        spatial = tuple(range(win.rank))
        flipped = np.ascontiguousarray(np.flip(w, spatial).swapaxes(-1, -2))
        return conv_forward(dy, flipped, transposed)
    padded = np.zeros((batch, *win.padded_sizes, channels), dy.dtype)
    if dy.size and w.size:
        taps = list(win.all_taps())

        def scatter(part: slice) -> None:
            # Images are independent; the rows of one image overlap, so they go in order.
            row_bytes = weights_t.shape[1] * dy.itemsize
            for block, first, count in _row_blocks(part.stop - part.start, win, row_bytes):
                images = slice(part.start + block.start, part.start + block.stop)
                cols = _flat(dy, images, first, count) @ weights_t
                shape = (images.stop - images.start, count, *win.out_sizes[1:], *win.ksize)
                cols = cols.reshape(*shape, channels)
                target = padded[images]
                for tap in taps:  # col2im: each tap's patch gradients go back to its cells
                    target[(slice(None), *win.tap_slices(tap, first, count))] += cols[
                        (Ellipsis, *tap, slice(None))
                    ]

        map_parts(scatter, batch, dy.size * weights_t.shape[1])
    return np.ascontiguousarray(padded[(slice(None), *win.interior())])


def _transposed_windows(win: Windows) -> Windows | None:
    """The windows over ``dy`` of a stride-1 convolution's input gradient, or ``None``.

    Input cell ``i`` is read by tap ``t`` of window ``i + before - t * d``: so its gradient
    is a window over ``dy`` padded by ``span - 1 - before`` (and ``span - 1 - after``),
    the taps reversed. Needs stride 1 and padding no wider than the window.
    """
    if any(s != 1 for s in win.strides):
        return None
    spans = [(k - 1) * d + 1 for k, d in zip(win.ksize, win.dilations)]
    pads = [(span - 1 - b, span - 1 - a) for span, (b, a) in zip(spans, win.pads)]
    if any(b < 0 or a < 0 for b, a in pads):
        return None
    return Windows.of(win.out_sizes, win.ksize, win.strides, "EXPLICIT", win.dilations, pads)


# -- depthwise ------------------------------------------------------------------------------


def _tap_view(padded: np.ndarray, win: Windows, tap) -> np.ndarray:
    return padded[(slice(None), *win.tap_slices(tap))]


class _TapRows:
    """Each tap's inputs to a depthwise convolution as rows of ``out_width * channels``.

    numpy runs an elementwise operation fastest when its innermost loop is long. A
    tap's slice of the padded input is strided along the last spatial axis (by the
    stride) and its weights broadcast along it, which leaves loops of ``channels``
    values; so the padded input is split into ``stride`` phases along that axis (every
    stride-th column, one contiguous copy) in which the tap's windows are adjacent, and
    its weights are tiled across the row: the product of one output row is then one
    loop of ``out_width * channels`` values (1.4x faster on MobileNetV2's layers).
    """

    passes = 2  # elementwise passes a tap: a multiply and an add

    def __init__(self, x: np.ndarray, w: np.ndarray, win: Windows):
        self.win = win
        padded = pad_spatial(x, win)
        stride, width = win.strides[-1], win.out_sizes[-1]
        if stride == 1:
            phases = [padded]
        else:
            phases = [np.ascontiguousarray(padded[..., p::stride, :]) for p in range(stride)]
        self.taps = []
        for tap in win.all_taps():
            start = tap[-1] * win.dilations[-1]
            weights = np.tile(w[tap], width)  # [width * channels], channel fastest
            self.taps.append((phases[start % stride], tap, start // stride, weights))

    @staticmethod
    def pay(channels: int, win: Windows) -> bool:
        return True  # the fallback: any channels, strides and dilations

    def multiply_add(self, out: np.ndarray, images: slice, first: int, count: int, finish) -> None:
        """``out`` (channels-last) at a block of output rows: the sum over taps, then
        ``finish`` (if any) on the block's ``[pixels, channels]`` rows."""
        width = self.win.out_sizes[-1]
        acc = out[images, first : first + count]
        acc = acc.reshape(*acc.shape[:-2], -1)
        product = np.empty_like(acc)
        for index, (phase, tap, start, weights) in enumerate(self.taps):
            slices = self.win.tap_slices(tap, first, count)[:-1]
            view = phase[(images, *slices, slice(start, start + width))]
            view = view.reshape(acc.shape)  # merges the last two axes, contiguous: no copy
            if index == 0:
                np.multiply(view, weights, out=acc)
            else:
                np.multiply(view, weights, out=product)
                acc += product
        if finish is not None:
            finish(acc.reshape(-1, out.shape[-1]))


class _TapSums:
    """Stride 1: the sum over taps as one ``np.einsum`` over :func:`_tap_rows`, a view of
    the padded input in which a tap's part of an output row is one run of
    ``out_width * channels`` values, with the weights tiled along it as
    :class:`_TapRows`'. einsum makes one multiply-add pass per tap where
    :class:`_TapRows` makes a multiply and an add, and needs no product buffer: 1.4-1.9x
    faster on MobileNetV2's layers (32 to 960 channels), and on small ones from 2
    channels (64 values a row). With one channel a tap's step along the row equals a
    value's, and einsum's loop runs over the taps: slower there, so :class:`_TapRows`
    keeps those.
    """

    passes = 1  # a multiply-add pass a tap

    def __init__(self, x: np.ndarray, w: np.ndarray, win: Windows):
        self.win = win
        # a row's values one run, for the view
        self.padded = np.ascontiguousarray(pad_spatial(x, win))
        self.weights = derived(np.tile, w, win.out_sizes[-1])  # [*k, width * channels]

    @staticmethod
    def pay(channels: int, win: Windows) -> bool:
        return channels > 1 and all(s == 1 for s in win.strides)

    def multiply_add(self, out: np.ndarray, images: slice, first: int, count: int, finish) -> None:
        """As :meth:`_TapRows.multiply_add`."""
        acc = out[images, first : first + count]
        acc = acc.reshape(*acc.shape[:-2], -1)  # [n, rows, ..., width * channels]
        view = _tap_rows(self.padded[images, first:], self.win, acc.shape)
        outer, taps, row = _row_subscripts(acc.ndim, self.win.rank)
        np.einsum(view, outer + taps + row, self.weights, taps + row, outer + row, out=acc)
        if finish is not None:
            finish(acc.reshape(-1, out.shape[-1]))


def _tap_rows(base: np.ndarray, win: Windows, rows: tuple) -> np.ndarray:
    """A view ``[*rows[:-1], *ksize, rows[-1]]`` of ``base`` (a padded input, contiguous
    along its last two axes, from a first output row on) at stride 1: ``[..., tap, :]``
    is the tap's inputs to a row of output, ``out_width * channels`` values in one run."""
    strides = base.strides  # n, each spatial axis, channels
    dilated = [step * d for step, d in zip(strides[1:-1], win.dilations)]
    return np.lib.stride_tricks.as_strided(
        base,
        (*rows[:-1], *win.ksize, rows[-1]),
        (*strides[:-2], *dilated, base.itemsize),
        writeable=False,
    )


def _row_subscripts(ndim: int, rank: int) -> tuple[list, list, list]:
    """einsum's axis numbers over :func:`_tap_rows` for output rows of ``ndim`` axes:
    the rows' outer axes, the taps', the row's."""
    outer = list(range(ndim - 1))
    taps = list(range(ndim - 1, ndim - 1 + rank))
    return outer, taps, [taps[-1] + 1]


def _tap_rows_filter_gradient(padded: np.ndarray, dy: np.ndarray, win: Windows) -> np.ndarray:
    """A stride-1 depthwise filter's gradient ``[*k, channels]``: each tap's products
    with ``dy`` summed over the batch and rows by one einsum over :func:`_tap_rows` (one
    multiply-add pass a tap), then over each row's pixels. A multiply and a sum a tap
    took 2-3.5x longer (32 images of 56x56x32: 39 -> 11 ms)."""
    rows = dy.reshape(*dy.shape[:-2], -1)  # [n, rows, ..., width * channels]
    view = _tap_rows(np.ascontiguousarray(padded), win, rows.shape)
    outer, taps, row = _row_subscripts(rows.ndim, win.rank)
    sums = np.einsum(view, outer + taps + row, rows, outer + row, taps + row)
    return sums.reshape(*win.ksize, win.out_sizes[-1], -1).sum(axis=-2)


class _WindowSums:
    """Each window's products summed by one ``np.einsum`` over the windows' view (no
    copies): one pass where :class:`_TapRows` makes two per tap, but its inner loop is
    only one pixel's channels. It is the faster where those are many, or where the tap
    rows would need strided phases (measured on MobileNetV2's depthwise layers: 1.3-2x
    from 192 channels, or from 96 at stride 2; slower below)."""

    passes = 1  # one einsum pass over the windows' taps

    def __init__(self, x: np.ndarray, w: np.ndarray, win: Windows):
        self.windows, self.weights = _patches(pad_spatial(x, win), win), w

    @staticmethod
    def pay(channels: int, win: Windows) -> bool:
        return channels >= 192 or (channels >= 96 and any(s > 1 for s in win.strides))

    def multiply_add(self, out: np.ndarray, images: slice, first: int, count: int, finish) -> None:
        """As :meth:`_TapRows.multiply_add`."""
        acc = out[images, first : first + count]
        windows = self.windows[images, first : first + count]
        np.einsum("nhwijc,ijc->nhwc", windows, self.weights, out=acc)
        if finish is not None:
            finish(acc.reshape(-1, out.shape[-1]))


class _TapColumns:
    """Strided along the row: for each block of output rows, each width tap's input
    columns are gathered into one buffer ``[n, rows, kw, out_width * channels]``, the
    padding written there as zeros (so the input is never padded on its own), and one
    ``np.einsum`` sums the taps over runs of a whole output row, as :class:`_TapSums`.
    The gather is a pass over the block's input, as a pad's copy is; against
    :class:`_WindowSums`, whose inner loop is one pixel's channels, after the ``Pad``
    before it (MobileNetV2's stride-2 layers, 56x56x96 to 7x7x576 out, one thread):
    1,038 -> 879, 353 -> 277, 145 -> 125, 106 -> 105 us."""

    passes = 1  # one einsum pass over the taps, and a gather: as the windows' pad copy

    def __init__(self, x: np.ndarray, w: np.ndarray, win: Windows):
        self.x, self.win = x, win
        self.weights = derived(np.tile, w, win.out_sizes[-1])  # [kh, kw, width * channels]

    @staticmethod
    def pay(channels: int, win: Windows) -> bool:
        return win.rank == 2 and win.strides[-1] > 1

    def multiply_add(self, out: np.ndarray, images: slice, first: int, count: int, finish) -> None:
        """As :meth:`_TapRows.multiply_add`."""
        (stride, _), (dilation, _), (kh, kw) = self.win.strides, self.win.dilations, self.win.ksize
        acc = out[images, first : first + count]
        acc = acc.reshape(*acc.shape[:-2], -1)  # [n, rows, width * channels]
        columns = self._gather(
            images, first * stride, (count - 1) * stride + (kh - 1) * dilation + 1
        )
        steps = columns.strides
        view = np.lib.stride_tricks.as_strided(
            columns,
            (acc.shape[0], count, kh, kw, acc.shape[-1]),
            (steps[0], stride * steps[1], dilation * steps[1], steps[2], columns.itemsize),
            writeable=False,
        )
        np.einsum(view, [0, 1, 2, 3, 4], self.weights, [2, 3, 4], [0, 1, 4], out=acc)
        if finish is not None:
            finish(acc.reshape(-1, out.shape[-1]))

    def _gather(self, images: slice, first: int, rows: int) -> np.ndarray:
        """``[n, rows, kw, out_width, channels]``: padded rows ``first...`` of the images,
        at each width tap's columns of the output; zeros where they fall in the padding."""
        win, x = self.win, self.x[images]
        (top, _), (left, _) = win.pads
        width, (_, stride), (_, dilation) = win.out_sizes[-1], win.strides, win.dilations
        columns = np.empty((len(x), rows, win.ksize[-1], width, x.shape[-1]), x.dtype)
        lo, hi = max(top - first, 0), min(top - first + x.shape[1], rows)
        hi = max(hi, lo)  # no row of the input in this block
        columns[:, :lo] = columns[:, hi:] = 0
        source = x[:, lo + first - top : hi + first - top]
        for tap in range(win.ksize[-1]):
            start = tap * dilation - left  # input column of output column 0
            begin = min(max(-start + stride - 1, 0) // stride, width)  # first inside the input
            end = max(min((x.shape[2] - 1 - start) // stride + 1, width), begin)
            part = columns[:, lo:hi, tap]
            part[:, :, :begin] = part[:, :, end:] = 0
            if end > begin:
                column = start + begin * stride
                part[:, :, begin:end] = source[
                    :, :, column : column + (end - begin - 1) * stride + 1 : stride
                ]
        return columns.reshape(*columns.shape[:3], -1)


_DEPTHWISE_SUMS = (_TapSums, _TapColumns, _WindowSums, _TapRows)
"""A depthwise convolution's ways of summing taps, each taken where it pays and none before
it does. Each is made from the unpadded input, and pads it as it needs (or not at all)."""


def depthwise_forward(x: np.ndarray, w: np.ndarray, win: Windows, finish=None) -> np.ndarray:
    """Each channel of ``x`` convolved with its ``multiplier`` filters ``w[*k, c, m]``.

    Output channel ``c * multiplier + m`` is input channel ``c`` under filter
    ``w[..., c, m]``: with a multiplier above 1 each input channel is repeated that
    many times, and each channel then has one filter. ``finish`` is an epilogue, as
    :func:`conv_forward`'s.
    """
    batch, multiplier = x.shape[0], w.shape[-1]
    out = np.empty((batch, *win.out_sizes, x.shape[-1] * multiplier), x.dtype)
    if out.size == 0 or x.size == 0 or w.size == 0:
        out[...] = 0  # zero taps, or zero-sized windows, sum to nothing
        if finish is not None:
            finish(out.reshape(-1, out.shape[-1]))
        return out
    if multiplier > 1:
        x = np.repeat(x, multiplier, axis=-1)
    sums = next(kind for kind in _DEPTHWISE_SUMS if kind.pay(out.shape[-1], win))
    rows = sums(x, w.reshape(*win.ksize, -1), win)  # each way pads the input as it needs
    # Weighed by the way's passes: with a multiply and an add a tap counted for the
    # einsum ways too, MobileNetV2's 28x28x192 and 14x14x576 layers split at 2 threads
    # and ran 1.3-1.5x slower (239 -> 305 us, 187 -> 286 us).
    threads = threads_for(out.size * win.taps * sums.passes * ELEMENT_WORK)
    blocks = _row_blocks(batch, win, out.shape[-1] * out.itemsize, threads)
    map_blocks(lambda where: rows.multiply_add(out, *where, finish), blocks, threads)
    return out


def depthwise_backprop_input(dy: np.ndarray, w: np.ndarray, win: Windows) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its input.

    With stride 1 and one filter per channel it is itself a depthwise convolution, of
    ``dy`` with the flipped filter (as :func:`conv_backprop_input`).
    """
    batch, channels, multiplier = dy.shape[0], w.shape[-2], w.shape[-1]
    transposed = _transposed_windows(win)
    if transposed is not None and multiplier == 1:
        return depthwise_forward(dy, np.flip(w, tuple(range(win.rank))), transposed)
    grads = dy.reshape(batch, *win.out_sizes, channels, multiplier)
    padded = np.zeros((batch, *win.padded_sizes, channels), dy.dtype)
    product = np.empty((batch, *win.out_sizes, channels), dy.dtype)
    for m in range(multiplier):
        grad = grads[..., m]
        for tap in win.all_taps():
            np.multiply(grad, w[(*tap, slice(None), m)], out=product)
            padded[(slice(None), *win.tap_slices(tap))] += product
    return np.ascontiguousarray(padded[(slice(None), *win.interior())])


def depthwise_backprop_filter(x: np.ndarray, dy: np.ndarray, win: Windows, k: tuple) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its filter ``[*k, c, m]``."""
    batch, channels = x.shape[0], x.shape[-1]
    multiplier = dy.shape[-1] // max(channels, 1)
    if x.size and dy.size and _TapSums.pay(dy.shape[-1], win):
        # output channel c * multiplier + m is input channel c under filter [..., c, m]
        repeated = np.repeat(x, multiplier, axis=-1) if multiplier > 1 else x
        sums = _tap_rows_filter_gradient(pad_spatial(repeated, win), dy, win)
        return sums.reshape(*k, channels, multiplier)
    grads = dy.reshape(batch, *win.out_sizes, channels, multiplier)
    padded = pad_spatial(x, win)
    dw = np.zeros((*k, channels, multiplier), x.dtype)
    product = np.empty((batch, *win.out_sizes, channels), x.dtype)
    for m in range(multiplier):
        grad = grads[..., m]
        for tap in win.all_taps():
            np.multiply(_tap_view(padded, win, tap), grad, out=product)
            dw[(*tap, slice(None), m)] = product.reshape(-1, channels).sum(axis=0)
    return dw


# -- registered kernels -------------------------------------------------------------------
# Kernels read their window attrs (strides, padding, explicit_paddings, data_format,
# dilations) from ``attrs``; the OpDefs say which each op has.


def _windows(x_shape, k, attrs) -> Windows:
    """The windows of a conv op over a channels-last input shaped ``x_shape``."""
    check_spatial_only(attrs)
    data_format, padding = attrs["data_format"], attrs["padding"]
    explicit = None
    if padding == "EXPLICIT":
        explicit = explicit_pairs(attrs["explicit_paddings"], data_format)
    return Windows.of(
        x_shape[1:-1],
        k,
        spatial_of(attrs["strides"], data_format),
        padding,
        spatial_of(attrs["dilations"], data_format),
        explicit,
    )


def _groups(in_depth: int, filter_depth: int, out_depth: int) -> int:
    """How many groups a filter of ``filter_depth`` input channels splits the input into."""
    if filter_depth == 0 or in_depth % filter_depth:
        raise InvalidArgumentError(
            None,
            None,
            f"input depth must be evenly divisible by filter depth: {in_depth} vs {filter_depth}",
        )
    groups = in_depth // filter_depth
    if out_depth % groups:
        raise InvalidArgumentError(
            None,
            None,
            f"output depth must be evenly divisible by number of groups: {out_depth} vs {groups}",
        )
    return groups


def _per_group(fn, first: np.ndarray, second: np.ndarray, groups: int, *args) -> np.ndarray:
    """``fn`` of each channel group of ``first`` and ``second``, joined along the channels.

    A grouped filter splits along its output channels: group g's outputs see only
    group g's input channels.
    """
    if groups == 1:
        return fn(first, second, *args)
    parts = [fn(a, b, *args) for a, b in zip(_split(first, groups), _split(second, groups))]
    return np.concatenate(parts, axis=-1)


def _split(array: np.ndarray, groups: int) -> list:
    size = array.shape[-1] // groups
    return [array[..., g * size : (g + 1) * size] for g in range(groups)]


def _computable(array: np.ndarray, data_format: str | None = None) -> np.ndarray:
    """``array`` channels-last (when ``data_format`` is given) in the dtype math runs in."""
    if data_format is not None:
        array = channels_last(array, data_format)
    return array.astype(_compute_dtype(array.dtype), copy=False)


def _shape_input(sizes, rank: int, name: str, data_format: str | None = None) -> tuple:
    """A sizes input (``input_sizes``, ``filter_sizes``) checked, channels-last for inputs."""
    sizes = np.asarray(sizes)
    if sizes.shape != (rank,):
        raise InvalidArgumentError(
            None,
            None,
            f"{name} must be a 1-D vector of {rank} values, got shape {list(sizes.shape)}",
        )
    if (sizes < 0).any():
        raise InvalidArgumentError(None, None, f"{name} must be non-negative, got {sizes.tolist()}")
    sizes = tuple(int(v) for v in sizes)
    if data_format is not None and data_format.startswith("NC"):
        return sizes[:1] + sizes[2:] + sizes[1:2]
    return sizes


def _conv(input, filter, finish=None, **attrs):
    """The ``Conv2D``/``Conv3D`` kernel; ``finish`` is :func:`conv_forward`'s epilogue."""
    rank, data_format = len(attrs["strides"]), attrs["data_format"]
    check_rank("input", input, rank)
    check_rank("filter", filter, rank)
    x, w = _computable(input, data_format), _computable(filter)
    groups = _groups(x.shape[-1], w.shape[-2], w.shape[-1])
    win = _windows(x.shape, w.shape[:-2], attrs)
    if groups == 1:
        out = conv_forward(x, w, win, finish)
    else:
        out = _per_group(conv_forward, x, w, groups, win)
        if finish is not None:
            finish(out.reshape(-1, out.shape[-1]))
    return (channels_first(out, data_format).astype(input.dtype, copy=False),)


def _conv_backprop_input(input_sizes, filter, out_backprop, **attrs):
    rank, data_format = len(attrs["strides"]), attrs["data_format"]
    x_shape = _shape_input(input_sizes, rank, "input_sizes", data_format)
    check_rank("filter", filter, rank)
    w, dy = _computable(filter), _computable(out_backprop, data_format)
    groups = _groups(x_shape[-1], w.shape[-2], w.shape[-1])
    win = _windows(x_shape, w.shape[:-2], attrs)
    check_grad_shape("out_backprop", dy, (x_shape[0], *win.out_sizes, w.shape[-1]))
    dx = _per_group(conv_backprop_input, dy, w, groups, win)
    return (channels_first(dx, data_format).astype(filter.dtype, copy=False),)


def _conv_backprop_filter(input, filter_sizes, out_backprop, **attrs):
    rank, data_format = len(attrs["strides"]), attrs["data_format"]
    check_rank("input", input, rank)
    w_shape = _shape_input(filter_sizes, rank, "filter_sizes")
    x, dy = _computable(input, data_format), _computable(out_backprop, data_format)
    groups = _groups(x.shape[-1], w_shape[-2], w_shape[-1])
    win = _windows(x.shape, w_shape[:-2], attrs)
    check_grad_shape("out_backprop", dy, (x.shape[0], *win.out_sizes, w_shape[-1]))
    dw = _per_group(conv_backprop_filter, x, dy, groups, win, w_shape[:-2])
    return (dw.astype(input.dtype, copy=False),)


for _op_type in ("Conv2D", "Conv3D"):
    register_kernel(_op_type)(_conv)
for _op_type in ("Conv2DBackpropInput", "Conv3DBackpropInputV2"):
    register_kernel(_op_type)(_conv_backprop_input)
for _op_type in ("Conv2DBackpropFilter", "Conv3DBackpropFilterV2"):
    register_kernel(_op_type)(_conv_backprop_filter)

# TF's deprecated first forms of the 3-D backprops take a tensor shaped like the
# input (filter) in place of its shape; they are NDHWC only.


@register_kernel("Conv3DBackpropInput")
def conv3d_backprop_input_v1(input, filter, out_backprop, **attrs):
    shape = np.asarray(input.shape, np.int64)
    return _conv_backprop_input(shape, filter, out_backprop, data_format="NDHWC", **attrs)


@register_kernel("Conv3DBackpropFilter")
def conv3d_backprop_filter_v1(input, filter, out_backprop, **attrs):
    shape = np.asarray(filter.shape, np.int64)
    return _conv_backprop_filter(input, shape, out_backprop, data_format="NDHWC", **attrs)


def _check_multiplier(in_depth: int, filter_depth: int) -> None:
    if in_depth != filter_depth:
        raise InvalidArgumentError(
            None,
            None,
            f"input and filter must have the same depth: {in_depth} vs {filter_depth}",
        )


@register_kernel("DepthwiseConv2dNative")
def depthwise_conv2d_native(input, filter, finish=None, **attrs):
    """The ``DepthwiseConv2dNative`` kernel; ``finish`` is an epilogue (:func:`conv_forward`)."""
    check_rank("input", input, 4)
    check_rank("filter", filter, 4)
    data_format = attrs["data_format"]
    x, w = _computable(input, data_format), _computable(filter)
    _check_multiplier(x.shape[-1], w.shape[-2])
    out = depthwise_forward(x, w, _windows(x.shape, w.shape[:2], attrs), finish)
    return (channels_first(out, data_format).astype(input.dtype, copy=False),)


@register_kernel("DepthwiseConv2dNativeBackpropInput")
def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, **attrs):
    data_format = attrs["data_format"]
    x_shape = _shape_input(input_sizes, 4, "input_sizes", data_format)
    check_rank("filter", filter, 4)
    w, dy = _computable(filter), _computable(out_backprop, data_format)
    _check_multiplier(x_shape[-1], w.shape[-2])
    win = _windows(x_shape, w.shape[:2], attrs)
    check_grad_shape("out_backprop", dy, (x_shape[0], *win.out_sizes, w.shape[-2] * w.shape[-1]))
    dx = depthwise_backprop_input(dy, w, win)
    return (channels_first(dx, data_format).astype(filter.dtype, copy=False),)


@register_kernel("DepthwiseConv2dNativeBackpropFilter")
def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, **attrs):
    check_rank("input", input, 4)
    w_shape = _shape_input(filter_sizes, 4, "filter_sizes")
    data_format = attrs["data_format"]
    x, dy = _computable(input, data_format), _computable(out_backprop, data_format)
    _check_multiplier(x.shape[-1], w_shape[2])
    win = _windows(x.shape, w_shape[:2], attrs)
    check_grad_shape("out_backprop", dy, (x.shape[0], *win.out_sizes, w_shape[2] * w_shape[3]))
    dw = depthwise_backprop_filter(x, dy, win, w_shape[:2])
    return (dw.astype(input.dtype, copy=False),)
