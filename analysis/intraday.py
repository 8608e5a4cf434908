"""Within the day: intraday paths against the previous close, and when each quoted figure held.

The daily claim checker (:mod:`analysis.claims`) can tell that a quoted figure was a snapshot taken during the
session (``intraday``, ``matches_open``), not when. With intraday bars of the day (``data/1m``, ``data/5m``, read by
:meth:`analysis.cache.Cache.read_bars`), this module answers *when* and *for how long*.

Time and prices
---------------
* **Bars** are labelled by their **start**, in America/New_York (ET). A 1-minute bar stamped 09:30 covers
  09:30:00-09:30:59; a window ``["09:30", "10:08"]`` therefore runs from the start of the 09:30 bar to the end of
  the 10:07 bar.
* **The regular session** is exchange_calendars' XNYS ``session_open``..``session_close`` (09:30-16:00 ET, earlier on
  early-close days). Pre-market (from 04:00) and after-hours bars (to 20:00) are kept in the path but never count
  for a claim, a low or a high. The bar that starts at 16:00 holds the closing auction and is after hours.
* **Percentages** are simple changes of raw bar prices against the **previous session's close**, in percent:
  ``100 * (price / previous_close - 1)``. Which close is used is always said (:class:`PreviousClose`): the raw
  daily close from the daily cache where there is one (META 647.49 on 24 Jan 2025); else the close of the
  previous session's closing bar in the intraday file; else (an ETF whose daily file is adjusted) the adjusted
  daily close scaled to raw levels by the ratio of the bars' regular-session high to the daily high, labelled
  *derived*. No path is ever interpolated from daily data.

When a claim held
-----------------
A claim holds during a bar when it is true at some price inside the bar's low-high range (the same reading as the
daily checker's ``intraday`` verdict and its ``down_during_day`` flag, MacKinlay-style simple returns against the
previous close):

* a **direction** claim ``down`` holds while the bar's low is below the previous close (``up``: the high above it);
* a **numeric** claim holds while the quoted figure lies inside ``[low_pct - tol, high_pct + tol]``, where ``tol`` is
  half a unit of the quoted last digit (:func:`analysis.claims.tolerance_from_text`).

Consecutive held bars form one window; a missing bar ends a window (nothing is filled in). The resolution is the
bar: with 5-minute bars a window is known to five minutes.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import calendar as cal
from .cache import INTERVAL_MINUTES, Cache, normalize_ticker
from .errors import CacheMissError, DataGapError, UnknownTickerError

#: Relative slack (percentage points) of every tolerance comparison, as in :mod:`analysis.claims`.
FLOAT_SLACK_PCT = 1e-9
#: Daily close bases that are raw price levels (data/SOURCES.md, "What close means").
RAW_BASES = ("raw", "split_adjusted", "fetched_raw")


def _hhmm(ts: pd.Timestamp) -> str:
    return ts.tz_convert(cal.EXCHANGE_TIMEZONE).strftime("%H:%M")


# --------------------------------------------------------------------------------------------------------------------
# The previous close
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviousClose:
    """The reference of every percentage: the previous session's close, and where it comes from.

    Attributes
    ----------
    value : float
        The price level.
    session : pandas.Timestamp
        The previous session (tz-naive date).
    basis : {"raw daily close", "closing bar", "derived"}
        Where the value comes from (see the module docstring).
    description : str
        One sentence for the output, e.g. "raw daily close of 2025-01-24 (data/1d/META.csv): 647.49".
    """

    value: float
    session: pd.Timestamp
    basis: str
    description: str


def previous_close(ticker: str, day, bars: pd.DataFrame, cache: Cache) -> PreviousClose:
    """The previous session's close of ``ticker`` for day ``day``, as a level to compare raw bars with.

    Parameters
    ----------
    ticker : str
    day : date-like
        The session of the path (an XNYS session).
    bars : pandas.DataFrame
        The ticker's cached bars (:meth:`Cache.read_bars`), used when the daily file has no raw close.
    cache : Cache

    Returns
    -------
    PreviousClose

    Raises
    ------
    DataGapError
        When no previous close can be found without inventing one.
    """
    symbol = normalize_ticker(ticker)
    session = cal.to_date(day)
    prev = cal.sessions(session - pd.Timedelta(days=14), session - pd.Timedelta(days=1))[-1]
    daily, basis = None, None
    try:
        daily = cache.read(symbol)
        basis = cache.close_basis(symbol)
    except UnknownTickerError:
        pass
    if daily is not None and basis in RAW_BASES and prev in daily.index and pd.notna(daily.loc[prev, "close"]):
        value = float(daily.loc[prev, "close"])
        return PreviousClose(value, prev, "raw daily close",
                             f"raw daily close of {prev.date()} (data/1d, close basis {basis}): {value:g}")
    step = pd.Timedelta(minutes=INTERVAL_MINUTES[bars.attrs.get("interval", "1m")])
    hours = cal.session_hours(prev)
    closing = bars[bars.index == hours.close]
    if len(closing):
        value = float(closing["close"].iloc[0])
        return PreviousClose(value, prev, "closing bar",
                             f"close of the {_hhmm(hours.close)} ET (closing-auction) bar of {prev.date()} in the "
                             f"intraday file; no raw daily close is cached: {value:g}")
    last = bars[bars.index == hours.close - step]
    if len(last):
        value = float(last["close"].iloc[0])
        return PreviousClose(value, prev, "closing bar",
                             f"close of the last regular bar ({_hhmm(last.index[0])} ET) of {prev.date()} in the "
                             f"intraday file; no raw daily close is cached: {value:g}")
    if daily is not None and prev in daily.index and session in daily.index:
        today = cal.session_hours(session)
        regular = bars[(bars.index >= today.open) & (bars.index < today.close)]
        adj_high = daily.loc[session, "high"]
        if len(regular) and pd.notna(adj_high) and pd.notna(daily.loc[prev, "close"]):
            ratio = float(regular["high"].max() / adj_high)
            value = float(daily.loc[prev, "close"]) * ratio
            check = daily.loc[session, "open"] * ratio  # the official open on the same scale, for the reader to judge
            return PreviousClose(value, prev, "derived",
                                 f"derived: the {basis} daily close of {prev.date()} ({daily.loc[prev, 'close']:.4f}) "
                                 f"scaled to raw levels by bars' high / daily high ({ratio:.5f}), which assumes the "
                                 f"day's high lies inside the bars (on that scale the daily open is {check:.2f}): "
                                 f"{value:.2f}")
    raise DataGapError(f"no previous close for {symbol} on {prev.date()}: the daily file has no raw close and the "
                       "intraday file no bar of that session's close.",
                       "import a raw daily history of the ticker (python -m analysis cache import ...).")


# --------------------------------------------------------------------------------------------------------------------
# The path of one day
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Extreme:
    """The regular session's low or high: percent against the previous close, the bar's start (ET) and the price."""

    pct: float
    time: pd.Timestamp
    price: float

    def to_dict(self) -> dict:
        """``{"pct": ..., "time": "HH:MM", "price": ...}`` (percent, ET)."""
        return {"pct": round(self.pct, 4), "time": _hhmm(self.time), "price": self.price}


@dataclass(frozen=True)
class IntradayPath:
    """One ticker's bars on one session, in percent against the previous close.

    Attributes
    ----------
    ticker, interval : str
    session : pandas.Timestamp
        The day (tz-naive date).
    hours : analysis.calendar.SessionHours
    previous : PreviousClose
    bars : pandas.DataFrame
        The day's bars (pre-market, regular, after hours) with ``open, high, low, close, volume, source_timestamp,
        segment`` and ``open_pct, high_pct, low_pct, close_pct`` (percent against ``previous.value``).
    """

    ticker: str
    interval: str
    session: pd.Timestamp
    hours: cal.SessionHours
    previous: PreviousClose
    bars: pd.DataFrame = field(repr=False)

    @property
    def step(self) -> pd.Timedelta:
        """The length of one bar."""
        return pd.Timedelta(minutes=INTERVAL_MINUTES[self.interval])

    @property
    def regular(self) -> pd.DataFrame:
        """The regular-session bars (XNYS session_open..session_close)."""
        return self.bars[self.bars["segment"] == "regular"]

    @property
    def coverage(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Start of the first and end of the last regular bar (ET), or None without regular bars."""
        regular = self.regular
        if regular.empty:
            return None
        return regular.index[0], regular.index[-1] + self.step

    @property
    def covers_open(self) -> bool:
        return self.coverage is not None and self.coverage[0] == self.hours.open

    @property
    def covers_close(self) -> bool:
        return self.coverage is not None and self.coverage[1] == self.hours.close

    @property
    def low(self) -> Extreme:
        """The regular session's lowest bar low (first occurrence)."""
        regular = self.regular
        at = regular["low"].idxmin()
        return Extreme(float(regular.loc[at, "low_pct"]), at, float(regular.loc[at, "low"]))

    @property
    def high(self) -> Extreme:
        """The regular session's highest bar high (first occurrence)."""
        regular = self.regular
        at = regular["high"].idxmax()
        return Extreme(float(regular.loc[at, "high_pct"]), at, float(regular.loc[at, "high"]))

    @property
    def open_pct(self) -> float:
        """The first regular bar's open (the first trade, not always the official opening cross), or NaN."""
        return float(self.regular["open_pct"].iloc[0]) if self.covers_open else math.nan

    @property
    def close_pct(self) -> float:
        """The last regular bar's close (the 15:59 bar; the closing auction sits in the 16:00 bar), or NaN when the
        bars end before the close."""
        return float(self.regular["close_pct"].iloc[-1]) if self.covers_close else math.nan

    def to_dict(self) -> dict:
        """JSON-ready summary and the path (close of each bar, percent), times in ET."""
        coverage = self.coverage
        return {
            "ticker": self.ticker, "interval": self.interval, "session": self.session.date().isoformat(),
            "timezone": cal.EXCHANGE_TIMEZONE, "bar_label": "start",
            "previous_close": {"value": self.previous.value, "session": self.previous.session.date().isoformat(),
                               "basis": self.previous.basis, "description": self.previous.description},
            "units": "percent against the previous close (simple, raw prices)",
            "regular_session": [_hhmm(self.hours.open), _hhmm(self.hours.close)],
            "coverage": None if coverage is None else [_hhmm(coverage[0]), _hhmm(coverage[1])],
            "open_pct": None if math.isnan(self.open_pct) else round(self.open_pct, 4),
            "close_pct": None if math.isnan(self.close_pct) else round(self.close_pct, 4),
            "low": None if coverage is None else self.low.to_dict(),
            "high": None if coverage is None else self.high.to_dict(),
            "bars": [{"time": _hhmm(ts), "segment": row.segment, "close": row.close,
                      "close_pct": round(row.close_pct, 4)} for ts, row in self.bars.iterrows()],
        }

    def summary(self) -> str:
        """A few lines: the previous close used, the coverage, the open, low, high and close with their times."""
        coverage = self.coverage
        lines = [f"{self.ticker} {self.interval} bars on {self.session.date()} (times ET, bar start), in % against "
                 f"the previous close: {self.previous.description}.",
                 f"Bars cached that day: {_hhmm(self.bars.index[0])}-{_hhmm(self.bars.index[-1] + self.step)} "
                 f"({len(self.bars)} bars: {', '.join(f'{n} {s}' for s, n in self.bars['segment'].value_counts().items())})."]
        if coverage is None:
            lines.append("No regular-session bars: no low, high, open or close.")
            return "\n".join(lines)
        partial = "" if self.covers_open and self.covers_close else " (part of the session only)"
        lines.append(f"Regular session {_hhmm(self.hours.open)}-{_hhmm(self.hours.close)}; bars cover "
                     f"{_hhmm(coverage[0])}-{_hhmm(coverage[1])}{partial}.")
        low, high = self.low, self.high
        first = "open (first trade)" if self.covers_open else f"first bar ({_hhmm(coverage[0])})"
        lines.append(f"{first}: {self.regular['open_pct'].iloc[0]:+.2f} %")
        lines.append(f"low:  {low.pct:+.2f} % ({low.price:g}) at {_hhmm(low.time)}")
        lines.append(f"high: {high.pct:+.2f} % ({high.price:g}) at {_hhmm(high.time)}")
        last = "last regular bar (15:59)" if self.covers_close else f"last bar ({_hhmm(self.regular.index[-1])})"
        lines.append(f"{last}: {self.regular['close_pct'].iloc[-1]:+.2f} %")
        return "\n".join(lines)

    def path_table(self, every: int = 30) -> pd.DataFrame:
        """The regular-session path, one row every ``every`` minutes (and the last bar): time, close, % change."""
        regular = self.regular
        minutes = ((regular.index - self.hours.open) / pd.Timedelta(minutes=1)).astype(int)
        keep = (minutes % every == 0) | (np.arange(len(regular)) == len(regular) - 1)
        shown = regular[keep]
        return pd.DataFrame({"time (ET)": [_hhmm(t) for t in shown.index], "close": shown["close"].to_numpy(),
                             "% vs prev close": shown["close_pct"].round(2).to_numpy()})

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def plot(self):
        """This path alone in the chart of :func:`analysis.charts.plot_intraday_claims`. Returns a Figure."""
        return DayInTime(self.session, (self,), (), ()).plot()


