"""Kernels of the segment reductions, unique values, bin counts and top-k selection.

Segment reductions combine the rows of ``data`` that share an id with a numpy ufunc's
``at`` (unbuffered, so repeated ids accumulate). An empty segment holds the
reduction's identity (0 for sums and means, 1 for products, the dtype's lowest or
highest finite value for maxima and minima), except that sorted ``SegmentMin`` and
``SegmentMax`` give 0 there, as TF does.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from .math import shape_text

_UFUNCS = {"Sum": np.add, "Prod": np.multiply, "Max": np.maximum, "Min": np.minimum}


def _fail(message: str):
    raise InvalidArgumentError(None, None, message)


def _identity(kind: str, dtype: np.dtype):
    """What an empty unsorted segment holds: the reduction's identity, the dtype's
    largest finite value standing for infinity, as TF's."""
    limits = np.finfo(dtype) if dtype.kind in "fc" else np.iinfo(dtype)
    if kind == "Max":
        return limits.min
    if kind == "Min":
        return limits.max
    return 1 if kind == "Prod" else 0


def _combine(kind: str, data, ids, count: int, sorted_op: bool) -> np.ndarray:
    """Rows of ``data`` combined into ``count`` rows by ``ids`` (negative ids dropped)."""
    ufunc = _UFUNCS.get(kind, np.add)
    out = np.full((count, *data.shape[ids.ndim :]), _identity(kind, data.dtype), data.dtype)
    keep = ids >= 0
    ufunc.at(out, ids[keep], data[keep])
    if sorted_op and kind in ("Mean", "Min", "Max"):
        sizes = np.bincount(ids[keep].reshape(-1), minlength=count)[:count]
        sizes = sizes.reshape((count,) + (1,) * (out.ndim - 1))
        if kind == "Mean":
            divisor = np.maximum(sizes, 1).astype(data.dtype)
            out = out // divisor if data.dtype.kind in "iu" else out / divisor
        out = np.where(sizes == 0, np.zeros((), data.dtype), out)
    return out.astype(data.dtype, copy=False)


def _sorted_segment_kernel(kind: str):
    def kernel(data, segment_ids, *, T, Tindices):
        if segment_ids.ndim != 1:
            _fail(f"segment_ids should be a vector, got shape {shape_text(segment_ids.shape)}")
        if data.ndim == 0 or data.shape[0] != segment_ids.shape[0]:
            _fail(
                "segment_ids should be the same size as dimension 0 of input, got "
                f"{segment_ids.shape[0]} and {shape_text(data.shape)}"
            )
        if segment_ids.size and segment_ids.min() < 0:
            bad = int(np.argmax(segment_ids < 0))
            _fail(f"segment ids must be >= 0 but got segment_ids[{bad}] = {segment_ids[bad]}")
        decreasing = np.flatnonzero(np.diff(segment_ids) < 0)
        if decreasing.size:
            i = int(decreasing[0]) + 1
            _fail(
                f"segment ids are not increasing: segment_ids[{i - 1}] = {segment_ids[i - 1]} "
                f"> segment_ids[{i}] = {segment_ids[i]}"
            )
        count = int(segment_ids[-1]) + 1 if segment_ids.size else 0
        return (_combine(kind, data, segment_ids, count, sorted_op=True),)

    return kernel


def _unsorted_segment_kernel(kind: str):
    def kernel(data, segment_ids, num_segments, *, T, Tindices, Tnumsegments):
        count = int(num_segments)
        if count < 0:
            _fail(f"num_segments must be non-negative, got {count}")
        if data.shape[: segment_ids.ndim] != segment_ids.shape:
            _fail(
                "data.shape = " + shape_text(data.shape) + " does not start with "
                "segment_ids.shape = " + shape_text(segment_ids.shape)
            )
        bad = np.argwhere(segment_ids >= count)
        if len(bad):
            where = tuple(int(i) for i in bad[0])
            _fail(f"segment_ids{list(where)} = {segment_ids[where]} is out of range [0, {count})")
        return (_combine(kind, data, segment_ids, count, sorted_op=False),)

    return kernel


for _kind in ("Sum", "Mean", "Prod", "Min", "Max"):
    register_kernel(f"Segment{_kind}")(_sorted_segment_kernel(_kind))
for _kind in ("Prod", "Min", "Max"):
    register_kernel(f"UnsortedSegment{_kind}")(_unsorted_segment_kernel(_kind))


# -- unique values, bin counts ------------------------------------------------------------


