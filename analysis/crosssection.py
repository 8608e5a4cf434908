"""Who fell, and why: a cross-sectional regression of the firms' day-0 abnormal returns on characteristics measured
before the event.

``AR_i0 = c + Σ_k γ_k z_ik + u_i`` by OLS with HC3 heteroskedasticity-consistent standard errors (MacKinnon and White
1985; Long and Ervin 2000 recommend HC3 below N ≈ 250), with statsmodels. With a few dozen firms the regression has
few residual degrees of freedom: read its coefficients as descriptive, and its p-values as rough
(:data:`SMALL_N_CAVEAT`).

Characteristics (:func:`firm_characteristics`), all measured before the event so the event cannot move them:

- ``soxx_beta``: the firm's OLS beta to the semiconductor ETF SOXX over the estimation window, its exposure to AI
  hardware;
- ``momentum``: its simple return over months 12 to 1 before the event, i.e. relative sessions [−252, −22]
  (Jegadeesh and Titman 1993; the most recent month is skipped);
- ``log_dollar_volume``: ln of its mean daily dollar volume (close × shares traded) over the estimation window.

The function :func:`cross_sectional_regression` takes any Series of ARs and any frame of characteristics, so it
serves other cross-sections (e.g. the S&P 500 members) as well.

References
----------
.. [1] MacKinnon, J. G. and H. White (1985). "Some heteroskedasticity-consistent covariance matrix estimators with
   improved finite sample properties". *J. Econometrics* 29(3), 305–325.
.. [2] Long, J. S. and L. H. Ervin (2000). "Using heteroscedasticity consistent standard errors in the linear
   regression model". *The American Statistician* 54(3), 217–224.
.. [3] Jegadeesh, N. and S. Titman (1993). "Returns to buying winners and selling losers". *J. Finance* 48(1), 65–91.
.. [4] Sefcik, S. E. and R. Thompson (1986). "An approach to statistical inference in cross-sectional models with
   security abnormal returns as dependent variable". *J. Accounting Research* 24(2), 316–334.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.jsonutil import json_float

__all__ = ["CrossSectionResults", "cross_sectional_regression", "firm_characteristics", "SMALL_N_CAVEAT"]

#: Said with every cross-sectional regression of a small sample.
SMALL_N_CAVEAT = (
    "Small N: {n} firms and {k} regressors leave {df} residual degrees of freedom; HC3 standard errors are the "
    "least biased in small samples, but the p-values (Student t with those df) are approximate and the firms' ARs "
    "are cross-correlated (one event date), which OLS standard errors ignore (Sefcik and Thompson 1986). Read the "
    "signs and sizes, not the stars."
)
#: Momentum window, months 12 to 1 before the event, in relative sessions.
MOMENTUM_WINDOW = (-252, -22)


@dataclass(frozen=True)
class CrossSectionResults:
    """A fitted cross-sectional regression (statsmodels OLS, HC3 covariance) with the data it used.

    Attributes
    ----------
    fit : statsmodels.regression.linear_model.RegressionResultsWrapper
        The statsmodels results (``cov_type="HC3"``).
    ar0 : Series
        The dependent variable, aligned (decimal day-0 ARs).
    characteristics : DataFrame
        The regressors, aligned (without the constant).
    """

    fit: object
    ar0: pd.Series
    characteristics: pd.DataFrame

    @property
    def nobs(self) -> int:
        return int(self.fit.nobs)

    @property
    def params(self) -> pd.Series:
        return self.fit.params

    @property
    def bse(self) -> pd.Series:
        """HC3 standard errors."""
        return self.fit.bse

    @property
    def tvalues(self) -> pd.Series:
        return self.fit.tvalues

    @property
    def pvalues(self) -> pd.Series:
        return self.fit.pvalues

    @property
    def rsquared(self) -> float:
        return float(self.fit.rsquared)

    @property
    def caveat(self) -> str:
        k = len(self.params)
        return SMALL_N_CAVEAT.format(n=self.nobs, k=k, df=self.nobs - k)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Intervals of the coefficients (HC3), columns lower, upper."""
        frame = self.fit.conf_int(alpha=1 - level)
        frame.columns = ["lower", "upper"]
        return frame

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: coef, se (HC3), t, p."""
        return pd.DataFrame({"coef": self.params, "se": self.bse, "t": self.tvalues, "p": self.pvalues})

    def fitted_line(self, characteristic: str, grid: np.ndarray) -> np.ndarray:
        """Fitted AR along ``grid`` values of one characteristic, the others held at their sample means."""
        means = self.characteristics.mean()
        value = float(self.params.get("const", 0.0))
        for name, coef in self.params.items():
            if name == "const":
                continue
            value = value + coef * (grid if name == characteristic else means[name])
        return np.broadcast_to(value, np.shape(grid)).astype(float)

    def to_dict(self) -> dict:
        """JSON shape: n, r2, coefficients{name: {coef, se, t, p}}, caveat, covariance."""
        return {
            "dependent": "day-0 abnormal return (decimal)",
            "n": self.nobs,
            "r2": json_float(self.rsquared),
            "covariance": "HC3",
            "coefficients": {name: {k: json_float(v) for k, v in row.items()}
                             for name, row in self.to_frame().iterrows()},
            "firms": list(map(str, self.ar0.index)),
            "caveat": self.caveat,
        }

    def summary(self) -> str:
        """The coefficient table and the caveat."""
        title = f"Cross-sectional OLS of day-0 ARs, HC3 standard errors (N = {self.nobs}, R² = {self.rsquared:.3f})"
        return "\n".join([title, "=" * len(title), self.to_frame().to_string(float_format=lambda v: f"{v:.4f}"),
                          self.caveat]) + "\n"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (f"<h4>{html.escape(self.summary().splitlines()[0])}</h4>"
                + self.to_frame().to_html(float_format=lambda v: f"{v:.4f}")
                + f"<p>{html.escape(self.caveat)}</p>")

    def plot(self, characteristic: str = "soxx_beta"):
        """AR against one characteristic with the fitted line and the firms labelled
        (:func:`analysis.charts.plot_ar_vs_characteristic`)."""
        from analysis.charts import plot_ar_vs_characteristic

        return plot_ar_vs_characteristic(self, characteristic)


def cross_sectional_regression(ar0: pd.Series, characteristics: pd.DataFrame) -> CrossSectionResults:
    """OLS of day-0 abnormal returns on firm characteristics, with HC3 standard errors (statsmodels).

    Parameters
    ----------
    ar0 : Series
        One abnormal return per firm (index: firm), decimal.
    characteristics : DataFrame
        Firms × characteristics measured before the event (index: firm). A constant is added.

    Returns
    -------
    CrossSectionResults
        Firms missing from either input, or with a NaN, are left out (and not in ``ar0`` of the results).

    Raises
    ------
    ValueError
        When fewer firms remain than regressors + 2.
    """
    import statsmodels.api as sm

    data = characteristics.join(ar0.rename("_ar0"), how="inner").dropna()
    k = characteristics.shape[1] + 1
    if len(data) < k + 2:
        from .errors import DataGapError

        raise DataGapError(f"{len(data)} firms with every characteristic cannot fit {k} coefficients with HC3 "
                           "errors.", f"study at least {k + 2} firms for the cross-sectional regression.")
    y = data.pop("_ar0")
    design = sm.add_constant(data.astype(float), has_constant="add")
    fit = sm.OLS(y.astype(float), design).fit(cov_type="HC3", use_t=True)
    return CrossSectionResults(fit=fit, ar0=y, characteristics=data)


def firm_characteristics(
    returns: pd.DataFrame,
    sector_returns: pd.Series,
    dollar_volume: pd.DataFrame,
    day0: pd.Timestamp,
    estimation_window: tuple[int, int],
) -> pd.DataFrame:
    """soxx_beta, momentum and log_dollar_volume of each firm, measured before the event (see the module docstring).

    Parameters
    ----------
    returns : DataFrame
        Simple returns, sessions × firms, consecutive sessions.
    sector_returns : Series
        The sector proxy's simple returns (SOXX) on the same sessions.
    dollar_volume : DataFrame
        close × volume, sessions × firms.
    day0 : Timestamp
    estimation_window : (int, int)
        For the beta and the dollar volume.

    Returns
    -------
    DataFrame
        Index firm; NaN where a firm lacks the data (never filled).
    """
    pos0 = returns.index.get_loc(pd.Timestamp(day0))
    first, last = estimation_window
    est = slice(max(pos0 + first, 0), pos0 + last + 1)
    r = returns.iloc[est]
    m = sector_returns.reindex(returns.index).iloc[est]
    mc = m - m.mean()
    beta = (r.sub(r.mean()).mul(mc, axis=0)).sum() / float((mc**2).sum())
    beta[r.isna().any()] = np.nan
    mom_first, mom_last = MOMENTUM_WINDOW
    if pos0 + mom_first < 0:
        momentum = pd.Series(np.nan, index=returns.columns)
    else:
        window = returns.iloc[pos0 + mom_first: pos0 + mom_last + 1]
        momentum = (1 + window).prod(min_count=len(window)) - 1
    dv = dollar_volume.reindex(returns.index).iloc[est]
    log_dv = np.log(dv.mean())
    log_dv[dv.isna().any()] = np.nan
    frame = pd.DataFrame({"soxx_beta": beta, "momentum": momentum, "log_dollar_volume": log_dv})
    frame.index.name = "firm"
    return frame


def firm_cross_section(results, cache=None, sector: str = "SOXX") -> CrossSectionResults:
    """The cross-section of a fitted study: its day-0 ARs on :func:`firm_characteristics` from the cache.

    Parameters
    ----------
    results : EventStudyResults
        Gives the firms, day 0, the estimation window and the day-0 ARs.
    cache : Cache, optional
    sector : str
        The cached sector ETF whose beta measures exposure to AI hardware (default SOXX).

    Returns
    -------
    CrossSectionResults
    """
    from analysis.cache import Cache
    from analysis.returns import returns_panel

    cache = cache or Cache()
    firms = list(results.tickers)
    panel = returns_panel([*firms, sector], cache)
    dollar = pd.DataFrame({t: (lambda f: f["close"] * f["volume"])(cache.read(t)) for t in firms})
    chars = firm_characteristics(panel[firms], panel[sector], dollar, results.day0, results.estimation_window)
    return cross_sectional_regression(results.abnormal_returns.loc[0], chars)
