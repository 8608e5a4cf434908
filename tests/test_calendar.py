"""The calendar module: XNYS sessions, day 0 and relative sessions (hand-checked dates)."""

import pandas as pd
import pytest

from analysis import calendar as cal
from analysis.errors import EventDateError


@pytest.mark.parametrize("date, expected", [
    ("2025-01-09", False),  # national day of mourning for President Carter
    ("2025-01-20", False),  # Martin Luther King Jr. Day
    ("2024-06-19", False),  # Juneteenth
    ("2025-01-25", False),  # Saturday
    ("2025-01-24", True),
    ("2025-01-27", True),
])
def test_xnys_sessions_are_not_business_days(date, expected):
    assert cal.is_session(date) is expected


def test_business_days_would_be_wrong():
    sessions = cal.sessions("2025-01-02", "2025-01-31")
    business = pd.bdate_range("2025-01-02", "2025-01-31")
    assert len(business) - len(sessions) == 2
    assert set(business.difference(sessions).date.astype(str)) == {"2025-01-09", "2025-01-20"}


def test_weekend_event_date_maps_to_monday_with_a_note():
    day0 = cal.event_day0("2025-01-25")
    assert day0.session == pd.Timestamp("2025-01-27")
    assert not day0.is_exact
    assert "not an XNYS session" in day0.note and "2025-01-27" in day0.note


def test_session_event_date_is_day0_without_note():
    day0 = cal.event_day0("2025-01-27")
    assert day0.session == pd.Timestamp("2025-01-27") and day0.note is None and day0.is_exact


def test_holiday_maps_to_next_session():
    assert cal.event_day0("2025-01-09").session == pd.Timestamp("2025-01-10")


def test_relative_sessions_count_sessions():
    index = cal.sessions("2025-01-02", "2025-02-28")
    taus = pd.Series(cal.relative_sessions(index, "2025-01-27"), index=index)
    assert taus[pd.Timestamp("2025-01-27")] == 0
    assert taus[pd.Timestamp("2025-01-24")] == -1          # Friday, not Sunday
    assert taus[pd.Timestamp("2025-01-21")] == -4          # Stargate, after the MLK holiday
    assert taus[pd.Timestamp("2025-01-29")] == 2           # FOMC
    assert taus[pd.Timestamp("2025-02-04")] == 6           # GOOGL earnings
    assert cal.session_at(index, "2025-01-27", -5) == pd.Timestamp("2025-01-17")


def test_crypto_calendar_has_every_day():
    assert cal.calendar_for("BTC-USD") == "24/7" and cal.timezone_for("24/7") == "UTC"
    days = cal.sessions("2025-01-25", "2025-01-27", "24/7")
    assert list(days.date.astype(str)) == ["2025-01-25", "2025-01-26", "2025-01-27"]
    assert cal.event_day0("2025-01-25", "24/7").note is None


@pytest.mark.parametrize("bad", ["not-a-date", "2025-13-45", ""])
def test_nonsense_dates_get_a_clear_error(bad):
    with pytest.raises(EventDateError, match="is not a date|YYYY-MM-DD"):
        cal.event_day0(bad)


def test_day0_outside_index():
    index = cal.sessions("2025-01-02", "2025-01-10")
    with pytest.raises(EventDateError, match="not in the data"):
        cal.relative_sessions(index, "2025-01-27")
    with pytest.raises(EventDateError, match="outside the data"):
        cal.session_at(index, "2025-01-03", -10)


@pytest.mark.parametrize("bad", ["1800-01-01", "1989-12-29"])
def test_dates_before_the_trusted_calendar_are_refused(bad):
    with pytest.raises(EventDateError, match="before 1990-01-01"):
        cal.event_day0(bad)


def test_first_trusted_date_maps_cleanly():
    assert cal.event_day0("1990-01-01").session == pd.Timestamp("1990-01-02")
