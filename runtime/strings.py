"""``tf.strings``: string ops under TF2's names, and ``tf.compat.v1.strings``
(:data:`v1`: TF1's argument orders, and ``split`` into a ``SparseTensor``).

TF2's ``tf.strings.split`` returns a RaggedTensor, which this runtime does not have:
``split`` is TF1's, in :data:`v1`.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     s = tf.strings.join(["a", "b"], separator="+")
...     print(tf.compat.v1.Session().run(tf.strings.length(s)))
3
"""

import types

from .ops import string_ops
from .ops.string_ops import (
    as_string,
    lower,
    reduce_join_v2,
    regex_full_match,
    regex_replace,
    strip,
    upper,
)
from .ops.string_ops import string_join as join
from .ops.string_ops import string_length_v2 as length
from .ops.string_ops import string_to_number_v2 as to_number
from .ops.string_ops import substr_v2 as substr

reduce_join = reduce_join_v2

__all__ = [
    "as_string",
    "join",
    "length",
    "lower",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "strip",
    "substr",
    "to_number",
    "upper",
]

# tf.compat.v1.strings: the same names, with TF1's versions where they differ.
V1_OVERRIDES = {
    "length": string_ops.string_length,
    "reduce_join": string_ops.reduce_join,
    "split": string_ops.split,
    "substr": string_ops.substr,
    "to_number": string_ops.string_to_number,
}
v1 = types.ModuleType("runtime.compat.v1.strings", "``tf.compat.v1.strings``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
