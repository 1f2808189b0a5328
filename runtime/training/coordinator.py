"""``Coordinator``: stop a group of threads together, and report the first error."""

from __future__ import annotations

import contextlib
import sys
import threading
import time

from ..errors import OutOfRangeError


class Coordinator:
    """Coordinates the termination of threads (``tf.train.Coordinator``).

    Threads loop ``while not coord.should_stop()``; any of them can
    ``request_stop(error)``; the main thread ``join``\\ s them, and ``join`` re-raises
    the first error reported (``OutOfRangeError``, the normal end of an input
    queue, is not an error).

    Examples
    --------
    >>> coord = Coordinator()
    >>> def work():
    ...     with coord.stop_on_exception():
    ...         raise ValueError("boom")
    >>> t = threading.Thread(target=work); t.start()
    >>> coord.join([t])
    Traceback (most recent call last):
    ...
    ValueError: boom
    """

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (OutOfRangeError,)
        self._clean_stop_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info = None
        self._registered: set = set()
        self._joined = False

    def request_stop(self, ex=None) -> None:
        """Ask every thread to stop; ``ex`` (an exception or ``sys.exc_info()``) is kept."""
        with self._lock:
            if ex is not None and self._exc_info is None and not self._joined:
                if isinstance(ex, tuple):
                    ex = ex[1]
                if not isinstance(ex, self._clean_stop_types):
                    self._exc_info = ex
            self._stop_event.set()

    def clear_stop(self) -> None:
        """Allow ``should_stop`` to return False again (the error is forgotten)."""
        with self._lock:
            self._joined = False
            self._exc_info = None
            self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A context manager that requests a stop if its body raises."""
        try:
            yield
        except BaseException:
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None) -> bool:
        """Wait until a stop is requested (or ``timeout`` seconds); True if stopped."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread) -> None:
        """Have ``join`` wait for ``thread`` too."""
        with self._lock:
            self._registered.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False) -> None:
        """Wait for ``threads`` (and registered ones) to end, then re-raise the first error.

        After a stop request, threads get ``stop_grace_period_secs`` to finish;
        stragglers raise ``RuntimeError`` unless ``ignore_live_threads``.
        """
        with self._lock:
            threads = set(threads or ()) | self._registered
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.05):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered = set()
            error = self._exc_info
        if error is not None:
            raise error
        if stragglers and not ignore_live_threads:
            raise RuntimeError(
                f"Coordinator stopped with threads still running: {' '.join(stragglers)}"
            )

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        """Re-raise the error a thread reported, if any."""
        with self._lock:
            if self._exc_info is not None:
                raise self._exc_info