def intraday_path(ticker: str, day, interval: str | None = None, cache: Cache | None = None) -> IntradayPath:
    """The intraday path of ``ticker`` on session ``day``, against the previous close.

    Parameters
    ----------
    ticker : str
    day : date-like
        The session (the event's day 0; a non-session date is refused).
    interval : {"1m", "5m"}, optional
        Defaults to the finest interval cached for the ticker.
    cache : Cache, optional

    Returns
    -------
    IntradayPath

    Raises
    ------
    UnknownTickerError
        When no intraday bars are cached for the ticker (the message says how to fetch them).
    CacheMissError
        When the bars do not cover ``day``.
    """
    cache = cache or Cache()
    symbol = normalize_ticker(ticker)
    session = cal.to_date(day)
    hours = cal.session_hours(session)
    if interval is None:
        held = cache.bar_intervals(symbol)
        interval = held[0] if held else "1m"
    bars = cache.read_bars(symbol, interval)
    local_day = bars.index.tz_localize(None).normalize()
    today = bars[local_day == session].copy()
    if today.empty:
        days = sorted({d.date().isoformat() for d in local_day})
        raise CacheMissError(f"the {interval} bars of {symbol} do not cover {session.date()} (they hold "
                             f"{', '.join(days)}).",
                             f"fetch them with: python -m analysis fetch {symbol} --interval {interval} --start "
                             f"{session.date()} --end {session.date()} (Yahoo keeps 1m bars for 30 days only).")
    previous = previous_close(symbol, session, bars, cache)
    for column in ("open", "high", "low", "close"):
        today[f"{column}_pct"] = 100.0 * (today[column] / previous.value - 1.0)
    today.attrs.update(bars.attrs)
    return IntradayPath(symbol, interval, session, hours, previous, today)


