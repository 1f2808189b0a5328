"""Pooling ops: max and average pools in 1-D, 2-D and 3-D, argmax pools, dilated pools.

The op types are TF's (``MaxPool``, ``AvgPool3D``, ``MaxPoolWithArgmax`` ... and their
gradient ops); 1-D pools are 2-D pools over an added axis, as in TF. A max pool's
gradient goes to the first maximum of each window (TF's tie rule); an average pool
divides by the real (unpadded) cells of each window. The kernels are in
:mod:`runtime.kernels.nn.pooling`.
"""

from __future__ import annotations

import functools
import itertools

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_value import known_shape
from .core import (
    apply_op,
    convert_to_tensor,
    deprecated_argument_lookup,
    op_outputs,
    same_dtype,
)
from .nn_util import (
    apply_like,
    channel_of,
    is_channels_first,
    padding_attrs,
    shape_in_format,
    spatial_of,
    spatial_output,
    window_list,
)
from .shape_util import merge_dim, merge_shapes, with_rank

__all__ = [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "dilation2d",
    "erosion2d",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool_with_argmax",
    "pool",
]

# -- op definitions -----------------------------------------------------------------------

_2D = ("ksize: list(int) >= 4", "strides: list(int) >= 4")
_3D = ("ksize: list(int) >= 5", "strides: list(int) >= 5")
_FORMAT_2D = "data_format: {'NHWC', 'NCHW'} = 'NHWC'"
_FORMAT_3D = "data_format: {'NDHWC', 'NCDHW'} = 'NDHWC'"
_PADDING = "padding: {'SAME', 'VALID'}"
_EXPLICIT = ("padding: {'SAME', 'VALID', 'EXPLICIT'}", "explicit_paddings: list(int) = []")
_FLOATS = "{half, bfloat16, float, double}"
_MAX_POOL_T = (
    "T: {half, bfloat16, float, double, int32, int64, uint8, int16, int8, uint16, qint8} = DT_FLOAT"
)
_ARGMAX = (
    *_2D,
    "Targmax: {int32, int64} = DT_INT64",
    _PADDING,
    "include_batch_in_index: bool = false",
    "T: realnumbertype",
)
# The argmax's gradients take Targmax from their argmax input: TF gives it no default.
_ARGMAX_GRAD = tuple(
    "Targmax: {int32, int64}" if attr.startswith("Targmax") else attr for attr in _ARGMAX
)


def _check_pool_attrs(op_type: str, ksize, strides) -> None:
    for attr, values in (("ksize", ksize), ("stride", strides)):
        if len(values) != len(ksize):
            raise ValueError(
                f"{op_type} requires the {attr} attribute to contain {len(ksize)} values, but "
                f"got: {len(values)}"
            )


def _pool_shape(op_type: str):
    def shape_fn(input: TensorSpec, **attrs) -> list[TensorSpec]:
        ksize, data_format = attrs["ksize"], attrs["data_format"]
        _check_pool_attrs(op_type, ksize, attrs["strides"])
        x = with_rank(input.shape, len(ksize)).as_list()
        spatial = spatial_output(TensorShape(x), spatial_of(ksize, data_format), attrs, data_format)
        channels, window = channel_of(x, data_format), channel_of(ksize, data_format)
        if channels is not None and window > 1:  # a max pool across depth
            channels //= window
        return [TensorSpec(input.dtype, shape_in_format(x[0], spatial, channels, data_format))]

    return shape_fn


def _max_pool_grad_shape(orig_input, orig_output, grad, **attrs) -> list[TensorSpec]:
    same_dtype("MaxPoolGrad", orig_output, orig_input)
    _check_pool_attrs("MaxPoolGrad", attrs["ksize"], attrs["strides"])
    return [TensorSpec(grad.dtype, with_rank(orig_input.shape, len(attrs["ksize"])))]


