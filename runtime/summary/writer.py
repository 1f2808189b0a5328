"""``FileWriter``: event files for TensorBoard (``tf.compat.v1.summary.FileWriter``).

An event file is a TFRecord file (:mod:`runtime.records`) of ``Event`` messages; the
first names the file version, the others carry a graph, summaries, session logs or
run metadata, each stamped with the wall time and the training step.

Each event reaches the file as one whole record at once (no queue, no flush timer),
so TensorBoard and :class:`workbench.SummaryView` see a training loop's summaries as
they are written; ``max_queue`` and ``flush_secs`` are accepted for TF1 code.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import numpy as np

from ..config import RunMetadata
from ..graph_def import GraphDef
from ..proto import event_pb2, graph_pb2, run_metadata_pb2, summary_pb2
from ..records import encode_record

__all__ = ["FileWriter", "FileWriterCache"]


class FileWriter:
    """Write ``Event``s to a new event file in ``logdir``.

    Parameters
    ----------
    logdir : str
        The directory (created if needed); TensorBoard reads every event file in it.
    graph : Graph, optional
        Written first, for TensorBoard's graph dashboard.
    graph_def : GraphDef, optional
        The same, as a ``GraphDef`` (deprecated in TF1; use ``graph``).
    filename_suffix : str, optional
        Appended to the event file's name.

    Examples
    --------
    >>> import runtime as tf, tempfile
    >>> with tf.Graph().as_default() as g:
    ...     loss = tf.compat.v1.summary.scalar("loss", tf.constant(0.5))
    ...     with FileWriter(tempfile.mkdtemp(), g) as writer, tf.compat.v1.Session() as sess:
    ...         writer.add_summary(sess.run(loss), global_step=1)
    >>> from runtime.summary import summary_iterator
    >>> [e.WhichOneof("what") for e in summary_iterator(writer.path)]
    ['file_version', 'graph_def', 'meta_graph_def', 'summary']
    """

    def __init__(
        self,
        logdir,
        graph=None,
        max_queue=10,
        flush_secs=120,
        graph_def=None,
        filename_suffix=None,
        session=None,
    ):
        self._logdir = os.fspath(logdir)
        self._suffix = filename_suffix or ""
        self._lock = threading.Lock()
        self._seen_summary_tags: set = set()
        self._seen_run_metadata_tags: set = set()
        self._file = None
        self.reopen()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)
            self.add_meta_graph(_meta_graph(graph, graph_def))  # as TF's writer does

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._path

    @property
    def filename(self) -> str:
        """The event file's name (in :meth:`get_logdir`)."""
        return os.path.basename(self._path)

    def get_logdir(self) -> str:
        return self._logdir

    def reopen(self) -> None:
        """After :meth:`close`, start a new event file in the same directory."""
        with self._lock:
            if self._file is not None and not self._file.closed:
                return
            os.makedirs(self._logdir, exist_ok=True)
            name = (
                f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}{self._suffix}"
            )
            self._path = os.path.join(self._logdir, name)
            # Unbuffered: each event reaches the file as one whole record at once.
            self._file = open(self._path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
        self.add_event(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))

    def add_event(self, event) -> None:
        """Write ``event`` (dropped once the writer is closed, as TF does)."""
        record = encode_record(event.SerializeToString())
        with self._lock:
            if not self._file.closed:
                self._file.write(record)

    def _add(self, global_step, **what) -> None:
        event = event_pb2.Event(wall_time=time.time(), **what)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary, global_step=None) -> None:
        """Write a ``Summary`` (or its serialized bytes, what a summary op returns).

        A tag's ``SummaryMetadata`` is written with its first value only, as TF does.
        """
        if isinstance(summary, np.ndarray):  # a summary op's value, as fetched
            summary = summary.item()
        if isinstance(summary, bytes | bytearray):
            summary = summary_pb2.Summary.FromString(bytes(summary))
        else:
            summary = _copy(summary_pb2.Summary, summary)
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add(global_step, summary=summary)

    def add_session_log(self, session_log, global_step=None) -> None:
        """Write a ``SessionLog`` (``START``, ``STOP``, ``CHECKPOINT``)."""
        self._add(global_step, session_log=_copy(event_pb2.SessionLog, session_log))

    def add_run_metadata(self, run_metadata, tag, global_step=None) -> None:
        """Write a run's ``RunMetadata`` (step stats, costs) under ``tag``.

        Raises ``ValueError`` when ``tag`` was used before in this writer.
        """
        if tag in self._seen_run_metadata_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._seen_run_metadata_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(tag=tag, run_metadata=run_metadata_bytes(run_metadata))
        self._add(global_step, tagged_run_metadata=tagged)

    def add_graph(self, graph, global_step=None, graph_def=None) -> None:
        """Write a graph (or a ``GraphDef``) for TensorBoard's graph dashboard."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if graph is not None:
            graph_def = graph.as_graph_def(add_shapes=True)
        if not isinstance(graph_def, GraphDef | graph_pb2.GraphDef):
            raise TypeError(f"graph_def must be a GraphDef, got {type(graph_def).__name__}")
        self._add(global_step, graph_def=graph_def.SerializeToString())

    def add_meta_graph(self, meta_graph_def, global_step=None) -> None:
        """Write a ``MetaGraphDef`` (the graph with its collections and saver)."""
        if not hasattr(meta_graph_def, "SerializeToString") or not hasattr(
            meta_graph_def, "graph_def"
        ):
            raise TypeError(
                f"meta_graph_def must be a MetaGraphDef, but got {type(meta_graph_def).__name__}"
            )
        self._add(global_step, meta_graph_def=meta_graph_def.SerializeToString())

    def flush(self) -> None:
        """Make what was written durable (it is in the file already)."""
        with self._lock:
            if not self._file.closed:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush and close the event file; later events are dropped until :meth:`reopen`."""
        self.flush()
        with self._lock:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _meta_graph(graph, graph_def):
    from ..training.meta_graph import export_meta_graph  # training imports summaries

    if graph is not None:
        return export_meta_graph(graph=graph, graph_def=graph.as_graph_def(add_shapes=True))
    return export_meta_graph(graph_def=graph_def)


