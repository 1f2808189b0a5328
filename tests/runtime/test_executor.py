"""The executor: the conformance suite on every scheduling mode, plus its own details."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import runtime as tf
from runtime import plan as plan_module
from runtime.executor import Hooks, OpRecord, RunContext, run_kernel, run_plan
from runtime.plan import kernel_for
from runtime.resources import Cancellation, Journal, ResourceManager
from tests.runtime.conformance import (
    ExecutorConformance,
    Recorder,
    count,
    counter_value,
    raise_in_kernel,
)

tf1 = tf.compat.v1


class TestSequential(ExecutorConformance):
    threads = None


class TestThreaded1(ExecutorConformance):
    threads = 1


class TestThreaded2(ExecutorConformance):
    threads = 2


class TestThreaded8(ExecutorConformance):
    threads = 8


def test_sequential_keyboard_interrupt_rolls_back(graph):
    x = count(tf.constant(1.0))
    run = ExecutorConformance()
    run.threads = None
    run.resources = ResourceManager()
    run.pool = None
    with pytest.raises(KeyboardInterrupt):
        run.execute([raise_in_kernel(x, "interrupt")])
    assert counter_value(run.resources) == 0


def test_hooks_default_methods_do_nothing():
    hooks = Hooks()
    assert hooks.on_start(None) is None and hooks.before_op(None, None) is None
    assert hooks.after_op(None, None, (), None) is None and hooks.on_finish(None, None) is None


def test_op_record():
    record = OpRecord(1, 2, 3, 4)
    assert (record.scheduled_ns, record.start_ns, record.end_ns, record.thread_id) == (1, 2, 3, 4)


def test_run_kernel_checks_the_output_count(sess):
    c = tf.constant(1.0)
    plan = sess._plan((c,), (), {})
    step = plan.steps[0]
    step.kernel = step.kernel._replace(fn=lambda **attrs: (1, 2))
    with pytest.raises(tf.errors.InternalError, match="kernel returned 2 outputs, the op has 1"):
        run_kernel(step, [None] * plan.num_slots, RunContext(ResourceManager()))
    sess._plans.clear()


def test_values_are_released_after_their_last_reader(sess):
    a = tf.constant(np.ones(3), name="a")
    b = tf.negative(a, name="b")
    c = tf.negative(b, name="c")
    plan = sess._plan((c,), (), {})
    seen = []

    class Snoop(Hooks):
        def after_op(self, step, iteration, outputs, record):
            seen.append((step.op.name, [v is not None for v in values]))

    values = [None] * plan.num_slots
    run_plan(plan, values, RunContext(ResourceManager(), hooks=[Snoop()]), sequential=True)
    # after c ran, a and b are gone; only the fetched c is kept
    assert values[plan.slot_of[a]] is None and values[plan.slot_of[b]] is None
    assert values[plan.slot_of[c]].tolist() == [1.0, 1.0, 1.0]


def test_run_context_registers_its_cancellation():
    live: set = set()
    run = RunContext(ResourceManager(), cancellations=live)
    with run:
        assert run.cancellation in live
    assert live == set()
    assert RunContext(ResourceManager()).step_id != run.step_id


def test_cancellation_and_journal():
    cancellation = Cancellation(deadline=0.0)
    assert cancellation.expired() and not cancellation.cancelled
    first, second = ValueError("first"), ValueError("second")
    cancellation.cancel(first)
    cancellation.cancel(second)
    assert cancellation.cancelled and cancellation.error is first
    state = []
    journal = Journal()
    journal.record(lambda: state.append(1))
    journal.record(lambda: state.append(2))
    journal.rollback()
    journal.rollback()  # a second rollback has nothing left
    assert state == [2, 1]


def test_recorder_sees_each_op_once(sess):
    a = tf.constant(1.0, name="a")
    b = a + a
    recorder = Recorder()
    plan = sess._plan((b,), (), {})
    values = [None] * plan.num_slots
    run_plan(plan, values, RunContext(ResourceManager(), hooks=[recorder]), sequential=True)
    assert recorder.finished() == ["a", "add"]


def test_a_plan_run_often_runs_as_straight_line_code_with_the_same_errors(sess):
    x = tf1.placeholder(tf.float32, [None])
    y = tf.negative(x, name="y")
    z = tf.reshape(y, [2], name="z")
    runs = 0
    while not any(p.straight_line is not None for p in sess._plans.values()):
        np.testing.assert_array_equal(sess.run(z, {x: [1.0, 2.0]}), [-1.0, -2.0])
        runs += 1
        assert runs < 1000, "the plan never got its straight-line code"
    (plan,) = [p for p in sess._plans.values() if p.straight_line is not None]
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(z, {x: [1.0, 2.0, 3.0]})  # the reshape fails inside the generated code
    assert info.value.op.name == "z"
    np.testing.assert_array_equal(sess.run(z, {x: [3.0, 4.0]}), [-3.0, -4.0])
    assert plan.runs >= 2


def test_straight_line_code_reports_a_wrong_output_count(sess):
    from runtime import executor

    c = tf.constant(1.0)
    d = tf.negative(c)
    plan = sess._plan((d,), (), {})
    step = plan.steps[-1]
    step.kernel = step.kernel._replace(fn=lambda x, **attrs: (1, 2))
    plan.runs = 1
    executor._count_run(plan, 1.0)  # a second run in order, a long one: the plan gets its code
    try:
        assert plan.straight_line is not None
        with pytest.raises(tf.errors.InternalError, match="kernel returned 2 outputs") as info:
            sess.run(d)
        assert info.value.op is d.op
    finally:
        sess._plans.clear()


def test_straight_line_code_passes_attrs_of_any_name(sess):
    # By keyword where the name allows it (no dict a call), else unpacked.
    from runtime import executor

    c = tf.constant(1.0)
    d = tf.negative(c)
    plan = sess._plan((d,), (), {})
    step = plan.steps[-1]
    seen = {}
    step.kernel = step.kernel._replace(fn=lambda x, **attrs: (seen.update(attrs), -x)[1:])
    step.attrs = {**step.attrs, "lambda": 1, "two words": 2}
    plan.runs = 1
    executor._count_run(plan, 1.0)
    try:
        assert plan.straight_line is not None
        assert sess.run(d) == -1.0
        assert seen == {"T": tf.float32, "lambda": 1, "two words": 2}
    finally:
        sess._plans.clear()


def test_a_plan_of_cheap_ops_compiles_only_once_its_runs_have_paid_for_it(sess):
    from runtime import straight_line

    x = tf1.placeholder(tf.float32, [])
    y = x
    for _ in range(1000):  # a first run takes 2 ms here, the compile 50
        y = y + 1.0
    sess.run(y, {x: 0.0})
    (plan,) = sess._plans.values()
    compile_seconds = len(plan.steps) * straight_line.COMPILE_SECONDS_PER_STEP
    while plan.straight_line is None:
        before = plan.run_seconds
        assert sess.run(y, {x: 0.0}) == 1000.0
        assert plan.runs >= 2
    # It compiled on the run that took the runs' total past the compile's cost.
    assert before < compile_seconds <= plan.run_seconds
    assert sess.run(y, {x: 1.0}) == 1001.0


# Two inter-op threads and kernels on one: ops run side by side (executor.in_order).
_SIDE_BY_SIDE = tf1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=1)


@pytest.mark.parametrize("intra", [0, 2, 4])
def test_with_kernels_on_as_many_threads_as_the_pool_ops_run_in_order_here(intra, monkeypatch):
    """Two big products, two inter-op threads: where each kernel may split its work
    across as many threads (0: one per core, as the pool's default), both run in the
    caller's thread, in order; with kernels on one thread, one goes to the pool."""
    ran_on = []

    def spying(op, device):
        kernel = kernel_for(op, device)
        if op.type != "MatMul":
            return kernel
        return kernel._replace(
            fn=lambda *a, **k: (ran_on.append(threading.get_ident()), kernel.fn(*a, **k))[1]
        )

    monkeypatch.setattr(plan_module, "kernel_for", spying)
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [512, 512])
        products = [tf.matmul(x, x + float(k)) for k in range(2)]
        for config, side_by_side in (
            (
                tf1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=intra),
                False,
            ),
            (_SIDE_BY_SIDE, True),
        ):
            ran_on.clear()
            with tf1.Session(config=config) as sess:
                sess.run(products, {x: np.ones((512, 512), np.float32)})
            assert len(ran_on) == 2
            assert bool(set(ran_on) - {threading.get_ident()}) == side_by_side


