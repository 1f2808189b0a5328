"""Candidate samplers for sampled losses, and the accidental hits among their samples.

A sampler draws ``num_sampled`` classes from ``[0, range_max)`` under its distribution
P and says how often each true and sampled class is expected to be drawn, which the
sampled losses subtract (as ``log Q``) from the logits:

- without ``unique``, ``num_sampled`` independent draws: expected count ``P(k) *
  num_sampled``;
- with ``unique``, draws until ``num_sampled`` distinct classes came up, after ``tries``
  draws: expected count ``1 - (1 - P(k)) ** tries`` (``P(k) * num_sampled`` when no
  draw was a repeat).

The distributions are TF's: uniform, log-uniform (Zipfian: ``P(k) = log((k + 2) /
(k + 1)) / log(range_max + 1)``), a fixed unigram (``unigrams ** distortion``), and a
unigram learned from the true classes seen so far. Draws come from the op's seeded
stream in the session, as the other random ops' do (:mod:`runtime.kernels.random`).
"""

from __future__ import annotations

import numpy as np

from ...errors import InvalidArgumentError
from ...registry import register_kernel
from ..random import _draw

_LOWEST_FLOAT32 = np.finfo(np.float32).min


def _check_true_classes(true_classes: np.ndarray, num_true: int) -> None:
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        raise InvalidArgumentError(
            None,
            None,
            f"true_classes must be a matrix with num_true={num_true} columns, got shape "
            f"{list(true_classes.shape)}",
        )


def _check_in_range(true_classes: np.ndarray, range_max: int) -> None:
    """TF's check that every true class is one of the sampler's ``[0, range_max)``: a
    class outside it has no probability to look up (TF reports the first one)."""
    outside = (true_classes < 0) | (true_classes >= range_max)
    if outside.any():
        received = true_classes[outside][0]
        raise InvalidArgumentError(
            None, None, f"`true_candidate` out of range [0, {range_max}), received {received}"
        )


def _sample(rng, probabilities: np.ndarray, num_sampled: int, unique: bool):
    """``(sampled, tries)``: draws from ``probabilities``, distinct ones if ``unique``."""
    if not unique:
        return rng.choice(len(probabilities), num_sampled, p=probabilities), num_sampled
    if num_sampled > np.count_nonzero(probabilities):
        raise InvalidArgumentError(
            None,
            None,
            f"Sampler's range is too small: {num_sampled} unique samples requested from "
            f"{np.count_nonzero(probabilities)} possible classes",
        )
    sampled: list = []
    seen: set = set()
    tries = 0
    while len(sampled) < num_sampled:
        # Batches of draws, the distinct new ones kept in order: rejection sampling.
        batch = rng.choice(len(probabilities), 2 * (num_sampled - len(sampled)), p=probabilities)
        for k in batch.tolist():
            tries += 1
            if k not in seen:
                seen.add(k)
                sampled.append(k)
                if len(sampled) == num_sampled:
                    break
    return np.asarray(sampled), tries


def _expected(probabilities: np.ndarray, classes: np.ndarray, tries: int, num_sampled: int):
    """TF's ``ExpectedCountHelper``: ``p * num_sampled`` when no draw was rejected."""
    p = probabilities[classes]
    if tries == num_sampled:
        return (p * num_sampled).astype(np.float32)
    return (-np.expm1(tries * np.log1p(-np.minimum(p, 1 - 1e-12)))).astype(np.float32)


def _sampler_outputs(ctx, true_classes, probabilities, attrs):
    num_true, num_sampled, unique = attrs["num_true"], attrs["num_sampled"], attrs["unique"]
    _check_true_classes(true_classes, num_true)
    _check_in_range(true_classes, len(probabilities))
    if not unique and num_sampled < 1:
        raise InvalidArgumentError(None, None, f"num_sampled must be positive, got {num_sampled}")
    sampled, tries = _draw(
        ctx,
        attrs["seed"],
        attrs["seed2"],
        lambda rng: _sample(rng, probabilities, num_sampled, unique),
    )
    return (
        sampled.astype(np.int64),
        _expected(probabilities, true_classes, tries, num_sampled),
        _expected(probabilities, sampled, tries, num_sampled),
    )


