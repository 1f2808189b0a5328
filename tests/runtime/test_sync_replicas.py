"""``tf.train.SyncReplicasOptimizer``: replicas as threads of one session.

The values are reasoned out from TF's algorithm (and match TF's own
``sync_replicas_optimizer_test.test2Workers`` sequence): gradients are averaged over
``replicas_to_aggregate`` replicas, the initial tokens carry global step 0 so the round
after the first is stale and dropped, and later tokens carry the new global step.
"""

import threading
import time

import numpy as np
import pytest

import runtime as tf
from runtime.training.sync_replicas_optimizer import SyncReplicasOptimizer

LR = 2.0
W0 = np.array([0.0, 1.0], np.float32)


def _model(replicas_to_aggregate=2, total_num_replicas=None):
    """``w`` and a loss ``sum(w * g)`` whose gradient is the fed ``g``."""
    w = tf.Variable(W0, name="w")
    g = tf.compat.v1.placeholder(tf.float32, [2], name="g")
    step = tf.compat.v1.train.get_or_create_global_step()
    sync = SyncReplicasOptimizer(
        tf.compat.v1.train.GradientDescentOptimizer(LR),
        replicas_to_aggregate,
        total_num_replicas=total_num_replicas,
    )
    train_op = sync.minimize(tf.reduce_sum(w * g), global_step=step)
    return w, g, step, sync, train_op


def _wait_for(sess, tensor, value, timeout=10.0):
    deadline = time.monotonic() + timeout
    while sess.run(tensor) != value:
        assert time.monotonic() < deadline, f"{tensor.name} never reached {value}"
        time.sleep(0.005)


def _in_threads(sess, train_op, feeds):
    errors = []

    def replica(feed):
        try:
            sess.run(train_op, feed)
        except Exception as error:  # reported in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=replica, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a replica hung"
    assert not errors, errors


@pytest.fixture
def chief_session():
    """A session where the chief has run its init ops, tokens and queue runner."""
    with tf.Graph().as_default():
        w, g, step, sync, train_op = _model()
        local_step = tf.get_default_graph().get_tensor_by_name("sync_rep_local_step:0")
        coord = tf.compat.v1.train.Coordinator()
        with tf.compat.v1.Session() as sess:
            sess.run(
                [
                    tf.compat.v1.global_variables_initializer(),
                    tf.compat.v1.local_variables_initializer(),
                ]
            )
            sess.run(sync.chief_init_op)
            sess.run(sync.get_init_tokens_op())
            threads = sync.get_chief_queue_runner().create_threads(sess, coord, start=True)
            yield sess, w, g, step, local_step, train_op
            coord.request_stop()
            sess.close()  # cancels the chief's take, which waits for the next gradients
            coord.join(threads, stop_grace_period_secs=5)


def test_two_replicas_average_then_drop_the_stale_round(chief_session):
    sess, w, g, step, local_step, train_op = chief_session
    a, b = np.array([0.1, 0.9], np.float32), np.array([0.3, 1.1], np.float32)
    assert sess.run([step, local_step]) == [0, 0]
    sess.run(train_op, {g: a})
    sess.run(train_op, {g: b})
    _wait_for(sess, step, 1)
    after_one = W0 - LR * (a + b) / 2
    np.testing.assert_allclose(sess.run(w), after_one, rtol=1e-6)
    # The initial tokens carried step 0: the local step is still 0, so the next gradient
    # is stale and dropped; the token it takes carries step 1. (Replicas in one session
    # share one local step: the next replica's gradient counts again.)
    assert sess.run(local_step) == 0
    sess.run(train_op, {g: np.array([100.0, 100.0], np.float32)})
    assert sess.run([step, local_step]) == [1, 1]
    np.testing.assert_allclose(sess.run(w), after_one, rtol=1e-6)
    # Now the queue is empty: the two replicas must work together to go on.
    _in_threads(sess, train_op, [{g: a}, {g: b}])
    assert sess.run([step, local_step]) == [2, 2]
    np.testing.assert_allclose(sess.run(w), W0 - 2 * LR * (a + b) / 2, rtol=1e-6)


