"""Values typed into the builder's fields, and refusals keyed by the field.

A form field holds text or a widget's value; these functions turn it into what the
builders take (dtypes, shapes, Python data) and every complaint into a
:class:`FieldError` naming the field the form shows it next to. Typed text is read
with ``ast.literal_eval``: data only, never code.
"""

from __future__ import annotations

import ast
import re

from runtime import dtypes
from runtime.errors import OpError
from runtime.registry import REQUIRED
from runtime.shapes import TensorShape

from .builder_palette import Field, PaletteEntry


class FieldError(ValueError):
    """A value the builder refused, and the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def checked(check, value, field: str):
    """``check(value)``, its ``ValueError``/``TypeError`` turned into a ``FieldError``.

    Examples
    --------
    >>> checked(int, "3", "axis")
    3
    >>> checked(int, "x", "axis")
    Traceback (most recent call last):
    ...
    workbench.builder_fields.FieldError: invalid literal for int() with base 10: 'x'
    """
    try:
        return check(value)
    except (TypeError, ValueError) as err:
        raise FieldError(field, str(err)) from None


def parse_literal(text: str):
    """A Python literal typed in a field (``ast.literal_eval``: data only, never code).

    Examples
    --------
    >>> parse_literal("[[1.0, 2.0]]"), parse_literal(" 'NHWC' ")
    ([[1.0, 2.0]], 'NHWC')
    >>> parse_literal("__import__('os')")
    Traceback (most recent call last):
    ...
    ValueError: Not a Python literal: __import__('os') (write numbers, strings, lists or None).
    """
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(
            f"Not a Python literal: {text.strip() or '(empty)'} "
            "(write numbers, strings, lists or None)."
        ) from None


def parse_shape(value) -> TensorShape | None:
    """A shape from text like ``"[None, 3]"`` (or a list); ``None``/empty is an unknown rank.

    Examples
    --------
    >>> parse_shape("[None, 3]"), parse_shape(""), parse_shape([2])
    (TensorShape([Dimension(None), Dimension(3)]), None, TensorShape([Dimension(2)]))
    """
    if isinstance(value, str):
        value = parse_literal(value) if value.strip() else None
    if value is None or isinstance(value, TensorShape):
        return value if value is None or value.rank is not None else None
    ok = isinstance(value, list | tuple) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value
    )
    if not ok:
        raise ValueError(f"A shape is a list of sizes or None, like [None, 3]; got {value!r}.")
    return TensorShape(list(value))


def checked_attrs(entry: PaletteEntry, attrs: dict) -> dict:
    """``attrs`` for ``entry``'s builder: all required ones given, dtypes and shapes parsed.

    Examples
    --------
    >>> from workbench.builder_palette import palette
    >>> checked_attrs(palette()["tf.compat.v1.placeholder"], {"dtype": "float32", "shape": "[2]"})
    {'dtype': tf.float32, 'shape': TensorShape([Dimension(2)])}
    >>> checked_attrs(palette()["tf.compat.v1.placeholder"], {})
    Traceback (most recent call last):
    ...
    workbench.builder_fields.FieldError: dtype is required.
    """
    known = {f.name: f for f in entry.fields}
    unknown = sorted(set(attrs) - set(known))
    if unknown:
        raise FieldError("op", f"{entry.key} has no attr(s) {unknown}; it has {sorted(known)}.")
    for field in entry.fields:
        if field.name not in attrs and field.default is REQUIRED:
            raise FieldError(field.name, f"{field.name} is required.")
    return {key: _normalized(known[key], value) for key, value in attrs.items()}


def _normalized(field: Field, value):
    """A field's value as the builder calls take it (dtype names and shapes parsed)."""
    if field.kind == "dtype" and value is not None:
        return checked(dtypes.as_dtype, value, field.name)
    if field.kind == "shape":
        return checked(parse_shape, value, field.name)
    return value


def form_values(entry: PaletteEntry | None, values: dict) -> tuple:
    """What a filled-in form asks to add: ``(key, inputs, name, scope, device, control
    inputs, attrs)``, from ``{field: widget value}`` (literal fields parsed).

    Examples
    --------
    >>> from workbench.builder_palette import palette
    >>> values = {"value": "[1, 2]", "dtype": "", "shape": "", "verify_shape": False}
    >>> values |= {"name": "a", "scope": "", "device": ""}
    >>> form_values(palette()["tf.constant"], values)
    ('tf.constant', [], 'a', '', '', (), {'value': [1, 2], 'dtype': None, 'shape': '', 'verify_shape': False})
    """
    if entry is None:
        raise FieldError("op", "Choose an op from the palette.")
    values = dict(values)
    inputs = [values.pop(name) for name in entry.input_names]
    attrs = {}
    for field in entry.fields:
        text = values.pop(field.name)
        if field.kind == "dtype":
            attrs[field.name] = text or None  # "" is the "(infer)" choice
        elif field.kind != "literal":
            attrs[field.name] = text
        elif text.strip():
            attrs[field.name] = checked(parse_literal, text, field.name)
    return entry.key, inputs, values["name"], values["scope"], values["device"], (), attrs


def parsed_feeds(feeds: dict) -> dict:
    """``feeds`` with literal text parsed; a bad one is refused at field ``feed:<name>``.

    Examples
    --------
    >>> parsed_feeds({"x:0": "[1.0, 2.0]", "y:0": 3})
    {'x:0': [1.0, 2.0], 'y:0': 3}
    >>> parsed_feeds({"x:0": "[1.0,"})
    Traceback (most recent call last):
    ...
    workbench.builder_fields.FieldError: x:0: Not a Python literal: [1.0, (write numbers, strings, lists or None).
    """
    parsed = {}
    for name, value in feeds.items():
        if isinstance(value, str):
            try:
                value = parse_literal(value)
            except ValueError as err:
                raise FieldError(f"feed:{name}", f"{name}: {err}") from None
        parsed[name] = value
    return parsed


def error_text(err: BaseException) -> str:
    """The message a refusal shows: the error's class and text, less where the op was made.

    Examples
    --------
    >>> error_text(ValueError("Shapes must be equal (op created at <cell 3>:1)"))
    'ValueError: Shapes must be equal'
    """
    if isinstance(err, FieldError):
        return str(err)
    # Messages end with where the op was created: here, always the builder's own call,
    # so it is left out.
    if isinstance(err, OpError):
        return f"{type(err).__name__}: {err.message}"
    text = re.sub(r" \(op created at .*\)$", "", str(err), flags=re.S)
    return f"{type(err).__name__}: {text}"
