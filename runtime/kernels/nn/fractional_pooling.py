"""Fractional pooling kernels: the pooling sequences, the pools and their gradients.

A pooling sequence cuts ``n`` input cells into ``m`` windows: ``m + 1`` boundaries from
0 to ``n``, each window ``floor(n / m)`` or ``ceil(n / m)`` cells wide (TF's rule: random
order of the wide and narrow steps, or pseudo-random, ``ceil(alpha * (i + u)) - 1`` for
one uniform ``u``). Window ``i`` holds cells ``[seq[i], seq[i + 1])``, or up to
``seq[i + 1]`` included when windows overlap (cut at the last cell).
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import InvalidArgumentError, UnimplementedError
from ...registry import register_kernel


def pooling_sequence(size: int, out: int, pseudo_random: bool, rng) -> np.ndarray:
    """The ``out + 1`` window boundaries over ``size`` cells.

    Examples
    --------
    >>> seq = pooling_sequence(10, 4, False, np.random.default_rng(0))
    >>> int(seq[0]), int(seq[-1]), sorted(set(np.diff(seq).tolist()))
    (0, 10, [2, 3])
    """
    if size % out == 0:
        return np.arange(out + 1, dtype=np.int64) * (size // out)
    alpha = size / out
    if pseudo_random:
        k = size // out
        u_max = min((k + 2) / alpha - 1, (size + 1 - k) / alpha - (out - 1))
        u = rng.uniform() * u_max
        inner = [math.ceil(alpha * (i + u)) - 1 for i in range(1, out)]
        return np.array([0, *inner, size], np.int64)
    steps = np.full(out, size // out, np.int64)
    steps[: size - out * (size // out)] += 1
    rng.shuffle(steps)
    return np.concatenate([[0], np.cumsum(steps)])


def _windows(seq: np.ndarray, size: int, overlapping: bool) -> list:
    """Each window's ``(start, stop)`` cells."""
    ends = seq[1:] + 1 if overlapping else seq[1:]
    return [(int(start), min(int(end), size)) for start, end in zip(seq[:-1], ends)]


def _check_sequence(seq: np.ndarray, size: int, what: str) -> None:
    if seq.ndim != 1 or seq.size < 2 or seq[0] != 0 or seq[-1] != size or np.any(np.diff(seq) <= 0):
        raise InvalidArgumentError(
            None, None, f"{what} must rise from 0 to the input's {size} cells; got {seq.tolist()}"
        )


def _cells(shape: tuple, rows, cols, overlapping: bool):
    """Every output cell's input window: ``(r, c, row slice, col slice)``."""
    _check_sequence(rows, shape[1], "row_pooling_sequence")
    _check_sequence(cols, shape[2], "col_pooling_sequence")
    for r, (r0, r1) in enumerate(_windows(rows, shape[1], overlapping)):
        for c, (c0, c1) in enumerate(_windows(cols, shape[2], overlapping)):
            yield r, c, slice(r0, r1), slice(c0, c1)


def _out_shape(shape: tuple, rows, cols) -> tuple:
    return (shape[0], rows.size - 1, cols.size - 1, shape[3])


def _mean(window: np.ndarray) -> np.ndarray:
    count = window.shape[1] * window.shape[2]
    total = window.sum(axis=(1, 2))
    if np.issubdtype(window.dtype, np.integer):  # C++ integer division truncates
        return np.sign(total) * (np.abs(total) // count)
    return total / count


def pool_with_sequences(value, rows, cols, overlapping: bool, kind: str) -> np.ndarray:
    """``value`` pooled (``kind`` ``"max"`` or ``"avg"``) over the given sequences.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> pool_with_sequences(x, np.array([0, 1, 3]), np.array([0, 2, 3]), False, "max")[0, :, :, 0]
    array([[1., 2.],
           [7., 8.]])
    """
    out = np.empty(_out_shape(value.shape, rows, cols), value.dtype)
    for r, c, rs, cs in _cells(value.shape, rows, cols, overlapping):
        window = value[:, rs, cs, :]
        out[:, r, c, :] = window.max(axis=(1, 2)) if kind == "max" else _mean(window)
    return out


def _sequences(value, pooling_ratio, pseudo_random, deterministic, seed, seed2):
    if pooling_ratio[0] != 1 or pooling_ratio[3] != 1:
        raise UnimplementedError(
            None,
            None,
            "Fractional pooling is not yet supported on the batch nor channel dimension.",
        )
    if not deterministic and (seed or seed2):
        raise InvalidArgumentError(
            None, None, "Both seed and seed2 should be 0 if deterministic is false."
        )
    rng = np.random.default_rng([seed, seed2] if deterministic else None)
    sizes = value.shape[1:3]
    outs = [math.floor(size / ratio) for size, ratio in zip(sizes, pooling_ratio[1:3])]
    if min(outs) <= 0:
        raise InvalidArgumentError(
            None,
            None,
            f"The output would be empty: input rows and cols {list(sizes)} pooled "
            f"by {list(pooling_ratio[1:3])}",
        )
    return [pooling_sequence(size, out, pseudo_random, rng) for size, out in zip(sizes, outs)]


def _pool_kernel(kind: str):
    def kernel(value, *, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, T):
        rows, cols = _sequences(value, pooling_ratio, pseudo_random, deterministic, seed, seed2)
        return pool_with_sequences(value, rows, cols, overlapping, kind), rows, cols

    return kernel


register_kernel("FractionalMaxPool")(_pool_kernel("max"))
register_kernel("FractionalAvgPool")(_pool_kernel("avg"))


def _check_backprop(out_backprop, expected: tuple) -> None:
    if out_backprop.shape != expected:
        raise InvalidArgumentError(
            None,
            None,
            f"out_backprop must have shape {list(expected)}, got {list(out_backprop.shape)}",
        )


@register_kernel("FractionalMaxPoolGrad")
def fractional_max_pool_grad(orig_input, orig_output, out_backprop, rows, cols, *, overlapping, T):
    # Each window's gradient goes to its first maximum in row-major order, as TF's.
    _check_backprop(out_backprop, _out_shape(orig_input.shape, rows, cols))
    grad = np.zeros_like(orig_input)
    batch, _, _, depth = orig_input.shape
    b, d = np.meshgrid(np.arange(batch), np.arange(depth), indexing="ij")
    for r, c, rs, cs in _cells(orig_input.shape, rows, cols, overlapping):
        window = orig_input[:, rs, cs, :]
        width = window.shape[2]
        first = window.reshape(batch, -1, depth).argmax(axis=1)
        np.add.at(
            grad,
            (b, rs.start + first // width, cs.start + first % width, d),
            out_backprop[:, r, c, :],
        )
    return (grad,)


@register_kernel("FractionalAvgPoolGrad")
def fractional_avg_pool_grad(orig_input_tensor_shape, out_backprop, rows, cols, *, overlapping, T):
    shape = tuple(int(n) for n in orig_input_tensor_shape)
    if len(shape) != 4:
        raise InvalidArgumentError(
            None, None, f"orig_input_tensor_shape must have 4 elements, got {len(shape)}"
        )
    _check_backprop(out_backprop, _out_shape(shape, rows, cols))
    grad = np.zeros(shape, np.float64)
    for r, c, rs, cs in _cells(shape, rows, cols, overlapping):
        count = (rs.stop - rs.start) * (cs.stop - cs.start)
        grad[:, rs, cs, :] += out_backprop[:, r, c, None, None, :] / count
    return (grad.astype(out_backprop.dtype),)
