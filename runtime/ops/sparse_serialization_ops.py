"""Sparse tensors as strings: ``tf.io.serialize_sparse`` (one sparse tensor as three
serialized ``TensorProto``s), ``serialize_many_sparse`` (one row of three per entry of
the first axis) and ``deserialize_many_sparse`` (rows back into one batched sparse
tensor), as TF writes and reads them (:mod:`runtime.sparse_codec`; ``SerializeSparse`` and ``SerializeManySparse`` are
declared with the datasets' sparse components, which they also carry). TF1 programs use
them to pass sparse tensors through queues and ``tf.train.batch``.
"""

from __future__ import annotations

from .. import dtypes
from .. import sparse_codec as _codec_kernels  # noqa: F401 - registers the kernel
from ..data.sparse_elements import SERIALIZE as SERIALIZE_SPARSE
from ..data.sparse_elements import SERIALIZE_MANY as SERIALIZE_MANY_SPARSE
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, SparseTensorValue
from .packing import build
from .shape_util import with_rank

__all__: list = []  # tf.io's names: runtime.io; TF1's top-level ones below


def _deserialize_shape(serialized: TensorSpec, *, dtype):
    dims = with_rank(serialized.shape, 2).as_tuple()
    if dims[1] not in (None, 3):
        raise ValueError(f"Dimension must be 3 but is {dims[1]}")
    return [
        TensorSpec(dtypes.int64, TensorShape([None, None])),
        TensorSpec(dtype, TensorShape([None])),
        TensorSpec(dtypes.int64, TensorShape([None])),
    ]


DESERIALIZE_MANY_SPARSE = register_op(
    OpDef(
        "DeserializeManySparse",
        ("serialized_sparse: string",),
        ("sparse_indices: int64", "sparse_values: dtype", "sparse_shape: int64"),
        ("dtype: type",),
        _deserialize_shape,
    )
)
not_differentiable("DeserializeManySparse")


def _sparse(sp_input) -> SparseTensor:
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


def _serialize(op_def: OpDef, sp_input, name, out_type) -> Tensor:
    sp_input = _sparse(sp_input)
    parts = [sp_input.indices, sp_input.values, sp_input.dense_shape]
    return build(op_def, parts, name, out_type=dtypes.as_dtype(out_type)).outputs[0]


def serialize_sparse(sp_input, name=None, out_type=dtypes.string) -> Tensor:
    """The sparse tensor ``sp_input`` as a string vector of three serialized
    ``TensorProto``s: its indices, values and dense shape.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 1]], [5], [2, 3])
    ...     print(serialize_sparse(st).shape)
    (3,)
    """
    return _serialize(SERIALIZE_SPARSE, sp_input, name, out_type)


def serialize_many_sparse(sp_input, name=None, out_type=dtypes.string) -> Tensor:
    """Each entry of the first axis of ``sp_input`` (rank >= 2) as a row of three
    serialized ``TensorProto``s: a ``[N, 3]`` string matrix, one sparse tensor per row.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 1], [1, 0]], [5, 6], [2, 3])
    ...     print(tf.compat.v1.Session().run(serialize_many_sparse(st)).shape)
    (2, 3)
    """
    return _serialize(SERIALIZE_MANY_SPARSE, sp_input, name, out_type)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None) -> SparseTensor:
    """The ``[N, 3]`` serialized sparse tensors (of ``dtype`` values, all of one rank) as
    one sparse tensor with a new first axis of ``N``; the other axes are as long as the
    longest of the tensors'. ``rank`` (with the new axis) sets the static shapes.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 1], [1, 0]], [5, 6], [2, 3])
    ...     back = deserialize_many_sparse(serialize_many_sparse(st), tf.int32)
    ...     value = tf.compat.v1.Session().run(back)
    >>> value.indices.tolist(), value.values.tolist(), value.dense_shape.tolist()
    ([[0, 1], [1, 0]], [5, 6], [2, 3])
    """
    with name_scope(name, "DeserializeManySparse", [serialized_sparse]) as scope:
        indices, values, shape = build(
            DESERIALIZE_MANY_SPARSE, [serialized_sparse], scope, dtype=dtypes.as_dtype(dtype)
        ).outputs
        indices.set_shape([None, rank])
        shape.set_shape([rank])
        return SparseTensor(indices, values, shape)


# tf.compat.v1's top-level names.
V1_OVERRIDES = {
    "deserialize_many_sparse": deserialize_many_sparse,
    "serialize_many_sparse": serialize_many_sparse,
    "serialize_sparse": serialize_sparse,
}
