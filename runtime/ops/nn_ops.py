"""The rest of ``tf.nn``: bias addition, fully connected layers, dropout.

The op modules beside this one hold the rest by job: activations, convolutions,
pooling, normalization, losses, embeddings. :mod:`runtime.nn` gathers them into the
``tf.nn`` namespaces.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops, random_ops
from .activation_ops import relu
from .core import apply_op, convert_to_tensor, same_dtype
from .nn_util import apply_like
from .shape_util import merge_dim, with_rank, with_rank_at_least

__all__ = [
    "bias_add",
    "compute_average_loss",
    "dropout",
    "scale_regularization_loss",
    "zero_fraction",
]


# -- bias ---------------------------------------------------------------------------------


def _channel_axis(data_format: str) -> int:
    return 1 if data_format == "NCHW" else -1


def _bias_add_shape(value, bias, *, data_format, **_attrs):
    dtype = same_dtype("BiasAdd", value, bias)
    shape = with_rank_at_least(value.shape, 3 if data_format == "NCHW" else 2)
    (channels,) = with_rank(bias.shape, 1).as_tuple()
    if shape.rank is None:
        return [TensorSpec(dtype, shape)]
    dims = list(shape.as_tuple())
    axis = _channel_axis(data_format)
    dims[axis] = merge_dim(dims[axis], channels)
    return [TensorSpec(dtype, TensorShape(dims))]


def _bias_add_grad_shape(out_backprop, *, data_format, **_attrs):
    shape = with_rank_at_least(out_backprop.shape, 3 if data_format == "NCHW" else 2)
    channels = shape.dim_value(_channel_axis(data_format))
    return [TensorSpec(out_backprop.dtype, TensorShape([channels]))]


_BIAS_ATTRS = ("T: numbertype", "data_format: {'NHWC', 'NCHW'} = 'NHWC'")
BIAS_ADD = register_op(
    OpDef("BiasAdd", ("value: T", "bias: T"), ("output: T",), _BIAS_ATTRS, _bias_add_shape)
)
BIAS_ADD_GRAD = register_op(
    OpDef("BiasAddGrad", ("out_backprop: T",), ("output: T",), _BIAS_ATTRS, _bias_add_grad_shape)
)
# TF's first BiasAdd, channels last only; old GraphDefs still hold it.
BIAS_ADD_V1 = register_op(
    OpDef(
        "BiasAddV1",
        ("value: T", "bias: T"),
        ("output: T",),
        ("T: numbertype",),
        lambda value, bias, **_: _bias_add_shape(value, bias, data_format="NHWC"),
    )
)


def _bias_format(data_format) -> str:
    if data_format is None:
        return "NHWC"
    if data_format.startswith("NC"):
        return "NCHW"
    if data_format.startswith("N") and data_format.endswith("C"):
        return "NHWC"
    raise ValueError(f"data_format must be of the form `N...C` or `NC...`, got {data_format!r}")


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Add the 1-D ``bias`` along the channel dimension of ``value``.

    Parameters
    ----------
    value : Tensor
        At least 2-D (3-D for ``NC...`` formats).
    bias : Tensor
        1-D, as long as ``value``'s channel dimension.
    data_format : str, optional
        ``"N...C"`` (channels last, the default) or ``"NC..."`` (channels second).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.bias_add([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]], [1.0, 2.0, 3.0])
    ...     tf.compat.v1.Session().run(y)
    array([[ 1.,  2.,  3.],
           [11., 12., 13.]], dtype=float32)
    """
    data_format = _bias_format(data_format)
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        graph = graph_of([value, bias])
        value = convert_to_tensor(value, name="input", graph=graph)
        bias = convert_to_tensor(bias, dtype_hint=value.dtype.base_dtype, name="bias", graph=graph)
        return apply_op(BIAS_ADD, [value, bias], scope, data_format=data_format).outputs[0]


