"""Math ops: elementwise arithmetic, comparisons, reductions, matrix products, casts.

Each op has its ``OpDef`` (with a shape function), a builder with TF1's name and
signature, and its gradient function next to it. Binary ops broadcast as numpy does;
their gradients sum back to each input's shape with :func:`reduce_gradient_args`.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..kernels.math import range_size
from ..registry import (
    REQUIRED,
    OpDef,
    TensorSpec,
    not_differentiable,
    register_gradient,
    register_op,
)
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops
from .constant_value import constant_value, known_value
from .core import (
    apply_op,
    apply_op_to_tensors,
    convert_to_tensor,
    deprecated_argument_lookup,
    unchanged,
)
from .shape_util import canonical_axis, merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "abs",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "cast",
    "cos",
    "cumsum",
    "divide",
    "equal",
    "exp",
    "floor",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "linspace",
    "logical_and",
    "logical_not",
    "logical_or",
    "matmul",
    "maximum",
    "minimum",
    "multiply",
    "negative",
    "not_equal",
    "pow",
    "range",
    "realdiv",
    "reduce_all",
    "reduce_any",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "round",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "square",
    "subtract",
    "tanh",
    "tensordot",
    "truediv",
    "where",
]

builtins_range = builtins.range  # this module defines its own ``range`` (and abs, pow, round)

# -- dtype rules ------------------------------------------------------------------------

# TF's allowed-type lists, by name, in TF's order (its messages list them this way).
_FLOAT = ("bfloat16", "float16", "float32", "float64")
_COMPLEX = ("complex64", "complex128")
_SIGNED = ("int8", "int16", "int32", "int64")
_UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
FLOATING = _FLOAT + _COMPLEX
REAL = _FLOAT + _SIGNED + _UNSIGNED
NUMERIC = _FLOAT + _SIGNED + _UNSIGNED + _COMPLEX
SIGNED_NUMERIC = _FLOAT + _SIGNED + _COMPLEX
ANY = (*NUMERIC, "bool", "string")
BOOL = ("bool",)


def check_dtype(param: str, tensor: Tensor, allowed: tuple) -> None:
    """``TypeError`` in TF's words unless ``tensor``'s dtype is one of ``allowed`` (names).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     check_dtype("x", tf.constant(1), FLOATING)
    Traceback (most recent call last):
    ...
    TypeError: Value passed to parameter 'x' has DataType int32 not in list of allowed values: bfloat16, float16, float32, float64, complex64, complex128
    """
    if tensor.dtype.base_dtype.name not in allowed:
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {tensor.dtype.base_dtype.name} "
            f"not in list of allowed values: {', '.join(allowed)}"
        )


def check_same_dtype(op_type: str, x: Tensor, y: Tensor, names=("x", "y")) -> None:
    """``TypeError`` in TF's words when ``y``'s dtype differs from ``x``'s."""
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError(
            f"Input '{names[1]}' of '{op_type}' Op has type {y.dtype.base_dtype.name} that "
            f"does not match type {x.dtype.base_dtype.name} of argument '{names[0]}'."
        )


# -- elementwise binary ops -------------------------------------------------------------


