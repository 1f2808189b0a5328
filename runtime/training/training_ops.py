"""The optimizers' update ops: ``ApplyGradientDescent``, ``ApplyMomentum``, ``ApplyAdam``,
``ApplyRMSProp``, ``ApplyCenteredRMSProp``, ``ApplyAdagrad``, ``ApplyAdagradDA``,
``ApplyAdadelta``, ``ApplyFtrl``, ``ApplyFtrlV2``, ``ApplyProximalGradientDescent`` and
``ApplyProximalAdagrad``.

Each takes the variable and its slot variables by reference (``Ref(T)`` inputs, so the
placer keeps them together), hyperparameters as scalars, and the gradient; it
outputs the updated variable. The ``ResourceApply*`` forms (what TF 2.x graphs with
resource variables contain) take the variables as handles and output nothing.
Kernels: ``runtime.kernels.training``.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..ops.core import apply_op, convert_to_tensor
from ..ops.shape_util import merge_shapes
from ..ops.variables import ref_tensor
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..shapes import TensorShape

# Inputs of a fixed dtype rather than the variable's ``T``.
_FIXED_DTYPES = {"global_step": dtypes.int64}


def _apply_shape(refs: int, names: tuple):
    """Shape function of an apply op whose first ``refs`` inputs are references.

    The variable and its slots share one shape, and so does a dense op's gradient
    (``grad``/``delta``); a sparse op's gradient holds rows, one per entry of the
    ``indices`` vector. Every other input is a scalar hyperparameter.
    """
    sparse = "indices" in names

    def rule(*specs, T, **_attrs):
        shape = TensorShape(None)
        for i, (arg, spec) in enumerate(zip(names, specs)):
            if i < refs or (arg in ("grad", "delta") and not sparse):
                shape = merge_shapes(shape, spec.shape)
            elif arg == "indices":
                if spec.shape.rank not in (None, 1):
                    raise ValueError(
                        f"Shape must be rank 1 but is rank {spec.shape.rank} for input 'indices'"
                    )
            elif arg not in ("grad", "delta") and spec.shape.rank not in (None, 0):
                raise ValueError(
                    f"Shape must be rank 0 but is rank {spec.shape.rank} for input '{arg}'"
                )
        return [TensorSpec(T._as_ref, shape)]

    return rule


def _value_arg(arg: str) -> str:
    if arg == "indices":
        return "indices: Tindices"
    return f"{arg}: {'int64' if arg == 'global_step' else 'T'}"


def _register(name: str, refs: str, values: str, *attrs: str) -> OpDef:
    """An apply op taking the references ``refs`` and the values ``values`` (names)."""
    inputs = [f"{arg}: Ref(T)" for arg in refs.split()]
    inputs += [_value_arg(arg) for arg in values.split()]
    if "indices" in values.split():
        attrs = ("Tindices: {int32, int64}", *attrs)
    return register_op(
        OpDef(
            name,
            tuple(inputs),
            ("out: Ref(T)",),
            ("T: numbertype", "use_locking: bool = false", *attrs),
            shape_fn=_apply_shape(len(refs.split()), tuple(refs.split() + values.split())),
            is_stateful=True,
            # A model's largest updates take as long as a product: the pool's. The
            # executor runs small ones inline (their gradient is small), as TF's cost model.
            cost=Cost.EXPENSIVE,
        )
    )


def _register_resource(name: str, refs: str, values: str, *attrs: str) -> OpDef:
    """The ``ResourceApply*`` form of an apply op: variables as ``resource`` handles."""
    inputs = [f"{arg}: resource" for arg in refs.split()]
    inputs += [_value_arg(arg) for arg in values.split()]
    if "indices" in values.split():
        attrs = ("Tindices: {int32, int64}", *attrs)
    return register_op(
        OpDef(
            name,
            tuple(inputs),
            (),
            ("T: numbertype", "use_locking: bool = false", *attrs),
            shape_fn=lambda *specs, **_attrs: [],
            is_stateful=True,
            cost=Cost.EXPENSIVE,
        )
    )


# What the resource forms take, as the dense ref forms below do.
_RESOURCE_FORMS = (
    ("ResourceApplyGradientDescent", "var", "alpha delta"),
    ("ResourceApplyMomentum", "var accum", "lr grad momentum", "use_nesterov: bool = false"),
    (
        "ResourceApplyAdam",
        "var m v",
        "beta1_power beta2_power lr beta1 beta2 epsilon grad",
        "use_nesterov: bool = false",
    ),
    ("ResourceApplyRMSProp", "var ms mom", "lr rho momentum epsilon grad"),
    ("ResourceApplyCenteredRMSProp", "var mg ms mom", "lr rho momentum epsilon grad"),
    ("ResourceApplyAdagrad", "var accum", "lr grad", "update_slots: bool = true"),
    ("ResourceApplyAdadelta", "var accum accum_update", "lr rho epsilon grad"),
)
for _form in _RESOURCE_FORMS:
    _register_resource(*_form)

APPLY_GRADIENT_DESCENT = _register("ApplyGradientDescent", "var", "alpha delta")
APPLY_MOMENTUM = _register(
    "ApplyMomentum", "var accum", "lr grad momentum", "use_nesterov: bool = false"
)
APPLY_ADAM = _register(
    "ApplyAdam",
    "var m v",
    "beta1_power beta2_power lr beta1 beta2 epsilon grad",
    "use_nesterov: bool = false",
)
APPLY_RMS_PROP = _register("ApplyRMSProp", "var ms mom", "lr rho momentum epsilon grad")
APPLY_CENTERED_RMS_PROP = _register(
    "ApplyCenteredRMSProp", "var mg ms mom", "lr rho momentum epsilon grad"
)
APPLY_ADAGRAD = _register("ApplyAdagrad", "var accum", "lr grad", "update_slots: bool = true")
APPLY_ADAGRAD_DA = _register(
    "ApplyAdagradDA",
    "var gradient_accumulator gradient_squared_accumulator",
    "grad lr l1 l2 global_step",
)
APPLY_ADADELTA = _register("ApplyAdadelta", "var accum accum_update", "lr rho epsilon grad")
APPLY_FTRL = _register(
    "ApplyFtrl", "var accum linear", "grad lr l1 l2 lr_power", "multiply_linear_by_lr: bool = false"
)
APPLY_FTRL_V2 = _register(
    "ApplyFtrlV2",
    "var accum linear",
    "grad lr l1 l2 l2_shrinkage lr_power",
    "multiply_linear_by_lr: bool = false",
)
APPLY_PROXIMAL_GRADIENT_DESCENT = _register(
    "ApplyProximalGradientDescent", "var", "alpha l1 l2 delta"
)
APPLY_PROXIMAL_ADAGRAD = _register("ApplyProximalAdagrad", "var accum", "lr l1 l2 grad")

# The sparse updates: only the rows ``indices`` of the variable and its slots change.
SPARSE_APPLY_MOMENTUM = _register(
    "SparseApplyMomentum",
    "var accum",
    "lr grad indices momentum",
    "use_nesterov: bool = false",
)
SPARSE_APPLY_RMS_PROP = _register(
    "SparseApplyRMSProp", "var ms mom", "lr rho momentum epsilon grad indices"
)
SPARSE_APPLY_CENTERED_RMS_PROP = _register(
    "SparseApplyCenteredRMSProp", "var mg ms mom", "lr rho momentum epsilon grad indices"
)
SPARSE_APPLY_ADAGRAD = _register(
    "SparseApplyAdagrad", "var accum", "lr grad indices", "update_slots: bool = true"
)
SPARSE_APPLY_ADAGRAD_DA = _register(
    "SparseApplyAdagradDA",
    "var gradient_accumulator gradient_squared_accumulator",
    "grad indices lr l1 l2 global_step",
)
SPARSE_APPLY_ADADELTA = _register(
    "SparseApplyAdadelta", "var accum accum_update", "lr rho epsilon grad indices"
)
SPARSE_APPLY_FTRL = _register(
    "SparseApplyFtrl",
    "var accum linear",
    "grad indices lr l1 l2 lr_power",
    "multiply_linear_by_lr: bool = false",
)
SPARSE_APPLY_FTRL_V2 = _register(
    "SparseApplyFtrlV2",
    "var accum linear",
    "grad indices lr l1 l2 l2_shrinkage lr_power",
    "multiply_linear_by_lr: bool = false",
)
SPARSE_APPLY_PROXIMAL_GRADIENT_DESCENT = _register(
    "SparseApplyProximalGradientDescent", "var", "alpha l1 l2 grad indices"
)
SPARSE_APPLY_PROXIMAL_ADAGRAD = _register(
    "SparseApplyProximalAdagrad", "var accum", "lr l1 l2 grad indices"
)


def _build(op_def: OpDef, refs: list, values: list, name, **attrs) -> Tensor:
    refs = [ref_tensor(r, op_def.name, arg) for r, arg in zip(refs, op_def.input_names)]
    dtype = refs[0].dtype.base_dtype
    value_args = op_def.input_names[len(refs) :]
    values = [
        convert_to_tensor(v)
        if arg == "indices"
        else convert_to_tensor(v, dtype=_FIXED_DTYPES.get(arg, dtype))
        for v, arg in zip(values, value_args)
    ]
    if "indices" in value_args:
        attrs["Tindices"] = values[value_args.index("indices")].dtype.base_dtype
    return apply_op(op_def, [*refs, *values], name or op_def.name, T=dtype, **attrs).outputs[0]


def sparse_apply(op_def: OpDef, refs: list, values: list, use_locking=False, name=None, **attrs):
    """A ``SparseApply*`` op (``op_def``) on the variable and slots ``refs``, with ``values``
    in the op's order (``grad`` holds one row per entry of ``indices``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([[1.0], [1.0], [1.0]], name="w")
    ...     accum = tf.Variable([[7.0], [7.0], [7.0]], name="accum")
    ...     step = sparse_apply(SPARSE_APPLY_ADAGRAD, [w, accum], [0.5, [[3.0]], [2]])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(step).ravel())
    [1.    1.    0.625]
    """
    return _build(op_def, refs, values, name, use_locking=use_locking, **attrs)


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


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    """Adagrad: ``accum += grad^2; var -= lr * grad / sqrt(accum)``."""
    return _build(
        APPLY_ADAGRAD,
        [var, accum],
        [lr, grad],
        name,
        use_locking=use_locking,
        update_slots=update_slots,
    )


def apply_adagrad_da(
    var,
    gradient_accumulator,
    gradient_squared_accumulator,
    grad,
    lr,
    l1,
    l2,
    global_step,
    use_locking=False,
    name=None,
):
    """Adagrad dual averaging: the variable is recomputed from the accumulated gradients.

    ``var = -lr * sign(g) * max(|g| - l1*t, 0) / (l2*t*lr + sqrt(gg))`` for ``g`` the
    sum of gradients, ``gg`` the sum of their squares and ``t`` the (int64) step.
    """
    return _build(
        APPLY_ADAGRAD_DA,
        [var, gradient_accumulator, gradient_squared_accumulator],
        [grad, lr, l1, l2, global_step],
        name,
        use_locking=use_locking,
    )


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None):
    """Adadelta: the step is ``sqrt(accum_update + eps) / sqrt(accum + eps) * grad``, both
    accumulators decaying by ``rho``."""
    return _build(
        APPLY_ADADELTA,
        [var, accum, accum_update],
        [lr, rho, epsilon, grad],
        name,
        use_locking=use_locking,
    )


def apply_ftrl(
    var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False, name=None
) -> Tensor:
    """FTRL-Proximal (McMahan et al., 2013) with L1 and L2 regularization."""
    return _build(
        APPLY_FTRL,
        [var, accum, linear],
        [grad, lr, l1, l2, lr_power],
        name,
        use_locking=use_locking,
    )


def apply_ftrl_v2(
    var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, use_locking=False, name=None
) -> Tensor:
    """FTRL with an L2 shrinkage term: the gradient gains ``2 * l2_shrinkage * var``."""
    return _build(
        APPLY_FTRL_V2,
        [var, accum, linear],
        [grad, lr, l1, l2, l2_shrinkage, lr_power],
        name,
        use_locking=use_locking,
    )


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None):
    """A gradient step, then the proximal operator of ``l1*|w| + l2/2*w^2``."""
    return _build(
        APPLY_PROXIMAL_GRADIENT_DESCENT,
        [var],
        [alpha, l1, l2, delta],
        name,
        use_locking=use_locking,
    )


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None):
    """An Adagrad step, then the proximal operator with Adagrad's per-element rate."""
    return _build(
        APPLY_PROXIMAL_ADAGRAD,
        [var, accum],
        [lr, l1, l2, grad],
        name,
        use_locking=use_locking,
    )


__all__ = [
    "apply_adadelta",
    "apply_adagrad",
    "apply_adagrad_da",
    "apply_adam",
    "apply_centered_rms_prop",
    "apply_ftrl",
    "apply_ftrl_v2",
    "apply_gradient_descent",
    "apply_momentum",
    "apply_proximal_adagrad",
    "apply_proximal_gradient_descent",
    "apply_rms_prop",
]
