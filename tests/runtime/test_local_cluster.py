"""``tf.test.create_local_cluster``: worker and ps servers in this process, reachable
through each server's target, with the ps task's variables shared by their sessions."""

import pytest

import runtime as tf


@pytest.fixture(scope="module")
def cluster():
    config = tf.compat.v1.ConfigProto(
        inter_op_parallelism_threads=2, intra_op_parallelism_threads=1
    )
    workers, ps_servers = tf.test.create_local_cluster(2, 1, worker_config=config)
    yield workers, ps_servers, config
    for server in workers + ps_servers:
        server.stop()


def test_servers_are_the_tasks_of_one_cluster(cluster):
    workers, ps_servers, config = cluster
    assert len(workers) == 2 and len(ps_servers) == 1
    tasks = [(s.server_def.job_name, s.server_def.task_index) for s in workers + ps_servers]
    assert tasks == [("worker", 0), ("worker", 1), ("ps", 0)]
    spec = tf.train.ClusterSpec(workers[0].server_def.cluster)
    assert spec.jobs == ["ps", "worker"] and spec.num_tasks("worker") == 2
    assert all(s.server_def.cluster == workers[0].server_def.cluster for s in ps_servers)
    assert workers[1].server_def.default_session_config == config
    assert workers[1].target.endswith("/job:worker/task:1")
    with tf.Graph().as_default(), tf.compat.v1.Session(workers[0].target) as sess:
        devices = sorted(device.name for device in sess.list_devices())
    assert devices == [
        "/job:ps/replica:0/task:0/device:CPU:0",
        "/job:worker/replica:0/task:0/device:CPU:0",
        "/job:worker/replica:0/task:1/device:CPU:0",
    ]


def test_graph_placed_on_ps_and_workers(cluster):
    workers, ps_servers, _ = cluster
    with tf.Graph().as_default():
        with tf.device("/job:ps/task:0"):
            weights = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="shared_weights")
        with tf.device("/job:worker/task:0"):
            first = tf.matmul([[1.0, 1.0]], weights)
        with tf.device("/job:worker/task:1"):
            second = tf.reduce_sum(first * 10.0)
            bump = tf.compat.v1.assign_add(weights, tf.ones([2, 2]))
        metadata = tf.compat.v1.RunMetadata()
        with tf.compat.v1.Session(workers[0].target) as sess:
            sess.run(weights.initializer)
            result = sess.run(
                [first, second],
                options=tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE),
                run_metadata=metadata,
            )
            assert result[0].tolist() == [[4.0, 6.0]] and result[1] == 100.0
            sess.run(bump)
        ran_on = {stats.device for stats in metadata.step_stats.dev_stats}
        assert {
            "/job:worker/replica:0/task:0/device:CPU:0",
            "/job:worker/replica:0/task:1/device:CPU:0",
        } <= ran_on
        # The ps task keeps the variable: a session through another server sees the update.
        with tf.compat.v1.Session(ps_servers[0].target) as sess:
            assert sess.run(weights).tolist() == [[2.0, 3.0], [4.0, 5.0]]
