"""``tf.train.Supervisor``: TF1's classic training manager (before ``MonitoredTrainingSession``).

A Supervisor gathers what a training program needs around its session: the ops that
initialize and check the model (from the graph's collections, or made), a ``Saver``, the
summary op and the global step; then ``managed_session()`` prepares a session (restoring
the latest checkpoint of ``logdir``, else initializing), writes the graph, starts the
standard services (threads that save a checkpoint every ``save_model_secs``, write
summaries and the steps per second every ``save_summaries_secs``) and the queue runners,
and on leaving stops them all through its ``Coordinator``, reporting the error that
stopped them. It finalizes the graph, as TF's does.
"""

from __future__ import annotations

import contextlib
import os
import time

from .. import dtypes
from ..graph import get_default_graph
from ..graph_io import write_graph
from ..graph_keys import GraphKeys
from ..ops.control_flow_ops import group
from ..ops.summary_ops import merge_all
from ..ops.variables import (
    global_variables,
    global_variables_initializer,
    local_variables_initializer,
    report_uninitialized_variables,
)
from ..proto.event_pb2 import SessionLog
from ..proto.summary_pb2 import Summary
from ..summary.writer import FileWriter
from ..tf_logging import info, warning
from ..variables_v1 import tables_initializer
from .basic_loops import LooperThread
from .coordinator import Coordinator
from .meta_graph import export_meta_graph
from .saver import Saver
from .session_manager import SessionManager
from .training_util import global_step as global_step_value

__all__ = ["Supervisor"]


