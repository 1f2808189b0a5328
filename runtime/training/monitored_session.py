"""``MonitoredSession`` and ``MonitoredTrainingSession``: a session that runs hooks,
initializes or restores the model, runs queue runners, and recovers from preemption.

Layers, from the outside in (each a thin wrapper over the next)::

    MonitoredSession ── _RecoverableSession     recreate the session on Aborted/Unavailable
                        └ _CoordinatedSession   stop when the coordinator says so; report
                                                the queue runners' errors
                          └ _HookedSession      hooks' before_run/after_run around run()
                            └ Session           made by a session creator (Scaffold +
                                                SessionManager: restore or initialize)

``MonitoredTrainingSession`` adds the usual hooks: a checkpoint every 10 minutes and
summaries every 100 steps in ``checkpoint_dir``, and restores from it on restart.
"""

from __future__ import annotations

import inspect
import logging
import sys

from .. import summary
from ..config import RunMetadata, RunOptions
from ..errors import AbortedError, OutOfRangeError, UnavailableError
from ..graph import get_default_graph
from ..graph_keys import GraphKeys
from ..ops import control_flow_ops
from ..ops.variables import (
    global_variables,
    global_variables_initializer,
    local_variables_initializer,
    report_uninitialized_variables,
)
from . import basic_session_run_hooks as hooks_lib
from .coordinator import Coordinator
from .queue_runner import start_queue_runners
from .saver import Saver
from .session_manager import SessionManager
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

__all__ = [
    "ChiefSessionCreator",
    "MonitoredSession",
    "MonitoredTrainingSession",
    "Scaffold",
    "SessionCreator",
    "SingularMonitoredSession",
    "WorkerSessionCreator",
]

_logger = logging.getLogger("runtime")
_PREEMPTION_ERRORS = (AbortedError, UnavailableError)
USE_DEFAULT = object()  # tells an argument left out from one given as None
READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"  # TF's collection key (not in GraphKeys)


class Scaffold:
    """The pieces a monitored session needs, each defaulted from the graph's collections.

    ``finalize()`` fills in what was not given: ``init_op`` (the global variables'
    initializer), ``ready_op`` (the uninitialized variables' names),
    ``ready_for_local_init_op``, ``local_init_op`` (local variables and tables),
    ``summary_op`` (``merge_all``) and ``saver`` (the ``SAVERS`` collection's, or a
    new one), records each in its collection, and finalizes the graph.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     v = tf.Variable(1.0, name="v")
    ...     scaffold = Scaffold()
    ...     _ = scaffold.finalize()
    >>> scaffold.init_op.name, g.finalized, g.get_collection("init_op") == [scaffold.init_op]
    ('init', True, True)
    """

    def __init__(
        self,
        init_op=None,
        init_feed_dict=None,
        init_fn=None,
        ready_op=None,
        ready_for_local_init_op=None,
        local_init_op=None,
        summary_op=None,
        saver=None,
        copy_from_scaffold=None,
        local_init_feed_dict=None,
    ):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold.init_feed_dict
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            ready_op = ready_op or copy_from_scaffold.ready_op
            ready_for_local_init_op = (
                ready_for_local_init_op or copy_from_scaffold.ready_for_local_init_op
            )
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            local_init_feed_dict = local_init_feed_dict or copy_from_scaffold.local_init_feed_dict
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._local_init_feed_dict = local_init_feed_dict
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self):
        """Fill in the missing pieces from the graph (or build them), then finalize it."""
        graph = get_default_graph()
        if graph.finalized:
            return self
        if self._init_op is None:
            self._init_op = _from_collection(GraphKeys.INIT_OP, global_variables_initializer)
        if self._ready_op is None:
            self._ready_op = _from_collection(GraphKeys.READY_OP, report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = _from_collection(
                READY_FOR_LOCAL_INIT_OP,
                lambda: report_uninitialized_variables(global_variables()),
            )
        if self._local_init_op is None:
            self._local_init_op = _from_collection(GraphKeys.LOCAL_INIT_OP, _default_local_init_op)
        if self._summary_op is None:
            self._summary_op = _from_collection(GraphKeys.SUMMARY_OP, summary.merge_all)
        if self._saver is None:
            self._saver = _default_saver(graph)
        graph.finalize()
        _logger.info("Graph was finalized.")
        return self

    init_fn = property(lambda self: self._init_fn)
    init_op = property(lambda self: self._init_op)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    local_init_feed_dict = property(lambda self: self._local_init_feed_dict)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)
    init_feed_dict = property(lambda self: self._init_feed_dict)

    @staticmethod
    def default_local_init_op():
        """The local variables' and the tables' initializers, grouped."""
        return _default_local_init_op()


