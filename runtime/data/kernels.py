"""Kernels of ``tf.data``: dataset values, their iterators, and the iterator resource.

Datasets are graph values. A dataset op (``TensorSliceDataset``, ``MapDataset`` ...)
outputs a :class:`DatasetValue`, an immutable description holding its inputs'
values; :meth:`DatasetValue.iterate` makes a plain Python iterator over elements,
each a tuple of numpy values (one per flat component). Iterators of transformations
are classes, not generators: an error producing one element (a failing map function)
fails that ``get_next`` only, and the next call goes on, as in TF.

Iterator resources
    ``IteratorV2``/``OneShotIterator`` make an :class:`IteratorResource` in the
    session's resources: ``MakeIterator`` (the initializer) gives it a fresh
    iterator, ``IteratorGetNext`` takes the next element, ``Session.close()`` stops
    it. Each initialisation starts a :class:`Pipeline`: what the iterators of that
    initialisation share (session resources, the device, a cancellation that stops
    background producers on re-initialisation or close, the session's data threads).
Interrupts and rollback
    TF does not roll iterators back. Here ``IteratorGetNext`` is a blocking op: it
    runs off the main thread, so a notebook interrupt never lands inside an iterator;
    the step is cancelled, a kernel still computing its element finishes it, and the
    step's rollback hands the element back to the iterator. An interrupted
    ``get_next`` so loses and duplicates nothing: the next run returns that element.
    Map functions run with the pipeline's cancellation, not the step's, so they are
    never cut off half-way.
Threads
    ``map(num_parallel_calls=n)`` keeps ``n`` calls in flight on the session's data
    threads (a pool the session owns and shuts down on close); ``prefetch`` is a
    background thread filling a bounded buffer, started on the first ``get_next``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import os
import struct
import threading
import weakref

import numpy as np

from .. import dtypes, records
from ..errors import (
    CancelledError,
    DataLossError,
    FailedPreconditionError,
    InvalidArgumentError,
    OutOfRangeError,
)
from ..functional import call_function
from ..kernels.math import shape_text
from ..registry import register_kernel
from ..resources import Cancellation

AUTOTUNE = -1
_POLL_SECONDS = 0.05
_iterator_ids = itertools.count()
# graph -> {token: generator function}: from_generator's functions live with their graph.
generator_functions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- the pipeline of one initialisation ----------------------------------------------------


class _NoUndo:
    """The journal of a pipeline: dataset functions are never rolled back (as in TF)."""

    def record(self, undo) -> None:
        pass

    def rollback(self) -> None:
        pass


class DataThreads:
    """The session's threads for parallel ``map`` calls (shut down with the session)."""

    def __init__(self):
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="tfgraph-data"
        )

    def close_resource(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class Pipeline:
    """What the iterators of one initialised iterator share.

    It stands in for an ``OpContext`` when a dataset function runs
    (``call_function`` reads ``resources``, ``device``, ``journal``,
    ``cancellation`` and ``step_id``).
    """

    def __init__(self, ctx):
        self.resources = ctx.resources
        self.device = ctx.device
        self.step_id = ctx.step_id
        self.journal = _NoUndo()
        self.cancellation = Cancellation()
        self._consumer = threading.local()

    @contextlib.contextmanager
    def serving(self, ctx):
        """While a ``get_next`` of step ``ctx`` runs: its waits also end when the step does."""
        self._consumer.ctx = ctx
        try:
            yield
        finally:
            self._consumer.ctx = None

    def check(self) -> None:
        """Raise if the pipeline was stopped, or the step being served was cancelled."""
        if self.cancellation.cancelled:
            raise CancelledError(None, None, "The iterator was re-initialised or closed.")
        ctx = getattr(self._consumer, "ctx", None)
        if ctx is not None:
            ctx.check()

    def wait(self, condition: threading.Condition, ready) -> None:
        """Wait on ``condition`` (held) until ``ready()``, checking :meth:`check` meanwhile."""
        while not ready():
            self.check()
            condition.wait(_POLL_SECONDS)

    def submit(self, fn, *args) -> concurrent.futures.Future:
        threads = self.resources.get_or_create("", "__data_threads__", DataThreads)
        try:
            return threads.pool.submit(fn, *args)
        except RuntimeError:  # the session closed its threads
            raise CancelledError(None, None, "Session has been closed.") from None

    def result(self, future: concurrent.futures.Future):
        """The result of ``future``, waited for with :meth:`check`."""
        while True:
            self.check()
            try:
                return future.result(timeout=_POLL_SECONDS)
            except concurrent.futures.TimeoutError:
                continue

    def stop(self) -> None:
        self.cancellation.cancel(CancelledError(None, None, "Iterator stopped."))


class Function:
    """A traced dataset function with the values of what it captured."""

    def __init__(self, graph, captured):
        self.graph = graph
        self.captured = list(captured)

    def __call__(self, env, args) -> list:
        return call_function(env, self.graph, [*args, *self.captured])


# -- dataset values -----------------------------------------------------------------------


class DatasetValue:
    """An immutable dataset description; ``iterate(env)`` makes an iterator over it.

    ``types`` and ``shapes`` are the flat component dtypes and static shapes (the
    op's ``output_types``/``output_shapes``).
    """

    types: tuple = ()
    shapes: tuple = ()

    def typed(self, output_types, output_shapes) -> DatasetValue:
        self.types = tuple(output_types)
        self.shapes = tuple(output_shapes)
        return self

    def iterate(self, env):
        raise NotImplementedError  # every dataset class defines it


class _Source(DatasetValue):
    """A dataset whose iterator is a generator ``produce(env)`` (no input to recover from)."""

    def __init__(self, produce):
        self._produce = produce

    def iterate(self, env):
        return self._produce(env)


class Elements(DatasetValue):
    """A dataset of given elements (tuples of values): ``from_tensors``, windows, caches."""

    def __init__(self, elements):
        self.elements = list(elements)

    def iterate(self, env):
        return iter(self.elements)


class _Slices:
    def __init__(self, components):
        self.components = components
        self.count = len(components[0]) if components else 0
        self.index = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.index >= self.count:
            raise StopIteration
        self.index += 1
        return tuple(c[self.index - 1] for c in self.components)


class Slices(DatasetValue):
    def __init__(self, components):
        sizes = {np.shape(c)[0] if np.ndim(c) else None for c in components}
        if None in sizes or len(sizes) > 1:
            shapes = ", ".join(shape_text(np.shape(c)) for c in components)
            raise InvalidArgumentError(
                None,
                None,
                f"All components of from_tensor_slices must have the same size in dimension "
                f"0 (and a dimension 0), got shapes {shapes}",
            )
        self.components = components

    def iterate(self, env):
        return _Slices(self.components)


class _Transform(DatasetValue):
    """A dataset of an input dataset: ``iterator_class(self, env)`` iterates it; the
    ``params`` (batch size, function ...) are attributes the iterator reads."""

    def __init__(self, input_dataset, iterator_class=None, **params):
        self.input = input_dataset
        self.iterator_class = iterator_class
        self.__dict__.update(params)

    def iterate(self, env):
        return self.iterator_class(self, env)


class _Iterator:
    """The iterator of a :class:`_Transform`: ``self.dataset``, ``self.env``, ``self.input``."""

    def __init__(self, dataset, env):
        self.dataset = dataset
        self.env = env
        self.input = dataset.input.iterate(env)

    def __iter__(self):
        return self


# -- map, filter, flat_map, interleave -------------------------------------------------


class _MapIterator(_Iterator):
    def __next__(self):
        element = next(self.input)
        return tuple(self.dataset.fn(self.env, element))


class _ParallelMapIterator(_Iterator):
    """Up to ``calls`` function calls in flight; results come in input order."""

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.in_flight: collections.deque = collections.deque()
        self.input_done = False

    def __next__(self):
        while not self.input_done and len(self.in_flight) < self.dataset.calls:
            try:
                element = next(self.input)
            except StopIteration:
                self.input_done = True
                break
            self.in_flight.append(self.env.submit(self.dataset.fn, self.env, element))
        if not self.in_flight:
            raise StopIteration
        result = self.env.result(self.in_flight[0])  # an interrupted wait keeps the call
        self.in_flight.popleft()
        return tuple(result)

    def __del__(self):
        for future in self.in_flight:
            future.cancel()


class _FilterIterator(_Iterator):
    def __next__(self):
        while True:
            element = next(self.input)
            (keep,) = self.dataset.predicate(self.env, element)
            if np.size(keep) != 1:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Filter predicate `predicate` must return a scalar bool, got shape "
                    f"{shape_text(np.shape(keep))}.",
                )
            if bool(np.asarray(keep).reshape(())):
                return element


