"""Normalization: fused batch norm (TF's three op versions), local response norm, moments.

``fused_batch_norm`` builds ``FusedBatchNormV3``, as TF 2's ``tf.compat.v1`` does;
``FusedBatchNorm`` and ``FusedBatchNormV2`` are here for GraphDefs that hold them. The
composite normalizations (``batch_normalization``, ``moments``, ``l2_normalize`` ...)
are built from math ops as TF builds them, so their gradients come from those ops.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup
from .nn_util import apply_like, channel_of, is_channels_first, unary
from .shape_util import merge_dim, merge_shapes, with_rank

__all__ = [
    "batch_norm_with_global_normalization",
    "batch_normalization",
    "l2_normalize",
    "local_response_normalization",
    "lrn",
    "moments",
    "normalize_moments",
    "sufficient_statistics",
    "weighted_moments",
]

# -- fused batch norm ops ---------------------------------------------------------------------

_BN_ATTRS = (
    "epsilon: float = 0.0001",
    "exponential_avg_factor: float = 1",
    "data_format: {'NHWC', 'NCHW'} = 'NHWC'",
    "is_training: bool = true",
)
_BN_GRAD_ATTRS = tuple(a for a in _BN_ATTRS if not a.startswith("exponential"))
_3D_FORMATS = "data_format: {'NHWC', 'NCHW', 'NDHWC', 'NCDHW'} = 'NHWC'"
_OUTPUTS = ("batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2")


def _channels(x: TensorSpec, data_format: str) -> tuple[list, object]:
    rank = 5 if data_format in ("NDHWC", "NCDHW") else 4
    dims = with_rank(x.shape, rank).as_list()
    return dims, channel_of(dims, data_format)


def _with_channels(dims: list, channels, data_format: str) -> TensorShape:
    dims = list(dims)
    dims[1 if is_channels_first(data_format) else -1] = channels
    return TensorShape(dims)


def _batch_norm_shape(version: int):
    def shape_fn(x, scale, offset, mean, variance, **attrs) -> list[TensorSpec]:
        data_format = attrs["data_format"]
        dims, channels = _channels(x, data_format)
        vectors = [scale, offset]
        if not attrs["is_training"] or attrs["exponential_avg_factor"] != 1:
            vectors += [mean, variance]
        for vector in vectors:
            channels = merge_dim(channels, with_rank(vector.shape, 1).dim_value(0))
        stats = TensorSpec(scale.dtype, TensorShape([channels]))
        specs = [TensorSpec(x.dtype, _with_channels(dims, channels, data_format)), *[stats] * 4]
        if version == 3:  # cuDNN's workspace: nothing on CPU, and TF leaves its shape open
            specs.append(TensorSpec(scale.dtype, TensorShape(None)))
        return specs

    return shape_fn


def _batch_norm_grad_shape(y_backprop, x, scale, reserve_space_1, reserve_space_2, *_, **attrs):
    data_format = attrs["data_format"]
    dims, channels = _channels(x, data_format)
    dims = merge_shapes(TensorShape(dims), y_backprop.shape).as_list()
    for vector in (scale, reserve_space_1, reserve_space_2):
        channels = merge_dim(channels, with_rank(vector.shape, 1).dim_value(0))
    stats = TensorSpec(reserve_space_1.dtype, TensorShape([channels]))
    empty = TensorSpec(reserve_space_1.dtype, TensorShape([0]))
    return [
        TensorSpec(x.dtype, _with_channels(dims, channels, data_format)),
        stats,
        stats,
        empty,
        empty,
    ]


def _register_batch_norm(name: str, version: int, types: tuple, u: str, formats: str) -> OpDef:
    inputs = ("x: T", *(f"{arg}: {u}" for arg in ("scale", "offset", "mean", "variance")))
    outputs = ("y: T", *(f"{arg}: {u}" for arg in _OUTPUTS))
    if version == 3:
        outputs += (f"reserve_space_3: {u}",)
    attrs = (*types, *(a if not a.startswith("data_format") else formats for a in _BN_ATTRS))
    return register_op(OpDef(name, inputs, outputs, attrs, _batch_norm_shape(version)))


def _register_batch_norm_grad(name: str, version: int, types: tuple, u: str, formats: str):
    scale_type = "T" if version == 1 else "float"
    inputs = ("y_backprop: T", "x: T", f"scale: {scale_type}")
    inputs += tuple(f"reserve_space_{i}: {u}" for i in range(1, 4 if version == 3 else 3))
    first = 4 if version == 3 else 3
    outputs = ("x_backprop: T", f"scale_backprop: {u}", f"offset_backprop: {u}")
    outputs += (f"reserve_space_{first}: {u}", f"reserve_space_{first + 1}: {u}")
    attrs = (*types, *(a if not a.startswith("data_format") else formats for a in _BN_GRAD_ATTRS))
    return register_op(OpDef(name, inputs, outputs, attrs, _batch_norm_grad_shape))


_V1_TYPES = ("T: {float}",)
_V2_TYPES = ("T: {half, bfloat16, float}", "U: {float}")
_V3_TYPES = ("T: {half, bfloat16, float}", "U: {bfloat16, float}")
_2D_FORMATS = _BN_ATTRS[2]
FUSED_BATCH_NORM = _register_batch_norm("FusedBatchNorm", 1, _V1_TYPES, "T", _2D_FORMATS)
FUSED_BATCH_NORM_V2 = _register_batch_norm("FusedBatchNormV2", 2, _V2_TYPES, "U", _2D_FORMATS)
FUSED_BATCH_NORM_V3 = _register_batch_norm("FusedBatchNormV3", 3, _V3_TYPES, "U", _3D_FORMATS)
FUSED_BATCH_NORM_GRAD = _register_batch_norm_grad(
    "FusedBatchNormGrad", 1, _V1_TYPES, "T", _2D_FORMATS
)
FUSED_BATCH_NORM_GRAD_V2 = _register_batch_norm_grad(
    "FusedBatchNormGradV2", 2, ("T: {half, bfloat16, float}", "U: {float}"), "U", _2D_FORMATS
)
FUSED_BATCH_NORM_GRAD_V3 = _register_batch_norm_grad(
    "FusedBatchNormGradV3", 3, ("T: {half, bfloat16, float}", "U: {float}"), "U", _3D_FORMATS
)


def _register_batch_norm_gradient(forward: OpDef, backward: OpDef, version: int) -> None:
    """TF's ``_BaseFusedBatchNormGrad``: in training the gradient reads the batch
    statistics saved in the reserve spaces, at inference the population ones."""

    @register_gradient(forward.name)
    def _gradient(op, grad, *_unused):
        x, scale, _, mean, variance = op.inputs
        saved = [op.outputs[3], op.outputs[4]] if op.get_attr("is_training") else [mean, variance]
        if version == 3:
            saved.append(op.outputs[5])
        dx, dscale, doffset, _, _ = apply_op(
            backward,
            [grad, x, scale, *saved],
            backward.name,
            **{key: op.get_attr(key) for key in ("epsilon", "data_format", "is_training")},
        ).outputs
        return [dx, dscale, doffset, None, None]


_register_batch_norm_gradient(FUSED_BATCH_NORM, FUSED_BATCH_NORM_GRAD, 1)
_register_batch_norm_gradient(FUSED_BATCH_NORM_V2, FUSED_BATCH_NORM_GRAD_V2, 2)
_register_batch_norm_gradient(FUSED_BATCH_NORM_V3, FUSED_BATCH_NORM_GRAD_V3, 3)


def fused_batch_norm(
    x,
    scale,
    offset,
    mean=None,
    variance=None,
    epsilon=0.001,
    data_format="NHWC",
    is_training=True,
    name=None,
    exponential_avg_factor=1.0,
):
    """Batch normalization of a 4-D or 5-D ``x`` in one op (``FusedBatchNormV3``).

    Parameters
    ----------
    x : Tensor
        float16 or float32, ``NHWC``/``NCHW`` (4-D) or ``NDHWC``/``NCDHW`` (5-D).
    scale, offset : Tensor
        float32, one value per channel.
    mean, variance : Tensor, optional
        The population statistics: used at inference, and blended with the batch's in
        training when ``exponential_avg_factor`` is below 1.
    is_training : bool
        Normalize with the batch's statistics (and return them), or with the given ones.

    Returns
    -------
    (y, batch_mean, batch_variance) : tuple of Tensor
        In training, the statistics to keep: the batch mean and the unbiased batch
        variance, blended into ``mean`` and ``variance`` by ``exponential_avg_factor``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([[[[1.0], [3.0]]]])
    ...     y, mean, var = tf.compat.v1.nn.fused_batch_norm(x, [1.0], [0.0], epsilon=0.0)
    ...     tf.compat.v1.Session().run([y[0, 0, :, 0], mean, var])
    [array([-1.,  1.], dtype=float32), array([2.], dtype=float32), array([2.], dtype=float32)]
    """
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError(
            "Both `mean` and `variance` must be a 1D tensor when is_training is False or "
            f"exponential_avg_factor != 1. Received: `mean` {mean!r} and `variance` {variance!r}"
        )
    graph = graph_of([x, scale, offset, mean, variance])
    x = convert_to_tensor(x, name="input", graph=graph)
    scale = convert_to_tensor(scale, name="scale", graph=graph)
    offset = convert_to_tensor(offset, name="offset", graph=graph)
    empty = [] if mean is None or variance is None else None
    mean = convert_to_tensor(
        empty if mean is None else mean, dtypes.float32 if mean is None else None, graph=graph
    )
    variance = convert_to_tensor(
        empty if variance is None else variance,
        dtypes.float32 if variance is None else None,
        graph=graph,
    )
    op = apply_op(
        FUSED_BATCH_NORM_V3,
        [x, scale, offset, mean, variance],
        name or "FusedBatchNormV3",
        epsilon=float(epsilon),
        exponential_avg_factor=float(exponential_avg_factor),
        data_format=data_format,
        is_training=bool(is_training),
    )
    return op.outputs[0], op.outputs[1], op.outputs[2]


# -- local response normalization -------------------------------------------------------------

_LRN_ATTRS = (
    "depth_radius: int = 5",
    "bias: float = 1",
    "alpha: float = 1",
    "beta: float = 0.5",
    "T: {half, bfloat16, float} = DT_FLOAT",
)
LRN = register_op(
    OpDef(
        "LRN",
        ("input: T",),
        ("output: T",),
        _LRN_ATTRS,
        lambda input, **_: [TensorSpec(input.dtype, with_rank(input.shape, 4))],
    )
)
LRN_GRAD = register_op(
    OpDef(
        "LRNGrad",
        ("input_grads: T", "input_image: T", "output_image: T"),
        ("output: T",),
        _LRN_ATTRS,
        lambda grads, image, output, **_: [
            TensorSpec(
                grads.dtype,
                merge_shapes(merge_shapes(with_rank(grads.shape, 4), image.shape), output.shape),
            )
        ],
    )
)


@register_gradient("LRN")
def _lrn_gradient(op, grad):
    return [apply_like(LRN_GRAD, [grad, op.inputs[0], op.outputs[0]], op)]


def local_response_normalization(
    input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None
) -> Tensor:
    """Local response normalization across channels (op ``LRN``).

    Each element is divided by ``(bias + alpha * sqr_sum) ** beta``, where ``sqr_sum``
    sums the squares of the ``2 * depth_radius + 1`` channels around it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.local_response_normalization([[[[1.0, 1.0]]]], depth_radius=1)
    ...     tf.compat.v1.Session().run(y)
    array([[[[0.57735026, 0.57735026]]]], dtype=float32)
    """
    attrs = {
        "depth_radius": int(depth_radius),
        "bias": float(bias),
        "alpha": float(alpha),
        "beta": float(beta),
    }
    return unary(LRN, input, name, **attrs)


lrn = local_response_normalization


# -- composite normalizations -------------------------------------------------------------------


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """``scale * (x - mean) / sqrt(variance + variance_epsilon) + offset``, broadcast.

    ``offset`` and ``scale`` may be ``None`` (0 and 1).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = tf.nn.batch_normalization([1.0, 3.0], 2.0, 1.0, None, None, 0.0)
    ...     tf.compat.v1.Session().run(y)
    array([-1.,  1.], dtype=float32)
    """
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        # TF's expression, operator for operator (Python numbers stay numbers until an
        # op needs them), so the ops carry TF's names (batchnorm/add, mul, mul_1, sub,
        # add_1 ...) that frozen graphs refer to.
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        x = convert_to_tensor(x, name="x")
        scaled = x * math_ops.cast(inv, x.dtype)
        shift = offset - mean * inv if offset is not None else -mean * inv
        return scaled + math_ops.cast(shift, x.dtype)


def batch_norm_with_global_normalization(
    input, mean, variance, beta, gamma, variance_epsilon, scale_after_normalization, name=None
) -> Tensor:
    """TF's old batch norm: :func:`batch_normalization` with ``gamma`` only if asked."""
    with name_scope(name, "BatchNorm", [input, mean, variance, beta, gamma]):
        scale = gamma if scale_after_normalization else None
        return batch_normalization(input, mean, variance, beta, scale, variance_epsilon)


