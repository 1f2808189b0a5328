"""Every optimizer against TF 2.21: the variable and each slot after each of five dense
updates and five sparse ones (IndexedSlices gradients with a repeated row), the slots'
names and the variables the optimizer makes (fixtures recorded by
tests/fixtures/tf_training/generate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.indexed_slices import IndexedSlices

v1 = tf.compat.v1
FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_training"
VALUES = np.load(FIXTURES / "training.npz")
NAMES = json.loads((FIXTURES / "training.json").read_text())

# The same optimizers as the generator's OPTIMIZERS (the AdagradDA ones take the step).
OPTIMIZERS = {
    "sgd": lambda: v1.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: v1.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: v1.train.MomentumOptimizer(0.05, 0.8, use_nesterov=True),
    "adam": lambda: v1.train.AdamOptimizer(0.01),
    "rmsprop": lambda: v1.train.RMSPropOptimizer(0.01, momentum=0.5),
    "rmsprop_centered": lambda: v1.train.RMSPropOptimizer(0.01, momentum=0.3, centered=True),
    "adagrad": lambda: v1.train.AdagradOptimizer(0.1),
    "adagrad_da": lambda step: v1.train.AdagradDAOptimizer(0.1, step),
    "adagrad_da_l1l2": lambda step: v1.train.AdagradDAOptimizer(
        0.1, step, l1_regularization_strength=0.05, l2_regularization_strength=0.1
    ),
    "adadelta": lambda: v1.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6),
    "ftrl": lambda: v1.train.FtrlOptimizer(0.1),
    "ftrl_l1l2": lambda: v1.train.FtrlOptimizer(
        0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1
    ),
    "ftrl_power": lambda: v1.train.FtrlOptimizer(
        0.1,
        learning_rate_power=-0.3,
        initial_accumulator_value=0.5,
        l1_regularization_strength=0.01,
    ),
    "ftrl_shrinkage": lambda: v1.train.FtrlOptimizer(
        0.1, l1_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.2
    ),
    "ftrl_beta": lambda: v1.train.FtrlOptimizer(0.1, l2_regularization_strength=0.1, beta=0.5),
    "proximal_sgd": lambda: v1.train.ProximalGradientDescentOptimizer(0.1),
    "proximal_sgd_l1l2": lambda: v1.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1
    ),
    "proximal_adagrad": lambda: v1.train.ProximalAdagradOptimizer(0.1),
    "proximal_adagrad_l1l2": lambda: v1.train.ProximalAdagradOptimizer(
        0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1
    ),
}


def make_optimizer(key, step):
    make = OPTIMIZERS[key]
    return make(step) if key.startswith("adagrad_da") else make()


def trace_updates(key, grads, build_grad):
    """The variable's and slots' values after each update, the slot names, the variables."""
    with tf.Graph().as_default():
        x = tf.Variable(VALUES["optimizer/x0"], name="x")
        step = v1.train.get_or_create_global_step()
        opt = make_optimizer(key, step)
        g = v1.placeholder(tf.float32, grads.shape[1:])
        train = opt.apply_gradients([(build_grad(g), x)], global_step=step)
        slots = {name: opt.get_slot(x, name) for name in opt.get_slot_names()}
        trace = {"x": []} | {f"slot/{name}": [] for name in slots}
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for value in grads:
                sess.run(train, {g: value})
                trace["x"].append(sess.run(x))
                for name, slot in slots.items():
                    trace[f"slot/{name}"].append(sess.run(slot))
        names = {name: slot.op.name for name, slot in slots.items()}
        variables = sorted(v.op.name for v in v1.global_variables())
    return trace, names, variables


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_dense_updates_match_tensorflow(key):
    trace, slot_names, variables = trace_updates(key, VALUES["optimizer/grads"], lambda g: g)
    assert slot_names == NAMES[f"optimizer/{key}/slots"]
    assert variables == NAMES[f"optimizer/{key}/variables"]
    for name, values in trace.items():
        np.testing.assert_allclose(
            np.array(values),
            VALUES[f"optimizer/dense/{key}/{name}"],
            rtol=2e-5,
            atol=2e-6,
            err_msg=f"{key}: {name}",
        )


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_sparse_updates_match_tensorflow(key):
    indices = VALUES["optimizer/sparse_indices"]
    trace, _, _ = trace_updates(
        key,
        VALUES["optimizer/sparse_grads"],
        lambda g: IndexedSlices(g, tf.constant(indices), tf.constant([4, 3])),
    )
    for name, values in trace.items():
        np.testing.assert_allclose(
            np.array(values),
            VALUES[f"optimizer/sparse/{key}/{name}"],
            rtol=2e-5,
            atol=2e-6,
            err_msg=f"{key}: {name}",
        )


def test_a_constrained_variable_refuses_sparse_updates(graph):
    w = tf.Variable([[1.0], [2.0]], name="w", constraint=lambda t: t)
    grad = IndexedSlices(tf.constant([[1.0]]), tf.constant([0]), tf.constant([2, 1]))
    with pytest.raises(RuntimeError, match="Cannot use a constraint function on a sparse variable"):
        v1.train.GradientDescentOptimizer(0.1).apply_gradients([(grad, w)])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: v1.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0),
            "initial_accumulator_value must be positive: 0.0",
        ),
        (
            lambda: v1.train.FtrlOptimizer(0.1, learning_rate_power=0.5),
            "learning_rate_power 0.500000 needs to be negative or zero",
        ),
        (
            lambda: v1.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0),
            "l1_regularization_strength -1.000000 needs to be positive or zero",
        ),
        (
            lambda: v1.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=-1.0),
            "initial_accumulator_value must be positive",
        ),
    ],
)
def test_bad_hyperparameters_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
