"""Warm-starting: initializing a new model's variables from another model's checkpoint
(``tf.compat.v1.train.warm_start`` and ``VocabInfo``), as TF's ``warm_starting_util``.

Variables without a vocabulary are loaded through :func:`init_from_checkpoint` (their
initializers restore the checkpoint's tensor). A variable with a :class:`VocabInfo` has its
rows (``axis=0``) or columns (``axis=1``) remapped: the entry of each word of the new
vocabulary is the old entry of that word, and words the old vocabulary lacks, and the
out-of-vocabulary buckets, get the backup initializer's values. The remapping is computed
here, when ``warm_start`` is called, from the vocabulary files and the checkpoint (read by
the runtime's checkpoint reader); the variable's initializer assigns the result.
"""

from __future__ import annotations

import collections

import numpy as np

from ..default_graph import get_collection
from ..graph_keys import GraphKeys
from ..ops.core import constant
from ..ops.gather_scatter_ops import scatter_nd
from ..ops.init_ops import zeros_initializer
from ..ops.variables import Variable, assign
from ..tf_logging import info
from .checkpoint_utils import (
    _checkpoint_prefix,
    init_from_checkpoint,
    initialize_from_checkpoint,
    load_checkpoint,
)

__all__ = ["VocabInfo", "warm_start"]

_VocabInfoFields = collections.namedtuple(
    "VocabInfo",
    [
        "new_vocab",
        "new_vocab_size",
        "num_oov_buckets",
        "old_vocab",
        "old_vocab_size",
        "backup_initializer",
        "axis",
    ],
)


class VocabInfo(_VocabInfoFields):
    """How to remap a variable whose rows (``axis=0``) or columns (``axis=1``) follow a
    vocabulary (``tf.compat.v1.train.VocabInfo``).

    Parameters
    ----------
    new_vocab : str
        The new vocabulary file, one word a line; its first ``new_vocab_size`` lines count.
    new_vocab_size : int
    num_oov_buckets : int
        Out-of-vocabulary buckets after the vocabulary's entries (backup-initialized).
    old_vocab : str
        The vocabulary file of the checkpoint's variable.
    old_vocab_size : int
        How many of its lines count; ``-1``: all.
    backup_initializer : Initializer, optional
        For entries with no old value; zeros when None.
    axis : int
        0 or 1.

    Examples
    --------
    >>> VocabInfo("new.txt", 100, 2, "old.txt").axis
    0
    """

    def __new__(
        cls,
        new_vocab,
        new_vocab_size,
        num_oov_buckets,
        old_vocab,
        old_vocab_size=-1,
        backup_initializer=None,
        axis=0,
    ):
        if axis not in (0, 1):
            raise ValueError(
                "The only supported values for the axis argument are 0 and 1.  "
                f"Provided axis: {axis}"
            )
        return super().__new__(
            cls,
            new_vocab,
            new_vocab_size,
            num_oov_buckets,
            old_vocab,
            old_vocab_size,
            backup_initializer,
            axis,
        )


def warm_start(
    ckpt_to_initialize_from,
    vars_to_warm_start=".*",
    var_name_to_vocab_info=None,
    var_name_to_prev_var_name=None,
):
    """Make the initializers of the chosen variables load them from a checkpoint.

    Call it after building the model and before ``global_variables_initializer()``.

    Parameters
    ----------
    ckpt_to_initialize_from : str
        A checkpoint prefix, or a directory (its latest checkpoint).
    vars_to_warm_start : str, list of str, list of Variable or None
        A regex matched at the start of the names of ``TRAINABLE_VARIABLES``; a list of
        such regexes over ``GLOBAL_VARIABLES``; a list of variables; or None, only the
        variables of ``var_name_to_vocab_info``.
    var_name_to_vocab_info : dict, optional
        Variable name -> :class:`VocabInfo`, for variables to remap.
    var_name_to_prev_var_name : dict, optional
        Variable name -> its name in the checkpoint, where they differ.

    Raises
    ------
    ValueError
        For a bad ``vars_to_warm_start``, names of the two dicts that match no chosen
        variable, and checkpoint tensors missing or of another shape.

    Examples
    --------
    >>> import os, tempfile, numpy as np, runtime as tf
    >>> from runtime import checkpoint
    >>> prefix = os.path.join(tempfile.mkdtemp(), "old")
    >>> checkpoint.save(prefix, ["w"], [np.array([1.0, 2.0], np.float32)])
    >>> with tf.Graph().as_default():
    ...     v = tf.compat.v1.get_variable("v", [2])
    ...     warm_start(prefix, var_name_to_prev_var_name={"v": "w"})
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(v))
    [1. 2.]
    """
    info("Warm-starting from: %s", ckpt_to_initialize_from)
    grouped = _grouped_variables(vars_to_warm_start)
    vocab_infos = var_name_to_vocab_info or {}
    prev_names = var_name_to_prev_var_name or {}
    vocabless: dict = {}
    for name, parts in grouped.items():
        prev_name = prev_names.get(name) or name
        vocab_info = vocab_infos.get(name)
        if vocab_info:
            _warm_start_with_vocab(parts, ckpt_to_initialize_from, prev_name, vocab_info)
        elif vars_to_warm_start and parts[0]._get_save_slice_info():
            _warm_start_parts(parts, ckpt_to_initialize_from, prev_name)
        elif vars_to_warm_start:
            if prev_name in vocabless:  # one tensor for two variables: a call for each
                init_from_checkpoint(ckpt_to_initialize_from, vocabless)
                vocabless.clear()
            vocabless[prev_name] = parts[0]
    if vocabless:
        init_from_checkpoint(ckpt_to_initialize_from, vocabless)
    info("Warm-started %d variables.", len(grouped))
    for what, given in (
        ("var_name_to_prev_var_name", prev_names),
        ("var_name_to_vocab_info", vocab_infos),
    ):
        unused = set(given) - set(grouped)
        if unused:
            raise ValueError(
                f"You provided the following variables in {what} that were not used: "
                f"{unused}.  Perhaps you misspelled them?  Here is the list of viable "
                f"variable names: {grouped.keys()}"
            )


