"""The files of ``Dataset.cache(filename)``: one TFRecord per element.

An element is its components, each as dtype, shape, then the data (numbers raw,
strings as length-prefixed bytes). ``filename.data-00000-of-00001`` holds the records
and ``filename.index`` (written last) marks the cache complete. Reading checks every
length against the bytes there: a corrupt file is ``DataLossError`` naming it.
"""

from __future__ import annotations

import struct

import numpy as np

from .. import dtypes, records
from ..errors import DataLossError
from ..files import atomic_write


def encode_element(element) -> bytes:
    """One element as bytes for a cache file (see :func:`decode_element`)."""
    parts = [struct.pack("<I", len(element))]
    for value in element:
        array = np.asarray(value)
        dtype = dtypes.string if array.dtype == object else dtypes.as_dtype(array.dtype)
        parts.append(struct.pack("<II", dtype.as_datatype_enum, array.ndim))
        parts.append(struct.pack(f"<{array.ndim}Q", *array.shape))
        if dtype is dtypes.string:
            items = [bytes(item) for item in array.reshape(-1)]
            parts.append(struct.pack(f"<{len(items)}Q", *map(len, items)))
            parts.extend(items)
        else:
            parts.append(np.ascontiguousarray(array).tobytes())
    return b"".join(parts)


class _Cursor:
    """Reads fields of a cache record, never past its end."""

    def __init__(self, data: bytes, path: str):
        self.data = data
        self.at = 0
        self.path = path

    def take(self, count: int) -> bytes:
        if count < 0 or self.at + count > len(self.data):
            raise DataLossError(None, None, f"{self.path}: corrupted cache record")
        self.at += count
        return self.data[self.at - count : self.at]

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))


def decode_element(data: bytes, path: str = "cache") -> tuple:
    """The element :func:`encode_element` wrote; ``DataLossError`` on a corrupt record.

    Examples
    --------
    >>> decode_element(encode_element((np.arange(3), np.array([b"a", b"bc"], object))))
    (array([0, 1, 2]), array([b'a', b'bc'], dtype=object))
    """
    cursor = _Cursor(data, path)
    (count,) = cursor.unpack("<I")
    element = []
    for _ in range(count):
        code, ndim = cursor.unpack("<II")
        shape = cursor.unpack(f"<{ndim}Q")
        size = int(np.prod(shape, dtype=np.uint64)) if ndim else 1
        if size > len(data):  # every element takes a byte at least: a forged shape
            raise DataLossError(None, None, f"{path}: corrupted cache record")
        dtype = dtypes.as_dtype(code)
        if dtype is dtypes.string:
            lengths = cursor.unpack(f"<{size}Q")
            array = np.empty(size, dtype=object)
            array[:] = [cursor.take(n) for n in lengths]
        else:
            itemsize = np.dtype(dtype.as_numpy_dtype).itemsize
            raw = cursor.take(size * itemsize)
            array = np.frombuffer(raw, dtype=dtype.as_numpy_dtype).copy()
        element.append(array.reshape(shape))
    return tuple(element)


def write_cache_file(filename: str, elements) -> None:
    """Write the cache files of ``filename`` (data first, the index marks it complete)."""
    data = filename + ".data-00000-of-00001"

    def write(file):
        for element in elements:
            file.write(records.encode_record(encode_element(element)))

    atomic_write(data, write)
    atomic_write(filename + ".index", b"")


def read_cache_file(filename: str):
    data = filename + ".data-00000-of-00001"
    return (decode_element(payload, data) for payload in records.iter_records(data))
