"""Kernels that write at indices: ``ScatterNd``, ``TensorScatter*``, and the TF1 variable
updates ``Scatter*``/``ScatterNd*``.

A variable update stores a new array (never writing the stored one in place) under the
variable's lock and records its undo in the step's journal, as ``Assign`` does
(:mod:`runtime.kernels.state`); an additive update also records how to take itself
back out of a value other steps changed since.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import check_indices, fail, nd_index
from .math import shape_text


def _check_nd_updates(indices, updates, shape) -> None:
    """TF's check: ``updates.shape == indices.shape[:-1] + shape[indices.shape[-1]:]``."""
    outer = indices.ndim - 1
    depth = indices.shape[-1] if indices.ndim else 0
    if indices.ndim < 1:
        fail(f"Indices shape must have rank at least one. Found:{shape_text(indices.shape)}")
    if depth > len(shape):
        fail(
            f"Index innermost dimension length must be <= params rank; saw: {depth} vs. "
            f"{len(shape)}"
        )
    if updates.shape[:outer] != indices.shape[:outer]:
        fail(
            f"Dimensions [0,{outer}) of indices[shape={shape_text(indices.shape)}] must match "
            f"dimensions [0,{outer}) of updates[shape={shape_text(updates.shape)}]"
        )
    if updates.shape[outer:] != tuple(shape[depth:]):
        fail(
            f"Dimensions [{depth},{len(shape)}) of input[shape={shape_text(shape)}] must match "
            f"dimensions [{outer},{updates.ndim}) of updates[shape={shape_text(updates.shape)}]"
        )


def _nd_scatter(target: np.ndarray, indices, updates, combine) -> np.ndarray:
    """``combine`` (a numpy ufunc, or ``None`` to assign) ``updates`` into ``target`` (a
    fresh array this kernel owns) at the coordinates ``indices``."""
    _check_nd_updates(indices, updates, target.shape)
    index = nd_index(indices, target.shape, "shape")
    if combine is None:
        target[index] = updates
    else:
        combine.at(target, index, updates)
    return target


@register_kernel("ScatterNd")
def scatter_nd(indices, updates, shape, *, T, Tindices, bad_indices_policy):
    dims = [int(d) for d in shape]
    if any(d < 0 for d in dims):
        fail(f"Indices and updates specified for empty input: shape {shape_text(dims)}")
    out = np.zeros(dims, dtype=updates.dtype)
    return (_nd_scatter(out, indices, updates, np.add),)


def _tensor_scatter(combine):
    def kernel(tensor, indices, updates, *, T, Tindices, bad_indices_policy):
        return (_nd_scatter(tensor.copy(), indices, updates, combine),)

    return kernel


register_kernel("TensorScatterUpdate")(_tensor_scatter(None))
register_kernel("TensorScatterAdd")(_tensor_scatter(np.add))
register_kernel("TensorScatterSub")(_tensor_scatter(np.subtract))
register_kernel("TensorScatterMax")(_tensor_scatter(np.maximum))
register_kernel("TensorScatterMin")(_tensor_scatter(np.minimum))


# -- TF1 variable updates --------------------------------------------------------------


def _row_updates(params, indices, updates) -> np.ndarray:
    """``updates`` as ``indices.shape + params.shape[1:]`` (a scalar is broadcast)."""
    if params.ndim < 1:
        fail(f"params must be at least 1-D, got shape {shape_text(params.shape)}")
    wanted = indices.shape + params.shape[1:]
    if updates.ndim and updates.shape != wanted:
        fail(
            "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], "
            f"got updates.shape {shape_text(updates.shape)}, indices.shape "
            f"{shape_text(indices.shape)}, params.shape {shape_text(params.shape)}"
        )
    check_indices(indices, params.shape[0])
    return np.broadcast_to(updates, wanted).astype(params.dtype, copy=False)


_ROW_UFUNCS = {
    "ScatterAdd": np.add,
    "ScatterSub": np.subtract,
    "ScatterMul": np.multiply,
    "ScatterMin": np.minimum,
    "ScatterMax": np.maximum,
}
# The additive updates also undo themselves on a value other steps changed since.
_INVERSES = {"ScatterAdd": np.subtract, "ScatterSub": np.add}


def _divide_rows(new, flat, rows) -> None:
    if not np.issubdtype(new.dtype, np.integer):
        np.divide.at(new, flat, rows)
        return
    if (rows == 0).any():
        fail("Integer division by zero")
    for i, row in enumerate(flat):  # truncating, as TF's C++; repeated rows divide in turn
        a, b = new[row], rows[i]
        new[row] = np.abs(a) // np.abs(b) * np.sign(a) * np.sign(b)


def _scatter_ref_kernel(op_type: str):
    inverse = _INVERSES.get(op_type)

    def kernel(ctx, ref, indices, updates, *, T, Tindices, use_locking):
        with ref.lock:
            current = ref.read()
            rows = _row_updates(current, indices, updates).reshape((-1, *current.shape[1:]))
            flat = indices.reshape(-1)
            new = np.array(current, copy=True)
            if op_type == "ScatterUpdate":
                new[flat] = rows
            elif op_type == "ScatterDiv":
                _divide_rows(new, flat, rows)
            else:
                _ROW_UFUNCS[op_type].at(new, flat, rows)
            undo = None
            if inverse is not None:

                def undo(now):
                    back = np.array(now, copy=True)
                    inverse.at(back, flat, rows)
                    return back

            ref.store(new, ctx.journal, undo)
        return (ref,)

    kernel.__name__ = kernel.__qualname__ = op_type
    return kernel


for _op_type in (
    "ScatterUpdate",
    "ScatterAdd",
    "ScatterSub",
    "ScatterMul",
    "ScatterDiv",
    "ScatterMin",
    "ScatterMax",
):
    register_kernel(_op_type, context=True)(_scatter_ref_kernel(_op_type))


def _scatter_nd_ref_kernel(op_type: str, combine, inverse=None):

    def kernel(ctx, ref, indices, updates, *, T, Tindices, use_locking, bad_indices_policy):
        with ref.lock:
            current = ref.read()
            updates = np.asarray(updates, dtype=current.dtype)
            new = _nd_scatter(np.array(current, copy=True), indices, updates, combine)
            undo = None
            if inverse is not None:

                def undo(now):
                    return _nd_scatter(np.array(now, copy=True), indices, updates, inverse)

            ref.store(new, ctx.journal, undo)
        return (ref,)

    kernel.__name__ = kernel.__qualname__ = op_type
    return kernel


register_kernel("ScatterNdUpdate", context=True)(_scatter_nd_ref_kernel("ScatterNdUpdate", None))
register_kernel("ScatterNdAdd", context=True)(
    _scatter_nd_ref_kernel("ScatterNdAdd", np.add, np.subtract)
)
register_kernel("ScatterNdSub", context=True)(
    _scatter_nd_ref_kernel("ScatterNdSub", np.subtract, np.add)
)
