"""What the neural-network op modules share: building their ops, and TF's window arguments.

Window ops (convolutions and pools) take TF's arguments: ``strides``, ``ksize`` and
``dilations`` as an int or a list of 1, N or N + 2 values (:func:`window_list`),
``padding`` as ``"SAME"``, ``"VALID"`` or explicit pairs (:func:`padding_attrs`),
and a ``data_format`` saying where the channels are (``NHWC`` ... or ``NCHW`` ...).
Their static output shapes use the kernels' arithmetic
(:func:`runtime.kernels.nn.windows.window_geometry`), so build time and run time
agree, and a window too large for its input fails when the op is built, with TF's
"Negative dimension size caused by subtracting 3 from 2".
"""

from __future__ import annotations

from ..graph import Tensor, graph_of
from ..kernels.nn.windows import window_geometry
from ..registry import OpDef
from ..scopes import name_scope
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor


def unary(op_def: OpDef, x, name, **attrs) -> Tensor:
    """``op_def`` of one tensor (a Python value becomes a Const named after its input)."""
    with name_scope(name, op_def.name, [x]) as scope:
        x = convert_to_tensor(x, name=op_def.input_names[0], graph=graph_of([x]))
        return apply_op(op_def, [x], scope, **attrs).outputs[0]


def apply_like(op_def: OpDef, inputs: list, op, **overrides) -> Tensor:
    """``op_def`` (a gradient's op) of ``inputs`` with the attrs it shares with ``op``.

    Named after its type, inside the gradient's name scope, as TF names them.
    """
    given = op.attrs
    attrs = {key: given[key] for key in op_def.attr_defaults if key in given}
    attrs.update(overrides)
    return apply_op(op_def, inputs, op_def.name, **attrs).outputs[0]


# -- window arguments ---------------------------------------------------------------------


def is_channels_first(data_format: str | None) -> bool:
    """``NCHW``, ``NCW``, ``NCDHW``: the channels come right after the batch."""
    return data_format is not None and data_format.startswith("NC")


def window_list(value, spatial: int, name: str, data_format: str | None = None) -> tuple:
    """TF's ``_get_sequence``: ``value`` for every dimension of an input.

    An int or one value is used on every spatial axis, ``spatial`` values are the
    spatial axes', ``spatial + 2`` values are taken as they are; the batch and channel
    entries of the first two are 1.

    Examples
    --------
    >>> window_list(2, 2, "strides"), window_list([2, 3], 2, "strides", "NCHW")
    ((1, 2, 2, 1), (1, 1, 2, 3))
    >>> window_list([1, 2, 3], 2, "ksize")
    Traceback (most recent call last):
    ...
    ValueError: ksize should be of length 1, 2 or 4. Received: ksize=[1, 2, 3] of length 3
    """
    if value is None:
        return (1,) * (spatial + 2)
    values = [value] if isinstance(value, int) else [int(v) for v in value]
    if len(values) == spatial + 2:
        return tuple(values)
    if len(values) == 1:
        values = values * spatial
    elif len(values) != spatial:
        raise ValueError(
            f"{name} should be of length 1, {spatial} or {spatial + 2}. Received: "
            f"{name}={list(value)} of length {len(values)}"
        )
    if is_channels_first(data_format):
        return (1, 1, *values)
    return (1, *values, 1)


def padding_attrs(padding, data_format: str | None, spatial: int) -> dict:
    """``padding`` and ``explicit_paddings`` attrs from TF's ``padding`` argument.

    ``padding`` is ``"SAME"``, ``"VALID"``, or explicit ``[before, after]`` pairs, one
    per dimension of the input (batch and channels included, and zero).

    Examples
    --------
    >>> padding_attrs("SAME", "NHWC", 2)
    {'padding': 'SAME', 'explicit_paddings': ()}
    >>> padding_attrs([[0, 0], [1, 2], [0, 1], [0, 0]], "NHWC", 2)["explicit_paddings"]
    (0, 0, 1, 2, 0, 1, 0, 0)
    """
    if isinstance(padding, str):
        padding = padding.upper()
        if padding not in ("SAME", "VALID"):
            raise ValueError(
                f"Value for attr 'padding' of {padding!r} is not in the list of allowed values: "
                '"SAME", "VALID"'
            )
        return {"padding": padding, "explicit_paddings": ()}
    pairs = [tuple(int(v) for v in pair) for pair in padding]
    if len(pairs) != spatial + 2 or any(len(pair) != 2 for pair in pairs):
        raise ValueError(
            f"When padding is explicit, it must be a list of {spatial + 2} pairs, got {padding}"
        )
    outer = (0, 1) if is_channels_first(data_format) else (0, spatial + 1)
    if any(pairs[axis] != (0, 0) for axis in outer):
        raise ValueError(
            f"Padding in the batch and depth dimensions must be 0. Received: padding={padding}"
        )
    return {"padding": "EXPLICIT", "explicit_paddings": tuple(v for pair in pairs for v in pair)}


def spatial_of(values, data_format: str) -> list:
    """The spatial entries of a per-dimension list (a shape, ``strides`` ...)."""
    values = list(values)
    return values[2:] if is_channels_first(data_format) else values[1:-1]


def channel_of(values, data_format: str):
    return values[1] if is_channels_first(data_format) else values[-1]


def shape_in_format(batch, spatial: list, channels, data_format: str) -> TensorShape:
    """A static shape from its parts, laid out as ``data_format`` says."""
    if is_channels_first(data_format):
        return TensorShape([batch, channels, *spatial])
    return TensorShape([batch, *spatial, channels])


def windowed_size(size, window, stride: int, dilation: int, padding: str, pads=(0, 0)):
    """One spatial dimension of a window op's static output (``None`` when unknown)."""
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    if window is None:
        return None
    span = (window - 1) * dilation + 1
    if padding == "EXPLICIT":
        size += pads[0] + pads[1]
    if size < span:
        raise ValueError(f"Negative dimension size caused by subtracting {span} from {size}")
    if padding == "EXPLICIT":
        return (size - span) // stride + 1
    return window_geometry(size, window, stride, "VALID", dilation)[0]


def spatial_output(in_shape: TensorShape, windows, attrs: dict, data_format: str) -> list:
    """The static spatial output dims of a window op over ``in_shape``.

    ``windows`` holds the window size of each spatial axis (``None`` if unknown);
    ``attrs`` the op's ``strides``, ``padding`` and, when it has them, ``dilations``
    and ``explicit_paddings``.
    """
    strides = spatial_of(attrs["strides"], data_format)
    dilations = spatial_of(attrs.get("dilations") or [1] * len(attrs["strides"]), data_format)
    explicit = attrs.get("explicit_paddings") or ()
    pads = spatial_of(list(zip(explicit[::2], explicit[1::2])), data_format) if explicit else None
    sizes = spatial_of(in_shape.as_list(), data_format)
    return [
        windowed_size(n, k, s, d, attrs["padding"], pads[i] if pads else (0, 0))
        for i, (n, k, s, d) in enumerate(zip(sizes, windows, strides, dilations))
    ]
