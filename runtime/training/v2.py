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
from .coordinator import Coordinator
from .saver import get_checkpoint_state, latest_checkpoint, list_variables, load_variable

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
    "Coordinator",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_variable",
]
