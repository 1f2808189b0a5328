"""The ``checkpoint`` state file and where checkpoints are (TF's ``checkpoint_management``).

Next to the checkpoints, the text file ``checkpoint`` is a ``CheckpointState`` message
in protobuf text format::

    model_checkpoint_path: "model-3"
    all_model_checkpoint_paths: "model-2"
    all_model_checkpoint_paths: "model-3"

the file TensorFlow writes and reads. Paths in it may be relative to its directory;
:func:`get_checkpoint_state` returns them joined to it.
"""

from __future__ import annotations

import glob
import os
import time

from google.protobuf import text_format

from .. import checkpoint
from ..files import atomic_write
from ..proto.checkpoint_state_pb2 import CheckpointState
from ..tf_logging import info

__all__ = [
    "CheckpointState",
    "checkpoint_exists",
    "checkpoints_iterator",
    "generate_checkpoint_state_proto",
    "get_checkpoint_mtimes",
    "get_checkpoint_state",
    "latest_checkpoint",
    "remove_checkpoint",
    "update_checkpoint_state",
]


def get_checkpoint_state(checkpoint_dir, latest_filename=None) -> CheckpointState | None:
    """The ``CheckpointState`` of ``checkpoint_dir`` (``None`` when there is no state file,
    or it cannot be read); relative paths in it come back joined to ``checkpoint_dir``.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> update_checkpoint_state(d, d + "/model-2", [d + "/model-1", d + "/model-2"])
    >>> state = get_checkpoint_state(d)
    >>> state.model_checkpoint_path == d + "/model-2", len(state.all_model_checkpoint_paths)
    (True, 2)
    """
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = os.path.join(checkpoint_dir, latest_filename or "checkpoint")
    try:
        with open(path, encoding="utf-8") as file:
            state = text_format.Parse(file.read(), CheckpointState())
    except (OSError, UnicodeDecodeError, text_format.ParseError):
        return None  # TF ignores a state file it cannot read
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    paths = [
        p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
        for p in state.all_model_checkpoint_paths
    ]
    del state.all_model_checkpoint_paths[:]
    state.all_model_checkpoint_paths.extend(paths)
    return state


def update_checkpoint_state(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    latest_filename=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
    save_relative_paths=False,
) -> None:
    """Atomically rewrite the ``checkpoint`` file of ``save_dir``.

    ``model_checkpoint_path`` ends the list of all paths if it is not its last one.
    With ``save_relative_paths`` (or a relative ``save_dir`` and relative paths) the
    paths are written relative to ``save_dir``, so the directory can be moved.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> update_checkpoint_state(d, d + "/m-2", [d + "/m-1"], save_relative_paths=True)
    >>> print(open(d + "/checkpoint").read(), end="")
    model_checkpoint_path: "m-2"
    all_model_checkpoint_paths: "m-1"
    all_model_checkpoint_paths: "m-2"
    """
    save_dir = os.fspath(save_dir)
    state = generate_checkpoint_state_proto(
        save_dir,
        model_checkpoint_path,
        all_model_checkpoint_paths,
        all_model_checkpoint_timestamps,
        last_preserved_timestamp,
    )
    if save_relative_paths:
        state.model_checkpoint_path = _relative(state.model_checkpoint_path, save_dir)
        relative = [_relative(p, save_dir) for p in state.all_model_checkpoint_paths]
        del state.all_model_checkpoint_paths[:]
        state.all_model_checkpoint_paths.extend(relative)
    path = os.path.join(save_dir, latest_filename or "checkpoint")
    written = [model_checkpoint_path, *state.all_model_checkpoint_paths]
    if os.path.realpath(path) in {os.path.realpath(p) for p in written}:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint "
            f"state.  Please use a different save path."
        )
    atomic_write(path, text_format.MessageToString(state).encode())


def _relative(path: str, save_dir: str) -> str:
    return os.path.relpath(path, save_dir or ".") if os.path.isabs(path) else path


