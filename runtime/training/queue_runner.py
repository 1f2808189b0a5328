"""``QueueRunner``: threads that keep running enqueue ops to fill a queue."""

from __future__ import annotations

import logging
import threading

from ..errors import CancelledError, OutOfRangeError
from ..graph import get_default_graph
from ..graph_keys import GraphKeys

_logger = logging.getLogger("runtime")


class QueueRunner:
    """Runs ``enqueue_ops`` in one thread each until the input ends or a stop.

    When an enqueue op's input runs out (``OutOfRangeError``) or its queue closes
    (``CancelledError``), that thread ends; when the last one ends the queue is
    closed, so its consumers drain it and then see ``OutOfRangeError``. A
    coordinator's stop request closes the queue with ``cancel_pending_enqueues``.

    Parameters
    ----------
    queue : QueueBase
    enqueue_ops : list of Operation
    close_op, cancel_op : Operation, optional
        Defaults: ``queue.close()`` and ``queue.close(cancel_pending_enqueues=True)``.
    queue_closed_exception_types : tuple of exception types, optional
        What ends a thread quietly (default ``(OutOfRangeError, CancelledError)``).
    """

    def __init__(
        self,
        queue=None,
        enqueue_ops=None,
        close_op=None,
        cancel_op=None,
        queue_closed_exception_types=None,
    ):
        if queue is None or not enqueue_ops:
            raise ValueError("QueueRunner needs a queue and at least one enqueue op.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = (
            cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        )
        self._closed_types = tuple(
            queue_closed_exception_types or (OutOfRangeError, CancelledError)
        )
        self._lock = threading.Lock()
        self._runs: dict = {}
        self._exceptions_raised: list = []

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: list(self._enqueue_ops))
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    queue_closed_exception_types = property(lambda self: self._closed_types)

    @property
    def exceptions_raised(self) -> list:
        """Errors the threads hit when no coordinator was given."""
        return list(self._exceptions_raised)

    @property
    def name(self) -> str:
        return self._queue.name

    def _run(self, sess, enqueue_op, coord) -> None:
        finished = False
        try:
            run = sess.make_callable(enqueue_op)
            while not (coord is not None and coord.should_stop()):
                try:
                    run()
                except self._closed_types:
                    finished = True
                    self._finish(sess)
                    return
        except Exception as err:
            if coord is None:
                _logger.error("Exception in QueueRunner: %s", err)
                with self._lock:
                    self._exceptions_raised.append(err)
                raise
            coord.request_stop(err)
        finally:
            if not finished:
                with self._lock:
                    self._runs[sess] -= 1

    def _finish(self, sess) -> None:
        with self._lock:
            self._runs[sess] -= 1
            last = self._runs[sess] == 0
        if last:
            try:
                sess.run(self._close_op)
            except Exception as err:  # the session may be closing too
                _logger.debug("Ignored exception closing the queue: %s", err)

    def _close_on_stop(self, sess, coord) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception as err:
            _logger.debug("Ignored exception cancelling the queue: %s", err)

    def create_threads(self, sess, coord=None, daemon=False, start=False) -> list:
        """Threads running the enqueue ops in ``sess`` (plus one closing on a stop request)."""
        with self._lock:
            if self._runs.get(sess, 0) > 0:
                return []  # already running in this session
            self._runs[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [
            threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon)
            for op in self._enqueue_ops
        ]
        if coord is not None:
            threads.append(
                threading.Thread(target=self._close_on_stop, args=(sess, coord), daemon=daemon)
            )
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if start:
                thread.start()
        return threads


def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS) -> None:
    """Add ``qr`` to the default graph's ``collection`` (for ``start_queue_runners``)."""
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(
    sess=None, coord=None, daemon=True, start=True, collection=GraphKeys.QUEUE_RUNNERS
) -> list:
    """Start the threads of every queue runner in ``collection``; returns them.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.training.coordinator import Coordinator
    >>> with tf.Graph().as_default():
    ...     source = tf.queue.FIFOQueue(10, tf.int32, shapes=[[]])
    ...     q = tf.queue.FIFOQueue(10, tf.int32, shapes=[[]])
    ...     add_queue_runner(QueueRunner(q, [q.enqueue(source.dequeue() * 10)]))
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(source.enqueue_many([[1, 2, 3]]))
    ...         sess.run(source.close())
    ...         coord = Coordinator()
    ...         threads = start_queue_runners(sess, coord)
    ...         print(sess.run(q.dequeue_many(3)))
    ...         coord.request_stop()
    ...         coord.join(threads)
    [10 20 30]
    """
    from ..session import get_default_session

    sess = sess if sess is not None else get_default_session()
    if sess is None:
        raise ValueError("Cannot start queue runners: No default session is registered.")
    threads = []
    for qr in sess.graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
