"""Stateless random ops: ``tf.random.stateless_*``, whose numbers depend only on a seed
tensor of shape ``[2]`` (and the shape, dtype and parameters asked for).

The same seed gives the same numbers in every run and every session, and a different
seed other numbers; no graph seed takes part. The ops are TF1's (``StatelessRandomUniform``
and its family, which take the seed as an input); the numbers come from numpy's PCG64
seeded with the seed's two values, so they are repeatable here but not TensorFlow's.
``alg`` is accepted, and checked, for TF's signature: one generator serves every
algorithm. ``stateless_gamma`` has TF's gradient with respect to ``alpha``; the others
have none.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import graph_of
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import broadcast_shapes
from . import array_ops, math_ops
from .constant_value import known_shape
from .core import apply_op, convert_to_tensor
from .random_ops import categorical_dtype, gamma_alpha_gradient, multinomial_shape, shape_tensor
from .shape_util import with_rank

__all__ = [
    "stateless_categorical",
    "stateless_multinomial",
    "stateless_parameterized_truncated_normal",
    "stateless_random_binomial",
    "stateless_random_gamma",
    "stateless_random_normal",
    "stateless_random_poisson",
    "stateless_random_uniform",
    "stateless_truncated_normal",
]

_SEED = "Tseed: {int32, int64} = DT_INT64"
_ALGORITHMS = ("philox", "threefry", "auto_select", 1, 2, 3)


def _check_seed(seed: TensorSpec) -> None:
    with_rank(seed.shape, 1)
    length = seed.shape.as_list()[0]
    if length is not None and length != 2:
        raise ValueError(f"Dimension must be 2 but is {length}")


def _seeded_shape(shape, seed, *inputs, **attrs):
    """The output of a stateless sampler: ``shape``, of the op's ``dtype``."""
    _check_seed(seed)
    with_rank(shape.shape, 1)
    return [TensorSpec(attrs["dtype"], known_shape(shape))]


def _multinomial_shape(logits, num_samples, seed, *, T, Tseed, output_dtype):
    _check_seed(seed)
    return multinomial_shape(logits, num_samples, seed=0, seed2=0, T=T, output_dtype=output_dtype)


def _stateless(op_type: str, inputs: tuple, attrs: tuple, shape_fn=_seeded_shape) -> OpDef:
    return register_op(OpDef(op_type, inputs, ("output: dtype",), attrs, shape_fn=shape_fn))


_FLOATS = "dtype: {half, bfloat16, float, double} = DT_FLOAT"
_SHAPE_TYPE = "T: {int32, int64} = DT_INT32"
STATELESS_RANDOM_UNIFORM = _stateless(
    "StatelessRandomUniform", ("shape: T", "seed: Tseed"), (_FLOATS, _SHAPE_TYPE, _SEED)
)
STATELESS_RANDOM_NORMAL = _stateless(
    "StatelessRandomNormal", ("shape: T", "seed: Tseed"), (_FLOATS, _SHAPE_TYPE, _SEED)
)
STATELESS_TRUNCATED_NORMAL = _stateless(
    "StatelessTruncatedNormal", ("shape: T", "seed: Tseed"), (_FLOATS, _SHAPE_TYPE, _SEED)
)
STATELESS_RANDOM_UNIFORM_INT = _stateless(
    "StatelessRandomUniformInt",
    ("shape: T", "seed: Tseed", "minval: dtype", "maxval: dtype"),
    ("dtype: {int32, int64}", "T: {int32, int64}", _SEED),
)
STATELESS_RANDOM_UNIFORM_FULL_INT = _stateless(
    "StatelessRandomUniformFullInt",
    ("shape: T", "seed: Tseed"),
    (
        "dtype: {int32, int64, uint32, uint64} = DT_UINT64",
        _SHAPE_TYPE,
        "Tseed: {int32, int64, uint32, uint64} = DT_INT64",
    ),
)
STATELESS_RANDOM_GAMMA_V2 = _stateless(
    "StatelessRandomGammaV2",
    ("shape: T", "seed: Tseed", "alpha: dtype"),
    ("dtype: {half, float, double}", "T: {int32, int64}", _SEED),
)
STATELESS_RANDOM_POISSON = _stateless(
    "StatelessRandomPoisson",
    ("shape: T", "seed: Tseed", "lam: Rtype"),
    (
        "Rtype: {half, float, double, int32, int64}",
        "dtype: {half, float, double, int32, int64}",
        "T: {int32, int64}",
        _SEED,
    ),
)
STATELESS_RANDOM_BINOMIAL = _stateless(
    "StatelessRandomBinomial",
    ("shape: S", "seed: Tseed", "counts: T", "probs: T"),
    (
        "S: {int32, int64}",
        _SEED,
        "T: {half, float, double, int32, int64} = DT_DOUBLE",
        "dtype: {half, float, double, int32, int64} = DT_INT64",
    ),
)
STATELESS_PARAMETERIZED_TRUNCATED_NORMAL = _stateless(
    "StatelessParameterizedTruncatedNormal",
    (
        "shape: S",
        "seed: Tseed",
        "means: dtype",
        "stddevs: dtype",
        "minvals: dtype",
        "maxvals: dtype",
    ),
    ("S: {int32, int64}", _SEED, "dtype: {half, float, double}"),
)
STATELESS_MULTINOMIAL = register_op(
    OpDef(
        "StatelessMultinomial",
        ("logits: T", "num_samples: int32", "seed: Tseed"),
        ("output: output_dtype",),
        (
            "T: {float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
            "uint32, uint64}",
            _SEED,
            "output_dtype: {int32, int64} = DT_INT64",
        ),
        shape_fn=_multinomial_shape,
    )
)
for _op_type in (
    "StatelessRandomUniform",
    "StatelessRandomNormal",
    "StatelessTruncatedNormal",
    "StatelessRandomUniformInt",
    "StatelessRandomUniformFullInt",
    "StatelessRandomPoisson",
    "StatelessRandomBinomial",
    "StatelessParameterizedTruncatedNormal",
    "StatelessMultinomial",
):
    not_differentiable(_op_type)


