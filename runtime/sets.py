"""``tf.sets``: set operations along the last axis, under TF2's names, and
``tf.compat.v1.sets`` (:data:`v1`: TF1's ``set_*`` names too).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     union = tf.sets.union([[1, 2]], [[2, 3]])
...     print(tf.compat.v1.Session().run(union).values.tolist())
[1, 2, 3]
"""

import types

from .ops import set_ops

difference = set_ops.set_difference
intersection = set_ops.set_intersection
size = set_ops.set_size
union = set_ops.set_union

__all__ = ["difference", "intersection", "size", "union"]

# tf.compat.v1.sets: the same functions, also under TF1's names.
V1_OVERRIDES = {
    "set_difference": set_ops.set_difference,
    "set_intersection": set_ops.set_intersection,
    "set_size": set_ops.set_size,
    "set_union": set_ops.set_union,
}
v1 = types.ModuleType("runtime.compat.v1.sets", "``tf.compat.v1.sets``: TF1's names too.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
