"""Kernels of the FFT ops: ``FFT``/``IFFT`` (1-D, 2-D, 3-D, over the innermost axes of a
complex tensor) and ``RFFT``/``IRFFT`` (real signals and their half spectra), by
``numpy.fft`` at the input's precision.

As TF's kernels, ``RFFT`` crops or zero-pads each transformed axis of its input to
``fft_length``, and ``IRFFT`` crops or zero-pads its input to ``fft_length`` (the
innermost axis to ``fft_length[-1] // 2 + 1``) and ignores the imaginary parts of the
bins that must be real. A transform of length 0 (an empty tensor) gives zeros.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel

_COMPLEX = {
    "FFT": np.fft.fftn,
    "IFFT": np.fft.ifftn,
}
_SUFFIXES = {1: "", 2: "2D", 3: "3D"}


def _lengths(fft_length: np.ndarray, rank: int) -> tuple:
    if fft_length.shape != (rank,):
        raise InvalidArgumentError(
            None, None, f"fft_length must have shape [{rank}], got {list(fft_length.shape)}"
        )
    if (fft_length < 0).any():
        raise InvalidArgumentError(
            None, None, f"fft_length must be non-negative, got {fft_length.tolist()}"
        )
    return tuple(int(n) for n in fft_length)


def _fitted(values: np.ndarray, lengths: tuple) -> np.ndarray:
    """``values`` cropped or zero-padded on its innermost axes to ``lengths``."""
    rank = len(lengths)
    outer = values.shape[: values.ndim - rank]
    kept = tuple(slice(0, n) for n in lengths)
    values = values[(..., *kept)]
    padding = [(0, 0)] * len(outer) + [
        (0, n - have) for n, have in zip(lengths, values.shape[-rank:])
    ]
    return np.pad(values, padding) if any(after for _, after in padding) else values


def _complex_kernel(transform, rank: int):
    axes = tuple(range(-rank, 0))

    def kernel(input, *, Tcomplex):
        if input.size == 0:
            return (np.zeros(input.shape, input.dtype),)
        return (transform(input, axes=axes).astype(input.dtype, copy=False),)

    return kernel


def _rfft_kernel(rank: int):
    axes = tuple(range(-rank, 0))

    def kernel(input, fft_length, *, Treal, Tcomplex):
        lengths = _lengths(fft_length, rank)
        dtype = Tcomplex.as_numpy_dtype
        out_shape = (*input.shape[: input.ndim - rank], *lengths[:-1], lengths[-1] // 2 + 1)
        if 0 in lengths or 0 in out_shape:
            return (np.zeros(out_shape, dtype),)
        signal = _fitted(input, lengths)
        return (np.fft.rfftn(signal, axes=axes).astype(dtype, copy=False),)

    return kernel


def _irfft_kernel(rank: int):
    axes = tuple(range(-rank, 0))

    def kernel(input, fft_length, *, Treal, Tcomplex):
        lengths = _lengths(fft_length, rank)
        dtype = Treal.as_numpy_dtype
        out_shape = input.shape[: input.ndim - rank] + lengths
        if 0 in out_shape:
            return (np.zeros(out_shape, dtype),)
        spectrum = _fitted(input, (*lengths[:-1], lengths[-1] // 2 + 1))
        real = np.fft.irfftn(spectrum, s=lengths, axes=axes)
        return (real.astype(dtype, copy=False),)

    return kernel


for _rank, _suffix in _SUFFIXES.items():
    for _name, _transform in _COMPLEX.items():
        register_kernel(_name + _suffix)(_complex_kernel(_transform, _rank))
    register_kernel("RFFT" + _suffix)(_rfft_kernel(_rank))
    register_kernel("IRFFT" + _suffix)(_irfft_kernel(_rank))
