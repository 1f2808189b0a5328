"""TF1's cluster API on Dask: ClusterSpec, Server, replica_device_setter,
MonitoredTrainingSession(master=, is_chief=), between-graph replication, and the
schemes a Dask cluster may use (tls, inproc, a Client as target).

``tests/fixtures/tf_distributed/cluster_api.json`` holds what real TF does
(``generate.py`` beside it).
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import dask
import distributed
import numpy as np
import pytest
from distributed.security import Security

import runtime as tf
from runtime.devices import DeviceAttributes, DeviceSpec
from runtime.distributed import worker as dask_worker
from runtime.placer import Placer

v1 = tf.compat.v1
FIXTURE = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "tf_distributed" / "cluster_api.json").read_text()
)
SPECS = {
    "dense": {"ps": ["ps0:2222", "ps1:2222"], "worker": ["w0:2222", "w1:2222", "w2:2222"]},
    "sparse": {"worker": {1: "w1:2222", 3: "w3:2222"}, "ps": ["ps0:2222"]},
    "empty_job": {"chief": ["c:1"], "evaluator": {}},
}


# -- ClusterSpec ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_cluster_spec_answers_as_tensorflow_does(name):
    spec = tf.train.ClusterSpec(SPECS[name])
    want = FIXTURE["cluster_specs"][name]
    assert spec.jobs == want["jobs"]
    assert json.loads(json.dumps(spec.as_dict())) == want["as_dict"]
    assert {job: spec.num_tasks(job) for job in spec.jobs} == want["num_tasks"]
    assert {job: spec.task_indices(job) for job in spec.jobs} == want["task_indices"]
    assert {j: spec.job_tasks(j) for j in spec.jobs if spec.num_tasks(j)} == want["job_tasks"]
    assert repr(spec) == want["repr"] and bool(spec) == want["bool"]
    again = tf.train.ClusterSpec(spec.as_cluster_def())
    assert again == spec and tf.train.ClusterSpec(spec) == spec


def test_cluster_spec_errors_are_tensorflows():
    spec = tf.train.ClusterSpec(SPECS["dense"])
    calls = {
        "unknown_job": lambda: spec.num_tasks("chief"),
        "unknown_task": lambda: spec.task_address("ps", 7),
        "bad_tasks": lambda: tf.train.ClusterSpec({"ps": "ps0:2222"}),
        "bad_cluster": lambda: tf.train.ClusterSpec(["ps0:2222"]),
    }
    for name, call in calls.items():
        kind, message = FIXTURE["cluster_specs"]["errors"][name]
        with pytest.raises({"ValueError": ValueError, "TypeError": TypeError}[kind]) as info:
            call()
        assert str(info.value) == message
    assert [
        tf.train.ClusterSpec(SPECS["dense"]) == SPECS["dense"],
        tf.train.ClusterSpec({"ps": {0: "a:1"}}) == tf.train.ClusterSpec({"ps": ["a:1"]}).as_dict(),
    ] == FIXTURE["cluster_specs"]["equal"]


# -- replica_device_setter --------------------------------------------------------------

SETTERS = {
    "cluster": {"cluster": SPECS["dense"]},
    "ps_tasks": {"ps_tasks": 3},
    "worker_device": {"ps_tasks": 2, "worker_device": "/job:worker/task:2"},
    "no_merge": {"ps_tasks": 2, "merge_devices": False},
    "ps_ops": {"ps_tasks": 2, "ps_ops": ["VariableV2", "Assign"]},
    "ps_device": {"ps_tasks": 2, "ps_device": "/job:param/device:CPU:0"},
}
KEY_OPS = ["x", "w1", "b1", "w2", "b2", "global_step", "w1/read", "w1/Assign", "h", "MatMul"]
CLUSTER_DEVICES = [
    DeviceAttributes(f"/job:{job}/replica:0/task:{i}/device:CPU:0", "CPU", 1 << 30, 1)
    for job in ("ps", "param", "worker")
    for i in range(3)
]


def setter_model(kwargs) -> tuple:
    """The generator's model built under the device setter: ``(op name -> requested
    device, op name -> placed device, names of ops taking a reference)``."""
    graph = tf.Graph()
    with graph.as_default():
        with v1.device(v1.train.replica_device_setter(**kwargs)):
            x = v1.placeholder(tf.float32, [None, 3], name="x")
            w1 = v1.Variable(tf.zeros([3, 4]), name="w1")
            b1 = v1.Variable(tf.zeros([4]), name="b1")
            with v1.device("/job:worker/task:1"):
                h = tf.nn.relu(tf.matmul(x, w1) + b1, name="h")
            w2 = v1.Variable(tf.zeros([4, 1]), name="w2")
            with v1.device("/cpu:0"):
                b2 = v1.Variable(tf.zeros([1]), name="b2")
            step = v1.train.get_or_create_global_step()
            loss = tf.reduce_mean(tf.matmul(h, w2) + b2, name="loss")
            v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    ops = graph.get_operations()
    placed = Placer(CLUSTER_DEVICES).place(ops)
    takes_ref = {op.name for op in ops if any(t.dtype.is_ref_dtype for t in op.inputs)}
    return (
        {op.name: op.device for op in ops},
        {op.name: placed[op] for op in ops},
        takes_ref,
    )


@pytest.mark.parametrize("name", sorted(SETTERS))
def test_replica_device_setter_places_as_tensorflow_does(name):
    requested, placed, takes_ref = setter_model(SETTERS[name])
    want = FIXTURE["device_setters"][name]
    shared = sorted(set(requested) & set(want))
    assert set(KEY_OPS) <= set(shared) and any("ApplyGradientDescent" in op for op in shared)
    # TF colocates an op taking a reference with it when the op is built; the runtime's
    # placer does when it places: the op lands where TF put it either way.
    for op in shared:
        assert DeviceSpec.from_string(want[op]).matches(DeviceSpec.from_string(placed[op])), op
    for op in KEY_OPS:
        if op not in takes_ref:
            assert requested[op] == want[op], op


def test_replica_device_setter_without_ps_tasks_and_bad_strategies():
    assert [
        v1.train.replica_device_setter() is None,
        v1.train.replica_device_setter(cluster={"worker": ["w:1"]}) is None,
    ] == FIXTURE["device_setters"]["none"]
    kind, message = FIXTURE["device_setters"]["strategy_not_callable"]
    assert kind == "TypeError"
    with pytest.raises(TypeError, match=message):
        v1.train.replica_device_setter(ps_tasks=1, ps_strategy=3)


def test_greedy_strategy_balances_bytes_over_ps_tasks():
    greedy = v1.train.GreedyLoadBalancingStrategy(3, v1.train.byte_size_load_fn)
    sizes = [1000, 10, 10, 500, 400, 300]
    with tf.Graph().as_default():
        with tf.device(v1.train.replica_device_setter(ps_tasks=3, ps_strategy=greedy)):
            made = [v1.Variable(tf.zeros([n]), name=f"v{i}") for i, n in enumerate(sizes)]
    tasks = [int(v.device.rsplit(":", 1)[1]) for v in made]
    # least loaded first: 1000->0, 10->1, 10->2, 500->1 (10<...), 400->2, 300->2 (410<510)
    assert tasks == [0, 1, 2, 1, 2, 2]
    loads = np.zeros(3)
    for task, n in zip(tasks, sizes):
        loads[task] += 4 * n
    assert loads.max() == 4000
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="not fully defined"):
            v1.train.byte_size_load_fn(v1.placeholder(tf.float32, [None]).op)


# -- a local server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_server():
    server = tf.train.Server.create_local_server()
    yield server
    server.stop()


def test_create_local_server_is_one_localhost_task(local_server):
    want = FIXTURE["local_server"]
    port = local_server.target.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
    assert str(local_server.server_def) == want["server_def"].replace("PORT", "0")
    assert local_server.target == f"dask://127.0.0.1:{port}/job:localhost/task:0"
    with tf.Graph().as_default(), v1.Session(local_server.target) as sess:
        assert [d.name for d in sess.list_devices()] == want["devices"]


def test_sessions_on_a_server_share_its_containers_until_reset(local_server):
    want = FIXTURE["local_server"]
    target = local_server.target
    with tf.Graph().as_default():
        v = v1.Variable(1.0, name="v")
        with v1.container("c1"):
            w = v1.Variable(2.0, name="w")
        first = v1.Session(target)
        first.run([v.initializer, w.initializer])
        first.run(v1.assign_add(v, 1.0))
        second = v1.Session(target)
        assert second.run([v, w]) == want["second_session_sees"]
        v1.Session.reset(target, ["c1"])
        kind, message = want["old_session_after_reset"]
        with pytest.raises(
            getattr(tf.errors, kind), match=message.replace(message.split()[1], r"[0-9a-f]{16}")
        ):
            second.run(v)
        third = v1.Session(target)
        assert third.run(v) == want["container_kept"]
        with pytest.raises(getattr(tf.errors, want["container_cleared"][0]), match="uninitialized"):
            third.run(w)
        for sess in (first, second, third):
            sess.close()
    v1.Session.reset(target)


def test_join_returns_when_the_server_stops():
    server = tf.distribute.Server.create_local_server()
    joined = threading.Event()
    threading.Thread(target=lambda: (server.join(), joined.set()), daemon=True).start()
    assert not joined.wait(0.2)
    server.stop()
    assert joined.wait(30)


def test_server_arguments_are_checked_as_tensorflow_checks_them():
    spec = {"ps": ["localhost:1"], "worker": ["localhost:2", "localhost:3"]}
    with pytest.raises(ValueError, match="explicit `job_name`"):
        tf.train.Server(spec, start=False)
    with pytest.raises(ValueError, match="explicit `task_index`"):
        tf.train.Server(spec, job_name="worker", start=False)
    with pytest.raises(TypeError, match="Could not convert"):
        tf.train.Server(["localhost:1"], start=False)
    server = tf.train.Server(spec, job_name="worker", task_index=1, start=False)
    assert (server.server_def.job_name, server.server_def.task_index) == ("worker", 1)
    with pytest.raises(RuntimeError, match="not been started"):
        server.target  # noqa: B018 - the property raises


# -- a ps/worker cluster of servers, between-graph replication --------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ps_worker_servers():
    spec = tf.train.ClusterSpec(
        {"ps": [f"localhost:{free_port()}"], "worker": ["localhost:0", "localhost:0"]}
    )
    servers = [
        tf.train.Server(spec, job_name=job, task_index=index)
        for job, index in [("ps", 0), ("worker", 0), ("worker", 1)]
    ]
    yield spec, servers
    for server in reversed(servers):
        server.stop()


TRUE_W = np.array([[2.0], [-1.0], [0.5]], np.float32)
STEPS = 80  # global steps, shared by the two replicas


def train_replica(spec, server, index: int, steps: int, started: threading.Event, out: dict):
    """One worker's client: its own graph, shared variables on ps (TF1's
    between-graph replication, asynchronous)."""
    rng = np.random.default_rng(index)
    graph = tf.Graph()
    with graph.as_default():
        setter = v1.train.replica_device_setter(
            cluster=spec, worker_device=f"/job:worker/task:{index}"
        )
        with tf.device(setter):
            step = v1.train.get_or_create_global_step()
            x = v1.placeholder(tf.float32, [None, 3])
            y = v1.placeholder(tf.float32, [None, 1])
            w = v1.get_variable("w", [3, 1], initializer=v1.zeros_initializer())
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
            train = v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        hooks = [v1.train.StopAtStepHook(last_step=steps)]
        with v1.train.MonitoredTrainingSession(
            master=server.target, is_chief=index == 0, hooks=hooks
        ) as sess:
            started.set()
            mine = 0
            while not sess.should_stop():
                features = rng.normal(size=(32, 3)).astype(np.float32)
                sess.run(train, {x: features, y: features @ TRUE_W})
                mine += 1
        out[index] = mine
        with v1.Session(server.target) as plain:
            out["w"], out["step"] = plain.run([w, step])
            out["devices"] = {w.op.device, step.op.device}


def test_between_graph_replication_trains_shared_ps_variables(ps_worker_servers):
    spec, servers = ps_worker_servers
    out: dict = {}
    chief_ready, worker_ready = threading.Event(), threading.Event()
    chief = threading.Thread(
        target=train_replica, args=(spec, servers[1], 0, STEPS, chief_ready, out)
    )
    chief.start()
    assert chief_ready.wait(120)  # the chief has initialized the model
    other = threading.Thread(
        target=train_replica, args=(spec, servers[2], 1, STEPS, worker_ready, out)
    )
    other.start()
    chief.join(300)
    other.join(300)
    assert out[0] > 0 and out[1] > 0  # both replicas trained the one model
    assert out["step"] >= STEPS
    np.testing.assert_allclose(out["w"], TRUE_W, atol=1e-2)
    assert out["devices"] == {"/job:ps/task:0"}
    scheduler = servers[0].target.split("/job:")[0].replace("dask://", "tcp://")
    with distributed.Client(scheduler, set_as_default=False) as client:
        held = client.run(dask_worker.describe)
        names = {a: info["name"] for a, info in client.scheduler_info()["workers"].items()}
    holders = [names[a] for a, h in held.items() if ("", "w") in h["resources"]]
    assert holders == ["/job:ps/task:0"]


def test_a_session_on_a_server_runs_unplaced_ops_on_its_task(ps_worker_servers):
    _, servers = ps_worker_servers
    with tf.Graph().as_default():
        c = tf.constant(1.0, name="here")
        with v1.Session(servers[2].target) as sess:
            assert sess.placement()["here"] == "/job:worker/replica:0/task:1/device:CPU:0"
            names = sorted(d.name for d in sess.list_devices())
            assert sess.run(c) == 1.0
    assert names == [
        "/job:ps/replica:0/task:0/device:CPU:0",
        "/job:worker/replica:0/task:0/device:CPU:0",
        "/job:worker/replica:0/task:1/device:CPU:0",
    ]


# -- schemes ----------------------------------------------------------------------------


def _two_task_sum(target):
    with tf.Graph().as_default():
        a = tf.constant(2.0)
        with tf.device("/job:worker/task:1"):
            b = a * 5.0
        with v1.Session(target) as sess:
            return sess.run(b + 1.0), [d.name for d in sess.list_devices()]


def test_a_tls_cluster_with_temporary_certificates():
    security = Security.temporary()
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tls",
        security=security,
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        with distributed.Client(cluster, security=security, set_as_default=False) as client:
            assert _two_task_sum(client)[0] == 11.0
        config = {
            "distributed.comm.require-encryption": True,
            "distributed.comm.tls.ca-file": security.tls_ca_file,
            "distributed.comm.tls.client.cert": security.tls_client_cert,
            "distributed.comm.tls.client.key": security.tls_client_key,
        }
        with dask.config.set(config):
            value, devices = _two_task_sum("dask://" + cluster.scheduler_address)
        assert value == 11.0 and len(devices) == 2


def test_an_inproc_cluster_by_its_address():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("inproc://")
        value, devices = _two_task_sum("dask://" + cluster.scheduler_address)
    assert value == 11.0 and devices[1] == "/job:worker/replica:0/task:1/device:CPU:0"
