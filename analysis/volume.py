"""Abnormal trading volume: a market model of log volume (Campbell and Wasley 1996).

Volume is right-skewed and trends; its logarithm is close to normal, so a market model of log volume gives an
abnormal volume with an ordinary t-test (Ajinkya and Jain 1989; Campbell and Wasley 1996)::

    v_it = ln(1 + V_it),    v_it = a_i + b_i v_mt + e_it    (OLS over the estimation window)

with V_it the shares traded and v_mt the log volume of the market proxy (the benchmark's reported volume, ^GSPC by
default). Campbell and Wasley use turnover (volume over shares outstanding); the shares outstanding of a firm
hardly change inside a year, and with log volume they only shift a_i, so raw share volume gives the same abnormal
volume. The day-0 abnormal log volume AV_i0 = v_i0 − â_i − b̂_i v_m0 has the exact prediction-error variance of the
event-study engine, and t = AV / se is Student t(L1 − 2): the computation *is* :class:`analysis.eventstudy.EventStudy`
(market model) applied to log volumes. exp(AV) − 1 reads as "volume above normal", e.g. +1.5 = 2.5 × normal.

References
----------
.. [1] Campbell, C. J. and C. E. Wasley (1996). "Measuring abnormal daily trading volume for samples of NYSE/ASE and
   NASDAQ securities using parametric and nonparametric test statistics". *Rev. Quantitative Finance and
   Accounting* 6(3), 309–326.
.. [2] Ajinkya, B. B. and P. C. Jain (1989). "The behavior of daily stock market trading volume". *J. Accounting and
   Economics* 11(4), 331–359.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import DataGapError

__all__ = ["log_volume_panel", "abnormal_volume", "volume_study"]

#: What the numbers are, for tables and JSON.
VOLUME_LABEL = ("day-0 abnormal log volume ln(1 + shares traded) under a log-volume market model "
                "(Campbell and Wasley 1996); t ~ Student t(df)")


def log_volume_panel(volumes: pd.DataFrame) -> pd.DataFrame:
    """ln(1 + V) of a sessions × tickers frame of share volumes; zero or missing volumes stay NaN-free only if
    present (NaN stays NaN, never filled)."""
    values = volumes.astype(float)
    if (values < 0).any().any():
        raise ValueError("negative volume")
    return np.log1p(values)


def abnormal_volume(
    volumes: pd.DataFrame,
    market_volume: pd.Series,
    day0: pd.Timestamp,
    estimation_window: tuple[int, int] = config.ESTIMATION_WINDOW,
    *,
    market_name: str = config.DEFAULT_BENCHMARK,
    min_estimation_returns: int = config.MIN_ESTIMATION_RETURNS,
) -> pd.DataFrame:
    """Day-0 abnormal log volume and its t for every firm (Campbell and Wasley 1996).

    Parameters
    ----------
    volumes : DataFrame
        Shares traded, sessions (tz-naive, consecutive) × tickers.
    market_volume : Series
        The market proxy's volume on the same sessions.
    day0 : Timestamp
        The event session.
    estimation_window : (int, int)
        Relative sessions of the log-volume market model (default (−250, −11)).
    market_name : str
        Label of the market volume series.

    Returns
    -------
    DataFrame
        Index firm; columns volume0 (shares), log_volume0, normal_log_volume0, abnormal_log_volume (AV), se, t, p,
        df, volume_ratio (exp(AV): day-0 volume over its normal level), a, b (the model's coefficients).
        ``attrs["what"]`` says what the numbers are.
    """
    from analysis.eventstudy import EventStudy

    log_v = log_volume_panel(volumes)
    log_m = log_volume_panel(market_volume.to_frame()).iloc[:, 0]
    study = EventStudy(log_v, day0, model="market", benchmark=log_m, benchmark_name=f"log volume of {market_name}",
                       estimation_window=estimation_window, event_windows=((0, 0),), ar_path=(0, 0),
                       min_estimation_returns=min_estimation_returns, confounds={})
    res = study.fit()
    day = res.car((0, 0))
    log_v0 = log_v.loc[pd.Timestamp(day0), list(res.tickers)]
    frame = pd.DataFrame({
        "volume0": volumes.loc[pd.Timestamp(day0), list(res.tickers)].astype(float),
        "log_volume0": log_v0,
        "normal_log_volume0": log_v0 - day["car"],
        "abnormal_log_volume": day["car"],
        "se": day["se"],
        "t": day["t"],
        "p": day["p"],
        "df": float(res.df),
        "volume_ratio": np.exp(day["car"]),
        "a": res.params["alpha"],
        "b": res.params["beta"],
    })
    frame.index.name = "firm"
    frame.attrs = {"what": f"{VOLUME_LABEL}; market: {market_name}; {res.estimation_label}"}
    return frame


def volume_study(event, cache=None, tickers: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`abnormal_volume` of the event's firms around its day 0 (``study --volume``).

    Parameters
    ----------
    event : analysis.events.EventConfig
        Its ``date``, ``tickers``, ``benchmark`` (whose volume is the market's) and ``estimation``.
    cache : Cache, optional
    tickers : sequence of str, optional
        Instead of the event's.

    Returns
    -------
    DataFrame
        See :func:`abnormal_volume`.
    """
    from analysis import calendar as cal
    from analysis.cache import Cache, normalize_ticker

    cache = cache or Cache()
    names = [normalize_ticker(t) for t in (tickers or event.tickers)]
    market = normalize_ticker(event.benchmark)
    estimation_window = tuple(event.estimation)
    columns = {t: cache.read(t)["volume"] for t in [*names, market]}
    frame = pd.DataFrame(columns)
    full = cal.sessions(frame.index[0], frame.index[-1], config.EXCHANGE_CALENDAR)
    frame = frame.reindex(full)
    missing = [t for t in [*names, market] if frame[t].isna().all()]
    if missing:
        raise DataGapError(f"no volume in the cache for {', '.join(missing)}.",
                           "leave them out of the volume study; the cache never invents a missing field.")
    day0 = event.day0(config.EXCHANGE_CALENDAR).session
    return abnormal_volume(frame[names], frame[market], day0, estimation_window, market_name=market)
