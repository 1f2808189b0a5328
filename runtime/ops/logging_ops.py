"""Logging ops: ``Assert``, TF1's ``Print`` and TF2's ``print``.

``Assert`` fails the run with ``InvalidArgumentError("assertion failed: [...] ...")``
when its condition is false. ``Print`` is an identity that prints data on the way
through; ``print`` returns an op that prints when it runs (make other ops depend on
it). Kernels: :mod:`runtime.kernels.logging`.
"""

from __future__ import annotations

import sys

from .. import dtypes, nest
from ..graph import Operation, Tensor, graph_of
from ..registry import (
    OpDef,
    TensorSpec,
    not_differentiable,
    register_gradient,
    register_op,
)
from ..shapes import TensorShape
from . import control_flow_ops
from .core import apply_op, convert_to_tensor

__all__ = ["Assert", "print"]

ASSERT = register_op(
    OpDef(
        "Assert",
        ("condition: bool", "data: T"),
        (),
        ("T: list(type) >= 1", "summarize: int = 3"),
        shape_fn=lambda condition, *data, T, summarize: [],
        is_stateful=True,
    )
)
PRINT = register_op(
    OpDef(
        "Print",
        ("input: T", "data: U"),
        ("output: T",),
        (
            "T: type",
            "U: list(type) >= 0",
            "message: string = ''",
            "first_n: int = -1",
            "summarize: int = 3",
        ),
        shape_fn=lambda input, *data, **_: [input],
        is_stateful=True,
    )
)
STRING_FORMAT = register_op(
    OpDef(
        "StringFormat",
        ("inputs: T",),
        ("output: string",),
        (
            "T: list(type) >= 0",
            "template: string = '%s'",
            "placeholder: string = '%s'",
            "summarize: int = 3",
        ),
        shape_fn=lambda *inputs, **_: [TensorSpec(dtypes.string, TensorShape([]))],
    )
)
PRINT_V2 = register_op(
    OpDef(
        "PrintV2",
        ("input: string",),
        (),
        ("output_stream: string = 'stderr'", "end: string = '\\n'"),
        shape_fn=lambda input, **_: [],
        is_stateful=True,
    )
)

not_differentiable("StringFormat")


@register_gradient("Print")
def _print_gradient(op, grad):
    return [grad] + [None] * (len(op.inputs) - 1)  # an identity for its input


def Assert(condition, data, summarize=None, name=None) -> Operation:
    """An op that fails the run when ``condition`` is false, showing ``data``.

    Parameters
    ----------
    condition : scalar bool Tensor
    data : list
        Tensors (or values) printed in the message, e.g. a string and the offending
        values.
    summarize : int, optional
        How many elements of each tensor to show (default 3).
    name : str, optional

    Returns
    -------
    Operation
        Run it, or make other ops depend on it with ``tf.control_dependencies``. As in
        TF, it is the ``Assert`` when ``data`` is strings and int32, else the ``Merge`` of
        an ``AssertGuard`` cond that runs the ``Assert`` only when ``condition`` fails.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, -2.0])
    ...     check = Assert(tf.reduce_all(x > 0.0), ["x must be positive:", x])
    ...     try:
    ...         tf.compat.v1.Session().run(check)
    ...     except tf.errors.InvalidArgumentError as err:
    ...         message = err.message
    >>> message.split(": ", 1)[1]
    'assertion failed: [x must be positive:] [1 -2]'
    """
    if not isinstance(data, list | tuple):
        raise TypeError(f"Assert's data must be a list or tuple, got {type(data).__name__}.")
    graph = graph_of([condition, *data])
    with graph.name_scope(name or "Assert"):
        condition = convert_to_tensor(condition, name="Condition")
        if condition.dtype.base_dtype != dtypes.bool:
            raise TypeError(
                f"Assert's condition must be a bool tensor, got {condition.dtype.name}: {condition}"
            )
        # As TF: the data converted once (these Consts stay unused), then again by the op.
        types = [convert_to_tensor(value).dtype.base_dtype for value in data]
        summarize = 3 if summarize is None else summarize
        if all(t in (dtypes.string, dtypes.int32) for t in types):
            return _assert(condition, data, types, summarize)
        # Other data (floats) TF guards with a cond, so the op runs only on failure:
        # the result is the guard's Merge, the failing node ``AssertGuard/Assert``.
        guard = control_flow_ops.cond(
            condition,
            control_flow_ops.no_op,
            lambda: _assert(condition, data, types, summarize),
            name="AssertGuard",
        )
        return guard.op


