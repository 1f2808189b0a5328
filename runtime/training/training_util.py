"""The global step: a scalar int64 variable counting training steps."""

from __future__ import annotations

import logging

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops.control_flow_ops import cond
from ..ops.init_ops import Zeros
from ..ops.variable_scope import get_variable
from ..ops.variables import Variable, is_variable_initialized

_logger = logging.getLogger("runtime")

# TF's collection name for the one copy of the global step the hooks fetch.
GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def global_step(sess, global_step_tensor) -> int:
    """The global step's value in ``sess``, as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """The global step of ``graph`` (default graph): its ``GLOBAL_STEP`` collection's
    only member, else the tensor named ``global_step:0``, else ``None``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(get_global_step())
    ...     step = get_or_create_global_step()
    ...     print(get_global_step() is step, step.op.name, repr(step.dtype))
    None
    True global_step tf.int64_ref
    """
    graph = graph if graph is not None else get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        _logger.error("Multiple tensors in global_step collection.")
        return None
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    assert_global_step(step)
    return step


def assert_global_step(global_step_tensor) -> None:
    """``TypeError`` unless ``global_step_tensor`` is a scalar integer variable or tensor."""
    if not isinstance(global_step_tensor, Variable | Tensor):
        raise TypeError(
            f'Existing "global_step" must be a Variable or Tensor: {global_step_tensor}.'
        )
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(
            f'Existing "global_step" does not have integer type: {global_step_tensor.dtype}'
        )
    shape = global_step_tensor.shape
    if shape.rank not in (None, 0) and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


def create_global_step(graph=None) -> Variable:
    """Create the global step (``ValueError`` if ``graph`` has one already)."""
    graph = graph if graph is not None else get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None):
        return get_variable(
            GraphKeys.GLOBAL_STEP,
            shape=[],
            dtype=dtypes.int64,
            initializer=Zeros(),
            trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        )


def get_or_create_global_step(graph=None):
    """The global step of ``graph``, created if missing."""
    graph = graph if graph is not None else get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step_read(graph=None):
    """A copy of the global step made in the run that fetches it (TF's
    ``_get_or_create_global_step_read``), ``None`` without a global step.

    The session-run hooks fetch it beside the training op: it is read before the run's
    increment, so ``SummarySaverHook(save_steps=N)`` and the others count steps as TF
    does. One per graph, kept in the ``global_step_read_op_cache`` collection.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = get_or_create_global_step()
    ...     read = global_step_read()
    ...     print(read.name, read is global_step_read())
    global_step/add:0 True
    """
    graph = graph if graph is not None else get_default_graph()
    cached = graph.get_collection(GLOBAL_STEP_READ_KEY)
    if cached:
        return cached[0]
    step = get_global_step(graph)
    if step is None:
        return None
    with graph.as_default(), graph.name_scope(None), graph.name_scope(f"{step.op.name}/"):
        value = step
        if isinstance(step, Variable):
            # A hook may read it before the variables are initialized.
            value = cond(is_variable_initialized(step), step.read_value, lambda: step.initial_value)
        read = value + 0  # a copy, not the variable read as the run ends
    graph.add_to_collection(GLOBAL_STEP_READ_KEY, read)
    return read
