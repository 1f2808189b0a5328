"""Gradients of the linear-algebra ops (:mod:`runtime.ops.linalg_ops`), as TF derives them.

The factorizations' gradients (Cholesky, QR, SVD, eigh, LU) need matrices of known
size where TF's do; SVD and eigh gradients are undefined where eigen- or singular
values repeat (their reciprocal differences are guarded as TF guards them).
"""

from __future__ import annotations

from ..registry import register_gradient
from . import array_ops, math_ops
from .core import apply_op, convert_to_tensor
from .linalg_ops import (
    CONJUGATE_TRANSPOSE,
    TRIDIAGONAL_SOLVE,
    adjoint,
    cholesky_solve,
    cross,
    eig,
    identity_like,
    matrix_band_part,
    matrix_diag,
    matrix_diag_part,
    matrix_inverse,
    matrix_set_diag,
    matrix_solve,
    matrix_transpose,
    matrix_triangular_solve,
    permutation_matrices,
    regularized_gramian_cholesky,
    self_adjoint_eig,
    svd,
    tensor_diag,
    tensor_diag_part,
)
from .math_ops import matmul, multiply, negative, reduce_to_shape, subtract


def _constant(value, like):
    return convert_to_tensor(value, dtype=like.dtype.base_dtype)


def _batch_scalars_as_matrices(values):
    """``values`` (one per matrix of a batch) shaped to multiply those matrices."""
    return array_ops.expand_dims(array_ops.expand_dims(values, -1), -1)


@register_gradient("MatrixInverse")
def _matrix_inverse_grad(op, grad):
    inverse = op.outputs[0]
    adjoint_a = op.get_attr("adjoint")
    inner = matmul(grad, inverse, adjoint_a=adjoint_a, adjoint_b=not adjoint_a)
    return [negative(matmul(inverse, inner, adjoint_a=not adjoint_a))]


@register_gradient("MatrixDeterminant")
def _matrix_determinant_grad(op, grad):
    a, c = op.inputs[0], op.outputs[0]
    scale = _batch_scalars_as_matrices(multiply(grad, c))
    return [multiply(scale, matrix_inverse(a, adjoint=True))]


@register_gradient("LogMatrixDeterminant")
def _log_matrix_determinant_grad(op, _sign_grad, grad):
    a = op.inputs[0]
    return [multiply(_batch_scalars_as_matrices(grad), matrix_inverse(a, adjoint=True))]


@register_gradient("Cholesky")
def _cholesky_grad(op, grad):
    lower = op.outputs[0]
    identity = identity_like(lower)
    lower_inverse = matrix_triangular_solve(lower, identity)
    middle = matmul(lower, grad, adjoint_a=True)
    middle = matrix_set_diag(middle, multiply(_constant(0.5, middle), matrix_diag_part(middle)))
    middle = matrix_band_part(middle, -1, 0)
    grad_a = matmul(matmul(lower_inverse, middle, adjoint_a=True), lower_inverse)
    grad_a = math_ops.add(grad_a, adjoint(grad_a))
    return [multiply(grad_a, _constant(0.5, grad_a))]


def _solve_grads(op, grad, solve):
    """The gradients of ``c = solve(a, b)``: ``grad_b = solve(a^H, grad)`` and
    ``grad_a = -grad_b c^H`` (transposed for an adjoint solve), summed over broadcast
    batch dimensions."""
    a, b = op.inputs
    c = op.outputs[0]
    adjoint_a = op.get_attr("adjoint")
    grad_b = solve(a, grad, not adjoint_a)
    if adjoint_a:
        grad_a = negative(matmul(c, grad_b, adjoint_b=True))
    else:
        grad_a = negative(matmul(grad_b, c, adjoint_b=True))
    return grad_a, reduce_to_shape(grad_b, b)


@register_gradient("MatrixSolve")
def _matrix_solve_grad(op, grad):
    grad_a, grad_b = _solve_grads(
        op, grad, lambda a, g, adjoint: matrix_solve(a, g, adjoint=adjoint)
    )
    return [reduce_to_shape(grad_a, op.inputs[0]), grad_b]


