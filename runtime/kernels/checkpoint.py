"""Checkpoint files and the ``SaveV2``/``RestoreV2`` kernels.

Format. A checkpoint with prefix ``P`` is two files:

``P.index``
    JSON: ``{"format": "tfgraph-checkpoint", "version": 1, "data": "<data file name>",
    "tensors": {"<name>": {"dtype": "float32", "shape": [2, 3]}, ...}}``.
``P.data-<token>.npz``
    The values, by tensor name (``numpy.savez``; strings stored as fixed-width
    bytes, so loading never unpickles).

Atomicity. The index is the commit point. ``save`` writes the data to a file with a
fresh name, then the index to a temporary file that ``os.replace`` moves over
``P.index``; only then is the previous data file of ``P`` removed. A crash at any
moment leaves either the old checkpoint or the new one, both complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets

import numpy as np

from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..files import atomic_write
from ..registry import register_kernel

FORMAT = "tfgraph-checkpoint"
VERSION = 1


def _text(value) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def index_path(prefix: str) -> str:
    return prefix + ".index"


def exists(prefix: str) -> bool:
    """True when a complete checkpoint with ``prefix`` exists."""
    return os.path.isfile(index_path(prefix))


def _storable(array: np.ndarray) -> np.ndarray:
    if array.dtype == object:  # tf.string: bytes objects -> fixed-width bytes
        return np.array([bytes(x) for x in array.reshape(-1)], dtype=bytes).reshape(array.shape)
    return array


def _read_index(prefix: str) -> dict:
    try:
        with open(index_path(prefix), encoding="utf-8") as file:
            index = json.load(file)
    except FileNotFoundError:
        raise NotFoundError(
            None,
            None,
            f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files "
            f"for {prefix}",
        ) from None
    except (OSError, ValueError) as err:
        raise DataLossError(None, None, f"Unable to read checkpoint index {prefix}: {err}") from err
    if index.get("format") != FORMAT:
        raise DataLossError(None, None, f"{index_path(prefix)} is not a {FORMAT} index")
    return index


def save(prefix: str, names, arrays) -> None:
    """Write a checkpoint of ``arrays`` by ``names`` atomically (see the module notes)."""
    directory = os.path.dirname(prefix) or "."
    if not os.path.isdir(directory):
        raise NotFoundError(None, None, f"{directory}; No such file or directory")
    old_data = None
    if exists(prefix):
        with contextlib.suppress(NotFoundError, DataLossError):
            old_data = _read_index(prefix)["data"]
    data_name = f"{os.path.basename(prefix)}.data-{secrets.token_hex(4)}.npz"
    stored = {name: _storable(np.asarray(a)) for name, a in zip(names, arrays)}
    atomic_write(os.path.join(directory, data_name), lambda file: np.savez(file, **stored))
    index = {
        "format": FORMAT,
        "version": VERSION,
        "data": data_name,
        "tensors": {
            name: {"dtype": _dtype_name(np.asarray(a)), "shape": list(np.shape(a))}
            for name, a in zip(names, arrays)
        },
    }
    text = json.dumps(index, indent=1).encode()
    atomic_write(index_path(prefix), lambda file: file.write(text))
    if old_data is not None and old_data != data_name:
        with contextlib.suppress(OSError):
            os.remove(os.path.join(directory, old_data))


def _dtype_name(array: np.ndarray) -> str:
    return "string" if array.dtype == object else array.dtype.name


def restore(prefix: str, names, dtypes=None) -> list:
    """The arrays saved under ``names``, checked against the expected ``dtypes`` if given."""
    index = _read_index(prefix)
    directory = os.path.dirname(prefix) or "."
    try:
        data = np.load(os.path.join(directory, index["data"]), allow_pickle=False)
    except (OSError, ValueError) as err:
        raise DataLossError(
            None, None, f"Unable to read checkpoint data of {prefix}: {err}"
        ) from err
    with data:
        expected = [None] * len(names) if dtypes is None else dtypes
        return [_restored(index, data, name, dtype) for name, dtype in zip(names, expected)]


def _restored(index, data, name, dtype) -> np.ndarray:
    entry = index["tensors"].get(name)
    if entry is None or name not in data.files:
        raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
    if dtype is not None and entry["dtype"] != dtype.name:
        raise InvalidArgumentError(
            None,
            None,
            f"tensor_name = {name}; expected dtype {dtype.name} does not equal original dtype "
            f"{entry['dtype']}",
        )
    array = data[name]
    if entry["dtype"] == "string":
        return np.array(list(array.reshape(-1)), dtype=object).reshape(array.shape)
    return array


def delete(prefix: str) -> None:
    """Remove the checkpoint ``prefix`` (index first, so it stops existing at once)."""
    try:
        data = _read_index(prefix)["data"]
    except (NotFoundError, DataLossError):
        return
    for path in (index_path(prefix), os.path.join(os.path.dirname(prefix) or ".", data)):
        with contextlib.suppress(OSError):
            os.remove(path)


def list_tensors(prefix: str) -> list:
    """``[(name, shape)]`` of a checkpoint, sorted by name."""
    index = _read_index(prefix)
    return sorted((name, entry["shape"]) for name, entry in index["tensors"].items())


@register_kernel("SaveV2")
def save_v2(prefix, tensor_names, shape_and_slices, *tensors, dtypes):
    save(_text(prefix), [_text(n) for n in tensor_names.reshape(-1)], tensors)
    return ()


@register_kernel("RestoreV2")
def restore_v2(prefix, tensor_names, shape_and_slices, *, dtypes):
    names = [_text(n) for n in tensor_names.reshape(-1)]
    return tuple(restore(_text(prefix), names, dtypes))
