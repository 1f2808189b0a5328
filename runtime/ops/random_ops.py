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
session with the same seeds repeats it. Random ops are stateful and have no gradient.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, get_default_graph, graph_of
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .constant_value import known_shape
from .core import apply_op, convert_to_tensor
from .shape_util import with_rank

__all__ = [
    "get_seed",
    "random_normal",
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
    (tf.int32, TensorShape([0]))
    """
    dtype = None
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and not shape:
        dtype = dtypes.int32
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
        return math_ops.add(math_ops.multiply(sample, stddev), mean, name=scope)


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
    (TensorShape([2, 3]), np.True_)
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
