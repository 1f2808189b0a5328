"""The Optimizer base class as TF1 programs use it: an optimizer written by the user
(``_create_slots``, ``_prepare``, ``_apply_dense``, ``get_slot``), and the options of
``minimize``/``compute_gradients`` (``gate_gradients``, ``grad_loss``,
``colocate_gradients_with_ops``, ``aggregation_method``)."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
train = v1.train


class SignMomentum(train.Optimizer):
    """A user's optimizer, written as TF1 tutorials write them: momentum on the sign of
    the gradient (``m = beta*m + sign(g); w -= lr*m``)."""

    def __init__(self, learning_rate=0.1, beta=0.5, use_locking=False, name="SignMomentum"):
        super().__init__(use_locking, name)
        self._lr, self._beta = learning_rate, beta

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m", self._name)

    def _prepare(self):
        self._lr_t = tf.convert_to_tensor(self._lr, name="learning_rate")
        self._beta_t = tf.convert_to_tensor(self._beta, name="beta")

    def _apply_dense(self, grad, var):
        lr = tf.cast(self._lr_t, var.dtype.base_dtype)
        beta = tf.cast(self._beta_t, var.dtype.base_dtype)
        m = self.get_slot(var, "m")
        m_t = v1.assign(m, beta * m + tf.sign(grad), use_locking=self._use_locking)
        var_update = v1.assign_sub(var, lr * m_t, use_locking=self._use_locking)
        return tf.group(var_update, m_t)


def test_a_users_optimizer_trains_with_its_own_slots(graph, sess):
    w = tf.Variable([3.0, -2.0], name="w")
    loss = tf.reduce_sum(tf.square(w))
    step = train.get_or_create_global_step()
    opt = SignMomentum(learning_rate=0.5, beta=0.5)
    train_op = opt.minimize(loss, global_step=step)
    assert opt.get_slot_names() == ["m"]
    assert opt.get_slot(w, "m").op.name == "w/SignMomentum"
    assert [v.op.name for v in opt.variables()] == ["w/SignMomentum"]
    assert train_op.name == "SignMomentum"
    sess.run(v1.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op)
    # m: [1, -1] then [1.5, -1.5]; w: 3 - 0.5 - 0.75, -2 + 0.5 + 0.75
    np.testing.assert_allclose(sess.run(w), [1.75, -0.75])
    np.testing.assert_allclose(sess.run(opt.get_slot(w, "m")), [1.5, -1.5])
    assert sess.run(step) == 2


def test_gate_gradients_options_build_the_same_updates(graph, sess):
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    loss = tf.reduce_sum(tf.square(w * b))
    ops = [
        train.GradientDescentOptimizer(0.1).minimize(loss, gate_gradients=gate, name=f"gd{gate}")
        for gate in (train.Optimizer.GATE_NONE, train.Optimizer.GATE_OP, train.Optimizer.GATE_GRAPH)
    ]
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        train.GradientDescentOptimizer(0.1).compute_gradients(loss, gate_gradients=7)
    sess.run(v1.global_variables_initializer())
    results = []
    for op in ops:
        sess.run([w.initializer, b.initializer])
        sess.run(op)
        results.append(sess.run([w, b]))
    for got in results[1:]:
        np.testing.assert_allclose(got[0], results[0][0])
        np.testing.assert_allclose(got[1], results[0][1])


def test_grad_loss_scales_the_gradients(graph, sess):
    w = tf.Variable(2.0, name="w")
    loss = tf.square(w)
    grads = train.GradientDescentOptimizer(1.0).compute_gradients(loss, grad_loss=tf.constant(3.0))
    sess.run(w.initializer)
    assert sess.run(grads[0][0]) == 12.0  # 3 * d(w^2)/dw


def test_aggregation_method_and_colocation_are_accepted(graph, sess):
    w = tf.Variable(1.0, name="w")
    loss = w * 2.0 + w * 3.0  # two paths to add up
    for method in (tf.AggregationMethod.ADD_N, tf.AggregationMethod.EXPERIMENTAL_TREE):
        ((grad, _),) = train.GradientDescentOptimizer(1.0).compute_gradients(
            loss, aggregation_method=method, colocate_gradients_with_ops=True
        )
        sess.run(w.initializer)
        assert sess.run(grad) == 5.0


def test_minimize_without_gradients_says_so(graph):
    w = tf.Variable(1.0, name="w")
    unrelated = tf.Variable(2.0, name="unrelated")
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        train.AdamOptimizer().minimize(tf.square(unrelated), var_list=[w])
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        SignMomentum(name="")


def test_embedding_gradients_update_only_the_rows_looked_up(graph, sess):
    table = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="embeddings")
    ids = tf.constant([1, 3, 3])
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids)))
    train_op = train.AdagradOptimizer(0.1, initial_accumulator_value=1.0).minimize(loss)
    assert [op.type for op in graph.get_operations() if op.type.startswith("SparseApply")] == [
        "SparseApplyAdagrad"
    ]
    sess.run(v1.global_variables_initializer())
    before = sess.run(table)
    sess.run(train_op)
    grad = np.zeros_like(before)
    np.add.at(grad, [1, 3, 3], 2 * before[[1, 3, 3]])  # repeated rows add up
    expected = before - 0.1 * grad / np.sqrt(1.0 + grad**2)
    np.testing.assert_allclose(sess.run(table), expected, rtol=1e-6)
    np.testing.assert_array_equal(sess.run(table)[[0, 2]], before[[0, 2]])
