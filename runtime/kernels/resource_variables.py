"""Kernels of resource variables (``VarHandleOp``, ``ReadVariableOp``, ``ResourceGather``,
``Assign*VariableOp``).

The handle is the same session-owned :class:`~runtime.kernels.state.VariableRef`
that TF1's ``VariableV2`` returns, so both kinds of variable share one state model:
read-only stored arrays, copies on assignment, journaled undo.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError, NotFoundError
from ..registry import register_kernel
from .array import gather_v2
from .state import owned_copy, session_variable, update_variable


@register_kernel("VarHandleOp", context=True)
def var_handle_op(ctx, *, container, shared_name, debug_name, dtype, shape, allowed_devices):
    return (session_variable(ctx, container, shared_name, dtype, shape),)


@register_kernel("ReadVariableOp")
def read_variable_op(handle, *, dtype):
    return (handle.read(),)


@register_kernel("ResourceGather")
def resource_gather(handle, indices, *, batch_dims, validate_indices, dtype, Tindices):
    if not handle.initialized:  # TF's looks the variable up first: not there yet
        raise NotFoundError(
            None,
            None,
            f"Container localhost does not exist. (Could not find resource: "
            f"localhost/{handle.name})",
        )
    value = handle.read()
    return gather_v2(
        value, indices, 0, Tparams=dtype, Tindices=Tindices, Taxis=None, batch_dims=batch_dims
    )


@register_kernel("AssignVariableOp", context=True)
def assign_variable_op(ctx, handle, value, *, dtype, validate_shape):
    value = np.asarray(value)
    if handle.shape is not None and tuple(handle.shape.as_tuple()) != value.shape:
        raise InvalidArgumentError(
            None,
            None,
            f"Trying to assign a value of shape {list(value.shape)} to variable {handle.name} "
            f"of shape {handle.shape.as_list()}",
        )
    with handle.lock:
        handle.store(owned_copy(value, handle.dtype), ctx.journal)
    return ()


@register_kernel("AssignAddVariableOp", context=True)
def assign_add_variable_op(ctx, handle, value, *, dtype):
    update_variable(ctx, handle, value, np.add, "AssignAddVariableOp", np.subtract)
    return ()


@register_kernel("AssignSubVariableOp", context=True)
def assign_sub_variable_op(ctx, handle, value, *, dtype):
    update_variable(ctx, handle, value, np.subtract, "AssignSubVariableOp", np.add)
    return ()


@register_kernel("VarIsInitializedOp")
def var_is_initialized_op(handle):
    return (np.asarray(handle.initialized),)
