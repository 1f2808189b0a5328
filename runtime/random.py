"""``tf.random``: the random ops under TF2's names.

``tf.random.normal`` is ``tf.compat.v1.random_normal``, and so on; ``set_seed`` sets
the graph-level seed of the default graph, as ``tf.compat.v1.set_random_seed`` does.
See :mod:`runtime.ops.random_ops` for how graph and op seeds combine. This module is
TF1's ``tf.random`` (``poisson(lam, shape)``); :data:`v2` is TF2's (``poisson(shape,
lam)``, without the TF1-only names).
"""

import types

from .ops.candidate_sampling_ops import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from .ops.random_ops import (
    categorical,
    get_seed,
    multinomial,
    random_poisson_v2,
    set_random_seed,
    truncated_normal,
)
from .ops.random_ops import random_gamma as gamma
from .ops.random_ops import random_normal as normal
from .ops.random_ops import random_poisson as poisson
from .ops.random_ops import random_shuffle as shuffle
from .ops.random_ops import random_uniform as uniform
from .ops.stateless_random_ops import (
    stateless_categorical,
    stateless_multinomial,
    stateless_parameterized_truncated_normal,
    stateless_truncated_normal,
)
from .ops.stateless_random_ops import stateless_random_binomial as stateless_binomial
from .ops.stateless_random_ops import stateless_random_gamma as stateless_gamma
from .ops.stateless_random_ops import stateless_random_normal as stateless_normal
from .ops.stateless_random_ops import stateless_random_poisson as stateless_poisson
from .ops.stateless_random_ops import stateless_random_uniform as stateless_uniform

__all__ = [
    "all_candidate_sampler",
    "categorical",
    "fixed_unigram_candidate_sampler",
    "gamma",
    "get_seed",
    "learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler",
    "multinomial",
    "normal",
    "poisson",
    "set_random_seed",
    "set_seed",
    "shuffle",
    "stateless_binomial",
    "stateless_categorical",
    "stateless_gamma",
    "stateless_multinomial",
    "stateless_normal",
    "stateless_parameterized_truncated_normal",
    "stateless_poisson",
    "stateless_truncated_normal",
    "stateless_uniform",
    "truncated_normal",
    "uniform",
    "uniform_candidate_sampler",
]

set_seed = set_random_seed


_TF1_ONLY = {"get_seed", "multinomial", "set_random_seed", "stateless_multinomial"}
v2 = types.ModuleType("runtime.compat.v2.random", "``tf.compat.v2.random``: TF2's signatures.")
v2.__dict__.update({name: globals()[name] for name in __all__ if name not in _TF1_ONLY})
v2.poisson = random_poisson_v2
