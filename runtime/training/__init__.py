"""``tf.compat.v1.train``: optimizers, the global step, ``Saver``, queue runners.

``runtime.training.v2`` is the TF2 subset (``tf.train``).
"""

from ..summary.reader import summary_iterator
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
from .adam import AdamOptimizer
from .coordinator import Coordinator
from .gradient_descent import GradientDescentOptimizer
from .input import (
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    maybe_batch,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from .momentum import MomentumOptimizer
from .optimizer import Optimizer
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from .rmsprop import RMSPropOptimizer
from .saver import (
    CheckpointState,
    Saver,
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    list_variables,
    load_variable,
    update_checkpoint_state,
)
from .training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
