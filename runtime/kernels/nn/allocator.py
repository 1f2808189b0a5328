"""The C allocator's policy for the large buffers kernels allocate and free every run.

A training step allocates and frees the same few megabyte-sized arrays every run
(patch matrices, conv outputs, gradients). glibc's malloc gives the top of its heap
back to the kernel whenever that much is free, so each run faults the same pages
in again, zero-filled, one 4 KiB page at a time: on the small CNN's training step
that was a third of the step (45 -> 30 ms, 1 thread). Keeping a pad of free memory
at the top of the heap (``M_TOP_PAD``) keeps those pages mapped from one run to the
next, as TF's own allocator keeps its arenas; it costs at most the pad in resident
memory. Where the C library has no ``mallopt`` (not glibc) nothing changes.

Examples
--------
>>> keep_freed_pages()  # glibc
True
"""

from __future__ import annotations

import ctypes

M_TOP_PAD = -2  # glibc's mallopt parameter number
TOP_PAD_BYTES = 64 << 20
"""Free memory the heap keeps beyond its top instead of returning it. Measured on the
CNN step: 16 and 32 MiB are too small for its buffers (58 and 47 ms), 256 MiB gains
nothing over 64 (32 ms each)."""


def keep_freed_pages() -> bool:
    """Ask the C allocator to keep ``TOP_PAD_BYTES`` of freed memory mapped.

    Returns whether the C library took the setting.
    """
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and mallopt(M_TOP_PAD, TOP_PAD_BYTES) == 1


keep_freed_pages()
