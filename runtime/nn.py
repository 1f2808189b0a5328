"""``tf.nn``: neural-network ops under TF2's names, and ``tf.compat.v1.nn`` (:data:`v1`).

The two differ only where TF's signatures do: ``v1.dropout`` takes ``keep_prob``,
``v1.softmax_cross_entropy_with_logits`` stops the gradient into ``labels``,
``v1.max_pool``/``v1.avg_pool`` take ``value``, ``v1.conv2d`` takes ``filter``.

Examples
--------
>>> import runtime as tf
>>> tf.nn.relu is tf.compat.v1.nn.relu, tf.nn.max_pool is tf.compat.v1.nn.max_pool
(True, False)
"""

import types

from .ops import nn_ops, rnn
from .ops.math_ops import sigmoid, tanh
from .ops.nn_ops import *  # noqa: F403 (tf.nn is nn_ops' public names, plus the two below)
from .ops.rnn import *  # noqa: F403 (dynamic_rnn & co, and tf.nn.rnn_cell)

__all__ = [*nn_ops.__all__, *rnn.__all__, "sigmoid", "tanh"]

# TF1's spellings of the names whose signatures changed in TF2.
_V1_OVERRIDES = {
    "avg_pool": nn_ops.avg_pool_v1,
    "conv2d": nn_ops.conv2d_v1,
    "dropout": nn_ops.dropout_v1,
    "log_softmax": nn_ops.log_softmax_v1,
    "max_pool": nn_ops.max_pool_v1,
    "sigmoid_cross_entropy_with_logits": nn_ops.sigmoid_cross_entropy_with_logits_v1,
    "softmax": nn_ops.softmax_v1,
    "softmax_cross_entropy_with_logits": nn_ops.softmax_cross_entropy_with_logits_v1,
    "softmax_cross_entropy_with_logits_v2": nn_ops.softmax_cross_entropy_with_logits_v2_v1,
    "sparse_softmax_cross_entropy_with_logits": nn_ops.sparse_softmax_cross_entropy_with_logits_v1,
    "xw_plus_b": nn_ops.xw_plus_b,
}


def _v1_namespace() -> types.ModuleType:
    module = types.ModuleType("runtime.compat.v1.nn", "``tf.compat.v1.nn``: TF1's signatures.")
    module.__dict__.update({name: globals()[name] for name in __all__})
    module.__dict__.update(_V1_OVERRIDES)
    return module


v1 = _v1_namespace()
