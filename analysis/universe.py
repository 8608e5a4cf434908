"""The cross-section of one event over every member of an index universe (the S&P 500).

For each member with enough history, the batched market-model engine (:class:`analysis.eventstudy.EventStudy`)
gives the day-0 abnormal return (AR) and the CARs of the event windows, against ^GSPC and, because Nvidia is a
large weight in it, against RSP (the equal-weight S&P 500). On top of that:

* **the distribution** of day-0 returns: the share of members that fell, the median, the equal-weighted mean
  against the index's own return;
* **GICS sectors and sub-industries**, with the tests that survive a shared event date (MacKinlay 1997; Kolari and
  Pynnönen 2010): N, CAAR, the equal-weighted portfolio t, the Kolari–Pynnönen adjusted BMP t, and the
  cross-sectional t (Brown and Warner 1985, which assumes independent firms), ranked by CAAR;
* **exposure**: an OLS regression across members of the day-0 AR on the member's beta to SOXX (the univariate slope
  of its daily return on SOXX's over the estimation window) and its momentum, P(τ=−21) / P(τ=−252) − 1 in sessions,
  with HC3 standard errors (MacKinnon and White 1985), then the same with sector dummies;
* **the timeline**: the same cross-section for a list of events, and the overlap of each event's hardest-hit
  members with a reference event's (:func:`timeline_cross_sections`).

Conventions: simple close-to-close returns from **adjusted** closes (the universe file holds split- and
dividend-adjusted closes; never show them as price levels), decimal fractions, XNYS sessions, day 0 the first
session on or after the event date. A member enters the AR study when it has at least
``min_estimation_returns`` (200, the house rule) returns in the estimation window and every return of the event
span; every member that falls out is listed with its reason. Members that have the full estimation window are
fitted in one batch and enter the group tests (which need one set of estimation sessions); a member with a shorter
window of at least 200 returns is fitted on its own window and enters the distribution and the regression only.

References
----------
.. [1] MacKinlay, A. C. (1997). "Event Studies in Economics and Finance". *J. Econ. Lit.* 35(1), 13–39.
.. [2] Kolari, J. W. and S. Pynnönen (2010). "Event study testing with cross-sectional correlation of abnormal
   returns". *Rev. Financial Studies* 23(11), 3996–4025.
.. [3] Brown, S. J. and J. B. Warner (1985). "Using daily stock returns". *J. Financial Economics* 14(1), 3–31.
.. [4] MacKinnon, J. G. and H. White (1985). "Some heteroskedasticity-consistent covariance matrix estimators with
   improved finite sample properties". *J. Econometrics* 29(3), 305–325.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import config
from .cache import Cache, read_universe
from .jsonutil import json_float
from .calendar import event_day0
from .errors import AnalysisError, DataGapError, EventDateError, WindowError
from .eventstudy import EventStudy, EventStudyResults
from .inference import cross_sectional_t_test, window_key
from .returns import returns_panel

__all__ = [
    "KNOWN_GAPS",
    "UniverseData",
    "load_universe_data",
    "UniverseStudy",
    "UniverseResults",
    "ols_hc3",
    "timeline_cross_sections",
    "TimelineResult",
]

#: Stretches of the universe's closes that are not the member's own US listing, treated as missing (no value):
#: universe -> member -> (first valid date, why). See ``data/universe/README.md``.
KNOWN_GAPS: dict[str, dict[str, tuple[str, str]]] = {
    "sp500": {
        "SW": ("2024-07-08", "before 2024-07-08 the file carries Smurfit Kappa's European prices (pre-merger, gaps "
                             "filled forward), not a US listing"),
    },
}
#: The secondary benchmark: the equal-weight S&P 500, where Nvidia weighs about 0.2 % instead of about 7 %.
EQUAL_WEIGHT_BENCHMARK = "RSP"
#: The series whose beta measures a member's exposure to AI hardware.
EXPOSURE_SERIES = "SOXX"
#: Momentum: P(τ = MOMENTUM[1]) / P(τ = MOMENTUM[0]) − 1, relative sessions of adjusted closes.
MOMENTUM = (-252, -21)
#: Names of the regressors, as in the JSON output.
REGRESSORS = ("const", "beta_soxx", "momentum")

_SURVIVORSHIP_NOTE = (
    "Survivorship: the universe is the index's membership as recorded on {as_of}; {n_missing} of its {n_listed} "
    "members have no prices in the source ({missing}). Several of them were acquired or delisted after the event, "
    "so the cross-section carries a small survivorship bias."
)


def _percent(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100.0 * x:+.2f} %".replace("-", "\u2212")


# ---------------------------------------------------------------------------------------------------------------
# The data, read once
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UniverseData:
    """A universe's returns with the series the study needs, read once from the cache and reused across events.

    Attributes
    ----------
    name : str
        The universe (``"sp500"``).
    closes : DataFrame
        Sessions × members, split- and dividend-**adjusted** closes (for returns and ratios only, never as price
        levels); known non-listing stretches (:data:`KNOWN_GAPS`) set to NaN.
    returns : DataFrame
        Simple close-to-close returns of ``closes`` (decimal), first session dropped; NaN where either close is
        missing.
    members : DataFrame
        Every listed member (with or without prices), indexed by symbol: Security, GICS Sector, GICS Sub-Industry.
    series : DataFrame
        Simple returns of the benchmarks and the exposure series from the daily cache (^GSPC, RSP, SOXX), on the
        same sessions (NaN outside their cached range).
    notes : tuple of str
        Survivorship, the masked stretches, and the basis of each series.
    """

    name: str
    closes: pd.DataFrame
    returns: pd.DataFrame
    members: pd.DataFrame
    series: pd.DataFrame
    notes: tuple[str, ...]
    as_of: str = ""

    @property
    def missing_members(self) -> tuple[str, ...]:
        """Listed members without any price in the source."""
        return tuple(m for m in self.members.index if m not in self.closes.columns)


def load_universe_data(
    cache: Cache | None = None,
    name: str = "sp500",
    series: Sequence[str] = (config.DEFAULT_BENCHMARK, EQUAL_WEIGHT_BENCHMARK, EXPOSURE_SERIES),
) -> UniverseData:
    """Read a universe and the benchmark and exposure series from the cache (one CSV read each).

    Parameters
    ----------
    cache : Cache, optional
    name : str
        The universe (``"sp500"``).
    series : sequence of str
        Cached daily tickers added as returns (benchmarks, the exposure series).

    Returns
    -------
    UniverseData
    """
    cache = cache or Cache()
    closes, members = read_universe(cache, name)
    closes = closes.copy()
    notes = []
    for member, (first_valid, why) in KNOWN_GAPS.get(name, {}).items():
        if member in closes.columns:
            closes.loc[closes.index < pd.Timestamp(first_valid), member] = np.nan
            notes.append(f"{member}: treated as missing before {first_valid}; {why}.")
    returns = (closes / closes.shift(1) - 1.0).iloc[1:]
    returns.attrs = {"basis": "simple close-to-close returns of adjusted closes", "units": "decimal"}
    panel = returns_panel(list(series), cache)
    fields = panel.attrs.get("fields", {})
    # Past the cached file's last date, a series continues on its extension (returns chained on the overlap, checked
    # by `cache verify`), so that later events are covered; before it, the cached returns are used unchanged.
    joined = {t: cache.joined_returns(t) for t in series}
    extended = [t for t, r in joined.items() if r.attrs.get("extension")]
    panel = pd.DataFrame({t: panel[t].combine_first(joined[t]) for t in series}).reindex(returns.index)
    if extended:
        notes.append(f"{', '.join(extended)}: returns after the cached file's last date come from its extension "
                     "(adjusted closes or FRED levels, chained on the overlap).")
    for ticker in series:
        basis = cache.close_basis(ticker)
        if fields.get(ticker) == "close" and basis == "split_adjusted":
            notes.append(f"{ticker}: returns from its cached close, which is split- but not dividend-adjusted, so "
                         "they are off by the dividend on its ex-dividend days.")
    missing = [m for m in members.index if m not in closes.columns]
    dated = re.search(r"\d{4}-\d{2}-\d{2}", _members_path(name))  # the members file is named by its date
    as_of = dated.group(0) if dated else ""
    survivorship = _SURVIVORSHIP_NOTE.format(as_of=as_of or "the file's date", n_missing=len(missing),
                                             n_listed=len(members), missing=", ".join(missing) or "none")
    return UniverseData(name=name, closes=closes, returns=returns, members=members, series=panel,
                        notes=(survivorship, *notes), as_of=as_of)


def _members_path(name: str) -> str:
    from .cache import UNIVERSES

    return UNIVERSES[name][1]


# ---------------------------------------------------------------------------------------------------------------
# The regression across members
# ---------------------------------------------------------------------------------------------------------------


def ols_hc3(y: pd.Series, x: pd.DataFrame) -> dict:
    """OLS of ``y`` on the columns of ``x`` (include a ``const`` column) with HC3 standard errors.

    HC3 (MacKinnon and White 1985) weighs each squared residual by 1/(1 − h_ii)², which keeps the t statistics
    honest when a few members with high leverage (extreme betas) carry the fit. Rows with any NaN are dropped.

    Parameters
    ----------
    y : Series
        The dependent variable (decimal day-0 ARs), indexed by member.
    x : DataFrame
        Regressors, same index.

    Returns
    -------
    dict
        ``n``, ``r2``, ``r2_adj``, ``params``, ``bse_hc3``, ``t_hc3``, ``p_hc3`` (dicts by regressor name),
        ``members`` (the rows used).
    """
    import statsmodels.api as sm

    data = pd.concat([y.rename("_y"), x], axis=1).dropna()
    fit = sm.OLS(data["_y"].to_numpy(float), data[x.columns].to_numpy(float)).fit(cov_type="HC3")
    names = list(x.columns)
    return {
        "n": int(fit.nobs),
        "r2": float(fit.rsquared),
        "r2_adj": float(fit.rsquared_adj),
        "params": dict(zip(names, map(float, fit.params))),
        "bse_hc3": dict(zip(names, map(float, fit.bse))),
        "t_hc3": dict(zip(names, map(float, fit.tvalues))),
        "p_hc3": dict(zip(names, map(float, fit.pvalues))),
        "members": list(data.index),
    }


# ---------------------------------------------------------------------------------------------------------------
# The configured study
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UniverseStudy:
    """The cross-section of one event over a universe, configured; :meth:`fit` computes it.

    Parameters
    ----------
    date : date-like
        The event date; day 0 is the first XNYS session on or after it.
    universe : str
        ``"sp500"``.
    benchmark : str
        The market of the main fit (default ^GSPC); the sector tests and the regression use its ARs.
    benchmarks : sequence of str
        Every benchmark fitted (default ^GSPC and RSP); each gives a day-0 AR column ``ar0_<benchmark>``.
    estimation : (int, int)
        Estimation window, relative sessions (default (−250, −11)); cut at the start of the data.
    windows : sequence of (int, int)
        Event windows whose CAARs are tested (default (0,0), (0,1), (−1,1)).
    min_estimation_returns : int
        The house rule: at least 200 estimation-window returns.
    title : str
        Shown in tables and charts.
    """

    date: object
    universe: str = "sp500"
    benchmark: str = config.DEFAULT_BENCHMARK
    benchmarks: tuple[str, ...] = (config.DEFAULT_BENCHMARK, EQUAL_WEIGHT_BENCHMARK)
    estimation: tuple[int, int] = config.ESTIMATION_WINDOW
    windows: tuple[tuple[int, int], ...] = config.EVENT_WINDOWS
    min_estimation_returns: int = config.MIN_ESTIMATION_RETURNS
    title: str = ""
    mark: str | None = None

    @classmethod
    def from_event(cls, event, **changes) -> UniverseStudy:
        """From an :class:`analysis.events.EventConfig` (or any object with ``date``, ``benchmark``,
        ``estimation``, ``windows``, ``title`` and optionally ``universe``).

        An event without a universe is studied over the S&P 500.
        """
        benchmark = getattr(event, "benchmark", config.DEFAULT_BENCHMARK)
        fields = {
            "date": event.date,
            "universe": getattr(event, "universe", None) or "sp500",
            "benchmark": benchmark,
            "benchmarks": tuple(dict.fromkeys((benchmark, EQUAL_WEIGHT_BENCHMARK))),
            "estimation": tuple(getattr(event, "estimation", config.ESTIMATION_WINDOW)),
            "windows": tuple(tuple(w) for w in getattr(event, "windows", config.EVENT_WINDOWS)),
            "title": getattr(event, "title", ""),
            "mark": getattr(event, "lead_firm", None),
        }
        fields.update(changes)
        return cls(**fields)

    # -- eligibility ----------------------------------------------------------------------------------------------

    def _span(self) -> tuple[int, int]:
        return min(0, *(w[0] for w in self.windows)), max(0, *(w[1] for w in self.windows))

    def _eligibility(self, returns: pd.DataFrame, pos0: int) -> tuple[dict[int, list[str]], dict[str, str]]:
        """Members by estimation start row (the full window first), and the excluded members with their reason."""
        span_first, span_last = self._span()
        est_first = max(pos0 + self.estimation[0], 0)
        est_last = pos0 + self.estimation[1]
        values = returns.to_numpy(dtype=float, na_value=np.nan)
        est = values[est_first : est_last + 1]
        span = values[pos0 + span_first : pos0 + span_last + 1]
        full_len = est.shape[0]
        valid = ~np.isnan(est)
        counts = valid.sum(axis=0)
        # a member's usable window: the returns from its last gap to the end of the estimation window
        reversed_valid = valid[::-1]
        tail = np.where(reversed_valid.all(axis=0), full_len, np.argmin(reversed_valid, axis=0))
        span_ok = ~np.isnan(span).any(axis=0)
        constant = (np.nan_to_num(est, nan=0.0) == 0).all(axis=0)
        batches: dict[int, list[str]] = {}
        excluded: dict[str, str] = {}
        window = f"τ ∈ [{est_first - pos0}, {self.estimation[1]}]"
        for j, member in enumerate(returns.columns):
            if not span_ok[j]:
                excluded[member] = f"no return on some session of the event span τ ∈ [{span_first}, {span_last}]"
            elif constant[j]:
                excluded[member] = "a constant price over the estimation window (no normal-return model)"
            elif tail[j] < self.min_estimation_returns:
                if counts[j] >= self.min_estimation_returns:
                    reason = (f"a gap inside the estimation window leaves {int(tail[j])} consecutive returns before "
                              f"τ = {self.estimation[1]} (< {self.min_estimation_returns})")
                else:
                    reason = (f"only {int(counts[j])} returns in the estimation window {window} "
                              f"(< {self.min_estimation_returns})")
                excluded[str(member)] = reason
            else:
                start = est_last - int(tail[j]) + 1
                batches.setdefault(start, []).append(str(member))
        return dict(sorted(batches.items())), excluded

    # -- the fit --------------------------------------------------------------------------------------------------

    def fit(self, data: UniverseData | None = None, cache: Cache | None = None) -> UniverseResults:
        """Fit every eligible member against every benchmark, then the groups, the distribution and the regression.

        Parameters
        ----------
        data : UniverseData, optional
            Read once with :func:`load_universe_data` and pass it to study several events; read here otherwise.
        cache : Cache, optional

        Returns
        -------
        UniverseResults

        Raises
        ------
        EventDateError, WindowError, DataGapError
            Day 0 outside the universe's data, windows outside the data, or a benchmark without the sessions needed.
        """
        if data is None:
            data = load_universe_data(cache, self.universe)
        day0 = event_day0(self.date, config.EXCHANGE_CALENDAR)
        returns = data.returns
        if day0.session not in returns.index:
            raise EventDateError(
                f"day 0 {day0.session.date()} is outside the universe's returns ({returns.index[0].date()} to "
                f"{returns.index[-1].date()}).", "choose an event inside the cached history.")
        pos0 = int(returns.index.get_loc(day0.session))
        if pos0 + self.estimation[1] - max(pos0 + self.estimation[0], 0) + 1 < self.min_estimation_returns:
            first_ok = self.min_estimation_returns - 1 - self.estimation[1]  # the first day 0 with enough returns
            later = (f"choose an event on or after {returns.index[first_ok].date()}, the first day 0 with "
                     f"{self.min_estimation_returns} returns before it" if first_ok < len(returns)
                     else "choose an event inside the cached history")
            raise WindowError(
                f"day 0 {day0.session.date()} leaves fewer than {self.min_estimation_returns} estimation returns "
                f"before τ = {self.estimation[1]} in the universe's data (from {returns.index[0].date()}).",
                f"{later}.")
        batches, excluded = self._eligibility(returns, pos0)
        for member in data.missing_members:
            excluded[member] = "no prices in the source (survivorship: see the notes)"

        fits: dict[str, list[EventStudyResults]] = {}
        for bench in self.benchmarks:
            if bench not in data.series.columns:
                raise DataGapError(f"the benchmark {bench} is not loaded with the universe.",
                                   f"load it: load_universe_data(series=[..., {bench!r}]).")
            fits[bench] = []
            for start, members in batches.items():
                fits[bench].append(EventStudy(
                    returns[members], day0.session, model="market", benchmark=data.series[bench],
                    benchmark_name=bench, estimation_window=(start - pos0, self.estimation[1]),
                    event_windows=self.windows, ar_path=(0, 0), event_date=day0.event_date,
                    min_estimation_returns=self.min_estimation_returns, confounds={},
                ).fit())
        return UniverseResults(self, data, day0, pos0, fits, excluded)


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------


def _group_row(res: EventStudyResults, columns: Sequence[int], windows, cars: Mapping[str, np.ndarray]) -> dict:
    """N, r̄ and, per window, CAAR, the portfolio and KP-BMP tests (the engine's group statistics) and the
    cross-sectional t of the members at ``columns`` of ``res``."""
    stats_ = res.group_stats([res.tickers[j] for j in columns])
    row: dict = {"n": stats_.n, "rbar": stats_.rbar}
    for w in windows:
        key = window_key(w)
        ws = stats_[key]
        csect = cross_sectional_t_test(cars[key][list(columns)])
        row[key] = {
            "caar": ws.caar,
            "portfolio_se": ws.portfolio_se,
            "portfolio_t": ws.portfolio_t,
            "portfolio_p": ws.portfolio.pvalue,
            "kp_bmp_t": ws.kp_bmp_t,
            "kp_bmp_p": ws.kp_bmp.pvalue,
            "csect_t": csect.value,
            "csect_p": csect.pvalue,
        }
    return row


class UniverseResults:
    """The fitted cross-section of one event. Decimal simple close-to-close returns (from adjusted closes); ARs are
    market-model abnormal returns against the named benchmark. Built by :meth:`UniverseStudy.fit`.

    Attributes
    ----------
    study : UniverseStudy
    day0 : Timestamp
    excluded : dict of str to str
        Every listed member that is not in the AR study, with the reason.
    notes : tuple of str
        Survivorship, masked stretches, series bases, and which members the group tests use.
    """

    def __init__(self, study: UniverseStudy, data: UniverseData, day0, pos0: int,
                 fits: Mapping[str, list[EventStudyResults]], excluded: Mapping[str, str]) -> None:
        self.study = study
        self.data = data
        self.day0 = day0.session
        self.event_date = day0.event_date
        self._pos0 = pos0
        self.fits = dict(fits)
        self.excluded = dict(sorted(excluded.items()))
        self.main = self.fits[study.benchmark][0]  # the full-window batch: the group tests use it
        self._table: pd.DataFrame | None = None
        self._sectors: pd.DataFrame | None = None
        self._subs: pd.DataFrame | None = None
        partial = [t for res in self.fits[study.benchmark][1:] for t in res.tickers]
        notes = list(data.notes)
        if partial:
            notes.append(f"{len(partial)} member(s) with a shorter estimation window of at least "
                         f"{study.min_estimation_returns} returns ({', '.join(partial)}) enter the distribution and "
                         "the regression, not the group tests (which need one set of estimation sessions).")
        notes.append(f"Members as recorded on {data.as_of}; GICS sectors and sub-industries as of that date.")
        self.notes = tuple(notes)

    # -- per member ------------------------------------------------------------------------------------------------

    @property
    def tickers(self) -> tuple[str, ...]:
        """Members in the AR study (full-window batch first)."""
        return tuple(t for res in self.fits[self.study.benchmark] for t in res.tickers)

    @property
    def n_members(self) -> int:
        """Members listed in the universe (with or without prices)."""
        return len(self.data.members)

    @property
    def n_firms(self) -> int:
        """Members in the AR study."""
        return len(self.tickers)

    def _concat(self, bench: str, what) -> pd.Series | pd.DataFrame:
        return pd.concat([what(res) for res in self.fits[bench]])

    @property
    def day0_returns(self) -> pd.Series:
        """Raw (not abnormal) day-0 simple close-to-close return of every member that has one (decimal)."""
        r0 = self.data.returns.iloc[self._pos0]
        return r0.dropna().rename("return0")

    def index_return(self, ticker: str | None = None) -> float:
        """The day-0 simple close-to-close return of a cached series (default: the main benchmark)."""
        return float(self.data.series[ticker or self.study.benchmark].iloc[self._pos0])

    def exposures(self) -> pd.DataFrame:
        """Member × [beta_soxx, momentum].

        ``beta_soxx``: the univariate OLS slope of the member's daily return on SOXX's over the member's estimation
        sessions; ``momentum``: P(τ = −21) / P(τ = −252) − 1 of adjusted closes (NaN when τ = −252 precedes the data).
        """
        soxx = self.data.series[EXPOSURE_SERIES]
        out = {}
        for res in self.fits[self.study.benchmark]:
            rows = self._pos0 + res.estimation_abnormal_returns.index.to_numpy()  # the member's estimation sessions
            y = self.data.returns.iloc[rows][list(res.tickers)].to_numpy(float)
            x = soxx.iloc[rows].to_numpy(float)
            if np.isnan(x).any():
                beta = np.full(len(res.tickers), np.nan)
            else:
                xc = x - x.mean()
                beta = xc @ (y - y.mean(axis=0)) / (xc @ xc)
            out.update(dict(zip(res.tickers, beta)))
        closes = self.data.closes
        # closes include the session before the first return: the close of τ is at position pos0 + 1 + τ
        c0 = self._pos0 + 1
        first, last = c0 + MOMENTUM[0], c0 + MOMENTUM[1]
        if first >= 0:
            momentum = closes.iloc[last] / closes.iloc[first] - 1.0
        else:
            momentum = pd.Series(np.nan, index=closes.columns)
        frame = pd.DataFrame({"beta_soxx": pd.Series(out)})
        frame["momentum"] = momentum.reindex(frame.index)
        return frame

    def table(self) -> pd.DataFrame:
        """One row per studied member: security, sector, sub-industry, raw day-0 return, day-0 AR (and t) against
        each benchmark, the CARs of the event windows against the main benchmark, beta to SOXX, momentum."""
        if self._table is not None:
            return self._table
        members = self.data.members.reindex(list(self.tickers))
        frame = pd.DataFrame({
            "security": members["Security"], "sector": members["GICS Sector"],
            "sub_industry": members["GICS Sub-Industry"],
        })
        frame["return0"] = self.day0_returns.reindex(frame.index)
        for bench in self.study.benchmarks:
            car0 = self._concat(bench, lambda r: r.cars["0,0"] if "0,0" in r.cars else r.car((0, 0)))
            frame[f"ar0_{bench}"] = car0["car"]
            frame[f"ar0_t_{bench}"] = car0["t"]
        for w in self.study.windows:
            key = window_key(w)
            if key != "0,0":
                frame[f"car_{key}"] = self._concat(self.study.benchmark, lambda r: r.cars[key])["car"]
        frame = frame.join(self.exposures())
        frame.index.name = "member"
        frame.attrs = {"basis": "simple close-to-close returns of adjusted closes, decimal; ARs from the market model",
                       "benchmark": self.study.benchmark}
        self._table = frame
        return frame

    @property
    def ar0(self) -> pd.Series:
        """Day-0 AR of every studied member against the main benchmark (decimal)."""
        return self.table()[f"ar0_{self.study.benchmark}"]

    # -- distribution ------------------------------------------------------------------------------------------------

    def distribution(self) -> dict:
        """The day-0 distribution of raw returns: ``n`` (members with a day-0 return), ``share_down`` (share with a
        negative return), ``median_return``, ``mean_return`` (equal-weighted), ``index_return`` (the main
        benchmark's own return), the equal-weight ETF's return, the marked member's (``mark``, the event's lead
        firm) as ``marked_return`` when it is a member, and ``share_ar_down``
        (share of negative ARs, main benchmark). Decimals."""
        r0 = self.day0_returns
        ar0 = self.ar0
        out = {
            "n": int(r0.size),
            "share_down": float((r0 < 0).mean()),
            "median_return": float(r0.median()),
            "mean_return": float(r0.mean()),
            "index_return": self.index_return(),
            "equal_weight_etf_return": self.index_return(EQUAL_WEIGHT_BENCHMARK)
            if EQUAL_WEIGHT_BENCHMARK in self.data.series else None,
            "share_ar_down": float((ar0 < 0).mean()),
            "median_ar": float(ar0.median()),
        }
        if self.study.mark is not None and self.study.mark in r0.index:
            out["marked"] = self.study.mark
            out["marked_return"] = float(r0[self.study.mark])
        return out

    # -- groups -------------------------------------------------------------------------------------------------------

    def _groups(self, column: str) -> pd.DataFrame:
        members = self.data.members.reindex(list(self.main.tickers))
        cars = {window_key(w): self.main.cars[window_key(w)]["car"].to_numpy() for w in self.study.windows}
        rows = []
        for name, columns in members.reset_index(drop=True).groupby(column).groups.items():
            row = _group_row(self.main, list(columns), self.study.windows, cars)
            flat = {"group": name, "n": row["n"], "rbar": row["rbar"]}
            for w in self.study.windows:
                key = window_key(w)
                for stat, value in row[key].items():
                    flat[f"{stat}[{key}]"] = value
            rows.append(flat)
        frame = pd.DataFrame(rows).set_index("group").sort_values("caar[0,0]")
        frame.index.name = column
        frame.attrs = {"basis": f"equal-weighted, market model vs {self.study.benchmark}, decimal"}
        return frame

    def sectors(self) -> pd.DataFrame:
        """GICS sectors ranked by day-0 CAAR (most negative first): n, r̄, and for each window caar, portfolio_se,
        portfolio_t/p (equal-weighted portfolio, valid under cross-correlation), kp_bmp_t/p (Kolari–Pynnönen
        adjusted BMP), csect_t/p (cross-sectional t; assumes independent firms). Columns ``stat[window]``."""
        if self._sectors is None:
            self._sectors = self._groups("GICS Sector")
        return self._sectors

    def sub_industries(self) -> pd.DataFrame:
        """As :meth:`sectors`, for GICS sub-industries (a group of one has NaN for the cross-sectional tests)."""
        if self._subs is None:
            self._subs = self._groups("GICS Sub-Industry")
        return self._subs

    def conf_int(self, level: float = 0.95, window: str = "0,0", by: str = "sector") -> pd.DataFrame:
        """CAAR with its ``level`` interval from the equal-weighted portfolio's own regression (Student t(df))."""
        frame = self.sectors() if by == "sector" else self.sub_industries()
        crit = float(stats.t.ppf(0.5 + level / 2.0, self.main.df))
        caar, se = frame[f"caar[{window}]"], frame[f"portfolio_se[{window}]"]
        return pd.DataFrame({"n": frame["n"], "caar": caar, "lo": caar - crit * se, "hi": caar + crit * se})

    # -- regression ---------------------------------------------------------------------------------------------------

    def regression(self, sector_dummies: bool = False) -> dict:
        """OLS (HC3) across members of the day-0 AR (main benchmark) on const, beta_soxx and momentum; with
        ``sector_dummies`` also one dummy per GICS sector but the first (alphabetical) as the reference.

        Momentum is dropped (and said so in ``note``) when τ = −252 precedes the data.
        """
        table = self.table()
        x = pd.DataFrame({"const": 1.0, "beta_soxx": table["beta_soxx"], "momentum": table["momentum"]},
                         index=table.index)
        note = ""
        if x["momentum"].isna().all():
            x = x.drop(columns="momentum")
            note = f"momentum dropped: τ = {MOMENTUM[0]} precedes the data"
        if sector_dummies:
            dummies = pd.get_dummies(table["sector"], prefix="sector", drop_first=True, dtype=float)
            x = x.join(dummies)
        out = ols_hc3(table[f"ar0_{self.study.benchmark}"], x)
        out["dependent"] = f"day-0 AR vs {self.study.benchmark} (decimal)"
        out["note"] = note
        return out

    # -- presentation -------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The JSON shape of ``python -m analysis universe --json`` (decimals)."""
        dist = self.distribution()
        reg = self.regression()
        reg_s = self.regression(sector_dummies=True)
        sectors = {}
        for name, row in self.sectors().iterrows():
            sectors[str(name)] = {
                "n": int(row["n"]),
                "windows": {window_key(w): {k: json_float(row[f"{k}[{window_key(w)}]"])
                                            for k in ("caar", "portfolio_t", "kp_bmp_t", "csect_t")}
                            for w in self.study.windows},
            }

        def reg_json(r):
            return {"n": r["n"], "r2": r["r2"], "params": _jmap(r["params"]), "bse_hc3": _jmap(r["bse_hc3"]),
                    "t_hc3": _jmap(r["t_hc3"]), "note": r["note"]}

        table = self.table()
        worst = table.nsmallest(10, f"ar0_{self.study.benchmark}")
        return {
            "event_date": str(self.event_date.date()),
            "day0": str(self.day0.date()),
            "universe": self.study.universe,
            "benchmark": self.study.benchmark,
            "benchmarks": list(self.study.benchmarks),
            "estimation_window": list(self.main.estimation_window),
            "basis": "simple close-to-close returns of adjusted closes, decimals; ARs from the market model",
            "n_members": self.n_members,
            "n_firms": self.n_firms,
            "excluded": self.excluded,
            "share_down": dist["share_down"],
            "median_return": dist["median_return"],
            "mean_return": dist["mean_return"],
            "index_return": dist["index_return"],
            "share_ar_down": dist["share_ar_down"],
            "mean_ar": {b: json_float(float(table[f"ar0_{b}"].mean())) for b in self.study.benchmarks},
            "sectors": sectors,
            "regression": reg_json(reg),
            "regression_sectors": reg_json(reg_s),
            "hardest_hit": {t: json_float(v) for t, v in worst[f"ar0_{self.study.benchmark}"].items()},
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """The per-member table (:meth:`table`)."""
        return self.table()

    def summary(self) -> str:
        """A plain-text report: distribution, sectors, the ten sub-industries that fell most, the regressions,
        exclusions and notes."""
        dist = self.distribution()
        lines = [
            f"{self.study.universe} cross-section, event {self.event_date.date()} (day 0 = {self.day0.date()}): "
            f"{self.n_firms} of {self.n_members} members studied; market model vs "
            f"{', '.join(self.study.benchmarks)}, estimation window {list(self.main.estimation_window)}.",
            "Returns: simple close-to-close, from adjusted closes; percent below.",
            f"Day 0: {dist['share_down']:.0%} of {dist['n']} members fell; median {_percent(dist['median_return'])}, "
            f"equal-weighted mean {_percent(dist['mean_return'])}, against {self.study.benchmark} "
            f"{_percent(dist['index_return'])}" + (f" and {dist['marked']} {_percent(dist['marked_return'])}"
                                                   if "marked_return" in dist else "") + ".",
            "Day-0 abnormal returns (market model), equal-weighted mean and share negative: " + "; ".join(
                f"vs {b} {_percent(float(self.table()[f'ar0_{b}'].mean()))}, "
                f"{float((self.table()[f'ar0_{b}'] < 0).mean()):.0%} negative" for b in self.study.benchmarks) + ".",
            "",
            f"GICS sectors, day-0 CAAR (%, vs {self.study.benchmark}), ranked; portfolio t and KP-BMP t survive the "
            "shared date, the cross-sectional t assumes independent firms:",
        ]
        lines.append(_group_text(self.sectors()))
        lines += ["", "The ten sub-industries that fell most (day-0 CAAR):", _group_text(self.sub_industries().head(10))]
        for label, r in (("", self.regression()), (" with sector dummies", self.regression(True))):
            lines += ["", f"OLS (HC3) of the day-0 AR on SOXX beta and momentum{label}: n = {r['n']}, "
                          f"R² = {r['r2']:.3f}" + (f" ({r['note']})" if r["note"] else "")]
            for name in [n for n in REGRESSORS if n in r["params"]]:
                lines.append(f"  {name:<10} {r['params'][name]:+.5f}  (HC3 se {r['bse_hc3'][name]:.5f}, "
                             f"t {r['t_hc3'][name]:+.2f})")
        lines += ["", f"Excluded ({len(self.excluded)}):"]
        lines += [f"  {t}: {why}" for t, why in self.excluded.items()]
        lines += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"<UniverseResults {self.study.universe} day0={self.day0.date()} n_firms={self.n_firms} "
                f"benchmarks={list(self.study.benchmarks)}>")

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"

    def plot(self, kind: str = "histogram", *, level: float = 0.95, top: int = 10, mark: str | None = None):
        """One of the universe charts of :mod:`analysis.charts` (the figure registry, :mod:`analysis.figures`, calls
        this for the notebooks and the export alike).

        Parameters
        ----------
        kind : {"histogram", "sectors", "beta"}
            The day-0 return histogram (the index and ``mark`` marked); sector CAARs with their ``level`` intervals
            beside the ``top`` sub-industries that fell most; day-0 AR against SOXX beta, coloured by sector.
        mark : str, optional
            A member marked on the histogram (the event's lead firm).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from . import charts

        notes = (f"{self.n_firms} of {self.n_members} members studied; {len(self.data.missing_members)} have no "
                 f"prices in the source (survivorship bias); members as recorded on {self.data.as_of}.")
        if kind == "histogram":
            r0 = self.day0_returns
            mark = mark or self.study.mark
            marked = {mark: float(r0[mark])} if mark is not None and mark in r0.index else {}
            return charts.plot_universe_histogram(r0, index_return=self.index_return(),
                                                  index_name=self.study.benchmark, marked=marked, day0=self.day0,
                                                  notes=notes)
        if kind == "sectors":
            return charts.plot_sector_caar(self.conf_int(level), self.conf_int(level, by="sub").head(top),
                                           level=level, benchmark=self.study.benchmark, day0=self.day0, notes=notes)
        if kind == "beta":
            table = self.table().rename(columns={f"ar0_{self.study.benchmark}": "ar0"})
            r = ols_hc3(table["ar0"], pd.DataFrame({"const": 1.0, "beta_soxx": table["beta_soxx"]}))
            return charts.plot_ar_vs_beta(table, benchmark=self.study.benchmark, day0=self.day0, fit=r, notes=notes)
        raise ValueError(f"unknown chart {kind!r}; choose histogram, sectors or beta")


def _jmap(d: Mapping[str, float]) -> dict:
    return {k: json_float(v) for k, v in d.items()}


def _group_text(frame: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "N": frame["n"].astype(int),
        "CAAR %": 100 * frame["caar[0,0]"],
        "portfolio t": frame["portfolio_t[0,0]"],
        "KP-BMP t": frame["kp_bmp_t[0,0]"],
        "csect t": frame["csect_t[0,0]"],
    }, index=frame.index)
    return shown.to_string(float_format=lambda v: f"{v:7.2f}", na_rep="    n/a")


# ---------------------------------------------------------------------------------------------------------------
# Several events: the timeline
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TimelineResult:
    """The cross-section of several events.

    Attributes
    ----------
    summary : DataFrame
        One row per event (by label): date, day0, status ("ok" or why it is not covered), n_firms, share_down,
        median_return, index_return, mean_ar, share_ar_down, the SOXX-beta slope and its HC3 t, R², and the overlap
        of its hardest-hit members with the reference event's (count, share, and the Spearman correlation of the
        day-0 ARs over common members).
    hardest_hit : dict of str to tuple of str
        Each event's ``top`` members with the lowest day-0 AR.
    results : dict of str to UniverseResults
        The fitted events.
    reference : str
        The label of the reference event.
    """

    summary: pd.DataFrame
    hardest_hit: dict[str, tuple[str, ...]]
    results: dict[str, UniverseResults] = field(repr=False)
    reference: str = ""


def _as_study(event, base: UniverseStudy | None) -> tuple[str, UniverseStudy]:
    if isinstance(event, UniverseStudy):
        return str(pd.Timestamp(event.date).date()), event
    if hasattr(event, "date") and not isinstance(event, (pd.Timestamp, str)) and hasattr(event, "tickers"):
        return getattr(event, "name", str(event.date)), UniverseStudy.from_event(event)
    label = str(pd.Timestamp(event).date())
    base = base or UniverseStudy(date=event)
    return label, UniverseStudy(**{**base.__dict__, "date": event})


def timeline_cross_sections(
    events: Iterable,
    reference=None,
    *,
    top: int = 25,
    cache: Cache | None = None,
    data: UniverseData | None = None,
    base: UniverseStudy | None = None,
) -> TimelineResult:
    """The cross-section of every event in ``events``, and whether later events hit the same members.

    Parameters
    ----------
    events : iterable
        Dates (``"2025-03-24"``), :class:`UniverseStudy` objects, or event configurations (objects with ``date``,
        ``tickers``, ``name``; e.g. :class:`analysis.events.EventConfig`).
    reference : optional
        The event whose hardest-hit members the others are compared with (a date, a label, or an event); default
        the first event that is covered.
    top : int
        How many hardest-hit members (lowest day-0 AR against the main benchmark) each event contributes.
    cache, data : optional
        The universe is read once (``data``) and shared by all events.
    base : UniverseStudy, optional
        Settings (universe, benchmarks, windows) for events given as plain dates.

    Returns
    -------
    TimelineResult
        An event the data do not cover (day 0 or its windows outside the universe or a benchmark's cached range,
        too short an estimation window) has a row whose ``status`` says why, and no numbers.
    """
    data = data or load_universe_data(cache, (base.universe if base else "sp500"))
    results: dict[str, UniverseResults] = {}
    rows = []
    for event in events:
        label, study = _as_study(event, base)
        row = {"event": label, "date": str(pd.Timestamp(study.date).date())}
        try:
            res = study.fit(data)
        except AnalysisError as exc:
            row["status"] = f"not covered: {exc.message}"
            rows.append(row)
            continue
        results[label] = res
        dist = res.distribution()
        reg = res.regression()
        row.update({
            "status": "ok", "day0": str(res.day0.date()), "n_firms": res.n_firms, "share_down": dist["share_down"],
            "median_return": dist["median_return"], "index_return": dist["index_return"],
            "mean_ar": float(res.ar0.mean()), "share_ar_down": dist["share_ar_down"],
            "beta_soxx_coef": reg["params"].get("beta_soxx"), "beta_soxx_t_hc3": reg["t_hc3"].get("beta_soxx"),
            "r2": reg["r2"],
        })
        rows.append(row)
    summary = pd.DataFrame(rows).set_index("event")
    hardest = {label: tuple(res.ar0.nsmallest(top).index) for label, res in results.items()}
    ref_label = None
    if reference is not None:
        ref_label = _as_study(reference, base)[0] if not (isinstance(reference, str) and reference in results) \
            else reference
    elif results:
        ref_label = next(iter(results))
    if ref_label in results:
        ref_set = set(hardest[ref_label])
        ref_ar = results[ref_label].ar0
        overlap, share, rho = {}, {}, {}
        for label, res in results.items():
            overlap[label] = len(ref_set & set(hardest[label]))
            share[label] = overlap[label] / max(len(hardest[label]), 1)
            common = ref_ar.index.intersection(res.ar0.index)
            rho[label] = float(stats.spearmanr(ref_ar[common], res.ar0[common]).statistic) if len(common) > 2 \
                else float("nan")
        summary["overlap_top"] = pd.Series(overlap)
        summary["overlap_share"] = pd.Series(share)
        summary["spearman_ar0_vs_reference"] = pd.Series(rho)
    summary.attrs = {"basis": "decimals; simple close-to-close returns of adjusted closes; ARs from the market model",
                     "reference": ref_label, "top": top}
    return TimelineResult(summary=summary, hardest_hit=hardest, results=results, reference=ref_label or "")
