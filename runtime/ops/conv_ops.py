"""Convolution ops: 1-D, 2-D, 3-D, transposed, depthwise, separable and atrous.

The op types are TF's: ``Conv2D``, ``Conv3D``, ``DepthwiseConv2dNative`` and their
backprops, which are ops in their own right (a GraphDef may hold them, and
``conv2d_transpose`` is ``Conv2DBackpropInput``). ``conv1d`` is a ``Conv2D`` over an
added axis, as in TF. Every op takes strides, dilations, ``SAME``/``VALID`` (and for
2-D explicit) padding, channels-last or channels-first layouts, and grouped filters
(an input depth that is a multiple of the filter's). The kernels lower them to BLAS
matrix products (:mod:`runtime.kernels.nn.conv`).
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops
from .constant_value import known_shape
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup, same_dtype
from .nn_util import (
    apply_like,
    channel_of,
    is_channels_first,
    padding_attrs,
    shape_in_format,
    spatial_output,
    window_list,
)
from .shape_util import merge_dim, with_rank

__all__ = [
    "atrous_conv2d",
    "atrous_conv2d_transpose",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "conv_transpose",
    "convolution",
    "depthwise_conv2d",
    "depthwise_conv2d_backprop_filter",
    "depthwise_conv2d_backprop_input",
    "separable_conv2d",
]

# -- op definitions -----------------------------------------------------------------------

_CONV2D_ATTRS = (
    "strides: list(int)",
    "use_cudnn_on_gpu: bool = true",
    "padding: {'SAME', 'VALID', 'EXPLICIT'}",
    "explicit_paddings: list(int) = []",
    "data_format: {'NHWC', 'NCHW'} = 'NHWC'",
    "dilations: list(int) = [1, 1, 1, 1]",
)
_DEPTHWISE_ATTRS = tuple(a for a in _CONV2D_ATTRS if not a.startswith("use_cudnn"))
_CONV3D_ATTRS = (
    "strides: list(int) >= 5",
    "padding: {'SAME', 'VALID'}",
    "data_format: {'NDHWC', 'NCDHW'} = 'NDHWC'",
    "dilations: list(int) = [1, 1, 1, 1, 1]",
)
_FLOATS = "{half, bfloat16, float, double}"


def _check_window_attrs(op_type: str, strides, dilations) -> None:
    """TF's build-time check of a conv's strides and dilations: one per dimension.

    Strides or dilations other than 1 across the batch or the channels are refused
    by the kernels, at run time, as TF refuses them.
    """
    rank = len(dilations)
    for attr, values in (("stride", strides), ("dilation", dilations)):
        if len(values) != rank:
            raise ValueError(
                f"{op_type} requires the {attr} attribute to contain {rank} values, but got: "
                f"{len(values)}"
            )
        if any(v < 1 for v in values):
            raise ValueError(f"{op_type} requires positive {attr}s, got {list(values)}")


def _conv_shape(op_type: str):
    def shape_fn(input: TensorSpec, filter: TensorSpec, **attrs) -> list[TensorSpec]:
        dtype = same_dtype(op_type, input, filter)
        data_format, rank = attrs["data_format"], len(attrs["dilations"])
        _check_window_attrs(op_type, attrs["strides"], attrs["dilations"])
        x = with_rank(input.shape, rank).as_list()
        *window, in_depth, out_depth = with_rank(filter.shape, rank).as_list()
        depth = channel_of(x, data_format)
        if depth is not None and in_depth is not None:
            if in_depth == 0 or depth % in_depth:
                raise ValueError(
                    f"Depth of input ({depth}) is not a multiple of input depth of filter "
                    f"({in_depth})"
                )
            groups = depth // in_depth
            if out_depth is not None and out_depth % groups:
                raise ValueError(
                    f"Depth of output ({out_depth}) is not a multiple of the number of groups "
                    f"({groups})"
                )
        spatial = spatial_output(TensorShape(x), window, attrs, data_format)
        return [TensorSpec(dtype, shape_in_format(x[0], spatial, out_depth, data_format))]

    return shape_fn


def _depthwise_shape(input: TensorSpec, filter: TensorSpec, **attrs) -> list[TensorSpec]:
    dtype = same_dtype("DepthwiseConv2dNative", input, filter)
    data_format = attrs["data_format"]
    _check_window_attrs("DepthwiseConv2dNative", attrs["strides"], attrs["dilations"])
    x = with_rank(input.shape, 4).as_list()
    kh, kw, in_depth, multiplier = with_rank(filter.shape, 4).as_list()
    depth = merge_dim(channel_of(x, data_format), in_depth)
    out_depth = None if depth is None or multiplier is None else depth * multiplier
    spatial = spatial_output(TensorShape(x), (kh, kw), attrs, data_format)
    return [TensorSpec(dtype, shape_in_format(x[0], spatial, out_depth, data_format))]


def _sizes_shape(sizes: TensorSpec, rank: int) -> TensorShape:
    """The shape an int sizes input (``input_sizes``, ``filter_sizes``) says, as far as known."""
    with_rank(sizes.shape, 1)
    return with_rank(known_shape(sizes), rank)


def _backprop_shape(op_type: str, sizes_at: int):
    """Shape function of a conv backprop: its output is shaped as its sizes input says."""

    def shape_fn(*inputs: TensorSpec, **attrs) -> list[TensorSpec]:
        rank = len(attrs["dilations"])
        tensor, out_backprop = (inputs[1] if sizes_at == 0 else inputs[0]), inputs[2]
        dtype = same_dtype(op_type, tensor, out_backprop)
        _check_window_attrs(op_type, attrs["strides"], attrs["dilations"])
        with_rank(tensor.shape, rank)
        with_rank(out_backprop.shape, rank)
        return [TensorSpec(dtype, _sizes_shape(inputs[sizes_at], rank))]

    return shape_fn


def _conv2d_backprop_input_shape(input_sizes, filter, out_backprop, **attrs) -> list[TensorSpec]:
    """Shape function of ``Conv2DBackpropInput`` as TF's: the batch comes from
    ``out_backprop`` (``input_sizes`` only has to agree with it), the rest from
    ``input_sizes`` (4 values, or just the 2 spatial ones, the depth then the filter's).

    So ``conv2d_transpose`` of a ``[None, ...]`` input has an unknown batch even when
    ``output_shape`` names one, as in TF (DCGAN's ``tf.reshape(x, x.get_shape())``
    relies on it failing there).
    """
    dtype = same_dtype("Conv2DBackpropInput", filter, out_backprop)
    _check_window_attrs("Conv2DBackpropInput", attrs["strides"], attrs["dilations"])
    channels_first = attrs.get("data_format", "NHWC") == "NCHW"
    grads = with_rank(out_backprop.shape, 4).as_list()
    kernel = with_rank(filter.shape, 4).as_list()
    merge_dim(grads[1 if channels_first else 3], kernel[3])
    with_rank(input_sizes.shape, 1)
    sizes = known_shape(input_sizes)
    if sizes.rank == 2:
        height, width = sizes.as_list()
        depth = kernel[2]
    else:
        sizes = with_rank(sizes, 4).as_list()
        merge_dim(sizes[0], grads[0])
        depth, height, width = sizes[1:] if channels_first else (sizes[3], *sizes[1:3])
    dims = [grads[0], depth, height, width] if channels_first else [grads[0], height, width, depth]
    return [TensorSpec(dtype, TensorShape(dims))]


def _conv3d_v1_backprop_shape(op_type: str, shaped_like: int):
    """The deprecated 3-D backprops: the output is shaped like input ``shaped_like``."""

    def shape_fn(input, filter, out_backprop, **attrs) -> list[TensorSpec]:
        dtype = same_dtype(op_type, input, filter, out_backprop)
        with_rank(out_backprop.shape, 5)
        return [TensorSpec(dtype, with_rank((input, filter)[shaped_like].shape, 5))]

    return shape_fn


def _window_op(name, inputs, attrs, shape_fn) -> OpDef:
    """A convolution: numpy-heavy, so the executor runs it on the inter-op pool."""
    return register_op(OpDef(name, inputs, ("output: T",), attrs, shape_fn, cost=Cost.EXPENSIVE))


_CONV2D_T = ("T: {half, bfloat16, float, double, int32}",)
CONV2D = _window_op(
    "Conv2D", ("input: T", "filter: T"), (*_CONV2D_T, *_CONV2D_ATTRS), _conv_shape("Conv2D")
)
CONV2D_BACKPROP_INPUT = _window_op(
    "Conv2DBackpropInput",
    ("input_sizes: int32", "filter: T", "out_backprop: T"),
    (*_CONV2D_T, *_CONV2D_ATTRS),
    _conv2d_backprop_input_shape,
)
CONV2D_BACKPROP_FILTER = _window_op(
    "Conv2DBackpropFilter",
    ("input: T", "filter_sizes: int32", "out_backprop: T"),
    (f"T: {_FLOATS}", *_CONV2D_ATTRS),
    _backprop_shape("Conv2DBackpropFilter", 1),
)
CONV3D = _window_op(
    "Conv3D", ("input: T", "filter: T"), (f"T: {_FLOATS}", *_CONV3D_ATTRS), _conv_shape("Conv3D")
)
CONV3D_BACKPROP_INPUT_V2 = _window_op(
    "Conv3DBackpropInputV2",
    ("input_sizes: Tshape", "filter: T", "out_backprop: T"),
    (f"T: {_FLOATS}", *_CONV3D_ATTRS, "Tshape: {int32, int64} = DT_INT32"),
    _backprop_shape("Conv3DBackpropInputV2", 0),
)
CONV3D_BACKPROP_FILTER_V2 = _window_op(
    "Conv3DBackpropFilterV2",
    ("input: T", "filter_sizes: int32", "out_backprop: T"),
    (f"T: {_FLOATS}", *_CONV3D_ATTRS),
    _backprop_shape("Conv3DBackpropFilterV2", 1),
)
# TF's deprecated first 3-D backprops (NDHWC only), still found in old GraphDefs.
_CONV3D_V1_ATTRS = (
    "T: {half, float, double}",
    *(a for a in _CONV3D_ATTRS if "data_format" not in a),
)
CONV3D_BACKPROP_INPUT = _window_op(
    "Conv3DBackpropInput",
    ("input: T", "filter: T", "out_backprop: T"),
    _CONV3D_V1_ATTRS,
    _conv3d_v1_backprop_shape("Conv3DBackpropInput", 0),
)
CONV3D_BACKPROP_FILTER = _window_op(
    "Conv3DBackpropFilter",
    ("input: T", "filter: T", "out_backprop: T"),
    _CONV3D_V1_ATTRS,
    _conv3d_v1_backprop_shape("Conv3DBackpropFilter", 1),
)
DEPTHWISE = _window_op(
    "DepthwiseConv2dNative",
    ("input: T", "filter: T"),
    (f"T: {_FLOATS}", *_DEPTHWISE_ATTRS),
    _depthwise_shape,
)
DEPTHWISE_BACKPROP_INPUT = _window_op(
    "DepthwiseConv2dNativeBackpropInput",
    ("input_sizes: int32", "filter: T", "out_backprop: T"),
    (f"T: {_FLOATS}", *_DEPTHWISE_ATTRS),
    _backprop_shape("DepthwiseConv2dNativeBackpropInput", 0),
)
DEPTHWISE_BACKPROP_FILTER = _window_op(
    "DepthwiseConv2dNativeBackpropFilter",
    ("input: T", "filter_sizes: int32", "out_backprop: T"),
    (f"T: {_FLOATS}", *_DEPTHWISE_ATTRS),
    _backprop_shape("DepthwiseConv2dNativeBackpropFilter", 1),
)


# -- gradients ------------------------------------------------------------------------------


def _register_conv_gradients(forward: OpDef, backprop_input: OpDef, backprop_filter: OpDef):
    """Gradients of a convolution and of its two backprops, each made of the other two."""

    @register_gradient(forward.name)
    def _forward_gradient(op, grad):
        input, filter = op.inputs
        return [
            apply_like(backprop_input, [array_ops.shape(input), filter, grad], op),
            apply_like(backprop_filter, [input, array_ops.shape(filter), grad], op),
        ]

    @register_gradient(backprop_input.name)
    def _backprop_input_gradient(op, grad):
        _, filter, out_backprop = op.inputs
        return [
            None,
            apply_like(backprop_filter, [grad, array_ops.shape(filter), out_backprop], op),
            apply_like(forward, [grad, filter], op),
        ]

    @register_gradient(backprop_filter.name)
    def _backprop_filter_gradient(op, grad):
        input, _, out_backprop = op.inputs
        return [
            apply_like(backprop_input, [array_ops.shape(input), grad, out_backprop], op),
            None,
            apply_like(forward, [input, grad], op),
        ]


_register_conv_gradients(CONV2D, CONV2D_BACKPROP_INPUT, CONV2D_BACKPROP_FILTER)
_register_conv_gradients(CONV3D, CONV3D_BACKPROP_INPUT_V2, CONV3D_BACKPROP_FILTER_V2)
_register_conv_gradients(DEPTHWISE, DEPTHWISE_BACKPROP_INPUT, DEPTHWISE_BACKPROP_FILTER)


# -- builders -----------------------------------------------------------------------------


def _window_attrs(spatial: int, strides, padding, data_format, dilations) -> dict:
    return {
        "strides": window_list(strides, spatial, "strides", data_format),
        **padding_attrs(padding, data_format, spatial),
        "data_format": data_format,
        "dilations": window_list(dilations, spatial, "dilations", data_format),
    }


def _apply(op_def: OpDef, values: list, names: tuple, attrs: dict, name, default_name: str):
    """Build ``op_def`` of ``values``: int32 sizes inputs stay int32, the rest take the
    first float tensor's dtype when given as Python values."""
    with name_scope(name, default_name, values) as scope:
        graph = graph_of(values)
        tensors, dtype = [], None
        for arg, value, input_name in zip(op_def.signature.inputs, values, names):
            is_sizes = arg.type == "int32" or arg.type_attr == "Tshape"
            hint = dtypes.int32 if is_sizes else dtype
            tensor = convert_to_tensor(value, name=input_name, graph=graph, dtype_hint=hint)
            dtype = dtype or (None if is_sizes else tensor.dtype.base_dtype)
            tensors.append(tensor)
        if op_def.signature.inputs[0].type_attr == "Tshape":
            attrs = {**attrs, "Tshape": tensors[0].dtype.base_dtype}
        return apply_op(op_def, tensors, scope, **attrs).outputs[0]


def _spatial_rank(data_format: str | None, default: int) -> int:
    return default if data_format is None else len(data_format) - 2


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D convolution of ``input`` with ``filters`` ``[kh, kw, in, out]`` (op ``Conv2D``).

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, channels]`` (``NHWC``) or ``[batch, channels, height,
        width]`` (``NCHW``).
    filters : Tensor
        ``[filter_height, filter_width, in_channels, out_channels]``; ``in_channels``
        may divide the input's channels (a grouped convolution).
    strides, dilations : int or list of 1, 2 or 4 ints
        Window step and tap spacing; 1 in the batch and channel dimensions.
    padding : "SAME", "VALID" or a list of 4 [before, after] pairs
        SAME pads with zeros so the output is ``ceil(size / stride)`` (odd padding
        after), VALID keeps only whole windows.
    data_format : "NHWC" or "NCHW"

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(1.0, shape=[1, 4, 4, 1])
    ...     w = tf.constant(1.0, shape=[3, 3, 1, 2])
    ...     y = tf.nn.conv2d(x, w, strides=2, padding="SAME")
    ...     out = tf.compat.v1.Session().run(y)
    >>> y.shape, out[0, :, :, 0].tolist()
    (TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(2)]), [[9.0, 6.0], [6.0, 4.0]])
    """
    data_format = data_format or "NHWC"
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    return _apply(CONV2D, [input, filters], ("input", "filters"), attrs, name, "Conv2D")


def conv2d_v1(
    input,
    filter=None,
    strides=None,
    padding=None,
    use_cudnn_on_gpu=True,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
    filters=None,
):
    """TF1's ``tf.compat.v1.nn.conv2d``: :func:`conv2d` taking ``filter``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.conv2d(tf.constant(1.0, shape=[1, 5, 5, 3]),
    ...                                filter=tf.constant(1.0, shape=[3, 3, 3, 8]),
    ...                                strides=[1, 1, 1, 1], padding="VALID")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(3), Dimension(3), Dimension(8)])
    """
    filters = deprecated_argument_lookup("filters", filters, "filter", filter)
    return conv2d(input, filters, strides, padding, data_format, dilations, name)


def conv2d_backprop_input(
    input_sizes,
    filter=None,
    out_backprop=None,
    strides=None,
    padding=None,
    use_cudnn_on_gpu=True,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
    filters=None,
):
    """The gradient of ``conv2d`` with respect to its input (op ``Conv2DBackpropInput``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dx = tf.compat.v1.nn.conv2d_backprop_input(
    ...         [1, 3, 3, 1], tf.constant(1.0, shape=[2, 2, 1, 1]),
    ...         tf.constant(1.0, shape=[1, 2, 2, 1]), strides=[1, 1, 1, 1], padding="VALID")
    ...     tf.compat.v1.Session().run(dx)[0, :, :, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    values = [input_sizes, filter, out_backprop]
    names = ("input_sizes", "filter", "out_backprop")
    return _apply(CONV2D_BACKPROP_INPUT, values, names, attrs, name, "Conv2DBackpropInput")


def conv2d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    use_cudnn_on_gpu=True,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of ``conv2d`` with respect to its filter (op ``Conv2DBackpropFilter``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dw = tf.compat.v1.nn.conv2d_backprop_filter(
    ...         tf.constant(1.0, shape=[1, 3, 3, 1]), [2, 2, 1, 1],
    ...         tf.constant(1.0, shape=[1, 2, 2, 1]), strides=[1, 1, 1, 1], padding="VALID")
    ...     tf.compat.v1.Session().run(dw)[:, :, 0, 0]
    array([[4., 4.],
           [4., 4.]], dtype=float32)
    """
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    values = [input, filter_sizes, out_backprop]
    names = ("input", "filter_sizes", "out_backprop")
    return _apply(CONV2D_BACKPROP_FILTER, values, names, attrs, name, "Conv2DBackpropFilter")


def _one_d(data_format) -> tuple[str, int]:
    """The 2-D format a 1-D op runs as, and the axis its added height goes at."""
    if data_format in (None, "NWC", "NHWC"):
        return "NHWC", 1
    if data_format in ("NCW", "NCHW"):
        return "NCHW", 2
    raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}")


def _width_value(value, name: str, data_format: str) -> int:
    """A 1-D op's stride or dilation: one int, or 3 per-dimension values."""
    return window_list(value, 1, name, data_format)[2 if is_channels_first(data_format) else 1]


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):
    """1-D convolution: a ``Conv2D`` over an added height of 1, as TF computes it.

    Parameters
    ----------
    input : Tensor
        ``[batch, width, channels]`` (``NWC``) or ``[batch, channels, width]`` (``NCW``).
    filters : Tensor
        ``[filter_width, in_channels, out_channels]``.
    stride, dilations : int or list of 1 or 3 ints

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.conv1d(tf.constant([[[1.0], [2.0], [3.0]]]),
    ...                      tf.constant([[[1.0]], [[1.0]]]), stride=1, padding="VALID")
    ...     tf.compat.v1.Session().run(y)[0, :, 0]
    array([3., 5.], dtype=float32)
    """
    with name_scope(name, "conv1d", [input, filters]) as scope:
        data_format, axis = _one_d(data_format)
        input = array_ops.expand_dims(convert_to_tensor(input, name="input"), axis)
        filters = array_ops.expand_dims(
            convert_to_tensor(filters, dtype_hint=input.dtype.base_dtype, name="filters"), 0
        )
        stride = _width_value(stride, "stride", data_format)
        dilation = _width_value(dilations, "dilations", data_format)
        out = conv2d(input, filters, [1, stride], padding, data_format, [1, dilation])
        return array_ops.squeeze(out, [axis], name=scope)


def conv1d_v1(
    value=None,
    filters=None,
    stride=None,
    padding=None,
    use_cudnn_on_gpu=None,
    data_format=None,
    name=None,
    input=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.conv1d``: :func:`conv1d` taking ``value``."""
    value = deprecated_argument_lookup("input", input, "value", value)
    return conv1d(value, filters, stride, padding, data_format, dilations, name)


def _check_output_shape(output_shape, rank: int) -> Tensor | list:
    """``output_shape`` of a transposed convolution: ``rank`` sizes."""
    if isinstance(output_shape, Tensor):
        if output_shape.shape.rank not in (None, 1):
            raise ValueError(f"output_shape must be 1-D, got shape {output_shape.shape}")
        return output_shape
    sizes = [int(v) for v in output_shape]
    if len(sizes) != rank:
        raise ValueError(f"output_shape must have shape ({rank},), got shape ({len(sizes)},)")
    return sizes


def conv2d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """The transpose of ``conv2d`` (sometimes called deconvolution): ``Conv2DBackpropInput``.

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, in_channels]`` for ``NHWC``.
    filters : Tensor
        ``[height, width, output_channels, in_channels]``: the filter of the
        convolution this is the transpose of.
    output_shape : list of 4 ints or 1-D Tensor
        The shape of the result.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.conv2d_transpose(tf.constant(1.0, shape=[1, 2, 2, 1]),
    ...                                tf.constant(1.0, shape=[2, 2, 1, 1]),
    ...                                output_shape=[1, 4, 4, 1], strides=2)
    ...     tf.compat.v1.Session().run(y)[0, :, :, 0]
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]], dtype=float32)
    """
    data_format = data_format or "NHWC"
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    output_shape = _check_output_shape(output_shape, 4)
    values = [output_shape, filters, input]
    names = ("input_sizes", "filter", "out_backprop")  # TF names by the op args
    return _apply(CONV2D_BACKPROP_INPUT, values, names, attrs, name, "conv2d_transpose")


def conv2d_transpose_v1(
    value=None,
    filter=None,
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format="NHWC",
    name=None,
    input=None,
    filters=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.conv2d_transpose``: taking ``value`` and ``filter``."""
    value = deprecated_argument_lookup("input", input, "value", value)
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)
    return conv2d_transpose(
        value, filter, output_shape, strides, padding, data_format, dilations, name
    )


