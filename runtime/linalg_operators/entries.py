"""LinearOperators given by their entries: full, diagonal, lower-triangular, identity,
scaled identity and zero matrices."""

from __future__ import annotations

from .. import dtypes
from ..ops import check_ops, core, fill_ops, linalg_ops, math_ops, shape_ops
from ..shapes import TensorShape
from .base import LinearOperator, broadcast_batch, check_dtype, check_rank, conj, static_int


def _matrix_argument(matrix, argument: str):
    matrix = core.convert_to_tensor(matrix, name=argument)
    check_dtype(matrix, argument)
    check_rank(matrix, argument, 2)
    return matrix


def _column(values):
    """``[..., n]`` values as ``[..., n, 1]`` (to scale a matrix's rows)."""
    return shape_ops.expand_dims(values, -1)


def _both(hint, other_hint):
    """A product's hint: ``True`` when both factors promise it, else open."""
    return True if hint and other_hint else None


class LinearOperatorFullMatrix(LinearOperator):
    """A LinearOperator holding every entry of its ``[B1, ..., Bb, M, N]`` matrices.

    Parameters
    ----------
    matrix : tensor of float16, float32, float64, complex64 or complex128, rank >= 2
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorFullMatrix([[4.0, 1.0], [2.0, 3.0]])
    ...     print(tf.compat.v1.Session().run(op.determinant()))
    10.0
    """

    def __init__(
        self,
        matrix,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorFullMatrix",
    ):
        self._matrix = _matrix_argument(matrix, "matrix")
        super().__init__(
            dtype=self._matrix.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
            parameters=dict(matrix=matrix),
        )

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return shape_ops.shape(self._matrix)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._matrix


class LinearOperatorLowerTriangular(LinearOperator):
    """A square lower-triangular LinearOperator: entries above the diagonal are ignored;
    solves by substitution, determinants from the diagonal.

    Parameters
    ----------
    tril : tensor of shape ``[B1, ..., Bb, N, N]``, floating or complex
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorLowerTriangular([[2.0, 9.0], [1.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(op.solvevec([2.0, 9.0])))
    [1. 2.]
    """

    def __init__(
        self,
        tril,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorLowerTriangular",
    ):
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        tril = _matrix_argument(tril, "tril")
        self._tril = linalg_ops.matrix_band_part(tril, -1, 0)
        super().__init__(
            dtype=tril.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(tril=tril),
        )

    def _shape(self):
        return self._tril.shape

    def _shape_tensor(self):
        return shape_ops.shape(self._tril)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return math_ops.matmul(self._tril, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        tril, rhs = broadcast_batch(self._tril, rhs)
        return linalg_ops.matrix_triangular_solve(tril, rhs, lower=True, adjoint=adjoint)

    def _diag_part(self):
        return linalg_ops.matrix_diag_part(self._tril)

    def _determinant(self):
        return math_ops.reduce_prod(self._diag_part(), -1)

    def _log_abs_determinant(self):
        log_abs = math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag_part())), -1)
        return math_ops.cast(log_abs, self.dtype)

    def _to_dense(self):
        return self._tril


class LinearOperatorDiag(LinearOperator):
    """A square diagonal LinearOperator from its ``[B1, ..., Bb, N]`` diagonals: products
    scale rows, solves divide, determinants multiply the diagonal.

    Parameters
    ----------
    diag : tensor of rank >= 1
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
        A real diagonal is always self-adjoint.
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorDiag([2.0, 4.0])
    ...     x, log_det = tf.compat.v1.Session().run([op.solvevec([1.0, 1.0]), op.log_abs_determinant()])
    >>> print(x, round(float(log_det), 4))
    [0.5  0.25] 2.0794
    """

    def __init__(
        self,
        diag,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name="LinearOperatorDiag",
    ):
        self._diag = core.convert_to_tensor(diag, name="diag")
        check_dtype(self._diag, "diag")
        if self._diag.shape.ndims is not None and self._diag.shape.ndims < 1:
            raise ValueError(f"Argument diag must have at least 1 dimension.  Found: {self._diag}")
        if not self._diag.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(
            dtype=self._diag.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(diag=diag),
        )

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        return self._diag.shape.concatenate(self._diag.shape[-1:])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        diag = conj(self._diag) if adjoint else self._diag
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return _column(diag) * x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        diag = conj(self._diag) if adjoint else self._diag
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        return rhs / _column(diag)

    def _determinant(self):
        return math_ops.reduce_prod(self._diag, -1)

    def _log_abs_determinant(self):
        log_abs = math_ops.reduce_sum(math_ops.log(math_ops.abs(self._diag)), -1)
        return math_ops.cast(log_abs, self.dtype)

    def _diag_part(self):
        return self._diag * fill_ops.ones_like(self._diag)

    def _to_dense(self):
        return linalg_ops.matrix_diag(self._diag)

    def _add_to_tensor(self, x):
        x, diag = broadcast_batch(x, _column(self._diag))
        return linalg_ops.matrix_set_diag(x, linalg_ops.matrix_diag_part(x) + diag[..., 0])

    def _eigvals(self):
        return core.convert_to_tensor(self._diag)

    def _assert_non_singular(self):
        return check_ops.assert_positive(
            math_ops.abs(self._diag),
            message="Singular operator:  Diagonal contained zero values.",
        )

    def _assert_positive_definite(self):
        return check_ops.assert_positive(
            math_ops.real(self._diag) if self.dtype.is_complex else self._diag,
            message="This diagonal operator contained non-positive entries.",
        )

    def _adjoint(self):
        return LinearOperatorDiag(
            conj(self._diag),
            **self._hints(),
        )

    def _inverse(self):
        return LinearOperatorDiag(
            1.0 / self._diag,
            **self._hints(),
        )

    def _matmul_operator(self, other):
        if not isinstance(other, LinearOperatorDiag):
            return super()._matmul_operator(other)
        return LinearOperatorDiag(
            self._diag * other.diag,
            is_non_singular=_both(self.is_non_singular, other.is_non_singular),
            is_self_adjoint=_both(self.is_self_adjoint, other.is_self_adjoint) or None,
            is_positive_definite=_both(self.is_positive_definite, other.is_positive_definite),
        )

    def _cholesky(self):
        return LinearOperatorDiag(
            math_ops.sqrt(self._diag),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
        )


