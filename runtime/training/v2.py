"""``tf.train``: the TF2 subset of ``tf.compat.v1.train`` that this runtime has."""

from .coordinator import Coordinator
from .saver import get_checkpoint_state, latest_checkpoint, list_variables, load_variable

__all__ = [
    "Coordinator",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_variable",
]
