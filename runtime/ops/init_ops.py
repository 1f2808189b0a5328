"""Initializers: objects that build a variable's initial value for a shape and dtype.

``initializer(shape, dtype=None, partition_info=None) -> Tensor``, as TF1's
``init_ops`` classes. ``get_variable`` calls them inside the variable's
``Initializer`` name scope; random ones take an op-level ``seed`` and follow the
graph seed (``tf.compat.v1.set_random_seed``) through the random ops.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..shapes import as_shape
from . import random_ops
from .core import constant

__all__ = [
    "constant_initializer",
    "ones_initializer",
    "random_normal_initializer",
    "random_uniform_initializer",
    "zeros_initializer",
]


def _dims(shape) -> list:
    return as_shape(shape).as_list()


def _float_dtype(dtype) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype).base_dtype
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


class Initializer:
    """The base of initializers: ``__call__(shape, dtype=None, partition_info=None)``."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype).base_dtype

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError(f"{type(self).__name__} does not define __call__.")

    def _dtype(self, dtype) -> dtypes.DType:
        return self.dtype if dtype is None else dtypes.as_dtype(dtype).base_dtype

    def get_config(self) -> dict:
        """The constructor arguments, for :meth:`from_config`."""
        return {"dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class Zeros(Initializer):
    """All zeros (``tf.compat.v1.zeros_initializer``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = Zeros()([2, 2])
    ...     print(tf.compat.v1.Session().run(t))
    [[0. 0.]
     [0. 0.]]
    """

    def __call__(self, shape, dtype=None, partition_info=None):
        return constant(0, dtype=self._dtype(dtype), shape=_dims(shape), name="zeros")


class Ones(Initializer):
    """All ones (``tf.compat.v1.ones_initializer``)."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return constant(1, dtype=self._dtype(dtype), shape=_dims(shape), name="ones")


class Constant(Initializer):
    """A given value: a scalar fills the shape, a list must have as many elements.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = Constant([1, 2, 3, 4])([2, 2])
    ...     print(tf.compat.v1.Session().run(t))
    [[1. 2.]
     [3. 4.]]
    """

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        super().__init__(dtype)
        self.value = value
        self.verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _dims(shape)
        if self.verify_shape and np.shape(self.value) != tuple(dims):
            raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, got {np.shape(self.value)}.")
        return constant(self.value, dtype=self._dtype(dtype), shape=dims, name="Const")

    def get_config(self) -> dict:
        return {"value": self.value, "dtype": self.dtype.name, "verify_shape": self.verify_shape}


class RandomUniform(Initializer):
    """Uniform samples in ``[minval, maxval)`` (``tf.compat.v1.random_uniform_initializer``)."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(
            _dims(shape), self.minval, self.maxval, self._dtype(dtype), seed=self.seed
        )

    def get_config(self) -> dict:
        return {
            "minval": self.minval,
            "maxval": self.maxval,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class RandomNormal(Initializer):
    """Normal samples (``tf.compat.v1.random_normal_initializer``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = RandomNormal(mean=5.0, stddev=0.01, seed=1)([1000])
    ...     values = tf.compat.v1.Session().run(t)
    >>> bool(abs(values.mean() - 5.0) < 0.01)
    True
    """

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(_float_dtype(dtype))
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(
            _dims(shape), self.mean, self.stddev, _float_dtype(self._dtype(dtype)), seed=self.seed
        )

    def get_config(self) -> dict:
        return {
            "mean": self.mean,
            "stddev": self.stddev,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class TruncatedNormal(RandomNormal):
    """Normal samples within two standard deviations of the mean."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(
            _dims(shape), self.mean, self.stddev, _float_dtype(self._dtype(dtype)), seed=self.seed
        )


def compute_fans(shape) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a weight shape, TF's rule (last two dims, times the rest).

    Examples
    --------
    >>> compute_fans([3, 3, 16, 32])
    (144.0, 288.0)
    """
    dims = _dims(shape)
    if not dims:
        return 1.0, 1.0
    if len(dims) == 1:
        return float(dims[0]), float(dims[0])
    receptive = math.prod(dims[:-2])
    return float(dims[-2] * receptive), float(dims[-1] * receptive)


class VarianceScaling(Initializer):
    """Samples scaled to the weight's fan (``tf.compat.v1.variance_scaling_initializer``).

    ``scale`` is divided by ``fan_in``, ``fan_out`` or their mean (``mode``), and the
    samples come from a truncated normal, a normal (``"untruncated_normal"``) or a
    uniform distribution with that variance.
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")
    # The standard deviation of a unit normal truncated to [-2, 2].
    _TRUNCATED_STDDEV = 0.87962566103423978

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        dtype=dtypes.float32,
    ):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be a positive float, got {scale}.")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}; expected one of {self._MODES}.")
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}; expected one of "
                f"{self._DISTRIBUTIONS}."
            )
        super().__init__(_float_dtype(dtype))
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(self._dtype(dtype))
        # A part of a partitioned variable is scaled as the whole is (TF's rule).
        fan_in, fan_out = compute_fans(
            shape if partition_info is None else partition_info.full_shape
        )
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        dims = _dims(shape)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / self._TRUNCATED_STDDEV
            return random_ops.truncated_normal(dims, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(dims, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(dims, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class GlorotUniform(VarianceScaling):
    """Uniform in ``±sqrt(6 / (fan_in + fan_out))``: ``get_variable``'s default.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.Session().run(GlorotUniform(seed=1)([20, 30]))
    >>> bool(abs(w).max() <= (6 / 50) ** 0.5)
    True
    """

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Truncated normal with variance ``2 / (fan_in + fan_out)``."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


_NOT_2D = (
    "The tensor to initialize, specified by argument `shape` must be at least "
    "two-dimensional. Received shape={}"
)


class Orthogonal(Initializer):
    """A random orthogonal matrix (rows or columns orthonormal), times ``gain``; higher
    ranks are the orthogonal matrix of their flattened leading dimensions, reshaped.

    Examples
    --------
    >>> import numpy as np, runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = tf.Session().run(Orthogonal(seed=1)([4, 3]))
    >>> bool(np.allclose(q.T @ q, np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(_float_dtype(dtype))
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        from .linalg_ops import matrix_diag_part, matrix_transpose, qr
        from .math_ops import sign

        dims = _dims(shape)
        if len(dims) < 2:
            raise ValueError(_NOT_2D.format(dims))
        rows, cols = math.prod(dims[:-1]), dims[-1]
        flat = (cols, rows) if rows < cols else (rows, cols)
        dtype = _float_dtype(self._dtype(dtype))
        q, r = qr(random_ops.random_normal(flat, dtype=dtype, seed=self.seed))
        q = q * sign(matrix_diag_part(r))  # as TF: a unique Q, uniformly distributed
        if rows < cols:
            q = matrix_transpose(q)
        return self.gain * _reshape(q, dims)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """The identity matrix times ``gain`` (for 2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=dtypes.float32):
        super().__init__(_float_dtype(dtype))
        self.gain = gain

    def __call__(self, shape, dtype=None, partition_info=None):
        from .linalg_ops import eye

        dims = _dims(shape)
        if len(dims) != 2:
            raise ValueError(_NOT_2D.format(dims))  # TF's words, for 3-D too
        return self.gain * eye(*dims, dtype=_float_dtype(self._dtype(dtype)))

    def get_config(self) -> dict:
        return {"gain": self.gain, "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """Uniform in ``±factor * sqrt(3 / input_size)`` (TF 0.x's scale-keeping init)."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(_float_dtype(dtype))
        self.factor, self.seed = factor, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _dims(shape)
        scaled = dims if partition_info is None else partition_info.full_shape
        input_size = max(float(math.prod(scaled[:-1])), 1.0)
        limit = math.sqrt(3 / input_size) * self.factor
        dtype = _float_dtype(self._dtype(dtype))
        return random_ops.random_uniform(dims, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


def _reshape(tensor, dims):
    from .array_ops import reshape

    return reshape(tensor, dims)


def he_normal(seed=None) -> VarianceScaling:
    """He et al.'s initializer: truncated normal with variance ``2 / fan_in``."""
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None) -> VarianceScaling:
    """He et al.'s initializer: uniform with variance ``2 / fan_in``."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None) -> VarianceScaling:
    """LeCun's initializer: truncated normal with variance ``1 / fan_in``."""
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None) -> VarianceScaling:
    """LeCun's initializer: uniform with variance ``1 / fan_in``."""
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


# TF's function-style names for the classes.
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
uniform_unit_scaling_initializer = UniformUnitScaling
