"""Fetching with yfinance, through stand-ins: every failure leaves the cache as it was."""

from __future__ import annotations

import datetime as dt
import inspect

import pandas as pd
import pytest

from analysis import cli
from analysis.load import load_prices
from analysis.market_data import fetch_history, fetch_into_cache, fetch_to_cache
from analysis.errors import (
    CacheMissError,
    EmptyFetchError,
    FetchError,
    NetworkError,
    RateLimitError,
    ShortFetchError,
)
from fake_yfinance import FakeTicker, factory, yahoo_frame

TODAY = dt.date(2026, 11, 24)


def snapshot(cache):
    """Every byte of the cache folder, to prove a failure changed nothing (the lock file and the record of files that
    passed their checks are bookkeeping, not data)."""
    return {p.relative_to(cache.data_dir): p.read_bytes() for p in sorted(cache.data_dir.rglob("*"))
            if p.is_file() and p.name not in (".lock", ".verified.json")}


@pytest.fixture
def truncated_nvda(tmp_cache):
    """NVDA cached only up to 2025-03-14, and the real rows after it, as Yahoo would return them."""
    full = tmp_cache.read("NVDA")
    tmp_cache.write_prices("NVDA", full.loc[:"2025-03-14"], source="test: truncated", close_basis="raw")
    return tmp_cache, full


def test_our_call_matches_the_real_yfinance_api():
    from yfinance.scrapers.history import PriceHistory

    params = inspect.signature(PriceHistory.history).parameters
    for name in ("start", "end", "interval", "auto_adjust", "actions", "timeout", "raise_errors"):
        assert name in params


def test_good_fetch_merges_new_rows(truncated_nvda):
    cache, full = truncated_nvda
    fake = FakeTicker(yahoo_frame(full.loc["2025-03-10":"2025-03-31"]))
    outcome = fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache, ticker_factory=factory({"NVDA": fake}),
                               today=TODAY)
    assert outcome.ok and outcome.rows_added == 11
    assert fake.calls[0]["auto_adjust"] is False and fake.calls[0]["actions"] is True
    assert fake.calls[0]["timeout"] > 0 and fake.calls[0]["end"] == "2025-04-01"  # yfinance's end is exclusive
    merged = cache.read("NVDA")
    pd.testing.assert_frame_equal(merged[full.columns], full, check_like=True, check_freq=False, check_exact=False,
                                  rtol=1e-9)
    assert cache.verify() == []
    assert cache.entry("NVDA").history[-1]["rows_added"] == 11


def test_adjusted_close_is_rescaled_across_the_seam(truncated_nvda):
    cache, full = truncated_nvda
    later = full.loc["2025-03-10":"2025-03-31"].copy()
    later["adj_close"] *= 0.99  # Yahoo's adjustment base moved (a dividend since the cache was written)
    fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache,
                     ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(later))}), today=TODAY)
    merged = cache.read("NVDA")["adj_close"]
    expected = full["adj_close"]
    assert (merged.pct_change() - expected.pct_change()).abs().max() < 1e-9  # returns unchanged across the seam


@pytest.mark.parametrize("fake, error, message", [
    (FakeTicker(pd.DataFrame()), EmptyFetchError, "came back empty"),
    (FakeTicker(error=__import__("yfinance").exceptions.YFRateLimitError()), RateLimitError, "rate-limited"),
    (FakeTicker(error=__import__("curl_cffi").requests.exceptions.DNSError("Could not resolve host")), NetworkError,
     "could not be reached"),
    (FakeTicker(error=ConnectionError("reset by peer")), NetworkError, "could not be reached"),
    (FakeTicker(error=TimeoutError("timed out")), NetworkError, "could not be reached"),
    (FakeTicker(error=__import__("yfinance").exceptions.YFPricesMissingError("NVDA", "")), EmptyFetchError,
     "no prices"),
])
def test_failed_fetches_leave_the_cache_unchanged(tmp_cache, fake, error, message):
    before = snapshot(tmp_cache)
    with pytest.raises(error, match=message) as info:
        fetch_into_cache("NVDA", "2025-03-01", "2025-04-30", cache=tmp_cache, ticker_factory=factory({"NVDA": fake}),
                         today=TODAY)
    assert info.value.hint  # every error names the fix
    assert snapshot(tmp_cache) == before


def test_frame_cut_short_is_refused(truncated_nvda):
    cache, full = truncated_nvda
    before = snapshot(cache)
    holed = full.loc["2025-03-10":"2025-03-31"].drop(pd.Timestamp("2025-03-20"))
    with pytest.raises(ShortFetchError, match="cut short: 1 of 16 XNYS sessions.*first 2025-03-20"):
        fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache,
                         ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(holed))}), today=TODAY)
    ended_early = full.loc["2025-03-10":"2025-03-25"]
    with pytest.raises(ShortFetchError, match="cut short"):
        fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache,
                         ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(ended_early))}), today=TODAY)
    assert snapshot(cache) == before


def test_fetch_disagreeing_with_cached_closes_is_refused(tmp_cache):
    before = snapshot(tmp_cache)
    real = tmp_cache.read("NVDA").loc["2025-01-02":"2025-01-31"].copy()
    real[["open", "high", "low", "close"]] *= 10  # e.g. an unadjusted split
    with pytest.raises(FetchError, match="disagrees with the cached close"):
        fetch_into_cache("NVDA", "2025-01-02", "2025-01-31", cache=tmp_cache,
                         ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(real))}), today=TODAY)
    assert snapshot(tmp_cache) == before


