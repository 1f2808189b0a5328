"""Exponential moving averages: ``assign_moving_average`` and ``ExponentialMovingAverage``.

An average is a variable that each update moves a fraction ``1 - decay`` of the way to
the averaged value: ``average -= (average - value) * (1 - decay)``. Batch normalization
keeps its population statistics this way, and models are often evaluated with the
averages of their weights (``ExponentialMovingAverage.variables_to_restore`` maps the
checkpoint's average names onto the model's variables for a ``Saver``).
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops import control_flow_ops, math_ops
from ..ops.core import convert_to_tensor
from ..ops.init_ops import Zeros
from ..ops.variable_scope import (
    create_slot_variable,
    get_variable,
    get_variable_scope,
    slot_value_filled,
    variable_scope,
)
from ..ops.variables import (
    Variable,
    assign_add,
    assign_sub,
    global_variables,
    init_scope,
    trainable_variables,
)

__all__ = ["ExponentialMovingAverage", "assign_moving_average", "moving_average_variables"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def moving_average_variables(scope=None) -> list:
    """The variables an ``ExponentialMovingAverage`` averages (``MOVING_AVERAGE_VARIABLES``)."""
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def assign_moving_average(variable, value, decay, zero_debias=True, name=None) -> Tensor:
    """Move ``variable`` towards ``value``: ``variable -= (variable - value) * (1 - decay)``.

    Parameters
    ----------
    variable : Variable
        The average.
    value : tensor
        What it averages, of the variable's shape.
    decay : float or tensor
        Close to one: how much of the old average stays.
    zero_debias : bool
        For an average that starts at zero: keep a biased average and a step count
        next to it (``<variable>/biased``, ``<variable>/local_step``) and set the
        variable to ``biased / (1 - decay ** step)``, Adam's correction.
    name : str, optional
        Default ``"AssignMovingAvg"``.

    Returns
    -------
    The variable's reference after the update.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     average = tf.Variable(0.0, name="average")
    ...     update = assign_moving_average(average, 10.0, 0.9, zero_debias=False)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(average.initializer)
    ...         print([round(float(sess.run(update)), 4) for _ in range(2)], update.op.name)
    [1.0, 1.9] AssignMovingAvg
    """
    graph = variable.graph
    with graph.name_scope(name or "AssignMovingAvg") as scope:
        dtype = variable.dtype.base_dtype
        rate = convert_to_tensor(1.0 - decay, name="decay")
        if rate.dtype.base_dtype != dtype:
            rate = math_ops.cast(rate, dtype)
        value = convert_to_tensor(value, dtype=dtype)
        if zero_debias:
            target = _debiased(variable, value, rate)
            delta = variable - target
        else:
            delta = (variable - value) * rate
        with graph.colocate_with(variable.op):
            return assign_sub(variable, delta, name=scope)


def _debiased(average: Variable, value: Tensor, rate: Tensor) -> Tensor:
    """The zero-debiased estimate of ``value``'s average, from a biased average and a step
    count kept in variables scoped under ``average``'s name."""
    graph = average.graph
    dtype = average.dtype.base_dtype
    with variable_scope(average.op.name, values=[average, value, rate]):
        with init_scope(graph), graph.colocate_with(average.op):
            biased = get_variable(
                _unique_in_scope("biased"),
                shape=average.shape,
                dtype=dtype,
                initializer=Zeros(),
                trainable=False,
            )
            local_step = get_variable(
                _unique_in_scope("local_step"),
                shape=[],
                dtype=dtype,
                initializer=Zeros(),
                trainable=False,
            )
        update_biased = assign_sub(biased, (biased - value) * rate)
        update_step = assign_add(local_step, 1.0)
        return update_biased / (1.0 - math_ops.pow(1.0 - rate, update_step))


