"""Special functions on numpy arrays: erf, erfc, lgamma, digamma, Hurwitz zeta,
polygamma, the normal quantile and erf's inverse, Bessel functions, the regularized
incomplete gamma and beta functions, Dawson's, Fresnel's and Spence's integrals and the
exponential integral (``tf.math.special``).

numpy has none of them and scipy is no dependency here: erf, erfc and lgamma apply
the standard library's (correctly rounded to double) elementwise; digamma and zeta
use the classic series (recurrence, then the asymptotic expansion; Euler-Maclaurin
summation for zeta, as Cephes does), accurate to a few units in the last place of a
double; ndtri refines Acklam's approximation by a Halley step, and the Bessel
functions sum their power series or, for large arguments, the asymptotic expansion.
Every function computes in float64 and returns float64; the kernels cast.

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

__all__ = [
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "bessel_j0",
    "bessel_j1",
    "bessel_k0",
    "bessel_k0e",
    "bessel_k1",
    "bessel_k1e",
    "bessel_y0",
    "bessel_y1",
    "betainc",
    "dawsn",
    "digamma",
    "erf",
    "erfc",
    "erfinv",
    "expint",
    "fresnel_cos",
    "fresnel_sin",
    "igamma",
    "igamma_grad_a",
    "igammac",
    "lgamma",
    "ndtri",
    "polygamma",
    "spence",
    "zeta",
]


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


# Acklam's rational approximation of the normal quantile (relative error 1.2e-9),
# refined below by one Halley step to double precision.
_ACKLAM_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_ACKLAM_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
)
_ACKLAM_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_ACKLAM_D = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
)


def _polynomial(coefficients, x):
    total = np.zeros_like(x)
    for c in coefficients:
        total = total * x + c
    return total


def _lower_quantile(p):
    """The normal quantile of ``p`` in (0, 0.5]: Acklam's approximation, one Halley step."""
    central = p > 0.02425
    q = np.where(central, p - 0.5, 0.0)
    r = q * q
    x_central = q * _polynomial(_ACKLAM_A, r) / (_polynomial(_ACKLAM_B, r) * r + 1)
    t = np.sqrt(-2 * np.log(np.where(central, 0.5, p)))
    x_tail = _polynomial(_ACKLAM_C, t) / (_polynomial(_ACKLAM_D, t) * t + 1)
    x = np.where(central, x_central, x_tail)
    error = 0.5 * erfc(-x / np.sqrt(2)) - p
    u = error * np.sqrt(2 * np.pi) * np.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


def ndtri(p) -> np.ndarray:
    """The quantile of the standard normal: ``x`` with ``P(X <= x) = p``; -inf and inf
    at 0 and 1, NaN outside [0, 1]."""
    p = np.asarray(p, np.float64)
    inside = (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    upper = safe > 0.5
    # The upper half by symmetry: 1 - p is exact there, so the tail keeps its precision.
    x = _lower_quantile(np.where(upper, 1 - safe, safe))
    x = np.where(upper, -x, x)
    edges = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, np.nan))
    return np.where(inside, x, edges)


def erfinv(x) -> np.ndarray:
    """The inverse of ``erf`` on [-1, 1] (NaN outside); a Newton step on ``erf`` keeps
    the relative precision near 0."""
    x = np.asarray(x, np.float64)
    y = ndtri((x + 1) / 2) / np.sqrt(2)
    small = np.abs(x) < 0.5
    y_small = np.where(small, y, 0.0)
    step = (erf(y_small) - np.where(small, x, 0.0)) * np.sqrt(np.pi) / 2 * np.exp(y_small**2)
    return np.where(small, y_small - step, y)


def _scaled_bessel(order: int, x) -> np.ndarray:
    """``exp(-|x|) I_order(|x|)`` for ``order`` 0 or 1: the power series where it
    converges fast, the asymptotic expansion for large ``|x|``."""
    ax = np.abs(np.asarray(x, np.float64))
    small = ax <= 20
    s = np.where(small, ax, 1.0)
    quarter = s * s / 4
    term = np.where(small, (s / 2) ** order, 0.0)
    total = term.copy()
    for k in range(1, 80):
        term = term * quarter / (k * (k + order))
        total = total + term
    series = total * np.exp(-s)
    big = np.where(small, 25.0, ax)
    mu = 4.0 * order * order
    term = np.ones_like(big)
    expansion = term.copy()
    for k in range(1, 20):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * big)
        expansion = expansion + term
    asymptotic = expansion / np.sqrt(2 * np.pi * big)
    return np.where(small, series, asymptotic)


