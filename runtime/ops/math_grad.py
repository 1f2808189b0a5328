"""Gradients of the math ops (:mod:`runtime.ops.math_ops`), as TF defines them.

Binary ops sum their gradients back to each input's shape (``reduce_gradient_args``);
reductions broadcast theirs back over the reduced axes, also when the input's rank is
only known when the graph runs (a placeholder of unknown shape fed a scalar).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..registry import not_differentiable, register_gradient
from . import array_ops
from .constant_value import constant_value
from .core import apply_op, convert_to_tensor
from .math_ops import (
    IGAMMA_GRAD_A,
    RECIPROCAL_GRAD,
    RSQRT_GRAD,
    SIGMOID_GRAD,
    SQRT_GRAD,
    TANH_GRAD,
    add,
    bessel_i0,
    bessel_i0e,
    bessel_i1,
    bessel_i1e,
    cast,
    complex,
    conj,
    cos,
    cosh,
    cumprod,
    cumsum,
    cumulative_logsumexp,
    digamma,
    divide_no_nan,
    equal,
    exp,
    floordiv,
    floormod,
    greater,
    greater_equal,
    imag,
    less,
    less_equal,
    lgamma,
    log,
    logical_not,
    matmul,
    maximum,
    multiply,
    multiply_no_nan,
    negative,
    polygamma,
    pow,
    real,
    realdiv,
    reciprocal,
    reciprocal_no_nan,
    reduce_any,
    reduce_gradient_args,
    reduce_prod,
    reduce_sum,
    reduced_shape,
    rsqrt,
    sign,
    sin,
    sinh,
    square,
    subtract,
    unary_gradient,
    where,
    where_v1,
    xdivy,
    xlog1py,
    xlogy,
    zeta,
)
from .math_ops import range as range_

# -- binary ops ---------------------------------------------------------------------------


@register_gradient("Add")
@register_gradient("AddV2")
def _add_grad(op, grad):
    return reduce_gradient_args(*op.inputs, grad, grad)


@register_gradient("Sub")
def _sub_grad(op, grad):
    return reduce_gradient_args(*op.inputs, grad, negative(grad))


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    # Complex operands take conjugates, as in TF (conj leaves real tensors as they are).
    return reduce_gradient_args(x, y, multiply(grad, conj(y)), multiply(conj(x), grad))


@register_gradient("RealDiv")
def _real_div_grad(op, grad):
    x, y = conj(op.inputs[0]), conj(op.inputs[1])
    gy = multiply(grad, realdiv(realdiv(negative(x), y), y))
    return reduce_gradient_args(*op.inputs, realdiv(grad, y), gy)


@register_gradient("DivNoNan")
def _div_no_nan_grad(op, grad):
    x, y = op.inputs
    gy = multiply(grad, divide_no_nan(divide_no_nan(negative(x), y), y))
    return reduce_gradient_args(x, y, divide_no_nan(grad, y), gy)


@register_gradient("MulNoNan")
def _mul_no_nan_grad(op, grad):
    x, y = op.inputs
    return reduce_gradient_args(x, y, multiply_no_nan(grad, y), multiply_no_nan(x, grad))


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


@register_gradient("Xlogy")
def _xlogy_grad(op, grad):
    x, y = op.inputs
    not_zero_x = cast(logical_not(equal(x, 0)), x.dtype)
    return reduce_gradient_args(
        x, y, multiply(xlogy(not_zero_x, y), grad), multiply(xdivy(x, y), grad)
    )


@register_gradient("Xlog1py")
def _xlog1py_grad(op, grad):
    x, y = op.inputs
    not_zero_x = cast(logical_not(equal(x, 0)), x.dtype)
    gx = multiply(xlog1py(not_zero_x, y), grad)
    gy = multiply(xdivy(x, add(y, _constant(1, y))), grad)
    return reduce_gradient_args(x, y, gx, gy)


@register_gradient("NextAfter")
def _next_after_grad(op, grad):
    x1, x2 = op.inputs
    return reduce_gradient_args(x1, x2, grad, array_ops.zeros_like(grad))


@register_gradient("Xdivy")
def _xdivy_grad(op, grad):
    x, y = op.inputs
    not_zero_x = cast(logical_not(equal(x, 0)), x.dtype)
    gx = multiply(xdivy(not_zero_x, y), grad)
    gy = multiply(negative(xdivy(x, square(y))), grad)
    return reduce_gradient_args(x, y, gx, gy)


@register_gradient("Atan2")
def _atan2_grad(op, grad):
    y, x = op.inputs
    grad_inv = realdiv(grad, add(square(y), square(x)))
    return reduce_gradient_args(y, x, multiply(x, grad_inv), multiply(negative(y), grad_inv))


@register_gradient("Zeta")
def _zeta_grad(op, grad):
    x, q = op.inputs
    partial_q = multiply(negative(x), zeta(add(x, 1.0), q))
    return [None, reduce_gradient_args(x, q, None, multiply(partial_q, grad))[1]]


def _incomplete_gamma_grads(op, grad):
    a, x = op.inputs
    partial_a = apply_op(IGAMMA_GRAD_A, [a, x], "IgammaGradA").outputs[0]
    # In log space: Gamma(a) and x ** (a - 1) overflow long before their ratio does.
    log_partial_x = subtract(
        add(negative(x), multiply(subtract(a, _constant(1, a)), log(x))), lgamma(a)
    )
    return reduce_gradient_args(a, x, multiply(partial_a, grad), multiply(exp(log_partial_x), grad))


register_gradient("Igamma")(_incomplete_gamma_grads)
register_gradient("Igammac")(
    lambda op, grad: [None if g is None else negative(g) for g in _incomplete_gamma_grads(op, grad)]
)


@register_gradient("Betainc")
def _betainc_grad(op, grad):
    # TF defines the gradient for x only.
    a, b, x = op.inputs
    log_beta = subtract(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
    one = _constant(1, x)
    log_partial = subtract(
        add(xlog1py(subtract(b, one), negative(x)), xlogy(subtract(a, one), x)), log_beta
    )
    partial_x = exp(log_partial)
    if x.shape.rank == 0 and grad.shape.rank != 0:
        return [None, None, reduce_sum(multiply(partial_x, grad))]
    return [None, None, multiply(partial_x, grad)]


@register_gradient("Polygamma")
def _polygamma_grad(op, grad):
    n, x = op.inputs
    partial_x = polygamma(add(n, 1.0), x)
    return [None, reduce_gradient_args(n, x, None, multiply(partial_x, grad))[1]]


@register_gradient("Complex")
def _complex_grad(op, grad):
    x, y = op.inputs
    return reduce_gradient_args(x, y, real(grad), imag(grad))


# -- unary ops ----------------------------------------------------------------------------


def _unary_grad(op_type: str):
    """Register ``fn(x, y, grad) -> input grad`` as ``op_type``'s gradient."""

    def register(fn):
        register_gradient(op_type)(lambda op, grad: [fn(op.inputs[0], op.outputs[0], grad)])
        return fn

    return register


