"""Kernels of the linear-algebra ops: numpy's LAPACK routines over batches of matrices
(the last two axes), and the diagonal and band ops.

Failures are TF's: a singular matrix to invert or solve with raises
``InvalidArgumentError`` with TF's message; a matrix that is not positive definite
gets a NaN Cholesky factor, as in TF 2.
Diagonals ``k = (lower, upper)`` are stored as TF stores them: the top row of the
packed array is diagonal ``upper``; a diagonal shorter than the longest is aligned
left or right as ``align`` says (its first word for superdiagonals, its second for
subdiagonals).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from .math import shape_text


def _fail(message: str):
    raise InvalidArgumentError(None, None, message)


def _square(x, op: str = "Input") -> None:
    if x.ndim < 2:
        _fail(f"{op} tensor must have rank >= 2, got {x.ndim}")
    if x.shape[-1] != x.shape[-2]:
        _fail(f"{op} matrices must be square, got {x.shape[-2]} != {x.shape[-1]}")


def adjoint(x: np.ndarray) -> np.ndarray:
    """The conjugate transpose of each matrix of a batch."""
    return np.conj(np.swapaxes(x, -1, -2))


def _singular(err: np.linalg.LinAlgError, message: str):
    raise InvalidArgumentError(None, None, message) from err


@register_kernel("MatrixInverse")
def matrix_inverse(input, *, adjoint: bool, T):
    _square(input)
    matrix = np.conj(np.swapaxes(input, -1, -2)) if adjoint else input
    try:
        inverse = np.linalg.inv(matrix)
    except np.linalg.LinAlgError as err:
        _singular(err, "Input is not invertible.")
    if not np.all(np.isfinite(inverse)) and np.all(np.isfinite(matrix)):
        _fail("Input is not invertible.")
    return (inverse.astype(input.dtype),)


@register_kernel("MatrixDeterminant")
def matrix_determinant(input, *, T):
    _square(input)
    return (np.asarray(np.linalg.det(input), dtype=input.dtype),)


@register_kernel("LogMatrixDeterminant")
def log_matrix_determinant(input, *, T):
    _square(input)
    sign, log_abs = np.linalg.slogdet(input)
    return np.asarray(sign, dtype=input.dtype), np.asarray(log_abs, dtype=input.dtype)


@register_kernel("Cholesky")
def cholesky(input, *, T):
    _square(input)
    # TF reads the lower triangle only, and gives a matrix that is not positive
    # definite NaN for its factor (TF 2 raises no error there).
    symmetric = np.tril(input) + adjoint(np.tril(input, -1))
    n = input.shape[-1]
    flat = symmetric.reshape((-1, n, n))
    out = np.empty_like(flat)
    for i, matrix in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            out[i] = np.where(np.tri(n, dtype=bool), np.nan, 0)
    return (out.reshape(input.shape).astype(input.dtype),)


@register_kernel("MatrixSquareRoot")
def matrix_square_root(input, *, T):
    """The principal root by the Denman-Beavers iteration, whose quadratic convergence
    reaches double precision in a few dozen steps for matrices without eigenvalues on the
    closed negative real axis."""
    _square(input)
    y = np.asarray(input, dtype=np.complex128 if input.dtype.kind == "c" else np.float64)
    z = np.broadcast_to(np.eye(input.shape[-1]), y.shape).astype(y.dtype)
    with np.errstate(all="ignore"):
        for _ in range(100):
            try:
                y_inverse, z_inverse = np.linalg.inv(y), np.linalg.inv(z)
            except np.linalg.LinAlgError:
                return (np.full(input.shape, np.nan, input.dtype),)
            y_next, z = (y + z_inverse) / 2, (z + y_inverse) / 2
            converged = np.allclose(y_next, y, rtol=1e-15, atol=0)
            y = y_next
            if converged:
                break
    return (y.astype(input.dtype),)


def _check_rhs(matrix, rhs) -> None:
    if rhs.ndim < 2 or rhs.shape[-2] != matrix.shape[-1]:
        _fail(
            "Input matrix and right-hand side must have the same number of rows: "
            f"{shape_text(matrix.shape)} vs. {shape_text(rhs.shape)}"
        )


@register_kernel("MatrixSolve")
def matrix_solve(matrix, rhs, *, adjoint: bool, T):
    _square(matrix)
    _check_rhs(matrix, rhs)
    lhs = np.conj(np.swapaxes(matrix, -1, -2)) if adjoint else matrix
    try:
        solution = np.linalg.solve(lhs, rhs)
    except np.linalg.LinAlgError as err:
        _singular(err, "Input matrix is not invertible.")
    return (solution.astype(matrix.dtype),)


@register_kernel("MatrixTriangularSolve")
def matrix_triangular_solve(matrix, rhs, *, lower: bool, adjoint: bool, T):
    _square(matrix)
    _check_rhs(matrix, rhs)
    triangle = np.tril(matrix) if lower else np.triu(matrix)  # the other half is ignored
    if adjoint:
        triangle = np.conj(np.swapaxes(triangle, -1, -2))
    shape = np.broadcast_shapes(triangle.shape[:-2], rhs.shape[:-2])
    triangle = np.broadcast_to(triangle, shape + triangle.shape[-2:])
    rhs = np.broadcast_to(rhs, shape + rhs.shape[-2:])
    if triangle.size and np.any(np.diagonal(triangle, axis1=-2, axis2=-1) == 0):
        _fail("Input matrix is not invertible.")
    if triangle.size == 0:
        return (np.zeros(rhs.shape, matrix.dtype),)
    return (np.linalg.solve(triangle, rhs).astype(matrix.dtype),)


@register_kernel("MatrixSolveLs")
def matrix_solve_ls(matrix, rhs, l2_regularizer, *, T, fast: bool):
    _check_rhs(np.swapaxes(matrix, -1, -2), rhs)
    regularizer = float(l2_regularizer)
    rows, cols = matrix.shape[-2:]
    if fast:
        # The regularized normal equations, on the smaller Gramian (as TF's fast path).
        if rows >= cols:
            gram = adjoint(matrix) @ matrix + regularizer * np.eye(cols)
            solution = np.linalg.solve(gram, adjoint(matrix) @ rhs)
        else:
            gram = matrix @ adjoint(matrix) + regularizer * np.eye(rows)
            solution = adjoint(matrix) @ np.linalg.solve(gram, rhs)
    else:
        solution = np.stack(
            [
                np.linalg.lstsq(a, b, rcond=None)[0]
                for a, b in zip(
                    matrix.reshape((-1, rows, cols)), rhs.reshape((-1, *rhs.shape[-2:]))
                )
            ]
        ).reshape((*matrix.shape[:-2], cols, rhs.shape[-1]))
    return (solution.astype(matrix.dtype),)


@register_kernel("Qr")
def qr(input, *, full_matrices: bool, T):
    if input.ndim < 2:
        _fail(f"Input tensor must have rank >= 2, got {input.ndim}")
    q, r = np.linalg.qr(input, mode="complete" if full_matrices else "reduced")
    return q.astype(input.dtype), r.astype(input.dtype)


@register_kernel("Svd")
def svd(input, *, compute_uv: bool, full_matrices: bool, T):
    if input.ndim < 2:
        _fail(f"Input tensor must have rank >= 2, got {input.ndim}")
    if not compute_uv:
        s = np.linalg.svd(input, compute_uv=False)
        empty = np.zeros((0,), input.dtype)
        return s.astype(input.dtype), empty, empty
    u, s, vh = np.linalg.svd(input, full_matrices=full_matrices)
    return s.astype(input.dtype), u.astype(input.dtype), adjoint(vh).astype(input.dtype)


@register_kernel("SelfAdjointEigV2")
def self_adjoint_eig(input, *, compute_v: bool, T):
    _square(input)
    values, vectors = np.linalg.eigh(input, UPLO="L")
    if not compute_v:
        vectors = np.zeros((0,), input.dtype)
    return values.astype(input.dtype), vectors.astype(input.dtype)


@register_kernel("Eig")
def eig(input, *, compute_v: bool, T, Tout):
    _square(input)
    values, vectors = np.linalg.eig(input)
    dtype = Tout.as_numpy_dtype
    if not compute_v:
        return values.astype(dtype), np.zeros((0,), dtype)
    return values.astype(dtype), vectors.astype(dtype)


def _tridiagonal_matrices(diagonals) -> np.ndarray:
    """The full matrices of compact ``[..., 3, M]`` diagonals."""
    m = diagonals.shape[-1]
    out = np.zeros((*diagonals.shape[:-2], m, m), dtype=diagonals.dtype)
    i = np.arange(m)
    out[..., i, i] = diagonals[..., 1, :]
    out[..., i[:-1], i[1:]] = diagonals[..., 0, :-1]
    out[..., i[1:], i[:-1]] = diagonals[..., 2, 1:]
    return out


@register_kernel("TridiagonalSolve")
def tridiagonal_solve(diagonals, rhs, *, partial_pivoting, perturb_singular, T):
    if diagonals.ndim < 2 or diagonals.shape[-2] != 3:
        _fail(f"Expected diagonals of shape [..., 3, M], got {shape_text(diagonals.shape)}")
    _check_rhs(_tridiagonal_matrices(diagonals), rhs)
    try:
        solution = np.linalg.solve(_tridiagonal_matrices(diagonals), rhs)
    except np.linalg.LinAlgError as err:
        _singular(err, "The matrix is not invertible.")
    return (solution.astype(rhs.dtype),)


@register_kernel("TridiagonalMatMul")
def tridiagonal_matmul(superdiag, maindiag, subdiag, rhs, *, T):
    compact = np.concatenate([superdiag, maindiag, subdiag], axis=-2)
    return ((_tridiagonal_matrices(compact) @ rhs).astype(rhs.dtype),)


@register_kernel("MatrixLogarithm")
def matrix_logarithm(input, *, T):
    _square(input)
    values, vectors = np.linalg.eig(input)
    with np.errstate(all="ignore"):
        logarithm = (vectors * np.log(values)[..., None, :]) @ np.linalg.inv(vectors)
    return (logarithm.astype(input.dtype),)


@register_kernel("BandedTriangularSolve")
def banded_triangular_solve(matrix, rhs, *, lower, adjoint, T):
    bands, m = matrix.shape[-2], matrix.shape[-1]
    if rhs.shape[-2] != m:
        _fail(
            f"Input matrix and rhs are incompatible: {shape_text(matrix.shape)} vs. {shape_text(rhs.shape)}"
        )
    band = (-(bands - 1), 0) if lower else (0, bands - 1)
    dense = np.zeros((*matrix.shape[:-2], m, m), dtype=matrix.dtype)
    packed = matrix[..., 0, :] if bands == 1 else matrix  # one band: the diagonal alone
    dense = _set_diagonals(dense, packed, *band, "LEFT_RIGHT")
    return matrix_triangular_solve(dense, rhs, lower=lower, adjoint=adjoint, T=T)


@register_kernel("ConjugateTranspose")
def conjugate_transpose(x, perm, *, T, Tperm):
    return (np.conj(np.transpose(x, [int(p) for p in perm])),)


@register_kernel("Cross")
def cross(a, b, *, T):
    if a.shape != b.shape:
        _fail(f"a and b must be the same shape: {shape_text(a.shape)} vs. {shape_text(b.shape)}")
    if a.ndim == 0 or a.shape[-1] != 3:
        _fail(
            f"Trailing dimension of a and b must be of size 3, the shape is {shape_text(a.shape)}"
        )
    return (np.cross(a, b).astype(a.dtype),)


@register_kernel("Lu")
def lu(input, *, T, output_idx_type):
    _square(input)
    n = input.shape[-1]
    factors = np.array(input, copy=True)
    batch = factors.reshape((-1, n, n))
    perms = np.tile(np.arange(n), (batch.shape[0], 1))
    for m, perm in zip(batch, perms):
        for col in range(n):
            pivot = col + int(np.argmax(np.abs(m[col:, col])))
            if pivot != col:
                m[[col, pivot]] = m[[pivot, col]]
                perm[[col, pivot]] = perm[[pivot, col]]
            if m[col, col] == 0:
                _fail("Input is not invertible.")
            m[col + 1 :, col] /= m[col, col]
            m[col + 1 :, col + 1 :] -= np.outer(m[col + 1 :, col], m[col, col + 1 :])
    index_type = output_idx_type.as_numpy_dtype
    return factors, perms.reshape(input.shape[:-1]).astype(index_type)


# -- diagonals and bands ---------------------------------------------------------------


def _band(k) -> tuple[int, int]:
    k = np.asarray(k).reshape(-1)
    if k.size not in (1, 2):
        _fail(f"diag_index must be a scalar or vector with at most 2 elements, got {k.size}")
    lower, upper = int(k[0]), int(k[-1])
    if lower > upper:
        _fail(f"lower_diag_index must not be greater than upper_diag_index, got {lower} > {upper}")
    return lower, upper


def _diagonal_length(rows: int, cols: int, d: int) -> int:
    return max(0, min(rows + min(d, 0), cols - max(d, 0)))


def _offset(align: str, d: int, length: int, longest: int) -> int:
    """Where diagonal ``d``'s first element sits in its padded row."""
    first, second = align.split("_")
    side = first if d >= 0 else second
    return longest - length if side == "RIGHT" else 0