def _max_pool_grad_grad_shape(orig_input, orig_output, grad, **attrs) -> list[TensorSpec]:
    dtype = same_dtype("MaxPoolGradGrad", orig_input, orig_output, grad)
    (pooled,) = _pool_shape("MaxPoolGradGrad")(orig_input, **attrs)
    merge_shapes(orig_input.shape, grad.shape)
    return [TensorSpec(dtype, merge_shapes(pooled.shape, orig_output.shape))]


def _avg_pool_grad_shape(orig_input_shape, grad, **attrs) -> list[TensorSpec]:
    rank = len(attrs["ksize"])
    _check_pool_attrs("AvgPoolGrad", attrs["ksize"], attrs["strides"])
    with_rank(grad.shape, rank)
    with_rank(orig_input_shape.shape, 1)
    return [TensorSpec(grad.dtype, with_rank(known_shape(orig_input_shape), rank))]


def _max_pool_v2_shape(input, ksize, strides, **attrs) -> list[TensorSpec]:
    # The window is a tensor: its value is known only when it is a constant.
    return [TensorSpec(input.dtype, with_rank(input.shape, 4))]


def _argmax_shape(input: TensorSpec, **attrs) -> list[TensorSpec]:
    (pooled,) = _pool_shape("MaxPoolWithArgmax")(input, data_format="NHWC", **attrs)
    return [pooled, TensorSpec(attrs["Targmax"], pooled.shape)]


def _argmax_grad_shape(input, grad, argmax, **attrs) -> list[TensorSpec]:
    dtype = same_dtype("MaxPoolGradWithArgmax", input, grad)
    return [TensorSpec(dtype, with_rank(input.shape, 4))]


def _argmax_grad_grad_shape(input, grad, argmax, **attrs) -> list[TensorSpec]:
    dtype = same_dtype("MaxPoolGradGradWithArgmax", input, grad)
    return [TensorSpec(dtype, with_rank(argmax.shape, 4))]


def _pool_op(name: str, inputs: tuple, attrs: tuple, shape_fn, outputs=("output: T",)) -> OpDef:
    """A pooling op: numpy-heavy, so the executor runs it on the inter-op pool."""
    return register_op(OpDef(name, inputs, outputs, attrs, shape_fn, cost=Cost.EXPENSIVE))


