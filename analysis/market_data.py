"""Fetching histories from Yahoo Finance with yfinance, validating them, and merging them into the cache.

This is the only module that imports yfinance, and the only one that talks to the network. It does so only when
asked (``python -m analysis fetch ...`` or ``load_prices(..., online=True)``); everything else reads the cache.

Every fetch uses ``Ticker(symbol).history(auto_adjust=False, actions=True, timeout=...)`` so that ``close`` is the
raw close that newspapers quote and ``adj_close`` is Yahoo's adjusted close (``yf.download`` never raises and
``auto_adjust`` defaults to True; see PITFALLS.md). What comes back is validated before it touches the cache:

* an empty frame raises :class:`~analysis.errors.EmptyFetchError`;
* a rate limit raises :class:`~analysis.errors.RateLimitError`, and a network failure
  :class:`~analysis.errors.NetworkError`;
* a frame cut short (sessions missing inside the range asked for) raises
  :class:`~analysis.errors.ShortFetchError`;
* a frame that fails the cache's checks (non-sessions, non-positive prices, low > high) is refused.

In each case the cache is left exactly as it was. A good fetch is merged append-only
(:func:`analysis.cache.merge_histories`) and written atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from . import calendar as cal
from .cache import INTRADAY_INTERVALS, Cache, check_bars, check_price_frame, merge_histories, normalize_ticker
from .errors import (
    AnalysisError,
    CacheCorruptError,
    EmptyFetchError,
    FetchError,
    NetworkError,
    RateLimitError,
    ShortFetchError,
    UnknownTickerError,
)

#: How far back Yahoo serves each intraday interval, in days (PITFALLS.md): 1m 30 days, 2m-90m 60 days, 1h 730.
YAHOO_LOOKBACK_DAYS = {"1m": 30, "2m": 60, "5m": 60, "15m": 60, "30m": 60, "60m": 60, "90m": 60, "1h": 730}
#: Seconds before a request to Yahoo gives up.
DEFAULT_TIMEOUT = 20.0
_COLUMN_NAMES = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Adj Close": "adj_close",
                 "Volume": "volume", "Dividends": "dividends", "Stock Splits": "stock_splits"}

TickerFactory = Callable[[str], object]


def _yfinance_ticker(symbol: str):
    import yfinance  # imported here so that reading the cache never loads yfinance

    return yfinance.Ticker(symbol)


def _classify(exc: Exception, ticker: str) -> FetchError:
    """Turn whatever yfinance or its HTTP stack raised into one of the project's fetch errors."""
    name = type(exc).__name__
    module = type(exc).__module__ or ""
    text = str(exc) or name
    if "RateLimit" in name or "Too Many Requests" in text or "429" in text:
        return RateLimitError(f"Yahoo Finance rate-limited the request for {ticker} ({text}).",
                              "wait a few minutes and run the same fetch again; the cache is unchanged.")
    network_names = ("ConnectionError", "Timeout", "DNSError", "CurlError", "SSLError", "ProxyError",
                     "RequestException")
    if (isinstance(exc, (ConnectionError, TimeoutError, OSError)) or any(n in name for n in network_names)
            or module.startswith(("curl_cffi", "requests", "urllib3"))):
        return NetworkError(f"Yahoo Finance could not be reached for {ticker} ({name}: {text}).",
                            "check the network connection, or work offline from the cache (the default).")
    if "PricesMissing" in name or "TzMissing" in name or "TickerMissing" in name:
        return EmptyFetchError(f"Yahoo Finance has no prices for {ticker} in that range ({text}).",
                               "check the symbol (indices need a caret, e.g. ^IXIC) and the dates.")
    return FetchError(f"the fetch of {ticker} failed ({name}: {text}).", "try again; the cache is unchanged.")


def normalize_history(raw: pd.DataFrame, ticker: str, interval: str = "1d") -> pd.DataFrame:
    """yfinance's frame in the cache's shape: lower-case columns, session-date index (1d) or exchange-time (1h)."""
    if raw is None or len(raw) == 0:
        raise EmptyFetchError(f"the fetch of {ticker} came back empty.",
                              "check the symbol and the dates; the cache is unchanged.")
    frame = raw.rename(columns=_COLUMN_NAMES)
    missing = [c for c in ("open", "high", "low", "close", "volume") if c not in frame.columns]
    if missing:
        raise FetchError(f"the fetch of {ticker} lacks the columns {missing}.",
                         "this yfinance version returns an unexpected shape; the cache is unchanged.")
    if "adj_close" not in frame.columns:
        frame["adj_close"] = float("nan")
    columns = ["open", "high", "low", "close", "adj_close", "volume"] + [
        c for c in ("dividends", "stock_splits") if c in frame.columns]
    frame = frame[columns].astype("float64")
    index = pd.DatetimeIndex(frame.index)
    calendar = cal.calendar_for(ticker)
    if interval == "1d":
        if index.tz is not None:
            index = index.tz_convert(cal.timezone_for(calendar)).tz_localize(None)
        frame.index = pd.DatetimeIndex(index.normalize(), name="session").as_unit("ns")
    else:
        if index.tz is None:
            index = index.tz_localize(cal.timezone_for(calendar))
        frame.index = pd.DatetimeIndex(index.tz_convert(cal.timezone_for(calendar)), name="timestamp").as_unit("ns")
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    frame = frame.dropna(subset=["close"])
    if frame.empty:
        raise EmptyFetchError(f"the fetch of {ticker} has no closing prices.", "check the symbol and the dates.")
    return frame


