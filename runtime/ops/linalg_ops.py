"""Linear algebra: inverses, determinants, factorizations, solvers, diagonals, bands and
norms (``tf.linalg``, and TF1's top-level spellings ``tf.matrix_inverse`` ...).

Every op works on batches: the last two axes hold the matrices. The ops are TF's,
typed as TF declares them; ``eye``, ``trace``, ``logdet``, ``cholesky_solve``,
``norm`` and ``lstsq`` are built from them as TF builds them. Gradients:
:mod:`runtime.ops.linalg_grad`; kernels: :mod:`runtime.kernels.linalg`.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops, math_ops
from .constant_value import known_value
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup, op_outputs
from .math_ops import matmul, tensordot
from .shape_ops import TRANSPOSE
from .shape_util import merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "logm",
    "banded_triangular_solve",
    "tridiagonal_solve",
    "tridiagonal_matmul",
    "eigvals",
    "eig",
    "sqrtm",
    "expm",
    "pinv",
    "normalize",
    "matrix_rank",
    "lu_solve",
    "lu_reconstruct",
    "lu_matrix_inverse",
    "adjoint",
    "band_part",
    "cholesky",
    "cholesky_solve",
    "cross",
    "det",
    "diag",
    "diag_part",
    "eigh",
    "eigvalsh",
    "eye",
    "inv",
    "logdet",
    "lstsq",
    "lu",
    "matmul",
    "matrix_transpose",
    "matvec",
    "norm",
    "qr",
    "set_diag",
    "slogdet",
    "solve",
    "svd",
    "tensor_diag",
    "tensor_diag_part",
    "tensordot",
    "trace",
    "triangular_solve",
]

_SOLVER_TYPES = "T: {float64, float32, float16, complex64, complex128}"
_ALIGN = "align: {'LEFT_RIGHT', 'RIGHT_LEFT', 'LEFT_LEFT', 'RIGHT_RIGHT'} = 'RIGHT_LEFT'"


def _matrices(shape: TensorShape, square: bool = False) -> TensorShape:
    """``shape`` checked to hold (square) matrices in its last two axes."""
    shape = with_rank_at_least(shape, 2)
    if square and shape.rank is not None:
        merge_dim(shape.dim_value(-2), shape.dim_value(-1))
    return shape


def _same_shape(input: TensorSpec, *, T, **_attrs) -> list[TensorSpec]:
    return [TensorSpec(T, _matrices(input.shape, square=True))]


def _batch_scalar(input: TensorSpec, *, T) -> list[TensorSpec]:
    shape = _matrices(input.shape, square=True)
    return [TensorSpec(T, shape[:-2] if shape.rank is not None else shape)]


def _linalg_op(name, inputs, outputs, attrs, shape_fn) -> OpDef:
    return register_op(OpDef(name, inputs, outputs, attrs, shape_fn=shape_fn, cost=Cost.EXPENSIVE))


MATRIX_INVERSE = _linalg_op(
    "MatrixInverse",
    ("input: T",),
    ("output: T",),
    ("adjoint: bool = false", _SOLVER_TYPES),
    _same_shape,
)
MATRIX_DETERMINANT = _linalg_op(
    "MatrixDeterminant",
    ("input: T",),
    ("output: T",),
    ("T: {float16, float32, float64, complex64, complex128}",),
    _batch_scalar,
)
LOG_MATRIX_DETERMINANT = _linalg_op(
    "LogMatrixDeterminant",
    ("input: T",),
    ("sign: T", "log_abs_determinant: T"),
    ("T: {float16, float32, float64, complex64, complex128}",),
    lambda input, *, T: _batch_scalar(input, T=T) * 2,
)
CHOLESKY = _linalg_op("Cholesky", ("input: T",), ("output: T",), (_SOLVER_TYPES,), _same_shape)
MATRIX_SQUARE_ROOT = _linalg_op(
    "MatrixSquareRoot", ("input: T",), ("output: T",), (_SOLVER_TYPES,), _same_shape
)


def _solve_shape(matrix: TensorSpec, rhs: TensorSpec, *, T, **_attrs) -> list[TensorSpec]:
    lhs = _matrices(matrix.shape, square=True)
    right = _matrices(rhs.shape)
    if lhs.rank is None or right.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    merge_dim(lhs.dim_value(-1), right.dim_value(-2))
    batch = broadcast_shapes(lhs[:-2], right[:-2])
    return [TensorSpec(T, batch.concatenate([lhs.dim_value(-1), right.dim_value(-1)]))]


MATRIX_SOLVE = _linalg_op(
    "MatrixSolve",
    ("matrix: T", "rhs: T"),
    ("output: T",),
    ("adjoint: bool = false", _SOLVER_TYPES),
    _solve_shape,
)
MATRIX_TRIANGULAR_SOLVE = _linalg_op(
    "MatrixTriangularSolve",
    ("matrix: T", "rhs: T"),
    ("output: T",),
    (
        "lower: bool = true",
        "adjoint: bool = false",
        "T: {bfloat16, float64, float32, float16, complex64, complex128}",
    ),
    _solve_shape,
)


def _solve_ls_shape(matrix: TensorSpec, rhs: TensorSpec, l2_regularizer: TensorSpec, *, T, fast):
    lhs, right = _matrices(matrix.shape), _matrices(rhs.shape)
    with_rank(l2_regularizer.shape, 0)
    if lhs.rank is None or right.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    merge_dim(lhs.dim_value(-2), right.dim_value(-2))
    batch = merge_shapes(lhs[:-2], right[:-2])
    return [TensorSpec(T, batch.concatenate([lhs.dim_value(-1), right.dim_value(-1)]))]


MATRIX_SOLVE_LS = _linalg_op(
    "MatrixSolveLs",
    ("matrix: T", "rhs: T", "l2_regularizer: float64"),
    ("output: T",),
    (_SOLVER_TYPES, "fast: bool = true"),
    _solve_ls_shape,
)


def _qr_shape(input: TensorSpec, *, full_matrices, T):
    shape = _matrices(input.shape)
    if shape.rank is None:
        return [TensorSpec(T, shape), TensorSpec(T, shape)]
    batch, (rows, cols) = shape[:-2], shape.as_tuple()[-2:]
    small = None if rows is None or cols is None else min(rows, cols)
    if full_matrices:
        q, r = [rows, rows], [rows, cols]
    else:
        q, r = [rows, small], [small, cols]
    return [TensorSpec(T, batch.concatenate(q)), TensorSpec(T, batch.concatenate(r))]


QR = _linalg_op(
    "Qr",
    ("input: T",),
    ("q: T", "r: T"),
    ("full_matrices: bool = false", _SOLVER_TYPES),
    _qr_shape,
)


def _svd_shape(input: TensorSpec, *, compute_uv, full_matrices, T):
    shape = _matrices(input.shape)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))] * 3
    batch, (rows, cols) = shape[:-2], shape.as_tuple()[-2:]
    small = None if rows is None or cols is None else min(rows, cols)
    s = TensorSpec(T, batch.concatenate([small]))
    if not compute_uv:
        return [s, TensorSpec(T, TensorShape([0])), TensorSpec(T, TensorShape([0]))]
    u_cols, v_cols = (rows, cols) if full_matrices else (small, small)
    return [
        s,
        TensorSpec(T, batch.concatenate([rows, u_cols])),
        TensorSpec(T, batch.concatenate([cols, v_cols])),
    ]


SVD = _linalg_op(
    "Svd",
    ("input: T",),
    ("s: T", "u: T", "v: T"),
    ("compute_uv: bool = true", "full_matrices: bool = false", _SOLVER_TYPES),
    _svd_shape,
)


def _eig_shape(input: TensorSpec, *, compute_v, T):
    shape = _matrices(input.shape, square=True)
    if shape.rank is None:
        return [TensorSpec(T, shape), TensorSpec(T, shape)]
    values = TensorSpec(T, shape[:-1])
    return [values, TensorSpec(T, shape if compute_v else TensorShape([0]))]


SELF_ADJOINT_EIG = _linalg_op(
    "SelfAdjointEigV2",
    ("input: T",),
    ("e: T", "v: T"),
    ("compute_v: bool = true", _SOLVER_TYPES),
    _eig_shape,
)


# TF's adjoint of a complex tensor: one op for the transpose and the conjugate.
CONJUGATE_TRANSPOSE = register_op(
    OpDef(
        "ConjugateTranspose",
        ("x: T", "perm: Tperm"),
        ("y: T",),
        ("T: type", "Tperm: {int32, int64} = DT_INT32"),
        shape_fn=TRANSPOSE.shape_fn,
    )
)


_TRIDIAGONAL_TYPES = "T: {float64, float32, complex64, complex128}"


def _tridiagonal_solve_shape(diagonals: TensorSpec, rhs: TensorSpec, *, T, **_attrs):
    compact = with_rank_at_least(diagonals.shape, 2)
    if compact.rank is not None:
        merge_dim(compact.dim_value(-2), 3)
    right = with_rank_at_least(rhs.shape, 2)
    if compact.rank is not None and right.rank is not None:
        merge_dim(compact.dim_value(-1), right.dim_value(-2))
    return [TensorSpec(T, right)]


TRIDIAGONAL_SOLVE = _linalg_op(
    "TridiagonalSolve",
    ("diagonals: T", "rhs: T"),
    ("output: T",),
    ("partial_pivoting: bool = true", "perturb_singular: bool = false", _TRIDIAGONAL_TYPES),
    _tridiagonal_solve_shape,
)


def _tridiagonal_matmul_shape(superdiag, maindiag, subdiag, rhs, *, T):
    return [TensorSpec(T, with_rank_at_least(rhs.shape, 2))]


TRIDIAGONAL_MATMUL = _linalg_op(
    "TridiagonalMatMul",
    ("superdiag: T", "maindiag: T", "subdiag: T", "rhs: T"),
    ("output: T",),
    (_TRIDIAGONAL_TYPES,),
    _tridiagonal_matmul_shape,
)


def _compact_diagonals(diagonals, diagonals_format: str) -> Tensor:
    """The ``[..., 3, M]`` form (superdiagonal, diagonal, subdiagonal) of ``diagonals``."""
    if diagonals_format == "compact":
        return convert_to_tensor(diagonals, name="diagonals", graph=graph_of([diagonals]))
    if diagonals_format == "sequence":
        if not isinstance(diagonals, list | tuple) or len(diagonals) != 3:
            raise ValueError(
                f"Expected diagonals to be a sequence of length 3, got {type(diagonals).__name__}."
            )
        parts = [convert_to_tensor(d, graph=graph_of(list(diagonals))) for d in diagonals]
        return array_ops.stack(parts, axis=-2)
    if diagonals_format == "matrix":
        matrix = convert_to_tensor(diagonals, name="diagonals", graph=graph_of([diagonals]))
        return matrix_diag_part(matrix, k=(-1, 1), padding_value=0, align="LEFT_RIGHT")
    raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")


def tridiagonal_solve(
    diagonals,
    rhs,
    diagonals_format="compact",
    transpose_rhs=False,
    conjugate_rhs=False,
    name=None,
    partial_pivoting=True,
    perturb_singular=False,
) -> Tensor:
    """``X`` with ``A @ X = rhs`` for tridiagonal ``A``, given as its three diagonals
    (``compact``: ``[..., 3, M]``, the superdiagonal's last and the subdiagonal's first
    entry ignored; ``sequence``: three ``[..., M]`` tensors) or as a ``matrix``; a
    vector ``rhs`` gives a vector.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     diagonals = tf.constant([[1.0, 1.0, 0.0], [4.0, 4.0, 4.0], [0.0, 1.0, 1.0]])
    ...     x = tridiagonal_solve(diagonals, tf.constant([5.0, 6.0, 5.0]))
    ...     print(tf.compat.v1.Session().run(x))
    [1. 1. 1.]
    """
    with name_scope(name, "tridiagonal_solve", [diagonals, rhs]):
        compact = _compact_diagonals(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, dtype=compact.dtype.base_dtype, name="rhs")
        vector = rhs.shape.rank is not None and rhs.shape.rank == compact.shape.rank - 1
        if vector:
            rhs = array_ops.expand_dims(rhs, -1)
        elif transpose_rhs:
            rhs = matrix_transpose(rhs, conjugate=conjugate_rhs)
        elif conjugate_rhs:
            rhs = math_ops.conj(rhs)
        if vector and conjugate_rhs:
            rhs = math_ops.conj(rhs)
        attrs = {
            "partial_pivoting": bool(partial_pivoting),
            "perturb_singular": bool(perturb_singular),
        }
        solution = _apply(TRIDIAGONAL_SOLVE, [compact, rhs], "TridiagonalSolve", **attrs)[0]
        return array_ops.squeeze(solution, axis=-1) if vector else solution


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None) -> Tensor:
    """``A @ rhs`` for tridiagonal ``A`` given as in :func:`tridiagonal_solve`.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     diagonals = tf.constant([[1.0, 1.0, 0.0], [4.0, 4.0, 4.0], [0.0, 1.0, 1.0]])
    ...     y = tridiagonal_matmul(diagonals, tf.ones([3, 1]))
    ...     print(tf.compat.v1.Session().run(y).ravel())
    [5. 6. 5.]
    """
    with name_scope(name, "tridiagonal_matmul", [diagonals, rhs]):
        compact = _compact_diagonals(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, dtype=compact.dtype.base_dtype, name="rhs")
        superdiag, maindiag, subdiag = (compact[..., i : i + 1, :] for i in range(3))
        inputs = [superdiag, maindiag, subdiag, rhs]
        return _apply(TRIDIAGONAL_MATMUL, inputs, "TridiagonalMatMul")[0]


MATRIX_LOGARITHM = _linalg_op(
    "MatrixLogarithm",
    ("input: T",),
    ("output: T",),
    ("T: {complex64, complex128}",),
    _same_shape,
)


def logm(input, name=None) -> Tensor:
    """The principal logarithm of each (complex) square matrix; TF defines no gradient.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     e = tf.constant([[np.e, 0.0], [0.0, 1.0]], tf.complex128)
    ...     print(tf.compat.v1.Session().run(logm(e)).real.round(6))
    [[1. 0.]
     [0. 0.]]
    """
    return _apply(MATRIX_LOGARITHM, [input], name)[0]


BANDED_TRIANGULAR_SOLVE = _linalg_op(
    "BandedTriangularSolve",
    ("matrix: T", "rhs: T"),
    ("output: T",),
    ("lower: bool = true", "adjoint: bool = false", _SOLVER_TYPES),
    lambda matrix, rhs, *, T, **_attrs: [TensorSpec(T, _matrices(rhs.shape))],
)


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """``X`` with ``A @ X = rhs`` for a banded triangular ``A`` given by its ``K`` bands
    (``[..., K, M]``: the diagonal first and then the subdiagonals when ``lower``, the
    superdiagonals and then the diagonal otherwise; stored ``LEFT_RIGHT``-aligned, as
    TF's); TF defines no gradient.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     bands = tf.constant([[2.0, 2.0], [0.0, 1.0]])  # diagonal 2, subdiagonal 1
    ...     x = banded_triangular_solve(bands, tf.constant([[2.0], [3.0]]))
    ...     print(tf.compat.v1.Session().run(x).ravel())
    [1. 1.]
    """
    attrs = {"lower": bool(lower), "adjoint": bool(adjoint)}
    return _apply(BANDED_TRIANGULAR_SOLVE, [bands, rhs], name, **attrs)[0]


def _general_eig_shape(input: TensorSpec, *, compute_v, T, Tout):
    shape = _matrices(input.shape, square=True)
    if shape.rank is None:
        return [TensorSpec(Tout, shape), TensorSpec(Tout, shape)]
    return [
        TensorSpec(Tout, shape[:-1]),
        TensorSpec(Tout, shape if compute_v else TensorShape([0])),
    ]


EIG = _linalg_op(
    "Eig",
    ("input: T",),
    ("e: Tout", "v: Tout"),
    (
        "compute_v: bool = true",
        "T: {float32, float64, complex64, complex128}",
        "Tout: {complex64, complex128}",
    ),
    _general_eig_shape,
)


def _complex_of(dtype) -> dtypes.DType:
    return dtypes.complex128 if dtype in (dtypes.float64, dtypes.complex128) else dtypes.complex64


def eig(tensor, name=None):
    """``(e, v)``: the (complex) eigenvalues of each square matrix and its unit-norm
    eigenvectors as the columns of ``v``, in no particular order.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     e, v = eig(tf.constant([[0.0, -1.0], [1.0, 0.0]], tf.float64))
    ...     print(sorted(tf.compat.v1.Session().run(e).tolist(), key=lambda z: z.imag))
    [-1j, 1j]
    """
    tensor = convert_to_tensor(tensor, name="tensor", graph=graph_of([tensor]))
    out = _complex_of(tensor.dtype.base_dtype)
    return tuple(_apply(EIG, [tensor], name, compute_v=True, Tout=out))


def eigvals(tensor, name=None) -> Tensor:
    """The (complex) eigenvalues of each square matrix."""
    tensor = convert_to_tensor(tensor, name="tensor", graph=graph_of([tensor]))
    out = _complex_of(tensor.dtype.base_dtype)
    return _apply(EIG, [tensor], name, compute_v=False, Tout=out)[0]


def _cross_shape(a: TensorSpec, b: TensorSpec, *, T):
    shape = merge_shapes(with_rank_at_least(a.shape, 1), with_rank_at_least(b.shape, 1))
    if shape.rank is not None and shape.dim_value(-1) is not None and shape.dim_value(-1) != 3:
        raise ValueError(f"Dimension must be 3 but is {shape.dim_value(-1)}")
    return [TensorSpec(T, shape)]


CROSS = register_op(
    OpDef(
        "Cross",
        ("a: T", "b: T"),
        ("product: T",),
        ("T: realnumbertype",),
        shape_fn=_cross_shape,
    )
)


def _lu_shape(input: TensorSpec, *, T, output_idx_type):
    shape = _matrices(input.shape, square=True)
    perm = shape[:-1] if shape.rank is not None else shape
    return [TensorSpec(T, shape), TensorSpec(output_idx_type, perm)]


LU = _linalg_op(
    "Lu",
    ("input: T",),
    ("lu: T", "p: output_idx_type"),
    (
        "T: {float64, float32, float16, complex64, complex128}",
        "output_idx_type: {int32, int64} = DT_INT32",
    ),
    _lu_shape,
)

# -- diagonals and bands -----------------------------------------------------------------


def _band(k: TensorSpec):
    """``(lower, upper)`` of a known ``k``, else ``None``."""
    value = known_value(k)
    if value is None:
        return None
    flat = np.asarray(value).reshape(-1)
    return int(flat[0]), int(flat[-1])


def _diagonal_length(rows, cols, d: int):
    if rows is None or cols is None:
        return None
    return max(0, min(rows + min(d, 0), cols - max(d, 0)))


def _diag_part_shape(input: TensorSpec, k: TensorSpec, padding_value: TensorSpec, *, T, align):
    shape = _matrices(input.shape)
    band = _band(k)
    if shape.rank is None or band is None:
        return [TensorSpec(T, TensorShape(None))]
    lower, upper = band
    rows, cols = shape.as_tuple()[-2:]
    lengths = [_diagonal_length(rows, cols, d) for d in range(lower, upper + 1)]
    longest = None if None in lengths else max(lengths, default=0)
    bands = [] if lower == upper else [upper - lower + 1]
    return [TensorSpec(T, shape[:-2].concatenate([*bands, longest]))]


def _diag_shape(diagonal, k, num_rows, num_cols, padding_value, *, T, align):
    shape = with_rank_at_least(diagonal.shape, 1)
    band = _band(k)
    if shape.rank is None or band is None:
        return [TensorSpec(T, TensorShape(None))]
    lower, upper = band
    batch = shape[:-1] if lower == upper else shape[:-2]
    longest = shape.dim_value(-1)
    rows, cols = known_value(num_rows), known_value(num_cols)
    if longest is None or rows is None or cols is None:
        return [TensorSpec(T, batch.concatenate([None, None]))]
    min_rows, min_cols = longest - min(upper, 0), longest + max(lower, 0)
    rows, cols = int(rows), int(cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    return [TensorSpec(T, batch.concatenate([rows, cols]))]


def _set_diag_shape(input: TensorSpec, diagonal: TensorSpec, k: TensorSpec, *, T, align):
    return [TensorSpec(T, _matrices(input.shape))]


MATRIX_DIAG = register_op(
    OpDef(
        "MatrixDiagV3",
        ("diagonal: T", "k: int32", "num_rows: int32", "num_cols: int32", "padding_value: T"),
        ("output: T",),
        ("T: type", _ALIGN),
        shape_fn=_diag_shape,
    )
)
MATRIX_DIAG_PART = register_op(
    OpDef(
        "MatrixDiagPartV3",
        ("input: T", "k: int32", "padding_value: T"),
        ("diagonal: T",),
        ("T: type", _ALIGN),
        shape_fn=_diag_part_shape,
    )
)
MATRIX_SET_DIAG = register_op(
    OpDef(
        "MatrixSetDiagV3",
        ("input: T", "diagonal: T", "k: int32"),
        ("output: T",),
        ("T: type", _ALIGN),
        shape_fn=_set_diag_shape,
    )
)


def _band_part_shape(input: TensorSpec, num_lower: TensorSpec, num_upper: TensorSpec, *, T, Tindex):
    with_rank(num_lower.shape, 0)
    with_rank(num_upper.shape, 0)
    return [TensorSpec(T, _matrices(input.shape))]


MATRIX_BAND_PART = register_op(
    OpDef(
        "MatrixBandPart",
        ("input: T", "num_lower: Tindex", "num_upper: Tindex"),
        ("band: T",),
        ("T: type", "Tindex: {int32, int64} = DT_INT64"),
        shape_fn=_band_part_shape,
    )
)

_DIAG_TYPES = "T: {bfloat16, float16, float32, float64, int32, int64, complex64, complex128}"


def _tensor_diag_shape(diagonal: TensorSpec, *, T):
    shape = diagonal.shape
    if shape.rank == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    return [TensorSpec(T, shape if shape.rank is None else shape.concatenate(shape))]


def _tensor_diag_part_shape(input: TensorSpec, *, T):
    shape = input.shape
    if shape.rank is None:
        return [TensorSpec(T, shape)]
    if shape.rank == 0 or shape.rank % 2:
        raise ValueError(f"Input must have even and non-zero rank, input rank is {shape.rank}")
    half = shape.rank // 2
    return [TensorSpec(T, merge_shapes(shape[:half], shape[half:]))]


DIAG = register_op(
    OpDef("Diag", ("diagonal: T",), ("output: T",), (_DIAG_TYPES,), shape_fn=_tensor_diag_shape)
)
DIAG_PART = register_op(
    OpDef(
        "DiagPart",
        ("input: T",),
        ("diagonal: T",),
        (_DIAG_TYPES,),
        shape_fn=_tensor_diag_part_shape,
    )
)


# -- builders ------------------------------------------------------------------------------


def _apply(op_def: OpDef, inputs: list, name, **attrs):
    return apply_op(op_def, inputs, name or op_def.name, **attrs).outputs


def matrix_inverse(input, adjoint=False, name=None) -> Tensor:
    """The inverse of each square matrix (of its adjoint with ``adjoint=True``);
    ``InvalidArgumentError`` for a singular one.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     inv = matrix_inverse([[2.0, 0.0], [0.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(inv))
    [[0.5  0.  ]
     [0.   0.25]]
    """
    return _apply(MATRIX_INVERSE, [input], name, adjoint=bool(adjoint))[0]


inv = matrix_inverse


def matrix_determinant(input, name=None) -> Tensor:
    """The determinant of each square matrix.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matrix_determinant([[1.0, 2.0], [3.0, 4.0]])))
    -2.0
    """
    return _apply(MATRIX_DETERMINANT, [input], name)[0]


det = matrix_determinant


def slogdet(input, name=None):
    """TF's namedtuple ``LogMatrixDeterminant(sign, log_abs_determinant)`` of each square
    matrix: the determinant is ``sign * exp(log_abs_determinant)``, without overflow.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sign, log_abs = slogdet([[1.0, 2.0], [3.0, 4.0]])
    ...     print(tf.compat.v1.Session().run([sign, log_abs]))
    [np.float32(-1.0), np.float32(0.6931472)]
    """
    return op_outputs(apply_op(LOG_MATRIX_DETERMINANT, [input], name or "LogMatrixDeterminant"))


log_matrix_determinant = slogdet


def logdet(matrix, name=None) -> Tensor:
    """The log-determinant of each Hermitian positive definite matrix, from its
    Cholesky factor: ``2 * sum(log(diag(cholesky(matrix))))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(logdet([[4.0, 0.0], [0.0, 1.0]])))
    1.3862944
    """
    with name_scope(name, "logdet", [matrix]):
        chol = cholesky(matrix)
        diagonal = math_ops.real(matrix_diag_part(chol))
        two = convert_to_tensor(2.0, dtype=diagonal.dtype.base_dtype)
        return math_ops.multiply(two, math_ops.reduce_sum(math_ops.log(diagonal), axis=[-1]))


def cholesky(input, name=None) -> Tensor:
    """The lower-triangular Cholesky factor ``L`` of each Hermitian positive definite
    matrix (``input = L @ adjoint(L)``; only the lower triangle of ``input`` is read).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(cholesky([[4.0, 2.0], [2.0, 2.0]])))
    [[2. 0.]
     [1. 1.]]
    """
    return _apply(CHOLESKY, [input], name)[0]


def matrix_solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """``X`` with ``matrix @ X = rhs`` (``adjoint(matrix) @ X = rhs`` with ``adjoint``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = matrix_solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [2.0]])
    ...     print(tf.compat.v1.Session().run(x).ravel())
    [1.  0.5]
    """
    return _apply(MATRIX_SOLVE, [matrix, rhs], name, adjoint=bool(adjoint))[0]


solve = matrix_solve


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """``matrix_solve`` for a triangular ``matrix`` (its other triangle is ignored); the
    batch dimensions broadcast.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = matrix_triangular_solve([[2.0, 9.0], [1.0, 1.0]], [[2.0], [2.0]])
    ...     print(tf.compat.v1.Session().run(x).ravel())
    [1. 1.]
    """
    attrs = {"lower": bool(lower), "adjoint": bool(adjoint)}
    return _apply(MATRIX_TRIANGULAR_SOLVE, [matrix, rhs], name, **attrs)[0]


triangular_solve = matrix_triangular_solve


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """``X`` with ``A @ X = rhs`` given ``chol``, the Cholesky factor of ``A``: two
    triangular solves.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     chol = cholesky([[4.0, 2.0], [2.0, 2.0]])
    ...     print(tf.compat.v1.Session().run(cholesky_solve(chol, [[6.0], [4.0]])).ravel())
    [1. 1.]
    """
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


def regularized_gramian_cholesky(matrix: Tensor, l2_regularizer, first_kind: bool) -> Tensor:
    """The Cholesky factor of ``A^H A + l I`` (``first_kind``) or ``A A^H + l I``."""
    gramian = matmul(matrix, matrix, adjoint_a=first_kind, adjoint_b=not first_kind)
    if not (isinstance(l2_regularizer, int | float) and l2_regularizer == 0):
        size = array_ops.shape(matrix)[-1 if first_kind else -2]
        batch = array_ops.shape(matrix)[:-2]
        identity = eye(size, batch_shape=batch, dtype=matrix.dtype.base_dtype)
        regularizer = math_ops.cast(l2_regularizer, matrix.dtype.base_dtype)
        gramian = math_ops.add(gramian, math_ops.multiply(regularizer, identity))
    return cholesky(gramian)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """The least-squares solution ``X`` of ``matrix @ X = rhs`` (regularized by
    ``l2_regularizer``). ``fast`` solves the normal equations by Cholesky, as TF's
    composite does (the minimum-norm solution when under-determined); ``fast=False``
    the ``MatrixSolveLs`` op by an orthogonal decomposition (no gradient, as in TF).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = matrix_solve_ls([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0], [1.0], [2.0]])
    ...     print(tf.compat.v1.Session().run(x).round(5).ravel())
    [1. 1.]
    """
    with name_scope(name, "matrix_solve_ls", [matrix, rhs, l2_regularizer]) as scope:
        graph = graph_of([matrix, rhs])
        matrix = convert_to_tensor(matrix, name="matrix", graph=graph)
        rhs = convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype.base_dtype, graph=graph)
        if not fast:
            regularizer = convert_to_tensor(l2_regularizer, dtypes.float64, "l2_regularizer")
            return _apply(MATRIX_SOLVE_LS, [matrix, rhs, regularizer], scope, fast=False)[0]
        shape = matrix.shape
        if shape.rank is None or shape.dim_value(-2) is None or shape.dim_value(-1) is None:
            raise ValueError(f"matrix_solve_ls needs matrices of known size, got {shape}")
        if shape.dim_value(-2) >= shape.dim_value(-1):
            chol = regularized_gramian_cholesky(matrix, l2_regularizer, first_kind=True)
            return cholesky_solve(chol, matmul(matrix, rhs, adjoint_a=True))
        chol = regularized_gramian_cholesky(matrix, l2_regularizer, first_kind=False)
        return matmul(matrix, cholesky_solve(chol, rhs), adjoint_a=True)


lstsq = matrix_solve_ls


def qr(input, full_matrices=False, name=None):
    """TF's namedtuple ``Qr(q, r)``: ``input = q @ r`` with orthonormal columns in ``q``
    and upper-triangular ``r`` (square ``q`` with ``full_matrices``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q, r = qr([[3.0, 1.0], [4.0, 2.0]])
    ...     print(tf.compat.v1.Session().run(tf.matmul(q, r)).round(5))
    [[3. 1.]
     [4. 2.]]
    """
    return op_outputs(apply_op(QR, [input], name or "Qr", full_matrices=bool(full_matrices)))


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """The singular values ``s`` of each matrix (largest first) and, with ``compute_uv``,
    ``(s, u, v)`` with ``tensor = u @ diag(s) @ adjoint(v)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = svd([[3.0, 0.0], [0.0, -4.0]], compute_uv=False)
    ...     print(tf.compat.v1.Session().run(s))
    [4. 3.]
    """
    attrs = {"compute_uv": bool(compute_uv), "full_matrices": bool(full_matrices)}
    s, u, v = _apply(SVD, [tensor], name, **attrs)
    return (s, u, v) if compute_uv else s


def self_adjoint_eig(tensor, name=None):
    """``(e, v)``: the eigenvalues of each Hermitian matrix in increasing order, and
    its eigenvectors as the columns of ``v`` (only the lower triangle is read).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     e, v = self_adjoint_eig([[2.0, 1.0], [1.0, 2.0]])
    ...     print(tf.compat.v1.Session().run(e))
    [1. 3.]
    """
    return tuple(_apply(SELF_ADJOINT_EIG, [tensor], name, compute_v=True))


eigh = self_adjoint_eig


def self_adjoint_eigvals(tensor, name=None) -> Tensor:
    """The eigenvalues of each Hermitian matrix, in increasing order."""
    return _apply(SELF_ADJOINT_EIG, [tensor], name, compute_v=False)[0]


eigvalsh = self_adjoint_eigvals


def cross(a, b, name=None) -> Tensor:
    """The cross products of the 3-vectors in the last axes of ``a`` and ``b``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])))
    [0. 0. 1.]
    """
    return _apply(CROSS, [a, b], name)[0]


def lu(input, output_idx_type=dtypes.int32, name=None):
    """TF's namedtuple ``Lu(lu, p)``: the LU factorization with partial pivoting,
    ``input[p] = L @ U``, ``L`` unit lower triangular (below the diagonal of ``lu``) and
    ``U`` upper triangular.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     factors, p = lu([[1.0, 2.0], [3.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(p))
    [1 0]
    """
    out = dtypes.as_dtype(output_idx_type)
    return op_outputs(apply_op(LU, [input], name or "Lu", output_idx_type=out))


def permutation_matrices(perm, like: Tensor) -> Tensor:
    """``P`` with ``P[i, perm[i]] = 1`` (so ``P @ A`` is ``A[perm]``), of ``like``'s dtype."""
    size = like.shape.dim_value(-1) if like.shape.rank is not None else None
    depth = size if size is not None else array_ops.shape(like)[-1]
    return array_ops.one_hot(perm, depth, dtype=like.dtype.base_dtype)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The matrix ``A`` whose :func:`lu` factorization is ``(lower_upper, perm)``:
    ``A = P^T @ L @ U``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(lu_reconstruct(*lu(a))))
    [[1. 2.]
     [3. 4.]]
    """
    with name_scope(name, "lu_reconstruct", [lower_upper, perm]):
        lower_upper = convert_to_tensor(
            lower_upper, name="lower_upper", graph=graph_of([lower_upper])
        )
        identity = identity_like(lower_upper)
        lower = math_ops.add(
            matrix_band_part(lower_upper, -1, 0),
            math_ops.subtract(identity, matrix_band_part(lower_upper, 0, 0)),
        )
        upper = matrix_band_part(lower_upper, 0, -1)
        rows = permutation_matrices(perm, lower_upper)
        return matmul(rows, matmul(lower, upper), adjoint_a=True)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None) -> Tensor:
    """``X`` with ``A @ X = rhs``, given ``A``'s :func:`lu` factorization: the rows of
    ``rhs`` permuted, then two triangular solves.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     factors, perm = lu([[2.0, 0.0], [0.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(lu_solve(factors, perm, [[2.0], [2.0]])).ravel())
    [1.  0.5]
    """
    with name_scope(name, "lu_solve", [lower_upper, perm, rhs]):
        lower_upper = convert_to_tensor(
            lower_upper, name="lower_upper", graph=graph_of([lower_upper])
        )
        dtype = lower_upper.dtype.base_dtype
        rhs = convert_to_tensor(rhs, dtype=dtype, name="rhs")
        rows = permutation_matrices(perm, lower_upper)
        permuted = matmul(rows, rhs)
        identity = identity_like(lower_upper)
        unit_lower = math_ops.add(
            matrix_band_part(lower_upper, -1, 0),
            math_ops.subtract(identity, matrix_band_part(lower_upper, 0, 0)),
        )
        y = matrix_triangular_solve(unit_lower, permuted, lower=True)
        return matrix_triangular_solve(lower_upper, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The inverse of the matrix factored as ``(lower_upper, perm)`` by :func:`lu`."""
    with name_scope(name, "lu_matrix_inverse", [lower_upper, perm]):
        lower_upper = convert_to_tensor(
            lower_upper, name="lower_upper", graph=graph_of([lower_upper])
        )
        identity = identity_like(lower_upper)
        return lu_solve(lower_upper, perm, identity)


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix, from its SVD; singular values
    below ``rcond`` times the largest count as zero (default: 10 eps max(rows, cols)).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = pinv(tf.constant([[1.0, 0.0], [0.0, 0.0]], tf.float64))
    ...     print(tf.compat.v1.Session().run(p))
    [[1. 0.]
     [0. 0.]]
    """
    with name_scope(name, "pinv", [a, rcond]):
        a = convert_to_tensor(a, name="a", graph=graph_of([a]))
        dtype = a.dtype.base_dtype
        if rcond is None:
            rows, cols = _known_size(a, "pinv")
            rcond = 10.0 * max(rows, cols) * np.finfo(dtype.as_numpy_dtype).eps
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = math_ops.multiply(
            convert_to_tensor(rcond, dtype=dtype), math_ops.reduce_max(s, axis=-1, keepdims=True)
        )
        kept = math_ops.greater(s, cutoff)
        inverse_s = math_ops.where(kept, math_ops.reciprocal_no_nan(s), array_ops.zeros_like(s))
        scaled = math_ops.multiply(v, array_ops.expand_dims(inverse_s, -2))
        return matmul(scaled, u, adjoint_b=True)


def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """The number of singular values of each matrix above ``tol`` (default: eps times
    the largest singular value times max(rows, cols)), as int32.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = matrix_rank(tf.constant([[1.0, 2.0], [2.0, 4.0]], tf.float64))
    ...     print(tf.compat.v1.Session().run(r))
    1
    """
    with name_scope(name, "matrix_rank", [a, tol]):
        a = convert_to_tensor(a, name="a", graph=graph_of([a]))
        dtype = a.dtype.base_dtype
        s = svd(a, compute_uv=False)
        if tol is None:
            rows, cols = _known_size(a, "matrix_rank")
            eps = np.finfo(dtype.as_numpy_dtype).eps * max(rows, cols)
            tol = math_ops.multiply(
                convert_to_tensor(eps, dtype=dtype), math_ops.reduce_max(s, axis=-1, keepdims=True)
            )
        above = math_ops.cast(math_ops.greater(s, tol), dtypes.int32)
        return math_ops.reduce_sum(above, axis=-1)


def _known_size(a: Tensor, what: str) -> tuple:
    shape = a.shape
    if shape.rank is None or shape.dim_value(-2) is None or shape.dim_value(-1) is None:
        raise ValueError(f"{what} needs matrices of known size without a tolerance, got {shape}")
    return shape.dim_value(-2), shape.dim_value(-1)


def normalize(tensor, ord="euclidean", axis=None, name=None):
    """``(tensor / norm, norm)`` with :func:`norm`'s ``ord`` and ``axis`` (kept dims).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     unit, length = normalize([3.0, 4.0])
    ...     print(tf.compat.v1.Session().run([unit, length]))
    [array([0.6, 0.8], dtype=float32), array([5.], dtype=float32)]
    """
    with name_scope(name, "normalize", [tensor]):
        tensor = convert_to_tensor(tensor, graph=graph_of([tensor]))
        length = norm(tensor, ord=ord, axis=axis, keepdims=True)
        return math_ops.truediv(tensor, length), length


def matrix_diag(
    diagonal,
    name="diag",
    k=0,
    num_rows=-1,
    num_cols=-1,
    padding_value=0,
    align="RIGHT_LEFT",
) -> Tensor:
    """Matrices with ``diagonal`` on their diagonal ``k`` (or diagonals ``k = (lower,
    upper)``), ``padding_value`` elsewhere; square unless ``num_rows``/``num_cols``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matrix_diag([1, 2], k=1)))
    [[0 1 0]
     [0 0 2]
     [0 0 0]]
    """
    inputs = [diagonal, k, num_rows, num_cols, padding_value]
    return _apply(MATRIX_DIAG, inputs, name or "diag", align=align)[0]


def matrix_diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:
    """The diagonal ``k`` (or diagonals ``k = (lower, upper)``, padded with
    ``padding_value``) of each matrix.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matrix_diag_part([[1, 2], [3, 4]])))
    [1 4]
    """
    inputs = [input, k, padding_value]
    return _apply(MATRIX_DIAG_PART, inputs, name or "diag_part", align=align)[0]


def matrix_set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:
    """``input`` with its diagonal ``k`` (or diagonals ``k = (lower, upper)``) replaced.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matrix_set_diag(tf.zeros([2, 2]), [5.0, 6.0])))
    [[5. 0.]
     [0. 6.]]
    """
    inputs = [input, diagonal, k]
    return _apply(MATRIX_SET_DIAG, inputs, name or "set_diag", align=align)[0]


diag, diag_part, set_diag = matrix_diag, matrix_diag_part, matrix_set_diag


def matrix_band_part(input, num_lower, num_upper, name=None) -> Tensor:
    """Each matrix with everything outside its band zeroed: ``num_lower`` diagonals
    below the main one and ``num_upper`` above are kept (negative: all of them).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matrix_band_part(tf.ones([3, 3]), 0, -1)))
    [[1. 1. 1.]
     [0. 1. 1.]
     [0. 0. 1.]]
    """
    with name_scope(name, "MatrixBandPart", [input, num_lower, num_upper]) as scope:
        input = convert_to_tensor(input, name="input", graph=graph_of([input]))
        lower = convert_to_tensor(num_lower, name="num_lower", dtype_hint=dtypes.int64)
        upper = convert_to_tensor(num_upper, name="num_upper", dtype=lower.dtype.base_dtype)
        return _apply(MATRIX_BAND_PART, [input, lower, upper], scope)[0]


band_part = matrix_band_part


def tensor_diag(diagonal, name=None) -> Tensor:
    """TF1's ``tf.diag``: the rank-2k tensor with ``diagonal`` (rank k) on its diagonal.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(tensor_diag([1, 2])))
    [[1 0]
     [0 2]]
    """
    return _apply(DIAG, [diagonal], name)[0]


def tensor_diag_part(input, name=None) -> Tensor:
    """TF1's ``tf.diag_part``: the diagonal of a rank-2k tensor (the inverse of
    :func:`tensor_diag`)."""
    return _apply(DIAG_PART, [input], name)[0]


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None) -> Tensor:
    """The identity matrix (``num_rows`` x ``num_columns``, square by default), or a
    batch of them of ``batch_shape``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(eye(2, 3, dtype=tf.int32)))
    [[1 0 0]
     [0 1 0]]
    """
    with name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        dtype = dtypes.as_dtype(dtype)
        square = num_columns is None
        num_columns = num_rows if num_columns is None else num_columns
        batch_shape = [] if batch_shape is None else batch_shape
        dynamic = any(isinstance(v, Tensor) for v in (num_rows, num_columns, batch_shape))
        if dynamic:
            if isinstance(num_rows, Tensor) or isinstance(num_columns, Tensor):
                size = math_ops.minimum(num_rows, num_columns)
            else:
                size = min(num_rows, num_columns)
            batch = convert_to_tensor(batch_shape, dtype=dtypes.int32, name="shape")
            diag_shape = array_ops.concat([batch, array_ops.reshape(size, [1])], 0)
            shape = array_ops.concat([batch, array_ops.stack([num_rows, num_columns])], 0)
        else:
            for value in (num_rows, num_columns):
                if not isinstance(value, int | np.integer):
                    raise TypeError(
                        "Arguments `num_rows` and `num_columns` must be positive integer "
                        f"values. Received: num_rows={num_rows}, num_columns={num_columns}"
                    )
            square = num_rows == num_columns
            batch = list(TensorShape(batch_shape).as_list())
            diag_shape = [*batch, min(num_rows, num_columns)]
            shape = [*batch, num_rows, num_columns]
        ones = array_ops.ones(diag_shape, dtype=dtype)
        if square:
            return matrix_diag(ones)
        return matrix_set_diag(array_ops.zeros(shape, dtype=dtype), ones)


def matrix_square_root(input, name=None) -> Tensor:
    """The principal square root ``R`` of each square matrix (``R @ R = input``), for
    matrices without eigenvalues on the closed negative real axis.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = matrix_square_root(tf.constant([[4.0, 0.0], [0.0, 9.0]], tf.float64))
    ...     print(tf.compat.v1.Session().run(r))
    [[2. 0.]
     [0. 3.]]
    """
    return _apply(MATRIX_SQUARE_ROOT, [input], name)[0]


sqrtm = matrix_square_root

# Pade approximants of exp, by order: the coefficients b_0 ... b_m (Higham 2005).
_PADE = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (
        17643225600.0,
        8821612800.0,
        2075673600.0,
        302702400.0,
        30270240.0,
        2162160.0,
        110880.0,
        3960.0,
        90.0,
        1.0,
    ),
    13: (
        64764752532480000.0,
        32382376266240000.0,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
        1.0,
    ),
}
# The 1-norm bounds under which each order is accurate (Higham's theta), and the order
# scaling and squaring uses beyond them, by precision.
_PADE_BOUNDS = {
    "single": ((4.258730016922831e-001, 1.880152677804762e000), (3, 5, 7), 3.925724783138660),
    "double": (
        (
            1.495585217958292e-002,
            2.539398330063230e-001,
            9.504178996162932e-001,
            2.097847961257068e000,
        ),
        (3, 5, 7, 9, 13),
        5.371920351148152,
    ),
}


def _pade(matrix: Tensor, order: int):
    """``(U, V)`` of the order-``order`` Pade approximant: ``exp(A) ~ (V - U)^-1 (V + U)``."""
    b = _PADE[order]
    dtype = matrix.dtype.base_dtype
    identity = identity_like(matrix)

    def scaled(c, x):
        return math_ops.multiply(convert_to_tensor(c, dtype=dtype), x)

    highest = 6 if order == 13 else order - 1  # order 13 nests its powers past A^6
    terms = {0: identity, 2: matmul(matrix, matrix)}
    for k in range(4, highest + 1, 2):
        terms[k] = matmul(terms[k - 2], terms[2])
    low = range(0, highest + 1, 2)
    odd = [scaled(b[k + 1], terms[k]) for k in low]
    even = [scaled(b[k], terms[k]) for k in low]
    if order == 13:
        high_odd = math_ops.add_n([scaled(b[k + 1], terms[k - 6]) for k in (12, 10, 8)])
        high_even = math_ops.add_n([scaled(b[k], terms[k - 6]) for k in (12, 10, 8)])
        odd.append(matmul(terms[6], high_odd))
        even.append(matmul(terms[6], high_even))
    odd, even = math_ops.add_n(odd), math_ops.add_n(even)
    return matmul(matrix, odd), even


def expm(input, name=None) -> Tensor:
    """The matrix exponential of each square matrix, by a Pade approximant chosen by the
    matrix's 1-norm, with scaling and squaring beyond it (Higham 2005), as TF builds
    it; differentiable through the ops it is made of.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     e = expm(tf.constant([[0.0, 1.0], [0.0, 0.0]], tf.float64))
    ...     print(tf.compat.v1.Session().run(e))
    [[1. 1.]
     [0. 1.]]
    """
    from .control_flow_ops import while_loop  # control flow builds on these ops

    with name_scope(name, "matrix_exponential", [input]):
        matrix = convert_to_tensor(input, name="input", graph=graph_of([input]))
        shape = _matrices(matrix.shape, square=True)
        if shape.as_list()[-2:] == [0, 0]:
            return matrix
        dtype = matrix.dtype.base_dtype
        precision = (
            "single" if dtype in (dtypes.float16, dtypes.float32, dtypes.complex64) else "double"
        )
        bounds, orders, max_norm = _PADE_BOUNDS[precision]
        real = dtype.real_dtype if dtype.is_complex else dtype
        one_norm = math_ops.reduce_max(
            math_ops.reduce_sum(math_ops.abs(matrix), axis=-2), axis=-1, keepdims=True
        )
        one_norm = array_ops.expand_dims(one_norm, -1)
        two = convert_to_tensor(2.0, dtype=real)
        squarings = math_ops.maximum(
            math_ops.floor(
                math_ops.truediv(
                    math_ops.log(math_ops.truediv(one_norm, convert_to_tensor(max_norm, real))),
                    math_ops.log(two),
                )
            ),
            convert_to_tensor(0.0, real),
        )
        scale = math_ops.cast(math_ops.pow(two, squarings), dtype)
        approximants = [_pade(matrix, order) for order in orders[:-1]]
        approximants.append(_pade(math_ops.truediv(matrix, scale), orders[-1]))
        u, v = approximants[-1]
        for bound, (u_k, v_k) in reversed(list(zip(bounds, approximants[:-1]))):
            small = math_ops.less(one_norm, convert_to_tensor(bound, real))
            u, v = math_ops.where(small, u_k, u), math_ops.where(small, v_k, v)
        result = matrix_solve(math_ops.subtract(v, u), math_ops.add(u, v))
        most = math_ops.reduce_max(squarings)

        def squaring(i, r):
            return math_ops.add(i, 1.0), math_ops.where(
                math_ops.less(i, squarings), matmul(r, r), r
            )

        _, result = while_loop(
            lambda i, _: math_ops.less(i, most), squaring, [convert_to_tensor(0.0, real), result]
        )
        result.set_shape(shape)
        return result


def identity_like(matrices: Tensor) -> Tensor:
    """Identity matrices shaped like the square ``matrices`` (static sizes when known)."""
    shape = matrices.shape
    dtype = matrices.dtype.base_dtype
    if shape.is_fully_defined():
        return eye(shape.dim_value(-1), batch_shape=shape.as_list()[:-2], dtype=dtype)
    dynamic = array_ops.shape(matrices)
    return eye(dynamic[-1], batch_shape=dynamic[:-2], dtype=dtype)


def trace(x, name=None) -> Tensor:
    """The sum of the diagonal of each matrix.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(trace([[1.0, 2.0], [3.0, 4.0]])))
    5.0
    """
    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        return math_ops.reduce_sum(matrix_diag_part(x), [-1], name=scope)


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Each matrix transposed (its last two axes swapped; conjugated with ``conjugate``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(matrix_transpose(tf.zeros([5, 2, 3])).shape)
    (5, 3, 2)
    """
    with name_scope(name, "transpose", [a]):
        a = convert_to_tensor(a, name="a", graph=graph_of([a]))
        rank = a.shape.rank
        if rank is not None:
            if rank < 2:
                raise ValueError(
                    f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = {a} "
                    f"with shape: {a.shape}"
                )
            perm = [*range(rank - 2), rank - 1, rank - 2]
        else:
            a_rank = array_ops.rank(a)
            perm = array_ops.concat(
                [
                    math_ops.range(math_ops.subtract(a_rank, 2)),
                    array_ops.stack([math_ops.subtract(a_rank, 1), math_ops.subtract(a_rank, 2)]),
                ],
                0,
            )
        if conjugate and a.dtype.base_dtype.is_complex:
            return _apply(CONJUGATE_TRANSPOSE, [a, perm], "transpose")[0]
        return array_ops.transpose(a, perm)


