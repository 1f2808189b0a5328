"""networkx export, the display object, and the timeline picture."""

import json
import re

import networkx as nx
import numpy as np
import pytest
from conftest import CPU1, validate

import runtime as tf
from workbench import GraphDisplay, TimelineView, from_networkx, palette, show, to_networkx
from workbench import display as display_module
from workbench.timeline_view import round_ticks
from workbench.view import MIME_TYPE, GraphView


def test_to_networkx_keeps_ops_devices_and_tensors(two_devices):
    graph, session, _ = two_devices
    G = to_networkx(GraphView(graph, session))
    assert set(G) == {op.name for op in graph.get_operations()}
    matmul = G.nodes["layer1/MatMul"]
    assert (matmul["op"], matmul["requested_device"], matmul["assigned_device"]) == (
        "MatMul",
        "/device:CPU:1",
        CPU1,
    )
    assert (matmul["dtype"], matmul["shape"]) == ("float32", [None, 2])
    assert G.edges["x", "layer1/MatMul"] == {
        "control": False,
        "tensor": "x:0",
        "dtype": "float32",
        "shape": [None, 3],
    }
    assert G.edges["init", "y"]["control"] is True
    assert nx.is_directed_acyclic_graph(G)
    assert nx.ancestors(G, "y") == {"x", "layer1/w", "layer1/MatMul", "init"}


def test_networkx_round_trip_gives_the_same_payload(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session, name="round trip")
    again = from_networkx(to_networkx(view))
    assert again.to_json() == view.to_json()


def test_an_op_reading_one_tensor_twice_is_one_edge_but_two_inputs():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(1.0, name="x")
        tf.add(x, x, name="twice")
    G = to_networkx(graph)
    assert G.number_of_edges() == 1 and G.nodes["twice"]["inputs"] == ["x:0", "x:0"]
    assert len(from_networkx(G).edges) == 2


def test_display_bundle_has_payload_svg_and_text(two_devices):
    session = two_devices[1]
    shown = show(session, name="cell")
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {MIME_TYPE, "image/svg+xml", "text/plain"}
    validate(bundle[MIME_TYPE])
    assert "<svg" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == ("tfgraph: 5 ops, 4 edges (CPU:0: 4, CPU:1: 1); soft-placed: y")
    assert shown._repr_mimebundle_(include=["text/plain"]) == {"text/plain": bundle["text/plain"]}


def test_show_takes_graphs_sessions_and_views(two_devices, tmp_path):
    graph, session, _ = two_devices
    assert all(n.assigned_device is None for n in show(graph).view.nodes)
    view = GraphView(graph, session)
    recoloured = show(view, color_by="op", collapse=["layer1"])
    assert recoloured.view.color_by == "op" and recoloured.view.expanded == []
    assert recoloured.view.nodes[0] is view.nodes[0]  # no recomputation
    saved = show(graph).save(tmp_path / "g.svg").read_text(encoding="utf-8")
    assert saved == show(graph).svg() and saved.rstrip().endswith("</svg>")
    assert show(graph).png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert isinstance(show(graph), GraphDisplay) and show(graph).dot.source.startswith("digraph")
    with pytest.raises(
        TypeError, match="show\\(\\) takes a Graph, a Session or a GraphView, not int"
    ):
        show(3)


def test_timeline_has_a_lane_per_device_and_thread(two_devices):
    _, session, t = two_devices
    meta = tf.compat.v1.RunMetadata()
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    session.run(t["y"], {t["x"]: np.ones((2, 3))}, options, meta)
    timeline = TimelineView(meta)
    lanes = {
        (lane.device[-5:], lane.thread): [b.name for b in lane.bars] for lane in timeline.lanes
    }
    assert sorted(name for names in lanes.values() for name in names) == [
        "init",
        "layer1/MatMul",
        "layer1/w",
        "y",
    ]
    assert lanes[("CPU:1", 0)] == ["layer1/MatMul"]
    bars = [b for lane in timeline.lanes for b in lane.bars]
    assert min(b.start_us for b in bars) == 0 and timeline.span_us >= max(b.start_us for b in bars)
    svg = timeline.svg()
    assert svg.count('class="op"') == 4 and "CPU:1 · thread 0" in svg
    assert f'fill="{palette.CATEGORY_COLORS["math"]}"' in svg  # MatMul, as in the graph
    assert '<rect width="974"' in svg and 'fill="#ffffff"/>' in svg  # its own white ground
    assert svg.count('class="legend"') == len({palette.op_category(b.op) for b in bars})
    ticks = re.findall(r">([\d.]+) µs<", svg)
    assert ticks[0] == "0" and all(
        float(t) % round_ticks(timeline.span_us)[1] < 1e-9 for t in ticks
    )
    assert set(timeline._repr_mimebundle_()) == {"image/svg+xml", "text/plain"}


def test_each_part_of_a_display_fails_on_its_own_and_says_why(two_devices, monkeypatch):
    shown = show(two_devices[0])

    def broken(*args, **kwargs):
        raise RuntimeError("trouble in init_rank")

    monkeypatch.setattr(display_module.render, "to_svg", broken)
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {MIME_TYPE, "text/plain"}  # the graph is still there
    assert bundle["text/plain"].endswith("(picture left out: RuntimeError: trouble in init_rank)")
    monkeypatch.setattr(GraphView, "to_json", broken)
    bundle = GraphDisplay(GraphView(two_devices[0]))._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert "(interactive graph left out: RuntimeError" in bundle["text/plain"]


def test_a_large_payload_travels_as_compact_text(monkeypatch):
    monkeypatch.setattr(display_module, "PAYLOAD_AS_TEXT_BYTES", 100)
    graph = tf.Graph()
    with graph.as_default():
        tf.negative(tf.constant(1.0, name="a"), name="b")
    part = show(graph)._repr_mimebundle_()[MIME_TYPE]
    assert isinstance(part, str) and '", "' not in part  # no spaces between items
    validate(json.loads(part))
    monkeypatch.setattr(display_module, "PAYLOAD_MAX_BYTES", 100)
    text = show(graph)._repr_mimebundle_()["text/plain"]
    assert text.endswith("(interactive graph left out: over 100 bytes)")
