"""``tf.sparse``: sparse tensors and their ops under TF2's names, and
``tf.compat.v1.sparse`` (:data:`v1`: TF1's signatures, ``thresh=``, ``keep_dims=``,
keyword-only ``split``, and the names only TF1 has, ``placeholder``, ``matmul``,
``reduce_sum_sparse``).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     st = tf.sparse.from_dense([[0, 3], [4, 0]])
...     total = tf.sparse.reduce_sum(st, axis=0)
...     print(tf.compat.v1.Session().run(total))
[4 3]
"""

import types

from .ops import segment_ops, sparse_feature_ops, sparse_ops
from .ops.data_flow_ops import SparseConditionalAccumulator as _SparseConditionalAccumulator
from .ops.sparse_feature_ops import sparse_bincount as bincount
from .ops.sparse_feature_ops import sparse_cross as cross
from .ops.sparse_feature_ops import sparse_cross_hashed as cross_hashed
from .ops.sparse_math_ops import sparse_eye as eye
from .ops.sparse_math_ops import sparse_mask as mask
from .ops.sparse_math_ops import sparse_maximum as maximum
from .ops.sparse_math_ops import sparse_minimum as minimum
from .ops.sparse_math_ops import sparse_segment_mean_v2 as segment_mean
from .ops.sparse_math_ops import sparse_segment_sqrt_n_v2 as segment_sqrt_n
from .ops.sparse_math_ops import sparse_segment_sum_v2 as segment_sum
from .ops.sparse_math_ops import sparse_softmax as softmax
from .ops.sparse_ops import from_dense
from .ops.sparse_ops import sparse_add_v2 as add
from .ops.sparse_ops import sparse_concat_v2 as concat
from .ops.sparse_ops import sparse_expand_dims as expand_dims
from .ops.sparse_ops import sparse_fill_empty_rows as fill_empty_rows
from .ops.sparse_ops import sparse_reduce_max_v2 as reduce_max
from .ops.sparse_ops import sparse_reduce_sum_v2 as reduce_sum
from .ops.sparse_ops import sparse_reorder as reorder
from .ops.sparse_ops import sparse_reset_shape as reset_shape
from .ops.sparse_ops import sparse_reshape as reshape
from .ops.sparse_ops import sparse_retain as retain
from .ops.sparse_ops import sparse_slice as slice
from .ops.sparse_ops import sparse_split_v2 as split
from .ops.sparse_ops import sparse_tensor_dense_matmul as sparse_dense_matmul
from .ops.sparse_ops import sparse_tensor_to_dense as to_dense
from .ops.sparse_ops import sparse_transpose as transpose
from .sparse_tensor import SparseTensor

to_indicator = sparse_feature_ops.sparse_to_indicator

__all__ = [
    "SparseTensor",
    "add",
    "bincount",
    "concat",
    "cross",
    "cross_hashed",
    "expand_dims",
    "eye",
    "fill_empty_rows",
    "from_dense",
    "mask",
    "maximum",
    "minimum",
    "reduce_max",
    "reduce_sum",
    "reorder",
    "reset_shape",
    "reshape",
    "retain",
    "segment_mean",
    "segment_sqrt_n",
    "segment_sum",
    "slice",
    "softmax",
    "sparse_dense_matmul",
    "split",
    "to_dense",
    "to_indicator",
    "transpose",
]


# tf.compat.v1.sparse: the same names, with TF1's versions where they differ.
V1_OVERRIDES = {
    "SparseConditionalAccumulator": _SparseConditionalAccumulator,
    "add": sparse_ops.sparse_add,
    "concat": sparse_ops.sparse_concat,
    "matmul": sparse_ops.sparse_tensor_dense_matmul,
    "merge": sparse_feature_ops.sparse_merge,
    "placeholder": sparse_ops.sparse_placeholder,
    "reduce_max": sparse_ops.sparse_reduce_max,
    "reduce_max_sparse": sparse_ops.sparse_reduce_max_sparse,
    "reduce_sum": sparse_ops.sparse_reduce_sum,
    "reduce_sum_sparse": sparse_ops.sparse_reduce_sum_sparse,
    "segment_mean": segment_ops.sparse_segment_mean,
    "segment_sqrt_n": segment_ops.sparse_segment_sqrt_n,
    "segment_sum": segment_ops.sparse_segment_sum,
    "split": sparse_ops.sparse_split,
}
v1 = types.ModuleType("runtime.compat.v1.sparse", "``tf.compat.v1.sparse``: TF1's signatures.")
v1.__dict__.update({name: globals()[name] for name in __all__})
v1.__dict__.update(V1_OVERRIDES)
