"""``tf.train``: the TF2 subset of ``tf.compat.v1.train`` that this runtime has."""

from .coordinator import Coordinator
from .saver import CheckpointState, checkpoint_exists, get_checkpoint_state, latest_checkpoint

__all__ = [
    "CheckpointState",
    "Coordinator",
    "checkpoint_exists",
    "get_checkpoint_state",
    "latest_checkpoint",
]
