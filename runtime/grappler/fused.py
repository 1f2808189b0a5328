"""The fused ops the remapper makes, as TF declares them, with numpy kernels.

``_FusedMatMul`` is ``MatMul`` then ``BiasAdd`` then an optional activation;
``_FusedConv2D`` is ``Conv2D`` then ``BiasAdd`` or an inference ``FusedBatchNorm``, then
an optional activation. ``fused_ops`` names the stages after the contraction
(``[b"BiasAdd", b"Relu"]``), ``args`` holds their operands (the bias; or scale, offset,
mean and variance). The kernels call the registered ``MatMul`` and ``Conv2D`` kernels
and work in place on the product: one output array instead of three. The convolution
applies the stages to each block of output rows as soon as its product is made, while
the block is still in cache (:func:`runtime.kernels.nn.conv.conv_forward`). A batch
norm is folded into the filter (``w * scale / sqrt(variance + epsilon)``, then a bias
``offset - mean * scale / sqrt(variance + epsilon)``): a per-channel scale of a small
filter instead of a pass over the whole output.

A stage that fails marks its exception with ``fused_stage`` (0 for the contraction, 1
for the bias or batch norm, -1 for the activation: positions in the pattern of user
ops the fused op stands for), so the session can name the user's op at fault
(:meth:`runtime.grappler.as_run.OptimizedGraph.user_error`).

These ops exist only in graphs as run: nothing builds them in user code, and they
have no gradient (as in TF, where they appear only after Grappler).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidArgumentError
from ..kernels.derived import derived
from ..registry import (
    Cost,
    OpDef,
    get_op_def,
    lookup_kernel,
    not_differentiable,
    register_kernel,
    register_op,
)

# The activations TF 2.21's remapper fuses on CPU (Tanh and Sigmoid stay separate ops).
ACTIVATIONS = ("Relu", "Relu6", "Elu", "LeakyRelu")
_FUSION_ATTRS = (
    "fused_ops: list(string) = []",
    "epsilon: float = 0.0001",
    "leakyrelu_alpha: float = 0.2",
)


def _like(op_type: str):
    """The shape function of ``op_type`` applied to a fused op's first two inputs."""

    def shape_fn(first, second, *args, **attrs):
        op_def = get_op_def(op_type)
        own = {name: attrs.get(name, default) for name, default in op_def.attr_defaults.items()}
        return op_def.shape_fn(first, second, **own)

    return shape_fn


FUSED_MATMUL = register_op(
    OpDef(
        "_FusedMatMul",
        ("a: T", "b: T", "args: num_args * T"),
        ("product: T",),
        (
            "transpose_a: bool = false",
            "transpose_b: bool = false",
            "T: {bfloat16, half, float}",
            "num_args: int >= 0",
            *_FUSION_ATTRS,
        ),
        shape_fn=_like("MatMul"),
        cost=Cost.EXPENSIVE,
    )
)
FUSED_CONV2D = register_op(
    OpDef(
        "_FusedConv2D",
        ("input: T", "filter: T", "args: TArgs", "host_args: num_host_args * float"),
        ("output: T",),
        (
            "T: {half, float, double, int8, qint8}",
            "TArgs: list(type) >= 1",
            "num_args: int >= 0",
            "num_host_args: int >= 0 = 0",
            "strides: list(int)",
            "padding: {'SAME', 'VALID', 'EXPLICIT'}",
            "explicit_paddings: list(int) = []",
            "data_format: {'NHWC', 'NCHW', 'NCHW_VECT_C'} = 'NHWC'",
            "filter_format: {'HWIO', 'OIHW', 'OIHW_VECT_I'} = 'HWIO'",
            "dilations: list(int) = [1, 1, 1, 1]",
            "use_cudnn_on_gpu: bool = true",
            *_FUSION_ATTRS,
        ),
        shape_fn=_like("Conv2D"),
        cost=Cost.EXPENSIVE,
    )
)
FUSED_DEPTHWISE = register_op(
    OpDef(
        "_FusedDepthwiseConv2dNative",
        ("input: T", "filter: T", "args: num_args * T"),
        ("output: T",),
        (
            "T: {half, bfloat16, float, double}",
            "num_args: int >= 0",
            "strides: list(int)",
            "padding: {'SAME', 'VALID', 'EXPLICIT'}",
            "explicit_paddings: list(int) = []",
            "data_format: {'NHWC', 'NCHW'} = 'NHWC'",
            "dilations: list(int) = [1, 1, 1, 1]",
            *_FUSION_ATTRS,
        ),
        shape_fn=_like("DepthwiseConv2dNative"),
        cost=Cost.EXPENSIVE,
    )
)
not_differentiable("_FusedMatMul")
not_differentiable("_FusedConv2D")
not_differentiable("_FusedDepthwiseConv2dNative")


