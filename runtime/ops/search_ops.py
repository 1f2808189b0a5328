"""Finding values among others: ``searchsorted``, ``histogram_fixed_width`` and
``setdiff1d``."""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .constant_value import known_value
from .core import convert_to_tensor, op_outputs, output_tuple
from .packing import build
from .shape_ops import reshape, shape
from .shape_util import merge_dim, with_rank, with_rank_at_least

__all__ = [
    "histogram_fixed_width",
    "histogram_fixed_width_bins",
    "searchsorted",
]  # setdiff1d: TF1 only (V1_OVERRIDES)


def _bound_shape(sorted_inputs: TensorSpec, values: TensorSpec, *, T, out_type):
    with_rank_at_least(sorted_inputs.shape, 1)
    with_rank_at_least(values.shape, 1)
    return [TensorSpec(out_type, values.shape)]


def _bound_op(op_type: str) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("sorted_inputs: T", "values: T"),
            ("output: out_type",),
            ("T: type", "out_type: {int32, int64} = DT_INT32"),
            _bound_shape,
        )
    )


LOWER_BOUND = _bound_op("LowerBound")
UPPER_BOUND = _bound_op("UpperBound")


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None) -> Tensor:
    """Where each of ``values`` would go in ``sorted_sequence`` (per row of its last
    axis) to keep it sorted: before equal entries (``side="left"``) or after them.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = searchsorted([[0, 3, 9, 10]], [[2, 3, 11]], side="right")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [[1, 2, 4]]
    """
    if side not in ("left", "right"):
        raise ValueError(
            f"Argument `side` must be either 'right' or 'left'. Received: `side` = '{side}'."
        )
    sorted_sequence = convert_to_tensor(sorted_sequence)
    values = convert_to_tensor(values)
    sequence_size = shape(sorted_sequence)[-1]
    values_size = shape(values)[-1]
    sequence_2d = reshape(sorted_sequence, [-1, sequence_size])
    values_2d = reshape(values, [-1, values_size])
    op_def = UPPER_BOUND if side == "right" else LOWER_BOUND
    found = build(op_def, [sequence_2d, values_2d], name, out_type=dtypes.as_dtype(out_type))
    return reshape(found.outputs[0], shape(values))


def _histogram_shape(values: TensorSpec, value_range: TensorSpec, nbins: TensorSpec, *, T, dtype):
    with_rank(value_range.shape, 1)
    merge_dim(value_range.shape.dim_value(0), 2)
    with_rank(nbins.shape, 0)
    count = known_value(nbins)
    if count is not None and count < 0:
        raise ValueError(
            f"Dimension size, given by scalar input 2, must be non-negative but is {int(count)}"
        )
    return [TensorSpec(dtype, TensorShape([None if count is None else int(count)]))]


HISTOGRAM_FIXED_WIDTH = register_op(
    OpDef(
        "HistogramFixedWidth",
        ("values: T", "value_range: T", "nbins: int32"),
        ("out: dtype",),
        ("T: {int32, int64, float32, float64}", "dtype: {int32, int64} = DT_INT32"),
        _histogram_shape,
    )
)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None) -> Tensor:
    """Counts of ``values`` in ``nbins`` equal bins spanning ``value_range``; values
    below or above the range count in the first or last bin.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     h = histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0], [0.0, 5.0], nbins=5)
    ...     print(tf.compat.v1.Session().run(h).tolist())
    [2, 1, 1, 0, 2]
    """
    with name_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as scope:
        return build(
            HISTOGRAM_FIXED_WIDTH, [values, value_range, nbins], scope, dtype=dtypes.as_dtype(dtype)
        ).outputs[0]


def histogram_fixed_width_bins(
    values, value_range, nbins=100, dtype=dtypes.int32, name=None
) -> Tensor:
    """The bin of each of ``values`` among ``nbins`` equal bins spanning
    ``value_range`` (int32, ``values``' shape); values below or above the range go to
    the first or last bin.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     bins = histogram_fixed_width_bins([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0], [0.0, 5.0], nbins=5)
    ...     print(tf.compat.v1.Session().run(bins).tolist())
    [0, 0, 1, 2, 4, 4]
    """
    with name_scope(name, "histogram_fixed_width_bins", [values, value_range, nbins]):
        values = convert_to_tensor(values, name="values")
        dims = shape(values)
        values = reshape(values, [-1])
        value_range = convert_to_tensor(value_range, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        count = math_ops.cast(nbins, values.dtype)
        # The values in the range, mapped to [0, 1), then to bins; the rest clipped.
        scaled = math_ops.truediv(
            values - value_range[0], value_range[1] - value_range[0], name="scaled_values"
        )
        bins = math_ops.floor(count * scaled, name="indices")
        bins = math_ops.minimum(math_ops.maximum(bins, 0), count - 1)
        return reshape(math_ops.cast(bins, dtypes.as_dtype(dtype)), dims)


def _list_diff_shape(x: TensorSpec, y: TensorSpec, *, T, out_idx):
    with_rank(x.shape, 1)
    with_rank(y.shape, 1)
    return [TensorSpec(T, TensorShape([None])), TensorSpec(out_idx, TensorShape([None]))]


LIST_DIFF = register_op(
    OpDef(
        "ListDiff",
        ("x: T", "y: T"),
        ("out: T", "idx: out_idx"),
        ("T: type", "out_idx: {int32, int64} = DT_INT32"),
        _list_diff_shape,
    )
)

ListDiff = output_tuple("ListDiff")  # TF's namedtuple (out, idx)


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None) -> ListDiff:
    """The entries of the vector ``x`` that are not in ``y`` (in ``x``'s order, repeats
    kept) and their positions in ``x``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     out, idx = setdiff1d([1, 2, 3, 4, 5, 6], [1, 3, 5])
    ...     print(tf.compat.v1.Session().run([out, idx]))
    [array([2, 4, 6], dtype=int32), array([1, 3, 5], dtype=int32)]
    """
    return op_outputs(build(LIST_DIFF, [x, y], name, out_idx=dtypes.as_dtype(index_dtype)))
