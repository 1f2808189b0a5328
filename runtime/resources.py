"""What stateful kernels see: the session's resources and the step they run in.

- ``ResourceManager``: variables, queues and random-generator states, keyed by
  ``(container, name)``, living as long as the session (or until ``Session.reset``).
- ``Journal``: the step's undo log. Every mutation of a resource records how to undo
  it; a step that fails (an error, a timeout, an interrupt) is rolled back, so a
  failed run leaves variables and queues as they were.
- ``Cancellation``: set when the step fails elsewhere, the session closes or the
  deadline passes; blocking kernels wait through :meth:`OpContext.wait_until`.
- ``OpContext``: the op, its device and the three objects above, given to kernels
  registered with ``context=True``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from .errors import CancelledError, DeadlineExceededError, InvalidArgumentError, op_error

_POLL_SECONDS = 0.05  # how often a blocked kernel re-checks cancellation
# TF's ContainerInfo: a letter, digit or dot, then those, dashes and slashes (no '_').
_CONTAINER = re.compile(r"[A-Za-z0-9.][A-Za-z0-9.\-/]*")


def check_resource_names(container: str, shared_name: str) -> None:
    """Refuse the ``container`` and ``shared_name`` attrs TF's stateful kernels refuse.

    TensorFlow checks them when the op first runs (``VariableV2``, queues, readers,
    accumulators, iterators): a container may hold no ``_``, and a shared name may not
    start with one (those are TF's own).

    Raises
    ------
    InvalidArgumentError
        With TF's message.

    Examples
    --------
    >>> check_resource_names("my-problem.1", "q")
    >>> check_resource_names("my_problem_1", "")
    Traceback (most recent call last):
    ...
    runtime.errors.InvalidArgumentError: container contains invalid characters: my_problem_1
    """
    if container and not _CONTAINER.fullmatch(container):
        raise InvalidArgumentError(
            None, None, f"container contains invalid characters: {container}"
        )
    if shared_name.startswith("_"):
        raise InvalidArgumentError(None, None, f"shared_name cannot start with '_':{shared_name}")


class ResourceManager:
    """Session-owned resources by ``(container, name)``.

    Examples
    --------
    >>> rm = ResourceManager()
    >>> rm.get_or_create("", "v", dict) is rm.get_or_create("", "v", dict)
    True
    >>> rm.clear([""]); rm.lookup("", "v") is None
    True
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], object] = {}

    def get_or_create(self, container: str, name: str, factory: Callable[[], object]):
        key = (container, name)
        with self._lock:
            if key not in self._items:
                self._items[key] = factory()
            return self._items[key]

    def lookup(self, container: str, name: str):
        with self._lock:
            return self._items.get((container, name))

    def items(self) -> list:
        with self._lock:
            return list(self._items.items())

    def clear(self, containers=None) -> None:
        """Drop the resources of ``containers`` (all of them when ``None``)."""
        with self._lock:
            if containers is None:
                doomed = list(self._items.values())
                self._items.clear()
            else:
                keys = [key for key in self._items if key[0] in set(containers)]
                doomed = [self._items.pop(key) for key in keys]
        for resource in doomed:
            close = getattr(resource, "close_resource", None)
            if close is not None:
                close()


class Journal:
    """The undo log of one step.

    Once rolled back, a journal is closed: a mutation recorded afterwards (by an op of
    a failed step that was still running, abandoned by the executor) is undone at once,
    so a failed step never leaves a change behind.

    Examples
    --------
    >>> state = {"v": 1}
    >>> journal = Journal()
    >>> old = state["v"]; state["v"] = 2
    >>> journal.record(lambda: state.__setitem__("v", old))
    >>> journal.rollback(); state
    {'v': 1}
    >>> state["v"] = 3; journal.record(lambda: state.__setitem__("v", 1)); state
    {'v': 1}
    """

    __slots__ = ("_closed", "_lock", "_undo")

    def __init__(self):
        self._undo: list[Callable[[], None]] = []
        self._closed = False
        self._lock = threading.Lock()

    def record(self, undo: Callable[[], None]) -> None:
        """Remember how to undo a mutation just made (kernels record after mutating)."""
        with self._lock:
            if not self._closed:
                self._undo.append(undo)
                return
        undo()

    def rollback(self) -> None:
        """Undo every recorded mutation, newest first, and close the journal.

        A ``KeyboardInterrupt`` arriving meanwhile waits until the rollback is whole,
        then is raised: it is never lost, and never leaves half a rollback.
        """
        with self._lock:
            undo, self._undo = self._undo, []
            self._closed = True
        interrupt = None
        for action in reversed(undo):
            while True:
                try:
                    action()
                    break
                except KeyboardInterrupt as caught:
                    interrupt = caught
        if interrupt is not None:
            raise interrupt


class Cancellation:
    """A step's cancellation flag with the error that caused it.

    ``cancelled`` is a plain attribute, read after every op: no event or lock is made
    per run (waiters poll, see :meth:`OpContext.wait_until`). The first error wins.
    """

    __slots__ = ("cancelled", "deadline", "error")
    _lock = threading.Lock()  # cancelling is rare: one lock for all

    def __init__(self, deadline: float | None = None):
        self.cancelled = False
        self.error: BaseException | None = None
        self.deadline = deadline

    def cancel(self, error: BaseException) -> None:
        with Cancellation._lock:
            if not self.cancelled:
                self.error = error
                self.cancelled = True

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def time_out(self) -> None:
        """Cancel the step with TF's ``DeadlineExceededError``: its deadline passed."""
        self.cancel(DeadlineExceededError(None, None, "Timed out waiting for the run to finish"))

    def raise_if_stopped(self) -> None:
        """Raise the step's error once it is cancelled or past its deadline (then timed
        out first): what a run in order looks at between ops.

        Examples
        --------
        >>> Cancellation(deadline=time.monotonic() - 1).raise_if_stopped()
        Traceback (most recent call last):
        ...
        runtime.errors.DeadlineExceededError: Timed out waiting for the run to finish
        """
        if not self.cancelled and self.expired():
            self.time_out()
        if self.cancelled:
            raise self.error


class OpContext:
    """What a kernel registered with ``context=True`` receives first."""

    __slots__ = ("cancellation", "device", "journal", "op", "resources", "step_id")

    def __init__(self, op, device, resources, journal, cancellation, step_id):
        self.op = op
        self.device = device
        self.resources = resources
        self.journal = journal
        self.cancellation = cancellation
        self.step_id = step_id

    def check(self) -> None:
        """Raise if the step was cancelled or its deadline passed."""
        if self.cancellation.cancelled:
            raise op_error(CancelledError, self.op, "Step was cancelled", self.device)
        if self.cancellation.expired():
            raise op_error(
                DeadlineExceededError,
                self.op,
                "Timed out waiting for the op to finish",
                self.device,
            )

    def wait_until(self, condition: threading.Condition, ready: Callable[[], bool]) -> None:
        """Block on ``condition`` (held by the caller) until ``ready()``, a cancel or timeout."""
        while not ready():
            self.check()
            timeout = _POLL_SECONDS
            if self.cancellation.deadline is not None:
                timeout = min(timeout, max(0.0, self.cancellation.deadline - time.monotonic()))
            condition.wait(timeout)
