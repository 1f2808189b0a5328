"""``tf.io``: graph files, whole files, TFRecords, ``Example`` parsing and ``gfile``."""

from . import gfile
from .graph_io import load_graph, read_graph_def, write_graph
from .ops.io_ops import matching_files, read_file, write_file
from .ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    decode_csv,
    decode_raw,
    parse_example,
    parse_single_example,
)
from .ops.string_ops import decode_base64, encode_base64
from .records import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "VarLenFeature",
    "decode_base64",
    "decode_csv",
    "decode_raw",
    "encode_base64",
    "gfile",
    "load_graph",
    "matching_files",
    "parse_example",
    "parse_single_example",
    "read_file",
    "read_graph_def",
    "tf_record_iterator",
    "write_file",
    "write_graph",
]
