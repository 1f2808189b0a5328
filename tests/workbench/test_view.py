"""GraphView: the data the pictures and the payload are made of."""

import inspect
import json
import subprocess
import sys

import conftest
import numpy as np
import pytest
from conftest import CPU0, CPU1, ROOT, scoped_graph, validate
from hypothesis import given, settings
from hypothesis import strategies as st
from models import chain_graph

import runtime as tf
from workbench import palette
from workbench import view as view_module
from workbench.drawing import drawing
from workbench.view import FIRST_SIGHT_BOXES, GraphView


def by_name(view):
    return {n.name: n for n in view.nodes}


def test_nodes_carry_ops_devices_and_tensors(two_devices):
    graph, session, _ = two_devices
    nodes = by_name(GraphView(graph, session))
    matmul = nodes["layer1/MatMul"]
    assert (matmul.op, matmul.scope) == ("MatMul", "layer1")
    assert (matmul.requested_device, matmul.assigned_device) == ("/device:CPU:1", CPU1)
    assert matmul.inputs == ["x:0", "layer1/w:0"]
    assert matmul.outputs == [{"name": "layer1/MatMul:0", "dtype": "float32", "shape": [None, 2]}]
    assert matmul.attrs["transpose_a"] == "False"
    assert nodes["y"].control_inputs == ["init"]
    assert nodes["x"].requested_device == "" and nodes["x"].assigned_device == CPU0
    lines, first = inspect.getsourcelines(conftest.two_device_graph)
    line = first + next(i for i, text in enumerate(lines) if 'name="x"' in text)
    assert nodes["x"].created_at == f"{conftest.__file__}, line {line}"


def test_soft_placed_only_when_the_request_is_not_met(two_devices):
    graph, session, _ = two_devices
    nodes = by_name(GraphView(graph, session))
    assert nodes["y"].soft_placed and nodes["y"].requested_device == "/device:GPU:0"
    assert nodes["y"].assigned_device == CPU0
    assert not nodes["layer1/MatMul"].soft_placed  # asked for /cpu:1, got CPU:1
    assert not nodes["x"].soft_placed  # asked for nothing


def test_without_a_session_nothing_is_assigned(two_devices):
    graph, _, _ = two_devices
    view = GraphView(graph)
    assert all(n.assigned_device is None and not n.soft_placed for n in view.nodes)
    assert {d.label for d in view.devices} == {"unplaced", "CPU:1", "GPU:0"}


def test_edges_are_data_with_tensor_details_or_control(two_devices):
    graph, session, _ = two_devices
    edges = {(e.source, e.target): e for e in GraphView(graph, session).edges}
    data = edges["x", "layer1/MatMul"]
    assert (data.kind, data.tensor, data.dtype, data.shape) == ("data", "x:0", "float32", [None, 3])
    assert edges["init", "y"].kind == "control"
    assert len(edges) == 4


def test_groups_and_devices_count_their_ops(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session)
    assert [(g.kind, g.name, g.parent, g.op_count) for g in view.groups] == [
        ("scope", "layer1", "", 2)
    ]
    assert [(d.label, d.op_count) for d in view.devices] == [("CPU:0", 4), ("CPU:1", 1)]


def test_big_attrs_are_summarised_never_copied():
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(np.zeros((300, 300), np.float32), name="big")
    attrs = GraphView(graph).nodes[0].attrs
    assert attrs["value"] == "<float32 array of shape (300, 300)>"
    assert len(json.dumps(GraphView(graph).to_json())) < 2000


def test_compute_times_come_from_a_traced_run(two_devices):
    graph, session, t = two_devices
    meta = tf.compat.v1.RunMetadata()
    options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    session.run(t["y"], {t["x"]: np.ones((2, 3))}, options, meta)
    view = GraphView(graph, session, run_metadata=meta, color_by="time")
    timed = {n.name for n in view.nodes if n.time_us is not None}
    assert timed == {"layer1/w", "layer1/MatMul", "init", "y"}  # x was fed, not run
    assert set(view.colors["time"]) == timed
    assert all(c in palette.SEQUENTIAL for c in view.colors["time"].values())


