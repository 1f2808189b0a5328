"""Convolution layers: ``Conv1D/2D/3D``, ``Conv2DTranspose``/``Conv3DTranspose`` and
``SeparableConv1D/2D``, as classes and as TF1's functions.

Each is one op of ``tf.nn`` (named after the class: ``conv2d/Conv2D``), the bias
(``conv2d/BiasAdd``) and the activation. ``data_format`` is ``channels_last``
(``NHWC``, the default) or ``channels_first`` (``NCHW``).
"""

from __future__ import annotations

from ..ops import array_ops, conv_ops, nn_ops
from ..ops.init_ops import Zeros
from ..shapes import TensorShape
from .base import InputSpec, Layer
from .utils import (
    conv_output_length,
    deconv_output_length,
    get_activation,
    get_initializer,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    tf_data_format,
)

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "SeparableConv1D",
    "SeparableConv2D",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "separable_conv1d",
    "separable_conv2d",
]


class _Conv(Layer):
    """What every convolution layer shares: arguments, the bias, the activation."""

    rank: int  # spatial dimensions

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer=None,
        bias_initializer=None,
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        **kwargs,
    ):
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        if self.padding == "causal" and self.rank != 1:
            raise ValueError("Causal padding is only supported for `Conv1D` and `SeparableConv1D`.")
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = get_initializer(kernel_initializer)
        self.bias_initializer = get_initializer(bias_initializer) or Zeros()
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    @property
    def _op_format(self) -> str:
        return tf_data_format(self.data_format, self.rank + 2)

    def _input_channels(self, input_shape) -> int:
        input_shape = TensorShape(input_shape)
        channels = input_shape.dim_value(self._channel_axis) if input_shape.rank else None
        if channels is None:
            axis = self._channel_axis % (input_shape.rank or self.rank + 2)
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape "
                f"received is {input_shape}, where axis {axis} (0-based) is the channel "
                "dimension, which found to be `None`."
            )
        return channels

    def _add_bias(self) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.filters],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _finish(self, outputs):
        """Bias and activation."""
        if self.bias is not None:
            outputs = nn_ops.bias_add(outputs, self.bias, data_format=self._op_format)
        return self.activation(outputs) if self.activation is not None else outputs

    def _output_shape(self, input_shape, spatial_length) -> TensorShape:
        """The output shape from the input's, mapping each spatial length with
        ``spatial_length(length, axis)``."""
        dims = TensorShape(input_shape).as_list()
        first = 2 if self.data_format == "channels_first" else 1
        spatial = [spatial_length(dims[first + i], i) for i in range(self.rank)]
        if self.data_format == "channels_first":
            return TensorShape([dims[0], self.filters, *spatial])
        return TensorShape([dims[0], *spatial, self.filters])


class _PlainConv(_Conv):
    """A convolution whose kernel is ``kernel_size + [input_channels, filters]``."""

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            "kernel",
            shape=[*self.kernel_size, channels, self.filters],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs):
        input_shape = inputs.shape
        if self.padding == "causal":
            inputs = array_ops.pad(inputs, self._causal_padding())
        padding = "VALID" if self.padding == "causal" else self.padding.upper()
        outputs = self._convolve(inputs, padding)
        if input_shape.rank:
            outputs.set_shape(self.compute_output_shape(input_shape))
        return self._finish(outputs)

    def _causal_padding(self) -> list:
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        if self.data_format == "channels_last":
            return [[0, 0], [left, 0], [0, 0]]
        return [[0, 0], [0, 0], [left, 0]]

    def compute_output_shape(self, input_shape) -> TensorShape:
        return self._output_shape(
            input_shape,
            lambda length, i: conv_output_length(
                length, self.kernel_size[i], self.padding, self.strides[i], self.dilation_rate[i]
            ),
        )


class Conv1D(_PlainConv):
    """1-D convolution (temporal): inputs ``[batch, length, channels]``.

    ``padding="causal"`` pads on the left only, so an output never sees later inputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 10, 3])
    ...     y = Conv1D(4, 3, padding="causal")(x)
    >>> y.shape
    TensorShape([Dimension(None), Dimension(10), Dimension(4)])
    """

    rank = 1

    def _convolve(self, inputs, padding):
        return conv_ops.conv1d(
            inputs,
            self.kernel,
            stride=list(self.strides),
            padding=padding,
            data_format=self._op_format,
            dilations=list(self.dilation_rate),
            name="Conv1D",
        )