def test_a_lone_replica_waits_for_the_others():
    with tf.Graph().as_default():
        w, g, step, sync, train_op = _model()
        hook = sync.make_session_run_hook(is_chief=True, num_tokens=0)
        with tf.compat.v1.train.MonitoredSession(hooks=[hook], stop_grace_period_secs=0.1) as sess:
            options = tf.compat.v1.RunOptions(timeout_in_ms=100)
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(train_op, {g: np.ones(2, np.float32)}, options=options)
            assert sess.run(step) == 0
            np.testing.assert_array_equal(sess.run(w), W0)


def test_monitored_session_hook_runs_rounds_in_step():
    with tf.Graph().as_default():
        w, g, step, sync, train_op = _model()
        hook = sync.make_session_run_hook(is_chief=True, num_tokens=0)
        a, b = np.array([1.0, -1.0], np.float32), np.array([3.0, 1.0], np.float32)
        with tf.compat.v1.train.MonitoredSession(hooks=[hook], stop_grace_period_secs=0.1) as sess:
            for _ in range(4):
                _in_threads(sess, train_op, [{g: a}, {g: b}])
            assert sess.run(step) == 4
            np.testing.assert_allclose(sess.run(w), W0 - 4 * LR * (a + b) / 2, rtol=1e-6)


def test_graph_is_tfs():
    with tf.Graph().as_default() as graph:
        *_, sync, train_op = _model(2, total_num_replicas=3)
        queue_runner = sync.get_chief_queue_runner()
        names = {op.name for op in graph.get_operations()}
    assert queue_runner.queue.name == "sync_token_q"
    assert "sync_token_q" in names and "sync_rep_local_step" in names
    assert train_op.op.type in ("Assign", "AssignVariableOp")
    accumulators = [
        op for op in graph.get_operations() if op.type.endswith("ConditionalAccumulator")
    ]
    assert [op.get_attr("shared_name") for op in accumulators] in (
        [b"w:0/grad_accum"],
        ["w:0/grad_accum"],
    )
    assert sync._tokens_per_step == 3
    set_steps = [
        op for op in graph.get_operations() if op.type.endswith("AccumulatorSetGlobalStep")
    ]
    assert [op.name for op in set_steps] == ["sync_replicas/SetGlobalStep"]


def test_errors_as_tfs():
    with tf.Graph().as_default():
        w = tf.Variable(1.0)
        sync = SyncReplicasOptimizer(tf.compat.v1.train.GradientDescentOptimizer(0.1), 3, 2)
        with pytest.raises(ValueError, match="after apply_gradients"):
            sync.get_chief_queue_runner()
        with pytest.raises(ValueError, match="Global step is required"):
            sync.minimize(w * 2.0)
        sync.minimize(w * 2.0, global_step=tf.compat.v1.train.get_or_create_global_step())
        with pytest.raises(ValueError, match="Too few tokens"):
            sync.get_init_tokens_op(num_tokens=0)  # 3 to aggregate, 2 replicas: 1 needed
        assert sync.get_init_tokens_op(num_tokens=1).type == "QueueEnqueueManyV2"


def _worker_graph(task):
    """Worker ``task``'s own graph (between-graph replication): variables on the ps task,
    the optimizer's accumulators and token queue shared by name."""
    graph = tf.Graph()
    with graph.as_default():
        setter = tf.compat.v1.train.replica_device_setter(
            ps_tasks=1, worker_device=f"/job:worker/task:{task}"
        )
        with tf.device(setter):
            w = tf.Variable(W0, name="w")
            step = tf.compat.v1.train.get_or_create_global_step()
            sync = SyncReplicasOptimizer(tf.compat.v1.train.GradientDescentOptimizer(LR), 2)
            grad = tf.constant([[0.1, 0.9], [0.3, 1.1]][task])
            train_op = sync.minimize(tf.reduce_sum(w * grad), global_step=step)
        return dict(
            graph=graph,
            w=w,
            step=step,
            sync=sync,
            train_op=train_op,
            local_step=graph.get_tensor_by_name("sync_rep_local_step:0"),
            init=tf.compat.v1.global_variables_initializer(),
            local_init=tf.compat.v1.local_variables_initializer(),
        )


