"""``StepperView``: step through a run in the notebook (ipywidgets over ``runtime.stepper``).

The view is a thin controller: every button calls one method of the model
(``click_step``, ``add_breakpoint`` ...), which calls the :class:`runtime.stepper.Stepper`
and redraws. All stepping semantics live in the stepper; errors become the view's
message and never escape a click. The pure helpers (:func:`status_map`,
:func:`summarize`, :func:`heatmap_svg`) are what the tests check.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from runtime.stepper import Stepper

from . import palette, svg
from .graph_widget import GraphWidget
from .view import GraphView
from .widget_view import WidgetView

BUTTONS = ("Step", "Continue", "Run to selected", "Finish", "Reset", "Restore")
BREAKPOINT_KINDS = {"op": "op", "op type": "op_type", "scope": "scope"}
HEATMAP_MAX = 32  # 2-D values up to this many rows and columns get a heat map
_HEATMAP_PIXELS = 192  # the longer side of a heat map (cells are 6 to 24 pixels)


def status_map(stepper: Stepper) -> dict:
    """``{op name: status}`` for ``GraphView``: the stepper's states, the op that ran
    last as ``"current"`` and the op that just failed as ``"error"``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = tf.negative(tf.constant(1.0, name="a"), name="b")
    ...     sess = tf.compat.v1.Session()
    >>> stepper = sess.stepper(b)
    >>> _ = stepper.step()
    >>> status_map(stepper)
    {'a': 'current', 'b': 'next'}
    >>> sess.close()
    """
    status = stepper.states()
    last = stepper.last_event
    if last is not None and status.get(last.op.name) == "done":
        status[last.op.name] = "current"
    failed = getattr(stepper.error, "op", None)
    if failed is not None and failed.name in status:
        status[failed.name] = "error"
    return status


def summarize(value) -> dict:
    """Shape, dtype, and for numbers min/max/mean and NaN and Inf counts, plus a preview.

    Examples
    --------
    >>> s = summarize(np.array([1.0, np.nan, np.inf]))
    >>> s["shape"], s["dtype"], s["nan"], s["inf"], s["min"], s["max"]
    ((3,), 'float64', 1, 1, 1.0, 1.0)
    >>> summarize(np.array([b"a"]))["min"] is None
    True
    """
    array = np.asarray(value)
    summary = {"shape": array.shape, "dtype": str(array.dtype), "nan": 0, "inf": 0}
    summary.update(min=None, max=None, mean=None)
    if array.dtype.kind in "biuf" and array.size:
        numbers, finite = _as_floats(array)
        summary.update(nan=int(np.isnan(numbers).sum()), inf=int(np.isinf(numbers).sum()))
        if finite.size:
            summary.update(
                min=float(finite.min()), max=float(finite.max()), mean=float(finite.mean())
            )
    summary["preview"] = np.array2string(array, threshold=60, edgeitems=3, precision=4)
    return summary


def heatmap_svg(array) -> str | None:
    """A small 2-D numeric value as an SVG heat map (light = low, dark = high), else ``None``.

    Non-finite cells are drawn in the error colour.

    Examples
    --------
    >>> heatmap_svg(np.eye(2)).count("<rect")
    4
    >>> heatmap_svg(np.zeros(3)) is None
    True
    """
    array = np.asarray(array)
    rows, cols = array.shape if array.ndim == 2 else (0, 0)
    if not (0 < rows <= HEATMAP_MAX and 0 < cols <= HEATMAP_MAX) or array.dtype.kind not in "biuf":
        return None
    numbers, finite = _as_floats(array)
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    cell = max(6, min(24, _HEATMAP_PIXELS // max(rows, cols)))
    cells = []
    for (i, j), x in np.ndenumerate(numbers):
        fill = palette.sequential_color(x, low, high) if np.isfinite(x) else palette.STATUS["error"]
        cells.append(
            f'<rect x="{j * cell}" y="{i * cell}" width="{cell}" height="{cell}" '
            f'fill="{fill}"><title>[{i}, {j}] = {x:g}</title></rect>'
        )
    return svg.document(cols * cell, rows * cell, cells, title="heat map")


class StepperView(WidgetView):
    """Step through ``session.run(fetches, feed_dict)`` with buttons, a picture and an inspector.

    ``close()`` closes its widgets; in a notebook, so does running again (or deleting)
    the cell that made it (see :mod:`workbench.widget_view`). The session stays open:
    it is the caller's.

    Parameters
    ----------
    session : Session
    fetches, feed_dict
        As for ``Session.run``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = tf.negative(tf.constant([1.0, 2.0], name="a"), name="b")
    ...     sess = tf.compat.v1.Session()
    >>> view = StepperView(sess, b)
    >>> view.click_step(); view.selected, view.status["a"]
    ('a', 'current')
    >>> view.click_finish(); view.message
    'finish() returned [-1. -2.]'
    >>> sess.close()
    """

    def __init__(self, session, fetches, feed_dict=None):
        self.session = session
        self.stepper = Stepper(session, fetches, feed_dict)
        self.selected: str | None = None
        self.message = ""
        self.error: BaseException | None = None
        self._refreshing = False  # widget events caused by refresh() are not the user's
        self._build()
        self.refresh()
        self._close_with_cell()

    # -- the model: one method per control --------------------------------------------

    def click_step(self) -> None:
        self._act(self.stepper.step)

    def click_continue(self) -> None:
        self._act(self.stepper.cont)

    def click_run_to_selected(self) -> None:
        self._act(lambda: self.stepper.step_to(self._selected_op()))

    def click_finish(self) -> None:
        self._act(lambda: f"finish() returned {self.stepper.finish()}")

    def click_reset(self) -> None:
        self._act(self.stepper.reset)

    def click_restore(self) -> None:
        self._act(lambda: _pending_text("restore()", self.stepper.restore()))

    def select(self, op_name: str | None) -> None:
        """Show ``op_name`` in the inspector (and use it for "Run to selected")."""
        self.selected = op_name
        self.refresh()

    def add_breakpoint(self, kind: str, text: str = "", nan_or_inf: bool = False) -> None:
        """Add a breakpoint: ``kind`` is "op", "op type" or "scope" (``text`` names it);
        ``nan_or_inf`` makes it conditional (alone, it stops at any NaN or Inf)."""
        criteria = {BREAKPOINT_KINDS[kind]: text.strip()} if text.strip() else {}
        if nan_or_inf:
            criteria["condition"] = "has_inf_or_nan"
        self._act(lambda: self.stepper.add_breakpoint(**criteria).describe())

    def remove_breakpoint(self, index: int) -> None:
        self._act(lambda: self.stepper.remove_breakpoint(self.stepper.breakpoints[index]))

    def inject(self, tensor: str, expression: str) -> None:
        """Inject the value of ``expression`` (numbers, lists, ``np.…``, ``nan``, ``inf``)."""

        def run():
            namespace = {"__builtins__": {}, "np": np, "nan": np.nan, "inf": np.inf}
            value = eval(expression, namespace)  # the user's own kernel, like a code cell
            return _pending_text(f"inject({tensor})", self.stepper.inject(tensor, value))

        self._act(run)

    def _selected_op(self) -> str:
        if self.selected is None:
            raise ValueError("Select an op to run to.")
        return self.selected

    def _act(self, action) -> None:
        try:
            result = action()
        except Exception as err:  # shown in the view, never raised out of a click
            self.error, self.message = err, f"{type(err).__name__}: {err}"
        else:
            self.error = None
            self.message = result if isinstance(result, str) else self._progress()
            last = self.stepper.last_event
            if last is not None and not isinstance(result, str):
                self.selected = last.op.name
        self.refresh()

    def _progress(self) -> str:
        hit = self.stepper.stopped_at
        nxt = self.stepper.next
        where = f"stopped at breakpoint {hit.describe()}; " if hit else ""
        return where + (f"next: {nxt.name}" if nxt else "every op has run")

    # -- pixels -----------------------------------------------------------------------

    @property
    def status(self) -> dict:
        return status_map(self.stepper)

    def refresh(self) -> None:
        """Redraw the picture, selector, inspector, breakpoint list and message.

        A failure here (a closed session, say) is shown as the view's message,
        never swallowed: every button would otherwise silently do nothing. A closed
        view draws nothing.
        """
        if self.closed:
            return
        try:
            self._redraw()
        except Exception as err:  # shown in the view, never lost in a callback
            self.error, self.message = err, f"{type(err).__name__}: {err}"
            self._show_message()

    def _redraw(self) -> None:
        status = self.status
        view = GraphView(
            self.session.graph, self.session, status=status, color_by="status", name="stepper"
        )
        # The op that just ran shows as itself: the groups holding it open.
        at = [i for i, node in enumerate(view.nodes) if node.status in ("current", "error")]
        opened = [g for i in at for g in view.grouping.chain(i) if g not in view.expanded]
        view.expanded = view.expanded + list(dict.fromkeys(opened))
        self.graph.payload = view.to_json()
        self._refreshing = True
        try:
            if self.selector.options != tuple(status):
                self.selector.options = tuple(status)
            self.selector.value = self.selected
        finally:
            self._refreshing = False
        self.inspector.value = self.inspector_html()
        self.breakpoint_list.options = [bp.describe() for bp in self.stepper.breakpoints]
        self._show_message()

    def _show_message(self) -> None:
        color = palette.STATUS["error"] if self.error else "#333333"
        self.message_box.value = (
            f'<pre class="tfgraph-stepper-message" style="color:{color}">'
            f"{html.escape(self.message)}</pre>"
        )

    def inspector_html(self) -> str:
        """The selected op: its state and each output's summary, preview and heat map."""
        if self.selected is None:
            return "<i>Select an op.</i>"
        op = self.session.graph.get_operation_by_name(self.selected)
        parts = [f"<b>{html.escape(op.name)}</b> ({html.escape(op.type)}): {self.status[op.name]}"]
        for tensor in op.outputs:
            try:
                value = self.stepper.value(tensor)
            except ValueError:
                parts.append(f"<div>{html.escape(tensor.name)}: not computed</div>")
                continue
            parts.append(_value_html(tensor.name, value))
        return f'<div class="tfgraph-stepper-inspector" data-op="{html.escape(op.name)}">' + (
            "".join(parts) + "</div>"
        )

    def _build(self) -> None:
        self.buttons = {label: widgets.Button(description=label) for label in BUTTONS}
        actions = (
            self.click_step,
            self.click_continue,
            self.click_run_to_selected,
            self.click_finish,
            self.click_reset,
            self.click_restore,
        )
        for button, action in zip(self.buttons.values(), actions):
            button.on_click(lambda _, action=action: action())
        self.graph = GraphWidget().add_class("tfgraph-stepper-graph")
        self.graph.layout = widgets.Layout(flex="1 1 auto", min_width="0")
        self.graph.observe(self._on_pick, names="selected")
        self.selector = widgets.Dropdown(description="Op", options=[])
        self.selector.observe(self._on_select, names="value")
        self.inspector = widgets.HTML()
        self.message_box = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox(list(self.buttons.values())),
                widgets.HBox([self.graph, self._inspector_box()]),
                self._breakpoint_editor(),
                self._inject_editor(),
                self.message_box,
            ]
        ).add_class("tfgraph-stepper")

    def _on_pick(self, change) -> None:
        """An op clicked in the picture is inspected like one chosen in the list."""
        if not self._refreshing and change["new"] and change["new"] != self.selected:
            self.select(change["new"])

    def _on_select(self, change) -> None:
        if not self._refreshing and change["new"] != self.selected:
            self.select(change["new"])

    def _inspector_box(self) -> widgets.Widget:
        """The op list and the value inspector, beside the picture at a fixed width."""
        box = widgets.VBox([self.selector, self.inspector])
        box.layout = widgets.Layout(flex="0 0 340px", width="340px", overflow="auto")
        return box

    def _breakpoint_editor(self) -> widgets.Widget:
        kind = widgets.Dropdown(options=list(BREAKPOINT_KINDS), description="Break at")
        text = widgets.Text(placeholder="name (empty: any op)")
        nan = widgets.Checkbox(description="only on NaN/Inf", indent=False)
        add = widgets.Button(description="Add breakpoint")
        add.on_click(lambda _: self.add_breakpoint(kind.value, text.value, nan.value))
        self.breakpoint_list = widgets.Select(options=[], rows=3)
        remove = widgets.Button(description="Remove breakpoint")
        remove.on_click(lambda _: self.remove_breakpoint(self.breakpoint_list.index or 0))
        return widgets.VBox(
            [widgets.HBox([kind, text, nan, add]), widgets.HBox([self.breakpoint_list, remove])]
        )

    def _inject_editor(self) -> widgets.Widget:
        tensor = widgets.Text(placeholder="tensor, e.g. loss/Log:0", description="Inject")
        expression = widgets.Text(placeholder="value, e.g. [[1.0, 2.0]] or np.ones(3)")
        inject = widgets.Button(description="Inject")
        inject.on_click(lambda _: self.inject(tensor.value, expression.value))
        return widgets.HBox([tensor, expression, inject])


def _as_floats(array: np.ndarray) -> tuple:
    """A numeric array as float64, and its finite entries (flat)."""
    numbers = array.astype(np.float64)
    return numbers, numbers[np.isfinite(numbers)]


def _pending_text(what: str, ops) -> str:
    names = ", ".join(op.name for op in ops) or "nothing"
    return f"{what}: pending again: {names}"


def _value_html(name: str, value) -> str:
    s = summarize(value)
    stats = f"shape {s['shape']}, {s['dtype']}"
    if s["min"] is not None:
        stats += f", min {s['min']:.4g}, max {s['max']:.4g}, mean {s['mean']:.4g}"
    stats += f", NaN {s['nan']}, Inf {s['inf']}"
    picture = heatmap_svg(value) or ""
    return (
        f'<div class="tfgraph-stepper-value" data-tensor="{html.escape(name)}">'
        f"<div>{html.escape(name)}: {html.escape(stats)}</div>"
        f"<pre>{html.escape(s['preview'])}</pre>{picture}</div>"
    )
