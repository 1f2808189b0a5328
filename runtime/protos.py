"""Kernels between tensors and protocol buffers: ``SerializeTensor``/``ParseTensor`` (a
tensor as the bytes of a ``TensorProto``, as TF writes them) and
``DecodeProtoV2``/``EncodeProto`` (fields of any message type as tensors).

Message types are found by name in a descriptor source: ``"local://"`` (the messages this
runtime was built with, TF's names: ``"tensorflow.Example"``), a path to a serialized
``FileDescriptorSet``, or ``"bytes://"`` followed by one. Field values map to dtypes as
TF's table says (``double`` -> float64, ``int32``/``enum`` -> int32, ``uint64`` -> uint64,
``string``/``bytes``/messages -> string ...); a field missing from a message reads as its
default. The builders are in :mod:`runtime.ops.parsing_ops`.
"""

from __future__ import annotations

import functools
import struct

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError

from . import dtypes
from .errors import InvalidArgumentError, NotFoundError
from .limits import SizeBudget
from .proto import graph_pb2
from .protobuf import tensor_from_proto, tensor_to_proto
from .registry import register_kernel

__all__: list[str] = []

_LOCAL = "local://"
_PACKAGE = "tfgraph."  # the runtime's messages live in package tfgraph.tensorflow

# The dtypes each field type may be read into (the first is TF's usual one).
_F = FieldDescriptor
_DTYPES = {
    _F.TYPE_DOUBLE: (dtypes.float64, dtypes.float32),
    _F.TYPE_FLOAT: (dtypes.float32, dtypes.float64),
    _F.TYPE_INT64: (dtypes.int64,),
    _F.TYPE_SFIXED64: (dtypes.int64,),
    _F.TYPE_SINT64: (dtypes.int64,),
    _F.TYPE_UINT64: (dtypes.uint64, dtypes.int64),
    _F.TYPE_FIXED64: (dtypes.uint64, dtypes.int64),
    _F.TYPE_INT32: (dtypes.int32, dtypes.int64),
    _F.TYPE_SFIXED32: (dtypes.int32, dtypes.int64),
    _F.TYPE_SINT32: (dtypes.int32, dtypes.int64),
    _F.TYPE_UINT32: (dtypes.uint32, dtypes.int64),
    _F.TYPE_FIXED32: (dtypes.uint32, dtypes.int64),
    _F.TYPE_ENUM: (dtypes.int32,),
    _F.TYPE_BOOL: (dtypes.bool,),
    _F.TYPE_STRING: (dtypes.string,),
    _F.TYPE_BYTES: (dtypes.string,),
    _F.TYPE_MESSAGE: (dtypes.string,),
    _F.TYPE_GROUP: (dtypes.string,),
}


# -- SerializeTensor, ParseTensor -----------------------------------------------------


@register_kernel("SerializeTensor")
def serialize_tensor(tensor, *, T):
    # A contiguous copy: a broadcast view would be written as one value (a splat).
    proto = tensor_to_proto(np.array(tensor, order="C", copy=True))
    proto.tensor_shape.SetInParent()  # a scalar's empty shape is written, as TF's
    return (np.array(proto.SerializeToString(), dtype=object),)


@register_kernel("ParseTensor")
def parse_tensor(serialized, *, out_type):
    if np.ndim(serialized) != 0:
        raise InvalidArgumentError(
            None,
            None,
            f"Expected `serialized` to be a scalar, got shape: {list(np.shape(serialized))}",
        )
    proto = graph_pb2.TensorProto()
    try:
        proto.ParseFromString(bytes(np.asarray(serialized).item()))
    except DecodeError:
        raise InvalidArgumentError(
            None, None, "Could not parse `serialized` as TensorProto."
        ) from None
    budget = SizeBudget("a serialized tensor")
    value = tensor_from_proto(proto, "the serialized tensor", budget)
    got = dtypes.string if value.dtype == object else dtypes.as_dtype(value.dtype)
    if got != out_type:
        raise InvalidArgumentError(
            None,
            None,
            f"Type mismatch between parsed tensor ({got.name}) and dtype ({out_type.name})",
        )
    return (value,)


# -- message types ------------------------------------------------------------------------


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


