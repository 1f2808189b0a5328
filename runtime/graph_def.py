"""The runtime's internal form of a ``GraphDef``, mirroring TensorFlow's messages.

``GraphDef{node, versions}``, ``NodeDef{name, op, input, device, attr}`` and typed
``AttrValue``s (``kind``, ``value``: a ``DType``, a ``TensorShape``, a numpy array),
with inputs written TF's way (``"x"`` for output 0, ``"x:1"``, ``"^ctrl"`` for
control inputs). They convert to and from JSON-ready dicts, print as text, and
:func:`import_graph_def` rebuilds a graph from one.

The public names (``tf.compat.v1.GraphDef``, ``NodeDef``, ``AttrValue``, what
``Graph.as_graph_def()`` and ``Operation.node_def`` return) are TF's protobuf
messages (:mod:`runtime.proto.graph_pb2`), as in TensorFlow;
:func:`runtime.protobuf.as_internal` and :func:`runtime.protobuf.to_proto` convert.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np

from . import dtypes
from .errors import InvalidArgumentError
from .graph import Graph
from .limits import SizeBudget
from .shapes import TensorShape

PRODUCER = 1994  # TF's GraphDef version of the era whose ops we mirror
MIN_CONSUMER = 12


@dataclasses.dataclass(frozen=True)
class VersionDef:
    producer: int = PRODUCER
    min_consumer: int = MIN_CONSUMER


@dataclasses.dataclass(frozen=True)
class AttrValue:
    """A typed attr value. ``kind`` is one of TF's AttrValue fields:
    ``type shape tensor i f b s list func``."""

    kind: str
    value: Any

    def __eq__(self, other):
        if not isinstance(other, AttrValue) or self.kind != other.kind:
            return False
        if self.kind == "tensor":  # NaN constants are equal to themselves here
            a, b = self.value, other.value
            nan_aware = a.dtype.kind in "fc"
            return (a.dtype, a.shape) == (b.dtype, b.shape) and np.array_equal(
                a, b, equal_nan=nan_aware
            )
        return _to_json(self) == _to_json(other)

    def __hash__(self):
        return hash((self.kind, json.dumps(_to_json(self), sort_keys=True)))


@dataclasses.dataclass
class NodeDef:
    name: str
    op: str
    input: list = dataclasses.field(default_factory=list)
    device: str = ""
    attr: dict = dataclasses.field(default_factory=dict)

    def __str__(self):
        from .protobuf import node_to_text

        return node_to_text(self)


@dataclasses.dataclass
class FunctionDef:
    """A function body (a ``cond`` branch, a loop body): the value of a ``func`` attr.

    Held in graph form, so a renderer can draw the body inside the op that calls it and
    the importer can rebuild it as a graph: ``node`` are ``NodeDef``s as in a
    ``GraphDef``, the parameters are the ``Placeholder`` outputs ``input_arg`` names
    (``"x:0"``), the results are the tensors ``output_arg`` names, of ``output_types``,
    and the ops ``control_output`` names run whenever the body does. In TF's files a
    body is a ``FunctionDef`` of the ``GraphDef``'s ``library``; :mod:`runtime.protobuf`
    converts between that form and this one.
    """

    name: str
    input_arg: list = dataclasses.field(default_factory=list)
    output_arg: list = dataclasses.field(default_factory=list)
    node: list = dataclasses.field(default_factory=list)
    output_types: list = dataclasses.field(default_factory=list)
    control_output: list = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, graph) -> FunctionDef:
        """The ``FunctionDef`` of a ``runtime.functional.FuncGraph``."""
        return cls(
            graph.name,
            [t.name for t in graph.inputs],
            [t.name for t in graph.outputs],
            [node_def_of(op) for op in graph.get_operations()],
            [t.dtype.base_dtype for t in graph.outputs],
            [op.name for op in graph.control_outputs],
        )


@dataclasses.dataclass
class GraphDef:
    """A whole graph as data (the runtime's form; ``tf.GraphDef`` is TF's message).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(2.0, name="c") * 3.0
    >>> gd = graph_def_of(g)
    >>> [(n.name, n.op, n.input) for n in gd.node]
    [('c', 'Const', []), ('mul/y', 'Const', []), ('mul', 'Mul', ['c', 'mul/y'])]
    >>> GraphDef.from_json(gd.to_json()) == gd
    True
    """

    node: list = dataclasses.field(default_factory=list)
    versions: VersionDef = dataclasses.field(default_factory=VersionDef)
    # The file it was read from: imported ops say "imported from" it. Not graph content.
    source: str | None = dataclasses.field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "node": [_node_to_dict(node) for node in self.node],
            "versions": dataclasses.asdict(self.versions),
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data: dict) -> GraphDef:
        return cls(
            node=[_node_from_dict(node) for node in data.get("node", [])],
            versions=VersionDef(**data.get("versions", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> GraphDef:
        return cls.from_dict(json.loads(text))

    # TensorFlow's wire and text formats (runtime.protobuf does the encoding).
    def SerializeToString(self, deterministic: bool = True) -> bytes:
        """TensorFlow's protobuf wire format; equal graphs give equal bytes."""
        from .protobuf import serialize

        return serialize(self)

    @classmethod
    def FromString(cls, data: bytes) -> GraphDef:
        """Parse wire-format bytes (``DataLossError`` if they are not a GraphDef)."""
        from .protobuf import parse

        return parse(data)

    def ParseFromString(self, data: bytes) -> None:
        parsed = GraphDef.FromString(data)
        self.node, self.versions = parsed.node, parsed.versions

    @classmethod
    def from_text(cls, text: str) -> GraphDef:
        """Parse TensorFlow's text format (``.pbtxt``)."""
        from .protobuf import from_text

        return from_text(text)

    def __str__(self):
        from .protobuf import to_text

        return to_text(self)


