"""Stand-ins for ``yfinance.Ticker``: they return frames shaped like yfinance 1.x's ``history()`` or raise its
errors, without any network."""

from __future__ import annotations

import pandas as pd


def yahoo_frame(prices: pd.DataFrame, tz: str = "America/New_York") -> pd.DataFrame:
    """Turn a cache-shaped daily frame into what ``Ticker.history(auto_adjust=False, actions=True)`` returns:
    capitalised columns, a tz-aware index at local midnight, Dividends and Stock Splits."""
    frame = prices.rename(columns={"open": "Open", "high": "High", "low": "Low", "close": "Close",
                                   "adj_close": "Adj Close", "volume": "Volume"})
    frame = frame[["Open", "High", "Low", "Close", "Adj Close", "Volume"]].copy()
    frame["Dividends"] = 0.0
    frame["Stock Splits"] = 0.0
    frame.index = pd.DatetimeIndex(frame.index).tz_localize(tz)
    frame.index.name = "Date"
    return frame


class FakeTicker:
    """Returns ``frame`` (or raises ``error``) from ``history`` and records the calls."""

    def __init__(self, frame: pd.DataFrame | None = None, error: Exception | None = None) -> None:
        self.frame = frame
        self.error = error
        self.calls: list[dict] = []

    def history(self, **kwargs):
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        return self.frame if self.frame is not None else pd.DataFrame()


def factory(mapping: dict[str, FakeTicker]):
    """A ``ticker_factory`` that serves the given stand-ins by symbol."""

    def make(symbol: str) -> FakeTicker:
        return mapping[symbol]

    return make