# --------------------------------------------------------------------------------------------------------------------
# When a claim held
# --------------------------------------------------------------------------------------------------------------------
def held_mask(low_pct, high_pct, claimed_pct: float | None, tolerance_pct: float | None,
              direction: str = "down") -> np.ndarray:
    """Per bar: does the claim hold at some price inside the bar (see the module docstring)?

    Parameters
    ----------
    low_pct, high_pct : array-like
        Each bar's low and high, percent against the previous close.
    claimed_pct, tolerance_pct : float or None
        The quoted figure and half a unit of its last digit; ``None``/NaN for a direction claim.
    direction : {"down", "up"}

    Returns
    -------
    numpy.ndarray of bool
    """
    low = np.asarray(low_pct, dtype=float)
    high = np.asarray(high_pct, dtype=float)
    if claimed_pct is None or (isinstance(claimed_pct, float) and math.isnan(claimed_pct)):
        return low < 0 if direction == "down" else high > 0
    tol = float(tolerance_pct) + FLOAT_SLACK_PCT
    return (low - tol <= claimed_pct) & (claimed_pct <= high + tol)


def windows_from_mask(starts: pd.DatetimeIndex, mask, step: pd.Timedelta) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Merge consecutive held bars into ``[start, end)`` windows; a missing bar (a gap in ``starts``) ends one.

    Parameters
    ----------
    starts : pandas.DatetimeIndex
        The bars' starts, ascending.
    mask : array-like of bool
        Whether the claim held in each bar (:func:`held_mask`).
    step : pandas.Timedelta
        The length of one bar.

    Returns
    -------
    list of (start, end)
        ``start`` is the first held bar's start, ``end`` the last held bar's end (start + ``step``).
    """
    windows: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    mask = np.asarray(mask, dtype=bool)
    for ts, held in zip(starts, mask):
        if not held:
            continue
        if windows and windows[-1][1] == ts:
            windows[-1] = (windows[-1][0], ts + step)
        else:
            windows.append((ts, ts + step))
    return windows


@dataclass(frozen=True)
class ClaimInTime:
    """When one claim held during the regular session: the ``intraday`` object of ``claims --json``.

    Attributes
    ----------
    source_ticker, interval : str
        The bars used.
    proxy : bool
        True when the bars are a declared proxy's (QQQ for the Nasdaq-100), not the claim's own ticker.
    path : IntradayPath
    held : list of (start, end)
        Windows (ET, regular session) during which the claim held.
    """

    claim_ticker: str
    source_ticker: str
    interval: str
    proxy: bool
    path: IntradayPath = field(repr=False)
    held: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]

    @property
    def minutes_held(self) -> int:
        return int(sum((end - start) / pd.Timedelta(minutes=1) for start, end in self.held))

    @property
    def covered_minutes(self) -> int:
        coverage = self.path.coverage
        return 0 if coverage is None else int(len(self.path.regular) * INTERVAL_MINUTES[self.interval])

    @property
    def share_of_session(self) -> float:
        """``minutes_held`` over the whole regular session's minutes (390 on a full day)."""
        return self.minutes_held / self.path.hours.regular_minutes

    def in_words(self) -> str:
        """When the claim held, in words: "true from the open until 10:08 ET, false for the rest of the day"."""
        path = self.path
        coverage = path.coverage
        if coverage is None:
            return "no regular-session bars: when it held is unknown"
        parts = []
        for start, end in self.held:
            if start == path.hours.open and end == path.hours.close:
                parts.append("all day, from the open to the close")
            elif start == path.hours.open:
                parts.append(f"from the open until {_hhmm(end)} ET")
            elif end == path.hours.close:
                parts.append(f"from {_hhmm(start)} ET until the close")
            else:
                parts.append(f"{_hhmm(start)}-{_hhmm(end)} ET")
        unknown = f"; the bars end at {_hhmm(coverage[1])} ET, so the rest of the day is unknown"
        if not parts:
            if path.covers_open and path.covers_close:
                return "never true during the regular session"
            return f"never true during the bars ({_hhmm(coverage[0])}-{_hhmm(coverage[1])} ET)" + (
                "" if path.covers_close else unknown)
        if parts == ["all day, from the open to the close"]:
            return "true all day, from the open to the close"
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        text = f"true {joined} ({self.minutes_held} of {path.hours.regular_minutes} minutes)"
        if self.minutes_held < self.covered_minutes:
            text += ", false for the rest of " + ("the day" if path.covers_close else "the bars")
        return text + ("" if path.covers_close else unknown)

    def to_dict(self) -> dict:
        """The JSON object: interval, source_ticker, proxy, coverage, held_during, low, high, minutes_held, ..."""
        path = self.path
        coverage = path.coverage
        return {
            "available": True,
            "interval": self.interval,
            "source_ticker": self.source_ticker,
            "proxy": self.proxy,
            "timezone": cal.EXCHANGE_TIMEZONE,
            "coverage": None if coverage is None else [_hhmm(coverage[0]), _hhmm(coverage[1])],
            "previous_close": {"value": round(path.previous.value, 4), "basis": path.previous.basis,
                               "description": path.previous.description},
            "held_during": [[_hhmm(a), _hhmm(b)] for a, b in self.held],
            "low": None if coverage is None else path.low.to_dict(),
            "high": None if coverage is None else path.high.to_dict(),
            "minutes_held": self.minutes_held,
            "session_minutes": path.hours.regular_minutes,
            "covered_minutes": self.covered_minutes,
            "share_of_session": round(self.share_of_session, 4),
            "in_words": self.in_words(),
        }