class _FlatMapIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.current = None

    def __next__(self):
        while True:
            if self.current is None:
                element = next(self.input)
                (inner,) = self.dataset.fn(self.env, element)
                self.current = inner.iterate(self.env)
            try:
                return next(self.current)
            except StopIteration:
                self.current = None


class _InterleaveIterator(_Iterator):
    """TF's interleave: ``cycle_length`` open datasets, ``block_length`` elements each in turn."""

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.cycle = [None] * dataset.cycle_length
        self.index = 0
        self.block = 0
        self.open = 0
        self.input_done = False

    def _advance(self) -> None:
        self.block = 0
        self.index = (self.index + 1) % len(self.cycle)

    def __next__(self):
        while not self.input_done or self.open:
            current = self.cycle[self.index]
            if current is not None:
                try:
                    element = next(current)
                except StopIteration:
                    self.cycle[self.index] = None
                    self.open -= 1
                    self._advance()
                    continue
                self.block += 1
                if self.block == self.dataset.block_length:
                    self._advance()
                return element
            if not self.input_done:
                try:
                    element = next(self.input)
                except StopIteration:
                    self.input_done = True
                    continue
                (inner,) = self.dataset.fn(self.env, element)
                self.cycle[self.index] = inner.iterate(self.env)
                self.open += 1
            else:
                self._advance()
        raise StopIteration


