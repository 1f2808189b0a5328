"""Kernels of the sparse-tensor ops: a sparse tensor arrives as its three parts,
``indices`` (int64 ``[N, rank]``), ``values`` (``[N]``) and ``shape`` (int64 ``[rank]``).

Row-major (lexicographic) order of the indices is what most of TF's kernels expect and
what they produce; ``SparseReorder`` sorts. Bad input is TF's ``InvalidArgumentError``
with TF's message.
"""

from __future__ import annotations

import numpy as np

from ..registry import register_kernel
from .array import fail
from .math import shape_text, truncating_divide


def _text(index) -> str:
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def _row_major(indices, shape) -> np.ndarray:
    """Each index's position in row-major order of ``shape`` (its flat offset)."""
    if indices.shape[1] == 0:
        return np.zeros(len(indices), np.int64)
    return np.ravel_multi_index(tuple(indices.T), tuple(int(d) for d in shape), mode="wrap")


def _order(indices) -> np.ndarray:
    """The permutation sorting ``indices`` row-major (stable)."""
    if indices.shape[1] == 0:
        return np.arange(len(indices))
    return np.lexsort(indices.T[::-1])


# -- to_dense ----------------------------------------------------------------------------


@register_kernel("SparseToDense")
def sparse_to_dense(indices, output_shape, values, default_value, *, validate_indices, T, Tindices):
    shape = tuple(int(d) for d in np.reshape(output_shape, -1))
    indices = np.asarray(indices).reshape(-1, len(shape)) if np.ndim(indices) < 2 else indices
    count = len(indices)
    if np.ndim(values) == 1 and len(values) != count:
        fail(
            f"sparse_values has incorrect shape {shape_text(np.shape(values))}, should be [] or [{count}]"
        )
    if np.ndim(default_value) != 0:
        fail(f"default_value should be a scalar: {shape_text(np.shape(default_value))}")
    limits = np.asarray(shape)
    for i, index in enumerate(indices):
        if ((index < 0) | (index >= limits)).any():
            if not validate_indices:  # TF's unvalidated scatter finds it out this way
                fail(f"Indices are not valid (out of bounds).  Shape: {_text(limits)}")
            fail(
                f"indices[{i}] = {_text(index)} is out of bounds: need 0 <= index < {_text(limits)}"
            )
        if validate_indices and i:
            previous = tuple(indices[i - 1].tolist())
            current = tuple(index.tolist())
            if current == previous:
                fail(f"indices[{i}] = {_text(index)} is repeated")
            if current < previous:
                fail(
                    f"indices[{i}] = {_text(index)} is out of order. Many sparse ops require "
                    "sorted indices.\n    Use `tf.sparse.reorder` to create a correctly ordered "
                    "copy.\n\n"
                )
    out = np.full(shape, default_value, dtype=np.asarray(default_value).dtype)
    if count:
        out[tuple(indices.T)] = values
    return (out,)


# -- reduce_sum --------------------------------------------------------------------------


def _reduction(indices, values, shape, axes, keep_dims: bool):
    """The kept dims' indices of each entry and the output shape."""
    rank = len(shape)
    reduced = set()
    for axis in np.reshape(axes, -1).tolist():
        if not -rank <= axis < rank:
            fail(f"Invalid reduction dimension {axis}, for input with {rank} dimensions.")
        reduced.add(axis % rank)
    kept = [d for d in range(rank) if d not in reduced]
    out_shape = [
        1 if d in reduced else int(shape[d]) for d in range(rank) if keep_dims or d in kept
    ]
    return indices[:, kept], kept, out_shape


@register_kernel("SparseReduceSum")
def sparse_reduce_sum(indices, values, shape, axes, *, keep_dims, T):
    kept_indices, kept, out_shape = _reduction(indices, values, shape, axes, keep_dims)
    kept_shape = [int(shape[d]) for d in kept]
    sums = np.zeros(int(np.prod(kept_shape)), dtype=values.dtype)
    np.add.at(sums, _row_major(kept_indices, kept_shape), values)
    return (sums.reshape(out_shape),)


