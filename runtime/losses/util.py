"""The ``LOSSES`` collection: ``add_loss``, ``get_losses``, the regularization losses, and
``get_total_loss`` (everything a TF1 program minimizes)."""

from __future__ import annotations

from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops import math_ops
from ..ops.core import constant

__all__ = [
    "add_loss",
    "get_losses",
    "get_regularization_loss",
    "get_regularization_losses",
    "get_total_loss",
]


def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    """Add ``loss`` to ``loss_collection`` (nothing when the collection is ``None``)."""
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    """The losses in ``loss_collection`` (names matching ``scope``)."""
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    """The regularization losses (layers' ``kernel_regularizer`` and the like)."""
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss") -> Tensor:
    """The sum of the regularization losses (zero when there are none).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(get_regularization_loss()))
    0.0
    """
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None) -> Tensor:
    """The sum of the losses (and, by default, the regularization losses).

    Raises ``ValueError`` when there is no loss at all.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     _ = tf.compat.v1.losses.absolute_difference([1.0, 2.0], [2.0, 2.0])
    ...     total = get_total_loss()
    ...     print(total.name, tf.compat.v1.Session().run(total))
    total_loss:0 0.5
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError(
            "No losses found: the LOSSES and REGULARIZATION_LOSSES collections are empty."
        )
    return math_ops.add_n(losses, name=name)
