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
from .errors import DataGapError, UnknownTickerError
from .events import EventConfig, window_label
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
from .returns import model_factors, returns_panel

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


def _check_cached(tickers: Sequence[str], cache: Cache) -> list[str]:
    names = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
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
                           "leave crypto out of --tickers and --benchmark; its day-0 move is checked by "
                           "`python -m analysis claims`.")
    return names


def uses_benchmark(model: str) -> bool:
    """Whether a normal-return model takes the market proxy (the market, market-adjusted and GARCH models)."""
    return model in MARKET_MODELS


def run_event_study(event: EventConfig, cache: Cache | None = None) -> EventStudyResults:
    """Fit the event study of ``event`` from the cache (MacKinlay 1997).

    Parameters
    ----------
    event : EventConfig
        Its tickers, benchmark, model, estimation window, event windows, AR path and confounds. To change one,
        pass ``event.replace(benchmark="RSP")``.
    cache : Cache, optional
        The project's ``data/`` by default.

    Returns
    -------
    EventStudyResults
        Simple close-to-close returns (adjusted close where the source gives one); decimals.
    """
    cache = cache or Cache()
    if not event.tickers:
        from .errors import EventFileError

        raise EventFileError(f"the event {event.name} names no firms (only a universe), so there is no firm-by-firm "
                             "study.", "study its universe (python -m analysis universe), or add tickers = [...] to "
                             "its event file.")
    with_market = uses_benchmark(event.model)
    if with_market and normalize_ticker(event.benchmark) in {normalize_ticker(t) for t in event.tickers}:
        from .errors import EventFileError

        raise EventFileError(f"the benchmark {event.benchmark} is also one of the firms; a series cannot be its own "
                             "market.", f"choose another benchmark, or leave {event.benchmark} out of the tickers.")
    wanted = _check_cached([*event.tickers, *([event.benchmark] if with_market else [])], cache)
    benchmark = normalize_ticker(event.benchmark)
    names = [t for t in wanted if t != benchmark] if with_market else wanted
    day0 = event.day0()
    panel = returns_panel(dict.fromkeys(wanted), cache)
    study = EventStudy(
        panel[names], day0.session, model=event.model,
        benchmark=panel[benchmark] if with_market else None,
        benchmark_name=benchmark,
        factors=model_factors(event.model, cache) if event.model in FACTOR_MODELS else None,
        estimation_window=event.estimation, event_windows=event.windows, ar_path=event.ar_path,
        event_date=day0.event_date, confounds=event.relative_confounds(),
    )
    return study.fit()


def index_table(event: EventConfig, cache: Cache | None = None) -> pd.DataFrame:
    """Day-0 reactions of the event's indices: raw return, z against the estimation window, percentile in the cache.

    Indices get no abnormal return against themselves (docs/METHOD.md, "Indices").

    Parameters
    ----------
    event : EventConfig
        Its ``indices``, date and estimation window.
    cache : Cache, optional

    Returns
    -------
    DataFrame
        Columns ticker, return (decimal, simple close-to-close), z (return / sd of the estimation-window returns,
        ddof=1), percentile (of day 0 among all the index's cached daily returns), n_estimation.
    """
    cache = cache or Cache()
    cached = set(cache.tickers("1d"))
    names = _check_cached([t for t in event.indices if normalize_ticker(t) in cached], cache)
    day0 = event.day0()
    panel = returns_panel(names, cache)
    rows = []
    for ticker in names:
        reaction = index_reaction(panel[ticker].dropna(), day0.session, event.estimation)
        rows.append({"ticker": ticker, **reaction})
    frame = pd.DataFrame(rows, columns=["ticker", "return", "z", "percentile", "n_estimation"])
    frame.attrs = {"returns": "simple close-to-close returns of the index level (raw, not abnormal)",
                   "day0": str(day0.session.date()), "estimation_window": tuple(event.estimation)}
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
    event: EventConfig,
    specs: Sequence[tuple[str, str | None]] = ROBUSTNESS_SPECS,
    cache: Cache | None = None,
) -> Robustness:
    """Run the study under each (model, benchmark) of ``specs`` and collect day-0 AR and CAR[0,+1] per firm.

    Parameters
    ----------
    event : EventConfig
        The firms, the date and the estimation window (its own model and benchmark are replaced by each spec's).
    specs : sequence of (model, benchmark or None)
        Benchmarks not in the cache are skipped. RSP (equal-weight S&P 500) is the benchmark that a large member's
        weight in the S&P 500 cannot contaminate.
    cache : Cache, optional

    Returns
    -------
    Robustness
    """
    cache = cache or Cache()
    cached = set(cache.tickers("1d"))
    fitted: dict[str, EventStudyResults] = {}
    specs_of: dict[str, tuple[str, str | None]] = {}
    day0 = event.day0().session
    for model, benchmark in specs:
        if benchmark is not None and benchmark not in cached:
            continue
        spec = event.replace(model=model, benchmark=benchmark or event.benchmark, windows=((0, 0), (0, 1)))
        result = run_event_study(spec, cache)
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
                   "windows": "ar0: day 0 [0,0]; car01: [0,+1] sessions",
                   "estimation_window": tuple(event.estimation)}
    return Robustness(table=table, specs=tuple(fitted), day0=day0, results=fitted)


