"""TF1's partitioners and ``create_partitioned_variables``.

A partitioner is ``partitioner(shape=TensorShape, dtype=DType) -> list`` of how many parts
each axis is cut into (one axis at most); ``get_variable`` and ``variable_scope`` take one
(see :mod:`runtime.ops.variable_scope`). The sizes follow TF's formulas exactly, so a model
partitioned here has TF's parts, and its checkpoints TF's slices.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..shapes import TensorShape
from .variable_scope import get_variable_scope, variable_scope

__all__: list[str] = []  # TF1-only names: see runtime.compat.v1


def _element_size(dtype, bytes_per_string_element: int) -> int:
    dtype = dtypes.as_dtype(dtype).base_dtype
    return bytes_per_string_element if dtype == dtypes.string else dtype.size


def variable_axis_size_partitioner(
    max_shard_bytes, axis=0, bytes_per_string_element=16, max_shards=None
):
    """A partitioner cutting ``axis`` into as few parts as keep each under
    ``max_shard_bytes`` (at most ``max_shards``), whole slices per part.

    Examples
    --------
    >>> import runtime as tf
    >>> cut = variable_axis_size_partitioner(max_shard_bytes=64)
    >>> cut(shape=tf.TensorShape([10, 4]), dtype=tf.float32)  # 16 bytes a row, 4 rows a part
    [3, 1]
    """
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError(
            "Both max_shard_bytes and bytes_per_string_element must be positive. Currently, "
            f"max_shard_bytes is {max_shard_bytes} and bytes_per_string_element is "
            f"{bytes_per_string_element}"
        )
    if max_shards and max_shards < 1:
        raise ValueError("max_shards must be positive.")

    def partitioner(shape, dtype):
        if not isinstance(shape, TensorShape):
            raise ValueError(f"shape is not a TensorShape: {shape}")
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        size = shape.dim_value(axis)
        bytes_per_slice = (
            shape.num_elements() / size * _element_size(dtype, bytes_per_string_element)
        )
        slices_per_shard = max(1, math.floor(max_shard_bytes / bytes_per_slice))
        shards = math.ceil(size / slices_per_shard)
        if max_shards:
            shards = min(max_shards, shards)
        partitions = [1] * shape.rank
        partitions[axis] = shards
        return partitions

    return partitioner


def min_max_variable_partitioner(
    max_partitions=1, axis=0, min_slice_size=256 << 10, bytes_per_string_element=16
):
    """A partitioner cutting ``axis`` into parts of at least ``min_slice_size`` bytes, at
    most ``max_partitions`` of them.

    Examples
    --------
    >>> import runtime as tf
    >>> cut = min_max_variable_partitioner(max_partitions=4, min_slice_size=100)
    >>> cut(shape=tf.TensorShape([10, 20]), dtype=tf.float32)  # 800 bytes: 8 parts, capped
    [4, 1]
    """

    def partitioner(shape, dtype):
        if axis >= shape.rank:
            raise ValueError(
                f"Cannot partition variable along axis {axis} when shape is only {shape}"
            )
        total = shape.num_elements() * _element_size(dtype, bytes_per_string_element)
        partitions = [1] * shape.rank
        partitions[axis] = max(
            1, min(shape.dim_value(axis), max_partitions, math.ceil(total / min_slice_size))
        )
        return partitions

    return partitioner


def fixed_size_partitioner(num_shards, axis=0):
    """A partitioner cutting ``axis`` into ``num_shards`` parts (fewer if it is shorter).

    Examples
    --------
    >>> import runtime as tf
    >>> fixed_size_partitioner(3)(shape=tf.TensorShape([2, 5]), dtype=tf.float32)
    [2, 1]
    """

    def partitioner(shape, **_unused):
        partitions = [1] * shape.rank
        partitions[axis] = min(num_shards, shape.dim_value(axis))
        return partitions

    return partitioner


def create_partitioned_variables(
    shape,
    slicing,
    initializer,
    dtype=dtypes.float32,
    trainable=True,
    collections=None,
    name=None,
    reuse=None,
):
    """The parts of a variable of ``shape`` cut as ``slicing`` says (TF1's first API for
    partitioned variables), in a variable scope ``name`` (default ``PartitionedVariable``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     parts = create_partitioned_variables([5, 2], [2, 1], tf.zeros_initializer())
    >>> [(v.op.name, v.shape.as_list()) for v in parts]
    [('PartitionedVariable/part_0', [3, 2]), ('PartitionedVariable/part_1', [2, 2])]
    """
    if len(shape) != len(slicing):
        raise ValueError(
            "The 'shape' and 'slicing' of a partitioned Variable must have the length: "
            f"shape: {shape}, slicing: {slicing}"
        )
    if len(shape) < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1: shape: {shape}")
    with variable_scope(name, "PartitionedVariable", reuse=reuse):
        variable = get_variable_scope().get_variable(
            "",
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            trainable=trainable,
            collections=collections,
            partitioner=lambda **_unused: slicing,
        )
    return list(variable)
