"""``AdagradOptimizer``: per-coordinate rates shrinking with the summed squared gradients."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class AdagradOptimizer(Optimizer):
    """Adagrad (Duchi et al., 2011): ``accum += grad^2; var -= lr * grad / sqrt(accum)``.

    Parameters
    ----------
    learning_rate : float, tensor, or callable returning one
    initial_accumulator_value : float
        Where every accumulator starts; must be positive.
    use_locking : bool
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0], name="w")
    ...     opt = AdagradOptimizer(0.5, initial_accumulator_value=3.0)
    ...     step = opt.apply_gradients([(tf.constant([1.0]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w), opt.get_slot(w, "accumulator").op.name)
    [0.75] w/Adagrad
    """

    def __init__(
        self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"
    ):
        if initial_accumulator_value <= 0.0:
            raise ValueError(
                f"initial_accumulator_value must be positive: {initial_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._constant_slot(var, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad(
            var,
            self.get_slot(var, "accumulator"),
            cast_to(self._learning_rate_tensor, var.dtype.base_dtype),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply(
            training_ops.SPARSE_APPLY_ADAGRAD,
            [var, self.get_slot(var, "accumulator")],
            [cast_to(self._learning_rate_tensor, var.dtype.base_dtype), grad.values, grad.indices],
            use_locking=self._use_locking,
        ).op
