"""Every figure of the project, and one :func:`save_figure` that writes deterministic PNG, SVG and PDF.

Conventions for every chart: a title, axis labels with units, and a source line naming the data (added with
:func:`add_source_line`). Functions return a :class:`matplotlib.figure.Figure` and never call ``plt.show()``; the
notebooks display what they are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

#: Fixed so that two exports of the same figure are byte-identical.
SVG_HASH_SALT = "deepseek-event-study"
DEFAULT_FORMATS = ("png", "svg", "pdf")
#: The source line used when a chart does not give its own.
DEFAULT_SOURCE = "Source: daily histories in data/ (see data/SOURCES.md); computations: analysis/ package."

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "svg.hashsalt": SVG_HASH_SALT,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}

#: One colour per role, so the same thing looks the same in every chart.
COLORS = {
    "firm": "#1f4e79",
    "band": "#9dc3e6",
    "benchmark": "#7f7f7f",
    "close": "#c00000",
    "open": "#ed7d31",
    "claim": "#000000",
    "range": "#bdd7ee",
    "day0": "#c00000",
    "hardware": "#76b900",
    "platforms": "#4285f4",
    "power": "#f4b400",
}


def new_figure(width: float = 8.0, height: float = 4.5, **subplots_kw) -> tuple[Figure, object]:
    """A figure with the project's style, not attached to pyplot's global state.

    Returns ``(fig, axes)`` like :func:`matplotlib.pyplot.subplots`.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(**subplots_kw)
    return fig, axes


def add_source_line(fig: Figure, text: str = DEFAULT_SOURCE) -> None:
    """Write the data source in small grey type at the bottom left of the figure."""
    fig.text(0.0, -0.01, text, ha="left", va="top", fontsize=7, color="#595959", transform=fig.transFigure)


def save_figure(
    fig: Figure,
    name: str,
    out_dir: Path | str,
    formats: Iterable[str] = DEFAULT_FORMATS,
) -> list[Path]:
    """Write ``fig`` as ``out_dir/name.<fmt>`` for each format, deterministically.

    Two calls with the same figure give byte-identical SVG and PDF (and PNG): the SVG hash salt is fixed and the
    date and software metadata are left out. Each file is written to a temporary name and renamed into place.

    Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metadata = {
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
        "png": {"Software": None},
    }
    written = []
    with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path", "pdf.fonttype": 42}):
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            tmp = out / f".{name}.{fmt}.tmp"
            fig.savefig(tmp, format=fmt, metadata=metadata.get(fmt), bbox_inches="tight", dpi=150)
            tmp.replace(path)
            written.append(path)
    return written


#: Short labels of the claim verdicts, printed at the right of each row of :func:`plot_claims`.
CLAIM_VERDICT_LABELS = {
    "matches_close": "= the close",
    "matches_open": "= the open",
    "intraday": "intraday snapshot",
    "outside_range": "outside the range",
    "direction_confirmed": "direction confirmed",
    "direction_contradicted": "direction contradicted",
    "no_data": "no data",
}


def plot_claims(check) -> Figure:
    """Each quoted move against the day's range: which figures were closes, and which snapshots during the day.

    One row per claim (top to bottom in registry order): a bar from the day's low to its high, a tick at the open,
    a dot at the close, and the quoted figure as a black diamond with its tolerance as a whisker (a direction-only
    claim has no diamond). All in percent against the previous close. The verdict is printed at the right.

    Parameters
    ----------
    check : analysis.claims.ClaimsCheck
        The result of :func:`analysis.claims.check_claims`; only its ``to_frame()`` is read.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    frame = check.to_frame().reset_index(drop=True)
    n = len(frame)
    fig, ax = new_figure(10.5, 1.9 + 0.42 * max(n, 1))
    with mpl.rc_context(STYLE):
        ys = list(range(n))[::-1]
        labels = []
        for y, row in zip(ys, frame.itertuples(index=False)):
            claimed = (f"{row.claimed_pct:+g} %".replace("-", "\u2212") if row.claimed_pct == row.claimed_pct
                       else f"'{row.direction}'")
            labels.append(f"{row.subject} ({row.ticker}): {claimed} [seed {row.seed[:3]}]")
            if row.low_pct == row.low_pct and row.high_pct == row.high_pct:
                ax.barh(y, row.high_pct - row.low_pct, left=row.low_pct, height=0.5, color=COLORS["range"],
                        edgecolor="none", zorder=2, label="day's range (low to high)" if y == ys[0] else None)
            if row.open_pct == row.open_pct:
                ax.plot(row.open_pct, y, marker="|", markersize=13, markeredgewidth=2.5, color=COLORS["open"],
                        linestyle="none", zorder=3)
            if row.close_pct == row.close_pct:
                ax.plot(row.close_pct, y, marker="o", markersize=6.5, color=COLORS["close"], linestyle="none",
                        zorder=4)
            if row.claimed_pct == row.claimed_pct:
                ax.errorbar(row.claimed_pct, y, xerr=row.tolerance_pct, marker="D", markersize=8,
                            color=COLORS["claim"], markerfacecolor="none", markeredgewidth=1.6, capsize=3,
                            linestyle="none", zorder=5)
            verdict_text = CLAIM_VERDICT_LABELS.get(row.verdict, row.verdict)
            if row.sign_differs_from_close:
                verdict_text += "; sign differs from close"
            ax.annotate(verdict_text, xy=(1.01, y), xycoords=("axes fraction", "data"), va="center", ha="left",
                        fontsize=8, color=COLORS["firm"])
        ax.axvline(0.0, color="#404040", linewidth=0.8, zorder=1)
        ax.set_yticks(ys, labels)
        ax.set_ylim(-0.7, n - 0.3)
        lo, hi = ax.get_xlim()
        ax.set_xlim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))  # keep the widest range bar off the frame
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+g}".replace("-", "\u2212") if v else "0"))
        ax.set_xlabel("change vs previous raw close (%)")
        day0s = sorted({d.date().isoformat() for d in frame["day0"].dropna()})
        ax.set_title(f"Quoted moves vs the day's range, {', '.join(day0s) or 'day 0'}: closes or snapshots?",
                     loc="left")
        handles = [
            Patch(color=COLORS["range"], label="day's range (low to high)"),
            Line2D([], [], marker="|", markersize=11, markeredgewidth=2.5, color=COLORS["open"],
                             linestyle="none", label="open"),
            Line2D([], [], marker="o", color=COLORS["close"], linestyle="none", label="close"),
            Line2D([], [], marker="D", color=COLORS["claim"], markerfacecolor="none", markeredgewidth=1.6,
                             linestyle="none", label="quoted figure (\u00b1 tolerance)"),
        ]
        ax.legend(handles=handles, loc="lower left", fontsize=8)
        adjusted = sorted(set(frame.loc[frame["close_basis"].isin(["adjusted", "split_adjusted"]), "ticker"]))
        basis = (f" {', '.join(adjusted)}: adjusted prices (equal to raw changes except across a dividend)."
                 if adjusted else "")
        add_source_line(fig, "Source: daily OHLC in data/ (see data/SOURCES.md); quotes from seeds/ via "
                             f"data/claims.csv; computations: analysis/claims.py.{basis}")
    return fig


