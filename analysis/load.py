"""The one seam through which analysis code gets prices: the cache by default, Yahoo Finance only when asked."""

from __future__ import annotations

import pandas as pd

from .cache import Cache, normalize_ticker
from .errors import CacheMissError, UnknownTickerError


def load_prices(ticker: str, start=None, end=None, interval: str = "1d", *, cache: Cache | None = None,
                online: bool = False, ticker_factory=None) -> pd.DataFrame:
    """A ticker's price history from ``start`` to ``end`` (inclusive), read from the cache.

    Parameters
    ----------
    ticker : str
        A Yahoo symbol: ``NVDA``, ``^IXIC``, ``BTC-USD``.
    start, end : date-like, optional
        Inclusive bounds; the whole cached history by default.
    interval : {"1d", "1h"}
    cache : Cache, optional
        The project's ``data/`` by default.
    online : bool, default False
        Offline by default. When True and the cache lacks the range (or the ticker), fetch it with yfinance,
        merge it into the cache, and read again.

    Returns
    -------
    DataFrame
        Float columns ``open, high, low, close, adj_close, volume``, indexed by session date (tz-naive, the
        session's date in the exchange timezone; see :mod:`analysis.calendar`).

    Raises
    ------
    CacheMissError, UnknownTickerError
        Offline, when the cache does not hold the range; the message names what is missing and the command that
        would fetch it.
    """
    cache = cache or Cache()
    symbol = normalize_ticker(ticker)
    try:
        return cache.read_range(symbol, start, end, interval)
    except (CacheMissError, UnknownTickerError):
        if not online:
            raise
    if start is None or end is None:
        raise CacheMissError(f"fetching {symbol} needs a start and an end date.", "pass start= and end=.")
    from .market_data import fetch_into_cache  # the network path is loaded only when asked for

    fetch_into_cache(symbol, start, end, interval, cache=cache, ticker_factory=ticker_factory)
    return cache.read_range(symbol, start, end, interval)
