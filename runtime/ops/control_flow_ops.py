"""Control ops: ``no_op`` and ``group``."""

from __future__ import annotations

from ..graph import Operation, get_default_graph, graph_of
from ..registry import OpDef, register_op
from .core import apply_op

__all__ = ["group", "no_op"]

NO_OP = register_op(OpDef("NoOp", (), (), shape_fn=lambda: []))


def no_op(name=None) -> Operation:
    """An op that does nothing; useful as a target of control dependencies.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = no_op()
    >>> op.type, op.outputs
    ('NoOp', [])
    """
    return apply_op(NO_OP, [], name or "NoOp", graph=get_default_graph())


def group(*inputs, name=None) -> Operation:
    """An op that runs once all of ``inputs`` (ops or tensors) have run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = tf.constant(1), tf.constant(2)
    ...     g = group(a, b)
    >>> sorted(op.name for op in g.control_inputs)
    ['Const', 'Const_1']
    """
    graph = graph_of(inputs)
    with graph.control_dependencies(inputs):
        return apply_op(NO_OP, [], name or "group_deps", graph=graph)
