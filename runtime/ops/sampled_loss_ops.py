"""Sampled losses: ``nce_loss`` and ``sampled_softmax_loss``, for many classes.

Both score each example against its true classes and a few sampled ones (drawn by a
candidate sampler, log-uniform by default) instead of every class, subtracting the
log of how often each class was expected to be drawn, as TF's
``_compute_sampled_logits`` does.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..scopes import name_scope
from . import array_ops, math_ops
from .candidate_sampling_ops import compute_accidental_hits, log_uniform_candidate_sampler
from .core import convert_to_tensor
from .embedding_ops import embedding_lookup_v1
from .loss_ops import sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits

__all__ = ["nce_loss", "sampled_softmax_loss"]


def _sum_rows(x: Tensor) -> Tensor:
    """Each row's sum, as a matrix product with ones (TF sums rows so: faster than Sum)."""
    ones = array_ops.ones(array_ops.stack([array_ops.shape(x)[1], 1]), x.dtype.base_dtype)
    return array_ops.reshape(math_ops.matmul(x, ones), [-1])


def _sampled_logits(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true,
    sampled_values,
    remove_accidental_hits,
    partition_strategy,
    seed=None,
) -> tuple[Tensor, Tensor]:
    """TF's ``_compute_sampled_logits``: logits of each row's true classes and of the shared
    sampled classes, less ``log`` of their expected counts, and the matching labels."""
    weights = list(weights) if isinstance(weights, list | tuple) else [weights]
    inputs = convert_to_tensor(inputs, name="inputs")
    labels = math_ops.cast(convert_to_tensor(labels, name="labels"), dtypes.int64)
    labels_flat = array_ops.reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(
            labels, num_true, num_sampled, True, num_classes, seed=seed
        )
    sampled, true_expected, sampled_expected = (
        array_ops.stop_gradient(convert_to_tensor(value)) for value in sampled_values
    )
    sampled = math_ops.cast(sampled, dtypes.int64)
    all_ids = array_ops.concat([labels_flat, sampled], 0)
    true_count = array_ops.shape(labels_flat)[0]
    all_w = math_ops.cast(
        embedding_lookup_v1(weights, all_ids, partition_strategy), inputs.dtype.base_dtype
    )
    true_w = array_ops.slice(all_w, [0, 0], array_ops.stack([true_count, -1]))
    sampled_w = array_ops.slice(all_w, array_ops.stack([true_count, 0]), [-1, -1])
    sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True)
    all_b = math_ops.cast(
        embedding_lookup_v1(biases, all_ids, partition_strategy), inputs.dtype.base_dtype
    )
    true_b = array_ops.slice(all_b, [0], array_ops.reshape(true_count, [1]))
    sampled_b = array_ops.slice(all_b, array_ops.reshape(true_count, [1]), [-1])
    # Each row's dot products with its num_true true classes.
    dim = array_ops.shape(true_w)[1:2]
    true_w = array_ops.reshape(true_w, array_ops.concat([[-1, num_true], dim], 0))
    row_dots = math_ops.multiply(array_ops.expand_dims(inputs, 1), true_w)
    dots = array_ops.reshape(row_dots, array_ops.concat([[-1], dim], 0))
    true_logits = array_ops.reshape(_sum_rows(dots), [-1, num_true])
    true_logits = math_ops.add(true_logits, array_ops.reshape(true_b, [-1, num_true]))
    sampled_logits = math_ops.add(sampled_logits, sampled_b)
    if remove_accidental_hits:
        sampled_logits = _mask_accidental_hits(labels, sampled, sampled_logits, num_true)
    true_logits = math_ops.subtract(true_logits, math_ops.log(true_expected))
    sampled_logits = math_ops.subtract(sampled_logits, math_ops.log(sampled_expected))
    logits = array_ops.concat([true_logits, sampled_logits], 1)
    labels = array_ops.concat(
        [
            math_ops.realdiv(array_ops.ones_like(true_logits), float(num_true)),
            array_ops.zeros_like(sampled_logits),
        ],
        1,
    )
    return logits, labels


