"""Learning-rate schedules: ``tf.compat.v1.train.exponential_decay`` and its kin.

Each schedule is a small graph computing the learning rate from the global step, built
in a name scope that names its result (``ExponentialDecay:0``). The step is cast to the
learning rate's dtype, so an int64 global step and a float32 rate give a float32 rate.
Pass the result to an optimizer and increment the step with ``minimize(...,
global_step=step)``: each run then reads the rate of the current step.
"""

from __future__ import annotations

import math

from ..graph import Tensor, get_default_graph
from ..ops import control_flow_ops, math_ops, random_ops
from ..ops.core import constant, convert_to_tensor

__all__ = [
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]


def _inputs(schedule: str, learning_rate, global_step, *params) -> tuple[Tensor, ...]:
    """The learning rate as a tensor, then the step and ``params`` cast to its dtype."""
    if global_step is None:
        raise ValueError(f"global_step is required for {schedule}.")
    rate = convert_to_tensor(learning_rate, name="initial_learning_rate")
    return (rate, *(math_ops.cast(value, rate.dtype) for value in (global_step, *params)))


def _cosine(fraction: Tensor) -> Tensor:
    """``0.5 * (1 + cos(pi * fraction))``: from one down to zero as ``fraction`` goes 0 → 1."""
    pi = constant(math.pi, dtype=fraction.dtype)
    return 0.5 * (1.0 + math_ops.cos(pi * fraction))


def exponential_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None
) -> Tensor:
    """``learning_rate * decay_rate ** (global_step / decay_steps)``.

    With ``staircase=True`` the exponent is floored, so the rate drops every
    ``decay_steps`` steps.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = exponential_decay(0.1, 20, decay_steps=10, decay_rate=0.5)
    ...     print(lr.name, round(float(tf.compat.v1.Session().run(lr)), 6))
    ExponentialDecay:0 0.025
    """
    with get_default_graph().name_scope(name or "ExponentialDecay") as scope:
        rate, step, steps, decay = _inputs(
            "exponential_decay", learning_rate, global_step, decay_steps, decay_rate
        )
        exponent = step / steps
        if staircase:
            exponent = math_ops.floor(exponent)
        return math_ops.multiply(rate, math_ops.pow(decay, exponent), name=scope)


def natural_exp_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None
) -> Tensor:
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)`` (floored if staircase).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = natural_exp_decay(1.0, 10, decay_steps=10, decay_rate=1.0)
    ...     print(round(float(tf.compat.v1.Session().run(lr)), 6))
    0.367879
    """
    with get_default_graph().name_scope(name or "NaturalExpDecay") as scope:
        rate, step, steps, decay = _inputs(
            "natural_exp_decay", learning_rate, global_step, decay_steps, decay_rate
        )
        exponent = step / steps
        if staircase:
            exponent = math_ops.floor(exponent)
        return math_ops.multiply(rate, math_ops.exp(-decay * exponent), name=scope)


def inverse_time_decay(
    learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None
) -> Tensor:
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)`` (floored if staircase).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = inverse_time_decay(1.0, 10, decay_steps=5, decay_rate=0.5)
    ...     print(float(tf.compat.v1.Session().run(lr)))
    0.5
    """
    with get_default_graph().name_scope(name or "InverseTimeDecay") as scope:
        rate, step, steps, decay = _inputs(
            "inverse_time_decay", learning_rate, global_step, decay_steps, decay_rate
        )
        fraction = step / steps
        if staircase:
            fraction = math_ops.floor(fraction)
        return math_ops.truediv(rate, 1.0 + decay * fraction, name=scope)


