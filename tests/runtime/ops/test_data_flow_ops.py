"""Queues: each op, blocking without holding others up, close, timeouts and rollback."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import runtime as tf
from runtime.errors import (
    CancelledError,
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    OutOfRangeError,
)

v1 = tf.compat.v1
POOL = v1.ConfigProto(inter_op_parallelism_threads=4)


@pytest.fixture
def sess(graph):
    with v1.Session(graph=graph, config=POOL) as session:
        yield session


def _in_thread(fn):
    """Run ``fn`` in a thread; returns (thread, outcome dict with 'value' or 'error')."""
    outcome = {}

    def body():
        try:
            outcome["value"] = fn()
        except Exception as err:  # handed to the test thread
            outcome["error"] = err

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, outcome


def _wait_until_blocked(thread, seconds=0.3):
    thread.join(seconds)
    assert thread.is_alive(), "the op was expected to block"


class TestGraph:
    def test_op_names_types_and_shapes(self, graph):
        q = tf.queue.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
        enq = q.enqueue([[1.0, 2.0], 3])
        x, n = q.dequeue()
        xs, ns = q.dequeue_many(4)
        ys, _ = q.dequeue_up_to(4)
        assert q.queue_ref.op.type == "FIFOQueueV2" and q.name == "fifo_queue"
        assert q.queue_ref.dtype == tf.resource
        assert (enq.name, enq.type) == ("fifo_queue_enqueue", "QueueEnqueueV2")
        assert enq.inputs[1].op.name == "fifo_queue_enqueue/component_0"
        assert x.op.name == "fifo_queue_Dequeue" and (x.shape, n.shape) == ([2], [])
        assert xs.op.name == "fifo_queue_DequeueMany" and xs.shape == [4, 2] and ns.shape == [4]
        assert ys.shape.as_tuple() == (None, 2)
        assert q.size().op.name == "fifo_queue_Size"
        assert q.close().name == "fifo_queue_Close" and q.is_closed().dtype == tf.bool
        assert q.dtypes == [tf.float32, tf.int32] and q.shapes == [[2], []]

    def test_namespaces(self):
        assert v1.FIFOQueue is tf.queue.FIFOQueue is v1.queue.FIFOQueue
        assert v1.RandomShuffleQueue is tf.queue.RandomShuffleQueue
        assert v1.PaddingFIFOQueue is tf.queue.PaddingFIFOQueue

    def test_build_errors(self, graph):
        q = tf.queue.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
        with pytest.raises(ValueError, match="Expected 2 components"):
            q.enqueue([1.0])
        with pytest.raises(ValueError, match="are incompatible"):
            q.enqueue([[1.0, 2.0, 3.0], 1])
        with pytest.raises(TypeError, match="Expected int32"):
            q.enqueue([[1.0, 2.0], 1.5])
        with pytest.raises(ValueError, match="Queue shapes must have the same length as dtypes"):
            tf.queue.FIFOQueue(1, [tf.float32], shapes=[[], []])
        with pytest.raises(ValueError, match="All shapes must be fully defined"):
            tf.queue.FIFOQueue(1, tf.float32, shapes=[[None]])
        with pytest.raises(ValueError, match="a list of shapes must be provided"):
            tf.queue.PaddingFIFOQueue(1, tf.float32, None)
        named = tf.queue.FIFOQueue(1, [tf.int32], names=["a"])
        with pytest.raises(ValueError, match="do not match names"):
            named.enqueue({"b": 1})
        with pytest.raises(TypeError, match="must enqueue a dictionary"):
            named.enqueue(1)


class TestOps:
    def test_fifo_order_and_size(self, graph, sess):
        q = tf.queue.FIFOQueue(10, tf.int32, shapes=[[]])
        p = v1.placeholder(tf.int32, [])
        enq, deq, size = q.enqueue(p), q.dequeue(), q.size()
        for i in range(4):
            sess.run(enq, {p: i})
        assert sess.run(size) == 4
        assert [sess.run(deq) for _ in range(4)] == [0, 1, 2, 3]
        assert sess.run(size) == 0

    def test_many_and_up_to(self, graph, sess):
        q = tf.queue.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
        sess.run(q.enqueue_many([[[1, 1], [2, 2], [3, 3]], [1, 2, 3]]))
        xs, ns = sess.run(q.dequeue_many(2))
        np.testing.assert_array_equal(xs, [[1, 1], [2, 2]])
        np.testing.assert_array_equal(ns, [1, 2])
        empty = sess.run(q.dequeue_many(0))
        assert empty[0].shape == (0, 2) and empty[1].dtype == np.int32
        sess.run(q.close())
        xs, ns = sess.run(q.dequeue_up_to(5))
        np.testing.assert_array_equal(ns, [3])

    def test_named_components(self, graph, sess):
        q = tf.queue.FIFOQueue(2, [tf.int32, tf.float32], shapes=[[], []], names=["id", "x"])
        sess.run(q.enqueue({"x": 0.5, "id": 7}))
        got = sess.run(q.dequeue())
        assert got == {"id": 7, "x": 0.5}

    def test_values_are_copied_in(self, graph, sess):
        q = tf.queue.FIFOQueue(2, tf.float32, shapes=[[2]])
        p = v1.placeholder(tf.float32, [2])
        fed = np.array([1.0, 2.0], np.float32)
        sess.run(q.enqueue(p), {p: fed})
        fed[0] = -1.0
        np.testing.assert_array_equal(sess.run(q.dequeue()), [1.0, 2.0])

    def test_runtime_shape_mismatch(self, graph, sess):
        q = tf.queue.FIFOQueue(2, tf.float32, shapes=[[2]])
        p = v1.placeholder(tf.float32)
        with pytest.raises(
            InvalidArgumentError,
            match=r"Shape mismatch in tuple component 0\. Expected \[2\], got \[3\]",
        ):
            sess.run(q.enqueue(p), {p: [1.0, 2.0, 3.0]})
        assert sess.run(q.size()) == 0

    def test_dequeue_many_needs_shapes(self, graph, sess):
        q = tf.queue.FIFOQueue(2, tf.float32)
        sess.run(q.enqueue(1.0))
        with pytest.raises(
            InvalidArgumentError, match="require the components to have specified shapes"
        ):
            sess.run(q.dequeue_many(1))
        assert sess.run(q.size()) == 1

    def test_padding_queue(self, graph, sess):
        q = tf.queue.PaddingFIFOQueue(5, [tf.int32, tf.string], shapes=[[None, 2], [None]])
        p, s = v1.placeholder(tf.int32), v1.placeholder(tf.string)
        enq = q.enqueue([p, s])
        sess.run(enq, {p: [[1, 2]], s: ["a"]})
        sess.run(enq, {p: [[3, 4], [5, 6]], s: ["b", "c"]})
        numbers, words = sess.run(q.dequeue_many(2))
        np.testing.assert_array_equal(numbers, [[[1, 2], [0, 0]], [[3, 4], [5, 6]]])
        assert words.tolist() == [[b"a", b""], [b"b", b"c"]]

    def test_padding_queue_with_a_scalar_component(self, graph, sess):
        # What tf.train.batch(dynamic_pad=True) of a scalar and a vector builds (TF 2.21).
        q = tf.queue.PaddingFIFOQueue(10, [tf.int32, tf.int32], shapes=[[], [None]])
        a, b = v1.placeholder(tf.int32, []), v1.placeholder(tf.int32, [None])
        enq = q.enqueue([a, b])
        sess.run(enq, {a: 1, b: [1]})
        sess.run(enq, {a: 2, b: [1, 2]})
        sess.run(enq, {a: 3, b: [7]})
        scalars, vectors = sess.run(q.dequeue_many(2))
        assert scalars.tolist() == [1, 2] and vectors.tolist() == [[1, 0], [1, 2]]
        sess.run(q.close())  # the rest, fewer than asked for
        scalars, vectors = sess.run(q.dequeue_up_to(5))
        assert scalars.tolist() == [3] and vectors.tolist() == [[7]]

    def test_each_session_has_its_own_queue(self, graph):
        q = tf.queue.FIFOQueue(2, tf.int32, shapes=[[]])
        enq, size = q.enqueue(1), q.size()
        with v1.Session(graph=graph) as a, v1.Session(graph=graph) as b:
            a.run(enq)
            assert (a.run(size), b.run(size)) == (1, 0)

    def test_shared_name(self, graph, sess):
        first = tf.queue.FIFOQueue(2, tf.int32, shapes=[[]], shared_name="shared")
        second = tf.queue.FIFOQueue(2, tf.int32, shapes=[[]], shared_name="shared")
        sess.run(first.enqueue(5))
        assert sess.run(second.dequeue()) == 5


class TestRandomShuffleQueue:
    def _drain(self, seed):
        with tf.Graph().as_default() as g:
            q = tf.queue.RandomShuffleQueue(20, 0, tf.int32, shapes=[[]], seed=seed)
            fill, take = q.enqueue_many([list(range(20))]), q.dequeue_many(20)
            with v1.Session(graph=g) as sess:
                sess.run(fill)
                return sess.run(take).tolist()

    def test_seeded_shuffle_repeats(self):
        first = self._drain(seed=3)
        assert first == self._drain(seed=3)
        assert sorted(first) == list(range(20)) and first != list(range(20))

    def test_min_after_dequeue_holds_elements_until_closed(self, graph):
        q = tf.queue.RandomShuffleQueue(10, 2, tf.int32, shapes=[[]], seed=1)
        deq = q.dequeue()
        with v1.Session(graph=graph, config=POOL) as sess:
            sess.run(q.enqueue_many([[1, 2, 3]]))
            first = sess.run(deq)  # 3 > 2 left behind: one may go
            with pytest.raises(DeadlineExceededError, match="Timed out waiting"):
                sess.run(deq, options=v1.RunOptions(timeout_in_ms=100))
            sess.run(q.close())
            rest = [sess.run(deq), sess.run(deq)]
            assert sorted([first, *rest]) == [1, 2, 3]  # every element comes out once
            with pytest.raises(
                OutOfRangeError, match=r"RandomShuffleQueue '_\d+_random_shuffle_queue' is closed"
            ):
                sess.run(deq)


class TestClose:
    def test_closed_queue_drains_then_fails(self, graph, sess):
        q = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
        sess.run(q.enqueue_many([[1, 2]]))
        sess.run(q.close())
        assert sess.run(q.is_closed())
        with pytest.raises(
            OutOfRangeError,
            match=r"FIFOQueue '_\d+_fifo_queue' is closed and has insufficient elements \(requested 3, current size 2\)",
        ):
            sess.run(q.dequeue_many(3))
        assert sess.run(q.dequeue()) == 1  # the failed dequeue_many put its elements back
        assert sess.run(q.dequeue()) == 2
        with pytest.raises(OutOfRangeError, match=r"\(requested 1, current size 0\)"):
            sess.run(q.dequeue())

    def test_enqueue_after_close_is_cancelled(self, graph, sess):
        q = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
        sess.run(q.close())
        with pytest.raises(CancelledError, match=r"FIFOQueue '_\d+_fifo_queue' is closed\."):
            sess.run(q.enqueue(1))

    def test_close_cancels_pending_enqueues_when_asked(self, graph, sess):
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        sess.run(q.enqueue(1))
        second = q.enqueue(2)
        thread, outcome = _in_thread(lambda: sess.run(second))
        _wait_until_blocked(thread)
        sess.run(q.close(cancel_pending_enqueues=True))
        thread.join(5)
        assert isinstance(outcome.get("error"), CancelledError)
        assert "Enqueue operation was cancelled" in outcome["error"].message

    def test_pending_enqueue_completes_after_a_plain_close(self, graph, sess):
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        sess.run(q.enqueue(1))
        second = q.enqueue(2)
        thread, outcome = _in_thread(lambda: sess.run(second))
        _wait_until_blocked(thread)
        sess.run(q.close())
        assert sess.run(q.dequeue()) == 1
        thread.join(5)
        assert "error" not in outcome
        assert sess.run(q.dequeue()) == 2

    def test_closing_the_session_cancels_a_blocked_dequeue(self, graph):
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        deq = q.dequeue()
        sess = v1.Session(graph=graph, config=POOL)
        thread, outcome = _in_thread(lambda: sess.run(deq))
        _wait_until_blocked(thread)
        sess.close()
        thread.join(5)
        assert not thread.is_alive()
        assert isinstance(outcome.get("error"), CancelledError)


class TestBlocking:
    def test_blocked_dequeue_does_not_hold_up_other_runs(self, graph, sess):
        q = tf.queue.FIFOQueue(3, tf.float32, shapes=[[]])
        deq = q.dequeue()
        other = tf.matmul([[2.0]], [[3.0]])
        thread, outcome = _in_thread(lambda: sess.run(deq))
        _wait_until_blocked(thread)
        assert sess.run(other)[0, 0] == 6.0  # unrelated work runs meanwhile
        sess.run(q.enqueue(4.0))
        thread.join(5)
        assert outcome == {"value": 4.0}

    def test_blocked_op_does_not_hold_up_its_own_step(self, graph, sess):
        q = tf.queue.FIFOQueue(3, tf.float32, shapes=[[]])
        deq = q.dequeue()
        enq = q.enqueue(10.0)  # built after the dequeue, so it starts after it
        got, _ = sess.run([deq, enq])
        assert got == 10.0

    def test_more_waiting_producers_than_pool_threads(self, graph):
        # Waiting ops do not occupy the inter-op pool, so the consumer still runs.
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        enq, deq = q.enqueue(1), q.dequeue()
        config = v1.ConfigProto(inter_op_parallelism_threads=1)
        with v1.Session(graph=graph, config=config) as sess:
            sess.run(enq)
            producers = [_in_thread(lambda: sess.run(enq)) for _ in range(3)]
            _wait_until_blocked(producers[-1][0])
            options = v1.RunOptions(timeout_in_ms=2000)
            assert [sess.run(deq, options=options) for _ in range(4)] == [1, 1, 1, 1]
            for thread, outcome in producers:
                thread.join(5)
                assert "error" not in outcome

    def test_dequeue_many_larger_than_capacity(self, graph, sess):
        q = tf.queue.FIFOQueue(2, tf.int32, shapes=[[]])
        p = v1.placeholder(tf.int32, [])
        enq = q.enqueue(p)

        def produce():
            for i in range(6):
                sess.run(enq, {p: i})

        thread, outcome = _in_thread(produce)
        np.testing.assert_array_equal(sess.run(q.dequeue_many(6)), np.arange(6))
        thread.join(5)
        assert "error" not in outcome


class TestTimeoutsAndRollback:
    def test_session_timeout(self, graph):
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        config = v1.ConfigProto(operation_timeout_in_ms=100, inter_op_parallelism_threads=2)
        with v1.Session(graph=graph, config=config) as sess:
            started = time.monotonic()
            with pytest.raises(DeadlineExceededError, match="Timed out waiting"):
                sess.run(q.dequeue())
            assert time.monotonic() - started < 10.0  # liveness, not speed
            sess.run(q.enqueue(3))
            assert sess.run(q.dequeue()) == 3

    def test_run_options_timeout_on_a_full_queue(self, graph, sess):
        q = tf.queue.FIFOQueue(1, tf.int32, shapes=[[]])
        sess.run(q.enqueue(1))
        with pytest.raises(DeadlineExceededError, match="Timed out waiting"):
            sess.run(q.enqueue(2), options=v1.RunOptions(timeout_in_ms=100))
        assert sess.run(q.size()) == 1

    def test_failed_step_puts_dequeued_elements_back(self, graph, sess):
        q = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
        never = tf.Variable(0, name="never")
        taken = q.dequeue_many(2)
        with tf.control_dependencies([taken]):
            bad = never.read_value()
        sess.run(q.enqueue_many([[1, 2, 3]]))
        with pytest.raises(FailedPreconditionError, match="uninitialized value never"):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(q.dequeue_many(3)), [1, 2, 3])

    def test_failed_step_removes_what_it_enqueued_and_reopens(self, graph, sess):
        q = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
        never = tf.Variable(0, name="never")
        enq = q.enqueue_many([[7, 8]])
        with tf.control_dependencies([enq]):
            close = q.close()
        with tf.control_dependencies([close]):
            bad = never.read_value()
        sess.run(q.enqueue(1))
        with pytest.raises(FailedPreconditionError, match="uninitialized value never"):
            sess.run(bad)
        assert sess.run([q.size(), q.is_closed()]) == [1, False]