def _default_local_init_op():
    """Group the local variables' initializer with the tables' initializers."""
    tables = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return control_flow_ops.group(local_variables_initializer(), *tables)


def _from_collection(key: str, build):
    """The single op in collection ``key``, else ``build()`` (recorded in the collection)."""
    graph = get_default_graph()
    found = graph.get_collection(key)
    if len(found) > 1:
        raise RuntimeError(f"More than one item in the {key} collection")
    if found:
        return found[0]
    op = build()
    if op is not None:
        graph.add_to_collection(key, op)
    return op


def _default_saver(graph):
    savers = graph.get_collection(GraphKeys.SAVERS)
    if len(savers) > 1:
        raise RuntimeError(
            f"More than one item in collection {GraphKeys.SAVERS}. Please indicate which one "
            "to use by passing it to the constructor."
        )
    if savers:
        return savers[0]
    # A Saver does not join the collection itself; TF adds the default one it makes.
    saver = Saver(sharded=True, allow_empty=True)
    graph.add_to_collection(GraphKeys.SAVERS, saver)
    return saver


# -- session creators --------------------------------------------------------------------


class SessionCreator:
    """Makes the raw session a monitored session wraps."""

    def create_session(self):
        raise NotImplementedError("SessionCreator subclasses implement create_session().")


class ChiefSessionCreator(SessionCreator):
    """Restores the model from ``checkpoint_dir`` (or the given file), or initializes it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(2.0, name="v")
    ...     with ChiefSessionCreator().create_session() as sess:
    ...         print(sess.run(v))
    2.0
    """

    def __init__(
        self,
        scaffold=None,
        master="",
        config=None,
        checkpoint_dir=None,
        checkpoint_filename_with_path=None,
    ):
        self._scaffold = scaffold or Scaffold()
        self._master, self._config = master, config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._session_manager = None

    def create_session(self):
        self._scaffold.finalize()
        if self._session_manager is None:
            self._session_manager = SessionManager(
                local_init_op=self._scaffold.local_init_op,
                local_init_feed_dict=self._scaffold.local_init_feed_dict,
                ready_op=self._scaffold.ready_op,
                ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                graph=get_default_graph(),
            )
        return self._session_manager.prepare_session(
            self._master,
            saver=self._scaffold.saver,
            checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_filename_with_path,
            config=self._config,
            init_op=self._scaffold.init_op,
            init_feed_dict=self._scaffold.init_feed_dict,
            init_fn=self._scaffold.init_fn,
        )


