"""Loop optimization and TF1 control flow: the graph before and after, equal results."""

from __future__ import annotations

import numpy as np

import runtime as tf

from .compare import assert_same, both, types

v1 = tf.compat.v1


def _hoisted(optimized) -> list:
    return [change.ops[0] for change in optimized.report.by_kind("hoisted")]


def test_constants_of_a_loop_body_are_made_once_and_enter_the_frame():
    x = v1.placeholder(tf.float32, [3], name="x")
    _, total = v1.while_loop(
        lambda i, acc: i < 4, lambda i, acc: (i + 1, acc * 0.5 + x), [tf.constant(0), tf.zeros([3])]
    )
    before, after, written, ran = both(total, {x: [1.0, 2.0, 3.0]})
    assert sorted(_hoisted(after)) == ["while/Less/y", "while/add/y", "while/mul/y"]
    enters = [
        op
        for op in after.graph.get_operations()
        if op.type == "Enter" and op.get_attr("is_constant")
    ]
    assert {op.inputs[0].op.name for op in enters} >= {"while/add/y", "while/mul/y"}
    assert types(after).count("Enter") == types(before).count("Enter") + 3
    assert_same(written, ran)


def test_a_random_op_in_a_loop_still_draws_once_per_iteration():
    def body(i, acc):
        return i + 1, acc + v1.random_uniform([2], seed=7, name="draw")

    _, total = v1.while_loop(lambda i, acc: i < 3, body, [tf.constant(0), tf.zeros([2])])
    _, after, written, ran = both(total)
    assert "while/draw/shape" in _hoisted(after)
    assert_same(written, ran)  # the same stream, drawn the same number of times


def test_a_loop_inside_a_cond_keeps_its_constants():
    p = v1.placeholder(tf.bool, name="p")

    def loop():
        return v1.while_loop(lambda i: i < 5, lambda i: i + 2, [tf.constant(0)])

    y = v1.cond(p, loop, lambda: tf.constant(-1))
    for taken in (True, False):
        _, after, written, ran = both(y, {p: taken})
        assert_same(written, ran)
        assert not _hoisted(after)


def test_nested_loops_fold_inside_frames_and_hoist_out_of_the_outer_one():
    def inner(j, acc):
        return j + 1, acc + tf.constant(2.0) * tf.constant(3.0)

    def outer(i, acc):
        _, acc = v1.while_loop(lambda j, a: j < 2, inner, [tf.constant(0), acc])
        return i + 1, acc * 0.5

    _, total = v1.while_loop(lambda i, acc: i < 3, outer, [tf.constant(0), tf.constant(1.0)])
    _, after, written, ran = both(total)
    folded = [change.ops[0] for change in after.report.by_kind("folded")]
    assert any(name.startswith("while/while/") for name in folded)  # inside the inner frame
    assert "while/mul/y" in _hoisted(after)
    assert not any(name.startswith("while/while/") for name in _hoisted(after))
    assert_same(written, ran)


def test_a_cond_in_a_loop_runs_both_branches_as_written():
    x = v1.placeholder(tf.float32, name="x")

    def body(i, acc):
        step = v1.cond(tf.equal(i % 2, 0), lambda: acc + tf.constant(1.0) * 2.0, lambda: acc - 1.0)
        return i + 1, step

    _, total = v1.while_loop(lambda i, acc: i < 5, body, [tf.constant(0), x])
    _, after, written, ran = both(total, {x: np.float32(0.5)})
    assert after.report.by_kind("folded")
    assert_same(written, ran)


def test_a_constant_that_a_cond_in_a_loop_returns_stays_in_the_loop():
    # The cond's Merge takes its first live input: a constant made outside the loop
    # would always be live, whichever branch the predicate picks.
    x = v1.placeholder(tf.float64, [2], name="x")

    def body(i, v):
        branch = v1.cond(
            tf.reduce_sum(v) > 0.0, lambda: tf.constant([1.0, 1.0], tf.float64), lambda: x
        )
        return i + 1, branch

    _, out = v1.while_loop(lambda i, v: i < 1, body, [tf.constant(0), x])
    for value in ([0.0, 0.0], [1.0, 2.0]):
        _, after, written, ran = both(out, {x: value})
        assert_same(written, ran)
    assert "while/cond/Const" not in _hoisted(after)
    assert "while/Less/y" in _hoisted(after)