# -- batching ----------------------------------------------------------------------------


def _take(iterator, count: int) -> list:
    taken = []
    for element in iterator:
        taken.append(element)
        if len(taken) == count:
            break
    return taken


def stack_component(values: list, index: int) -> np.ndarray:
    """``values`` (one component of several elements) stacked along a new dimension 0."""
    first = np.shape(values[0])
    for position, value in enumerate(values[1:], 1):
        if np.shape(value) != first:
            raise InvalidArgumentError(
                None,
                None,
                f"Cannot batch tensors with different shapes in component {index}. First "
                f"element had shape {shape_text(first)} and element {position} had shape "
                f"{shape_text(np.shape(value))}.",
            )
    return np.stack([np.asarray(value) for value in values])


class _BatchIterator(_Iterator):
    def __next__(self):
        elements = _take(self.input, self.dataset.batch_size)
        if not elements or (
            self.dataset.drop_remainder and len(elements) < self.dataset.batch_size
        ):
            raise StopIteration
        return tuple(stack_component(list(c), i) for i, c in enumerate(zip(*elements)))


class _PaddedBatchIterator(_Iterator):
    def __next__(self):
        elements = _take(self.input, self.dataset.batch_size)
        if not elements or (
            self.dataset.drop_remainder and len(elements) < self.dataset.batch_size
        ):
            raise StopIteration
        return tuple(
            self._pad(list(values), shape, fill, i)
            for i, (values, shape, fill) in enumerate(
                zip(zip(*elements), self.dataset.padded_shapes, self.dataset.padding_values)
            )
        )

    @staticmethod
    def _pad(values, padded_shape, fill, index) -> np.ndarray:
        ranks = {np.ndim(v) for v in values}
        if ranks != {len(padded_shape)}:
            raise InvalidArgumentError(
                None,
                None,
                f"All elements in a batch must have the same rank as the padded shape for "
                f"component {index}: expected rank {len(padded_shape)} but got element with "
                f"rank {min(ranks)}",
            )
        dims = []
        for axis, size in enumerate(padded_shape):
            largest = max(np.shape(v)[axis] for v in values)
            if size >= 0 and largest > size:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Attempted to pad to a smaller size than the input element: component "
                    f"{index} has size {largest} in dimension {axis}, padded to {size}.",
                )
            dims.append(largest if size < 0 else int(size))
        out = np.full((len(values), *dims), fill, dtype=np.asarray(fill).dtype)
        for row, value in zip(out, values):
            row[tuple(slice(0, n) for n in np.shape(value))] = value
        return out


