"""``tf.debugging``: assertions, numeric checks and predicates on tensors, with TF2's
signatures (no ``data`` argument), and ``tf.compat.v1.debugging`` (:data:`v1`: TF1's
signatures, and ``is_finite`` & co).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     x = tf.constant([1.0, 2.0])
...     with tf.control_dependencies([tf.debugging.assert_positive(x)]):
...         y = tf.identity(x)
...     print(tf.compat.v1.Session().run(y))
[1. 2.]
"""

import types

from .ops import check_ops, logging_ops, math_ops

# Names check_ops has that TF's tf.debugging leaves to the top level (TF1) or drops (TF2).
_NOT_IN_DEBUGGING = {"add_check_numerics_ops", "verify_tensor_all_finite"}
_V1_ONLY = {"is_finite", "is_inf", "is_nan", "is_non_decreasing", "is_strictly_increasing"}

_SHARED = {
    name: getattr(check_ops, name)
    for name in check_ops.__all__
    if name not in _NOT_IN_DEBUGGING | _V1_ONLY
}
_SHARED.update(Assert=logging_ops.Assert, assert_all_finite=check_ops.assert_all_finite)
# tf.debugging itself is TF2's.
_TF2 = {**_SHARED, **check_ops.V2_OVERRIDES}
__all__ = sorted(_TF2)
globals().update(_TF2)

v1 = types.ModuleType("runtime.compat.v1.debugging", "``tf.compat.v1.debugging``.")
v1.__dict__.update(_SHARED)
v1.__dict__.update(
    assert_all_finite=check_ops.verify_tensor_all_finite,
    is_finite=math_ops.is_finite,
    is_inf=math_ops.is_inf,
    is_nan=math_ops.is_nan,
    is_non_decreasing=check_ops.is_non_decreasing,
    is_strictly_increasing=check_ops.is_strictly_increasing,
)
