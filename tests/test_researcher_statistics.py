"""The statistics added for researchers, each on a hand-computed case and on the real data against a
second computation written here, independently of the package's helpers:

* Wilcoxon signed-rank: the exact null law enumerated over the 2^N sign patterns;
* date-resampling bootstrap of the CAAR: an explicit loop over draws and dates;
* pre-trend F: the dummy-variable regression (statsmodels OLS with one dummy per pre-event day, then an F-test
  that the ten dummies are zero), which gives the same F exactly;
* Holm and Benjamini-Hochberg: hand-computed adjustments;
* Carhart and Fama-French 5: statsmodels OLS with event-day dummies on the factor files read here with pandas;
* α and β inference: statsmodels OLS;
* GARCH(1,1): a direct ``arch`` fit and arch's own forecast; a fit that fails falls back to OLS and says so;
* abnormal volume: statsmodels OLS of log volume with a day-0 dummy;
* the cross-sectional regression: the HC3 sandwich written out in numpy.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis import inference
from analysis.eventstudy import EventStudy, compare
from analysis.returns import returns_panel

STOCKS = ("NVDA", "AVGO", "TSM", "MU", "AMD", "GOOGL", "META", "MSFT", "AMZN", "AAPL", "ORCL", "VST", "CEG")
DAY0 = pd.Timestamp("2025-01-27")
ESTIMATION = (-250, -11)
WINDOWS = ((0, 0), (0, 1), (-1, 1))


# ---------------------------------------------------------------------------------------------------------------
# hand-computed cases
# ---------------------------------------------------------------------------------------------------------------


def test_wilcoxon_hand_case():
    # |CAR| ranks 1..5: W+ = 3 + 2 + 5 = 10, W- = 1 + 4 = 5; the statistic is min = 5.
    # Null law of W+ for N = 5 (counts of the 32 sign patterns for W+ = 0..15): 1 1 1 2 2 3 3 3 3 3 3 2 2 1 1 1,
    # so P(W+ <= 5) = 10/32 and the two-sided p = 20/32 = 0.625.
    test = inference.wilcoxon_test(np.array([0.03, -0.01, 0.02, 0.05, -0.04]))
    assert test.value == 5.0
    assert test.pvalue == pytest.approx(0.625, abs=1e-12)


def test_wilcoxon_equals_enumerated_exact_law():
    rng = np.random.default_rng(7)
    car = rng.normal(-0.01, 0.03, 9)
    ranks = stats.rankdata(np.abs(car))
    w_plus = ranks[car > 0].sum()
    total = ranks.sum()
    observed = min(w_plus, total - w_plus)
    count = 0
    for signs in itertools.product((0, 1), repeat=car.size):
        w = float(np.dot(signs, ranks))
        count += min(w, total - w) <= observed + 1e-12
    test = inference.wilcoxon_test(car)
    assert test.value == pytest.approx(observed)
    assert test.pvalue == pytest.approx(count / 2**car.size, abs=1e-12)


@pytest.mark.parametrize("n", [2, 5, 13, 14, 40, 50, 51, 120])
@pytest.mark.parametrize("kind", ["continuous", "ties", "a zero"])
def test_wilcoxon_equals_scipy_in_every_branch(n, kind):
    # exact law (N <= 50, no ties or zeros), scipy's permutation test (ties or zeros, N <= 13), normal with the tie
    # correction (otherwise): the same statistic and p as scipy.stats.wilcoxon's defaults.
    rng = np.random.default_rng(n)
    car = rng.standard_t(3, n) * 0.04 - 0.01
    if kind == "ties":
        car = np.round(car, 2)
        car[car == 0] = 0.01
        car[1] = -car[0]
    elif kind == "a zero":
        car[0] = 0.0
    test, reference = inference.wilcoxon_test(car), stats.wilcoxon(car)
    assert test.value == pytest.approx(float(reference.statistic), abs=1e-12)
    assert test.pvalue == pytest.approx(float(reference.pvalue), rel=1e-12)


def test_bootstrap_equals_an_explicit_loop():
    rng = np.random.default_rng(3)
    est = rng.normal(0, 0.02, (60, 4)) + rng.normal(0, 0.01, (60, 1))  # cross-correlated firms
    caar, length, factor, df = -0.012, 2, 2.1, 58
    test = inference.bootstrap_caar_test(est, caar, length, factor, df, draws=499, seed=11)
    # the same algorithm written out: draw whole dates, average the firms of each date, sum, rescale
    draw_rng = np.random.default_rng(11)
    picks = draw_rng.integers(0, 60, size=(499, length))
    centred_aar = [est[t].mean() - est.mean() for t in range(60)]
    scale = math.sqrt(factor * 60 / (length * df))
    exceed = 0
    for row in picks:
        value = sum(centred_aar[t] for t in row) * scale
        exceed += abs(value) >= abs(caar)
    assert test.pvalue == pytest.approx((1 + exceed) / 500, abs=1e-15)
    assert test.df == 499 and test.n == 4


def test_bootstrap_floor_for_an_extreme_caar():
    est = np.random.default_rng(0).normal(0, 0.01, (100, 3))
    test = inference.bootstrap_caar_test(est, -1.0, 1, 1.0, 98, draws=999, seed=1)
    assert test.pvalue == pytest.approx(1 / 1000)


def test_pretrend_hand_case():
    # market-adjusted-like bracket I, σ̂² = 1e-4, ARs 0.01 and 0.02: F = (1e-4 + 4e-4) / (2 × 1e-4) = 2.5
    f, p = inference.pretrend_f_statistics(np.array([[0.01], [0.02]]), np.eye(2), np.array([1e-4]), 30)
    assert f[0] == pytest.approx(2.5)
    assert p[0] == pytest.approx(stats.f.sf(2.5, 2, 30))


def test_holm_and_bh_hand_case():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # Holm: sorted 0.01·4 = 0.04, 0.03·3 = 0.09, max(0.04·2, 0.09) = 0.09, 0.2·1 = 0.2
    np.testing.assert_allclose(inference.adjust_pvalues(p, "holm"), [0.04, 0.09, 0.09, 0.2], atol=1e-15)
    # BH: p(k)·4/k = 0.04, 0.06, 0.0533, 0.2, then the running minimum from the top
    np.testing.assert_allclose(inference.adjust_pvalues(p, "fdr_bh"), [0.04, 0.16 / 3, 0.16 / 3, 0.2], atol=1e-15)
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(2)
    families = [rng.uniform(0, 0.2, 40), rng.uniform(0, 1, 500), np.round(rng.uniform(0, 0.1, 60), 2),  # ties
                np.array([0.5]), np.array([0.9, 0.95, 0.99])]  # one test; values that cap at 1
    for many in families:
        for method in ("holm", "fdr_bh"):
            np.testing.assert_allclose(inference.adjust_pvalues(many, method),
                                       multipletests(many, method=method)[1], rtol=1e-14)
    with_nan = inference.adjust_pvalues(np.array([0.01, np.nan, 0.03]), "holm")
    assert np.isnan(with_nan[1]) and with_nan[0] == pytest.approx(0.02)


def test_garch_forecast_recursion_by_hand():
    # h1 = 1e-5 + 0.1·0.02² + 0.8·2e-4 = 2.1e-4; h2 = 1e-5 + 0.9·h1 = 1.99e-4
    from analysis.volatility import garch_variance_forecast

    h = garch_variance_forecast([1e-5], [0.1], [0.8], [0.02], [2e-4], [1, 2])
    np.testing.assert_allclose(h[:, 0], [2.1e-4, 1.99e-4], rtol=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# the real data
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(real_cache, project_root) -> dict:
    returns = returns_panel(STOCKS, real_cache)
    factors_dir = project_root / "data" / "factors"
    ff3 = pd.read_csv(factors_dir / "FF3_daily.csv", index_col="date", parse_dates=True) / 100
    ff5 = pd.read_csv(factors_dir / "FF5_daily.csv", index_col="date", parse_dates=True) / 100
    mom = pd.read_csv(factors_dir / "MOM_daily.csv", index_col="date", parse_dates=True) / 100
    for frame in (ff3, ff5, mom):
        frame.index = frame.index.rename("session").as_unit("ns")
    return {"returns": returns, "benchmark": returns_panel(["^GSPC"], real_cache)["^GSPC"],
            "carhart": ff3.join(mom), "ff5": ff5}


@pytest.fixture(scope="module")
def market_fit(data):
    return EventStudy(data["returns"], DAY0, benchmark=data["benchmark"], estimation_window=ESTIMATION,
                      event_windows=WINDOWS).fit()


def _rows(index, first, last):
    pos = index.get_loc(DAY0)
    return slice(pos + first, pos + last + 1)


@pytest.mark.parametrize("model,columns", [("carhart", ["Mkt-RF", "SMB", "HML", "Mom"]),
                                           ("ff5", ["Mkt-RF", "SMB", "HML", "RMW", "CMA"])])
def test_factor_models_equal_the_dummy_regression(data, model, columns):
    r = data["returns"]
    f = data[model].reindex(r.index)
    res = EventStudy(r, DAY0, model=model, factors=data[model], estimation_window=ESTIMATION,
                     event_windows=WINDOWS).fit()
    rows = _rows(r.index, ESTIMATION[0], 10)
    k = len(columns) + 1
    x = np.hstack([np.column_stack([np.ones(261), f[columns].iloc[rows].to_numpy()]),
                   np.vstack([np.zeros((240, 21)), np.eye(21)])])
    for ticker in ("NVDA", "VST", "MSFT"):
        ols = sm.OLS((r[ticker] - f["RF"]).iloc[rows].to_numpy(), x).fit()
        assert res.df == ols.df_resid == 240 - k
        np.testing.assert_allclose(ols.params[k:], res.abnormal_returns[ticker], atol=1e-10)
        np.testing.assert_allclose(ols.bse[k:], res.abnormal_return_se[ticker], atol=1e-10)
        np.testing.assert_allclose(ols.params[:k], res.params.loc[ticker], atol=1e-10)
        np.testing.assert_allclose(ols.bse[:k], res.bse.loc[ticker], atol=1e-10)
    out = res.to_dict()["firms"]["NVDA"]
    assert out["beta"] == out["beta_mkt"] and ("beta_mom" in out) == (model == "carhart")


def test_alpha_beta_inference_equals_statsmodels(data, market_fit):
    r = data["returns"]
    rows = _rows(r.index, *ESTIMATION)
    x = sm.add_constant(data["benchmark"].reindex(r.index).iloc[rows].to_numpy())
    for ticker in ("NVDA", "META"):
        ols = sm.OLS(r[ticker].iloc[rows].to_numpy(), x).fit()
        np.testing.assert_allclose(market_fit.bse.loc[ticker], ols.bse, rtol=1e-10)
        np.testing.assert_allclose(market_fit.tvalues.loc[ticker], ols.tvalues, rtol=1e-10)
        np.testing.assert_allclose(market_fit.pvalues.loc[ticker], ols.pvalues, rtol=1e-8, atol=1e-300)
        ci = market_fit.param_conf_int(0.9).loc[ticker]
        np.testing.assert_allclose(ci.to_numpy(), ols.conf_int(0.1), rtol=1e-10)
    params = market_fit.to_dict()["firms"]["NVDA"]["params"]
    assert params["beta"]["se"] == pytest.approx(market_fit.bse.at["NVDA", "beta"])


def test_pretrend_equals_the_dummy_regression_f_test(data, market_fit):
    """OLS of R on [1, R_m, D_−10..D_−1] over the estimation window and [−10,−1]: the F-test of the ten dummies is the
    pre-trend F exactly; for the portfolio the dependent variable is the equal-weighted mean return."""
    r = data["returns"]
    rows = _rows(r.index, ESTIMATION[0], -1)
    m = data["benchmark"].reindex(r.index).iloc[rows].to_numpy()
    x = np.hstack([np.column_stack([np.ones(250), m]), np.vstack([np.zeros((240, 10)), np.eye(10)])])
    restriction = np.hstack([np.zeros((10, 2)), np.eye(10)])
    pre = market_fit.pretrend()
    for name, y in (("NVDA", r["NVDA"]), ("VST", r["VST"]), ("portfolio", r[list(STOCKS)].mean(axis=1))):
        test = sm.OLS(y.iloc[rows].to_numpy(), x).fit().f_test(restriction)
        assert pre.at[name, "f"] == pytest.approx(float(np.squeeze(test.fvalue)), rel=1e-9)
        assert pre.at[name, "p"] == pytest.approx(float(np.squeeze(test.pvalue)), rel=1e-7)
    single = market_fit.pretrend_test(None)
    assert single.value == pytest.approx(pre.at["portfolio", "f"])


def test_group_json_has_the_new_tests_computed_independently(market_fit):
    out = market_fit.to_dict()
    json.dumps(out, allow_nan=False)
    for window in WINDOWS:
        key = f"{window[0]},{window[1]}"
        car = np.array([out["firms"][t]["windows"][key]["car"] for t in STOCKS])
        entry = out["group"]["windows"][key]
        ttest = stats.ttest_1samp(car, 0.0)
        assert entry["csect_t"] == pytest.approx(ttest.statistic, rel=1e-10)
        assert entry["csect_p"] == pytest.approx(ttest.pvalue, rel=1e-8)
        n, mean, sd = car.size, car.mean(), car.std(ddof=1)
        gamma = ((car - mean) ** 3).sum() / (n * sd**3)
        s = mean / sd
        assert entry["skew_t"] == pytest.approx(math.sqrt(n) * (s + gamma * s * s / 3 + gamma / (6 * n)), rel=1e-10)
        assert entry["wilcoxon_p"] == pytest.approx(stats.wilcoxon(car).pvalue, rel=1e-12)
        assert 1 / 10000 <= entry["bootstrap_p"] <= 1
        raw = [out["firms"][t]["windows"][key]["p"] for t in STOCKS]
        order = np.argsort(raw)
        holm = np.maximum.accumulate([min(1.0, (len(raw) - i) * raw[j]) for i, j in enumerate(order)])
        got = [out["firms"][STOCKS[j]]["windows"][key]["p_holm"] for j in order]
        np.testing.assert_allclose(got, holm, rtol=1e-12)
    assert out["group"]["bootstrap"]["draws"] == 9999
    assert out["pretrend"]["window"] == "-10,-1" and out["pretrend"]["df1"] == 10


def test_bootstrap_p_on_real_data_against_a_loop(market_fit):
    est = market_fit.estimation_abnormal_returns.to_numpy()
    group = market_fit.group["0,1"]
    factor = market_fit.window_factor((0, 1))
    rng = np.random.default_rng(inference.BOOTSTRAP_SEED)
    picks = rng.integers(0, est.shape[0], size=(inference.BOOTSTRAP_DRAWS, 2))
    aar = est.mean(axis=1) - est.mean()
    null = (aar[picks[:, 0]] + aar[picks[:, 1]]) * math.sqrt(factor * 240 / (2 * market_fit.df))
    expected = (1 + np.sum(np.abs(null) >= abs(group.caar))) / (inference.BOOTSTRAP_DRAWS + 1)
    assert group.bootstrap.pvalue == pytest.approx(expected, abs=1e-15)


def test_conf_int_of_ars_and_cars(market_fit):
    crit = stats.t.ppf(0.975, market_fit.df)
    ars = market_fit.conf_int(0.95)
    row = ars.loc[(0, "NVDA")]
    assert row["lower"] == pytest.approx(market_fit.abnormal_returns.at[0, "NVDA"]
                                         - crit * market_fit.abnormal_return_se.at[0, "NVDA"])
    cars = market_fit.conf_int(0.95, (0, 1))
    car = market_fit.car((0, 1))
    np.testing.assert_allclose(cars["upper"], car["car"] + crit * car["se"], rtol=1e-12)
    day0 = market_fit.day0_intervals(0.95)
    np.testing.assert_allclose(market_fit.conf_int(0.95, (0, 0))["lower"], day0["lo"], rtol=1e-12)


def test_results_keep_a_back_reference_to_their_study(data, market_fit):
    assert isinstance(market_fit.study, EventStudy)
    assert market_fit.study.tickers == market_fit.tickers
    assert not hasattr(market_fit, "_tickers") or market_fit._tickers is market_fit.study._aligned.tickers


def test_compare_frame_and_summary(data, market_fit):
    ff5 = EventStudy(data["returns"], DAY0, model="ff5", factors=data["ff5"], estimation_window=ESTIMATION,
                     event_windows=WINDOWS).fit()
    comparison = compare({"market": market_fit, "ff5": ff5}, windows=((0, 0), (0, 1)))
    frame = comparison.frame
    assert len(frame) == len(STOCKS) * 2 * 2
    row = frame[(frame.firm == "NVDA") & (frame.spec == "ff5") & (frame.window == "0,1")].iloc[0]
    assert row["car"] == pytest.approx(ff5.car((0, 1)).at["NVDA", "car"])
    assert list(comparison.wide("t").columns) == ["market", "ff5"]
    assert "CAR [0,+1]" in comparison.summary()
    assert comparison.forest()["model"].tolist()[:2] == ["market", "ff5"]


def test_abnormal_volatility_ratio_is_the_squared_t(market_fit):
    from analysis.volatility import abnormal_volatility

    vol = abnormal_volatility(market_fit)
    t0 = market_fit.car((0, 0))["t"]
    np.testing.assert_allclose(vol["ratio"], t0**2, rtol=1e-12)
    np.testing.assert_allclose(vol["ratio_p"], market_fit.car((0, 0))["p"], rtol=1e-9)
    with_garch = abnormal_volatility(market_fit, fit_garch=True)
    ok = with_garch["garch_converged"]
    assert ok.any()
    np.testing.assert_allclose(with_garch.loc[ok, "garch_ratio"],
                               with_garch.loc[ok, "ar0_squared"] / with_garch.loc[ok, "h0"], rtol=1e-12)
    assert with_garch.at["NVDA", "garch_ratio"] > 9  # day 0 was more than three forecast standard deviations wide


def test_garch_equals_a_direct_arch_fit(data):
    from arch import arch_model

    tickers = ["NVDA", "MSFT"]
    res = EventStudy(data["returns"][tickers], DAY0, model="garch", benchmark=data["benchmark"],
                     estimation_window=ESTIMATION, event_windows=WINDOWS).fit()
    r = data["returns"]
    rows = _rows(r.index, *ESTIMATION)
    m = data["benchmark"].reindex(r.index)
    for ticker in tickers:
        fit = arch_model(r[ticker].iloc[rows].to_numpy() * 100, x=m.iloc[rows].to_numpy()[:, None] * 100, mean="LS",
                         vol="GARCH", p=1, q=1, rescale=False).fit(disp="off", show_warning=False)
        assert fit.convergence_flag == 0 and res.garch_fit.converged[tickers.index(ticker)]
        const, beta = fit.params.iloc[0] / 100, fit.params.iloc[1]
        ar0 = r.at[DAY0, ticker] - const - beta * m.at[DAY0]
        assert res.abnormal_returns.at[0, ticker] == pytest.approx(ar0, abs=1e-12)
        # arch's own 11-step forecast from the last estimation day (τ = −11) reaches day 0. arch recomputes the variance
        # path inside forecast(), which differs from its reported conditional_volatility by ~1e-5 relative.
        forecast = fit.forecast(horizon=11, x=np.zeros((1, 11)), reindex=False).variance.to_numpy()[0] / 100**2
        assert res.abnormal_return_se.at[0, ticker] == pytest.approx(math.sqrt(forecast[-1]), rel=1e-4)
        assert res.abnormal_return_se.at[-10, ticker] == pytest.approx(math.sqrt(forecast[0]), rel=1e-4)
    assert res.garch_fallbacks == {}
    assert "every fit converged" in res.summary()
    out = res.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["firms"]["NVDA"]["garch"]["converged"] is True and out["garch"]["fallbacks"] == {}


def test_garch_that_fails_falls_back_to_ols_and_says_so(data, market_fit, monkeypatch):
    import arch

    real = arch.arch_model

    def failing(y, **kwargs):
        model = real(y, **kwargs)
        if abs(float(np.mean(y)) - 100 * float(data["returns"]["MSFT"].iloc[_rows(data["returns"].index,
                                                                                      *ESTIMATION)].mean())) < 1e-12:
            def fit(*args, **kw):
                raise ValueError("synthetic failure")
            model.fit = fit
        return model

    monkeypatch.setattr(arch, "arch_model", failing)
    res = EventStudy(data["returns"][["NVDA", "MSFT"]], DAY0, model="garch", benchmark=data["benchmark"],
                     estimation_window=ESTIMATION, event_windows=WINDOWS).fit()
    assert list(res.garch_fallbacks) == ["MSFT"]
    assert "did not converge for MSFT" in res.summary() and "OLS market model used" in res.summary()
    assert res.abnormal_returns.at[0, "MSFT"] == pytest.approx(market_fit.abnormal_returns.at[0, "MSFT"], abs=1e-14)
    assert res.car((0, 1)).at["MSFT", "se"] == pytest.approx(market_fit.car((0, 1)).at["MSFT", "se"], rel=1e-12)
    assert res.to_dict()["firms"]["MSFT"]["garch"]["converged"] is False


def test_abnormal_volume_equals_a_dummy_regression(real_cache):
    from analysis.events import flagship
    from analysis.volume import volume_study

    table = volume_study(flagship(), real_cache, tickers=["NVDA", "META"])
    nvda = real_cache.read("NVDA")["volume"]
    market = real_cache.read("^GSPC")["volume"].reindex(nvda.index)
    pos = nvda.index.get_loc(DAY0)
    rows = list(range(pos - 250, pos - 10)) + [pos]
    y = np.log1p(nvda.iloc[rows].to_numpy())
    x = np.column_stack([np.ones(241), np.log1p(market.iloc[rows].to_numpy()), np.r_[np.zeros(240), 1.0]])
    ols = sm.OLS(y, x).fit()
    assert table.at["NVDA", "abnormal_log_volume"] == pytest.approx(ols.params[2], rel=1e-10)
    assert table.at["NVDA", "t"] == pytest.approx(ols.tvalues[2], rel=1e-10)
    assert table.at["NVDA", "volume_ratio"] > 2  # NVDA traded more than twice its normal volume on day 0


def test_cross_sectional_regression_equals_the_hc3_sandwich():
    from analysis.crosssection import cross_sectional_regression

    rng = np.random.default_rng(5)
    firms = [f"F{i}" for i in range(12)]
    chars = pd.DataFrame({"soxx_beta": rng.normal(1, 0.4, 12), "momentum": rng.normal(0.3, 0.5, 12)}, index=firms)
    ar0 = pd.Series(-0.05 * chars["soxx_beta"] + rng.normal(0, 0.02, 12), index=firms)
    res = cross_sectional_regression(ar0, chars)
    x = np.column_stack([np.ones(12), chars.to_numpy()])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ ar0.to_numpy()
    e = ar0.to_numpy() - x @ beta
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    cov = xtx_inv @ (x.T * (e / (1 - h)) ** 2) @ x @ xtx_inv
    np.testing.assert_allclose(res.params.to_numpy(), beta, rtol=1e-10)
    np.testing.assert_allclose(res.bse.to_numpy(), np.sqrt(np.diag(cov)), rtol=1e-10)
    t = beta / np.sqrt(np.diag(cov))
    np.testing.assert_allclose(res.pvalues.to_numpy(), 2 * stats.t.sf(np.abs(t), 12 - 3), rtol=1e-10)
    assert "Small N: 12 firms and 3 regressors leave 9" in res.caveat
    json.dumps(res.to_dict(), allow_nan=False)


def test_study_json_carries_volume_cross_section_and_volatility(real_cache):
    from analysis.crosssection import firm_cross_section
    from analysis.study import run_event_study, study_json
    from analysis.volume import volume_study

    from analysis.events import flagship

    event = flagship().replace(tickers=("NVDA", "AVGO", "META", "MSFT", "GOOGL", "TSM", "VST"))
    res = run_event_study(event, real_cache)
    out = study_json(res, volume=volume_study(event, real_cache),
                     cross_section=firm_cross_section(res, real_cache))
    text = json.dumps(out, allow_nan=False)
    assert {"volume", "cross_section", "abnormal_volatility", "pretrend"} <= out.keys()
    assert out["volume"]["firms"]["NVDA"]["volume_ratio"] > 2  # t is only ~1.7: the market volume spiked too
    assert set(out["cross_section"]["coefficients"]) == {"const", "soxx_beta", "momentum", "log_dollar_volume"}
    assert "NaN" not in text


@pytest.mark.parametrize("model", ["carhart", "ff5"])
def test_cli_study_json_with_the_new_models_and_flags(model, capsys):
    from analysis import cli

    status = cli.main(["study", "--model", model, "--tickers", "NVDA,AVGO,META,MSFT,GOOGL,TSM", "--volume",
                       "--cross-section", "--json"])
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == model and out["benchmark"] is None
    assert {"volume", "cross_section", "abnormal_volatility", "pretrend", "indices"} <= out.keys()
    assert {"csect_t", "skew_t", "wilcoxon_p", "bootstrap_p"} <= out["group"]["windows"]["0,1"].keys()
    assert {"p_holm", "p_bh"} <= out["firms"]["NVDA"]["windows"]["0,0"].keys()


def test_cli_study_text_says_whether_garch_converged(capsys):
    from analysis import cli

    assert cli.main(["study", "--model", "garch", "--tickers", "NVDA,MSFT"]) == 0
    text = capsys.readouterr().out
    assert "GARCH(1,1) market model vs ^GSPC" in text
    assert "GARCH: every fit converged." in text or "GARCH did not converge for" in text


def test_wilcoxon_on_real_cars_equals_the_enumerated_law(market_fit):
    car = market_fit.car((0, 1))["car"].to_numpy()
    ranks = stats.rankdata(np.abs(car))
    signs = (np.arange(2 ** car.size)[:, None] >> np.arange(car.size)[None, :]) & 1  # every sign pattern
    w = signs @ ranks
    w = np.minimum(w, ranks.sum() - w)
    w_plus = ranks[car > 0].sum()
    observed = min(w_plus, ranks.sum() - w_plus)
    test = market_fit.group["0,1"].wilcoxon
    assert test.value == pytest.approx(observed)
    assert test.pvalue == pytest.approx(np.mean(w <= observed + 1e-9), abs=1e-12)


def test_firm_cross_section_on_real_data_against_numpy(real_cache, market_fit):
    from analysis.crosssection import firm_cross_section

    res = firm_cross_section(market_fit, real_cache)
    panel = returns_panel([*STOCKS, "SOXX"], real_cache)
    pos = panel.index.get_loc(DAY0)
    est = panel.iloc[pos - 250: pos - 10]
    for ticker in ("NVDA", "VST"):
        slope = np.polyfit(est["SOXX"].to_numpy(), est[ticker].to_numpy(), 1)[0]
        assert res.characteristics.at[ticker, "soxx_beta"] == pytest.approx(slope, rel=1e-10)
        growth = np.prod(1 + panel[ticker].iloc[pos - 252: pos - 21].to_numpy()) - 1
        assert res.characteristics.at[ticker, "momentum"] == pytest.approx(growth, rel=1e-10)
        prices = real_cache.read(ticker).loc[est.index]
        dollar = np.log(np.mean(prices["close"].to_numpy() * prices["volume"].to_numpy()))
        assert res.characteristics.at[ticker, "log_dollar_volume"] == pytest.approx(dollar, rel=1e-12)
    x = np.column_stack([np.ones(res.nobs), res.characteristics.to_numpy()])
    coef = np.linalg.lstsq(x, market_fit.abnormal_returns.loc[0, res.characteristics.index].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(res.params.to_numpy(), coef, rtol=1e-8)


def test_volume_study_reads_an_event_file(real_cache):
    from analysis.events import flagship
    from analysis.volume import volume_study

    event = flagship().replace(tickers=("NVDA", "TSM"))
    table = volume_study(event, real_cache)
    chosen = volume_study(flagship(), real_cache, tickers=["NVDA", "TSM"])
    assert table.equals(chosen) and list(table.index) == ["NVDA", "TSM"]
    assert table.attrs.get("what") and (table["volume_ratio"] > 1).all()
