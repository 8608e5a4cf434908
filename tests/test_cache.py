"""The offline cache: safe names, checksums, verify, reads, crash safety, and the real data end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis import cli
from analysis.cache import Cache, filename_to_ticker, ticker_to_filename
from analysis.errors import (
    CacheCorruptError,
    CacheMissError,
    ChecksumMismatchError,
    InvalidTickerError,
    UnknownTickerError,
)


# --- names ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ticker, filename", [
    ("^IXIC", "_IXIC.csv"), ("BTC-USD", "BTC-USD.csv"), ("BRK.B", "BRK.B.csv"), ("nvda", "NVDA.csv"),
    ("GC=F", "GC=F.csv"),
])
def test_ticker_file_names_round_trip(ticker, filename):
    assert ticker_to_filename(ticker) == filename
    assert filename_to_ticker(filename) == ticker.upper()


@pytest.mark.parametrize("bad", ["../x", "a/b", "..", "^../x", "a\\b", "", " ", "NV DA", "/etc/passwd", "A" * 21,
                                 "_IXIC", "x..y", ".hidden", "~root"])
def test_path_like_tickers_are_rejected(bad, tmp_cache):
    with pytest.raises(InvalidTickerError, match="not a valid ticker"):
        tmp_cache.path_for(bad)


def test_no_write_escapes_the_cache(tmp_cache, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    frame = tmp_cache.read("NVDA")
    with pytest.raises(InvalidTickerError):
        tmp_cache.write_prices("../x", frame, source="test", close_basis="raw")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# --- the real cache ---------------------------------------------------------------------------------------------------
def test_committed_cache_verifies(real_cache):
    assert real_cache.verify() == []


def test_nvda_raw_closes_around_the_event(real_cache):
    nvda = real_cache.read("NVDA")
    assert nvda.loc["2025-01-24", "close"] == 142.62
    assert nvda.loc["2025-01-27", "close"] == 118.42
    assert pd.Timestamp("2025-01-09") not in nvda.index  # the NYSE was closed
    assert nvda.attrs["close_basis"] == "raw" and nvda.attrs["calendar"] == "XNYS"
    assert list(nvda.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert (nvda.dtypes == "float64").all() and nvda.index.name == "session"


def test_missing_fields_stay_missing(real_cache):
    ndx = real_cache.read("^NDX")
    assert ndx["open"].isna().all() and ndx["close"].notna().all()
    assert "open" in real_cache.entry("^NDX").missing_fields


def test_btc_is_on_calendar_days(real_cache):
    btc = real_cache.read("BTC-USD")
    assert btc.attrs["calendar"] == "24/7"
    assert pd.Timestamp("2025-01-26") in btc.index  # a Sunday


def test_factors_are_in_percent(real_cache):
    ff = real_cache.read_factors()
    assert list(ff.columns) == ["Mkt-RF", "SMB", "HML", "RF"] and ff.attrs["units"] == "percent"
    assert ff["RF"].between(0, 0.1).all()


def test_manifest_records_provenance(real_cache):
    entry = real_cache.entry("NVDA")
    assert entry.sha256 and entry.rows == 332 and entry.first == "2023-12-01" and entry.last == "2025-03-31"
    assert "NVIDIA.csv" in entry.source and entry.written_at
    assert real_cache.close_basis("ORCL") == "adjusted" and real_cache.close_basis("TSM") == "split_adjusted"
    assert (real_cache.data_dir / "SOURCES.md").read_text().startswith("# Sources of the market data")


def test_read_range_and_missing_range(real_cache):
    frame = real_cache.read_range("NVDA", "2025-01-20", "2025-01-31")
    assert frame.index[0] == pd.Timestamp("2025-01-21") and len(frame) == 9
    with pytest.raises(CacheMissError) as info:
        real_cache.read_range("NVDA", "2025-03-01", "2025-06-30")
    assert "2025-04-01..2025-06-30 is missing" in str(info.value)
    assert "python -m analysis fetch NVDA --start 2025-04-01 --end 2025-06-30" in str(info.value)
    with pytest.raises(CacheMissError, match="is missing"):
        real_cache.read_range("NVDA", "2023-01-01", "2023-12-31")


def test_unknown_ticker(real_cache):
    with pytest.raises(UnknownTickerError) as info:
        real_cache.read("ZZZZ")
    assert "ZZZZ (1d) is not in the cache" in str(info.value) and "python -m analysis fetch ZZZZ" in str(info.value)


# --- corruption -------------------------------------------------------------------------------------------------------
def test_truncated_file_is_detected(tmp_cache):
    path = tmp_cache.path_for("NVDA")
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ChecksumMismatchError, match="1d/NVDA.csv does not match its manifest checksum"):
        tmp_cache.read("NVDA")
    problems = tmp_cache.verify()
    assert [p.file for p in problems] == ["1d/NVDA.csv"] and "sha256" in problems[0].problem


def test_corrupt_csv_with_matching_checksum_is_detected(tmp_cache):
    path = tmp_cache.path_for("META")
    text = path.read_text().replace("647.49", "abc", 1)
    path.write_text(text)
    manifest = json.loads(tmp_cache.manifest_path.read_text())
    from analysis.cache import sha256_of

    manifest["files"]["1d/META.csv"]["sha256"] = sha256_of(path)
    tmp_cache.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CacheCorruptError, match="is not a number"):
        tmp_cache.read("META")
    assert any("is not a number" in p.problem for p in tmp_cache.verify())


@pytest.mark.parametrize("mutation, message", [
    (lambda lines: [lines[0]] + lines[1:100] + lines[101:], "session(s) missing"),
    (lambda lines: [lines[0]] + lines[1:50] + [lines[60]] + lines[50:60] + lines[61:], "ascending"),
    (lambda lines: lines + [lines[-1].replace("2025-03-31", "2025-04-05")], "not XNYS sessions"),
    (lambda lines: [lines[0]] + [lines[1].replace("46.53,", "-46.53,", 1)] + lines[2:], "price <= 0"),
    (lambda lines: [lines[0]] + [lines[1].replace(",47.2,", ",40.0,", 1)] + lines[2:], "low <= open, close <= high"),
    (lambda lines: ["when,open,high,low,close,adj_close,volume"] + lines[1:], "columns"),
])
def test_verify_checks_schema_sessions_and_prices(tmp_cache, mutation, message):
    from analysis.cache import sha256_of

    path = tmp_cache.path_for("NVDA")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(mutation(lines)) + "\n")
    manifest = json.loads(tmp_cache.manifest_path.read_text())
    manifest["files"]["1d/NVDA.csv"]["sha256"] = sha256_of(path)  # pretend the checksum was updated too
    tmp_cache.manifest_path.write_text(json.dumps(manifest))
    problems = tmp_cache.verify()
    assert problems and all(p.file == "1d/NVDA.csv" for p in problems)
    assert any(message in p.problem for p in problems), problems


def test_corrupt_manifest(tmp_cache):
    tmp_cache.manifest_path.write_text("{not json")
    with pytest.raises(CacheCorruptError, match="not a valid manifest"):
        tmp_cache.read("NVDA")
    assert tmp_cache.verify()[0].file == "manifest.json"


def test_unlisted_file_is_reported(tmp_cache):
    (tmp_cache.data_dir / "1d" / "XYZ.csv").write_text("date,open\n")
    assert any(p.file == "1d/XYZ.csv" and "not listed" in p.problem for p in tmp_cache.verify())


# --- crash safety -----------------------------------------------------------------------------------------------------
def test_crash_between_data_and_manifest_write_is_rolled_back(tmp_cache, monkeypatch):
    good = tmp_cache.read("NVDA")
    good_bytes = tmp_cache.path_for("NVDA").read_bytes()
    shorter = good.iloc[:-5]

    def crash(self, entries):
        raise KeyboardInterrupt("simulated crash before the manifest write")

    monkeypatch.setattr(Cache, "_write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        tmp_cache.write_prices("NVDA", shorter, source="test", close_basis="raw")
    monkeypatch.undo()
    # The data file was replaced, but reads still see the committed version...
    pd.testing.assert_frame_equal(tmp_cache.read("NVDA"), good)
    # ...and recovery restores it byte for byte.
    assert tmp_cache.recover() == ["1d/NVDA.csv"]
    assert tmp_cache.path_for("NVDA").read_bytes() == good_bytes
    assert tmp_cache.verify() == []


def test_refuses_to_write_invalid_frame(tmp_cache):
    before = tmp_cache.path_for("NVDA").read_bytes()
    bad = tmp_cache.read("NVDA").drop(pd.Timestamp("2025-01-27"))
    with pytest.raises(CacheCorruptError, match="session\\(s\\) missing"):
        tmp_cache.write_prices("NVDA", bad, source="test", close_basis="raw")
    assert tmp_cache.path_for("NVDA").read_bytes() == before


def test_import_validates_everything_before_writing(tmp_path):
    source = tmp_path / "market-data" / "daily"
    source.mkdir(parents=True)
    (source / "GOOD.csv").write_text("date,open,high,low,close,adj_close,volume\n2025-01-24,1,2,0.5,1.5,1.5,10\n"
                                     "2025-01-27,1,2,0.5,1.5,1.5,10\n")
    (source / "BAD.csv").write_text("date,open,high,low,close,adj_close,volume\n2025-01-25,1,2,0.5,1.5,1.5,10\n")
    cache = Cache(tmp_path / "data")
    with pytest.raises(CacheCorruptError, match="BAD.csv.*not XNYS sessions"):
        cache.import_market_data(tmp_path / "market-data")
    assert not (tmp_path / "data" / "1d").exists()
    (source / "BAD.csv").unlink()
    entries = cache.import_market_data(source)
    assert [e.ticker for e in entries] == ["GOOD"] and cache.verify() == []


# --- command line -----------------------------------------------------------------------------------------------------
def test_cli_verify_exit_codes(tmp_cache, capsys):
    assert cli.main(["--data-dir", str(tmp_cache.data_dir), "cache", "verify"]) == 0
    assert f"OK: {len(tmp_cache.manifest())} files verified" in capsys.readouterr().out
    path = tmp_cache.path_for("GOOGL")
    path.write_bytes(path.read_bytes()[:-40])
    assert cli.main(["--data-dir", str(tmp_cache.data_dir), "cache", "verify"]) == 1
    out = capsys.readouterr().out
    assert "FAIL 1d/GOOGL.csv: sha256 differs" in out and "git checkout -- data/" in out


def test_cli_errors_are_one_line_without_traceback(tmp_cache):
    result = subprocess.run([sys.executable, "-m", "analysis", "--data-dir", str(tmp_cache.data_dir), "moves",
                             "--event", "2030-01-02"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_cli_list(real_cache, capsys):
    assert cli.main(["cache", "list"]) == 0
    out = capsys.readouterr().out
    assert "NVDA" in out and "^IXIC" in out and "24/7" in out and "split_adjusted" in out