def test_status_map_colours_and_is_checked(two_devices):
    graph, _, _ = two_devices
    view = GraphView(graph, status={"x": "done", "y": "current"}, color_by="status")
    assert by_name(view)["x"].status == "done" and by_name(view)["init"].status is None
    assert view.colors["status"] == {
        "done": palette.STATUS["done"],
        "current": palette.STATUS["current"],
    }
    with pytest.raises(ValueError, match=r"unknown status 'finished' for op 'x' \(must be one of"):
        GraphView(graph, status={"x": "finished"})


def test_bad_color_by_names_the_choices(two_devices):
    with pytest.raises(ValueError, match=r"unknown color_by: 'dev' \(must be one of \['auto'"):
        GraphView(two_devices[0], color_by="dev")


def test_auto_colours_by_device_only_when_a_session_uses_several(two_devices):
    graph, session, _ = two_devices
    assert GraphView(graph, session).color_by == "device"
    assert GraphView(graph).color_by == "op"  # no placement: not all grey "unplaced"
    assert GraphView(graph).with_options(color_by="scope").color_by == "scope"


def test_collapse_by_depth_by_name_and_none():
    graph = scoped_graph(layers=3, blocks=2, ops_per_block=2)
    names = lambda view: sorted(g.name for g in view.groups if g.id in view.expanded)  # noqa: E731
    assert GraphView(graph, collapse=1).expanded == []
    assert names(GraphView(graph, collapse=2)) == ["layer0", "layer1", "layer2"]
    view = GraphView(graph, collapse=["layer1"])
    assert "layer1" not in names(view) and "layer1/block0" in names(view)
    assert len(GraphView(graph, collapse=None).expanded) == len(view.groups)
    with pytest.raises(
        ValueError, match=r"Cannot collapse scope 'layer7': no such scope\. Did you mean"
    ):
        GraphView(graph, collapse=["layer7"])


def test_first_sight_opens_whole_levels_while_few_boxes_show():
    small = GraphView(scoped_graph(layers=2, blocks=2, ops_per_block=2))
    assert len(small.expanded) == len(small.groups)  # everything fits: all open
    big = GraphView(scoped_graph(layers=8, blocks=3, ops_per_block=10))
    by_id = big.grouping.by_id
    # input + the series layer[0-7] -> 8 layers -> 8 * 3 blocks: 1 + 24 = 25 boxes fit.
    assert sorted(by_id[g].name for g in big.expanded) == sorted(
        ["layer[0-7]", *(f"layer{i}" for i in range(8))]
    )
    assert len(drawing(big).boxes) == FIRST_SIGHT_BOXES
    bigger = GraphView(scoped_graph(layers=9, blocks=3, ops_per_block=10))
    assert [bigger.grouping.by_id[g].name for g in bigger.expanded] == ["layer[0-8]"]


def test_payload_validates_against_the_schema(two_devices):
    graph, session, _ = two_devices
    payload = GraphView(graph, session, name="two devices").to_json()
    validate(payload)
    assert payload["version"] == 2 and payload["name"] == "two devices" and payload["placed"]
    # Ops as columns, by position: x, layer1/w, layer1/MatMul, init, y.
    nodes = payload["nodes"]
    assert nodes["name"] == ["x", "w", "MatMul", "init", "y"] and payload["scopes"] == ["layer1"]
    assert nodes["scope"] == [-1, 0, 0, -1, -1] and nodes["group"] == [-1, 0, 0, -1, -1]
    assert nodes["inputs"] == [[], [], [0, 1], [], [2]]  # MatMul reads x:0 and layer1/w:0
    assert nodes["control_inputs"] == [[], [], [], [], [3]]  # ^init -> y
    assert nodes["requested_device"][4] == "/device:GPU:0" and nodes["soft_placed"] == [4]
    assert payload["devices"][nodes["device"][4]]["name"] == CPU0
    assert payload["tensor_types"][nodes["outputs"][2][0]] == ["float32", [None, 2]]
    assert nodes["outputs"][3] == []  # init has no outputs
    assert payload["groups"] == {"kind": ["scope"], "label": ["layer1"]}  # defaults left out
    assert payload["categories"]["MatMul"] == "math" and payload["dtype_sizes"]["float32"] == 4
    assert payload["colors"]["device"] == {CPU0: "#cc6677", CPU1: "#332288"}
    assert payload["colors"]["op"]["math"] == palette.CATEGORY_COLORS["math"]


