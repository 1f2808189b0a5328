"""TF1's helpers between tensors, numpy values and ``TensorProto``s: ``tf.is_tensor``,
``tf.make_tensor_proto`` and ``tf.make_ndarray``.

Examples
--------
>>> import runtime as tf
>>> proto = tf.make_tensor_proto([1, 2], shape=[4])
>>> tf.make_ndarray(proto).tolist()
[1, 2, 2, 2]
"""

from __future__ import annotations

import numpy as np

from .graph import Tensor
from .indexed_slices import IndexedSlices
from .ops.core import to_numpy
from .ops.variables import Variable
from .protobuf import tensor_from_proto, tensor_to_proto
from .shapes import as_shape
from .sparse_tensor import SparseTensor

__all__ = ["is_tensor", "make_ndarray", "make_tensor_proto"]


def is_tensor(x) -> bool:
    """Whether ``x`` is a graph tensor: a ``Tensor``, ``SparseTensor``, ``IndexedSlices``
    or ``Variable`` (not a numpy array or Python value).

    Examples
    --------
    >>> import numpy as np, runtime as tf
    >>> with tf.Graph().as_default():
    ...     is_tensor(tf.constant(1)), is_tensor(np.ones(2))
    (True, False)
    """
    return isinstance(x, Tensor | SparseTensor | IndexedSlices | Variable)


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False, allow_broadcast=False):
    """A ``TensorProto`` of ``values`` (converted to ``dtype`` as ``tf.constant`` does).

    With ``shape``, fewer values are filled out with the last one (TF's rule) and a
    scalar fills the shape; ``verify_shape`` asks for exactly that shape instead and
    ``allow_broadcast`` for numpy broadcasting.

    Raises
    ------
    TypeError
        Values ``dtype`` cannot hold, or a shape ``verify_shape`` refuses.
    ValueError
        More values than ``shape`` holds.
    """
    array = np.asarray(to_numpy(values, dtype))
    if shape is not None:
        array = _to_shape(array, tuple(as_shape(shape).as_list()), verify_shape, allow_broadcast)
    return tensor_to_proto(array)


def _to_shape(array: np.ndarray, shape: tuple, verify: bool, broadcast: bool) -> np.ndarray:
    if verify and array.shape != shape:
        raise TypeError(f"Expected Tensor's shape: {shape}, but got {array.shape}.")
    if broadcast:
        return np.broadcast_to(array, shape)
    count = int(np.prod(shape, dtype=np.int64))
    if array.size > count:
        raise ValueError(
            f"Too many elements provided. Takes at most {count}, but got {array.size}."
        )
    flat = array.reshape(-1)
    if 0 < flat.size < count:
        flat = np.concatenate([flat, np.repeat(flat[-1:], count - flat.size)])
    return flat.reshape(shape)


def make_ndarray(tensor) -> np.ndarray:
    """The numpy value of a ``TensorProto``.

    Examples
    --------
    >>> make_ndarray(make_tensor_proto([[1.5, 2.5]])).shape
    (1, 2)
    """
    return tensor_from_proto(tensor)