class Supervisor:
    """A training program's session, checkpoints, summaries and threads, managed
    (``tf.compat.v1.train.Supervisor``).

    Each argument left as ``Supervisor.USE_DEFAULT`` is taken from its graph collection
    (``READY_OP``, ``INIT_OP``, ``LOCAL_INIT_OP``, ``SAVERS``, ``SUMMARY_OP``,
    ``GLOBAL_STEP``) or made as TF makes it; ``None`` means none. Only the chief
    (``is_chief``) initializes, saves and writes summaries; other tasks wait for the model
    to be ready.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> logdir = tempfile.mkdtemp()
    >>> def train():
    ...     with tf.Graph().as_default():
    ...         step = tf.compat.v1.train.get_or_create_global_step()
    ...         bump = tf.compat.v1.assign_add(step, 1)
    ...         sv = Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0)
    ...         with sv.managed_session() as sess:
    ...             for _ in range(3):
    ...                 sess.run(bump)
    ...             sv.saver.save(sess, sv.save_path, global_step=step)
    ...             return int(sess.run(step))
    >>> train(), train()  # the second run goes on from the checkpoint of the first
    (3, 6)
    """

    USE_DEFAULT = 0

    def __init__(
        self,
        graph=None,
        ready_op=USE_DEFAULT,
        ready_for_local_init_op=USE_DEFAULT,
        is_chief=True,
        init_op=USE_DEFAULT,
        init_feed_dict=None,
        local_init_op=USE_DEFAULT,
        logdir=None,
        summary_op=USE_DEFAULT,
        saver=USE_DEFAULT,
        global_step=USE_DEFAULT,
        save_summaries_secs=120,
        save_model_secs=600,
        recovery_wait_secs=30,
        stop_grace_secs=120,
        checkpoint_basename="model.ckpt",
        session_manager=None,
        summary_writer=USE_DEFAULT,
        init_fn=None,
        local_init_run_options=None,
    ):
        graph = graph if graph is not None else get_default_graph()
        self._graph = graph
        with graph.as_default():
            self._ready_op = self._or_collection(
                ready_op, GraphKeys.READY_OP, report_uninitialized_variables
            )
            self._ready_for_local_init_op = (
                self._first(GraphKeys.READY_FOR_LOCAL_INIT_OP)
                if ready_for_local_init_op is Supervisor.USE_DEFAULT
                else ready_for_local_init_op
            )
            self._init_op = self._or_collection(
                init_op, GraphKeys.INIT_OP, global_variables_initializer
            )
            self._init_feed_dict = init_feed_dict
            self._local_init_op = self._or_collection(
                local_init_op,
                GraphKeys.LOCAL_INIT_OP,
                lambda: group(local_variables_initializer(), tables_initializer()),
            )
            self._saver = self._or_collection(
                saver, GraphKeys.SAVERS, lambda: Saver() if global_variables() else None
            )
            self._summary_op = self._or_collection(summary_op, GraphKeys.SUMMARY_OP, merge_all)
            self._global_step = self._or_collection(
                global_step, GraphKeys.GLOBAL_STEP, self._default_global_step
            )
        self._meta_graph_def = export_meta_graph(
            graph=graph, saver_def=self._saver.saver_def if self._saver else None
        )
        self._is_chief = is_chief
        self._coord = Coordinator()
        self._recovery_wait_secs = recovery_wait_secs
        self._stop_grace_secs = stop_grace_secs
        self._init_fn = init_fn
        self._logdir = logdir if is_chief else None
        self._save_summaries_secs = save_summaries_secs if is_chief else None
        self._save_model_secs = save_model_secs if is_chief else None
        self._save_path = os.path.join(logdir, checkpoint_basename) if is_chief and logdir else None
        self._summary_writer = None
        if is_chief:
            if summary_writer is Supervisor.USE_DEFAULT:
                self._summary_writer = FileWriter(logdir) if logdir else None
            else:
                self._summary_writer = summary_writer
        self._graph_added_to_summary = False
        self._session_manager = session_manager or SessionManager(
            local_init_op=self._local_init_op,
            ready_op=self._ready_op,
            ready_for_local_init_op=self._ready_for_local_init_op,
            graph=graph,
            recovery_wait_secs=recovery_wait_secs,
            local_init_run_options=local_init_run_options,
        )
        self._verify_setup()
        graph.finalize()

    # -- what the supervisor found or made --------------------------------------------

    def _first(self, key):
        items = self._graph.get_collection(key)
        if len(items) > 1:
            info("Found %d %s operations. Returning the first one.", len(items), key)
        return items[0] if items else None

    def _or_collection(self, given, key, make):
        """``given``; for ``USE_DEFAULT`` the collection's first item, else ``make()`` (then
        added to the collection)."""
        if given is not Supervisor.USE_DEFAULT:
            return given
        found = self._first(key)
        if found is None:
            found = make()
            if found is not None:
                self._graph.add_to_collection(key, found)
        return found

    def _default_global_step(self):
        try:
            step = self._graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
        if step.dtype.base_dtype in (dtypes.int32, dtypes.int64):
            return step
        warning("Found 'global_step' is not an int type: %s", step.dtype)
        return None

    def _verify_setup(self) -> None:
        if self._is_chief:
            return
        for op in self._graph.get_operations():
            if op.type in ("Variable", "VariableV2") and not op.device:
                raise ValueError(
                    f"When using replicas, all Variables must have their device set: {op}"
                )

    is_chief = property(lambda self: self._is_chief)
    session_manager = property(lambda self: self._session_manager)
    coord = property(lambda self: self._coord, doc="The Coordinator of the threads.")
    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    summary_writer = property(lambda self: self._summary_writer)
    summary_op = property(lambda self: self._summary_op)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)
    global_step = property(lambda self: self._global_step)
    saver = property(lambda self: self._saver)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_path = property(lambda self: self._save_path, doc="``logdir/checkpoint_basename``.")

    # -- sessions and services ----------------------------------------------------------

    def _write_graph(self) -> None:
        if self._logdir:
            write_graph(self._graph.as_graph_def(add_shapes=True), self._logdir, "graph.pbtxt")
        if self._summary_writer and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            self._summary_writer.add_meta_graph(self._meta_graph_def)
            self._graph_added_to_summary = True

    def start_standard_services(self, sess) -> list:
        """Start the threads that save checkpoints and write summaries and steps per
        second (the chief's; each only if its interval and what it needs are set)."""
        if not self._is_chief:
            raise RuntimeError(
                "Only chief supervisor can start standard services. Because only chief "
                "supervisors can write events."
            )
        if not self._logdir:
            warning("Standard services need a 'logdir' passed to the SessionManager")
            return []
        if self._global_step is not None and self._summary_writer:
            step = global_step_value(sess, self._global_step)
            self._summary_writer.add_session_log(SessionLog(status=SessionLog.START), step)
        threads = []
        if self._save_summaries_secs and self._summary_writer:
            if self._summary_op is not None:
                threads.append(_SummaryThread(self, sess))
            if self._global_step is not None:
                threads.append(_StepCounterThread(self, sess))
        if self._saver and self._save_model_secs:
            threads.append(_CheckpointThread(self, sess))
        for thread in threads:
            thread.start()
        return threads

    def prepare_or_wait_for_session(
        self,
        master="",
        config=None,
        wait_for_checkpoint=False,
        max_wait_secs=7200,
        start_standard_services=True,
    ):
        """The chief's session restored from ``logdir`` (or initialized), with the graph
        written and the services and queue runners started; another task's once the
        model is ready."""
        self._coord.clear_stop()
        if self._summary_writer:
            self._summary_writer.reopen()
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master,
                init_op=self._init_op,
                saver=self._saver,
                checkpoint_dir=self._logdir,
                wait_for_checkpoint=wait_for_checkpoint,
                max_wait_secs=max_wait_secs,
                config=config,
                init_feed_dict=self._init_feed_dict,
                init_fn=self._init_fn,
            )
            self._write_graph()
            if start_standard_services:
                info("Starting standard services.")
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(
                master, config=config, max_wait_secs=max_wait_secs
            )
        if start_standard_services:
            info("Starting queue runners.")
            self.start_queue_runners(sess)
        return sess

    def start_queue_runners(self, sess, queue_runners=None) -> list:
        """Start the threads of ``queue_runners`` (default: the graph's) under the
        supervisor's coordinator."""
        if queue_runners is None:
            queue_runners = self._graph.get_collection(GraphKeys.QUEUE_RUNNERS)
        threads = []
        for runner in queue_runners:
            threads.extend(runner.create_threads(sess, coord=self._coord, daemon=True, start=True))
        return threads

    def loop(self, timer_interval_secs, target, args=None, kwargs=None) -> LooperThread:
        """A started thread calling ``target`` every ``timer_interval_secs`` until stopped."""
        return LooperThread.loop(self._coord, timer_interval_secs, target, args, kwargs)

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False) -> None:
        """Stop the threads (they get ``stop_grace_secs``), re-raising what stopped them,
        and close the summary writer."""
        self._coord.request_stop()
        try:
            self._coord.join(
                threads,
                stop_grace_period_secs=self._stop_grace_secs,
                ignore_live_threads=ignore_live_threads,
            )
        finally:
            if close_summary_writer and self._summary_writer:
                self._summary_writer.add_session_log(SessionLog(status=SessionLog.STOP))
                self._summary_writer.close()
                self._graph_added_to_summary = False

    def request_stop(self, ex=None) -> None:
        """Ask the threads to stop (``ex``, an error, is re-raised by ``stop``)."""
        self._coord.request_stop(ex=ex)

    def should_stop(self) -> bool:
        """Whether a stop was requested."""
        return self._coord.should_stop()

    def stop_on_exception(self):
        """A context manager that requests a stop if its body raises."""
        return self._coord.stop_on_exception()

    def wait_for_stop(self) -> None:
        """Block until a stop is requested."""
        self._coord.wait_for_stop()

    def summary_computed(self, sess, summary, global_step=None) -> None:
        """Write ``summary`` (at ``global_step``, default the current global step)."""
        if not self._summary_writer:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = global_step_value(sess, self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    @contextlib.contextmanager
    def managed_session(
        self, master="", config=None, start_standard_services=True, close_summary_writer=True
    ):
        """A prepared session; on leaving, the threads stop (an error in the body stops
        them and is re-raised, unless it is ``OutOfRangeError``, the end of the input,
        which the coordinator takes as a clean stop) and the session closes."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(
                master=master, config=config, start_standard_services=start_standard_services
            )
            yield sess
        except Exception as err:
            self.request_stop(err)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    with contextlib.suppress(Exception):
                        sess.close()

    # TF's old CamelCase names.
    PrepareSession = prepare_or_wait_for_session
    StartQueueRunners = start_queue_runners
    StartStandardServices = start_standard_services
    Stop = stop
    RequestStop = request_stop
    Loop = loop
    ShouldStop = should_stop
    StopOnException = stop_on_exception
    WaitForStop = wait_for_stop
    SummaryComputed = summary_computed


class _SummaryThread(LooperThread):
    """Writes the summary op's value every ``save_summaries_secs``."""

    def __init__(self, sv: Supervisor, sess):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess

    def run_loop(self) -> None:
        if self._sv.global_step is not None:
            summary, step = self._sess.run([self._sv.summary_op, self._sv.global_step])
        else:
            summary, step = self._sess.run(self._sv.summary_op), None
        info("Recording summary at step %s.", step)
        self._sv.summary_writer.add_summary(summary, step)


class _StepCounterThread(LooperThread):
    """Writes ``<global step>/sec`` every ``save_summaries_secs``."""

    def __init__(self, sv: Supervisor, sess):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess
        self._tag = f"{sv.global_step.op.name}/sec"
        self._last_time, self._last_step = 0.0, 0

    def start_loop(self) -> None:
        self._last_time = time.time()
        self._last_step = global_step_value(self._sess, self._sv.global_step)

    def run_loop(self) -> None:
        step = global_step_value(self._sess, self._sv.global_step)
        now = time.time()
        elapsed, added = now - self._last_time, step - self._last_step
        self._last_time, self._last_step = now, step
        rate = added / elapsed if elapsed > 0 else float("inf")
        summary = Summary(value=[Summary.Value(tag=self._tag, simple_value=rate)])
        self._sv.summary_writer.add_summary(summary, step)


class _CheckpointThread(LooperThread):
    """Saves a checkpoint every ``save_model_secs``."""

    def __init__(self, sv: Supervisor, sess):
        super().__init__(sv.coord, sv.save_model_secs)
        self._sv, self._sess = sv, sess

    def run_loop(self) -> None:
        info("Saving checkpoint to path %s", self._sv.save_path)
        self._sv.saver.save(self._sess, self._sv.save_path, global_step=self._sv.global_step)
        if self._sv.summary_writer and self._sv.global_step is not None:
            step = global_step_value(self._sess, self._sv.global_step)
            log = SessionLog(status=SessionLog.CHECKPOINT, checkpoint_path=self._sv.save_path)
            self._sv.summary_writer.add_session_log(log, step)
