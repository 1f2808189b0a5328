"""Kernels of TF1 queues: ``FIFOQueueV2`` and friends, enqueue, dequeue, close.

A queue op outputs a :class:`Queue` living in the session's resources; the other
queue ops take it as their first input. Elements are tuples of read-only arrays,
copied in, so neither producers nor consumers can change what is queued.

Blocking. An enqueue waits for room, a dequeue for elements, through
``ctx.wait_until``, so the wait ends on a cancelled step, a closed session or a
deadline. Both move one element at a time: a ``dequeue_many(n)`` larger than the
capacity completes as producers refill the queue, as in TF. Closing wakes every
waiter: a dequeue then takes what is left or fails with ``OutOfRangeError``; pending
enqueues fail with ``CancelledError`` when the close cancels them.

Rollback. Every enqueue, dequeue and close records its undo in the step's journal: a
failed step puts dequeued elements back at the front and removes the ones it added.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import threading

import numpy as np

from ..errors import CancelledError, InvalidArgumentError, OutOfRangeError
from ..registry import register_kernel
from ..resources import check_resource_names
from ..shapes import TensorShape
from .math import shape_text

_resource_ids = itertools.count()  # TF names unshared queues "_<n>_<op name>"


def _frozen(value, dtype) -> np.ndarray:
    array = np.array(value, dtype=dtype, copy=True)
    array.flags.writeable = False
    return array


class Queue:
    """A bounded FIFO queue of tuples of arrays, shared by the ops of one session.

    Parameters
    ----------
    name : str
        The resource name TF prints in messages (``_0_fifo_queue``).
    dtypes : list of numpy dtypes
        One per tuple component.
    shapes : list of TensorShape
        One per component, or empty when the queue accepts any shapes.
    capacity : int
        The most elements it holds; negative means unbounded.
    """

    kind = "FIFOQueue"

    def __init__(self, name, dtypes, shapes, capacity):
        self.name = name
        self.dtypes = list(dtypes)
        self.shapes = list(shapes)
        self.capacity = capacity
        self.items: collections.deque = collections.deque()
        self.closed = False
        self.enqueues_cancelled = False
        self.cond = threading.Condition()

    # -- what waiters wait for --------------------------------------------------------

    def has_room(self) -> bool:
        return self.capacity < 0 or len(self.items) < self.capacity

    def can_take(self) -> bool:
        return bool(self.items)

    # -- elements ----------------------------------------------------------------------

    def check_element(self, components) -> tuple:
        """The element as a tuple of frozen arrays; ``InvalidArgumentError`` on bad shapes."""
        for i, (value, shape) in enumerate(zip(components, self.shapes)):
            if not shape.is_compatible_with(np.shape(value)):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Shape mismatch in tuple component {i}. Expected {shape_text(shape.as_tuple())}, "
                    f"got {shape_text(np.shape(value))}",
                )
        return tuple(_frozen(value, dtype) for value, dtype in zip(components, self.dtypes))

    def put(self, element) -> None:
        self.items.append(element)

    def take(self):
        return self.items.popleft()

    def put_back(self, elements) -> None:
        """Return dequeued ``elements`` (oldest first) to the front."""
        self.items.extendleft(reversed(elements))

    def remove(self, element) -> None:
        """Remove ``element`` (by identity) if a consumer has not taken it yet."""
        for i, item in enumerate(self.items):
            if item is element:
                del self.items[i]
                return

    def batch(self, elements) -> list:
        """Stack ``elements`` per component (``dequeue_many``)."""
        if any(shape.rank is None or not shape.is_fully_defined() for shape in self.shapes) or (
            not self.shapes
        ):
            raise InvalidArgumentError(
                None,
                None,
                f"{self.kind}'s DequeueMany and DequeueUpTo require the components to have "
                "specified shapes.",
            )
        return [
            np.stack([e[i] for e in elements])
            if elements
            else np.zeros((0, *shape.as_tuple()), dtype)
            for i, (shape, dtype) in enumerate(zip(self.shapes, self.dtypes))
        ]

    def close_resource(self) -> None:
        """The session is closing: wake every waiter."""
        with self.cond:
            self.closed = True
            self.enqueues_cancelled = True
            self.cond.notify_all()


class RandomShuffleQueue(Queue):
    """A queue that dequeues a random element, keeping ``min_after_dequeue`` behind."""

    kind = "RandomShuffleQueue"

    def __init__(self, name, dtypes, shapes, capacity, min_after_dequeue, seed):
        super().__init__(name, dtypes, shapes, capacity)
        self.items = []
        self.min_after_dequeue = min_after_dequeue
        self.rng = np.random.default_rng(seed)

    def can_take(self) -> bool:
        # Until it is closed, the queue keeps min_after_dequeue elements to mix.
        return len(self.items) > (0 if self.closed else self.min_after_dequeue)

    def take(self):
        index = int(self.rng.integers(len(self.items)))
        self.items[index], self.items[-1] = self.items[-1], self.items[index]
        return self.items.pop()

    def put_back(self, elements) -> None:
        self.items.extend(elements)


class PaddingFIFOQueue(Queue):
    """A FIFO queue whose ``dequeue_many`` pads unknown dimensions with zeros."""

    kind = "PaddingFIFOQueue"

    def batch(self, elements) -> list:
        out = []
        for i, (shape, dtype) in enumerate(zip(self.shapes, self.dtypes)):
            values = [e[i] for e in elements]
            dims = [
                max((v.shape[k] for v in values), default=0) if d is None else d
                for k, d in enumerate(shape.as_tuple())
            ]
            fill = b"" if np.dtype(dtype) == object else 0
            padded = np.full((len(values), *dims), fill, dtype=dtype)
            for row, value in enumerate(values):  # by index: a scalar row is no view
                padded[(row, *(slice(0, n) for n in value.shape))] = value
            out.append(padded)
        return out


class PriorityQueue(Queue):
    """A queue that dequeues the element of least priority first (its first component, an
    int64 scalar); elements of equal priority in the order they came."""

    kind = "PriorityQueue"

    def __init__(self, name, dtypes, shapes, capacity):
        super().__init__(name, dtypes, shapes, capacity)
        self.items = []  # a heap of (priority, arrival, element)
        self.arrivals = itertools.count()

    def check_element(self, components) -> tuple:
        if np.shape(components[0]) != ():
            raise InvalidArgumentError(
                None,
                None,
                "Expected the priority element to be a scalar, but received shape: "
                f"{shape_text(np.shape(components[0]))}",
            )
        return super().check_element(components)

    def put(self, element) -> None:
        heapq.heappush(self.items, (int(element[0]), next(self.arrivals), element))

    def take(self):
        return heapq.heappop(self.items)[2]

    def put_back(self, elements) -> None:
        for element in elements:
            self.put(element)

    def remove(self, element) -> None:
        self.items = [item for item in self.items if item[2] is not element]
        heapq.heapify(self.items)


# -- kernels --------------------------------------------------------------------------


def _create(ctx, container, shared_name, factory):
    check_resource_names(container, shared_name)
    key = shared_name or ctx.op.name
    name = shared_name or f"_{next(_resource_ids)}_{ctx.op.name}"
    return (ctx.resources.get_or_create(container, key, lambda: factory(name)),)


def _numpy_types(component_types) -> list:
    return [t.as_numpy_dtype for t in component_types]


@register_kernel("FIFOQueueV2", context=True)
def fifo_queue(ctx, *, component_types, shapes, capacity, container, shared_name):
    types = _numpy_types(component_types)
    return _create(ctx, container, shared_name, lambda name: Queue(name, types, shapes, capacity))


@register_kernel("PaddingFIFOQueueV2", context=True)
def padding_fifo_queue(ctx, *, component_types, shapes, capacity, container, shared_name):
    types = _numpy_types(component_types)
    return _create(
        ctx, container, shared_name, lambda name: PaddingFIFOQueue(name, types, shapes, capacity)
    )


@register_kernel("PriorityQueueV2", context=True)
def priority_queue(ctx, *, component_types, shapes, capacity, container, shared_name):
    # The priority, an int64 scalar, is the first component of every element.
    types = [np.int64, *_numpy_types(component_types)]
    shapes = [TensorShape([]), *shapes] if shapes else []
    return _create(
        ctx, container, shared_name, lambda name: PriorityQueue(name, types, shapes, capacity)
    )


@register_kernel("RandomShuffleQueueV2", context=True)
def random_shuffle_queue(
    ctx,
    *,
    component_types,
    shapes,
    capacity,
    min_after_dequeue,
    seed,
    seed2,
    container,
    shared_name,
):
    types = _numpy_types(component_types)
    # Both seeds zero means "not seeded", as in TF.
    rng_seed = None if seed == 0 and seed2 == 0 else (seed, seed2)
    return _create(
        ctx,
        container,
        shared_name,
        lambda name: RandomShuffleQueue(name, types, shapes, capacity, min_after_dequeue, rng_seed),
    )


def _enqueue(ctx, queue: Queue, elements) -> tuple:
    with queue.cond:
        if queue.closed:
            raise CancelledError(None, None, f"{queue.kind} '{queue.name}' is closed.")
        for element in elements:
            # An enqueue already waiting when the queue closes still completes, unless
            # the close cancels pending enqueues.
            ctx.wait_until(queue.cond, lambda: queue.has_room() or queue.enqueues_cancelled)
            if queue.enqueues_cancelled:
                raise CancelledError(None, None, "Enqueue operation was cancelled")
            queue.put(element)
            ctx.journal.record(lambda e=element: _locked(queue, queue.remove, e))
            queue.cond.notify_all()
    return ()


def _locked(queue: Queue, action, *args) -> None:
    with queue.cond:
        action(*args)
        queue.cond.notify_all()


@register_kernel("QueueEnqueueV2", context=True)
def queue_enqueue(ctx, queue, *components, Tcomponents, timeout_ms):
    return _enqueue(ctx, queue, [queue.check_element(components)])


@register_kernel("QueueEnqueueManyV2", context=True)
def queue_enqueue_many(ctx, queue, *components, Tcomponents, timeout_ms):
    sizes = {np.shape(c)[0] if np.ndim(c) else None for c in components}
    if None in sizes or len(sizes) != 1:
        raise InvalidArgumentError(
            None,
            None,
            "EnqueueMany requires its components to be batches with the same 0th dimension, "
            f"got shapes {', '.join(shape_text(np.shape(c)) for c in components)}",
        )
    count = sizes.pop()
    elements = [queue.check_element([c[i] for c in components]) for i in range(count)]
    return _enqueue(ctx, queue, elements)


def _dequeue(ctx, queue: Queue, count: int, allow_fewer: bool) -> list:
    """Take ``count`` elements one by one as they arrive (fewer only once closed)."""
    taken: list = []
    with queue.cond:
        try:
            while len(taken) < count:
                ctx.wait_until(queue.cond, lambda: queue.can_take() or queue.closed)
                if not queue.can_take():
                    if allow_fewer and taken:
                        break
                    raise OutOfRangeError(
                        None,
                        None,
                        f"{queue.kind} '{queue.name}' is closed and has insufficient elements "
                        f"(requested {count}, current size {len(queue.items) + len(taken)})",
                    )
                taken.append(queue.take())
                queue.cond.notify_all()
        except BaseException:
            queue.put_back(taken)
            queue.cond.notify_all()
            raise
    ctx.journal.record(lambda: _locked(queue, queue.put_back, taken))
    return taken


@register_kernel("QueueDequeueV2", context=True)
def queue_dequeue(ctx, queue, *, component_types, timeout_ms):
    (element,) = _dequeue(ctx, queue, 1, allow_fewer=False)
    return element


@register_kernel("QueueDequeueManyV2", context=True)
def queue_dequeue_many(ctx, queue, n, *, component_types, timeout_ms):
    return tuple(queue.batch(_dequeue(ctx, queue, _count(n), allow_fewer=False)))


@register_kernel("QueueDequeueUpToV2", context=True)
def queue_dequeue_up_to(ctx, queue, n, *, component_types, timeout_ms):
    return tuple(queue.batch(_dequeue(ctx, queue, _count(n), allow_fewer=True)))


def _count(n) -> int:
    if np.ndim(n) != 0 or int(n) < 0:
        raise InvalidArgumentError(
            None, None, f"Requested number of elements must be a non-negative scalar, got {n}"
        )
    return int(n)


@register_kernel("QueueCloseV2", context=True)
def queue_close(ctx, queue, *, cancel_pending_enqueues):
    with queue.cond:
        before = (queue.closed, queue.enqueues_cancelled)
        queue.closed = True
        queue.enqueues_cancelled = queue.enqueues_cancelled or cancel_pending_enqueues
        queue.cond.notify_all()
    ctx.journal.record(lambda: _reopen(queue, before))
    return ()


def _reopen(queue: Queue, state) -> None:
    with queue.cond:
        queue.closed, queue.enqueues_cancelled = state


@register_kernel("QueueSizeV2")
def queue_size(queue):
    return (np.int32(len(queue.items)),)


@register_kernel("QueueIsClosedV2")
def queue_is_closed(queue):
    return (np.bool_(queue.closed),)
