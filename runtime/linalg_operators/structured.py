"""LinearOperators with a structure that defines all entries from a few: circulant (by
FFT, in 1, 2 or 3 dimensions), Toeplitz, Householder reflection, permutation and
tridiagonal matrices."""

from __future__ import annotations

import functools
import operator as python_operator

import numpy as np

from .. import dtypes
from ..compat.conversions import dimension_value
from ..ops import (
    concat_ops,
    core,
    fill_ops,
    gather_scatter_ops,
    linalg_ops,
    math_ops,
    shape_ops,
    signal_ops,
    slicing_ops,
    sort_ops,
)
from .base import LinearOperator, broadcast_batch, check_dtype, check_rank, conj, reshape_inner

_FFT = {
    1: (signal_ops.fft, signal_ops.ifft),
    2: (signal_ops.fft2d, signal_ops.ifft2d),
    3: (signal_ops.fft3d, signal_ops.ifft3d),
}


def _complex_of(dtype):
    return dtypes.complex128 if dtype in (dtypes.float64, dtypes.complex128) else dtypes.complex64


def _as_dtype(tensor, dtype):
    """``tensor`` in ``dtype``: the real part when ``dtype`` is real."""
    if tensor.dtype.is_complex and not dtype.is_complex:
        tensor = math_ops.real(tensor)
    return math_ops.cast(tensor, dtype)


class _BaseCirculant(LinearOperator):
    """Circulant matrices of ``block_depth`` nested levels, given by their spectrum: the
    operator is ``ifft(spectrum * fft(x))`` over the last ``block_depth`` axes of ``x``'s
    columns reshaped to the spectrum's trailing shape."""

    block_depth = 1

    def __init__(
        self,
        spectrum,
        input_output_dtype=dtypes.complex64,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name=None,
    ):
        spectrum = core.convert_to_tensor(spectrum, name="spectrum")
        check_rank(spectrum, "spectrum", self.block_depth)
        self._spectrum = spectrum
        dtype = dtypes.as_dtype(input_output_dtype)
        self._complex = _complex_of(dtype)
        if is_square is False:
            raise ValueError("A circulant operator is always square.")
        super().__init__(
            dtype=dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name or type(self).__name__,
            parameters=dict(spectrum=spectrum, input_output_dtype=input_output_dtype),
        )

    @property
    def spectrum(self):
        return self._spectrum

    def _block_shape(self) -> list:
        return self._spectrum.shape[-self.block_depth :].as_list()

    def _shape(self):
        n = functools.reduce(python_operator.mul, self._block_shape(), 1)
        return self._spectrum.shape[: -self.block_depth].concatenate([n, n])

    def _spectral(self, x, scale):
        """``ifft(scale(fft(x)))`` for ``x``'s columns, each reshaped to the block shape."""
        fft, ifft = _FFT[self.block_depth]
        columns = linalg_ops.matrix_transpose(math_ops.cast(x, self._complex))  # [..., R, N]
        blocks = reshape_inner(columns, -1, self._block_shape())
        mixed = ifft(scale(fft(blocks)))
        flat = reshape_inner(mixed, -self.block_depth, [-1])
        return _as_dtype(linalg_ops.matrix_transpose(flat), self.dtype)

    def _spectrum_per_column(self, adjoint: bool):
        spectrum = math_ops.cast(self._spectrum, self._complex)
        spectrum = conj(spectrum) if adjoint else spectrum
        return shape_ops.expand_dims(spectrum, -1 - self.block_depth)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        spectrum = self._spectrum_per_column(adjoint)
        return self._spectral(x, lambda transformed: transformed * spectrum)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        spectrum = self._spectrum_per_column(adjoint)
        return self._spectral(rhs, lambda transformed: transformed / spectrum)

    def _flat_spectrum(self):
        return reshape_inner(math_ops.cast(self._spectrum, self._complex), -self.block_depth, [-1])

    def _determinant(self):
        return _as_dtype(math_ops.reduce_prod(self._flat_spectrum(), -1), self.dtype)

    def _log_abs_determinant(self):
        log_abs = math_ops.reduce_sum(math_ops.log(math_ops.abs(self._flat_spectrum())), -1)
        return math_ops.cast(log_abs, self.dtype)

    def _trace(self):
        return _as_dtype(math_ops.reduce_sum(self._flat_spectrum(), -1), self.dtype)

    def _diag_part(self):
        n = dimension_value(self.domain_dimension)
        mean = shape_ops.expand_dims(self._trace(), -1) / math_ops.cast(n, self.dtype)
        return mean * fill_ops.ones([n], dtype=self.dtype)

    def _eigvals(self):
        return _as_dtype(self._flat_spectrum(), self.dtype)

    def _with_spectrum(self, spectrum):
        return type(self)(
            spectrum,
            input_output_dtype=self.dtype,
            **self._hints(),
        )

    def _adjoint(self):
        return self._with_spectrum(conj(math_ops.cast(self._spectrum, self._complex)))

    def _inverse(self):
        return self._with_spectrum(1.0 / math_ops.cast(self._spectrum, self._complex))


