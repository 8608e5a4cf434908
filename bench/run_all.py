"""Run every benchmark of bench/ (``make bench``).

Order matters: the main-job benchmark first, the engine benchmark (``bench_engine.py``) LAST, so that its final line,
``speedup_vs_eventstudy: <ratio>``, stays the last line of ``make bench``. A benchmark whose script is missing is
skipped with a message; a failing one makes the exit status non-zero (the others still run).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: In running order; the engine benchmark must stay last.
BENCHMARKS = ("bench_main_job.py", "bench_cli.py", "bench_universe.py", "bench_engine.py")


def main() -> int:
    status = 0
    for name in BENCHMARKS:
        script = HERE / name
        if not script.exists():
            print(f"== {name}: not present yet, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        if done.returncode != 0:
            print(f"== {name} FAILED with exit status {done.returncode}", file=sys.stderr, flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
