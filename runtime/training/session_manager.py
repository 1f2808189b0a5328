"""``SessionManager``: make a session whose model is ready, from a checkpoint or from scratch.

Ready means the ``ready_op`` (by default: the names of uninitialized variables) returns
nothing. ``prepare_session`` restores the latest checkpoint of ``checkpoint_dir`` when
there is one and otherwise runs the init op; then it runs the local init op (local
variables, tables) and checks readiness. This is what lets a training program killed
midway pick up from its last checkpoint when it is started again.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..errors import DeadlineExceededError, FailedPreconditionError
from ..graph import get_default_graph
from ..session import Session
from .checkpoint_management import get_checkpoint_state

__all__ = ["SessionManager"]

_logger = logging.getLogger("runtime")


def _name_of(op) -> str | None:
    return None if op is None else op.name


class SessionManager:
    """Creates sessions and makes their model ready (``tf.compat.v1.train.SessionManager``).

    Parameters
    ----------
    local_init_op : Operation, optional
        Run in every new session, once ``ready_for_local_init_op`` says it can be.
    ready_op : tensor, optional
        A 1-D string tensor listing what is not ready; empty when the model is.
    ready_for_local_init_op : tensor, optional
        The same, for what ``local_init_op`` needs (typically the global variables).
    graph : Graph, optional
        Default: the default graph.
    recovery_wait_secs : float
        How long to wait between attempts when waiting for a checkpoint or a chief.
    local_init_run_options, local_init_feed_dict : optional
        Passed to the run of ``local_init_op``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(3.0, name="v")
    ...     manager = SessionManager(ready_op=tf.compat.v1.report_uninitialized_variables())
    ...     sess = manager.prepare_session("", init_op=tf.compat.v1.global_variables_initializer())
    ...     print(sess.run(v))
    3.0
    """

    def __init__(
        self,
        local_init_op=None,
        ready_op=None,
        ready_for_local_init_op=None,
        graph=None,
        recovery_wait_secs=30,
        local_init_run_options=None,
        local_init_feed_dict=None,
    ):
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError(
                "If you pass a ready_for_local_init_op you must also pass a local_init_op , "
                f"ready_for_local_init_op [{ready_for_local_init_op}]"
            )
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict

    def prepare_session(
        self,
        master,
        init_op=None,
        saver=None,
        checkpoint_dir=None,
        checkpoint_filename_with_path=None,
        wait_for_checkpoint=False,
        max_wait_secs=7200,
        config=None,
        init_feed_dict=None,
        init_fn=None,
    ) -> Session:
        """A session with the model restored from a checkpoint, or initialized.

        ``init_op`` (with ``init_feed_dict``) and then ``init_fn(sess)`` run only when no
        checkpoint was restored. Raises ``RuntimeError`` when the model is still not
        ready afterwards, naming what is not.
        """
        sess, restored = self._restore_checkpoint(
            master,
            saver,
            checkpoint_dir,
            checkpoint_filename_with_path,
            wait_for_checkpoint,
            max_wait_secs,
            config,
        )
        if not restored:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError(
                    "Model is not initialized and no init_op or init_fn or local_init_op was given"
                )
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        local_ready, message = self._try_run_local_init_op(sess)
        if not local_ready:
            raise RuntimeError(
                "Init operations did not make model ready for local_init.  Init op: "
                f"{_name_of(init_op)}, init fn: {init_fn}, error: {message}"
            )
        ready, message = self._model_ready(sess)
        if not ready:
            raise RuntimeError(
                f"Init operations did not make model ready.  Init op: {_name_of(init_op)}, "
                f"init fn: {init_fn}, local_init_op: {self._local_init_op}, error: {message}"
            )
        return sess

    def recover_session(
        self,
        master,
        saver=None,
        checkpoint_dir=None,
        checkpoint_filename_with_path=None,
        wait_for_checkpoint=False,
        max_wait_secs=7200,
        config=None,
    ) -> tuple[Session, bool]:
        """``(session, ready)``: restore a checkpoint if there is one, never initialize."""
        sess, restored = self._restore_checkpoint(
            master,
            saver,
            checkpoint_dir,
            checkpoint_filename_with_path,
            wait_for_checkpoint,
            max_wait_secs,
            config,
        )
        local_ready, message = self._try_run_local_init_op(sess)
        if not restored:
            return sess, False
        source = checkpoint_dir or checkpoint_filename_with_path
        if not local_ready:
            _logger.info(
                "Restoring model from %s did not make model ready for local init: %s",
                source,
                message,
            )
            return sess, False
        ready, message = self._model_ready(sess)
        if not ready:
            _logger.info("Restoring model from %s did not make model ready: %s", source, message)
            return sess, False
        _logger.info("Restored model from %s", source)
        return sess, True

    def wait_for_session(self, master, config=None, max_wait_secs=float("Inf")) -> Session:
        """A session on ``master`` once another process (the chief) made the model ready.

        Raises ``DeadlineExceededError`` after ``max_wait_secs``.
        """
        max_wait_secs = float("Inf") if max_wait_secs is None else max_wait_secs
        deadline = time.monotonic() + max_wait_secs
        while True:
            sess = Session(master, graph=self._graph, config=config)
            local_ready, local_message = self._try_run_local_init_op(sess)
            message = None
            if local_ready:
                ready, message = self._model_ready(sess)
                if ready:
                    return sess
            sess.close()
            if deadline - time.monotonic() - self._recovery_wait_secs < 0:
                raise DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {max_wait_secs} secs."
                )
            _logger.info(
                "Waiting for model to be ready.  Ready_for_local_init_op:  %s, ready: %s",
                local_message,
                message,
            )
            time.sleep(self._recovery_wait_secs)

    def _restore_checkpoint(
        self,
        master,
        saver,
        checkpoint_dir,
        checkpoint_filename_with_path,
        wait_for_checkpoint,
        max_wait_secs,
        config,
    ) -> tuple[Session, bool]:
        """A new session, and whether a checkpoint was restored into it."""
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError(
                "Can not provide both checkpoint_dir and checkpoint_filename_with_path."
            )
        sess = Session(master, graph=self._graph, config=config)
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        waited = 0.0
        state = get_checkpoint_state(checkpoint_dir)
        while state is None:
            if not wait_for_checkpoint or waited >= max_wait_secs:
                return sess, False
            _logger.info("Waiting for checkpoint to be available.")
            time.sleep(self._recovery_wait_secs)
            waited += self._recovery_wait_secs
            state = get_checkpoint_state(checkpoint_dir)
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        return sess, True

    def _try_run_local_init_op(self, sess) -> tuple[bool, str | None]:
        if self._local_init_op is None:
            return True, None
        ready, message = _ready(
            self._ready_for_local_init_op, sess, "Model not ready for local init"
        )
        if not ready:
            return False, message
        _logger.info("Running local_init_op.")
        sess.run(
            self._local_init_op,
            feed_dict=self._local_init_feed_dict,
            options=self._local_init_run_options,
        )
        _logger.info("Done running local_init_op.")
        return True, None

    def _model_ready(self, sess) -> tuple[bool, str | None]:
        return _ready(self._ready_op, sess, "Model not ready")


def _ready(op, sess, message: str) -> tuple[bool, str | None]:
    """``(True, None)`` when ``op`` (a list of what is not ready) is empty, else the list."""
    if op is None:
        return True, None
    try:
        value = sess.run(op)
    except FailedPreconditionError as err:
        if "uninitialized" not in str(err):
            _logger.warning("%s : error [%s]", message, err)
            raise
        return False, str(err)
    if value is None or value.dtype == np.int32 or value.size == 0:
        return True, None
    names = ", ".join(name.decode("utf-8") for name in value)
    return False, f"Variables not initialized: {names}"
