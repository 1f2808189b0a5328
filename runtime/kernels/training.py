"""Kernels of the optimizers' update ops (``ApplyGradientDescent``, ``ApplyFtrl`` ...).

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


@register_kernel("ApplyAdagrad", context=True)
def apply_adagrad(ctx, var, accum, lr, grad, *, T, use_locking, update_slots):
    def update(v, g, s):
        new_accum = v["accum"] + np.square(g) if update_slots else v["accum"]
        return {"accum": new_accum, "var": v["var"] - s["lr"] * g / np.sqrt(new_accum)}

    return _apply(ctx, {"var": var, "accum": accum}, grad, {"lr": lr}, update)


def _adagrad_da(v, g, s):
    accum = v["gradient_accumulator"] + g
    squared = v["gradient_squared_accumulator"] + np.square(g)
    step = s["global_step"].astype(accum.dtype)
    shrunk = np.maximum(np.abs(accum) - s["l1"] * step, 0) if s["l1"] > 0 else np.abs(accum)
    denominator = s["l2"] * step * s["lr"] + np.sqrt(squared)
    return {
        "gradient_accumulator": accum,
        "gradient_squared_accumulator": squared,
        "var": -np.sign(accum) * s["lr"] * shrunk / denominator,
    }


@register_kernel("ApplyAdagradDA", context=True)
def apply_adagrad_da(
    ctx,
    var,
    gradient_accumulator,
    gradient_squared_accumulator,
    grad,
    lr,
    l1,
    l2,
    global_step,
    *,
    T,
    use_locking,
):
    refs = {
        "var": var,
        "gradient_accumulator": gradient_accumulator,
        "gradient_squared_accumulator": gradient_squared_accumulator,
    }
    scalars = {"lr": lr, "l1": l1, "l2": l2, "global_step": global_step}
    return _apply(ctx, refs, grad, scalars, _adagrad_da)


def _adadelta(v, g, s):
    rho, eps = s["rho"], s["epsilon"]
    accum = v["accum"] * rho + np.square(g) * (1 - rho)
    step = np.sqrt(v["accum_update"] + eps) / np.sqrt(accum + eps) * g
    accum_update = v["accum_update"] * rho + np.square(step) * (1 - rho)
    return {"accum": accum, "accum_update": accum_update, "var": v["var"] - s["lr"] * step}


@register_kernel("ApplyAdadelta", context=True)
def apply_adadelta(ctx, var, accum, accum_update, lr, rho, epsilon, grad, *, T, use_locking):
    refs = {"var": var, "accum": accum, "accum_update": accum_update}
    return _apply(ctx, refs, grad, {"lr": lr, "rho": rho, "epsilon": epsilon}, _adadelta)


def _ftrl(v, g, s, shrinkage=0.0):
    """FTRL-Proximal; ``shrinkage`` adds ``2 * shrinkage * var`` to the linear term's gradient."""
    var, accum, power = v["var"], v["accum"], s["lr_power"]
    new_accum = accum + np.square(g)
    sigma = (np.power(new_accum, -power) - np.power(accum, -power)) / s["lr"]
    linear = v["linear"] + g + 2 * shrinkage * var - sigma * var
    quadratic = np.power(new_accum, -power) / s["lr"] + 2 * s["l2"]
    shrunk = np.sign(linear) * s["l1"] - linear
    new_var = np.where(np.abs(linear) > s["l1"], shrunk / quadratic, 0)
    return {"accum": new_accum, "linear": linear, "var": new_var}


_FTRL_SCALARS = ("lr", "l1", "l2", "lr_power")


@register_kernel("ApplyFtrl", context=True)
def apply_ftrl(
    ctx, var, accum, linear, grad, lr, l1, l2, lr_power, *, T, use_locking, multiply_linear_by_lr
):
    refs = {"var": var, "accum": accum, "linear": linear}
    return _apply(ctx, refs, grad, dict(zip(_FTRL_SCALARS, (lr, l1, l2, lr_power))), _ftrl)


@register_kernel("ApplyFtrlV2", context=True)
def apply_ftrl_v2(
    ctx,
    var,
    accum,
    linear,
    grad,
    lr,
    l1,
    l2,
    l2_shrinkage,
    lr_power,
    *,
    T,
    use_locking,
    multiply_linear_by_lr,
):
    refs = {"var": var, "accum": accum, "linear": linear}
    scalars = {**dict(zip(_FTRL_SCALARS, (lr, l1, l2, lr_power))), "shrinkage": l2_shrinkage}
    return _apply(ctx, refs, grad, scalars, lambda v, g, s: _ftrl(v, g, s, s["shrinkage"]))


def proximal_step(prox, rate, l1, l2):
    """The proximal operator of ``l1*|w| + l2/2*w^2`` at ``prox`` with step ``rate``."""
    if l1 > 0:
        prox = np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0)
    return prox / (1 + rate * l2)


@register_kernel("ApplyProximalGradientDescent", context=True)
def apply_proximal_gradient_descent(ctx, var, alpha, l1, l2, delta, *, T, use_locking):
    def update(v, g, s):
        prox = v["var"] - s["alpha"] * g
        return {"var": proximal_step(prox, s["alpha"], s["l1"], s["l2"])}

    return _apply(ctx, {"var": var}, delta, {"alpha": alpha, "l1": l1, "l2": l2}, update)


@register_kernel("ApplyProximalAdagrad", context=True)
def apply_proximal_adagrad(ctx, var, accum, lr, l1, l2, grad, *, T, use_locking):
    def update(v, g, s):
        accum = v["accum"] + np.square(g)
        rate = s["lr"] / np.sqrt(accum)
        prox = v["var"] - rate * g
        return {"accum": accum, "var": proximal_step(prox, rate, s["l1"], s["l2"])}

    refs = {"var": var, "accum": accum}
    return _apply(ctx, refs, grad, {"lr": lr, "l1": l1, "l2": l2}, update)
