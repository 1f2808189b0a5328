"""Ops on ``SparseTensor``s: ``tf.sparse`` (``to_dense``, ``reduce_sum``, ``add``,
``sparse_dense_matmul``, ``reorder``, ``reshape``, ``retain``, ``concat``, ``slice``,
``split``, ``from_dense``) and ``sparse_placeholder``, with TF's gradients.

A sparse tensor is three tensors (:class:`~runtime.sparse_tensor.SparseTensor`); each
op takes them apart and builds a new one from its outputs. Most kernels expect the
indices in row-major (lexicographic) order, as TF's do; ``reorder`` sorts them.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor, SparseTensorValue
from . import math_ops
from .concat_ops import concat, stack
from .constant_value import constant_value, constant_value_as_shape, known_shape, known_value
from .core import constant, convert_to_tensor, deprecated_argument_lookup
from .fill_ops import zeros, zeros_like
from .gather_scatter_ops import gather, gather_nd
from .packing import build
from .placeholder_ops import identity, placeholder, placeholder_with_default
from .shape_ops import invert_permutation, reshape, shape, size, transpose
from .shape_util import merge_dim, with_rank
from .slicing_ops import slice

# TF2 has no top-level sparse op names (they are tf.sparse's: runtime.sparse); TF1's
# are in V1_OVERRIDES, at the end.
__all__: list = []

_NUMBERS = (
    "{float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, float16, uint32, uint64}"
)


def _sparse(sp_input) -> SparseTensor:
    """``sp_input`` as a ``SparseTensor``; TF's ``TypeError`` for anything else."""
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


def _rank_of(shape_spec: TensorSpec):
    """The rank a dense-shape vector gives (its length), or ``None``."""
    return with_rank(shape_spec.shape, 1).dim_value(0)


def _sparse_specs(dtype, rank, count=None) -> list:
    """The specs of a sparse tensor's three parts: ``[N, rank]``, ``[N]``, ``[rank]``."""
    return [
        TensorSpec(dtypes.int64, TensorShape([count, rank])),
        TensorSpec(dtype, TensorShape([count])),
        TensorSpec(dtypes.int64, TensorShape([rank])),
    ]


# -- to_dense ------------------------------------------------------------------------------


def _sparse_to_dense_shape(
    sparse_indices, output_shape, sparse_values, default_value, *, validate_indices, T, Tindices
):
    if sparse_indices.shape.rank is not None and sparse_indices.shape.rank > 2:
        raise ValueError(f"Shape must be at most rank 2 but is rank {sparse_indices.shape.rank}")
    if output_shape.shape.rank is not None and output_shape.shape.rank > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {output_shape.shape.rank}")
    with_rank(default_value.shape, 0)
    target = known_shape(output_shape) if output_shape.shape.rank == 1 else TensorShape(None)
    if output_shape.shape.rank == 0:
        target = TensorShape([None])
        value = known_value(output_shape)
        if value is not None:
            target = TensorShape([int(value)])
    return [TensorSpec(T, target)]


SPARSE_TO_DENSE = register_op(
    OpDef(
        "SparseToDense",
        (
            "sparse_indices: Tindices",
            "output_shape: Tindices",
            "sparse_values: T",
            "default_value: T",
        ),
        ("dense: T",),
        ("validate_indices: bool = true", "T: type", "Tindices: {int32, int64}"),
        _sparse_to_dense_shape,
    )
)


def sparse_to_dense(
    sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True, name=None
) -> Tensor:
    """A dense tensor of ``output_shape``: ``sparse_values`` at ``sparse_indices``,
    ``default_value`` elsewhere (TF1's ``tf.sparse_to_dense``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     d = sparse_to_dense([[0, 1], [1, 2]], [2, 3], [5, 6])
    ...     print(tf.compat.v1.Session().run(d).tolist())
    [[0, 5, 0], [0, 0, 6]]
    """
    return build(
        SPARSE_TO_DENSE,
        [sparse_indices, output_shape, sparse_values, default_value],
        name,
        validate_indices=bool(validate_indices),
    ).outputs[0]


def sparse_tensor_to_dense(
    sp_input, default_value=None, validate_indices=True, name=None
) -> Tensor:
    """The dense tensor ``sp_input`` stands for (``default_value``, 0 by default,
    where it has no value): ``tf.sparse.to_dense``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [2, 3])
    ...     print(tf.compat.v1.Session().run(sparse_tensor_to_dense(st, -1.0)))
    [[ 1. -1. -1.]
     [-1. -1.  2.]]
    """
    sp_input = _sparse(sp_input)
    if default_value is None:
        default_value = zeros([], dtype=sp_input.dtype)
    return build(
        SPARSE_TO_DENSE,
        [sp_input.indices, sp_input.dense_shape, sp_input.values, default_value],
        name,
        validate_indices=bool(validate_indices),
    ).outputs[0]


