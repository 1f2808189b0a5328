"""The machinery behind ``tf.data``'s ops: dataset values and plain Python iterators.

Datasets are graph values. A dataset op (``TensorSliceDataset``, ``MapDataset`` ...)
outputs a :class:`DatasetValue`, an immutable description holding its inputs'
values; :meth:`DatasetValue.iterate` makes a plain Python iterator over elements,
each a tuple of numpy values (one per flat component). Iterators of transformations
are classes, not generators: an error producing one element (a failing map function)
fails that ``get_next`` only, and the next call goes on, as in TF.

The pipeline
    Each initialisation of an iterator starts a :class:`Pipeline`: what its
    iterators share (session resources, the device, a cancellation that stops
    background producers on re-initialisation or close, the session's data threads).
    Dataset functions run with it as their context: with the pipeline's
    cancellation, not the step's, so they are never cut off half-way, and with no
    undo journal (TF does not roll dataset functions back either).
Threads
    ``map(num_parallel_calls=n)`` keeps ``n`` calls in flight on the session's data
    threads (a pool the session owns and shuts down on close); ``prefetch`` is a
    background thread filling a bounded buffer, started on the first ``get_next``.
"""

from __future__ import annotations

import abc
import collections
import concurrent.futures
import contextlib
import itertools
import os
import threading

import numpy as np

from ..errors import CancelledError, DataLossError, InvalidArgumentError
from ..functional import call_function
from ..kernels.math import shape_text
from ..resources import Cancellation
from .cache_files import read_cache_file, write_cache_file

AUTOTUNE = -1
POLL_SECONDS = 0.05
# What ``DatasetCardinality`` reports for a dataset without end, or one whose size is
# known only by iterating it (TF's ``tf.data.INFINITE_CARDINALITY`` and ``UNKNOWN_CARDINALITY``).
INFINITE = -1
UNKNOWN = -2


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
            condition.wait(POLL_SECONDS)

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
                return future.result(timeout=POLL_SECONDS)
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


class DatasetValue(abc.ABC):
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

    @abc.abstractmethod
    def iterate(self, env):
        """A new iterator over the elements, in pipeline ``env``."""

    def cardinality(self) -> int:
        """How many elements an iteration yields, :data:`INFINITE` or :data:`UNKNOWN`
        (TF's ``DatasetCardinality``: known without iterating, or unknown)."""
        return UNKNOWN


class Source(DatasetValue):
    """A dataset whose iterator is a generator ``produce(env)`` (no input to recover from),
    of ``count`` elements when that is known."""

    def __init__(self, produce, count: int = UNKNOWN):
        self._produce = produce
        self._count = count

    def iterate(self, env):
        return self._produce(env)

    def cardinality(self) -> int:
        return self._count


class Elements(DatasetValue):
    """A dataset of given elements (tuples of values): ``from_tensors``, windows, caches."""

    def __init__(self, elements):
        self.elements = list(elements)

    def iterate(self, env):
        return iter(self.elements)

    def cardinality(self) -> int:
        return len(self.elements)


def tensor_value(value):
    """``value`` as a tensor's value: a bare ``bytes`` (numpy's item of a string array)
    becomes the 0-d object array every string tensor is, never numpy's fixed-width ``S``
    (which drops trailing NUL bytes, and which kernels do not take for a string).

    Examples
    --------
    >>> tensor_value(b"a\\x00"), tensor_value(np.int32(2))
    (array(b'a\\x00', dtype=object), np.int32(2))
    """
    return np.array(value, dtype=object) if isinstance(value, bytes) else value


def row(component, index: int):
    """Row ``index`` of ``component`` (an array) as an element's value (see :func:`tensor_value`).

    Examples
    --------
    >>> row(np.array([b"a", b"b"], dtype=object), 1)
    array(b'b', dtype=object)
    """
    return tensor_value(component[index])


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
        return tuple(row(c, self.index - 1) for c in self.components)


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

    def cardinality(self) -> int:
        return len(self.components[0]) if self.components else 0


class Transform(DatasetValue):
    """A dataset of an input dataset: ``iterator_class(self, env)`` iterates it; the
    ``params`` (batch size, function ...) are attributes the iterator reads."""

    def __init__(self, input_dataset, iterator_class=None, **params):
        self.input = input_dataset
        self.iterator_class = iterator_class
        self.__dict__.update(params)

    def iterate(self, env):
        return self.iterator_class(self, env)

    def cardinality(self) -> int:
        return self.iterator_class.cardinality(self)


class _Iterator:
    """The iterator of a :class:`Transform`: ``self.dataset``, ``self.env``, ``self.input``.

    Its class method ``cardinality(dataset)`` is the dataset's (unknown unless a
    transformation says otherwise).
    """

    def __init__(self, dataset, env):
        self.dataset = dataset
        self.env = env
        self.input = dataset.input.iterate(env)

    def __iter__(self):
        return self

    @classmethod
    def cardinality(cls, dataset) -> int:
        return UNKNOWN


def same_cardinality(dataset) -> int:
    """The cardinality of a transformation that yields one element per input element."""
    return dataset.input.cardinality()