# ---------------------------------------------------------------------------------------------------------------
# Event-study charts (numbers from analysis/eventstudy.py; these functions only draw)
# ---------------------------------------------------------------------------------------------------------------

#: Axis labels of the event-study charts: every return is simple, close-to-close, in percent on the chart.
AR_AXIS_LABEL = "abnormal return (%, simple, close-to-close)"
CAR_AXIS_LABEL = "cumulative abnormal return (%, simple, close-to-close)"
CAAR_AXIS_LABEL = "cumulative average abnormal return (%, simple, close-to-close)"
EVENT_STUDY_SOURCE = (
    "Source: daily adjusted closes in data/ (see data/SOURCES.md); computations: analysis/eventstudy.py."
)
#: Colours of models or groups that have none in :data:`COLORS`, in order.
SERIES_PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#7f7f7f", "#c00000")


def _signed_percent(value: float, _pos=None) -> str:
    """Tick label with a true minus sign: −5, 0, +5."""
    return f"{value:+g}".replace("-", "\u2212") if value else "0"


def _short_confound(text: str) -> str:
    """A confound's label short enough to sit beside a dotted line: "FOMC, MSFT/META earnings"."""
    short = text.split(" (")[0].replace(" after the close", "").replace(" decision;", ",")
    return short.replace(" and ", "/")


def _mark_event_days(ax, confounds, *, label_confounds: bool) -> str:
    """Day 0 as a red line; confounding events as dotted grey lines, marked at the top with a letter if asked.

    A letter in a small white box never collides with the bars or the paths, however long the event's name; the
    names go into the key this returns ("Dotted lines: a τ = −10 CEG agrees to buy Calpine; ..."), for the source
    line. Returns "" when nothing is labelled.
    """
    ax.axvline(0, color=COLORS["day0"], linewidth=1.0, zorder=1)
    xmin, xmax = ax.get_xlim()
    key = []
    for tau, text in sorted((confounds or {}).items()):
        if not xmin <= tau <= xmax:
            continue
        ax.axvline(tau, color=COLORS["benchmark"], linewidth=0.8, linestyle=":", zorder=1)
        if label_confounds:
            letter = "abcdefghijklmnopqrstuvwxyz"[len(key) % 26]
            ax.annotate(letter, xy=(tau, 0.985), xycoords=("data", "axes fraction"), va="top", ha="center",
                        fontsize=7, color="#404040", zorder=6,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "#a6a6a6",
                              "linewidth": 0.5})
            key.append(f"{letter} τ = {_signed_percent(tau)}: {_short_confound(text)}")
    return ("Dotted lines, confounding events: " + "; ".join(key) + ".") if key else ""


def _tau_axis_label(day0) -> str:
    base = "relative session τ (trading sessions from day 0"
    return base + (f"; day 0 = {day0:%Y-%m-%d})" if day0 is not None else ")")


def plot_event_paths(
    path,
    *,
    firm: str,
    model_label: str,
    estimation_label: str,
    level: float = 0.95,
    confounds=None,
    day0=None,
    source: str = EVENT_STUDY_SOURCE,
) -> Figure:
    """The AR path (bars with intervals) and the CAR path (line with a band) of one firm or portfolio.

    Parameters
    ----------
    path : DataFrame
        Index τ; columns ar, ar_lo, ar_hi, car, car_lo, car_hi in decimal fractions, as given by
        :meth:`analysis.eventstudy.EventStudyResults.event_path` or ``caar_path``. CAR is cumulated from the first τ.
    firm : str
        Whose path it is (a ticker, or a description of a portfolio).
    model_label, estimation_label : str
        The benchmark/model and the estimation window, printed on the chart.
    level : float
        Confidence level of the intervals (for the labels only; the bounds come with ``path``).
    confounds : mapping of int to str, optional
        Confounding events by τ, drawn as dotted lines.
    day0 : Timestamp, optional
        Session of τ = 0, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, (ax_ar, ax_car) = new_figure(8.5, 7.4, nrows=2, sharex=True)
    with mpl.rc_context(STYLE):
        tau = path.index.to_numpy()
        ar = path["ar"].to_numpy() * 100.0
        ax_ar.bar(tau, ar, width=0.7, color=COLORS["firm"], zorder=2, label="abnormal return")
        ax_ar.errorbar(tau, ar, yerr=[ar - path["ar_lo"].to_numpy() * 100.0, path["ar_hi"].to_numpy() * 100.0 - ar],
                       fmt="none", ecolor=COLORS["benchmark"], elinewidth=1.0, capsize=2, zorder=3,
                       label=f"{level:.0%} interval")
        ax_ar.axhline(0.0, color="#404040", linewidth=0.8)
        ax_ar.set_ylabel(AR_AXIS_LABEL)
        ax_ar.set_title(f"{firm}: abnormal returns around day 0 ({model_label})", loc="left")
        ax_ar.legend(loc="lower left", fontsize=8)

        car = path["car"].to_numpy() * 100.0
        ax_car.fill_between(tau, path["car_lo"].to_numpy() * 100.0, path["car_hi"].to_numpy() * 100.0,
                            color=COLORS["band"], alpha=0.6, linewidth=0, label=f"{level:.0%} band", zorder=1)
        ax_car.plot(tau, car, color=COLORS["firm"], marker="o", markersize=3, linewidth=1.6, zorder=3,
                    label=f"CAR from τ = {int(tau[0])}")
        ax_car.axhline(0.0, color="#404040", linewidth=0.8)
        ax_car.set_ylabel(CAR_AXIS_LABEL)
        ax_car.set_xlabel(_tau_axis_label(day0))
        ax_car.set_title(f"Cumulative abnormal return from τ = {int(tau[0])}, with its exact {level:.0%} band",
                         loc="left", fontsize=9.5)
        ax_car.legend(loc="lower left", fontsize=8)
        ax_car.xaxis.set_major_locator(MaxNLocator(integer=True))
        key = ""
        for ax in (ax_ar, ax_car):
            ax.set_xlim(tau[0] - 0.6, tau[-1] + 0.6)
            ax.yaxis.set_major_formatter(FuncFormatter(_signed_percent))
            key = _mark_event_days(ax, confounds, label_confounds=ax is ax_ar) or key
        add_source_line(fig, f"{source}\nModel: {model_label}; {estimation_label}. Intervals: Student t with the "
                             "model's df, prediction error (estimation error) included." + (f"\n{key}" if key else ""))
    return fig


def plot_forest(
    table,
    *,
    level: float = 0.95,
    title: str | None = None,
    estimation_label: str | None = None,
    source: str = EVENT_STUDY_SOURCE,
) -> Figure:
    """Forest plot: day-0 abnormal return with its interval, one row per firm and model.

    Parameters
    ----------
    table : DataFrame
        Columns firm, model, ar, lo, hi (decimal), as given by :func:`analysis.eventstudy.forest_table`; firms are
        drawn top to bottom in the order they first appear, models in their order within each firm.
    level : float
        Confidence level of ``lo``/``hi`` (for the labels).
    estimation_label : str, optional
        The estimation window shared by the models (e.g. ``EventStudyResults.estimation_label``), for the source line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    firms = list(dict.fromkeys(table["firm"]))
    models = list(dict.fromkeys(table["model"]))
    colors = {m: COLORS.get(m, SERIES_PALETTE[i % len(SERIES_PALETTE)]) for i, m in enumerate(models)}
    n_models = len(models)
    fig, ax = new_figure(8.5, 1.4 + 0.24 * len(firms) * max(n_models, 1))
    with mpl.rc_context(STYLE):
        step = 0.8 / max(n_models, 1)
        centres = {f: len(firms) - 1 - i for i, f in enumerate(firms)}
        for row in table.itertuples(index=False):
            y = centres[row.firm] + 0.4 - step * (models.index(row.model) + 0.5)
            ax.plot([row.lo * 100.0, row.hi * 100.0], [y, y], color=colors[row.model], linewidth=1.6, zorder=2)
            ax.plot(row.ar * 100.0, y, marker="o", markersize=4.5, color=colors[row.model], zorder=3)
        ax.axvline(0.0, color="#404040", linewidth=0.8, zorder=1)
        ax.set_yticks(list(centres.values()), list(centres))
        ax.set_ylim(-0.6, len(firms) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel(f"day-0 {AR_AXIS_LABEL}")
        ax.set_title(title or f"Day-0 abnormal return with its {level:.0%} interval, by firm and model", loc="left")
        handles = [Line2D([], [], color=colors[m], marker="o", linewidth=1.6, label=m) for m in models]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="model (benchmark)",
                  title_fontsize=8)
        window = estimation_label or "the study's estimation window"
        add_source_line(fig, f"{source}\nIntervals: Student t with each model's df, prediction error included; "
                             f"{window}.")
    return fig