def from_dense(tensor, name=None) -> SparseTensor:
    """The non-zero entries of ``tensor`` as a ``SparseTensor``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = from_dense([[1, 0], [0, 2]])
    ...     print(tf.compat.v1.Session().run(st.indices).tolist())
    [[0, 0], [1, 1]]
    """
    with name_scope(name, "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        indices = math_ops.where(math_ops.not_equal(tensor, zeros_like(tensor)))
        values = gather_nd(tensor, indices)
        return SparseTensor(indices, values, shape(tensor, out_type=dtypes.int64))


# -- reduce_sum ----------------------------------------------------------------------------


def _sparse_reduce_shape(input_indices, input_values, input_shape, reduction_axes, *, keep_dims, T):
    shape_value, axes = known_value(input_shape), known_value(reduction_axes)
    if shape_value is None or axes is None:
        return [TensorSpec(T, TensorShape(None))]
    rank = len(shape_value)
    axes = np.reshape(axes, -1).tolist()
    if any(not -rank <= axis < rank for axis in axes):
        return [TensorSpec(T, TensorShape(None))]  # the kernel says which, as TF's
    reduced = {axis % rank for axis in axes}
    dims = [
        1 if i in reduced else int(d)
        for i, d in enumerate(shape_value)
        if keep_dims or i not in reduced
    ]
    return [TensorSpec(T, TensorShape(dims))]


def _sparse_reduce_sparse_shape(
    input_indices, input_values, input_shape, reduction_axes, *, keep_dims, T
):
    return [
        TensorSpec(dtypes.int64, TensorShape(None)),
        TensorSpec(T, TensorShape(None)),
        TensorSpec(dtypes.int64, TensorShape(None)),
    ]


_REDUCE_ARGS = (
    "input_indices: int64",
    "input_values: T",
    "input_shape: int64",
    "reduction_axes: int32",
)
SPARSE_REDUCE_SUM = register_op(
    OpDef(
        "SparseReduceSum",
        _REDUCE_ARGS,
        ("output: T",),
        ("keep_dims: bool = false", f"T: {_NUMBERS}"),
        _sparse_reduce_shape,
    )
)
SPARSE_REDUCE_SUM_SPARSE = register_op(
    OpDef(
        "SparseReduceSumSparse",
        _REDUCE_ARGS,
        ("output_indices: int64", "output_values: T", "output_shape: int64"),
        ("keep_dims: bool = false", f"T: {_NUMBERS}"),
        _sparse_reduce_sparse_shape,
    )
)


def _reduction_axes(sp_input: SparseTensor, axis):
    """TF's ``_ReductionDims``: ``axis``, or every dimension."""
    if axis is not None:
        return axis
    rank = sp_input.shape.rank
    if rank:
        return constant(np.arange(rank, dtype=np.int32))
    return math_ops.range(0, size(sp_input.dense_shape))


def _reduce_sum(op_def, sp_input, axis, keepdims, name):
    sp_input = _sparse(sp_input)
    return build(
        op_def,
        [sp_input.indices, sp_input.values, sp_input.dense_shape, _reduction_axes(sp_input, axis)],
        name,
        keep_dims=bool(keepdims),
    ).outputs


def sparse_reduce_sum(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
) -> Tensor:
    """The sum of ``sp_input``'s values over ``axis`` (default: all), as a dense tensor
    (TF1's ``tf.sparse.reduce_sum``; ``reduction_axes``/``keep_dims`` are old names).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1.0, 2.0, 3.0], [2, 3])
    ...     print(tf.compat.v1.Session().run(sparse_reduce_sum(st, axis=1)))
    [3. 3.]
    """
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    axis = deprecated_argument_lookup("axis", axis, "reduction_axes", reduction_axes)
    return _reduce_sum(SPARSE_REDUCE_SUM, sp_input, axis, keepdims, None)[0]


def sparse_reduce_sum_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
) -> SparseTensor:
    """:func:`sparse_reduce_sum` as a ``SparseTensor`` of the sums present."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    axis = deprecated_argument_lookup("axis", axis, "reduction_axes", reduction_axes)
    return SparseTensor(*_reduce_sum(SPARSE_REDUCE_SUM_SPARSE, sp_input, axis, keepdims, None))


def sparse_reduce_sum_v2(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """TF2's ``tf.sparse.reduce_sum``: a ``SparseTensor`` if ``output_is_sparse``."""
    if output_is_sparse:
        return SparseTensor(*_reduce_sum(SPARSE_REDUCE_SUM_SPARSE, sp_input, axis, keepdims, name))
    return _reduce_sum(SPARSE_REDUCE_SUM, sp_input, axis, keepdims, name)[0]


# -- add -----------------------------------------------------------------------------------


def _sparse_add_shape(
    a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh, *, T, Treal
):
    with_rank(a_indices.shape, 2)
    with_rank(a_values.shape, 1)
    with_rank(b_indices.shape, 2)
    with_rank(b_values.shape, 1)
    rank = merge_dim(_rank_of(a_shape), _rank_of(b_shape))
    with_rank(thresh.shape, 0)
    return _sparse_specs(T, rank)


SPARSE_ADD = register_op(
    OpDef(
        "SparseAdd",
        (
            "a_indices: int64",
            "a_values: T",
            "a_shape: int64",
            "b_indices: int64",
            "b_values: T",
            "b_shape: int64",
            "thresh: Treal",
        ),
        ("sum_indices: int64", "sum_values: T", "sum_shape: int64"),
        (
            f"T: {_NUMBERS}",
            "Treal: {float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, "
            "float16, uint32, uint64}",
        ),
        _sparse_add_shape,
    )
)
SPARSE_ADD_GRAD = register_op(
    OpDef(
        "SparseAddGrad",
        ("backprop_val_grad: T", "a_indices: int64", "b_indices: int64", "sum_indices: int64"),
        ("a_val_grad: T", "b_val_grad: T"),
        (f"T: {_NUMBERS}",),
        lambda grad, a_indices, b_indices, sum_indices, *, T: [
            TensorSpec(T, TensorShape([with_rank(a_indices.shape, 2).dim_value(0)])),
            TensorSpec(T, TensorShape([with_rank(b_indices.shape, 2).dim_value(0)])),
        ],
    )
)
SPARSE_TENSOR_DENSE_ADD = register_op(
    OpDef(
        "SparseTensorDenseAdd",
        ("a_indices: Tindices", "a_values: T", "a_shape: Tindices", "b: T"),
        ("output: T",),
        (f"T: {_NUMBERS}", "Tindices: {int32, int64}"),
        lambda a_indices, a_values, a_shape, b, *, T, Tindices: [TensorSpec(T, b.shape)],
    )
)


