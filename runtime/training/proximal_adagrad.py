"""``ProximalAdagradOptimizer``: Adagrad's per-coordinate rates with L1/L2 proximal steps."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class ProximalAdagradOptimizer(Optimizer):
    """Adagrad, then the proximal operator of ``l1*|w| + l2/2*w^2`` at the rate
    ``lr / sqrt(accum)`` of each coordinate (Duchi & Singer's FOBOS).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0], name="w")
    ...     opt = ProximalAdagradOptimizer(0.5, initial_accumulator_value=3.0)
    ...     step = opt.apply_gradients([(tf.constant([1.0]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w), opt.get_slot(w, "accumulator").op.name)
    [0.75] w/ProximalAdagrad
    """

    def __init__(
        self,
        learning_rate,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking=False,
        name="ProximalAdagrad",
    ):
        if initial_accumulator_value <= 0.0:
            raise ValueError(
                f"initial_accumulator_value must be positive: {initial_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._constant_slot(var, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper_tensor(self._l1, "l1_regularization_strength")
        self._l2_tensor = self._hyper_tensor(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_proximal_adagrad(
            var,
            self.get_slot(var, "accumulator"),
            cast_to(self._learning_rate_tensor, dtype),
            cast_to(self._l1_tensor, dtype),
            cast_to(self._l2_tensor, dtype),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        hyper = (self._learning_rate_tensor, self._l1_tensor, self._l2_tensor)
        return training_ops.sparse_apply(
            training_ops.SPARSE_APPLY_PROXIMAL_ADAGRAD,
            [var, self.get_slot(var, "accumulator")],
            [*(cast_to(t, dtype) for t in hyper), grad.values, grad.indices],
            use_locking=self._use_locking,
        ).op
