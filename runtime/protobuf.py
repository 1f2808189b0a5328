"""TensorFlow's wire and text formats for ``GraphDef``s.

Converts :mod:`runtime.graph_def`'s plain data to and from the protocol-buffer
messages compiled from ``runtime/proto/*.proto`` (TensorFlow's field numbers), so
``graph_def.SerializeToString()`` is bytes TensorFlow parses and TensorFlow's
``.pb``/``.pbtxt`` files load here. Tensors travel as ``tensor_content`` (raw
little-endian bytes) when written; on reading, the typed value lists
(``float_val``, ``int_val`` ...) are accepted too, with TF's rule that a short list is
filled out with its last value.

Function bodies (``cond`` branches, loop bodies, ``tf.function`` calls) travel in the
``GraphDef``'s ``library`` as TF's ``FunctionDef``s (args by name, node outputs as
``node:arg:index``); read, each ``func`` attr holds its body in graph form
(:class:`runtime.graph_def.FunctionDef`).

Bad bytes never crash, hang or allocate what they merely claim: they raise
``DataLossError`` (not a protocol buffer), ``InvalidArgumentError`` (a protocol buffer
that is not a valid graph) or ``ResourceExhaustedError`` (tensors claiming more than
:mod:`runtime.limits` allows).
"""

from __future__ import annotations

import re

import numpy as np
from google.protobuf import message as _message
from google.protobuf import text_format

from . import dtypes
from .errors import DataLossError, InvalidArgumentError
from .graph_def import AttrValue, FunctionDef, GraphDef, NodeDef, VersionDef, filled
from .limits import SizeBudget
from .proto import graph_pb2
from .registry import get_op_def, is_registered
from .shapes import TensorShape

# TF's OpDef rule for argument names; a body's parameters are named after their ops.
_ARG_NAME = re.compile(r"[a-z][a-z0-9_]*")
_MAX_RANK = 254  # TF's TensorShape limit
_MAX_FUNCTION_DEPTH = 64  # functions calling functions: deeper than any real model


def to_proto(graph_def: GraphDef) -> graph_pb2.GraphDef:
    """The ``GraphDef`` message of ``graph_def``; function bodies go to its ``library``.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.graph_def import graph_def_of
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant([1.0, 2.0], name="c")
    >>> message = to_proto(graph_def_of(g))
    >>> message.node[0].name, message.node[0].attr["dtype"].type
    ('c', 1)
    """
    message = graph_pb2.GraphDef()
    for node in graph_def.node:
        _node_to_proto(node, message.node.add())
    message.versions.producer = graph_def.versions.producer
    message.versions.min_consumer = graph_def.versions.min_consumer
    for function in _functions_of(graph_def.node).values():
        _function_to_proto(function, message.library.function.add())
    return message


def from_proto(message: graph_pb2.GraphDef, budget: SizeBudget | None = None) -> GraphDef:
    """The plain ``GraphDef`` of a message; ``InvalidArgumentError`` for invalid content.

    ``func`` attrs come back holding the library's ``FunctionDef`` in graph form; the
    tensors of the whole message share one ``budget`` (:mod:`runtime.limits`).
    """
    reader = _Reader(budget or SizeBudget("GraphDef"), message.library)
    nodes = [reader.node(node) for node in message.node]
    versions = VersionDef(message.versions.producer, message.versions.min_consumer)
    return GraphDef(node=nodes, versions=versions)


def as_internal(graph_def, source: str = "GraphDef") -> GraphDef:
    """The runtime's form of ``graph_def``: itself, or that of a ``GraphDef`` message.

    Public functions take TF's ``GraphDef`` message (``tf.compat.v1.GraphDef``, what
    ``Graph.as_graph_def`` returns) and, from internal callers, the runtime's form. A
    message is read as a file is (:func:`from_proto`: one size budget, TF's checks),
    its tensors straight from the message, not through its bytes. Another protobuf
    class named ``GraphDef`` (real TensorFlow's) is read through its wire format.

    Raises
    ------
    TypeError
        For anything else, in TF's words.

    Examples
    --------
    >>> message = graph_pb2.GraphDef()
    >>> message.node.add(name="n", op="NoOp")  # doctest: +ELLIPSIS
    name: "n"...
    >>> as_internal(message).node
    [NodeDef(name='n', op='NoOp', input=[], device='', attr={})]
    """
    if isinstance(graph_def, GraphDef):
        return graph_def
    if isinstance(graph_def, graph_pb2.GraphDef):
        return from_proto(graph_def, SizeBudget(source))
    if type(graph_def).__name__ == "GraphDef" and hasattr(graph_def, "SerializeToString"):
        return parse(graph_def.SerializeToString(), source)
    raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}.")


