"""The stepper: stepped runs agree with ``Session.run``, and the debugger's controls work."""

from __future__ import annotations

import collections
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import runtime as tf
from runtime.errors import CancelledError, InvalidArgumentError
from runtime.ops.core import apply_op, unchanged
from runtime.registry import OpDef, is_registered, register_kernel, register_op
from runtime.stepper import Breakpoint, Stepper, has_inf_or_nan

# -- a test-only stateful op: adds its input to a session-owned counter ---------------

COUNTER = "StepperTestCounter"
if not is_registered(COUNTER):
    register_op(
        OpDef(COUNTER, ("x: T",), ("count: T",), ("T: type",), shape_fn=unchanged, is_stateful=True)
    )

    @register_kernel(COUNTER, context=True)
    def _counter(ctx, x, T):
        cell = ctx.resources.get_or_create("", ctx.op.name, lambda: [0.0])
        old = cell[0]
        cell[0] = old + float(x)
        ctx.journal.record(lambda: cell.__setitem__(0, old))
        if x < 0:  # fails after writing: the step's own rollback must undo the write
            raise ValueError("negative increment")
        return (np.asarray(cell[0], dtype=x.dtype),)


def counter(x, name="counter"):
    return apply_op(COUNTER, [x], name).outputs[0]


def before_op(sess):
    return sess.graph.get_operation_by_name("before")


def count_of(sess, name="counter"):
    cell = sess._resources.lookup("", name)
    return None if cell is None else cell[0]


def assert_same_structure(got, want):
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for key in want:
            assert_same_structure(got[key], want[key])
    elif isinstance(want, list | tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same_structure(g, w)
    elif want is not None:
        np.testing.assert_array_equal(got, want)
        assert np.asarray(got).dtype == np.asarray(want).dtype


# -- random DAGs --------------------------------------------------------------------

UNARY = {"negative": tf.negative, "identity": tf.identity}
BINARY = {
    "add": tf.add,
    "subtract": tf.subtract,
    "multiply": tf.multiply,
    "divide": tf.divide,
    "matmul": tf.matmul,
}
MATRICES = hnp.arrays(
    np.float64, (2, 2), elements=st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])
)


@st.composite
def random_graphs(draw):
    """(graph, fetches, feeds): ops take inputs only from earlier tensors, so it is a DAG."""
    graph = tf.Graph()
    feeds = {}
    with graph.as_default():
        tensors = []
        for i in range(draw(st.integers(1, 3))):
            value = draw(MATRICES)
            if draw(st.booleans()):
                tensor = tf.compat.v1.placeholder(tf.float64, [2, 2], name=f"in{i}")
                feeds[tensor] = value
            else:
                tensor = tf.constant(value, name=f"in{i}")
            tensors.append(tensor)
        for i in range(draw(st.integers(1, 10))):
            kind = draw(st.sampled_from(sorted(UNARY) + sorted(BINARY)))
            fn = UNARY.get(kind) or BINARY[kind]
            args = [draw(st.sampled_from(tensors)) for _ in range(1 if kind in UNARY else 2)]
            # A control edge from a placeholder would make it run, and fail: feeds
            # replace its value, not the op.
            runnable = [t for t in tensors if t not in feeds]
            control = (
                [draw(st.sampled_from(runnable)).op] if runnable and draw(st.booleans()) else []
            )
            with tf.control_dependencies(control):
                tensors.append(fn(*args, name=f"op{i}"))
        fetches = draw(st.lists(st.sampled_from(tensors), min_size=1, max_size=4))
    return graph, fetches, feeds


def downstream_of(tensor, ops) -> list:
    """The ops (of ``ops``, in order) that depend on ``tensor`` through data or control."""
    dirty = []
    for op in ops:
        if any(t is tensor or t.op in dirty for t in op.inputs) or any(
            c in dirty for c in op.control_inputs
        ):
            dirty.append(op)
    return dirty


def all_values(sess, ops, feeds) -> dict:
    tensors = [t for op in ops for t in op.outputs]
    return dict(zip(tensors, sess.run(tensors, feeds)))