@register_kernel("SparseReduceSumSparse")
def sparse_reduce_sum_sparse(indices, values, shape, axes, *, keep_dims, T):
    kept_indices, kept, out_shape = _reduction(indices, values, shape, axes, keep_dims)
    groups, inverse = np.unique(kept_indices, axis=0, return_inverse=True)
    sums = np.zeros(len(groups), dtype=values.dtype)
    np.add.at(sums, inverse.reshape(-1), values)
    if keep_dims:
        full = np.zeros((len(groups), len(shape)), np.int64)
        full[:, kept] = groups
        groups = full
    return (groups.astype(np.int64).reshape(len(sums), -1), sums, np.asarray(out_shape, np.int64))


# -- add ---------------------------------------------------------------------------------


def _check_same_shape(a_shape, b_shape) -> None:
    if len(a_shape) != len(b_shape):
        fail(
            f"Operands do not have the same ranks; got shapes: {_text(a_shape)} and "
            f"{_text(b_shape)}"
        )
    for d, (x, y) in enumerate(zip(a_shape, b_shape)):
        if x != y:
            fail(f"Operands' shapes do not match: got {x} and {y} for dimension {d}")


def _merge(a_indices, b_indices):
    """Merge two row-major index lists as TF's kernel walks them: for each output
    entry, its source in ``a`` and in ``b`` (``-1`` where it has none)."""
    sources = []
    i = j = 0
    while i < len(a_indices) and j < len(b_indices):
        a, b = tuple(a_indices[i].tolist()), tuple(b_indices[j].tolist())
        if a < b:
            sources.append((i, -1))
            i += 1
        elif a > b:
            sources.append((-1, j))
            j += 1
        else:
            sources.append((i, j))
            i += 1
            j += 1
    sources += [(k, -1) for k in range(i, len(a_indices))]
    sources += [(-1, k) for k in range(j, len(b_indices))]
    return np.asarray(sources, dtype=np.int64).reshape(-1, 2)


@register_kernel("SparseAdd")
def sparse_add(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh, *, T, Treal):
    _check_same_shape(a_shape.tolist(), b_shape.tolist())
    sources = _merge(a_indices, b_indices)
    from_a, from_b = sources[:, 0], sources[:, 1]
    values = np.zeros(len(sources), dtype=a_values.dtype)
    values[from_a >= 0] += a_values[from_a[from_a >= 0]]
    values[from_b >= 0] += b_values[from_b[from_b >= 0]]
    both = (from_a >= 0) & (from_b >= 0)
    keep = ~both | (np.abs(values) >= thresh)  # only sums are thresholded, as TF's
    indices = (
        np.where(
            (from_a >= 0)[:, None],
            a_indices[np.maximum(from_a, 0)],
            b_indices[np.maximum(from_b, 0)],
        )
        if len(sources)
        else np.zeros((0, len(a_shape)), np.int64)
    )
    return (indices[keep].astype(np.int64), values[keep], a_shape.astype(np.int64))


@register_kernel("SparseAddGrad")
def sparse_add_grad(grad, a_indices, b_indices, sum_indices, *, T):
    a_grad = np.zeros(len(a_indices), dtype=grad.dtype)
    b_grad = np.zeros(len(b_indices), dtype=grad.dtype)
    position = {tuple(index): k for k, index in enumerate(sum_indices.tolist())}
    for source, out in ((a_indices, a_grad), (b_indices, b_grad)):
        for k, index in enumerate(source.tolist()):
            found = position.get(tuple(index))
            if found is not None:
                out[k] = grad[found]
    return (a_grad, b_grad)


@register_kernel("SparseTensorDenseAdd")
def sparse_tensor_dense_add(a_indices, a_values, a_shape, b, *, T, Tindices):
    if len(a_shape) != b.ndim:
        fail(f"Dimensions must match: sparse rank {len(a_shape)} vs dense rank {b.ndim}")
    for d, (x, y) in enumerate(zip(a_shape.tolist(), b.shape)):
        if x != y:
            fail(
                f"Dimension {d} does not equal (no broadcasting is supported): sparse side {x} "
                f"vs dense side {y}"
            )
    out = np.array(b, copy=True)
    _check_bounds(a_indices, a_shape)
    np.add.at(out, tuple(np.asarray(a_indices).T), a_values)
    return (out,)


