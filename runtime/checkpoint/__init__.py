"""Checkpoint files: TensorFlow's V2 format (tensor bundles), written atomically.

A checkpoint with prefix ``P`` is ``P.index`` and ``P.data-0000i-of-0000n``
(:mod:`.bundle`, :mod:`.table`), the very files ``tf.compat.v1.train.Saver`` writes, so
checkpoints move both ways between this runtime and TensorFlow. The project's first
format (a JSON ``P.index`` and an ``.npz``, :mod:`.npz`) is still read.

Atomic saves
    :func:`save` writes the data and the index aside (``<file>.tempstate<pid>-<hex>``),
    flushed to disk, and only then renames them into place, data first: the index is
    the commit point. Over an existing checkpoint of the same prefix the old index goes
    first, so a crash in the few instants of the renames leaves no checkpoint ``P``
    (which ``latest_checkpoint`` skips), never a mix of old and new files. Saves in one
    process are serialised; each removes what killed saves of its prefix left behind
    (temporary files, a sharded save's shards ``P-0000i-of-0000n``, old-format data).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading

import numpy as np

from ..dtypes import as_dtype, string
from ..errors import DataLossError, NotFoundError
from . import bundle, npz
from .bundle import BundleReader, data_filename, index_filename

__all__ = [
    "BundleReader",
    "data_filename",
    "delete",
    "exists",
    "index_filename",
    "merge",
    "open_reader",
    "remove_stale",
    "save",
    "shard_prefix",
]

_TEMP_MARK = ".tempstate"
_SAVING = threading.Lock()  # one save at a time: renames and clean-up never interleave


def exists(prefix: str) -> bool:
    """True when a checkpoint with this prefix exists (its index file does).

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> exists(prefix), save(prefix, ["x"], [np.zeros(2)]), exists(prefix)
    (False, None, True)
    """
    return os.path.isfile(index_filename(prefix))


def open_reader(prefix: str):
    """A reader of the checkpoint ``prefix``: a :class:`BundleReader`, or an
    :class:`~.npz.NpzReader` for the project's first format.

    Raises ``NotFoundError`` when there is no such checkpoint, ``DataLossError`` naming
    the file when its index is damaged.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> save(prefix, ["w"], [np.arange(3, dtype=np.int32)])
    >>> with open_reader(prefix) as reader:
    ...     reader.dtype("w").name, reader.read("w")
    ('int32', array([0, 1, 2], dtype=int32))
    >>> open_reader(prefix + "-missing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    runtime.errors.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ...
    """
    path = index_filename(prefix)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFoundError(
            None,
            None,
            "Unsuccessful TensorSliceReader constructor: Failed to find any matching files "
            f"for {prefix}",
        ) from None
    except IsADirectoryError:
        raise DataLossError(None, None, f"{path}: is a directory, not a checkpoint index") from None
    if npz.is_npz_index(data):
        return npz.NpzReader(prefix, data)
    return BundleReader(prefix, data)


def save(prefix: str, names, arrays, dtypes=None, slices=None) -> None:
    """Write the checkpoint ``prefix`` holding ``arrays`` under ``names``, atomically.

    Parameters
    ----------
    prefix : str
    names : list of str
    arrays : list of array-like
        A string tensor is an ``object`` array of bytes.
    dtypes : list of DType, optional
        The tensors' dtypes (default: from the arrays).
    slices : list of Slice or None, optional
        For each array, the :class:`~.slices.Slice` of tensor ``name`` it is (a part of a
        partitioned variable), or ``None`` for a whole tensor.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> save(prefix, ["b", "a"], [np.arange(3), np.array([b"x"], dtype=object)])
    >>> sorted(os.listdir(os.path.dirname(prefix)))
    ['model.data-00000-of-00001', 'model.index']
    """
    directory = os.path.dirname(prefix) or "."
    if not os.path.isdir(directory):
        raise NotFoundError(None, None, f"{directory}; No such file or directory")
    if dtypes is None:
        dtypes = [_dtype_of(array) for array in arrays]
    tensors = list(zip(names, dtypes, arrays, slices or [None] * len(names)))
    with _SAVING:
        _remove_stale(prefix)
        data_path = data_filename(prefix, 0, 1)
        temporaries = []
        try:
            data_temp, entries = _write_aside(data_path, lambda f: bundle.write_shard(f, tensors))
            temporaries.append(data_temp)
            index_temp, _ = _write_aside(
                index_filename(prefix), lambda f: f.write(bundle.index_bytes(entries))
            )
            temporaries.append(index_temp)
            _commit(prefix, [(data_temp, data_path), (index_temp, index_filename(prefix))])
        finally:
            for temporary in temporaries:
                with contextlib.suppress(OSError):
                    os.remove(temporary)


def _dtype_of(array):
    array = np.asarray(array)
    return string if array.dtype == object or array.dtype.kind == "S" else as_dtype(array.dtype)


def _write_aside(path: str, write) -> tuple:
    """Write ``write(file)`` to a fresh temporary beside ``path``, flushed to disk.
    Returns ``(temporary path, what write returned)``; removes the file on failure."""
    temporary = f"{path}{_TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        with open(temporary, "xb") as file:
            result = write(file)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    return temporary, result


def _commit(prefix: str, moves: list) -> None:
    """Rename the written files into place, the index (last of ``moves``) last."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(index_filename(prefix))  # the old checkpoint stops existing first
    for temporary, final in moves:
        os.replace(temporary, final)
    _sync_directory(os.path.dirname(prefix) or ".")
    _remove_other_data(prefix, {os.path.basename(final) for _, final in moves})


def _sync_directory(directory: str) -> None:
    # The renames themselves reach the disk only when the directory is synced.
    with contextlib.suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _files_of(prefix: str) -> list:
    """The names in ``prefix``'s directory that belong to checkpoint ``prefix``."""
    directory = os.path.dirname(prefix) or "."
    base = os.path.basename(prefix)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    owned = (f"{base}.index", f"{base}.data-", f".{base}.index.tmp", f".{base}.data-")
    shard = re.compile(rf"{re.escape(base)}-\d{{5}}-of-\d{{5}}\.(index|data-)")
    return [name for name in names if name.startswith(owned) or shard.match(name)]


def _remove_other_data(prefix: str, keep: set) -> None:
    """Remove data files of ``prefix`` not in ``keep`` (an old checkpoint's other shards)."""
    directory = os.path.dirname(prefix) or "."
    base = os.path.basename(prefix)
    for name in _files_of(prefix):
        if name.startswith(f"{base}.data-") and _TEMP_MARK not in name and name not in keep:
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, name))


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process's saves are serialised: an earlier one was cut short
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_stale(name: str) -> bool:
    """A temporary file whose save died: ours, or of a process that is gone."""
    if name.startswith("."):  # the first format's temporaries (``.<file>.tmpXXXX``)
        return ".tmp" in name
    if _TEMP_MARK not in name:
        return False
    owner = name.rsplit(_TEMP_MARK, 1)[1].split("-", 1)[0]
    return not owner.isdigit() or not _pid_alive(int(owner))


