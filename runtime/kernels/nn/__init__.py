"""Kernels of the neural-network ops; importing the package registers them all."""

from . import activations, candidate_sampling, conv, ctc, fractional_pooling, normalization, pooling

__all__ = [
    "activations",
    "candidate_sampling",
    "conv",
    "ctc",
    "fractional_pooling",
    "normalization",
    "pooling",
]
