"""``tf.compat.v2.nn``: neural-network ops under TF2's names, and ``tf.compat.v1.nn`` (:data:`v1`),
which ``import runtime as tf`` gives as ``tf.nn``.

The op modules hold the builders by job (activations, convolutions, pooling,
normalization, losses ...); each lists its TF2 names in ``__all__`` and, in
``V1_OVERRIDES``, TF1's versions where the signature differs (``v1.dropout`` takes
``keep_prob``, ``v1.conv2d`` takes ``filter``, ``v1.max_pool`` takes ``value``) and the
names only TF1 has (``fused_batch_norm``, ``xw_plus_b`` ...).

Examples
--------
>>> import runtime as tf
>>> v1, v2 = tf.compat.v1.nn, tf.compat.v2.nn
>>> v2.relu is v1.relu, v2.max_pool is v1.max_pool, tf.nn is v1
(True, False, True)
"""

import types

from .ops import (
    activation_ops,
    candidate_sampling_ops,
    conv_ops,
    embedding_ops,
    loss_ops,
    nn_ops,
    normalization_ops,
    pooling_ops,
    rnn,
    sampled_loss_ops,
    sort_ops,
)
from .ops.activation_ops import *  # noqa: F403 (tf.nn is the op modules' public names)
from .ops.candidate_sampling_ops import *  # noqa: F403
from .ops.conv_ops import *  # noqa: F403
from .ops.embedding_ops import *  # noqa: F403
from .ops.loss_ops import *  # noqa: F403
from .ops.math_ops import sigmoid, tanh  # noqa: F401 (TF's tf.nn has them too)
from .ops.nn_ops import *  # noqa: F403
from .ops.normalization_ops import *  # noqa: F403
from .ops.pooling_ops import *  # noqa: F403
from .ops.rnn import *  # noqa: F403 (dynamic_rnn & co, and tf.nn.rnn_cell)
from .ops.sampled_loss_ops import *  # noqa: F403
from .ops.sort_ops import *  # noqa: F403 (top_k, in_top_k)

_MODULES = (
    activation_ops,
    candidate_sampling_ops,
    conv_ops,
    embedding_ops,
    loss_ops,
    nn_ops,
    normalization_ops,
    pooling_ops,
    rnn,
    sampled_loss_ops,
    sort_ops,
)
__all__ = sorted({name for module in _MODULES for name in module.__all__} | {"sigmoid", "tanh"})


def _v1_namespace() -> types.ModuleType:
    module = types.ModuleType("runtime.compat.v1.nn", "``tf.compat.v1.nn``: TF1's signatures.")
    module.__dict__.update({name: globals()[name] for name in __all__})
    for source in _MODULES:
        module.__dict__.update(source.V1_OVERRIDES)
    return module


v1 = _v1_namespace()
