"""Intraday bars: when each quoted figure held (analysis.intraday), the bar files' own cache rules, the fetch path
for 1m/5m bars, and the claims' ``intraday`` object. Synthetic days are built here in code; data/ holds real bars."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from analysis import cli
from analysis.cache import bar_segments, check_bars, parse_bars_csv, serialize_bars
from analysis.calendar import session_hours
from analysis.errors import FetchError, UnknownTickerError
from analysis.intraday import (
    IntradayPath,
    PreviousClose,
    claim_in_time,
    held_mask,
    intraday_path,
    windows_from_mask,
)
from analysis.market_data import fetch_history, fetch_into_cache
from fake_yfinance import FakeTicker, factory

DAY = pd.Timestamp("2025-01-27")  # a Monday session; any full XNYS session would do
TODAY = pd.Timestamp("2025-02-10").date()


# ---------------------------------------------------------------------------------------------------------------------
# A small synthetic day (5-minute bars, previous close 100), with hand-checked windows
# ---------------------------------------------------------------------------------------------------------------------
def synthetic_path(closes: np.ndarray, spread: float = 0.01) -> IntradayPath:
    """78 regular 5-minute bars whose open is the previous bar's close; low/high = min/max(open, close) -+ spread."""
    hours = session_hours(DAY)
    index = pd.date_range(hours.open, periods=len(closes), freq="5min", name="timestamp")
    opens = np.r_[closes[0], closes[:-1]]
    bars = pd.DataFrame({"open": opens, "high": np.maximum(opens, closes) + spread,
                         "low": np.minimum(opens, closes) - spread, "close": closes, "volume": 1.0,
                         "source_timestamp": [t.isoformat() for t in index]}, index=index)
    bars["segment"] = "regular"
    for column in ("open", "high", "low", "close"):
        bars[f"{column}_pct"] = bars[column] - 100.0  # previous close 100: pct = price - 100
    previous = PreviousClose(100.0, DAY - pd.Timedelta(days=3), "raw daily close", "synthetic: 100")
    return IntradayPath("SYN", "5m", DAY, hours, previous, bars)


@pytest.fixture(scope="module")
def wave() -> IntradayPath:
    """Down to 97 by 10:00, back to 101 by 12:00, down to 97.5 around 14:00, ending at 99 (hand-built)."""
    closes = np.full(78, 99.0)
    closes[:7] = [99.0, 98.5, 98.0, 97.5, 97.0, 97.0, 97.0]          # 09:30..10:00: through -2 at the 09:40 bar
    closes[7:30] = np.linspace(97.5, 101.0, 23)                       # 10:05..11:55: up through -2 and 0
    closes[30:48] = 101.0                                             # 12:00..13:25
    closes[48:54] = [100.0, 99.0, 98.5, 97.9, 97.9, 98.5]             # 13:30..13:55: back through -2
    closes[54:] = 99.0                                                # 14:00..15:55
    return synthetic_path(closes)


def test_a_claim_that_holds_twice(wave):
    found = claim_in_time(wave, -2.0, 0.05, "down")
    # -2 +- 0.05 is 97.95..98.05. Bars (open -> close): 09:35 99->98.5 (low 98.49), 09:40 98.5->98 (touches 98),
    # 09:45 98->97.5 (open 98 inside). 10:05 97->97.5, 10:10 97.5->97.66, ... the linspace step is 3.5/22 = 0.159;
    # the bar from 97.8182 to 97.9773 (10:20) touches 97.95..97.99 and the next (10:25, 97.98->98.14) too.
    # 13:35 100->99, 13:40 99->98.5, 13:45 98.5->97.9 (through 98), 13:50 97.9->97.9 (high 97.91 < 97.95: no),
    # 13:55 97.9->98.5 (through 98).
    assert [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in found.held] == [
        ["09:40", "09:50"], ["10:20", "10:30"], ["13:45", "13:50"], ["13:55", "14:00"]]
    assert found.minutes_held == 30
    assert found.to_dict()["share_of_session"] == pytest.approx(30 / 390, abs=1e-4)
    assert "09:40-09:50 ET" in found.in_words() and "false for the rest of the day" in found.in_words()


