"""The aftermath of an event: drawdown and recovery, long-horizon CAR and BHAR, and the firm one year later.

Every number here is computed from **returns** chained across the cache and its extension
(:meth:`analysis.cache.Cache.joined_returns`: the original file for its range, the split- and dividend-adjusted
extension only after its last date). A "level" below is a cumulative return rebased to 1 at the last close before
day 0 — never a price, since a level from an adjusted source sits below the raw price newspapers quote.

Questions answered, per firm and index (decimals of simple close-to-close returns):

* **Drawdown and recovery.** The path ``P_t / P_pre − 1`` from the last close before day 0 (τ = −1); its minimum
  (``max_drawdown``) and date; the first session from day 0 on whose rebased level is at or above 1
  (``recovered_on``) and how many sessions after the pre-event close that took (day 0 counts as 1), or "not by
  <last date>".
* **Long-horizon CAR** over [0,+5], [0,+20], [0,+60], [0,+120], [0,+250] with the market model estimated before the
  event and the exact prediction-error variance (:class:`analysis.eventstudy.EventStudy`, MacKinlay 1997). Over
  months, the estimated α and β drift with the market and the benchmark's own drift enters every CAR; the output
  says so, and lists the news of the timeline that falls inside each window.
* **BHAR** against the benchmark, ``Π(1 + R_i) − Π(1 + R_b)`` over the same horizons (Barber and Lyon 1997). Per
  firm: ``t`` = BHAR / the standard deviation of its bootstrap null distribution, and a two-sided bootstrap p-value;
  the null distribution draws the horizon's days, with replacement, from the firm's own estimation-window (firm,
  benchmark) return pairs, and is centred at zero. Across firms: the skewness-adjusted t of Lyon, Barber and Tsai
  (1999) (:func:`analysis.inference.skewness_adjusted_t_test`) with its bootstrap p-value (LBT 1999, resampling the
  firms' centred BHARs). Both bootstraps use a fixed seed, and the number of draws is reported.
* **One year later**: each firm on the first session on or after the anniversary of the event date, against its
  last pre-event close and against the benchmark over the same sessions.

A horizon that runs past the data is cut to the last session held, and the output says so. An event whose day 0 lies
beyond the data raises :class:`~analysis.errors.EventDateError` naming the last date held.

References
----------
.. [1] MacKinlay, A. C. (1997). "Event Studies in Economics and Finance". *J. Econ. Lit.* 35(1), 13–39.
.. [2] Barber, B. M. and J. D. Lyon (1997). "Detecting long-run abnormal stock returns". *J. Financial Economics*
   43(3), 341–372.
.. [3] Lyon, J. D., B. M. Barber and C.-L. Tsai (1999). "Improved methods for tests of long-run abnormal stock
   returns". *J. Finance* 54(1), 165–201.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import calendar as cal
from . import config
from .cache import Cache, normalize_ticker
from .jsonutil import json_float
from .errors import DataGapError, EventDateError
from .eventstudy import EventStudy
from .inference import skewness_adjusted_t_test, window_key

__all__ = ["HORIZONS", "BOOTSTRAP_DRAWS", "BOOTSTRAP_SEED", "extended_panel", "Recovery", "recovery",
           "bhar", "bhar_bootstrap", "lbt_bootstrap", "anniversary_session", "timeline_confounds", "Aftermath",
           "run_aftermath", "rebased_paths"]

#: Long horizons, in relative sessions (inclusive).
HORIZONS: tuple[tuple[int, int], ...] = ((0, 5), (0, 20), (0, 60), (0, 120), (0, 250))
#: Bootstrap draws and seed (fixed, so every run gives the same p-values).
BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 1999
#: Caveat printed beside every long-horizon CAR and BHAR.
DRIFT_CAVEAT = ("long horizons: α and β are estimated before the event and assumed stable for months; the "
                "benchmark's own drift and any change in the firm's risk enter the CAR, and the BHAR carries the "
                "benchmark's compounding; read them as descriptions, with the confounds listed")


# --------------------------------------------------------------------------------------------------------------------
# returns over the cache and its extension
# --------------------------------------------------------------------------------------------------------------------
def extended_panel(tickers: Sequence[str], cache: Cache | None = None) -> pd.DataFrame:
    """Simple returns of ``tickers`` chained over the cache and its extension, on one XNYS calendar.

    Parameters
    ----------
    tickers : sequence of str
    cache : Cache, optional

    Returns
    -------
    DataFrame
        Sessions × tickers, decimals; NaN outside a ticker's data. ``attrs["segments"]`` maps each ticker to the
        files its returns come from (:meth:`analysis.cache.Cache.joined_returns`), ``attrs["extension"]`` to
        whether its extension was used.
    """
    cache = cache or Cache()
    names = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    series = {t: cache.joined_returns(t) for t in names}
    frame = pd.DataFrame(series)
    full = cal.sessions(frame.index[0], frame.index[-1], config.EXCHANGE_CALENDAR)
    frame = frame.reindex(full)
    frame.index.name = "session"
    frame.attrs = {"basis": "simple close-to-close returns, chained over the cache and its extension",
                   "segments": {t: s.attrs["segments"] for t, s in series.items()},
                   "extension": {t: s.attrs["extension"] for t, s in series.items()}}
    return frame


def _last_valid(series: pd.Series) -> pd.Timestamp:
    return series.last_valid_index()


# --------------------------------------------------------------------------------------------------------------------
# drawdown and recovery
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recovery:
    """Drawdown and recovery of one series from its last close before day 0.

    Attributes
    ----------
    last_pre_event_close_date : Timestamp
        τ = −1, the session whose close is the reference (rebased level 1).
    path : Series
        Rebased level − 1 from τ = −1 (0) to the last session held: the cumulative simple return since that close.
    max_drawdown, max_drawdown_date : float, Timestamp
        The lowest value of ``path`` from day 0 on (0 if it never fell below the reference) and its session.
    recovered_on : Timestamp or None
        First session from day 0 on whose level is at or above the reference.
    sessions_to_recover : int or None
        Sessions after the pre-event close until ``recovered_on`` (day 0 is 1).
    last_date : Timestamp
        The last session held.
    """

    last_pre_event_close_date: pd.Timestamp
    path: pd.Series = field(repr=False)
    max_drawdown: float
    max_drawdown_date: pd.Timestamp
    recovered_on: pd.Timestamp | None
    sessions_to_recover: int | None
    last_date: pd.Timestamp

    @property
    def status(self) -> str:
        """``recovered on YYYY-MM-DD after N sessions`` or ``not by YYYY-MM-DD``."""
        if self.recovered_on is None:
            return f"not by {self.last_date:%Y-%m-%d}"
        return f"recovered on {self.recovered_on:%Y-%m-%d} after {self.sessions_to_recover} sessions"


def recovery(returns: pd.Series, day0) -> Recovery:
    """Drawdown path and recovery of one return series from the last close before ``day0``.

    Parameters
    ----------
    returns : Series
        Simple returns (decimals) indexed by consecutive sessions; NaN before the series starts.
    day0 : date-like
        A session of the index.

    Returns
    -------
    Recovery
        The comparison is made on the rebased level (a cumulative product of returns), so a tiny float error cannot
        turn an exact return to the reference into a miss: levels within 1e-12 of it count as recovered.
    """
    day0 = pd.Timestamp(day0)
    clean = returns.loc[:_last_valid(returns)]
    if day0 not in clean.index:
        raise EventDateError(f"day 0 {day0:%Y-%m-%d} is not in the data of {returns.name} "
                             f"(last date held: {clean.index[-1]:%Y-%m-%d}).",
                             "choose an event inside the data, or import a longer history.")
    position = clean.index.get_loc(day0)
    if position == 0:
        raise DataGapError(f"{returns.name} has no close before day 0 ({day0:%Y-%m-%d}).",
                           "choose a later event date.")
    after = clean.iloc[position:]
    if after.isna().any():
        raise DataGapError(f"{returns.name} has missing returns after day 0, first on "
                           f"{after.index[after.isna().to_numpy()][0]:%Y-%m-%d}.", "repair the cache.")
    level = (1.0 + after).cumprod()
    pre = clean.index[position - 1]
    path = pd.concat([pd.Series([0.0], index=[pre]), level - 1.0])
    path.index.name = "session"
    path.name = returns.name
    low = float(level.min())
    low_date = level.idxmin()
    max_dd = min(0.0, low - 1.0)
    reached = level.index[(level >= 1.0 - 1e-12).to_numpy()]
    recovered = reached[0] if len(reached) else None
    sessions = int(level.index.get_loc(recovered)) + 1 if recovered is not None else None
    return Recovery(last_pre_event_close_date=pre, path=path, max_drawdown=max_dd,
                    max_drawdown_date=low_date if max_dd < 0 else day0, recovered_on=recovered,
                    sessions_to_recover=sessions, last_date=level.index[-1])


def rebased_paths(panel: pd.DataFrame, day0, last_tau: int | None = None) -> pd.DataFrame:
    """Rebased levels (1 at the last close before day 0) of every column, τ = −1 .. ``last_tau`` (all by default).

    These are cumulative returns for charts, never prices.
    """
    out = {}
    for ticker in panel.columns:
        rec = recovery(panel[ticker], day0)
        out[ticker] = rec.path + 1.0
    frame = pd.DataFrame(out)
    if last_tau is not None:
        frame = frame.iloc[: last_tau + 2]
    frame.attrs = {"basis": "cumulative simple return since the last pre-event close, rebased to 1 (not a price)"}
    return frame


# --------------------------------------------------------------------------------------------------------------------
# BHAR and its tests
# --------------------------------------------------------------------------------------------------------------------
def bhar(firm: np.ndarray, benchmark: np.ndarray) -> float:
    """Buy-and-hold abnormal return, ``Π(1 + R_i) − Π(1 + R_b)`` (Barber and Lyon 1997), decimals."""
    return float(np.prod(1.0 + np.asarray(firm)) - np.prod(1.0 + np.asarray(benchmark)))


def bhar_bootstrap(value: float, firm_est: np.ndarray, bench_est: np.ndarray, length: int,
                   draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED) -> dict:
    """One firm's BHAR against its bootstrap null distribution.

    The null draws ``length`` days with replacement from the estimation-window pairs (R_i, R_b) — so the firm's
    volatility, its co-movement with the benchmark and the skewness of compounding are kept — computes their BHAR,
    and centres the ``draws`` pseudo-BHARs at zero.

    Parameters
    ----------
    value : float
        The event window's BHAR.
    firm_est, bench_est : ndarray
        Estimation-window returns of the firm and the benchmark (same sessions).
    length : int
        Sessions in the window.
    draws, seed : int

    Returns
    -------
    dict
        ``t`` (value / sd of the null), ``p`` (two-sided: (1 + #{|null| ≥ |value|}) / (draws + 1)), ``sd``,
        ``draws``, ``seed``.
    """
    rng = np.random.default_rng(seed)
    firm_est = np.asarray(firm_est, dtype=float)
    bench_est = np.asarray(bench_est, dtype=float)
    index = rng.integers(0, firm_est.size, size=(draws, length))
    null = np.prod(1.0 + firm_est[index], axis=1) - np.prod(1.0 + bench_est[index], axis=1)
    null = null - null.mean()
    sd = float(null.std(ddof=1))
    p = float((1 + np.sum(np.abs(null) >= abs(value))) / (draws + 1))
    return {"t": value / sd if sd > 0 else float("nan"), "p": p, "sd": sd, "draws": int(draws), "seed": int(seed)}


def lbt_bootstrap(values: Sequence[float], draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED) -> dict:
    """Skewness-adjusted t of the mean BHAR across firms with its bootstrap p-value (Lyon, Barber and Tsai 1999).

    The statistic is :func:`analysis.inference.skewness_adjusted_t_test`. The bootstrap resamples the firms' BHARs,
    centred at their mean, with replacement (``n`` of ``n``; LBT draw n/4, too few with a handful of firms), and
    computes the statistic in each draw; ``p_bootstrap`` = (1 + #{|t*| ≥ |t|}) / (draws + 1). Firms that share an
    event date are cross-correlated: this is a description of the cross-section, not an independent-sample test.

    Returns
    -------
    dict
        ``mean``, ``n``, ``t_sa``, ``p`` (normal), ``p_bootstrap``, ``draws``, ``seed``, ``note``.
    """
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    test = skewness_adjusted_t_test(x)
    out = {"mean": float(x.mean()) if x.size else float("nan"), "n": int(x.size), "t_sa": test.value,
           "p": test.pvalue, "p_bootstrap": float("nan"), "draws": int(draws), "seed": int(seed),
           "note": test.note + "; firms share the event date, so they are not independent"}
    if not np.isfinite(test.value):
        return out
    rng = np.random.default_rng(seed)
    centred = x - x.mean()
    samples = centred[rng.integers(0, x.size, size=(draws, x.size))]
    mean = samples.mean(axis=1)
    sd = samples.std(axis=1, ddof=1)
    ok = sd > 0
    s = np.where(ok, mean / np.where(ok, sd, 1.0), 0.0)
    gamma = np.where(ok, ((samples - mean[:, None]) ** 3).sum(axis=1) / (x.size * np.where(ok, sd, 1.0) ** 3), 0.0)
    t_star = math.sqrt(x.size) * (s + gamma * s * s / 3.0 + gamma / (6.0 * x.size))
    t_star = t_star[ok]
    out["p_bootstrap"] = float((1 + np.sum(np.abs(t_star) >= abs(test.value))) / (t_star.size + 1))
    return out


# --------------------------------------------------------------------------------------------------------------------
# anniversary and confounds
# --------------------------------------------------------------------------------------------------------------------
def anniversary_session(event_date, index: pd.DatetimeIndex) -> tuple[pd.Timestamp, pd.Timestamp | None]:
    """The anniversary of ``event_date`` (29 Feb -> 28 Feb) and the first session of ``index`` on or after it."""
    day = pd.Timestamp(event_date).date()
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:
        anniversary = day.replace(year=day.year + 1, day=28)
    stamp = pd.Timestamp(anniversary)
    later = index[index >= stamp]
    return stamp, (later[0] if len(later) else None)


def _news_session(date: pd.Timestamp, time_utc: str) -> pd.Timestamp:
    """The first XNYS session on which news is traded: the next session when the date is not one, or when the
    timeline says the news came after the US close."""
    text = (time_utc or "").lower()
    start = date + pd.Timedelta(days=1) if ("after" in text and "close" in text) else date
    following = cal.sessions(start, start + pd.Timedelta(days=14), config.EXCHANGE_CALENDAR)
    return following[0]


def timeline_confounds(timeline: pd.DataFrame, day0: pd.Timestamp, index: pd.DatetimeIndex,
                       windows: Sequence[tuple[int, int]]) -> dict[str, list[dict]]:
    """The timeline's news inside each window: rows of kind ``confound`` or ``deepseek_release`` whose first
    trading session lies in the window (DeepSeek news of day 0 itself is the event, not a confound).

    Returns
    -------
    dict
        Window key -> list of ``{date, session, tau, kind, label, confidence}``.
    """
    day0 = pd.Timestamp(day0)
    pos0 = index.get_loc(day0)
    rows = []
    for row in timeline.itertuples(index=False):
        if row.kind not in ("confound", "deepseek_release"):
            continue
        try:
            session = _news_session(pd.Timestamp(row.date), row.time_utc)
        except Exception:  # noqa: BLE001 - a date outside the calendar is simply not inside any window
            continue
        if session not in index:
            continue
        tau = int(index.get_loc(session)) - pos0
        if tau == 0 and row.kind == "deepseek_release":
            continue
        rows.append({"date": f"{pd.Timestamp(row.date):%Y-%m-%d}", "session": f"{session:%Y-%m-%d}", "tau": tau,
                     "kind": row.kind, "label": row.label, "confidence": row.confidence})
    return {window_key(w): [r for r in rows if w[0] <= r["tau"] <= w[1]] for w in windows}


# --------------------------------------------------------------------------------------------------------------------
# the aftermath
# --------------------------------------------------------------------------------------------------------------------
def _json(x):
    """A date as YYYY-MM-DD; anything else through :func:`analysis.jsonutil.json_float`."""
    if isinstance(x, pd.Timestamp):
        return f"{x:%Y-%m-%d}"
    return json_float(x)


@dataclass(frozen=True)
class Aftermath:
    """The aftermath of one event for a set of firms and indices; :meth:`to_dict` is ``aftermath --json``.

    Attributes
    ----------
    event_date, day0 : Timestamp
    benchmark : str
    per_ticker : dict
        Ticker -> the JSON entry (see the module docstring and :meth:`to_dict`).
    groups : dict
        Group name -> horizon key -> the cross-sectional BHAR test (:func:`lbt_bootstrap`).
    paths : DataFrame
        Rebased levels (1 at the last pre-event close), τ = −1 on; for charts.
    notes : list of str
    """

    event_name: str
    event_date: pd.Timestamp
    day0: pd.Timestamp
    benchmark: str
    horizons: tuple[tuple[int, int], ...]
    per_ticker: dict
    groups: dict
    confounds: dict
    paths: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    last_dates: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-safe; returns are decimals of simple close-to-close returns (as in ``study --json``)."""
        return {
            "event": self.event_name, "event_date": f"{self.event_date:%Y-%m-%d}", "day0": f"{self.day0:%Y-%m-%d}",
            "benchmark": self.benchmark, "horizons": [window_key(h) for h in self.horizons],
            "returns": "simple close-to-close returns, decimals, chained over the cache and its adjusted extension",
            "car_model": "market model vs the benchmark, OLS over the estimation window before the event; exact "
                         "prediction-error variance (MacKinlay 1997); Student t",
            "bhar": "prod(1+R_i) - prod(1+R_b) over the window; t = BHAR / bootstrap sd, p = two-sided bootstrap p "
                    f"({BOOTSTRAP_DRAWS} draws from estimation-window return pairs, seed {BOOTSTRAP_SEED})",
            "caveat": DRIFT_CAVEAT,
            "confounds": self.confounds,
            "tickers": self.per_ticker,
            "groups": self.groups,
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per ticker: recovery, drawdown, and CAR / BHAR per horizon (decimals)."""
        rows = []
        for ticker, entry in self.per_ticker.items():
            row = {"ticker": ticker, "last_pre_event_close_date": entry["last_pre_event_close_date"],
                   "recovered_on": entry["recovered_on"], "sessions_to_recover": entry["sessions_to_recover"],
                   "max_drawdown": entry["max_drawdown"], "max_drawdown_date": entry["max_drawdown_date"]}
            for key in (window_key(h) for h in self.horizons):
                row[f"car[{key}]"] = (entry["car"].get(key) or {}).get("car")
                row[f"bhar[{key}]"] = (entry["bhar"].get(key) or {}).get("bhar")
            ann = entry["anniversary"]
            row["anniversary_date"] = ann["date"]
            row["return_since_pre_event"] = ann["return_since_pre_event"]
            row["excess_vs_benchmark"] = ann["excess_vs_benchmark"]
            rows.append(row)
        return pd.DataFrame(rows)

    def groups_frame(self) -> pd.DataFrame:
        """One row per (group, horizon): mean BHAR (decimal), skewness-adjusted t, normal and bootstrap p, n, draws.

        NaN where the statistic is undefined (fewer than three firms)."""
        rows = []
        for name, by_h in self.groups.items():
            for key, test in by_h.items():
                if key == "members":
                    continue
                rows.append({"group": name, "window": f"[{key}]", "mean_bhar": test["mean"], "t_sa": test["t_sa"],
                             "p": test["p"], "p_bootstrap": test["p_bootstrap"], "n": test["n"],
                             "draws": test["draws"], "seed": test["seed"]})
        return pd.DataFrame(rows).astype({"mean_bhar": float, "t_sa": float, "p": float, "p_bootstrap": float})

    def summary(self) -> str:
        """A text table in percent, with the notes."""
        lines = [f"Aftermath of {self.event_name}: event date {self.event_date:%Y-%m-%d}, day 0 {self.day0:%Y-%m-%d}; "
                 f"benchmark {self.benchmark}. Simple close-to-close returns in %, chained over the cache and its "
                 "adjusted extension (levels are rebased returns, never prices)."]
        table = []
        for ticker, e in self.per_ticker.items():
            ann = e["anniversary"]
            n = e["sessions_to_recover"]
            rec = (f"{e['recovered_on']} ({'closed above on day 0' if n == 1 else f'{n} sessions'})"
                   if e["recovered_on"] else f"not by {e['last_date']}")
            table.append({
                "ticker": ticker, "pre-event close": e["last_pre_event_close_date"], "recovered": rec,
                "max DD %": _pct(e["max_drawdown"]), "on": e["max_drawdown_date"],
                **{f"CAR[{k}] %": _pct((e["car"].get(k) or {}).get("car")) for k in ("0,20", "0,250")},
                **{f"BHAR[{k}] %": _pct((e["bhar"].get(k) or {}).get("bhar")) for k in ("0,20", "0,250")},
                "1y on": ann["date"] or "n/a", "1y %": _pct(ann["return_since_pre_event"]),
                "1y vs bench, pp": _pct(ann["excess_vs_benchmark"]),
            })
        lines.append(pd.DataFrame(table).to_string(index=False))
        lines.append(f"Caveat: {DRIFT_CAVEAT}.")
        for key, items in self.confounds.items():
            if items:
                lines.append(f"Inside [{key}]: " + "; ".join(f"{i['session']} (τ={i['tau']}) {i['label']}"
                                                            for i in items[:8])
                             + (f"; and {len(items) - 8} more" if len(items) > 8 else ""))
        lines.extend(self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def plot(self, tickers: Sequence[str] | None = None, releases: pd.DataFrame | None = None):
        """The rebased paths with the timeline's releases marked (:func:`analysis.charts.plot_aftermath_paths`)."""
        from .charts import plot_aftermath_paths

        return plot_aftermath_paths(self, tickers=tickers, releases=releases)


def _pct(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:+.2f}"


def run_aftermath(
    event=None,
    tickers: Sequence[str] | None = None,
    indices: Sequence[str] | None = None,
    benchmark: str | None = None,
    horizons: Sequence[tuple[int, int]] = HORIZONS,
    estimation: tuple[int, int] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    cache: Cache | None = None,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
) -> Aftermath:
    """The aftermath of an event for its firms (and its indices, which get drawdown, recovery and the anniversary).

    Parameters
    ----------
    event : EventConfig, optional
        The event (:func:`analysis.events.flagship` by default): its date, tickers, benchmark, estimation window,
        groups and indices. The other arguments override its fields.
    tickers, indices, benchmark, horizons, estimation, groups
        Overrides. Horizons are inclusive relative sessions, (0, h).
    cache : Cache, optional
    draws, seed : int
        Bootstrap draws and seed.

    Returns
    -------
    Aftermath

    Raises
    ------
    EventDateError
        When day 0 lies beyond the data, naming the last date held.
    """
    from .events import flagship

    cache = cache or Cache()
    event = event or flagship()
    tickers = [normalize_ticker(t) for t in (tickers or event.tickers)]
    indices = [normalize_ticker(t) for t in (indices if indices is not None else event.indices)]
    benchmark = normalize_ticker(benchmark or event.benchmark)
    estimation = tuple(estimation or event.estimation)
    groups = dict(groups if groups is not None else event.groups)
    horizons = tuple(tuple(h) for h in horizons)
    day0_info = cal.event_day0(event.date, config.EXCHANGE_CALENDAR)
    day0 = day0_info.session

    cached = set(cache.tickers("1d")) | {e.ticker for e in cache.manifest().values()
                                         if e.kind == "prices_extension" and e.ticker}
    indices = [t for t in indices if t in cached and t != benchmark]
    names = list(dict.fromkeys([*tickers, *indices, benchmark]))
    panel = extended_panel(names, cache)
    last_held = {t: panel[t].last_valid_index() for t in names}
    bench_last = last_held[benchmark]
    if day0 > bench_last or day0 not in panel.index:
        raise EventDateError(
            f"day 0 {day0:%Y-%m-%d} is beyond the data: the last date held for the benchmark {benchmark} is "
            f"{bench_last:%Y-%m-%d}.",
            f"choose an event on or before {bench_last:%Y-%m-%d}, or import a longer history.")
    notes: list[str] = []
    if day0_info.note:
        notes.append(day0_info.note)
    for t in names:
        status = panel.attrs["extension"][t]
        if status.startswith("not used"):
            notes.append(f"{t}: extension {status}; its data end on {last_held[t]:%Y-%m-%d}.")

    pos0 = panel.index.get_loc(day0)
    try:
        timeline = cache.read_timeline()
    except Exception:  # noqa: BLE001 - the timeline is optional for an ad-hoc cache
        timeline = None
        notes.append("The timeline is not in the cache: confounds inside the windows are not listed.")

    # --- CAR: the engine, batched over firms that share the same last usable session ---
    def available(t: str) -> int:
        last = min(last_held[t], bench_last)
        return int(panel.index.get_loc(last)) - pos0

    car_out: dict[str, dict] = {t: {} for t in tickers}
    by_last: dict[int, list[str]] = {}
    for t in tickers:
        if available(t) < 0:
            notes.append(f"{t}: no data on or after day 0 (last date held {last_held[t]:%Y-%m-%d}).")
            continue
        by_last.setdefault(available(t), []).append(t)
    fits = {}
    for last_tau, members in by_last.items():
        used = {h: (h[0], min(h[1], last_tau)) for h in horizons}
        windows = tuple(dict.fromkeys(used.values()))
        study = EventStudy(panel[members], day0, model="market", benchmark=panel[benchmark],
                           benchmark_name=benchmark, estimation_window=estimation, event_windows=windows,
                           ar_path=(0, max(w[1] for w in windows)), event_date=pd.Timestamp(event.date),
                           confounds={})
        result = study.fit()
        for t in members:
            fits[t] = (result, used)
            for h in horizons:
                w = used[h]
                row = result.car(w).loc[t]
                entry = {"car": _json(row["car"]), "se": _json(row["se"]), "t": _json(row["t"]),
                         "p": _json(row["p"]), "window": list(w), "cut": w != h}
                if w != h:
                    entry["note"] = (f"[{h[0]},+{h[1]}] runs past the data; cut to [{w[0]},+{w[1]}] "
                                     f"(last date {panel.index[pos0 + w[1]]:%Y-%m-%d})")
                car_out[t][window_key(h)] = entry
        cut = [h for h in horizons if used[h] != h]
        if cut:
            notes.append(f"{', '.join(members)}: data end on {panel.index[pos0 + last_tau]:%Y-%m-%d} (τ = +{last_tau}, "
                         f"the earlier of the firm's and {benchmark}'s last date), so "
                         + ", ".join(f"[0,+{h[1]}]" for h in cut) + f" are cut to [0,+{last_tau}].")

    # --- BHAR per firm and per group ---
    bhar_out: dict[str, dict] = {t: {} for t in tickers}
    bhar_values: dict[str, dict[str, float]] = {window_key(h): {} for h in horizons}
    for t, (result, used) in fits.items():
        est_sessions = result.sessions.loc[result.estimation_window[0]:result.estimation_window[1]]
        firm_est = panel.loc[est_sessions.to_numpy(), t].to_numpy()
        bench_est = panel.loc[est_sessions.to_numpy(), benchmark].to_numpy()
        for h in horizons:
            w = used[h]
            rows = panel.index[pos0 + w[0]: pos0 + w[1] + 1]
            value = bhar(panel.loc[rows, t].to_numpy(), panel.loc[rows, benchmark].to_numpy())
            test = bhar_bootstrap(value, firm_est, bench_est, len(rows), draws, seed)
            entry = {"bhar": _json(value), "t": _json(test["t"]), "p": _json(test["p"]),
                     "bootstrap_sd": _json(test["sd"]), "window": list(w), "cut": w != h}
            if w != h:
                entry["note"] = car_out[t][window_key(h)]["note"]
            bhar_out[t][window_key(h)] = entry
            bhar_values[window_key(h)][t] = value

    group_out: dict[str, dict] = {}
    for name, members in {"all firms": tickers, **groups}.items():
        present = [m for m in members if m in fits]
        if not present:
            continue
        group_out[name] = {"members": present}
        for key, values in bhar_values.items():
            test = lbt_bootstrap([values[m] for m in present if m in values], draws, seed)
            group_out[name][key] = {k: (_json(v) if isinstance(v, float) else v) for k, v in test.items()}

    # --- drawdown, recovery, anniversary for firms and indices ---
    per_ticker: dict[str, dict] = {}
    bench_rec = recovery(panel[benchmark], day0)
    ann_date, _ = anniversary_session(event.date, panel.index)
    for t in [*tickers, *indices, benchmark]:
        if last_held[t] < day0:
            continue
        rec = bench_rec if t == benchmark else recovery(panel[t], day0)
        level = rec.path + 1.0
        _, ann_session = anniversary_session(event.date, level.index)
        if ann_session is not None and ann_session in bench_rec.path.index:
            since = float(level.loc[ann_session] - 1.0)
            excess = since - float(bench_rec.path.loc[ann_session])
            ann = {"date": f"{ann_session:%Y-%m-%d}", "return_since_pre_event": since,
                   "excess_vs_benchmark": excess if t != benchmark else 0.0}
        else:
            ann = {"date": None, "return_since_pre_event": None, "excess_vs_benchmark": None,
                   "note": f"the anniversary ({ann_date:%Y-%m-%d}) is beyond the data "
                           f"(last date {min(rec.last_date, bench_rec.last_date):%Y-%m-%d})"}
        entry = {
            "kind": "firm" if t in tickers else ("benchmark" if t == benchmark else "index"),
            "last_pre_event_close_date": f"{rec.last_pre_event_close_date:%Y-%m-%d}",
            "recovered_on": _json(rec.recovered_on), "sessions_to_recover": rec.sessions_to_recover,
            "recovery": rec.status, "max_drawdown": rec.max_drawdown,
            "max_drawdown_date": f"{rec.max_drawdown_date:%Y-%m-%d}", "last_date": f"{rec.last_date:%Y-%m-%d}",
            "segments": panel.attrs["segments"][t],
            "car": car_out.get(t, {}), "bhar": bhar_out.get(t, {}), "anniversary": ann,
        }
        per_ticker[t] = entry

    confounds = (timeline_confounds(timeline, day0, panel.index, horizons) if timeline is not None
                 else {window_key(h): [] for h in horizons})
    paths = rebased_paths(panel[[t for t in per_ticker]], day0)
    return Aftermath(event_name=event.name, event_date=pd.Timestamp(event.date), day0=day0, benchmark=benchmark,
                     horizons=horizons, per_ticker=per_ticker, groups=group_out, confounds=confounds, paths=paths,
                     notes=tuple(notes), last_dates={t: f"{d:%Y-%m-%d}" for t, d in last_held.items()})