class _UnbatchIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.current = None
        self.index = 0

    def __next__(self):
        while self.current is None or self.index >= self.size:
            element = next(self.input)
            sizes = {np.shape(c)[0] for c in element}
            if len(sizes) != 1:
                raise InvalidArgumentError(
                    None, None, "Input element must have the same batch size in each component."
                )
            self.current, self.size, self.index = element, sizes.pop(), 0
        self.index += 1
        return tuple(c[self.index - 1] for c in self.current)


class _WindowIterator(_Iterator):
    """TF's window: ``size`` elements ``stride`` apart, windows starting ``shift`` apart."""

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.buffer: list = []
        self.input_done = False

    def _pull(self) -> bool:
        try:
            self.buffer.append(next(self.input))
            return True
        except StopIteration:
            self.input_done = True
            return False

    def __next__(self):
        ds = self.dataset
        target = (ds.size - 1) * ds.stride + 1
        while len(self.buffer) < target and not self.input_done and self._pull():
            pass
        if not self.buffer or (ds.drop_remainder and len(self.buffer) < target):
            raise StopIteration
        window = self.buffer[: target : ds.stride]
        if ds.shift >= len(self.buffer):
            for _ in range(ds.shift - len(self.buffer)):
                if self.input_done or not self._pull():
                    break
                self.buffer.pop()
            self.buffer = []
        else:
            del self.buffer[: ds.shift]
        components = zip(*window)
        return tuple(
            Elements([(value,) for value in values]).typed([t], [s])
            for values, t, s in zip(components, ds.input.types, ds.input.shapes)
        )


# -- order: shuffle, repeat, take, skip, zip, concatenate ------------------------------


class _ShuffleIterator(_Iterator):
    def __init__(self, dataset, env, rng):
        super().__init__(dataset, env)
        self.rng = rng
        self.buffer: list = []
        self.input_done = False

    def __next__(self):
        while not self.input_done and len(self.buffer) < self.dataset.buffer_size:
            try:
                self.buffer.append(next(self.input))
            except StopIteration:
                self.input_done = True
        if not self.buffer:
            raise StopIteration
        index = int(self.rng.integers(len(self.buffer)))
        self.buffer[index], self.buffer[-1] = self.buffer[-1], self.buffer[index]
        return self.buffer.pop()


class Shuffle(_Transform):
    """A shuffle: each iteration draws from a generator seeded by (seeds, epoch)."""

    def __init__(self, input_dataset, buffer_size, seed, seed2, reshuffle):
        super().__init__(input_dataset, buffer_size=buffer_size, reshuffle=reshuffle)
        # Unseeded (both 0, as in TF): one fresh seed for this dataset's lifetime.
        fresh = [int(np.random.SeedSequence().entropy % 2**63)]
        self.seeds = [seed, seed2] if (seed, seed2) != (0, 0) else fresh
        self.epochs = itertools.count()

    def iterate(self, env):
        epoch = next(self.epochs) if self.reshuffle else 0
        return _ShuffleIterator(self, env, np.random.default_rng([*self.seeds, epoch]))


