"""Stress, cancellation, timeouts and interrupts through Session.run."""

from __future__ import annotations

import _thread
import os
import signal
import threading
import time

import numpy as np
import pytest

import runtime as tf
from tests.runtime.conformance import BLOCKED, RELEASE, block, count, counter_value, raise_in_kernel

tf1 = tf.compat.v1


@pytest.fixture(autouse=True)
def _release_blocked_kernels():
    RELEASE.clear()
    BLOCKED.clear()
    yield
    RELEASE.set()


@pytest.mark.parametrize("threads", [1, 2])
def test_many_threads_many_runs(threads):
    """16 threads x 500 runs on one session: no deadlock, every answer right."""
    config = tf1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float64, shape=[2, 2])
        w = tf.constant(np.array([[1.0, 2.0], [3.0, 4.0]]))
        y = tf.matmul(x, w) + x  # MatMul is "expensive": the pooled scheduler runs it
        with tf1.Session(config=config) as sess:
            failures = []

            def work(seed):
                rng = np.random.default_rng(seed)
                for _ in range(500):
                    value = rng.normal(size=(2, 2))
                    got = sess.run(y, {x: value})
                    if not np.allclose(got, value @ w.op.get_attr("value") + value):
                        failures.append(seed)
                        return

            workers = [threading.Thread(target=work, args=(seed,)) for seed in range(16)]
            for t in workers:
                t.start()
            for t in workers:
                t.join(120)
            assert not any(t.is_alive() for t in workers), "deadlock"
            assert failures == []


def test_close_while_a_run_is_blocked_cancels_it():
    with tf.Graph().as_default():
        blocked = block(tf.constant(1.0))
        sess = tf1.Session()
        errors = []

        def run():
            try:
                sess.run(blocked)
            except Exception as err:
                errors.append(err)

        t = threading.Thread(target=run)
        t.start()
        assert BLOCKED.wait(5)
        sess.close()
        t.join(5)
        assert not t.is_alive()
        assert len(errors) == 1 and isinstance(errors[0], tf.errors.CancelledError)
        assert "Session has been closed" in str(errors[0]) or "cancelled" in str(errors[0])


@pytest.mark.parametrize(
    ("config", "options"),
    [
        (tf1.ConfigProto(operation_timeout_in_ms=200), None),
        (None, tf1.RunOptions(timeout_in_ms=200)),
        (tf1.ConfigProto(operation_timeout_in_ms=60_000), tf1.RunOptions(timeout_in_ms=200)),
    ],
    ids=["config", "run-options", "run-options-win"],
)
def test_timeouts_raise_deadline_exceeded(config, options):
    with tf.Graph().as_default():
        v = tf1.Variable(1.0)
        inc = v.assign_add(1.0)
        with tf.control_dependencies([inc]):
            blocked = block(tf.constant(1.0))
        with tf1.Session(config=config) as sess:
            sess.run(v.initializer)
            started = time.monotonic()
            with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting"):
                sess.run(blocked, options=options)
            assert time.monotonic() - started < 10
            assert sess.run(v) == 1.0  # the failed step was rolled back
            RELEASE.set()
            assert sess.run(blocked) == 1.0  # still usable


def test_short_operations_finish_within_the_timeout():  # 86
    config = tf1.ConfigProto(operation_timeout_in_ms=10_000)
    with tf.Graph().as_default():
        q = tf1.FIFOQueue(10, tf.int32)
        enqueue = q.enqueue_many(([1, 2],))
        size = q.size()
        with tf1.Session(config=config) as sess:
            for _ in range(5):
                sess.run(enqueue)
            assert sess.run(size) == 10


def test_dequeue_on_an_empty_queue_times_out():  # 89
    config = tf1.ConfigProto(operation_timeout_in_ms=300)
    with tf.Graph().as_default():
        q = tf1.FIFOQueue(10, tf.float32)
        with (
            tf1.Session(config=config) as sess,
            pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting"),
        ):
            sess.run(q.dequeue())


@pytest.mark.parametrize("threads", [1, 2])
def test_interrupt_while_waiting_leaves_the_session_usable(threads):
    """A notebook interrupt (KeyboardInterrupt in the main thread) mid-run."""
    config = tf1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    with tf.Graph().as_default():
        v = tf1.Variable(10.0)
        inc = v.assign_add(1.0)
        with tf.control_dependencies([inc]):
            blocked = block(tf.constant(1.0))
        with tf1.Session(config=config) as sess:
            sess.run(v.initializer)
            timer = threading.Thread(target=lambda: BLOCKED.wait(5) and _thread.interrupt_main())
            timer.start()
            with pytest.raises(KeyboardInterrupt):
                sess.run(blocked)
            timer.join()
            assert sess.run(v) == 10.0  # the interrupted step's assign was undone
            assert sess.run(inc) == 11.0
            RELEASE.set()
            assert sess.run(blocked) == 1.0


