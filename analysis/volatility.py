"""GARCH(1,1) market model and abnormal volatility.

The GARCH market model (Bollerslev 1986; in event studies Corhay and Tourani Rad 1996, Savickas 2003) keeps the
market model as the mean equation and lets the residual variance move::

    R_it = α_i + β_i R_mt + ε_it,    ε_it | past ~ N(0, h_it),    h_it = ω_i + a_i ε²_i,t−1 + b_i h_i,t−1

It is fitted by maximum likelihood with the ``arch`` package (Sheppard), on **percent** returns (the optimiser
mis-behaves on decimals; PITFALLS.md), and converted back to decimals. The event days' abnormal returns are
R − α̂ − β̂ R_m, and their variances are the GARCH forecasts made at the end of the estimation window (so the event
itself does not enter them)::

    h_T+1 = ω + a ε²_T + b h_T,        h_T+k = ω + (a + b) h_T+k−1   (k ≥ 2)

A fit that does not converge (``convergence_flag != 0``), that fails, or whose a + b ≥ 1 (no finite unconditional
variance) falls back to OLS for that firm, and the results say so.

Abnormal volatility of day 0 (Beaver 1968's U statistic, in the form of Savickas 2003): AR²_0 against the mean of
the estimation window's squared ARs (σ̂²), and against the GARCH forecast h_0.

References
----------
.. [1] Bollerslev, T. (1986). "Generalized autoregressive conditional heteroskedasticity". *J. Econometrics* 31(3),
   307–327.
.. [2] Savickas, R. (2003). "Event-induced volatility and tests for abnormal performance". *J. Financial Research*
   26(2), 165–178.
.. [3] Corhay, A. and A. Tourani Rad (1996). "Conditional heteroskedasticity adjusted market model and an event study".
   *Quarterly Review of Economics and Finance* 36(4), 529–538.
.. [4] Beaver, W. H. (1968). "The information content of annual earnings announcements". *J. Accounting Research* 6,
   67–92.
.. [5] Sheppard, K. et al. ``arch``: ARCH models in Python, https://github.com/bashtage/arch.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distributions import chi2_sf, f_sf

__all__ = ["GarchFit", "fit_garch_market_model", "garch_variance_forecast", "abnormal_volatility"]

#: Percent per decimal: arch is fitted on returns × 100.
_PERCENT = 100.0


@dataclass(frozen=True)
class GarchFit:
    """GARCH(1,1) market models of N firms on one market series (decimal units).

    Attributes
    ----------
    coefficients, coefficient_se : ndarray, shape (2, N)
        α (decimal daily) and β of the mean equation, and their standard errors (arch's robust ones); NaN where the
        fit failed.
    omega, arch_a, garch_b : ndarray, shape (N,)
        ω (decimal²), a and b of the variance equation.
    converged : ndarray of bool, shape (N,)
        True when arch reports convergence and a + b < 1.
    messages : tuple of str
        Why each firm that did not converge fell back to OLS ("" for the others).
    residuals : ndarray, shape (L1, N)
        ε̂ of the mean equation over the estimation window (decimal).
    last_variance : ndarray, shape (N,)
        h_T, the conditional variance of the last estimation day (decimal²).
    """

    coefficients: np.ndarray
    coefficient_se: np.ndarray
    omega: np.ndarray
    arch_a: np.ndarray
    garch_b: np.ndarray
    converged: np.ndarray
    messages: tuple[str, ...]
    residuals: np.ndarray
    last_variance: np.ndarray

    def forecast(self, steps) -> np.ndarray:
        """Variance forecasts ``steps`` sessions after the end of the estimation window (rows) for each firm.

        See :func:`garch_variance_forecast`.
        """
        return garch_variance_forecast(self.omega, self.arch_a, self.garch_b, self.residuals[-1], self.last_variance,
                                       steps)


def garch_variance_forecast(omega, arch_a, garch_b, last_residual, last_variance, steps) -> np.ndarray:
    """k-step GARCH(1,1) variance forecasts: ``h_T+1 = ω + a ε²_T + b h_T``, ``h_T+k = ω + (a+b) h_T+k−1``.

    Parameters
    ----------
    omega, arch_a, garch_b, last_residual, last_variance : array_like, shape (N,)
    steps : array_like of int ≥ 1, shape (S,)

    Returns
    -------
    ndarray, shape (S, N)
    """
    omega, a, b = (np.asarray(v, dtype=float) for v in (omega, arch_a, garch_b))
    steps = np.asarray(steps, dtype=int)
    if steps.size and steps.min() < 1:
        raise ValueError("forecast steps must be >= 1 (sessions after the estimation window)")
    h = omega + a * np.asarray(last_residual, dtype=float) ** 2 + b * np.asarray(last_variance, dtype=float)
    out = np.empty((int(steps.max()) if steps.size else 0, h.size))
    for k in range(out.shape[0]):
        out[k] = h
        h = omega + (a + b) * h
    return out[steps - 1]


def fit_garch_market_model(y: np.ndarray, market: np.ndarray) -> GarchFit:
    """Fit a GARCH(1,1) market model to each column of ``y`` with ``arch`` (one maximum-likelihood fit per firm).

    Parameters
    ----------
    y : ndarray, shape (L1, N)
        Estimation-window simple returns of the firms (decimal).
    market : ndarray, shape (L1,)
        The benchmark's returns (decimal).

    Returns
    -------
    GarchFit
    """
    from arch import arch_model

    y = np.asarray(y, dtype=float)
    x = np.asarray(market, dtype=float)[:, None] * _PERCENT
    n_obs, n_firms = y.shape
    coefficients = np.full((2, n_firms), np.nan)
    coefficient_se = np.full((2, n_firms), np.nan)
    omega, arch_a, garch_b, last_variance = (np.full(n_firms, np.nan) for _ in range(4))
    residuals = np.full((n_obs, n_firms), np.nan)
    converged = np.zeros(n_firms, dtype=bool)
    messages = []
    for j in range(n_firms):
        model = arch_model(y[:, j] * _PERCENT, x=x, mean="LS", vol="GARCH", p=1, q=1, rescale=False)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = model.fit(disp="off", show_warning=False)
        except (ValueError, np.linalg.LinAlgError, RuntimeError) as exc:
            messages.append(f"the fit failed ({type(exc).__name__}: {exc})")
            continue
        params = res.params.to_numpy()
        se = res.std_err.to_numpy()
        coefficients[:, j] = params[0] / _PERCENT, params[1]
        coefficient_se[:, j] = se[0] / _PERCENT, se[1]
        omega[j] = params[2] / _PERCENT**2
        arch_a[j], garch_b[j] = params[3], params[4]
        residuals[:, j] = np.asarray(res.resid) / _PERCENT
        last_variance[j] = float(np.asarray(res.conditional_volatility)[-1] / _PERCENT) ** 2
        if res.convergence_flag != 0:
            messages.append(f"the optimiser did not converge (convergence_flag {res.convergence_flag})")
        elif not np.all(np.isfinite(params)):
            messages.append("non-finite parameters")
        elif arch_a[j] + garch_b[j] >= 1:
            messages.append(f"a + b = {arch_a[j] + garch_b[j]:.4f} >= 1 (no finite unconditional variance)")
        else:
            messages.append("")
            converged[j] = True
    return GarchFit(coefficients=coefficients, coefficient_se=coefficient_se, omega=omega, arch_a=arch_a,
                    garch_b=garch_b, converged=converged, messages=tuple(messages), residuals=residuals,
                    last_variance=last_variance)


def abnormal_volatility(results, garch_fit: GarchFit | None = None, *, fit_garch: bool = False) -> pd.DataFrame:
    """Day-0 abnormal volatility of each firm: AR²_0 against σ̂² and, when a GARCH fit is given, against h_0.

    Under the model's null (normal errors, no event), AR_0 / (σ̂ sqrt(c_0)) is Student t(df), so
    ``ratio = AR²_0 / (c_0 σ̂²)`` is F(1, df) (Beaver 1968's U statistic with the exact prediction-error factor c_0);
    ``garch_ratio = AR²_0 / h_0`` is χ²(1) under the GARCH null (Savickas 2003). A ratio of 9 is a day-0 move three
    standard deviations wide.

    Parameters
    ----------
    results : EventStudyResults
        Any fitted study (its day-0 ARs, σ̂ and df are used).
    garch_fit : GarchFit, optional
        A GARCH market model of the same firms over the same estimation window (its forecast of day 0, made at the
        end of the estimation window, is used). For a study fitted with ``model="garch"`` it is taken from the results.
    fit_garch : bool
        Fit a GARCH(1,1) market model to the study's firms and benchmark now (about 70 ms a firm) when neither
        ``garch_fit`` nor the results hold one; the study must have a benchmark (market, market-adjusted, garch).

    Returns
    -------
    DataFrame
        Index firm; columns ar0 (decimal), ar0_squared, sigma2 (estimation-window mean squared AR, divisor df),
        ratio, ratio_p (upper-tail F(1, df)), and when GARCH is available h0, garch_ratio, garch_p, garch_converged.
    """
    ar0 = results.abnormal_returns.loc[0]
    c0 = results.window_factor((0, 0))
    sigma2 = results.sigma**2
    ratio = ar0**2 / (c0 * sigma2)
    frame = pd.DataFrame({"ar0": ar0, "ar0_squared": ar0**2, "sigma2": sigma2, "ratio": ratio,
                          "ratio_p": f_sf(ratio, 1, results.df)})
    if garch_fit is None:
        garch_fit = getattr(results, "garch_fit", None)
    if garch_fit is None and fit_garch:
        aligned = results.study._aligned
        if aligned.benchmark_est is None:
            raise ValueError("fit_garch needs a study with a benchmark (model market, market-adjusted or garch)")
        garch_fit = fit_garch_market_model(aligned.returns_est, aligned.benchmark_est)
    if garch_fit is not None:
        steps = np.array([0 - results.estimation_window[1]])
        h0 = garch_fit.forecast(steps)[0]
        frame["h0"] = h0
        frame["garch_ratio"] = ar0.to_numpy() ** 2 / h0
        frame["garch_p"] = chi2_sf(frame["garch_ratio"], 1)
        frame["garch_converged"] = garch_fit.converged
        # a firm whose GARCH fit fell back has no forecast of its own
        frame.loc[~garch_fit.converged, ["h0", "garch_ratio", "garch_p"]] = np.nan
    frame.index.name = "firm"
    return frame