def adjoint(matrix, name=None) -> Tensor:
    """The conjugate transpose of each matrix."""
    with name_scope(name, "adjoint", [matrix]):
        return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None) -> Tensor:
    """The products of the matrices ``a`` with the vectors ``b`` (the last axis).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])))
    [3. 7.]
    """
    with name_scope(name, "MatVec", [a, b]):
        column = array_ops.expand_dims(b, -1)
        product = matmul(a, column, transpose_a=transpose_a, adjoint_a=adjoint_a)
        return array_ops.squeeze(product, axis=-1)


_VECTOR_ORDS = ("euclidean", 1, 2, np.inf)
_MATRIX_ORDS = ("euclidean", "fro", 1, 2, np.inf)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:
    """The vector norm of ``tensor`` (over ``axis``, all axes by default), or the matrix
    norm over a pair of axes: ``'euclidean'``/``'fro'``, 1, 2 (largest singular
    value), ``np.inf``, or any positive ``ord`` for vectors.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[3.0, -4.0], [0.0, 0.0]])
    ...     print(tf.compat.v1.Session().run([norm(x), norm(x, ord=1, axis=1)]))
    [np.float32(5.0), array([7., 0.], dtype=float32)]
    """
    keepdims = bool(keepdims)
    is_matrix = isinstance(axis, tuple | list) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not all(isinstance(a, int) for a in axis) or axis[0] == axis[1]:
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        if ord not in _MATRIX_ORDS:
            raise ValueError(
                f"'ord' must be a supported matrix norm in {list(_MATRIX_ORDS)}, got {ord}"
            )
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(
                f"'axis' must be None, an integer, or a tuple of 2 unique integers, got {axis}"
            )
        if ord not in _VECTOR_ORDS and (isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        axis = None if axis is None else (axis,)
    with name_scope(name, "norm", [tensor]):
        tensor = convert_to_tensor(tensor, graph=graph_of([tensor]))
        if is_matrix and ord == 2:
            result = _matrix_2_norm(tensor, axis)
        elif ord in ("fro", "euclidean", 2, 2.0):
            squares = math_ops.multiply(tensor, math_ops.conj(tensor))
            result = math_ops.sqrt(math_ops.reduce_sum(squares, axis, keepdims=True))
        else:
            result = math_ops.abs(tensor)
            if ord == 1:
                result = math_ops.reduce_sum(result, None if axis is None else axis[0], True)
                if is_matrix:
                    result = math_ops.reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix:
                    result = math_ops.reduce_sum(result, axis[1], keepdims=True)
                result = math_ops.reduce_max(result, None if axis is None else axis[0], True)
            else:
                powered = math_ops.pow(result, convert_to_tensor(ord, result.dtype.base_dtype))
                total = math_ops.reduce_sum(powered, axis, keepdims=True)
                result = math_ops.pow(total, convert_to_tensor(1.0 / ord, total.dtype.base_dtype))
        if not keepdims:
            result = array_ops.squeeze(result, axis)
        return result


def _matrix_2_norm(tensor: Tensor, axis: tuple) -> Tensor:
    """The largest singular value over the two ``axis``, kept as size-1 axes."""
    rank = tensor.shape.rank
    if rank is None:
        raise ValueError("The matrix 2-norm needs a tensor of known rank.")
    axes = [a % rank for a in axis]
    perm = [i for i in range(rank) if i not in axes] + axes
    singular = svd(array_ops.transpose(tensor, perm), compute_uv=False)
    largest = math_ops.reduce_max(math_ops.abs(singular), axis=-1, keepdims=True)
    kept = array_ops.expand_dims(largest, -1)  # the moved axes, now last and of size 1
    return array_ops.transpose(kept, np.argsort(perm).astype(np.int32))


def norm_v1(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None):
    """TF1's ``tf.norm``: also takes ``keep_dims``."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    return norm(tensor, ord, axis, keepdims, name)


from . import linalg_grad  # noqa: E402, F401 - registers the gradients of the ops above
