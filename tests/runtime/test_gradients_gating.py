"""Gated gradients (the optimizers' default) leave out what no variable needs."""

from __future__ import annotations

import runtime as tf

v1 = tf.compat.v1


def test_a_training_step_does_not_compute_the_gradient_of_its_fed_batch(graph):
    x = v1.placeholder(tf.float32, [None, 3])
    w = v1.Variable(tf.ones([3, 2]))
    loss = tf.reduce_sum(tf.matmul(x, w))
    train = v1.train.GradientDescentOptimizer(0.1).minimize(loss)  # gate_gradients=GATE_OP
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        sess.run(train, {x: [[1.0, 2.0, 3.0]]})
        assert sess.run(w)[0, 0] == 0.9
        plan = sess._plan((), (train,), {x: None})
    ran = {step.op.name for step in plan.steps}
    assert "gradients/MatMul_grad/MatMul_1" in ran  # the kernel's gradient
    assert "gradients/MatMul_grad/MatMul" not in ran  # the batch's is built, never run
