"""``tf.compat``: the TF1 API under ``v1``, and the TF2 one under ``v2``."""

import sys as _sys

from . import v1

v2 = _sys.modules["runtime"]