def node_to_proto(node: NodeDef) -> graph_pb2.NodeDef:
    """The ``NodeDef`` message of ``node`` (a ``func`` attr names its function)."""
    message = graph_pb2.NodeDef()
    _node_to_proto(node, message)
    return message


def node_from_proto(message: graph_pb2.NodeDef) -> NodeDef:
    """The runtime's form of a ``NodeDef`` message (``func`` attrs hold names only)."""
    return _Reader(SizeBudget("NodeDef"), graph_pb2.FunctionDefLibrary()).node(message)


def attr_from_proto(message: graph_pb2.AttrValue, node_name: str, key: str) -> AttrValue:
    """The runtime's form of an ``AttrValue`` message (``tf.compat.v1.AttrValue``).

    Examples
    --------
    >>> attr_from_proto(graph_pb2.AttrValue(type=1), "x", "dtype")
    AttrValue(kind='type', value=tf.float32)
    """
    reader = _Reader(SizeBudget("AttrValue"), graph_pb2.FunctionDefLibrary())
    return reader.attr(node_name, key, message)


def serialize(graph_def: GraphDef) -> bytes:
    """Wire-format bytes, deterministic (maps in key order), so equal graphs give equal bytes."""
    return to_proto(graph_def).SerializeToString(deterministic=True)


def parse(data: bytes, source: str = "GraphDef") -> GraphDef:
    """A ``GraphDef`` from wire-format bytes (``source`` names them in messages).

    Examples
    --------
    >>> parse(b"not a graph")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    runtime.errors.DataLossError: Cannot parse GraphDef: the bytes are not a valid protocol buffer (...)
    """
    message = graph_pb2.GraphDef()
    try:
        message.ParseFromString(bytes(data))
    except (_message.DecodeError, ValueError, RuntimeError) as err:
        raise DataLossError(
            None, None, f"Cannot parse {source}: the bytes are not a valid protocol buffer ({err})"
        ) from None
    return from_proto(message, SizeBudget(source))


def to_text(graph_def: GraphDef) -> str:
    """TensorFlow's text format (``.pbtxt``)."""
    return text_format.MessageToString(to_proto(graph_def))


def node_to_text(node: NodeDef) -> str:
    """One node in TensorFlow's text format, what ``print(op)`` shows.

    Examples
    --------
    >>> print(node_to_text(NodeDef("n", "NoOp", device="/device:CPU:0")), end="")
    name: "n"
    op: "NoOp"
    device: "/device:CPU:0"
    """
    return text_format.MessageToString(node_to_proto(node))


def from_text(text: str, source: str = "GraphDef") -> GraphDef:
    """A ``GraphDef`` from text format; ``InvalidArgumentError`` when it does not parse."""
    message = graph_pb2.GraphDef()
    try:
        text_format.Parse(text, message, allow_unknown_field=True)
    except (text_format.ParseError, ValueError, RecursionError) as err:
        raise InvalidArgumentError(None, None, f"Cannot parse {source} text: {err}") from None
    return from_proto(message, SizeBudget(source))


# -- writing nodes, attrs and functions -------------------------------------------------


def _node_to_proto(node: NodeDef, out) -> None:
    out.name, out.op, out.device = node.name, node.op, node.device
    out.input.extend(node.input)
    for key, value in node.attr.items():
        _attr_to_proto(value, out.attr[key])


def _attr_to_proto(attr: AttrValue, out) -> None:
    kind, value = attr.kind, attr.value
    if kind == "list":
        _list_to_proto(value, out.list)
        out.list.SetInParent()
    elif kind == "type":
        out.type = value.as_datatype_enum
    elif kind == "shape":
        _shape_to_proto(value, out.shape)
    elif kind == "tensor":
        _tensor_to_proto(value, out.tensor)
    elif kind == "func":
        out.func.name = _function_name(value)
    else:
        setattr(out, kind, value)


