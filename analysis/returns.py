"""Prices to returns, and aligning firms with their benchmark.

Conventions (docs/METHOD.md, "Returns"):

* **For the event study:** simple close-to-close returns, ``R_t = P_t / P_{t-1} - 1``, from the adjusted close where
  the source gives one, otherwise from ``close`` (indices, and the series whose ``close`` is already adjusted or
  only split-adjusted; see ``data/SOURCES.md``). Returns are decimal fractions (-0.1697, not -16.97).
* **For checking a quoted figure:** raw prices against the previous raw close; see :mod:`analysis.claims`.

A return is dated by the session at whose close it ends. The first row of a history has no return and is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from . import calendar as cal
from .cache import Cache, normalize_ticker
from .errors import DataGapError

if TYPE_CHECKING:
    from .events import EventConfig

#: Percent to decimal.
PERCENT = 100.0


def return_field(prices: pd.DataFrame) -> str:
    """``adj_close`` when the frame has any adjusted close, else ``close``."""
    return "adj_close" if prices["adj_close"].notna().any() else "close"


def simple_returns(prices: pd.DataFrame, field: str | None = None) -> pd.Series:
    """Simple close-to-close returns of one price history.

    Parameters
    ----------
    prices : DataFrame
        A history as returned by :meth:`analysis.cache.Cache.read`.
    field : {"adj_close", "close"}, optional
        The price column; by default :func:`return_field`.

    Returns
    -------
    Series
        Decimal simple returns, indexed by session; ``attrs["basis"]`` says what they are.
    """
    field = field or return_field(prices)
    series = prices[field]
    gaps = series.iloc[1:].isna()
    if gaps.any():
        raise DataGapError(
            f"{prices.attrs.get('ticker', 'the series')} has {int(gaps.sum())} missing {field} value(s), "
            f"first on {series.index[1:][gaps.to_numpy()][0].date()}.",
            "re-import or re-fetch the ticker; missing prices are never filled in.",
        )
    returns = (series / series.shift(1) - 1).iloc[1:]
    returns.name = prices.attrs.get("ticker", series.name)
    returns.attrs = {"basis": f"simple close-to-close return from {field}", "field": field,
                     "calendar": prices.attrs.get("calendar")}
    return returns


def returns_panel(tickers: Iterable[str], cache: Cache | None = None, field: str | None = None) -> pd.DataFrame:
    """Simple returns of several tickers on one calendar, one column per ticker.

    All tickers must trade on the same calendar (XNYS for US stocks, ETFs and indices; BTC-USD has its own).
    The index is the full list of that calendar's sessions over the union of the histories, so that integer
    position equals relative session; a ticker with a shorter history has NaN outside it (the event study refuses
    NaN inside its windows with a clear error).
    """
    cache = cache or Cache()
    names = [normalize_ticker(t) for t in tickers]
    calendars = {cal.calendar_for(t) for t in names}
    if len(calendars) > 1:
        raise DataGapError(f"{', '.join(names)} trade on different calendars ({', '.join(sorted(calendars))}).",
                           "study crypto separately from US-listed securities.")
    columns = {t: simple_returns(cache.read(t), field) for t in names}
    frame = pd.DataFrame(columns)
    calendar = calendars.pop()
    full = cal.sessions(frame.index[0], frame.index[-1], calendar)
    frame = frame.reindex(full)
    frame.index.name = "session"
    frame.attrs = {"basis": "simple close-to-close returns (adj_close where available, else close)",
                   "calendar": calendar, "fields": {t: s.attrs["field"] for t, s in columns.items()}}
    return frame


def factor_returns(cache: Cache | None = None) -> pd.DataFrame:
    """The Fama-French daily factors as decimal fractions (the cache holds them in percent)."""
    factors = (cache or Cache()).read_factors() / PERCENT
    factors.attrs = {"units": "decimal fraction", "source": "Kenneth R. French data library (data/SOURCES.md)"}
    return factors


def model_factors(model: str, cache: Cache | None = None) -> pd.DataFrame:
    """The factors a factor model needs, as decimal fractions: FF3 for "ff3", FF3 and momentum for "carhart"
    (Carhart 1997), FF5 for "ff5" (Fama and French 2015); each with RF.

    Parameters
    ----------
    model : {"ff3", "carhart", "ff5"}
    cache : Cache, optional

    Returns
    -------
    DataFrame
        Daily factors in decimal fractions on the sessions all the files share.
    """
    cache = cache or Cache()
    if model == "ff3":
        return factor_returns(cache)
    if model == "carhart":
        frame = factor_returns(cache).join(cache.read_factors("MOM") / PERCENT, how="inner")
        source = "Kenneth R. French data library, FF3 and momentum (data/SOURCES.md)"
    elif model == "ff5":
        frame = cache.read_factors("FF5") / PERCENT
        source = "Kenneth R. French data library, 5 factors 2x3 (data/SOURCES.md)"
    else:
        raise ValueError(f"{model!r} is not a factor model; choose ff3, carhart or ff5")
    frame.attrs = {"units": "decimal fraction", "source": source}
    return frame


def raw_day_moves(prices: pd.DataFrame, session: pd.Timestamp, calendar: str | None = None) -> dict[str, float]:
    """Open, low, high and close of ``session`` against the previous raw close, as decimal fractions.

    The previous close is that of the previous session of ``calendar`` (default: the frame's own, from
    ``prices.attrs``; the previous calendar day on ``24/7``), which must be the row just before ``session``.
    Missing fields stay NaN; nothing is invented.
    """
    calendar = calendar or prices.attrs.get("calendar") or cal.calendar_for(str(prices.attrs.get("ticker", "")))
    position = prices.index.get_indexer([session])[0]
    if position < 0:
        raise DataGapError(f"day 0 ({session.date()}) is not in the data "
                           f"({prices.index[0].date()}..{prices.index[-1].date()}).",
                           "choose a date inside the cached range.")
    before = cal.sessions(session - pd.Timedelta(days=14), session - pd.Timedelta(days=1), calendar)
    if position == 0 or len(before) == 0 or prices.index[position - 1] != before[-1]:
        expected = before[-1].date() if len(before) else "?"
        raise DataGapError(f"the previous {calendar} session ({expected}) is missing from the data.",
                           "choose a date inside the cached range, or repair the cache.")
    previous = prices["close"].iloc[position - 1]
    row = prices.iloc[position]
    return {
        "previous_close": float(previous),
        "close": float(row["close"] / previous - 1),
        "open": float(row["open"] / previous - 1),
        "low": float(row["low"] / previous - 1),
        "high": float(row["high"] / previous - 1),
    }


def day0_moves(event: EventConfig, cache: Cache | None = None, tickers: Sequence[str] | None = None) -> pd.DataFrame:
    """Raw day-0 moves of cached daily series against their previous raw close, in percent.

    Parameters
    ----------
    event : EventConfig
        Day 0 is mapped in each series' own calendar (XNYS, or every calendar day for crypto).
    cache : Cache, optional
    tickers : sequence of str, optional
        Default: every cached daily series.

    Returns
    -------
    DataFrame
        ticker, day0, prev_close, close_pct, open_pct, low_pct, high_pct (raw prices, percent), close_basis.
    """
    cache = cache or Cache()
    rows = []
    for ticker in tickers or cache.tickers("1d"):
        prices = cache.read(ticker)
        day0 = event.day0(cal.calendar_for(ticker))
        moves = raw_day_moves(prices, day0.session)
        rows.append({"ticker": ticker, "day0": str(day0.session.date()),
                     "prev_close": moves["previous_close"], "close_pct": 100 * moves["close"],
                     "open_pct": 100 * moves["open"], "low_pct": 100 * moves["low"], "high_pct": 100 * moves["high"],
                     "close_basis": prices.attrs.get("close_basis")})
    return pd.DataFrame(rows).sort_values("close_pct").reset_index(drop=True)