@pytest.mark.parametrize("threads", [1, 2])
def test_interrupt_raised_by_a_kernel_rolls_back(threads):
    config = tf1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    with tf.Graph().as_default():
        x = count(tf.constant(1.0))
        bad = raise_in_kernel(x * tf.constant(np.ones((2, 2), np.float32)), "interrupt")
        with tf1.Session(config=config) as sess:
            with pytest.raises(KeyboardInterrupt):
                sess.run(bad)
            assert counter_value(sess._resources) == 0
            assert sess.run(x) == 1.0
            assert counter_value(sess._resources) == 1


def test_concurrent_close_and_runs_never_hang():
    with tf.Graph().as_default():
        y = tf.matmul(tf.constant(np.ones((8, 8))), tf.constant(np.ones((8, 8))))
        for _ in range(5):
            sess = tf1.Session(
                config=tf1.ConfigProto(
                    inter_op_parallelism_threads=2, intra_op_parallelism_threads=1
                )
            )
            done = []

            def loop(sess=sess, done=done):
                try:
                    while True:
                        sess.run(y)
                except (RuntimeError, tf.errors.CancelledError):
                    done.append(True)

            workers = [threading.Thread(target=loop) for _ in range(4)]
            for t in workers:
                t.start()
            time.sleep(0.02)
            sess.close()
            for t in workers:
                t.join(10)
            assert not any(t.is_alive() for t in workers) and len(done) == 4


@pytest.mark.parametrize("threads", [2, 8])
def test_rollback_is_exact_under_concurrency(threads):
    """16 threads share one counter; half of the runs fail after their increment. The
    increments of failed runs are taken back even when other runs changed the variable
    since, so the final value is the number of successful runs (20 repeats)."""
    config = tf1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    with tf.Graph().as_default():
        counter = tf1.Variable(0.0)
        fail = tf1.placeholder(tf.bool, [])
        increment = tf1.assign_add(counter, 1.0)
        with tf.control_dependencies([increment]):
            checked = tf.Assert(tf.logical_not(fail), ["failing on purpose"])
        with tf1.Session(config=config) as sess:
            for _ in range(20):
                sess.run(counter.initializer)
                succeeded = []

                def work(seed, succeeded=succeeded):
                    rng = np.random.default_rng(seed)
                    for _ in range(40):
                        failing = bool(rng.integers(2))
                        try:
                            sess.run(checked, {fail: failing})
                            succeeded.append(1)
                        except tf.errors.InvalidArgumentError:
                            assert failing

                workers = [threading.Thread(target=work, args=(seed,)) for seed in range(16)]
                for t in workers:
                    t.start()
                for t in workers:
                    t.join(60)
                assert sess.run(counter) == len(succeeded)


@pytest.mark.parametrize("threads", [1, 2])
def test_an_interrupt_does_not_wait_for_ops_on_the_pool(threads):
    """Two py_funcs sleep on the pool; the interrupt ends the run at once, and their
    effects (made after it) are taken back."""
    config = tf1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    started = threading.Barrier(2, timeout=10) if threads == 2 else None
    release = threading.Event()

    def slow(x):
        if started is not None:
            started.wait()
        release.wait(30)
        return x

    with tf.Graph().as_default():
        v = tf1.Variable(0.0)
        a = tf1.py_func(slow, [tf.constant(1.0)], tf.float32)
        b = tf1.py_func(slow, [tf.constant(2.0)], tf.float32)
        with tf.control_dependencies([a, b]):
            late = tf1.assign_add(v, 1.0)
        with tf1.Session(config=config) as sess:
            sess.run(v.initializer)
            # A real SIGINT, as a kernel interrupt sends: it also breaks a blocking wait.
            timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
            timer.start()
            began = time.monotonic()
            with pytest.raises(KeyboardInterrupt):
                sess.run(late)
            assert time.monotonic() - began < 5  # not the py_funcs' 30 s
            release.set()
            assert sess.run(v) == 0.0
            assert sess.run(late) == 1.0  # the session is usable
