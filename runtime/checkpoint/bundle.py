"""Tensor bundles: TensorFlow's V2 checkpoint files, written and read byte for byte as TF's.

A bundle with prefix ``P`` is ``P.index`` (a :mod:`~runtime.checkpoint.table` whose
empty key holds a ``BundleHeaderProto`` and every other key, a tensor name, a
``BundleEntryProto``) and ``P.data-00000-of-0000N`` shards holding the tensors' bytes
back to back. A numeric tensor is its little-endian elements; a string tensor is the
varint lengths of its elements, the masked CRC32C of those varints, then the bytes.
Each entry keeps its tensor's shard, offset, size and the masked CRC32C of its bytes.

Sliced tensors
    A partitioned variable is saved as slices of one tensor (:mod:`.slices`): its entry
    holds its dtype, full shape and slices; each slice is stored under its own binary key.
    Reading the tensor assembles it from its slices; reading a slice cuts it from them.

Reading untrusted bundles
    Every claim is checked against the bytes that are there before anything is
    allocated for it: a tensor's ``offset + size`` against its shard's file size, its
    shape against its size, each string length against what is left. Damage raises
    ``DataLossError`` naming the file; a missing tensor ``NotFoundError`` naming the key.
"""

from __future__ import annotations

import os
import struct

import google_crc32c
import numpy as np
from google.protobuf import message as _message

from .. import dtypes
from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..proto import tensor_bundle_pb2
from ..records import masked_crc32c
from .slices import Slice, slice_key
from .table import build_table, decode_varint, encode_varint, read_table

HEADER_KEY = b""
VERSION = 1  # TF's kTensorBundleVersion; a bundle whose min_consumer is above it is refused


def index_filename(prefix: str) -> str:
    """``P.index``."""
    return f"{prefix}.index"


def data_filename(prefix: str, shard: int, num_shards: int) -> str:
    """``P.data-00000-of-00001``, TF's name of a bundle's data shard.

    Examples
    --------
    >>> data_filename("ckpt/model-3", 0, 1)
    'ckpt/model-3.data-00000-of-00001'
    """
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


# -- writing ----------------------------------------------------------------------------


def tensor_bytes(array: np.ndarray) -> bytes:
    """The bytes TF's ``BundleWriter`` stores for ``array`` (a string tensor as ``object``).

    Examples
    --------
    >>> tensor_bytes(np.array([1, 2], np.int16)).hex()
    '01000200'
    >>> tensor_bytes(np.array([b"a", b"bc"], dtype=object)).hex()
    '0102bfdfdb7a616263'
    """
    return _tensor_bytes_and_crc(array)[0]


def _tensor_bytes_and_crc(array: np.ndarray) -> tuple:
    """``(bytes, masked CRC32C for the entry)`` of a tensor."""
    if array.dtype != object:
        data = np.ascontiguousarray(array, array.dtype.newbyteorder("<")).tobytes()
        return data, masked_crc32c(data)
    items = [_as_bytes(item) for item in array.reshape(-1)]
    lengths = b"".join(encode_varint(len(item)) for item in items)
    crc = google_crc32c.value(_checked_lengths([len(item) for item in items]))
    length_checksum = struct.pack("<I", _mask(crc))
    strings = b"".join(items)
    crc = google_crc32c.extend(google_crc32c.extend(crc, length_checksum), strings)
    return lengths + length_checksum + strings, _mask(crc)


def _checked_lengths(lengths: list) -> bytes:
    # TF checksums each length as a uint32 (a uint64 past 4 GiB), not as its varint.
    return b"".join(struct.pack("<I" if n <= 0xFFFFFFFF else "<Q", n) for n in lengths)


def _mask(crc: int) -> int:
    # crc32c::Mask, as masked_crc32c applies it; needed here for checksums built in parts.
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _as_bytes(item) -> bytes:
    return item.encode() if isinstance(item, str) else bytes(item)


def _entry(array: np.ndarray, dtype: dtypes.DType, size: int, crc: int, offset: int, shard: int):
    entry = tensor_bundle_pb2.BundleEntryProto(
        dtype=dtype.as_datatype_enum, shard_id=shard, offset=offset, size=size, crc32c=crc
    )
    entry.shape.SetInParent()  # TF writes a scalar's empty shape too
    for dim in array.shape:
        entry.shape.dim.add(size=dim)
    return entry


