"""Random ops with TF1's graph- and op-level seeds.

Seeds follow TF's ``get_seed``: the graph seed (``tf.compat.v1.set_random_seed`` or
``tf.random.set_seed``) and an op's ``seed`` argument together pick the op's stream.

============  ===========  ==============================================================
graph seed    op seed      the op's ``(seed, seed2)`` attrs
============  ===========  ==============================================================
None          None         ``(0, 0)``: a fresh, unrepeatable stream in every session
None          ``s``        ``(87654321, s)``: TF's default graph seed
``g``         None         ``(g, n)``, ``n`` the graph's op count, so ops differ
``g``         ``s``        ``(g, s)``
============  ===========  ==============================================================

The numbers come from numpy's PCG64, not TF's Philox, so they are repeatable here
but not the same as TensorFlow's. The generator of each op lives in the session
(:mod:`runtime.kernels.random`): successive runs continue its stream and a new
session with the same seeds repeats it. Random ops are stateful; only ``RandomGamma``
has a gradient (with respect to ``alpha``: TF's implicit reparameterization, the
derivative of a sample at its fixed quantile, ``RandomGammaGrad``).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..dimension import Dimension
from ..graph import Tensor, get_default_graph, graph_of
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops, math_ops
from .constant_value import known_shape, known_value
from .core import apply_op, convert_to_tensor
from .shape_util import with_rank

__all__ = [
    "categorical",
    "get_seed",
    "multinomial",
    "random_gamma",
    "random_normal",
    "random_poisson",
    "random_shuffle",
    "random_uniform",
    "set_random_seed",
    "truncated_normal",
]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int32, dtypes.int64)


# -- seeds ------------------------------------------------------------------------------


def set_random_seed(seed) -> None:
    """Set the graph-level seed of the default graph (``None`` clears it).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     tf.compat.v1.set_random_seed(42)
    >>> g.seed
    42
    """
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed, graph=None) -> tuple:
    """The ``(graph seed, op seed)`` pair a random op uses, by TF's rules.

    Parameters
    ----------
    op_seed : int or None
        The op's own ``seed`` argument.
    graph : Graph, optional
        The graph the op goes into (default: the default graph).

    Returns
    -------
    tuple
        ``(None, None)`` when neither seed is set (the op is not repeatable).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     unseeded = get_seed(None)
    ...     op_only = get_seed(7)
    ...     tf.compat.v1.set_random_seed(1)
    ...     both = get_seed(7)
    >>> unseeded, op_only, both
    ((None, None), (87654321, 7), (1, 7))
    """
    graph = graph if graph is not None else get_default_graph()
    if graph.seed is not None:
        # The op count makes each unseeded op of a seeded graph draw its own stream.
        op_seed = graph.version if op_seed is None else op_seed
        seeds = (_truncate(graph.seed), _truncate(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate(op_seed))
    else:
        seeds = (None, None)
    # (0, 0) would read as "unseeded" in the kernel, so TF moves it.
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _truncate(seed) -> int:
    return int(seed) % _MAXINT32


def _seed_attrs(seed, graph) -> dict:
    seed1, seed2 = get_seed(seed, graph)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


# -- op definitions ---------------------------------------------------------------------


def _shape_input(shape: TensorSpec) -> TensorShape:
    with_rank(shape.shape, 1)
    return known_shape(shape)


def _sample_shape(shape, *, dtype, seed, seed2, T):
    return [TensorSpec(dtype, _shape_input(shape))]


def _uniform_int_shape(shape, minval, maxval, *, seed, seed2, Tout, T):
    for bound in (minval, maxval):
        with_rank(bound.shape, 0)
    return [TensorSpec(Tout, _shape_input(shape))]


def _shuffle_shape(value, *, seed, seed2, T):
    return [TensorSpec(value.dtype, value.shape)]


_SEEDS = ("seed: int = 0", "seed2: int = 0")


def _sampler(op_type: str) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("shape: T",),
            ("output: dtype",),
            (*_SEEDS, "dtype: {half, bfloat16, float, double}", "T: {int32, int64}"),
            shape_fn=_sample_shape,
            is_stateful=True,
        )
    )


RANDOM_STANDARD_NORMAL = _sampler("RandomStandardNormal")
RANDOM_UNIFORM = _sampler("RandomUniform")
TRUNCATED_NORMAL = _sampler("TruncatedNormal")
RANDOM_UNIFORM_INT = register_op(
    OpDef(
        "RandomUniformInt",
        ("shape: T", "minval: Tout", "maxval: Tout"),
        ("output: Tout",),
        (*_SEEDS, "Tout: {int32, int64}", "T: {int32, int64}"),
        shape_fn=_uniform_int_shape,
        is_stateful=True,
    )
)
RANDOM_SHUFFLE = register_op(
    OpDef(
        "RandomShuffle",
        ("value: T",),
        ("output: T",),
        (*_SEEDS, "T: type"),
        shape_fn=_shuffle_shape,
        is_stateful=True,
    )
)
for _op_type in ("RandomStandardNormal", "RandomUniform", "TruncatedNormal", "RandomUniformInt"):
    not_differentiable(_op_type)


# -- builders ---------------------------------------------------------------------------


def shape_tensor(shape, graph=None) -> Tensor:
    """``shape`` (a list, ``TensorShape`` or 1-D int tensor) as a tensor named "shape".

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     shape_tensor([2, 3]).dtype, shape_tensor([]).shape
    (tf.int32, TensorShape([Dimension(0)]))
    """
    dtype = None
    if isinstance(shape, (list, tuple)):
        # TF1's Dimension objects unwrapped, as TF does (tf.random_normal([x.shape[1], 2])).
        shape = [d.value if isinstance(d, Dimension) else d for d in shape]
        dtype = None if shape else dtypes.int32
    return convert_to_tensor(shape, dtype=dtype, name="shape", graph=graph)


def _scaled_sample(op_def, shape, mean, stddev, dtype, seed, name, default_name) -> Tensor:
    """``sample * stddev + mean``: the common body of random_normal and truncated_normal."""
    dtype = dtypes.as_dtype(dtype)
    graph = graph_of([shape, mean, stddev])
    with name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape = shape_tensor(shape, graph)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean", graph=graph)
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev", graph=graph)
        attrs = _seed_attrs(seed, graph)
        sample = apply_op(
            op_def, [shape], op_def.name, dtype=dtype, T=shape.dtype.base_dtype, **attrs
        ).outputs[0]
        # ``sample * stddev`` names its Mul ``mul``, as TF's operator does.
        return math_ops.add(sample * stddev, mean, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution (op type ``RandomStandardNormal``).

    Parameters
    ----------
    shape : list of int or 1-D int tensor
    mean, stddev : float or tensor of ``dtype``
    dtype : float16, float32 or float64
    seed : int, optional
        With the graph seed, makes the op repeatable (see the module notes).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.normal([2, 3], seed=1)
    ...     sess = tf.compat.v1.Session()
    ...     first, second = sess.run(x), sess.run(x)
    >>> x.shape, (first != second).all()
    (TensorShape([Dimension(2), Dimension(3)]), np.True_)
    """
    return _scaled_sample(
        RANDOM_STANDARD_NORMAL, shape, mean, stddev, dtype, seed, name, "random_normal"
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal samples redrawn until within two standard deviations of the mean.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.truncated_normal([1000], stddev=0.5, seed=3)
    ...     values = tf.compat.v1.Session().run(x)
    >>> bool(abs(values).max() <= 1.0)
    True
    """
    return _scaled_sample(
        TRUNCATED_NORMAL, shape, mean, stddev, dtype, seed, name, "truncated_normal"
    )


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a uniform distribution over ``[minval, maxval)``.

    Parameters
    ----------
    shape : list of int or 1-D int tensor
    minval, maxval : number or scalar tensor
        ``maxval`` defaults to 1 for floats and is required for integers.
    dtype : float16, float32, float64, int32 or int64
    seed : int, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     dice = tf.random.uniform([1000], minval=1, maxval=7, dtype=tf.int32, seed=2)
    ...     rolls = tf.compat.v1.Session().run(dice)
    >>> sorted(set(rolls.tolist()))
    [1, 2, 3, 4, 5, 6]
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (*_FLOATS, *_INTS):
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are float16, "
            "float32, float64, int32, int64."
        )
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    graph = graph_of([shape, minval, maxval])
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape = shape_tensor(shape, graph)
        # The unit interval needs no arithmetic, so TF adds none (as here).
        unit = _is_int(minval, 0) and _is_int(maxval, 1) and not dtype.is_integer
        if not unit:
            minval = convert_to_tensor(minval, dtype=dtype, name="min", graph=graph)
            maxval = convert_to_tensor(maxval, dtype=dtype, name="max", graph=graph)
        attrs = _seed_attrs(seed, graph)
        if dtype.is_integer:
            return _uniform_int(shape, minval, maxval, dtype, attrs, scope)
        sample = apply_op(
            RANDOM_UNIFORM, [shape], "RandomUniform", dtype=dtype, T=shape.dtype, **attrs
        ).outputs[0]
        if unit:
            return sample
        scaled = math_ops.multiply(sample, math_ops.subtract(maxval, minval))
        return math_ops.add(scaled, minval, name=scope)


def _is_int(value, expected: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value == expected


def _uniform_int(shape, minval, maxval, dtype, attrs, scope) -> Tensor:
    op = apply_op(
        RANDOM_UNIFORM_INT, [shape, minval, maxval], scope, Tout=dtype, T=shape.dtype, **attrs
    )
    return op.outputs[0]


def random_shuffle(value, seed=None, name=None) -> Tensor:
    """``value`` with its first dimension randomly permuted.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     shuffled = tf.random.shuffle([1, 2, 3, 4, 5], seed=4)
    ...     out = tf.compat.v1.Session().run(shuffled)
    >>> sorted(out.tolist())
    [1, 2, 3, 4, 5]
    """
    graph = graph_of([value])
    with name_scope(name, "RandomShuffle", [value]) as scope:
        value = convert_to_tensor(value, name="value", graph=graph)
        attrs = _seed_attrs(seed, graph)
        return apply_op(RANDOM_SHUFFLE, [value], scope, T=value.dtype.base_dtype, **attrs).outputs[
            0
        ]


# -- categorical, gamma and Poisson samples ----------------------------------------------


def multinomial_shape(logits, num_samples, *, seed, seed2, T, output_dtype):
    with_rank(logits.shape, 2)
    with_rank(num_samples.shape, 0)
    count = known_value(num_samples)
    samples = None if count is None else int(count)
    if samples is not None and samples < 0:
        raise ValueError(
            f"Dimension size, given by scalar input 1, must be non-negative but is {samples}"
        )
    return [TensorSpec(output_dtype, TensorShape([logits.shape.dim_value(0), samples]))]


def _sampled_with_parameter_shape(shape, parameter, *, seed, seed2, **attrs):
    """``RandomGamma`` and ``RandomPoissonV2``: ``shape`` followed by the parameter's."""
    dtype = attrs.get("dtype", parameter.dtype)
    return [TensorSpec(dtype, _shape_input(shape).concatenate(parameter.shape))]


def _gamma_grad_shape(alpha, sample, *, T):
    return [TensorSpec(T, broadcast_shapes(alpha.shape, sample.shape))]


_NUMBERS = (
    "{float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, uint32, uint64}"
)
MULTINOMIAL = register_op(
    OpDef(
        "Multinomial",
        ("logits: T", "num_samples: int32"),
        ("output: output_dtype",),
        (*_SEEDS, f"T: {_NUMBERS}", "output_dtype: {int32, int64} = DT_INT64"),
        shape_fn=multinomial_shape,
        is_stateful=True,
    )
)
RANDOM_GAMMA = register_op(
    OpDef(
        "RandomGamma",
        ("shape: S", "alpha: T"),
        ("output: T",),
        (*_SEEDS, "S: {int32, int64}", "T: {half, float, double}"),
        shape_fn=_sampled_with_parameter_shape,
        is_stateful=True,
    )
)
RANDOM_GAMMA_GRAD = register_op(
    OpDef(
        "RandomGammaGrad",
        ("alpha: T", "sample: T"),
        ("output: T",),
        ("T: {float, double}",),
        shape_fn=_gamma_grad_shape,
    )
)
RANDOM_POISSON_V2 = register_op(
    OpDef(
        "RandomPoissonV2",
        ("shape: S", "rate: R"),
        ("output: dtype",),
        (
            *_SEEDS,
            "S: {int32, int64}",
            "R: {half, float, double, int32, int64} = DT_DOUBLE",
            "dtype: {half, float, double, int32, int64} = DT_INT64",
        ),
        shape_fn=_sampled_with_parameter_shape,
        is_stateful=True,
    )
)
for _op_type in ("Multinomial", "RandomPoissonV2", "RandomGammaGrad"):
    not_differentiable(_op_type)


def add_leading_unit_dimensions(x: Tensor, count) -> Tensor:
    """``x`` reshaped with ``count`` dimensions of size 1 in front (TF's helper)."""
    ones = array_ops.ones(array_ops.reshape(count, [1]), dtype=dtypes.int32)
    return array_ops.reshape(x, array_ops.concat([ones, array_ops.shape(x)], 0))


def gamma_alpha_gradient(alpha, sample, grad, sample_dims) -> Tensor:
    """The gradient of gamma samples with respect to ``alpha`` (their last dimensions):
    ``grad`` times each sample's derivative at its quantile, summed over the
    ``sample_dims`` leading dimensions."""
    alpha_broadcastable = add_leading_unit_dimensions(alpha, sample_dims)
    op = apply_op(RANDOM_GAMMA_GRAD, [alpha_broadcastable, sample], "RandomGammaGrad")
    partial = op.outputs[0]
    return math_ops.reduce_sum(grad * partial, axis=math_ops.range(sample_dims))


@register_gradient("RandomGamma")
def _random_gamma_grad(op, grad):
    shape, alpha = op.inputs
    sample_dims = array_ops.shape(shape)[0]
    with get_default_graph().control_dependencies([grad]):
        return None, gamma_alpha_gradient(alpha, op.outputs[0], grad, sample_dims)


def categorical_dtype(dtype):
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
            "(tf.int32, tf.int64)."
        )
    return dtype


