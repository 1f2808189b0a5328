"""Shared by the session and graph benchmarks: timing, machine description, RESULTS.md."""

from __future__ import annotations

import datetime
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).with_name("RESULTS.md")


def per_call(fn, calls: int, repeats: int = 7) -> float:
    """Seconds per call of ``fn``: the best of ``repeats`` batches of ``calls`` calls.

    The best batch is the one least disturbed by other work on the machine.
    """
    fn()  # warm: plans, caches, lazy imports
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def paired(first, second, calls: int, rounds: int = 30) -> tuple[float, float]:
    """Seconds per call of ``first`` and ``second``, measured in alternating short batches.

    On a shared machine a slow moment hits whichever batch is running; alternating
    and keeping each one's best batch compares the two under the same conditions.
    """
    first()
    second()
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for i, fn in enumerate((first, second)):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / calls)
    return best[0], best[1]


def blas_line() -> str:
    """Which BLAS numpy uses, and which kernel (core type) it picked, via threadpoolctl."""
    from threadpoolctl import threadpool_info

    parts = [
        f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture')} kernel, "
        f"{info.get('num_threads')} threads)"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    unset = [name for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name not in os.environ]
    note = f"; {', '.join(unset)} unset" if unset else ""
    return "BLAS: " + ("; ".join(parts) or "none found") + note


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Machine: {os.cpu_count()}-core {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}; "
        f"{datetime.date.today().isoformat()}; load average {load:.1f} when measured "
        "(other work shares the cores: differences under ~20 % are noise)."
    )


def write_section(name: str, lines: list[str]) -> None:
    """Replace (or append) the ``<!-- name: begin/end -->`` section of RESULTS.md."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    block = "\n".join([begin, *lines, end])
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    RESULTS.write_text(text)
