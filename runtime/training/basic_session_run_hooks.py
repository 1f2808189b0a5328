"""The standard ``SessionRunHook``\\ s of TF1: stop, save checkpoints and summaries, log,
count steps, catch NaN losses, run final ops, feed, and profile.

Hooks that act "every N steps or seconds" share a ``SecondOrStepTimer``. Hooks that
read the global step fetch it with each run; the value fetched is the step before the
run's update ("stale"), so a hook reads it again when it must know the step exactly.
"""

from __future__ import annotations

import logging
import os
import time

import numpy as np

from .. import summary as summary_lib
from ..config import RunOptions
from ..graph import get_default_graph
from ..graph_io import write_graph
from ..graph_keys import GraphKeys
from ..timeline import Timeline
from .meta_graph import export_meta_graph
from .session_run_hook import SessionRunArgs, SessionRunHook
from .training_util import get_global_step, global_step_read

__all__ = [
    "CheckpointSaverHook",
    "CheckpointSaverListener",
    "FeedFnHook",
    "FinalOpsHook",
    "GlobalStepWaiterHook",
    "LoggingTensorHook",
    "NanLossDuringTrainingError",
    "NanTensorHook",
    "ProfilerHook",
    "SecondOrStepTimer",
    "StepCounterHook",
    "StopAtStepHook",
    "SummarySaverHook",
]

_logger = logging.getLogger("runtime")
_MANY_STEPS = 1_000_000


class SecondOrStepTimer:
    """Fires at most every ``every_secs`` seconds or every ``every_steps`` steps.

    Examples
    --------
    >>> timer = SecondOrStepTimer(every_steps=10)
    >>> timer.should_trigger_for_step(0)  # never fired yet
    True
    >>> timer.update_last_triggered_step(0)
    (None, None)
    >>> [timer.should_trigger_for_step(s) for s in (0, 9, 10)]
    [False, False, True]
    """

    def __init__(self, every_secs=None, every_steps=None):
        if every_secs is None and every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if every_secs is not None and every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self.reset()

    def reset(self) -> None:
        self._last_step = None
        self._last_time = None

    def should_trigger_for_step(self, step) -> bool:
        """True when ``step`` is far enough (in steps or time) from the last firing."""
        if self._last_step is None:
            return True
        if self._last_step == step:
            return False
        if self._every_secs is not None and time.time() >= self._last_time + self._every_secs:
            return True
        return self._every_steps is not None and step >= self._last_step + self._every_steps

    def update_last_triggered_step(self, step) -> tuple:
        """Record a firing at ``step``; ``(seconds, steps)`` since the last (``None`` at first)."""
        now = time.time()
        elapsed = (None, None)
        if self._last_time is not None:
            elapsed = (now - self._last_time, step - self._last_step)
        self._last_time, self._last_step = now, step
        return elapsed

    def last_triggered_step(self):
        return self._last_step


class _NeverTriggerTimer(SecondOrStepTimer):
    """A timer that never fires (``LoggingTensorHook`` logging only at the end)."""

    def __init__(self):
        self.reset()

    def should_trigger_for_step(self, step) -> bool:
        return False

    def update_last_triggered_step(self, step) -> tuple:
        return (None, None)


def _global_step_tensor(hook: str):
    step = global_step_read()
    if step is None:
        raise RuntimeError(f"Global step should be created to use {hook}.")
    return step


def _as_graph_element(obj):
    """A tensor of the default graph from a tensor or a name (``"loss"`` means ``loss:0``)."""
    graph = get_default_graph()
    if not isinstance(obj, str):
        if getattr(obj, "graph", None) is not graph:
            raise ValueError(
                f"Passed {obj} should have graph attribute that is equal to current graph {graph}."
            )
        return obj
    element = graph.as_graph_element(obj if ":" in obj else f"{obj}:0")
    if ":" not in obj and len(element.op.outputs) > 1:
        raise ValueError(
            f"Name {obj} is ambiguous, as this `Operation` has multiple outputs (at least 2)."
        )
    return element


