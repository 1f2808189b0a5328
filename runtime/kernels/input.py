"""Kernel of ``CountUpTo``: the epoch counter of TF1's input producers."""

from __future__ import annotations

import numpy as np

from ..errors import OutOfRangeError
from ..registry import register_kernel


@register_kernel("CountUpTo", context=True)
def count_up_to(ctx, ref, *, limit, T):
    """Increment variable ``ref`` and output its old value; ``OutOfRangeError`` at ``limit``."""
    with ref.lock:
        before = ref.read()
        if before >= limit:
            raise OutOfRangeError(None, None, f"Reached limit of {limit}")
        ref.store(np.asarray(before + 1, dtype=ref.dtype), ctx.journal)
    return (before,)
