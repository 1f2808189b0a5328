"""Every tutorial notebook runs top to bottom in a real kernel (nbclient).

The kernel is this interpreter (the project venv's): a kernelspec named ``python3``
pointing at ``sys.executable`` is written to a temporary JUPYTER_PATH, which Jupyter
searches before the user's and the system's kernel folders, so no other Python's
``python3`` kernel can be picked up. Nothing outside the temporary folder changes.
"""

import json
import re
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbclient import NotebookClient

from workbench.view import GraphView

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCHEMA = json.loads((ROOT / "workbench/schema/tfgraph.v2.schema.json").read_text())
MIME = "application/vnd.tfgraph.v2+json"
_executed: dict = {}


@pytest.fixture(scope="module")
def execute(tmp_path_factory):
    """Run a notebook once per test session; later calls reuse the result."""
    kernels = tmp_path_factory.mktemp("jupyter")
    spec = kernels / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3 (project venv)", "language": "python"})
    )

    def run(path: Path):
        if path not in _executed:
            nb = nbformat.read(path, as_version=4)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("JUPYTER_PATH", str(kernels))
                client = NotebookClient(
                    nb,
                    timeout=120,
                    kernel_name="python3",
                    resources={"metadata": {"path": str(path.parent)}},
                )
                client.execute()
            _executed[path] = nb
        return _executed[path]

    return run


def outputs(nb):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_graph_payloads_are_valid(execute, path):
    nb = execute(path)  # raises CellExecutionError on an unexpected error
    for out in outputs(nb):
        if MIME in out.get("data", {}):
            payload = out["data"][MIME]
            if isinstance(payload, str):  # a big payload travels as its compact JSON text
                payload = json.loads(payload)
            jsonschema.Draft202012Validator(SCHEMA).validate(payload)


def test_devices_and_placement_shows_what_it_teaches(execute):
    nb = execute(ROOT / "notebooks/devices_and_placement.ipynb")
    payloads = [o["data"][MIME] for o in outputs(nb) if MIME in o.get("data", {})]
    first = payloads[0]
    devices = {n.device[-5:] for n in GraphView.from_payload(first).nodes}
    assert devices == {"CPU:0", "CPU:1", "CPU:2"}
    soft = [n.name for p in payloads for n in GraphView.from_payload(p).nodes if n.soft_placed]
    assert soft == ["y"]
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "y: (Neg): /job:localhost/replica:0/task:0/device:CPU:0" in text  # log_device_placement
    assert "y = array([[-6.]], dtype=float32)" in text
    [error] = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert error["ename"] == "InvalidArgumentError" and "<cell " in "\n".join(error["traceback"])
    assert {p["color_by"] for p in payloads} >= {"device", "op", "scope", "time"}
    svgs = [o["data"]["image/svg+xml"] for o in outputs(nb) if "image/svg+xml" in o.get("data", {})]
    assert any('class="op"' in svg for svg in svgs)  # the timeline


def test_distributed_training_places_trains_loses_and_recovers_the_ps(execute):
    nb = execute(ROOT / "notebooks/distributed_training.ipynb")
    [payload] = [o["data"][MIME] for o in outputs(nb) if MIME in o.get("data", {})]
    tasks = {n.assigned_device.split("/device:")[0] for n in GraphView.from_payload(payload).nodes}
    assert tasks == {
        "/job:ps/replica:0/task:0",
        "/job:worker/replica:0/task:0",
        "/job:worker/replica:0/task:1",
    }
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "step  0: loss" in text and "step 15: loss" in text
    assert "'/job:ps/replica:0/task:0/device:CPU:0', '/job:worker/replica:0/task:0" in text
    assert "UnavailableError: Task /job:ps/replica:0/task:0" in text
    assert "Attempting to use uninitialized value" in text
    saved = text.split("saved model-")[1].split()[0]
    assert f"restored at step {saved}" in text  # training goes on from the checkpoint


def test_digits_tutorial_trains_and_plots_its_loss(execute):
    nb = execute(ROOT / "notebooks/training_digits.ipynb")
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    accuracy = float(text.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.9
    assert any("image/png" in o.get("data", {}) for o in outputs(nb))  # the loss plot


def test_char_rnn_trains_and_writes(execute):
    nb = execute(ROOT / "notebooks/char_rnn.ipynb")
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "rnn/basic_lstm_cell/kernel:0     (152, 384)" in text  # TF's name and shape
    first, last = (float(v) for v in re.search(r"loss (\d\.\d\d) -> (\d\.\d\d)", text).groups())
    assert first > 3.9 and last < 2.0  # from a uniform guess over 56 characters to learnt text
    written = text[text.index("Little ", text.index(" s; loss")) : text.index("stopped at:")]
    assert len(written) > 300 and written.count("\n") > 5  # lines, as the rhymes have
    assert "stopped at: rnn/while/basic_lstm_cell/MatMul, iteration 3 of rnn/while" in text
    assert "it read:    'p'" in text  # the fourth character of "Humpty"


def test_tfrecords_and_summaries_trains_from_its_records_and_restores_its_checkpoint(execute):
    nb = execute(ROOT / "notebooks/tfrecords_and_summaries.ipynb")
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert "train.tfrecord: 434,000 bytes" in text and "first label: 6" in text
    assert "saved model-300" in text and "latest: model-300" in text
    restored = re.search(r"restored test accuracy: ([0-9.]+) \(trained: ([0-9.]+)\)", text)
    assert restored.group(1) == restored.group(2) and float(restored.group(1)) > 0.9
    widgets = [o for o in outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1  # the SummaryView


def test_tf1_code_from_a_book_runs_with_only_its_import_changed(execute):
    path = ROOT / "notebooks/tf1_code_from_a_book.ipynb"
    nb = execute(path)
    program = [c.source for c in nb.cells if c.cell_type == "code" and "workbench" not in c.source]
    lines = [line for source in program for line in source.splitlines()]
    assert [line for line in lines if "runtime" in line] == [
        "import runtime as tf  # the book: import tensorflow as tf"
    ]
    assert not any("compat" in line for line in lines)  # TF1's names at TF1's places
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", text).group(1))
    assert accuracy > 0.85, text


def test_graph_optimizer_shows_a_cnn_as_written_and_as_run(execute):
    nb = execute(ROOT / "notebooks/graph_optimizer.ipynb")
    pages = [o["data"]["text/html"] for o in outputs(nb) if "text/html" in o.get("data", {})]
    [side_by_side] = pages
    assert side_by_side.count("<svg") == 2 and "As written" in side_by_side
    assert "batch norm folded into the filter" in side_by_side
    text = "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")
    assert float(text.split("largest difference: ")[1].split()[0]) < 1e-5
    assert "conv2/Relu       _FusedConv2D" in text  # the partition graph
    assert "{'folded': 6, 'pruned': 1}" in text  # the constant MLP folds to one constant
    [error] = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert error["ename"] == "InvalidArgumentError"
    assert "BiasAdd 'BiasAdd'" in error["evalue"] and "<cell " in "\n".join(error["traceback"])
