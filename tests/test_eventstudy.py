"""Tests of analysis.eventstudy on fixed-seed synthetic markets (tests/synthetic.py): recovery of known parameters,
the size of the tests under the null, the exact variance, bad input, and the results object's outputs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from analysis.errors import ConstantSeriesError, DataGapError, EventDateError, WindowError
from analysis.eventstudy import (
    EventStudy,
    EventStudyResults,
    fit_ols,
    forest_table,
    index_reaction,
    long_short_difference,
)

try:  # tests/ may or may not be a package
    from tests.synthetic import ff3_market, market_model_market
except ImportError:  # pragma: no cover
    from synthetic import ff3_market, market_model_market


def _binomial_band(n: int, p: float = 0.05, z: float = 4.0) -> tuple[float, float]:
    """Acceptance band of a rejection rate: p ± z sd of a Binomial(n, p) share."""
    sd = math.sqrt(p * (1 - p) / n)
    return p - z * sd, p + z * sd


@pytest.fixture(scope="module")
def market():
    return market_model_market(n_firms=12)


@pytest.fixture(scope="module")
def fitted(market):
    return EventStudy(market.returns, market.day0, benchmark=market.benchmark, benchmark_name="MKT").fit()


# ------------------------------------------------------------------------------------------------------------------
# Recovery and size
# ------------------------------------------------------------------------------------------------------------------


def test_market_model_recovers_alpha_and_beta():
    m = market_model_market(n_firms=200, seed=11)
    res = EventStudy(m.returns, m.day0, benchmark=m.benchmark).fit()
    pos = m.returns.index.get_loc(m.day0)
    x = m.benchmark.to_numpy()[pos - 250 : pos - 10]
    design = np.column_stack([np.ones_like(x), x])
    xtx_inv = np.linalg.inv(design.T @ design)
    se_alpha = res.sigma * math.sqrt(xtx_inv[0, 0])
    se_beta = res.sigma * math.sqrt(xtx_inv[1, 1])
    z_alpha = (res.params["alpha"] - m.true_params["alpha"]) / se_alpha
    z_beta = (res.params["beta"] - m.true_params["beta"]) / se_beta
    # standardized estimation errors are t(238): none beyond 4.5 in 200 draws, and about unit spread
    assert np.abs(z_alpha).max() < 4.5 and np.abs(z_beta).max() < 4.5
    assert 0.8 < z_beta.std() < 1.2 and 0.8 < z_alpha.std() < 1.2
    assert (res.sigma / m.sigma).between(0.8, 1.2).all()


def test_ff3_recovers_the_loadings():
    m = ff3_market(n_firms=200)
    res = EventStudy(m.returns, m.day0, model="ff3", factors=m.factors).fit()
    pos = m.returns.index.get_loc(m.day0)
    design = np.column_stack([np.ones(240), m.factors.iloc[pos - 250 : pos - 10, :3].to_numpy()])
    se_scale = np.sqrt(np.diag(np.linalg.inv(design.T @ design)))
    for j, name in enumerate(["alpha", "beta_mkt", "beta_smb", "beta_hml"]):
        z = (res.params[name] - m.true_params[name]) / (res.sigma * se_scale[j])
        assert np.abs(z).max() < 4.5, name
        assert 0.8 < z.std() < 1.2, name
    assert res.df == 236


@pytest.mark.parametrize("model", ["market", "ff3", "constant-mean", "market-adjusted"])
def test_size_under_the_null_is_five_percent(model):
    """With normal errors, t is exactly Student t(df) given X, and independent across firms."""
    n = 4000
    if model == "ff3":
        m = ff3_market(n_firms=n, seed=5)
    elif model == "market-adjusted":
        m = market_model_market(n_firms=n, seed=6)
        # market-adjusted holds exactly when α = 0 and β = 1
        noise = m.returns - m.true_params["alpha"].to_numpy() - np.outer(m.benchmark, m.true_params["beta"])
        m = type(m)(noise.add(m.benchmark, axis=0), m.benchmark, m.factors, m.day0, m.true_params, m.sigma)
    elif model == "constant-mean":
        m = market_model_market(n_firms=n, seed=7)
        noise = m.returns - np.outer(m.benchmark, m.true_params["beta"])
        m = type(m)(noise, m.benchmark, m.factors, m.day0, m.true_params, m.sigma)
    else:
        m = market_model_market(n_firms=n, seed=4)
    res = EventStudy(m.returns, m.day0, model=model, benchmark=m.benchmark, factors=m.factors).fit()
    low, high = _binomial_band(n)
    for window in [(0, 0), (0, 1), (-1, 1)]:
        t = res.car(window)["t"]
        rate = float((res.car(window)["p"] < 0.05).mean())
        assert low < rate < high, (window, rate)
        assert stats.kstest(t, stats.t(res.df).cdf).pvalue > 1e-3
    placebo_rate = float((res.placebo_p <= 0.05).mean())
    assert low < placebo_rate < high


def test_group_tests_under_cross_correlation():
    """Blocks of 10 firms with pairwise error correlation 0.3: the plain BMP over-rejects, the tests that allow for
    cross-correlation keep about their size."""
    n_groups, size = 300, 10
    m = market_model_market(n_firms=n_groups * size, seed=9, correlation=0.3, group_size=size)
    res = EventStudy(m.returns, m.day0, benchmark=m.benchmark, event_windows=((0, 0),)).fit()
    tickers = list(res.tickers)
    names = ("bmp", "patell", "generalized_sign", "kp_bmp", "patell_adjusted", "portfolio", "wald_exact", "wald",
             "grank")
    rejections = dict.fromkeys(names, 0)
    for g in range(n_groups):
        window = res.group_stats(tickers[g * size : (g + 1) * size])["0,0"]
        for name in names:
            rejections[name] += getattr(window, name).pvalue < 0.05
    rates = {k: v / n_groups for k, v in rejections.items()}
    # tests that assume independence reject far too often (about 30 %, 20 % here)
    assert rates["bmp"] > 0.2 and rates["patell"] > 0.2 and rates["generalized_sign"] > 0.12, rates
    low, high = _binomial_band(n_groups, z=3.5)
    for name in ("kp_bmp", "patell_adjusted", "portfolio", "wald_exact"):
        assert low < rates[name] < high, (name, rates)
    # the chi2 form of the Wald test and GRANK with N = 10 over-reject mildly (about 7 % and 8 %; see their notes)
    assert rates["wald"] < 0.12 and rates["grank"] < 0.13, rates


def test_event_effect_is_detected():
    m = market_model_market(n_firms=10, seed=21, event_effect=-0.20)
    res = EventStudy(m.returns, m.day0, benchmark=m.benchmark).fit()
    assert (res.car((0, 0))["p"] < 1e-6).all()
    assert res.group["0,0"].portfolio.pvalue < 1e-6
    assert res.group["0,0"].caar == pytest.approx(-0.20, abs=0.02)
    assert (res.placebo_p == 1 / 241).all()


# ------------------------------------------------------------------------------------------------------------------
# The exact variance
# ------------------------------------------------------------------------------------------------------------------


def test_general_variance_equals_mackinlay_closed_form(market, fitted):
    """V = σ̂²[I + X*(X'X)⁻¹X*'] with X = [1, R_m] reduces to MacKinlay's closed form (k = 2)."""
    pos = market.returns.index.get_loc(market.day0)
    rm_est = market.benchmark.to_numpy()[pos - 250 : pos - 10]
    mu, s_mm, l1 = rm_est.mean(), ((rm_est - rm_est.mean()) ** 2).sum(), rm_est.size
    for window in [(0, 0), (0, 1), (-1, 1), (-10, 10), (-5, 5), (3, 7)]:
        rm_window = market.benchmark.to_numpy()[pos + window[0] : pos + window[1] + 1]
        length = rm_window.size
        closed = length + length**2 / l1 + (rm_window.sum() - length * mu) ** 2 / s_mm
        assert fitted.window_factor(window) == pytest.approx(closed, rel=1e-12)
        bracket = fitted.prediction_error_matrix(window)
        assert bracket.sum() == pytest.approx(closed, rel=1e-12)
        assert np.diag(bracket) == pytest.approx(1 + 1 / l1 + (rm_window - mu) ** 2 / s_mm, rel=1e-12)
    daily = (fitted.abnormal_return_se["F000"] / fitted.sigma["F000"]) ** 2
    rm_path = market.benchmark.to_numpy()[pos - 10 : pos + 11]
    np.testing.assert_allclose(daily.to_numpy(), 1 + 1 / l1 + (rm_path - mu) ** 2 / s_mm, rtol=1e-12)


def test_car_variance_is_one_v_one(fitted):
    for window in [(0, 1), (-1, 1)]:
        bracket = fitted.prediction_error_matrix(window)
        car = fitted.car(window)
        np.testing.assert_allclose(car["se"] ** 2, fitted.sigma**2 * bracket.sum(), rtol=1e-12)


def test_car_path_band_matches_window_variance(fitted):
    path = fitted.event_path("F003")
    for last in (-10, -3, 0, 10):
        se = fitted.car((-10, last)).at["F003", "se"]
        assert path.at[last, "car_se"] == pytest.approx(se, rel=1e-12)
    crit = stats.t.ppf(0.975, fitted.df)
    assert (path["car_hi"] - path["car"]).to_numpy() == pytest.approx((crit * path["car_se"]).to_numpy())


def test_market_adjusted_variance_is_l_sigma2(market):
    res = EventStudy(market.returns, market.day0, model="market-adjusted", benchmark=market.benchmark).fit()
    pos = market.returns.index.get_loc(market.day0)
    ar_est = market.returns.iloc[pos - 250 : pos - 10].sub(market.benchmark.iloc[pos - 250 : pos - 10], axis=0)
    sigma2 = ar_est.var(ddof=1)
    assert res.df == 239
    for window in [(0, 0), (0, 1), (-1, 1)]:
        length = window[1] - window[0] + 1
        np.testing.assert_allclose(res.car(window)["se"] ** 2, length * sigma2, rtol=1e-12)
    day0_ar = market.returns.loc[market.day0] - market.benchmark.loc[market.day0]
    np.testing.assert_allclose(res.abnormal_returns.loc[0], day0_ar, rtol=0, atol=1e-15)
    assert (res.params["alpha"] == 0).all() and (res.params["beta"] == 1).all()


def test_constant_mean_variance(market):
    res = EventStudy(market.returns, market.day0, model="constant-mean").fit()
    pos = market.returns.index.get_loc(market.day0)
    est = market.returns.iloc[pos - 250 : pos - 10]
    assert res.df == 239
    np.testing.assert_allclose(res.params["alpha"], est.mean(), rtol=1e-12)
    np.testing.assert_allclose(res.sigma, est.std(ddof=1), rtol=1e-12)
    np.testing.assert_allclose(res.car((0, 1))["se"] ** 2, est.var(ddof=1) * (2 + 4 / 240), rtol=1e-12)
    assert res.benchmark_name is None


def test_batched_fit_equals_one_firm_at_a_time(market, fitted):
    for ticker in ["F000", "F007"]:
        single = EventStudy(market.returns[[ticker]], market.day0, benchmark=market.benchmark).fit()
        np.testing.assert_allclose(single.params.loc[ticker], fitted.params.loc[ticker], rtol=1e-12)
        np.testing.assert_allclose(single.abnormal_returns[ticker], fitted.abnormal_returns[ticker], atol=1e-15)
        assert single.car((0, 1)).loc[ticker].to_numpy() == pytest.approx(fitted.car((0, 1)).loc[ticker].to_numpy())


def test_fit_ols_is_least_squares():
    rng = np.random.default_rng(0)
    x = np.column_stack([np.ones(50), rng.standard_normal((50, 2))])
    y = rng.standard_normal((50, 3))
    fit = fit_ols(x, y)
    np.testing.assert_allclose(fit.coefficients, np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-10)
    np.testing.assert_allclose(fit.xtx_inverse, np.linalg.inv(x.T @ x), rtol=1e-10)
    assert fit.df == 47


def test_portfolio_is_its_own_regression(market, fitted):
    """The group's portfolio test equals a study of the equal-weighted portfolio's returns as one firm."""
    portfolio = market.returns.mean(axis=1).to_frame("EW")
    own = EventStudy(portfolio, market.day0, benchmark=market.benchmark).fit()
    for window in [(0, 0), (0, 1), (-1, 1)]:
        g = fitted.group[window]
        row = own.car(window).loc["EW"]
        assert g.portfolio_car == pytest.approx(row["car"], rel=1e-12)
        assert g.portfolio_se == pytest.approx(row["se"], rel=1e-12)
        assert g.portfolio_t == pytest.approx(row["t"], rel=1e-12)
    caar_path = fitted.caar_path()
    own_path = own.event_path("EW")
    np.testing.assert_allclose(caar_path["car_se"], own_path["car_se"], rtol=1e-12)


def test_wald_of_one_firm_is_its_t_squared(fitted):
    for window in [(0, 0), (0, 1)]:
        g = fitted.group_stats(["F002"])[window]
        assert g.wald_chi2 == pytest.approx(fitted.car(window).at["F002", "t"] ** 2, rel=1e-12)
        assert math.isnan(g.bmp_t) and math.isnan(g.grank_t)


def test_long_short_difference(market, fitted):
    a, b = ["F000", "F001", "F002"], ["F003", "F004"]
    res = long_short_difference(market.returns, a, b, market.day0, market.benchmark, name="A-B")
    assert res.tickers == ("A-B",)
    expected_ar = fitted.abnormal_returns[a].mean(axis=1) - fitted.abnormal_returns[b].mean(axis=1)
    np.testing.assert_allclose(res.abnormal_returns["A-B"], expected_ar, atol=1e-15)
    caar_a = fitted.group_stats(a)["0,1"].caar
    caar_b = fitted.group_stats(b)["0,1"].caar
    assert res.car((0, 1)).at["A-B", "car"] == pytest.approx(caar_a - caar_b, rel=1e-12)
    with pytest.raises(ValueError, match="both groups"):
        long_short_difference(market.returns, a, a[:1], market.day0, market.benchmark)


def test_index_reaction():
    m = market_model_market(n_firms=1)
    series = m.benchmark.copy()
    series.iloc[0] = np.nan  # the first return of a history
    out = index_reaction(series, m.day0)
    pos = series.index.get_loc(m.day0)
    r0 = series.iloc[pos]
    assert out["return"] == r0
    assert out["z"] == pytest.approx(r0 / series.iloc[pos - 250 : pos - 10].std(ddof=1), rel=1e-12)
    valid = series.dropna()
    assert out["percentile"] == pytest.approx(100 * (valid <= r0).sum() / valid.size)
    assert out["n_estimation"] == 240 and out["n_history"] == valid.size
    assert 0 < out["percentile"] <= 100


# ------------------------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------------------------


def test_nan_in_estimation_window_names_ticker_and_date(market):
    returns = market.returns.copy()
    pos = returns.index.get_loc(market.day0)
    returns.iloc[pos - 100, 3] = np.nan
    with pytest.raises(DataGapError, match=r"F003 \(" + f"{returns.index[pos - 100]:%Y-%m-%d}"):
        EventStudy(returns, market.day0, benchmark=market.benchmark)


def test_nan_in_event_window(market):
    returns = market.returns.copy()
    returns.loc[market.day0, "F005"] = np.nan
    with pytest.raises(DataGapError, match="F005"):
        EventStudy(returns, market.day0, benchmark=market.benchmark)


def test_nan_outside_the_windows_is_harmless(market):
    returns = market.returns.copy()
    returns.iloc[-1, 0] = np.nan  # τ = +29, beyond the AR path
    EventStudy(returns, market.day0, benchmark=market.benchmark).fit()


def test_benchmark_missing_dates(market):
    bench = market.benchmark.drop(market.benchmark.index[[100, 101]])
    with pytest.raises(DataGapError, match=f"{market.benchmark.index[100]:%Y-%m-%d}"):
        EventStudy(market.returns, market.day0, benchmark=bench, benchmark_name="MKT")


def test_factors_missing_dates_and_percent(market):
    with pytest.raises(DataGapError, match="factors"):
        EventStudy(market.returns, market.day0, model="ff3", factors=market.factors.iloc[50:])
    with pytest.raises(ValueError, match="percent"):
        EventStudy(market.returns, market.day0, model="ff3", factors=market.factors * 100)
    with pytest.raises(ValueError, match="HML"):
        EventStudy(market.returns, market.day0, model="ff3", factors=market.factors.drop(columns="HML"))


def test_too_few_estimation_returns(market):
    pos = market.returns.index.get_loc(market.day0)
    short = market.returns.iloc[pos - 160 :]
    with pytest.raises(WindowError, match="only 150 usable estimation returns") as info:
        EventStudy(short, market.day0, benchmark=market.benchmark)
    assert "150" in str(info.value) and "longer history" in str(info.value)
    with pytest.raises(WindowError, match=r"\(-250, -11\)"):
        EventStudy(market.returns, market.day0, benchmark=market.benchmark, estimation_window=(-100, -11))


def test_estimation_window_is_cut_at_the_start_of_the_data(market):
    pos = market.returns.index.get_loc(market.day0)
    returns = market.returns.iloc[pos - 231 :].copy()
    returns.iloc[0] = np.nan  # the all-NaN first row of a pct_change
    res = EventStudy(returns, market.day0, benchmark=market.benchmark).fit()
    assert res.estimation_window == (-230, -11)
    assert res.n_estimation == 220
    assert "cut to the start of the data" in res.summary()


def test_day0_not_a_session(market):
    saturday = market.day0 + pd.Timedelta(days=(5 - market.day0.weekday()) % 7)
    with pytest.raises(EventDateError, match="not a session"):
        EventStudy(market.returns, saturday, benchmark=market.benchmark)
    with pytest.raises(EventDateError, match="outside the data"):
        EventStudy(market.returns, pd.Timestamp("2030-01-02"), benchmark=market.benchmark)


def test_event_date_reporting(market):
    mondays = [d for d in market.returns.index[265:275] if d.weekday() == 0]
    day0 = mondays[0]
    res = EventStudy(market.returns, day0, benchmark=market.benchmark, event_date=day0 - pd.Timedelta(days=2)).fit()
    assert res.to_dict()["event_date"] == f"{day0 - pd.Timedelta(days=2):%Y-%m-%d}"
    assert "not a session" in res.summary()
    with pytest.raises(EventDateError, match="first session"):
        EventStudy(market.returns, day0, benchmark=market.benchmark, event_date=day0 + pd.Timedelta(days=1))


def test_windows_outside_the_data_or_overlapping(market):
    with pytest.raises(WindowError, match="outside the data"):
        EventStudy(market.returns, market.day0, benchmark=market.benchmark, event_windows=((0, 40),))
    with pytest.raises(WindowError, match="must end before"):
        EventStudy(market.returns, market.day0, benchmark=market.benchmark, estimation_window=(-250, -5))
    with pytest.raises(WindowError, match="starts after"):
        EventStudy(market.returns, market.day0, benchmark=market.benchmark, event_windows=((1, 0),))


def test_constant_price_series(market):
    returns = market.returns.copy()
    returns["FLAT"] = 0.0
    with pytest.raises(ConstantSeriesError, match="FLAT"):
        EventStudy(returns, market.day0, benchmark=market.benchmark)
    flat_bench = pd.Series(0.0, index=market.returns.index)
    with pytest.raises(ConstantSeriesError, match="benchmark"):
        EventStudy(market.returns, market.day0, benchmark=flat_bench)
    own = market.returns.copy()
    own["SELF"] = market.benchmark
    with pytest.raises(ConstantSeriesError, match="SELF"):
        EventStudy(own, market.day0, benchmark=market.benchmark).fit()


def test_other_bad_input(market):
    with pytest.raises(ValueError, match="unknown model"):
        EventStudy(market.returns, market.day0, model="capm", benchmark=market.benchmark)
    with pytest.raises(ValueError, match="needs a benchmark"):
        EventStudy(market.returns, market.day0)
    with pytest.raises(ValueError, match="100 %: pass simple returns"):
        EventStudy(market.returns * 100, market.day0, benchmark=market.benchmark)
    with pytest.raises(TypeError, match="DatetimeIndex"):
        EventStudy(market.returns.reset_index(drop=True), market.day0, benchmark=market.benchmark)


# ------------------------------------------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------------------------------------------


def test_to_dict_shape(fitted):
    out = fitted.to_dict()
    json.dumps(out, allow_nan=False)
    assert {"event_date", "day0", "benchmark", "model", "estimation_window", "firms", "group"} <= out.keys()
    assert out["benchmark"] == "MKT" and out["model"] == "market" and out["estimation_window"] == [-250, -11]
    firm = out["firms"]["F000"]
    assert {"alpha", "beta", "sigma", "n_estimation", "ar", "windows", "placebo_p"} <= firm.keys()
    assert list(firm["ar"]) == [str(t) for t in range(-10, 11)]
    assert list(firm["windows"]) == ["0,0", "0,1", "-1,1"]
    assert set(firm["windows"]["0,1"]) == {"car", "se", "t", "p", "p_holm", "p_bh"}  # adjusted beside the raw p
    assert type(firm["alpha"]) is float and type(firm["n_estimation"]) is int
    assert firm["ar"]["0"] == fitted.abnormal_returns.at[0, "F000"]


def test_to_dict_ff3_names_its_loadings(market):
    out = EventStudy(market.returns, market.day0, model="ff3", factors=market.factors).fit().to_dict()
    firm = out["firms"]["F000"]
    assert {"beta_mkt", "beta_smb", "beta_hml"} <= firm.keys() and firm["beta"] == firm["beta_mkt"]
    assert out["benchmark"] is None and out["model"] == "ff3"


def test_to_frame(fitted):
    frame = fitted.to_frame()
    assert len(frame) == 12 * 3
    for column in ["firm", "window", "car", "se", "t", "p", "alpha", "beta", "sigma", "n_estimation", "placebo_p"]:
        assert column in frame.columns
    assert list(frame["window"].iloc[:3]) == ["0,0", "0,1", "-1,1"]
    row = frame[(frame["firm"] == "F004") & (frame["window"] == "0,1")].iloc[0]
    assert row["car"] == fitted.car((0, 1)).at["F004", "car"]
    assert frame[["car", "se", "t", "p", "alpha", "beta", "sigma"]].dtypes.map(lambda d: d.kind).eq("f").all()


def test_summary_and_html(fitted):
    text = fitted.summary()
    assert str(fitted) == text
    for label in ["market model vs MKT", "simple close-to-close", "τ ∈ [-250, -11]", "CAR (%)", "r̄",
                  "assumes independence", "GRANK", "Wald", "placebo"]:
        assert label in text, label
    html = fitted._repr_html_()
    assert "<table" in html and "market model vs MKT" in html


def test_confound_warnings_come_from_the_event():
    m = market_model_market(n_firms=3)
    # relabel the synthetic sessions so that day 0 falls on 27 Jan 2025
    pos = m.returns.index.get_loc(m.day0)
    sessions = pd.bdate_range(end=pd.Timestamp("2025-01-27"), periods=pos + 1, name="session")
    sessions = sessions.append(pd.bdate_range("2025-01-28", periods=len(m.returns) - pos - 1))
    returns = m.returns.set_axis(sessions)
    confounds = {-4: "news four sessions before", 2: "news two sessions after"}
    res = EventStudy(returns, pd.Timestamp("2025-01-27"), benchmark=m.benchmark.set_axis(sessions),
                     event_windows=((0, 0), (-5, 5)), confounds=confounds).fit()
    text = res.summary()
    assert "news four sessions before" in text and "news two sessions after" in text
    plain = EventStudy(returns, pd.Timestamp("2025-01-27"), benchmark=m.benchmark.set_axis(sessions),
                       event_windows=((0, 0), (-5, 5))).fit()
    assert "Confound warning" not in plain.summary()  # no confounds unless the event declares them


def test_plots_return_labelled_figures(fitted):
    for fig in (fitted.plot("F001"), fitted.plot()):
        assert isinstance(fig, Figure)
        axes = fig.get_axes()
        assert "abnormal return (%, simple, close-to-close)" in axes[0].get_ylabel()
        assert axes[0].get_title(loc="left")
        assert any("Source" in t.get_text() and "MKT" in t.get_text() for t in fig.texts)
    fig = fitted.plot_placebo("F001")
    assert "Placebo p" in " ".join(t.get_text() for t in fig.texts)
    assert "placebo p" in " ".join(t.get_text() for t in fig.get_axes()[0].texts)


def test_forest_and_group_charts(market, fitted):
    from analysis.charts import plot_forest, plot_group_caar

    ff3 = EventStudy(market.returns, market.day0, model="ff3", factors=market.factors).fit()
    table = forest_table({"market vs MKT": fitted, "ff3": ff3})
    assert list(table.columns) == ["firm", "model", "ar", "se", "lo", "hi", "df"]
    assert list(table["model"].iloc[:2]) == ["market vs MKT", "ff3"]
    assert (table["lo"] < table["ar"]).all() and (table["ar"] < table["hi"]).all()
    fig = plot_forest(table)
    assert "day-0 abnormal return (%, simple, close-to-close)" in fig.get_axes()[0].get_xlabel()
    paths = {"hardware": fitted.caar_path(["F000", "F001"]), "platforms": fitted.caar_path(["F002", "F003"])}
    fig = plot_group_caar(paths, model_label=fitted.model_label, estimation_label=fitted.estimation_label)
    ax = fig.get_axes()[0]
    assert "CAAR" in ax.get_title(loc="left") and "%" in ax.get_ylabel()


def test_results_are_read_only(fitted):
    assert isinstance(fitted, EventStudyResults)
    with pytest.raises(AttributeError):
        fitted.df = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        fitted._event_ar[0, 0] = 1.0


def test_factor_models_say_which_factors_they_need(market):
    with pytest.raises(ValueError, match="carhart model needs the factors"):
        EventStudy(market.returns, market.day0, model="carhart")
    with pytest.raises(ValueError, match="lack the columns.*Mom"):
        EventStudy(market.returns, market.day0, model="carhart", factors=market.factors)
    with pytest.raises(ValueError, match="lack the columns.*RMW"):
        EventStudy(market.returns, market.day0, model="ff5", factors=market.factors)
    with pytest.raises(ValueError, match="garch model needs a benchmark"):
        EventStudy(market.returns, market.day0, model="garch")


def test_carhart_with_a_zero_momentum_factor_fails_as_collinear_and_with_noise_runs(market):
    flat = market.factors.assign(Mom=0.0)
    with pytest.raises(ConstantSeriesError):
        EventStudy(market.returns, market.day0, model="carhart", factors=flat).fit()
    noisy = market.factors.assign(Mom=np.random.default_rng(4).normal(0, 0.01, len(market.factors)))
    res = EventStudy(market.returns, market.day0, model="carhart", factors=noisy).fit()
    assert res.df == res.n_estimation - 5 and list(res.params.columns)[-1] == "beta_mom"
