"""Framing and spectral transforms of ``tf.signal``, built from ops as TF builds them:
``frame`` and ``overlap_and_add``, the short-time Fourier transform (``stft``,
``inverse_stft``, ``inverse_stft_window_fn``), the modified DCT (``mdct``,
``inverse_mdct``) and the DCTs of types I-IV (``dct``, ``idct``).

Lengths may be tensors known only when the graph runs; static shapes are inferred as
TF infers them. Gradients flow through the ops these are made of (``frame`` is a
gather, ``overlap_and_add`` a segment sum, the transforms FFTs).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_value import constant_value
from .core import convert_to_tensor
from .signal_ops import irfft, rfft
from .window_ops import hann_window, vorbis_window

__all__ = [
    "dct",
    "frame",
    "idct",
    "inverse_mdct",
    "inverse_stft",
    "inverse_stft_window_fn",
    "mdct",
    "overlap_and_add",
    "stft",
]


def _scalar(value, name: str) -> Tensor:
    tensor = convert_to_tensor(value, name=name)
    tensor.shape.with_rank(0)
    return tensor


def _static(tensor: Tensor):
    value = constant_value(tensor)
    return None if value is None else int(value)


# -- framing ----------------------------------------------------------------------------


def _frame_shape(signal: Tensor, frame_length, frame_step, pad_end: bool, axis):
    """The static shape of ``frame``'s result (TF's ``_infer_frame_shape``)."""
    if signal.shape.rank is None:
        return TensorShape(None)
    if axis is None:
        return TensorShape([None] * (signal.shape.rank + 1))
    dims = signal.shape.as_list()
    samples = dims[axis]
    frames = None
    if samples is not None and frame_step is not None:
        if pad_end:
            frames = max(0, -(-samples // frame_step))
        elif frame_length is not None:
            frames = max(0, (samples - frame_length + frame_step) // frame_step)
    after = dims[axis:][1:]
    return TensorShape([*dims[:axis], frames, frame_length, *after])


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of ``frame_length`` samples, ``frame_step`` apart, along ``axis``.

    Parameters
    ----------
    signal : tensor of rank >= 1
    frame_length, frame_step : int or scalar int tensor
    pad_end : bool
        Pad the end with ``pad_value`` so every sample is in a frame; otherwise the
        samples after the last whole frame are dropped.
    axis : int or scalar int tensor
        The time axis; it becomes two, ``[num_frames, frame_length]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     frames = frame(tf.range(7), 3, 2)
    ...     padded = frame(tf.range(7), 3, 2, pad_end=True, pad_value=-1)
    ...     print(*tf.compat.v1.Session().run([frames, padded]), sep="\\n")
    [[0 1 2]
     [2 3 4]
     [4 5 6]]
    [[ 0  1  2]
     [ 2  3  4]
     [ 4  5  6]
     [ 6 -1 -1]]
    """
    with name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(1)
        frame_length = _scalar(frame_length, "frame_length")
        frame_step = _scalar(frame_step, "frame_step")
        axis = _scalar(axis, "axis")
        static_axis = _static(axis)
        result_shape = _frame_shape(
            signal, _static(frame_length), _static(frame_step), pad_end, static_axis
        )
        if static_axis is not None:
            axis = static_axis
        length = array_ops.shape(signal, out_type=frame_length.dtype)[axis]
        if pad_end:
            pad_value = convert_to_tensor(pad_value, dtype=signal.dtype.base_dtype)
            pad_value.shape.with_rank(0)
            num_frames = -(-length // frame_step)
            missing = math_ops.maximum(0, frame_length + frame_step * (num_frames - 1) - length)
            signal = _pad_axis(signal, axis, missing, pad_value)
            length = length + missing
        else:
            zero = convert_to_tensor(0, dtype=frame_length.dtype)
            num_frames = math_ops.maximum(zero, 1 + (length - frame_length) // frame_step)
        # Only the samples some frame holds (the slice also gives a dense gradient, as TF's).
        used = math_ops.maximum(0, frame_step * (num_frames - 1) + frame_length)
        signal = _slice_axis(signal, axis, math_ops.minimum(used, length))
        starts = array_ops.reshape(math_ops.range(num_frames) * frame_step, [-1, 1])
        offsets = array_ops.reshape(math_ops.range(frame_length), [1, -1])
        frames = array_ops.gather(signal, starts + offsets, axis=axis)
        frames.set_shape(result_shape)
        return frames


def _slice_axis(signal: Tensor, axis, count: Tensor) -> Tensor:
    """The first ``count`` entries of ``signal`` along ``axis``."""
    rank = array_ops.rank(signal)
    axis = math_ops.floormod(axis, rank)
    size = array_ops.one_hot(axis, rank, on_value=count, off_value=-1, dtype=count.dtype)
    return array_ops.slice(signal, array_ops.zeros_like(size), size)


def _pad_axis(signal: Tensor, axis, amount: Tensor, pad_value: Tensor) -> Tensor:
    """``signal`` with ``amount`` values ``pad_value`` appended along ``axis``."""
    rank = array_ops.rank(signal)
    axis = math_ops.floormod(axis, rank)
    after = array_ops.one_hot(axis, rank, dtype=amount.dtype) * amount
    paddings = array_ops.stack([array_ops.zeros_like(after), after], axis=1)
    return array_ops.pad(signal, paddings, constant_values=pad_value)


def overlap_and_add(signal, frame_step, name=None) -> Tensor:
    """The frames of ``signal`` (``[..., frames, frame_length]``) added up,
    ``frame_step`` samples apart: the inverse of :func:`frame`'s splitting.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     added = overlap_and_add([[1, 1, 1], [10, 10, 10]], 2)
    ...     print(tf.compat.v1.Session().run(added))
    [ 1  1 11 10 10]
    """
    with name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = convert_to_tensor(signal, name="signal")
        signal.shape.with_rank_at_least(2)
        frame_step = _scalar(frame_step, "frame_step")
        if not frame_step.dtype.is_integer:
            raise ValueError(f"frame_step must be an integer. Got {frame_step.dtype!r}")
        static_step = _static(frame_step)
        shape = array_ops.shape(signal, out_type=frame_step.dtype)
        frames, frame_length = shape[-2], shape[-1]
        output_length = frame_length + frame_step * (frames - 1)
        rank = array_ops.rank(signal)
        # Frames and samples first, so that one segment sum over them adds the overlaps.
        moved = array_ops.transpose(
            signal, array_ops.concat([[rank - 2, rank - 1], math_ops.range(rank - 2)], 0)
        )
        starts = array_ops.reshape(math_ops.range(frames) * frame_step, [-1, 1])
        positions = starts + array_ops.reshape(math_ops.range(frame_length), [1, -1])
        summed = math_ops.unsorted_segment_sum(moved, positions, output_length)
        result = array_ops.transpose(
            summed, array_ops.concat([math_ops.range(1, rank - 1), [0]], 0)
        )
        result.set_shape(_overlap_shape(signal.shape, static_step))
        return result


def _overlap_shape(shape: TensorShape, step) -> TensorShape:
    if shape.rank is None:
        return TensorShape(None)
    *outer, frames, length = shape.as_list()
    known = None not in (frames, length, step)
    return TensorShape([*outer, length + step * (frames - 1) if known else None])


# -- the short-time Fourier transform -----------------------------------------------------


def _enclosing_power_of_two(value: Tensor) -> Tensor:
    static = _static(value)
    if static is not None:
        return convert_to_tensor(int(2 ** math.ceil(math.log2(static))), dtype=value.dtype)
    exponent = math_ops.ceil(math_ops.log(math_ops.cast(value, dtypes.float32)) / math.log(2.0))
    return math_ops.cast(math_ops.pow(2.0, exponent), value.dtype)


def stft(
    signals,
    frame_length,
    frame_step,
    fft_length=None,
    window_fn=hann_window,
    pad_end=False,
    name=None,
):
    """The short-time Fourier transform: windowed frames, each through :func:`rfft`.

    Parameters
    ----------
    signals : float tensor ``[..., samples]``
    frame_length, frame_step : int or scalar int tensor
    fft_length : int or scalar int tensor, optional
        Default: the smallest power of 2 that holds a frame.
    window_fn : callable, optional
        ``window_fn(frame_length, dtype=...)``; ``None`` for no window.
    pad_end : bool
        Pad the signal's end so every sample is in a frame.

    Returns
    -------
    complex tensor ``[..., frames, fft_length // 2 + 1]``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     spectrogram = stft(tf.zeros([2, 1000]), frame_length=200, frame_step=100)
    >>> spectrogram.shape.as_list(), spectrogram.dtype
    ([2, 9, 129], tf.complex64)
    """
    with name_scope(name, "stft", [signals, frame_length, frame_step]):
        signals = convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = _scalar(frame_length, "frame_length")
        frame_step = _scalar(frame_step, "frame_step")
        if fft_length is None:
            fft_length = _enclosing_power_of_two(frame_length)
        else:
            fft_length = convert_to_tensor(fft_length, name="fft_length")
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed *= window_fn(frame_length, dtype=framed.dtype)
        return rfft(framed, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """The window that makes :func:`inverse_stft` invert :func:`stft` with
    ``forward_window_fn``: the forward window over the sum of its overlapping squares.

    Returns
    -------
    callable ``(frame_length, dtype) -> Tensor``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     window = inverse_stft_window_fn(2)(4, dtype=tf.float32)
    ...     print(tf.compat.v1.Session().run(window))
    [0. 1. 1. 1.]
    """

    def inverse_window(frame_length, dtype):
        with name_scope(name, "inverse_stft_window_fn", [forward_window_fn]):
            step = _scalar(frame_step, "frame_step")
            frame_length = _scalar(frame_length, "frame_length")
            forward = forward_window_fn(frame_length, dtype=dtype)
            overlaps = -(-frame_length // step)
            squares = array_ops.pad(math_ops.square(forward), [[0, overlaps * step - frame_length]])
            summed = math_ops.reduce_sum(
                array_ops.reshape(squares, [overlaps, step]), 0, keepdims=True
            )
            denominator = array_ops.reshape(
                array_ops.tile(summed, [overlaps, 1]), [overlaps * step]
            )[:frame_length]
            return math_ops.where(
                math_ops.equal(denominator, 0.0),
                array_ops.zeros_like(forward),
                forward / denominator,
            )

    return inverse_window


def inverse_stft(
    stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window, name=None
):
    """The signal whose :func:`stft` ``stfts`` is: each frame through :func:`irfft`,
    windowed by ``window_fn``, overlapped and added.

    For perfect reconstruction give ``window_fn=inverse_stft_window_fn(frame_step)``.

    Examples
    --------
    >>> import numpy as np, runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(np.sin(np.arange(64) / 3.0), tf.float32)
    ...     spectrum = stft(x, 16, 4)
    ...     back = inverse_stft(spectrum, 16, 4, window_fn=inverse_stft_window_fn(4))
    ...     x_value, back_value = tf.compat.v1.Session().run([x, back])
    >>> bool(abs(x_value[12:-12] - back_value[12:52]).max() < 1e-5)
    True
    """
    with name_scope(name, "inverse_stft", [stfts]):
        stfts = convert_to_tensor(stfts, name="stfts")
        stfts.shape.with_rank_at_least(2)
        frame_length = _scalar(frame_length, "frame_length")
        frame_step = _scalar(frame_step, "frame_step")
        if fft_length is None:
            fft_length = _enclosing_power_of_two(frame_length)
        else:
            fft_length = _scalar(fft_length, "fft_length")
        frames = _fit_last(irfft(stfts, [fft_length]), frame_length)
        if window_fn is not None:
            frames *= window_fn(frame_length, dtype=stfts.dtype.real_dtype)
        return overlap_and_add(frames, frame_step)


def _fit_last(frames: Tensor, length: Tensor) -> Tensor:
    """``frames`` cropped or zero-padded on the innermost axis to ``length``."""
    static = _static(length)
    have = frames.shape.as_list()[-1] if frames.shape.rank is not None else None
    if static is not None and have is not None:
        if have > static:
            return frames[..., :static]
        if have < static:
            return array_ops.pad(frames, [[0, 0]] * (frames.shape.rank - 1) + [[0, static - have]])
        return frames
    frames = frames[..., :length]
    missing = math_ops.maximum(0, length - array_ops.shape(frames, out_type=length.dtype)[-1])
    fitted = _pad_axis(frames, -1, missing, convert_to_tensor(0, dtype=frames.dtype))
    if static is not None and fitted.shape.rank is not None:
        fitted.set_shape([None] * (fitted.shape.rank - 1) + [static])
    return fitted


# -- the modified discrete cosine transform -------------------------------------------------


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """The modified DCT of frames of ``frame_length`` samples (a multiple of 4), half a
    frame apart: ``frame_length // 2`` coefficients per frame.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     coefficients = mdct(tf.zeros([3, 64]), 16)
    >>> coefficients.shape.as_list()
    [3, 7, 8]
    """
    with name_scope(name, "mdct", [signals, frame_length]):
        signals = convert_to_tensor(signals, name="signals")
        signals.shape.with_rank_at_least(1)
        frame_length = _scalar(frame_length, "frame_length")
        static = _static(frame_length)
        if static is not None and static % 4 != 0:
            raise ValueError("The frame length must be a multiple of 4.")
        frame_step = frame_length // 2
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed *= window_fn(frame_length, dtype=framed.dtype)
        else:
            framed *= 1.0 / np.sqrt(2)
        a, b, c, d = array_ops.split(framed, 4, axis=-1)
        rearranged = array_ops.concat(
            [-array_ops.reverse(c, [-1]) - d, a - array_ops.reverse(b, [-1])], axis=-1
        )
        return dct(rearranged, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None) -> Tensor:
    """The signal whose :func:`mdct` ``mdcts`` is (exactly, for a window satisfying
    Princen-Bradley such as the Vorbis or KBD windows).

    Examples
    --------
    >>> import numpy as np, runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(np.cos(np.arange(64) / 5.0), tf.float32)
    ...     back = inverse_mdct(mdct(x, 16))
    ...     x_value, back_value = tf.compat.v1.Session().run([x, back])
    >>> bool(abs(x_value[8:-8] - back_value[8:56]).max() < 1e-5)
    True
    """
    with name_scope(name, "inverse_mdct", [mdcts]):
        mdcts = convert_to_tensor(mdcts, name="mdcts")
        mdcts.shape.with_rank_at_least(2)
        half_len = _innermost_length(mdcts)
        if norm is None:
            scale = 0.5 / math_ops.cast(half_len, mdcts.dtype)
            idct4 = scale * dct(mdcts, type=4)
        else:
            idct4 = dct(mdcts, type=4, norm=norm)
        first, second = array_ops.split(idct4, 2, axis=-1)
        frames = array_ops.concat(
            [
                second,
                -array_ops.reverse(second, [-1]),
                -array_ops.reverse(first, [-1]),
                -first,
            ],
            axis=-1,
        )
        if window_fn is not None:
            frames *= window_fn(2 * half_len, dtype=mdcts.dtype)
        else:
            frames *= 1.0 / np.sqrt(2)
        return overlap_and_add(frames, half_len)


def _innermost_length(tensor: Tensor) -> Tensor:
    static = tensor.shape.as_list()[-1] if tensor.shape.rank is not None else None
    if static is not None:
        return convert_to_tensor(static, dtype=dtypes.int32)
    return array_ops.shape(tensor)[-1]


# -- discrete cosine transforms -----------------------------------------------------------


def _check_dct_arguments(input, dct_type, n, axis, norm) -> None:
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if dct_type not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if dct_type == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        shape = getattr(input, "shape", None)
        last = None if shape is None or not shape or shape.rank is None else shape.as_list()[-1]
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def dct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:
    """The discrete cosine transform of type I, II (the default), III or IV over the
    innermost axis, computed through :func:`rfft` (or :func:`irfft`).

    Parameters
    ----------
    input : float32 or float64 tensor
    type : 1, 2, 3 or 4
    n : int, optional
        Crop or zero-pad the innermost axis to ``n`` first.
    axis : int
        Only -1, as TF.
    norm : None or "ortho"
        ``"ortho"`` makes types II-IV orthonormal (type I has none).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     coefficients = tf.compat.v1.Session().run(dct([1.0, 2.0, 3.0, 4.0]))
    >>> coefficients.astype(float).round(4).tolist()
    [20.0, -6.3086, 0.0, -0.4483]
    """
    _check_dct_arguments(input, type, n, axis, norm)
    return _dct(input, type, n, norm, name)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:
    """The inverse of :func:`dct` of the same type and ``norm``, up to the scale
    ``1 / (2 N)`` without ``norm`` (TF's: types II and III are each other's inverse).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 2.0, 3.0])
    ...     back = idct(dct(x, norm="ortho"), norm="ortho")
    ...     print(tf.compat.v1.Session().run(back).round(5))
    [1. 2. 3.]
    """
    _check_dct_arguments(input, type, n, axis, norm)
    return _dct(input, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm, name)


def _dct(input, dct_type: int, n, norm, name) -> Tensor:
    with name_scope(name, "dct", [input]):
        input = convert_to_tensor(input)
        zero = convert_to_tensor(0.0, dtype=input.dtype)
        if n is not None:
            input = _fit_last(input, convert_to_tensor(n))
        length = _innermost_length(input)
        length_float = math_ops.cast(length, input.dtype)
        if dct_type == 1:
            mirrored = array_ops.concat([input, input[..., -2:0:-1]], axis=-1)
            return math_ops.real(rfft(mirrored))
        if dct_type == 2:
            angles = -math_ops.range(length_float) * math.pi * 0.5 / length_float
            scale = 2.0 * math_ops.exp(math_ops.complex(zero, angles))
            spectrum = rfft(input, fft_length=[2 * length])[..., :length]
            result = math_ops.real(spectrum * scale)
            if norm == "ortho":
                first = 0.5 * math_ops.rsqrt(length_float)
                result *= _ortho_weights(length, first, first * math.sqrt(2.0))
            return result
        if dct_type == 3:
            if norm == "ortho":
                first = math_ops.sqrt(length_float)
                input *= _ortho_weights(length, first, first * math.sqrt(0.5))
            else:
                input *= length_float
            angles = math_ops.range(length_float) * math.pi * 0.5 / length_float
            scale = 2.0 * math_ops.exp(math_ops.complex(zero, angles))
            full = irfft(scale * math_ops.complex(input, zero), fft_length=[2 * length])
            return math_ops.real(full)[..., :length]
        # Type IV: the odd coefficients of the type II DCT of the signal padded to 2N.
        doubled = _dct(_fit_last(input, 2 * length), 2, None, None, None)
        result = doubled[..., 1::2]
        if norm == "ortho":
            result *= math.sqrt(0.5) * math_ops.rsqrt(length_float)
        return result


def _ortho_weights(length: Tensor, first: Tensor, rest: Tensor) -> Tensor:
    """``[first, rest, rest, ...]``, ``length`` long: the orthonormal scales."""
    return array_ops.pad(array_ops.expand_dims(first, 0), [[0, length - 1]], constant_values=rest)
