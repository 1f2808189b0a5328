"""Einstein summation (``tf.einsum``, the ``Einsum`` op of frozen keras graphs),
``lbeta``, ``log_sigmoid`` and the functions of ``tf.math.special`` (Bessel functions of
the second kind and of integer order, Dawson's, Fresnel's and Spence's integrals, the
exponential integral), with TF's gradients.

An equation names each input's axes with letters (``"ij,jk->ik"``); ``...`` stands for
any number of leading (or middle) axes, which broadcast across inputs; a letter
repeated within an input takes its diagonal; letters missing from the output are
summed. Without ``->`` the output is ``...`` then the letters used once, sorted, as
numpy's and TF's implicit mode. The gradient of each input is an einsum of the output's
gradient with the other inputs, with the diagonals and the summed-out axes restored by
identity and ones operands (:func:`_einsum_grad`).
"""

from __future__ import annotations

import re
import string

import numpy as np

from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops, math_ops
from .activation_ops import softplus
from .core import apply_op, convert_to_tensor, unchanged
from .linalg_ops import eye
from .shape_util import merge_dim

__all__ = ["einsum", "lbeta", "log_sigmoid"]

# tf.math.special: the functions below, and math_ops' modified Bessel functions of the
# first kind.
SPECIAL = [
    "bessel_j0",
    "bessel_j1",
    "bessel_k0",
    "bessel_k0e",
    "bessel_k1",
    "bessel_k1e",
    "bessel_y0",
    "bessel_y1",
    "dawsn",
    "expint",
    "fresnel_cos",
    "fresnel_sin",
    "spence",
]

_ELLIPSIS = "..."
_TERM = re.compile(r"^(?:[a-zA-Z]|\.\.\.)*$")


def _tokens(term: str) -> list[str]:
    """An input's or the output's labels, ``...`` one token."""
    return re.findall(r"\.\.\.|[a-zA-Z]", term)


def parse_equation(equation: str, count: int) -> tuple[list[list[str]], list[str]]:
    """The labels of each of ``count`` inputs and of the output, in explicit form.

    Examples
    --------
    >>> parse_equation("ij,jk", 2)
    ([['i', 'j'], ['j', 'k']], ['i', 'k'])
    >>> parse_equation("...ii->...i", 1)
    ([['...', 'i', 'i']], ['...', 'i'])
    """
    text = equation.replace(" ", "")
    lhs, arrow, rhs = text.partition("->")
    terms = lhs.split(",")
    if len(terms) != count:
        raise ValueError(f"Expecting {len(terms)} inputs, got {count} for equation '{equation}'")
    for term in [*terms, rhs]:
        if not _TERM.match(term) or term.count(_ELLIPSIS) > 1 or "." in term.replace(_ELLIPSIS, ""):
            raise ValueError(f"Invalid Einsum equation '{equation}': bad term '{term}'")
    inputs = [_tokens(term) for term in terms]
    if arrow:
        output = _tokens(rhs)
        used = {label for labels in inputs for label in labels}
        for label in output:
            if label != _ELLIPSIS and label not in used:
                raise ValueError(
                    f"Invalid Einsum equation '{equation}': output label '{label}' does not "
                    "appear in the inputs"
                )
    else:
        flat = [label for labels in inputs for label in labels if label != _ELLIPSIS]
        once = sorted((label for label in set(flat) if flat.count(label) == 1), key=_label_order)
        ellipsis = [_ELLIPSIS] if any(_ELLIPSIS in labels for labels in inputs) else []
        output = ellipsis + once
    return inputs, output


def _label_order(label: str) -> tuple:
    return (label.islower(), label)  # numpy sorts upper case before lower case


def equation_text(inputs: list[list[str]], output: list[str]) -> str:
    return ",".join("".join(labels) for labels in inputs) + "->" + "".join(output)


def _einsum_shape(*specs: TensorSpec, equation, N, T):
    inputs, output = parse_equation(equation, len(specs))
    dims: dict = {}
    ellipsis = TensorShape([])
    for spec, labels in zip(specs, inputs):
        shape = spec.shape
        named = [label for label in labels if label != _ELLIPSIS]
        if shape.rank is None:
            if _ELLIPSIS in labels:
                ellipsis = None
            continue
        if (_ELLIPSIS in labels and shape.rank < len(named)) or (
            _ELLIPSIS not in labels and shape.rank != len(named)
        ):
            raise ValueError(
                f"Input {''.join(labels)} of equation {equation} has rank {shape.rank}, "
                f"which does not fit its {len(named)} labels"
            )
        dims_list = shape.as_tuple()
        if _ELLIPSIS in labels:
            at = labels.index(_ELLIPSIS)
            extra = shape.rank - len(named)
            if ellipsis is not None:
                ellipsis = broadcast_shapes(ellipsis, TensorShape(dims_list[at : at + extra]))
            dims_list = dims_list[:at] + dims_list[at + extra :]
        for label, dim in zip(named, dims_list):
            dims[label] = merge_dim(dims.get(label), dim)
    if _ELLIPSIS in output and ellipsis is None:
        return [TensorSpec(T, TensorShape(None))]
    result: list = []
    for label in output:
        result.extend(ellipsis.as_tuple() if label == _ELLIPSIS else [dims.get(label)])
    return [TensorSpec(T, TensorShape(result))]


