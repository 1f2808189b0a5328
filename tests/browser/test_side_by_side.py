"""The same three graphs in this project's extension and in TensorBoard's graph dashboard.

A CNN trained with Adam, a 10,000-op flat chain and a frozen model (a TF-written
``.pb``): each shown with ``workbench.show`` in JupyterLab and written with the
runtime's ``FileWriter`` for TensorBoard (a test dependency; it runs offline on
127.0.0.1). The screenshots in test-artifacts/ are the ones docs/picture-vs-tensorboard.md
shows; the boxes each draws at first sight are recorded there too.
"""

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from labserver import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbench"))
from models import CNN

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
FROZEN = ROOT / "tests" / "fixtures" / "tf" / "convnet_frozen.pb"
GRAPHS = {
    "cnn": CNN,
    "chain": (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests' / 'workbench')!r})\n"
        "from models import chain_graph\n"
        "graph = chain_graph(10_000)"
    ),
    "frozen": f"import workbench\ngraph = workbench.load_graph({str(FROZEN)!r})",
}
BOXES = "() => Number(document.querySelector('.jp-TFGraph[data-rendered=\"true\"]').dataset.boxes)"


def record(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "picture-figures.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=1))


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    """An event-file folder per graph, written by the runtime's FileWriter."""
    root = tmp_path_factory.mktemp("tensorboard")
    for name, cell in GRAPHS.items():
        writer = (
            "from runtime.summary.writer import FileWriter\n"
            f"FileWriter({str(root / name / name)!r}, graph=graph).close()"
        )
        subprocess.run([sys.executable, "-c", f"{cell}\n{writer}"], check=True, cwd=ROOT)
    return root


@contextmanager
def tensorboard(logdir: Path):
    """TensorBoard serving one graph's folder (so its only run is the one shown)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--port", str(port),
         "--host", "127.0.0.1", "--load_fast", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/data/runs", timeout=2) as response:
                    if json.load(response):
                        break
            except OSError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_the_same_graph_here_and_in_tensorboard(page, notebook, logdir, name):
    notebook([GRAPHS[name], "import workbench\nworkbench.show(graph)"], name=f"{name}.ipynb")
    root = page.locator(".jp-TFGraph[data-rendered='true']")
    root.locator(".jp-TFGraph-viewport g.node").first.wait_for(timeout=120_000)
    root.scroll_into_view_if_needed()
    ours = page.evaluate(BOXES)
    assert ours <= 25
    page.screenshot(path=ARTIFACTS / f"picture-{name}-tfgraph.png")

    board = page.context.new_page()  # leaving the notebook would ask to save it
    with tensorboard(logdir / name) as url:
        started = time.perf_counter()
        board.goto(f"{url}/#graphs")
        board.locator("tf-graph g.node").first.wait_for(timeout=120_000)
        drawn_s = time.perf_counter() - started
        board.wait_for_timeout(1500)  # its layout animates into place
        theirs = board.locator("tf-graph g.node").count()
        board.screenshot(path=ARTIFACTS / f"picture-{name}-tensorboard.png")
    record(
        name,
        {
            "tfgraph boxes": ours,
            "tensorboard nodes": theirs,
            "tensorboard page load to drawn (s)": round(drawn_s, 1),
        },
    )
    assert theirs > 0
