"""A firm's day-0 loss of market value, approximately: shares outstanding times the fall in the raw price.

The event file names the firm, a note under ``data/`` that states its share count ("about N billion shares"), and
the figures the press reported (``[valuation]``). For the flagship, the share count is approximate (about 24.5
billion, a rounded third-party rendering of the cover of Nvidia's 10-Q filed on 2024-11-20; see
``data/meta/NVDA_shares_outstanding.md``), so the result is always shown as approximate, beside the figures reported
at the time: $589bn (Bloomberg) and about $593bn (Reuters, using LSEG data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .cache import Cache
from .errors import CacheCorruptError



@dataclass(frozen=True)
class ValueLost:
    """Approximate market value lost on day 0 (US dollars), with its inputs and their sources."""

    ticker: str
    day0: pd.Timestamp
    shares: float
    shares_source: str
    previous_close: float
    close: float
    reported_usd: dict[str, float] = field(default_factory=dict)

    @property
    def price_change(self) -> float:
        """Raw close minus the previous raw close, in dollars per share."""
        return self.close - self.previous_close

    @property
    def value_lost_usd(self) -> float:
        """shares x (previous close - close): positive for a loss."""
        return self.shares * (self.previous_close - self.close)

    @property
    def implied_shares(self) -> dict[str, float]:
        """The share count each reported figure implies."""
        return {name: value / (self.previous_close - self.close) for name, value in self.reported_usd.items()}

    def to_frame(self) -> pd.DataFrame:
        """This estimate beside the reported figures, in billions of dollars."""
        rows = [{"figure": "this project (approximate)", "value_lost_bn_usd": self.value_lost_usd / 1e9,
                 "shares_bn": self.shares / 1e9,
                 "basis": f"about {self.shares / 1e9:.1f}bn shares x ${self.previous_close - self.close:.2f} "
                          f"(raw close {self.previous_close:.2f} -> {self.close:.2f})"}]
        for name, value in self.reported_usd.items():
            rows.append({"figure": f"reported: {name}", "value_lost_bn_usd": value / 1e9,
                         "shares_bn": self.implied_shares[name] / 1e9, "basis": "as reported at the time (implied shares)"})
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        reported = "; ".join(f"{k} ${v / 1e9:.0f}bn" for k, v in self.reported_usd.items())
        return (f"{self.ticker} lost approximately ${self.value_lost_usd / 1e9:.0f}bn of market value on "
                f"{self.day0.date()} (about {self.shares / 1e9:.1f}bn shares x ${-self.price_change:.2f}; raw closes "
                f"{self.previous_close:.2f} -> {self.close:.2f}). Reported at the time: {reported}. "
                f"Share count: {self.shares_source}")


def parse_share_count(text: str, where: str = "the share-count note") -> float:
    """The share count ("about 24.5 billion shares") from a note under ``data/``."""
    match = re.search(r"about\s+([0-9]+(?:\.[0-9]+)?)\s+billion shares", text)
    if not match:
        raise CacheCorruptError(f"{where} does not state 'about N billion shares'.",
                                f"restore it with git (git checkout -- data/{where}).")
    return float(match.group(1)) * 1e9


def _share_source(text: str, where: str) -> str:
    """The note's own first table row (as of, where), shortened, for the caption."""
    row = next((line for line in text.splitlines() if line.startswith("| about")), "")
    cells = [c.strip() for c in row.strip("|").split("|")]
    as_of = cells[1] if len(cells) > 1 else ""
    return f"{cells[0] if cells else 'approximate'}, {as_of}; data/{where}".strip(", ")


def value_lost(event, cache: Cache | None = None) -> ValueLost | None:
    """The approximate loss of market value on day 0 of the firm named in the event's ``[valuation]`` table.

    Parameters
    ----------
    event : analysis.events.EventConfig
    cache : Cache, optional

    Returns
    -------
    ValueLost or None
        ``None`` when the event has no ``[valuation]`` table (then there is nothing to compare with).
    """
    valuation = event.valuation
    if valuation is None:
        return None
    cache = cache or Cache()
    text = cache.read_text(valuation.shares_file)
    shares = parse_share_count(text, valuation.shares_file)
    prices = cache.read(valuation.ticker)
    day0 = event.day0().session
    position = prices.index.get_loc(day0)
    return ValueLost(
        ticker=valuation.ticker, day0=day0, shares=shares,
        shares_source=_share_source(text, valuation.shares_file),
        previous_close=float(prices["close"].iloc[position - 1]), close=float(prices["close"].iloc[position]),
        reported_usd={figure.source: figure.value_usd for figure in valuation.reported},
    )
