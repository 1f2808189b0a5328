"""``tf.io``: reading and writing graph files."""

from .graph_io import read_graph_def, write_graph

__all__ = ["read_graph_def", "write_graph"]
