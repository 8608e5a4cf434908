"""The house defaults of the method (docs/METHOD.md) and the project's folders: one place, read by everything.

Nothing about any one event stands here: an event is a file in ``events/`` (:mod:`analysis.events`), and these are
the defaults it takes for the keys it leaves out. Nothing here is mutable state.
"""

from __future__ import annotations

from pathlib import Path


#: The exchange calendar of US-listed stocks, ETFs and indices, and its timezone.
EXCHANGE_CALENDAR = "XNYS"
EXCHANGE_TIMEZONE = "America/New_York"
#: BTC-USD trades every calendar day; its days are UTC days.
CRYPTO_CALENDAR = "24/7"
CRYPTO_TIMEZONE = "UTC"
CRYPTO_TICKERS = ("BTC-USD",)

#: Estimation window in relative sessions, inclusive: L1 = 240 returns (docs/METHOD.md).
ESTIMATION_WINDOW = (-250, -11)
#: The fewest usable estimation returns a model may be fitted on.
MIN_ESTIMATION_RETURNS = 200
#: Event windows reported for every firm and group, inclusive, in relative sessions.
EVENT_WINDOWS = ((0, 0), (0, 1), (-1, 1))
#: Shown only with the confound warning below.
WIDE_WINDOW = (-5, 5)
#: The abnormal-return path that charts draw.
AR_PATH = (-10, 10)

#: Default benchmark of the market model.
DEFAULT_BENCHMARK = "^GSPC"

#: Index series: reported as raw returns, z-scores and percentiles, never as abnormal returns.
INDICES = ("^IXIC", "^GSPC", "^DJI", "^NDX")
#: Exchange-traded funds in the cache.
ETFS = ("QQQ", "SPY", "RSP", "SOXX", "SMH")

def find_project_root(start: Path | str | None = None) -> Path:
    """Return the folder holding ``pyproject.toml``, looking upward from ``start``.

    Notebooks call this so that they work whatever the working directory.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "analysis").is_dir():
            return folder
    # Fall back on the package's own location (an editable install inside the project).
    package_root = Path(__file__).resolve().parent.parent
    if (package_root / "pyproject.toml").is_file():
        return package_root
    raise FileNotFoundError(f"no pyproject.toml above {here}; run from inside the project")


def default_data_dir() -> Path:
    """The project's cache folder, ``<root>/data``."""
    return find_project_root(Path(__file__).parent) / "data"


def memo_dir() -> Path:
    """Where the package keeps what it can rebuild at any time from its own dependencies (never market data):
    ``$ANALYSIS_MEMO_DIR`` when set, else ``<root>/build/.memo`` (``make clean`` removes it), else the user's cache
    folder. Today it holds the exchange calendar's sessions (:mod:`analysis.calendar`)."""
    import os

    if os.environ.get("ANALYSIS_MEMO_DIR"):
        return Path(os.environ["ANALYSIS_MEMO_DIR"])
    try:
        return find_project_root(Path(__file__).parent) / "build" / ".memo"
    except FileNotFoundError:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deepseek-event-study"
