"""Price and volume paths around day 0: the data the price and volume charts draw.

Prices are rebased to 100 at one session (τ = −1 by default); volume is shown as a multiple of its median over the
estimation window. Relative sessions τ are XNYS sessions counted from day 0 (:mod:`analysis.calendar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .cache import Cache
from .config import EXCHANGE_CALENDAR
from .events import EventConfig

__all__ = ["price_paths", "volume_paths", "VolumeAroundEvent"]


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
    event: EventConfig,
    tickers: Sequence[str],
    window: tuple[int, int] | None = None,
    base_tau: int = -1,
    cache: Cache | None = None,
) -> pd.DataFrame:
    """Price paths over ``window`` (relative sessions; default the event's AR path), rebased to 100 at the close of
    ``base_tau``.

    Stocks and ETFs use the adjusted close where the source gives one (else the close); indices their level. For
    the DeepSeek shock the base is the close of Friday 24 Jan 2025 (τ = −1) and the window τ ∈ [−10, +10].

    Parameters
    ----------
    event : EventConfig
    tickers : sequence of str
        XNYS series; others (crypto) are skipped.
    window : (int, int), optional
    base_tau : int
    cache : Cache, optional

    Returns
    -------
    DataFrame
        Index τ (``tau``); one column per ticker (XNYS series only). ``attrs``: ``sessions`` (ISO date of each τ),
        ``base_session``, ``day0``, ``fields`` (price column used per ticker), ``units``.
    """
    from .returns import return_field

    cache = cache or Cache()
    window = tuple(window or event.ar_path)
    day0 = event.day0().session
    columns, fields, sessions = {}, {}, None
    for ticker in tickers:
        prices = cache.read(ticker)
        if prices.attrs.get("calendar", EXCHANGE_CALENDAR) != EXCHANGE_CALENDAR:
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
    event: EventConfig,
    tickers: Sequence[str],
    window: tuple[int, int] | None = None,
    baseline_window: tuple[int, int] | None = None,
    cache: Cache | None = None,
) -> VolumeAroundEvent:
    """Volume over ``window`` (default the event's AR path) and its multiple of the median volume over
    ``baseline_window`` (default the event's estimation window).

    Series without volume in the cache (^NDX, RSP) are left out.

    Returns
    -------
    VolumeAroundEvent
    """
    cache = cache or Cache()
    window = tuple(window or event.ar_path)
    baseline_window = tuple(baseline_window or event.estimation)
    day0 = event.day0().session
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
