"""Kernels of file I/O ops: ``ReadFile``, ``WriteFile``, ``MatchingFiles`` and TF1 readers.

A reader (``TextLineReaderV2``, ``TFRecordReaderV2`` ...) is a session resource that
turns *work units* (file names, dequeued from a queue as it needs them) into
``(key, value)`` records, one file at a time:

=====================  =================================  ============================
reader                 key                                value
=====================  =================================  ============================
TextLineReader         ``b"file:line"`` (from 1)          the line, without its end
TFRecordReader         ``b"file:offset"`` (the record's)  the record
FixedLengthRecord...   ``b"file:index"`` (from 0)         ``record_bytes`` bytes
WholeFileReader        ``b"file"``                        the whole file
IdentityReader         the work unit                      the work unit
=====================  =================================  ============================

``read_up_to(n)`` returns at most the rest of the current file (as TF's). Reads are
not rolled back when a step fails (TF's are not either); a work unit dequeued by a
failed step goes back to its queue with the queue's own rollback.

These kernels read files through :mod:`runtime.records`, so they live here rather
than among the pure numpy kernels of :mod:`runtime.kernels`.
"""

from __future__ import annotations

import glob
import itertools
import os
import threading

import numpy as np

from . import records
from .errors import InvalidArgumentError, OutOfRangeError
from .kernels.queue import queue_dequeue
from .registry import register_kernel
from .resources import check_resource_names

_reader_ids = itertools.count()


def _text(value) -> str:
    item = np.asarray(value).reshape(()).item() if np.size(value) == 1 else value
    return item.decode() if isinstance(item, bytes) else str(item)


def _string(value: bytes) -> np.ndarray:
    return np.array(value, dtype=object)


# -- whole files ------------------------------------------------------------------------


@register_kernel("ReadFile")
def read_file(filename):
    path = _text(filename)
    with records.open_compressed(path) as stream:
        return (_string(stream.read()),)


@register_kernel("WriteFile")
def write_file(filename, contents):
    path = _text(filename)
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, exist_ok=True)  # TF creates missing directories too
    with open(path, "wb") as f:
        f.write(np.asarray(contents).reshape(()).item())
    return ()


@register_kernel("MatchingFiles")
def matching_files(pattern):
    names = sorted({name for p in np.ravel(pattern) for name in glob.glob(_text(p))})
    matches = np.empty(len(names), dtype=object)  # no match is an empty list, as in TF
    matches[:] = [name.encode() for name in names]
    return (matches,)


# -- readers ----------------------------------------------------------------------------


class _NoUndo:
    def record(self, undo) -> None:
        pass


class _Owning:
    """The step's context for a reader's dequeue, without its undo journal: the reader
    now owns the work unit, and a failed step does not put it back (TF's readers do
    not roll back either)."""

    journal = _NoUndo()

    def __init__(self, ctx):
        self._ctx = ctx

    def __getattr__(self, name):
        return getattr(self._ctx, name)


class Reader:
    """A reader resource: the current work unit, its records, and the counts."""

    def __init__(self, name: str, records_of):
        self.name = name
        self._records_of = records_of  # work unit (str) -> iterator of (key, value)
        self.lock = threading.Lock()
        self.work = None
        self.current = None
        self.produced = 0
        self.completed = 0

    def _next_work(self, ctx, queue) -> None:
        (work,) = queue_dequeue(_Owning(ctx), queue, component_types=None, timeout_ms=-1)
        self.work = _text(work)
        self.current = iter(self._records_of(self.work))

    def _finish_work(self) -> None:
        self.work = self.current = None
        self.completed += 1

    def read_up_to(self, ctx, queue, count: int) -> list:
        """Up to ``count`` records of the current work unit (the next one when done)."""
        with self.lock:
            taken = []
            while not taken:
                if self.current is None:
                    try:
                        self._next_work(ctx, queue)
                    except OutOfRangeError as err:
                        raise OutOfRangeError(None, None, err.message) from None
                try:
                    for record in self.current:
                        taken.append(record)
                        if len(taken) == count:
                            break
                    else:
                        self._finish_work()
                except Exception:
                    self._finish_work()  # a corrupt file ends its work unit
                    raise
            self.produced += len(taken)
            return taken

    def reset(self) -> None:
        with self.lock:
            self.work = self.current = None
            self.produced = self.completed = 0


def _line_records(skip_header_lines: int):
    def records_of(work: str):
        for number, line in records.text_lines(work, "", skip_header_lines):
            yield f"{work}:{number}".encode(), line

    return records_of


def _tf_records(compression: str):
    def records_of(work: str):
        for offset, record in records.iter_records(work, compression, with_offsets=True):
            yield f"{work}:{offset}".encode(), record

    return records_of


def _fixed_length_records(header: int, size: int, footer: int, hop: int, encoding: str):
    def records_of(work: str):
        for index, record in records.fixed_length_records(
            work, header, size, footer, hop, encoding
        ):
            yield f"{work}:{index}".encode(), record

    return records_of


def _whole_file(work: str):
    with records.open_compressed(work) as stream:
        yield work.encode(), stream.read()


def _identity(work: str):
    yield work.encode(), work.encode()


def _reader_kernel(op_type: str, records_of):
    """Register the kernel of reader op ``op_type``; ``records_of(**attrs)`` makes its reading."""

    def kernel(ctx, *, container, shared_name, **attrs):
        check_resource_names(container, shared_name)
        key = shared_name or ctx.op.name
        name = shared_name or f"_{next(_reader_ids)}_{ctx.op.name}"
        reader = ctx.resources.get_or_create(
            container, key, lambda: Reader(name, records_of(**attrs))
        )
        return (reader,)

    register_kernel(op_type, context=True)(kernel)


_reader_kernel("TextLineReaderV2", _line_records)
_reader_kernel("TFRecordReaderV2", lambda compression_type: _tf_records(compression_type))
_reader_kernel(
    "FixedLengthRecordReaderV2",
    lambda header_bytes, record_bytes, footer_bytes, hop_bytes, encoding: _fixed_length_records(
        header_bytes, record_bytes, footer_bytes, hop_bytes, encoding
    ),
)
_reader_kernel("WholeFileReaderV2", lambda: _whole_file)
_reader_kernel("IdentityReaderV2", lambda: _identity)


@register_kernel("ReaderReadV2", context=True)
def reader_read(ctx, reader, queue):
    ((key, value),) = reader.read_up_to(ctx, queue, 1)
    return _string(key), _string(value)


@register_kernel("ReaderReadUpToV2", context=True)
def reader_read_up_to(ctx, reader, queue, num_records):
    count = int(num_records)
    if count <= 0:
        raise InvalidArgumentError(None, None, f"num_records must be positive, got {count}")
    taken = reader.read_up_to(ctx, queue, count)
    keys = np.empty(len(taken), dtype=object)
    values = np.empty(len(taken), dtype=object)
    keys[:] = [key for key, _ in taken]
    values[:] = [value for _, value in taken]
    return keys, values


@register_kernel("ReaderNumRecordsProducedV2")
def reader_num_records_produced(reader):
    return (np.int64(reader.produced),)


@register_kernel("ReaderNumWorkUnitsCompletedV2")
def reader_num_work_units_completed(reader):
    return (np.int64(reader.completed),)


@register_kernel("ReaderResetV2")
def reader_reset(reader):
    reader.reset()
    return ()
