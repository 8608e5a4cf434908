"""Cross-checks of analysis.eventstudy against independent implementations, on the real market data:

* statsmodels OLS, firm by firm: α, β, σ̂ (market, constant-mean and ff3) to 1e-10;
* statsmodels OLS of the excess return on the three factors plus one dummy per event day: each dummy's coefficient
  is the AR and its standard error the exact prediction-error SE, to 1e-10 (Campbell, Lo & MacKinlay 1997, sec.
  4.4, the "dummy-variable" form of the event study); a contrast of the dummies gives the CAR and its SE;
* MacKinlay's closed-form variance (k = 2) against the general bracket, to 1e-12;
* the ``eventstudy`` package on PyPI (0.1a12): its ARs and CARs equal ours to 1e-10. **Its variance differs**: it
  uses var_AR = SSR / L1 (``np.var``, ddof = 0) for every event day, Var(CAR_L) = L·var_AR and t with L1 − 1 df. It
  leaves out the estimation error (the 1/L1 and (R_m − μ̂_m)²/S_mm terms of MacKinlay's formula, L²/L1 for a CAR),
  so its standard errors are too small and its tests over-reject; ``test_eventstudy_package_omits_estimation_error``
  pins the difference.

The market data come from the project's cache through the one fixture ``market_data`` (adjusted close where
present, else close; factors in percent divided by 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.eventstudy import EventStudy
from analysis.returns import factor_returns, returns_panel

STOCKS = ("NVDA", "AVGO", "TSM", "MU", "AMD", "ARM", "ASML", "MRVL", "SMCI", "GOOGL", "META", "MSFT", "AMZN", "AAPL",
          "ORCL", "VST", "CEG")
DAY0 = pd.Timestamp("2025-01-27")
ESTIMATION = (-250, -11)
WINDOWS = ((0, 0), (0, 1), (-1, 1))


@pytest.fixture(scope="module")
def market_data(real_cache) -> dict:
    """Simple close-to-close returns (decimal) of the stocks, ^GSPC, and the FF3 factors in decimals, from the
    project's cache (the one place that reads market data in these tests)."""
    stocks = returns_panel(STOCKS, real_cache)
    return {"returns": stocks, "benchmark": returns_panel(["^GSPC"], real_cache)["^GSPC"],
            "factors": factor_returns(real_cache)}


@pytest.fixture(scope="module")
def market_fit(market_data):
    return EventStudy(
        market_data["returns"], DAY0, benchmark=market_data["benchmark"], estimation_window=ESTIMATION,
        event_windows=WINDOWS,
    ).fit()


@pytest.fixture(scope="module")
def ff3_fit(market_data):
    return EventStudy(
        market_data["returns"], DAY0, model="ff3", factors=market_data["factors"], estimation_window=ESTIMATION,
        event_windows=WINDOWS,
    ).fit()


def _rows(index: pd.DatetimeIndex, first: int, last: int) -> slice:
    pos = index.get_loc(DAY0)
    return slice(pos + first, pos + last + 1)


def test_day0_and_estimation_window_on_real_sessions(market_fit):
    assert market_fit.day0 == DAY0
    assert market_fit.n_estimation == 240
    # 9 Jan 2025 (national day of mourning) is not a session: τ = −11 is 8 Jan
    assert market_fit.sessions.loc[-11] == pd.Timestamp("2025-01-08")
    assert market_fit.sessions.loc[-10] == pd.Timestamp("2025-01-10")


def test_market_model_equals_statsmodels(market_data, market_fit):
    r = market_data["returns"]
    est = _rows(r.index, *ESTIMATION)
    x = sm.add_constant(market_data["benchmark"].reindex(r.index).iloc[est].to_numpy())
    for ticker in STOCKS:
        ols = sm.OLS(r[ticker].iloc[est].to_numpy(), x).fit()
        assert market_fit.params.at[ticker, "alpha"] == pytest.approx(ols.params[0], abs=1e-10)
        assert market_fit.params.at[ticker, "beta"] == pytest.approx(ols.params[1], abs=1e-10)
        assert market_fit.sigma[ticker] == pytest.approx(np.sqrt(ols.scale), abs=1e-10)
        assert market_fit.df == ols.df_resid
        np.testing.assert_allclose(market_fit.estimation_abnormal_returns[ticker], ols.resid, atol=1e-10)


