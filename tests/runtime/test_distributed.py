"""Sessions on a Dask cluster: a LocalCluster of two worker processes on 127.0.0.1
(``dask_clusters.shared_cluster``). Worker state is read through
``runtime.distributed.worker.describe`` run on the workers.
"""

from __future__ import annotations

import threading

import distributed
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.distributed import worker as dask_worker
from runtime.executor import Hooks
from runtime.ops.control_flow_primitives import switch
from tests.runtime.dask_clusters import run_in_process, shared_cluster, target_of

TASK = "/job:worker/replica:0/task:{}/device:CPU:0"
v1 = tf.compat.v1


@pytest.fixture(scope="module")
def cluster():
    return shared_cluster()


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def target(cluster):
    return target_of(cluster)


def held(client) -> dict:
    """``{worker address: what runtime.distributed keeps there}``."""
    return client.run(dask_worker.describe)


def test_list_devices_names_each_worker_as_a_task(target):
    with tf.Graph().as_default(), v1.Session(target) as sess:
        devices = sess.list_devices()
    assert [d.name for d in devices] == [TASK.format(0), TASK.format(1)]
    assert all(d.device_type == "CPU" and d.memory_limit_bytes == 1 << 30 for d in devices)
    assert len({d.incarnation for d in devices}) == 2


def test_a_target_naming_a_task_runs_unplaced_ops_there(target):
    with tf.Graph().as_default():
        c = tf.constant(2.0, name="c")
        with v1.Session(target + "/job:worker/task:1") as sess:
            assert sess.list_devices()[0].name == TASK.format(1)
            assert sess.placement()["c"] == TASK.format(1)
            assert sess.run(c) == 2.0


def test_client_object_as_target(client):
    with tf.Graph().as_default():
        c = tf.constant(5.0) * tf.constant(6.0)
        with v1.Session(client) as sess:
            assert sess.run(c) == 30.0


def test_ops_run_on_the_task_they_are_placed_on(target):
    with tf.Graph().as_default():
        a = tf.constant([1.0, 2.0], name="a")
        with tf.device("/job:worker/task:1"):
            b = tf.multiply(a, 3.0, name="b")
        c = tf.add(b, 1.0, name="c")
        meta = v1.RunMetadata()
        options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
        with v1.Session(target) as sess:
            result = sess.run(c, options=options, run_metadata=meta)
    np.testing.assert_allclose(result, [4.0, 7.0])
    where = {
        node.node_name: stats.device
        for stats in meta.step_stats.dev_stats
        for node in stats.node_stats
    }
    assert where["b"] == TASK.format(1)
    assert where["a"] == where["c"] == TASK.format(0)


def test_log_device_placement_prints_worker_devices(target, capsys):
    config = v1.ConfigProto(log_device_placement=True)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            tf.constant(1.0, name="x")
        with v1.Session(target, config=config) as sess:
            sess.run("x:0")
    assert f"x: (Const): {TASK.format(1)}" in capsys.readouterr().out


def test_soft_placement_falls_back_to_another_device_of_the_task(target):
    # TF's soft placement relaxes the device type and index, never the task: a missing
    # task fails as in TF 2.21, a missing device of an existing task falls back.
    config = v1.ConfigProto(allow_soft_placement=True)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:7"):
            c = tf.constant(2.0, name="c")
        with v1.Session(target, config=config) as sess:
            with pytest.raises(
                tf.errors.InvalidArgumentError, match=r"assigned to /job:worker/task:7"
            ):
                sess.run(c)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1/device:GPU:3"):
            d = tf.constant(3.0, name="d")
        with v1.Session(target, config=config) as sess:
            assert sess.run(d) == 3.0
            assert sess.placement()["d"] == TASK.format(1)


def test_missing_task_without_soft_placement_names_the_devices(target):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:7"):
            c = tf.constant(2.0, name="c")
        with v1.Session(target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"task:7.*available devices"):
                sess.run(c)


@st.composite
def chains(draw):
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["add", "mul", "neg"]), st.integers(0, 1), st.integers(0, 10)
            ),
            min_size=1,
            max_size=6,
        )
    )


@settings(deadline=None, max_examples=8)
@given(steps=chains(), seed=st.integers(0, 2**16))
def test_random_graphs_match_the_in_process_engine(target, steps, seed):
    values = np.random.default_rng(seed).normal(size=(3,))
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float64, [3], name="x")
        tensors = [x]
        for kind, task, pick in steps:
            source = tensors[pick % len(tensors)]
            other = tensors[(pick * 7 + 1) % len(tensors)]
            with tf.device(f"/job:worker/task:{task}"):
                if kind == "add":
                    tensors.append(tf.add(source, other))
                elif kind == "mul":
                    tensors.append(tf.multiply(source, other))
                else:
                    tensors.append(tf.negative(source))
    expected = run_in_process(tensors[1:], {x: values})
    with v1.Session(target, graph=graph) as remote:
        got = remote.run(tensors[1:], {x: values})
    for want, have in zip(expected, got):
        np.testing.assert_allclose(have, want)


