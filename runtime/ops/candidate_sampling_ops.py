"""Candidate samplers (``tf.nn.*_candidate_sampler``) and ``compute_accidental_hits``.

The samplers feed the sampled losses (``nce_loss``, ``sampled_softmax_loss``): each
draws ``num_sampled`` classes and says how often each true and sampled class was
expected to come up. They are stateful random ops, seeded like the others
(``tf.compat.v1.set_random_seed``, ``seed=``); see
:mod:`runtime.kernels.nn.candidate_sampling` for the distributions.
"""

from __future__ import annotations

from .. import dtypes
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor, op_outputs
from .random_ops import get_seed
from .shape_util import merge_dim, with_rank

__all__ = [
    "all_candidate_sampler",
    "compute_accidental_hits",
    "fixed_unigram_candidate_sampler",
    "learned_unigram_candidate_sampler",
]

_COMMON = (
    "num_true: int >= 1",
    "num_sampled: int >= 1",
    "unique: bool",
    "range_max: int >= 1",
    "seed: int = 0",
    "seed2: int = 0",
)
_OUTPUTS = (
    "sampled_candidates: int64",
    "true_expected_count: float",
    "sampled_expected_count: float",
)


def _sampler_shape(true_classes: TensorSpec, **attrs) -> list[TensorSpec]:
    batch, num_true = with_rank(true_classes.shape, 2).as_list()
    merge_dim(num_true, attrs["num_true"])
    sampled = TensorShape([attrs["num_sampled"]])
    return [
        TensorSpec(dtypes.int64, sampled),
        TensorSpec(dtypes.float32, TensorShape([batch, attrs["num_true"]])),
        TensorSpec(dtypes.float32, sampled),
    ]


def _register_sampler(name: str, attrs=_COMMON) -> OpDef:
    op_def = register_op(
        OpDef(name, ("true_classes: int64",), _OUTPUTS, attrs, _sampler_shape, is_stateful=True)
    )
    not_differentiable(name)
    return op_def


UNIFORM = _register_sampler("UniformCandidateSampler")
LOG_UNIFORM = _register_sampler("LogUniformCandidateSampler")
LEARNED_UNIGRAM = _register_sampler("LearnedUnigramCandidateSampler")
ALL = _register_sampler(
    "AllCandidateSampler", tuple(a for a in _COMMON if not a.startswith("range_max"))
)
FIXED_UNIGRAM = _register_sampler(
    "FixedUnigramCandidateSampler",
    (
        *_COMMON[:4],
        "vocab_file: string = ''",
        "distortion: float = 1",
        "num_reserved_ids: int = 0",
        "num_shards: int >= 1 = 1",
        "shard: int >= 0 = 0",
        "unigrams: list(float) = []",
        *_COMMON[4:],
    ),
)


def _accidental_hits_shape(true_classes, sampled_candidates, **attrs) -> list[TensorSpec]:
    with_rank(true_classes.shape, 2)
    with_rank(sampled_candidates.shape, 1)
    hits = TensorShape([None])
    return [
        TensorSpec(dtypes.int32, hits),
        TensorSpec(dtypes.int64, hits),
        TensorSpec(dtypes.float32, hits),
    ]


COMPUTE_ACCIDENTAL_HITS = register_op(
    OpDef(
        "ComputeAccidentalHits",
        ("true_classes: int64", "sampled_candidates: int64"),
        ("indices: int32", "ids: int64", "weights: float"),
        ("num_true: int", "seed: int = 0", "seed2: int = 0"),
        _accidental_hits_shape,
    )
)
not_differentiable("ComputeAccidentalHits")


def _sample(op_def: OpDef, true_classes, name, seed, **attrs) -> tuple:
    with name_scope(name, op_def.name, [true_classes]) as scope:
        true_classes = convert_to_tensor(true_classes, dtypes.int64, name="true_classes")
        seed1, seed2 = get_seed(seed, true_classes.graph)
        op = apply_op(op_def, [true_classes], scope, seed=seed1 or 0, seed2=seed2 or 0, **attrs)
    # TF's namedtuple, e.g. UniformCandidateSampler(sampled_candidates, ...)
    return op_outputs(op)


