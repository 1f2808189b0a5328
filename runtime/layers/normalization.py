"""``BatchNormalization`` and TF1's ``tf.layers.batch_normalization``.

While training, the layer normalizes with the batch's mean and variance and adds two
update ops to ``GraphKeys.UPDATE_OPS`` (``AssignMovingAvg``, ``AssignMovingAvg_1``)
that move ``moving_mean`` and ``moving_variance`` towards them; at inference it uses the
moving averages. TF1 programs run the updates with the train op::

    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)

4-D (and 5-D) inputs normalized over their channel axis use the fused kernel
(``FusedBatchNormV3``), others ``tf.nn.moments`` and ``tf.nn.batch_normalization``, as
TF does; so does the variance the moving average follows (the fused kernel's is
Bessel-corrected, the moments' is not).
"""

from __future__ import annotations

from ..ops import array_ops, normalization_ops
from ..ops.constant_value import constant_value
from ..ops.core import constant, convert_to_tensor
from ..ops.init_ops import Ones, Zeros
from ..shapes import TensorShape
from ..training.moving_averages import assign_moving_average
from .base import InputSpec, Layer
from .core import smart_cond
from .utils import get_initializer

__all__ = ["BatchNormalization", "batch_normalization"]

# The data formats of the fused kernel, by (rank, channel axis).
_FUSED_FORMATS = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW", (5, 4): "NDHWC"}


class BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015), TF1's layer.

    Parameters
    ----------
    axis : int or list of int
        The feature axis (``-1``; ``1`` for channels-first images).
    momentum : float
        Of the moving averages.
    epsilon : float
        Added to the variance.
    center, scale : bool
        Learn an offset ``beta`` and a scale ``gamma``.
    beta_initializer, gamma_initializer, moving_mean_initializer,
    moving_variance_initializer : initializers
    beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint : optional
    renorm, virtual_batch_size, adjustment :
        Batch renormalization, ghost batches and adjustments are not supported;
        anything but their defaults is refused.
    fused : bool, optional
        ``None``: fused whenever the input allows it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     y = BatchNormalization()(x, training=True)
    >>> [op.name for op in g.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)]
    ['batch_normalization/AssignMovingAvg', 'batch_normalization/AssignMovingAvg_1']
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer=None,
        gamma_initializer=None,
        moving_mean_initializer=None,
        moving_variance_initializer=None,
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        fused=None,
        trainable=True,
        virtual_batch_size=None,
        adjustment=None,
        name=None,
        **kwargs,
    ):
        super().__init__(trainable=trainable, name=name, **kwargs)
        refused = {
            "renorm": renorm,
            "renorm_clipping": renorm_clipping,
            "virtual_batch_size": virtual_batch_size,
            "adjustment": adjustment,
        }
        for argument, value in refused.items():
            if value:
                raise NotImplementedError(
                    f"BatchNormalization({argument}=...) is not supported by this runtime: "
                    "batch renormalization, virtual batches and adjustments are left out."
                )
        self.axis = list(axis) if isinstance(axis, list | tuple) else axis
        self.momentum, self.epsilon = momentum, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = get_initializer(beta_initializer) or Zeros()
        self.gamma_initializer = get_initializer(gamma_initializer) or Ones()
        self.moving_mean_initializer = get_initializer(moving_mean_initializer) or Zeros()
        self.moving_variance_initializer = get_initializer(moving_variance_initializer) or Ones()
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.fused = fused

    def build(self, input_shape) -> None:
        input_shape = TensorShape(input_shape)
        rank = input_shape.rank
        if rank is None:
            raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = sorted({a % rank if -rank <= a < rank else a for a in axes})
        for axis in axes:
            if not 0 <= axis < rank:
                raise ValueError(f"Invalid axis: {self.axis}")
        self.axis = axes
        fused_format = _FUSED_FORMATS.get((rank, axes[0])) if len(axes) == 1 else None
        if self.fused and fused_format is None:
            raise ValueError(
                "The use of `fused=True` is only possible with `axis=1` or `axis=3` for 4D "
                f"input tensors (or 1 and 4 for 5D). Received: axis={tuple(self.axis)}, "
                f"input shape {tuple(input_shape.as_list())}"
            )
        self.fused = fused_format is not None and self.fused is not False
        self._data_format = fused_format
        sizes = {axis: input_shape.dim_value(axis) for axis in axes}
        if any(size is None for size in sizes.values()):
            raise ValueError(
                "Input has undefined `axis` dimension. Received input with shape "
                f"{tuple(input_shape.as_list())}. Axis value: {self.axis}"
            )
        self.input_spec = InputSpec(ndim=rank, axes=sizes)
        # One axis: a vector; several: the input's shape with ones elsewhere.
        single = len(axes) == 1
        param_shape = [sizes[axes[0]]] if single else [sizes.get(i, 1) for i in range(rank)]
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            "moving_mean", param_shape, initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance",
            param_shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self._param_shape = param_shape
        self.built = True

    def call(self, inputs, training=False):
        known = training if isinstance(training, bool) else constant_value(training)
        if self.fused:
            return self._fused(inputs, training, known)
        return self._plain(inputs, training, known)

    def _fused(self, inputs, training, known):
        gamma = self.gamma if self.gamma is not None else constant(1.0, shape=self._param_shape)
        beta = self.beta if self.beta is not None else constant(0.0, shape=self._param_shape)

        def normalize(is_training):
            return lambda: normalization_ops.fused_batch_norm(
                inputs,
                gamma,
                beta,
                mean=self.moving_mean,
                variance=self.moving_variance,
                epsilon=self.epsilon,
                data_format=self._data_format,
                is_training=is_training,
            )

        output, mean, variance = smart_cond(training, normalize(True), normalize(False))
        if known is None or bool(known):
            if known is None:
                momentum = smart_cond(training, lambda: self.momentum, lambda: 1.0)
            else:
                momentum = convert_to_tensor(self.momentum)
            self._add_moving_average_updates(mean, variance, momentum)
        return output

    def _plain(self, inputs, training, known):
        rank = inputs.shape.rank
        reduction = [i for i in range(rank) if i not in self.axis]
        if known is not None and not bool(known):
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_variance = normalization_ops.moments(
                inputs, reduction, keepdims=len(self.axis) > 1
            )
            mean = smart_cond(training, lambda: batch_mean, lambda: self.moving_mean.value())
            variance = smart_cond(
                training, lambda: batch_variance, lambda: self.moving_variance.value()
            )
            self.add_update(
                smart_cond(
                    training,
                    lambda: assign_moving_average(
                        self.moving_mean, mean, self.momentum, zero_debias=False
                    ),
                    lambda: self.moving_mean.value(),
                )
            )
            self.add_update(
                smart_cond(
                    training,
                    lambda: assign_moving_average(
                        self.moving_variance, variance, self.momentum, zero_debias=False
                    ),
                    lambda: self.moving_variance.value(),
                )
            )
        outputs = normalization_ops.batch_normalization(
            inputs,
            self._broadcast(mean, rank, reduction),
            self._broadcast(variance, rank, reduction),
            self._broadcast(self.beta, rank, reduction),
            self._broadcast(self.gamma, rank, reduction),
            self.epsilon,
        )
        outputs.set_shape(inputs.shape)
        return outputs

    def _add_moving_average_updates(self, mean, variance, momentum) -> None:
        self.add_update(assign_moving_average(self.moving_mean, mean, momentum, zero_debias=False))
        self.add_update(
            assign_moving_average(self.moving_variance, variance, momentum, zero_debias=False)
        )

    def _broadcast(self, value, rank: int, reduction: list):
        """A per-feature vector reshaped to broadcast against the inputs, when its axis is
        not the last one."""
        if value is None or len(self.axis) > 1 or reduction == list(range(rank - 1)):
            return value
        shape = [1] * rank
        shape[self.axis[0]] = self._param_shape[0]
        return array_ops.reshape(value, shape)

    def compute_output_shape(self, input_shape) -> TensorShape:
        return TensorShape(input_shape)