@settings(deadline=None, max_examples=50)
@given(random_graphs())
def test_stepped_results_equal_session_run(case):
    graph, fetches, feeds = case
    with tf.compat.v1.Session(graph=graph) as sess:
        stepper = sess.stepper(fetches, feeds)
        plan_ops = list(stepper.pending)
        events = []
        while stepper.next is not None:
            events.append(stepper.step())
        assert_same_structure(stepper.finish(), sess.run(fetches, feeds))
        # Every intermediate the stepper saw is what a run computes for that tensor.
        expected = all_values(sess, plan_ops, feeds)
        for event in events:
            for tensor, value in zip(event.op.outputs, event.outputs):
                np.testing.assert_array_equal(value, expected[tensor])
                np.testing.assert_array_equal(stepper.value(tensor), expected[tensor])


@settings(deadline=None, max_examples=50)
@given(random_graphs())
def test_event_order_is_topological(case):
    graph, fetches, feeds = case
    with tf.compat.v1.Session(graph=graph) as sess:
        stepper = sess.stepper(fetches, feeds)
        planned = set(stepper.pending)
        order = [event.op for event in stepper.cont()]
    assert sorted(order, key=lambda op: op.name) == sorted(planned, key=lambda op: op.name)
    assert len(order) == len(set(order))
    position = {op: i for i, op in enumerate(order)}
    for op in order:
        producers = [t.op for t in op.inputs if t not in feeds] + op.control_inputs
        for producer in producers:
            assert position[producer] < position[op], f"{producer.name} ran after {op.name}"


@settings(deadline=None, max_examples=50)
@given(random_graphs(), st.data())
def test_inject_changes_exactly_the_downstream_values(case, data):
    graph, fetches, feeds = case
    with tf.compat.v1.Session(graph=graph) as sess:
        stepper = sess.stepper(fetches, feeds)
        stepper.cont()
        ran = stepper.done
        candidates = [t for op in ran for t in op.outputs] + list(feeds)
        tensor = data.draw(st.sampled_from(candidates))
        new = data.draw(MATRICES)
        before = {t: stepper.value(t) for op in ran for t in op.outputs}

        rerun = stepper.inject(tensor, new)

        downstream = downstream_of(tensor, ran)
        assert rerun == downstream
        assert stepper.pending == downstream
        injected_feeds = {**feeds, tensor: new}
        assert_same_structure(stepper.finish(), sess.run(fetches, injected_feeds))
        expected = all_values(sess, downstream, injected_feeds)
        for t, old in before.items():
            if t.op in downstream:
                np.testing.assert_array_equal(stepper.value(t), expected[t])
            elif t is tensor:
                np.testing.assert_array_equal(stepper.value(t), new)
            else:
                np.testing.assert_array_equal(stepper.value(t), old)


@settings(deadline=None, max_examples=50)
@given(random_graphs())
def test_nan_breakpoint_stops_on_the_first_op_that_produces_one(case):
    graph, fetches, feeds = case
    with tf.compat.v1.Session(graph=graph) as sess:
        stepper = sess.stepper(fetches, feeds)
        plan_ops = list(stepper.pending)
        values = all_values(sess, plan_ops, feeds)
        first_bad = next(
            (op for op in plan_ops if has_inf_or_nan([values[t] for t in op.outputs])), None
        )
        stepper.add_breakpoint(condition="has_inf_or_nan")
        events = stepper.cont()
    if first_bad is None:
        assert stepper.stopped_at is None and stepper.next is None
    else:
        assert events[-1].op is first_bad
        assert stepper.stopped_at.condition == "has_inf_or_nan"
        assert not any(has_inf_or_nan(event.outputs) for event in events[:-1])


# -- state: variables-like resources, restore, finish -------------------------------


@pytest.fixture
def counting(graph, sess):
    """x (placeholder) -> counter (adds x to a session counter) -> doubled."""
    x = tf.compat.v1.placeholder(tf.float64, [], name="x")
    before = tf.identity(x, name="before")
    count = counter(before)
    doubled = tf.multiply(count, 2.0, name="doubled")
    return x, count, doubled


