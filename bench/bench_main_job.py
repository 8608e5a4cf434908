"""Benchmark of the main job (``make run``): execute every notebook and export every chart, from the cache.

Measures, after installation (run it from the project's venv):

* the whole main job as ``make run`` runs it (notebooks in parallel kernels, charts exported by ``04_export``,
  headline table computed meanwhile), into a temporary folder;
* where the time goes: kernel start-up, imports, computation, plotting (cells that draw a chart), saving (the
  export cell), HTML conversion; summed over notebooks (CPU-ish time, since kernels run in parallel) and as wall time;
* a cold start of the package in a fresh interpreter (the imports every kernel pays);
* the export alone, in this process: building each figure vs writing PNG/SVG/PDF.

Prints ``name: value`` lines; no assertion (timings are not tests). Target: main job under 60 s on 2 cores.

Usage: ``python bench/bench_main_job.py [--jobs N] [--compare]`` (``--compare`` also times one kernel at a time and
every kernel at once, to show what the scheduling saves; it adds about a minute).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cold_import_seconds() -> float:
    """A fresh interpreter importing what every notebook imports."""
    code = ("import matplotlib_inline.backend_inline, analysis.figures, analysis.study, analysis.claims, "
            "analysis.charts, analysis.valuation, analysis.paths, analysis.tables")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def kernel_start_seconds() -> float:
    """Start one python3 kernel, wait until it answers, shut it down."""
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)
    ready = time.perf_counter() - start
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return ready


def run_job(jobs: int | None, label: str) -> dict:
    from analysis.events import flagship
    from analysis.runner import run_main_job

    with tempfile.TemporaryDirectory(prefix="bench-main-job-") as tmp:
        start = time.perf_counter()
        result = run_main_job(flagship(), Path(tmp) / "build", Path(tmp) / "figures", jobs=jobs,
                              stream=io.StringIO())
        total = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"the main job failed ({label}): "
                         + "; ".join(f"{r.name}: {r.error}" for r in result.notebooks if r.error))
    by_kind: dict[str, float] = defaultdict(float)
    for run in result.notebooks:
        by_kind["kernel start-up and papermill"] += max(0.0, run.seconds - sum(c["seconds"] for c in run.cells))
        for cell in run.cells:
            by_kind[cell["kind"]] += cell["seconds"]
        by_kind["html"] += run.html_seconds
    return {"total": total, "result": result, "by_kind": dict(by_kind)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores + 1)")
    parser.add_argument("--compare", action="store_true",
                        help="also time one kernel at a time, and every kernel at once")
    args = parser.parse_args()
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

    print(f"# main job benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"cold_import_s: {cold_import_seconds():.2f}   (fresh interpreter: pandas, scipy, matplotlib, analysis)")
    print(f"kernel_start_s: {kernel_start_seconds():.2f}   (one python3 kernel, until it answers)")

    from analysis.notebooks import default_jobs

    from analysis.events import flagship

    measured = run_job(args.jobs, "parallel")
    result = measured["result"]
    print(f"main_job_s: {measured['total']:.2f}   (execute {len(result.notebooks)} notebooks + export "
          f"{len({p.stem for p in result.figures})} charts + headline; target < 60 s)")
    print(f"  notebooks_wall_s: {result.timings.get('notebooks', float('nan')):.2f}   "
          f"(kernels at once: {args.jobs or min(len(result.notebooks), default_jobs())}, export notebook first)")
    print(f"  headline_s: {result.timings.get('headline', float('nan')):.2f}   (in the main process, overlapped)")
    for run in sorted(result.notebooks, key=lambda r: r.name):
        kinds: dict[str, float] = defaultdict(float)
        for cell in run.cells:
            kinds[cell["kind"]] += cell["seconds"]
        detail = ", ".join(f"{k} {v:.1f}" for k, v in sorted(kinds.items()))
        print(f"  notebook {run.name}: {run.seconds:.2f} s ({detail}; html {run.html_seconds:.1f})")
    total_kinds = sum(measured["by_kind"].values())
    print("  where the time goes (summed over notebooks; they overlap in parallel kernels):")
    for kind, seconds in sorted(measured["by_kind"].items(), key=lambda kv: -kv[1]):
        print(f"    {kind}_s: {seconds:.2f}   ({100 * seconds / total_kinds:.0f} %)")

    from analysis.figures import export_figures

    timings: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        start = time.perf_counter()
        export_figures(flagship(), tmp, timings=timings)
        export_total = time.perf_counter() - start
    build = sum(t["build"] for t in timings.values())
    save = sum(t["save"] for t in timings.values())
    print(f"export_in_process_s: {export_total:.2f}   (build figures {build:.2f} incl. fitting the study, "
          f"write PNG+SVG+PDF {save:.2f})")
    for name, t in timings.items():
        print(f"  figure {name}: build {t['build']:.2f}, save {t['save']:.2f}")

    if args.compare:
        for jobs, label in ((1, "one kernel at a time"), (2, "two kernels at once"),
                            (len(result.notebooks), "every kernel at once")):
            other = run_job(jobs, label)
            print(f"main_job_jobs{jobs}_s: {other['total']:.2f}   ({label})")
    print(f"main_job_seconds: {measured['total']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
