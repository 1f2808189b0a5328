"""``tf.train``: the TF2 subset of ``tf.compat.v1.train`` that this runtime has."""

from ..example import (
    BytesList,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SequenceExample,
)
from .checkpoint_management import checkpoints_iterator
from .checkpoint_utils import load_checkpoint
from .coordinator import Coordinator
from .moving_averages import ExponentialMovingAverage
from .saver import get_checkpoint_state, latest_checkpoint, list_variables, load_variable
from .server_lib import ClusterDef, ClusterSpec, JobDef, ServerDef

__all__ = [
    "BytesList",
    "Example",
    "Feature",
    "FeatureList",
    "FeatureLists",
    "Features",
    "FloatList",
    "Int64List",
    "SequenceExample",
    "ClusterDef",
    "ClusterSpec",
    "Coordinator",
    "ExponentialMovingAverage",
    "JobDef",
    "ServerDef",
    "checkpoints_iterator",
    "load_checkpoint",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_variable",
]
