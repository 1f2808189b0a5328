"""Optimizers: TF's update formulas against hand-written numpy references, the graph
they build (slots, names, placement), minimize, global step and rollback."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.errors import FailedPreconditionError

v1 = tf.compat.v1
train = v1.train

STEPS = 5
RNG = np.random.default_rng(0)
X0 = RNG.normal(size=(2, 3)).astype(np.float32)
GRADS = RNG.normal(size=(STEPS, 2, 3)).astype(np.float32)


# -- numpy references (float64), written from TF's documented formulas -----------------


def ref_sgd(lr):
    x = X0.astype(np.float64)
    for g in GRADS:
        x = x - lr * g
    return x


def ref_momentum(lr, mu, nesterov):
    x, accum = X0.astype(np.float64), np.zeros_like(X0, np.float64)
    for g in GRADS:
        accum = mu * accum + g
        x = x - (lr * g + lr * mu * accum if nesterov else lr * accum)
    return x


def ref_adam(lr, b1, b2, eps):
    x, m, v = X0.astype(np.float64), np.zeros(X0.shape), np.zeros(X0.shape)
    for t, g in enumerate(GRADS, start=1):
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr_t * m / (np.sqrt(v) + eps)
    return x


def ref_rmsprop(lr, decay, mu, eps, centered):
    x, ms = X0.astype(np.float64), np.ones(X0.shape)  # TF1 starts ms at one
    mg, mom = np.zeros(X0.shape), np.zeros(X0.shape)
    for g in GRADS:
        ms = decay * ms + (1 - decay) * g * g
        denominator = ms + eps
        if centered:
            mg = decay * mg + (1 - decay) * g
            denominator = ms - mg * mg + eps
        mom = mu * mom + lr * g / np.sqrt(denominator)
        x = x - mom
    return x


CASES = {
    "sgd": (lambda: train.GradientDescentOptimizer(0.1), ref_sgd(0.1)),
    "momentum": (lambda: train.MomentumOptimizer(0.1, 0.9), ref_momentum(0.1, 0.9, False)),
    "nesterov": (
        lambda: train.MomentumOptimizer(0.05, 0.8, use_nesterov=True),
        ref_momentum(0.05, 0.8, True),
    ),
    "adam": (lambda: train.AdamOptimizer(0.01), ref_adam(0.01, 0.9, 0.999, 1e-8)),
    "adam_custom": (
        lambda: train.AdamOptimizer(0.2, beta1=0.5, beta2=0.6, epsilon=0.1),
        ref_adam(0.2, 0.5, 0.6, 0.1),
    ),
    "rmsprop": (lambda: train.RMSPropOptimizer(0.01), ref_rmsprop(0.01, 0.9, 0.0, 1e-10, False)),
    "rmsprop_momentum": (
        lambda: train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5, epsilon=1e-3),
        ref_rmsprop(0.01, 0.8, 0.5, 1e-3, False),
    ),
    "rmsprop_centered": (
        lambda: train.RMSPropOptimizer(0.01, momentum=0.3, centered=True),
        ref_rmsprop(0.01, 0.9, 0.3, 1e-10, True),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_updates_match_numpy(case, graph):
    make, expected = CASES[case]
    x = tf.Variable(X0, name="x")
    g = v1.placeholder(tf.float32, X0.shape)
    step = make().apply_gradients([(g, x)])
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        for grad in GRADS:
            sess.run(step, {g: grad})
        np.testing.assert_allclose(sess.run(x), expected, rtol=2e-5, atol=1e-6)


def test_float64_variables(graph):
    x = tf.Variable(X0.astype(np.float64), name="x")
    g = v1.placeholder(tf.float64, X0.shape)
    step = train.AdamOptimizer(0.01).apply_gradients([(g, x)])
    assert {op.type for op in graph.get_operations()} >= {"Cast"}  # float32 hyperparameters
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        for grad in GRADS:
            sess.run(step, {g: grad})
        np.testing.assert_allclose(sess.run(x), ref_adam(0.01, 0.9, 0.999, 1e-8), rtol=1e-5)


def test_adam_split_across_threads_equals_one_pass(graph, monkeypatch):
    # A large update runs in parts of the flattened arrays on the intra-op threads: the
    # same values as one call on the whole arrays (to the bit), and the work went in two
    # parts.
    from runtime import intra_op
    from runtime.kernels import training

    x = tf.Variable(X0, name="x")
    g = v1.placeholder(tf.float32, X0.shape)
    step = train.AdamOptimizer(0.01).apply_gradients([(g, x)])
    values, split = {}, training.map_blocks
    for threads in (1, 2):
        calls = []
        monkeypatch.setattr(intra_op, "PARALLEL_WORK", 1 if threads > 1 else 1 << 60)
        monkeypatch.setattr(
            training,
            "map_blocks",
            lambda fn, blocks, n, calls=calls: calls.append(blocks) or split(fn, blocks, n),
        )
        config = v1.ConfigProto(intra_op_parallelism_threads=threads)
        with v1.Session(graph=graph, config=config) as sess:
            sess.run(v1.global_variables_initializer())
            for grad in GRADS:
                sess.run(step, {g: grad})
            values[threads] = sess.run(x)
        assert [len(blocks) for blocks in calls] == ([threads] * STEPS if threads > 1 else [])
    np.testing.assert_array_equal(values[2], values[1])
    np.testing.assert_allclose(values[1], ref_adam(0.01, 0.9, 0.999, 1e-8), rtol=2e-5)


def test_adam_nesterov_update():
    # ApplyAdam's use_nesterov (no TF1 optimizer sets it): TF's formula, with the step
    # taken along beta1 * m + (1 - beta1) * g.
    from runtime.kernels import training

    rng = np.random.default_rng(4)
    var, m, grad = rng.normal(size=(3, 5, 4))
    v = rng.random((5, 4))
    scalars = dict(lr=0.1, beta1=0.9, beta2=0.99, epsilon=1e-3, beta1_power=0.9, beta2_power=0.99)
    new = training._adam({"var": var, "m": m, "v": v}, grad, scalars, {"use_nesterov": True})
    lr = 0.1 * np.sqrt(1 - 0.99) / (1 - 0.9)
    m_t = m + (grad - m) * 0.1
    v_t = v + (grad * grad - v) * 0.01
    np.testing.assert_allclose(new["m"], m_t)
    np.testing.assert_allclose(new["v"], v_t)
    step = (0.9 * m_t + 0.1 * grad) * lr / (np.sqrt(v_t) + 1e-3)
    np.testing.assert_allclose(new["var"], var - step)


class TestGraph:
    def test_adam_slots_and_names(self, graph):
        w = tf.Variable(np.ones((2, 2), np.float32), name="w")
        b = tf.Variable(np.zeros(2, np.float32), name="b")
        opt = train.AdamOptimizer()
        step = opt.apply_gradients([(tf.ones([2, 2]), w), (tf.ones([2]), b)])
        names = [op.name for op in graph.get_operations()]
        for expected in (
            "beta1_power",
            "beta2_power",
            "w/Adam",
            "w/Adam_1",
            "b/Adam",
            "b/Adam_1",
            "Adam/update_w/ApplyAdam",
            "Adam/update_b/ApplyAdam",
            "Adam/learning_rate",
            "Adam/Assign",
            "Adam/Assign_1",
        ):
            assert expected in names
        assert step.name == "Adam" and step.type == "NoOp"
        assert opt.get_slot(w, "m").op.name == "w/Adam"
        assert opt.get_slot(w, "v").op.name == "w/Adam_1"
        assert opt.get_slot_names() == ["m", "v"]
        assert [v.op.name for v in opt.variables()] == [
            "b/Adam",
            "b/Adam_1",
            "beta1_power",
            "beta2_power",
            "w/Adam",
            "w/Adam_1",
        ]
        assert graph.get_collection(v1.GraphKeys.TRAIN_OP) == [step]
        assert v1.trainable_variables() == [w, b]  # slots are not trainable

    def test_slots_are_placed_with_their_variable(self, graph):
        config = v1.ConfigProto(device_count={"CPU": 2})
        with tf.device("/cpu:1"):
            w = tf.Variable([1.0, 2.0], name="w")
        opt = train.MomentumOptimizer(0.1, 0.9)
        step = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
        with v1.Session(graph=graph, config=config) as sess:
            placement = sess.placement()
            sess.run(v1.global_variables_initializer())
            sess.run(step)
        cpu1 = "/job:localhost/replica:0/task:0/device:CPU:1"
        for name in ("w", "w/Momentum", "Momentum/update_w/ApplyMomentum"):
            assert placement[name] == cpu1
        assert opt.get_slot(w, "momentum").op.colocation_groups() == [b"loc:@w"]

    def test_errors(self, graph):
        w = tf.Variable(1.0, name="w")
        opt = train.GradientDescentOptimizer(0.1)
        with pytest.raises(ValueError, match="No variables provided"):
            opt.apply_gradients([])
        with pytest.raises(ValueError, match=r"No gradients provided for any variable: \["):
            opt.apply_gradients([(None, w)])
        with pytest.raises(ValueError, match="gate_gradients must be one of"):
            opt.compute_gradients(w * 2.0, gate_gradients=7)
        with pytest.raises(ValueError, match=r"Invalid type tf\.int32"):
            opt.compute_gradients(tf.constant(1))
        with pytest.raises(ValueError, match="Must specify the optimizer name"):
            train.Optimizer(False, "")


class TestMinimize:
    def test_minimize_a_quadratic(self, graph):
        w = tf.Variable([3.0, -2.0], name="w")
        loss = tf.reduce_sum(tf.square(w - tf.constant([1.0, 1.0])))
        step = train.GradientDescentOptimizer(0.1).minimize(loss)
        with v1.Session(graph=graph) as sess:
            sess.run(w.initializer)
            for _ in range(100):
                sess.run(step)
            np.testing.assert_allclose(sess.run(w), [1.0, 1.0], atol=1e-4)

    def test_compute_gradients_pairs_and_none(self, graph):
        a = tf.Variable(2.0, name="a")
        b = tf.Variable(5.0, name="b")
        loss = a * a * 3.0
        pairs = train.GradientDescentOptimizer(0.1).compute_gradients(loss)
        assert [v for _, v in pairs] == [a, b]
        assert pairs[1][0] is None
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            assert sess.run(pairs[0][0]) == 12.0
        with pytest.raises(
            ValueError, match="No gradients provided for any variable, check your graph"
        ):
            train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0, var_list=[b])

    def test_var_list_and_gate_graph(self, graph):
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(1.0, name="b")
        step = train.GradientDescentOptimizer(1.0).minimize(
            a * b, var_list=[a], gate_gradients=train.Optimizer.GATE_GRAPH
        )
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(step)
            assert sess.run([a, b]) == [0.0, 1.0]

    def test_callable_learning_rate(self, graph):
        w = tf.Variable(1.0, name="w")
        step = train.GradientDescentOptimizer(lambda: 0.25).minimize(w * 2.0)
        with v1.Session(graph=graph) as sess:
            sess.run(w.initializer)
            sess.run(step)
            assert sess.run(w) == 0.5


class TestGlobalStep:
    def test_created_once_and_incremented_after_updates(self, graph):
        assert train.get_global_step() is None
        step_var = train.get_or_create_global_step()
        assert train.get_or_create_global_step() is step_var
        assert step_var.op.name == "global_step" and step_var.dtype.base_dtype == tf.int64
        assert graph.get_collection(v1.GraphKeys.GLOBAL_STEP) == [step_var]
        with pytest.raises(ValueError, match='"global_step" already exists'):
            train.create_global_step()
        w = tf.Variable(1.0, name="w")
        op = train.AdamOptimizer(0.1).minimize(w * w, global_step=step_var)
        assert op.type == "AssignAdd" and op.name == "Adam"
        # It runs after the updates (through its "Adam/value" input, made in that context).
        assert [c.name for c in op.inputs[1].op.control_inputs] == ["Adam/update"]
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(3):
                sess.run(op)
            assert train.global_step(sess, step_var) == 3

    def test_found_by_name(self, graph):
        step_var = tf.Variable(0, name="global_step")
        assert train.get_global_step() is step_var.op.outputs[0]  # the tensor "global_step:0"

    def test_must_be_an_integer_scalar(self, graph):
        tf.Variable(0.0, name="global_step")
        with pytest.raises(TypeError, match="does not have integer type"):
            train.get_global_step()


def test_failed_training_step_rolls_back_everything(graph):
    w = tf.Variable([1.0, 2.0], name="w")
    never = tf.Variable(0.0, name="never")
    opt = train.AdamOptimizer(0.1)
    step = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    with tf.control_dependencies([step]):
        bad = never.read_value()
    state = [w, opt.get_slot(w, "m"), opt.get_slot(w, "v"), *opt._get_beta_accumulators()]
    with v1.Session(graph=graph) as sess:
        sess.run(v1.variables_initializer([v for v in v1.global_variables() if v is not never]))
        before = sess.run(state)
        with pytest.raises(FailedPreconditionError, match="uninitialized value never"):
            sess.run(bad)
        for old, new in zip(before, sess.run(state)):
            np.testing.assert_array_equal(old, new)
        sess.run(step)
        assert not np.array_equal(sess.run(w), before[0])
