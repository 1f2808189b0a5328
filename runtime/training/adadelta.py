"""``AdadeltaOptimizer``: steps scaled by the ratio of recent update and gradient sizes."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler, 2012).

    ``accum = rho*accum + (1-rho)*g^2``; ``update = sqrt(accum_update + eps) /
    sqrt(accum + eps) * g``; ``accum_update = rho*accum_update + (1-rho)*update^2``;
    ``var -= learning_rate * update``. Slots per variable ``w``: ``w/Adadelta``
    (accum) and ``w/Adadelta_1`` (accum_update).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0], name="w")
    ...     opt = AdadeltaOptimizer(1.0, rho=0.5, epsilon=1.0)
    ...     step = opt.apply_gradients([(tf.constant([3.0]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w), [opt.get_slot(w, s).op.name for s in ("accum", "accum_update")])
    [-0.27920437] ['w/Adadelta', 'w/Adadelta_1']
    """

    def __init__(
        self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False, name="Adadelta"
    ):
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._zeros_slot(var, "accum", self._name)
            self._zeros_slot(var, "accum_update", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "lr")
        self._rho_tensor = self._hyper_tensor(self._rho, "rho")
        self._epsilon_tensor = self._hyper_tensor(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_adadelta(
            var,
            self.get_slot(var, "accum"),
            self.get_slot(var, "accum_update"),
            cast_to(self._learning_rate_tensor, dtype),
            cast_to(self._rho_tensor, dtype),
            cast_to(self._epsilon_tensor, dtype),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.sparse_apply(
            training_ops.SPARSE_APPLY_ADADELTA,
            [var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update")],
            [
                cast_to(self._learning_rate_tensor, dtype),
                cast_to(self._rho_tensor, dtype),
                cast_to(self._epsilon_tensor, dtype),
                grad.values,
                grad.indices,
            ],
            use_locking=self._use_locking,
        ).op
