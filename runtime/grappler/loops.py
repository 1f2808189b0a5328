"""Loop optimization: constants inside a while loop move out of it.

TF1 builds a constant used in a loop body (``while/add/y``) inside the loop's frame,
waiting on the loop's pivot, so it runs once per iteration. Hoisted, it is made once
outside the loop and enters the frame through a constant ``Enter`` (``is_constant``),
whose value every iteration sees. Each reader also waits on what the constant waited
on (the pivot), so it runs exactly when it ran before, dead when the iteration is.
That holds for plain ops only: a ``Merge`` takes its first live input whatever its
control inputs say, so a constant read by control flow (a cond's branch result) stays.

Only loops at the top level are hoisted out of (their parent frame is the root), and
only in graphs without a cond at the root: a loop inside a cond branch is dead when
the branch is not taken, which a constant made outside would not be.
"""

from __future__ import annotations

from .mutable import CONTROL_FLOW, MutableGraph, Node, attr_text
from .report import Change, Report

NAME = "loop_optimization"
_ENTERS = frozenset({"Enter", "RefEnter"})
_SWITCHES = frozenset({"Switch", "RefSwitch"})


def may_hoist(ops) -> bool:
    """Whether ``ops`` (a run's, as written) hold a while loop (an ``Enter``). ``False``
    means the pass hoists nothing (the optimizer's quick scan).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     n = tf.compat.v1.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)])
    >>> may_hoist(g.get_operations()), may_hoist([n.op])
    (True, False)
    """
    return any(op.type in _ENTERS for op in ops)


def hoist_loop_invariants(graph: MutableGraph, report: Report) -> int:
    """Hoist the constants of top-level loops; returns how many moved.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     n = tf.compat.v1.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)])
    >>> ops = prune([n], [], set())
    >>> graph = MutableGraph.from_ops(ops, [n], [], [], {op: "/cpu:0" for op in ops})
    >>> hoist_loop_invariants(graph, Report())
    2
    >>> graph.nodes["while/add/y"].frame, graph.nodes["while/add/y/Enter"].frame
    ('', 'while/while_context')
    """
    if not graph.has_loops:
        return 0
    nodes = list(graph.nodes.values())
    if any(node.type in _SWITCHES and node.frame == "" for node in nodes):
        return 0
    enters = {}
    for node in nodes:
        if node.type in _ENTERS and node.frame == "":
            enters.setdefault(attr_text(node.attrs["frame_name"]), node)
    hoisted = 0
    for node in nodes:
        if _hoistable(graph, node, enters):
            outside, enter = _hoist(graph, node, enters[node.frame])
            report.add(
                Change(
                    NAME,
                    "hoisted",
                    (node.name,),
                    (outside.name, enter.name),
                    f"out of loop '{node.frame}'",
                )
            )
            hoisted += 1
    return hoisted


def _hoistable(graph: MutableGraph, node: Node, enters: dict) -> bool:
    if node.type != "Const" or node.frame not in enters or not node.control:
        return False
    if node in graph.preserved:
        return False
    return all(reader.type not in CONTROL_FLOW for reader in graph.readers_of(node))


def _hoist(graph: MutableGraph, node: Node, template: Node) -> tuple:
    """Replace in-loop constant ``node`` by a root constant entering its frame."""
    dtype, shape = node.specs[0]
    attrs = {
        "T": dtype,
        "frame_name": template.attrs["frame_name"],
        "is_constant": True,
        "parallel_iterations": template.attrs["parallel_iterations"],
    }
    name = graph.unique_name(f"{node.name}/Enter")
    enter = node.derived(name, "Enter", [], [], attrs, [(dtype, shape)], rank=(node.rank[0], 1))
    enter.context = template.context
    waits = node.control
    for reader in dict.fromkeys(graph.readers_of(node)):
        inputs = [(enter, 0) if ref[0] is node else ref for ref in reader.inputs]
        graph.set_inputs(reader, inputs, [*reader.control, *waits])
    graph.move_control_readers(node, waits)
    graph.remove(node)
    outside = node.derived(node.name, "Const", [], [], node.attrs, node.specs)
    outside.frame, outside.context = "", None
    graph.add(outside)
    enter.inputs = [(outside, 0)]
    graph.add(enter)
    return outside, enter
