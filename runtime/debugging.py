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

from .ops import check_ops
from .ops.check_ops import *  # noqa: F403 (tf.debugging is check_ops' public names)
from .ops.check_ops import assert_all_finite  # noqa: F401 (tf.debugging exports them)
from .ops.logging_ops import Assert  # noqa: F401 (tf.debugging exports them)
from .ops.math_ops import is_finite, is_inf, is_nan

__all__ = sorted(
    {*check_ops.__all__, "Assert", "assert_all_finite"}
    - {"add_check_numerics_ops", "verify_tensor_all_finite"}
)

_V1_ONLY = {
    "assert_all_finite": check_ops.verify_tensor_all_finite,
    "is_finite": is_finite,
    "is_inf": is_inf,
    "is_nan": is_nan,
}
v1 = types.ModuleType("runtime.compat.v1.debugging", "``tf.compat.v1.debugging``.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(_V1_ONLY)
globals().update(check_ops.V2_OVERRIDES)  # tf.debugging itself is TF2's