def fetch_history(ticker: str, start, end, interval: str = "1d", *, timeout: float = DEFAULT_TIMEOUT,
                  ticker_factory: TickerFactory | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Fetch one ticker's history from Yahoo Finance and validate it (the cache is not touched).

    Parameters
    ----------
    ticker : str
        A Yahoo symbol (``NVDA``, ``^IXIC``, ``BTC-USD``).
    start, end : date-like
        Inclusive range (yfinance's ``end`` is exclusive; one day is added).
    interval : {"1d", "1h"}
    timeout : float
        Seconds per request.
    ticker_factory : callable, optional
        Builds the object whose ``history`` is called; ``yfinance.Ticker`` by default. Tests pass a stand-in.
    today : date, optional
        Sessions after ``today - 1`` may legitimately be missing; defaults to the current date.
    """
    symbol = normalize_ticker(ticker)
    start_ts, end_ts = cal.to_date(start), cal.to_date(end)
    factory = ticker_factory or _yfinance_ticker
    _check_lookback(symbol, start_ts, interval, today)
    try:
        raw = factory(symbol).history(start=start_ts.strftime("%Y-%m-%d"),
                                      end=(end_ts + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                                      interval=interval, auto_adjust=False, actions=True, timeout=timeout)
    except AnalysisError:
        raise
    except Exception as exc:  # yfinance and curl_cffi raise many unrelated types; classify them all
        raise _classify(exc, symbol) from exc
    frame = normalize_history(raw, symbol, interval)
    calendar = cal.calendar_for(symbol)
    if interval == "1d":
        frame = frame.loc[start_ts:end_ts]
        if frame.empty:
            raise EmptyFetchError(f"the fetch of {symbol} has no rows inside {start_ts.date()}..{end_ts.date()}.",
                                  "check the dates.")
        horizon = min(end_ts, cal.to_date(today or dt.date.today()) - pd.Timedelta(days=1))
        expected = cal.sessions(start_ts, horizon, calendar) if horizon >= start_ts else pd.DatetimeIndex([])
        missing = expected.difference(frame.index)
        if len(missing):
            raise ShortFetchError(
                f"the fetch of {symbol} is cut short: {len(missing)} of {len(expected)} {calendar} sessions in "
                f"{start_ts.date()}..{horizon.date()} are missing (first {missing[0].date()}).",
                "run the fetch again later; nothing was written, the cache is unchanged.",
            )
    problems = check_price_frame(frame, calendar, interval)
    if interval in INTRADAY_INTERVALS and not problems:
        problems = check_bars(frame, interval, calendar)  # session hours, strict timestamps (analysis.cache)
    if problems:
        raise FetchError(f"the fetch of {symbol} fails validation: " + "; ".join(problems) + ".",
                         "nothing was written; the cache is unchanged.")
    return frame


@dataclass(frozen=True)
class FetchOutcome:
    """What happened to one ticker in :func:`fetch_to_cache`."""

    ticker: str
    ok: bool
    message: str
    rows_added: int = 0


def fetch_into_cache(ticker: str, start, end, interval: str = "1d", *, cache: Cache | None = None,
                     timeout: float = DEFAULT_TIMEOUT, ticker_factory: TickerFactory | None = None,
                     today: dt.date | None = None) -> FetchOutcome:
    """Fetch one ticker and merge it into the cache; raise a :class:`FetchError` and leave the cache as it was
    on any failure."""
    cache = cache or Cache()
    symbol = normalize_ticker(ticker)
    fetched = fetch_history(symbol, start, end, interval, timeout=timeout, ticker_factory=ticker_factory,
                            today=today)
    if interval in INTRADAY_INTERVALS:
        return _bars_into_cache(symbol, fetched, interval, cache)
    try:
        old = cache.read(symbol, interval)
        previous = cache.entry(symbol, interval)
    except UnknownTickerError:
        old, previous = None, None
    if old is not None:
        in_range = old.loc[(old.index >= fetched.index[0]) & (old.index <= fetched.index[-1])]
        if len(fetched) < len(in_range):
            raise ShortFetchError(
                f"the fetch of {symbol} has {len(fetched)} rows where the cache already holds {len(in_range)} for "
                f"{fetched.index[0]}..{fetched.index[-1]}.", "nothing was written; the cache is unchanged.")
    try:
        merged, report = merge_histories(old, fetched)
    except CacheCorruptError as exc:
        raise FetchError(f"{symbol}: {exc.message}", exc.hint) from None
    if report["added"] == 0:
        return FetchOutcome(symbol, True, f"{symbol}: nothing new ({report['overlap']} rows already cached).")
    fmt = (lambda ts: str(ts.date())) if interval == "1d" else (lambda ts: ts.isoformat())
    segment = {"source": "Yahoo Finance via yfinance Ticker.history(auto_adjust=False, actions=True)",
               "first": fmt(fetched.index[0]), "last": fmt(fetched.index[-1]), "rows_added": report["added"],
               "adj_close_rescale": report["adj_rescale"],
               "fetched_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
    history = (previous.history if previous else ()) + (segment,)
    source = previous.source if previous else segment["source"]
    basis = previous.close_basis if previous else "fetched_raw"
    cache.write_prices(symbol, merged, interval=interval, source=source, close_basis=basis, history=history)
    return FetchOutcome(symbol, True, f"{symbol}: added {report['added']} rows ({segment['first']}..{segment['last']}).",
                        report["added"])


def fetch_to_cache(tickers: Iterable[str], start, end, interval: str = "1d", *, cache: Cache | None = None,
                   timeout: float = DEFAULT_TIMEOUT, ticker_factory: TickerFactory | None = None,
                   progress: bool = True, today: dt.date | None = None) -> list[FetchOutcome]:
    """Fetch several tickers, one at a time; a failure for one leaves the others (and the cache) unharmed.

    With ``progress`` and more than one ticker, shows a progress bar on stderr.
    """
    symbols = [normalize_ticker(t) for t in tickers]
    iterator: Iterable[str] = symbols
    if progress and len(symbols) > 1:
        from tqdm import tqdm

        iterator = tqdm(symbols, desc="fetching", unit="ticker")
    outcomes = []
    for symbol in iterator:
        try:
            outcomes.append(fetch_into_cache(symbol, start, end, interval, cache=cache, timeout=timeout,
                                             ticker_factory=ticker_factory, today=today))
        except AnalysisError as exc:
            outcomes.append(FetchOutcome(symbol, False, f"{symbol}: {exc}"))
    return outcomes


# --- intraday bars (1m, 5m) -------------------------------------------------------------------------------------------
def _check_lookback(symbol: str, start_ts: pd.Timestamp, interval: str, today: dt.date | None) -> None:
    """Refuse, before any request, an intraday range that Yahoo no longer serves (:data:`YAHOO_LOOKBACK_DAYS`)."""
    limit = YAHOO_LOOKBACK_DAYS.get(interval)
    if limit is None:
        return
    oldest = cal.to_date(today or dt.date.today()) - pd.Timedelta(days=limit)
    if start_ts < oldest:
        raise FetchError(
            f"Yahoo serves {interval} bars of {symbol} only for the last {limit} days (from {oldest.date()}); "
            f"{start_ts.date()} is older. Limits: 1m 30 days, 2m-90m 60 days, 1h 730 days.",
            "choose a later start, a coarser interval (1h goes back 730 days), or import bars cached elsewhere "
            "(python -m analysis cache import ...).")


def _bars_into_cache(symbol: str, fetched: pd.DataFrame, interval: str, cache: Cache) -> FetchOutcome:
    """Merge fetched 1m/5m bars append-only into ``data/<interval>/`` in the bar format (bar start in ET, and
    yfinance's own timestamp kept as ``source_timestamp``)."""
    bars = fetched[["open", "high", "low", "close", "volume"]].copy()
    bars["source_timestamp"] = [ts.isoformat() for ts in fetched.index]
    try:
        old = cache.read_bars(symbol, interval).drop(columns="segment")
        previous = cache.entry(symbol, interval)
    except UnknownTickerError:
        old, previous = None, None
    try:
        merged, report = merge_histories(None if old is None else old.assign(adj_close=float("nan")),
                                         bars.assign(adj_close=float("nan")))
    except CacheCorruptError as exc:
        raise FetchError(f"{symbol}: {exc.message}", exc.hint) from None
    if report["added"] == 0:
        return FetchOutcome(symbol, True, f"{symbol}: nothing new ({report['overlap']} {interval} bars already cached).")
    segment = {"source": "Yahoo Finance via yfinance Ticker.history(auto_adjust=False, actions=True), "
                         f"interval {interval}", "first": bars.index[0].isoformat(), "last": bars.index[-1].isoformat(),
               "rows_added": report["added"],
               "fetched_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
    history = (previous.history if previous else ()) + (segment,)
    cache.write_bars(symbol, merged.drop(columns="adj_close"), interval=interval,
                     source=previous.source if previous else segment["source"],
                     close_basis=previous.close_basis if previous else "fetched_raw", history=history)
    return FetchOutcome(symbol, True, f"{symbol}: added {report['added']} {interval} bars "
                                      f"({segment['first']}..{segment['last']}).", report["added"])
