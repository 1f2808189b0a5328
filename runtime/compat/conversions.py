"""``tf.compat``'s helpers: bytes and text, paths, dimension values, forward compatibility.

Examples
--------
>>> import runtime as tf
>>> tf.compat.as_bytes("héllo"), tf.compat.as_text(b"h\\xc3\\xa9llo")
(b'h\\xc3\\xa9llo', 'héllo')
>>> tf.compat.dimension_value(tf.compat.dimension_at_index(tf.TensorShape([3, None]), 0))
3
"""

from __future__ import annotations

import contextlib
import datetime
import numbers
import os

import numpy as np

from ..dimension import Dimension
from ..shapes import as_shape

__all__ = [
    "as_bytes",
    "as_str",
    "as_str_any",
    "as_text",
    "bytes_or_text_types",
    "complex_types",
    "dimension_at_index",
    "dimension_value",
    "forward_compatibility_horizon",
    "forward_compatible",
    "integral_types",
    "path_to_str",
    "real_types",
]

bytes_or_text_types = (bytes, str)
integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)
complex_types = (numbers.Complex, np.number)


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """``bytes_or_text`` as bytes: text is encoded, bytes pass through.

    Raises
    ------
    TypeError
        For anything else, as TF does.

    Examples
    --------
    >>> as_bytes("a"), as_bytes(bytearray(b"b"))
    (b'a', b'b')
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """``bytes_or_text`` as text: bytes are decoded, text passes through.

    Examples
    --------
    >>> as_text(b"a"), as_str("b")
    ('a', 'b')
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding: str = "utf-8") -> str:
    """``str(value)``, decoding bytes rather than showing their ``repr``.

    Examples
    --------
    >>> as_str_any(b"a"), as_str_any(3)
    ('a', '3')
    """
    return as_str(value, encoding) if isinstance(value, bytes) else str(value)


def path_to_str(path):
    """A path-like object as a string; anything else unchanged.

    Examples
    --------
    >>> import pathlib
    >>> path_to_str(pathlib.Path("/tmp") / "x"), path_to_str(3)
    ('/tmp/x', 3)
    """
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def dimension_value(dimension):
    """A dimension's value: an ``int`` or ``None`` (TF1's ``Dimension`` objects unwrapped).

    Examples
    --------
    >>> dimension_value(4), dimension_value(None)
    (4, None)
    """
    return getattr(dimension, "value", dimension)


def dimension_at_index(shape, index) -> Dimension:
    """Dimension ``index`` of ``shape``, as a ``Dimension`` (unknown for an unknown rank).

    Examples
    --------
    >>> import runtime as tf
    >>> dimension_at_index(tf.TensorShape([2, 5]), 1), dimension_at_index(None, 1)
    (Dimension(5), Dimension(None))
    """
    shape = as_shape(shape)
    return Dimension(shape.dim_value(index))


# TF 2.21's horizon: graphs may use what TF's consumers of that day read.
_horizon = [datetime.date(2026, 1, 16)]


def forward_compatible(year: int, month: int, day: int) -> bool:
    """Whether the forward-compatibility window for ``year-month-day`` has passed.

    As TF 2.21: true for dates before its horizon (16 January 2026), or before the
    horizon a :func:`forward_compatibility_horizon` block sets.

    Examples
    --------
    >>> forward_compatible(2019, 1, 1), forward_compatible(2100, 1, 1)
    (True, False)
    """
    return _horizon[-1] > datetime.date(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year: int, month: int, day: int):
    """Move the horizon of :func:`forward_compatible` within a block (for tests).

    Examples
    --------
    >>> with forward_compatibility_horizon(2100, 1, 2):
    ...     forward_compatible(2100, 1, 1)
    True
    """
    _horizon.append(datetime.date(year, month, day))
    try:
        yield
    finally:
        _horizon.pop()
