"""Plans: pruning, order, slots, value release, and the session's plan cache."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- random graphs ------------------------------------------------------------------------

# A node: (data inputs, control inputs), each a list of earlier node indices.
_random_dags = st.integers(2, 9).flatmap(
    lambda n: st.tuples(
        st.tuples(
            *[st.lists(st.integers(0, max(i - 1, 0)), max_size=2 if i else 0) for i in range(n)]
        ),
        st.tuples(
            *[st.lists(st.integers(0, max(i - 1, 0)), max_size=1 if i else 0) for i in range(n)]
        ),
        st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
        st.sets(st.integers(0, n - 1), max_size=2),
    )
)


def _build_random_dag(data, control):
    """Node i is a constant i + 1, the negation of one earlier node, or the sum of two."""
    tensors = []
    for i, (inputs, controls) in enumerate(zip(data, control)):
        with tf.control_dependencies([tensors[j].op for j in controls]):
            if not inputs:
                tensors.append(tf.constant(float(i + 1), name=f"n{i}"))
            elif len(inputs) == 1:
                tensors.append(tf.negative(tensors[inputs[0]], name=f"n{i}"))
            else:
                tensors.append(tf.add(*(tensors[j] for j in inputs), name=f"n{i}"))
    return tensors


@settings(deadline=None, max_examples=60)
@given(_random_dags)
def test_random_dags_prune_to_the_ancestors_and_run_to_python_values(dag):
    data, control, fetched, fed = dag
    feeds = {i: 100.0 * (i + 1) for i in fed}

    def needed(i, seen):
        # Ancestors by data and control edges; a fed node is not needed for its value.
        for j in data[i]:
            if j not in feeds and j not in seen:
                seen.add(j)
                needed(j, seen)
        # As TF: a control input that is also a data input is dropped, and one whose
        # output is fed is met by the feed.
        for j in control[i]:
            if j not in data[i] and j not in seen and j not in feeds:
                seen.add(j)
                needed(j, seen)
        return seen

    expected_ops = set()
    for i in fetched:
        if i not in feeds:
            expected_ops |= needed(i, {i})

    def value(i):
        if i in feeds:
            return feeds[i]
        if not data[i]:
            return float(i + 1)
        if len(data[i]) == 1:
            return -value(data[i][0])
        return value(data[i][0]) + value(data[i][1])

    with tf.Graph().as_default() as graph:
        tensors = _build_random_dag(data, control)
        fetches = [tensors[i] for i in sorted(fetched)]
        feed_tensors = {tensors[i] for i in fed}
        ops = prune(fetches, [], feed_tensors)
        assert {op.name for op in ops} == {f"n{i}" for i in expected_ops}
        position = {op: k for k, op in enumerate(ops)}
        for op in ops:  # every input the plan computes comes earlier
            for before in [t.op for t in op.inputs] + list(op.control_inputs):
                assert position.get(before, -1) < position[op]
        plan = build_plan(fetches, [], list(feed_tensors), _placement(graph))
        assert plan.ops == ops
        with tf1.Session() as sess:
            got = sess.run(fetches, {tensors[i]: feeds[i] for i in fed})
        assert got == [value(i) for i in sorted(fetched)]
