"""``AdamOptimizer``: Kingma and Ba's Adam, with TF1's slots and accumulators."""

from __future__ import annotations

from ..ops import control_flow_ops, math_ops
from ..ops.variable_update_ops import scatter_add
from ..ops.variables import assign, assign_sub
from . import training_ops
from .optimizer import Optimizer, cast_to


class AdamOptimizer(Optimizer):
    """Adam (``tf.compat.v1.train.AdamOptimizer``).

    Per step ``t``: ``lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)``,
    ``m = beta1*m + (1-beta1)*g``, ``v = beta2*v + (1-beta2)*g^2``,
    ``var -= lr_t * m / (sqrt(v) + epsilon)``. Slots ``w/Adam`` (m) and ``w/Adam_1``
    (v) per variable; ``beta1_power`` and ``beta2_power`` hold ``beta^t`` and are
    updated after the variables.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0], name="w")
    ...     opt = AdamOptimizer(0.1)
    ...     step = opt.apply_gradients([(tf.constant([0.5]), w)])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w).round(5))  # the first step moves by about lr
    ...     print([v.op.name for v in opt.variables()])
    [0.9]
    ['beta1_power', 'beta2_power', 'w/Adam', 'w/Adam_1']
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-8,
        use_locking=False,
        name="Adam",
    ):
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _get_beta_accumulators(self):
        return (
            self._get_non_slot_variable("beta1_power"),
            self._get_non_slot_variable("beta2_power"),
        )

    def _create_slots(self, var_list) -> None:
        first = min(var_list, key=lambda v: v.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", colocate_with=first)
        self._create_non_slot_variable(self._beta2, "beta2_power", colocate_with=first)
        for var in var_list:
            self._zeros_slot(var, "m", self._name)
            self._zeros_slot(var, "v", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper_tensor(self._lr, "learning_rate")
        self._beta1_t = self._hyper_tensor(self._beta1, "beta1")
        self._beta2_t = self._hyper_tensor(self._beta2, "beta2")
        self._epsilon_t = self._hyper_tensor(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        beta1_power, beta2_power = self._get_beta_accumulators()
        return training_ops.apply_adam(
            var,
            self.get_slot(var, "m"),
            self.get_slot(var, "v"),
            cast_to(beta1_power, dtype),
            cast_to(beta2_power, dtype),
            cast_to(self._lr_t, dtype),
            cast_to(self._beta1_t, dtype),
            cast_to(self._beta2_t, dtype),
            cast_to(self._epsilon_t, dtype),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad, var):
        # As TF: decay every row of m and v, then scatter-add the gradient rows into them.
        dtype = var.dtype.base_dtype
        beta1_power, beta2_power = (cast_to(b, dtype) for b in self._get_beta_accumulators())
        lr, beta1, beta2, epsilon = (
            cast_to(t, dtype) for t in (self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t)
        )
        rate = lr * math_ops.sqrt(1 - beta2_power) / (1 - beta1_power)
        graph = var.graph
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_decayed = assign(m, m * beta1, use_locking=self._use_locking)
        with graph.control_dependencies([m_decayed]):
            m_t = scatter_add(m, grad.indices, grad.values * (1 - beta1), self._use_locking)
        v_decayed = assign(v, v * beta2, use_locking=self._use_locking)
        with graph.control_dependencies([v_decayed]):
            squares = (grad.values * grad.values) * (1 - beta2)
            v_t = scatter_add(v, grad.indices, squares, self._use_locking)
        step = rate * m_t / (math_ops.sqrt(v_t) + epsilon)
        var_update = assign_sub(var, step, use_locking=self._use_locking)
        return control_flow_ops.group(var_update, m_t, v_t)

    def _finish(self, update_ops, name_scope):
        # The accumulators advance once per step, after every variable has used them.
        beta1_power, beta2_power = self._get_beta_accumulators()
        graph = beta1_power.graph
        with graph.control_dependencies(update_ops), graph.colocate_with(beta1_power.op):
            update_beta1 = beta1_power.assign(
                beta1_power * self._beta1_t, use_locking=self._use_locking
            )
            update_beta2 = beta2_power.assign(
                beta2_power * self._beta2_t, use_locking=self._use_locking
            )
        return control_flow_ops.group(*update_ops, update_beta1, update_beta2, name=name_scope)
