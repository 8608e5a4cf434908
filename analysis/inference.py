"""Test statistics of the event study: one firm, the placebo, and a group of firms that share day 0.

Every function takes plain numpy arrays (decimal simple returns, close-to-close) and returns either a vector of
numbers (the batched per-firm helpers) or a :class:`HypothesisTest`: a small frozen record holding the statistic,
its p-value, the reference distribution, the null hypothesis and the N and r̄ it used. A ``HypothesisTest`` unpacks
as ``(value, pvalue)``.

Notation (docs/METHOD.md): L1 estimation sessions; AR abnormal return; CAR the sum of a window's ARs;
SCAR_i = CAR_i / sqrt(Var(CAR_i)) with the exact prediction-error variance of the model; r̄ the mean of the
N(N−1)/2 pairwise Pearson correlations of the firms' estimation-window residuals.

Which tests survive cross-correlation. All firms here share one event date, so their ARs are correlated. The
equal-weighted portfolio test (its residual variance carries the covariances), the Kolari–Pynnönen adjusted Patell
and BMP tests, GRANK and the Wald test with the full residual covariance account for it. The plain Patell z, the
plain BMP t, the Corrado rank test and the generalized sign test assume independent firms.

References
----------
.. [1] MacKinlay, A. C. (1997). "Event Studies in Economics and Finance". *J. Econ. Lit.* 35(1), 13–39.
.. [2] Campbell, J. Y., A. W. Lo and A. C. MacKinlay (1997). *The Econometrics of Financial Markets*, ch. 4.
.. [3] Patell, J. M. (1976). "Corporate Forecasts of Earnings per Share and Stock Price Behavior". *J. Accounting
   Research* 14(2), 246–276.
.. [4] Boehmer, E., J. Musumeci and A. B. Poulsen (1991). "Event-study methodology under conditions of
   event-induced variance". *J. Financial Economics* 30(2), 253–272.
.. [5] Kolari, J. W. and S. Pynnönen (2010). "Event Study Testing with Cross-sectional Correlation of Abnormal
   Returns". *Rev. Financial Studies* 23(11), 3996–4025.
.. [6] Kolari, J. W. and S. Pynnönen (2011). "Nonparametric rank tests for event studies". *J. Empirical Finance*
   18(5), 953–971.
.. [7] Corrado, C. J. (1989). "A nonparametric test for abnormal security-price performance in event studies".
   *J. Financial Economics* 23(2), 385–395.
.. [8] Cowan, A. R. (1992). "Nonparametric event study tests". *Rev. Quantitative Finance and Accounting* 2(4),
   343–358.
.. [9] Brown, S. J. and J. B. Warner (1985). "Using daily stock returns: the case of event studies". *J. Financial
   Economics* 14(1), 3–31.
.. [10] Hall, P. (1992). "On the removal of skewness by transformation". *J. Royal Statistical Society B* 54(1),
   221–228; Lyon, J. D., B. M. Barber and C.-L. Tsai (1999). "Improved methods for tests of long-run abnormal stock
   returns". *J. Finance* 54(1), 165–201.
.. [11] Wilcoxon, F. (1945). "Individual comparisons by ranking methods". *Biometrics Bulletin* 1(6), 80–83.
.. [12] Efron, B. and R. J. Tibshirani (1993). *An Introduction to the Bootstrap*, ch. 16; for resampling whole dates
   to keep the cross-correlation of firms, Kothari, S. P. and J. B. Warner (2007), "Econometrics of event
   studies", *Handbook of Corporate Finance* 1, ch. 1, sec. 3.
.. [13] Holm, S. (1979). "A simple sequentially rejective multiple test procedure". *Scand. J. Statistics* 6(2),
   65–70; Benjamini, Y. and Y. Hochberg (1995). "Controlling the false discovery rate". *J. Royal Statistical
   Society B* 57(1), 289–300.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.distributions import chi2_sf, f_sf, norm_sf, t_two_sided
from analysis.jsonutil import json_float as _json_float

__all__ = [
    "HypothesisTest",
    "GroupWindowStatistics",
    "GroupStatistics",
    "student_t_pvalue",
    "normal_pvalue",
    "car_t_statistics",
    "car_t_test",
    "cross_sectional_t_test",
    "skewness_adjusted_t_test",
    "placebo_pvalues",
    "placebo_test",
    "mean_pairwise_correlation",
    "portfolio_test",
    "patell_test",
    "patell_test_adjusted",
    "bmp_test",
    "kp_bmp_test",
    "corrado_rank_test",
    "generalized_sign_test",
    "grank_test",
    "wald_test",
    "hotelling_test",
    "group_statistics",
    "window_key",
    "wilcoxon_test",
    "bootstrap_caar_test",
    "pretrend_f_statistics",
    "pretrend_test",
    "adjust_pvalues",
    "BOOTSTRAP_DRAWS",
    "BOOTSTRAP_SEED",
]

#: Draws of the date-resampling bootstrap of the CAAR (p-values resolve to 1/10 000).
BOOTSTRAP_DRAWS = 9999
#: Its fixed seed, so that ``study --json`` is reproducible.
BOOTSTRAP_SEED = 12345

#: Said beside every group statistic when the group is small (docs/METHOD.md: "say so").
SMALL_GROUP_WARNING = (
    "With a handful of firms every cross-sectional test is weak; read the portfolio test and the per-firm tests first."
)
#: Below this many firms :data:`SMALL_GROUP_WARNING` is attached to the group results.
SMALL_GROUP_SIZE = 10
#: Below this many firms GRANK's note warns that it over-rejects (simulated: ~9 % at N = 5, ~8.5 % at N = 10, ~5 %
#: at N = 50 and above, nominal 5 %).
GRANK_SMALL_N = 30


def window_key(window: tuple[int, int]) -> str:
    """The JSON key of an event window: ``(0, 1)`` gives ``"0,1"``.

    Parameters
    ----------
    window : (int, int)

    Returns
    -------
    str
    """
    return f"{int(window[0])},{int(window[1])}"


@dataclass(frozen=True)
class HypothesisTest:
    """One test statistic with everything needed to read it.

    Unpacks as ``(value, pvalue)``, like statsmodels' test results.

    Attributes
    ----------
    name : str
        What the statistic is, e.g. ``"Patell z"``.
    value : float
        The statistic (NaN when the test is undefined for these data; ``note`` says why).
    pvalue : float
        Two-sided p-value under ``distribution`` (one-sided upper tail for the χ² Wald test).
    distribution : str
        The reference distribution, e.g. ``"t(238)"``, ``"N(0,1)"``, ``"chi2(5)"``.
    null_hypothesis : str
        The null, in words.
    df : float or None
        Degrees of freedom of the reference distribution, where it has any.
    n : int or None
        Number of firms the statistic uses.
    rbar : float or None
        Mean pairwise correlation of estimation-window residuals used in an adjustment, if any.
    note : str
        Caveats (e.g. ``"assumes independence"``).
    """

    name: str
    value: float
    pvalue: float
    distribution: str
    null_hypothesis: str
    df: float | None = None
    n: int | None = None
    rbar: float | None = None
    note: str = ""

    def __iter__(self) -> Iterator[float]:
        return iter((self.value, self.pvalue))

    @property
    def statistic(self) -> float:
        """Alias of :attr:`value`."""
        return self.value

    def to_dict(self) -> dict:
        """JSON-safe dict (NaN becomes None).

        Returns
        -------
        dict
        """
        return {
            "name": self.name,
            "value": _json_float(self.value),
            "pvalue": _json_float(self.pvalue),
            "distribution": self.distribution,
            "null_hypothesis": self.null_hypothesis,
            "df": _json_float(self.df),
            "n": self.n,
            "rbar": _json_float(self.rbar),
            "note": self.note,
        }


# ---------------------------------------------------------------------------------------------------------------
# p-values
# ---------------------------------------------------------------------------------------------------------------


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..T down each column, ties sharing their average rank; a column holding NaN ranks as all NaN.

    The same numbers as ``scipy.stats.rankdata(values, axis=0)`` (method "average", NaN propagated), without
    importing scipy.stats.
    """
    a = np.asarray(values, dtype=float)
    flat = a.ndim == 1
    a2 = a[:, None] if flat else a
    out = np.empty_like(a2)
    rows = a2.shape[0]
    for j in range(a2.shape[1]):
        column = a2[:, j]
        if np.isnan(column).any():
            out[:, j] = np.nan
            continue
        order = np.argsort(column, kind="mergesort")
        ordered = column[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]]
        group = np.cumsum(first)
        bounds = np.r_[np.flatnonzero(first), rows]
        ranks = np.empty(rows)
        ranks[order] = 0.5 * (bounds[group] + bounds[group - 1] + 1)
        out[:, j] = ranks
    return out[:, 0] if flat else out


