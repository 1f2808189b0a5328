"""Kernels of random ops: normal, uniform, truncated normal draws and shuffles.

Each random op owns a numpy ``Generator`` that lives in the session, under
``("", "__rng__/<op name>")`` in its resources, so successive runs continue one
stream and a new session with the same seeds starts it again. The generator is seeded
from the op's ``seed``/``seed2`` attrs; both 0 means "not seeded", and the stream
then starts from fresh OS entropy. A draw records the generator's previous state in
the step's journal, so a step that fails leaves the stream where it was.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel

_TRUNCATE_AT = 2.0  # truncated_normal redraws values beyond two standard deviations


class RandomStream:
    """A random op's generator, with a lock because concurrent steps may share it."""

    def __init__(self, seed: int, seed2: int):
        entropy = None if seed == 0 and seed2 == 0 else [seed, seed2]
        self.generator = np.random.Generator(np.random.PCG64(entropy))
        self.lock = threading.Lock()

    def draw(self, journal, sample):
        """``sample(generator)``, recording in ``journal`` how to rewind the stream."""
        with self.lock:
            before = self.generator.bit_generator.state
            journal.record(lambda: self._rewind(before))
            return sample(self.generator)

    def _rewind(self, state) -> None:
        with self.lock:
            self.generator.bit_generator.state = state


def _draw(ctx, seed: int, seed2: int, sample):
    """``sample(generator)`` from the op's stream in the session (made on first use)."""
    stream = ctx.resources.get_or_create(
        "", "__rng__/" + ctx.op.name, lambda: RandomStream(seed, seed2)
    )
    return stream.draw(ctx.journal, sample)


def _output_shape(shape) -> tuple:
    if shape.ndim != 1:
        raise InvalidArgumentError(
            None, None, f"shape must be a vector of {{int32,int64}}, got shape {list(shape.shape)}"
        )
    for dim in shape:
        if dim < 0:
            raise InvalidArgumentError(None, None, f"Dimension {dim} must be >= 0")
    return tuple(int(d) for d in shape)


def _floats(sample_float, dtype, shape):
    """Draw float32/64 directly; float16 via float32, which numpy cannot draw."""
    numpy_dtype = np.dtype(dtype.as_numpy_dtype)
    if numpy_dtype in (np.float32, np.float64):
        return sample_float(shape, numpy_dtype)
    return sample_float(shape, np.float32).astype(numpy_dtype)


@register_kernel("RandomStandardNormal", context=True)
def random_standard_normal(ctx, shape, *, dtype, seed, seed2, T):
    shape = _output_shape(shape)
    return (_draw(ctx, seed, seed2, lambda rng: _floats(rng.standard_normal, dtype, shape)),)


@register_kernel("TruncatedNormal", context=True)
def truncated_normal(ctx, shape, *, dtype, seed, seed2, T):
    shape = _output_shape(shape)
    return (_draw(ctx, seed, seed2, lambda rng: _truncated(rng, dtype, shape)),)


def _truncated(rng, dtype, shape):
    values = _floats(rng.standard_normal, dtype, shape)
    outside = np.abs(values) > _TRUNCATE_AT
    # Each round redraws only the values still outside; ~4.6% of them each time.
    while outside.any():
        values[outside] = _floats(rng.standard_normal, dtype, (int(outside.sum()),))
        outside = np.abs(values) > _TRUNCATE_AT
    return values


@register_kernel("RandomUniform", context=True)
def random_uniform(ctx, shape, *, dtype, seed, seed2, T):
    shape = _output_shape(shape)
    values = _draw(ctx, seed, seed2, lambda rng: _floats(rng.random, dtype, shape))
    # Rounding float32 draws to float16 can reach 1.0; TF's range is [0, 1).
    below_one = np.nextafter(values.dtype.type(1), values.dtype.type(0))
    return (np.minimum(values, below_one),)


@register_kernel("RandomUniformInt", context=True)
def random_uniform_int(ctx, shape, minval, maxval, *, seed, seed2, Tout, T):
    shape = _output_shape(shape)
    for name, bound in (("minval", minval), ("maxval", maxval)):
        if bound.ndim != 0:
            raise InvalidArgumentError(
                None, None, f"{name} must be 0-D, got shape {list(bound.shape)}"
            )
    if minval >= maxval:
        raise InvalidArgumentError(None, None, f"Need minval < maxval: {minval} >= {maxval}")
    numpy_dtype = Tout.as_numpy_dtype
    values = _draw(
        ctx, seed, seed2, lambda rng: rng.integers(minval, maxval, shape, dtype=numpy_dtype)
    )
    return (values,)


@register_kernel("RandomShuffle", context=True)
def random_shuffle(ctx, value, *, seed, seed2, T):
    if value.ndim == 0 or len(value) <= 1:
        return (value,)
    order = _draw(ctx, seed, seed2, lambda rng: rng.permutation(len(value)))
    return (value[order],)
