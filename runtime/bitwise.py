"""``tf.bitwise``: bit operations on integer tensors.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     x = tf.bitwise.bitwise_xor(tf.constant([5, 3]), 1)
...     print(tf.compat.v1.Session().run(x))
[4 2]
"""

from .ops.bitwise_ops import (
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    invert,
    left_shift,
    right_shift,
)

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]
