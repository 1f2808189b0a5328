"""Kernels of control ops."""

from __future__ import annotations

from ..registry import register_kernel


@register_kernel("NoOp")
def no_op():
    return ()