# -- from a live graph ----------------------------------------------------------------


def node_def_of(op, add_shapes: bool = False) -> NodeDef:
    """The ``NodeDef`` of a live ``Operation``."""
    inputs = [t.op.name if t.value_index == 0 else t.name for t in op.inputs]
    inputs += [f"^{c.name}" for c in op.control_inputs]
    attrs = {key: attr_value(value) for key, value in op.attrs.items()}
    if add_shapes:
        attrs["_output_shapes"] = attr_value([t.shape for t in op.outputs])
    return NodeDef(op.name, op.type, inputs, op.device, attrs)


def graph_def_of(graph, from_version=None, add_shapes: bool = False) -> GraphDef:
    """The ``GraphDef`` of ``graph`` (ops added after ``from_version`` only, if given)."""
    ops = graph.operations_since(from_version or 0)  # version 0: the empty graph
    return GraphDef([node_def_of(op, add_shapes) for op in ops])


def attr_value(value) -> AttrValue:
    """Wrap a Python attr value in its typed ``AttrValue``.

    Examples
    --------
    >>> attr_value(dtypes.float32), attr_value(True), attr_value(3)
    (AttrValue(kind='type', value=tf.float32), AttrValue(kind='b', value=True), AttrValue(kind='i', value=3))
    """
    if isinstance(value, AttrValue):
        return value
    if isinstance(value, dtypes.DType):
        return AttrValue("type", value)
    if value is None or isinstance(value, TensorShape):
        return AttrValue("shape", TensorShape(value))
    if isinstance(value, np.ndarray | np.generic):
        return AttrValue("tensor", np.asarray(value))
    if isinstance(value, bool):
        return AttrValue("b", value)
    if isinstance(value, int):
        return AttrValue("i", value)
    if isinstance(value, float):
        return AttrValue("f", value)
    if isinstance(value, str | bytes):
        return AttrValue("s", value.encode() if isinstance(value, str) else value)
    if isinstance(value, list | tuple):
        return AttrValue("list", [attr_value(item) for item in value])
    if isinstance(value, Graph):  # a function body
        return AttrValue("func", FunctionDef.of(value))
    raise TypeError(f"Cannot store an attr of type {type(value).__name__}: {value!r}")


def python_value(attr: AttrValue):
    """The Python value an op keeps for ``attr`` (the inverse of :func:`attr_value`)."""
    if attr.kind == "list":
        return [python_value(item) for item in attr.value]
    if attr.kind == "shape":
        return None if attr.value.rank is None else attr.value
    if attr.kind == "tensor":
        return np.asarray(attr.value)
    if attr.kind == "s":
        # Ops keep text attrs (padding="SAME") as str; bytes that are not text stay bytes.
        try:
            return attr.value.decode()
        except UnicodeDecodeError:
            return attr.value
    return attr.value


# -- JSON -----------------------------------------------------------------------------


def _to_json(attr: AttrValue):
    kind, value = attr.kind, attr.value
    if kind == "type":
        return {"type": value.name}
    if kind == "shape":
        return {"shape": None if value.rank is None else value.as_list()}
    if kind == "tensor":
        return {"tensor": _tensor_to_json(value)}
    if kind == "s":
        return {"s": value.decode("latin-1")}
    if kind == "list":
        return {"list": [_to_json(item) for item in value]}
    if kind == "func":
        if isinstance(value, str):  # a function the GraphDef's library did not hold
            return {"func": {"name": value}}
        return {
            "func": {
                "name": value.name,
                "input_arg": list(value.input_arg),
                "output_arg": list(value.output_arg),
                "node": [_node_to_dict(node) for node in value.node],
                "output_types": [dtype.name for dtype in value.output_types],
                "control_output": list(value.control_output),
            }
        }
    return {kind: value}


def _from_json(data: dict) -> AttrValue:
    ((kind, value),) = data.items()
    if kind == "type":
        return AttrValue(kind, dtypes.as_dtype(value))
    if kind == "shape":
        return AttrValue(kind, TensorShape(value))
    if kind == "tensor":
        return AttrValue(kind, _tensor_from_json(value))
    if kind == "s":
        return AttrValue(kind, value.encode("latin-1"))
    if kind == "list":
        return AttrValue(kind, [_from_json(item) for item in value])
    if kind == "func":
        if set(value) == {"name"}:
            return AttrValue(kind, value["name"])
        nodes = [_node_from_dict(node) for node in value.get("node", [])]
        types = [dtypes.as_dtype(name) for name in value.get("output_types", [])]
        return AttrValue(kind, FunctionDef(**{**value, "node": nodes, "output_types": types}))
    return AttrValue(kind, value)


