"""LinearOperators built from other LinearOperators: adjoint, inverse, product, block
diagonal, block lower-triangular, Kronecker product and low-rank update."""

from __future__ import annotations

import functools
import operator as python_operator

from ..compat.conversions import dimension_value
from ..ops import concat_ops, core, fill_ops, linalg_ops, math_ops, shape_ops
from ..shapes import TensorShape
from .base import LinearOperator, broadcast_batch, conj, reshape_inner


def _batch_of(operators) -> TensorShape:
    batch = operators[0].batch_shape
    for op in operators[1:]:
        batch = shape_ops.broadcast_static_shape(batch, op.batch_shape)
    return batch


def _sum(tensors):
    """The broadcasting sum of ``tensors``."""
    return functools.reduce(python_operator.add, tensors)


def _product(tensors):
    """The broadcasting product of ``tensors``."""
    return functools.reduce(python_operator.mul, tensors)


def _check_operators(operators, message: str):
    operators = list(operators)
    if not operators:
        raise ValueError(f"{message} Found: {operators}")
    dtype = operators[0].dtype
    if any(op.dtype != dtype for op in operators):
        found = "   ".join(f"({op.name!r}, {op.dtype!r})" for op in operators)
        raise TypeError(f"Expected all operators to have the same dtype.  Found {found}")
    return operators


def _all_true(operators, hint: str) -> bool:
    return all(getattr(op, hint) for op in operators)


def _dims(operators, which: str) -> list:
    return [dimension_value(getattr(op, which)) for op in operators]


class LinearOperatorAdjoint(LinearOperator):
    """The conjugate transpose of ``operator``, computed by ``operator``'s methods with
    ``adjoint`` flipped.

    Parameters
    ----------
    operator : LinearOperator
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
        Default to ``operator``'s hints.
    name : str, default ``operator.name + "_adjoint"``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [3.0, 4.0]])
    ...     print(tf.compat.v1.Session().run(tf.linalg.LinearOperatorAdjoint(op).to_dense()))
    [[1. 3.]
     [2. 4.]]
    """

    def __init__(
        self,
        operator,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        self._operator = operator
        hints = {}
        for hint, given in [
            ("is_non_singular", is_non_singular),
            ("is_self_adjoint", is_self_adjoint),
            ("is_positive_definite", is_positive_definite),
            ("is_square", is_square),
        ]:
            inherited = getattr(operator, hint)
            if given is not None and inherited is not None and given != inherited:
                raise ValueError(
                    f"An operator's adjoint shares its hint {hint}: the operator has "
                    f"{inherited}, {given} was given."
                )
            hints[hint] = inherited if given is None else given
        super().__init__(
            dtype=operator.dtype,
            name=name or f"{operator.name}_adjoint",
            parameters=dict(operator=operator),
            **hints,
        )

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        shape = self._operator.shape
        return shape[:-2].concatenate([shape[-1], shape[-2]])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return conj(self._operator.determinant())

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _diag_part(self):
        return conj(self._operator.diag_part())

    def _trace(self):
        return conj(self._operator.trace())

    def _to_dense(self):
        return linalg_ops.adjoint(self._operator.to_dense())

    def _adjoint(self):
        return self._operator


class LinearOperatorInversion(LinearOperator):
    """The inverse of a non-singular ``operator``: its products are ``operator``'s solves
    and the other way round.

    Parameters
    ----------
    operator : LinearOperator (not hinted singular)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str, default ``operator.name + "_inv"``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorInversion(tf.linalg.LinearOperatorDiag([2.0, 4.0]))
    ...     print(tf.compat.v1.Session().run(op.matvec([1.0, 1.0])))
    [0.5  0.25]
    """

    def __init__(
        self,
        operator,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        self._operator = operator
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(
                "Argument `is_non_singular` or argument `operator` must have supplied hint "
                "`is_non_singular` equal to `True` or `None`. Found `operator.is_non_singular`: "
                f"{operator.is_non_singular}, `is_non_singular`: {is_non_singular}."
            )
        if operator.is_square is False or is_square is False:
            raise ValueError("An Inversion operator is always square.")

        def inherit(given, inherited):
            return inherited if given is None else given

        super().__init__(
            dtype=operator.dtype,
            is_non_singular=inherit(is_non_singular, operator.is_non_singular),
            is_self_adjoint=inherit(is_self_adjoint, operator.is_self_adjoint),
            is_positive_definite=inherit(is_positive_definite, operator.is_positive_definite),
            is_square=True,
            name=name or f"{operator.name}_inv",
            parameters=dict(operator=operator),
        )

    @property
    def operator(self):
        return self._operator

    def _shape(self):
        return self._operator.shape

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self._operator.determinant()

    def _log_abs_determinant(self):
        return -self._operator.log_abs_determinant()

    def _inverse(self):
        return self._operator


class LinearOperatorComposition(LinearOperator):
    """The product ``operators[0] @ operators[1] @ ...``, applied factor by factor.

    Parameters
    ----------
    operators : list of LinearOperator (one dtype, chained dimensions)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str, default the operators' names joined by ``"_o_"``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.linalg.LinearOperatorDiag([2.0, 3.0])
    ...     op = tf.linalg.LinearOperatorComposition([a, a])
    ...     print(op.name, tf.compat.v1.Session().run(op.determinant()))
    LinearOperatorDiag_o_LinearOperatorDiag 36.0
    """

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        self._operators = _check_operators(operators, "Expected a non-empty list of operators.")
        if _all_true(self._operators, "is_non_singular"):
            if is_non_singular is False:
                raise ValueError(
                    "The composition of non-singular operators is always non-singular."
                )
            is_non_singular = True
        super().__init__(
            dtype=self._operators[0].dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name or "_o_".join(op.name for op in self._operators),
            parameters=dict(operators=operators),
        )

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        rows = self._operators[0].shape[-2:-1]
        cols = self._operators[-1].shape[-1:]
        return _batch_of(self._operators).concatenate(rows).concatenate(cols)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        order = self._operators if adjoint else self._operators[::-1]
        result = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        order = self._operators[::-1] if adjoint else self._operators
        result = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            result = op.solve(result, adjoint=adjoint)
        return result

    def _determinant(self):
        return _product([op.determinant() for op in self._operators])

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self._operators])