def batched_cardinality(dataset) -> int:
    """The cardinality of ``dataset.batch_size`` batches (``drop_remainder`` drops the last
    short one) of its input's elements."""
    count = dataset.input.cardinality()
    if count < 0:
        return count
    whole, rest = divmod(count, dataset.batch_size)
    return whole + (1 if rest and not dataset.drop_remainder else 0)


# -- map, filter, flat_map, interleave -------------------------------------------------


class MapIterator(_Iterator):
    cardinality = classmethod(lambda cls, dataset: same_cardinality(dataset))

    def __next__(self):
        element = next(self.input)
        return tuple(self.dataset.fn(self.env, element))


class ParallelMapIterator(_Iterator):
    """Up to ``calls`` function calls in flight; results come in input order."""

    cardinality = classmethod(lambda cls, dataset: same_cardinality(dataset))

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


class FilterIterator(_Iterator):
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


class FlatMapIterator(_Iterator):
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


class InterleaveIterator(_Iterator):
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
    return np.stack([tensor_value(value) for value in values])


class BatchIterator(_Iterator):
    cardinality = classmethod(lambda cls, dataset: batched_cardinality(dataset))

    def __next__(self):
        elements = _take(self.input, self.dataset.batch_size)
        if not elements or (
            self.dataset.drop_remainder and len(elements) < self.dataset.batch_size
        ):
            raise StopIteration
        return tuple(stack_component(list(c), i) for i, c in enumerate(zip(*elements)))


class PaddedBatchIterator(_Iterator):
    cardinality = classmethod(lambda cls, dataset: batched_cardinality(dataset))

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
                raise DataLossError(  # TF's class for this
                    None,
                    None,
                    f"Attempted to pad to a smaller size than the input element. (Component "
                    f"{index} has size {largest} in dimension {axis}, padded to {size}.)",
                )
            dims.append(largest if size < 0 else int(size))
        out = np.full((len(values), *dims), fill, dtype=np.asarray(fill).dtype)
        for i, value in enumerate(values):  # indexed whole: a row of scalars is no view
            # The ``...`` makes even a scalar's place a 0-d view, so a 0-d string array is
            # copied in as its ``bytes``, not stored as an array in the object cell.
            out[(i, *(slice(0, n) for n in np.shape(value)), ...)] = value
        return out


class UnbatchIterator(_Iterator):
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
        return tuple(row(c, self.index - 1) for c in self.current)


class WindowIterator(_Iterator):
    """TF's window: ``size`` elements ``stride`` apart, windows starting ``shift`` apart."""

    @classmethod
    def cardinality(cls, dataset) -> int:
        count = dataset.input.cardinality()
        if count < 0:
            return count
        if dataset.drop_remainder:
            rest = count - ((dataset.size - 1) * dataset.stride + 1)
            return 0 if rest < 0 else rest // dataset.shift + 1
        return -(-count // dataset.shift)

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


class Shuffle(Transform):
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

    def cardinality(self) -> int:
        return self.input.cardinality()


class RepeatIterator:
    def __init__(self, dataset, env):
        self.dataset = dataset
        self.env = env
        self.epoch = 0
        self.produced = False
        self.current = dataset.input.iterate(env) if dataset.count != 0 else None

    def __iter__(self):
        return self

    @classmethod
    def cardinality(cls, dataset) -> int:
        count = dataset.input.cardinality()
        if dataset.count < 0:
            return 0 if count == 0 else INFINITE
        if dataset.count == 0:
            return 0
        return count if count < 0 else count * dataset.count

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


class TakeIterator(_Iterator):
    @classmethod
    def cardinality(cls, dataset) -> int:
        count = dataset.input.cardinality()
        if count == UNKNOWN or dataset.count < 0:
            return count
        return dataset.count if count == INFINITE else min(count, dataset.count)

    def __init__(self, dataset, env):
        super().__init__(dataset, env)
        self.left = dataset.count

    def __next__(self):
        if self.left == 0:
            raise StopIteration
        element = next(self.input)
        self.left -= 1
        return element


class SkipIterator(_Iterator):
    @classmethod
    def cardinality(cls, dataset) -> int:
        count = dataset.input.cardinality()
        if count < 0:
            return count
        return 0 if dataset.count < 0 else max(0, count - dataset.count)

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

    def cardinality(self) -> int:
        counts = [dataset.cardinality() for dataset in self.inputs]
        if UNKNOWN in counts:
            return UNKNOWN
        finite = [count for count in counts if count != INFINITE]
        return min(finite) if finite else INFINITE


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

    def cardinality(self) -> int:
        counts = [part.cardinality() for part in self.parts]
        for special in (INFINITE, UNKNOWN):
            if special in counts:
                return special
        return sum(counts)


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


class PrefetchIterator(_Iterator):
    """A background thread keeps up to ``buffer_size`` elements (or their errors) ready."""

    cardinality = classmethod(lambda cls, dataset: same_cardinality(dataset))

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
                    self.cond.wait(POLL_SECONDS)
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


class Cache(Transform):
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

    def cardinality(self) -> int:
        return self.input.cardinality()


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
