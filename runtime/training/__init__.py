"""``tf.compat.v1.train``: optimizers, schedules, the global step, ``Saver``, moving
averages, monitored sessions and their hooks, queue runners.

``runtime.training.v2`` is the TF2 subset (``tf.train``).
"""

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
from ..graph_io import write_graph
from ..proto.saver_pb2 import SaverDef
from ..summary.reader import summary_iterator
from .adadelta import AdadeltaOptimizer
from .adagrad import AdagradOptimizer
from .adagrad_da import AdagradDAOptimizer
from .adam import AdamOptimizer
from .basic_loops import LooperThread, basic_train_loop
from .basic_session_run_hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    FeedFnHook,
    FinalOpsHook,
    GlobalStepWaiterHook,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    ProfilerHook,
    SecondOrStepTimer,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
)
from .checkpoint_management import (
    CheckpointState,
    checkpoint_exists,
    checkpoints_iterator,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from .checkpoint_utils import (
    NewCheckpointReader,
    init_from_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)
from .coordinator import Coordinator
from .device_setter import GreedyLoadBalancingStrategy, byte_size_load_fn, replica_device_setter
from .ftrl import FtrlOptimizer
from .gradient_descent import GradientDescentOptimizer
from .input import (
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    match_filenames_once,
    maybe_batch,
    maybe_batch_join,
    maybe_shuffle_batch,
    maybe_shuffle_batch_join,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from .learning_rate_decay import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from .meta_graph import export_meta_graph, import_meta_graph, read_meta_graph_file
from .momentum import MomentumOptimizer
from .monitored_session import (
    ChiefSessionCreator,
    MonitoredSession,
    MonitoredTrainingSession,
    Scaffold,
    SessionCreator,
    SingularMonitoredSession,
    WorkerSessionCreator,
)
from .moving_averages import ExponentialMovingAverage
from .optimizer import Optimizer
from .proximal_adagrad import ProximalAdagradOptimizer
from .proximal_gradient_descent import ProximalGradientDescentOptimizer
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from .rmsprop import RMSPropOptimizer
from .saver import Saver
from .server_lib import ClusterDef, ClusterSpec, JobDef, Server, ServerDef
from .session_manager import SessionManager
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues
from .supervisor import Supervisor
from .sync_replicas_optimizer import SyncReplicasOptimizer
from .training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
from .warm_starting import VocabInfo, warm_start
