"""Tests of analysis.inference: a small case checked by hand for every group statistic, and each test function's
defining properties.

The hand case: three firms (A, B, C), a market, 8 estimation sessions (τ = −9..−2) and 3 event sessions (τ = −1, 0,
+1), market model. ``_hand_reference`` recomputes every statistic with plain Python (no numpy, no project code:
closed-form OLS, MacKinlay's closed-form CAR variance, explicit ranks, a 3 × 3 inverse by cofactors). Its output was
printed once and is kept below as literals (``HAND_VALUES``): the test checks the plain formulas against the literals
(so the reference cannot drift) and the engine against both.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import WindowError
from analysis.eventstudy import EventStudy
from analysis.inference import (
    HypothesisTest,
    bmp_test,
    car_t_test,
    corrado_rank_test,
    generalized_sign_test,
    grank_test,
    hotelling_test,
    kp_bmp_test,
    mean_pairwise_correlation,
    patell_test,
    patell_test_adjusted,
    placebo_pvalues,
    placebo_test,
    wald_test,
    window_key,
)

# ------------------------------------------------------------------------------------------------------------------
# The hand-checked case
# ------------------------------------------------------------------------------------------------------------------

MARKET = [0.010, -0.004, 0.006, -0.012, 0.003, 0.008, -0.002, -0.007, 0.001, -0.015, 0.004]
FIRMS = {
    "A": [0.015, -0.010, 0.012, -0.020, 0.001, 0.013, -0.006, -0.009, 0.002, -0.060, 0.010],
    "B": [0.004, 0.002, 0.009, -0.008, 0.006, 0.002, 0.001, -0.011, -0.003, -0.030, -0.004],
    "C": [0.020, -0.001, 0.003, -0.015, 0.010, 0.011, -0.008, -0.004, 0.006, -0.041, 0.012],
}
L1 = 8  # rows 0..7: the estimation window τ = −9..−2
EVENT_TAUS = [-1, 0, 1]  # rows 8, 9, 10
WINDOWS = [(0, 0), (0, 1), (-1, 1)]

# Printed once by _hand_reference() (plain Python) and pasted here; decimal simple returns.
HAND_VALUES = {
    "rbar": -0.36680656954595076,
    "corrado_t": -2.75536286900243,
    "windows": {
        "0,0": {
            "caar": -0.02586575721629103,
            "portfolio_se": 0.0018698554555257436,
            "portfolio_t": -13.833024975194354,
            "patell_z": -8.059781434562266,
            "patell_z_adj": -15.615894442506182,
            "bmp_t": -2.4857114931773925,
            "kp_bmp_t": -5.63051149006484,
            "gsign_z": -1.7320508075688774,
            "grank_t": -3.174901573277509,
            "wald_chi2": 404.49608452845865,
        },
        "0,1": {
            "caar": -0.025125543693159353,
            "portfolio_se": 0.0024222416737180903,
            "portfolio_t": -10.372847584028296,
            "patell_z": -5.917759190311088,
            "patell_z_adj": -11.465708295238372,
            "bmp_t": -2.9001022251044724,
            "kp_bmp_t": -6.569169006794313,
            "gsign_z": -1.7320508075688774,
            "grank_t": -3.770210163859002,
            "wald_chi2": 219.7495959286635,
        },
        "-1,1": {
            "caar": -0.025077500988533022,
            "portfolio_se": 0.003028721015732793,
            "portfolio_t": -8.27989796956111,
            "patell_z": -4.695722400173833,
            "patell_z_adj": -9.098001717264786,
            "bmp_t": -2.911355111298946,
            "kp_bmp_t": -6.5946584914703426,
            "gsign_z": -1.7320508075688774,
            "grank_t": -4.071725355229774,
            "wald_chi2": 140.21386078415273,
        },
    },
}


def _mean(xs):
    return sum(xs) / len(xs)


def _market_fit(r):
    """Closed-form OLS of r on the market over the estimation rows, and the event-row ARs."""
    m, y = MARKET[:L1], r[:L1]
    mm, my = _mean(m), _mean(y)
    smm = sum((a - mm) ** 2 for a in m)
    beta = sum((a - mm) * (b - my) for a, b in zip(m, y)) / smm
    alpha = my - beta * mm
    resid = [b - alpha - beta * a for a, b in zip(m, y)]
    s2 = sum(e * e for e in resid) / (L1 - 2)
    ar = [r[L1 + i] - alpha - beta * MARKET[L1 + i] for i in range(3)]
    return {"alpha": alpha, "beta": beta, "resid": resid, "s2": s2, "ar": ar, "mm": mm, "smm": smm}


def _car(fit, window):
    return sum(fit["ar"][EVENT_TAUS.index(t)] for t in range(window[0], window[1] + 1))


def _car_var(fit, window):
    """MacKinlay (1997): σ̂² [L + L²/L1 + (Σ R_m − L μ̂_m)² / S_mm]."""
    rows = [L1 + EVENT_TAUS.index(t) for t in range(window[0], window[1] + 1)]
    length = len(rows)
    sm = sum(MARKET[i] for i in rows)
    return fit["s2"] * (length + length**2 / L1 + (sm - length * fit["mm"]) ** 2 / fit["smm"])


def _pearson(x, y):
    mx, my = _mean(x), _mean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def _ranks(values):
    order = sorted(values)
    assert len(set(values)) == len(values), "the hand case has no ties"
    return [order.index(v) + 1 for v in values]


def _inverse_3x3(a):
    (a11, a12, a13), (a21, a22, a23), (a31, a32, a33) = a
    det = a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31) + a13 * (a21 * a32 - a22 * a31)
    cof = [
        [a22 * a33 - a23 * a32, -(a12 * a33 - a13 * a32), a12 * a23 - a13 * a22],
        [-(a21 * a33 - a23 * a31), a11 * a33 - a13 * a31, -(a11 * a23 - a13 * a21)],
        [a21 * a32 - a22 * a31, -(a11 * a32 - a12 * a31), a11 * a22 - a12 * a21],
    ]
    return [[cof[i][j] / det for j in range(3)] for i in range(3)]


def _hand_reference():
    names = list(FIRMS)
    n = len(names)
    fits = {k: _market_fit(v) for k, v in FIRMS.items()}
    rbar = _mean([_pearson(fits[names[i]]["resid"], fits[names[j]]["resid"]) for i, j in [(0, 1), (0, 2), (1, 2)]])
    # The equal-weighted portfolio, regressed on its own.
    portfolio = _market_fit([_mean([FIRMS[k][t] for k in names]) for t in range(11)])
    # Corrado: ranks over 8 estimation + 3 event ARs (T = 11), centred at 6; day 0 is row 9.
    T = 11
    centred = {k: [r - (T + 1) / 2 for r in _ranks(fits[k]["resid"] + fits[k]["ar"])] for k in names}
    daily = [_mean([centred[k][t] for k in names]) for t in range(T)]
    corrado = daily[9] / math.sqrt(sum(d * d for d in daily) / T)
    p_hat = _mean([sum(1 for e in fits[k]["resid"] if e > 0) / L1 for k in names])
    cov = {
        (a, b): sum(x * y for x, y in zip(fits[a]["resid"], fits[b]["resid"])) / (L1 - 2) for a in names for b in names
    }
    out = {"rbar": rbar, "corrado_t": corrado, "windows": {}}
    for w in WINDOWS:
        cars = [_car(fits[k], w) for k in names]
        variances = [_car_var(fits[k], w) for k in names]
        scar = [c / math.sqrt(v) for c, v in zip(cars, variances)]
        patell = sum(scar) / math.sqrt(n * (L1 - 2) / (L1 - 4))
        sd_scar = math.sqrt(sum((s - _mean(scar)) ** 2 for s in scar) / (n - 1))
        bmp = _mean(scar) / (sd_scar / math.sqrt(n))
        positive = sum(1 for c in cars if c > 0)
        gsign = (positive - n * p_hat) / math.sqrt(n * p_hat * (1 - p_hat))
        # GRANK: the 8 SARs and SCAR* per firm, T = 9, U = rank / 10 − 1/2.
        tg = L1 + 1
        u = {}
        for i, k in enumerate(names):
            gsar = [e / math.sqrt(fits[k]["s2"]) for e in fits[k]["resid"]] + [scar[i] / sd_scar]
            u[k] = [r / (tg + 1) - 0.5 for r in _ranks(gsar)]
        ubar = [_mean([u[k][t] for k in names]) for t in range(tg)]
        z = ubar[-1] / math.sqrt(sum(x * x for x in ubar) / tg)
        grank = z * math.sqrt((tg - 2) / (tg - 1 - z * z))
        # Wald: C = c_W Σ̂, c_W = Var(CAR_i) / σ̂²_i (the same for every firm).
        c_w = variances[0] / fits[names[0]]["s2"]
        inverse = _inverse_3x3([[c_w * cov[(a, b)] for b in names] for a in names])
        wald = sum(cars[i] * inverse[i][j] * cars[j] for i in range(3) for j in range(3))
        p_var = _car_var(portfolio, w)
        out["windows"][f"{w[0]},{w[1]}"] = {
            "caar": _mean(cars),
            "portfolio_se": math.sqrt(p_var),
            "portfolio_t": _car(portfolio, w) / math.sqrt(p_var),
            "patell_z": patell,
            "patell_z_adj": patell * math.sqrt(1 / (1 + (n - 1) * rbar)),
            "bmp_t": bmp,
            "kp_bmp_t": bmp * math.sqrt((1 - rbar) / (1 + (n - 1) * rbar)),
            "gsign_z": gsign,
            "grank_t": grank,
            "wald_chi2": wald,
        }
    return out


@pytest.fixture(scope="module")
def hand_results():
    sessions = pd.bdate_range("2024-03-01", periods=11, name="session")
    returns = pd.DataFrame(FIRMS, index=sessions)
    market = pd.Series(MARKET, index=sessions)
    study = EventStudy(
        returns,
        sessions[9],
        benchmark=market,
        benchmark_name="hand market",
        estimation_window=(-9, -2),
        event_windows=WINDOWS,
        ar_path=(-1, 1),
        min_estimation_returns=8,
    )
    return study.fit()


def _flatten(values):
    flat = {"rbar": values["rbar"], "corrado_t": values["corrado_t"]}
    for key, window in values["windows"].items():
        for name, value in window.items():
            flat[f"{key}/{name}"] = value
    return flat


def test_plain_reference_reproduces_the_literals():
    computed = _flatten(_hand_reference())
    literal = _flatten(HAND_VALUES)
    assert computed.keys() == literal.keys()
    for key, value in literal.items():
        assert computed[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_engine_matches_the_hand_case(hand_results):
    group = hand_results.group
    assert group.n == 3
    assert group.tickers == ("A", "B", "C")
    assert group.rbar == pytest.approx(HAND_VALUES["rbar"], rel=1e-10)
    assert group.corrado_t == pytest.approx(HAND_VALUES["corrado_t"], rel=1e-10)
    for key, expected in HAND_VALUES["windows"].items():
        stats_w = group[key]
        for name, value in expected.items():
            assert getattr(stats_w, name) == pytest.approx(value, rel=1e-10, abs=1e-14), (key, name)
        assert stats_w.portfolio_car == pytest.approx(expected["caar"], rel=1e-12)


def test_engine_matches_hand_firm_numbers(hand_results):
    reference = {k: _market_fit(v) for k, v in FIRMS.items()}
    for ticker, fit in reference.items():
        assert hand_results.params.at[ticker, "alpha"] == pytest.approx(fit["alpha"], abs=1e-14)
        assert hand_results.params.at[ticker, "beta"] == pytest.approx(fit["beta"], rel=1e-12)
        assert hand_results.sigma[ticker] == pytest.approx(math.sqrt(fit["s2"]), rel=1e-12)
        np.testing.assert_allclose(hand_results.abnormal_returns[ticker].to_numpy(), fit["ar"], atol=1e-15)
        for window in WINDOWS:
            row = hand_results.car(window).loc[ticker]
            assert row["se"] == pytest.approx(math.sqrt(_car_var(fit, window)), rel=1e-12)


def test_group_json_has_the_documented_keys(hand_results):
    group = hand_results.to_dict()["group"]
    assert {"tickers", "n", "rbar", "corrado_t"} <= group.keys()
    assert list(group["windows"]) == ["0,0", "0,1", "-1,1"]
    wanted = {"caar", "portfolio_car", "portfolio_t", "patell_z", "patell_z_adj", "bmp_t", "kp_bmp_t", "gsign_z",
              "grank_t", "wald_chi2", "wald_p"}
    for window in group["windows"].values():
        assert wanted <= window.keys()
        assert all(v is None or type(v) is float for v in window.values())


def test_group_stats_of_a_subset_equals_a_study_of_that_subset(hand_results):
    sessions = pd.bdate_range("2024-03-01", periods=11, name="session")
    sub = EventStudy(pd.DataFrame(FIRMS, index=sessions)[["A", "C"]], sessions[9],
                     benchmark=pd.Series(MARKET, index=sessions), estimation_window=(-9, -2), event_windows=WINDOWS,
                     ar_path=(-1, 1), min_estimation_returns=8).fit()
    a = hand_results.group_stats(["A", "C"])
    b = sub.group
    assert a.rbar == pytest.approx(b.rbar, rel=1e-12)
    for wa, wb in zip(a.windows, b.windows):
        for name in ("caar", "portfolio_t", "patell_z_adj", "kp_bmp_t", "grank_t", "wald_chi2", "gsign_z"):
            assert getattr(wa, name) == pytest.approx(getattr(wb, name), rel=1e-12), name


def test_group_stats_rejects_unknown_or_duplicate_tickers(hand_results):
    with pytest.raises(KeyError, match="ZZZ"):
        hand_results.group_stats(["A", "ZZZ"])
    with pytest.raises(ValueError, match="duplicate"):
        hand_results.group_stats(["A", "A"])


# ------------------------------------------------------------------------------------------------------------------
# The test objects and single functions
# ------------------------------------------------------------------------------------------------------------------


def test_hypothesis_test_unpacks_and_is_frozen():
    result = car_t_test(-0.05, 0.0004, 238)
    value, pvalue = result
    assert value == pytest.approx(-2.5)
    assert pvalue == pytest.approx(2 * stats.t.sf(2.5, 238))
    assert result.distribution == "t(238)"
    assert "zero" in result.null_hypothesis
    with pytest.raises(AttributeError):
        result.value = 0.0  # type: ignore[misc]
    assert isinstance(result, HypothesisTest)


def test_hypothesis_test_to_dict_is_json_safe():
    undefined = bmp_test(np.array([1.0]))
    as_dict = undefined.to_dict()
    assert as_dict["value"] is None and as_dict["pvalue"] is None
    assert "N < 2" in as_dict["note"]


def test_placebo_p_counts_day0_itself():
    estimation = np.array([0.01, -0.03, 0.02, -0.005])
    # |AR_0| = 0.025: one estimation day (|−0.03|) is at least as large → (1 + 1) / 5
    assert placebo_pvalues(estimation[:, None], np.array([0.025]))[0] == pytest.approx(2 / 5)
    # the largest move of all gets the smallest attainable p, 1 / (L1 + 1)
    assert placebo_test(estimation, -0.2).pvalue == pytest.approx(1 / 5)
    # ties count as "at least as large"
    assert placebo_pvalues(estimation[:, None], np.array([-0.02]))[0] == pytest.approx(3 / 5)


def test_mean_pairwise_correlation_of_known_matrix():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 4))
    corr = np.corrcoef(x, rowvar=False)
    expected = (corr[0, 1] + corr[0, 2] + corr[0, 3] + corr[1, 2] + corr[1, 3] + corr[2, 3]) / 6
    assert mean_pairwise_correlation(x) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(mean_pairwise_correlation(x[:, :1]))


def test_kp_adjustments_vanish_when_rbar_is_zero():
    scar = np.array([-2.0, -1.0, 0.5, -3.0])
    assert patell_test_adjusted(scar, 238, 0.0).value == pytest.approx(patell_test(scar, 238).value)
    assert kp_bmp_test(scar, 0.0).value == pytest.approx(bmp_test(scar).value)
    # positive correlation shrinks both statistics
    assert abs(kp_bmp_test(scar, 0.3).value) < abs(bmp_test(scar).value)
    assert abs(patell_test_adjusted(scar, 238, 0.3).value) < abs(patell_test(scar, 238).value)


def test_patell_denominator_uses_t_variance():
    scar = np.array([1.0, 2.0])
    assert patell_test(scar, 10).value == pytest.approx(3.0 / math.sqrt(2 * 10 / 8))


def test_generalized_sign_counts_positive_cars():
    estimation = np.array([[0.01, -0.01], [0.02, 0.01], [-0.01, 0.03], [0.01, -0.02]])  # p̂ = (3/4 + 2/4) / 2
    result = generalized_sign_test(estimation, np.array([0.05, -0.01]))
    p_hat = 0.625
    assert result.value == pytest.approx((1 - 2 * p_hat) / math.sqrt(2 * p_hat * (1 - p_hat)))
    assert result.note == "assumes independence"


def test_corrado_of_a_day_ranked_last_by_every_firm():
    rng = np.random.default_rng(7)
    ar = rng.standard_normal((30, 5))
    ar[10] = -10.0  # day "0" is the lowest for all firms
    result = corrado_rank_test(ar, 10)
    centred = stats.rankdata(ar, axis=0) - 15.5
    daily = centred.mean(axis=1)
    assert result.value == pytest.approx(daily[10] / math.sqrt(np.mean(daily**2)))
    assert result.value < -2.5


def test_grank_undefined_for_one_firm_and_symmetric_in_sign():
    rng = np.random.default_rng(3)
    sar = rng.standard_normal((40, 6))
    scar = rng.standard_normal(6) - 1.0
    assert math.isnan(grank_test(sar[:, :1], scar[:1]).value)
    down = grank_test(sar, scar)
    up = grank_test(-sar, -scar)
    assert up.value == pytest.approx(-down.value)
    assert down.distribution == "t(39)"


def test_wald_with_one_firm_is_the_squared_t():
    t_test = car_t_test(-0.03, 0.0001, 100)
    wald = wald_test(np.array([-0.03]), np.array([[0.0001]]), residual_df=100)
    assert wald.value == pytest.approx(t_test.value**2)
    assert wald.pvalue == pytest.approx(stats.chi2.sf(9.0, 1))


def test_hotelling_with_one_firm_is_the_t_test():
    t_test = car_t_test(-0.03, 0.0001, 100)
    exact = hotelling_test(np.array([-0.03]), np.array([[0.0001]]), 100)
    assert exact.value == pytest.approx(t_test.value**2)
    assert exact.pvalue == pytest.approx(t_test.pvalue, rel=1e-10)
    assert exact.distribution == "F(1, 100)"


def test_hotelling_is_the_scaled_wald():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((40, 4))
    cov = a.T @ a / 36
    car = rng.standard_normal(4)
    wald = wald_test(car, cov, residual_df=36)
    exact = hotelling_test(car, cov, 36)
    assert exact.value == pytest.approx(wald.value * 33 / (4 * 36))
    assert exact.pvalue > wald.pvalue  # the chi2 law understates the tail


def test_wald_is_undefined_when_n_exceeds_the_residual_df():
    result = wald_test(np.ones(5), np.eye(5), residual_df=4)
    assert math.isnan(result.value)
    assert "singular" in result.note


def test_wald_uses_the_off_diagonal_covariance():
    car = np.array([0.02, 0.02])
    independent = wald_test(car, np.diag([1e-4, 1e-4])).value
    correlated = wald_test(car, np.array([[1e-4, 0.8e-4], [0.8e-4, 1e-4]])).value
    # two equal moves are much less surprising when the firms move together
    assert correlated == pytest.approx(independent / 1.8)


def test_window_key():
    assert window_key((-1, 1)) == "-1,1"
    assert window_key((0, 0)) == "0,0"


def test_hand_case_refuses_the_default_minimum():
    sessions = pd.bdate_range("2024-03-01", periods=11, name="session")
    with pytest.raises(WindowError, match="only 8 usable estimation returns"):
        EventStudy(pd.DataFrame(FIRMS, index=sessions), sessions[9], benchmark=pd.Series(MARKET, index=sessions),
                   estimation_window=(-9, -2), ar_path=(-1, 1))


# --- cross-sectional and skewness-adjusted t (hand-computed) ---------------------------------------------------------
def test_cross_sectional_t_hand_computed():
    from analysis.inference import cross_sectional_t_test

    # CARs 1, 2, 3, 6: mean 3, s = sqrt(((-2)^2 + 1 + 0 + 9) / 3) = sqrt(14/3); t = 3 / (sqrt(14/3) / 2)
    test = cross_sectional_t_test(np.array([1.0, 2.0, 3.0, 6.0]))
    assert test.value == pytest.approx(6.0 / math.sqrt(14.0 / 3.0), rel=1e-12)
    assert test.df == 3 and test.n == 4
    assert test.pvalue == pytest.approx(2 * stats.t.sf(test.value, 3), rel=1e-12)
    assert math.isnan(cross_sectional_t_test(np.array([0.01])).value)


def test_skewness_adjusted_t_hand_computed():
    from analysis.inference import skewness_adjusted_t_test

    x = np.array([1.0, 2.0, 3.0, 6.0])
    # mean 3, s = sqrt(14/3), S = 3 / s; skewness gamma = sum((x - 3)^3) / (4 s^3) = (-8 - 1 + 0 + 27) / (4 s^3)
    s = math.sqrt(14.0 / 3.0)
    big_s = 3.0 / s
    gamma = 18.0 / (4.0 * s**3)
    expected = 2.0 * (big_s + gamma * big_s**2 / 3.0 + gamma / 24.0)
    test = skewness_adjusted_t_test(x)
    assert test.value == pytest.approx(expected, rel=1e-12)
    assert test.pvalue == pytest.approx(2 * stats.norm.sf(expected), rel=1e-12)
    # Symmetric data: no skewness, so it equals sqrt(N) * mean / s.
    sym = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
    assert skewness_adjusted_t_test(sym).value == pytest.approx(math.sqrt(5) * 1.0 / sym.std(ddof=1), rel=1e-12)