def _check_bounds(indices, shape) -> None:
    bad = np.argwhere(((indices < 0) | (indices >= np.asarray(shape))).any(axis=1))
    if len(bad):
        row = int(bad[0][0])
        fail(
            f"indices[{row}] = {_text(indices[row])} is out of bounds: need 0 <= index < {_text(shape)}"
        )


# -- a sparse tensor and a dense one, elementwise at the sparse indices ---------------------


def _sparse_dense_cwise(fn):
    def kernel(sp_indices, sp_values, sp_shape, dense, *, T):
        sparse_shape = tuple(int(d) for d in sp_shape)
        try:  # the dense side broadcasts to the sparse side's shape, never the other way
            dense = np.broadcast_to(dense, sparse_shape)
        except ValueError:
            fail(
                "SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible "
                f"shapes: {_text(sparse_shape)} vs. {_text(dense.shape)}"
            )
        indices = np.asarray(sp_indices)
        if len(indices) and ((indices < 0) | (indices >= np.asarray(sparse_shape))).any():
            fail("Provided indices are out-of-bounds w.r.t. dense side with broadcasted shape")
        met = dense[tuple(indices.T)] if indices.size else dense.reshape(-1)[:0]
        return (np.asarray(fn(sp_values, met), dtype=sp_values.dtype),)

    return kernel


register_kernel("SparseDenseCwiseMul")(_sparse_dense_cwise(np.multiply))
register_kernel("SparseDenseCwiseAdd")(_sparse_dense_cwise(np.add))


@register_kernel("SparseDenseCwiseDiv")
def sparse_dense_cwise_div(sp_indices, sp_values, sp_shape, dense, *, T):
    divide = truncating_divide if sp_values.dtype.kind in "iu" else np.true_divide
    return _sparse_dense_cwise(divide)(sp_indices, sp_values, sp_shape, dense, T=T)


# -- sparse_dense_matmul -----------------------------------------------------------------


@register_kernel("SparseTensorDenseMatMul")
def sparse_tensor_dense_matmul(
    a_indices, a_values, a_shape, b, *, T, Tindices, adjoint_a, adjoint_b
):
    if b.ndim != 2:
        fail("Tensor 'b' is not a matrix")
    if len(a_shape) != 2:
        fail("Tensor 'a_shape' is not a vector of length 2")
    rows, inner = (
        (int(a_shape[1]), int(a_shape[0])) if adjoint_a else (int(a_shape[0]), int(a_shape[1]))
    )
    right = b.T if adjoint_b else b
    if adjoint_b and np.iscomplexobj(b):
        right = np.conj(right)
    if right.shape[0] != inner:
        fail(
            f"Cannot multiply A and B because inner dimension does not match: {inner} vs. "
            f"{right.shape[0]}.  Did you forget a transpose?  Dimensions of A: "
            f"[{int(a_shape[0])}, {int(a_shape[1])}).  Dimensions of B: {shape_text(b.shape)}"
        )
    out_rows = a_indices[:, 1] if adjoint_a else a_indices[:, 0]
    ks = a_indices[:, 0] if adjoint_a else a_indices[:, 1]
    for position, (row, k) in enumerate(zip(out_rows.tolist(), ks.tolist())):
        if not 0 <= k < inner:
            fail(
                f"k ({k}) from index[{position},{0 if adjoint_a else 1}] out of bounds (>={inner})"
            )
        if not 0 <= row < rows:
            fail(
                f"row ({row}) from index[{position},{1 if adjoint_a else 0}] out of bounds "
                f"(>={rows})"
            )
    values = np.conj(a_values) if adjoint_a and np.iscomplexobj(a_values) else a_values
    out = np.zeros((rows, right.shape[1]), dtype=np.result_type(a_values, b))
    _add_rows(out, out_rows, values[:, None] * right[ks])
    return (out.astype(b.dtype, copy=False),)


def _add_rows(out: np.ndarray, rows: np.ndarray, parts: np.ndarray) -> None:
    """``out[rows[i]] += parts[i]``, repeated rows summed in order (a sort and a
    segmented sum: ``np.add.at`` is an element-at-a-time loop)."""
    if not len(rows):
        return
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    out[sorted_rows[starts]] += np.add.reduceat(parts[order], starts, axis=0)


# -- reorder, reshape --------------------------------------------------------------------


