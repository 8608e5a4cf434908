"""The figure registry: every chart of an event, each drawn by one builder, for the notebooks and the export alike.

A notebook shows a chart with ``draw("price_paths", inputs)``; the export writes the same figure with
:func:`export_figures`, through :func:`analysis.charts.save_figure` (deterministic PNG, SVG and PDF). A chart that
needs what the event lacks (claims, peer groups) is skipped, and :func:`skipped_figures` says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import config
from .cache import Cache
from .events import EventConfig, lacks_claims, lacks_firms, lacks_release, lacks_universe

__all__ = ["FigureInputs", "FigureSpec", "FIGURES", "FOREST_SPECS", "draw", "export_figures",
           "expected_figure_files", "skipped_figures", "figure_index", "price_panels", "volume_tickers"]

#: (model, benchmark) specs of the forest chart (day-0 AR by spec); benchmarks not cached are skipped.
FOREST_SPECS: tuple[tuple[str, str | None], ...] = (
    ("market", "^GSPC"),
    ("market", "^IXIC"),
    ("market", "RSP"),
    ("constant-mean", None),
    ("ff3", None),
    ("carhart", None),
    ("ff5", None),
    ("garch", "^GSPC"),
)


def _root() -> Path:
    return config.find_project_root(Path(__file__).parent)


def _anchored(path: Path | str) -> Path:
    """A path as given when absolute, else under the project root."""
    path = Path(path)
    return path if path.is_absolute() else _root() / path


def price_panels(event: EventConfig) -> dict[str, tuple[str, ...]]:
    """Panels of the price chart: the event's chart firms, then one panel per peer group (the first index is the
    dashed reference line of every panel)."""
    panels = {"Firms on the charts": tuple(event.chart_firms)}  # the first index is drawn dashed in every panel
    panels.update({name: tuple(members) for name, members in event.groups.items()})
    return panels


def volume_tickers(event: EventConfig) -> tuple[str, ...]:
    """Series of the volume chart: the chart firms and the first index."""
    return tuple(dict.fromkeys([*event.chart_firms, *event.indices[:1]]))


class FigureInputs:
    """What the figures of one event are built from, computed once and shared (the study is fitted once for
    several charts).

    Parameters
    ----------
    event : EventConfig
    cache : Cache, optional
    """

    def __init__(self, event: EventConfig, cache: Cache | None = None) -> None:
        self.event = event
        self.cache = cache or Cache()

    @cached_property
    def day0(self) -> pd.Timestamp:
        return self.event.day0().session

    @cached_property
    def cached(self) -> set[str]:
        return set(self.cache.tickers("1d"))

    @cached_property
    def study(self):
        from .study import run_event_study

        return run_event_study(self.event, self.cache)

    @cached_property
    def claims(self):
        from .claims import check_event_claims

        return check_event_claims(self.event, self.cache)

    @cached_property
    def indices(self) -> pd.DataFrame:
        from .study import index_table

        return index_table(self.event, self.cache)

    @cached_property
    def universe(self):
        """The cross-section of the event over its universe's members (:mod:`analysis.universe`)."""
        from .universe import UniverseStudy

        return UniverseStudy.from_event(self.event).fit(cache=self.cache)

    @cached_property
    def aftermath(self):
        """The aftermath of the event: drawdown, recovery, long horizons (:mod:`analysis.aftermath`)."""
        from .aftermath import run_aftermath

        return run_aftermath(self.event, cache=self.cache)

    @cached_property
    def timeline(self):
        """Every release of the timeline as an event, compared with this event's day 0 (:mod:`analysis.timeline`)."""
        from .timeline import run_timeline_study

        return run_timeline_study(cache=self.cache, flagship_day0=self.day0)

    @cached_property
    def robustness(self):
        from .study import robustness

        return robustness(self.event.replace(tickers=self.event.chart_firms), FOREST_SPECS, self.cache)


def _fig_price_paths(inputs: FigureInputs):
    from .charts import plot_rebased_prices
    from .paths import price_paths

    panels = {title: tuple(t for t in members if t in inputs.cached)
              for title, members in price_panels(inputs.event).items()}
    reference = [t for t in inputs.event.indices[:1] if t in inputs.cached]  # the dashed line of every panel
    tickers = list(dict.fromkeys([t for group in panels.values() for t in group] + reference))
    levels = price_paths(inputs.event, tickers, cache=inputs.cache)
    reference = inputs.event.indices[0] if inputs.event.indices and inputs.event.indices[0] in levels else None
    return plot_rebased_prices(levels, panels, reference=reference, base_label=levels.attrs["base_label"],
                               day0=inputs.day0, confounds=inputs.event.relative_confounds(inputs.event.ar_path))


