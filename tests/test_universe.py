"""The index cross-section (analysis/universe.py): the cached universe, synthetic firms with known answers, a
hand-checked sector CAAR on the real data, the regression against an independent computation, the timeline, the
command line and the charts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import calendar as cal
from analysis.cache import (
    UNIVERSES,
    import_universe,
    parse_universe_closes,
    read_universe,
)
from analysis.cli import main
from analysis.errors import CacheCorruptError, UnknownTickerError
from analysis.universe import (
    REGRESSORS,
    UniverseData,
    UniverseStudy,
    load_universe_data,
    ols_hc3,
    timeline_cross_sections,
)

SHARED = "/work/shared/market-data"
FLAGSHIP = "2025-01-27"  # test data: the day the real-data tests look at


# ---------------------------------------------------------------------------------------------------------------
# Synthetic universe with known answers
# ---------------------------------------------------------------------------------------------------------------
SEED = 20250127
SECTORS = {"Alpha": 12, "Beta": 10, "Gamma": 8}


def _synthetic(shock: dict[str, float] | None = None, day0: str = "2025-01-27", short: dict[str, int] | None = None,
               seed: int = SEED, noise: float = 0.01) -> UniverseData:
    """Firms following a market model on real XNYS sessions; ``shock`` adds a known AR on day 0 to whole sectors
    (by name) or to single members; ``short`` makes members start late (number of missing leading returns)."""
    rng = np.random.default_rng(seed)
    sessions = cal.sessions(pd.Timestamp("2023-12-01"), pd.Timestamp("2025-03-31"), "XNYS")
    n = len(sessions)
    market = rng.normal(0.0004, 0.009, n)
    soxx = 1.6 * market + rng.normal(0, 0.012, n)
    members, columns, betas_soxx = [], {}, {}
    for sector, count in SECTORS.items():
        for i in range(count):
            name = f"{sector[:2].upper()}{i}"
            load = rng.uniform(-0.5, 0.8)
            beta = rng.uniform(0.6, 1.4)
            r = 0.0002 + beta * market + load * (soxx - 1.6 * market) + rng.normal(0, noise, n)
            columns[name] = r
            betas_soxx[name] = load
            members.append({"Symbol": name, "Security": f"{sector} {i}", "GICS Sector": sector,
                            "GICS Sub-Industry": f"{sector} {'A' if i % 2 else 'B'}"})
    returns = pd.DataFrame(columns, index=sessions)
    pos0 = sessions.get_loc(pd.Timestamp(day0))
    for key, value in (shock or {}).items():
        cols = [m["Symbol"] for m in members if m["GICS Sector"] == key] if key in SECTORS else [key]
        returns.iloc[pos0, [returns.columns.get_loc(c) for c in cols]] += value
    returns.iloc[0] = np.nan  # the first session has no return
    for name, missing in (short or {}).items():
        returns.iloc[: missing + 1, returns.columns.get_loc(name)] = np.nan
    closes = 100.0 * (1.0 + returns.fillna(0.0)).cumprod()
    closes = closes.where(returns.notna() | (np.arange(n)[:, None] == 0))
    for name, missing in (short or {}).items():
        closes.iloc[: missing, closes.columns.get_loc(name)] = np.nan
    frame = pd.DataFrame(members).set_index("Symbol")
    frame.loc["GONE"] = ["Gone Inc", "Alpha", "Alpha A"]  # listed, no prices: survivorship
    series = pd.DataFrame({"^GSPC": market, "RSP": 0.9 * market + rng.normal(0, 0.002, n), "SOXX": soxx},
                          index=sessions).iloc[1:]
    returns = returns.iloc[1:]
    return UniverseData(name="synthetic", closes=closes, returns=returns, members=frame, series=series,
                        notes=("Survivorship: synthetic (GONE has no prices).",), as_of="2024-12-27")


def test_synthetic_sector_shock_is_recovered():
    data = _synthetic({"Alpha": -0.05, "Gamma": 0.03})
    res = UniverseStudy(FLAGSHIP).fit(data)
    sectors = res.sectors()
    assert list(sectors.index) == ["Alpha", "Beta", "Gamma"]  # ranked by day-0 CAAR, most negative first
    assert sectors.loc["Alpha", "caar[0,0]"] == pytest.approx(-0.05, abs=0.006)
    assert sectors.loc["Beta", "caar[0,0]"] == pytest.approx(0.0, abs=0.006)
    assert sectors.loc["Gamma", "caar[0,0]"] == pytest.approx(0.03, abs=0.006)
    assert sectors.loc["Alpha", "portfolio_t[0,0]"] < -5 and sectors.loc["Alpha", "csect_t[0,0]"] < -5
    assert abs(sectors.loc["Beta", "kp_bmp_t[0,0]"]) < 3
    assert sectors.loc["Alpha", "n"] == 12 and res.n_firms == 30 and res.n_members == 31
    assert res.excluded == {"GONE": "no prices in the source (survivorship: see the notes)"}


def test_synthetic_csect_t_is_the_shared_statistic():
    data = _synthetic({"Alpha": -0.02})
    res = UniverseStudy(FLAGSHIP).fit(data)
    cars = res.table().query("sector == 'Alpha'")["ar0_^GSPC"].to_numpy()
    by_hand = cars.mean() / (cars.std(ddof=1) / np.sqrt(cars.size))
    assert res.sectors().loc["Alpha", "csect_t[0,0]"] == pytest.approx(by_hand, rel=1e-12)


def test_short_histories_fall_out_with_their_reason():
    data = _synthetic(short={"AL0": 120, "BE1": 60})
    res = UniverseStudy(FLAGSHIP).fit(data)
    assert "AL0" in res.excluded and "only" in res.excluded["AL0"] and "< 200" in res.excluded["AL0"]
    # BE1 lacks 60 leading returns but keeps >= 200 in the window: fitted on its own window, not in group tests
    assert "BE1" not in res.excluded and "BE1" in res.table().index
    assert "BE1" not in res.main.tickers
    assert any("BE1" in note and "not the group tests" in note for note in res.notes)
    assert res.sectors().loc["Beta", "n"] == 9


def test_exposure_regression_finds_the_soxx_loading():
    # the day-0 AR is driven by the SOXX loading: AR_i = -0.1 * load_i (+ noise)
    data = _synthetic()
    res0 = UniverseStudy(FLAGSHIP).fit(data)
    betas = res0.exposures()["beta_soxx"]
    pos0 = data.returns.index.get_loc(pd.Timestamp(FLAGSHIP))
    returns = data.returns.copy()
    returns.iloc[pos0] += (-0.1 * betas).reindex(returns.columns).to_numpy()
    shocked = UniverseData(**{**data.__dict__, "returns": returns})
    reg = UniverseStudy(FLAGSHIP).fit(shocked).regression()
    assert set(REGRESSORS) == set(reg["params"])
    assert reg["params"]["beta_soxx"] == pytest.approx(-0.1, abs=0.03)
    assert reg["t_hc3"]["beta_soxx"] < -4 and reg["r2"] > 0.5


def test_timeline_overlap_with_dates():
    # the same members hit on two dates, others on a third
    data = _synthetic({"AL0": -0.2, "AL1": -0.2, "AL2": -0.2})
    later = data.returns.index.get_loc(pd.Timestamp("2025-03-03"))
    other = data.returns.index.get_loc(pd.Timestamp("2025-02-10"))
    returns = data.returns.copy()
    returns.iloc[later, [returns.columns.get_loc(c) for c in ("AL0", "AL1", "AL2")]] -= 0.2
    returns.iloc[other, [returns.columns.get_loc(c) for c in ("GA0", "GA1", "GA2")]] -= 0.2
    data = UniverseData(**{**data.__dict__, "returns": returns})
    timeline = timeline_cross_sections([FLAGSHIP, "2025-02-10", "2025-03-03", "2026-01-05"], reference=FLAGSHIP,
                                       top=3, data=data)
    s = timeline.summary
    assert s.loc["2025-03-03", "overlap_top"] == 3 and s.loc["2025-02-10", "overlap_top"] == 0
    assert s.loc[FLAGSHIP, "overlap_share"] == 1.0
    assert set(timeline.hardest_hit["2025-02-10"]) == {"GA0", "GA1", "GA2"}
    assert s.loc["2026-01-05", "status"].startswith("not covered")


def test_timeline_takes_event_configs_and_constant_members_fall_out():
    from analysis.events import adhoc_event, flagship

    data = _synthetic({"BE0": -0.2})
    returns = data.returns.copy()
    returns["GA3"] = 0.0  # a price that never moves
    data = UniverseData(**{**data.__dict__, "returns": returns})
    event = flagship()
    later = adhoc_event("2025-02-10", base=event)
    timeline = timeline_cross_sections([event, later], data=data, top=1)
    assert list(timeline.summary.index) == [event.name, later.name]
    assert timeline.reference == event.name and timeline.hardest_hit[event.name] == ("BE0",)
    assert "constant price" in timeline.results[event.name].excluded["GA3"]
    study = UniverseStudy.from_event(event)
    assert study.universe == "sp500" and study.benchmarks == ("^GSPC", "RSP") and study.windows == event.windows


# ---------------------------------------------------------------------------------------------------------------
# The regression against an independent computation (numpy lstsq and an HC3 sandwich written here)
# ---------------------------------------------------------------------------------------------------------------
def _hc3_by_hand(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    b, *_ = np.linalg.lstsq(x, y, rcond=None)
    e = y - x @ b
    xtx_inv = np.linalg.inv(x.T @ x)
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = (x * (e / (1.0 - h))[:, None] ** 2).T @ x
    cov = xtx_inv @ meat @ xtx_inv
    r2 = 1.0 - (e @ e) / np.sum((y - y.mean()) ** 2)
    return b, np.sqrt(np.diag(cov)), r2


def test_ols_hc3_against_lstsq_and_sandwich():
    rng = np.random.default_rng(SEED)
    x = pd.DataFrame({"const": 1.0, "a": rng.normal(size=80), "b": rng.exponential(size=80)})
    y = pd.Series(0.3 - 0.7 * x["a"] + 0.2 * x["b"] + rng.normal(size=80) * (1 + x["b"]))
    y.iloc[5] = np.nan  # dropped
    out = ols_hc3(y, x)
    keep = y.notna().to_numpy()
    b, se, r2 = _hc3_by_hand(y.to_numpy()[keep], x.to_numpy()[keep])
    assert out["n"] == 79
    np.testing.assert_allclose([out["params"][k] for k in x.columns], b, rtol=1e-10)
    np.testing.assert_allclose([out["bse_hc3"][k] for k in x.columns], se, rtol=1e-10)
    assert out["r2"] == pytest.approx(r2, rel=1e-10)


@pytest.fixture(scope="module")
def flagship():
    return UniverseStudy(FLAGSHIP, mark="NVDA").fit()


def test_real_regression_against_independent_computation(flagship):
    table = flagship.table()
    for dummies in (False, True):
        reg = flagship.regression(sector_dummies=dummies)
        x = pd.DataFrame({"const": 1.0, "beta_soxx": table["beta_soxx"], "momentum": table["momentum"]})
        if dummies:
            sectors = sorted(table["sector"].unique())
            for s in sectors[1:]:
                x[s] = (table["sector"] == s).astype(float)
        b, se, r2 = _hc3_by_hand(table["ar0_^GSPC"].to_numpy(), x.to_numpy(float))
        np.testing.assert_allclose([reg["params"][k] for k in REGRESSORS], b[:3], rtol=1e-9)
        np.testing.assert_allclose([reg["bse_hc3"][k] for k in REGRESSORS], se[:3], rtol=1e-9)
        assert reg["r2"] == pytest.approx(r2, rel=1e-9)
    assert flagship.regression()["t_hc3"]["beta_soxx"] < -3  # the AI-hardware exposure explains part of the day


# ---------------------------------------------------------------------------------------------------------------
# Hand-checked sector CAAR and exposures on the real data
# ---------------------------------------------------------------------------------------------------------------
def _hand_ar0(closes: pd.DataFrame, index: pd.Series, member: str) -> float:
    """Market model by np.polyfit over τ ∈ [−250, −11], from the raw files' closes."""
    r = closes[member].pct_change(fill_method=None)
    m = index.pct_change(fill_method=None).reindex(r.index)
    pos0 = r.index.get_loc(pd.Timestamp(FLAGSHIP))
    est = slice(pos0 - 250, pos0 - 10)
    slope, intercept = np.polyfit(m.iloc[est].to_numpy(), r.iloc[est].to_numpy(), 1)
    return float(r.iloc[pos0] - intercept - slope * m.iloc[pos0])