def student_t_pvalue(t: float | np.ndarray, df: float) -> np.ndarray:
    """Two-sided p-value of a Student t statistic with ``df`` degrees of freedom.

    Parameters
    ----------
    t : float or ndarray
    df : float

    Returns
    -------
    ndarray
    """
    return t_two_sided(t, df)  # = 2 scipy.stats.t.sf(|t|, df)


def normal_pvalue(z: float | np.ndarray) -> np.ndarray:
    """Two-sided p-value of a standard normal statistic.

    Parameters
    ----------
    z : float or ndarray

    Returns
    -------
    ndarray
    """
    return 2.0 * norm_sf(np.abs(np.asarray(z, dtype=float)))  # = 2 scipy.stats.norm.sf(|z|)


# ---------------------------------------------------------------------------------------------------------------
# One firm
# ---------------------------------------------------------------------------------------------------------------


def car_t_statistics(car: np.ndarray, variance: np.ndarray, df: float) -> tuple[np.ndarray, np.ndarray]:
    """Batched single-firm t: ``t = CAR / sqrt(Var(CAR))`` and its two-sided Student-t(df) p-value.

    MacKinlay (1997), eq. (11)–(12); Campbell, Lo & MacKinlay (1997), sec. 4.4. ``variance`` must be the exact
    variance including estimation error (see :mod:`analysis.eventstudy`); then, under normal errors, t follows
    Student t with the model's residual degrees of freedom (L1 − k) exactly.

    Parameters
    ----------
    car, variance : ndarray, shape (N,)
        CARs (decimal) and their exact variances.
    df : float
        Residual degrees of freedom.

    Returns
    -------
    t, p : ndarray, shape (N,)
    """
    t = np.asarray(car, dtype=float) / np.sqrt(np.asarray(variance, dtype=float))
    return t, student_t_pvalue(t, df)


def car_t_test(car: float, variance: float, df: float, *, label: str = "CAR t") -> HypothesisTest:
    """One firm's CAR t-test as a :class:`HypothesisTest` (see :func:`car_t_statistics`).

    Parameters
    ----------
    car, variance : float
    df : float
    label : str

    Returns
    -------
    HypothesisTest
    """
    t, p = car_t_statistics(np.array([car]), np.array([variance]), df)
    return HypothesisTest(
        name=label,
        value=float(t[0]),
        pvalue=float(p[0]),
        distribution=f"t({df:g})",
        null_hypothesis="the cumulative abnormal return over the window is zero",
        df=float(df),
        n=1,
    )


def _finite_with_sd(values) -> tuple[np.ndarray, int, float]:
    """The finite values as floats, their count and their sample standard deviation (ddof = 1; NaN below two)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    return x, x.size, (float(x.std(ddof=1)) if x.size >= 2 else float("nan"))


def cross_sectional_t_test(car: np.ndarray) -> HypothesisTest:
    """Cross-sectional t of the firms' CARs (Brown and Warner 1985; the "CSect T" of EventStudyTools).

    ``t = mean(CAR) / (s(CAR) / sqrt(N))`` with the sample standard deviation ``s`` (divisor N − 1), Student
    t(N − 1) under the null. It uses the dispersion of the CARs themselves, so event-induced variance does not bias
    it, but it assumes independent firms: with a shared event date their cross-correlation inflates it.

    Parameters
    ----------
    car : array_like
        One CAR per firm (decimal simple returns).

    Returns
    -------
    HypothesisTest
        NaN with a note when N < 2 or the CARs do not vary.
    """
    car, n, sd = _finite_with_sd(car)
    if n < 2 or not sd > 0:
        value, note = float("nan"), "needs at least two firms whose CARs differ"
    else:
        value, note = float(car.mean() / (sd / math.sqrt(n))), "assumes independent firms"
    return HypothesisTest(
        name="cross-sectional t",
        value=value,
        pvalue=float(student_t_pvalue(value, n - 1)) if n >= 2 else float("nan"),
        distribution=f"t({n - 1})",
        null_hypothesis="the mean CAR across firms is zero",
        df=float(n - 1),
        n=n,
        note=note,
    )


def skewness_adjusted_t_test(values: np.ndarray) -> HypothesisTest:
    """Skewness-adjusted t of a mean (Hall 1992, in the form of Lyon, Barber and Tsai 1999, eq. 5).

    With ``S = mean / s`` (``s`` the sample standard deviation) and the sample skewness
    ``γ = Σ (x − mean)³ / (N s³)``::

        t_sa = sqrt(N) (S + γ S² / 3 + γ / (6 N))

    compared with N(0, 1). It corrects the ordinary t for the skewness that long-horizon buy-and-hold abnormal
    returns and small samples of CARs show.

    Parameters
    ----------
    values : array_like
        One value per firm (a CAR or a BHAR, decimals).

    Returns
    -------
    HypothesisTest
        NaN with a note when N < 3 or the values do not vary.
    """
    x, n, sd = _finite_with_sd(values)
    if n < 3 or not sd > 0:
        value, note = float("nan"), "needs at least three values that differ"
    else:
        s = float(x.mean()) / sd
        gamma = float(np.sum((x - x.mean()) ** 3) / (n * sd**3))
        value = math.sqrt(n) * (s + gamma * s * s / 3.0 + gamma / (6.0 * n))
        note = "normal approximation; assumes independent observations"
    return HypothesisTest(
        name="skewness-adjusted t",
        value=value,
        pvalue=float(normal_pvalue(value)),
        distribution="N(0,1)",
        null_hypothesis="the mean is zero",
        n=n,
        note=note,
    )


def _signed_rank_null(n: int) -> np.ndarray:
    """Null distribution of the Wilcoxon signed-rank sum W+ of ``n`` untied, non-zero values: ``P(W+ = k)`` for
    k = 0..n(n+1)/2, each of the 2^n sign patterns equally likely (counted exactly in integers)."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.int64)
    counts[0] = 1
    for rank in range(1, n + 1):  # adding rank r: a sum k is reached from k (r negative) or from k - r (r positive)
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    return counts / float(2**n)


