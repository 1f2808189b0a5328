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
    first_of: dict = {}
    merged = 0
    for node in graph.topological():
        if graph.nodes.get(node.name) is not node or not _mergeable(node):
            continue
        key = _key(node)
        if key is None:
            continue
        first = first_of.setdefault(key, node)
        if first is node or node in graph.preserved:
            continue
        for index in range(len(node.specs)):
            graph.forward((node, index), (first, index))
        graph.move_control_readers(node, [first])
        graph.remove(node)
        report.add(Change(NAME, "merged", (node.name,), (first.name,), "computes the same"))
        merged += 1
    return merged


def _mergeable(node: Node) -> bool:
    if node.type in CONTROL_FLOW or node.type in _NEVER_MERGED or not is_registered(node.type):
        return False
    if any(dtype.is_ref_dtype for dtype, _ in node.specs):
        return False
    return not get_op_def(node.type).is_stateful


def _key(node: Node):
    """What makes two ops equal, as a hashable value; ``None`` if it cannot be had cheaply."""
    inputs = tuple(node.inputs)
    if node.type in _COMMUTATIVE:
        inputs = tuple(sorted(inputs, key=lambda ref: (id(ref[0]), ref[1])))
    try:
        attrs = tuple(
            (name, _frozen(value))
            for name, value in sorted(node.attrs.items())
            if not name.startswith("_")
        )
    except _Unhashable:
        return None
    return (node.type, node.device, node.frame, inputs, frozenset(node.control), attrs)


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