@register_gradient("StatelessRandomGammaV2")
def _stateless_gamma_grad(op, grad):
    shape, _, alpha = op.inputs
    sample_dims = array_ops.shape(shape)[0] - array_ops.rank(alpha)
    with op.graph.control_dependencies([grad]):
        return None, None, gamma_alpha_gradient(alpha, op.outputs[0], grad, sample_dims)


# -- builders ---------------------------------------------------------------------------


def _check_algorithm(alg) -> None:
    if getattr(alg, "value", alg) not in _ALGORITHMS:
        raise ValueError(
            f"Argument `alg` got unsupported value {alg}. Supported values are "
            "'philox', 'threefry' and 'auto_select' (or tf.random.Algorithm)."
        )


def _scaled_normal(op_def, shape, seed, mean, stddev, dtype, name, default_name, alg):
    """``sample * stddev + mean``, the sample drawn by ``op_def``."""
    _check_algorithm(alg)
    dtype = dtypes.as_dtype(dtype)
    graph = graph_of([shape, seed, mean, stddev])
    with name_scope(name, default_name, [shape, seed, mean, stddev]) as scope:
        shape = shape_tensor(shape, graph)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean", graph=graph)
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev", graph=graph)
        sample = apply_op(op_def, [shape, seed], op_def.name, dtype=dtype).outputs[0]
        return math_ops.add(sample * stddev, mean, name=scope)


