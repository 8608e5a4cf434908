"""Time the event-study engine against the ``eventstudy`` package (PyPI 0.1a12) on the same synthetic data.

Data: 500 synthetic market-model firms (tests/synthetic.py, fixed seed), estimation window τ ∈ [−250, −11]
(240 sessions), event window τ ∈ [−10, +10] (21 sessions), market model. Both sides compute, for every firm and every
event day: the AR, its variance, the CAR path from τ = −10, its variance, t and p. Neither side reads files.

* Ours: one ``EventStudy(...).fit()`` (one batched least-squares solve for all firms) plus the AR, AR-SE, CAR-path,
  CAR-path-SE frames and the t/p of the path.
* ``eventstudy``: one ``Single.market_model`` per firm (a statsmodels OLS each), as the package is meant to be used.
  Its class-level data store is replaced for the run and restored afterwards.

Reported: best-of-n wall times, the ratio, our peak memory (tracemalloc, in a separate untimed run), and the
largest AR difference (must be below 1e-10). The last line is ``speedup_vs_eventstudy: <ratio>``.

Also timed, before that last line: the full ``study`` on the same 500 firms with every test
(``fit().to_dict()``: all group statistics including csect_t, skew_t, Wilcoxon and the 9 999-draw date bootstrap of
each window, the pre-trend F, Holm and Benjamini-Hochberg, α/β inference); the bootstrap alone; and the GARCH(1,1)
market model per firm (``arch``, on 20 firms, scaled).

Run: ``python bench/bench_engine.py [--firms 500] [--subset N]``. With ``--subset N`` the package is timed on the
first N firms only and its time scaled linearly to all firms (it is a loop over firms); the output says so.
"""

from __future__ import annotations

import os

# Single-threaded BLAS for both sides, set before numpy loads. The matrices are small (240 × 500), so threads do not
# help, and on a shared 2-core machine OpenBLAS's spinning threads contend with other processes and make timings
# noisy (4 ms becomes ~18 ms). An explicit OPENBLAS_NUM_THREADS in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time
import tracemalloc
from pathlib import Path

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.eventstudy import EventStudy  # noqa: E402
from analysis.inference import BOOTSTRAP_DRAWS, bootstrap_caar_test, car_t_statistics  # noqa: E402
from tests.synthetic import market_model_market  # noqa: E402

ESTIMATION = (-250, -11)
EVENT = (-10, 10)


def run_ours(market):
    """Our engine, everything the package computes."""
    res = EventStudy(
        market.returns,
        market.day0,
        benchmark=market.benchmark,
        benchmark_name="MKT",
        estimation_window=ESTIMATION,
        event_windows=(EVENT,),
        ar_path=EVENT,
    ).fit()
    ar = res.abnormal_returns
    ar_se = res.abnormal_return_se
    car = res.car_path
    car_se = res.car_path_se
    t, p = car_t_statistics(car.to_numpy(), car_se.to_numpy() ** 2, res.df)
    return ar.to_numpy(), ar_se, car, t, p


def run_package(es, market, tickers):
    """The package: one Single.market_model per firm. Returns the AR matrix (event days × firms)."""
    ars = []
    for ticker in tickers:
        single = es.Single.market_model(
            security_ticker=ticker,
            market_ticker="MKT",
            event_date=np.datetime64(market.day0.date()),
            event_window=EVENT,
            estimation_size=ESTIMATION[1] - ESTIMATION[0] + 1,
            buffer_size=-ESTIMATION[1] - 1 + EVENT[0],
        )
        ars.append(np.asarray(single.AR))
    return np.column_stack(ars)


def run_full_study(market, model: str = "market", columns=None):
    """The full study with every test, as ``study --json`` computes it (default windows, AR path [-10,+10])."""
    returns = market.returns if columns is None else market.returns.iloc[:, :columns]
    res = EventStudy(returns, market.day0, model=model, benchmark=market.benchmark, benchmark_name="MKT",
                     estimation_window=ESTIMATION, confounds={}).fit()
    return res.to_dict()