def wilcoxon_test(car: np.ndarray) -> HypothesisTest:
    """Wilcoxon (1945) signed-rank test that the firms' CARs are centred on zero.

    The numbers of :func:`scipy.stats.wilcoxon` with its defaults (``method="auto"``, zeros dropped, no continuity
    correction), computed here because importing ``scipy.stats`` costs longer than a whole study of the command line:
    the statistic is ``min(W+, W−)`` (sums of the ranks of |CAR| of the positive, resp. negative CARs); the two-sided
    p-value is exact for N ≤ 50 without ties or zeros, ``2 min(P(W+ ≤ w+), P(W+ ≥ w+))`` from the null distribution
    counted over the 2^N sign patterns; normal otherwise, with the tie correction of the variance. The rare case of
    ties or zeros among at most 13 CARs, where scipy enumerates a permutation test, is handed to scipy. The tests
    check every branch against scipy. The test needs no normality but assumes independent, symmetrically
    distributed CARs: a shared event date makes them cross-correlated, and then it over-rejects like the
    cross-sectional t.

    Parameters
    ----------
    car : array_like
        One CAR per firm (decimal simple returns).

    Returns
    -------
    HypothesisTest
        NaN with a note when N < 2 or every CAR is zero.
    """
    car = np.asarray(car, dtype=float)
    car = car[np.isfinite(car)]
    n = car.size
    if n < 2 or not np.any(car != 0):
        value = pvalue = float("nan")
        note = "needs at least two non-zero CARs"
    else:
        nonzero = car[car != 0]
        ranks = average_ranks(np.abs(nonzero))
        r_plus, r_minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
        m = nonzero.size
        _, tie_sizes = np.unique(np.abs(nonzero), return_counts=True)
        tied, zeros = bool(np.any(tie_sizes > 1)), m < n
        value = min(r_plus, r_minus)
        if not (tied or zeros) and n <= 50:
            null = _signed_rank_null(m)
            pvalue = float(np.clip(2 * min(null[int(math.floor(r_plus)):].sum(),
                                           null[:int(math.ceil(r_plus)) + 1].sum()), 0.0, 1.0))
        elif n <= 13:
            from scipy import stats  # ties or zeros in a small sample: scipy's exact permutation test

            pvalue = float(stats.wilcoxon(car, alternative="two-sided", method="auto").pvalue)
        else:
            variance = (m * (m + 1) * (2 * m + 1) - np.sum(tie_sizes**3 - tie_sizes) / 2) / 24
            z = (r_plus - m * (m + 1) / 4) / math.sqrt(variance)
            pvalue = float(math.erfc(abs(z) / math.sqrt(2)))  # 2 Φ(−|z|)
        note = "assumes independent firms; exact p for N <= 50 without ties"
    return HypothesisTest(
        name="Wilcoxon signed-rank W",
        value=value,
        pvalue=pvalue,
        distribution="Wilcoxon signed-rank (exact for N <= 50)",
        null_hypothesis="the CARs are symmetric about zero",
        n=n,
        note=note,
    )


def bootstrap_caar_test(
    estimation_ar: np.ndarray,
    caar: float,
    window_length: int,
    window_factor: float,
    residual_df: float,
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
) -> HypothesisTest:
    """Bootstrap p-value of the CAAR that resamples whole estimation-window dates (Efron and Tibshirani 1993).

    A draw picks ``window_length`` dates of the estimation window with replacement and sums the cross-sectional
    mean abnormal return of those dates: since every firm of a date is taken together, the draw keeps the
    cross-correlation of the firms. The null distribution is centred (the mean AAR of the window is subtracted) and
    scaled by ``sqrt(c_W L1 / (L df))``, which turns the in-sample residual variance (divisor L1) into the
    out-of-sample prediction-error variance of the window (c_W, divisor df). Two-sided p::

        p = (1 + #{|CAAR*| >= |CAAR|}) / (draws + 1)

    Because the mean over firms commutes with the sum over dates, each draw costs ``window_length`` look-ups in the
    L1-vector of AARs: 9 999 draws take about a millisecond whatever N is.

    Parameters
    ----------
    estimation_ar : ndarray, shape (L1, N)
        Estimation-window abnormal returns.
    caar : float
        The observed CAAR of the window (decimal).
    window_length : int
        L, sessions in the event window.
    window_factor : float
        c_W = 1'[I + X*(X'X)⁻¹X*']1 of the window (L for the market-adjusted model).
    residual_df : float
        The model's residual degrees of freedom.
    draws : int
        Bootstrap draws (default :data:`BOOTSTRAP_DRAWS`).
    seed : int
        Seed of :func:`numpy.random.default_rng` (default :data:`BOOTSTRAP_SEED`).

    Returns
    -------
    HypothesisTest
        ``value`` is the observed CAAR; ``df`` holds the number of draws.
    """
    est = np.asarray(estimation_ar, dtype=float)
    n_est = est.shape[0]
    aar = est.mean(axis=1)
    aar = aar - aar.mean()
    scale = math.sqrt(window_factor * n_est / (window_length * residual_df))
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n_est, size=(int(draws), int(window_length)))
    null = aar[rows].sum(axis=1) * scale
    exceed = int(np.count_nonzero(np.abs(null) >= abs(caar)))
    return HypothesisTest(
        name="bootstrap CAAR (dates resampled)",
        value=float(caar),
        pvalue=(1.0 + exceed) / (draws + 1.0),
        distribution=f"bootstrap, {int(draws)} draws of whole dates, seed {int(seed)}",
        null_hypothesis="the CAAR is drawn from the estimation-window distribution",
        df=float(draws),
        n=int(est.shape[1]),
        note="keeps the cross-correlation of firms; smallest p is 1/(draws + 1)",
    )