def plot_group_caar(
    paths,
    *,
    model_label: str,
    estimation_label: str,
    level: float = 0.95,
    confounds=None,
    day0=None,
    source: str = EVENT_STUDY_SOURCE,
) -> Figure:
    """The CAAR paths of several groups (equal-weighted portfolios), each with its band.

    Parameters
    ----------
    paths : mapping of group name to DataFrame
        Each as given by :meth:`analysis.eventstudy.EventStudyResults.caar_path`: index τ; columns car, car_lo,
        car_hi (decimal). Groups named in :data:`COLORS` (hardware, platforms, power) keep their colour.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = new_figure(8.5, 4.8)
    with mpl.rc_context(STYLE):
        first_tau = None
        for i, (name, path) in enumerate(paths.items()):
            color = COLORS.get(name, SERIES_PALETTE[i % len(SERIES_PALETTE)])
            tau = path.index.to_numpy()
            first_tau = int(tau[0]) if first_tau is None else first_tau
            ax.fill_between(tau, path["car_lo"].to_numpy() * 100.0, path["car_hi"].to_numpy() * 100.0, color=color,
                            alpha=0.15, linewidth=0)
            ax.plot(tau, path["car"].to_numpy() * 100.0, color=color, marker="o", markersize=3, linewidth=1.6,
                    label=str(name))
        ax.axhline(0.0, color="#404040", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_signed_percent))
        key = _mark_event_days(ax, confounds, label_confounds=True)
        ax.set_xlabel(_tau_axis_label(day0))
        ax.set_ylabel(CAAR_AXIS_LABEL)
        ax.set_title(f"CAAR of equal-weighted groups from τ = {first_tau}, with {level:.0%} bands ({model_label})",
                     loc="left")
        ax.legend(loc="lower left", fontsize=8)
        add_source_line(fig, f"{source}\nModel: {model_label}; {estimation_label}. Bands from each portfolio's own "
                             "regression (cross-correlation included)." + (f"\n{key}" if key else ""))
    return fig


def plot_placebo_histogram(
    estimation_ar,
    ar0: float,
    *,
    firm: str,
    placebo_p: float,
    model_label: str,
    estimation_label: str,
    bins: int = 30,
    source: str = EVENT_STUDY_SOURCE,
) -> Figure:
    """Histogram of one firm's estimation-window abnormal returns, with day 0's AR marked.

    Parameters
    ----------
    estimation_ar : array-like
        The estimation-window ARs (decimal).
    ar0 : float
        Day 0's AR (decimal).
    placebo_p : float
        The two-sided placebo p-value, printed beside the mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    values = np.asarray(estimation_ar, dtype=float) * 100.0
    fig, ax = new_figure(8.0, 4.5)
    with mpl.rc_context(STYLE):
        ax.hist(values, bins=bins, color=COLORS["band"], edgecolor=COLORS["firm"], linewidth=0.5,
                label=f"{values.size} estimation-window ARs")
        ax.axvline(ar0 * 100.0, color=COLORS["day0"], linewidth=2.0, label="day 0")
        smallest = abs(placebo_p * (values.size + 1) - 1.0) < 1e-9
        floor_note = f" (= 1/{values.size + 1}, the smallest attainable)" if smallest else ""
        ax.annotate(f"day 0: {ar0 * 100:+.2f} %\nplacebo p = {placebo_p:.4f}{floor_note}".replace("-", "\u2212"),
                    xy=(ar0 * 100.0, 0.95), xycoords=("data", "axes fraction"), va="top",
                    ha="left", xytext=(6, 0), textcoords="offset points", fontsize=8.5,
                    color=COLORS["day0"])
        low = min(values.min(), ar0 * 100.0)
        high = max(values.max(), ar0 * 100.0)
        pad = 0.08 * (high - low) if high > low else 1.0
        ax.set_xlim(low - pad, high + 3 * pad)
        ax.xaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel(AR_AXIS_LABEL)
        ax.set_ylabel("estimation-window sessions (count)")
        ax.set_title(f"{firm}: day-0 abnormal return against its estimation-window ARs ({model_label})", loc="left")
        # the legend goes to the side away from the day-0 line, so the line never runs through it
        left_of_middle = ar0 * 100.0 < (low - pad + high + 3 * pad) / 2
        ax.legend(loc="upper right" if left_of_middle else "upper left", fontsize=8)
        add_source_line(fig, f"{source}\nModel: {model_label}; {estimation_label}. Placebo p = (1 + #{{|AR_t| ≥ "
                             "|AR_0|}) / (L1 + 1), two-sided.")
    return fig