def test_constant_mean_equals_statsmodels(market_data):
    r = market_data["returns"]
    res = EventStudy(r, DAY0, model="constant-mean").fit()
    est = _rows(r.index, *ESTIMATION)
    for ticker in ("NVDA", "AAPL"):
        ols = sm.OLS(r[ticker].iloc[est].to_numpy(), np.ones((240, 1))).fit()
        assert res.params.at[ticker, "alpha"] == pytest.approx(ols.params[0], abs=1e-10)
        assert res.sigma[ticker] == pytest.approx(np.sqrt(ols.scale), abs=1e-10)


def test_ff3_dummy_regression_equals_ar_and_prediction_error_se(market_data, ff3_fit):
    """OLS of R − RF on [1, Mkt-RF, SMB, HML, D_−10, ..., D_+10] over estimation + event days: each dummy fits its
    day exactly, so its coefficient is the AR and its SE is σ̂ sqrt(1 + x'(X'X)⁻¹x) with df = L1 − 4."""
    r, f = market_data["returns"], market_data["factors"].reindex(market_data["returns"].index)
    rows = _rows(r.index, ESTIMATION[0], 10)
    n_est, taus = 240, list(range(-10, 11))
    design = np.column_stack([np.ones(n_est + len(taus)), f[["Mkt-RF", "SMB", "HML"]].iloc[rows].to_numpy()])
    dummies = np.vstack([np.zeros((n_est, len(taus))), np.eye(len(taus))])
    x = np.hstack([design, dummies])
    for ticker in ("NVDA", "META", "VST"):
        y = (r[ticker] - f["RF"]).iloc[rows].to_numpy()
        ols = sm.OLS(y, x).fit()
        assert ols.df_resid == n_est - 4 == ff3_fit.df
        np.testing.assert_allclose(ols.params[4:], ff3_fit.abnormal_returns[ticker], atol=1e-10)
        np.testing.assert_allclose(ols.bse[4:], ff3_fit.abnormal_return_se[ticker], atol=1e-10)
        np.testing.assert_allclose(ols.params[:4], ff3_fit.params.loc[ticker], atol=1e-10)
        for window in WINDOWS:
            contrast = np.zeros(x.shape[1])
            contrast[[4 + taus.index(t) for t in range(window[0], window[1] + 1)]] = 1.0
            test = ols.t_test(contrast)
            row = ff3_fit.car(window).loc[ticker]
            assert row["car"] == pytest.approx(float(np.squeeze(test.effect)), abs=1e-10)
            assert row["se"] == pytest.approx(float(np.squeeze(test.sd)), abs=1e-10)
            assert row["p"] == pytest.approx(float(np.squeeze(test.pvalue)), abs=1e-10)


def test_market_dummy_regression_t_values(market_data, market_fit):
    r = market_data["returns"]
    rows = _rows(r.index, ESTIMATION[0], 10)
    m = market_data["benchmark"].reindex(r.index).iloc[rows].to_numpy()
    x = np.hstack([np.column_stack([np.ones(m.size), m]), np.vstack([np.zeros((240, 21)), np.eye(21)])])
    ols = sm.OLS(r["NVDA"].iloc[rows].to_numpy(), x).fit()
    t_day0 = market_fit.car((0, 0)).at["NVDA", "t"]
    assert t_day0 == pytest.approx(ols.tvalues[2 + 10], abs=1e-10)


def test_mackinlay_closed_form_on_real_data(market_data, market_fit):
    r = market_data["returns"]
    bench = market_data["benchmark"].reindex(r.index)
    rm = bench.iloc[_rows(r.index, *ESTIMATION)].to_numpy()
    mu, s_mm = rm.mean(), ((rm - rm.mean()) ** 2).sum()
    for window in WINDOWS + ((-5, 5), (-10, 10)):
        rw = bench.iloc[_rows(r.index, *window)].to_numpy()
        length = rw.size
        closed = market_fit.sigma**2 * (length + length**2 / 240 + (rw.sum() - length * mu) ** 2 / s_mm)
        np.testing.assert_allclose(market_fit.car(window)["se"] ** 2, closed, rtol=1e-12)


