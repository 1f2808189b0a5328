"""``tf.data`` (and ``tf.compat.v1.data``): input pipelines in the graph.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3, 4], [10.0, 20.0, 30.0, 40.0]))
...     ds = ds.map(lambda n, x: (n * 2, x), num_parallel_calls=tf.data.AUTOTUNE)
...     n, x = tf.compat.v1.data.make_one_shot_iterator(ds.batch(2).prefetch(1)).get_next()
...     with tf.compat.v1.Session() as sess:
...         print(sess.run([n, x]))
[array([2, 4], dtype=int32), array([10., 20.], dtype=float32)]
"""

from . import experimental
from .dataset_ops import (
    AUTOTUNE,
    Dataset,
    DatasetSpec,
    FixedLengthRecordDataset,
    TextLineDataset,
    TFRecordDataset,
)
from .iterator_ops import (
    Iterator,
    get_output_classes,
    get_output_shapes,
    get_output_types,
    make_initializable_iterator,
    make_one_shot_iterator,
)
from .options import Options, ThreadingOptions
from .transformations import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY

DatasetV1 = DatasetV2 = Dataset
