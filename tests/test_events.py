"""Event files: the four required keys, the house defaults, errors that name the key and its line, the flagship,
ad-hoc events and their confounds (hand-checked sessions)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from analysis import config
from analysis.errors import EventFileError
from analysis.events import adhoc_event, flagship, load_event, resolve_event, window_label

MINIMAL = """name = "my-event"
title = "My event"
date = "2025-03-10"
tickers = ["NVDA", "AVGO"]
"""


def write(tmp_path, text: str, name: str = "event.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_four_keys_are_enough_and_the_rest_takes_the_house_defaults(tmp_path):
    event = load_event(write(tmp_path, MINIMAL))
    assert (event.name, event.title, event.date, event.tickers) == ("my-event", "My event", dt.date(2025, 3, 10),
                                                                    ("NVDA", "AVGO"))
    assert event.benchmark == "^GSPC" and event.model == "market"
    assert event.estimation == (-250, -11) and event.windows == ((0, 0), (0, 1), (-1, 1))
    assert event.ar_path == (-10, 10) and event.indices == config.INDICES
    assert dict(event.groups) == {} and event.confounds == () and event.claims is None and event.valuation is None
    assert event.chart_firms == ("NVDA", "AVGO") and event.lead_firm == "NVDA"


def test_the_config_is_frozen(tmp_path):
    event = load_event(write(tmp_path, MINIMAL))
    with pytest.raises(AttributeError):
        event.benchmark = "RSP"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.groups["x"] = ("NVDA",)  # type: ignore[index]
    assert event.replace(benchmark="RSP").benchmark == "RSP" and event.benchmark == "^GSPC"


def test_the_flagship_file():
    event = flagship()
    assert event.name == "deepseek-r1" and event.date == dt.date(2025, 1, 27)
    assert event.tickers[0] == "NVDA" and len(event.tickers) == 17
    assert set(event.groups) == {"hardware", "platforms", "power"}
    assert event.claims is not None and event.claims.name == "claims.csv" and event.claims.exists()
    assert [f.source for f in event.valuation.reported] == ["Bloomberg", "Reuters/LSEG (about)"]
    assert [f.value_usd for f in event.valuation.reported] == [589e9, 593e9]


def test_confounds_land_on_their_sessions():
    # Hand-counted XNYS sessions from Mon 27 Jan 2025: 10 Jan is tau -10 (9 Jan and 20 Jan were closed), 21 Jan is
    # -4, 29 Jan +2, 30 Jan +3, 4 Feb +6.
    assert list(flagship().relative_confounds()) == [-10, -4, 2, 3, 6]


def test_an_adhoc_event_has_no_claims_and_finds_the_known_events_near_it():
    event = adhoc_event("2025-01-21")
    assert event.claims is None and event.valuation is None and event.name == "event-2025-01-21"
    confounds = event.relative_confounds((-5, 10))
    # with the timeline's event files, the R1 release itself (20 Jan, day 0 21 Jan) is a known event there too
    assert "Stargate announced" in confounds[0].split("; ") and "DeepSeek R1 shock" in confounds[4].split("; ")
    assert adhoc_event("2025-01-27") == flagship()  # the flagship's own date gives the flagship


def test_resolve_event_refuses_two_disagreeing_dates():
    with pytest.raises(EventFileError, match="disagrees"):
        resolve_event(config.find_project_root() / "events" / "deepseek-r1.toml", "2025-01-10")


@pytest.mark.parametrize("text, key, line", [
    (MINIMAL + 'colour = "red"\n', "colour", 5),
    (MINIMAL.replace('date = "2025-03-10"', 'date = "24/03/2025"'), "date", 3),
    (MINIMAL.replace('date = "2025-03-10"', "date = 2025-03-10T10:00:00"), "date", 3),
    (MINIMAL.replace('["NVDA", "AVGO"]', "[]"), "tickers", 4),
    (MINIMAL.replace('["NVDA", "AVGO"]', '["NVDA", "../x"]'), "tickers", 4),
    (MINIMAL.replace('"my-event"', '"My Event!"'), "name", 1),
    (MINIMAL + 'model = "capm"\n', "model", 5),
    (MINIMAL + "estimation = [-11, -250]\n", "estimation", 5),
    (MINIMAL.replace('["NVDA", "AVGO"]', '["NVDA", "AVGO", "nvda"]'), "tickers", 4),
    (MINIMAL + '[groups]\nchips = ["NVDA", "AMD"]\n', "groups.chips", 6),
    (MINIMAL + "windows = [[0, 1, 2]]\n", "windows", 5),
    (MINIMAL + '[groups]\nchips = "NVDA"\n', "groups.chips", 6),
    (MINIMAL + '[[confounds]]\ndate = "2025-03-06"\n', "confounds", 5),
    (MINIMAL + '[[confounds]]\ndate = "2025-03-06"\nlabel = "x"\nwhen = "noon"\n', "confounds.when", 8),
    (MINIMAL + '[valuation]\nticker = "NVDA"\nshares = "x.md"\n[[valuation.reported]]\nsource = "a"\n'
               'value_usd = -5\n', "valuation.reported.value_usd", 10),
    (MINIMAL + 'claims = "no-such-file.csv"\n', "claims", 5),
])
def test_bad_keys_and_values_name_the_key_and_the_line(tmp_path, text, key, line):
    path = write(tmp_path, text)
    with pytest.raises(EventFileError) as caught:
        load_event(path)
    message = str(caught.value)
    assert f"key '{key}'" in message and f"line {line}" in message, message
    assert caught.value.hint  # and a fix


def test_missing_required_key_and_broken_toml(tmp_path):
    with pytest.raises(EventFileError, match="required key 'tickers' is missing"):
        load_event(write(tmp_path, MINIMAL.replace('tickers = ["NVDA", "AVGO"]\n', "")))
    with pytest.raises(EventFileError, match=r"not valid TOML.*line 2"):
        load_event(write(tmp_path, 'name = "x"\ntitle = \n'))
    with pytest.raises(EventFileError, match="no event file"):
        load_event(tmp_path / "missing.toml")


def test_window_label_is_the_one_spelling():
    assert [window_label(w) for w in ((0, 0), (0, 1), (-1, 1), (-250, -11))] == ["[0,0]", "[0,+1]", "[-1,+1]",
                                                                                 "[-250,-11]"]


def test_cli_takes_an_event_file_and_errors_in_one_line(tmp_path):
    good = write(tmp_path, MINIMAL)
    ok = subprocess.run([sys.executable, "-m", "analysis", "study", "--json", "--event-file", str(good)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert '"day0": "2025-03-10"' in ok.stdout
    bad = write(tmp_path, MINIMAL + 'colour = "red"\n', "bad.toml")
    for command in ("study", "report", "claims", "groups", "figures", "moves"):
        result = subprocess.run([sys.executable, "-m", "analysis", command, "--event-file", str(bad)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (command, result.stderr)
        assert result.stderr.startswith("error: ") and "key 'colour'" in result.stderr and "line 5" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_cli_says_what_an_event_lacks(tmp_path):
    good = write(tmp_path, MINIMAL)
    claims = subprocess.run([sys.executable, "-m", "analysis", "claims", "--event-file", str(good)],
                            capture_output=True, text=True, timeout=120)
    assert claims.returncode == 2 and "has no claims registry" in claims.stderr
    groups = subprocess.run([sys.executable, "-m", "analysis", "groups", "--event-file", str(good)],
                            capture_output=True, text=True, timeout=120)
    assert groups.returncode == 2 and "defines no peer groups" in groups.stderr


def test_an_event_written_out_reads_back_equal(tmp_path):
    for event in (flagship(), adhoc_event("2025-01-21"), load_event(write(tmp_path, MINIMAL))):
        path = write(tmp_path, event.to_toml(), f"{event.name}.toml")
        again = load_event(path)
        assert again.replace(source=event.source) == event


def test_a_universe_may_stand_instead_of_the_tickers(tmp_path):
    event = load_event(write(tmp_path, MINIMAL.replace('tickers = ["NVDA", "AVGO"]\n', 'universe = "sp500"\n')))
    assert event.tickers == () and event.universe == "sp500" and event.lead_firm is None
    from analysis.notebooks import skipped_notebooks

    skipped = skipped_notebooks(event)
    assert set(skipped) == {"01_data", "02_claims_vs_market", "03_event_study", "05_robustness", "06_aftermath",
                            "07_timeline"}
    assert all("names no firms" in skipped[name] for name in ("01_data", "03_event_study", "05_robustness"))
    assert "no claims registry" in skipped["02_claims_vs_market"]
    from analysis.study import run_event_study

    with pytest.raises(EventFileError, match="names no firms"):
        run_event_study(event)
