"""Op types older TensorFlow wrote, which GraphDefs made by TF 1.x still hold.

TF 2 builds ``RealDiv`` for ``tf.div`` of floats, ``BatchMatMulV2``, ``ConcatV2`` and
``GatherV2``; graphs frozen by TF 1.x (and TF 0.x) hold ``Div``, ``BatchMatMul``,
``Concat``, ``Gather`` and their kin. Each is declared here with TF's OpDef, takes the
shape function and gradient of the op that replaced it (adapted where its inputs come
in another order), and runs on that op's kernel (:mod:`runtime.kernels.legacy`). TF
2.21 still registers them all; ``TopK``, which it registers but can no longer run (its
kernel wants an attr the OpDef lacks), is left out. The one op with a computation of
its own is ``BatchNormWithGlobalNormalization``, Inception v3's 2015 batch norm.

Examples
--------
>>> import runtime as tf
>>> from runtime.ops.core import apply_op
>>> with tf.Graph().as_default():
...     z = apply_op("Div", [tf.constant([-7, 7]), tf.constant([2, 2])], name="z").outputs[0]
...     print(tf.compat.v1.Session().run(z))  # integers: C's truncating division
[-3  3]
"""

from __future__ import annotations

from .. import dtypes
from ..registry import (
    OpDef,
    TensorSpec,
    get_gradient_function,
    get_op_def,
    register_gradient,
    register_op,
)
from ..shapes import TensorShape
from . import array_grad, math_grad, math_ops  # noqa: F401 - the successors' gradients, registered first
from .core import constant
from .fill_ops import zeros_like
from .shape_util import merge_shapes, with_rank, with_rank_at_least

__all__: list = []

_FLOAT_COMPLEX = "{bfloat16, float16, float32, float64, complex64, complex128}"


def _like(op_type: str, successor: str, inputs, outputs, attrs, **options) -> OpDef:
    """``op_type`` declared with TF's signature and ``successor``'s shape function."""
    shape_fn = options.pop("shape_fn", None) or get_op_def(successor).shape_fn
    return register_op(OpDef(op_type, inputs, outputs, attrs, shape_fn, **options))


_like(
    "Div",
    "RealDiv",
    ("x: T", "y: T"),
    ("z: T",),
    (
        "T: {bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, uint32, "
        "uint64, int64, complex64, complex128}",
    ),
)
_like(
    "Mod",
    "TruncateMod",
    ("x: T", "y: T"),
    ("z: T",),
    ("T: {int32, int64, float16, bfloat16, float32, float64}",),
)
_like(
    "Inv",
    "Reciprocal",
    ("x: T",),
    ("y: T",),
    ("T: {bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, complex128}",),
)
_like("InvGrad", "ReciprocalGrad", ("y: T", "dy: T"), ("z: T",), (f"T: {_FLOAT_COMPLEX}",))
_like("Snapshot", "Identity", ("input: T",), ("output: T",), ("T: type",))
_like("PlaceholderV2", "Placeholder", (), ("output: dtype",), ("dtype: type", "shape: shape"))
_like(
    "Variable",
    "VariableV2",
    (),
    ("ref: Ref(dtype)",),
    ("shape: shape", "dtype: type", "container: string = ''", "shared_name: string = ''"),
    is_stateful=True,
)


def _concat_shape(concat_dim: TensorSpec, *values: TensorSpec, N, T) -> list[TensorSpec]:
    return get_op_def("ConcatV2").shape_fn(*values, concat_dim, N=N, T=T, Tidx=dtypes.int32)


_like(
    "Concat",
    "ConcatV2",
    ("concat_dim: int32", "values: N * T"),
    ("output: T",),
    ("N: int >= 2", "T: type"),
    shape_fn=_concat_shape,
)


def _gather_shape(params: TensorSpec, indices: TensorSpec, **attrs) -> list[TensorSpec]:
    params_shape = with_rank_at_least(params.shape, 1)
    if params_shape.rank is None or indices.shape.rank is None:
        return [TensorSpec(attrs["Tparams"], TensorShape(None))]
    return [TensorSpec(attrs["Tparams"], indices.shape.concatenate(params_shape[1:]))]


_like(
    "Gather",
    "GatherV2",
    ("params: Tparams", "indices: Tindices"),
    ("output: Tparams",),
    ("validate_indices: bool = true", "Tparams: type", "Tindices: {int32, int64}"),
    shape_fn=_gather_shape,
)