def _square_batch_hints(num_rows, batch_shape, dtype):
    num_rows = static_int(num_rows, "num_rows")
    batch = [] if batch_shape is None else [static_int(b, "batch_shape") for b in batch_shape]
    return num_rows, batch, dtypes.as_dtype(dtype or dtypes.float32)


class LinearOperatorIdentity(LinearOperator):
    """The ``N x N`` identity, optionally batched: every method is free of matrix work.

    Parameters
    ----------
    num_rows : int
    batch_shape : list of int, optional
    dtype : DType, default float32
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool, all ``True``
    assert_proper_shapes : bool
        Accepted for TF's signature; the shapes here are known while building.
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorIdentity(3, batch_shape=[2])
    ...     print(op.shape, tf.compat.v1.Session().run(op.trace()))
    (2, 3, 3) [3. 3.]
    """

    def __init__(
        self,
        num_rows,
        batch_shape=None,
        dtype=None,
        is_non_singular=True,
        is_self_adjoint=True,
        is_positive_definite=True,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorIdentity",
    ):
        self._num_rows, self._batch, dtype = _square_batch_hints(num_rows, batch_shape, dtype)
        for hint, fact in [
            (is_self_adjoint, "self-adjoint"),
            (is_positive_definite, "positive definite"),
            (is_non_singular, "non-singular"),
            (is_square, "square"),
        ]:
            if not hint:
                raise ValueError(f"An identity operator is always {fact}.")
        super().__init__(
            dtype=dtype,
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
            is_square=True,
            name=name,
            parameters=dict(num_rows=num_rows, batch_shape=batch_shape, dtype=dtype),
        )

    def _shape(self):
        return TensorShape([*self._batch, self._num_rows, self._num_rows])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        # Adding zeros gives x the identity's batch shape, known or not.
        return x + fill_ops.zeros([*self._batch, 1, 1], dtype=self.dtype) if self._batch else x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return fill_ops.ones(self._batch, dtype=self.dtype)

    def _log_abs_determinant(self):
        return fill_ops.zeros(self._batch, dtype=self.dtype)

    def _diag_part(self):
        return fill_ops.ones([*self._batch, self._num_rows], dtype=self.dtype)

    def _trace(self):
        return fill_ops.fill(self._batch, math_ops.cast(self._num_rows, self.dtype))

    def _to_dense(self):
        return linalg_ops.eye(self._num_rows, batch_shape=self._batch, dtype=self.dtype)

    def _add_to_tensor(self, x):
        return x + self._to_dense()

    def _eigvals(self):
        return self._diag_part()

    def _adjoint(self):
        return self

    def _inverse(self):
        return self

    def _cholesky(self):
        return self

    def _matmul_operator(self, other):
        return other if not self._batch else super()._matmul_operator(other)

    def _rmatmul_operator(self, other):
        return other if not self._batch else super()._rmatmul_operator(other)


