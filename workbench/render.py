"""Draw a ``GraphView``: DOT through the ``graphviz`` package, SVG and PNG via ``dot``.

The picture's content comes from :func:`workbench.drawing.drawing`; this module emits
it for Graphviz (:func:`to_dot`) or, when the ``dot`` binary is missing, hands it to
the built-in layered SVG of :mod:`workbench.svg`. Open groups are clusters, with
a side area for auxiliary boxes; closed groups are one striped box (one stripe per
colour inside); control edges are dashed; soft-placed ops have a thick red dashed
border. Every user string is escaped.
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
GROUP_FILL = "#f4f4f4"  # closed groups: dark text on light grey, their colours in a bar
STRIPE_BAR_W = 60  # pixels of a closed group's colour bar
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
    dot.attr("graph", forcelabels="true")
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.04")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", fontcolor="#555555")
    labels = {box.id: box.label.split("\n")[0] for box in d.boxes}
    boxes: dict = {}
    for box in d.boxes:
        boxes.setdefault(box.cluster, []).append(box)
    children: dict = {}
    for cluster in d.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    _emit_cluster(dot, "", boxes, children, labels)
    for arrow in d.arrows:
        style = {"style": "dashed", "arrowhead": "odot"} if arrow.control else {}
        dot.edge(
            _dot_id(arrow.source),
            _dot_id(arrow.target),
            label=dot_text(arrow.label),
            tooltip=dot_text(arrow.tooltip),
            penwidth=str(arrow.width),
            **style,
        )
    _emit_legend(dot, d)
    return dot


def _dot_id(box_id: str) -> str:
    return f"u_{box_id}"


def _emit_cluster(container, cluster: str, boxes: dict, children: dict, labels: dict) -> None:
    for box in boxes.get(cluster, []):
        _emit_box(container, box, labels)
    for child in children.get(cluster, []):
        side = child.id.startswith("aux:")
        # Cluster ids are opaque: scope names may hold characters DOT ids cannot.
        with container.subgraph(name=f"cluster_{child.id.replace(':', '_')}") as sub:
            sub.attr(
                label=dot_text(child.label),
                tooltip=dot_text(child.label),
                style="rounded,dashed" if side else "rounded",
                color="#bbbbbb" if side else "#999999",
                fontcolor="#777777" if side else "#555555",
            )
            _emit_cluster(sub, child.id, boxes, children, labels)


def stub_text(stubs: list, labels: dict) -> str:
    """The note on a box naming the side-area boxes it talks to (at most three by name).

    Examples
    --------
    >>> stub_text(["a", "b", "c", "d"], {"a": "init", "b": "save", "c": "Adam", "d": "x"})
    '⇄ init, save, Adam +1'
    """
    names = ", ".join(labels[s] for s in stubs[:3])
    return f"⇄ {names}" + (f" +{len(stubs) - 3}" if len(stubs) > 3 else "")


def _emit_box(container, box: Box, labels: dict) -> None:
    attrs = {"shape": "box", "tooltip": dot_text(box.tooltip)}
    if box.kind == "op":
        fill = box.fills[0][0]
        attrs.update(fillcolor=fill, fontcolor=palette.text_color(fill), style="filled,rounded")
        attrs["label"] = dot_text(box.label)
    else:  # a closed group: its name on white, a bar of its ops' colours below
        attrs.update(fillcolor=GROUP_FILL, style="filled", peripheries="2", margin="0.05,0.03")
        attrs["label"] = _group_label(box)
    if box.stubs and not box.auxiliary:  # the side area's own stubs would only repeat these
        attrs["xlabel"] = dot_text(stub_text(box.stubs, labels))
    if box.soft_placed:
        attrs.update(color=palette.SOFT_PLACED, penwidth="3", style=attrs["style"] + ",dashed")
    container.node(_dot_id(box.id), **attrs)


def _group_label(box: Box) -> str:
    """An HTML-like label: the text, and a bar with one cell per stripe (width by share)."""
    total = sum(w for _, w in box.fills)
    cells = "".join(
        f'<td bgcolor="{color}" width="{max(2, round(STRIPE_BAR_W * w / total))}" height="6"></td>'
        for color, w in box.fills
    )
    lines = "<br/>".join(svg.escape(line) for line in box.label.split("\n"))
    return (
        f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
        f'<tr><td colspan="{len(box.fills)}">{lines}</td></tr><tr>{cells}</tr></table>>'
    )


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


def to_svg(view: GraphView, expanded=None) -> str:
    """The picture as SVG text: Graphviz's layout, or the built-in one when ``dot`` is
    missing or fails (it does on some graphs: "trouble in init_rank").

    Drawings of more than ``DOT_MAX_BOXES`` boxes get the built-in layout too: ``dot``
    needs minutes for them. The SVG shrinks to the width of the cell.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0, name="c")
    >>> "</svg>" in to_svg(GraphView(g))
    True
    """
    d = drawing(view, expanded)
    if len(d.boxes) > DOT_MAX_BOXES:
        d.title = f"{d.title} (built-in layout: {len(d.boxes)} boxes are too many for Graphviz)"
        return _fit_to_cell(svg.layered_svg(d))
    try:
        return _fit_to_cell(_emit_dot(d).pipe(format="svg", encoding="utf-8"))
    except graphviz.ExecutableNotFound:
        _warn_missing_dot()
    except graphviz.CalledProcessError as err:
        reason = (err.stderr or b"").decode(errors="replace").strip().splitlines()[:1]
        d.title = f"{d.title} (built-in layout: Graphviz failed: {' '.join(reason) or err})"
    return _fit_to_cell(svg.layered_svg(d))


def _fit_to_cell(picture: str) -> str:
    """Let the SVG shrink to the cell's width, keeping its proportions (never grow)."""
    head_end = picture.index(">", picture.index("<svg"))
    head = picture[:head_end]
    return head + ' style="max-width:100%;height:auto"' + picture[head_end:]


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