def _unique_in_scope(name: str) -> str:
    """``name``, or ``name_1`` ... when the current variable scope has a variable by it."""
    scope = get_variable_scope().name
    taken = {v.op.name for v in global_variables()}
    candidate, index = name, 0
    while f"{scope}/{candidate}" in taken:
        index += 1
        candidate = f"{name}_{index}"
    return candidate


class ExponentialMovingAverage:
    """Keeps moving averages of variables (and tensors) for evaluation with smoothed weights.

    ``apply(var_list)`` creates one average per variable, named
    ``<variable>/ExponentialMovingAverage`` and starting at the variable's initial value
    (a tensor's average starts at zero), and returns the op that updates them all.
    Run it after each training step.

    Parameters
    ----------
    decay : float or tensor
        Typically 0.99 or 0.999.
    num_updates : tensor, optional
        The step count: the decay used is ``min(decay, (1 + n) / (10 + n))``, so early
        averages follow the values faster.
    zero_debias : bool
        Zero-debias the averages of tensors (see :func:`assign_moving_average`).
    name : str
        Names the averages and the update op.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(0.0, name="w")
    ...     ema = ExponentialMovingAverage(0.5)
    ...     update = ema.apply([w])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         _ = sess.run(w.assign(4.0))
    ...         sess.run(update)  # the average moves halfway, from 0 to 2
    ...         print(sess.run(ema.average(w)), ema.average_name(w))
    ...     print(ema.variables_to_restore())
    2.0 w/ExponentialMovingAverage
    {'w/ExponentialMovingAverage': <tf.Variable 'w:0' shape=() dtype=float32_ref>}
    """

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}  # averaged variable or tensor -> its average

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Create the averages of ``var_list`` (default: trainable variables) and return the
        op updating them all (a ``NoOp`` named after the average).

        Raises ``TypeError`` for a non-float variable and ``ValueError`` for one already
        averaged by this object.
        """
        var_list = trainable_variables() if var_list is None else list(var_list)
        for var in var_list:
            self._add_average(var)
        graph = get_default_graph()
        with graph.name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                steps = math_ops.cast(self._num_updates, dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + steps) / (10.0 + steps))
            updates = [
                assign_moving_average(
                    self._averages[var],
                    var,
                    decay,
                    zero_debias=self._zero_debias and not isinstance(var, Variable),
                )
                for var in var_list
            ]
            return control_flow_ops.group(*updates, name=scope)

    def _add_average(self, var) -> None:
        if var.dtype.base_dtype not in _FLOATS:
            raise TypeError(
                "The variables must be half, float, or double: "
                f"{var.name if isinstance(var, Variable) else var}"
            )
        if var in self._averages:
            raise ValueError(f"Moving average already computed for: {var.name}")
        graph = var.graph
        with init_scope(graph):
            if isinstance(var, Variable):
                average = create_slot_variable(var, var.initialized_value(), self._name)
                graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
            elif var.shape.is_fully_defined():
                average = create_slot_variable(var, Zeros(), self._name)
            else:  # TF's: zeros of the tensor's shape at run time
                zeros = slot_value_filled(var, 0, var.dtype.base_dtype)
                average = create_slot_variable(var, zeros, self._name)
        self._averages[var] = average

    def average(self, var):
        """The average variable of ``var`` (``None`` if ``apply`` did not average it)."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name of ``var``'s average: what a checkpoint of the averages calls it."""
        if var in self._averages:
            return self._averages[var].op.name
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """``{name in the checkpoint: variable}`` for a ``Saver`` that loads the averages
        into the model's own variables (and every other global variable as itself).

        ``moving_avg_variables`` defaults to the trainable variables and those in
        ``MOVING_AVERAGE_VARIABLES``.
        """
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        averaged = list(dict.fromkeys(moving_avg_variables))  # no duplicates, order kept
        names = {self.average_name(var): var for var in averaged}
        averaged_names = {var.name for var in averaged}
        for var in global_variables():
            if var.name not in averaged_names and var.op.name not in names:
                names[var.op.name] = var
        return names
