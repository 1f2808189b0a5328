"""TensorFlow's graph files in the workbench: ``load_graph`` opens a ``.pb``/``.pbtxt``
to be drawn, run and stepped like a graph built in code."""

from runtime.graph_io import load_graph

__all__ = ["load_graph"]
