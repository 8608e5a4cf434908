"""The timeline as events: the event files, the multi-event variance by hand, and the study on the real cache."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis import cli
from analysis.events import load_event
from analysis.timeline import mean_car_test, releases, run_timeline_study, timeline_event_files


def _cov(a, b, c):
    index = ["A", "B"]
    return pd.DataFrame([[a, c], [c, b]], index=index, columns=index)


def test_multi_event_variance_by_hand_independent_dates():
    cars = pd.DataFrame({"event": ["e1", "e1", "e2", "e2"], "firm": ["A", "B", "A", "B"],
                         "car": [0.02, -0.01, 0.03, 0.00]})
    cov = {"e1": _cov(4e-4, 9e-4, 2e-4), "e2": _cov(1e-4, 1e-4, 5e-5)}
    factors = {"e1": 2.1, "e2": 2.05}
    sessions = {"e1": pd.DatetimeIndex(["2025-03-03", "2025-03-04"]),
                "e2": pd.DatetimeIndex(["2025-06-02", "2025-06-03"])}
    test = mean_car_test(cars, cov, factors, sessions)
    # same date: c_e (s_AA + s_BB + 2 s_AB); different dates, no shared session: 0
    variance = (2.1 * (4e-4 + 9e-4 + 2 * 2e-4) + 2.05 * (1e-4 + 1e-4 + 2 * 5e-5)) / 16
    assert test.value == pytest.approx(0.01 / math.sqrt(variance), rel=1e-12)
    assert test.n == 4 and test.distribution == "N(0,1)"


def test_multi_event_variance_by_hand_overlapping_windows():
    cars = pd.DataFrame({"event": ["e1", "e2"], "firm": ["A", "A"], "car": [0.02, 0.01]})
    cov = {"e1": _cov(4e-4, 9e-4, 2e-4), "e2": _cov(2e-4, 1e-4, 5e-5)}
    factors = {"e1": 2.0, "e2": 2.0}
    sessions = {"e1": pd.DatetimeIndex(["2025-09-22", "2025-09-23"]),
                "e2": pd.DatetimeIndex(["2025-09-23", "2025-09-24"])}  # one shared session
    test = mean_car_test(cars, cov, factors, sessions)
    variance = (2.0 * 4e-4 + 2.0 * 2e-4 + 2 * 1 * 0.5 * (4e-4 + 2e-4)) / 4
    assert test.value == pytest.approx(0.015 / math.sqrt(variance), rel=1e-12)
    # without the overlap the same firm on two dates is independent: a smaller variance, a larger t
    sessions["e2"] = pd.DatetimeIndex(["2025-09-25", "2025-09-26"])
    assert mean_car_test(cars, cov, factors, sessions).value == pytest.approx(
        0.015 / math.sqrt((2.0 * 4e-4 + 2.0 * 2e-4) / 4), rel=1e-12)


def test_event_files_of_the_timeline():
    files = timeline_event_files()
    events = [load_event(p) for p in files]
    assert [e.date for e in events] == sorted(e.date for e in events)
    by_name = {e.name: e for e in events}
    assert str(by_name["deepseek-v3"].date) == "2024-12-26"
    assert str(by_name["deepseek-r1-release"].day0().session.date()) == "2025-01-21"  # 20 Jan was MLK Day
    assert "earnings" in by_name["deepseek-r1-0528"].title.lower()
    assert 1 in by_name["deepseek-r1-0528"].relative_confounds((0, 1))
    assert str(by_name["deepseek-v4-preview"].date) == "2026-04-24"


def test_every_release_the_data_cover_has_an_event_file(real_cache):
    days = {load_event(p).day0().session for p in timeline_event_files()}
    rel = releases(real_cache)
    covered = rel[(rel["session"] <= pd.Timestamp("2026-09-04")) & (rel["confidence"] != "low")]
    # The timeline's later dates of one release (V3.1's base weights on 19 Aug, registrations limited and Janus-Pro
    # on 27 Jan, the probes of 29-30 Jan, the Lunar New Year non-release) are not separate events.
    wanted = {"DeepSeek-V3 released", "DeepSeek-R1 +", "V3-0324", "R1-0528", "V3.1 weights", "Terminus",
              "V3.2-Exp", "V3.2 (final)", "V4 preview"}
    for _, row in covered.iterrows():
        if any(w in row["label"] for w in wanted):
            assert row["session"] in days or row["session"] + pd.Timedelta(days=2) in days, row["label"]


@pytest.fixture(scope="module")
def study():
    return run_timeline_study()


def test_flagship_row_equals_the_flagship_study(study):
    nvda = study.table[(study.table["event"] == "deepseek-r1") & (study.table["firm"] == "NVDA")].iloc[0]
    assert nvda["ar0"] == pytest.approx(-0.1321, abs=5e-5)  # README: AR[0] -13.21 %, t -5.05
    assert nvda["ar0_t"] == pytest.approx(-5.05, abs=5e-3)
    assert nvda["car01"] == pytest.approx(-0.0695, abs=5e-5)


def test_no_later_release_comes_close_to_the_flagship(study):
    closest = study.closest_to_flagship()
    assert len(closest) == 7
    assert (closest["share_of_flagship"] < 0.5).all()
    assert study.later.n > 100 and abs(study.later.value) < 2


def test_cli_timeline_json(capsys):
    assert cli.main(["timeline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "deepseek-v4-preview" in data["events"] and "hardware (EW)" in data["events"]["deepseek-v3"]["firms"]
    assert set(data["later_releases_mean_car01"]) == {"t", "p", "n", "note"}


# --- claims of a date ----------------------------------------------------------------------------------------------
def test_seed_001_dates_v3_wrongly_and_the_timeline_says_why(real_cache):
    from analysis.claims import check_date_claims, load_date_claims, read_seeds

    registry = load_date_claims()
    seeds = read_seeds()
    assert all(row.quote in seeds[row.seed] for row in registry.itertuples())  # verbatim
    checked = check_date_claims(registry, cache=real_cache).set_index("id")
    v3 = checked.loc["v3_release_001"]
    assert (v3.claimed_date, v3.timeline_date, v3.days_off, v3.verdict) == ("2024-11-26", "2024-12-26", -30,
                                                                             "date_wrong")
    assert "Release DeepSeek-V3" in v3.source and v3.confidence == "high"
    assert v3.nearest_release.startswith("2024-11-20")
    assert set(checked.loc[["r1_release_001", "r1_release_002"], "verdict"]) == {"date_matches"}


def test_date_claims_registry_errors_name_the_row(tmp_path):
    from analysis.claims import load_date_claims
    from analysis.errors import ClaimsRegistryError

    path = tmp_path / "claims_dates.csv"
    path.write_text("id,seed,quote,subject,claimed_date,timeline_label,note\n"
                    "v3,001_x.txt,quote,V3,26/11/2024,V3 released,\n", encoding="utf-8")
    with pytest.raises(ClaimsRegistryError, match="row 'v3'.*not YYYY-MM-DD"):
        load_date_claims(path)


def test_conclusion_in_words_and_which_events_the_study_covers(study):
    from analysis.events import adhoc_event, flagship
    from analysis.timeline import covers

    text = study.conclusion()
    assert "No later release came close to 2025-01-27" in text and "deepseek-v3-0324" in text
    assert covers(flagship()) and not covers(adhoc_event("2025-03-10"))
    assert list(study.wide(["NVDA"]).index)[:3] == ["deepseek-v3", "deepseek-r1-release", "deepseek-r1"]
