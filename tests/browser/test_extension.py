"""The lab extension as a person sees it: graphs drawn in JupyterLab, in Chromium.

Notebooks display the payload fixtures shared with the jest and schema tests
(tests/fixtures/payloads) as raw MIME bundles, so these tests need nothing but
the extension; the ``%%tfgraph`` test goes through the workbench's own magic.
"""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
MIME = "application/vnd.tfgraph.v2+json"
RENDERED = ".jp-TFGraph[data-rendered='true']"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
CPU1 = "/job:localhost/replica:0/task:0/device:CPU:1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
XSS_NAME = "<img src=x onerror=alert(1)>"

# Fill colour of each drawn op box, by the first line of its label.
NODE_FILLS = """root => Object.fromEntries([...root.querySelectorAll('.jp-TFGraph-viewport g.node')]
  .map(g => [g.querySelector('text').textContent,
             g.querySelector('path, polygon, ellipse').getAttribute('fill')]))"""


def display_fixture(name: str) -> str:
    """A cell that displays a fixture payload the way a renderer receives it."""
    return (
        "import json\n"
        "from IPython.display import display\n"
        f"payload = json.load(open({str(FIXTURES / name)!r}))\n"
        f"display({{{MIME!r}: payload, 'text/plain': 'graph'}}, raw=True)"
    )


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def graph_node(page, label: str):
    """The drawn node whose label's first line is exactly ``label``."""
    return page.locator(".jp-TFGraph-viewport g.node").filter(
        has=page.locator("text").first.get_by_text(label, exact=True)
    )


@pytest.fixture
def two_devices(page, notebook):
    """A notebook showing the two-device fixture; returns the renderer's root."""
    notebook([display_fixture("two_devices.json")])
    page.wait_for_selector(f"{RENDERED} svg g.node")
    return page.locator(RENDERED)


def test_nodes_are_drawn_in_their_device_colours(page, two_devices, page_errors):
    payload = fixture("two_devices.json")
    fills = two_devices.evaluate(NODE_FILLS)
    assert len(fills) == 7
    assert fills["MatMul"] == payload["colors"]["device"][CPU1]
    assert fills["x"] == payload["colors"]["device"][CPU0]
    assert set(fills.values()) == set(payload["colors"]["device"].values())
    assert two_devices.locator(".jp-TFGraph-legendEntry").all_inner_texts() == [
        "CPU:0 (3)",
        "CPU:1 (4)",
        "placed elsewhere than requested",
    ]
    assert page_errors == []


def test_clicking_a_node_shows_its_devices(page, two_devices):
    panel = two_devices.locator(".jp-TFGraph-panel")
    assert panel.inner_text().startswith("Click an op to see")
    graph_node(page, "MatMul").click()
    assert panel.locator("[data-field='assigned_device']").inner_text() == CPU1
    assert panel.locator("[data-field='op']").inner_text() == "MatMul"
    assert panel.locator("[data-field='created_at']").inner_text() == "<cell 1>, line 6"
    assert panel.locator("[data-field='outputs'] li").all_inner_texts() == [
        "layer1/MatMul:0: float32 (?, 2)"
    ]
    graph_node(page, "y").click()
    assert panel.locator("[data-field='assigned_device']").inner_text() == (
        f"{CPU0} (soft placement)"
    )


def test_scope_closes_and_opens(page, two_devices):
    boxes = "() => document.querySelectorAll('.jp-TFGraph-viewport g.node').length"
    two_devices.locator("g.cluster > text", has_text="layer1").click()
    page.wait_for_function(f"() => ({boxes})() === 3")
    graph_node(page, "layer1").click()
    page.wait_for_function(f"() => ({boxes})() === 7")
    assert two_devices.locator(".jp-TFGraph-viewport g.cluster > text").text_content() == "layer1"


def test_search_highlights_matches(page, two_devices):
    search = two_devices.locator(".jp-TFGraph-search")
    search.fill("layer1/")
    assert two_devices.locator("g.node.jp-TFGraph-match").count() == 5
    assert two_devices.locator(".jp-TFGraph-searchStatus").inner_text() == "5 matches"
    two_devices.locator(".jp-TFGraph-regex").check()
    search.fill("^(x|y)$")
    matched = two_devices.locator("g.node.jp-TFGraph-match text:first-of-type")
    assert sorted(matched.all_text_contents()) == ["x", "y"]
    # Non-matches are dimmed, so the matches stand out.
    opacity = graph_node(page, "MatMul").evaluate("g => getComputedStyle(g).opacity")
    assert float(opacity) < 0.5


