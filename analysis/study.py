"""The study as the project runs it: the cache, day 0 and the engine put together.

:mod:`analysis.eventstudy` works on plain DataFrames of returns. This module builds those frames from the cache
(:mod:`analysis.returns`), maps the event date to day 0 (:mod:`analysis.calendar`), and runs the engine for the
questions the project asks: the AI complex against a benchmark, the index reactions, a robustness table over models
and benchmarks, and the peer groups. The command line, the notebooks and the charts all call these functions, so
each number is computed in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from . import config
from .cache import Cache, normalize_ticker
from .calendar import Day0, calendar_for, event_day0
from .errors import DataGapError, UnknownTickerError
from .eventstudy import (
    FACTOR_MODELS,
    MARKET_MODELS,
    EventStudy,
    EventStudyResults,
    compare,
    forest_table,
    index_reaction,
    long_short_difference,
)
from .jsonutil import json_float
from .returns import model_factors, raw_day_moves, returns_panel

#: Normal-return models and the benchmarks the robustness table runs, in order. ``None``: no benchmark.
ROBUSTNESS_SPECS: tuple[tuple[str, str | None], ...] = (
    ("market", "^GSPC"),
    ("market", "^IXIC"),
    ("market", "QQQ"),
    ("market", "RSP"),
    ("market", "SOXX"),
    ("market-adjusted", "^GSPC"),
    ("constant-mean", None),
    ("ff3", None),
    ("carhart", None),
    ("ff5", None),
    ("garch", "^GSPC"),
)


def spec_label(model: str, benchmark: str | None) -> str:
    """A short label: ``market vs ^GSPC``, ``constant-mean``, ``ff3``."""
    return f"{model} vs {benchmark}" if benchmark else model


def default_tickers(cache: Cache | None = None) -> tuple[str, ...]:
    """The AI complex: every cached US-listed stock of the configured peer groups (NVDA first)."""
    cache = cache or Cache()
    cached = set(cache.tickers("1d"))
    return tuple(t for t in config.AI_COMPLEX if t in cached)


def _day0(event_date) -> Day0:
    return event_day0(event_date, config.EXCHANGE_CALENDAR)


def _check_cached(tickers: Sequence[str], cache: Cache) -> list[str]:
    names = [normalize_ticker(t) for t in tickers]
    cached = set(cache.tickers("1d"))
    unknown = [t for t in names if t not in cached]
    if unknown:
        raise UnknownTickerError(
            f"{', '.join(unknown)} not in the cache (it holds {', '.join(sorted(cached))}).",
            f"fetch with: python -m analysis fetch {' '.join(unknown)} --start YYYY-MM-DD --end YYYY-MM-DD",
        )
    crypto = [t for t in names if t in config.CRYPTO_TICKERS]
    if crypto:
        raise DataGapError(f"{', '.join(crypto)} trades every calendar day and cannot share an XNYS event study.",
                           "leave crypto out of --tickers; its day-0 move is checked by `python -m analysis claims`.")
    return names


def run_event_study(
    tickers: Sequence[str] | None = None,
    benchmark: str = config.DEFAULT_BENCHMARK,
    model: str = "market",
    event_date=config.EVENT_DATE,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    event_windows: Sequence[tuple[int, int]] = config.EVENT_WINDOWS,
    ar_path: tuple[int, int] = config.AR_PATH,
    cache: Cache | None = None,
) -> EventStudyResults:
    """Fit the event study of ``tickers`` around ``event_date`` from the cache.

    Parameters
    ----------
    tickers : sequence of str, optional
        Firms; the AI complex by default (:func:`default_tickers`).
    benchmark : str
        Cached series used as the market by "market" and "market-adjusted" (default ^GSPC). Ignored otherwise.
    model : {"market", "market-adjusted", "constant-mean", "ff3"}
    event_date : date-like
        Day 0 is the first XNYS session on or after it (:func:`analysis.calendar.event_day0`).
    estimation_window, event_windows, ar_path
        In relative sessions, inclusive; see :class:`analysis.eventstudy.EventStudy`.

    Returns
    -------
    EventStudyResults
        Simple close-to-close returns (adjusted close where the source gives one); decimals.
    """
    cache = cache or Cache()
    uses_benchmark = model in MARKET_MODELS
    wanted = _check_cached([*(tickers or default_tickers(cache)), *([benchmark] if uses_benchmark else [])], cache)
    names = wanted[:-1] if uses_benchmark else wanted
    day0 = _day0(event_date)
    panel = returns_panel(dict.fromkeys(wanted), cache)
    study = EventStudy(
        panel[names], day0.session, model=model,
        benchmark=panel[normalize_ticker(benchmark)] if uses_benchmark else None,
        benchmark_name=normalize_ticker(benchmark),
        factors=model_factors(model, cache) if model in FACTOR_MODELS else None,
        estimation_window=estimation_window, event_windows=event_windows, ar_path=ar_path,
        event_date=day0.event_date,
    )
    return study.fit()


def index_table(
    indices: Sequence[str] = config.INDICES,
    event_date=config.EVENT_DATE,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    cache: Cache | None = None,
) -> pd.DataFrame:
    """Day-0 reactions of the indices: raw return, z against the estimation window, percentile in the cache.

    Indices get no abnormal return against themselves (METHOD.md, "Indices"). Columns: ticker, return (decimal,
    simple close-to-close), z (return / sd of the estimation-window returns, ddof=1), percentile (of day 0 among
    all the index's cached daily returns), n_estimation.
    """
    cache = cache or Cache()
    names = _check_cached(indices, cache)
    day0 = _day0(event_date)
    panel = returns_panel(names, cache)
    rows = []
    for ticker in names:
        reaction = index_reaction(panel[ticker].dropna(), day0.session, estimation_window)
        rows.append({"ticker": ticker, **reaction})
    frame = pd.DataFrame(rows)
    frame.attrs = {"returns": "simple close-to-close returns of the index level (raw, not abnormal)",
                   "day0": str(day0.session.date()), "estimation_window": tuple(estimation_window)}
    return frame


def study_json(results: EventStudyResults, indices: pd.DataFrame | None = None,
               volume: pd.DataFrame | None = None, cross_section=None) -> dict:
    """The ``study --json`` object: the engine's dictionary plus the index reactions.

    Parameters
    ----------
    results : EventStudyResults
    indices : DataFrame, optional
        :func:`index_table`.
    volume : DataFrame, optional
        :func:`analysis.volume.abnormal_volume` (``study --volume``), added as ``"volume"``.
    cross_section : CrossSectionResults, optional
        :func:`analysis.crosssection.cross_sectional_regression`, added as ``"cross_section"``.

    Returns
    -------
    dict
        JSON-safe; also ``"abnormal_volatility"`` (day-0 AR² against σ̂², and against the GARCH forecast for
        ``model="garch"``).
    """
    from .volatility import abnormal_volatility

    out = results.to_dict()
    out["abnormal_volatility"] = {
        "what": "day-0 AR squared against its estimation-window variance (ratio ~ F(1, df)) and, for the garch "
                "model, against the GARCH forecast h0 (garch_ratio ~ chi2(1))",
        "firms": {firm: {k: (bool(v) if isinstance(v, (bool, np.bool_)) else json_float(v)) for k, v in row.items()}
                  for firm, row in abnormal_volatility(results).iterrows()},
    }
    if volume is not None:
        out["volume"] = {
            "what": volume.attrs.get("what", "abnormal log volume"),
            "firms": {firm: {k: json_float(v) for k, v in row.items()} for firm, row in volume.iterrows()},
        }
    if cross_section is not None:
        out["cross_section"] = cross_section.to_dict()
    if indices is not None:
        out["indices"] = {
            row.ticker: {"return": json_float(row["return"]), "z": json_float(row.z),
                         "percentile": json_float(row.percentile),
                         "n_estimation": int(row.n_estimation)}
            for _, row in indices.iterrows()
        }
    return out



# --------------------------------------------------------------------------------------------------------------------
# robustness
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Robustness:
    """Day-0 AR and CAR[0,+1] of each firm under each model and benchmark.

    ``table`` has one row per (firm, spec) with ar0, ar0_se, ar0_t, ar0_p, ar0_low, ar0_high (95 % interval from
    Student t with the spec's df),
    car01, car01_t, car01_p; all returns are decimals of simple returns, abnormal under the named spec.
    """

    table: pd.DataFrame
    specs: tuple[str, ...]
    day0: pd.Timestamp
    results: Mapping[str, EventStudyResults] = field(default_factory=dict, repr=False)

    def forest(self, firms: Sequence[str] | None = None, specs: Sequence[str] | None = None) -> pd.DataFrame:
        """Day-0 AR with its 95 % interval per firm and spec (labels), in the shape of
        :func:`analysis.eventstudy.forest_table`, for :func:`analysis.charts.plot_forest`; no refitting."""
        chosen = {label: self.results[label] for label in (specs or self.specs) if label in self.results}
        table = forest_table(chosen)
        if firms is not None:
            order = {firm: i for i, firm in enumerate(firms)}
            table = table[table["firm"].isin(order)]
            table = table.sort_values("firm", key=lambda f: f.map(order), kind="stable").reset_index(drop=True)
        return table

    def wide(self, value: str = "ar0") -> pd.DataFrame:
        """One row per firm, one column per spec."""
        return self.table.pivot(index="firm", columns="spec", values=value)[list(self.specs)]

    def conclusions(self, level: float = 0.05) -> list[str]:
        """Where the conclusion changes: firms whose day-0 AR is significant under some specs and not others, or
        changes sign."""
        lines = []
        for firm, rows in self.table.groupby("firm", sort=False):
            significant = rows.set_index("spec")["ar0_p"] < level
            signs = np.sign(rows["ar0"])
            if significant.all() and signs.nunique() == 1:
                continue
            if not significant.any() and signs.nunique() == 1:
                continue
            parts = []
            if significant.any() and not significant.all():
                parts.append("significant at 5 % under " + ", ".join(significant.index[significant])
                             + "; not under " + ", ".join(significant.index[~significant]))
            if signs.nunique() > 1:
                parts.append("the sign of the day-0 AR changes across specs")
            lines.append(f"{firm}: " + "; ".join(parts) + ".")
        steady = [f for f, rows in self.table.groupby("firm", sort=False)
                  if (rows["ar0_p"] < level).all() and np.sign(rows["ar0"]).nunique() == 1]
        if steady:
            lines.insert(0, "Significant and of the same sign under every spec: " + ", ".join(steady) + ".")
        return lines


def robustness(
    tickers: Sequence[str] | None = None,
    specs: Sequence[tuple[str, str | None]] = ROBUSTNESS_SPECS,
    event_date=config.EVENT_DATE,
    cache: Cache | None = None,
) -> Robustness:
    """Run the study under each (model, benchmark) of ``specs`` and collect day-0 AR and CAR[0,+1] per firm.

    Benchmarks not in the cache are skipped. RSP (equal-weight S&P 500) is the benchmark that NVDA's ~7 % weight in
    the S&P 500 cannot contaminate.
    """
    cache = cache or Cache()
    names = tickers or default_tickers(cache)
    cached = set(cache.tickers("1d"))
    fitted: dict[str, EventStudyResults] = {}
    specs_of: dict[str, tuple[str, str | None]] = {}
    day0 = _day0(event_date).session
    for model, benchmark in specs:
        if benchmark is not None and benchmark not in cached:
            continue
        result = run_event_study(names, benchmark or config.DEFAULT_BENCHMARK, model, event_date,
                                 event_windows=((0, 0), (0, 1)), cache=cache)
        label = spec_label(model, benchmark)
        fitted[label] = result
        specs_of[label] = (model, benchmark)
    frame = compare(fitted, windows=((0, 0), (0, 1)), level=0.95).frame.set_index(["firm", "spec", "window"])
    rows = []
    for label, result in fitted.items():
        model, benchmark = specs_of[label]
        for firm in result.tickers:
            day = frame.loc[(firm, label, "0,0")]
            two = frame.loc[(firm, label, "0,1")]
            rows.append({"firm": firm, "spec": label, "model": model, "benchmark": benchmark,
                         "ar0": day["car"], "ar0_se": day["se"], "ar0_t": day["t"], "ar0_p": day["p"],
                         "ar0_low": day["lower"], "ar0_high": day["upper"],
                         "df": result.df,
                         "car01": two["car"], "car01_t": two["t"], "car01_p": two["p"]})
    table = pd.DataFrame(rows)
    table.attrs = {"returns": "simple close-to-close abnormal returns (decimal) under each spec",
                   "windows": "ar0: day 0 [0,0]; car01: [0,+1] sessions"}
    return Robustness(table=table, specs=tuple(fitted), day0=day0, results=fitted)


# --------------------------------------------------------------------------------------------------------------------
# peer groups
# --------------------------------------------------------------------------------------------------------------------
def groups_report(
    groups: Mapping[str, Sequence[str]] | None = None,
    benchmark: str = config.DEFAULT_BENCHMARK,
    model: str = "market",
    event_date=config.EVENT_DATE,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    event_windows: Sequence[tuple[int, int]] = config.EVENT_WINDOWS,
    cache: Cache | None = None,
) -> dict:
    """Every group statistic for each peer group, and the long-short difference of each pair of groups.

    Returns the ``groups --json`` object: ``{"groups": {name: {...}}, "differences": {"a-b": {"windows": ...}}}``,
    decimals. The difference of two groups is the equal-weighted long-short portfolio mean(A) - mean(B), tested as
    one firm under the market model against ``benchmark``.
    """
    cache = cache or Cache()
    groups = dict(groups or config.PEER_GROUPS)
    members = list(dict.fromkeys(t for names in groups.values() for t in names))
    result = run_event_study(members, benchmark, model, event_date, estimation_window, event_windows, cache=cache)
    out: dict = {"event_date": str(result.event_date.date()), "day0": str(result.day0.date()),
                 "benchmark": benchmark if model in MARKET_MODELS else None, "model": model,
                 "estimation_window": list(estimation_window), "groups": {}, "differences": {}}
    for name, tickers in groups.items():
        out["groups"][name] = result.group_stats(list(tickers)).to_dict()
    day0 = _day0(event_date).session
    panel = returns_panel(dict.fromkeys(members + [normalize_ticker(benchmark)]), cache)
    for a, b in combinations(groups, 2):
        diff = long_short_difference(panel[members], list(groups[a]), list(groups[b]), day0,
                                     panel[normalize_ticker(benchmark)], benchmark_name=benchmark,
                                     estimation_window=estimation_window, event_windows=event_windows)
        firm = diff.to_dict()["firms"]
        out["differences"][f"{a}-{b}"] = {"long": list(groups[a]), "short": list(groups[b]),
                                          "windows": next(iter(firm.values()))["windows"]}
    return out


def groups_tables(report: Mapping) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``groups_report`` dictionary as two tidy tables (decimals; t statistics and p-values as they are).

    Returns
    -------
    groups : DataFrame
        One row per (group, window): n, rbar, caar, portfolio_t, kp_bmp_t, grank_t, wald_chi2, wald_p.
    differences : DataFrame
        One row per (pair, window): car, se, t, p of the equal-weighted long-short portfolio.
    """
    group_rows = []
    for name, group in report["groups"].items():
        for key, stats in group["windows"].items():
            group_rows.append({"group": name, "window": f"[{key}]", "n": group["n"], "rbar": group["rbar"],
                               "caar": stats["caar"], "portfolio_t": stats["portfolio_t"],
                               "kp_bmp_t": stats["kp_bmp_t"], "grank_t": stats["grank_t"],
                               "wald_chi2": stats.get("wald_chi2"), "wald_p": stats.get("wald_p")})
    diff_rows = []
    for name, diff in report["differences"].items():
        for key, stats in diff["windows"].items():
            diff_rows.append({"long-short": name, "window": f"[{key}]", "car": stats["car"], "se": stats["se"],
                              "t": stats["t"], "p": stats["p"]})
    return pd.DataFrame(group_rows), pd.DataFrame(diff_rows)


def day0_moves(cache: Cache, event_date=config.EVENT_DATE, tickers: Sequence[str] | None = None) -> pd.DataFrame:
    """Raw day-0 moves of every cached daily series against its previous raw close, in percent."""
    rows = []
    for ticker in tickers or cache.tickers("1d"):
        prices = cache.read(ticker)
        day0 = event_day0(event_date, calendar_for(ticker))
        moves = raw_day_moves(prices, day0.session)
        rows.append({"ticker": ticker, "day0": str(day0.session.date()),
                     "prev_close": moves["previous_close"], "close_pct": 100 * moves["close"],
                     "open_pct": 100 * moves["open"], "low_pct": 100 * moves["low"], "high_pct": 100 * moves["high"],
                     "close_basis": prices.attrs.get("close_basis")})
    return pd.DataFrame(rows).sort_values("close_pct").reset_index(drop=True)
