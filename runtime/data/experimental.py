"""``tf.data.experimental``: the ``AUTOTUNE`` constant."""

from .kernels import AUTOTUNE

__all__ = ["AUTOTUNE"]