def stateless_random_uniform(
    shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None, alg="auto_select"
):
    """Uniform samples in ``[minval, maxval)`` that depend only on ``seed``.

    Parameters
    ----------
    shape : list of int or 1-D int tensor
    seed : shape ``[2]`` int32 or int64 tensor (or a pair of ints)
    minval, maxval : number or scalar tensor
        ``maxval`` defaults to 1 for floats; integers take both or neither (neither:
        the whole range of ``dtype``).
    dtype : float16, float32, float64, int32, int64, uint32 or uint64
    alg : str
        TF's generator choice, accepted for its signature.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.random.stateless_uniform([3], seed=[1, 2])
    ...     b = tf.random.stateless_uniform([3], seed=[1, 2])
    ...     first, second = tf.compat.v1.Session().run([a, b])
    >>> bool((first == second).all()), bool(((0 <= first) & (first < 1)).all())
    (True, True)
    """
    dtype = dtypes.as_dtype(dtype)
    accepted = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)
    accepted += (dtypes.uint32, dtypes.uint64)
    if dtype not in accepted:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are {tuple(accepted)}."
        )
    _check_algorithm(alg)
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(
                f"For integer `dtype` argument {dtype!r}, argument `minval` and `maxval` must "
                f"be both None or not None. Got `minval`={minval} and `maxval`={maxval}."
            )
        if minval is not None and dtype in (dtypes.uint32, dtypes.uint64):
            raise ValueError(
                f"Argument `dtype` got invalid value {dtype!r} when argument `minval` is not "
                "None. Please don't use unsigned integers in this case."
            )
    elif maxval is None:
        maxval = 1
    graph = graph_of([shape, seed, minval, maxval])
    with name_scope(name, "stateless_random_uniform", [shape, seed, minval, maxval]) as scope:
        shape = shape_tensor(shape, graph)
        if dtype.is_integer and minval is None:
            op = apply_op(STATELESS_RANDOM_UNIFORM_FULL_INT, [shape, seed], scope, dtype=dtype)
            return op.outputs[0]
        minval = convert_to_tensor(minval, dtype=dtype, name="min", graph=graph)
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max", graph=graph)
        if dtype.is_integer:
            inputs = [shape, seed, minval, maxval]
            return apply_op(STATELESS_RANDOM_UNIFORM_INT, inputs, scope, dtype=dtype).outputs[0]
        sample = apply_op(
            STATELESS_RANDOM_UNIFORM, [shape, seed], "StatelessRandomUniform", dtype=dtype
        ).outputs[0]
        return math_ops.add(sample * (maxval - minval), minval, name=scope)


def stateless_random_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
):
    """Normal samples that depend only on ``seed`` (see :func:`stateless_random_uniform`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_normal([10000], seed=[3, 4], mean=5.0)
    ...     values = tf.compat.v1.Session().run(x)
    >>> round(float(values.mean())), round(float(values.std()))
    (5, 1)
    """
    return _scaled_normal(
        STATELESS_RANDOM_NORMAL,
        shape,
        seed,
        mean,
        stddev,
        dtype,
        name,
        "stateless_random_normal",
        alg,
    )


def stateless_truncated_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
):
    """Normal samples within two standard deviations of ``mean``, depending only on
    ``seed``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_truncated_normal([1000], seed=[5, 6])
    ...     values = tf.compat.v1.Session().run(x)
    >>> bool(abs(values).max() <= 2.0)
    True
    """
    return _scaled_normal(
        STATELESS_TRUNCATED_NORMAL,
        shape,
        seed,
        mean,
        stddev,
        dtype,
        name,
        "stateless_truncated_normal",
        alg,
    )


def stateless_random_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None):
    """Gamma(``alpha``, rate ``beta``) samples of shape ``shape`` (whose last dimensions
    ``alpha`` and ``beta`` broadcast to), depending only on ``seed``.

    Like :func:`runtime.ops.random_ops.random_gamma`, at least the smallest positive
    normal ``dtype``, with TF's gradient with respect to ``alpha`` and ``beta``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_gamma([4000, 2], seed=[1, 1], alpha=[2.0, 8.0])
    ...     values = tf.compat.v1.Session().run(x)
    >>> values.mean(axis=0).round(0).tolist()
    [2.0, 8.0]
    """
    dtype = dtypes.as_dtype(dtype)
    graph = graph_of([shape, seed, alpha, beta])
    with name_scope(name, "stateless_random_gamma", [shape, seed, alpha, beta]):
        shape = shape_tensor(shape, graph)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha", graph=graph)
        beta = convert_to_tensor(1 if beta is None else beta, dtype=dtype, name="beta", graph=graph)
        broadcast_shape = array_ops.broadcast_dynamic_shape(
            array_ops.shape(alpha), array_ops.shape(beta)
        )
        alpha_broadcast = array_ops.broadcast_to(alpha, broadcast_shape)
        alpha_broadcast.set_shape(broadcast_shapes(alpha.shape, beta.shape))
        sample = apply_op(
            STATELESS_RANDOM_GAMMA_V2, [shape, seed, alpha_broadcast], "StatelessRandomGammaV2"
        ).outputs[0]
        return math_ops.maximum(np.finfo(dtype.as_numpy_dtype).tiny, sample / beta)