def _names(fused_ops) -> list:
    return [name.decode() if isinstance(name, bytes) else name for name in fused_ops]


def _stage(index: int, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; an exception it raises is marked with the stage."""
    try:
        return fn(*args, **kwargs)
    except Exception as err:
        if not hasattr(err, "fused_stage"):  # the innermost stage is the one at fault
            err.fused_stage = index
        raise


def _kernel_attrs(op_type: str, attrs: dict) -> dict:
    """The attrs of ``op_type``'s kernel, taken from a fused op's."""
    return {name: attrs[name] for name in get_op_def(op_type).attr_defaults if name in attrs}


def _owned(array: np.ndarray) -> np.ndarray:
    """``array`` if this kernel may write into it (a fresh product), else a copy."""
    return array if array.flags.writeable and array.base is None else array.copy()


def _check_bias(bias: np.ndarray, channels: int) -> None:
    if bias.shape != (channels,):
        raise InvalidArgumentError(
            None,
            None,
            "Must provide as many biases as the last dimension of the input tensor: "
            f"{list(bias.shape)} vs. {channels}",
        )


def _activate(name: str, y: np.ndarray, alpha: float) -> np.ndarray:
    if name == "Relu":  # clip: 2.7x faster than maximum against a scalar (numpy 2.4)
        return np.clip(y, 0, np.inf, out=y)
    if name == "Relu6":
        return np.clip(y, 0, 6, out=y)
    kernel = lookup_kernel(name, "CPU").fn
    if name == "LeakyRelu":
        return kernel(y, T=None, alpha=alpha)[0]
    return kernel(y, T=None)[0]


def _epilogue(stages: list, args: list, attrs: dict, channels: int | None):
    """The stages after the contraction (``BiasAdd`` takes ``args[0]``), checked against
    the product's last dimension (``channels``; ``None`` where the contraction's own
    checks will fail first) now, as one function that applies them in place to any
    block of the product's rows (the whole product, or a convolution's block while it
    is in cache)."""
    for index, name in enumerate(stages, 1):
        if name == "BiasAdd" and channels is not None:  # None: the contraction will fail
            _stage(index, _check_bias, args[0], channels)
        elif name not in ACTIVATIONS:
            _stage(index, _unknown, name)
    alpha = attrs["leakyrelu_alpha"]
    rows = _bias_rows(args[0]) if "BiasAdd" in stages else None

    def finish(block: np.ndarray) -> None:
        for name in stages:
            if name == "BiasAdd":
                _add_bias(block, args[0], rows)
            else:  # the pattern's last op, whatever came between
                result = _stage(-1, _activate, name, block, alpha)
                if result is not block:
                    block[...] = result

    return finish


_LONG_ROW = 4096
"""Values in a row from which numpy's broadcast add runs at full speed (it loops once
per row: rows of 96 channels ran 2x slower, measured)."""


def _bias_rows(bias: np.ndarray) -> np.ndarray:
    """``bias`` repeated to about :data:`_LONG_ROW` values (whole copies of it)."""
    return derived(np.tile, bias, max(_LONG_ROW // max(bias.size, 1), 1))


def _add_bias(block: np.ndarray, bias: np.ndarray, rows: np.ndarray) -> None:
    """``block += bias`` (one value per column), on contiguous rows regrouped into rows
    as long as ``rows`` (:func:`_bias_rows`), which holds the bias repeated.

    Examples
    --------
    >>> block, bias = np.zeros((4097, 2), np.float32), np.array([1, 2], np.float32)
    >>> _add_bias(block, bias, _bias_rows(bias))  # 2 rows of 4096 values, and one left
    >>> block.sum(axis=0), block[-1]
    (array([4097., 8194.], dtype=float32), array([1., 2.], dtype=float32))
    """
    repeat = rows.size // max(bias.size, 1)
    whole = len(block) // repeat * repeat
    if repeat < 2 or whole == 0 or not block.flags.c_contiguous:
        block += bias
        return
    grouped = block[:whole].reshape(-1, rows.size)  # a view: the block is contiguous
    grouped += rows
    block[whole:] += bias


def _unknown(name: str):
    raise InvalidArgumentError(None, None, f"Unsupported fused op: {name}")


@register_kernel("_FusedMatMul")
def fused_matmul(a, b, *args, **attrs):
    stages = _names(attrs["fused_ops"])
    matmul = lookup_kernel("MatMul", "CPU").fn
    product = _owned(_stage(0, matmul, a, b, **_kernel_attrs("MatMul", attrs))[0])
    _epilogue(stages, list(args), attrs, product.shape[-1])(product)
    return (product,)


def _fused_convolution(op_type: str):
    """The kernel of a fused ``op_type`` (``Conv2D`` or ``DepthwiseConv2dNative``): the
    registered kernel, with the stages as its epilogue on each block of output rows."""
    depthwise = op_type == "DepthwiseConv2dNative"

    def kernel(ctx, input, filter, *args, **attrs):
        stages = _names(attrs["fused_ops"])
        args = list(args[: attrs["num_args"]])
        if stages[:1] == ["FusedBatchNorm"]:
            fold = folded_depthwise_batch_norm if depthwise else folded_batch_norm
            filter, bias = _stage(1, fold, filter, *args, attrs["epsilon"])
            stages, args = ["BiasAdd", *stages[1:]], [bias]
        conv = lookup_kernel(op_type, "CPU")
        conv_attrs = _kernel_attrs(op_type, attrs)
        if conv.needs_context:  # a kernel registered over the runtime's own: no epilogue
            output = _owned(_stage(0, conv.fn, ctx, input, filter, **conv_attrs)[0])
            _epilogue(stages, args, attrs, output.shape[-1])(output)
            return (output,)
        shape = np.shape(filter)
        channels = math.prod(shape[2:]) if depthwise else shape[-1]
        finish = _epilogue(stages, args, attrs, channels if len(shape) == 4 else None)
        return _stage(0, conv.fn, input, filter, finish=finish, **conv_attrs)

    return kernel


register_kernel("_FusedConv2D", context=True)(_fused_convolution("Conv2D"))
register_kernel("_FusedDepthwiseConv2dNative", context=True)(
    _fused_convolution("DepthwiseConv2dNative")
)


def folded_depthwise_batch_norm(
    filter, scale, offset, mean, variance, epsilon: float, bias=None
) -> tuple:
    """:func:`folded_batch_norm` for a depthwise filter ``[h, w, channels, multiplier]``,
    whose output channel ``c * multiplier + m`` is filter ``[..., c, m]``.

    Examples
    --------
    >>> w = np.ones((1, 1, 2, 1), np.float32)
    >>> ones, zeros = np.ones(2, np.float32), np.zeros(2, np.float32)
    >>> folded, bias = folded_depthwise_batch_norm(w, [2, 4] * ones, ones, zeros, 3 * ones, 1.0)
    >>> folded[0, 0, :, 0], bias
    (array([1., 2.], dtype=float32), array([1., 1.], dtype=float32))
    """
    *window, channels, multiplier = filter.shape
    flat = filter.reshape(*window, 1, channels * multiplier)
    folded, bias = folded_batch_norm(flat, scale, offset, mean, variance, epsilon, bias)
    return folded.reshape(filter.shape), bias


def folded_batch_norm(filter, scale, offset, mean, variance, epsilon: float, bias=None) -> tuple:
    """``(filter, bias)`` such that ``conv(x, filter) + bias`` is an inference batch norm
    of ``conv(x, original filter) (+ original bias)`` (HWIO filter, channels last).

    Examples
    --------
    >>> w = np.ones((1, 1, 1, 2), np.float32)
    >>> ones, zeros = np.ones(2, np.float32), np.zeros(2, np.float32)
    >>> folded_batch_norm(w, 2 * ones, ones, zeros, 3 * ones, 1.0)
    (array([[[[1., 1.]]]], dtype=float32), array([1., 1.], dtype=float32))
    >>> folded_batch_norm(w, 2 * ones, ones, zeros, 3 * ones, 1.0, bias=ones)[1]
    array([2., 2.], dtype=float32)
    """
    channels = filter.shape[-1]
    named = {"scale": scale, "offset": offset, "mean": mean, "variance": variance}
    if bias is not None:
        named["bias"] = bias
    for name, vector in named.items():
        if vector.shape != (channels,):
            raise InvalidArgumentError(
                None,
                None,
                f"{name} must have the same number of elements as the channels of x, got "
                f"{vector.size} and {channels}",
            )
    factor = scale.astype(np.float32) / np.sqrt(variance.astype(np.float32) + np.float32(epsilon))
    mean = mean.astype(np.float32)
    centered = -mean if bias is None else bias.astype(np.float32) - mean
    new_bias = offset.astype(np.float32) + centered * factor
    return (filter * factor).astype(filter.dtype, copy=False), new_bias.astype(
        filter.dtype, copy=False
    )