def _constant(value, like: Tensor) -> Tensor:
    return convert_to_tensor(value, dtype=like.dtype.base_dtype)


def _one_minus_square(x: Tensor) -> Tensor:
    return subtract(_constant(1, x), square(x))


_unary_grad("Neg")(lambda x, y, g: negative(g))
_unary_grad("Abs")(lambda x, y, g: multiply(g, sign(x)))
_unary_grad("Sign")(lambda x, y, g: array_ops.zeros_like(x))
_unary_grad("Square")(lambda x, y, g: multiply(g, multiply(conj(x), _constant(2, x))))
_unary_grad("Sqrt")(lambda x, y, g: unary_gradient(SQRT_GRAD, y, g))
_unary_grad("Rsqrt")(lambda x, y, g: unary_gradient(RSQRT_GRAD, y, g))
_unary_grad("Exp")(lambda x, y, g: multiply(g, conj(y)))
_unary_grad("Expm1")(lambda x, y, g: multiply(g, exp(conj(x))))
_unary_grad("Log")(lambda x, y, g: multiply(g, reciprocal(conj(x))))
_unary_grad("Log1p")(lambda x, y, g: multiply(g, reciprocal(add(conj(x), _constant(1, x)))))
_unary_grad("Sin")(lambda x, y, g: multiply(g, cos(conj(x))))
_unary_grad("Cos")(lambda x, y, g: negative(multiply(g, sin(conj(x)))))
_unary_grad("Tan")(lambda x, y, g: multiply(g, square(reciprocal(cos(x)))))
_unary_grad("Asin")(lambda x, y, g: multiply(g, rsqrt(_one_minus_square(x))))
_unary_grad("Acos")(lambda x, y, g: negative(multiply(g, rsqrt(_one_minus_square(x)))))
_unary_grad("Atan")(lambda x, y, g: multiply(g, reciprocal(add(_constant(1, x), square(x)))))
_unary_grad("Sinh")(lambda x, y, g: multiply(g, cosh(x)))
_unary_grad("Cosh")(lambda x, y, g: multiply(g, sinh(x)))
_unary_grad("Tanh")(lambda x, y, g: unary_gradient(TANH_GRAD, conj(y), g))
_unary_grad("Asinh")(lambda x, y, g: realdiv(g, cosh(y)))
_unary_grad("Acosh")(lambda x, y, g: realdiv(g, sinh(y)))
_unary_grad("Atanh")(lambda x, y, g: multiply(g, reciprocal(_one_minus_square(x))))
_unary_grad("Sigmoid")(lambda x, y, g: unary_gradient(SIGMOID_GRAD, conj(y), g))
_unary_grad("Reciprocal")(lambda x, y, g: unary_gradient(RECIPROCAL_GRAD, conj(y), g))
_unary_grad("Erf")(
    lambda x, y, g: multiply(
        g, multiply(_constant(2 / math.sqrt(math.pi), x), exp(negative(square(x))))
    )
)
_unary_grad("Erfc")(
    lambda x, y, g: multiply(
        g, multiply(_constant(-2 / math.sqrt(math.pi), x), exp(negative(square(x))))
    )
)
_unary_grad("Lgamma")(lambda x, y, g: multiply(g, digamma(x)))
_unary_grad("Digamma")(lambda x, y, g: multiply(g, polygamma(_constant(1, x), x)))
_unary_grad("Erfinv")(
    lambda x, y, g: multiply(g, multiply(_constant(np.sqrt(np.pi) / 2, g), exp(square(y))))
)
_unary_grad("Ndtri")(
    lambda x, y, g: multiply(
        g, multiply(_constant(np.sqrt(2 * np.pi), g), exp(multiply(square(y), _constant(0.5, y))))
    )
)
_unary_grad("BesselI0")(lambda x, y, g: multiply(g, bessel_i1(x)))
_unary_grad("BesselI0e")(lambda x, y, g: multiply(g, subtract(bessel_i1e(x), multiply(sign(x), y))))
_unary_grad("BesselI1")(
    lambda x, y, g: multiply(
        g, where(equal(x, 0), _constant(1, x), subtract(bessel_i0(x), divide_no_nan(y, x)))
    )
)
_unary_grad("BesselI1e")(
    lambda x, y, g: multiply(
        g,
        where(
            equal(x, 0),
            _constant(0.5, x),
            subtract(bessel_i0e(x), multiply(y, add(sign(x), reciprocal_no_nan(x)))),
        ),
    )
)
_unary_grad("Conj")(lambda x, y, g: conj(g))
_unary_grad("Real")(lambda x, y, g: complex(g, array_ops.zeros_like(g)))
_unary_grad("Imag")(lambda x, y, g: complex(array_ops.zeros_like(g), g))
_unary_grad("ComplexAbs")(
    lambda x, y, g: divide_no_nan(
        multiply(complex(g, array_ops.zeros_like(g)), x), complex(y, array_ops.zeros_like(y))
    )
)


