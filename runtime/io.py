"""``tf.io``: reading and writing graph files."""

from .graph_io import load_graph, read_graph_def, write_graph

__all__ = ["load_graph", "read_graph_def", "write_graph"]