def _list_to_proto(items, out) -> None:
    for item in items:
        if item.kind == "type":
            out.type.append(item.value.as_datatype_enum)
        elif item.kind == "shape":
            _shape_to_proto(item.value, out.shape.add())
        elif item.kind == "tensor":
            _tensor_to_proto(item.value, out.tensor.add())
        elif item.kind == "func":
            out.func.add().name = _function_name(item.value)
        else:
            getattr(out, item.kind).append(item.value)


def _function_name(value) -> str:
    return value if isinstance(value, str) else value.name


def _functions_of(nodes, found: dict | None = None) -> dict:
    """Every ``FunctionDef`` the ``func`` attrs of ``nodes`` hold, nested ones too, by name."""
    found = {} if found is None else found
    for node in nodes:
        for attr in node.attr.values():
            items = attr.value if attr.kind == "list" else [attr]
            for item in items:
                function = item.value if item.kind == "func" else None
                if isinstance(function, FunctionDef) and function.name not in found:
                    found[function.name] = function
                    _functions_of(function.node, found)
    return found


def _function_to_proto(function: FunctionDef, out) -> None:
    """TF's form of a body: parameters as the signature's args, inputs ``node:arg:index``."""
    nodes = {node.name: node for node in function.node}
    parameters = [name.partition(":")[0] for name in function.input_arg]
    names = _arg_names(parameters, set(nodes))
    signature = out.signature
    signature.name = function.name
    for index, parameter in enumerate(parameters):
        node = nodes[parameter]
        signature.input_arg.add(
            name=names[parameter], type=node.attr["dtype"].value.as_datatype_enum
        )
        shape = node.attr.get("shape", AttrValue("shape", TensorShape(None)))
        _attr_to_proto(AttrValue("list", [shape]), out.arg_attr[index].attr["_output_shapes"])

    def reference(name: str) -> str | None:
        source, _, index = name.lstrip("^").partition(":")
        if name.startswith("^"):  # TF has no control edges from a function's args
            return None if source in names else name
        if source in names:
            return names[source]
        if source not in nodes:
            raise InvalidArgumentError(
                None, None, f"Function '{function.name}': '{name}' names no node of it"
            )
        return f"{source}:{_output_arg(nodes[source].op, int(index or 0))}"

    for node in function.node:
        if node.name not in names:
            inputs = [ref for ref in map(reference, node.input) if ref is not None]
            _node_to_proto(
                NodeDef(node.name, node.op, inputs, node.device, node.attr), out.node_def.add()
            )
    for index, (tensor, dtype) in enumerate(zip(function.output_arg, function.output_types)):
        signature.output_arg.add(name=f"output_{index}", type=dtype.as_datatype_enum)
        out.ret[f"output_{index}"] = reference(tensor)
    for name in function.control_output:
        signature.control_output.append(name)
        out.control_ret[name] = name
    signature.is_stateful = any(
        is_registered(node.op) and get_op_def(node.op).is_stateful for node in function.node
    )


def _arg_names(parameters: list, taken: set) -> dict:
    """TF-valid, unique argument names for the parameter ops (``"Arg_1"`` -> ``"arg_1"``)."""
    names, used = {}, set(taken) - set(parameters)
    for parameter in parameters:
        base = re.sub(r"[^a-z0-9_]", "_", parameter.lower())
        base = base if _ARG_NAME.fullmatch(base) else f"arg_{base}"
        name, count = base, 1
        while name in used:
            count += 1
            name = f"{base}_{count}"
        used.add(name)
        names[parameter] = name
    return names


def _output_arg(op_type: str, index: int) -> str:
    """Output ``index`` of an op as TF's ``arg:position``, from the OpDef's output names."""
    outputs = get_op_def(op_type).output_names if is_registered(op_type) else ("output",)
    if len(outputs) == 1 or not outputs:
        return f"{outputs[0] if outputs else 'output'}:{index}"
    if index < len(outputs):
        return f"{outputs[index]}:0"
    return f"{outputs[-1]}:{index - len(outputs) + 1}"


