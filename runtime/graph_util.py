"""``tf.graph_util``: helpers over whole graphs -- freezing variables into constants,
cutting the part of a GraphDef that outputs need, dropping training-only nodes.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default() as g:
...     w = tf.Variable(3.0, name="w")
...     y = tf.multiply(w, 2.0, name="y")
...     _ = tf.add(y, 1.0, name="unused")
...     with tf.Session() as sess:
...         _ = sess.run(w.initializer)
...         frozen = convert_variables_to_constants(sess, g.as_graph_def(), ["y"])
>>> sorted((n.name, n.op) for n in frozen.node)
[('w', 'Const'), ('w/read', 'Identity'), ('y', 'Mul'), ('y/y', 'Const')]
"""

from __future__ import annotations

import dataclasses
import re

from . import dtypes
from .graph_def import GraphDef, NodeDef, as_node_def, attr_value, node_def_of
from .importer import import_graph_def
from .proto import graph_pb2
from .protobuf import as_internal, to_proto
from .tf_logging import info

__all__ = [
    "convert_variables_to_constants",
    "extract_sub_graph",
    "import_graph_def",
    "must_run_on_cpu",
    "remove_training_nodes",
    "tensor_shape_from_node_def_name",
]

_VARIABLE_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "VarHandleOp")
# The ops must_run_on_cpu pins with the variables (TF's list).
_VARIABLE_RELATED = frozenset(
    [
        "Assign",
        "AssignAdd",
        "AssignSub",
        "Queue",
        "ScatterAdd",
        "ScatterSub",
        "ScatterUpdate",
        "TruncatedNormal",
        "Variable",
        "VariableV2",
    ]
)


def _source(name: str) -> str:
    """The node an input names: ``"^a"``, ``"a:1"`` and ``"a"`` all name ``a``."""
    return name.lstrip("^").split(":")[0]


def extract_sub_graph(graph_def, dest_nodes) -> graph_pb2.GraphDef:
    """The nodes ``dest_nodes`` need (through data and control inputs), in their order.

    ``graph_def`` is TF's ``GraphDef`` message (or the runtime's form); so is the result.

    Raises
    ------
    TypeError
        ``dest_nodes`` is a string rather than a list of names.
    AssertionError
        A destination the graph lacks (TF's error).
    """
    return to_proto(_extract(as_internal(graph_def), dest_nodes))


def _extract(graph_def: GraphDef, dest_nodes) -> GraphDef:
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be an iterable of strings.")
    by_name = {node.name: node for node in graph_def.node}
    for name in dest_nodes:
        assert name in by_name, f"{name} is not in graph"
    needed, pending = set(), list(dest_nodes)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(_source(source) for source in by_name[name].input)
    nodes = [node for node in graph_def.node if node.name in needed]
    return dataclasses.replace(graph_def, node=nodes)


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None) -> graph_pb2.GraphDef:  # fmt: skip
    """Freeze a graph: the part ``output_node_names`` need, with each variable a ``Const``
    holding its value in ``sess`` (and each read of a TF2 resource variable an
    ``Identity`` of that constant).

    ``variable_names_whitelist``, if given, limits the variables frozen; names in
    ``variable_names_blacklist`` stay variables.
    """
    graph_def = _extract(as_internal(input_graph_def), output_node_names)
    frozen = [
        node
        for node in graph_def.node
        if node.op in _VARIABLE_OPS
        and (variable_names_whitelist is None or node.name in variable_names_whitelist)
        and node.name not in (variable_names_blacklist or ())
    ]
    reads = {
        node.name: _source(node.input[0])
        for node in graph_def.node
        if node.op == "ReadVariableOp" and _source(node.input[0]) in {v.name for v in frozen}
    }
    fetches = [f"{v.name}:0" for v in frozen if v.op != "VarHandleOp"] + [f"{r}:0" for r in reads]
    values = dict(zip([f.split(":")[0] for f in fetches], sess.run(fetches) if fetches else []))
    handles = {v.name for v in frozen if v.op == "VarHandleOp"}
    for read, handle in reads.items():
        values.setdefault(handle, values[read])
    nodes = []
    for node in graph_def.node:
        if node.name in values and node.name not in reads:
            nodes.append(_constant(node.name, values[node.name], node.device))
        elif node.name in reads:
            dtype = node.attr["dtype"]
            nodes.append(
                NodeDef(node.name, "Identity", [reads[node.name]], node.device, {"T": dtype})
            )
        else:
            nodes.append(node)
    count = len(frozen) - len(handles - set(reads.values()))
    info("Froze %d variables.", count)
    info("Converted %d variables to const ops.", count)
    return to_proto(dataclasses.replace(graph_def, node=nodes))


