"""A small SVG emitter: the built-in layered graph layout (no ``dot`` needed) and the
primitives the timeline picture shares with it.

The layout is the classic layered one: strongly connected parts are merged, each box
sits in its topological generation (networkx), and each layer is ordered by the mean
position of the boxes feeding it, which removes most crossings in dataflow graphs.
"""

from __future__ import annotations

import html

import networkx as nx

from . import palette

FONT = "Helvetica, Arial, sans-serif"
_CHAR_W, _LINE_H, _PAD = 6.6, 14, 8
_LAYER_GAP, _BOX_GAP, _MARGIN = 48, 18, 16


def escape(text) -> str:
    """Escape text for SVG/XML content and attribute values.

    Examples
    --------
    >>> escape('<b a="1">&')
    '&lt;b a=&quot;1&quot;&gt;&amp;'
    """
    return html.escape(str(text), quote=True)


def document(width: float, height: float, body: list, title: str = "") -> str:
    """A standalone SVG document of ``body`` elements.

    Examples
    --------
    >>> print(document(20, 10, ['<rect width="5" height="5"/>']).splitlines()[-2])
    <rect width="5" height="5"/>
    """
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" font-size="11">'
    )
    caption = f"<title>{escape(title)}</title>" if title else ""
    return "\n".join([head, caption, *body, "</svg>"])


def text(x: float, y: float, lines, anchor: str = "middle", fill: str = "#000000", size=11) -> str:
    """Multi-line text whose first baseline is at ``y`` (content escaped).

    Examples
    --------
    >>> text(0, 10, ["a<b"], anchor="start")
    '<text x="0.0" y="10.0" text-anchor="start" fill="#000000" font-size="11"><tspan x="0.0" dy="0">a&lt;b</tspan></text>'
    """
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else _LINE_H}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" '
        f'font-size="{size}">{spans}</text>'
    )


def text_width(line: str, size: float = 11) -> float:
    """An estimate of a text line's width in pixels (no font metrics at hand).

    Examples
    --------
    >>> round(text_width("MatMul")), round(text_width("MatMul", size=22))
    (40, 79)
    """
    return len(line) * _CHAR_W * size / 11


def _layers(d) -> list:
    graph = nx.DiGraph()
    graph.add_nodes_from(box.id for box in d.boxes if not box.auxiliary)
    graph.add_edges_from((a.source, a.target) for a in d.arrows)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    generation = {
        scc: depth
        for depth, sccs in enumerate(nx.topological_generations(condensed))
        for scc in sccs
    }
    # A source (a constant, a placeholder) sits just above its first consumer, not at the top.
    for scc in generation:
        successors = [generation[s] for s in condensed.successors(scc)]
        if condensed.in_degree(scc) == 0 and successors:
            generation[scc] = min(successors) - 1
    layers: list = [[] for _ in range(max(generation.values(), default=-1) + 1)]
    main = [box for box in d.boxes if not box.auxiliary]
    for box in main:
        layers[generation[members[box.id]]].append(box)
    predecessors = {box.id: list(graph.predecessors(box.id)) for box in main}
    rank: dict = {}
    for layer in layers:
        layer.sort(key=lambda b: _barycenter(predecessors[b.id], rank))
        rank.update((box.id, i) for i, box in enumerate(layer))
    return layers


def _barycenter(sources: list, rank: dict) -> float:
    known = [rank[s] for s in sources if s in rank]
    return sum(known) / len(known) if known else float("inf")


def _box_size(box) -> tuple:
    lines = box.label.split("\n")
    width = max(60.0, max(text_width(line) for line in lines) + 2 * _PAD)
    return width, len(lines) * _LINE_H + _PAD


