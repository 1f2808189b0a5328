"""A tensor in an optimizer's ``var_list``: TF 2.21 differentiates by it, then refuses
to update it (``NotImplementedError``), or, when the loss does not depend on it, says
no gradient was provided (``ValueError``)."""

from __future__ import annotations

import pytest

import runtime as tf

v1 = tf.compat.v1
OPTIMIZERS = [
    lambda: v1.train.GradientDescentOptimizer(0.1),
    lambda: v1.train.AdamOptimizer(0.1),
]


@pytest.fixture
def model(graph):
    w = tf.Variable(2.0, name="w")
    x = w * 3.0
    return w, x, x * x


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_a_tensor_with_a_gradient_cannot_be_updated(model, make):
    w, x, loss = model
    for var_list in ([x], [w, x], [w.value()]):
        with pytest.raises(NotImplementedError) as raised:
            make().minimize(loss, var_list=var_list)
        assert raised.value.args == ("Trying to update a Tensor ", var_list[-1])  # (TF 2.21)


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_a_tensor_without_a_gradient_has_none(model, make):
    _, _, loss = model
    const = tf.constant(1.0)
    with pytest.raises(ValueError) as raised:
        make().minimize(loss, var_list=[const])
    assert str(raised.value) == (
        "No gradients provided for any variable, check your graph for ops that do not support "
        f"gradients, between variables ['{const}'] and loss {loss}."
    )  # (TF 2.21)
    assert str(const) == 'Tensor("Const:0", shape=(), dtype=float32)'


def test_compute_gradients_differentiates_by_the_tensor(graph, model):
    _, x, loss = model
    ((grad, var),) = v1.train.GradientDescentOptimizer(0.1).compute_gradients(loss, [x])
    assert var is x
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        assert sess.run(grad) == 12.0


def test_apply_gradients_refuses_what_is_neither(graph, model):
    with pytest.raises(NotImplementedError, match="unsupported type"):
        v1.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant(1.0), 1.0)])