def test_fetch_never_shrinks_the_cache(tmp_cache):
    before = snapshot(tmp_cache)
    real = tmp_cache.read("NVDA").loc["2025-01-02":"2025-01-31"]
    outcome = fetch_into_cache("NVDA", "2025-01-02", "2025-01-31", cache=tmp_cache,
                               ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(real))}), today=TODAY)
    assert outcome.ok and outcome.rows_added == 0 and "nothing new" in outcome.message
    assert snapshot(tmp_cache) == before


def test_failure_halfway_through_several_tickers(truncated_nvda):
    cache, full = truncated_nvda
    meta_before = cache.path_for("META").read_bytes()
    fakes = {"NVDA": FakeTicker(yahoo_frame(full.loc["2025-03-10":"2025-03-31"])),
             "META": FakeTicker(error=__import__("yfinance").exceptions.YFRateLimitError())}
    outcomes = fetch_to_cache(["NVDA", "META"], "2025-03-10", "2025-03-31", cache=cache,
                              ticker_factory=factory(fakes), progress=False, today=TODAY)
    assert [o.ok for o in outcomes] == [True, False] and "rate-limited" in outcomes[1].message
    assert cache.read("NVDA").index[-1] == pd.Timestamp("2025-03-31")
    assert cache.path_for("META").read_bytes() == meta_before
    assert cache.verify() == []


def test_new_ticker_and_hourly_bars_are_storable(tmp_cache):
    hours = pd.date_range("2025-01-27 09:30", periods=7, freq="h", tz="America/New_York")
    # Hourly bars shaped like 27 Jan 2025's (daily open 124.80, close 118.42): they are stored as bar files, in the
    # same format as the 1m and 5m bars, and checked against the daily file like them.
    opens = [124.80, 120.0, 119.0, 118.5, 119.5, 118.0, 118.8]
    closes = [120.0, 119.0, 118.5, 119.5, 118.0, 118.8, 118.42]
    hourly = pd.DataFrame({"Open": opens, "High": [max(o, c) + 0.5 for o, c in zip(opens, closes)],
                           "Low": [min(o, c) - 0.5 for o, c in zip(opens, closes)], "Close": closes,
                           "Adj Close": closes, "Volume": 1e6, "Dividends": 0.0, "Stock Splits": 0.0}, index=hours)
    fetch_into_cache("NVDA", "2025-01-27", "2025-01-27", "1h", cache=tmp_cache,
                     ticker_factory=factory({"NVDA": FakeTicker(hourly)}), today=TODAY)
    bars = tmp_cache.read_bars("NVDA", "1h")
    assert len(bars) == 7 and str(bars.index.tz) == "America/New_York" and bars.index[0].hour == 9
    assert (tmp_cache.data_dir / "1h" / "NVDA.csv").exists() and tmp_cache.verify() == []
    header = (tmp_cache.data_dir / "1h" / "NVDA.csv").read_text().splitlines()[0]
    assert header == "timestamp_et,open,high,low,close,volume,source_timestamp"
    weekend = hourly.copy()
    weekend.index = weekend.index + pd.Timedelta(days=-2)  # Saturday
    with pytest.raises(FetchError, match="not XNYS sessions"):
        fetch_history("AMD", "2025-01-25", "2025-01-25", "1h", ticker_factory=factory({"AMD": FakeTicker(weekend)}),
                      today=TODAY)


def test_load_prices_is_offline_by_default(truncated_nvda):
    cache, full = truncated_nvda
    with pytest.raises(CacheMissError, match="python -m analysis fetch NVDA --start 2025-03-17 --end 2025-03-31"):
        load_prices("NVDA", "2025-03-01", "2025-03-31", cache=cache)
    fake = FakeTicker(yahoo_frame(full.loc["2025-03-10":"2025-03-31"]))
    frame = load_prices("NVDA", "2025-03-10", "2025-03-31", cache=cache, online=True,
                        ticker_factory=factory({"NVDA": fake}))
    assert frame.index[-1] == pd.Timestamp("2025-03-31") and len(fake.calls) == 1


def test_cli_fetch_reports_failures_cleanly(tmp_cache, capsys):
    # With no stand-in the autouse fixture refuses the network: the CLI must still print one line per ticker.
    code = cli.main(["--data-dir", str(tmp_cache.data_dir), "fetch", "../evil", "--start", "2025-01-01",
                     "--end", "2025-01-31"])
    assert code == 2 and "not a valid ticker" in capsys.readouterr().err


def test_crash_during_a_fetch_merge_leaves_the_committed_history(truncated_nvda, monkeypatch):
    cache, full = truncated_nvda
    committed = cache.read("NVDA")
    from analysis.cache import Cache

    def crash(self, entries):
        raise OSError("disk full while writing the manifest")

    monkeypatch.setattr(Cache, "_write_manifest", crash)
    with pytest.raises(OSError):
        fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache,
                         ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(full.loc["2025-03-10":]))}),
                         today=TODAY)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(cache.read("NVDA"), committed)  # reads see the committed version
    assert cache.recover() == ["1d/NVDA.csv"] and cache.verify() == []
    # and the same fetch, run again, now succeeds
    outcome = fetch_into_cache("NVDA", "2025-03-10", "2025-03-31", cache=cache,
                               ticker_factory=factory({"NVDA": FakeTicker(yahoo_frame(full.loc["2025-03-10":]))}),
                               today=TODAY)
    assert outcome.rows_added == 11 and cache.verify() == []
