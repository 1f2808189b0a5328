"""``Dense``, ``Dropout`` and ``Flatten``, as classes and as TF1's functions."""

from __future__ import annotations

import math
import numbers

from ..ops import array_ops, control_flow_ops, math_ops, nn_ops
from ..ops.constant_value import constant_value
from ..ops.core import constant
from ..ops.init_ops import Zeros
from ..shapes import TensorShape
from .base import InputSpec, Layer
from .utils import get_activation, get_initializer, normalize_data_format

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]


class Dense(Layer):
    """A densely connected layer: ``activation(inputs @ kernel + bias)``.

    Inputs of rank above two are multiplied along their last axis (a ``tensordot``).
    Variables: ``kernel`` ``[input_dim, units]`` and ``bias`` ``[units]``.

    Parameters
    ----------
    units : int
    activation : callable or str, optional
    use_bias : bool
    kernel_initializer, bias_initializer : initializer, optional
        Defaults: Glorot uniform, zeros.
    kernel_regularizer, bias_regularizer, activity_regularizer : callable, optional
    kernel_constraint, bias_constraint : callable, optional
        Applied by the optimizers after each update.
    trainable, name : as ``Layer``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    ...     layer = Dense(3, activation=tf.nn.relu)
    ...     y = layer(x)
    >>> y.name, y.shape, [v.name for v in layer.trainable_variables]
    ('dense/Relu:0', TensorShape([Dimension(None), Dimension(3)]), ['dense/kernel:0', 'dense/bias:0'])
    """

    def __init__(
        self,
        units,
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
        units = int(units)
        if units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        self.units = units
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = get_initializer(kernel_initializer)
        self.bias_initializer = get_initializer(bias_initializer) or Zeros()
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        if not (self.dtype.is_floating or self.dtype.is_complex):
            raise TypeError(
                "A Dense layer can only be built with a floating-point dtype. "
                f"Received: dtype={self.dtype.name}"
            )
        input_shape = TensorShape(input_shape)
        last = input_shape.dim_value(-1) if input_shape.rank else None
        if last is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {input_shape}"
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.kernel = self.add_weight(
            "kernel",
            shape=[last, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs):
        if inputs.dtype.base_dtype != self.dtype:
            inputs = math_ops.cast(inputs, self.dtype)
        rank = inputs.shape.rank
        if rank is None or rank == 2:
            outputs = math_ops.matmul(inputs, self.kernel)
        else:
            outputs = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        if self.bias is not None:
            outputs = nn_ops.bias_add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape) -> TensorShape:
        input_shape = TensorShape(input_shape)
        return input_shape[:-1].concatenate([self.units])


def dense(
    inputs,
    units,
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
    """``tf.layers.dense``: a :class:`Dense` layer applied to ``inputs``.

    ``name`` is also the variable scope; ``reuse=True`` (or a reusing enclosing scope)
    shares the variables of an earlier layer of that name.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 4])
    ...     a = dense(x, 2, name="fc")
    ...     b = dense(x, 2, name="fc", reuse=True)  # the same variables
    ...     print(len(tf.compat.v1.trainable_variables()), a.name, b.name)
    2 fc/BiasAdd:0 fc_1/BiasAdd:0
    """
    layer = Dense(
        units,
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
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer.apply(inputs)


def smart_cond(pred, true_fn, false_fn):
    """``true_fn()`` or ``false_fn()`` now when ``pred`` is known when building (a bool,
    a constant), else a ``cond`` deciding when the graph runs."""
    known = pred if isinstance(pred, bool) else constant_value(pred)
    if known is not None:
        return true_fn() if bool(known) else false_fn()
    return control_flow_ops.cond_v1(pred, true_fn, false_fn)


class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to zero while training (and scales the rest
    by ``1 / (1 - rate)``); passes them through otherwise.

    ``training`` (a call argument) is a Python bool or a boolean tensor: a tensor
    decides at each run, through a ``cond``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.ones([1000])
    ...     dropped = Dropout(0.25)(x, training=True)
    ...     kept = tf.reduce_mean(tf.cast(dropped > 0, tf.float32))
    ...     same = Dropout(0.25)(x, training=False)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(0.7 < sess.run(kept) < 0.8, sess.run(dropped).max(), same.op.type)
    True 1.3333334 Identity
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        if isinstance(rate, numbers.Real) and not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for `rate`, expected a value between 0 and 1, got: {rate}"
            )
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs, training=False):
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return array_ops.identity(inputs)
        return smart_cond(
            training,
            lambda: nn_ops.dropout(
                inputs, rate=self.rate, noise_shape=self._noise_shape(inputs), seed=self.seed
            ),
            lambda: array_ops.identity(inputs),
        )

    def _noise_shape(self, inputs):
        """The noise shape with its ``None`` entries taken from the inputs' shape."""
        if self.noise_shape is None:
            return None
        if all(dim is not None for dim in self.noise_shape):
            return self.noise_shape
        dynamic = array_ops.shape(inputs)
        dims = [dynamic[i] if dim is None else dim for i, dim in enumerate(self.noise_shape)]
        return array_ops.stack(dims)

    def compute_output_shape(self, input_shape) -> TensorShape:
        return TensorShape(input_shape)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """``tf.layers.dropout``: a :class:`Dropout` layer applied to ``inputs``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     training = tf.compat.v1.placeholder_with_default(False, [])
    ...     y = dropout(tf.ones([4]), 0.5, training=training)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(y), set(sess.run(y, {training: True})) <= {0.0, 2.0})
    [1. 1. 1. 1.] True
    """
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(Layer):
    """Flattens every axis but the first (``[batch, ...] -> [batch, n]``).

    With ``data_format="channels_first"`` the channels are moved last first, so the
    order of the features is the same as for channels-last inputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3, 4])
    ...     y = Flatten()(x)
    >>> y.name, y.shape
    ('flatten/Reshape:0', TensorShape([Dimension(None), Dimension(24)]))
    """

    def __init__(self, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank and rank > 1:
            inputs = array_ops.transpose(inputs, perm=[0, *range(2, rank), 1])
        if rank == 1:
            return array_ops.expand_dims(inputs, axis=1)
        batch = inputs.shape.dim_value(0) if rank else None
        features = inputs.shape[1:] if rank else TensorShape(None)
        if features.is_fully_defined():
            shape = constant([-1, math.prod(features.as_list())])
        elif batch is not None:
            shape = constant([batch, -1])
        else:
            shape = [array_ops.shape(inputs)[0], -1]
        return array_ops.reshape(inputs, shape)

    def compute_output_shape(self, input_shape) -> TensorShape:
        input_shape = TensorShape(input_shape)
        features = input_shape[1:]
        size = features.num_elements() if features.is_fully_defined() else None
        return TensorShape([input_shape.dim_value(0), size])


def flatten(inputs, name=None, data_format="channels_last"):
    """``tf.layers.flatten``: a :class:`Flatten` layer applied to ``inputs``."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
