"""``tf.linalg.LinearOperator``: a matrix known by what it does, not by its entries.

The public methods check TF's hints and arguments, open a name scope and call the
subclass's ``_``-prefixed implementation; the defaults here go through the dense matrix,
and each subclass overrides what its structure makes cheaper.
"""

from __future__ import annotations

import abc

import numpy as np

from .. import dtypes
from ..compat.conversions import dimension_at_index, dimension_value
from ..ops import check_ops, concat_ops, core, linalg_ops, math_ops, shape_ops
from ..ops.constant_value import constant_value
from ..scopes import name_scope
from ..shapes import TensorShape

FLOATING = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def check_dtype(tensor, argument: str, allowed=FLOATING):
    """Raise TF's ``TypeError`` unless ``tensor``'s dtype is one of ``allowed``."""
    if tensor.dtype.base_dtype not in allowed:
        raise TypeError(
            f"Argument `{argument}` must have dtype in {list(allowed)}. Received: {tensor.dtype}."
        )


def check_rank(tensor, argument: str, least: int):
    """Raise TF's ``ValueError`` when ``tensor`` has fewer than ``least`` dimensions."""
    if tensor.shape.ndims is not None and tensor.shape.ndims < least:
        plural = "dimension" if least == 1 else "dimensions"
        raise ValueError(
            f"Argument `{argument}` must have at least {least} {plural}. Received: {tensor}."
        )


def broadcast_batch(*tensors, inner_rank: int = 2) -> list:
    """``tensors`` broadcast to their common batch shape: all but the last ``inner_rank``
    dimensions (2 for matrices, 1 for vectors); from the static shapes when they are known,
    else from the shapes at run time."""
    batches = [t.shape[: t.shape.ndims - inner_rank] for t in tensors]
    batch = batches[0]
    for other in batches[1:]:
        batch = shape_ops.broadcast_static_shape(batch, other)
    if batch.is_fully_defined():
        return [
            t if b == batch else shape_ops.broadcast_to(t, batch.concatenate(t.shape[-inner_rank:]))
            for t, b in zip(tensors, batches)
        ]
    dynamic = shape_ops.shape(tensors[0])[:-inner_rank]
    for t in tensors[1:]:
        dynamic = shape_ops.broadcast_dynamic_shape(dynamic, shape_ops.shape(t)[:-inner_rank])
    return [
        shape_ops.broadcast_to(t, concat_ops.concat([dynamic, shape_ops.shape(t)[-inner_rank:]], 0))
        for t in tensors
    ]


def conj(tensor):
    """The complex conjugate of ``tensor``; a real tensor unchanged."""
    return math_ops.conj(tensor) if tensor.dtype.is_complex else tensor


def reshape_inner(tensor, keep: int, inner: list):
    """``tensor`` reshaped to its first ``keep`` dimensions (``keep`` may count from the
    end) followed by ``inner``; the kept dimensions may be unknown until run time."""
    kept = tensor.shape[:keep]
    if kept.is_fully_defined():
        return shape_ops.reshape(tensor, [*kept.as_list(), *inner])
    inner = core.convert_to_tensor(list(inner), dtype=dtypes.int32)
    return shape_ops.reshape(tensor, concat_ops.concat([shape_ops.shape(tensor)[:keep], inner], 0))


def static_int(value, argument: str) -> int:
    """A Python int from ``value`` (an int or an integer constant tensor), TF's errors."""
    if isinstance(value, int | np.integer):
        number = int(value)
    else:
        tensor = core.convert_to_tensor(value, name=argument)
        if not tensor.dtype.is_integer:
            raise TypeError(f"Argument {argument} must be integer type.  Found: {tensor}")
        found = constant_value(tensor)
        if found is None:
            raise ValueError(f"Argument {argument} must be known while building the graph.")
        number = int(found)
    if number < 0:
        raise ValueError(f"Argument {argument} must be non-negative.  Found: {number}")
    return number