def _tensor_to_json(array: np.ndarray) -> dict:
    dtype = dtypes.as_dtype(array.dtype) if array.dtype != object else dtypes.string
    flat = array.reshape(-1)
    if array.size > 1 and not any(array.strides):  # a splat: one value, as TF's rule fills
        flat = flat[:1]
    flat = flat.tolist()
    if dtype is dtypes.string:
        flat = [item.decode("latin-1") for item in flat]
    elif dtype.is_complex:
        flat = [[item.real, item.imag] for item in flat]
    return {"dtype": dtype.name, "shape": list(array.shape), "values": flat}


def _tensor_from_json(data: dict) -> np.ndarray:
    dtype = dtypes.as_dtype(data["dtype"])
    shape = tuple(data["shape"])
    count = math.prod(shape)
    values = data["values"]
    SizeBudget("GraphDef JSON").claim(count * np.dtype(dtype.as_numpy_dtype).itemsize, "tensor")
    if dtype is dtypes.string:
        array = np.empty(len(values), dtype=object)
        array[:] = [item.encode("latin-1") for item in values]
    elif dtype.is_complex:
        array = np.array([complex(*pair) for pair in values], dtype=dtype.as_numpy_dtype)
    else:
        array = np.array(values, dtype=dtype.as_numpy_dtype)
    return filled(array, shape, "tensor")


def filled(values: np.ndarray, shape: tuple, where: str, budget: SizeBudget | None = None):
    """A tensor of ``shape`` from a flat value list, by TF's rule: a short list is filled
    out with its last value (zeros if empty).

    A single repeated value stays a read-only numpy broadcast, costing no memory however
    large the shape; a longer short list is expanded within ``budget``'s ``fill_bytes``
    (see :mod:`runtime.limits`).

    Examples
    --------
    >>> filled(np.array([1, 2], np.int32), (4,), "demo")
    array([1, 2, 2, 2], dtype=int32)
    >>> filled(np.array([7.0]), (2**30,), "demo").strides  # 8 GiB claimed, 8 bytes held
    (0,)
    """
    if any(dim < 0 for dim in shape):
        raise InvalidArgumentError(None, None, f"{where}: shape {list(shape)} has a negative size")
    if math.prod(max(int(dim), 1) for dim in shape) * values.itemsize >= 2**63:
        raise InvalidArgumentError(
            None, None, f"{where}: shape {list(shape)} has too many elements"
        )
    count = math.prod(shape)
    if len(values) > count:
        raise InvalidArgumentError(
            None, None, f"{where} holds {len(values)} values for {count} elements"
        )
    if len(values) == count:
        return values.reshape(shape)
    if not len(values):
        zero = b"" if values.dtype == object else 0
        return np.broadcast_to(np.array(zero, dtype=values.dtype), shape)
    last = values[-1]
    if np.all(values[:-1] == last):
        return np.broadcast_to(values[-1:].reshape(()), shape)
    (budget or SizeBudget("a tensor")).fill((count - len(values)) * values.itemsize, where)
    full = np.empty(count, dtype=values.dtype)
    full[: len(values)] = values
    full[len(values) :] = last
    return full.reshape(shape)


def _node_to_dict(node: NodeDef) -> dict:
    return {
        "name": node.name,
        "op": node.op,
        "input": list(node.input),
        "device": node.device,
        "attr": {key: _to_json(value) for key, value in sorted(node.attr.items())},
    }


def _node_from_dict(data: dict) -> NodeDef:
    return NodeDef(
        data["name"],
        data["op"],
        list(data.get("input", [])),
        data.get("device", ""),
        {key: _from_json(value) for key, value in data.get("attr", {}).items()},
    )


def as_node_def(node_def) -> NodeDef:
    """``node_def`` as a :class:`NodeDef`: one already, or TF's protobuf message of one.

    Raises
    ------
    TypeError
        For anything else, in TF's words.

    Examples
    --------
    >>> from runtime.proto import graph_pb2
    >>> as_node_def(graph_pb2.NodeDef(name="n", op="NoOp"))
    NodeDef(name='n', op='NoOp', input=[], device='', attr={})
    """
    if isinstance(node_def, NodeDef):
        return node_def
    if type(node_def).__name__ == "NodeDef" and hasattr(node_def, "SerializeToString"):
        from .proto import graph_pb2
        from .protobuf import node_from_proto

        if not isinstance(node_def, graph_pb2.NodeDef):  # real TensorFlow's class
            node_def = graph_pb2.NodeDef.FromString(node_def.SerializeToString())
        return node_from_proto(node_def)
    raise TypeError(
        f"Argument node_def must be a NodeDef. Received an instance of type: {type(node_def)}."
    )