def claim_in_time(path: IntradayPath, claimed_pct: float | None, tolerance_pct: float | None,
                  direction: str = "down", claim_ticker: str | None = None) -> ClaimInTime:
    """When a claim held on ``path``'s regular session.

    Parameters
    ----------
    path : IntradayPath
    claimed_pct, tolerance_pct : float or None
        The quoted figure (percent) and its tolerance; ``None``/NaN for a direction claim.
    direction : {"down", "up"}
    claim_ticker : str, optional
        The claim's own ticker; when it differs from ``path.ticker`` the result is labelled a proxy.

    Returns
    -------
    ClaimInTime
    """
    regular = path.regular
    mask = held_mask(regular["low_pct"], regular["high_pct"], claimed_pct, tolerance_pct, direction)
    held = tuple(windows_from_mask(regular.index, mask, path.step))
    claim_ticker = claim_ticker or path.ticker
    return ClaimInTime(claim_ticker, path.ticker, path.interval, claim_ticker != path.ticker, path, held)


def no_bars_note(ticker: str, proxy: str | None = None) -> str:
    """The one line a claim without intraday bars gets."""
    extra = f" nor for its declared proxy {proxy}" if proxy else " and no proxy is declared"
    return (f"No intraday bars are cached for {ticker}{extra}; when the figure held cannot be told (no path is "
            "interpolated from daily data).")