def pretrend_f_statistics(
    abnormal_returns: np.ndarray, bracket: np.ndarray, sigma2: np.ndarray, residual_df: float
) -> tuple[np.ndarray, np.ndarray]:
    """Batched joint test that a firm's L pre-event abnormal returns are all zero (a pre-trend test).

    With Cov(AR) = σ²B (B the prediction-error bracket I + X*(X'X)⁻¹X*' of the window) and σ̂² independent of the
    out-of-sample ARs under normal errors::

        F_i = AR_i' B⁻¹ AR_i / (L σ̂²_i)  ~  F(L, df)

    exactly (Campbell, Lo and MacKinlay 1997, sec. 4.4; the one-firm case of the Hotelling test).

    Parameters
    ----------
    abnormal_returns : ndarray, shape (L, N)
    bracket : ndarray, shape (L, L)
    sigma2 : ndarray, shape (N,)
    residual_df : float

    Returns
    -------
    F, p : ndarray, shape (N,)
        The statistics and their upper-tail F(L, df) p-values.
    """
    ar = np.asarray(abnormal_returns, dtype=float)
    if ar.ndim == 1:
        ar = ar[:, None]
    length = ar.shape[0]
    solved = np.linalg.solve(np.asarray(bracket, dtype=float), ar)
    quad = np.einsum("ij,ij->j", ar, solved)
    f = quad / (length * np.asarray(sigma2, dtype=float))
    return f, f_sf(f, length, residual_df)  # = scipy.stats.f.sf(f, length, residual_df)


def pretrend_test(
    abnormal_returns: np.ndarray, bracket: np.ndarray, sigma2: float, residual_df: float, *, label: str = "pre-trend F"
) -> HypothesisTest:
    """One series' pre-trend F test (see :func:`pretrend_f_statistics`), as a :class:`HypothesisTest`.

    Parameters
    ----------
    abnormal_returns : ndarray, shape (L,)
    bracket : ndarray, shape (L, L)
    sigma2 : float
    residual_df : float
    label : str

    Returns
    -------
    HypothesisTest
    """
    ar = np.asarray(abnormal_returns, dtype=float).reshape(-1)
    f, p = pretrend_f_statistics(ar[:, None], bracket, np.array([sigma2]), residual_df)
    return HypothesisTest(
        name=label,
        value=float(f[0]),
        pvalue=float(p[0]),
        distribution=f"F({ar.size}, {residual_df:g})",
        null_hypothesis="every abnormal return of the pre-event window is zero",
        df=float(residual_df),
        n=1,
    )


def adjust_pvalues(pvalues, method: str) -> np.ndarray:
    """Multiple-testing adjustment of a family of p-values, the numbers of
    :func:`statsmodels.stats.multitest.multipletests` (``"holm"``, ``"fdr_bh"``).

    Both procedures are a sort and a running extremum, written out here: importing ``statsmodels.stats.multitest``
    costs about 0.6 s (it pulls in ``scipy.stats``), longer than a whole study of the command line, and its
    ``"holm"`` branch calls ``gc.collect()`` (about 0.2 s per call on a notebook's heap). The tests check both
    against ``multipletests`` on random and tied families.

    Parameters
    ----------
    pvalues : array_like
        Raw p-values (NaN entries are left out of the family and stay NaN).
    method : {"holm", "fdr_bh"}
        Holm (1979) step-down, which controls the family-wise error rate: the k-th smallest of m p-values becomes
        ``max over j <= k of (m - j + 1) p_(j)``; or Benjamini and Hochberg (1995) step-up, which controls the false
        discovery rate: ``min over j >= k of m p_(j) / j``. Both are capped at 1.

    Returns
    -------
    ndarray
        Adjusted p-values, in the order given.
    """
    if method not in ("holm", "fdr_bh"):
        raise ValueError(f"method must be 'holm' or 'fdr_bh', not {method!r}")
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if not finite.any():
        return out
    values = p[finite]
    m = values.size
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if method == "holm":
        steps = np.maximum.accumulate(ranked * np.arange(m, 0, -1))
    else:
        steps = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    adjusted = np.empty_like(values)
    adjusted[order] = np.minimum(steps, 1.0)
    out[finite] = adjusted
    return out


def placebo_pvalues(estimation_ar: np.ndarray, ar0: np.ndarray) -> np.ndarray:
    """Batched two-sided placebo p-values of day 0 (docs/METHOD.md).

    ``p_i = (1 + #{t in estimation window: |AR_it| >= |AR_i0|}) / (L1 + 1)``: the rank of day 0's absolute AR among
    the estimation-window ARs, counting day 0 itself. It needs no normality, which matters for a fat-tailed −17 %
    day; its smallest possible value is 1/(L1 + 1).

    Parameters
    ----------
    estimation_ar : ndarray, shape (L1, N)
        Estimation-window abnormal returns (the in-sample residuals).
    ar0 : ndarray, shape (N,)
        Day-0 abnormal returns.

    Returns
    -------
    ndarray, shape (N,)
    """
    est = np.abs(np.asarray(estimation_ar, dtype=float))
    if est.ndim == 1:
        est = est[:, None]
    a0 = np.abs(np.atleast_1d(np.asarray(ar0, dtype=float)))
    exceed = (est >= a0[None, :]).sum(axis=0)
    return (1.0 + exceed) / (est.shape[0] + 1.0)


def placebo_test(estimation_ar: np.ndarray, ar0: float) -> HypothesisTest:
    """One firm's placebo p-value of day 0 as a :class:`HypothesisTest`; ``value`` is AR_0.

    Parameters
    ----------
    estimation_ar : ndarray, shape (L1,)
    ar0 : float

    Returns
    -------
    HypothesisTest
    """
    est = np.asarray(estimation_ar, dtype=float).ravel()
    p = float(placebo_pvalues(est[:, None], np.array([ar0]))[0])
    return HypothesisTest(
        name="placebo (rank of |AR_0| among estimation-window |AR|)",
        value=float(ar0),
        pvalue=p,
        distribution=f"empirical, {est.size} estimation-window ARs",
        null_hypothesis="day 0's abnormal return is drawn from the same distribution as the estimation-window ARs",
        n=1,
        note=f"smallest attainable p = 1/{est.size + 1}",
    )


# ---------------------------------------------------------------------------------------------------------------
# Group of firms sharing day 0
# ---------------------------------------------------------------------------------------------------------------


def mean_pairwise_correlation(residuals: np.ndarray) -> float:
    """r̄: the mean of the N(N−1)/2 pairwise Pearson correlations of the columns of ``residuals`` (L1 × N).

    Kolari & Pynnönen (2010) use it to deflate the Patell and BMP statistics. NaN when N < 2.

    Parameters
    ----------
    residuals : ndarray, shape (L1, N)

    Returns
    -------
    float
    """
    res = np.asarray(residuals, dtype=float)
    n = res.shape[1]
    if n < 2:
        return float("nan")
    corr = np.corrcoef(res, rowvar=False)
    upper = corr[np.triu_indices(n, k=1)]
    return float(upper.mean())


