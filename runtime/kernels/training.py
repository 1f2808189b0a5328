"""Kernels of the optimizers' update ops (``ApplyGradientDescent``, ``ApplyAdam`` ...).

Each takes the variable and its slots by reference, computes their new values with
TF's formulas (``tensorflow/core/kernels/training_ops.cc``), stores them as new
read-only arrays (readers never see a half-applied update), and journals the old
ones, so a failed step rolls the whole update back.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel


def _apply(ctx, refs: dict, grad, scalars: dict, update) -> tuple:
    """Lock ``refs``, compute ``update(values, grad, scalars)``, store the new values.

    ``refs`` maps names ("var", "m" ...) to references; ``update`` returns new values
    for some of them by name. Returns the variable's reference (the op's output).
    """
    ordered = sorted(refs.values(), key=id)  # one global order: no lock-order deadlocks
    for ref in ordered:
        ref.lock.acquire()
    try:
        values = {name: ref.read() for name, ref in refs.items()}
        var = values["var"]
        for name, value in [*values.items(), ("grad", grad)]:
            if np.shape(value) != var.shape:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"var and {name} do not have the same shape{list(var.shape)} "
                    f"{list(np.shape(value))}",
                )
        scalars = {k: _scalar(k, v) for k, v in scalars.items()}
        for name, new in update(values, np.asarray(grad), scalars).items():
            ref = refs[name]
            ref.store(np.asarray(new, dtype=ref.dtype), ctx.journal)
    finally:
        for ref in reversed(ordered):
            ref.lock.release()
    return (refs["var"],)


def _scalar(name, value):
    if np.ndim(value) != 0:
        raise InvalidArgumentError(None, None, f"{name} is not a scalar: {list(np.shape(value))}")
    return value[()] if isinstance(value, np.ndarray) else value


@register_kernel("ApplyGradientDescent", context=True)
def apply_gradient_descent(ctx, var, alpha, delta, *, T, use_locking):
    return _apply(
        ctx,
        {"var": var},
        delta,
        {"alpha": alpha},
        lambda v, g, s: {"var": v["var"] - s["alpha"] * g},
    )


def _momentum(v, g, s, nesterov):
    accum = v["accum"] * s["momentum"] + g
    step = g * s["lr"] + accum * s["momentum"] * s["lr"] if nesterov else accum * s["lr"]
    return {"accum": accum, "var": v["var"] - step}


@register_kernel("ApplyMomentum", context=True)
def apply_momentum(ctx, var, accum, lr, grad, momentum, *, T, use_locking, use_nesterov):
    return _apply(
        ctx,
        {"var": var, "accum": accum},
        grad,
        {"lr": lr, "momentum": momentum},
        lambda v, g, s: _momentum(v, g, s, use_nesterov),
    )


def _adam(v, g, s, nesterov):
    lr = s["lr"] * np.sqrt(1 - s["beta2_power"]) / (1 - s["beta1_power"])
    m = v["m"] + (g - v["m"]) * (1 - s["beta1"])
    vv = v["v"] + (np.square(g) - v["v"]) * (1 - s["beta2"])
    direction = m * s["beta1"] + (1 - s["beta1"]) * g if nesterov else m
    return {"m": m, "v": vv, "var": v["var"] - lr * direction / (np.sqrt(vv) + s["epsilon"])}


@register_kernel("ApplyAdam", context=True)
def apply_adam(
    ctx,
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
    *,
    T,
    use_locking,
    use_nesterov,
):
    scalars = {
        "beta1_power": beta1_power,
        "beta2_power": beta2_power,
        "lr": lr,
        "beta1": beta1,
        "beta2": beta2,
        "epsilon": epsilon,
    }
    return _apply(
        ctx,
        {"var": var, "m": m, "v": v},
        grad,
        scalars,
        lambda vals, g, s: _adam(vals, g, s, use_nesterov),
    )


def _rms_prop(v, g, s, centered):
    ms = v["ms"] + (np.square(g) - v["ms"]) * (1 - s["rho"])
    new = {"ms": ms}
    denominator = ms + s["epsilon"]
    if centered:
        mg = v["mg"] + (g - v["mg"]) * (1 - s["rho"])
        denominator = ms - np.square(mg) + s["epsilon"]
        new["mg"] = mg
    mom = v["mom"] * s["momentum"] + s["lr"] * g / np.sqrt(denominator)
    return {**new, "mom": mom, "var": v["var"] - mom}


_RMS_SCALARS = ("lr", "rho", "momentum", "epsilon")


@register_kernel("ApplyRMSProp", context=True)
def apply_rms_prop(ctx, var, ms, mom, lr, rho, momentum, epsilon, grad, *, T, use_locking):
    return _apply(
        ctx,
        {"var": var, "ms": ms, "mom": mom},
        grad,
        dict(zip(_RMS_SCALARS, (lr, rho, momentum, epsilon))),
        lambda v, g, s: _rms_prop(v, g, s, centered=False),
    )


@register_kernel("ApplyCenteredRMSProp", context=True)
def apply_centered_rms_prop(
    ctx, var, mg, ms, mom, lr, rho, momentum, epsilon, grad, *, T, use_locking
):
    return _apply(
        ctx,
        {"var": var, "mg": mg, "ms": ms, "mom": mom},
        grad,
        dict(zip(_RMS_SCALARS, (lr, rho, momentum, epsilon))),
        lambda v, g, s: _rms_prop(v, g, s, centered=True),
    )
