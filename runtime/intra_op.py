"""Intra-op parallelism: a kernel's independent blocks of work on the session's threads.

A session's ``intra_op_parallelism_threads`` (0: one per core) is how many threads
one kernel may use. The kernels that split their work (convolutions by images or runs
of output rows, large matrix products by rows, max pools and their gradients by
images, Adam's update by parts of its arrays) run the blocks on the calling thread and
a pool of helpers with :func:`map_blocks`, each block's product on one BLAS thread;
BLAS itself is held at one thread while any session is open. Whether a split pays is
weighed in multiply-adds (:func:`threads_for`), copies and elementwise passes
converted at :data:`ELEMENT_WORK`. Other elementwise kernels (activations and their
gradients) are not split: one core's passes already take most of this machine's
memory bandwidth, and two threads ran a ReLU gradient of 1.6M values no faster.
Adam's update, twelve passes over four arrays, is the exception (0.57 -> 0.43 ms for
400K values; it is often the last op of a step, with the other threads idle).

Why not BLAS's own threads: OpenBLAS's threads meet at a barrier after every product
and spin while they wait, so on cores shared with other work (other processes, or the
inter-op pool running a second op) one descheduled thread stalls the rest: on the
loaded 2-core test machine the small CNN's training step took 5x longer with 2 BLAS
threads than with 1. Blocks on a pool degrade gracefully instead: a descheduled
worker delays only its own block, and numpy's copies and arithmetic between the
products run in parallel too. And BLAS's thread count is set once, by the thread that
opens a session, never by a kernel: OpenBLAS ignores a change of its (process-wide)
count made from some threads, so a kernel on an inter-op thread that lowered the
count and put it back left every later product of the session on one thread.

Examples
--------
>>> map_blocks(lambda block: block * 2, [1, 2, 3])
[2, 4, 6]
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_lock = threading.Lock()
_open: list = []  # [token, threads] of each open session, oldest first
_before = None  # threadpoolctl's limiter holding BLAS's limits from before the first session

PARALLEL_WORK = 1 << 24
"""Multiply-adds from which a kernel splits its work across the intra-op threads: waking
a worker takes 0.1-0.2 ms here, and smaller work lost more to that than it gained
(measured at 2 threads: MobileNetV2 at batch 1, whose convolutions are many and small,
ran 1.8x slower with every one split). From 2^26 up instead, ResNet50 lost most of its
second core (1.6 -> 1.2 cores, 88 -> 120 ms). From 2^25 down to 2^24 the MLP step's
128x512x256 products split too: 4.78 -> 4.44 ms (median of nine alternating runs, 8
faster), ResNet50, the CNN and MobileNetV2 within noise (MobileNetV2's median 3 %
slower)."""

ELEMENT_WORK = 10
"""What a pass over one element costs, in a product's multiply-adds, for weighing a
kernel's copies and elementwise passes against :data:`PARALLEL_WORK`: a numpy pass
over float32 takes about 0.3 ns an element here, a product about 0.03 ns a multiply-add."""


def acquire(threads: int):
    """Open a session's share of intra-op threads (``threads``; 0: one per core): BLAS
    goes to one thread, and the newest open session's count holds. Returns a token for
    :func:`release`."""
    from threadpoolctl import ThreadpoolController

    global _before
    token = object()
    with _lock:
        if not _open:
            _before = ThreadpoolController().limit(limits=1, user_api="blas")
        _open.append((token, thread_count(threads)))
    return token


def thread_count(threads: int) -> int:
    """The intra-op threads a session's ``intra_op_parallelism_threads`` gives its
    kernels: the count itself, or one per core when it is 0 (or negative).

    Examples
    --------
    >>> thread_count(3), thread_count(0) == (os.cpu_count() or 1)
    (3, True)
    """
    return threads if threads > 0 else os.cpu_count() or 1


def release(token) -> None:
    """Close a session's share; when the last one closes, BLAS gets back the limits it
    had before the first (sessions may close in any order)."""
    global _before
    with _lock:
        _open[:] = [entry for entry in _open if entry[0] is not token]
        if not _open and _before is not None:
            _before.restore_original_limits()
            _before = None


def intra_op_threads() -> int:
    """How many blocks a kernel should make at least: the newest open session's intra-op
    threads (1 outside any session)."""
    with _lock:
        return _open[-1][1] if _open else 1


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=threads, thread_name_prefix="tfgraph-intra-op", initializer=quiet_numpy
    )


def quiet_numpy() -> None:
    """Turn numpy's floating-point warnings off for good in the calling thread: a
    thread of the runtime's own (an intra-op helper, an inter-op pool thread) runs its
    kernels as a run's own thread does under ``np.errstate(all="ignore")``
    (:func:`runtime.executor.run_plan`): like TF's, ops make inf and nan quietly.
    numpy's error state is per thread: a helper's split product that overflowed warned.

    Examples
    --------
    >>> import threading
    >>> def settings(out):
    ...     quiet_numpy()
    ...     out.append(np.geterr()["over"])
    >>> seen = []
    >>> thread = threading.Thread(target=settings, args=(seen,))
    >>> thread.start(); thread.join(); seen
    ['ignore']
    """
    np.seterr(all="ignore")


def threads_for(work: int) -> int:
    """The intra-op threads worth using on ``work`` multiply-adds: all of them from
    :data:`PARALLEL_WORK` up, else one.

    Examples
    --------
    >>> threads_for(PARALLEL_WORK // 2)
    1
    """
    return intra_op_threads() if work >= PARALLEL_WORK else 1


def map_blocks(fn, blocks: list, threads: int | None = None) -> list:
    """``[fn(block) for block in blocks]``, on ``threads`` threads (default: the
    intra-op count) when there are several (and more than one block): the calling
    thread and ``threads - 1`` helpers from the pool each claim the next block until
    none is left. The caller works rather than waits, so one hand-off fewer; and it
    never waits on a helper that is still queued behind another kernel's blocks, only
    on blocks already claimed. Once a block raises (an error, or an interrupt in the
    caller), no other block starts; the exception is raised once the blocks already
    claimed have finished.
    """
    threads = intra_op_threads() if threads is None else threads
    if threads <= 1 or len(blocks) <= 1:
        return [fn(block) for block in blocks]
    run = _Run(fn, blocks)
    pool = _pool(threads - 1)
    for _ in range(min(threads, len(blocks)) - 1):
        pool.submit(run.work)
    run.work()
    return run.results()


class _Run:
    """One :func:`map_blocks` call's blocks, claimed one at a time by its threads."""

    def __init__(self, fn, blocks: list):
        self.fn, self.blocks = fn, blocks
        self.values: list = [None] * len(blocks)
        self.lock, self.done = threading.Lock(), threading.Event()
        self.claimed = self.finished = 0
        self.error: BaseException | None = None

    def work(self) -> None:
        while True:
            with self.lock:
                if self.claimed == len(self.blocks):
                    return
                index, self.claimed = self.claimed, self.claimed + 1
            try:
                self.values[index] = self.fn(self.blocks[index])
                failed = None
            except BaseException as err:  # raised in the caller by results()
                failed = err
            with self.lock:
                self.finished += 1
                if failed is not None:  # an interrupt or error: no block starts after it
                    self.error = self.error or failed
                    self.finished += len(self.blocks) - self.claimed
                    self.claimed = len(self.blocks)
                if self.finished == len(self.blocks):
                    self.done.set()

    def results(self) -> list:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.values


def map_parts(fn, count: int, work: int) -> list:
    """``[fn(part) ...]`` for slices ``part`` that cut ``range(count)`` into one per
    intra-op thread when ``work`` (in multiply-adds) pays for them (:func:`threads_for`),
    else ``[fn(slice(0, count))]``.

    Examples
    --------
    >>> map_parts(lambda part: part, 5, work=1)
    [slice(0, 5, None)]
    """
    threads = threads_for(work)
    return map_blocks(fn, parts(count, threads), threads)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` of two matrices, its rows split across the intra-op threads when the
    product is large enough to pay for waking them (:func:`threads_for`).

    Examples
    --------
    >>> matmul(np.eye(2), np.arange(4.0).reshape(2, 2))
    array([[0., 1.],
           [2., 3.]])
    """
    threads = threads_for(a.size * b.shape[1])
    if threads <= 1 or a.shape[0] < 2 * threads:
        return np.matmul(a, b)
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))

    def product(part: slice) -> None:
        np.matmul(a[part], b, out=out[part])

    map_blocks(product, parts(a.shape[0], threads), threads)
    return out


def parts(count: int, threads: int | None = None) -> list[slice]:
    """``range(count)`` cut into one slice per thread (default: per intra-op thread).

    Examples
    --------
    >>> parts(7, 2)
    [slice(0, 3, None), slice(3, 7, None)]
    """
    threads = intra_op_threads() if threads is None else threads
    pieces = max(min(count, threads), 1)
    edges = [count * i // pieces for i in range(pieces + 1)]
    return [slice(a, b) for a, b in itertools.pairwise(edges) if b > a]
