"""``docs/ARCHITECTURE.md`` stays true: its module map names every module of ``runtime/``
and ``workbench/``, and nothing else.

The map lists each package's modules as ``- `name` — what it is``. After adding or
removing a module, print a fresh map (descriptions from the modules' docstrings, to edit
by hand where they say too little) and paste it between the map's markers::

    .venv/bin/python -m tests.test_architecture
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGES = ("runtime", "workbench")
_ENTRY = re.compile(r"^- `([\w.]+)`", re.MULTILINE)


def modules() -> dict[str, list[Path]]:
    """``{package directory: its modules}``, generated protobuf code left out."""
    found: dict[str, list[Path]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name.endswith("_pb2.py") or path.name == "__init__.py":
                continue
            found.setdefault(str(path.parent.relative_to(ROOT)), []).append(path)
    return found


def _module_map_text() -> str:
    text = DOC.read_text()
    begin, end = "<!-- module-map: begin -->", "<!-- module-map: end -->"
    return text[text.index(begin) + len(begin) : text.index(end)]


def listed() -> dict[str, set[str]]:
    """``{package directory: module names}`` as the map lists them under ``### dir/``."""
    sections = re.split(r"^### `?([\w/]+)/`?$", _module_map_text(), flags=re.MULTILINE)
    return {
        directory: set(_ENTRY.findall(body))
        for directory, body in zip(sections[1::2], sections[2::2], strict=True)
    }


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return first.split(". ")[0].rstrip(".")


def fresh_map() -> str:
    lines = []
    for directory, paths in modules().items():
        lines += ["", f"### `{directory}/`", ""]
        lines += [f"- `{path.stem}` — {_summary(path)}" for path in paths]
    return "\n".join(lines) + "\n"


def test_the_module_map_names_every_module_and_only_those():
    actual = {directory: {path.stem for path in paths} for directory, paths in modules().items()}
    in_map = listed()
    missing = {d: sorted(names - in_map.get(d, set())) for d, names in actual.items()}
    stale = {d: sorted(names - actual.get(d, set())) for d, names in in_map.items()}
    assert not any(missing.values()), f"not in docs/ARCHITECTURE.md's module map: {missing}"
    assert not any(stale.values()), f"in the module map but not in the tree: {stale}"


def test_the_narrative_names_only_modules_that_exist():
    text = DOC.read_text().replace(_module_map_text(), "")
    named = set(re.findall(r"`((?:[\w]+/)*[\w]+\.py)`", text))
    trees = [ROOT / package for package in PACKAGES]
    absent = [
        name
        for name in named
        if not (ROOT / name).exists()
        and not any(list(tree.rglob(Path(name).name)) for tree in trees)
    ]
    assert named and not absent, f"docs/ARCHITECTURE.md names files that do not exist: {absent}"


if __name__ == "__main__":
    print(fresh_map())