class Conv2D(_PlainConv):
    """2-D convolution: inputs ``[batch, height, width, channels]`` (or channels first).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3])
    ...     layer = Conv2D(4, 3, strides=2, padding="same", activation=tf.nn.relu)
    ...     y = layer(x)
    >>> y.name, y.shape, layer.kernel.shape
    ('conv2d/Relu:0', TensorShape([Dimension(None), Dimension(4), Dimension(4), Dimension(4)]), TensorShape([Dimension(3), Dimension(3), Dimension(3), Dimension(4)]))
    """

    rank = 2

    def _convolve(self, inputs, padding):
        return conv_ops.conv2d(
            inputs,
            self.kernel,
            strides=list(self.strides),
            padding=padding,
            data_format=self._op_format,
            dilations=list(self.dilation_rate),
            name="Conv2D",
        )


class Conv3D(_PlainConv):
    """3-D convolution: inputs ``[batch, depth, height, width, channels]``."""

    rank = 3

    def _convolve(self, inputs, padding):
        return conv_ops.conv3d(
            inputs,
            self.kernel,
            strides=[1, *self.strides, 1]
            if self.data_format == "channels_last"
            else [1, 1, *self.strides],
            padding=padding,
            data_format=self._op_format,
            dilations=[1, *self.dilation_rate, 1]
            if self.data_format == "channels_last"
            else [1, 1, *self.dilation_rate],
            name="Conv3D",
        )


class _ConvTranspose(_Conv):
    """The gradient of a convolution with respect to its input, used as an upsampling
    layer; the kernel is ``kernel_size + [filters, input_channels]``."""

    def __init__(
        self, filters, kernel_size, strides=1, padding="valid", output_padding=None, **kwargs
    ):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = normalize_tuple(
                output_padding, self.rank, "output_padding", allow_zero=True
            )
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride:
                    raise ValueError(
                        "Strides must be greater than output padding. Received strides="
                        f"{self.strides}, output_padding={self.output_padding}."
                    )

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            "kernel",
            shape=[*self.kernel_size, self.filters, channels],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _out_length(self, length, i):
        pad = None if self.output_padding is None else self.output_padding[i]
        return deconv_output_length(
            length,
            self.kernel_size[i],
            self.padding,
            output_padding=pad,
            stride=self.strides[i],
            dilation=self.dilation_rate[i],
        )

    def call(self, inputs):
        dynamic = array_ops.shape(inputs)
        static = inputs.shape.as_list() if inputs.shape.rank else [None] * (self.rank + 2)
        first = 2 if self.data_format == "channels_first" else 1
        spatial = []
        for i in range(self.rank):
            length = static[first + i]
            length = dynamic[first + i] if length is None else length
            spatial.append(self._out_length(length, i))
        if self.data_format == "channels_first":
            shape = [dynamic[0], self.filters, *spatial]
        else:
            shape = [dynamic[0], *spatial, self.filters]
        outputs = self._transpose(inputs, array_ops.stack(shape))
        if inputs.shape.rank:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        return self._finish(outputs)

    def compute_output_shape(self, input_shape) -> TensorShape:
        return self._output_shape(input_shape, self._out_length)

    def _full_strides(self) -> list:
        if self.data_format == "channels_last":
            return [1, *self.strides, 1]
        return [1, 1, *self.strides]


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution ("deconvolution"): ``strides=2`` doubles height and width.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 8])
    ...     layer = Conv2DTranspose(3, 3, strides=2, padding="same")
    >>> layer.compute_output_shape([None, 4, 4, 8])
    TensorShape([Dimension(None), Dimension(8), Dimension(8), Dimension(3)])
    """

    rank = 2

    def _transpose(self, inputs, output_shape):
        return conv_ops.conv2d_transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=self._full_strides(),
            padding=self.padding.upper(),
            data_format=self._op_format,
            dilations=list(self.dilation_rate),
        )


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution."""

    rank = 3

    def _transpose(self, inputs, output_shape):
        return conv_ops.conv3d_transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=self._full_strides(),
            padding=self.padding.upper(),
            data_format=self._op_format,
        )