@register_gradient("MatrixTriangularSolve")
def _matrix_triangular_solve_grad(op, grad):
    lower = op.get_attr("lower")
    grad_a, grad_b = _solve_grads(
        op,
        grad,
        lambda a, g, adjoint: matrix_triangular_solve(a, g, lower=lower, adjoint=adjoint),
    )
    grad_a = matrix_band_part(grad_a, -1, 0) if lower else matrix_band_part(grad_a, 0, -1)
    return [reduce_to_shape(grad_a, op.inputs[0]), grad_b]


@register_gradient("MatrixSolveLs")
def _matrix_solve_ls_grad(op, grad):
    """TF's gradient of the regularized least-squares solution (the fast path only)."""
    if not op.get_attr("fast"):
        raise ValueError("Gradient not defined for fast=False")
    a, b, regularizer = op.inputs
    x = op.outputs[0]
    rows, cols = _known_matrix_size(a, "MatrixSolveLs")
    l2 = math_ops.cast(regularizer, a.dtype.base_dtype)
    if rows >= cols:
        chol = regularized_gramian_cholesky(a, l2, first_kind=True)
        z = cholesky_solve(chol, grad)  # (A^H A + l I)^-1 grad
        xzt = matmul(x, z, adjoint_b=True)
        symmetric = math_ops.add(xzt, matrix_transpose(xzt))
        grad_a = math_ops.add(negative(matmul(a, symmetric)), matmul(b, z, adjoint_b=True))
        return [grad_a, matmul(a, z), None]
    chol = regularized_gramian_cholesky(a, l2, first_kind=False)
    grad_b = cholesky_solve(chol, matmul(a, grad))
    tmp = cholesky_solve(chol, b)  # (A A^H + l I)^-1 B
    a1 = negative(matmul(grad_b, matmul(tmp, a, adjoint_a=True)))
    a2 = matmul(tmp, subtract(grad, matmul(a, grad_b, adjoint_a=True)), adjoint_b=True)
    return [math_ops.add(a1, a2), grad_b, None]


@register_gradient("MatrixSquareRoot")
def _matrix_square_root_grad(op, grad):
    # R R = A, so R dR + dR R = dA: a Sylvester equation, solved as the linear system
    # (I (x) R^T + R (x) I) vec(dR) = vec(dA) on row-major vectors (TF's way).
    root = op.outputs[0]
    order, _ = _known_matrix_size(root, "MatrixSquareRoot")
    identity = identity_like(root)
    root_t = matrix_transpose(root)
    batch = array_ops.shape(root)[:-2]

    def kronecker(a, b):  # [..., n, n] (x) [..., n, n] -> [..., n*n, n*n]
        from .special_math_ops import einsum

        product = einsum("...ij,...kl->...ikjl", a, b)
        return array_ops.reshape(
            product, array_ops.concat([batch, [order * order, order * order]], 0)
        )

    system = math_ops.add(kronecker(identity, root_t), kronecker(root, identity))
    vec = array_ops.reshape(
        matrix_transpose(grad), array_ops.concat([batch, [order * order, 1]], 0)
    )
    solved = matrix_solve(system, vec)
    return [matrix_transpose(array_ops.reshape(solved, array_ops.shape(root)))]


@register_gradient("ConjugateTranspose")
def _conjugate_transpose_grad(op, grad):
    inverse = array_ops.invert_permutation(op.inputs[1])
    return [apply_op(CONJUGATE_TRANSPOSE, [grad, inverse], "ConjugateTranspose").outputs[0], None]


def _shift(x, up: bool):
    """``x`` moved one row (axis -2) up or down, a zero row coming in."""
    zeros = array_ops.zeros_like(x[..., :1, :])
    return array_ops.concat([x[..., 1:, :], zeros] if up else [zeros, x[..., :-1, :]], axis=-2)


