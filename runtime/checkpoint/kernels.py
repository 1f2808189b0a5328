"""Kernels of the checkpoint ops: ``SaveV2``, ``RestoreV2``, ``MergeV2Checkpoints``,
``ShardedFilename`` (their OpDefs: :mod:`runtime.training.saver`, which imports this).

They live beside the file formats, not in :mod:`runtime.kernels`, whose kernels are
pure numpy: these read and write files.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from . import merge, open_reader, save, shard_prefix
from .slices import parse_shape_and_slice

# TF's DataTypeString for the dtypes whose TF name is not numpy's.
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _text(value) -> str:
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _texts(tensor) -> list:
    return [_text(item) for item in np.asarray(tensor, dtype=object).reshape(-1)]


def type_string(dtype) -> str:
    """TF's name of a dtype in its messages (``float`` for float32).

    Examples
    --------
    >>> from runtime import dtypes
    >>> type_string(dtypes.float32), type_string(dtypes.int64)
    ('float', 'int64')
    """
    return _TF_NAMES.get(dtype.name, dtype.name)


def _slices(shape_and_slices, count: int) -> list:
    """The :class:`~.slices.Slice` of each tensor (``None``: the whole tensor)."""
    specs = _texts(shape_and_slices)
    if len(specs) != count:
        raise InvalidArgumentError(
            None, None, f"Got {len(specs)} shape_and_slices for {count} tensor names"
        )
    return [parse_shape_and_slice(spec) for spec in specs]


@register_kernel("SaveV2")
def save_v2(prefix, tensor_names, shape_and_slices, *tensors, dtypes):
    names = _texts(tensor_names)
    if len(names) != len(tensors):
        raise InvalidArgumentError(
            None, None, f"Got {len(tensors)} tensors for {len(names)} tensor names"
        )
    slices = _slices(shape_and_slices, len(names))
    for name, part, tensor in zip(names, slices, tensors):
        if part is not None and list(np.shape(tensor)) != part.shape:
            raise InvalidArgumentError(
                None,
                None,
                f"Shape of tensor {name} {list(np.shape(tensor))} does not match the slice "
                f"{part.shape} its shape_and_slice names",
            )
    save(_text(prefix), names, tensors, list(dtypes), slices)
    return ()


@register_kernel("RestoreV2")
def restore_v2(prefix, tensor_names, shape_and_slices, *, dtypes):
    names = _texts(tensor_names)
    slices = _slices(shape_and_slices, len(names))
    with open_reader(_text(prefix)) as reader:
        values = []
        for name, dtype, part in zip(names, dtypes, slices):
            saved = reader.dtype(name)
            if saved != dtype.base_dtype:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"tensor_name = {name}; expected dtype {type_string(dtype.base_dtype)} does "
                    f"not equal original dtype {type_string(saved)}",
                )
            values.append(reader.read(name) if part is None else reader.read_slice(name, part))
    return tuple(values)


@register_kernel("MergeV2Checkpoints")
def merge_v2_checkpoints(
    checkpoint_prefixes, destination_prefix, *, delete_old_dirs, allow_missing_files
):
    merge(_texts(checkpoint_prefixes), _text(destination_prefix), delete_old_dirs)
    return ()


@register_kernel("ShardedFilename")
def sharded_filename(basename, shard, num_shards):
    name = shard_prefix(_text(basename), int(shard), int(num_shards))
    return (np.array(name.encode(), dtype=object),)
