"""The study on the real cache, end to end: the JSON contracts, the index reactions, robustness, peer groups,
the value lost, and the command line's handling of bad input."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from analysis import cli
from analysis.config import find_project_root
from analysis.errors import DataGapError, UnknownTickerError, WindowError
from analysis.events import flagship
from analysis.study import groups_report, index_table, robustness, run_event_study, study_json
from analysis.valuation import parse_share_count, value_lost


@pytest.fixture(scope="module")
def event():
    return flagship()


@pytest.fixture(scope="module")
def default_study(event):
    return run_event_study(event)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=120)


def test_study_json_contract(event, default_study):
    out = study_json(default_study, index_table(event))
    assert out["event_date"] == "2025-01-27" and out["day0"] == "2025-01-27"
    assert out["benchmark"] == "^GSPC" and out["model"] == "market" and out["estimation_window"] == [-250, -11]
    nvda = out["firms"]["NVDA"]
    assert set(nvda) >= {"alpha", "beta", "sigma", "n_estimation", "ar", "windows", "placebo_p"}
    assert list(nvda["ar"]) == [str(t) for t in range(-10, 11)]
    assert set(nvda["windows"]) == {"0,0", "0,1", "-1,1"}
    assert set(nvda["windows"]["0,0"]) >= {"car", "se", "t", "p"}
    assert nvda["n_estimation"] == 240
    # Decimal fractions: NVDA's raw return was -16.97 %, so its AR is a decimal near -0.13, not -13.
    assert -0.2 < nvda["ar"]["0"] < -0.1
    assert set(out["group"]["windows"]["0,0"]) >= {"caar", "portfolio_car", "portfolio_t", "patell_z", "patell_z_adj",
                                                   "bmp_t", "kp_bmp_t", "gsign_z"}
    assert set(out["group"]) >= {"tickers", "n", "rbar", "corrado_t"}
    assert {"NVDA", "GOOGL", "META", "MSFT", "AVGO"} <= set(out["group"]["tickers"])
    assert set(out["indices"]) == {"^IXIC", "^GSPC", "^DJI", "^NDX"}
    json.dumps(out, allow_nan=False)


def test_nvda_day0_is_a_large_significant_loss(default_study):
    nvda = default_study.to_dict()["firms"]["NVDA"]
    assert nvda["windows"]["0,0"]["t"] < -4 and nvda["windows"]["0,0"]["p"] < 1e-4
    assert nvda["placebo_p"] == pytest.approx(1 / 241)  # no estimation day was as large


def test_index_reactions_hand_checked(event):
    table = index_table(event).set_index("ticker")
    # Raw closes: ^IXIC 19954.30 -> 19341.83; ^DJI 44424.25 -> 44713.58 (it rose).
    assert table.loc["^IXIC", "return"] == pytest.approx(19341.83 / 19954.30 - 1, abs=1e-6)
    assert table.loc["^DJI", "return"] > 0
    assert table.loc["^IXIC", "z"] < -2 and table.loc["^IXIC", "percentile"] < 5


def test_robustness_covers_models_and_benchmarks(event):
    result = robustness(event.replace(tickers=("NVDA", "GOOGL", "META", "AVGO")))
    assert result.specs == ("market vs ^GSPC", "market vs ^IXIC", "market vs QQQ", "market vs RSP",
                            "market vs SOXX", "market-adjusted vs ^GSPC", "constant-mean", "ff3", "carhart", "ff5",
                            "garch vs ^GSPC")
    wide = result.wide("ar0_t")
    assert (wide.loc["NVDA"] < -3.0).all()  # significant whatever the model (carhart: t = -3.25, ff5: -3.48)
    assert wide.loc["NVDA", "market vs SOXX"] > wide.loc["NVDA", "market vs RSP"]  # the sector ETF holds NVDA
    assert any(line.startswith("GOOGL") or line.startswith("META") for line in result.conclusions())
    row = result.table.iloc[0]
    assert row.ar0_low < row.ar0 < row.ar0_high


def test_groups_json_contract(event):
    report = groups_report(event)
    assert set(report["groups"]) == {"hardware", "platforms", "power"}
    hardware = report["groups"]["hardware"]
    assert hardware["n"] == 9 and 0 < hardware["rbar"] < 1
    assert set(hardware["windows"]["0,0"]) >= {"caar", "portfolio_car", "portfolio_t", "kp_bmp_t", "grank_t",
                                               "wald_chi2", "wald_p"}
    diff = report["differences"]["hardware-platforms"]["windows"]["0,0"]
    assert set(diff) >= {"car", "se", "t", "p"} and diff["car"] < 0
    caar = {g: report["groups"][g]["windows"]["0,0"]["caar"] for g in ("hardware", "platforms")}
    assert diff["car"] == pytest.approx(caar["hardware"] - caar["platforms"], abs=1e-12)


def test_value_lost_arithmetic(event):
    value = value_lost(event)
    assert value.previous_close == 142.62 and value.close == 118.42
    assert value.value_lost_usd == pytest.approx(24.5e9 * 24.20)  # = $592.9bn, by hand
    assert round(value.value_lost_usd / 1e9, 1) == 592.9
    assert value.implied_shares["Bloomberg"] == pytest.approx(589e9 / 24.20)  # about 24.3bn shares
    assert "approximately" in str(value) and "Bloomberg $589bn" in str(value)
    assert parse_share_count("| about 24.5 billion shares |") == 24.5e9


def test_bad_input_gets_clear_errors(event):
    with pytest.raises(UnknownTickerError, match="ZZZZ not in the cache"):
        run_event_study(event.replace(tickers=("NVDA", "ZZZZ")))
    with pytest.raises(DataGapError, match="calendar day"):
        run_event_study(event.replace(tickers=("NVDA", "BTC-USD")))
    with pytest.raises(WindowError):
        run_event_study(event.replace(tickers=("NVDA",), estimation=(-100, -11)))  # fewer than 200 returns


def test_weekend_event_date_is_mapped_and_reported(event):
    out = run_event_study(event.replace(tickers=("NVDA",), date=dt.date(2025, 1, 25))).to_dict()
    assert out["event_date"] == "2025-01-25" and out["day0"] == "2025-01-27"


@pytest.mark.parametrize("args, message", [
    (["study", "--tickers", "NVDA,../x"], "not a valid ticker"),
    (["study", "--tickers", "NVDA", "--event", "2030-01-02"], "2030"),
    (["study", "--tickers", "NVDA", "--estimation", "-120", "-11"], "estimation"),
    (["study", "--tickers", "NVDA", "--event", "2024-01-05"], "estimation"),
])
def test_cli_bad_input_is_one_line(args, message):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    assert message in result.stderr


def test_cli_study_and_groups_json(capsys):
    assert cli.main(["study", "--json", "--tickers", "NVDA,GOOGL,META", "--window=-5,5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["firms"]) == {"NVDA", "GOOGL", "META"} and "-5,5" in out["firms"]["NVDA"]["windows"]
    assert cli.main(["groups", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["differences"]) == {"hardware-platforms", "hardware-power",
                                                                       "platforms-power"}


def test_groups_tables_are_tidy_and_match_the_report(event):
    from analysis.study import groups_tables

    report = groups_report(event)
    groups, differences = groups_tables(report)
    assert len(groups) == 3 * 3 and len(differences) == 3 * 3
    row = groups[(groups.group == "hardware") & (groups.window == "[0,0]")].iloc[0]
    assert row.caar == report["groups"]["hardware"]["windows"]["0,0"]["caar"] and row.n == 9


def test_cli_robustness(capsys):
    assert cli.main(["robustness", "--tickers", "NVDA,META"]) == 0
    out = capsys.readouterr().out
    assert "market vs RSP" in out and "Where the conclusion changes" in out and "META: significant" in out


def test_cli_says_when_the_event_date_is_not_a_session(capsys):
    assert cli.main(["study", "--json", "--tickers", "NVDA", "--event", "2025-01-25"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["day0"] == "2025-01-27"  # stdout stays pure JSON
    assert "2025-01-25 (Saturday) is not an XNYS session" in captured.err


def test_cli_window_accepts_a_negative_start_with_a_space(capsys):
    assert cli.main(["study", "--json", "--tickers", "NVDA", "--window", "-5,5", "--window", "2,3"]) == 0
    windows = json.loads(capsys.readouterr().out)["firms"]["NVDA"]["windows"]
    assert list(windows) == ["0,0", "0,1", "-1,1", "-5,5", "2,3"]


def test_groups_text_warns_of_a_confound_inside_its_windows(tmp_path, capsys):
    # the flagship with the FOMC day (29 Jan 2025, τ = +2) moved into [0,+1]: the groups' text must name it, and only it
    root = find_project_root()
    source = (root / "events" / "deepseek-r1.toml").read_text(encoding="utf-8").replace('"../', f'"{root}/')
    moved = source.replace('date = "2025-01-29"', 'date = "2025-01-28"', 1)
    assert moved != source
    path = tmp_path / "moved.toml"
    path.write_text(moved, encoding="utf-8")
    assert cli.main(["groups", "--event-file", str(path)]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Confound warning")]
    assert warnings == ["Confound warning: τ = +1 is inside the windows above: FOMC decision; MSFT and META "
                        "earnings after the close."]
    assert cli.main(["groups"]) == 0
    assert "Confound warning" not in capsys.readouterr().out
