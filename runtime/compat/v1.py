"""``tf.compat.v1``: TensorFlow 1's names.

Everything public at the top level of ``runtime`` is here too (as in TF, where
``tf.compat.v1.constant`` is ``tf.constant``), plus the TF1-only names: placeholders,
sessions, the config messages, the default-graph and default-session helpers.
"""

from __future__ import annotations

from .. import *
from .. import initializers
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
from ..graph import get_default_graph, reset_default_graph
from ..graph_keys import GraphKeys
from ..importer import import_graph_def
from ..nn import v1 as nn
from ..ops.array_ops import placeholder, placeholder_with_default
from ..ops.control_flow_ops import cond_v1 as cond
from ..ops.control_flow_ops import while_loop_v1 as while_loop
from ..ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from ..ops.init_ops import (
    glorot_normal_initializer,
    glorot_uniform_initializer,
    truncated_normal_initializer,
    variance_scaling_initializer,
)
from ..ops.logging_ops import Print
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
    trainable_variables,
    variables_initializer,
)
from ..scopes import name_scope
from ..session import InteractiveSession, Session, get_default_session


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
