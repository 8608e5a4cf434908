"""The event, its tickers, groups, benchmarks and windows: one place, read by everything.

Nothing here is mutable state. Functions elsewhere take these values as defaults and accept others as arguments,
so a notebook can rerun the study for another event by passing different values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: The event: DeepSeek-R1's market shock. Day 0 is the first XNYS session on or after this date.
EVENT_DATE = dt.date(2025, 1, 27)

#: The exchange calendar of US-listed stocks, ETFs and indices, and its timezone.
EXCHANGE_CALENDAR = "XNYS"
EXCHANGE_TIMEZONE = "America/New_York"
#: BTC-USD trades every calendar day; its days are UTC days.
CRYPTO_CALENDAR = "24/7"
CRYPTO_TIMEZONE = "UTC"
CRYPTO_TICKERS = ("BTC-USD",)

#: Estimation window in relative sessions, inclusive: L1 = 240 returns (METHOD.md).
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
#: Benchmarks offered for the market model; RSP (equal-weight S&P 500) is not contaminated by NVDA's ~7 % weight.
BENCHMARKS = ("^GSPC", "^IXIC", "^NDX", "QQQ", "SPY", "RSP", "SOXX", "SMH")

#: Index series: reported as raw returns, z-scores and percentiles, never as abnormal returns.
INDICES = ("^IXIC", "^GSPC", "^DJI", "^NDX")
#: Exchange-traded funds in the cache.
ETFS = ("QQQ", "SPY", "RSP", "SOXX", "SMH")

#: Named peer groups (issue 6).
PEER_GROUPS: dict[str, tuple[str, ...]] = {
    "hardware": ("NVDA", "AVGO", "TSM", "MU", "AMD", "ARM", "ASML", "MRVL", "SMCI"),
    "platforms": ("GOOGL", "META", "MSFT", "AMZN", "AAPL", "ORCL"),
    "power": ("VST", "CEG"),
}

#: The "AI complex": every cached US-listed stock.
AI_COMPLEX = tuple(
    sorted({t for group in PEER_GROUPS.values() for t in group}, key=lambda t: (t != "NVDA", t))
)

#: The tickers the articles name.
HEADLINE_TICKERS = ("NVDA", "GOOGL", "META", "^IXIC")

#: Events near day 0 that contaminate wide windows (METHOD.md, plus the Calpine deal, which moves the power group's
#: AR path at its first session). Keys are relative sessions.
CONFOUNDS: dict[int, str] = {
    -10: "CEG agrees to buy Calpine (10 Jan 2025; CEG +25 %)",
    -4: "Stargate announced (21 Jan 2025)",
    2: "FOMC decision; MSFT and META earnings after the close (29 Jan 2025)",
    3: "AAPL earnings after the close (30 Jan 2025)",
    6: "GOOGL earnings after the close (4 Feb 2025)",
}

def confounds_for(day0) -> dict[int, str]:
    """The confounding events of :data:`CONFOUNDS` when ``day0`` is the configured event's day 0, else none
    (relative sessions mean nothing for another event)."""
    return dict(CONFOUNDS) if pd.Timestamp(day0).date() == EVENT_DATE else {}


#: Market capitalisation figures reported at the time, for the value-lost comparison.
REPORTED_NVDA_LOSS_USD = {
    "Bloomberg": 589e9,
    "Reuters/LSEG (about)": 593e9,
}


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


@dataclass(frozen=True)
class EventConfig:
    """Everything that defines one event study, with the DeepSeek shock as the default."""

    event_date: dt.date = EVENT_DATE
    tickers: tuple[str, ...] = AI_COMPLEX
    benchmark: str = DEFAULT_BENCHMARK
    estimation_window: tuple[int, int] = ESTIMATION_WINDOW
    event_windows: tuple[tuple[int, int], ...] = EVENT_WINDOWS
    ar_path: tuple[int, int] = AR_PATH
    peer_groups: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(PEER_GROUPS))