_MAX_GRAD_INPUTS = ("orig_input: T", "orig_output: T", "grad: T")
MAX_POOL = _pool_op(
    "MaxPool", ("input: T",), (_MAX_POOL_T, *_2D, *_EXPLICIT, _FORMAT_2D), _pool_shape("MaxPool")
)
AVG_POOL = _pool_op(
    "AvgPool", ("value: T",), (*_2D, _PADDING, _FORMAT_2D, f"T: {_FLOATS}"), _pool_shape("AvgPool")
)
MAX_POOL_GRAD = _pool_op(
    "MaxPoolGrad",
    _MAX_GRAD_INPUTS,
    (*_2D, *_EXPLICIT, _FORMAT_2D, "T: realnumbertype = DT_FLOAT"),
    _max_pool_grad_shape,
)
MAX_POOL_GRAD_GRAD = _pool_op(
    "MaxPoolGradGrad",
    _MAX_GRAD_INPUTS,
    (*_2D, _PADDING, _FORMAT_2D, "T: realnumbertype"),
    _max_pool_grad_grad_shape,
)
AVG_POOL_GRAD = _pool_op(
    "AvgPoolGrad",
    ("orig_input_shape: int32", "grad: T"),
    (*_2D, _PADDING, _FORMAT_2D, f"T: {_FLOATS}"),
    _avg_pool_grad_shape,
)
MAX_POOL_V2 = _pool_op(
    "MaxPoolV2",
    ("input: T", "ksize: int32", "strides: int32"),
    (_MAX_POOL_T, _PADDING, _FORMAT_2D),
    _max_pool_v2_shape,
)
MAX_POOL_GRAD_V2 = _pool_op(
    "MaxPoolGradV2",
    (*_MAX_GRAD_INPUTS, "ksize: int32", "strides: int32"),
    (_PADDING, _FORMAT_2D, "T: realnumbertype = DT_FLOAT"),
    lambda orig_input, orig_output, grad, ksize, strides, **attrs: [
        TensorSpec(grad.dtype, with_rank(orig_input.shape, 4))
    ],
)
MAX_POOL_3D = _pool_op(
    "MaxPool3D",
    ("input: T",),
    (*_3D, _PADDING, _FORMAT_3D, "T: {half, bfloat16, float}"),
    _pool_shape("MaxPool3D"),
)
AVG_POOL_3D = _pool_op(
    "AvgPool3D",
    ("input: T",),
    (*_3D, _PADDING, _FORMAT_3D, f"T: {_FLOATS}"),
    _pool_shape("AvgPool3D"),
)
MAX_POOL_3D_GRAD = _pool_op(
    "MaxPool3DGrad",
    ("orig_input: TInput", "orig_output: TInput", "grad: T"),
    (
        *_3D,
        _PADDING,
        _FORMAT_3D,
        "T: {half, bfloat16, float} = DT_FLOAT",
        "TInput: {half, bfloat16, float} = DT_FLOAT",
    ),
    _max_pool_grad_shape,
)
MAX_POOL_3D_GRAD_GRAD = _pool_op(
    "MaxPool3DGradGrad",
    _MAX_GRAD_INPUTS,
    (*_3D, _PADDING, _FORMAT_3D, "T: realnumbertype"),
    _max_pool_grad_grad_shape,
)
AVG_POOL_3D_GRAD = _pool_op(
    "AvgPool3DGrad",
    ("orig_input_shape: int32", "grad: T"),
    (*_3D, _PADDING, _FORMAT_3D, f"T: {_FLOATS}"),
    _avg_pool_grad_shape,
)
MAX_POOL_WITH_ARGMAX = _pool_op(
    "MaxPoolWithArgmax", ("input: T",), _ARGMAX, _argmax_shape, ("output: T", "argmax: Targmax")
)
MAX_POOL_GRAD_WITH_ARGMAX = _pool_op(
    "MaxPoolGradWithArgmax",
    ("input: T", "grad: T", "argmax: Targmax"),
    _ARGMAX_GRAD,
    _argmax_grad_shape,
)
MAX_POOL_GRAD_GRAD_WITH_ARGMAX = _pool_op(
    "MaxPoolGradGradWithArgmax",
    ("input: T", "grad: T", "argmax: Targmax"),
    _ARGMAX_GRAD,
    _argmax_grad_grad_shape,
)


# -- gradients ------------------------------------------------------------------------------


def _register_max_pool_gradients(forward: OpDef, backward: OpDef, backward_grad: OpDef) -> None:
    """A max pool's gradient, and its gradient ops' (each is linear in its ``grad``, and
    the other one is its gradient)."""

    @register_gradient(forward.name)
    def _forward_gradient(op, grad):
        return [apply_like(backward, [op.inputs[0], op.outputs[0], grad], op)]

    for op_def, its_gradient in ((backward, backward_grad), (backward_grad, backward)):

        @register_gradient(op_def.name)
        def _gradient(op, grad, its_gradient=its_gradient):
            return [None, None, apply_like(its_gradient, [op.inputs[0], op.inputs[1], grad], op)]


def _register_avg_pool_gradients(forward: OpDef, backward: OpDef) -> None:
    @register_gradient(forward.name)
    def _forward_gradient(op, grad):
        return [apply_like(backward, [array_ops.shape(op.inputs[0]), grad], op)]

    @register_gradient(backward.name)
    def _backward_gradient(op, grad):
        return [None, apply_like(forward, [grad], op)]