def test_a_large_graph_leaves_out_details(monkeypatch):
    monkeypatch.setattr(view_module, "DETAILS_MAX_OPS", 2)
    payload = GraphView(scoped_graph(layers=1, blocks=1, ops_per_block=3)).to_json()
    validate(payload)
    assert "attrs" not in payload["nodes"] and "created_at" not in payload["nodes"]
    assert payload["note"] == "Attributes and creation sites are left out of graphs over 2 ops."


def test_a_big_payload_spends_few_bytes_an_op(monkeypatch):
    """Long scoped names, inputs and tensor types are not written out per op, so the
    notebook of a 10,000-op scoped graph stays under 2 MB (bench/RESULTS.md)."""
    monkeypatch.setattr(view_module, "DETAILS_MAX_OPS", 0)
    payload = GraphView(chain_graph(1_000, scoped=True)).to_json()
    validate(payload)
    assert len(payload["scopes"]) == 100 and payload["tensor_types"] == [["float32", [None, 8]]]
    # A record per op, names written out, took 180 bytes an op.
    assert len(json.dumps(payload, separators=(",", ":"))) < 60 * 1_000


def test_payload_of_an_unplaced_collapsed_graph_validates():
    payload = GraphView(
        scoped_graph(layers=3, blocks=2, ops_per_block=2), collapse=1, color_by="scope"
    ).to_json()
    validate(payload)
    assert payload["expanded"] == [] and payload["color_by"] == "scope"


def test_device_colours_are_the_same_in_another_process():
    code = "from workbench.palette import device_color as c; print(c('/job:worker/task:3/device:GPU:1'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == palette.device_color("/job:worker/task:3/device:GPU:1")


@st.composite
def random_graphs(draw):
    """Random DAGs of unary/binary ops in random nested scopes, devices and control deps."""
    graph = tf.Graph()
    names = st.sampled_from(["a", "b", "c/d", "c", "e/f/g"])
    with graph.as_default():
        values = [tf.compat.v1.placeholder(tf.float32, [None, 2], name="in")]
        for _ in range(draw(st.integers(1, 25))):
            scope, device = draw(names), draw(st.sampled_from(["", "/cpu:0", "/cpu:1", "/gpu:0"]))
            controls = draw(st.lists(st.sampled_from(values), max_size=1))
            with tf.name_scope(scope), tf.device(device), tf.control_dependencies(controls):
                a, b = draw(st.sampled_from(values)), draw(st.sampled_from(values))
                values.append(tf.add(a, b) if draw(st.booleans()) else tf.negative(a))
    return graph


@settings(deadline=None, max_examples=30)
@given(
    random_graphs(),
    st.sampled_from(["auto", None, 1, 2]),
    st.sampled_from(["auto", "device", "op", "scope"]),
)
def test_random_graphs_give_valid_consistent_payloads(graph, collapse, color_by):
    config = tf.compat.v1.ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        view = GraphView(graph, session, collapse=collapse, color_by=color_by)
    validate(view.to_json())
    assert len(view.nodes) == len(graph.get_operations())
    assert sum(e.kind == "data" for e in view.edges) == sum(
        len(op.inputs) for op in graph.get_operations()
    )
    for node in view.nodes:
        assert node.soft_placed == (node.requested_device.lower().startswith("/device:gpu"))
