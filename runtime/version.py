"""``tf.version`` (and ``tf.VERSION`` & co at the top level): versions of what runs here.

``VERSION`` is the TensorFlow release whose TF1 behaviour the runtime follows (its own
version is ``runtime.__version__``); ``GRAPH_DEF_VERSION`` is the producer version the
runtime writes into GraphDefs.

Examples
--------
>>> import runtime as tf
>>> tf.VERSION, tf.version.GRAPH_DEF_VERSION == tf.Graph().graph_def_versions.producer
('2.21.0', True)
"""

import platform

from .graph_def import PRODUCER

__all__ = [
    "COMPILER_VERSION",
    "GIT_VERSION",
    "GRAPH_DEF_VERSION",
    "GRAPH_DEF_VERSION_MIN_CONSUMER",
    "GRAPH_DEF_VERSION_MIN_PRODUCER",
    "VERSION",
]

VERSION = "2.21.0"
GIT_VERSION = "runtime-v" + VERSION
COMPILER_VERSION = platform.python_compiler()
GRAPH_DEF_VERSION = PRODUCER
# The oldest GraphDef producer and consumer versions this runtime reads, as TF's.
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
