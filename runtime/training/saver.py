"""``Saver``: save and restore variables to checkpoints, as TF1's ``tf.train.Saver``.

A ``Saver`` adds TF1's ``save`` ops to the graph::

    save/Const (PlaceholderWithDefault)   the checkpoint prefix, fed on each call
    save/SaveV2                           writes every variable
    save/control_dependency               the prefix, after SaveV2 ran
    save/RestoreV2 -> save/Assign ...     reads them back and assigns
    save/restore_all                      groups the assigns

``save`` runs ``save/control_dependency``; ``restore`` runs ``save/restore_all``, a
single step, so a failed restore (a missing key, a shape that changed) leaves every
variable as it was. The file format and its atomic writes: ``runtime.kernels.checkpoint``.
Next to the checkpoints, the text file ``checkpoint`` records the latest ones (paths
relative to its directory), as TF's ``CheckpointState`` does.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import os

from .. import dtypes
from ..errors import InvalidArgumentError, NotFoundError
from ..files import atomic_write
from ..graph import get_default_graph
from ..graph_keys import GraphKeys
from ..kernels import checkpoint as checkpoint_files
from ..ops.array_ops import identity, placeholder_with_default
from ..ops.control_flow_ops import group
from ..ops.core import apply_op, constant
from ..ops.variables import Variable, assign
from ..registry import REQUIRED, OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .training_util import global_step as global_step_value

SAVE_V2 = register_op(
    OpDef(
        "SaveV2",
        ("prefix", "tensor_names", "shape_and_slices", "*tensors"),
        (),
        attrs={"dtypes": REQUIRED},
        shape_fn=lambda *specs, dtypes: [],
        is_stateful=True,
    )
)
RESTORE_V2 = register_op(
    OpDef(
        "RestoreV2",
        ("prefix", "tensor_names", "shape_and_slices"),
        ("tensors",),
        attrs={"dtypes": REQUIRED},
        shape_fn=lambda *specs, dtypes: [TensorSpec(t, TensorShape(None)) for t in dtypes],
        is_stateful=True,
    )
)


@dataclasses.dataclass
class CheckpointState:
    """The contents of a ``checkpoint`` state file (absolute paths)."""

    model_checkpoint_path: str
    all_model_checkpoint_paths: list


def get_checkpoint_state(checkpoint_dir, latest_filename=None) -> CheckpointState | None:
    """Read the ``checkpoint`` file of ``checkpoint_dir`` (``None`` if there is none)."""
    path = os.path.join(checkpoint_dir, latest_filename or "checkpoint")
    try:
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except FileNotFoundError:
        return None
    fields: dict[str, list] = {}
    for line in lines:
        key, _, value = line.partition(":")
        if value.strip():
            fields.setdefault(key.strip(), []).append(json.loads(value.strip()))
    latest = fields.get("model_checkpoint_path", [""])[0]
    if not latest:
        return None

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    return CheckpointState(
        absolute(latest), [absolute(p) for p in fields.get("all_model_checkpoint_paths", [])]
    )


def update_checkpoint_state(
    save_dir, model_checkpoint_path, all_model_checkpoint_paths, latest_filename=None
) -> None:
    """Atomically rewrite the ``checkpoint`` file of ``save_dir``."""

    def relative(p):
        return os.path.relpath(p, save_dir) if save_dir else p

    lines = [f"model_checkpoint_path: {json.dumps(relative(model_checkpoint_path))}"]
    lines += [
        f"all_model_checkpoint_paths: {json.dumps(relative(p))}" for p in all_model_checkpoint_paths
    ]
    path = os.path.join(save_dir, latest_filename or "checkpoint")
    atomic_write(path, ("\n".join(lines) + "\n").encode())


def latest_checkpoint(checkpoint_dir, latest_filename=None) -> str | None:
    """The prefix of the newest checkpoint in ``checkpoint_dir``, or ``None``.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as d, tf.Graph().as_default():
    ...     v = tf.Variable(1.0, name="v")
    ...     saver = Saver()
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
    """True when a complete checkpoint with this prefix exists."""
    return checkpoint_files.exists(checkpoint_prefix)


def _checkpoint_prefix(ckpt_dir_or_file) -> str:
    if not os.path.isdir(ckpt_dir_or_file):
        return ckpt_dir_or_file
    prefix = latest_checkpoint(ckpt_dir_or_file)
    if prefix is None:
        raise ValueError(
            f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}"
        )
    return prefix


