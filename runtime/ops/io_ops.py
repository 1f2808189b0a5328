"""File I/O ops: ``read_file``, ``write_file``, ``matching_files`` and the TF1 readers.

A reader is a handle op (``TextLineReaderV2`` ...) plus methods building the ops that
use it: ``read(queue)`` (``ReaderReadV2``) takes the next record, dequeuing file names
from ``queue`` as it needs them; ``read_up_to(queue, n)``, ``num_records_produced()``,
``num_work_units_completed()`` and ``reset()``. Reads are blocking ops: a reader
waiting for a file name does not hold up the rest of the step. The kernels and the
key formats are in :mod:`runtime.readers`.
"""

from __future__ import annotations

from .. import dtypes
from .. import readers as _kernels  # noqa: F401 - registers the kernels
from ..graph import get_default_graph
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor, op_outputs

__all__ = [
    "FixedLengthRecordReader",
    "IdentityReader",
    "ReaderBase",
    "TFRecordReader",
    "TextLineReader",
    "WholeFileReader",
    "matching_files",
    "read_file",
    "write_file",
]


def _register(name, inputs, outputs, shape_fn, attrs=(), stateful=True, cost=Cost.CHEAP) -> OpDef:
    op_def = register_op(
        OpDef(name, inputs, outputs, attrs, shape_fn=shape_fn, is_stateful=stateful, cost=cost)
    )
    not_differentiable(name)
    return op_def


def _spec(dtype, *dims):
    return TensorSpec(dtype, TensorShape(list(dims)))


READ_FILE = _register(
    "ReadFile",
    ("filename: string",),
    ("contents: string",),
    lambda f: [_spec(dtypes.string)],
    stateful=False,
)
WRITE_FILE = _register("WriteFile", ("filename: string", "contents: string"), (), lambda f, c: [])
# Not stateful, as TF declares it: a one-shot iterator may capture a dataset of the files
# (``Dataset.list_files``).
MATCHING_FILES = _register(
    "MatchingFiles",
    ("pattern: string",),
    ("filenames: string",),
    lambda p: [_spec(dtypes.string, None)],
    stateful=False,
)


def read_file(filename, name=None):
    """The contents of file ``filename`` as a string scalar (``NotFoundError`` if missing).

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "hello.txt")
    >>> with tf.Graph().as_default():
    ...     write = write_file(path, "hello")
    ...     contents = read_file(path)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(write)
    ...         print(sess.run(contents))
    b'hello'
    """
    return apply_op(READ_FILE, [_string(filename, "filename")], name or "ReadFile").outputs[0]


def write_file(filename, contents, name=None):
    """An op writing string scalar ``contents`` to ``filename`` (missing directories made)."""
    return apply_op(
        WRITE_FILE,
        [_string(filename, "filename"), _string(contents, "contents")],
        name or "WriteFile",
    )


def matching_files(pattern, name=None):
    """The sorted file names matching glob ``pattern`` (a string or a vector of them)."""
    return apply_op(MATCHING_FILES, [_string(pattern, "pattern")], name or "MatchingFiles").outputs[
        0
    ]


def _string(value, name):
    return convert_to_tensor(value, dtype=dtypes.string, name=name)


# -- readers ------------------------------------------------------------------------------


def _handle(**_attrs):
    return [_spec(dtypes.resource)]


_SHARING = ("container: string = ''", "shared_name: string = ''")


def _reader_op(name: str, *attrs: str) -> OpDef:
    return _register(name, (), ("reader_handle: resource",), _handle, attrs or _SHARING)


TEXT_LINE_READER = _reader_op("TextLineReaderV2", "skip_header_lines: int = 0", *_SHARING)
TF_RECORD_READER = _reader_op("TFRecordReaderV2", *_SHARING, "compression_type: string = ''")
FIXED_LENGTH_READER = _reader_op(
    "FixedLengthRecordReaderV2",
    "header_bytes: int = 0",
    "record_bytes: int",
    "footer_bytes: int = 0",
    "hop_bytes: int = 0",
    *_SHARING,
    "encoding: string = ''",
)
WHOLE_FILE_READER = _reader_op("WholeFileReaderV2")
IDENTITY_READER = _reader_op("IdentityReaderV2")

_READER_QUEUE = ("reader_handle: resource", "queue_handle: resource")
READ = _register(
    "ReaderReadV2",
    _READER_QUEUE,
    ("key: string", "value: string"),
    lambda r, q: [_spec(dtypes.string), _spec(dtypes.string)],
    cost=Cost.BLOCKING,
)
READ_UP_TO = _register(
    "ReaderReadUpToV2",
    (*_READER_QUEUE, "num_records: int64"),
    ("keys: string", "values: string"),
    lambda r, q, n: [_spec(dtypes.string, None), _spec(dtypes.string, None)],
    cost=Cost.BLOCKING,
)
NUM_RECORDS = _register(
    "ReaderNumRecordsProducedV2",
    ("reader_handle: resource",),
    ("records_produced: int64",),
    lambda r: [_spec(dtypes.int64)],
)
NUM_WORK_UNITS = _register(
    "ReaderNumWorkUnitsCompletedV2",
    ("reader_handle: resource",),
    ("units_completed: int64",),
    lambda r: [_spec(dtypes.int64)],
)
RESET = _register("ReaderResetV2", ("reader_handle: resource",), (), lambda r: [])


