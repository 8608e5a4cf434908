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


# --- the memo of the exchange calendar's sessions ---------------------------------------------------------------


@pytest.fixture
def fresh_memo(tmp_path, monkeypatch):
    """An empty memo folder, and no table held in memory."""
    monkeypatch.setenv("ANALYSIS_MEMO_DIR", str(tmp_path / "memo"))
    cal._calendar_table.cache_clear()
    yield tmp_path / "memo"
    cal._calendar_table.cache_clear()


def test_the_table_is_exchange_calendars_own_answer(fresh_memo):
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xnys = xcals.get_calendar("XNYS", start="1989-01-01", end="2026-12-31")
    ours = cal.sessions("1990-01-01", "2026-12-31")
    theirs = xnys.sessions_in_range("1990-01-01", "2026-12-31")
    assert list(ours) == list(theirs) and len(ours) == 9318
    for day in ["1990-01-01", "2001-09-11", "2012-10-29", "2025-01-09", "2025-01-25", "2026-11-26"]:
        assert cal.event_day0(day).session == xnys.date_to_session(day, direction="next")
    for day in ["2024-11-29", "2025-01-27", "2025-07-03", "2025-12-24"]:  # two full days, two early closes
        hours = cal.session_hours(day)
        assert hours.open == xnys.session_open(day).tz_convert("America/New_York")
        assert hours.close == xnys.session_close(day).tz_convert("America/New_York")
    assert cal.sessions_between("2025-01-27", "2025-01-08") == -xnys.sessions_distance("2025-01-08", "2025-01-27") + 1
    assert cal.sessions_between("2025-01-27", "2025-02-01") == 5  # a Saturday trades on Monday 3 Feb


def test_a_command_reads_the_memo_without_importing_exchange_calendars(fresh_memo):
    import os
    import subprocess
    import sys

    cal.event_day0("2025-01-25")  # builds the table and writes the memo
    written = list(fresh_memo.glob("sessions-XNYS-*.npy"))
    assert len(written) == 1 and written[0].stat().st_mode & 0o777 == 0o666 & ~_umask()
    code = ("import sys; from analysis import calendar as c; d = c.event_day0('2025-01-25');"
            "print(d.session.date(), 'exchange_calendars' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "ANALYSIS_MEMO_DIR": str(fresh_memo)})
    assert done.stdout.split() == ["2025-01-27", "False"]


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("damage", [b"", b"not a numpy file", "shuffled"])
def test_a_damaged_memo_is_rebuilt_not_trusted(fresh_memo, damage):
    import numpy as np

    expected = cal.sessions("2024-12-20", "2025-01-31")
    path = next(fresh_memo.glob("sessions-XNYS-*.npy"))
    if damage == "shuffled":  # a valid array whose sessions are out of order
        table = np.load(path)
        np.save(path, table[:, ::-1].copy())
    else:
        path.write_bytes(damage)
    cal._calendar_table.cache_clear()
    assert cal.sessions("2024-12-20", "2025-01-31").equals(expected)
    assert cal.is_session("2025-01-09") is False
    assert np.all(np.diff(np.load(path)[0]) > 0)  # rewritten


def test_an_unwritable_memo_folder_costs_only_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ANALYSIS_MEMO_DIR", str(blocker / "memo"))
    cal._calendar_table.cache_clear()
    try:
        assert cal.event_day0("2025-01-25").session == pd.Timestamp("2025-01-27")
    finally:
        cal._calendar_table.cache_clear()
    assert blocker.read_text() == "not a folder"


def test_dates_past_the_table_extend_it(fresh_memo):
    assert cal.event_day0("2031-01-01").session == pd.Timestamp("2031-01-02")  # New Year's Day, a Wednesday
