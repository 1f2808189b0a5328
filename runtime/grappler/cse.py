"""Common subexpression elimination: ops that compute the same thing run once.

Two ops are the same when they have the same type, attrs, device, frame, control
inputs and data inputs (in any order for commutative ops such as ``AddV2``), which in
dependency order makes whole equal subgraphs collapse, constants first. Stateful and
control-flow ops are never merged (two reads of a variable may see different values;
two ``Switch`` ops are two decisions), nor are fetched, fed or target ops merged away.
Constants merge when their values are equal (up to 64 KiB; bigger ones are left).
"""

from __future__ import annotations

import numpy as np

from ..registry import get_op_def, is_registered
from .mutable import CONTROL_FLOW, MutableGraph, Node
from .report import Change, Report

NAME = "common_subgraph_elimination"
_MAX_COMPARED_BYTES = 64 * 1024
_COMMUTATIVE = frozenset(
    {
        "Add",
        "AddV2",
        "AddN",
        "Mul",
        "Maximum",
        "Minimum",
        "LogicalAnd",
        "LogicalOr",
        "Equal",
        "NotEqual",
        "BitwiseAnd",
        "BitwiseOr",
        "BitwiseXor",
        "SquaredDifference",
    }
)
_NEVER_MERGED = frozenset({"Placeholder", "PlaceholderWithDefault", "PyFuncStateless"})


class _Unhashable(Exception):
    """An attr value that cannot be compared cheaply: the op is not merged."""


def eliminate_common_subexpressions(graph: MutableGraph, report: Report) -> int:
    """Merge equal ops into the first of them; returns how many were merged.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.add(tf.square(x, name="a"), tf.square(x, name="b"), name="y")
    >>> ops = prune([y], [], {x})
    >>> graph = MutableGraph.from_ops(ops, [y], [], [x], {op: "/cpu:0" for op in ops})
    >>> eliminate_common_subexpressions(graph, Report())
    1
    >>> [ref[0].name for ref in graph.nodes["y"].inputs]
    ['a', 'a']
    """
    seen: dict = {}  # wiring -> the first node wired so, or {attrs: node} once a second came
    mergeable_types: dict = {}
    merged = 0
    for node in graph.topological():
        if graph.nodes.get(node.name) is not node or not _mergeable(node, mergeable_types):
            continue
        first = _first_equal(seen, node)
        if first is None or node in graph.preserved:
            continue
        for index in range(len(node.specs)):
            graph.forward((node, index), (first, index))
        graph.move_control_readers(node, [first])
        graph.remove(node)
        report.add(Change(NAME, "merged", (node.name,), (first.name,), "computes the same"))
        merged += 1
    return merged


def may_merge(ops) -> bool:
    """Whether two of ``ops`` (a run's, as written) could be merged: two of one
    mergeable type reading the same tensors. ``False`` means the pass merges nothing
    (the optimizer's quick scan); ``True`` may be wrong, never the other way.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     a, b, c = tf.square(x), tf.negative(x), tf.square(x)
    >>> may_merge([x.op, a.op, b.op]), may_merge([x.op, a.op, b.op, c.op])
    (False, True)
    """
    seen = set()
    for op in ops:
        inputs = op._inputs  # in any order: a commutative op's may be swapped
        wiring = (op._type, inputs[0] if len(inputs) == 1 else frozenset(inputs))
        if wiring in seen and _mergeable_type(op.type):
            return True
        seen.add(wiring)
    return False


def _first_equal(seen: dict, node: Node) -> Node | None:
    """The first node seen that equals ``node`` (recording ``node`` if none does).

    Nodes are first told apart by their wiring, which is cheap; attrs (constants'
    values among them) are compared only between nodes wired alike.
    """
    wiring = _wiring(node)
    known = seen.get(wiring)
    if known is None:
        seen[wiring] = node
        return None
    if isinstance(known, Node):
        first_attrs = _attrs_key(known)
        known = seen[wiring] = {} if first_attrs is None else {first_attrs: known}
    attrs = _attrs_key(node)
    if attrs is None:
        return None
    first = known.get(attrs)
    if first is None:
        known[attrs] = node
    return first


def _mergeable(node: Node, types: dict) -> bool:
    known = types.get(node.type)
    if known is None:
        known = types[node.type] = _mergeable_type(node.type)
    return known and not any(dtype.is_ref_dtype for dtype, _ in node.specs)


def _mergeable_type(op_type: str) -> bool:
    if op_type in CONTROL_FLOW or op_type in _NEVER_MERGED or not is_registered(op_type):
        return False
    return not get_op_def(op_type).is_stateful


def _wiring(node: Node) -> tuple:
    """Type, place and inputs (in any order for a commutative op)."""
    inputs = tuple(node.inputs)
    if node.type in _COMMUTATIVE:
        inputs = tuple(sorted(inputs, key=lambda ref: (id(ref[0]), ref[1])))
    control = frozenset(node.control) if node.control else frozenset()
    return (node.type, node.device, node.frame, inputs, control)


def _attrs_key(node: Node):
    """The public attrs as a hashable value; ``None`` if it cannot be had cheaply."""
    try:
        return tuple(
            (name, _frozen(value))
            for name, value in sorted(node.attrs.items())
            if not name.startswith("_")
        )
    except _Unhashable:
        return None


def _frozen(value):
    """A hashable stand-in for an attr value, equal for equal values."""
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.nbytes > _MAX_COMPARED_BYTES:
            raise _Unhashable
        if array.dtype == object:
            return ("objects", array.shape, tuple(array.ravel().tolist()))
        return ("array", array.dtype.str, array.shape, array.tobytes())
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in sorted(value.items()))
    try:
        hash(value)
    except TypeError:
        raise _Unhashable from None
    return value
