"""The ``.index`` file of a checkpoint: an immutable sorted table, in TensorFlow's format.

TensorFlow keeps a checkpoint's index in its ``table`` format (LevelDB's SSTable,
``tensorflow/core/lib/io/table*``), uncompressed::

    data block 0 .. data block n-1    the (key, value) entries, sorted by key
    metaindex block                   empty
    index block                       per data block: a key >= its last key -> its handle
    footer (48 bytes)                 metaindex handle, index handle, padding, magic

A block is a run of entries, each ``varint shared | varint non_shared | varint
value_length | key[shared:] | value``, where ``shared`` counts the bytes the key
shares with the previous key; every 16th entry (every entry of the index block)
is a *restart* that shares nothing, and the block ends with the restart offsets
(``uint32`` each) and their count. Each block is followed by a type byte (0: not
compressed) and the masked CRC32C of block and type byte. A handle is ``varint
offset | varint size``. Data blocks close once they reach 256 KiB.

:func:`build_table` writes exactly TF's bytes for the same entries; :func:`read_table`
reads any such table, checking every length and checksum against the bytes it has
before it trusts them, so a damaged file raises ``DataLossError`` naming it.
"""

from __future__ import annotations

import itertools
import struct

from ..errors import DataLossError
from ..records import masked_crc32c

BLOCK_SIZE = 262144  # TF's table::Options().block_size
RESTART_INTERVAL = 16
MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48  # two handles padded to 20 bytes each, then the 8-byte magic
_TRAILER_SIZE = 5  # type byte + masked CRC32C
_NO_COMPRESSION = 0


def encode_varint(value: int) -> bytes:
    """The base-128 varint of a non-negative ``value``.

    Examples
    --------
    >>> encode_varint(300).hex()
    'ac02'
    """
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data, offset: int, end: int, where) -> tuple[int, int]:
    """``(value, next offset)`` of the varint at ``offset``; it must end before ``end``.

    Examples
    --------
    >>> decode_varint(b"\\xac\\x02", 0, 2, "demo")
    (300, 2)
    """
    value = shift = 0
    while shift < 64:
        if offset >= end:
            raise DataLossError(None, None, f"{where}: a varint runs past the end of its data")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7
    raise DataLossError(None, None, f"{where}: a varint is longer than 10 bytes")


class _BlockBuilder:
    def __init__(self, restart_interval: int):
        self._interval = restart_interval
        self.buffer = bytearray()
        self._restarts = [0]
        self._counter = 0
        self._last_key = b""

    def empty(self) -> bool:
        return not self.buffer

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self._counter < self._interval:
            limit = min(len(key), len(self._last_key))
            while shared < limit and key[shared] == self._last_key[shared]:
                shared += 1
        else:
            self._restarts.append(len(self.buffer))
            self._counter = 0
        self.buffer += encode_varint(shared) + encode_varint(len(key) - shared)
        self.buffer += encode_varint(len(value)) + key[shared:] + value
        self._last_key = key
        self._counter += 1

    def size_estimate(self) -> int:
        return len(self.buffer) + 4 * len(self._restarts) + 4

    def finish(self) -> bytes:
        restarts = struct.pack(f"<{len(self._restarts)}I", *self._restarts)
        return bytes(self.buffer) + restarts + struct.pack("<I", len(self._restarts))


def _shortest_separator(start: bytes, limit: bytes) -> bytes:
    # TF's table_builder.cc: a short key in [start, limit), used in the index block.
    common = 0
    while common < min(len(start), len(limit)) and start[common] == limit[common]:
        common += 1
    if common < min(len(start), len(limit)):
        byte = start[common]
        if byte < 0xFF and byte + 1 < limit[common]:
            return start[:common] + bytes([byte + 1])
    return start


def _short_successor(key: bytes) -> bytes:
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def _handle(offset: int, size: int) -> bytes:
    return encode_varint(offset) + encode_varint(size)