def _grouped_variables(vars_to_warm_start) -> dict:
    """Variable name -> its parts (one, or a partitioned variable's), as TF groups them."""
    if vars_to_warm_start is None or isinstance(vars_to_warm_start, str):
        info("Warm-starting variables only in TRAINABLE_VARIABLES.")
        chosen = get_collection(GraphKeys.TRAINABLE_VARIABLES, vars_to_warm_start)
    elif isinstance(vars_to_warm_start, list):
        if all(isinstance(v, str) for v in vars_to_warm_start):
            chosen = [
                v
                for scope in vars_to_warm_start
                for v in get_collection(GraphKeys.GLOBAL_VARIABLES, scope)
            ]
        elif all(isinstance(v, Variable) for v in vars_to_warm_start):
            chosen = vars_to_warm_start
        else:
            raise ValueError(
                "If `vars_to_warm_start` is a list, it must be all `Variable` or all `str`.  "
                f"Given types are {[type(v) for v in vars_to_warm_start]}"
            )
    else:
        raise ValueError(
            "`vars_to_warm_start must be a `list` or `str`.  Given type is "
            f"{type(vars_to_warm_start)}"
        )
    grouped: dict = {}
    for variable in chosen:
        grouped.setdefault(_full_name(variable), []).append(variable)
    return grouped


def _full_name(variable) -> str:
    slice_info = variable._get_save_slice_info()
    return slice_info.full_name if slice_info else variable.op.name


def _warm_start_parts(parts, ckpt, prev_name) -> None:
    """Make each part of a partitioned variable restore its slice of the checkpoint's
    tensor ``prev_name``."""
    prefix = _checkpoint_prefix(ckpt)
    shapes = load_checkpoint(prefix).get_variable_to_shape_map()
    if prev_name not in shapes:
        raise ValueError(f"Tensor {prev_name} is not found in {prefix} checkpoint {shapes}")
    for part in parts:
        initialize_from_checkpoint(part, prefix, prev_name, shapes[prev_name])


def _vocabulary(path, size) -> list:
    with open(path, encoding="utf-8") as lines:
        words = [line.rstrip("\n") for line in lines]
    if size is not None and size != -1:
        if len(words) < size:
            raise ValueError(f"Vocabulary file {path} has {len(words)} lines, fewer than {size}")
        words = words[:size]
    return words


def _old_indices(vocab_info) -> np.ndarray:
    """For each new entry (vocabulary, then OOV buckets), its old index, or -1."""
    old = {}
    for index, word in enumerate(_vocabulary(vocab_info.old_vocab, vocab_info.old_vocab_size)):
        old.setdefault(word, index)
    new = _vocabulary(vocab_info.new_vocab, vocab_info.new_vocab_size)
    found = [old.get(word, -1) for word in new] + [-1] * vocab_info.num_oov_buckets
    return np.array(found, np.int64)


def _warm_start_with_vocab(parts, ckpt, prev_name, vocab_info) -> None:
    """Set each part's initializer to the remapped old tensor (see the module docstring)."""
    if not (vocab_info.new_vocab and vocab_info.new_vocab_size and ckpt and vocab_info.old_vocab):
        raise ValueError(
            "Invalid args: Must provide all of [current_vocab_path, current_vocab_size, "
            "prev_ckpt, prev_vocab_path}."
        )
    old = np.asarray(load_checkpoint(_checkpoint_prefix(ckpt)).get_tensor(prev_name))
    if old.ndim != 2:
        raise ValueError(
            f"Remapping by a vocabulary needs a 2-D tensor: {prev_name} in {ckpt} has shape "
            f"{list(old.shape)}"
        )
    indices = _old_indices(vocab_info)
    old = old if vocab_info.axis == 0 else old.T
    loaded = old[np.maximum(indices, 0)]
    loaded[indices < 0] = 0
    missing = np.broadcast_to((indices < 0)[:, None], loaded.shape)
    if vocab_info.axis == 1:
        loaded, missing = loaded.T, missing.T
    initializer = vocab_info.backup_initializer or zeros_initializer()
    for part in parts:
        _assign_remapped(part, loaded, missing, initializer, prev_name)


def _assign_remapped(part, loaded, missing, initializer, prev_name) -> None:
    slice_info = part._get_save_slice_info()
    shape = part.shape.as_list()
    offset = slice_info.var_offset if slice_info else [0] * len(shape)
    full = slice_info.full_shape if slice_info else shape
    if list(loaded.shape) != list(full):
        raise ValueError(
            f"Shape of variable {part.name} ({full}) doesn't match the remapped tensor "
            f"{prev_name} ({list(loaded.shape)}): the new vocabulary and OOV buckets must "
            "give the variable's size along the axis."
        )
    window = tuple(slice(o, o + n) for o, n in zip(offset, shape))
    values, gaps = loaded[window], missing[window]
    dtype = part.dtype.base_dtype
    with part.graph.as_default(), part.graph.name_scope(f"{part.op.name}/warm_start/"):
        value = constant(values.astype(dtype.as_numpy_dtype), name="loaded")
        if gaps.any():
            backup = initializer([int(gaps.sum())], dtype=dtype)
            value = value + scatter_nd(constant(np.argwhere(gaps)), backup, shape)
        part._initializer_op = assign(part._ref(), value).op