def layered_svg(d) -> str:
    """Draw a :class:`~workbench.drawing.Drawing` as SVG with the built-in layered layout.

    Examples
    --------
    >>> import runtime as tf
    >>> from workbench.drawing import drawing
    >>> from workbench.view import GraphView
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     b = tf.negative(tf.constant(1.0, name="a"), name="b")
    >>> picture = layered_svg(drawing(GraphView(g)))
    >>> picture.count('class="node"'), picture.count('class="edge"')
    (2, 1)
    """
    layers = _layers(d)
    side = [box for box in d.boxes if box.auxiliary]
    if side:  # the side area: one row above the graph
        layers.insert(0, side)
    sizes = {box.id: _box_size(box) for box in d.boxes}
    widths = [sum(sizes[b.id][0] for b in layer) + _BOX_GAP * (len(layer) - 1) for layer in layers]
    row_h = max((h for _, h in sizes.values()), default=0)
    legend_w = max((text_width(t) for _, t in d.legend), default=0) + 40
    graph_w = max(widths, default=0)
    top = _MARGIN + (24 if d.title else 0)
    boxes, places = [], {}
    for depth, layer in enumerate(layers):
        x = _MARGIN + (graph_w - widths[depth]) / 2
        y = top + depth * (row_h + _LAYER_GAP)
        for box in layer:
            w, h = sizes[box.id]
            places[box.id] = (x, y, w, h)
            boxes.append(_box(box, x, y, w, h))
            x += w + _BOX_GAP
    arrows = [
        _arrow(a, places[a.source], places[a.target])
        for a in d.arrows
        if a.source in places and a.target in places
    ]
    height = top + len(layers) * (row_h + _LAYER_GAP)
    legend = _legend(d, _MARGIN * 2 + graph_w, top)
    body = [_arrow_marker()]
    if d.title:
        body.append(text(_MARGIN, _MARGIN + 12, [d.title], anchor="start", size=13))
    body += arrows + boxes + legend
    legend_h = top + (len(d.legend) + 2) * 18
    return document(_MARGIN * 3 + graph_w + legend_w, max(height, legend_h), body, d.title)


def _arrow_marker() -> str:
    return (
        '<defs><marker id="tfg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>'
    )


def _box(box, x, y, w, h) -> str:
    parts = [f'<g class="node"><title>{escape(box.tooltip)}</title>']
    total = sum(weight for _, weight in box.fills)
    left = x
    for color, weight in box.fills:
        stripe = w * weight / total
        parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{stripe:.1f}" height="{h:.1f}" fill="{color}"/>'
        )
        left += stripe
    border = (
        f'stroke="{palette.SOFT_PLACED}" stroke-width="3" stroke-dasharray="6,3"'
        if box.soft_placed
        else f'stroke="#333333" stroke-width="{1 if box.kind == "op" else 2}"'
    )
    parts.append(
        f'<rect class="border" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'rx="4" fill="none" {border}/>'
    )
    fill = palette.text_color(box.fills[0][0])
    parts.append(text(x + w / 2, y + _PAD / 2 + 10, box.label.split("\n"), fill=fill))
    return "".join(parts) + "</g>"


def _arrow(arrow, source, target) -> str:
    sx, sy, sw, sh = source
    tx, ty, tw, _ = target
    x1, y1, x2, y2 = sx + sw / 2, sy + sh, tx + tw / 2, ty
    bend = max(abs(y2 - y1) / 2, _LAYER_GAP)
    dash = ' stroke-dasharray="5,3"' if arrow.control else ""
    path = (
        f'<path class="{"control" if arrow.control else "data"}" '
        f'd="M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}" '
        f'fill="none" stroke="#555555" stroke-width="{arrow.width}"{dash} '
        'marker-end="url(#tfg-arrow)"/>'
    )
    label = text(
        (x1 + x2) / 2 + 4, (y1 + y2) / 2, [arrow.label], anchor="start", fill="#555555", size=9
    )
    return f'<g class="edge"><title>{escape(arrow.tooltip)}</title>{path}{label}</g>'


def _legend(d, x: float, y: float) -> list:
    rows = [text(x, y + 10, ["legend"], anchor="start", fill="#555555")]
    entries = [(c, t, False) for c, t in d.legend] + (
        [("#ffffff", "soft-placed", True)] if d.soft_placed else []
    )
    for i, (color, label, soft) in enumerate(entries):
        top = y + 18 * (i + 1)
        stroke = (
            f'stroke="{palette.SOFT_PLACED}" stroke-width="2" stroke-dasharray="4,2"'
            if soft
            else 'stroke="#333333"'
        )
        rows.append(
            f'<g class="legend"><rect x="{x:.1f}" y="{top:.1f}" width="14" height="12" fill="{color}" {stroke}/>'
            + text(x + 20, top + 10, [label], anchor="start")
            + "</g>"
        )
    return rows
