"""The aftermath of an event: the join of the cache and its extension, drawdown and recovery, BHAR tests, the
anniversary, and bad input (an event beyond the data, a horizon past it)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis import cli
from analysis.aftermath import (
    anniversary_session,
    bhar,
    bhar_bootstrap,
    lbt_bootstrap,
    recovery,
    run_aftermath,
)
from analysis.cache import check_join
from analysis.errors import EventDateError
from analysis.returns import simple_returns


def _sessions(n, start="2025-01-02"):
    from analysis.calendar import sessions

    return sessions(start, pd.Timestamp(start) + pd.Timedelta(days=3 * n))[:n]


# --- the join -------------------------------------------------------------------------------------------------------
def test_joined_returns_keep_the_original_for_its_range(real_cache):
    base = simple_returns(real_cache.read("NVDA"))
    joined = real_cache.joined_returns("NVDA")
    # bit for bit the original's returns up to its last date: the flagship's numbers cannot move
    pd.testing.assert_series_equal(joined.loc[: base.index[-1]], base, check_names=False, check_freq=False)
    assert joined.index[-1] > pd.Timestamp("2026-09-01")
    assert joined.attrs["extension"] == "used"
    assert [s["file"] for s in joined.attrs["segments"]] == ["1d/NVDA.csv", "1d-extended/NVDA.csv"]


def test_extension_returns_equal_the_cache_on_the_overlap(real_cache):
    base = simple_returns(real_cache.read("NVDA"))
    ext = real_cache.read_extension("NVDA")["close"]
    ext_returns = (ext / ext.shift(1) - 1).dropna()
    common = base.index.intersection(ext_returns.index)
    assert len(common) == 80
    assert (ext_returns[common] - base[common]).abs().max() < 1e-4  # 0.01 pp
    # after the seam, the chained series is the extension's own returns
    joined = real_cache.joined_returns("NVDA")
    after = joined.index[joined.index > base.index[-1]]
    np.testing.assert_allclose(joined[after].to_numpy(), ext_returns[after].to_numpy(), rtol=0, atol=0)


def test_join_records_ex_dividend_days_of_raw_close_files(real_cache):
    tsm = real_cache.extension_entry("TSM").join
    assert tsm["status"] == "ok" and tsm["unexplained_days"] == []
    assert [d for d, _ in tsm["ex_dividend_days"]] == ["2024-12-12", "2025-03-18"]
    ndx = real_cache.extension_entry("^NDX").join
    assert ndx["status"] == "disagrees" and ndx["unexplained_days"][0][0] == "2024-10-22"
    assert real_cache.joined_returns("^NDX").attrs["extension"].startswith("not used")


def test_check_join_synthetic_cases():
    idx = _sessions(40)
    rng = np.random.default_rng(0)
    base = pd.Series(rng.normal(0, 0.01, 40), index=idx)
    levels = pd.Series(100 * np.cumprod(1 + base.to_numpy()), index=idx)
    base_returns = (levels / levels.shift(1) - 1).dropna()
    ext = levels * 0.97  # another adjustment factor: same returns
    assert check_join(base_returns, ext, "raw")["status"] == "ok"
    # a dividend of 0.5 % on day 20: the adjusted extension's return is higher there
    adjusted = levels.copy()
    adjusted.iloc[:20] *= 1 - 0.005
    raw_basis = check_join(base_returns, adjusted, "split_adjusted")
    assert raw_basis["status"] == "ok" and raw_basis["ex_dividend_days"][0][0] == str(idx[20].date())
    # the same difference where the original is dividend-adjusted is not explained
    assert check_join(base_returns, adjusted, "adjusted")["status"] == "disagrees"
    # an extension that ends before the original's last date leaves no seam
    assert check_join(base_returns, ext.iloc[:30], "raw")["status"] == "no_overlap"


def test_verify_checks_the_recorded_join(tmp_cache):
    manifest = json.loads(tmp_cache.manifest_path.read_text())
    manifest["files"]["1d-extended/TSM.csv"]["join"]["ex_dividend_days"] = []
    tmp_cache.manifest_path.write_text(json.dumps(manifest))
    problems = tmp_cache.verify()
    assert [p.file for p in problems] == ["1d-extended/TSM.csv"]
    assert "ex_dividend_days" in problems[0].problem


def test_extension_level_is_never_a_raw_price(real_cache):
    ext = real_cache.read_extension("NVDA")
    assert ext.attrs["close_basis"] == "adjusted" and ext["adj_close"].isna().all()
    # the adjusted level sits below the raw close of the original file on the same day
    assert ext.loc["2025-01-24", "close"] < real_cache.read("NVDA").loc["2025-01-24", "close"]


# --- drawdown and recovery on synthetic paths -------------------------------------------------------------------------
def test_recovery_known_answer():
    idx = _sessions(8)
    # pre-event days, then day 0 at position 2: -10 %, -10 %, +10 %, +15 %, +1 %
    returns = pd.Series([0.0, 0.01, -0.10, -0.10, 0.10, 0.15, 0.01, 0.0], index=idx, name="X")
    rec = recovery(returns, idx[2])
    assert rec.last_pre_event_close_date == idx[1]
    assert rec.max_drawdown == pytest.approx(0.9 * 0.9 - 1)
    assert rec.max_drawdown_date == idx[3]
    # 0.81 * 1.1 = 0.891 < 1; 0.891 * 1.15 = 1.02465 >= 1 on idx[5]: four sessions after the pre-event close
    assert rec.recovered_on == idx[5] and rec.sessions_to_recover == 4
    assert rec.path.iloc[0] == 0.0 and rec.path.index[0] == idx[1]


def test_recovery_exactly_back_counts_and_never_back_says_not_by():
    idx = _sessions(6)
    back = pd.Series([0.0, -0.2, 0.25, 0.0, 0.0, 0.0], index=idx, name="X")  # 0.8 * 1.25 = 1 exactly
    rec = recovery(back, idx[1])
    assert rec.recovered_on == idx[2] and rec.sessions_to_recover == 2
    never = pd.Series([0.0, -0.2, 0.1, 0.01, 0.0, 0.0], index=idx, name="Y")
    rec = recovery(never, idx[1])
    assert rec.recovered_on is None and rec.sessions_to_recover is None
    assert rec.status == f"not by {idx[-1]:%Y-%m-%d}"
    up = pd.Series([0.0, 0.02, -0.5, 0.0, 0.0, 0.0], index=idx, name="Z")  # up on day 0: recovered at once
    rec = recovery(up, idx[1])
    assert rec.sessions_to_recover == 1 and rec.max_drawdown == pytest.approx(1.02 * 0.5 - 1)


def test_recovery_of_an_event_beyond_the_data_names_the_last_date():
    idx = _sessions(5)
    returns = pd.Series([0.0, 0.01, np.nan, np.nan, np.nan], index=idx, name="X")
    with pytest.raises(EventDateError, match=f"last date held: {idx[1]:%Y-%m-%d}"):
        recovery(returns, idx[3])


# --- BHAR and its tests --------------------------------------------------------------------------------------------
def test_bhar_hand_computed():
    assert bhar([0.10, -0.05], [0.01, 0.02]) == pytest.approx(1.1 * 0.95 - 1.01 * 1.02)


def test_lbt_skewness_adjusted_t_by_hand():
    x = np.array([0.30, -0.05, 0.02, 0.10, -0.12, 0.50])
    n = x.size
    s = x.mean() / x.std(ddof=1)
    gamma = ((x - x.mean()) ** 3).sum() / (n * x.std(ddof=1) ** 3)
    expected = math.sqrt(n) * (s + gamma * s**2 / 3 + gamma / (6 * n))
    out = lbt_bootstrap(x, draws=500, seed=3)
    assert out["t_sa"] == pytest.approx(expected, rel=1e-12)
    assert out["draws"] == 500 and out["seed"] == 3
    assert 0 < out["p_bootstrap"] <= 1
    assert lbt_bootstrap(x, draws=500, seed=3)["p_bootstrap"] == out["p_bootstrap"]  # fixed seed


def test_bhar_bootstrap_null_is_centred_and_detects_a_large_value():
    rng = np.random.default_rng(1)
    firm = rng.normal(0.001, 0.02, 240)
    bench = rng.normal(0.0005, 0.01, 240)
    small = bhar_bootstrap(0.0, firm, bench, 21, draws=999, seed=7)
    big = bhar_bootstrap(-0.5, firm, bench, 21, draws=999, seed=7)
    assert small["p"] == 1.0 and big["p"] == pytest.approx(1 / 1000)
    assert big["t"] == pytest.approx(-0.5 / big["sd"]) and big["draws"] == 999


def test_anniversary_of_a_leap_day():
    idx = pd.DatetimeIndex(["2025-02-27", "2025-03-03"])
    stamp, session = anniversary_session("2024-02-29", idx)
    assert stamp == pd.Timestamp("2025-02-28") and session == pd.Timestamp("2025-03-03")


# --- the real cache end to end -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def flagship_aftermath():
    return run_aftermath()


def test_flagship_aftermath_keys_and_values(flagship_aftermath):
    data = json.loads(json.dumps(flagship_aftermath.to_dict(), allow_nan=False))
    nvda = data["tickers"]["NVDA"]
    assert nvda["last_pre_event_close_date"] == "2025-01-24"
    assert set(nvda["car"]) == set(nvda["bhar"]) == {"0,5", "0,20", "0,60", "0,120", "0,250"}
    assert {"car", "t", "p"} <= set(nvda["car"]["0,20"]) and {"bhar", "t", "p"} <= set(nvda["bhar"]["0,20"])
    assert set(nvda["anniversary"]) >= {"date", "return_since_pre_event", "excess_vs_benchmark"}
    assert nvda["anniversary"]["date"] == "2026-01-27"
    # the day-0 fall is the start of the drawdown: the path's first step is NVDA's day-0 return on adjusted closes
    assert nvda["max_drawdown"] <= -0.1697 and nvda["recovered_on"] > "2025-01-27"
    # CAR[0,5] of the market model agrees with the engine's flagship numbers on the original file (day 0 inside)
    assert nvda["car"]["0,5"]["window"] == [0, 5] and nvda["car"]["0,5"]["cut"] is False
    # the anniversary excess is the firm's return since the pre-event close minus the benchmark's
    bench = data["tickers"]["^GSPC"]["anniversary"]["return_since_pre_event"]
    assert nvda["anniversary"]["excess_vs_benchmark"] == pytest.approx(nvda["anniversary"]["return_since_pre_event"]
                                                                     - bench)


def test_day0_return_matches_the_flagship_study(flagship_aftermath, real_cache):
    base = simple_returns(real_cache.read("NVDA"))
    path = flagship_aftermath.per_ticker["NVDA"]
    first = flagship_aftermath.paths["NVDA"].iloc[1] - 1
    assert first == pytest.approx(base.loc["2025-01-27"], abs=1e-15)
    assert path["segments"][0]["file"] == "1d/NVDA.csv"


def test_confounds_inside_long_windows_come_from_the_timeline(flagship_aftermath):
    labels = " ".join(item["label"] for item in flagship_aftermath.confounds["0,60"])
    assert "Liberation Day" in labels and "FOMC" in labels
    assert all(item["tau"] <= 5 for item in flagship_aftermath.confounds["0,5"])


def test_horizon_past_the_data_is_cut_and_says_so():
    from analysis.events import adhoc_event

    result = run_aftermath(adhoc_event("2026-04-24", tickers=["NVDA"]))
    entry = result.per_ticker["NVDA"]["car"]["0,250"]
    assert entry["cut"] is True and entry["window"][1] < 250 and "runs past the data" in entry["note"]
    assert any("are cut to" in note for note in result.notes)
    assert result.per_ticker["NVDA"]["anniversary"]["date"] is None


def test_cli_event_beyond_the_data_is_one_line(capsys):
    assert cli.main(["aftermath", "--event", "2026-12-01"]) == 2
    err = capsys.readouterr().err
    assert "beyond the data" in err and "last date held" in err and err.count("\n") == 1


def test_cli_aftermath_json(capsys):
    assert cli.main(["aftermath", "--event-file", "events/deepseek-r1.toml", "--tickers", "NVDA,AVGO", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["tickers"]) >= {"NVDA", "AVGO", "^GSPC"}
    assert data["tickers"]["AVGO"]["kind"] == "firm" and data["groups"]["all firms"]["0,20"]["draws"] == 2000


def test_cache_list_shows_each_extension_and_its_join(capsys):
    assert cli.main(["cache", "list"]) == 0
    out = capsys.readouterr().out
    section = out[out.index("Extensions"):]
    assert "2024-12-12,2025-03-18" in section  # TSM's ex-dividend days on the overlap
    assert "disagrees" in section and "no_base" in section
