"""The step-through view as a person uses it: ipywidgets in JupyterLab, in Chromium.

The picture is the lab extension's own renderer in a notebook widget
(workbench/graph_widget.py), coloured by state with a legend.
"""

import shutil
from pathlib import Path

import pytest

from workbench.palette import STATUS

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

CELL = """
import runtime as tf
from workbench import StepperView

with tf.Graph().as_default() as graph:
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="a")
    b = tf.negative(a, name="b")
    c = tf.multiply(b, b, name="c")
    d = tf.add(c, a, name="d")
sess = tf.compat.v1.Session(graph=graph)
StepperView(sess, d)
"""

# Fill colour of each box of the stepper's picture, by the first line of its label.
NODE_FILLS = """root => Object.fromEntries(
  [...root.querySelectorAll('.jp-TFGraph-viewport g.node')].map(g => [
    g.querySelector('text').textContent,
    g.querySelector('path, polygon').getAttribute('fill')]))"""

DRAWN = "() => document.querySelector('.tfgraph-stepper .jp-TFGraph[data-rendered=\"true\"]')"


def wait_drawn(page) -> None:
    page.wait_for_function(DRAWN)


def test_three_steps_highlight_the_third_op_and_show_its_value(page, notebook, page_errors):
    notebook([CELL])
    view = page.locator(".tfgraph-stepper")
    step = view.get_by_role("button", name="Step", exact=True)
    for op in ["a", "b", "c"]:
        step.click()
        view.locator(f".tfgraph-stepper-inspector[data-op='{op}']").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tfgraph-stepper .jp-TFGraph-viewport g.node')]"
        f".some(g => g.querySelector('text').textContent === 'c' && g.querySelector('path, polygon')"
        f".getAttribute('fill') === '{STATUS['current']}')"
    )
    fills = view.locator(".tfgraph-stepper-graph").evaluate(NODE_FILLS)
    assert fills["c"] == STATUS["current"]
    assert fills["a"] == fills["b"] == STATUS["done"]
    assert fills["d"] == STATUS["next"]
    legend = view.locator(".jp-TFGraph-legendEntry").all_inner_texts()
    assert legend == ["done (2)", "current (1)", "next (1)"]
    value = view.locator(".tfgraph-stepper-value[data-tensor='c:0']")
    assert "shape (2, 2), float32, min 1, max 16, mean 7.5, NaN 0, Inf 0" in value.inner_text()
    assert value.locator("svg rect").count() == 4  # the heat map
    assert view.locator(".tfgraph-stepper-message").inner_text() == "next: d"
    # An op clicked in the picture is inspected.
    view.locator(".jp-TFGraph-viewport g.node").filter(has_text="a").first.locator("path").click(
        force=True
    )  # the label text sits on top
    view.locator(".tfgraph-stepper-inspector[data-op='a']").wait_for()
    assert page_errors == []


def test_the_nan_tutorial_steps_after_run_all(page, lab, page_errors):
    shutil.copy(NOTEBOOKS / "stepping_to_a_nan.ipynb", lab.root / "nan.ipynb")
    from labserver import open_notebook

    open_notebook(page, lab, "nan.ipynb", workspace="nan", timeout=120_000)
    view = page.locator(".tfgraph-stepper")
    view.scroll_into_view_if_needed()
    wait_drawn(page)
    # The view fits the cell: the inspector beside the picture is on screen.
    cell = view.bounding_box()
    inspector = view.locator(".tfgraph-stepper-inspector, .widget-dropdown").first.bounding_box()
    picture = view.locator(".jp-TFGraph-canvas").bounding_box()
    assert inspector["x"] + inspector["width"] <= cell["x"] + cell["width"] + 1
    assert picture["x"] + picture["width"] <= inspector["x"] + 1
    # Run All left the view stopped at the NaN: its op is marked and its value shown.
    message = view.locator(".tfgraph-stepper-message").inner_text()
    assert "stopped at breakpoint" in message
    culprit = view.locator(".tfgraph-stepper-inspector").get_attribute("data-op")
    assert culprit.startswith("loss/")
    assert "Inf 1" in view.locator(".tfgraph-stepper-value").first.inner_text()
    # Step and Continue work: the session is still open.
    view.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(
        "op => document.querySelector('.tfgraph-stepper-inspector').dataset.op !== op", arg=culprit
    )
    assert "Error" not in view.locator(".tfgraph-stepper-message").inner_text()
    view.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_function(
        "() => /stopped at breakpoint|every op has run/.test("
        "document.querySelector('.tfgraph-stepper-message').textContent)"
    )
    page.screenshot(
        path=Path(__file__).resolve().parents[2] / "test-artifacts" / "picture-stepper.png"
    )
    assert page_errors == []