def test_finished_stepped_run_leaves_the_state_session_run_leaves(sess, counting):
    x, count, doubled = counting
    assert sess.run(doubled, {x: 1.0}) == 2.0
    stepper = sess.stepper({"d": doubled, "c": count}, {x: 2.0})
    assert stepper.finish() == {"d": 6.0, "c": 3.0}
    assert count_of(sess) == 3.0
    assert sess.run(doubled, {x: 1.0}) == 8.0


def test_restore_undoes_updates_and_the_run_goes_on_from_there(sess, counting):
    x, count, doubled = counting
    sess.run(count, {x: 5.0})
    stepper = sess.stepper(doubled, {x: 1.0})
    stepper.step_to(count)
    assert count_of(sess) == 6.0
    rerun = stepper.restore()
    assert [op.name for op in rerun] == ["counter"]
    assert count_of(sess) == 5.0
    assert stepper.state(count.op) == "next"
    assert stepper.state("before") == "done"  # a pure op keeps its value
    assert stepper.finish() == 12.0
    assert count_of(sess) == 6.0


def test_reset_undoes_uncommitted_changes_but_not_a_finished_run(sess, counting):
    x, _count, doubled = counting
    stepper = sess.stepper(doubled, {x: 1.0})
    stepper.add_breakpoint(op_type="Mul")
    stepper.cont()
    assert count_of(sess) == 1.0
    stepper.reset()
    assert count_of(sess) == 0.0
    assert stepper.done == [] and stepper.breakpoints
    assert stepper.finish() == 2.0
    stepper.reset()
    assert count_of(sess) == 1.0
    assert stepper.finish() == 4.0


def test_inject_reruns_a_stateful_op_once_not_twice(sess, counting):
    x, _count, doubled = counting
    stepper = sess.stepper(doubled, {x: 1.0})
    stepper.cont()
    assert count_of(sess) == 1.0
    rerun = stepper.inject("before:0", 10.0)
    assert [op.name for op in rerun] == ["counter", "doubled"]
    assert count_of(sess) == 0.0  # the earlier increment is undone before the re-run
    assert stepper.finish() == 20.0
    assert count_of(sess) == 10.0


@pytest.fixture
def training(graph):
    """w -= 0.5 * (w - target): one hand-written gradient step on a variable."""
    w = tf.Variable([1.0, 4.0], name="w")
    target = tf.compat.v1.placeholder(tf.float32, [2], name="target")
    grad = tf.subtract(w, target, name="grad")
    train = tf.compat.v1.assign_sub(w, 0.5 * grad, name="train")
    return w, target, grad, train


def test_restore_undoes_variable_updates(sess, training):
    w, target, _grad, train = training
    sess.run(w.initializer)
    stepper = sess.stepper(train, {target: [3.0, 0.0]})
    events = stepper.cont()
    np.testing.assert_array_equal(events[-1].outputs[0], [2.0, 2.0])  # a ref shows its value
    np.testing.assert_array_equal(sess.run(w), [2.0, 2.0])
    rerun = stepper.restore()
    np.testing.assert_array_equal(sess.run(w), [1.0, 4.0])
    assert [op.name for op in rerun] == [op.name for op in stepper.pending]
    assert {"w", "grad", "train"} <= {op.name for op in rerun}
    np.testing.assert_array_equal(stepper.finish(), [2.0, 2.0])
    np.testing.assert_array_equal(sess.run(w), [2.0, 2.0])


def test_a_stepped_training_step_leaves_the_state_a_run_leaves(graph, training):
    w, target, grad, train = training
    feeds = {target: [3.0, 0.0]}
    results = []
    for stepped in (False, True):
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(w.initializer)
            for _ in range(2):
                if stepped:
                    stepper = sess.stepper([train, grad], feeds)
                    stepper.step()
                    results.append(stepper.finish())
                else:
                    results.append(sess.run([train, grad], feeds))
            results.append(sess.run(w))
    np.testing.assert_equal(results[:3], results[3:])


