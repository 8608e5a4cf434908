"""The claim checker: every market figure quoted in the seed articles, with a reproducible verdict.

Three parts, in the order the data flows:

1. **The registry** (``data/claims.csv``, read by :func:`load_registry`): one row per market claim in ``seeds/``.
2. **The scanner** (:func:`scan_seeds`): reads ``seeds/`` and lists every percentage, and every word of a price move
   that sits near a market name. :func:`unaccounted_findings` returns what the scanner found that neither the
   registry holds nor ``data/claims_excluded.csv`` excludes; the tests require it to be empty.
3. **The verdicts** (:func:`verdict`, a pure function on numbers, and :func:`check_claims`, which reads the cache).

The registry, ``data/claims.csv``
---------------------------------
UTF-8, comma-separated, one header line, no comments. Columns:

``id``
    A short unique slug (``[a-z0-9_]+``), for example ``nvda``.
``seed``
    The seed file that holds the quote, a bare file name such as ``002_244939996ee0344e.txt``.
``quote``
    The verbatim French words, byte for byte as in the seed (typographic apostrophes ``’``, non-breaking spaces
    and all). A test fails when a quote is not found in its seed.
``subject``
    What the quote is about, in words (``Nvidia``, ``Nasdaq Composite``).
``ticker``
    The cached series the claim is checked against. Where the words need a proxy (``la bourse US``) the proxy is
    named in ``note``.
``claimed_pct``
    The claimed change in percent, as text with a dot for the decimal mark and the digits exactly as printed
    (``-11.64``, ``-2``). Empty for a claim that gives only a direction. The tolerance is derived from this text,
    never from a float: half a unit of the last digit quoted (``-11.64`` -> 0.005 pp, ``-2`` -> 0.5 pp). The number
    must appear among the percentages of the quote.
``direction``
    ``down`` or ``up``; it must agree with the sign of ``claimed_pct``.
``event_date``
    The date the claim refers to, ``YYYY-MM-DD``. Day 0 is the first session on or after it in the ticker's own
    calendar (XNYS, or every calendar day for BTC-USD).
``note``
    Free text: the proxy chosen, how the date was read ("lundi" -> 27 Jan 2025), a companion row.
``intraday_proxy`` (optional, last)
    A cached series whose intraday bars stand in for the claim's ticker when that has none (``QQQ`` for the
    Nasdaq-100, whose index bars no source has). Empty for most rows; the ``intraday`` object labels it a proxy.

The exclusions, ``data/claims_excluded.csv``
-------------------------------------------
Same conventions. Columns ``id``, ``seed``, ``quote`` (verbatim, as above) and ``reason`` (why the figure or word is
not a market claim, for example a tariff rate or a usage share). Every scanner finding inside an excluded quote is
accounted for.

Verdicts
--------
All changes are against the **previous raw close**: the previous XNYS session for US series, the previous calendar
day for BTC-USD (its days are UTC days). ``close_pct`` = close/prev − 1, ``open_pct`` = open/prev − 1 (the opening
gap), ``low_pct`` and ``high_pct`` = low/prev − 1 and high/prev − 1, all in percent. A claim with a number gets the
first verdict that holds, in this order (:data:`VERDICT_MEANINGS` says each in plain words):
``matches_close``, ``matches_open``, ``intraday``, ``outside_range``; a direction-only claim gets
``direction_confirmed`` or ``direction_contradicted``; ``no_data`` when the ticker is not cached or a field the
decision needs is missing (^NDX and RSP have closes only). No value is ever invented.

``close_basis`` says what ``close`` is in the source (:data:`CLOSE_BASIS_MEANINGS`): ``raw`` (the close newspapers
quote), ``adjusted`` (split- and dividend-adjusted: the ratio of two closes is right except across a dividend) or
``split_adjusted`` (raw except for splits: right except across a split).

Flags beside the verdict: ``sign_differs_from_close`` (the close moved against the claimed sign; an unchanged close
counts as differing), ``down_during_day`` (low < previous close: down at some time in the day) and
``direction_during_day`` (the claimed direction was seen at some time in the day: the low for ``down``, the high for
``up``). ``note`` repeats the registry's note; ``data_note`` says what the checker found (a missing field, a short
estimation window, a date that is not a session).

Comparing at the tolerance boundary
-----------------------------------
A percentage computed from prices carries a floating-point error of about 1e-13 pp, so a value that is *exactly* at
the boundary on paper can land a hair either side of it (``abs(-11.64 - -11.635)`` is ``0.005000000000000782`` in
binary floating point). :func:`within_tolerance` therefore counts ``|claim − observed| ≤ tol + 1e-9 pp`` as inside.
The slack, :data:`FLOAT_SLACK_PCT`, is five orders of magnitude below the smallest tolerance a quote with up to four
decimals can have, so it decides only the float-rounding ties and never a real difference.

The size of the move
--------------------
Words such as "plongent" or "baisses significatives" claim a size as well as a direction. Every row therefore gets

``z``
    The day-0 close-to-close return divided by the standard deviation (ddof = 1) of the series' daily returns over
    the estimation window tau in [−250, −11] of its own calendar (sessions; calendar days for BTC-USD). Returns are
    simple returns of ``adj_close`` where the series has it, else of ``close`` -- the same returns the event study uses.
``n_estimation_days``
    How many returns the sd rests on: 240 for US series; fewer for BTC-USD, whose history starts on 2024-10-08 (the
    row's ``note`` says so).
``ar_t``, ``ar_p``
    For stocks only: the day-0 market-model abnormal-return t statistic and its two-sided p, against ^GSPC, from
    :class:`analysis.eventstudy.EventStudy` (see :func:`market_model_ar_t`).
``significant``, ``significance_basis``
    Significant at 5 %, two-sided: ``ar_p < 0.05`` for stocks, ``|z| >= 1.96`` otherwise; the basis names which.
``significant_in_claimed_direction``
    Significant, and the statistic (AR t or z) has the claimed sign: META's day-0 AR is significant but positive,
    so "baisses significatives" is not borne out for it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import calendar_for, event_day0, to_date
from .config import (
    CRYPTO_CALENDAR,
    DEFAULT_BENCHMARK,
    ESTIMATION_WINDOW,
    ETFS,
    INDICES,
    MIN_ESTIMATION_RETURNS,
    default_data_dir,
    find_project_root,
)
from .errors import (
    AnalysisError,
    ClaimsRegistryError,
    DataGapError,
    EventDateError,
    UnknownTickerError,
    WindowError,
)
from .returns import raw_day_moves, simple_returns

# --------------------------------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------------------------------

#: Columns of ``data/claims.csv``, in order.
REGISTRY_COLUMNS = ("id", "seed", "quote", "subject", "ticker", "claimed_pct", "direction", "event_date", "note")
#: Optional trailing columns of ``data/claims.csv`` (a registry without them is read as if they were empty).
REGISTRY_OPTIONAL_COLUMNS = ("intraday_proxy",)
#: Columns of ``data/claims_excluded.csv``, in order.
EXCLUSION_COLUMNS = ("id", "seed", "quote", "reason")
#: File names inside the data folder.
REGISTRY_FILE = "claims.csv"
EXCLUSIONS_FILE = "claims_excluded.csv"

DIRECTIONS = ("down", "up")

#: Every verdict, in the order they are tried, with its meaning in plain words (for the notebook and the table).
VERDICT_MEANINGS: dict[str, str] = {
    "matches_close": "The quoted figure is the day's close-to-close change, within half a unit of its last digit.",
    "matches_open": "The quoted figure is the opening gap (open vs the previous close): a snapshot at the open.",
    "intraday": "The quoted figure lies inside the day's low-high range but is not the close: a snapshot taken "
                "during the day.",
    "outside_range": "The quoted figure lies outside the day's whole low-high range: the series never was there "
                     "that day.",
    "direction_confirmed": "A claim without a number; the day's close moved the way it says.",
    "direction_contradicted": "A claim without a number; the day's close moved the other way (or not at all).",
    "no_data": "The ticker is not cached, or a field the decision needs (open, low, high) is missing; nothing is "
               "invented.",
}
VERDICTS = tuple(VERDICT_MEANINGS)

#: What ``close`` means per series (data/SOURCES.md), in plain words.
CLOSE_BASIS_MEANINGS: dict[str, str] = {
    "raw": "raw close, as newspapers quote it",
    "adjusted": "split- and dividend-adjusted prices: changes equal raw ones except across a dividend",
    "split_adjusted": "split-adjusted, not dividend-adjusted: changes equal raw ones except across a split",
}

#: Slack (in percentage points) added to every tolerance comparison; see "Comparing at the tolerance boundary".
FLOAT_SLACK_PCT = 1e-9

#: Two-sided 5 % critical value of the standard normal, for ``|z|``.
Z_CRITICAL_5PCT = 1.959963984540054
SIGNIFICANCE_LEVEL = 0.05

# Characters that count as spaces inside a French number ("1,2 %", "1 000"): space, no-break, narrow no-break, thin.
_SPACES = " \u00a0\u202f\u2009"
_SIGNS = "+\\-\u2212\u2013"  # plus, hyphen-minus, minus sign, en dash
_NUMBER = rf"\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
#: A percentage in French or English typography: "11.64%", "1,2 %", "3.6\u00a0%", "−2,5 %", "10 pour cent".
PERCENT_PATTERN = re.compile(
    rf"(?<![\w.,])(?:(?P<sign>[{_SIGNS}])[{_SPACES}]?)?(?P<number>{_NUMBER})[{_SPACES}]?"
    rf"(?P<unit>%|pour[{_SPACES}]?cents?\b|pourcents?\b)",
    re.IGNORECASE,
)

#: Names of markets, indices and cached companies, as the French press writes them.
MARKET_NAME_PATTERN = re.compile(
    r"\b(?:Nvidia|Alphabet|Google|Meta|Oracle|Microsoft|Apple|Amazon|Broadcom|TSMC|AMD|ASML|Micron|Marvell|"
    r"Nasdaq|S&P(?:\s?500)?|Dow(?:\sJones)?|Wall\sStreet(?!\sJournal)|bourses?|march[ée]s?|actions?|titres?|"
    r"indices?|cryptos?(?:-?monnaies?)?|bitcoins?|BTC|capitalisations?)(?!\w)",
    re.IGNORECASE,
)

#: Words of a price move (French): falls, rises, and "shaking" the markets.
MOVE_WORD_PATTERN = re.compile(
    r"\b(?:plong\w*|chut\w*|baiss\w*|recul\w*|repli\w*|d[ée]gringol\w*|effondr\w*|[ée]croul\w*|d[ée]croch\w*|"
    r"d[ée]viss\w*|perd\w*|pertes?|hausses?|grimp\w*|bondi\w*|rebond\w*|envol\w*|flamb\w*|progress\w*|"
    r"bouscul\w*|secou\w*|secousses?|krach\w*)(?!\w)",
    re.IGNORECASE,
)

#: How far (characters, either side) a figure or move word may sit from a market name to count as "near".
NEAR_CHARS = 160

_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
_SEED_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+\.txt$")
_CLAIM_NUMBER_PATTERN = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_TICKER_PATTERN = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")


# --------------------------------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------------------------------

def default_registry_path() -> Path:
    """``<project>/data/claims.csv``."""
    return default_data_dir() / REGISTRY_FILE


def default_exclusions_path() -> Path:
    """``<project>/data/claims_excluded.csv``."""
    return default_data_dir() / EXCLUSIONS_FILE


def default_seeds_dir() -> Path:
    """``<project>/seeds``."""
    return find_project_root(Path(__file__).parent) / "seeds"


# --------------------------------------------------------------------------------------------------------------------
# Numbers as text
# --------------------------------------------------------------------------------------------------------------------

def parse_percent_number(text: str) -> Decimal:
    """The value of a number as printed, French or English style, as an exact :class:`~decimal.Decimal`.

    Handles a comma or a dot as the decimal mark, spaces (including no-break and narrow no-break spaces) as
    thousands separators, and ``+``, ``-``, ``−`` (U+2212) or ``–`` as the sign. A comma is always read as a decimal
    mark (French usage), so ``"2,000"`` is 2.000.

    Examples
    --------
    >>> parse_percent_number("−1,2")
    Decimal('-1.2')
    """
    cleaned = text.strip()
    for space in _SPACES:
        cleaned = cleaned.replace(space, "")
    cleaned = cleaned.replace("\u2212", "-").replace("\u2013", "-").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number") from exc


def tolerance_from_text(text: str) -> float:
    """Half a unit of the last digit of a number as printed, in the number's own unit.

    Derived from the text, never from a float, so that ``"-2.50"`` (0.005) and ``"-2.5"`` (0.05) differ.

    Examples
    --------
    >>> tolerance_from_text("-11.64"), tolerance_from_text("-3.6"), tolerance_from_text("-2")
    (0.005, 0.05, 0.5)
    """
    value = parse_percent_number(text)
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{text!r} is not a finite number")
    return float(Decimal(5).scaleb(exponent - 1))


# --------------------------------------------------------------------------------------------------------------------
# The registry and the exclusions
# --------------------------------------------------------------------------------------------------------------------

def _read_table(path: Path, columns: Sequence[str], what: str) -> pd.DataFrame:
    if not path.is_file():
        raise ClaimsRegistryError(f"the {what} {path} does not exist.",
                                  f"create it with the header {','.join(columns)}.")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ClaimsRegistryError(f"the {what} {path} cannot be read as UTF-8 CSV ({exc}).",
                                  "save it as UTF-8 CSV with one header line and quoted fields.") from exc
    if tuple(table.columns) != tuple(columns):
        raise ClaimsRegistryError(f"the {what} {path} has the columns {list(table.columns)}.",
                                  f"use exactly these columns, in this order: {','.join(columns)}.")
    return table


def _row_error(what: str, row_id: str, problem: str, fix: str) -> ClaimsRegistryError:
    return ClaimsRegistryError(f"{what} row {row_id!r}: {problem}", fix)


def _check_common(table: pd.DataFrame, what: str) -> None:
    seen: set[str] = set()
    for position, row in enumerate(table.itertuples(index=False)):
        row_id = row.id or f"#{position + 1}"
        if not _ID_PATTERN.match(row.id):
            raise _row_error(what, row_id, f"the id {row.id!r} is not a slug.",
                             "use lower-case letters, digits and underscores, for example nvda_002.")
        if row.id in seen:
            raise _row_error(what, row_id, "the id is used twice.", "give each row its own id.")
        seen.add(row.id)
        if not _SEED_PATTERN.match(row.seed) or ".." in row.seed:
            raise _row_error(what, row_id, f"the seed {row.seed!r} is not a bare .txt file name.",
                             "give the file name inside seeds/, for example 002_244939996ee0344e.txt.")
        if not row.quote.strip():
            raise _row_error(what, row_id, "the quote is empty.", "copy the words verbatim from the seed.")


def validate_registry(table: pd.DataFrame) -> pd.DataFrame:
    """Check a registry table and return it with typed columns.

    Parameters
    ----------
    table : pandas.DataFrame
        All columns as text, as read from ``data/claims.csv``.

    Returns
    -------
    pandas.DataFrame
        The same rows, with ``claimed_text`` (the number as printed), ``claimed_pct`` (float, NaN for a direction
        claim), ``tolerance_pct`` (from the text) and ``event_date`` (Timestamp).

    Raises
    ------
    ClaimsRegistryError
        Naming the row id and the fix.
    """
    if tuple(table.columns[: len(REGISTRY_COLUMNS)]) != REGISTRY_COLUMNS:
        raise ClaimsRegistryError(f"the claims registry has the columns {list(table.columns)}.",
                                  f"use exactly these columns, in this order: {','.join(REGISTRY_COLUMNS)}.")
    proxies = (table["intraday_proxy"].astype(str).str.strip().tolist() if "intraday_proxy" in table.columns
               else [""] * len(table))
    table = table.loc[:, list(REGISTRY_COLUMNS)].astype(str).reset_index(drop=True)
    what = "claims registry"
    for row_id, proxy in zip(table["id"], proxies):
        if proxy and not _TICKER_PATTERN.match(proxy):
            raise _row_error(what, row_id, f"the intraday_proxy {proxy!r} is not a symbol.",
                             "name a series with cached intraday bars, e.g. QQQ, or leave it empty.")
    _check_common(table, what)
    claimed_values: list[float] = []
    tolerances: list[float] = []
    event_dates: list[pd.Timestamp] = []
    for row in table.itertuples(index=False):
        if not row.subject.strip():
            raise _row_error(what, row.id, "the subject is empty.", "say what the quote is about, e.g. Nvidia.")
        if not _TICKER_PATTERN.match(row.ticker):
            raise _row_error(what, row.id, f"the ticker {row.ticker!r} is not a symbol.",
                             "use a cached Yahoo symbol such as NVDA, ^IXIC or BTC-USD.")
        if row.direction not in DIRECTIONS:
            raise _row_error(what, row.id, f"the direction {row.direction!r} is not one of {DIRECTIONS}.",
                             "write down or up.")
        text = row.claimed_pct.strip()
        if text:
            if not _CLAIM_NUMBER_PATTERN.match(text):
                raise _row_error(what, row.id, f"claimed_pct {text!r} is not a plain number.",
                                 "write it with a dot for the decimal mark and an ASCII minus, e.g. -11.64; "
                                 "leave it empty for a claim without a number.")
            value = Decimal(text)
            if value == 0 or (value < 0) != (row.direction == "down"):
                raise _row_error(what, row.id, f"claimed_pct {text} disagrees with the direction {row.direction!r}.",
                                 "a fall is negative with direction down, a rise positive with direction up.")
            quoted = [m.group("number") for m in PERCENT_PATTERN.finditer(row.quote)]
            as_printed = {parse_percent_number(q).copy_abs() for q in quoted}
            # Compare the digits as printed (Decimal keeps trailing zeros: 2.50 != 2.5 in its tuple form).
            if not any(str(abs(value)) == str(q) for q in as_printed):
                raise _row_error(what, row.id,
                                 f"claimed_pct {text} is not among the percentages of the quote {quoted}.",
                                 "copy the number with exactly the digits printed in the quote, so that the "
                                 "tolerance follows the quoted precision.")
            claimed_values.append(float(value))
            tolerances.append(tolerance_from_text(text))
        else:
            claimed_values.append(math.nan)
            tolerances.append(math.nan)
        try:
            event_dates.append(pd.Timestamp(dt.date.fromisoformat(row.event_date)))
        except ValueError as exc:
            raise _row_error(what, row.id, f"the event date {row.event_date!r} is not YYYY-MM-DD.",
                             "write the date the claim refers to, e.g. YYYY-MM-DD for the session a weekday such as 'lundi' names.") from exc
    out = table.rename(columns={"claimed_pct": "claimed_text"})
    out.insert(out.columns.get_loc("claimed_text") + 1, "claimed_pct", claimed_values)
    out.insert(out.columns.get_loc("claimed_pct") + 1, "tolerance_pct", tolerances)
    out["event_date"] = pd.DatetimeIndex(event_dates).as_unit("ns")
    out["intraday_proxy"] = proxies
    return out


def load_registry(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the claims registry.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``<project>/data/claims.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per claim; see :func:`validate_registry` for the columns added.

    Raises
    ------
    ClaimsRegistryError
        When the file is missing or malformed, naming the row id and the fix.
    """
    path = Path(path) if path is not None else default_registry_path()
    columns = REGISTRY_COLUMNS
    if path.is_file():
        with open(path, encoding="utf-8", errors="replace") as handle:
            header = tuple(handle.readline().strip().lstrip("\ufeff").split(","))
        if header == REGISTRY_COLUMNS + REGISTRY_OPTIONAL_COLUMNS:
            columns = header
    return validate_registry(_read_table(path, columns, "claims registry"))


