"""Losing workers and clients on a Dask cluster (LocalCluster worker processes, each
under a nanny that restarts it when it dies, as a supervisor restarts a TF server).

Every wait is on a condition with a generous bound: the machine may be loaded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import distributed
import pytest

import runtime as tf
from runtime.distributed import worker as dask_worker
from tests.runtime.dask_clusters import local_cluster, target_of

v1 = tf.compat.v1
TASK1 = "/job:worker/replica:0/task:1"


def wait_for(condition, seconds: float = 60.0, what: str = "the condition"):
    """Poll ``condition()`` until it is truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Timed out after {seconds} s waiting for {what}.")


def worker_named(client, name):
    """The address of the worker named ``name``, or ``None``."""
    for address, info in client.scheduler_info()["workers"].items():
        if info.get("name") == name:
            return address
    return None


@pytest.fixture(scope="module")
def cluster():
    """One cluster for the module: its tests run in order, the last one leaves it with
    one worker."""
    with local_cluster() as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


CLIENT = textwrap.dedent(
    """
    import sys, time
    import runtime as tf
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        v = v1.Variable(3.0, name="held_by_a_dead_client")
        sess = v1.Session(sys.argv[1], config=v1.ConfigProto(isolate_session_state=True))
        sess.run(v.initializer)
        print(sess._engine._session_id, flush=True)
        time.sleep(600)
    """
)


def test_a_dead_clients_sessions_are_dropped_when_their_leases_run_out(cluster, client):
    process = subprocess.Popen(
        [sys.executable, "-c", CLIENT, target_of(cluster)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    try:
        session_id = process.stdout.readline().strip()
        assert session_id, "the client process started a session"

        def held():
            return [
                h for h in client.run(dask_worker.describe).values() if session_id in h["sessions"]
            ]

        assert held() and held()[0]["isolated"][session_id] == [("", "held_by_a_dead_client")]

        # While the client lives, its leases are renewed: the expiry moves on.
        def expiry():
            return time.monotonic() + held()[0]["leases"][session_id]

        first = expiry()
        wait_for(lambda: expiry() > first + 1.0, what="a lease renewal")
        process.send_signal(signal.SIGKILL)
        died = time.monotonic()
        process.wait(timeout=30)
        wait_for(lambda: not held(), seconds=30, what="the dead client's session to go")
        assert time.monotonic() - died <= 10.0
    finally:
        if process.poll() is None:
            process.kill()


def test_losing_a_worker_mid_run_fails_that_run_and_spares_the_rest(cluster, client):
    target = target_of(cluster)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:0"):
            w0 = v1.Variable(10.0, name="w0")
            step0 = v1.assign_add(w0, 1.0)
        with tf.device("/job:worker/task:1"):
            w1 = v1.Variable(20.0, name="w1")
            queue = v1.FIFOQueue(1, tf.float32, shapes=[[]], name="never_fed")
            stuck = queue.dequeue() + w1
        sess = v1.Session(target)
        sess.run([w0.initializer, w1.initializer])
        sess.run(step0)
        victim = sess._engine._tasks[TASK1][0]
        [pid] = client.run(os.getpid, workers=[victim]).values()
        session_id = sess._engine._session_id

        def kill_when_stuck():
            wait_for(
                lambda: client.run(dask_worker.describe, workers=[victim])[victim]["sessions"].get(
                    session_id
                ),
                what="the stage to block on task 1",
            )
            killed.append(time.monotonic())
            os.kill(pid, signal.SIGKILL)

        killed: list = []
        killer = threading.Thread(target=kill_when_stuck)
        killer.start()
        with pytest.raises(tf.errors.UnavailableError, match="task:1") as info:
            sess.run(stuck)
        failed_at = time.monotonic()
        killer.join()
        assert failed_at - killed[0] < 20, "the lost worker was noticed within a bounded time"
        assert victim in str(info.value)

        # The session goes on for what does not need task 1; a new session sees w0 too,
        # and places the graph whole (task 1 is the cluster's still, even while down).
        assert sess.run(step0) == 12.0
        with v1.Session(target) as fresh:
            assert fresh.run(w0) == 12.0
            assert any(d.name.startswith(TASK1) for d in fresh.list_devices())

        # The nanny brings a replacement under the same name: it is task 1 again, with
        # empty containers, as a restarted TF server.
        wait_for(lambda: worker_named(client, 1) not in (None, victim), what="the replacement")
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value w1"):
            sess.run(w1)
        sess.run(w1.initializer)
        assert sess.run(w1) == 20.0
        assert sess._engine._tasks[TASK1][0] != victim
        sess.close()


def test_a_monitored_session_recovers_a_lost_ps_from_its_checkpoint(cluster, client, tmp_path):
    """TF's recovery path: the run that loses the ps fails with UnavailableError, the
    monitored session makes a new session (waiting for the ps's replacement), restores
    the latest checkpoint there and goes on to the last step."""
    target = target_of(cluster)
    with tf.Graph().as_default():
        with tf.device("/job:worker/task:1"):  # task 1 is the parameter server here
            step = v1.train.get_or_create_global_step()
            total = v1.get_variable("total", [], initializer=v1.zeros_initializer())
        train = tf.group(v1.assign_add(total, 1.0), v1.assign_add(step, 1))
        killed: list = []

        class KillThePs(v1.train.SessionRunHook):
            def after_run(self, run_context, run_values):
                if not killed and run_context.session.run(step) == 12:
                    ps = worker_named(client, 1)
                    [pid] = client.run(os.getpid, workers=[ps]).values()
                    os.kill(pid, signal.SIGKILL)
                    killed.append(ps)

        hooks = [v1.train.StopAtStepHook(last_step=30), KillThePs()]
        runs = 0
        with v1.train.MonitoredTrainingSession(
            master=target,
            is_chief=True,
            checkpoint_dir=str(tmp_path),
            save_checkpoint_steps=5,
            save_summaries_steps=None,
            save_summaries_secs=None,
            log_step_count_steps=None,
            hooks=hooks,
        ) as sess:
            while not sess.should_stop():
                sess.run(train)
                runs += 1
        with v1.Session(target) as plain:
            final_step, final_total = plain.run([step, total])
    assert killed and worker_named(client, 1) not in (None, killed[0])
    assert final_step == 30 and final_total == 30.0  # restored at step 10, on to 30
    assert runs == 30 + 2  # steps 11 and 12 ran twice: once before the loss


def test_a_task_without_replacement_fails_its_runs_at_once(cluster, client):
    with tf.Graph().as_default():
        a = tf.constant(1.0)
        with tf.device("/job:worker/task:1"):
            b = a + 1.0
        sess = v1.Session(target_of(cluster))
        assert sess.run(b) == 2.0
        victim = sess._engine._tasks[TASK1][0]
        client.retire_workers([victim], close_workers=True, remove=True)
        start = time.monotonic()
        with pytest.raises(tf.errors.UnavailableError, match="task:1"):
            sess.run(b)
        assert time.monotonic() - start < 20
        start = time.monotonic()
        with pytest.raises(tf.errors.UnavailableError, match="task:1"):
            sess.run(b)
        assert time.monotonic() - start < 5  # known lost: no waiting
        assert sess.run(a) == 1.0  # task 0 is fine
        sess.close()
