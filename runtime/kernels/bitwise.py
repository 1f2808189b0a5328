"""Kernels of the bitwise ops: numpy's integer bit operations, TF's shift rules.

TF clamps a shift amount to ``[0, bits - 1]`` and shifts in the unsigned type, so a
left shift wraps around instead of being undefined.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .math import _check_broadcast


def _elementwise(fn):
    def kernel(x, y, *, T):
        _check_broadcast(x, y)
        return (np.asarray(fn(x, y), dtype=x.dtype),)

    return kernel


for _op_type, _fn in (
    ("BitwiseAnd", np.bitwise_and),
    ("BitwiseOr", np.bitwise_or),
    ("BitwiseXor", np.bitwise_xor),
):
    register_kernel(_op_type)(_elementwise(_fn))


def _clamped(x, y) -> np.ndarray:
    return np.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype)


@register_kernel("LeftShift")
def left_shift(x, y, *, T):
    _check_broadcast(x, y)
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    shifted = np.left_shift(np.asarray(x).view(unsigned), _clamped(x, y).astype(unsigned))
    return (np.asarray(shifted).view(x.dtype),)


@register_kernel("RightShift")
def right_shift(x, y, *, T):
    _check_broadcast(x, y)
    return (np.asarray(np.right_shift(x, _clamped(x, y)), dtype=x.dtype),)


@register_kernel("Invert")
def invert(x, *, T):
    return (np.asarray(np.invert(x), dtype=x.dtype),)
