"""tfgraph runtime: TensorFlow 1 graphs and sessions on numpy.

``import runtime as tf`` gives TF 1.x's namespace: ``tf.Session``, ``tf.placeholder``,
``tf.Variable``, ``tf.random_normal``, ``tf.reduce_sum(x, reduction_indices=1)``,
``tf.nn.dropout(x, keep_prob)`` ... (:mod:`runtime.compat.v1`, which this package
re-exports name for name). TF2's names are in ``tf.compat.v2``, and the TF2 spellings
TF1 also has stay at their places (``tf.random.normal``, ``tf.math.log``).

Examples
--------
>>> import runtime as tf
>>> graph = tf.Graph()
>>> with graph.as_default():
...     x = tf.placeholder(tf.float32, [None, 2])
...     total = tf.reduce_sum(x, reduction_indices=1, keep_dims=True)
>>> tf.Session(graph=graph).run(total, {x: [[1, 2], [3, 4]]}).tolist()
[[3.0], [7.0]]
"""

from . import kernels, stepper  # the numpy kernels register themselves on import
from .compat.v1 import *
from .distributed import DaskEngine as _DaskEngine  # registers target="dask://..."
from .ops import legacy_ops as _legacy_ops  # TF 1.x files' op types
from .ops import resource_variable_ops as _resource_variable_ops  # TF2 files' variables

__version__ = "0.1.0"
