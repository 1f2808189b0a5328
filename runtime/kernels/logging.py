"""Kernels of the logging ops: ``Assert``, ``Print``, ``StringFormat``, ``PrintV2``.

Values are shown as TF's ``Tensor::SummarizeValue`` shows them: at most
``summarize`` elements, ``"1 2 3..."`` for ``Assert``/``Print`` and numpy-like
``"[1 2 ... 9]"`` for ``tf.print``. Output goes to the ``sys.stderr`` or
``sys.stdout`` of the moment the op runs, so notebooks and tests capture it.
"""

from __future__ import annotations

import sys

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel


def format_element(value, quote: bool = False) -> str:
    """One element as TF prints it: shortest float text that round-trips, bytes decoded.

    Examples
    --------
    >>> format_element(np.float32(0.1)), format_element(np.int64(3)), format_element(b"a")
    ('0.1', '3', 'a')
    """
    if isinstance(value, bytes | str):
        text = value.decode(errors="backslashreplace") if isinstance(value, bytes) else value
        return f'"{text}"' if quote else text
    if isinstance(value, np.bool_ | bool):
        return "1" if value else "0"
    if isinstance(value, np.floating | float):
        digits = 6 if np.asarray(value).dtype.itemsize <= 4 else 15
        text = f"{value:.{digits}g}"
        if np.asarray(value).dtype.type(text) != value:
            text = f"{value:.{digits + 3}g}"
        return text
    return str(value)


def summarize_value(value, limit: int) -> str:
    """TF1's ``SummarizeValue``: the first ``limit`` elements, rows in brackets.

    Examples
    --------
    >>> summarize_value(np.arange(5), 3), summarize_value(np.array([[1, 2], [3, 4]]), 3)
    ('0 1 2...', '[1 2][3...]...')
    """
    array = np.asarray(value)
    flat = array.reshape(-1)
    limit = flat.size if limit < 0 else min(limit, flat.size)
    if array.ndim == 0:
        text = format_element(flat[0]) if limit else ""
    else:
        text = _one_dim(array, flat, limit, [0], top=True)
    return text + ("..." if flat.size > limit else "")


def _one_dim(array, flat, limit: int, index: list, top: bool = False) -> str:
    # TF's PrintOneDim: an inner row cut short ends in "...", and so does the whole.
    if index[0] >= limit:
        return ""
    if array.ndim == 1:
        parts = []
        for _ in array:
            if index[0] >= limit:
                return " ".join(parts) + ("" if top else "...")
            parts.append(format_element(flat[index[0]]))
            index[0] += 1
        return " ".join(parts)
    text = ""
    for row in array:
        opened = index[0] < limit
        inner = _one_dim(row, flat, limit, index)
        text += f"[{inner}]" if opened else inner
    return text


def summarize_value_v2(value, limit: int) -> str:
    """``tf.print``'s form: numpy-like, eliding the middle of dims longer than 2 * limit.

    Examples
    --------
    >>> summarize_value_v2(np.arange(10), 3)
    '[0 1 2 ... 7 8 9]'
    >>> print(summarize_value_v2(np.array([[1.5, 2.0], [3.0, 4.0]]), 3))
    [[1.5 2]
     [3 4]]
    """
    array = np.asarray(value)
    if array.ndim == 0:
        return format_element(array.item(), quote=True)  # a string in quotes, as TF's
    return _nested_v2(array, limit, 1)


def _nested_v2(array, limit: int, depth: int) -> str:
    count = len(array)
    elide = 0 <= limit < count and count > 2 * limit
    shown = [*range(limit), None, *range(count - limit, count)] if elide else range(count)
    if array.ndim == 1:
        parts = ["..." if i is None else format_element(array[i], quote=True) for i in shown]
        return "[" + " ".join(parts) + "]"
    rows = ["..." if i is None else _nested_v2(array[i], limit, depth + 1) for i in shown]
    newline = "\n" * (array.ndim - 1) + " " * depth
    return "[" + newline.join(rows) + "]"


@register_kernel("Assert")
def assert_kernel(condition, *data, T, summarize: int):
    condition = np.asarray(condition)
    if condition.ndim != 0:
        raise InvalidArgumentError(None, None, f"In[0] should be a scalar: {list(condition.shape)}")
    if not condition:
        shown = " ".join(f"[{summarize_value(value, summarize)}]" for value in data)
        raise InvalidArgumentError(None, None, f"assertion failed: {shown}")
    return ()


class _Counter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0


@register_kernel("Print", context=True)
def print_kernel(ctx, input, *data, T, U, message, first_n, summarize):
    counter = ctx.resources.get_or_create("_print", ctx.op.name, _Counter)
    counter.count += 1  # TF counts prints for the session's lifetime; no undo
    if first_n < 0 or counter.count <= first_n:
        shown = "".join(f"[{summarize_value(value, summarize)}]" for value in data)
        sys.stderr.write(f"{message.decode() if isinstance(message, bytes) else message}{shown}\n")
    return (input,)


@register_kernel("StringFormat")
def string_format(*inputs, T, template, placeholder, summarize):
    pieces = template.split(placeholder)
    if len(pieces) != len(inputs) + 1:
        raise InvalidArgumentError(
            None,
            None,
            f"num placeholders in template and num inputs must match: {len(pieces) - 1} vs. "
            f"{len(inputs)}",
        )
    text = pieces[0]
    for value, piece in zip(inputs, pieces[1:]):
        text += summarize_value_v2(value, summarize) + piece
    return (np.array(text.encode(), dtype=object),)


@register_kernel("PrintV2")
def print_v2(input, *, output_stream, end):
    text = np.asarray(input).item()
    text = (text.decode() if isinstance(text, bytes) else text) + end
    if output_stream == "stdout":
        sys.stdout.write(text)
    elif output_stream == "stderr":
        sys.stderr.write(text)
    else:
        with open(output_stream.removeprefix("file://"), "a", encoding="utf-8") as stream:
            stream.write(text)
    return ()
