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
market-adj.    R_i − R_m (no fit)           none (α = 0, β = 1 fixed)           L1 − 1
============== ============================ =================================== ============

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
from scipy import linalg, stats

from analysis import config
from analysis.errors import ConstantSeriesError, DataGapError, EventDateError, WindowError
from analysis.inference import (
    GRANK_SMALL_N,
    GroupStatistics,
    HypothesisTest,
    car_t_statistics,
    car_t_test,
    group_statistics,
    placebo_pvalues,
    placebo_test,
    window_key,
)

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
]

#: The normal-return models offered.
MODELS = ("market", "market-adjusted", "constant-mean", "ff3")
#: Columns the ``factors`` frame must hold for ``model="ff3"`` (decimal fractions, daily).
FF3_COLUMNS = ("Mkt-RF", "SMB", "HML", "RF")
#: Coefficient names of each model, in the column order of X.
PARAM_NAMES = MappingProxyType({
    "market": ("alpha", "beta"),
    "market-adjusted": ("alpha", "beta"),
    "constant-mean": ("alpha",),
    "ff3": ("alpha", "beta_mkt", "beta_smb", "beta_hml"),
})
#: Equations, for labels.
MODEL_EQUATIONS = MappingProxyType({
    "market": "R_i = α_i + β_i R_m + ε_i (OLS)",
    "market-adjusted": "AR_i = R_i − R_m (α = 0, β = 1 fixed)",
    "constant-mean": "R_i = α_i + ε_i (OLS: the estimation-window mean)",
    "ff3": "R_i − RF = α_i + β_mkt (Mkt-RF) + β_smb SMB + β_hml HML + ε_i (OLS)",
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
    coefficients = linalg.solve_triangular(r, q.T @ y, lower=False)
    residuals = y - x @ coefficients
    df = n_obs - k
    sigma2 = np.einsum("ij,ij->j", residuals, residuals) / df
    r_inverse = linalg.solve_triangular(r, np.eye(k), lower=False)
    return LinearFit(coefficients=coefficients, residuals=residuals, sigma2=sigma2, df=df, r_inverse=r_inverse)


def prediction_error_matrix(x_window: np.ndarray | None, xtx_inverse: np.ndarray | None, length: int) -> np.ndarray:
    """The bracket ``I + X*(X'X)⁻¹X*'`` of the exact covariance of a window's abnormal returns.

    ``V = σ̂² · bracket`` (Campbell, Lo & MacKinlay 1997, eq. 4.4.8). With no estimated parameters (the
    market-adjusted model, ``x_window=None``) it is the identity.
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
    factors_est: np.ndarray | None  # (L1, 4) Mkt-RF, SMB, HML, RF
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
    model : {"market", "market-adjusted", "constant-mean", "ff3"}
        The normal-return model (see the module docstring).
    benchmark : Series, optional
        Simple returns of the market proxy, required by "market" and "market-adjusted". Aligned on
        ``returns.index``; a date the firms need that it lacks raises :class:`DataGapError`.
    benchmark_name : str
        Label of the benchmark, for reporting (default ``"^GSPC"``).
    factors : DataFrame, optional
        Fama–French daily factors with columns ``Mkt-RF, SMB, HML, RF`` in decimal fractions, required by "ff3".
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
        if model in ("market", "market-adjusted") and benchmark is None:
            raise ValueError(f"the {model} model needs a benchmark series")
        if model == "ff3" and factors is None:
            raise ValueError("the ff3 model needs the factors frame (Mkt-RF, SMB, HML, RF in decimals)")

        self._model = model
        self._benchmark_name = benchmark_name if model in ("market", "market-adjusted") else None
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
        if self._model in ("market", "market-adjusted"):
            bench = self._aligned_series(benchmark, index, used_rows, f"benchmark {self._benchmark_name}")
            bench_est, bench_span = bench[: len(est_rows)], bench[len(est_rows) :]
            if np.ptp(bench_est) == 0:
                raise ConstantSeriesError(
                    f"the benchmark {self._benchmark_name} does not move over the estimation window.",
                    hint="choose another benchmark.",
                )
        fac_est = fac_span = None
        if self._model == "ff3":
            fac = self._aligned_factors(factors, index, used_rows)
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
    def _aligned_factors(factors: pd.DataFrame, index: pd.DatetimeIndex, rows: np.ndarray) -> np.ndarray:
        if not isinstance(factors, pd.DataFrame):
            raise TypeError(f"factors must be a DataFrame, not {type(factors).__name__}")
        missing_cols = [c for c in FF3_COLUMNS if c not in factors.columns]
        if missing_cols:
            raise ValueError(f"factors lack the columns {missing_cols}; expected {list(FF3_COLUMNS)}")
        _check_index(factors.index, "factors")
        needed = index[rows]
        aligned = factors.loc[:, list(FF3_COLUMNS)].reindex(needed).to_numpy(dtype=float, na_value=np.nan)
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

    @property
    def event_span(self) -> tuple[int, int]:
        """The AR path widened to cover day 0 and every event window."""
        return self._span

    # -- the fit ------------------------------------------------------------------------------------------------

    def _design(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(y_est, y_span, X_est, X_span) of the chosen model."""
        a = self._aligned
        ones_est = np.ones((a.returns_est.shape[0], 1))
        ones_span = np.ones((a.returns_span.shape[0], 1))
        if self._model == "market":
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
        # ff3: excess return on [1, Mkt-RF, SMB, HML]
        return (
            a.returns_est - a.factors_est[:, 3:4],
            a.returns_span - a.factors_span[:, 3:4],
            np.hstack([ones_est, a.factors_est[:, :3]]),
            np.hstack([ones_span, a.factors_span[:, :3]]),
        )

    def fit(self) -> EventStudyResults:
        """Fit the normal-return model for all firms at once and compute ARs, CARs, variances and tests.

        Returns
        -------
        EventStudyResults
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
            variance_residuals = ols.residuals
            whitened_span = x_span @ ols.r_inverse  # rows g_τ with x_τ'(X'X)⁻¹x_τ = |g_τ|²
            xtx_inverse = ols.xtx_inverse
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
        )


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------


def _json_float(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


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
    ) -> None:
        aligned = study._aligned
        self._model = study.model
        self._benchmark_name = study._benchmark_name
        self._event_date = study._event_date
        self._day0 = study._day0
        self._estimation_window = study.estimation_window
        self._requested_estimation = study._requested_estimation
        self._event_windows = study._event_windows
        self._span = study.event_span
        self._confounds = dict(study._confounds)
        self._tickers = aligned.tickers
        self._estimation_sessions = aligned.estimation_sessions
        self._span_sessions = aligned.span_sessions
        self._span_taus = aligned.span_taus
        self._estimation_taus = aligned.estimation_taus
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
        for array in (params, sigma2, estimation_ar, event_ar, variance_residuals):
            array.setflags(write=False)

    # -- labels -------------------------------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """``"market"``, ``"market-adjusted"``, ``"constant-mean"`` or ``"ff3"``."""
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
        the daily mean return), or alpha, beta_mkt, beta_smb, beta_hml (ff3). Decimal, daily."""
        index = pd.Index(self._tickers, name="firm")
        return pd.DataFrame(self._params.T, index=index, columns=list(PARAM_NAMES[self._model]))

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
        """
        window = _check_window(window, "window")
        rows = self._span_rows(window)
        length = window[1] - window[0] + 1
        if self._whitened_span is None:
            return float(length)
        summed = self._whitened_span[rows].sum(axis=0)
        return float(length + summed @ summed)

    def prediction_error_matrix(self, window: tuple[int, int]) -> np.ndarray:
        """The L × L bracket I + X*(X'X)⁻¹X*' of the window: Cov(AR_window) = σ̂²_i times it."""
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

    @cached_property
    def abnormal_return_se(self) -> pd.DataFrame:
        """τ × firm: exact standard error of each AR, σ̂ sqrt(1 + x_τ'(X'X)⁻¹x_τ) (decimal)."""
        se = np.sqrt(np.outer(self._daily_factors(), self._sigma2))
        return pd.DataFrame(se, index=self.abnormal_returns.index, columns=self.abnormal_returns.columns)

    @cached_property
    def car_path(self) -> pd.DataFrame:
        """τ × firm: CAR cumulated from the first τ of :attr:`ar_path` up to each τ (decimal)."""
        return self.abnormal_returns.cumsum()

    @cached_property
    def car_path_se(self) -> pd.DataFrame:
        """τ × firm: exact standard error of :attr:`car_path`, σ̂ sqrt(1'[I + X*(X'X)⁻¹X*']1) over [first τ, τ]."""
        se = np.sqrt(np.outer(self._cumulative_factors(), self._sigma2))
        return pd.DataFrame(se, index=self.abnormal_returns.index, columns=self.abnormal_returns.columns)

    def car(self, window: tuple[int, int]) -> pd.DataFrame:
        """Firm × [car, se, t, p, df] for one window: CAR (decimal), exact SE, Student t(df), two-sided p."""
        window = _check_window(window, "window")
        car = self._event_ar[self._span_rows(window)].sum(axis=0)
        variance = self.window_factor(window) * self._sigma2
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
        """One firm's CAR t-test over a window, as a :class:`~analysis.inference.HypothesisTest`."""
        self._ticker_column(ticker)
        row = self.car(window).loc[ticker]
        return car_t_test(float(row["car"]), float(row["se"]) ** 2, self._df, label=f"{ticker} CAR{list(window)} t")

    def placebo_test(self, ticker: str) -> HypothesisTest:
        """One firm's day-0 placebo test."""
        j = self._ticker_column(ticker)
        return placebo_test(self._estimation_ar[:, j], float(self._event_ar[-self._span[0], j]))

    def event_path(self, ticker: str, level: float = 0.95) -> pd.DataFrame:
        """The AR and CAR path of one firm with ``level`` confidence bands (Student t(df) critical value).

        Index τ over :attr:`ar_path`; columns: session, ar, ar_se, ar_lo, ar_hi, car, car_se, car_lo, car_hi
        (decimal). CAR is cumulated from the first τ of the path; its SE is the exact one of that window.
        """
        j = self._ticker_column(ticker)
        ar = self._event_ar[:, j]
        return self._path_frame(ar, self._sigma2[j], level)

    def caar_path(self, tickers: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """The equal-weighted portfolio's AR (= AAR) and CAR (= CAAR) path with bands from its own regression."""
        columns = self._columns(tickers)
        ar = self._event_ar[:, columns].mean(axis=1)
        portfolio_residuals = self._variance_residuals[:, columns].mean(axis=1)
        return self._path_frame(ar, float(portfolio_residuals @ portfolio_residuals) / self._df, level)

    def _path_frame(self, ar: np.ndarray, sigma2: float, level: float) -> pd.DataFrame:
        crit = float(stats.t.ppf(0.5 + level / 2.0, self._df))
        ar_se = np.sqrt(self._daily_factors() * sigma2)
        car = np.cumsum(ar)
        car_se = np.sqrt(self._cumulative_factors() * sigma2)
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

    def day0_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Firm × [ar, se, lo, hi, df]: day-0 AR with its ``level`` interval (Student t(df)), decimal."""
        frame = self.car((0, 0))
        crit = float(stats.t.ppf(0.5 + level / 2.0, self._df))
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
        returns (a label). ``firms[t]``: alpha, beta (the market loading; None for constant-mean; for ff3 also
        beta_mkt, beta_smb, beta_hml), sigma, n_estimation, ar{"-10".."10"}, windows{"a,b": {car, se, t, p}},
        placebo_p. ``group``: see :meth:`analysis.inference.GroupStatistics.to_dict`.
        """
        params = self.params
        ar = self.abnormal_returns
        firms = {}
        for ticker in self._tickers:
            entry: dict = {"alpha": _json_float(params.at[ticker, "alpha"])}
            if self._model == "ff3":
                entry["beta"] = _json_float(params.at[ticker, "beta_mkt"])
                for name in ("beta_mkt", "beta_smb", "beta_hml"):
                    entry[name] = _json_float(params.at[ticker, name])
            elif "beta" in params.columns:
                entry["beta"] = _json_float(params.at[ticker, "beta"])
            else:
                entry["beta"] = None
            entry["sigma"] = _json_float(self.sigma[ticker])
            entry["n_estimation"] = int(self.n_estimation)
            entry["ar"] = {str(int(tau)): _json_float(ar.at[tau, ticker]) for tau in ar.index}
            entry["windows"] = {
                key: {name: _json_float(frame.at[ticker, name]) for name in ("car", "se", "t", "p")}
                for key, frame in self.cars.items()
            }
            entry["placebo_p"] = _json_float(self.placebo_p[ticker])
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
        }

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
        fit["sigma (%/day)"] = (self.sigma * 100).map(lambda v: f"{v:.3f}")
        fit["n"] = self.n_estimation
        fit["placebo p (day 0)"] = self.placebo_p.map(lambda v: f"{v:.4f}")
        placebo_note = (
            f"placebo p = (1 + #{{estimation days with |AR| ≥ |AR_0|}}) / (L1 + 1); smallest 1/{self.n_estimation + 1}."
        )
        sections.append(("Fit over the estimation window, and the day-0 placebo p", fit, [placebo_note]))
        for window in self._event_windows:
            frame = self.car(window)
            dates = self.sessions.loc[[window[0], window[1]]]
            table = pd.DataFrame(
                {
                    "CAR (%)": (frame["car"] * 100).map(lambda v: f"{v:.2f}"),
                    "se (%)": (frame["se"] * 100).map(lambda v: f"{v:.2f}"),
                    "t": frame["t"].map(lambda v: f"{v:.2f}"),
                    "p": frame["p"].map(lambda v: f"{v:.4f}"),
                }
            )
            notes = self._confound_notes(window)
            sections.append(
                (
                    f"CAR over τ ∈ [{window[0]}, {window[1]}] ({dates.iloc[0]:%Y-%m-%d} to {dates.iloc[1]:%Y-%m-%d})",
                    table,
                    notes,
                )
            )
        group = self.group
        rows = {
            "CAAR (%)": lambda w: f"{w.caar * 100:.2f}",
            "portfolio CAR (%)": lambda w: f"{w.portfolio_car * 100:.2f}",
            "portfolio se (%)": lambda w: f"{w.portfolio_se * 100:.2f}",
            f"portfolio t [t({self._df})]": lambda w: f"{w.portfolio_t:.2f} (p {w.portfolio.pvalue:.4f})",
            "Patell z": lambda w: _fmt_stat(w.patell),
            "Patell z, KP-adjusted": lambda w: _fmt_stat(w.patell_adjusted),
            f"BMP t [t({group.n - 1})]": lambda w: _fmt_stat(w.bmp),
            f"BMP t, KP-adjusted [t({group.n - 1})]": lambda w: _fmt_stat(w.kp_bmp),
            "generalized sign z (assumes independence)": lambda w: _fmt_stat(w.generalized_sign),
            f"GRANK t [t({self.n_estimation - 1})]": lambda w: _fmt_stat(w.grank),
            f"Wald chi2({group.n})": lambda w: _fmt_stat(w.wald),
            f"Wald, exact Hotelling F({group.n}, {self._df - group.n + 1})": lambda w: _fmt_stat(w.wald_exact),
        }
        table = pd.DataFrame(
            {f"[{w.window[0]},{w.window[1]}]": [fn(w) for fn in rows.values()] for w in group.windows},
            index=pd.Index(list(rows), name="statistic"),
        )
        notes = [
            f"N = {group.n}, r̄ = {group.rbar:.3f} (mean pairwise correlation of estimation-window residuals).",
            f"Corrado rank t (day 0) = {_fmt_stat(group.corrado)}, N(0,1).",
            "Robust to cross-correlation: portfolio t, KP-adjusted Patell and BMP, GRANK, Wald. Plain Patell, plain "
            "BMP, Corrado and the generalized sign assume independent firms.",
            "Wald chi2 is the large-sample law and over-rejects somewhat; the exact Hotelling F row is its "
            "finite-sample form.",
        ]
        if group.n < GRANK_SMALL_N:
            notes.append(
                f"GRANK over-rejects with few firms (N = {group.n} < {GRANK_SMALL_N}): its tails are closer to "
                f"t(N − 1) than to t({self.n_estimation - 1})."
            )
        if group.note:
            notes.append(group.note)
        sections.append((f"Group: equal-weighted, {group.n} firms ({', '.join(group.tickers)})", table, notes))
        return sections

    def _confound_notes(self, window: tuple[int, int]) -> list[str]:
        return [
            f"Confound warning: τ = {_tau_label(tau)}: {text}."
            for tau, text in sorted(self._confounds.items())
            if window[0] <= tau <= window[1]
        ]

    def summary(self) -> str:
        """Readable text tables (percent where marked)."""
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
        """Histogram of ``ticker``'s estimation-window ARs with day 0 marked and its placebo p (a Figure)."""
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


def _fmt_stat(test: HypothesisTest) -> str:
    if not math.isfinite(test.value):
        return "n/a"
    return f"{test.value:.2f} (p {test.pvalue:.4f})"


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
