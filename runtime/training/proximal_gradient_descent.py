"""``ProximalGradientDescentOptimizer``: gradient descent with L1/L2 proximal steps."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class ProximalGradientDescentOptimizer(Optimizer):
    """A gradient step, then the proximal operator of ``l1*|w| + l2/2*w^2``:
    ``w = sign(p) * max(|p| - lr*l1, 0) / (1 + lr*l2)`` for ``p = w - lr*grad``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0, 0.05], name="w")
    ...     opt = ProximalGradientDescentOptimizer(0.1, l1_regularization_strength=1.0)
    ...     step = opt.apply_gradients([(tf.constant([0.0, 0.0]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(w.initializer)
    ...         sess.run(step)
    ...         print(sess.run(w))
    [0.9 0. ]
    """

    def __init__(
        self,
        learning_rate,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        use_locking=False,
        name="ProximalGradientDescent",
    ):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper_tensor(self._l1, "l1_regularization_strength")
        self._l2_tensor = self._hyper_tensor(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_proximal_gradient_descent(
            var,
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
            training_ops.SPARSE_APPLY_PROXIMAL_GRADIENT_DESCENT,
            [var],
            [*(cast_to(t, dtype) for t in hyper), grad.values, grad.indices],
            use_locking=self._use_locking,
        ).op