def test_hand_checked_sub_industry_caar(flagship, project_root):
    closes = pd.read_csv(project_root / "data" / "universe" / "sp500_closes.csv", index_col="date",
                         parse_dates=True)
    gspc = pd.read_csv(project_root / "data" / "1d" / "_GSPC.csv", index_col="date", parse_dates=True)["close"]
    members = pd.read_csv(project_root / "data" / "universe" / "sp500_constituents_2024-12-27.csv")
    for group in ("Electronic Components", "Independent Power Producers & Energy Traders", "Semiconductors"):
        names = [m for m in members.loc[members["GICS Sub-Industry"] == group, "Symbol"] if m in closes.columns]
        caar = np.mean([_hand_ar0(closes, gspc, m) for m in names])
        row = flagship.sub_industries().loc[group]
        assert row["n"] == len(names) and row["caar[0,0]"] == pytest.approx(caar, abs=1e-12)
    # and one member's SOXX beta and momentum
    soxx = pd.read_csv(project_root / "data" / "1d" / "SOXX.csv", index_col="date", parse_dates=True)["close"]
    r = closes["NVDA"].pct_change(fill_method=None)
    s = soxx.pct_change(fill_method=None).reindex(r.index)
    pos0 = r.index.get_loc(pd.Timestamp(FLAGSHIP))
    est = slice(pos0 - 250, pos0 - 10)
    beta = np.polyfit(s.iloc[est].to_numpy(), r.iloc[est].to_numpy(), 1)[0]
    momentum = closes["NVDA"].iloc[pos0 - 21] / closes["NVDA"].iloc[pos0 - 252] - 1
    row = flagship.table().loc["NVDA"]
    assert row["beta_soxx"] == pytest.approx(beta, rel=1e-10) and row["momentum"] == pytest.approx(momentum, rel=1e-12)