def test_py_funcs_run_side_by_side_as_under_tf():
    """Their Python may wait for one another (here, at a barrier), as under TF's
    inter-op threads: a plan with py_funcs never runs in order on several threads."""
    barrier = threading.Barrier(2, timeout=10)

    def meet(x):
        barrier.wait()
        return x

    with tf.Graph().as_default():
        a, b = (tf1.py_func(meet, [tf.constant(float(k))], tf.float32) for k in range(2))
        with tf1.Session(config=tf1.ConfigProto(inter_op_parallelism_threads=2)) as sess:
            assert sess.run([a, b]) == [0.0, 1.0]


@pytest.mark.parametrize("traced", [False, True])
def test_small_expensive_ops_run_in_the_callers_thread_big_ones_on_the_pool(traced, monkeypatch):
    """Waking a pool thread costs more than a small matmul: two small ones run where the
    run was called; of two big ones (4 MiB inputs) one goes to the pool."""
    ran_on = {8: [], 1024: []}  # the threads the products of each size ran on

    def spying(op, device):  # the MatMul kernel notes the thread each product runs on
        kernel = kernel_for(op, device)
        if op.type != "MatMul":
            return kernel

        def fn(a, b, **attrs):
            ran_on[len(a)].append(threading.get_ident())
            return kernel.fn(a, b, **attrs)

        return kernel._replace(fn=fn)

    monkeypatch.setattr(plan_module, "kernel_for", spying)
    with tf.Graph().as_default():
        feeds = {
            tf1.placeholder(tf.float32, [size, size], name=name): np.ones((size, size), np.float32)
            for name, size in (("small", 8), ("big", 1024))
        }
        products = [
            tf.matmul(x, x + float(k), name=f"{x.op.name}{k}") for x in feeds for k in range(2)
        ]
        with tf1.Session(config=_SIDE_BY_SIDE) as sess:
            trace = tf1.RunOptions.FULL_TRACE if traced else tf1.RunOptions.NO_TRACE
            sess.run(products, feeds, options=tf1.RunOptions(trace_level=trace))
    caller = threading.get_ident()
    assert ran_on[8] == [caller, caller]
    assert len(ran_on[1024]) == 2 and set(ran_on[1024]) - {caller}  # one on a pool thread