def load_exclusions(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the exclusions: quotes with figures or move words that are not market claims.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``<project>/data/claims_excluded.csv``.

    Raises
    ------
    ClaimsRegistryError
        When the file is missing or malformed, or a row has no reason.
    """
    path = Path(path) if path is not None else default_exclusions_path()
    table = _read_table(path, EXCLUSION_COLUMNS, "exclusions file")
    _check_common(table, "exclusions file")
    for row in table.itertuples(index=False):
        if not row.reason.strip():
            raise _row_error("exclusions file", row.id, "the reason is empty.",
                             "say why the figure is not a market claim (e.g. a tariff rate).")
    return table


def read_seeds(seeds_dir: Path | str | None = None) -> dict[str, str]:
    """The seed articles as ``{file name: text}``, read as UTF-8 without any newline translation."""
    folder = Path(seeds_dir) if seeds_dir is not None else default_seeds_dir()
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise ClaimsRegistryError(f"no seed articles (*.txt) in {folder}.",
                                  "copy the seeds byte for byte from the shared folder into seeds/.")
    return {f.name: f.read_bytes().decode("utf-8") for f in files}


def _quote_hint(quote: str, text: str) -> str:
    table = str.maketrans({"\u2019": "'", "\u00a0": " ", "\u202f": " ", "\u2212": "-"})
    if quote.translate(table) in text.translate(table):
        return ("the words are there, but with other apostrophes, spaces or minus signs: copy them byte for byte "
                "(the seed uses ’ U+2019 and may use no-break spaces).")
    return "copy the quote verbatim from the seed (same accents, apostrophes and spaces), or fix the seed name."


def locate_quotes(table: pd.DataFrame, seeds_dir: Path | str | None = None) -> pd.DataFrame:
    """Find each row's quote verbatim in its seed; return the table with ``start`` and ``end`` offsets.

    Works on the registry and on the exclusions alike. The first occurrence is used.

    Raises
    ------
    ClaimsRegistryError
        When a seed file is missing or a quote is not found verbatim, naming the row id and the fix.
    """
    texts = read_seeds(seeds_dir)
    starts, ends = [], []
    for row in table.itertuples(index=False):
        if row.seed not in texts:
            raise ClaimsRegistryError(f"row {row.id!r}: the seed {row.seed!r} is not in seeds/ ({sorted(texts)}).",
                                      "fix the file name in the registry.")
        position = texts[row.seed].find(row.quote)
        if position < 0:
            raise ClaimsRegistryError(f"row {row.id!r}: the quote {row.quote!r} is not found verbatim in "
                                      f"{row.seed}.", _quote_hint(row.quote, texts[row.seed]))
        starts.append(position)
        ends.append(position + len(row.quote))
    out = table.copy()
    out["start"] = starts
    out["end"] = ends
    return out


# --------------------------------------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------------------------------------

#: Columns of :func:`scan_text` and :func:`scan_seeds`.
SCAN_COLUMNS = ("seed", "kind", "text", "value_pct", "market_name", "start", "end", "context")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý])|\n")


def _nearest_market_name(text: str, start: int, end: int) -> str | None:
    """The market name a figure or word refers to: the nearest one before it in the same sentence (French puts the
    subject first: "Alphabet a chuté de 2.89 %"), else the nearest one within :data:`NEAR_CHARS` either side."""
    lo, hi = max(0, start - NEAR_CHARS), min(len(text), end + NEAR_CHARS)
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, lo, start)), default=lo)
    before = list(MARKET_NAME_PATTERN.finditer(text, sentence_start, start))
    if before:
        return before[-1].group(0)
    best: tuple[int, str] | None = None
    for match in MARKET_NAME_PATTERN.finditer(text, lo, hi):
        distance = max(match.start() - end, start - match.end(), 0)
        if best is None or distance < best[0]:
            best = (distance, match.group(0))
    return None if best is None else best[1]


def scan_text(text: str, seed: str = "<text>") -> pd.DataFrame:
    """List the market figures and moves in one text.

    Every percentage is listed (kind ``figure``), with the market name it seems to refer to (the nearest one before
    it in its sentence, else the nearest within :data:`NEAR_CHARS` characters either side), or ``None``: a
    percentage is the likeliest form of a market figure, so none is left out. A word of a price move (kind ``move``:
    "chuté", "plongent", "baisses") is listed only when a market name sits within :data:`NEAR_CHARS` of it.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, kind, text, value_pct, market_name, start, end, context``; ``value_pct`` is the signed value
        of a figure (NaN for a move), ``start``/``end`` are character offsets.
    """
    rows = []
    for match in PERCENT_PATTERN.finditer(text):
        number = parse_percent_number((match.group("sign") or "") + match.group("number"))
        rows.append((seed, "figure", match.group(0), float(number), _nearest_market_name(text, *match.span()),
                     *match.span()))
    for match in MOVE_WORD_PATTERN.finditer(text):
        name = _nearest_market_name(text, *match.span())
        if name is not None:
            rows.append((seed, "move", match.group(0), math.nan, name, *match.span()))
    rows.sort(key=lambda r: r[5])
    frame = pd.DataFrame(rows, columns=list(SCAN_COLUMNS[:-1]))
    frame["value_pct"] = frame["value_pct"].astype(float)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["context"] = [text[max(0, s - 60): e + 60].replace("\n", " ") for s, e in zip(frame["start"], frame["end"])]
    return frame


def scan_seeds(seeds_dir: Path | str | None = None) -> pd.DataFrame:
    """Run :func:`scan_text` over every seed article in ``seeds_dir`` (default ``<project>/seeds``)."""
    frames = [scan_text(text, name) for name, text in read_seeds(seeds_dir).items()]
    return pd.concat(frames, ignore_index=True)


def unaccounted_findings(
    findings: pd.DataFrame | None = None,
    registry: pd.DataFrame | None = None,
    exclusions: pd.DataFrame | None = None,
    seeds_dir: Path | str | None = None,
) -> pd.DataFrame:
    """The scanner's findings that no registry quote holds and no exclusion covers.

    A finding is accounted for when its characters lie inside a registry or exclusion quote of the same seed.
    The tests require the result to be empty.
    """
    findings = scan_seeds(seeds_dir) if findings is None else findings
    registry = load_registry() if registry is None else registry
    exclusions = load_exclusions() if exclusions is None else exclusions
    spans = pd.concat([locate_quotes(registry, seeds_dir)[["seed", "start", "end"]],
                       locate_quotes(exclusions, seeds_dir)[["seed", "start", "end"]]], ignore_index=True)
    covered = []
    for row in findings.itertuples(index=False):
        same = spans[spans["seed"] == row.seed]
        covered.append(bool(((same["start"] <= row.start) & (same["end"] >= row.end)).any()))
    return findings[~np.array(covered, dtype=bool)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------------
# The verdict (pure functions on numbers)
# --------------------------------------------------------------------------------------------------------------------

def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def within_tolerance(claimed_pct: float, observed_pct: float, tolerance_pct: float) -> bool:
    """``|claimed − observed| ≤ tolerance``, robust to float rounding at the boundary.

    A difference that is exactly the tolerance on paper counts as inside even when binary floating point puts it
    1e-15 pp above; the slack :data:`FLOAT_SLACK_PCT` (1e-9 pp) is far below any quoted precision.
    """
    return abs(claimed_pct - observed_pct) <= tolerance_pct + FLOAT_SLACK_PCT


def verdict(
    claimed_pct: float | None,
    tolerance_pct: float | None,
    close_pct: float | None,
    open_pct: float | None = None,
    low_pct: float | None = None,
    high_pct: float | None = None,
    direction: str = "down",
) -> str:
    """The verdict on one quoted move, from numbers only (all in percent vs the previous close).

    Parameters
    ----------
    claimed_pct : float or None
        The quoted change; ``None``/NaN for a claim that gives only a direction.
    tolerance_pct : float or None
        Half a unit of the quoted last digit (:func:`tolerance_from_text`); ignored for a direction claim.
    close_pct, open_pct, low_pct, high_pct : float or None
        The day's close-to-close change, opening gap, low and high, vs the previous close. ``None``/NaN = missing.
    direction : {"down", "up"}
        The claimed direction (used for a direction claim).

    Returns
    -------
    str
        One of :data:`VERDICTS`. For a claim with a number, the first that holds of ``matches_close``,
        ``matches_open``, ``intraday`` (inside [low − tol, high + tol]) and ``outside_range``. ``no_data`` when a
        field needed to decide is missing. Without the open, a claim outside the widened range is still
        ``outside_range`` (the open always lies within [low, high], so it cannot match either); inside it, the
        verdict cannot tell ``matches_open`` from ``intraday`` and is ``no_data``.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if _missing(close_pct):
        return "no_data"
    if _missing(claimed_pct):
        moved = close_pct < 0 if direction == "down" else close_pct > 0
        return "direction_confirmed" if moved else "direction_contradicted"
    if _missing(tolerance_pct):
        raise ValueError("a claim with a number needs its tolerance (tolerance_from_text)")
    if within_tolerance(claimed_pct, close_pct, tolerance_pct):
        return "matches_close"
    if _missing(low_pct) or _missing(high_pct):
        return "no_data"
    inside = (low_pct - tolerance_pct - FLOAT_SLACK_PCT <= claimed_pct <= high_pct + tolerance_pct + FLOAT_SLACK_PCT)
    if _missing(open_pct):
        return "no_data" if inside else "outside_range"
    if within_tolerance(claimed_pct, open_pct, tolerance_pct):
        return "matches_open"
    return "intraday" if inside else "outside_range"


def sign_differs(claimed_pct: float | None, close_pct: float | None, direction: str = "down") -> bool | None:
    """Whether the close moved against the claim's sign (an unchanged close counts as differing).

    For a direction claim the sign is the direction's. ``None`` when the close is missing.
    """
    if _missing(close_pct):
        return None
    sign = (-1 if direction == "down" else 1) if _missing(claimed_pct) else int(np.sign(claimed_pct))
    return bool(np.sign(close_pct) != sign)


# --------------------------------------------------------------------------------------------------------------------
# Reading one series on one day
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayMove:
    """One series on day 0, against its previous close, in percent (NaN where a field is missing)."""

    day0: pd.Timestamp | None
    previous_date: pd.Timestamp | None
    close_pct: float = math.nan
    open_pct: float = math.nan
    low_pct: float = math.nan
    high_pct: float = math.nan
    note: str | None = None


def day_move(prices: pd.DataFrame, event_date: pd.Timestamp, calendar: str) -> DayMove:
    """Day 0's close, open, low and high against the previous close of ``prices``.

    Day 0 is the first session of ``calendar`` on or after ``event_date``; the previous close is that of the
    calendar's previous session (the previous calendar day on ``24/7``), which must be the row just before day 0.
    Nothing is filled in: a missing row or field gives NaN and a note.
    """
    note_parts = []
    try:
        mapped = event_day0(event_date, calendar)
    except EventDateError as exc:
        return DayMove(None, None, note=str(exc))
    day0 = mapped.session
    if mapped.note:
        note_parts.append(mapped.note)
    try:
        raw = raw_day_moves(prices, day0, calendar)
    except DataGapError as exc:
        note_parts.append(exc.message[0].upper() + exc.message[1:])
        return DayMove(day0, None, note=" ".join(note_parts))
    move = {name: 100.0 * value for name, value in raw.items() if name != "previous_close"}
    previous_date = prices.index[prices.index.get_loc(day0) - 1]
    missing = [name for name in ("close", "open", "low", "high") if math.isnan(move[name])]
    if missing:
        note_parts.append(f"The source has no {', '.join(missing)} for this day (or no previous close).")
    return DayMove(day0, previous_date, move["close"], move["open"], move["low"], move["high"],
                   " ".join(note_parts) or None)


@dataclass(frozen=True)
class MoveSize:
    """The size of the day-0 move against the series' own estimation-window volatility."""

    return_pct: float
    sd_pct: float
    z: float
    n_estimation_days: int
    note: str | None = None


def move_size(
    returns: pd.Series,
    day0: pd.Timestamp,
    calendar: str,
    window: tuple[int, int] = ESTIMATION_WINDOW,
) -> MoveSize:
    """``z`` = day-0 return / sd(ddof=1) of the returns over ``window`` (relative rows of the series' calendar).

    The rows of ``returns`` are the series' own days: XNYS sessions, or calendar days for BTC-USD. When the history
    is shorter than the window, the days available are used and ``note`` says how many. The numbers come from
    :func:`analysis.eventstudy.index_reaction`, the one place that computes such a z.
    """
    from .eventstudy import index_reaction

    if day0 not in returns.index:
        return MoveSize(math.nan, math.nan, math.nan, 0, f"No return on day 0 ({day0.date()}).")
    r0 = float(returns.loc[day0])
    try:
        reaction = index_reaction(returns, day0, window, min_estimation_returns=2)
    except WindowError:
        return MoveSize(r0 * 100, math.nan, math.nan, 0, "Fewer than 2 estimation returns in the window: no z.")
    n = reaction["n_estimation"]
    wanted = window[1] - window[0] + 1
    note = None
    if n < wanted:
        unit = "calendar days" if calendar == CRYPTO_CALENDAR else "sessions"
        position = returns.index.get_loc(day0)
        start = returns.index[position + window[1] - n + 1].date()
        note = (f"Only {n} of the {wanted} estimation {unit} tau in [{window[0]}, {window[1]}] are in the data "
                f"(from {start}); z uses those.")
        if n < MIN_ESTIMATION_RETURNS:
            note += f" That is below the {MIN_ESTIMATION_RETURNS} the method asks of a model: read z with care."
    sd = reaction["sd"]
    return MoveSize(r0 * 100, sd * 100, reaction["z"] if sd > 0 else math.nan, n, note)


def market_model_ar_t(
    returns: pd.DataFrame,
    benchmark: pd.Series,
    day0: pd.Timestamp,
    benchmark_name: str = DEFAULT_BENCHMARK,
    estimation_window: tuple[int, int] = ESTIMATION_WINDOW,
) -> dict[str, tuple[float, float]]:
    """Day-0 market-model abnormal-return t and two-sided p per firm, from :mod:`analysis.eventstudy`.

    This is the only place that calls the event-study engine, so the two numbers are computed in one place.

    Parameters
    ----------
    returns : pandas.DataFrame
        Simple returns of the firms (columns), indexed by session (:func:`analysis.returns.simple_returns`).
    benchmark : pandas.Series
        The benchmark's simple returns on the same sessions.
    day0 : pandas.Timestamp
        The event session.

    Returns
    -------
    dict
        ``{ticker: (t, p)}`` for the window [0, 0].
    """
    from .eventstudy import EventStudy  # imported here: the engine is optional for everything else in this module

    result = EventStudy(returns, day0, model="market", benchmark=benchmark, benchmark_name=benchmark_name,
                        estimation_window=estimation_window, event_windows=((0, 0),), confounds={}).fit()
    day0_car = result.car((0, 0))
    return {ticker: (float(day0_car.at[ticker, "t"]), float(day0_car.at[ticker, "p"])) for ticker in returns.columns}


def is_stock(ticker: str) -> bool:
    """A US-listed stock: not an index, an ETF or crypto (those get ``z`` only)."""
    return ticker not in INDICES and ticker not in ETFS and calendar_for(ticker) != CRYPTO_CALENDAR


# --------------------------------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------------------------------

#: Columns of :meth:`ClaimsCheck.to_frame`, in order.
RESULT_COLUMNS = (
    "id", "seed", "quote", "subject", "ticker", "claimed_pct", "direction", "event_date", "day0", "previous_date",
    "calendar", "close_basis", "tolerance_pct", "close_pct", "open_pct", "low_pct", "high_pct", "verdict",
    "verdict_meaning", "sign_differs_from_close", "down_during_day", "direction_during_day", "z", "n_estimation_days",
    "ar_t", "ar_p", "significant", "significant_in_claimed_direction", "significance_basis", "note", "data_note",
    "intraday",
)


@dataclass(frozen=True)
class ClaimsCheck:
    """Every claim with its verdict: plain data, with the presentation on top.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per claim, columns :data:`RESULT_COLUMNS` (percent columns end in ``_pct``). Use
        :meth:`to_frame` for a copy.
    notes : tuple of str
        Remarks on the whole check (for example when the event-study engine was not available).
    """

    frame: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the results table (numeric, percent columns named ``*_pct``)."""
        return self.frame.copy()

    def to_records(self) -> list[dict]:
        """The JSON-ready list of dicts, one per claim: NaN becomes ``None``, dates ISO strings, numbers Python's."""
        records = []
        for row in self.frame.to_dict(orient="records"):
            clean = {}
            for key, value in row.items():
                if isinstance(value, pd.Timestamp):
                    clean[key] = value.date().isoformat()
                elif value is None or (not isinstance(value, str) and pd.isna(value)):
                    clean[key] = None
                elif isinstance(value, (bool, np.bool_)):
                    clean[key] = bool(value)
                elif isinstance(value, (int, np.integer)):
                    clean[key] = int(value)
                elif isinstance(value, (float, np.floating)):
                    clean[key] = float(value)
                else:
                    clean[key] = value
            records.append(clean)
        return records

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_records` as a JSON array (UTF-8 text, accents kept)."""
        return json.dumps(self.to_records(), ensure_ascii=False, indent=indent)

    def _display_frame(self) -> pd.DataFrame:
        f = self.frame

        def num(value: float, fmt: str = "+.2f") -> str:
            return "n/a" if pd.isna(value) else format(value, fmt)

        def flag(value) -> str:
            return "n/a" if value is None or pd.isna(value) else ("yes" if value else "no")

        claimed = [num(c, "+g") if not pd.isna(c) else d for c, d in zip(f["claimed_pct"], f["direction"])]
        significant = [
            "n/a" if pd.isna(s) else f"{'yes' if s else 'no'} ({'AR t' if str(b).startswith('market') else 'z'})"
            for s, b in zip(f["significant"], f["significance_basis"])
        ]
        return pd.DataFrame({
            "id": f["id"], "ticker": f["ticker"], "claimed": claimed,
            "close": [num(v) for v in f["close_pct"]], "open": [num(v) for v in f["open_pct"]],
            "low": [num(v) for v in f["low_pct"]], "high": [num(v) for v in f["high_pct"]],
            "verdict": f["verdict"], "sign differs": [flag(v) for v in f["sign_differs_from_close"]],
            "down in day": [flag(v) for v in f["down_during_day"]],
            "z": [num(v, "+.1f") for v in f["z"]], "AR t": [num(v, "+.1f") for v in f["ar_t"]],
            "significant": significant, "close basis": f["close_basis"].fillna("n/a"),
        })

    def _footnotes(self) -> list[str]:
        f = self.frame
        lines = [f"{v}: {VERDICT_MEANINGS[v]}" for v in VERDICTS if v in set(f["verdict"])]
        for basis in sorted(set(f["close_basis"].dropna())):
            tickers = ", ".join(dict.fromkeys(f.loc[f["close_basis"] == basis, "ticker"]))
            lines.append(f"close basis {basis} ({tickers}): {CLOSE_BASIS_MEANINGS.get(basis, 'see data/SOURCES.md')}.")
        lines.extend(f"[{row.id}] {row.data_note}" for row in f.itertuples(index=False)
                     if isinstance(row.data_note, str) and row.data_note)
        lines.extend(self.notes)
        lines.extend(_intraday_footnotes(f))
        lines.append("Quotes, proxies and how each date was read: data/claims.csv (column note).")
        return lines

    def table(self) -> str:
        """A readable text table, changes in percent vs the previous close, with the verdicts explained."""
        day0s = sorted({d.date().isoformat() for d in self.frame["day0"].dropna()})
        header = (f"Quoted market moves checked against the data (day 0: {', '.join(day0s) or 'n/a'}; changes in % "
                  "vs the previous close; z = day-0 return / sd of the estimation-window returns)")
        body = self._display_frame().to_string(index=False)
        return "\n".join([header, body, "", *self._footnotes()])

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        shown = self._display_frame()
        shown.insert(1, "quote", self.frame["quote"])
        notes = "".join(f"<li>{html.escape(line)}</li>" for line in self._footnotes())
        return (f"<div><p><b>Quoted market moves checked against the data</b> (changes in % vs the previous close)"
                f"</p>{shown.to_html(index=False, escape=True)}<ul>{notes}</ul></div>")

    def plot(self):
        """The chart of :func:`analysis.charts.plot_claims`: each claim against the day's range. Returns a Figure."""
        from .charts import plot_claims

        return plot_claims(self)


def _as_registry(registry: pd.DataFrame | Path | str | None) -> pd.DataFrame:
    if registry is None or isinstance(registry, (str, Path)):
        return load_registry(registry)
    if "tolerance_pct" in registry.columns and "claimed_text" in registry.columns:
        return registry.copy()
    return validate_registry(registry)


def _stock_ar_t(claims: pd.DataFrame, prices: dict[str, pd.DataFrame | None], benchmark: str,
                estimation_window: tuple[int, int]) -> tuple[dict, list[str]]:
    """Run :func:`market_model_ar_t` once per event date for the stocks among ``claims``; never raises for a missing
    engine or a window that does not fit (it says so in the notes instead)."""
    results: dict[tuple[str, pd.Timestamp], tuple[float, float]] = {}
    notes: list[str] = []
    bench = prices.get(benchmark)
    stocks = claims[[is_stock(t) and prices.get(t) is not None for t in claims["ticker"]]]
    if stocks.empty:
        return results, notes
    if bench is None:
        return results, [f"The benchmark {benchmark} is not cached: no market-model AR t; stocks are judged "
                         "on z instead."]
    for event in sorted(set(stocks["event_date"])):
        tickers = list(dict.fromkeys(stocks.loc[stocks["event_date"] == event, "ticker"]))
        try:
            day0 = event_day0(event, calendar_for(benchmark)).session
            returns = pd.DataFrame({t: simple_returns(prices[t]) for t in tickers})
            found = market_model_ar_t(returns, simple_returns(bench), day0, benchmark, estimation_window)
        except ModuleNotFoundError as exc:
            if exc.name != "analysis.eventstudy":
                raise
            notes.append("The market-model AR t is not available (analysis.eventstudy is missing); stocks are judged "
                         "on z instead.")
            break
        except AnalysisError as exc:
            notes.append(f"No market-model AR t for {', '.join(tickers)} on {event.date()}: {exc}")
            continue
        results.update({(t, event): value for t, value in found.items()})
    return results, notes


def _check_one(claim, prices: pd.DataFrame | None, close_basis: str | None, ar: tuple[float, float],
               benchmark: str, estimation_window: tuple[int, int]) -> dict:
    """One registry row (a named tuple) against its prices: the result row of :func:`check_claims`."""
    calendar = calendar_for(claim.ticker)
    row = {
        "id": claim.id, "seed": claim.seed, "quote": claim.quote, "subject": claim.subject, "ticker": claim.ticker,
        "claimed_pct": claim.claimed_pct, "direction": claim.direction, "event_date": claim.event_date,
        "calendar": calendar, "close_basis": close_basis, "tolerance_pct": claim.tolerance_pct,
        "n_estimation_days": 0, "note": claim.note or None,
    }
    if prices is None:
        return {**row, "verdict": "no_data", "verdict_meaning": VERDICT_MEANINGS["no_data"],
                "data_note": f"{claim.ticker} is not cached."}
    data_notes = []
    move = day_move(prices, claim.event_date, calendar)
    if move.note:
        data_notes.append(move.note)
    size = MoveSize(math.nan, math.nan, math.nan, 0)
    if move.day0 is not None:
        try:
            size = move_size(simple_returns(prices), move.day0, calendar, estimation_window)
        except DataGapError as exc:
            data_notes.append(f"No z: {exc}")
    if size.note:
        data_notes.append(size.note)
    found = verdict(claim.claimed_pct, claim.tolerance_pct, move.close_pct, move.open_pct, move.low_pct,
                    move.high_pct, claim.direction)
    if found == "no_data" and not math.isnan(move.close_pct) and not math.isnan(claim.claimed_pct):
        data_notes.append(f"The close ({move.close_pct:+.2f} %) does not match {claim.claimed_text} %; without the "
                          "open, low and high it cannot be told whether the figure was reached during the day.")
    low, high = move.low_pct, move.high_pct
    down_during_day = None if math.isnan(low) else bool(low < 0)
    up_during_day = None if math.isnan(high) else bool(high > 0)
    ar_t, ar_p = ar
    if is_stock(claim.ticker) and not math.isnan(ar_p):
        significant = bool(ar_p < SIGNIFICANCE_LEVEL)
        basis = f"market-model AR t vs {benchmark}: two-sided p < 0.05"
    elif not math.isnan(size.z):
        significant = bool(abs(size.z) >= Z_CRITICAL_5PCT)
        basis = "|z| >= 1.96 (two-sided 5 %)" + (" because the AR t is unavailable" if is_stock(claim.ticker) else "")
    else:
        significant, basis = None, None
    statistic = ar_t if basis and basis.startswith("market") else size.z
    in_direction = None
    if significant is not None:
        in_direction = bool(significant and (statistic < 0 if claim.direction == "down" else statistic > 0))
    return {
        **row,
        "day0": move.day0, "previous_date": move.previous_date,
        "close_pct": move.close_pct, "open_pct": move.open_pct, "low_pct": low, "high_pct": high,
        "verdict": found, "verdict_meaning": VERDICT_MEANINGS[found],
        "sign_differs_from_close": sign_differs(claim.claimed_pct, move.close_pct, claim.direction),
        "down_during_day": down_during_day,
        "direction_during_day": down_during_day if claim.direction == "down" else up_during_day,
        "z": size.z, "n_estimation_days": size.n_estimation_days, "ar_t": ar_t, "ar_p": ar_p,
        "significant": significant, "significant_in_claimed_direction": in_direction,
        "significance_basis": basis, "data_note": " ".join(data_notes) or None,
    }


def check_claims(
    cache=None,
    registry: pd.DataFrame | Path | str | None = None,
    event_date: dt.date | str | pd.Timestamp | None = None,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
    estimation_window: tuple[int, int] = ESTIMATION_WINDOW,
) -> ClaimsCheck:
    """Check every claim of the registry against the cached prices.

    Parameters
    ----------
    cache : analysis.cache.Cache, optional
        Anything with ``read(ticker) -> DataFrame`` (columns open, high, low, close, adj_close; unknown ticker ->
        :class:`~analysis.errors.UnknownTickerError`) and ``close_basis(ticker)``. Defaults to ``Cache()``.
    registry : DataFrame or path, optional
        The claims; defaults to ``data/claims.csv``.
    event_date : date-like, optional
        When given, replaces every row's ``event_date`` (to rerun the check on another day); by default each row
        uses its own.
    benchmark : str
        The market proxy of the stocks' market-model AR t (default ^GSPC).
    estimation_window : (int, int)
        Relative sessions (calendar days for crypto) of the z and of the market model (default [-250, -11]).

    Returns
    -------
    ClaimsCheck
        Per claim: the moves against the previous close, the verdict, the size of the move (``z``; the market-model
        AR t for stocks) and whether it is significant at 5 %.
    """
    if cache is None:
        from .cache import Cache

        cache = Cache()
    claims = _as_registry(registry)
    if event_date is not None:
        claims["event_date"] = to_date(event_date)
    prices: dict[str, pd.DataFrame | None] = {}
    bases: dict[str, str | None] = {}
    for ticker in dict.fromkeys([*claims["ticker"], benchmark]):
        try:
            prices[ticker] = cache.read(ticker)
            bases[ticker] = cache.close_basis(ticker)
        except UnknownTickerError:
            prices[ticker], bases[ticker] = None, None
    ar_results, notes = _stock_ar_t(claims, prices, benchmark, tuple(estimation_window))
    rows = [
        _check_one(claim, prices[claim.ticker], bases[claim.ticker],
                   ar_results.get((claim.ticker, claim.event_date), (math.nan, math.nan)), benchmark,
                   tuple(estimation_window))
        for claim in claims.itertuples(index=False)
    ]
    frame = pd.DataFrame(rows).reindex(columns=list(RESULT_COLUMNS))
    for column in ("claimed_pct", "tolerance_pct", "close_pct", "open_pct", "low_pct", "high_pct", "z", "ar_t",
                   "ar_p"):
        frame[column] = frame[column].astype(float)
    frame["n_estimation_days"] = frame["n_estimation_days"].astype("int64")
    for column in ("sign_differs_from_close", "down_during_day", "direction_during_day", "significant",
                   "significant_in_claimed_direction", "close_basis", "significance_basis", "note", "data_note"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ("day0", "previous_date", "event_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["intraday"] = _intraday_objects(frame, claims, cache)
    return ClaimsCheck(frame=frame, notes=tuple(notes))


def check_event_claims(event, cache=None) -> ClaimsCheck | None:
    """The claims of an event (:class:`analysis.events.EventConfig`): its registry, checked with its benchmark and
    estimation window. ``None`` when the event has no claims registry (an ad-hoc ``--event DATE`` has none).

    Parameters
    ----------
    event : EventConfig
    cache : analysis.cache.Cache, optional

    Returns
    -------
    ClaimsCheck or None
    """
    if event.claims is None:
        return None
    return check_claims(cache, event.claims, benchmark=event.benchmark, estimation_window=event.estimation)


def _intraday_objects(frame: pd.DataFrame, claims: pd.DataFrame, cache) -> list[dict]:
    """The ``intraday`` object of each claim (:func:`analysis.intraday.intraday_for_claim`): when it held during the
    session, from the claim's own bars or its declared proxy's; one note when there are none."""
    from .intraday import intraday_for_claim

    proxies = claims["intraday_proxy"] if "intraday_proxy" in claims.columns else [""] * len(claims)
    return [intraday_for_claim(row, cache, proxy or None) for row, proxy in zip(frame.itertuples(index=False), proxies)]


def _intraday_footnotes(frame: pd.DataFrame) -> list[str]:
    """When each claim held, from intraday bars (one line per claim that has them), and one line naming the rest."""
    if "intraday" not in frame.columns:
        return []
    lines, without = [], []
    for row in frame.itertuples(index=False):
        info = row.intraday
        if isinstance(info, dict) and info.get("available"):
            label = f"{info['source_ticker']} {info['interval']} bars" + (", a proxy" if info["proxy"] else "")
            lines.append(f"[{row.id}] when it held ({label}, ET): {info['in_words']}.")
        elif isinstance(info, dict):
            without.append(row.id)
    if without:
        lines.append(f"No intraday bars, so no times, for: {', '.join(without)} (no path is interpolated from daily "
                     "data).")
    return lines


def verdict_in_words(row) -> str:
    """The verdict in plain words, with the time when intraday bars tell it.

    ``row`` is a row of :meth:`ClaimsCheck.to_frame` (or a record of :meth:`ClaimsCheck.to_records`). Example:
    "direction contradicted: ... Intraday (META, 1m bars): true from the open until 10:29 ET, ...".
    """
    get = row.get if isinstance(row, dict) else (lambda key, default=None: getattr(row, key, default))
    verdict_name = get("verdict")
    text = f"{verdict_name.replace('_', ' ')}: {VERDICT_MEANINGS[verdict_name]}"
    info = get("intraday")
    if isinstance(info, dict) and info.get("available"):
        label = f"{info['source_ticker']}, {info['interval']} bars" + (", a proxy" if info["proxy"] else "")
        text += f" Intraday ({label}): {info['in_words']}."
    elif isinstance(info, dict) and info.get("note"):
        text += f" {info['note']}"
    return text


# --------------------------------------------------------------------------------------------------------------------
# Claims of a date (issue 10): a release dated in a seed, against the imported timeline
# --------------------------------------------------------------------------------------------------------------------
#: Columns of ``data/claims_dates.csv``: the seed's words, the date they give (``claimed_date``, YYYY-MM-DD, as read
#: from the French), and ``timeline_label``, a piece of the label of the timeline row that dates the same thing.
DATE_CLAIM_COLUMNS = ("id", "seed", "quote", "subject", "claimed_date", "timeline_label", "note")
DATE_CLAIMS_FILE = "claims_dates.csv"

#: Verdicts on a claimed date, in plain words.
DATE_VERDICT_MEANINGS: dict[str, str] = {
    "date_matches": "The timeline gives the same date, with its source.",
    "date_wrong": "The timeline gives another date, with its source; the nearest other release is named.",
    "no_source": "No timeline row dates it; nothing is invented.",
}


def default_date_claims_path() -> Path:
    """``<project>/data/claims_dates.csv``."""
    return default_data_dir() / DATE_CLAIMS_FILE


def load_date_claims(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the registry of claimed dates.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``<project>/data/claims_dates.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DATE_CLAIM_COLUMNS`, ``claimed_date`` as a Timestamp.

    Raises
    ------
    ClaimsRegistryError
        When the file is missing or malformed, naming the row id and the fix.
    """
    path = Path(path) if path is not None else default_date_claims_path()
    what = "date claims registry"
    table = _read_table(path, DATE_CLAIM_COLUMNS, what)
    _check_common(table, what)
    dates = []
    for row in table.itertuples(index=False):
        if not row.timeline_label.strip():
            raise _row_error(what, row.id, "timeline_label is empty.",
                             "copy part of the label of the timeline row that dates the same thing.")
        try:
            dates.append(pd.Timestamp(dt.date.fromisoformat(row.claimed_date)))
        except ValueError as exc:
            raise _row_error(what, row.id, f"claimed_date {row.claimed_date!r} is not YYYY-MM-DD.",
                             "write the date the seed gives, e.g. 2024-11-26 for '26 novembre 2024'.") from exc
    table["claimed_date"] = pd.DatetimeIndex(dates).as_unit("ns")
    return table


def date_verdict(claimed: pd.Timestamp, source_date: pd.Timestamp | None) -> str:
    """``date_matches``, ``date_wrong`` or ``no_source`` (:data:`DATE_VERDICT_MEANINGS`)."""
    if source_date is None or pd.isna(source_date):
        return "no_source"
    return "date_matches" if pd.Timestamp(claimed).normalize() == pd.Timestamp(source_date).normalize() else "date_wrong"


def check_date_claims(claims: pd.DataFrame | Path | str | None = None, timeline: pd.DataFrame | None = None,
                      cache=None) -> pd.DataFrame:
    """Each claimed date against the timeline imported into ``data/timeline/``.

    Parameters
    ----------
    claims : DataFrame or path, optional
        The registry (:func:`load_date_claims`).
    timeline : DataFrame, optional
        The timeline (:meth:`analysis.cache.Cache.read_timeline`); read from the cache by default.

    Returns
    -------
    pandas.DataFrame
        id, seed, subject, quote, claimed_date, timeline_date, days_off (claimed − timeline, calendar days), verdict,
        source and confidence (of the timeline row), nearest_release (for a wrong date: the timeline's release
        nearest to the claimed date, a likely confusion), note.
    """
    from .cache import Cache

    table = claims if isinstance(claims, pd.DataFrame) else load_date_claims(claims)
    timeline = timeline if timeline is not None else (cache or Cache()).read_timeline()
    released = timeline[timeline["kind"] == "deepseek_release"]
    rows = []
    for claim in table.itertuples(index=False):
        match = timeline[timeline["label"].str.contains(claim.timeline_label, regex=False)]
        found = match.iloc[0] if len(match) else None
        source_date = found["date"] if found is not None else None
        verdict = date_verdict(claim.claimed_date, source_date)
        nearest = ""
        if verdict == "date_wrong":
            others = released[released["date"] != source_date]
            if len(others):
                best = others.iloc[int((others["date"] - claim.claimed_date).abs().argmin())]
                nearest = f"{best['date']:%Y-%m-%d} {best['label']}"
        rows.append({
            "id": claim.id, "seed": claim.seed, "subject": claim.subject, "quote": claim.quote,
            "claimed_date": f"{claim.claimed_date:%Y-%m-%d}",
            "timeline_date": f"{source_date:%Y-%m-%d}" if source_date is not None else None,
            "days_off": int((claim.claimed_date - source_date).days) if source_date is not None else None,
            "verdict": verdict,
            "source": found["source"] if found is not None else "",
            "confidence": found["confidence"] if found is not None else "",
            "nearest_release": nearest, "note": claim.note,
        })
    return pd.DataFrame(rows)