def _mask_accidental_hits(labels, sampled, sampled_logits: Tensor, num_true: int) -> Tensor:
    """``sampled_logits`` with ``-FLT_MAX`` where a row's sample is one of its true classes.

    A class twice among a row's labels hits twice; the mask counts it once, as TF's
    ``SparseToDense`` (which sets, not adds) does.
    """
    rows, ids, weights = compute_accidental_hits(labels, sampled, num_true)
    where = array_ops.stack([rows, math_ops.cast(ids, dtypes.int32)], axis=1)
    shape = array_ops.shape(sampled_logits)
    ones = array_ops.ones_like(weights)
    hit = math_ops.greater(array_ops.scatter_nd(where, ones, shape), 0.0)
    lowest = math_ops.cast(array_ops.fill(shape, weights.dtype.min), sampled_logits.dtype)
    return math_ops.where(hit, math_ops.add(sampled_logits, lowest), sampled_logits)


def nce_loss_v1(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=False,
    partition_strategy="mod",
    name="nce_loss",
) -> Tensor:
    """Noise-contrastive estimation loss: each row's logistic losses on its true classes
    (label 1 / num_true) and on ``num_sampled`` sampled classes (label 0).

    Parameters
    ----------
    weights : Tensor or list of Tensors
        ``[num_classes, dim]`` class embeddings (or their partitions).
    biases : Tensor
        ``[num_classes]``.
    labels : int Tensor
        ``[batch, num_true]`` true classes.
    inputs : Tensor
        ``[batch, dim]`` activations.
    sampled_values : tuple, optional
        ``(sampled, true_expected_count, sampled_expected_count)``; by default a
        log-uniform sampler's draw.

    Returns
    -------
    Tensor
        ``[batch]`` losses.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.nce_loss(
    ...         weights=tf.ones([4, 2]), biases=tf.zeros([4]), labels=[[0]],
    ...         inputs=[[1.0, 1.0]], num_sampled=2, num_classes=4,
    ...         sampled_values=([1, 2], [[1.0]], [1.0, 1.0]))
    ...     tf.compat.v1.Session().run(loss).round(4)
    array([4.3808], dtype=float32)
    """
    logits, labels = _sampled_logits(
        weights,
        biases,
        labels,
        inputs,
        num_sampled,
        num_classes,
        num_true,
        sampled_values,
        remove_accidental_hits,
        partition_strategy,
    )
    with name_scope(name, "nce_loss", [logits, labels]):
        losses = sigmoid_cross_entropy_with_logits(labels, logits, name="sampled_losses")
        return _sum_rows(losses)


def nce_loss(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=False,
    name="nce_loss",
) -> Tensor:
    """TF2's ``tf.nn.nce_loss``: :func:`nce_loss_v1` with the ``div`` partition strategy."""
    return nce_loss_v1(
        weights,
        biases,
        labels,
        inputs,
        num_sampled,
        num_classes,
        num_true,
        sampled_values,
        remove_accidental_hits,
        "div",
        name,
    )


def sampled_softmax_loss_v1(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=True,
    partition_strategy="mod",
    name="sampled_softmax_loss",
    seed=None,
) -> Tensor:
    """Softmax cross-entropy over each row's true classes and ``num_sampled`` sampled ones,
    a cheap stand-in for the full softmax over many classes (Jean et al., 2014).

    Arguments as :func:`nce_loss_v1`; accidental hits are removed by default.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.sampled_softmax_loss(
    ...         weights=tf.ones([4, 2]), biases=tf.zeros([4]), labels=[[0]],
    ...         inputs=[[1.0, 1.0]], num_sampled=2, num_classes=4,
    ...         sampled_values=([1, 2], [[1.0]], [1.0, 1.0]))
    ...     tf.compat.v1.Session().run(loss).round(4)
    array([1.0986], dtype=float32)
    """
    logits, labels = _sampled_logits(
        weights,
        biases,
        labels,
        inputs,
        num_sampled,
        num_classes,
        num_true,
        sampled_values,
        remove_accidental_hits,
        partition_strategy,
        seed,
    )
    with name_scope(name, "sampled_softmax_loss", [logits, labels]):
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits(labels, logits)


def sampled_softmax_loss(
    weights,
    biases,
    labels,
    inputs,
    num_sampled,
    num_classes,
    num_true=1,
    sampled_values=None,
    remove_accidental_hits=True,
    seed=None,
    name="sampled_softmax_loss",
) -> Tensor:
    """TF2's ``tf.nn.sampled_softmax_loss``: the ``div`` partition strategy."""
    return sampled_softmax_loss_v1(
        weights,
        biases,
        labels,
        inputs,
        num_sampled,
        num_classes,
        num_true,
        sampled_values,
        remove_accidental_hits,
        "div",
        name,
        seed,
    )


V1_OVERRIDES = {"nce_loss": nce_loss_v1, "sampled_softmax_loss": sampled_softmax_loss_v1}
