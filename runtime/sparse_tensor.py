"""``tf.SparseTensor``: a sparse tensor as three dense ones, and its fetched value.

``indices`` (int64 ``[N, rank]``), ``values`` (``[N]``) and ``dense_shape`` (int64
``[rank]``). ``Session.run`` fetches a ``SparseTensor`` as a ``SparseTensorValue``
and feeds one from a ``SparseTensorValue`` (or an ``(indices, values, shape)`` tuple;
``(indices, values)`` when the shape is a constant, as a ``sparse_placeholder`` with a
known shape has). The ops on sparse tensors are in :mod:`runtime.ops.sparse_ops`.
"""

from __future__ import annotations

import collections

from . import dtypes
from .fetching import register_session_run_conversion_functions
from .ops.constant_value import constant_value_as_shape
from .ops.core import convert_to_tensor
from .scopes import name_scope
from .shapes import TensorShape, as_shape

__all__ = [
    "SparseTensor",
    "SparseTensorValue",
    "convert_to_tensor_or_sparse_tensor",
    "is_sparse",
]


class SparseTensorValue(collections.namedtuple("SparseTensorValue", "indices values dense_shape")):
    """The value of a fetched ``SparseTensor`` (``tf.compat.v1.SparseTensorValue``).

    Examples
    --------
    >>> SparseTensorValue([[0, 1]], [5.0], [2, 2]).dense_shape
    [2, 2]
    """


class SparseTensor:
    """A sparse tensor of the graph: the ``indices`` where ``values`` sit in ``dense_shape``.

    Parameters
    ----------
    indices : int64 ``[N, rank]``
        The positions of the values, usually in row-major order (many ops require it;
        :func:`runtime.sparse.reorder` sorts them).
    values : ``[N]``
    dense_shape : int64 ``[rank]``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = SparseTensor(indices=[[0, 1], [2, 0]], values=[5.0, 6.0], dense_shape=[3, 2])
    ...     print(tf.compat.v1.Session().run(st).values)
    [5. 6.]
    >>> st.dtype, st.shape, st.indices.op.name
    (tf.float32, TensorShape([Dimension(3), Dimension(2)]), 'SparseTensor/indices')
    """

    def __init__(self, indices, values, dense_shape):
        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = convert_to_tensor(indices, name="indices", dtype=dtypes.int64)
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, name="dense_shape", dtype=dtypes.int64)
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._dense_shape_default = constant_value_as_shape(dense_shape)
        rows, rank = indices.shape.with_rank(2).as_tuple()
        (count,) = values.shape.with_rank(1).as_tuple()
        (length,) = dense_shape.shape.with_rank(1).as_tuple()
        for a, b in ((rows, count), (rank, length)):
            if a is not None and b is not None and a != b:
                raise ValueError(f"Dimensions {a} and {b} are not compatible")

    @classmethod
    def from_value(cls, sparse_tensor_value) -> SparseTensor:
        """A ``SparseTensor`` of constants from a ``SparseTensorValue`` (or itself)."""
        if not is_sparse(sparse_tensor_value):
            raise TypeError(
                f"Argument sparse_tensor_value={sparse_tensor_value} is neither a SparseTensor "
                "nor SparseTensorValue."
            )
        return cls(
            indices=sparse_tensor_value.indices,
            values=sparse_tensor_value.values,
            dense_shape=sparse_tensor_value.dense_shape,
        )

    indices = property(lambda self: self._indices, doc="int64 ``[N, rank]`` positions.")
    values = property(lambda self: self._values, doc="``[N]`` values.")
    dense_shape = property(lambda self: self._dense_shape, doc="int64 ``[rank]`` shape.")
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)
    op = property(lambda self: self._values.op, doc="The op that produces ``values``.")

    @property
    def shape(self) -> TensorShape:
        """The static dense shape: what ``dense_shape`` says while building."""
        return self._dense_shape_default

    def get_shape(self) -> TensorShape:
        return self._dense_shape_default

    def set_shape(self, shape) -> None:
        """Refine the static dense shape (``ValueError`` if incompatible)."""
        self._dense_shape_default = self._dense_shape_default.merge_with(as_shape(shape))

    def with_values(self, new_values) -> SparseTensor:
        """This sparse tensor's indices and shape with ``new_values``."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def consumers(self) -> list:
        """The ops that read any of the three tensors."""
        seen = {}
        for tensor in (self._indices, self._values, self._dense_shape):
            seen.update(dict.fromkeys(tensor.consumers()))
        return list(seen)

    def eval(self, feed_dict=None, session=None) -> SparseTensorValue:
        """The value in ``session`` (default: the default session)."""
        from .session import get_default_session

        session = session or get_default_session()
        if session is None:
            raise ValueError(
                "Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`"
            )
        return session.run(self, feed_dict)

    def __repr__(self):
        return (
            f"SparseTensor(indices={self._indices}, values={self._values}, "
            f"dense_shape={self._dense_shape})"
        )

    # As TF's: a dense tensor (broadcast to this shape) times or over this one, at its
    # indices; no + and no reflected operators.
    def __mul__(self, other):
        return _sparse_math().sparse_dense_cwise(self, other, "Mul", "mul")

    def __truediv__(self, other):
        return _sparse_math().sparse_dense_cwise(self, other, "Div", "truediv")


def _sparse_math():
    from .ops import sparse_math_ops  # the ops build on this module

    return sparse_math_ops


def is_sparse(x) -> bool:
    """True for a ``SparseTensor`` or a ``SparseTensorValue``.

    Examples
    --------
    >>> is_sparse(SparseTensorValue([[0]], [1], [2])), is_sparse([1])
    (True, False)
    """
    return isinstance(x, SparseTensor | SparseTensorValue)


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """``value`` as a ``SparseTensor`` (from a ``SparseTensorValue``) or a ``Tensor``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = convert_to_tensor_or_sparse_tensor(SparseTensorValue([[0]], [1.0], [2]))
    >>> type(st).__name__, st.dtype
    ('SparseTensor', tf.float32)
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise RuntimeError(
                f"Sparse dtype mismatch. Requested: {dtype.name},  Actual: {value.dtype.name}"
            )
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


def _fetch(sparse: SparseTensor):
    tensors = [sparse.indices, sparse.values, sparse.dense_shape]
    return tensors, lambda values: SparseTensorValue(*values)


def _feed(sparse: SparseTensor, value):
    # A known shape need not be fed: (indices, values) is enough.
    return list(zip([sparse.indices, sparse.values, sparse.dense_shape], value))


register_session_run_conversion_functions(
    SparseTensor,
    _fetch,
    _feed,
    lambda sparse: [sparse.indices, sparse.values, sparse.dense_shape],
)
