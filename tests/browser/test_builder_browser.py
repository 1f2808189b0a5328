"""The graph builder as a person uses it: clicks in JupyterLab, in Chromium."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

CELL = """
from workbench import GraphBuilder

builder = GraphBuilder()
builder
"""

# The first label line of each box of the builder's picture (the extension's renderer).
NODE_LABELS = (
    "root => [...root.querySelectorAll('.jp-TFGraph-viewport g.node')]"
    ".map(g => g.querySelector('text').textContent)"
)


def choose(view, search: str, key: str, family: str, op_type: str) -> None:
    """Search the palette, pick an entry, wait for its form.

    The kernel answers the search by sending the list anew; a pick made before that
    answer arrives is replaced with the list (on a loaded machine it often is), so the
    pick is repeated until the form shows.
    """
    view.locator(".tfgraph-builder-search input").fill(search)
    palette = view.locator(".tfgraph-builder-palette select")
    label = f"{family}: {key} ({op_type})"
    form = view.locator(".tfgraph-builder-form b", has_text=key)
    for _ in range(10):
        palette.locator("option", has_text=label).wait_for()
        palette.select_option(label=label)
        try:
            form.wait_for(timeout=3_000)
            return
        except PlaywrightTimeoutError:
            continue
    form.wait_for()


def field(view, name: str, element: str = "input"):
    return view.locator(f".tfgraph-builder-field-{name} {element}")


def add_and_wait(view, node_label: str) -> None:
    view.locator(".tfgraph-builder-add").click()
    view.locator(".tfgraph-builder-nodes option", has_text=node_label).wait_for()


def test_build_c_equals_a_times_b_by_clicking_and_run_it(page, notebook, page_errors):
    notebook([CELL])
    view = page.locator(".tfgraph-builder")
    for name, value in [("a", "5.0"), ("b", "6.0")]:
        choose(view, "constant", "tf.constant", "constant", "Const")
        field(view, "value").fill(value)
        field(view, "name").fill(name)
        add_and_wait(view, f"{name} (Const)")

    choose(view, "multiply", "tf.multiply", "math", "Mul")
    field(view, "x", "select").select_option(label="a:0 float32 ()")
    field(view, "y", "select").select_option(label="b:0 float32 ()")
    field(view, "name").fill("c")
    add_and_wait(view, "c (Mul)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tfgraph-builder .jp-TFGraph-viewport g.node')]"
        ".some(g => g.querySelector('text').textContent === 'c')"
    )
    labels = view.locator(".tfgraph-builder-graph").evaluate(NODE_LABELS)
    assert {"a", "b", "c"} <= set(labels)

    view.locator(".tfgraph-builder-fetch select").select_option(label="c:0")
    view.locator(".tfgraph-builder-run").click()
    result = view.locator(".tfgraph-builder-results pre[data-tensor='c:0']")
    result.wait_for()
    assert result.inner_text() == "c:0 = 30.0"
    code = view.locator(".tfgraph-builder-code pre").inner_text()
    assert 'c = tf.multiply(a, b, name="c")' in code
    assert page_errors == []
