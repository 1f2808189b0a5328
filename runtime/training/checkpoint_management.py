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

import os

from google.protobuf import text_format

from .. import checkpoint
from ..files import atomic_write
from ..proto.checkpoint_state_pb2 import CheckpointState

__all__ = [
    "CheckpointState",
    "checkpoint_exists",
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
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)

    def written(p):
        if save_relative_paths or (not os.path.isabs(save_dir) and not os.path.isabs(p)):
            return os.path.relpath(p, save_dir or ".")
        return p

    state = CheckpointState(
        model_checkpoint_path=written(model_checkpoint_path),
        all_model_checkpoint_paths=[written(p) for p in paths],
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps or [],
        last_preserved_timestamp=last_preserved_timestamp or 0.0,
    )
    path = os.path.join(save_dir, latest_filename or "checkpoint")
    if os.path.realpath(path) in {os.path.realpath(p) for p in [model_checkpoint_path, *paths]}:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint "
            f"state.  Please use a different save path."
        )
    atomic_write(path, text_format.MessageToString(state).encode())


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
