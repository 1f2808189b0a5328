"""tests/fixtures/payloads/generated_two_devices.json is GraphView's real output.

The extension's jest suite draws that file, so it must stay what the Python side
makes. The graph is built by code compiled as a notebook cell (``<cell 1>``), so
``created_at`` does not depend on where the checkout lives. After an intended change
to the payload, rewrite the file: ``.venv/bin/python tests/workbench/test_fixture_payload.py``.
"""

import json
from pathlib import Path

from conftest import validate

import runtime as tf
from runtime.config import DeviceStepStats, NodeExecStats, RunMetadata, StepStats
from workbench.view import GraphView

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/payloads/generated_two_devices.json"
# Every request is a full device name, so "soft_placed" is exactly "requested != assigned"
# (the extension's fixture check holds it to that).
CELL = """\
with tf.device("/job:localhost/replica:0/task:0/device:CPU:0"):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer1"):
        w = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="w")
        with tf.device("/job:localhost/replica:0/task:0/device:CPU:1"):
            h = tf.matmul(x, w, name="MatMul")
            b = tf.constant([0.5, 0.5], name="b")
            init = tf.no_op(name="init")
            with tf.control_dependencies([init]):
                out = tf.add(h, b, name="add")
    with tf.device("/device:GPU:0"):
        y = tf.identity(out, name="y")
"""
TIMES_US = {"layer1/w": 1, "layer1/MatMul": 42, "layer1/b": 1, "layer1/init": 0, "layer1/add": 3}


def generated() -> dict:
    graph = tf.Graph()
    with graph.as_default():
        exec(compile(CELL, "<cell 1>", "exec"), {"tf": tf})
    config = tf.compat.v1.ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
    meta = RunMetadata(
        step_stats=StepStats(
            dev_stats=[
                DeviceStepStats(
                    "/job:localhost/replica:0/task:0/device:CPU:1",
                    [NodeExecStats(node_name=n, op_end_rel_micros=t) for n, t in TIMES_US.items()],
                )
            ]
        )
    )
    status = {"x": "done", "layer1/w": "done", "layer1/MatMul": "done", "layer1/b": "done"}
    status.update({"layer1/init": "done", "layer1/add": "current", "y": "next"})
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        view = GraphView(graph, session, run_metadata=meta, status=status, name="two devices")
    return view.to_json()


def test_fixture_is_what_graph_view_makes():
    payload = generated()
    validate(payload)
    assert json.loads(FIXTURE.read_text()) == payload
    soft = [n["name"] for n in payload["nodes"] if n["soft_placed"]]
    assert soft == ["y"] and len(payload["devices"]) == 2


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(generated(), indent=1) + "\n")
    print(f"wrote {FIXTURE}")