def test_errors_carry_the_clients_op(target):
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [2], name="x")
        with tf.device("/job:worker/task:1"):
            y = tf.negative(x, name="y")
        with v1.Session(target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value") as info:
                sess.run(y)
            assert info.value.op is x.op
            np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [-1.0, -2.0])


def test_control_dependencies_across_tasks_order_the_ops(target):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            v = v1.Variable(1.0, name="v")
            double = v1.assign(v, v * 2.0)
        with tf.device("/job:worker/task:0"), tf.control_dependencies([double]):
            read = v.read_value() + 0.0
        with v1.Session(target) as sess:
            sess.run(v.initializer)
            assert sess.run(read) == 2.0
            assert sess.run(read) == 4.0


def test_unknown_scheme_names_the_supported_targets():
    with pytest.raises(tf.errors.NotFoundError, match=r"dask://host:port"):
        v1.Session("grpc://localhost:2222")


# -- state on the workers -----------------------------------------------------------


def test_variables_live_in_their_workers_containers_and_outlive_the_session(target, client):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            counter = v1.Variable(0.0, name="shared_counter")
            bump = v1.assign_add(counter, 1.0)
        with v1.Session(target) as sess:
            sess.run(counter.initializer)
            for _ in range(3):
                sess.run(bump)
        holders = [a for a, h in held(client).items() if ("", "shared_counter") in h["resources"]]
        assert holders == [sess._engine._tasks["/job:worker/replica:0/task:1"][0]]
        with v1.Session(target) as again:  # a new session on the same cluster sees it
            assert again.run(counter) == 3.0
        v1.Session.reset(target, [""])


def test_close_drops_the_sessions_state_but_not_the_containers(target, client):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            v = v1.Variable(5.0, name="kept_after_close")
        sess = v1.Session(target)
        sess.run(v.initializer)
        session_id = sess._engine._session_id
        assert any(session_id in h["sessions"] for h in held(client).values())
        sess.close()
        state = held(client)
        assert not any(session_id in h["sessions"] for h in state.values())
        assert any(("", "kept_after_close") in h["resources"] for h in state.values())
        v1.Session.reset(target)


def test_reset_clears_the_named_containers_and_closes_sessions(target):
    with tf.Graph().as_default():
        v = v1.Variable(1.0, name="v")
        with v1.container("experiment"):
            w = v1.Variable(2.0, name="w")
        old = v1.Session(target)
        old.run([v.initializer, w.initializer])
        v1.Session.reset(target, ["experiment"])
        with pytest.raises(tf.errors.AbortedError, match=r"Session \w+ is not found"):
            old.run(v)
        old.close()
        with v1.Session(target) as sess:
            assert sess.run(v) == 1.0
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
                sess.run(w)
        v1.Session.reset(target)  # every container
        with v1.Session(target) as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
                sess.run(v)


def test_isolated_session_state_is_its_own_and_goes_with_the_session(target, client):
    config = v1.ConfigProto(isolate_session_state=True)
    with tf.Graph().as_default():
        v = v1.Variable(7.0, name="isolated_v")
        with v1.Session(target, config=config) as sess:
            sess.run(v.initializer)
            assert sess.run(v) == 7.0
            with v1.Session(target) as other:
                with pytest.raises(tf.errors.FailedPreconditionError):
                    other.run(v)
            session_id = sess._engine._session_id
            isolated = [h["isolated"].get(session_id) for h in held(client).values()]
            assert [("", "isolated_v")] in isolated
        assert not any(session_id in h["isolated"] for h in held(client).values())


# -- control flow, py_funcs and queues on workers -------------------------------------


def test_a_while_loop_placed_on_one_task_runs_there(target):
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float64, [2], name="x")
        with tf.device("/job:worker/task:1"):
            _, out = v1.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, v * 2.0), [0, x])
        total = tf.reduce_sum(out)
        meta = v1.RunMetadata()
        trace = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
        with v1.Session(target) as sess:
            got = sess.run(total, {x: [1.0, 2.0]}, options=trace, run_metadata=meta)
    assert got == 48.0
    devices = {s.device: [n.node_name for n in s.node_stats] for s in meta.step_stats.dev_stats}
    assert devices[TASK.format(1)].count("while/mul") == 4  # one execution per iteration
    assert "Sum" in devices[TASK.format(0)]


def test_a_loop_with_its_gradient_keeps_its_stacks_on_one_task(target):
    with tf.Graph().as_default():
        x = tf.constant([0.5, -0.3], dtype=tf.float64)
        with tf.device("/job:worker/task:1"):
            _, out = v1.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.sin(v) * v), [0, x])
        loss = tf.reduce_sum(out)
        (grad,) = tf.gradients(loss, [x])
        expected = run_in_process([loss, grad])
        with v1.Session(target) as sess:
            got = sess.run([loss, grad])
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


