"""The timeline as events: every release of the imported timeline with an event file, and a multi-event study.

The timeline itself (``data/timeline/``, imported by :meth:`analysis.cache.Cache.import_extensions`) gives each
release's date and source; ``events/timeline.txt`` lists the event files of the study, one per release the data
cover, each with the confounds the timeline names. For every event the engine
(:class:`analysis.eventstudy.EventStudy`, market model vs the event's benchmark, estimation window before that event,
exact variance) gives each firm's day-0 AR and CAR[0,+1], and the hardware group's equal-weighted portfolio.

The test across events
----------------------
"No reaction after the flagship": the mean CAR[0,+1] of every (firm, release) pair after the flagship's day 0,
``CAR̄ = (1/M) Σ CAR_{i,e}``, with

``Var(CAR̄) = (1/M²) Σ_{(i,e),(j,f)} Cov(CAR_{i,e}, CAR_{j,f})``, where

* same date (e = f): ``Cov = c_e σ̂_{ij,e}`` — firms on one date are correlated through their estimation-window
  residual covariance σ̂_{ij,e}, and ``c_e = 1'[I + X*(X'X)⁻¹X*']1`` is the window's exact prediction-error factor
  (shared by every firm of a market-model study, MacKinlay 1997);
* different dates: ``Cov = |W_e ∩ W_f| · (σ̂_{ij,e} + σ̂_{ij,f}) / 2`` — zero unless the two event windows share
  sessions, in which case the shared sessions' abnormal returns are (up to the two fits' parameters) the same.

``t = CAR̄ / sqrt(Var(CAR̄))`` is read against N(0, 1). This is the "crude dependence adjustment" of Brown and
Warner (1985) extended to several dates with the covariance estimated from the residuals (as in Kolari and
Pynnönen 2010); it still assumes that the event does not change the variance.

References
----------
.. [1] MacKinlay, A. C. (1997). "Event Studies in Economics and Finance". *J. Econ. Lit.* 35(1), 13–39.
.. [2] Brown, S. J. and J. B. Warner (1985). "Using daily stock returns: the case of event studies". *J. Financial
   Economics* 14(1), 3–31.
.. [3] Kolari, J. W. and S. Pynnönen (2010). "Event study testing with cross-sectional correlation of abnormal
   returns". *Rev. Financial Studies* 23(11), 3996–4025.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .aftermath import extended_panel
from .jsonutil import json_float
from .cache import Cache, normalize_ticker
from .errors import EventFileError
from .eventstudy import EventStudy, EventStudyResults
from .inference import HypothesisTest, normal_pvalue

__all__ = ["TIMELINE_LIST", "timeline_event_files", "covers", "releases", "release_marks", "mean_car_test", "TimelineStudy",
           "run_timeline_study"]

#: The list of the study's event files, relative to the project root.
TIMELINE_LIST = "events/timeline.txt"
#: The windows of the multi-event study.
WINDOWS = ((0, 0), (0, 1))
#: The group whose portfolio is reported per event.
HARDWARE = "hardware"


def timeline_event_files(list_file: Path | str | None = None) -> list[Path]:
    """The event files named in ``events/timeline.txt`` (comments and blank lines skipped), in its order."""
    path = Path(list_file) if list_file else config.find_project_root(Path(__file__).parent) / TIMELINE_LIST
    if not path.is_file():
        raise EventFileError(f"{path} does not exist.", "list the event files of the timeline study, one per line.")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [path.parent / name for name in names if name and not name.startswith("#")]


def releases(cache: Cache | None = None) -> pd.DataFrame:
    """The timeline's releases (kind ``deepseek_release``) with the first XNYS session on which each was traded.

    Returns
    -------
    DataFrame
        date, session (Timestamp or NaT beyond the calendar), label, confidence, source.
    """
    from .calendar import event_day0

    table = (cache or Cache()).read_timeline()
    rows = table[table["kind"] == "deepseek_release"].copy()
    rows["session"] = [event_day0(d).session for d in rows["date"]]
    return rows[["date", "session", "label", "confidence", "source"]].reset_index(drop=True)


def covers(event, event_files: Sequence[Path | str] | None = None) -> bool:
    """Whether ``event``'s day 0 is the day 0 of one of the study's releases (so the study can compare with it)."""
    from .events import load_event

    day0 = event.day0().session
    return any(load_event(p).day0().session == day0 for p in (event_files or timeline_event_files()))


def release_marks(event_files: Sequence[Path | str] | None = None) -> pd.DataFrame:
    """The study's releases for charts: ``session`` (day 0) and a short ``label`` (the event file's title, with a
    trailing " released" dropped), from the event files of :func:`timeline_event_files`."""
    from .events import load_event

    rows = []
    for path in event_files or timeline_event_files():
        event = load_event(path)
        label = event.title.split(" (")[0].removesuffix(" released")
        rows.append({"session": event.day0().session, "label": label, "event": event.name})
    return pd.DataFrame(rows).sort_values("session").reset_index(drop=True)


def mean_car_test(cars: pd.DataFrame, covariances: Mapping[str, pd.DataFrame], window_factors: Mapping[str, float],
                  window_sessions: Mapping[str, pd.DatetimeIndex], *, label: str = "mean CAR") -> HypothesisTest:
    """Mean CAR over (firm, event) pairs, with firms on one date correlated and dates independent unless their
    windows overlap (see the module docstring).

    Parameters
    ----------
    cars : DataFrame
        Columns ``event``, ``firm``, ``car`` (decimal).
    covariances : mapping
        Event -> firm × firm residual covariance σ̂_ij of that event's estimation window.
    window_factors : mapping
        Event -> c_e, so that Var(CAR_i,e) = c_e σ̂²_i,e.
    window_sessions : mapping
        Event -> the sessions of its window.

    Returns
    -------
    HypothesisTest
        value = t, pvalue two-sided from N(0, 1); ``n`` = number of pairs.
    """
    items = list(cars[["event", "firm", "car"]].itertuples(index=False))
    m = len(items)
    if m == 0:
        return HypothesisTest(name=label, value=float("nan"), pvalue=float("nan"), distribution="N(0,1)",
                              null_hypothesis="the mean CAR is zero", n=0, note="no (firm, event) pairs")
    events = [e for e, _, _ in items]
    firms = [f for _, f, _ in items]
    cov = np.zeros((m, m))
    groups: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(events):
        groups[name] = np.flatnonzero(np.array(events) == name)
    for ea, rows_a in groups.items():
        firms_a = [firms[k] for k in rows_a]
        for eb, rows_b in groups.items():
            firms_b = [firms[k] for k in rows_b]
            if ea == eb:
                block = window_factors[ea] * covariances[ea].loc[firms_a, firms_b].to_numpy(dtype=float)
            else:
                shared = len(window_sessions[ea].intersection(window_sessions[eb]))
                if not shared:
                    continue
                # firms missing from either event's covariance contribute nothing (NaN -> 0)
                ca = covariances[ea].reindex(index=firms_a, columns=firms_b).to_numpy(dtype=float)
                cb = covariances[eb].reindex(index=firms_a, columns=firms_b).to_numpy(dtype=float)
                block = np.nan_to_num(shared * 0.5 * (ca + cb))
            cov[np.ix_(rows_a, rows_b)] = block
    values = np.array([c for _, _, c in items], dtype=float)
    mean = float(values.mean())
    variance = float(cov.sum()) / m**2
    t = mean / math.sqrt(variance) if variance > 0 else float("nan")
    n_events = len({e for e, _, _ in items})
    return HypothesisTest(
        name=label, value=t, pvalue=float(normal_pvalue(t)), distribution="N(0,1)",
        null_hypothesis="the mean CAR over these releases and firms is zero", n=m,
        note=f"{m} (firm, release) pairs over {n_events} releases; firms on one date correlated through their "
             "residual covariance; dates independent unless their windows overlap; mean CAR = "
             f"{100 * mean:+.2f} %, se = {100 * math.sqrt(max(variance, 0.0)):.2f} %",
    )


@dataclass(frozen=True)
class TimelineStudy:
    """Every release as an event: per-event tables and the test across the later releases.

    Attributes
    ----------
    events : tuple of EventConfig
    table : DataFrame
        One row per (event, firm): event, title, date, day0, firm, ar0, ar0_t, ar0_p, car01, car01_t, car01_p,
        plus one row per event with firm ``"hardware (EW)"`` for the hardware group's equal-weighted portfolio.
        Decimals of simple close-to-close abnormal returns, market model vs the event's benchmark.
    later : HypothesisTest
        The mean CAR[0,+1] of every firm over the releases after the flagship's day 0.
    later_hardware : HypothesisTest
        The same over the hardware group only.
    flagship_day0 : Timestamp
    confounds : dict
        Event name -> {tau: label} inside [0,+1].
    skipped : tuple of str
        Events left out, with the reason (beyond the data).
    """

    events: tuple
    table: pd.DataFrame
    later: HypothesisTest
    later_hardware: HypothesisTest
    flagship_day0: pd.Timestamp
    confounds: Mapping[str, dict] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    results: Mapping[str, EventStudyResults] = field(default_factory=dict, repr=False)

    def per_event(self, firm: str = "hardware (EW)") -> pd.DataFrame:
        """One row per event for one firm (default the hardware portfolio): day0, ar0, car01 and their t."""
        rows = self.table[self.table["firm"] == firm]
        return rows.set_index("event")[["title", "day0", "ar0", "ar0_t", "car01", "car01_t", "car01_p"]]

    def closest_to_flagship(self) -> pd.DataFrame:
        """Each later release's hardware CAR[0,+1] as a share of the flagship's (1 = as large as 27 Jan-style)."""
        hw = self.per_event()
        flagship = hw[hw["day0"] == f"{self.flagship_day0:%Y-%m-%d}"]
        if flagship.empty:
            return pd.DataFrame()
        base = float(flagship["car01"].iloc[0])
        later = hw[hw["day0"] > f"{self.flagship_day0:%Y-%m-%d}"].copy()
        later["share_of_flagship"] = later["car01"] / base
        return later.sort_values("car01")

    def wide(self, firms: Sequence[str] | None = None, value: str = "car01") -> pd.DataFrame:
        """Release × firm table of one column of :attr:`table` (decimals), releases in date order."""
        wide = self.table.pivot(index="event", columns="firm", values=value)
        order = [e.name for e in self.events if e.name in wide.index]
        columns = [f for f in (firms or wide.columns) if f in wide.columns]
        return wide.loc[order, columns]

    def conclusion(self, level: float = 0.05, close: float = 0.5) -> str:
        """The answer in words: which releases moved the hardware group, by how much, and whether a later one came
        within ``close`` (a share) of the reaction on the flagship's day 0. Markdown."""
        hw = self.per_event()
        moved = hw[hw["car01_p"] < level]
        day = f"{self.flagship_day0:%Y-%m-%d}"
        flag = hw[hw["day0"] == day]
        later = self.closest_to_flagship()
        text = (f"**Which releases moved the AI-capex chain?** Of {len(hw)} releases, the hardware portfolio's "
                f"CAR[0,+1] is significant at {level:.0%} for {len(moved)}: {', '.join(moved.index) or 'none'}. ")
        if flag.empty:
            return text + f"The comparison day {day} is not one of these releases."
        base = flag.iloc[0]
        text += (f"On {day} the group lost {100 * base['car01']:+.1f} % over two sessions (t = "
                 f"{base['car01_t']:+.1f}). ")
        if later.empty:
            return text + "No release after it is in the data."
        worst = later.iloc[0]
        text += (f"The largest later fall was {worst.name} ({100 * worst['car01']:+.1f} %, t = "
                 f"{worst['car01_t']:+.1f}), {abs(worst['share_of_flagship']):.0%} of that reaction in size. "
                 f"Across all firms and the {len(later)} later releases the mean CAR[0,+1] has t = "
                 f"{self.later.value:+.2f} (p = {self.later.pvalue:.2f}); over the hardware firms t = "
                 f"{self.later_hardware.value:+.2f} (p = {self.later_hardware.pvalue:.2f}). ")
        near = later[later["share_of_flagship"].abs() >= close]
        if near.empty:
            return text + (f"**No later release came close to {day}**: none moved the hardware group by "
                           f"{close:.0%} of that reaction.")
        return text + f"**Releases that came within {close:.0%} of it: {', '.join(near.index)}.**"

    def to_dict(self) -> dict:
        """The ``timeline --json`` object (decimals)."""
        events = {}
        for name, rows in self.table.groupby("event", sort=False):
            first = rows.iloc[0]
            events[name] = {
                "title": first["title"], "date": first["date"], "day0": first["day0"],
                "confounds_0_1": {str(k): v for k, v in self.confounds.get(name, {}).items()},
                "firms": {r.firm: {"ar0": json_float(r.ar0), "ar0_t": json_float(r.ar0_t), "ar0_p": json_float(r.ar0_p), "car01": json_float(r.car01),
                                   "car01_t": json_float(r.car01_t), "car01_p": json_float(r.car01_p)}
                          for r in rows.itertuples(index=False)},
            }

        def test(h: HypothesisTest) -> dict:
            return {"t": json_float(h.value), "p": json_float(h.pvalue), "n": h.n, "note": h.note}

        return {"returns": "simple close-to-close abnormal returns, decimals; market model vs each event's benchmark, "
                           "estimated before each event; exact variance",
                "flagship_day0": f"{self.flagship_day0:%Y-%m-%d}", "events": events,
                "later_releases_mean_car01": test(self.later),
                "later_releases_mean_car01_hardware": test(self.later_hardware),
                "skipped": list(self.skipped)}

    def summary(self) -> str:
        """The hardware portfolio per release, the two tests, and the confounds, as text (percent)."""
        hw = self.per_event().copy()
        lead = self.events[0].lead_firm if self.events else None  # the releases' lead firm (their first ticker)
        lead_columns = {"ar0": f"{lead} ar0", "ar0_t": f"{lead} t", "car01": f"{lead} car01"}
        nv = self.per_event(lead)[["ar0", "ar0_t", "car01"]].rename(columns=lead_columns)
        table = hw.drop(columns=["title"]).join(nv)
        for column in ("ar0", "car01", lead_columns["ar0"], lead_columns["car01"]):
            table[column] = table[column].map(lambda v: f"{100 * v:+.2f}")
        for column in ("ar0_t", "car01_t", lead_columns["ar0_t"]):
            table[column] = table[column].map(lambda v: f"{v:+.2f}")
        table["car01_p"] = table["car01_p"].map(lambda v: f"{v:.3f}")
        lines = [f"Every release of the timeline as an event: hardware group (equal-weighted portfolio) and {lead}; "
                 "AR and CAR in % (market model vs each event's benchmark, estimated before each event).",
                 table.to_string()]
        for h in (self.later, self.later_hardware):
            lines.append(f"{h.name}: t = {h.value:+.2f}, p = {h.pvalue:.3f} ({h.note}).")
        for name, items in self.confounds.items():
            if items:
                lines.append(f"[{name}] inside [0,+1]: " + "; ".join(f"τ={k}: {v}" for k, v in items.items()))
        lines.extend(f"skipped: {s}" for s in self.skipped)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def plot(self):
        """The hardware portfolio's CAR[0,+1] per release (:func:`analysis.charts.plot_timeline_reactions`)."""
        from .charts import plot_timeline_reactions

        return plot_timeline_reactions(self)


