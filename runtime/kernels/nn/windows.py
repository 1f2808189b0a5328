"""Where the windows of a convolution or pooling op lie, and the slices that reach them.

Window ops here work on channels-last arrays ``[batch, *spatial, channels]`` with one
to three spatial axes; ``NC...`` layouts are moved to channels-last views on the way
in (:func:`channels_last`) and back on the way out (:func:`channels_first`).

Along one spatial axis a window of ``k`` taps spaced ``dilation`` apart covers
``(k - 1) * dilation + 1`` input cells, and window ``o`` starts at ``o * stride`` in the
padded input. So tap ``i`` of every window is one strided slice of the padded input,
``padded[i * dilation :: stride][:out]``: a kernel loops over the taps of a window
(9 for a 3x3 filter) and does array arithmetic on each slice, never a Python loop over
pixels. Padding follows TF's ``GetWindowedOutputSizeVerbose`` (:func:`window_geometry`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from ...errors import InvalidArgumentError, UnimplementedError
from ..array import pad_constant

TILE_BYTES = 2 << 20
"""Largest block of work a window kernel holds at once: a convolution's patches (the
im2col buffer) and output rows, a max-pool gradient's images. Blocks this size stay
in cache from one pass over them to the next: the small CNN's convolutions and
backprops ran 10-20 % faster than in 8 MB blocks, its max-pool gradient 20 % faster
than over the whole batch (measured)."""


def window_geometry(
    size: int, window: int, stride: int, padding: str, dilation: int = 1
) -> tuple[int, int, int]:
    """Output size and padding before/after of one spatial axis, as TF computes them.

    VALID keeps the windows that fit (C integer division, so a slightly too small
    input gives 0 windows, not a negative count); SAME gives ``ceil(size / stride)``
    windows and puts the odd padding element after the input. A dilated window
    spans ``(window - 1) * dilation + 1`` cells.

    Examples
    --------
    >>> window_geometry(5, 3, 2, "SAME"), window_geometry(5, 3, 2, "VALID")
    ((3, 1, 1), (2, 0, 0))
    >>> window_geometry(4, 3, 2, "SAME"), window_geometry(7, 3, 1, "VALID", dilation=2)
    ((2, 0, 1), (3, 0, 0))
    """
    span = (window - 1) * dilation + 1
    if padding == "VALID":
        return int((size - span + stride) / stride), 0, 0  # truncates toward zero like TF's C++
    out = (size + stride - 1) // stride
    needed = max(0, (out - 1) * stride + span - size)
    return out, needed // 2, needed - needed // 2


@dataclasses.dataclass(frozen=True)
class Windows:
    """The windows of one op over the spatial axes of a channels-last input.

    Attributes
    ----------
    in_sizes, ksize, strides, dilations, out_sizes : tuple of int
        One entry per spatial axis.
    pads : tuple of (before, after)
        The padding per spatial axis.

    Examples
    --------
    >>> win = Windows.of((5, 5), (3, 3), (2, 2), "SAME")
    >>> win.out_sizes, win.pads, win.padded_sizes
    ((3, 3), ((1, 1), (1, 1)), (7, 7))
    >>> win.tap_slices((2, 0))
    (slice(2, 7, 2), slice(0, 5, 2))
    """

    in_sizes: tuple
    ksize: tuple
    strides: tuple
    dilations: tuple
    out_sizes: tuple
    pads: tuple

    @classmethod
    def of(cls, in_sizes, ksize, strides, padding, dilations=None, explicit=None) -> Windows:
        """The windows TF lays out for ``padding`` ("SAME", "VALID" or "EXPLICIT").

        ``explicit`` holds the ``(before, after)`` pairs of each spatial axis for
        EXPLICIT padding. A negative output size is TF's ``InvalidArgumentError``.
        """
        rank = len(in_sizes)
        dilations = tuple(dilations or (1,) * rank)
        in_sizes, ksize, strides = tuple(map(int, in_sizes)), tuple(map(int, ksize)), tuple(strides)
        if padding == "EXPLICIT":
            pads = tuple((int(b), int(a)) for b, a in explicit)
            outs = tuple(
                (n + b + a - (k - 1) * d - 1) // s + 1
                for n, (b, a), k, s, d in zip(in_sizes, pads, ksize, strides, dilations)
            )
        else:
            geometry = [
                window_geometry(n, k, s, padding, d)
                for n, k, s, d in zip(in_sizes, ksize, strides, dilations)
            ]
            outs = tuple(out for out, _, _ in geometry)
            pads = tuple((before, after) for _, before, after in geometry)
        for out, n, k, s, d in zip(outs, in_sizes, ksize, strides, dilations):
            if out < 0:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Computed output size would be negative: {out} [input_size: {n}, "
                    f"effective_filter_size: {(k - 1) * d + 1}, stride: {s}]",
                )
        return cls(in_sizes, ksize, strides, dilations, outs, pads)

    @property
    def rank(self) -> int:
        return len(self.in_sizes)

    @property
    def taps(self) -> int:
        """Taps per window."""
        return math.prod(self.ksize)

    @property
    def padded_sizes(self) -> tuple:
        """The padded input's spatial sizes: what the slices of every tap index."""
        return tuple(b + n + a for n, (b, a) in zip(self.in_sizes, self.pads))

    @property
    def is_pointwise(self) -> bool:
        """Each output reads exactly the input cell at its own position (1x1, stride 1)."""
        return (
            all(k == 1 for k in self.ksize)
            and all(s == 1 for s in self.strides)
            and all(p == (0, 0) for p in self.pads)
        )

    @property
    def overlapping(self) -> bool:
        """Some input cell lies in more than one window."""
        return any(s < (k - 1) * d + 1 for k, s, d in zip(self.ksize, self.strides, self.dilations))

    def all_taps(self):
        """Every tap of a window as a tuple of per-axis indices, in row-major order."""
        return itertools.product(*(range(k) for k in self.ksize))

    def tap_slices(self, tap, first: int = 0, count: int | None = None) -> tuple:
        """Slices of the padded input that tap ``tap`` of every window reads.

        ``first`` and ``count`` restrict the first spatial axis to the windows
        ``first .. first + count - 1`` (a block of output rows).
        """
        slices = []
        for axis, (i, s, d, out) in enumerate(
            zip(tap, self.strides, self.dilations, self.out_sizes)
        ):
            start, n = i * d, out
            if axis == 0:
                start += first * s
                n = out - first if count is None else count
            slices.append(slice(start, start + (n - 1) * s + 1, s))
        return tuple(slices)

    def interior(self) -> tuple:
        """Slices of the padded array that hold the unpadded input."""
        return tuple(slice(b, b + n) for n, (b, _) in zip(self.in_sizes, self.pads))

    def window_counts(self) -> np.ndarray:
        """How many real (unpadded) input cells each window covers, ``[*out_sizes]``."""
        counts = None
        for n, (before, _), k, s, d, out in zip(
            self.in_sizes, self.pads, self.ksize, self.strides, self.dilations, self.out_sizes
        ):
            starts = np.arange(out) * s - before
            taps = np.arange(k) * d
            inside = (starts[:, None] + taps >= 0) & (starts[:, None] + taps < n)
            axis_counts = inside.sum(axis=1)
            counts = axis_counts if counts is None else np.multiply.outer(counts, axis_counts)
        return counts


