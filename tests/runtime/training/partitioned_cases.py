"""Partitioned variables written once, built by real TensorFlow (to record, in
``tests/fixtures/tf_partitioned/generate.py``) and by the runtime (in
``test_partitioned.py``): the model, the partitioners tried, the misuses."""

from __future__ import annotations

import numpy as np


def build(tf) -> dict:
    """Partitioned and plain variables: float32 and int64, parts along axis 0 and 1, from
    ``fixed_size``, ``min_max`` partitioners, a scope's partitioner and the legacy API."""
    v1 = tf.compat.v1
    emb = v1.get_variable(
        "emb",
        initializer=tf.constant(np.arange(40, dtype=np.float32).reshape(10, 4)),
        partitioner=v1.fixed_size_partitioner(3),
    )
    with v1.variable_scope("layer", partitioner=v1.fixed_size_partitioner(2, axis=1)):
        values = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
        w = v1.get_variable("w", initializer=tf.constant(values))
        b = v1.get_variable("b", [], initializer=v1.constant_initializer(0.5))
    counts = v1.get_variable(
        "counts",
        initializer=tf.constant(np.arange(6, dtype=np.int64) * 7),
        partitioner=v1.min_max_variable_partitioner(max_partitions=4, min_slice_size=16),
    )
    parts = v1.create_partitioned_variables(
        [7, 2], [2, 1], v1.constant_initializer(1.5), name="legacy"
    )
    plain = v1.get_variable("plain", initializer=tf.constant([1.0, -1.0]))
    return {
        "emb": emb,
        "layer/w": w,
        "layer/b": b,
        "counts": counts,
        "legacy": parts,
        "plain": plain,
    }


def describe(var) -> dict:
    """The parts of a (partitioned) variable: op names, shapes, slice specs."""
    if isinstance(var, list) or hasattr(var, "_get_variable_list"):
        parts = list(var)
        return {
            "parts": [p.op.name for p in parts],
            "shapes": [p.shape.as_list() for p in parts],
            "specs": [p._save_slice_info.spec for p in parts],
        }
    return {"parts": [var.op.name], "shapes": [var.shape.as_list()], "specs": [None]}


def partitioners(tf) -> dict:
    """``{label: (partitioner, shape, dtype)}``: each partitioner and what it is asked."""
    v1 = tf.compat.v1
    return {
        "fixed 3": (v1.fixed_size_partitioner(3), [10, 4], tf.float32),
        "fixed 5 axis 1": (v1.fixed_size_partitioner(5, axis=1), [4, 3], tf.float32),
        "minmax 4x16": (v1.min_max_variable_partitioner(4, 0, 16), [6], tf.int64),
        "minmax 8 big": (v1.min_max_variable_partitioner(8), [1000, 200], tf.float32),
        "minmax strings": (v1.min_max_variable_partitioner(3, 0, 100), [20], tf.string),
        "axis size 64": (v1.variable_axis_size_partitioner(64), [10, 4], tf.float32),
        "axis size 100 max 2": (
            v1.variable_axis_size_partitioner(100, max_shards=2),
            [50, 3],
            tf.float64,
        ),
        "axis size axis 1": (v1.variable_axis_size_partitioner(40, axis=1), [5, 6], tf.float32),
        "axis size strings": (
            v1.variable_axis_size_partitioner(100, bytes_per_string_element=10),
            [30],
            tf.string,
        ),
    }


def misuses(tf) -> dict:
    """``{name: fn}``: each builds something TF refuses (or, one, accepts) in a fresh graph."""
    v1 = tf.compat.v1

    def reuse_other_partitions():
        v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))
        with v1.variable_scope("", reuse=True):
            v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(3))

    def again_without_reuse():
        v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))
        v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))

    def partitioned_over_plain():
        v1.get_variable("v", [6, 2])
        v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))

    def two_axes():
        v1.get_variable("v", [6, 2], partitioner=lambda shape, dtype: [2, 2])

    def unknown_shape():
        v1.get_variable("v", initializer=[[1.0], [2.0]], partitioner=v1.fixed_size_partitioner(2))

    def reuse_missing():
        with v1.variable_scope("", reuse=True):
            v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))

    def reuse_without_partitioner():
        first = v1.get_variable("v", [6, 2], partitioner=v1.fixed_size_partitioner(2))
        with v1.variable_scope("", reuse=True):
            assert v1.get_variable("v") is first

    return {
        fn.__name__: fn
        for fn in (
            reuse_other_partitions,
            again_without_reuse,
            partitioned_over_plain,
            two_axes,
            unknown_shape,
            reuse_missing,
            reuse_without_partitioner,
        )
    }


def outcome(tf, fn) -> str:
    """``"no error"`` or the class of the error ``fn`` raises in a fresh graph."""
    with tf.Graph().as_default():
        try:
            fn()
        except Exception as err:  # the class is what is recorded
            return type(err).__name__
    return "no error"