class WorkerSessionCreator(SessionCreator):
    """Waits until the chief has made the model ready, then runs the local init op."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        self._scaffold = scaffold or Scaffold()
        self._master, self._config = master, config
        self._max_wait_secs = max_wait_secs

    def create_session(self):
        self._scaffold.finalize()
        manager = SessionManager(
            local_init_op=self._scaffold.local_init_op,
            local_init_feed_dict=self._scaffold.local_init_feed_dict,
            ready_op=self._scaffold.ready_op,
            ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
            graph=get_default_graph(),
        )
        return manager.wait_for_session(
            self._master, config=self._config, max_wait_secs=self._max_wait_secs
        )


# -- the monitored sessions ---------------------------------------------------------------


class _MonitoredSession:
    """What the three public monitored sessions share."""

    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120):
        self._graph_was_finalized = get_default_graph().finalized
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            hook.begin()
        self._coordinated_creator = _CoordinatedSessionCreator(
            session_creator or ChiefSessionCreator(), self._hooks, stop_grace_period_secs
        )
        if should_recover:
            self._sess = _RecoverableSession(self._coordinated_creator)
        else:
            self._sess = self._coordinated_creator.create_session()

    @property
    def graph(self):
        """The graph the session runs."""
        return self._tf_sess().graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """``Session.run`` with the hooks around it."""
        return self._sess.run(
            fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
        )

    def run_step_fn(self, step_fn):
        """Call ``step_fn(step_context)`` and return what it returns.

        The step may run the raw ``step_context.session`` or, with the hooks,
        ``step_context.run_with_hooks`` any number of times; after a preemption the
        whole step is retried on a new session. ``step_context.request_stop()`` raises
        ``StopIteration``, which leaving the ``with`` block of the session swallows.
        """
        parameters = [name for name in inspect.signature(step_fn).parameters if name != "self"]
        if parameters != ["step_context"]:
            raise ValueError(
                "`step_fn` may either have one `step_context` argument, or `self` and "
                f"`step_context` arguments if it's an instance method. Got {parameters} instead."
            )
        return self._sess.run_step_fn(step_fn, self._tf_sess(), None)

    def should_stop(self) -> bool:
        return self._sess is None or self._sess.should_stop()

    def close(self) -> None:
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        # The end of the input (OutOfRange, StopIteration) is the normal end of training.
        if exception_type is not None and issubclass(
            exception_type, (OutOfRangeError, StopIteration)
        ):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None

    def _close_internal(self, exception_type=None) -> None:
        try:
            if not exception_type:
                for hook in self._hooks:
                    hook.end(self._coordinated_creator.tf_sess)
        finally:
            try:
                if self._sess is None:
                    raise RuntimeError("Session is already closed.")
                self._sess.close()
            finally:
                self._sess = None
                self._coordinated_creator.tf_sess = None
                self._coordinated_creator.coord = None
                if not self._graph_was_finalized:
                    get_default_graph()._unsafe_unfinalize()

    def _tf_sess(self):
        return self._coordinated_creator.tf_sess


class MonitoredSession(_MonitoredSession):
    """A session that runs hooks, initializes or restores the model, and recovers.

    Parameters
    ----------
    session_creator : SessionCreator, optional
        Default: a ``ChiefSessionCreator`` (initialize from scratch).
    hooks : list of SessionRunHook, optional
    stop_grace_period_secs : float
        How long ``close()`` waits for queue-runner threads.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     train = tf.compat.v1.assign_add(step, 1)
    ...     hooks = [tf.compat.v1.train.StopAtStepHook(last_step=3)]
    ...     with MonitoredSession(hooks=hooks) as sess:
    ...         while not sess.should_stop():
    ...             print(sess.run(train))
    1
    2
    3
    """

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        super().__init__(
            session_creator,
            hooks,
            should_recover=True,
            stop_grace_period_secs=stop_grace_period_secs,
        )


class SingularMonitoredSession(_MonitoredSession):
    """A ``MonitoredSession`` for one process, without recovery: it creates its own chief
    session and gives access to it with ``raw_session()``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(5.0, name="v")
    ...     with SingularMonitoredSession() as sess:
    ...         print(sess.raw_session().run(v))
    5.0
    """

    def __init__(
        self,
        hooks=None,
        scaffold=None,
        master="",
        config=None,
        checkpoint_dir=None,
        stop_grace_period_secs=120,
        checkpoint_filename_with_path=None,
    ):
        creator = ChiefSessionCreator(
            scaffold=scaffold,
            master=master,
            config=config,
            checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
        )
        super().__init__(
            creator, hooks, should_recover=False, stop_grace_period_secs=stop_grace_period_secs
        )

    def raw_session(self):
        """The underlying ``Session``."""
        return self._tf_sess()


def MonitoredTrainingSession(  # TF's name: a function that reads as a class
    master="",
    is_chief=True,
    checkpoint_dir=None,
    scaffold=None,
    hooks=None,
    chief_only_hooks=None,
    save_checkpoint_secs=USE_DEFAULT,
    save_summaries_steps=USE_DEFAULT,
    save_summaries_secs=USE_DEFAULT,
    config=None,
    stop_grace_period_secs=120,
    log_step_count_steps=100,
    max_wait_secs=7200,
    save_checkpoint_steps=USE_DEFAULT,
    summary_dir=None,
    save_graph_def=True,
) -> MonitoredSession:
    """A ``MonitoredSession`` set up for training, as TF1 programs use it.

    On the chief: restore from ``checkpoint_dir`` if it holds a checkpoint (a restarted
    job resumes), else initialize; save a checkpoint every ``save_checkpoint_secs``
    (default 600) or ``save_checkpoint_steps``; write summaries every
    ``save_summaries_steps`` (default 100) and the steps per second every
    ``log_step_count_steps`` to ``summary_dir`` (default ``checkpoint_dir``).
    ``chief_only_hooks`` run on the chief only, ``hooks`` everywhere. A non-chief waits
    for the chief to make the model ready.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as ckpt, tf.Graph().as_default():
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     train = tf.compat.v1.assign_add(step, 1)
    ...     stop = [tf.compat.v1.train.StopAtStepHook(last_step=5)]
    ...     with MonitoredTrainingSession(checkpoint_dir=ckpt, hooks=stop) as sess:
    ...         while not sess.should_stop():
    ...             _ = sess.run(train)
    ...     print(tf.compat.v1.train.latest_checkpoint(ckpt).endswith("model.ckpt-5"))
    True
    """
    save_summaries_steps, save_summaries_secs = _steps_or_secs(
        save_summaries_steps, save_summaries_secs, default_steps=100
    )
    save_checkpoint_steps, save_checkpoint_secs = _steps_or_secs(
        save_checkpoint_steps, save_checkpoint_secs, default_secs=600
    )
    scaffold = scaffold or Scaffold()
    if not is_chief:
        creator = WorkerSessionCreator(
            scaffold=scaffold, master=master, config=config, max_wait_secs=max_wait_secs
        )
        return MonitoredSession(creator, hooks or [], stop_grace_period_secs)
    all_hooks = list(chief_only_hooks or [])
    creator = ChiefSessionCreator(
        scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master, config=config
    )
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(
                hooks_lib.StepCounterHook(
                    output_dir=summary_dir, every_n_steps=log_step_count_steps
                )
            )
        if (save_summaries_steps or 0) > 0 or (save_summaries_secs or 0) > 0:
            all_hooks.append(
                hooks_lib.SummarySaverHook(
                    scaffold=scaffold,
                    save_steps=save_summaries_steps,
                    save_secs=save_summaries_secs,
                    output_dir=summary_dir,
                )
            )
    if checkpoint_dir and ((save_checkpoint_secs or 0) > 0 or (save_checkpoint_steps or 0) > 0):
        all_hooks.append(
            hooks_lib.CheckpointSaverHook(
                checkpoint_dir,
                save_steps=save_checkpoint_steps,
                save_secs=save_checkpoint_secs,
                scaffold=scaffold,
                save_graph_def=save_graph_def,
            )
        )
    all_hooks.extend(hooks or [])
    return MonitoredSession(creator, all_hooks, stop_grace_period_secs)


def _steps_or_secs(steps, secs, default_steps=None, default_secs=None):
    """TF's defaults: when neither is given, the default; a given one wins over the other."""
    if steps is USE_DEFAULT and secs is USE_DEFAULT:
        return default_steps, default_secs
    return (None if steps is USE_DEFAULT else steps), (None if secs is USE_DEFAULT else secs)


