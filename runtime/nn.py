"""``tf.compat.v2.nn``: neural-network ops under TF2's names, and ``tf.compat.v1.nn`` (:data:`v1`),
which ``import runtime as tf`` gives as ``tf.nn``.

The op modules hold the builders by job (activations, convolutions, pooling,
normalization, losses ...); each lists its TF2 names in ``__all__`` and, in
``V1_OVERRIDES``, TF1's versions where the signature differs (``v1.dropout`` takes
``keep_prob``, ``v1.conv2d`` takes ``filter``, ``v1.max_pool`` takes ``value``) and the
names only TF1 has (``fused_batch_norm``, ``xw_plus_b``, ``dynamic_rnn`` ...). This module
holds TF2's names only; internal code imports the op modules, never this one.

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
    ctc_ops,
    embedding_ops,
    fractional_pool_ops,
    layout_ops,
    loss_ops,
    math_ops,
    nn_ops,
    normalization_ops,
    pooling_ops,
    rnn,
    sampled_loss_ops,
    sort_ops,
)

_MODULES = (
    activation_ops,
    candidate_sampling_ops,
    conv_ops,
    ctc_ops,
    embedding_ops,
    fractional_pool_ops,
    loss_ops,
    nn_ops,
    normalization_ops,
    pooling_ops,
    rnn,
    sampled_loss_ops,
    sort_ops,
)
# TF2's names: each module's public ones, and sigmoid and tanh, which tf.nn has too.
_TF2 = {name: getattr(module, name) for module in _MODULES for name in module.__all__}
_TF2.update(sigmoid=math_ops.sigmoid, tanh=math_ops.tanh)
_TF2.update(approx_max_k=sort_ops.approx_max_k, approx_min_k=sort_ops.approx_min_k)
# Array ops tf.nn has too, with TF1's signatures in tf.compat.v1.nn.
_TF2.update(
    depth_to_space=layout_ops.depth_to_space_v2,
    space_to_batch=layout_ops.space_to_batch,
    space_to_depth=layout_ops.space_to_depth_v2,
    with_space_to_batch=layout_ops.with_space_to_batch,
)
_LAYOUT_V1 = {
    "depth_to_space": layout_ops.depth_to_space,
    "space_to_batch": layout_ops.space_to_batch_v1,
    "space_to_depth": layout_ops.space_to_depth,
}
__all__ = sorted(_TF2)
globals().update(_TF2)


def _v1_namespace() -> types.ModuleType:
    module = types.ModuleType("runtime.compat.v1.nn", "``tf.compat.v1.nn``: TF1's signatures.")
    module.__dict__.update(_TF2)
    for source in _MODULES:
        module.__dict__.update(source.V1_OVERRIDES)
    module.__dict__.update(_LAYOUT_V1)
    return module


v1 = _v1_namespace()
