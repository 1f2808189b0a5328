"""``tf.IndexedSlices``: some rows of a tensor, the form ``tf.gather``'s gradient takes.

``IndexedSlices(values, indices, dense_shape)`` stands for the tensor of
``dense_shape`` that is zero except ``dense[indices[i]] += values[i]``. The gradient of
a gather along axis 0 is one: a large embedding matrix gets a gradient the size of the
rows looked up, and optimizers update just those rows. It is densified (by an
``UnsortedSegmentSum``) wherever TF densifies it: converted to a tensor, summed with a
tensor by ``add_n``, fed to an op that takes a tensor. ``Session.run`` fetches one as
an :class:`IndexedSlicesValue` and feeds one from an ``IndexedSlicesValue`` or a tuple.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np

from . import dtypes
from .fetching import register_session_run_conversion_functions
from .graph import Tensor
from .ops.constant_value import constant_value, constant_value_as_shape
from .ops.core import convert_to_tensor, register_tensor_conversion_function
from .shapes import TensorShape

__all__ = [
    "IndexedSlices",
    "IndexedSlicesValue",
    "convert_to_tensor_or_indexed_slices",
]

# TF warns when densifying to at least this many elements.
_LARGE_SPARSE_NUM_ELEMENTS = 100_000_000


class IndexedSlicesValue(
    collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])
):
    """The value of a fetched ``IndexedSlices`` (``dense_shape`` may be ``None``).

    Examples
    --------
    >>> IndexedSlicesValue(np.ones((1, 2)), np.array([3]), np.array([5, 2])).indices
    array([3])
    """


class IndexedSlices:
    """Rows ``values`` of a tensor of ``dense_shape`` at ``indices`` along axis 0.

    Parameters
    ----------
    values : Tensor
        ``[N, ...]``: the slices.
    indices : Tensor
        ``[N]`` int32 or int64: where each slice goes (repeats add up).
    dense_shape : Tensor, optional
        The shape of the dense tensor this stands for.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     params = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    ...     grad = tf.gradients(tf.gather(params, [2, 0, 2]), params)[0]
    ...     with tf.compat.v1.Session() as sess:
    ...         print(type(grad).__name__, sess.run(grad).indices, sess.run(tf.convert_to_tensor(grad)))
    IndexedSlices [2 0 2] [[1. 1.]
     [0. 0.]
     [2. 2.]]
    """

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    values = property(lambda self: self._values, doc="The slices, ``[N, ...]``.")
    indices = property(lambda self: self._indices, doc="Where each slice goes, ``[N]``.")
    dense_shape = property(lambda self: self._dense_shape, doc="The dense shape, or ``None``.")
    name = property(lambda self: self._values.name)
    device = property(lambda self: self._values.device)
    op = property(lambda self: self._values.op, doc="The op that produces ``values``.")
    dtype = property(lambda self: self._values.dtype)
    graph = property(lambda self: self._values.graph)

    @property
    def shape(self) -> TensorShape:
        """The static dense shape: what ``dense_shape`` says while building."""
        if self._dense_shape is None:
            return TensorShape(None)
        return constant_value_as_shape(self._dense_shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def consumers(self) -> list:
        return self._values.consumers()

    def __neg__(self):
        from .ops import math_ops

        return IndexedSlices(math_ops.negative(self._values), self._indices, self._dense_shape)

    def __repr__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"


def _densify(value: IndexedSlices, dtype=None, name=None, as_ref=False) -> Tensor:
    """``value`` as the dense tensor it stands for (TF's ``_indexed_slices_to_tensor``)."""
    from .ops import math_ops

    if dtype is not None and not dtype.is_compatible_with(value.dtype):
        raise ValueError(
            f"Tensor conversion requested dtype {dtype.name} for IndexedSlices with dtype "
            f"{value.dtype.name}"
        )
    if value.dense_shape is None:
        raise ValueError(
            f"Tensor conversion requested for IndexedSlices without dense_shape: {value}"
        )
    shape = constant_value(value.dense_shape)
    if shape is None:
        warnings.warn(
            f"Converting sparse IndexedSlices({value}) to a dense Tensor of unknown shape. "
            "This may consume a large amount of memory.",
            stacklevel=3,
        )
    elif np.prod(shape) >= _LARGE_SPARSE_NUM_ELEMENTS:
        warnings.warn(
            f"Converting sparse IndexedSlices to a dense Tensor with {int(np.prod(shape))} "
            "elements. This may consume a large amount of memory.",
            stacklevel=3,
        )
    return math_ops.unsorted_segment_sum(
        value.values, value.indices, value.dense_shape[0], name=name
    )


def densify_quietly(value):
    """``value`` as a tensor; an ``IndexedSlices`` without TF's memory warnings (gradients)."""
    if not isinstance(value, IndexedSlices):
        return value
    from .ops import math_ops

    return math_ops.unsorted_segment_sum(value.values, value.indices, value.dense_shape[0])


# Gradient functions that pass an ``IndexedSlices`` through (a loop invariant's ``Enter``
# accumulates it over the iterations as one); every other op's gradient function gets
# its output gradients as tensors.
PASSES_INDEXED_SLICES = frozenset({"Identity", "Enter", "RefEnter"})


def aggregate_gradients(grads: list):
    """The sum of gradients some of which are ``IndexedSlices`` (TF's
    ``AggregateIndexedSlicesGradients``): with a tensor among them, the dense sum
    (``add_n`` densifies); else one ``IndexedSlices`` of all their rows.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = IndexedSlices(tf.ones([1, 2]), tf.constant([0]), tf.constant([3, 2]))
    ...     b = IndexedSlices(tf.ones([2, 2]), tf.constant([2, 0]), tf.constant([3, 2]))
    ...     total = aggregate_gradients([a, b])
    ...     print(type(total).__name__, tf.compat.v1.Session().run(tf.convert_to_tensor(total)))
    IndexedSlices [[2. 2.]
     [0. 0.]
     [1. 1.]]
    """
    from .ops import array_ops, math_ops

    if any(isinstance(g, Tensor) for g in grads):
        return math_ops.add_n(grads)
    if len({g.indices.dtype.base_dtype for g in grads}) > 1:
        grads = [
            IndexedSlices(g.values, math_ops.cast(g.indices, dtypes.int64), g.dense_shape)
            for g in grads
        ]
    return IndexedSlices(
        array_ops.concat([g.values for g in grads], 0),
        array_ops.concat([g.indices for g in grads], 0),
        grads[0].dense_shape,
    )


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """``value`` itself if an ``IndexedSlices`` (of ``dtype``), else as a tensor.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(convert_to_tensor_or_indexed_slices([1, 2]).dtype)
    <dtype: 'int32'>
    """
    if isinstance(value, IndexedSlices):
        if dtype is not None and not value.dtype.is_compatible_with(dtype):
            raise ValueError(
                f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                f"{value.dtype.name}: {value}"
            )
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


register_tensor_conversion_function(IndexedSlices, _densify)


def _fetch(slices: IndexedSlices):
    if slices.dense_shape is None:
        return [slices.values, slices.indices], lambda got: IndexedSlicesValue(*got, None)
    parts = [slices.values, slices.indices, slices.dense_shape]
    return parts, lambda got: IndexedSlicesValue(*got)


def _feed(slices: IndexedSlices, value):
    parts = [slices.values, slices.indices, slices.dense_shape]
    value = tuple(value)
    if slices.dense_shape is None or len(value) == 2:
        return list(zip(parts[:2], value[:2]))
    return list(zip(parts, value))


register_session_run_conversion_functions(
    IndexedSlices,
    _fetch,
    _feed,
    lambda slices: [
        t for t in (slices.values, slices.indices, slices.dense_shape) if t is not None
    ],
)
