"""Kernels of the set ops: each vector along the last axis of a dense or sparse tensor
is a set (duplicates count once); the results are sparse tensors whose rows hold the
sorted elements of each result set, as TF's.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text
from .sparse import _order, _text

_OPERATIONS = {
    "a-b": lambda a, b: a - b,
    "b-a": lambda a, b: b - a,
    "intersection": lambda a, b: a & b,
    "union": lambda a, b: a | b,
}


def _dense_sets(values) -> tuple[dict, tuple]:
    """The set of each row of ``values`` (keyed by its outer index) and the outer shape."""
    values = np.asarray(values)
    if values.ndim < 2:
        fail(f"Invalid input rank {values.ndim}, expected at least 2")
    outer = values.shape[:-1]
    sets = {index: set(values[index].tolist()) for index in np.ndindex(*outer)}
    return sets, outer


def _sparse_sets(indices, values, shape, validate: bool, what: str) -> tuple[dict, tuple]:
    """The set of each row of a sparse tensor and its outer shape."""
    shape = tuple(int(d) for d in shape)
    if len(shape) < 2:
        fail(f"Invalid {what} rank {len(shape)}, expected at least 2")
    indices = np.asarray(indices)
    if validate:
        if (indices < 0).any() or (indices >= np.array(shape)).any():
            row = int(np.nonzero(((indices < 0) | (indices >= np.array(shape))).any(1))[0][0])
            fail(f"{what} index {_text(indices[row])} out of bounds of shape {shape_text(shape)}")
        if not np.array_equal(_order(indices), np.arange(len(indices))):
            fail(f"{what} indices are not in row-major order")
    sets: dict = {}
    for index, value in zip(indices.tolist(), np.asarray(values).tolist()):
        sets.setdefault(tuple(index[:-1]), set()).add(value)
    return sets, shape[:-1]


def _check_outer(a_outer: tuple, b_outer: tuple) -> None:
    if a_outer != b_outer:
        fail(f"Shapes {shape_text(a_outer)} and {shape_text(b_outer)} are not compatible")


def _result(a_sets: dict, b_sets: dict, outer: tuple, operation: str, dtype) -> tuple:
    if operation not in _OPERATIONS:
        fail(f"Invalid set_operation {operation}.")
    combine = _OPERATIONS[operation]
    rows = []
    for index in sorted(a_sets.keys() | b_sets.keys()):
        members = sorted(combine(a_sets.get(index, set()), b_sets.get(index, set())))
        rows += [(index, j, value) for j, value in enumerate(members)]
    width = max((j + 1 for _, j, _ in rows), default=0)
    indices = np.array([[*index, j] for index, j, _ in rows], np.int64).reshape(-1, len(outer) + 1)
    values = np.array([value for _, _, value in rows], dtype=dtype).reshape(-1)
    return indices, values, np.array([*outer, width], np.int64)


def _dtype(values):
    values = np.asarray(values)
    return object if values.dtype == object else values.dtype


@register_kernel("DenseToDenseSetOperation")
def dense_to_dense(set1, set2, *, set_operation, validate_indices, T):
    a_sets, a_outer = _dense_sets(set1)
    b_sets, b_outer = _dense_sets(set2)
    _check_outer(a_outer, b_outer)
    return _result(a_sets, b_sets, a_outer, set_operation, _dtype(set1))


@register_kernel("DenseToSparseSetOperation")
def dense_to_sparse(
    set1, set2_indices, set2_values, set2_shape, *, set_operation, validate_indices, T
):
    a_sets, a_outer = _dense_sets(set1)
    b_sets, b_outer = _sparse_sets(set2_indices, set2_values, set2_shape, validate_indices, "set2")
    _check_outer(a_outer, b_outer)
    return _result(a_sets, b_sets, a_outer, set_operation, _dtype(set1))


@register_kernel("SparseToSparseSetOperation")
def sparse_to_sparse(
    set1_indices,
    set1_values,
    set1_shape,
    set2_indices,
    set2_values,
    set2_shape,
    *,
    set_operation,
    validate_indices,
    T,
):
    a_sets, a_outer = _sparse_sets(set1_indices, set1_values, set1_shape, validate_indices, "set1")
    b_sets, b_outer = _sparse_sets(set2_indices, set2_values, set2_shape, validate_indices, "set2")
    _check_outer(a_outer, b_outer)
    return _result(a_sets, b_sets, a_outer, set_operation, _dtype(set1_values))


@register_kernel("SetSize")
def set_size(set_indices, set_values, set_shape, *, validate_indices, T):
    sets, outer = _sparse_sets(set_indices, set_values, set_shape, validate_indices, "set")
    out = np.zeros(outer, np.int32)
    for index, members in sets.items():
        out[index] = len(members)
    return (out,)