def batch_norm_with_global_normalization_v1(
    t=None,
    m=None,
    v=None,
    beta=None,
    gamma=None,
    variance_epsilon=None,
    scale_after_normalization=None,
    name=None,
    input=None,
    mean=None,
    variance=None,
):
    """TF1's spelling of :func:`batch_norm_with_global_normalization` (``t``, ``m``, ``v``)."""
    t = deprecated_argument_lookup("input", input, "t", t)
    m = deprecated_argument_lookup("mean", mean, "m", m)
    v = deprecated_argument_lookup("variance", variance, "v", v)
    return batch_norm_with_global_normalization(
        t, m, v, beta, gamma, variance_epsilon, scale_after_normalization, name
    )


def _float32_for_half(x: Tensor) -> Tensor:
    """Statistics of float16 are taken in float32, as TF takes them."""
    return math_ops.cast(x, dtypes.float32) if x.dtype.base_dtype == dtypes.float16 else x


def _like(value: Tensor, x: Tensor) -> Tensor:
    return math_ops.cast(value, dtypes.float16) if x.dtype.base_dtype == dtypes.float16 else value


def moments(x, axes, shift=None, keepdims=False, name=None) -> tuple[Tensor, Tensor]:
    """Mean and variance of ``x`` over ``axes`` (``shift`` is accepted and unused, as in TF).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     mean, variance = tf.nn.moments(tf.constant([1.0, 2.0, 3.0, 4.0]), axes=[0])
    ...     tf.compat.v1.Session().run([mean, variance])
    [np.float32(2.5), np.float32(1.25)]
    """
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        y = _float32_for_half(x)
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, array_ops.stop_gradient(mean)),
            axes,
            keepdims=True,
            name="variance",
        )
        if not keepdims:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        return _like(mean, x), _like(variance, x)


