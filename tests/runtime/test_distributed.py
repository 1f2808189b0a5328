"""Sessions on a Dask cluster: a LocalCluster of two worker processes on 127.0.0.1."""

from __future__ import annotations

import time

import distributed
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import distributed as dist

TASK = "/job:worker/replica:0/task:{}/device:CPU:0"


def local_cluster() -> distributed.LocalCluster:
    """Two single-threaded worker processes on loopback, 1 GiB each."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit="1GiB",
    )


def target_of(cluster) -> str:
    return "dask://" + cluster.scheduler_address.split("://", 1)[1]


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as local:
        yield local


@pytest.fixture(scope="module")
def target(cluster):
    return target_of(cluster)


def test_list_devices_names_each_worker_as_a_task(target):
    with tf.Graph().as_default(), tf.compat.v1.Session(target) as sess:
        devices = sess.list_devices()
    assert [d.name for d in devices] == [TASK.format(0), TASK.format(1)]
    assert all(d.device_type == "CPU" and d.memory_limit_bytes == 1 << 30 for d in devices)


def test_client_object_as_target(cluster):
    with distributed.Client(cluster, set_as_default=False) as client, tf.Graph().as_default():
        c = tf.constant(5.0) * tf.constant(6.0)
        with tf.compat.v1.Session(client) as sess:
            assert sess.run(c) == 30.0


def test_ops_run_on_the_task_they_are_placed_on(target):
    with tf.Graph().as_default():
        a = tf.constant([1.0, 2.0], name="a")
        with tf.device("/job:worker/task:1"):
            b = tf.multiply(a, 3.0, name="b")
        c = tf.add(b, 1.0, name="c")
        meta = tf.compat.v1.RunMetadata()
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        with tf.compat.v1.Session(target) as sess:
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
    config = tf.compat.v1.ConfigProto(log_device_placement=True)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            tf.constant(1.0, name="x")
        with tf.compat.v1.Session(target, config=config) as sess:
            sess.run("x:0")
    assert f"x: (Const): {TASK.format(1)}" in capsys.readouterr().out


def test_soft_placement_falls_back_to_an_existing_task(target):
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:7"):
            c = tf.constant(2.0, name="c")
        with tf.compat.v1.Session(target, config=config) as sess:
            assert sess.run(c) == 2.0
            assert sess.placement()["c"] == TASK.format(0)


def test_missing_task_without_soft_placement_names_the_devices(target):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:7"):
            c = tf.constant(2.0, name="c")
        with tf.compat.v1.Session(target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"task:7.*available devices"):
                sess.run(c)


@st.composite
def chains(draw):
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["add", "mul", "neg"]), st.integers(0, 1), st.integers(0, 10)
            ),
            min_size=1,
            max_size=6,
        )
    )
    return steps


@settings(deadline=None, max_examples=8)
@given(steps=chains(), seed=st.integers(0, 2**16))
def test_random_graphs_match_the_in_process_engine(target, steps, seed):
    values = np.random.default_rng(seed).normal(size=(3,))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float64, [3], name="x")
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
    soft = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    with tf.compat.v1.Session(graph=graph, config=soft) as local:
        expected = local.run(tensors[1:], {x: values})
    with tf.compat.v1.Session(target, graph=graph) as remote:
        got = remote.run(tensors[1:], {x: values})
    for want, have in zip(expected, got):
        np.testing.assert_allclose(have, want)


def test_errors_carry_the_clients_op(target):
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        with tf.device("/job:worker/task:1"):
            y = tf.negative(x, name="y")
        with tf.compat.v1.Session(target) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value") as info:
                sess.run(y)
            assert info.value.op is x.op
            np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [-1.0, -2.0])


def test_close_releases_worker_state(target, cluster):
    with distributed.Client(cluster, set_as_default=False) as client, tf.Graph().as_default():
        c = tf.constant(1.0) + 1.0
        sess = tf.compat.v1.Session(target)
        sess.run(c)
        session_id = sess._engine._session_id
        held = client.run(lambda: list(dist._worker_sessions))
        assert any(session_id in ids for ids in held.values())
        sess.close()
        held = client.run(lambda: list(dist._worker_sessions))
        assert not any(session_id in ids for ids in held.values())


def test_unknown_scheme_names_the_supported_targets():
    with pytest.raises(tf.errors.NotFoundError, match=r"dask://host:port"):
        tf.compat.v1.Session("grpc://localhost:2222")


def test_a_killed_worker_fails_the_run_with_unavailable():
    with local_cluster() as local:
        target = target_of(local)
        with tf.Graph().as_default():
            a = tf.constant(1.0)
            with tf.device("/job:worker/task:1"):
                b = a + 1.0
            sess = tf.compat.v1.Session(target)
            assert sess.run(b) == 2.0
            victim = sess._engine._workers[1][0]
            with distributed.Client(local, set_as_default=False) as client:
                client.retire_workers([victim], close_workers=True)
            start = time.monotonic()
            with pytest.raises(tf.errors.UnavailableError, match="task:1"):
                sess.run(b)
            assert time.monotonic() - start < 10
            with pytest.raises(tf.errors.UnavailableError, match="task:1"):
                sess.run(b)
            sess.close()


def test_variables_live_on_their_worker_between_runs(target, cluster):
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):
            counter = tf.compat.v1.Variable(0.0, name="counter")
            bump = tf.compat.v1.assign_add(counter, 1.0)
        with tf.compat.v1.Session(target) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(3):
                sess.run(bump)
            assert sess.run(counter) == 3.0
            session_id = sess._engine._session_id
            with distributed.Client(cluster, set_as_default=False) as client:
                held = client.run(
                    lambda dask_worker: (
                        [
                            name
                            for (_, name), _ in dist._worker_sessions[session_id].resources.items()
                        ]
                        if session_id in dist._worker_sessions
                        else []
                    )
                )
            holders = [address for address, names in held.items() if "counter" in names]
            assert holders == [sess._engine._workers[1][0]]