def test_real_distribution_and_exclusions(flagship):
    dist = flagship.distribution()
    assert dist["n"] == 484 and dist["share_down"] == pytest.approx(0.30, abs=0.01)
    assert dist["median_return"] == pytest.approx(0.0128, abs=0.0005)
    assert dist["index_return"] == pytest.approx(-0.0146, abs=0.0001)
    assert dist["marked"] == "NVDA" and dist["marked_return"] == pytest.approx(-0.1697, abs=0.0001)
    assert flagship.n_members == 503 and flagship.n_firms == 481
    assert {"GEV", "SOLV", "SW"} <= set(flagship.excluded) and "UNH" in flagship.excluded
    assert "< 200" in flagship.excluded["GEV"]
    assert len(flagship.excluded) == 503 - 481
    notes = " ".join(flagship.notes)
    assert "survivorship bias" in notes and "SW" in notes and "2024-07-08" in notes
    text = flagship.summary()
    assert "Excluded (22)" in text and "survivorship" in text and "adjusted closes" in text
    # ARs against the equal-weight benchmark too
    assert flagship.table()["ar0_RSP"].notna().all()


def test_sw_before_its_us_listing_is_missing():
    data = load_universe_data()
    assert data.closes.loc[:"2024-07-05", "SW"].isna().all() and data.closes.loc["2024-07-08", "SW"] > 0
    assert np.isnan(data.returns.loc["2024-07-08", "SW"]) and np.isfinite(data.returns.loc["2024-07-09", "SW"])