class LoggingTensorHook(SessionRunHook):
    """Logs tensors' values every N steps or seconds, and/or at the end.

    Parameters
    ----------
    tensors : dict or list
        ``{tag: tensor or name}``, or a list of tensors or names (tagged by themselves).
    every_n_iter, every_n_secs : int or float, optional
        Exactly one, unless only ``at_end``.
    at_end : bool
        Also log once when the session ends.
    formatter : callable, optional
        ``formatter({tag: value}) -> str``; default ``"tag = value, ..."``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(3.0, name="x")
    ...     hook = LoggingTensorHook({"x": x}, every_n_iter=1, formatter=lambda v: f"x={v['x']}")
    ...     with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as sess:
    ...         _ = sess.run(x)  # logs "x=3.0" at INFO on the "runtime" logger
    """

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False, formatter=None):
        only_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError(
                "either at_end and/or exactly one of every_n_iter and every_n_secs must be "
                "provided."
            )
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if isinstance(tensors, dict):
            self._tag_order = sorted(tensors)
        else:
            self._tag_order = list(tensors)
            tensors = {item: item for item in tensors}
        self._tensors = tensors
        self._formatter = formatter
        self._timer = (
            _NeverTriggerTimer()
            if only_at_end
            else SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)
        )
        self._log_at_end = at_end

    def begin(self) -> None:
        self._timer.reset()
        self._iteration = 0
        self._current = {tag: _as_graph_element(t) for tag, t in self._tensors.items()}

    def before_run(self, run_context):
        self._should_trigger = self._timer.should_trigger_for_step(self._iteration)
        return SessionRunArgs(self._current) if self._should_trigger else None

    def after_run(self, run_context, run_values) -> None:
        if self._should_trigger:
            self._log(run_values.results)
        self._iteration += 1

    def end(self, session) -> None:
        if self._log_at_end:
            self._log(session.run(self._current))

    def _log(self, values: dict) -> None:
        elapsed, _ = self._timer.update_last_triggered_step(self._iteration)
        with np.printoptions(suppress=True):
            if self._formatter:
                _logger.info(self._formatter(values))
                return
            line = ", ".join(f"{tag} = {values[tag]}" for tag in self._tag_order)
            if elapsed is not None:
                _logger.info("%s (%.3f sec)", line, elapsed)
            else:
                _logger.info("%s", line)


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches ``last_step`` (or after ``num_steps``
    more steps from where the session started).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     step = tf.compat.v1.train.get_or_create_global_step()
    ...     train = tf.compat.v1.assign_add(step, 1)
    ...     with tf.compat.v1.train.MonitoredSession(hooks=[StopAtStepHook(num_steps=4)]) as sess:
    ...         runs = 0
    ...         while not sess.should_stop():
    ...             _ = sess.run(train)
    ...             runs += 1
    >>> runs
    4
    """

    def __init__(self, num_steps=None, last_step=None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self) -> None:
        self._global_step = _global_step_tensor("StopAtStepHook")

    def after_create_session(self, session, coord) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step)) + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values) -> None:
        # The value fetched is from before this run's update; read it again to be sure.
        if (
            run_values.results + 1 >= self._last_step
            and run_context.session.run(self._global_step) >= self._last_step
        ):
            run_context.request_stop()


class CheckpointSaverListener:
    """Called around each save of a ``CheckpointSaverHook``; ``after_save`` returning True
    stops training."""

    def begin(self) -> None:
        pass

    def before_save(self, session, global_step_value) -> None:
        pass

    def after_save(self, session, global_step_value):
        pass

    def end(self, session, global_step_value) -> None:
        pass


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint every N steps or seconds, when the session is created, and at
    the end.

    Also writes ``graph.pbtxt``, and the graph and meta graph into an event file of
    ``checkpoint_dir``, once the session exists (``save_graph_def``).

    Parameters
    ----------
    checkpoint_dir : str
    save_secs, save_steps : optional
        Exactly one.
    saver : Saver, optional
        Default: the scaffold's, else the graph's ``SAVERS`` collection's only one.
    checkpoint_basename : str
        Checkpoints are ``<checkpoint_dir>/<basename>-<step>``.
    scaffold : Scaffold, optional
    listeners : list of CheckpointSaverListener, optional
    save_graph_def : bool
    """

    def __init__(
        self,
        checkpoint_dir,
        save_secs=None,
        save_steps=None,
        saver=None,
        checkpoint_basename="model.ckpt",
        scaffold=None,
        listeners=None,
        save_graph_def=True,
    ):
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver, self._scaffold = saver, scaffold
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = list(listeners or [])
        self._save_graph_def = save_graph_def

    def begin(self) -> None:
        self._summary_writer = summary_lib.FileWriterCache.get(self._checkpoint_dir)
        self._global_step = _global_step_tensor("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord) -> None:
        step = int(session.run(self._global_step))
        if self._save_graph_def:
            # Not in begin(): other hooks may still add ops there.
            graph = get_default_graph()
            graph_def = graph.as_graph_def(add_shapes=True)
            write_graph(graph_def, self._checkpoint_dir, "graph.pbtxt")
            self._summary_writer.add_graph(graph)
            saver_def = self._get_saver().saver_def
            self._summary_writer.add_meta_graph(
                export_meta_graph(graph_def=graph_def, saver_def=saver_def, graph=graph)
            )
        self._save(session, step)
        self._timer.update_last_triggered_step(step)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values) -> None:
        # As TF: assume a run may advance the step by a lot, so with a step timer the
        # exact step is read after every run; with a seconds timer only when time is up.
        if self._timer.should_trigger_for_step(int(run_values.results) + _MANY_STEPS):
            step = int(run_context.session.run(self._global_step))
            if self._timer.should_trigger_for_step(step):
                self._timer.update_last_triggered_step(step)
                if self._save(run_context.session, step):
                    run_context.request_stop()

    def end(self, session) -> None:
        step = int(session.run(self._global_step))
        if step != self._timer.last_triggered_step():
            self._save(session, step)
        for listener in self._listeners:
            listener.end(session, step)

    def _save(self, session, step: int) -> bool:
        """Save at ``step``; True when a listener asks to stop training."""
        for listener in self._listeners:
            listener.before_save(session, step)
        _logger.info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(
            session, self._save_path, global_step=step, write_meta_graph=self._save_graph_def
        )
        log = summary_lib.SessionLog(
            status=summary_lib.SessionLog.CHECKPOINT, checkpoint_path=self._save_path
        )
        self._summary_writer.add_session_log(log, step)
        stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                _logger.info(
                    "A CheckpointSaverListener requested that training be stopped. listener: %s",
                    listener,
                )
                stop = True
        return stop

    def _get_saver(self):
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        savers = get_default_graph().get_collection(GraphKeys.SAVERS)
        if not savers:
            raise RuntimeError(
                f"No items in collection {GraphKeys.SAVERS}. Please add a saver to the "
                "collection or provide a saver or scaffold."
            )
        if len(savers) > 1:
            raise RuntimeError(
                f"More than one item in collection {GraphKeys.SAVERS}. Please indicate which "
                "one to use by passing it to the constructor."
            )
        self._saver = savers[0]
        return self._saver