def polynomial_decay(
    learning_rate,
    global_step,
    decay_steps,
    end_learning_rate=0.0001,
    power=1.0,
    cycle=False,
    name=None,
) -> Tensor:
    """From ``learning_rate`` to ``end_learning_rate`` over ``decay_steps``, as a polynomial.

    ``(learning_rate - end) * (1 - step / decay_steps) ** power + end``, with the step
    capped at ``decay_steps``; with ``cycle=True`` the horizon is instead the first
    multiple of ``decay_steps`` at or beyond the step, so the rate climbs back up.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = polynomial_decay(1.0, 5, decay_steps=10, end_learning_rate=0.0)
    ...     print(float(tf.compat.v1.Session().run(lr)))
    0.5
    """
    with get_default_graph().name_scope(name or "PolynomialDecay") as scope:
        rate, step, steps, end, power = _inputs(
            "polynomial_decay", learning_rate, global_step, decay_steps, end_learning_rate, power
        )
        if cycle:
            # The first multiple of decay_steps past the step (one at step zero).
            multiple = math_ops.maximum(math_ops.ceil(step / steps), 1.0)
            steps = steps * multiple
        else:
            step = math_ops.minimum(step, steps)
        remaining = 1.0 - step / steps
        return math_ops.add((rate - end) * math_ops.pow(remaining, power), end, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None) -> Tensor:
    """Half a cosine from ``learning_rate`` down to ``alpha * learning_rate`` over
    ``decay_steps`` (Loshchilov & Hutter's SGDR without restarts).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = cosine_decay(1.0, 5, decay_steps=10)
    ...     print(round(float(tf.compat.v1.Session().run(lr)), 6))
    0.5
    """
    with get_default_graph().name_scope(name or "CosineDecay") as scope:
        rate, step, steps, alpha = _inputs(
            "cosine_decay", learning_rate, global_step, decay_steps, alpha
        )
        decayed = _cosine(math_ops.minimum(step, steps) / steps)
        return math_ops.multiply(rate, (1.0 - alpha) * decayed + alpha, name=scope)


def cosine_decay_restarts(
    learning_rate,
    global_step,
    first_decay_steps,
    t_mul=2.0,
    m_mul=1.0,
    alpha=0.0,
    name=None,
) -> Tensor:
    """Cosine decay with warm restarts: each period ``t_mul`` times longer than the last
    and restarting ``m_mul`` times lower.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = cosine_decay_restarts(1.0, 10, first_decay_steps=10)  # the first restart
    ...     print(float(tf.compat.v1.Session().run(lr)))
    1.0
    """
    with get_default_graph().name_scope(name or "SGDRDecay") as scope:
        rate, step, first, t_mul, m_mul, alpha = _inputs(
            "cosine_decay_restarts",
            learning_rate,
            global_step,
            first_decay_steps,
            t_mul,
            m_mul,
            alpha,
        )
        completed = step / first
        restart, fraction = control_flow_ops.cond(
            math_ops.equal(t_mul, 1.0),
            lambda: _equal_periods(completed),
            lambda: _growing_periods(completed, t_mul),
        )
        decayed = math_ops.pow(m_mul, restart) * _cosine(fraction)
        return math_ops.multiply(rate, (1.0 - alpha) * decayed + alpha, name=scope)


def _equal_periods(completed: Tensor) -> tuple[Tensor, Tensor]:
    """(index of the current period, fraction of it done) when periods are equally long."""
    restart = math_ops.floor(completed)
    return restart, completed - restart


def _growing_periods(completed: Tensor, t_mul: Tensor) -> tuple[Tensor, Tensor]:
    """The same when period ``i`` is ``t_mul ** i`` first periods long (a geometric sum)."""
    restart = math_ops.floor(math_ops.log(1.0 - completed * (1.0 - t_mul)) / math_ops.log(t_mul))
    done = (1.0 - math_ops.pow(t_mul, restart)) / (1.0 - t_mul)
    return restart, (completed - done) / math_ops.pow(t_mul, restart)


def linear_cosine_decay(
    learning_rate,
    global_step,
    decay_steps,
    num_periods=0.5,
    alpha=0.0,
    beta=0.001,
    name=None,
) -> Tensor:
    """A cosine of ``num_periods`` periods times a linear decay to zero, plus ``beta``:
    ``learning_rate * ((alpha + linear) * cosine + beta)`` (Bello et al., 2017).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = linear_cosine_decay(1.0, 10, decay_steps=10)
    ...     print(round(float(tf.compat.v1.Session().run(lr)), 6))
    0.001
    """
    with get_default_graph().name_scope(name or "LinearCosineDecay") as scope:
        rate, step, steps, periods, alpha, beta = _inputs(
            "linear_cosine_decay", learning_rate, global_step, decay_steps, num_periods, alpha, beta
        )
        step = math_ops.minimum(step, steps)
        linear = (steps - step) / steps
        cosine = _cosine(2.0 * periods * step / steps)
        return math_ops.multiply(rate, (alpha + linear) * cosine + beta, name=scope)


