"""Without Graphviz's ``dot`` the graph still shows: the built-in layered SVG."""

import warnings
import xml.etree.ElementTree as ET

import pytest
from conftest import scoped_graph

import runtime as tf
from workbench import palette, render, show
from workbench.view import GraphView

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ET.fromstring(svg)


def boxes(root):
    return {
        g.find("svg:title", NS).text.split(" (")[0]: g
        for g in root.iterfind(".//svg:g[@class='node']", NS)
    }


def top(box) -> float:
    return float(box.find("svg:rect", NS).get("y"))


def test_fallback_draws_every_op_and_edge(two_devices, no_dot):
    graph, session, _ = two_devices
    with pytest.warns(render.GraphvizMissingWarning, match="apt-get install graphviz"):
        root = parse(render.to_svg(GraphView(graph, session)))
    assert set(boxes(root)) == {op.name for op in graph.get_operations()}
    edges = root.findall(".//svg:g[@class='edge']/svg:path", NS)
    assert len(edges) == 4
    assert [e.get("class") for e in edges if e.get("stroke-dasharray")] == ["control"]
    soft = boxes(root)["y"].find("svg:rect[@class='border']", NS)
    assert soft.get("stroke") == palette.SOFT_PLACED and soft.get("stroke-dasharray")
    legend = [t.text for t in root.iterfind(".//svg:g[@class='legend']//svg:tspan", NS)]
    assert legend == ["CPU:0 (4)", "CPU:1 (1)", "soft-placed"]


def test_fallback_layers_follow_the_dataflow(two_devices, no_dot):
    graph, session, _ = two_devices
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        placed = boxes(parse(render.to_svg(GraphView(graph, session))))
    assert top(placed["x"]) < top(placed["layer1/MatMul"]) < top(placed["y"])
    assert top(placed["init"]) < top(placed["y"])


def test_the_install_hint_is_shown_once_per_process(two_devices, no_dot):
    view = GraphView(two_devices[0], two_devices[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render.to_svg(view)
        render.to_svg(view.with_options(color_by="op"))
    assert [type(w.message) for w in caught] == [render.GraphvizMissingWarning]


def test_png_needs_dot_and_says_how_to_get_it(two_devices, no_dot):
    with pytest.raises(render.GraphvizMissing, match="apt-get install graphviz"):
        render.to_png(GraphView(two_devices[0]))


def test_display_without_dot_keeps_payload_svg_and_text(two_devices, no_dot):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bundle = show(two_devices[1])._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.tfgraph.v2+json", "image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"].startswith("<svg")


def test_cycles_between_collapsed_scopes_still_lay_out(no_dot):
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("a"):
            a1 = tf.constant(1.0, name="one")
        with tf.name_scope("b"):
            b1 = tf.negative(a1, name="neg")
        with tf.name_scope("a"):
            tf.negative(b1, name="again")  # scope "a_1": re-entering uniquifies
        with tf.name_scope("a/"):  # back into "a" itself: a -> b -> a
            tf.negative(b1, name="back")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = parse(render.to_svg(GraphView(graph, collapse=["a", "b"])))
    assert len(boxes(root)) == 3  # a, b, a_1


def test_fallback_copes_with_a_big_graph(no_dot):
    view = GraphView(scoped_graph(layers=60, blocks=2, ops_per_block=10), collapse=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = parse(render.to_svg(view))
    assert len(boxes(root)) == 121  # 120 closed blocks (in chunks of layers) and the input


@pytest.mark.parametrize("dot", [True, False], ids=["dot", "no dot"])
def test_an_empty_graph_draws(dot, monkeypatch, tmp_path):
    if not dot:
        monkeypatch.setenv("PATH", str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = parse(render.to_svg(GraphView(tf.Graph())))
    assert boxes(root) == {}