def test_real_sector_ranking_and_intervals(flagship):
    sectors = flagship.sectors()
    assert sectors["caar[0,0]"].is_monotonic_increasing
    assert sectors.index[-1] == "Consumer Staples" and "Information Technology" in sectors.index[:3]
    ci = flagship.conf_int()
    assert ((ci["lo"] < ci["caar"]) & (ci["caar"] < ci["hi"])).all()


# ---------------------------------------------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------------------------------------------
def test_universe_is_cached_verbatim(real_cache):
    closes, members = read_universe(real_cache)
    assert closes.shape == (667, 484) and len(members) == 503
    assert closes.attrs["close_basis"] == "adjusted"
    entry = real_cache.manifest()[UNIVERSES["sp500"][0]]
    assert entry.kind == "universe" and entry.first == "2023-12-01" and entry.last == "2026-07-31"
    assert "dsturdy/Factor_Attribution" in entry.source
    assert (real_cache.data_dir / "universe" / "README.md").read_text().startswith("# The S&P 500")


def test_verify_covers_the_universe(tmp_cache):
    path = tmp_cache.data_dir / UNIVERSES["sp500"][0]
    text = path.read_text()
    path.write_text(text.replace("\n2024-01-02,", "\n2024-01-01,", 1))  # a holiday, not a session
    problems = tmp_cache.verify()
    assert [p.file for p in problems] == [UNIVERSES["sp500"][0]] and "sha256" in problems[0].problem
    manifest = json.loads(tmp_cache.manifest_path.read_text())
    from analysis.cache import sha256_of

    manifest["files"][UNIVERSES["sp500"][0]]["sha256"] = sha256_of(path)  # the checksum agrees, the data do not
    tmp_cache.manifest_path.write_text(json.dumps(manifest))
    problems = tmp_cache.verify()
    assert problems and all(p.file == UNIVERSES["sp500"][0] for p in problems)
    assert any("not XNYS sessions" in p.problem for p in problems)