def test_windows_merge_only_contiguous_bars():
    starts = pd.DatetimeIndex(["2025-01-27 09:30", "2025-01-27 09:31", "2025-01-27 09:33", "2025-01-27 09:34"],
                              tz="America/New_York")
    windows = windows_from_mask(starts, [True, True, True, False], pd.Timedelta(minutes=1))
    # 09:32 is missing: nothing is filled in, so two windows
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in windows] == [("09:30", "09:32"), ("09:33", "09:34")]


def test_a_claim_that_never_holds(wave):
    found = claim_in_time(wave, -9.0, 0.5, "down")
    assert found.held == () and found.minutes_held == 0
    assert found.in_words().startswith("never true during the regular session")


def test_a_claim_that_holds_all_day():
    path = synthetic_path(np.linspace(99.0, 97.0, 78))  # below the previous close from the first bar to the last
    found = claim_in_time(path, None, None, "down")
    assert [(a, b) for a, b in found.held] == [(path.hours.open, path.hours.close)]
    assert found.minutes_held == 390 and found.share_of_session == 1.0
    assert found.in_words() == "true all day, from the open to the close"
    up = claim_in_time(path, None, None, "up")
    assert up.held == ()


def test_direction_and_number_masks_by_hand():
    low = np.array([-0.5, 0.1, -3.7, -3.66])
    high = np.array([0.2, 0.4, -2.0, -3.62])
    assert held_mask(low, high, None, None, "down").tolist() == [True, False, True, True]
    assert held_mask(low, high, None, None, "up").tolist() == [True, True, False, False]
    # -3.6 +- 0.05: the last bar's range -3.66..-3.62 lies within 0.05 of -3.6 (high -3.62 >= -3.65)
    assert held_mask(low, high, -3.6, 0.05).tolist() == [False, False, True, True]
    assert held_mask(np.array([-3.70]), np.array([-3.66]), -3.6, 0.05).tolist() == [False]


# ---------------------------------------------------------------------------------------------------------------------
# The real bars, end to end
# ---------------------------------------------------------------------------------------------------------------------
def test_meta_low_and_high_against_the_previous_raw_close(real_cache):
    path = intraday_path("META", DAY, cache=real_cache)
    assert path.previous.value == 647.49 and path.previous.basis == "raw daily close"
    assert path.interval == "1m" and len(path.regular) == 390 and path.covers_open and path.covers_close
    assert round(path.low.pct, 2) == -3.46 and path.low.time.strftime("%H:%M") == "09:37" and path.low.price == 625.10
    assert round(path.high.pct, 2) == 2.53 and path.high.time.strftime("%H:%M") == "11:49"
    assert round(path.open_pct, 2) == -3.22


def test_msft_closes_down_2_14(real_cache):
    path = intraday_path("MSFT", DAY, cache=real_cache)
    assert path.previous.value == 444.06
    assert round(path.close_pct, 2) == -2.14  # the 15:59 bar's close, 434.57; the auction (434.56) gives -2.14 too


def test_previous_close_fallbacks_are_labelled(real_cache):
    rsp = intraday_path("RSP", DAY, cache=real_cache)
    assert rsp.previous.basis == "closing bar" and rsp.previous.value == 182.17
    qqq = intraday_path("QQQ", DAY, cache=real_cache)
    assert qqq.previous.basis == "derived" and qqq.previous.value == pytest.approx(529.63, abs=0.01)
    assert not qqq.covers_close and np.isnan(qqq.close_pct) and qqq.coverage[1].strftime("%H:%M") == "11:05"


def test_claims_json_carries_the_intraday_object(real_cache, capsys):
    assert cli.main(["claims", "--json"]) == 0
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    meta = records["meta"]["intraday"]
    assert meta["available"] and meta["source_ticker"] == "META" and meta["proxy"] is False
    assert meta["interval"] == "1m" and meta["coverage"] == ["09:30", "16:00"]
    assert meta["held_during"][0][0] == "09:30" and meta["low"] == {"pct": -3.458, "time": "09:37", "price": 625.1}
    assert meta["minutes_held"] == sum(
        (pd.Timestamp(f"2025-01-27 {b}") - pd.Timestamp(f"2025-01-27 {a}")) // pd.Timedelta(minutes=1)
        for a, b in meta["held_during"])
    assert meta["in_words"].startswith("true from the open until 10:")
    ndx = records["nasdaq_ndx"]["intraday"]
    assert ndx["proxy"] is True and ndx["source_ticker"] == "QQQ" and ndx["interval"] == "5m"
    assert ndx["coverage"] == ["09:30", "11:05"]
    nvda = records["nvda"]["intraday"]
    assert nvda["available"] is False and "No intraday bars are cached for NVDA" in nvda["note"]


