"""Kernels of the neural-network ops; importing the package registers them all
(and sets the C allocator's policy, :mod:`.allocator`)."""

from . import (
    activations,
    allocator,
    candidate_sampling,
    conv,
    ctc,
    fractional_pooling,
    normalization,
    pooling,
)

__all__ = [
    "activations",
    "allocator",
    "candidate_sampling",
    "conv",
    "ctc",
    "fractional_pooling",
    "normalization",
    "pooling",
]
