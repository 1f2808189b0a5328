"""Set operations along the last axis (``tf.sets``): each vector along the last axis of
``a`` and ``b`` is a set of integers or strings; ``intersection``, ``union`` and
``difference`` give a ``SparseTensor`` of the sorted results per row, and ``size``
counts the distinct elements of each row of a ``SparseTensor``.

The ops take dense/dense, dense/sparse or sparse/sparse inputs; a sparse ``a`` with a
dense ``b`` is swapped (the difference turned around), as TF's builders do.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor
from .packing import build
from .shape_util import with_rank, with_rank_at_least

__all__: list = []  # tf.sets's names: runtime.sets

_VALID_DTYPES = frozenset(
    {
        dtypes.int8,
        dtypes.int16,
        dtypes.int32,
        dtypes.int64,
        dtypes.uint8,
        dtypes.uint16,
        dtypes.string,
    }
)
_ATTRS = (
    "set_operation: string",
    "validate_indices: bool = true",
    "T: {int8, int16, int32, int64, uint8, uint16, string}",
)


def _result_specs(rank, T) -> list:
    return [
        TensorSpec(dtypes.int64, TensorShape([None, rank])),
        TensorSpec(T, TensorShape([None])),
        TensorSpec(dtypes.int64, TensorShape([rank])),
    ]


def _dense_to_dense_shape(set1: TensorSpec, set2: TensorSpec, *, T, **_attrs):
    a = with_rank_at_least(set1.shape, 2)
    if a.rank is not None:
        with_rank(set2.shape, a.rank)
    with_rank_at_least(set2.shape, 2)
    return _result_specs(a.rank, T)


def _dense_to_sparse_shape(set1: TensorSpec, indices, values, shape, *, T, **_attrs):
    a = with_rank_at_least(set1.shape, 2)
    with_rank(indices.shape, 2)
    with_rank(values.shape, 1)
    with_rank(shape.shape, 1)
    return _result_specs(a.rank, T)


def _sparse_to_sparse_shape(a_indices, a_values, a_shape, *specs, T, **_attrs):
    rank = with_rank(a_shape.shape, 1).dim_value(0)
    return _result_specs(rank, T)


_SET_OUTPUTS = ("result_indices: int64", "result_values: T", "result_shape: int64")
DENSE_TO_DENSE = register_op(
    OpDef(
        "DenseToDenseSetOperation",
        ("set1: T", "set2: T"),
        _SET_OUTPUTS,
        _ATTRS,
        _dense_to_dense_shape,
    )
)
DENSE_TO_SPARSE = register_op(
    OpDef(
        "DenseToSparseSetOperation",
        ("set1: T", "set2_indices: int64", "set2_values: T", "set2_shape: int64"),
        _SET_OUTPUTS,
        _ATTRS,
        _dense_to_sparse_shape,
    )
)
SPARSE_TO_SPARSE = register_op(
    OpDef(
        "SparseToSparseSetOperation",
        (
            "set1_indices: int64",
            "set1_values: T",
            "set1_shape: int64",
            "set2_indices: int64",
            "set2_values: T",
            "set2_shape: int64",
        ),
        _SET_OUTPUTS,
        _ATTRS,
        _sparse_to_sparse_shape,
    )
)
SET_SIZE = register_op(
    OpDef(
        "SetSize",
        ("set_indices: int64", "set_values: T", "set_shape: int64"),
        ("size: int32",),
        _ATTRS[1:],
        lambda indices, values, shape, **_attrs: [TensorSpec(dtypes.int32, TensorShape(None))],
    )
)
for _op_type in (
    "DenseToDenseSetOperation",
    "DenseToSparseSetOperation",
    "SparseToSparseSetOperation",
    "SetSize",
):
    not_differentiable(_op_type)


def _operands(a, b) -> tuple:
    """``(a, b, swapped)``: dense or sparse tensors of one valid type, a sparse ``a``
    with a dense ``b`` swapped (the ops take dense/sparse, not sparse/dense)."""
    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if a.dtype.base_dtype not in _VALID_DTYPES:
        raise TypeError(
            f"'a' has invalid dtype `{a.dtype}` not in supported dtypes: "
            f"`{sorted(d.name for d in _VALID_DTYPES)}`."
        )
    b = convert_to_tensor_or_sparse_tensor(b, name="b")
    if b.dtype.base_dtype != a.dtype.base_dtype:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a, b, operation: str, validate_indices: bool) -> SparseTensor:
    attrs = {"set_operation": operation, "validate_indices": bool(validate_indices)}
    if isinstance(a, SparseTensor):
        parts = [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape]
        op = build(SPARSE_TO_SPARSE, parts, None, **attrs)
    elif isinstance(b, SparseTensor):
        op = build(DENSE_TO_SPARSE, [a, b.indices, b.values, b.dense_shape], None, **attrs)
    else:
        op = build(DENSE_TO_DENSE, [a, b], None, **attrs)
    return SparseTensor(*op.outputs)


def set_intersection(a, b, validate_indices=True) -> SparseTensor:
    """The elements each row of ``a`` shares with the same row of ``b``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     common = set_intersection([[1, 2, 3], [4, 5, 6]], [[2, 3, 9], [7, 7, 7]])
    ...     print(tf.compat.v1.Session().run(common).values.tolist())
    [2, 3]
    """
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True) -> SparseTensor:
    """The elements of each row of ``a`` or of the same row of ``b``, sorted.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     both = set_union([[3, 1]], [[2, 1]])
    ...     print(tf.compat.v1.Session().run(both).values.tolist())
    [1, 2, 3]
    """
    a, b, _ = _operands(a, b)
    return _set_operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True) -> SparseTensor:
    """The elements of each row of ``a`` not in the same row of ``b`` (of ``b`` not in
    ``a`` if ``aminusb`` is false).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     left = set_difference([[1, 2, 3]], [[2, 5]])
    ...     print(tf.compat.v1.Session().run(left).values.tolist())
    [1, 3]
    """
    a, b, swapped = _operands(a, b)
    if swapped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_size(a, validate_indices=True) -> Tensor:
    """The number of distinct elements in each row of the ``SparseTensor`` ``a``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [7, 7, 8], [2, 2])
    ...     print(tf.compat.v1.Session().run(set_size(st)).tolist())
    [1, 1]
    """
    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    if a.values.dtype.base_dtype not in _VALID_DTYPES:
        raise TypeError(
            f"Invalid dtype `{a.values.dtype}` not in supported dtypes: "
            f"`{sorted(d.name for d in _VALID_DTYPES)}`."
        )
    return build(
        SET_SIZE,
        [a.indices, a.values, a.dense_shape],
        None,
        validate_indices=bool(validate_indices),
    ).outputs[0]
