"""``GradientDescentOptimizer``: ``var -= learning_rate * grad``."""

from __future__ import annotations

from ..ops.variable_update_ops import scatter_sub
from . import training_ops
from .optimizer import Optimizer, cast_to


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent (``tf.compat.v1.train.GradientDescentOptimizer``).

    Parameters
    ----------
    learning_rate : float, tensor, or callable returning one
    use_locking : bool
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(1.0, name="w")
    ...     step = GradientDescentOptimizer(0.5).apply_gradients([(tf.constant(2.0), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(w.initializer)
    ...         sess.run(step)
    ...         print(sess.run(w))
    0.0
    >>> step.name, step.control_inputs[0].name
    ('GradientDescent', 'GradientDescent/update_w/ApplyGradientDescent')
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var,
            cast_to(self._learning_rate_tensor, var.dtype.base_dtype),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse_duplicate_indices(self, grad, var):
        # A scatter adds up the rows of a repeated index itself.
        rate = cast_to(self._learning_rate_tensor, var.dtype.base_dtype)
        return scatter_sub(var, grad.indices, grad.values * rate, use_locking=self._use_locking)
