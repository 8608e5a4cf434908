"""analysis.distributions against scipy.special, hand-checked values and exact closed forms."""

import math

import numpy as np
import pytest
from scipy import special

from analysis import distributions as dist

STATISTICS = np.concatenate([np.linspace(0.0, 5.0, 101), np.linspace(5.0, 60.0, 56), [1e-3, 100.0, 1000.0]])
DEGREES = [1, 2, 3, 4.5, 5, 10, 30, 99, 100, 101, 199, 200, 238, 239, 1000, 10_000]


def _close(ours, reference, rtol=1e-12):
    """Relative agreement; below 1e-300, where one side may round to a subnormal and the other to zero, both must
    be there."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert ours.shape == reference.shape
    underflow = (np.abs(ours) < 1e-300) & (np.abs(reference) < 1e-300)
    np.testing.assert_allclose(ours[~underflow], reference[~underflow], rtol=rtol, atol=0)


@pytest.mark.parametrize("df", DEGREES)
def test_student_t_tails_equal_scipy(df):
    _close(dist.t_two_sided(STATISTICS, df), 2 * special.stdtr(df, -STATISTICS))
    both = np.concatenate([-STATISTICS, STATISTICS])
    _close(dist.t_sf(both, df), special.stdtr(df, -both))


@pytest.mark.parametrize("df", DEGREES)
def test_student_t_scalars_take_the_same_path_as_arrays(df):
    # up to 32 values run on Python floats, more on arrays: both give scipy's numbers
    for t in [0.0, 0.7, 2.1, 5.05, 13.0, 40.0]:
        assert dist.t_two_sided(t, df) == pytest.approx(2 * special.stdtr(df, -t), rel=1e-12, abs=0)


@pytest.mark.parametrize("df", DEGREES + [np.inf])
def test_student_t_quantiles_equal_scipy(df):
    p = np.array([1e-6, 0.005, 0.025, 0.05, 0.4, 0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995])
    np.testing.assert_allclose(dist.t_ppf(p, df), special.stdtrit(df, p), rtol=1e-12, atol=1e-15)
    assert float(dist.t_ppf(0.975, df)) == pytest.approx(float(special.stdtrit(df, 0.975)), rel=1e-12)


def test_hand_checked_values():
    # t(1) is Cauchy: P(|T| > 1) = 1/2; t(2): P(T > t) = (1 − t/√(t² + 2))/2; chi²(2): P(X > x) = e^(−x/2)
    assert float(dist.t_two_sided(1.0, 1)) == pytest.approx(0.5, rel=1e-14)
    assert float(dist.t_sf(1.5, 2)) == pytest.approx((1 - 1.5 / math.sqrt(1.5**2 + 2)) / 2, rel=1e-14)
    assert float(dist.chi2_sf(3.0, 2)) == pytest.approx(math.exp(-1.5), rel=1e-14)
    assert float(dist.norm_sf(1.959963984540054)) == pytest.approx(0.025, rel=1e-14)
    assert float(dist.t_ppf(0.975, 1)) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-13)
    # F(1, d) is t(d) squared
    assert float(dist.f_sf(2.5**2, 1, 30)) == pytest.approx(float(dist.t_two_sided(2.5, 30)), rel=1e-13)


def test_a_tiny_statistic_keeps_its_digits_where_scipy_loses_them():
    # P(|T| > t) for t(1) is 1 − (2/π) atan(t); scipy's stdtr gives 0.9999999905 at t = 1e-8 (three digits lost)
    assert float(dist.t_two_sided(1e-8, 1)) == pytest.approx(1 - 2 / math.pi * math.atan(1e-8), rel=1e-15)


@pytest.mark.parametrize("dfn", [1, 2, 5, 10, 17])
@pytest.mark.parametrize("dfd", [1, 5, 30, 238, 1000])
def test_f_tails_equal_scipy(dfn, dfd):
    f = np.concatenate([np.linspace(0.0, 10.0, 51), [1e-9, 20.0, 50.0, 100.0, 1000.0]])
    _close(dist.f_sf(f, dfn, dfd), special.fdtrc(dfn, dfd, f))


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 17, 50, 480])
def test_chi_squared_tails_equal_scipy(df):
    x = np.concatenate([np.linspace(0.0, 3.0 * df + 30.0, 200), [1e-6, 1000.0, 3000.0]])
    _close(dist.chi2_sf(x, df), special.chdtrc(df, x))
    for value in x[::25]:
        assert float(dist.chi2_sf(value, df)) == pytest.approx(float(special.chdtrc(df, value)), rel=1e-12, abs=0)


def test_normal_tail_equals_scipy():
    z = np.linspace(-10.0, 37.0, 200)
    _close(dist.norm_sf(z), special.ndtr(-z))


def test_edges_and_bad_arguments():
    assert float(dist.t_two_sided(0.0, 10)) == 1.0
    assert float(dist.t_two_sided(np.inf, 10)) == 0.0
    assert np.isnan(dist.t_two_sided(np.nan, 10))
    assert np.isnan(dist.t_two_sided(1.0, 0))
    assert float(dist.f_sf(0.0, 3, 20)) == 1.0
    assert np.isnan(dist.f_sf(np.nan, 3, 20))
    assert float(dist.chi2_sf(0.0, 4)) == 1.0 and float(dist.chi2_sf(np.inf, 4)) == 0.0
    assert np.isnan(dist.chi2_sf(np.nan, 4))
    assert dist.t_ppf(0.0, 5) == -np.inf and dist.t_ppf(1.0, 5) == np.inf and np.isnan(dist.t_ppf(1.5, 5))
    assert dist.betainc(2.0, 3.0, [0.0, 1.0]).tolist() == [0.0, 1.0]


def test_arrays_broadcast_like_ufuncs():
    t = np.array([[0.5, 1.0, 2.0], [3.0, 4.0, 5.0]])
    df = np.array([10.0, 100.0, 1000.0])
    ours = dist.t_two_sided(t, df)
    assert ours.shape == (2, 3)
    _close(ours, 2 * special.stdtr(df, -t))
    big = np.random.default_rng(0).normal(0, 3, 500)  # the array path
    _close(dist.t_two_sided(big, 238), 2 * special.stdtr(238, -np.abs(big)))
    _close(dist.betainc(np.full(500, 3.5), 0.5, np.linspace(0.001, 0.999, 500)),
           special.betainc(3.5, 0.5, np.linspace(0.001, 0.999, 500)))
    _close(dist.gammaincc(np.linspace(0.5, 60, 500), 20.0), special.gammaincc(np.linspace(0.5, 60, 500), 20.0))


def test_the_engine_does_not_import_scipy():
    import subprocess
    import sys

    code = ("import sys, analysis.study, analysis.claims, analysis.eventstudy, analysis.inference;"
            "print(sorted(m for m in ('scipy', 'statsmodels', 'exchange_calendars') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
