"""Identity and NoOp removal: the graph before and after, and equal results."""

from __future__ import annotations

import runtime as tf

from .compare import assert_same, both, ops, types

v1 = tf.compat.v1


def test_an_identity_chain_goes_and_a_fetched_identity_stays():
    x = v1.placeholder(tf.float32, [2], name="x")
    chain = tf.identity(tf.identity(tf.identity(x, name="i1"), name="i2"), name="i3")
    y = tf.negative(chain, name="y")
    fetched = tf.identity(y, name="out")
    before, after, written, ran = both(fetched, {x: [1.0, 2.0]})
    assert types(before).count("Identity") == 4
    assert ops(after) == [("x", "Placeholder"), ("y", "Neg"), ("out", "Identity")]
    assert [c.ops for c in after.report.by_kind("removed")] == [("i1",), ("i2",), ("i3",)]
    assert_same(written, ran)


def test_a_variable_read_and_an_identity_with_a_control_input_stay():
    v = v1.Variable([1.0, 2.0], name="v")
    bump = v.assign_add([1.0, 1.0], name="bump")
    with tf.control_dependencies([bump]):
        after_bump = tf.identity(v.read_value(), name="after_bump")
    y = tf.negative(after_bump, name="y")
    with v1.Session() as sess:
        sess.run(v.initializer)
        optimized = sess.optimized_graph(y)
        assert list(sess.run(y)) == [-2.0, -3.0]
    # The read waits for the update and takes the variable's reference: it stays. The
    # Identity of its value goes (made in the same block, it has no control input).
    [read] = [op for op in optimized.graph.get_operations() if op.type == "Identity"]
    assert read.inputs[0].dtype.is_ref_dtype and [c.name for c in read.control_inputs] == ["bump"]
    assert ("after_bump", "Identity") not in ops(optimized)


def test_the_identity_after_a_cond_switch_stays():
    p = v1.placeholder(tf.bool, name="p")
    x = v1.placeholder(tf.float32, name="x")
    y = v1.cond(p, lambda: tf.identity(x) * 2.0, lambda: tf.identity(x) - 1.0)
    for taken in (True, False):
        _, after, written, ran = both(y, {p: taken, x: 3.0})
        assert_same(written, ran)
    switch_readers = [
        op.type for op in after.graph.get_operations() for t in op.inputs if t.op.type == "Switch"
    ]
    assert "Identity" in switch_readers


def test_nested_groups_flatten_and_the_target_runs_everything():
    v = v1.Variable(0.0, name="v")
    w = v1.Variable(0.0, name="w")
    inner = tf.group(v.assign_add(1.0), w.assign_add(2.0), name="inner")
    outer = tf.group(inner, name="outer")
    with v1.Session(config=_any_size()) as sess:
        sess.run([v.initializer, w.initializer])
        optimized = sess.optimized_graph(outer)
        sess.run(outer)
        assert sess.run([v, w]) == [1.0, 2.0]
    assert ("inner", "NoOp") not in ops(optimized) and ("outer", "NoOp") in ops(optimized)
    [outer_op] = [op for op in optimized.graph.get_operations() if op.name == "outer"]
    assert sorted(op.type for op in outer_op.control_inputs) == ["AssignAdd", "AssignAdd"]


def _any_size():
    config = v1.ConfigProto()
    config.graph_options.rewrite_options.min_graph_nodes = -1
    return config