def _batch_matmul_shape(x: TensorSpec, y: TensorSpec, **attrs) -> list[TensorSpec]:
    # As BatchMatMulV2's, but the batch dimensions must be equal: they do not broadcast.
    x_shape, y_shape = with_rank_at_least(x.shape, 2), with_rank_at_least(y.shape, 2)
    if x_shape.rank is not None and y_shape.rank is not None:
        merge_shapes(x_shape[:-2], y_shape[:-2])
    return get_op_def("BatchMatMulV2").shape_fn(x, y, **attrs)


_like(
    "BatchMatMul",
    "BatchMatMulV2",
    ("x: T", "y: T"),
    ("output: T",),
    (
        "T: {bfloat16, float16, float32, float64, int32, int64, complex64, complex128}",
        "adj_x: bool = false",
        "adj_y: bool = false",
        "grad_x: bool = false",
        "grad_y: bool = false",
    ),
    shape_fn=_batch_matmul_shape,
    cost=get_op_def("BatchMatMulV2").cost,
)


def _batch_norm_shape(t, m, v, beta, gamma, **attrs) -> list[TensorSpec]:
    shape = with_rank(t.shape, 4)
    channels = TensorShape([shape.as_tuple()[-1] if shape.rank is not None else None])
    for spec in (m, v, beta, gamma):
        channels = merge_shapes(channels, with_rank(spec.shape, 1))
    dims = list(shape.as_tuple() or (None,) * 4)
    return [TensorSpec(attrs["T"], TensorShape([*dims[:3], channels.as_tuple()[0]]))]


register_op(
    OpDef(
        "BatchNormWithGlobalNormalization",
        ("t: T", "m: T", "v: T", "beta: T", "gamma: T"),
        ("result: T",),
        (
            "T: numbertype",
            "variance_epsilon: float",
            "scale_after_normalization: bool",
        ),
        _batch_norm_shape,
    )
)


# -- gradients: the successors', with the inputs in their order -----------------------------

for _op_type, _successor in (
    ("Div", "RealDiv"),
    ("Inv", "Reciprocal"),
    ("InvGrad", "ReciprocalGrad"),
    ("Snapshot", "Identity"),
    ("BatchMatMul", "BatchMatMulV2"),
):
    register_gradient(_op_type)(get_gradient_function(_successor))


class _AsSuccessor:
    """An op seen as its successor's gradient function expects: other ``inputs``, and
    attrs the old op lacks."""

    def __init__(self, op, inputs: list, attrs: dict):
        self._op, self.inputs, self._attrs = op, inputs, attrs
        self.outputs, self.graph = op.outputs, op.graph

    def get_attr(self, name: str):
        return self._attrs[name] if name in self._attrs else self._op.get_attr(name)


@register_gradient("Concat")
def _concat_grad(op, grad):
    concat_dim, *values = op.inputs
    view = _AsSuccessor(op, [*values, concat_dim], {})
    *grads, _ = get_gradient_function("ConcatV2")(view, grad)
    return [None, *grads]


@register_gradient("Gather")
def _gather_grad(op, grad):
    params, indices = op.inputs
    view = _AsSuccessor(op, [params, indices, constant(0)], {"batch_dims": 0})
    return get_gradient_function("GatherV2")(view, grad)[:2]


@register_gradient("BatchNormWithGlobalNormalization")
def _batch_norm_grad(op, grad):
    """``result = (t - m) * rsqrt(v + eps) * (gamma if scale_after_normalization) + beta``:
    each input's gradient, summed over the batch and spatial axes for the per-channel
    ones."""
    t, m, v, _, gamma = op.inputs
    scaled = op.get_attr("scale_after_normalization")
    inverse = math_ops.rsqrt(v + op.get_attr("variance_epsilon"))
    scale = inverse * gamma if scaled else inverse
    centered = t - m
    axes = [0, 1, 2]
    dt = grad * scale
    dm = -math_ops.reduce_sum(dt, axes)
    dv = math_ops.reduce_sum(grad * centered, axes) * (-0.5 * inverse * inverse * scale)
    dbeta = math_ops.reduce_sum(grad, axes)
    dgamma = math_ops.reduce_sum(grad * centered, axes) * inverse if scaled else zeros_like(gamma)
    return [dt, dm, dv, dbeta, dgamma]
