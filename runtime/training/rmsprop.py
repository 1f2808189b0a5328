"""``RMSPropOptimizer``: Hinton's RMSProp, with momentum and the centered variant."""

from __future__ import annotations

from . import training_ops
from .optimizer import Optimizer, cast_to


class RMSPropOptimizer(Optimizer):
    """RMSProp (``tf.compat.v1.train.RMSPropOptimizer``).

    ``ms = decay*ms + (1-decay)*g^2``; ``mom = momentum*mom + lr*g/sqrt(ms + epsilon)``;
    ``var -= mom``. ``centered=True`` also tracks the mean gradient ``mg`` and divides
    by ``sqrt(ms - mg^2 + epsilon)``. As in TF1, ``ms`` starts at one. Slots per
    variable ``w``: ``w/RMSProp`` (ms), then ``w/RMSProp_1`` (mg, when centered) and the
    momentum.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0], name="w")
    ...     opt = RMSPropOptimizer(0.01, centered=True)
    ...     step = opt.apply_gradients([(tf.constant([1.0]), w)])
    >>> [opt.get_slot(w, s).op.name for s in ("rms", "mg", "momentum")]
    ['w/RMSProp', 'w/RMSProp_1', 'w/RMSProp_2']
    """

    def __init__(
        self,
        learning_rate,
        decay=0.9,
        momentum=0.0,
        epsilon=1e-10,
        use_locking=False,
        centered=False,
        name="RMSProp",
    ):
        super().__init__(use_locking, name)
        self._learning_rate, self._decay = learning_rate, decay
        self._momentum, self._epsilon = momentum, epsilon
        self._centered = centered

    def _create_slots(self, var_list) -> None:
        for var in var_list:
            self._constant_slot(var, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(var, "mg", self._name)
            self._zeros_slot(var, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._decay_tensor = self._hyper_tensor(self._decay, "decay")
        self._momentum_tensor = self._hyper_tensor(self._momentum, "momentum")
        self._epsilon_tensor = self._hyper_tensor(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        hyper = [
            cast_to(t, dtype)
            for t in (
                self._learning_rate_tensor,
                self._decay_tensor,
                self._momentum_tensor,
                self._epsilon_tensor,
            )
        ]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return training_ops.apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *hyper, grad, use_locking=self._use_locking
            ).op
        return training_ops.apply_rms_prop(
            var, rms, mom, *hyper, grad, use_locking=self._use_locking
        ).op

    def _apply_sparse(self, grad, var):
        dtype = var.dtype.base_dtype
        hyper = [
            cast_to(t, dtype)
            for t in (
                self._learning_rate_tensor,
                self._decay_tensor,
                self._momentum_tensor,
                self._epsilon_tensor,
            )
        ]
        slots = [self.get_slot(var, "rms"), self.get_slot(var, "momentum")]
        op_def = training_ops.SPARSE_APPLY_RMS_PROP
        if self._centered:
            slots = [self.get_slot(var, "mg"), *slots]
            op_def = training_ops.SPARSE_APPLY_CENTERED_RMS_PROP
        return training_ops.sparse_apply(
            op_def, [var, *slots], [*hyper, grad.values, grad.indices], self._use_locking
        ).op