def _tridiagonal_transpose(diagonals):
    """The compact diagonals of the transposed matrix (TF's gradient helper)."""
    diagonal = diagonals[..., 1, :]
    zeros = array_ops.zeros_like(diagonal[..., :1])
    superdiag = array_ops.concat([diagonals[..., 2, 1:], zeros], axis=-1)
    subdiag = array_ops.concat([zeros, diagonals[..., 0, :-1]], axis=-1)
    return array_ops.stack([superdiag, diagonal, subdiag], axis=-2)


@register_gradient("TridiagonalSolve")
def _tridiagonal_solve_grad(op, grad):
    diagonals = op.inputs[0]
    x = op.outputs[0]
    attrs = {key: op.get_attr(key) for key in ("partial_pivoting", "perturb_singular")}
    transposed = _tridiagonal_transpose(diagonals)
    grad_rhs = apply_op(TRIDIAGONAL_SOLVE, [transposed, grad], "TridiagonalSolve", **attrs).outputs[
        0
    ]
    # The three diagonals of -grad_rhs @ x^T.
    diagonal = math_ops.reduce_sum(multiply(grad_rhs, x), axis=-1)
    superdiag = math_ops.reduce_sum(multiply(grad_rhs, _shift(x, up=True)), axis=-1)
    subdiag = math_ops.reduce_sum(multiply(grad_rhs, _shift(x, up=False)), axis=-1)
    return [negative(array_ops.stack([superdiag, diagonal, subdiag], axis=-2)), grad_rhs]


@register_gradient("TridiagonalMatMul")
def _tridiagonal_matmul_grad(op, grad):
    superdiag, maindiag, subdiag, rhs = (math_ops.conj(t) for t in op.inputs)
    rows = [matrix_transpose(d) for d in (superdiag, maindiag, subdiag)]

    def column_sum(values):
        return array_ops.expand_dims(math_ops.reduce_sum(values, axis=-1), -2)

    grad_rhs = math_ops.add_n(
        [
            _shift(multiply(rows[0], grad), up=False),
            multiply(rows[1], grad),
            _shift(multiply(rows[2], grad), up=True),
        ]
    )
    return [
        column_sum(multiply(_shift(rhs, up=True), grad)),
        column_sum(multiply(rhs, grad)),
        column_sum(multiply(_shift(rhs, up=False), grad)),
        grad_rhs,
    ]


@register_gradient("Cross")
def _cross_grad(op, grad):
    u, v = op.inputs
    return [cross(v, grad), cross(grad, u)]


# -- diagonals and bands ------------------------------------------------------------------


@register_gradient("MatrixDiagV3")
def _matrix_diag_grad(op, grad):
    k, align = op.inputs[1], op.get_attr("align")
    return [matrix_diag_part(grad, k=k, align=align), None, None, None, None]


@register_gradient("MatrixDiagPartV3")
def _matrix_diag_part_grad(op, grad):
    x, k = op.inputs[:2]
    align = op.get_attr("align")
    zeros = array_ops.zeros_like(x)
    return [matrix_set_diag(zeros, grad, k=k, align=align), None, None]


@register_gradient("MatrixSetDiagV3")
def _matrix_set_diag_grad(op, grad):
    diagonal, k = op.inputs[1:]
    align = op.get_attr("align")
    grad_input = matrix_set_diag(grad, array_ops.zeros_like(diagonal), k=k, align=align)
    return [grad_input, matrix_diag_part(grad, k=k, align=align), None]


@register_gradient("MatrixBandPart")
def _matrix_band_part_grad(op, grad):
    return [matrix_band_part(grad, op.inputs[1], op.inputs[2]), None, None]


register_gradient("Diag")(lambda op, grad: [tensor_diag_part(grad)])
register_gradient("DiagPart")(lambda op, grad: [tensor_diag(grad)])


# -- factorizations --------------------------------------------------------------------------


def _safe_reciprocal(x, epsilon=1e-20):
    """``1 / x``, but 0-ish instead of inf where ``x`` is 0 (TF's guard)."""
    return multiply(x, math_ops.reciprocal(math_ops.add(multiply(x, x), _constant(epsilon, x))))


