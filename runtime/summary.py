"""TensorBoard event files: ``FileWriter`` writes graphs TensorBoard's dashboard opens.

An event file is a sequence of TFRecords, each ``length (uint64 LE)``, ``masked CRC32C
of length``, ``data`` (an ``Event`` message), ``masked CRC32C of data``. The first
event names the file version; ``add_graph`` adds an event carrying the GraphDef bytes.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time

import google_crc32c

from .errors import DataLossError
from .graph_def import GraphDef
from .proto import event_pb2

_MASK_DELTA = 0xA282EAD8


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC32C of ``data``.

    Examples
    --------
    >>> hex(masked_crc32c(b"hello"))
    '0x191c1fbb'
    """
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One TFRecord holding ``data``."""
    length = struct.pack("<Q", len(data))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


def read_records(path: str):
    """Yield the payload of every TFRecord in ``path``; ``DataLossError`` on corruption."""
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        header = data[offset : offset + 12]
        if len(header) < 12:
            raise DataLossError(None, None, f"{path}: truncated record header at byte {offset}")
        (length,) = struct.unpack("<Q", header[:8])
        if struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
            raise DataLossError(None, None, f"{path}: corrupted record length at byte {offset}")
        payload = data[offset + 12 : offset + 12 + length]
        footer = data[offset + 12 + length : offset + 16 + length]
        if len(payload) < length or len(footer) < 4:
            raise DataLossError(None, None, f"{path}: truncated record at byte {offset}")
        if struct.unpack("<I", footer)[0] != masked_crc32c(payload):
            raise DataLossError(None, None, f"{path}: corrupted record data at byte {offset}")
        yield payload
        offset += 16 + length


def read_events(path: str) -> list:
    """The ``Event`` messages of an event file."""
    events = []
    for payload in read_records(path):
        event = event_pb2.Event()
        event.ParseFromString(payload)
        events.append(event)
    return events


class FileWriter:
    """Write event files for TensorBoard (``tf.compat.v1.summary.FileWriter``).

    Examples
    --------
    >>> import runtime as tf, tempfile
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant(1.0, name="c")
    >>> writer = FileWriter(tempfile.mkdtemp(), g)
    >>> writer.close()
    >>> [e.WhichOneof("what") for e in read_events(writer.get_logdir() + "/" + writer.filename)]
    ['file_version', 'graph_def']
    """

    def __init__(
        self,
        logdir: str,
        graph=None,
        max_queue: int = 10,
        flush_secs: int = 120,
        graph_def=None,
        filename_suffix: str = "",
    ):
        os.makedirs(logdir, exist_ok=True)
        self._logdir = logdir
        self.filename = (
            f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}{filename_suffix}"
        )
        self._lock = threading.Lock()
        self._file = open(os.path.join(logdir, self.filename), "ab")  # noqa: SIM115 - closed in close()
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        return self._logdir

    def add_graph(self, graph, global_step=None, graph_def=None) -> None:
        """Add a graph (or a ``GraphDef``) for TensorBoard's graph dashboard."""
        graph_def = graph_def if graph_def is not None else graph.as_graph_def()
        if not isinstance(graph_def, GraphDef):
            raise TypeError(f"graph_def must be a GraphDef, got {type(graph_def).__name__}")
        event = event_pb2.Event(wall_time=time.time(), graph_def=graph_def.SerializeToString())
        if global_step is not None:
            event.step = int(global_step)
        self._write(event)

    def add_event(self, event) -> None:
        self._write(event)

    def _write(self, event) -> None:
        with self._lock:
            self._file.write(encode_record(event.SerializeToString()))

    def flush(self) -> None:
        with self._lock:
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
