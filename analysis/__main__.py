"""``python -m analysis``: see :mod:`analysis.cli`."""

import os
import sys

# The command line's matrices are small (a few hundred returns by a few regressors): OpenBLAS's worker threads only
# spin against the main thread, costing a fifth of a command's time on two cores. Set before numpy loads; a value the
# user exported wins, and the notebook kernels of `run` inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    from .cli import main

    sys.exit(main())
except KeyboardInterrupt:  # Ctrl-C while the modules load
    print("interrupted (Ctrl-C); the cache is unchanged.", file=sys.stderr)
    sys.exit(130)