def write_shard(file, tensors, shard: int = 0) -> dict:
    """Write ``tensors`` (``(name, dtype, array)``, or ``(name, dtype, array, slice)`` for a
    :class:`~.slices.Slice` of tensor ``name``, in the order given) to the data file
    ``file``; returns ``{key: BundleEntryProto}`` (a slice under its binary key, and its
    tensor's entry listing the slices).

    Examples
    --------
    >>> import io
    >>> out = io.BytesIO()
    >>> entries = write_shard(out, [("a", dtypes.int16, np.array([1, 2], np.int16))])
    >>> out.getvalue().hex(), entries["a"].size, entries["a"].offset
    ('01000200', 4, 0)
    """
    entries, offset = {}, 0
    for name, dtype, array, *sliced in tensors:
        part = sliced[0] if sliced else None
        key = name if part is None or part.is_whole() else slice_key(name, part)
        if key in entries:
            raise InvalidArgumentError(None, None, f"Adding duplicate key: {name}")
        array = np.asarray(array, dtype=dtype.as_numpy_dtype)  # strings: bytes objects
        data, crc = _tensor_bytes_and_crc(array)
        file.write(data)
        entries[key] = _entry(array, dtype, len(data), crc, offset, shard)
        offset += len(data)
        if key != name:
            add_slice(entries, name, dtype, part)
    return entries


def add_slice(entries: dict, name: str, dtype, part: Slice) -> None:
    """List slice ``part`` in the entry of tensor ``name`` (made, without data, if new)."""
    entry = entries.get(name)
    if entry is None:
        entry = entries[name] = tensor_bundle_pb2.BundleEntryProto(dtype=dtype.as_datatype_enum)
        entry.shape.SetInParent()
        for dim in part.full_shape:
            entry.shape.dim.add(size=dim)
    elif (
        entry.dtype != dtype.as_datatype_enum
        or [d.size for d in entry.shape.dim] != list(part.full_shape)
        or not entry.slices
    ):
        raise InvalidArgumentError(
            None, None, f"Slices of {name} disagree on its dtype or shape, or it is saved whole too"
        )
    entry.slices.append(part.to_proto())


def index_bytes(entries: dict, num_shards: int = 1) -> bytes:
    """The ``.index`` table of ``entries`` (``{name: BundleEntryProto}``).

    Examples
    --------
    >>> index_bytes({})[:9].hex()  # the header entry: 1 shard, little endian, version 1
    '00000608011a020801'
    """
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=num_shards)
    header.version.producer = VERSION
    rows = [(HEADER_KEY, header.SerializeToString())]
    keyed = {_key_bytes(name): entry for name, entry in entries.items()}
    rows += [(key, keyed[key].SerializeToString()) for key in sorted(keyed)]
    return build_table(rows)


def _key_bytes(key) -> bytes:
    return key if isinstance(key, bytes) else key.encode()


# -- reading ----------------------------------------------------------------------------


def _parse(message, data: bytes, path: str, what: str):
    try:
        message.ParseFromString(data)
    except (_message.DecodeError, ValueError, RuntimeError) as err:
        raise DataLossError(None, None, f"{path}: cannot parse the {what} ({err})") from None
    return message