@register_kernel("SparseReorder")
def sparse_reorder(indices, values, shape, *, T):
    if indices.ndim != 2 or len(values) != len(indices):
        fail(f"Input indices should be a matrix but received shape {shape_text(indices.shape)}")
    order = _order(indices)
    return (indices[order], values[order])


@register_kernel("SparseReshape")
def sparse_reshape(indices, input_shape, new_shape):
    old = [int(d) for d in input_shape]
    target = [int(d) for d in new_shape]
    dense_count = int(np.prod(old))
    unknown = [i for i, d in enumerate(target) if d == -1]
    if len(unknown) > 1:
        fail(f"only one output dimension may be -1, not both {unknown[0]} and {unknown[1]}")
    for i, d in enumerate(target):
        if d < -1:
            fail(f"size {i} must be non-negative, not {d}")
    known = int(np.prod([d for d in target if d != -1]))
    if unknown:
        if known == 0 or dense_count % known:
            shown = [1 if d == -1 else d for d in target]
            fail(
                f"Input to reshape is a SparseTensor with {dense_count} dense values, but the "
                f"requested shape requires a multiple of {known}. input_shape={_text(old)} "
                f"output_shape={_text(shown)}"
            )
        target[unknown[0]] = dense_count // known
    elif known != dense_count:
        fail(
            f"Input to reshape is a tensor with {dense_count} dense values, but the requested "
            f"shape has {known}. input_shape={_text(old)} output_shape={_text(target)}"
        )
    flat = _row_major(indices, old)
    if not target:
        return (np.zeros((len(indices), 0), np.int64), np.asarray(target, np.int64))
    out = (
        np.stack(np.unravel_index(flat, target), axis=1)
        if len(indices)
        else np.zeros((0, len(target)), np.int64)
    )
    return (out.astype(np.int64), np.asarray(target, np.int64))


# -- concat, slice, split ----------------------------------------------------------------


@register_kernel("SparseConcat")
def sparse_concat(*inputs, concat_dim, N, T):
    indices, values, shapes = inputs[:N], inputs[N : 2 * N], inputs[2 * N :]
    rank = len(shapes[0])
    if not -rank <= concat_dim < rank:
        fail(f"Concat dimension out of range: got {concat_dim} but the rank is {rank}")
    axis = concat_dim % rank
    offset, parts = 0, []
    for position, (index, shape) in enumerate(zip(indices, shapes)):
        if len(shape) != rank:
            fail(
                f"Ranks of all input tensors must match: expected {rank} but got {len(shape)} "
                f"at position {position}"
            )
        for d in range(rank):
            if d != axis and shape[d] != shapes[0][d]:
                fail(
                    f"Input shapes must match: expected {shapes[0][d]} for dimension {d} but "
                    f"got {shape[d]} at position {position}"
                )
        moved = np.array(index, copy=True)
        moved[:, axis] += offset
        parts.append(moved)
        offset += int(shape[axis])
    all_indices = np.concatenate(parts).astype(np.int64)
    all_values = np.concatenate(values)
    out_shape = np.array(shapes[0], dtype=np.int64)
    out_shape[axis] = offset
    # TF orders by the other dimensions first, then the concat one (so row-major order
    # within each input becomes row-major order of the result).
    order = _order(all_indices)
    return (all_indices[order], all_values[order], out_shape)


@register_kernel("SparseSlice")
def sparse_slice(indices, values, shape, start, size, *, T):
    rank = len(shape)
    for what, vector in (("start", start), ("size", size)):
        if len(vector) != rank:
            fail(f"Expected {what} to be a vector of length {rank} but got length {len(vector)}")
    begin = np.asarray(start, np.int64)
    end = begin + np.asarray(size, np.int64)
    inside = (
        ((indices >= begin) & (indices < end)).all(axis=1) if len(indices) else np.zeros(0, bool)
    )
    out_shape = np.maximum(np.minimum(end, shape) - begin, 0).astype(np.int64)
    return ((indices[inside] - begin).astype(np.int64), values[inside], out_shape)


@register_kernel("SparseSliceGrad")
def sparse_slice_grad(grad, input_indices, input_start, output_indices, *, T):
    position = {tuple(index): k for k, index in enumerate(output_indices.tolist())}
    out = np.zeros(len(input_indices), dtype=grad.dtype)
    for k, index in enumerate((input_indices - input_start).tolist()):
        found = position.get(tuple(index))
        if found is not None:
            out[k] = grad[found]
    return (out,)


