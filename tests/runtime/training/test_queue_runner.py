"""Coordinator and QueueRunner: threads stop together and the input ends cleanly."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import runtime as tf
from runtime.errors import OutOfRangeError

v1 = tf.compat.v1
train = v1.train


class TestCoordinator:
    def test_stop_request_reaches_every_thread(self):
        coord = train.Coordinator()
        ticks = []

        def loop():
            while not coord.should_stop():
                ticks.append(1)
                coord.wait_for_stop(0.01)

        threads = [threading.Thread(target=loop) for _ in range(3)]
        for t in threads:
            t.start()
        coord.request_stop()
        coord.join(threads)
        assert not any(t.is_alive() for t in threads) and coord.joined

    def test_first_error_is_reraised_and_out_of_range_is_clean(self):
        coord = train.Coordinator()
        coord.request_stop(OutOfRangeError(None, None, "end of input"))
        coord.join([])
        coord.clear_stop()
        coord.request_stop(ValueError("first"))
        coord.request_stop(KeyError("second"))
        with pytest.raises(ValueError, match="first"):
            coord.join([])

    def test_stragglers(self):
        coord = train.Coordinator()
        release = threading.Event()
        thread = threading.Thread(target=release.wait)
        thread.start()
        coord.request_stop()
        with pytest.raises(RuntimeError, match="threads still running"):
            coord.join([thread], stop_grace_period_secs=0.05)
        release.set()
        thread.join()


class TestQueueRunner:
    def _pipeline(self, n_threads):
        source = tf.queue.FIFOQueue(100, tf.int32, shapes=[[]])
        fill = source.enqueue_many([list(range(30))])
        q = tf.queue.FIFOQueue(4, tf.int32, shapes=[[]])
        runner = train.QueueRunner(q, [q.enqueue(source.dequeue() * 2)] * n_threads)
        train.add_queue_runner(runner)
        return source, fill, q, runner

    def test_runs_until_the_input_ends_then_closes_the_queue(self, graph):
        source, fill, q, _ = self._pipeline(n_threads=2)
        with v1.Session(graph=graph, config=v1.ConfigProto(inter_op_parallelism_threads=4)) as sess:
            sess.run(fill)
            sess.run(source.close())
            coord = train.Coordinator()
            threads = train.start_queue_runners(sess, coord)
            got = []
            with pytest.raises(OutOfRangeError, match="is closed and has insufficient elements"):
                while True:
                    got.append(sess.run(q.dequeue()))
            coord.request_stop()
            coord.join(threads)
        assert sorted(got) == [2 * i for i in range(30)]

    def test_stop_request_cancels_a_blocked_producer(self, graph):
        _, fill, q, runner = self._pipeline(n_threads=1)
        with v1.Session(graph=graph, config=v1.ConfigProto(inter_op_parallelism_threads=4)) as sess:
            sess.run(fill)  # 30 elements for a queue of 4: the producer blocks
            coord = train.Coordinator()
            threads = runner.create_threads(sess, coord=coord, start=True)
            np.testing.assert_array_equal(sess.run(q.dequeue_many(4)), [0, 2, 4, 6])
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=5)
            assert sess.run(q.is_closed())
        assert runner.exceptions_raised == []

    def test_graph_collection(self, graph):
        _, _, _, runner = self._pipeline(n_threads=1)
        assert graph.get_collection(v1.GraphKeys.QUEUE_RUNNERS) == [runner]
        assert runner.close_op.type == "QueueCloseV2"
        assert runner.cancel_op.get_attr("cancel_pending_enqueues")
