"""The headline of an event: each quoted figure with its verdict, each firm's day-0 AR and CARs with t and p, and
the value lost beside what the press reported. Sections the event lacks are left out with a line that says why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd

from .cache import Cache
from .events import EventConfig
from .jsonutil import json_value
from .tables import format_p, window_name

__all__ = ["HEADLINE_WINDOWS", "Headline", "headline_table", "headline_json"]

#: Windows of the headline's firm table.
HEADLINE_WINDOWS = ((0, 0), (0, 1), (-1, 1))


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
        The approximate loss of market value of the event's valuation firm, beside the figures reported at the
        time ("" when the event has none).
    title : str
        The event's title.
    omitted : tuple of str
        One line per section left out, saying why (an event without claims or reported figures).
    """

    claims: pd.DataFrame | None
    firms: pd.DataFrame
    day0: pd.Timestamp
    model_label: str
    estimation_label: str
    df: int
    value_lost: str = ""
    title: str = ""
    omitted: tuple[str, ...] = ()

    @property
    def firms_caption(self) -> str:
        return (f"Abnormal returns, in percent (simple close-to-close returns; {self.model_label}; "
                f"{self.estimation_label}). AR[0] = day 0 ({self.day0:%a %d %b %Y}); CAR[a,b] = sum of ARs over "
                f"sessions a..b. t ~ Student t({self.df}), two-sided p; placebo p: day-0 |AR| ranked among the "
                "estimation-window |AR|s.")

    @property
    def claims_caption(self) -> str:
        return ("Quoted figures (data/claims.csv) against the data: raw prices, % change vs the previous raw close "
                "(close-to-close); verdict per docs/METHOD.md (tolerance: half a unit of the last digit quoted).")

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
            name = window_name(window)
            out[f"{name} %"] = [f"{v:+.2f}" for v in f[f"{name}_pct"]]
            out[f"{name} t"] = [f"{v:+.2f}" for v in f[f"{name}_t"]]
            out[f"{name} p"] = [format_p(v) for v in f[f"{name}_p"]]
        out["placebo p"] = [format_p(v) for v in f["placebo_p"]]
        return pd.DataFrame(out)

    @property
    def heading(self) -> str:
        return f"{self.title}, day 0 = {self.day0:%a %d %b %Y}"

    def __str__(self) -> str:
        lines = [f"HEADLINE: {self.heading}", ""]
        number = 1
        if self.claims is not None:
            lines += [self._wrap(f"{number}. " + self.claims_caption), self._claims_display().to_string(index=False),
                      ""]
            number += 1
        if not self.firms.empty:
            lines += [self._wrap(f"{number}. " + self.firms_caption), self._firms_display().to_string(index=False)]
        if self.value_lost:
            lines += ["", self._wrap(f"{number + 1}. " + self.value_lost)]
        if self.omitted:
            lines += ["", *(self._wrap("Left out: " + line) for line in self.omitted)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        parts = [f"<h4>Headline: {html.escape(self.heading)}</h4>"]
        if self.claims is not None:
            parts += [f"<p>{html.escape(self.claims_caption)}</p>", self._claims_display().to_html(index=False)]
        if not self.firms.empty:
            parts += [f"<p>{html.escape(self.firms_caption)}</p>", self._firms_display().to_html(index=False)]
        if self.value_lost:
            parts.append(f"<p>{html.escape(self.value_lost)}</p>")
        parts += [f"<p><em>Left out:</em> {html.escape(line)}</p>" for line in self.omitted]
        return "<div>" + "\n".join(parts) + "</div>"

    def to_dict(self) -> dict:
        """JSON-ready: NaN becomes None."""
        claims = None
        if self.claims is not None:
            claims = json_records(self.claims.assign(
                sign_differs_from_close=self.claims["sign_differs_from_close"].astype(object)))
        return {"title": self.title, "day0": self.day0.date().isoformat(), "model": self.model_label,
                "estimation": self.estimation_label, "df": self.df, "units": "percent of simple close-to-close returns",
                "claims": claims, "firms": json_records(self.firms), "value_lost": self.value_lost,
                "omitted": list(self.omitted)}


def headline_table(event: EventConfig, cache: Cache | None = None, *, claims=None, results=None) -> Headline:
    """The headline table of an event from the cache: every claim's verdict (when the event has claims), and the
    day-0 AR and CARs of each firm under the event's model, plus the equal-weighted portfolio of the firms.

    Parameters
    ----------
    event : EventConfig
    cache : Cache, optional
    claims : ClaimsCheck, optional
        Reuse a check already done.
    results : EventStudyResults, optional
        Reuse a study already fitted with the windows of :data:`HEADLINE_WINDOWS`.

    Returns
    -------
    Headline
    """
    from .claims import check_event_claims
    from .study import run_event_study
    from .valuation import value_lost

    cache = cache or Cache()
    omitted: list[str] = []
    check = claims if claims is not None else check_event_claims(event, cache)
    if check is None:
        omitted.append("the quoted figures: the event names no claims registry (key 'claims' of the event file).")
    claims_frame = None
    if check is not None:
        claims_frame = check.to_frame()[["id", "ticker", "claimed_pct", "direction", "close_pct", "verdict",
                                         "sign_differs_from_close"]].reset_index(drop=True)
    if not event.tickers:
        omitted.append("the firms' abnormal returns: the event names no firms, only a universe (see `python -m "
                       "analysis universe`).")
        lost = value_lost(event, cache)
        return Headline(claims=claims_frame, firms=pd.DataFrame(), day0=event.day0().session, model_label="",
                        estimation_label="", df=0, value_lost=str(lost) if lost is not None else "",
                        title=event.title, omitted=tuple(omitted))
    study = results if results is not None else run_event_study(event.replace(windows=HEADLINE_WINDOWS), cache)
    table = study.to_frame()
    rows = []
    for firm in study.tickers:
        row = {"firm": firm}
        for window in HEADLINE_WINDOWS:
            name = window_name(window)
            hit = table[(table["firm"] == firm) & (table["window_start"] == window[0])
                        & (table["window_end"] == window[1])].iloc[0]
            row.update({f"{name}_pct": 100 * hit["car"], f"{name}_t": hit["t"], f"{name}_p": hit["p"]})
        row["placebo_p"] = float(table.loc[table["firm"] == firm, "placebo_p"].iloc[0])
        rows.append(row)
    group = study.group
    if group.n > 1:
        portfolio = {"firm": f"equal-weighted ({group.n} firms)"}
        for stats in group.windows:
            name = window_name(tuple(stats.window))
            portfolio.update({f"{name}_pct": 100 * stats.portfolio_car, f"{name}_t": stats.portfolio.value,
                              f"{name}_p": stats.portfolio.pvalue})
        portfolio["placebo_p"] = math.nan
        rows.append(portfolio)
    lost = value_lost(event, cache)
    if lost is None:
        omitted.append("the value lost: the event reports no figures to compare with ([valuation] of the event "
                       "file).")
    return Headline(claims=claims_frame, firms=pd.DataFrame(rows), day0=study.day0, model_label=study.model_label,
                    estimation_label=study.estimation_label, df=int(study.df),
                    value_lost=str(lost) if lost is not None else "", title=event.title, omitted=tuple(omitted))


def headline_json(headline: Headline) -> str:
    """:meth:`Headline.to_dict` as JSON text."""
    return json.dumps(headline.to_dict(), indent=1, ensure_ascii=False, default=str)


def json_records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as JSON-ready dictionaries: NaN becomes None."""
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
