"""Tail probabilities of the normal, Student t, F and chi-squared laws, and the Student t quantile.

Every p-value and critical value of the engine comes from here. The numbers are those of ``scipy.special`` (``ndtr``,
``stdtr``, ``stdtrit``, ``fdtrc``, ``chdtrc``); the tests check each function against it, to 1e-12 relative over
the arguments a study meets (degrees of freedom from 1 to 10,000, statistics from 0 to far in the tails). They are
computed here because importing ``scipy.special`` costs about 0.09 s, a fifth of what an interactive command may
take in all (the command line's target is 0.5 s). The algorithms are the classical ones:

* the normal tail is the complementary error function of the standard library, ``Φ(−z) = erfc(z/√2)/2``;
* the t and F tails are the regularized incomplete beta function ``I_x(a, b)``, from its continued fraction
  evaluated by the modified Lentz method (Press, Teukolsky, Vetterling and Flannery 2007, *Numerical Recipes*, 3rd
  ed., §6.4), on the side of the symmetry ``I_x(a, b) = 1 − I_{1−x}(b, a)`` where it converges fast, so that a
  small tail probability is computed directly and keeps its relative accuracy;
* the chi-squared tail is the regularized upper incomplete gamma function ``Q(a, x)``, by its series below
  ``x = a + 1`` and its continued fraction above (ibid., §6.2);
* the t quantile is Newton's method on the t law, kept inside a bracket, from the normal quantile.

All functions take scalars or arrays and broadcast like numpy ufuncs; they return float64 arrays (0-d for scalars).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["norm_sf", "t_sf", "t_two_sided", "t_ppf", "f_sf", "chi2_sf", "betainc", "gammaincc"]

#: Relative change at which a series or continued fraction has converged (a few units in the last place).
_EPS = 1e-15
_TINY = 1e-300
_MAX_ITERATIONS = 5000
#: Up to this many values, the series and fractions run on Python floats one value at a time (a numpy operation on
#: a handful of values costs more than the arithmetic); above it, on whole arrays.
_ELEMENTWISE = 32
_lgamma_array = np.vectorize(math.lgamma, otypes=[float])
_erfc_array = np.vectorize(math.erfc, otypes=[float])


def _lgamma(value):
    return math.lgamma(value) if isinstance(value, float) else _lgamma_array(value)


def _stirling_correction(z):
    """``ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π]``, by its asymptotic series (error below 1e-20 for z >= 100)."""
    w = 1.0 / (z * z)
    return (1.0 / 12.0 - w * (1.0 / 360.0 - w * (1.0 / 1260.0 - w / 1680.0))) / z


def _log_beta(p, q):
    """``ln B(p, q)``. When one argument is large, ``ln Γ(big) − ln Γ(big + small)`` is taken from Stirling's series
    as ``−(big − ½) log1p(small/big) − small ln(big + small) + small`` plus the corrections: subtracting two values
    of ``ln Γ`` near 37,000 (10,000 degrees of freedom) would lose ten digits."""
    big, small = np.maximum(p, q), np.minimum(p, q)
    plain = _lgamma(p) + _lgamma(q) - _lgamma(p + q) if np.any(big < 100) else 0.0
    if np.all(big < 100):
        return plain
    difference = (-(big - 0.5) * np.log1p(small / big) - small * np.log(big + small) + small
                  + _stirling_correction(big) - _stirling_correction(big + small))
    return np.where(big >= 100, _lgamma(small) + difference, plain)


def _log_of(v, one_minus_v):
    """``ln v``, from ``1 − v`` (given exactly by the caller) when v is near 1, where ``ln v`` itself loses digits."""
    if isinstance(v, float):
        return math.log1p(-one_minus_v) if v > 0.5 else math.log(v)
    return np.where(v > 0.5, np.log1p(-np.minimum(one_minus_v, 0.5)), np.log(np.maximum(v, _TINY)))


def _floats(*values) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in np.broadcast_arrays(*values)]


def _apply(core, *arrays: np.ndarray) -> np.ndarray:
    """``core`` on equal-length 1-d arrays: value by value on Python floats when they are few, else on the arrays."""
    if arrays[0].size <= _ELEMENTWISE:
        return np.array([core(*values) for values in zip(*(a.tolist() for a in arrays))], dtype=float)
    return core(*arrays)


def _lentz(first, terms):
    """The continued fraction ``first + a1/(b1 + a2/(b2 + ...))`` by the modified Lentz method, where
    ``terms(m)`` gives ``(a_m, b_m)``; floats or arrays alike, until every element has converged."""
    h = first + _TINY * (first == 0)
    c, d = h, 0.0 * h
    for m in range(1, _MAX_ITERATIONS):
        numerator, denominator = terms(m)
        d = denominator + numerator * d
        d = 1.0 / (d + _TINY * (d == 0))
        c = denominator + numerator / c
        c = c + _TINY * (c == 0)
        delta = c * d
        h = h * delta
        if np.all(abs(delta - 1.0) <= _EPS):
            break
    return h


def _beta_side(p, q, y, y1):
    """``I_y(p, q)`` with ``y1 = 1 − y``, where the continued fraction converges fast (``y < (p+1)/(p+q+2)``):
    ``y^p (1−y)^q / (p B(p, q))`` over ``1 + d1/(1 + d2/(1 + ...))``, with ``d_2k = k(q−k) y / ((p+2k−1)(p+2k))``
    and ``d_2k+1 = −(p+k)(p+q+k) y / ((p+2k)(p+2k+1))`` (Numerical Recipes §6.4)."""
    log_front = p * _log_of(y, y1) + q * _log_of(y1, y) - _log_beta(p, q) - np.log(p)

    def terms(m: int):
        k = m // 2
        if m % 2 == 0:
            return k * (q - k) * y / ((p + 2 * k - 1) * (p + 2 * k)), 1.0
        return -(p + k) * (p + q + k) * y / ((p + 2 * k) * (p + 2 * k + 1)), 1.0

    return np.exp(log_front) / _lentz(1.0, terms)


def _betainc(a: np.ndarray, b: np.ndarray, x: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """``I_x(a, b)`` with ``x1 = 1 − x`` given by the caller, computed without cancellation where it can be."""
    out = np.full(a.shape, np.nan)
    valid = (a > 0) & (b > 0) & (x >= 0) & (x1 >= 0)
    out[valid & (x == 0)] = 0.0
    out[valid & (x1 == 0)] = 1.0
    inside = valid & (x > 0) & (x1 > 0)
    if not inside.any():
        return out
    a, b, x, x1 = a[inside], b[inside], x[inside], x1[inside]
    swap = x > (a + 1.0) / (a + b + 2.0)  # I_x(a, b) = 1 − I_{1−x}(b, a), on the side where the fraction converges
    value = _apply(_beta_side, np.where(swap, b, a), np.where(swap, a, b), np.where(swap, x1, x), np.where(swap, x, x1))
    out[inside] = np.where(swap, 1.0 - value, value)
    return out


def betainc(a, b, x) -> np.ndarray:
    """The regularized incomplete beta function ``I_x(a, b)`` (``scipy.special.betainc``), for a, b > 0."""
    a, b, x = _floats(a, b, x)
    return _betainc(a, b, x, 1.0 - x)


def _gamma_upper(a, x):
    """``Q(a, x)`` for x > 0: one minus the series of ``P`` below ``x = a + 1``, the continued fraction of ``Q``
    above (Numerical Recipes §6.2)."""
    log_front = a * np.log(x) - x - _lgamma(a)
    if np.all(x < a + 1.0):
        term = 1.0 / a
        total = term
        for n in range(1, _MAX_ITERATIONS):
            term = term * x / (a + n)
            total = total + term
            if np.all(abs(term) <= abs(total) * _EPS):
                break
        return 1.0 - total * np.exp(log_front)
    return np.exp(log_front) / _lentz(x + 1.0 - a, lambda m: (-m * (m - a), x + 2 * m + 1 - a))


def gammaincc(a, x) -> np.ndarray:
    """The regularized upper incomplete gamma function ``Q(a, x)`` (``scipy.special.gammaincc``), for a > 0."""
    a, x = _floats(a, x)
    out = np.full(a.shape, np.nan)
    valid = (a > 0) & ~np.isnan(x)
    out[valid & (x <= 0)] = 1.0
    out[valid & (x == np.inf)] = 0.0
    inside = valid & (x > 0) & np.isfinite(x)
    for series in (True, False):  # the two methods apart, so that each array runs one of them
        part = inside & ((x < a + 1.0) == series)
        if part.any():
            out[part] = _apply(_gamma_upper, a[part], x[part])
    return out


def norm_sf(z) -> np.ndarray:
    """Upper tail of the standard normal law, ``P(Z > z)`` (``scipy.special.ndtr(-z)``)."""
    z = np.asarray(z, dtype=float)
    return 0.5 * _erfc_array(z / math.sqrt(2.0))


def t_two_sided(t, df) -> np.ndarray:
    """Two-sided p-value of a t statistic, ``P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)``; the normal law for infinite
    ``df`` (``2 scipy.special.stdtr(df, -|t|)``)."""
    t, df = _floats(t, df)
    finite = np.isfinite(df)
    nu = np.where(finite, df, 1.0)
    square = t * t
    with np.errstate(invalid="ignore"):  # an infinite t: x = 0 and 1 − x = 1
        share = np.where(np.isinf(square), 1.0, square / (nu + square))
    p = _betainc(nu / 2.0, np.full(nu.shape, 0.5), nu / (nu + square), share)
    return np.where(finite, p, 2.0 * norm_sf(np.abs(t))) if not finite.all() else p


def t_sf(t, df) -> np.ndarray:
    """Upper tail of Student's t law with ``df`` degrees of freedom, ``P(T > t)`` (``scipy.special.stdtr(df, -t)``)."""
    t, df = _floats(t, df)
    half = 0.5 * t_two_sided(t, df)
    return np.where(t >= 0, half, 1.0 - half)