_register_max_pool_gradients(MAX_POOL, MAX_POOL_GRAD, MAX_POOL_GRAD_GRAD)
_register_max_pool_gradients(MAX_POOL_3D, MAX_POOL_3D_GRAD, MAX_POOL_3D_GRAD_GRAD)
_register_avg_pool_gradients(AVG_POOL, AVG_POOL_GRAD)
_register_avg_pool_gradients(AVG_POOL_3D, AVG_POOL_3D_GRAD)


@register_gradient("MaxPoolV2")
def _max_pool_v2_gradient(op, grad):
    input, ksize, strides = op.inputs
    inputs = [input, op.outputs[0], grad, ksize, strides]
    return [apply_like(MAX_POOL_GRAD_V2, inputs, op), None, None]


@register_gradient("MaxPoolWithArgmax")
def _max_pool_with_argmax_gradient(op, grad, _argmax_grad):
    return [apply_like(MAX_POOL_GRAD_WITH_ARGMAX, [op.inputs[0], grad, op.outputs[1]], op)]


@register_gradient("MaxPoolGradWithArgmax")
def _max_pool_grad_with_argmax_gradient(op, grad):
    input, _, argmax = op.inputs
    return [None, apply_like(MAX_POOL_GRAD_GRAD_WITH_ARGMAX, [input, grad, argmax], op), None]


# -- builders -----------------------------------------------------------------------------


def _pool(op_def: OpDef, input, ksize, strides, padding, data_format, name, default_name):
    spatial = len(data_format) - 2
    attrs = {
        "ksize": window_list(ksize, spatial, "ksize", data_format),
        "strides": window_list(strides, spatial, "strides", data_format),
        **padding_attrs(padding, data_format, spatial),
        "data_format": data_format,
    }
    if "explicit_paddings" not in op_def.attr_defaults and attrs.pop("explicit_paddings"):
        raise ValueError(f"{op_def.name} takes 'SAME' or 'VALID' padding, not explicit pairs.")
    with name_scope(name, default_name, [input]) as scope:
        input = convert_to_tensor(input, name="input", graph=graph_of([input]))
        return apply_op(op_def, [input], scope, **attrs).outputs[0]


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """The maximum of each ``ksize`` window of a 4-D ``input`` (op ``MaxPool``).

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, channels]`` (``NHWC``) or channels first (``NCHW``).
    ksize, strides : int or list of 1, 2 or 4 ints
        Window size and step; 1 in the batch and channel dimensions.
    padding : "SAME", "VALID" or a list of 4 [before, after] pairs
        SAME windows may overhang the input; the overhang never wins the max.

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(np.arange(16.0).reshape([1, 4, 4, 1]))
    ...     y = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID")
    ...     tf.compat.v1.Session().run(y)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return _pool(MAX_POOL, input, ksize, strides, padding, data_format or "NHWC", name, "MaxPool2d")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """The mean of each ``ksize`` window of a 4-D ``input`` (op ``AvgPool``).

    With SAME padding, a window that overhangs the input averages only the elements
    inside it, as TF does.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[[[1.0], [2.0], [3.0]]]])
    ...     y = tf.nn.avg_pool2d(x, ksize=[1, 2], strides=[1, 2], padding="SAME")
    ...     tf.compat.v1.Session().run(y)[0, 0, :, 0]
    array([1.5, 3. ], dtype=float32)
    """
    return _pool(AVG_POOL, input, ksize, strides, padding, data_format or "NHWC", name, "AvgPool2D")


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:
    """The maximum of each ``ksize`` window of a 5-D ``input`` (op ``MaxPool3D``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.max_pool3d(tf.constant(1.0, shape=[1, 4, 4, 4, 2]), 2, 2, "VALID")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(2), Dimension(2)])
    """
    data_format = data_format or "NDHWC"
    return _pool(MAX_POOL_3D, input, ksize, strides, padding, data_format, name, "MaxPool3D")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None) -> Tensor:
    """The mean of each ``ksize`` window of a 5-D ``input`` (op ``AvgPool3D``)."""
    data_format = data_format or "NDHWC"
    return _pool(AVG_POOL_3D, input, ksize, strides, padding, data_format, name, "AvgPool3D")


def _pool1d(pool2d, input, ksize, strides, padding, data_format, name, default_name) -> Tensor:
    """A 1-D pool: the 2-D pool over an added height of 1, as TF computes it."""
    data_format = data_format or "NWC"
    if data_format not in ("NWC", "NCW"):
        raise ValueError(f"data_format must be 'NWC' or 'NCW', got {data_format!r}")
    axis = 1 if data_format == "NWC" else 2
    with name_scope(name, default_name, [input]) as scope:
        input = array_ops.expand_dims(convert_to_tensor(input, name="input"), axis)
        ksize = [1, window_list(ksize, 1, "ksize", data_format)[axis]]
        strides = [1, window_list(strides, 1, "strides", data_format)[axis]]
        if not isinstance(padding, str):
            padding = [*padding[:axis], (0, 0), *padding[axis:]]
        format_2d = "NHWC" if axis == 1 else "NCHW"
        pooled = pool2d(input, ksize, strides, padding, format_2d)
        return array_ops.squeeze(pooled, [axis], name=scope)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:
    """The maximum of each ``ksize`` window of a 3-D ``input`` ``[batch, width, channels]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.max_pool1d([[[1.0], [3.0], [2.0], [0.0]]], 2, 2, "VALID")
    ...     tf.compat.v1.Session().run(y)[0, :, 0]
    array([3., 2.], dtype=float32)
    """
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format, name, "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None) -> Tensor:
    """The mean of each ``ksize`` window of a 3-D ``input`` ``[batch, width, channels]``."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format, name, "AvgPool1D")