@register_gradient("BiasAdd")
def _bias_add_gradient(op, grad):
    return [grad, apply_like(BIAS_ADD_GRAD, [grad], op)]


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.xw_plus_b``: ``matmul(x, weights) + biases``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.xw_plus_b([[1.0, 2.0]], [[1.0], [1.0]], [0.5])
    ...     tf.compat.v1.Session().run(y)
    array([[3.5]], dtype=float32)
    """
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        graph = graph_of([x, weights, biases])
        x = convert_to_tensor(x, name="x", graph=graph)
        weights = convert_to_tensor(weights, name="weights", graph=graph)
        biases = convert_to_tensor(biases, name="biases", graph=graph)
        return bias_add(math_ops.matmul(x, weights), biases, name=scope)


@register_gradient("BiasAddGrad")
def _bias_add_grad_gradient(op, grad):
    # BiasAddGrad sums over all but the channel axis, so its gradient spreads ``grad``
    # back along those axes: a BiasAdd of ``grad`` onto zeros.
    zeros = array_ops.zeros_like(op.inputs[0])
    return [apply_like(BIAS_ADD, [zeros, grad], op)]


@register_gradient("BiasAddV1")
def _bias_add_v1_gradient(op, grad):
    rank = array_ops.rank(grad)
    axes = math_ops.range(0, math_ops.subtract(rank, 1))
    return [grad, math_ops.reduce_sum(grad, axes)]


def relu_layer(x, weights, biases, name=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.relu_layer``: ``relu(matmul(x, weights) + biases)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.relu_layer([[1.0, -2.0]], [[1.0], [1.0]], [0.5])
    ...     tf.compat.v1.Session().run(y)
    array([[0.]], dtype=float32)
    """
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        return relu(xw_plus_b(x, weights, biases), name=scope)


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of ``value``'s elements that are zero, a float32 scalar.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.zero_fraction([0.0, 1.0, 0.0, 2.0]))
    np.float32(0.5)
    """
    with name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = array_ops.zeros([], value.dtype.base_dtype)
        nonzero = math_ops.cast(math_ops.not_equal(value, zero), dtypes.float32)
        return math_ops.subtract(1.0, math_ops.reduce_mean(nonzero), name="fraction")


# -- dropout ------------------------------------------------------------------------------


def _noise_shape(x: Tensor, noise_shape):
    """TF's ``_get_noise_shape``: ``x``'s shape, or ``noise_shape`` completed from it."""
    if noise_shape is None:
        return array_ops.shape(x)
    if isinstance(noise_shape, Tensor) or x.shape.rank is None:
        return noise_shape
    dims = list(noise_shape)
    if len(dims) != x.shape.rank:
        return noise_shape
    dims = [x_dim if dim is None else dim for dim, x_dim in zip(dims, x.shape.as_tuple())]
    if None not in dims:
        return dims
    # Unlike TF, dims unknown in both take x's size at run time instead of failing.
    dynamic = array_ops.shape(x)
    return array_ops.stack([dynamic[i] if dim is None else dim for i, dim in enumerate(dims)])


def _check_rate(rate, x: Tensor):
    """``rate`` as given (a number) or as a scalar tensor of ``x``'s dtype."""
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        if not 0 <= rate < 1:
            raise ValueError(
                f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: "
                f"rate={rate}"
            )
        return rate
    rate = convert_to_tensor(rate, dtype_hint=x.dtype.base_dtype, name="rate", graph=x.graph)
    if rate.shape.rank not in (None, 0):
        raise ValueError(f"`rate` must be a scalar, got shape {rate.shape}")
    return math_ops.cast(rate, x.dtype.base_dtype)


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zero each element of ``x`` with probability ``rate``; scale the rest by ``1 / (1 - rate)``.

    Parameters
    ----------
    x : Tensor of floats
    rate : float or scalar tensor in [0, 1)
        The probability that an element is dropped.
    noise_shape : list of int, optional
        The shape of the keep/drop mask, broadcast against ``x`` (``None`` entries take
        ``x``'s dimension): ``[batch, 1, 1, channels]`` drops whole feature maps.
    seed : int, optional
        With the graph seed, makes the mask sequence repeatable (see ``tf.random``).

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.dropout(tf.constant(np.ones(10000)), rate=0.25, seed=1)
    ...     kept = tf.compat.v1.Session().run(y)
    >>> sorted(set(kept.round(6).tolist())), bool(abs((kept == 0).mean() - 0.25) < 0.02)
    ([0.0, 1.333333], True)
    """
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if not x.dtype.is_floating:
            raise ValueError(
                "`x.dtype` must be a floating point tensor as `x` will be scaled. Received: "
                f"x_dtype={x.dtype.name}"
            )
        rate = _check_rate(rate, x)
        if isinstance(rate, (int, float)):
            if rate == 0:
                return x
            kept = math_ops.multiply(x, convert_to_tensor(1 / (1 - rate), x.dtype.base_dtype))
        else:
            kept = math_ops.realdiv(x, math_ops.subtract(1.0, rate))
        noise = random_ops.random_uniform(
            _noise_shape(x, noise_shape), dtype=x.dtype.base_dtype, seed=seed
        )
        keep_mask = math_ops.greater_equal(noise, rate)
        zero = convert_to_tensor(0, x.dtype.base_dtype, graph=x.graph)
        # TF leaves the SelectV2 unnamed: frozen graphs reach it as ``dropout/SelectV2``.
        out = math_ops.where(keep_mask, kept, zero)
        out.set_shape(x.shape)
        return out


def dropout_v1(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.dropout``: keeps each element with probability ``keep_prob``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.dropout([1.0, 1.0], keep_prob=0.5, seed=1)
    >>> y.shape
    TensorShape([Dimension(2)])
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'")
    if keep_prob is not None:
        if isinstance(keep_prob, (int, float)) and not 0 < keep_prob <= 1:
            raise ValueError(f"`keep_prob` must be a float in the range (0, 1], got {keep_prob}")
        rate = 1 - keep_prob
    if rate is None:
        raise ValueError("Either 'keep_prob' or 'rate' must be given")
    return dropout(x, rate, noise_shape, seed, name)


# -- losses averaged for distribution strategies (one replica here) --------------------------


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None) -> Tensor:
    """The sum of (weighted) per-example losses over the global batch size.

    Without ``global_batch_size`` the batch is ``per_example_loss``'s first dimension
    (this runtime is one replica).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.compute_average_loss([1.0, 2.0, 3.0], sample_weight=[1.0, 1.0, 0.0])
    ...     tf.compat.v1.Session().run(loss)
    np.float32(1.0)
    """
    losses = convert_to_tensor(per_example_loss, name="per_example_loss")
    dtype = losses.dtype.base_dtype
    if losses.shape.rank == 0:
        raise ValueError(
            "Invalid value passed for `per_example_loss`. Expected a tensor with at least "
            f"rank 1. Received: {losses}."
        )
    if sample_weight is not None:
        weights = convert_to_tensor(sample_weight, dtype_hint=dtype, name="sample_weight")
        losses = math_ops.multiply(losses, math_ops.cast(weights, dtype))
    if global_batch_size is None:
        global_batch_size = array_ops.shape(losses)[0]
    elif isinstance(global_batch_size, int) and global_batch_size <= 0:
        raise ValueError(f"global_batch_size must be positive, got {global_batch_size}")
    batch = math_ops.cast(global_batch_size, dtype)
    return math_ops.realdiv(math_ops.reduce_sum(losses), batch)


def scale_regularization_loss(regularization_loss) -> Tensor:
    """The summed regularization loss divided by the number of replicas (here one).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.scale_regularization_loss([0.5, 0.25]))
    np.float32(0.75)
    """
    return math_ops.reduce_sum(convert_to_tensor(regularization_loss, name="regularization_loss"))


# TF1's signatures, and the names only TF1's tf.nn has.
V1_OVERRIDES = {"dropout": dropout_v1, "relu_layer": relu_layer, "xw_plus_b": xw_plus_b}
