"""The default-graph context managers of the public API: ``tf.device``,
``tf.name_scope``, ``tf.control_dependencies``, ``tf.container``."""

from __future__ import annotations

import contextlib

from .graph import get_default_graph, graph_of


def device(device_name_or_function):
    """Request a device for the ops created inside (see ``Graph.device``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default(), tf.device("/cpu:0"):
    ...     tf.constant(1.0).device
    '/device:CPU:0'
    """
    return get_default_graph().device(device_name_or_function)


def container(container_name: str):
    """Resources (variables, queues) created inside live in ``container_name``, which
    ``Session.reset(target, [container_name])`` clears (see ``Graph.container``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default(), tf.container("experiment"):
    ...     v = tf.Variable(1.0, name="v")
    >>> v.op.get_attr("container")
    'experiment'
    """
    return get_default_graph().container(container_name)


def control_dependencies(control_inputs):
    """Ops created inside run after ``control_inputs`` (see ``Graph.control_dependencies``)."""
    return get_default_graph().control_dependencies(control_inputs)


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Open a name scope in the default graph (or the graph of ``values``).

    TF1's form ``name_scope(name, default_name, values)`` falls back to a uniquified
    ``default_name`` when ``name`` is ``None``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     with tf.name_scope("layer"):
    ...         c = tf.constant(1.0)
    >>> c.op.name
    'layer/Const'
    """
    graph = graph_of(values or [])
    if name is None and default_name is not None:
        name = default_name
    with graph.name_scope(name) as scope:
        yield scope
