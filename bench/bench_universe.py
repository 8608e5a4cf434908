"""Time the index cross-section (analysis/universe.py) on the real data in data/.

Measured, best of ``--repeat`` runs after one warm-up (imports and the first statsmodels call are paid once):

* ``load``: reading the universe (one wide CSV of adjusted closes, ~484 members) and the ^GSPC, RSP and SOXX series;
* ``one_event``: one event's full study on the loaded data: the batched market-model fit against ^GSPC and RSP
  (~480 firms, one least-squares solve per benchmark), the per-member table with SOXX betas and momentum, every
  group statistic of :func:`analysis.inference.group_statistics` plus the cross-sectional t for the 11 GICS sectors
  and every sub-industry, and the two HC3 regressions;
* ``one_event_core``: the same without the sub-industries (fit, table, sectors, regressions, the JSON of the CLI);
* ``timeline``: every release of the timeline that the data cover (dates below), fit + distribution + regression
  + the overlap of the hardest-hit members with the flagship's.

Prints ``name: value`` lines; no assertion (timings are not tests). Targets: one event well under a second of
compute; the timeline in a few seconds.

Usage: ``python bench/bench_universe.py [--repeat 5]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices; threads only contend on a shared machine
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.cache import Cache  # noqa: E402
from analysis.universe import UniverseStudy, load_universe_data, timeline_cross_sections  # noqa: E402

#: The event studied alone, and the releases of the timeline (shared/timeline), as plain dates: event facts live in
#: events/*.toml; this list only drives the benchmark. Dates the data do not cover are reported as such.
FLAGSHIP = "2025-01-27"
TIMELINE = ("2024-11-20", "2024-12-26", "2025-01-10", "2025-01-20", "2025-01-27", "2025-01-29", "2025-01-30",
            "2025-03-24", "2025-05-28", "2025-08-19", "2025-09-22", "2025-09-29", "2025-12-01", "2026-04-24")


def best(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cache = Cache(ROOT / "data")

    load = best(lambda: load_universe_data(cache), args.repeat)
    data = load_universe_data(cache)

    def core():
        res = UniverseStudy(FLAGSHIP).fit(data)
        res.table(), res.sectors(), res.regression(), res.regression(sector_dummies=True)
        return res

    def full():
        res = core()
        res.sub_industries()
        res.to_dict()
        return res

    t_core = best(core, args.repeat)
    t_full = best(full, args.repeat)
    res = full()
    timeline = None

    def run_timeline():
        nonlocal timeline
        timeline = timeline_cross_sections(TIMELINE, reference=FLAGSHIP, data=data)

    t_timeline = best(run_timeline, max(1, args.repeat // 2))
    covered = int((timeline.summary["status"] == "ok").sum())
    print(f"firms: {res.n_firms} of {res.n_members} members; sectors {len(res.sectors())}, "
          f"sub-industries {len(res.sub_industries())}")
    print(f"load_seconds: {load:.3f}")
    print(f"one_event_core_seconds: {t_core:.3f}")
    print(f"one_event_seconds: {t_full:.3f}")
    print(f"timeline_events_covered: {covered} of {len(TIMELINE)}")
    print(f"timeline_seconds: {t_timeline:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
