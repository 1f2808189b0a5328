"""``tf.compat``: TF1's namespace (``v1``), TF2's (``v2``), and text and bytes helpers.

``runtime.compat.v1`` is the namespace ``import runtime as tf`` gives (``runtime``
re-exports it); ``runtime.compat.v2`` holds TF2's names.
"""

from . import v1, v2
from .conversions import *