def conv1d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NWC",
    dilations=None,
    name=None,
):
    """The transpose of ``conv1d``: a ``Conv2DBackpropInput`` over an added height of 1.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.conv1d_transpose(tf.constant(1.0, shape=[1, 2, 1]),
    ...                                tf.constant(1.0, shape=[2, 1, 1]), [1, 4, 1], 2)
    ...     tf.compat.v1.Session().run(y)[0, :, 0]
    array([1., 1., 1., 1.], dtype=float32)
    """
    with name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        data_format, axis = _one_d(data_format)
        input = array_ops.expand_dims(convert_to_tensor(input, name="input"), axis)
        filters = array_ops.expand_dims(
            convert_to_tensor(filters, dtype_hint=input.dtype.base_dtype, name="filters"), 0
        )
        output_shape = _check_output_shape(output_shape, 3)
        if isinstance(output_shape, Tensor):
            output_shape = array_ops.concat([output_shape[:axis], [1], output_shape[axis:]], 0)
        else:
            output_shape = [*output_shape[:axis], 1, *output_shape[axis:]]
        stride = _width_value(strides, "strides", data_format)
        dilation = _width_value(dilations, "dilations", data_format)
        out = conv2d_transpose(
            input, filters, output_shape, [1, stride], padding, data_format, [1, dilation]
        )
        return array_ops.squeeze(out, [axis], name=scope)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):
    """3-D convolution of ``input`` with ``filters`` ``[kd, kh, kw, in, out]`` (op ``Conv3D``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.conv3d(tf.constant(1.0, shape=[1, 3, 3, 3, 1]),
    ...                      tf.constant(1.0, shape=[2, 2, 2, 1, 1]),
    ...                      strides=[1, 1, 1, 1, 1], padding="VALID")
    ...     tf.compat.v1.Session().run(y).reshape(-1)
    array([8., 8., 8., 8., 8., 8., 8., 8.], dtype=float32)
    """
    data_format = data_format or "NDHWC"
    attrs = _window_attrs(3, strides, padding, data_format, dilations)
    del attrs["explicit_paddings"]
    if attrs["padding"] == "EXPLICIT":
        raise ValueError("Conv3D takes 'SAME' or 'VALID' padding, not explicit pairs.")
    return _apply(CONV3D, [input, filters], ("input", "filters"), attrs, name, "Conv3D")