def pad_spatial(x: np.ndarray, win: Windows, fill=0) -> np.ndarray:
    """``x`` (channels-last) padded on its spatial axes as ``win`` says, filled with ``fill``."""
    if all(p == (0, 0) for p in win.pads):
        return x
    return pad_constant(x, [(0, 0), *win.pads, (0, 0)], fill)


def channels_last(x: np.ndarray, data_format: str) -> np.ndarray:
    """A channels-last view of ``x`` given in ``data_format`` (``NHWC``, ``NCDHW`` ...)."""
    return np.moveaxis(x, 1, -1) if data_format.startswith("NC") else x


def channels_first(x: np.ndarray, data_format: str) -> np.ndarray:
    """A channels-last result back in ``data_format``, as one contiguous array."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if data_format.startswith("NC") else x


def spatial_of(values, data_format: str) -> tuple:
    """The spatial entries of a per-dimension list (``strides``, ``ksize``, a shape)."""
    values = tuple(int(v) for v in values)
    return values[2:] if data_format.startswith("NC") else values[1:-1]


def channel_of(values, data_format: str) -> int:
    """The channel entry of a per-dimension list."""
    return int(values[1] if data_format.startswith("NC") else values[-1])


def explicit_pairs(explicit_paddings, data_format: str) -> list:
    """TF's flat ``explicit_paddings`` attr as ``(before, after)`` per spatial axis."""
    pairs = list(zip(explicit_paddings[::2], explicit_paddings[1::2]))
    return pairs[2:] if data_format.startswith("NC") else pairs[1:-1]


def check_spatial_only(attrs: dict, names=("strides", "dilations")) -> None:
    """TF's ``UnimplementedError`` for strides or dilations across the batch or channels."""
    data_format = attrs.get("data_format", "NHWC")
    for name in names:
        values = attrs.get(name)
        if values is None:
            continue
        channel = values[1] if data_format.startswith("NC") else values[-1]
        if values[0] != 1 or channel != 1:
            raise UnimplementedError(
                None,
                None,
                f"Current implementation does not yet support {name} in the batch and depth "
                "dimensions.",
            )


def check_rank(name: str, array: np.ndarray, rank: int) -> None:
    """``InvalidArgumentError`` unless ``array`` has ``rank`` dimensions."""
    if array.ndim != rank:
        raise InvalidArgumentError(
            None, None, f"{name} must be {rank}-dimensional, got shape {list(array.shape)}"
        )


def check_grad_shape(name: str, grad: np.ndarray, expected: tuple) -> None:
    """A backward kernel's incoming gradient must be shaped like its forward op's output."""
    if grad.shape != tuple(expected):
        raise InvalidArgumentError(
            None,
            None,
            f"{name} has shape {list(grad.shape)}, but the forward op's output has shape "
            f"{list(expected)}",
        )