def sparse_add_v2(a, b, threshold=0):
    """``a + b`` with at least one of them sparse: a ``SparseTensor`` if both are (sums
    whose magnitude is below ``threshold`` dropped), else a dense tensor.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    ...     b = tf.SparseTensor([[0, 0], [0, 1]], [-1.0, 3.0], [2, 2])
    ...     total = sparse_add_v2(a, b, threshold=0.5)
    ...     print(tf.compat.v1.Session().run(sparse_tensor_to_dense(total)))
    [[0. 3.]
     [0. 2.]]
    """
    sparse_classes = (SparseTensor, SparseTensorValue)
    if not any(isinstance(x, sparse_classes) for x in (a, b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if all(isinstance(x, sparse_classes) for x in (a, b)):
        a, b = _sparse(a), _sparse(b)
        real = a.values.dtype.base_dtype.real_dtype
        threshold = convert_to_tensor(threshold, dtype=real, name="threshold")
        parts = build(
            SPARSE_ADD,
            [a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape, threshold],
            None,
        ).outputs
        a.shape.assert_is_compatible_with(b.shape)
        static = a.shape.merge_with(b.shape)
        dense_shape = static.as_list() if static.is_fully_defined() else parts[2]
        return SparseTensor(parts[0], parts[1], dense_shape)
    if isinstance(b, sparse_classes):
        a, b = b, a
    a = _sparse(a)
    return build(SPARSE_TENSOR_DENSE_ADD, [a.indices, a.values, a.dense_shape, b], None).outputs[0]


def sparse_add(a, b, threshold=None, thresh=None):
    """TF1's ``tf.sparse.add`` (``thresh`` is the old name of ``threshold``)."""
    threshold = deprecated_argument_lookup("threshold", threshold, "thresh", thresh)
    return sparse_add_v2(a, b, 0 if threshold is None else threshold)


# -- sparse_dense_matmul -------------------------------------------------------------------


def _sparse_dense_matmul_shape(
    a_indices, a_values, a_shape, b, *, T, Tindices, adjoint_a, adjoint_b
):
    with_rank(a_indices.shape, 2)
    with_rank(a_values.shape, 1)
    a_dims = with_rank(known_shape(a_shape), 2).as_tuple()
    b_dims = with_rank(b.shape, 2).as_tuple()
    left = a_dims[1 if adjoint_a else 0]
    right = b_dims[0 if adjoint_b else 1]
    merge_dim(a_dims[0 if adjoint_a else 1], b_dims[1 if adjoint_b else 0])
    return [TensorSpec(T, TensorShape([left, right]))]


SPARSE_TENSOR_DENSE_MATMUL = register_op(
    OpDef(
        "SparseTensorDenseMatMul",
        ("a_indices: Tindices", "a_values: T", "a_shape: int64", "b: T"),
        ("product: T",),
        (
            "T: type",
            "Tindices: {int32, int64} = DT_INT64",
            "adjoint_a: bool = false",
            "adjoint_b: bool = false",
        ),
        _sparse_dense_matmul_shape,
    )
)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """The matrix product of the sparse ``sp_a`` and the dense ``b`` (either adjointed
    first), a dense tensor: ``tf.sparse.sparse_dense_matmul``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0, 1], [1, 0]], [2.0, 3.0], [2, 2])
    ...     print(tf.compat.v1.Session().run(sparse_tensor_dense_matmul(a, [[1.0], [10.0]])))
    [[20.]
     [ 3.]]
    """
    if isinstance(b, SparseTensor | SparseTensorValue):
        if adjoint_a != adjoint_b:
            return transpose(sparse_tensor_dense_matmul(b, sp_a, adjoint_a, adjoint_b))
        return transpose(
            sparse_tensor_dense_matmul(b, sp_a, adjoint_a=not adjoint_a, adjoint_b=not adjoint_b)
        )
    sp_a = _sparse(sp_a)
    with name_scope(name, "SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, b]):
        b = convert_to_tensor(b, name="b")
        return build(
            SPARSE_TENSOR_DENSE_MATMUL,
            [sp_a.indices, sp_a.values, sp_a.dense_shape, b],
            None,
            adjoint_a=bool(adjoint_a),
            adjoint_b=bool(adjoint_b),
        ).outputs[0]


# -- reorder, reshape, retain --------------------------------------------------------------


SPARSE_REORDER = register_op(
    OpDef(
        "SparseReorder",
        ("input_indices: int64", "input_values: T", "input_shape: int64"),
        ("output_indices: int64", "output_values: T"),
        ("T: type",),
        lambda input_indices, input_values, input_shape, *, T: [
            TensorSpec(dtypes.int64, with_rank(input_indices.shape, 2)),
            TensorSpec(T, with_rank(input_values.shape, 1)),
        ],
    )
)


def sparse_reorder(sp_input, name=None) -> SparseTensor:
    """``sp_input`` with its entries in row-major order (``tf.sparse.reorder``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = sparse_reorder(tf.SparseTensor([[1, 0], [0, 1]], [1, 2], [2, 2]))
    ...     print(tf.compat.v1.Session().run(st.values).tolist())
    [2, 1]
    """
    sp_input = _sparse(sp_input)
    indices, values = build(
        SPARSE_REORDER, [sp_input.indices, sp_input.values, sp_input.dense_shape], name
    ).outputs
    if sp_input.shape.is_fully_defined():
        return SparseTensor(indices, values, sp_input.shape.as_list())
    result = SparseTensor(indices, values, identity(sp_input.dense_shape))
    result.set_shape(sp_input.shape)
    return result


def _sparse_reshape_shape(input_indices, input_shape, new_shape):
    with_rank(input_indices.shape, 2)
    with_rank(input_shape.shape, 1)
    rank = with_rank(new_shape.shape, 1).dim_value(0)
    return [
        TensorSpec(dtypes.int64, TensorShape([input_indices.shape.dim_value(0), rank])),
        TensorSpec(dtypes.int64, TensorShape([rank])),
    ]


SPARSE_RESHAPE = register_op(
    OpDef(
        "SparseReshape",
        ("input_indices: int64", "input_shape: int64", "new_shape: int64"),
        ("output_indices: int64", "output_shape: int64"),
        (),
        _sparse_reshape_shape,
    )
)


def sparse_reshape(sp_input, shape, name=None) -> SparseTensor:
    """``sp_input`` as a sparse tensor of ``shape`` (one entry may be ``-1``), the
    values in the same row-major positions (``tf.sparse.reshape``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = sparse_reshape(tf.SparseTensor([[0, 1], [1, 2]], [1, 2], [2, 3]), [3, -1])
    ...     print(st.shape, tf.compat.v1.Session().run(st.indices).tolist())
    (3, 2) [[0, 1], [2, 1]]
    """
    sp_input = _sparse(sp_input)
    shape = math_ops.cast(shape, dtypes.int64)
    with name_scope(name, "SparseReshape", [sp_input]) as scope:
        indices, new_shape = build(
            SPARSE_RESHAPE, [sp_input.indices, sp_input.dense_shape, shape], scope
        ).outputs
        static = _static_reshape(sp_input.shape, shape)
        if static is not None:
            new_shape = constant(static, dtype=dtypes.int64)
        return SparseTensor(indices, identity(sp_input.values), new_shape)


def _static_reshape(old: TensorShape, shape: Tensor):
    """The new dense shape when the old one and ``shape`` are known (TF's checks)."""
    target = known = constant_value(shape)
    if target is None or not old.is_fully_defined():
        return None
    target = [int(d) for d in target]
    if target.count(-1) > 1:
        raise ValueError(f"At most one dimension can be inferred (-1). Found: {known}")
    count = int(np.prod(old.as_list()))
    if -1 in target and 0 not in target:
        rest = int(np.prod([d for d in target if d != -1]))
        target[target.index(-1)] = count // rest if rest else 0
    if -1 in target:
        return None
    if int(np.prod(target)) != count:
        raise ValueError(
            f"Cannot reshape a tensor with {count} elements to shape {list(known)} "
            f"({int(np.prod(target))} elements)."
        )
    return target


def sparse_retain(sp_input, to_retain) -> SparseTensor:
    """The entries of ``sp_input`` where the boolean vector ``to_retain`` is true.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [1, 2, 3], [2, 2])
    ...     kept = sparse_retain(st, [True, False, True])
    ...     print(tf.compat.v1.Session().run(kept.values).tolist())
    [1, 3]
    """
    sp_input = _sparse(sp_input)
    to_retain = convert_to_tensor(to_retain)
    to_retain.shape.with_rank(1)
    if sp_input.values.shape.rank is not None:
        merge_dim(sp_input.values.shape.dim_value(0), to_retain.shape.dim_value(0))
    where_true = reshape(math_ops.where(to_retain), [-1])
    return SparseTensor(
        gather(sp_input.indices, where_true),
        gather(sp_input.values, where_true),
        identity(sp_input.dense_shape),
    )


# -- concat, slice, split ------------------------------------------------------------------


def _sparse_concat_shape(*specs, concat_dim, N, T):
    shapes = specs[2 * N :]
    rank = None
    for spec in shapes:
        rank = merge_dim(rank, _rank_of(spec))
    for spec in specs[:N]:
        with_rank(spec.shape, 2)
    counts = [spec.shape.dim_value(0) for spec in specs[N : 2 * N]]
    total = None if None in counts else sum(counts)
    return _sparse_specs(T, rank, total)


SPARSE_CONCAT = register_op(
    OpDef(
        "SparseConcat",
        ("indices: N * int64", "values: N * T", "shapes: N * int64"),
        ("output_indices: int64", "output_values: T", "output_shape: int64"),
        ("concat_dim: int", "N: int >= 2", "T: type"),
        _sparse_concat_shape,
    )
)


def sparse_concat_v2(axis, sp_inputs, expand_nonconcat_dims=False, name=None) -> SparseTensor:
    """The sparse tensors ``sp_inputs`` joined along ``axis`` (``tf.sparse.concat``);
    with ``expand_nonconcat_dims`` the other dimensions grow to the largest.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0, 2], [1, 0]], [1, 2], [2, 3])
    ...     b = tf.SparseTensor([[0, 1]], [3], [2, 4])
    ...     st = sparse_concat_v2(1, [a, b])
    ...     print(st.shape, tf.compat.v1.Session().run(st.indices).tolist())
    (2, 7) [[0, 2], [0, 4], [1, 0]]
    """
    if not isinstance(sp_inputs, list | tuple):
        raise TypeError("Inputs must be a list or tuple.")
    sp_inputs = [_sparse(sp) for sp in sp_inputs]
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    shapes = [sp.dense_shape for sp in sp_inputs]
    if expand_nonconcat_dims:
        largest = math_ops.reduce_max(concat([reshape(s, [1, -1]) for s in shapes], 0), 0)
        shapes = [
            concat(
                [
                    largest[:axis],
                    s[-1:] if axis == -1 else s[axis : axis + 1],
                    [] if axis == -1 else largest[axis + 1 :],
                ],
                0,
            )
            for s in shapes
        ]
    parts = build(
        SPARSE_CONCAT,
        [[sp.indices for sp in sp_inputs], [sp.values for sp in sp_inputs], shapes],
        name,
        N=len(sp_inputs),
        concat_dim=int(axis),
    ).outputs
    statics = [sp.shape for sp in sp_inputs]
    if any(s.rank is None for s in statics):
        return SparseTensor(*parts)
    dims = [[s.dim_value(d) for s in statics] for d in range(statics[0].rank)]
    static = [
        (max(ds) if None not in ds else None) if expand_nonconcat_dims else ds[0] for ds in dims
    ]
    concat_dims = dims[axis]
    static[axis] = None if None in concat_dims else sum(concat_dims)
    if all(s.is_fully_defined() for s in statics):
        return SparseTensor(parts[0], parts[1], constant(static, dtype=dtypes.int64))
    result = SparseTensor(*parts)
    result.set_shape(static)
    return result


def sparse_concat(
    axis,
    sp_inputs,
    name=None,
    expand_nonconcat_dim=False,
    concat_dim=None,
    expand_nonconcat_dims=None,
) -> SparseTensor:
    """TF1's ``tf.sparse.concat`` (``concat_dim`` and ``expand_nonconcat_dim`` spellings)."""
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    axis = deprecated_argument_lookup("axis", axis, "concat_dim", concat_dim)
    return sparse_concat_v2(axis, sp_inputs, expand_nonconcat_dim, name)


def _sparse_slice_shape(indices, values, shape, start, size, *, T):
    with_rank(indices.shape, 2)
    with_rank(values.shape, 1)
    with_rank(start.shape, 1)
    with_rank(size.shape, 1)
    return _sparse_specs(T, _rank_of(shape))  # the lengths of start and size: the kernel's


SPARSE_SLICE = register_op(
    OpDef(
        "SparseSlice",
        ("indices: int64", "values: T", "shape: int64", "start: int64", "size: int64"),
        ("output_indices: int64", "output_values: T", "output_shape: int64"),
        ("T: type",),
        _sparse_slice_shape,
    )
)
SPARSE_SLICE_GRAD = register_op(
    OpDef(
        "SparseSliceGrad",
        (
            "backprop_val_grad: T",
            "input_indices: int64",
            "input_start: int64",
            "output_indices: int64",
        ),
        ("val_grad: T",),
        (f"T: {_NUMBERS}",),
        lambda grad, input_indices, input_start, output_indices, *, T: [
            TensorSpec(T, TensorShape([with_rank(input_indices.shape, 2).dim_value(0)]))
        ],
    )
)


def sparse_slice(sp_input, start, size, name=None) -> SparseTensor:
    """The entries of ``sp_input`` in the box at ``start`` of extent ``size``, moved to
    the origin (``tf.sparse.slice``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 1], [1, 2], [2, 0]], [1, 2, 3], [3, 3])
    ...     part = sparse_slice(st, [1, 0], [2, 2])
    ...     print(tf.compat.v1.Session().run(part))
    SparseTensorValue(indices=array([[1, 0]]), values=array([3], dtype=int32), dense_shape=array([2, 2]))
    """
    sp_input = _sparse(sp_input)
    start = convert_to_tensor(start, dtypes.int64)
    size = convert_to_tensor(size, dtypes.int64)
    with name_scope(name, "SparseSlice", [sp_input]) as scope:
        parts = build(
            SPARSE_SLICE,
            [sp_input.indices, sp_input.values, sp_input.dense_shape, start, size],
            scope,
        ).outputs
        return SparseTensor(*parts)


def _sparse_split_shape(split_dim, indices, values, shape, *, num_split, T):
    with_rank(split_dim.shape, 0)
    with_rank(indices.shape, 2)
    with_rank(values.shape, 1)
    rank = _rank_of(shape)
    specs = _sparse_specs(T, rank)
    return [specs[0]] * num_split + [specs[1]] * num_split + [specs[2]] * num_split


SPARSE_SPLIT = register_op(
    OpDef(
        "SparseSplit",
        ("split_dim: int64", "indices: int64", "values: T", "shape: int64"),
        (
            "output_indices: num_split * int64",
            "output_values: num_split * T",
            "output_shape: num_split * int64",
        ),
        ("num_split: int >= 1", "T: type"),
        _sparse_split_shape,
    )
)


class KeywordRequired:
    """The default of ``sparse_split``'s first parameter: its arguments go by keyword."""

    def __repr__(self):
        return "KeywordRequired()"


_KEYWORD_REQUIRED = KeywordRequired()


def sparse_split(
    keyword_required=_KEYWORD_REQUIRED,
    sp_input=None,
    num_split=None,
    axis=None,
    name=None,
    split_dim=None,
) -> list:
    """``sp_input`` cut along ``axis`` into ``num_split`` sparse tensors (the first
    ``size % num_split`` one larger): TF1's ``tf.sparse.split``, arguments by keyword.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [0, 3], [1, 4]], [1, 2, 3], [2, 5])
    ...     a, b = sparse_split(sp_input=st, num_split=2, axis=1)
    ...     print(tf.compat.v1.Session().run(b))
    SparseTensorValue(indices=array([[0, 0],
           [1, 1]]), values=array([2, 3], dtype=int32), dense_shape=array([2, 2]))
    """
    if not isinstance(keyword_required, KeywordRequired):
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    axis = deprecated_argument_lookup("axis", axis, "split_dim", split_dim)
    if axis is None:
        raise ValueError("axis is required")
    sp_input = _sparse(sp_input)
    outputs = build(
        SPARSE_SPLIT,
        [
            convert_to_tensor(axis, dtypes.int64),
            sp_input.indices,
            sp_input.values,
            sp_input.dense_shape,
        ],
        name,
        num_split=int(num_split),
    ).outputs
    count = int(num_split)
    return [
        SparseTensor(outputs[i], outputs[count + i], outputs[2 * count + i]) for i in range(count)
    ]


def sparse_split_v2(sp_input=None, num_split=None, axis=None, name=None) -> list:
    """TF2's ``tf.sparse.split``."""
    return sparse_split(sp_input=sp_input, num_split=num_split, axis=axis, name=name)


# -- sparse_placeholder --------------------------------------------------------------------


def sparse_placeholder(dtype, shape=None, name=None) -> SparseTensor:
    """A ``SparseTensor`` whose parts are fed: by a ``SparseTensorValue`` or a tuple
    ``(indices, values, dense_shape)``; ``(indices, values)`` when ``shape`` is fully
    known (then ``dense_shape`` defaults to it).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sp = sparse_placeholder(tf.float32, shape=[None, 3])
    ...     dense = tf.sparse.to_dense(sp)
    ...     value = tf.compat.v1.SparseTensorValue([[1, 2]], [5.0], [2, 3])
    ...     print(sp.shape, tf.compat.v1.Session().run(dense, {sp: value}).tolist())
    (?, 3) [[0.0, 0.0, 0.0], [0.0, 0.0, 5.0]]
    """
    named = (lambda part: f"{name}/{part}") if name is not None else (lambda part: None)
    if shape is None:
        dense_shape = placeholder(dtypes.int64, shape=[None], name=named("shape"))
        static = TensorShape(None)
        rank = None
    elif isinstance(shape, Tensor):
        rank = shape.shape.dim_value(0)
        static = constant_value_as_shape(shape)
        dense_shape = placeholder_with_default(shape, shape=shape.shape, name=named("shape"))
    else:
        static = as_shape([None if d == -1 else d for d in as_shape(shape).as_list()])
        rank = static.rank
        default = constant(
            [-1 if d is None else d for d in static.as_list()],
            dtype=dtypes.int64,
            name=named("shape_default") or "Const",
        )
        dense_shape = placeholder_with_default(default, shape=[rank], name=named("shape"))
    result = SparseTensor(
        values=placeholder(dtype, shape=[None], name=named("values")),
        indices=placeholder(dtypes.int64, shape=[None, rank], name=named("indices")),
        dense_shape=dense_shape,
    )
    result.set_shape(static)
    return result


# -- gradients -----------------------------------------------------------------------------


@register_gradient("SparseToDense")
def _sparse_to_dense_grad(op, grad):
    indices, output_shape, _, _ = op.inputs
    values_grad = gather_nd(grad, indices)
    default_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(values_grad)
    return [zeros_like(indices), zeros_like(output_shape), values_grad, default_grad]


@register_gradient("SparseReorder")
def _sparse_reorder_grad(op, _indices_grad, values_grad):
    indices, _, dense_shape = op.inputs
    entries = math_ops.range(shape(indices)[0])
    order = sparse_reorder(SparseTensor(indices, entries, dense_shape)).values
    return [None, gather(values_grad, invert_permutation(order)), None]


@register_gradient("SparseAdd")
def _sparse_add_grad(op, *grads):
    a_grad, b_grad = build(
        SPARSE_ADD_GRAD, [grads[1], op.inputs[0], op.inputs[3], op.outputs[0]], None
    ).outputs
    a_grad.set_shape(op.inputs[1].shape)
    b_grad.set_shape(op.inputs[4].shape)
    return [None, a_grad, None, None, b_grad, None, None]


register_gradient("SparseTensorDenseAdd")(
    lambda op, grad: [None, gather_nd(grad, op.inputs[0]), None, grad]
)


@register_gradient("SparseReduceSum")
def _sparse_reduce_sum_grad(op, grad):
    indices, _, dense_shape, axes = op.inputs
    kept = math_ops.reduced_shape(dense_shape, axes)
    scale = math_ops.floordiv(dense_shape, math_ops.cast(kept, dtypes.int64))
    return [None, gather_nd(reshape(grad, kept), math_ops.floordiv(indices, scale)), None, None]


@register_gradient("SparseSlice")
def _sparse_slice_grad(op, *grads):
    values_grad = build(
        SPARSE_SLICE_GRAD, [grads[1], op.inputs[0], op.inputs[3], op.outputs[0]], None
    ).outputs[0]
    values_grad.set_shape(op.inputs[1].shape)
    return [None, values_grad, None, None, None]


@register_gradient("SparseTensorDenseMatMul")
def _sparse_dense_matmul_grad(op, grad):
    indices, values, dense_shape, b = op.inputs
    adjoint_a, adjoint_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    b_grad = build(
        SPARSE_TENSOR_DENSE_MATMUL,
        [indices, values, dense_shape, grad],
        None,
        adjoint_a=not adjoint_a,
    ).outputs[0]
    if adjoint_b:
        b_grad = transpose(_conj(b_grad))
    rows, cols = indices[:, 0], indices[:, 1]
    parts_a = gather(grad, cols if adjoint_a else rows)
    parts_b = gather(transpose(b) if adjoint_b else b, rows if adjoint_a else cols)
    # d(product[r, j]) / d(a[r, c]) = b[c, j]: each value's gradient is a dot product
    # (of conjugates as the adjoints make them, for complex values).
    if adjoint_a:
        parts_a = _conj(parts_a)
    if adjoint_a == adjoint_b:
        parts_b = _conj(parts_b)
    values_grad = math_ops.reduce_sum(math_ops.multiply(parts_a, parts_b), axis=-1)
    return [None, values_grad, None, b_grad]


def _conj(x):
    return math_ops.conj(x) if x.dtype.is_complex else x


not_differentiable("SparseAddGrad")
not_differentiable("SparseConcat")


# -- reduce_max, fill_empty_rows, transpose, expand_dims, reset_shape ----------------------

_MAXABLE = (
    "{float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64}"
)
SPARSE_REDUCE_MAX = register_op(
    OpDef(
        "SparseReduceMax",
        _REDUCE_ARGS,
        ("output: T",),
        ("keep_dims: bool = false", f"T: {_MAXABLE}"),
        _sparse_reduce_shape,
    )
)
SPARSE_REDUCE_MAX_SPARSE = register_op(
    OpDef(
        "SparseReduceMaxSparse",
        _REDUCE_ARGS,
        ("output_indices: int64", "output_values: T", "output_shape: int64"),
        ("keep_dims: bool = false", f"T: {_MAXABLE}"),
        _sparse_reduce_sparse_shape,
    )
)


def sparse_reduce_max(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
) -> Tensor:
    """The largest of ``sp_input``'s values over ``axis`` (default: all), as a dense
    tensor: positions where no value was reduced are 0 (TF1's ``tf.sparse.reduce_max``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [1, 1]], [-1.0, -2.0], [2, 3])
    ...     print(tf.compat.v1.Session().run(sparse_reduce_max(st, axis=0)))
    [-1. -2.  0.]
    """
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    axis = deprecated_argument_lookup("axis", axis, "reduction_axes", reduction_axes)
    return _reduce_sum(SPARSE_REDUCE_MAX, sp_input, axis, keepdims, None)[0]


def sparse_reduce_max_sparse(
    sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None
) -> SparseTensor:
    """:func:`sparse_reduce_max` as a ``SparseTensor`` of the maxima present."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    axis = deprecated_argument_lookup("axis", axis, "reduction_axes", reduction_axes)
    return SparseTensor(*_reduce_sum(SPARSE_REDUCE_MAX_SPARSE, sp_input, axis, keepdims, None))


def sparse_reduce_max_v2(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """TF2's ``tf.sparse.reduce_max``: a ``SparseTensor`` if ``output_is_sparse``."""
    if output_is_sparse:
        return SparseTensor(*_reduce_sum(SPARSE_REDUCE_MAX_SPARSE, sp_input, axis, keepdims, name))
    return _reduce_sum(SPARSE_REDUCE_MAX, sp_input, axis, keepdims, name)[0]


def _rows(dense_shape: TensorSpec):
    """The first dimension a dense-shape vector gives, when known while building."""
    value = known_value(dense_shape)
    return None if value is None or not len(value) else int(value[0])


def _fill_empty_rows_shape(indices, values, dense_shape, default_value, *, T):
    with_rank(indices.shape, 2)
    with_rank(values.shape, 1)
    with_rank(default_value.shape, 0)
    return [
        TensorSpec(dtypes.int64, TensorShape([None, indices.shape.dim_value(1)])),
        TensorSpec(T, TensorShape([None])),
        TensorSpec(dtypes.bool, TensorShape([_rows(dense_shape)])),
        TensorSpec(dtypes.int64, TensorShape([values.shape.dim_value(0)])),
    ]


SPARSE_FILL_EMPTY_ROWS = register_op(
    OpDef(
        "SparseFillEmptyRows",
        ("indices: int64", "values: T", "dense_shape: int64", "default_value: T"),
        (
            "output_indices: int64",
            "output_values: T",
            "empty_row_indicator: bool",
            "reverse_index_map: int64",
        ),
        ("T: type",),
        _fill_empty_rows_shape,
    )
)
SPARSE_FILL_EMPTY_ROWS_GRAD = register_op(
    OpDef(
        "SparseFillEmptyRowsGrad",
        ("reverse_index_map: int64", "grad_values: T"),
        ("d_values: T", "d_default_value: T"),
        ("T: type",),
        lambda reverse_index_map, grad_values, *, T: [
            TensorSpec(T, with_rank(reverse_index_map.shape, 1)),
            TensorSpec(T, TensorShape([])),
        ],
    )
)


def sparse_fill_empty_rows(sp_input, default_value, name=None) -> tuple:
    """``sp_input`` with ``default_value`` at column 0 of each row that has no value,
    and which rows those were (``tf.sparse.fill_empty_rows``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 1], [2, 0]], [1.0, 2.0], [3, 3])
    ...     filled, empty = sparse_fill_empty_rows(st, -1.0)
    ...     print(tf.compat.v1.Session().run([filled.values, empty]))
    [array([ 1., -1.,  2.], dtype=float32), array([False,  True, False])]
    """
    sp_input = _sparse(sp_input)
    with name_scope(name, "SparseFillEmptyRows", [sp_input]):
        default_value = convert_to_tensor(default_value, dtype=sp_input.values.dtype)
        indices, values, empty, _ = build(
            SPARSE_FILL_EMPTY_ROWS,
            [sp_input.indices, sp_input.values, sp_input.dense_shape, default_value],
            None,
        ).outputs
        return SparseTensor(indices, values, sp_input.dense_shape), empty


def sparse_transpose(sp_input, perm=None, name=None) -> SparseTensor:
    """``sp_input`` with its dimensions permuted by ``perm`` (default: reversed), its
    entries reordered row-major (``tf.sparse.transpose``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = sparse_transpose(tf.SparseTensor([[0, 1], [2, 0]], [1.0, 2.0], [3, 4]))
    ...     print(st.shape, tf.compat.v1.Session().run(st.indices).tolist())
    (4, 3) [[0, 2], [1, 0]]
    """
    sp_input = _sparse(sp_input)
    with name_scope(name, "SparseTranspose", [sp_input]):
        if perm is None:
            rank = sp_input.shape.rank
            if rank is not None:
                perm = np.arange(rank - 1, -1, -1, dtype=np.int32)
            else:
                rank = size(sp_input.dense_shape)
                perm = math_ops.subtract(math_ops.subtract(rank, 1), math_ops.range(0, rank, 1))
        indices = transpose(gather(transpose(sp_input.indices), perm))
        known_perm = constant_value(convert_to_tensor(perm))
        if known_perm is not None and sp_input.shape.is_fully_defined():
            old = sp_input.shape.as_list()
            dense_shape = [old[int(p)] for p in known_perm]
        else:
            dense_shape = gather(sp_input.dense_shape, perm)
        return sparse_reorder(SparseTensor(indices, sp_input.values, dense_shape))


def sparse_expand_dims(sp_input, axis=None, name=None) -> SparseTensor:
    """``sp_input`` with a new dimension of size 1 at ``axis`` (default: last).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = sparse_expand_dims(tf.SparseTensor([[0, 1]], [1.0], [2, 3]), 1)
    ...     print(tf.compat.v1.Session().run(st))
    SparseTensorValue(indices=array([[0, 0, 1]]), values=array([1.], dtype=float32), dense_shape=array([2, 1, 3]))
    """
    sp_input = _sparse(sp_input)
    rank = sp_input.dense_shape.shape.dim_value(0)
    if rank is None:
        rank = shape(sp_input.dense_shape)[0]
    axis = -1 if axis is None else axis
    with name_scope(name, "expand_dims", [sp_input]):
        if isinstance(axis, int) and isinstance(rank, int):
            axis = axis if axis >= 0 else axis + rank + 1  # known now: static shapes stay
        elif isinstance(axis, int):
            axis = convert_to_tensor(axis, name="axis", dtype=dtypes.int32)
        elif not isinstance(axis, Tensor):
            raise TypeError(
                "axis must be an integer value in range [-rank(sp_input) - 1, rank(sp_input)]"
            )
        if isinstance(axis, Tensor):
            axis = math_ops.where(math_ops.greater_equal(axis, 0), axis, axis + rank + 1)
        count = shape(sp_input.indices)[0]
        new_index = zeros(stack([count, 1]), dtype=dtypes.int64)
        before = slice(sp_input.indices, [0, 0], stack([-1, axis]))
        after = slice(sp_input.indices, stack([0, axis]), [-1, -1])
        indices = concat([before, new_index, after], axis=1)
        shape_before = slice(sp_input.dense_shape, [0], stack([axis]))
        shape_after = slice(sp_input.dense_shape, stack([axis]), [-1])
        new_shape = convert_to_tensor([1], name="new_shape", dtype=dtypes.int64)
        dense_shape = concat([shape_before, new_shape, shape_after], axis=0)
        return SparseTensor(indices, sp_input.values, dense_shape)


def sparse_reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """``sp_input`` with dense shape ``new_shape`` (no smaller than it), or the
    smallest shape that holds its entries (``tf.sparse.reset_shape``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = sparse_reset_shape(tf.SparseTensor([[0, 1], [2, 0]], [1, 2], [5, 6]))
    ...     print(tf.compat.v1.Session().run(st.dense_shape))
    [3 2]
    """
    sp_input = _sparse(sp_input)
    indices = identity(sp_input.indices)
    values = identity(sp_input.values)
    if new_shape is None:
        largest = math_ops.reduce_max(indices, axis=0)
        return SparseTensor(
            indices,
            values,
            math_ops.maximum(constant(0, dtype=dtypes.int64), math_ops.add(largest, 1)),
        )
    new_shape = math_ops.cast(convert_to_tensor(new_shape), dtypes.int64)
    new_shape.shape.with_rank(1)
    known = constant_value(new_shape)
    if known is not None and sp_input.shape.is_fully_defined():
        old = np.array(sp_input.shape.as_list())
        if not np.all(old <= known):
            raise ValueError(
                "Requested new_shape should have dimension sizes >= sp_input.shape.  Found "
                f"new_shape ({old}), sp_input.shape ({known})."
            )
        return SparseTensor(indices, values, known)
    return SparseTensor(indices, values, new_shape)


@register_gradient("SparseFillEmptyRows")
def _sparse_fill_empty_rows_grad(op, _indices, values_grad, _empty, _reverse_index_map):
    values, default = build(SPARSE_FILL_EMPTY_ROWS_GRAD, [op.outputs[3], values_grad], None).outputs
    return [None, values, None, default]


# tf.compat.v1's top-level sparse names.
V1_OVERRIDES = {
    "sparse_add": sparse_add,
    "sparse_concat": sparse_concat,
    "sparse_fill_empty_rows": sparse_fill_empty_rows,
    "sparse_placeholder": sparse_placeholder,
    "sparse_reduce_max": sparse_reduce_max,
    "sparse_reduce_max_sparse": sparse_reduce_max_sparse,
    "sparse_reduce_sum": sparse_reduce_sum,
    "sparse_reduce_sum_sparse": sparse_reduce_sum_sparse,
    "sparse_reorder": sparse_reorder,
    "sparse_reset_shape": sparse_reset_shape,
    "sparse_reshape": sparse_reshape,
    "sparse_retain": sparse_retain,
    "sparse_slice": sparse_slice,
    "sparse_split": sparse_split,
    "sparse_tensor_dense_matmul": sparse_tensor_dense_matmul,
    "sparse_tensor_to_dense": sparse_tensor_to_dense,
    "sparse_to_dense": sparse_to_dense,
    "sparse_transpose": sparse_transpose,
}
