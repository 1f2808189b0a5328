"""Shared graphs and checks for the workbench tests."""

import json
from pathlib import Path

import jsonschema
import pytest

import runtime as tf
from workbench import render
from workbench.view import GraphView

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "workbench/schema/tfgraph.v2.schema.json").read_text())
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
CPU1 = "/job:localhost/replica:0/task:0/device:CPU:1"


def validate(payload: dict) -> None:
    """The payload matches the v2 schema, refers only to things it contains, and reads
    back as the view it was made from."""
    jsonschema.Draft202012Validator(SCHEMA).validate(payload)
    json.dumps(payload)  # plain JSON types only
    nodes, groups = payload["nodes"], payload["groups"]
    ops, group_count = len(nodes["name"]), len(groups["kind"])
    for columns, count in ((nodes, ops), (groups, group_count)):
        flags = {"soft_placed", "auxiliary"} & set(columns)
        assert all(len(columns[key]) == count for key in set(columns) - flags)
        assert all(0 <= i < count for key in flags for i in columns[key])
    assert all(-1 <= parent < i for i, parent in enumerate(groups.get("parent", [])))
    assert all(-1 <= g < group_count for g in nodes.get("group", []))
    assert all(-1 <= s < len(payload["scopes"]) for s in nodes.get("scope", []))
    assert all(0 <= d < len(payload["devices"]) for d in nodes.get("device", []))
    assert all(0 <= t < len(payload["tensor_types"]) for ts in nodes.get("outputs", []) for t in ts)
    refs = [r for key in ("inputs", "control_inputs") for rs in nodes.get(key, []) for r in rs]
    assert all(
        0 <= (r if isinstance(r, int) else r[0]) < ops for r in refs if not isinstance(r, str)
    )
    assert set(nodes["op"]) <= set(payload["categories"])
    assert all(0 <= g < group_count for g in payload["expanded"])
    assert set(payload["colors"]["device"]) == {d["name"] for d in payload["devices"]}
    assert set(payload["colors"]["op"]) == set(payload["categories"].values())
    assert GraphView.from_payload(payload).to_json() == payload


def nodes_by_name(payload: dict) -> dict:
    """``{op name: Node}`` of a payload, as a reader decodes it."""
    return {node.name: node for node in GraphView.from_payload(payload).nodes}


def status_fills(payload: dict) -> dict:
    """``{op name: fill colour}`` of a status-coloured payload (neutral without a status)."""
    colors = payload["colors"]["status"]
    return {name: colors.get(n.status, "#dddddd") for name, n in nodes_by_name(payload).items()}


def two_device_graph():
    """x -> layer1/MatMul (on CPU:1) -> y (asks for /GPU:0, soft-placed), ^init -> y."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("layer1"):
            w = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="w")
            with tf.device("/cpu:1"):
                h = tf.matmul(x, w, name="MatMul")
        init = tf.no_op(name="init")
        with tf.control_dependencies([init]), tf.device("/GPU:0"):
            y = tf.identity(h, name="y")
    config = tf.compat.v1.ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
    # As written: the graph optimizer would drop the init NoOp (it waits on nothing).
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    config.graph_options.optimizer_options.opt_level = tf.compat.v1.OptimizerOptions.L0
    return graph, tf.compat.v1.Session(graph=graph, config=config), {"x": x, "y": y}


@pytest.fixture
def two_devices():
    graph, session, tensors = two_device_graph()
    yield graph, session, tensors
    session.close()


def scoped_graph(layers: int, blocks: int, ops_per_block: int):
    """A chain through ``layers`` top-level scopes of ``blocks`` nested scopes of ops each."""
    graph = tf.Graph()
    with graph.as_default():
        value = tf.compat.v1.placeholder(tf.float32, [None, 8], name="input")
        for layer in range(layers):
            with tf.name_scope(f"layer{layer}"):
                for block in range(blocks):
                    with tf.name_scope(f"block{block}"):
                        for _ in range(ops_per_block):
                            value = tf.negative(value, name="neg")
    return graph


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """Graphviz's ``dot`` is not on PATH; the once-per-process warning is re-armed."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "_warned", False)