def test_optimizer_updates_are_scheduled_by_the_size_of_their_gradient(monkeypatch):
    """Updates of small variables run where the run was called; of two big ones (4 MiB
    gradients) one goes to the pool. An update feeds nothing but control edges (a
    tail): kept back while the pool runs another op, it goes to the pool too."""
    from runtime import executor

    ran_on = {8: [], 1024 * 1024: []}  # the threads the updates of each size ran on

    def spying(op, device):
        kernel = kernel_for(op, device)
        if op.type != "ApplyAdam":
            return kernel

        def fn(*args, **attrs):
            ran_on[np.size(args[-1])].append(threading.get_ident())  # the gradient's size
            return kernel.fn(*args, **attrs)

        return kernel._replace(fn=fn)

    monkeypatch.setattr(plan_module, "kernel_for", spying)
    with tf.Graph().as_default():
        pairs = []
        for name, shape in (
            ("small0", [8]),
            ("small1", [8]),
            ("big0", [1024, 1024]),
            ("big1", [1024, 1024]),
        ):
            var = tf1.Variable(np.zeros(shape, np.float32), name=name)
            pairs.append((tf.ones(shape) * 0.5, var))
        train = tf1.train.AdamOptimizer(0.1).apply_gradients(pairs)
        with tf1.Session(config=_SIDE_BY_SIDE) as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(train)
            plan = next(
                p for p in sess._plans.values() if any(s.op.name == train.name for s in p.steps)
            )
            np.testing.assert_allclose(sess.run(pairs[2][1])[0, :2], [-0.1, -0.1], rtol=1e-5)
    caller = threading.get_ident()
    assert ran_on[8] == [caller, caller]
    assert len(ran_on[1024 * 1024]) == 2 and set(ran_on[1024 * 1024]) - {caller}
    tails = {s.op.type for s in plan.steps if executor._tail(s)}
    assert "ApplyAdam" in tails and "Mul" not in tails  # beta1_power * beta1 is read
    assert "Mul" in {s.op.type for s in plan.steps}


