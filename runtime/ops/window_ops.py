"""Window functions of ``tf.signal``: Hann, Hamming, Kaiser, Kaiser-Bessel-derived and
Vorbis windows, built from ops as TF builds them (so ``window_length`` may be a tensor).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..scopes import name_scope
from . import array_ops, math_ops
from .activation_ops import relu
from .constant_value import constant_value
from .control_flow_ops import cond
from .core import convert_to_tensor

__all__ = [
    "hamming_window",
    "hann_window",
    "kaiser_bessel_derived_window",
    "kaiser_window",
    "vorbis_window",
]


def _check_dtype(dtype) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype!r}")
    return dtype


def _length(window_length, name=None) -> Tensor:
    window_length = convert_to_tensor(window_length, dtype=dtypes.int32, name=name)
    window_length.shape.with_rank(0)
    return window_length


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / N)``.

    Parameters
    ----------
    window_length : int or scalar int32 tensor
    periodic : bool or scalar bool tensor
        ``N = window_length`` (for spectral analysis) rather than ``window_length - 1``
        (a symmetric window, for filter design).
    dtype : a floating dtype

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(hann_window(4)))
    [0.  0.5 1.  0.5]
    """
    return _raised_cosine(name, "hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """The Hamming window ``0.54 - 0.46 cos(2 pi n / N)`` (see :func:`hann_window`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.Session().run(hamming_window(3, periodic=False))
    >>> w.astype(float).round(6).tolist()
    [0.08, 1.0, 0.08]
    """
    return _raised_cosine(name, "hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def _raised_cosine(name, default_name, window_length, periodic, dtype, a, b) -> Tensor:
    dtype = _check_dtype(dtype)
    with name_scope(name, default_name, [window_length, periodic]):
        window_length = _length(window_length, "window_length")
        static_length = constant_value(window_length)
        if static_length == 1:
            return array_ops.ones([1], dtype=dtype)
        periodic = convert_to_tensor(periodic, dtype=dtypes.bool, name="periodic")
        periodic.shape.with_rank(0)
        periodic = math_ops.cast(periodic, dtypes.int32)
        even = 1 - math_ops.floormod(window_length, 2)
        n = math_ops.cast(window_length + periodic * even - 1, dtype)
        count = math_ops.cast(math_ops.range(window_length), dtype)
        cos_arg = convert_to_tensor(2 * np.pi, dtype=dtype) * count / n
        window = math_ops.cast(a - b * math_ops.cos(cos_arg), dtype)
        if static_length is not None:
            return window
        return cond(
            math_ops.equal(window_length, 1),
            lambda: array_ops.ones([window_length], dtype=dtype),
            lambda: window,
        )


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.Session().run(kaiser_window(5, beta=0.0))
    >>> w.tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    dtype = _check_dtype(dtype)
    with name_scope(name, "kaiser_window"):
        window_length = _length(window_length)
        if constant_value(window_length) == 1:
            return array_ops.ones([1], dtype=dtype)
        half = (math_ops.cast(window_length, dtypes.float32) - 1.0) / 2.0
        arg = math_ops.cast(math_ops.range(-half, half + 0.1, dtype=dtypes.float32), dtype)
        beta = math_ops.cast(beta, dtype)
        half = math_ops.cast(half, dtype)
        one = math_ops.cast(1.0, dtype)
        # I0(x) / I0(beta) as exp(x - beta) I0e(x) / I0e(beta): no overflow for large beta.
        num = beta * math_ops.sqrt(relu(one - math_ops.square(arg / half)))
        return math_ops.exp(num - beta) * (math_ops.bessel_i0e(num) / math_ops.bessel_i0e(beta))


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """The Kaiser-Bessel-derived window (for MDCTs): the square root of the cumulative
    Kaiser window of half the length, mirrored.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.Session().run(kaiser_bessel_derived_window(8))
    >>> bool(abs(w[:4] ** 2 + w[4:] ** 2 - 1).max() < 1e-6)  # Princen-Bradley
    True
    """
    dtype = _check_dtype(dtype)
    with name_scope(name, "kaiser_bessel_derived_window"):
        window_length = _length(window_length)
        kaiser = kaiser_window(window_length // 2 + 1, beta, dtype=dtype)
        cumulative = math_ops.cumsum(kaiser)
        half = math_ops.sqrt(cumulative[:-1] / cumulative[-1])
        return array_ops.concat([half, half[::-1]], axis=0)


def vorbis_window(window_length, dtype=dtypes.float32, name=None) -> Tensor:
    """The Vorbis power-complementary window ``sin(pi/2 sin^2(pi (n + 1/2) / N))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.Session().run(vorbis_window(8))
    >>> bool(abs(w[:4] ** 2 + w[4:] ** 2 - 1).max() < 1e-6)
    True
    """
    dtype = _check_dtype(dtype)
    with name_scope(name, "vorbis_window"):
        window_length = _length(window_length)
        arg = math_ops.cast(math_ops.range(window_length), dtype)
        inner = math_ops.sin(np.pi / math_ops.cast(window_length, dtype) * (arg + 0.5))
        return math_ops.sin(np.pi / 2.0 * math_ops.pow(inner, 2.0))