def _pairwise_reciprocal_differences(values):
    """``F[i, j] = 1 / (values[j] - values[i])``, 0 on the diagonal."""
    differences = subtract(array_ops.expand_dims(values, -2), array_ops.expand_dims(values, -1))
    return matrix_set_diag(_safe_reciprocal(differences), array_ops.zeros_like(values))


@register_gradient("SelfAdjointEigV2")
def _self_adjoint_eig_grad(op, grad_e, grad_v):
    e = op.outputs[0]
    if op.get_attr("compute_v"):
        v = op.outputs[1]
        f = _pairwise_reciprocal_differences(e)
        inner = math_ops.add(matrix_diag(grad_e), multiply(f, matmul(v, grad_v, adjoint_a=True)))
    else:
        _, v = self_adjoint_eig(op.inputs[0])
        inner = matrix_diag(grad_e)
    grad_a = matmul(v, matmul(inner, v, adjoint_b=True))
    # The op reads the lower triangle only: symmetrize and keep that triangle.
    grad_a = matrix_band_part(math_ops.add(grad_a, adjoint(grad_a)), -1, 0)
    half = multiply(_constant(0.5, grad_a), matrix_diag_part(grad_a))
    return [matrix_set_diag(grad_a, half)]


@register_gradient("Eig")
def _eig_grad(op, grad_e, grad_v):
    e = op.outputs[0]
    if op.get_attr("compute_v"):
        v = op.outputs[1]
        vt = adjoint(v)
        f = math_ops.conj(_pairwise_reciprocal_differences(e))
        vgv = matmul(vt, grad_v)
        real_diagonal = matrix_diag(matrix_diag_part(math_ops.cast(math_ops.real(vgv), vgv.dtype)))
        mid = math_ops.add(
            matrix_diag(grad_e),
            multiply(f, subtract(vgv, matmul(matmul(vt, v), real_diagonal))),
        )
    else:
        _, v = eig(op.inputs[0])
        vt = adjoint(v)
        mid = matrix_diag(grad_e)
    grad_a = matrix_solve(vt, matmul(mid, vt))
    return [math_ops.cast(grad_a, op.inputs[0].dtype.base_dtype)]


def _known_matrix_size(tensor, what: str) -> tuple:
    shape = tensor.shape
    if shape.rank is None or shape.dim_value(-2) is None or shape.dim_value(-1) is None:
        raise ValueError(f"The gradient of {what} needs matrices of known size, got {shape}.")
    return shape.dim_value(-2), shape.dim_value(-1)


@register_gradient("Svd")
def _svd_grad(op, grad_s, grad_u, grad_v):
    a = op.inputs[0]
    grad_s_mat = matrix_diag(math_ops.cast(grad_s, a.dtype.base_dtype))
    if not op.get_attr("compute_uv"):
        _, u, v = svd(a, compute_uv=True)
        return [matmul(u, matmul(grad_s_mat, v, adjoint_b=True))]
    m, n = _known_matrix_size(a, "Svd")
    s, u, v = op.outputs
    use_adjoint = m > n
    if use_adjoint:
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    full_matrices = op.get_attr("full_matrices")
    if full_matrices and abs(m - n) > 1:
        raise ValueError(
            "The gradient of svd is not defined for abs(m - n) > 1 with full_matrices=True."
        )
    s_mat = matrix_diag(s)
    f = _pairwise_reciprocal_differences(math_ops.square(s))
    s_inv_mat = matrix_diag(_safe_reciprocal(s))
    v1, grad_v1 = v[..., :, :m], grad_v[..., :, :m]
    f_u = multiply(f, matmul(u, grad_u, adjoint_a=True))
    f_v = multiply(f, matmul(v1, grad_v1, adjoint_a=True))
    term1_nouv = math_ops.add(
        math_ops.add(grad_s_mat, matmul(math_ops.add(f_u, adjoint(f_u)), s_mat)),
        matmul(s_mat, math_ops.add(f_v, adjoint(f_v))),
    )
    grad_a = matmul(u, matmul(term1_nouv, v1, adjoint_b=True))
    if m != n:
        gv1t = matrix_transpose(grad_v1, conjugate=True)
        term2_nous = subtract(gv1t, matmul(matmul(gv1t, v1), v1, adjoint_b=True))
        if full_matrices:
            v2, grad_v2 = v[..., :, m:n], grad_v[..., :, m:n]
            v1t_gv2 = matmul(v1, grad_v2, adjoint_a=True)
            term2_nous = subtract(term2_nous, matmul(v1t_gv2, v2, adjoint_b=True))
        grad_a = math_ops.add(grad_a, matmul(matmul(u, s_inv_mat), term2_nous))
    return [matrix_transpose(grad_a, conjugate=True) if use_adjoint else grad_a]