@functools.lru_cache(maxsize=32)
def _pool_of(source: str):
    """The descriptor pool of ``source`` (not ``local://``), read once."""
    if source.startswith("bytes://"):
        data = source[len("bytes://") :].encode("latin-1")
    else:
        try:
            with open(source, "rb") as file:
                data = file.read()
        except OSError as err:
            raise NotFoundError(None, None, f"descriptor_source {source}: {err}") from None
    files = descriptor_pb2.FileDescriptorSet()
    try:
        files.ParseFromString(data)
    except DecodeError:
        raise InvalidArgumentError(
            None, None, f"Unable to parse descriptor_source {source[:80]} as FileDescriptorSet"
        ) from None
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        try:
            pool.Add(file)
        except (TypeError, ValueError) as err:
            raise InvalidArgumentError(None, None, f"descriptor_source {source}: {err}") from None
    return pool


def message_class(message_type, descriptor_source):
    """The Python class of ``message_type`` found in ``descriptor_source``."""
    name, source = _text(message_type), _text(descriptor_source)
    if source == _LOCAL:
        pool, names = descriptor_pool.Default(), [name, _PACKAGE + name]
    else:
        pool, names = _pool_of(source), [name]
    for candidate in names:
        try:
            descriptor = pool.FindMessageTypeByName(candidate)
        except KeyError:
            continue
        return message_factory.GetMessageClass(descriptor)
    raise NotFoundError(None, None, f"No descriptor found for message type {name} in {source[:80]}")


def _fields(cls, field_names, output_types=None) -> list:
    fields = []
    for index, raw in enumerate(field_names):
        field = cls.DESCRIPTOR.fields_by_name.get(_text(raw))
        if field is None:
            raise InvalidArgumentError(
                None,
                None,
                f"Unknown field: {_text(raw)} in message type {cls.DESCRIPTOR.full_name}",
            )
        if output_types is not None and output_types[index] not in _DTYPES[field.type]:
            raise InvalidArgumentError(
                None,
                None,
                f"Unexpected output type for {field.full_name}: {output_types[index].name} "
                f"(expected one of {', '.join(t.name for t in _DTYPES[field.type])})",
            )
        fields.append(field)
    return fields


def _as_bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


# -- the wire format (TF's encode/decode work on it: a field given is written, and a
# field on the wire is counted, even when it holds its default) ------------------------

_VARINT, _FIXED64, _LEN, _START_GROUP, _END_GROUP, _FIXED32 = 0, 1, 2, 3, 4, 5
_VARINTS = {
    _F.TYPE_INT32,
    _F.TYPE_INT64,
    _F.TYPE_UINT32,
    _F.TYPE_UINT64,
    _F.TYPE_SINT32,
    _F.TYPE_SINT64,
    _F.TYPE_BOOL,
    _F.TYPE_ENUM,
}
_FIXED = {  # field type -> (wire type, struct format)
    _F.TYPE_FIXED64: (_FIXED64, "<Q"),
    _F.TYPE_SFIXED64: (_FIXED64, "<q"),
    _F.TYPE_DOUBLE: (_FIXED64, "<d"),
    _F.TYPE_FIXED32: (_FIXED32, "<I"),
    _F.TYPE_SFIXED32: (_FIXED32, "<i"),
    _F.TYPE_FLOAT: (_FIXED32, "<f"),
}
_MASK64 = (1 << 64) - 1


def _wire_type(field) -> int:
    if field.type in _VARINTS:
        return _VARINT
    if field.type in _FIXED:
        return _FIXED[field.type][0]
    return _START_GROUP if field.type == _F.TYPE_GROUP else _LEN


def _varint_bytes(value: int) -> bytes:
    value &= _MASK64
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


