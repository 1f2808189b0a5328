"""``tf.random``: the random ops under TF2's names.

``tf.random.normal`` is ``tf.compat.v1.random_normal``, and so on; ``set_seed`` sets
the graph-level seed of the default graph, as ``tf.compat.v1.set_random_seed`` does.
See :mod:`runtime.ops.random_ops` for how graph and op seeds combine.
"""

from .ops.candidate_sampling_ops import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from .ops.random_ops import get_seed, set_random_seed, truncated_normal
from .ops.random_ops import random_normal as normal
from .ops.random_ops import random_shuffle as shuffle
from .ops.random_ops import random_uniform as uniform

__all__ = [
    "all_candidate_sampler",
    "fixed_unigram_candidate_sampler",
    "get_seed",
    "learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler",
    "normal",
    "set_random_seed",
    "set_seed",
    "shuffle",
    "truncated_normal",
    "uniform",
    "uniform_candidate_sampler",
]

set_seed = set_random_seed