@_unary_grad("Angle")
def _angle_grad(x, y, g):
    z = reciprocal(complex(imag(x), real(x)))
    return negative(multiply(complex(g, array_ops.zeros_like(g)), z))


# -- the gradient ops' own gradients (second derivatives) ------------------------------------


@register_gradient("TanhGrad")
def _tanh_grad_grad(op, grad):
    a, b = op.inputs
    return [
        multiply(multiply(grad, _constant(-2, grad)), multiply(b, a)),
        unary_gradient(TANH_GRAD, a, grad),
    ]


@register_gradient("SigmoidGrad")
def _sigmoid_grad_grad(op, grad):
    a, b = op.inputs
    gb = multiply(grad, b)
    return [
        subtract(gb, multiply(multiply(gb, _constant(2, gb)), a)),
        unary_gradient(SIGMOID_GRAD, a, grad),
    ]


@register_gradient("SqrtGrad")
def _sqrt_grad_grad(op, grad):
    ga = realdiv(grad, op.inputs[0])
    return [negative(multiply(ga, op.outputs[0])), multiply(ga, _constant(0.5, ga))]


@register_gradient("RsqrtGrad")
def _rsqrt_grad_grad(op, grad):
    a, b = op.inputs
    grad_a = multiply(multiply(_constant(-1.5, grad), grad), multiply(b, square(a)))
    return [grad_a, unary_gradient(RSQRT_GRAD, a, grad)]