def _positions(rows: int, cols: int, d: int):
    length = _diagonal_length(rows, cols, d)
    j = np.arange(length)
    return (j - min(d, 0), j + max(d, 0)), length


@register_kernel("MatrixDiagPartV3")
def matrix_diag_part(input, k, padding_value, *, T, align):
    if input.ndim < 2:
        _fail(f"input must be at least 2-dim, received shape: {shape_text(input.shape)}")
    rows, cols = input.shape[-2:]
    lower, upper = _band(k)
    if not (-rows < lower <= cols or rows == 0 or cols == 0) or not (
        -rows < upper <= cols or rows == 0 or cols == 0
    ):
        _fail(f"The diagonal indices must be in [-{rows}, {cols}), got ({lower}, {upper})")
    longest = max((_diagonal_length(rows, cols, d) for d in range(lower, upper + 1)), default=0)
    diagonals = range(upper, lower - 1, -1)
    out = np.full((*input.shape[:-2], len(diagonals), longest), padding_value, input.dtype)
    for row, d in enumerate(diagonals):
        (i, j), length = _positions(rows, cols, d)
        start = _offset(align, d, length, longest)
        out[..., row, start : start + length] = input[..., i, j]
    return (out[..., 0, :] if lower == upper else out,)


def _diagonal_rows(diagonal, lower: int, upper: int) -> np.ndarray:
    """The packed diagonals with their diagonal axis, also when ``k`` is one diagonal."""
    return diagonal[..., None, :] if lower == upper else diagonal


