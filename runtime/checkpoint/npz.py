"""The project's first checkpoint format, still read (never written any more).

``P.index`` was JSON: ``{"format": "tfgraph-checkpoint", "version": 1, "data": "<data
file name>", "tensors": {"<name>": {"dtype": "float32", "shape": [2, 3]}, ...}}``, and
the values were in ``P.data-<token>.npz`` (``numpy.savez``; strings as fixed-width
bytes, so loading never unpickles). Before numpy reads a member, its header's claimed
shape is checked against the member's size in the archive, so a forged header cannot
make it allocate what the file does not hold.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from .. import dtypes
from ..errors import DataLossError, NotFoundError

FORMAT = "tfgraph-checkpoint"


def is_npz_index(head: bytes) -> bool:
    """True when an index file's first bytes are the first format's JSON.

    Examples
    --------
    >>> is_npz_index(b'{"format": "tfgraph-checkpoint"}'), is_npz_index(b"\\x00\\x00\\x06")
    (True, False)
    """
    return head.lstrip()[:1] == b"{"


def data_name(prefix: str) -> str | None:
    """The data file an index of the first format names (``None`` if unreadable)."""
    try:
        with open(f"{prefix}.index", "rb") as file:
            return _index(json.loads(file.read()), f"{prefix}.index")["data"]
    except (OSError, ValueError, DataLossError):
        return None


def _index(index, path: str) -> dict:
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise DataLossError(None, None, f"{path} is not a {FORMAT} index")
    tensors = index.get("tensors")
    if not isinstance(index.get("data"), str) or not isinstance(tensors, dict):
        raise DataLossError(None, None, f"{path}: the index lacks 'data' or 'tensors'")
    for name, entry in tensors.items():
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise DataLossError(None, None, f"{path}: tensor {name} has a bad shape {shape!r}")
    return index


class NpzReader:
    """Read a checkpoint of the first format (the interface of ``BundleReader``)."""

    def __init__(self, prefix: str, index_data: bytes):
        self.prefix = prefix
        path = f"{prefix}.index"
        try:
            self._index = _index(json.loads(index_data), path)
        except ValueError as err:
            raise DataLossError(None, None, f"{path}: unreadable index ({err})") from None
        self.entries = self._index["tensors"]
        self._archive = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def shapes(self) -> dict:
        return {name: list(entry["shape"]) for name, entry in self.entries.items()}

    def dtype(self, name: str) -> dtypes.DType:
        try:
            return dtypes.as_dtype(self._entry(name)["dtype"])
        except (TypeError, ValueError, KeyError):
            raise DataLossError(
                None, None, f"{self.prefix}.index: tensor {name} has a bad dtype"
            ) from None

    def _entry(self, name: str) -> dict:
        entry = self.entries.get(name)
        if entry is None:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return entry

    def _data_path(self) -> str:
        return os.path.join(
            os.path.dirname(self.prefix) or ".", os.path.basename(self._index["data"])
        )

    def read_slice(self, name: str, part) -> np.ndarray:
        """Slice ``part`` of tensor ``name`` (this format stores tensors whole)."""
        return part.cut(name, self.read(name))

    def read(self, name: str) -> np.ndarray:
        dtype = self.dtype(name)
        path = self._data_path()
        try:
            if self._archive is None:
                self._archive = zipfile.ZipFile(path)
            member = self._archive.getinfo(f"{name}.npy")
            with self._archive.open(member) as stream:
                array = _read_array(stream, member, path, name)
        except KeyError:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint") from None
        except FileNotFoundError:
            raise NotFoundError(None, None, f"{path}; No such file or directory") from None
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
            raise DataLossError(None, None, f"{path}: unreadable checkpoint data ({err})") from None
        if list(array.shape) != self._entry(name)["shape"]:
            raise DataLossError(None, None, f"{path}: tensor {name} does not match its index")
        if dtype == dtypes.string:
            return np.array(list(array.reshape(-1)), dtype=object).reshape(array.shape)
        return array


_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _read_array(stream, member: zipfile.ZipInfo, path: str, name: str) -> np.ndarray:
    if member.compress_type != zipfile.ZIP_STORED:  # numpy.savez stores; never inflate a claim
        raise DataLossError(None, None, f"{path}: tensor {name} is compressed")
    version = np.lib.format.read_magic(stream)
    if version not in _HEADER_READERS:
        raise DataLossError(None, None, f"{path}: tensor {name} has npy version {version}")
    shape, fortran, dtype = _HEADER_READERS[version](stream)
    if dtype.hasobject:
        raise DataLossError(None, None, f"{path}: tensor {name} holds Python objects")
    claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
    available = member.file_size - stream.tell()
    if claimed > available:
        raise DataLossError(
            None, None, f"{path}: tensor {name} claims {claimed} bytes, and {available} follow"
        )
    data = stream.read(claimed)
    if len(data) != claimed:
        raise DataLossError(None, None, f"{path}: tensor {name} is truncated")
    order = "F" if fortran else "C"
    return np.frombuffer(data, dtype).reshape(shape, order=order)
