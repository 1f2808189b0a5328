"""Imports point one way: the engine never imports the notebook layer, kernels stay pure.

Walks the source with ``ast`` (no imports executed), so a lazy import inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
FORBIDDEN_IN_RUNTIME = {"workbench", "IPython", "ipywidgets", "graphviz", "ipykernel", "traitlets"}
# Kernels are numpy functions: they may use numpy, the standard library, each other, and
# the runtime's leaf modules (errors, registry and TF's logging; dtypes/shapes are plain
# values) -- never the graph, ops, session or executor layers.
KERNEL_RUNTIME_MODULES = {
    *("errors", "registry", "dtypes", "shapes", "files", "kernels", "deadness", "tf_logging"),
    "limits",  # a leaf too: the size limits DecodeCompressed inflates under
    "intra_op",  # a leaf too: the session's intra-op threads kernels split work across
    "resources",  # a leaf too: resource containers, and TF's rules for their names
}


def _imports(path: Path):
    """(module, level) for every import in ``path``; ``level`` > 0 for relative ones."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            if node.level and not node.module:  # "from . import x"
                for alias in node.names:
                    yield alias.name, node.level
            else:
                yield node.module or "", node.level


def _runtime_module(path: Path, module: str, level: int) -> str | None:
    """The runtime-relative dotted name an import refers to, or None if outside runtime."""
    if level == 0:
        return module[len("runtime.") :] if module.startswith("runtime.") else None
    package = list(path.relative_to(RUNTIME).parent.parts)
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


SOURCES = sorted(RUNTIME.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(RUNTIME)))
def test_runtime_never_imports_the_notebook_layer(path):
    bad = [
        m for m, level in _imports(path) if level == 0 and m.split(".")[0] in FORBIDDEN_IN_RUNTIME
    ]
    assert bad == [], f"{path.relative_to(RUNTIME.parent)} imports {bad}"


KERNELS = sorted((RUNTIME / "kernels").glob("*.py"))


@pytest.mark.parametrize("path", KERNELS, ids=lambda p: p.name)
def test_kernels_import_only_numpy_stdlib_and_leaf_modules(path):
    for module, level in _imports(path):
        inside = _runtime_module(path, module, level)
        if inside is not None:
            top = inside.split(".")[0]
            if top == "kernels" and "." in inside:
                continue  # a sibling kernel module
            assert top in KERNEL_RUNTIME_MODULES, f"{path.name} imports runtime.{inside}"
            continue
        root = module.split(".")[0]
        assert root == "numpy" or root in sys.stdlib_module_names, f"{path.name} imports {module}"


def test_the_walk_sees_relative_and_lazy_imports():
    assert ("array", 1) in list(_imports(RUNTIME / "kernels" / "__init__.py"))
    assert _runtime_module(RUNTIME / "kernels" / "math.py", "registry", 2) == "registry"
    assert _runtime_module(RUNTIME / "ops" / "core.py", "", 1) == "ops"
    assert _runtime_module(RUNTIME / "session.py", "runtime.graph", 0) == "graph"
    lazy = ("stepper", 1) in list(_imports(RUNTIME / "session.py"))  # imported in a method
    assert lazy
