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

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import exchange_calendars as xcals
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


@lru_cache(maxsize=8)
def _exchange_calendar(name: str, start_year: int, end_year: int) -> xcals.ExchangeCalendar:
    with warnings.catch_warnings():
        # exchange_calendars 4.x reads Series.values of tz-aware data, which pandas 3.1 deprecates; not ours to fix.
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        return xcals.get_calendar(name, start=f"{start_year}-01-01", end=f"{end_year}-12-31")


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
    try:
        cal = _exchange_calendar(calendar, *_years(start_ts, end_ts))
        found = cal.sessions_in_range(start_ts, end_ts)
    except (xcals.errors.DateOutOfBounds, xcals.errors.CalendarError, ValueError) as exc:
        raise EventDateError(f"{start_ts.date()}..{end_ts.date()} is outside the {calendar} calendar ({exc}).",
                             "choose dates from 1990 to next year.") from None
    return pd.DatetimeIndex(found.tz_localize(None) if found.tz is not None else found, name="session").as_unit("ns")


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
    """The span of years a calendar is built for: from five-year steps before the earliest date (so that nearby
    requests share one cached calendar; building from 1990 on every command cost about 0.1 s each), to next year."""
    first = min(dates).year - 1
    start = max(EARLIEST_DATE.year - 1, first - first % 5)
    end = max([*dates, pd.Timestamp(dt.date.today())]).year + 1
    return start, end


def _calendar_object(calendar: str, *dates: pd.Timestamp) -> xcals.ExchangeCalendar:
    return _exchange_calendar(calendar, *_years(*dates))


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
    try:
        day0 = pd.Timestamp(_calendar_object(calendar, ts).date_to_session(ts, direction="next"))
    except (xcals.errors.DateOutOfBounds, xcals.errors.CalendarError, ValueError) as exc:
        raise EventDateError(f"{ts.date()} is outside the {calendar} calendar ({exc}).",
                             "choose dates from 1990 to next year.") from None
    day0 = day0.tz_localize(None) if day0.tzinfo is not None else day0
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
        cal = _calendar_object(calendar, start, ts)
        session = pd.Timestamp(cal.date_to_session(ts, direction="next"))
        session = session.tz_localize(None) if session.tzinfo is not None else session
        if session >= start:
            return int(cal.sessions_distance(start, session)) - 1
        return -(int(cal.sessions_distance(session, start)) - 1)
    except (xcals.errors.DateOutOfBounds, xcals.errors.CalendarError, ValueError):
        return None


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
    xcal = _exchange_calendar(calendar, *_years(ts))
    tz = timezone_for(calendar)
    opens = xcal.session_open(ts).tz_convert(tz)
    closes = xcal.session_close(ts).tz_convert(tz)
    local = ts.tz_localize(tz)
    return SessionHours(
        session=ts,
        pre_open=local + pd.Timedelta(hours=PRE_MARKET_START.hour, minutes=PRE_MARKET_START.minute),
        open=opens, close=closes,
        post_close=local + pd.Timedelta(hours=POST_MARKET_END.hour, minutes=POST_MARKET_END.minute),
    )