def _log_uniform(range_max: int) -> np.ndarray:
    k = np.arange(range_max, dtype=np.float64)
    return (np.log1p(1 / (k + 1))) / np.log(range_max + 1)


@register_kernel("UniformCandidateSampler", context=True)
def uniform_candidate_sampler(ctx, true_classes, **attrs):
    probabilities = np.full(attrs["range_max"], 1 / attrs["range_max"])
    return _sampler_outputs(ctx, true_classes, probabilities, attrs)


@register_kernel("LogUniformCandidateSampler", context=True)
def log_uniform_candidate_sampler(ctx, true_classes, **attrs):
    return _sampler_outputs(ctx, true_classes, _log_uniform(attrs["range_max"]), attrs)


@register_kernel("FixedUnigramCandidateSampler", context=True)
def fixed_unigram_candidate_sampler(ctx, true_classes, **attrs):
    return _sampler_outputs(ctx, true_classes, _fixed_unigram(attrs), attrs)


def _fixed_unigram(attrs) -> np.ndarray:
    """TF's fixed unigram: reserved ids first (weight 0), then the shard's share of the
    given counts, each raised to ``distortion``."""
    if attrs["vocab_file"]:
        raise InvalidArgumentError(
            None,
            None,
            "FixedUnigramCandidateSampler takes its counts as `unigrams` here; "
            "read the vocab file into that list.",
        )
    counts = np.asarray(attrs["unigrams"], np.float64)
    weights = np.concatenate([np.zeros(attrs["num_reserved_ids"]), counts])
    ids = np.arange(len(weights))
    weights = np.where(ids % attrs["num_shards"] == attrs["shard"], weights, 0.0)
    weights = weights ** attrs["distortion"]
    if len(weights) != attrs["range_max"]:
        raise InvalidArgumentError(
            None,
            None,
            f"range_max ({attrs['range_max']}) must equal num_reserved_ids + the number of "
            f"unigrams ({len(weights)})",
        )
    return weights / weights.sum()


class _LearnedUnigram:
    """Counts of the true classes seen by one op in one session (each class starts at 1)."""

    def __init__(self, range_max: int):
        self.counts = np.ones(range_max)


@register_kernel("LearnedUnigramCandidateSampler", context=True)
def learned_unigram_candidate_sampler(ctx, true_classes, **attrs):
    state = ctx.resources.get_or_create(
        "", "__unigram__/" + ctx.op.name, lambda: _LearnedUnigram(attrs["range_max"])
    )
    _check_true_classes(true_classes, attrs["num_true"])
    _check_in_range(true_classes, attrs["range_max"])  # before the counts learn from them
    # As TF's: this batch is drawn from the counts so far, then counted.
    outputs = _sampler_outputs(ctx, true_classes, state.counts / state.counts.sum(), attrs)
    np.add.at(state.counts, true_classes, 1)
    return outputs


@register_kernel("AllCandidateSampler", context=True)
def all_candidate_sampler(ctx, true_classes, **attrs):
    """Every class in order, each expected once."""
    _check_true_classes(true_classes, attrs["num_true"])
    num_sampled = attrs["num_sampled"]
    _check_in_range(true_classes, num_sampled)  # its classes are [0, num_sampled)
    return (
        np.arange(num_sampled, dtype=np.int64),
        np.ones(true_classes.shape, np.float32),
        np.ones(num_sampled, np.float32),
    )


@register_kernel("ComputeAccidentalHits")
def compute_accidental_hits(true_classes, sampled_candidates, *, num_true, seed, seed2):
    """Where a row's true class was also sampled: ``(row, sample position, -FLT_MAX)``.

    Rows and their true classes are visited in order; a class sampled twice points at
    its last position, as TF's kernel does.
    """
    _check_true_classes(true_classes, num_true)
    position = {int(c): j for j, c in enumerate(sampled_candidates.tolist())}
    hits = [
        (i, position[c])
        for i, row in enumerate(true_classes.tolist())
        for c in row
        if c in position
    ]
    indices = np.array([i for i, _ in hits], np.int32)
    ids = np.array([j for _, j in hits], np.int64)
    return indices, ids, np.full(len(hits), _LOWEST_FLOAT32, np.float32)
