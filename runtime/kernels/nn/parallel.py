"""Intra-op parallelism of the nn kernels: independent blocks of work on worker threads.

The session sets how many threads BLAS may use (``intra_op_parallelism_threads``, via
threadpoolctl). OpenBLAS's threads meet at a barrier after every matrix product and
spin while they wait, so on cores shared with other work (other processes, or the
inter-op pool running a second op) one descheduled thread stalls the rest: on the
loaded 2-core test machine the small CNN's training step took 5x longer with 2 BLAS
threads than with 1. So a kernel with several independent blocks (images, runs of
output rows) runs them on a pool of that many threads instead, each block's product
on one BLAS thread: a descheduled worker delays only its own block, and numpy's copies
and arithmetic between the products run in parallel too.

Examples
--------
>>> map_blocks(lambda block: block * 2, [1, 2, 3])
[2, 4, 6]
"""

from __future__ import annotations

import contextlib
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_holders = 0  # kernels inside single_threaded_blas(), across threads
_saved = 1  # the session's BLAS thread count while they hold it at 1


@functools.cache
def _blas():
    """threadpoolctl's controller of numpy's BLAS, or ``None`` when it has none."""
    from threadpoolctl import ThreadpoolController

    found = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    return found[0] if found else None


@contextlib.contextmanager
def single_threaded_blas():
    """Hold BLAS at one thread; yields the thread count the session gave it.

    Kernels running at once share the hold: the first one in saves the count, the
    last one out restores it.
    """
    global _holders, _saved
    blas = _blas()
    with _lock:
        if _holders == 0 and blas is not None:
            _saved = blas.get_num_threads()
            blas.set_num_threads(1)
        _holders += 1
        threads = _saved if blas is not None else 1
    try:
        yield threads
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and blas is not None:
                blas.set_num_threads(_saved)


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tfgraph-intra-op")


def map_blocks(fn, blocks: list) -> list:
    """``[fn(block) for block in blocks]``, on the session's intra-op threads when it has
    several (and there is more than one block), each product on one BLAS thread."""
    with single_threaded_blas() as threads:
        if threads <= 1 or len(blocks) <= 1:
            return [fn(block) for block in blocks]
        return list(_pool(threads).map(fn, blocks))


def intra_op_threads() -> int:
    """How many blocks a kernel should make at least: the session's BLAS thread count."""
    blas = _blas()
    with _lock:
        if blas is None:
            return 1
        return _saved if _holders else blas.get_num_threads()