_CIRCULANT_DOC = """A circulant LinearOperator{what} given by its spectrum (the DFT of its first
    column{reshaped}): products and solves are elementwise in Fourier space.

    Parameters
    ----------
    spectrum : tensor ``[B1, ..., Bb{trailing}]``, float or complex
    input_output_dtype : DType, default complex64
        The dtype of the matrix and of what it acts on (real needs a Hermitian spectrum).
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.{cls}({example}, input_output_dtype=tf.float64)
    ...     print(op.shape, tf.compat.v1.Session().run(op.determinant()))
    {output}
    """


class LinearOperatorCirculant(_BaseCirculant):
    __doc__ = _CIRCULANT_DOC.format(
        what="",
        reshaped="",
        trailing=", N",
        cls="LinearOperatorCirculant",
        example="[6.0, 2.0, 2.0]",
        output="(3, 3) 24.0",
    )


class LinearOperatorCirculant2D(_BaseCirculant):
    __doc__ = _CIRCULANT_DOC.format(
        what=" of circulant blocks",
        reshaped=", as an ``N0 x N1`` grid",
        trailing=", N0, N1",
        cls="LinearOperatorCirculant2D",
        example="[[4.0, 1.0], [2.0, 1.0]]",
        output="(4, 4) 8.0",
    )
    block_depth = 2


class LinearOperatorCirculant3D(_BaseCirculant):
    __doc__ = _CIRCULANT_DOC.format(
        what=" of blocks of circulant blocks",
        reshaped=", as an ``N0 x N1 x N2`` grid",
        trailing=", N0, N1, N2",
        cls="LinearOperatorCirculant3D",
        example="[[[4.0]], [[2.0]]]",
        output="(2, 2) 8.0",
    )
    block_depth = 3


