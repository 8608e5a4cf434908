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
(:func:`analysis.cache.merge_histories`) and written atomically, under the cache's lock.

The timeout bounds the whole work of a ticker, not one request: yfinance's cookie and crumb requests carry their own
time-outs (10 s and 30 s), so each ticker's download runs in a daemon thread that is abandoned at the deadline
(:func:`_with_deadline`); it never writes to the cache, so abandoning it is safe, and the process exits without
waiting for it. The arguments are checked before any request (:func:`check_fetch_request`), and yfinance's own
log lines are silenced: every failure is reported once, as one of the project's errors.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from . import calendar as cal
from .cache import INTRADAY_INTERVALS, Cache, check_bars, check_price_frame, merge_histories, normalize_ticker
from .errors import (
    AnalysisError,
    CacheCorruptError,
    EmptyFetchError,
    EventDateError,
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


def _load_yfinance():
    """Import yfinance (only when fetching) with its own log lines silenced: its failures reach the user once, as
    the project's one-line errors."""
    import yfinance  # imported here so that reading the cache never loads yfinance

    logger = logging.getLogger("yfinance")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False
    logger.setLevel(logging.CRITICAL + 1)
    return yfinance


def _yfinance_ticker(symbol: str):
    return _load_yfinance().Ticker(symbol)


def _with_deadline(work: Callable[[], object], seconds: float, symbol: str):
    """Run ``work()`` in a daemon thread and return its result, or raise :class:`NetworkError` after ``seconds``.

    The thread is abandoned at the deadline (a thread cannot be killed, but it holds no lock of the cache and writes
    nothing, and a daemon thread does not keep the process alive). Waiting is done in short slices, so Ctrl-C
    reaches the main thread at once.
    """
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"fetch {symbol}", daemon=True)
    deadline = time.monotonic() + seconds
    worker.start()
    while worker.is_alive():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NetworkError(f"Yahoo Finance did not answer for {symbol} within {seconds:g} s.",
                               "check the network connection, or raise --timeout; the cache is unchanged.")
        worker.join(min(remaining, 0.05))
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def check_fetch_request(start, end, interval: str = "1d", *, timeout: float = DEFAULT_TIMEOUT,
                        tickers: Iterable[str] = (), today: dt.date | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Check a fetch's arguments before any request; return the inclusive range as Timestamps.

    Parameters
    ----------
    start, end : date-like
        Plain dates (``YYYY-MM-DD``); ``start <= end <= today``.
    interval : {"1d", "1h"}
    timeout : float
        Seconds for the whole work of one ticker; must be positive.
    tickers : iterable of str
        The symbols; the range must hold at least one session of each one's calendar.
    today : date, optional
        Defaults to the current date.

    Raises
    ------
    AnalysisError, EventDateError
        With the problem and the fix; nothing has been fetched and the cache is unchanged.
    """
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise AnalysisError(f"--timeout {timeout} is not a positive number of seconds.",
                            "give the seconds allowed for each ticker, e.g. --timeout 20.")
    start_ts, end_ts = cal.to_date(start), cal.to_date(end)
    today_ts = cal.to_date(today or dt.date.today())
    if start_ts > end_ts:
        raise EventDateError(f"the range {start_ts.date()}..{end_ts.date()} ends before it starts.",
                             "swap --start and --end.")
    if end_ts > today_ts:
        raise EventDateError(f"--end {end_ts.date()} is in the future (today is {today_ts.date()}); Yahoo Finance "
                             "has no prices for it yet.", f"end at {today_ts.date()} or earlier.")
    for symbol in tickers:
        _check_lookback(normalize_ticker(symbol), start_ts, interval, today)
    for calendar in sorted({cal.calendar_for(normalize_ticker(t)) for t in tickers}):
        if len(cal.sessions(start_ts, end_ts, calendar)) == 0:
            raise EventDateError(f"there is no {calendar} session in {start_ts.date()}..{end_ts.date()} (a weekend "
                                 "or a holiday).", "widen the range to include a trading day.")
    return start_ts, end_ts


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
        Seconds for the whole download of this ticker (every request yfinance makes for it).
    ticker_factory : callable, optional
        Builds the object whose ``history`` is called; ``yfinance.Ticker`` by default. Tests pass a stand-in.
    today : date, optional
        Sessions after ``today - 1`` may legitimately be missing; defaults to the current date.
    """
    symbol = normalize_ticker(ticker)
    start_ts, end_ts = cal.to_date(start), cal.to_date(end)
    factory = ticker_factory or _yfinance_ticker
    _check_lookback(symbol, start_ts, interval, today)
    if ticker_factory is None:
        _load_yfinance()  # in this thread, so that no abandoned download ever holds the import lock

    def download():
        return factory(symbol).history(start=start_ts.strftime("%Y-%m-%d"),
                                       end=(end_ts + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                                       interval=interval, auto_adjust=False, actions=True, timeout=timeout,
                                       raise_errors=True)

    try:
        raw = _with_deadline(download, timeout, symbol)
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
    with cache._locked():  # read, merge and write as one step: another writer cannot slip in between
        if interval in INTRADAY_INTERVALS:
            return _bars_into_cache(symbol, fetched, interval, cache)
        return _merge_into_cache(cache, symbol, fetched, interval)


def _merge_into_cache(cache: Cache, symbol: str, fetched: pd.DataFrame, interval: str) -> FetchOutcome:
    try:
        if not cache.manifest_path.exists():  # a new cache folder: the fetch starts it
            raise UnknownTickerError(symbol)
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
    symbols = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    check_fetch_request(start, end, interval, timeout=timeout, tickers=symbols, today=today)
    iterator: Iterable[str] = symbols
    if progress and len(symbols) > 1:
        from tqdm import tqdm

        iterator = tqdm(symbols, desc="fetching", unit="ticker", leave=False)  # erased when done or interrupted
    outcomes = []
    try:
        for symbol in iterator:
            try:
                outcomes.append(fetch_into_cache(symbol, start, end, interval, cache=cache, timeout=timeout,
                                                 ticker_factory=ticker_factory, today=today))
            except AnalysisError as exc:
                text = str(exc) if symbol in exc.message else f"{symbol}: {exc}"
                outcomes.append(FetchOutcome(symbol, False, text))
    finally:
        if hasattr(iterator, "close"):
            iterator.close()
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
        if not cache.manifest_path.exists():  # a new cache folder: the fetch starts it
            raise UnknownTickerError(symbol)
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
