"""``tf.summary`` / ``tf.compat.v1.summary``: TF1's summaries for TensorBoard.

Summary ops (``scalar``, ``histogram``, ``image``, ``audio``, ``text``,
``tensor_summary``, ``merge``, ``merge_all``; :mod:`runtime.ops.summary_ops`) return
serialized ``Summary`` messages; a :class:`FileWriter` (:mod:`.writer`) writes them to
event files TensorBoard reads, and :mod:`.reader` reads them back. The messages are
protobufs with TensorFlow's field numbers (``runtime/proto/summary.proto``,
``event.proto``).

Examples
--------
>>> import tempfile, runtime as tf
>>> logdir = tempfile.mkdtemp()
>>> with tf.Graph().as_default() as graph:
...     x = tf.compat.v1.placeholder(tf.float32)
...     _ = tf.compat.v1.summary.scalar("loss", x * x)
...     merged = tf.compat.v1.summary.merge_all()
...     with tf.compat.v1.summary.FileWriter(logdir) as writer, tf.compat.v1.Session() as sess:
...         for step in range(3):
...             writer.add_summary(sess.run(merged, {x: step}), step)
>>> [(e.step, e.summary.value[0].simple_value) for e in summary_iterator(writer.path)
...  if e.HasField("summary")]
[(0, 0.0), (1, 1.0), (2, 4.0)]
"""

from ..ops.summary_ops import (
    audio,
    histogram,
    image,
    merge,
    merge_all,
    scalar,
    tensor_summary,
    text,
)
from ..proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from ..proto.summary_pb2 import (
    HistogramProto,
    Summary,
    SummaryDescription,
    SummaryMetadata,
)
from ..records import encode_record, masked_crc32c
from . import kernels  # registers the summary ops' kernels
from .reader import LogdirWatcher, get_summary_description, read_events, summary_iterator
from .writer import FileWriter, FileWriterCache

__all__ = [
    "Event",
    "FileWriter",
    "FileWriterCache",
    "HistogramProto",
    "LogdirWatcher",
    "SessionLog",
    "Summary",
    "SummaryDescription",
    "SummaryMetadata",
    "TaggedRunMetadata",
    "audio",
    "get_summary_description",
    "histogram",
    "image",
    "merge",
    "merge_all",
    "read_events",
    "scalar",
    "summary_iterator",
    "tensor_summary",
    "text",
]