# ---------------------------------------------------------------------------------------------------------------
# Data charts: prices and volume around day 0, index reactions (numbers from analysis/report.py and
# analysis/study.py; these functions only draw)
# ---------------------------------------------------------------------------------------------------------------

DATA_SOURCE = "Source: daily histories in data/ (see data/SOURCES.md and data/provenance.csv)"
#: Distinct colours for many tickers: each ticker keeps one colour in every panel of a chart.
TICKER_PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#c00000", "#00a3a3",
                  "#8c564b", "#e377c2", "#6b8e23", "#ff7f0e", "#17becf", "#9467bd", "#b15928", "#2ca02c", "#d62728")


def _wrapped(text: str, width_in: float) -> str:
    """``text`` wrapped to the width of a figure (``width_in`` inches) at the source line's 7-point type."""
    import textwrap

    width = max(60, int(width_in * 17))
    return "\n".join(textwrap.fill(part, width) for part in text.split("\n"))


def _spread(values, min_gap: float) -> list[float]:
    """Move label positions apart by at least ``min_gap``, keeping their order; each cluster of labels that would
    overlap is centred on the mean of its targets (exact: clusters are merged until none overlap)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    clusters: list[list[float]] = []  # each: the sorted targets of the labels it holds

    def centre(c):
        return sum(c) / len(c)

    def bottom(c):
        return centre(c) - (len(c) - 1) / 2 * min_gap

    def top(c):
        return centre(c) + (len(c) - 1) / 2 * min_gap

    for i in order:
        clusters.append([float(values[i])])
        while len(clusters) > 1 and bottom(clusters[-1]) - top(clusters[-2]) < min_gap - 1e-9:
            last = clusters.pop()
            clusters[-1].extend(last)
    placed = [bottom(c) + k * min_gap for c in clusters for k in range(len(c))]
    out = [0.0] * len(values)
    for rank, i in enumerate(order):
        out[i] = placed[rank]
    return out


def plot_rebased_prices(
    levels,
    panels,
    *,
    reference: str | None = "^IXIC",
    base_label: str = "close of τ = −1 = 100",
    day0=None,
    confounds=None,
    source: str = DATA_SOURCE,
) -> Figure:
    """Price paths rebased to 100 at one session, one panel per group of tickers, day 0 marked.

    Parameters
    ----------
    levels : DataFrame
        Index τ (relative sessions), one column per ticker, values rebased to 100 (as given by
        :func:`analysis.report.price_paths`).
    panels : mapping of str to sequence of str
        Panel title → tickers drawn in it (tickers missing from ``levels`` are skipped).
    reference : str, optional
        A ticker drawn as a dashed grey line in every panel that does not list it (default the Nasdaq Composite).
    base_label : str
        What 100 means, for the axis label (for example "close of Fri 24 Jan 2025 = 100").

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import MaxNLocator

    names = list(panels)
    ncols = 1 if len(names) == 1 else 2
    nrows = -(-len(names) // ncols)
    fig, axes = new_figure(10.5 if ncols == 2 else 8.0, 3.1 * nrows + 0.6, nrows=nrows, ncols=ncols, sharex=True,
                           sharey=True, squeeze=False)
    flat = list(axes.ravel())
    tau = levels.index.to_numpy()
    ordered = list(dict.fromkeys(t for title in names for t in panels[title] if t in levels.columns))
    palette = {t: TICKER_PALETTE[i % len(TICKER_PALETTE)] for i, t in enumerate(ordered)}
    label_size = 7.5
    pending = []
    with mpl.rc_context(STYLE):
        for ax, title in zip(flat, names):
            tickers = [t for t in panels[title] if t in levels.columns]
            ends, labels, colors = [], [], []
            if reference and reference in levels.columns and reference not in tickers:
                ax.plot(tau, levels[reference].to_numpy(), color=COLORS["benchmark"], linestyle="--", linewidth=1.2,
                        zorder=2)
                ends.append(float(levels[reference].iloc[-1]))
                labels.append(reference)
                colors.append(COLORS["benchmark"])
            for ticker in tickers:
                color = palette[ticker]
                width = 2.2 if ticker == ordered[0] else 1.4  # the first firm charted (the lead) stands out
                ax.plot(tau, levels[ticker].to_numpy(), color=color, linewidth=width, zorder=3)
                ends.append(float(levels[ticker].iloc[-1]))
                labels.append(ticker)
                colors.append(color)
            pending.append((ax, ends, labels, colors))  # placed below, once the axes have their final size
            ax.axhline(100.0, color="#404040", linewidth=0.8, zorder=1)
            ax.set_xlim(tau[0] - 0.5, tau[-1] + 0.5)
            _mark_event_days(ax, confounds, label_confounds=False)
            ax.set_title(title, loc="left", fontsize=10)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for ax in flat[len(names):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel(f"price index ({base_label})")
        for ax in axes[-1, :]:
            ax.set_xlabel(_tau_axis_label(day0))
        fig.suptitle("Price paths around day 0, rebased to 100 on the last session before it", x=0.0, ha="left",
                     fontsize=11, fontweight="bold")
        # End labels one line apart: the gap in data units follows from the laid-out height of the axes.
        fig.canvas.draw()
        for ax, ends, labels, colors in pending:
            height_pt = ax.get_window_extent().height * 72.0 / fig.dpi
            low, high = ax.get_ylim()
            gap = 1.2 * label_size / max(height_pt, 1.0) * (high - low)
            for y, text, color in zip(_spread(ends, gap), labels, colors):
                ax.annotate(text, xy=(tau[-1], y), xytext=(4, 0), textcoords="offset points", va="center",
                            ha="left", fontsize=label_size, color=color, annotation_clip=False)
        note = (f" Dashed grey: {reference}." if reference else "") + (
            " Dotted lines: confounding events (see docs/METHOD.md)." if confounds else "")
        add_source_line(fig, _wrapped(f"{source}. Stocks and ETFs: adjusted close where the source gives one (else "
                                      f"close); indices: level.{note}", fig.get_figwidth()))
    return fig


def plot_volume(
    ratio,
    *,
    shares=None,
    baseline_label: str = "median daily volume over τ ∈ [−250, −11]",
    day0=None,
    source: str = DATA_SOURCE,
) -> Figure:
    """Trading volume around day 0 as a multiple of each series' normal volume, one small panel per ticker.

    Parameters
    ----------
    ratio : DataFrame
        Index τ, one column per ticker: volume / baseline volume (as given by :func:`analysis.report.volume_paths`).
    shares : DataFrame, optional
        The raw volumes (shares or index volume) on the same grid; day 0's is printed in each panel's title.
    baseline_label : str
        What the ratio divides by, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import MaxNLocator

    tickers = list(ratio.columns)
    ncols = min(3, max(len(tickers), 1))
    nrows = -(-len(tickers) // ncols)
    fig, axes = new_figure(10.5, 2.5 * nrows + 0.8, nrows=nrows, ncols=ncols, sharex=True, sharey=True,
                           squeeze=False)
    flat = list(axes.ravel())
    tau = ratio.index.to_numpy()
    with mpl.rc_context(STYLE):
        for ax, ticker in zip(flat, tickers):
            values = ratio[ticker].to_numpy()
            colors = [COLORS["day0"] if t == 0 else COLORS["firm"] for t in tau]
            ax.bar(tau, values, width=0.75, color=colors, zorder=2)
            ax.axhline(1.0, color="#404040", linewidth=0.8, linestyle="--", zorder=3)
            title = ticker
            if shares is not None and ticker in shares.columns and 0 in shares.index:
                title += f": {shares.loc[0, ticker] / 1e6:,.0f} M on day 0"
            if 0 in ratio.index:
                ax.annotate(f"×{ratio.loc[0, ticker]:.1f}", xy=(0, ratio.loc[0, ticker]), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                            color=COLORS["day0"])
            ax.set_title(title, loc="left", fontsize=9.5)
            ax.grid(axis="x", visible=False)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlim(tau[0] - 0.6, tau[-1] + 0.6)
        for ax in flat[len(tickers):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("volume (× normal)")
        for ax in axes[-1, :]:
            ax.set_xlabel(_tau_axis_label(day0) if ncols == 1 else "relative session τ")
        fig.suptitle("Trading volume around day 0, as a multiple of normal volume (red: day 0)", x=0.0, ha="left",
                     fontsize=11, fontweight="bold")
        day0_text = f"; day 0 = {day0:%Y-%m-%d}" if day0 is not None else ""
        add_source_line(fig, _wrapped(f"{source}. Volume = shares traded (index: the source's index volume); "
                                      f"normal = {baseline_label}{day0_text}. Dashed line: normal (×1). Volume comes "
                                      "from each price source; TSM's is about 30 % below Yahoo's.",
                                      fig.get_figwidth()))
    return fig


def plot_index_reactions(
    table,
    *,
    day0=None,
    estimation_label: str = "estimation window τ ∈ [−250, −11]",
    source: str = DATA_SOURCE,
) -> Figure:
    """The day-0 move of each index as a z-score, with its raw return and its percentile among all cached days.

    Parameters
    ----------
    table : DataFrame
        Columns ticker, return (decimal, simple close-to-close), z, percentile, as given by
        :func:`analysis.study.index_table`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter

    frame = table.reset_index(drop=True)
    n = len(frame)
    fig, ax = new_figure(8.5, 1.6 + 0.55 * max(n, 1))
    with mpl.rc_context(STYLE):
        ys = list(range(n))[::-1]
        for y, row in zip(ys, frame.to_dict(orient="records")):
            z = float(row["z"])
            ax.barh(y, z, height=0.55, color=COLORS["close"] if z < 0 else COLORS["firm"], zorder=2)
            base = f" of {int(row['n_history'])} days" if "n_history" in row else ""
            text = (f"return {row['return'] * 100:+.2f} %, z = {z:+.2f}, "
                    f"percentile {row['percentile']:.1f}{base}").replace("-", "\u2212")
            # the label sits on the other side of zero, clear of the bar and of the tick labels
            ax.annotate(text, xy=(0, y), xytext=(-6 if z >= 0 else 6, 0), textcoords="offset points",
                        ha="right" if z >= 0 else "left", va="center", fontsize=8)
        for edge in (-1.96, 1.96):
            ax.axvline(edge, color=COLORS["benchmark"], linewidth=0.8, linestyle=":", zorder=1)
        ax.axvline(0.0, color="#404040", linewidth=0.8, zorder=1)
        ax.set_yticks(ys, list(frame["ticker"]))
        ax.grid(axis="y", visible=False)
        reach = max(3.0, float(frame["z"].abs().max()) * 1.15)
        ax.set_xlim(-reach * 1.9, reach * 1.9)
        ax.xaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel("z = day-0 return / sd of the estimation-window daily returns (ddof = 1); dotted: ±1.96")
        day0_text = f" on {day0:%d %b %Y}" if day0 is not None else " on day 0"
        ax.set_title(f"How unusual was each index's move{day0_text}?", loc="left")
        add_source_line(fig, f"{source}; computations: analysis/eventstudy.py (index_reaction).\nRaw simple "
                             f"close-to-close returns of the index level (not abnormal); z over the {estimation_label}; "
                             "percentile among all the index's cached daily returns.")
    return fig


def plot_intraday_claims(day) -> Figure:
    """The day's intraday paths (% against the previous close) and when each quoted figure held.

    Top: every series with cached bars over the regular session (x: ET time of the bar start), 1-minute series as
    solid lines, 5-minute ones dashed and labelled with their coverage; the first regular open (triangle) and the
    last regular close (dot) of each series; each quoted figure as a horizontal mark, with the windows in which it
    held shaded. Bottom: one row per claim, its held windows as bars, and the time without bars hatched.

    Parameters
    ----------
    day : analysis.intraday.DayInTime

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.ticker as mticker

    palette = ["#1f4e79", "#c00000", "#7f7f7f", "#76b900", "#ed7d31", "#4285f4", "#7030a0"]
    if day.claims:
        fig, (ax, lanes) = new_figure(9.5, 6.6, nrows=2, sharex=True,
                                      gridspec_kw={"height_ratios": [3.2, len(day.claims) * 0.45 + 0.3]})
    else:  # a path on its own (IntradayPath.plot)
        fig, ax = new_figure(9.5, 5.0)
        lanes = None

    def hour(ts) -> float:
        local = ts.tz_convert("America/New_York")
        return local.hour + local.minute / 60

    colors = {}
    with mpl.rc_context(STYLE):
        for i, path in enumerate(day.paths):
            regular = path.regular
            if regular.empty:
                continue
            color = palette[i % len(palette)]
            colors[path.ticker] = color
            x = [hour(t) + INTERVAL_FRACTION[path.interval] for t in regular.index]  # plotted at the bar's end
            coverage = path.coverage
            label = f"{path.ticker} ({path.interval}"
            if not (path.covers_open and path.covers_close):
                label += f", bars to {coverage[1]:%H:%M} only"
            label += ")" if path.previous.basis == "raw daily close" else f"; prev. close: {path.previous.basis})"
            ax.plot(x, regular["close_pct"], color=color, lw=1.1 if path.interval == "1m" else 1.6,
                    ls="-" if path.interval == "1m" else "--", label=label)
            ax.plot(hour(regular.index[0]), regular["open_pct"].iloc[0], marker="^", color=color, ms=6, ls="none")
            if path.covers_close:
                ax.plot(hour(regular.index[-1]) + INTERVAL_FRACTION[path.interval], regular["close_pct"].iloc[-1],
                        marker="o", color=color, ms=5, ls="none")
            else:
                ax.annotate("no bars\nafter", (hour(regular.index[-1]) + INTERVAL_FRACTION[path.interval],
                                               regular["close_pct"].iloc[-1]),
                            xytext=(4, 0), textcoords="offset points", fontsize=6.5, color=color, va="center")
        ax.axhline(0, color="black", lw=0.8)
        ax.text(16.02, 0, "previous\nclose", fontsize=7, va="top")
        for k, claim in enumerate(day.claims):
            found = claim.found
            color = colors.get(found.source_ticker, "black")
            level = claim.claimed_pct if claim.claimed_pct is not None else 0.0
            who = f"{claim.subject}" + (f" via {found.source_ticker} (proxy)" if found.proxy else "")
            if claim.claimed_pct is not None:
                ax.axhline(level, color=color, lw=1.0, ls=":", alpha=0.9)
                ax.text(16.02, level, f"quoted {claim.claimed_text} %\n({who})", fontsize=7, va="center", color=color)
            for start, end in found.held:
                ax.axvspan(hour(start), hour(end), color=color, alpha=0.10, lw=0)
                lanes.barh(k, hour(end) - hour(start), left=hour(start), color=color, height=0.6)
            coverage = found.path.coverage
            if coverage is not None and not found.path.covers_close:
                end = hour(coverage[1])
                lanes.barh(k, 16 - end, left=end, color="none", edgecolor="#bfbfbf", hatch="///", height=0.6, lw=0)
                lanes.text((end + 16) / 2, k, "no bars: unknown", fontsize=7, ha="center", va="center", color="#595959")
            quoted = f"{claim.claimed_text} %" if claim.claimed_text else f"“{claim.direction}”"
            lanes.text(16.02, k, f"{claim.subject}: {quoted}\n{found.minutes_held} of "
                                 f"{found.path.hours.regular_minutes} min", fontsize=7, va="center")
        bottom = lanes if lanes is not None else ax
        if lanes is not None:
            lanes.set_yticks(range(len(day.claims)), [c.id for c in day.claims])
            lanes.set_ylim(-0.6, len(day.claims) - 0.4)
            lanes.invert_yaxis()
            lanes.set_title("When each quoted figure held (shaded: held; hatched: no bars)", fontsize=9.5,
                            fontweight="normal", loc="left")
            lanes.grid(axis="y", visible=False)
        for axis in (ax, lanes) if lanes is not None else (ax,):
            axis.axvline(9.5, color="#595959", lw=0.8)
            axis.axvline(16, color="#595959", lw=0.8)
        ax.text(9.5, 1.0, " open", transform=ax.get_xaxis_transform(), fontsize=7.5, va="top")
        ax.text(16, 1.0, "close ", transform=ax.get_xaxis_transform(), fontsize=7.5, va="top", ha="right")
        ticks = [9.5 + 0.5 * i for i in range(14)]
        bottom.set_xticks(ticks, [f"{int(t):02d}:{int(round(60 * (t % 1))):02d}" for t in ticks])
        bottom.set_xlim(9.4, 16.1)
        bottom.set_xlabel("time, ET (America/New_York); regular session from exchange_calendars XNYS")
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(_signed_percent))
        ax.set_ylabel("change vs the previous close (%)")
        day_text = f"{day.session:%a %d %b %Y}"
        ax.set_title(f"Intraday paths on {day_text} and when the quoted figures held" if day.claims else
                     f"Intraday path of {', '.join(p.ticker for p in day.paths)} on {day_text}")
        low = min(float(p.regular["close_pct"].min()) for p in day.paths if not p.regular.empty)
        ax.set_ylim(bottom=low - 2.2)
        ax.legend(loc="lower right", fontsize=6.8, ncol=2, title="1m: solid, 5m: dashed; ▲ first open, ● last close",
                  title_fontsize=6.8)
        other = "; ".join(f"{p.ticker}: {'its closing bar' if p.previous.basis == 'closing bar' else p.previous.basis}"
                          for p in day.paths if p.previous.basis != "raw daily close")
        add_source_line(fig, "Source: intraday bars in data/1m, data/5m (data/intraday/README.md); raw prices vs the "
                             "previous raw daily close" + (f"\n({other} previous close)" if other else "")
                        + ". Computations: analysis/intraday.py.")
    return fig


#: Where a bar's close is drawn: at the bar's end, in hours after its start.
INTERVAL_FRACTION = {"1m": 1 / 60, "5m": 5 / 60}


def plot_ar_vs_characteristic(cross_section, characteristic: str = "soxx_beta", *,
                              source: str = EVENT_STUDY_SOURCE) -> Figure:
    """Day-0 abnormal return against one firm characteristic, with the cross-sectional regression's fitted line
    (other characteristics at their means) and every firm labelled.

    Parameters
    ----------
    cross_section : analysis.crosssection.CrossSectionResults
    characteristic : str
        A column of ``cross_section.characteristics`` (default ``soxx_beta``, the firm's beta to SOXX over the
        estimation window).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    x = cross_section.characteristics[characteristic].to_numpy(dtype=float)
    y = cross_section.ar0.to_numpy(dtype=float) * 100.0
    names = [str(f) for f in cross_section.ar0.index]
    short = {"soxx_beta": "beta to SOXX", "momentum": "momentum", "log_dollar_volume": "log dollar volume"}
    labels = {"soxx_beta": "beta to SOXX over the estimation window (exposure to AI hardware)",
              "momentum": "return over months 12 to 1 before the event",
              "log_dollar_volume": "log mean daily dollar volume over the estimation window"}
    fig, ax = new_figure(8.0, 5.0)
    with mpl.rc_context(STYLE):
        ax.scatter(x, y, s=22, color=COLORS["firm"], zorder=3)
        for xi, yi, name in zip(x, y, names, strict=True):
            ax.annotate(name, (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=8)
        grid = np.linspace(np.nanmin(x), np.nanmax(x), 50)
        coef = cross_section.params[characteristic]
        se = cross_section.bse[characteristic]
        ax.plot(grid, cross_section.fitted_line(characteristic, grid) * 100.0, color=COLORS["day0"], linewidth=1.4,
                label=f"fitted: slope {coef * 100:+.2f} pp per unit (HC3 se {se * 100:.2f})", zorder=2)
        ax.axhline(0.0, color="#404040", linewidth=0.8, zorder=1)
        ax.yaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel(labels.get(characteristic, characteristic))
        ax.set_ylabel(f"day-0 {AR_AXIS_LABEL}")
        ax.set_title(f"Who fell: day-0 abnormal return against {short.get(characteristic, characteristic)} "
                     f"(N = {cross_section.nobs}, R² = {cross_section.rsquared:.2f})", loc="left")
        ax.legend(loc="best", fontsize=8)
        add_source_line(fig, f"{source}\nOLS of day-0 ARs on SOXX beta, momentum and log dollar volume, HC3 standard "
                             f"errors; other characteristics held at their means. Small N: descriptive.")
    return fig


UNIVERSE_SOURCE = ("Source: S&P 500 members' split- and dividend-adjusted closes in data/universe/ (see its README and "
                   "data/provenance.csv); computations: analysis/universe.py.")
#: One colour per GICS sector (11 sectors), in alphabetical order of the sector names.
SECTOR_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                  "#bcbd22", "#17becf", "#393b79")


def sector_colors(sectors) -> dict[str, str]:
    """A fixed colour per sector name (sorted alphabetically), the same in every universe chart."""
    names = sorted({str(s) for s in sectors})
    return {name: SECTOR_PALETTE[i % len(SECTOR_PALETTE)] for i, name in enumerate(names)}


def plot_universe_histogram(
    returns,
    *,
    index_return: float,
    index_name: str = "^GSPC",
    marked: dict | None = None,
    day0=None,
    notes: str = "",
    bins: int = 60,
    source: str = UNIVERSE_SOURCE,
) -> Figure:
    """Histogram of every member's raw day-0 return, with the index's return and marked members (e.g. NVDA).

    Parameters
    ----------
    returns : Series
        Day-0 simple close-to-close returns of the members (decimal; raw, not abnormal).
    index_return : float
        The index's own day-0 return (decimal).
    marked : dict of str to float, optional
        Members drawn as labelled lines (decimal returns).
    notes : str
        Appended to the source line (survivorship, exclusions).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    values = np.asarray(returns, dtype=float) * 100.0
    values = values[np.isfinite(values)]
    fig, ax = new_figure(8.5, 4.6)
    with mpl.rc_context(STYLE):
        ax.hist(values, bins=bins, color=COLORS["band"], edgecolor=COLORS["firm"], linewidth=0.5,
                label=f"{values.size} members")
        share_down = float(np.mean(values < 0))
        median = float(np.median(values))
        ax.axvline(median, color=COLORS["firm"], linewidth=1.5, linestyle="--",
                   label=f"median member {median:+.2f} %".replace("-", "\u2212"))
        ax.axvline(index_return * 100.0, color=COLORS["benchmark"], linewidth=2.0,
                   label=f"{index_name} (cap-weighted) " + f"{index_return * 100:+.2f} %".replace("-", "\u2212"))
        for i, (name, value) in enumerate((marked or {}).items()):
            ax.axvline(value * 100.0, color=COLORS["day0"], linewidth=1.5)
            ax.annotate(f"{name} {value * 100:+.2f} %".replace("-", "\u2212"), xy=(value * 100.0, 0.92 - 0.08 * i),
                        xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", fontsize=8.5,
                        color=COLORS["day0"], ha="left")
        ax.xaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel("day-0 return (%, simple close-to-close, from adjusted closes; not abnormal)")
        ax.set_ylabel("members (count)")
        ax.legend(loc="upper left", fontsize=8, bbox_to_anchor=(0.0, 0.8))
        day_text = f" on {day0:%d %b %Y}" if day0 is not None else " on day 0"
        ax.set_title(f"S&P 500 members{day_text}: {share_down:.0%} fell; {index_name} "
                     f"{index_return * 100:+.2f} %".replace("-", "\u2212"), loc="left")
        add_source_line(fig, source + (f"\n{notes}" if notes else ""))
    return fig


def plot_sector_caar(
    sectors,
    sub_industries,
    *,
    level: float = 0.95,
    benchmark: str = "^GSPC",
    day0=None,
    notes: str = "",
    source: str = UNIVERSE_SOURCE,
) -> Figure:
    """Two panels: the day-0 CAAR of every GICS sector with its interval, and the sub-industries that fell most.

    Parameters
    ----------
    sectors, sub_industries : DataFrame
        Indexed by name, columns ``n``, ``caar``, ``lo``, ``hi`` (decimal; as given by
        :meth:`analysis.universe.UniverseResults.conf_int`). Sectors are drawn in the order given; pass the
        sub-industries to show (e.g. the ten lowest CAARs).
    level : float
        The intervals' confidence level (for the labels).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter

    fig, axes = new_figure(10.0, 6.8, nrows=1, ncols=2, width_ratios=(1, 1.15))
    with mpl.rc_context(STYLE):
        for ax, frame, what in ((axes[0], sectors, "GICS sectors"), (axes[1], sub_industries,
                                                                      f"the {len(sub_industries)} sub-industries "
                                                                      "that fell most")):
            ys = list(range(len(frame)))[::-1]
            caar = frame["caar"].to_numpy(float) * 100.0
            lo = frame["lo"].to_numpy(float) * 100.0
            hi = frame["hi"].to_numpy(float) * 100.0
            colors = [COLORS["close"] if c < 0 else COLORS["firm"] for c in caar]
            ax.hlines(ys, lo, hi, color=colors, linewidth=2.0, alpha=0.6)
            ax.scatter(caar, ys, color=colors, zorder=3, s=22)
            labels = [f"{name} (N={int(n)})" for name, n in zip(frame.index, frame["n"])]
            ax.set_yticks(ys, labels, fontsize=8)
            ax.axvline(0.0, color="#404040", linewidth=0.8)
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_formatter(FuncFormatter(_signed_percent))
            ax.set_xlabel(f"day-0 CAAR (%, vs {benchmark})")
            ax.set_title(what, loc="left", fontsize=10)
        day_text = f" on {day0:%d %b %Y}" if day0 is not None else " on day 0"
        fig.suptitle(f"Abnormal returns by part of the S&P 500{day_text}: day-0 CAAR with {level:.0%} intervals",
                     x=0.0, ha="left", fontweight="bold", fontsize=11)
        add_source_line(fig, f"{source}\nEqual-weighted, market model vs {benchmark}; intervals from each group "
                             "portfolio's own regression (cross-correlation included), Student t."
                        + (f"\n{notes}" if notes else ""))
    return fig


def plot_ar_vs_beta(
    table,
    *,
    ar_column: str = "ar0",
    benchmark: str = "^GSPC",
    label_extremes: int = 6,
    day0=None,
    fit: dict | None = None,
    notes: str = "",
    source: str = UNIVERSE_SOURCE,
) -> Figure:
    """Day-0 AR of every member against its beta to SOXX, coloured by GICS sector, the extremes labelled.

    Parameters
    ----------
    table : DataFrame
        Indexed by member, columns ``beta_soxx``, ``sector`` and ``ar_column`` (decimal AR).
    label_extremes : int
        How many of the lowest and of the highest ARs are labelled with their ticker (plus the highest betas).
    fit : dict, optional
        ``params`` with ``const`` and ``beta_soxx`` and ``r2``: the fitted line of the univariate view, drawn if given
        (from :func:`analysis.universe.ols_hc3`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    frame = table.dropna(subset=["beta_soxx", ar_column])
    colors = sector_colors(frame["sector"])
    fig, ax = new_figure(9.5, 6.0)
    with mpl.rc_context(STYLE):
        for sector, part in frame.groupby("sector"):
            ax.scatter(part["beta_soxx"], part[ar_column] * 100.0, s=14, alpha=0.8, color=colors[str(sector)],
                       label=f"{sector} ({len(part)})", linewidths=0)
        ranked = frame.sort_values(ar_column)
        labelled = list(dict.fromkeys([*ranked.index[:label_extremes], *ranked.index[-label_extremes:],
                                       *frame["beta_soxx"].nlargest(3).index]))
        for ticker in labelled:
            x, y = frame.at[ticker, "beta_soxx"], frame.at[ticker, ar_column] * 100.0
            ax.annotate(str(ticker), xy=(x, y), xytext=(3, 2), textcoords="offset points", fontsize=7.5)
        if fit is not None:
            xs = np.linspace(float(frame["beta_soxx"].min()), float(frame["beta_soxx"].max()), 20)
            ys = (fit["params"]["const"] + fit["params"]["beta_soxx"] * xs) * 100.0
            ax.plot(xs, ys, color="#404040", linewidth=1.0, linestyle="--",
                    label=f"OLS line (R² = {fit['r2']:.2f})")
        ax.axhline(0.0, color="#404040", linewidth=0.8)
        ax.yaxis.set_major_formatter(FuncFormatter(_signed_percent))
        ax.set_xlabel("beta to SOXX (slope of the member's daily return on SOXX's, estimation window)")
        ax.set_ylabel(f"day-0 abnormal return (%, vs {benchmark})")
        day_text = f" on {day0:%d %b %Y}" if day0 is not None else " on day 0"
        ax.set_title(f"Exposure to chip stocks and the abnormal return{day_text}", loc="left")
        ax.legend(loc="lower left", fontsize=7, ncol=2, markerscale=1.5)
        add_source_line(fig, f"{source}\nMarket model vs {benchmark}; simple close-to-close returns of adjusted closes."
                        + (f"\n{notes}" if notes else ""))
    return fig


# --------------------------------------------------------------------------------------------------------------------
# issue 10: the aftermath of an event, and every release as an event
# --------------------------------------------------------------------------------------------------------------------
def plot_aftermath_paths(aftermath, tickers: Iterable[str] | None = None, releases=None) -> Figure:
    """Paths rebased to 1 at the last close before day 0, over all the data held, with the releases marked.

    Parameters
    ----------
    aftermath : analysis.aftermath.Aftermath
        Its ``paths`` are cumulative simple returns chained over the cache and its adjusted extension: **not prices**.
    tickers : iterable of str, optional
        The lines to draw (default: the event's hardware leaders among the paths, and the benchmark).
    releases : DataFrame, optional
        Columns ``session`` and ``label`` (:func:`analysis.timeline.releases`): a dotted line at each.

    Returns
    -------
    Figure
    """
    import pandas as pd

    paths = aftermath.paths
    names = [t for t in (tickers or paths.columns[:6]) if t in paths.columns]
    if aftermath.benchmark in paths.columns and aftermath.benchmark not in names:
        names.append(aftermath.benchmark)
    fig, ax = new_figure(9.0, 4.8)
    palette = ["#1f4e79", "#76b900", "#c00000", "#4285f4", "#f4b400", "#7030a0", "#ed7d31", "#00b0f0"]
    for i, name in enumerate(names):
        series = paths[name].dropna()
        style = ({"color": COLORS["benchmark"], "linestyle": "--", "linewidth": 1.6} if name == aftermath.benchmark
                 else {"color": palette[i % len(palette)], "linewidth": 1.2})
        ax.plot(series.index, series.to_numpy(), label=name, **style)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axvline(aftermath.day0, color=COLORS["day0"], linewidth=1.0)
    if releases is not None and len(releases):
        top = ax.get_ylim()[1]
        first, last = paths.index[0], paths.index[-1]
        for _, row in releases.iterrows():
            session = row["session"]
            if pd.isna(session) or not first <= session <= last or session == aftermath.day0:
                continue
            ax.axvline(session, color="#595959", linestyle=":", linewidth=0.9)
            ax.text(session, top, " " + str(row["label"]), rotation=90, va="top", ha="right", fontsize=7,
                    color="#595959")
    ax.set_title(f"After {aftermath.event_name}: each series rebased to 1 at its last close before day 0 "
                 f"({aftermath.day0:%d %b %Y})", fontsize=10)
    ax.set_ylabel("cumulative return since the last pre-event close, ×")
    ax.set_xlabel("session (XNYS); dotted lines: releases of the timeline")
    ax.legend(loc="lower right", ncols=min(4, len(names)), fontsize=8)
    add_source_line(fig, "Source: data/1d and data/1d-extended (adjusted closes, used for returns only), data/fred; "
                         "releases: data/timeline. Levels are chained returns, never prices.")
    return fig


def plot_timeline_reactions(study) -> Figure:
    """The hardware portfolio's CAR[0,+1] at each release, with its 95 % interval (normal approximation).

    Parameters
    ----------
    study : analysis.timeline.TimelineStudy

    Returns
    -------
    Figure
    """
    import numpy as np

    table = study.per_event()
    fig, ax = new_figure(8.5, 4.2)
    y = np.arange(len(table))
    car = 100 * table["car01"].to_numpy(dtype=float)
    se = np.abs(car / table["car01_t"].to_numpy(dtype=float))
    colors = [COLORS["close"] if p < 0.05 else COLORS["hardware"] for p in table["car01_p"]]
    ax.barh(y, car, color=colors, height=0.6)
    ax.errorbar(car, y, xerr=1.96 * se, fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.set_yticks(y, [f"{row.Index} ({row.day0})" for row in table.itertuples()], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("CAR[0,+1] of the hardware portfolio, % (market model vs the event's benchmark)")
    ax.set_title("Did the market react to later releases? Hardware group, equal-weighted", fontsize=10)
    add_source_line(fig, "Source: data/1d, data/1d-extended, data/fred; dates: data/timeline; red: p < 0.05 "
                         "(portfolio t, exact variance); bars: 95 % interval.")
    return fig