def stateless_random_poisson(shape, seed, lam, dtype=dtypes.int32, name=None):
    """Poisson(``lam``) samples of shape ``shape`` (``lam`` broadcast to its last
    dimensions), depending only on ``seed``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_poisson([4000, 2], seed=[2, 2], lam=[1.0, 6.0])
    ...     values = tf.compat.v1.Session().run(x)
    >>> x.dtype, values.mean(axis=0).round(0).tolist()
    (tf.int32, [1.0, 6.0])
    """
    graph = graph_of([shape, seed, lam])
    with name_scope(name, "stateless_random_poisson", [shape, seed, lam]) as scope:
        shape = shape_tensor(shape, graph)
        inputs = [shape, seed, lam]
        return apply_op(
            STATELESS_RANDOM_POISSON, inputs, scope, dtype=dtypes.as_dtype(dtype)
        ).outputs[0]


def stateless_random_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None):
    """Binomial(``counts``, ``probs``) samples of shape ``shape`` (the parameters
    broadcast to its last dimensions), depending only on ``seed``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_binomial([3000, 2], [7, 7], counts=[10.0, 20.0], probs=0.5)
    ...     values = tf.compat.v1.Session().run(x)
    >>> values.mean(axis=0).round(0).tolist()
    [5.0, 10.0]
    """
    graph = graph_of([shape, seed, counts, probs])
    with name_scope(name, "stateless_random_binomial", [shape, seed, counts, probs]) as scope:
        shape = shape_tensor(shape, graph)
        probs = convert_to_tensor(probs, name="probs", graph=graph, dtype_hint=dtypes.float32)
        counts = convert_to_tensor(counts, name="counts", graph=graph, dtype_hint=probs.dtype)
        inputs = [shape, seed, counts, probs]
        dtype = dtypes.as_dtype(output_dtype)
        return apply_op(STATELESS_RANDOM_BINOMIAL, inputs, scope, dtype=dtype).outputs[0]


def stateless_parameterized_truncated_normal(
    shape, seed, means=0.0, stddevs=1.0, minvals=-2.0, maxvals=2.0, name=None
):
    """Normal(``means``, ``stddevs``) samples restricted to ``[minvals, maxvals]``, of
    shape ``shape`` (the parameters broadcast to its last dimensions), depending only on
    ``seed``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_parameterized_truncated_normal(
    ...         [1000], [1, 2], means=1.0, minvals=0.5, maxvals=3.0)
    ...     values = tf.compat.v1.Session().run(x)
    >>> bool(values.min() >= 0.5), bool(values.max() <= 3.0)
    (True, True)
    """
    parameters = [means, stddevs, minvals, maxvals]
    graph = graph_of([shape, seed, *parameters])
    with name_scope(
        name, "stateless_parameterized_truncated_normal", [shape, *parameters]
    ) as scope:
        shape = shape_tensor(shape, graph)
        tensors = [
            convert_to_tensor(value, name=label, graph=graph)
            for value, label in zip(parameters, ("means", "stddevs", "minvals", "maxvals"))
        ]
        op = apply_op(STATELESS_PARAMETERIZED_TRUNCATED_NORMAL, [shape, seed, *tensors], scope)
        return op.outputs[0]


def _stateless_categorical(logits, num_samples, seed, dtype, name, default_name):
    graph = graph_of([logits, seed])
    with name_scope(name, default_name, [logits, seed]):
        logits = convert_to_tensor(logits, name="logits", graph=graph)
        dtype = categorical_dtype(dtype)
        inputs = [logits, num_samples, seed]
        op = apply_op(STATELESS_MULTINOMIAL, inputs, "StatelessMultinomial", output_dtype=dtype)
        return op.outputs[0]


def stateless_multinomial(logits, num_samples, seed, output_dtype=dtypes.int64, name=None):
    """Class indices drawn from ``logits``' rows, depending only on ``seed`` (TF1's name).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_multinomial([[0.0, 0.0]], 5, seed=[1, 2])
    >>> x.shape.as_list(), x.dtype
    ([1, 5], tf.int64)
    """
    return _stateless_categorical(
        logits, num_samples, seed, output_dtype, name, "stateless_multinomial"
    )


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """:func:`stateless_multinomial` under TF2's name (``dtype`` for ``output_dtype``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.stateless_categorical([[0.0, 0.0]], 5, seed=[1, 2], dtype=tf.int32)
    >>> x.dtype
    tf.int32
    """
    return _stateless_categorical(logits, num_samples, seed, dtype, name, "stateless_categorical")
