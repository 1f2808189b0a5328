"""Kernels of the sparse-feature ops: feature crosses (``SparseCross``, hashed with TF's
``Fingerprint64``/``FingerprintCat64``, and ``SparseCrossV2``) and bag-of-ids counts
(``DenseCountSparseOutput``, ``SparseCountSparseOutput``).

A cross walks every combination of one feature per column, the last column fastest,
sparse columns before dense ones; a row missing from any column crosses to nothing.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..registry import register_kernel
from . import hashing
from .array import fail
from .math import shape_text
from .strings import _strings

_INT64_MAX = (1 << 63) - 1
_MASK64 = (1 << 64) - 1


def _feature_rows(indices, values, shapes, dense_inputs) -> tuple[int, list]:
    """The batch size and, per column, each row's features (Python ints or bytes)."""
    batches = {int(s[0]) for s in shapes} | {int(np.shape(d)[0]) for d in dense_inputs}
    if len(batches) > 1:
        fail(f"Expected batch size {min(batches)} got {max(batches)}")
    batch = batches.pop() if batches else 0
    columns = []
    for index, value in zip(indices, values):
        rows = [[] for _ in range(batch)]
        for row, feature in zip(np.asarray(index)[:, 0].tolist(), _features(value)):
            if not 0 <= row < batch:
                fail(f"Invalid row index {row} for a batch of {batch}")
            rows[row].append(feature)
        columns.append(rows)
    for dense in dense_inputs:
        if np.ndim(dense) != 2:
            fail(
                f"Dense inputs should be a matrix but received shape: {shape_text(np.shape(dense))}"
            )
        columns.append([_features(row) for row in dense])
    return batch, columns


def _features(values) -> list:
    values = np.asarray(values)
    return list(_strings(values)) if values.dtype == object else values.astype(np.int64).tolist()


def _crosses(indices, values, shapes, dense_inputs, cross) -> tuple:
    """Every row's crosses, each made by ``cross(features)``, as a sparse tensor."""
    batch, columns = _feature_rows(indices, values, shapes, dense_inputs)
    rows = [
        [cross(combination) for combination in itertools.product(*(c[b] for c in columns))]
        if columns
        else []
        for b in range(batch)
    ]
    out_indices = [[b, k] for b, row in enumerate(rows) for k in range(len(row))]
    width = max((len(row) for row in rows), default=0)
    return (
        np.array(out_indices, np.int64).reshape(-1, 2),
        [value for row in rows for value in row],
        np.array([batch, width], np.int64),
    )


def _as_text(feature) -> bytes:
    return feature if isinstance(feature, bytes) else str(feature).encode()


@register_kernel("SparseCrossV2")
def sparse_cross_v2(*inputs, N, sparse_types, dense_types):
    sep = _strings(inputs[-1]).item()
    parts = inputs[:-1]
    indices, out, shape = _crosses(
        parts[:N],
        parts[N : 2 * N],
        parts[2 * N : 3 * N],
        parts[3 * N :],
        lambda features: sep.join(map(_as_text, features)),
    )
    values = np.empty(len(out), dtype=object)
    values[:] = out
    return indices, values, shape


@register_kernel("SparseCross")
def sparse_cross(
    *inputs,
    N,
    hashed_output,
    num_buckets,
    hash_key,
    sparse_types,
    dense_types,
    out_type,
    internal_type,
):
    columns = (inputs[:N], inputs[N : 2 * N], inputs[2 * N : 3 * N], inputs[3 * N :])
    if not hashed_output:
        indices, out, shape = _crosses(*columns, lambda f: b"_X_".join(map(_as_text, f)))
        values = np.empty(len(out), dtype=object)
        values[:] = out
        return indices, values, shape

    def hashed(features) -> int:
        result = hash_key & _MASK64
        for feature in features:
            feature_hash = (
                hashing.fingerprint64(feature) if isinstance(feature, bytes) else feature & _MASK64
            )
            result = hashing.fingerprint_cat64(result, feature_hash)
        return result % (num_buckets if num_buckets > 0 else _INT64_MAX)

    indices, out, shape = _crosses(*columns, hashed)
    return indices, np.array(out, np.int64), shape


