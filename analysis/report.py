"""The main job: execute the notebooks, export every chart, print the headline table.

``make run`` (``python -m analysis run``) calls :func:`run_main_job`, which, from the cache only:

1. executes every notebook of ``notebooks/`` headlessly with nbclient, several kernels at a time, into ``build/`` as
   executed ``.ipynb`` and HTML (nbconvert);
2. exports every chart to ``figures/`` as PNG, SVG and PDF: notebook ``04_export`` calls :func:`export_figures`,
   which builds each figure from the package (never by scraping notebooks) and writes it with
   :func:`analysis.charts.save_figure` (byte-identical files on every run);
3. prints the headline table (:func:`headline_table`): each quoted figure with its verdict, and each firm's day-0
   abnormal return and CARs with t and p.

``python -m analysis report`` prints the headline table alone; ``python -m analysis figures --out DIR`` exports the
charts alone. Relative paths given to the functions here are taken from the project root, so the job does the same
thing from any working directory (the command line resolves its own arguments from the current directory).

Also here, because the notebooks and the export share them:

* the two small data tables the price and volume charts draw (:func:`price_paths`, :func:`volume_paths`);
* presentation helpers the notebooks call (:func:`cache_overview`, :func:`day0_table`, :func:`group_tests_table`,
  :func:`peer_group_table`, :func:`verdicts_markdown`, …): tables and text only, every number comes from the
  module that computes it;
* notebook hygiene (:func:`pair_differences`, :func:`committed_state_problems`, :func:`sync_notebooks`): each
  notebook is paired with a ``py:percent`` script (``notebooks/jupytext.toml``) and committed without outputs.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import config
from .cache import Cache

__all__ = [
    "NOTEBOOKS",
    "FIGURES",
    "PRICE_PANELS",
    "VOLUME_TICKERS",
    "FOREST_FIRMS",
    "FOREST_SPECS",
    "price_paths",
    "volume_paths",
    "VolumeAroundEvent",
    "cache_overview",
    "markdown_section",
    "day0_table",
    "group_tests_table",
    "peer_group_table",
    "forest_results",
    "figure_index",
    "format_p",
    "verdicts_markdown",
    "claims_in_plain_words",
    "FigureInputs",
    "FigureSpec",
    "export_figures",
    "expected_figure_files",
    "Headline",
    "headline_table",
    "headline_json",
    "NotebookRun",
    "MainJobResult",
    "inject_parameters",
    "default_jobs",
    "execute_notebooks",
    "run_main_job",
    "notebook_cells",
    "pair_differences",
    "committed_state_problems",
    "sync_notebooks",
]

#: The notebooks the main job executes, in reading order (names without ``.ipynb``, in ``notebooks/``).
NOTEBOOKS = ("01_data", "02_claims_vs_market", "03_event_study", "04_export", "05_robustness", "06_aftermath",
             "07_timeline")
#: The notebook that exports the charts; the main job gives it the figures folder as a parameter.
EXPORT_NOTEBOOK = "04_export"

#: Panels of the price chart: title -> tickers (the Nasdaq Composite is drawn dashed in the others).
PRICE_PANELS: dict[str, tuple[str, ...]] = {
    "Named in the articles": ("NVDA", "GOOGL", "META", "^IXIC"),
    "Hardware peers": config.PEER_GROUPS["hardware"],
    "Platforms": config.PEER_GROUPS["platforms"],
    "Power for data centres": config.PEER_GROUPS["power"],
}
#: Series shown in the volume chart.
VOLUME_TICKERS = ("NVDA", "AVGO", "TSM", "GOOGL", "META", "^IXIC")
#: Firms and (model, benchmark) specs of the forest chart (day-0 AR by spec).
FOREST_FIRMS = ("NVDA", "AVGO", "TSM", "GOOGL", "META", "MSFT")
FOREST_SPECS: tuple[tuple[str, str | None], ...] = (
    ("market", "^GSPC"),
    ("market", "^IXIC"),
    ("market", "RSP"),
    ("constant-mean", None),
    ("ff3", None),
)


def _root() -> Path:
    return config.find_project_root(Path(__file__).parent)


def _anchored(path: Path | str) -> Path:
    """A path as given when absolute, else under the project root."""
    path = Path(path)
    return path if path.is_absolute() else _root() / path


# --------------------------------------------------------------------------------------------------------------------
# The data the price and volume charts draw
# --------------------------------------------------------------------------------------------------------------------
def _window_rows(prices: pd.DataFrame, day0: pd.Timestamp, window: tuple[int, int]) -> pd.DataFrame:
    from .calendar import relative_sessions

    taus = relative_sessions(prices.index, day0)
    framed = prices.set_axis(taus, axis=0)
    framed.insert(0, "session", prices.index)
    first, last = window
    if taus[0] > first or taus[-1] < last:
        from .errors import WindowError

        raise WindowError(f"{prices.attrs.get('ticker', 'a series')} does not cover τ ∈ [{first}, {last}] around "
                          f"{day0.date()}.", "choose a narrower window or an event inside the cached range.")
    return framed.loc[first:last]


def price_paths(
    tickers: Sequence[str],
    event_date=config.EVENT_DATE,
    window: tuple[int, int] = config.AR_PATH,
    base_tau: int = -1,
    cache: Cache | None = None,
) -> pd.DataFrame:
    """Price paths over ``window`` (relative sessions), rebased to 100 at the close of ``base_tau``.

    Stocks and ETFs use the adjusted close where the source gives one (else the close); indices their level. For
    the DeepSeek shock the base is the close of Friday 24 Jan 2025 (τ = −1) and the window τ ∈ [−10, +10].

    Returns
    -------
    DataFrame
        Index τ (``tau``); one column per ticker (XNYS series only). ``attrs``: ``sessions`` (ISO date of each τ),
        ``base_session``, ``day0``, ``fields`` (price column used per ticker), ``units``.
    """
    from .calendar import event_day0
    from .returns import return_field

    cache = cache or Cache()
    day0 = event_day0(event_date).session
    columns, fields, sessions = {}, {}, None
    for ticker in tickers:
        prices = cache.read(ticker)
        if prices.attrs.get("calendar", config.EXCHANGE_CALENDAR) != config.EXCHANGE_CALENDAR:
            continue
        rows = _window_rows(prices, day0, window)
        fields[ticker] = return_field(prices)
        series = rows[fields[ticker]]
        columns[ticker] = 100.0 * series / series.loc[base_tau]
        sessions = rows["session"]
    frame = pd.DataFrame(columns)
    frame.index.name = "tau"
    base = pd.Timestamp(sessions.loc[base_tau])
    frame.attrs = {
        "sessions": [d.date().isoformat() for d in sessions],
        "base_session": base.date().isoformat(),
        "base_label": f"close of {base:%a %d %b %Y} = 100",
        "day0": day0.date().isoformat(),
        "fields": fields,
        "units": f"price index, close of {base.date()} = 100 (adjusted close where given, else close; index level)",
    }
    return frame


@dataclass(frozen=True)
class VolumeAroundEvent:
    """Trading volume around day 0: raw, and as a multiple of each series' median over a baseline window.

    Attributes
    ----------
    shares : DataFrame
        Index τ, one column per ticker: shares traded (indices: the source's index volume).
    ratio : DataFrame
        ``shares`` divided by ``baseline``.
    baseline : Series
        Median daily volume over ``baseline_window`` per ticker.
    baseline_window : (int, int)
    day0 : Timestamp
    """

    shares: pd.DataFrame
    ratio: pd.DataFrame
    baseline: pd.Series
    baseline_window: tuple[int, int]
    day0: pd.Timestamp

    @property
    def baseline_label(self) -> str:
        first, last = self.baseline_window
        return f"median daily volume over τ ∈ [{first}, {last}]".replace("-", "\u2212")

    def to_frame(self) -> pd.DataFrame:
        """Day 0 per ticker: shares (millions), normal (millions) and the ratio."""
        return pd.DataFrame({"day0_volume_m": self.shares.loc[0] / 1e6, "normal_volume_m": self.baseline / 1e6,
                             "ratio": self.ratio.loc[0]})

    def plot(self):
        """The chart of :func:`analysis.charts.plot_volume`."""
        from .charts import plot_volume

        return plot_volume(self.ratio, shares=self.shares, baseline_label=self.baseline_label, day0=self.day0)


def volume_paths(
    tickers: Sequence[str],
    event_date=config.EVENT_DATE,
    window: tuple[int, int] = config.AR_PATH,
    baseline_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    cache: Cache | None = None,
) -> VolumeAroundEvent:
    """Volume over ``window`` and its multiple of the median volume over ``baseline_window``.

    Series without volume in the cache (^NDX, RSP) are left out.
    """
    from .calendar import event_day0

    cache = cache or Cache()
    day0 = event_day0(event_date).session
    shares, baseline = {}, {}
    for ticker in tickers:
        prices = cache.read(ticker)
        if prices["volume"].isna().all():
            continue
        first = min(window[0], baseline_window[0])
        last = max(window[1], baseline_window[1])
        rows = _window_rows(prices, day0, (first, last))["volume"]
        shares[ticker] = rows.loc[window[0]:window[1]]
        baseline[ticker] = float(rows.loc[baseline_window[0]:baseline_window[1]].median())
    shares_frame = pd.DataFrame(shares)
    shares_frame.index.name = "tau"
    baseline_series = pd.Series(baseline, name="baseline")
    return VolumeAroundEvent(shares=shares_frame, ratio=shares_frame / baseline_series, baseline=baseline_series,
                             baseline_window=tuple(baseline_window), day0=day0)


# --------------------------------------------------------------------------------------------------------------------
# Small tables the notebooks show (presentation only: every number comes from the modules named)
# --------------------------------------------------------------------------------------------------------------------
def cache_overview(cache: Cache | None = None) -> pd.DataFrame:
    """What is cached (:meth:`Cache.coverage`) beside where it came from (``data/provenance.csv``), by ticker."""
    cache = cache or Cache()
    coverage = cache.coverage().drop(columns=["file"])
    provenance = cache.provenance()
    coverage["source"] = [provenance.get(t, {}).get("source", "") for t in coverage["ticker"]]
    coverage["cross_check"] = [provenance.get(t, {}).get("cross_check", "") for t in coverage["ticker"]]
    return coverage.set_index("ticker")


def markdown_section(text: str, heading: str) -> str:
    """The section of a Markdown text that starts at ``heading`` (a ``## `` line), up to the next one."""
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start:following if following >= 0 else len(text)].strip()


def day0_table(results, window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """One row per firm, sorted by abnormal return over ``window``: the return in percent (simple close-to-close,
    abnormal under the study's model), its t and p, and the day-0 placebo p."""
    from .inference import window_key

    frame = results.to_frame()
    rows = frame[frame["window"] == window_key(window)].set_index("firm")
    name = _window_name(window)
    table = pd.DataFrame({f"{name} (%)": 100 * rows["car"], "t": rows["t"], "p": rows["p"],
                          "placebo p (day 0)": rows["placebo_p"]})
    return table.sort_values(f"{name} (%)")


def group_tests_table(stats) -> pd.DataFrame:
    """The group statistics of :class:`analysis.inference.GroupStatistics`, one column per window:
    ``statistic (p)``, with the tests robust to cross-correlation first."""
    order = ("portfolio", "patell_adjusted", "kp_bmp", "grank", "wald", "patell", "bmp", "generalized_sign")
    columns = {}
    for window in stats.windows:
        key = _window_name(tuple(window.window))
        values = {"CAAR (%)": f"{100 * window.caar:+.2f}"}
        for attr in order:
            test = getattr(window, attr)
            values[test.name + (f" [{test.note}]" if test.note.startswith("assumes") else "")] = (
                f"{test.value:+.2f} (p {format_p(test.pvalue)})")
        columns[key] = values
    table = pd.DataFrame(columns)
    table.index.name = f"N = {stats.n}, r̄ = {stats.rbar:.3f}"
    return table


def peer_group_table(results, groups: Mapping[str, Sequence[str]] | None = None,
                     window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """Per peer group, over ``window``: N, r̄, the equal-weighted portfolio's CAR (%) with t and p, and the
    Kolari–Pynnönen adjusted BMP t with p."""
    rows = []
    for name, tickers in (groups or config.PEER_GROUPS).items():
        members = [t for t in tickers if t in results.tickers]
        if not members:
            continue
        stats = results.group_stats(members)
        hit = next(w for w in stats.windows if tuple(w.window) == tuple(window))
        rows.append({"group": name, "N": stats.n, "r̄": stats.rbar, "portfolio CAR (%)": 100 * hit.portfolio_car,
                     "portfolio t": hit.portfolio.value, "portfolio p": hit.portfolio.pvalue,
                     "KP-adjusted BMP t": hit.kp_bmp.value, "KP-adjusted BMP p": hit.kp_bmp.pvalue,
                     "members": ", ".join(members)})
    return pd.DataFrame(rows).set_index("group")


def forest_results(
    firms: Sequence[str] = FOREST_FIRMS,
    specs: Sequence[tuple[str, str | None]] = FOREST_SPECS,
    event_date=config.EVENT_DATE,
    cache: Cache | None = None,
) -> pd.DataFrame:
    """Day-0 AR with its 95 % interval (Student t) per firm and (model, benchmark) spec, for
    :func:`analysis.charts.plot_forest` (specs whose benchmark is not cached are skipped): the forest of
    :func:`analysis.study.robustness` over these firms and specs."""
    from .study import robustness

    return robustness(list(firms), specs, event_date, cache).forest()


def figure_index(out_dir: Path | str = "figures") -> pd.DataFrame:
    """The exported charts: what each shows, the notebook that explains it, and its files' sizes (kB)."""
    out = _anchored(out_dir)
    rows = []
    for spec in FIGURES:
        row = {"figure": spec.name, "shows": spec.shows, "notebook": spec.notebook}
        for fmt in spec.formats:
            path = out / f"{spec.name}.{fmt}"
            row[f"{fmt} (kB)"] = round(path.stat().st_size / 1024, 1) if path.exists() else None
        rows.append(row)
    return pd.DataFrame(rows)


def format_p(value: float) -> str:
    """A p-value for a table: four decimals, or ``<0.0001``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return "<0.0001" if value < 0.0001 else f"{value:.4f}"


def verdicts_markdown(check) -> str:
    """The verdicts of a :class:`analysis.claims.ClaimsCheck` as a Markdown table: each verdict, how many claims got
    it, and what it means in plain words."""
    from .claims import VERDICT_MEANINGS

    counts = check.to_frame()["verdict"].value_counts()
    lines = ["| verdict | claims | what it means |", "|---|---:|---|"]
    lines += [f"| `{verdict}` | {int(counts.get(verdict, 0))} | {meaning} |"
              for verdict, meaning in VERDICT_MEANINGS.items()]
    return "\n".join(lines)


def claims_in_plain_words(check) -> str:
    """One Markdown bullet per claim: what was quoted, where the series closed, and what the verdict means."""
    from .claims import VERDICT_MEANINGS

    def signed(value: float, fmt: str) -> str:
        return format(value, fmt).replace("-", "−")

    lines = []
    for row in check.to_frame().itertuples(index=False):
        quoted = f"{signed(row.claimed_pct, '+g')} %" if pd.notna(row.claimed_pct) else f"“{row.direction}”"
        close = f"{signed(row.close_pct, '+.2f')} %" if pd.notna(row.close_pct) else "n/a"
        day = f"{row.day0:%d %b %Y}" if pd.notna(row.day0) else "day 0"
        flag = " **The sign differs from the close.**" if row.sign_differs_from_close else ""
        lines.append(f"* **{row.subject}** ({row.ticker}): quoted {quoted}; closed {close} on {day}. "
                     f"*{row.verdict.replace('_', ' ')}*: {VERDICT_MEANINGS[row.verdict]}{flag}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------------------
class FigureInputs:
    """What the figures are built from, computed once and shared (the study is fitted once for several charts)."""

    def __init__(self, event_date=config.EVENT_DATE, benchmark: str = config.DEFAULT_BENCHMARK,
                 cache: Cache | None = None) -> None:
        self.event_date = event_date
        self.benchmark = benchmark
        self.cache = cache or Cache()

    @cached_property
    def day0(self) -> pd.Timestamp:
        from .calendar import event_day0

        return event_day0(self.event_date).session

    @cached_property
    def study(self):
        from .study import run_event_study

        return run_event_study(benchmark=self.benchmark, event_date=self.event_date, cache=self.cache)

    @cached_property
    def claims(self):
        from .claims import check_claims

        return check_claims(cache=self.cache)

    @cached_property
    def indices(self) -> pd.DataFrame:
        from .study import index_table

        return index_table(event_date=self.event_date, cache=self.cache)

    def forest(self, firms: Sequence[str] = FOREST_FIRMS, specs=FOREST_SPECS) -> pd.DataFrame:
        return forest_results(firms, specs, self.event_date, self.cache)


def _fig_price_paths(inputs: FigureInputs):
    from .charts import plot_rebased_prices

    tickers = list(dict.fromkeys(t for group in PRICE_PANELS.values() for t in group))
    levels = price_paths(tickers, inputs.event_date, cache=inputs.cache)
    return plot_rebased_prices(levels, PRICE_PANELS, base_label=levels.attrs["base_label"], day0=inputs.day0,
                               confounds=config.confounds_for(inputs.day0))


def _fig_volume(inputs: FigureInputs):
    return volume_paths(VOLUME_TICKERS, inputs.event_date, cache=inputs.cache).plot()


def _fig_claims(inputs: FigureInputs):
    return inputs.claims.plot()


def _fig_nvda_paths(inputs: FigureInputs):
    return inputs.study.plot("NVDA")


def _fig_group_caar(inputs: FigureInputs):
    from .charts import plot_group_caar

    study = inputs.study
    paths = {name: study.caar_path([t for t in tickers if t in study.tickers])
             for name, tickers in config.PEER_GROUPS.items()}
    return plot_group_caar(paths, model_label=study.model_label, estimation_label=study.estimation_label,
                           confounds=study.confounds, day0=study.day0)


def _fig_index_reactions(inputs: FigureInputs):
    from .charts import plot_index_reactions

    return plot_index_reactions(inputs.indices, day0=inputs.day0)


def _fig_forest(inputs: FigureInputs):
    from .charts import plot_forest

    return plot_forest(inputs.forest(), title="Day-0 abnormal return by firm, model and benchmark, with 95 % "
                                              "intervals")


def _fig_nvda_placebo(inputs: FigureInputs):
    return inputs.study.plot_placebo("NVDA")


@dataclass(frozen=True)
class FigureSpec:
    """One exported chart: its file name (without extension), the notebook that shows it, what it shows, and how
    it is built from :class:`FigureInputs`."""

    name: str
    notebook: str
    shows: str
    build: Callable[[FigureInputs], object] = field(repr=False)
    formats: tuple[str, ...] = ("png", "svg", "pdf")


#: Every exported chart, in reading order.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("price_paths", "01_data", "prices rebased to 100 on 24 Jan 2025, τ ∈ [−10, +10]", _fig_price_paths),
    FigureSpec("volume", "01_data", "volume around day 0 as a multiple of normal volume", _fig_volume),
    FigureSpec("claims", "02_claims_vs_market", "each quoted move against the day's range", _fig_claims),
    FigureSpec("nvda_event_path", "03_event_study", "NVDA's AR and CAR paths with 95 % bands (market model "
                                                     "vs ^GSPC)", _fig_nvda_paths),
    FigureSpec("group_caar", "03_event_study", "CAAR of the peer groups with 95 % bands", _fig_group_caar),
    FigureSpec("index_reactions", "03_event_study", "indices' day-0 z-scores and percentiles", _fig_index_reactions),
    FigureSpec("forest_day0", "05_robustness", "day-0 AR by firm across models and benchmarks", _fig_forest),
    FigureSpec("nvda_placebo", "05_robustness", "NVDA's day-0 AR against its estimation-window ARs",
               _fig_nvda_placebo),
)


def expected_figure_files(names: Iterable[str] | None = None) -> list[str]:
    """The file names :func:`export_figures` writes, e.g. ``["price_paths.png", "price_paths.svg", ...]``."""
    wanted = set(names) if names is not None else None
    return [f"{spec.name}.{fmt}" for spec in FIGURES if wanted is None or spec.name in wanted
            for fmt in spec.formats]


def export_figures(
    out_dir: Path | str = "figures",
    *,
    names: Iterable[str] | None = None,
    event_date=config.EVENT_DATE,
    benchmark: str = config.DEFAULT_BENCHMARK,
    cache: Cache | None = None,
    timings: dict | None = None,
) -> list[Path]:
    """Build every chart of :data:`FIGURES` from the package and write it to ``out_dir`` as PNG, SVG and PDF.

    Files are deterministic: two exports give byte-identical files (:func:`analysis.charts.save_figure`).

    Parameters
    ----------
    out_dir : path
        Target folder, created if needed; a relative path is taken from the project root.
    names : iterable of str, optional
        Only these figures (see :data:`FIGURES`).
    timings : dict, optional
        When given, filled with seconds spent per figure: ``{name: {"build": s, "save": s}}``.

    Returns
    -------
    list of Path
        Every file written.
    """
    from .charts import save_figure

    out = _anchored(out_dir)
    wanted = set(names) if names is not None else None
    unknown = (wanted or set()) - {spec.name for spec in FIGURES}
    if unknown:
        raise ValueError(f"unknown figure(s) {sorted(unknown)}; choose from {[s.name for s in FIGURES]}")
    inputs = FigureInputs(event_date, benchmark, cache)
    written: list[Path] = []
    for spec in FIGURES:
        if wanted is not None and spec.name not in wanted:
            continue
        start = time.perf_counter()
        fig = spec.build(inputs)
        built = time.perf_counter()
        written.extend(save_figure(fig, spec.name, out, spec.formats))
        if timings is not None:
            timings[spec.name] = {"build": built - start, "save": time.perf_counter() - built}
    return written


# --------------------------------------------------------------------------------------------------------------------
# The headline table
# --------------------------------------------------------------------------------------------------------------------
HEADLINE_WINDOWS = ((0, 0), (0, 1), (-1, 1))


def _window_name(window: tuple[int, int]) -> str:
    first, last = window
    if window == (0, 0):
        return "AR[0]"
    return f"CAR[{first:+d},{last:+d}]".replace("+0", "0")


@dataclass(frozen=True)
class Headline:
    """The headline table: each quoted figure with its verdict, and each firm's day-0 AR and CARs with t and p.

    Attributes
    ----------
    claims : DataFrame
        id, ticker, claimed_pct (as quoted), close_pct (raw close-to-close, %), verdict, sign_differs_from_close.
    firms : DataFrame
        One row per firm plus the equal-weighted portfolio: for each window ``w`` of :data:`HEADLINE_WINDOWS`,
        ``<w>_pct`` (abnormal return, percent of simple returns), ``<w>_t`` and ``<w>_p``; and ``placebo_p``.
    day0 : Timestamp
    model_label, estimation_label : str
        Normal-return model and estimation window of ``firms``.
    df : int
        Degrees of freedom of the t-tests.
    value_lost : str
        Nvidia's approximate loss of market value, beside the figures reported at the time.
    """

    claims: pd.DataFrame
    firms: pd.DataFrame
    day0: pd.Timestamp
    model_label: str
    estimation_label: str
    df: int
    value_lost: str = ""

    @property
    def firms_caption(self) -> str:
        return (f"Abnormal returns, in percent (simple close-to-close returns; {self.model_label}; "
                f"{self.estimation_label}). AR[0] = day 0 ({self.day0:%a %d %b %Y}); CAR[a,b] = sum of ARs over "
                f"sessions a..b. t ~ Student t({self.df}), two-sided p; placebo p: day-0 |AR| ranked among the "
                "estimation-window |AR|s.")

    @property
    def claims_caption(self) -> str:
        return ("Quoted figures (data/claims.csv) against the data: raw prices, % change vs the previous raw close "
                "(close-to-close); verdict per METHOD.md (tolerance: half a unit of the last digit quoted).")

    @staticmethod
    def _wrap(text: str, indent: str = "   ") -> str:
        import textwrap

        return textwrap.fill(text, 116, subsequent_indent=indent)

    def _claims_display(self) -> pd.DataFrame:
        c = self.claims

        def pct(value, fmt="+.2f"):
            return "n/a" if pd.isna(value) else format(value, fmt)

        return pd.DataFrame({
            "claim": c["id"], "ticker": c["ticker"],
            "quoted %": [pct(v, "+g") if not pd.isna(v) else f"'{d}'" for v, d in zip(c["claimed_pct"],
                                                                                       c["direction"])],
            "close %": [pct(v) for v in c["close_pct"]],
            "verdict": c["verdict"],
            "sign vs close": ["differs" if v is True else ("same" if v is False else "n/a")
                              for v in c["sign_differs_from_close"]],
        })

    def _firms_display(self) -> pd.DataFrame:
        f = self.firms
        out = {"firm": f["firm"]}
        for window in HEADLINE_WINDOWS:
            name = _window_name(window)
            out[f"{name} %"] = [f"{v:+.2f}" for v in f[f"{name}_pct"]]
            out[f"{name} t"] = [f"{v:+.2f}" for v in f[f"{name}_t"]]
            out[f"{name} p"] = [format_p(v) for v in f[f"{name}_p"]]
        out["placebo p"] = [format_p(v) for v in f["placebo_p"]]
        return pd.DataFrame(out)

    def __str__(self) -> str:
        lines = [f"HEADLINE: the DeepSeek R1 shock, day 0 = {self.day0:%a %d %b %Y}", "",
                 self._wrap("1. " + self.claims_caption), self._claims_display().to_string(index=False), "",
                 self._wrap("2. " + self.firms_caption), self._firms_display().to_string(index=False)]
        if self.value_lost:
            lines += ["", self._wrap("3. " + self.value_lost)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        parts = [f"<h4>Headline: the DeepSeek R1 shock, day 0 = {self.day0:%a %d %b %Y}</h4>",
                 f"<p>{html.escape(self.claims_caption)}</p>", self._claims_display().to_html(index=False),
                 f"<p>{html.escape(self.firms_caption)}</p>", self._firms_display().to_html(index=False)]
        if self.value_lost:
            parts.append(f"<p>{html.escape(self.value_lost)}</p>")
        return "<div>" + "\n".join(parts) + "</div>"

    def to_dict(self) -> dict:
        """JSON-ready: NaN becomes None."""
        def clean(records):
            return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                    for r in records]

        return {"day0": self.day0.date().isoformat(), "model": self.model_label, "estimation": self.estimation_label,
                "df": self.df, "units": "percent of simple close-to-close returns",
                "claims": clean(self.claims.assign(sign_differs_from_close=self.claims["sign_differs_from_close"]
                                                   .astype(object)).to_dict(orient="records")),
                "firms": clean(self.firms.to_dict(orient="records")), "value_lost": self.value_lost}


def headline_table(
    event_date=config.EVENT_DATE,
    tickers: Sequence[str] | None = None,
    benchmark: str = config.DEFAULT_BENCHMARK,
    cache: Cache | None = None,
    *,
    claims=None,
    results=None,
) -> Headline:
    """The headline table from the cache: every claim's verdict, and day-0 AR and CARs of each firm (market model vs
    ``benchmark``), plus the equal-weighted portfolio of the firms.

    ``claims`` (a :class:`analysis.claims.ClaimsCheck`) and ``results`` (fitted
    :class:`analysis.eventstudy.EventStudyResults` with the windows of :data:`HEADLINE_WINDOWS`) may be passed to
    reuse work already done.
    """
    from .claims import check_claims
    from .study import run_event_study

    cache = cache or Cache()
    check = claims if claims is not None else check_claims(cache=cache)
    study = results if results is not None else run_event_study(
        tickers, benchmark, "market", event_date, event_windows=HEADLINE_WINDOWS, cache=cache)
    claims_frame = check.to_frame()[["id", "ticker", "claimed_pct", "direction", "close_pct", "verdict",
                                     "sign_differs_from_close"]].reset_index(drop=True)
    table = study.to_frame()
    rows = []
    for firm in study.tickers:
        row = {"firm": firm}
        for window in HEADLINE_WINDOWS:
            name = _window_name(window)
            hit = table[(table["firm"] == firm) & (table["window_start"] == window[0])
                        & (table["window_end"] == window[1])].iloc[0]
            row.update({f"{name}_pct": 100 * hit["car"], f"{name}_t": hit["t"], f"{name}_p": hit["p"]})
        row["placebo_p"] = float(table.loc[table["firm"] == firm, "placebo_p"].iloc[0])
        rows.append(row)
    group = study.group
    portfolio = {"firm": f"equal-weighted ({group.n} firms)"}
    for stats in group.windows:
        name = _window_name(tuple(stats.window))
        portfolio.update({f"{name}_pct": 100 * stats.portfolio_car, f"{name}_t": stats.portfolio.value,
                          f"{name}_p": stats.portfolio.pvalue})
    portfolio["placebo_p"] = math.nan
    rows.append(portfolio)
    try:
        from .valuation import nvda_value_lost

        value_lost = str(nvda_value_lost(cache, event_date)) if "NVDA" in study.tickers else ""
    except Exception as exc:  # the headline still prints; say why the line is missing
        value_lost = f"(value lost not available: {exc})"
    return Headline(claims=claims_frame, firms=pd.DataFrame(rows), day0=study.day0, model_label=study.model_label,
                    estimation_label=study.estimation_label, df=int(study.df), value_lost=value_lost)


# --------------------------------------------------------------------------------------------------------------------
# Executing the notebooks
# --------------------------------------------------------------------------------------------------------------------
@dataclass
class NotebookRun:
    """One executed notebook: where it went, how long it took, and what failed (if anything)."""

    name: str
    source: Path
    ipynb: Path | None = None
    html: Path | None = None
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    html_seconds: float = 0.0
    cells: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class MainJobResult:
    """What :func:`run_main_job` did."""

    notebooks: list[NotebookRun]
    figures: list[Path]
    missing_figures: list[str]
    headline: Headline | None
    headline_error: str | None
    seconds: float
    timings: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (all(run.ok for run in self.notebooks) and not self.missing_figures
                and self.headline_error is None)


def inject_parameters(nb, parameters: Mapping[str, object]) -> None:
    """Insert a cell tagged ``injected-parameters`` after the cell tagged ``parameters`` (papermill's convention)."""
    import nbformat

    if not parameters:
        return
    lines = ["# Parameters injected by analysis.report.run_main_job"]
    lines += [f"{name} = {value!r}" for name, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    cell["id"] = "injected-parameters"
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the inline backend must draw the figures into the outputs (PITFALLS.md)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    return env


def _cell_kind(notebook: str, cell) -> str:
    """Where a cell's time goes, for the timing breakdown: imports, plotting, saving or computation."""
    source = cell.get("source", "")
    if notebook == EXPORT_NOTEBOOK and "export_figures(" in source:
        return "saving"
    code = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    if code and all(line.startswith(("import ", "from ", "%")) for line in code):
        return "imports"
    if any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
        return "plotting"
    return "computation"


def _timestamp(value: str) -> float:
    return pd.Timestamp(value).timestamp()


async def _execute_one(name: str, source: Path, out_dir: Path, parameters: Mapping[str, object], timeout: int,
                       html_exporter, log_dir: Path) -> NotebookRun:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    run = NotebookRun(name=name, source=source)
    nb = nbformat.read(source, as_version=4)
    inject_parameters(nb, parameters)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(source.parent)}})
    log_dir.mkdir(parents=True, exist_ok=True)
    started_wall = time.time()
    start = time.perf_counter()
    with open(log_dir / f"{name}.kernel.log", "w") as kernel_log:
        try:
            await client.async_execute(env=_kernel_env(), stderr=kernel_log)
        except CellExecutionError as exc:
            lines = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
            run.error = next((line.strip() for line in reversed(lines) if line.strip()), "cell error")
        except (CellTimeoutError, DeadKernelError, RuntimeError) as exc:
            run.error = f"{type(exc).__name__}: {exc}"
    run.seconds = time.perf_counter() - start
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    timed = [c for c in code_cells if "execution" in c.get("metadata", {})]
    if timed:
        first_busy = _timestamp(timed[0].metadata.execution["iopub.status.busy"])
        run.kernel_seconds = max(0.0, first_busy - started_wall)
        for cell in timed:
            execution = cell.metadata.execution
            end = execution.get("shell.execute_reply") or execution.get("iopub.status.idle")
            seconds = _timestamp(end) - _timestamp(execution["iopub.status.busy"]) if end else 0.0
            run.cells.append({"kind": _cell_kind(name, cell), "seconds": seconds})
    out_dir.mkdir(parents=True, exist_ok=True)
    run.ipynb = out_dir / f"{name}.ipynb"
    nbformat.write(nb, run.ipynb)
    start = time.perf_counter()
    body, _ = html_exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    run.html = out_dir / f"{name}.html"
    run.html.write_text(body, encoding="utf-8")
    run.html_seconds = time.perf_counter() - start
    return run


def default_jobs() -> int:
    """Kernels the main job runs at once by default: one more than the cores."""
    return (os.cpu_count() or 1) + 1


def execute_notebooks(
    out_dir: Path | str = "build",
    *,
    notebooks: Sequence[str] = NOTEBOOKS,
    parameters: Mapping[str, Mapping[str, object]] | None = None,
    jobs: int | None = None,
    timeout: int = 600,
    on_done: Callable[[NotebookRun], None] | None = None,
) -> list[NotebookRun]:
    """Execute ``notebooks`` (names in ``notebooks/``) with nbclient, ``jobs`` kernels at a time, into ``out_dir`` as
    executed ``.ipynb`` and HTML. A failing notebook is still written (with its error output) and reported in
    :attr:`NotebookRun.error`; the others run on.

    Parameters
    ----------
    parameters : mapping of notebook name to {variable: value}, optional
        Injected after each notebook's ``parameters`` cell.
    jobs : int, optional
        Kernels running at once; default: one more than the cores (a kernel starting up or waiting leaves its core
        to the others). The export notebook, the longest, starts first; the others follow in order as kernels free
        up. On 2 cores (bench/bench_main_job.py) the main job takes 17-22 s with 2, 3 or 5 kernels at once (the
        differences are within the noise of a shared machine), against 27-30 s one at a time.

    Returns
    -------
    list of NotebookRun
        In the order of ``notebooks``.
    """
    from nbconvert import HTMLExporter

    root = _root()
    out = _anchored(out_dir)
    parameters = parameters or {}
    exporter = HTMLExporter(template_name="lab")
    jobs = max(1, jobs or min(len(notebooks), default_jobs()))
    schedule = sorted(notebooks, key=lambda name: name != EXPORT_NOTEBOOK)

    async def main() -> list[NotebookRun]:
        gate = asyncio.Semaphore(jobs)

        async def one(name: str) -> NotebookRun:
            async with gate:
                run = await _execute_one(name, root / "notebooks" / f"{name}.ipynb", out, parameters.get(name, {}),
                                         timeout, exporter, out / "logs")
            if on_done is not None:
                on_done(run)
            return run

        tasks = {name: asyncio.ensure_future(one(name)) for name in schedule}
        await asyncio.gather(*tasks.values())
        return [tasks[name].result() for name in notebooks]

    return asyncio.run(main())


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_main_job(
    out_dir: Path | str = "build",
    figures_dir: Path | str = "figures",
    *,
    event_date=None,
    notebooks: Sequence[str] = NOTEBOOKS,
    jobs: int | None = None,
    timeout: int = 600,
    headline: bool = True,
    stream=None,
) -> MainJobResult:
    """The main job, from the cache only: execute the notebooks into ``out_dir``, export the charts to
    ``figures_dir``, and print the headline table; progress and the table go to ``stream`` (default stdout).

    Relative paths are taken from the project root. ``event_date`` (default: the configured event) is injected into
    every notebook's parameters. Notebook ``04_export`` writes the charts; when it is not among ``notebooks`` the
    charts are exported here instead. The headline table is computed in this process while the kernels run.
    """
    from concurrent.futures import ThreadPoolExecutor

    stream = sys.stdout if stream is None else stream
    started = time.perf_counter()
    out = _anchored(out_dir)
    figures = _anchored(figures_dir)
    event = event_date if event_date is not None else config.EVENT_DATE
    common = {"EVENT_DATE": str(pd.Timestamp(event_date).date())} if event_date is not None else {}
    parameters = {name: dict(common) for name in notebooks}
    if EXPORT_NOTEBOOK in parameters:
        parameters[EXPORT_NOTEBOOK]["FIGURES_DIR"] = str(figures)

    def say(text: str = "") -> None:
        print(text, file=stream, flush=True)

    def done(run: NotebookRun) -> None:
        status = "ok    " if run.ok else "FAILED"
        say(f"{status} {run.name:<20} {run.seconds:5.1f} s  -> {_relative(run.ipynb)}, {_relative(run.html)}"
            + (f"\n       {run.error}" if run.error else ""))

    def timed_headline() -> Headline:
        start = time.perf_counter()
        try:
            return headline_table(event)
        finally:
            timings["headline"] = time.perf_counter() - start

    say(f"Executing {len(notebooks)} notebooks from the cache into {_relative(out)}/ (executed .ipynb and HTML)")
    timings: dict = {}
    table, headline_error = None, None
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(timed_headline) if headline else None
        start = time.perf_counter()
        runs = execute_notebooks(out, notebooks=notebooks, parameters=parameters, jobs=jobs, timeout=timeout,
                                 on_done=done)
        timings["notebooks"] = time.perf_counter() - start
        if future is not None:
            try:
                table = future.result()
            except Exception as exc:  # reported below, and the job fails
                headline_error = f"{type(exc).__name__}: {exc}"
    if EXPORT_NOTEBOOK not in notebooks:
        start = time.perf_counter()
        try:
            export_figures(figures, event_date=event)
        except Exception as exc:  # reported; the missing files make the job fail below
            say(f"FAILED to export the charts: {type(exc).__name__}: {exc}")
        timings["export"] = time.perf_counter() - start
    expected = expected_figure_files()
    present = [figures / n for n in expected if (figures / n).is_file() and (figures / n).stat().st_size > 0]
    missing = [n for n in expected if figures / n not in present]
    kinds = sorted({p.suffix[1:].upper() for p in present})
    missing_charts = list(dict.fromkeys(Path(name).stem for name in missing))
    say(f"Exported {len({p.stem for p in present})} charts ({', '.join(kinds) or 'none'}) to {_relative(figures)}/"
        + (f"; MISSING {len(missing)} files of {', '.join(missing_charts)}" if missing else ""))
    if table is not None:
        say()
        say(str(table))
    elif headline:
        say(f"FAILED to build the headline table: {headline_error}")
    result = MainJobResult(notebooks=runs, figures=present, missing_figures=missing, headline=table,
                           headline_error=headline_error, seconds=time.perf_counter() - started, timings=timings)
    failed = [run.name for run in runs if not run.ok]
    say()
    say(f"Main job {'done' if result.ok else 'FAILED'} in {result.seconds:.1f} s"
        + (f"; failed notebooks: {', '.join(failed)} (see {_relative(out)}/<name>.html)" if failed else ""))
    return result


# --------------------------------------------------------------------------------------------------------------------
# Notebook hygiene: pairs in step, no outputs committed
# --------------------------------------------------------------------------------------------------------------------
#: Kernel metadata every committed notebook carries, so that JupyterLab opens it without a "Select Kernel" dialog.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11",
}


