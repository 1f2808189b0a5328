"""``FtrlOptimizer``: FTRL-Proximal, the optimizer of large sparse linear models."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


def _check_non_negative(name: str, value) -> None:
    if value < 0.0:
        raise ValueError(f"{name} {value:f} needs to be positive or zero")


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal (McMahan et al., "Ad Click Prediction", 2013).

    Per variable ``w`` two slots: ``accum`` (the summed squared gradients, starting at
    ``initial_accumulator_value``) and ``linear``; the variable is the proximal solution
    of the linear term under L1 and L2 penalties, so small weights become exactly zero.

    Parameters
    ----------
    learning_rate : float or tensor
    learning_rate_power : float
        At most zero; ``-0.5`` is Adagrad-like.
    initial_accumulator_value : float
        At least zero.
    l1_regularization_strength, l2_regularization_strength : float
        At least zero.
    accum_name, linear_name : str, optional
        The slots' suffixes (default: the optimizer's name, made unique).
    l2_shrinkage_regularization_strength : float
        At least zero; an L2 term on the weights, added to the gradient (``ApplyFtrlV2``).
    beta : float, optional
        Adds ``beta / (2 * learning_rate)`` to the L2 strength.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([0.5, -0.5], name="w")
    ...     opt = FtrlOptimizer(0.1, l1_regularization_strength=1.0)
    ...     step = opt.apply_gradients([(tf.constant([0.1, -0.1]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w), opt.get_slot(w, "linear").op.name)
    [0. 0.] w/Ftrl_1
    """

    def __init__(
        self,
        learning_rate,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking=False,
        name="Ftrl",
        accum_name=None,
        linear_name=None,
        l2_shrinkage_regularization_strength=0.0,
        beta=None,
    ):
        super().__init__(use_locking, name)
        _check_non_negative("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError(
                f"learning_rate_power {learning_rate_power:f} needs to be negative or zero"
            )
        _check_non_negative("l1_regularization_strength", l1_regularization_strength)
        _check_non_negative("l2_regularization_strength", l2_regularization_strength)
        _check_non_negative(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength
        )
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._constant_slot(
                var, self._initial_accumulator_value, "accum", self._accum_name or self._name
            )
            self._zeros_slot(var, "linear", self._linear_name or self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper_tensor(self._l1, "l1_regularization_strength")
        # beta is folded into the L2 strength, as TF does.
        l2 = self._l2 + self._beta / (2.0 * self._learning_rate) if self._beta else self._l2
        self._l2_tensor = self._hyper_tensor(l2, "adjusted_l2_regularization_strength")
        self._l2_shrinkage_tensor = self._hyper_tensor(
            self._l2_shrinkage, "l2_shrinkage_regularization_strength"
        )
        self._power_tensor = self._hyper_tensor(self._learning_rate_power, "learning_rate_power")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        lr, l1, l2 = (
            cast_to(t, dtype)
            for t in (self._learning_rate_tensor, self._l1_tensor, self._l2_tensor)
        )
        power = cast_to(self._power_tensor, dtype)
        if self._l2_shrinkage <= 0.0:
            update = training_ops.apply_ftrl(
                var, accum, linear, grad, lr, l1, l2, power, use_locking=self._use_locking
            )
        else:
            shrinkage = cast_to(self._l2_shrinkage_tensor, dtype)
            update = training_ops.apply_ftrl_v2(
                var,
                accum,
                linear,
                grad,
                lr,
                l1,
                l2,
                shrinkage,
                power,
                use_locking=self._use_locking,
            )
        return update.op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        lr, l1, l2 = (
            cast_to(t, dtype)
            for t in (self._learning_rate_tensor, self._l1_tensor, self._l2_tensor)
        )
        power = cast_to(self._power_tensor, dtype)
        slots = [var, self.get_slot(var, "accum"), self.get_slot(var, "linear")]
        if self._l2_shrinkage <= 0.0:
            op_def, hyper = training_ops.SPARSE_APPLY_FTRL, [lr, l1, l2, power]
        else:
            shrinkage = cast_to(self._l2_shrinkage_tensor, dtype)
            op_def, hyper = training_ops.SPARSE_APPLY_FTRL_V2, [lr, l1, l2, shrinkage, power]
        return training_ops.sparse_apply(
            op_def, slots, [grad.values, grad.indices, *hyper], self._use_locking
        ).op
