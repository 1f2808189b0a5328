"""The optimizers' update ops: ``ApplyGradientDescent``, ``ApplyMomentum``, ``ApplyAdam``,
``ApplyRMSProp`` and ``ApplyCenteredRMSProp``.

Each takes the variable and its slot variables by reference (``"&"`` inputs, so the
placer keeps them together), hyperparameters as scalars, and the gradient; it
outputs the updated variable. Kernels: ``runtime.kernels.training``.
"""

from __future__ import annotations

from ..graph import Tensor
from ..ops.core import apply_op, convert_to_tensor
from ..ops.shape_util import merge_shapes
from ..ops.variables import ref_tensor
from ..registry import REQUIRED, OpDef, TensorSpec, register_op
from ..shapes import TensorShape


def _apply_shape(inputs: tuple):
    """Shape function of an apply op from its input names.

    ``&`` inputs (the variable and its slots) and the gradient (``grad``/``delta``)
    share one shape; every other input is a scalar hyperparameter.
    """

    def rule(*specs, T, **_attrs):
        shape = TensorShape(None)
        for arg, spec in zip(inputs, specs):
            if spec.dtype != T:
                raise TypeError(
                    f"Expected {T.name} for input '{arg.lstrip('&')}', got {spec.dtype.name}"
                )
            if arg.startswith("&") or arg in ("grad", "delta"):
                shape = merge_shapes(shape, spec.shape)
            elif spec.shape.rank not in (None, 0):
                raise ValueError(
                    f"Shape must be rank 0 but is rank {spec.shape.rank} for input '{arg}'"
                )
        return [TensorSpec(T._as_ref, shape)]

    return rule


def _register(name: str, inputs: tuple, **attrs) -> OpDef:
    return register_op(
        OpDef(
            name,
            inputs,
            ("out",),
            attrs={"T": REQUIRED, "use_locking": False, **attrs},
            shape_fn=_apply_shape(inputs),
            is_stateful=True,
        )
    )


APPLY_GRADIENT_DESCENT = _register("ApplyGradientDescent", ("&var", "alpha", "delta"))
APPLY_MOMENTUM = _register(
    "ApplyMomentum", ("&var", "&accum", "lr", "grad", "momentum"), use_nesterov=False
)
APPLY_ADAM = _register(
    "ApplyAdam",
    ("&var", "&m", "&v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon", "grad"),
    use_nesterov=False,
)
APPLY_RMS_PROP = _register(
    "ApplyRMSProp", ("&var", "&ms", "&mom", "lr", "rho", "momentum", "epsilon", "grad")
)
APPLY_CENTERED_RMS_PROP = _register(
    "ApplyCenteredRMSProp",
    ("&var", "&mg", "&ms", "&mom", "lr", "rho", "momentum", "epsilon", "grad"),
)


def _build(op_def: OpDef, refs: list, values: list, name, **attrs) -> Tensor:
    refs = [ref_tensor(r, op_def.name, arg.lstrip("&")) for r, arg in zip(refs, op_def.inputs)]
    dtype = refs[0].dtype.base_dtype
    values = [convert_to_tensor(v, dtype=dtype) for v in values]
    return apply_op(op_def, [*refs, *values], name or op_def.name, T=dtype, **attrs).outputs[0]


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None) -> Tensor:
    """``var -= alpha * delta``."""
    return _build(APPLY_GRADIENT_DESCENT, [var], [alpha, delta], name, use_locking=use_locking)


def apply_momentum(
    var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None
) -> Tensor:
    """``accum = accum * momentum + grad; var -= lr * accum`` (or Nesterov's variant)."""
    return _build(
        APPLY_MOMENTUM,
        [var, accum],
        [lr, grad, momentum],
        name,
        use_locking=use_locking,
        use_nesterov=use_nesterov,
    )


def apply_adam(
    var,
    m,
    v,
    beta1_power,
    beta2_power,
    lr,
    beta1,
    beta2,
    epsilon,
    grad,
    use_locking=False,
    use_nesterov=False,
    name=None,
) -> Tensor:
    """Adam: ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``, ``var -= lr_t * m / (sqrt(v) + eps)``."""
    return _build(
        APPLY_ADAM,
        [var, m, v],
        [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad],
        name,
        use_locking=use_locking,
        use_nesterov=use_nesterov,
    )


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    """RMSProp: ``ms = rho*ms + (1-rho)*g^2; mom = momentum*mom + lr*g/sqrt(ms+eps); var -= mom``."""
    return _build(
        APPLY_RMS_PROP,
        [var, ms, mom],
        [lr, rho, momentum, epsilon, grad],
        name,
        use_locking=use_locking,
    )


def apply_centered_rms_prop(
    var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None
):
    """Centered RMSProp: normalises by ``sqrt(ms - mg^2 + eps)``, ``mg`` the mean gradient."""
    return _build(
        APPLY_CENTERED_RMS_PROP,
        [var, mg, ms, mom],
        [lr, rho, momentum, epsilon, grad],
        name,
        use_locking=use_locking,
    )


__all__ = [
    "apply_adam",
    "apply_centered_rms_prop",
    "apply_gradient_descent",
    "apply_momentum",
    "apply_rms_prop",
]
