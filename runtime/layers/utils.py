"""Argument checks and shape arithmetic shared by the layers (Keras' ``conv_utils``),
and the lookup of activations and initializers given by name.

Messages are Keras' own, so an error reads as it does in TF.
"""

from __future__ import annotations

from ..ops import activation_ops, init_ops, math_ops

__all__ = [
    "conv_output_length",
    "deconv_output_length",
    "get_activation",
    "get_initializer",
    "normalize_data_format",
    "normalize_padding",
    "normalize_tuple",
    "tf_data_format",
]


def normalize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """``value`` (an int, or ``n`` of them) as a tuple of ``n`` positive ints.

    Examples
    --------
    >>> normalize_tuple(3, 2, "kernel_size"), normalize_tuple([1, 2], 2, "strides")
    ((3, 3), (1, 2))
    >>> normalize_tuple((1, 2, 3), 2, "strides")
    Traceback (most recent call last):
    ...
    ValueError: The `strides` argument must be a tuple of 2 integers. Received: (1, 2, 3)
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        for item in values:
            if not isinstance(item, int):
                raise ValueError(f"{message}including element {item} of type {type(item)}")
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{message} including {bad} that does not satisfy the requirement `{requirement}`."
        )
    return values


def normalize_padding(value) -> str:
    """``"valid"``, ``"same"`` or ``"causal"``, in any case."""
    padding = value.lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" (or '
            f'"causal", only for `Conv1D). Received: {padding}'
        )
    return padding


def normalize_data_format(value) -> str:
    """``"channels_last"`` (the default) or ``"channels_first"``."""
    data_format = (value or "channels_last").lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". '
            f"Received: {value}"
        )
    return data_format


def tf_data_format(data_format: str, rank: int) -> str:
    """The op-level spelling: ``NWC``/``NHWC``/``NDHWC`` or ``NCW``/``NCHW``/``NCDHW``.

    Examples
    --------
    >>> tf_data_format("channels_first", 4), tf_data_format("channels_last", 5)
    ('NCHW', 'NDHWC')
    """
    spatial = {3: "W", 4: "HW", 5: "DHW"}[rank]
    return f"NC{spatial}" if data_format == "channels_first" else f"N{spatial}C"


def conv_output_length(length, window: int, padding: str, stride: int, dilation: int = 1):
    """The length of a convolution's (or pool's) output along one spatial axis.

    Examples
    --------
    >>> conv_output_length(8, 3, "valid", 1), conv_output_length(8, 3, "same", 2)
    (6, 4)
    """
    if length is None:
        return None
    window = window + (window - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        output = length
    elif padding == "valid":
        output = length - window + 1
    else:  # "full"
        output = length + window - 1
    return (output + stride - 1) // stride


def deconv_output_length(
    length, window: int, padding: str, output_padding=None, stride=0, dilation=1
):
    """The length of a transposed convolution's output along one spatial axis.

    Examples
    --------
    >>> deconv_output_length(4, 3, "same", stride=2), deconv_output_length(4, 3, "valid", stride=2)
    (8, 9)
    """
    if length is None:
        return None
    window = window + (window - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(window - stride, 0)
        if padding == "full":
            return length * stride - (stride + window - 2)
        return length * stride
    pad = {"same": window // 2, "valid": 0, "full": window - 1}[padding]
    return (length - 1) * stride + window - 2 * pad + output_padding


def _linear(x):
    return x


# Keras' names for the activations TF1 code passes as strings.
_ACTIVATIONS = {
    "elu": activation_ops.elu,
    "linear": _linear,
    "relu": activation_ops.relu,
    "relu6": activation_ops.relu6,
    "sigmoid": math_ops.sigmoid,
    "softmax": activation_ops.softmax,
    "softplus": activation_ops.softplus,
    "tanh": math_ops.tanh,
}


def get_activation(activation):
    """A callable activation from a callable, ``None`` (none) or a Keras name.

    Examples
    --------
    >>> get_activation("relu").__name__, get_activation(None)
    ('relu', None)
    """
    if activation is None or callable(activation):
        return activation
    try:
        return _ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(f"Unknown activation function: '{activation}'.") from None


_INITIALIZERS = {
    "constant": init_ops.Constant,
    "glorot_normal": init_ops.GlorotNormal,
    "glorot_uniform": init_ops.GlorotUniform,
    "ones": init_ops.Ones,
    "random_normal": init_ops.RandomNormal,
    "random_uniform": init_ops.RandomUniform,
    "truncated_normal": init_ops.TruncatedNormal,
    "zeros": init_ops.Zeros,
}


def get_initializer(initializer):
    """An initializer from an initializer, a callable, ``None`` or a Keras name.

    Examples
    --------
    >>> type(get_initializer("zeros")).__name__
    'Zeros'
    """
    if initializer is None or callable(initializer):
        return initializer
    try:
        return _INITIALIZERS[initializer]()
    except KeyError:
        raise ValueError(f"Unknown initializer: '{initializer}'.") from None
