"""The optimizer in the session: TF's switches, feeds and fetches, the plan cache,
run metadata, errors, the stepper, training, and the user's graph left as written."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

from .compare import as_written_config, assert_same, types

v1 = tf.compat.v1
RewriterConfig = v1.ConfigProto().graph_options.rewrite_options.__class__


def _mlp(x):
    h = x
    for i, units in enumerate((5, 3)):
        with tf.name_scope(f"layer{i}"):
            w = tf.constant(np.full((h.shape[-1], units), 0.1 * (i + 1), np.float32), name="w")
            h = tf.nn.relu(tf.nn.bias_add(tf.matmul(h, w), tf.constant(np.ones(units, np.float32))))
    return h


def _config(**rewrite) -> v1.ConfigProto:
    config = v1.ConfigProto()
    for name, value in rewrite.items():
        if name == "opt_level":
            config.graph_options.optimizer_options.opt_level = value
        else:
            setattr(config.graph_options.rewrite_options, name, value)
    return config


@pytest.mark.parametrize(
    ("rewrite", "folds", "fuses"),
    [
        ({}, True, True),
        ({"disable_meta_optimizer": True}, True, False),  # TF's classic optimizer folds
        ({"disable_meta_optimizer": True, "opt_level": -1}, False, False),
        ({"constant_folding": RewriterConfig.OFF}, True, True),
        ({"constant_folding": RewriterConfig.OFF, "opt_level": -1}, False, True),
        ({"remapping": RewriterConfig.OFF}, True, False),
        ({"opt_level": -1}, True, True),  # Grappler folds whatever the classic level
    ],
    ids=["default", "no-meta", "no-meta-L0", "cf-off", "cf-off-L0", "remap-off", "L0"],
)
def test_rewrite_options_and_opt_level_switch_passes_as_in_tf(rewrite, folds, fuses):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _mlp(x * (tf.constant(2.0) * tf.constant(0.25)))
    with v1.Session(config=_config(**rewrite)) as sess:
        kinds = types(sess.optimized_graph(y, [x]))
        value = sess.run(y, {x: np.ones((2, 4), np.float32)})
    assert kinds.count("Mul") == (1 if folds else 2)  # x * (2 * 0.25): the constant folds
    assert ("_FusedMatMul" in kinds) == fuses
    np.testing.assert_allclose(value, np.full((2, 3), 2.2), rtol=1e-6)


def test_toggles_read_as_tf_sets_them_from_experimental_options():
    config = v1.ConfigProto()
    config.set_optimizer_experimental_options({"remapping": False, "min_graph_nodes": -1})
    rewrite = config.graph_options.rewrite_options
    assert (rewrite.remapping, rewrite.min_graph_nodes) == (RewriterConfig.OFF, -1)
    with pytest.raises(AttributeError, match="no field"):
        rewrite.constant_foldin = 1


def test_graphs_smaller_than_min_graph_nodes_run_as_written():
    a = tf.constant(1.0, name="a")
    b = tf.negative(a, name="b")
    with v1.Session() as sess:
        small = sess.optimized_graph(b)
        assert [s.op.name for s in sess._plan((b,), (), {}).steps] == ["a", "b"]
    assert "min_graph_nodes" in small.report.skipped
    with v1.Session(config=_config(min_graph_nodes=-1)) as sess:
        assert [s.op.name for s in sess._plan((b,), (), {}).steps] == ["b"]


def test_the_users_graph_is_left_as_written(graph):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = tf.identity(_mlp(x), name="y")

    def written():
        return [(op.name, op.type, [t.name for t in op.inputs]) for op in graph.get_operations()]

    before = written()
    version = graph.version
    with v1.Session() as sess:
        sess.run(y, {x: np.ones((1, 4))})
        optimized = sess.optimized_graph(y, [x])
    assert optimized.graph is not graph and optimized.written is graph
    assert graph.version == version
    assert written() == before


def test_the_optimizer_runs_once_per_plan():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _mlp(x)
    with v1.Session() as sess:
        sess.run(y, {x: np.ones((1, 4))})
        plan = sess._plan((y,), (), {x: None})
        sess.run(y, {x: np.ones((3, 4))})
        assert sess._plan((y,), (), {x: None}) is plan
        assert plan.rewrite is not None and "_FusedMatMul" in types(plan.rewrite)


def test_partition_graphs_and_step_stats_show_the_graph_as_run():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _mlp(x)
    meta = v1.RunMetadata()
    options = v1.RunOptions(output_partition_graphs=True, trace_level=v1.RunOptions.FULL_TRACE)
    with v1.Session() as sess:
        sess.run(y, {x: np.ones((1, 4))}, options=options, run_metadata=meta)
    nodes = [(n.name, n.op) for n in meta.partition_graphs[0].node]
    assert ("layer0/Relu", "_FusedMatMul") in nodes and ("layer1/Relu", "_FusedMatMul") in nodes
    fused = next(n for n in meta.partition_graphs[0].node if n.name == "layer1/Relu")
    assert fused.input[0] == "layer0/Relu"
    ran = [s.node_name for d in meta.step_stats.dev_stats for s in d.node_stats]
    assert "layer0/MatMul" not in ran and "layer1/Relu" in ran


def test_feeding_what_would_fold_uses_the_fed_value():
    a = tf.constant(2.0, name="a")
    b = tf.add(a, 3.0, name="b")
    c = tf.multiply(b, 4.0, name="c")
    d = tf.negative(c, name="d")
    with v1.Session(config=_config(min_graph_nodes=-1)) as sess:
        assert sess.run(d) == -20.0
        assert sess.run(d, {b: 1.0}) == -4.0
        assert sess.run([d, b], {a: 0.0}) == [-12.0, 3.0]
        assert sess.run(c, {c: 7.0}) == 7.0


def test_make_callable_and_partial_runs_run_the_graph_as_run():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    h = _mlp(x)
    y = h * 2.0
    with v1.Session() as sess:
        call = sess.make_callable(y, [x])
        assert_same(call(np.ones((2, 4), np.float32)), np.full((2, 3), 4.8, np.float32), 1e-6)
        handle = sess.partial_run_setup([h, y], [x])
        first = sess.partial_run(handle, h, {x: np.ones((1, 4), np.float32)})
        assert_same(sess.partial_run(handle, y), first * 2.0)


def test_a_training_step_learns_the_same_as_written():
    def train(config):
        with tf.Graph().as_default():
            v1.set_random_seed(1)
            x = v1.placeholder(tf.float32, [None, 4], name="x")
            labels = v1.placeholder(tf.int32, [None], name="labels")
            logits = v1.layers.dense(v1.layers.dense(x, 8, activation=tf.nn.relu), 3)
            loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
            step = v1.train.AdamOptimizer(0.01).minimize(loss)
            rng = np.random.default_rng(0)
            with v1.Session(config=config) as sess:
                sess.run(v1.global_variables_initializer())
                losses = []
                for _ in range(5):
                    feed = {x: rng.standard_normal((16, 4)), labels: rng.integers(0, 3, 16)}
                    losses.append(sess.run([loss, step], feed)[0])
                fused = "_FusedMatMul" in types(sess.optimized_graph(logits, [x]))
        return losses, fused

    written, _ = train(as_written_config())
    optimized, fused = train(None)
    assert fused
    np.testing.assert_allclose(optimized, written, rtol=1e-5)


def test_an_error_names_the_users_op_and_where_it_was_made():
    x = v1.placeholder(tf.float32, name="x")
    indices = v1.placeholder(tf.int32, name="indices")
    y = tf.gather(x * tf.constant(1.0) + tf.constant(2.0), indices, name="pick")
    z = tf.negative(y, name="z")
    with v1.Session() as sess:
        assert sess.optimized_graph(z, [x, indices]).report.changed
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(z, {x: [1.0, 2.0], indices: [5]})
    assert caught.value.op is y.op
    assert "GatherV2 'pick'" in caught.value.message
    assert "test_session.py" in str(caught.value)


def test_the_stepper_steps_the_graph_as_written_unless_asked():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _mlp(x)
    feed = {x: np.ones((2, 4), np.float32)}
    with v1.Session() as sess:
        written = sess.stepper(y, feed)
        assert "layer0/MatMul" in [op.name for op in written.pending]
        optimized = sess.stepper(y, feed, optimized=True)
        stepped = [op.type for op in optimized.pending if op.type != "Const"]
        assert stepped == ["_FusedMatMul", "_FusedMatMul"]
        optimized.step_to("layer0/Relu")
        assert_same(optimized.value("layer0/Relu:0"), written.step_to("layer0/Relu")[-1].outputs[0])
        with pytest.raises(KeyError, match="graph optimizer"):
            optimized.value(y.graph.get_tensor_by_name("layer0/MatMul:0"))
        assert_same(optimized.finish(), written.finish())


def test_a_graph_with_py_funcs_runs_optimized():
    x = v1.placeholder(tf.float64, [3], name="x")
    doubled = v1.py_func(lambda v: v * 2, [x * tf.constant(1.0, tf.float64)], tf.float64)
    y = tf.reduce_sum(doubled + tf.constant(1.0, tf.float64) * tf.constant(2.0, tf.float64))
    with v1.Session() as sess:
        assert sess.optimized_graph(y, [x]).report.changed
        assert sess.run(y, {x: [1.0, 2.0, 3.0]}) == 18.0


def test_after_a_run_the_optimized_graph_is_the_one_that_ran():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _mlp(x)
    with v1.Session() as sess:
        before_any_run = sess.optimized_graph(y, [x])
        sess.run(y, {x: np.ones((1, 4))})
        ran = sess.optimized_graph(y, [x])
        assert ran is sess._plan((y,), (), {x: None}).rewrite
        assert ran is not before_any_run and types(ran) == types(before_any_run)
        stepper = sess.stepper(y, {x: np.ones((1, 4))}, optimized=True)
        fused = ran.graph.get_tensor_by_name("layer0/Relu:0")
        stepper.step_to("layer0/Relu")
        assert stepper.value(fused).shape == (1, 5)