def _kp_factor(n: int, rbar: float) -> float:
    """1 + (N − 1) r̄, the variance inflation of a sum of N equicorrelated standardized variables."""
    if n < 2:
        return 1.0
    return 1.0 + (n - 1) * rbar


def portfolio_test(car: float, variance: float, df: float, n: int) -> HypothesisTest:
    """The equal-weighted portfolio of the N firms, tested as one firm.

    The portfolio is regressed on its own (its residual variance contains all the firms' covariances, the "crude
    dependence adjustment" of Brown & Warner 1980), so the t is valid under any cross-correlation.

    Parameters
    ----------
    car : float
        The portfolio's CAR (= CAAR).
    variance : float
        Its exact variance from the portfolio's own regression.
    df : float
    n : int
        Number of firms.

    Returns
    -------
    HypothesisTest
    """
    t, p = car_t_statistics(np.array([car]), np.array([variance]), df)
    return HypothesisTest(
        name="equal-weighted portfolio t",
        value=float(t[0]),
        pvalue=float(p[0]),
        distribution=f"t({df:g})",
        null_hypothesis="the equal-weighted portfolio's CAR is zero",
        df=float(df),
        n=n,
    )


def patell_test(scar: np.ndarray, df: float | np.ndarray) -> HypothesisTest:
    """Patell (1976) z: ``Σ SCAR_i / sqrt(Σ df_i / (df_i − 2))``, N(0,1) under independence.

    SCAR_i is Student t with df_i = L1 − k degrees of freedom under the null, whose variance is df/(df − 2); with the
    market model this is docs/METHOD.md's (L1 − 2)/(L1 − 4).

    Parameters
    ----------
    scar : ndarray, shape (N,)
    df : float or ndarray

    Returns
    -------
    HypothesisTest
    """
    scar = np.asarray(scar, dtype=float)
    n = scar.size
    dfs = np.broadcast_to(np.asarray(df, dtype=float), scar.shape)
    if np.any(dfs <= 2):
        z = float("nan")
    else:
        z = float(scar.sum() / math.sqrt(float(np.sum(dfs / (dfs - 2.0)))))
    return HypothesisTest(
        name="Patell z",
        value=z,
        pvalue=float(normal_pvalue(z)),
        distribution="N(0,1)",
        null_hypothesis="the mean standardized CAR is zero (firms independent)",
        n=n,
        note="assumes independent firms",
    )


def patell_test_adjusted(scar: np.ndarray, df: float | np.ndarray, rbar: float) -> HypothesisTest:
    """Kolari & Pynnönen (2010) adjusted Patell z: ``z_Patell · sqrt(1 / (1 + (N − 1) r̄))``, N(0,1).

    Parameters
    ----------
    scar : ndarray, shape (N,)
    df : float or ndarray
    rbar : float

    Returns
    -------
    HypothesisTest
    """
    base = patell_test(scar, df)
    n = base.n or 0
    factor = _kp_factor(n, rbar)
    z = base.value / math.sqrt(factor) if factor > 0 else float("nan")
    return HypothesisTest(
        name="Kolari–Pynnönen adjusted Patell z",
        value=z,
        pvalue=float(normal_pvalue(z)),
        distribution="N(0,1)",
        null_hypothesis="the mean standardized CAR is zero (equicorrelated firms)",
        n=n,
        rbar=rbar,
    )


def bmp_test(scar: np.ndarray) -> HypothesisTest:
    """Boehmer, Musumeci & Poulsen (1991) t: ``mean(SCAR) / (sd(SCAR, ddof=1) / sqrt(N))``, t(N − 1).

    Robust to event-induced variance (it uses the cross-sectional spread of SCAR), not to cross-correlation.
    Undefined (NaN) for N < 2.

    Parameters
    ----------
    scar : ndarray, shape (N,)

    Returns
    -------
    HypothesisTest
    """
    scar = np.asarray(scar, dtype=float)
    n = scar.size
    if n < 2:
        t = float("nan")
    else:
        t = float(scar.mean() / (scar.std(ddof=1) / math.sqrt(n)))
    return HypothesisTest(
        name="BMP t",
        value=t,
        pvalue=float(student_t_pvalue(t, max(n - 1, 1))),
        distribution=f"t({n - 1})",
        null_hypothesis="the mean standardized CAR is zero (firms independent)",
        df=float(n - 1),
        n=n,
        note="assumes independent firms" if n >= 2 else "undefined for N < 2",
    )


def kp_bmp_test(scar: np.ndarray, rbar: float) -> HypothesisTest:
    """Kolari & Pynnönen (2010) adjusted BMP t: ``t_BMP · sqrt((1 − r̄) / (1 + (N − 1) r̄))``, t(N − 1).

    Kolari & Pynnönen (2010), eq. (9). Undefined (NaN) for N < 2.

    Parameters
    ----------
    scar : ndarray, shape (N,)
    rbar : float

    Returns
    -------
    HypothesisTest
    """
    base = bmp_test(scar)
    n = base.n or 0
    factor = _kp_factor(n, rbar)
    if n < 2 or factor <= 0:
        t = float("nan")
    else:
        t = base.value * math.sqrt((1.0 - rbar) / factor)
    return HypothesisTest(
        name="Kolari–Pynnönen adjusted BMP t",
        value=t,
        pvalue=float(student_t_pvalue(t, max(n - 1, 1))),
        distribution=f"t({n - 1})",
        null_hypothesis="the mean standardized CAR is zero (equicorrelated firms)",
        df=float(n - 1),
        n=n,
        rbar=rbar,
        note="" if n >= 2 else "undefined for N < 2",
    )


def corrado_rank_test(abnormal_returns: np.ndarray, event_row: int) -> HypothesisTest:
    """Corrado (1989) rank test of one day (day 0).

    Each firm's ARs over the estimation window plus the event days (T sessions in all, the rows of
    ``abnormal_returns``) are ranked (ties get their average rank) and centred at (T + 1)/2. The statistic is the
    day's cross-sectional mean centred rank divided by
    ``S(K) = sqrt((1/T) Σ_t (mean_i centred rank_it)²)``, the time-series standard deviation of the daily mean
    centred rank. Approximately N(0,1); it uses the time series, so it is less hurt by cross-correlation than
    cross-sectional tests, but it is not adjusted for it.

    Parameters
    ----------
    abnormal_returns : ndarray, shape (T, N)
        Estimation-window ARs followed by the event-span ARs, one column per firm.
    event_row : int
        Row of the tested day (day 0) in ``abnormal_returns``.

    Returns
    -------
    HypothesisTest
    """
    ar = np.asarray(abnormal_returns, dtype=float)
    if ar.ndim == 1:
        ar = ar[:, None]
    t_days, n = ar.shape
    ranks = average_ranks(ar)
    centred = ranks - (t_days + 1) / 2.0
    daily_mean = centred.mean(axis=1)
    s_k = math.sqrt(float(np.mean(daily_mean**2)))
    value = float(daily_mean[event_row] / s_k) if s_k > 0 else float("nan")
    return HypothesisTest(
        name="Corrado rank t (day 0)",
        value=value,
        pvalue=float(normal_pvalue(value)),
        distribution="N(0,1)",
        null_hypothesis="day 0's abnormal returns rank no differently from other days'",
        n=n,
        note=f"ranks over T = {t_days} sessions (estimation window and event span)",
    )


