"""Draw a ``GraphView``: DOT through the ``graphviz`` package, SVG and PNG via ``dot``.

The picture's content comes from :func:`workbench.drawing.drawing`; this module emits
it for Graphviz (:func:`to_dot`) or, when the ``dot`` binary is missing, hands it to
the built-in layered SVG of :mod:`workbench.svg`. Name scopes are clusters; collapsed
scopes are one striped box (one stripe per colour inside); control edges are dashed;
soft-placed ops have a thick red dashed border. Every user string is escaped.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import graphviz

from . import palette, svg
from .drawing import Box, Drawing, drawing
from .view import GraphView

INSTALL_HINT = (
    "Graphviz's `dot` was not found on PATH, so the graph is drawn with a simple built-in "
    "layout. For the full picture (and PNG output) install it: `sudo apt-get install "
    "graphviz` on Debian/Ubuntu (`make system` does this)."
)
# Measured on 2 cores: dot lays out 300 boxes of a dense DAG in 0.5 s, 1,000 in 6 s, 3,000 in 2 min.
DOT_MAX_BOXES = 600
_warned = False


class GraphvizMissing(RuntimeError):
    """Raised for output only ``dot`` can make (PNG) when it is not installed."""


class GraphvizMissingWarning(UserWarning):
    """Shown once per process when drawing falls back to the built-in layout."""


# -- DOT ------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    r"""Escape ``text`` for a DOT attribute: backslashes, quotes and newlines become literal.

    Examples
    --------
    >>> print(dot_text('a\\b "c"\n<d>'))
    a\\b \"c\"\n<d>
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return graphviz.nohtml(escaped)


def to_dot(view: GraphView) -> graphviz.Digraph:
    """The view as a ``graphviz.Digraph`` (scopes as clusters, a legend, tooltips).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     with tf.control_dependencies([a]):
    ...         b = tf.constant(2.0, name="b")
    >>> "style=dashed" in to_dot(GraphView(g)).source
    True
    """
    return _emit_dot(drawing(view))


def _emit_dot(d: Drawing) -> graphviz.Digraph:
    dot = graphviz.Digraph("tfgraph", graph_attr={"rankdir": "TB", "fontname": "Helvetica"})
    dot.attr("graph", label=dot_text(d.title), labelloc="t", tooltip=dot_text(d.title or "graph"))
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.04")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", fontcolor="#555555")
    by_cluster: dict = {}
    for box in d.boxes:
        by_cluster.setdefault(box.cluster, []).append(box)
    _emit_cluster(dot, "", by_cluster, _children(by_cluster))
    for arrow in d.arrows:
        style = {"style": "dashed", "arrowhead": "odot"} if arrow.control else {}
        dot.edge(
            arrow.source,
            arrow.target,
            label=dot_text(arrow.label),
            tooltip=dot_text(arrow.tooltip),
            **style,
        )
    _emit_legend(dot, d)
    return dot


def _children(by_cluster: dict) -> dict:
    """Every open scope that holds boxes, with its ancestors, as a parent -> children map."""
    children: dict = {}
    for scope in by_cluster:
        while scope:
            parent = scope.rpartition("/")[0]
            siblings = children.setdefault(parent, [])
            if scope in siblings:
                break
            siblings.append(scope)
            scope = parent
    return children


def _emit_cluster(container, scope: str, by_cluster: dict, children: dict) -> None:
    for box in by_cluster.get(scope, []):
        _emit_box(container, box)
    for child in children.get(scope, []):
        # Cluster ids are opaque: scope names may hold characters DOT ids cannot.
        with container.subgraph(name=f"cluster_{_cluster_id(child)}") as sub:
            sub.attr(
                label=dot_text(child.rpartition("/")[2]),
                tooltip=dot_text(child),
                style="rounded",
                color="#999999",
                fontcolor="#555555",
            )
            _emit_cluster(sub, child, by_cluster, children)


def _cluster_id(scope: str) -> str:
    return scope.encode().hex()


def _emit_box(container, box: Box) -> None:
    main = box.fills[0][0]
    attrs = {
        "shape": "box",
        "fontcolor": palette.text_color(main),
        "tooltip": dot_text(box.tooltip),
    }
    if len(box.fills) > 1:
        total = sum(w for _, w in box.fills)
        attrs["fillcolor"] = ":".join(f"{c};{w / total:.3f}" for c, w in box.fills)
        styles = ["striped"]
    else:
        attrs["fillcolor"] = main
        styles = ["filled"] if box.collapsed else ["filled", "rounded"]
    if box.collapsed:
        attrs["peripheries"] = "2"
    if box.soft_placed:
        styles.append("dashed")
        attrs.update(color=palette.SOFT_PLACED, penwidth="3")
    container.node(box.id, label=dot_text(box.label), style=",".join(styles), **attrs)


def _emit_legend(dot, d: Drawing) -> None:
    if not d.legend:
        return  # an empty graph: Graphviz rejects an empty table
    rows = "".join(
        f'<tr><td bgcolor="{color}" width="14"></td><td align="left" border="0">{svg.escape(text)}</td></tr>'
        for color, text in d.legend
    )
    if d.soft_placed:
        rows += (
            f'<tr><td border="2" color="{palette.SOFT_PLACED}" style="dashed"></td>'
            '<td align="left" border="0">soft-placed</td></tr>'
        )
    table = f'<<table border="0" cellborder="1" cellspacing="2">{rows}</table>>'
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", style="rounded", color="#cccccc", tooltip="legend")
        legend.node("legend", label=table, shape="plaintext", fontsize="10")


# -- output ---------------------------------------------------------------------------


def to_svg(view: GraphView) -> str:
    """The picture as SVG text: Graphviz's layout, or the built-in one without ``dot``.

    Graphs that still have more than ``DOT_MAX_BOXES`` boxes after collapsing (many ops
    outside any name scope) get the built-in layout too: ``dot`` needs minutes for them.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0, name="c")
    >>> "</svg>" in to_svg(GraphView(g))
    True
    """
    d = drawing(view)
    if len(d.boxes) > DOT_MAX_BOXES:
        d.title = f"{d.title} (built-in layout: {len(d.boxes)} boxes are too many for Graphviz)"
        return svg.layered_svg(d)
    try:
        return _emit_dot(d).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        _warn_missing_dot()
        return svg.layered_svg(d)


def to_png(view: GraphView) -> bytes:
    """The picture as PNG bytes; needs ``dot`` (raises :class:`GraphvizMissing` without it).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0, name="c")
    >>> to_png(GraphView(g))[:4]
    b'\x89PNG'
    """
    try:
        return to_dot(view).pipe(format="png")
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            INSTALL_HINT.replace("drawn with", "only drawable as SVG by")
        ) from None


def save(view: GraphView, path) -> Path:
    """Write the picture to ``path``: ``.svg``, ``.png`` or ``.dot``/``.gv`` (DOT source).

    Examples
    --------
    >>> import runtime as tf
    >>> save(GraphView(tf.Graph()), "graph.jpg")
    Traceback (most recent call last):
    ...
    ValueError: unknown picture format: '.jpg' (must be one of .svg, .png, .dot, .gv)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(to_svg(view), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(to_png(view))
    elif suffix in (".dot", ".gv"):
        path.write_text(to_dot(view).source, encoding="utf-8")
    else:
        raise ValueError(
            f"unknown picture format: {suffix!r} (must be one of .svg, .png, .dot, .gv)"
        )
    return path


def _warn_missing_dot() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(INSTALL_HINT, GraphvizMissingWarning, stacklevel=3)