def _copy(message_type, message):
    """``message`` as a fresh protobuf of ``message_type`` (a caller's message is not changed)."""
    if not isinstance(message, message_type):
        raise TypeError(f"Expected a {message_type.__name__}, got {type(message).__name__}")
    copy = message_type()
    copy.CopyFrom(message)
    return copy


def run_metadata_bytes(run_metadata) -> bytes:
    """TF's wire format of a ``RunMetadata`` (this runtime's, or a protobuf message).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.constant(2.0, name="two") * 3.0
    ...     meta = tf.compat.v1.RunMetadata()
    ...     with tf.compat.v1.Session() as sess:
    ...         _ = sess.run(y, options=tf.compat.v1.RunOptions(trace_level=3), run_metadata=meta)
    >>> proto = run_metadata_pb2.RunMetadata.FromString(run_metadata_bytes(meta))
    >>> sorted(n.node_name for n in proto.step_stats.dev_stats[0].node_stats)
    ['mul', 'mul/y', 'two']
    """
    if not isinstance(run_metadata, RunMetadata):
        return run_metadata.SerializeToString()
    proto = run_metadata_pb2.RunMetadata()
    for device_stats in run_metadata.step_stats.dev_stats:
        device = proto.step_stats.dev_stats.add(device=device_stats.device)
        for stats in device_stats.node_stats:
            _node_stats(stats, device.node_stats.add())
    ids = {node.name: node.id for node in run_metadata.cost_graph.node}
    for node in run_metadata.cost_graph.node:
        out = proto.cost_graph.node.add(
            name=node.name,
            device=node.device,
            id=node.id,
            compute_cost=node.compute_cost,
            is_final=node.is_final,
            control_input=[ids[name] for name in node.control_input if name in ids],
        )
        for output in node.output_info:
            info = out.output_info.add(
                size=output.tensor_description.allocation_description.allocated_bytes
            )
            _description(output.tensor_description, info)
    for graph_def in run_metadata.partition_graphs:
        proto.partition_graphs.add().CopyFrom(graph_def)
    return proto.SerializeToString()


def _node_stats(stats, out) -> None:
    out.node_name = stats.node_name
    out.all_start_micros = stats.all_start_micros
    out.op_start_rel_micros = stats.op_start_rel_micros
    out.op_end_rel_micros = stats.op_end_rel_micros
    out.all_end_rel_micros = stats.all_end_rel_micros
    out.timeline_label = stats.timeline_label
    out.scheduled_micros = stats.scheduled_micros
    out.thread_id = stats.thread_id & 0xFFFFFFFF  # a Python thread id; TF's field is 32-bit
    for memory in stats.memory:
        out.memory.add(
            allocator_name=memory.allocator_name,
            total_bytes=memory.total_bytes,
            peak_bytes=memory.peak_bytes,
        )
    for output in stats.output:
        described = out.output.add(slot=output.slot).tensor_description
        _description(output.tensor_description, described)
        allocation = output.tensor_description.allocation_description
        described.allocation_description.requested_bytes = allocation.requested_bytes
        described.allocation_description.allocated_bytes = allocation.allocated_bytes
        described.allocation_description.allocator_name = allocation.allocator_name


def _description(description, out) -> None:
    """dtype and shape of a tensor description into a message with those two fields."""
    from .. import dtypes

    if description.dtype is not None:
        out.dtype = dtypes.as_dtype(description.dtype).as_datatype_enum
    for size in description.shape:
        out.shape.dim.add(size=size)


class FileWriterCache:
    """One shared ``FileWriter`` per log directory (``tf.compat.v1.summary.FileWriterCache``).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> FileWriterCache.get(d) is FileWriterCache.get(d)
    True
    >>> FileWriterCache.clear()
    """

    _cache: dict = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir) -> FileWriter:
        """The writer of ``logdir``, made (with the default graph) on first use."""
        from ..graph import get_default_graph

        logdir = os.fspath(logdir)
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                writer = FileWriterCache._cache[logdir] = FileWriter(
                    logdir, graph=get_default_graph()
                )
            return writer

    @staticmethod
    def clear() -> None:
        """Close and forget every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