@register_gradient("ReciprocalGrad")
def _reciprocal_grad_grad(op, grad):
    a, b = op.inputs
    return [
        multiply(multiply(grad, _constant(-2, grad)), multiply(b, a)),
        unary_gradient(RECIPROCAL_GRAD, a, grad),
    ]


for _op_type in ("Round", "Rint", "Floor", "Ceil"):
    register_gradient(_op_type)(lambda op, grad: [None])


@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


# -- matrix products ------------------------------------------------------------------------


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


# -- scans and reductions -------------------------------------------------------------------


@register_gradient("Cumsum")
def _cumsum_grad(op, grad):
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    return [cumsum(grad, op.inputs[1], exclusive=exclusive, reverse=not reverse), None]


@register_gradient("CumulativeLogsumexp")
def _cumulative_logsumexp_grad(op, grad):
    # The gradient's positive and negative parts, in log space for stability (TF's).
    x, axis = op.inputs
    result = op.outputs[0]
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    lowest = _constant(np.finfo(grad.dtype.base_dtype.as_numpy_dtype).min, grad)
    parts = []
    for select, magnitude in ((greater, grad), (less, negative(grad))):
        safe = where(select(grad, 0), magnitude, array_ops.ones_like(grad))
        log_part = where(select(grad, 0), log(safe), lowest)
        summed = cumulative_logsumexp(
            subtract(log_part, result), axis, exclusive=exclusive, reverse=not reverse
        )
        parts.append(exp(add(summed, x)))
    return [subtract(*parts), None]


