"""The notebook face of tfgraph workbench: see, run and step through graphs.

The workbench is a thin layer over :mod:`runtime`: it turns graphs into pictures,
widgets and JSON payloads; every op semantic stays in the runtime.
"""


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives inside this package."""
    return [{"src": "labextension", "dest": "tfgraph-workbench-ext"}]
