"""What a picture of a ``GraphView`` shows, as data: boxes, arrows and a legend.

Scopes the view collapses become one box with a stripe per colour inside; edges
between the same two boxes merge into one arrow. The DOT emitter (:mod:`.render`)
and the built-in SVG layout (:mod:`.svg`) both draw a :class:`Drawing`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from . import palette
from .labels import device_label, tensor_text
from .view import GraphView

_LEGEND_MAX = 12
_MAX_STRIPES = 4


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
            label = tensor_text(edges[0].dtype, edges[0].shape)
            tip = f"{edges[0].tensor}: {label}"
        else:
            label = f"{len(edges)} tensors"
            tip = "\n".join(f"{e.tensor}: {tensor_text(e.dtype, e.shape)}" for e in edges[:20])
        arrows.append(Arrow(source, target, control, label, tip))
    return arrows


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
