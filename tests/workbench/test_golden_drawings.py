"""Golden drawings: what Python draws for payload fixtures, which jest checks the
extension draws too (extension/test/golden.spec.ts).

Each payload in ``tests/fixtures/payloads`` named in ``GRAPHS`` is ``GraphView``'s
real output for a graph built here; each file in ``tests/fixtures/drawings`` holds,
for some open-group states and colourings of that payload, the boxes (with fills,
clusters and stubs), the clusters and the bundled arrows :func:`workbench.drawing.drawing`
makes. If Python and the TypeScript layout disagree on any of them, one of the two
suites fails. Graphs are built by code compiled as notebook cells (``<cell N>``), so
``created_at`` does not depend on where the checkout lives.

After an intended change to the drawing rules, rewrite the files:
``.venv/bin/python tests/workbench/test_golden_drawings.py``.
"""

import json
from pathlib import Path

import pytest
from conftest import validate
from models import CNN

import runtime as tf
from runtime.config import DeviceStepStats, NodeExecStats, RunMetadata, StepStats
from workbench.drawing import drawing
from workbench.view import GraphView

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TWO_DEVICES = """\
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
STATUS = {"x": "done", "layer1/w": "done", "layer1/MatMul": "done", "layer1/b": "done"}
STATUS.update({"layer1/init": "done", "layer1/add": "current", "y": "next"})


def two_devices() -> GraphView:
    graph = tf.Graph()
    with graph.as_default():
        exec(compile(TWO_DEVICES, "<cell 1>", "exec"), {"tf": tf})
    config = tf.compat.v1.ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
    stats = [NodeExecStats(node_name=n, op_end_rel_micros=t) for n, t in TIMES_US.items()]
    meta = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(CPU1, stats)]))
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        return GraphView(graph, session, run_metadata=meta, status=STATUS, name="two devices")


def cnn() -> GraphView:
    namespace: dict = {}
    exec(compile(CNN, "<cell 1>", "exec"), namespace)
    return GraphView(namespace["graph"], name="cnn")


def chain() -> GraphView:
    namespace = {"tf": tf}
    exec(compile(CHAIN, "<cell 1>", "exec"), namespace)
    return GraphView(namespace["graph"], name="chain")


CPU1 = "/job:localhost/replica:0/task:0/device:CPU:1"
CHAIN = """\
graph = tf.Graph()
with graph.as_default():
    value = tf.compat.v1.placeholder(tf.float32, [None, 8], name="input")
    for _ in range(129):
        value = tf.negative(value)
"""
GRAPHS = {"two_devices": two_devices, "cnn": cnn, "chain": chain}


def states(view: GraphView) -> list:
    """Open-group states and colourings worth holding both languages to."""
    by_name = {g.name: g.id for g in view.groups}
    everything = [g.id for g in view.groups]
    picked = [
        ("first sight", view.expanded, view.color_by),
        ("all closed", [], "op"),
        ("all open", everything, "device"),
    ]
    if "conv2" in by_name:  # one stage opened, auxiliary groups too
        opened = [*view.expanded, by_name["conv2"], by_name["conv2/weights"], by_name["save"]]
        picked.append(("conv2 and save open", opened, "op"))
        picked.append(("gradients open", [*view.expanded, by_name["gradients"]], "scope"))
    if view.name == "two devices":
        picked += [("by status", everything, "status"), ("by time", [], "time")]
    return picked


def drawn(view: GraphView, expanded: list, color_by: str) -> dict:
    d = drawing(view.with_options(color_by=color_by), expanded)
    return {
        "boxes": [
            {
                "id": b.id,
                "kind": b.kind,
                "label": b.label,
                "members": b.members,
                "fills": [list(f) for f in b.fills],
                "cluster": b.cluster,
                "auxiliary": b.auxiliary,
                "stubs": b.stubs,
            }
            for b in d.boxes
        ],
        "clusters": [{"id": c.id, "label": c.label, "parent": c.parent} for c in d.clusters],
        "arrows": [
            {
                "source": a.source,
                "target": a.target,
                "kind": "control" if a.control else "data",
                "count": a.count,
                "width": a.width,
                "label": a.label,
            }
            for a in d.arrows
        ],
    }


def drawings_of(view: GraphView) -> list:
    return [
        {"state": state, "expanded": expanded, "color_by": color_by}
        | drawn(view, expanded, color_by)
        for state, expanded, color_by in states(view)
    ]


def golden(name: str) -> tuple:
    view = GRAPHS[name]()
    return view.to_json(), {"payload": f"{name}.json", "drawings": drawings_of(view)}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_the_drawings_are_what_python_draws_for_the_payloads(name):
    """From the payload files, so a runtime that builds a graph differently cannot break
    this; only a change of the drawing rules can (then rewrite the files)."""
    payload = json.loads((FIXTURES / "payloads" / f"{name}.json").read_text())
    validate(payload)
    view = GraphView.from_payload(payload)
    assert view.to_json() == payload
    expected = json.loads((FIXTURES / "drawings" / f"{name}.json").read_text())
    assert expected == {"payload": f"{name}.json", "drawings": drawings_of(view)}


def test_the_cnn_reads_at_first_sight():
    _, drawings = golden("cnn")
    first = drawings["drawings"][0]
    main = [b["label"].split("\n")[0] for b in first["boxes"] if not b["auxiliary"]]
    side = [b["label"].split("\n")[0] for b in first["boxes"] if b["auxiliary"]]
    assert len(first["boxes"]) <= 25
    forward = "images labels conv1 conv2 conv3 Reshape dense1 dense2 loss accuracy"
    assert main == forward.split()
    bookkeeping = "global_step gradients beta1_power beta2_power Adam init save"
    assert set(side) == set(bookkeeping.split())
    # No arrow touches the side area: its edges are stubs on both ends.
    aux = {b["id"] for b in first["boxes"] if b["auxiliary"]}
    assert not any(a["source"] in aux or a["target"] in aux for a in first["arrows"])
    conv1 = next(b for b in first["boxes"] if b["label"].startswith("conv1"))
    label = {b["id"]: b["label"].split("\n")[0] for b in first["boxes"]}
    assert {label[s] for s in conv1["stubs"]} >= {"gradients", "init"}


def test_a_long_chain_folds_into_series_of_tens():
    _, drawings = golden("chain")
    labels = [b["label"] for b in drawings["drawings"][1]["boxes"]]  # all closed
    assert labels == ["input\nPlaceholder", "Neg", "Neg_[1-128]\n128 ops"]
    opened = drawings["drawings"][0]["boxes"]  # first sight opens the series: 13 runs of ten
    assert [b["label"].split("\n")[0] for b in opened][2:5] == [
        "Neg_[1-10]",
        "Neg_[11-20]",
        "Neg_[21-30]",
    ]


def write_invalid_variants() -> None:
    """invalid_malformed.json and invalid_version1.json: two_devices.json spoilt one way each."""
    two = json.loads((FIXTURES / "payloads" / "two_devices.json").read_text())
    malformed = json.loads(json.dumps(two))
    del malformed["nodes"]["op"]
    for name, data in (
        ("invalid_malformed", malformed),
        ("invalid_version1", {**two, "version": 1}),
    ):
        (FIXTURES / "payloads" / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    for graph_name in GRAPHS:
        payload_json, drawings_json = golden(graph_name)
        for folder, data in (("payloads", payload_json), ("drawings", drawings_json)):
            path = FIXTURES / folder / f"{graph_name}.json"
            path.write_text(json.dumps(data, indent=1) + "\n")
            print(f"wrote {path}")
    write_invalid_variants()