def _rank_dispatch(pools: dict, input, ksize, strides, padding, data_format, name) -> Tensor:
    """TF2's ``max_pool``/``avg_pool``: the pool of as many spatial dims as ``input`` has."""
    input = convert_to_tensor(input, name="input")
    if input.shape.rank is not None:
        spatial = input.shape.rank - 2
    elif data_format is not None:
        spatial = len(data_format) - 2
    else:
        raise ValueError("`input` must have a static shape or a data format.")
    if spatial not in pools:
        raise ValueError(
            f"`input.shape.rank` must be 3, 4 or 5. Received: input.shape={input.shape} of "
            f"rank {spatial + 2}"
        )
    if data_format is None:
        data_format = {1: "NWC", 2: "NHWC", 3: "NDHWC"}[spatial]
    return pools[spatial](input, ksize, strides, padding, data_format, name)


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """TF2's ``tf.nn.max_pool``: 1-D, 2-D or 3-D by ``input``'s rank."""
    pools = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}
    return _rank_dispatch(pools, input, ksize, strides, padding, data_format, name)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """TF2's ``tf.nn.avg_pool``: 1-D, 2-D or 3-D by ``input``'s rank."""
    pools = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}
    return _rank_dispatch(pools, input, ksize, strides, padding, data_format, name)


def max_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """TF1's ``tf.compat.v1.nn.max_pool``: :func:`max_pool2d` taking ``value``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.max_pool(tf.constant(1.0, shape=[1, 4, 4, 1]),
    ...                                  ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(1)])
    """
    value = deprecated_argument_lookup("input", input, "value", value)
    return _pool(MAX_POOL, value, ksize, strides, padding, data_format or "NHWC", name, "MaxPool")


def avg_pool_v1(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):
    """TF1's ``tf.compat.v1.nn.avg_pool``: :func:`avg_pool2d` taking ``value``."""
    value = deprecated_argument_lookup("input", input, "value", value)
    return _pool(AVG_POOL, value, ksize, strides, padding, data_format or "NHWC", name, "AvgPool")