def uniform_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
) -> tuple:
    """Classes drawn uniformly from ``[0, range_max)``.

    Returns
    -------
    (sampled_candidates, true_expected_count, sampled_expected_count)

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sampled, true_count, sampled_count = tf.compat.v1.nn.uniform_candidate_sampler(
    ...         [[1]], 1, 4, True, 10, seed=1)
    ...     values = tf.compat.v1.Session().run([sampled, sampled_count])
    >>> len(set(values[0].tolist())), values[1].shape
    (4, (4,))
    """
    return _sample(
        UNIFORM,
        true_classes,
        name,
        seed,
        num_true=num_true,
        num_sampled=num_sampled,
        unique=bool(unique),
        range_max=range_max,
    )


def log_uniform_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
) -> tuple:
    """Classes drawn from the log-uniform (Zipfian) distribution over ``[0, range_max)``:
    ``P(k) = log((k + 2) / (k + 1)) / log(range_max + 1)``, for classes sorted by
    decreasing frequency."""
    return _sample(
        LOG_UNIFORM,
        true_classes,
        name,
        seed,
        num_true=num_true,
        num_sampled=num_sampled,
        unique=bool(unique),
        range_max=range_max,
    )


def learned_unigram_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
) -> tuple:
    """Classes drawn from the frequencies of the true classes this op has seen so far."""
    return _sample(
        LEARNED_UNIGRAM,
        true_classes,
        name,
        seed,
        num_true=num_true,
        num_sampled=num_sampled,
        unique=bool(unique),
        range_max=range_max,
    )


def fixed_unigram_candidate_sampler(
    true_classes,
    num_true,
    num_sampled,
    unique,
    range_max,
    vocab_file="",
    distortion=1.0,
    num_reserved_ids=0,
    num_shards=1,
    shard=0,
    unigrams=(),
    seed=None,
    name=None,
) -> tuple:
    """Classes drawn in proportion to ``unigrams ** distortion`` (after ``num_reserved_ids``
    never-drawn ids), restricted to ``shard`` of ``num_shards``."""
    return _sample(
        FIXED_UNIGRAM,
        true_classes,
        name,
        seed,
        num_true=num_true,
        num_sampled=num_sampled,
        unique=bool(unique),
        range_max=range_max,
        vocab_file=vocab_file,
        distortion=float(distortion),
        num_reserved_ids=num_reserved_ids,
        num_shards=num_shards,
        shard=shard,
        unigrams=tuple(float(u) for u in unigrams),
    )


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """Every class ``0 .. num_sampled - 1``, each expected once (for testing sampled losses)."""
    return _sample(
        ALL,
        true_classes,
        name,
        seed,
        num_true=num_true,
        num_sampled=num_sampled,
        unique=bool(unique),
    )


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """The sampled candidates that are also a row's true class.

    Returns
    -------
    (indices, ids, weights) : tuple of Tensor
        Row, position in ``sampled_candidates``, and ``-FLT_MAX`` (a logit to add) of each
        accidental hit.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     hits = tf.nn.compute_accidental_hits([[1], [5]], [5, 1, 7], 1)
    ...     tf.compat.v1.Session().run(list(hits[:2]))
    [array([0, 1], dtype=int32), array([1, 0])]
    """
    with name_scope(name, "ComputeAccidentalHits", [true_classes, sampled_candidates]) as scope:
        true_classes = convert_to_tensor(true_classes, dtypes.int64, name="true_classes")
        sampled = convert_to_tensor(sampled_candidates, dtypes.int64, name="sampled_candidates")
        seed1, seed2 = get_seed(seed, true_classes.graph)
        op = apply_op(
            COMPUTE_ACCIDENTAL_HITS,
            [true_classes, sampled],
            scope,
            num_true=num_true,
            seed=seed1 or 0,
            seed2=seed2 or 0,
        )
    return op_outputs(op)  # TF's ComputeAccidentalHits(indices, ids, weights)


# TF2 has these two under tf.random only; TF1's tf.nn has them too.
V1_OVERRIDES = {
    "log_uniform_candidate_sampler": log_uniform_candidate_sampler,
    "uniform_candidate_sampler": uniform_candidate_sampler,
}
