"""Arithmetic on sparse tensors and sparse-minded dense ops: ``tf.sparse.maximum``/
``minimum`` and ``softmax``, ``tf.sparse.eye``, ``tf.edit_distance`` between sparse
sequences, ``tf.sparse_mask`` of ``IndexedSlices`` and TF1's ``tf.sparse_matmul``
(a dense product told which factor is mostly zeros), with TF's gradients.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, SparseTensorValue
from .constant_value import known_value
from .packing import build
from .shape_util import with_rank

__all__: list = []  # tf.sparse's names are runtime.sparse's; TF1's top-level ones below


# -- edit distance -------------------------------------------------------------------------


def _edit_distance_shape(
    hypothesis_indices,
    hypothesis_values,
    hypothesis_shape,
    truth_indices,
    truth_values,
    truth_shape,
    *,
    normalize,
    T,
):
    hypothesis_rank = with_rank(hypothesis_shape.shape, 1)[0]
    truth_rank = with_rank(truth_shape.shape, 1)[0]
    if None not in (hypothesis_rank, truth_rank) and hypothesis_rank != truth_rank:
        raise ValueError(
            "Num elements of hypothesis_shape does not match truth_shape: "
            f"{hypothesis_rank} vs. {truth_rank}"
        )
    hypothesis_dims, truth_dims = known_value(hypothesis_shape), known_value(truth_shape)
    if hypothesis_dims is None or truth_dims is None:
        return [TensorSpec(dtypes.float32, TensorShape(None))]
    outer = [max(int(h), int(t)) for h, t in zip(hypothesis_dims[:-1], truth_dims[:-1])]
    return [TensorSpec(dtypes.float32, TensorShape(outer))]


EDIT_DISTANCE = register_op(
    OpDef(
        "EditDistance",
        (
            "hypothesis_indices: int64",
            "hypothesis_values: T",
            "hypothesis_shape: int64",
            "truth_indices: int64",
            "truth_values: T",
            "truth_shape: int64",
        ),
        ("output: float32",),
        ("normalize: bool = true", "T: type"),
        _edit_distance_shape,
    )
)


def _sparse_input(value, what: str) -> SparseTensor:
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor.")
    return value


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance") -> Tensor:
    """The Levenshtein distance between the sequences of ``hypothesis`` and ``truth``
    (sparse tensors: each sequence runs along the last axis), divided by the length of
    the truth if ``normalize`` (an empty truth gives ``inf``, or ``nan`` against an
    empty hypothesis).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     hypothesis = tf.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [1, 2])
    ...     truth = tf.SparseTensor([[0, 0], [0, 1], [0, 2]], ["a", "x", "b"], [1, 3])
    ...     print(tf.compat.v1.Session().run(edit_distance(hypothesis, truth)))
    [0.33333334]
    """
    hypothesis = _sparse_input(hypothesis, "Hypothesis")
    truth = _sparse_input(truth, "Truth")
    return build(
        EDIT_DISTANCE,
        [
            hypothesis.indices,
            hypothesis.values,
            hypothesis.dense_shape,
            truth.indices,
            truth.values,
            truth.dense_shape,
        ],
        name,
        normalize=bool(normalize),
    ).outputs[0]


# tf.compat.v1's top-level names.
V1_OVERRIDES = {"edit_distance": edit_distance}
