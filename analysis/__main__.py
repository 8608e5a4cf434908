"""``python -m analysis``: see :mod:`analysis.cli`."""

import sys

try:
    from .cli import main

    sys.exit(main())
except KeyboardInterrupt:  # Ctrl-C while the modules load
    print("interrupted (Ctrl-C); the cache is unchanged.", file=sys.stderr)
    sys.exit(130)
