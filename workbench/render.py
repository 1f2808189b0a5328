"""Draw a ``GraphView``: DOT through the ``graphviz`` package, SVG and PNG via ``dot``.

First the drawing as data (:func:`drawing`: the boxes, merged edges and legend that
show, after scopes collapse), then emitters: :func:`to_dot` for Graphviz and, when
the ``dot`` binary is missing, the built-in layered SVG of :mod:`workbench.svg`.
Name scopes are clusters; collapsed scopes are one striped box (one stripe per
colour inside); control edges are dashed; soft-placed ops have a thick red dashed
border. Every user string is escaped.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import Counter
from pathlib import Path

import graphviz

from . import palette, svg
from .view import GraphView, device_label, shape_text

INSTALL_HINT = (
    "Graphviz's `dot` was not found on PATH, so the graph is drawn with a simple built-in "
    "layout. For the full picture (and PNG output) install it: `sudo apt-get install "
    "graphviz` on Debian/Ubuntu (`make system` does this)."
)
# Measured on 2 cores: dot lays out 300 boxes of a dense DAG in 0.5 s, 1,000 in 6 s, 3,000 in 2 min.
DOT_MAX_BOXES = 600
_LEGEND_MAX = 12
_MAX_STRIPES = 4
_warned = False


class GraphvizMissing(RuntimeError):
    """Raised for output only ``dot`` can make (PNG) when it is not installed."""


class GraphvizMissingWarning(UserWarning):
    """Shown once per process when drawing falls back to the built-in layout."""


@dataclasses.dataclass
class Box:
    """One drawn box: an op, or a collapsed scope standing for its ops."""

    id: str
    label: str
    fills: list  # [(colour, weight)], the stripes
    tooltip: str
    cluster: str  # the open scope it sits in ('' at top level)
    soft_placed: bool = False
    collapsed: bool = False


@dataclasses.dataclass
class Arrow:
    source: str
    target: str
    control: bool
    label: str
    tooltip: str


@dataclasses.dataclass
class Drawing:
    boxes: list
    arrows: list
    legend: list  # [(colour, text)]
    soft_placed: bool  # whether the legend explains the red dashed border
    title: str


def drawing(view: GraphView) -> Drawing:
    """What to draw, after collapsing: boxes, merged arrows and legend entries.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default(), tf.name_scope("s"):
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    >>> d = drawing(GraphView(g, collapse=["s"]))
    >>> [(box.label, box.collapsed) for box in d.boxes], d.arrows
    ([('s\\n(2 ops)', True)], [])
    """
    boxes, box_of = _boxes(view)
    return Drawing(
        boxes=boxes,
        arrows=_arrows(view, box_of),
        legend=legend_entries(view),
        soft_placed=any(n.soft_placed for n in view.nodes),
        title=view.name,
    )


def _boxes(view: GraphView):
    boxes, box_of, members = [], {}, {}
    for i, node in enumerate(view.nodes):
        scope = view.unit_of(node.name)
        if scope is None:
            short = node.name.rpartition("/")[2]
            label = short if short == node.op else f"{short}\n{node.op}"
            color = view.node_color(node)
            boxes.append(
                Box(f"n{i}", label, [(color, 1)], node_tooltip(node), node.scope, node.soft_placed)
            )
            box_of[node.name] = boxes[-1]
        else:
            members.setdefault(scope, []).append(node)
    for j, (scope, nodes) in enumerate(members.items()):
        box = Box(
            f"s{j}",
            f"{scope.rpartition('/')[2]}\n({len(nodes)} ops)",
            _stripes(Counter(view.node_color(n) for n in nodes)),
            _scope_tooltip(scope, nodes),
            scope.rpartition("/")[0],
            any(n.soft_placed for n in nodes),
            collapsed=True,
        )
        boxes.append(box)
        box_of.update((n.name, box) for n in nodes)
    return boxes, box_of


def _stripes(counts: Counter) -> list:
    top = counts.most_common(_MAX_STRIPES)
    rest = sum(counts.values()) - sum(w for _, w in top)
    return top + ([(palette.NEUTRAL, rest)] if rest else [])


def _arrows(view: GraphView, box_of: dict) -> list:
    merged: dict = {}
    for edge in view.edges:
        source, target = box_of[edge.source].id, box_of[edge.target].id
        if source != target:
            merged.setdefault((source, target, edge.kind == "control"), []).append(edge)
    arrows = []
    for (source, target, control), edges in merged.items():
        if control:
            label, tip = "", f"control: {edges[0].source} → {edges[0].target}"
        elif len(edges) == 1:
            label = tip = tensor_text(edges[0].dtype, edges[0].shape)
            tip = f"{edges[0].tensor}: {tip}"
        else:
            label = f"{len(edges)} tensors"
            tip = "\n".join(f"{e.tensor}: {tensor_text(e.dtype, e.shape)}" for e in edges[:20])
        arrows.append(Arrow(source, target, control, label, tip))
    return arrows


def tensor_text(dtype: str, shape) -> str:
    """``float32 (?, 3)``: how an edge is labelled.

    Examples
    --------
    >>> tensor_text("float32", [None, 3]), tensor_text("int32", None)
    ('float32 (?, 3)', 'int32 <unknown>')
    """
    return f"{dtype} {shape_text(shape)}"


def node_tooltip(node) -> str:
    """Every detail of one op, one per line (hover text)."""
    lines = [f"{node.name} ({node.op})"]
    if node.soft_placed:
        lines.append(f"soft-placed: requested {node.requested_device}, got {node.assigned_device}")
    lines.append(f"requested device: {node.requested_device or '(none)'}")
    if node.assigned_device is not None:
        lines.append(f"assigned device: {node.assigned_device}")
    lines += [f"output {t['name']}: {tensor_text(t['dtype'], t['shape'])}" for t in node.outputs]
    lines += [f"input: {name}" for name in node.inputs]
    lines += [f"control input: ^{name}" for name in node.control_inputs]
    if node.time_us is not None:
        lines.append(f"compute time: {node.time_us:g} µs")
    if node.status is not None:
        lines.append(f"status: {node.status}")
    lines += [f"{key} = {value}" for key, value in sorted(node.attrs.items())]
    if node.created_at:
        lines.append(f"created at {node.created_at}")
    return "\n".join(lines)


def _scope_tooltip(scope: str, nodes) -> str:
    devices = Counter(device_label(n.device) for n in nodes)
    per_device = ", ".join(f"{label}: {count}" for label, count in devices.most_common())
    return f"{scope} (collapsed, {len(nodes)} ops)\ndevices: {per_device}"


def legend_entries(view: GraphView) -> list:
    """``[(colour, text)]`` explaining the current colouring (at most a dozen rows).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0)
    >>> legend_entries(GraphView(g, color_by="op"))
    [('#aa4499', 'Const (1)')]
    """
    colors = view.colors[view.color_by]
    if view.color_by == "time":
        return _time_legend(view)
    counts = Counter(view.color_key(n) for n in view.nodes)
    keys = [k for k in colors if counts[k]]
    entries = [(colors[k], f"{_legend_name(view, k)} ({counts[k]})") for k in keys]
    if len(entries) > _LEGEND_MAX:
        hidden = len(entries) - _LEGEND_MAX + 1
        entries = [*entries[: _LEGEND_MAX - 1], (palette.NEUTRAL, f"… {hidden} more")]
    return entries


def _legend_name(view: GraphView, key: str) -> str:
    if view.color_by == "device":
        return device_label(key)
    if view.color_by == "scope":
        return key or "(top level)"
    return key


def _time_legend(view: GraphView) -> list:
    times = sorted((n.time_us, n.name) for n in view.nodes if n.time_us is not None)
    if not times:
        return [(palette.NEUTRAL, "no compute times (run with tracing)")]
    colors = view.colors["time"]
    (low, fast), (high, slow) = times[0], times[-1]
    return [(colors[fast], f"{low:g} µs (fastest)"), (colors[slow], f"{high:g} µs (slowest)")]


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
    """The picture as PNG bytes; needs ``dot`` (raises :class:`GraphvizMissing` without it)."""
    try:
        return to_dot(view).pipe(format="png")
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            INSTALL_HINT.replace("drawn with", "only drawable as SVG by")
        ) from None


def save(view: GraphView, path) -> Path:
    """Write the picture to ``path``: ``.svg``, ``.png`` or ``.dot``/``.gv`` (DOT source)."""
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