class BundleReader:
    """Read the tensors of the bundle ``prefix`` (TF's ``BundleReader``).

    Data files open on first use and close with :meth:`close` (or the ``with`` block).

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> from runtime.checkpoint import save
    >>> save(prefix, ["w"], [np.array([1.5, 2.5], np.float32)])
    >>> with BundleReader(prefix) as reader:
    ...     reader.shapes(), reader.read("w")
    ({'w': [2]}, array([1.5, 2.5], dtype=float32))
    """

    def __init__(self, prefix: str, index_data: bytes | None = None):
        self.prefix = prefix
        path = index_filename(prefix)
        if index_data is None:
            with open(path, "rb") as file:
                index_data = file.read()
        rows = read_table(index_data, path)
        if not rows or rows[0][0] != HEADER_KEY:
            raise DataLossError(None, None, f"{path}: the bundle header entry is missing")
        self.header = _parse(tensor_bundle_pb2.BundleHeaderProto(), rows[0][1], path, "header")
        self._check_header(path)
        self.entries = {}  # tensor name -> entry
        self.slice_entries = {}  # slice key -> entry of the slice's data
        for key, value in rows[1:]:
            entry = _parse(tensor_bundle_pb2.BundleEntryProto(), value, path, "entry")
            if key.startswith(b"\x00"):  # TF's slice keys start with OrderedCode's 0
                self.slice_entries[key] = entry
            else:
                self.entries[key.decode(errors="replace")] = entry
        self._files: dict[int, object] = {}

    def _check_header(self, path: str) -> None:
        header = self.header
        if header.num_shards < 1:
            raise DataLossError(None, None, f"{path}: a bundle of {header.num_shards} shards")
        if header.version.min_consumer > VERSION or VERSION in header.version.bad_consumers:
            raise InvalidArgumentError(
                None,
                None,
                f"{path}: the checkpoint needs a TensorFlow bundle reader of version "
                f">= {header.version.min_consumer}; this one is version {VERSION}",
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        for file in self._files.values():
            file.close()
        self._files.clear()

    def dtype(self, name: str) -> dtypes.DType:
        """The dtype of tensor ``name``."""
        entry = self._entry(name)
        try:
            return dtypes.as_dtype(entry.dtype)
        except (TypeError, ValueError, KeyError):
            raise DataLossError(
                None, None, f"{index_filename(self.prefix)}: tensor {name} has dtype {entry.dtype}"
            ) from None

    def shapes(self) -> dict:
        """``{name: shape as a list}`` of every tensor."""
        return {name: [dim.size for dim in entry.shape.dim] for name, entry in self.entries.items()}

    def _entry(self, name: str):
        entry = self.entries.get(name)
        if entry is None:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return entry

    def read(self, name: str) -> np.ndarray:
        """The value of tensor ``name``, after checking its bytes against the entry's checksum
        (a sliced tensor assembled from its slices)."""
        entry = self._entry(name)
        if entry.slices:
            return self._assembled(name, entry)
        return self._read_entry(name, entry, self.dtype(name))

    def read_slice(self, name: str, part: Slice) -> np.ndarray:
        """Slice ``part`` of tensor ``name`` (stored whole or in slices)."""
        return part.cut(name, self.read(name))

    def _assembled(self, name: str, entry) -> np.ndarray:
        dtype = self.dtype(name)
        shape = [dim.size for dim in entry.shape.dim]
        parts = [Slice.from_proto(proto, shape) for proto in entry.slices]
        where = f"{index_filename(self.prefix)}: tensor {name}"
        if any(size < 0 for size in shape) or any(
            len(p.extents) != len(shape)
            or any(
                s < 0 or (n != -1 and (n < 0 or s + n > full))
                for (s, n), full in zip(p.extents, shape)
            )
            for p in parts
        ):
            raise DataLossError(None, None, f"{where} has a slice outside its shape {shape}")
        # Nothing is allocated for the whole before the slices are known to cover it.
        if sum(int(np.prod(p.shape, dtype=object)) for p in parts) != int(
            np.prod(shape, dtype=object)
        ):
            raise NotFoundError(
                None,
                None,
                f"Does not have sufficient slices for partitioned tensor {name} to restore in "
                f"slice_spec: {' '.join(map(str, shape))} -",
            )
        values = [self._slice_value(name, part, dtype) for part in parts]
        full = np.empty(shape, dtype=dtype.as_numpy_dtype)
        for part, value in zip(parts, values):
            full[part.region()] = value
        return full

    def _slice_value(self, name: str, part: Slice, dtype) -> np.ndarray:
        entry = self.slice_entries.get(slice_key(name, part))
        if entry is None:
            raise DataLossError(
                None, None, f"{index_filename(self.prefix)}: a slice of {name} has no data entry"
            )
        value = self._read_entry(name, entry, dtype)
        if list(value.shape) != part.shape:
            raise DataLossError(
                None,
                None,
                f"{index_filename(self.prefix)}: a slice of {name} holds shape "
                f"{list(value.shape)}, its extents say {part.shape}",
            )
        return value

    def _read_entry(self, name: str, entry, dtype) -> np.ndarray:
        shape = tuple(dim.size for dim in entry.shape.dim)
        where = f"{index_filename(self.prefix)}: tensor {name}"
        if any(size < 0 for size in shape) or entry.offset < 0 or entry.size < 0:
            raise DataLossError(None, None, f"{where} has a negative shape, offset or size")
        data = self._read_bytes(entry, name)
        if dtype == dtypes.string:
            value, computed = _strings(data, shape, self._data_path(entry.shard_id))
        else:
            value, computed = self._numbers(data, dtype, shape, where), masked_crc32c(data)
        stored = entry.crc32c
        if stored != computed:
            raise DataLossError(
                None,
                None,
                f"{self._data_path(entry.shard_id)}: TensorBundle at {self.prefix} shard "
                f"{entry.shard_id} ({entry.size} bytes): Checksum does not match: stored "
                f"{stored} vs. calculated on the restored bytes {computed}",
            )
        return value

    def _numbers(self, data: bytes, dtype, shape, where: str) -> np.ndarray:
        numpy_type = np.dtype(dtype.as_numpy_dtype)
        if numpy_type.hasobject or dtype in (dtypes.resource, dtypes.variant):
            raise DataLossError(None, None, f"{where}: dtype {dtype.name} cannot be stored")
        count = int(np.prod(shape, dtype=object))
        if count * numpy_type.itemsize != len(data):
            raise DataLossError(
                None,
                None,
                f"{where}: shape {list(shape)} of {dtype.name} needs "
                f"{count * numpy_type.itemsize} bytes, the entry holds {len(data)}",
            )
        order = "<" if self.header.endianness == self.header.LITTLE else ">"
        return np.frombuffer(data, numpy_type.newbyteorder(order)).astype(numpy_type).reshape(shape)

    def _data_path(self, shard: int) -> str:
        return data_filename(self.prefix, shard, self.header.num_shards)

    def _read_bytes(self, entry, name: str) -> bytes:
        shard = entry.shard_id
        if not 0 <= shard < self.header.num_shards:
            raise DataLossError(
                None,
                None,
                f"{index_filename(self.prefix)}: tensor {name} is in shard {shard}, "
                f"but the bundle has {self.header.num_shards}",
            )
        path = self._data_path(shard)
        file = self._files.get(shard)
        if file is None:
            try:
                file = self._files[shard] = open(path, "rb")  # noqa: SIM115 - closed in close()
            except FileNotFoundError:
                raise NotFoundError(None, None, f"{path}; No such file or directory") from None
        available = os.fstat(file.fileno()).st_size
        if entry.offset + entry.size > available:
            raise DataLossError(
                None,
                None,
                f"{path}: Read less bytes than requested: tensor {name} claims bytes "
                f"[{entry.offset}, {entry.offset + entry.size}) of a {available}-byte file",
            )
        file.seek(entry.offset)
        data = file.read(entry.size)
        if len(data) != entry.size:  # the file shrank under us
            raise DataLossError(None, None, f"{path}: Read less bytes than requested")
        return data


def _strings(data: bytes, shape: tuple, path: str) -> tuple:
    """``(object array, the entry's checksum computed)`` of a string tensor's bytes."""
    count = int(np.prod(shape, dtype=object))
    if count > len(data):  # every element takes at least one length byte
        raise DataLossError(None, None, f"{path}: {count} strings claimed in {len(data)} bytes")
    lengths, offset = [], 0
    for _ in range(count):
        length, offset = decode_varint(data, offset, len(data), path)
        lengths.append(length)
    if offset + 4 > len(data):
        raise DataLossError(None, None, f"{path}: a string tensor ends inside its lengths")
    (expected,) = struct.unpack_from("<I", data, offset)
    crc = google_crc32c.value(_checked_lengths(lengths))
    actual = _mask(crc)
    if expected != actual:
        raise DataLossError(
            None,
            None,
            f"{path}: The length checksum does not match: expected {expected} but actual "
            f"is {actual}",
        )
    offset += 4
    if offset + sum(lengths) != len(data):
        raise DataLossError(None, None, f"{path}: string lengths do not add up to the entry size")
    crc = google_crc32c.extend(crc, data[offset - 4 :])
    items = np.empty(count, dtype=object)
    for i, length in enumerate(lengths):
        items[i] = data[offset : offset + length]
        offset += length
    return items.reshape(shape), _mask(crc)
