"""How long the lab extension takes to draw big graphs in Chromium.

Generates synthetic tfgraph payloads (nested name scopes, data and control
edges, two CPU devices), displays each in a JupyterLab notebook driven by
Chromium (the browser tests' server and browser, tests/browser/labserver.py),
and reports the time until the renderer sets ``data-rendered="true"``.

    .venv/bin/python bench/extension_render.py            # prints a Markdown table

Figures are recorded in bench/RESULTS.md. The 10,000-op payload arrives with
its top-level scopes collapsed, as the workbench sends large graphs.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from labserver import launch_chromium, open_notebook, running_lab  # noqa: E402

MIME = "application/vnd.tfgraph.v2+json"
SCHEMA = json.loads((ROOT / "workbench/schema/tfgraph.v2.schema.json").read_text())
DEVICES = [f"/job:localhost/replica:0/task:0/device:CPU:{i}" for i in range(2)]
OPS = ["MatMul", "AddV2", "Relu", "Const", "Identity"]
OPS_PER_LAYER = 10
LAYERS_PER_BLOCK = 10
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]

# Time since the renderer's draw began, as it recorded it, of the newest renderer.
RENDER_MS = "() => Number(document.querySelector('.jp-TFGraph').dataset.renderMs)"
FRESH_RENDERED = (
    "() => !!document.querySelector('.jp-TFGraph:not([data-stale])[data-rendered=\"true\"]')"
)


def synthetic_payload(n_ops: int, collapse: bool) -> dict:
    """A valid payload of ``n_ops`` ops in blocks of layers of ten chained ops.

    Each op also reads an op of the previous layer, and each layer's first op
    waits (control edge) on the previous block's last op, so edges cross scopes.
    """
    nodes, edges, scopes = [], [], []
    blocks = n_ops // (OPS_PER_LAYER * LAYERS_PER_BLOCK)
    previous_layer: list[str] = []
    last_of_block = None
    for b in range(blocks):
        block = f"block{b}"
        scopes.append({"name": block, "parent": "", "op_count": OPS_PER_LAYER * LAYERS_PER_BLOCK})
        device = DEVICES[b % 2]
        for layer_index in range(LAYERS_PER_BLOCK):
            scope = f"{block}/layer{layer_index}"
            scopes.append({"name": scope, "parent": block, "op_count": OPS_PER_LAYER})
            layer = []
            for i in range(OPS_PER_LAYER):
                name = f"{scope}/op{i}"
                inputs = []
                if layer:
                    inputs.append(f"{layer[-1]}:0")
                if previous_layer:
                    inputs.append(f"{previous_layer[i]}:0")
                control = [last_of_block] if i == 0 and last_of_block else []
                for tensor in inputs:
                    edges.append(
                        {"source": tensor[:-2], "target": name, "kind": "data",
                         "tensor": tensor, "dtype": "float32", "shape": [32, 32]}
                    )  # fmt: skip
                for source in control:
                    edges.append({"source": source, "target": name, "kind": "control"})
                nodes.append(
                    {"name": name, "op": OPS[i % len(OPS)], "scope": scope,
                     "requested_device": device, "assigned_device": device,
                     "inputs": inputs, "control_inputs": control,
                     "outputs": [{"name": f"{name}:0", "dtype": "float32", "shape": [32, 32]}],
                     "attrs": {"T": "float32"}, "status": None, "soft_placed": False,
                     "time_us": float(1 + (i * 7 + b) % 50)}
                )  # fmt: skip
                layer.append(name)
            previous_layer = layer
        last_of_block = previous_layer[-1]
    return {
        "version": 1,
        "name": f"synthetic {n_ops}",
        "color_by": "device",
        "collapsed": [s["name"] for s in scopes if s["parent"] == ""] if collapse else [],
        "nodes": nodes,
        "edges": edges,
        "scopes": scopes,
        "devices": [
            {"name": d, "label": d.rsplit("device:", 1)[1], "op_count": blocks * 50}
            for d in DEVICES
        ],
        "colors": {
            "device": dict(zip(DEVICES, PALETTE, strict=False)),
            "op": dict(zip(OPS, PALETTE, strict=False)),
            "scope": {s["name"]: PALETTE[i % len(PALETTE)] for i, s in enumerate(scopes)},
            "time": {n["name"]: PALETTE[int(n["time_us"]) % len(PALETTE)] for n in nodes},
            "status": {},
        },
    }


def measure(page, lab, name: str, payload: dict, repeats: int) -> dict:
    """Cold (first on the page: includes compiling Graphviz) and warm draw times."""
    path = lab.root / f"{name}.json"
    path.write_text(json.dumps(payload))
    cell = (
        "import json\nfrom IPython.display import display\n"
        f"display({{{MIME!r}: json.load(open({str(path)!r})), 'text/plain': 'graph'}}, raw=True)"
    )
    lab.write_notebook(f"{name}.ipynb", [cell])
    open_notebook(page, lab, f"{name}.ipynb", workspace=name, timeout=300_000)
    page.wait_for_function(FRESH_RENDERED, timeout=300_000)
    result = {"cold_ms": page.evaluate(RENDER_MS), "warm_ms": [], "end_to_end_ms": []}
    for _ in range(repeats):
        page.evaluate("document.querySelector('.jp-TFGraph').dataset.stale = '1'")
        started = time.perf_counter()
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(FRESH_RENDERED, timeout=300_000, polling=20)
        result["end_to_end_ms"].append((time.perf_counter() - started) * 1000)
        result["warm_ms"].append(page.evaluate(RENDER_MS))
    result["units"] = page.locator(".jp-TFGraph g.node").count()
    if payload["collapsed"]:
        page.locator(".jp-TFGraph g.node").first.click()
        page.wait_for_function(
            "() => document.querySelector('.jp-TFGraph').dataset.rendered === 'true' && "
            f"document.querySelectorAll('.jp-TFGraph g.node').length > {result['units']}",
            timeout=300_000,
        )
        result["expand_ms"] = page.evaluate(RENDER_MS)
    page.screenshot(path=ROOT / "test-artifacts" / f"bench-{name}.png")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = [("ops1000", 1000, False), ("ops10000", 10_000, True)]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root, state = Path(tmp, "root"), Path(tmp, "state")
        root.mkdir()
        state.mkdir()
        browser = launch_chromium(playwright)
        with running_lab(root, state) as lab:
            for name, n_ops, collapse in cases:
                payload = synthetic_payload(n_ops, collapse)
                jsonschema.validate(payload, SCHEMA)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                result = measure(page, lab, name, payload, args.repeats)
                page.close()
                lab.shutdown_kernels()
                size_mb = len(json.dumps(payload)) / 1e6
                rows.append((n_ops, len(payload["edges"]), size_mb, collapse, result))
        browser.close()
    print(
        "| ops | edges | payload | arrives | drawn nodes | first draw (cold) | "
        "redraw (warm, median) | cell run → drawn (median) | expand one scope |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n_ops, n_edges, size_mb, collapse, r in rows:
        expand = f"{r['expand_ms']:.0f} ms" if "expand_ms" in r else "—"
        print(
            f"| {n_ops:,} | {n_edges:,} | {size_mb:.1f} MB | "
            f"{'collapsed' if collapse else 'expanded'} | {r['units']} | {r['cold_ms']:.0f} ms | "
            f"{statistics.median(r['warm_ms']):.0f} ms | "
            f"{statistics.median(r['end_to_end_ms']):.0f} ms | {expand} |"
        )


if __name__ == "__main__":
    main()