class LinearOperatorBlockDiag(LinearOperator):
    """A block-diagonal LinearOperator: ``operators`` along the diagonal, zeros elsewhere;
    products, solves and determinants go block by block.

    Parameters
    ----------
    operators : list of LinearOperator (one dtype)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str, default the operators' names joined by ``"_ds_"``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorBlockDiag(
    ...         [tf.linalg.LinearOperatorDiag([2.0]), tf.linalg.LinearOperatorIdentity(2)])
    ...     print(op.shape, tf.compat.v1.Session().run(op.diag_part()))
    (3, 3) [2. 1. 1.]
    """

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=True,
        name=None,
    ):
        self._operators = _check_operators(operators, "Expected a non-empty list of operators.")
        for hint, given in [
            ("is_non_singular", is_non_singular),
            ("is_self_adjoint", is_self_adjoint),
            ("is_positive_definite", is_positive_definite),
        ]:
            if _all_true(self._operators, hint) and given is False:
                raise ValueError(f"The direct sum of {hint[3:]} operators is always so.")
        all_square = all(op.is_square for op in self._operators)
        super().__init__(
            dtype=self._operators[0].dtype,
            is_non_singular=is_non_singular
            or _all_true(self._operators, "is_non_singular")
            or None,
            is_self_adjoint=is_self_adjoint
            or _all_true(self._operators, "is_self_adjoint")
            or None,
            is_positive_definite=is_positive_definite
            or _all_true(self._operators, "is_positive_definite")
            or None,
            is_square=is_square if all_square else None,
            name=name or "_ds_".join(op.name for op in self._operators),
            parameters=dict(operators=operators),
        )

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        rows, cols = (
            _dims(self._operators, "range_dimension"),
            _dims(self._operators, "domain_dimension"),
        )
        total = [None if None in dims else sum(dims) for dims in (rows, cols)]
        return _batch_of(self._operators).concatenate(total)

    def _blockwise(self, x, apply, split_dims):
        parts = concat_ops.split(x, split_dims, axis=-2)
        results = [apply(op, part) for op, part in zip(self._operators, parts)]
        return concat_ops.concat(broadcast_batch(*results), -2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        dims = _dims(self._operators, "range_dimension" if adjoint else "domain_dimension")
        return self._blockwise(x, lambda op, part: op.matmul(part, adjoint=adjoint), dims)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        dims = _dims(self._operators, "domain_dimension" if adjoint else "range_dimension")
        return self._blockwise(rhs, lambda op, part: op.solve(part, adjoint=adjoint), dims)

    def _determinant(self):
        return _product([op.determinant() for op in self._operators])

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self._operators])

    def _diag_part(self):
        parts = [op.diag_part() for op in self._operators]
        return concat_ops.concat(broadcast_batch(*parts, inner_rank=1), -1)

    def _trace(self):
        return _sum([op.trace() for op in self._operators])

    def _adjoint(self):
        return LinearOperatorBlockDiag([op.adjoint() for op in self._operators], **self._hints())

    def _inverse(self):
        return LinearOperatorBlockDiag([op.inverse() for op in self._operators], **self._hints())

    def _to_dense(self):
        return _assemble(self._operators, [((i, i), op) for i, op in enumerate(self._operators)])