def _fig_volume(inputs: FigureInputs):
    from .paths import volume_paths

    tickers = [t for t in volume_tickers(inputs.event) if t in inputs.cached]
    return volume_paths(inputs.event, tickers, cache=inputs.cache).plot()


def _fig_claims(inputs: FigureInputs):
    return inputs.claims.plot()


def _fig_event_path(inputs: FigureInputs):
    return inputs.study.plot(inputs.event.lead_firm)


def _fig_group_caar(inputs: FigureInputs):
    from .charts import plot_group_caar

    study = inputs.study
    paths = {name: study.caar_path([t for t in tickers if t in study.tickers])
             for name, tickers in inputs.event.groups.items() if any(t in study.tickers for t in tickers)}
    return plot_group_caar(paths, model_label=study.model_label, estimation_label=study.estimation_label,
                           confounds=study.confounds, day0=study.day0)


def _fig_index_reactions(inputs: FigureInputs):
    from .charts import plot_index_reactions
    from .events import window_label

    return plot_index_reactions(inputs.indices, day0=inputs.day0,
                                estimation_label=f"estimation window τ ∈ {window_label(inputs.event.estimation)}")


def _fig_forest(inputs: FigureInputs):
    from .charts import plot_forest

    return plot_forest(inputs.robustness.forest(inputs.event.chart_firms),
                       title="Day-0 abnormal return by firm, model and benchmark, with 95 % intervals")


def _fig_intraday_claims(inputs: FigureInputs):
    from .intraday import day_in_time

    return day_in_time(inputs.day0, cache=inputs.cache, registry=inputs.event.claims).plot()


def _fig_cross_section(inputs: FigureInputs):
    from .crosssection import firm_cross_section

    return firm_cross_section(inputs.study, inputs.cache).plot("soxx_beta")


def _fig_placebo(inputs: FigureInputs):
    return inputs.study.plot_placebo(inputs.event.lead_firm)


def _fig_universe_histogram(inputs: FigureInputs):
    return inputs.universe.plot("histogram", mark=inputs.event.lead_firm)


def _fig_universe_sectors(inputs: FigureInputs):
    return inputs.universe.plot("sectors")


def _fig_universe_beta(inputs: FigureInputs):
    return inputs.universe.plot("beta")


def _fig_aftermath_paths(inputs: FigureInputs):
    from .timeline import release_marks

    # The timeline's releases are marked when the event is one of them; another event's chart marks nothing of it.
    releases = release_marks() if lacks_release(inputs.event) is None else None
    return inputs.aftermath.plot(inputs.event.chart_firms, releases)


def _fig_timeline_reactions(inputs: FigureInputs):
    return inputs.timeline.plot()


def _needs_intraday_claims(event: EventConfig) -> str | None:
    if not event.claims:
        return lacks_claims(event)
    from .intraday import has_intraday_for

    return None if has_intraday_for(event) else "no intraday bars are cached for the event's day 0"


#: The fewest firms the cross-sectional regression of day-0 ARs is drawn for (four coefficients, HC3 errors).
CROSS_SECTION_MIN_FIRMS = 8


def _needs_cross_section(event: EventConfig) -> str | None:
    if not event.tickers:
        return lacks_firms(event)
    if len(event.tickers) < CROSS_SECTION_MIN_FIRMS:
        return (f"the event has {len(event.tickers)} firms; the regression of day-0 ARs on firm characteristics "
                f"needs at least {CROSS_SECTION_MIN_FIRMS}")
    return None


def _needs_groups(event: EventConfig) -> str | None:
    if not event.tickers:
        return lacks_firms(event)
    return None if event.groups else "the event file defines no peer groups ([groups])"


