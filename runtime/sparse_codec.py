"""Sparse tensors as strings: three serialized ``TensorProto``s (indices, values, shape),
byte for byte as TF writes them (``AsProtoTensorContent``: the values in
``tensor_content``, strings as varint lengths then their bytes). ``SerializeSparse``
and ``SerializeManySparse`` with ``out_type=string`` write them (their kernels, which
also carry ``variant`` components of datasets, are :mod:`runtime.data.sparse_elements`'s);
the kernel of ``DeserializeManySparse`` reads them.

This lives outside ``runtime.kernels`` because it needs the protobuf messages. Reading
trusts nothing: a proto whose content does not hold what its shape says is
``InvalidArgumentError``, and nothing is allocated for what it merely claims.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .errors import InvalidArgumentError
from .limits import SizeBudget
from .proto import graph_pb2
from .protobuf import tensor_from_proto
from .registry import register_kernel
from .shapes import TensorShape


def _fail(text: str):
    raise InvalidArgumentError(None, None, text)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            _fail("Could not parse a string tensor's content: truncated length")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def encode_tensor(array: np.ndarray) -> bytes:
    """The serialized ``TensorProto`` TF writes for ``array`` (its content in
    ``tensor_content``).

    Examples
    --------
    >>> encode_tensor(np.array([1, 2], np.int32))
    b'\\x08\\x03\\x12\\x04\\x12\\x02\\x08\\x02"\\x08\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00'
    """
    proto = graph_pb2.TensorProto()
    strings = array.dtype == object
    proto.dtype = (dtypes.string if strings else dtypes.as_dtype(array.dtype)).as_datatype_enum
    for size in array.shape:
        proto.tensor_shape.dim.add().size = size
    if strings:
        items = [item if isinstance(item, bytes) else str(item).encode() for item in array.flat]
        content = b"".join(_varint(len(item)) for item in items) + b"".join(items)
    else:
        content = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    if content:
        proto.tensor_content = content
    return proto.SerializeToString()


def decode_tensor(data: bytes, where: str) -> np.ndarray:
    """The array of a serialized ``TensorProto`` (``tensor_content`` or value lists)."""
    proto = graph_pb2.TensorProto()
    try:
        proto.ParseFromString(data)
    except Exception:  # protobuf's DecodeError and kin: not a TensorProto
        _fail(f"Could not parse {where} as a TensorProto")
    if proto.dtype != dtypes.string.as_datatype_enum or not proto.tensor_content:
        return tensor_from_proto(proto, where, SizeBudget(where))
    dims = [dim.size for dim in proto.tensor_shape.dim]
    count = int(np.prod(dims)) if dims else 1
    content, lengths, at = proto.tensor_content, [], 0
    if count > len(content):  # each string needs at least its length byte
        _fail(f"{where} claims {count} strings in {len(content)} bytes")
    for _ in range(count):
        length, at = _read_varint(content, at)
        lengths.append(length)
    if at + sum(lengths) != len(content):
        _fail(f"{where}: string content of {len(content)} bytes does not hold {count} strings")
    out = np.empty(count, dtype=object)
    for i, length in enumerate(lengths):
        out[i], at = content[at : at + length], at + length
    return out.reshape(dims)


def serialize_sparse(indices, values, shape) -> np.ndarray:
    """A sparse tensor's parts as ``[3]`` serialized ``TensorProto``s."""
    out = np.empty(3, dtype=object)
    out[:] = [encode_tensor(np.asarray(part)) for part in (indices, values, shape)]
    return out


def serialize_many_sparse(indices, values, shape) -> np.ndarray:
    """``[N, 3]``: each entry of the first axis of a sparse tensor, serialized."""
    indices, values = np.asarray(indices), np.asarray(values)
    if len(shape) < 2:
        _fail(f"Rank of input SparseTensor should be > 1, but saw rank: {len(shape)}")
    rows, firsts = int(shape[0]), indices[:, 0]
    if len(firsts) and (firsts.min() < 0 or firsts.max() >= rows):
        _fail(f"Minibatch index out of range: the first dimension is {rows}")
    out = np.empty((rows, 3), dtype=object)
    for row in range(rows):
        mine = firsts == row
        out[row] = serialize_sparse(indices[mine, 1:], values[mine], np.asarray(shape[1:]))
    return out


def _deserialized(row, dtype, i: int) -> tuple:
    indices = decode_tensor(row[0], f"SparseTensor[{i}].indices")
    values = decode_tensor(row[1], f"SparseTensor[{i}].values")
    shape = decode_tensor(row[2], f"SparseTensor[{i}].shape")
    wanted = np.dtype(object) if dtype == dtypes.string else np.dtype(dtype.as_numpy_dtype)
    if values.dtype != wanted:
        found = dtypes.short_name(
            dtypes.string if values.dtype == object else dtypes.as_dtype(values.dtype)
        )
        _fail(
            f"Requested SparseTensor of type {dtype.name} but SparseTensor[{i}].values.dtype() "
            f"== {found}"
        )
    if indices.dtype != np.int64 or indices.ndim != 2 or shape.dtype != np.int64 or shape.ndim != 1:
        _fail(f"SparseTensor[{i}] is not a sparse tensor: int64 indices and shape expected")
    if values.ndim != 1 or len(values) != len(indices) or indices.shape[1] != len(shape):
        _fail(
            f"SparseTensor[{i}] has {len(indices)} indices of rank {indices.shape[1]}, "
            f"{len(values)} values and a shape of rank {len(shape)}"
        )
    return indices, values, shape


@register_kernel("DeserializeManySparse")
def deserialize_many_sparse(serialized_sparse, *, dtype):
    serialized = np.asarray(serialized_sparse, dtype=object)
    if serialized.ndim != 2 or serialized.shape[1] != 3:
        _fail(
            f"Serialized sparse should be a matrix with 3 columns, got shape {TensorShape(serialized.shape)}"
        )
    if not len(serialized):
        _fail("Serialized sparse should have non-zero row count")
    parts = [_deserialized(row, dtype, i) for i, row in enumerate(serialized)]
    ranks = {len(shape) for _, _, shape in parts}
    if len(ranks) > 1:
        _fail(f"Inconsistent rank across SparseTensors: ranks {sorted(ranks)}")
    outer = np.max(np.stack([shape for _, _, shape in parts]), axis=0)
    indices = np.concatenate(
        [np.hstack([np.full((len(i), 1), row, np.int64), i]) for row, (i, _, _) in enumerate(parts)]
    )
    values = np.concatenate([v for _, v, _ in parts])
    return indices, values, np.concatenate([[len(parts)], outer]).astype(np.int64)