def _assemble(diagonal, blocks):
    """The dense matrix whose block ``(i, j)`` is ``op`` for each ``((i, j), op)`` of
    ``blocks``, zeros elsewhere (the block sizes are the ``diagonal`` operators')."""
    rows, cols = _dims(diagonal, "range_dimension"), _dims(diagonal, "domain_dimension")
    keys = [key for key, _ in blocks]
    dense = dict(zip(keys, broadcast_batch(*[op.to_dense() for _, op in blocks])))
    # Zeros carry the common batch shape (known or not) by broadcasting against a block.
    batch_zero = fill_ops.zeros_like(dense[keys[0]][..., :1, :1])
    row_blocks = []
    for i, r in enumerate(rows):
        row = [
            dense[(i, j)]
            if (i, j) in dense
            else batch_zero + fill_ops.zeros([r, c], batch_zero.dtype)
            for j, c in enumerate(cols)
        ]
        row_blocks.append(concat_ops.concat(row, -1))
    return concat_ops.concat(row_blocks, -2)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """A block lower-triangular LinearOperator: row ``i`` of ``operators`` holds the blocks
    ``(i, 0) ... (i, i)``; solves by block forward (or, adjoint, backward) substitution.

    Parameters
    ----------
    operators : list of lists of LinearOperator (square diagonal blocks)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     d = tf.linalg.LinearOperatorDiag([2.0])
    ...     op = tf.linalg.LinearOperatorBlockLowerTriangular([[d], [d, d]])
    ...     print(tf.compat.v1.Session().run(op.to_dense()))
    [[2. 0.]
     [2. 2.]]
    """

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorBlockLowerTriangular",
    ):
        self._operators = [list(row) for row in operators]
        if not self._operators:
            raise ValueError(
                f"Argument `operators` must be a list of >=1 operators. Received: {operators}."
            )
        for i, row in enumerate(self._operators):
            if len(row) != i + 1:
                raise ValueError(
                    f"Argument `operators[{i}]` must contain `{i + 1}` blocks. "
                    f"Received: {len(row)} blocks."
                )
        _check_operators([op for row in self._operators for op in row], "")
        diagonal = self._diagonal()
        if is_square is False:
            raise ValueError("A block lower triangular operator is always square.")
        if _all_true(diagonal, "is_non_singular"):
            is_non_singular = True if is_non_singular is None else is_non_singular
        super().__init__(
            dtype=diagonal[0].dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=True,
            name=name,
            parameters=dict(operators=operators),
        )

    @property
    def operators(self):
        return [list(row) for row in self._operators]

    def _diagonal(self):
        return [row[-1] for row in self._operators]

    def _blocks(self):
        return [((i, j), op) for i, row in enumerate(self._operators) for j, op in enumerate(row)]

    def _shape(self):
        dims = _dims(self._diagonal(), "domain_dimension")
        size = None if None in dims else sum(dims)
        return _batch_of([op for _, op in self._blocks()]).concatenate([size, size])

    def _split(self, x):
        return concat_ops.split(x, _dims(self._diagonal(), "domain_dimension"), axis=-2)

    def _join(self, parts):
        return concat_ops.concat(broadcast_batch(*parts), -2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        parts, n = self._split(x), len(self._operators)
        if adjoint:  # column j of the adjoint: the blocks (i, j) for i >= j, adjoint
            sums = [
                _sum(
                    broadcast_batch(
                        *[self._operators[i][j].matmul(parts[i], adjoint=True) for i in range(j, n)]
                    )
                )
                for j in range(n)
            ]
        else:
            sums = [
                _sum(broadcast_batch(*[op.matmul(parts[j]) for j, op in enumerate(row)]))
                for row in self._operators
            ]
        return self._join(sums)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        parts, n = self._split(rhs), len(self._operators)
        solved = [None] * n
        order = range(n - 1, -1, -1) if adjoint else range(n)
        for k in order:
            if adjoint:  # backward substitution with the blocks below the diagonal
                known = [
                    self._operators[i][k].matmul(solved[i], adjoint=True) for i in range(k + 1, n)
                ]
            else:
                known = [self._operators[k][j].matmul(solved[j]) for j in range(k)]
            remainder = parts[k]
            for term in known:
                remainder = remainder - term
            solved[k] = self._operators[k][k].solve(remainder, adjoint=adjoint)
        return self._join(solved)

    def _determinant(self):
        return _product([op.determinant() for op in self._diagonal()])

    def _log_abs_determinant(self):
        return _sum([op.log_abs_determinant() for op in self._diagonal()])

    def _diag_part(self):
        parts = [op.diag_part() for op in self._diagonal()]
        return concat_ops.concat(broadcast_batch(*parts, inner_rank=1), -1)

    def _to_dense(self):
        return _assemble(self._diagonal(), self._blocks())


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product ``operators[0] ⊗ operators[1] ⊗ ...``: products and solves
    apply one factor at a time; the determinant comes from the factors' determinants.

    Parameters
    ----------
    operators : list of LinearOperator (one dtype)
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str, default the operators' names joined by ``"_x_"``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorKronecker(
    ...         [tf.linalg.LinearOperatorDiag([1.0, 2.0]), tf.linalg.LinearOperatorDiag([3.0, 5.0])])
    ...     print(tf.compat.v1.Session().run(op.diag_part()))
    [ 3.  5.  6. 10.]
    """

    def __init__(
        self,
        operators,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name=None,
    ):
        operators = list(operators)
        if not operators:
            raise ValueError(
                f"Argument `operators` must be a list of >=1 operators. Received: {operators}."
            )
        self._operators = _check_operators(operators, "")
        for hint, given in [
            ("is_non_singular", is_non_singular),
            ("is_self_adjoint", is_self_adjoint),
        ]:
            if _all_true(self._operators, hint) and given is False:
                raise ValueError(f"The Kronecker product of {hint[3:]} operators is always so.")
        super().__init__(
            dtype=self._operators[0].dtype,
            is_non_singular=is_non_singular
            or _all_true(self._operators, "is_non_singular")
            or None,
            is_self_adjoint=is_self_adjoint
            or _all_true(self._operators, "is_self_adjoint")
            or None,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name or "_x_".join(op.name for op in self._operators),
            parameters=dict(operators=operators),
        )

    @property
    def operators(self):
        return list(self._operators)

    def _shape(self):
        rows, cols = (
            _dims(self._operators, "range_dimension"),
            _dims(self._operators, "domain_dimension"),
        )
        total = [
            None if None in dims else functools.reduce(python_operator.mul, dims)
            for dims in (rows, cols)
        ]
        return _batch_of(self._operators).concatenate(total)

    def _factorwise(self, x, apply, in_dims, out_dims):
        """``(F0 ⊗ F1 ⊗ ...) x`` with ``apply(Fi, z)`` for each factor, last first: the
        factor's index is moved to the rows, applied, and moved back."""
        for k in range(len(self._operators) - 1, -1, -1):
            columns = dimension_value(x.shape[-1])
            inner = functools.reduce(python_operator.mul, out_dims[k + 1 :], 1)
            lead = functools.reduce(python_operator.mul, in_dims[:k], 1)
            z = reshape_inner(x, -2, [lead, in_dims[k], inner * columns])
            z = shape_ops.transpose(z, _swap_last_three(z.shape.ndims - 3))  # [.., n_k, lead, .]
            z = reshape_inner(z, -3, [in_dims[k], lead * inner * columns])
            z = apply(self._operators[k], z)
            z = reshape_inner(z, -2, [out_dims[k], lead, inner * columns])
            z = shape_ops.transpose(z, _swap_last_three(z.shape.ndims - 3))
            x = reshape_inner(z, -3, [lead * out_dims[k] * inner, columns])
        return x

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        rows, cols = (
            _dims(self._operators, "range_dimension"),
            _dims(self._operators, "domain_dimension"),
        )
        in_dims, out_dims = (rows, cols) if adjoint else (cols, rows)
        return self._factorwise(x, lambda op, z: op.matmul(z, adjoint=adjoint), in_dims, out_dims)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        dims = _dims(self._operators, "domain_dimension")
        return self._factorwise(rhs, lambda op, z: op.solve(z, adjoint=adjoint), dims, dims)

    def _determinant(self):
        total = dimension_value(self.domain_dimension)
        factors = [
            op.determinant()
            ** math_ops.cast(total // dimension_value(op.domain_dimension), self.dtype)
            for op in self._operators
        ]
        return _product(factors)

    def _log_abs_determinant(self):
        total = dimension_value(self.domain_dimension)
        return _sum(
            [
                op.log_abs_determinant() * (total // dimension_value(op.domain_dimension))
                for op in self._operators
            ]
        )

    def _diag_part(self):
        parts = [op.diag_part() for op in self._operators]
        result = parts[0]
        for part in parts[1:]:
            outer = shape_ops.expand_dims(result, -1) * shape_ops.expand_dims(part, -2)
            result = reshape_inner(outer, -2, [-1])
        return result

    def _trace(self):
        return _product([op.trace() for op in self._operators])

    def _adjoint(self):
        return LinearOperatorKronecker([op.adjoint() for op in self._operators], **self._hints())

    def _inverse(self):
        return LinearOperatorKronecker([op.inverse() for op in self._operators], **self._hints())

    def _to_dense(self):
        result = self._operators[0].to_dense()
        for op in self._operators[1:]:
            right = op.to_dense()
            left_blocks = shape_ops.expand_dims(shape_ops.expand_dims(result, -1), -3)
            right_blocks = shape_ops.expand_dims(shape_ops.expand_dims(right, -2), -4)
            outer = left_blocks * right_blocks  # [..., m1, m2, n1, n2]
            m1, m2, n1, n2 = outer.shape[-4:].as_list()
            result = reshape_inner(outer, -4, [m1 * m2, n1 * n2])
        return result


def _swap_last_three(batch_rank: int) -> list:
    """The permutation ``[..., a, b, c] -> [..., b, a, c]``."""
    return [*list(range(batch_rank)), batch_rank + 1, batch_rank, batch_rank + 2]


class LinearOperatorLowRankUpdate(LinearOperator):
    """``A = L + U D V^H``: a base operator plus a low-rank update; solves by the Woodbury
    identity and determinants by the matrix determinant lemma, both through the small
    ``K x K`` capacitance ``D^-1 + V^H L^-1 U``.

    Parameters
    ----------
    base_operator : LinearOperator ``L`` (``[..., M, M]``)
    u : tensor ``[..., M, K]``
    diag_update : tensor ``[..., K]``, optional (identity)
    v : tensor ``[..., M, K]``, optional (``u``)
    is_diag_update_positive : bool or None
    is_non_singular, is_self_adjoint, is_positive_definite, is_square : bool or None
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = tf.linalg.LinearOperatorLowRankUpdate(
    ...         tf.linalg.LinearOperatorIdentity(2), [[1.0], [1.0]])
    ...     dense, det = tf.compat.v1.Session().run([op.to_dense(), op.determinant()])
    >>> print(dense, det)
    [[2. 1.]
     [1. 2.]] 3.0
    """

    def __init__(
        self,
        base_operator,
        u,
        diag_update=None,
        v=None,
        is_diag_update_positive=None,
        is_non_singular=None,
        is_self_adjoint=None,
        is_positive_definite=None,
        is_square=None,
        name="LinearOperatorLowRankUpdate",
    ):
        self._base = base_operator
        self._u = core.convert_to_tensor(u, dtype=base_operator.dtype, name="u")
        self._v = (
            self._u if v is None else core.convert_to_tensor(v, dtype=base_operator.dtype, name="v")
        )
        self._diag_update = (
            None
            if diag_update is None
            else core.convert_to_tensor(diag_update, dtype=base_operator.dtype, name="diag_update")
        )
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError(
                    "Default diagonal is the identity, which is positive.  However, "
                    "user set 'is_diag_update_positive' to False."
                )
            is_diag_update_positive = True
        self._is_diag_update_positive = is_diag_update_positive
        if base_operator.is_self_adjoint and v is None and not base_operator.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError(
                    "A = L + UDU^H, with L self-adjoint and D real diagonal.  Since UDU^H is "
                    "self-adjoint, this must be a self-adjoint operator."
                )
            is_self_adjoint = True
        symmetric_positive = (
            base_operator.is_positive_definite
            and base_operator.is_self_adjoint
            and is_diag_update_positive
            and v is None
        )
        if symmetric_positive:
            if False in (is_positive_definite, is_self_adjoint, is_non_singular):
                raise ValueError("Arguments imply this is self-adjoint positive-definite operator.")
            is_positive_definite = is_self_adjoint = True
        super().__init__(
            dtype=base_operator.dtype,
            is_non_singular=is_non_singular,
            is_self_adjoint=is_self_adjoint,
            is_positive_definite=is_positive_definite,
            is_square=is_square,
            name=name,
            parameters=dict(base_operator=base_operator, u=u, diag_update=diag_update, v=v),
        )

    @property
    def base_operator(self):
        return self._base

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def diag_update(self):
        return self._diag_update

    @property
    def is_diag_update_positive(self):
        return self._is_diag_update_positive

    def _shape(self):
        batch = shape_ops.broadcast_static_shape(self._base.batch_shape, self._u.shape[:-2])
        return batch.concatenate(self._base.shape[-2:])

    def _scale(self, x, adjoint: bool):
        if self._diag_update is None:
            return x
        diag = conj(self._diag_update) if adjoint else self._diag_update
        return x * shape_ops.expand_dims(diag, -1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = linalg_ops.adjoint(x) if adjoint_arg else x
        left, right = (self._v, self._u) if adjoint else (self._u, self._v)
        update = math_ops.matmul(
            left, self._scale(math_ops.matmul(right, x, adjoint_a=True), adjoint)
        )
        return self._base.matmul(x, adjoint=adjoint) + update

    def _capacitance(self):
        """``D^-1 + V^H L^-1 U``, ``[..., K, K]``."""
        product = math_ops.matmul(self._v, self._base.solve(self._u), adjoint_a=True)
        if self._diag_update is None:
            return product + linalg_ops.eye(dimension_value(self._u.shape[-1]), dtype=self.dtype)
        return linalg_ops.matrix_set_diag(
            product, linalg_ops.matrix_diag_part(product) + 1.0 / self._diag_update
        )

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = linalg_ops.adjoint(rhs) if adjoint_arg else rhs
        left, right = (self._v, self._u) if adjoint else (self._u, self._v)
        base_solved = self._base.solve(rhs, adjoint=adjoint)
        capacitance = self._capacitance()
        small = math_ops.matmul(right, base_solved, adjoint_a=True)
        capacitance, small = broadcast_batch(capacitance, small)
        middle = linalg_ops.matrix_solve(capacitance, small, adjoint=adjoint)
        return base_solved - self._base.solve(math_ops.matmul(left, middle), adjoint=adjoint)

    def _update_determinant_terms(self):
        capacitance = self._capacitance()
        log_abs = linalg_ops.slogdet(capacitance)[1] + self._base.log_abs_determinant()
        det = linalg_ops.matrix_determinant(capacitance) * self._base.determinant()
        if self._diag_update is not None:
            log_abs += math_ops.reduce_sum(
                math_ops.cast(math_ops.log(math_ops.abs(self._diag_update)), self.dtype), -1
            )
            det *= math_ops.reduce_prod(self._diag_update, -1)
        return det, log_abs

    def _determinant(self):
        return self._update_determinant_terms()[0]

    def _log_abs_determinant(self):
        return self._update_determinant_terms()[1]

    def _to_dense(self):
        u = self._u
        if self._diag_update is not None:
            u = u * shape_ops.expand_dims(self._diag_update, -2)
        return self._base.to_dense() + math_ops.matmul(u, self._v, adjoint_b=True)