def best_time(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--subset", type=int, default=None, help="time the package on this many firms and scale")
    parser.add_argument("--repeats", type=int, default=20, help="repeats of our engine (the package: 3)")
    args = parser.parse_args(argv)

    import eventstudy as es

    market = market_model_market(n_firms=args.firms, n_sessions=300, day0_position=270)
    tickers = list(market.returns.columns)
    package_tickers = tickers[: args.subset] if args.subset else tickers

    saved = es.Single._parameters
    es.Single._parameters = {"max_iteration": 4}
    try:
        data = {"date": market.returns.index.to_numpy(), "MKT": market.benchmark.to_numpy()}
        data.update({t: market.returns[t].to_numpy() for t in tickers})
        es.Single._save_parameter("returns", data)

        ours_time, ours = best_time(lambda: run_ours(market), args.repeats)
        package_repeats = 3 if args.subset or args.firms <= 500 else 1
        package_time, theirs = best_time(lambda: run_package(es, market, package_tickers), package_repeats)
    finally:
        es.Single._parameters = saved

    scale = len(tickers) / len(package_tickers)
    package_time_all = package_time * scale
    max_diff = float(np.max(np.abs(ours[0][:, : len(package_tickers)] - theirs)))

    tracemalloc.start()
    run_ours(market)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    full_time, full = best_time(lambda: run_full_study(market), 5)
    residuals = market.returns.to_numpy()[:240]
    boot_time, _ = best_time(lambda: bootstrap_caar_test(residuals - residuals.mean(axis=0), -0.01, 2, 2.01, 238),
                             20)
    garch_firms = 20
    garch_time, _ = best_time(lambda: run_full_study(market, "garch", garch_firms), 1)

    ratio = package_time_all / ours_time
    print(f"data: {len(tickers)} synthetic market-model firms, estimation {ESTIMATION[1] - ESTIMATION[0] + 1} "
          f"sessions {ESTIMATION}, event window {EVENT[1] - EVENT[0] + 1} sessions {EVENT}")
    print(f"ours (analysis.eventstudy, batched):      best of {args.repeats}: {ours_time * 1e3:9.2f} ms")
    if scale != 1:
        print(f"eventstudy 0.1a12 (one OLS per firm):     best of {package_repeats}: {package_time * 1e3:9.2f} ms "
              f"on {len(package_tickers)} firms, scaled x{scale:g} to {len(tickers)} firms: "
              f"{package_time_all * 1e3:9.2f} ms (linear scaling assumed: it loops over firms)")
    else:
        print(f"eventstudy 0.1a12 (one OLS per firm):     best of {package_repeats}: {package_time * 1e3:9.2f} ms")
    print(f"our peak traced memory (tracemalloc):     {peak / 2**20:9.2f} MiB")
    print(f"BLAS threads (OPENBLAS_NUM_THREADS):      {os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"largest |AR ours - AR eventstudy|:        {max_diff:.3e} (required < 1e-10)")
    n_windows = len(full["group"]["windows"])
    print(f"full study, every test, {len(tickers)} firms:   best of 5: {full_time * 1e3:9.2f} ms (fit + to_dict: "
          f"{n_windows} windows, csect/skew/Wilcoxon/bootstrap, pre-trend F, Holm/BH)")
    print(f"date bootstrap, {BOOTSTRAP_DRAWS} draws, one window:  best of 20: {boot_time * 1e3:9.2f} ms "
          "(independent of N: it resamples the L1-vector of AARs)")
    print(f"GARCH(1,1) market model (arch), {garch_firms} firms: {garch_time * 1e3:9.2f} ms, i.e. "
          f"{garch_time / garch_firms * 1e3:.1f} ms a firm, ~{garch_time / garch_firms * len(tickers):.1f} s for "
          f"{len(tickers)} firms")
    if not max_diff < 1e-10:
        raise SystemExit(f"ARs differ by {max_diff:.3e}")
    print(f"speedup_vs_eventstudy: {ratio:.1f}")
    return ratio


if __name__ == "__main__":
    main()