def max_pool_with_argmax(
    input,
    ksize,
    strides,
    padding,
    data_format="NHWC",
    output_dtype=dtypes.int64,
    include_batch_in_index=False,
    name=None,
):
    """Max pool that also returns where each maximum came from (op ``MaxPoolWithArgmax``).

    The index of input element ``[b, y, x, c]`` is ``((b * height + y) * width + x) *
    channels + c``, without the ``b`` term unless ``include_batch_in_index``.

    Returns
    -------
    MaxPoolWithArgmax
        TF's namedtuple ``(output, argmax)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     out, argmax = tf.nn.max_pool_with_argmax(
    ...         [[[[1.0], [4.0]], [[3.0], [2.0]]]], 2, 2, "VALID")
    ...     tf.compat.v1.Session().run([out, argmax])
    [array([[[[4.]]]], dtype=float32), array([[[[1]]]])]
    """
    if data_format != "NHWC":
        raise ValueError(
            "`data_format` values other  than 'NHWC' are not supported. Received: "
            f"data_format={data_format}"
        )
    attrs = {
        "ksize": window_list(ksize, 2, "ksize", "NHWC"),
        "strides": window_list(strides, 2, "strides", "NHWC"),
        "padding": padding_attrs(padding, "NHWC", 2)["padding"],
        "Targmax": dtypes.as_dtype(output_dtype),
        "include_batch_in_index": bool(include_batch_in_index),
    }
    with name_scope(name, "MaxPoolWithArgmax", [input]) as scope:
        input = convert_to_tensor(input, name="input", graph=graph_of([input]))
        op = apply_op(MAX_POOL_WITH_ARGMAX, [input], scope, **attrs)
    return op_outputs(op)


def max_pool_with_argmax_v1(
    input,
    ksize,
    strides,
    padding,
    data_format="NHWC",
    Targmax=None,
    name=None,
    output_dtype=None,
    include_batch_in_index=False,
):
    """TF1's ``tf.compat.v1.nn.max_pool_with_argmax``: the dtype also given as ``Targmax``."""
    output_dtype = deprecated_argument_lookup("output_dtype", output_dtype, "Targmax", Targmax)
    return max_pool_with_argmax(
        input,
        ksize,
        strides,
        padding,
        data_format,
        output_dtype or dtypes.int64,
        include_batch_in_index,
        name,
    )


# -- the generic pool ---------------------------------------------------------------------


def _dilated(combine, input: Tensor, window, dilations, data_format: str) -> Tensor:
    """A VALID pool with stride 1 and dilated windows: ``combine`` of one slice per tap.

    Tap ``i`` of an axis reads ``input[i * d : size - span + i * d]``; a left fold of
    ``maximum`` gives ties to the earliest tap, TF's rule.
    """
    lead = (slice(None),) * (2 if is_channels_first(data_format) else 1)
    taps = []
    for tap in itertools.product(*(range(k) for k in window)):
        index = []
        for i, k, d in zip(tap, window, dilations):
            after = (k - 1 - i) * d  # cells the window still spans beyond this tap
            index.append(slice(i * d, -after if after else None))
        taps.append(input[(*lead, *index)])
    return functools.reduce(combine, taps)


