"""``WidgetView``: a view drawn by a tree of notebook widgets, and how long it lives.

The stepper, the builder and the summaries are such views. ipywidgets keeps every
widget in its registry until the widget is closed, and a view's widgets call back into
the view, so an unclosed view -- with its stepper, session and graph -- outlives the
variable that held it. Two things close one:

- ``view.close()`` closes its whole widget tree (children, layouts, styles); the view
  is then freed with its last reference.
- In a notebook, running again the cell that made the view, or deleting that cell,
  closes it (the front end clears the cell's output at the same moment). A view made
  while IPython runs a cell is kept under the cell's id: Jupyter front ends such as
  JupyterLab and Notebook 7 send it with each execute request (``metadata.cellId``),
  and IPython hands it on as the ``cell_id`` of the cell's ``ExecutionInfo``;
  JupyterLab also sends the ids of the cells deleted since (``metadata.deletedCells``).
  A front end that sends no cell id (a console) leaves closing to ``close()``.
"""

from __future__ import annotations

import weakref

import ipywidgets as widgets
from IPython import get_ipython

__all__ = ["WidgetView", "close_tree", "running_cell_id"]

# The views each cell made while it ran, by cell id. Weak: a view closed and dropped
# before its cell runs again is simply gone.
_views_of_cell: dict[str, weakref.WeakSet] = {}


def close_tree(widget: widgets.Widget) -> None:
    """Close ``widget`` and every widget it holds (children, layout, style ...).

    Examples
    --------
    >>> box = widgets.VBox([widgets.Button(description="Step")])
    >>> button = box.children[0]
    >>> close_tree(box)
    >>> [w.comm is None for w in (box, box.layout, button, button.layout, button.style)]
    [True, True, True, True, True]
    """
    pending, seen = [widget], set()
    while pending:
        widget = pending.pop()
        if id(widget) in seen:  # a widget may be held twice
            continue
        seen.add(id(widget))
        widget.close()  # open or not (the front end may have closed it), its parts may be open
        for name in widget.keys:
            value = getattr(widget, name)
            held = value if isinstance(value, list | tuple) else (value,)
            pending += [item for item in held if isinstance(item, widgets.Widget)]


def running_cell_id(shell=None) -> str | None:
    """The id of the notebook cell IPython is running now (``None`` between cells,
    outside IPython, or when the front end sent none).

    Examples
    --------
    >>> running_cell_id() is None  # no cell runs while doctests do
    True
    """
    shell = shell if shell is not None else get_ipython()
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    return getattr(getattr(result, "info", None), "cell_id", None)


class WidgetView:
    """The base of a view drawn by the widget tree ``self.widget``.

    A subclass builds ``self.widget``, then calls :meth:`_close_with_cell`.

    Examples
    --------
    >>> class Counter(WidgetView):
    ...     def __init__(self):
    ...         self.widget = widgets.VBox([widgets.Button(description="+1")])
    ...         self._close_with_cell()
    >>> view = Counter()
    >>> view.closed, "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()
    (False, True)
    >>> view.close(); view.closed, view._repr_mimebundle_()
    (True, {'text/plain': 'Counter (closed)'})
    """

    widget: widgets.Widget

    @property
    def closed(self) -> bool:
        """Whether the view's widgets were closed (by :meth:`close` or its cell's re-run)."""
        return self.widget.comm is None

    def close(self) -> None:
        """Close the view's widgets: they leave the page and ipywidgets' registry, so
        the view and what it holds live only as long as references to the view."""
        close_tree(self.widget)

    def _close_with_cell(self) -> None:
        """Close this view when the notebook cell running now runs again or is deleted."""
        shell = get_ipython()
        cell = running_cell_id(shell)
        if cell is None:
            return
        if _on_cell_start not in shell.events.callbacks["pre_run_cell"]:
            shell.events.register("pre_run_cell", _on_cell_start)
        _views_of_cell.setdefault(cell, weakref.WeakSet()).add(self)

    def _repr_mimebundle_(self, **kwargs):
        if self.closed:  # a closed widget has no picture left to show
            return {"text/plain": f"{type(self).__name__} (closed)"}
        return self.widget._repr_mimebundle_(**kwargs)


def _on_cell_start(info) -> None:
    """IPython's ``pre_run_cell``: close the views of the cell about to run again, and
    of the cells deleted since the last run."""
    deleted = (getattr(info, "cell_meta", None) or {}).get("deletedCells", ())
    for cell in (info.cell_id, *deleted):
        for view in list(_views_of_cell.pop(cell, ())):
            view.close()
