"""``tf.SparseTensor``: a sparse tensor as three dense ones, and its fetched value.

``indices`` (int64 ``[N, rank]``), ``values`` (``[N]``) and ``dense_shape`` (int64
``[rank]``). ``Session.run`` fetches a ``SparseTensor`` as a ``SparseTensorValue``
and feeds one from a ``SparseTensorValue`` (or an ``(indices, values, shape)`` tuple).
"""

from __future__ import annotations

import collections

from . import dtypes
from .fetching import register_session_run_conversion_functions
from .shapes import TensorShape

__all__ = ["SparseTensor", "SparseTensorValue"]


class SparseTensorValue(collections.namedtuple("SparseTensorValue", "indices values dense_shape")):
    """The value of a fetched ``SparseTensor`` (``tf.compat.v1.SparseTensorValue``)."""


class SparseTensor:
    """A sparse tensor of the graph: the ``indices`` where ``values`` sit in ``dense_shape``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = SparseTensor(indices=[[0, 1], [2, 0]], values=[5.0, 6.0], dense_shape=[3, 2])
    ...     print(tf.compat.v1.Session().run(st).values)
    [5. 6.]
    >>> st.dtype, st.shape
    (tf.float32, TensorShape([3, 2]))
    """

    def __init__(self, indices, values, dense_shape):
        from .ops.core import convert_to_tensor

        self._indices = convert_to_tensor(indices, dtype=dtypes.int64, name="indices")
        self._values = convert_to_tensor(values, name="values")
        self._dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64, name="dense_shape")

    indices = property(lambda self: self._indices, doc="int64 ``[N, rank]`` positions.")
    values = property(lambda self: self._values, doc="``[N]`` values.")
    dense_shape = property(lambda self: self._dense_shape, doc="int64 ``[rank]`` shape.")
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    op = property(lambda self: self._values.op)

    @property
    def shape(self) -> TensorShape:
        """The static dense shape (known when ``dense_shape`` is a constant)."""
        from .ops.constant_value import constant_value

        value = constant_value(self._dense_shape)
        if value is not None:
            return TensorShape([int(d) for d in value])
        rank = self._dense_shape.shape[0] if self._dense_shape.shape.rank == 1 else None
        return TensorShape(None) if rank is None else TensorShape([None] * rank)

    def get_shape(self) -> TensorShape:
        return self.shape

    def __repr__(self):
        return (
            f"SparseTensor(indices={self._indices}, values={self._values}, "
            f"dense_shape={self._dense_shape})"
        )


def _fetch(sparse: SparseTensor):
    tensors = [sparse.indices, sparse.values, sparse.dense_shape]
    return tensors, lambda values: SparseTensorValue(*values)


def _feed(sparse: SparseTensor, value):
    return list(zip([sparse.indices, sparse.values, sparse.dense_shape], value))


register_session_run_conversion_functions(
    SparseTensor,
    _fetch,
    _feed,
    lambda sparse: [sparse.indices, sparse.values, sparse.dense_shape],
)
