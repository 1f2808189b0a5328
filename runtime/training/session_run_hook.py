"""``SessionRunHook``: code that runs around each ``run`` of a ``MonitoredSession``.

A hook sees five moments: ``begin`` (before the graph is finalized: add ops here),
``after_create_session``, ``before_run`` (may ask for more fetches, feeds and run
options: return a ``SessionRunArgs``), ``after_run`` (receives what it asked for in
``SessionRunValues``; may ``run_context.request_stop()``) and ``end``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues"]


class SessionRunHook:
    """Base class of hooks (``tf.compat.v1.train.SessionRunHook``); every method is optional.

    Examples
    --------
    >>> class CountRuns(SessionRunHook):
    ...     def begin(self):
    ...         self.runs = 0
    ...     def after_run(self, run_context, run_values):
    ...         self.runs += 1
    """

    def begin(self) -> None:
        """Called once before the session is made; the graph can still change."""

    def after_create_session(self, session, coord) -> None:
        """Called once the session exists (variables initialized or restored)."""

    def before_run(self, run_context) -> SessionRunArgs | None:
        """Called before each run; return ``SessionRunArgs`` to add fetches or feeds."""
        return None

    def after_run(self, run_context, run_values) -> None:
        """Called after each successful run with the values the hook asked for."""

    def end(self, session) -> None:
        """Called when the session closes without an error."""


class SessionRunArgs(NamedTuple):
    """What a hook adds to a run: ``fetches`` (any fetch structure), ``feed_dict``,
    ``options`` (a ``RunOptions``, merged with the caller's)."""

    fetches: Any
    feed_dict: dict | None = None
    options: Any = None


class SessionRunValues(NamedTuple):
    """What ``after_run`` receives: the ``results`` of the hook's fetches, the run's
    ``options`` and ``run_metadata``."""

    results: Any
    options: Any
    run_metadata: Any


class SessionRunContext:
    """The run in progress, as hooks see it: the caller's ``original_args``, the raw
    ``session``, and ``request_stop()`` to end training after this run.

    Examples
    --------
    >>> context = SessionRunContext(SessionRunArgs("loss:0"), session=None)
    >>> context.request_stop()
    >>> context.stop_requested, context.original_args.fetches
    (True, 'loss:0')
    """

    def __init__(self, original_args: SessionRunArgs, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self) -> SessionRunArgs:
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        """Make the monitored session's ``should_stop()`` true after this run."""
        self._stop_requested = True