# -- the wrappers --------------------------------------------------------------------------


class StepContext:
    """What ``run_step_fn``'s function receives: the raw session and a hooked run."""

    def __init__(self, session, run_with_hooks):
        self._session = session
        self._run_with_hooks = run_with_hooks

    @property
    def session(self):
        return self._session

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks(*args, **kwargs)

    def request_stop(self):
        """Stop training: leaves the step function (and the session's ``with`` block)."""
        raise StopIteration("step_fn has requested the iterations to stop.")


class _CoordinatedSessionCreator:
    """Creates the raw session, starts queue runners, tells the hooks, and wraps it."""

    def __init__(self, session_creator, hooks, stop_grace_period_secs):
        self._session_creator = session_creator
        self._hooks = hooks
        self._stop_grace_period_secs = stop_grace_period_secs
        self.tf_sess = None
        self.coord = None

    def create_session(self):
        self.tf_sess = self._session_creator.create_session()
        self.coord = Coordinator(clean_stop_exception_types=[])
        if self.tf_sess.graph.get_collection(GraphKeys.QUEUE_RUNNERS):
            start_queue_runners(sess=self.tf_sess, coord=self.coord)
        for hook in self._hooks:
            hook.after_create_session(self.tf_sess, self.coord)
        hooked = _HookedSession(self.tf_sess, self._hooks)
        return _CoordinatedSession(hooked, self.coord, self._stop_grace_period_secs)


class _WrappedSession:
    """Forwards to the wrapped session; ``should_stop`` also asks ``_check_stop``."""

    def __init__(self, sess):
        self._sess = sess

    @property
    def graph(self):
        return self._sess.graph

    def should_stop(self) -> bool:
        if self._check_stop():
            return True
        return self._sess.should_stop() if self._sess is not None else True

    def _check_stop(self) -> bool:
        return False

    def close(self) -> None:
        if self._sess is not None:
            self._sess.close()
            self._sess = None

    def run(self, *args, **kwargs):
        return self._sess.run(*args, **kwargs)

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        return step_fn(StepContext(raw_session, run_with_hooks or self.run))