def conv3d_v1(
    input,
    filter=None,
    strides=None,
    padding=None,
    data_format="NDHWC",
    dilations=(1, 1, 1, 1, 1),
    name=None,
    filters=None,
):
    """TF1's ``tf.compat.v1.nn.conv3d``: :func:`conv3d` taking ``filter``."""
    filters = deprecated_argument_lookup("filters", filters, "filter", filter)
    return conv3d(input, filters, strides, padding, data_format, dilations, name)


def conv3d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NDHWC",
    dilations=None,
    name=None,
):
    """The transpose of ``conv3d``: ``Conv3DBackpropInputV2``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.conv3d_transpose(tf.constant(1.0, shape=[1, 1, 1, 1, 1]),
    ...                                tf.constant(1.0, shape=[2, 2, 2, 1, 1]),
    ...                                [1, 2, 2, 2, 1], [1, 2, 2, 2, 1])
    >>> y.shape
    TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(2), Dimension(1)])
    """
    data_format = data_format or "NDHWC"
    attrs = _window_attrs(3, strides, padding, data_format, dilations)
    del attrs["explicit_paddings"]
    output_shape = _check_output_shape(output_shape, 5)
    values = [output_shape, filters, input]
    names = ("input_sizes", "filter", "out_backprop")  # TF names by the op args
    return _apply(CONV3D_BACKPROP_INPUT_V2, values, names, attrs, name, "conv3d_transpose")


