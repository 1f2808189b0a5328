"""Arithmetic on sparse tensors and sparse-minded dense ops: ``tf.sparse.maximum``/
``minimum`` and ``softmax``, ``tf.sparse.eye``, ``tf.edit_distance`` between sparse
sequences, ``tf.sparse_mask`` of ``IndexedSlices`` and TF1's ``tf.sparse_matmul``
(a dense product told which factor is mostly zeros), with TF's gradients.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..indexed_slices import IndexedSlices
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, SparseTensorValue
from . import math_ops, segment_ops, slicing_ops, sparse_ops
from .concat_ops import concat, stack
from .constant_value import known_value
from .core import convert_to_tensor
from .fill_ops import ones, zeros_like
from .gather_scatter_ops import gather, gather_nd
from .packing import build
from .search_ops import setdiff1d
from .shape_ops import expand_dims, shape, size
from .shape_util import merge_shapes, with_rank
from .sparse_ops import sparse_reduce_sum

__all__: list = []  # tf.sparse's names are runtime.sparse's; TF1's top-level ones below


# -- edit distance -------------------------------------------------------------------------


def _edit_distance_shape(
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
    hypothesis_rank = with_rank(hypothesis_shape.shape, 1).dim_value(0)
    truth_rank = with_rank(truth_shape.shape, 1).dim_value(0)
    if None not in (hypothesis_rank, truth_rank) and hypothesis_rank != truth_rank:
        raise ValueError(
            "Num elements of hypothesis_shape does not match truth_shape: "
            f"{hypothesis_rank} vs. {truth_rank}"
        )
    hypothesis_dims, truth_dims = known_value(hypothesis_shape), known_value(truth_shape)
    if hypothesis_dims is None or truth_dims is None:
        return [TensorSpec(dtypes.float32, TensorShape(None))]
    outer = [max(int(h), int(t)) for h, t in zip(hypothesis_dims[:-1], truth_dims[:-1])]
    return [TensorSpec(dtypes.float32, TensorShape(outer))]


EDIT_DISTANCE = register_op(
    OpDef(
        "EditDistance",
        (
            "hypothesis_indices: int64",
            "hypothesis_values: T",
            "hypothesis_shape: int64",
            "truth_indices: int64",
            "truth_values: T",
            "truth_shape: int64",
        ),
        ("output: float32",),
        ("normalize: bool = true", "T: type"),
        _edit_distance_shape,
    )
)


def _sparse_input(value, what: str) -> SparseTensor:
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor.")
    return value


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance") -> Tensor:
    """The Levenshtein distance between the sequences of ``hypothesis`` and ``truth``
    (sparse tensors: each sequence runs along the last axis), divided by the length of
    the truth if ``normalize`` (an empty truth gives ``inf``, or ``nan`` against an
    empty hypothesis).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     hypothesis = tf.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [1, 2])
    ...     truth = tf.SparseTensor([[0, 0], [0, 1], [0, 2]], ["a", "x", "b"], [1, 3])
    ...     print(tf.compat.v1.Session().run(edit_distance(hypothesis, truth)))
    [0.33333334]
    """
    hypothesis = _sparse_input(hypothesis, "Hypothesis")
    truth = _sparse_input(truth, "Truth")
    return build(
        EDIT_DISTANCE,
        [
            hypothesis.indices,
            hypothesis.values,
            hypothesis.dense_shape,
            truth.indices,
            truth.values,
            truth.dense_shape,
        ],
        name,
        normalize=bool(normalize),
    ).outputs[0]


# -- maximum, minimum, softmax ---------------------------------------------------------------


def _sparse_sparse_shape(a_indices, a_values, a_shape, b_indices, b_values, b_shape, *, T):
    rank = merge_shapes(with_rank(a_shape.shape, 1), with_rank(b_shape.shape, 1)).dim_value(0)
    return [
        TensorSpec(dtypes.int64, TensorShape([None, rank])),
        TensorSpec(T, TensorShape([None])),
    ]


def _sparse_sparse_op(op_type: str, types: str) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            (
                "a_indices: int64",
                "a_values: T",
                "a_shape: int64",
                "b_indices: int64",
                "b_values: T",
                "b_shape: int64",
            ),
            ("output_indices: int64", "output_values: T"),
            (f"T: {types}",),
            _sparse_sparse_shape,
        )
    )


SPARSE_SPARSE_MAXIMUM = _sparse_sparse_op(
    "SparseSparseMaximum",
    "{float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64}",
)
SPARSE_SPARSE_MINIMUM = _sparse_sparse_op(
    "SparseSparseMinimum",
    "{float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, float16, uint32, uint64}",
)


@register_gradient("SparseSparseMaximum")
@register_gradient("SparseSparseMinimum")
def _sparse_sparse_extremum_grad(op, *grads):
    raise NotImplementedError(f"Gradient for {op.type} is not implemented (nor is it in TF).")


def _elementwise(op_def: OpDef, sp_a, sp_b, name) -> SparseTensor:
    sp_a, sp_b = _sparse_input(sp_a, "Input"), _sparse_input(sp_b, "Input")
    with name_scope(name, op_def.name, [sp_a.indices, sp_b.indices]) as scope:
        parts = [sp_a.indices, sp_a.values, sp_a.dense_shape]
        parts += [sp_b.indices, sp_b.values, sp_b.dense_shape]
        indices, values = build(op_def, parts, scope).outputs
        return SparseTensor(indices, values, sp_a.dense_shape)


def sparse_maximum(sp_a, sp_b, name=None) -> SparseTensor:
    """The elementwise maximum of two sparse tensors of one shape (a missing entry is 0).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0], [2]], [1.0, -3.0], [4])
    ...     b = tf.SparseTensor([[2], [3]], [2.0, -1.0], [4])
    ...     print(tf.compat.v1.Session().run(sparse_maximum(a, b)).values.tolist())
    [1.0, 2.0, 0.0]
    """
    return _elementwise(SPARSE_SPARSE_MAXIMUM, sp_a, sp_b, name)


def sparse_minimum(sp_a, sp_b, name=None) -> SparseTensor:
    """The elementwise minimum of two sparse tensors of one shape (a missing entry is 0).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0], [2]], [1.0, -3.0], [4])
    ...     b = tf.SparseTensor([[2], [3]], [2.0, -1.0], [4])
    ...     print(tf.compat.v1.Session().run(sparse_minimum(a, b)).values.tolist())
    [0.0, -3.0, -1.0]
    """
    return _elementwise(SPARSE_SPARSE_MINIMUM, sp_a, sp_b, name)


def _sparse_softmax_shape(sp_indices, sp_values, sp_shape, *, T):
    with_rank(sp_indices.shape, 2)
    with_rank(sp_shape.shape, 1)
    return [TensorSpec(T, with_rank(sp_values.shape, 1))]


SPARSE_SOFTMAX = register_op(
    OpDef(
        "SparseSoftmax",
        ("sp_indices: int64", "sp_values: T", "sp_shape: int64"),
        ("output: T",),
        ("T: {float16, float32, float64}",),
        _sparse_softmax_shape,
    )
)


def sparse_softmax(sp_input, name=None) -> SparseTensor:
    """The softmax of each row (the last axis) of a sparse tensor over its present
    entries only: missing entries stay missing, not ``exp(0)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1.0, 1.0, 5.0], [2, 3])
    ...     print(tf.compat.v1.Session().run(sparse_softmax(st)).values.tolist())
    [0.5, 0.5, 1.0]
    """
    sp_input = _sparse_input(sp_input, "Input")
    with name_scope(name, "SparseSoftmax", [sp_input.indices, sp_input.values]) as scope:
        parts = [sp_input.indices, sp_input.values, sp_input.dense_shape]
        values = build(SPARSE_SOFTMAX, parts, scope).outputs[0]
        return SparseTensor(sp_input.indices, values, sp_input.dense_shape)


@register_gradient("SparseSoftmax")
def _sparse_softmax_grad(op, grad):
    # Softmax's gradient, grad * y - sum(grad * y) * y, over each row's present entries.
    indices, _, dense_shape = op.inputs
    out = op.outputs[0]
    row_sums = sparse_reduce_sum(SparseTensor(indices, out * grad, dense_shape), [-1])
    return [None, (grad - gather_nd(row_sums, indices[:, :-1])) * out, None]


# -- eye, mask, sparse_matmul --------------------------------------------------------------


def sparse_eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None) -> SparseTensor:
    """A 2-D sparse tensor with ones on the diagonal (``num_columns`` defaults to
    ``num_rows``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     eye = sparse_eye(2, 3)
    ...     print(tf.compat.v1.Session().run(tf.sparse.to_dense(eye)).tolist())
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    with name_scope(name, "eye", [num_rows, num_columns]):
        num_rows = _int64(num_rows, "num_rows")
        num_columns = num_rows if num_columns is None else _int64(num_columns, "num_columns")
        diagonal = math_ops.minimum(num_rows, num_columns)
        positions = math_ops.range(diagonal, dtype=dtypes.int64)
        return SparseTensor(
            indices=stack([positions, positions], axis=1),
            values=ones(diagonal, dtype=dtype),
            dense_shape=stack([num_rows, num_columns]),
        )


def _int64(value, name: str) -> Tensor:
    """``value`` as an int64 scalar tensor (an int32 tensor is cast)."""
    value = convert_to_tensor(value, name=name)
    if not value.dtype.is_integer:
        raise TypeError(f"{name} must be an integer, got {value.dtype.name}")
    with_rank(value.shape, 0)
    return math_ops.cast(value, dtypes.int64) if value.dtype != dtypes.int64 else value


def sparse_mask(a, mask_indices, name=None) -> IndexedSlices:
    """The ``IndexedSlices`` ``a`` without the slices at ``mask_indices``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.IndexedSlices(tf.constant([[1.0], [2.0], [3.0]]), tf.constant([4, 7, 9]))
    ...     kept = sparse_mask(a, [7])
    ...     print(tf.compat.v1.Session().run([kept.values, kept.indices]))
    [array([[1.],
           [3.]], dtype=float32), array([4, 9], dtype=int32)]
    """
    with name_scope(name, "sparse_mask", [a, mask_indices]) as scope:
        kept, positions = setdiff1d(a.indices, mask_indices)
        return IndexedSlices(gather(a.values, positions, name=scope), kept, a.dense_shape)


def _sparse_matmul_shape(a: TensorSpec, b: TensorSpec, *, transpose_a, transpose_b, **_attrs):
    a_dims, b_dims = with_rank(a.shape, 2).as_tuple(), with_rank(b.shape, 2).as_tuple()
    rows, inner_a = a_dims[::-1] if transpose_a else a_dims
    inner_b, cols = b_dims[::-1] if transpose_b else b_dims
    if None not in (inner_a, inner_b) and inner_a != inner_b:
        raise ValueError(f"Dimensions must be equal, but are {inner_a} and {inner_b}")
    return [TensorSpec(dtypes.float32, TensorShape([rows, cols]))]


SPARSE_MATMUL = register_op(
    OpDef(
        "SparseMatMul",
        ("a: Ta", "b: Tb"),
        ("product: float",),
        (
            "transpose_a: bool = false",
            "transpose_b: bool = false",
            "a_is_sparse: bool = false",
            "b_is_sparse: bool = false",
            "Ta: {float, bfloat16} = DT_FLOAT",
            "Tb: {float, bfloat16} = DT_FLOAT",
        ),
        _sparse_matmul_shape,
        cost=Cost.EXPENSIVE,
    )
)


def sparse_matmul(
    a, b, transpose_a=False, transpose_b=False, a_is_sparse=False, b_is_sparse=False, name=None
) -> Tensor:
    """TF1's ``tf.sparse_matmul``: the float32 matrix product ``a @ b`` of dense
    matrices, told which one is mostly zeros (TF picks a kernel by it; the product is
    the same).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = sparse_matmul([[1.0, 0.0], [0.0, 2.0]], [[3.0], [4.0]], a_is_sparse=True)
    ...     print(tf.compat.v1.Session().run(p).tolist())
    [[3.0], [8.0]]
    """
    return build(
        SPARSE_MATMUL,
        [a, b],
        name,
        transpose_a=bool(transpose_a),
        transpose_b=bool(transpose_b),
        a_is_sparse=bool(a_is_sparse),
        b_is_sparse=bool(b_is_sparse),
    ).outputs[0]


@register_gradient("SparseMatMul")
def _sparse_matmul_grad(op, grad):
    a, b = op.inputs
    t_a, t_b = op.get_attr("transpose_a"), op.get_attr("transpose_b")

    def product(x, y, like, **transposes):
        result = math_ops.matmul(x, y, **transposes)
        return result if result.dtype == like.dtype else math_ops.cast(result, like.dtype)

    if not t_a and not t_b:
        return [product(grad, b, a, transpose_b=True), product(a, grad, b, transpose_a=True)]
    if not t_a and t_b:
        return [product(grad, b, a), product(grad, a, b, transpose_a=True)]
    if t_a and not t_b:
        return [product(b, grad, a, transpose_b=True), product(a, grad, b)]
    return [
        product(b, grad, a, transpose_a=True, transpose_b=True),
        product(grad, a, b, transpose_a=True, transpose_b=True),
    ]


# -- a sparse tensor times or over a dense one (SparseTensor's * and /) ------------------------


def _cwise_shape(sp_indices, sp_values, sp_shape, dense, *, T) -> list[TensorSpec]:
    return [TensorSpec(T, TensorShape([with_rank(sp_indices.shape, 2).dim_value(0)]))]


SPARSE_DENSE_CWISE = {
    name: register_op(
        OpDef(
            f"SparseDenseCwise{name}",
            ("sp_indices: int64", "sp_values: T", "sp_shape: int64", "dense: T"),
            ("output: T",),
            ("T: numbertype",),
            _cwise_shape,
        )
    )
    for name in ("Mul", "Div", "Add")
}


def sparse_dense_cwise(sp: SparseTensor, y, op: str, operator: str) -> SparseTensor:
    """``sp`` times, over (``op`` ``"Mul"``, ``"Div"``) or plus (``"Add"``) ``y``, a dense
    tensor broadcast to ``sp``'s shape and read at ``sp``'s indices only: a
    ``SparseTensor`` with ``sp``'s indices, its op named after ``operator`` (``"mul"``,
    ``"div"``, ``"truediv"``: Python's ``/``, which divides integers in floating point).
    What ``sp * y`` and ``sp / y`` build (and only these: as in TF, a sparse tensor has
    no ``+`` and no reflected operators).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sp = tf.SparseTensor([[0, 0], [1, 2]], [2.0, 4.0], [2, 3])
    ...     half = sp / tf.constant([1.0, 2.0, 4.0])
    ...     print(half.values.op.type, tf.compat.v1.Session().run(half.values))
    SparseDenseCwiseDiv [2. 1.]
    """
    with name_scope(None, operator, [sp.indices, sp.values, y]) as scope:
        values = sp.values
        y = convert_to_tensor(y, dtype=values.dtype.base_dtype, name="y")
        if operator == "truediv":  # integers divide in floating point, as Tensor's /
            target = math_ops.truediv_dtype(values.dtype.base_dtype)
            if target is not None:
                values, y = math_ops.cast(values, target), math_ops.cast(y, target)
        args = [sp.indices, values, sp.dense_shape, y]
        out = build(SPARSE_DENSE_CWISE[op], args, scope).outputs[0]
    return SparseTensor(sp.indices, out, sp.dense_shape)


def _cwise_grad(op, grad):
    """TF's ``_SparseDenseCwiseMulOrDivGrad``: the dense side's values each sparse value
    met (broadcast dimensions map several indices to one), and their gradients summed
    back into the dense shape."""
    indices, values, sparse_shape, y = op.inputs
    dense_shape = math_ops.cast(shape(y), dtypes.int64)
    added = expand_dims(size(sparse_shape) - size(dense_shape), 0)
    scaling = sparse_shape // concat([ones(added, dtypes.int64), dense_shape], 0)
    met_at = slicing_ops.slice(indices // scaling, concat([[0], added], 0), [-1, -1])
    met = gather_nd(y, met_at)
    if op.type == "SparseDenseCwiseMul":
        dx, dy_values = grad * met, grad * values
    else:
        dx, dy_values = grad / met, grad * (-values / math_ops.square(met))
    dy = sparse_ops.sparse_add_v2(zeros_like(y), SparseTensor(met_at, dy_values, dense_shape))
    return [None, dx, None, dy]


register_gradient("SparseDenseCwiseMul")(_cwise_grad)
register_gradient("SparseDenseCwiseDiv")(_cwise_grad)


@register_gradient("SparseDenseCwiseAdd")
def _cwise_add_grad(op, grad):
    raise NotImplementedError("Gradient for SparseDenseCwiseAdd is currently not implemented yet.")


# -- TF2's argument order of the sparse segment reductions ---------------------------------


def _segment_v2(reduction):
    def segment(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False):
        return reduction(data, indices, segment_ids, name, num_segments, sparse_gradient)

    segment.__name__ = segment.__qualname__ = f"{reduction.__name__}_v2"
    segment.__doc__ = f"TF2's ``tf.sparse.{reduction.__name__[len('sparse_') :]}``: " + (
        f":func:`~runtime.ops.segment_ops.{reduction.__name__}` with ``num_segments`` "
        "before ``name``."
    )
    return segment


sparse_segment_sum_v2 = _segment_v2(segment_ops.sparse_segment_sum)
sparse_segment_mean_v2 = _segment_v2(segment_ops.sparse_segment_mean)
sparse_segment_sqrt_n_v2 = _segment_v2(segment_ops.sparse_segment_sqrt_n)


# tf.compat.v1's top-level names.
V1_OVERRIDES = {
    "edit_distance": edit_distance,
    "sparse_mask": sparse_mask,
    "sparse_matmul": sparse_matmul,
    "sparse_maximum": sparse_maximum,
    "sparse_minimum": sparse_minimum,
    "sparse_softmax": sparse_softmax,
}