@register_kernel("SparseSplit")
def sparse_split(split_dim, indices, values, shape, *, num_split, T):
    rank = len(shape)
    axis = int(split_dim)
    if not -rank <= axis < rank:
        fail(f"Input axis should be in range [{-rank}, {rank}), got {axis}")
    axis %= rank
    size = int(shape[axis])
    if num_split > size:
        fail(
            f"SparseSplit: num_split should be less than or equal to the split dimension size "
            f"{size}, got {num_split}"
        )
    base, extra = divmod(size, num_split)
    sizes = [base + (1 if i < extra else 0) for i in range(num_split)]
    edges = np.cumsum([0, *sizes])
    out_indices, out_values, out_shapes = [], [], []
    for i in range(num_split):
        inside = (indices[:, axis] >= edges[i]) & (indices[:, axis] < edges[i + 1])
        moved = np.array(indices[inside], copy=True)
        moved[:, axis] -= edges[i]
        part_shape = np.array(shape, dtype=np.int64)
        part_shape[axis] = sizes[i]
        out_indices.append(moved.astype(np.int64))
        out_values.append(values[inside])
        out_shapes.append(part_shape)
    return (*out_indices, *out_values, *out_shapes)


# -- reduce_max, fill_empty_rows ---------------------------------------------------------


def _group_max(indices, values, shape, axes, keep_dims):
    """The kept dims' coordinates of each group present and its largest value."""
    kept_indices, kept, out_shape = _reduction(indices, values, shape, axes, keep_dims)
    groups, inverse = np.unique(kept_indices, axis=0, return_inverse=True)
    maxima = np.full(len(groups), _lowest(values.dtype), dtype=values.dtype)
    np.maximum.at(maxima, inverse.reshape(-1), values)
    return groups, maxima, kept, out_shape


def _lowest(dtype):
    return -np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).min


@register_kernel("SparseReduceMax")
def sparse_reduce_max(indices, values, shape, axes, *, keep_dims, T):
    groups, maxima, kept, out_shape = _group_max(indices, values, shape, axes, keep_dims)
    kept_shape = [int(shape[d]) for d in kept]
    out = np.zeros(int(np.prod(kept_shape)), dtype=values.dtype)  # no value reduced: 0
    out[_row_major(groups.reshape(len(groups), -1), kept_shape)] = maxima
    return (out.reshape(out_shape),)


@register_kernel("SparseReduceMaxSparse")
def sparse_reduce_max_sparse(indices, values, shape, axes, *, keep_dims, T):
    groups, maxima, kept, out_shape = _group_max(indices, values, shape, axes, keep_dims)
    groups = groups.reshape(len(groups), -1)
    if keep_dims:
        full = np.zeros((len(groups), len(shape)), np.int64)
        full[:, kept] = groups
        groups = full
    return (groups.astype(np.int64), maxima, np.asarray(out_shape, np.int64))


@register_kernel("SparseFillEmptyRows")
def sparse_fill_empty_rows(indices, values, dense_shape, default_value, *, T):
    if np.ndim(default_value) != 0:
        fail(f"default_value must be a scalar, saw: {shape_text(np.shape(default_value))}")
    rows = int(dense_shape[0]) if len(dense_shape) else 0
    if len(indices) and ((indices[:, 0] < 0) | (indices[:, 0] >= rows)).any():
        bad = int(np.flatnonzero((indices[:, 0] < 0) | (indices[:, 0] >= rows))[0])
        fail(f"indices({bad}, 0) is invalid: {int(indices[bad, 0])} >= {rows}")
    empty = np.ones(rows, dtype=bool)
    empty[indices[:, 0]] = False
    filled = np.zeros((int(empty.sum()), indices.shape[1]), np.int64)
    filled[:, 0] = np.flatnonzero(empty)
    all_indices = np.concatenate([indices, filled]).astype(np.int64)
    all_values = np.concatenate([values, np.full(len(filled), default_value, values.dtype)])
    order = np.argsort(all_indices[:, 0], kind="stable")  # by row, each row's entries in order
    reverse_index_map = np.empty(len(order), np.int64)
    reverse_index_map[order] = np.arange(len(order))
    return (all_indices[order], all_values[order], empty, reverse_index_map[: len(indices)])


