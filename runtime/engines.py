"""Engines behind a session: the in-process one, and the registry of remote ones.

An engine lists the session's devices and executes its plans; ``Session(target=...)``
picks one by the target's scheme (``dask://`` registers itself from
:mod:`runtime.distributed`). The in-process engine runs plans on the session's
inter-op thread pools (:class:`ThreadPools`).
"""

from __future__ import annotations

import os
import threading

from . import heap, intra_op
from .config import ConfigProto
from .devices import local_devices
from .errors import InvalidArgumentError, NotFoundError
from .executor import run_plan


class ThreadPools:
    """The session's inter-op pools (``session_inter_op_thread_pool`` or one default)."""

    _global: dict = {}
    _global_lock = threading.Lock()

    def __init__(self, config: ConfigProto):
        from concurrent.futures import ThreadPoolExecutor

        threads = config.inter_op_parallelism_threads
        # TF: a negative count runs every op in the caller's thread; 0 picks a default.
        self._in_caller = threads < 0
        default = threads if threads > 0 else (os.cpu_count() or 1)
        specs = config.session_inter_op_thread_pool or []
        self._sizes = [max(spec.num_threads, 0) or default for spec in specs] or [default]
        self._pools = []
        self._owned = []
        for spec, size in zip(specs or [None], self._sizes):
            if spec is not None and spec.global_name:
                self._pools.append(self._global_pool(spec.global_name, size))
            else:
                pool = ThreadPoolExecutor(
                    size, thread_name_prefix="tfgraph-inter-op", initializer=intra_op.quiet_numpy
                )
                self._pools.append(pool)
                self._owned.append(pool)
        heap.keep_large_blocks()  # kernels' large temporaries reuse memory (runtime.heap)
        self._intra_op = intra_op.acquire(config.intra_op_parallelism_threads)
        # The threads each kernel may split its work across (see executor.in_order).
        self.kernel_threads = intra_op.thread_count(config.intra_op_parallelism_threads)

    @classmethod
    def _global_pool(cls, name: str, size: int):
        from concurrent.futures import ThreadPoolExecutor

        with cls._global_lock:
            if name in cls._global:
                known_size, pool = cls._global[name]
                if known_size != size:
                    raise InvalidArgumentError(
                        None,
                        None,
                        f"Pool {name} configured previously with num_threads={known_size}; "
                        f"cannot re-configure with num_threads={size}",
                    )
                return pool
            pool = ThreadPoolExecutor(
                size, thread_name_prefix=f"tfgraph-{name}", initializer=intra_op.quiet_numpy
            )
            cls._global[name] = (size, pool)
            return pool

    def _index(self, options) -> int:
        index = options.inter_op_thread_pool if options is not None else 0
        if index < -1 or index >= len(self._pools):
            raise InvalidArgumentError(
                None,
                None,
                f"Invalid inter_op_thread_pool: {index}; the session has {len(self._pools)} "
                "pool(s) (-1 runs in the caller's thread).",
            )
        return index

    def for_options(self, options) -> tuple:
        """``(pool, threads)`` for a run: the pool ``options`` picks and its size
        (``(None, 1)``: the caller's thread)."""
        index = 0 if options is None else self._index(options)
        if index == -1 or (index == 0 and self._in_caller):
            return None, 1
        return self._pools[index], self._sizes[index]

    def shutdown(self) -> None:
        for pool in self._owned:
            pool.shutdown(wait=False, cancel_futures=True)
        if self._intra_op is not None:
            intra_op.release(self._intra_op)
            self._intra_op = None


class LocalEngine:
    """The in-process engine: this machine's devices, the shared executor."""

    def __init__(self, session):
        self._config = session.config

    def devices(self) -> list:
        return local_devices(self._config.device_count)

    def execute(self, plan, values, run, sequential) -> None:
        run_plan(plan, values, run, sequential)

    def close(self) -> None:
        """Nothing beyond the session's own resources to release."""


_ENGINES: dict = {}


def register_engine(scheme: str, factory) -> None:
    """Make ``Session(target="<scheme>://...")`` use ``factory(session)`` as its engine."""
    _ENGINES[scheme] = factory


def is_remote_target(target) -> bool:
    return any(
        getattr(factory, "accepts", lambda t: False)(target) for factory in _ENGINES.values()
    )


def make_engine(session):
    target = session.target
    if target == "":
        return LocalEngine(session)
    return engine_for_target(target)(session)


def engine_for_target(target):
    if not isinstance(target, str):
        for factory in _ENGINES.values():
            if getattr(factory, "accepts", lambda t: False)(target):
                return factory
    scheme = target.split("://", 1)[0] if isinstance(target, str) and "://" in target else None
    if scheme in _ENGINES:
        return _ENGINES[scheme]
    supported = ", ".join(["'' (in-process)"] + [f"'{s}://host:port'" for s in sorted(_ENGINES)])
    raise NotFoundError(
        None,
        None,
        f"No session factory registered for the given session options: {{target: {target!r}}}. "
        f"Supported targets: {supported}.",
    )
