"""Size under the null: how often each test of the CAAR rejects at 5 % when there is no event.

Synthetic firms (fixed seeds; generated here, never stored in data/): a market model R_it = β R_mt + ε_it with
σ = 2 % a day, 240 estimation days and one event day drawn from the same law. The residuals share a common shock
with correlation ρ: ρ = 0 (independent firms) and ρ = 0.1 (about the r̄ of the real AI complex, 0.098). The day-0
ARs come from the market model's closed form; the tests are the package's.

Measured (1 000 replications, N = 30, nominal 5 %; rerun ``python tests/test_size_under_null.py`` to print them):

=============== ========= =========
test             ρ = 0     ρ = 0.1
=============== ========= =========
csect_t          0.052     0.339
skew_t           0.060     0.365
wilcoxon_p       0.047     0.346
bootstrap_p      0.050     0.055
=============== ========= =========

Under cross-correlation the cross-sectional t, the skewness-adjusted t and Wilcoxon over-reject about seven-fold
(their variance ignores the 1 + (N − 1)ρ ≈ 3.9 inflation of Var(CAAR)); the date-resampling bootstrap keeps its size,
because each draw keeps a whole date's cross-section.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import inference

N_FIRMS = 30
N_EST = 240
REPLICATIONS = 1000
BOOT_DRAWS = 499


def simulate_rejections(rho: float, seed: int, replications: int = REPLICATIONS, n_firms: int = N_FIRMS) -> dict:
    """Share of replications in which each test rejects at 5 % (two-sided)."""
    rng = np.random.default_rng(seed)
    rejections = {"csect_t": 0, "skew_t": 0, "wilcoxon_p": 0, "bootstrap_p": 0}
    for rep in range(replications):
        market = rng.normal(0.0005, 0.01, N_EST + 1)
        common = rng.normal(size=(N_EST + 1, 1))
        own = rng.normal(size=(N_EST + 1, n_firms))
        eps = 0.02 * (np.sqrt(rho) * common + np.sqrt(1 - rho) * own)
        beta = rng.uniform(0.5, 1.5, n_firms)
        returns = market[:, None] * beta[None, :] + eps
        # the market model by its closed form (MacKinlay 1997, eq. 7 for the variance factor)
        m, y = market[:N_EST], returns[:N_EST]
        mc = m - m.mean()
        s_mm = float(mc @ mc)
        slope = mc @ (y - y.mean(axis=0)) / s_mm
        intercept = y.mean(axis=0) - slope * m.mean()
        residuals = y - intercept - np.outer(m, slope)
        ar0 = returns[N_EST] - intercept - slope * market[N_EST]
        factor = 1.0 + 1.0 / N_EST + (market[N_EST] - m.mean()) ** 2 / s_mm
        p = {
            "csect_t": inference.cross_sectional_t_test(ar0).pvalue,
            "skew_t": inference.skewness_adjusted_t_test(ar0).pvalue,
            "wilcoxon_p": inference.wilcoxon_test(ar0).pvalue,
            "bootstrap_p": inference.bootstrap_caar_test(residuals, float(ar0.mean()), 1, factor, N_EST - 2,
                                                         draws=BOOT_DRAWS, seed=rep).pvalue,
        }
        for name, value in p.items():
            rejections[name] += value < 0.05
    return {name: count / replications for name, count in rejections.items()}


@pytest.fixture(scope="module")
def independent() -> dict:
    return simulate_rejections(0.0, seed=101)


@pytest.fixture(scope="module")
def correlated() -> dict:
    return simulate_rejections(0.1, seed=202)


@pytest.mark.parametrize("name", ["csect_t", "skew_t", "wilcoxon_p", "bootstrap_p"])
def test_size_close_to_5_percent_with_independent_firms(independent, name):
    # 1 000 replications: the standard error of a 5 % rate is 0.7 pp; the band is about ±3.5 standard errors
    assert 0.025 <= independent[name] <= 0.075, independent


def test_bootstrap_keeps_its_size_with_cross_correlated_firms(correlated):
    assert 0.025 <= correlated["bootstrap_p"] <= 0.075, correlated


@pytest.mark.parametrize("name", ["csect_t", "skew_t", "wilcoxon_p"])
def test_tests_that_assume_independence_over_reject_with_cross_correlation(correlated, name):
    # Var(CAAR) is 1 + (N − 1)ρ = 3.9 times what these tests assume: they reject far more than 5 %
    assert correlated[name] > 0.15, correlated


if __name__ == "__main__":
    print("rho = 0:  ", simulate_rejections(0.0, seed=101))
    print("rho = 0.1:", simulate_rejections(0.1, seed=202))
