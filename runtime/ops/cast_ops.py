"""Casts beyond ``tf.cast``: the saturating cast, and TF1's complex shorthands.

``saturate_cast`` is TF's composite: a ``ClipByValue`` (named ``clamp``) to the range
both dtypes can hold, then a ``Cast``, so its graphs are TF's. The bounds are nudged
toward zero where the target's limit is not representable in the source dtype (float32
cannot hold int32's maximum), as TF does.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..tf_logging import warning
from . import clip_ops, math_ops
from .core import apply_op, convert_to_tensor

__all__ = ["saturate_cast"]


def _clamp_limits(source: dtypes.DType, target: dtypes.DType) -> tuple:
    """The widest bounds in ``source`` that cast into ``target``'s range."""
    np_dtype = source.as_numpy_dtype
    try:
        promoted = np.promote_types(np_dtype, target.as_numpy_dtype)
    except TypeError:
        promoted = np.float64
    # Python numbers compare exactly (int64's limits are not floats').
    low = np_dtype(max(_number(source.min), _number(target.min)))
    if np.array(low, promoted) < np.array(target.min, promoted):
        low = np.nextafter(low, np_dtype(0), dtype=np_dtype)
    high = np_dtype(min(float(source.max), float(target.max)))
    if np.array(high, promoted) > np.array(target.max, promoted):
        high = np.nextafter(high, np_dtype(0), dtype=np_dtype)
    return low, high


def _number(limit):
    return limit.item() if isinstance(limit, np.generic) else limit


def saturate_cast(value, dtype, name=None) -> Tensor:
    """``value`` cast to ``dtype``, clamped first to what ``dtype`` can hold.

    A complex value cast to a real dtype keeps its real part; one cast to a complex
    dtype has its parts clamped separately.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.saturate_cast([-3.0, 7.9, 300.0], tf.uint8)
    ...     print(tf.compat.v1.Session().run(c))
    [  0   7 255]
    """
    graph = graph_of([value])
    with graph.name_scope(name or "saturate_cast") as scope:
        value = convert_to_tensor(value, name="value", graph=graph)
        target = dtypes.as_dtype(dtype).base_dtype
        source = value.dtype.base_dtype
        if source.is_complex:
            if target.is_complex:
                low, high = (
                    complex(limit, limit)
                    for limit in (target.real_dtype.min, target.real_dtype.max)
                )
                value = _clamp(value, low, high, source)
                return math_ops.cast(value, target, name=scope)
            value = math_ops.real(value)
            warning("Casting complex to real discards imaginary part.")
            source = source.real_dtype
        low, high = _clamp_limits(source, target.real_dtype)
        return math_ops.cast(_clamp(value, low, high, source), target, name=scope)


def _clamp(value: Tensor, low, high, dtype: dtypes.DType) -> Tensor:
    bounds = [convert_to_tensor(bound, dtype=dtype) for bound in (low, high)]
    return apply_op(clip_ops.CLIP_BY_VALUE, [value, *bounds], "clamp").outputs[0]


def to_complex64(x, name="ToComplex64") -> Tensor:
    """TF1's shorthand for ``cast(x, tf.complex64)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(tf.to_complex64([1.5, -2.0])))
    [ 1.5+0.j -2. +0.j]
    """
    return math_ops.cast(x, dtypes.complex64, name=name)


def to_complex128(x, name="ToComplex128") -> Tensor:
    """TF1's shorthand for ``cast(x, tf.complex128)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(tf.to_complex128([1, -2])))
    [ 1.+0.j -2.+0.j]
    """
    return math_ops.cast(x, dtypes.complex128, name=name)


V1_OVERRIDES = {"to_complex64": to_complex64, "to_complex128": to_complex128}
