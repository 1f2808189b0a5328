"""TF's session tests over a local server's target, in TF's style: the ``...Dist``
cases of ``session_partial_run_test.py``, the ``[grpc]`` cases of ``session_test.py``
and the session cases of ``server_lib_test.py``, each run against
``tf.train.Server.create_local_server().target`` (a one-task Dask cluster here).
"""

from __future__ import annotations

import threading
import time

import distributed
import numpy as np
import pytest

import runtime as tf
from runtime.distributed import worker as dask_worker
from runtime.ops import control_flow_primitives as primitives

v1 = tf.compat.v1


@pytest.fixture(scope="module")
def server():
    local = tf.train.Server.create_local_server()
    yield local
    local.stop()


@pytest.fixture
def sess(server):
    with tf.Graph().as_default() as graph, v1.Session(server.target, graph=graph) as session:
        yield session
    v1.Session.reset(server.target)


# -- session_partial_run_test.py, the Dist cases --------------------------------------


def _chain():
    a = v1.placeholder(tf.float32, shape=[])
    b = v1.placeholder(tf.float32, shape=[])
    c = v1.placeholder(tf.float32, shape=[])
    r1 = tf.add(a, b)
    r2 = tf.multiply(r1, c)
    return a, b, c, r1, r2


def test_partial_run_dist(sess):
    a, b, c, r1, r2 = _chain()
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    res = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    assert res == 3
    assert sess.partial_run(h, r2, feed_dict={c: res * 17}) == 153
    # A second handle on the same graph.
    h2 = sess.partial_run_setup([r1, r2], [a, b, c])
    res = sess.partial_run(h2, r1, feed_dict={a: 1, b: 2})
    assert sess.partial_run(h2, r2, feed_dict={c: res * 18}) == 162


def test_partial_run_incomplete_dist(sess):
    a, b, c, r1, r2 = _chain()
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    assert sess.partial_run(h, r1, feed_dict={a: 1, b: 2}) == 3


def test_concurrent_partial_run_dist(sess):
    a, b, c, r1, r2 = _chain()
    h1 = sess.partial_run_setup([r1], [a, b, c])
    h2 = sess.partial_run_setup([r1, r2], [a, b, c])
    res = sess.partial_run(h1, r1, feed_dict={a: 1, b: 2})
    assert res == 3
    res = sess.partial_run(h2, r1, feed_dict={a: res * 19, b: 9})
    assert res == 66
    assert sess.partial_run(h2, r2, feed_dict={c: 7}) == 462


def test_many_partial_run_dist(sess):
    steps = 60  # TF's test takes 200; each step is a run on the cluster
    inputs, outputs = [], []
    a = tf.constant(2.0, tf.float32)
    for _ in range(steps):
        inputs.append(v1.placeholder(tf.float32, shape=[]))
        a = tf.multiply(a, inputs[-1])
        outputs.append(a)
    h = sess.partial_run_setup(outputs, inputs)
    for i in range(steps):
        res = sess.partial_run(h, outputs[i], feed_dict={inputs[i]: 1.0})
    assert res == 2.0
    feed_dict = {t: 1.0 for t in inputs}
    assert sess.run(outputs, feed_dict)[-1] == 2.0


def test_run_and_partial_run_dist(sess):
    a = tf.constant(2.0, tf.float32)
    b = a * 2
    c = b * 3
    r1 = sess.run([b, c])
    h = sess.partial_run_setup([b, c], [])
    assert r1 == sess.partial_run(h, [b, c]) == [4.0, 12.0]


def test_partial_run_missing_placeholder_feed_exception_dist(sess):
    x = v1.placeholder(tf.float32, shape=())
    fetches = [x * 2, x * 3]
    handle = sess.partial_run_setup(fetches=fetches, feeds=[])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="You must feed a value for placeholder"
    ):
        sess.partial_run(handle, fetches[0])


def test_partial_run_unspecified_feed_dist(sess):
    a, b, c, r1, _ = _chain()
    h = sess.partial_run_setup([r1], [a, b])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"was not specified in partial_run_setup\."
    ):
        sess.partial_run(h, r1, feed_dict={a: 1, b: 2, c: 3})


def test_partial_run_unspecified_fetch_dist(sess):
    a, b, c, r1, r2 = _chain()
    h = sess.partial_run_setup([r1], [a, b, c])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"was not specified in partial_run_setup\."
    ):
        sess.partial_run(h, r2, feed_dict={a: 1, c: 3})


def test_partial_run_already_fed_dist(sess):
    a, b, c, r1, r2 = _chain()
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"has already been fed\."):
        sess.partial_run(h, r2, feed_dict={a: 1, c: 3})


def test_partial_run_already_fetched_dist(sess):
    a, b, c, r1, r2 = _chain()
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"has already been fetched\."):
        sess.partial_run(h, r1, feed_dict={c: 3})


def test_partial_run_empty_fetches_dist(sess):
    x = v1.placeholder(tf.float32)
    y = x * 2.0
    h = sess.partial_run_setup(fetches=[y], feeds=[x])
    assert sess.partial_run(h, [], {x: 3.0}) == []
    assert sess.partial_run(h, [y], {}) == [6.0]


def test_invalid_partial_run_setup_dist(sess):
    x = v1.placeholder(tf.float32, shape=[])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"specify at least one target to fetch or execute\."
    ):
        sess.partial_run_setup(fetches=[], feeds=[x])


def test_partial_run_setup_no_feeds_passed_dist(sess):
    r1 = tf.constant([6.0])
    h = sess.partial_run_setup([r1])
    np.testing.assert_array_equal(sess.partial_run(h, r1), [6.0])