class _RepeatIterator:
    def __init__(self, dataset, env):
        self.dataset = dataset
        self.env = env
        self.epoch = 0
        self.produced = False
        self.current = dataset.input.iterate(env) if dataset.count != 0 else None

    def __iter__(self):
        return self

    def __next__(self):
        count = self.dataset.count
        while self.current is not None:
            try:
                element = next(self.current)
            except StopIteration:
                self.epoch += 1
                # An empty input ends even an endless repeat (as in TF).
                if (count >= 0 and self.epoch >= count) or not self.produced:
                    self.current = None
                    break
                self.produced = False
                self.current = self.dataset.input.iterate(self.env)
                continue
            self.produced = True
            return element
        raise StopIteration


class _TakeIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.left = dataset.count

    def __next__(self):
        if self.left == 0:
            raise StopIteration
        element = next(self.input)
        self.left -= 1
        return element


class _SkipIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.to_skip = dataset.count

    def __next__(self):
        while self.to_skip != 0:
            next(self.input)
            self.to_skip -= 1
        return next(self.input)


class Zip(DatasetValue):
    def __init__(self, inputs):
        self.inputs = inputs

    def iterate(self, env):
        return _ZipIterator([dataset.iterate(env) for dataset in self.inputs])


class _ZipIterator:
    def __init__(self, iterators):
        self.iterators = iterators

    def __iter__(self):
        return self

    def __next__(self):
        element = []
        for iterator in self.iterators:
            element.extend(next(iterator))
        return tuple(element)


class Concatenate(DatasetValue):
    def __init__(self, first, second):
        self.parts = (first, second)

    def iterate(self, env):
        return _ConcatenateIterator(self.parts, env)


class _ConcatenateIterator:
    def __init__(self, parts, env):
        self.current = parts[0].iterate(env)
        self.rest = list(parts[1:])
        self.env = env

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self.current)
            except StopIteration:
                if not self.rest:
                    raise
                self.current = self.rest.pop(0).iterate(self.env)


# -- prefetch and cache ----------------------------------------------------------------


class _PrefetchIterator(_Iterator):
    """A background thread keeps up to ``buffer_size`` elements (or their errors) ready."""

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.buffer: collections.deque = collections.deque()
        self.cond = threading.Condition()
        self.thread = None

    def _produce(self) -> None:
        size = self.dataset.buffer_size
        while not self.env.cancellation.cancelled:
            with self.cond:
                while len(self.buffer) >= size and not self.env.cancellation.cancelled:
                    self.cond.wait(_POLL_SECONDS)
            try:
                item = ("element", next(self.input))
            except StopIteration:
                item = ("end", None)
            except Exception as err:  # handed to the consumer in order
                item = ("error", err)
            with self.cond:
                self.buffer.append(item)
                self.cond.notify_all()
            if item[0] == "end":
                return

    def __next__(self):
        if self.thread is None:
            self.thread = threading.Thread(
                target=self._produce, name="tfgraph-prefetch", daemon=True
            )
            self.thread.start()
        with self.cond:
            self.env.wait(self.cond, lambda: bool(self.buffer))
            kind, value = self.buffer[0]
            if kind != "end":  # the end stays: later calls see it again
                self.buffer.popleft()
                self.cond.notify_all()
        if kind == "end":
            raise StopIteration
        if kind == "error":
            raise value
        return value


class Cache(_Transform):
    """``cache()``: the first complete pass is kept (in memory, or in files) for the rest."""

    def __init__(self, input_dataset, filename: str):
        super().__init__(input_dataset, filename=filename)
        self.kept = None

    def iterate(self, env):
        if self.kept is not None:
            return iter(self.kept)
        if self.filename and os.path.exists(self.filename + ".index"):
            return read_cache_file(self.filename)
        return _CachingIterator(self, env)


class _CachingIterator(_Iterator):
    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.seen: list = []

    def __next__(self):
        try:
            element = next(self.input)
        except StopIteration:
            if self.seen is not None:
                self._publish()
            raise
        if self.seen is not None:
            self.seen.append(element)
        return element

    def _publish(self) -> None:
        if self.dataset.filename:
            write_cache_file(self.dataset.filename, self.seen)
        else:
            self.dataset.kept = self.seen
        self.seen = None