@register_gradient("Cumprod")
def _cumprod_grad(op, grad):
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    product = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    summed = cumsum(multiply(product, grad), axis, exclusive=exclusive, reverse=not reverse)
    return [realdiv(summed, x), None]


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
        factor = convert_to_tensor(count_in // max(count_out, 1), dtype=grad.dtype)
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


@register_gradient("EuclideanNorm")
def _euclidean_norm_grad(op, grad):
    x, axes = op.inputs
    norm = op.outputs[0]
    if not op.get_attr("keep_dims"):
        norm, grad = _keep_reduced_dims(norm, x, axes), _keep_reduced_dims(grad, x, axes)
    return [multiply(divide_no_nan(conj(x), norm), grad), None]


register_gradient("Max")(_extremum_grad)
register_gradient("Min")(_extremum_grad)


def _prod_permutation(x: Tensor, axes: Tensor):
    """``(perm, reduced)``: the reduced axes, then the others; int32 arrays when the rank
    and the axes are known, else int32 tensors computed when the graph runs."""
    value = constant_value(axes)
    rank = x.shape.rank
    if rank is not None and value is not None:
        reduced = sorted({int(a) % rank for a in value.reshape(-1)}) if rank else []
        perm = reduced + [i for i in range(rank) if i not in reduced]
        return np.array(perm, np.int32), np.array(reduced, np.int32)
    rank = array_ops.rank(x)
    # (axes + rank) % rank: a scalar's empty axes compute no modulo by its rank 0.
    reduced = floormod(add(array_ops.reshape(cast(axes, dtypes.int32), [-1]), rank), rank)
    positions = range_(0, rank)
    is_reduced = reduce_any(equal(array_ops.expand_dims(positions, 1), reduced), axis=1)
    others = array_ops.reshape(cast(where(logical_not(is_reduced)), dtypes.int32), [-1])
    return array_ops.concat([reduced, others], 0), reduced


@register_gradient("Prod")
def _prod_grad(op, grad):
    # The product of all the other elements, from exclusive cumulative products on
    # both sides (exact when some elements are zero), as TF computes it.
    x, axes = op.inputs
    perm, reduced = _prod_permutation(x, axes)
    shape = array_ops.shape(x)
    reduced_num = reduce_prod(array_ops.gather(shape, reduced))
    moved = array_ops.transpose(x, perm)
    flat = array_ops.reshape(moved, array_ops.stack([reduced_num, -1]))
    left = cumprod(flat, axis=0, exclusive=True)
    right = cumprod(flat, axis=0, exclusive=True, reverse=True)
    # Conjugated for complex inputs, as TF's (conj leaves real tensors as they are).
    others_product = array_ops.reshape(multiply(conj(left), conj(right)), array_ops.shape(moved))
    if isinstance(perm, np.ndarray):
        inverse = np.argsort(perm).astype(np.int32)
    else:
        inverse = array_ops.invert_permutation(perm)
    unmoved = array_ops.transpose(others_product, inverse)
    return [multiply(_grad_to_input(op, grad), unmoved), None]


# -- selection, casts, segments ----------------------------------------------------------------


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


@register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    return [gather_dropping_negative(grad, op.inputs[1]), None, None]


def gather_dropping_negative(params: Tensor, ids: Tensor) -> Tensor:
    """``gather(params, ids)`` with zero rows where ``ids`` is negative (dropped ids)."""
    picked = array_ops.gather(params, maximum(ids, 0))
    kept = greater_equal(ids, 0)
    if picked.shape.rank is not None and ids.shape.rank is not None:
        for _ in range(picked.shape.rank - ids.shape.rank):
            kept = array_ops.expand_dims(kept, -1)
    else:
        extra = subtract(array_ops.rank(picked), array_ops.rank(ids))
        ones = array_ops.ones(array_ops.expand_dims(extra, 0), dtypes.int32)
        kept = array_ops.reshape(kept, array_ops.concat([array_ops.shape(ids), ones], 0))
    return where(kept, picked, array_ops.zeros_like(picked))


for _op_type in (
    "FloorDiv",
    "TruncateDiv",
    "Equal",
    "NotEqual",
    "Less",
    "LessEqual",
    "Greater",
    "GreaterEqual",
    "LogicalAnd",
    "LogicalOr",
    "LogicalNot",
    "IsNan",
    "IsInf",
    "IsFinite",
    "ArgMax",
    "ArgMin",
    "All",
    "Any",
    "Range",
    "LinSpace",
    "Where",
):
    not_differentiable(_op_type)
