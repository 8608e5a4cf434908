"""Fixed-seed synthetic markets for the event-study tests and the benchmark. Synthetic data lives here, in code, never
in ``data/``.

Each generator returns a :class:`SyntheticMarket` with the simple returns of N firms whose data-generating process is
known exactly (α, β or the three Fama–French loadings, σ), so tests can check that the engine recovers it.
Sessions are consecutive business days from 2024-01-02 (synthetic: not the XNYS calendar, which the engine does not
need; it works on positions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The default seed (the event day, as an integer).
SEED = 20250127


@dataclass(frozen=True)
class SyntheticMarket:
    """One synthetic market.

    Attributes
    ----------
    returns : DataFrame
        Simple returns (decimal), sessions × firms ("F000", "F001", ...).
    benchmark : Series
        Market return (decimal); equals RF + Mkt-RF.
    factors : DataFrame
        Mkt-RF, SMB, HML, RF (decimal).
    day0 : Timestamp
    true_params : DataFrame
        Firm × the true coefficients (alpha, beta for market-model data; alpha, beta_mkt, beta_smb, beta_hml for ff3
        data).
    sigma : Series
        True residual standard deviation per firm.
    """

    returns: pd.DataFrame
    benchmark: pd.Series
    factors: pd.DataFrame
    day0: pd.Timestamp
    true_params: pd.DataFrame
    sigma: pd.Series


def _sessions(n: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2024-01-02", periods=n, name="session")


def _factors(rng: np.random.Generator, n: int) -> np.ndarray:
    mkt = 0.0004 + 0.010 * rng.standard_normal(n)
    smb = 0.0001 + 0.005 * rng.standard_normal(n)
    hml = -0.0001 + 0.006 * rng.standard_normal(n)
    rf = np.full(n, 0.00018)
    return np.column_stack([mkt, smb, hml, rf])


def _errors(rng: np.random.Generator, n: int, sigma: np.ndarray, correlation: float, group_size: int) -> np.ndarray:
    """Normal errors; firms in consecutive blocks of ``group_size`` share a common shock with weight ``correlation``."""
    n_firms = sigma.size
    idio = rng.standard_normal((n, n_firms))
    if correlation > 0:
        n_groups = -(-n_firms // group_size)
        common = rng.standard_normal((n, n_groups))
        shock = np.repeat(common, group_size, axis=1)[:, :n_firms]
        idio = np.sqrt(correlation) * shock + np.sqrt(1.0 - correlation) * idio
    return idio * sigma[None, :]


def market_model_market(
    n_firms: int = 20,
    n_sessions: int = 300,
    day0_position: int = 270,
    *,
    seed: int = SEED,
    event_effect: float = 0.0,
    correlation: float = 0.0,
    group_size: int = 10,
) -> SyntheticMarket:
    """Firms that follow the market model exactly: R_it = α_i + β_i R_m,t + ε_it, ε normal.

    α ~ U(−0.0005, 0.0005), β ~ U(0.5, 2.0), σ ~ U(0.01, 0.03). ``event_effect`` is added to every firm's return on
    day 0 (0: the null holds). ``correlation`` > 0 gives the errors of each block of ``group_size`` firms that
    pairwise correlation (independent across blocks).
    """
    rng = np.random.default_rng(seed)
    factors = _factors(rng, n_sessions)
    market = factors[:, 0] + factors[:, 3]
    alpha = rng.uniform(-0.0005, 0.0005, n_firms)
    beta = rng.uniform(0.5, 2.0, n_firms)
    sigma = rng.uniform(0.01, 0.03, n_firms)
    errors = _errors(rng, n_sessions, sigma, correlation, group_size)
    returns = alpha[None, :] + market[:, None] * beta[None, :] + errors
    returns[day0_position] += event_effect
    return _package(returns, factors, day0_position, {"alpha": alpha, "beta": beta}, sigma)


def ff3_market(
    n_firms: int = 20,
    n_sessions: int = 300,
    day0_position: int = 270,
    *,
    seed: int = SEED + 3,
    event_effect: float = 0.0,
) -> SyntheticMarket:
    """Firms that follow the Fama–French three-factor model exactly:
    R_it − RF_t = α_i + b_i (Mkt-RF)_t + s_i SMB_t + h_i HML_t + ε_it, ε normal.

    b ~ U(0.6, 1.8), s ~ U(−0.8, 0.8), h ~ U(−1.2, 0.6), σ ~ U(0.01, 0.03).
    """
    rng = np.random.default_rng(seed)
    factors = _factors(rng, n_sessions)
    alpha = rng.uniform(-0.0005, 0.0005, n_firms)
    b_mkt = rng.uniform(0.6, 1.8, n_firms)
    b_smb = rng.uniform(-0.8, 0.8, n_firms)
    b_hml = rng.uniform(-1.2, 0.6, n_firms)
    sigma = rng.uniform(0.01, 0.03, n_firms)
    errors = rng.standard_normal((n_sessions, n_firms)) * sigma[None, :]
    loadings = np.vstack([b_mkt, b_smb, b_hml])
    returns = factors[:, 3:4] + alpha[None, :] + factors[:, :3] @ loadings + errors
    returns[day0_position] += event_effect
    params = {"alpha": alpha, "beta_mkt": b_mkt, "beta_smb": b_smb, "beta_hml": b_hml}
    return _package(returns, factors, day0_position, params, sigma)


def _package(
    returns: np.ndarray, factors: np.ndarray, day0_position: int, params: dict, sigma: np.ndarray
) -> SyntheticMarket:
    sessions = _sessions(returns.shape[0])
    tickers = pd.Index([f"F{i:03d}" for i in range(returns.shape[1])], name="firm")
    factor_frame = pd.DataFrame(factors, index=sessions, columns=["Mkt-RF", "SMB", "HML", "RF"])
    return SyntheticMarket(
        returns=pd.DataFrame(returns, index=sessions, columns=list(tickers)),
        benchmark=pd.Series(factors[:, 0] + factors[:, 3], index=sessions, name="MKT"),
        factors=factor_frame,
        day0=sessions[day0_position],
        true_params=pd.DataFrame(params, index=tickers),
        sigma=pd.Series(sigma, index=tickers, name="sigma"),
    )
