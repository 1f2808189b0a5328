"""``tf.compat.v1.initializers``: TF1's initializer namespace.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", [2], initializer=tf.compat.v1.initializers.ones())
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.initializers.global_variables())
...         print(sess.run(w))
[1. 1.]
"""

from .ops.init_ops import Constant as constant
from .ops.init_ops import GlorotNormal as glorot_normal
from .ops.init_ops import GlorotUniform as glorot_uniform
from .ops.init_ops import Identity as identity
from .ops.init_ops import Ones as ones
from .ops.init_ops import Orthogonal as orthogonal
from .ops.init_ops import RandomNormal as random_normal
from .ops.init_ops import RandomUniform as random_uniform
from .ops.init_ops import TruncatedNormal as truncated_normal
from .ops.init_ops import UniformUnitScaling as uniform_unit_scaling
from .ops.init_ops import VarianceScaling as variance_scaling
from .ops.init_ops import Zeros as zeros
from .ops.init_ops import he_normal, he_uniform, lecun_normal, lecun_uniform
from .ops.variables import global_variables_initializer as global_variables
from .ops.variables import local_variables_initializer as local_variables
from .ops.variables import variables_initializer as variables
from .variables_v1 import tables_initializer

__all__ = [
    "constant",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "orthogonal",
    "tables_initializer",
    "uniform_unit_scaling",
    "global_variables",
    "glorot_normal",
    "glorot_uniform",
    "local_variables",
    "ones",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variables",
    "variance_scaling",
    "zeros",
]
