"""``tf.math``: the elementwise, reduction, segment and special-function ops under TF's
``tf.math`` names, and ``tf.compat.v1.math`` (:data:`v1`, TF1's signatures where they
differ: ``reduction_indices``/``keep_dims``, ``argmax(dimension=...)``,
``in_top_k(predictions, targets, k)`` ...).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     s = tf.math.reduce_sum(tf.math.log1p(tf.zeros([2, 2])))
...     print(tf.compat.v1.Session().run(s))
0.0
"""

import types

from .ops import (
    activation_ops,
    array_ops,
    check_ops,
    math_ops,
    nn_ops,
    normalization_ops,
    segment_ops,
    sort_ops,
    special_math_ops,
)

# Names of those op modules that TF keeps at the top level only (tf.cast, tf.unique ...).
_TOP_LEVEL_ONLY = {
    "arg_max",
    "arg_min",
    "cast",
    "complex",
    "div",
    "dynamic_partition",
    "dynamic_stitch",
    "lin_space",
    "linspace",
    "matmul",
    "range",
    "realdiv",
    "tensordot",
    "to_double",
    "to_float",
    "to_int32",
    "to_int64",
    "truncatediv",
    "truncatemod",
    "unique",
    "unique_with_counts",
    "where",
}
# TF2's names: math_ops' and segment_ops' public ones but those, and these from elsewhere.
_TF2 = {
    name: getattr(module, name)
    for module in (math_ops, segment_ops)
    for name in module.__all__
    if name not in _TOP_LEVEL_ONLY
}
_TF2.update(
    approx_max_k=sort_ops.approx_max_k,
    approx_min_k=sort_ops.approx_min_k,
    in_top_k=sort_ops.in_top_k,
    invert_permutation=array_ops.invert_permutation,
    is_non_decreasing=check_ops.is_non_decreasing,
    is_strictly_increasing=check_ops.is_strictly_increasing,
    l2_normalize=normalization_ops.l2_normalize,
    lbeta=special_math_ops.lbeta,
    log_sigmoid=special_math_ops.log_sigmoid,
    log_softmax=activation_ops.log_softmax,
    mod=math_ops.floormod,
    softmax=activation_ops.softmax,
    softplus=activation_ops.softplus,
    softsign=activation_ops.softsign,
    top_k=sort_ops.top_k,
    zero_fraction=nn_ops.zero_fraction,
)

special = types.ModuleType("runtime.math.special", "``tf.math.special``: special functions.")
special.__dict__.update(
    {name: getattr(special_math_ops, name) for name in special_math_ops.SPECIAL}
    | {
        name: getattr(math_ops, name)
        for name in ("bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e")
    }
)

_TF2["special"] = special
__all__ = sorted(_TF2)
globals().update(_TF2)

# tf.compat.v1.math: the same names, with TF1's signatures where they differ.
V1_OVERRIDES = {
    "argmax": math_ops.argmax_v1,
    "argmin": math_ops.argmin_v1,
    "bincount": segment_ops.bincount_v1,
    "confusion_matrix": segment_ops.confusion_matrix_v1,
    "count_nonzero": math_ops.count_nonzero_v1,
    "in_top_k": sort_ops.in_top_k_v1,
    "log_softmax": activation_ops.log_softmax_v1,
    "reduce_all": math_ops.reduce_all_v1,
    "reduce_any": math_ops.reduce_any_v1,
    "reduce_logsumexp": math_ops.reduce_logsumexp_v1,
    "reduce_max": math_ops.reduce_max_v1,
    "reduce_mean": math_ops.reduce_mean_v1,
    "reduce_min": math_ops.reduce_min_v1,
    "reduce_prod": math_ops.reduce_prod_v1,
    "reduce_sum": math_ops.reduce_sum_v1,
    "softmax": activation_ops.softmax_v1,
}
v1 = types.ModuleType("runtime.compat.v1.math", "``tf.compat.v1.math``: TF1's signatures.")
v1.__dict__.update(_TF2)
v1.__dict__.update(V1_OVERRIDES)
