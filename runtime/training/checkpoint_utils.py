"""Reading checkpoints outside a Saver: ``NewCheckpointReader``, ``list_variables``,
``load_variable`` and ``init_from_checkpoint`` (TF's ``checkpoint_utils``).
"""

from __future__ import annotations

import os

from .. import checkpoint
from ..errors import NotFoundError
from ..ops.core import apply_op, constant
from ..ops.variable_scope import stored_variables
from ..ops.variables import PartitionedVariable, assign
from ..proto.types_pb2 import DataType
from .checkpoint_management import latest_checkpoint

__all__ = [
    "CheckpointReader",
    "NewCheckpointReader",
    "init_from_checkpoint",
    "initialize_from_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
]


class CheckpointReader:
    """The tensors of one checkpoint (``tf.compat.v1.train.NewCheckpointReader``).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> checkpoint.save(prefix, ["layer/w", "step"], [np.ones((2, 3), np.float32), np.int64(7)])
    >>> reader = NewCheckpointReader(prefix)
    >>> reader.get_variable_to_shape_map(), reader.has_tensor("step"), int(reader.get_tensor("step"))
    ({'layer/w': [2, 3], 'step': []}, True, 7)
    >>> print(reader.debug_string().decode(), end="")
    layer/w (DT_FLOAT) [2,3]
    step (DT_INT64) []
    """

    def __init__(self, prefix: str):
        self._prefix = os.fspath(prefix)
        with checkpoint.open_reader(self._prefix) as reader:
            self._shapes = reader.shapes()
            self._dtypes = {name: reader.dtype(name) for name in self._shapes}

    def get_variable_to_shape_map(self) -> dict:
        return {name: list(shape) for name, shape in self._shapes.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return dict(self._dtypes)

    def has_tensor(self, tensor_str) -> bool:
        return tensor_str in self._shapes

    def get_tensor(self, tensor_str):
        """The saved value (a numpy array; a scalar as a numpy scalar, as TF's reader)."""
        if tensor_str not in self._shapes:
            raise NotFoundError(None, None, f"Key {tensor_str} not found in checkpoint")
        with checkpoint.open_reader(self._prefix) as reader:
            value = reader.read(tensor_str)
        return value[()] if value.ndim == 0 else value

    def debug_string(self) -> bytes:
        """One line per tensor: ``name (DT_FLOAT) [2,3]``, as TF's."""
        lines = [
            f"{name} ({DataType.Name(self._dtypes[name].as_datatype_enum)}) "
            f"[{','.join(str(d) for d in self._shapes[name])}]\n"
            for name in sorted(self._shapes)
        ]
        return "".join(lines).encode()


def NewCheckpointReader(filepattern) -> CheckpointReader:
    """A :class:`CheckpointReader` of the checkpoint with prefix ``filepattern``."""
    return CheckpointReader(filepattern)


def _checkpoint_prefix(ckpt_dir_or_file) -> str:
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if not os.path.isdir(ckpt_dir_or_file):
        return ckpt_dir_or_file
    prefix = latest_checkpoint(ckpt_dir_or_file)
    if prefix is None:
        raise ValueError(
            f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}"
        )
    return prefix


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader of a checkpoint prefix, or of a directory's latest checkpoint."""
    return CheckpointReader(_checkpoint_prefix(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file) -> list:
    """``[(name, shape)]`` of a checkpoint (a prefix, or a directory's latest), by name.

    Examples
    --------
    >>> import tempfile, runtime as tf
    >>> with tempfile.TemporaryDirectory() as d, tf.Graph().as_default():
    ...     v = tf.Variable([[1, 2, 3]], name="layer/v")
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         _ = tf.compat.v1.train.Saver().save(sess, d + "/model")
    ...     print(list_variables(d), load_variable(d, "layer/v"))
    [('layer/v', [1, 3])] [[1 2 3]]
    """
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return sorted(shapes.items())


def load_variable(ckpt_dir_or_file, name):
    """The value saved for variable ``name`` in a checkpoint (a prefix or a directory)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


# -- init_from_checkpoint ----------------------------------------------------------------


def init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    """Make variables' initializers load their values from a checkpoint.

    ``assignment_map`` maps checkpoint names to the graph's, as TF's:
    ``{"old_scope/": "new_scope/"}`` (every tensor under a scope), ``{"/": "scope/"}``
    (every tensor, into a scope), ``{"old/w": "new/w"}`` or ``{"old/w": variable}``.
    Call it before building ``global_variables_initializer()``.

    Examples
    --------
    >>> import os, tempfile, numpy as np, runtime as tf
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> checkpoint.save(prefix, ["pretrained/w"], [np.array([1.0, 2.0], np.float32)])
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.get_variable("fine/w", [2])
    ...     init_from_checkpoint(prefix, {"pretrained/": "fine/"})
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(w))
    [1. 2.]
    """
    prefix = _checkpoint_prefix(ckpt_dir_or_file)
    reader = CheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    variables = _graph_variables()
    for tensor_name, target in assignment_map.items():
        for name, parts in _pairs(tensor_name, target, shapes, variables, ckpt_dir_or_file):
            for part in parts:
                initialize_from_checkpoint(part, prefix, name, shapes[name])


def _graph_variables() -> dict:
    """Name -> the parts of the variable ``get_variable`` made: one, or a partitioned
    variable's (under its full name, as TF collects ``name/part_N``)."""
    found: dict = {}
    for variable in stored_variables().values():
        info = variable._get_save_slice_info()
        found.setdefault(info.full_name if info else variable.op.name, []).append(variable)
    return found


