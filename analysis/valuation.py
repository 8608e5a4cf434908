"""Nvidia's day-0 loss of market value, approximately: shares outstanding times the fall in the raw price.

The share count is approximate (about 24.5 billion, a rounded third-party rendering of the cover of Nvidia's 10-Q
filed on 2024-11-20; see ``data/meta/NVDA_shares_outstanding.md``), so the result is always shown as approximate,
beside the figures reported at the time: $589bn (Bloomberg) and about $593bn (Reuters, using LSEG data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import config
from .cache import Cache
from .calendar import event_day0
from .errors import CacheCorruptError

SHARES_FILE = "meta/NVDA_shares_outstanding.md"


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


def parse_share_count(text: str) -> float:
    """The share count ("about 24.5 billion shares") from the meta note."""
    match = re.search(r"about\s+([0-9]+(?:\.[0-9]+)?)\s+billion shares", text)
    if not match:
        raise CacheCorruptError(f"{SHARES_FILE} does not state 'about N billion shares'.",
                                "re-import: python -m analysis cache import PATH/TO/market-data")
    return float(match.group(1)) * 1e9


def nvda_value_lost(cache: Cache | None = None, event_date=config.EVENT_DATE) -> ValueLost:
    """Nvidia's approximate loss of market value on event day 0 (shares x the fall in the raw close)."""
    cache = cache or Cache()
    shares = parse_share_count(cache.read_text(SHARES_FILE))
    prices = cache.read("NVDA")
    day0 = event_day0(event_date).session
    position = prices.index.get_loc(day0)
    return ValueLost(
        ticker="NVDA", day0=day0, shares=shares,
        shares_source="about 24.5bn, rounded (third-party rendering of the 10-Q cover, filed 2024-11-20; "
                      "data/meta/NVDA_shares_outstanding.md)",
        previous_close=float(prices["close"].iloc[position - 1]), close=float(prices["close"].iloc[position]),
        reported_usd=dict(config.REPORTED_NVDA_LOSS_USD),
    )