class _RecoverableSession(_WrappedSession):
    """Closes and recreates the session when a run fails with a preemption error."""

    def __init__(self, creator):
        self._creator = creator
        super().__init__(self._create())

    def _create(self):
        while True:
            try:
                return self._creator.create_session()
            except _PREEMPTION_ERRORS as err:
                _logger.info("An error was raised while a session was being created: %s", err)

    def run(self, *args, **kwargs):
        return self._retried(lambda: self._sess.run(*args, **kwargs))

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        # The inner run lets preemptions reach this loop, which retries the whole step.
        return self._retried(lambda: self._sess.run_step_fn(step_fn, raw_session, self._sess.run))

    def _retried(self, call):
        while True:
            if self._sess is None:
                self._sess = self._create()
            try:
                return call()
            except _PREEMPTION_ERRORS as err:
                _logger.info(
                    "An error was raised. This may be due to a preemption in a connected "
                    "worker or parameter server. The current session will be closed and a new "
                    "session will be created. Error: %s",
                    err,
                )
                self.close()


class _CoordinatedSession(_WrappedSession):
    """Stops when the coordinator does; a failed run re-raises a queue runner's error."""

    def __init__(self, sess, coord, stop_grace_period_secs):
        super().__init__(sess)
        self._coord = coord
        self._stop_grace_period_secs = stop_grace_period_secs

    def _check_stop(self) -> bool:
        return self._coord.should_stop()

    def close(self) -> None:
        self._coord.request_stop()
        try:
            self._coord.join(
                stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True
            )
        finally:
            try:
                super().close()
            except Exception:  # closing after a stop must not mask its cause
                _logger.exception("Error while closing the session.")

    def run(self, *args, **kwargs):
        try:
            return self._sess.run(*args, **kwargs)
        except _PREEMPTION_ERRORS:
            raise
        except Exception:
            original = sys.exc_info()[1]
            try:
                self._coord.raise_requested_exception()
            except _PREEMPTION_ERRORS:
                raise
            except Exception:  # the run's own error explains more
                pass
            raise original from None


class _HookedSession(_WrappedSession):
    """Runs the hooks' ``before_run``/``after_run`` around each run."""

    def __init__(self, sess, hooks):
        super().__init__(sess)
        self._hooks = hooks
        self._should_stop = False

    def _check_stop(self) -> bool:
        return self._should_stop

    def should_stop(self) -> bool:
        return self._should_stop

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self._should_stop:
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._sess)
        all_fetches = {"caller": fetches}
        options = options if options is not None else RunOptions()
        feed_dict = self._hook_requests(context, all_fetches, feed_dict, options)
        run_metadata = run_metadata if run_metadata is not None else RunMetadata()
        outputs = self._sess.run(
            all_fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
        )
        for hook in self._hooks:
            values = SessionRunValues(outputs.get(hook), options, run_metadata)
            hook.after_run(context, values)
        self._should_stop = self._should_stop or context.stop_requested
        return outputs["caller"]

    def _hook_requests(self, context, all_fetches, user_feeds, options):
        """Collect the hooks' fetches (into ``all_fetches``), feeds and options."""
        hook_feeds: dict = {}
        for hook in self._hooks:
            request = hook.before_run(context)
            if request is None:
                continue
            if request.fetches is not None:
                all_fetches[hook] = request.fetches
            if request.feed_dict:
                _check_disjoint(hook_feeds, request.feed_dict, "Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
            if request.options:
                _merge_run_options(options, request.options)
        if not hook_feeds:
            return user_feeds
        if not user_feeds:
            return hook_feeds
        _check_disjoint(user_feeds, hook_feeds, "Same tensor is fed by a SessionRunHook and user.")
        return {**user_feeds, **hook_feeds}


def _check_disjoint(feeds, more, message: str) -> None:
    common = set(feeds) & set(more)
    if common:
        raise RuntimeError(f"{message} Conflict(s): {list(common)}")


def _merge_run_options(options, more) -> None:
    """Fold a hook's ``RunOptions`` into the run's: the most tracing, the longest timeout."""
    options.trace_level = max(options.trace_level, more.trace_level)
    options.timeout_in_ms = max(options.timeout_in_ms, more.timeout_in_ms)
    options.output_partition_graphs |= more.output_partition_graphs
