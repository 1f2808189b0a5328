"""``tf.queue``: the TF1 input queues (also ``tf.compat.v1.FIFOQueue`` ...).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     q = tf.queue.FIFOQueue(2, [tf.int32, tf.string], names=["n", "s"], shapes=[[], []])
...     put = q.enqueue({"n": 7, "s": "seven"})
...     got = q.dequeue()
...     with tf.compat.v1.Session() as sess:
...         sess.run(put)
...         print(sess.run(got))
{'n': np.int32(7), 's': b'seven'}
"""

from .ops.data_flow_ops import (
    FIFOQueue,
    PaddingFIFOQueue,
    PriorityQueue,
    QueueBase,
    RandomShuffleQueue,
)

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]
