"""``tf.saved_model.utils``: ``TensorInfo`` messages, the tensors a signature names.

A dense tensor is named (``"x:0"``), a ``SparseTensor`` by its indices, values and dense
shape tensors (``coo_sparse``); dtype and static shape come along, as TF writes them.
"""

from __future__ import annotations

from .. import dtypes
from ..default_graph import get_default_graph
from ..proto.meta_graph_pb2 import TensorInfo
from ..protobuf import _shape_to_proto
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor

__all__ = ["build_tensor_info", "get_tensor_from_tensor_info"]


def build_tensor_info(tensor) -> TensorInfo:
    """The ``TensorInfo`` of a ``Tensor`` or ``SparseTensor``: name(s), dtype, shape.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ...     info = build_tensor_info(x)
    >>> info.name, info.dtype, [d.size for d in info.tensor_shape.dim]
    ('x:0', 1, [-1, 3])
    """
    info = TensorInfo(dtype=dtypes.as_dtype(tensor.dtype).as_datatype_enum)
    _shape_to_proto(TensorShape(tensor.get_shape()), info.tensor_shape)
    if isinstance(tensor, SparseTensor):
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
    else:
        info.name = tensor.name
    return info


def build_tensor_info_from_op(op) -> TensorInfo:
    """An op's ``TensorInfo`` (its name, no dtype), as TF's builder files init ops."""
    info = TensorInfo(name=op.name)
    _shape_to_proto(TensorShape(None), info.tensor_shape)
    return info


def _scoped(name: str, import_scope) -> str:
    return f"{import_scope}/{name}" if import_scope else name


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The ``Tensor`` (or ``SparseTensor``) of ``graph`` a ``TensorInfo`` names.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     get_tensor_from_tensor_info(build_tensor_info(x)) is x
    True
    """
    graph = graph or get_default_graph()
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return graph.get_tensor_by_name(_scoped(tensor_info.name, import_scope))
    if encoding == "coo_sparse":
        sparse = tensor_info.coo_sparse
        return SparseTensor(
            *(
                graph.get_tensor_by_name(_scoped(name, import_scope))
                for name in (
                    sparse.indices_tensor_name,
                    sparse.values_tensor_name,
                    sparse.dense_shape_tensor_name,
                )
            )
        )
    raise ValueError(
        f"Invalid TensorInfo.encoding: {encoding}. Expected `coo_sparse`, "
        "`composite_tensor`, or `name` for a dense tensor."
    )


def get_element_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The op or tensor of ``graph`` a ``TensorInfo`` names (init and train ops)."""
    graph = graph or get_default_graph()
    return graph.as_graph_element(_scoped(tensor_info.name, import_scope))
