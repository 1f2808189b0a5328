"""Pictures from Graphviz: colours, legend, soft placement, control edges, scopes, escaping."""

import re
import time
import xml.etree.ElementTree as ET

import pytest
from conftest import scoped_graph

import runtime as tf
from workbench import palette, render
from workbench.drawing import drawing
from workbench.view import GraphView

SVG_NS = {"svg": "http://www.w3.org/2000/svg"}


def box_named(drawing, name):
    return next(b for b in drawing.boxes if b.tooltip.startswith(f"{name} ("))


def dot_line(source, box_id):
    return next(line for line in source.splitlines() if line.strip().startswith(f"u_{box_id} ["))


def test_ops_on_two_devices_get_two_colours_and_a_legend(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session)
    d = drawing(view)
    cpu0, cpu1 = palette.device_color("/cpu:0"), palette.device_color("/cpu:1")
    assert cpu0 != cpu1
    assert box_named(d, "x").fills == [(cpu0, 1)]
    assert box_named(d, "layer1/MatMul").fills == [(cpu1, 1)]
    assert d.legend == [(cpu0, "CPU:0 (4)"), (cpu1, "CPU:1 (1)")]
    source = render.to_dot(view).source
    assert f'fillcolor="{cpu1}"' in dot_line(source, box_named(d, "layer1/MatMul").id)
    assert "CPU:0 (4)" in source and "CPU:1 (1)" in source
    svg = render.to_svg(view)
    assert f'fill="{cpu0}"' in svg and f'fill="{cpu1}"' in svg and "CPU:1 (1)" in svg


def test_soft_placed_ops_are_marked(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session)
    d = drawing(view)
    soft = box_named(d, "y")
    assert soft.soft_placed and not box_named(d, "x").soft_placed
    line = dot_line(render.to_dot(view).source, soft.id)
    assert f'color="{palette.SOFT_PLACED}"' in line and "penwidth=3" in line and "dashed" in line
    assert "soft-placed: requested /device:GPU:0, got /job:localhost" in line
    assert f'stroke="{palette.SOFT_PLACED}"' in render.to_svg(view)
    assert d.soft_placed  # the legend explains the border


def test_control_edges_are_dashed_and_data_edges_labelled(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session)
    d = drawing(view)
    edges = [line for line in render.to_dot(view).source.splitlines() if "->" in line]
    dashed = [line for line in edges if "style=dashed" in line]
    assert dashed == [e for e in edges if e.strip().startswith(f"u_{box_named(d, 'init').id} ->")]
    assert len(dashed) == 1 and len(edges) == 4
    assert any('label="float32 (?, 3)"' in e for e in edges)
    svg = ET.fromstring(render.to_svg(view))
    paths = svg.findall(".//svg:g[@class='edge']//svg:path", SVG_NS)
    assert sum("stroke-dasharray" in p.attrib for p in paths) == 1


def test_scopes_are_clusters_and_collapse_to_one_box(two_devices):
    graph, session, _ = two_devices
    source = render.to_dot(GraphView(graph, session, collapse=None)).source
    assert re.search(r"subgraph cluster_g0 \{\s*\n.*label=layer1", source)
    d = drawing(GraphView(graph, session, collapse=["layer1"]))
    closed = [b for b in d.boxes if b.kind != "op"]
    assert [b.label for b in closed] == ["layer1\n2 ops"]
    # Its two ops are on two devices: two stripes; the edge inside it disappears.
    assert sorted(c for c, _ in closed[0].fills) == sorted(
        [palette.device_color("/cpu:0"), palette.device_color("/cpu:1")]
    )
    pairs = {(a.source, a.target) for a in d.arrows}
    assert pairs == {
        (box_named(d, "x").id, "g0"),
        ("g0", box_named(d, "y").id),
        (box_named(d, "init").id, box_named(d, "y").id),
    }
    line = dot_line(render.to_dot(GraphView(graph, session, collapse=["layer1"])).source, "g0")
    assert "<table" in line and line.count("<td bgcolor=") == 2  # the colour bar


