"""The small tables and texts the notebooks and the headline show: presentation only.

Every number comes from the module that computes it (:mod:`analysis.study`, :mod:`analysis.claims`,
:mod:`analysis.cache`); here it is only put in rows, rounded and worded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from .cache import Cache

__all__ = ["cache_overview", "markdown_section", "day0_table", "group_tests_table", "peer_group_table", "format_p",
           "verdicts_markdown", "claims_in_plain_words", "window_name"]


def cache_overview(cache: Cache | None = None, interval: str | None = "1d") -> pd.DataFrame:
    """What is cached (:meth:`Cache.coverage`) beside where it came from (``data/provenance.csv``), by ticker.

    Parameters
    ----------
    cache : Cache, optional
    interval : str or None
        Only the files of this interval (default the daily histories; ``None`` for every file).

    Returns
    -------
    DataFrame
    """
    cache = cache or Cache()
    coverage = cache.coverage()
    if interval is not None:
        coverage = coverage[coverage["interval"] == interval]
    coverage = coverage.drop(columns=["file"])
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
    name = window_name(window)
    table = pd.DataFrame({f"{name} (%)": 100 * rows["car"], "t": rows["t"], "p": rows["p"],
                          "placebo p (day 0)": rows["placebo_p"]})
    return table.sort_values(f"{name} (%)")


def group_tests_table(stats) -> pd.DataFrame:
    """The group statistics of :class:`analysis.inference.GroupStatistics`, one column per window:
    ``statistic (p)``, with the tests robust to cross-correlation first."""
    order = ("portfolio", "patell_adjusted", "kp_bmp", "grank", "wald", "patell", "bmp", "generalized_sign")
    columns = {}
    for window in stats.windows:
        key = window_name(tuple(window.window))
        values = {"CAAR (%)": f"{100 * window.caar:+.2f}"}
        for attr in order:
            test = getattr(window, attr)
            values[test.name + (f" [{test.note}]" if test.note.startswith("assumes") else "")] = (
                f"{test.value:+.2f} (p {format_p(test.pvalue)})")
        columns[key] = values
    table = pd.DataFrame(columns)
    table.index.name = f"N = {stats.n}, r̄ = {stats.rbar:.3f}"
    return table


def peer_group_table(results, groups: Mapping[str, Sequence[str]],
                     window: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """Per peer group, over ``window``: N, r̄, the equal-weighted portfolio's CAR (%) with t and p, and the
    Kolari–Pynnönen adjusted BMP t with p.

    Parameters
    ----------
    results : EventStudyResults
    groups : mapping of str to sequence of str
        The event's peer groups (``event.groups``).
    window : (int, int)

    Returns
    -------
    DataFrame
        One row per group with at least one firm in ``results``.
    """
    rows = []
    for name, tickers in groups.items():
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
        info = getattr(row, "intraday", None)  # when the figure held, from intraday bars (analysis.intraday)
        when = ""
        if isinstance(info, dict) and info.get("available"):
            proxy = ", a proxy" if info["proxy"] else ""
            when = f" *When:* {info['in_words']} ({info['source_ticker']} {info['interval']} bars{proxy})."
        lines.append(f"* **{row.subject}** ({row.ticker}): quoted {quoted}; closed {close} on {day}. "
                     f"*{row.verdict.replace('_', ' ')}*: {VERDICT_MEANINGS[row.verdict]}{flag}{when}")
    return "\n".join(lines)




def window_name(window: tuple[int, int]) -> str:
    first, last = window
    if window == (0, 0):
        return "AR[0]"
    return f"CAR[{first:+d},{last:+d}]".replace("+0", "0")
