"""The ``Dataset`` transformations TF added after the first ones (the methods behind most of
``tf.data.experimental``): ``scan``, ``take_while``, ``unique``, ``ignore_errors``,
``shard``, ``assert_cardinality``, ``cardinality``, ``get_single_element``,
``map_and_batch``, the legacy ``parallel_interleave``, ``dense_to_sparse_batch``,
``from_list``, ``counter``, ``list_files`` and the device copies.

Each has TF's op (its OpDef as TF declares it), a builder the ``Dataset`` method calls,
and a kernel whose :class:`~runtime.data.pipeline.Transform` iterates it (see
:mod:`runtime.data.pipeline` for how iterators, functions and errors behave).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import CancelledError, FailedPreconditionError, InvalidArgumentError, OpError
from ..graph import get_default_graph
from ..ops.array_ops import identity
from ..ops.core import apply_op, convert_to_tensor
from ..ops.io_ops import matching_files
from ..ops.logging_ops import Assert
from ..ops.math_ops import greater, maximum
from ..ops.shape_ops import shape
from ..ops.string_ops import reduce_join_v2, string_join
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_kernel, register_op
from ..scopes import device
from ..shapes import TensorShape
from ..tf_logging import warning
from .dataset_ops import (
    _FUNCTION,
    _MAP_ARGS,
    _META,
    _TYPES,
    Dataset,
    DatasetSpec,
    _dataset_op,
    _int64,
    _normalize,
    _returned_dataset,
    _source,
    _static_bool,
    _static_int,
    _TracedFunction,
    element_of,
)
from .kernels import _dataset_kernel, _function_kernel, _parallelism, _positive
from .pipeline import (
    INFINITE,
    UNKNOWN,
    BatchIterator,
    Elements,
    Function,
    ParallelMapIterator,
    Pipeline,
    Transform,
    _Iterator,
    batched_cardinality,
    same_cardinality,
)
from .structure import SparseSpec, Structure, batched

__all__ = ["INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


# -- op definitions (TF's, tests/fixtures/tf_ops/op_defs.json) --------------------------------

SCAN = _dataset_op(
    "ScanDataset",
    ("input_dataset: variant", "initial_state: Tstate", "other_arguments: Targuments"),
    (
        "f: func",
        "Tstate: list(type) >= 1",
        "Targuments: list(type) >= 0",
        *_TYPES,
        "preserve_cardinality: bool = false",
        "use_default_device: bool = true",
        *_META,
    ),
)
TAKE_WHILE = _dataset_op("TakeWhileDataset", _MAP_ARGS, ("predicate: func", *_FUNCTION))
UNIQUE = _dataset_op("UniqueDataset", ["input_dataset: variant"])
IGNORE_ERRORS = _dataset_op(
    "IgnoreErrorsDataset", ["input_dataset: variant"], (*_TYPES, "log_warning: bool = false")
)
SHARD = _dataset_op(
    "ShardDataset",
    ["input_dataset: variant", "num_shards: int64", "index: int64"],
    ("require_non_empty: bool = false", *_TYPES, *_META),
)
ASSERT_CARDINALITY = _dataset_op(
    "AssertCardinalityDataset", ["input_dataset: variant", "cardinality: int64"], _TYPES
)
MAP_AND_BATCH = _dataset_op(
    "MapAndBatchDataset",
    (*_MAP_ARGS, "batch_size: int64", "num_parallel_calls: int64", "drop_remainder: bool"),
    ("f: func", *_FUNCTION[:-1], "preserve_cardinality: bool = false", *_META),
)
LEGACY_PARALLEL_INTERLEAVE = _dataset_op(
    "LegacyParallelInterleaveDatasetV2",
    (
        *_MAP_ARGS,
        "cycle_length: int64",
        "block_length: int64",
        "buffer_output_elements: int64",
        "prefetch_input_elements: int64",
    ),
    ("f: func", "deterministic: string = 'default'", *_FUNCTION),
)
DENSE_TO_SPARSE_BATCH = _dataset_op(
    "DenseToSparseBatchDataset",
    ["input_dataset: variant", "batch_size: int64", "row_shape: int64"],
    _TYPES,
)
LIST = _dataset_op(
    "ListDataset",
    ["tensors: Tinput_types"],
    ("Tinput_types: list(type) >= 1", *_TYPES, *_META),
    stateful=True,
)
CARDINALITY = register_op(
    OpDef(
        "DatasetCardinality",
        ("input_dataset: variant",),
        ("cardinality: int64",),
        ("cardinality_options: string = ''",),
        shape_fn=lambda dataset, **_: [TensorSpec(dtypes.int64, TensorShape([]))],
    )
)
SINGLE_ELEMENT = register_op(
    OpDef(
        "DatasetToSingleElement",
        ("dataset: variant",),
        ("components: output_types",),
        (*_TYPES, *_META),
        shape_fn=lambda dataset, *, output_types, output_shapes, metadata: [
            TensorSpec(t, s) for t, s in zip(output_types, output_shapes)
        ],
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
not_differentiable("DatasetCardinality")
not_differentiable("DatasetToSingleElement")


# -- builders (the Dataset methods call these) ------------------------------------------------


def scan(dataset: Dataset, initial_state, scan_func, name=None) -> Dataset:
    """``dataset.scan``: ``scan_func(state, element) -> (new state, output)`` carried over the
    elements from ``initial_state``; yields the outputs."""
    graph = dataset.graph
    flat, state = _normalize(initial_state, graph)
    while True:  # as TF: trace again with relaxed shapes until the state's are stable
        traced = _TracedFunction(scan_func, dataset.structure, graph, "scan", state)
        new_state, output = _state_and_output(traced.structure)
        if new_state.template != state.template or new_state.flat_types != state.flat_types:
            raise TypeError(
                f"The element types for the new state must match the initial state. Expected "
                f"{state.types}; got {new_state.types}."
            )
        relaxed = [
            a.most_specific_compatible_shape(b)
            for a, b in zip(state.flat_shapes, new_state.flat_shapes)
        ]
        if relaxed == state.flat_shapes:
            break
        state = state.with_shapes(relaxed)
    return dataset._build(
        SCAN,
        [dataset._variant_tensor, flat, traced.captured],
        output,
        name,
        f=traced.body,
        Tstate=[t.dtype.base_dtype for t in flat],
        Targuments=[t.dtype for t in traced.captured],
        preserve_cardinality=True,
    )


def _state_and_output(structure: Structure) -> tuple:
    """The ``(new state, output)`` structures of what a scan function returned."""
    if not isinstance(structure.types, tuple) or len(structure.types) != 2:
        raise TypeError(
            "The scan function must return a pair comprising the new state and the output "
            f"value, got {structure.types}."
        )
    count = len(Structure(structure.types[0], structure.shapes[0]).flat_types)
    parts = []
    for index, flat in ((0, slice(0, count)), (1, slice(count, None))):
        parts.append(
            Structure.of_components(
                structure.types[index],
                structure.flat_types[flat],
                structure.flat_shapes[flat],
                structure.flat_classes[flat],
            )
        )
    return tuple(parts)


def take_while(dataset: Dataset, predicate, name=None) -> Dataset:
    """``dataset.take_while``: the elements until ``predicate`` first gives ``False``."""

    def check(traced):
        out = traced.structure
        if out.flat_types != [dtypes.bool] or out.flat_shapes[0].rank not in (None, 0):
            raise ValueError(
                f"`predicate` return type must be convertible to a scalar boolean tensor. Was "
                f"{out.types}."
            )
        return dataset.structure

    return dataset._function_op(TAKE_WHILE, predicate, "take_while", name=name, output=check)


def unique(dataset: Dataset, name=None) -> Dataset:
    """``dataset.unique``: each distinct element once, in order of first appearance."""
    for dtype in dataset.structure.flat_types:
        if dtype not in (dtypes.int32, dtypes.int64, dtypes.string):
            raise TypeError(
                f"`tf.data.Dataset.unique` does not support type {dtype!r} -- only `tf.int32`, "
                "`tf.int64`, and `tf.string` are supported."
            )
    return dataset._build(UNIQUE, [dataset._variant_tensor], dataset.structure, name)


def ignore_errors(dataset: Dataset, log_warning=False, name=None) -> Dataset:
    """``dataset.ignore_errors``: the elements whose computation did not fail."""
    return dataset._build(
        IGNORE_ERRORS,
        [dataset._variant_tensor],
        dataset.structure,
        name,
        log_warning=bool(log_warning),
    )


def shard(dataset: Dataset, num_shards, index, name=None) -> Dataset:
    """``dataset.shard``: every ``num_shards``-th element, starting at ``index``."""
    with dataset.graph.as_default():
        inputs = [_int64(num_shards, "num_shards"), _int64(index, "index")]
    return dataset._build(SHARD, [dataset._variant_tensor, *inputs], dataset.structure, name)


def assert_cardinality(dataset: Dataset, expected_cardinality) -> Dataset:
    """The elements of ``dataset``; iterating fails if there are not exactly
    ``expected_cardinality`` (whose number ``cardinality`` then reports)."""
    with dataset.graph.as_default():
        count = _int64(expected_cardinality, "cardinality")
    return dataset._build(
        ASSERT_CARDINALITY, [dataset._variant_tensor, count], dataset.structure, None
    )


def cardinality(dataset: Dataset):
    """An int64 scalar: the number of elements, ``INFINITE_CARDINALITY`` or
    ``UNKNOWN_CARDINALITY`` (known without iterating, as TF's).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sizes = [cardinality(d) for d in (tf.data.Dataset.range(7).batch(2),
    ...              tf.data.Dataset.range(3).repeat(), tf.data.Dataset.range(3).filter(
    ...              lambda x: x > 0))]
    ...     print([int(size) for size in tf.compat.v1.Session().run(sizes)])
    [4, -1, -2]
    """
    return apply_op(
        CARDINALITY, [dataset._variant_tensor], "DatasetCardinality", graph=dataset.graph
    ).outputs[0]


def get_single_element(dataset: Dataset, name=None):
    """The one element of ``dataset`` (``InvalidArgumentError`` if it has none, or more)."""
    if not isinstance(dataset, Dataset):
        raise TypeError(
            f"Invalid `dataset`. Expected a `tf.data.Dataset` object but got {type(dataset)}."
        )
    structure = dataset.structure
    op = apply_op(
        SINGLE_ELEMENT,
        [dataset._variant_tensor],
        name or "DatasetToSingleElement",
        graph=dataset.graph,
        output_types=list(structure.flat_types),
        output_shapes=list(structure.flat_shapes),
    )
    return element_of(structure, op.outputs)


def map_and_batch(
    dataset: Dataset, map_func, batch_size, num_parallel_calls, drop_remainder, name=None
) -> Dataset:
    """``map(map_func)`` and ``batch(batch_size)`` in one op, ``num_parallel_calls`` calls
    in flight."""
    with dataset.graph.as_default():
        extra = [
            _int64(batch_size, "batch_size"),
            _int64(num_parallel_calls, "num_parallel_calls"),
            convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder"),
        ]
    known = _static_int(extra[0]) if _static_bool(extra[2]) else None
    return dataset._function_op(
        MAP_AND_BATCH,
        map_func,
        "map_and_batch",
        extra,
        name,
        output=lambda traced: batched(traced.structure, known),
        preserve_cardinality=True,
    )


def parallel_interleave(
    dataset: Dataset,
    map_func,
    cycle_length,
    block_length,
    sloppy,
    buffer_output_elements,
    prefetch_input_elements,
) -> Dataset:
    """TF1's ``parallel_interleave``: ``cycle_length`` of ``map_func``'s datasets at a time,
    ``block_length`` elements each in turn, an exhausted one replaced at once by the next."""
    with dataset.graph.as_default():
        extra = [
            _int64(cycle_length, "cycle_length"),
            _int64(block_length, "block_length"),
            _int64(
                2 * block_length if buffer_output_elements is None else buffer_output_elements,
                "buffer_output_elements",
            ),
            _int64(
                2 * cycle_length if prefetch_input_elements is None else prefetch_input_elements,
                "prefetch_input_elements",
            ),
        ]
    return dataset._function_op(
        LEGACY_PARALLEL_INTERLEAVE,
        map_func,
        "parallel_interleave",
        extra,
        output=_returned_dataset,
        deterministic="false" if sloppy else "true",
    )


def dense_to_sparse_batch(dataset: Dataset, batch_size, row_shape) -> Dataset:
    """Batches of ``batch_size`` elements as ``SparseTensor``s of dense shape
    ``[batch, *row_shape]`` (a ``-1``/``None`` in ``row_shape``: the batch's largest)."""
    classes = dataset.structure.flat_classes
    if len(classes) != 1 or isinstance(classes[0], SparseSpec | DatasetSpec):
        raise TypeError(
            "`dense_to_sparse_batch` batches a dataset whose elements are single dense tensors, "
            f"not {dataset.output_classes}."
        )
    dims = [-1 if d is None else int(d) for d in TensorShape(row_shape).as_list()]
    with dataset.graph.as_default():
        size = _int64(batch_size, "batch_size")
        shape = _int64(dims, "row_shape")
    known = [d if d >= 0 else None for d in dims]
    spec = SparseSpec(dataset.structure.flat_types[0], TensorShape([None, *known]))
    structure = Structure(dtypes.variant, TensorShape([3]), spec)
    return dataset._build(
        DENSE_TO_SPARSE_BATCH, [dataset._variant_tensor, size, shape], structure, None
    )


def from_list(elements, name=None) -> Dataset:
    """A dataset of the elements of the Python list ``elements`` (each a nested structure
    of values; their shapes may differ, unlike ``from_tensor_slices``'s).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ds = from_list([[1, 2], [3]])
    ...     x = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(ds.output_shapes, sess.run(x), sess.run(x))
    (?,) [1 2] [3]
    """
    if not isinstance(elements, list | tuple) or not elements:
        raise ValueError("Invalid `elements`. `elements` should not be empty.")
    graph = get_default_graph()
    normalized = [_normalize(element, graph) for element in elements]
    first = normalized[0][1]
    for _, structure in normalized[1:]:
        if structure.template != first.template or structure.flat_types != first.flat_types:
            raise TypeError(
                f"Invalid `elements`. All elements must have the same structure, but the first "
                f"is {first.types} and another {structure.types}."
            )
    shapes = list(first.flat_shapes)
    for _, structure in normalized[1:]:
        shapes = [
            a.most_specific_compatible_shape(b) for a, b in zip(shapes, structure.flat_shapes)
        ]
    flat = [tensor for tensors, _ in normalized for tensor in tensors]
    return _source(LIST, [flat], first.with_shapes(shapes), name)


def counter(start=0, step=1, dtype=dtypes.int64, name=None) -> Dataset:
    """``start``, ``start + step``, ... without end, as TF builds it (a ``scan`` over an
    endless repeat).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.data.make_one_shot_iterator(counter(5, -2).take(3).batch(3))
    ...     print(tf.compat.v1.Session().run(x.get_next()))
    [5 3 1]
    """
    graph = get_default_graph()
    with graph.name_scope("counter"):
        start = convert_to_tensor(start, dtype=dtype, name="start")
        step = convert_to_tensor(step, dtype=dtype, name="step")
        endless = Dataset.from_tensors(0).repeat(None)
        return scan(endless, start, lambda state, _: (state + step, state), name)


def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
    """The files matching ``file_pattern`` (one or more globs), sorted, then shuffled unless
    ``shuffle=False``; iterating fails with ``InvalidArgumentError`` if none match."""
    graph = get_default_graph()
    with graph.name_scope("list_files"):
        pattern = convert_to_tensor(file_pattern, dtype=dtypes.string, name="file_pattern")
        files = matching_files(pattern)
        found = greater(shape(files)[0], 0, name="match_not_empty")
        joined = reduce_join_v2(pattern, separator=", ")
        message = string_join(["No files matched pattern: ", joined], name="message")
        check = Assert(found, [message], summarize=1, name="assert_not_empty")
        with graph.control_dependencies([check]):
            files = identity(files)
        dataset = Dataset.from_tensor_slices(files, name=name)
        if shuffle is None or shuffle:
            count = maximum(shape(files, out_type=dtypes.int64)[0], 1)
            dataset = dataset.shuffle(count, seed=seed, name=name)
        return dataset


def copy_to_device(dataset: Dataset, target_device: str) -> Dataset:
    """The elements of ``dataset`` (produced on ``source_device``) delivered by an op on
    ``target_device``: a ``PrefetchDataset`` without buffer placed there, so the iterator
    ops built on it run on that device."""
    with dataset.graph.as_default(), device(target_device):
        return dataset.prefetch(0)


# -- iterators and kernels ------------------------------------------------------------------


class ScanIterator(_Iterator):
    cardinality = classmethod(lambda cls, dataset: same_cardinality(dataset))

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.state = list(dataset.initial_state)

    def __next__(self):
        element = next(self.input)
        outputs = self.dataset.fn(self.env, [*self.state, *element])
        count = len(self.state)
        self.state = list(outputs[:count])
        return tuple(outputs[count:])


@register_kernel("ScanDataset", context=True)
def _scan(ctx, input_dataset, *rest, f, Tstate, output_types, output_shapes, **_unread):
    count = len(Tstate)
    dataset = Transform(
        input_dataset,
        ScanIterator,
        fn=Function(f, rest[count:]),
        initial_state=tuple(rest[:count]),
    )
    return (dataset.typed(output_types, output_shapes),)


class TakeWhileIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.done = False

    def __next__(self):
        if self.done:
            raise StopIteration
        element = next(self.input)
        (keep,) = self.dataset.predicate(self.env, element)
        if not bool(np.asarray(keep).reshape(())):
            self.done = True
            raise StopIteration
        return element


_function_kernel(
    "TakeWhileDataset",
    lambda input_dataset, rest, attrs: Transform(
        input_dataset, TakeWhileIterator, predicate=Function(attrs["predicate"], rest)
    ),
)


class UniqueIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.seen: set = set()

    def __next__(self):
        while True:
            element = next(self.input)
            key = tuple(_hashable(component) for component in element)
            if key not in self.seen:
                self.seen.add(key)
                return element


def _hashable(value) -> tuple:
    array = np.asarray(value)
    data = tuple(array.ravel()) if array.dtype == object else array.tobytes()
    return array.shape, data


@_dataset_kernel("UniqueDataset")
def _unique(input_dataset):
    return Transform(input_dataset, UniqueIterator)


class IgnoreErrorsIterator(_Iterator):
    """Skips the elements whose computation raised (cancellation still ends the wait)."""

    def __next__(self):
        while True:
            try:
                return next(self.input)
            except CancelledError:
                raise
            except OpError as err:
                if self.dataset.log_warning:
                    warning("Error raised with error message %s", err.message)


@_dataset_kernel("IgnoreErrorsDataset")
def _ignore_errors(input_dataset, *, log_warning):
    return Transform(input_dataset, IgnoreErrorsIterator, log_warning=bool(log_warning))


class ShardIterator(_Iterator):
    @classmethod
    def cardinality(cls, dataset) -> int:
        count = dataset.input.cardinality()
        if count < 0:
            return count
        whole, rest = divmod(count, dataset.num_shards)
        return whole + (1 if dataset.index < rest else 0)

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.position = 0

    def __next__(self):
        while True:
            element = next(self.input)
            self.position += 1
            if (self.position - 1) % self.dataset.num_shards == self.dataset.index:
                return element


@_dataset_kernel("ShardDataset")
def _shard(input_dataset, num_shards, index, *, require_non_empty):
    shards, at = int(num_shards), int(index)
    if shards <= 0:
        raise InvalidArgumentError(
            None,
            None,
            f"Number of shards must be greater than zero (currently num_shards = {shards}).",
        )
    if not 0 <= at < shards:
        raise InvalidArgumentError(
            None,
            None,
            f"Index must be between 0 and {shards - 1} (currently index = {at}).",
        )
    return Transform(input_dataset, ShardIterator, num_shards=shards, index=at)


class AssertCardinalityIterator(_Iterator):
    cardinality = classmethod(lambda cls, dataset: dataset.expected)

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.count = 0

    def _expected(self) -> str:
        expected = self.dataset.expected
        return "an infinite number of" if expected == INFINITE else str(expected)

    def __next__(self):
        try:
            element = next(self.input)
        except StopIteration:
            if self.count != self.dataset.expected:
                raise FailedPreconditionError(
                    None,
                    None,
                    f"Input dataset was expected to contain {self._expected()} elements but "
                    f"contained only {self.count} element{'s' if self.count != 1 else ''}.",
                ) from None
            raise
        self.count += 1
        if self.dataset.expected != INFINITE and self.count > self.dataset.expected:
            raise FailedPreconditionError(
                None,
                None,
                f"Input dataset was expected to contain {self._expected()} elements but "
                f"contained at least {self.count} element{'s' if self.count != 1 else ''}.",
            )
        return element


@_dataset_kernel("AssertCardinalityDataset")
def _assert_cardinality(input_dataset, cardinality):
    return Transform(input_dataset, AssertCardinalityIterator, expected=int(cardinality))


@register_kernel("DatasetCardinality")
def _cardinality(input_dataset, *, cardinality_options):
    return (np.int64(input_dataset.cardinality()),)


@register_kernel("DatasetToSingleElement", context=True)
def _single_element(ctx, dataset, *, output_types, output_shapes, metadata):
    pipeline = Pipeline(ctx)
    pipeline.cancellation = ctx.cancellation  # part of the step, as reduce is
    elements = dataset.iterate(pipeline)
    try:
        element = next(elements)
    except StopIteration:
        raise InvalidArgumentError(None, None, "Dataset was empty.") from None
    try:
        next(elements)
    except StopIteration:
        return tuple(element)
    raise InvalidArgumentError(None, None, "Dataset had more than one element.")


@register_kernel("MapAndBatchDataset", context=True)
def _map_and_batch(ctx, input_dataset, *rest, f, output_types, output_shapes, **_unread):
    captured, (batch_size, calls, drop) = rest[:-3], rest[-3:]
    mapped = Transform(
        input_dataset, ParallelMapIterator, fn=Function(f, captured), calls=_parallelism(calls)
    )
    batches = Transform(
        mapped,
        BatchIterator,
        batch_size=_positive(batch_size, "batch_size"),
        drop_remainder=bool(drop),
    )
    return (batches.typed(output_types, output_shapes),)


class LegacyInterleaveIterator(_Iterator):
    """TF's legacy parallel interleave in its deterministic order: a slot whose dataset
    ends takes the next input's dataset at once, and the turn passes to the next slot."""

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.cycle: list | None = None  # opened by the first get_next, as TF's workers
        self.index = 0
        self.block = 0
        self.input_done = False

    def _open(self):
        if self.input_done:
            return None
        try:
            element = next(self.input)
        except StopIteration:
            self.input_done = True
            return None
        (inner,) = self.dataset.fn(self.env, element)
        return inner.iterate(self.env)

    def __next__(self):
        if self.cycle is None:
            self.cycle = [self._open() for _ in range(self.dataset.cycle_length)]
        while any(slot is not None for slot in self.cycle):
            current = self.cycle[self.index]
            if current is None:
                self.index = (self.index + 1) % len(self.cycle)
                self.block = 0
                continue
            try:
                element = next(current)
            except StopIteration:
                self.cycle[self.index] = self._open()
                self.index = (self.index + 1) % len(self.cycle)
                self.block = 0
                continue
            self.block += 1
            if self.block == self.dataset.block_length:
                self.index = (self.index + 1) % len(self.cycle)
                self.block = 0
            return element
        raise StopIteration


_function_kernel(
    "LegacyParallelInterleaveDatasetV2",
    lambda input_dataset, rest, attrs: Transform(
        input_dataset,
        LegacyInterleaveIterator,
        fn=Function(attrs["f"], rest[:-4]),
        cycle_length=_positive(rest[-4], "cycle_length"),
        block_length=_positive(rest[-3], "block_length"),
    ),
)


class DenseToSparseBatchIterator(_Iterator):
    """Batches of dense elements as the ``[3]`` sparse components of ``sparse_elements``."""

    cardinality = classmethod(lambda cls, dataset: batched_cardinality(dataset))

    def __next__(self):
        rows = []
        for element in self.input:
            rows.append(np.asarray(element[0]))
            if len(rows) == self.dataset.batch_size:
                break
        if not rows:
            raise StopIteration
        row_shape = self.dataset.row_shape
        dims = []
        for axis, size in enumerate(row_shape):
            largest = max(
                (row.shape[axis] for row in rows if row.ndim == len(row_shape)), default=0
            )
            dims.append(largest if size < 0 else size)
        indices, values = [], []
        for i, row in enumerate(rows):
            if row.ndim != len(row_shape) or any(n > d for n, d in zip(row.shape, dims)):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Input element had shape ({', '.join(map(str, row.shape))}) that is "
                    f"incompatible with the row shape ({', '.join(map(str, row_shape))}).",
                )
            positions = np.indices(row.shape).reshape(row.ndim, -1).T
            indices.append(np.hstack([np.full((len(positions), 1), i), positions]))
            values.append(row.reshape(-1))
        sparse = np.empty(3, dtype=object)
        sparse[0] = np.concatenate(indices).astype(np.int64).reshape(-1, 1 + len(row_shape))
        sparse[1] = np.concatenate(values)
        sparse[2] = np.array([len(rows), *dims], dtype=np.int64)
        return (sparse,)


@_dataset_kernel("DenseToSparseBatchDataset")
def _dense_to_sparse_batch(input_dataset, batch_size, row_shape):
    return Transform(
        input_dataset,
        DenseToSparseBatchIterator,
        batch_size=_positive(batch_size, "Batch size"),
        drop_remainder=False,
        row_shape=[int(d) for d in np.ravel(row_shape)],
    )


@register_kernel("ListDataset")
def _list(*tensors, Tinput_types, output_types, output_shapes, metadata):
    count = len(output_types)  # the inputs are the elements' components, one after another
    elements = [tuple(tensors[i : i + count]) for i in range(0, len(tensors), count)]
    return (Elements(elements).typed(output_types, output_shapes),)
