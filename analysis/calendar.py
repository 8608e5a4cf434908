"""Trading sessions, event day 0 and relative session numbers.

Time rules, stated once (after exchange_calendars):

* **Sessions, not business days.** A US-listed stock, ETF or index trades on the sessions of the NYSE calendar
  ``XNYS`` (timezone America/New_York). pandas business days are wrong here: the NYSE was shut on 9 Jan 2025
  (national day of mourning for President Carter) and on 20 Jan 2025 (Martin Luther King Jr. Day).
* **Crypto trades every calendar day.** BTC-USD uses the ``24/7`` calendar; its days are UTC days
  (00:00-24:00 UTC), so its "previous close" for 27 Jan 2025 is that of 26 Jan.
* **Day 0.** The event day 0 is the first session on or after the event date, in the exchange's own calendar.
  When the date itself is not a session, :func:`event_day0` says so in ``note`` (25 Jan 2025, a Saturday, maps to
  Monday 27 Jan 2025).
* **Relative days.** Relative day tau counts sessions from day 0: tau = -1 is the previous session (Friday
  24 Jan 2025 for the DeepSeek shock), not the previous calendar day.

Dates are handled as tz-naive ``pandas.Timestamp`` at midnight, meaning "the session of that local date".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .config import CRYPTO_CALENDAR, CRYPTO_TICKERS, CRYPTO_TIMEZONE, EXCHANGE_CALENDAR, EXCHANGE_TIMEZONE
from .errors import EventDateError

#: The calendars the project knows, with their timezones.
CALENDAR_TIMEZONES = {EXCHANGE_CALENDAR: EXCHANGE_TIMEZONE, CRYPTO_CALENDAR: CRYPTO_TIMEZONE}

#: exchange_calendars builds XNYS sessions for any year, but its holiday rules are checked from 1990 on.
EARLIEST_DATE = pd.Timestamp("1990-01-01")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

DateLike = str | dt.date | dt.datetime | pd.Timestamp


def calendar_for(ticker: str) -> str:
    """The calendar a ticker trades on: ``24/7`` for crypto, ``XNYS`` otherwise."""
    return CRYPTO_CALENDAR if ticker.upper() in CRYPTO_TICKERS else EXCHANGE_CALENDAR


def timezone_for(calendar: str) -> str:
    """The timezone in which a calendar's session dates are read."""
    return CALENDAR_TIMEZONES[calendar]


def to_date(value: DateLike) -> pd.Timestamp:
    """A date as a tz-naive midnight Timestamp, with a clear error for nonsense.

    A string must be a plain ``YYYY-MM-DD`` date: a time of day (``2024-12-26T10:00``) or a word (``yesterday``)
    is refused rather than silently cut to a date.
    """
    if isinstance(value, str) and not _DATE_RE.fullmatch(value.strip()):
        raise EventDateError(f"{value!r} is not a date in the form YYYY-MM-DD.",
                             "give the date as YYYY-MM-DD, for example 2024-12-26 (a date, not a time or a word).")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise EventDateError(
            f"{value!r} is not a date.", "give the date as YYYY-MM-DD, for example 2024-12-26."
        ) from exc
    if ts is pd.NaT:
        raise EventDateError(f"{value!r} is not a date.", "give the date as YYYY-MM-DD, for example 2024-12-26.")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