class LinearOperator(abc.ABC):
    """Base class of TF's structured matrices: ``[B1, ..., Bb, M, N]`` batches of operators.

    A subclass defines ``_shape`` and ``_matmul``; everything else has a default built on
    those (through the dense matrix), which subclasses override where their structure allows.

    Parameters
    ----------
    dtype : DType
        The dtype of the matrices and of what they act on.
    graph_parents : ignored
        TF1's list of tensors the operator depends on (deprecated in TF).
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
        Hints: ``True``/``False`` promise a fact, ``None`` leaves it open.
    name : str
    parameters : dict, optional
        The constructor's arguments.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorDiag([1.0, 2.0])
    ...     print(op.shape, tf.compat.v1.Session().run(op @ tf.ones([2, 1])).ravel())
    (2, 2) [1. 2.]
    """

    def __init__(
        self,
        dtype,
        graph_parents=None,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
        parameters=None,
    ):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular and is_square is False:
            raise ValueError("A non-singular matrix is always square.")
        if is_non_singular:
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._dtype = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_hint = is_square
        self._name = name or type(self).__name__
        self._parameters = dict(parameters or {})

    # Facts ---------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def parameters(self) -> dict:
        return dict(self._parameters)

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        """Whether the matrices are square: the hint, or the static shape's answer."""
        rows, cols = dimension_value(self.range_dimension), dimension_value(self.domain_dimension)
        if rows is None or cols is None:
            return self._is_square_hint
        if self._is_square_hint is False and rows == cols:
            raise ValueError("User set is_square hint to False, but the operator was square.")
        return rows == cols

    @property
    def shape(self) -> TensorShape:
        return self._shape()

    @property
    def batch_shape(self) -> TensorShape:
        return self.shape[:-2]

    @property
    def tensor_rank(self):
        return self.shape.ndims

    @property
    def domain_dimension(self):
        return dimension_at_index(self.shape, -1)

    @property
    def range_dimension(self):
        return dimension_at_index(self.shape, -2)

    def shape_tensor(self, name="shape_tensor"):
        """The shape as an int32 tensor (from the static shape when it is known)."""
        with self._name_scope(name):
            if self.shape.is_fully_defined():
                return core.convert_to_tensor(self.shape.as_list(), dtype=dtypes.int32)
            return self._shape_tensor()

    @abc.abstractmethod
    def _shape(self) -> TensorShape:
        """The static shape ``[B1, ..., Bb, M, N]`` (dimensions may be unknown)."""

    def _shape_tensor(self):
        return shape_ops.shape(self.to_dense())

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            return self.shape_tensor()[:-2]

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        with self._name_scope(name):
            return shape_ops.size(self.shape_tensor())

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        with self._name_scope(name):
            return self.shape_tensor()[-1]

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        with self._name_scope(name):
            return self.shape_tensor()[-2]

    def _hints(self) -> dict:
        """The hints a derived operator (inverse, adjoint, ...) keeps."""
        return dict(
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
        )

    def _name_scope(self, name):
        return name_scope(f"{self.name}/{name}" if name else self.name)

    # Checks --------------------------------------------------------------------------
    def _checked_input(self, x, name: str):
        x = core.convert_to_tensor(x, name=name)
        if x.dtype.base_dtype != self.dtype:
            raise TypeError(
                f"Expected argument to have dtype {self.dtype}.  Found: {x.dtype} in tensor {x}"
            )
        return x

    def _check_square_for(self, what: str):
        if self.is_square is False:
            raise NotImplementedError(
                f"{what} not implemented for an operator that is expected to not be square."
            )

    def _check_solvable(self):
        if self.is_non_singular is False:
            raise NotImplementedError(
                "Exact solve not implemented for an operator that is expected to be singular."
            )
        self._check_square_for("Exact solve")

    # Products and solves -------------------------------------------------------------
    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """``self @ x`` (``self^H`` with ``adjoint``, ``x^H`` with ``adjoint_arg``); ``x`` a
        ``[..., N, R]`` tensor or another LinearOperator (then an operator comes back)."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            expected, found = (
                dimension_value(left.domain_dimension),
                dimension_value(right.range_dimension),
            )
            if None not in (expected, found) and expected != found:
                raise ValueError(
                    "Operators are incompatible. Expected `x` to have dimension "
                    f"{expected} but got {found}."
                )
            with self._name_scope(name):
                return left._matmul_operator(right)
        with self._name_scope(name):
            x = self._checked_input(x, "x")
            own = self.range_dimension if adjoint else self.domain_dimension
            own.assert_is_compatible_with(x.shape[-1] if adjoint_arg else x.shape[-2])
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    @abc.abstractmethod
    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        """``self @ x`` (with the flags as :meth:`matmul`'s) for a checked tensor ``x``."""

    def __matmul__(self, other):
        return self.matmul(other)

    def _matmul_operator(self, other: LinearOperator) -> LinearOperator:
        """``self @ other`` as an operator: a subclass may know a simpler one (``Diag @
        Diag`` is a ``Diag``); otherwise ``other`` may (an identity), else a composition."""
        return other._rmatmul_operator(self)

    def _rmatmul_operator(self, other: LinearOperator) -> LinearOperator:
        """``other @ self`` as an operator, when ``other`` knows no simpler one."""
        # composite imports this module: imported here, when a product is formed.
        from .composite import LinearOperatorComposition

        return LinearOperatorComposition([other, self])

    def matvec(self, x, adjoint=False, name="matvec"):
        """``self @ x`` for ``[..., N]`` vectors ``x``."""
        with self._name_scope(name):
            x = self._checked_input(x, "x")
            own = self.range_dimension if adjoint else self.domain_dimension
            own.assert_is_compatible_with(x.shape[-1])
            return self._matvec(x, adjoint=adjoint)

    def _matvec(self, x, adjoint=False):
        column = shape_ops.expand_dims(x, -1)
        return shape_ops.squeeze(self._matmul(column, adjoint=adjoint), [-1])

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """``X`` with ``self @ X = rhs`` (``self^H`` with ``adjoint``); refused, as TF, for
        operators hinted singular or non-square."""
        self._check_solvable()
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            with self._name_scope(name):
                return left.inverse()._matmul_operator(right)
        with self._name_scope(name):
            rhs = self._checked_input(rhs, "rhs")
            own = self.domain_dimension if adjoint else self.range_dimension
            own.assert_is_compatible_with(rhs.shape[-1] if adjoint_arg else rhs.shape[-2])
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        matrix, rhs = broadcast_batch(self.to_dense(), rhs)
        return linalg_ops.matrix_solve(matrix, rhs, adjoint=adjoint)

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """``x`` with ``self @ x = rhs`` for ``[..., M]`` vectors."""
        self._check_solvable()
        with self._name_scope(name):
            rhs = self._checked_input(rhs, "rhs")
            own = self.domain_dimension if adjoint else self.range_dimension
            own.assert_is_compatible_with(rhs.shape[-1])
            return self._solvevec(rhs, adjoint=adjoint)

    def _solvevec(self, rhs, adjoint=False):
        column = shape_ops.expand_dims(rhs, -1)
        return shape_ops.squeeze(self._solve(column, adjoint=adjoint), [-1])

    # Reductions ----------------------------------------------------------------------
    def determinant(self, name="det"):
        """The determinant of each matrix: a ``[B1, ..., Bb]`` tensor."""
        self._check_square_for("Determinant")
        with self._name_scope(name):
            return self._determinant()

    def _determinant(self):
        return linalg_ops.matrix_determinant(self.to_dense())

    def log_abs_determinant(self, name="log_abs_det"):
        """``log(|det|)`` of each matrix."""
        self._check_square_for("Determinant")
        with self._name_scope(name):
            return self._log_abs_determinant()

    def _log_abs_determinant(self):
        return linalg_ops.slogdet(self.to_dense())[1]

    def diag_part(self, name="diag_part"):
        """The main diagonal of each matrix: ``[B1, ..., Bb, min(M, N)]``."""
        with self._name_scope(name):
            return self._diag_part()

    def _diag_part(self):
        return linalg_ops.matrix_diag_part(self.to_dense())

    def trace(self, name="trace"):
        """The sum of the main diagonal of each matrix."""
        with self._name_scope(name):
            return self._trace()

    def _trace(self):
        return math_ops.reduce_sum(self._diag_part(), -1)

    def add_to_tensor(self, x, name="add_to_tensor"):
        """``self.to_dense() + x`` for a ``[..., M, N]`` tensor ``x``."""
        with self._name_scope(name):
            x = self._checked_input(x, "x")
            return self._add_to_tensor(x)

    def _add_to_tensor(self, x):
        return math_ops.add(self.to_dense(), x)

    def to_dense(self, name="to_dense"):
        """The matrices as one ``[B1, ..., Bb, M, N]`` tensor."""
        with self._name_scope(name):
            return self._to_dense()

    def _to_dense(self):
        # An unbatched identity: the product broadcasts it to the operator's batch.
        eye = linalg_ops.eye(dimension_value(self.domain_dimension), dtype=self.dtype)
        return self._matmul(eye)

    # Run-time checks -----------------------------------------------------------------
    def assert_non_singular(self, name="assert_non_singular"):
        """An op that fails (``InvalidArgumentError``) when running if a matrix is singular
        to working precision: its condition number is past ``1 / (max(100, M, N) eps)``."""
        with self._name_scope(name):
            return self._assert_non_singular()

    def _assert_non_singular(self):
        if self.is_self_adjoint and self.is_positive_definite:
            return self._assert_positive_definite()
        singular = linalg_ops.svd(self.to_dense(), compute_uv=False)
        singular = math_ops.real(singular) if singular.dtype.is_complex else singular
        cond = math_ops.reduce_max(singular, -1) / math_ops.reduce_min(singular, -1)
        sizes = [
            100,
            dimension_value(self.range_dimension) or 0,
            dimension_value(self.domain_dimension) or 0,
        ]
        eps = np.finfo(singular.dtype.as_numpy_dtype).eps * max(sizes)
        return check_ops.assert_less(
            cond,
            math_ops.cast(1.0 / eps, cond.dtype),
            message="Singular matrix up to precision epsilon.",
        )

    def assert_positive_definite(self, name="assert_positive_definite"):
        """An op that fails when running unless each (self-adjoint) matrix is positive
        definite: its Cholesky factor's diagonal must be positive."""
        with self._name_scope(name):
            return self._assert_positive_definite()

    def _assert_positive_definite(self):
        if self.dtype.is_complex or not self.is_self_adjoint:
            raise NotImplementedError("assert_positive_definite is not implemented.")
        diagonal = linalg_ops.matrix_diag_part(linalg_ops.cholesky(self.to_dense()))
        return check_ops.assert_positive(diagonal, message="Matrix was not positive definite.")

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        """An op that fails when running unless each matrix equals its adjoint."""
        with self._name_scope(name):
            return self._assert_self_adjoint()

    def _assert_self_adjoint(self):
        dense = self.to_dense()
        return check_ops.assert_equal(
            dense, linalg_ops.adjoint(dense), message="Matrix was not equal to its adjoint."
        )

    # Derived operators ---------------------------------------------------------------
    def adjoint(self, name="adjoint"):
        """The conjugate transpose as a LinearOperator (``self`` when self-adjoint)."""
        if self.is_self_adjoint is True:
            return self
        with self._name_scope(name):
            return self._adjoint()

    H = property(adjoint, None, None, "The adjoint, as a property.")

    def _adjoint(self):
        # composite and entries import this module: their classes are imported on use.
        from .composite import LinearOperatorAdjoint

        return LinearOperatorAdjoint(self)

    def inverse(self, name="inverse"):
        """The inverse as a LinearOperator; refused for singular or non-square hints."""
        if self.is_square is False:
            raise ValueError(
                "Cannot take the Inverse: This operator represents a non square matrix."
            )
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular matrix.")
        with self._name_scope(name):
            return self._inverse()

    def _inverse(self):
        from .composite import LinearOperatorInversion

        return LinearOperatorInversion(self)

    def cholesky(self, name="cholesky"):
        """The lower-triangular Cholesky factor as a LinearOperator; only for operators
        hinted self-adjoint and positive definite."""
        if not (self.is_self_adjoint and self.is_positive_definite):
            raise ValueError(
                "Cannot take the Cholesky decomposition: Not a positive definite self adjoint "
                "matrix."
            )
        with self._name_scope(name):
            return self._cholesky()

    def _cholesky(self):
        from .entries import LinearOperatorLowerTriangular

        return LinearOperatorLowerTriangular(
            linalg_ops.cholesky(self.to_dense()),
            is_non_singular=True,
            is_self_adjoint=False,
            is_square=True,
        )

    def eigvals(self, name="eigvals"):
        """The eigenvalues of each (self-adjoint) matrix, ascending."""
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        with self._name_scope(name):
            return self._eigvals()

    def _eigvals(self):
        return linalg_ops.self_adjoint_eigvals(self.to_dense())

    def cond(self, name="cond"):
        """The condition number: largest over smallest singular value."""
        with self._name_scope(name):
            if self.is_self_adjoint:
                values = math_ops.abs(self._eigvals())
            else:
                singular = linalg_ops.svd(self.to_dense(), compute_uv=False)
                values = math_ops.real(singular) if singular.dtype.is_complex else singular
            return math_ops.reduce_max(values, -1) / math_ops.reduce_min(values, -1)

    def __repr__(self):
        return (
            f"<tf.linalg.{type(self).__name__} '{self.name}' "
            f"shape={self.shape} dtype={self.dtype.name}>"
        )