def run_timeline_study(event_files: Sequence[Path | str] | None = None, cache: Cache | None = None,
                       flagship_day0=None) -> TimelineStudy:
    """Run the market-model study for each release and the test across the later ones.

    Parameters
    ----------
    event_files : sequence of path-like, optional
        Default: :func:`timeline_event_files`.
    cache : Cache, optional
    flagship_day0 : date-like, optional
        The day 0 after which releases count as "later"; default the flagship event's
        (:func:`analysis.events.flagship`).

    Returns
    -------
    TimelineStudy
    """
    from .events import flagship, load_event

    cache = cache or Cache()
    events = [load_event(p) for p in (event_files or timeline_event_files())]
    events.sort(key=lambda e: e.date)
    flagship_day0 = pd.Timestamp(flagship_day0) if flagship_day0 is not None else flagship().day0().session
    names = list(dict.fromkeys(normalize_ticker(t) for e in events for t in (*e.tickers, e.benchmark)))
    panel = extended_panel(names, cache)
    rows, skipped = [], []
    covariances, factors, sessions, results, confounds = {}, {}, {}, {}, {}
    for event in events:
        day0 = event.day0().session
        bench = normalize_ticker(event.benchmark)
        pos0 = panel.index.get_indexer([day0])[0]
        if pos0 < 0 or pos0 + 1 >= len(panel.index) or not np.isfinite(panel[bench].iloc[pos0 + 1]):
            skipped.append(f"{event.name}: day 0 {day0:%Y-%m-%d} or day +1 is beyond the data of {bench}")
            continue
        firms = [normalize_ticker(t) for t in event.tickers
                 if np.isfinite(panel[normalize_ticker(t)].iloc[pos0: pos0 + 2]).all()]
        study = EventStudy(panel[firms], day0, model="market", benchmark=panel[bench], benchmark_name=bench,
                           estimation_window=event.estimation, event_windows=WINDOWS, ar_path=(0, 1),
                           event_date=pd.Timestamp(event.date), confounds=event.relative_confounds((0, 1)))
        result = study.fit()
        results[event.name] = result
        confounds[event.name] = event.relative_confounds((0, 1))
        day, two = result.car((0, 0)), result.car((0, 1))
        base = {"event": event.name, "title": event.title, "date": f"{event.date:%Y-%m-%d}", "day0": f"{day0:%Y-%m-%d}"}
        for firm in firms:
            rows.append({**base, "firm": firm, "ar0": day.at[firm, "car"], "ar0_t": day.at[firm, "t"],
                         "ar0_p": day.at[firm, "p"], "car01": two.at[firm, "car"], "car01_t": two.at[firm, "t"],
                         "car01_p": two.at[firm, "p"]})
        hardware = [t for t in event.groups.get(HARDWARE, ()) if t in firms]
        if hardware:
            group = result.group_stats(hardware)
            g0, g1 = group["0,0"], group["0,1"]
            rows.append({**base, "firm": "hardware (EW)", "ar0": g0.portfolio_car, "ar0_t": g0.portfolio.value,
                         "ar0_p": g0.portfolio.pvalue, "car01": g1.portfolio_car, "car01_t": g1.portfolio.value,
                         "car01_p": g1.portfolio.pvalue})
        covariances[event.name] = result.residual_covariance
        factors[event.name] = result.window_factor((0, 1))
        sessions[event.name] = pd.DatetimeIndex(result.sessions.loc[0:1].to_numpy())
    table = pd.DataFrame(rows)
    firms_only = table[(table["firm"] != "hardware (EW)") & (pd.to_datetime(table["day0"]) > flagship_day0)]
    later = mean_car_test(firms_only.rename(columns={"car01": "car"}), covariances, factors, sessions,
                          label="mean CAR[0,+1] of every firm over the releases after the flagship")
    hw_names = {t for e in events for t in e.groups.get(HARDWARE, ())}
    later_hw = mean_car_test(firms_only[firms_only["firm"].isin(hw_names)].rename(columns={"car01": "car"}),
                             covariances, factors, sessions,
                             label="mean CAR[0,+1] of the hardware firms over the releases after the flagship")
    return TimelineStudy(events=tuple(events), table=table, later=later, later_hardware=later_hw,
                         flagship_day0=flagship_day0, confounds=confounds, skipped=tuple(skipped), results=results)
