"""``tf.compat.v1.python_io``: TFRecord files from Python.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "data.tfrecord")
>>> with TFRecordWriter(path, TFRecordOptions(TFRecordCompressionType.ZLIB)) as writer:
...     writer.write(b"record")
>>> list(tf_record_iterator(path, TFRecordOptions(TFRecordCompressionType.ZLIB)))
[b'record']
"""

from .records import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]
