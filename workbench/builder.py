"""``GraphBuilder``: build a graph with widgets, keep it as code.

The builder is :class:`~workbench.builder_model.BuilderModel` with pixels: every
control calls one model method, and :meth:`GraphBuilder.refresh` redraws every widget
from the model after each action. The widgets hold no semantics: the palette and its
forms come from :mod:`workbench.builder_palette`, typed text is read by
:mod:`workbench.builder_fields`, and the runtime validates every op when the model
rebuilds the graph from its recipes (:mod:`workbench.builder_recipes`).
:func:`~workbench.builder_open.recipes_of` opens any graph as recipes and
:func:`~workbench.builder_code.to_code` writes them as ``import runtime as tf`` code,
so widgets and code meet both ways.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from runtime.config import ConfigProto
from runtime.graph import Graph

from .builder_model import BuilderModel
from .builder_palette import families, palette_entries
from .builder_widgets import close_children, error_box, form_fields, offer, show_error
from .graph_widget import GraphWidget
from .view import GraphView
from .widget_view import WidgetView

__all__ = ["GraphBuilder"]
# Which error box shows which fields' refusals, beyond a field's own box.
_SHOWN_AT = {"rename": ("rename", "delete"), "run": ("run", "fetches")}


class GraphBuilder(BuilderModel, WidgetView):
    """Build a graph with widgets: a palette, a form, undo/redo, a picture, Run and code.

    Every control calls one method, so the builder is also scriptable. Actions never
    raise: a refused one leaves the graph as it was and puts its message in ``errors``
    under the field that caused it (the form shows it next to that field).

    ``close()`` closes its widgets and its session; in a notebook, so does running
    again (or deleting) the cell that made it (see :mod:`workbench.widget_view`).
    A closed builder draws nothing, but its model still answers.

    Parameters
    ----------
    graph : Graph, optional
        A graph to edit further (built in code, loaded, or from another builder); the
        builder edits its own copy, rebuilt from
        :func:`~workbench.builder_open.recipes_of`.
    config : ConfigProto, optional
        For the session that places (colours) and runs the graph; by default soft
        placement with as many CPUs as the graph asks for.

    Examples
    --------
    >>> builder = GraphBuilder()
    >>> builder.add("tf.constant", value=5.0, name="a"), builder.add("tf.constant", value=6.0, name="b")
    ('a', 'b')
    >>> builder.add("tf.multiply", ["a:0", "b:0"], name="c")
    'c'
    >>> builder.run(["c:0"])
    {'c:0': np.float32(30.0)}
    >>> builder.add("tf.matmul", ["a:0", "c:0"], name="d") is None
    True
    >>> builder.errors["b"].split(" for ")[0]
    'ValueError: Shape must be rank 2 but is rank 0'
    >>> builder.undo(); [op.name for op in builder.graph.get_operations()]
    ['a', 'b']
    """

    def __init__(self, graph: Graph | None = None, config: ConfigProto | None = None):
        super().__init__(graph, config)
        self._refreshing = False  # widget events caused by refresh() are not the user's
        self._build()
        self.refresh()
        self._close_with_cell()

    def close(self) -> None:
        """Close the widgets and the session (a later run makes a new session)."""
        BuilderModel.close(self)
        WidgetView.close(self)

    def click_add(self) -> str | None:
        """Add the op the form describes (literal fields parsed with ``ast.literal_eval``)."""
        return self.add_from_form({key: field.value for key, field in self.fields.items()})

    def run(self, fetches=None, feeds=None) -> dict | None:
        """Run the graph: ``fetches`` are tensor names (default: the fetch list's choice),
        ``feeds`` map placeholders to values or literal text (default: the feed fields).
        Returns ``{name: value}``."""
        fetches = self.fetch_list.value if fetches is None else fetches
        return super().run(fetches, self.feed_texts() if feeds is None else feeds)

    def feed_texts(self) -> dict:
        """``{placeholder tensor name: text}`` of the feed fields that are filled in."""
        return {w.description: w.value for w in self.feeds.children if w.value.strip()}

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.buttons: dict = {}
        undo, redo = self._button("Undo", self.undo), self._button("Redo", self.redo)
        self.message_box = widgets.HTML().add_class("tfgraph-builder-message")
        self.form = widgets.VBox().add_class("tfgraph-builder-form")
        self.picture = GraphWidget().add_class("tfgraph-builder-graph")
        self.code = widgets.HTML().add_class("tfgraph-builder-code")
        self.error_boxes = {key: error_box() for key in ("rename", "run")}
        self.widget = widgets.VBox(
            [
                widgets.HBox([undo, redo, self.message_box]),
                widgets.HBox([self._palette_box(), self.form]),
                self.picture,
                widgets.HBox([self._edit_box(), self._run_box()]),
                self.code,
            ]
        ).add_class("tfgraph-builder")
        self._show_form()

    def _palette_box(self) -> widgets.VBox:
        self.family = widgets.Dropdown(options=["all", *families()], description="Family")
        self.search = widgets.Text(placeholder="search ops", description="Search")
        self.search.add_class("tfgraph-builder-search")
        self.palette_list = widgets.Select(rows=12).add_class("tfgraph-builder-palette")
        for control in (self.family, self.search):
            control.observe(lambda _: self.refresh(), names="value")
        self.palette_list.observe(self._on_palette, names="value")
        box = widgets.VBox([self.family, self.search, self.palette_list])
        for control in box.children:  # side by side with the form, unclipped
            control.layout.width = "300px"
        box.layout.min_width = "310px"
        return box

    def _edit_box(self) -> widgets.VBox:
        """The node list, and rename and delete (with its confirmation) for its choice."""
        self.node_list = widgets.Select(rows=8).add_class("tfgraph-builder-nodes")
        self.node_list.observe(self._on_node, names="value")
        self.rename_text = widgets.Text(placeholder="new name").add_class("tfgraph-builder-rename")
        self.confirm_text = widgets.HTML()
        self.delete_box = widgets.HBox(
            [
                self.confirm_text,
                self._button("Confirm delete", self.confirm_delete),
                self._button("Cancel", self.cancel_delete),
            ]
        ).add_class("tfgraph-builder-confirm")
        rename = self._button("Rename", self._click_rename)
        return widgets.VBox(
            [
                self.node_list,
                widgets.HBox([self.rename_text, rename, self.error_boxes["rename"]]),
                self._button("Delete", lambda: self.request_delete(self.selected or "")),
                self.delete_box,
            ]
        )

    def _run_box(self) -> widgets.VBox:
        self.feeds = widgets.VBox().add_class("tfgraph-builder-feeds")
        self.fetch_list = widgets.SelectMultiple(description="Fetch", rows=4)
        self.fetch_list.add_class("tfgraph-builder-fetch")
        self.results_box = widgets.HTML().add_class("tfgraph-builder-results")
        run = widgets.VBox([self.feeds, self.fetch_list, self._button("Run", self.run)])
        run.children += (self.error_boxes["run"], self.results_box)
        return run

    def _show_form(self) -> None:
        """Make the chosen entry's form: ``fields`` and their error boxes, by field name."""
        if self.closed:
            return
        close_children(self.form)  # the old form's widgets leave the kernel too
        self.error_boxes = {key: self.error_boxes[key] for key in ("rename", "run")}
        self.fields = form_fields(self.entry)
        if self.entry is None:
            self.form.children = [widgets.HTML("<i>Choose an op from the palette.</i>")]
            return
        rows = [widgets.HTML(f"<b>{html.escape(self.entry.key)}</b> ({self.entry.op_type})")]
        add = self._button("Add", self.click_add)
        for key, control in [*self.fields.items(), ("op", add)]:
            control.add_class(f"tfgraph-builder-field-{key}")
            self.error_boxes[key] = error_box()
            rows.append(widgets.HBox([control, self.error_boxes[key]]))
        self.form.children = rows

    def _button(self, label: str, action) -> widgets.Button:
        """A button calling ``action``, kept in ``buttons`` (tests click them)."""
        button = widgets.Button(description=label).add_class(
            "tfgraph-builder-" + label.lower().replace(" ", "-")
        )
        button.on_click(lambda _: action())
        self.buttons[label] = button
        return button

    # -- events -------------------------------------------------------------------------

    def _click_rename(self) -> None:
        if self.rename(self.selected or "", self.rename_text.value):
            self.rename_text.value = ""

    def _on_palette(self, change) -> None:
        if not self._refreshing and change["new"] is not None:
            self.choose(change["new"])

    def _on_node(self, change) -> None:
        if not self._refreshing and change["new"] != self.selected:
            self.select(change["new"])

    # -- drawing ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw everything from the model: picture, lists, form choices, errors, code."""
        if self.closed:
            return
        # Setting a list's options or value fires its observers: they must not act.
        self._refreshing = True
        try:
            self._refresh_lists()
        finally:
            self._refreshing = False
        for key, box in self.error_boxes.items():
            show_error(box, key, self._error_for(key))
        self.picture.payload = self._picture()
        self.code.value = self._code_html()
        self.buttons["Undo"].disabled = not self.can_undo
        self.buttons["Redo"].disabled = not self.can_redo
        color = "#b00020" if self.errors else "#333333"
        self.message_box.value = f'<span style="color:{color}">{html.escape(self.message)}</span>'

    def _refresh_lists(self) -> None:
        entries = palette_entries(self.search.value, self.family.value)
        labels = [(f"{e.family}: {e.key} ({e.op_type})", e.key) for e in entries]
        offer(self.palette_list, labels, self.entry.key if self.entry else None)
        ops = self.graph.get_operations()
        tensors = [(f"{t.name} {t.dtype.name} {t.shape}", t.name) for op in ops for t in op.outputs]
        for name in self.entry.input_names if self.entry else ():
            offer(self.fields[name], tensors, self.fields[name].value)
        nodes = [(f"{op.name} ({op.type}) {op.device}".strip(), op.name) for op in ops]
        if list(self.node_list.options) != nodes:
            self.node_list.options = nodes
        self.node_list.value = self.selected
        self.delete_box.layout.display = "flex" if self.pending_delete else "none"
        self.confirm_text.value = html.escape(self.message) if self.pending_delete else ""
        self._refresh_run(ops)

    def _refresh_run(self, ops) -> None:
        placeholders = [op.outputs[0].name for op in ops if op.type == "Placeholder"]
        if [w.description for w in self.feeds.children] != placeholders:
            close_children(self.feeds)
            self.feeds.children = [
                widgets.Text(description=name, placeholder="value, e.g. [[1.0, 2.0]]")
                for name in placeholders
            ]
        offer(self.fetch_list, [t.name for op in ops for t in op.outputs], self.fetch_list.value)
        self.results_box.value = "".join(
            f'<pre data-tensor="{html.escape(name)}">{html.escape(name)} = '
            f"{html.escape(str(value))}</pre>"
            for name, value in self.results.items()
        )

    def _code_html(self) -> str:
        """The code of the graph so far, or why it cannot be written (a constant too
        big for code: the graph is still edited, run and drawn)."""
        try:
            code = self.to_code()
        except ValueError as err:
            text = html.escape(f"No code: {err}")
            return f'<pre class="tfgraph-builder-code-error" style="color:#b00020">{text}</pre>'
        return f"<pre>{html.escape(code)}</pre>"

    def _picture(self) -> dict:
        """The payload of the graph so far, coloured by placement (or by the requests,
        for a placement the config cannot make)."""
        name = "builder" if self.graph.get_operations() else "The graph is empty: add an op."
        try:
            view = GraphView(self.graph, self.session, color_by="device", name=name)
        except Exception:  # a placement the config cannot make: draw the requests instead
            view = GraphView(self.graph, color_by="device", name=name)
        return view.to_json()

    def _error_for(self, key: str) -> str | None:
        for field, message in self.errors.items():
            if field in _SHOWN_AT.get(key, (key,)) or (key == "run" and field.startswith("feed:")):
                return message
        return None