def _broadcast_shape(x: TensorSpec, y: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [TensorSpec(x.dtype, broadcast_shapes(x.shape, y.shape))]


def _broadcast_to_bool(x: TensorSpec, y: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [TensorSpec(dtypes.bool, broadcast_shapes(x.shape, y.shape))]


def _binary(op_type: str, allowed: tuple, to_bool: bool = False, **attrs) -> OpDef:
    shape_fn = _broadcast_to_bool if to_bool else _broadcast_shape
    op_def = OpDef(op_type, ("x", "y"), ("z",), attrs={"T": REQUIRED, **attrs}, shape_fn=shape_fn)
    _ALLOWED[op_type] = allowed
    return register_op(op_def)


_ALLOWED: dict[str, tuple] = {}

ADD = _binary("AddV2", NUMERIC)
SUB = _binary("Sub", NUMERIC)
MUL = _binary("Mul", NUMERIC)
REAL_DIV = _binary("RealDiv", NUMERIC)
FLOOR_DIV = _binary("FloorDiv", REAL)
FLOOR_MOD = _binary("FloorMod", REAL)
POW = _binary("Pow", SIGNED_NUMERIC)
MAXIMUM = _binary("Maximum", REAL)
MINIMUM = _binary("Minimum", REAL)
SQUARED_DIFFERENCE = _binary("SquaredDifference", SIGNED_NUMERIC)
EQUAL = _binary("Equal", ANY, to_bool=True, incompatible_shape_error=True)
NOT_EQUAL = _binary("NotEqual", ANY, to_bool=True, incompatible_shape_error=True)
LESS = _binary("Less", REAL, to_bool=True)
LESS_EQUAL = _binary("LessEqual", REAL, to_bool=True)
GREATER = _binary("Greater", REAL, to_bool=True)
GREATER_EQUAL = _binary("GreaterEqual", REAL, to_bool=True)


def _logical(op_type: str) -> OpDef:
    return register_op(OpDef(op_type, ("x", "y"), ("z",), shape_fn=_broadcast_shape))


LOGICAL_AND = _logical("LogicalAnd")
LOGICAL_OR = _logical("LogicalOr")


def binary_operands(x, y, graph=None) -> tuple[Tensor, Tensor]:
    """Convert both operands, giving a Python value the dtype of the tensor beside it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = binary_operands(tf.constant(1.5), 2)
    >>> b.dtype
    tf.float32
    """
    graph = graph if graph is not None else graph_of([x, y])
    if isinstance(x, Tensor) or not isinstance(y, Tensor):
        x = convert_to_tensor(x, graph=graph, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, graph=graph, name="y")
    else:
        y = convert_to_tensor(y, graph=graph, name="y")
        x = convert_to_tensor(x, dtype_hint=y.dtype.base_dtype, graph=graph, name="x")
    return x, y


# Builders that only apply their op are rows made by a factory (below); those with an
# Examples section or logic of their own are written out.


def _public(function, name: str, doc: str):
    """``function`` made by a builder factory, named as the module binds it, with ``doc``."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def _binary_builder(op_def: OpDef, builder: str, doc: str, **attrs):
    """The public builder ``builder(x, y, name=None)`` of ``op_def``, named after its type."""

    def build(x, y, name=None) -> Tensor:
        return _apply_binary(op_def, x, y, name or op_def.name, **attrs)

    return _public(build, builder, doc)


def _apply_binary(op_def: OpDef, x, y, name, **attrs) -> Tensor:
    graph = graph_of((x, y))
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        scope = name  # nothing to convert: no scope to open (the op's name is made unique)
    else:
        # Python operands become Consts inside the op's scope ("mul/y"), as in TF.
        with graph.name_scope(name) as scope:
            x, y = binary_operands(x, y, graph)
    check_same_dtype(op_def.name, x, y)
    if op_def.name in _ALLOWED:
        check_dtype("x", x, _ALLOWED[op_def.name])
        attrs["T"] = x.dtype.base_dtype
    else:
        check_dtype("x", x, BOOL)
    # x and y are tensors now: skip apply_op's flattening and conversion checks.
    return apply_op_to_tensors(op_def, [x, y], scope, graph, attrs).outputs[0]


def add(x, y, name=None) -> Tensor:
    """``x + y`` elementwise, with broadcasting (op type ``AddV2``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = add(tf.constant([1.0, 2.0]), 1.0)
    >>> z.op.type, z.op.name, z.shape, z.op.inputs[1].op.name
    ('AddV2', 'Add', TensorShape([2]), 'Add/y')
    """
    return _apply_binary(ADD, x, y, name or "Add")


subtract = _binary_builder(
    SUB, "subtract", "``x - y`` elementwise, with broadcasting (op type ``Sub``)."
)


def multiply(x, y, name=None) -> Tensor:
    """``x * y`` elementwise, with broadcasting (op type ``Mul``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = tf.constant(5.0) * tf.constant(6.0)
    >>> z.op.name, z.op.type
    ('mul', 'Mul')
    """
    return _apply_binary(MUL, x, y, name or "Mul")


realdiv = _binary_builder(
    REAL_DIV, "realdiv", "``x / y`` for operands of one dtype (op type ``RealDiv``; ints truncate)."
)


# truediv of integers computes in floating point, as Python 3's ``/`` does.
_TRUEDIV_FLOAT = {
    dtypes.int8: dtypes.float32,
    dtypes.uint8: dtypes.float32,
    dtypes.int16: dtypes.float32,
    dtypes.uint16: dtypes.float32,
    dtypes.int32: dtypes.float64,
    dtypes.uint32: dtypes.float64,
    dtypes.int64: dtypes.float64,
    dtypes.uint64: dtypes.float64,
}


def truediv(x, y, name=None) -> Tensor:
    """``x / y`` in floating point: integer operands are cast first (int32 -> float64).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = truediv(tf.constant(1), tf.constant(2))
    >>> q.op.type, q.dtype, [t.op.name for t in q.op.inputs]
    ('RealDiv', tf.float64, ['truediv/Cast', 'truediv/Cast_1'])
    """
    graph = graph_of([x, y])
    with graph.name_scope(name or "truediv") as scope:
        x, y = binary_operands(x, y, graph)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(
                f"x and y must have the same dtype, got {x.dtype.base_dtype!r} != "
                f"{y.dtype.base_dtype!r}."
            )
        target = _TRUEDIV_FLOAT.get(x.dtype.base_dtype)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return _apply_binary(REAL_DIV, x, y, scope)


def divide(x, y, name=None) -> Tensor:
    """``x / y`` (TF's ``tf.divide``: :func:`truediv`)."""
    return truediv(x, y, name)


def div(x, y, name=None) -> Tensor:
    """TF1's ``tf.compat.v1.div``: floor division for integers, real division otherwise."""
    graph = graph_of([x, y])
    with graph.name_scope(name or "div") as scope:
        x, y = binary_operands(x, y, graph)
        op_def = FLOOR_DIV if x.dtype.base_dtype.is_integer else REAL_DIV
        return _apply_binary(op_def, x, y, scope)


def floordiv(x, y, name=None) -> Tensor:
    """``x // y`` elementwise, rounding toward negative infinity (op type ``FloorDiv``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = floordiv(tf.constant([7, -7]), 2)
    ...     print(tf.compat.v1.Session().run(q))
    [ 3 -4]
    """
    return _apply_binary(FLOOR_DIV, x, y, name or "floordiv")


floormod = _binary_builder(
    FLOOR_MOD,
    "floormod",
    "``x % y`` with the sign of ``y``, as Python's ``%`` (op type ``FloorMod``).",
)
pow = _binary_builder(POW, "pow", "``x ** y`` elementwise (op type ``Pow``).")
maximum = _binary_builder(
    MAXIMUM, "maximum", "The larger of ``x`` and ``y`` elementwise, with broadcasting."
)
minimum = _binary_builder(
    MINIMUM, "minimum", "The smaller of ``x`` and ``y`` elementwise, with broadcasting."
)
squared_difference = _binary_builder(
    SQUARED_DIFFERENCE, "squared_difference", "``(x - y) ** 2`` elementwise, with broadcasting."
)
equal = _binary_builder(
    EQUAL, "equal", "``x == y`` elementwise (a bool tensor).", incompatible_shape_error=True
)
not_equal = _binary_builder(
    NOT_EQUAL, "not_equal", "``x != y`` elementwise (a bool tensor).", incompatible_shape_error=True
)
less = _binary_builder(LESS, "less", "``x < y`` elementwise (a bool tensor).")
less_equal = _binary_builder(LESS_EQUAL, "less_equal", "``x <= y`` elementwise (a bool tensor).")


def greater(x, y, name=None) -> Tensor:
    """``x > y`` elementwise (a bool tensor).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = greater(tf.constant([1, 5]), 3)
    >>> b.dtype, b.op.type
    (tf.bool, 'Greater')
    """
    return _apply_binary(GREATER, x, y, name or "Greater")


greater_equal = _binary_builder(
    GREATER_EQUAL, "greater_equal", "``x >= y`` elementwise (a bool tensor)."
)
logical_and = _binary_builder(
    LOGICAL_AND, "logical_and", "``x and y`` elementwise for bool tensors."
)
logical_or = _binary_builder(LOGICAL_OR, "logical_or", "``x or y`` elementwise for bool tensors.")


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """``x != y`` for bool tensors, built as TF does from and/or/not.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = logical_xor(tf.constant([True, False]), True)
    ...     print(tf.compat.v1.Session().run(z))
    [False  True]
    """
    graph = graph_of([x, y])
    with graph.name_scope(name or "LogicalXor") as scope:
        both = logical_and(x, y)
        return logical_and(logical_or(x, y), logical_not(both), name=scope)


# -- elementwise unary ops --------------------------------------------------------------


def _unary(op_type: str, allowed: tuple) -> OpDef:
    _ALLOWED[op_type] = allowed
    return register_op(OpDef(op_type, ("x",), ("y",), attrs={"T": REQUIRED}, shape_fn=unchanged))


NEG = _unary("Neg", SIGNED_NUMERIC)
ABS = _unary("Abs", REAL)
SIGN = _unary("Sign", SIGNED_NUMERIC)
SQUARE = _unary("Square", NUMERIC)
SQRT = _unary("Sqrt", FLOATING)
RSQRT = _unary("Rsqrt", FLOATING)
EXP = _unary("Exp", FLOATING)
LOG = _unary("Log", FLOATING)
LOG1P = _unary("Log1p", FLOATING)
SIN = _unary("Sin", FLOATING)
COS = _unary("Cos", FLOATING)
TANH = _unary("Tanh", FLOATING)
SIGMOID = _unary("Sigmoid", FLOATING)
ROUND = _unary("Round", SIGNED_NUMERIC)
FLOOR = _unary("Floor", _FLOAT)
CEIL = _unary("Ceil", _FLOAT)
RECIPROCAL = _unary("Reciprocal", SIGNED_NUMERIC)
LOGICAL_NOT = register_op(OpDef("LogicalNot", ("x",), ("y",), shape_fn=unchanged))


def _unary_builder(op_def: OpDef, builder: str, doc: str):
    """The public builder ``builder(x, name=None)`` of ``op_def``."""

    def build(x, name=None) -> Tensor:
        return _apply_unary(op_def, x, name)

    return _public(build, builder, doc)


def _apply_unary(op_def: OpDef, x, name) -> Tensor:
    graph = graph_of([x])
    with graph.name_scope(name or op_def.name) as scope:
        x = convert_to_tensor(x, graph=graph, name="x")
    if op_def.name in _ALLOWED:
        check_dtype("x", x, _ALLOWED[op_def.name])
        return apply_op(op_def, [x], scope, T=x.dtype.base_dtype).outputs[0]
    check_dtype("x", x, BOOL)
    return apply_op(op_def, [x], scope).outputs[0]


negative = _unary_builder(NEG, "negative", "``-x`` elementwise (op type ``Neg``).")
abs = _unary_builder(ABS, "abs", "``|x|`` elementwise (op type ``Abs``).")
sign = _unary_builder(SIGN, "sign", "-1, 0 or 1 by the sign of each element.")
square = _unary_builder(SQUARE, "square", "``x * x`` elementwise.")


def sqrt(x, name=None) -> Tensor:
    """The square root, elementwise (floating types only).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(sqrt([4.0, 9.0])))
    [2. 3.]
    """
    return _apply_unary(SQRT, x, name)


rsqrt = _unary_builder(RSQRT, "rsqrt", "``1 / sqrt(x)`` elementwise.")
exp = _unary_builder(EXP, "exp", "``e ** x`` elementwise.")
log = _unary_builder(LOG, "log", "The natural logarithm, elementwise.")
log1p = _unary_builder(LOG1P, "log1p", "``log(1 + x)`` elementwise, accurate for small ``x``.")
sin = _unary_builder(SIN, "sin", "The sine, elementwise.")
cos = _unary_builder(COS, "cos", "The cosine, elementwise.")
tanh = _unary_builder(TANH, "tanh", "The hyperbolic tangent, elementwise.")
sigmoid = _unary_builder(SIGMOID, "sigmoid", "``1 / (1 + exp(-x))`` elementwise.")


def round(x, name=None) -> Tensor:
    """Round half to even, elementwise, as TF does; integer tensors come back unchanged.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(round([0.5, 1.5, 2.5, -0.5])))
    [ 0.  2.  2. -0.]
    """
    x = convert_to_tensor(x, name="x")
    if x.dtype.base_dtype.is_integer:
        return x
    return _apply_unary(ROUND, x, name)


floor = _unary_builder(FLOOR, "floor", "The largest integer not greater than ``x``, elementwise.")
ceil = _unary_builder(CEIL, "ceil", "The smallest integer not less than ``x``, elementwise.")
reciprocal = _unary_builder(RECIPROCAL, "reciprocal", "``1 / x`` elementwise.")
logical_not = _unary_builder(LOGICAL_NOT, "logical_not", "``not x`` elementwise for a bool tensor.")


# -- add_n, matrix products ---------------------------------------------------------------


def _add_n_shape(*inputs: TensorSpec, N, T) -> list[TensorSpec]:
    shape = TensorShape(None)
    for spec in inputs:
        if spec.dtype != T:
            raise TypeError(f"Inputs of AddN must all be {T.name}, but got {spec.dtype.name}")
        shape = merge_shapes(shape, spec.shape)
    return [TensorSpec(T, shape)]


ADD_N = register_op(
    OpDef(
        "AddN", ("*inputs",), ("sum",), attrs={"N": REQUIRED, "T": REQUIRED}, shape_fn=_add_n_shape
    )
)


def add_n(inputs, name=None) -> Tensor:
    """The elementwise sum of a list of tensors of one dtype and shape.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = add_n([tf.constant([1, 2]), tf.constant([3, 4]), tf.constant([5, 6])])
    ...     print(s.op.type, tf.compat.v1.Session().run(s))
    AddN [ 9 12]
    """
    if isinstance(inputs, Tensor) or not isinstance(inputs, list | tuple) or not inputs:
        raise ValueError(
            "inputs must be a list of at least one Tensor/IndexedSlices with the same dtype "
            "and shape"
        )
    graph = graph_of(inputs)
    with graph.name_scope(name or "AddN") as scope:
        tensors = [convert_to_tensor(t, graph=graph) for t in inputs]
    if len(tensors) == 1:
        return array_ops.identity(tensors[0], name=scope)
    dtype = tensors[0].dtype.base_dtype
    return apply_op(ADD_N, [tensors], scope, N=len(tensors), T=dtype).outputs[0]


def _matmul_shape(a: TensorSpec, b: TensorSpec, *, T, transpose_a, transpose_b):
    a_shape, b_shape = with_rank(a.shape, 2), with_rank(b.shape, 2)
    rows, inner_a = reversed(a_shape.as_tuple()) if transpose_a else a_shape.as_tuple()
    inner_b, cols = reversed(b_shape.as_tuple()) if transpose_b else b_shape.as_tuple()
    merge_dim(inner_a, inner_b)
    return [TensorSpec(T, TensorShape([rows, cols]))]


MATMUL = register_op(
    OpDef(
        "MatMul",
        ("a", "b"),
        ("product",),
        attrs={"T": REQUIRED, "transpose_a": False, "transpose_b": False},
        shape_fn=_matmul_shape,
        cost="expensive",
    )
)


def _batch_matmul_shape(x: TensorSpec, y: TensorSpec, *, T, adj_x, adj_y):
    x_shape, y_shape = with_rank_at_least(x.shape, 2), with_rank_at_least(y.shape, 2)
    if x_shape.rank is None or y_shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    rows, inner_x = x_shape[-2:].as_tuple()[:: -1 if adj_x else 1]
    inner_y, cols = y_shape[-2:].as_tuple()[:: -1 if adj_y else 1]
    merge_dim(inner_x, inner_y)
    batch = broadcast_shapes(x_shape[:-2], y_shape[:-2])
    return [TensorSpec(T, batch.concatenate([rows, cols]))]


BATCH_MATMUL = register_op(
    OpDef(
        "BatchMatMulV2",
        ("x", "y"),
        ("output",),
        attrs={"T": REQUIRED, "adj_x": False, "adj_y": False},
        shape_fn=_batch_matmul_shape,
        cost="expensive",
    )
)


def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    output_type=None,
    name=None,
) -> Tensor:
    """The matrix product ``a @ b``; inputs of rank > 2 multiply batches of matrices.

    Rank-2 inputs give a ``MatMul`` op, others a ``BatchMatMulV2`` (whose batch
    dimensions broadcast), as in TF. ``adjoint_*`` conjugates and transposes.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = matmul(tf.zeros([2, 3]), tf.zeros([4, 3]), transpose_b=True)
    ...     q = matmul(tf.zeros([5, 1, 2, 3]), tf.zeros([7, 3, 4]))
    >>> p.op.type, p.shape, q.op.type, q.shape
    ('MatMul', TensorShape([2, 4]), 'BatchMatMulV2', TensorShape([5, 7, 2, 4]))
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    graph = graph_of([a, b])
    with graph.name_scope(name or "MatMul") as scope:
        a, b = binary_operands(a, b, graph)
        check_same_dtype("MatMul", a, b, names=("a", "b"))
        check_dtype("a", a, NUMERIC)
        if output_type is not None and dtypes.as_dtype(output_type) != a.dtype.base_dtype:
            raise TypeError("output_type other than the inputs' dtype is not supported.")
        if a.dtype.base_dtype.is_complex:
            # A transpose of a complex matrix is its adjoint of the conjugate.
            a = conj(a) if transpose_a else a
            b = conj(b) if transpose_b else b
        T = a.dtype.base_dtype
        ranks = (a.shape.rank, b.shape.rank)
        if None in ranks or max(ranks) > 2:
            return apply_op(
                BATCH_MATMUL,
                [a, b],
                scope,
                T=T,
                adj_x=bool(adjoint_a or transpose_a),
                adj_y=bool(adjoint_b or transpose_b),
            ).outputs[0]
        if T.is_complex:
            a = conj(a) if adjoint_a else a
            b = conj(b) if adjoint_b else b
        return apply_op(
            MATMUL,
            [a, b],
            scope,
            T=T,
            transpose_a=bool(transpose_a or adjoint_a),
            transpose_b=bool(transpose_b or adjoint_b),
        ).outputs[0]


CONJ = register_op(OpDef("Conj", ("input",), attrs={"T": REQUIRED}, shape_fn=unchanged))


def conj(x, name=None) -> Tensor:
    """The complex conjugate; real tensors come back unchanged."""
    x = convert_to_tensor(x)
    if not x.dtype.base_dtype.is_complex:
        return x
    return apply_op(CONJ, [x], name or "Conj", T=x.dtype.base_dtype).outputs[0]


def _tensordot_axes(a: Tensor, b: Tensor, axes) -> tuple[list, list]:
    if isinstance(axes, int | np.integer):
        if axes < 0:
            raise ValueError(f"'axes' must be at least 0, got {axes}.")
        return list(builtins_range(a.shape.rank - axes, a.shape.rank)), list(builtins_range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int | np.integer) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int | np.integer) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(
            f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}."
        )
    return [i % a.shape.rank for i in a_axes], [i % b.shape.rank for i in b_axes]


def _tensordot_reshape(x: Tensor, axes: list, flipped: bool):
    """``x`` transposed and reshaped to a matrix: free dims one side, contracted the other."""
    free = [i for i in builtins_range(x.shape.rank) if i not in axes]
    perm = axes + free if flipped else free + axes
    static = x.shape.as_list()
    free_static = [static[i] for i in free]
    moved = array_ops.transpose(x, perm) if perm != sorted(perm) else x
    if x.shape.is_fully_defined():
        free_size = int(np.prod(free_static, dtype=np.int64))
        axes_size = int(np.prod([static[i] for i in axes], dtype=np.int64))
        new_shape = [axes_size, free_size] if flipped else [free_size, axes_size]
        free_dims = free_static
    else:
        shape = array_ops.shape(x)
        free_dims = array_ops.gather(shape, free)
        free_size = reduce_prod(free_dims)
        axes_size = reduce_prod(array_ops.gather(shape, axes))
        parts = [axes_size, free_size] if flipped else [free_size, axes_size]
        new_shape = array_ops.stack(parts)
    return array_ops.reshape(moved, new_shape), free_dims, free_static


def tensordot(a, b, axes, name=None) -> Tensor:
    """Contract ``a`` and ``b`` over ``axes`` (an int N: last N of ``a``, first N of ``b``;
    or a pair of axis lists), built from transpose, reshape and matmul as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = tensordot(tf.ones([2, 3, 4]), tf.ones([4, 3, 5]), [[1, 2], [1, 0]])
    ...     print(t.shape, tf.compat.v1.Session().run(t)[0, 0])
    (2, 5) 12.0
    """
    graph = graph_of([a, b])
    with graph.name_scope(name or "Tensordot"):
        a, b = binary_operands(a, b, graph)
        if a.shape.rank is None or b.shape.rank is None:
            raise ValueError("tensordot needs inputs of known rank.")
        a_axes, b_axes = _tensordot_axes(a, b, axes)
        a_matrix, a_free, a_static = _tensordot_reshape(a, a_axes, flipped=False)
        b_matrix, b_free, b_static = _tensordot_reshape(b, b_axes, flipped=True)
        product = matmul(a_matrix, b_matrix)
        if isinstance(a_free, list) and isinstance(b_free, list):
            return array_ops.reshape(product, a_free + b_free, name="Tensordot")
        shape = array_ops.concat([cast(a_free, dtypes.int32), cast(b_free, dtypes.int32)], axis=0)
        result = array_ops.reshape(product, shape, name="Tensordot")
        result.set_shape(a_static + b_static)
        return result


# -- scans and reductions ---------------------------------------------------------------------


def _scan_shape(x: TensorSpec, axis: TensorSpec, **attrs) -> list[TensorSpec]:
    with_rank(axis.shape, 0)
    value = known_value(axis)
    if value is not None and x.shape.rank is not None:
        canonical_axis(int(value), x.shape.rank)
    return [x]


def _scan(op_type: str) -> OpDef:
    attrs = {"T": REQUIRED, "Tidx": dtypes.int32, "exclusive": False, "reverse": False}
    return register_op(OpDef(op_type, ("x", "axis"), ("out",), attrs=attrs, shape_fn=_scan_shape))


CUMSUM = _scan("Cumsum")
CUMPROD = _scan("Cumprod")


def _apply_scan(op_def, x, axis, exclusive, reverse, name) -> Tensor:
    graph = graph_of([x, axis])
    with graph.name_scope(name or op_def.name) as scope:
        x = convert_to_tensor(x, graph=graph, name="x")
        axis = convert_to_tensor(axis, graph=graph, name="axis")
    check_dtype("x", x, NUMERIC)
    return apply_op(
        op_def,
        [x, axis],
        scope,
        T=x.dtype.base_dtype,
        Tidx=axis.dtype.base_dtype,
        exclusive=bool(exclusive),
        reverse=bool(reverse),
    ).outputs[0]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sums along ``axis``; ``exclusive`` leaves out the element itself,
    ``reverse`` runs from the end.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = cumsum([1, 2, 3], exclusive=True, reverse=True)
    ...     print(tf.compat.v1.Session().run(c))
    [5 3 0]
    """
    return _apply_scan(CUMSUM, x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running products along ``axis`` (see :func:`cumsum`)."""
    return _apply_scan(CUMPROD, x, axis, exclusive, reverse, name)


def _reduced_dims(shape: TensorShape, axes: TensorSpec, keep_dims: bool) -> TensorShape:
    value = known_value(axes)
    rank = shape.rank
    if value is None or rank is None:
        if keep_dims and rank is not None:
            return TensorShape([None] * rank)
        return TensorShape(None)
    reduced = set()
    for axis in value.reshape(-1).tolist():
        if not -rank <= axis < rank:
            raise ValueError(
                f"Invalid reduction dimension {axis} for input with {rank} dimensions."
            )
        reduced.add(axis % rank)
    dims = shape.as_tuple()
    if keep_dims:
        return TensorShape([1 if i in reduced else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in reduced])


def _reduction_shape(x: TensorSpec, axes: TensorSpec, *, keep_dims, **_attrs):
    with_rank_at_least(axes.shape, 0)
    if axes.shape.rank is not None and axes.shape.rank > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {axes.shape.rank}")
    return [TensorSpec(x.dtype, _reduced_dims(x.shape, axes, keep_dims))]


def _reduction(op_type: str, allowed: tuple) -> OpDef:
    attrs = {"Tidx": dtypes.int32, "keep_dims": False}
    if allowed != BOOL:
        attrs["T"] = REQUIRED
    _ALLOWED[op_type] = allowed
    return register_op(
        OpDef(op_type, ("input", "reduction_indices"), attrs=attrs, shape_fn=_reduction_shape)
    )


SUM = _reduction("Sum", NUMERIC)
MEAN = _reduction("Mean", NUMERIC)
PROD = _reduction("Prod", NUMERIC)
MAX = _reduction("Max", REAL)
MIN = _reduction("Min", REAL)
ALL = _reduction("All", BOOL)
ANY_OP = _reduction("Any", BOOL)


def _reduction_axes(x: Tensor, axis):
    """``axis``, or every axis of ``x`` when it is ``None`` (a Const, or a ``Range``)."""
    if axis is not None:
        return axis
    if x.shape.rank:
        return convert_to_tensor(np.arange(x.shape.rank, dtype=np.int32))
    return range(0, array_ops.rank(x))


def _reduction_builder(op_def: OpDef, builder: str, doc: str):
    """The public builder ``builder(input_tensor, axis=None, keepdims=False, name=None)``."""

    def build(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
        return _reduce(op_def, input_tensor, axis, keepdims, name)

    return _public(build, builder, doc)


def _reduce(op_def: OpDef, input_tensor, axis, keepdims, name) -> Tensor:
    x = convert_to_tensor(input_tensor, name="input_tensor")
    axes = _reduction_axes(x, axis)
    graph = graph_of([x, axes])
    with graph.name_scope(name or op_def.name) as scope:
        axes = convert_to_tensor(axes, graph=graph, name="reduction_indices")
    check_dtype("input", x, _ALLOWED[op_def.name])
    attrs = {"Tidx": axes.dtype.base_dtype, "keep_dims": bool(keepdims)}
    if "T" in op_def.attrs:
        attrs["T"] = x.dtype.base_dtype
    out = apply_op(op_def, [x, axes], scope, **attrs).outputs[0]
    if axis is None and not keepdims and out.shape.rank is None:
        out.set_shape([])  # every axis reduced: a scalar whatever the input's rank
    return out


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The sum over ``axis`` (an int, a list, negative from the end; ``None``: all axes).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[1, 2, 3], [4, 5, 6]])
    ...     s = reduce_sum(x, axis=-1, keepdims=True)
    ...     print(s.shape, tf.compat.v1.Session().run([s, reduce_sum(x)]))
    (2, 1) [array([[ 6],
           [15]], dtype=int32), np.int32(21)]
    """
    return _reduce(SUM, input_tensor, axis, keepdims, name)


reduce_mean = _reduction_builder(
    MEAN, "reduce_mean", "The mean over ``axis`` (integer tensors give the truncated integer mean)."
)
reduce_prod = _reduction_builder(PROD, "reduce_prod", "The product over ``axis``.")
reduce_max = _reduction_builder(MAX, "reduce_max", "The maximum over ``axis``.")
reduce_min = _reduction_builder(MIN, "reduce_min", "The minimum over ``axis``.")
reduce_all = _reduction_builder(ALL, "reduce_all", "Logical and over ``axis`` of a bool tensor.")
reduce_any = _reduction_builder(ANY_OP, "reduce_any", "Logical or over ``axis`` of a bool tensor.")


def _v1_reduction(reduce):
    def reduce_v1(
        input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None
    ):
        axis = deprecated_argument_lookup("axis", axis, "reduction_indices", reduction_indices)
        keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
        return reduce(input_tensor, axis, bool(keepdims), name)

    doc = (
        f"TF1's ``{reduce.__name__}``: also takes ``reduction_indices`` (for ``axis``) and "
        "``keep_dims`` (for ``keepdims``)."
    )
    return _public(reduce_v1, reduce.__name__, doc)


reduce_sum_v1 = _v1_reduction(reduce_sum)
reduce_mean_v1 = _v1_reduction(reduce_mean)
reduce_prod_v1 = _v1_reduction(reduce_prod)
reduce_max_v1 = _v1_reduction(reduce_max)
reduce_min_v1 = _v1_reduction(reduce_min)
reduce_all_v1 = _v1_reduction(reduce_all)
reduce_any_v1 = _v1_reduction(reduce_any)


def _arg_shape(x: TensorSpec, dimension: TensorSpec, *, T, Tidx, output_type):
    with_rank(dimension.shape, 0)
    rank = x.shape.rank
    value = known_value(dimension)
    if rank is None:
        return [TensorSpec(output_type, TensorShape(None))]
    if value is None:
        return [TensorSpec(output_type, TensorShape([None] * (rank - 1) if rank else None))]
    axis = int(value)
    if not -rank <= axis < rank:
        raise ValueError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
    dims = list(x.shape.as_tuple())
    del dims[axis % rank]
    return [TensorSpec(output_type, TensorShape(dims))]


def _arg(op_type: str) -> OpDef:
    attrs = {"T": REQUIRED, "Tidx": dtypes.int32, "output_type": dtypes.int64}
    return register_op(OpDef(op_type, ("input", "dimension"), attrs=attrs, shape_fn=_arg_shape))


ARG_MAX = _arg("ArgMax")
ARG_MIN = _arg("ArgMin")


def _apply_arg(op_def, input, axis, output_type, name) -> Tensor:
    graph = graph_of([input, axis])
    with graph.name_scope(name or op_def.name) as scope:
        x = convert_to_tensor(input, graph=graph, name="input")
        axis = convert_to_tensor(0 if axis is None else axis, graph=graph, name="dimension")
    check_dtype("input", x, REAL)
    output_type = dtypes.as_dtype(output_type)
    if output_type not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"output_type must be int32 or int64, got {output_type.name}")
    return apply_op(
        op_def,
        [x, axis],
        scope,
        T=x.dtype.base_dtype,
        Tidx=axis.dtype.base_dtype,
        output_type=output_type,
    ).outputs[0]


def argmax(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:
    """The index of the largest value along ``axis`` (default 0); the first one on ties.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i = argmax([[1, 9, 9], [7, 0, 2]], axis=1)
    ...     print(i.dtype, tf.compat.v1.Session().run(i))
    <dtype: 'int64'> [1 0]
    """
    return _apply_arg(ARG_MAX, input, axis, output_type, name)


def argmin(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:
    """The index of the smallest value along ``axis`` (default 0)."""
    return _apply_arg(ARG_MIN, input, axis, output_type, name)


def argmax_v1(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:
    """TF1's ``argmax``: ``dimension`` is the old name of ``axis``."""
    return argmax(
        input, deprecated_argument_lookup("axis", axis, "dimension", dimension), output_type, name
    )


def argmin_v1(input, axis=None, name=None, dimension=None, output_type=dtypes.int64) -> Tensor:
    """TF1's ``argmin``: ``dimension`` is the old name of ``axis``."""
    return argmin(
        input, deprecated_argument_lookup("axis", axis, "dimension", dimension), output_type, name
    )


# -- casts, sequences, selection ------------------------------------------------------------


def _cast_shape(x: TensorSpec, *, SrcT, DstT, Truncate) -> list[TensorSpec]:
    return [TensorSpec(DstT, x.shape)]


CAST = register_op(
    OpDef(
        "Cast",
        ("x",),
        ("y",),
        attrs={"SrcT": REQUIRED, "DstT": REQUIRED, "Truncate": False},
        shape_fn=_cast_shape,
    )
)


def cast(x, dtype, name=None) -> Tensor:
    """``x`` converted to ``dtype``; floats to ints truncate toward zero, nonzero -> True.

    A tensor that already has ``dtype`` comes back as is (no op), as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = cast([1.7, -1.7, 0.0], tf.int32)
    ...     print(c.op.type, tf.compat.v1.Session().run(c))
    Cast [ 1 -1  0]
    """
    target = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype.base_dtype == target:
        return x
    graph = graph_of([x])
    with graph.name_scope(name or "Cast") as scope:
        x = convert_to_tensor(x, graph=graph, name="x")
        source = x.dtype.base_dtype
        if source == target:
            return x
        if dtypes.string in (source, target):
            raise TypeError(f"Cast {source.name} to {target.name} is not supported")
        return apply_op(CAST, [x], scope, SrcT=source, DstT=target).outputs[0]


def _to(dtype, default_name: str):
    def convert(x, name=default_name) -> Tensor:
        return cast(x, dtype, name=name)

    name = f"to_{dtype.name.replace('float64', 'double')}"
    return _public(convert, name, f"TF1's shorthand for ``cast(x, tf.{dtype.name})``.")


to_float = _to(dtypes.float32, "ToFloat")
to_double = _to(dtypes.float64, "ToDouble")
to_int32 = _to(dtypes.int32, "ToInt32")
to_int64 = _to(dtypes.int64, "ToInt64")


def _range_shape(start: TensorSpec, limit: TensorSpec, delta: TensorSpec, *, Tidx):
    for spec in (start, limit, delta):
        with_rank(spec.shape, 0)
    values = [known_value(spec) for spec in (start, limit, delta)]
    if any(v is None for v in values):
        return [TensorSpec(Tidx, TensorShape([None]))]
    return [TensorSpec(Tidx, TensorShape([range_size(*values)]))]


RANGE = register_op(
    OpDef(
        "Range",
        ("start", "limit", "delta"),
        attrs={"Tidx": dtypes.int32},
        shape_fn=_range_shape,
    )
)

_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:
    """The sequence ``start, start + delta, ...`` up to but excluding ``limit``.

    ``range(n)`` counts from 0. The dtype is the widest of the arguments' unless given.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = range(1, 2, 0.25)
    ...     print(r.shape, r.dtype, tf.compat.v1.Session().run(r))
    (4,) <dtype: 'float32'> [1.   1.25 1.5  1.75]
    """
    if limit is None:
        start, limit = 0, start
    graph = graph_of([start, limit, delta])
    with graph.name_scope(name or "range") as scope:
        args = [
            convert_to_tensor(value, dtype=dtype, graph=graph, name=arg)
            for value, arg in zip((start, limit, delta), ("start", "limit", "delta"))
        ]
        if dtype is None:
            target = builtins.max((a.dtype.base_dtype for a in args), key=_range_rank)
            args = [cast(a, target) for a in args]
        target = args[0].dtype.base_dtype
        return apply_op(RANGE, args, scope, Tidx=target).outputs[0]


def _range_rank(dtype) -> int:
    if dtype not in _RANGE_DTYPES:
        raise TypeError(f"range does not support {dtype.name}")
    return _RANGE_DTYPES.index(dtype)


def _linspace_shape(start: TensorSpec, stop: TensorSpec, num: TensorSpec, *, T, Tidx):
    for spec in (start, stop, num):
        with_rank(spec.shape, 0)
    value = known_value(num)
    if value is not None and value <= 0:
        raise ValueError(f"Requires num > 0: {int(value)}")
    return [TensorSpec(T, TensorShape([None if value is None else int(value)]))]


LINSPACE = register_op(
    OpDef(
        "LinSpace",
        ("start", "stop", "num"),
        attrs={"T": REQUIRED, "Tidx": dtypes.int32},
        shape_fn=_linspace_shape,
    )
)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (scalars).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(linspace(0.0, 1.0, 5)))
    [0.   0.25 0.5  0.75 1.  ]
    """
    if axis != 0:
        raise ValueError("linspace of scalar start and stop takes axis=0 only.")
    graph = graph_of([start, stop, num])
    with graph.name_scope(name or "LinSpace") as scope:
        start = convert_to_tensor(start, graph=graph, name="start")
        stop = convert_to_tensor(stop, dtype=start.dtype.base_dtype, graph=graph, name="stop")
        num = convert_to_tensor(num, graph=graph, name="num")
    check_dtype("start", start, _FLOAT)
    return apply_op(
        LINSPACE, [start, stop, num], scope, T=start.dtype.base_dtype, Tidx=num.dtype.base_dtype
    ).outputs[0]


lin_space = linspace


def _select_shape(condition: TensorSpec, t: TensorSpec, e: TensorSpec, *, T):
    shape = merge_shapes(t.shape, e.shape)
    cond = condition.shape
    if cond.rank == 1 and shape.rank is not None and shape.rank > 1:
        merge_dim(cond[0], shape[0])  # a vector condition picks whole rows
    elif cond.rank != 0:
        shape = merge_shapes(cond, shape)
    return [TensorSpec(T, shape)]


def _select_v2_shape(condition: TensorSpec, t: TensorSpec, e: TensorSpec, *, T):
    return [TensorSpec(T, broadcast_shapes(condition.shape, broadcast_shapes(t.shape, e.shape)))]


def _where_shape(condition: TensorSpec, *, T):
    rank = condition.shape.rank
    return [TensorSpec(dtypes.int64, TensorShape([None, rank]))]


SELECT = register_op(
    OpDef("Select", ("condition", "t", "e"), attrs={"T": REQUIRED}, shape_fn=_select_shape)
)
SELECT_V2 = register_op(
    OpDef("SelectV2", ("condition", "t", "e"), attrs={"T": REQUIRED}, shape_fn=_select_v2_shape)
)
WHERE = register_op(
    OpDef("Where", ("input",), ("index",), attrs={"T": dtypes.bool}, shape_fn=_where_shape)
)


def _where(select_def: OpDef, condition, x, y, name) -> Tensor:
    if (x is None) != (y is None):
        raise ValueError("x and y must both be non-None or both be None.")
    graph = graph_of([condition, x, y])
    default = "Where" if x is None else select_def.name
    with graph.name_scope(name or default) as scope:
        if x is None:
            condition = convert_to_tensor(
                condition, preferred_dtype=dtypes.bool, graph=graph, name="condition"
            )
            return apply_op(WHERE, [condition], scope, T=condition.dtype.base_dtype).outputs[0]
        condition = convert_to_tensor(condition, dtype=dtypes.bool, graph=graph, name="condition")
        x, y = binary_operands(x, y, graph)
        check_same_dtype(select_def.name, x, y, names=("t", "e"))
        return apply_op(select_def, [condition, x, y], scope, T=x.dtype.base_dtype).outputs[0]


def where(condition, x=None, y=None, name=None) -> Tensor:
    """Elements of ``x`` where ``condition`` is true, else of ``y`` (all three broadcast);
    with ``condition`` alone, the int64 coordinates of its true elements.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant([[True, False], [False, True]])
    ...     picked = where(c, 1.0, tf.zeros([2, 2]))
    ...     print(tf.compat.v1.Session().run([picked, where(c)]))
    [array([[1., 0.],
           [0., 1.]], dtype=float32), array([[0, 0],
           [1, 1]])]
    """
    return _where(SELECT_V2, condition, x, y, name)


def where_v1(condition, x=None, y=None, name=None) -> Tensor:
    """TF1's ``where``: no broadcasting, but a vector ``condition`` may pick rows of ``x``."""
    return _where(SELECT, condition, x, y, name)


# -- gradients ------------------------------------------------------------------------------


def _static_sum_axes(grad_shape: TensorShape, target: TensorShape) -> list | None:
    """Axes to sum a broadcast gradient over to get ``target``; ``None`` if not static."""
    if not (grad_shape.is_fully_defined() and target.is_fully_defined()):
        return None
    lead = grad_shape.rank - target.rank
    return list(builtins_range(lead)) + [
        lead + i for i, d in enumerate(target.as_tuple()) if d == 1 and grad_shape[lead + i] != 1
    ]


def reduce_to_shape(grad: Tensor, like: Tensor) -> Tensor:
    """Sum ``grad``, the gradient of a broadcast result, back to the shape of ``like``.

    Static shapes give the summed axes directly; otherwise a ``BroadcastGradientArgs``
    op finds them when the graph runs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     g = reduce_to_shape(tf.ones([4, 2, 3]), tf.zeros([2, 1]))
    ...     print(g.shape, tf.compat.v1.Session().run(g).ravel())
    (2, 1) [12. 12.]
    """
    axes = _static_sum_axes(grad.shape, like.shape)
    if axes == [] and grad.shape == like.shape:
        return grad
    if axes is not None:
        return array_ops.reshape(reduce_sum(grad, axes), like.shape.as_list())
    target = array_ops.shape(like)
    axes, _ = array_ops.broadcast_gradient_args(target, array_ops.shape(grad))
    return array_ops.reshape(reduce_sum(grad, axes), target)


def reduce_gradient_args(x: Tensor, y: Tensor, gx, gy) -> list:
    """The gradients ``gx``, ``gy`` of a broadcasting binary op, summed to ``x``'s and
    ``y``'s shapes (``None`` stays ``None``)."""
    return [
        None if gx is None else reduce_to_shape(gx, x),
        None if gy is None else reduce_to_shape(gy, y),
    ]


@register_gradient("AddV2")
def _add_grad(op, grad):
    return reduce_gradient_args(*op.inputs, grad, grad)


@register_gradient("Sub")
def _sub_grad(op, grad):
    return reduce_gradient_args(*op.inputs, grad, negative(grad))


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return reduce_gradient_args(x, y, multiply(grad, y), multiply(x, grad))


@register_gradient("RealDiv")
def _real_div_grad(op, grad):
    x, y = op.inputs
    gy = multiply(grad, realdiv(realdiv(negative(x), y), y))
    return reduce_gradient_args(x, y, realdiv(grad, y), gy)


@register_gradient("FloorMod")
def _floor_mod_grad(op, grad):
    x, y = op.inputs
    return reduce_gradient_args(x, y, grad, multiply(grad, negative(floordiv(x, y))))


@register_gradient("Pow")
def _pow_grad(op, grad):
    x, y = op.inputs
    z = op.outputs[0]
    gx = multiply(grad, multiply(y, pow(x, subtract(y, array_ops.ones_like(y)))))
    # d/dy x**y = x**y log(x), taken as 0 where x <= 0 (as TF does).
    safe_log = where(greater(x, 0), log(where(greater(x, 0), x, array_ops.ones_like(x))), 0)
    gy = multiply(grad, multiply(z, safe_log))
    return reduce_gradient_args(x, y, gx, gy)


def _select_grad(mask_fn):
    def grad_fn(op, grad):
        x, y = op.inputs
        zeros = array_ops.zeros_like(grad)
        mask = mask_fn(x, y)
        return reduce_gradient_args(x, y, where(mask, grad, zeros), where(mask, zeros, grad))

    return grad_fn


register_gradient("Maximum")(_select_grad(greater_equal))
register_gradient("Minimum")(_select_grad(less_equal))


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    x_grad = multiply(multiply(grad, 2.0 if grad.dtype.is_floating else 2), subtract(x, y))
    return reduce_gradient_args(x, y, x_grad, negative(x_grad))


def _unary_grad(op_type: str):
    """Register ``fn(x, y, grad) -> input grad`` as ``op_type``'s gradient."""

    def register(fn):
        register_gradient(op_type)(lambda op, grad: [fn(op.inputs[0], op.outputs[0], grad)])
        return fn

    return register


def _half(like: Tensor):
    return convert_to_tensor(0.5, dtype=like.dtype.base_dtype)


_unary_grad("Neg")(lambda x, y, g: negative(g))
_unary_grad("Abs")(lambda x, y, g: multiply(g, sign(x)))
_unary_grad("Sign")(lambda x, y, g: array_ops.zeros_like(x))
_unary_grad("Square")(lambda x, y, g: multiply(g, multiply(x, 2.0)))
_unary_grad("Sqrt")(lambda x, y, g: realdiv(multiply(g, _half(g)), y))
_unary_grad("Rsqrt")(lambda x, y, g: multiply(g, multiply(negative(_half(g)), pow(y, 3.0))))
_unary_grad("Exp")(lambda x, y, g: multiply(g, y))
_unary_grad("Log")(lambda x, y, g: multiply(g, reciprocal(x)))
_unary_grad("Log1p")(lambda x, y, g: multiply(g, reciprocal(add(x, 1.0))))
_unary_grad("Sin")(lambda x, y, g: multiply(g, cos(x)))
_unary_grad("Cos")(lambda x, y, g: negative(multiply(g, sin(x))))
_unary_grad("Tanh")(lambda x, y, g: multiply(g, subtract(1.0, square(y))))
_unary_grad("Sigmoid")(lambda x, y, g: multiply(g, multiply(y, subtract(1.0, y))))
_unary_grad("Reciprocal")(lambda x, y, g: negative(multiply(g, square(y))))
_unary_grad("Conj")(lambda x, y, g: conj(g))
for _op_type in ("Round", "Floor", "Ceil"):
    register_gradient(_op_type)(lambda op, grad: [None])


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:
        return [matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)]
    if not ta:
        return [matmul(grad, b), matmul(grad, a, transpose_a=True)]
    if not tb:
        return [matmul(b, grad, transpose_b=True), matmul(a, grad)]
    return [
        matmul(b, grad, transpose_a=True, transpose_b=True),
        matmul(grad, a, transpose_a=True, transpose_b=True),
    ]


@register_gradient("BatchMatMulV2")
def _batch_matmul_grad(op, grad):
    x, y = op.inputs
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    if not adj_x and not adj_y:
        gx, gy = matmul(grad, y, adjoint_b=True), matmul(x, grad, adjoint_a=True)
    elif not adj_x:
        gx, gy = matmul(grad, y), matmul(grad, x, adjoint_a=True)
    elif not adj_y:
        gx, gy = matmul(y, grad, adjoint_b=True), matmul(x, grad)
    else:
        gx = matmul(y, grad, adjoint_a=True, adjoint_b=True)
        gy = matmul(grad, x, adjoint_a=True, adjoint_b=True)
    return reduce_gradient_args(x, y, gx, gy)


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    return [cumsum(grad, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


@register_gradient("Cumprod")
def _cumprod_grad(op, grad):
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    product = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    summed = cumsum(multiply(product, grad), axis, exclusive=exclusive, reverse=not reverse)
    return [realdiv(summed, x), None]


def reduced_shape(input_shape: Tensor, axes: Tensor) -> Tensor:
    """The shape ``input_shape`` has after reducing ``axes`` with ``keepdims=True``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = reduced_shape(tf.constant([2, 3, 5]), tf.constant([0, -1]))
    ...     print(tf.compat.v1.Session().run(s))
    [1 3 1]
    """
    rank = array_ops.size(input_shape)
    axes = floormod(add(array_ops.reshape(cast(axes, dtypes.int32), [1, -1]), rank), rank)
    positions = array_ops.expand_dims(range(rank), 1)
    reduced = reduce_any(equal(positions, axes), axis=1)
    return where(reduced, array_ops.ones_like(input_shape), input_shape)


def _keep_reduced_dims(value: Tensor, x: Tensor, axes: Tensor) -> Tensor:
    """``value``, a reduction's result over ``x``, reshaped to its ``keepdims=True`` shape."""
    reduced = constant_value(axes)
    rank = x.shape.rank
    if reduced is None or rank is None:
        return array_ops.reshape(value, reduced_shape(array_ops.shape(x), axes))
    reduced = sorted({int(a) % rank for a in reduced.reshape(-1)}) if rank else []
    if x.shape.is_fully_defined():
        kept = [1 if i in reduced else d for i, d in enumerate(x.shape.as_tuple())]
        return array_ops.reshape(value, kept)
    for axis in reduced:
        value = array_ops.expand_dims(value, axis)
    return value


def _grad_to_input(op, grad) -> Tensor:
    """The gradient of a reduction's output broadcast back over its input's shape."""
    x, axes = op.inputs
    if not op.get_attr("keep_dims"):
        grad = _keep_reduced_dims(grad, x, axes)
    return array_ops.broadcast_to(grad, array_ops.shape(x))


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [_grad_to_input(op, grad), None]


@register_gradient("Mean")
def _mean_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    count_in, count_out = x.shape.num_elements(), y.shape.num_elements()
    if count_in is not None and count_out is not None:
        factor = convert_to_tensor(count_in // builtins.max(count_out, 1), dtype=grad.dtype)
    else:
        counts = floordiv(array_ops.size(x), maximum(array_ops.size(y), 1))
        factor = cast(counts, grad.dtype)
    return [realdiv(_grad_to_input(op, grad), factor), None]


def _extremum_grad(op, grad):
    x, axes = op.inputs
    y = op.outputs[0]
    if not op.get_attr("keep_dims"):
        y, grad = _keep_reduced_dims(y, x, axes), _keep_reduced_dims(grad, x, axes)
    indicators = cast(equal(y, x), grad.dtype)
    count = reduce_sum(indicators, axes, keepdims=True)
    return [multiply(realdiv(indicators, count), grad), None]


register_gradient("Max")(_extremum_grad)
register_gradient("Min")(_extremum_grad)


@register_gradient("Prod")
def _prod_grad(op, grad):
    # The product of all the other elements, from exclusive cumulative products on
    # both sides (exact when some elements are zero), as TF computes it.
    x, axes = op.inputs
    value = constant_value(axes)
    if x.shape.rank is None or value is None:
        raise LookupError("The gradient of Prod needs an input of known rank and constant axes.")
    rank = x.shape.rank
    reduced = sorted({int(a) % rank for a in value.reshape(-1)}) if rank else []
    others = [i for i in builtins_range(rank) if i not in reduced]
    perm = reduced + others
    shape = array_ops.shape(x)
    reduced_num = reduce_prod(array_ops.gather(shape, reduced))
    moved = array_ops.transpose(x, perm)
    flat = array_ops.reshape(moved, array_ops.stack([reduced_num, -1]))
    left = cumprod(flat, axis=0, exclusive=True)
    right = cumprod(flat, axis=0, exclusive=True, reverse=True)
    others_product = array_ops.reshape(multiply(left, right), array_ops.shape(moved))
    unmoved = array_ops.transpose(others_product, np.argsort(perm).astype(np.int32))
    return [multiply(_grad_to_input(op, grad), unmoved), None]


def _select_op_grad(op, grad):
    condition = op.inputs[0]
    zeros = array_ops.zeros_like(grad)
    gx, gy = where_v1(condition, grad, zeros), where_v1(condition, zeros, grad)
    return [None, gx, gy]


def _select_v2_op_grad(op, grad):
    condition, x, y = op.inputs
    zeros = array_ops.zeros_like(grad)
    gx, gy = where(condition, grad, zeros), where(condition, zeros, grad)
    return [None, *reduce_gradient_args(x, y, gx, gy)]


register_gradient("Select")(_select_op_grad)
register_gradient("SelectV2")(_select_v2_op_grad)


@register_gradient("Cast")
def _cast_grad(op, grad):
    source, target = op.get_attr("SrcT"), op.get_attr("DstT")
    differentiable = (source.is_floating or source.is_complex) and (
        target.is_floating or target.is_complex
    )
    return [cast(grad, source) if differentiable else None]


for _op_type in (
    "FloorDiv",
    "Equal",
    "NotEqual",
    "Less",
    "LessEqual",
    "Greater",
    "GreaterEqual",
    "LogicalAnd",
    "LogicalOr",
    "LogicalNot",
    "ArgMax",
    "ArgMin",
    "All",
    "Any",
    "Range",
    "LinSpace",
    "Where",
):
    not_differentiable(_op_type)


def _segment_sum_shape(
    data: TensorSpec,
    segment_ids: TensorSpec,
    num_segments: TensorSpec,
    *,
    T,
    Tindices,
    Tnumsegments,
):
    with_rank(num_segments.shape, 0)
    count = known_value(num_segments)
    if data.shape.rank is None or segment_ids.shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    ids = segment_ids.shape.as_tuple()
    for a, b in zip(data.shape.as_tuple(), ids):
        merge_dim(a, b)
    tail = data.shape.as_tuple()[len(ids) :]
    return [TensorSpec(T, TensorShape([None if count is None else int(count), *tail]))]


UNSORTED_SEGMENT_SUM = register_op(
    OpDef(
        "UnsortedSegmentSum",
        ("data", "segment_ids", "num_segments"),
        attrs={"T": REQUIRED, "Tindices": REQUIRED, "Tnumsegments": dtypes.int32},
        shape_fn=_segment_sum_shape,
    )
)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums of the rows of ``data`` that share a segment id (negative ids are dropped).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = unsorted_segment_sum([1, 2, 3, 4], [0, 2, 0, -1], 3)
    ...     print(tf.compat.v1.Session().run(s))
    [4 0 2]
    """
    graph = graph_of([data, segment_ids, num_segments])
    with graph.name_scope(name or "UnsortedSegmentSum") as scope:
        data = convert_to_tensor(data, graph=graph, name="data")
        segment_ids = convert_to_tensor(segment_ids, graph=graph, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, graph=graph, name="num_segments")
    return apply_op(
        UNSORTED_SEGMENT_SUM,
        [data, segment_ids, num_segments],
        scope,
        T=data.dtype.base_dtype,
        Tindices=segment_ids.dtype.base_dtype,
        Tnumsegments=num_segments.dtype.base_dtype,
    ).outputs[0]


@register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    ids = op.inputs[1]
    safe_ids = maximum(ids, 0)  # dropped (negative) ids get a zero gradient
    kept = cast(greater_equal(ids, 0), grad.dtype)
    picked = array_ops.gather(grad, safe_ids)
    extra = (
        picked.shape.rank - kept.shape.rank
        if picked.shape.rank is not None and kept.shape.rank is not None
        else 0
    )
    for _ in builtins_range(extra):
        kept = array_ops.expand_dims(kept, -1)
    return [multiply(picked, kept), None, None]
