"""The timeline picture of a traced run: ops as bars, one lane per device and thread.

Built from ``RunMetadata.step_stats`` (``RunOptions(trace_level=FULL_TRACE)``), drawn
as SVG with the palette's op-category colours and a legend, so an op looks the same
here and in the graph. The picture has its own white ground, so it reads in light
and dark themes alike; bars carry op names where they fit; the axis ticks are round
numbers. For Chrome's trace viewer use ``runtime.timeline.Timeline`` instead.
"""

from __future__ import annotations

import dataclasses
import math

from . import palette, svg
from .display import SVG_MIME, mimebundle
from .labels import device_label

_WIDTH = 760  # pixels for the time axis
_LANE_H, _BAR_H, _LABEL_W, _MARGIN = 26, 18, 150, 12
_LEGEND_PER_ROW = 6
_TICK_STEPS = (1, 2, 5)  # ticks at 1, 2 or 5 times a power of ten


@dataclasses.dataclass
class Bar:
    name: str
    op: str
    start_us: float  # from the first op's start
    duration_us: float


@dataclasses.dataclass
class Lane:
    device: str
    thread: int  # 0, 1 ... in order of first use on this device
    bars: list


class TimelineView:
    """Where and when each op of a traced run ran.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant(2.0, name="c") * 3.0
    ...     meta = tf.compat.v1.RunMetadata()
    ...     with tf.compat.v1.Session() as sess:
    ...         _ = sess.run(c, options=tf.compat.v1.RunOptions(trace_level=3), run_metadata=meta)
    >>> timeline = TimelineView(meta)
    >>> [(lane.device[-5:], [bar.op for bar in lane.bars]) for lane in timeline.lanes]
    [('CPU:0', ['Const', 'Const', 'Mul'])]
    >>> timeline.svg().startswith("<svg")
    True
    """

    def __init__(self, run_metadata, title: str = ""):
        self.title = title
        self.lanes = _lanes(run_metadata.step_stats)
        ends = [b.start_us + b.duration_us for lane in self.lanes for b in lane.bars]
        self.span_us = max(ends, default=0.0)

    def svg(self) -> str:
        """The picture as SVG text."""
        end = round_ticks(self.span_us)[-1] or 1.0
        scale = _WIDTH / end
        top = _MARGIN + (20 if self.title else 0)
        width = _MARGIN * 2 + _LABEL_W + _WIDTH + 40
        body = (
            [svg.text(_MARGIN, _MARGIN + 12, [self.title], anchor="start", size=13)]
            if self.title
            else []
        )
        for i, lane in enumerate(self.lanes):
            y = top + i * _LANE_H
            label = f"{device_label(lane.device)} · thread {lane.thread}"
            body.append(svg.text(_MARGIN, y + 14, [label], anchor="start"))
            body += [
                _bar(bar, _MARGIN + _LABEL_W + bar.start_us * scale, y, scale) for bar in lane.bars
            ]
        axis_y = top + len(self.lanes) * _LANE_H + 4
        body += _axis(_MARGIN + _LABEL_W, axis_y, scale)
        legend = self._legend(_MARGIN, axis_y + 34, width)
        height = axis_y + 34 + 18 * (len(legend) // _LEGEND_PER_ROW + 1)
        ground = f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
        return svg.document(width, height, [ground, *body, *legend], self.title)

    def _legend(self, x: float, y: float, width: float) -> list:
        """One swatch per op category on the bars, in the palette's order."""
        present = {palette.op_category(bar.op) for lane in self.lanes for bar in lane.bars}
        rows = []
        for i, category in enumerate(c for c in palette.CATEGORY_COLORS if c in present):
            left = x + (i % _LEGEND_PER_ROW) * (width - 2 * x) / _LEGEND_PER_ROW
            top = y + 18 * (i // _LEGEND_PER_ROW)
            rows.append(
                f'<g class="legend"><rect x="{left:.1f}" y="{top:.1f}" width="12" height="12" '
                f'fill="{palette.CATEGORY_COLORS[category]}" stroke="#333333"/>'
                + svg.text(left + 17, top + 10, [category], anchor="start")
                + "</g>"
            )
        return rows

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return mimebundle({SVG_MIME: self.svg, "text/plain": self.__repr__}, include, exclude)

    def __repr__(self):
        ops = sum(len(lane.bars) for lane in self.lanes)
        return f"timeline: {ops} ops in {self.span_us:g} µs on {len(self.lanes)} lanes"


def _lanes(step_stats) -> list:
    stats = [(d.device, n) for d in step_stats.dev_stats for n in d.node_stats]
    start = min((n.all_start_micros for _, n in stats), default=0)
    lanes: dict = {}
    threads: dict = {}
    for device, node in sorted(stats, key=lambda s: s[1].all_start_micros):
        thread = threads.setdefault(device, {}).setdefault(node.thread_id, len(threads[device]))
        lane = lanes.setdefault((device, thread), Lane(device, thread, []))
        op = node.timeline_label.partition(" = ")[2].partition("(")[0] or node.node_name
        lane.bars.append(
            Bar(node.node_name, op, node.all_start_micros - start, node.all_end_rel_micros)
        )
    return [lanes[key] for key in sorted(lanes)]


def _bar(bar: Bar, x: float, y: float, scale: float) -> str:
    width = max(bar.duration_us * scale, 2.0)
    color = palette.CATEGORY_COLORS[palette.op_category(bar.op)]
    tip = f"{bar.name} ({bar.op})\nstart +{bar.start_us:g} µs, {bar.duration_us:g} µs"
    name = bar.name.rpartition("/")[2]
    fits = svg.text_width(name, 10) + 6 < width
    label = svg.text(x + 3, y + 15, [name], anchor="start", fill=palette.text_color(color), size=10)
    return (
        f'<g class="op"><title>{svg.escape(tip)}</title>'
        f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{width:.1f}" height="{_BAR_H}" '
        f'fill="{color}" stroke="#333333" stroke-width="0.5"/>{label if fits else ""}</g>'
    )


def round_ticks(span_us: float, most: int = 8) -> list:
    """Tick values from 0 past ``span_us`` at a round step (1, 2 or 5 times a power of ten).

    Examples
    --------
    >>> round_ticks(137.0)
    [0, 20, 40, 60, 80, 100, 120, 140]
    >>> round_ticks(0.0)
    [0, 1]
    """
    if span_us <= 0:
        return [0, 1]
    power = 10 ** math.floor(math.log10(span_us))
    step = next(
        (k * p for p in (power / 10, power) for k in _TICK_STEPS if span_us / (k * p) <= most - 1),
        power * 10,
    )
    count = max(1, math.ceil(span_us / step))
    return [round(i * step, 6) if step < 1 else int(i * step) for i in range(count + 1)]


def _axis(x: float, y: float, scale: float) -> list:
    ticks = round_ticks(_WIDTH / scale)
    parts = [f'<line x1="{x}" y1="{y}" x2="{x + _WIDTH}" y2="{y}" stroke="#555555"/>']
    for value in ticks:
        tx = x + value * scale
        parts.append(f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 4}" stroke="#555555"/>')
        parts.append(svg.text(tx, y + 16, [f"{value:g} µs"], fill="#555555", size=9))
    return parts
