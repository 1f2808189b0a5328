"""The process heap numpy's buffers come from, kept for reuse while sessions run.

glibc's malloc serves a block above its mmap threshold with a fresh mapping and unmaps
it when it is freed, so every large temporary of a kernel (an im2col tile, a product, a
gradient) is page-faulted in and zeroed anew. The threshold starts at 128 KB and rises
as such blocks are freed, up to 32 MB: so where it stands depends on what the process
happened to free before. After a ResNet50 GraphDef was imported it stayed low, and the
small CNN's training step then faulted 23,000 pages and ran 2.5x slower (76 against 30
ms). :func:`keep_large_blocks` fixes the threshold at glibc's largest, and the trim
threshold above it, so blocks up to 32 MB come from memory the heap already holds, as
TensorFlow's own allocator reuses its memory. The heap may then keep up to that much
freed memory mapped. Other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import functools

MMAP_THRESHOLD = 32 << 20
"""glibc's largest mmap threshold: blocks up to this size come from the heap."""

TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
"""Free memory at the top of the heap kept before it is given back to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


@functools.cache
def keep_large_blocks() -> bool:
    """Fix glibc's mmap and trim thresholds for this process (once); ``False`` where
    the C library has no ``mallopt`` or refuses them.

    Examples
    --------
    >>> keep_large_blocks() is keep_large_blocks()
    True
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