def test_verdict_in_words_gains_the_time(real_cache):
    from analysis.claims import check_claims, verdict_in_words

    frame = check_claims(real_cache).to_frame().set_index("id", drop=False)
    text = verdict_in_words(frame.loc["meta"])
    assert "direction contradicted" in text and "Intraday (META, 1m bars): true from the open until 10:" in text


def test_cli_intraday_path_and_unknown_ticker(capsys):
    assert cli.main(["intraday", "META"]) == 0
    out = capsys.readouterr().out
    assert "647.49" in out and "-3.46 % (625.1) at 09:37" in out and "+2.53 % (663.87) at 11:49" in out
    assert cli.main(["intraday", "NVDA"]) == 2
    err = capsys.readouterr().err
    assert "no intraday bars are cached for NVDA" in err and "python -m analysis fetch NVDA --interval 1m" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------------------------------------------
# The cache: bar files' own rules
# ---------------------------------------------------------------------------------------------------------------------
def test_real_bar_files_verify_and_report_known_differences(real_cache):
    problems, notes = real_cache.verify_bars()
    assert problems == []
    texts = [str(n) for n in notes]
    assert any(t.startswith("5m/AMZN.csv") and "225.4 vs daily low 225.86" in t for t in texts)
    assert any(t.startswith("5m/SMH.csv") and "243.63 vs daily open 242.48" in t for t in texts)
    bars = real_cache.read_bars("META", "1m")
    assert str(bars.index.tz) == "America/New_York" and bars["segment"].isin(["pre", "regular", "post"]).all()
    assert bars.loc[pd.Timestamp("2025-01-27 16:00", tz="America/New_York"), "segment"] == "post"  # the auction
    assert bars["source_timestamp"].iloc[0] == "24-01-2025 15:30"


def _tamper(cache, relative: str, edit) -> None:
    """Rewrite a cached bar file and its manifest checksum, as if bad bars had been committed."""
    path = cache.data_dir / relative
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))
    manifest = json.loads(cache.manifest_path.read_text())
    manifest["files"][relative]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    cache.manifest_path.write_text(json.dumps(manifest, indent=1))


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda ls: ls[:1] + [ls[1].replace("T15:30:00", "T03:00:00", 1)] + ls[2:], "line 2: 2025-01-24T03:00:00-05:00 "
     "lies outside"),
    (lambda ls: ls[:6] + [ls[5]] + ls[6:], "line 7: 2025-01-24T15:34:00-05:00 repeats the bar above it"),
    (lambda ls: ls[:3] + ["2025-01-24T15:32:00-05:00,646.1,646.2,646.15,646.16,1,24-01-2025 15:32\n"] + ls[4:],
     "line 4: 2025-01-24T15:32:00-05:00 the low exceeds the open"),
])
def test_verify_refuses_bad_bars_naming_file_and_line(tmp_cache, capsys, edit, expected):
    _tamper(tmp_cache, "1m/META.csv", edit)
    problems = [str(p) for p in tmp_cache.verify()]
    assert any(p.startswith("1m/META.csv: ") and expected in p for p in problems), problems
    assert cli.main(["--data-dir", str(tmp_cache.data_dir), "cache", "verify"]) == 1
    assert "FAIL 1m/META.csv" in capsys.readouterr().out


def test_import_refuses_a_bad_intraday_source(tmp_cache, tmp_path, project_root):
    import shutil

    source = tmp_path / "market-data"
    shutil.copytree(project_root / "data" / "1d", source / "daily")
    (source / "intraday").mkdir()
    good = (project_root / "data" / "1m" / "MSFT.csv").read_text().splitlines(keepends=True)
    (source / "intraday" / "MSFT_1m.csv").write_text("".join(good[:10] + [good[9]] + good[10:]))
    # daily/ files are named by the source convention (IXIC.csv for ^IXIC)
    for path in (source / "daily").glob("_*.csv"):
        path.rename(path.with_name(path.name[1:]))
    before = tmp_cache.manifest_path.read_bytes()
    with pytest.raises(Exception, match=r"MSFT_1m.csv: line 11: .* repeats the bar above it"):
        tmp_cache.import_market_data(source)
    assert tmp_cache.manifest_path.read_bytes() == before


