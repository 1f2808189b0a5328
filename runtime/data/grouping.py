"""Grouping the elements of a dataset by key: ``group_by_window``, ``group_by_reducer``
(with its :class:`Reducer`) and ``bucket_by_sequence_length``.

``group_by_window`` collects elements per key (an int64 scalar of ``key_func``) until a
key's window holds ``window_size`` of them, then yields the elements of the dataset
``reduce_func(key, window)`` makes of it; at the end of the input the unfinished windows
are reduced in the order of their keys. ``group_by_reducer`` folds each key's elements
into a state (``init_func``, ``reduce_func``) and, once the input ends, yields
``finalize_func(state)`` per key, in key order. Both as TF's ops do.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..ops.check_ops import assert_less
from ..ops.core import constant
from ..ops.math_ops import less, less_equal, logical_and, reduce_min, where
from ..registry import register_kernel
from ..shapes import TensorShape
from .dataset_ops import (
    _META,
    _TYPES,
    Dataset,
    DatasetSpec,
    _dataset_op,
    _returned_dataset,
    _TracedFunction,
)
from .pipeline import Elements, Function, Transform, _Iterator
from .structure import Structure, map_structure_up_to

__all__ = ["Reducer"]

_KEY = Structure(dtypes.int64, TensorShape([]))

GROUP_BY_WINDOW = _dataset_op(
    "GroupByWindowDataset",
    (
        "input_dataset: variant",
        "key_func_other_arguments: Tkey_func_other_arguments",
        "reduce_func_other_arguments: Treduce_func_other_arguments",
        "window_size_func_other_arguments: Twindow_size_func_other_arguments",
    ),
    (
        "key_func: func",
        "reduce_func: func",
        "window_size_func: func",
        "Tkey_func_other_arguments: list(type) >= 0",
        "Treduce_func_other_arguments: list(type) >= 0",
        "Twindow_size_func_other_arguments: list(type) >= 0",
        *_TYPES,
        *_META,
    ),
)
_REDUCER_FUNCTIONS = ("key_func", "init_func", "reduce_func", "finalize_func")
GROUP_BY_REDUCER = _dataset_op(
    "GroupByReducerDataset",
    (
        "input_dataset: variant",
        *(f"{f}_other_arguments: T{f}_other_arguments" for f in _REDUCER_FUNCTIONS),
    ),
    (
        *(f"{f}: func" for f in _REDUCER_FUNCTIONS),
        *(f"T{f}_other_arguments: list(type) >= 0" for f in _REDUCER_FUNCTIONS),
        *_TYPES,
    ),
    stateful=True,
)


class Reducer:
    """How ``group_by_reducer`` folds a key's elements (``tf.data.experimental.Reducer``).

    Parameters
    ----------
    init_func : callable
        ``init_func(key) -> state``: a key's state before its first element.
    reduce_func : callable
        ``reduce_func(state, element) -> state``.
    finalize_func : callable
        ``finalize_func(state) -> element`` (a tuple state is spread as arguments).
    """

    def __init__(self, init_func, reduce_func, finalize_func):
        self.init_func = init_func
        self.reduce_func = reduce_func
        self.finalize_func = finalize_func


def _key_function(key_func, dataset: Dataset) -> _TracedFunction:
    traced = _TracedFunction(key_func, dataset.structure, dataset.graph, "key_func")
    out = traced.structure
    if out.flat_types != [dtypes.int64] or out.flat_shapes[0].rank not in (None, 0):
        raise ValueError(
            "Invalid `key_func`. Expected `key_func` to return a scalar tf.int64 tensor, but "
            f"instead `key_func` has output types={out.types} and shapes={out.shapes}."
        )
    return traced


def _captured(traced: _TracedFunction) -> list:
    return [t.dtype for t in traced.captured]


def group_by_window(
    dataset: Dataset, key_func, reduce_func, window_size=None, window_size_func=None, name=None
) -> Dataset:
    """``dataset.group_by_window`` (see the module docstring)."""
    if (window_size is None) == (window_size_func is None):
        raise ValueError(
            "Either the `window_size` argument or the `window_size_func` argument must be "
            "specified, but not both."
        )
    if window_size is not None:
        size = window_size

        def window_size_func(_key):
            return constant(size, dtypes.int64, name="window_size")

    graph = dataset.graph
    key = _key_function(key_func, dataset)
    window = Structure(
        (dtypes.int64, dtypes.variant),
        (TensorShape([]), TensorShape([])),
        (_KEY.classes, DatasetSpec(dataset.structure)),
    )
    reduce = _TracedFunction(reduce_func, window, graph, "reduce_func")
    size = _TracedFunction(window_size_func, _KEY, graph, "window_size_func")
    if size.structure.flat_types != [dtypes.int64]:
        raise ValueError(
            "Invalid `window_size_func`. `window_size_func` must return a single `tf.int64` "
            f"scalar tensor but its return type is {size.structure.types}."
        )
    functions = (key, reduce, size)
    return dataset._build(
        GROUP_BY_WINDOW,
        [dataset._variant_tensor, *(f.captured for f in functions)],
        _returned_dataset(reduce),
        name,
        key_func=key.body,
        reduce_func=reduce.body,
        window_size_func=size.body,
        Tkey_func_other_arguments=_captured(key),
        Treduce_func_other_arguments=_captured(reduce),
        Twindow_size_func_other_arguments=_captured(size),
    )


def group_by_reducer(dataset: Dataset, key_func, reducer: Reducer) -> Dataset:
    """``tf.data.experimental.group_by_reducer`` on ``dataset`` (see the module docstring)."""
    graph = dataset.graph
    key = _key_function(key_func, dataset)
    init = _TracedFunction(reducer.init_func, _KEY, graph, "init_func")
    state = init.structure
    while True:  # as TF: trace again with relaxed state shapes until they are stable
        reduce = _TracedFunction(
            reducer.reduce_func, dataset.structure, graph, "reduce_func", state
        )
        new = reduce.structure
        if new.template != state.template or new.flat_types != state.flat_types:
            raise TypeError(
                f"Invalid `reducer`. The element types for the new state {new.types} do not "
                f"match the element types of the old state {state.types}."
            )
        relaxed = [
            a.most_specific_compatible_shape(b) for a, b in zip(state.flat_shapes, new.flat_shapes)
        ]
        if relaxed == state.flat_shapes:
            break
        state = state.with_shapes(relaxed)
    finalize = _TracedFunction(reducer.finalize_func, state, graph, "finalize_func")
    functions = dict(zip(_REDUCER_FUNCTIONS, (key, init, reduce, finalize)))
    return dataset._build(
        GROUP_BY_REDUCER,
        [dataset._variant_tensor, *(f.captured for f in functions.values())],
        finalize.structure,
        None,
        **{name: f.body for name, f in functions.items()},
        **{f"T{name}_other_arguments": _captured(f) for name, f in functions.items()},
    )


def bucket_by_sequence_length(
    dataset: Dataset,
    element_length_func,
    bucket_boundaries,
    bucket_batch_sizes,
    padded_shapes=None,
    padding_values=None,
    pad_to_bucket_boundary=False,
    no_padding=False,
    drop_remainder=False,
    name=None,
) -> Dataset:
    """``dataset.bucket_by_sequence_length``: elements batched with others of similar
    length (``element_length_func``), bucket ``i`` holding lengths in
    ``[bucket_boundaries[i-1], bucket_boundaries[i])`` and batching ``bucket_batch_sizes[i]``
    of them, padded (to the batch's longest, or the bucket's boundary - 1), as TF builds it
    from ``group_by_window``."""
    boundaries = list(bucket_boundaries)
    if len(bucket_batch_sizes) != len(boundaries) + 1:
        raise ValueError(
            f"`len(bucket_batch_sizes)` must equal `len(bucket_boundaries) + 1` but "
            f"`len(bucket_batch_sizes)={len(bucket_batch_sizes)}` and "
            f"`len(bucket_boundaries)={len(boundaries)}`."
        )
    with dataset.graph.as_default():
        batch_sizes = constant(bucket_batch_sizes, dtypes.int64)
    lowest, highest = int(np.iinfo(np.int32).min), int(np.iinfo(np.int32).max)

    def bucket_id(*element):
        length = element_length_func(*element)
        inside = logical_and(
            less_equal([lowest, *boundaries], length), less(length, [*boundaries, highest])
        )
        return reduce_min(where(inside))

    def batches(bucket, window):
        size = batch_sizes[bucket]
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder, name=name)
        filler = None
        if pad_to_bucket_boundary:
            check = assert_less(
                bucket,
                constant(len(bucket_batch_sizes) - 1, dtypes.int64),
                message="When pad_to_bucket_boundary=True, elements must have length < "
                "max(bucket_boundaries).",
            )
            with window.graph.control_dependencies([check]):
                filler = constant(boundaries, dtypes.int64)[bucket] - 1
        shapes = map_structure_up_to(
            window.output_types,
            lambda shape: [filler if d is None else d for d in TensorShape(shape).as_list()],
            padded_shapes or window.output_shapes,
        )
        return window.padded_batch(size, shapes, padding_values, drop_remainder, name=name)

    return group_by_window(
        dataset, bucket_id, batches, window_size_func=lambda bucket: batch_sizes[bucket]
    )


# -- kernels ------------------------------------------------------------------------------


def _scalar_key(outputs, what: str) -> int:
    (key,) = outputs
    array = np.asarray(key)
    if array.dtype != np.int64 or array.size != 1:
        raise InvalidArgumentError(None, None, f"`{what}` must return a scalar int64.")
    return int(array.reshape(()))


def _split(rest, counts) -> list:
    parts, at = [], 0
    for count in counts:
        parts.append(rest[at : at + count])
        at += count
    return parts


class GroupByWindowIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.groups: dict = {}
        self.window_sizes: dict = {}
        self.current = None
        self.input_done = False

    def __next__(self):
        while True:
            if self.current is not None:
                try:
                    return next(self.current)
                except StopIteration:
                    self.current = None
            if self.input_done:
                if not self.groups:
                    raise StopIteration
                self._reduce(min(self.groups))
                continue
            try:
                element = next(self.input)
            except StopIteration:
                self.input_done = True
                continue
            key = _scalar_key(self.dataset.key_fn(self.env, element), "key_func")
            if key not in self.window_sizes:
                self.window_sizes[key] = self._window_size(key)
            group = self.groups.setdefault(key, [])
            group.append(element)
            if len(group) == self.window_sizes[key]:
                self._reduce(key)

    def _window_size(self, key: int) -> int:
        outputs = self.dataset.window_size_fn(self.env, [np.int64(key)])
        size = _scalar_key(outputs, "window_size_func")
        if size <= 0:
            raise InvalidArgumentError(
                None, None, f"Window size must be greater than zero, but got {size}."
            )
        return size

    def _reduce(self, key: int) -> None:
        source = self.dataset.input
        window = Elements(self.groups.pop(key)).typed(source.types, source.shapes)
        (result,) = self.dataset.reduce_fn(self.env, [np.int64(key), window])
        self.current = result.iterate(self.env)


@register_kernel("GroupByWindowDataset", context=True)
def _group_by_window(
    ctx,
    input_dataset,
    *rest,
    key_func,
    reduce_func,
    window_size_func,
    Tkey_func_other_arguments,
    Treduce_func_other_arguments,
    Twindow_size_func_other_arguments,
    output_types,
    output_shapes,
    metadata,
):
    counts = (
        len(Tkey_func_other_arguments),
        len(Treduce_func_other_arguments),
        len(Twindow_size_func_other_arguments),
    )
    key_args, reduce_args, size_args = _split(rest, counts)
    dataset = Transform(
        input_dataset,
        GroupByWindowIterator,
        key_fn=Function(key_func, key_args),
        reduce_fn=Function(reduce_func, reduce_args),
        window_size_fn=Function(window_size_func, size_args),
    )
    return (dataset.typed(output_types, output_shapes),)


class GroupByReducerIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.states: dict | None = None
        self.keys: list = []

    def __next__(self):
        if self.states is None:
            self.states = {}
            for element in self.input:
                key = _scalar_key(self.dataset.key_fn(self.env, element), "key_func")
                if key not in self.states:
                    self.states[key] = self.dataset.init_fn(self.env, [np.int64(key)])
                state = self.states[key]
                self.states[key] = self.dataset.reduce_fn(self.env, [*state, *element])
            self.keys = sorted(self.states, reverse=True)
        if not self.keys:
            raise StopIteration
        return tuple(self.dataset.finalize_fn(self.env, self.states.pop(self.keys.pop())))


@register_kernel("GroupByReducerDataset", context=True)
def _group_by_reducer(ctx, input_dataset, *rest, output_types, output_shapes, **attrs):
    counts = [len(attrs[f"T{name}_other_arguments"]) for name in _REDUCER_FUNCTIONS]
    functions = {
        f"{name.removesuffix('_func')}_fn": Function(attrs[name], args)
        for name, args in zip(_REDUCER_FUNCTIONS, _split(rest, counts))
    }
    dataset = Transform(input_dataset, GroupByReducerIterator, **functions)
    return (dataset.typed(output_types, output_shapes),)