# --------------------------------------------------------------------------------------------------------------------
# peer groups
# --------------------------------------------------------------------------------------------------------------------
def groups_report(event: EventConfig, cache: Cache | None = None) -> dict:
    """Every group statistic for each peer group of ``event``, and the long-short difference of each pair.

    Parameters
    ----------
    event : EventConfig
        Its ``groups`` (at least one), model, benchmark and windows.
    cache : Cache, optional

    Returns
    -------
    dict
        The ``groups --json`` object: ``{"groups": {name: {...}}, "differences": {"a-b": {"windows": ...}}}``,
        decimals. The difference of two groups is the equal-weighted long-short portfolio mean(A) - mean(B),
        tested as one firm under the market model against the benchmark.
    """
    from .errors import EventFileError

    cache = cache or Cache()
    if not event.groups:
        raise EventFileError(f"the event {event.name} defines no peer groups.",
                             "add a [groups] table to its event file, e.g. hardware = [\"NVDA\", \"AVGO\"].")
    groups = {name: tuple(normalize_ticker(t) for t in members) for name, members in event.groups.items()}
    members = list(dict.fromkeys(t for names in groups.values() for t in names))
    result = run_event_study(event.replace(tickers=tuple(members)), cache)
    bench = normalize_ticker(event.benchmark)
    out: dict = {"event_date": str(result.event_date.date()), "day0": str(result.day0.date()),
                 "benchmark": bench if uses_benchmark(event.model) else None, "model": event.model,
                 "estimation_window": list(event.estimation), "groups": {}, "differences": {}}
    for name, tickers in groups.items():
        out["groups"][name] = result.group_stats(list(tickers)).to_dict()
    day0 = event.day0().session
    panel = returns_panel(dict.fromkeys(members + [bench]), cache)
    for a, b in combinations(groups, 2):
        diff = long_short_difference(panel[members], list(groups[a]), list(groups[b]), day0,
                                     panel[bench], benchmark_name=bench,
                                     estimation_window=event.estimation, event_windows=event.windows)
        firm = diff.to_dict()["firms"]
        out["differences"][f"{a}-{b}"] = {"long": list(groups[a]), "short": list(groups[b]),
                                          "windows": next(iter(firm.values()))["windows"]}
    return out


def _label(key: str) -> str:
    return window_label(tuple(int(v) for v in key.split(",")))


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
            group_rows.append({"group": name, "window": _label(key), "n": group["n"], "rbar": group["rbar"],
                               "caar": stats["caar"], "portfolio_t": stats["portfolio_t"],
                               "kp_bmp_t": stats["kp_bmp_t"], "grank_t": stats["grank_t"],
                               "wald_chi2": stats.get("wald_chi2"), "wald_p": stats.get("wald_p")})
    diff_rows = []
    for name, diff in report["differences"].items():
        for key, stats in diff["windows"].items():
            diff_rows.append({"long-short": name, "window": _label(key), "car": stats["car"], "se": stats["se"],
                              "t": stats["t"], "p": stats["p"]})
    return pd.DataFrame(group_rows), pd.DataFrame(diff_rows)