def conv3d_transpose_v1(
    value,
    filter=None,
    output_shape=None,
    strides=None,
    padding="SAME",
    data_format="NDHWC",
    name=None,
    input=None,
    filters=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.conv3d_transpose``: taking ``value`` and ``filter``."""
    value = deprecated_argument_lookup("input", input, "value", value)
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)
    return conv3d_transpose(
        value, filter, output_shape, strides, padding, data_format, dilations, name
    )


def conv3d_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    data_format="NDHWC",
    dilations=(1, 1, 1, 1, 1),
    name=None,
):
    """The gradient of ``conv3d`` with respect to its filter (op ``Conv3DBackpropFilterV2``)."""
    attrs = _window_attrs(3, strides, padding, data_format, dilations)
    del attrs["explicit_paddings"]
    values = [input, filter_sizes, out_backprop]
    names = ("input", "filter_sizes", "out_backprop")
    return _apply(CONV3D_BACKPROP_FILTER_V2, values, names, attrs, name, "Conv3DBackpropFilterV2")


def conv_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format=None,
    dilations=None,
    name=None,
):
    """The transposed convolution of as many spatial dims as ``output_shape`` has, less 2."""
    if isinstance(output_shape, Tensor):
        length = output_shape.shape.dim_value(0) if output_shape.shape.rank == 1 else None
    else:
        length = len(output_shape)
    spatial = _spatial_rank(data_format, None if length is None else length - 2)
    builders = {1: conv1d_transpose, 2: conv2d_transpose, 3: conv3d_transpose}
    if spatial not in builders:
        raise ValueError(
            "output_shape must be of length 3, 4 or 5 but was "
            f"{'unknown' if length is None else length}."
        )
    formats = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
    return builders[spatial](
        input,
        filters,
        output_shape,
        strides,
        padding,
        data_format or formats[spatial],
        dilations,
        name,
    )


def convolution(
    input, filters, strides=None, padding="VALID", data_format=None, dilations=None, name=None
):
    """An N-D convolution (N = 1, 2, 3 from ``input``'s rank): ``conv1d``, ``conv2d`` or ``conv3d``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v2.nn.convolution(tf.constant(1.0, shape=[1, 4, 4, 1]),
    ...                                     tf.constant(1.0, shape=[2, 2, 1, 1]))
    >>> y.shape
    TensorShape([Dimension(1), Dimension(3), Dimension(3), Dimension(1)])
    """
    with name_scope(name, "convolution", [input, filters]) as scope:
        input = convert_to_tensor(input, name="input")
        rank = input.shape.rank
        if rank is None and data_format is None:
            raise ValueError("`input` must have a static rank or a data format.")
        spatial = _spatial_rank(data_format, None if rank is None else rank - 2)
        if spatial == 1:
            return conv1d(input, filters, strides or 1, padding, data_format, dilations, scope)
        if spatial == 2:
            return conv2d(input, filters, strides or 1, padding, data_format, dilations, scope)
        if spatial == 3:
            return conv3d(input, filters, strides or 1, padding, data_format, dilations, scope)
        raise ValueError(
            f"`input` must be of rank 3, 4 or 5 (1 to 3 spatial dimensions), got rank {rank}."
        )


def convolution_v1(
    input,
    filter,
    padding,
    strides=None,
    dilation_rate=None,
    name=None,
    data_format=None,
    filters=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.convolution``: taking ``filter`` and ``dilation_rate``."""
    filter = deprecated_argument_lookup("filters", filters, "filter", filter)
    dilations = deprecated_argument_lookup("dilations", dilations, "dilation_rate", dilation_rate)
    return convolution(input, filter, strides, padding, data_format, dilations, name)


def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """Atrous (dilated) 2-D convolution: ``conv2d`` with ``dilations=rate``, stride 1.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.atrous_conv2d(tf.constant(1.0, shape=[1, 5, 5, 1]),
    ...                             tf.constant(1.0, shape=[2, 2, 1, 1]), rate=2,
    ...                             padding="VALID")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(3), Dimension(3), Dimension(1)])
    """
    _check_rate(rate)
    return convolution(value, filters, 1, padding, "NHWC", rate, name or "atrous_conv2d")


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None) -> Tensor:
    """The transpose of :func:`atrous_conv2d`: ``Conv2DBackpropInput`` with ``dilations=rate``."""
    _check_rate(rate)
    return conv2d_transpose(
        value, filters, output_shape, 1, padding, "NHWC", rate, name or "atrous_conv2d_transpose"
    )


