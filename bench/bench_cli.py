"""Interactive commands, timed as a user feels them: the whole process, warm (``make bench``).

Each command runs ``REPEATS`` times after one warm-up run (which fills the OS file cache, the cache's record of
checked files ``data/.verified.json`` and the memo of the exchange calendar's sessions), with the package's bytecode
compiled first (``make`` does this too: with PYTHONDONTWRITEBYTECODE set, Python would otherwise compile every module
of the package on every start); the median wall time and the median CPU time (user + system) of the child
process are printed. The target is under 0.5 s of wall time for ``study``, ``claims`` and ``moves`` on two idle cores.
On a loaded machine the wall time grows with the load, while the CPU time stays close to what an idle machine would
show; both are printed, with the load average, so that a reader can tell the two apart.

Also printed: the time of ``python -c "import pandas"``, the floor under every command, which no change to the
package can remove.
"""

from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5
COMMANDS = {
    "study --json": ["-m", "analysis", "study", "--json"],
    "claims": ["-m", "analysis", "claims"],
    "moves": ["-m", "analysis", "moves"],
    "pandas import (floor)": ["-c", "import pandas"],
}


def _time_once(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    compileall.compile_dir(ROOT / "analysis", quiet=1)
    print(f"whole-process times, warm, median of {REPEATS} (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")
    for name, argv in COMMANDS.items():
        _time_once(argv)  # warm-up
        runs = [_time_once(argv) for _ in range(REPEATS)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        key = "pandas_import" if name.startswith("pandas") else f"cli_{name.split()[0]}"
        print(f"{key}_seconds: wall {wall:.2f}  cpu {cpu:.2f}  ({name})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