@dataclass(frozen=True)
class FigureSpec:
    """One chart: its file name (without extension), the notebook that shows it, what it shows, its builder, and
    what it needs from the event.

    Attributes
    ----------
    name, notebook, shows : str
    build : callable
        ``build(FigureInputs) -> matplotlib.figure.Figure``; the only code that draws this chart.
    needs : callable, optional
        ``needs(EventConfig) -> str | None``: why the chart cannot be drawn for this event, or None.
    formats : tuple of str
    """

    name: str
    notebook: str
    shows: str
    build: Callable[[FigureInputs], object] = field(repr=False)
    needs: Callable[[EventConfig], str | None] | None = field(default=None, repr=False)
    formats: tuple[str, ...] = ("png", "svg", "pdf")

    def missing(self, event: EventConfig) -> str | None:
        """Why this chart is left out for ``event`` (None when it can be drawn)."""
        return self.needs(event) if self.needs else None


#: Every chart, in reading order.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("price_paths", "01_data", "prices rebased to 100 at the close before day 0, over the AR path",
               _fig_price_paths, lacks_firms),
    FigureSpec("volume", "01_data", "volume around day 0 as a multiple of normal volume", _fig_volume,
               lacks_firms),
    FigureSpec("claims", "02_claims_vs_market", "each quoted move against the day's range", _fig_claims,
               lacks_claims),
    FigureSpec("intraday_claims", "02_claims_vs_market", "day-0 intraday paths against the previous close, and when "
                                                         "each quoted figure held", _fig_intraday_claims,
               _needs_intraday_claims),
    FigureSpec("event_path", "03_event_study", "the lead firm's AR and CAR paths with 95 % bands", _fig_event_path,
               lacks_firms),
    FigureSpec("group_caar", "03_event_study", "CAAR of the peer groups with 95 % bands", _fig_group_caar,
               _needs_groups),
    FigureSpec("cross_section", "03_event_study", "day-0 AR against the firms' beta to SOXX, with the fitted line of "
                                                   "the cross-sectional regression (HC3)", _fig_cross_section,
               _needs_cross_section),
    FigureSpec("index_reactions", "03_event_study", "indices' day-0 z-scores and percentiles", _fig_index_reactions),
    FigureSpec("forest_day0", "05_robustness", "day-0 AR by firm across models and benchmarks", _fig_forest,
               lacks_firms),
    FigureSpec("placebo", "05_robustness", "the lead firm's day-0 AR against its estimation-window ARs",
               _fig_placebo, lacks_firms),
    FigureSpec("aftermath_paths", "06_aftermath", "paths rebased to the last pre-event close, through the data's "
                                                  "end, with the timeline's releases marked", _fig_aftermath_paths,
               lacks_firms),
    FigureSpec("timeline_reactions", "07_timeline", "CAR[0,+1] of each release of the timeline, firm by firm",
               _fig_timeline_reactions, lacks_release),
    FigureSpec("universe_histogram", "08_cross_section", "day-0 returns of every member of the index, the index's "
                                                         "return and the lead firm marked", _fig_universe_histogram,
               lacks_universe),
    FigureSpec("universe_sectors", "08_cross_section", "CAAR of each GICS sector with intervals, and the "
                                                       "sub-industries that fell most", _fig_universe_sectors,
               lacks_universe),
    FigureSpec("universe_beta", "08_cross_section", "day-0 AR of every member against its beta to SOXX, by sector",
               _fig_universe_beta, lacks_universe),
)

_BY_NAME = {spec.name: spec for spec in FIGURES}


def _spec(name: str) -> FigureSpec:
    try:
        return _BY_NAME[name]
    except KeyError:
        from .errors import AnalysisError

        raise AnalysisError(f"there is no chart named {name!r}.",
                            f"choose one of {', '.join(_BY_NAME)}.") from None


def draw(name: str, inputs: FigureInputs | EventConfig):
    """Build one chart by name, as the export does.

    Parameters
    ----------
    name : str
        A name of :data:`FIGURES`.
    inputs : FigureInputs or EventConfig

    Returns
    -------
    matplotlib.figure.Figure or None
        None (with a printed line saying why) when the event lacks what the chart needs.
    """
    if isinstance(inputs, EventConfig):
        inputs = FigureInputs(inputs)
    spec = _spec(name)
    reason = spec.missing(inputs.event)
    if reason:
        print(f"{name}: left out because {reason}.")
        return None
    return spec.build(inputs)


def skipped_figures(event: EventConfig) -> dict[str, str]:
    """The charts left out for ``event``, with the reason for each."""
    return {spec.name: reason for spec in FIGURES if (reason := spec.missing(event))}