def bessel_i0e(x) -> np.ndarray:
    """The exponentially scaled modified Bessel function ``exp(-|x|) I0(x)``."""
    return _scaled_bessel(0, x)


def bessel_i1e(x) -> np.ndarray:
    """``exp(-|x|) I1(x)`` (odd in ``x``)."""
    x = np.asarray(x, np.float64)
    return np.sign(x) * _scaled_bessel(1, x)


def bessel_i0(x) -> np.ndarray:
    """The modified Bessel function of the first kind of order 0."""
    x = np.asarray(x, np.float64)
    return bessel_i0e(x) * np.exp(np.abs(x))


def bessel_i1(x) -> np.ndarray:
    """The modified Bessel function of the first kind of order 1."""
    x = np.asarray(x, np.float64)
    return bessel_i1e(x) * np.exp(np.abs(x))


_TINY = 1e-300
_ITERATIONS = 300  # enough for double precision over the arguments TF's tests use


def _log_gamma_prefactor(a, x):
    """``log(x ** a * exp(-x) / Gamma(a))``."""
    return a * np.log(x) - x - lgamma(a)


def _gamma_series(a, x):
    """The regularized lower incomplete gamma by its power series (for ``x < a + 1``)."""
    term = 1 / a
    total = term.copy()
    shifted = a.copy()
    for _ in range(_ITERATIONS):
        shifted = shifted + 1
        term = term * x / shifted
        total = total + term
    return total * np.exp(_log_gamma_prefactor(a, x))


def _gamma_continued_fraction(a, x):
    """The regularized upper incomplete gamma by Lentz's continued fraction
    (for ``x >= a + 1``)."""
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    for i in range(1, _ITERATIONS):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        h = h * d * c
    return np.exp(_log_gamma_prefactor(a, x)) * h


def igamma(a, x) -> np.ndarray:
    """The regularized lower incomplete gamma function ``P(a, x)``; NaN for ``a <= 0``
    or ``x < 0``."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    valid = (a > 0) & (x >= 0)
    interior = valid & (x > 0) & np.isfinite(x)
    sa, sx = np.where(interior, a, 1.0), np.where(interior, x, 1.0)
    use_series = sx < sa + 1
    lower = np.where(
        use_series,
        _gamma_series(sa, np.where(use_series, sx, 0.5)),
        1 - _gamma_continued_fraction(sa, np.where(use_series, sa + 2, sx)),
    )
    edges = np.where(x == 0, 0.0, 1.0)  # P(a, 0) = 0, P(a, inf) = 1
    return np.where(interior, lower, np.where(valid, edges, np.nan))


def igammac(a, x) -> np.ndarray:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``,
    accurate where ``P`` is near 1."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    valid = (a > 0) & (x >= 0)
    interior = valid & (x > 0) & np.isfinite(x)
    sa, sx = np.where(interior, a, 1.0), np.where(interior, x, 1.0)
    use_series = sx < sa + 1
    upper = np.where(
        use_series,
        1 - _gamma_series(sa, np.where(use_series, sx, 0.5)),
        _gamma_continued_fraction(sa, np.where(use_series, sa + 2, sx)),
    )
    edges = np.where(x == 0, 1.0, 0.0)
    return np.where(interior, upper, np.where(valid, edges, np.nan))


def igamma_grad_a(a, x) -> np.ndarray:
    """``d P(a, x) / da``, by central differences at a step small against ``a`` (about
    ten correct digits: the derivative of the series has no closed form)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    step = 1e-5 * np.maximum(np.abs(a), 1.0)
    step = np.minimum(step, a / 2)  # stay at a > 0
    return (igamma(a + step, x) - igamma(a - step, x)) / (2 * step)


