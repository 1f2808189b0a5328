"""Rich display of graphs in Jupyter: ``show(graph_or_session)`` and ``GraphDisplay``.

A displayed graph carries three representations (vega5's pattern): the versioned
JSON payload the lab extension draws, an SVG for front ends without the extension,
and a text summary. Each is made on its own and a display never fails: a picture
``dot`` cannot draw gets the built-in layout; a part over its size cap falls back
(the payload without attrs, the SVG of the first-sight overview) or is left out;
whatever is left out is said in one line of the text summary.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cached_property

from runtime.graph import Graph
from runtime.session import BaseSession

from . import render
from .labels import device_label
from .view import MIME_TYPE, GraphView, first_sight

SVG_MIME = "image/svg+xml"
PAYLOAD_MAX_BYTES = 4_000_000  # above this the interactive graph is left out
# Notebook files store a JSON object indented, one entry a line (about 1.5 times its
# compact text); above this the payload travels as that text, which the extension parses.
PAYLOAD_AS_TEXT_BYTES = 200_000
SVG_MAX_BYTES = 1_000_000  # above this the SVG shows the first-sight overview, or is left out


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
    ['application/vnd.tfgraph.v2+json', 'text/plain']
    >>> sorted(shown._repr_mimebundle_(exclude=[MIME_TYPE, SVG_MIME]))
    ['text/plain']
    """

    def __init__(self, view: GraphView):
        self.view = view
        self.notes: list = []  # what the last display left out, and why

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
        self.notes = []
        makers = {MIME_TYPE: self._payload_part, SVG_MIME: self._svg_part}
        bundle = {}
        for mime, part in mimebundle(makers, include, exclude).items():
            if part is not None:
                bundle[mime] = part
        if include is None or "text/plain" in include:
            bundle["text/plain"] = "\n".join([repr(self), *self.notes])
        return bundle

    def _payload_part(self) -> dict | str | None:
        try:
            payload = self.view.to_json()
            text = json.dumps(payload, separators=(",", ":"))
            if len(text) <= PAYLOAD_AS_TEXT_BYTES:
                return payload
            if len(text) <= PAYLOAD_MAX_BYTES:
                return text
            self.notes.append(f"(interactive graph left out: over {PAYLOAD_MAX_BYTES:,} bytes)")
        except Exception as err:  # a display never fails: it says why
            self.notes.append(f"(interactive graph left out: {type(err).__name__}: {err})")
        return None

    def _svg_part(self) -> str | None:
        try:
            picture = self.svg()
            if len(picture) > SVG_MAX_BYTES:
                picture = render.to_svg(self.view, expanded=first_sight(self.view.grouping))
            if len(picture) <= SVG_MAX_BYTES:
                return picture
            self.notes.append(f"(picture left out: over {SVG_MAX_BYTES:,} bytes)")
        except Exception as err:  # a display never fails: it says why
            self.notes.append(f"(picture left out: {type(err).__name__}: {err})")
        return None

    def __repr__(self):
        view = self.view
        per_device = Counter(device_label(n.device) for n in view.nodes)
        devices = ", ".join(f"{label}: {count}" for label, count in sorted(per_device.items()))
        text = f"tfgraph: {len(view.nodes)} ops, {len(view.edges)} edges ({devices or 'empty'})"
        soft = [n.name for n in view.nodes if n.soft_placed]
        if soft:
            text += f"; soft-placed: {', '.join(soft[:5])}{' …' if len(soft) > 5 else ''}"
        opened = set(view.expanded)
        closed = sum(
            g.id not in opened and (not g.parent or g.parent in opened) for g in view.groups
        )
        if closed:
            text += f"; {closed} groups closed"
        return text


def show(
    graph_or_session,
    color_by: str = "auto",
    collapse="auto",
    run_metadata=None,
    status=None,
    name: str = "",
) -> GraphDisplay:
    """Display a graph: coloured by device when it runs on several, else by op category.

    Parameters
    ----------
    graph_or_session : Graph, Session or GraphView
        A session adds its placement (computed without running anything).
    color_by : {"auto", "op", "device", "scope", "time", "status"}
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