def test_malformed_universe_file_names_the_line():
    payload = b"date,AAA,BBB\n2025-01-02,1.0,2.0\n2025-01-03,1.1,oops\n"
    with pytest.raises(CacheCorruptError, match="line 3: BBB='oops'"):
        parse_universe_closes(payload, label="x.csv")
    frame = parse_universe_closes(b"date,AAA,BBB\n2025-01-02,1.0,\n2025-01-03,1.1,2.0\n")
    assert np.isnan(frame.loc["2025-01-02", "BBB"]) and frame.dtypes.eq("float64").all()


def test_import_universe_into_an_empty_cache(tmp_path):
    from analysis.cache import Cache

    cache = Cache(tmp_path / "data")
    entries = import_universe(cache, SHARED)
    assert {e.path for e in entries} == {*UNIVERSES["sp500"], "universe/README.md"}
    assert cache.verify() == []
    with pytest.raises(UnknownTickerError, match="unknown universe"):
        read_universe(cache, "nasdaq")


# ---------------------------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------------------------
def test_cli_json(capsys, project_root):
    assert main(["universe", "--event-file", str(project_root / "events" / "deepseek-r1.toml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_members"] == 503 and out["n_firms"] == 481 and "GEV" in out["excluded"]
    assert out["share_down"] == pytest.approx(0.30, abs=0.01) and out["median_return"] > 0
    energy = out["sectors"]["Energy"]
    assert energy["n"] == 20 and set(energy["windows"]["0,0"]) == {"caar", "portfolio_t", "kp_bmp_t", "csect_t"}
    assert set(out["regression"]) >= {"n", "r2", "params", "bse_hc3", "t_hc3"}
    assert set(out["regression"]["params"]) == {"const", "beta_soxx", "momentum"}
    assert any("survivorship" in n for n in out["notes"])


def test_cli_event_outside_the_data_is_one_line(capsys):
    assert main(["universe", "--event", "2026-12-01"]) == 2  # beyond the universe's prices (to 2026-07)
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Fix:" in err


def test_too_early_an_event_is_told_the_first_date_that_works(capsys):
    # the universe's prices start on 2023-12-04: 200 estimation returns ending at τ = −11 first fit on 2024-10-04
    assert main(["universe", "--event", "2024-10-03", "--json"]) == 2
    err = capsys.readouterr().err
    assert "fewer than 200 estimation returns" in err and "on or after 2024-10-04" in err
    assert main(["universe", "--event", "2024-10-04", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_firms"] > 400


# ---------------------------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------------------------
def test_charts_draw(flagship, tmp_path):
    from analysis.charts import save_figure

    for kind, needle in (("histogram", "fell"), ("sectors", "CAAR"), ("beta", "chip stocks")):
        fig = flagship.plot(kind)
        titles = [ax.get_title(loc=where) for ax in fig.axes for where in ("left", "center")]
        suptitle = [fig._suptitle.get_text()] if fig._suptitle is not None else []
        texts = " ".join(titles + suptitle + [t.get_text() for t in fig.texts])
        assert needle in texts and "adjusted closes" in texts
        first = save_figure(fig, kind, tmp_path / "a", formats=("svg",))[0].read_bytes()
        second = save_figure(flagship.plot(kind), kind, tmp_path / "b", formats=("svg",))[0].read_bytes()
        assert first == second
    with pytest.raises(ValueError):
        flagship.plot("pie")


def test_later_releases_are_covered_through_the_benchmarks_extensions():
    """^GSPC, RSP and SOXX continue on their extensions after 2025-03-31, so a release of Sep 2025 is studied; the
    flagship's numbers are unchanged (before the cached files' end the cached returns are used)."""
    from analysis.universe import UniverseStudy, load_universe_data

    data = load_universe_data()
    later = UniverseStudy("2025-09-22").fit(data)
    assert later.n_firms > 450 and later.day0 == pd.Timestamp("2025-09-22")
    assert any("extension" in note for note in data.notes)
    assert UniverseStudy(FLAGSHIP).fit(data).distribution()["index_return"] == pytest.approx(-0.0146, abs=0.0001)