def _categorical(logits, num_samples, dtype, seed, name, default_name) -> Tensor:
    graph = graph_of([logits])
    with name_scope(name, default_name, [logits]):
        logits = convert_to_tensor(logits, name="logits", graph=graph)
        dtype = categorical_dtype(dtype)
        attrs = _seed_attrs(seed, graph)
        op = apply_op(
            MULTINOMIAL, [logits, num_samples], "Multinomial", output_dtype=dtype, **attrs
        )
        return op.outputs[0]


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None) -> Tensor:
    """Class indices drawn from the categorical distributions of ``logits``' rows.

    Parameters
    ----------
    logits : 2-D tensor ``[batch_size, num_classes]``
        Unnormalized log-probabilities (``-inf`` for a class never drawn).
    num_samples : int or scalar int32 tensor
        Draws per row.
    seed : int, optional
    output_dtype : int32 or int64 (default)

    Returns
    -------
    Tensor ``[batch_size, num_samples]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     draws = tf.multinomial([[0.0, -float("inf"), 0.0]], 1000, seed=3)
    ...     values = tf.compat.v1.Session().run(draws)
    >>> draws.shape.as_list(), sorted(set(values[0].tolist()))
    ([1, 1000], [0, 2])
    """
    return _categorical(logits, num_samples, output_dtype, seed, name, "multinomial")


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """TF2's :func:`multinomial`: ``dtype`` instead of ``output_dtype``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     draws = tf.random.categorical(tf.math.log([[0.5, 0.5]]), 4, dtype=tf.int32)
    >>> draws.dtype, draws.shape.as_list()
    (tf.int32, [1, 4])
    """
    return _categorical(logits, num_samples, dtype, seed, name, "categorical")


