"""``tf.io``: graph files, whole files, TFRecords, ``Example`` parsing and ``gfile``."""

from importlib import import_module as _import_module

from .graph_io import load_graph, read_graph_def, write_graph
from .ops.compression_ops import decode_compressed
from .ops.data_flow_ops import PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue
from .ops.image_ops import (
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    extract_jpeg_shape,
    is_jpeg,
)
from .ops.io_ops import matching_files, read_file, write_file
from .ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    SparseFeature,
    VarLenFeature,
    decode_csv,
    decode_json_example,
    decode_proto,
    decode_raw,
    encode_proto,
    parse_example,
    parse_sequence_example,
    parse_single_example,
    parse_single_sequence_example,
    parse_tensor,
    serialize_tensor,
)
from .ops.sparse_serialization_ops import (
    deserialize_many_sparse,
    serialize_many_sparse,
    serialize_sparse,
)
from .ops.string_ops import decode_base64, encode_base64
from .records import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator
from .training.input import match_filenames_once

# The module itself: the package's ``gfile`` attribute is TF1's (runtime.gfile_v1) once
# ``import runtime`` has finished, so ``from . import gfile`` would depend on import order.
gfile = _import_module(".gfile", __package__)

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "PaddingFIFOQueue",
    "PriorityQueue",
    "QueueBase",
    "RandomShuffleQueue",
    "SparseFeature",
    "decode_json_example",
    "decode_proto",
    "encode_proto",
    "match_filenames_once",
    "parse_sequence_example",
    "parse_single_sequence_example",
    "parse_tensor",
    "serialize_tensor",
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "VarLenFeature",
    "decode_base64",
    "decode_csv",
    "decode_and_crop_jpeg",
    "decode_bmp",
    "decode_compressed",
    "decode_gif",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "decode_raw",
    "decode_webp",
    "deserialize_many_sparse",
    "encode_base64",
    "encode_jpeg",
    "encode_png",
    "extract_jpeg_shape",
    "gfile",
    "is_jpeg",
    "load_graph",
    "matching_files",
    "parse_example",
    "parse_single_example",
    "read_file",
    "read_graph_def",
    "serialize_many_sparse",
    "serialize_sparse",
    "tf_record_iterator",
    "write_file",
    "write_graph",
]
