"""What a picture of a ``GraphView`` shows, as data: boxes, clusters, arrows and a legend.

The drawing contract, for a set of open groups:

- every op shows as the outermost closed group holding it, or as itself;
- an open group is a cluster; auxiliary children sit in a side cluster of their
  parent (``aux:<parent id>``, ``aux:`` at top level);
- a box is striped by the colours of the ops it stands for (at most four stripes,
  the rest neutral);
- edges between the same two boxes bundle into one arrow labelled with its tensor
  (or the count), its width 1 to 6 by the bytes it carries; an edge between the
  side area and the rest is no arrow but a *stub* on both boxes.

The DOT emitter (:mod:`.render`), the built-in SVG (:mod:`.svg`) and the lab
extension's layout (``extension/src/layout.ts``) all draw this; the golden fixtures
in ``tests/fixtures/drawings`` hold the two languages to it.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

from . import palette
from .labels import device_label, tensor_text
from .view import GraphView, dtype_size

LEGEND_MAX = 12
MAX_STRIPES = 4
WIDTH_STEPS = (1e3, 1e4, 1e5, 1e6, 1e7)  # bytes above which an arrow gets one step wider


@dataclasses.dataclass
class Box:
    """One drawn box: an op, or a closed group standing for its ops."""

    id: str  # "n<position>" for an op, the group's id for a group
    kind: str  # "op", or the group's kind
    label: str
    members: int  # ops it stands for
    fills: list  # [(colour, ops)], the stripes
    tooltip: str
    cluster: str  # the cluster it sits in ("" at top level)
    auxiliary: bool = False
    soft_placed: bool = False
    stubs: list = dataclasses.field(default_factory=list)  # ids of side-area boxes it talks to


@dataclasses.dataclass
class Cluster:
    """An open group, or a side area (``aux:<group id>``) for auxiliary boxes."""

    id: str
    label: str
    parent: str


@dataclasses.dataclass
class Arrow:
    source: str
    target: str
    control: bool
    count: int  # edges bundled
    width: int  # 1 to 6, by bytes carried
    label: str
    tooltip: str


@dataclasses.dataclass
class Drawing:
    boxes: list
    clusters: list
    arrows: list
    legend: list  # [(colour, text)]
    soft_placed: bool  # whether the legend explains the red dashed border
    title: str

    def box(self, box_id: str) -> Box:
        """The box with this id."""
        return next(b for b in self.boxes if b.id == box_id)


def drawing(view: GraphView, expanded=None) -> Drawing:
    """What to draw with the groups in ``expanded`` open (default: the view's own).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default(), tf.name_scope("s"):
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    >>> d = drawing(GraphView(g), expanded=[])
    >>> [(box.id, box.label) for box in d.boxes], d.arrows
    ([('g0', 's\\n2 ops')], [])
    >>> [box.label for box in drawing(GraphView(g)).boxes]
    ['a\\nConst', 'b\\nNeg']
    """
    expanded = set(view.expanded if expanded is None else expanded)
    grouping = view.grouping
    opened = _opened(grouping, expanded)
    boxes: dict = {}
    box_of = []
    for i, node in enumerate(view.nodes):
        closed = next((g for g in grouping.chain(i) if g not in opened), None)
        box_id = closed or f"n{i}"
        box_of.append(box_id)
        if box_id not in boxes:
            boxes[box_id] = (
                _op_box(view, i) if closed is None else _group_box(grouping.by_id[closed])
            )
        box = boxes[box_id]
        box.fills.append(view.node_color(node))
        box.soft_placed |= node.soft_placed
    for box in boxes.values():
        box.members = len(box.fills)
        box.fills = stripes(Counter(box.fills))
    side = _side_roots(view, box_of, boxes)
    arrows = _arrows(view, box_of, side, boxes)
    return Drawing(
        boxes=list(boxes.values()),
        clusters=_clusters(grouping, opened, boxes),
        arrows=arrows,
        legend=legend_entries(view),
        soft_placed=any(n.soft_placed for n in view.nodes),
        title=view.name,
    )


def _opened(grouping, expanded: set) -> set:
    """The open groups that show: open, and every enclosing group open too."""
    opened = set()
    for group in grouping.groups:  # parents come first
        if group.id in expanded and (not group.parent or group.parent in opened):
            opened.add(group.id)
    return opened


def _op_box(view: GraphView, i: int) -> Box:
    node = view.nodes[i]
    short = node.name.rpartition("/")[2]
    label = short if short == node.op else f"{short}\n{node.op}"
    container = view.grouping.group_of[i]
    auxiliary = view.grouping.auxiliary[i]
    cluster = f"aux:{container}" if auxiliary else container
    return Box(f"n{i}", "op", label, 0, [], node_tooltip(node), cluster, auxiliary)


def _group_box(group) -> Box:
    ops = "1 op" if group.op_count == 1 else f"{group.op_count} ops"
    if group.iterations is not None:
        ops += f", {group.iterations} iterations"
    cluster = f"aux:{group.parent}" if group.auxiliary else group.parent
    tooltip = f"{group.name} ({group.kind}, {ops}); click to open"
    return Box(
        group.id, group.kind, f"{group.label}\n{ops}", 0, [], tooltip, cluster, group.auxiliary
    )


def stripes(counts: Counter) -> list:
    """``[(colour, count)]``: the most common colours, the rest as one neutral stripe.

    Examples
    --------
    >>> stripes(Counter("aabcdef"))
    [('a', 2), ('b', 1), ('c', 1), ('d', 1), ('#dddddd', 2)]
    """
    top = counts.most_common(MAX_STRIPES)
    rest = sum(counts.values()) - sum(w for _, w in top)
    return top + ([(palette.NEUTRAL, rest)] if rest else [])


def _side_roots(view: GraphView, box_of: list, boxes: dict) -> dict:
    """For each box, the outermost auxiliary thing holding it (``None`` in the main area)."""
    grouping = view.grouping
    roots: dict = {}
    for i, box_id in enumerate(box_of):
        if box_id in roots:
            continue
        chain = grouping.chain(i)
        path = chain[: chain.index(box_id) + 1] if box_id in chain else chain
        root = next((g for g in path if grouping.by_id[g].auxiliary), None)
        if root is None and box_id == f"n{i}" and grouping.auxiliary[i]:
            root = box_id
        roots[box_id] = root
    return roots


def _arrows(view: GraphView, box_of: list, side: dict, boxes: dict) -> list:
    index = {node.name: i for i, node in enumerate(view.nodes)}
    bundles: dict = {}
    for edge in view.edges:
        source, target = box_of[index[edge.source]], box_of[index[edge.target]]
        if source == target:
            continue
        if side[source] != side[target]:
            _add_stub(boxes[source], target)
            _add_stub(boxes[target], source)
            continue
        bundles.setdefault((source, target, edge.kind == "control"), []).append(edge)
    return [_arrow(s, t, control, edges) for (s, t, control), edges in bundles.items()]


def _add_stub(box: Box, other: str) -> None:
    if other not in box.stubs:
        box.stubs.append(other)


def _arrow(source: str, target: str, control: bool, edges: list) -> Arrow:
    count = len(edges)
    if control:
        label = "" if count == 1 else f"{count} control"
        tip = "\n".join(f"control: {e.source} → {e.target}" for e in edges[:20])
        return Arrow(source, target, True, count, 1, label, tip)
    carried = sum(tensor_bytes(e.dtype, e.shape) for e in edges)
    width = 1 + sum(carried > step for step in WIDTH_STEPS)
    label = tensor_text(edges[0].dtype, edges[0].shape) if count == 1 else f"{count} tensors"
    tip = "\n".join(f"{e.tensor}: {tensor_text(e.dtype, e.shape)}" for e in edges[:20])
    return Arrow(source, target, False, count, width, label, tip)


def tensor_bytes(dtype: str, shape) -> int:
    """Bytes of a tensor, counting an unknown dimension (or rank) as 1.

    Examples
    --------
    >>> tensor_bytes("float32", [None, 28, 28, 1]), tensor_bytes("int64", None)
    (3136, 8)
    """
    return dtype_size(dtype) * math.prod(d or 1 for d in shape or ())


def _clusters(grouping, opened: set, boxes: dict) -> list:
    clusters = []
    sides = {b.cluster for b in boxes.values() if b.cluster.startswith("aux:")}
    for group in grouping.groups:
        if group.id in opened:
            parent = f"aux:{group.parent}" if group.auxiliary else group.parent
            if group.auxiliary:
                sides.add(parent)
            clusters.append(Cluster(group.id, group.label, parent))
    clusters += [Cluster(side, "auxiliary", side[4:]) for side in sorted(sides)]
    return clusters


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


def legend_entries(view: GraphView) -> list:
    """``[(colour, text)]`` explaining the current colouring (at most a dozen rows).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.negative(tf.constant(1.0))
    >>> legend_entries(GraphView(g, color_by="op"))
    [('#88ccee', 'math (1)'), ('#eeeebb', 'constant (1)')]
    """
    colors = view.colors[view.color_by]
    if view.color_by == "time":
        return _time_legend(view)
    counts = Counter(view.color_key(n) for n in view.nodes)
    keys = [k for k in colors if counts[k]]
    entries = [(colors[k], f"{_legend_name(view, k)} ({counts[k]})") for k in keys]
    if len(entries) > LEGEND_MAX:
        hidden = len(entries) - LEGEND_MAX + 1
        entries = [*entries[: LEGEND_MAX - 1], (palette.NEUTRAL, f"… {hidden} more")]
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
