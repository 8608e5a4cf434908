"""The tables the notebooks show, checked directly on a synthetic study (every number traced to the engine)."""

from __future__ import annotations

import math

import pytest

from analysis.eventstudy import EventStudy
from analysis.tables import day0_table, format_p, group_tests_table, peer_group_table, window_name

from synthetic import market_model_market


@pytest.fixture(scope="module")
def fitted():
    market = market_model_market(n_firms=6)
    return EventStudy(market.returns, market.day0, benchmark=market.benchmark, benchmark_name="MKT").fit()


def test_day0_table_is_sorted_in_percent_and_matches_the_engine(fitted):
    table = day0_table(fitted)
    frame = fitted.to_frame()
    day = frame[frame["window"] == "0,0"].set_index("firm")
    assert list(table.columns) == ["AR[0] (%)", "t", "p", "placebo p (day 0)"]
    assert table["AR[0] (%)"].is_monotonic_increasing
    for firm, row in table.iterrows():
        assert row["AR[0] (%)"] == pytest.approx(100 * day.loc[firm, "car"], rel=1e-12)
        assert row["t"] == day.loc[firm, "t"] and row["p"] == day.loc[firm, "p"]
    two_day = day0_table(fitted, (0, 1))
    assert "CAR[0,+1] (%)" in two_day.columns


def test_group_tests_table_leads_with_the_tests_that_survive_a_shared_date(fitted):
    table = group_tests_table(fitted.group)
    assert list(table.columns) == ["AR[0]", "CAR[0,+1]", "CAR[-1,+1]"]
    assert table.index.name.startswith("N = 6, r̄ = ")
    rows = list(table.index)
    assert rows[0] == "CAAR (%)" and rows[1].startswith("equal-weighted portfolio t")
    assert all("assumes" in r for r in rows[-3:]), rows  # the tests that assume independence come last, labelled
    stats = fitted.group.windows[0]
    assert table.loc["CAAR (%)", "AR[0]"] == f"{100 * stats.caar:+.2f}"


def test_peer_group_table_uses_the_event_groups(fitted):
    firms = list(fitted.tickers)
    groups = {"first": tuple(firms[:3]), "second": tuple(firms[3:]), "absent": ("NOPE",)}
    table = peer_group_table(fitted, groups)
    assert list(table.index) == ["first", "second"]  # a group with no firm in the study is left out
    first = fitted.group_stats(firms[:3]).windows[0]
    assert table.loc["first", "N"] == 3
    assert table.loc["first", "portfolio CAR (%)"] == pytest.approx(100 * first.portfolio_car)
    assert table.loc["first", "KP-adjusted BMP t"] == pytest.approx(first.kp_bmp.value)


@pytest.mark.parametrize("value, text", [(0.5, "0.5000"), (0.00005, "<0.0001"), (math.nan, "n/a"), (None, "n/a")])
def test_format_p(value, text):
    assert format_p(value) == text


@pytest.mark.parametrize("window, text", [((0, 0), "AR[0]"), ((0, 1), "CAR[0,+1]"), ((-1, 1), "CAR[-1,+1]"),
                                          ((-5, 5), "CAR[-5,+5]")])
def test_window_name(window, text):
    assert window_name(window) == text