def notebook_cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a pair must agree on: each cell's type, source (trailing blanks ignored) and tags."""
    return [(cell.cell_type, cell.source.rstrip(), tuple(cell.get("metadata", {}).get("tags", [])))
            for cell in nb.cells]


def pair_differences(ipynb: Path | str, script: Path | str | None = None) -> list[str]:
    """How a notebook and its ``py:percent`` script differ in content (empty when they are in step)."""
    import jupytext
    import nbformat

    ipynb = Path(ipynb)
    script = Path(script) if script else ipynb.with_suffix(".py")
    if not script.exists():
        return [f"{script.name} is missing"]
    left = notebook_cells(nbformat.read(ipynb, as_version=4))
    right = notebook_cells(jupytext.read(script, fmt="py:percent"))
    problems = []
    if len(left) != len(right):
        problems.append(f"{ipynb.name} has {len(left)} cells, {script.name} has {len(right)}")
    for index, (a, b) in enumerate(zip(left, right)):
        if a != b:
            what = "type" if a[0] != b[0] else ("source" if a[1] != b[1] else "tags")
            problems.append(f"cell {index}: the {what} differs between {ipynb.name} and {script.name}")
    return problems


def committed_state_problems(ipynb: Path | str) -> list[str]:
    """Outputs, execution counts or missing kernel metadata in a notebook meant to be committed."""
    import nbformat

    nb = nbformat.read(Path(ipynb), as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has an execution count")
        if "execution" in cell.get("metadata", {}):
            problems.append(f"cell {index} has execution timing metadata")
    for key in ("kernelspec", "language_info"):
        if key not in nb.metadata:
            problems.append(f"no {key} metadata")
    return problems


def sync_notebooks(folder: Path | str = "notebooks") -> list[Path]:
    """Rewrite each ``.ipynb`` of ``folder`` from its ``py:percent`` script: no outputs, no execution counts, kernel
    and language metadata set. The script is the source of truth here; to keep edits made in JupyterLab, save there
    (jupytext writes the script too) or run ``jupytext --sync`` first."""
    import jupytext
    import nbformat

    written = []
    for script in sorted(_anchored(folder).glob("[0-9][0-9]_*.py")):
        nb = jupytext.read(script, fmt="py:percent")
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
            cell.pop("id", None)
        pairing = {k: v for k, v in nb.metadata.get("jupytext", {}).items() if k != "text_representation"}
        pairing.setdefault("formats", "ipynb,py:percent")
        nb.metadata = {"jupytext": pairing, "kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
        nb.nbformat, nb.nbformat_minor = 4, 5
        for index, cell in enumerate(nb.cells):
            cell["id"] = f"{script.stem[:2]}-{index:02d}"
        target = script.with_suffix(".ipynb")
        text = nbformat.writes(nb) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def headline_json(headline: Headline) -> str:
    """:meth:`Headline.to_dict` as JSON text."""
    return json.dumps(headline.to_dict(), indent=1, ensure_ascii=False, default=str)
