"""Constant folding: the graph before and after, and equal results."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

from .compare import assert_same, both, ops, types

v1 = tf.compat.v1


def test_a_constant_subgraph_becomes_one_constant_named_as_the_fetched_op():
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.constant([3.0, 4.0], name="b")
    y = tf.square(tf.add(a, b, name="sum"), name="y")
    z = tf.negative(y, name="z")
    before, after, written, ran = both(z)
    assert ops(before) == [
        ("a", "Const"),
        ("b", "Const"),
        ("sum", "AddV2"),
        ("y", "Square"),
        ("z", "Neg"),
    ]
    assert ops(after) == [("z", "Const")]
    assert_same(written, ran)
    assert [c.ops for c in after.report.by_kind("folded")] == [("sum",), ("y",), ("z",)]


def test_a_multi_output_op_folds_into_one_constant_per_output():
    parts = tf.split(tf.constant(np.arange(6.0), name="c"), 3, name="split")
    x = v1.placeholder(tf.float64, [2], name="x")
    fetches = [x + parts[0], x * parts[2]]
    before, after, written, ran = both(fetches, {x: [1.0, 2.0]})
    assert "Split" in types(before) and "Split" not in types(after)
    names = [name for name, kind in ops(after) if kind == "Const"]
    assert "ConstantFolding/split-0" in names and "ConstantFolding/split-2" in names
    assert_same(written, ran)


def test_placeholders_variables_and_random_ops_are_not_folded():
    x = v1.placeholder(tf.float32, [2], name="x")
    v = v1.Variable([1.0, 2.0], name="v")
    noise = v1.random_uniform([2], seed=3, name="noise")
    y = x + v * 2.0 + noise * tf.constant(1.0)
    with v1.Session() as sess:
        sess.run(v.initializer)
        after = sess.optimized_graph(y, [x])
        assert {"RandomUniform", "VariableV2"} <= set(types(after))
        assert "x" in [name for name, kind in ops(after) if kind == "Placeholder"]
        assert not after.report.by_kind("folded")


def test_the_constant_size_limit_is_respected():
    big = tf.fill([64, 1024], 2.0, name="big")  # 256 KiB once folded
    x = v1.placeholder(tf.float32, name="x")
    y = big * x
    config = v1.ConfigProto()
    config.graph_options.optimizer_options.max_folded_constant_in_bytes = 100_000
    _, after, written, ran = both(y, {x: 3.0}, config)
    assert "Fill" in types(after)
    assert_same(written, ran)
    _, unlimited, _, _ = both(y, {x: 3.0})
    assert "Fill" not in types(unlimited)


def test_an_op_whose_kernel_fails_is_left_to_fail_at_run_time_naming_it():
    bad = tf.gather(tf.constant([1, 2, 3]), tf.constant([5]), name="bad")
    x = v1.placeholder(tf.int32, name="x")
    y = bad + x
    with v1.Session() as sess:
        after = sess.optimized_graph(y, [x])
        assert ("bad", "GatherV2") in ops(after)
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(y, {x: 1})
    assert caught.value.op is bad.op
    assert "'bad'" in str(caught.value)


def test_a_static_shape_becomes_a_constant(graph):
    x = v1.placeholder(tf.float32, [3, 4], name="x")
    # tf.shape of a known shape is a constant already; an imported graph has the op.
    shape = graph.create_op("Shape", [x * 2.0], name="shape").outputs[0]
    y = tf.reshape(x, shape[::-1])
    before, after, written, ran = both(y, {x: np.ones((3, 4), np.float32)})
    assert "Shape" in types(before) and "Shape" not in types(after)
    assert_same(written, ran)


def test_folding_in_a_cond_branch_keeps_the_branch_dead_when_not_taken():
    p = v1.placeholder(tf.bool, name="p")
    y = v1.cond(p, lambda: tf.constant(2.0) * tf.constant(3.0), lambda: tf.constant(-1.0) + 0.5)
    z = y * 1.0
    for taken in (True, False):
        before, after, written, ran = both(z, {p: taken})
        assert_same(written, ran)
    assert "Mul" in types(before) and after.report.by_kind("folded")


def test_folded_constants_are_read_only_and_a_fetched_one_is_a_copy():
    y = tf.negative(tf.constant([1.0, 2.0]) + tf.constant([1.0, 1.0]), name="y")
    z = tf.identity(y)
    with v1.Session() as sess:
        first = sess.run([y, z])
        first[0][0] = 100.0
        second = sess.run([y, z])
        const = sess.optimized_graph(y).graph.get_operation_by_name("y").get_attr("value")
    assert second[0][0] == -2.0
    assert not const.flags.writeable
