"""``Saver``: save and restore variables to checkpoints, as TF1's ``tf.train.Saver``.

The checkpoints are TensorFlow's V2 format (:mod:`runtime.checkpoint`): TF restores
what this Saver writes and this Saver restores what TF writes. A ``Saver`` adds TF1's
``save`` ops to the graph::

    save/Const (PlaceholderWithDefault)   the checkpoint prefix, fed on each call
    save/SaveV2                           writes every variable, sorted by name
    save/control_dependency               the prefix, after SaveV2 ran
    save/RestoreV2 -> save/Assign ...     reads them back and assigns
    save/restore_all                      groups the assigns

With ``sharded=True`` the variables are grouped by device: each group is written by
its own ``SaveV2`` to a shard (``save/ShardedFilename``), and ``MergeV2Checkpoints``
joins the shards into one checkpoint with one data file per device.

``save`` runs the save ops; ``restore`` runs ``save/restore_all``, a single step, so a
failed restore (a missing key, a shape that changed, a damaged file) leaves every
variable as it was. Next to the checkpoints, the text file ``checkpoint`` records the
latest ones (:mod:`.checkpoint_management`).
"""

from __future__ import annotations

import contextlib
import numbers
import os
import time
from typing import NamedTuple

from .. import checkpoint, dtypes
from ..checkpoint import kernels as _kernels  # noqa: F401 - registers SaveV2 & co
from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops.array_ops import identity, placeholder_with_default, reshape, shape, stack
from ..ops.control_flow_ops import group
from ..ops.core import apply_op, constant, convert_to_tensor
from ..ops.variables import PartitionedVariable, Variable, assign
from ..proto.saver_pb2 import SaverDef
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..scopes import device
from ..shapes import TensorShape
from .checkpoint_management import (
    CheckpointState,
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from .checkpoint_utils import list_variables, load_variable
from .training_util import global_step as global_step_value

__all__ = [  # the checkpoint helpers are importable from here too, as from TF's saver module
    "CheckpointState",
    "Saver",
    "checkpoint_exists",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_variable",
    "update_checkpoint_state",
]

_STRING = TensorSpec(dtypes.string, TensorShape([]))
SAVE_V2 = register_op(
    OpDef(
        "SaveV2",
        ("prefix: string", "tensor_names: string", "shape_and_slices: string", "tensors: dtypes"),
        (),
        ("dtypes: list(type) >= 1",),
        shape_fn=lambda *specs, dtypes: [],
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
RESTORE_V2 = register_op(
    OpDef(
        "RestoreV2",
        ("prefix: string", "tensor_names: string", "shape_and_slices: string"),
        ("tensors: dtypes",),
        ("dtypes: list(type) >= 1",),
        shape_fn=lambda *specs, dtypes: [TensorSpec(t, TensorShape(None)) for t in dtypes],
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
MERGE_V2_CHECKPOINTS = register_op(
    OpDef(
        "MergeV2Checkpoints",
        ("checkpoint_prefixes: string", "destination_prefix: string"),
        (),
        ("delete_old_dirs: bool = true", "allow_missing_files: bool = false"),
        shape_fn=lambda *specs, **attrs: [],
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
SHARDED_FILENAME = register_op(
    OpDef(
        "ShardedFilename",
        ("basename: string", "shard: int32", "num_shards: int32"),
        ("filename: string",),
        (),
        shape_fn=lambda *specs: [_STRING],
    )
)


class _Saved(NamedTuple):
    """One tensor a Saver writes: a variable, under ``name``, whole (``spec`` ``""``) or as
    the slice ``spec`` of the tensor ``name`` (a part of a partitioned variable)."""

    name: str
    variable: Variable
    spec: str


def _parts(parts) -> list:
    """The slices of one partitioned tensor: variables knowing their place in it."""
    saved = []
    for part in parts:
        if not isinstance(part, Variable):
            raise ValueError(f"Slices must all be Variables: {part}")
        info = part._get_save_slice_info()
        if info is None:
            raise ValueError(f"Slices must all be slices: {part}")
        if saved and info.full_name != saved[0].name:
            raise ValueError(
                f"Slices must all be from the same tensor: {saved[0].name} != {info.full_name}"
            )
        saved.append(_Saved(info.full_name, part, info.spec))
    return saved


def _named_entry(name, value) -> list:
    """What one entry of a ``var_list`` dict saves: a variable, or the parts of one."""
    if not isinstance(name, str):
        raise TypeError(
            "names_to_saveables must be a dict mapping string names to trackable operations. "
            f"Name is not a string: {name}"
        )
    if isinstance(value, PartitionedVariable | list | tuple):
        return [part._replace(name=name) for part in _parts(list(value))]
    return [_Saved(name, _variable_of(value), "")]


def _variable_of(value) -> Variable:
    """The variable a dict entry names: a ``Variable`` or its reference tensor (``v:0``).

    Anything else is refused with TF's ``TypeError``, after converting it to a tensor as
    TF does (so a Python value is named by the ``Const`` it became).
    """
    if isinstance(value, Variable):
        return value
    tensor = value if isinstance(value, Tensor) else convert_to_tensor(value)
    graph = tensor.graph
    for variable in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
        GraphKeys.LOCAL_VARIABLES
    ):
        if isinstance(variable, Variable) and variable._ref() is tensor:
            return variable
    raise TypeError(
        "names_to_saveables must be a dict mapping string names to Tensors/Variables. Not a "
        f"variable: {tensor}"
    )


def _saved_tensors(var_list) -> list:
    """What a Saver of ``var_list`` writes, sorted by name (TF's ``op_list_to_dict``): a
    list of variables, parts of partitioned variables grouped under their full name, or
    a dict naming variables (or partitioned variables, or lists of parts)."""
    if isinstance(var_list, dict):
        saved = [part for name, value in var_list.items() for part in _named_entry(name, value)]
        return sorted(saved, key=lambda s: s.name)
    if not isinstance(var_list, list | tuple | set):
        raise TypeError(f"Variables to save should be passed in a dict or a list. Got {var_list}")
    whole, sliced = {}, []
    for var in var_list:
        if isinstance(var, PartitionedVariable | list | tuple):
            sliced += _parts(list(var))
            continue
        if not isinstance(var, Variable):
            raise TypeError(f"Variable to save is not a Variable: {var}")
        if var._get_save_slice_info() is not None:
            sliced += _parts([var])
            continue
        if var.op.name in whole:
            raise ValueError(f"At least two variables have the same name: {var.op.name}")
        whole[var.op.name] = _Saved(var.op.name, var, "")
    clash = {s.name for s in sliced} & set(whole)
    if clash:
        raise ValueError(f"At least two variables have the same name: {sorted(clash)[0]}")
    return sorted([*whole.values(), *sliced], key=lambda s: s.name)  # stable: parts in order


class Saver:
    """Saves and restores variables (``tf.compat.v1.train.Saver``).

    Parameters
    ----------
    var_list : list or dict of Variable, optional
        What to save (default: every global variable); a dict names them.
    reshape : bool
        Restore a saved tensor of another shape with as many elements, reshaped.
    sharded : bool
        Write one data file per device the variables live on.
    max_to_keep : int
        How many recent checkpoints to keep (``None`` or 0: all, and none recorded).
    keep_checkpoint_every_n_hours : float
        Besides the last ``max_to_keep``, keep one checkpoint per this many hours.
    name : str, optional
        Name scope of the save ops (default ``"save"``).
    defer_build : bool
        Build the ops only when ``build()`` is called (of the variables there are then).
    allow_empty : bool
        Without variables, make ``save``/``restore`` do nothing instead of failing.
    save_relative_paths : bool
        Write the ``checkpoint`` state file with paths relative to its directory.
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
    ...         print(sess.run(w), sorted(os.listdir(d)))
    [1. 2.] ['checkpoint', 'model.data-00000-of-00001', 'model.index', 'model.meta']
    """

    def __init__(
        self,
        var_list=None,
        reshape=False,
        sharded=False,
        max_to_keep=5,
        keep_checkpoint_every_n_hours=10000.0,
        name=None,
        restore_sequentially=False,
        saver_def=None,
        builder=None,
        defer_build=False,
        allow_empty=False,
        write_version=SaverDef.V2,
        pad_step_number=False,
        save_relative_paths=False,
        filename=None,
    ):
        if write_version != SaverDef.V2:
            raise ValueError(
                "Only the V2 checkpoint format (write_version=SaverDef.V2) is written."
            )
        self._var_list = var_list
        self._reshape = reshape
        self._name = name
        self._filename = filename
        self._allow_empty = allow_empty
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._next_keep_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._sharded = sharded
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._last_checkpoints: list[tuple[str, float]] = []
        self._is_built = False
        self._is_empty = True
        self.saver_def = None
        if saver_def is not None:  # an imported meta graph's saver: its ops exist already
            self._use_saver_def(get_default_graph(), saver_def)
        elif not defer_build:
            self.build()

    # -- the graph -------------------------------------------------------------------

    def build(self) -> None:
        """Build the save and restore ops; a Saver made with ``defer_build=True`` saves
        the variables there are when this is called.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     w = tf.Variable(1.0, name="w")
        ...     saver = Saver(defer_build=True)
        ...     b = tf.Variable(2.0, name="b")
        ...     saver.build()
        >>> saver.saver_def.restore_op_name, [s.name for s in saver._saved]
        ('save/restore_all', ['b', 'w'])
        """
        graph = get_default_graph()
        var_list = self._var_list
        if var_list is None:
            var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
        self._saved = _saved_tensors(var_list)
        self._is_empty = not self._saved
        self._is_built = True
        if self._is_empty:
            if not self._allow_empty:
                raise ValueError("No variables to save")
            return
        with graph.name_scope(self._name or "save"):
            self._build(self._filename or "model")

    def _build(self, filename: str) -> None:
        saved = self._saved
        default = constant(filename, dtype=dtypes.string, name="filename/input")
        prefix = placeholder_with_default(
            placeholder_with_default(default, shape=[], name="filename"), shape=[], name="Const"
        )
        self._filename_tensor = prefix
        if self._sharded:
            save_tensor = self._build_sharded_save(prefix, saved)
        else:
            save = _save_op(prefix, saved)
            with get_default_graph().control_dependencies([save]):
                save_tensor = identity(prefix, name="control_dependency")
        self._save_tensor = save_tensor
        with get_default_graph().name_scope("RestoreV2") as scope:
            restored = apply_op(
                RESTORE_V2,
                [prefix, *_names_and_slices(saved)],
                scope,
                dtypes=tuple(s.variable.dtype.base_dtype for s in saved),
            ).outputs
        assigns = [self._restore_one(s.variable, value) for s, value in zip(saved, restored)]
        self._restore_op = group(*assigns, name="restore_all")
        self.saver_def = SaverDef(
            filename_tensor_name=prefix.name,
            save_tensor_name=save_tensor.name,
            restore_op_name=self._restore_op.name,
            max_to_keep=self._max_to_keep or 0,
            sharded=self._sharded,
            keep_checkpoint_every_n_hours=self._keep_hours,
            version=SaverDef.V2,
        )

    def _restore_one(self, variable: Variable, value: Tensor):
        """The op assigning ``variable`` its restored ``value``; with ``reshape`` (TF's
        rule) the value is reshaped to the variable's shape first, so a tensor saved in
        another shape of as many elements restores."""
        if not self._reshape:
            return assign(
                variable._ref(), value, validate_shape=variable.shape.is_fully_defined()
            ).op
        static = variable.shape
        value = reshape(value, static.as_list() if static.is_fully_defined() else shape(variable))
        return assign(variable._ref(), value, validate_shape=False).op

    def _build_sharded_save(self, prefix, saved):
        by_device: dict = {}
        for one in saved:
            by_device.setdefault(one.variable.device, []).append(one)
        graph = get_default_graph()
        num_shards = constant(len(by_device), name="num_shards")
        shards, saves = [], []
        for shard, (where, on_device) in enumerate(by_device.items()):
            with device(where):
                shard_prefix = apply_op(
                    SHARDED_FILENAME,
                    [prefix, constant(shard, name="ShardedFilename/shard"), num_shards],
                    "ShardedFilename",
                ).outputs[0]
                saves.append(_save_op(shard_prefix, on_device))
            shards.append(shard_prefix)
        with graph.control_dependencies(saves):
            prefixes = stack(shards, name="MergeV2Checkpoints/checkpoint_prefixes")
            merge = apply_op(MERGE_V2_CHECKPOINTS, [prefixes, prefix], "MergeV2Checkpoints")
        with graph.control_dependencies([merge]):
            return identity(prefix, name="Identity")

    def _use_saver_def(self, graph, saver_def: SaverDef) -> None:
        self.saver_def = saver_def
        self._is_built = True
        self._is_empty = False
        self._max_to_keep = saver_def.max_to_keep
        self._sharded = saver_def.sharded
        self._filename_tensor = graph.get_tensor_by_name(saver_def.filename_tensor_name)
        self._save_tensor = graph.get_tensor_by_name(saver_def.save_tensor_name)
        self._restore_op = graph.get_operation_by_name(saver_def.restore_op_name)

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False, **kwargs):
        """``tf.train.export_meta_graph`` with this Saver's ``SaverDef``."""
        from .meta_graph import export_meta_graph

        return export_meta_graph(
            filename,
            saver_def=self.saver_def,
            collection_list=collection_list,
            as_text=as_text,
            **kwargs,
        )

    def as_saver_def(self) -> SaverDef:
        """The ``SaverDef`` naming this Saver's filename tensor and save/restore ops."""
        return self.saver_def

    # -- the checkpoints kept ----------------------------------------------------------

    @property
    def last_checkpoints(self) -> list:
        """The prefixes of the checkpoints kept, oldest first."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints) -> None:
        self._last_checkpoints = [(path, time.time()) for path in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        self._last_checkpoints = [(path, float(t)) for path, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths) -> None:
        """Take up the checkpoints of an earlier run (those that exist, by file time)."""
        kept = []
        for path in checkpoint_paths:
            if checkpoint_exists(path):
                kept.append((path, os.path.getmtime(checkpoint.index_filename(path))))
        self.set_last_checkpoints_with_time(sorted(kept, key=lambda item: item[1]))

    def _record(self, prefix: str) -> None:
        """TF's bookkeeping: the newest goes last; beyond ``max_to_keep`` the oldest goes,
        unless it is the first one past the next ``keep_checkpoint_every_n_hours`` mark."""
        if not self._max_to_keep:
            return
        self._last_checkpoints = [item for item in self._last_checkpoints if item[0] != prefix]
        self._last_checkpoints.append((prefix, time.time()))
        if len(self._last_checkpoints) <= self._max_to_keep:
            return
        oldest, saved_at = self._last_checkpoints.pop(0)
        if saved_at > self._next_keep_time:
            self._next_keep_time += self._keep_hours * 3600
        else:
            remove_checkpoint(oldest)

    # -- save and restore --------------------------------------------------------------

    def save(
        self,
        sess,
        save_path,
        global_step=None,
        latest_filename=None,
        meta_graph_suffix="meta",
        write_meta_graph=True,
        write_state=True,
        strip_default_attrs=False,
        save_debug_info=False,
    ):
        """Write a checkpoint; returns its prefix (``save_path`` or ``save_path-<step>``).

        ``global_step`` (a number, or a variable/tensor evaluated in ``sess``) is
        appended to the prefix. The ``checkpoint`` state file is updated and
        checkpoints beyond ``max_to_keep`` are deleted. With ``write_meta_graph`` the
        graph, its collections and this Saver are written next to the checkpoint as
        ``<prefix>.meta`` (``tf.train.import_meta_graph`` reads it).

        As TF's, a save creates the checkpoint's directory when only it is missing
        (``ckpt/new/model`` under an existing ``ckpt``, not sharded); a deeper missing
        path is a ``ValueError`` naming ``save_path``.
        """
        save_path = os.fspath(save_path)
        checkpoint_file = save_path
        if global_step is not None:
            if not isinstance(global_step, numbers.Number):
                global_step = global_step_value(sess, global_step)
            step = f"{int(global_step):08d}" if self._pad_step_number else str(int(global_step))
            checkpoint_file = f"{save_path}-{step}"
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if self._is_empty:
            return None
        directory = os.path.dirname(checkpoint_file)
        if self._sharded:
            checkpoint.remove_stale(checkpoint_file)  # shards of a killed sharded save
        else:
            _make_last_directory(directory)
        try:
            prefix = sess.run(self._save_tensor, {self._filename_tensor: checkpoint_file})
        except NotFoundError:
            if directory and not os.path.isdir(directory):
                # As TF: the path named is the one passed in, without the step.
                raise ValueError(
                    f"Parent directory of {save_path} doesn't exist, can't save."
                ) from None
            raise
        prefix = prefix.decode()
        if write_meta_graph:
            self.export_meta_graph(
                f"{prefix}.{meta_graph_suffix}",
                graph=sess.graph,
                strip_default_attrs=strip_default_attrs,
            )
        if write_state:
            self._record(prefix)
            update_checkpoint_state(
                directory,
                prefix,
                self.last_checkpoints,
                latest_filename=latest_filename,
                save_relative_paths=self._save_relative_paths,
            )
        return prefix

    def restore(self, sess, save_path) -> None:
        """Assign every variable its value from the checkpoint ``save_path``.

        Raises ``NotFoundError`` naming a variable missing from the checkpoint,
        ``InvalidArgumentError`` naming one whose shape or dtype changed, and
        ``DataLossError`` naming a damaged file (or a directory, TF's mistake message);
        either way no variable is changed.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):  # a directory passes TF's check, then fails its read
            raise DataLossError(
                None,
                None,
                f"Unable to open table file {save_path}: FAILED_PRECONDITION: {save_path}; Is a "
                "directory: perhaps your file is in a different file format and you need to use "
                "a different restore operator?",
            )
        if not checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        try:
            sess.run(self._restore_op, {self._filename_tensor: save_path})
        except NotFoundError as err:
            raise _restore_error(err, "a Variable name or other graph key that is missing") from err
        except InvalidArgumentError as err:
            raise _restore_error(err, "a mismatch between the current graph and the graph") from err


def _make_last_directory(directory: str) -> None:
    """Create the checkpoint's directory when only it is missing, as TF's ``SaveV2``
    does (one level: a missing grandparent still fails the save).

    A sharded save does not: TF writes its shards to ``<prefix>_temp/`` first, which
    fails when the prefix's directory is missing.
    """
    if directory and os.path.isdir(os.path.dirname(directory) or "."):
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory)


def _save_op(prefix, saved: list):
    refs = [s.variable._ref() for s in saved]
    with get_default_graph().name_scope("SaveV2") as scope:
        return apply_op(
            SAVE_V2,
            [prefix, *_names_and_slices(saved), refs],
            scope,
            dtypes=tuple(r.dtype.base_dtype for r in refs),
        )


def _names_and_slices(saved: list) -> list:
    return [
        constant([s.name for s in saved], dtype=dtypes.string, name="tensor_names"),
        constant([s.spec for s in saved], dtype=dtypes.string, name="shape_and_slices"),
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