def test_parallel_edges_bundle_with_a_count_and_a_width_by_bytes():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        big = tf.compat.v1.placeholder(tf.float32, [1000, 100], name="big")
        with tf.name_scope("s"):
            tf.add(x, tf.negative(x))
            tf.negative(big)
    d = drawing(GraphView(graph, collapse=["s"]))
    arrows = {d.box(a.source).label.split("\n")[0]: a for a in d.arrows}
    assert (arrows["x"].label, arrows["x"].count, arrows["x"].width) == ("2 tensors", 2, 1)
    assert arrows["x"].tooltip.count("x:0") == 2
    assert (arrows["big"].label, arrows["big"].width) == ("float32 (1000, 100)", 4)  # 400 kB
    assert "penwidth=4" in render.to_dot(GraphView(graph, collapse=["s"])).source


def test_a_big_graph_folds_and_draws_quickly():
    view = GraphView(scoped_graph(layers=50, blocks=4, ops_per_block=10))  # 2,001 ops
    d = drawing(view)
    assert len(d.boxes) <= 25
    start = time.perf_counter()
    svg = render.to_svg(view)
    assert time.perf_counter() - start < 10
    assert svg.count('class="node"') == len(d.boxes) + 1  # + the legend


def test_a_failing_dot_falls_back_to_the_built_in_layout(two_devices, monkeypatch):
    def fail(*args, **kwargs):
        raise render.graphviz.CalledProcessError(1, ["dot"], stderr=b"trouble in init_rank\nmore")

    monkeypatch.setattr(render.graphviz.Digraph, "pipe", fail)
    svg = render.to_svg(GraphView(two_devices[0], two_devices[1]))
    assert "built-in layout: Graphviz failed: trouble in init_rank" in svg
    assert svg.count('class="node"') == 5 and 'style="max-width:100%;height:auto"' in svg


def test_every_user_string_is_escaped():
    graph = tf.Graph()
    with graph.as_default(), tf.name_scope("odd>scope"):
        tf.constant('<b>"x"</b>\\n', name="we>ird\\name")
    view = GraphView(graph, color_by="scope")
    svg = render.to_svg(view)
    root = ET.fromstring(svg)  # well-formed: nothing leaked into the markup
    tooltips = "".join(a.get("{http://www.w3.org/1999/xlink}title", "") for a in root.iter())
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert '<b>"x"</b>' in tooltips and "we>ird\\name (Const)" in tooltips
    assert "we>ird\\name" in texts and "odd>scope" in texts
    assert "<b>" not in svg


def test_color_by_op_scope_and_time_use_the_payload_maps(two_devices):
    graph, session, _ = two_devices
    for color_by in ("op", "scope"):
        view = GraphView(graph, session, color_by=color_by)
        d = drawing(view)
        assert (
            box_named(d, "layer1/MatMul").fills[0][0]
            == view.colors[color_by]["math" if color_by == "op" else "layer1"]
        )
    untimed = drawing(GraphView(graph, session, color_by="time"))
    assert untimed.legend == [(palette.NEUTRAL, "no compute times (run with tracing)")]


def test_save_writes_svg_png_and_dot(two_devices, tmp_path):
    view = GraphView(two_devices[0], two_devices[1])
    assert (
        render.save(view, tmp_path / "g.svg")
        .read_text()
        .lstrip()
        .startswith(("<?xml", "<svg", "<!--"))
    )
    assert render.save(view, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix in (".gv", ".dot"):
        dot_source = render.save(view, tmp_path / f"g{suffix}").read_text()
        assert dot_source == render.to_dot(view).source
        assert dot_source.startswith("digraph tfgraph {")
    with pytest.raises(ValueError, match=r"unknown picture format: '.jpg' \(must be one of"):
        render.save(view, tmp_path / "g.jpg")


def test_graphs_too_big_for_dot_use_the_built_in_layout(two_devices, monkeypatch):
    monkeypatch.setattr(render, "DOT_MAX_BOXES", 3)
    svg = render.to_svg(GraphView(two_devices[0], two_devices[1]))
    assert "Generated by graphviz" not in svg
    assert "5 boxes are too many for Graphviz" in svg and svg.count('class="node"') == 5