def moments_v1(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """TF1's ``tf.compat.v1.nn.moments``: ``keep_dims`` is ``keepdims``."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    return moments(x, axes, shift, bool(keepdims), name)


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Mean and variance of ``x`` over ``axes``, each element counted ``frequency_weights``
    times (broadcast against ``x``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     mean, var = tf.nn.weighted_moments(tf.constant([1.0, 3.0]), [0], [3.0, 1.0])
    ...     tf.compat.v1.Session().run([mean, var])
    [np.float32(1.5), np.float32(0.75)]
    """
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        y = _float32_for_half(x)
        weights = math_ops.cast(weights, y.dtype.base_dtype)
        weighted_sum = math_ops.reduce_sum(
            math_ops.multiply(weights, y), axes, keepdims=True, name="weighted_input_sum"
        )
        total_weight = math_ops.reduce_sum(
            math_ops.add(weights, array_ops.zeros_like(y)),
            axes,
            keepdims=True,
            name="sum_of_weights",
        )
        mean = math_ops.realdiv(weighted_sum, total_weight)
        distance = math_ops.reduce_sum(
            math_ops.multiply(weights, math_ops.squared_difference(y, mean)),
            axes,
            keepdims=True,
            name="weighted_distsq",
        )
        variance = math_ops.realdiv(distance, total_weight)
        if not keepdims:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        return _like(mean, x), _like(variance, x)


def weighted_moments_v1(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """TF1's ``tf.compat.v1.nn.weighted_moments``: ``keep_dims`` is ``keepdims``."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    return weighted_moments(x, axes, frequency_weights, bool(keepdims), name)


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """The sums that the mean and variance of ``x`` over ``axes`` come from.

    Returns
    -------
    (count, mean_ss, variance_ss, shift)
        The element count, ``sum(x - shift)``, ``sum((x - shift) ** 2)`` and ``shift``
        (``None`` if not given; then the sums are of ``x`` and ``x ** 2``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     count, total, squares, _ = tf.nn.sufficient_statistics([1.0, 2.0, 3.0], [0])
    ...     tf.compat.v1.Session().run([count, total, squares])
    [np.float32(3.0), np.float32(6.0), np.float32(14.0)]
    """
    axes = sorted(set(int(a) for a in axes))
    with name_scope(name, "sufficient_statistics", [x, shift]):
        x = convert_to_tensor(x, name="x")
        dims = x.shape.as_list() if x.shape.rank is not None else None
        if dims is not None and all(dims[a] is not None for a in axes):
            count = 1
            for a in axes:
                count *= dims[a]
            counts = convert_to_tensor(count, x.dtype.base_dtype, name="Const")
        else:
            sizes = array_ops.gather(math_ops.cast(array_ops.shape(x), x.dtype.base_dtype), axes)
            counts = math_ops.reduce_prod(sizes, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift", dtype_hint=x.dtype.base_dtype)
            m_ss, v_ss = math_ops.subtract(x, shift), math_ops.squared_difference(x, shift)
        else:
            m_ss, v_ss = x, math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keepdims, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keepdims, name="var_ss")
    return counts, m_ss, v_ss, shift


def sufficient_statistics_v1(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """TF1's ``tf.compat.v1.nn.sufficient_statistics``: ``keep_dims`` is ``keepdims``."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    return sufficient_statistics(x, axes, shift, bool(keepdims), name)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """Mean and variance from :func:`sufficient_statistics`' sums.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     mean, var = tf.nn.normalize_moments(3.0, 6.0, 14.0, None)
    ...     tf.compat.v1.Session().run([mean, var])
    [np.float32(2.0), np.float32(0.666667)]
    """
    with name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = math_ops.reciprocal(convert_to_tensor(counts, name="counts"), name="divisor")
        if shift is not None:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            shifted_mean = math_ops.multiply(mean_ss, divisor, name="mean")
            mean = shifted_mean
        variance = math_ops.subtract(
            math_ops.multiply(variance_ss, divisor), math_ops.square(shifted_mean), name="variance"
        )
    return mean, variance


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """``x / sqrt(max(sum(x ** 2, axis), epsilon))``: unit L2 norm along ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.Session().run(tf.nn.l2_normalize([3.0, 4.0], axis=0))
    array([0.6, 0.8], dtype=float32)
    """
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, inv_norm, name=scope)


# TF1's signatures, and fused_batch_norm, which TF2's tf.nn does not have.
V1_OVERRIDES = {
    "batch_norm_with_global_normalization": batch_norm_with_global_normalization_v1,
    "fused_batch_norm": fused_batch_norm,
    "moments": moments_v1,
    "sufficient_statistics": sufficient_statistics_v1,
    "weighted_moments": weighted_moments_v1,
}
