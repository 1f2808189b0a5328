"""Kernels of the neural-network ops; importing the package registers them all."""

from . import activations, conv, normalization, pooling

__all__ = ["activations", "conv", "normalization", "pooling"]