def intraday_for_claim(claim, cache, proxy: str | None = None) -> dict:
    """The ``intraday`` object of one claim of ``claims --json``.

    A claim uses its own ticker's bars when they are cached, else the bars of the proxy declared in the registry
    (column ``intraday_proxy`` of ``data/claims.csv``), else it gets ``{"available": false, "note": ...}``.

    Parameters
    ----------
    claim : row
        Anything with ``ticker, claimed_pct, tolerance_pct, direction, day0`` (a row of the claims check).
    cache : Cache
        Or any object with ``bar_intervals``, ``read_bars``, ``read`` and ``close_basis``; without
        ``bar_intervals`` the claim gets a note.
    proxy : str, optional
        The declared intraday proxy.

    Returns
    -------
    dict
        :meth:`ClaimInTime.to_dict`, or ``{"available": False, "note": ...}``.
    """
    bar_intervals = getattr(cache, "bar_intervals", None)
    if bar_intervals is None:
        return {"available": False, "note": "This cache holds no intraday bars."}
    source = None
    for candidate in (claim.ticker, proxy):
        if candidate and calendar_ok(candidate) and bar_intervals(candidate):
            source = candidate
            break
    if source is None:
        return {"available": False, "note": no_bars_note(claim.ticker, proxy)}
    day = getattr(claim, "day0", None)
    if day is None or pd.isna(day):
        return {"available": False, "note": f"No day 0 for {claim.ticker}: no intraday path."}
    try:
        path = intraday_path(source, day, cache=cache)
    except (CacheMissError, DataGapError) as exc:
        return {"available": False, "note": str(exc)}
    found = claim_in_time(path, claim.claimed_pct, claim.tolerance_pct, claim.direction, claim.ticker)
    return found.to_dict()


