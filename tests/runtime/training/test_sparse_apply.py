"""The SparseApply* update ops against TF 2.21's sparse optimizer updates (recorded by
tests/fixtures/tf_training/generate.py with IndexedSlices gradients whose rows repeat an
index; TF's optimizers sum the repeated rows, then apply these ops)."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError
from runtime.training import training_ops as ops

v1 = tf.compat.v1
VALUES = np.load(
    __import__("pathlib").Path(__file__).parents[2] / "fixtures/tf_training/training.npz"
)
X0 = VALUES["optimizer/x0"]
INDICES = VALUES["optimizer/sparse_indices"]
GRADS = VALUES["optimizer/sparse_grads"]

# fixture key: (op, slot initial values in the op's order, values(grad, indices, step)).
CASES = {
    "momentum": (ops.SPARSE_APPLY_MOMENTUM, [0.0], lambda g, i, t: [0.1, g, i, 0.9]),
    "nesterov": (
        ops.SPARSE_APPLY_MOMENTUM,
        [0.0],
        lambda g, i, t: [0.05, g, i, 0.8],
        {"use_nesterov": True},
    ),
    "rmsprop": (
        ops.SPARSE_APPLY_RMS_PROP,
        [1.0, 0.0],
        lambda g, i, t: [0.01, 0.9, 0.5, 1e-10, g, i],
    ),
    "rmsprop_centered": (
        ops.SPARSE_APPLY_CENTERED_RMS_PROP,
        [0.0, 1.0, 0.0],
        lambda g, i, t: [0.01, 0.9, 0.3, 1e-10, g, i],
    ),
    "adagrad": (ops.SPARSE_APPLY_ADAGRAD, [0.1], lambda g, i, t: [0.1, g, i]),
    "adagrad_da_l1l2": (
        ops.SPARSE_APPLY_ADAGRAD_DA,
        [0.0, 0.1],
        lambda g, i, t: [g, i, 0.1, 0.05, 0.1, t],
    ),
    "adadelta": (ops.SPARSE_APPLY_ADADELTA, [0.0, 0.0], lambda g, i, t: [1.0, 0.9, 1e-6, g, i]),
    "ftrl_l1l2": (ops.SPARSE_APPLY_FTRL, [0.1, 0.0], lambda g, i, t: [g, i, 0.1, 0.05, 0.1, -0.5]),
    "ftrl_shrinkage": (
        ops.SPARSE_APPLY_FTRL_V2,
        [0.1, 0.0],
        lambda g, i, t: [g, i, 0.1, 0.01, 0.0, 0.2, -0.5],
    ),
    "proximal_sgd_l1l2": (
        ops.SPARSE_APPLY_PROXIMAL_GRADIENT_DESCENT,
        [],
        lambda g, i, t: [0.1, 0.05, 0.1, g, i],
    ),
    "proximal_adagrad_l1l2": (
        ops.SPARSE_APPLY_PROXIMAL_ADAGRAD,
        [0.1],
        lambda g, i, t: [0.1, 0.05, 0.1, g, i],
    ),
}


def summed_rows(grad):
    """TF's optimizers add up the rows of a repeated index before a sparse update."""
    unique, positions = np.unique(INDICES, return_inverse=True)
    summed = np.zeros((len(unique), grad.shape[1]), grad.dtype)
    np.add.at(summed, positions, grad)
    return summed, unique


@pytest.mark.parametrize("key", sorted(CASES))
def test_sparse_updates_match_tensorflow(key, graph, sess):
    op_def, slot_inits, values, *attrs = CASES[key]
    x = tf.Variable(X0, name="x")
    slots = [
        tf.Variable(np.full_like(X0, value), name=f"slot{i}") for i, value in enumerate(slot_inits)
    ]
    grad = v1.placeholder(tf.float32, [None, 3])
    indices = v1.placeholder(tf.int32, [None])
    step = v1.placeholder(tf.int64, [])
    update = ops.sparse_apply(
        op_def, [x, *slots], values(grad, indices, step), **(attrs[0] if attrs else {})
    )
    sess.run(v1.global_variables_initializer())
    for t, g in enumerate(GRADS, start=1):
        rows, unique = summed_rows(g)
        sess.run(update, {grad: rows, indices: unique, step: t})
        np.testing.assert_allclose(
            sess.run(x), VALUES[f"optimizer/sparse/{key}/x"][t - 1], rtol=2e-5, atol=2e-6
        )


def test_repeated_indices_update_in_order_and_bad_indices_are_refused(graph, sess):
    w = tf.Variable([[0.0], [0.0]], name="w")
    accum = tf.Variable([[0.0], [0.0]], name="accum")
    indices = v1.placeholder(tf.int64, [None])
    update = ops.sparse_apply(
        ops.SPARSE_APPLY_MOMENTUM, [w, accum], [1.0, [[1.0], [1.0]], indices, 1.0]
    )
    sess.run(v1.global_variables_initializer())
    sess.run(update, {indices: [1, 1]})  # accum 1 then 2; w -1 then -3
    np.testing.assert_allclose(sess.run(w), [[0.0], [-3.0]])
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 2 is not in \[0, 2\)"):
        sess.run(update, {indices: [0, 2]})
    np.testing.assert_allclose(sess.run(w), [[0.0], [-3.0]])  # nothing changed