class StepCounterHook(SessionRunHook):
    """Logs (and writes as the summary ``global_step/sec``) the training speed."""

    def __init__(self, every_n_steps=100, every_n_secs=None, output_dir=None, summary_writer=None):
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._last_step = None
        self._warnings_left = 5

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = summary_lib.FileWriterCache.get(self._output_dir)
        self._global_step = _global_step_tensor("StepCounterHook")
        self._tag = f"{get_global_step().op.name}/sec"

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values) -> None:
        stale = int(run_values.results)
        if self._timer.should_trigger_for_step(stale + 1):
            step = int(run_context.session.run(self._global_step))
            if self._timer.should_trigger_for_step(step):
                elapsed_secs, elapsed_steps = self._timer.update_last_triggered_step(step)
                if elapsed_secs is not None:
                    self._record(elapsed_steps / elapsed_secs, step)
        if stale == self._last_step and self._warnings_left > 0:  # TF warns five times
            self._warnings_left -= 1
            _logger.warning(
                "It seems that global step (tf.train.get_global_step) has not been increased. "
                "Current value (could be stable): %s vs previous value: %s.",
                stale,
                self._last_step,
            )
        self._last_step = stale

    def _record(self, steps_per_sec: float, step: int) -> None:
        if self._summary_writer is not None:
            value = summary_lib.Summary.Value(tag=self._tag, simple_value=steps_per_sec)
            self._summary_writer.add_summary(summary_lib.Summary(value=[value]), step)
        _logger.info("%s: %g", self._tag, steps_per_sec)


