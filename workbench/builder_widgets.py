"""The small widgets a :class:`~workbench.builder.GraphBuilder` is made of.

A field's widget follows its kind (a dtype drop-down, a checkbox, a number box or text)
and shows its default; an error box sits next to each field and is hidden while the
field has no error. These hold values and nothing else: what a value means is the
model's to decide (:mod:`workbench.builder_fields`).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from runtime import dtypes
from runtime.registry import REQUIRED

from .builder_palette import Field, PaletteEntry
from .widget_view import close_tree

# The dtypes a dtype field offers, the common ones first.
_DTYPES = (
    *(dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int32, dtypes.int64),
    *(dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64),
    *(dtypes.bool, dtypes.string, dtypes.complex64, dtypes.complex128),
)
_HINTS = {"shape": "e.g. [None, 3]", "literal": "a Python literal, e.g. [[1.0, 2.0]]"}


def field_widget(field: Field) -> widgets.Widget:
    """The widget for an attr field, showing its default.

    Examples
    --------
    >>> from workbench.builder_palette import palette
    >>> entry = palette()["tf.compat.v1.placeholder"]
    >>> [type(field_widget(f)).__name__ for f in entry.fields]
    ['Dropdown', 'Text']
    >>> field_widget(entry.field("shape")).value
    'None'
    """
    default, kind = field.default, field.kind
    if kind == "dtype":
        return _dtype_widget(field)
    if kind == "bool":
        return widgets.Checkbox(value=default is True, description=field.name, indent=False)
    if kind in ("int", "float"):
        number = widgets.IntText if kind == "int" else widgets.FloatText
        return number(value=default, description=field.name)
    if default is REQUIRED:
        text = ""
    elif kind == "text":
        text = default
    elif kind == "shape":
        text = "None" if default is None else repr(default.as_list())
    else:
        text = repr(default)
    return widgets.Text(value=text, description=field.name, placeholder=_HINTS.get(kind, ""))


def _dtype_widget(field: Field) -> widgets.Dropdown:
    """A drop-down of the dtypes ``field`` allows (of the common ones, or all of those
    when it allows none of them), and its default, chosen.

    Examples
    --------
    >>> from workbench.builder_palette import Field
    >>> menu = _dtype_widget(Field("Tidx", "dtype", REQUIRED, ("int32", "int64")))
    >>> [label for label, _ in menu.options], menu.value
    (['int32', 'int64'], tf.int32)
    """
    offered = [d for d in _DTYPES if field.choices is None or d.name in field.choices]
    offered = offered or list(_DTYPES)
    default = field.default
    if isinstance(default, dtypes.DType) and default not in offered:
        offered.append(default)  # a default of a rarer dtype (bfloat16 ...) is offered too
    options = [(d.name, d) for d in offered]
    if default is None:  # "" stands for None: a Dropdown's None means "nothing chosen"
        options.insert(0, ("(infer)", ""))
        value = ""
    elif default is REQUIRED:
        value = dtypes.float32 if dtypes.float32 in offered else offered[0]
    else:
        value = default
    return widgets.Dropdown(options=options, value=value, description=field.name)


def form_fields(entry: PaletteEntry | None) -> dict:
    """``{field name: widget}`` of ``entry``'s form: its inputs' tensor choosers, its
    attrs, then name, scope and device.

    Examples
    --------
    >>> from workbench.builder_palette import palette
    >>> list(form_fields(palette()["tf.matmul"]))[:4], list(form_fields(None))
    (['a', 'b', 'transpose_a', 'transpose_b'], [])
    """
    fields: dict = {}
    if entry is None:
        return fields
    for arg, name in zip(entry.inputs, entry.input_names):
        chooser = widgets.SelectMultiple if arg.startswith("*") else widgets.Dropdown
        fields[name] = chooser(description=name, options=[])
    for field in entry.fields:
        fields[field.name] = field_widget(field)
    for key in ("name", "scope", "device"):
        fields[key] = widgets.Text(description=key)
    return fields


def offer(chooser, options: list, value) -> None:
    """Give a selection widget ``options`` (unless it has them) and select ``value``,
    less what the options no longer hold (``value`` is a tuple for a multiple choice).

    Examples
    --------
    >>> fetch = widgets.SelectMultiple(options=["a:0", "b:0"], value=["a:0", "b:0"])
    >>> offer(fetch, ["b:0", "c:0"], fetch.value); fetch.value
    ('b:0',)
    """
    if list(chooser.options) != options:
        chooser.options = options
    offered = {option[1] if isinstance(option, tuple) else option for option in options}
    if isinstance(value, tuple):
        chooser.value = tuple(v for v in value if v in offered)
    else:
        chooser.value = value if value in offered else None


def close_children(box: widgets.Box) -> None:
    """Close ``box``'s children and all they hold (the box itself stays).

    Examples
    --------
    >>> box = widgets.VBox([widgets.HBox([widgets.Text()])])
    >>> close_children(box); box.children[0].children[0].layout.comm is None
    True
    """
    for child in box.children:
        close_tree(child)


def error_box() -> widgets.HTML:
    """A box for a field's error, hidden while there is none.

    Examples
    --------
    >>> box = error_box(); show_error(box, "x", "Choose the tensor."); box.layout.display
    'flex'
    >>> show_error(box, "x", None); box.layout.display, box.value
    ('none', '')
    """
    box = widgets.HTML()
    box.layout.display = "none"
    return box


def show_error(box: widgets.HTML, field: str, message: str | None) -> None:
    """Show ``message`` in ``box`` as field ``field``'s error, or hide the box if ``None``."""
    box.layout.display = "flex" if message else "none"
    box.value = (
        f'<span class="tfgraph-builder-error" data-field="{html.escape(field)}" '
        f'style="color:#b00020">{html.escape(message)}</span>'
        if message
        else ""
    )