def _assert(condition, data, types, summarize) -> Operation:
    return apply_op(ASSERT, [condition, list(data)], "Assert", T=types, summarize=summarize)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None) -> Tensor:
    """``tf.compat.v1.Print``: ``input_`` unchanged; running it prints ``data`` to stderr.

    The line is ``message`` followed by ``[values]`` for each tensor of ``data``.

    Parameters
    ----------
    input_ : Tensor
    data : list of Tensor
    message : str, optional
    first_n : int, optional
        Print only the first ``first_n`` times the op runs in a session.
    summarize : int, optional
        Elements shown per tensor (default 3).
    name : str, optional

    Examples
    --------
    >>> import contextlib, io
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1, 2, 3, 4])
    ...     y = Print(x, [x, tf.constant("ok")], message="x: ")
    ...     err = io.StringIO()
    ...     with contextlib.redirect_stderr(err):
    ...         _ = tf.compat.v1.Session().run(y)
    >>> err.getvalue()
    'x: [1 2 3...][ok]\\n'
    """
    graph = graph_of([input_, *data])
    with graph.name_scope(name or "Print") as scope:
        input_ = convert_to_tensor(input_)
        tensors = [convert_to_tensor(value) for value in data]
        return apply_op(
            PRINT,
            [input_, tensors],
            scope,
            U=[t.dtype.base_dtype for t in tensors],
            message=message or "",
            first_n=-1 if first_n is None else first_n,
            summarize=3 if summarize is None else summarize,
        ).outputs[0]


_STREAMS = {"stderr": "stderr", "stdout": "stdout"}


def _stream_name(output_stream) -> str:
    if output_stream is None or output_stream is sys.stderr or output_stream is sys.__stderr__:
        return "stderr"
    if output_stream is sys.stdout or output_stream is sys.__stdout__:
        return "stdout"
    if isinstance(output_stream, str) and (
        output_stream in _STREAMS or output_stream.startswith("file://")
    ):
        return output_stream
    raise ValueError(
        f"Unsupported output stream, logging level, or file.{output_stream}. Supported streams "
        "are sys.stdout, sys.stderr, 'stdout', 'stderr' and 'file://<filename>'."
    )


def _printed(value, placeholder: str, tensors: list, top: bool = False) -> str:
    """``value`` as ``tf.print`` shows it, each tensor in it (in lists, tuples and dicts,
    at any depth, as TF's) ``placeholder`` for its formatted value, appended to
    ``tensors`` in the order shown. Python values inside a structure show as their
    ``repr``, as ``str`` of the structure would show them."""
    if isinstance(value, Tensor):
        tensors.append(value)
        return placeholder
    if isinstance(value, dict):  # in sorted key order, as TF's (nest's order)
        items = [f"{key!r}: {_printed(value[key], placeholder, tensors)}" for key in sorted(value)]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple) and any(
        isinstance(leaf, Tensor) for leaf in nest.flatten(value)
    ):
        items = [_printed(v, placeholder, tensors) for v in value]
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return str(value) if top else repr(value)


def print(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """``tf.print``: an op that prints ``inputs`` (tensors and Python values) when it runs.

    Tensors are shown numpy-style with at most ``summarize`` elements at each end of a
    dimension; ``output_stream`` is ``sys.stderr`` (the default, ``None``), ``sys.stdout``
    or ``"file://path"`` (appended to). The stream is looked up when the op runs, so
    redirected or captured output (notebooks, tests) gets the text.

    Returns
    -------
    Operation
        Run it, or make other ops depend on it with ``tf.control_dependencies``.

    Examples
    --------
    >>> import sys
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[1, 2], [3, 4]])
    ...     op = print("x =", x, output_stream=sys.stdout)
    ...     tf.compat.v1.Session().run(op)
    x = [[1 2]
     [3 4]]
    """
    stream = _stream_name(output_stream)
    placeholder = "{}"
    while True:  # a marker the Python values do not contain
        tensors: list = []
        template = sep.join(_printed(value, placeholder, tensors, top=True) for value in inputs)
        if template.count(placeholder) == len(tensors):
            break
        placeholder = "{" + placeholder + "}"
    graph = graph_of(tensors)
    with graph.name_scope(name or "PrintV2") as scope:
        lone = tensors[0] if len(inputs) == len(tensors) == 1 else None
        if (
            lone is not None and lone.dtype == dtypes.string and lone.shape.rank == 0
        ):  # printed as it is, as TF's (formatting would quote it)
            formatted = tensors[0]
        else:
            formatted = apply_op(
                STRING_FORMAT,
                [tensors],
                "StringFormat",
                T=[t.dtype.base_dtype for t in tensors],
                template=template,
                placeholder=placeholder,
                summarize=summarize,
            ).outputs[0]
        return apply_op(PRINT_V2, [formatted], scope, output_stream=stream, end=end)
