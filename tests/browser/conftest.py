"""Fixtures for tests that drive a real JupyterLab in Chromium.

- ``lab``: one JupyterLab server per session (see labserver.running_lab).
- ``chromium``: one headless Debian Chromium per session.
- ``page``: a fresh browser context per test, whose screenshot lands in
  test-artifacts/<test name>.png when the test ends, pass or fail; then the
  test's kernels are shut down.
- ``dialogs``, ``page_errors``: what the page showed in alert/confirm dialogs and
  the exceptions it did not catch.
- ``notebook``: write a notebook of code cells, open it, run all cells.

Mark browser tests ``@pytest.mark.browser``.
"""

import re
from pathlib import Path

import pytest
from labserver import launch_chromium, open_notebook, running_lab
from playwright.sync_api import sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    state = tmp_path_factory.mktemp("lab-state")
    with running_lab(root, state) as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def dialogs():
    return []


@pytest.fixture
def page_errors():
    return []


@pytest.fixture
def page(chromium, lab, request, dialogs, page_errors):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()
    # After the screenshot, so it never shows a "kernel died" state.
    lab.shutdown_kernels()


@pytest.fixture
def notebook(lab, page, request):
    """Return ``run(cells, name=None)``: open a notebook of these cells and run them all."""

    def run(cells: list[str], name: str | None = None) -> None:
        stem = re.sub(r"[^\w-]+", "_", request.node.name)
        name = name or f"{stem}.ipynb"
        lab.write_notebook(name, cells)
        open_notebook(page, lab, name, workspace=stem)

    return run