def batch_normalization(
    inputs,
    axis=-1,
    momentum=0.99,
    epsilon=1e-3,
    center=True,
    scale=True,
    beta_initializer=None,
    gamma_initializer=None,
    moving_mean_initializer=None,
    moving_variance_initializer=None,
    beta_regularizer=None,
    gamma_regularizer=None,
    beta_constraint=None,
    gamma_constraint=None,
    training=False,
    trainable=True,
    name=None,
    reuse=None,
    renorm=False,
    renorm_clipping=None,
    renorm_momentum=0.99,
    fused=None,
    virtual_batch_size=None,
    adjustment=None,
):
    """``tf.layers.batch_normalization``: a :class:`BatchNormalization` applied to ``inputs``.

    ``training`` is a Python bool or a boolean tensor (decided at each run). Run the
    ``UPDATE_OPS`` with the train op to keep the moving averages.

    Examples
    --------
    >>> import numpy as np, runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2])
    ...     y = batch_normalization(x, training=True, momentum=0.5)
    ...     updates = g.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         out, _ = sess.run([y, updates], {x: [[0.0, 1.0], [2.0, 3.0]]})
    ...         mean = sess.run(g.get_tensor_by_name("batch_normalization/moving_mean:0"))
    >>> np.round(out, 3).tolist(), mean.tolist()
    ([[-1.0, -1.0], [1.0, 1.0]], [0.5, 1.0])
    """
    layer = BatchNormalization(
        axis=axis,
        momentum=momentum,
        epsilon=epsilon,
        center=center,
        scale=scale,
        beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint,
        renorm=renorm,
        renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum,
        fused=fused,
        trainable=trainable,
        virtual_batch_size=virtual_batch_size,
        adjustment=adjustment,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer.apply(inputs, training=training)
