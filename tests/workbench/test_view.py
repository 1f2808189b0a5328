"""GraphView: the data the pictures and the payload are made of."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import CPU0, CPU1, ROOT, scoped_graph, validate
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from workbench import palette
from workbench.view import AUTO_COLLAPSE_OPS, GraphView


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
    assert nodes["x"].created_at.startswith('File "') and "line" in nodes["x"].created_at


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


def test_scopes_and_devices_count_their_ops(two_devices):
    graph, session, _ = two_devices
    view = GraphView(graph, session)
    assert [(s.name, s.parent, s.op_count) for s in view.scopes] == [("layer1", "", 2)]
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
    with pytest.raises(ValueError, match=r"unknown color_by: 'dev' \(must be one of \['device'"):
        GraphView(two_devices[0], color_by="dev")


def test_collapse_by_depth_by_name_and_none():
    graph = scoped_graph(layers=3, blocks=2, ops_per_block=2)
    assert GraphView(graph, collapse=1).collapsed == ["layer0", "layer1", "layer2"]
    assert GraphView(graph, collapse=2).collapsed == [
        f"layer{i}/block{j}" for i in range(3) for j in range(2)
    ]
    view = GraphView(graph, collapse=["layer1"])
    assert view.collapsed == ["layer1"]
    assert (
        view.unit_of("layer1/block0/neg") == "layer1" and view.unit_of("layer0/block0/neg") is None
    )
    assert GraphView(graph, collapse=None).collapsed == []
    with pytest.raises(
        ValueError, match=r"Cannot collapse scope 'layer7': no such scope\. Did you mean"
    ):
        GraphView(graph, collapse=["layer7"])


def test_small_graphs_stay_open_and_big_ones_collapse_to_few_units():
    assert GraphView(scoped_graph(layers=2, blocks=2, ops_per_block=5)).collapsed == []
    big = GraphView(scoped_graph(layers=40, blocks=2, ops_per_block=10))
    assert len(big.nodes) > AUTO_COLLAPSE_OPS
    units = {big.unit_of(n.name) or n.name for n in big.nodes}
    assert len(units) <= AUTO_COLLAPSE_OPS
    deepest_that_fits = sorted(f"layer{i}/block{j}" for i in range(40) for j in range(2))
    assert big.collapsed == deepest_that_fits
    huge = GraphView(scoped_graph(layers=200, blocks=2, ops_per_block=3))
    assert huge.collapsed == sorted(f"layer{i}" for i in range(200))


def test_payload_validates_against_the_schema(two_devices):
    graph, session, _ = two_devices
    payload = GraphView(graph, session, name="two devices").to_json()
    validate(payload)
    assert payload["version"] == 1 and payload["name"] == "two devices"
    control = [e for e in payload["edges"] if e["kind"] == "control"]
    assert control == [{"source": "init", "target": "y", "kind": "control"}]
    assert payload["colors"]["device"] == {CPU0: "#cc6677", CPU1: "#332288"}


def test_payload_of_an_unplaced_collapsed_graph_validates():
    payload = GraphView(
        scoped_graph(layers=3, blocks=2, ops_per_block=2), collapse=1, color_by="scope"
    ).to_json()
    validate(payload)
    assert payload["collapsed"] == ["layer0", "layer1", "layer2"]


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
    st.sampled_from(["device", "op", "scope"]),
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