def calendar_ok(ticker: str) -> bool:
    """Intraday sessions are defined for XNYS tickers only (not for 24/7 crypto)."""
    return cal.calendar_for(ticker) == cal.EXCHANGE_CALENDAR


# --------------------------------------------------------------------------------------------------------------------
# Every series and claim of one day (for the chart and the notebook)
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuotedInTime:
    """One registry claim with intraday bars: its id, subject, quoted figure (or direction) and :class:`ClaimInTime`."""

    id: str
    subject: str
    ticker: str
    claimed_pct: float | None
    claimed_text: str
    direction: str
    found: ClaimInTime


@dataclass(frozen=True)
class DayInTime:
    """The intraday paths of every series with bars on ``session``, and when each claim of the registry held.

    Attributes
    ----------
    session : pandas.Timestamp
    paths : tuple of IntradayPath
        1-minute series first, then 5-minute ones, each in ticker order.
    claims : tuple of QuotedInTime
    without_bars : tuple of str
        One line per claim that has no bars (its own or a declared proxy's).
    """

    session: pd.Timestamp
    paths: tuple[IntradayPath, ...]
    claims: tuple[QuotedInTime, ...]
    without_bars: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        """One row per claim with bars: quoted, bars used, windows held (ET), minutes and share, regular low/high."""
        rows = []
        for c in self.claims:
            d = c.found.to_dict()
            rows.append({"claim": c.id, "quoted": c.claimed_text or c.direction,
                         "bars": f"{d['source_ticker']} {d['interval']}" + (" (proxy)" if d["proxy"] else ""),
                         "coverage (ET)": "-".join(d["coverage"]),
                         "held (ET)": ", ".join(f"{a}-{b}" for a, b in d["held_during"]) or "never",
                         "minutes held": d["minutes_held"], "share of session": f"{100 * d['share_of_session']:.0f} %",
                         "low": f"{d['low']['pct']:+.2f} % at {d['low']['time']}",
                         "high": f"{d['high']['pct']:+.2f} % at {d['high']['time']}"})
        return pd.DataFrame(rows)

    def in_words(self) -> str:
        """Markdown bullets: when each claim held, and which claims have no bars."""
        lines = [f"* **{c.subject}** ({c.ticker}, quoted {c.claimed_text + ' %' if c.claimed_text else c.direction}"
                 f"{f'; on {c.found.source_ticker} bars, a proxy' if c.found.proxy else ''}): {c.found.in_words()}."
                 for c in self.claims]
        lines += [f"* {line}" for line in self.without_bars]
        return "\n".join(lines)

    def plot(self):
        """The chart of :func:`analysis.charts.plot_intraday_claims`."""
        from .charts import plot_intraday_claims

        return plot_intraday_claims(self)