class _Reader:
    """Reads a message's wire format, never past its end (``DecodeError`` otherwise)."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def done(self) -> bool:
        return self.at >= len(self.data)

    def varint(self) -> int:
        value, shift = 0, 0
        while True:
            if self.at >= len(self.data) or shift > 63:
                raise DecodeError("truncated or overlong varint")
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value & _MASK64
            shift += 7

    def take(self, count: int) -> bytes:
        if count < 0 or self.at + count > len(self.data):
            raise DecodeError("a field runs past the end of the message")
        self.at += count
        return self.data[self.at - count : self.at]

    def group(self, number: int) -> bytes:
        """The body of a group started by field ``number``, up to its end tag."""
        start = self.at
        while True:
            end = self.at
            tag = self.varint()
            if tag >> 3 == number and tag & 7 == _END_GROUP:
                return self.data[start:end]
            self.skip(tag)

    def skip(self, tag: int) -> None:
        kind = tag & 7
        if kind == _VARINT:
            self.varint()
        elif kind in (_FIXED64, _FIXED32):
            self.take(8 if kind == _FIXED64 else 4)
        elif kind == _LEN:
            self.take(self.varint())
        elif kind == _START_GROUP:
            self.group(tag >> 3)
        else:
            raise DecodeError(f"unexpected wire type {kind}")


def _fields_on_wire(data: bytes, numbers: set) -> dict:
    """``{field number: [(wire type, raw value)]}`` of the wanted fields, in wire order."""
    found: dict = {number: [] for number in numbers}
    reader = _Reader(data)
    while not reader.done():
        tag = reader.varint()
        number, kind = tag >> 3, tag & 7
        if number not in found:
            reader.skip(tag)
        elif kind == _VARINT:
            found[number].append((kind, reader.varint()))
        elif kind in (_FIXED64, _FIXED32):
            found[number].append((kind, reader.take(8 if kind == _FIXED64 else 4)))
        elif kind == _LEN:
            found[number].append((kind, reader.take(reader.varint())))
        elif kind == _START_GROUP:
            found[number].append((kind, reader.group(number)))
        else:
            raise DecodeError(f"unexpected wire type {kind}")
    return found


def _number(field, raw: int):
    """A varint as the field's type reads it."""
    kind = field.type
    if kind in (_F.TYPE_SINT32, _F.TYPE_SINT64):
        return (raw >> 1) ^ -(raw & 1)
    if kind == _F.TYPE_BOOL:
        return raw != 0
    if kind == _F.TYPE_UINT64:
        return raw
    if kind == _F.TYPE_UINT32:
        return raw & 0xFFFFFFFF
    bits = 64 if kind == _F.TYPE_INT64 else 32
    raw &= (1 << bits) - 1
    return raw - (1 << bits) if raw >> (bits - 1) else raw


def _field_values(field, on_wire: list) -> list:
    """The values of ``field`` from its raw wire entries (packed or not)."""
    values = []
    for kind, raw in on_wire:
        if field.type in _FIXED and kind == _FIXED[field.type][0]:
            values.append(struct.unpack(_FIXED[field.type][1], raw)[0])
        elif field.type in _VARINTS and kind == _VARINT:
            values.append(_number(field, raw))
        elif kind == _LEN and (field.type in _VARINTS or field.type in _FIXED):
            values.extend(_packed(field, raw))  # a packed run of numbers
        elif kind in (_LEN, _START_GROUP) and field.type not in _VARINTS | set(_FIXED):
            values.append(raw)
        else:
            raise DecodeError(f"field {field.name} has wire type {kind}")
    if not field.is_repeated and values:
        values = values[-1:]  # a singular field read twice: the last wins
    return values


def _packed(field, raw: bytes) -> list:
    if field.type in _FIXED:
        fmt = _FIXED[field.type][1]
        size = struct.calcsize(fmt)
        if len(raw) % size:
            raise DecodeError(f"a packed field {field.name} of {len(raw)} bytes")
        return [v for (v,) in struct.iter_unpack(fmt, raw)]
    reader, values = _Reader(raw), []
    while not reader.done():
        values.append(_number(field, reader.varint()))
    return values


def _encoded(field, items) -> bytes:
    """``items`` as field ``field`` on the wire: packed when the field is, each value
    written even when it is the default (as TF's ``EncodeProto``)."""
    kind = field.type
    if kind in _FIXED:
        parts = [struct.pack(_FIXED[kind][1], item) for item in items]
    elif kind in _VARINTS:
        if kind in (_F.TYPE_SINT32, _F.TYPE_SINT64):
            items = [(int(i) << 1) ^ (int(i) >> 63) for i in items]
        parts = [_varint_bytes(int(item)) for item in items]
    else:
        parts = [bytes(item) for item in items]
    if field.is_repeated and field.is_packed and kind in _VARINTS | set(_FIXED):
        payload = b"".join(parts)
        return _varint_bytes(field.number << 3 | _LEN) + _varint_bytes(len(payload)) + payload
    wire = _wire_type(field)
    tag = _varint_bytes(field.number << 3 | wire)
    if wire == _LEN:
        return b"".join(tag + _varint_bytes(len(part)) + part for part in parts)
    if wire == _START_GROUP:
        end = _varint_bytes(field.number << 3 | _END_GROUP)
        return b"".join(tag + part + end for part in parts)
    return b"".join(tag + part for part in parts)


