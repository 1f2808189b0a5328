"""Math ops: elementwise arithmetic and functions, comparisons, reductions, scans, matrix
products, casts, sequences and selection.

Each op has its typed ``OpDef`` (TF's declaration: the types it takes are checked by
:mod:`runtime.op_binding`, with TF's messages) and a builder with TF's name and
signature. Binary ops broadcast as numpy does; their gradients (in
:mod:`runtime.ops.math_grad`, registered when this module loads) sum back to each
input's shape with :func:`reduce_gradient_args`. Kernels: :mod:`runtime.kernels.math`
and :mod:`runtime.kernels.special`.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..kernels.math import range_size
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops
from .constant_value import known_value
from .core import (
    apply_op,
    apply_op_to_tensors,
    convert_to_tensor,
    deprecated_argument_lookup,
    unchanged,
)
from .shape_util import canonical_axis, merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "betainc",
    "igammac",
    "igamma",
    "cumulative_logsumexp",
    "bessel_i1e",
    "bessel_i1",
    "bessel_i0e",
    "bessel_i0",
    "erfcinv",
    "ndtri",
    "erfinv",
    "nextafter",
    "xlog1py",
    "abs",
    "accumulate_n",
    "acos",
    "acosh",
    "add",
    "add_n",
    "angle",
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cast",
    "ceil",
    "complex",
    "conj",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "digamma",
    "div",
    "divide",
    "divide_no_nan",
    "equal",
    "erf",
    "erfc",
    "exp",
    "expm1",
    "floor",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "imag",
    "is_finite",
    "is_inf",
    "is_nan",
    "less",
    "less_equal",
    "lgamma",
    "lin_space",
    "linspace",
    "log",
    "log1p",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "maximum",
    "minimum",
    "multiply",
    "multiply_no_nan",
    "negative",
    "not_equal",
    "polygamma",
    "polyval",
    "pow",
    "range",
    "real",
    "realdiv",
    "reciprocal",
    "reciprocal_no_nan",
    "reduce_all",
    "reduce_any",
    "reduce_euclidean_norm",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_sum",
    "reduce_variance",
    "rint",
    "round",
    "rsqrt",
    "scalar_mul",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tan",
    "tanh",
    "tensordot",
    "to_double",
    "to_float",
    "to_int32",
    "to_int64",
    "truediv",
    "truncatediv",
    "truncatemod",
    "unsorted_segment_sum",
    "where",
    "xdivy",
    "xlogy",
    "zeta",
]

builtins_range = builtins.range  # this module defines its own ``range`` (and abs, pow, round)

# -- TF's declarations ------------------------------------------------------------------
# Allowed types as TF's registry lists them (its messages list them in this order).

_ARITHMETIC = (
    "{bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, uint32, uint64, "
    "int64, complex64, complex128}"
)
_FLOAT_COMPLEX = "{bfloat16, float16, float32, float64, complex64, complex128}"
_FLOAT = "{bfloat16, float16, float32, float64}"
_SIGNED = "{bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, complex128}"
_MIN_MAX = (
    "{bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, "
    "uint64}"
)
_COMPLEX_PART = ("T: {complex64, complex128} = DT_COMPLEX64", "Tout: {float32, float64} = DT_FLOAT")


def _broadcast(out: str):
    """Shape function of a broadcasting binary op whose output type is ``out``."""

    def shape_fn(x: TensorSpec, y: TensorSpec, **attrs) -> list[TensorSpec]:
        dtype = dtypes.bool if out == "bool" else attrs[out]
        return [TensorSpec(dtype, broadcast_shapes(x.shape, y.shape))]

    return shape_fn


def _binary(op_type: str, types, args=("x", "y"), out="T", extra=()) -> OpDef:
    """A broadcasting binary op: ``args`` of type ``T`` in ``types``, output of ``out``."""
    attrs = (*([f"T: {types}"] if types else []), *extra)
    inputs = tuple(f"{arg}: {'bool' if types is None else 'T'}" for arg in args)
    output = "bool" if out == "bool" else out
    shape_fn = _broadcast(out)
    return register_op(OpDef(op_type, inputs, (f"z: {output}",), attrs, shape_fn=shape_fn))


ADD = _binary(
    "AddV2",
    "{bfloat16, float16, float32, float64, uint8, uint16, uint32, uint64, int8, int16, int32, "
    "int64, complex64, complex128}",
)
# TF1's add, in graphs TF 1.x made, and TF's op for adding strings (AddV2 takes none).
ADD_STRINGS = _binary(
    "Add",
    "{bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, "
    "complex128, string}",
)
SUB = _binary(
    "Sub",
    "{bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, "
    "complex128, uint32, uint64}",
)
MUL = _binary("Mul", _ARITHMETIC)
REAL_DIV = _binary("RealDiv", _ARITHMETIC)
FLOOR_DIV = _binary("FloorDiv", _ARITHMETIC)
TRUNCATE_DIV = _binary("TruncateDiv", _ARITHMETIC)
FLOOR_MOD = _binary(
    "FloorMod",
    "{int8, int16, int32, int64, uint8, uint16, uint32, uint64, bfloat16, float16, float32, "
    "float64}",
)
TRUNCATE_MOD = _binary("TruncateMod", "{int32, int64, bfloat16, float16, float32, float64}")
POW = _binary(
    "Pow", "{bfloat16, float32, float16, float64, int8, int16, int32, int64, complex64, complex128}"
)
MAXIMUM = _binary("Maximum", _MIN_MAX)
MINIMUM = _binary("Minimum", _MIN_MAX)
SQUARED_DIFFERENCE = _binary(
    "SquaredDifference",
    "{bfloat16, float16, float32, float64, int32, int64, complex64, complex128}",
)
XLOGY = _binary("Xlogy", "{float16, bfloat16, float32, float64, complex64, complex128}")
XDIVY = _binary("Xdivy", "{float16, bfloat16, float32, float64, complex64, complex128}")
XLOG1PY = _binary("Xlog1py", "{float16, bfloat16, float32, float64, complex64, complex128}")
DIV_NO_NAN = _binary("DivNoNan", "{float16, float32, bfloat16, float64, complex64, complex128}")
MUL_NO_NAN = _binary("MulNoNan", "{bfloat16, float16, float32, float64, complex64, complex128}")
ATAN2 = _binary("Atan2", _FLOAT, args=("y", "x"))
ZETA = _binary("Zeta", "{float32, float64}", args=("x", "q"))
IGAMMA = _binary("Igamma", _FLOAT, args=("a", "x"))
IGAMMAC = _binary("Igammac", _FLOAT, args=("a", "x"))
IGAMMA_GRAD_A = _binary("IgammaGradA", "{float32, float64}", args=("a", "x"))


def _betainc_shape(a: TensorSpec, b: TensorSpec, x: TensorSpec, *, T) -> list[TensorSpec]:
    shape = TensorShape(None)
    for spec in (a, b, x):
        if spec.shape.rank != 0:  # scalars stand for any shape, others must agree
            shape = merge_shapes(shape, spec.shape)
    if all(spec.shape.rank == 0 for spec in (a, b, x)):
        shape = TensorShape([])
    return [TensorSpec(T, shape)]


BETAINC = register_op(
    OpDef(
        "Betainc",
        ("a: T", "b: T", "x: T"),
        ("z: T",),
        ("T: {float32, float64}",),
        shape_fn=_betainc_shape,
    )
)
POLYGAMMA = _binary("Polygamma", "{float32, float64}", args=("a", "x"))
NEXT_AFTER = register_op(
    OpDef(
        "NextAfter",
        ("x1: T", "x2: T"),
        ("output: T",),
        ("T: {float64, float32} = DT_FLOAT",),
        shape_fn=_broadcast("T"),
    )
)
EQUAL = _binary("Equal", "type", out="bool", extra=("incompatible_shape_error: bool = true",))
NOT_EQUAL = _binary(
    "NotEqual", "type", out="bool", extra=("incompatible_shape_error: bool = true",)
)
LESS = _binary("Less", "realnumbertype", out="bool")
LESS_EQUAL = _binary("LessEqual", "realnumbertype", out="bool")
GREATER = _binary("Greater", "realnumbertype", out="bool")
GREATER_EQUAL = _binary("GreaterEqual", "realnumbertype", out="bool")
LOGICAL_AND = _binary("LogicalAnd", None, out="bool")
LOGICAL_OR = _binary("LogicalOr", None, out="bool")
COMPLEX = register_op(
    OpDef(
        "Complex",
        ("real: T", "imag: T"),
        ("out: Tout",),
        ("T: {float32, float64} = DT_FLOAT", "Tout: {complex64, complex128} = DT_COMPLEX64"),
        shape_fn=_broadcast("Tout"),
    )
)


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


def _binary_builder(op_def: OpDef, builder: str, doc: str):
    """The public builder ``builder(x, y, name=None)`` of ``op_def``, named after its type."""

    def build(x, y, name=None) -> Tensor:
        return _apply_binary(op_def, x, y, name or op_def.name)

    return _public(build, builder, doc)


def _apply_binary(op_def: OpDef, x, y, name) -> Tensor:
    graph = graph_of((x, y))
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        scope = name  # nothing to convert: no scope to open (the op's name is made unique)
    else:
        # Python operands become Consts inside the op's scope ("mul/y"), as in TF.
        with graph.name_scope(name) as scope:
            x, y = binary_operands(x, y, graph)
    if op_def is ADD and x.dtype == dtypes.string:  # as TF's add: strings concatenate
        op_def = ADD_STRINGS
    # x and y are tensors now: skip apply_op's flattening and conversion checks.
    return apply_op_to_tensors(op_def, [x, y], scope, graph, {}).outputs[0]


def add(x, y, name=None) -> Tensor:
    """``x + y`` elementwise, with broadcasting (op type ``AddV2``; ``Add`` for strings,
    which it concatenates, as TF).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = add(tf.constant([1.0, 2.0]), 1.0)
    >>> z.op.type, z.op.name, z.shape, z.op.inputs[1].op.name
    ('AddV2', 'Add', TensorShape([Dimension(2)]), 'Add/y')
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


