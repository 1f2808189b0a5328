"""The step-through view as a person uses it: ipywidgets in JupyterLab, in Chromium."""

import pytest

from workbench.palette import STATUS

pytestmark = pytest.mark.browser

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

# Fill colour of each node of the stepper's picture, by the first line of its label.
NODE_FILLS = """root => Object.fromEntries([...root.querySelectorAll('g.node')].map(g => [
  g.querySelector('text').textContent,
  g.querySelector('path, polygon').getAttribute('fill')]))"""


def test_three_steps_highlight_the_third_op_and_show_its_value(page, notebook, page_errors):
    notebook([CELL])
    view = page.locator(".tfgraph-stepper")
    step = view.get_by_role("button", name="Step", exact=True)
    for op in ["a", "b", "c"]:
        step.click()
        view.locator(f".tfgraph-stepper-inspector[data-op='{op}']").wait_for()

    fills = view.locator(".tfgraph-stepper-graph svg").evaluate(NODE_FILLS)
    assert fills["c"] == STATUS["current"]
    assert fills["a"] == fills["b"] == STATUS["done"]
    assert fills["d"] == STATUS["next"]
    value = view.locator(".tfgraph-stepper-value[data-tensor='c:0']")
    assert "shape (2, 2), float32, min 1, max 16, mean 7.5, NaN 0, Inf 0" in value.inner_text()
    assert "[[ 1.  4.]\n [ 9. 16.]]" in value.locator("pre").inner_text()
    assert value.locator("svg rect").count() == 4  # the heat map
    assert view.locator(".tfgraph-stepper-message").inner_text() == "next: d"
    assert page_errors == []
