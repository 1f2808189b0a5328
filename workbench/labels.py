"""Short display text for shapes, attr values, tensors and devices.

Shared by the payload (``GraphView``), the pictures and the timeline, so a shape or a
device reads the same everywhere.
"""

from __future__ import annotations

import numpy as np

from runtime.devices import DeviceSpec
from runtime.dtypes import DType
from runtime.shapes import TensorShape

_SMALL_ARRAY = 16  # attr arrays up to this many elements are shown in full
_MAX_ATTR_TEXT = 120


def shape_text(dims) -> str:
    """A JSON shape as TF prints it: ``(?, 3)``, ``(2,)``, ``()`` or ``<unknown>``.

    Examples
    --------
    >>> shape_text([None, 3]), shape_text([2]), shape_text([]), shape_text(None)
    ('(?, 3)', '(2,)', '()', '<unknown>')
    """
    if dims is None:
        return "<unknown>"
    inner = ", ".join("?" if d is None else str(d) for d in dims)
    return f"({inner}{',' if len(dims) == 1 else ''})"


def attr_text(value) -> str:
    """An attr value as short display text; big arrays become a summary, never their data.

    Examples
    --------
    >>> import runtime as tf
    >>> attr_text(np.eye(2, dtype=np.float32)), attr_text(np.zeros((100, 100)))
    ('[[1. 0.] [0. 1.]]', '<float64 array of shape (100, 100)>')
    >>> attr_text(tf.float32), attr_text(TensorShape([None, 3])), attr_text([b"loc:@a"])
    ('float32', '(?, 3)', "['loc:@a']")
    """
    if isinstance(value, np.ndarray):
        if value.size > _SMALL_ARRAY:
            return f"<{value.dtype} array of shape {value.shape}>"
        text = " ".join(np.array2string(value, separator=" ").split())
    elif isinstance(value, DType):
        text = value.name
    elif isinstance(value, TensorShape):
        text = shape_text(value.as_tuple())
    elif isinstance(value, (list, tuple)):
        text = str([v.decode(errors="replace") if isinstance(v, bytes) else v for v in value])
    elif isinstance(value, bytes):
        text = value.decode(errors="replace")
    else:
        text = str(value)
    return text if len(text) <= _MAX_ATTR_TEXT else text[: _MAX_ATTR_TEXT - 1] + "…"


def tensor_text(dtype: str, shape) -> str:
    """``float32 (?, 3)``: how an edge is labelled.

    Examples
    --------
    >>> tensor_text("float32", [None, 3]), tensor_text("int32", None)
    ('float32 (?, 3)', 'int32 <unknown>')
    """
    return f"{dtype} {shape_text(shape)}"


def device_label(device: str) -> str:
    """A short label: ``CPU:1`` for a local device, ``worker:2 GPU:0`` for a remote one.

    Examples
    --------
    >>> device_label("/job:localhost/replica:0/task:0/device:CPU:1"), device_label("")
    ('CPU:1', 'unplaced')
    >>> device_label("/job:worker/task:2/device:GPU:0"), device_label("/job:ps")
    ('worker:2 GPU:0', '/job:ps')
    """
    if not device:
        return "unplaced"
    spec = DeviceSpec.from_string(device)
    if spec.device_type is None:
        return device
    local = spec.job in (None, "localhost") and not spec.task and not spec.replica
    index = "*" if spec.device_index is None else spec.device_index
    kind = f"{spec.device_type}:{index}"
    return kind if local else f"{spec.job or 'localhost'}:{spec.task or 0} {kind}"