def expected_figure_files(event: EventConfig | None = None, names: Iterable[str] | None = None) -> list[str]:
    """The file names :func:`export_figures` writes for ``event``, e.g. ``["price_paths.png", ...]``."""
    wanted = set(names) if names is not None else None
    return [f"{spec.name}.{fmt}" for spec in FIGURES
            if (wanted is None or spec.name in wanted) and (event is None or not spec.missing(event))
            for fmt in spec.formats]


def _export_some(event: EventConfig, out: Path, names: list[str], cache: Cache | None) -> tuple[list[Path], dict]:
    """Build and save the charts ``names`` (one worker's share of :func:`export_figures`)."""
    from .charts import save_figure

    inputs = FigureInputs(event, cache)
    written: list[Path] = []
    timings: dict = {}
    for name in names:
        spec = _BY_NAME[name]
        start = time.perf_counter()
        fig = spec.build(inputs)
        built = time.perf_counter()
        written.extend(save_figure(fig, spec.name, out, spec.formats))
        timings[spec.name] = {"build": built - start, "save": time.perf_counter() - built}
    return written, timings


def export_figures(
    event: EventConfig,
    out_dir: Path | str = "figures",
    *,
    names: Iterable[str] | None = None,
    cache: Cache | None = None,
    timings: dict | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Build every chart of :data:`FIGURES` that ``event`` supports and write it to ``out_dir`` as PNG, SVG, PDF.

    Files are deterministic: two exports give byte-identical files (:func:`analysis.charts.save_figure`), however
    many workers share the work.

    Parameters
    ----------
    event : EventConfig
    out_dir : path
        Target folder, created if needed; a relative path is taken from the project root.
    names : iterable of str, optional
        Only these figures (see :data:`FIGURES`).
    cache : Cache, optional
    timings : dict, optional
        When given, filled with seconds spent per figure: ``{name: {"build": s, "save": s}}``.
    jobs : int
        Processes that share the charts (forked, so they start at once with what is imported); writing PDF, SVG and
        PNG is most of the main job's longest notebook, so two workers shorten it on two cores.

    Returns
    -------
    list of Path
        Every file written, in the order of :data:`FIGURES`.
    """
    out = _anchored(out_dir)
    wanted = set(names) if names is not None else None
    for name in wanted or ():
        _spec(name)
    chosen = [spec.name for spec in FIGURES
              if (wanted is None or spec.name in wanted) and not spec.missing(event)]
    jobs = max(1, min(int(jobs), len(chosen)))
    if jobs == 1:
        written, spent = _export_some(event, out, chosen, cache)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import warnings

        shares = [chosen[k::jobs] for k in range(jobs)]
        context = multiprocessing.get_context("fork")
        with warnings.catch_warnings():
            # Python >= 3.12 warns that forking a threaded process (a Jupyter kernel) may deadlock; the workers only
            # draw and write files, and take no lock of the parent.
            warnings.simplefilter("ignore", DeprecationWarning)
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                parts = list(pool.map(_export_some, [event] * jobs, [out] * jobs, shares, [cache] * jobs))
        spent = {k: v for _, t in parts for k, v in t.items()}
        by_name = {p.stem: [] for part, _ in parts for p in part}
        for part, _ in parts:
            for path in part:
                by_name[path.stem].append(path)
        written = [path for name in chosen for path in by_name.get(name, [])]
    if timings is not None:
        timings.update(spent)
    return written


def figure_index(out_dir: Path | str = "figures", event: EventConfig | None = None) -> pd.DataFrame:
    """The charts: what each shows, the notebook that explains it, and its files' sizes (kB)."""
    out = _anchored(out_dir)
    rows = []
    for spec in FIGURES:
        reason = spec.missing(event) if event is not None else None
        row = {"figure": spec.name, "shows": spec.shows, "notebook": spec.notebook}
        for fmt in spec.formats:
            path = out / f"{spec.name}.{fmt}"
            row[f"{fmt} (kB)"] = round(path.stat().st_size / 1024, 1) if path.exists() else None
        if reason:
            row["left out"] = reason
        rows.append(row)
    return pd.DataFrame(rows)


def figure_names(specs: Sequence[FigureSpec] = FIGURES) -> list[str]:
    """The chart names, in reading order."""
    return [spec.name for spec in specs]
