"""Kernels of ``tf.data``'s ops, and the iterator resource.

Dataset ops output the values of :mod:`runtime.data.pipeline`; the iterator ops
manage an :class:`IteratorResource` in the session.

Iterator resources
    ``IteratorV2``/``OneShotIterator`` make an :class:`IteratorResource` in the
    session's resources: ``MakeIterator`` (the initializer) starts a new iteration
    of its dataset in a new :class:`~runtime.data.pipeline.Pipeline`,
    ``IteratorGetNext`` takes the next element, ``Session.close()`` stops it.
Interrupts and rollback
    TF does not roll iterators back. Here ``IteratorGetNext`` is a blocking op: it
    runs off the main thread (unless a run's ``RunOptions`` asks for no thread pool), so
    a notebook interrupt never lands inside an iterator;
    the step is cancelled, a kernel still computing its element finishes it, and the
    step's rollback hands the element back to the iterator. An interrupted
    ``get_next`` so loses and duplicates nothing: the next run returns that element.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading

import numpy as np

from .. import dtypes, records
from ..errors import FailedPreconditionError, InvalidArgumentError, OutOfRangeError
from ..kernels.math import shape_text
from ..registry import register_kernel
from ..resources import check_resource_names
from ..shapes import TensorShape
from .pipeline import (
    AUTOTUNE,
    POLL_SECONDS,
    BatchIterator,
    Cache,
    Concatenate,
    DatasetValue,
    Elements,
    FilterIterator,
    FlatMapIterator,
    Function,
    InterleaveIterator,
    MapIterator,
    PaddedBatchIterator,
    ParallelMapIterator,
    Pipeline,
    PrefetchIterator,
    RepeatIterator,
    Shuffle,
    SkipIterator,
    Slices,
    Source,
    TakeIterator,
    Transform,
    UnbatchIterator,
    WindowIterator,
    Zip,
)
from .structure import flatten

_iterator_ids = itertools.count()


def generator_functions(graph) -> dict:
    """``graph``'s own ``{token: generator function}`` table: from_generator's functions
    live exactly as long as their graph. An attribute of the graph, not a module map
    keyed weakly by graph, whose values would keep the graph alive through a function
    that refers to it (a bound method of a model holding its graph)."""
    return vars(graph).setdefault("_generator_functions", {})


# -- files --------------------------------------------------------------------------------


def _file_names(filenames) -> list:
    return [name.decode() if isinstance(name, bytes) else str(name) for name in np.ravel(filenames)]


def _file_source(filenames, read_one) -> Source:
    names = _file_names(filenames)

    def produce(env):
        for name in names:
            yield from read_one(name)

    return Source(produce)


# -- kernels: sources ---------------------------------------------------------------------


# TF's attrs that tune its own implementation, and the type attrs of list inputs: the
# datasets here read none of them.
_UNREAD = frozenset(
    [
        "metadata",
        "is_files",
        "replicate_on_split",
        "use_inter_op_parallelism",
        "preserve_cardinality",
        "force_synchronous",
        "deterministic",
        "use_unbounded_threadpool",
        "slack_period",
        "legacy_autotune",
        "buffer_size_min",
        "parallel_copy",
        "N",
        "Targs",
        "Targuments",
    ]
)
# Datasets of record files declare no element types (as TF's): they are string scalars.
_RECORD_TYPES, _RECORD_SHAPES = (dtypes.string,), (TensorShape([]),)


def _dataset_kernel(op_type: str, context: bool = False):
    """Register ``make(*inputs, **attrs) -> DatasetValue`` as the kernel of ``op_type``."""

    def decorate(make):
        def kernel(*inputs, **attrs):
            # Sources name their types attr Toutput_types, the others output_types (as TF).
            types = attrs.pop("output_types", None) or attrs.pop("Toutput_types", _RECORD_TYPES)
            shapes = attrs.pop("output_shapes", _RECORD_SHAPES)
            own = {key: value for key, value in attrs.items() if key not in _UNREAD}
            return (make(*inputs, **own).typed(types, shapes),)

        register_kernel(op_type, context=context)(kernel)
        return make

    return decorate


@_dataset_kernel("TensorSliceDataset")
def _tensor_slices(*components):
    return Slices(components)


@_dataset_kernel("TensorDataset")
def _tensors(*components):
    return Elements([components])


@_dataset_kernel("RangeDataset")
def _range(start, stop, step):
    if int(step) == 0:
        raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
    numbers = range(int(start), int(stop), int(step))
    return Source(lambda env: ((np.int64(n),) for n in numbers), len(numbers))


@_dataset_kernel("GeneratorDataset", context=True)
def _generator(ctx, *args, token):
    function = generator_functions(ctx.op.graph).get(token)
    if function is None:
        raise FailedPreconditionError(
            None, None, f"The generator of {token} is not available (was its graph rebuilt?)."
        )
    dataset = Source(lambda env: _generated(function, args, dataset))
    return dataset


def _generated(function, args, dataset):
    for value in function(*args):
        flat = flatten(tuple(value) if isinstance(value, tuple) else value)
        if len(flat) != len(dataset.types):
            raise InvalidArgumentError(
                None,
                None,
                f"`generator` yielded an element of {len(flat)} components where "
                f"{len(dataset.types)} were expected.",
            )
        yield tuple(
            _generated_component(v, t, s) for v, t, s in zip(flat, dataset.types, dataset.shapes)
        )


def _generated_component(value, dtype, shape) -> np.ndarray:
    from ..ops.core import to_numpy

    try:
        array = to_numpy(value, dtype)
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            None,
            None,
            f"TypeError: `generator` yielded an element that could not be "
            f"converted to the expected type {dtype.name}: {err}",
        ) from None
    if not shape.is_compatible_with(array.shape):
        raise InvalidArgumentError(
            None,
            None,
            f"`generator` yielded an element of shape {array.shape} where an element of "
            f"shape {tuple(shape.as_tuple()) if shape.rank is not None else None} was expected.",
        )
    return array


@_dataset_kernel("TextLineDataset")
def _text_line(filenames, compression_type, buffer_size):
    compression = _scalar_text(compression_type)
    return _file_source(
        filenames,
        lambda name: (
            (np.array(line, dtype=object),) for _, line in records.text_lines(name, compression)
        ),
    )


@_dataset_kernel("TFRecordDataset")
def _tf_record(filenames, compression_type, buffer_size):
    compression = _scalar_text(compression_type)
    return _file_source(
        filenames,
        lambda name: (
            (np.array(r, dtype=object),) for r in records.iter_records(name, compression)
        ),
    )


@_dataset_kernel("FixedLengthRecordDatasetV2")
def _fixed_length(
    filenames, header_bytes, record_bytes, footer_bytes, buffer_size, compression_type
):
    sizes = (int(header_bytes), int(record_bytes), int(footer_bytes))
    if sizes[1] <= 0 or min(sizes) < 0:
        raise InvalidArgumentError(
            None, None, f"record_bytes must be positive and the others non-negative, got {sizes}"
        )
    compression = _scalar_text(compression_type)
    return _file_source(
        filenames,
        lambda name: (
            (np.array(r, dtype=object),)
            for _, r in records.fixed_length_records(name, *sizes, 0, compression)
        ),
    )


def _scalar_text(value) -> str:
    item = np.asarray(value).reshape(()).item() if np.size(value) == 1 else b""
    return item.decode() if isinstance(item, bytes) else str(item)


# -- kernels: transformations ---------------------------------------------------------------


def _function_kernel(op_type: str, build):
    """Register a kernel for a dataset op taking ``input_dataset`` then captured arguments."""

    def kernel(ctx, input_dataset, *rest, output_types, output_shapes, **attrs):
        return (build(input_dataset, rest, attrs).typed(output_types, output_shapes),)

    register_kernel(op_type, context=True)(kernel)


def _map(input_dataset, rest, attrs, calls=1):
    fn = Function(attrs["f"], rest)
    if calls == 1:
        return Transform(input_dataset, MapIterator, fn=fn)
    return Transform(input_dataset, ParallelMapIterator, fn=fn, calls=calls)


_function_kernel("MapDataset", _map)
_function_kernel(
    "ParallelMapDatasetV2",
    lambda input_dataset, rest, attrs: _map(
        input_dataset, rest[:-1], attrs, _parallelism(rest[-1])
    ),
)
_function_kernel(
    "FilterDataset",
    lambda input_dataset, rest, attrs: Transform(
        input_dataset, FilterIterator, predicate=Function(attrs["predicate"], rest)
    ),
)
_function_kernel(
    "FlatMapDataset",
    lambda input_dataset, rest, attrs: Transform(
        input_dataset, FlatMapIterator, fn=Function(attrs["f"], rest)
    ),
)
_function_kernel(
    "InterleaveDataset",
    lambda input_dataset, rest, attrs: Transform(
        input_dataset,
        InterleaveIterator,
        fn=Function(attrs["f"], rest[:-2]),
        cycle_length=_parallelism(rest[-2]),
        block_length=_positive(rest[-1], "block_length"),
    ),
)


def _parallelism(value) -> int:
    count = int(value)
    if count == AUTOTUNE:
        return max(2, os.cpu_count() or 1)
    return _positive(count, "num_parallel_calls")


def _positive(value, what: str) -> int:
    if int(value) <= 0:
        raise InvalidArgumentError(
            None, None, f"{what} must be greater than zero, got {int(value)}."
        )
    return int(value)


@_dataset_kernel("BatchDatasetV2")
def _batch(input_dataset, batch_size, drop_remainder):
    return Transform(
        input_dataset,
        BatchIterator,
        batch_size=_positive(batch_size, "Batch size"),
        drop_remainder=bool(drop_remainder),
    )


@_dataset_kernel("PaddedBatchDatasetV2")
def _padded_batch(input_dataset, batch_size, *rest):
    count = (len(rest) - 1) // 2
    shapes, values, drop = rest[:count], rest[count : 2 * count], rest[-1]
    return Transform(
        input_dataset,
        PaddedBatchIterator,
        batch_size=_positive(batch_size, "Batch size"),
        padded_shapes=[tuple(int(d) for d in s) for s in shapes],
        padding_values=[np.asarray(v) for v in values],
        drop_remainder=bool(drop),
    )


@_dataset_kernel("UnbatchDataset")
def _unbatch(input_dataset):
    return Transform(input_dataset, UnbatchIterator)


@_dataset_kernel("WindowDataset")
def _window(input_dataset, size, shift, stride, drop_remainder):
    return Transform(
        input_dataset,
        WindowIterator,
        size=_positive(size, "Window size"),
        shift=_positive(shift, "Window shift"),
        stride=_positive(stride, "Window stride"),
        drop_remainder=bool(drop_remainder),
        types=(),
        shapes=(),
    )


@_dataset_kernel("ShuffleDataset")
def _shuffle(input_dataset, buffer_size, seed, seed2, *, reshuffle_each_iteration):
    return Shuffle(
        input_dataset,
        _positive(buffer_size, "buffer_size"),
        int(seed),
        int(seed2),
        bool(reshuffle_each_iteration),
    )


@_dataset_kernel("RepeatDataset")
def _repeat(input_dataset, count):
    return Transform(input_dataset, RepeatIterator, count=int(count))


@_dataset_kernel("TakeDataset")
def _take_dataset(input_dataset, count):
    return Transform(input_dataset, TakeIterator, count=int(count))


@_dataset_kernel("SkipDataset")
def _skip(input_dataset, count):
    return Transform(input_dataset, SkipIterator, count=int(count))


@_dataset_kernel("ZipDataset")
def _zip(*input_datasets):
    return Zip(input_datasets)


@_dataset_kernel("ConcatenateDataset")
def _concatenate(input_dataset, another_dataset):
    return Concatenate(input_dataset, another_dataset)


@_dataset_kernel("PrefetchDataset")
def _prefetch(input_dataset, buffer_size):
    size = int(buffer_size)
    size = 2 if size == AUTOTUNE else size
    if size < 0:
        raise InvalidArgumentError(None, None, f"buffer_size must be >= 0 or AUTOTUNE, got {size}")
    if size == 0:
        return Transform(input_dataset, TakeIterator, count=-1)
    return Transform(input_dataset, PrefetchIterator, buffer_size=size)


@_dataset_kernel("CacheDataset")
def _cache(input_dataset, filename):
    return Cache(input_dataset, _scalar_text(filename))


@register_kernel("ReduceDataset", context=True)
def reduce_dataset(ctx, input_dataset, *rest, f, Tstate, output_types, output_shapes, **_unread):
    state = list(rest[: len(Tstate)])
    fn = Function(f, rest[len(Tstate) :])
    pipeline = Pipeline(ctx)
    pipeline.cancellation = ctx.cancellation  # a reduce is part of the step
    for element in input_dataset.iterate(pipeline):
        state = fn(pipeline, [*state, *element])
    return tuple(state)


# -- iterators ----------------------------------------------------------------------------


class IteratorResource:
    """An iterator living in the session: its dataset's current iteration.

    ``get_next`` calls are serialised (as TF's); an element given back by a rolled-back
    step is returned first by the next call.
    """

    def __init__(self, name: str, types, shapes):
        self.name = name
        self.types = tuple(types)
        self.shapes = tuple(shapes)
        # Reentrant: a rolled-back journal runs a late give-back at once, lock held.
        self.lock = threading.RLock()
        self.pipeline: Pipeline | None = None
        self.iterator = None
        self.given_back: list = []
        self.made = False

    def check_dataset(self, dataset: DatasetValue) -> None:
        if list(dataset.types) != list(self.types) or not all(
            mine.is_compatible_with(theirs) for mine, theirs in zip(self.shapes, dataset.shapes)
        ):
            raise InvalidArgumentError(
                None,
                None,
                f"The iterator's element types {_types_text(self.types)} and shapes "
                f"{_shapes_text(self.shapes)} do not match the dataset's "
                f"{_types_text(dataset.types)} and {_shapes_text(dataset.shapes)}.",
            )

    def make(self, dataset: DatasetValue, ctx) -> None:
        """Start a new iteration of ``dataset`` (the old one's producers stop)."""
        self.check_dataset(dataset)
        pipeline = Pipeline(ctx)
        with self._locked(ctx):
            if self.pipeline is not None:
                self.pipeline.stop()
            self.pipeline = pipeline
            self.iterator = dataset.iterate(pipeline)
            self.given_back = []
            self.made = True

    @contextlib.contextmanager
    def _locked(self, ctx):
        while not self.lock.acquire(timeout=POLL_SECONDS):
            ctx.check()
        try:
            yield
        finally:
            self.lock.release()

    def get_next(self, ctx) -> tuple:
        with self._locked(ctx):
            if self.iterator is None:
                raise FailedPreconditionError(
                    None,
                    None,
                    "GetNext() failed because the iterator has not been initialized. Ensure "
                    "that you have run the initializer operation for this iterator before "
                    "getting the next element.",
                )
            pipeline = self.pipeline
            if self.given_back:
                element = self.given_back.pop()
            else:
                with pipeline.serving(ctx):
                    try:
                        element = next(self.iterator)
                    except StopIteration:
                        raise OutOfRangeError(None, None, "End of sequence") from None
            # Recorded with the lock held: no other get_next slips in before a give-back.
            ctx.journal.record(lambda: self._give_back(element, pipeline))
        return element

    def _give_back(self, element, pipeline) -> None:
        with self.lock:
            if self.pipeline is pipeline:  # not re-initialised since
                self.given_back.append(element)

    def close_resource(self) -> None:
        if self.pipeline is not None:
            self.pipeline.stop()


def _types_text(types) -> str:
    return "(" + ", ".join(t.name for t in types) + ")"


def _shapes_text(shapes) -> str:
    return "(" + ", ".join(str(s) for s in shapes) + ")"


_HANDLE_PREFIX = "iterator:"


def _iterator_resource(ctx, container, shared_name, output_types, output_shapes):
    check_resource_names(container, shared_name)
    key = shared_name or ctx.op.name
    name = shared_name or f"_{next(_iterator_ids)}_{ctx.op.name}"
    return ctx.resources.get_or_create(
        container, key, lambda: IteratorResource(name, output_types, output_shapes)
    )


@register_kernel("IteratorV2", context=True)
def iterator_v2(ctx, *, shared_name, container, output_types, output_shapes):
    return (_iterator_resource(ctx, container, shared_name, output_types, output_shapes),)


@register_kernel("OneShotIterator", context=True)
def one_shot_iterator(ctx, dataset, *, shared_name, container, output_types, output_shapes):
    resource = _iterator_resource(ctx, container, shared_name, output_types, output_shapes)
    if not resource.made:
        resource.make(dataset, ctx)
    return (resource,)


@register_kernel("MakeIterator", context=True)
def make_iterator(ctx, dataset, iterator):
    iterator.make(dataset, ctx)
    return ()


@register_kernel("IteratorGetNext", context=True)
def iterator_get_next(ctx, iterator, *, output_types, output_shapes):
    element = iterator.get_next(ctx)
    for index, (value, shape) in enumerate(zip(element, output_shapes)):
        if not shape.is_compatible_with(np.shape(value)):
            raise InvalidArgumentError(
                None,
                None,
                f"The iterator's component {index} has shape {shape_text(np.shape(value))}, "
                f"which is not compatible with the expected shape {shape}.",
            )
        if isinstance(value, np.ndarray):
            value.flags.writeable = False  # the same array may sit in a cache
    return element


@register_kernel("IteratorToStringHandle", context=True)
def iterator_to_string_handle(ctx, iterator):
    for (container, key), resource in ctx.resources.items():
        if resource is iterator:
            handle = f"{_HANDLE_PREFIX}{container}:{key}".encode()
            return (np.array(handle, dtype=object),)
    raise InvalidArgumentError(None, None, "The iterator is not a resource of this session.")


@register_kernel("IteratorFromStringHandleV2", context=True)
def iterator_from_string_handle(ctx, string_handle, *, output_types, output_shapes):
    text = _scalar_text(string_handle)
    container, _, key = text.removeprefix(_HANDLE_PREFIX).partition(":")
    resource = ctx.resources.lookup(container, key) if text.startswith(_HANDLE_PREFIX) else None
    if not isinstance(resource, IteratorResource):
        raise InvalidArgumentError(
            None, None, f"{text!r} is not the string handle of an iterator of this session."
        )
    if output_types and list(output_types) != list(resource.types):
        raise InvalidArgumentError(
            None,
            None,
            f"The iterator of handle {text!r} yields {_types_text(resource.types)}, but "
            f"{_types_text(output_types)} were expected.",
        )
    return (resource,)
