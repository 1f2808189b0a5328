"""Pooling layers: max and average pooling over 1, 2 or 3 spatial dimensions, as classes
and as TF1's functions (``tf.layers.max_pooling2d(inputs, pool_size, strides)``).

1-D pooling is 2-D pooling of height one (``ExpandDims``, ``MaxPool``, ``Squeeze``), and
3-D pooling runs channels-last, as in TF.
"""

from __future__ import annotations

from ..ops import array_ops, pooling_ops
from ..shapes import TensorShape
from .base import InputSpec, Layer
from .utils import conv_output_length, normalize_data_format, normalize_padding, normalize_tuple

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
]


class _Pooling(Layer):
    rank: int
    mode: str  # "max" or "avg"

    def __init__(
        self, pool_size, strides, padding="valid", data_format="channels_last", name=None, **kwargs
    ):
        super().__init__(name=name, **kwargs)
        strides = pool_size if strides is None else strides
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides, self.rank, "strides", allow_zero=True)
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape) -> TensorShape:
        dims = TensorShape(input_shape).as_list()
        first = 2 if self.data_format == "channels_first" else 1
        spatial = [
            conv_output_length(dims[first + i], self.pool_size[i], self.padding, self.strides[i])
            for i in range(self.rank)
        ]
        if self.data_format == "channels_first":
            return TensorShape([dims[0], dims[1], *spatial])
        return TensorShape([dims[0], *spatial, dims[-1]])

    def _pool2d(self, inputs, pool_size, strides, data_format):
        window = [1, *pool_size, 1] if data_format == "NHWC" else [1, 1, *pool_size]
        step = [1, *strides, 1] if data_format == "NHWC" else [1, 1, *strides]
        pool, name = (
            (pooling_ops.max_pool, "MaxPool")
            if self.mode == "max"
            else (pooling_ops.avg_pool, "AvgPool")
        )
        return pool(inputs, window, step, self.padding.upper(), data_format=data_format, name=name)


class _Pooling1D(_Pooling):
    rank = 1

    def call(self, inputs):
        channels_last = self.data_format == "channels_last"
        axis = 2 if channels_last else 3
        outputs = self._pool2d(
            array_ops.expand_dims(inputs, axis),
            (*self.pool_size, 1),
            (*self.strides, 1),
            "NHWC" if channels_last else "NCHW",
        )
        return array_ops.squeeze(outputs, [axis])


class _Pooling2D(_Pooling):
    rank = 2

    def call(self, inputs):
        data_format = "NHWC" if self.data_format == "channels_last" else "NCHW"
        return self._pool2d(inputs, self.pool_size, self.strides, data_format)


class _Pooling3D(_Pooling):
    rank = 3

    def call(self, inputs):
        channels_first = self.data_format == "channels_first"
        if channels_first:
            inputs = array_ops.transpose(inputs, [0, 2, 3, 4, 1])
        pool = pooling_ops.max_pool3d if self.mode == "max" else pooling_ops.avg_pool3d
        outputs = pool(inputs, [1, *self.pool_size, 1], [1, *self.strides, 1], self.padding.upper())
        if channels_first:
            outputs = array_ops.transpose(outputs, [0, 4, 1, 2, 3])
        return outputs


class MaxPooling1D(_Pooling1D):
    """Max pooling over time: inputs ``[batch, length, channels]``."""

    mode = "max"


class AveragePooling1D(_Pooling1D):
    """Average pooling over time."""

    mode = "avg"


class MaxPooling2D(_Pooling2D):
    """2-D max pooling.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4])
    ...     y = MaxPooling2D(2, 2)(x)
    >>> y.name, y.shape
    ('max_pooling2d/MaxPool:0', TensorShape([Dimension(None), Dimension(4), Dimension(4), Dimension(4)]))
    """

    mode = "max"


class AveragePooling2D(_Pooling2D):
    """2-D average pooling."""

    mode = "avg"


class MaxPooling3D(_Pooling3D):
    """3-D max pooling: inputs ``[batch, depth, height, width, channels]``."""

    mode = "max"


class AveragePooling3D(_Pooling3D):
    """3-D average pooling."""

    mode = "avg"


def _pooling_function(layer_class, name: str):
    def function(
        inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None
    ):
        layer = layer_class(
            pool_size=pool_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            name=name,
        )
        return layer.apply(inputs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"``tf.layers.{name}``: a :class:`{layer_class.__name__}` applied to ``inputs``."
    )
    return function


max_pooling1d = _pooling_function(MaxPooling1D, "max_pooling1d")
max_pooling2d = _pooling_function(MaxPooling2D, "max_pooling2d")
max_pooling3d = _pooling_function(MaxPooling3D, "max_pooling3d")
average_pooling1d = _pooling_function(AveragePooling1D, "average_pooling1d")
average_pooling2d = _pooling_function(AveragePooling2D, "average_pooling2d")
average_pooling3d = _pooling_function(AveragePooling3D, "average_pooling3d")
