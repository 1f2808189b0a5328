"""JupyterLab and Chromium for the browser tests (conftest.py) and benchmarks (bench/).

A plain module, not fixtures, so a benchmark script can drive the same server
and browser the tests do. See RECIPES.md §4 for why each flag is there.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

CHROMIUM = "/usr/bin/chromium"

# Without the networking flags Chromium keeps dialing out of this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Turns off the "get notified about Jupyter news?" toast that covers screenshots.
NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}

# True once the notebook in the current tab has a kernel that is idle.
KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

# True once every code cell of the current notebook has an execution count.
ALL_CELLS_RAN = """() => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  return notebook.widgets.every(
    cell => cell.model.type !== 'code' || cell.model.executionCount !== null);
}"""

# The error outputs of the current notebook, as "ename: evalue" strings.
CELL_ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(cell => cell.model.type === 'code')
  .flatMap(cell => cell.model.outputs.toJSON())
  .filter(output => output.output_type === 'error')
  .map(output => output.ename + ': ' + output.evalue)"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A running JupyterLab server: its URL and the folder it serves."""

    def __init__(self, url: str, root: Path):
        self.url = url
        self.root = root

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        """Write a notebook of code cells under the served folder."""
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        path = self.root / name
        nbformat.write(notebook, path)
        return path

    def shutdown_kernels(self) -> None:
        """End every kernel session, so kernels do not pile up across tests."""
        with urllib.request.urlopen(f"{self.url}/api/sessions") as response:
            sessions = json.load(response)
        for session in sessions:
            request = urllib.request.Request(
                f"{self.url}/api/sessions/{session['id']}", method="DELETE"
            )
            urllib.request.urlopen(request).close()


@contextmanager
def running_lab(root: Path, state: Path, timeout: float = 60) -> Iterator[Lab]:
    """Run ``jupyter lab`` from this Python's environment on 127.0.0.1.

    It serves ``root`` with no token, keeps its settings and workspaces under
    ``state`` (so a developer's own never leak in), and logs to ``state/lab.log``.
    """
    settings = state / "settings"
    notification = settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps(NOTIFICATION_SETTINGS))
    (state / "workspaces").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", "--ServerApp.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        # Lets shutdown_kernels() DELETE sessions without a browser's XSRF cookie.
        "--ServerApp.disable_check_xsrf=True",
        # The workbench's server extension (opens .pb files), as its installed config does.
        "--ServerApp.jpserver_extensions=workbench=True",
    ]  # fmt: skip
    log_path = state / "lab.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_up(url, server, log_path, timeout)
        yield Lab(url, root)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with {server.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{log_path.read_text()}")


def launch_chromium(playwright):
    """Debian's Chromium, headless, through Python playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def open_notebook(page, lab: Lab, name: str, workspace: str, timeout: float = 60_000) -> None:
    """Open a notebook in its own workspace, run all its cells and wait for them.

    A fresh workspace keeps JupyterLab from reopening tabs of earlier tests.
    Raises AssertionError with the error of any cell that failed.
    """
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{name}")
    page.wait_for_selector(".jp-Notebook", timeout=timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RAN, timeout=timeout)
    errors = page.evaluate(CELL_ERRORS)
    assert not errors, f"cells of {name} failed: {errors}"
