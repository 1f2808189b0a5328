"""How long big graphs take from running the cell to the drawing, in JupyterLab + Chromium.

Two 10,000-op graphs (tests/workbench/models.py ``chain_graph``): a flat chain of
``Neg`` ops and the same chain in scopes (``stage3/block7/Neg_4``). Each is built in a
notebook cell and shown with ``workbench.show``; measured:

- cell run -> drawn: wall time from asking JupyterLab to run the cell (building the
  graph in the kernel, the payload, the websocket, the renderer) to the renderer's
  ``data-rendered="true"``;
- the renderer's own draw time (``data-render-ms``);
- the longest main-thread block while that happened (Chromium's long tasks);
- boxes drawn, and the size of the notebook file once saved.

    .venv/bin/python bench/extension_render.py      # prints a Markdown table

Figures are recorded in bench/RESULTS.md (section "Lab extension: time to draw big graphs").
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from labserver import launch_chromium, open_notebook, running_lab  # noqa: E402

SETUP = "import sys\nsys.path.insert(0, {path!r})\nfrom models import chain_graph\nimport workbench"
CELL = "graph = chain_graph(10_000, scoped={scoped})\nworkbench.show(graph)"
WATCH_LONG_TASKS = """() => {
  window.tfgLongest = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) window.tfgLongest = Math.max(window.tfgLongest, entry.duration);
  }).observe({entryTypes: ['longtask']});
}"""
DRAWN = "() => !!document.querySelector('.jp-TFGraph:not([data-stale])[data-rendered=\"true\"]')"
REPEATS = 3


def measure(page, lab, name: str, scoped: bool) -> dict:
    setup = SETUP.format(path=str(ROOT / "tests" / "workbench"))
    lab.write_notebook(f"{name}.ipynb", [setup, CELL.format(scoped=scoped)])
    open_notebook(page, lab, f"{name}.ipynb", workspace=name, timeout=300_000)
    page.wait_for_function(DRAWN, timeout=300_000)
    runs, longest, render = [], [], []
    for _ in range(REPEATS):
        page.evaluate("document.querySelector('.jp-TFGraph').dataset.stale = '1'")
        page.evaluate(WATCH_LONG_TASKS)
        started = time.perf_counter()
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(DRAWN, timeout=300_000, polling=10)
        runs.append((time.perf_counter() - started) * 1000)
        page.wait_for_timeout(300)  # let the long-task observer report
        longest.append(page.evaluate("window.tfgLongest"))
        render.append(
            float(page.evaluate("document.querySelector('.jp-TFGraph').dataset.renderMs"))
        )
    boxes = int(page.evaluate("document.querySelector('.jp-TFGraph').dataset.boxes"))
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(1500)
    size = (lab.root / f"{name}.ipynb").stat().st_size
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.locator(".jp-TFGraph").scroll_into_view_if_needed()
    page.screenshot(path=ROOT / "test-artifacts" / f"picture-{name}-tfgraph.png")
    return {
        "run_ms": statistics.median(runs),
        "render_ms": statistics.median(render),
        "longest_ms": max(longest),
        "boxes": boxes,
        "notebook_mb": size / 1e6,
    }


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root, state = Path(tmp, "root"), Path(tmp, "state")
        root.mkdir()
        state.mkdir()
        browser = launch_chromium(playwright)
        with running_lab(root, state) as lab:
            for name, scoped in [("chain10k", False), ("scoped10k", True)]:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                rows.append((name, measure(page, lab, name, scoped)))
                page.close()
                lab.shutdown_kernels()
        browser.close()
    print(
        "| graph | boxes drawn | cell run → drawn (median of 3) | renderer's draw | "
        "longest main-thread block | notebook file |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        label = "10,000-op flat chain" if name == "chain10k" else "10,000-op scoped graph"
        print(
            f"| {label} | {r['boxes']} | {r['run_ms']:.0f} ms | {r['render_ms']:.0f} ms | "
            f"{r['longest_ms']:.0f} ms | {r['notebook_mb']:.2f} MB |"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