def test_segments_follow_the_calendar_early_close():
    # 29 Nov 2024: XNYS closes at 13:00; a 13:00 bar is after hours, a 12:59 bar regular, 03:59 outside
    index = pd.DatetimeIndex(["2024-11-29 03:59", "2024-11-29 04:00", "2024-11-29 12:59", "2024-11-29 13:00",
                              "2024-11-29 19:59", "2024-11-30 10:00"], tz="America/New_York")
    assert bar_segments(index, "1m").tolist() == ["outside", "pre", "regular", "post", "post", "outside"]


# ---------------------------------------------------------------------------------------------------------------------
# The fetch path for intraday intervals (stand-in for yfinance)
# ---------------------------------------------------------------------------------------------------------------------
def _yahoo_minutes(start: str, periods: int, freq: str = "1min", base: float = 114.75) -> pd.DataFrame:
    """Made-up bars (a stand-in's answer), starting at NVDA's real daily open of 3 Feb 2025 so that the comparison
    with the daily file passes."""
    index = pd.date_range(start, periods=periods, freq=freq, tz="America/New_York", name="Datetime")
    price = base + np.arange(periods) * 0.01
    return pd.DataFrame({"Open": price, "High": price + 0.02, "Low": price - 0.02, "Close": price + 0.01,
                         "Adj Close": price + 0.01, "Volume": 1000.0, "Dividends": 0.0, "Stock Splits": 0.0},
                        index=index)


def test_fetched_minute_bars_are_stored_in_the_bar_format(tmp_cache):
    fake = FakeTicker(_yahoo_minutes("2025-02-03 09:30", 60))
    outcome = fetch_into_cache("NVDA", "2025-02-03", "2025-02-03", "1m", cache=tmp_cache,
                               ticker_factory=factory({"NVDA": fake}), today=TODAY)
    assert outcome.ok and outcome.rows_added == 60 and fake.calls[0]["interval"] == "1m"
    text = (tmp_cache.data_dir / "1m" / "NVDA.csv").read_text().splitlines()
    assert text[0] == "timestamp_et,open,high,low,close,volume,source_timestamp"
    assert text[1].startswith("2025-02-03T09:30:00-05:00,114.75,")
    bars = tmp_cache.read_bars("NVDA", "1m")
    assert len(bars) == 60 and (bars["segment"] == "regular").all() and tmp_cache.verify() == []
    # append-only: a second fetch of a later hour adds, never rewrites the first
    later = FakeTicker(_yahoo_minutes("2025-02-03 10:30", 30))
    fetch_into_cache("NVDA", "2025-02-03", "2025-02-03", "1m", cache=tmp_cache,
                     ticker_factory=factory({"NVDA": later}), today=TODAY)
    assert len(tmp_cache.read_bars("NVDA", "1m")) == 90
    fiver = FakeTicker(_yahoo_minutes("2025-02-03 09:30", 12, "5min"))
    fetch_into_cache("NVDA", "2025-02-03", "2025-02-03", "5m", cache=tmp_cache,
                     ticker_factory=factory({"NVDA": fiver}), today=TODAY)
    assert tmp_cache.bar_intervals("NVDA") == ["1m", "5m"]


@pytest.mark.parametrize(("interval", "start", "limit"), [("1m", "2025-01-02", "30 days"),
                                                           ("5m", "2024-12-01", "60 days"),
                                                           ("1h", "2023-01-02", "730 days")])
def test_fetch_names_yahoos_lookback_limit(interval, start, limit):
    fake = FakeTicker(_yahoo_minutes("2025-02-03 09:30", 5))
    with pytest.raises(FetchError, match=f"only for the last {limit}") as info:
        fetch_history("NVDA", start, "2025-02-03", interval, ticker_factory=factory({"NVDA": fake}), today=TODAY)
    assert "1m 30 days, 2m-90m 60 days, 1h 730 days" in str(info.value)
    assert fake.calls == []  # refused before any request