def _qr_grad_square_or_deep(q, r, dq, dr):
    def solve_by_r(x):  # x @ inverse(r)
        return adjoint(matrix_triangular_solve(r, adjoint(x), lower=False, adjoint=False))

    qdq = matmul(q, dq, adjoint_a=True)
    rdr = matmul(r, dr, adjoint_b=True)
    skew = math_ops.add(subtract(qdq, adjoint(qdq)), subtract(rdr, adjoint(rdr)))
    tril = matrix_band_part(skew, -1, 0)
    grad_a = matmul(q, math_ops.add(dr, solve_by_r(tril)))
    grad_b = solve_by_r(subtract(dq, matmul(q, qdq)))
    return math_ops.add(grad_a, grad_b)


@register_gradient("Qr")
def _qr_grad(op, dq, dr):
    a = op.inputs[0]
    q, r = op.outputs
    rows, cols = _known_matrix_size(a, "Qr")
    if rows > cols and op.get_attr("full_matrices"):
        raise ValueError(
            "The gradient of qr is not defined when nrows > ncols and full_matrices is true."
        )
    if rows >= cols:
        return [_qr_grad_square_or_deep(q, r, dq, dr)]
    # A wide matrix: a = [x, y], r = [u, v]; reduce to the square case.
    y, u = a[..., :, rows:], r[..., :, :rows]
    dv, du = dr[..., :, rows:], dr[..., :, :rows]
    dy = matmul(q, dv)
    dx = _qr_grad_square_or_deep(q, u, math_ops.add(dq, matmul(y, dv, adjoint_b=True)), du)
    return [array_ops.concat([dx, dy], axis=-1)]


@register_gradient("Lu")
def _lu_grad(op, lu_grad, _perm_grad):
    # For a[p] = l @ u: grad a[p] = l^-H (tril_strict(l^H dl) + triu(du u^H)) u^-H.
    factors, perm = op.outputs
    identity = identity_like(factors)
    strictly_lower = subtract(matrix_band_part(factors, -1, 0), matrix_band_part(factors, 0, 0))
    lower = math_ops.add(strictly_lower, identity)
    upper = matrix_band_part(factors, 0, -1)
    lower_grad = subtract(matrix_band_part(lu_grad, -1, 0), matrix_band_part(lu_grad, 0, 0))
    upper_grad = matrix_band_part(lu_grad, 0, -1)
    phi = math_ops.add(
        subtract(
            matrix_band_part(matmul(lower, lower_grad, adjoint_a=True), -1, 0),
            matrix_band_part(matmul(lower, lower_grad, adjoint_a=True), 0, 0),
        ),
        matrix_band_part(matmul(upper_grad, upper, adjoint_b=True), 0, -1),
    )
    left = matrix_triangular_solve(lower, phi, lower=True, adjoint=True)  # l^-H phi
    permuted = adjoint(matrix_triangular_solve(upper, adjoint(left), lower=False, adjoint=False))
    # a[p] = P @ a for the permutation matrix P[i, p[i]] = 1: grad a = P^T @ grad a[p].
    rows = permutation_matrices(perm, factors)
    return [matmul(rows, permuted, adjoint_a=True)]