def test_references_are_read_for_values_but_cannot_be_injected(sess, training):
    w, target, grad, _train = training
    sess.run(w.initializer)
    stepper = sess.stepper(grad, {target: [0.0, 0.0]})
    stepper.step_to("w")
    np.testing.assert_array_equal(stepper.value("w:0"), [1.0, 4.0])
    with pytest.raises(TypeError, match="Cannot inject a value into 'w:0': it is a reference"):
        stepper.inject("w:0", [0.0, 0.0])


def test_an_uninitialized_variable_fails_its_reader_which_stays_next(sess, training):
    w, target, grad, _train = training
    stepper = sess.stepper(grad, {target: [0.0, 0.0]})
    assert stepper.step().op is w.op  # the reference exists; it has no value yet
    with pytest.raises(tf.errors.FailedPreconditionError, match=r"'w/read'.*uninitialized value w"):
        stepper.step()
    assert stepper.next.name == "w/read" and stepper.error.op is stepper.next
    sess.run(w.initializer)
    np.testing.assert_array_equal(stepper.finish(), [1.0, 4.0])


def test_a_failed_op_is_rolled_back_raised_and_stays_next(sess, counting):
    x, count, doubled = counting
    stepper = sess.stepper(doubled, {x: -1.0})
    stepper.step()
    with pytest.raises(InvalidArgumentError, match=r"StepperTestCounter 'counter'.*negative"):
        stepper.step()
    assert count_of(sess) == 0.0
    assert stepper.next is count.op
    assert stepper.error.op is count.op
    assert stepper.state(count.op) == "next"
    assert stepper.inject(x, 4.0) == [before_op(sess)]  # a fed tensor can be overridden too
    assert [event.op for event in stepper.step_to(count)] == [before_op(sess), count.op]
    assert stepper.error is None
    assert stepper.finish() == 8.0


def test_errors_in_finish_leave_the_stepper_usable(graph, sess):
    a = tf.compat.v1.placeholder(tf.float32, name="a")
    b = tf.compat.v1.placeholder(tf.float32, name="b")
    product = tf.matmul(a, b, name="product")
    feeds = {a: np.ones((2, 3)), b: np.ones((4, 5))}
    stepper = sess.stepper(product, feeds)
    with pytest.raises(InvalidArgumentError, match=r"'product'.*Matrix size-incompatible"):
        stepper.finish()
    assert not stepper.finished and stepper.next is product.op
    stepper.inject(b, np.ones((3, 2)))
    np.testing.assert_array_equal(stepper.finish(), np.full((2, 2), 3.0, np.float32))


def test_finish_returns_the_fetch_structure_of_session_run(graph, sess):
    a = tf.constant(2.0, name="a")
    b = tf.negative(a, name="b")
    noop = tf.no_op(name="noop")
    pair = collections.namedtuple("pair", "x y")
    fetches = {"p": pair(a, [b, "b:0"]), "op": noop, "t": (b,)}
    stepper = sess.stepper(fetches)
    assert_same_structure(stepper.finish(), sess.run(fetches))
    with pytest.raises(RuntimeError, match="finished; call reset"):
        stepper.finish()
    with pytest.raises(RuntimeError, match=r"has finished; call reset\(\) to step"):
        stepper.step()


def test_feeds_are_checked_like_session_run(graph, sess):
    x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0'"):
        sess.stepper(x * 2.0, {x: [1.0, 2.0, 3.0]})


# -- where the run is ---------------------------------------------------------------


@pytest.fixture
def chain(graph):
    """a -> b -> c (fetched); d is pruned. In scope "s": b and c."""
    a = tf.constant([1.0, -2.0], name="a")
    with tf.name_scope("s"):
        b = tf.negative(a, name="b")
        c = tf.multiply(b, b, name="c")
    d = tf.negative(a, name="d")
    return a, b, c, d


