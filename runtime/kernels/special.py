"""Special functions on numpy arrays: erf, erfc, lgamma, digamma, Hurwitz zeta, polygamma.

numpy has none of them and scipy is no dependency here: erf, erfc and lgamma apply
the standard library's (correctly rounded to double) elementwise; digamma and zeta
use the classic series (recurrence, then the asymptotic expansion; Euler-Maclaurin
summation for zeta, as Cephes does), accurate to a few units in the last place of a
double. Every function computes in float64 and returns float64; the kernels cast.

Examples
--------
>>> import numpy as np
>>> print(np.round(digamma(np.array([1.0, 0.5])), 6))
[-0.577216 -1.96351 ]
>>> round(float(zeta(np.array(2.0), np.array(1.0))), 12)  # pi**2 / 6
1.644934066848
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["digamma", "erf", "erfc", "lgamma", "polygamma", "zeta"]


def _elementwise(fn):
    ufunc = np.frompyfunc(fn, 1, 1)

    def apply(x) -> np.ndarray:
        return np.asarray(ufunc(np.asarray(x, np.float64)), dtype=np.float64)

    return apply


def _lgamma(x: float) -> float:
    if x <= 0 and x == math.floor(x):
        return math.inf  # a pole of Gamma (the standard library raises there)
    try:
        return math.lgamma(x)
    except OverflowError:
        return math.inf


erf = _elementwise(math.erf)
erfc = _elementwise(math.erfc)
lgamma = _elementwise(_lgamma)

# Bernoulli numbers B_2k / 2k, k = 1..7: the asymptotic series of digamma.
_DIGAMMA_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def digamma(x) -> np.ndarray:
    """psi(x) = Gamma'(x) / Gamma(x); NaN at the poles (0, -1, -2, ...) as TF's."""
    x = np.asarray(x, np.float64)
    pole = (x <= 0) & (x == np.floor(x))
    reflect = (x < 0) & ~pole
    # psi(x) = psi(1 - x) - pi / tan(pi x) for negative x.
    y = np.where(reflect, 1 - x, np.where(pole, 1.0, x))
    result = np.where(reflect, -np.pi / np.tan(np.pi * np.where(reflect, x, 0.5)), 0.0)
    for _ in range(10):  # psi(y) = psi(y + 1) - 1 / y until y >= 10
        small = y < 10
        result = result - np.where(small, 1 / np.where(small, y, 1.0), 0.0)
        y = np.where(small, y + 1, y)
    inverse_square = 1 / (y * y)
    series, power = 0.0, inverse_square
    for coefficient in _DIGAMMA_SERIES:
        series = series + coefficient * power
        power = power * inverse_square
    result = result + np.log(y) - 0.5 / y - series
    return np.where(pole | np.isnan(x), np.nan, np.where(np.isposinf(x), np.inf, result))


# Euler-Maclaurin correction coefficients (2k)! / B_2k, as in Cephes' zeta.
_ZETA_A = (
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1.8924375803183791606e9,
    7.47242496e10,
    -2.950130727918164224e12,
    1.1646782814350067249e14,
    -4.5979787224074726105e15,
    1.8152105401943546773e17,
    -7.1661652561756670113e18,
)


def zeta(x, q) -> np.ndarray:
    """The Hurwitz zeta function ``sum_{k >= 0} (k + q) ** -x`` (``x > 1``).

    ``inf`` at ``x == 1`` and at the poles ``q = 0, -1, ...``; NaN where it is undefined
    (``x < 1``, or ``q < 0`` with ``x`` not a whole number), as TF's.
    """
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    pole = (x == 1) | ((q <= 0) & (q == np.floor(q)))
    undefined = (x < 1) | ((q < 0) & (x != np.floor(x))) | np.isnan(x) | np.isnan(q)
    ok = ~(pole | undefined)
    xs, a = np.where(ok, x, 2.0), np.where(ok, q, 1.0)
    total = a**-xs
    # Sum the first terms directly until q + k > 9 (at least 9 of them) ...
    steps = np.maximum(9, np.ceil(9 - a)).astype(np.int64)
    for k in range(1, int(steps.max(initial=9)) + 1):
        active = k <= steps
        a = np.where(active, a + 1, a)
        total = total + np.where(active, a**-xs, 0.0)
    # ... then add the tail's integral and its Euler-Maclaurin corrections.
    b = a**-xs
    total = total + b * a / (xs - 1) - 0.5 * b
    factor, k = 1.0, 0.0
    for coefficient in _ZETA_A:
        factor = factor * (xs + k)
        b = b / a
        total = total + factor * b / coefficient
        k += 1
        factor = factor * (xs + k)
        b = b / a
        k += 1
    return np.where(pole, np.inf, np.where(undefined, np.nan, total))


def polygamma(n, x) -> np.ndarray:
    """The ``n``-th derivative of digamma (``n`` a whole number >= 0; else NaN)."""
    n, x = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(x, np.float64))
    whole = (n >= 0) & (n == np.floor(n))
    order = np.where(whole, n, 1.0)
    sign = np.where(np.mod(order, 2) == 0, -1.0, 1.0)  # (-1) ** (n + 1)
    higher = sign * np.exp(lgamma(order + 1)) * zeta(order + 1, x)
    result = np.where(order == 0, digamma(x), higher)
    return np.where(whole, result, np.nan)