def _beta_continued_fraction(a, b, x):
    """Lentz's continued fraction of the incomplete beta function."""
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones_like(x)
    d = 1 - qab * x / qap
    d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
    h = d.copy()
    for m in range(1, _ITERATIONS):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + aa * d
            d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            h = h * d * c
    return h


def betainc(a, b, x) -> np.ndarray:
    """The regularized incomplete beta function ``I_x(a, b)`` for ``x`` in [0, 1];
    NaN for ``a <= 0``, ``b <= 0`` or ``x`` outside [0, 1]."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    valid = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
    interior = valid & (x > 0) & (x < 1)
    sa, sb, sx = (np.where(interior, v, 0.5) for v in (a, b, x))
    log_front = lgamma(sa + sb) - lgamma(sa) - lgamma(sb) + sa * np.log(sx) + sb * np.log1p(-sx)
    front = np.exp(log_front)
    direct = sx < (sa + 1) / (sa + sb + 2)
    value = np.where(
        direct,
        front * _beta_continued_fraction(sa, sb, np.where(direct, sx, 0.0)) / sa,
        1 - front * _beta_continued_fraction(sb, sa, np.where(direct, 1.0, 1 - sx)) / sb,
    )
    return np.where(interior, value, np.where(valid, x, np.nan))  # I_0 = 0, I_1 = 1


# -- the functions of tf.math.special ----------------------------------------------------
# Integral representations summed by the trapezoidal rule, which converges geometrically
# for the smooth periodic or double-exponentially decaying integrands used; asymptotic
# expansions where the argument is large.

_EULER_GAMMA = 0.5772156649015329


def _trapezoid(values, step):
    """The trapezoidal rule over the last axis (the first and last weights halved)."""
    return step * (values.sum(axis=-1) - 0.5 * (values[..., 0] + values[..., -1]))


def _hankel_asymptotic(order: int, x):
    """``(P, Q)`` of Hankel's expansion of J and Y of ``order`` for large ``x``."""
    mu = 4.0 * order * order
    p, q = np.ones_like(x), np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(1, 40):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        if k % 2:
            q = q + (-1) ** (k // 2) * term
        else:
            p = p + (-1) ** (k // 2) * term
    return p, q


def _gauss_legendre(integrand, length, panels: int = 16):
    """``int_0^length integrand(t) dt`` over the last axis by composite Gauss-Legendre
    (``length`` broadcast as ``[..., 1]``; ``integrand`` takes the nodes ``t``)."""
    edges = np.linspace(0, 1, panels + 1)
    mids, halves = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    u = (mids[:, None] + halves[:, None] * _GAUSS_NODES).reshape(-1)
    weights = (halves[:, None] * _GAUSS_WEIGHTS).reshape(-1)
    return length[..., 0] * (integrand(length * u) * weights).sum(axis=-1)


def _bessel_j_series(order: int, x):
    """``J_order(x)`` by its power series (accurate for ``|x| <= 2``)."""
    half = x / 2
    term = half**order / math.factorial(order)
    total = term.copy()
    for k in range(1, 30):
        term = -term * half * half / (k * (k + order))
        total = total + term
    return total


def _bessel_jy(order: int, x):
    """``(J, Y)`` of integer ``order`` at ``x > 0``."""
    x = np.asarray(x, np.float64)
    large = x > 25
    s = np.where(large, 1.0, x)[..., None]
    # J: (1/pi) int_0^pi cos(n t - x sin t) dt; Y's first part: the sine's integral.
    pi = np.full_like(s, np.pi)
    j = _gauss_legendre(lambda t: np.cos(order * t - s * np.sin(t)), pi) / np.pi
    j = np.where(x <= 2, _bessel_j_series(order, np.where(x <= 2, x, 0.0)), j)
    y_first = _gauss_legendre(lambda t: np.sin(s * np.sin(t) - order * t), pi) / np.pi
    # Y's second part: (1/pi) int_0^inf (e^{n u} + (-1)^n e^{-n u}) e^{-x sinh u} du.
    top = np.arcsinh(40 / s[..., 0] + 1)[..., None] + 1

    def decaying(u):
        return (np.exp(order * u) + (-1) ** order * np.exp(-order * u)) * np.exp(-s * np.sinh(u))

    y_second = _gauss_legendre(decaying, top, panels=32) / np.pi
    y = y_first - y_second
    big = np.where(large, x, 30.0)
    p, q = _hankel_asymptotic(order, big)
    omega = big - order * np.pi / 2 - np.pi / 4
    scale = np.sqrt(2 / (np.pi * big))
    j_far = scale * (p * np.cos(omega) - q * np.sin(omega))
    y_far = scale * (p * np.sin(omega) + q * np.cos(omega))
    return np.where(large, j_far, j), np.where(large, y_far, y)


def bessel_j0(x) -> np.ndarray:
    """The Bessel function of the first kind of order 0 (even)."""
    x = np.abs(np.asarray(x, np.float64))
    return np.where(x == 0, 1.0, _bessel_jy(0, np.where(x == 0, 1.0, x))[0])


def bessel_j1(x) -> np.ndarray:
    """The Bessel function of the first kind of order 1 (odd)."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    return np.where(ax == 0, 0.0, np.sign(x) * _bessel_jy(1, np.where(ax == 0, 1.0, ax))[0])


def _bessel_y(order: int, x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    value = _bessel_jy(order, np.where(x > 0, x, 1.0))[1]
    return np.where(x > 0, value, np.where(np.isnan(x), np.nan, -np.inf))


def bessel_y0(x) -> np.ndarray:
    """The Bessel function of the second kind of order 0 (-inf at and below 0, as TF's)."""
    return _bessel_y(0, x)


def bessel_y1(x) -> np.ndarray:
    """The Bessel function of the second kind of order 1."""
    return _bessel_y(1, x)


def _scaled_bessel_k(order: int, x) -> np.ndarray:
    """``exp(x) K_order(x) = int_0^inf exp(-x (cosh t - 1)) cosh(order t) dt``."""
    x = np.asarray(x, np.float64)
    s = np.where(x > 0, x, 1.0)[..., None]
    top = np.arccosh(1 + 45 / s)
    t = np.linspace(0, 1, 257) * top
    values = np.exp(-s * (np.cosh(t) - 1)) * np.cosh(order * t)
    return _trapezoid(values, t[..., 1] - t[..., 0])


def _bessel_k(order: int, x, scaled: bool) -> np.ndarray:
    x = np.asarray(x, np.float64)
    value = _scaled_bessel_k(order, x)
    if not scaled:
        value = value * np.exp(-np.where(x > 0, x, 1.0))
    return np.where(x > 0, value, np.where(np.isnan(x), np.nan, np.inf))


def bessel_k0(x) -> np.ndarray:
    """The modified Bessel function of the second kind of order 0 (inf at and below 0)."""
    return _bessel_k(0, x, False)


def bessel_k0e(x) -> np.ndarray:
    """``exp(x) K0(x)``."""
    return _bessel_k(0, x, True)


def bessel_k1(x) -> np.ndarray:
    """The modified Bessel function of the second kind of order 1."""
    return _bessel_k(1, x, False)


def bessel_k1e(x) -> np.ndarray:
    """``exp(x) K1(x)``."""
    return _bessel_k(1, x, True)


def dawsn(x) -> np.ndarray:
    """Dawson's integral ``exp(-x**2) int_0^x exp(t**2) dt`` (odd): the positive power
    series of ``erfi`` times ``exp(-x**2)``, the asymptotic series beyond ``|x| = 10``."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    near = np.where(ax <= 10, ax, 0.0)
    term = near.copy()
    total = term.copy()
    square = near * near
    for n in range(1, 400):
        term = term * square / n
        total = total + term / (2 * n + 1)
    series = np.exp(-square) * total
    far = np.where(ax > 10, ax, 20.0)
    inverse = 1 / (2 * far * far)
    term, expansion = np.ones_like(far), np.ones_like(far)
    for k in range(1, 30):
        term = term * (2 * k - 1) * inverse
        expansion = expansion + term
    asymptotic = expansion / (2 * far)
    return np.sign(x) * np.where(ax <= 10, series, asymptotic)


def expint(x) -> np.ndarray:
    """The exponential integral ``Ei(x)`` for ``x >= 0`` (NaN below, -inf at 0, as
    TF's)."""
    x = np.asarray(x, np.float64)
    positive = x > 0
    s = np.where(positive & (x <= 40), x, 1.0)
    term, total = np.ones_like(s), np.zeros_like(s)
    for k in range(1, 200):
        term = term * s / k
        total = total + term / k
    series = _EULER_GAMMA + np.log(s) + total
    far = np.where(x > 40, x, 50.0)
    term, expansion = np.ones_like(far), np.ones_like(far)
    for k in range(1, 60):
        term = term * k / far
        expansion = expansion + term
    asymptotic = np.exp(far) / far * expansion
    value = np.where(x > 40, asymptotic, series)
    return np.where(positive, value, np.where(x == 0, -np.inf, np.nan))


_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(40)


def _fresnel(x, trig):
    """``int_0^x trig(pi t**2 / 2) dt``: Gauss-Legendre over 16 panels for ``|x| <= 8``,
    the auxiliary functions' asymptotic series beyond."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    near = np.where(ax <= 8, ax, 0.0)[..., None]
    quadrature = _gauss_legendre(lambda t: trig(np.pi * t * t / 2), near)
    far = np.where(ax > 8, ax, 10.0)
    z = np.pi * far * far
    inverse = 1 / (z * z)
    f_sum, g_sum, f_term, g_term = (
        np.ones_like(z),
        np.ones_like(z),
        np.ones_like(z),
        np.ones_like(z),
    )
    for k in range(1, 12):
        f_term = -f_term * (4 * k - 3) * (4 * k - 1) * inverse
        g_term = -g_term * (4 * k - 1) * (4 * k + 1) * inverse
        f_sum, g_sum = f_sum + f_term, g_sum + g_term
    f = f_sum / (np.pi * far)
    g = g_sum / (np.pi * np.pi * far**3)
    angle = np.pi * far * far / 2
    if trig is np.cos:
        asymptotic = 0.5 + f * np.sin(angle) - g * np.cos(angle)
    else:
        asymptotic = 0.5 - f * np.cos(angle) - g * np.sin(angle)
    return np.sign(x) * np.where(ax <= 8, quadrature, asymptotic)


def fresnel_cos(x) -> np.ndarray:
    """The Fresnel integral ``C(x) = int_0^x cos(pi t**2 / 2) dt``."""
    return _fresnel(x, np.cos)


def fresnel_sin(x) -> np.ndarray:
    """The Fresnel integral ``S(x) = int_0^x sin(pi t**2 / 2) dt``."""
    return _fresnel(x, np.sin)


def _dilog_series(z):
    """``Li2(z)`` for ``|z| <= 0.5``."""
    term, total = np.ones_like(z), np.zeros_like(z)
    for k in range(1, 60):
        term = term * z
        total = total + term / (k * k)
    return total


def spence(x) -> np.ndarray:
    """Spence's function ``int_1^x log(t) / (1 - t) dt = Li2(1 - x)`` for ``x >= 0``
    (NaN below), by the dilogarithm's series after its reflection identities."""
    x = np.asarray(x, np.float64)
    z = np.where(x >= 0, 1 - x, 0.0)  # z <= 1
    # z < 0: Li2(z) = -Li2(z / (z - 1)) - log(1 - z)**2 / 2, with z / (z - 1) in (0, 1).
    negative = z < 0
    w = np.where(negative, z / np.where(negative, z - 1, 1.0), z)
    # w in (0.5, 1]: Li2(w) = pi**2/6 - log(w) log(1 - w) - Li2(1 - w).
    upper = w > 0.5
    v = np.where(upper, 1 - w, w)
    log_term = np.where(
        upper & (w < 1),
        np.log(np.where(upper, w, 0.5)) * np.log1p(-np.where(upper & (w < 1), w, 0.5)),
        0.0,
    )
    li = np.where(upper, np.pi**2 / 6 - log_term - _dilog_series(v), _dilog_series(v))
    li = np.where(negative, -li - 0.5 * np.log1p(-np.where(negative, z, 0.0)) ** 2, li)
    return np.where(x >= 0, li, np.nan)
