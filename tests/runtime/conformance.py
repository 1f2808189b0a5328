"""Executor conformance suite: one mixin, run against every way the executor schedules.

Like dask's ``GetFunctionTestMixin``: a subclass says how to execute a plan (sequentially
in the caller's thread, or through the scheduler loop with an inter-op pool of N
threads) and inherits every behaviour test. Private op types registered here give the
tests kernels that fail, count, block or sleep on demand.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.devices import local_devices
from runtime.errors import InvalidArgumentError, UnknownError
from runtime.executor import Hooks, RunContext, run_plan
from runtime.ops.core import apply_op, unchanged
from runtime.placer import Placer
from runtime.plan import build_plan
from runtime.registry import Cost, OpDef, register_kernel, register_op
from runtime.resources import ResourceManager

tf1 = tf.compat.v1

# -- private op types ----------------------------------------------------------------------


def _passing_through(op_type, *attrs, **fields) -> OpDef:
    """A private op type passing its input ``x`` through (its kernel does the rest)."""
    return register_op(
        OpDef(op_type, ("x: T",), ("y: T",), ("T: type", *attrs), shape_fn=unchanged, **fields)
    )


FAIL = _passing_through("_ConformanceFail", cost=Cost.EXPENSIVE)
COUNT = _passing_through("_ConformanceCount", is_stateful=True, cost=Cost.EXPENSIVE)
SLEEP = _passing_through("_ConformanceSleep", "seconds: float = 0", cost=Cost.EXPENSIVE)
BLOCK = _passing_through("_ConformanceBlock", is_stateful=True, cost=Cost.BLOCKING)
RAISE = _passing_through("_ConformanceRaise", "kind: {'value', 'key', 'interrupt'}")

# Tests release blocked kernels through this event (set it in a finally).
RELEASE = threading.Event()
BLOCKED = threading.Event()  # set once a _ConformanceBlock kernel is waiting
_condition = threading.Condition()


@register_kernel("_ConformanceFail")
def _fail(x, T):
    raise InvalidArgumentError(None, None, "failing on purpose")


@register_kernel("_ConformanceCount", context=True)
def _count(ctx, x, T):
    counter = ctx.resources.get_or_create("", "conformance_counter", lambda: [0])
    counter[0] += 1
    ctx.journal.record(lambda: counter.__setitem__(0, counter[0] - 1))
    return (x,)


@register_kernel("_ConformanceSleep")
def _sleep(x, *, seconds, T):
    time.sleep(seconds)
    return (x,)


@register_kernel("_ConformanceBlock", context=True)
def _block(ctx, x, T):
    with _condition:
        BLOCKED.set()
        ctx.wait_until(_condition, RELEASE.is_set)
    return (x,)


_RAISED = {
    "value": ValueError("bad value"),
    "key": KeyError("no key"),
    "interrupt": KeyboardInterrupt(),
}


@register_kernel("_ConformanceRaise")
def _raise(x, *, kind, T):
    raise _RAISED[kind]


def fail(x, name="fail"):
    return apply_op(FAIL, [x], name).outputs[0]


def count(x, name="count"):
    return apply_op(COUNT, [x], name).outputs[0]


def sleep(x, seconds, name="sleep"):
    return apply_op(SLEEP, [x], name, seconds=float(seconds)).outputs[0]


def block(x, name="block"):
    return apply_op(BLOCK, [x], name).outputs[0]


def raise_in_kernel(x, kind, name="raise"):
    return apply_op(RAISE, [x], name, kind=kind).outputs[0]


def counter_value(resources) -> int:
    counter = resources.lookup("", "conformance_counter")
    return 0 if counter is None else counter[0]


# -- recording hooks -------------------------------------------------------------------------


class Recorder(Hooks):
    """Records every hook call; the tests check their order."""

    def __init__(self):
        self.events: list = []
        self.lock = threading.Lock()  # hooks are called from the caller's thread only

    def on_start(self, plan):
        self.events.append(("start", None))

    def before_op(self, step, iteration):
        self.events.append(("before", step.op.name))

    def after_op(self, step, iteration, outputs, record):
        assert record.start_ns <= record.end_ns
        self.events.append(("after", step.op.name))

    def on_finish(self, plan, error):
        self.events.append(("finish", error))

    def finished(self) -> list:
        return [name for kind, name in self.events if kind == "after"]


def _random_op(kind, x, y, vx, vy):
    """One op of a random DAG and the value numpy computes for it."""
    if kind == "AddV2":
        return tf.add(x, y), vx + vy
    if kind == "Sub":
        return tf.subtract(x, y), vx - vy
    if kind == "Mul":
        return tf.multiply(x, y), vx * vy
    if kind == "Neg":
        return tf.negative(x), -vx
    if kind == "MatMul":
        return tf.matmul(x, y), vx @ vy
    return tf.identity(x), vx


# -- the mixin -------------------------------------------------------------------------------


class ExecutorConformance:
    """Behaviour every executor configuration must have. Subclasses set ``threads``
    (``None``: sequential in the caller's thread; N: the scheduler loop with N pool threads)."""

    threads: int | None = None

    @pytest.fixture(autouse=True)
    def _executor_state(self):
        self.resources = ResourceManager()
        self.pool = None if self.threads is None else ThreadPoolExecutor(self.threads)
        RELEASE.clear()
        BLOCKED.clear()
        yield
        RELEASE.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def execute(self, fetches, feeds=None, targets=(), hooks=(), deadline=None):
        """Run a plan for ``fetches`` (tensors) and ``targets`` (ops); returns fetched values."""
        feeds = dict(feeds or {})
        ops = {t.op for t in fetches} | set(targets) | {t.op for t in feeds}
        graph = next(iter(ops)).graph
        placement = Placer(local_devices()).place(graph.get_operations())
        plan = build_plan(list(fetches), list(targets), list(feeds), placement)
        values = [None] * plan.num_slots
        for tensor, value in feeds.items():
            values[plan.feed_slots[tensor]] = np.asarray(value)
        run = RunContext(self.resources, pool=self.pool, hooks=hooks, deadline=deadline)
        run_plan(plan, values, run, sequential=self.threads is None)
        return [values[s] for s in plan.fetch_slots]

    # -- results and feeds ---------------------------------------------------------------

    def test_results(self, graph):
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        b = tf.matmul(a, a)
        c = b - tf.negative(a) * 2.0
        got_b, got_c = self.execute([b, c])
        na = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
        np.testing.assert_allclose(got_b, na @ na)
        np.testing.assert_allclose(got_c, na @ na + 2 * na)

    def test_feeds_replace_producers(self, graph):
        x = tf1.placeholder(tf.float32, shape=[2])
        y = count(x) * 2.0
        z = y + 1.0
        recorder = Recorder()
        (got,) = self.execute([z], feeds={y: [10.0, 20.0]}, hooks=[recorder])
        assert got.tolist() == [11.0, 21.0]
        assert "count" not in recorder.finished()  # the fed tensor's producer never ran
        assert counter_value(self.resources) == 0
        (got,) = self.execute([z], feeds={x: [1.0, 2.0]})
        assert got.tolist() == [3.0, 5.0] and counter_value(self.resources) == 1

    def test_duplicate_fetches_and_fetched_feeds(self, graph):
        x = tf1.placeholder(tf.float32)
        y = x * 3.0
        assert self.execute([y, y, x], feeds={x: 2.0}) == [6.0, 6.0, 2.0]

    def test_targets_run_without_being_fetched(self, graph):
        x = count(tf.constant(1.0))
        noop = tf.group(x)
        assert self.execute([], targets=[noop]) == []
        assert counter_value(self.resources) == 1

    def test_control_dependencies_order_ops(self, graph):
        first = count(tf.constant(1.0), name="first")
        with tf.control_dependencies([first]):
            second = tf.constant(2.0, name="second") * 2.0
        recorder = Recorder()
        (got,) = self.execute([second], hooks=[recorder])
        assert got == 4.0
        order = recorder.finished()
        assert order.index("first") < order.index("second")
        assert counter_value(self.resources) == 1

    def test_matmul_branches_all_computed(self, graph):
        x = tf.constant(np.arange(16, dtype=np.float64).reshape(4, 4) / 16)
        branches = [tf.matmul(x, x) + float(i) for i in range(8)]
        results = self.execute(branches)
        expected = (np.arange(16).reshape(4, 4) / 16) @ (np.arange(16).reshape(4, 4) / 16)
        for i, got in enumerate(results):
            np.testing.assert_allclose(got, expected + i)

    # -- errors --------------------------------------------------------------------------

    def test_error_propagates_with_op(self, graph):
        x = tf.constant(1.0)
        bad = fail(x * 2.0, name="bad")
        with pytest.raises(tf.errors.InvalidArgumentError, match="failing on purpose") as info:
            self.execute([bad + 1.0])
        assert info.value.op is bad.op
        assert info.value.message.startswith("_ConformanceFail 'bad' on /job:localhost")

    def test_python_errors_become_tf_errors(self, graph):
        x = tf.constant(1.0)
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad value") as info:
            self.execute([raise_in_kernel(x, "value", name="v")])
        assert info.value.op.name == "v"
        with pytest.raises(UnknownError, match="KeyError: 'no key'"):
            self.execute([raise_in_kernel(x, "key", name="k")])

    def test_failed_step_is_rolled_back(self, graph):
        x = count(tf.constant(1.0))
        with pytest.raises(tf.errors.InvalidArgumentError, match="failing on purpose"):
            self.execute([fail(sleep(x, 0.01))])
        assert counter_value(self.resources) == 0
        self.execute([x])
        assert counter_value(self.resources) == 1

    def test_unfed_placeholder(self, graph):
        p = tf1.placeholder(tf.float32, name="p")
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="You must feed a value for placeholder tensor 'p'"
        ) as info:
            self.execute([p * 2.0])
        assert info.value.op is p.op

    def test_nothing_new_starts_after_a_failure(self, graph):
        x = tf.constant(1.0)
        bad = fail(x)
        with tf.control_dependencies([bad]):
            later = count(x, name="later")
        recorder = Recorder()
        with pytest.raises(tf.errors.InvalidArgumentError, match="failing on purpose"):
            self.execute([later], hooks=[recorder])
        assert "later" not in recorder.finished()
        assert counter_value(self.resources) == 0

    # -- hooks ---------------------------------------------------------------------------

    def test_hooks_order(self, graph):
        a = tf.constant(np.eye(3), name="a")
        b = tf.matmul(a, a, name="b")
        c = tf.add(b, a, name="c")
        recorder = Recorder()
        self.execute([c], hooks=[recorder])
        events = recorder.events
        assert events[0] == ("start", None) and events[-1] == ("finish", None)
        for name in ("a", "b", "c"):
            assert events.index(("before", name)) < events.index(("after", name))
        assert recorder.finished() == ["a", "b", "c"]

    def test_on_finish_sees_the_error(self, graph):
        recorder = Recorder()
        with pytest.raises(tf.errors.InvalidArgumentError, match="failing on purpose"):
            self.execute([fail(tf.constant(1.0))], hooks=[recorder])
        kind, error = recorder.events[-1]
        assert kind == "finish" and isinstance(error, tf.errors.InvalidArgumentError)

    # -- cancellation and deadlines --------------------------------------------------------

    def test_deadline_exceeded_for_a_blocked_op(self, graph):
        x = block(tf.constant(1.0))
        started = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting"):
            self.execute([x], deadline=time.monotonic() + 0.2)
        assert time.monotonic() - started < 5

    # -- random DAGs -----------------------------------------------------------------------

    # Each subclass runs this same test with its own executor, which is the point.
    @settings(
        deadline=None, max_examples=30, suppress_health_check=[HealthCheck.differing_executors]
    )
    @given(st.data())
    def test_random_dags_match_numpy(self, data):
        n_ops = data.draw(st.integers(1, 25), label="n_ops")
        rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
        with tf.Graph().as_default():
            tensors = [tf.constant(rng.uniform(-1, 1, (3, 3)), name=f"c{i}") for i in range(2)]
            values = [t.op.get_attr("value") for t in tensors]
            inputs_of = {t.op.name: [] for t in tensors}
            for _ in range(n_ops):
                kind = data.draw(
                    st.sampled_from(["AddV2", "Sub", "Mul", "Neg", "MatMul", "Identity"])
                )
                i = data.draw(st.integers(0, len(tensors) - 1))
                j = data.draw(st.integers(0, len(tensors) - 1))
                out, value = _random_op(kind, tensors[i], tensors[j], values[i], values[j])
                inputs_of[out.op.name] = [t.op.name for t in out.op.inputs]
                tensors.append(out)
                values.append(value)
            picks = data.draw(st.lists(st.integers(0, len(tensors) - 1), min_size=1, max_size=4))
            fetches = [tensors[k] for k in picks]
            recorder = Recorder()
            got = self.execute(fetches, hooks=[recorder])
        for k, value in zip(picks, got):
            np.testing.assert_allclose(value, values[k], rtol=1e-9, atol=1e-9)
        order = recorder.finished()
        position = {name: i for i, name in enumerate(order)}
        assert len(position) == len(order)  # each op ran once
        for name in order:  # a valid topological order
            assert all(position[source] < position[name] for source in inputs_of[name])
        needed, stack = set(), [t.op.name for t in fetches]
        while stack:
            name = stack.pop()
            if name not in needed:
                needed.add(name)
                stack.extend(inputs_of[name])
        assert set(order) == needed  # pruned ops never ran
