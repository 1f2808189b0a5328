"""``tf.linalg``: inverses, determinants, factorizations, solvers, diagonals, norms and
products of batches of matrices, and ``tf.compat.v1.linalg`` (:data:`v1`).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     print(tf.compat.v1.Session().run(tf.linalg.det(tf.eye(3))))
1.0
"""

import types

from . import linalg_operators as _operators
from .linalg_operators import *  # noqa: F403 (tf.linalg's LinearOperators, eigh_tridiagonal)
from .ops import linalg_ops
from .ops.clip_ops import global_norm  # noqa: F401 (tf.linalg exports them)
from .ops.linalg_ops import *  # noqa: F403 (tf.linalg is linalg_ops' public names)
from .ops.normalization_ops import l2_normalize  # noqa: F401 (tf.linalg exports them)
from .ops.special_math_ops import einsum  # noqa: F401 (tf.linalg exports them)

__all__ = sorted(
    {*linalg_ops.__all__, *_operators.__all__, "einsum", "global_norm", "l2_normalize"}
)

V1_OVERRIDES = {"norm": linalg_ops.norm_v1, "transpose": matrix_transpose}  # noqa: F405
v1 = types.ModuleType("runtime.compat.v1.linalg", "``tf.compat.v1.linalg``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
