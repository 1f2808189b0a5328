"""Kernels of the op types older TensorFlow wrote (:mod:`runtime.ops.legacy_ops`): each
runs as the op that replaced it, its inputs put in that op's order."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import lookup_kernel, register_kernel
from . import array, state  # noqa: F401 - the successors' kernels, registered first
from .math import check_int_divisor

for _op_type, _successor in (
    ("Div", "RealDiv"),  # RealDiv's kernel divides integers as C does, as Div's
    ("Inv", "Reciprocal"),
    ("InvGrad", "ReciprocalGrad"),
    ("Snapshot", "Identity"),
    ("PlaceholderV2", "Placeholder"),
    ("Variable", "VariableV2"),
):
    _kernel = lookup_kernel(_successor, "CPU")
    register_kernel(_op_type, context=_kernel.needs_context)(_kernel.fn)

_truncate_mod = lookup_kernel("TruncateMod", "CPU").fn
_concat_v2 = lookup_kernel("ConcatV2", "CPU").fn
_gather_v2 = lookup_kernel("GatherV2", "CPU").fn
_batch_mat_mul_v2 = lookup_kernel("BatchMatMulV2", "CPU").fn


@register_kernel("Mod")
def mod(x, y, *, T):
    """TruncateMod's remainder (C's: the sign of ``x``); an integer division by zero is
    Div's ``InvalidArgumentError``, where TruncateMod's kernel fails with an internal
    error (TF's)."""
    check_int_divisor(x, y)
    return _truncate_mod(x, y, T=T)


@register_kernel("Concat")
def concat(concat_dim, *values, N, T):
    return _concat_v2(*values, concat_dim, N=N, T=T, Tidx=None)


@register_kernel("Gather")
def gather(params, indices, *, validate_indices, Tparams, Tindices):
    if params.ndim < 1:
        raise InvalidArgumentError(None, None, "params must be at least 1 dimensional")
    return _gather_v2(
        params, indices, np.int32(0), Tparams=Tparams, Tindices=Tindices, Taxis=None, batch_dims=0
    )


@register_kernel("BatchMatMul")
def batch_mat_mul(x, y, *, T, adj_x, adj_y, grad_x=False, grad_y=False):
    if x.shape[:-2] != y.shape[:-2]:  # as TF's kernel: the batches do not broadcast
        raise InvalidArgumentError(
            None,
            None,
            f"In[0] and In[1] must have compatible batch dimensions: "
            f"{list(x.shape)} vs. {list(y.shape)}",
        )
    return _batch_mat_mul_v2(x, y, T=T, adj_x=adj_x, adj_y=adj_y)


@register_kernel("BatchNormWithGlobalNormalization")
def batch_norm_with_global_normalization(
    t, m, v, beta, gamma, *, T, variance_epsilon, scale_after_normalization
):
    """``(t - m) * rsqrt(v + eps) * (gamma if scale_after_normalization) + beta``, in
    ``t``'s dtype, per channel (the last axis), as TF's kernel."""
    scale = 1 / np.sqrt(v + t.dtype.type(variance_epsilon))
    if scale_after_normalization:
        scale *= gamma
    return ((t - m) * scale + beta,)