def _set_diagonals(out, diagonal, lower: int, upper: int, align: str) -> np.ndarray:
    rows, cols = out.shape[-2:]
    packed = _diagonal_rows(diagonal, lower, upper)
    longest = packed.shape[-1]
    for row, d in enumerate(range(upper, lower - 1, -1)):
        (i, j), length = _positions(rows, cols, d)
        start = _offset(align, d, length, longest)
        out[..., i, j] = packed[..., row, start : start + length]
    return out


@register_kernel("MatrixDiagV3")
def matrix_diag(diagonal, k, num_rows, num_cols, padding_value, *, T, align):
    lower, upper = _band(k)
    packed = _diagonal_rows(diagonal, lower, upper)
    if packed.ndim < 2 or packed.shape[-2] != upper - lower + 1:
        _fail(
            f"The number of diagonals provided in the input does not match the lower_diag_index "
            f"and upper_diag_index range. Shape {shape_text(diagonal.shape)}, k ({lower}, {upper})"
        )
    longest = packed.shape[-1]
    min_rows, min_cols = longest - min(upper, 0), longest + max(lower, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows < min_rows or cols < min_cols:
        _fail(
            f"The number of rows or columns is too small: got {rows} x {cols} for k ({lower}, {upper})"
        )
    out = np.full((*packed.shape[:-2], rows, cols), padding_value, diagonal.dtype)
    return (_set_diagonals(out, diagonal, lower, upper, align),)


@register_kernel("MatrixSetDiagV3")
def matrix_set_diag(input, diagonal, k, *, T, align):
    lower, upper = _band(k)
    out = np.array(input, copy=True)
    rows, cols = input.shape[-2:]
    longest = max((_diagonal_length(rows, cols, d) for d in range(lower, upper + 1)), default=0)
    expected = (*input.shape[:-2], *(() if lower == upper else (upper - lower + 1,)), longest)
    if diagonal.shape != expected:
        _fail(f"diagonal must have shape {shape_text(expected)}, got {shape_text(diagonal.shape)}")
    return (_set_diagonals(out, diagonal, lower, upper, align),)


@register_kernel("MatrixBandPart")
def matrix_band_part(input, num_lower, num_upper, *, T, Tindex):
    if input.ndim < 2:
        _fail(f"input must be at least 2-dim, received shape: {shape_text(input.shape)}")
    rows, cols = input.shape[-2:]
    lower, upper = int(num_lower), int(num_upper)
    if lower > rows:
        _fail(
            f"num_lower must be negative or less or equal to number of rows ({rows}) got: {lower}"
        )
    if upper > cols:
        _fail(
            f"num_upper must be negative or less or equal to number of columns ({cols}) got: {upper}"
        )
    i, j = np.ogrid[:rows, :cols]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return (np.where(keep, input, np.zeros((), input.dtype)),)


@register_kernel("Diag")
def diag(diagonal, *, T):
    if diagonal.ndim == 0:
        _fail("Input must be at least rank 1, got 0")
    n = diagonal.size
    out = np.zeros((n, n), diagonal.dtype)
    out[np.arange(n), np.arange(n)] = diagonal.reshape(-1)
    return (out.reshape(diagonal.shape * 2),)


@register_kernel("DiagPart")
def diag_part(input, *, T):
    rank = input.ndim
    if rank == 0 or rank % 2:
        _fail(
            f"The rank of the tensor should be even and positive, got shape {shape_text(input.shape)}"
        )
    half = input.shape[: rank // 2]
    if input.shape[rank // 2 :] != half:
        _fail(f"Invalid shape {shape_text(input.shape)}: dimensions must agree")
    n = int(np.prod(half, dtype=np.int64))
    flat = input.reshape(n, n)
    return (flat[np.arange(n), np.arange(n)].reshape(half),)