@register_kernel("SparseFillEmptyRowsGrad")
def sparse_fill_empty_rows_grad(reverse_index_map, grad_values, *, T):
    values_grad = grad_values[reverse_index_map]
    taken = np.zeros(len(grad_values), dtype=bool)
    taken[reverse_index_map] = True
    return (values_grad, np.asarray(grad_values[~taken].sum(), dtype=grad_values.dtype))


# -- edit distance -------------------------------------------------------------------------


def _sequences(indices, values, shape, what: str) -> dict:
    """The values of each sequence (keyed by its outer index), in the last index's order."""
    if indices.ndim != 2 or indices.shape[1] != len(shape):
        fail(f"{what}_indices should be a matrix with {len(shape)} columns")
    order = _order(indices)
    sequences: dict = {}
    for i in order:
        sequences.setdefault(tuple(indices[i, :-1].tolist()), []).append(values[i])
    return sequences


def _levenshtein(a: list, b: list) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@register_kernel("EditDistance")
def edit_distance(
    hypothesis_indices,
    hypothesis_values,
    hypothesis_shape,
    truth_indices,
    truth_values,
    truth_shape,
    *,
    normalize,
    T,
):
    if len(hypothesis_shape) != len(truth_shape):
        fail(
            "hypothesis_shape and truth_shape should have the same rank: "
            f"{len(hypothesis_shape)} vs. {len(truth_shape)}"
        )
    hypotheses = _sequences(hypothesis_indices, hypothesis_values, hypothesis_shape, "hypothesis")
    truths = _sequences(truth_indices, truth_values, truth_shape, "truth")
    outer = np.maximum(hypothesis_shape[:-1], truth_shape[:-1]).astype(np.int64)
    out = np.zeros(tuple(outer), np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        for key in hypotheses.keys() | truths.keys():
            truth = truths.get(key, [])
            distance = np.float32(_levenshtein(hypotheses.get(key, []), truth))
            out[key] = distance / np.float32(len(truth)) if normalize else distance
    return (out,)


# -- maximum, minimum, softmax, sparse_matmul ----------------------------------------------


def _taken(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values[positions]``, with the zero of ``values``' dtype where a position is -1."""
    out = np.zeros((len(positions), *values.shape[1:]), values.dtype)
    present = positions >= 0
    out[present] = values[positions[present]]
    return out


def _sparse_sparse(combine):
    """A kernel combining two sparse tensors entry by entry (a missing entry is 0)."""

    def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape, *, T):
        _check_same_shape(a_shape, b_shape)
        from_a, from_b = _merge(a_indices, b_indices).T
        indices = np.where(
            (from_a >= 0)[:, None], _taken(a_indices, from_a), _taken(b_indices, from_b)
        )
        values = combine(_taken(a_values, from_a), _taken(b_values, from_b))
        return indices.astype(np.int64), values.astype(a_values.dtype)

    return kernel


register_kernel("SparseSparseMaximum")(_sparse_sparse(np.maximum))
register_kernel("SparseSparseMinimum")(_sparse_sparse(np.minimum))


@register_kernel("SparseSoftmax")
def sparse_softmax(sp_indices, sp_values, sp_shape, *, T):
    if sp_indices.ndim != 2 or len(sp_shape) < 1:
        fail(f"Input should have rank >= 1, got {len(sp_shape)}")
    rows: dict = {}
    for i, index in enumerate(sp_indices[:, :-1].tolist()):
        rows.setdefault(tuple(index), []).append(i)
    out = np.empty_like(sp_values)
    for members in rows.values():
        values = sp_values[members]
        exps = np.exp(values - values.max())
        out[members] = exps / exps.sum()
    return (out,)


@register_kernel("SparseMatMul")
def sparse_matmul(a, b, *, transpose_a, transpose_b, a_is_sparse, b_is_sparse, Ta, Tb):
    a = a.T if transpose_a else a
    b = b.T if transpose_b else b
    if a.shape[1] != b.shape[0]:
        fail(f"Matrix size incompatible: a: {shape_text(a.shape)}, b: {shape_text(b.shape)}")
    return (np.matmul(a.astype(np.float32), b.astype(np.float32)),)