def pool(
    input,
    window_shape,
    pooling_type,
    strides=None,
    padding="VALID",
    data_format=None,
    dilations=None,
    name=None,
):
    """An N-D max or average pool (N = 1, 2, 3), with strides or with dilated windows.

    Parameters
    ----------
    window_shape : list of N ints
    pooling_type : "MAX" or "AVG"
    strides, dilations : list of N ints, optional
        Not both above 1; dilated windows need VALID padding, as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v2.nn.pool([[[1.0], [5.0], [2.0], [4.0]]], [2], "MAX", dilations=[2])
    ...     tf.compat.v1.Session().run(y)[0, :, 0]
    array([2., 5.], dtype=float32)
    """
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"Invalid pooling type: {pooling_type!r}; use 'MAX' or 'AVG'.")
    spatial = len(window_shape)
    strides = list(strides or [1] * spatial)
    dilations = list(dilations or [1] * spatial)
    if len(strides) != spatial or len(dilations) != spatial:
        raise ValueError("strides and dilations must have as many entries as window_shape.")
    if any(d > 1 for d in dilations):
        if any(s > 1 for s in strides):
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        if padding != "VALID":
            raise ValueError(
                "pooling with 'SAME' padding is not implemented for `dilation_rate` > 1. "
                f"Received: padding={padding} and dilation_rate={dilations}"
            )
    default_format = {1: "NWC", 2: "NHWC", 3: "NDHWC"}.get(spatial)
    data_format = data_format or default_format
    with name_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        if all(d == 1 for d in dilations):
            pools = (
                {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}
                if pooling_type == "MAX"
                else {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}
            )
            if spatial not in pools:
                raise ValueError(f"window_shape must have 1 to 3 entries, got {window_shape}")
            return pools[spatial](input, list(window_shape), strides, padding, data_format, scope)
        if pooling_type == "MAX":
            return _dilated(math_ops.maximum, input, window_shape, dilations, data_format)
        total = _dilated(math_ops.add, input, window_shape, dilations, data_format)
        count = 1
        for k in window_shape:
            count *= k
        return math_ops.multiply(total, 1.0 / count, name=scope)


def pool_v1(
    input,
    window_shape,
    pooling_type,
    padding,
    dilation_rate=None,
    strides=None,
    name=None,
    data_format=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.pool``: ``padding`` third, dilation as ``dilation_rate``."""
    dilations = deprecated_argument_lookup("dilations", dilations, "dilation_rate", dilation_rate)
    return pool(input, window_shape, pooling_type, strides, padding, data_format, dilations, name)


# -- morphological dilation and erosion ---------------------------------------------------------

_DILATION_ATTRS = (
    "T: realnumbertype",
    "strides: list(int) >= 4",
    "rates: list(int) >= 4",
    "padding: {'SAME', 'VALID'}",
)


def _dilation_shape(input, filter, **attrs) -> list[TensorSpec]:
    dtype = same_dtype("Dilation2D", input, filter)
    x = with_rank(input.shape, 4).as_list()
    kh, kw, depth = with_rank(filter.shape, 3).as_list()
    channels = merge_dim(x[3], depth)
    windows = {**attrs, "dilations": attrs["rates"]}
    spatial = spatial_output(TensorShape(x), (kh, kw), windows, "NHWC")
    return [TensorSpec(dtype, TensorShape([x[0], *spatial, channels]))]


def _dilation_backprop_shape(of: str):
    """A dilation's backprop: checked as the dilation, shaped like its input or filter."""

    def shape_fn(input, filter, out_backprop, **attrs) -> list[TensorSpec]:
        _dilation_shape(input, filter, **attrs)
        with_rank(out_backprop.shape, 4)
        return [TensorSpec(out_backprop.dtype, (input if of == "input" else filter).shape)]

    return shape_fn


DILATION = _pool_op("Dilation2D", ("input: T", "filter: T"), _DILATION_ATTRS, _dilation_shape)
DILATION_BACKPROP_INPUT = _pool_op(
    "Dilation2DBackpropInput",
    ("input: T", "filter: T", "out_backprop: T"),
    _DILATION_ATTRS,
    _dilation_backprop_shape("input"),
    ("in_backprop: T",),
)
DILATION_BACKPROP_FILTER = _pool_op(
    "Dilation2DBackpropFilter",
    ("input: T", "filter: T", "out_backprop: T"),
    _DILATION_ATTRS,
    _dilation_backprop_shape("filter"),
    ("filter_backprop: T",),
)


@register_gradient("Dilation2D")
def _dilation_gradient(op, grad):
    input, filter = op.inputs
    return [
        apply_like(DILATION_BACKPROP_INPUT, [input, filter, grad], op),
        apply_like(DILATION_BACKPROP_FILTER, [input, filter, grad], op),
    ]


def _dilation_attrs(strides, rates, padding) -> dict:
    return {
        "strides": window_list(strides, 2, "strides", "NHWC"),
        "rates": window_list(rates, 2, "rates", "NHWC"),
        "padding": padding_attrs(padding, "NHWC", 2)["padding"],
    }


def dilation2d(input, filters, strides, padding, data_format, dilations, name=None) -> Tensor:
    """Grayscale morphological dilation: the maximum over each window of ``input +
    filters`` (a structuring element ``[kh, kw, channels]``), op ``Dilation2D``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v2.nn.dilation2d([[[[1.0], [3.0], [2.0]]]], [[[0.0], [-1.0]]],
    ...                                    [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1])
    ...     tf.compat.v1.Session().run(y)[0, 0, :, 0]
    array([2., 3.], dtype=float32)
    """
    if data_format != "NHWC":
        raise ValueError(
            "`data_format` values other  than 'NHWC' are not supported. Received: "
            f"data_format={data_format}"
        )
    with name_scope(name, "dilation2d", [input, filters]) as scope:
        input = convert_to_tensor(input, name="input")
        filters = convert_to_tensor(filters, dtype_hint=input.dtype.base_dtype, name="filter")
        attrs = _dilation_attrs(strides, dilations, padding)
        return apply_op(DILATION, [input, filters], scope, **attrs).outputs[0]


def dilation2d_v1(
    input,
    filter=None,
    strides=None,
    rates=None,
    padding=None,
    name=None,
    filters=None,
    dilations=None,
) -> Tensor:
    """TF1's ``tf.compat.v1.nn.dilation2d``: ``filter`` and ``rates``."""
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)
    rates = deprecated_argument_lookup("dilations", dilations, "rates", rates)
    return dilation2d(input, filter, strides, padding, "NHWC", rates, name)