# -- counts --------------------------------------------------------------------------------


def _counts(rows: list, weights_of: list | None, minlength, maxlength, binary_output, dtype):
    """Per row, each value's count (or summed weight), as sparse parts."""
    if any(v < 0 for row in rows for v in row):
        fail("Input values must all be non-negative")
    largest = max((v for row in rows for v in row), default=-1)
    size = maxlength if maxlength >= 0 else max(minlength, largest + 1)
    indices, values = [], []
    for r, row in enumerate(rows):
        totals: dict = {}
        for k, v in enumerate(row):
            if maxlength >= 0 and v >= maxlength:
                continue
            weight = 1 if weights_of is None else weights_of[r][k]
            totals[v] = 1 if binary_output else totals.get(v, 0) + weight
        for v in sorted(totals):
            indices.append([r, v])
            values.append(totals[v])
    return indices, np.array(values, dtype=dtype), size


def _sparse_counts(indices, values, rows_count: int, per_row: bool, size: int):
    """The counts as a sparse tensor: ``[row, value]`` entries of ``[rows, size]``, or
    ``[value]`` entries of ``[size]`` when the input was one flat row."""
    pairs = np.array(indices, np.int64).reshape(-1, 2)
    if per_row:
        return pairs, values, np.array([rows_count, size], np.int64)
    return pairs[:, 1:], values, np.array([size], np.int64)


def _check_weights(weights, values) -> list | None:
    if np.size(weights) == 0:
        return None
    if np.shape(weights) != np.shape(values):
        fail(
            f"Weights and values must have the same shape. Weight shape: "
            f"{shape_text(np.shape(weights))}; values shape: {shape_text(np.shape(values))}"
        )
    return np.asarray(weights).tolist()


@register_kernel("DenseCountSparseOutput")
def dense_count_sparse_output(
    values, weights, *, T, minlength, maxlength, binary_output, output_type
):
    values = np.asarray(values)
    if values.ndim not in (1, 2):
        fail(f"Input must be a 1 or 2-dimensional tensor. Got: {values.ndim}")
    weights_list = _check_weights(weights, values)
    rows = values.tolist() if values.ndim == 2 else [values.tolist()]
    weights_of = (
        None if weights_list is None else (weights_list if values.ndim == 2 else [weights_list])
    )
    dtype = output_type.as_numpy_dtype
    indices, counts, size = _counts(rows, weights_of, minlength, maxlength, binary_output, dtype)
    return _sparse_counts(indices, counts, len(rows), values.ndim == 2, size)


@register_kernel("SparseCountSparseOutput")
def sparse_count_sparse_output(
    indices, values, dense_shape, weights, *, T, minlength, maxlength, binary_output, output_type
):
    rank = len(dense_shape)
    if rank not in (1, 2):
        fail(f"Input must be a 1 or 2-dimensional tensor. Got: {rank}")
    weights_list = _check_weights(weights, values)
    row_count = int(dense_shape[0]) if rank == 2 else 1
    rows = [[] for _ in range(row_count)]
    weights_of = None if weights_list is None else [[] for _ in range(row_count)]
    for k, (index, value) in enumerate(
        zip(np.asarray(indices).tolist(), np.asarray(values).tolist())
    ):
        row = index[0] if rank == 2 else 0
        rows[row].append(value)
        if weights_of is not None:
            weights_of[row].append(weights_list[k])
    dtype = output_type.as_numpy_dtype
    out, counts, size = _counts(rows, weights_of, minlength, maxlength, binary_output, dtype)
    return _sparse_counts(out, counts, row_count, rank == 2, size)