def test_states_and_op_lists(sess, chain):
    a, b, c, d = chain
    stepper = Stepper(sess, c)
    assert stepper.unused == [d.op]
    assert stepper.states() == {"a": "next", "s/b": "pending", "s/c": "pending", "d": "unused"}
    event = stepper.step()
    assert (event.op, event.inputs, event.device) == (a.op, (), sess.placement()["a"])
    assert event.elapsed >= 0
    assert stepper.done == [a.op] and stepper.pending == [b.op, c.op]
    assert stepper.next is b.op and stepper.last_event is event
    assert stepper.state("s/b") == "next" and stepper.state(d) == "unused"
    second = stepper.step()
    np.testing.assert_array_equal(second.inputs[0], [1.0, -2.0])
    assert "2/3 ops done, next 's/c'" in repr(stepper)
    assert str(stepper).splitlines()[2].startswith("--> pending s/c")


def test_step_to_and_its_errors(sess, chain):
    a, b, c, _d = chain
    stepper = sess.stepper(c)
    assert [event.op for event in stepper.step_to("s/b")] == [a.op, b.op]
    with pytest.raises(ValueError, match="'s/b' has already run"):
        stepper.step_to(b)
    with pytest.raises(ValueError, match="'d' does not run in this stepped run"):
        stepper.step_to("d")
    stepper.step_to("s/c:0")
    with pytest.raises(RuntimeError, match="Every op of this stepped run has run"):
        stepper.step()
    assert stepper.cont() == []


def test_value_errors(sess, chain):
    _a, b, c, _d = chain
    stepper = sess.stepper(c)
    with pytest.raises(ValueError, match="'s/b:0' has not been computed yet: op 's/b' is pending"):
        stepper.value(b)
    with pytest.raises(ValueError, match="'d:0' is not part of this stepped run"):
        stepper.value("d:0")
    with pytest.raises(KeyError, match="Did you mean 's/c'"):
        stepper.value("s/cc")
    stepper.step()
    np.testing.assert_array_equal(stepper.value("a"), [1.0, -2.0])


def test_breakpoints_by_name_type_scope_and_predicate(sess, chain):
    a, b, c, _d = chain
    stepper = sess.stepper(c)
    by_name = stepper.add_breakpoint("s/b")
    assert [e.op for e in stepper.cont()] == [a.op, b.op] and stepper.stopped_at is by_name
    stepper.reset()
    stepper.clear_breakpoints()
    stepper.add_breakpoint(op_type="Mul")
    assert stepper.cont()[-1].op is c.op
    stepper.reset()
    stepper.clear_breakpoints()
    stepper.add_breakpoint(scope="s/")
    assert stepper.cont()[-1].op is b.op
    stepper.reset()
    stepper.clear_breakpoints()
    big = stepper.add_breakpoint(condition=lambda outputs: outputs[0].max() > 3.0)
    assert stepper.cont()[-1].op is c.op and stepper.stopped_at is big
    assert big.describe().startswith("if <lambda>")
    stepper.remove_breakpoint(big)
    assert stepper.breakpoints == ()
    with pytest.raises(ValueError, match="No such breakpoint"):
        stepper.remove_breakpoint(big)


def test_breakpoint_criteria_combine_and_are_checked(sess, chain):
    _a, _b, c, _d = chain
    stepper = sess.stepper(c)
    stepper.add_breakpoint(scope="s", op_type="Mul")
    assert stepper.cont()[-1].op is c.op
    with pytest.raises(ValueError, match=r"Op type not registered 'Mull'\. Did you mean 'Mul'"):
        stepper.add_breakpoint(op_type="Mull")
    with pytest.raises(ValueError, match="No op of the graph is in the name scope 'nowhere'"):
        stepper.add_breakpoint(scope="nowhere")
    with pytest.raises(ValueError, match="Unknown breakpoint condition 'nan'"):
        stepper.add_breakpoint(condition="nan")
    with pytest.raises(ValueError, match="needs an op, an op_type, a scope or a condition"):
        stepper.add_breakpoint()
    with pytest.raises(KeyError, match="not in the graph"):
        stepper.add_breakpoint("zzz")
    assert Breakpoint(op="s/b").describe() == "op 's/b'"


def test_step_to_stops_early_at_a_breakpoint(sess, chain):
    a, b, c, _d = chain
    stepper = sess.stepper(c)
    stepper.add_breakpoint(a)
    assert [e.op for e in stepper.step_to(c)] == [a.op]
    assert [e.op for e in stepper.step_to(c)] == [b.op, c.op]