def build_table(entries) -> bytes:
    """The table holding ``entries`` (``(key, value)`` bytes pairs, keys strictly increasing).

    Examples
    --------
    >>> table = build_table([(b"a", b"1"), (b"b", b"22")])
    >>> len(table), read_table(table, "demo")
    (104, [(b'a', b'1'), (b'b', b'22')])
    """
    out = bytearray()
    data_block = _BlockBuilder(RESTART_INTERVAL)
    index_block = _BlockBuilder(1)
    pending = None  # the handle of the last data block written, awaiting its index key
    last_key = None

    def write_block(block: _BlockBuilder) -> bytes:
        contents = block.finish() + bytes([_NO_COMPRESSION])
        handle = _handle(len(out), len(contents) - 1)
        out.extend(contents + struct.pack("<I", masked_crc32c(contents)))
        return handle

    for key, value in entries:
        if last_key is not None and key <= last_key:
            raise ValueError(f"Table keys must be strictly increasing: {key!r} after {last_key!r}")
        if pending is not None:
            index_block.add(_shortest_separator(last_key, key), pending)
            pending = None
        data_block.add(key, value)
        last_key = key
        if data_block.size_estimate() >= BLOCK_SIZE:
            pending = write_block(data_block)
            data_block = _BlockBuilder(RESTART_INTERVAL)
    if not data_block.empty():
        pending = write_block(data_block)
    metaindex = write_block(_BlockBuilder(RESTART_INTERVAL))
    if pending is not None:
        index_block.add(_short_successor(last_key), pending)
    index = write_block(index_block)
    footer = (metaindex + index).ljust(FOOTER_SIZE - 8, b"\0") + struct.pack("<Q", MAGIC)
    return bytes(out + footer)


def read_table(data: bytes, path: str) -> list:
    """Every ``(key, value)`` of the table ``data`` (the bytes of the file ``path``), in order.

    Raises ``DataLossError`` naming ``path`` when the bytes are not a whole, intact table.

    Examples
    --------
    >>> read_table(b"short", "model.index")
    Traceback (most recent call last):
    ...
    runtime.errors.DataLossError: model.index: file is too short to be an sstable
    """
    if len(data) < FOOTER_SIZE:
        raise DataLossError(None, None, f"{path}: file is too short to be an sstable")
    footer_at = len(data) - FOOTER_SIZE
    if struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise DataLossError(None, None, f"{path}: not an sstable (bad magic number)")
    where = f"{path}: footer"
    _, offset = _read_handle(data, footer_at, footer_at + 40, where)  # the empty metaindex
    index_offset, index_size = _read_handle(data, offset, footer_at + 40, where)[0]
    entries = []
    index = _block(data, index_offset, index_size, footer_at, path)
    for _, handle in _block_entries(index, path):
        (block_offset, block_size), _ = _read_handle(handle, 0, len(handle), f"{path}: index")
        entries.extend(
            _block_entries(_block(data, block_offset, block_size, footer_at, path), path)
        )
    for (previous, _), (key, _) in itertools.pairwise(entries):
        if key <= previous:
            raise DataLossError(
                None, None, f"{path}: keys out of order ({key!r} after {previous!r})"
            )
    return entries


def _read_handle(data, offset: int, end: int, where: str) -> tuple:
    block_offset, offset = decode_varint(data, offset, end, where)
    block_size, offset = decode_varint(data, offset, end, where)
    return (block_offset, block_size), offset


def _block(data: bytes, offset: int, size: int, end: int, path: str) -> bytes:
    """A block's contents after checking it lies before ``end`` and its checksum holds."""
    if offset + size + _TRAILER_SIZE > end:
        raise DataLossError(
            None, None, f"{path}: a block at {offset} of {size} bytes runs past the file's end"
        )
    contents = data[offset : offset + size + 1]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if stored != masked_crc32c(contents):
        raise DataLossError(None, None, f"{path}: block checksum mismatch")
    if contents[-1] != _NO_COMPRESSION:
        raise DataLossError(
            None, None, f"{path}: a block is compressed (type {contents[-1]}); TF writes none"
        )
    return contents[:-1]


def _block_entries(block: bytes, path: str) -> list:
    where = f"{path}: block"
    if len(block) < 4:
        raise DataLossError(None, None, f"{where} is too short")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    if restarts == 0 or end < 0:
        raise DataLossError(None, None, f"{where} has a bad restart count ({restarts})")
    entries, key, offset = [], b"", 0
    while offset < end:
        shared, offset = decode_varint(block, offset, end, where)
        non_shared, offset = decode_varint(block, offset, end, where)
        value_size, offset = decode_varint(block, offset, end, where)
        if shared > len(key) or offset + non_shared + value_size > end:
            raise DataLossError(None, None, f"{where}: an entry runs past its block")
        key = key[:shared] + block[offset : offset + non_shared]
        offset += non_shared
        entries.append((key, block[offset : offset + value_size]))
        offset += value_size
    return entries
