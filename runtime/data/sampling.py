"""Mixing datasets and resampling them: ``RandomDataset``, ``choose_from_datasets``,
``sample_from_datasets`` and ``rejection_resample``.

``choose_from_datasets`` is TF's ``DirectedInterleaveDataset``: a dataset of indices picks
which input gives the next element. ``sample_from_datasets`` picks by weights drawn from
a seeded ``RandomDataset``; ``rejection_resample`` is composed of these as TF composes
it. The random numbers come from numpy's generator seeded by the op's seeds (as all of
the runtime's random ops): repeatable per seed, not TF's Philox sequence.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..graph import Tensor
from ..ops.array_ops import identity
from ..ops.bitwise_ops import bitwise_and
from ..ops.constant_value import constant_value
from ..ops.control_flow_ops import cond
from ..ops.core import convert_to_tensor
from ..ops.fill_ops import fill, one_hot
from ..ops.gather_scatter_ops import gather
from ..ops.logging_ops import Print
from ..ops.math_ops import (
    cast,
    cumsum,
    less,
    less_equal,
    reduce_max,
    reduce_min,
    reduce_sum,
    truediv,
)
from ..ops.random_ops import get_seed, random_uniform
from ..ops.shape_ops import expand_dims, shape
from ..ops.tile_pad_ops import tile
from ..registry import register_kernel
from ..shapes import TensorShape
from .dataset_ops import _TYPES, Dataset, _dataset_op, _int64, _source
from .kernels import _dataset_kernel
from .pipeline import INFINITE, DatasetValue, Source
from .structure import Structure

__all__ = ["RandomDataset"]

RANDOM = _dataset_op(
    "RandomDataset", ["seed: int64", "seed2: int64"], (*_TYPES, "metadata: string = ''"), True
)
DIRECTED_INTERLEAVE = _dataset_op(
    "DirectedInterleaveDataset",
    ["selector_input_dataset: variant", "data_input_datasets: N * variant"],
    (*_TYPES, "N: int >= 1", "stop_on_empty_dataset: bool = false"),
)


class RandomDataset(Dataset):
    """An endless dataset of random int64 scalars (``tf.data.experimental.RandomDataset``),
    the same sequence in every iteration for a given seed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ds = RandomDataset(seed=3).take(2)
    ...     x = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         first = [sess.run(x), sess.run(x)]
    ...     print(ds.output_types, len(set(first)))
    <dtype: 'int64'> 2
    """

    def __init__(self, seed=None, name=None):
        seed1, seed2 = get_seed(seed)
        inputs = [_int64(seed1 or 0, "seed"), _int64(seed2 or 0, "seed2")]
        structure = Structure(dtypes.int64, TensorShape([]))
        dataset = _source(RANDOM, inputs, structure, name)
        super().__init__(dataset._variant_tensor, structure)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=False) -> Dataset:
    """The elements of ``datasets`` in the order ``choice_dataset`` (int64 scalars, indices
    into ``datasets``) gives; a chosen dataset that has ended is skipped, or ends all with
    ``stop_on_empty_dataset``."""
    datasets = list(datasets)
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    if not isinstance(choice_dataset, Dataset):
        raise TypeError(
            f"Invalid `choice_dataset`. `choice_dataset` should be a `tf.data.Dataset` but is "
            f"{type(choice_dataset)}."
        )
    choices = choice_dataset.structure
    if choices.flat_types != [dtypes.int64] or choices.flat_shapes[0].rank not in (None, 0):
        raise TypeError(
            "Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar of "
            f"`tf.int64` dtype, but got {choice_dataset.output_types} and "
            f"{choice_dataset.output_shapes}."
        )
    return _directed_interleave(choice_dataset, datasets, stop_on_empty_dataset)


def _directed_interleave(selector: Dataset, datasets: list, stop_on_empty: bool) -> Dataset:
    first = datasets[0].structure
    shapes = list(first.flat_shapes)
    for dataset in datasets[1:]:
        other = dataset.structure
        if other.template != first.template or other.flat_types != first.flat_types:
            raise TypeError(
                f"Invalid `datasets`. `datasets` must have compatible element specs.\n Dataset "
                f"0 element types: {datasets[0].output_types}; another: {dataset.output_types}."
            )
        shapes = [a.most_specific_compatible_shape(b) for a, b in zip(shapes, other.flat_shapes)]
    variants = [dataset._variant_tensor for dataset in datasets]
    return selector._build(
        DIRECTED_INTERLEAVE,
        [selector._variant_tensor, variants],
        first.with_shapes(shapes),
        None,
        N=len(variants),
        stop_on_empty_dataset=bool(stop_on_empty),
    )


def _pick(bits: Tensor, probabilities: Tensor) -> Tensor:
    """The index an int64 of random bits picks with ``probabilities``: the first whose
    cumulative probability exceeds a uniform number made of 53 of the bits."""
    uniform = cast(bitwise_and(bits, 2**53 - 1), dtypes.float64) * 2.0**-53
    total = cumsum(cast(probabilities, dtypes.float64))
    below = less_equal(total[:-1] / total[-1], uniform)
    return reduce_sum(cast(below, dtypes.int64))


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """Elements of ``datasets`` drawn at random, dataset ``i`` with probability
    ``weights[i]`` (normalized; default: equal). ``weights`` may also be a dataset of
    weight vectors, one per draw."""
    datasets = list(datasets)
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    count = len(datasets)
    random = RandomDataset(seed)
    if isinstance(weights, Dataset):
        structure = weights.structure
        if structure.flat_types[0] not in (dtypes.float32, dtypes.float64):
            raise TypeError(
                "`weights` must produce `tf.float32` or `tf.float64` elements, not "
                f"{weights.output_types}."
            )
        selector = Dataset.zip((weights, random)).map(lambda w, bits: _pick(bits, w))
    else:
        if weights is None:
            weights = [1.0 / count] * count
        weights = convert_to_tensor(weights, name="weights")
        if weights.dtype not in (dtypes.float32, dtypes.float64):
            raise TypeError(
                "`weights` must be convertible to a tensor of `tf.float32` or `tf.float64` "
                "elements."
            )
        if not weights.shape.is_compatible_with([count]):
            raise ValueError("`weights` must be a vector of length `len(datasets)`.")
        selector = random.map(lambda bits: _pick(bits, weights))
    return _directed_interleave(selector, datasets, stop_on_empty_dataset)


def rejection_resample(dataset: Dataset, class_func, target_dist, initial_dist=None, seed=None):
    """``dataset`` resampled so that ``class_func``'s classes follow ``target_dist``; yields
    ``(class, element)`` pairs. Without ``initial_dist`` the classes' distribution is
    estimated on the way (batches of 32, smoothed by 10 counts per class). As TF's: a mix
    of the original elements and ones kept by per-class rejection."""
    target = cast(convert_to_tensor(target_dist, name="target_dist"), dtypes.float32)
    if initial_dist is not None:
        initial = cast(convert_to_tensor(initial_dist, name="initial_dist"), dtypes.float32)
        accept, original = _acceptance_and_mixing(initial, target)
        initial_ds = Dataset.from_tensors(initial).repeat()
        accept_ds = Dataset.from_tensors(accept).repeat()
        original_ds = Dataset.from_tensors(original).repeat()
        init_static, target_static = constant_value(initial), constant_value(target)
        static = (
            None
            if init_static is None or target_static is None
            else np.min(target_static / init_static)
        )
    else:
        initial_ds = _estimated_distribution(target, dataset.map(class_func))
        both = initial_ds.map(lambda p: _acceptance_and_mixing(p, target))
        accept_ds = both.map(lambda a, _: a)
        original_ds = both.map(lambda _, m: m)
        static = None
    kept = _rejected(dataset, accept_ds, initial_ds, class_func, seed).prefetch(3)

    def with_class(*element):
        return class_func(*element), element[0] if len(element) == 1 else element

    if static == 1:
        return dataset.map(with_class)
    if static == 0:
        return kept
    return sample_from_datasets(
        [dataset.map(with_class), kept],
        weights=original_ds.map(lambda m: [m, 1.0 - m]),
        seed=seed,
        stop_on_empty_dataset=True,
    )


def _acceptance_and_mixing(initial: Tensor, target: Tensor) -> tuple:
    """Per-class acceptance probabilities and the probability of taking an original
    element: ``a_i = (t_i/p_i - m) / (max t/p - m)`` with ``m = min t/p`` (TF's analysis)."""
    ratio = target / (initial + np.finfo(np.float32).tiny)
    highest, lowest = reduce_max(ratio), reduce_min(ratio)
    return (ratio - lowest) / (highest - lowest), lowest


def _estimated_distribution(target: Tensor, classes: Dataset, batch=32, smoothing=10) -> Dataset:
    """A running estimate of the classes' distribution, one per element."""
    count = target.shape.dim_value(0)
    if count is None:
        count = shape(target)[0]
    seen = fill([count], np.int64(smoothing))

    def update(counts, labels):
        counts = counts + reduce_sum(one_hot(labels, count, dtype=dtypes.int64), 0)
        estimate = cast(truediv(counts, reduce_sum(counts)), dtypes.float32)
        return counts, tile(expand_dims(estimate, 0), [batch, 1])

    return classes.batch(batch).scan(seen, update).unbatch()


def _rejected(dataset, accept_ds, initial_ds, class_func, seed) -> Dataset:
    """``(class, element)`` of the elements kept with their class's acceptance probability."""

    def warn_if_mostly_rejected(accept, initial):
        rejected = reduce_sum((1 - accept) * initial)
        return cond(
            less(rejected, 0.5),
            lambda: identity(accept),
            lambda: Print(
                accept,
                [rejected, initial, accept],
                message="Proportion of examples rejected by sampler is high: ",
                summarize=100,
                first_n=10,
            ),
        )

    accept_ds = Dataset.zip((accept_ds, initial_ds)).map(warn_if_mostly_rejected)

    def with_probability(accept, element):
        label = class_func(*element) if isinstance(element, tuple) else class_func(element)
        return label, gather(accept, label), element

    def keep(_label, probability, _element):
        return random_uniform([], seed=seed, dtype=probability.dtype) < probability

    drawn = Dataset.zip((accept_ds, dataset)).map(with_probability).filter(keep)
    return drawn.map(lambda label, _, element: (label, element))


# -- kernels ------------------------------------------------------------------------------


@_dataset_kernel("RandomDataset")
def _random(seed, seed2):
    seeds = (int(seed), int(seed2))
    if seeds == (0, 0):  # unseeded, as TF: one fresh seed for the dataset's lifetime
        seeds = (int(np.random.SeedSequence().entropy % 2**63), 0)
    low, high = np.iinfo(np.int64).min, np.iinfo(np.int64).max

    def produce(env):
        rng = np.random.default_rng(seeds)
        while True:
            yield (rng.integers(low, high, endpoint=True, dtype=np.int64),)

    return Source(produce, INFINITE)


class DirectedInterleave(DatasetValue):
    def __init__(self, selector, inputs, stop_on_empty):
        self.selector = selector
        self.inputs = inputs
        self.stop_on_empty = stop_on_empty

    def iterate(self, env):
        return _DirectedInterleaveIterator(self, env)


class _DirectedInterleaveIterator:
    def __init__(self, dataset: DirectedInterleave, env):
        self.selector = dataset.selector.iterate(env)
        self.inputs = [source.iterate(env) for source in dataset.inputs]
        self.stop_on_empty = dataset.stop_on_empty

    def __iter__(self):
        return self

    def __next__(self):
        if self.stop_on_empty and None in self.inputs:
            raise StopIteration  # ended when a chosen input ran out: the end stays
        while any(source is not None for source in self.inputs):
            (choice,) = next(self.selector)
            index = int(np.asarray(choice).reshape(()))
            if not 0 <= index < len(self.inputs):
                raise InvalidArgumentError(
                    None, None, f"Selector index out of range: {index} >= {len(self.inputs)}"
                )
            source = self.inputs[index]
            if source is None:
                continue
            try:
                return next(source)
            except StopIteration:
                self.inputs[index] = None
                if self.stop_on_empty:
                    raise
        raise StopIteration


@register_kernel("DirectedInterleaveDataset")
def _directed(selector, *inputs, output_types, output_shapes, N, stop_on_empty_dataset):
    value = DirectedInterleave(selector, inputs, bool(stop_on_empty_dataset))
    return (value.typed(output_types, output_shapes),)