class _SeparableConv(_Conv):
    """A depthwise convolution (each input channel on its own, ``depth_multiplier`` times)
    followed by a 1x1 pointwise convolution mixing the channels."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer=None,
        pointwise_initializer=None,
        bias_initializer=None,
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        **kwargs,
    ):
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            trainable=trainable,
            name=name,
            **kwargs,
        )
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = get_initializer(depthwise_initializer)
        self.pointwise_initializer = get_initializer(pointwise_initializer)
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel",
            shape=[*self.kernel_size, channels, self.depth_multiplier],
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel",
            shape=[*([1] * self.rank), self.depth_multiplier * channels, self.filters],
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def compute_output_shape(self, input_shape) -> TensorShape:
        return self._output_shape(
            input_shape,
            lambda length, i: conv_output_length(
                length, self.kernel_size[i], self.padding, self.strides[i], self.dilation_rate[i]
            ),
        )


class SeparableConv2D(_SeparableConv):
    """Depthwise-separable 2-D convolution (``tf.nn.separable_conv2d``).

    Examples
    --------
    >>> import runtime as tf
    >>> layer = SeparableConv2D(8, 3, depth_multiplier=2)
    >>> layer.compute_output_shape([None, 10, 10, 3])
    TensorShape([Dimension(None), Dimension(8), Dimension(8), Dimension(8)])
    """

    rank = 2

    def call(self, inputs):
        outputs = conv_ops.separable_conv2d(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=[1, *self.strides, 1]
            if self.data_format == "channels_last"
            else [1, 1, *self.strides],
            padding=self.padding.upper(),
            dilations=list(self.dilation_rate),
            data_format=self._op_format,
        )
        return self._finish(outputs)


class SeparableConv1D(_SeparableConv):
    """Depthwise-separable 1-D convolution, computed as a 2-D one of height one."""

    rank = 1

    def call(self, inputs):
        channels_last = self.data_format == "channels_last"
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [[0, 0], [left, 0], [0, 0]] if channels_last else [[0, 0], [0, 0], [left, 0]]
            inputs = array_ops.pad(inputs, pads)
        spatial = 1 if channels_last else 2
        stride = self.strides[0]
        outputs = conv_ops.separable_conv2d(
            array_ops.expand_dims(inputs, spatial),
            array_ops.expand_dims(self.depthwise_kernel, 0),
            array_ops.expand_dims(self.pointwise_kernel, 0),
            strides=[1, stride, stride, 1] if channels_last else [1, 1, stride, stride],
            padding="VALID" if self.padding == "causal" else self.padding.upper(),
            dilations=[1, self.dilation_rate[0]],
            data_format="NHWC" if channels_last else "NCHW",
        )
        if self.bias is not None:
            outputs = nn_ops.bias_add(
                outputs, self.bias, data_format="NHWC" if channels_last else "NCHW"
            )
        outputs = array_ops.squeeze(outputs, [spatial])
        return self.activation(outputs) if self.activation is not None else outputs


def _apply(layer_class, inputs, name, reuse, **kwargs):
    """TF1's functional form: a layer named (and scoped) ``name``, applied to ``inputs``."""
    return layer_class(name=name, _scope=name, _reuse=reuse, **kwargs).apply(inputs)


def _conv_function(layer_class, doc: str):
    def function(
        inputs,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer=None,
        bias_initializer=None,
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        reuse=None,
    ):
        return _apply(
            layer_class,
            inputs,
            name,
            reuse,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            trainable=trainable,
        )

    function.__doc__ = doc
    return function


conv1d = _conv_function(Conv1D, "``tf.layers.conv1d``: a :class:`Conv1D` applied to ``inputs``.")
conv2d = _conv_function(
    Conv2D,
    """``tf.layers.conv2d``: a :class:`Conv2D` applied to ``inputs``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    ...     y = conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
    >>> y.name, y.shape
    ('conv2d/Relu:0', TensorShape([Dimension(None), Dimension(28), Dimension(28), Dimension(32)]))
    """,
)
conv3d = _conv_function(Conv3D, "``tf.layers.conv3d``: a :class:`Conv3D` applied to ``inputs``.")
conv1d.__name__ = conv1d.__qualname__ = "conv1d"
conv2d.__name__ = conv2d.__qualname__ = "conv2d"
conv3d.__name__ = conv3d.__qualname__ = "conv3d"


def conv2d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1),
    padding="valid",
    data_format="channels_last",
    activation=None,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=None,
    kernel_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    kernel_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """``tf.layers.conv2d_transpose``: a :class:`Conv2DTranspose` applied to ``inputs``."""
    return _apply(
        Conv2DTranspose,
        inputs,
        name,
        reuse,
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
    )


def conv3d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=(1, 1, 1),
    padding="valid",
    data_format="channels_last",
    activation=None,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=None,
    kernel_regularizer=None,
    bias_regularizer=None,
    activity_regularizer=None,
    kernel_constraint=None,
    bias_constraint=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """``tf.layers.conv3d_transpose``: a :class:`Conv3DTranspose` applied to ``inputs``."""
    return _apply(
        Conv3DTranspose,
        inputs,
        name,
        reuse,
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
    )


def _separable_function(layer_class, name: str):
    def function(
        inputs,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer=None,
        pointwise_initializer=None,
        bias_initializer=None,
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        trainable=True,
        name=None,
        reuse=None,
    ):
        return _apply(
            layer_class,
            inputs,
            name,
            reuse,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            trainable=trainable,
        )

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"``tf.layers.{name}``: a :class:`{layer_class.__name__}` applied to ``inputs``."
    )
    return function


separable_conv1d = _separable_function(SeparableConv1D, "separable_conv1d")
separable_conv2d = _separable_function(SeparableConv2D, "separable_conv2d")