# ------------------------------------------------------------------------------------------------------------------
# The eventstudy package (PyPI 0.1a12)
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def eventstudy_package(monkeypatch, market_data):
    """The package with its class-level data store replaced by a fresh dict for this test only.

    ``eventstudy.Single`` keeps imported returns in the class attribute ``_parameters``, shared by every instance;
    monkeypatch restores the original after the test, so no state leaks between tests.
    """
    import eventstudy

    monkeypatch.setattr(eventstudy.Single, "_parameters", {"max_iteration": 4})
    r = market_data["returns"]
    data = {"date": r.index.to_numpy()}
    for ticker in STOCKS:
        data[ticker] = r[ticker].to_numpy()
    data["^GSPC"] = market_data["benchmark"].reindex(r.index).to_numpy()
    eventstudy.Single._save_parameter("returns", data)
    factors = market_data["factors"].reindex(r.index)
    eventstudy.Single._save_parameter(
        "FamaFrench", {"date": r.index.to_numpy(), **{c: factors[c].to_numpy() for c in factors.columns}}
    )
    return eventstudy


def _package_study(es, method: str, ticker: str, window: tuple[int, int]):
    """The package's study of one firm whose estimation window is ours, τ ∈ [−250, −11].

    It places the estimation window ``estimation_size + buffer_size`` sessions before the event window's start.
    """
    buffer = -ESTIMATION[1] - 1 + window[0]
    return getattr(es.Single, method)(
        security_ticker=ticker,
        market_ticker="^GSPC",
        event_date=np.datetime64(DAY0.date()),
        event_window=window,
        estimation_size=240,
        buffer_size=buffer,
    )


@pytest.mark.parametrize("method,fit_name", [("market_model", "market"), ("FamaFrench_3factor", "ff3"),
                                             ("constant_mean", "constant-mean")])
def test_eventstudy_package_ars_and_cars_equal_ours(eventstudy_package, market_data, method, fit_name):
    ours = EventStudy(market_data["returns"], DAY0, model=fit_name, benchmark=market_data["benchmark"],
                      factors=market_data["factors"]).fit()
    for ticker in ("NVDA", "GOOGL", "META", "CEG"):
        path = _package_study(eventstudy_package, method, ticker, (-10, 10))
        np.testing.assert_allclose(np.asarray(path.AR), ours.abnormal_returns[ticker], rtol=0, atol=1e-10)
        for window in WINDOWS:
            theirs = _package_study(eventstudy_package, method, ticker, window)
            assert theirs.CAR[-1] == pytest.approx(ours.car(window).at[ticker, "car"], abs=1e-10)


def test_eventstudy_package_omits_estimation_error(eventstudy_package, market_fit):
    """Where the package's variance differs: SSR/L1 instead of SSR/(L1 − 2), no estimation-error terms, df = L1 − 1.
    Its CAR variance is therefore smaller than the exact one, for every firm and window."""
    for ticker in ("NVDA", "MSFT"):
        sigma2 = market_fit.sigma[ticker] ** 2
        for window in WINDOWS:
            theirs = _package_study(eventstudy_package, "market_model", ticker, window)
            length = window[1] - window[0] + 1
            package_var = sigma2 * (240 - 2) / 240
            np.testing.assert_allclose(theirs.var_AR, package_var, rtol=1e-10)
            assert theirs.var_CAR[-1] == pytest.approx(length * package_var, rel=1e-10)
            assert theirs.df == 239
            exact = market_fit.car(window).at[ticker, "se"] ** 2
            assert theirs.var_CAR[-1] < exact
            assert exact == pytest.approx(market_fit.window_factor(window) * sigma2, rel=1e-12)
            assert market_fit.window_factor(window) > length * (1 + 1 / 240) - 1e-12


def test_eventstudy_package_state_is_isolated():
    import eventstudy

    assert "returns" not in eventstudy.Single._parameters