def _pairs(tensor_name: str, target, shapes: dict, variables: dict, where) -> list:
    """``[(checkpoint name, parts)]`` one entry of an assignment map stands for."""
    if not isinstance(target, str):  # a variable, a partitioned variable or a list of parts
        if tensor_name not in shapes:
            raise ValueError(f"Tensor {tensor_name} is not found in {where} checkpoint {shapes}")
        return [(tensor_name, list(target) if _is_parts(target) else [target])]
    if not target.endswith("/"):  # one variable by name
        if tensor_name not in shapes:
            raise ValueError(f"Tensor {tensor_name} is not found in {where} checkpoint {shapes}")
        if target not in variables:
            raise ValueError(f"Variable {target} is not found in the graph")
        return [(tensor_name, variables[target])]
    if tensor_name != "/" and not tensor_name.endswith("/"):
        raise ValueError(
            f"Assignment map with scope only name {target} should map to scope only "
            f"{tensor_name}. Should be 'scope/': 'other_scope/'."
        )
    pairs = []
    for name in sorted(variables):
        if not name.startswith(target):
            continue
        relative = name[len(target) :]
        source = relative if tensor_name == "/" else tensor_name + relative
        if source not in shapes:  # TF refuses a variable of the scope the checkpoint lacks
            raise ValueError(
                f"Tensor {source} ({relative} in {tensor_name}) is not found in {where} checkpoint"
            )
        pairs.append((source, variables[name]))
    return pairs


def _is_parts(target) -> bool:
    return isinstance(target, PartitionedVariable | list | tuple)


def initialize_from_checkpoint(variable, prefix: str, name: str, shape: list) -> None:
    """Make ``variable``'s initializer restore the tensor ``name`` (of shape ``shape``)
    of the checkpoint ``prefix``; a part of a partitioned variable restores its slice.

    Examples
    --------
    >>> import os, tempfile, numpy as np, runtime as tf
    >>> prefix = os.path.join(tempfile.mkdtemp(), "model")
    >>> checkpoint.save(prefix, ["w"], [np.array([1.0, 2.0], np.float32)])
    >>> with tf.Graph().as_default():
    ...     v = tf.compat.v1.get_variable("v", [2])
    ...     initialize_from_checkpoint(v, prefix, "w", [2])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(v))
    [1. 2.]
    """
    from .saver import RESTORE_V2

    info = variable._get_save_slice_info()
    if info:  # a part: the whole it is a slice of must match
        own_name, own_shape, matches = info.full_name, info.full_shape, info.full_shape == shape
    else:
        own_name, own_shape = variable.name, variable.shape
        matches = not own_shape.is_fully_defined() or own_shape.as_list() == list(shape)
    if not matches:
        raise ValueError(
            f"Shape of variable {own_name} ({own_shape}) doesn't match with shape of "
            f"tensor {name} ({shape}) from checkpoint reader."
        )
    graph = variable.graph
    ref = variable._ref()
    with graph.as_default(), graph.name_scope(f"{variable.op.name}/"):
        restored = apply_op(
            RESTORE_V2,
            [
                constant(prefix, name="checkpoint_initializer/prefix"),
                constant([name], name="checkpoint_initializer/tensor_names"),
                constant(
                    [info.spec if info else ""], name="checkpoint_initializer/shape_and_slices"
                ),
            ],
            "checkpoint_initializer",
            dtypes=(ref.dtype.base_dtype,),
        ).outputs[0]
        variable._initializer_op = assign(ref, restored, name="Assign_from_checkpoint").op
    variable._initial_value = restored
