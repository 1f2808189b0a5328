"""Kernels of math ops: elementwise arithmetic with numpy broadcasting, matmul."""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel


@register_kernel("AddV2")
def add_v2(x, y, *, T):
    return (np.add(x, y),)


@register_kernel("Sub")
def sub(x, y, *, T):
    return (np.subtract(x, y),)


@register_kernel("Mul")
def mul(x, y, *, T):
    return (np.multiply(x, y),)


@register_kernel("RealDiv")
def real_div(x, y, *, T):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.true_divide(x, y).astype(x.dtype, copy=False),)


@register_kernel("Neg")
def neg(x, *, T):
    return (np.negative(x),)


@register_kernel("MatMul")
def mat_mul(a, b, *, T, transpose_a, transpose_b):
    return (np.matmul(a.T if transpose_a else a, b.T if transpose_b else b),)