def test_nan_from_a_division_stops_cont_there(graph, sess):
    x = tf.constant([1.0, 0.0], name="x")
    ok = tf.add(x, 1.0, name="ok")
    ratio = tf.divide(x, x, name="ratio")
    out = tf.multiply(ratio, ok, name="out")
    stepper = sess.stepper(out)
    stepper.add_breakpoint(condition="has_inf_or_nan")
    assert stepper.cont()[-1].op is ratio.op
    assert np.isnan(stepper.value(ratio)[1])
    stepper.inject(ratio, [1.0, 1.0])
    np.testing.assert_array_equal(stepper.cont()[-1].outputs[0], [2.0, 1.0])
    assert stepper.stopped_at is None


# -- overrides ----------------------------------------------------------------------


def test_inject_before_the_producer_runs_replaces_its_output(sess, chain):
    _a, b, c, _d = chain
    stepper = sess.stepper(c)
    assert stepper.inject(b, [3.0, 3.0]) == []
    np.testing.assert_array_equal(stepper.value(b), [3.0, 3.0])
    events = stepper.cont()
    np.testing.assert_array_equal(events[1].outputs[0], [3.0, 3.0])
    np.testing.assert_array_equal(stepper.finish(), [9.0, 9.0])


def test_an_injected_value_wins_over_its_op(graph, sess):
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a.op]):  # so "a" runs although its value is injected
        b = tf.negative(2.0, name="b")
    c = tf.add(a, b, name="c")
    stepper = sess.stepper([a, c])
    stepper.inject(a, 10.0)
    assert [event.op.name for event in stepper.cont()] == ["a", "b/x", "b", "c"]
    assert stepper.finish() == [10.0, 8.0]


def test_inject_is_validated_like_a_feed(sess, chain):
    _a, b, c, d = chain
    stepper = sess.stepper(c)
    with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor 's/b:0'"):
        stepper.inject(b, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"Cannot feed value \['x', 'y'\] to Tensor 's/b:0'"):
        stepper.inject(b, ["x", "y"])
    with pytest.raises(ValueError, match="'d:0' is not part of this stepped run"):
        stepper.inject(d, [1.0, 2.0])
    assert stepper.overrides == {}


def test_remove_override_recomputes_from_the_producer(sess, chain):
    _a, b, c, _d = chain
    stepper = sess.stepper(c)
    stepper.cont()
    stepper.inject(b, [0.0, 0.0])
    stepper.cont()
    assert stepper.overrides.keys() == {"s/b:0"}
    assert [op.name for op in stepper.remove_override(b)] == ["s/b", "s/c"]
    np.testing.assert_array_equal(stepper.finish(), [1.0, 4.0])
    stepper.reset()
    with pytest.raises(ValueError, match="'s/b:0' has no injected value"):
        stepper.remove_override(b)


def test_remove_override_of_a_feed_restores_the_fed_value(graph, sess):
    x = tf.compat.v1.placeholder(tf.float32, [], name="x")
    y = tf.negative(x, name="y")
    stepper = sess.stepper(y, {x: 2.0})
    stepper.inject(x, 5.0)
    assert stepper.cont()[-1].outputs[0] == -5.0
    assert stepper.remove_override(x) == [y.op]
    assert stepper.finish() == -2.0


# -- the session around it ----------------------------------------------------------


def test_closing_the_session_cancels_the_stepped_run(graph):
    sess = tf.compat.v1.Session(graph=graph)
    stepper = sess.stepper(tf.negative(tf.constant(1.0)))
    sess.close()
    with pytest.raises(CancelledError, match="Session has been closed"):
        stepper.step()


def test_run_op_is_an_override_point(sess, chain):
    _a, _b, c, _d = chain
    seen = []

    class Recording(Stepper):
        def run_op(self, step):
            seen.append((step.op.name, threading.current_thread() is threading.main_thread()))
            return super().run_op(step)

    np.testing.assert_array_equal(Recording(sess, c).finish(), [1.0, 4.0])
    assert seen == [("a", True), ("s/b", True), ("s/c", True)]
