"""Sparse components of dataset elements (a ``map`` returning ``parse_example``'s
``VarLenFeature`` values, say), carried as TF carries them.

Inside a pipeline a ``SparseTensor`` is one ``variant`` component of shape ``[3]``:
its ``indices``, ``values`` and ``dense_shape`` (``SerializeSparse`` with
``out_type=variant``). Batching stacks these into ``[n, 3]``, unbatching slices them
back (``unbatch`` first splits a batched sparse component into ``[n, 3]`` rows with
``SerializeManySparse``, as TF's does), and ``DeserializeSparse`` turns a ``[3]`` or ``[n, 3]`` component into one
``SparseTensor`` again (a batch gets a leading batch dimension), so ``get_next`` and
the functions of ``map``/``filter`` see ``SparseTensor`` objects.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes, sparse_codec
from ..errors import InvalidArgumentError
from ..registry import OpDef, TensorSpec, not_differentiable, register_kernel, register_op
from ..shapes import TensorShape

SERIALIZE = register_op(
    OpDef(
        "SerializeSparse",
        ("sparse_indices: int64", "sparse_values: T", "sparse_shape: int64"),
        ("serialized_sparse: out_type",),
        ("T: type", "out_type: {string, variant} = DT_STRING"),
        shape_fn=lambda i, v, s, *, T, out_type: [TensorSpec(out_type, TensorShape([3]))],
    )
)
DESERIALIZE = register_op(
    OpDef(
        "DeserializeSparse",
        ("serialized_sparse: Tserialized",),
        ("sparse_indices: int64", "sparse_values: dtype", "sparse_shape: int64"),
        ("dtype: type", "Tserialized: {string, variant} = DT_STRING"),
        shape_fn=lambda s, *, dtype, Tserialized: [
            TensorSpec(dtypes.int64, TensorShape([None, None])),
            TensorSpec(dtype, TensorShape([None])),
            TensorSpec(dtypes.int64, TensorShape([None])),
        ],
    )
)
SERIALIZE_MANY = register_op(
    OpDef(
        "SerializeManySparse",
        ("sparse_indices: int64", "sparse_values: T", "sparse_shape: int64"),
        ("serialized_sparse: out_type",),
        ("T: type", "out_type: {string, variant} = DT_STRING"),
        shape_fn=lambda i, v, s, *, T, out_type: [TensorSpec(out_type, TensorShape([None, 3]))],
    )
)
not_differentiable("SerializeManySparse")
not_differentiable("SerializeSparse")
not_differentiable("DeserializeSparse")


@register_kernel("SerializeSparse")
def serialize_sparse(sparse_indices, sparse_values, sparse_shape, *, T, out_type):
    if out_type == dtypes.string:  # tf.io.serialize_sparse: TF's bytes
        return (sparse_codec.serialize_sparse(sparse_indices, sparse_values, sparse_shape),)
    parts = np.empty(3, dtype=object)
    parts[0], parts[1], parts[2] = (
        np.asarray(p) for p in (sparse_indices, sparse_values, sparse_shape)
    )
    return (parts,)


@register_kernel("SerializeManySparse")
def serialize_many_sparse(sparse_indices, sparse_values, sparse_shape, *, T, out_type):
    """One ``[3]`` row per entry of the first dimension (what ``unbatch`` slices)."""
    if out_type == dtypes.string:  # tf.io.serialize_many_sparse: TF's bytes
        return (sparse_codec.serialize_many_sparse(sparse_indices, sparse_values, sparse_shape),)
    indices = np.asarray(sparse_indices, np.int64)
    values = np.asarray(sparse_values)
    shape = np.asarray(sparse_shape, np.int64)
    if shape.size == 0:
        raise InvalidArgumentError(None, None, "Cannot split a scalar sparse tensor into rows.")
    rows = np.empty((int(shape[0]), 3), dtype=object)
    for i in range(rows.shape[0]):
        mine = indices[:, 0] == i
        rows[i, 0], rows[i, 1], rows[i, 2] = indices[mine, 1:], values[mine], shape[1:]
    return (rows,)


@register_kernel("DeserializeSparse")
def deserialize_sparse(serialized_sparse, *, dtype, Tserialized):
    serialized = np.asarray(serialized_sparse, dtype=object)
    if serialized.shape == (3,):
        indices, values, shape = serialized
        return np.asarray(indices, np.int64), np.asarray(values), np.asarray(shape, np.int64)
    if serialized.ndim != 2 or serialized.shape[1] != 3:
        raise InvalidArgumentError(
            None,
            None,
            f"Serialized sparse tensors must have shape [3] or [N, 3], got {list(serialized.shape)}",
        )
    return _batched(serialized, dtype)


def _batched(rows, dtype) -> tuple:
    """One sparse tensor of ``n`` stacked ones: a leading index, the largest dense shape."""
    shapes = [np.asarray(row[2], np.int64) for row in rows]
    ranks = {len(shape) for shape in shapes}
    if len(ranks) > 1:
        raise InvalidArgumentError(
            None, None, f"Cannot batch sparse tensors of different ranks: {sorted(ranks)}"
        )
    rank = ranks.pop() if ranks else 0
    indices = [
        np.concatenate(
            [
                np.full((len(row[0]), 1), i, np.int64),
                np.asarray(row[0], np.int64).reshape(-1, rank),
            ],
            1,
        )
        for i, row in enumerate(rows)
    ]
    values = [np.asarray(row[1]) for row in rows]
    largest = np.max(np.stack(shapes), axis=0) if shapes else np.zeros(rank, np.int64)
    return (
        np.concatenate(indices) if indices else np.zeros((0, rank + 1), np.int64),
        np.concatenate(values) if values else np.zeros(0, dtype.as_numpy_dtype),
        np.concatenate([[len(rows)], largest]).astype(np.int64),
    )


def to_variant(sparse):
    """The ``[3]`` variant component of ``sparse`` (a ``SparseTensor``)."""
    from ..ops.core import apply_op

    return apply_op(
        SERIALIZE,
        [sparse.indices, sparse.values, sparse.dense_shape],
        "SerializeSparse",
        out_type=dtypes.variant,
    ).outputs[0]


def to_rows(sparse):
    """The ``[n, 3]`` variant of ``sparse``, one row per entry of its first dimension."""
    from ..ops.core import apply_op

    return apply_op(
        SERIALIZE_MANY,
        [sparse.indices, sparse.values, sparse.dense_shape],
        "SerializeManySparse",
        out_type=dtypes.variant,
    ).outputs[0]


def from_variant(component, spec):
    """The ``SparseTensor`` of a ``[3]`` or ``[n, 3]`` component whose ``SparseSpec`` is ``spec``."""
    from ..ops.core import apply_op
    from ..sparse_tensor import SparseTensor

    indices, values, shape = apply_op(
        DESERIALIZE, [component], "DeserializeSparse", dtype=spec.dtype
    ).outputs
    rank = spec.shape.rank
    if rank is not None:
        indices.set_shape([None, rank])
        shape.set_shape([rank])
    return SparseTensor(indices, values, shape)