EINSUM = register_op(
    OpDef(
        "Einsum",
        ("inputs: N * T",),
        ("output: T",),
        ("equation: string", "N: int >= 1", "T: type"),
        shape_fn=_einsum_shape,
        cost=Cost.EXPENSIVE,
    )
)


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Einstein summation over ``inputs`` as ``equation`` says.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    ...     ops = [einsum("ij,jk->ik", a, a), einsum("ii", a), einsum("ij->ji", a)]
    ...     print(tf.compat.v1.Session().run(ops))
    [array([[ 7., 10.],
           [15., 22.]], dtype=float32), np.float32(5.0), array([[1., 3.],
           [2., 4.]], dtype=float32)]
    """
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)  # the kernel always lets numpy pick the contraction order
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}")
    if not inputs:
        raise ValueError("einsum needs at least one input tensor.")
    with name_scope(name, "einsum", list(inputs)) as scope:
        graph = graph_of(list(inputs))
        tensors = [
            convert_to_tensor(x, name=f"inputs_{i}", graph=graph) for i, x in enumerate(inputs)
        ]
        labels, output = parse_equation(equation, len(tensors))
        text = equation_text(labels, output)
        return apply_op(EINSUM, [tensors], scope, equation=text).outputs[0]


def _fresh_labels(used: set):
    return (label for label in string.ascii_letters if label not in used)


@register_gradient("Einsum")
def _einsum_grad(op, grad):
    inputs, output = parse_equation(op.get_attr("equation"), len(op.inputs))
    used = {label for labels in [*inputs, output] for label in labels}
    grads = []
    for k, x in enumerate(op.inputs):
        fresh = _fresh_labels(used)
        operands, terms = [grad], [output]
        for j, other in enumerate(op.inputs):
            if j != k:
                operands.append(other)
                terms.append(inputs[j])
        available = {label for term in terms for label in term}
        target: list[str] = []
        shape = array_ops.shape(x)
        axis = 0
        for label in inputs[k]:
            if label == _ELLIPSIS:
                start, axis = _ellipsis_span(inputs[k], x)
                if _ELLIPSIS not in available:  # summed out: broadcast back over them
                    operands.append(array_ops.ones(shape[start:axis], dtype=x.dtype.base_dtype))
                    terms.append([_ELLIPSIS])
                    available.add(_ELLIPSIS)
                target.append(_ELLIPSIS)
                continue
            size = array_ops.reshape(shape[axis], [1])
            axis += 1
            if label in target:  # a repeated label: its diagonal, from an identity
                new = next(fresh)
                operands.append(eye(shape[axis - 1], dtype=x.dtype.base_dtype))
                terms.append([label, new])
                target.append(new)
                continue
            if label not in available:  # summed out of x alone: broadcast back over it
                operands.append(array_ops.ones(size, dtype=x.dtype.base_dtype))
                terms.append([label])
                available.add(label)
            target.append(label)
        summed = 0
        if _ELLIPSIS in available and _ELLIPSIS not in target:
            # numpy sums '...' axes only into an output that keeps them: keep, then sum.
            summed = max(
                _ellipsis_rank(term, t) for term, t in zip(terms, operands) if _ELLIPSIS in term
            )
            target = [_ELLIPSIS, *target]
        text = equation_text(terms, target)
        result = apply_op(EINSUM, [operands], "Einsum", equation=text).outputs[0]
        if summed:
            result = math_ops.reduce_sum(result, list(range(summed)))
        grads.append(math_ops.reduce_to_shape(result, x))
    return grads


def _ellipsis_rank(labels: list[str], x: Tensor) -> int:
    start, stop = _ellipsis_span(labels, x)
    return stop - start


def _ellipsis_span(labels: list[str], x: Tensor) -> tuple[int, int]:
    rank = x.shape.rank
    if rank is None:
        raise ValueError("The gradient of an einsum with '...' needs inputs of known rank.")
    at = labels.index(_ELLIPSIS)
    return at, at + rank - (len(labels) - 1)


def lbeta(x, name=None) -> Tensor:
    """The log of the multivariate beta function over the last axis:
    ``sum(lgamma(x)) - lgamma(sum(x))``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(lbeta([1.0, 1.0])))  # log B(1, 1) = 0
    0.0
    """
    with name_scope(name, "lbeta", [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        log_prod_gamma = math_ops.reduce_sum(math_ops.lgamma(x), axis=[-1])
        sum_x = math_ops.reduce_sum(x, axis=[-1])
        return math_ops.subtract(log_prod_gamma, math_ops.lgamma(sum_x))


def log_sigmoid(x, name=None) -> Tensor:
    """``log(sigmoid(x))``, computed without overflow as ``-softplus(-x)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(log_sigmoid([0.0, -1000.0])))
    [-6.931472e-01 -1.000000e+03]
    """
    with name_scope(name, "LogSigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        return math_ops.negative(softplus(math_ops.negative(x)), name=scope)


# -- tf.math.special ----------------------------------------------------------------------

_FLOATS = "T: {bfloat16, float16, float32, float64}"


def _special(op_type: str, builder: str, doc: str):
    op_def = register_op(OpDef(op_type, ("x: T",), ("y: T",), (_FLOATS,), shape_fn=unchanged))

    def build(x, name=None) -> Tensor:
        return apply_op(op_def, [x], name or op_type).outputs[0]

    build.__name__ = build.__qualname__ = builder
    build.__doc__ = doc
    return build


bessel_j0 = _special("BesselJ0", "bessel_j0", "The Bessel function of the first kind, order 0.")
bessel_j1 = _special("BesselJ1", "bessel_j1", "The Bessel function of the first kind, order 1.")
bessel_k0 = _special(
    "BesselK0", "bessel_k0", "The modified Bessel function of the second kind, order 0."
)
bessel_k0e = _special("BesselK0e", "bessel_k0e", "``exp(x) K0(x)``.")
bessel_k1 = _special(
    "BesselK1", "bessel_k1", "The modified Bessel function of the second kind, order 1."
)
bessel_k1e = _special("BesselK1e", "bessel_k1e", "``exp(x) K1(x)``.")
bessel_y0 = _special("BesselY0", "bessel_y0", "The Bessel function of the second kind, order 0.")
bessel_y1 = _special("BesselY1", "bessel_y1", "The Bessel function of the second kind, order 1.")
dawsn = _special("Dawsn", "dawsn", "Dawson's integral ``exp(-x**2) int_0^x exp(t**2) dt``.")
expint = _special("Expint", "expint", "The exponential integral ``Ei(x)``.")
fresnel_cos = _special("FresnelCos", "fresnel_cos", "``C(x) = int_0^x cos(pi t**2 / 2) dt``.")
fresnel_sin = _special("FresnelSin", "fresnel_sin", "``S(x) = int_0^x sin(pi t**2 / 2) dt``.")
spence = _special("Spence", "spence", "Spence's function ``int_1^x log(t) / (1 - t) dt``.")


def _register(op_type: str):
    """Register ``fn(x, y) -> dy/dx`` as ``op_type``'s gradient (times the output's)."""

    def decorate(fn):
        register_gradient(op_type)(
            lambda op, grad: [math_ops.multiply(grad, fn(op.inputs[0], op.outputs[0]))]
        )
        return fn

    return decorate


def _constant(value, like: Tensor) -> Tensor:
    return convert_to_tensor(value, dtype=like.dtype.base_dtype)


def _at_zero(x: Tensor, value, elsewhere: Tensor) -> Tensor:
    """``elsewhere``, but ``value`` where ``x`` is 0 (the limits of ``J1(x) / x`` &c.)."""
    return math_ops.where(
        math_ops.equal(x, 0), array_ops.fill(array_ops.shape(x), _constant(value, x)), elsewhere
    )


_register("BesselJ0")(lambda x, y: math_ops.negative(bessel_j1(x)))
_register("BesselJ1")(
    lambda x, y: _at_zero(x, 0.5, math_ops.subtract(bessel_j0(x), math_ops.divide_no_nan(y, x)))
)
_register("BesselY0")(lambda x, y: math_ops.negative(bessel_y1(x)))
_register("BesselY1")(lambda x, y: math_ops.subtract(bessel_y0(x), math_ops.truediv(y, x)))
_register("BesselK0")(lambda x, y: math_ops.negative(bessel_k1(x)))
_register("BesselK0e")(lambda x, y: math_ops.subtract(y, bessel_k1e(x)))
_register("BesselK1")(
    lambda x, y: math_ops.subtract(math_ops.negative(bessel_k0(x)), math_ops.truediv(y, x))
)
_register("BesselK1e")(
    lambda x, y: math_ops.subtract(
        math_ops.multiply(y, math_ops.subtract(_constant(1, x), math_ops.reciprocal(x))),
        bessel_k0e(x),
    )
)
_register("Dawsn")(
    lambda x, y: math_ops.subtract(
        _constant(1, x), math_ops.multiply(_constant(2, x), math_ops.multiply(x, y))
    )
)
_register("Expint")(lambda x, y: math_ops.truediv(math_ops.exp(x), x))
_register("FresnelCos")(
    lambda x, y: math_ops.cos(math_ops.multiply(_constant(np.pi / 2, x), math_ops.square(x)))
)
_register("FresnelSin")(
    lambda x, y: math_ops.sin(math_ops.multiply(_constant(np.pi / 2, x), math_ops.square(x)))
)
_register("Spence")(
    lambda x, y: math_ops.where(
        math_ops.equal(x, 1),
        array_ops.fill(array_ops.shape(x), _constant(-1, x)),
        math_ops.truediv(math_ops.log(x), math_ops.subtract(_constant(1, x), x)),
    )
)
