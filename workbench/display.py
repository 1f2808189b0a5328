"""Rich display of graphs in Jupyter: ``show(graph_or_session)`` and ``GraphDisplay``.

A displayed graph carries three representations (vega5's pattern): the versioned
JSON payload the lab extension draws, an SVG for front ends without the extension,
and a text summary. Without the ``dot`` binary the SVG is the built-in layout.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from runtime.graph import Graph
from runtime.session import BaseSession

from . import render
from .labels import device_label
from .view import MIME_TYPE, GraphView

SVG_MIME = "image/svg+xml"


def mimebundle(makers: dict, include=None, exclude=None) -> dict:
    """Call the maker of each MIME type that ``include``/``exclude`` let through.

    Examples
    --------
    >>> mimebundle({"text/plain": lambda: "hi", "text/html": lambda: "<b>hi</b>"}, exclude=["text/html"])
    {'text/plain': 'hi'}
    """
    return {
        mime: make()
        for mime, make in makers.items()
        if (include is None or mime in include) and (exclude is None or mime not in exclude)
    }


class GraphDisplay:
    """A graph view that displays itself: payload, SVG and text.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0, name="c")
    >>> shown = GraphDisplay(GraphView(g))
    >>> sorted(shown._repr_mimebundle_(include=[MIME_TYPE, "text/plain"]))
    ['application/vnd.tfgraph.v1+json', 'text/plain']
    >>> sorted(shown._repr_mimebundle_(exclude=[MIME_TYPE, SVG_MIME]))
    ['text/plain']
    """

    def __init__(self, view: GraphView):
        self.view = view

    @cached_property
    def dot(self):
        """The ``graphviz.Digraph`` (its ``.source`` is the DOT text)."""
        return render.to_dot(self.view)

    @cached_property
    def _svg(self) -> str:
        return render.to_svg(self.view)

    def svg(self) -> str:
        """The picture as SVG text."""
        return self._svg

    def png(self) -> bytes:
        """The picture as PNG bytes (needs Graphviz's ``dot``)."""
        return render.to_png(self.view)

    def save(self, path):
        """Write ``.svg``, ``.png`` or ``.dot`` to ``path``; returns the path."""
        return render.save(self.view, path)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        makers = {MIME_TYPE: self.view.to_json, SVG_MIME: self.svg, "text/plain": self.__repr__}
        return mimebundle(makers, include, exclude)

    def __repr__(self):
        view = self.view
        per_device = Counter(device_label(n.device) for n in view.nodes)
        devices = ", ".join(f"{label}: {count}" for label, count in sorted(per_device.items()))
        text = f"tfgraph: {len(view.nodes)} ops, {len(view.edges)} edges ({devices or 'empty'})"
        soft = [n.name for n in view.nodes if n.soft_placed]
        if soft:
            text += f"; soft-placed: {', '.join(soft[:5])}{' …' if len(soft) > 5 else ''}"
        if view.collapsed:
            text += f"; collapsed scopes: {len(view.collapsed)}"
        return text


def show(
    graph_or_session,
    color_by: str = "device",
    collapse="auto",
    run_metadata=None,
    status=None,
    name: str = "",
) -> GraphDisplay:
    """Display a graph, coloured by where its ops run.

    Parameters
    ----------
    graph_or_session : Graph, Session or GraphView
        A session adds its placement (computed without running anything).
    color_by : {"device", "op", "scope", "time", "status"}
    collapse : "auto", None, int or list of str
        See :class:`~workbench.view.GraphView`.
    run_metadata : RunMetadata, optional
        From a traced run: compute times, for ``color_by="time"``.
    status : dict, optional
        ``{op name: status}`` for ``color_by="status"``.
    name : str
        A title.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     c = tf.constant(1.0, name="c")
    ...     sess = tf.compat.v1.Session()
    >>> show(sess)
    tfgraph: 1 ops, 0 edges (CPU:0: 1)
    >>> show(g, color_by="op").view.color_by
    'op'
    >>> sess.close()
    """
    if isinstance(graph_or_session, GraphView):
        return GraphDisplay(graph_or_session.with_options(color_by, collapse))
    session = graph_or_session if isinstance(graph_or_session, BaseSession) else None
    graph = session.graph if session is not None else graph_or_session
    if not isinstance(graph, Graph):
        raise TypeError(
            f"show() takes a Graph, a Session or a GraphView, not {type(graph).__name__}"
        )
    view = GraphView(
        graph,
        session,
        run_metadata=run_metadata,
        status=status,
        color_by=color_by,
        collapse=collapse,
        name=name,
    )
    return GraphDisplay(view)