class NanLossDuringTrainingError(RuntimeError):
    """The loss became NaN (raised by ``NanTensorHook``)."""

    def __str__(self):
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Stops training (raising ``NanLossDuringTrainingError`` by default) when the loss is NaN.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.constant(float("nan"))
    ...     with tf.compat.v1.train.MonitoredSession(hooks=[NanTensorHook(loss)]) as sess:
    ...         sess.run(loss)
    Traceback (most recent call last):
    ...
    runtime.training.basic_session_run_hooks.NanLossDuringTrainingError: NaN loss during training.
    """

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values) -> None:
        if np.isnan(run_values.results):
            message = "Model diverged with loss = NaN."
            if self._fail_on_nan_loss:
                _logger.error(message)
                raise NanLossDuringTrainingError
            _logger.warning(message)
            run_context.request_stop()


class SummarySaverHook(SessionRunHook):
    """Writes the summary op's result every N steps or seconds to an event file.

    Parameters
    ----------
    save_steps, save_secs : optional
        Exactly one.
    output_dir : str, optional
        Where the events go (or give ``summary_writer``).
    summary_writer : FileWriter, optional
    scaffold : Scaffold, optional
        Its ``summary_op`` is written (exactly one of ``scaffold`` and ``summary_op``).
    summary_op : tensor or list of tensors, optional
        Serialized ``Summary`` protos.
    """

    def __init__(
        self,
        save_steps=None,
        save_secs=None,
        output_dir=None,
        summary_writer=None,
        scaffold=None,
        summary_op=None,
    ):
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        if self._summary_writer is None and self._output_dir:
            self._summary_writer = summary_lib.FileWriterCache.get(self._output_dir)
        self._next_step = None
        self._global_step = _global_step_tensor("SummarySaverHook")

    def before_run(self, run_context):
        self._request_summary = self._next_step is None or self._timer.should_trigger_for_step(
            self._next_step
        )
        requests = {"global_step": self._global_step}
        ops = self._get_summary_op()
        if self._request_summary and ops:
            requests["summary"] = ops
        return SessionRunArgs(requests)

    def after_run(self, run_context, run_values) -> None:
        if self._summary_writer is None:
            return
        stale = int(run_values.results["global_step"])
        step = stale + 1
        if self._next_step is None or self._request_summary:
            step = int(run_context.session.run(self._global_step))
        if self._next_step is None:
            self._summary_writer.add_session_log(
                summary_lib.SessionLog(status=summary_lib.SessionLog.START), step
            )
        if self._request_summary:
            self._timer.update_last_triggered_step(step)
            for summary in run_values.results.get("summary", []):
                self._summary_writer.add_summary(summary, step)
        self._next_step = step + 1

    def end(self, session=None) -> None:
        if self._summary_writer is not None:
            self._summary_writer.flush()

    def _get_summary_op(self) -> list:
        op = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if op is None:
            return []
        return list(op) if isinstance(op, list | tuple) else [op]


class GlobalStepWaiterHook(SessionRunHook):
    """Delays the first run until the global step reaches ``wait_until_step`` (a worker
    waiting for the chief to warm up)."""

    def __init__(self, wait_until_step):
        self._wait_until_step = wait_until_step

    def begin(self) -> None:
        self._worker_is_started = False
        self._global_step = _global_step_tensor("GlobalStepWaiterHook")

    def before_run(self, run_context):
        if self._worker_is_started or self._wait_until_step <= 0:
            self._worker_is_started = True
            return None
        _logger.info("Waiting for global step %d before starting training.", self._wait_until_step)
        last_logged = 0
        while True:
            step = int(run_context.session.run(self._global_step))
            if step >= self._wait_until_step:
                self._worker_is_started = True
                return None
            if step - last_logged > 1000:
                _logger.info(
                    "Waiting for global step %d before starting training. Current step is %d.",
                    self._wait_until_step,
                    step,
                )
                last_logged = step
            time.sleep(0.5)


class FinalOpsHook(SessionRunHook):
    """Runs ``final_ops`` when the session ends; their values are ``final_ops_values``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     total = tf.constant(42)
    ...     hook = FinalOpsHook(total)
    ...     with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as sess:
    ...         pass
    >>> int(hook.final_ops_values)
    42
    """

    def __init__(self, final_ops, final_ops_feed_dict=None):
        self._final_ops = final_ops
        self._final_ops_feed_dict = final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self):
        return self._final_ops_values

    def end(self, session) -> None:
        if self._final_ops is not None:
            self._final_ops_values = session.run(
                self._final_ops, feed_dict=self._final_ops_feed_dict
            )


class FeedFnHook(SessionRunHook):
    """Feeds ``feed_fn()``'s dict into every run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [])
    ...     y = x * 3.0
    ...     hook = FeedFnHook(lambda: {x: 2.0})
    ...     with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as sess:
    ...         print(sess.run(y))
    6.0
    """

    def __init__(self, feed_fn):
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


class ProfilerHook(SessionRunHook):
    """Traces a run every N steps or seconds and writes it as a Chrome trace
    (``<output_dir>/timeline-<step>.json``, open it in ``chrome://tracing`` or Perfetto).
    """

    def __init__(
        self, save_steps=None, save_secs=None, output_dir="", show_dataflow=True, show_memory=False
    ):
        self._output_file = os.path.join(output_dir, "timeline-{}.json")
        self._output_dir = output_dir
        self._show_dataflow, self._show_memory = show_dataflow, show_memory
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        self._next_step = None
        self._global_step = _global_step_tensor("ProfilerHook")
        self._file_writer = summary_lib.FileWriterCache.get(self._output_dir or ".")

    def before_run(self, run_context):
        self._request_trace = self._next_step is not None and self._timer.should_trigger_for_step(
            self._next_step
        )
        options = RunOptions(trace_level=RunOptions.FULL_TRACE) if self._request_trace else None
        return SessionRunArgs({"global_step": self._global_step}, options=options)

    def after_run(self, run_context, run_values) -> None:
        stale = int(run_values.results["global_step"])
        if self._next_step is None:
            # Start counting from here, so the first trace comes N steps or seconds in.
            self._timer.update_last_triggered_step(stale)
        step = stale + 1
        if self._request_trace:
            step = int(run_context.session.run(self._global_step))
            self._timer.update_last_triggered_step(step)
            self._save(step, run_values.run_metadata.step_stats)
            self._file_writer.add_run_metadata(run_values.run_metadata, f"step_{step}")
        self._next_step = step + 1

    def _save(self, step: int, step_stats) -> None:
        path = self._output_file.format(step)
        _logger.info("Saving timeline for %d into '%s'.", step, path)
        if self._output_dir:
            os.makedirs(self._output_dir, exist_ok=True)
        trace = Timeline(step_stats).generate_chrome_trace_format(
            show_dataflow=self._show_dataflow, show_memory=self._show_memory
        )
        with open(path, "w", encoding="utf-8") as file:
            file.write(trace)
