"""``tf.linalg.eigh_tridiagonal``: eigenvalues (and vectors) of a Hermitian tridiagonal
matrix, all of them or those selected by value or by index."""

from __future__ import annotations

from ..ops import core, linalg_ops, math_ops, slicing_ops
from ..scopes import name_scope

_SELECTIONS = ("a", "i", "v")


def _hermitian_tridiagonal(alpha, beta):
    """``alpha`` on the diagonal, ``beta`` above it and ``conj(beta)`` below it."""
    lower = math_ops.conj(beta) if beta.dtype.is_complex else beta
    return (
        linalg_ops.matrix_diag(alpha)
        + linalg_ops.matrix_diag(beta, k=1)
        + linalg_ops.matrix_diag(lower, k=-1)
    )


def _selected(eigenvalues, select, select_range):
    """A boolean mask (``select='v'``: values in ``(lo, hi]``) or a slice (``'i'``:
    indices ``lo..hi``) of the ascending eigenvalues."""
    low, high = (core.convert_to_tensor(bound) for bound in select_range)
    if select == "v":
        low, high = (math_ops.cast(bound, eigenvalues.dtype) for bound in (low, high))
        return math_ops.logical_and(eigenvalues > low, eigenvalues <= high)
    return slice(low, high + 1)


def eigh_tridiagonal(
    alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None, name=None
):
    """Eigenvalues (ascending) and optionally eigenvectors of the Hermitian tridiagonal
    matrix with diagonal ``alpha`` and off-diagonal ``beta``.

    Parameters
    ----------
    alpha : tensor ``[N]`` (real, or complex with a zero imaginary part)
    beta : tensor ``[N - 1]`` of ``alpha``'s dtype
    eigvals_only : bool
        ``False`` also returns the eigenvectors, as the columns of an ``[N, K]`` tensor.
    select : {'a', 'v', 'i'}
        All eigenvalues, those in the half-open interval ``(lo, hi]`` of ``select_range``,
        or those of indices ``lo`` through ``hi`` (inclusive, ascending order).
    select_range : pair, for ``'v'`` and ``'i'``
    tol : float, optional
        Accepted for TF's signature (TF's bisection tolerance); the eigenvalues here come
        from a dense Hermitian solver, accurate to working precision.
    name : str

    Returns
    -------
    Tensor, or ``(eigenvalues, eigenvectors)`` with ``eigvals_only=False``; eigenvalues
    are real.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.linalg.eigh_tridiagonal(tf.constant([2.0, 2.0]), tf.constant([1.0]))
    ...     print(tf.compat.v1.Session().run(w))
    [1. 3.]
    """
    if select not in _SELECTIONS:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    with name_scope(name, "eigh_tridiagonal", [alpha, beta]):
        alpha = core.convert_to_tensor(alpha, name="alpha")
        beta = core.convert_to_tensor(beta, name="beta")
        if alpha.dtype != beta.dtype:
            raise ValueError("'alpha' and 'beta' must have the same type.")
        for tensor, argument in [(alpha, "alpha"), (beta, "beta")]:
            if tensor.shape.ndims not in (None, 1):
                raise ValueError(
                    f"eigh_tridiagonal takes one matrix: '{argument}' must be a vector, "
                    f"its shape is {tensor.shape}."
                )
        n, m = alpha.shape.dim_value(-1), beta.shape.dim_value(-1)
        if None not in (n, m) and m != n - 1:
            raise ValueError(
                f"Dimensions must be equal: beta has {m} entries, alpha {n}; a tridiagonal "
                "matrix has one off-diagonal entry fewer than diagonal entries."
            )
        matrix = _hermitian_tridiagonal(alpha, beta)
        if eigvals_only:
            eigenvalues = linalg_ops.self_adjoint_eigvals(matrix)
            eigenvectors = None
        else:
            eigenvalues, eigenvectors = linalg_ops.self_adjoint_eig(matrix)
        eigenvalues = math_ops.real(eigenvalues) if eigenvalues.dtype.is_complex else eigenvalues
        if select != "a":
            chosen = _selected(eigenvalues, select, select_range)
            if isinstance(chosen, slice):
                eigenvalues = eigenvalues[chosen]
                eigenvectors = None if eigenvectors is None else eigenvectors[:, chosen]
            else:
                eigenvalues = slicing_ops.boolean_mask(eigenvalues, chosen)
                if eigenvectors is not None:
                    eigenvectors = slicing_ops.boolean_mask(eigenvectors, chosen, axis=1)
        return eigenvalues if eigvals_only else (eigenvalues, eigenvectors)
