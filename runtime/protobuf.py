"""TensorFlow's wire and text formats for ``GraphDef``s.

Converts :mod:`runtime.graph_def`'s plain data to and from the protocol-buffer
messages compiled from ``runtime/proto/*.proto`` (TensorFlow's field numbers), so
``graph_def.SerializeToString()`` is bytes TensorFlow parses and TensorFlow's
``.pb``/``.pbtxt`` files load here. Tensors travel as ``tensor_content`` (raw
little-endian bytes) when written; on reading, the typed value lists
(``float_val``, ``int_val`` ...) are accepted too, with TF's rule that a short list is
filled out with its last value.

Bad bytes never crash or hang: they raise ``DataLossError`` (not a protocol buffer)
or ``InvalidArgumentError`` (a protocol buffer that is not a valid graph).
"""

from __future__ import annotations

import numpy as np
from google.protobuf import message as _message
from google.protobuf import text_format

from . import dtypes
from .errors import DataLossError, InvalidArgumentError
from .graph_def import AttrValue, GraphDef, NodeDef, VersionDef
from .proto import graph_pb2
from .shapes import TensorShape

_HALF_BITS = np.uint16


def to_proto(graph_def: GraphDef) -> graph_pb2.GraphDef:
    """The ``GraphDef`` message of ``graph_def``.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant([1.0, 2.0], name="c")
    >>> message = to_proto(g.as_graph_def())
    >>> message.node[0].name, message.node[0].attr["dtype"].type
    ('c', 1)
    """
    message = graph_pb2.GraphDef()
    for node in graph_def.node:
        _node_to_proto(node, message.node.add())
    message.versions.producer = graph_def.versions.producer
    message.versions.min_consumer = graph_def.versions.min_consumer
    return message


def from_proto(message: graph_pb2.GraphDef) -> GraphDef:
    """The plain ``GraphDef`` of a message; ``InvalidArgumentError`` for invalid content."""
    nodes = [_node_from_proto(node) for node in message.node]
    versions = VersionDef(message.versions.producer, message.versions.min_consumer)
    return GraphDef(node=nodes, versions=versions)


def serialize(graph_def: GraphDef) -> bytes:
    """Wire-format bytes, deterministic (maps in key order), so equal graphs give equal bytes."""
    return to_proto(graph_def).SerializeToString(deterministic=True)


def parse(data: bytes) -> GraphDef:
    """A ``GraphDef`` from wire-format bytes.

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
            None, None, f"Cannot parse GraphDef: the bytes are not a valid protocol buffer ({err})"
        ) from None
    return from_proto(message)


def to_text(graph_def: GraphDef) -> str:
    """TensorFlow's text format (``.pbtxt``)."""
    return text_format.MessageToString(to_proto(graph_def))


def from_text(text: str) -> GraphDef:
    """A ``GraphDef`` from text format; ``InvalidArgumentError`` when it does not parse."""
    message = graph_pb2.GraphDef()
    try:
        text_format.Parse(text, message, allow_unknown_field=True)
    except (text_format.ParseError, ValueError) as err:
        raise InvalidArgumentError(None, None, f"Cannot parse GraphDef text: {err}") from None
    return from_proto(message)


# -- nodes and attrs --------------------------------------------------------------------


def _node_to_proto(node: NodeDef, out) -> None:
    out.name, out.op, out.device = node.name, node.op, node.device
    out.input.extend(node.input)
    for key, value in node.attr.items():
        _attr_to_proto(value, out.attr[key])


def _node_from_proto(node) -> NodeDef:
    attrs = {key: _attr_from_proto(node.name, key, value) for key, value in node.attr.items()}
    return NodeDef(node.name, node.op, list(node.input), node.device, attrs)


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
        out.func.name = value if isinstance(value, str) else getattr(value, "name", str(value))
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
            out.func.add().name = item.value if isinstance(item.value, str) else item.value.name
        else:
            getattr(out, item.kind).append(item.value)


def _attr_from_proto(node_name: str, key: str, attr) -> AttrValue:
    kind = attr.WhichOneof("value")
    where = f"attr '{key}' of node '{node_name}'"
    if kind is None or kind == "list":
        return AttrValue("list", _list_from_proto(attr.list, where))
    if kind == "type":
        return AttrValue("type", _dtype(attr.type, where))
    if kind == "shape":
        return AttrValue("shape", _shape_from_proto(attr.shape))
    if kind == "tensor":
        return AttrValue("tensor", tensor_from_proto(attr.tensor, where))
    if kind == "func":
        return AttrValue("func", attr.func.name)
    if kind == "placeholder":
        raise InvalidArgumentError(None, None, f"{where} is a function placeholder, not a value")
    return AttrValue(kind, getattr(attr, kind))


