"""Dependency optimization: ``Identity`` and ``NoOp`` ops that only pass things on go.

- An ``Identity`` is removed when its readers may read its input directly: it has no
  control inputs, it reads no variable reference (``v/read`` takes a snapshot), its
  input does not come from control flow (an ``Identity`` after a ``Switch`` is a cond's
  pivot, one after a ``Merge`` a loop's), and it is not fetched, fed or a target. Ops
  waiting on it wait on its input's op instead.
- A ``NoOp`` that is not a target is removed when the ops waiting on it can wait on
  its control inputs directly without many more edges (fan-in × fan-out ≤ fan-in +
  fan-out, as TF's rule): ``tf.group`` inside ``tf.group`` flattens.

Deadness and frames are unchanged: every edge moved runs inside one frame, and an op
waits, directly or not, on the same ops as before.
"""

from __future__ import annotations

from .mutable import CONTROL_FLOW, MutableGraph, Node
from .report import Change, Report

NAME = "dependency_optimization"


def may_remove(ops) -> bool:
    """Whether ``ops`` (a run's, as written) hold an ``Identity`` or a ``NoOp``. ``False``
    means the pass removes nothing (the optimizer's quick scan).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.identity(tf.negative(x))
    >>> may_remove([x.op, y.op.inputs[0].op]), may_remove([y.op])
    (False, True)
    """
    return any(op.type in _REMOVABLE for op in ops)


_REMOVABLE = frozenset({"Identity", "NoOp"})


def optimize_dependencies(graph: MutableGraph, report: Report) -> int:
    """Remove what the rules above allow; returns how many ops went.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.negative(tf.identity(tf.identity(x, name="i1"), name="i2"), name="y")
    >>> ops = prune([y], [], {x})
    >>> graph = MutableGraph.from_ops(ops, [y], [], [x], {op: "/cpu:0" for op in ops})
    >>> optimize_dependencies(graph, Report()), graph.nodes["y"].inputs[0][0].name
    (2, 'x')
    """
    removed = 0
    for node in graph.topological():
        if graph.nodes.get(node.name) is not node or node in graph.preserved:
            continue
        if node.type == "Identity" and _removable_identity(graph, node):
            source = node.inputs[0]
            graph.move_control_readers(node, [source[0]])
            graph.forward((node, 0), source)
            graph.remove(node)
            report.add(Change(NAME, "removed", (node.name,), (source[0].name,), "Identity"))
            removed += 1
        elif node.type == "NoOp" and _removable_no_op(graph, node):
            graph.move_control_readers(node, node.control)
            graph.remove(node)
            report.add(
                Change(NAME, "removed", (node.name,), tuple(c.name for c in node.control), "NoOp")
            )
            removed += 1
    return removed


def _removable_identity(graph: MutableGraph, node: Node) -> bool:
    if node.control:
        return False
    source = node.inputs[0]
    producer = source[0]
    if producer.type in CONTROL_FLOW or producer.specs[source[1]][0].is_ref_dtype:
        return False
    return not (graph.control_readers_of(node) and source in graph.feeds.values())


def _removable_no_op(graph: MutableGraph, node: Node) -> bool:
    fan_in, fan_out = len(node.control), len(graph.control_readers_of(node))
    return fan_in * fan_out <= fan_in + fan_out