def list_variables(ckpt_dir_or_file) -> list:
    """``[(name, shape)]`` of a checkpoint (a prefix, or a directory's latest).

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as d, tf.Graph().as_default():
    ...     v = tf.Variable([[1, 2, 3]], name="layer/v")
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         _ = Saver().save(sess, d + "/model")
    ...     print(list_variables(d), load_variable(d, "layer/v"))
    [('layer/v', [1, 3])] [[1 2 3]]
    """
    return checkpoint_files.list_tensors(_checkpoint_prefix(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    """The value saved for variable ``name`` in a checkpoint (a prefix or a directory)."""
    (value,) = checkpoint_files.restore(_checkpoint_prefix(ckpt_dir_or_file), [name])
    return value


def _names_to_variables(var_list) -> dict:
    if isinstance(var_list, dict):
        return dict(var_list)
    named = {}
    for var in var_list:
        if not isinstance(var, Variable):
            raise TypeError(f"Variable to save is not a Variable: {var!r}")
        if var.op.name in named:
            raise ValueError(f"At least two variables have the same name: {var.op.name}")
        named[var.op.name] = var
    return named


class Saver:
    """Saves and restores variables (``tf.compat.v1.train.Saver``).

    Parameters
    ----------
    var_list : list or dict of Variable, optional
        What to save (default: every global variable); a dict names them.
    max_to_keep : int
        How many recent checkpoints to keep (``None`` or 0: all).
    name : str, optional
        Name scope of the save ops (default ``"save"``).
    allow_empty : bool
        Without variables, make ``save``/``restore`` do nothing instead of failing.
    filename : str, optional
        The default prefix the ``save/Const`` placeholder holds.

    Examples
    --------
    >>> import os, tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as d, tf.Graph().as_default():
    ...     w = tf.Variable([1.0, 2.0], name="w")
    ...     saver = Saver()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(w.initializer)
    ...         prefix = saver.save(sess, os.path.join(d, "model"))
    ...         _ = sess.run(w.assign([0.0, 0.0]))
    ...         saver.restore(sess, prefix)
    ...         print(sess.run(w))
    [1. 2.]
    """

    def __init__(self, var_list=None, max_to_keep=5, name=None, allow_empty=False, filename=None):
        graph = get_default_graph()
        if var_list is None:
            var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
        self._variables = _names_to_variables(var_list)
        self._max_to_keep = max_to_keep
        self._last_checkpoints: list[str] = []
        self._is_empty = not self._variables
        if self._is_empty:
            if not allow_empty:
                raise ValueError("No variables to save")
            return
        with graph.name_scope(name or "save"):
            self._build(filename or "model")
        graph.add_to_collection(GraphKeys.SAVERS, self)

    def _build(self, filename: str) -> None:
        names = sorted(self._variables)
        refs = [self._variables[n]._ref() for n in names]
        default = constant(filename, dtype=dtypes.string, name="filename/input")
        prefix = placeholder_with_default(
            placeholder_with_default(default, shape=[], name="filename"), shape=[], name="Const"
        )
        self._filename_tensor = prefix
        graph = get_default_graph()
        dtype_list = tuple(r.dtype.base_dtype for r in refs)
        with graph.name_scope("SaveV2") as scope:
            save = apply_op(
                SAVE_V2, [prefix, *_names_and_slices(names), refs], scope, dtypes=dtype_list
            )
        with graph.control_dependencies([save]):
            self._save_tensor = identity(prefix, name="control_dependency")
        with graph.name_scope("RestoreV2") as scope:
            restored = apply_op(
                RESTORE_V2, [prefix, *_names_and_slices(names)], scope, dtypes=dtype_list
            ).outputs
        assigns = [
            assign(ref, value, validate_shape=ref.shape.is_fully_defined()).op
            for ref, value in zip(refs, restored)
        ]
        self._restore_op = group(*assigns, name="restore_all")

    @property
    def last_checkpoints(self) -> list:
        """The prefixes of the checkpoints kept, oldest first."""
        return list(self._last_checkpoints)

    def save(
        self,
        sess,
        save_path,
        global_step=None,
        latest_filename=None,
        write_meta_graph=True,
        write_state=True,
    ):
        """Write a checkpoint; returns its prefix (``save_path`` or ``save_path-<step>``).

        ``global_step`` (a number, or a variable/tensor evaluated in ``sess``) is
        appended to the prefix. The ``checkpoint`` state file is updated and
        checkpoints beyond ``max_to_keep`` are deleted. ``write_meta_graph`` is
        accepted for TF1 code, but no ``.meta`` file is written: save the graph with
        ``tf.io.write_graph``.
        """
        if global_step is not None:
            if not isinstance(global_step, numbers.Number):
                global_step = global_step_value(sess, global_step)
            save_path = f"{save_path}-{int(global_step)}"
        if self._is_empty:
            return None
        directory = os.path.dirname(save_path)
        try:
            prefix = sess.run(self._save_tensor, {self._filename_tensor: save_path}).decode()
        except NotFoundError:
            if directory and not os.path.isdir(directory):
                raise ValueError(
                    f"Parent directory of {save_path} doesn't exist, can't save."
                ) from None
            raise
        if write_state:
            self._record(prefix)
            update_checkpoint_state(
                directory, prefix, self._last_checkpoints, latest_filename=latest_filename
            )
        return prefix

    def _record(self, prefix: str) -> None:
        if prefix in self._last_checkpoints:
            self._last_checkpoints.remove(prefix)
        self._last_checkpoints.append(prefix)
        if self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            checkpoint_files.delete(self._last_checkpoints.pop(0))

    def restore(self, sess, save_path) -> None:
        """Assign every variable its value from the checkpoint ``save_path``.

        Raises ``NotFoundError`` naming a variable missing from the checkpoint and
        ``InvalidArgumentError`` naming one whose shape or dtype changed; either way
        no variable is changed.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        if not checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        try:
            sess.run(self._restore_op, {self._filename_tensor: save_path})
        except NotFoundError as err:
            raise _restore_error(err, "a Variable name or other graph key that is missing") from err
        except InvalidArgumentError as err:
            raise _restore_error(err, "a mismatch between the current graph and the graph") from err


def _names_and_slices(names) -> list:
    return [
        constant(names, dtype=dtypes.string, name="tensor_names"),
        constant([""] * len(names), dtype=dtypes.string, name="shape_and_slices"),
    ]


def _restore_error(err, cause: str):
    variable = ""
    if err.op is not None and err.op.type == "Assign":
        variable = f" (variable '{err.op.inputs[0].op.name}')"
    text = (
        f"Restoring from checkpoint failed{variable}. This is most likely due to {cause} from "
        "the checkpoint. Please ensure that you have not altered the graph expected based on "
        f"the checkpoint. Original error:\n\n{err.message}"
    )
    return type(err)(err.node_def, err.op, text)