def truediv_dtype(dtype):
    """The floating type integers of ``dtype`` divide in with ``/`` (``None``: as they are).

    Examples
    --------
    >>> import runtime as tf
    >>> truediv_dtype(tf.int32), truediv_dtype(tf.int8), truediv_dtype(tf.float16)
    (tf.float64, tf.float32, None)
    """
    return _TRUEDIV_FLOAT.get(dtype)


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
        target = truediv_dtype(x.dtype.base_dtype)
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


def truncatediv(x, y, name=None) -> Tensor:
    """``x / y`` rounded toward zero, as C does (op type ``TruncateDiv``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(truncatediv(tf.constant([7, -7]), 2)))
    [ 3 -3]
    """
    return _apply_binary(TRUNCATE_DIV, x, y, name or "TruncateDiv")


floormod = _binary_builder(
    FLOOR_MOD,
    "floormod",
    "``x % y`` with the sign of ``y``, as Python's ``%`` (op type ``FloorMod``).",
)
truncatemod = _binary_builder(
    TRUNCATE_MOD, "truncatemod", "The remainder of :func:`truncatediv`, with the sign of ``x``."
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
xlogy = _binary_builder(XLOGY, "xlogy", "``x * log(y)``, and 0 where ``x`` is 0.")
xdivy = _binary_builder(XDIVY, "xdivy", "``x / y``, and 0 where ``x`` is 0.")
xlog1py = _binary_builder(XLOG1PY, "xlog1py", "``x * log1p(y)``, and 0 where ``x`` is 0.")


def nextafter(x1, x2, name=None) -> Tensor:
    """The next representable value after ``x1`` in the direction of ``x2``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = nextafter(tf.constant(1.0, tf.float64), 2.0)
    ...     print(tf.compat.v1.Session().run(n) - 1.0 == np.finfo(np.float64).eps)
    True
    """
    return _apply_binary(NEXT_AFTER, x1, x2, name or "NextAfter")


def divide_no_nan(x, y, name=None) -> Tensor:
    """``x / y``, and 0 where ``y`` is 0 (op type ``DivNoNan``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = divide_no_nan(tf.constant([3.0, 1.0]), [2.0, 0.0])
    ...     print(tf.compat.v1.Session().run(q))
    [1.5 0. ]
    """
    return _apply_binary(DIV_NO_NAN, x, y, name or "div_no_nan")


def multiply_no_nan(x, y, name=None) -> Tensor:
    """``x * y``, and 0 where ``y`` is 0 even if ``x`` is inf or NaN (op type ``MulNoNan``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = multiply_no_nan(tf.constant([np.inf, 2.0]), [0.0, 3.0])
    ...     print(tf.compat.v1.Session().run(p))
    [0. 6.]
    """
    return _apply_binary(MUL_NO_NAN, x, y, name or "MulNoNan")


def reciprocal_no_nan(x, name=None) -> Tensor:
    """``1 / x``, and 0 where ``x`` is 0.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(reciprocal_no_nan([2.0, 0.0])))
    [0.5 0. ]
    """
    with name_scope(name, "reciprocal_no_nan", [x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        one = convert_to_tensor(1, dtype=x.dtype.base_dtype, name="one")
        return divide_no_nan(one, x, name=scope)


def atan2(y, x, name=None) -> Tensor:
    """The angle of the point ``(x, y)`` in ``[-pi, pi]`` (op type ``Atan2``)."""
    return _apply_binary(ATAN2, y, x, name or "Atan2")


def zeta(x, q, name=None) -> Tensor:
    """The Hurwitz zeta function ``sum_n (n + q) ** -x`` (op type ``Zeta``)."""
    return _apply_binary(ZETA, x, q, name or "Zeta")


def igamma(a, x, name=None) -> Tensor:
    """The regularized lower incomplete gamma function ``P(a, x)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = igamma(tf.constant(1.0, tf.float64), tf.constant(1.0, tf.float64))
    ...     print(tf.compat.v1.Session().run(p).round(6))  # 1 - exp(-1)
    0.632121
    """
    return _apply_binary(IGAMMA, a, x, name or "Igamma")


def igammac(a, x, name=None) -> Tensor:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``."""
    return _apply_binary(IGAMMAC, a, x, name or "Igammac")


def betainc(a, b, x, name=None) -> Tensor:
    """The regularized incomplete beta function ``I_x(a, b)`` (``a``, ``b`` and ``x`` of
    one shape, or scalars).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i = betainc(2.0, 2.0, 0.5)
    ...     print(tf.compat.v1.Session().run(i))
    0.5
    """
    return apply_op(BETAINC, [a, b, x], name or "Betainc").outputs[0]


def polygamma(a, x, name=None) -> Tensor:
    """The ``a``-th derivative of :func:`digamma` (``a`` a whole number, as a float).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = polygamma(tf.constant(1.0, tf.float64), tf.constant(1.0, tf.float64))
    ...     print(tf.compat.v1.Session().run(p).round(6))  # pi**2 / 6
    1.644934
    """
    return _apply_binary(POLYGAMMA, a, x, name or "Polygamma")


equal = _binary_builder(EQUAL, "equal", "``x == y`` elementwise (a bool tensor).")
not_equal = _binary_builder(NOT_EQUAL, "not_equal", "``x != y`` elementwise (a bool tensor).")
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


def complex(real, imag, name=None) -> Tensor:
    """The complex tensor ``real + imag * 1j``: complex64 from float32, complex128 from
    float64 (op type ``Complex``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = complex(tf.constant([1.0]), tf.constant([2.0]))
    ...     print(z.dtype, tf.compat.v1.Session().run(z))
    <dtype: 'complex64'> [1.+2.j]
    """
    graph = graph_of([real, imag])
    with graph.name_scope(name or "Complex") as scope:
        real = convert_to_tensor(real, graph=graph, name="real")
        imag = convert_to_tensor(imag, graph=graph, name="imag")
        out = dtypes.complex128 if real.dtype.base_dtype == dtypes.float64 else dtypes.complex64
        return apply_op(COMPLEX, [real, imag], scope, Tout=out).outputs[0]


# -- elementwise unary ops --------------------------------------------------------------


def _unary(op_type: str, types: str, out: str = "T", extra=()) -> OpDef:
    """A unary op ``x: T -> y: out``."""
    if out == "T":
        shape_fn = unchanged
    else:

        def shape_fn(x: TensorSpec, **attrs) -> list[TensorSpec]:
            return [TensorSpec(dtypes.bool if out == "bool" else attrs[out], x.shape)]

    attrs = (f"T: {types}", *extra)
    return register_op(OpDef(op_type, ("x: T",), (f"y: {out}",), attrs, shape_fn=shape_fn))


NEG = _unary("Neg", _SIGNED)
ABS = _unary("Abs", "{bfloat16, float16, float32, float64, int8, int16, int32, int64}")
SIGN = _unary("Sign", _SIGNED)
SQUARE = _unary(
    "Square",
    "{bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, "
    "uint64, complex64, complex128}",
)
ROUND = _unary("Round", _SIGNED)
RECIPROCAL = _unary("Reciprocal", _SIGNED)
FLOOR = _unary("Floor", _FLOAT)
CEIL = _unary("Ceil", _FLOAT)
RINT = _unary("Rint", _FLOAT)
ERF = _unary("Erf", _FLOAT)
ERFC = _unary("Erfc", _FLOAT)
LGAMMA = _unary("Lgamma", _FLOAT)
DIGAMMA = _unary("Digamma", _FLOAT)
ERFINV = _unary("Erfinv", _FLOAT)
NDTRI = _unary("Ndtri", _FLOAT)
BESSEL_I0 = _unary("BesselI0", _FLOAT)
BESSEL_I0E = _unary("BesselI0e", _FLOAT)
BESSEL_I1 = _unary("BesselI1", _FLOAT)
BESSEL_I1E = _unary("BesselI1e", _FLOAT)
IS_NAN = _unary("IsNan", _FLOAT, out="bool")
IS_INF = _unary("IsInf", _FLOAT, out="bool")
IS_FINITE = _unary("IsFinite", _FLOAT, out="bool")
SQRT = _unary("Sqrt", _FLOAT_COMPLEX)
RSQRT = _unary("Rsqrt", _FLOAT_COMPLEX)
EXP = _unary("Exp", _FLOAT_COMPLEX)
EXPM1 = _unary("Expm1", _FLOAT_COMPLEX)
LOG = _unary("Log", _FLOAT_COMPLEX)
LOG1P = _unary("Log1p", _FLOAT_COMPLEX)
SIN = _unary("Sin", _FLOAT_COMPLEX)
COS = _unary("Cos", _FLOAT_COMPLEX)
TAN = _unary("Tan", _FLOAT_COMPLEX)
ASIN = _unary("Asin", _FLOAT_COMPLEX)
ACOS = _unary("Acos", _FLOAT_COMPLEX)
ATAN = _unary("Atan", _FLOAT_COMPLEX)
SINH = _unary("Sinh", _FLOAT_COMPLEX)
COSH = _unary("Cosh", _FLOAT_COMPLEX)
TANH = _unary("Tanh", _FLOAT_COMPLEX)
ASINH = _unary("Asinh", _FLOAT_COMPLEX)
ACOSH = _unary("Acosh", _FLOAT_COMPLEX)
ATANH = _unary("Atanh", _FLOAT_COMPLEX)
SIGMOID = _unary("Sigmoid", _FLOAT_COMPLEX)
LOGICAL_NOT = register_op(OpDef("LogicalNot", ("x: bool",), ("y: bool",), (), shape_fn=unchanged))
COMPLEX_ABS = _unary(
    "ComplexAbs",
    "{complex64, complex128} = DT_COMPLEX64",
    "Tout",
    ("Tout: {float32, float64} = DT_FLOAT",),
)


def _complex_part(op_type: str) -> OpDef:
    def shape_fn(input: TensorSpec, *, T, Tout) -> list[TensorSpec]:
        return [TensorSpec(Tout, input.shape)]

    return register_op(
        OpDef(op_type, ("input: T",), ("output: Tout",), _COMPLEX_PART, shape_fn=shape_fn)
    )


REAL = _complex_part("Real")
IMAG = _complex_part("Imag")
ANGLE = _complex_part("Angle")
CONJ = register_op(
    OpDef(
        "Conj",
        ("input: T",),
        ("output: T",),
        ("T: {complex64, complex128, variant} = DT_COMPLEX64",),
        shape_fn=unchanged,
    )
)


def _gradient_shape(y: TensorSpec, dy: TensorSpec, *, T) -> list[TensorSpec]:
    return [TensorSpec(T, merge_shapes(y.shape, dy.shape))]


def _gradient_op(op_type: str) -> OpDef:
    """TF's op for the gradient of a unary op, from its output ``y`` and gradient ``dy``."""
    return register_op(
        OpDef(
            op_type,
            ("y: T", "dy: T"),
            ("z: T",),
            (f"T: {_FLOAT_COMPLEX}",),
            shape_fn=_gradient_shape,
        )
    )


TANH_GRAD = _gradient_op("TanhGrad")
SIGMOID_GRAD = _gradient_op("SigmoidGrad")
SQRT_GRAD = _gradient_op("SqrtGrad")
RSQRT_GRAD = _gradient_op("RsqrtGrad")
RECIPROCAL_GRAD = _gradient_op("ReciprocalGrad")


def unary_gradient(op_def: OpDef, y: Tensor, dy: Tensor) -> Tensor:
    """``op_def`` (``TanhGrad`` ...) of ``y`` and ``dy``: a gradient function's op."""
    return apply_op(op_def, [y, dy], op_def.name).outputs[0]


def _unary_builder(op_def: OpDef, builder: str, doc: str):
    """The public builder ``builder(x, name=None)`` of ``op_def``."""

    def build(x, name=None) -> Tensor:
        return _apply_unary(op_def, x, name)

    return _public(build, builder, doc)


def _apply_unary(op_def: OpDef, x, name, **attrs) -> Tensor:
    # A Python value becomes a Const named after the input, inside the op's scope.
    return apply_op(op_def, [x], name or op_def.name, **attrs).outputs[0]


negative = _unary_builder(NEG, "negative", "``-x`` elementwise (op type ``Neg``).")
sign = _unary_builder(SIGN, "sign", "-1, 0 or 1 by the sign of each element.")
square = _unary_builder(SQUARE, "square", "``x * x`` elementwise.")


def abs(x, name=None) -> Tensor:
    """``|x|`` elementwise; for a complex tensor its modulus, a real tensor (op type
    ``ComplexAbs``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     m = abs(tf.constant([3 + 4j], tf.complex64))
    ...     print(m.op.type, m.dtype, tf.compat.v1.Session().run(m))
    ComplexAbs <dtype: 'float32'> [5.]
    """
    with name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if x.dtype.base_dtype.is_complex:
            return _apply_unary(COMPLEX_ABS, x, scope, Tout=x.dtype.base_dtype.real_dtype)
        return _apply_unary(ABS, x, scope)


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
expm1 = _unary_builder(EXPM1, "expm1", "``exp(x) - 1`` elementwise, accurate for small ``x``.")
log = _unary_builder(LOG, "log", "The natural logarithm, elementwise.")
log1p = _unary_builder(LOG1P, "log1p", "``log(1 + x)`` elementwise, accurate for small ``x``.")
sin = _unary_builder(SIN, "sin", "The sine, elementwise.")
cos = _unary_builder(COS, "cos", "The cosine, elementwise.")
tan = _unary_builder(TAN, "tan", "The tangent, elementwise.")
asin = _unary_builder(ASIN, "asin", "The inverse sine, elementwise.")
acos = _unary_builder(ACOS, "acos", "The inverse cosine, elementwise.")
atan = _unary_builder(ATAN, "atan", "The inverse tangent, elementwise.")
sinh = _unary_builder(SINH, "sinh", "The hyperbolic sine, elementwise.")
cosh = _unary_builder(COSH, "cosh", "The hyperbolic cosine, elementwise.")
tanh = _unary_builder(TANH, "tanh", "The hyperbolic tangent, elementwise.")
asinh = _unary_builder(ASINH, "asinh", "The inverse hyperbolic sine, elementwise.")
acosh = _unary_builder(ACOSH, "acosh", "The inverse hyperbolic cosine, elementwise.")
atanh = _unary_builder(ATANH, "atanh", "The inverse hyperbolic tangent, elementwise.")
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
rint = _unary_builder(RINT, "rint", "The nearest integer, halves to even, elementwise.")
reciprocal = _unary_builder(RECIPROCAL, "reciprocal", "``1 / x`` elementwise.")


def erf(x, name=None) -> Tensor:
    """The Gauss error function ``2 / sqrt(pi) * integral_0^x exp(-t**2) dt``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(erf([0.0, 1.0])))
    [0.        0.8427008]
    """
    return _apply_unary(ERF, x, name)


erfc = _unary_builder(ERFC, "erfc", "``1 - erf(x)``, accurate where ``erf(x)`` is near 1.")
lgamma = _unary_builder(LGAMMA, "lgamma", "``log(|Gamma(x)|)`` elementwise.")
digamma = _unary_builder(
    DIGAMMA, "digamma", "The derivative of :func:`lgamma`, ``Gamma'(x) / Gamma(x)``."
)
erfinv = _unary_builder(ERFINV, "erfinv", "The inverse of :func:`erf` on [-1, 1].")
ndtri = _unary_builder(
    NDTRI, "ndtri", "The quantile of the standard normal distribution (inverse of its CDF)."
)
bessel_i0 = _unary_builder(BESSEL_I0, "bessel_i0", "The modified Bessel function ``I0(x)``.")
bessel_i0e = _unary_builder(
    BESSEL_I0E, "bessel_i0e", "``exp(-|x|) I0(x)``, which does not overflow for large ``x``."
)
bessel_i1 = _unary_builder(BESSEL_I1, "bessel_i1", "The modified Bessel function ``I1(x)``.")
bessel_i1e = _unary_builder(BESSEL_I1E, "bessel_i1e", "``exp(-|x|) I1(x)``.")


def erfcinv(x, name=None) -> Tensor:
    """The inverse of :func:`erfc` on [0, 2]: ``-ndtri(x / 2) / sqrt(2)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 0.5], tf.float64)
    ...     print(tf.compat.v1.Session().run(erfcinv(x)).round(6).tolist())
    [-0.0, 0.476936]
    """
    with name_scope(name, "erfcinv", [x]) as scope:
        x = convert_to_tensor(x, name="start", graph=graph_of([x]))
        half = convert_to_tensor(0.5, dtype=x.dtype.base_dtype)
        root_half = convert_to_tensor(np.sqrt(0.5), dtype=x.dtype.base_dtype)
        return multiply(negative(ndtri(multiply(half, x))), root_half, name=scope)


is_nan = _unary_builder(IS_NAN, "is_nan", "Where ``x`` is NaN (a bool tensor).")
is_inf = _unary_builder(IS_INF, "is_inf", "Where ``x`` is infinite (a bool tensor).")
is_finite = _unary_builder(
    IS_FINITE, "is_finite", "Where ``x`` is neither infinite nor NaN (a bool tensor)."
)
logical_not = _unary_builder(LOGICAL_NOT, "logical_not", "``not x`` elementwise for a bool tensor.")


def _complex_part_builder(op_def: OpDef, builder: str, doc: str):
    """``real``/``imag``/``angle``: the op on complex tensors, ``real_case`` on real ones."""

    def build(input, name=None) -> Tensor:
        with name_scope(name, op_def.name, [input]) as scope:
            x = convert_to_tensor(input, name="input", graph=graph_of([input]))
            base = x.dtype.base_dtype
            if base.is_complex:
                return _apply_unary(op_def, x, scope, Tout=base.real_dtype)
            if op_def is REAL:
                return x
            if op_def is IMAG:
                return array_ops.zeros_like(x)
            # The angle of a real number: pi where it is negative, else 0.
            return where(less(x, 0), convert_to_tensor(np.pi, base), array_ops.zeros_like(x))

    return _public(build, builder, doc)


real = _complex_part_builder(
    REAL, "real", "The real parts of a complex tensor (a real tensor comes back as is)."
)
imag = _complex_part_builder(IMAG, "imag", "The imaginary parts (zeros for a real tensor).")
angle = _complex_part_builder(
    ANGLE, "angle", "The arguments of complex numbers (pi or 0 for real ones)."
)


def conj(x, name=None) -> Tensor:
    """The complex conjugate; real tensors come back unchanged.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(conj(tf.constant([1 + 2j], tf.complex64))))
    [1.-2.j]
    """
    x = convert_to_tensor(x)
    if not x.dtype.base_dtype.is_complex:
        return x
    return _apply_unary(CONJ, x, name)


# -- sums of many tensors, polynomials ----------------------------------------------------


def _add_n_shape(*inputs: TensorSpec, N, T) -> list[TensorSpec]:
    shape = TensorShape(None)
    for spec in inputs:
        shape = merge_shapes(shape, spec.shape)
    return [TensorSpec(T, shape)]


ADD_N = register_op(
    OpDef(
        "AddN",
        ("inputs: N * T",),
        ("sum: T",),
        ("N: int >= 1", "T: {numbertype, variant}"),
        shape_fn=_add_n_shape,
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
    return apply_op(ADD_N, [tensors], scope).outputs[0]


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None) -> Tensor:
    """:func:`add_n`, with optional checks of the inputs' ``shape`` and ``tensor_dtype``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant([[1, 2], [3, 4]])
    ...     s = accumulate_n([a, a, a], shape=[2, 2], tensor_dtype=tf.int32)
    ...     print(tf.compat.v1.Session().run(s))
    [[ 3  6]
     [ 9 12]]
    """
    if not inputs or not isinstance(inputs, list | tuple):
        raise ValueError(
            "inputs must be a list of at least one Tensor with the same dtype and shape"
        )
    inputs = [convert_to_tensor(t, graph=graph_of(inputs)) for t in inputs]
    if any(t.dtype != inputs[0].dtype for t in inputs):
        raise ValueError(
            "inputs must be a list of at least one Tensor with the same dtype and shape"
        )
    merged = TensorShape(None) if shape is None else TensorShape(shape)
    for t in inputs:
        merged = merge_shapes(merged, t.shape)
    if tensor_dtype is not None and dtypes.as_dtype(tensor_dtype) != inputs[0].dtype:
        raise TypeError(
            f"The `tensor_dtype` argument is {tensor_dtype}, but `input` is of type "
            f"{inputs[0].dtype}. These must be equal. Try casting the input to the desired type."
        )
    if len(inputs) == 1 and name is None:
        return inputs[0]
    return add_n(inputs, name=name)


def scalar_mul(scalar, x, name=None) -> Tensor:
    """``scalar * x`` for a 0-d ``scalar``; ``ValueError`` for anything else.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(scalar_mul(2.0, tf.constant([1.0, 3.0]))))
    [2. 6.]
    """
    with name_scope(name, "scalar_mul", [scalar, x]) as scope:
        graph = graph_of([scalar, x])
        x = convert_to_tensor(x, graph=graph, name="x")
        scalar = convert_to_tensor(scalar, dtype=x.dtype.base_dtype, graph=graph, name="scalar")
        if scalar.shape.rank != 0:
            raise ValueError(f"Only scalar multiply works, got shape {scalar.shape}")
        return multiply(scalar, x, name=scope)


def polyval(coeffs, x, name=None) -> Tensor:
    """The polynomial ``coeffs[0] * x**(n-1) + ... + coeffs[n-1]`` at ``x``, by Horner's
    rule; no coefficients give zeros.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = polyval([1.0, 0.0, -2.0], tf.constant([2.0, 3.0]))
    ...     print(tf.compat.v1.Session().run(p))
    [2. 7.]
    """
    if not isinstance(coeffs, list | tuple):
        raise ValueError(f"Argument coeffs must be list type found {type(coeffs)}.")
    with name_scope(name, "polyval", [*coeffs, x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if not coeffs:
            return array_ops.zeros_like(x, name=scope)
        coeffs = [convert_to_tensor(c, dtype_hint=x.dtype.base_dtype) for c in coeffs]
        total = coeffs[0]
        for coefficient in coeffs[1:]:
            total = add(coefficient, multiply(total, x))
        return array_ops.identity(total, name=scope)


# -- matrix products ----------------------------------------------------------------------


def _matmul_shape(a: TensorSpec, b: TensorSpec, *, T, transpose_a, transpose_b, **_grads):
    a_shape, b_shape = with_rank(a.shape, 2), with_rank(b.shape, 2)
    rows, inner_a = reversed(a_shape.as_tuple()) if transpose_a else a_shape.as_tuple()
    inner_b, cols = reversed(b_shape.as_tuple()) if transpose_b else b_shape.as_tuple()
    merge_dim(inner_a, inner_b)
    return [TensorSpec(T, TensorShape([rows, cols]))]


MATMUL = register_op(
    OpDef(
        "MatMul",
        ("a: T", "b: T"),
        ("product: T",),
        (
            "transpose_a: bool = false",
            "transpose_b: bool = false",
            "T: {bfloat16, float16, float32, float64, int32, int64, uint8, uint16, uint32, "
            "uint64, complex64, complex128}",
            "grad_a: bool = false",
            "grad_b: bool = false",
        ),
        shape_fn=_matmul_shape,
        cost=Cost.EXPENSIVE,
    )
)


def _batch_matmul_shape(x: TensorSpec, y: TensorSpec, *, T, adj_x, adj_y, **_grads):
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
        ("x: T", "y: T"),
        ("output: T",),
        (
            "T: {bfloat16, float16, float32, float64, int16, int32, int64, uint8, uint16, "
            "uint32, uint64, complex64, complex128}",
            "adj_x: bool = false",
            "adj_y: bool = false",
            "grad_x: bool = false",
            "grad_y: bool = false",
        ),
        shape_fn=_batch_matmul_shape,
        cost=Cost.EXPENSIVE,
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
    ('MatMul', TensorShape([Dimension(2), Dimension(4)]), 'BatchMatMulV2', TensorShape([Dimension(5), Dimension(7), Dimension(2), Dimension(4)]))
    """
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    graph = graph_of([a, b])
    with graph.name_scope(name or "MatMul") as scope:
        a, b = binary_operands(a, b, graph)
        if output_type is not None and dtypes.as_dtype(output_type) != a.dtype.base_dtype:
            raise TypeError("output_type other than the inputs' dtype is not supported.")
        if a.dtype.base_dtype.is_complex:
            # A transpose of a complex matrix is its adjoint of the conjugate.
            a = conj(a) if transpose_a else a
            b = conj(b) if transpose_b else b
        ranks = (a.shape.rank, b.shape.rank)
        if None in ranks or max(ranks) > 2:
            return apply_op(
                BATCH_MATMUL,
                [a, b],
                scope,
                adj_x=bool(adjoint_a or transpose_a),
                adj_y=bool(adjoint_b or transpose_b),
            ).outputs[0]
        if a.dtype.base_dtype.is_complex:
            a = conj(a) if adjoint_a else a
            b = conj(b) if adjoint_b else b
        return apply_op(
            MATMUL,
            [a, b],
            scope,
            transpose_a=bool(transpose_a or adjoint_a),
            transpose_b=bool(transpose_b or adjoint_b),
        ).outputs[0]


def _tensordot_axes(a: Tensor, b: Tensor, axes) -> tuple[list, list]:
    if isinstance(axes, int | np.integer):
        if axes < 0:
            raise ValueError(f"'axes' must be at least 0, got {axes}.")
        if axes > a.shape.rank or axes > b.shape.rank:
            raise ValueError(
                f"'axes' must not be larger than the number of dimensions of tensor {a}."
            )
        return list(builtins_range(a.shape.rank - axes, a.shape.rank)), list(builtins_range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int | np.integer) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int | np.integer) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(
            f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}."
        )
    return [int(i) % a.shape.rank for i in a_axes], [int(i) % b.shape.rank for i in b_axes]


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
        free_dims = array_ops.gather(shape, np.array(free, np.int32))
        free_size = reduce_prod(free_dims)
        axes_size = reduce_prod(array_ops.gather(shape, np.array(axes, np.int32)))
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


def _scan(op_type: str, types: str = "numbertype") -> OpDef:
    attrs = (
        "exclusive: bool = false",
        "reverse: bool = false",
        f"T: {types}",
        "Tidx: {int32, int64} = DT_INT32",
    )
    return register_op(OpDef(op_type, ("x: T", "axis: Tidx"), ("out: T",), attrs, _scan_shape))


CUMSUM = _scan("Cumsum")
CUMPROD = _scan("Cumprod")
CUMULATIVE_LOGSUMEXP = _scan("CumulativeLogsumexp", "{bfloat16, float16, float32, float64}")


def _apply_scan(op_def, x, axis, exclusive, reverse, name) -> Tensor:
    return apply_op(
        op_def, [x, axis], name or op_def.name, exclusive=bool(exclusive), reverse=bool(reverse)
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
    """Running products along ``axis`` (see :func:`cumsum`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(cumprod([2, 3, 4], exclusive=True)))
    [1 2 6]
    """
    return _apply_scan(CUMPROD, x, axis, exclusive, reverse, name)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running ``log(sum(exp(x)))`` along ``axis``, without overflow (see :func:`cumsum`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = cumulative_logsumexp(tf.constant([0.0, 0.0, 1000.0], tf.float64))
    ...     print(tf.compat.v1.Session().run(c).round(4).tolist())
    [0.0, 0.6931, 1000.0]
    """
    return _apply_scan(CUMULATIVE_LOGSUMEXP, x, axis, exclusive, reverse, name)


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


def _reduction_shape(input: TensorSpec, reduction_indices: TensorSpec, *, keep_dims, **_attrs):
    axes = reduction_indices
    with_rank_at_least(axes.shape, 0)
    if axes.shape.rank is not None and axes.shape.rank > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {axes.shape.rank}")
    return [TensorSpec(input.dtype, _reduced_dims(input.shape, axes, keep_dims))]


def _reduction(op_type: str, types: str | None) -> OpDef:
    """A reduction over ``T`` in ``types``, or over bools when ``types`` is ``None``."""
    arg = "bool" if types is None else "T"
    attrs = (
        "keep_dims: bool = false",
        *([] if types is None else [f"T: {types}"]),
        "Tidx: {int32, int64} = DT_INT32",
    )
    return register_op(
        OpDef(
            op_type,
            (f"input: {arg}", "reduction_indices: Tidx"),
            (f"output: {arg}",),
            attrs,
            shape_fn=_reduction_shape,
        )
    )


SUM = _reduction("Sum", "numbertype")
MEAN = _reduction("Mean", "numbertype")
PROD = _reduction("Prod", "numbertype")
EUCLIDEAN_NORM = _reduction("EuclideanNorm", "numbertype")
MAX = _reduction("Max", "{realnumbertype, quantizedtype}")
MIN = _reduction("Min", "{realnumbertype, quantizedtype}")
ALL = _reduction("All", None)
ANY_OP = _reduction("Any", None)


def _reduction_axes(x: Tensor, axis):
    """``axis``, or every axis of ``x`` when it is ``None`` (a Const, or a ``Range``)."""
    if axis is not None:
        return axis
    # TF tests the rank's truth, so a scalar's axes are a Range to its Rank (a Const)
    # and graphs name their ops as TF's (``assert_less_equal/range``).
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
    out = apply_op(op_def, [x, axes], name or op_def.name, keep_dims=bool(keepdims)).outputs[0]
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
reduce_euclidean_norm = _reduction_builder(
    EUCLIDEAN_NORM, "reduce_euclidean_norm", "``sqrt(sum(|x| ** 2))`` over ``axis``."
)
reduce_all = _reduction_builder(ALL, "reduce_all", "Logical and over ``axis`` of a bool tensor.")
reduce_any = _reduction_builder(ANY_OP, "reduce_any", "Logical or over ``axis`` of a bool tensor.")


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """``log(reduce_sum(exp(input_tensor), axis))``, computed without overflow: the
    maximum is taken out first (and kept out of the gradient), as TF does.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[1000.0, 1000.0], [0.0, -np.inf]], tf.float64)
    ...     print(tf.compat.v1.Session().run(reduce_logsumexp(x, axis=1)).round(4))
    [1000.6931    0.    ]
    """
    with name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, graph=graph_of([input_tensor]))
        raw_max = reduce_max(x, axis, keepdims=True)
        finite_max = array_ops.stop_gradient(
            where(is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max))
        )
        summed = reduce_sum(exp(subtract(x, finite_max)), axis, keepdims=keepdims)
        if not keepdims:
            finite_max = array_ops.reshape(finite_max, array_ops.shape(summed))
        return add(log(summed), finite_max, name=scope)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The variance over ``axis`` (of floating or complex tensors; a complex tensor's is
    real).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = reduce_variance(tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    ...     print(tf.compat.v1.Session().run(v))
    [1. 1.]
    """
    with name_scope(name, "reduce_variance", [input_tensor]):
        x = convert_to_tensor(input_tensor, graph=graph_of([input_tensor]))
        if x.dtype.base_dtype.is_integer or x.dtype.base_dtype.is_bool:
            raise TypeError(f"Input must be either real or complex. Received integer input: {x}")
        means = reduce_mean(x, axis, keepdims=True)
        deviations = subtract(x, means)
        if x.dtype.base_dtype.is_complex:
            deviations = abs(deviations)
        return reduce_mean(square(deviations), axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The standard deviation over ``axis``: ``sqrt(reduce_variance(...))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = reduce_std(tf.constant([1.0, 3.0]))
    ...     print(tf.compat.v1.Session().run(s))
    1.0
    """
    with name_scope(name, "reduce_std", [input_tensor]):
        return sqrt(reduce_variance(input_tensor, axis, keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None) -> Tensor:
    """The number of nonzero elements over ``axis`` (``""`` counts as zero in a string
    tensor), as ``dtype``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = count_nonzero([[0, 1, 2], [0, 0, 3]], axis=1)
    ...     print(n.dtype, tf.compat.v1.Session().run(n))
    <dtype: 'int64'> [2 1]
    """
    with name_scope(name, "count_nonzero", [input]):
        x = convert_to_tensor(input, name="input", graph=graph_of([input]))
        zero = convert_to_tensor(b"" if x.dtype.base_dtype == dtypes.string else 0, x.dtype)
        nonzero = cast(not_equal(x, zero), dtypes.int64)
        return cast(reduce_sum(nonzero, axis, keepdims=bool(keepdims)), dtype)


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
reduce_logsumexp_v1 = _v1_reduction(reduce_logsumexp)


def count_nonzero_v1(
    input_tensor=None,
    axis=None,
    keepdims=None,
    dtype=dtypes.int64,
    name=None,
    reduction_indices=None,
    keep_dims=None,
    input=None,
) -> Tensor:
    """TF1's ``count_nonzero``: also takes ``reduction_indices``, ``keep_dims``, ``input``."""
    axis = deprecated_argument_lookup("axis", axis, "reduction_indices", reduction_indices)
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    input_tensor = deprecated_argument_lookup("input", input, "input_tensor", input_tensor)
    return count_nonzero(input_tensor, axis, keepdims, dtype, name)


def _arg_shape(input: TensorSpec, dimension: TensorSpec, *, T, Tidx, output_type):
    with_rank(dimension.shape, 0)
    rank = input.shape.rank
    value = known_value(dimension)
    if rank is None:
        return [TensorSpec(output_type, TensorShape(None))]
    if value is None:
        return [TensorSpec(output_type, TensorShape([None] * (rank - 1) if rank else None))]
    axis = int(value)
    if not -rank <= axis < rank:
        raise ValueError(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}")
    dims = list(input.shape.as_tuple())
    del dims[axis % rank]
    return [TensorSpec(output_type, TensorShape(dims))]


def _arg(op_type: str, index_types: str, output_types: str) -> OpDef:
    attrs = (
        "T: {realnumbertype, quantizedtype, bool}",
        f"Tidx: {index_types} = DT_INT32",
        f"output_type: {output_types} = DT_INT64",
    )
    return register_op(
        OpDef(
            op_type,
            ("input: T", "dimension: Tidx"),
            ("output: output_type",),
            attrs,
            shape_fn=_arg_shape,
        )
    )


ARG_MAX = _arg("ArgMax", "{int16, int32, int64}", "{int16, uint16, int32, int64}")
ARG_MIN = _arg("ArgMin", "{int32, int64}", "{int32, int64}")


def _apply_arg(op_def, input, axis, output_type, name) -> Tensor:
    axis = 0 if axis is None else axis
    output_type = dtypes.as_dtype(output_type)
    return apply_op(op_def, [input, axis], name or op_def.name, output_type=output_type).outputs[0]


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


def arg_max(input, dimension, output_type=dtypes.int64, name=None) -> Tensor:
    """TF1's ``tf.arg_max``: the ``ArgMax`` op itself (``dimension`` required)."""
    return _apply_arg(ARG_MAX, input, dimension, output_type, name)


def arg_min(input, dimension, output_type=dtypes.int64, name=None) -> Tensor:
    """TF1's ``tf.arg_min``: the ``ArgMin`` op itself (``dimension`` required)."""
    return _apply_arg(ARG_MIN, input, dimension, output_type, name)


# -- casts, sequences, selection ------------------------------------------------------------


def _cast_shape(x: TensorSpec, *, SrcT, DstT, Truncate) -> list[TensorSpec]:
    return [TensorSpec(DstT, x.shape)]


CAST = register_op(
    OpDef(
        "Cast",
        ("x: SrcT",),
        ("y: DstT",),
        ("SrcT: type", "DstT: type", "Truncate: bool = false"),
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
        return apply_op(CAST, [x], scope, DstT=target).outputs[0]


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
        ("start: Tidx", "limit: Tidx", "delta: Tidx"),
        ("output: Tidx",),
        (
            "Tidx: {bfloat16, float16, float32, float64, int8, int16, int32, int64, uint16, "
            "uint32, uint64} = DT_INT32",
        ),
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
        return apply_op(RANGE, args, scope).outputs[0]


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
        ("start: T", "stop: T", "num: Tidx"),
        ("output: T",),
        ("T: {bfloat16, float16, float32, float64}", "Tidx: {int32, int64} = DT_INT32"),
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
    return apply_op(LINSPACE, [start, stop, num], scope).outputs[0]


lin_space = linspace


def _select_shape(condition: TensorSpec, t: TensorSpec, e: TensorSpec, *, T):
    shape = merge_shapes(t.shape, e.shape)
    cond = condition.shape
    if cond.rank == 1 and shape.rank is not None and shape.rank > 1:
        merge_dim(cond.dim_value(0), shape.dim_value(0))  # a vector condition picks whole rows
    elif cond.rank != 0:
        shape = merge_shapes(cond, shape)
    return [TensorSpec(T, shape)]


def _select_v2_shape(condition: TensorSpec, t: TensorSpec, e: TensorSpec, *, T):
    return [TensorSpec(T, broadcast_shapes(condition.shape, broadcast_shapes(t.shape, e.shape)))]


def _where_shape(input: TensorSpec, *, T):
    rank = input.shape.rank
    return [TensorSpec(dtypes.int64, TensorShape([None, rank]))]


def _select(op_type: str, shape_fn) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("condition: bool", "t: T", "e: T"),
            ("output: T",),
            ("T: type",),
            shape_fn=shape_fn,
        )
    )


SELECT = _select("Select", _select_shape)
SELECT_V2 = _select("SelectV2", _select_v2_shape)
WHERE = register_op(
    OpDef(
        "Where",
        ("input: T",),
        ("index: int64",),
        ("T: {numbertype, bool} = DT_BOOL",),
        shape_fn=_where_shape,
    )
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
            return apply_op(WHERE, [condition], scope).outputs[0]
        condition = convert_to_tensor(condition, dtype=dtypes.bool, graph=graph, name="condition")
        x, y = binary_operands(x, y, graph)
        return apply_op(select_def, [condition, x, y], scope).outputs[0]


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


# -- segment sums ----------------------------------------------------------------------------


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


def unsorted_segment_op(op_type: str, types: str, index_types: str) -> OpDef:
    """An ``UnsortedSegment*`` op: ``data`` rows combined by segment id into
    ``num_segments`` rows."""
    return register_op(
        OpDef(
            op_type,
            ("data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"),
            ("output: T",),
            (f"T: {types}", f"Tindices: {index_types}", "Tnumsegments: {int32, int64} = DT_INT32"),
            shape_fn=_segment_sum_shape,
        )
    )


UNSORTED_SEGMENT_SUM = unsorted_segment_op(
    "UnsortedSegmentSum", "numbertype", "{int16, int32, int64}"
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
    return apply_op(
        UNSORTED_SEGMENT_SUM, [data, segment_ids, num_segments], name or "UnsortedSegmentSum"
    ).outputs[0]


# -- gradient helpers -------------------------------------------------------------------


def _static_sum_axes(grad_shape: TensorShape, target: TensorShape) -> list | None:
    """Axes to sum a broadcast gradient over to get ``target``; ``None`` if not static."""
    if not (grad_shape.is_fully_defined() and target.is_fully_defined()):
        return None
    lead = grad_shape.rank - target.rank
    return list(builtins_range(lead)) + [
        lead + i
        for i, d in enumerate(target.as_tuple())
        if d == 1 and grad_shape.dim_value(lead + i) != 1
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
    # An empty ``axes`` of a scalar computes no modulo: nothing divides by the rank 0.
    axes = floormod(add(array_ops.reshape(cast(axes, dtypes.int32), [1, -1]), rank), rank)
    positions = array_ops.expand_dims(range(rank), 1)
    reduced = reduce_any(equal(positions, axes), axis=1)
    return where(reduced, array_ops.ones_like(input_shape), input_shape)


from . import math_grad  # noqa: E402, F401 - registers the gradients of the ops above
