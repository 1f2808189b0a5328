"""``tf.signal``: FFTs, framing, short-time and cosine transforms, windows and mel
features; and TF1's ``tf.spectral`` (:data:`spectral`), the FFTs and DCTs under their
older module name.

TF 2.x's N-dimensional ``fftnd`` family (added after the last TF1 release) is not here.
"""

import types

from .ops.mel_ops import linear_to_mel_weight_matrix, mfccs_from_log_mel_spectrograms
from .ops.signal_ops import (
    fft,
    fft2d,
    fft3d,
    fftshift,
    ifft,
    ifft2d,
    ifft3d,
    ifftshift,
    irfft,
    irfft2d,
    irfft3d,
    rfft,
    rfft2d,
    rfft3d,
)
from .ops.spectral_ops import (
    dct,
    frame,
    idct,
    inverse_mdct,
    inverse_stft,
    inverse_stft_window_fn,
    mdct,
    overlap_and_add,
    stft,
)
from .ops.window_ops import (
    hamming_window,
    hann_window,
    kaiser_bessel_derived_window,
    kaiser_window,
    vorbis_window,
)

__all__ = [
    "dct",
    "fft",
    "fft2d",
    "fft3d",
    "fftshift",
    "frame",
    "hamming_window",
    "hann_window",
    "idct",
    "ifft",
    "ifft2d",
    "ifft3d",
    "ifftshift",
    "inverse_mdct",
    "inverse_stft",
    "inverse_stft_window_fn",
    "irfft",
    "irfft2d",
    "irfft3d",
    "kaiser_bessel_derived_window",
    "kaiser_window",
    "linear_to_mel_weight_matrix",
    "mdct",
    "mfccs_from_log_mel_spectrograms",
    "overlap_and_add",
    "rfft",
    "rfft2d",
    "rfft3d",
    "stft",
    "vorbis_window",
]

_SPECTRAL = ("dct", "fft", "fft2d", "fft3d", "idct", "ifft", "ifft2d", "ifft3d")
_SPECTRAL += ("irfft", "irfft2d", "irfft3d", "rfft", "rfft2d", "rfft3d")
spectral = types.ModuleType(
    "runtime.compat.v1.spectral", "``tf.compat.v1.spectral``: TF1's name for the FFTs and DCTs."
)
spectral.__dict__.update({name: globals()[name] for name in _SPECTRAL})