def _output_index(op_type: str, arg: str, position: int, where: str) -> int:
    """The inverse of :func:`_output_arg`: TF's ``arg:position`` as an output index."""
    outputs = get_op_def(op_type).output_names if is_registered(op_type) else ()
    if arg in outputs and len(outputs) > 1:
        return outputs.index(arg) + position
    if len(outputs) <= 1:  # one (list) output, or an op type the runtime lacks
        return position
    raise InvalidArgumentError(
        None, None, f"{where}: op {op_type} has no output '{arg}' (its outputs: {list(outputs)})"
    )


# -- reading --------------------------------------------------------------------------------


class _Reader:
    """Reads one message: its tensors share a size budget, its functions a library."""

    def __init__(self, budget: SizeBudget, library):
        self.budget = budget
        self.protos: dict = {}
        for proto in library.function:
            name = proto.signature.name
            if name in self.protos:
                raise InvalidArgumentError(
                    None, None, f"The GraphDef's library defines function '{name}' twice"
                )
            self.protos[name] = proto
        self.functions: dict[str, FunctionDef] = {}
        self.reading: list[str] = []  # the functions being read, outermost first

    def node(self, node) -> NodeDef:
        attrs = {key: self.attr(node.name, key, value) for key, value in node.attr.items()}
        return NodeDef(node.name, node.op, list(node.input), node.device, attrs)

    def attr(self, node_name: str, key: str, attr) -> AttrValue:
        kind = attr.WhichOneof("value")
        where = f"attr '{key}' of node '{node_name}'"
        if kind is None or kind == "list":
            return AttrValue("list", self.list(attr.list, where))
        if kind == "type":
            return AttrValue("type", _dtype(attr.type, where))
        if kind == "shape":
            return AttrValue("shape", _shape_from_proto(attr.shape, where))
        if kind == "tensor":
            return AttrValue("tensor", tensor_from_proto(attr.tensor, where, self.budget))
        if kind == "func":
            return AttrValue("func", self.function(attr.func.name, where))
        if kind == "placeholder":
            raise InvalidArgumentError(
                None, None, f"{where} is a function placeholder, not a value"
            )
        return AttrValue(kind, getattr(attr, kind))

    def list(self, values, where) -> list:
        items = [AttrValue("s", v) for v in values.s]
        items += [AttrValue("i", v) for v in values.i]
        items += [AttrValue("f", v) for v in values.f]
        items += [AttrValue("b", v) for v in values.b]
        items += [AttrValue("type", _dtype(v, where)) for v in values.type]
        items += [AttrValue("shape", _shape_from_proto(v, where)) for v in values.shape]
        items += [
            AttrValue("tensor", tensor_from_proto(v, where, self.budget)) for v in values.tensor
        ]
        items += [AttrValue("func", self.function(v.name, where)) for v in values.func]
        return items

    def function(self, name: str, where: str):
        """The library's function ``name`` in graph form (just the name if it has none)."""
        if name in self.functions:
            return self.functions[name]
        if name not in self.protos:
            return name  # the importer reports it, naming the node that calls it
        if name in self.reading:
            cycle = " -> ".join([*self.reading[self.reading.index(name) :], name])
            raise InvalidArgumentError(None, None, f"{where}: functions call themselves ({cycle})")
        if len(self.reading) >= _MAX_FUNCTION_DEPTH:
            raise InvalidArgumentError(
                None, None, f"{where}: functions nest deeper than {_MAX_FUNCTION_DEPTH} levels"
            )
        self.reading.append(name)
        try:
            self.functions[name] = self._function(self.protos[name])
        finally:
            self.reading.pop()
        return self.functions[name]

    def _function(self, proto) -> FunctionDef:
        """A library ``FunctionDef`` in graph form: its args become ``Placeholder`` nodes."""
        signature = proto.signature
        where = f"function '{signature.name}'"
        nodes = [self.node(node) for node in proto.node_def]
        types = {node.name: node.op for node in nodes}
        parameters = []
        for index, arg in enumerate(signature.input_arg):
            attrs = {"dtype": AttrValue("type", _arg_type(arg, where))}
            shapes = (
                proto.arg_attr[index].attr.get("_output_shapes")
                if index in proto.arg_attr
                else None
            )
            if shapes is not None and len(shapes.list.shape) == 1:
                attrs["shape"] = AttrValue("shape", _shape_from_proto(shapes.list.shape[0], where))
            parameters.append(NodeDef(arg.name, "Placeholder", [], "", attrs))
            if arg.name in types:
                raise InvalidArgumentError(
                    None, None, f"{where}: '{arg.name}' names an arg and a node"
                )
            types[arg.name] = "Placeholder"

        def tensor_name(reference: str) -> str:
            source, _, rest = reference.lstrip("^").partition(":")
            if source not in types:
                raise InvalidArgumentError(
                    None, None, f"{where}: '{reference}' names no arg or node"
                )
            if reference.startswith("^") or not rest:
                return reference
            arg, _, position = rest.partition(":")
            if not position.isdigit():
                raise InvalidArgumentError(None, None, f"{where}: malformed input '{reference}'")
            index = _output_index(types[source], arg, int(position), where)
            return f"{source}:{index}" if index else source

        for node in nodes:
            node.input = [tensor_name(name) for name in node.input]
        outputs, output_types = [], []
        for arg in signature.output_arg:
            if arg.name not in proto.ret:
                raise InvalidArgumentError(
                    None, None, f"{where}: output '{arg.name}' has no ret value"
                )
            outputs.append(_tensor(tensor_name(proto.ret[arg.name])))
            output_types.append(_arg_type(arg, where))
        controls = [proto.control_ret.get(name, name) for name in signature.control_output]
        return FunctionDef(
            signature.name,
            [f"{arg.name}:0" for arg in signature.input_arg],
            outputs,
            parameters + nodes,
            output_types,
            controls,
        )