def test_trace_inputs_and_export(page, two_devices):
    graph_node(page, "add").click()
    two_devices.locator(".jp-TFGraph-trace").click()
    traced = two_devices.locator("g.node.jp-TFGraph-traced text:first-of-type")
    assert sorted(traced.all_text_contents()) == ["MatMul", "b", "init", "w", "x"]

    with page.expect_download() as svg_download:
        two_devices.get_by_role("button", name="SVG").click()
    svg = Path(svg_download.value.path()).read_text()
    assert svg_download.value.suggested_filename == "two_devices.svg"
    assert svg.startswith("<?xml") and "<svg" in svg and ">MatMul</text>" in svg

    with page.expect_download() as png_download:
        two_devices.get_by_role("button", name="PNG").click()
    png = Path(png_download.value.path()).read_bytes()
    assert png_download.value.suggested_filename == "two_devices.png"
    assert png.startswith(b"\x89PNG") and len(png) > 2000


def test_pan_and_zoom(page, two_devices):
    viewport = two_devices.locator(".jp-TFGraph-viewport")
    before = viewport.evaluate("v => v.style.transform")
    two_devices.get_by_role("button", name="+").click()
    zoomed = viewport.evaluate("v => v.style.transform")
    assert zoomed != before and "scale(" in zoomed
    box = two_devices.locator(".jp-TFGraph-canvas").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 65, box["y"] + 45, steps=5)
    page.mouse.up()
    panned = viewport.evaluate("v => new DOMMatrix(getComputedStyle(v).transform)")
    zoomed_matrix = viewport.evaluate("(v, t) => new DOMMatrix(t)", zoomed)
    assert panned["e"] == pytest.approx(zoomed_matrix["e"] + 60, abs=1)
    assert panned["f"] == pytest.approx(zoomed_matrix["f"] + 40, abs=1)


def test_untrusted_names_render_as_text(page, notebook, dialogs, page_errors):
    notebook([display_fixture("xss_names.json")])
    root = page.locator(RENDERED)
    root.locator("svg g.node").first.wait_for()
    graph_node(page, XSS_NAME).click()
    assert root.locator(".jp-TFGraph-panelTitle").inner_text() == XSS_NAME
    assert root.locator("[data-field='op']").inner_text() == '"><script>alert(2)</script>'
    assert "value = <b>not bold</b>" in root.locator("[data-field='attrs']").inner_text()
    assert graph_node(page, 'back\\slash "quote" &amp;').count() == 1
    assert page.locator(".jp-TFGraph img, .jp-TFGraph script, .jp-TFGraph b").count() == 0
    assert page.locator(".jp-TFGraph-viewport g.node").count() == 2
    assert dialogs == []
    assert page_errors == []


def test_tfgraph_magic_draws_ops_in_their_device_colours(page, notebook, page_errors):
    notebook(
        [
            "%load_ext workbench\n"
            "import runtime as tf\n"
            "config = tf.compat.v1.ConfigProto(device_count={'CPU': 2})",
            "%%tfgraph --config config --run shifted\n"
            "with tf.device('/cpu:0'):\n"
            "    a = tf.constant([[1.0, 2.0]], name='a')\n"
            "    b = tf.constant([[3.0], [4.0]], name='b')\n"
            "with tf.device('/cpu:1'):\n"
            "    with tf.name_scope('layer'):\n"
            "        product = tf.matmul(a, b, name='product')\n"
            "        shifted = tf.add(product, 1.0, name='shifted')",
        ]
    )
    root = page.locator(RENDERED)
    root.locator("svg g.node").first.wait_for()
    # The legend's colours come from the payload, i.e. from the Python palette.
    legend = {
        row.inner_text().split(" (")[0]: row.get_attribute("data-color")
        for row in root.locator(".jp-TFGraph-legendEntry").all()
    }
    assert set(legend) == {"CPU:0", "CPU:1"}
    assert legend["CPU:0"] != legend["CPU:1"]
    fills = root.evaluate(NODE_FILLS)
    assert fills["a"] == fills["b"] == legend["CPU:0"]
    assert fills["product"] == legend["CPU:1"]
    assert set(fills.values()) == set(legend.values())
    graph_node(page, "product").click()
    assert root.locator("[data-field='assigned_device']").inner_text() == CPU1
    assert root.locator("[data-field='op']").inner_text() == "MatMul"
    # --run printed the value computed across the two devices: 1*3 + 2*4 + 1.
    outputs = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
    assert "shifted = array([[12.]]" in outputs
    assert page_errors == []


def test_bad_payloads_explain_themselves(page, notebook):
    notebook([display_fixture("invalid_malformed.json"), display_fixture("invalid_version1.json")])
    messages = page.locator(f"{RENDERED} .jp-TFGraph-message")
    messages.nth(1).wait_for()
    assert messages.all_inner_texts() == [
        'tfgraph payload is malformed: payload.nodes lacks the required field "op"',
        "tfgraph payload version 1 is not supported by this extension (expects 2)",
    ]
    assert page.locator(".jp-TFGraph svg").count() == 0
