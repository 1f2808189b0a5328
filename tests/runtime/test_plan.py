"""Plans: pruning, order, slots, value release, and the session's plan cache."""

from __future__ import annotations

import runtime as tf
from runtime.plan import build_plan, prune

tf1 = tf.compat.v1


def _placement(graph):
    return {op: "/job:localhost/replica:0/task:0/device:CPU:0" for op in graph.get_operations()}


def test_prune_walks_data_and_control_inputs_and_stops_at_feeds(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    with tf.control_dependencies([tf.no_op(name="ctrl")]):
        d = tf.negative(c, name="d")
    tf.negative(a, name="unused")
    assert [op.name for op in prune([d], [], set())] == ["a", "b", "c", "ctrl", "d"]
    assert [op.name for op in prune([d], [], {c})] == ["ctrl", "d"]
    assert [op.name for op in prune([c], [], {c})] == []
    assert [op.name for op in prune([], [d.op], set())] == ["a", "b", "c", "ctrl", "d"]


def test_plan_order_slots_and_dependencies(graph):
    a = tf.constant(1.0, name="a")
    b = tf.negative(a, name="b")
    c = tf.add(a, b, name="c")
    plan = build_plan([c], [], [], _placement(graph))
    assert [s.op.name for s in plan.steps] == ["a", "b", "c"]
    steps = {s.op.name: s for s in plan.steps}
    assert steps["c"].pending == 2 and steps["a"].pending == 0
    assert [d.op.name for d in steps["a"].dependents] == ["b", "c"]
    assert plan.fetch_slots == [plan.slot_of[c]] and plan.num_slots == 3
    assert plan.sequential_only and not plan.has_blocking
    assert steps["c"].attrs == {"T": tf.float32}
    # a is read last by c; b too; the fetched c is kept
    assert set(steps["c"].release) == {plan.slot_of[a], plan.slot_of[b]}
    assert plan.ops == [a.op, b.op, c.op]


def test_unread_outputs_are_released_at_once_and_feeds_kept(graph):
    x = tf1.placeholder(tf.float32, name="x")
    y = tf.negative(x, name="y")
    z = tf.negative(y, name="z")
    plan = build_plan([z], [], [x], _placement(graph))
    assert plan.feed_slots == {x: plan.slot_of[x]}
    steps = {s.op.name: s for s in plan.steps}
    assert plan.slot_of[x] not in steps["y"].release
    assert steps["z"].release == (plan.slot_of[y],)


def test_expensive_ops_make_a_plan_parallel(graph):
    m = tf.constant([[1.0]])
    plan = build_plan([tf.matmul(m, m)], [], [], _placement(graph))
    assert not plan.sequential_only


def test_missing_kernel_for_the_device(graph):
    c = tf.constant(1.0, name="c")
    placement = {c.op: "/job:localhost/replica:0/task:0/device:TPU:0"}
    try:
        build_plan([c], [], [], placement)
    except tf.errors.NotFoundError as err:
        assert (
            "No registered 'Const' OpKernel for 'TPU' devices compatible with node c" in err.message
        )
    else:
        raise AssertionError("expected NotFoundError")


def test_session_caches_plans(sess):
    a = tf.constant(1.0)
    b = a * 2.0
    sess.run(b)
    plan = sess._plan((b,), (), {})
    sess.run(b)
    assert sess._plan((b,), (), {}) is plan
    p = tf1.placeholder(tf.float32)
    c = p + 1.0
    sess.run(c, {p: 1.0})
    sess.run(c, {p: 2.0})
    assert len(sess._plans) == 2


def test_a_fed_tensor_keeps_its_value_when_its_op_runs_for_another_reason():
    with tf.Graph().as_default():
        a = tf.constant(1.0, name="a")
        b = tf.negative(a, name="b")
        with tf.control_dependencies([b]):
            c = tf.identity(a, name="c")
        with tf.compat.v1.Session() as sess:
            assert sess.run([b, c], {b: 10.0}) == [10.0, 1.0]