# A cache file holds one TFRecord per element; an element is its components, each
# dtype, shape, then the data (numbers raw, strings as length-prefixed bytes).


def encode_element(element) -> bytes:
    """One element as bytes for a cache file (see :func:`decode_element`)."""
    parts = [struct.pack("<I", len(element))]
    for value in element:
        array = np.asarray(value)
        dtype = dtypes.string if array.dtype == object else dtypes.as_dtype(array.dtype)
        parts.append(struct.pack("<II", dtype.as_datatype_enum, array.ndim))
        parts.append(struct.pack(f"<{array.ndim}Q", *array.shape))
        if dtype is dtypes.string:
            items = [bytes(item) for item in array.reshape(-1)]
            parts.append(struct.pack(f"<{len(items)}Q", *map(len, items)))
            parts.extend(items)
        else:
            parts.append(np.ascontiguousarray(array).tobytes())
    return b"".join(parts)


class _Cursor:
    """Reads fields of a cache record, never past its end."""

    def __init__(self, data: bytes, path: str):
        self.data = data
        self.at = 0
        self.path = path

    def take(self, count: int) -> bytes:
        if count < 0 or self.at + count > len(self.data):
            raise DataLossError(None, None, f"{self.path}: corrupted cache record")
        self.at += count
        return self.data[self.at - count : self.at]

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))


def decode_element(data: bytes, path: str = "cache") -> tuple:
    """The element :func:`encode_element` wrote; ``DataLossError`` on a corrupt record.

    Examples
    --------
    >>> decode_element(encode_element((np.arange(3), np.array([b"a", b"bc"], object))))
    (array([0, 1, 2]), array([b'a', b'bc'], dtype=object))
    """
    cursor = _Cursor(data, path)
    (count,) = cursor.unpack("<I")
    element = []
    for _ in range(count):
        code, ndim = cursor.unpack("<II")
        shape = cursor.unpack(f"<{ndim}Q")
        size = int(np.prod(shape, dtype=np.uint64)) if ndim else 1
        if size > len(data):  # every element takes a byte at least: a forged shape
            raise DataLossError(None, None, f"{path}: corrupted cache record")
        dtype = dtypes.as_dtype(code)
        if dtype is dtypes.string:
            lengths = cursor.unpack(f"<{size}Q")
            array = np.empty(size, dtype=object)
            array[:] = [cursor.take(n) for n in lengths]
        else:
            itemsize = np.dtype(dtype.as_numpy_dtype).itemsize
            raw = cursor.take(size * itemsize)
            array = np.frombuffer(raw, dtype=dtype.as_numpy_dtype).copy()
        element.append(array.reshape(shape))
    return tuple(element)


def write_cache_file(filename: str, elements) -> None:
    """Write the cache files of ``filename`` (data first, the index marks it complete)."""
    from ..files import atomic_write

    data = filename + ".data-00000-of-00001"

    def write(file):
        for element in elements:
            file.write(records.encode_record(encode_element(element)))

    atomic_write(data, write)
    atomic_write(filename + ".index", b"")


def read_cache_file(filename: str):
    data = filename + ".data-00000-of-00001"
    return (decode_element(payload, data) for payload in records.iter_records(data))


# -- files --------------------------------------------------------------------------------


def _file_names(filenames) -> list:
    return [name.decode() if isinstance(name, bytes) else str(name) for name in np.ravel(filenames)]


def _file_source(filenames, read_one) -> _Source:
    names = _file_names(filenames)

    def produce(env):
        for name in names:
            yield from read_one(name)

    return _Source(produce)


# -- kernels: sources ---------------------------------------------------------------------


