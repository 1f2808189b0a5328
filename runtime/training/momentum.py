"""``MomentumOptimizer``: gradient descent with a velocity (and Nesterov's variant)."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= learning_rate * accum``.

    With ``use_nesterov=True``: ``var -= learning_rate * (grad + momentum * accum)``.
    Each variable ``w`` gets a slot ``w/Momentum`` for ``accum``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0, 2.0], name="w")
    ...     opt = MomentumOptimizer(0.1, momentum=0.9)
    ...     step = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    >>> opt.get_slot(w, "momentum").op.name
    'w/Momentum'
    """

    def __init__(
        self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False
    ):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper_tensor(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_momentum(
            var,
            self.get_slot(var, "momentum"),
            cast_to(self._learning_rate_tensor, dtype),
            grad,
            cast_to(self._momentum_tensor, dtype),
            use_locking=self._use_locking,
            use_nesterov=self._use_nesterov,
        ).op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.sparse_apply(
            training_ops.SPARSE_APPLY_MOMENTUM,
            [var, self.get_slot(var, "momentum")],
            [
                cast_to(self._learning_rate_tensor, dtype),
                grad.values,
                grad.indices,
                cast_to(self._momentum_tensor, dtype),
            ],
            use_locking=self._use_locking,
            use_nesterov=self._use_nesterov,
        ).op