def erosion2d(value, filters, strides, padding, data_format, dilations, name=None) -> Tensor:
    """Grayscale morphological erosion, the dual of :func:`dilation2d`: the minimum over
    each window of ``value - filters`` (the filter reflected).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v2.nn.erosion2d([[[[4.0], [3.0], [2.0]]]], [[[0.0], [1.0]]],
    ...                                   [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1])
    ...     tf.compat.v1.Session().run(y)[0, 0, :, 0]
    array([3., 2.], dtype=float32)
    """
    with name_scope(name, "erosion2d", [value, filters]) as scope:
        value = convert_to_tensor(value, name="value")
        filters = convert_to_tensor(filters, dtype_hint=value.dtype.base_dtype, name="filters")
        reflected = array_ops.reverse(filters, [0, 1])
        dilated = dilation2d(
            math_ops.negative(value), reflected, strides, padding, data_format, dilations
        )
        return math_ops.negative(dilated, name=scope)


def erosion2d_v1(value, kernel, strides, rates, padding, name=None) -> Tensor:
    """TF1's ``tf.compat.v1.nn.erosion2d``: ``kernel`` and ``rates``."""
    return erosion2d(value, kernel, strides, padding, "NHWC", rates, name)


V1_OVERRIDES = {
    # TF1 spells TF2's rank-generic pools with a _v2 suffix.
    "avg_pool_v2": avg_pool,
    "max_pool_v2": max_pool,
    "dilation2d": dilation2d_v1,
    "erosion2d": erosion2d_v1,
    "avg_pool": avg_pool_v1,
    "avg_pool2d": avg_pool_v1,
    "max_pool": max_pool_v1,
    "max_pool_with_argmax": max_pool_with_argmax_v1,
    "pool": pool_v1,
}
