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

from .ops import math_ops, segment_ops, special_math_ops
from .ops.activation_ops import log_softmax, log_softmax_v1, softmax, softmax_v1, softplus, softsign  # noqa: F401 (tf.math exports them)
from .ops.array_ops import invert_permutation  # noqa: F401 (tf.math exports them)
from .ops.check_ops import is_non_decreasing, is_strictly_increasing  # noqa: F401 (tf.math exports them)
from .ops.math_ops import *  # noqa: F403 (tf.math is math_ops' public names)
from .ops.math_ops import floormod as mod  # noqa: F401 (tf.math exports them)
from .ops.nn_ops import zero_fraction  # noqa: F401 (tf.math exports them)
from .ops.normalization_ops import l2_normalize  # noqa: F401 (tf.math exports them)
from .ops.segment_ops import *  # noqa: F403
from .ops.sort_ops import approx_max_k, approx_min_k, in_top_k, in_top_k_v1, top_k  # noqa: F401 (tf.math exports them)
from .ops.special_math_ops import lbeta, log_sigmoid  # noqa: F401 (tf.math exports them)

# Names of those op modules that TF keeps at the top level only (tf.cast, tf.unique ...).
_TOP_LEVEL_ONLY = {
    "arg_max",
    "arg_min",
    "cast",
    "complex",
    "div",
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
__all__ = sorted(
    ({*math_ops.__all__, *segment_ops.__all__} - _TOP_LEVEL_ONLY)
    | {
        "approx_max_k",
        "approx_min_k",
        "in_top_k",
        "invert_permutation",
        "is_non_decreasing",
        "is_strictly_increasing",
        "l2_normalize",
        "lbeta",
        "log_sigmoid",
        "log_softmax",
        "mod",
        "softmax",
        "softplus",
        "softsign",
        "special",
        "top_k",
        "zero_fraction",
    }
)

special = types.ModuleType("runtime.math.special", "``tf.math.special``: special functions.")
special.__dict__.update(
    {name: getattr(special_math_ops, name) for name in special_math_ops.SPECIAL}
    | {
        name: getattr(math_ops, name)
        for name in ("bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e")
    }
)

# tf.compat.v1.math: the same names, with TF1's signatures where they differ.
V1_OVERRIDES = {
    "argmax": math_ops.argmax_v1,
    "argmin": math_ops.argmin_v1,
    "bincount": segment_ops.bincount_v1,
    "confusion_matrix": segment_ops.confusion_matrix_v1,
    "count_nonzero": math_ops.count_nonzero_v1,
    "in_top_k": in_top_k_v1,
    "log_softmax": log_softmax_v1,
    "reduce_all": math_ops.reduce_all_v1,
    "reduce_any": math_ops.reduce_any_v1,
    "reduce_logsumexp": math_ops.reduce_logsumexp_v1,
    "reduce_max": math_ops.reduce_max_v1,
    "reduce_mean": math_ops.reduce_mean_v1,
    "reduce_min": math_ops.reduce_min_v1,
    "reduce_prod": math_ops.reduce_prod_v1,
    "reduce_sum": math_ops.reduce_sum_v1,
    "softmax": softmax_v1,
}
v1 = types.ModuleType("runtime.compat.v1.math", "``tf.compat.v1.math``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