def remove_stale(prefix: str) -> None:
    """Remove what killed saves of ``prefix`` left: temporary files of dead processes,
    data files no index names, and the shards of a sharded save never merged.

    :func:`save` does it for its prefix; a sharded save calls it first.

    Examples
    --------
    >>> import os, tempfile
    >>> directory = tempfile.mkdtemp()
    >>> leftover = os.path.join(directory, "model-00000-of-00002.index")
    >>> open(leftover, "wb").close()
    >>> remove_stale(os.path.join(directory, "model")), os.listdir(directory)
    (None, [])
    """
    with _SAVING:
        _remove_stale(prefix)


def _remove_stale(prefix: str) -> None:
    directory = os.path.dirname(prefix) or "."
    base = os.path.basename(prefix)
    for name in _files_of(prefix):
        leftover_shard = name.startswith(f"{base}-") and _TEMP_MARK not in name
        if leftover_shard or _is_stale(name):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, name))
    if not exists(prefix):
        _remove_other_data(prefix, set())
    elif npz.is_npz_index(_head(index_filename(prefix))):
        _remove_other_data(prefix, {npz.data_name(prefix)})


def _head(path: str) -> bytes:
    with contextlib.suppress(OSError), open(path, "rb") as file:
        return file.read(64)
    return b""


def shard_prefix(prefix: str, shard: int, num_shards: int) -> str:
    """Where a sharded save writes shard ``shard`` before :func:`merge` (TF's
    ``ShardedFilename``): ``P-0000i-of-0000n``.

    Examples
    --------
    >>> shard_prefix("ckpt/model", 1, 2)
    'ckpt/model-00001-of-00002'
    """
    return f"{prefix}-{shard:05d}-of-{num_shards:05d}"


def merge(sources, destination: str, delete_old_dirs: bool = False) -> None:
    """Merge the single-shard bundles ``sources`` into one bundle ``destination``
    (TF's ``MergeV2Checkpoints``): their data files become its shards, in order, and
    their indexes go.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> parts = [shard_prefix(d + "/model", i, 2) for i in range(2)]
    >>> save(parts[0], ["a"], [np.zeros(2)])
    >>> save(parts[1], ["b"], [np.ones(3)])
    >>> merge(parts, d + "/model")
    >>> sorted(os.listdir(d))
    ['model.data-00000-of-00002', 'model.data-00001-of-00002', 'model.index']
    """
    sources = list(sources)
    readers = []
    for source in sources:
        reader = open_reader(source)
        reader.close()
        if not isinstance(reader, BundleReader) or reader.header.num_shards != 1:
            raise DataLossError(None, None, f"{source}: only single-shard bundles are merged")
        readers.append(reader)
    entries: dict = {}
    for shard, reader in enumerate(readers):
        for key, entry in reader.slice_entries.items():
            entry.shard_id = shard
            entries[key] = entry
        for name, entry in reader.entries.items():
            known = entries.get(name)
            if known is not None and known.slices and entry.slices:
                known.slices.extend(entry.slices)  # slices of one tensor, saved by two shards
                continue
            if known is not None:
                raise DataLossError(
                    None,
                    None,
                    f"Duplicate tensor keyed by {name} encountered, when merging prefix: "
                    f"{reader.prefix}",
                )
            if not entry.slices:
                entry.shard_id = shard
            entries[name] = entry
    total = len(sources)
    with _SAVING:
        index_temp, _ = _write_aside(
            index_filename(destination), lambda f: f.write(bundle.index_bytes(entries, total))
        )
        moves = [
            (data_filename(source, 0, 1), data_filename(destination, shard, total))
            for shard, source in enumerate(sources)
        ]
        _commit(destination, [*moves, (index_temp, index_filename(destination))])
        for source in sources:
            with contextlib.suppress(OSError):
                os.remove(index_filename(source))
            if delete_old_dirs:
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.dirname(source) or ".")


def delete(prefix: str) -> None:
    """Remove the checkpoint ``prefix``: its index first (it stops existing at once),
    then its data files.

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> save(prefix, ["x"], [np.zeros(2)])
    >>> delete(prefix)
    >>> os.listdir(os.path.dirname(prefix))
    []
    """
    with contextlib.suppress(OSError):
        os.remove(index_filename(prefix))
    _remove_other_data(prefix, set())
