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
    ngrams,
    regex_full_match,
    regex_replace,
    strip,
    unsorted_segment_join,
    upper,
)
from .ops.string_ops import reduce_join_v2 as reduce_join
from .ops.string_ops import string_format as format
from .ops.string_ops import string_join as join
from .ops.string_ops import string_length_v2 as length
from .ops.string_ops import string_to_hash_bucket as to_hash_bucket
from .ops.string_ops import string_to_hash_bucket_fast as to_hash_bucket_fast
from .ops.string_ops import string_to_hash_bucket_strong as to_hash_bucket_strong
from .ops.string_ops import string_to_number_v2 as to_number
from .ops.string_ops import substr_v2 as substr
from .ops.unicode_ops import (
    bytes_split,
    unicode_decode,
    unicode_decode_with_offsets,
    unicode_encode,
    unicode_script,
    unicode_split,
    unicode_split_with_offsets,
    unicode_transcode,
)

__all__ = [
    "as_string",
    "bytes_split",
    "format",
    "join",
    "length",
    "lower",
    "ngrams",
    "reduce_join",
    "regex_full_match",
    "regex_replace",
    "strip",
    "substr",
    "to_hash_bucket",
    "to_hash_bucket_fast",
    "to_hash_bucket_strong",
    "to_number",
    "unicode_decode",
    "unicode_decode_with_offsets",
    "unicode_encode",
    "unicode_script",
    "unicode_split",
    "unicode_split_with_offsets",
    "unicode_transcode",
    "unsorted_segment_join",
    "upper",
]

# tf.compat.v1.strings: the same names, with TF1's versions where they differ.
V1_OVERRIDES = {
    "length": string_ops.string_length,
    "reduce_join": string_ops.reduce_join,
    "split": string_ops.split,
    "substr": string_ops.substr,
    "to_hash_bucket": string_ops.string_to_hash_bucket_v1,
    "to_number": string_ops.string_to_number,
}
v1 = types.ModuleType("runtime.compat.v1.strings", "``tf.compat.v1.strings``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