def _tensor(name: str) -> str:
    return name if ":" in name else f"{name}:0"


def _arg_type(arg, where: str) -> dtypes.DType:
    if arg.type_attr or arg.number_attr or arg.type_list_attr:
        raise InvalidArgumentError(
            None,
            None,
            f"{where}: arg '{arg.name}' has a polymorphic type; only functions of "
            "fixed types (as traced by tf.function, cond and while_loop) are supported",
        )
    return _dtype(arg.type, f"{where}, arg '{arg.name}'")


def _dtype(enum: int, where: str) -> dtypes.DType:
    try:
        return dtypes.as_dtype(enum)
    except TypeError:
        raise InvalidArgumentError(None, None, f"{where} has unknown DataType {enum}") from None


# -- shapes and tensors -----------------------------------------------------------------


def _shape_to_proto(shape: TensorShape, out) -> None:
    out.SetInParent()  # a scalar's shape has no fields set, but is still a shape
    if shape.rank is None:
        out.unknown_rank = True
        return
    for dim in shape.as_tuple():
        out.dim.add().size = -1 if dim is None else dim


def _shape_from_proto(proto, where: str = "shape") -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    if len(proto.dim) > _MAX_RANK:
        raise InvalidArgumentError(
            None, None, f"{where}: shape has {len(proto.dim)} dimensions, more than {_MAX_RANK}"
        )
    sizes = [d.size for d in proto.dim]
    if any(size < -1 for size in sizes):
        raise InvalidArgumentError(None, None, f"{where}: shape {sizes} has a negative dimension")
    return TensorShape([None if size == -1 else size for size in sizes])


# The typed value list of each dtype in a ``TensorProto`` (``int_val`` for the small ints).
_VALUE_FIELDS = {
    dtypes.float32: "float_val",
    dtypes.float64: "double_val",
    dtypes.float16: "half_val",
    dtypes.int64: "int64_val",
    dtypes.uint32: "uint32_val",
    dtypes.uint64: "uint64_val",
    dtypes.bool: "bool_val",
    dtypes.complex64: "scomplex_val",
    dtypes.complex128: "dcomplex_val",
    dtypes.string: "string_val",
    **{
        t: "int_val" for t in (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.uint8, dtypes.uint16)
    },
}


def _tensor_to_proto(array: np.ndarray, out) -> None:
    dtype = dtypes.string if array.dtype == object else dtypes.as_dtype(array.dtype)
    out.dtype = dtype.as_datatype_enum
    _shape_to_proto(TensorShape(array.shape), out.tensor_shape)
    if array.size > 1 and not any(array.strides):
        # One value broadcast to the shape (a splat, as read): written back as one value.
        _values_to_proto(array.reshape(-1)[:1], dtype, out)
    elif dtype is dtypes.string:
        _values_to_proto(array.reshape(-1), dtype, out)
    else:
        out.tensor_content = (
            np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        )


