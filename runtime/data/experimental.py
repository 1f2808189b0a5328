"""``tf.data.experimental``: the ``AUTOTUNE`` constant."""

from .pipeline import AUTOTUNE

__all__ = ["AUTOTUNE"]