class ReaderBase:
    """The operations every reader supports (``tf.compat.v1.ReaderBase``).

    Parameters
    ----------
    reader_ref : Tensor
        The reader's handle.
    supports_serialize : bool
        Whether the reader's state can be saved (no reader here can).
    """

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    reader_ref = property(lambda self: self._reader_ref, doc="The reader's handle tensor.")
    supports_serialize = property(lambda self: self._supports_serialize)

    def _queue_ref(self, queue):
        return queue.queue_ref if hasattr(queue, "queue_ref") else queue

    def read(self, queue, name=None):
        """TF's namedtuple ``ReaderReadV2(key, value)``: the next record, dequeuing a work
        unit from ``queue`` when needed."""
        op = apply_op(READ, [self._reader_ref, self._queue_ref(queue)], name or "ReaderReadV2")
        return op_outputs(op)

    def read_up_to(self, queue, num_records, name=None):
        """TF's namedtuple ``ReaderReadUpToV2(keys, values)``: up to ``num_records`` records
        (at most the rest of one file)."""
        graph = self._reader_ref.graph
        with graph.name_scope(name or "ReaderReadUpToV2") as scope:
            count = convert_to_tensor(num_records, dtype=dtypes.int64, name="num_records")
        op = apply_op(READ_UP_TO, [self._reader_ref, self._queue_ref(queue), count], scope)
        return op_outputs(op)

    def num_records_produced(self, name=None):
        """How many records this reader has produced (int64 scalar)."""
        return apply_op(
            NUM_RECORDS, [self._reader_ref], name or "ReaderNumRecordsProducedV2"
        ).outputs[0]

    def num_work_units_completed(self, name=None):
        """How many work units (files) this reader has finished (int64 scalar)."""
        return apply_op(
            NUM_WORK_UNITS, [self._reader_ref], name or "ReaderNumWorkUnitsCompletedV2"
        ).outputs[0]

    def reset(self, name=None):
        """An op restoring the reader to its initial clean state."""
        return apply_op(RESET, [self._reader_ref], name or "ReaderResetV2")


def _make_reader(op_def: OpDef, name, **attrs):
    graph = get_default_graph()
    return apply_op(
        op_def, [], name or op_def.name, graph=graph, container=graph._container, **attrs
    ).outputs[0]


class TextLineReader(ReaderBase):
    """Reads the lines of files; keys are ``b"file:line"`` (line numbers from 1).

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "lines.txt")
    >>> _ = open(path, "w").write("header\\nfirst\\nsecond\\n")
    >>> with tf.Graph().as_default():
    ...     files = tf.queue.FIFOQueue(1, tf.string, shapes=[[]])
    ...     fill = files.enqueue(path)
    ...     key, line = TextLineReader(skip_header_lines=1).read(files)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(fill)
    ...         print(sess.run(line), sess.run(key).decode().endswith("lines.txt:3"))
    b'first' True
    """

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(
            _make_reader(TEXT_LINE_READER, name, skip_header_lines=int(skip_header_lines or 0))
        )


class TFRecordReader(ReaderBase):
    """Reads the records of TFRecord files; keys are ``b"file:offset"``."""

    def __init__(self, name=None, options=None):
        from ..records import TFRecordOptions

        compression = TFRecordOptions.get_compression_type_string(options)
        super().__init__(_make_reader(TF_RECORD_READER, name, compression_type=compression))


class FixedLengthRecordReader(ReaderBase):
    """Reads records of ``record_bytes`` bytes between a header and a footer."""

    def __init__(
        self,
        record_bytes,
        header_bytes=None,
        footer_bytes=None,
        hop_bytes=None,
        name=None,
        encoding=None,
    ):
        super().__init__(
            _make_reader(
                FIXED_LENGTH_READER,
                name,
                record_bytes=int(record_bytes),
                header_bytes=int(header_bytes or 0),
                footer_bytes=int(footer_bytes or 0),
                hop_bytes=int(hop_bytes or 0),
                encoding=encoding or "",
            )
        )


class WholeFileReader(ReaderBase):
    """Reads each file whole: the key is its name, the value its contents."""

    def __init__(self, name=None):
        super().__init__(_make_reader(WHOLE_FILE_READER, name))


class IdentityReader(ReaderBase):
    """Outputs each work unit as both key and value."""

    def __init__(self, name=None):
        super().__init__(_make_reader(IDENTITY_READER, name))