def _constant(name: str, value, device: str) -> NodeDef:
    value = dtypes.as_dtype(value.dtype).as_numpy_dtype(value) if value.ndim == 0 else value
    array = attr_value(value)
    attrs = {"dtype": attr_value(dtypes.as_dtype(array.value.dtype)), "value": array}
    return NodeDef(name, "Const", [], device, attrs)


def remove_training_nodes(input_graph, protected_nodes=None) -> graph_pb2.GraphDef:
    """The graph without its ``CheckNumerics`` nodes and with its ``Identity`` and
    ``StopGradient`` nodes spliced out (their consumers read what they read).

    As TF 2.21 does: ``protected_nodes`` stay; so do identities that have or are
    control inputs, or that ops are colocated with; and a consumer of a removed
    ``CheckNumerics`` loses that input rather than reading the checked tensor.
    """
    graph_def = as_internal(input_graph)
    protected = set(protected_nodes or ())
    removed = {n.name for n in graph_def.node if n.op == "CheckNumerics"} - protected
    kept = [
        dataclasses.replace(node, input=[s for s in node.input if _source(s) not in removed])
        for node in graph_def.node
        if node.name not in removed
    ]
    controls = {s.lstrip("^") for node in kept for s in node.input if s.startswith("^")}
    with_controls = {node.name for node in kept if any(s.startswith("^") for s in node.input)}
    colocated = {_colocated(group) for node in kept for group in _groups(node)}
    spliced = {
        node.name: node.input[0]
        for node in kept
        if node.op in ("Identity", "StopGradient")
        and node.name not in protected | colocated | with_controls | controls
    }
    nodes = [
        dataclasses.replace(node, input=[_spliced(spliced, s) for s in node.input])
        for node in kept
        if node.name not in spliced
    ]
    return to_proto(dataclasses.replace(graph_def, node=nodes))


def _groups(node: NodeDef) -> list:
    attr = node.attr.get("_class")
    return [] if attr is None else [item.value for item in attr.value]


def _colocated(group) -> str:
    name = group.decode() if isinstance(group, bytes) else group
    return name[len("loc:@") :] if name.startswith("loc:@") else name


def _spliced(spliced: dict, source: str) -> str:
    while source.lstrip("^") in spliced:
        source = spliced[source.lstrip("^")]
    return source


def must_run_on_cpu(node, pin_variables_on_cpu=False) -> bool:
    """Whether ``node`` (a NodeDef or an op) is one TF keeps on the CPU: an ``int32`` or
    string constant, ``int32`` stitches and casts, and variables if asked."""
    node_def = node_def_of(node) if hasattr(node, "node_def") else as_node_def(node)
    if pin_variables_on_cpu and node_def.op in _VARIABLE_RELATED:
        return True
    attr = {"Const": "dtype", "DynamicStitch": "T", "ParallelDynamicStitch": "T", "Cast": "SrcT"}
    key = attr.get(node_def.op)
    if key is None or key not in node_def.attr:
        return False
    dtype = node_def.attr[key].value
    return dtype is dtypes.int32 or (node_def.op == "Const" and dtype is dtypes.string)


def tensor_shape_from_node_def_name(graph, input_name: str):
    """The static shape of tensor ``input_name`` (``"x"`` means ``"x:0"``) in ``graph``."""
    name = input_name if ":" in input_name else f"{input_name}:0"
    return graph.get_tensor_by_name(re.sub(r"^\^", "", name)).get_shape()
