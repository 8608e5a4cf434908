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