class LinearOperatorScaledIdentity(LinearOperator):
    """``multiplier * I``: a batch of scaled ``N x N`` identities, the batch shape being
    ``multiplier``'s.

    Parameters
    ----------
    num_rows : int
    multiplier : tensor (a real one makes the operator self-adjoint)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    assert_proper_shapes : bool
        Accepted for TF's signature; the shapes here are known while building.
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorScaledIdentity(3, 2.0)
    ...     print(tf.compat.v1.Session().run(op.determinant()))
    8.0
    """

    def __init__(
        self,
        num_rows,
        multiplier,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorScaledIdentity",
    ):
        self._num_rows = static_int(num_rows, "num_rows")
        self._multiplier = core.convert_to_tensor(multiplier, name="multiplier")
        check_dtype(self._multiplier, "multiplier")
        if not self._multiplier.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real diagonal operator is always self adjoint.")
            is_self_adjoint = True
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        super().__init__(
            dtype=self._multiplier.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(num_rows=num_rows, multiplier=multiplier),
        )

    @property
    def multiplier(self):
        return self._multiplier

    def _shape(self):
        return self._multiplier.shape.concatenate([self._num_rows, self._num_rows])

    def _scale(self, adjoint: bool):
        multiplier = conj(self._multiplier) if adjoint else self._multiplier
        return _column(_column(multiplier))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        return self._scale(adjoint) * x

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        return rhs / self._scale(adjoint)

    def _determinant(self):
        return self._multiplier ** math_ops.cast(self._num_rows, self.dtype)

    def _log_abs_determinant(self):
        log_abs = self._num_rows * math_ops.log(math_ops.abs(self._multiplier))
        return math_ops.cast(log_abs, self.dtype)

    def _diag_part(self):
        ones = fill_ops.ones([self._num_rows], dtype=self.dtype)
        return _column(self._multiplier) * ones

    def _trace(self):
        return self._multiplier * math_ops.cast(self._num_rows, self.dtype)

    def _to_dense(self):
        return self._scale(False) * linalg_ops.eye(self._num_rows, dtype=self.dtype)

    def _eigvals(self):
        return self._diag_part()

    def _cholesky(self):
        return LinearOperatorScaledIdentity(
            self._num_rows,
            math_ops.sqrt(self._multiplier),
            is_non_singular=True,
            is_self_adjoint=True,
            is_positive_definite=True,
        )

    def _inverse(self):
        return LinearOperatorScaledIdentity(
            self._num_rows,
            1.0 / self._multiplier,
            **self._hints(),
        )


class LinearOperatorZeros(LinearOperator):
    """The ``M x N`` zero matrix, optionally batched (always singular).

    Parameters
    ----------
    num_rows : int
    num_columns : int, optional (``num_rows``)
    batch_shape : list of int, optional
    dtype : DType, default float32
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool
    assert_proper_shapes : bool
        Accepted for TF's signature; the shapes here are known while building.
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorZeros(2, 3, is_square=False, is_self_adjoint=False)
    ...     print(tf.compat.v1.Session().run(op.matmul(tf.ones([3, 1]))).ravel())
    [0. 0.]
    """

    def __init__(
        self,
        num_rows,
        num_columns=None,
        batch_shape=None,
        dtype=None,
        is_non_singular=False,
        is_self_adjoint=True,
        is_positive_definite=False,
        is_square=True,
        assert_proper_shapes=False,
        name="LinearOperatorZeros",
    ):
        self._num_rows, self._batch, dtype = _square_batch_hints(num_rows, batch_shape, dtype)
        cols = self._num_rows if num_columns is None else static_int(num_columns, "num_columns")
        self._num_columns = cols
        if is_non_singular:
            raise ValueError("A Zeros operator is always singular.")
        if is_positive_definite:
            raise ValueError("A Zeros operator is always not positive definite.")
        if is_square and self._num_rows != cols:
            raise ValueError(
                "LinearOperatorZeros initialized as is_square=True, but got "
                f"num_rows({self._num_rows}) != num_columns({cols})"
            )
        super().__init__(
            dtype=dtype,
            is_non_singular=False,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=False,
            is_square=is_square,
            name=name,
            parameters=dict(num_rows=num_rows, num_columns=num_columns, batch_shape=batch_shape),
        )

    def _shape(self):
        return TensorShape([*self._batch, self._num_rows, self._num_columns])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        rows = self._num_columns if adjoint else self._num_rows
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        batch = shape_ops.broadcast_static_shape(x.shape[:-2], TensorShape(self._batch))
        return fill_ops.zeros(batch.concatenate([rows, x.shape[-1]]), dtype=self.dtype)

    def _determinant(self):
        return fill_ops.zeros(self._batch, dtype=self.dtype)

    def _log_abs_determinant(self):
        return math_ops.log(self._determinant())

    def _diag_part(self):
        size = min(self._num_rows, self._num_columns)
        return fill_ops.zeros([*self._batch, size], dtype=self.dtype)

    def _trace(self):
        return fill_ops.zeros(self._batch, dtype=self.dtype)

    def _to_dense(self):
        return fill_ops.zeros([*self._batch, self._num_rows, self._num_columns], dtype=self.dtype)

    def _add_to_tensor(self, x):
        return x + self._to_dense()

    def _eigvals(self):
        return self._diag_part()
