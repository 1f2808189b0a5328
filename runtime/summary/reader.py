"""Reading event files: whole (``summary_iterator``) or as they grow (``LogdirWatcher``).

A log directory holds *runs*: the directory itself and each subdirectory that has
event files (``events.out.tfevents.*``), named by their path relative to the log
directory (``"."`` for the log directory itself), as TensorBoard names them.

:class:`LogdirWatcher` follows a log directory while a program writes it: each
:meth:`~LogdirWatcher.poll` returns the events added since the last one. A record
still being written at the end of a file is left for the next poll; a damaged one
raises ``DataLossError`` naming the file. What a poll reads is bounded by what the
files hold, never by what a record claims.
"""

from __future__ import annotations

import os
import struct

from google.protobuf import json_format

from ..errors import DataLossError
from ..proto import event_pb2, summary_pb2
from ..records import iter_records, masked_crc32c

__all__ = [
    "LogdirWatcher",
    "get_summary_description",
    "read_events",
    "run_directories",
    "summary_iterator",
]

EVENT_FILE_MARK = "tfevents"
_HEADER = 12  # uint64 length + its masked CRC32C


def summary_iterator(path):
    """The ``Event`` messages of the event file ``path``, in order
    (``tf.compat.v1.train.summary_iterator``).

    Raises ``DataLossError`` naming the file for a damaged or truncated record.

    Examples
    --------
    >>> import tempfile
    >>> from runtime.summary import FileWriter, Summary
    >>> with FileWriter(tempfile.mkdtemp()) as writer:
    ...     writer.add_summary(Summary(value=[Summary.Value(tag="loss", simple_value=0.5)]), 3)
    >>> [(e.step, e.WhichOneof("what")) for e in summary_iterator(writer.path)]
    [(0, 'file_version'), (3, 'summary')]
    """
    for payload in iter_records(os.fspath(path)):
        yield _event(payload, path)


def read_events(path) -> list:
    """All the ``Event`` messages of an event file (:func:`summary_iterator`, as a list)."""
    return list(summary_iterator(path))


def _event(payload: bytes, path) -> event_pb2.Event:
    event = event_pb2.Event()
    try:
        event.ParseFromString(payload)
    except Exception as err:  # protobuf's DecodeError, or a RuntimeError from upb
        raise DataLossError(None, None, f"{path}: a record is not an Event ({err})") from None
    return event


def run_directories(logdir: str) -> dict:
    """``{run name: directory}`` of the directories under ``logdir`` holding event files.

    Examples
    --------
    >>> import os, tempfile
    >>> logdir = tempfile.mkdtemp()
    >>> for run in ["train", "eval"]:
    ...     os.makedirs(os.path.join(logdir, run))
    ...     open(os.path.join(logdir, run, "events.out.tfevents.1.host"), "wb").close()
    >>> sorted(run_directories(logdir))
    ['eval', 'train']
    """
    runs = {}
    for directory, _, files in os.walk(logdir):
        if any(EVENT_FILE_MARK in name for name in files):
            runs[os.path.relpath(directory, logdir)] = directory
    return runs


class _FileTail:
    """The complete records appended to one event file since the last read."""

    def __init__(self, path: str):
        self.path = path
        self.offset = 0

    def read(self) -> list:
        try:
            with open(self.path, "rb") as file:
                file.seek(self.offset)
                data = file.read()  # what the file holds now: bounded by its size
        except FileNotFoundError:
            return []
        events, at = [], 0
        while len(data) - at >= _HEADER:
            (length,) = struct.unpack_from("<Q", data, at)
            if struct.unpack_from("<I", data, at + 8)[0] != masked_crc32c(data[at : at + 8]):
                raise DataLossError(
                    None, None, f"{self.path}: corrupted record at {self.offset + at}"
                )
            end = at + _HEADER + length + 4
            if end > len(data):
                break  # still being written: the next read gets it
            payload = data[at + _HEADER : end - 4]
            if struct.unpack_from("<I", data, end - 4)[0] != masked_crc32c(payload):
                raise DataLossError(
                    None, None, f"{self.path}: corrupted record at {self.offset + at}"
                )
            events.append(_event(payload, self.path))
            at = end
        self.offset += at
        return events


class LogdirWatcher:
    """Follow the event files of a log directory as they grow.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> from runtime.summary import FileWriter, Summary
    >>> logdir = tempfile.mkdtemp()
    >>> watcher = LogdirWatcher(logdir)
    >>> writer = FileWriter(logdir + "/train")
    >>> writer.add_summary(Summary(value=[Summary.Value(tag="loss", simple_value=0.5)]), 1)
    >>> [(run, e.step) for run, e in watcher.poll() if e.HasField("summary")]
    [('train', 1)]
    >>> watcher.poll()
    []
    >>> writer.close()
    """

    def __init__(self, logdir):
        self.logdir = os.fspath(logdir)
        self._tails: dict[str, tuple[str, _FileTail]] = {}

    def poll(self) -> list:
        """``[(run, Event)]`` written since the last poll, each file's in order."""
        for run, directory in run_directories(self.logdir).items():
            for name in sorted(os.listdir(directory)):
                path = os.path.join(directory, name)
                if EVENT_FILE_MARK in name and path not in self._tails:
                    self._tails[path] = (run, _FileTail(path))
        found = []
        for run, tail in self._tails.values():
            found.extend((run, event) for event in tail.read())
        return found


def get_summary_description(node_def) -> summary_pb2.SummaryDescription:
    """The ``SummaryDescription`` a ``TensorSummary`` node declares in its ``description``
    attr (JSON), as TF reads it; ``ValueError`` for a node of another op.

    ``node_def`` is a ``NodeDef`` of this runtime's graphs or of TF's protos.

    Examples
    --------
    >>> from runtime.graph_def import AttrValue, NodeDef
    >>> node = NodeDef("s", "TensorSummary", attr={
    ...     "description": AttrValue("s", b'{"type_hint": "audio"}')})
    >>> get_summary_description(node).type_hint
    'audio'
    """
    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    attr = node_def.attr.get("description")
    text = b"" if attr is None else getattr(attr, "value", None) or getattr(attr, "s", b"")
    description = summary_pb2.SummaryDescription()
    json_format.Parse(text.decode() if isinstance(text, bytes) else str(text), description)
    return description