class _Sessions:
    """The sessions of one calendar from 1 Jan of ``first_year`` to 31 Dec of ``last_year``, as sorted int64
    nanoseconds (tz-naive midnights), with the regular open and close of each (UTC nanoseconds) for XNYS.

    The XNYS table is exchange_calendars' own answer, kept in :func:`analysis.config.memo_dir` under the library's
    version, so that a command does not import the library and build its holiday rules every time (about 0.3 s);
    the ``24/7`` table is every calendar day. Lookups are binary searches, with exchange_calendars' meaning:
    ``next_session`` is ``date_to_session(date, direction="next")``.
    """

    def __init__(self, calendar: str, first_year: int, last_year: int, days: np.ndarray,
                 opens: np.ndarray | None = None, closes: np.ndarray | None = None) -> None:
        self.calendar = calendar
        self.first = pd.Timestamp(f"{first_year}-01-01")
        self.last = pd.Timestamp(f"{last_year}-12-31")
        self.days, self.opens, self.closes = days, opens, closes

    def _out_of_bounds(self, ts: pd.Timestamp) -> EventDateError:
        return EventDateError(f"{ts.date()} is outside the {self.calendar} calendar ({self.first.date()} to "
                              f"{self.last.date()}).", "choose dates from 1990 to next year.")

    def position(self, ts: pd.Timestamp, side: str = "left") -> int:
        if not self.first <= ts <= self.last:
            raise self._out_of_bounds(ts)
        return int(np.searchsorted(self.days, ts.value, side=side))

    def next_session(self, ts: pd.Timestamp) -> tuple[int, pd.Timestamp]:
        """The position and date of the first session on or after ``ts``."""
        i = self.position(ts)
        if i == len(self.days):
            raise self._out_of_bounds(ts)
        return i, pd.Timestamp(int(self.days[i]))

    def in_range(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        return self.days[self.position(start):self.position(end, side="right")]


def _library_tag() -> str:
    """exchange_calendars' installed version, read from its dist-info folder's name (``importlib.metadata`` would
    cost a command more than the memo saves), or the stamp of its package when no dist-info is found."""
    from importlib.util import find_spec

    spec = find_spec("exchange_calendars")
    if spec is None or spec.origin is None:
        raise EventDateError("exchange_calendars is not installed.",
                             "install the project's dependencies: make test (or pip install -e .).")
    package = Path(spec.origin).parent
    infos = sorted(package.parent.glob("exchange_calendars-*.dist-info"))
    if infos:
        return infos[-1].name.removesuffix(".dist-info")
    stat = (package / "exchange_calendar_xnys.py").stat()
    return f"exchange_calendars-{stat.st_size}-{stat.st_mtime_ns}"


def _memo_path(calendar: str, first_year: int, last_year: int) -> Path:
    from .config import memo_dir

    tag = re.sub(r"[^A-Za-z0-9]+", "", calendar)
    return memo_dir() / f"sessions-{tag}-{first_year}-{last_year}-{_library_tag()}.npy"


def _read_memo(path: Path, first_year: int, last_year: int) -> np.ndarray | None:
    """The memo's (3, n) table, or None when it is missing or does not hold what a calendar's sessions must."""
    try:
        table = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if table.ndim != 2 or table.shape[0] != 3 or table.shape[1] < 250 or table.dtype != np.int64:
        return None
    days, opens, closes = table
    day = 86_400 * 10**9
    if (np.any(np.diff(days) <= 0) or np.any(days % day) or np.any(closes <= opens)
            or days[0] < pd.Timestamp(f"{first_year}-01-01").value
            or days[-1] > pd.Timestamp(f"{last_year}-12-31").value):
        return None
    return table


def _build_exchange_table(calendar: str, first_year: int, last_year: int) -> np.ndarray:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars 4.x reads Series.values of tz-aware data, which pandas 3.1 deprecates; not ours to fix.
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        xcal = xcals.get_calendar(calendar, start=f"{first_year}-01-01", end=f"{last_year}-12-31")
        days = pd.DatetimeIndex(xcal.sessions).as_unit("ns").asi8
        opens = pd.DatetimeIndex(xcal.opens).as_unit("ns").asi8
        closes = pd.DatetimeIndex(xcal.closes).as_unit("ns").asi8
    return np.vstack([days, opens, closes]).astype(np.int64)


@lru_cache(maxsize=8)
def _calendar_table(calendar: str, first_year: int, last_year: int) -> _Sessions:
    if calendar == CRYPTO_CALENDAR:
        days = np.arange(f"{first_year}-01-01", f"{last_year + 1}-01-01", dtype="datetime64[D]")
        return _Sessions(calendar, first_year, last_year, days.astype("datetime64[ns]").astype(np.int64))
    path = _memo_path(calendar, first_year, last_year)
    table = _read_memo(path, first_year, last_year)
    if table is None:
        table = _build_exchange_table(calendar, first_year, last_year)
        from .cache import atomic_write_bytes  # here: the cache module imports this one

        payload = io.BytesIO()
        np.save(payload, table, allow_pickle=False)
        with contextlib.suppress(OSError):  # a memo that cannot be written costs the next command the build only
            atomic_write_bytes(path, payload.getvalue())
    days, opens, closes = table
    return _Sessions(calendar, first_year, last_year, days, opens, closes)


def _check_calendar_request(calendar: str, earliest: pd.Timestamp) -> None:
    """One line for a calendar the project does not know, or a date before the calendars it trusts."""
    if calendar not in CALENDAR_TIMEZONES:
        raise EventDateError(f"unknown calendar {calendar!r}.", f"use one of {sorted(CALENDAR_TIMEZONES)}.")
    if earliest < EARLIEST_DATE:
        raise EventDateError(f"{earliest.date()} is before {EARLIEST_DATE.date()}, the start of the calendars this "
                             "project trusts.", f"choose dates from {EARLIEST_DATE.date()} on.")


def sessions(start: DateLike, end: DateLike, calendar: str = EXCHANGE_CALENDAR) -> pd.DatetimeIndex:
    """The trading sessions from ``start`` to ``end`` inclusive, as a tz-naive DatetimeIndex named ``session``.

    Parameters
    ----------
    start, end : date-like
        Inclusive bounds. They need not be sessions themselves.
    calendar : {"XNYS", "24/7"}
        The exchange calendar (exchange_calendars code).
    """
    start_ts, end_ts = to_date(start), to_date(end)
    if end_ts < start_ts:
        raise EventDateError(f"the range {start_ts.date()}..{end_ts.date()} ends before it starts.",
                             "swap the start and end dates.")
    _check_calendar_request(calendar, start_ts)
    found = _calendar_object(calendar, start_ts, end_ts).in_range(start_ts, end_ts)
    return pd.DatetimeIndex(found.astype("datetime64[ns]"), name="session")


def is_session(date: DateLike, calendar: str = EXCHANGE_CALENDAR) -> bool:
    """Whether ``date`` is a session of ``calendar``."""
    ts = to_date(date)
    return len(sessions(ts, ts, calendar)) == 1


@dataclass(frozen=True)
class Day0:
    """The result of mapping an event date to its event day 0.

    Attributes
    ----------
    event_date : pandas.Timestamp
        The date the user gave.
    session : pandas.Timestamp
        Day 0: the first session on or after ``event_date``.
    calendar : str
        The calendar used.
    note : str or None
        Set when ``event_date`` is not itself a session.
    """

    event_date: pd.Timestamp
    session: pd.Timestamp
    calendar: str
    note: str | None = None

    @property
    def is_exact(self) -> bool:
        """True when the event date itself is a session."""
        return self.event_date == self.session


def _years(*dates: pd.Timestamp) -> tuple[int, int]:
    """The span of years a calendar table covers: from the year before :data:`EARLIEST_DATE` to the year after the
    latest of ``dates`` and today (one table, built once and kept, serves every request of a year)."""
    end = max([*dates, pd.Timestamp(dt.date.today())]).year + 1
    return EARLIEST_DATE.year - 1, end


def _calendar_object(calendar: str, *dates: pd.Timestamp) -> _Sessions:
    return _calendar_table(calendar, *_years(*dates))


def event_day0(event_date: DateLike, calendar: str = EXCHANGE_CALENDAR) -> Day0:
    """Map an event date to event day 0: the first session on or after it
    (exchange_calendars' ``date_to_session(date, direction="next")``).

    Parameters
    ----------
    event_date : date-like
        A calendar date, YYYY-MM-DD.
    calendar : {"XNYS", "24/7"}

    Returns
    -------
    Day0
        With ``note`` set when the date itself is not a session.

    Examples
    --------
    >>> event_day0("2025-01-25").session.date()
    datetime.date(2025, 1, 27)
    """
    ts = to_date(event_date)
    _check_calendar_request(calendar, ts)
    _, day0 = _calendar_object(calendar, ts).next_session(ts)
    note = None
    if day0 != ts:
        note = (f"{ts.date()} ({ts.day_name()}) is not an {calendar} session; day 0 is the next session, "
                f"{day0.date()} ({day0.day_name()}).")
    return Day0(event_date=ts, session=day0, calendar=calendar, note=note)


def sessions_between(day0: DateLike, date: DateLike, calendar: str = EXCHANGE_CALENDAR) -> int | None:
    """The relative session tau at which news dated ``date`` is first traded, counted from ``day0``.

    A date that is not a session maps to the next session (news of a Sunday is traded on Monday). Uses
    exchange_calendars' ``date_to_session`` and ``sessions_distance``; ``None`` outside the calendar.

    Parameters
    ----------
    day0 : date-like
        A session.
    date : date-like
        Any calendar date.

    Returns
    -------
    int or None
    """
    start, ts = to_date(day0), to_date(date)
    try:
        table = _calendar_object(calendar, start, ts)
        origin, _ = table.next_session(start)
        found, _ = table.next_session(ts)
    except EventDateError:
        return None
    return found - origin


def relative_sessions(index: pd.DatetimeIndex, day0: DateLike) -> pd.Index:
    """Relative session numbers tau for the dates of ``index``, counted from ``day0``.

    ``index`` must be the complete, ascending list of sessions (the cache guarantees that for its files). Day 0 must
    be in it.
    """
    ts = to_date(day0)
    positions = pd.Index(index).get_indexer([ts])
    if positions[0] < 0:
        raise EventDateError(f"day 0 ({ts.date()}) is not in the data ({index[0].date()}..{index[-1].date()}).",
                             "choose an event date inside the cached range, or fetch more history.")
    return pd.Index(range(-int(positions[0]), len(index) - int(positions[0])), name="tau")


def session_at(index: pd.DatetimeIndex, day0: DateLike, tau: int) -> pd.Timestamp:
    """The session at relative day ``tau`` from ``day0`` within ``index``."""
    taus = relative_sessions(index, day0)
    pos = taus.get_indexer([tau])[0]
    if pos < 0:
        raise EventDateError(f"relative day {tau} from {to_date(day0).date()} falls outside the data "
                             f"({index[0].date()}..{index[-1].date()}).",
                             "use a narrower window or fetch more history.")
    return index[pos]


#: Extended-hours trading on US venues: pre-market from 04:00 ET, after hours until 20:00 ET (exchange_calendars
#: gives only the regular session; these two bounds are the venues' convention, e.g. Nasdaq's).
PRE_MARKET_START = dt.time(4, 0)
POST_MARKET_END = dt.time(20, 0)


@dataclass(frozen=True)
class SessionHours:
    """One session's trading hours, as tz-aware timestamps in the exchange's timezone.

    Attributes
    ----------
    session : pandas.Timestamp
        The session's local date (tz-naive midnight).
    pre_open, open, close, post_close : pandas.Timestamp
        Pre-market start (04:00), the regular open and close (``session_open``/``session_close`` of
        exchange_calendars, so early closes are right), and the end of after hours (20:00).
    """

    session: pd.Timestamp
    pre_open: pd.Timestamp
    open: pd.Timestamp
    close: pd.Timestamp
    post_close: pd.Timestamp

    @property
    def regular_minutes(self) -> int:
        """Length of the regular session in minutes (390 on a full day)."""
        return int((self.close - self.open) / pd.Timedelta(minutes=1))


def session_hours(date: DateLike, calendar: str = EXCHANGE_CALENDAR) -> SessionHours:
    """The pre-market, regular and after-hours bounds of the session on ``date`` (exchange_calendars XNYS).

    Parameters
    ----------
    date : date-like
        Must be a session of ``calendar``.
    calendar : str
        ``XNYS`` (the only calendar with regular hours here).

    Returns
    -------
    SessionHours
        Times in America/New_York.

    Raises
    ------
    EventDateError
        When ``date`` is not a session, or the calendar has no trading hours (``24/7``).
    """
    ts = to_date(date)
    if calendar != EXCHANGE_CALENDAR:
        raise EventDateError(f"the {calendar} calendar has no regular trading hours.",
                             "intraday sessions are defined for XNYS only.")
    if not is_session(ts, calendar):
        raise EventDateError(f"{ts.date()} ({ts.day_name()}) is not a {calendar} session.",
                             "choose a trading day; `python -m analysis day0 DATE` gives the next one.")
    table = _calendar_object(calendar, ts)
    at, _ = table.next_session(ts)
    tz = timezone_for(calendar)
    opens = pd.Timestamp(int(table.opens[at]), tz="UTC").tz_convert(tz)
    closes = pd.Timestamp(int(table.closes[at]), tz="UTC").tz_convert(tz)
    local = ts.tz_localize(tz)
    return SessionHours(
        session=ts,
        pre_open=local + pd.Timedelta(hours=PRE_MARKET_START.hour, minutes=PRE_MARKET_START.minute),
        open=opens, close=closes,
        post_close=local + pd.Timedelta(hours=POST_MARKET_END.hour, minutes=POST_MARKET_END.minute),
    )
