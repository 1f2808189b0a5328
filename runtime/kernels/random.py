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
from . import special

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


# -- categorical, gamma and Poisson samples ----------------------------------------------


def categorical_draws(rng, logits: np.ndarray, num_samples, out_dtype) -> np.ndarray:
    """``num_samples`` class indices per row of ``logits``. As TF's, a class whose logit
    is not finite is never drawn, and a row with no finite logit draws ``num_classes``."""
    if logits.ndim != 2:
        raise InvalidArgumentError(
            None, None, f"logits should be a matrix, got shape {list(logits.shape)}"
        )
    num_samples = int(num_samples)
    if num_samples < 0:
        raise InvalidArgumentError(
            None, None, f"num_samples should be nonnegative, got {num_samples}"
        )
    batch, classes = logits.shape
    if classes == 0 and num_samples > 0:
        raise InvalidArgumentError(None, None, f"num_classes should be positive, got {classes}")
    logits = logits.astype(np.float64)
    finite = np.isfinite(logits)
    top = np.max(np.where(finite, logits, -np.inf), axis=1, initial=-np.inf, keepdims=True)
    weights = np.where(finite, np.exp(logits - np.where(np.isfinite(top), top, 0.0)), 0.0)
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random((batch, num_samples)) * cumulative[:, -1:]
    out = np.empty((batch, num_samples), dtype=out_dtype.as_numpy_dtype)
    for row in range(batch):
        out[row] = np.searchsorted(cumulative[row], draws[row], side="right")
    return out


@register_kernel("Multinomial", context=True)
def multinomial(ctx, logits, num_samples, *, seed, seed2, T, output_dtype):
    return (
        _draw(
            ctx,
            seed,
            seed2,
            lambda rng: categorical_draws(rng, logits, num_samples, output_dtype),
        ),
    )


def gamma_draws(rng, shape: tuple, alpha: np.ndarray) -> np.ndarray:
    """Gamma(``alpha``, 1) samples of shape ``shape`` (``alpha`` broadcast to its end),
    in ``alpha``'s precision: 0 for ``alpha == 0`` and NaN below, as TF's."""
    wide = np.broadcast_to(alpha, shape).astype(np.float64)
    values = rng.standard_gamma(np.where(wide > 0, wide, 1.0))
    values = np.where(wide > 0, values, np.where(wide == 0, 0.0, np.nan))
    return values.astype(alpha.dtype)


@register_kernel("RandomGamma", context=True)
def random_gamma(ctx, shape, alpha, *, seed, seed2, S, T):
    shape = _output_shape(shape) + alpha.shape
    return (_draw(ctx, seed, seed2, lambda rng: gamma_draws(rng, shape, alpha)),)


