"""Benchmark: how long drawing a graph takes at 100, 1,000 and 10,000 ops.

Each graph is a small network: top-level layer scopes (alternating between two CPU
devices) of nested block scopes of ops, placed by a real session. One more graph has
10,000 ops and no scopes at all, the worst case for collapsing. Timed per graph, best
of a few repeats: building the ``GraphView`` (a new session's placement included), the
SVG that ``to_svg`` makes (Graphviz, of the first-sight picture: at most 25 boxes), and
the built-in layout used without ``dot``.

Run ``.venv/bin/python bench/bench_render.py``; it rewrites its own section of
bench/RESULTS.md.
"""

from __future__ import annotations

import datetime
import os
import platform
import time

import graphviz
from bench_common import write_section

import runtime as tf
from workbench import render, svg
from workbench.drawing import drawing
from workbench.view import GraphView

CASES = ((100, True), (1_000, True), (10_000, True), (10_000, False))  # (ops, with scopes)
REPEATS = 3


def model(ops: int, scopes: bool):
    """``ops`` ops: layers of 4 blocks of 5 chained ops each (adds of the last two values)."""
    graph = tf.Graph()
    with graph.as_default():
        values = [tf.compat.v1.placeholder(tf.float32, [None, 16], name="input")] * 2
        made, layer = 1, 0
        while made < ops:
            layer_scope = tf.name_scope(f"layer{layer}" if scopes else None)
            with layer_scope, tf.device(f"/cpu:{layer % 2}"):
                for block in range(4):
                    with tf.name_scope(f"block{block}" if scopes else None):
                        for _ in range(min(5, ops - made)):
                            values.append(tf.add(values[-1], values[-2], name="add"))
                            made += 1
            layer += 1
    return graph


def best(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def placed_view(graph) -> GraphView:
    config = tf.compat.v1.ConfigProto(device_count={"CPU": 2})
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        return GraphView(graph, session)


def measure(ops: int, scopes: bool) -> dict:
    graph = model(ops, scopes)
    view_s, view = best(lambda: placed_view(graph))
    dot_s, _ = best(lambda: render.to_svg(view))
    builtin_s, _ = best(lambda: svg.layered_svg(drawing(view)))
    return {
        "graph": f"{len(graph.get_operations()):,} ops{'' if scopes else ', no scopes'}",
        "boxes": len(drawing(view).boxes),
        "view": view_s,
        "dot": dot_s,
        "builtin": builtin_s,
    }


def table(rows: list) -> str:
    lines = [
        "| graph | boxes drawn | GraphView (with placement) | `to_svg` | built-in SVG (no `dot`) |",
        "| :--- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['graph']} | {r['boxes']} | {r['view'] * 1000:.0f} ms | {r['dot'] * 1000:.0f} ms "
        f"| {r['builtin'] * 1000:.0f} ms |"
        for r in rows
    ]
    return "\n".join(lines)


def write(rows: list) -> None:
    version = ".".join(map(str, graphviz.version()))
    lines = [
        "## Rendering a graph (bench/bench_render.py)",
        "",
        f"Machine: 2-core Debian 12 VM, Python {platform.python_version()}, Graphviz {version}; "
        f"{datetime.date.today().isoformat()}. Best of {REPEATS}. Groups open one level at a "
        "time and the first picture keeps at most 25 boxes (a graph without scopes folds "
        "into series and runs of ten), so Graphviz lays out few boxes; `to_svg` uses it up "
        f"to {render.DOT_MAX_BOXES} boxes and the built-in layout beyond. Load average while "
        f"measuring: {os.getloadavg()[0]:.1f} (other suites share the cores).",
        "",
        table(rows),
    ]
    write_section("bench_render", lines)


if __name__ == "__main__":
    rows = [measure(ops, scopes) for ops, scopes in CASES]
    print(table(rows))
    write(rows)
