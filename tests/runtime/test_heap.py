"""The heap keeps kernels' large blocks for reuse once a session has opened."""

from __future__ import annotations

import subprocess
import sys

import runtime as tf
from runtime import heap

# In a fresh process: 4 MB temporaries made and freed while glibc's mmap threshold is
# where it starts (128 KB: where a ResNet50 import had left it in the benchmark), then
# after keep_large_blocks(); prints the minor page faults of each phase.
_PROGRAM = """
import ctypes, resource
import numpy as np
from runtime import heap

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        block = np.empty(1 << 20, np.float32)
        block.fill(1.0)
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

ctypes.CDLL(None).mallopt(-3, 128 << 10)
low = faults()
assert heap.keep_large_blocks()
faults()  # the heap grows once
print(low, faults())
"""


def test_large_temporaries_reuse_the_heaps_memory():
    # Mapped anew, each block is faulted in again (numpy asks for huge pages, so there
    # are fewer faults than its 1,024 pages, each zeroing up to 2 MB); kept in the heap,
    # next to none.
    out = subprocess.run(
        [sys.executable, "-c", _PROGRAM], capture_output=True, text=True, check=True
    ).stdout
    low, kept = map(int, out.split())
    assert low >= 100 and kept * 10 < low


def test_opening_a_session_keeps_large_blocks(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "keep_large_blocks", lambda: calls.append(1) or True)
    with tf.Graph().as_default(), tf.compat.v1.Session():
        assert calls == [1]