class LinearOperatorToeplitz(LinearOperator):
    """A Toeplitz LinearOperator (constant along each diagonal) from its first column and
    first row (``row[0]`` is ignored: the diagonal is ``col[0]``); products embed it in a
    circulant of twice the size and use FFTs.

    Parameters
    ----------
    col, row : tensors ``[B1, ..., Bb, N]``
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorToeplitz([1.0, 2.0, 3.0], [1.0, 5.0, 6.0])
    ...     print(tf.compat.v1.Session().run(op.to_dense()))
    [[1. 5. 6.]
     [2. 1. 5.]
     [3. 2. 1.]]
    """

    def __init__(
        self,
        col,
        row,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorToeplitz",
    ):
        self._col = core.convert_to_tensor(col, name="col")
        self._row = core.convert_to_tensor(row, dtype=self._col.dtype, name="row")
        for tensor, argument in [(self._col, "col"), (self._row, "row")]:
            check_dtype(tensor, argument)
            check_rank(tensor, argument, 1)
        self._col, self._row = broadcast_batch(
            shape_ops.expand_dims(self._col, -1), shape_ops.expand_dims(self._row, -1)
        )
        self._col, self._row = self._col[..., 0], self._row[..., 0]
        super().__init__(
            dtype=self._col.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(col=col, row=row),
        )

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        return self._col.shape.concatenate(self._col.shape[-1:])

    def _diagonals(self):
        """``[row[N-1], ..., row[1], col[0], ..., col[N-1]]``: entry ``(i, j)`` is at
        ``N - 1 + i - j``."""
        return concat_ops.concat([slicing_ops.reverse(self._row[..., 1:], [-1]), self._col], -1)

    def _to_dense(self):
        n = dimension_value(self.domain_dimension)
        index = n - 1 + np.subtract.outer(np.arange(n), np.arange(n))
        return gather_scatter_ops.gather(self._diagonals(), index.astype(np.int32), axis=-1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        col, row = self._col, self._row
        if adjoint:  # A^H's first column is A's first row (whose first entry is col[0])
            col, row = conj(concat_ops.concat([col[..., :1], row[..., 1:]], -1)), conj(col)
        n = dimension_value(self.domain_dimension)
        # The circulant of size 2N whose top-left block is this matrix.
        first_column = concat_ops.concat(
            [col, fill_ops.zeros_like(col[..., :1]), slicing_ops.reverse(row[..., 1:], [-1])], -1
        )
        complex_dtype = _complex_of(self.dtype)
        spectrum = signal_ops.fft(math_ops.cast(first_column, complex_dtype))
        columns = linalg_ops.matrix_transpose(math_ops.cast(x, complex_dtype))  # [..., R, N]
        padded = concat_ops.concat([columns, fill_ops.zeros_like(columns)], -1)
        product = signal_ops.ifft(signal_ops.fft(padded) * shape_ops.expand_dims(spectrum, -2))
        return _as_dtype(linalg_ops.matrix_transpose(product[..., :n]), self.dtype)

    def _diag_part(self):
        n = dimension_value(self.domain_dimension)
        return self._col[..., :1] * fill_ops.ones([n], dtype=self.dtype)

    def _trace(self):
        return self._col[..., 0] * math_ops.cast(dimension_value(self.domain_dimension), self.dtype)


class LinearOperatorHouseholder(LinearOperator):
    """The Householder reflection ``I - 2 v v^H / |v|^2`` across the hyperplane
    orthogonal to ``v``: self-adjoint, its own inverse, determinant ``-1``.

    Parameters
    ----------
    reflection_axis : tensor ``[B1, ..., Bb, N]``
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorHouseholder([0.0, 1.0])
    ...     print(tf.compat.v1.Session().run(op.matvec([3.0, 4.0])))
    [ 3. -4.]
    """

    def __init__(
        self,
        reflection_axis,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorHouseholder",
    ):
        self._axis = core.convert_to_tensor(reflection_axis, name="reflection_axis")
        check_dtype(self._axis, "reflection_axis")
        check_rank(self._axis, "reflection_axis", 1)
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_positive_definite is True:
            raise ValueError("A Householder operator is always non-positive definite.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        super().__init__(
            dtype=self._axis.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=True,
            is_positive_definite=False,
            is_square=True,
            name=name,
            parameters=dict(reflection_axis=reflection_axis),
        )

    @property
    def reflection_axis(self):
        return self._axis

    def _shape(self):
        return self._axis.shape.concatenate(self._axis.shape[-1:])

    def _unit_axis(self):
        return linalg_ops.normalize(self._axis, axis=-1)[0]

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        unit = shape_ops.expand_dims(self._unit_axis(), -1)  # [..., N, 1]
        projection = math_ops.matmul(unit, x, adjoint_a=True)  # [..., 1, R]
        return x - 2 * unit * projection

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return -fill_ops.ones_like(math_ops.cast(self._axis[..., 0], self.dtype))

    def _log_abs_determinant(self):
        return fill_ops.zeros_like(self._axis[..., 0])

    def _diag_part(self):
        unit = self._unit_axis()
        return 1 - 2 * unit * conj(unit)

    def _trace(self):
        n = dimension_value(self.domain_dimension)
        return fill_ops.zeros_like(self._axis[..., 0]) + math_ops.cast(n - 2, self.dtype)

    def _eigvals(self):
        ones = fill_ops.ones_like(self._axis)
        return concat_ops.concat([-ones[..., :1], ones[..., 1:]], -1)

    def _inverse(self):
        return self


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix whose row ``i`` has its one in column ``perm[i]``: products
    gather rows, solves gather by the inverse permutation.

    Parameters
    ----------
    perm : integer tensor ``[B1, ..., Bb, N]`` (each row a permutation of ``0..N-1``)
    dtype : DType, default float32
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorPermutation([1, 2, 0])
    ...     print(tf.compat.v1.Session().run(op.matvec([10.0, 20.0, 30.0])))
    [20. 30. 10.]
    """

    def __init__(
        self,
        perm,
        dtype=dtypes.float32,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorPermutation",
    ):
        self._perm = core.convert_to_tensor(perm, name="perm")
        if not self._perm.dtype.is_integer:
            raise TypeError(f"Argument `perm` must be integer dtype. Received: {self._perm}.")
        check_rank(self._perm, "perm", 1)
        if is_non_singular is False:
            raise ValueError("A Permutation operator is always non-singular.")
        if is_square is False:
            raise ValueError("A Permutation operator is always square.")
        super().__init__(
            dtype=dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(perm=perm, dtype=dtype),
        )

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        return self._perm.shape.concatenate(self._perm.shape[-1:])

    def _gather_rows(self, x, indices):
        x, columns = broadcast_batch(x, shape_ops.expand_dims(indices, -1))
        batch_rank = x.shape.ndims - 2
        return gather_scatter_ops.gather(x, columns[..., 0], axis=batch_rank, batch_dims=batch_rank)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        indices = sort_ops.argsort(self._perm, axis=-1) if adjoint else self._perm
        return self._gather_rows(x, math_ops.cast(indices, dtypes.int32))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        n = dimension_value(self.domain_dimension)
        return fill_ops.one_hot(self._perm, n, dtype=self.dtype)

    def _log_abs_determinant(self):
        return fill_ops.zeros_like(math_ops.cast(self._perm[..., 0], self.dtype))

    def _diag_part(self):
        n = dimension_value(self.domain_dimension)
        fixed = math_ops.equal(
            math_ops.cast(self._perm, dtypes.int64), np.arange(n, dtype=np.int64)
        )
        return math_ops.cast(fixed, self.dtype)


_FORMATS = ("compact", "matrix", "sequence")


class LinearOperatorTridiag(LinearOperator):
    """A square tridiagonal LinearOperator from its three diagonals; products and solves
    use the tridiagonal kernels.

    Parameters
    ----------
    diagonals : the diagonals in ``diagonals_format``: ``compact`` a ``[..., 3, N]`` tensor
        (superdiagonal, whose last entry is ignored; main; subdiagonal, whose first entry is
        ignored), ``sequence`` a list of those three ``[..., N]`` tensors, ``matrix`` the
        ``[..., N, N]`` matrix (entries off the three diagonals ignored)
    diagonals_format : str
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorTridiag([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [0.0, 1.0, 1.0]])
    ...     print(tf.compat.v1.Session().run(op.to_dense()))
    [[2. 1. 0.]
     [1. 2. 1.]
     [0. 1. 2.]]
    """

    def __init__(
        self,
        diagonals,
        diagonals_format="compact",
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorTridiag",
    ):
        if diagonals_format not in _FORMATS:
            raise ValueError(
                "Argument `diagonals_format` must be one of compact, matrix, or sequence. "
                f"Received : {diagonals_format}."
            )
        self._diagonals_format = diagonals_format
        self._superdiag, self._maindiag, self._subdiag = self._three(diagonals, diagonals_format)
        if is_square is False:
            raise ValueError("A tridiagonal operator is always square.")
        super().__init__(
            dtype=self._maindiag.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(diagonals=diagonals, diagonals_format=diagonals_format),
        )

    @staticmethod
    def _three(diagonals, diagonals_format):
        """(super, main, sub), each ``[..., N]``, in the compact convention."""
        if diagonals_format == "sequence":
            parts = broadcast_batch(
                *[shape_ops.expand_dims(core.convert_to_tensor(d), -1) for d in diagonals]
            )
            parts = [part[..., 0] for part in parts]
        elif diagonals_format == "compact":
            compact = core.convert_to_tensor(diagonals, name="diagonals")
            check_rank(compact, "diagonals", 2)
            parts = [compact[..., i, :] for i in range(3)]
        else:
            matrix = core.convert_to_tensor(diagonals, name="diagonals")
            check_rank(matrix, "diagonals", 2)
            zero = fill_ops.zeros_like(matrix[..., :1, 0])
            parts = [
                concat_ops.concat([linalg_ops.matrix_diag_part(matrix, k=1), zero], -1),
                linalg_ops.matrix_diag_part(matrix),
                concat_ops.concat([zero, linalg_ops.matrix_diag_part(matrix, k=-1)], -1),
            ]
        for part in parts:
            check_dtype(part, "diagonals")
        return parts

    @property
    def diagonals(self):
        return concat_ops.stack([self._superdiag, self._maindiag, self._subdiag], axis=-2)

    @property
    def diagonals_format(self):
        return self._diagonals_format

    def _shape(self):
        return self._maindiag.shape.concatenate(self._maindiag.shape[-1:])

    def _compact(self, adjoint: bool):
        if not adjoint:
            return self.diagonals
        zero = fill_ops.zeros_like(self._maindiag[..., :1])
        superdiag = concat_ops.concat([conj(self._subdiag[..., 1:]), zero], -1)
        subdiag = concat_ops.concat([zero, conj(self._superdiag[..., :-1])], -1)
        return concat_ops.stack([superdiag, conj(self._maindiag), subdiag], axis=-2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        compact = self._compact(adjoint)
        compact, x = broadcast_batch(compact, x)
        return linalg_ops.tridiagonal_matmul(compact, x)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        compact, rhs = broadcast_batch(self._compact(adjoint), rhs)
        return linalg_ops.tridiagonal_solve(compact, rhs)

    def _diag_part(self):
        return self._maindiag

    def _to_dense(self):
        return (
            linalg_ops.matrix_diag(self._maindiag)
            + linalg_ops.matrix_diag(self._superdiag[..., :-1], k=1)
            + linalg_ops.matrix_diag(self._subdiag[..., 1:], k=-1)
        )