def _check_rate(rate) -> None:
    if not isinstance(rate, int) or rate < 1:
        raise ValueError(f"rate {rate} cannot be less than one")


# -- depthwise and separable ------------------------------------------------------------------


def depthwise_conv2d_native(
    input, filter, strides, padding, data_format="NHWC", dilations=(1, 1, 1, 1), name=None
):
    """Each input channel convolved with its own ``multiplier`` filters (op
    ``DepthwiseConv2dNative``): ``filter`` is ``[kh, kw, in_channels, multiplier]`` and
    the output has ``in_channels * multiplier`` channels.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.compat.v1.nn.depthwise_conv2d_native(
    ...         tf.constant(1.0, shape=[1, 3, 3, 2]), tf.constant(1.0, shape=[2, 2, 2, 3]),
    ...         [1, 1, 1, 1], "VALID")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(6)])
    """
    data_format = data_format or "NHWC"
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    return _apply(
        DEPTHWISE, [input, filter], ("input", "filter"), attrs, name, "DepthwiseConv2dNative"
    )


def depthwise_conv2d_native_backprop_input(
    input_sizes,
    filter,
    out_backprop,
    strides,
    padding,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of a depthwise convolution with respect to its input."""
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    values = [input_sizes, filter, out_backprop]
    names = ("input_sizes", "filter", "out_backprop")
    return _apply(
        DEPTHWISE_BACKPROP_INPUT, values, names, attrs, name, "DepthwiseConv2dNativeBackpropInput"
    )


def depthwise_conv2d_native_backprop_filter(
    input,
    filter_sizes,
    out_backprop,
    strides,
    padding,
    data_format="NHWC",
    dilations=(1, 1, 1, 1),
    name=None,
):
    """The gradient of a depthwise convolution with respect to its filter."""
    attrs = _window_attrs(2, strides, padding, data_format, dilations)
    values = [input, filter_sizes, out_backprop]
    names = ("input", "filter_sizes", "out_backprop")
    return _apply(
        DEPTHWISE_BACKPROP_FILTER, values, names, attrs, name, "DepthwiseConv2dNativeBackpropFilter"
    )


depthwise_conv2d_backprop_input = depthwise_conv2d_native_backprop_input
depthwise_conv2d_backprop_filter = depthwise_conv2d_native_backprop_filter


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):
    """Depthwise 2-D convolution (see :func:`depthwise_conv2d_native`), with dilations.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.depthwise_conv2d(tf.constant(1.0, shape=[1, 4, 4, 2]),
    ...                                tf.constant(1.0, shape=[3, 3, 2, 1]),
    ...                                [1, 1, 1, 1], "SAME")
    ...     tf.compat.v1.Session().run(y)[0, :, :, 0]
    array([[4., 6., 6., 4.],
           [6., 9., 9., 6.],
           [6., 9., 9., 6.],
           [4., 6., 6., 4.]], dtype=float32)
    """
    with name_scope(name, "depthwise", [input, filter]) as scope:
        return depthwise_conv2d_native(
            input, filter, strides, padding, data_format or "NHWC", dilations, scope
        )


def depthwise_conv2d_v1(
    input, filter, strides, padding, rate=None, name=None, data_format=None, dilations=None
):
    """TF1's ``tf.compat.v1.nn.depthwise_conv2d``: dilation given as ``rate``."""
    rate = deprecated_argument_lookup("dilations", dilations, "rate", rate)
    return depthwise_conv2d(input, filter, strides, padding, data_format, rate, name)


def separable_conv2d(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    data_format=None,
    dilations=None,
    name=None,
):
    """A depthwise convolution followed by a 1x1 convolution mixing its channels.

    ``depthwise_filter`` is ``[kh, kw, in_channels, multiplier]``, ``pointwise_filter``
    ``[1, 1, in_channels * multiplier, out_channels]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.separable_conv2d(tf.constant(1.0, shape=[1, 4, 4, 2]),
    ...                                tf.constant(1.0, shape=[3, 3, 2, 1]),
    ...                                tf.constant(1.0, shape=[1, 1, 2, 5]),
    ...                                [1, 1, 1, 1], "VALID")
    >>> y.shape
    TensorShape([Dimension(1), Dimension(2), Dimension(2), Dimension(5)])
    """
    with name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        pointwise = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        kh, kw = with_rank(pointwise.shape, 4).as_list()[:2]
        if (kh, kw) not in ((1, 1), (None, None), (1, None), (None, 1)):
            raise ValueError(
                f"pointwise_filter must be [1, 1, in, out], got shape {pointwise.shape}"
            )
        data_format = data_format or "NHWC"
        depthwise = depthwise_conv2d_native(
            input, depthwise_filter, strides, padding, data_format, dilations, "depthwise"
        )
        return conv2d(depthwise, pointwise, 1, "VALID", data_format, name=scope)


def separable_conv2d_v1(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    rate=None,
    name=None,
    data_format=None,
    dilations=None,
):
    """TF1's ``tf.compat.v1.nn.separable_conv2d``: dilation given as ``rate``."""
    rate = deprecated_argument_lookup("dilations", dilations, "rate", rate)
    return separable_conv2d(
        input, depthwise_filter, pointwise_filter, strides, padding, data_format, rate, name
    )


# TF1's signatures, and the names only TF1's tf.nn has.
V1_OVERRIDES = {
    "conv1d": conv1d_v1,
    "conv2d": conv2d_v1,
    "conv2d_backprop_filter": conv2d_backprop_filter,
    "conv2d_backprop_input": conv2d_backprop_input,
    "conv2d_transpose": conv2d_transpose_v1,
    "conv3d": conv3d_v1,
    "conv3d_backprop_filter": conv3d_backprop_filter,
    "conv3d_backprop_filter_v2": conv3d_backprop_filter,
    "conv3d_transpose": conv3d_transpose_v1,
    "convolution": convolution_v1,
    "depthwise_conv2d": depthwise_conv2d_v1,
    "depthwise_conv2d_native": depthwise_conv2d_native,
    "depthwise_conv2d_native_backprop_filter": depthwise_conv2d_native_backprop_filter,
    "depthwise_conv2d_native_backprop_input": depthwise_conv2d_native_backprop_input,
    "separable_conv2d": separable_conv2d_v1,
}