def _list_from_proto(values, where) -> list:
    items = [AttrValue("s", v) for v in values.s]
    items += [AttrValue("i", v) for v in values.i]
    items += [AttrValue("f", v) for v in values.f]
    items += [AttrValue("b", v) for v in values.b]
    items += [AttrValue("type", _dtype(v, where)) for v in values.type]
    items += [AttrValue("shape", _shape_from_proto(v)) for v in values.shape]
    items += [AttrValue("tensor", tensor_from_proto(v, where)) for v in values.tensor]
    items += [AttrValue("func", v.name) for v in values.func]
    return items


def _dtype(enum: int, where: str) -> dtypes.DType:
    try:
        return dtypes.as_dtype(enum)
    except TypeError:
        raise InvalidArgumentError(None, None, f"{where} has unknown DataType {enum}") from None


# -- shapes and tensors -----------------------------------------------------------------


def _shape_to_proto(shape: TensorShape, out) -> None:
    if shape.rank is None:
        out.unknown_rank = True
        return
    for dim in shape.as_tuple():
        out.dim.add().size = -1 if dim is None else dim


def _shape_from_proto(proto) -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


def _tensor_to_proto(array: np.ndarray, out) -> None:
    dtype = dtypes.string if array.dtype == object else dtypes.as_dtype(array.dtype)
    out.dtype = dtype.as_datatype_enum
    _shape_to_proto(TensorShape(array.shape), out.tensor_shape)
    if dtype is dtypes.string:
        out.string_val.extend(
            item if isinstance(item, bytes) else str(item).encode() for item in array.reshape(-1)
        )
    else:
        out.tensor_content = (
            np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        )


def tensor_from_proto(proto, where: str = "tensor") -> np.ndarray:
    """A numpy array from a ``TensorProto`` (``tensor_content`` or typed value lists).

    Examples
    --------
    >>> from runtime.proto import graph_pb2
    >>> proto = graph_pb2.TensorProto(dtype=1, float_val=[7.0])
    >>> proto.tensor_shape.dim.add().size = 3
    >>> tensor_from_proto(proto)
    array([7., 7., 7.], dtype=float32)
    """
    dtype = _dtype(proto.dtype, where)
    shape = _shape_from_proto(proto.tensor_shape)
    if not shape.is_fully_defined():
        raise InvalidArgumentError(None, None, f"{where} has a partially known shape {shape}")
    count = shape.num_elements()
    if count > 1 << 31:
        raise InvalidArgumentError(
            None, None, f"{where} claims {count} elements; refusing to allocate"
        )
    if dtype is dtypes.string:
        flat = _fill(list(proto.string_val), count, b"", where)
        array = np.empty(count, dtype=object)
        array[:] = flat
        return array.reshape(shape.as_tuple())
    numpy_type = np.dtype(dtype.as_numpy_dtype)
    if proto.tensor_content:
        if len(proto.tensor_content) != count * numpy_type.itemsize:
            raise InvalidArgumentError(
                None,
                None,
                f"{where}: tensor_content has {len(proto.tensor_content)} bytes, shape {shape} "
                f"of {dtype.name} needs {count * numpy_type.itemsize}",
            )
        flat = np.frombuffer(proto.tensor_content, dtype=numpy_type.newbyteorder("<"))
        return flat.astype(numpy_type).reshape(shape.as_tuple())
    values = _typed_values(proto, dtype)
    if dtype.is_complex:
        values = [complex(r, i) for r, i in zip(values[0::2], values[1::2])]
    flat = np.asarray(_fill(values, count, 0, where))
    if dtype is dtypes.float16:
        flat = flat.astype(np.uint16).view(np.float16)
    return flat.astype(numpy_type).reshape(shape.as_tuple())


def _typed_values(proto, dtype) -> list:
    if dtype is dtypes.float32:
        return list(proto.float_val)
    if dtype is dtypes.float64:
        return list(proto.double_val)
    if dtype is dtypes.float16:
        return list(proto.half_val)
    if dtype in (dtypes.int64,):
        return list(proto.int64_val)
    if dtype is dtypes.uint32:
        return list(proto.uint32_val)
    if dtype is dtypes.uint64:
        return list(proto.uint64_val)
    if dtype is dtypes.bool:
        return list(proto.bool_val)
    if dtype is dtypes.complex64:
        return list(proto.scomplex_val)
    if dtype is dtypes.complex128:
        return list(proto.dcomplex_val)
    if dtype.is_integer:
        return list(proto.int_val)
    raise InvalidArgumentError(None, None, f"tensors of dtype {dtype.name} cannot be read")


def _fill(values: list, count: int, zero, where: str) -> list:
    """TF's rule: a short value list is filled out with its last value (or zeros)."""
    if len(values) > count:
        raise InvalidArgumentError(
            None, None, f"{where} holds {len(values)} values for {count} elements"
        )
    if not values:
        return [zero] * count
    return values + [values[-1]] * (count - len(values))
