"""``tf.compat.v1``: TensorFlow 1's names (``placeholder``, ``Session`` ...)."""

from __future__ import annotations

from ..graph import get_default_graph, reset_default_graph  # noqa: F401
from ..ops.array_ops import placeholder, placeholder_with_default  # noqa: F401
from ..scopes import name_scope  # noqa: F401


def disable_eager_execution() -> None:
    """Accepted for TF1 code: graph mode is the only mode here."""


def enable_eager_execution(*args, **kwargs) -> None:
    """Eager execution is not available: this runtime is graph mode only."""
    raise NotImplementedError("runtime is graph-mode only; eager execution is not available.")


def executing_eagerly() -> bool:
    """Always ``False``: graphs are built and run in sessions."""
    return False


def disable_v2_behavior() -> None:
    """Accepted for TF1 code; nothing to switch."""
