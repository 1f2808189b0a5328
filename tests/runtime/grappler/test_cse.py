"""Common subexpression elimination: the graph before and after, and equal results."""

from __future__ import annotations

import numpy as np

import runtime as tf

from .compare import assert_same, both, ops, types

v1 = tf.compat.v1


def test_equal_subgraphs_collapse_and_commutative_inputs_match_in_any_order():
    x = v1.placeholder(tf.float32, [3], name="x")
    y = v1.placeholder(tf.float32, [3], name="y")
    left = tf.tanh(tf.add(x, y, name="s1"), name="t1")
    right = tf.tanh(tf.add(y, x, name="s2"), name="t2")
    z = tf.multiply(left, right, name="z")
    feeds = {x: np.arange(3.0, dtype=np.float32), y: np.ones(3, np.float32)}
    before, after, written, ran = both(z, feeds)
    assert ops(before)[2:] == [
        ("s1", "AddV2"),
        ("t1", "Tanh"),
        ("s2", "AddV2"),
        ("t2", "Tanh"),
        ("z", "Mul"),
    ]
    assert ops(after)[2:] == [("s1", "AddV2"), ("t1", "Tanh"), ("z", "Mul")]
    assert [c.result for c in after.report.by_kind("merged")] == [("s1",), ("t1",)]
    assert_same(written, ran)


def test_stateful_ops_are_never_merged():
    a = v1.random_uniform([4], seed=1, name="a")
    b = v1.random_uniform([4], seed=1, name="b")
    z = tf.concat([a, b, a * 1.0], 0)
    with v1.Session() as sess:
        after = sess.optimized_graph(z)
    assert types(after).count("RandomUniform") == 2
    assert all("shape" in change.ops[0] for change in after.report.by_kind("merged"))


def test_a_fetched_duplicate_keeps_its_name():
    x = v1.placeholder(tf.float32, name="x")
    a = tf.square(x, name="a")
    b = tf.square(x, name="b")
    c = tf.negative(a, name="c")
    _, after, written, ran = both([b, c], {x: 3.0})
    assert ("b", "Square") in ops(after) and ("a", "Square") in ops(after)
    assert_same(written, ran)


def test_equal_constants_merge_but_different_ones_do_not():
    x = v1.placeholder(tf.float32, [2], name="x")
    z = (x + tf.constant([1.0, 2.0], name="c1")) * (x - tf.constant([1.0, 2.0], name="c2"))
    z = z / tf.constant([1.0, -0.0], name="c3")
    before, after, written, ran = both(z, {x: [3.0, 4.0]})
    assert ("c2", "Const") in ops(before) and ("c2", "Const") not in ops(after)
    assert ("c3", "Const") in ops(after)
    assert_same(written, ran)