def _default(field, dtype):
    """What fills a message's missing values: the field's default (of a repeated field, the
    zero of its type)."""
    if field.type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP):
        return b""
    if not field.is_repeated:
        return _as_bytes(field.default_value) if dtype == dtypes.string else field.default_value
    return b"" if dtype == dtypes.string else 0


# -- DecodeProtoV2, EncodeProto ---------------------------------------------------------


def _wire_bytes(cls, data, text: bool, index: int) -> bytes:
    """A message's wire bytes (a text message parsed and serialized first)."""
    try:
        if not text:
            return _as_bytes(data)
        message = cls()
        text_format.Parse(_as_bytes(data).decode("utf-8"), message)
        return message.SerializeToString()
    except (text_format.ParseError, UnicodeDecodeError):
        raise InvalidArgumentError(
            None,
            None,
            f"Unable to parse text proto of type {cls.DESCRIPTOR.full_name} (message {index})",
        ) from None


@register_kernel("DecodeProtoV2")
def decode_proto(
    bytes_, *, message_type, field_names, output_types, descriptor_source, message_format, sanitize
):
    cls = message_class(message_type, descriptor_source)
    fields = _fields(cls, field_names, output_types)
    text = _text(message_format) == "text"
    shape = np.shape(bytes_)
    numbers = {field.number for field in fields}
    per_message = []
    for index, data in enumerate(np.ravel(np.asarray(bytes_, dtype=object))):
        try:
            on_wire = _fields_on_wire(_wire_bytes(cls, data, text, index), numbers)
            per_message.append([_field_values(f, on_wire[f.number]) for f in fields])
        except DecodeError as err:
            raise InvalidArgumentError(
                None,
                None,
                f"Unable to parse proto of type {cls.DESCRIPTOR.full_name} (message {index}): "
                f"{err}",
            ) from None
    sizes = np.array([[len(v) for v in row] for row in per_message], dtype=np.int32)
    values = []
    for column, (field, dtype) in enumerate(zip(fields, output_types)):
        width = max((len(row[column]) for row in per_message), default=0)
        numpy_type = object if dtype == dtypes.string else dtype.as_numpy_dtype
        out = np.empty((len(per_message), width), dtype=numpy_type)
        out[...] = _default(field, dtype)
        for row, message_values in zip(out, per_message):
            for j, item in enumerate(message_values[column]):
                row[j] = item
        values.append(out.reshape(*shape, width))
    return (sizes.reshape(*shape, len(fields)), *values)


@register_kernel("EncodeProto")
def encode_proto(sizes, *values, field_names, message_type, descriptor_source, Tinput_types):
    cls = message_class(message_type, descriptor_source)
    fields = _fields(cls, field_names)
    sizes = np.asarray(sizes)
    if sizes.ndim < 1 or sizes.shape[-1] != len(fields):
        raise InvalidArgumentError(
            None,
            None,
            f"sizes should be batch_size + [len(field_names)], got {list(sizes.shape)} for "
            f"{len(fields)} fields",
        )
    order = sorted(range(len(fields)), key=lambda i: fields[i].number)  # as TF writes them
    batch = sizes.shape[:-1]
    out = np.empty(batch, dtype=object)
    for position in np.ndindex(*batch):
        parts = []
        for column in order:
            field, count = fields[column], int(sizes[(*position, column)])
            row = np.asarray(values[column])[position].reshape(-1)
            if count > row.size:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Field {field.name}: {count} values asked for in sizes, but its values "
                    f"tensor has {row.size}",
                )
            if count > 1 and not field.is_repeated:
                raise InvalidArgumentError(
                    None, None, f"Field {field.name} is not repeated, but has {count} values"
                )
            items = [_scalar(field, item) for item in row[:count]]
            parts.append(_encoded(field, items))
        out[position] = b"".join(parts)
    return (out,)


def _scalar(field, item):
    if field.type in (_F.TYPE_STRING, _F.TYPE_BYTES, _F.TYPE_MESSAGE, _F.TYPE_GROUP):
        return _as_bytes(item)
    return item.item() if isinstance(item, np.generic) else item