# -- session_test.py, the [grpc] cases ------------------------------------------------


def test_output_partition_graphs_distributed(sess):
    c = tf.constant(1.0) + 2.0
    options = v1.RunOptions(output_partition_graphs=True)
    meta = v1.RunMetadata()
    sess.run(c, options=options, run_metadata=meta)
    assert len(meta.partition_graphs) > 0
    sess.run(c, run_metadata=meta)
    assert len(meta.partition_graphs) == 0


def test_local_master_session_timeout(server):
    with tf.Graph().as_default():
        queue = v1.FIFOQueue(1, tf.float32)
        dequeued = queue.dequeue()
        config = v1.ConfigProto(operation_timeout_in_ms=1000)
        with v1.Session(server.target, config=config) as sess:
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(dequeued)


def test_build_graph_error_dist(sess):
    x = tf.constant(1.0)
    a = primitives.enter(x, "frame_a")
    b = primitives.enter(x, "frame_b")
    total = tf.add(a, b)
    with pytest.raises(tf.errors.OpError, match="has inputs from different frames"):
        sess.run(total)


def test_open_and_close_grpc_session(server):
    with tf.Graph().as_default(), v1.Session(server.target):
        pass


def test_list_devices_grpc_session(sess):
    names = [d.name for d in sess.list_devices()]
    assert names == ["/job:localhost/replica:0/task:0/device:CPU:0"]
    assert all(d.incarnation != 0 for d in sess.list_devices())


def test_ops_added_after_the_first_run_run(sess):
    a = tf.constant(2.0)
    assert sess.run(a * 3.0) == 6.0
    later = tf.square(a) + v1.py_func(lambda x: x + 1.0, [a], tf.float32)
    assert sess.run(later) == 7.0


# -- server_lib_test.py, the session cases ----------------------------------------------


def test_run_step(server):
    with tf.Graph().as_default():
        c = tf.constant([[2, 1]])
        d = tf.constant([[1], [2]])
        e = tf.matmul(c, d)
        with v1.Session(server.target) as sess:
            assert sess.run(e).tolist() == [[4]]


def test_multiple_sessions(server):
    with tf.Graph().as_default():
        c = tf.constant([[2, 1]])
        d = tf.constant([[1], [2]])
        e = tf.matmul(c, d)
        sessions = [v1.Session(server.target) for _ in range(3)]
        for sess in sessions:
            assert sess.run(e).tolist() == [[4]]
        for sess in sessions:
            sess.close()


def test_same_variables_no_clear(server):
    with tf.Graph().as_default():
        v0 = v1.Variable([[2, 1]], name="v0")
        v1_ = v1.Variable([[1], [2]], name="v1")
        v2 = tf.matmul(v0, v1_)
        with v1.Session(server.target) as sess_1:
            sess_1.run([v0.initializer, v1_.initializer])
            assert sess_1.run(v2).tolist() == [[4]]
        with v1.Session(server.target) as sess_2:
            assert sess_2.run(v2).tolist() == [[4]]
    v1.Session.reset(server.target)


def test_same_variables_clear_container(server):
    with tf.Graph().as_default():
        with v1.container("local0"):
            v0 = v1.Variable(1.0, name="v0")
        with v1.container("local1"):
            v1_ = v1.Variable(2.0, name="v1")
        with v1.Session(server.target) as sess:
            sess.run([v0.initializer, v1_.initializer])
            assert sess.run([v0, v1_]) == [1.0, 2.0]
        v1.Session.reset(server.target, ["local0"])
        with v1.Session(server.target) as sess:
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run(v0)
            assert sess.run(v1_) == 2.0  # local1 was kept
        v1.Session.reset(server.target, ["local1"])
        with v1.Session(server.target) as sess:
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run(v1_)


def test_isolate_session_state(server):
    isolated = v1.ConfigProto(isolate_session_state=True)
    with tf.Graph().as_default():
        v = v1.Variable(0, name="v")
        bump = v1.assign_add(v, 1)
        with (
            v1.Session(server.target, config=isolated) as one,
            v1.Session(server.target, config=isolated) as two,
        ):
            one.run(v.initializer)
            two.run(v.initializer)
            one.run(bump)
            assert (one.run(v), two.run(v)) == (1, 0)
            with v1.Session(server.target) as shared:
                with pytest.raises(tf.errors.FailedPreconditionError):
                    shared.run(v)
    v1.Session.reset(server.target)


def test_large_constant(server):
    with tf.Graph().as_default():
        const_val = np.empty([1000, 1000], np.float32)
        const_val.fill(0.5)
        c = tf.constant(const_val)
        with v1.Session(server.target) as sess:
            np.testing.assert_array_equal(sess.run(c), const_val)


def test_close_cancels_blocking_operation(server):
    with tf.Graph().as_default():
        queue = v1.FIFOQueue(10, [tf.float32])
        dequeue = queue.dequeue()
        sess = v1.Session(server.target)
        errors = []

        def blocking_dequeue():
            try:
                sess.run(dequeue)
            except tf.errors.CancelledError as err:
                errors.append(err)

        thread = threading.Thread(target=blocking_dequeue)
        thread.start()
        scheduler = server.target.split("/job:")[0].replace("dask://", "tcp://")
        with distributed.Client(scheduler, set_as_default=False) as client:
            session_id = sess._engine._session_id
            deadline = time.monotonic() + 60
            while not any(
                held["sessions"].get(session_id)
                for held in client.run(dask_worker.describe).values()
            ):
                assert time.monotonic() < deadline, "the dequeue never started on the worker"
                time.sleep(0.05)
        sess.close()
        thread.join(timeout=60)
        assert not thread.is_alive() and len(errors) == 1
