"""``tf.graph_util``: helpers over whole graphs (TF2 keeps ``import_graph_def`` here)."""

from __future__ import annotations

from .importer import import_graph_def

__all__ = ["import_graph_def"]
