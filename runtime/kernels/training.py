"""Kernels of the optimizers' update ops: ``Apply*`` (dense) and ``SparseApply*`` (rows).

Each optimizer's update is one function of the variable's and slots' values, the
gradient and the scalar hyperparameters, with TF's formulas
(``tensorflow/core/kernels/training_ops.cc``). A dense op applies it to whole arrays;
a sparse op to the rows named by ``indices`` (in order, one row at a time, when an
index repeats, as TF's kernels do). The kernel takes the variable and slots by
reference, under their locks, stores the new values as new read-only arrays (readers
never see a half-applied update), and journals the old ones, so a failed step rolls
the whole update back.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from ..errors import InvalidArgumentError
from ..intra_op import ELEMENT_WORK, map_blocks, parts, threads_for
from ..registry import get_op_def, register_kernel

# -- the updates: (values by name, gradient, scalars by name, attrs) -> new values -----


def _gradient_descent(v, g, s, attrs):
    return {"var": v["var"] - s["alpha"] * g}


def _momentum(v, g, s, attrs):
    accum = v["accum"] * s["momentum"] + g
    if attrs["use_nesterov"]:
        step = g * s["lr"] + accum * s["momentum"] * s["lr"]
    else:
        step = accum * s["lr"]
    return {"accum": accum, "var": v["var"] - step}


def _adam(v, g, s, attrs):
    """Adam's update, written into the new arrays pass by pass (no temporaries beyond one
    per part), in parts of the flattened arrays on the intra-op threads when it is large:
    the largest update of a model is often the last op of its step, with the other
    threads idle (the MLP's 784x512 weight: 0.57 -> 0.43 ms on two threads). A small
    update is one call on the whole arrays: slicing them would cost more than it does."""
    lr = s["lr"] * np.sqrt(1 - s["beta2_power"]) / (1 - s["beta1_power"])
    beta1, beta2, epsilon = s["beta1"], s["beta2"], s["epsilon"]
    new = {name: np.empty_like(value) for name, value in v.items()}
    arrays = (new["m"], new["v"], new["var"], v["m"], v["v"], v["var"], g)

    def update(part: slice | None) -> None:
        m, vv, var, m0, v0, var0, gp = (
            arrays if part is None else [a.reshape(-1)[part] for a in arrays]
        )
        np.subtract(gp, m0, out=m)
        m *= 1 - beta1
        m += m0
        np.square(gp, out=vv)
        vv -= v0
        vv *= 1 - beta2
        vv += v0
        step = m * beta1 + (1 - beta1) * gp if attrs["use_nesterov"] else m
        # TF's order: (m * lr) / (sqrt(v) + epsilon); an array even for a 0-d variable
        step = np.multiply(step, lr, out=np.empty_like(m))
        np.sqrt(vv, out=var)
        var += epsilon
        np.divide(step, var, out=step)
        np.subtract(var0, step, out=var)

    threads = threads_for(g.size * _ADAM_PASSES * ELEMENT_WORK)
    if threads > 1:
        map_blocks(update, parts(g.size, threads), threads)
    else:
        update(None)
    return new


_ADAM_PASSES = 12  # elementwise passes of an Adam update


def _rms_prop(v, g, s, attrs):
    ms = v["ms"] + (np.square(g) - v["ms"]) * (1 - s["rho"])
    new = {"ms": ms}
    denominator = ms + s["epsilon"]
    if "mg" in v:  # the centered variant
        mg = v["mg"] + (g - v["mg"]) * (1 - s["rho"])
        denominator = ms - np.square(mg) + s["epsilon"]
        new["mg"] = mg
    mom = v["mom"] * s["momentum"] + s["lr"] * g / np.sqrt(denominator)
    return {**new, "mom": mom, "var": v["var"] - mom}


def _adagrad(v, g, s, attrs):
    accum = v["accum"] + np.square(g) if attrs["update_slots"] else v["accum"]
    return {"accum": accum, "var": v["var"] - s["lr"] * g / np.sqrt(accum)}


def _adagrad_da(v, g, s, attrs):
    accum = v["gradient_accumulator"] + g
    squared = v["gradient_squared_accumulator"] + np.square(g)
    step = np.asarray(s["global_step"]).astype(accum.dtype)
    shrunk = np.maximum(np.abs(accum) - s["l1"] * step, 0) if s["l1"] > 0 else np.abs(accum)
    denominator = s["l2"] * step * s["lr"] + np.sqrt(squared)
    return {
        "gradient_accumulator": accum,
        "gradient_squared_accumulator": squared,
        "var": -np.sign(accum) * s["lr"] * shrunk / denominator,
    }


def _adadelta(v, g, s, attrs):
    rho, eps = s["rho"], s["epsilon"]
    accum = v["accum"] * rho + np.square(g) * (1 - rho)
    step = np.sqrt(v["accum_update"] + eps) / np.sqrt(accum + eps) * g
    accum_update = v["accum_update"] * rho + np.square(step) * (1 - rho)
    return {"accum": accum, "accum_update": accum_update, "var": v["var"] - s["lr"] * step}


def _ftrl(v, g, s, attrs):
    """FTRL-Proximal; with ``l2_shrinkage`` (V2) the linear term's gradient gains
    ``2 * l2_shrinkage * var``."""
    var, accum, power = v["var"], v["accum"], s["lr_power"]
    new_accum = accum + np.square(g)
    sigma = (np.power(new_accum, -power) - np.power(accum, -power)) / s["lr"]
    linear = v["linear"] + g + 2 * s.get("l2_shrinkage", 0.0) * var - sigma * var
    quadratic = np.power(new_accum, -power) / s["lr"] + 2 * s["l2"]
    shrunk = np.sign(linear) * s["l1"] - linear
    new_var = np.where(np.abs(linear) > s["l1"], shrunk / quadratic, 0)
    return {"accum": new_accum, "linear": linear, "var": new_var}


def proximal_step(prox, rate, l1, l2):
    """The proximal operator of ``l1*|w| + l2/2*w^2`` at ``prox`` with step ``rate``."""
    if l1 > 0:
        prox = np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0)
    return prox / (1 + rate * l2)


def _proximal_gradient_descent(v, g, s, attrs):
    prox = v["var"] - s["alpha"] * g
    return {"var": proximal_step(prox, s["alpha"], s["l1"], s["l2"])}


def _proximal_adagrad(v, g, s, attrs):
    accum = v["accum"] + np.square(g)
    rate = s["lr"] / np.sqrt(accum)
    prox = v["var"] - rate * g
    return {"accum": accum, "var": proximal_step(prox, rate, s["l1"], s["l2"])}


# -- applying them ------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(refs: dict):
    ordered = sorted(refs.values(), key=id)  # one global order: no lock-order deadlocks
    for ref in ordered:
        ref.lock.acquire()
    try:
        yield
    finally:
        for ref in reversed(ordered):
            ref.lock.release()


def _scalar(name, value):
    if np.ndim(value) != 0:
        raise InvalidArgumentError(None, None, f"{name} is not a scalar: {list(np.shape(value))}")
    return value[()] if isinstance(value, np.ndarray) else value


def _check_same_shapes(values: dict, grad) -> None:
    var = values["var"]
    for name, value in [*values.items(), ("grad", grad)]:
        if np.shape(value) != var.shape:
            raise InvalidArgumentError(
                None,
                None,
                f"var and {name} do not have the same shape{list(var.shape)} "
                f"{list(np.shape(value))}",
            )


def _dense(values: dict, grad, indices, scalars, update, attrs) -> dict:
    _check_same_shapes(values, grad)
    return update(values, grad, scalars, attrs)


def _rows(values: dict, grad, indices, scalars, update, attrs) -> dict:
    """The update applied to the rows ``indices``; the other rows stay as they were."""
    var = values["var"]
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise InvalidArgumentError(None, None, f"indices must be one-dimensional: {indices.shape}")
    if grad.shape[:1] != indices.shape or grad.shape[1:] != var.shape[1:]:
        raise InvalidArgumentError(
            None,
            None,
            "grad must be the same size as indices in the first dimension, and the rest of "
            f"var's: var {list(var.shape)}, grad {list(grad.shape)}, indices {list(indices.shape)}",
        )
    for position, index in enumerate(indices):
        if not 0 <= index < var.shape[0]:
            raise InvalidArgumentError(
                None, None, f"indices[{position}] = {index} is not in [0, {var.shape[0]})"
            )
    new = {name: np.array(value) for name, value in values.items()}  # writable copies
    unique = len(np.unique(indices)) == len(indices)
    batches = [np.arange(len(indices))] if unique else [[k] for k in range(len(indices))]
    for positions in batches:
        rows = indices[positions]
        updated = update({n: v[rows] for n, v in new.items()}, grad[positions], scalars, attrs)
        for name, value in updated.items():
            new[name][rows] = value
    return new


@functools.cache
def _layout(op_type: str) -> tuple:
    """(input names, positions of the variables) of ``op_type``, from its OpDef: its
    references, or its resource handles (``ResourceApply*``)."""
    op_def = get_op_def(op_type)
    handles = [i for i, arg in enumerate(op_def.signature.inputs) if arg.type == "resource"]
    return op_def.input_names, frozenset(op_def.ref_inputs) | frozenset(handles)


def _register(op_type: str, update, apply) -> None:
    @register_kernel(op_type, context=True)
    def kernel(ctx, *inputs, **attrs):
        names, ref_positions = _layout(op_type)
        refs, scalars, grad, indices = {}, {}, None, None
        for position, (name, value) in enumerate(zip(names, inputs)):
            if position in ref_positions:
                refs[name] = value
            elif name in ("grad", "delta"):
                grad = np.asarray(value)
            elif name == "indices":
                indices = value
            else:
                scalars[name] = _scalar(name, value)
        with _locked(refs):
            values = {name: ref.read() for name, ref in refs.items()}
            new = apply(values, grad, indices, scalars, update, attrs)
            for name, value in new.items():
                ref = refs[name]
                ref.store(np.asarray(value, dtype=ref.dtype), ctx.journal)
        return () if op_type.startswith("Resource") else (refs["var"],)

    kernel.__name__ = kernel.__qualname__ = op_type


_UPDATES = {
    "GradientDescent": _gradient_descent,
    "Momentum": _momentum,
    "Adam": _adam,
    "RMSProp": _rms_prop,
    "CenteredRMSProp": _rms_prop,
    "Adagrad": _adagrad,
    "AdagradDA": _adagrad_da,
    "Adadelta": _adadelta,
    "Ftrl": _ftrl,
    "FtrlV2": _ftrl,
    "ProximalGradientDescent": _proximal_gradient_descent,
    "ProximalAdagrad": _proximal_adagrad,
}
# Adam and plain gradient descent update rows with scatter ops instead, as in TF.
_DENSE_ONLY = ("GradientDescent", "Adam")

# The ResourceApply* forms TF 2.x graphs with resource variables contain.
_RESOURCE_FORMS = (
    "GradientDescent",
    "Momentum",
    "Adam",
    "RMSProp",
    "CenteredRMSProp",
    "Adagrad",
    "Adadelta",
)

for _name, _update in _UPDATES.items():
    _register(f"Apply{_name}", _update, _dense)
    if _name in _RESOURCE_FORMS:
        _register(f"ResourceApply{_name}", _update, _dense)
    if _name not in _DENSE_ONLY:
        _register(f"SparseApply{_name}", _update, _rows)