def _t_pdf(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    nu = np.where(np.isfinite(df), df, 1.0)
    log_norm = _lgamma_array((nu + 1.0) / 2.0) - _lgamma_array(nu / 2.0) - 0.5 * np.log(nu * math.pi)
    density = np.exp(log_norm - (nu + 1.0) / 2.0 * np.log1p(t * t / nu))
    return np.where(np.isfinite(df), density, np.exp(-t * t / 2.0) / math.sqrt(2.0 * math.pi))


def _t_newton(q: np.ndarray, nu: np.ndarray) -> np.ndarray:
    """The t >= 0 with ``P(T > t) = q`` (q <= 1/2): Newton's method from the normal quantile with Cornish–Fisher's
    first term, each step kept inside the bracket that the previous ones have found (halving it otherwise)."""
    from statistics import NormalDist

    z = np.array([-NormalDist().inv_cdf(v) for v in q.tolist()])
    t = z + (z**3 + z) / (4.0 * nu)
    low, high = np.zeros_like(t), np.full_like(t, np.inf)
    for _ in range(200):
        tail = t_sf(t, nu)
        low = np.where(tail > q, t, low)
        high = np.where(tail < q, t, high)
        proposal = t + (tail - q) / _t_pdf(t, nu)
        outside = (proposal <= low) | (proposal >= high) | ~np.isfinite(proposal)
        proposal = np.where(outside, np.where(np.isfinite(high), 0.5 * (low + high), 2.0 * t + 1.0), proposal)
        done = np.abs(proposal - t) <= 4 * _EPS * np.abs(proposal)
        t = proposal
        if done.all():
            break
    return t


def t_ppf(p, df) -> np.ndarray:
    """Quantile of Student's t law: the t with ``P(T <= t) = p`` (``scipy.special.stdtrit(df, p)``).

    Exact for 1 and 2 degrees of freedom; otherwise Newton's method on the upper tail (:func:`t_sf`), from the
    normal quantile.
    """
    p, df = _floats(p, df)
    out = np.full(p.shape, np.nan)
    out[(p == 0) & (df > 0)] = -np.inf
    out[(p == 1) & (df > 0)] = np.inf
    ok = (p > 0) & (p < 1) & (df > 0)
    if not ok.any():
        return out
    p, nu = p[ok], df[ok]
    upper = p > 0.5  # by symmetry, solve for the upper tail q = min(p, 1 - p)
    q = np.where(upper, 1.0 - p, p)
    with np.errstate(divide="ignore", invalid="ignore"):  # cot(πq), not tan(π(1/2 − q)), which loses digits
        t = np.where(nu == 1, 1.0 / np.tan(math.pi * q), (1.0 - 2.0 * q) / np.sqrt(2.0 * q * (1.0 - q)))
    iterate = (nu != 1) & (nu != 2)
    if iterate.any():
        t[iterate] = _t_newton(q[iterate], nu[iterate])
    out[ok] = np.where(upper, t, -t)
    return out


def f_sf(f, dfn, dfd) -> np.ndarray:
    """Upper tail of the F law, ``P(F > f)`` (``scipy.special.fdtrc(dfn, dfd, f)``): ``I_{d/(d + n f)}(d/2, n/2)``."""
    f, dfn, dfd = _floats(f, dfn, dfd)
    scaled = dfn * np.maximum(f, 0.0)
    with np.errstate(invalid="ignore"):  # an infinite F: x = 0 and 1 − x = 1
        share = np.where(np.isinf(scaled), 1.0, scaled / (dfd + scaled))
    out = _betainc(dfd / 2.0, dfn / 2.0, dfd / (dfd + scaled), share)
    return np.where(np.isnan(f), np.nan, out)


def chi2_sf(x, df) -> np.ndarray:
    """Upper tail of the chi-squared law, ``P(X > x)`` (``scipy.special.chdtrc(df, x)``): ``Q(df/2, x/2)``."""
    x, df = _floats(x, df)
    return gammaincc(df / 2.0, np.maximum(x, 0.0) / 2.0)