def test_fetched_bars_outside_the_session_are_refused(tmp_cache):
    fake = FakeTicker(_yahoo_minutes("2025-02-03 20:00", 5))  # after 20:00 ET
    with pytest.raises(FetchError, match="lies outside"):
        fetch_into_cache("NVDA", "2025-02-03", "2025-02-03", "1m", cache=tmp_cache,
                         ticker_factory=factory({"NVDA": fake}), today=TODAY)
    with pytest.raises(UnknownTickerError):
        tmp_cache.read_bars("NVDA", "1m")


def test_bar_format_round_trips():
    frame = parse_bars_csv(serialize_bars(parse_bars_csv(
        b"timestamp_et,open,high,low,close,volume,source_timestamp\n"
        b"2025-01-27T09:30:00-05:00,1,2,0.5,1.5,10,2025-01-27 14:30:00\n", "1m")), "1m")
    assert frame.index[0] == pd.Timestamp("2025-01-27 09:30", tz="America/New_York")
    assert frame["source_timestamp"].iloc[0] == "2025-01-27 14:30:00" and check_bars(frame, "1m") == []


def test_cli_verify_reports_known_differences_as_notes(tmp_cache, capsys):
    assert cli.main(["--data-dir", str(tmp_cache.data_dir), "cache", "verify"]) == 0
    out = capsys.readouterr().out
    assert "NOTE 5m/AMZN.csv: 2025-01-27: lowest bar low (09:30) 225.4 vs daily low 225.86 (-0.20 %)" in out
    assert "FAIL" not in out
    assert cli.main(["--data-dir", str(tmp_cache.data_dir), "cache", "list", "--json"]) == 0
    listed = {(r["ticker"], r["interval"]) for r in json.loads(capsys.readouterr().out)}
    assert {("META", "1m"), ("QQQ", "5m")} <= listed


def test_intraday_chart_is_registered_and_draws_every_series(real_cache):
    from analysis.intraday import day_in_time
    from analysis.events import adhoc_event, flagship
    from analysis.figures import FIGURES, skipped_figures

    assert "intraday_claims" in [f.name for f in FIGURES]
    assert "intraday_claims" not in skipped_figures(flagship())
    assert "intraday_claims" in skipped_figures(adhoc_event("2025-03-10"))  # no claims, no bars that day
    day = day_in_time(DAY, cache=real_cache)
    assert [p.ticker for p in day.paths] == ["META", "MSFT", "RSP", "AMZN", "QQQ", "SMH"]
    assert [c.id for c in day.claims] == ["nasdaq_ndx", "meta"] and day.claims[0].found.proxy
    fig = day.plot()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("QQQ (5m, bars to 11:05 only" in t for t in labels)
    assert any("no bars: unknown" == t.get_text() for t in fig.axes[1].texts)


def test_partial_coverage_in_words():
    path = synthetic_path(np.full(19, 97.0))  # 5-minute bars 09:30-11:05 only, all below the previous close
    found = claim_in_time(path, None, None, "down")
    assert found.in_words() == ("true from the open until 11:05 ET (95 of 390 minutes); the bars end at 11:05 ET, "
                                "so the rest of the day is unknown")


def test_import_refuses_bars_on_a_wrong_clock(tmp_cache, tmp_path, project_root):
    """MSFT's source stamps are UTC: read as ET, its bars would sit five hours late. Shifted one hour (a daylight
    saving slip), they pass the session-hours rule but the first regular bar no longer opens near the daily open."""
    import shutil

    source = tmp_path / "market-data"
    shutil.copytree(project_root / "data" / "1d", source / "daily")
    for path in (source / "daily").glob("_*.csv"):
        path.rename(path.with_name(path.name[1:]))
    (source / "intraday").mkdir()
    frame = parse_bars_csv((project_root / "data" / "1m" / "MSFT.csv").read_bytes(), "1m")
    frame = frame[frame.index >= pd.Timestamp("2025-01-27 05:00", tz="America/New_York")]
    frame.index = frame.index - pd.Timedelta(hours=1)
    (source / "intraday" / "MSFT_1m.csv").write_bytes(serialize_bars(frame))
    with pytest.raises(Exception, match=r"MSFT_1m.csv: 2025-01-27: first regular bar's open .* vs daily open 424.01"):
        tmp_cache.import_market_data(source)
