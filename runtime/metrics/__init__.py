"""``tf.metrics`` (``tf.compat.v1.metrics``): TF1's streaming metrics over local variables."""

from .metrics_impl import *
from .metrics_impl import __all__
