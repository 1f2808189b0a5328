"""Kernels of math ops: elementwise arithmetic and functions with numpy broadcasting,
reductions, scans, matrix products, casts and sequences.

Results keep the op's dtype (numpy would promote ``int32 + int32`` sums and scalars),
and integer division by zero raises TF's ``InvalidArgumentError`` instead of numpy's
silent zero (only where a division happens: an empty result divides nothing). The
special functions are :mod:`runtime.kernels.special`'s.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import intra_op
from ..errors import InternalError, InvalidArgumentError
from ..registry import register_kernel
from . import special


def shape_text(shape) -> str:
    """TF's shape text in kernel messages (``?`` for an unknown dimension).

    Examples
    --------
    >>> shape_text((2, 3)), shape_text(()), shape_text((None, 3))
    ('[2,3]', '[]', '[?,3]')
    """
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _typed(value, like) -> np.ndarray:
    return np.asarray(value, dtype=like.dtype)


def check_int_divisor(x, y) -> None:
    """TF's ``InvalidArgumentError`` for an integer division of ``x`` by a zero in ``y``.

    Examples
    --------
    >>> check_int_divisor(np.int32([1]), np.int32([0]))
    Traceback (most recent call last):
    runtime.errors.InvalidArgumentError: Integer division by zero
    """
    y = np.asarray(y)
    if y.dtype.kind in "iu" and np.size(x) and y.size and np.any(y == 0):
        raise InvalidArgumentError(None, None, "Integer division by zero")


# -- elementwise ----------------------------------------------------------------------


def truncating_divide(x, y):
    """Integer ``x / y`` rounded toward zero, as C++ (and so TF's kernels) divides.

    Examples
    --------
    >>> truncating_divide(np.int32([-7, 7]), np.int32([2, 2]))
    array([-3,  3], dtype=int32)
    """
    quotient = np.floor_divide(x, y)
    # numpy floors; C++ (and so TF's integer RealDiv/Div) truncates toward zero.
    return quotient + ((np.remainder(x, y) != 0) & ((x < 0) != (y < 0)))


def _real_div(x, y):
    if x.dtype.kind in "iu":
        check_int_divisor(x, y)
        return truncating_divide(x, y)
    return np.true_divide(x, y)


def _floor_div(x, y):
    if x.dtype.kind in "iu":
        check_int_divisor(x, y)
        return np.floor_divide(x, y)
    return np.floor(np.true_divide(x, y))


def _check_truncating_divisor(x, y) -> None:
    # TF's TruncateDiv and TruncateMod kernels fail with an internal error here.
    y = np.asarray(y)
    if y.dtype.kind in "iu" and np.size(x) and y.size and np.any(y == 0):
        raise InternalError(
            None,
            None,
            "Unexpected error in binary operator (only integer div and mod should have errors)",
        )


def _truncate_div(x, y):
    if x.dtype.kind in "iu":
        _check_truncating_divisor(x, y)
        return truncating_divide(x, y)
    return np.trunc(np.true_divide(x, y))


def _truncate_mod(x, y):
    if x.dtype.kind in "iu":
        _check_truncating_divisor(x, y)
    return np.fmod(x, y)  # C's remainder: the sign of x


def _floor_mod(x, y):
    if x.dtype.kind in "iu":
        check_int_divisor(x, y)
        return np.mod(x, y)
    # TF's formula (fmod, then shift toward y's sign) keeps fmod's signed zeros.
    remainder = np.fmod(x, y)
    shift = (remainder != 0) & ((y < 0) != (remainder < 0))
    return np.where(shift, remainder + y, remainder)


def _pow(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise InvalidArgumentError(
            None, None, "Integers to negative integer powers are not allowed"
        )
    return np.power(x, y)


def _squared_difference(x, y):
    diff = np.subtract(x, y)
    return diff * np.conj(diff)


def _xlogy(x, y):
    return np.where(x == 0, np.zeros_like(x), x * np.log(y))


def _xdivy(x, y):
    return np.where(x == 0, np.zeros_like(x), x / np.where(x == 0, 1, y))


def _div_no_nan(x, y):
    return np.where(y == 0, np.zeros_like(x), x / np.where(y == 0, 1, y))


def _real_valued(fn):
    """A float64 special function applied at the input's precision."""
    return lambda *args: fn(*args).astype(args[0].dtype)


_BINARY = {
    "Add": np.add,  # also strings (object arrays of bytes): concatenation
    "AddV2": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "RealDiv": _real_div,
    "FloorDiv": _floor_div,
    "FloorMod": _floor_mod,
    "Pow": _pow,
    "TruncateDiv": _truncate_div,
    "TruncateMod": _truncate_mod,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
    "SquaredDifference": _squared_difference,
    "Xlogy": _xlogy,
    "Xdivy": _xdivy,
    "Xlog1py": lambda x, y: np.where(x == 0, np.zeros_like(x), x * np.log1p(y)),
    "NextAfter": np.nextafter,
    "DivNoNan": _div_no_nan,
    "MulNoNan": lambda x, y: np.where(y == 0, np.zeros_like(x), x * y),
    "Atan2": np.arctan2,
    "Zeta": _real_valued(special.zeta),
    "Igamma": _real_valued(special.igamma),
    "Igammac": _real_valued(special.igammac),
    "IgammaGradA": _real_valued(special.igamma_grad_a),
    "Polygamma": _real_valued(special.polygamma),
}

# The gradient ops of unary ops, from the op's output y and the gradient dy.
_GRADIENTS = {
    "TanhGrad": lambda y, dy: dy * (1 - y * y),
    "SigmoidGrad": lambda y, dy: dy * y * (1 - y),
    "SqrtGrad": lambda y, dy: dy * 0.5 / np.conj(y),
    "RsqrtGrad": lambda y, dy: dy * -0.5 * np.conj(y * y * y),
    "ReciprocalGrad": lambda y, dy: -dy * y * y,
}

_COMPARISONS = {
    "Equal": np.equal,
    "NotEqual": np.not_equal,
    "Less": np.less,
    "LessEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterEqual": np.greater_equal,
    "LogicalAnd": np.logical_and,
    "LogicalOr": np.logical_or,
}


def sigmoid(x):
    """``1 / (1 + exp(-x))`` in its tanh form: exact to rounding, never overflows, and
    worked out in place in one new array (an LSTM runs three per step).

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 2.0], np.float32))
    array([0.       , 0.5      , 0.8807971], dtype=float32)
    """
    half = x.dtype.type(0.5)
    out = np.multiply(x, half, out=np.empty_like(x))
    np.tanh(out, out=out)
    out *= half
    out += half
    return out


def _reciprocal(x):
    if x.dtype.kind in "iu":
        return _real_div(np.ones_like(x), x)
    return np.reciprocal(x)


_UNARY = {
    "Neg": np.negative,
    "Abs": np.abs,
    "Sign": np.sign,
    "Square": np.square,
    "Sqrt": np.sqrt,
    "Rsqrt": lambda x: 1 / np.sqrt(x),
    "Exp": np.exp,
    "Expm1": np.expm1,
    "Log": np.log,
    "Log1p": np.log1p,
    "Sin": np.sin,
    "Cos": np.cos,
    "Tan": np.tan,
    "Asin": np.arcsin,
    "Acos": np.arccos,
    "Atan": np.arctan,
    "Sinh": np.sinh,
    "Cosh": np.cosh,
    "Tanh": np.tanh,
    "Asinh": np.arcsinh,
    "Acosh": np.arccosh,
    "Atanh": np.arctanh,
    "Sigmoid": sigmoid,
    "Round": np.rint,  # half to even, as TF rounds
    "Rint": np.rint,
    "Floor": np.floor,
    "Ceil": np.ceil,
    "Reciprocal": _reciprocal,
    "Conj": np.conj,
    "Erf": _real_valued(special.erf),
    "Erfc": _real_valued(special.erfc),
    "Lgamma": _real_valued(special.lgamma),
    "Digamma": _real_valued(special.digamma),
    "Erfinv": _real_valued(special.erfinv),
    "Ndtri": _real_valued(special.ndtri),
    "BesselI0": _real_valued(special.bessel_i0),
    "BesselI0e": _real_valued(special.bessel_i0e),
    "BesselI1": _real_valued(special.bessel_i1),
    "BesselI1e": _real_valued(special.bessel_i1e),
    **{
        op_type: _real_valued(getattr(special, name))
        for op_type, name in (
            ("BesselJ0", "bessel_j0"),
            ("BesselJ1", "bessel_j1"),
            ("BesselK0", "bessel_k0"),
            ("BesselK0e", "bessel_k0e"),
            ("BesselK1", "bessel_k1"),
            ("BesselK1e", "bessel_k1e"),
            ("BesselY0", "bessel_y0"),
            ("BesselY1", "bessel_y1"),
            ("Dawsn", "dawsn"),
            ("Expint", "expint"),
            ("FresnelCos", "fresnel_cos"),
            ("FresnelSin", "fresnel_sin"),
            ("Spence", "spence"),
        )
    },
}

_PREDICATES = {"IsNan": np.isnan, "IsInf": np.isinf, "IsFinite": np.isfinite}

# Complex to real: the output type is the op's Tout.
_COMPLEX_PARTS = {"Real": np.real, "Imag": np.imag, "Angle": np.angle, "ComplexAbs": np.abs}


def _check_broadcast(x, y) -> None:
    try:
        # The common case (numpy values of one shape) needs no broadcasting rules; the
        # attribute is read without np.shape's Python call (per op in loops, it shows).
        if x.shape == y.shape:
            return
    except AttributeError:  # a Python number
        pass
    try:
        np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise InvalidArgumentError(
            None,
            None,
            f"Incompatible shapes: {shape_text(np.shape(x))} vs. {shape_text(np.shape(y))}",
        ) from None


def _binary_kernel(fn):
    def kernel(x, y, *, T):
        # Overflow and invalid values give inf/nan quietly, as in TF: the executor runs
        # kernels with numpy's floating-point warnings off (once per run, not per op).
        # _check_broadcast and _typed written out: a chain of scalar ops shows each call.
        if getattr(x, "shape", None) != getattr(y, "shape", ()):  # else nothing to check
            _check_broadcast(x, y)
        return (np.asarray(fn(x, y), dtype=x.dtype),)

    return kernel


def _comparison_kernel(fn):
    def kernel(x, y, **_attrs):
        _check_broadcast(x, y)
        return (np.asarray(fn(x, y), dtype=np.bool_),)

    return kernel


def _unary_kernel(fn):
    def kernel(x, *, T):
        return (_typed(fn(x), x),)  # quietly, see _binary_kernel

    return kernel


for _op_type, _fn in {**_BINARY, **_GRADIENTS}.items():
    register_kernel(_op_type)(_binary_kernel(_fn))
for _op_type, _fn in _COMPARISONS.items():
    register_kernel(_op_type)(_comparison_kernel(_fn))
for _op_type, _fn in _UNARY.items():
    register_kernel(_op_type)(_unary_kernel(_fn))
for _op_type, _fn in _PREDICATES.items():
    register_kernel(_op_type)(lambda x, *, T, _fn=_fn: (_fn(x),))
for _op_type, _fn in _COMPLEX_PARTS.items():
    register_kernel(_op_type)(
        lambda x, *, T, Tout, _fn=_fn: (np.asarray(_fn(x), dtype=Tout.as_numpy_dtype),)
    )


@register_kernel("ClipByValue")
def clip_by_value(t, clip_value_min, clip_value_max, *, T):
    for bound in (clip_value_min, clip_value_max):
        if bound.ndim and bound.shape != t.shape:
            raise InvalidArgumentError(
                None,
                None,
                "clip_value_min and clip_value_max must be either scalars or have the same "
                f"shape as the input: {shape_text(bound.shape)} vs. {shape_text(t.shape)}",
            )
    return (np.minimum(np.maximum(t, clip_value_min), clip_value_max).astype(t.dtype),)


@register_kernel("Betainc")
def betainc(a, b, x, *, T):
    shapes = [np.shape(v) for v in (a, b, x) if np.ndim(v)]
    if any(shape != shapes[0] for shape in shapes):
        raise InvalidArgumentError(
            None,
            None,
            "Shapes of a, b and x are inconsistent: "
            + " vs. ".join(shape_text(np.shape(v)) for v in (a, b, x)),
        )
    return (special.betainc(a, b, x).astype(x.dtype),)


@register_kernel("CheckNumerics")
def check_numerics(tensor, *, T, message):
    nan, inf = bool(np.isnan(tensor).any()), bool(np.isinf(tensor).any())
    if nan or inf:
        found = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
        text = message.decode() if isinstance(message, bytes) else message
        raise InvalidArgumentError(None, None, f"{text} : Tensor had {found} values")
    return (tensor,)


@register_kernel("Complex")
def complex_(real, imag, *, T, Tout):
    _check_broadcast(real, imag)
    return (np.asarray(real + 1j * imag, dtype=Tout.as_numpy_dtype),)


@register_kernel("LogicalNot")
def logical_not(x):
    return (np.logical_not(x),)


@register_kernel("AddN")
def add_n(*inputs, N, T):
    for i, x in enumerate(inputs[1:], 1):
        if x.shape != inputs[0].shape:
            raise InvalidArgumentError(
                None,
                None,
                "Inputs to operation AddN must have the same size and shape.  Input 0: "
                f"{shape_text(inputs[0].shape)} != input {i}: {shape_text(x.shape)}",
            )
    return (_typed(functools.reduce(np.add, inputs), inputs[0]),)


# -- matrix products --------------------------------------------------------------------


def _matrix(x, transpose: bool):
    return x.T if transpose else x


@register_kernel("MatMul")
def mat_mul(a, b, *, T, transpose_a, transpose_b, grad_a=False, grad_b=False):
    a, b = _matrix(a, transpose_a), _matrix(b, transpose_b)
    if a.shape[1] != b.shape[0]:
        raise InvalidArgumentError(
            None,
            None,
            f"Matrix size-incompatible: In[0]: {shape_text(a.shape)}, In[1]: {shape_text(b.shape)}",
        )
    return (_typed(intra_op.matmul(a, b), a),)


def _adjoint(x, adjoint: bool):
    return np.conj(np.swapaxes(x, -1, -2)) if adjoint else x


@register_kernel("BatchMatMulV2")
def batch_mat_mul_v2(x, y, *, T, adj_x, adj_y, grad_x=False, grad_y=False):
    a, b = _adjoint(x, adj_x), _adjoint(y, adj_y)
    if a.shape[-1] != b.shape[-2]:
        raise InvalidArgumentError(
            None,
            None,
            f"Matrix size-incompatible: In[0]: {shape_text(x.shape)}, In[1]: {shape_text(y.shape)}",
        )
    try:
        return (_typed(np.matmul(a, b), x),)
    except ValueError:
        raise InvalidArgumentError(
            None,
            None,
            f"In[0] and In[1] must have compatible batch dimensions: {shape_text(x.shape)} vs. "
            f"{shape_text(y.shape)}",
        ) from None


def _einsum_tokens(term: str) -> list:
    return term.replace("...", ".").replace(".", " ... ").split() if "." in term else list(term)


@register_kernel("Einsum")
def einsum(*inputs, equation: str, N, T):
    lhs, _, output = equation.partition("->")
    tokens = _einsum_tokens(output)
    unique = list(dict.fromkeys(tokens))
    try:
        result = np.einsum(f"{lhs}->{''.join(unique)}", *inputs, optimize=len(inputs) > 2)
        if len(unique) != len(tokens):  # a repeated output label: a diagonal, as TF's "i->ii"
            sizes, at = {}, 0
            for token in unique:
                width = result.ndim - len(unique) + 1 if token == "..." else 1
                sizes[token] = result.shape[at : at + width]
                at += width
            out = np.zeros([d for token in tokens for d in sizes[token]], dtype=result.dtype)
            np.einsum(f"{output}->{''.join(unique)}", out)[...] = result  # the diagonal's view
            result = out
    except ValueError as err:
        shapes = ", ".join(shape_text(x.shape) for x in inputs)
        raise InvalidArgumentError(
            None, None, f"Einsum {equation} of shapes {shapes}: {err}"
        ) from None
    return (_typed(result, inputs[0]),)


# -- reductions and scans -----------------------------------------------------------------


def reduction_axes(x: np.ndarray, axes: np.ndarray) -> tuple:
    """``axes`` (any ints) as sorted non-negative axes of ``x``, checked as TF checks them."""
    rank = x.ndim
    found = []
    for axis in np.asarray(axes).reshape(-1).tolist():
        if not -rank <= axis < rank:
            raise InvalidArgumentError(
                None,
                None,
                f"Invalid reduction dimension ({axis} for input with {rank} dimension(s)",
            )
        if axis % rank in found:
            raise InvalidArgumentError(
                None,
                None,
                f"Invalid reduction arguments: Axes contains duplicate dimension: {axis % rank}",
            )
        found.append(axis % rank)
    return tuple(sorted(found))


def lowest(dtype):
    """The smallest value of ``dtype``: ``-inf`` for floats (the identity of a max).

    Examples
    --------
    >>> lowest(np.dtype(np.float32)), lowest(np.dtype(np.int8))
    (-inf, -128)
    """
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _mean(x, axis, keepdims):
    count = math.prod(x.shape[a] for a in axis)
    total = np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
    if x.dtype.kind in "iu":
        return truncating_divide(total, max(count, 1)) if count else total
    return np.true_divide(total, count)


_REDUCTIONS = {
    "Sum": lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
    "Prod": lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
    "Mean": _mean,
    "Max": lambda x, axis, keepdims: np.max(
        x, axis=axis, keepdims=keepdims, initial=lowest(x.dtype)
    ),
    "Min": lambda x, axis, keepdims: np.min(
        x, axis=axis, keepdims=keepdims, initial=_highest(x.dtype)
    ),
    "EuclideanNorm": lambda x, axis, keepdims: np.sqrt(
        np.sum(x * np.conj(x), axis=axis, keepdims=keepdims, dtype=x.dtype)
    ),
    "All": lambda x, axis, keepdims: np.all(x, axis=axis, keepdims=keepdims),
    "Any": lambda x, axis, keepdims: np.any(x, axis=axis, keepdims=keepdims),
}


def _reduction_kernel(fn):
    def kernel(x, axes, *, keep_dims, **_attrs):
        axis = reduction_axes(x, axes)
        with np.errstate(all="ignore"):
            return (_typed(fn(x, axis, keep_dims), x),)

    return kernel


for _op_type, _fn in _REDUCTIONS.items():
    register_kernel(_op_type)(_reduction_kernel(_fn))


def _arg_kernel(fn):
    def kernel(x, dimension, *, T, Tidx, output_type):
        rank = x.ndim
        axis = int(dimension)
        if not -rank <= axis < rank:
            raise InvalidArgumentError(
                None, None, f"Expected dimension in the range [{-rank}, {rank}), but got {axis}"
            )
        if x.shape[axis] == 0:
            raise InvalidArgumentError(
                None, None, f"Reduction axis {axis} is empty in shape {shape_text(x.shape)}"
            )
        return (np.asarray(fn(x, axis=axis), dtype=output_type.as_numpy_dtype),)

    return kernel


register_kernel("ArgMax")(_arg_kernel(np.argmax))
register_kernel("ArgMin")(_arg_kernel(np.argmin))


def _scan_kernel(fn, identity):
    def kernel(x, axis, *, T, Tidx, exclusive, reverse):
        rank = max(x.ndim, 1)
        axis = int(axis)
        if not -rank <= axis < rank:
            raise InvalidArgumentError(
                None,
                None,
                f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {axis}",
            )
        values = np.flip(x, axis) if reverse else x
        out = fn(values, axis=axis, dtype=x.dtype)
        if exclusive:
            pad = [(0, 0)] * x.ndim
            pad[axis] = (1, 0)
            out = np.pad(out, pad, constant_values=identity)
            out = np.delete(out, -1, axis=axis)
        return (np.flip(out, axis) if reverse else out,)

    return kernel


def _logcumsumexp(x, axis, dtype):
    return np.logaddexp.accumulate(x, axis=axis, dtype=dtype)


register_kernel("Cumsum")(_scan_kernel(np.cumsum, 0))
register_kernel("Cumprod")(_scan_kernel(np.cumprod, 1))
register_kernel("CumulativeLogsumexp")(_scan_kernel(_logcumsumexp, -np.inf))


# -- casts, sequences, selection ------------------------------------------------------------


@register_kernel("Cast")
def cast(x, *, SrcT, DstT, Truncate):
    target = np.dtype(DstT.as_numpy_dtype)
    if target.kind == "b":
        return (np.asarray(x != 0),)
    if np.iscomplexobj(x) and target.kind != "c":
        x = np.real(x)  # TF keeps the real part
    with np.errstate(invalid="ignore", over="ignore"):
        return (np.asarray(x).astype(target),)


def range_size(start, limit, delta) -> int:
    """The length of ``Range(start, limit, delta)``; ``ValueError`` in TF's words.

    Examples
    --------
    >>> range_size(0, 10, 3), range_size(1.0, 2.0, 0.25)
    (4, 4)
    """
    start, limit, delta = (np.asarray(v).item() for v in (start, limit, delta))
    if delta == 0:
        raise ValueError(f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit:
        raise ValueError(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise ValueError(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if isinstance(start, int) and isinstance(limit, int) and isinstance(delta, int):
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return math.ceil(abs((limit - start) / delta))


@register_kernel("Range")
def range_(start, limit, delta, *, Tidx):
    size = range_size(start, limit, delta)
    dtype = np.dtype(Tidx.as_numpy_dtype)
    return ((start + np.arange(size) * delta).astype(dtype),)


@register_kernel("LinSpace")
def lin_space(start, stop, num, *, T, Tidx):
    if num <= 0:
        raise InvalidArgumentError(None, None, f"Requires num > 0: {num}")
    return (np.linspace(start, stop, int(num)).astype(start.dtype),)


@register_kernel("Select")
def select(condition, t, e, *, T):
    if t.shape != e.shape:
        raise InvalidArgumentError(
            None,
            None,
            "'then' and 'else' must have the same size.  but received: "
            f"{shape_text(t.shape)} vs. {shape_text(e.shape)}",
        )
    if condition.ndim == 1 and t.ndim > 1:
        if condition.shape[0] != t.shape[0]:
            raise InvalidArgumentError(
                None,
                None,
                "Number of batches of 'then' must match size of 'cond', but saw: "
                f"{t.shape[0]} vs. {condition.shape[0]}",
            )
        condition = condition.reshape((-1,) + (1,) * (t.ndim - 1))  # a row per element
    elif condition.ndim and condition.shape != t.shape:
        raise InvalidArgumentError(
            None,
            None,
            "'cond' and 'then' must have the same size.  but received: "
            f"{shape_text(condition.shape)} vs. {shape_text(t.shape)}",
        )
    return (np.where(condition, t, e),)


@register_kernel("SelectV2")
def select_v2(condition, t, e, *, T):
    try:
        return (_typed(np.where(condition, t, e), t),)
    except ValueError:
        raise InvalidArgumentError(
            None,
            None,
            f"condition, then and else must be broadcastable: {shape_text(condition.shape)}, "
            f"{shape_text(t.shape)}, {shape_text(e.shape)}",
        ) from None


@register_kernel("Where")
def where(x, *, T):
    return (np.argwhere(x).astype(np.int64),)
