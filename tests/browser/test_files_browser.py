"""Graph files opened from JupyterLab's file browser: a saved payload (`.tfgraph.json`)
and a GraphDef written by TensorFlow (`.pb`), read by the workbench's server extension."""

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DRAWN = ".jp-TFGraph[data-rendered='true']"


def open_file(page, lab, name: str) -> None:
    page.goto(f"{lab.url}/lab/workspaces/{name.replace('.', '_')}/tree/{name}")
    page.wait_for_selector(DRAWN, timeout=60_000)


def test_a_saved_payload_opens_as_a_graph(page, lab, page_errors):
    payload = json.loads((FIXTURES / "payloads" / "cnn.json").read_text())
    (lab.root / "cnn.tfgraph.json").write_text(json.dumps(payload))
    open_file(page, lab, "cnn.tfgraph.json")
    root = page.locator(DRAWN)
    assert root.locator(".jp-TFGraph-viewport g.node").count() == 17
    assert page_errors == []


def test_a_tensorflow_graph_file_opens_as_a_graph(page, lab, page_errors):
    shutil.copy(FIXTURES / "tf" / "convnet_frozen.pb", lab.root / "model.pb")
    open_file(page, lab, "model.pb")
    root = page.locator(DRAWN)
    labels = root.locator(".jp-TFGraph-viewport g.node text:first-of-type").all_text_contents()
    assert {"conv", "act", "pool", "scores"} <= set(labels)
    root.locator(".jp-TFGraph-viewport g.node").filter(has_text="scores").first.locator(
        "path"
    ).click(force=True)
    assert root.locator("[data-field='op']").inner_text() == "Softmax"
    assert page_errors == []


def test_a_file_that_is_no_graph_says_so(page, lab):
    (lab.root / "broken.pb").write_bytes(b"\xff\x00 not a graph")
    open_file(page, lab, "broken.pb")
    message = page.locator(f"{DRAWN} .jp-TFGraph-message").inner_text()
    assert message.startswith("tfgraph could not read this file: Not a GraphDef:")