def test_two_workers_of_a_cluster_as_tfs_test2workers():
    """TF's ``test2Workers`` on a Dask cluster: each worker its own graph, session and
    local step, so the whole round after the first is stale."""
    workers, ps_servers = tf.test.create_local_cluster(2, 1)
    chief, other = _worker_graph(0), _worker_graph(1)
    sessions = [
        tf.compat.v1.Session(server.target, graph=model["graph"])
        for server, model in zip(workers, (chief, other))
    ]
    coord = tf.compat.v1.train.Coordinator()
    try:
        s0, s1 = sessions
        s0.run([chief["init"], chief["local_init"]])
        s0.run(chief["sync"].chief_init_op)
        s0.run(chief["sync"].get_init_tokens_op())
        chief["sync"].get_chief_queue_runner().create_threads(s0, coord, start=True)
        s1.run(other["local_init"])
        s1.run(other["sync"].local_step_init_op)
        a, b = np.array([0.1, 0.9], np.float32), np.array([0.3, 1.1], np.float32)
        s0.run(chief["train_op"])
        s1.run(other["train_op"])
        _wait_for(s1, other["step"], 1)
        np.testing.assert_allclose(s1.run(other["w"]), W0 - LR * (a + b) / 2, rtol=1e-6)
        assert [s0.run(chief["local_step"]), s1.run(other["local_step"])] == [0, 0]
        s0.run(chief["train_op"])  # both stale: dropped
        s1.run(other["train_op"])
        assert [s0.run(chief["local_step"]), s1.run(other["local_step"])] == [1, 1]
        assert s1.run(other["step"]) == 1
        np.testing.assert_allclose(s1.run(other["w"]), W0 - LR * (a + b) / 2, rtol=1e-6)
        replicas = [
            threading.Thread(target=sess.run, args=(model["train_op"],))
            for sess, model in zip(sessions, (chief, other))
        ]
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.join(10)
        assert s1.run(other["step"]) == 2
        np.testing.assert_allclose(s1.run(other["w"]), W0 - 2 * LR * (a + b) / 2, rtol=1e-6)
    finally:
        coord.request_stop()
        for sess in sessions:
            sess.close()
        for server in workers + ps_servers:
            server.stop()


def test_sparse_gradients_go_through_a_sparse_accumulator():
    with tf.Graph().as_default() as graph:
        emb = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="emb")
        g = tf.compat.v1.placeholder(tf.float32, [1, 2])
        step = tf.compat.v1.train.get_or_create_global_step()
        sync = SyncReplicasOptimizer(tf.compat.v1.train.GradientDescentOptimizer(1.0), 2)
        train_op = sync.minimize(tf.reduce_sum(tf.gather(emb, [1]) * g), global_step=step)
        kinds = {op.type for op in graph.get_operations() if "Accumulator" in op.type}
        assert any("SparseConditionalAccumulator" in kind for kind in kinds)
        hook = sync.make_session_run_hook(is_chief=True, num_tokens=0)
        with tf.compat.v1.train.MonitoredSession(hooks=[hook], stop_grace_period_secs=0.1) as sess:
            _in_threads(sess, train_op, [{g: [[1.0, 2.0]]}, {g: [[3.0, 4.0]]}])
            assert sess.run(step) == 1
            # Row 1 moves by the mean of the two rows' gradients; the others stay.
            np.testing.assert_allclose(sess.run(emb), [[0.0, 1.0], [0.0, 0.0], [4.0, 5.0]])