def generate_checkpoint_state_proto(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
) -> CheckpointState:
    """The ``CheckpointState`` of ``save_dir``: ``model_checkpoint_path`` ends the list of
    all paths, and relative paths are made relative to a relative ``save_dir``.

    Examples
    --------
    >>> state = generate_checkpoint_state_proto("ckpt", "ckpt/model-2", ["ckpt/model-1"])
    >>> state.model_checkpoint_path, list(state.all_model_checkpoint_paths)
    ('model-2', ['model-1', 'model-2'])
    """
    save_dir = os.fspath(save_dir)
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    timestamps = list(all_model_checkpoint_timestamps or [])
    if timestamps and len(timestamps) != len(paths):
        raise ValueError(
            f"Checkpoint timestamps, if provided, must match checkpoint paths (got paths "
            f"{paths} and timestamps {timestamps})"
        )
    if not os.path.isabs(save_dir):
        base = save_dir or "."
        paths = [p if os.path.isabs(p) else os.path.relpath(p, base) for p in paths]
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, base)
    return CheckpointState(
        model_checkpoint_path=model_checkpoint_path,
        all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=timestamps,
        last_preserved_timestamp=last_preserved_timestamp or 0.0,
    )


def latest_checkpoint(checkpoint_dir, latest_filename=None) -> str | None:
    """The prefix of the newest checkpoint in ``checkpoint_dir``, or ``None``.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as d, tf.Graph().as_default():
    ...     v = tf.Variable(1.0, name="v")
    ...     saver = tf.compat.v1.train.Saver()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         path = saver.save(sess, d + "/model", global_step=3)
    ...     print(latest_checkpoint(d) == path, path.endswith("model-3"))
    True True
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not checkpoint_exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def checkpoint_exists(checkpoint_prefix) -> bool:
    """True when a complete checkpoint with this prefix exists (its index is there).

    Examples
    --------
    >>> checkpoint_exists("/nonexistent/model-1")
    False
    """
    return checkpoint.exists(os.fspath(checkpoint_prefix))


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2, meta_graph_suffix="meta"):
    """Delete the files of checkpoint ``checkpoint_prefix`` (index first), and its meta graph
    (``<prefix>.<meta_graph_suffix>``) if there is one."""
    checkpoint.delete(os.fspath(checkpoint_prefix))
    meta_graph = f"{os.fspath(checkpoint_prefix)}.{meta_graph_suffix}"
    if os.path.exists(meta_graph):
        os.remove(meta_graph)


def get_checkpoint_mtimes(checkpoint_prefixes) -> list:
    """The modification times (seconds) of the checkpoints ``checkpoint_prefixes`` that
    exist: of each one's index (a file of TF's first format: the file itself).

    Examples
    --------
    >>> import os, tempfile
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> open(prefix + ".index", "w").close()
    >>> [round(t) == round(os.path.getmtime(prefix + ".index"))
    ...  for t in get_checkpoint_mtimes([prefix, prefix + "-missing"])]
    [True]
    """
    mtimes = []
    for prefix in checkpoint_prefixes:
        for pattern in (checkpoint.index_filename(os.fspath(prefix)), os.fspath(prefix)):
            matches = glob.glob(pattern)
            if matches:
                mtimes.append(os.stat(matches[0]).st_mtime_ns / 1e9)
                break
    return mtimes


def wait_for_new_checkpoint(
    checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1, timeout=None
) -> str | None:
    """The newest checkpoint of ``checkpoint_dir`` once it is not ``last_checkpoint``
    (polled every ``seconds_to_sleep``), or ``None`` after ``timeout`` seconds."""
    info("Waiting for new checkpoint at %s", checkpoint_dir)
    stop_time = None if timeout is None else time.time() + timeout
    while True:
        path = latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            info("Found new checkpoint at %s", path)
            return path
        if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Each new checkpoint of ``checkpoint_dir`` as it appears (at most one per
    ``min_interval_secs``); ends after ``timeout`` seconds without one, unless
    ``timeout_fn()`` says to wait on.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> d = tempfile.mkdtemp()
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(1.0)
    ...     saver = tf.compat.v1.train.Saver()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         path = saver.save(sess, d + "/model", global_step=1)
    >>> [p == path for p in checkpoints_iterator(d, timeout=0)]
    [True]
    """
    path = None
    while True:
        new_path = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if new_path is None:
            if not timeout_fn:
                info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        start = time.time()
        path = new_path
        yield path
        left = start + min_interval_secs - time.time()
        if left > 0:
            time.sleep(left)