def day_in_time(day, cache: Cache | None = None, registry=None) -> DayInTime:
    """Every cached intraday series on session ``day`` and every registry claim about that day, in time.

    Parameters
    ----------
    day : date-like
        The event's day 0 (an XNYS session).
    cache : Cache, optional
    registry : DataFrame or path, optional
        The claims registry (default ``data/claims.csv``); a claim is about ``day`` when its own day 0 is ``day``.

    Returns
    -------
    DayInTime
    """
    from .claims import load_registry

    cache = cache or Cache()
    session = cal.to_date(day)
    claims = registry if isinstance(registry, pd.DataFrame) else load_registry(registry)
    paths: dict[str, IntradayPath] = {}
    for interval in ("1m", "5m"):
        for entry in sorted((e for e in cache.manifest().values() if e.kind == "bars" and e.interval == interval),
                            key=lambda e: e.ticker):
            if entry.ticker in paths:
                continue
            try:
                paths[entry.ticker] = intraday_path(entry.ticker, session, interval, cache)
            except (CacheMissError, DataGapError):
                continue
    found, missing = [], []
    for row in claims.itertuples(index=False):
        if not calendar_ok(row.ticker):
            missing.append(f"{row.id} ({row.ticker}): a 24/7 series; intraday sessions are defined for XNYS only.")
            continue
        if cal.event_day0(row.event_date).session != session:
            continue
        proxy = getattr(row, "intraday_proxy", "") or None
        source = row.ticker if row.ticker in paths else (proxy if proxy in paths else None)
        if source is None:
            missing.append(f"{row.id}: {no_bars_note(row.ticker, proxy)}")
            continue
        claimed = None if pd.isna(row.claimed_pct) else float(row.claimed_pct)
        result = claim_in_time(paths[source], claimed, row.tolerance_pct, row.direction, row.ticker)
        found.append(QuotedInTime(row.id, row.subject, row.ticker, claimed, row.claimed_text, row.direction, result))
    return DayInTime(session, tuple(paths.values()), tuple(found), tuple(missing))


def has_intraday_for(event, cache: Cache | None = None) -> bool:
    """Whether any cached intraday bars (``1m`` or ``5m``) cover the event's day 0 (from the manifest; no file read).

    Parameters
    ----------
    event : analysis.events.EventConfig
    cache : Cache, optional

    Returns
    -------
    bool
    """
    cache = cache or Cache()
    day = event.day0().session.date().isoformat()
    return any(entry.kind == "bars" and str(entry.first)[:10] <= day <= str(entry.last)[:10]
               for entry in cache.manifest().values())