def _dataset_kernel(op_type: str, context: bool = False):
    """Register ``make(*inputs, **attrs) -> DatasetValue`` as the kernel of ``op_type``."""

    def decorate(make):
        def kernel(*inputs, output_shapes, **attrs):
            # Sources name their types attr Toutput_types, the others output_types (as TF).
            types = attrs.pop("output_types", None) or attrs.pop("Toutput_types")
            return (make(*inputs, **attrs).typed(types, output_shapes),)

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
    return _Source(lambda env: ((np.int64(n),) for n in numbers))


@_dataset_kernel("GeneratorDataset", context=True)
def _generator(ctx, *args, token):
    function = generator_functions.get(ctx.op.graph, {}).get(token)
    if function is None:
        raise FailedPreconditionError(
            None, None, f"The generator of {token} is not available (was its graph rebuilt?)."
        )
    dataset = _Source(lambda env: _generated(function, args, dataset))
    return dataset


def _generated(function, args, dataset):
    from ..data.structure import flatten

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
        return _Transform(input_dataset, _MapIterator, fn=fn)
    return _Transform(input_dataset, _ParallelMapIterator, fn=fn, calls=calls)


_function_kernel("MapDataset", _map)
_function_kernel(
    "ParallelMapDatasetV2",
    lambda input_dataset, rest, attrs: _map(
        input_dataset, rest[:-1], attrs, _parallelism(rest[-1])
    ),
)
_function_kernel(
    "FilterDataset",
    lambda input_dataset, rest, attrs: _Transform(
        input_dataset, _FilterIterator, predicate=Function(attrs["predicate"], rest)
    ),
)
_function_kernel(
    "FlatMapDataset",
    lambda input_dataset, rest, attrs: _Transform(
        input_dataset, _FlatMapIterator, fn=Function(attrs["f"], rest)
    ),
)
_function_kernel(
    "InterleaveDataset",
    lambda input_dataset, rest, attrs: _Transform(
        input_dataset,
        _InterleaveIterator,
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
def _batch(input_dataset, batch_size, drop_remainder, *, parallel_copy=False):
    return _Transform(
        input_dataset,
        _BatchIterator,
        batch_size=_positive(batch_size, "Batch size"),
        drop_remainder=bool(drop_remainder),
    )


@_dataset_kernel("PaddedBatchDatasetV2")
def _padded_batch(input_dataset, batch_size, *rest, parallel_copy=False, Toutput_types=(), N=0):
    count = (len(rest) - 1) // 2
    shapes, values, drop = rest[:count], rest[count : 2 * count], rest[-1]
    return _Transform(
        input_dataset,
        _PaddedBatchIterator,
        batch_size=_positive(batch_size, "Batch size"),
        padded_shapes=[tuple(int(d) for d in s) for s in shapes],
        padding_values=[np.asarray(v) for v in values],
        drop_remainder=bool(drop),
    )


@_dataset_kernel("UnbatchDataset")
def _unbatch(input_dataset):
    return _Transform(input_dataset, _UnbatchIterator)


@_dataset_kernel("WindowDataset")
def _window(input_dataset, size, shift, stride, drop_remainder):
    return _Transform(
        input_dataset,
        _WindowIterator,
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
    return _Transform(input_dataset, _RepeatIterator, count=int(count))


@_dataset_kernel("TakeDataset")
def _take_dataset(input_dataset, count):
    return _Transform(input_dataset, _TakeIterator, count=int(count))


@_dataset_kernel("SkipDataset")
def _skip(input_dataset, count):
    return _Transform(input_dataset, _SkipIterator, count=int(count))


@_dataset_kernel("ZipDataset")
def _zip(*input_datasets, N=0):
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
        return _Transform(input_dataset, _TakeIterator, count=-1)
    return _Transform(input_dataset, _PrefetchIterator, buffer_size=size)


@_dataset_kernel("CacheDataset")
def _cache(input_dataset, filename):
    return Cache(input_dataset, _scalar_text(filename))


@register_kernel("ReduceDataset", context=True)
def reduce_dataset(ctx, input_dataset, *rest, f, Tstate, Targuments, output_types, output_shapes):
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
        while not self.lock.acquire(timeout=_POLL_SECONDS):
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
