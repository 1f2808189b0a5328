"""Loops of TF1 training programs: ``LooperThread`` (a function called on a timer until the
coordinator stops) and ``basic_train_loop`` (train steps in a ``Supervisor``'s managed
session, started again when a distributed server aborts it).
"""

from __future__ import annotations

import threading
import time

from ..errors import AbortedError
from .coordinator import Coordinator

__all__ = ["LooperThread", "basic_train_loop"]


class LooperThread(threading.Thread):
    """A daemon thread calling ``target`` every ``timer_interval_secs`` (back to back when
    ``None``) until ``coord`` stops; an error it raises stops ``coord`` with it.

    Subclasses override ``start_loop``, ``run_loop`` and ``stop_loop`` instead of giving a
    ``target``. The thread registers with ``coord``, so ``coord.join()`` waits for it.

    Examples
    --------
    >>> import runtime as tf
    >>> coord = tf.compat.v1.train.Coordinator()
    >>> calls = []
    >>> looper = LooperThread.loop(coord, None, lambda: calls.append(1) or len(calls) < 3
    ...                            or coord.request_stop())
    >>> coord.join()
    >>> len(calls)
    3
    """

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__(daemon=True)
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._loop_target = target
        if target is None and (args or kwargs):
            raise ValueError("'args' and 'kwargs' argument require that you also pass 'target'")
        self._loop_args = args or ()
        self._loop_kwargs = kwargs or {}
        coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None) -> LooperThread:
        """A started ``LooperThread`` calling ``target(*args, **kwargs)``."""
        looper = LooperThread(coord, timer_interval_secs, target, args, kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.time()
                while not self._coord.wait_for_stop(max(0.0, next_time - time.time())):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once before the loop."""

    def stop_loop(self) -> None:
        """Called once after the loop."""

    def run_loop(self) -> None:
        """One turn of the loop: ``target(*args, **kwargs)``."""
        if self._loop_target is not None:
            self._loop_target(*self._loop_args, **self._loop_kwargs)


def basic_train_loop(supervisor, train_step_fn, args=None, kwargs=None, master=""):
    """``train_step_fn(sess, *args, **kwargs)`` over and over in ``supervisor``'s managed
    session until it should stop; an ``AbortedError`` (a server restarted) starts it again.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     bump = tf.compat.v1.assign_add(step, 1)
    ...     sv = tf.compat.v1.train.Supervisor(logdir=tempfile.mkdtemp(), save_model_secs=0,
    ...                                        save_summaries_secs=0)
    ...     def train(sess):
    ...         if sess.run(bump) >= 5:
    ...             sv.request_stop()
    ...     basic_train_loop(sv, train)
    ...     print(sv.should_stop())
    True
    """
    args, kwargs = list(args or []), dict(kwargs or {})
    while True:
        try:
            with supervisor.managed_session(master) as sess:
                while not supervisor.should_stop():
                    train_step_fn(sess, *args, **kwargs)
            return
        except AbortedError:
            continue
