"""``AdagradDAOptimizer``: Adagrad dual averaging, for sparse models trained with L1."""

from __future__ import annotations

from .. import dtypes
from ..ops import array_ops, math_ops
from . import training_ops
from .optimizer import Optimizer, cast_to


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging (Xiao, 2010; Duchi et al., 2011).

    The variable is not stepped but recomputed each step from the sums of the
    gradients and of their squares, with the number of steps taken ``t``:
    ``var = -lr * sign(g) * max(|g| - l1*t, 0) / (l2*t*lr + sqrt(gg))``. So the
    optimizer needs the global step; ``minimize`` must advance it.

    Parameters
    ----------
    learning_rate : float or tensor
    global_step : int64 variable
        The training step (``t`` is its value plus one).
    initial_gradient_squared_accumulator_value : float
        Where ``gg`` starts; must be positive.
    l1_regularization_strength, l2_regularization_strength : float
        Non-negative.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     w = tf.Variable([1.0, 2.0], name="w")
    ...     opt = AdagradDAOptimizer(0.1, step)
    ...     train = opt.apply_gradients([(tf.constant([1.0, -1.0]), w)], global_step=step)
    ...     sorted(opt.get_slot_names())
    ['gradient_accumulator', 'gradient_squared_accumulator']
    """

    def __init__(
        self,
        learning_rate,
        global_step,
        initial_gradient_squared_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking=False,
        name="AdagradDA",
    ):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(
                "initial_gradient_squared_accumulator_value must be positive: "
                f"{initial_gradient_squared_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_value = initial_gradient_squared_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._global_step = global_step

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._zeros_slot(var, "gradient_accumulator", self._name)
            self._constant_slot(
                var, self._initial_value, "gradient_squared_accumulator", self._name
            )

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        # The step counts the update being made, so it starts at one.
        step = math_ops.cast(array_ops.identity(self._global_step), dtypes.int64)
        self._step_tensor = step + 1

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_adagrad_da(
            var,
            self.get_slot(var, "gradient_accumulator"),
            self.get_slot(var, "gradient_squared_accumulator"),
            grad,
            cast_to(self._learning_rate_tensor, dtype),
            cast_to(self._l1, dtype),
            cast_to(self._l2, dtype),
            self._step_tensor,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.sparse_apply(
            training_ops.SPARSE_APPLY_ADAGRAD_DA,
            [
                var,
                self.get_slot(var, "gradient_accumulator"),
                self.get_slot(var, "gradient_squared_accumulator"),
            ],
            [
                grad.values,
                grad.indices,
                cast_to(self._learning_rate_tensor, dtype),
                cast_to(self._l1, dtype),
                cast_to(self._l2, dtype),
                self._step_tensor,
            ],
            use_locking=self._use_locking,
        ).op
