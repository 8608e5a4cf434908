"""The event-study engine: normal-return models, abnormal and cumulative abnormal returns, exact variances, and the
results object.

All returns are **simple** returns (R_t = P_t / P_{t−1} − 1, close-to-close, from adjusted closes for stocks) in
**decimal fractions** (−0.1697, not −16.97). Relative day τ counts trading sessions from day 0.

Models (one linear model ``y = X b + e`` fitted by OLS over the estimation window, k regressors):

============== ============================ =================================== ============
model          y                            X                                   df
============== ============================ =================================== ============
market         R_i                          [1, R_m]                            L1 − 2
constant-mean  R_i                          [1]                                 L1 − 1
ff3            R_i − RF                     [1, Mkt-RF, SMB, HML]               L1 − 4
carhart        R_i − RF                     [1, Mkt-RF, SMB, HML, Mom]          L1 − 5
ff5            R_i − RF                     [1, Mkt-RF, SMB, HML, RMW, CMA]     L1 − 6
market-adj.    R_i − R_m (no fit)           none (α = 0, β = 1 fixed)           L1 − 1
garch          R_i                          [1, R_m], GARCH(1,1) errors (MLE)   L1 − 2
============== ============================ =================================== ============

The GARCH(1,1) market model (:mod:`analysis.volatility`) keeps the market model as its mean equation; its event-day
ARs are scaled by the conditional variances forecast at the end of the estimation window, instead of the constant
σ̂². A firm whose GARCH fit does not converge falls back to OLS, and the results say so.

For the linear models σ̂²_i = SSR_i / (L1 − k) and the abnormal returns of an event window with regressors X* have
the exact covariance (Campbell, Lo & MacKinlay 1997, eq. 4.4.8; MacKinlay 1997, eq. 7)::

    V_i = σ̂²_i [I + X*(X'X)⁻¹X*'],        Var(CAR_i) = 1'V_i 1,

which includes the estimation error of b. MacKinlay's closed form for the market model,
σ̂²[L + L²/L1 + (Σ R_m − L μ̂_m)² / S_mm], is its k = 2 special case (tests check they agree to 1e-12). The bracket
is shared by every firm, because all firms are regressed on the same X, so all N firms are fitted with **one** QR
decomposition and one triangular solve with an L1 × N right-hand side.

Market-adjusted model: AR = R − R_m, nothing is estimated. σ̂² is the sample variance of the estimation-window ARs
(ddof = 1), df = L1 − 1, and Var(CAR) = L σ̂² (V = σ̂² I: there is no estimation error in fixed parameters).

References
----------
.. [1] MacKinlay, A. C. (1997). "Event Studies in Economics and Finance". *J. Econ. Lit.* 35(1), 13–39.
.. [2] Campbell, J. Y., A. W. Lo and A. C. MacKinlay (1997). *The Econometrics of Financial Markets*, ch. 4.
.. [3] Fama, E. F. and K. R. French (1993). "Common risk factors in the returns on stocks and bonds". *J. Financial
   Economics* 33(1), 3–56.
.. [4] Carhart, M. M. (1997). "On persistence in mutual fund performance". *J. Finance* 52(1), 57–82.
.. [5] Fama, E. F. and K. R. French (2015). "A five-factor asset pricing model". *J. Financial Economics* 116(1),
   1–22.
.. [6] Bollerslev, T. (1986). "Generalized autoregressive conditional heteroskedasticity". *J. Econometrics* 31(3),
   307–327.
The group statistics and their references are in :mod:`analysis.inference`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis import config
from analysis.distributions import t_ppf
from analysis.errors import ConstantSeriesError, DataGapError, EventDateError, WindowError
from analysis.inference import (
    GRANK_SMALL_N,
    GroupStatistics,
    HypothesisTest,
    adjust_pvalues,
    car_t_statistics,
    car_t_test,
    group_statistics,
    placebo_pvalues,
    placebo_test,
    pretrend_f_statistics,
    pretrend_test,
    student_t_pvalue,
    window_key,
)
from analysis.events import window_label
from analysis.jsonutil import json_float as _json_float

__all__ = [
    "MODELS",
    "FF3_COLUMNS",
    "LinearFit",
    "fit_ols",
    "prediction_error_matrix",
    "EventStudy",
    "EventStudyResults",
    "index_reaction",
    "long_short_difference",
    "forest_table",
    "FACTOR_MODELS",
    "MARKET_MODELS",
    "EventStudyComparison",
    "compare",
    "window_label",
]

#: The normal-return models offered.
MODELS = ("market", "market-adjusted", "constant-mean", "ff3", "carhart", "ff5", "garch")
#: Columns the ``factors`` frame must hold for ``model="ff3"`` (decimal fractions, daily).
FF3_COLUMNS = ("Mkt-RF", "SMB", "HML", "RF")
#: The factor models: their regressors (the ``factors`` frame must also hold RF, decimal fractions, daily).
FACTOR_MODELS = MappingProxyType({
    "ff3": ("Mkt-RF", "SMB", "HML"),
    "carhart": ("Mkt-RF", "SMB", "HML", "Mom"),
    "ff5": ("Mkt-RF", "SMB", "HML", "RMW", "CMA"),
})
#: The models that need a benchmark series.
MARKET_MODELS = ("market", "market-adjusted", "garch")
#: Pre-event window of the pre-trend test (relative sessions).
PRETREND_WINDOW = (-10, -1)
#: Coefficient names of each model, in the column order of X.
PARAM_NAMES = MappingProxyType({
    "market": ("alpha", "beta"),
    "market-adjusted": ("alpha", "beta"),
    "constant-mean": ("alpha",),
    "ff3": ("alpha", "beta_mkt", "beta_smb", "beta_hml"),
    "carhart": ("alpha", "beta_mkt", "beta_smb", "beta_hml", "beta_mom"),
    "ff5": ("alpha", "beta_mkt", "beta_smb", "beta_hml", "beta_rmw", "beta_cma"),
    "garch": ("alpha", "beta"),
})
#: Equations, for labels.
MODEL_EQUATIONS = MappingProxyType({
    "market": "R_i = α_i + β_i R_m + ε_i (OLS)",
    "market-adjusted": "AR_i = R_i − R_m (α = 0, β = 1 fixed)",
    "constant-mean": "R_i = α_i + ε_i (OLS: the estimation-window mean)",
    "ff3": "R_i − RF = α_i + β_mkt (Mkt-RF) + β_smb SMB + β_hml HML + ε_i (OLS)",
    "carhart": "R_i − RF = α_i + β_mkt (Mkt-RF) + β_smb SMB + β_hml HML + β_mom Mom + ε_i (OLS)",
    "ff5": "R_i − RF = α_i + β_mkt (Mkt-RF) + β_smb SMB + β_hml HML + β_rmw RMW + β_cma CMA + ε_i (OLS)",
    "garch": "R_i = α_i + β_i R_m + ε_i, ε_i ~ GARCH(1,1) (MLE, arch)",
})
#: Returns below this are impossible for simple returns: the caller passed something else (log or percent).
_MIN_SIMPLE_RETURN = -1.0
#: A daily excess market return above this in absolute value means the factors are still in percent.
_MAX_DECIMAL_FACTOR = 0.25
#: σ̂ below this (decimal daily return) means the abnormal returns are identically zero.
_SIGMA_FLOOR = 1e-12
#: Dates named in an error message before "and k more".
_MAX_DATES_IN_MESSAGE = 6
#: JSON/returns label used everywhere.
RETURNS_LABEL = "simple close-to-close returns, decimal fractions"


# ---------------------------------------------------------------------------------------------------------------
# Linear algebra: one batched OLS, and the exact prediction-error bracket
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearFit:
    """OLS of N dependent columns on one shared design matrix.

    Attributes
    ----------
    coefficients : ndarray, shape (k, N)
    residuals : ndarray, shape (L1, N)
    sigma2 : ndarray, shape (N,)
        SSR / (L1 − k).
    df : int
        L1 − k.
    r_inverse : ndarray, shape (k, k)
        R⁻¹ of the thin QR decomposition X = QR, so that (X'X)⁻¹ = R⁻¹R⁻ᵀ.
    """

    coefficients: np.ndarray
    residuals: np.ndarray
    sigma2: np.ndarray
    df: int
    r_inverse: np.ndarray

    @property
    def xtx_inverse(self) -> np.ndarray:
        """(X'X)⁻¹, k × k."""
        return self.r_inverse @ self.r_inverse.T


def fit_ols(x: np.ndarray, y: np.ndarray) -> LinearFit:
    """Fit ``y = X b + e`` by OLS for every column of ``y`` at once.

    One thin QR decomposition of X (L1 × k) and one triangular solve with the L1 × N right-hand side Q'y; no Python
    loop over firms. The residual variance is SSR / (L1 − k) (Campbell, Lo & MacKinlay 1997, eq. 4.4.6).

    Raises
    ------
    ConstantSeriesError
        If X does not have full column rank (for example a constant benchmark).

    Parameters
    ----------
    x : ndarray, shape (L1, k)
        The shared design matrix.
    y : ndarray, shape (L1, N)
        One dependent column per firm.

    Returns
    -------
    LinearFit
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n_obs, k = x.shape
    q, r = np.linalg.qr(x, mode="reduced")
    diag = np.abs(np.diag(r))
    if diag.min() <= np.finfo(float).eps * n_obs * diag.max():
        raise ConstantSeriesError(
            "the regressors are constant or collinear over the estimation window, so the model cannot be fitted.",
            hint="check the benchmark or factor series for a constant (stale) stretch.",
        )
    coefficients = np.linalg.solve(r, q.T @ y)  # back-substitution: R is upper triangular, so LU pivots nothing
    residuals = y - x @ coefficients
    df = n_obs - k
    sigma2 = np.einsum("ij,ij->j", residuals, residuals) / df
    r_inverse = np.linalg.inv(r)
    return LinearFit(coefficients=coefficients, residuals=residuals, sigma2=sigma2, df=df, r_inverse=r_inverse)


def prediction_error_matrix(x_window: np.ndarray | None, xtx_inverse: np.ndarray | None, length: int) -> np.ndarray:
    """The bracket ``I + X*(X'X)⁻¹X*'`` of the exact covariance of a window's abnormal returns.

    ``V = σ̂² · bracket`` (Campbell, Lo & MacKinlay 1997, eq. 4.4.8). With no estimated parameters (the
    market-adjusted model, ``x_window=None``) it is the identity.

    Parameters
    ----------
    x_window : ndarray, shape (L, k), or None
    xtx_inverse : ndarray, shape (k, k), or None
    length : int
        L, the window's sessions.

    Returns
    -------
    ndarray, shape (L, L)
    """
    eye = np.eye(length)
    if x_window is None:
        return eye
    x_window = np.asarray(x_window, dtype=float)
    return eye + x_window @ xtx_inverse @ x_window.T


# ---------------------------------------------------------------------------------------------------------------
# Input checking and alignment
# ---------------------------------------------------------------------------------------------------------------


def _format_dates(dates: Sequence[pd.Timestamp]) -> str:
    shown = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in list(dates)[:_MAX_DATES_IN_MESSAGE]]
    extra = len(dates) - len(shown)
    return ", ".join(shown) + (f" and {extra} more" if extra > 0 else "")


def _check_index(index: pd.Index, what: str) -> None:
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"{what} must have a DatetimeIndex of sessions, not {type(index).__name__}")
    if index.tz is not None:
        raise TypeError(f"{what} must have a tz-naive DatetimeIndex of session dates (got tz={index.tz})")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise ValueError(f"{what} must have unique sessions in ascending order")


def _check_window(window: Sequence[int], what: str) -> tuple[int, int]:
    try:
        first, last = (int(window[0]), int(window[1]))
    except (TypeError, ValueError, IndexError) as exc:
        raise WindowError(f"{what} must be a pair of relative sessions (first, last), got {window!r}.") from exc
    if len(window) != 2 or first != window[0] or last != window[1]:
        raise WindowError(f"{what} must be a pair of integer relative sessions, got {window!r}.")
    if first > last:
        raise WindowError(f"{what} {window!r} starts after it ends.", hint="give (first, last) with first <= last.")
    return first, last


def _tau_label(tau: int) -> str:
    return f"{tau:+d}" if tau else "0"


@dataclass(frozen=True)
class _Aligned:
    """Validated inputs as arrays: estimation rows then event-span rows."""

    tickers: tuple[str, ...]
    estimation_taus: np.ndarray
    span_taus: np.ndarray
    estimation_sessions: pd.DatetimeIndex
    span_sessions: pd.DatetimeIndex
    returns_est: np.ndarray  # (L1, N)
    returns_span: np.ndarray  # (S, N)
    benchmark_est: np.ndarray | None
    benchmark_span: np.ndarray | None
    factors_est: np.ndarray | None  # (L1, k) the model's factors, then RF last
    factors_span: np.ndarray | None


# ---------------------------------------------------------------------------------------------------------------
# The configured study
# ---------------------------------------------------------------------------------------------------------------


class EventStudy:
    """An event study of N firms sharing one event day, configured and validated; :meth:`fit` computes it.

    Parameters
    ----------
    returns : DataFrame
        Simple close-to-close returns in decimal fractions; index: tz-naive DatetimeIndex of consecutive sessions
        (ascending), so that integer position is relative session; one column per ticker.
    day0 : Timestamp
        Event day 0; must be in ``returns.index``.
    model : {"market", "market-adjusted", "constant-mean", "ff3", "carhart", "ff5", "garch"}
        The normal-return model (see the module docstring).
    benchmark : Series, optional
        Simple returns of the market proxy, required by "market", "market-adjusted" and "garch". Aligned on
        ``returns.index``; a date the firms need that it lacks raises :class:`DataGapError`.
    benchmark_name : str
        Label of the benchmark, for reporting (default ``"^GSPC"``).
    factors : DataFrame, optional
        Fama–French daily factors in decimal fractions, required by the factor models: ``Mkt-RF, SMB, HML, RF``
        ("ff3"), plus ``Mom`` ("carhart", Carhart 1997) or ``RMW, CMA`` ("ff5", Fama and French 2015).
    estimation_window : (int, int)
        Inclusive relative sessions; default (−250, −11), L1 = 240. It is cut at the start of the data; fewer than
        ``min_estimation_returns`` usable returns raise :class:`WindowError`.
    event_windows : sequence of (int, int)
        Windows whose CAR is tested; default (0,0), (0,1), (−1,1).
    ar_path : (int, int)
        The abnormal-return path reported and drawn; default (−10, 10). It is widened, if needed, to cover every
        event window and day 0 (the "event span").
    event_date : date-like, optional
        The date the user gave (for reporting). Day 0 must be the first session on or after it.
    min_estimation_returns : int
        Fewest usable estimation returns accepted (docs/METHOD.md: 200).
    confounds : mapping of int to str, optional
        Known confounding events by relative session, warned about when a window covers them (the event's
        confounds, :meth:`analysis.events.EventConfig.relative_confounds`). Default: none.

    Raises
    ------
    EventDateError
        day0 not in the index, or not the first session on or after ``event_date``.
    WindowError
        Windows that overlap or run outside the data; too few estimation returns.
    DataGapError
        A NaN inside a firm's estimation window or event span, or benchmark/factor dates missing.
    ConstantSeriesError
        A firm whose returns are all zero over the estimation window (a constant price), or a constant benchmark.
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        day0: pd.Timestamp,
        model: str = "market",
        benchmark: pd.Series | None = None,
        benchmark_name: str = config.DEFAULT_BENCHMARK,
        factors: pd.DataFrame | None = None,
        estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
        event_windows: Sequence[tuple[int, int]] = config.EVENT_WINDOWS,
        ar_path: tuple[int, int] = config.AR_PATH,
        event_date=None,
        *,
        min_estimation_returns: int = config.MIN_ESTIMATION_RETURNS,
        confounds: Mapping[int, str] | None = None,
    ) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
        if not isinstance(returns, pd.DataFrame):
            raise TypeError(f"returns must be a DataFrame (sessions × tickers), not {type(returns).__name__}")
        if returns.shape[1] == 0:
            raise ValueError("returns has no columns (tickers)")
        if not returns.columns.is_unique:
            raise ValueError("returns has duplicate ticker columns")
        _check_index(returns.index, "returns")
        if model in MARKET_MODELS and benchmark is None:
            raise ValueError(f"the {model} model needs a benchmark series")
        if model in FACTOR_MODELS and factors is None:
            raise ValueError(f"the {model} model needs the factors frame ({', '.join(FACTOR_MODELS[model])}, RF in "
                             "decimals)")

        self._model = model
        self._benchmark_name = benchmark_name if model in MARKET_MODELS else None
        self._min_estimation = int(min_estimation_returns)
        self._requested_estimation = _check_window(estimation_window, "estimation_window")
        self._event_windows = tuple(_check_window(w, "event window") for w in event_windows)
        if not self._event_windows:
            raise WindowError("no event window given.", hint="pass event_windows=((0, 0),) at least.")
        if len({window_key(w) for w in self._event_windows}) != len(self._event_windows):
            raise WindowError(f"duplicate event windows in {self._event_windows}.")
        requested_path = _check_window(ar_path, "ar_path")
        self._span = (
            min(requested_path[0], 0, *(w[0] for w in self._event_windows)),
            max(requested_path[1], 0, *(w[1] for w in self._event_windows)),
        )
        est_first, est_last = self._requested_estimation
        if est_last >= self._span[0]:
            raise WindowError(
                f"the estimation window {self._requested_estimation} must end before the event span "
                f"τ ∈ [{self._span[0]}, {self._span[1]}] (AR path and event windows) begins.",
                hint=f"end the estimation window at τ = {self._span[0] - 1} or earlier, or shorten the AR path.",
            )

        self._day0, self._position0 = self._locate_day0(returns.index, day0)
        self._event_date = self._check_event_date(returns.index, event_date)
        self._confounds = dict(confounds or {})
        self._aligned, self._estimation_window = self._align(returns, benchmark, factors)

    # -- validation helpers --------------------------------------------------------------------------------------

    @staticmethod
    def _locate_day0(index: pd.DatetimeIndex, day0) -> tuple[pd.Timestamp, int]:
        try:
            stamp = pd.Timestamp(day0)
        except (TypeError, ValueError) as exc:
            raise EventDateError(f"day0 {day0!r} is not a date.") from exc
        if stamp.tzinfo is not None:
            raise EventDateError(f"day0 {stamp} must be a tz-naive session date.")
        if stamp not in index:
            if stamp < index[0] or stamp > index[-1]:
                raise EventDateError(
                    f"day 0 {stamp:%Y-%m-%d} is outside the data ({index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d}).",
                    hint="choose an event inside the cached history, or extend the cache.",
                )
            following = index[index.searchsorted(stamp)]
            raise EventDateError(
                f"day 0 {stamp:%Y-%m-%d} is not a session of the returns index.",
                hint=f"day 0 is the first session on or after the event date: {following:%Y-%m-%d}.",
            )
        return stamp, int(index.get_loc(stamp))

    def _check_event_date(self, index: pd.DatetimeIndex, event_date) -> pd.Timestamp:
        if event_date is None:
            return self._day0
        stamp = pd.Timestamp(event_date)
        previous = index[self._position0 - 1] if self._position0 > 0 else None
        if stamp > self._day0 or (previous is not None and stamp <= previous):
            raise EventDateError(
                f"day 0 {self._day0:%Y-%m-%d} is not the first session on or after the event date {stamp:%Y-%m-%d}.",
                hint="map the event date to day 0 with the calendar module.",
            )
        return stamp

    def _align(
        self, returns: pd.DataFrame, benchmark: pd.Series | None, factors: pd.DataFrame | None
    ) -> tuple[_Aligned, tuple[int, int]]:
        index = returns.index
        pos0 = self._position0
        n_rows = len(index)
        span_first, span_last = pos0 + self._span[0], pos0 + self._span[1]
        if span_first < 0 or span_last >= n_rows:
            available = (-pos0, n_rows - 1 - pos0)
            raise WindowError(
                f"the event span τ ∈ [{self._span[0]}, {self._span[1]}] runs outside the data, which cover "
                f"τ ∈ [{available[0]}, {available[1]}] around day 0 {self._day0:%Y-%m-%d}.",
                hint="shorten the AR path or the event windows, or extend the cache.",
            )

        values = returns.to_numpy(dtype=float, na_value=np.nan)
        all_missing = np.isnan(values).all(axis=1)
        first_usable = int(np.argmin(all_missing)) if not all_missing.all() else n_rows
        est_first_req, est_last = self._requested_estimation
        est_start = max(pos0 + est_first_req, first_usable, 0)
        usable = pos0 + est_last - est_start + 1
        if usable < self._min_estimation:
            first_rel = max(first_usable, 0) - pos0
            longest = est_last - first_rel + 1
            default_len = config.ESTIMATION_WINDOW[1] - config.ESTIMATION_WINDOW[0] + 1
            if longest >= self._min_estimation:
                fit_len = min(longest, max(default_len, self._min_estimation))
                hint = f"use estimation window ({est_last - fit_len + 1}, {est_last}) ({fit_len} returns)."
            else:
                hint = (
                    f"the data hold only {max(longest, 0)} returns up to τ = {est_last}: load a longer history, or "
                    "choose a later day 0."
                )
            raise WindowError(
                f"only {max(usable, 0)} usable estimation returns in τ ∈ [{est_first_req}, {est_last}] "
                f"(the data start at τ = {first_rel}); at least {self._min_estimation} are needed.",
                hint=hint,
            )
        est_rows = np.arange(est_start, pos0 + est_last + 1)
        span_rows = np.arange(span_first, span_last + 1)
        used_rows = np.concatenate([est_rows, span_rows])
        tickers = tuple(map(str, returns.columns.tolist()))

        used = values[used_rows]
        gaps = np.isnan(used)
        if gaps.any():
            parts = []
            for j in np.flatnonzero(gaps.any(axis=0)):
                parts.append(f"{tickers[j]} ({_format_dates(index[used_rows[gaps[:, j]]])})")
            raise DataGapError(
                "missing returns inside the estimation window or event span: " + "; ".join(parts) + ".",
                hint="drop these tickers, shorten the estimation window, or repair the cache for those dates.",
            )
        if (used < _MIN_SIMPLE_RETURN).any():
            raise ValueError("returns below −100 %: pass simple returns in decimal fractions (not percent, not log)")
        constant = np.flatnonzero((values[est_rows] == 0).all(axis=0))
        if constant.size:
            names = ", ".join(tickers[j] for j in constant)
            raise ConstantSeriesError(
                f"constant price (all returns zero) over the estimation window: {names}.",
                hint="drop these tickers; a price that never moves has no normal-return model.",
            )

        bench_est = bench_span = None
        if self._model in MARKET_MODELS:
            bench = self._aligned_series(benchmark, index, used_rows, f"benchmark {self._benchmark_name}")
            bench_est, bench_span = bench[: len(est_rows)], bench[len(est_rows) :]
            if np.ptp(bench_est) == 0:
                raise ConstantSeriesError(
                    f"the benchmark {self._benchmark_name} does not move over the estimation window.",
                    hint="choose another benchmark.",
                )
        fac_est = fac_span = None
        if self._model in FACTOR_MODELS:
            fac = self._aligned_factors(factors, index, used_rows, (*FACTOR_MODELS[self._model], "RF"))
            fac_est, fac_span = fac[: len(est_rows)], fac[len(est_rows) :]

        aligned = _Aligned(
            tickers=tickers,
            estimation_taus=est_rows - pos0,
            span_taus=span_rows - pos0,
            estimation_sessions=index[est_rows],
            span_sessions=index[span_rows],
            returns_est=values[est_rows],
            returns_span=values[span_rows],
            benchmark_est=bench_est,
            benchmark_span=bench_span,
            factors_est=fac_est,
            factors_span=fac_span,
        )
        return aligned, (int(est_start - pos0), int(est_last))

    @staticmethod
    def _aligned_series(series: pd.Series, index: pd.DatetimeIndex, rows: np.ndarray, what: str) -> np.ndarray:
        if isinstance(series, pd.DataFrame):
            if series.shape[1] != 1:
                raise TypeError(f"{what} must be a Series of returns")
            series = series.iloc[:, 0]
        if not isinstance(series, pd.Series):
            raise TypeError(f"{what} must be a pandas Series of returns, not {type(series).__name__}")
        _check_index(series.index, what)
        needed = index[rows]
        aligned = series.reindex(needed).to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(aligned)
        if missing.any():
            raise DataGapError(
                f"{what} has no return on {_format_dates(needed[missing])}, inside the estimation window or event "
                "span.",
                hint="repair the benchmark's cache for those dates, or choose another benchmark.",
            )
        if (aligned < _MIN_SIMPLE_RETURN).any():
            raise ValueError(f"{what} has returns below −100 %: pass simple returns in decimal fractions")
        return aligned

    @staticmethod
    def _aligned_factors(
        factors: pd.DataFrame, index: pd.DatetimeIndex, rows: np.ndarray, columns: Sequence[str] = FF3_COLUMNS
    ) -> np.ndarray:
        if not isinstance(factors, pd.DataFrame):
            raise TypeError(f"factors must be a DataFrame, not {type(factors).__name__}")
        missing_cols = [c for c in columns if c not in factors.columns]
        if missing_cols:
            raise ValueError(f"factors lack the columns {missing_cols}; expected {list(columns)}")
        _check_index(factors.index, "factors")
        needed = index[rows]
        aligned = factors.loc[:, list(columns)].reindex(needed).to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(aligned).any(axis=1)
        if missing.any():
            raise DataGapError(
                f"the Fama–French factors are missing on {_format_dates(needed[missing])}, inside the estimation "
                "window or event span.",
                hint="update the cached factor file, or use another model.",
            )
        if np.abs(aligned[:, 0]).max() > _MAX_DECIMAL_FACTOR:
            raise ValueError("the factors look like percent (|Mkt-RF| > 25 % in a day): divide them by 100")
        return aligned

    # -- read-only configuration --------------------------------------------------------------------------------

    @property
    def model(self) -> str:
        return self._model

    @property
    def tickers(self) -> tuple[str, ...]:
        return self._aligned.tickers

    @property
    def estimation_window(self) -> tuple[int, int]:
        """The estimation window actually used (cut at the start of the data if needed)."""
        return self._estimation_window

    # -- the fit ------------------------------------------------------------------------------------------------

    def _design(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(y_est, y_span, X_est, X_span) of the chosen model."""
        a = self._aligned
        ones_est = np.ones((a.returns_est.shape[0], 1))
        ones_span = np.ones((a.returns_span.shape[0], 1))
        if self._model in ("market", "garch"):
            return (
                a.returns_est,
                a.returns_span,
                np.hstack([ones_est, a.benchmark_est[:, None]]),
                np.hstack([ones_span, a.benchmark_span[:, None]]),
            )
        if self._model == "market-adjusted":
            return (
                a.returns_est - a.benchmark_est[:, None],
                a.returns_span - a.benchmark_span[:, None],
                None,
                None,
            )
        if self._model == "constant-mean":
            return a.returns_est, a.returns_span, ones_est, ones_span
        # factor models: excess return on [1, factors]; RF is the last column
        return (
            a.returns_est - a.factors_est[:, -1:],
            a.returns_span - a.factors_span[:, -1:],
            np.hstack([ones_est, a.factors_est[:, :-1]]),
            np.hstack([ones_span, a.factors_span[:, :-1]]),
        )

    def fit(self) -> EventStudyResults:
        """Fit the normal-return model for all firms at once and compute ARs, CARs, variances and tests.

        The linear models share one QR decomposition (:func:`fit_ols`). ``model="garch"`` fits the market model by
        OLS first, then one GARCH(1,1) market model per firm (:func:`analysis.volatility.fit_garch_market_model`);
        a firm whose GARCH fit does not converge keeps its OLS fit.

        Returns
        -------
        EventStudyResults
            Holding a back-reference to this study (:attr:`EventStudyResults.study`).
        """
        y_est, y_span, x_est, x_span = self._design()
        n_est, n_firms = y_est.shape
        if x_est is None:
            estimation_ar = y_est
            event_ar = y_span
            centred = y_est - y_est.mean(axis=0)
            df = n_est - 1
            sigma2 = np.einsum("ij,ij->j", centred, centred) / df
            params = np.vstack([np.zeros(n_firms), np.ones(n_firms)])
            param_se = np.full(params.shape, np.nan)  # fixed, not estimated
            variance_residuals = centred
            whitened_span = None
            xtx_inverse = None
        else:
            ols = fit_ols(x_est, y_est)
            estimation_ar = ols.residuals
            event_ar = y_span - x_span @ ols.coefficients
            df = ols.df
            sigma2 = ols.sigma2
            params = ols.coefficients
            param_se = np.sqrt(np.outer(np.diag(ols.xtx_inverse), sigma2))
            variance_residuals = ols.residuals
            whitened_span = x_span @ ols.r_inverse  # rows g_τ with x_τ'(X'X)⁻¹x_τ = |g_τ|²
            xtx_inverse = ols.xtx_inverse
        garch = event_variance = None
        if self._model == "garch":
            from analysis.volatility import fit_garch_market_model

            garch = fit_garch_market_model(y_est, self._aligned.benchmark_est)
            ok = garch.converged
            if ok.any():
                params = params.copy()
                param_se = param_se.copy()
                params[:, ok] = garch.coefficients[:, ok]
                param_se[:, ok] = garch.coefficient_se[:, ok]
                estimation_ar = estimation_ar.copy()
                estimation_ar[:, ok] = garch.residuals[:, ok]
                event_ar = y_span - x_span @ params
                variance_residuals = estimation_ar
                sigma2 = np.einsum("ij,ij->j", estimation_ar, estimation_ar) / df
            steps = self._aligned.span_taus - self._estimation_window[1]
            ols_daily = 1.0 + np.einsum("ij,ij->i", whitened_span, whitened_span)
            event_variance = np.outer(ols_daily, sigma2)
            if ok.any():
                event_variance[:, ok] = garch.forecast(steps)[:, ok]
        sigma = np.sqrt(sigma2)
        flat = np.flatnonzero(sigma < _SIGMA_FLOOR)
        if flat.size:
            names = ", ".join(self.tickers[j] for j in flat)
            raise ConstantSeriesError(
                f"the abnormal returns of {names} are identically zero over the estimation window (the firm moves "
                "exactly like its normal-return model, e.g. a firm used as its own benchmark).",
                hint="drop these tickers or choose another benchmark.",
            )
        return EventStudyResults(
            study=self,
            params=params,
            sigma2=sigma2,
            df=df,
            estimation_ar=estimation_ar,
            event_ar=event_ar,
            variance_residuals=variance_residuals,
            whitened_span=whitened_span,
            x_span=x_span,
            xtx_inverse=xtx_inverse,
            param_se=param_se,
            garch=garch,
            event_variance=event_variance,
        )


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------


class EventStudyResults:
    """The fitted event study: plain numbers (read-only properties and DataFrames), with presentation on top.

    Everything is in decimal fractions of simple, close-to-close returns; ARs are abnormal (model-adjusted), not raw.
    Built by :meth:`EventStudy.fit`; do not construct it directly.
    """

    def __init__(
        self,
        *,
        study: EventStudy,
        params: np.ndarray,
        sigma2: np.ndarray,
        df: int,
        estimation_ar: np.ndarray,
        event_ar: np.ndarray,
        variance_residuals: np.ndarray,
        whitened_span: np.ndarray | None,
        x_span: np.ndarray | None,
        xtx_inverse: np.ndarray | None,
        param_se: np.ndarray | None = None,
        garch=None,
        event_variance: np.ndarray | None = None,
    ) -> None:
        self._study = study
        self._params = params
        self._sigma2 = sigma2
        self._df = int(df)
        self._estimation_ar = estimation_ar
        self._event_ar = event_ar
        # Σ̂ = E'E / df with E these residuals (demeaned for market-adjusted); formed per subset on demand, since the
        # full N × N matrix grows as N².
        self._variance_residuals = variance_residuals
        self._whitened_span = whitened_span
        self._x_span = x_span
        self._xtx_inverse = xtx_inverse
        self._param_se = np.full(params.shape, np.nan) if param_se is None else param_se
        self._garch = garch
        self._event_variance = event_variance
        for array in (params, sigma2, estimation_ar, event_ar, variance_residuals, self._param_se):
            array.setflags(write=False)

    # -- the configured study (back-reference, as linearmodels' results keep their model) -------------------------

    @property
    def study(self) -> EventStudy:
        """The configured :class:`EventStudy` that produced these results (its data and settings live there)."""
        return self._study

    _model = property(lambda self: self._study._model)
    _benchmark_name = property(lambda self: self._study._benchmark_name)
    _event_date = property(lambda self: self._study._event_date)
    _day0 = property(lambda self: self._study._day0)
    _estimation_window = property(lambda self: self._study._estimation_window)
    _requested_estimation = property(lambda self: self._study._requested_estimation)
    _event_windows = property(lambda self: self._study._event_windows)
    _span = property(lambda self: self._study._span)
    _confounds = property(lambda self: self._study._confounds)
    _tickers = property(lambda self: self._study._aligned.tickers)
    _estimation_sessions = property(lambda self: self._study._aligned.estimation_sessions)
    _span_sessions = property(lambda self: self._study._aligned.span_sessions)
    _span_taus = property(lambda self: self._study._aligned.span_taus)
    _estimation_taus = property(lambda self: self._study._aligned.estimation_taus)

    # -- labels -------------------------------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """One of :data:`MODELS`: ``"market"``, ``"market-adjusted"``, ``"constant-mean"``, ``"ff3"``, ``"carhart"``,
        ``"ff5"`` or ``"garch"``."""
        return self._model

    @property
    def benchmark_name(self) -> str | None:
        """The market proxy's label for the market models; None for constant-mean and ff3."""
        return self._benchmark_name

    @property
    def benchmark_label(self) -> str:
        """What the normal return is measured against, in words."""
        if self._model == "ff3":
            return "Fama–French 3 factors (Mkt-RF, SMB, HML; RF)"
        if self._model == "carhart":
            return "Carhart 4 factors (Mkt-RF, SMB, HML, Mom; RF)"
        if self._model == "ff5":
            return "Fama–French 5 factors (Mkt-RF, SMB, HML, RMW, CMA; RF)"
        if self._model == "constant-mean":
            return "the firm's own estimation-window mean"
        return str(self._benchmark_name)

    @property
    def model_label(self) -> str:
        """E.g. ``"market model vs ^GSPC"``."""
        names = {
            "market": f"market model vs {self._benchmark_name}",
            "market-adjusted": f"market-adjusted vs {self._benchmark_name}",
            "constant-mean": "constant-mean model",
            "ff3": "Fama–French 3-factor model",
            "carhart": "Carhart 4-factor model",
            "ff5": "Fama–French 5-factor model",
            "garch": f"GARCH(1,1) market model vs {self._benchmark_name}",
        }
        return names[self._model]

    @property
    def estimation_label(self) -> str:
        """E.g. ``"estimation window τ ∈ [-250, -11] (240 sessions, 2024-01-19 to 2025-01-10)"``."""
        first, last = self._estimation_window
        return (
            f"estimation window τ ∈ [{first}, {last}] ({self.n_estimation} sessions, "
            f"{self._estimation_sessions[0]:%Y-%m-%d} to {self._estimation_sessions[-1]:%Y-%m-%d})"
        )

    @property
    def event_date(self) -> pd.Timestamp:
        """The date the user gave."""
        return self._event_date

    @property
    def day0(self) -> pd.Timestamp:
        """The session of τ = 0."""
        return self._day0

    @property
    def estimation_window(self) -> tuple[int, int]:
        """The estimation window used (relative sessions, inclusive)."""
        return self._estimation_window

    @property
    def event_windows(self) -> tuple[tuple[int, int], ...]:
        return self._event_windows

    @property
    def ar_path(self) -> tuple[int, int]:
        """The relative sessions of :attr:`abnormal_returns` (the AR path widened to cover every event window)."""
        return self._span

    @property
    def tickers(self) -> tuple[str, ...]:
        return self._tickers

    @property
    def n_estimation(self) -> int:
        """L1, the number of estimation-window returns (the same for every firm)."""
        return len(self._estimation_sessions)

    @property
    def df(self) -> int:
        """Residual degrees of freedom of the firm t-tests: L1 − k (L1 − 1 for market-adjusted)."""
        return self._df

    @property
    def confounds(self) -> dict[int, str]:
        return dict(self._confounds)

    # -- numbers ------------------------------------------------------------------------------------------------

    @cached_property
    def params(self) -> pd.DataFrame:
        """Firm × coefficient: alpha and beta (market; fixed at 0 and 1 for market-adjusted), alpha (constant-mean,
        the daily mean return), or alpha, beta_mkt, beta_smb, beta_hml (ff3; carhart adds beta_mom, ff5 beta_rmw and
        beta_cma). For garch, the mean equation's maximum-likelihood estimates (OLS where GARCH did not converge).
        Decimal, daily."""
        index = pd.Index(self._tickers, name="firm")
        return pd.DataFrame(self._params.T, index=index, columns=list(PARAM_NAMES[self._model]))

    @cached_property
    def bse(self) -> pd.DataFrame:
        """Firm × coefficient standard errors of :attr:`params`: σ̂ sqrt(diag((X'X)⁻¹)) for OLS (CLM 1997, eq. 4.4.5),
        arch's robust standard errors for converged GARCH fits, NaN for the fixed α = 0, β = 1 of market-adjusted."""
        return pd.DataFrame(self._param_se.T, index=self.params.index, columns=self.params.columns)

    @cached_property
    def tvalues(self) -> pd.DataFrame:
        """Firm × coefficient t statistics of :attr:`params` against zero (β against 0, not 1)."""
        return self.params / self.bse

    @cached_property
    def pvalues(self) -> pd.DataFrame:
        """Firm × coefficient two-sided p-values of :attr:`tvalues`, Student t(:attr:`df`)."""
        return pd.DataFrame(student_t_pvalue(self.tvalues.to_numpy(), self._df), index=self.params.index,
                            columns=self.params.columns)

    def param_conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Intervals of the coefficients.

        Parameters
        ----------
        level : float
            Confidence level (Student t(:attr:`df`) critical value).

        Returns
        -------
        DataFrame
            Index (firm, parameter); columns lower, upper (decimal daily for alpha).
        """
        crit = float(t_ppf(0.5 + level / 2.0, self._df))
        params = self.params.stack()
        se = self.bse.stack()
        frame = pd.DataFrame({"lower": params - crit * se, "upper": params + crit * se})
        frame.index.names = ["firm", "parameter"]
        return frame

    @property
    def garch_fit(self):
        """The :class:`analysis.volatility.GarchFit` of a ``model="garch"`` study; None for the other models."""
        return self._garch

    @property
    def garch_fallbacks(self) -> dict[str, str]:
        """Firm → why its GARCH fit fell back to OLS (empty when every fit converged, or not a GARCH study)."""
        if self._garch is None:
            return {}
        return {t: m for t, ok, m in zip(self._tickers, self._garch.converged, self._garch.messages, strict=True)
                if not ok}

    @cached_property
    def sigma(self) -> pd.Series:
        """σ̂ per firm: the residual standard deviation over the estimation window (decimal, daily)."""
        return pd.Series(np.sqrt(self._sigma2), index=pd.Index(self._tickers, name="firm"), name="sigma")

    @cached_property
    def sessions(self) -> pd.Series:
        """Relative session τ → session date, over the estimation window and the event span."""
        taus = np.concatenate([self._estimation_taus, self._span_taus])
        dates = self._estimation_sessions.append(self._span_sessions)
        return pd.Series(dates, index=pd.Index(taus, name="tau"), name="session")

    @cached_property
    def abnormal_returns(self) -> pd.DataFrame:
        """τ (int index over :attr:`ar_path`) × firm: out-of-sample abnormal returns (decimal)."""
        return pd.DataFrame(
            self._event_ar, index=pd.Index(self._span_taus, name="tau"), columns=pd.Index(self._tickers, name="firm")
        )

    @cached_property
    def estimation_abnormal_returns(self) -> pd.DataFrame:
        """τ × firm: the estimation-window abnormal returns (in-sample residuals; R − R_m for market-adjusted)."""
        return pd.DataFrame(
            self._estimation_ar,
            index=pd.Index(self._estimation_taus, name="tau"),
            columns=pd.Index(self._tickers, name="firm"),
        )

    @cached_property
    def residual_covariance(self) -> pd.DataFrame:
        """Σ̂, firm × firm covariance of the estimation-window residuals, divisor = :attr:`df` (diagonal σ̂²)."""
        index = pd.Index(self._tickers, name="firm")
        return pd.DataFrame(self._covariance_of(range(len(self._tickers))), index=index, columns=index.rename(None))

    def _covariance_of(self, columns: Sequence[int]) -> np.ndarray:
        """Σ̂ of a subset of firms: E_S'E_S / df."""
        e = self._variance_residuals[:, list(columns)]
        return e.T @ e / self._df

    def _span_rows(self, window: tuple[int, int]) -> slice:
        first = window[0] - self._span[0]
        last = window[1] - self._span[0]
        if first < 0 or window[1] > self._span[1]:
            raise WindowError(f"window {window} is outside the event span τ ∈ [{self._span[0]}, {self._span[1]}].")
        return slice(first, last + 1)

    def window_factor(self, window: tuple[int, int]) -> float:
        """c_W = 1'[I + X*(X'X)⁻¹X*']1 for the window, so that Var(CAR_i) = c_W σ̂²_i (shared by all firms).

        For the market-adjusted model c_W = L, the window length.

        Parameters
        ----------
        window : (int, int)

        Returns
        -------
        float
        """
        window = _check_window(window, "window")
        rows = self._span_rows(window)
        length = window[1] - window[0] + 1
        if self._whitened_span is None:
            return float(length)
        summed = self._whitened_span[rows].sum(axis=0)
        return float(length + summed @ summed)

    def prediction_error_matrix(self, window: tuple[int, int]) -> np.ndarray:
        """The L × L bracket I + X*(X'X)⁻¹X*' of the window: Cov(AR_window) = σ̂²_i times it.

        Parameters
        ----------
        window : (int, int)

        Returns
        -------
        ndarray, shape (L, L)
        """
        window = _check_window(window, "window")
        rows = self._span_rows(window)
        length = window[1] - window[0] + 1
        x_window = None if self._x_span is None else self._x_span[rows]
        return prediction_error_matrix(x_window, self._xtx_inverse, length)

    def _daily_factors(self) -> np.ndarray:
        if self._whitened_span is None:
            return np.ones(len(self._span_taus))
        return 1.0 + np.einsum("ij,ij->i", self._whitened_span, self._whitened_span)

    def _cumulative_factors(self) -> np.ndarray:
        lengths = np.arange(1, len(self._span_taus) + 1, dtype=float)
        if self._whitened_span is None:
            return lengths
        cum = np.cumsum(self._whitened_span, axis=0)
        return lengths + np.einsum("ij,ij->i", cum, cum)

    def _car_variance(self, window: tuple[int, int]) -> np.ndarray:
        """Var(CAR_i) of a window for every firm: c_W σ̂²_i, or for GARCH fits the sum of the forecast h_τ."""
        variance = self.window_factor(window) * self._sigma2
        if self._event_variance is not None:
            summed = self._event_variance[self._span_rows(window)].sum(axis=0)
            variance = np.where(self._garch.converged, summed, variance)
        return variance

    def _daily_variances(self) -> np.ndarray:
        if self._event_variance is not None:
            return self._event_variance
        return np.outer(self._daily_factors(), self._sigma2)

    def _cumulative_variances(self) -> np.ndarray:
        variance = np.outer(self._cumulative_factors(), self._sigma2)
        if self._event_variance is not None:
            variance = np.where(self._garch.converged, np.cumsum(self._event_variance, axis=0), variance)
        return variance

    @cached_property
    def abnormal_return_se(self) -> pd.DataFrame:
        """τ × firm: exact standard error of each AR, σ̂ sqrt(1 + x_τ'(X'X)⁻¹x_τ) (decimal); for GARCH fits the
        square root of the forecast conditional variance h_τ."""
        se = np.sqrt(self._daily_variances())
        return pd.DataFrame(se, index=self.abnormal_returns.index, columns=self.abnormal_returns.columns)

    @cached_property
    def car_path(self) -> pd.DataFrame:
        """τ × firm: CAR cumulated from the first τ of :attr:`ar_path` up to each τ (decimal)."""
        return self.abnormal_returns.cumsum()

    @cached_property
    def car_path_se(self) -> pd.DataFrame:
        """τ × firm: exact standard error of :attr:`car_path`, σ̂ sqrt(1'[I + X*(X'X)⁻¹X*']1) over [first τ, τ]."""
        se = np.sqrt(self._cumulative_variances())
        return pd.DataFrame(se, index=self.abnormal_returns.index, columns=self.abnormal_returns.columns)

    def car(self, window: tuple[int, int]) -> pd.DataFrame:
        """Firm × [car, se, t, p, df] for one window: CAR (decimal), exact SE, Student t(df), two-sided p.

        Parameters
        ----------
        window : (int, int)
            Relative sessions, inclusive, inside :attr:`ar_path`.

        Returns
        -------
        DataFrame
            Index firm. For GARCH fits the SE is the square root of the summed forecast variances.
        """
        window = _check_window(window, "window")
        car = self._event_ar[self._span_rows(window)].sum(axis=0)
        variance = self._car_variance(window)
        t, p = car_t_statistics(car, variance, self._df)
        return pd.DataFrame(
            {"car": car, "se": np.sqrt(variance), "t": t, "p": p, "df": self._df},
            index=pd.Index(self._tickers, name="firm"),
        )

    @cached_property
    def cars(self) -> dict[str, pd.DataFrame]:
        """Window key (``"0,1"``) → :meth:`car` of every configured event window."""
        return {window_key(w): self.car(w) for w in self._event_windows}

    @cached_property
    def placebo_p(self) -> pd.Series:
        """Two-sided placebo p of day 0 per firm: (1 + #{|AR_t| ≥ |AR_0|, t in estimation}) / (L1 + 1)."""
        ar0 = self._event_ar[-self._span[0]]
        return pd.Series(
            placebo_pvalues(self._estimation_ar, ar0), index=pd.Index(self._tickers, name="firm"), name="placebo_p"
        )

    def _ticker_column(self, ticker: str) -> int:
        try:
            return self._tickers.index(ticker)
        except ValueError:
            raise KeyError(f"{ticker!r} is not in this study; firms: {', '.join(self._tickers)}") from None

    def t_test(self, ticker: str, window: tuple[int, int] = (0, 0)) -> HypothesisTest:
        """One firm's CAR t-test over a window, as a :class:`~analysis.inference.HypothesisTest`.

        Parameters
        ----------
        ticker : str
        window : (int, int)

        Returns
        -------
        HypothesisTest
        """
        self._ticker_column(ticker)
        row = self.car(window).loc[ticker]
        label = f"{ticker} CAR{window_label(window)} t"
        return car_t_test(float(row["car"]), float(row["se"]) ** 2, self._df, label=label)

    def placebo_test(self, ticker: str) -> HypothesisTest:
        """One firm's day-0 placebo test.

        Parameters
        ----------
        ticker : str

        Returns
        -------
        HypothesisTest
        """
        j = self._ticker_column(ticker)
        return placebo_test(self._estimation_ar[:, j], float(self._event_ar[-self._span[0], j]))

    def event_path(self, ticker: str, level: float = 0.95) -> pd.DataFrame:
        """The AR and CAR path of one firm with ``level`` confidence bands (Student t(df) critical value).

        Index τ over :attr:`ar_path`; columns: session, ar, ar_se, ar_lo, ar_hi, car, car_se, car_lo, car_hi
        (decimal). CAR is cumulated from the first τ of the path; its SE is the exact one of that window.

        Parameters
        ----------
        ticker : str
        level : float

        Returns
        -------
        DataFrame
        """
        j = self._ticker_column(ticker)
        ar = self._event_ar[:, j]
        if self._event_variance is not None:
            return self._path_frame(ar, self._sigma2[j], level, self._daily_variances()[:, j],
                                    self._cumulative_variances()[:, j])
        return self._path_frame(ar, self._sigma2[j], level)

    def caar_path(self, tickers: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """The equal-weighted portfolio's AR (= AAR) and CAR (= CAAR) path with bands from its own regression.

        Parameters
        ----------
        tickers : sequence of str, optional
            A subset of the firms (all when None).
        level : float

        Returns
        -------
        DataFrame
            The columns of :meth:`event_path`.
        """
        columns = self._columns(tickers)
        ar = self._event_ar[:, columns].mean(axis=1)
        portfolio_residuals = self._variance_residuals[:, columns].mean(axis=1)
        return self._path_frame(ar, float(portfolio_residuals @ portfolio_residuals) / self._df, level)

    def _path_frame(self, ar: np.ndarray, sigma2: float, level: float, daily_variance=None,
                    cumulative_variance=None) -> pd.DataFrame:
        crit = float(t_ppf(0.5 + level / 2.0, self._df))
        ar_se = np.sqrt(self._daily_factors() * sigma2 if daily_variance is None else daily_variance)
        car = np.cumsum(ar)
        car_se = np.sqrt(self._cumulative_factors() * sigma2 if cumulative_variance is None else cumulative_variance)
        return pd.DataFrame(
            {
                "session": self._span_sessions,
                "ar": ar,
                "ar_se": ar_se,
                "ar_lo": ar - crit * ar_se,
                "ar_hi": ar + crit * ar_se,
                "car": car,
                "car_se": car_se,
                "car_lo": car - crit * car_se,
                "car_hi": car + crit * car_se,
            },
            index=pd.Index(self._span_taus, name="tau"),
        )

    def conf_int(self, level: float = 0.95, window: tuple[int, int] | None = None) -> pd.DataFrame:
        """Confidence intervals of the ARs, or of the CARs of one window (Student t(:attr:`df`) critical value).

        Parameters
        ----------
        level : float
            Confidence level, e.g. 0.95.
        window : (int, int), optional
            None: every AR of :attr:`ar_path`; a window: each firm's CAR over it.

        Returns
        -------
        DataFrame
            ARs: index (tau, firm), columns ar, se, lower, upper. CARs: index firm, columns car, se, lower, upper.
            Decimal simple returns, abnormal under the fitted model.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level!r}")
        crit = float(t_ppf(0.5 + level / 2.0, self._df))
        if window is None:
            ar = self.abnormal_returns.stack()
            se = self.abnormal_return_se.stack()
            return pd.DataFrame({"ar": ar, "se": se, "lower": ar - crit * se, "upper": ar + crit * se})
        frame = self.car(window)
        return pd.DataFrame({"car": frame["car"], "se": frame["se"], "lower": frame["car"] - crit * frame["se"],
                             "upper": frame["car"] + crit * frame["se"]})

    def adjusted_pvalues(self, window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
        """The firms' CAR p-values of one window, raw and adjusted for testing N firms at once.

        Holm (1979) controls the family-wise error rate, Benjamini and Hochberg (1995) the false discovery rate; both
        as :func:`statsmodels.stats.multitest.multipletests` computes them (:func:`analysis.inference.adjust_pvalues`).

        Parameters
        ----------
        window : (int, int)

        Returns
        -------
        DataFrame
            Index firm; columns p, p_holm, p_bh.
        """
        p = self.car(window)["p"]
        return pd.DataFrame({"p": p, "p_holm": adjust_pvalues(p.to_numpy(), "holm"),
                             "p_bh": adjust_pvalues(p.to_numpy(), "fdr_bh")}, index=p.index)

    def pretrend(self, window: tuple[int, int] = PRETREND_WINDOW) -> pd.DataFrame:
        """Joint test that every AR of a pre-event window is zero, per firm and for the equal-weighted portfolio.

        ``F = AR' B⁻¹ AR / (L σ̂²) ~ F(L, df)`` with B the window's prediction-error bracket
        (:func:`analysis.inference.pretrend_f_statistics`; Campbell, Lo and MacKinlay 1997, sec. 4.4). The portfolio
        row uses the portfolio's own residual variance, so it is valid under cross-correlation. For GARCH fits the
        OLS bracket and σ̂² are used (the test asks whether the mean equation drifted before the event).

        Parameters
        ----------
        window : (int, int)
            Default [−10,−1]; must lie inside :attr:`ar_path` and end before day 0.

        Returns
        -------
        DataFrame
            Index: the firms, then ``"portfolio"``; columns f, p, df1 (L), df2 (df).
        """
        window = _check_window(window, "window")
        if window[1] >= 0:
            raise WindowError(f"the pre-trend window {window_label(window)} must end before day 0.")
        rows = self._span_rows(window)
        bracket = self.prediction_error_matrix(window)
        ar = np.column_stack([self._event_ar[rows], self._event_ar[rows].mean(axis=1)])
        portfolio = self._variance_residuals.mean(axis=1)
        sigma2 = np.append(self._sigma2, float(portfolio @ portfolio) / self._df)
        f, p = pretrend_f_statistics(ar, bracket, sigma2, self._df)
        index = pd.Index([*self._tickers, "portfolio"], name="firm")
        return pd.DataFrame({"f": f, "p": p, "df1": window[1] - window[0] + 1, "df2": self._df}, index=index)

    def pretrend_test(self, ticker: str | None = None, window: tuple[int, int] = PRETREND_WINDOW) -> HypothesisTest:
        """One row of :meth:`pretrend` as a :class:`~analysis.inference.HypothesisTest` (None: the portfolio).

        Parameters
        ----------
        ticker : str, optional
        window : (int, int)

        Returns
        -------
        HypothesisTest
        """
        window = _check_window(window, "window")
        rows = self._span_rows(window)
        if ticker is None:
            ar = self._event_ar[rows].mean(axis=1)
            portfolio = self._variance_residuals.mean(axis=1)
            sigma2 = float(portfolio @ portfolio) / self._df
            label = f"portfolio pre-trend F {window_label(window)}"
        else:
            j = self._ticker_column(ticker)
            ar, sigma2 = self._event_ar[rows, j], float(self._sigma2[j])
            label = f"{ticker} pre-trend F {window_label(window)}"
        return pretrend_test(ar, self.prediction_error_matrix(window), sigma2, self._df, label=label)

    def day0_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Firm × [ar, se, lo, hi, df]: day-0 AR with its ``level`` interval (Student t(df)), decimal.

        Parameters
        ----------
        level : float

        Returns
        -------
        DataFrame
        """
        frame = self.car((0, 0))
        crit = float(t_ppf(0.5 + level / 2.0, self._df))
        return pd.DataFrame(
            {
                "ar": frame["car"],
                "se": frame["se"],
                "lo": frame["car"] - crit * frame["se"],
                "hi": frame["car"] + crit * frame["se"],
                "df": self._df,
            }
        )

    # -- group statistics ---------------------------------------------------------------------------------------

    def _columns(self, tickers: Sequence[str] | None) -> list[int]:
        if tickers is None:
            return list(range(len(self._tickers)))
        if isinstance(tickers, str):
            tickers = [tickers]
        columns = [self._ticker_column(t) for t in tickers]
        if not columns:
            raise ValueError("group_stats needs at least one ticker")
        if len(set(columns)) != len(columns):
            raise ValueError(f"duplicate tickers in {list(tickers)}")
        return columns

    def group_stats(self, tickers: Sequence[str] | None = None) -> GroupStatistics:
        """All group statistics (CAAR, portfolio t, Patell, KP-Patell, BMP, KP-BMP, generalized sign, GRANK, Wald,
        Corrado, with N and r̄) for any subset of the fitted firms (all firms when None).

        See :func:`analysis.inference.group_statistics`.

        Parameters
        ----------
        tickers : sequence of str, optional

        Returns
        -------
        GroupStatistics
        """
        columns = self._columns(tickers)
        return group_statistics(
            tickers=[self._tickers[j] for j in columns],
            estimation_ar=self._estimation_ar[:, columns],
            variance_residuals=self._variance_residuals[:, columns],
            residual_df=self._df,
            event_ar=self._event_ar[:, columns],
            event_taus=self._span_taus,
            windows=self._event_windows,
            window_factors=[self.window_factor(w) for w in self._event_windows],
        )

    @cached_property
    def group(self) -> GroupStatistics:
        """:meth:`group_stats` of all the fitted firms."""
        return self.group_stats(None)

    # -- presentation -------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The JSON shape of issue 3 (without "indices"): decimals, JSON-safe (None for NaN).

        Top level: event_date, day0, benchmark, model, estimation_window, firms, group, plus n_estimation, df and
        returns (a label). ``firms[t]``: alpha, beta (the market loading; None for constant-mean; for the factor
        models also beta_mkt, beta_smb, beta_hml and beta_mom or beta_rmw, beta_cma), sigma, n_estimation,
        ar{"-10".."10"}, windows{"a,b": {car, se, t, p, p_holm, p_bh}}, placebo_p, params{name: {value, se, t, p}},
        pretrend{f, p}, and for garch garch{converged, omega, arch_a, garch_b, note}. ``group``: see
        :meth:`analysis.inference.GroupStatistics.to_dict` (csect_t/_p, skew_t/_p, wilcoxon_w/_p, bootstrap_p per
        window). Top level also: pretrend (portfolio), multiple_testing, garch.

        Returns
        -------
        dict
            JSON-safe (``json.dumps(..., allow_nan=False)`` works).
        """
        params = self.params
        names = list(params.columns)
        # plain python lists first: per-firm DataFrame look-ups dominate the time with hundreds of firms
        par = {name: (params[name].tolist(), self.bse[name].tolist(), self.tvalues[name].tolist(),
                      self.pvalues[name].tolist()) for name in names}
        taus = [str(int(tau)) for tau in self.abnormal_returns.index]
        ar = self._event_ar.T.tolist()
        sigma = self.sigma.tolist()
        placebo = self.placebo_p.tolist()
        windows = {}
        for window in self._event_windows:
            key = window_key(window)
            frame = self.cars[key]
            adjusted = self.adjusted_pvalues(window)
            windows[key] = [frame[c].tolist() for c in ("car", "se", "t", "p")] + [
                adjusted["p_holm"].tolist(), adjusted["p_bh"].tolist()]
        pretrend = self.pretrend() if self._has_pretrend_window() else None
        pre = None if pretrend is None else (pretrend["f"].tolist(), pretrend["p"].tolist())
        loading = "beta_mkt" if self._model in FACTOR_MODELS else ("beta" if "beta" in names else None)
        firms = {}
        for j, ticker in enumerate(self._tickers):
            entry: dict = {"alpha": _json_float(par["alpha"][0][j])}
            entry["beta"] = None if loading is None else _json_float(par[loading][0][j])
            if self._model in FACTOR_MODELS:
                for name in PARAM_NAMES[self._model][1:]:
                    entry[name] = _json_float(par[name][0][j])
            entry["sigma"] = _json_float(sigma[j])
            entry["n_estimation"] = int(self.n_estimation)
            entry["ar"] = dict(zip(taus, map(_json_float, ar[j]), strict=True))
            entry["windows"] = {
                key: dict(zip(("car", "se", "t", "p", "p_holm", "p_bh"), (_json_float(col[j]) for col in cols),
                              strict=True))
                for key, cols in windows.items()
            }
            entry["placebo_p"] = _json_float(placebo[j])
            entry["params"] = {
                name: dict(zip(("value", "se", "t", "p"), (_json_float(col[j]) for col in par[name]), strict=True))
                for name in names
            }
            if pre is not None:
                entry["pretrend"] = {"f": _json_float(pre[0][j]), "p": _json_float(pre[1][j])}
            if self._garch is not None:
                entry["garch"] = {"converged": bool(self._garch.converged[j]),
                                  "omega": _json_float(self._garch.omega[j]),
                                  "arch_a": _json_float(self._garch.arch_a[j]),
                                  "garch_b": _json_float(self._garch.garch_b[j]),
                                  "note": self._garch.messages[j] + ("; OLS used" if not self._garch.converged[j]
                                                                      else "")}
            firms[ticker] = entry
        return {
            "event_date": f"{self._event_date:%Y-%m-%d}",
            "day0": f"{self._day0:%Y-%m-%d}",
            "benchmark": self._benchmark_name,
            "model": self._model,
            "estimation_window": [int(self._estimation_window[0]), int(self._estimation_window[1])],
            "estimation_window_requested": [int(v) for v in self._requested_estimation],
            "n_estimation": int(self.n_estimation),
            "df": int(self._df),
            "returns": RETURNS_LABEL,
            "firms": firms,
            "group": self.group.to_dict(),
            **self._extra_dict(pretrend),
        }

    def _has_pretrend_window(self) -> bool:
        return self._span[0] <= PRETREND_WINDOW[0]

    def _extra_dict(self, pretrend: pd.DataFrame | None) -> dict:
        """The keys added for researchers: pre-trend test, multiple testing note, GARCH fallbacks."""
        out: dict = {
            "multiple_testing": "p_holm (Holm 1979) and p_bh (Benjamini-Hochberg 1995) adjust each window's per-firm "
                                "p over the N firms (the numbers of statsmodels.stats.multitest)",
        }
        if pretrend is not None:
            out["pretrend"] = {
                "window": window_key(PRETREND_WINDOW),
                "test": f"joint F that every AR of {window_label(PRETREND_WINDOW)} is zero, F(L, df)",
                "df1": int(PRETREND_WINDOW[1] - PRETREND_WINDOW[0] + 1),
                "df2": int(self._df),
                "portfolio": {"f": _json_float(pretrend.at["portfolio", "f"]),
                              "p": _json_float(pretrend.at["portfolio", "p"])},
            }
        if self._garch is not None:
            out["garch"] = {
                "fallbacks": self.garch_fallbacks,
                "note": "GARCH(1,1) market model fitted by arch on percent returns; event-day AR variances are its "
                        "forecasts from the end of the estimation window; firms listed in fallbacks use OLS",
            }
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy numeric table, one row per (firm, window).

        Columns
        -------
        firm, window (``"a,b"``), window_start, window_end : identifiers (relative sessions)
        car : CAR over the window (decimal; sum of simple-return ARs)
        se : its exact standard error (estimation error included)
        t, p : CAR / se and its two-sided Student-t p-value with ``df`` degrees of freedom
        df : residual degrees of freedom
        <params> : the model's coefficients (alpha, beta / beta_mkt, beta_smb, beta_hml), decimal daily
        sigma : residual standard deviation over the estimation window (decimal, daily)
        n_estimation : L1
        placebo_p : day-0 placebo p (the same on every row of a firm)

        Returns
        -------
        DataFrame
        """
        rows = []
        for window in self._event_windows:
            frame = self.car(window).reset_index()
            frame.insert(1, "window", window_key(window))
            frame.insert(2, "window_start", window[0])
            frame.insert(3, "window_end", window[1])
            rows.append(frame)
        table = pd.concat(rows, ignore_index=True)
        extra = self.params.join(self.sigma).assign(n_estimation=self.n_estimation).join(self.placebo_p)
        table = table.merge(extra, left_on="firm", right_index=True, how="left")
        firm_order = {t: i for i, t in enumerate(self._tickers)}
        window_order = {window_key(w): i for i, w in enumerate(self._event_windows)}
        order = np.lexsort((table["window"].map(window_order).to_numpy(), table["firm"].map(firm_order).to_numpy()))
        return table.iloc[order].reset_index(drop=True)

    def _sections(self) -> list[tuple[str, pd.DataFrame | None, list[str]]]:
        """(title, table, notes) blocks shared by :meth:`summary` and :meth:`_repr_html_`."""
        first, last = self._estimation_window
        header = [
            f"Model: {self.model_label}: {MODEL_EQUATIONS[self._model]}",
            f"Returns: {RETURNS_LABEL} (tables in %); AR = abnormal return, CAR = sum of ARs over the window.",
            f"Day 0: {self._day0:%Y-%m-%d} (event date given: {self._event_date:%Y-%m-%d}"
            + ("; not a session, day 0 is the first session after it)" if self._event_date != self._day0 else ")"),
            f"Estimation: {self.estimation_label}; residual df = {self._df}.",
            "Variance: exact prediction-error variance σ̂²·1'[I + X*(X'X)⁻¹X*']1 (MacKinlay 1997), t ~ Student "
            f"t({self._df}), two-sided p.",
        ]
        if self._garch is not None:
            header[-1] = ("Variance: GARCH(1,1) conditional variances h_τ forecast from the end of the estimation "
                          f"window (Bollerslev 1986), summed over a window; t ~ Student t({self._df}), two-sided p.")
            fallbacks = self.garch_fallbacks
            header.append("GARCH: every fit converged." if not fallbacks else
                          "GARCH did not converge for " + "; ".join(f"{t} ({m})" for t, m in fallbacks.items())
                          + ": OLS market model used for them.")
        if (first, last) != self._requested_estimation:
            header.append(
                f"Note: the estimation window {self._requested_estimation} was cut to the start of the data, "
                f"{(first, last)}."
            )
        sections: list[tuple[str, pd.DataFrame | None, list[str]]] = [("Event study", None, header)]

        params = self.params * 100.0
        fit = pd.DataFrame(index=params.index)
        for name in params.columns:
            if name == "alpha":
                fit["alpha (%/day)"] = params[name].map(lambda v: f"{v:.4f}")
            else:
                fit[name] = (params[name] / 100.0).map(lambda v: f"{v:.3f}")
        fit["alpha t"] = self.tvalues["alpha"].map(lambda v: f"{v:.2f}")
        loading = "beta" if "beta" in params.columns else ("beta_mkt" if "beta_mkt" in params.columns else None)
        if loading is not None:
            fit[f"{loading} se"] = self.bse[loading].map(lambda v: f"{v:.3f}")
        fit["sigma (%/day)"] = (self.sigma * 100).map(lambda v: f"{v:.3f}")
        fit["n"] = self.n_estimation
        fit["placebo p (day 0)"] = self.placebo_p.map(format_p)
        placebo_note = (
            f"placebo p = (1 + #{{estimation days with |AR| ≥ |AR_0|}}) / (L1 + 1); smallest 1/{self.n_estimation + 1}."
        )
        sections.append(("Fit over the estimation window, and the day-0 placebo p", fit, [placebo_note]))
        for window in self._event_windows:
            frame = self.car(window)
            adjusted = self.adjusted_pvalues(window)
            dates = self.sessions.loc[[window[0], window[1]]]
            table = pd.DataFrame(
                {
                    "CAR (%)": (frame["car"] * 100).map(lambda v: f"{v:.2f}"),
                    "se (%)": (frame["se"] * 100).map(lambda v: f"{v:.2f}"),
                    "t": frame["t"].map(lambda v: f"{v:.2f}"),
                    "p": frame["p"].map(format_p),
                    "p Holm": adjusted["p_holm"].map(format_p),
                    "p BH": adjusted["p_bh"].map(format_p),
                }
            )
            notes = self._confound_notes(window)
            sections.append(
                (
                    f"CAR {window_label(window)} ({dates.iloc[0]:%Y-%m-%d} to {dates.iloc[1]:%Y-%m-%d})",
                    table,
                    notes,
                )
            )
        group = self.group
        if group.n < 2:
            sections.append((f"Group: one firm ({', '.join(group.tickers)})", None, [
                "With one firm there is no group: CAAR, the cross-sectional tests (BMP, GRANK, the generalized "
                "sign), r̄ and the Wald test need at least two firms and are not computed. The firm's own CAR and t "
                "above are the test."]))
            return sections
        # A cross-sectional standard deviation from two firms has one degree of freedom: not worth printing.
        few = f"n/a (N = {group.n} < {MIN_CROSS_SECTION_FIRMS})" if group.n < MIN_CROSS_SECTION_FIRMS else None
        rows = {
            "CAAR (%)": lambda w: f"{w.caar * 100:.2f}",
            "portfolio CAR (%)": lambda w: f"{w.portfolio_car * 100:.2f}",
            "portfolio se (%)": lambda w: f"{w.portfolio_se * 100:.2f}",
            f"portfolio t [t({self._df})]": lambda w: f"{w.portfolio_t:.2f} (p {format_p(w.portfolio.pvalue)})",
            "Patell z": lambda w: _fmt_stat(w.patell),
            "Patell z, KP-adjusted": lambda w: _fmt_stat(w.patell_adjusted),
            f"BMP t [t({group.n - 1})]": lambda w: few or _fmt_stat(w.bmp),
            f"BMP t, KP-adjusted [t({group.n - 1})]": lambda w: few or _fmt_stat(w.kp_bmp),
            "generalized sign z (assumes independence)": lambda w: _fmt_stat(w.generalized_sign),
            f"GRANK t [t({self.n_estimation - 1})]": lambda w: _fmt_stat(w.grank),
            f"Wald chi2({group.n})": lambda w: _fmt_stat(w.wald),
            f"Wald, exact Hotelling F({group.n}, {self._df - group.n + 1})": lambda w: _fmt_stat(w.wald_exact),
            f"cross-sectional t [t({group.n - 1})] (assumes independence)": lambda w: few or _fmt_stat(w.csect),
            "skewness-adjusted t [N(0,1)] (assumes independence)": lambda w: _fmt_stat(w.skew),
            "Wilcoxon signed-rank W (assumes independence)": lambda w: _fmt_stat(w.wilcoxon),
            "bootstrap p, whole dates resampled": lambda w: f"{w.bootstrap.pvalue:.4f}",
        }
        table = pd.DataFrame(
            {window_label(w.window): [fn(w) for fn in rows.values()] for w in group.windows},
            index=pd.Index(list(rows), name="statistic"),
        )
        notes = [
            f"N = {group.n}, r̄ = {group.rbar:.3f} (mean pairwise correlation of estimation-window residuals).",
            f"Corrado rank t (day 0) = {_fmt_stat(group.corrado)}, N(0,1).",
            "Robust to cross-correlation: portfolio t, KP-adjusted Patell and BMP, GRANK, Wald, the date bootstrap. "
            "Plain Patell, plain BMP, Corrado, the generalized sign, the cross-sectional t, the skewness-adjusted t "
            "and Wilcoxon assume independent firms.",
            "Wald chi2 is the large-sample law and over-rejects somewhat; the exact Hotelling F row is its "
            "finite-sample form.",
            f"Bootstrap: {group.bootstrap_draws} draws of whole estimation-window dates (seed {group.bootstrap_seed}), "
            "so the cross-correlation of the firms is kept.",
            "Per-firm p are adjusted over the N firms: Holm (family-wise error), Benjamini-Hochberg (false discovery "
            "rate).",
        ]
        if self._has_pretrend_window():
            pre = self.pretrend()
            first, last = PRETREND_WINDOW
            notes.append(
                f"Pre-trend: joint F({last - first + 1}, {self._df}) that every AR of {window_label(PRETREND_WINDOW)} "
                f"is zero: portfolio F = {pre.at['portfolio', 'f']:.2f} (p {pre.at['portfolio', 'p']:.4f}); "
                f"{int((pre['p'].drop('portfolio') < 0.05).sum())} of {group.n} firms reject at 5 %."
            )
        if group.n < GRANK_SMALL_N:
            notes.append(
                f"GRANK over-rejects with few firms (N = {group.n} < {GRANK_SMALL_N}): its tails are closer to "
                f"t(N − 1) than to t({self.n_estimation - 1})."
            )
        if group.note:
            notes.append(group.note)
        if group.n < 3:
            notes.append(f"With N = {group.n} firms the cross-sectional standard deviation behind BMP and "
                         "KP-adjusted BMP has one degree of freedom; read the portfolio t and the Wald test instead.")
        sections.append((f"Group: equal-weighted, {group.n} firms ({', '.join(group.tickers)})", table, notes))
        return sections

    def _confound_notes(self, window: tuple[int, int]) -> list[str]:
        return [
            f"Confound warning: τ = {_tau_label(tau)}: {text}."
            for tau, text in sorted(self._confounds.items())
            if window[0] <= tau <= window[1]
        ]

    def summary(self) -> str:
        """Readable text tables (percent where marked).

        Returns
        -------
        str
        """
        out = []
        for title, table, notes in self._sections():
            out.append(title)
            out.append("=" * len(title))
            if table is not None:
                out.append(table.to_string())
            out.extend(notes)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<EventStudyResults {self.model_label}, day 0 {self._day0:%Y-%m-%d}, {len(self._tickers)} firms, "
            f"estimation τ ∈ [{self._estimation_window[0]}, {self._estimation_window[1]}]>"
        )

    def _repr_html_(self) -> str:
        """The summary as HTML (for Jupyter)."""
        parts = []
        for title, table, notes in self._sections():
            parts.append(f"<h4>{html.escape(title)}</h4>")
            if table is not None:
                parts.append(table.to_html())
            if notes:
                parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
        return "<div>" + "\n".join(parts) + "</div>"

    def plot(self, ticker: str | None = None, level: float = 0.95):
        """The AR and CAR paths of ``ticker`` with ``level`` bands, or the group's AAR and CAAR when None.

        Returns a :class:`matplotlib.figure.Figure` (not attached to pyplot).

        Parameters
        ----------
        ticker : str, optional
        level : float
        """
        from analysis.charts import plot_event_paths

        if ticker is None:
            path = self.caar_path(None, level)
            name = f"equal-weighted portfolio of {len(self._tickers)} firms"
        else:
            path = self.event_path(ticker, level)
            name = ticker
        return plot_event_paths(
            path,
            firm=name,
            model_label=self.model_label,
            estimation_label=self.estimation_label,
            level=level,
            confounds=self._confounds,
            day0=self._day0,
        )

    def plot_placebo(self, ticker: str):
        """Histogram of ``ticker``'s estimation-window ARs with day 0 marked and its placebo p (a Figure).

        Parameters
        ----------
        ticker : str

        Returns
        -------
        matplotlib.figure.Figure
        """
        from analysis.charts import plot_placebo_histogram

        j = self._ticker_column(ticker)
        return plot_placebo_histogram(
            self._estimation_ar[:, j],
            float(self._event_ar[-self._span[0], j]),
            firm=ticker,
            placebo_p=float(self.placebo_p[ticker]),
            model_label=self.model_label,
            estimation_label=self.estimation_label,
        )


def format_p(value: float | None) -> str:
    """A p-value for a table: four decimals, ``<0.0001`` below that, ``n/a`` when it cannot be computed (one rule
    for every printed table: the CLI, the report and the notebooks)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return "<0.0001" if value < 0.0001 else f"{value:.4f}"


#: The fewest firms the cross-sectional tests (BMP, KP-adjusted BMP, cross-sectional t) are printed for.
MIN_CROSS_SECTION_FIRMS = 3


def _fmt_stat(test: HypothesisTest) -> str:
    if not math.isfinite(test.value):
        return "n/a"
    return f"{test.value:.2f} (p {format_p(test.pvalue)})"


# ---------------------------------------------------------------------------------------------------------------
# Indices, long-short differences, the robustness table
# ---------------------------------------------------------------------------------------------------------------


def index_reaction(
    returns: pd.Series,
    day0: pd.Timestamp,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    *,
    min_estimation_returns: int = config.MIN_ESTIMATION_RETURNS,
) -> dict:
    """The day-0 move of an index, which has no abnormal return against itself (docs/METHOD.md, "Indices").

    Parameters
    ----------
    returns : Series
        Simple close-to-close returns of the index (decimal), tz-naive DatetimeIndex of sessions. Leading NaN
        (the first return of a history) is ignored; a NaN inside the estimation window raises DataGapError.
    day0 : Timestamp
    estimation_window : (int, int)

    Returns
    -------
    dict
        ``return``: R_0 (raw, decimal); ``sd``: sd(estimation-window returns, ddof=1); ``z``: R_0 / sd (not
        demeaned);
        ``percentile``: 100 × the share of all the series' daily returns that are ≤ R_0 (the "weak" percentile of
        :func:`scipy.stats.percentileofscore`, day 0 included; a record low of n returns gets 100/n);
        ``n_estimation``: returns in the estimation window; ``n_history``: returns in the percentile's base.
    """
    if isinstance(returns, pd.DataFrame):
        returns = returns.iloc[:, 0]
    name = str(returns.name) if returns.name is not None else "index"
    study = EventStudy(
        returns.to_frame(name),
        day0,
        model="constant-mean",
        estimation_window=estimation_window,
        event_windows=((0, 0),),
        ar_path=(0, 0),
        min_estimation_returns=min_estimation_returns,
        confounds={},
    )
    aligned = study._aligned
    estimation = aligned.returns_est[:, 0]
    r0 = float(aligned.returns_span[0, 0])
    history = returns.to_numpy(dtype=float, na_value=np.nan)
    history = history[~np.isnan(history)]
    sd = float(estimation.std(ddof=1))
    return {
        "return": r0,
        "sd": sd,
        "z": float(r0 / sd),
        "percentile": float(100.0 * np.mean(history <= r0)),
        "n_estimation": int(estimation.size),
        "n_history": int(history.size),
    }


def long_short_difference(
    returns: pd.DataFrame,
    group_a: Sequence[str],
    group_b: Sequence[str],
    day0: pd.Timestamp,
    benchmark: pd.Series,
    *,
    name: str | None = None,
    benchmark_name: str = config.DEFAULT_BENCHMARK,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    event_windows: Sequence[tuple[int, int]] = config.EVENT_WINDOWS,
    ar_path: tuple[int, int] = config.AR_PATH,
    event_date=None,
    min_estimation_returns: int = config.MIN_ESTIMATION_RETURNS,
) -> EventStudyResults:
    """Test the difference between two groups as one firm: the equal-weighted long-short portfolio
    ``mean(R_A) − mean(R_B)`` (daily rebalanced), under the market model.

    Its CAR equals CAAR_A − CAAR_B, and its own regression's residual variance carries every covariance within and
    across the groups, so the t-test is valid under cross-correlation (Brown & Warner 1980's portfolio approach).

    Returns
    -------
    EventStudyResults
        With one "firm", named ``name`` (default ``"long_short"``).

    Parameters
    ----------
    returns : DataFrame
        Simple returns (decimal), sessions × tickers.
    group_a, group_b : sequence of str
        The long and the short group (disjoint).
    day0 : Timestamp
    benchmark : Series
        The market's simple returns.
    name : str, optional
    benchmark_name, estimation_window, event_windows, ar_path, event_date, min_estimation_returns
        As for :class:`EventStudy`.
    """
    group_a, group_b = list(group_a), list(group_b)
    if not group_a or not group_b:
        raise ValueError("both groups need at least one ticker")
    overlap = sorted(set(group_a) & set(group_b))
    if overlap:
        raise ValueError(f"tickers in both groups: {overlap}")
    missing = [t for t in group_a + group_b if t not in returns.columns]
    if missing:
        raise KeyError(f"tickers not in returns: {missing}")
    label = name or "long_short"
    settings = dict(
        model="market",
        benchmark=benchmark,
        benchmark_name=benchmark_name,
        estimation_window=estimation_window,
        event_windows=event_windows,
        ar_path=ar_path,
        event_date=event_date,
        min_estimation_returns=min_estimation_returns,
    )
    # Validate the members first, so that a gap is reported with the ticker that has it.
    EventStudy(returns[group_a + group_b], day0, **settings)
    spread = returns[group_a].mean(axis=1, skipna=False) - returns[group_b].mean(axis=1, skipna=False)
    study = EventStudy(spread.to_frame(label), day0, **settings)
    return study.fit()


def forest_table(results: Mapping[str, EventStudyResults], level: float = 0.95) -> pd.DataFrame:
    """Day-0 AR with its ``level`` interval per firm and model, for :func:`analysis.charts.plot_forest`.

    Parameters
    ----------
    results : mapping of label → EventStudyResults
        e.g. ``{"market vs ^GSPC": res1, "ff3": res2}``.

    Returns
    -------
    DataFrame
        Columns firm, model, ar, se, lo, hi, df (decimal), in the order of the firms then the mapping.
    """
    frames = []
    for label, res in results.items():
        frame = res.day0_intervals(level).reset_index()
        frame.insert(1, "model", label)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    firm_order = list(dict.fromkeys(table["firm"]))
    model_order = list(results)
    table["_f"] = table["firm"].map(firm_order.index)
    table["_m"] = table["model"].map(model_order.index)
    return table.sort_values(["_f", "_m"]).drop(columns=["_f", "_m"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# Comparing fits
# ---------------------------------------------------------------------------------------------------------------


class EventStudyComparison:
    """Several fitted studies side by side (like ``linearmodels.panel.compare``); build it with :func:`compare`.

    Parameters
    ----------
    results : mapping of label → EventStudyResults
    windows : sequence of (int, int)
        Windows compared (each must be inside every fit's AR path).
    level : float
        Confidence level of the intervals.
    """

    def __init__(self, results: Mapping[str, EventStudyResults], windows: Sequence[tuple[int, int]] = ((0, 0),),
                 level: float = 0.95) -> None:
        if not results:
            raise ValueError("compare needs at least one fitted study")
        self._results = dict(results)
        self._windows = tuple(_check_window(w, "window") for w in windows)
        self._level = float(level)

    @property
    def results(self) -> dict[str, EventStudyResults]:
        """Label → results, in the order given."""
        return dict(self._results)

    @property
    def specs(self) -> tuple[str, ...]:
        return tuple(self._results)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Tidy table, one row per (firm, spec, window).

        Columns: firm, spec, model, benchmark, window (JSON key ``"0,1"``), car, se, t, p, lower, upper (``level``
        interval, Student t(df)), df. Decimal simple returns, abnormal under each spec. Rows in the order of the
        firms, then the specs, then the windows.
        """
        rows = []
        for label, res in self._results.items():
            for window in self._windows:
                frame = res.car(window)
                ci = res.conf_int(self._level, window)
                part = frame.assign(lower=ci["lower"], upper=ci["upper"]).reset_index()
                part.insert(1, "spec", label)
                part.insert(2, "model", res.model)
                part.insert(3, "benchmark", res.benchmark_name)
                part.insert(4, "window", window_key(window))
                rows.append(part)
        table = pd.concat(rows, ignore_index=True)
        firm_order = {f: i for i, f in enumerate(dict.fromkeys(table["firm"]))}
        spec_order = {s: i for i, s in enumerate(self._results)}
        window_order = {window_key(w): i for i, w in enumerate(self._windows)}
        order = np.lexsort((table["window"].map(window_order), table["spec"].map(spec_order),
                            table["firm"].map(firm_order)))
        return table.iloc[order].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """:attr:`frame` (a copy).

        Returns
        -------
        DataFrame
        """
        return self.frame.copy()

    def wide(self, value: str = "t", window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
        """Firm × spec table of one column of :attr:`frame` for one window.

        Parameters
        ----------
        value : str
            A column of :attr:`frame` (car, se, t, p, lower, upper).
        window : (int, int)

        Returns
        -------
        DataFrame
        """
        key = window_key(window)
        part = self.frame[self.frame["window"] == key]
        return part.pivot(index="firm", columns="spec", values=value)[list(self._results)]

    def forest(self) -> pd.DataFrame:
        """The day-0 AR intervals in the shape of :func:`forest_table`, for :func:`analysis.charts.plot_forest`.

        Returns
        -------
        DataFrame
        """
        return forest_table(self._results, self._level)

    def summary(self) -> str:
        """Text: per window, the firms' CARs (%) with t under each spec.

        Returns
        -------
        str
        """
        out = []
        for window in self._windows:
            title = f"CAR {window_label(window)} (%, t) by spec"
            car = self.wide("car", window) * 100
            t = self.wide("t", window)
            table = car.map(lambda v: f"{v:.2f}") + t.map(lambda v: f" ({v:.2f})")
            out += [title, "=" * len(title), table.to_string(), ""]
        out.append("Specs: " + "; ".join(f"{k}: {r.model_label}" for k, r in self._results.items()))
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<EventStudyComparison of {len(self._results)} specs: {', '.join(self._results)}>"

    def _repr_html_(self) -> str:
        parts = []
        for window in self._windows:
            parts.append(f"<h4>CAR {html.escape(window_label(window))} (decimal) by spec</h4>")
            parts.append(self.wide("car", window).to_html(float_format=lambda v: f"{v:.4f}"))
        return "<div>" + "\n".join(parts) + "</div>"


def compare(results: Mapping[str, EventStudyResults], windows: Sequence[tuple[int, int]] = ((0, 0),),
            level: float = 0.95) -> EventStudyComparison:
    """Compare several fits, e.g. ``compare({"market vs ^GSPC": res1, "ff5": res2})``.

    Parameters
    ----------
    results : mapping of label → EventStudyResults
    windows : sequence of (int, int)
        Windows whose CARs are compared (default day 0).
    level : float
        Confidence level of the intervals (Student t with each fit's df).

    Returns
    -------
    EventStudyComparison
        With :attr:`~EventStudyComparison.frame`, :meth:`~EventStudyComparison.summary` and
        :meth:`~EventStudyComparison.forest`.
    """
    return EventStudyComparison(results, windows, level)