def generalized_sign_test(estimation_ar: np.ndarray, car: np.ndarray) -> HypothesisTest:
    """Cowan (1992) generalized sign z. **Assumes independence** across firms.

    ``p̂`` is the share of positive estimation-window ARs (the mean over firms of each firm's share), ``w`` the number
    of firms with a positive CAR in the window, and ``z = (w − N p̂) / sqrt(N p̂ (1 − p̂))``, approximately N(0,1).

    Parameters
    ----------
    estimation_ar : ndarray, shape (L1, N)
    car : ndarray, shape (N,)

    Returns
    -------
    HypothesisTest
    """
    est = np.asarray(estimation_ar, dtype=float)
    if est.ndim == 1:
        est = est[:, None]
    car = np.atleast_1d(np.asarray(car, dtype=float))
    n = car.size
    p_hat = float(np.mean((est > 0).mean(axis=0)))
    w = int(np.sum(car > 0))
    denom = n * p_hat * (1.0 - p_hat)
    z = float((w - n * p_hat) / math.sqrt(denom)) if denom > 0 else float("nan")
    return HypothesisTest(
        name="generalized sign z",
        value=z,
        pvalue=float(normal_pvalue(z)),
        distribution="N(0,1)",
        null_hypothesis=f"the share of positive CARs equals the estimation-window share of positive ARs ({p_hat:.3f})",
        n=n,
        note="assumes independence",
    )


def grank_test(estimation_sar: np.ndarray, scar: np.ndarray) -> HypothesisTest:
    """Kolari & Pynnönen (2011) generalized rank test (GRANK) of a CAR window.

    1. ``SCAR*_i = SCAR_i / S_SCAR``, with S_SCAR the cross-sectional standard deviation (ddof=1) of SCAR: this
       re-standardization absorbs event-induced volatility.
    2. The generalized standardized abnormal returns of firm i are its L1 estimation-window SARs
       (``AR_it / σ̂_i``) and, as one extra "day 0", ``SCAR*_i``: T = L1 + 1 values.
    3. ``U_it = rank(GSAR_it) / (T + 1) − 1/2`` (ranks within the firm, ties averaged).
    4. ``Z = Ū_0 / S_Ū`` with ``Ū_t`` the cross-sectional mean of U and ``S_Ū = sqrt((1/T) Σ_t Ū_t²)`` over all T
       days (every firm has every day here, so the weights n_t/n are 1).
    5. ``t_grank = Z sqrt((T − 2) / (T − 1 − Z²))``, Student t with T − 2 degrees of freedom.

    Because S_Ū is a time-series dispersion of the *cross-sectional mean* rank, it contains the cross-correlation
    of the firms: the test is robust to it. Undefined (NaN) for N < 2.

    Parameters
    ----------
    estimation_sar : ndarray, shape (L1, N)
        Standardized estimation-window ARs, ``AR_it / σ̂_i``.
    scar : ndarray, shape (N,)
        Standardized CARs of the window, ``CAR_i / sqrt(Var(CAR_i))``.

    Returns
    -------
    HypothesisTest
    """
    sar = np.asarray(estimation_sar, dtype=float)
    if sar.ndim == 1:
        sar = sar[:, None]
    scar = np.atleast_1d(np.asarray(scar, dtype=float))
    n = scar.size
    t_days = sar.shape[0] + 1
    df = t_days - 2
    value = float("nan")
    if n >= 2:
        s_scar = float(scar.std(ddof=1))
        if s_scar > 0:
            gsar = np.vstack([sar, (scar / s_scar)[None, :]])
            u = average_ranks(gsar) / (t_days + 1.0) - 0.5
            u_bar = u.mean(axis=1)
            s_u = math.sqrt(float(np.mean(u_bar**2)))
            z = float(u_bar[-1] / s_u) if s_u > 0 else float("nan")
            if t_days - 1.0 - z * z > 0:
                value = z * math.sqrt((t_days - 2.0) / (t_days - 1.0 - z * z))
    return HypothesisTest(
        name="GRANK t",
        value=value,
        pvalue=float(student_t_pvalue(value, df)),
        distribution=f"t({df})",
        null_hypothesis="the window's cumulative abnormal returns rank no differently from ordinary days",
        df=float(df),
        n=n,
        note=_grank_note(n),
    )


def _grank_note(n: int) -> str:
    if n < 2:
        return "undefined for N < 2"
    note = "robust to cross-correlation and event-induced volatility"
    if n < GRANK_SMALL_N:
        note += (
            f"; with N = {n} it over-rejects: its day-0 mean rank behaves like mean(SCAR)/sd(SCAR), whose tails are "
            "t(N − 1) rather than normal (about 8–9 % at a nominal 5 % for N = 5–10 in the project's simulations)"
        )
    return note


def wald_test(
    car: np.ndarray, covariance: np.ndarray | None, *, residual_df: float | None = None
) -> HypothesisTest:
    """Joint Wald test that all N firms' CARs over a window (day-0 ARs for the window [0,0]) are zero.

    ``W = CAR' C⁻¹ CAR``, χ²(N) under the null, where ``C = c_W Σ̂``: Σ̂ is the covariance of the firms'
    estimation-window residuals (SSR-type, divided by the model's residual df, so that its diagonal is σ̂²_i) and
    c_W = 1'[I + X*(X'X)⁻¹X*']1 the window's exact prediction-error factor shared by all firms (they share the
    regressors). With N = 1, W is the square of the single-firm t.

    The χ²(N) law is the large-L1 law: Σ̂ is estimated, so W over-rejects somewhat in finite samples (about 7 % at a
    nominal 5 % with N = 10 and df = 238). :func:`hotelling_test` gives the exact finite-sample version. Σ̂ must be
    invertible: N must be below the residual df (NaN otherwise).

    Parameters
    ----------
    car : ndarray, shape (N,)
    covariance : ndarray, shape (N, N), or None
        ``C``, the covariance of the CAR vector under the null (None when it could not be formed).
    residual_df : float, optional
        Degrees of freedom of Σ̂ (L1 − k); if given and N >= it, the test is reported as undefined.

    Returns
    -------
    HypothesisTest
    """
    car = np.atleast_1d(np.asarray(car, dtype=float))
    n = car.size
    value, note = _wald_value(car, covariance, residual_df)
    return HypothesisTest(
        name="Wald chi2 (all CARs zero)",
        value=value,
        pvalue=float(chi2_sf(value, n)),  # = scipy.stats.chi2.sf(value, n)
        distribution=f"chi2({n})",
        null_hypothesis="every firm's CAR over the window is zero",
        df=float(n),
        n=n,
        note=note or "full residual covariance: robust to cross-correlation; chi2 is the large-L1 law",
    )