@register_kernel("RandomGammaGrad")
def random_gamma_grad(alpha, sample, *, T):
    """How a Gamma(``alpha``, 1) sample moves with ``alpha`` at its fixed quantile:
    ``-(dP(alpha, x)/dalpha) / pdf(x)`` (P the regularized lower incomplete gamma)."""
    a, x = np.broadcast_arrays(alpha.astype(np.float64), sample.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_pdf = (a - 1) * np.log(x) - x - special.lgamma(a)
        partial = -special.igamma_grad_a(a, x) / np.exp(log_pdf)
    return (partial.astype(alpha.dtype),)


def poisson_draws(rng, shape: tuple, rate: np.ndarray, out_dtype) -> np.ndarray:
    """Poisson(``rate``) samples of shape ``shape`` (``rate`` broadcast to its end);
    0 for a negative rate, as TF's, and NaN (0 for integer outputs) for a NaN rate."""
    rate = np.broadcast_to(rate, shape).astype(np.float64)
    values = rng.poisson(np.where(rate > 0, rate, 0.0)).astype(np.float64)
    values = np.where(np.isnan(rate), np.nan, values)
    numpy_dtype = np.dtype(out_dtype.as_numpy_dtype)
    if numpy_dtype.kind in "iu":
        values = np.nan_to_num(values, nan=0.0)
    return values.astype(numpy_dtype)


@register_kernel("RandomPoissonV2", context=True)
def random_poisson_v2(ctx, shape, rate, *, seed, seed2, S, R, dtype):
    shape = _output_shape(shape) + rate.shape
    return (_draw(ctx, seed, seed2, lambda rng: poisson_draws(rng, shape, rate, dtype)),)


# -- stateless samples: the numbers are a function of the seed input -------------------


def _seeded(seed: np.ndarray) -> np.random.Generator:
    """A generator that depends on nothing but the two values of ``seed``."""
    if seed.shape != (2,):
        raise InvalidArgumentError(None, None, f"seed must have shape [2], not {list(seed.shape)}")
    return np.random.Generator(np.random.PCG64([int(v) & 0xFFFFFFFFFFFFFFFF for v in seed]))


@register_kernel("StatelessRandomUniform")
def stateless_random_uniform(shape, seed, *, dtype, T, Tseed):
    values = _floats(_seeded(seed).random, dtype, _output_shape(shape))
    below_one = np.nextafter(values.dtype.type(1), values.dtype.type(0))
    return (np.minimum(values, below_one),)


@register_kernel("StatelessRandomNormal")
def stateless_random_normal(shape, seed, *, dtype, T, Tseed):
    return (_floats(_seeded(seed).standard_normal, dtype, _output_shape(shape)),)


@register_kernel("StatelessTruncatedNormal")
def stateless_truncated_normal(shape, seed, *, dtype, T, Tseed):
    return (_truncated(_seeded(seed), dtype, _output_shape(shape)),)


@register_kernel("StatelessRandomUniformInt")
def stateless_random_uniform_int(shape, seed, minval, maxval, *, dtype, T, Tseed):
    shape = _output_shape(shape)
    for name, bound in (("minval", minval), ("maxval", maxval)):
        if bound.ndim != 0:
            raise InvalidArgumentError(
                None, None, f"{name} must be 0-D, got shape {list(bound.shape)}"
            )
    if minval >= maxval:
        raise InvalidArgumentError(None, None, f"Need minval < maxval, got {minval} >= {maxval}")
    numpy_dtype = dtype.as_numpy_dtype
    return (_seeded(seed).integers(minval, maxval, shape, dtype=numpy_dtype),)


@register_kernel("StatelessRandomUniformFullInt")
def stateless_random_uniform_full_int(shape, seed, *, dtype, T, Tseed):
    info = np.iinfo(dtype.as_numpy_dtype)
    values = _seeded(seed).integers(
        info.min, info.max, _output_shape(shape), dtype=info.dtype, endpoint=True
    )
    return (values,)


def _parameters(shape: tuple, *parameters) -> list:
    """The parameters broadcast to the output shape, as float64."""
    try:
        return [np.broadcast_to(p, shape).astype(np.float64) for p in parameters]
    except ValueError:
        shapes = ", ".join(str(list(p.shape)) for p in parameters)
        raise InvalidArgumentError(
            None, None, f"Parameters of shapes {shapes} do not broadcast to shape {list(shape)}"
        ) from None


@register_kernel("StatelessRandomGammaV2")
def stateless_random_gamma_v2(shape, seed, alpha, *, dtype, T, Tseed):
    shape = _output_shape(shape)
    _parameters(shape, alpha)
    return (gamma_draws(_seeded(seed), shape, alpha),)


@register_kernel("StatelessRandomPoisson")
def stateless_random_poisson(shape, seed, lam, *, Rtype, dtype, T, Tseed):
    shape = _output_shape(shape)
    _parameters(shape, lam)
    return (poisson_draws(_seeded(seed), shape, lam, dtype),)


@register_kernel("StatelessRandomBinomial")
def stateless_random_binomial(shape, seed, counts, probs, *, S, Tseed, T, dtype):
    shape = _output_shape(shape)
    counts, probs = _parameters(shape, counts, probs)
    valid = (counts >= 0) & (probs >= 0) & (probs <= 1)
    draws = _seeded(seed).binomial(
        np.where(valid, counts, 0).astype(np.int64), np.where(valid, probs, 0.0)
    )
    values = np.where(valid, draws.astype(np.float64), np.nan)
    numpy_dtype = np.dtype(dtype.as_numpy_dtype)
    if numpy_dtype.kind in "iu":
        values = np.nan_to_num(values, nan=0.0)
    return (values.astype(numpy_dtype),)


def _normal_cdf(x):
    return 0.5 * special.erfc(-x / np.sqrt(2.0))


@register_kernel("StatelessParameterizedTruncatedNormal")
def stateless_parameterized_truncated_normal(
    shape, seed, means, stddevs, minvals, maxvals, *, S, Tseed, dtype
):
    """Inverse-CDF sampling between the standardized bounds, on the side of zero where
    the normal CDF keeps its precision (bounds far in the upper tail are mirrored)."""
    shape = _output_shape(shape)
    mean, stddev, low, high = _parameters(shape, means, stddevs, minvals, maxvals)
    if (stddev <= 0).any() or (low >= high).any():
        raise InvalidArgumentError(
            None,
            None,
            "Invalid parameters: every stddev must be positive and every minval below its maxval",
        )
    a, b = (low - mean) / stddev, (high - mean) / stddev
    mirrored = a > 0
    lower, upper = np.where(mirrored, -b, a), np.where(mirrored, -a, b)
    p_low, p_high = _normal_cdf(lower), _normal_cdf(upper)
    u = _seeded(seed).random(shape)
    x = np.clip(special.ndtri(p_low + u * (p_high - p_low)), lower, upper)
    values = mean + stddev * np.where(mirrored, -x, x)
    return (values.astype(dtype.as_numpy_dtype),)


@register_kernel("StatelessMultinomial")
def stateless_multinomial(logits, num_samples, seed, *, T, Tseed, output_dtype):
    return (categorical_draws(_seeded(seed), logits, num_samples, output_dtype),)