@pytest.mark.parametrize("compiled", [False, True])
def test_a_run_in_order_meets_its_deadline(compiled):
    """Kernels on as many threads as the pool: the run goes in order (interpreted, or
    as its straight-line code), and its deadline still ends it between two ops."""
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [256, 256])
        y = x
        for _ in range(64):
            y = tf.matmul(y, x) * 1e-3
        config = tf1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=2)
        with tf1.Session(config=config) as sess:
            value = np.ones((256, 256), np.float32)
            while compiled and not any(p.straight_line for p in sess._plans.values()):
                sess.run(y, {x: value})
            with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out"):
                sess.run(y, {x: value}, options=tf1.RunOptions(timeout_in_ms=1))
            assert sess.run(y, {x: value}).shape == (256, 256)  # the session is usable


def test_ops_on_the_pool_make_inf_quietly():
    """Pool threads run kernels with numpy's warnings off for good (they enter no
    errstate per op): two overflowing products side by side, warnings as errors."""
    import warnings

    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [1024, 1024])
        products = [tf.matmul(x, x * float(k + 1)) for k in range(2)]
        with tf1.Session(config=_SIDE_BY_SIDE) as sess, warnings.catch_warnings():
            warnings.simplefilter("error")
            values = sess.run(products, {x: np.full((1024, 1024), 1e30, np.float32)})
    assert all(np.isinf(v).all() for v in values)


def _loops(x):
    """A loop with a cond and a loop inside (run as dataflow), and a simple one (run as
    its program)."""

    def body(i, h):
        h = tf.cond(i < 2, lambda: tf.matmul(h, h), lambda: h + 1.0)
        h = tf.while_loop(lambda j, g: j < 2, lambda j, g: (j + 1, g * 0.5), [0, h])[1]
        return i + 1, h

    nested = tf.while_loop(lambda i, h: i < 3, body, [0, x])[1]
    simple = tf.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, h * 2.0), [0, x])[1]
    return [nested, simple]


def _products(x):
    return [tf.matmul(x, x), tf.matmul(x, x + 1.0)]


@pytest.mark.parametrize(
    "graph_of, config, compiled",
    [
        (_products, None, False),  # in order, interpreted
        (_products, None, True),  # in order, as straight-line code
        (_products, _SIDE_BY_SIDE, False),  # the scheduler and its pool
        (_loops, None, False),
        (_loops, _SIDE_BY_SIDE, False),
    ],
)
def test_a_run_leaves_no_reference_cycles(graph_of, config, compiled):
    """A run's state is freed by reference counts as the run ends, with every value it
    holds: in cycles, a run's arrays stayed until the cyclic collector ran, some runs
    later (eight pooled 512x512 products a run kept 150 MB alive, and the heap faulted
    1,400 fresh pages a run)."""
    import gc

    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [4, 4])
        fetches = graph_of(x)
        with tf1.Session(config=config) as sess:
            value = np.full((4, 4), 0.25, np.float32)
            sess.run(fetches, {x: value})
            runs = 1
            while compiled and not any(p.straight_line for p in sess._plans.values()):
                sess.run(fetches, {x: value})  # a plan without loops compiles (in order)
                runs += 1
                assert runs < 1000, "the plan never got its straight-line code"
            gc.collect()
            gc.disable()
            try:
                for _ in range(3):
                    sess.run(fetches, {x: value})
                gc.set_debug(gc.DEBUG_SAVEALL)  # keep what is collected, to look at it
                gc.collect()
                # The runtime's own (other tests' threads may leave garbage of theirs).
                ours = [o for o in gc.garbage if type(o).__module__.startswith("runtime.")]
            finally:
                gc.set_debug(0)
                gc.garbage.clear()
                gc.enable()
            assert ours == []
