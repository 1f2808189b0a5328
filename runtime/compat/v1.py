"""``tf.compat.v1``: TensorFlow 1's names.

Everything public at the top level of ``runtime`` is here too (as in TF, where
``tf.compat.v1.constant`` is ``tf.constant``), plus the TF1-only names: placeholders,
sessions, the config messages, the default-graph and default-session helpers.
"""

from __future__ import annotations

from .. import *
from .. import gfile_v1 as gfile
from .. import initializers, python_io
from .. import training as train
from ..config import (
    CallableOptions,
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
    ThreadPoolOptionProto,
)
from ..control_flow_util import (
    control_flow_v2_enabled,
    disable_control_flow_v2,
    enable_control_flow_v2,
)
from ..gradients import gradients
from ..graph import get_default_graph, reset_default_graph
from ..graph_keys import GraphKeys
from ..importer import import_graph_def
from ..nn import v1 as nn
from ..ops.array_ops import boolean_mask_v1 as boolean_mask
from ..ops.array_ops import expand_dims_v1 as expand_dims
from ..ops.array_ops import gather_v1 as gather
from ..ops.array_ops import ones_like_v1 as ones_like
from ..ops.array_ops import pad_v1 as pad
from ..ops.array_ops import placeholder, placeholder_with_default
from ..ops.array_ops import reverse as reverse_v2
from ..ops.array_ops import shape_v1 as shape
from ..ops.array_ops import size_v1 as size
from ..ops.array_ops import squeeze_v1 as squeeze
from ..ops.array_ops import transpose_v1 as transpose
from ..ops.array_ops import zeros_like_v1 as zeros_like
from ..ops.control_flow_ops import cond_v1 as cond
from ..ops.control_flow_ops import while_loop_v1 as while_loop
from ..ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from ..ops.init_ops import (
    glorot_normal_initializer,
    glorot_uniform_initializer,
    truncated_normal_initializer,
    variance_scaling_initializer,
)
from ..ops.io_ops import (
    FixedLengthRecordReader,
    IdentityReader,
    ReaderBase,
    TextLineReader,
    TFRecordReader,
    WholeFileReader,
    matching_files,
    read_file,
    write_file,
)
from ..ops.logging_ops import Print
from ..ops.math_ops import argmax_v1 as argmax
from ..ops.math_ops import argmin_v1 as argmin
from ..ops.math_ops import (
    ceil,
    cumprod,
    div,
    floordiv,
    floormod,
    lin_space,
    log,
    log1p,
    logical_xor,
    reciprocal,
    rsqrt,
    squared_difference,
    to_double,
    to_float,
    to_int32,
    to_int64,
    unsorted_segment_sum,
)
from ..ops.math_ops import floordiv as floor_div
from ..ops.math_ops import floormod as mod
from ..ops.math_ops import reduce_all_v1 as reduce_all
from ..ops.math_ops import reduce_any_v1 as reduce_any
from ..ops.math_ops import reduce_max_v1 as reduce_max
from ..ops.math_ops import reduce_mean_v1 as reduce_mean
from ..ops.math_ops import reduce_min_v1 as reduce_min
from ..ops.math_ops import reduce_prod_v1 as reduce_prod
from ..ops.math_ops import reduce_sum_v1 as reduce_sum
from ..ops.math_ops import where as where_v2
from ..ops.math_ops import where_v1 as where
from ..ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    decode_csv,
    decode_raw,
    parse_example,
    parse_single_example,
)
from ..ops.random_ops import (
    get_seed,
    random_normal,
    random_shuffle,
    random_uniform,
    set_random_seed,
    truncated_normal,
)
from ..ops.script_ops import py_func
from ..ops.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_variable,
    get_variable_scope,
    variable_scope,
)
from ..ops.variables import (
    assign,
    assign_add,
    assign_sub,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    is_variable_initialized,
    local_variables,
    local_variables_initializer,
    report_uninitialized_variables,
    trainable_variables,
    variables_initializer,
)
from ..proto.event_pb2 import Event, SessionLog
from ..proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from ..scopes import name_scope
from ..session import (
    InteractiveSession,
    Session,
    get_default_session,
    register_session_run_conversion_functions,
)
from ..sparse_tensor import SparseTensorValue


def __getattr__(name: str):
    # v1 is a superset of the top level (tf.compat.v1.constant is tf.constant).
    import runtime

    try:
        return getattr(runtime, name)
    except AttributeError:
        raise AttributeError(f"module 'runtime.compat.v1' has no attribute '{name}'") from None


def disable_eager_execution() -> None:
    """Accepted for TF1 code: graph mode is the only mode here."""


def enable_eager_execution(*args, **kwargs) -> None:
    """Eager execution is not available: this runtime is graph mode only."""
    raise NotImplementedError("runtime is graph-mode only; eager execution is not available.")


def executing_eagerly() -> bool:
    """Always ``False``: graphs are built and run in sessions."""
    return False


def disable_v2_behavior() -> None:
    """Accepted for TF1 code; nothing to switch."""