def hotelling_test(car: np.ndarray, covariance: np.ndarray | None, residual_df: float) -> HypothesisTest:
    """The exact finite-sample form of :func:`wald_test`: Hotelling's T².

    Under normal errors the event-window ARs are independent of the estimation residuals, and df·Σ̂ is Wishart(df,
    Σ), so ``F = (df − N + 1) / (N df) · W`` follows F(N, df − N + 1) exactly (Hotelling 1931; Anderson 2003,
    sec. 5.2). ``value`` is F.

    Parameters
    ----------
    car : ndarray, shape (N,)
    covariance : ndarray, shape (N, N), or None
    residual_df : float

    Returns
    -------
    HypothesisTest
    """
    car = np.atleast_1d(np.asarray(car, dtype=float))
    n = car.size
    wald, note = _wald_value(car, covariance, residual_df)
    df2 = residual_df - n + 1
    value = wald * df2 / (n * residual_df) if df2 > 0 else float("nan")
    return HypothesisTest(
        name="Hotelling F (all CARs zero, exact)",
        value=value,
        pvalue=float(f_sf(value, n, max(df2, 1))),  # = scipy.stats.f.sf(value, n, df2)
        distribution=f"F({n}, {df2:g})",
        null_hypothesis="every firm's CAR over the window is zero",
        df=float(df2),
        n=n,
        note=note or "exact under normal errors; robust to cross-correlation",
    )


def _wald_value(car: np.ndarray, covariance: np.ndarray | None, residual_df: float | None) -> tuple[float, str]:
    n = car.size
    if covariance is None or (residual_df is not None and n >= residual_df):
        return float("nan"), f"undefined: N = {n} is not below the residual df {residual_df}, so Σ̂ is singular"
    try:
        chol = np.linalg.cholesky(np.atleast_2d(np.asarray(covariance, dtype=float)))
    except np.linalg.LinAlgError:
        return float("nan"), "undefined: the residual covariance is not positive definite"
    whitened = np.linalg.solve(chol, car)
    return float(whitened @ whitened), ""


# ---------------------------------------------------------------------------------------------------------------
# All group statistics of one group
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupWindowStatistics:
    """The group statistics of one event window (decimal simple returns, close-to-close).

    Attributes
    ----------
    window : tuple of int
        (first, last) relative session, inclusive.
    caar : float
        Cumulative average abnormal return: the mean over firms of CAR_i.
    portfolio_car, portfolio_se : float
        CAR of the equal-weighted portfolio (equals ``caar``) and its exact standard error from the portfolio's own
        regression.
    portfolio, patell, patell_adjusted, bmp, kp_bmp, generalized_sign, grank, wald, wald_exact : HypothesisTest
        ``wald`` is χ²(N) as specified; ``wald_exact`` its exact Hotelling F form.
    csect, skew, wilcoxon, bootstrap : HypothesisTest
        Cross-sectional t (Brown and Warner 1985), skewness-adjusted t (Hall 1992), Wilcoxon signed-rank test of the
        CARs, and the date-resampling bootstrap of the CAAR (JSON keys csect_t/_p, skew_t/_p, wilcoxon_w/_p,
        bootstrap_p).
    """

    window: tuple[int, int]
    caar: float
    portfolio_car: float
    portfolio_se: float
    portfolio: HypothesisTest
    patell: HypothesisTest
    patell_adjusted: HypothesisTest
    bmp: HypothesisTest
    kp_bmp: HypothesisTest
    generalized_sign: HypothesisTest
    grank: HypothesisTest
    wald: HypothesisTest
    wald_exact: HypothesisTest
    csect: HypothesisTest | None = None
    skew: HypothesisTest | None = None
    wilcoxon: HypothesisTest | None = None
    bootstrap: HypothesisTest | None = None

    @property
    def portfolio_t(self) -> float:
        return self.portfolio.value

    @property
    def patell_z(self) -> float:
        return self.patell.value

    @property
    def patell_z_adj(self) -> float:
        return self.patell_adjusted.value

    @property
    def bmp_t(self) -> float:
        return self.bmp.value

    @property
    def kp_bmp_t(self) -> float:
        return self.kp_bmp.value

    @property
    def gsign_z(self) -> float:
        return self.generalized_sign.value

    @property
    def grank_t(self) -> float:
        return self.grank.value

    @property
    def wald_chi2(self) -> float:
        return self.wald.value

    @property
    def wald_p(self) -> float:
        return self.wald.pvalue

    def tests(self) -> dict[str, HypothesisTest]:
        """The window's tests by short name.

        Returns
        -------
        dict of str to HypothesisTest
        """
        return {
            "portfolio_t": self.portfolio,
            "patell_z": self.patell,
            "patell_z_adj": self.patell_adjusted,
            "bmp_t": self.bmp,
            "kp_bmp_t": self.kp_bmp,
            "gsign_z": self.generalized_sign,
            "grank_t": self.grank,
            "wald_chi2": self.wald,
            "wald_f": self.wald_exact,
        }

    def to_dict(self) -> dict:
        """The JSON shape of issue 3 and 6: statistics, then their p-values as ``<name>_p``.

        Returns
        -------
        dict
        """
        out = {
            "caar": _json_float(self.caar),
            "portfolio_car": _json_float(self.portfolio_car),
            "portfolio_se": _json_float(self.portfolio_se),
        }
        for key, test in self.tests().items():
            out[key] = _json_float(test.value)
        p_keys = {
            "portfolio_t": "portfolio_p",
            "patell_z": "patell_p",
            "patell_z_adj": "patell_adj_p",
            "bmp_t": "bmp_p",
            "kp_bmp_t": "kp_bmp_p",
            "gsign_z": "gsign_p",
            "grank_t": "grank_p",
            "wald_chi2": "wald_p",
            "wald_f": "wald_f_p",
        }
        for key, test in self.tests().items():
            out[p_keys[key]] = _json_float(test.pvalue)
        extra = {"csect": self.csect, "skew": self.skew}
        for key, test in extra.items():
            if test is not None:
                out[f"{key}_t"] = _json_float(test.value)
                out[f"{key}_p"] = _json_float(test.pvalue)
        if self.wilcoxon is not None:
            out["wilcoxon_w"] = _json_float(self.wilcoxon.value)
            out["wilcoxon_p"] = _json_float(self.wilcoxon.pvalue)
        if self.bootstrap is not None:
            out["bootstrap_p"] = _json_float(self.bootstrap.pvalue)
        return out


