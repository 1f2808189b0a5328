"""The notebook face of tfgraph workbench: see, run and step through graphs.

The workbench is a thin layer over :mod:`runtime`: it turns graphs into pictures,
widgets and JSON payloads; every op semantic stays in the runtime.

``%load_ext workbench`` registers the ``%%tfgraph`` cell magic, makes a
``runtime.Graph`` display itself as a picture, and names notebook cells ``<cell N>``
in the tracebacks of TensorFlow errors.
"""

import importlib

# Public names, imported on first use: JupyterLab imports this package only to find the
# lab extension (``_jupyter_labextension_paths``), which needs none of them.
_LAZY = {
    "MIME_TYPE": "view",
    "GraphView": "view",
    "GraphDisplay": "display",
    "show": "display",
    "StepperView": "stepper_view",
    "SummaryView": "summary_view",
    "GraphBuilder": "builder",
    "TimelineView": "timeline_view",
    "OptimizedView": "optimized_view",
    "show_optimized": "optimized_view",
    "to_networkx": "nx",
    "from_networkx": "nx",
    "load_graph": "files",
}
__all__ = sorted(_LAZY)

_installed: dict = {}  # what load_ipython_extension registered, for unloading


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'workbench' has no attribute '{name}'")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


def load_ipython_extension(ipython) -> None:
    """``%load_ext workbench``: the magic, the Graph formatter, cell names in tracebacks."""
    from runtime import errors
    from runtime.graph import Graph

    from .cell_errors import cell_name_formatter
    from .display import show
    from .magic import TFGraphMagics

    ipython.register_magics(TFGraphMagics)
    formatter = ipython.display_formatter.mimebundle_formatter
    formatter.for_type(Graph, lambda graph: show(graph)._repr_mimebundle_())
    if "filenames" not in _installed:
        _installed["filenames"] = cell_name_formatter(ipython)
        errors.register_filename_formatter(_installed["filenames"])


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext workbench``: undo what loading registered (the magic stays, as IPython's do)."""
    from runtime import errors
    from runtime.graph import Graph

    ipython.display_formatter.mimebundle_formatter.pop(Graph, None)
    if "filenames" in _installed:
        errors.unregister_filename_formatter(_installed.pop("filenames"))


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives inside this package."""
    return [{"src": "labextension", "dest": "tfgraph-workbench-ext"}]


def _jupyter_server_extension_points():
    """The server extension that opens ``.pb``/``.pbtxt`` files as graphs (``server.py``)."""
    return [{"module": "workbench.server"}]
