"""Mel-scale features of ``tf.signal``: the matrix that maps a linear-frequency
spectrogram to mel bands, and MFCCs from log-mel spectrograms, built from ops as TF
builds them (HTK's mel scale, ``1127 ln(1 + f / 700)``).
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..scopes import name_scope
from . import array_ops, math_ops
from .constant_value import constant_value
from .core import convert_to_tensor
from .spectral_ops import dct, frame

__all__ = ["linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms"]

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies: Tensor) -> Tensor:
    return _MEL_HIGH_FREQUENCY_Q * math_ops.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def _check_arguments(num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype):
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError(
            f"lower_edge_hertz {lower_edge_hertz:.1f} >= upper_edge_hertz {upper_edge_hertz:.1f}"
        )
    if not isinstance(sample_rate, Tensor):
        if sample_rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
        if upper_edge_hertz > sample_rate / 2:
            raise ValueError(
                "upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate "
                f"/ 2). Got {upper_edge_hertz} for sample_rate: {sample_rate}"
            )
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Got: {dtype!r}")


def linear_to_mel_weight_matrix(
    num_mel_bins=20,
    num_spectrogram_bins=129,
    sample_rate=8000,
    lower_edge_hertz=125.0,
    upper_edge_hertz=3800.0,
    dtype=dtypes.float32,
    name=None,
) -> Tensor:
    """The ``[num_spectrogram_bins, num_mel_bins]`` matrix of triangular mel filters:
    a magnitude spectrogram times it is a mel spectrogram.

    Parameters
    ----------
    num_mel_bins : int
        The mel bands, evenly spaced on the mel scale between the edges.
    num_spectrogram_bins : int
        The frequencies of the spectrogram, from 0 to the Nyquist frequency
        (``fft_length // 2 + 1`` of an STFT).
    sample_rate : number or scalar tensor
    lower_edge_hertz, upper_edge_hertz : float
        The lowest and highest frequencies the bands cover.
    dtype : a floating dtype

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     weights = linear_to_mel_weight_matrix(4, 9, 16000, 100.0, 7000.0)
    ...     values = tf.compat.v1.Session().run(weights)
    >>> weights.shape.as_list(), bool(values[0].max() == 0.0), bool(values.max() <= 1.0)
    ([9, 4], True, True)
    """
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "linear_to_mel_weight_matrix") as scope:
        if isinstance(sample_rate, Tensor):
            static_rate = constant_value(sample_rate)
            if static_rate is not None:
                sample_rate = static_rate
        _check_arguments(num_mel_bins, sample_rate, lower_edge_hertz, upper_edge_hertz, dtype)
        sample_rate = math_ops.cast(sample_rate, dtype, name="sample_rate")
        lower_edge_hertz = convert_to_tensor(lower_edge_hertz, dtype, name="lower_edge_hertz")
        upper_edge_hertz = convert_to_tensor(upper_edge_hertz, dtype, name="upper_edge_hertz")
        zero = convert_to_tensor(0.0, dtype)
        # The DC bin gets no weight: it carries no information on the mel bands.
        linear = math_ops.linspace(zero, sample_rate / 2.0, num_spectrogram_bins)[1:]
        spectrogram_mel = array_ops.expand_dims(_hertz_to_mel(linear), 1)
        edges = math_ops.linspace(
            _hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2
        )
        lower, center, upper = (
            array_ops.reshape(t, [1, num_mel_bins])
            for t in array_ops.split(frame(edges, frame_length=3, frame_step=1), 3, axis=1)
        )
        rising = (spectrogram_mel - lower) / (center - lower)
        falling = (upper - spectrogram_mel) / (upper - center)
        weights = math_ops.maximum(zero, math_ops.minimum(rising, falling))
        return array_ops.pad(weights, [[1, 0], [0, 0]], name=scope)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None) -> Tensor:
    """Mel-frequency cepstral coefficients: the type II DCT of log-mel spectrograms
    (``[..., num_mel_bins]``) times ``1 / sqrt(2 num_mel_bins)``, as HTK scales it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     mfccs = mfccs_from_log_mel_spectrograms(tf.ones([2, 5, 8]))
    ...     values = tf.compat.v1.Session().run(mfccs)
    >>> mfccs.shape.as_list(), float(values[0, 0, 0]), bool(abs(values[..., 1:]).max() < 1e-6)
    ([2, 5, 8], 4.0, True)
    """
    with name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        log_mel_spectrograms = convert_to_tensor(log_mel_spectrograms)
        shape = log_mel_spectrograms.shape
        last = shape.as_list()[-1] if shape.rank else None
        if last is not None:
            if last == 0:
                raise ValueError(f"num_mel_bins must be positive. Got: {log_mel_spectrograms}")
            num_mel_bins = last
        else:
            num_mel_bins = array_ops.shape(log_mel_spectrograms)[-1]
        dct2 = dct(log_mel_spectrograms, type=2)
        return dct2 * math_ops.rsqrt(math_ops.cast(num_mel_bins, dct2.dtype) * 2.0)