def _unique(x, out_idx):
    if x.ndim != 1:
        _fail(f"unique expects a 1D vector. Received shape {shape_text(x.shape)}")
    _, first, inverse, counts = np.unique(
        x, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.argsort(first, kind="stable")  # TF keeps the order of first appearance
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    index_type = out_idx.as_numpy_dtype
    return (
        x[first[order]],
        position[inverse.reshape(-1)].astype(index_type),
        counts[order].astype(index_type),
    )


@register_kernel("Unique")
def unique(x, *, T, out_idx):
    return _unique(x, out_idx)[:2]


@register_kernel("UniqueWithCounts")
def unique_with_counts(x, *, T, out_idx):
    return _unique(x, out_idx)


def _bin_counts(values, size, weights, binary: bool, dtype) -> np.ndarray:
    size = int(size)
    if size < 0:
        _fail(f"size ({size}) must be non-negative")
    if values.size and values.min() < 0:
        _fail("Input arr must be non-negative!")
    keep = values < size
    if weights.size:
        if weights.shape != values.shape:
            _fail(
                "Input arr and weights must have the same shape: arr "
                f"{shape_text(values.shape)}, weights {shape_text(weights.shape)}"
            )
        counts = np.bincount(values[keep], weights[keep].astype(np.float64), minlength=size)
    else:
        counts = np.bincount(values[keep], minlength=size)
    counts = counts[:size]
    if binary:
        counts = counts > 0
    return counts.astype(dtype)


@register_kernel("Bincount")
def bincount(arr, size, weights, *, T):
    return (_bin_counts(arr.reshape(-1), size, weights.reshape(-1), False, T.as_numpy_dtype),)


@register_kernel("DenseBincount")
def dense_bincount(input, size, weights, *, Tidx, T, binary_output):
    if input.ndim not in (1, 2):
        _fail(f"Input must be at most rank 2, got rank {input.ndim}")
    dtype = T.as_numpy_dtype
    if input.ndim == 1:
        return (_bin_counts(input, size, weights, binary_output, dtype),)
    rows = [
        _bin_counts(row, size, weights[i] if weights.size else weights, binary_output, dtype)
        for i, row in enumerate(input)
    ]
    return (np.stack(rows) if rows else np.zeros((0, int(size)), dtype),)


# -- top k -----------------------------------------------------------------------------------


@register_kernel("TopKV2")
def top_k(input, k, *, sorted, T, Tk, index_type):
    k = int(k)
    if k < 0:
        _fail(f"Need k >= 0, got {k}")
    if input.ndim < 1:
        _fail(f"input must be >= 1-D, got shape {shape_text(input.shape)}")
    if input.shape[-1] < k:
        _fail(f"input must have at least k columns. Had {input.shape[-1]}, needed {k}")
    # Largest first; among equal values the lower index first (a stable sort of -x).
    keys = -input.astype(np.float64) if input.dtype.kind in "iu" else -input
    order = np.argsort(keys, axis=-1, kind="stable")[..., :k]
    values = np.take_along_axis(input, order, axis=-1)
    return values, order.astype(index_type.as_numpy_dtype)


@register_kernel("ApproxTopK")
def approx_top_k(input, *, k, reduction_dimension, is_max_k, T, **_approximation):
    axis = reduction_dimension % input.ndim
    if input.shape[axis] < k:
        _fail(f"k ({k}) must be at most the reduced dimension ({input.shape[axis]})")
    keys = -input if is_max_k else input  # stable: equal values keep their order
    order = np.argsort(keys, axis=axis, kind="stable")
    order = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(input, order, axis=axis), order.astype(np.int32)


@register_kernel("InTopKV2")
def in_top_k(predictions, targets, k, *, T):
    if predictions.ndim != 2:
        _fail(f"predictions must be 2-dimensional, got shape {shape_text(predictions.shape)}")
    if targets.ndim != 1 or targets.shape[0] != predictions.shape[0]:
        _fail(
            "First dimension of predictions "
            f"{predictions.shape[0]} must match length of targets {targets.shape[0] if targets.ndim else 0}"
        )
    rows, classes = predictions.shape
    valid = (targets >= 0) & (targets < classes)
    picked = predictions[np.arange(rows), np.where(valid, targets, 0)]
    valid &= np.isfinite(predictions).all(axis=1)  # TF cannot say for a row with inf or NaN
    # A target is in the top k when fewer than k predictions of its row are larger.
    larger = (predictions > picked[:, None]).sum(axis=1)
    return (valid & (larger < int(k)),)


# -- partitions and stitches -----------------------------------------------------------------


def _stitch(*inputs, N, T):
    indices, data = inputs[:N], inputs[N:]
    for i, (index, value) in enumerate(zip(indices, data)):
        if value.shape[: index.ndim] != index.shape:
            _fail(
                f"data[{i}].shape = {shape_text(value.shape)} does not start with "
                f"indices[{i}].shape = {shape_text(index.shape)}"
            )
        if index.size and index.min() < 0:
            _fail(f"indices[{i}] has a negative entry: {int(index.min())}")
    size = max((int(index.max()) + 1 for index in indices if index.size), default=0)
    tail = data[0].shape[indices[0].ndim :]
    merged = np.zeros((size, *tail), dtype=data[0].dtype)
    for index, value in zip(indices, data):  # in order: a later row wins
        flat = index.reshape(-1)
        merged[flat] = value.reshape((flat.size, *tail))
    return (merged,)


register_kernel("DynamicStitch")(_stitch)
register_kernel("ParallelDynamicStitch")(_stitch)


@register_kernel("DynamicPartition")
def dynamic_partition(data, partitions, *, num_partitions, T):
    if data.shape[: partitions.ndim] != partitions.shape:
        _fail(
            f"data.shape must start with partitions.shape, got data.shape = "
            f"{shape_text(data.shape)}, partitions.shape = {shape_text(partitions.shape)}"
        )
    bad = (partitions < 0) | (partitions >= num_partitions)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        _fail(f"partitions{list(where)} = {partitions[where]} is not in [0, {num_partitions})")
    rows = data.reshape((partitions.size, *data.shape[partitions.ndim :]))
    flat = partitions.reshape(-1)
    return tuple(rows[flat == p] for p in range(num_partitions))


# -- sparse segment reductions ----------------------------------------------------------------


def _sparse_segment_kernel(kind: str, with_count: bool):
    def kernel(data, indices, segment_ids, *count, T, Tidx, Tsegmentids, sparse_gradient, **_):
        if indices.shape != segment_ids.shape:
            _fail(
                f"segment_ids and indices should have same size. segment_ids.shape = "
                f"{shape_text(segment_ids.shape)} indices.shape = {shape_text(indices.shape)}"
            )
        bad = np.flatnonzero((indices < 0) | (indices >= data.shape[0]))
        if bad.size:
            i = int(bad[0])
            _fail(f"Bad: indices[{i}] == {indices[i]} out of range [0, {data.shape[0]})")
        if np.any(np.diff(segment_ids) < 0):
            _fail("segment ids are not increasing")
        rows = (
            int(count[0]) if with_count else (int(segment_ids[-1]) + 1 if segment_ids.size else 0)
        )
        if segment_ids.size and segment_ids[-1] >= rows:
            _fail(f"segment ids must be < num_segments ({rows}), got {segment_ids[-1]}")
        out = np.zeros((rows, *data.shape[1:]), dtype=data.dtype)
        np.add.at(out, segment_ids, data[indices])
        if kind != "Sum":
            sizes = np.bincount(segment_ids, minlength=rows)[:rows].astype(data.dtype)
            divisor = np.sqrt(sizes) if kind == "SqrtN" else sizes
            divisor = np.maximum(divisor, 1).reshape((rows,) + (1,) * (out.ndim - 1))
            out = out / divisor
        return (out.astype(data.dtype, copy=False),)

    return kernel


def _sparse_segment_grad_kernel(kind: str):
    def kernel(grad, indices, segment_ids, output_dim0, *, T, Tidx, Tsegmentids):
        rows = int(output_dim0)
        picked = grad[segment_ids]
        if kind != "Sum":
            sizes = np.bincount(segment_ids, minlength=grad.shape[0]).astype(grad.dtype)
            divisor = np.sqrt(sizes) if kind == "SqrtN" else sizes
            picked = picked / np.maximum(divisor, 1)[segment_ids].reshape(
                (-1,) + (1,) * (grad.ndim - 1)
            )
        out = np.zeros((rows, *grad.shape[1:]), dtype=grad.dtype)
        np.add.at(out, indices, picked)
        return (out,)

    return kernel


def _sparse_segment_grad_v2_kernel(kind: str):
    dense = _sparse_segment_grad_kernel(kind)

    def kernel(grad, indices, segment_ids, dense_output_dim0, *, T, Tidx, Tsegmentids):
        (full,) = dense(
            grad, indices, segment_ids, dense_output_dim0, T=T, Tidx=Tidx, Tsegmentids=Tsegmentids
        )
        unique = np.unique(indices).astype(indices.dtype)
        return full[unique], unique

    return kernel


for _kind in ("Sum", "Mean", "SqrtN"):
    register_kernel(f"SparseSegment{_kind}GradV2")(_sparse_segment_grad_v2_kernel(_kind))
    register_kernel(f"SparseSegment{_kind}")(_sparse_segment_kernel(_kind, False))
    register_kernel(f"SparseSegment{_kind}WithNumSegments")(_sparse_segment_kernel(_kind, True))
    register_kernel(f"SparseSegment{_kind}Grad")(_sparse_segment_grad_kernel(_kind))