@dataclass(frozen=True)
class GroupStatistics:
    """All group statistics of a set of firms sharing day 0.

    Attributes
    ----------
    tickers : tuple of str
    n : int
        Number of firms.
    rbar : float
        Mean pairwise correlation of the firms' estimation-window residuals (NaN if N < 2).
    corrado : HypothesisTest
        Corrado (1989) rank test of day 0.
    windows : tuple of GroupWindowStatistics
        One per event window, in the order configured. Look one up with ``stats["0,1"]`` or ``stats[(0, 1)]``.
    note : str
        Caveats (small N).
    """

    tickers: tuple[str, ...]
    n: int
    rbar: float
    corrado: HypothesisTest
    windows: tuple[GroupWindowStatistics, ...]
    note: str = ""
    bootstrap_draws: int = BOOTSTRAP_DRAWS
    bootstrap_seed: int = BOOTSTRAP_SEED

    @property
    def corrado_t(self) -> float:
        return self.corrado.value

    def __getitem__(self, window: str | tuple[int, int]) -> GroupWindowStatistics:
        key = window if isinstance(window, str) else window_key(window)
        for w in self.windows:
            if window_key(w.window) == key:
                return w
        raise KeyError(f"no event window {key!r}; configured: {[window_key(w.window) for w in self.windows]}")

    def to_dict(self) -> dict:
        """JSON shape: tickers, n, rbar, corrado_t, corrado_p, windows{"a,b": {...}}, note.

        Returns
        -------
        dict
        """
        return {
            "tickers": list(self.tickers),
            "n": int(self.n),
            "rbar": _json_float(self.rbar),
            "corrado_t": _json_float(self.corrado.value),
            "corrado_p": _json_float(self.corrado.pvalue),
            "windows": {window_key(w.window): w.to_dict() for w in self.windows},
            "note": self.note,
            "bootstrap": {"draws": int(self.bootstrap_draws), "seed": int(self.bootstrap_seed),
                          "resamples": "whole estimation-window dates (keeps the cross-correlation of firms)"},
        }


def group_statistics(
    *,
    tickers: Sequence[str],
    estimation_ar: np.ndarray,
    variance_residuals: np.ndarray,
    residual_df: float,
    event_ar: np.ndarray,
    event_taus: Sequence[int],
    windows: Sequence[tuple[int, int]],
    window_factors: Sequence[float],
    bootstrap_draws: int = BOOTSTRAP_DRAWS,
    bootstrap_seed: int = BOOTSTRAP_SEED,
) -> GroupStatistics:
    """Every group statistic of docs/METHOD.md and issue 6 for one set of firms.

    The firms share the regressors, so every firm's CAR over window W has variance ``c_W σ̂²_i`` and the vector of
    CARs has covariance ``c_W Σ̂``, with c_W = 1'[I + X*(X'X)⁻¹X*']1 (``window_factors``) and Σ̂ = E'E / df. The
    equal-weighted portfolio regressed on its own has residuals equal to the mean of the firms' residuals (OLS is
    linear in the dependent variable), hence σ̂²_p = Σ_t ē_t² / df = 1'Σ̂1 / N². Σ̂ itself (N × N) is formed only for
    the Wald test, and only when N is below the residual df.

    Parameters
    ----------
    tickers : sequence of str
    estimation_ar : ndarray, shape (L1, N)
        Estimation-window abnormal returns (residuals).
    variance_residuals : ndarray, shape (L1, N)
        E, the residuals whose cross-products divided by ``residual_df`` give Σ̂ (its diagonal is σ̂²_i): the
        estimation-window ARs of a model with an intercept, the demeaned ARs for the market-adjusted model.
    residual_df : float
        The model's residual degrees of freedom (L1 − k).
    event_ar : ndarray, shape (S, N)
        Abnormal returns of the event span (out of sample).
    event_taus : sequence of int, length S
        Relative sessions of the rows of ``event_ar``; must contain 0 and every window.
    windows : sequence of (int, int)
    window_factors : sequence of float
        c_W of each window.
    bootstrap_draws, bootstrap_seed : int
        Of :func:`bootstrap_caar_test`.

    Returns
    -------
    GroupStatistics
        Also holding, per window, the cross-sectional t (Brown and Warner 1985), the skewness-adjusted t (Hall 1992),
        the Wilcoxon signed-rank test and the date-resampling bootstrap of the CAAR.
    """
    est = np.asarray(estimation_ar, dtype=float)
    resid = np.asarray(variance_residuals, dtype=float)
    ev = np.asarray(event_ar, dtype=float)
    taus = [int(t) for t in event_taus]
    n = est.shape[1]
    sigma2 = np.einsum("ij,ij->j", resid, resid) / residual_df
    sigma = np.sqrt(sigma2)
    rbar = mean_pairwise_correlation(est)
    portfolio_residuals = resid.mean(axis=1)
    portfolio_var = float(portfolio_residuals @ portfolio_residuals) / residual_df
    cov = resid.T @ resid / residual_df if n < residual_df else None

    position = {tau: i for i, tau in enumerate(taus)}
    corrado = corrado_rank_test(np.vstack([est, ev]), est.shape[0] + position[0])
    estimation_sar = est / sigma[None, :]

    per_window = []
    for window, factor in zip(windows, window_factors, strict=True):
        rows = slice(position[window[0]], position[window[1]] + 1)
        car = ev[rows].sum(axis=0)
        scar = car / np.sqrt(factor * sigma2)
        caar = float(car.mean())
        portfolio_se = math.sqrt(factor * portfolio_var)
        per_window.append(
            GroupWindowStatistics(
                window=(int(window[0]), int(window[1])),
                caar=caar,
                portfolio_car=caar,
                portfolio_se=portfolio_se,
                portfolio=portfolio_test(caar, factor * portfolio_var, residual_df, n),
                patell=patell_test(scar, residual_df),
                patell_adjusted=patell_test_adjusted(scar, residual_df, rbar),
                bmp=bmp_test(scar),
                kp_bmp=kp_bmp_test(scar, rbar),
                generalized_sign=generalized_sign_test(est, car),
                grank=grank_test(estimation_sar, scar),
                wald=wald_test(car, None if cov is None else factor * cov, residual_df=residual_df),
                wald_exact=hotelling_test(car, None if cov is None else factor * cov, residual_df),
                csect=cross_sectional_t_test(car),
                skew=skewness_adjusted_t_test(car),
                wilcoxon=wilcoxon_test(car),
                bootstrap=bootstrap_caar_test(est, caar, window[1] - window[0] + 1, factor, residual_df,
                                              draws=bootstrap_draws, seed=bootstrap_seed),
            )
        )
    note = SMALL_GROUP_WARNING if n < SMALL_GROUP_SIZE else ""
    return GroupStatistics(
        tickers=tuple(tickers), n=n, rbar=rbar, corrado=corrado, windows=tuple(per_window), note=note,
        bootstrap_draws=int(bootstrap_draws), bootstrap_seed=int(bootstrap_seed),
    )