@pytest.mark.parametrize("taken", [True, False])
def test_a_cond_split_over_tasks_passes_deadness_between_them(target, taken):
    with tf.Graph().as_default():
        p = v1.placeholder(tf.bool, [], name="p")
        x = tf.constant(3.0)
        with tf.device("/job:worker/task:1"):
            out = v1.cond(
                p,
                lambda: tf.identity(x, name="then_read") * 2.0,
                lambda: tf.negative(x, name="else_read"),
            )
        with v1.Session(target) as sess:
            assert sess.run(out, {p: taken}) == (6.0 if taken else -3.0)


def test_fetching_the_untaken_branch_fails_as_in_process(target):
    with tf.Graph().as_default():
        p = v1.placeholder(tf.bool, [], name="p")
        with tf.device("/job:worker/task:1"):
            _, untaken = switch(tf.constant(1.0), p)
        with v1.Session(target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"):
                sess.run(untaken, {p: False})


def test_py_funcs_run_on_their_worker(target):
    calls = []

    def double(x):
        import os

        calls.append(os.getpid())  # on the worker: this list is the worker's copy
        return (x * 2).astype(np.float32)

    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            y = v1.py_func(double, [tf.constant([1.0, 2.0])], tf.float32)
        with v1.Session(target) as sess:
            np.testing.assert_allclose(sess.run(y), [2.0, 4.0])
    assert calls == []  # the function ran in the worker process, not here


def test_a_queue_on_one_task_is_fed_from_another(target):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:0"):
            queue = v1.FIFOQueue(4, tf.float32, shapes=[[]], name="q")
        with tf.device("/job:worker/task:1"):
            produced = tf.constant(21.0) * 2.0
        enqueue = queue.enqueue(produced)
        dequeued = queue.dequeue()
        with v1.Session(target) as sess:
            sess.run(enqueue)
            sess.run(enqueue)
            assert sess.run(queue.size()) == 2
            assert sess.run(dequeued) == 42.0


def test_a_blocked_dequeue_is_fed_by_a_concurrent_run(target):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            queue = v1.FIFOQueue(1, tf.float32, shapes=[[]], name="handoff")
        enqueue = queue.enqueue(tf.constant(3.0))
        dequeued = queue.dequeue()
        with v1.Session(target) as sess:
            out = {}
            reader = threading.Thread(target=lambda: out.setdefault("v", sess.run(dequeued)))
            reader.start()
            sess.run(enqueue)
            reader.join(timeout=60)
            assert out == {"v": 3.0}


def test_a_timed_out_run_ends_on_the_worker_and_the_session_goes_on(target, client):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            queue = v1.FIFOQueue(1, tf.float32, shapes=[[]], name="empty")
            c = tf.constant(1.0, name="still_fine")
        options = v1.RunOptions(timeout_in_ms=300)
        with v1.Session(target) as sess:
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(queue.dequeue(), options=options)
            assert sess.run(c) == 1.0
    logs = "\n".join(text for _, text in client.get_scheduler_logs(n=200))
    assert "AssertionError" not in logs


# -- hooks --------------------------------------------------------------------------


class _Seen(Hooks):
    def __init__(self):
        self.events = []

    def on_start(self, plan):
        self.events.append(("start",))

    def before_op(self, step, iteration):
        self.events.append(("before", step.op.name))

    def after_op(self, step, iteration, outputs, record):
        self.events.append(("after", step.op.name, step.device, iteration.path, outputs))
        assert record.start_ns <= record.end_ns

    def on_finish(self, plan, error):
        self.events.append(("finish", error))


def test_hooks_see_the_ops_that_ran_on_workers(target):
    with tf.Graph().as_default():
        a = tf.constant(2.0, name="a")
        with tf.device("/job:worker/task:1"):
            b = tf.multiply(a, 3.0, name="b")
            _, looped = v1.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, v + 1.0), [0, b])
        with v1.Session(target) as sess:
            seen = sess.add_hook(_Seen())
            assert sess.run(looped) == 8.0
    events = seen.events
    assert events[0] == ("start",) and events[-1] == ("finish", None)
    after = {e[1]: e for e in events if e[0] == "after"}
    assert after["a"][2] == TASK.format(0) and after["b"][2] == TASK.format(1)
    assert after["b"][4] == (6.0,)
    adds = [e for e in events if e[0] == "after" and e[1] == "while/add_1"]
    assert [e[3][0][1] for e in adds] == [0, 1]  # iterations 0 and 1 of the loop
    for i, event in enumerate(events):
        if event[0] == "after":
            assert events[i - 1] == ("before", event[1])
