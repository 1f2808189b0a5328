"""A real model as a new user first sees it: a CNN trained with Adam (341 ops), shown
with ``workbench.show`` in JupyterLab, in Chromium.

The CNN is built with ``tf.nn`` ops and ``tf.compat.v1.get_variable`` in scopes named
as ``tf.layers`` names them, and once more with ``tf.compat.v1.layers``
(tests/workbench/models.py). Screenshots land in
test-artifacts/ for docs/picture-vs-tensorboard.md; edge crossings are counted and
recorded there too (a figure, not asserted).
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbench"))
from models import CNN, LAYERS_CNN

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RENDERED = ".jp-TFGraph[data-rendered='true']"
SHOW = "import workbench\nworkbench.show(graph, name='cnn')"

# Boxes of the drawing (not of the minimap's copy): label, and whether in a side area.
BOXES = """root => {
  const svg = root.querySelector('.jp-TFGraph-viewport svg');
  const aux = [...svg.querySelectorAll('g.cluster')]
    .filter(c => c.querySelector('title').textContent.startsWith('cluster_aux'))
    .map(c => c.getBBox());
  const inside = (b, a) => b.x >= a.x && b.y >= a.y && b.x + b.width <= a.x + a.width
    && b.y + b.height <= a.y + a.height;
  return [...svg.querySelectorAll('g.node')].map(g => ({
    label: g.querySelector('text').textContent,
    side: aux.some(a => inside(g.getBBox(), a)),
  }));
}"""

# Crossings between drawn edges: each edge's path sampled as a polyline.
CROSSINGS = """root => {
  const lines = [...root.querySelectorAll('.jp-TFGraph-viewport g.edge path')].map(path => {
    const n = 24, length = path.getTotalLength(), points = [];
    for (let i = 0; i <= n; i++) { const p = path.getPointAtLength(length * i / n); points.push([p.x, p.y]); }
    return points;
  });
  const cross = (a, b, c, d) => {
    const o = (p, q, r) => Math.sign((q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0]));
    return o(a,b,c) * o(a,b,d) < 0 && o(c,d,a) * o(c,d,b) < 0;
  };
  let count = 0;
  for (let i = 0; i < lines.length; i++) for (let j = i + 1; j < lines.length; j++) {
    let found = false;
    for (let s = 0; s + 1 < lines[i].length && !found; s++)
      for (let t = 0; t + 1 < lines[j].length && !found; t++)
        found = cross(lines[i][s], lines[i][s+1], lines[j][t], lines[j][t+1]);
    count += found;
  }
  return {edges: lines.length, crossings: count};
}"""


@pytest.fixture
def cnn(page, notebook):
    notebook([CNN, SHOW], name="cnn.ipynb")
    root = page.locator(RENDERED)
    root.locator(".jp-TFGraph-viewport g.node").first.wait_for()
    root.scroll_into_view_if_needed()
    return root


def record(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "picture-figures.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = figures
    path.write_text(json.dumps(known, indent=1))


def test_the_first_picture_reads(page, cnn, page_errors):
    boxes = cnn.evaluate(BOXES)
    main = [b["label"] for b in boxes if not b["side"]]
    side = [b["label"] for b in boxes if b["side"]]
    assert len(boxes) <= 25
    assert {"conv1", "conv2", "conv3", "dense1", "dense2", "loss"} <= set(main)
    assert {"init", "save", "Adam", "gradients"} <= set(side)
    figures = cnn.evaluate(CROSSINGS)
    record("cnn first picture", {"boxes": len(boxes), **figures})
    # Op categories: one colour each, none shared.
    legend = {
        row.inner_text().split(" (")[0]: row.get_attribute("data-color")
        for row in cnn.locator(".jp-TFGraph-legendEntry").all()
    }
    assert {"math", "array", "nn", "state", "training"} <= set(legend)
    assert len(set(legend.values())) == len(legend)
    assert cnn.locator(".jp-TFGraph-minimap svg").count() == 1
    page.screenshot(path=ARTIFACTS / "picture-cnn-tfgraph.png")
    assert page_errors == []


def test_opening_a_stage_keeps_it_under_the_cursor(page, cnn):
    cnn.locator(".jp-TFGraph-canvas").scroll_into_view_if_needed()
    box = cnn.locator(".jp-TFGraph-viewport g.node").filter(has_text="conv2").first
    bounds = box.locator("polygon").first.bounding_box()  # the box, not its stub note
    x, y = bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2
    page.mouse.click(x, y)
    cluster = cnn.locator(".jp-TFGraph-viewport g.cluster").filter(
        has=page.locator("title", has_text="cluster_g")
    )
    page.wait_for_function(
        "() => document.querySelector('.jp-TFGraph').dataset.rendered === 'true' && "
        "document.querySelectorAll('.jp-TFGraph-viewport g.cluster').length > 1"
    )
    opened = cluster.first.bounding_box()
    centre = (opened["x"] + opened["width"] / 2, opened["y"] + min(opened["height"] / 2, 24 * 1))
    distance = ((centre[0] - x) ** 2 + (centre[1] - y) ** 2) ** 0.5
    record("cnn open conv2", {"distance from cursor (px)": round(distance, 1)})
    assert distance <= 50
    inside = cnn.evaluate(BOXES)
    assert {"Conv2D", "weights", "biases"} <= {b["label"] for b in inside}


def test_search_jumps_to_each_match(page, cnn):
    search = cnn.locator(".jp-TFGraph-search")
    search.fill("dense2/MatMul")
    assert cnn.locator(".jp-TFGraph-result").first.inner_text() == "dense2/MatMul"
    search.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.jp-TFGraph').dataset.rendered === 'true' && "
        "!!document.querySelector('.jp-TFGraph-viewport g.node.jp-TFGraph-selected')"
    )
    assert cnn.locator("[data-field='op']").inner_text() == "MatMul"
    selected = cnn.locator(".jp-TFGraph-viewport g.node.jp-TFGraph-selected").bounding_box()
    canvas = cnn.locator(".jp-TFGraph-canvas").bounding_box()
    assert canvas["x"] <= selected["x"] <= canvas["x"] + canvas["width"]
    assert canvas["y"] <= selected["y"] <= canvas["y"] + canvas["height"]
    page.keyboard.press("Escape")
    assert cnn.locator(".jp-TFGraph-viewport g.node.jp-TFGraph-selected").count() == 0


def test_a_tf_layers_model_reads_at_first_sight(page, notebook, page_errors):
    notebook([LAYERS_CNN, SHOW], name="layers.ipynb")
    root = page.locator(RENDERED)
    root.locator(".jp-TFGraph-viewport g.node").first.wait_for()
    boxes = root.evaluate(BOXES)
    main = {b["label"] for b in boxes if not b["side"]}
    side = {b["label"] for b in boxes if b["side"]}
    assert len(boxes) <= 25
    assert {"conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1"} <= main
    assert {"gradients", "Adam", "init"} <= side
    record("tf.layers first picture", {"boxes": len(boxes), **root.evaluate(CROSSINGS)})
    assert page_errors == []