def noisy_linear_cosine_decay(
    learning_rate,
    global_step,
    decay_steps,
    initial_variance=1.0,
    variance_decay=0.55,
    num_periods=0.5,
    alpha=0.0,
    beta=0.001,
    name=None,
) -> Tensor:
    """:func:`linear_cosine_decay` with Gaussian noise on the linear part, its variance
    ``initial_variance / (1 + step) ** variance_decay`` shrinking as training goes on.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     lr = noisy_linear_cosine_decay(1.0, 0, decay_steps=10, initial_variance=0.0)
    ...     print(round(float(tf.compat.v1.Session().run(lr)), 6))
    1.001
    """
    with get_default_graph().name_scope(name or "NoisyLinearCosineDecay") as scope:
        rate, step, steps, variance, variance_decay, periods, alpha, beta = _inputs(
            "noisy_linear_cosine_decay",
            learning_rate,
            global_step,
            decay_steps,
            initial_variance,
            variance_decay,
            num_periods,
            alpha,
            beta,
        )
        step = math_ops.minimum(step, steps)
        linear = (steps - step) / steps
        std = math_ops.sqrt(variance / math_ops.pow(1.0 + step, variance_decay))
        noise = random_ops.random_normal([], stddev=std, dtype=rate.dtype)
        cosine = _cosine(2.0 * periods * step / steps)
        return math_ops.multiply(rate, (alpha + linear + noise) * cosine + beta, name=scope)


def piecewise_constant(x, boundaries, values, name=None) -> Tensor:
    """``values[0]`` while ``x <= boundaries[0]``, ``values[1]`` while ``x <= boundaries[1]``,
    ..., ``values[-1]`` beyond the last boundary.

    Parameters
    ----------
    x : scalar tensor (the global step, typically)
    boundaries : list of numbers or tensors, increasing, of ``x``'s dtype (Python numbers
        are converted to it)
    values : list, one longer than ``boundaries``, all of one dtype

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = tf.compat.v1.placeholder(tf.int64, [])
    ...     lr = piecewise_constant(step, [10, 20], [1.0, 0.5, 0.1])
    ...     sess = tf.compat.v1.Session()
    ...     print([round(float(sess.run(lr, {step: s})), 6) for s in (10, 11, 21)])
    [1.0, 0.5, 0.1]
    """
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with get_default_graph().name_scope(name or "PiecewiseConstant"):
        x = convert_to_tensor(x)
        boundaries = [_boundary(b, x.dtype) for b in boundaries]
        values = [convert_to_tensor(v) for v in values]
        for value in values[1:]:
            if value.dtype.base_dtype != values[0].dtype.base_dtype:
                raise ValueError(
                    "Values must have elements all with the same dtype "
                    f"({values[0].dtype.base_dtype!r} vs {value.dtype.base_dtype!r})."
                )
        result = values[-1]
        # Built from the last interval inward: each boundary picks its interval's value.
        for boundary, value in zip(reversed(boundaries), reversed(values[:-1])):
            result = math_ops.where(math_ops.less_equal(x, boundary), value, result)
        return result


def _boundary(value, dtype) -> Tensor:
    if isinstance(value, Tensor):
        if value.dtype.base_dtype != dtype.base_dtype:
            raise ValueError(
                f"Boundaries ({value.dtype.base_dtype!r}) must have the same dtype as x "
                f"({dtype.base_dtype!r})."
            )
        return value
    tensor = convert_to_tensor(value)
    if tensor.dtype.is_floating and not dtype.base_dtype.is_floating:
        raise ValueError(
            f"Boundaries ({tensor.dtype.base_dtype!r}) must have the same dtype as x "
            f"({dtype.base_dtype!r})."
        )
    return math_ops.cast(tensor, dtype) if tensor.dtype.base_dtype != dtype else tensor


piecewise_constant_decay = piecewise_constant  # TF1's other name for it