def _values_to_proto(flat: np.ndarray, dtype, out) -> None:
    if dtype is dtypes.string:
        values = [item if isinstance(item, bytes) else str(item).encode() for item in flat]
    elif dtype.is_complex:
        values = np.stack([flat.real, flat.imag], axis=-1).reshape(-1).tolist()
    elif dtype is dtypes.float16:
        values = flat.view(np.uint16).tolist()
    else:
        values = flat.tolist()
    getattr(out, _VALUE_FIELDS[dtype]).extend(values)


def tensor_from_proto(proto, where: str = "tensor", budget: SizeBudget | None = None) -> np.ndarray:
    """A numpy array from a ``TensorProto`` (``tensor_content`` or typed value lists).

    Nothing is allocated for what the proto merely claims: its size is checked against
    ``budget`` (:mod:`runtime.limits`) first, and a value list shorter than the shape is
    filled out with its last value (TF's rule) as a read-only numpy broadcast when that
    is one value repeated.

    Examples
    --------
    >>> from runtime.proto import graph_pb2
    >>> proto = graph_pb2.TensorProto(dtype=1, float_val=[7.0])
    >>> proto.tensor_shape.dim.add().size = 3
    >>> tensor_from_proto(proto)
    array([7., 7., 7.], dtype=float32)
    >>> proto.tensor_shape.dim[0].size = 2**27  # 512 MiB claimed by a few bytes: a view
    >>> tensor_from_proto(proto).strides
    (0,)
    """
    budget = budget or SizeBudget("a TensorProto")
    dtype = _dtype(proto.dtype, where)
    shape = _shape_from_proto(proto.tensor_shape, where)
    if not shape.is_fully_defined():
        raise InvalidArgumentError(None, None, f"{where} has a partially known shape {shape}")
    field = _VALUE_FIELDS.get(dtype)
    if field is None:
        raise InvalidArgumentError(
            None, None, f"{where}: tensors of dtype {dtype.name} cannot be read"
        )
    numpy_type = np.dtype(dtype.as_numpy_dtype)
    count = shape.num_elements()
    budget.claim(count * numpy_type.itemsize, where)
    if proto.tensor_content and dtype is not dtypes.string:
        if len(proto.tensor_content) != count * numpy_type.itemsize:
            raise InvalidArgumentError(
                None,
                None,
                f"{where}: tensor_content has {len(proto.tensor_content)} bytes, shape {shape} "
                f"of {dtype.name} needs {count * numpy_type.itemsize}",
            )
        flat = np.frombuffer(proto.tensor_content, dtype=numpy_type.newbyteorder("<"))
        return flat.astype(numpy_type).reshape(shape.as_tuple())
    values = _values_from_proto(getattr(proto, field), dtype, numpy_type)
    if values is None:
        raise InvalidArgumentError(None, None, f"{where}: {field} holds an odd number of parts")
    return filled(values, shape.as_tuple(), where, budget)


def _values_from_proto(field, dtype, numpy_type: np.dtype) -> np.ndarray:
    """The typed value list as a numpy array (no Python object per value)."""
    if dtype is dtypes.string:
        values = np.empty(len(field), dtype=object)
        values[:] = list(field)
        return values
    if dtype.is_complex:
        parts = np.fromiter(field, dtype=numpy_type.type(0).real.dtype, count=len(field))
        return parts.view(numpy_type) if len(parts) % 2 == 0 else None
    if dtype is dtypes.float16:  # half_val holds the bit patterns
        return (
            np.fromiter(field, dtype=np.int32, count=len(field)).astype(np.uint16).view(np.float16)
        )
    return np.fromiter(field, dtype=numpy_type, count=len(field))


def tensor_to_proto(array: np.ndarray) -> graph_pb2.TensorProto:
    """A ``TensorProto`` holding ``array`` (the inverse of :func:`tensor_from_proto`).

    Examples
    --------
    >>> import numpy as np
    >>> tensor_from_proto(tensor_to_proto(np.arange(3, dtype=np.int64))).tolist()
    [0, 1, 2]
    """
    proto = graph_pb2.TensorProto()
    _tensor_to_proto(np.asarray(array), proto)
    return proto