def _with_static_shape(result: Tensor, shape, parameter: Tensor) -> Tensor:
    """The result's static shape from a literal ``shape`` and the parameter's (TF's
    ``_maybe_set_static_shape_helper``)."""
    if isinstance(shape, Tensor):
        return result
    result.set_shape(TensorShape(np.asarray(shape).tolist()).concatenate(parameter.shape))
    return result


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples of Gamma(``alpha``, rate ``beta``): ``shape`` samples per parameter.

    Parameters
    ----------
    shape : list of int or 1-D int tensor
        The samples per distribution; the result is ``shape + broadcast(alpha, beta)``.
    alpha, beta : float or tensor
        Concentration and inverse scale (``beta`` defaults to 1), broadcast together.
    dtype : float16, float32 or float64
    seed : int, optional

    Returns
    -------
    Tensor, at least the smallest positive normal ``dtype`` (TF's floor). Its
    gradient with respect to ``alpha`` (and ``beta``) is TF's: each sample moves
    with its parameters at its fixed quantile.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random.gamma([5000], [1.0, 10.0], seed=1)
    ...     values = tf.compat.v1.Session().run(x)
    >>> x.shape.as_list(), values.mean(axis=0).round(0).tolist()
    ([5000, 2], [1.0, 10.0])
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS:
        raise ValueError(
            f"random_gamma samples float16, float32 or float64, not {dtype.name} (a data type "
            "that is not inexact)"
        )
    graph = graph_of([shape, alpha, beta])
    with name_scope(name, "random_gamma", [shape, alpha, beta]):
        shape_input = convert_to_tensor(shape, dtype=dtypes.int32, name="shape", graph=graph)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha", graph=graph)
        beta = convert_to_tensor(1 if beta is None else beta, dtype=dtype, name="beta", graph=graph)
        broadcast_shape = array_ops.broadcast_dynamic_shape(
            array_ops.shape(alpha), array_ops.shape(beta)
        )
        alpha_broadcast = array_ops.broadcast_to(alpha, broadcast_shape)
        alpha_broadcast.set_shape(broadcast_shapes(alpha.shape, beta.shape))
        attrs = _seed_attrs(seed, graph)
        sample = apply_op(
            RANDOM_GAMMA, [shape_input, alpha_broadcast], "RandomGamma", **attrs
        ).outputs[0]
        tiny = np.finfo(dtype.as_numpy_dtype).tiny
        result = math_ops.maximum(tiny, sample / beta)
        return _with_static_shape(result, shape, alpha_broadcast)


def random_poisson_v2(shape, lam, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Samples of Poisson(``lam``): ``shape`` samples per rate (TF2's argument order).

    Parameters
    ----------
    shape : list of int or 1-D int tensor
        The samples per rate; the result is ``shape + lam.shape``.
    lam : float or tensor
        The rates.
    dtype : float16, float32, float64, int32 or int64

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v2.random.poisson([4000], [0.5, 4.0], seed=2)
    ...     values = tf.compat.v1.Session().run(x)
    >>> x.shape.as_list(), values.mean(axis=0).round(1).tolist()
    ([4000, 2], [0.5, 4.0])
    """
    graph = graph_of([shape, lam])
    with name_scope(name, "random_poisson", [lam, shape]):
        shape_input = convert_to_tensor(shape, dtype=dtypes.int32, name="shape", graph=graph)
        lam = convert_to_tensor(lam, name="lam", graph=graph)
        attrs = _seed_attrs(seed, graph)
        result = apply_op(
            RANDOM_POISSON_V2,
            [shape_input, lam],
            "RandomPoissonV2",
            dtype=dtypes.as_dtype(dtype),
            **attrs,
        ).outputs[0]
        return _with_static_shape(result, shape, lam)


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """TF1's :func:`random_poisson_v2`: the rates first.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.random_poisson([1.0, 2.0], [3], dtype=tf.int32)
    >>> x.shape.as_list(), x.dtype
    ([3, 2], tf.int32)
    """
    return random_poisson_v2(shape, lam, dtype, seed, name)
