"""The files in ``data/``: safe names, the manifest and checksums, atomic writes, verify and import.

Nothing else in the project reads or writes ``data/``.

Layout
------
``data/1d/<file>.csv``
    One daily price history per ticker, columns ``date,open,high,low,close,adj_close,volume``, optionally
    ``dividends,stock_splits``. An empty field means the source had no value; it is read as NaN and never filled in.
``data/1m/<TICKER>.csv``, ``data/5m/<TICKER>.csv``, ``data/1h/<TICKER>.csv``
    Intraday bars (manifest kind ``bars``; imported, or fetched from yfinance), columns ``timestamp_et,open,high,low,close,volume,source_timestamp``:
    the bar's start as ISO 8601 with its America/New_York offset, raw prices, and the source's own timestamp kept
    as text beside it (sources used different clocks; ``data/intraday/README.md`` explains each). Imported byte
    for byte; checked by :func:`check_bars` and :func:`compare_bars_with_daily`.
``data/factors/FF3_daily.csv``, ``FF5_daily.csv``, ``MOM_daily.csv``
    Fama-French daily factors (3 factors, 5 factors, momentum), **in percent**, as the Kenneth R. French library
    publishes them.
``data/secondary/``
    A second vendor's series, kept for cross-checks only (not a separate ticker).
``data/meta/``
    Reference facts (Nvidia's approximate share count) with their sources.
``data/manifest.json``
    For every file: what it holds, its first and last date, rows, sha256, source, the meaning of ``close``, the
    calendar it was checked against, and when it was written.
``data/SOURCES.md``, ``data/provenance.csv``
    Where each series came from and how it was cross-checked (human- and machine-readable).

File names from tickers
-----------------------
A ticker is upper-cased and must match ``^?[A-Z0-9][A-Z0-9.=-]*`` (at most 20 characters, no ``..``). The caret of an
index becomes a leading underscore, which no ticker may contain, so the mapping is one-to-one both ways:
``^IXIC`` <-> ``_IXIC.csv``, ``BTC-USD`` <-> ``BTC-USD.csv``, ``BRK.B`` <-> ``BRK.B.csv``. Anything else (``../x``,
``a/b``) raises :class:`~analysis.errors.InvalidTickerError`, and every path is checked to resolve inside ``data/``.

Writes never lose good data
---------------------------
A write goes to a temporary file in the same folder, is flushed to disk, and is renamed into place. Replacing a file
keeps the committed version as ``.<file>.bak`` until the manifest has been rewritten; if a crash comes in between,
:meth:`Cache.recover` (run before every write and by ``cache verify``) rolls the file back to the version the manifest
describes, and reads use that version meanwhile.

Every write holds the cache's lock (``data/.lock``, :mod:`filelock`), so two writers (two imports, an import and a
fetch) take turns, and :meth:`Cache.recover` never deletes another writer's temporary file. New files get the
permissions the umask allows (``0644`` under the usual ``022``), as any other file the user creates. A writer added to
this module uses the same two helpers::

    with self._locked():                      # one writer at a time; a read-only folder -> CacheWriteError
        self._commit(entry, payload)          # or atomic_write_bytes(path, payload) for a file outside the manifest

and :meth:`Cache._commit` leaves a file and its manifest entry untouched when the bytes and the entry are unchanged
(apart from ``written_at``), so importing the same data twice changes nothing that git would see.

Reads check values, not only checksums
--------------------------------------
A checksum proves only that a file is the one the manifest describes, not that its values are sane (a file edited
together with its sha256 passes). Every read therefore runs the same value checks as ``cache verify``: sessions,
duplicates, order, positive prices, OHLC order, and rows and dates against the manifest. To keep reads fast, a file
that has passed is remembered in ``data/.verified.json`` by its size, mtime and sha256; an unchanged file is not
hashed or checked again, any change to it (or to its manifest entry) triggers the full check. ``cache verify`` always
does the full check.
"""

from __future__ import annotations

import csv
import datetime as dt
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar as cal
from .config import INDICES, default_data_dir
from .errors import (
    AnalysisError,
    CacheCorruptError,
    CacheMissError,
    CacheWriteError,
    ChecksumMismatchError,
    InvalidTickerError,
    ManifestMissingError,
    UnknownTickerError,
)

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
OPTIONAL_COLUMNS = ("dividends", "stock_splits")
FACTOR_COLUMNS = ("Mkt-RF", "SMB", "HML", "RF")
#: The Fama-French daily factor files: name -> (file in factors/, its columns after ``date``), all in percent.
FACTOR_FILES = {
    "FF3": ("FF3_daily.csv", FACTOR_COLUMNS),
    "FF5": ("FF5_daily.csv", ("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF")),
    "MOM": ("MOM_daily.csv", ("Mom",)),
}
INTERVALS = ("1d", "1h", "1m", "5m")
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1

#: What ``close`` means in a file (SOURCES.md, "What close means").
CLOSE_BASES = {
    "raw": "raw close (Yahoo copy); adj_close is split- and dividend-adjusted",
    "adjusted": "close is split- and dividend-adjusted (open, high, low on the same basis); returns right, levels below raw",
    "split_adjusted": "raw close, split-adjusted but not dividend-adjusted; returns off by the dividend on ex-dates",
    "fetched_raw": "raw close fetched with yfinance auto_adjust=False; adj_close from Yahoo",
}

_TICKER_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9.=\-]{0,19}$")
_FETCH_HINT = "python -m analysis fetch {ticker} --start {start} --end {end}"
#: The fix for a damaged cache names only what a user's clone has: git, and the import command.
_IMPORT_HINT = ("restore data/ with git (git checkout -- data/) or rebuild it from a copy of the market data: "
                "python -m analysis cache import PATH/TO/market-data")
#: Seconds a writer waits for another writer's lock before giving up.
LOCK_TIMEOUT = 120.0
LOCK_NAME = ".lock"
VERIFIED_NAME = ".verified.json"


def _restore_hint(relative: str) -> str:
    return (f"restore it with git (git checkout -- data/{relative}) or re-import the market data: "
            "python -m analysis cache import PATH/TO/market-data")


# --------------------------------------------------------------------------------------------------------------------
# tickers and file names
# --------------------------------------------------------------------------------------------------------------------
def normalize_ticker(ticker: str) -> str:
    """Return the canonical (upper-case) form of ``ticker``, or raise :class:`InvalidTickerError`."""
    if not isinstance(ticker, str):
        raise InvalidTickerError(f"ticker {ticker!r} is not a string.", "give a symbol such as NVDA or ^IXIC.")
    text = ticker.strip().upper()
    if not _TICKER_RE.match(text) or ".." in text:
        raise InvalidTickerError(
            f"{ticker!r} is not a valid ticker: use letters, digits and . - = only, with an optional leading ^ "
            "(at most 20 characters).",
            "give a Yahoo Finance symbol such as NVDA, ^IXIC, BTC-USD or BRK.B.",
        )
    return text


def ticker_to_filename(ticker: str) -> str:
    """``^IXIC`` -> ``_IXIC.csv``; ``BTC-USD`` -> ``BTC-USD.csv``; ``BRK.B`` -> ``BRK.B.csv``."""
    text = normalize_ticker(ticker)
    return ("_" + text[1:] if text.startswith("^") else text) + ".csv"


def filename_to_ticker(filename: str) -> str:
    """The inverse of :func:`ticker_to_filename`."""
    name = Path(filename).name
    if not name.endswith(".csv"):
        raise InvalidTickerError(f"{filename!r} is not a cache file name (expected <TICKER>.csv).")
    stem = name[: -len(".csv")]
    return normalize_ticker("^" + stem[1:] if stem.startswith("_") else stem)


def _source_stem_to_ticker(stem: str) -> str:
    """Source files drop the caret of indices (``IXIC.csv`` is ``^IXIC``)."""
    upper = stem.upper()
    return "^" + upper if "^" + upper in INDICES else normalize_ticker(upper)


def _check_interval(interval: str) -> str:
    if interval not in INTERVALS:
        raise CacheMissError(f"interval {interval!r} is not supported.", f"use one of {', '.join(INTERVALS)}.")
    return interval


# --------------------------------------------------------------------------------------------------------------------
# atomic file operations
# --------------------------------------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder, an fsync and a rename.

    The file gets mode ``0666 & ~umask`` (``mkstemp`` alone would leave ``0600``). Writers of the cache call this
    inside :meth:`Cache._locked`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------------------------------
# reading and checking a price file
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One problem found by :meth:`Cache.verify`."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


def parse_price_csv(payload: bytes | Path, interval: str = "1d", label: str = "file") -> pd.DataFrame:
    """Parse a price CSV into the tidy frame the project uses, or raise :class:`CacheCorruptError`.

    Daily files are indexed by a tz-naive DatetimeIndex named ``session`` (the session's local date); hourly files
    by a tz-aware DatetimeIndex named ``timestamp`` in the exchange timezone (bars labelled by their start).
    All price columns are float64; empty fields are NaN.
    """
    date_col = "date" if interval == "1d" else "datetime"
    fast = _parse_price_fast(payload, interval, date_col)
    if fast is not None:
        return fast
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    expected = [date_col, *PRICE_COLUMNS]
    columns = list(raw.columns)
    if columns[: len(expected)] != expected or any(c not in OPTIONAL_COLUMNS for c in columns[len(expected):]):
        raise CacheCorruptError(f"{label} has columns {columns}; expected {expected} (+ optional "
                                f"{list(OPTIONAL_COLUMNS)}).", _IMPORT_HINT)
    if raw.empty:
        raise CacheCorruptError(f"{label} has no rows.", _IMPORT_HINT)
    frame = pd.DataFrame(index=raw.index)
    for column in columns[1:]:
        values = raw[column].str.strip()
        numeric = pd.to_numeric(values.where(values != ""), errors="coerce")
        bad = numeric.isna() & (values != "")
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise CacheCorruptError(f"{label} line {row}: {column}={values[bad.idxmax()]!r} is not a number.",
                                    _IMPORT_HINT)
        frame[column] = numeric.astype("float64")
    try:
        if interval == "1d":
            if not raw[date_col].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                raise ValueError("dates must be YYYY-MM-DD")
            index = pd.DatetimeIndex(pd.to_datetime(raw[date_col], format="%Y-%m-%d"), name="session")
        else:
            index = pd.DatetimeIndex(pd.to_datetime(raw[date_col], utc=True), name="timestamp")
    except (ValueError, TypeError) as exc:
        raise CacheCorruptError(f"{label} has a malformed {date_col} column ({exc}).", _IMPORT_HINT) from None
    frame.index = index.as_unit("ns")
    return frame


_FAST_DTYPES = {column: "float64" for column in (*PRICE_COLUMNS, *OPTIONAL_COLUMNS)}


def _parse_price_fast(payload: bytes | Path, interval: str, date_col: str) -> pd.DataFrame | None:
    """The common case of :func:`parse_price_csv` in one C-parser pass: every value a number or empty, dates in
    form. Returns None whenever anything is unusual, and the careful parser then names the problem."""
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, index_col=0, dtype={date_col: object, **_FAST_DTYPES}, keep_default_na=False,
                          na_values=[""])
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return None
    expected = list(PRICE_COLUMNS)
    columns = list(raw.columns)
    if (raw.empty or raw.index.name != date_col or columns[: len(expected)] != expected
            or any(c not in OPTIONAL_COLUMNS for c in columns[len(expected):])
            or any(dtype != np.float64 for dtype in raw.dtypes)):
        return None
    dates = raw.index.to_numpy(dtype=object)
    try:
        if interval == "1d":  # numpy reads ISO dates only; the round trip refuses a short form such as 2024-01
            days = np.array(dates, dtype="datetime64[D]")
            if np.isnat(days).any() or not np.array_equal(np.datetime_as_string(days), dates.astype(str)):
                return None
            index = pd.DatetimeIndex(days.astype("datetime64[ns]"), name="session")
        else:
            index = pd.DatetimeIndex(pd.to_datetime(dates, utc=True), name="timestamp")
    except (ValueError, TypeError):
        return None
    raw.index = index.as_unit("ns")
    return raw


def check_price_frame(frame: pd.DataFrame, calendar: str, interval: str = "1d") -> list[str]:
    """The problems of a parsed price frame, as sentences (empty when all is well).

    Checks: ascending unique dates; dates that are exactly the sessions of ``calendar`` between the first and the
    last (daily) or that fall inside sessions (hourly); positive prices; ``low <= open, close <= high`` where all four
    exist; non-negative volume; at least one close.
    """
    problems: list[str] = []
    index = frame.index
    if not index.is_monotonic_increasing:
        problems.append("dates are not in ascending order")
    if index.has_duplicates:
        dupes = index[index.duplicated()]
        problems.append(f"{len(dupes)} duplicated date(s), first {dupes[0]}")
    if frame["close"].isna().all():
        problems.append("no close prices")
    if problems:
        return problems
    if interval == "1d":
        expected = cal.sessions(index[0], index[-1], calendar)
        missing = expected.difference(index)
        extra = index.difference(expected)
        if len(extra):
            problems.append(f"{len(extra)} date(s) are not {calendar} sessions, first {extra[0].date()}")
        if len(missing):
            problems.append(f"{len(missing)} {calendar} session(s) missing, first {missing[0].date()}")
    else:
        local = index.tz_convert(cal.timezone_for(calendar))
        days = pd.DatetimeIndex(local.tz_localize(None).normalize()).unique()
        valid = cal.sessions(days[0], days[-1], calendar)
        off = days.difference(valid)
        if len(off):
            problems.append(f"{len(off)} bar date(s) are not {calendar} sessions, first {off[0].date()}")
    prices = frame[["open", "high", "low", "close", "adj_close"]]
    nonpositive = (prices <= 0).any(axis=1)
    if nonpositive.any():
        problems.append(f"{int(nonpositive.sum())} row(s) with a price <= 0, first {index[nonpositive.argmax()]}")
    full = frame[["open", "high", "low", "close"]].notna().all(axis=1)
    f = frame[full]
    tol = 1e-9 * f["high"].abs()
    inconsistent = (f["low"] > f[["open", "close"]].min(axis=1) + tol) | (f["high"] < f[["open", "close"]].max(axis=1) - tol)
    if inconsistent.any():
        problems.append(f"{int(inconsistent.sum())} row(s) where low <= open, close <= high fails, "
                        f"first {f.index[inconsistent.argmax()]}")
    if (frame["volume"] < 0).any():
        problems.append("negative volume")
    return problems


def parse_factor_csv(payload: bytes | Path, label: str = "factors",
                     columns: tuple[str, ...] = FACTOR_COLUMNS) -> pd.DataFrame:
    """Parse a Fama-French daily factor file (percent) with ``columns`` after ``date`` (FF3 by default; see
    :data:`FACTOR_FILES`), or raise :class:`CacheCorruptError`."""
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    expected = ["date", *columns]
    if list(raw.columns) != expected or raw.empty:
        raise CacheCorruptError(f"{label} has columns {list(raw.columns)}; expected {expected}.", _IMPORT_HINT)
    try:
        index = pd.DatetimeIndex(pd.to_datetime(raw["date"], format="%Y-%m-%d"), name="session").as_unit("ns")
        frame = raw[list(columns)].apply(lambda s: pd.to_numeric(s, errors="raise")).astype("float64")
    except (ValueError, TypeError) as exc:
        raise CacheCorruptError(f"{label} has a malformed value ({exc}).", _IMPORT_HINT) from None
    frame.index = index
    if frame.isna().any().any():
        raise CacheCorruptError(f"{label} has empty factor values.", _IMPORT_HINT)
    return frame


def _without_time(entry: CacheEntry) -> dict:
    data = entry.to_json()
    data.pop("written_at", None)
    return data


def _factor_problems(frame: pd.DataFrame) -> list[str]:
    """Ascending unique dates that are XNYS sessions."""
    index = frame.index
    if not index.is_monotonic_increasing:
        return ["dates are not in ascending order"]
    if index.has_duplicates:
        return [f"{int(index.duplicated().sum())} duplicated date(s), first {index[index.duplicated()][0].date()}"]
    extra = index.difference(cal.sessions(index[0], index[-1], "XNYS"))
    return [f"{len(extra)} date(s) are not XNYS sessions, first {extra[0].date()}"] if len(extra) else []


# --------------------------------------------------------------------------------------------------------------------
# the cache
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CacheEntry:
    """One file of the manifest."""

    path: str
    kind: str  # "prices" | "factors" | "secondary" | "meta"
    sha256: str
    rows: int | None = None
    ticker: str | None = None
    interval: str | None = None
    calendar: str | None = None
    timezone: str | None = None
    first: str | None = None
    last: str | None = None
    close_basis: str | None = None
    missing_fields: tuple[str, ...] = ()
    source: str | None = None
    written_at: str | None = None
    history: tuple[dict, ...] = field(default=())
    #: For an extension file (kind ``prices_extension``): how it joins the base file, see :func:`check_join`.
    join: dict | None = None

    def to_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, ())}
        if self.missing_fields:
            data["missing_fields"] = list(self.missing_fields)
        if self.history:
            data["history"] = list(self.history)
        return data

    @classmethod
    def from_json(cls, path: str, data: dict) -> CacheEntry:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "path"}
        known["missing_fields"] = tuple(known.get("missing_fields", ()))
        known["history"] = tuple(known.get("history", ()))
        return cls(path=path, **known)


# --------------------------------------------------------------------------------------------------------------------
# intraday bars (1m, 5m): the source's own file, bar start in ET, the source's timestamp kept beside it
# --------------------------------------------------------------------------------------------------------------------
#: Intervals stored as intraday bar files (``data/1m/<TICKER>.csv``, ``data/5m/...``, ``data/1h/...``).
INTRADAY_INTERVALS = ("1m", "5m", "1h")
#: Minutes per bar of every intraday interval the project knows.
INTERVAL_MINUTES = {"1m": 1, "5m": 5, "1h": 60}
#: Columns of an intraday bar file, in order.
BAR_COLUMNS = ("timestamp_et", "open", "high", "low", "close", "volume", "source_timestamp")
#: Above this relative gap between the bars and the daily file, the bars are refused (a wrong clock or ticker);
#: below it the difference is reported as a note (the opening cross against the first trade, a stray print). The
#: largest known difference in the shared bars is 0.47 % (SMH's first trade against its opening cross); MSFT's bars
#: read one hour off open 1.68 % away from the daily open.
BAR_DAILY_REJECT = 0.01
_BAR_TS_RE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"


def parse_bars_csv(payload: bytes | Path, interval: str = "1m", label: str = "file") -> pd.DataFrame:
    """Parse an intraday bar file, or raise :class:`CacheCorruptError` naming the file and line.

    Parameters
    ----------
    payload : bytes or Path
        CSV with the columns :data:`BAR_COLUMNS`: ``timestamp_et`` is the bar's **start**, ISO 8601 with its UTC
        offset (America/New_York), ``source_timestamp`` the source's own stamp as text (kept, never parsed).
    interval : {"1m", "5m"}
    label : str
        Names the file in messages.

    Returns
    -------
    pandas.DataFrame
        Float columns ``open, high, low, close, volume`` and the text column ``source_timestamp``, indexed by a
        tz-aware DatetimeIndex ``timestamp`` in America/New_York (bar start). Rows in file order (not sorted, so that
        :func:`check_bars` can name an out-of-order line).
    """
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    if tuple(raw.columns) != BAR_COLUMNS:
        raise CacheCorruptError(f"{label} has columns {list(raw.columns)}; expected {list(BAR_COLUMNS)}.",
                                _IMPORT_HINT)
    if raw.empty:
        raise CacheCorruptError(f"{label} has no rows.", _IMPORT_HINT)
    stamps = raw["timestamp_et"].str.strip()
    malformed = ~stamps.str.fullmatch(_BAR_TS_RE)
    if malformed.any():
        row = int(malformed.idxmax())
        raise CacheCorruptError(f"{label} line {row + 2}: timestamp_et={stamps[row]!r} is not ISO 8601 with a UTC "
                                "offset (YYYY-MM-DDTHH:MM:SS-05:00).", _IMPORT_HINT)
    frame = pd.DataFrame(index=raw.index)
    for column in ("open", "high", "low", "close", "volume"):
        values = raw[column].str.strip()
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.isna().any():
            row = int(numeric.isna().idxmax())
            raise CacheCorruptError(f"{label} line {row + 2}: {column}={values[row]!r} is not a number.", _IMPORT_HINT)
        frame[column] = numeric.astype("float64")
    frame["source_timestamp"] = raw["source_timestamp"].astype(str)
    try:
        index = pd.DatetimeIndex(pd.to_datetime(stamps, utc=True, format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise CacheCorruptError(f"{label} has a malformed timestamp_et ({exc}).", _IMPORT_HINT) from None
    frame.index = index.tz_convert(cal.EXCHANGE_TIMEZONE).as_unit("ns").rename("timestamp")
    frame.attrs.update(interval=interval)
    return frame


def bar_segments(index: pd.DatetimeIndex, interval: str = "1m", calendar: str = "XNYS") -> pd.Series:
    """Mark each bar as ``pre`` (pre-market), ``regular``, ``post`` (after hours) or ``outside``.

    A bar belongs to a segment when it starts and ends inside it: regular bars start in
    ``[session_open, session_close)`` of exchange_calendars (early closes included); pre-market runs from 04:00 ET,
    after hours until 20:00 ET. A bar on a day that is not a session is ``outside``.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Tz-aware bar starts.
    interval : str
        One of :data:`INTERVAL_MINUTES`.
    calendar : str
        ``XNYS``.

    Returns
    -------
    pandas.Series
        The segment of each bar, indexed like ``index``.
    """
    step = pd.Timedelta(minutes=INTERVAL_MINUTES[interval])
    local = index.tz_convert(cal.timezone_for(calendar))
    days = pd.DatetimeIndex(local.tz_localize(None).normalize())
    out = np.full(len(index), "outside", dtype=object)
    for day in days.unique():
        mask = np.asarray(days == day)
        try:
            hours = cal.session_hours(day, calendar)
        except AnalysisError:
            continue
        starts = local[mask]
        ends = starts + step
        segment = np.full(mask.sum(), "outside", dtype=object)
        segment[(starts >= hours.pre_open) & (ends <= hours.open)] = "pre"
        segment[(starts >= hours.open) & (starts < hours.close)] = "regular"
        segment[(starts >= hours.close) & (ends <= hours.post_close)] = "post"
        out[mask] = segment
    return pd.Series(out, index=index, name="segment")


def check_bars(frame: pd.DataFrame, interval: str, calendar: str = "XNYS") -> list[str]:
    """The problems of an intraday bar frame (file order), each naming its line; empty when all is well.

    Rules: timestamps strictly increasing (a duplicated or out-of-order minute is refused); each bar starts on the
    interval's grid; each bar lies in the calendar's pre-market, regular or after-hours time of a session
    (:func:`bar_segments`); prices positive; ``low <= open, close <= high``; volume not negative.
    """
    problems: list[str] = []

    def first_line(mask) -> int:
        return int(np.argmax(np.asarray(mask))) + 2

    index = frame.index
    stamps = [ts.isoformat() for ts in index]
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        bad = int(np.argmax(steps <= 0)) + 1
        kind = "repeats" if steps[bad - 1] == 0 else "comes before"
        problems.append(f"line {bad + 2}: {stamps[bad]} {kind} the bar above it; timestamps must increase strictly "
                        f"({int((steps <= 0).sum())} such row(s))")
    minutes = INTERVAL_MINUTES[interval]
    local = index.tz_convert(cal.timezone_for(calendar))
    off_grid = (local.second != 0) | (local.minute % minutes != 0) if minutes < 60 else (local.second != 0)
    if off_grid.any():
        problems.append(f"line {first_line(off_grid)}: {stamps[int(np.argmax(off_grid))]} is not the start of a "
                        f"{interval} bar ({int(off_grid.sum())} such row(s))")
    segments = bar_segments(index, interval, calendar)
    outside = (segments == "outside").to_numpy()
    if outside.any():
        problems.append(f"line {first_line(outside)}: {stamps[int(np.argmax(outside))]} lies outside the {calendar} "
                        f"pre-market (04:00), regular and after-hours (20:00 ET) time of a session "
                        f"({int(outside.sum())} such row(s))")
    prices = frame[["open", "high", "low", "close"]]
    nonpositive = (prices <= 0).any(axis=1).to_numpy()
    if nonpositive.any():
        problems.append(f"line {first_line(nonpositive)}: a price <= 0 ({int(nonpositive.sum())} such row(s))")
    tol = 1e-9 * frame["high"].abs()
    low_bad = (frame["low"] > frame[["open", "close"]].min(axis=1) + tol).to_numpy()
    high_bad = (frame["high"] < frame[["open", "close"]].max(axis=1) - tol).to_numpy()
    for bad, text in ((low_bad, "the low exceeds the open or the close"),
                      (high_bad, "the high is below the open or the close")):
        if bad.any():
            row = int(np.argmax(bad))
            problems.append(f"line {row + 2}: {stamps[row]} {text} (open {frame['open'].iloc[row]:g}, high "
                            f"{frame['high'].iloc[row]:g}, low {frame['low'].iloc[row]:g}, close "
                            f"{frame['close'].iloc[row]:g}; {int(bad.sum())} such row(s))")
    negative = (frame["volume"] < 0).to_numpy()
    if negative.any():
        problems.append(f"line {first_line(negative)}: negative volume")
    return problems


def compare_bars_with_daily(bars: pd.DataFrame, daily: pd.DataFrame | None, close_basis: str | None,
                            interval: str, calendar: str = "XNYS") -> tuple[list[str], list[str]]:
    """Compare the regular-session bars with the daily file: ``(problems, notes)``.

    Per session: the first regular bar's open against the daily open, the last regular bar's close against the daily
    close (only when the bars reach the end of the session), and the bars' lowest low and highest high against the
    daily low and high. A difference up to :data:`BAR_DAILY_REJECT` (1 %) is a known kind of difference -- the
    opening cross against the first trade, the closing auction against the last minute, a stray print below the
    daily low -- and is reported as a note, not rejected; a larger one points at a wrong clock or ticker and is a
    problem. Levels are compared only when the daily prices are raw (an adjusted daily file sits below raw levels).

    Parameters
    ----------
    bars : pandas.DataFrame
        Parsed bars (:func:`parse_bars_csv`).
    daily : pandas.DataFrame or None
        The ticker's daily file (:func:`parse_price_csv`).
    close_basis : str or None
        What ``close`` means in the daily file (:data:`CLOSE_BASES`).
    interval : str
    calendar : str

    Returns
    -------
    (list of str, list of str)
        Problems (refused) and notes (reported).
    """
    problems: list[str] = []
    notes: list[str] = []
    if daily is None:
        return problems, ["no daily file to compare the bars with"]
    if close_basis not in ("raw", "split_adjusted", "fetched_raw"):
        return problems, [f"the daily file's prices are {close_basis or 'of unknown basis'} (not raw), so bar levels "
                          "are not compared with it"]
    segments = bar_segments(bars.index, interval, calendar)
    regular = bars[(segments == "regular").to_numpy()]
    step = pd.Timedelta(minutes=INTERVAL_MINUTES[interval])
    local_days = regular.index.tz_localize(None).normalize()
    for day in pd.DatetimeIndex(local_days).unique():
        if day not in daily.index:
            notes.append(f"{day.date()}: no daily row to compare with")
            continue
        day_bars = regular[local_days == day]
        row = daily.loc[day]
        hours = cal.session_hours(day, calendar)
        checks = []
        if day_bars.index[0] == hours.open:
            checks.append(("first regular bar's open", day_bars["open"].iloc[0], "daily open", row["open"],
                           "the first trade against the official opening cross"))
        if day_bars.index[-1] + step == hours.close:
            checks.append(("last regular bar's close", day_bars["close"].iloc[-1], "daily close", row["close"],
                           "the last minute against the closing auction"))
        low_at = day_bars["low"].idxmin()
        if day_bars["low"].min() < row["low"] - 1e-9:
            checks.append((f"lowest bar low ({low_at:%H:%M})", day_bars["low"].min(), "daily low", row["low"],
                           "a print below the official low"))
        high_at = day_bars["high"].idxmax()
        if day_bars["high"].max() > row["high"] + 1e-9:
            checks.append((f"highest bar high ({high_at:%H:%M})", day_bars["high"].max(), "daily high", row["high"],
                           "a print above the official high"))
        for what, value, against, reference, meaning in checks:
            if pd.isna(reference) or abs(value - reference) < 1e-9:
                continue
            gap = value / reference - 1
            text = f"{day.date()}: {what} {value:g} vs {against} {reference:g} ({100 * gap:+.2f} %)"
            if abs(gap) > BAR_DAILY_REJECT:
                problems.append(text + f": more than {100 * BAR_DAILY_REJECT:g} % apart (wrong clock or ticker?)")
            else:
                notes.append(text + f": {meaning}, reported not rejected")
    return problems, notes


def serialize_bars(frame: pd.DataFrame) -> bytes:
    """The CSV bytes of an intraday bar frame in the cache's bar format (:data:`BAR_COLUMNS`)."""
    out = pd.DataFrame({
        "timestamp_et": [ts.isoformat() for ts in frame.index.tz_convert(cal.EXCHANGE_TIMEZONE)],
        **{c: frame[c].to_numpy() for c in ("open", "high", "low", "close", "volume")},
        "source_timestamp": (frame["source_timestamp"] if "source_timestamp" in frame.columns
                             else pd.Series([ts.isoformat() for ts in frame.index], index=frame.index)).to_numpy(),
    })
    return out.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8")


def _bar_entry_fields(frame: pd.DataFrame) -> dict:
    return {"rows": len(frame), "first": frame.index[0].isoformat(), "last": frame.index[-1].isoformat(),
            "calendar": "XNYS", "timezone": cal.EXCHANGE_TIMEZONE}


class _BarsMixin:
    """The intraday-bar part of :class:`Cache`: import, read, write and verify ``data/1m`` and ``data/5m``."""

    def _stage_intraday(self, root: Path, provenance: dict) -> tuple[list, list[str]]:
        """Validate ``<root>/intraday/<TICKER>_<interval>.csv`` and its README; return (staged, errors)."""
        folder = Path(root) / "intraday"
        staged: list[tuple[CacheEntry, bytes]] = []
        errors: list[str] = []
        if not folder.is_dir():
            return staged, errors
        for path in sorted(folder.glob("*_*.csv")):
            stem, _, interval = path.stem.rpartition("_")
            try:
                if interval not in INTRADAY_INTERVALS:
                    raise CacheCorruptError(f"interval {interval!r} is not one of {INTRADAY_INTERVALS}.")
                ticker = _source_stem_to_ticker(stem)
                payload = path.read_bytes()
                frame = parse_bars_csv(payload, interval, label=str(path))
                problems = check_bars(frame, interval, cal.calendar_for(ticker))
                daily_file = Path(root) / "daily" / path.with_name(f"{stem}.csv").name
                if not problems and daily_file.is_file():  # a wrong clock shows against the daily open and close
                    daily = parse_price_csv(daily_file, "1d", label=str(daily_file))
                    problems = compare_bars_with_daily(frame, daily, provenance.get(ticker, {}).get("close_basis"),
                                                       interval)[0]
                if problems:
                    errors.append(f"{path.name}: " + "; ".join(problems))
                    continue
                key = f"{interval}/{ticker_to_filename(ticker)}"
                info = provenance.get(f"{interval}/{ticker}", {})
                staged.append((CacheEntry(
                    path=key, kind="bars", sha256=hashlib.sha256(payload).hexdigest(), ticker=ticker,
                    interval=interval, close_basis=info.get("close_basis", "raw"),
                    source=info.get("source", f"shared/market-data/intraday/{path.name} (see intraday/README.md)"),
                    written_at=_now(), **_bar_entry_fields(frame)), payload))
            except AnalysisError as exc:
                errors.append(f"{path.name}: {exc.message}")
        readme = folder / "README.md"
        if readme.exists():
            payload = readme.read_bytes()
            staged.append((CacheEntry(path="intraday/README.md", kind="provenance",
                                      sha256=hashlib.sha256(payload).hexdigest(),
                                      source="shared/market-data/intraday/README.md, copied verbatim (clocks, checks, "
                                             "quirks of the intraday bars)", written_at=_now()), payload))
        return staged, errors

    def read_bars(self, ticker: str, interval: str = "1m") -> pd.DataFrame:
        """The cached intraday bars of ``ticker``, checksum-verified, sorted, each marked with its segment.

        Parameters
        ----------
        ticker : str
        interval : {"1m", "5m"}

        Returns
        -------
        pandas.DataFrame
            Float ``open, high, low, close, volume`` (raw prices, the source's digits), ``source_timestamp`` (the
            source's own stamp, text) and ``segment`` (``pre``, ``regular``, ``post``), indexed by the bar's start,
            tz-aware America/New_York. ``attrs`` carry ticker, interval, source and close_basis.

        Raises
        ------
        UnknownTickerError
            When no bars of that interval are cached, with the commands that could fill them.
        """
        symbol = normalize_ticker(ticker)
        if interval not in INTRADAY_INTERVALS:
            raise CacheMissError(f"interval {interval!r} has no bar files.", f"use one of {', '.join(INTRADAY_INTERVALS)}.")
        key = f"{interval}/{ticker_to_filename(symbol)}"
        entries = self.manifest()
        if key not in entries:
            held = sorted(f"{e.ticker} ({e.interval})" for e in entries.values() if e.kind == "bars")
            mine = self.bar_intervals(symbol)
            what = (f"only {', '.join(mine)} bars are cached for {symbol}, not {interval}" if mine
                    else f"no intraday bars are cached for {symbol}")
            raise UnknownTickerError(
                f"{what} (cached: {', '.join(held) or 'none'}).",
                f"fetch them with: python -m analysis fetch {symbol} --interval {interval} --start YYYY-MM-DD --end "
                f"YYYY-MM-DD (Yahoo keeps 1m bars for 30 days, 2m-90m for 60 days, 1h for 730 days), or import a "
                f"source: {_IMPORT_HINT}")
        return self._read_bars_entry(entries[key])

    def _read_bars_entry(self, entry: CacheEntry) -> pd.DataFrame:
        payload, origin = self._committed(entry)
        frame = parse_bars_csv(payload, entry.interval, label=entry.path)
        if origin != "verified":  # the values, not only the checksum (see "Reads check values" above)
            problems = check_bars(frame, entry.interval, entry.calendar or "XNYS")
            if not problems and (entry.rows, entry.first, entry.last) != (
                    len(frame), frame.index[0].isoformat(), frame.index[-1].isoformat()):
                problems.append("rows or first/last bar differ from the manifest")
            if problems:
                raise CacheCorruptError(f"{entry.path} fails the cache's checks: " + "; ".join(problems) + ".",
                                        _restore_hint(entry.path))
            if origin == "file":
                self._remember_verified(entry)
        frame = frame.sort_index()
        frame["segment"] = bar_segments(frame.index, entry.interval, entry.calendar or "XNYS").to_numpy()
        frame.attrs.update(ticker=entry.ticker, interval=entry.interval, calendar=entry.calendar,
                           timezone=entry.timezone, close_basis=entry.close_basis, source=entry.source)
        return frame

    def bar_intervals(self, ticker: str) -> list[str]:
        """The intraday intervals cached for ``ticker``, finest first (empty when none)."""
        symbol = normalize_ticker(ticker)
        held = {e.interval for e in self.manifest().values() if e.kind == "bars" and e.ticker == symbol}
        return [i for i in INTRADAY_INTERVALS if i in held]

    def write_bars(self, ticker: str, frame: pd.DataFrame, *, interval: str, source: str,
                   close_basis: str = "fetched_raw", history: tuple[dict, ...] = ()) -> CacheEntry:
        """Validate intraday bars and write them as ``data/<interval>/<TICKER>.csv`` with a manifest entry."""
        symbol = normalize_ticker(ticker)
        frame = frame.sort_index()
        problems = check_bars(frame, interval, cal.calendar_for(symbol))
        if problems:
            raise CacheCorruptError(f"refusing to write {symbol} ({interval}): " + "; ".join(problems) + ".",
                                    "the data was not written; the cache is unchanged.")
        payload = serialize_bars(frame)
        entry = CacheEntry(path=f"{interval}/{ticker_to_filename(symbol)}", kind="bars",
                           sha256=hashlib.sha256(payload).hexdigest(), ticker=symbol, interval=interval,
                           close_basis=close_basis, source=source, written_at=_now(), history=tuple(history),
                           **_bar_entry_fields(frame))
        self._commit(entry, payload)
        return entry

    def check_bars_entry(self, entry: CacheEntry) -> tuple[list[str], list[str]]:
        """``(problems, notes)`` of one cached bar file: :func:`check_bars`, the manifest's coverage, and
        :func:`compare_bars_with_daily` against the ticker's daily file."""
        frame = parse_bars_csv(self._committed_bytes(entry), entry.interval, label=entry.path)
        problems = check_bars(frame, entry.interval, entry.calendar or "XNYS")
        if problems:
            return problems, []
        if (entry.rows, entry.first, entry.last) != (len(frame), frame.index[0].isoformat(),
                                                     frame.index[-1].isoformat()):
            problems.append("rows or first/last bar differ from the manifest")
        daily_key = f"1d/{ticker_to_filename(entry.ticker)}"
        entries = self.manifest()
        daily = self._read_entry(entries[daily_key]) if daily_key in entries else None
        basis = entries[daily_key].close_basis if daily_key in entries else None
        found, notes = compare_bars_with_daily(frame, daily, basis, entry.interval, entry.calendar or "XNYS")
        return problems + found, notes

    def verify_bars(self) -> tuple[list[Problem], list[Problem]]:
        """Check every cached bar file: ``(problems, notes)``; notes are known differences, reported not rejected."""
        problems: list[Problem] = []
        notes: list[Problem] = []
        for relative, entry in sorted(self.manifest().items()):
            if entry.kind != "bars":
                continue
            path = self.data_dir / relative
            if not path.exists() or sha256_of(path) != entry.sha256:
                continue  # verify() reports missing and changed files
            try:
                found, remarks = self.check_bars_entry(entry)
            except CacheCorruptError as exc:
                found, remarks = [exc.message], []
            problems += [Problem(relative, text) for text in found]
            notes += [Problem(relative, text) for text in remarks]
        return problems, notes


class Cache(_BarsMixin):
    """The project's cache of market data in ``data/``.

    Parameters
    ----------
    data_dir : path-like, optional
        The cache folder; ``<project>/data`` by default. Tests pass a temporary folder.
    """

    def __init__(self, data_dir: Path | str | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self._lock = None
        self._manifest_memo: tuple[tuple, dict[str, CacheEntry]] | None = None
        self._verified: dict[str, list] | None = None
        self.last_import_unchanged = 0
        self._frames: dict[str, tuple[list, pd.DataFrame]] = {}

    def __repr__(self) -> str:
        return f"Cache({str(self.data_dir)!r})"

    # -- paths -------------------------------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.data_dir / MANIFEST_NAME

    def relative_path(self, ticker: str, interval: str = "1d") -> str:
        """The manifest key of a ticker's file, e.g. ``1d/_IXIC.csv``."""
        return f"{_check_interval(interval)}/{ticker_to_filename(ticker)}"

    def path_for(self, ticker: str, interval: str = "1d") -> Path:
        """The file of a ticker, guaranteed to lie inside the cache folder."""
        return self._inside(self.relative_path(ticker, interval))

    def _inside(self, relative: str) -> Path:
        root = self.data_dir.resolve()
        candidate = root / relative
        path = candidate.resolve()
        if root not in path.parents:
            links = [p for p in (candidate, *candidate.parents) if p != root and root in p.parents and p.is_symlink()]
            if links:
                raise CacheCorruptError(
                    f"{relative} is a symbolic link to {path}, outside the cache folder {root}; the cache reads and "
                    "writes only its own files.",
                    f"replace the link by the file itself ({_restore_hint(relative)}).")
            raise InvalidTickerError(f"{relative!r} would lie outside the cache folder {root}.",
                                     "use a plain ticker symbol.")
        return path

    # -- locking -----------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        """Hold the cache's lock (``data/.lock``) for a write; re-entrant within one :class:`Cache`.

        Every write to the cache goes through this context (and :func:`atomic_write_bytes` or :meth:`_commit`
        inside it), so concurrent writers take turns and :meth:`recover` never removes another writer's temporary
        file. Raises :class:`~analysis.errors.CacheWriteError` when the folder is not writable or another process
        holds the lock for more than :data:`LOCK_TIMEOUT` seconds.
        """
        from filelock import FileLock, Timeout

        unchanged = "the cache is unchanged."
        if self._lock is None:
            try:
                self.data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CacheWriteError(f"cannot create the cache folder {self.data_dir} ({exc.strerror}).",
                                      "pass a writable folder with --data-dir.") from None
            self._lock = FileLock(str(self.data_dir / LOCK_NAME), timeout=LOCK_TIMEOUT)
        if not os.access(self.data_dir, os.W_OK):
            raise CacheWriteError(f"the cache folder {self.data_dir} is read-only.",
                                  f"make it writable (chmod u+w {self.data_dir}) or pass a writable copy with "
                                  f"--data-dir; {unchanged}")
        try:
            self._lock.acquire()
        except Timeout:
            raise CacheWriteError(f"another process has held the cache's lock ({self._lock.lock_file}) for "
                                  f"{LOCK_TIMEOUT:.0f} s.",
                                  f"wait for the other import or fetch to finish, then run this again; {unchanged}"
                                  ) from None
        except OSError as exc:
            raise CacheWriteError(f"cannot lock the cache folder {self.data_dir} ({exc.strerror}).",
                                  f"make it writable or pass a writable copy with --data-dir; {unchanged}") from None
        try:
            yield
        finally:
            self._lock.release()

    @staticmethod
    def _backup_of(path: Path) -> Path:
        return path.with_name(f".{path.name}.bak")

    # -- manifest ----------------------------------------------------------------------------------------------------
    def manifest(self) -> dict[str, CacheEntry]:
        """The manifest's entries by relative path.

        Raises
        ------
        ManifestMissingError
            When there is no ``manifest.json``: whatever files the folder holds cannot be trusted (one rule for every
            command: restore the manifest with git, or rebuild it with ``cache import``).
        CacheCorruptError
            When the manifest cannot be parsed.
        """
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            raise self._manifest_missing() from None
        except OSError as exc:
            raise CacheCorruptError(f"{self.manifest_path} cannot be read ({exc.strerror}).", _IMPORT_HINT) from None
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if self._manifest_memo is not None and self._manifest_memo[0] == key:
            return dict(self._manifest_memo[1])
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            files = data["files"]
            entries = {path: CacheEntry.from_json(path, entry) for path, entry in files.items()}
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise CacheCorruptError(f"{self.manifest_path} is not a valid manifest ({type(exc).__name__}).",
                                    _restore_hint(MANIFEST_NAME)) from None
        except OSError as exc:
            raise CacheCorruptError(f"{self.manifest_path} cannot be read ({exc.strerror}).", _IMPORT_HINT) from None
        self._manifest_memo = (key, entries)
        return dict(entries)

    def _entries(self) -> dict[str, CacheEntry]:
        """The manifest's entries, or none for a cache being built (writers only)."""
        return self.manifest() if self.manifest_path.exists() else {}

    def _manifest_missing(self) -> ManifestMissingError:
        folder = self.data_dir
        rebuild = "python -m analysis cache import PATH/TO/market-data"
        if not folder.is_dir():
            return ManifestMissingError(f"the cache folder {folder} does not exist.",
                                        "pass an existing cache folder with --data-dir, or leave --data-dir out to "
                                        "use the project's data/.")
        if folder.resolve() == default_data_dir().resolve():
            return ManifestMissingError(f"{folder / MANIFEST_NAME} is missing, so no cached file can be trusted.",
                                        f"restore it (git checkout data/{MANIFEST_NAME}) or rebuild it ({rebuild}).")
        return ManifestMissingError(f"{folder} holds no {MANIFEST_NAME}: it is empty or not a cache folder.",
                                    f"pass the project's data/ (or a copy of it) with --data-dir, or build a cache "
                                    f"there: python -m analysis --data-dir {folder} cache import PATH/TO/market-data")

    def _write_manifest(self, entries: dict[str, CacheEntry]) -> None:
        payload = {
            "version": MANIFEST_VERSION,
            "description": "Checksums and coverage of every file in data/. Written by analysis.cache; "
                           "see data/SOURCES.md for provenance.",
            "files": {path: entries[path].to_json() for path in sorted(entries)},
        }
        atomic_write_bytes(self.manifest_path, (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode())
        self._manifest_memo = None

    def entry(self, ticker: str, interval: str = "1d") -> CacheEntry:
        """The manifest entry of a ticker, or :class:`UnknownTickerError`."""
        key = self.relative_path(ticker, interval)
        entries = self.manifest()
        if key not in entries:
            held = sorted({e.ticker for e in entries.values() if e.kind == "prices" and e.ticker})
            raise UnknownTickerError(
                f"{normalize_ticker(ticker)} ({interval}) is not in the cache; it holds {', '.join(held) or 'nothing'}.",
                f"fetch it with: python -m analysis fetch {normalize_ticker(ticker)} --start YYYY-MM-DD --end YYYY-MM-DD",
            )
        return entries[key]

    def tickers(self, interval: str = "1d") -> list[str]:
        """The tickers cached at ``interval``."""
        return sorted(e.ticker for e in self.manifest().values()
                      if e.kind == "prices" and e.interval == interval and e.ticker)

    def close_basis(self, ticker: str) -> str:
        """What ``close`` means in the ticker's daily file: one of :data:`CLOSE_BASES`."""
        return self.entry(ticker).close_basis or "unknown"

    # -- reading -----------------------------------------------------------------------------------------------------
    def _committed_bytes(self, entry: CacheEntry) -> bytes:
        """The bytes of the version the manifest describes (the backup, if a write was interrupted)."""
        return self._committed(entry)[0]

    def _committed(self, entry: CacheEntry) -> tuple[bytes, str]:
        """The committed bytes, and where they come from: ``"verified"`` (the file, known to pass the value
        checks), ``"file"`` (the file, checksum-verified) or ``"backup"`` (an interrupted write's backup).

        An unchanged file (same size, mtime and manifest sha256 as when it last passed) is neither hashed nor
        checked again; see :meth:`_remember_verified`.
        """
        path = self._inside(entry.path)
        try:
            if self._is_verified(entry, path):
                return path.read_bytes(), "verified"
            for candidate, origin in ((path, "file"), (self._backup_of(path), "backup")):
                if candidate.exists():
                    payload = candidate.read_bytes()
                    if hashlib.sha256(payload).hexdigest() == entry.sha256:
                        return payload, origin
        except IsADirectoryError:
            raise CacheCorruptError(f"{entry.path} is a folder, not a file.", _restore_hint(entry.path)) from None
        except OSError as exc:
            raise CacheCorruptError(f"{entry.path} cannot be read ({exc.strerror}).",
                                    _restore_hint(entry.path)) from None
        if not path.exists():
            raise CacheCorruptError(f"{entry.path} is listed in the manifest but missing from {self.data_dir}.",
                                    _restore_hint(entry.path))
        raise ChecksumMismatchError(
            f"{entry.path} does not match its manifest checksum: the file was changed or truncated.",
            _restore_hint(entry.path),
        )

    # -- the record of files that passed their checks ----------------------------------------------------------------
    def _verified_record(self) -> dict[str, list]:
        if self._verified is None:
            try:
                data = json.loads((self.data_dir / VERIFIED_NAME).read_text(encoding="utf-8"))
                self._verified = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._verified = {}
        return self._verified

    @staticmethod
    def _stamp(path: Path, entry: CacheEntry) -> list | None:
        try:
            stat = path.lstat()
        except OSError:
            return None
        return [stat.st_size, stat.st_mtime_ns, stat.st_ino, entry.sha256]

    def _is_verified(self, entry: CacheEntry, path: Path) -> bool:
        stamp = self._verified_record().get(entry.path)
        return stamp is not None and stamp == self._stamp(path, entry)

    def _remember_verified(self, entry: CacheEntry) -> None:
        """Record that ``entry``'s file passed the checksum and value checks (best effort; a read-only folder
        simply means the checks run again next time). Files changed within the last two seconds are not recorded,
        so an edit inside the file system's timestamp resolution is never mistaken for the checked version."""
        path = self.data_dir / entry.path
        stamp = self._stamp(path, entry)
        if stamp is None or dt.datetime.now().timestamp() - stamp[1] / 1e9 < 2.0:
            return
        record = self._verified_record()
        record[entry.path] = stamp
        try:
            on_disk = json.loads((self.data_dir / VERIFIED_NAME).read_text(encoding="utf-8"))
            if isinstance(on_disk, dict):
                record = {**on_disk, **record}
        except (OSError, ValueError):
            pass
        self._verified = record
        try:
            atomic_write_bytes(self.data_dir / VERIFIED_NAME, json.dumps(record, sort_keys=True).encode())
        except OSError:
            pass

    def _value_problems(self, entry: CacheEntry, frame: pd.DataFrame) -> list[str]:
        """The value checks of ``cache verify`` for one parsed price file (empty when all is well)."""
        problems = check_price_frame(frame, entry.calendar or "XNYS", entry.interval or "1d")
        if problems:
            return problems
        fmt = (lambda ts: str(ts.date())) if entry.interval == "1d" else (lambda ts: ts.isoformat())
        if (entry.rows, entry.first, entry.last) != (len(frame), fmt(frame.index[0]), fmt(frame.index[-1])):
            problems.append(f"{len(frame)} rows {fmt(frame.index[0])}..{fmt(frame.index[-1])} where the manifest "
                            f"says {entry.rows} rows {entry.first}..{entry.last}")
        return problems

    def read(self, ticker: str, interval: str = "1d") -> pd.DataFrame:
        """The full cached history of ``ticker``, checksum-verified.

        Returns
        -------
        pandas.DataFrame
            Float columns ``open, high, low, close, adj_close, volume`` (NaN where the source had no value),
            indexed by session date (tz-naive; the session's date in the exchange timezone). Intraday bars are read
            with :meth:`read_bars`. ``attrs`` carry ``ticker``, ``calendar``, ``timezone``,
            ``close_basis`` and ``source``.
        """
        return self._read_entry(self.entry(ticker, interval))

    def _read_entry(self, entry: CacheEntry) -> pd.DataFrame:
        if entry.kind == "bars":
            return self._read_bars_entry(entry)
        stamp = self._stamp(self.data_dir / entry.path, entry)
        memo = self._frames.get(entry.path)
        if memo is not None and stamp is not None and memo[0] == stamp:
            return memo[1].copy()
        payload, origin = self._committed(entry)
        frame = parse_price_csv(payload, entry.interval or "1d", label=entry.path)
        if entry.interval != "1d":
            frame.index = frame.index.tz_convert(entry.timezone or "UTC")
        if origin != "verified":
            problems = self._value_problems(entry, frame)
            if problems:
                raise CacheCorruptError(f"{entry.path} fails the cache's checks: " + "; ".join(problems) + ".",
                                        _restore_hint(entry.path))
            if origin == "file":
                self._remember_verified(entry)
        frame.attrs.update(ticker=entry.ticker, interval=entry.interval, calendar=entry.calendar,
                           timezone=entry.timezone, close_basis=entry.close_basis, source=entry.source)
        if origin != "backup" and stamp is not None:
            self._frames[entry.path] = (stamp, frame.copy())  # a second read in this process parses nothing
        return frame

    def read_range(self, ticker: str, start=None, end=None, interval: str = "1d") -> pd.DataFrame:
        """Like :meth:`read`, restricted to ``start..end`` (inclusive), which the cache must cover.

        Raises
        ------
        CacheMissError
            When part of the range is not cached; the message names the missing dates and the fetch command.
        """
        entry = self.entry(ticker, interval)
        frame = self._read_entry(entry)
        first, last = pd.Timestamp(entry.first), pd.Timestamp(entry.last)
        start_ts = cal.to_date(start) if start is not None else first
        end_ts = cal.to_date(end) if end is not None else last
        if end_ts < start_ts:
            raise CacheMissError(f"the range {start_ts.date()}..{end_ts.date()} ends before it starts.",
                                 "swap --start and --end.")
        wanted = cal.sessions(start_ts, end_ts, entry.calendar or "XNYS")
        if len(wanted) == 0:
            raise CacheMissError(f"there is no {entry.calendar} session in {start_ts.date()}..{end_ts.date()}.",
                                 "widen the range.")
        gaps = [(part[0], part[-1]) for part in (wanted[wanted < first], wanted[wanted > last]) if len(part)]
        if gaps:
            text = " and ".join(f"{a.date()}..{b.date()}" for a, b in gaps)
            a, b = gaps[0]
            raise CacheMissError(
                f"{entry.ticker} ({interval}) is cached for {entry.first}..{entry.last}; {text} is missing.",
                "fetch it with: " + _FETCH_HINT.format(ticker=entry.ticker, start=a.date(), end=b.date()),
            )
        if interval == "1d":
            return frame.loc[start_ts:end_ts]
        local = frame.index.tz_localize(None).normalize()
        return frame[(local >= start_ts) & (local <= end_ts)]

    def read_factors(self, name: str = "FF3") -> pd.DataFrame:
        """The Fama-French daily factors, **in percent** as published: ``name`` is "FF3" (Mkt-RF, SMB, HML, RF),
        "FF5" (Mkt-RF, SMB, HML, RMW, CMA, RF) or "MOM" (Mom); see :data:`FACTOR_FILES`."""
        entries = self.manifest()
        if name not in FACTOR_FILES:
            raise ValueError(f"unknown factor file {name!r}; choose one of {', '.join(FACTOR_FILES)}")
        filename, columns = FACTOR_FILES[name]
        key = f"factors/{filename}"
        if key not in entries:
            raise UnknownTickerError(f"the Fama-French factors {filename} are not in the cache.", _IMPORT_HINT)
        payload, origin = self._committed(entries[key])
        frame = parse_factor_csv(payload, label=key, columns=columns)
        if origin != "verified":
            problems = _factor_problems(frame)
            if problems:
                raise CacheCorruptError(f"{key} fails the cache's checks: " + "; ".join(problems) + ".",
                                        _restore_hint(key))
            if origin == "file":
                self._remember_verified(entries[key])
        frame.attrs.update(units="percent", source=entries[key].source)
        return frame

    def read_secondary(self, name: str = "BTC-USD_second-vendor.csv") -> pd.DataFrame:
        """A second vendor's series, for cross-checks only."""
        key = f"secondary/{Path(name).name}"
        entries = self.manifest()
        if key not in entries:
            raise UnknownTickerError(f"{key} is not in the cache.", _IMPORT_HINT)
        return parse_price_csv(self._committed_bytes(entries[key]), "1d", label=key)

    def read_text(self, relative: str) -> str:
        """A checksum-verified text file of the cache (``meta/...``, ``SOURCES.md``)."""
        entries = self.manifest()
        if relative not in entries:
            raise UnknownTickerError(f"{relative} is not in the cache.", _IMPORT_HINT)
        return self._committed_bytes(entries[relative]).decode("utf-8")

    # -- writing -----------------------------------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Roll back any write that was interrupted between the data file and the manifest.

        Returns the relative paths rolled back. Nothing is locked or written when there is nothing to recover, so
        this is safe on a read-only cache; otherwise it holds the cache's lock, so it never removes the temporary
        file of a writer that is still at work.
        """
        leftovers = [*self.data_dir.glob("*/.*.bak"), *self.data_dir.glob("*/.*.tmp"),
                     *self.data_dir.glob(f".{MANIFEST_NAME}.*.tmp")]
        if not leftovers:
            return []
        with self._locked():
            entries = self._entries()
            rolled = []
            for relative, entry in entries.items():
                path = self.data_dir / relative
                backup = self._backup_of(path)
                if not backup.exists():
                    continue
                if path.exists() and sha256_of(path) == entry.sha256:
                    backup.unlink()  # the write completed; the backup is stale
                    continue
                if sha256_of(backup) == entry.sha256:
                    os.replace(backup, self._inside(relative))
                    rolled.append(relative)
            # backups of files the manifest never learnt about (an interrupted first write)
            for backup in self.data_dir.glob("*/.*.bak"):
                original = backup.with_name(backup.name[1:-len(".bak")])
                if f"{original.parent.name}/{original.name}" not in entries:
                    backup.unlink()
            for stale in [*self.data_dir.glob("*/.*.tmp"), *self.data_dir.glob(f".{MANIFEST_NAME}.*.tmp")]:
                stale.unlink(missing_ok=True)
            return rolled

    def _commit(self, entry: CacheEntry, payload: bytes) -> bool:
        """Write ``payload`` as ``entry.path`` and record ``entry`` in the manifest, crash-safely, under the lock.

        When the file already holds exactly ``payload`` and the manifest entry differs only in ``written_at``,
        nothing is written (unchanged data stays unchanged, byte for byte). Returns whether anything was written.
        """
        with self._locked():
            self.recover()
            entries = self._entries()
            path = self._inside(entry.path)
            old = entries.get(entry.path)
            if (old is not None and _without_time(old) == _without_time(entry) and path.is_file()
                    and path.stat().st_size == len(payload) and path.read_bytes() == payload):
                return False
            backup = self._backup_of(path)
            if path.exists():
                shutil.copy2(path, backup)
            try:
                atomic_write_bytes(path, payload)
            except BaseException:
                backup.unlink(missing_ok=True)  # the file was not replaced: the backup is not needed
                raise
            entries[entry.path] = entry
            self._write_manifest(entries)  # a crash before this line is rolled back by recover()
            backup.unlink(missing_ok=True)
            return True

    def write_prices(self, ticker: str, frame: pd.DataFrame, *, interval: str = "1d", source: str,
                     close_basis: str, history: tuple[dict, ...] = ()) -> CacheEntry:
        """Validate ``frame`` and write it as the ticker's file (replacing it), with a manifest entry."""
        ticker = normalize_ticker(ticker)
        calendar = cal.calendar_for(ticker)
        problems = check_price_frame(frame, calendar, interval)
        if problems:
            raise CacheCorruptError(f"refusing to write {ticker}: " + "; ".join(problems) + ".",
                                    "the data was not written; the cache is unchanged.")
        payload = serialize_prices(frame, interval)
        entry = self._price_entry(ticker, interval, payload, frame, source, close_basis, history)
        self._commit(entry, payload)
        return entry

    def _price_entry(self, ticker, interval, payload, frame, source, close_basis, history) -> CacheEntry:
        calendar = cal.calendar_for(ticker)
        missing = tuple(c for c in PRICE_COLUMNS if frame[c].isna().all())
        fmt = (lambda ts: str(ts.date())) if interval == "1d" else (lambda ts: ts.isoformat())
        return CacheEntry(
            path=self.relative_path(ticker, interval), kind="prices", sha256=hashlib.sha256(payload).hexdigest(),
            rows=len(frame), ticker=ticker, interval=interval, calendar=calendar, timezone=cal.timezone_for(calendar),
            first=fmt(frame.index[0]), last=fmt(frame.index[-1]), close_basis=close_basis, missing_fields=missing,
            source=source, written_at=_now(), history=tuple(history),
        )

    # -- import ------------------------------------------------------------------------------------------------------
    def import_market_data(self, source_dir: Path | str) -> list[CacheEntry]:
        """Import the shared market data: daily histories, factors, the second vendor's BTC, meta and SOURCES.md.

        ``source_dir`` is the ``market-data`` folder or its ``daily/`` subfolder. Every file is validated before
        anything is written, and copied byte for byte, so its sha256 in the manifest is the source file's.
        Provenance (source and meaning of ``close``) comes from ``data/provenance.csv``.
        """
        with self._locked():
            return self._import_market_data(source_dir)

    def _import_market_data(self, source_dir: Path | str) -> list[CacheEntry]:
        root = Path(source_dir)
        if (root / "daily").is_dir():
            daily = root / "daily"
        elif root.is_dir() and list(root.glob("*.csv")):
            daily, root = root, root.parent
        else:
            raise CacheMissError(f"{source_dir} holds no daily/ folder and no CSV files.",
                                 "pass the market-data folder (the one holding daily/, factors/ and SOURCES.md).")
        provenance = self.provenance()
        staged: list[tuple[CacheEntry, bytes]] = []
        errors: list[str] = []
        for path in sorted(daily.glob("*.csv")):
            try:
                ticker = _source_stem_to_ticker(path.stem)
                payload = path.read_bytes()
                frame = parse_price_csv(payload, "1d", label=str(path))
                problems = check_price_frame(frame, cal.calendar_for(ticker), "1d")
                if problems:
                    errors.append(f"{path.name}: " + "; ".join(problems))
                    continue
                info = provenance.get(ticker, {})
                entry = self._price_entry(ticker, "1d", payload, frame, info.get("source", f"imported from {path}"),
                                          info.get("close_basis", "unknown"), ())
                staged.append((entry, payload))
            except AnalysisError as exc:
                errors.append(f"{path.name}: {exc.message}")
        factors = root / "factors" / "FF3_daily.csv"
        if factors.exists():
            payload = factors.read_bytes()
            try:
                frame = parse_factor_csv(payload, label=str(factors))
                staged.append((CacheEntry(
                    path="factors/FF3_daily.csv", kind="factors", sha256=hashlib.sha256(payload).hexdigest(),
                    rows=len(frame), calendar="XNYS", timezone="America/New_York", first=str(frame.index[0].date()),
                    last=str(frame.index[-1].date()), written_at=_now(),
                    source=provenance.get("FF3", {}).get("source", "Kenneth R. French data library (see SOURCES.md)"),
                ), payload))
            except AnalysisError as exc:
                errors.append(f"{factors.name}: {exc.message}")
        for name in ("FF5", "MOM"):  # beside FF3, the same way
            filename, columns = FACTOR_FILES[name]
            extra = root / "factors" / filename
            if not extra.exists():
                continue
            payload = extra.read_bytes()
            try:
                frame = parse_factor_csv(payload, label=str(extra), columns=columns)
                staged.append((CacheEntry(
                    path=f"factors/{filename}", kind="factors", sha256=hashlib.sha256(payload).hexdigest(),
                    rows=len(frame), calendar="XNYS", timezone="America/New_York", first=str(frame.index[0].date()),
                    last=str(frame.index[-1].date()), written_at=_now(),
                    source=provenance.get(name, {}).get("source", "Kenneth R. French data library (see SOURCES.md)"),
                ), payload))
            except AnalysisError as exc:
                errors.append(f"{extra.name}: {exc.message}")
        for sub, kind in (("secondary", "secondary"), ("meta", "meta")):
            for path in sorted((root / sub).glob("*")) if (root / sub).is_dir() else []:
                payload = path.read_bytes()
                entry = CacheEntry(path=f"{sub}/{path.name}", kind=kind, sha256=hashlib.sha256(payload).hexdigest(),
                                   source=f"shared/market-data/{sub}/{path.name} (see SOURCES.md)", written_at=_now())
                if kind == "secondary":
                    frame = parse_price_csv(payload, "1d", label=str(path))
                    entry = dataclasses.replace(entry, rows=len(frame), calendar="24/7", timezone="UTC",
                                                first=str(frame.index[0].date()), last=str(frame.index[-1].date()))
                staged.append((entry, payload))
        if (root / "SOURCES.md").exists():
            payload = (root / "SOURCES.md").read_bytes()
            staged.append((CacheEntry(path="SOURCES.md", kind="provenance", sha256=hashlib.sha256(payload).hexdigest(),
                                      source="shared/market-data/SOURCES.md, copied verbatim", written_at=_now()),
                           payload))
        bars, bar_errors = self._stage_intraday(root, provenance)  # intraday/ (1m, 5m bars), if the source has it
        staged += bars
        errors += bar_errors
        try:  # the index universe (universe/), when the shared folder has one
            staged.extend(stage_universe(root, "sp500", provenance))
        except AnalysisError as exc:
            errors.append(f"universe: {exc.message}")
        if errors:
            raise CacheCorruptError("nothing was imported; these source files fail validation: " + " | ".join(errors),
                                    "fix or remove those files and import again.")
        self.last_import_unchanged = sum(not self._commit(entry, payload) for entry, payload in staged)
        return [entry for entry, _ in staged]

    def _provenance_table(self, name: str, key: str) -> dict[str, dict[str, str]]:
        """A provenance CSV of ``data/`` as rows keyed by the column ``key`` (empty when the file is absent)."""
        path = self.data_dir / name
        if not path.exists():
            return {}
        with open(path, newline="", encoding="utf-8") as handle:
            return {row[key]: row for row in csv.DictReader(handle)}

    def provenance(self) -> dict[str, dict[str, str]]:
        """``data/provenance.csv`` by ticker: source, close_basis, second_source, cross_check."""
        return self._provenance_table("provenance.csv", "ticker")

    # -- verify ------------------------------------------------------------------------------------------------------
    def verify(self) -> list[Problem]:
        """Check every cached file; return the problems found (empty when all is well).

        For each file: it exists and its sha256 equals the manifest's; price files parse with the expected schema and
        dtypes, have ascending unique dates that are exactly the sessions of their calendar (XNYS, or every calendar
        day for crypto), positive prices, ``low <= open, close <= high`` where all four exist, and a first date, last
        date and row count that agree with the manifest. Files in ``data/<interval>/`` that the manifest does not
        list are reported too.
        """
        problems: list[Problem] = []
        try:
            entries = self.manifest()
        except CacheCorruptError as exc:
            return [Problem(MANIFEST_NAME, str(exc))]
        if not entries:
            return [Problem(MANIFEST_NAME, f"the manifest of {self.data_dir} lists no files. Fix: {_IMPORT_HINT}")]
        for relative, entry in sorted(entries.items()):
            try:
                path = self._inside(relative)
            except AnalysisError as exc:
                problems.append(Problem(relative, exc.message))
                continue
            if not path.is_file():
                problems.append(Problem(relative, "listed in the manifest but missing" if not path.exists()
                                        else "listed in the manifest but not a file"))
                continue
            try:
                digest = sha256_of(path)
            except OSError as exc:
                problems.append(Problem(relative, f"cannot be read ({exc.strerror})"))
                continue
            if digest != entry.sha256:
                problems.append(Problem(relative, "sha256 differs from the manifest (changed or truncated)"))
                continue
            try:
                if entry.kind == "prices":
                    frame = parse_price_csv(path, entry.interval or "1d", label=relative)
                    if entry.interval != "1d":
                        frame.index = frame.index.tz_convert(entry.timezone or "UTC")
                    for text in check_price_frame(frame, entry.calendar or "XNYS", entry.interval or "1d"):
                        problems.append(Problem(relative, text))
                    fmt = (lambda ts: str(ts.date())) if entry.interval == "1d" else (lambda ts: ts.isoformat())
                    if (entry.rows, entry.first, entry.last) != (len(frame), fmt(frame.index[0]), fmt(frame.index[-1])):
                        problems.append(Problem(relative, "rows or first/last date differ from the manifest"))
                elif entry.kind in ("universe", "universe-members"):
                    problems.extend(verify_universe_entry(self, relative, entry))
                elif entry.kind == "factors":
                    columns = next((c for f, c in FACTOR_FILES.values() if f == Path(relative).name), FACTOR_COLUMNS)
                    frame = parse_factor_csv(path, label=relative, columns=columns)
                    problems.extend(Problem(relative, text) for text in _factor_problems(frame))
            except AnalysisError as exc:
                problems.append(Problem(relative, exc.message))
        problems += self.verify_bars()[0]  # intraday bar files: their own rules (analysis.cache.check_bars)
        for interval in INTERVALS:
            for path in sorted((self.data_dir / interval).glob("*.csv")):
                if f"{interval}/{path.name}" not in entries:
                    problems.append(Problem(f"{interval}/{path.name}", "not listed in the manifest"))
        problems.extend(self.verify_extensions(entries, broken={p.file for p in problems}))
        return problems

    def coverage(self) -> pd.DataFrame:
        """What is cached: one row per price file, with its coverage, rows, calendar and meaning of close."""
        rows = []
        for entry in self.manifest().values():
            if entry.kind not in ("prices", "bars"):  # bars: intraday 1m/5m files, first/last as ET timestamps
                continue
            rows.append({
                "ticker": entry.ticker, "interval": entry.interval, "first": entry.first, "last": entry.last,
                "rows": entry.rows, "calendar": entry.calendar, "close_basis": entry.close_basis,
                "missing_fields": ",".join(entry.missing_fields) or "-", "file": entry.path,
            })
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        return frame.sort_values(["interval", "ticker"]).reset_index(drop=True)

    # -- extensions: a second source for a later date range (issue 10) -------------------------------------------------
    def extension_entry(self, ticker: str) -> CacheEntry | None:
        """The manifest entry of the ticker's extension file (``1d-extended/`` or ``fred/``), or None."""
        ticker = normalize_ticker(ticker)
        for entry in self.manifest().values():
            if entry.kind == EXTENSION_KIND and entry.ticker == ticker:
                return entry
        return None

    def read_extension(self, ticker: str) -> pd.DataFrame:
        """The extension file of ``ticker`` (checksum-verified), for **returns only**.

        Returns
        -------
        DataFrame
            Columns ``open, high, low, close, adj_close, volume`` (NaN where the source has no field; ``adj_close``
            is always NaN because ``close`` itself is split- and dividend-adjusted, or an index level from FRED).
            ``attrs["close_basis"]`` is ``adjusted`` (or ``index_level``): a level from an adjusted source sits below
            the raw price newspapers quote and must never be shown as one.
        """
        entry = self.extension_entry(ticker)
        if entry is None:
            raise UnknownTickerError(f"{normalize_ticker(ticker)} has no extension in the cache.", _IMPORT_HINT)
        frame = parse_extension_csv(self._committed_bytes(entry), label=entry.path)
        frame.attrs.update(ticker=entry.ticker, calendar=entry.calendar, close_basis=entry.close_basis,
                           source=entry.source, interval="1d")
        return frame

    def joined_returns(self, ticker: str) -> pd.Series:
        """Simple close-to-close returns of ``ticker`` over the cache **and** its extension, chained.

        Rule: the original file is used for its whole range, exactly as before (so every analysis of its range
        computes what it computed); the extension supplies only the returns of the sessions **after** the original
        file's last date. The first of those is the extension's close on that session over its close on the
        original's last date, so no level of one source is ever divided by a level of the other. The extension is
        used only when its join is ``ok`` (:func:`check_join`, recorded in the manifest and re-checked by
        ``cache verify``). A ticker with only an extension (AMAT, INTC, ...) gets the extension's returns.

        Returns
        -------
        Series
            Decimal simple returns indexed by session; ``attrs``: ``basis``, ``segments`` (list of
            ``{file, first, last, basis}``), ``extension`` (``used``, ``absent`` or ``not used: <why>``).
        """
        from .returns import simple_returns  # lazy: returns imports this module

        ticker = normalize_ticker(ticker)
        entries = self.manifest()
        base_entry = entries.get(self.relative_path(ticker))
        ext_entry = self.extension_entry(ticker)
        if base_entry is None and ext_entry is None:
            self.entry(ticker)  # raises UnknownTickerError naming what is held
        segments: list[dict] = []
        parts: list[pd.Series] = []
        status = "absent"
        last = None
        if base_entry is not None:
            base = simple_returns(self._read_entry(base_entry))
            parts.append(base)
            last = base.index[-1]
            segments.append({"file": base_entry.path, "first": str(base.index[0].date()), "last": str(last.date()),
                             "basis": base.attrs["basis"]})
        if ext_entry is not None:
            join = ext_entry.join or {}
            if base_entry is not None and join.get("base_sha256") != base_entry.sha256:
                # the original was rewritten since the import (a fetch): check the join again on the current files
                join = check_join(parts[0], self.read_extension(ticker)["close"], base_entry.close_basis or "unknown",
                                  base_file=base_entry.path)
            if base_entry is not None and join.get("status") != "ok":
                status = f"not used: the join with {base_entry.path} has status {join.get('status', 'unchecked')}"
            else:
                ext = self.read_extension(ticker)["close"].dropna()
                ext_ret = (ext / ext.shift(1) - 1).iloc[1:]
                if last is not None:
                    ext_ret = ext_ret[ext_ret.index > last]
                if len(ext_ret):
                    parts.append(ext_ret)
                    segments.append({"file": ext_entry.path, "first": str(ext_ret.index[0].date()),
                                     "last": str(ext_ret.index[-1].date()),
                                     "basis": "simple close-to-close return from the extension's adjusted close"
                                              if ext_entry.close_basis == "adjusted"
                                              else "simple close-to-close return of the index level"})
                status = "used"
        out = pd.concat(parts) if len(parts) > 1 else parts[0].copy()
        out.name = ticker
        out.index.name = "session"
        out.attrs = {"basis": "simple close-to-close returns, chained across sources (see segments)",
                     "segments": segments, "extension": status, "calendar": cal.calendar_for(ticker)}
        return out

    def read_timeline(self) -> pd.DataFrame:
        """The DeepSeek timeline imported into ``data/timeline/`` (checksum-verified), dates parsed.

        Columns: date (Timestamp), time_utc, label, kind (``deepseek_release``, ``confound``, ``market``), source,
        confidence, note. Empty fields stay empty strings.
        """
        key = f"{TIMELINE_DIR}/{TIMELINE_FILE}"
        entries = self.manifest()
        if key not in entries:
            raise UnknownTickerError("the release timeline is not in the cache.", _IMPORT_HINT)
        return parse_timeline_csv(self._committed_bytes(entries[key]), label=key)

    def import_extensions(self, source_dir: Path | str) -> list[CacheEntry]:
        """Import ``daily-extended/``, ``fred/`` and the timeline (``../timeline/``) beside the cached histories.

        Every file is validated (XNYS sessions, positive prices, OHLC order) and copied byte for byte, so its sha256
        in the manifest is the source file's. Each extension is joined to the ticker's original file on their
        overlap (:func:`check_join`) and the result is recorded in the extension's manifest entry; run this after
        :meth:`import_market_data`, which it does not change. Provenance comes from ``data/provenance_extended.csv``.
        """
        root = Path(source_dir)
        if root.name == "daily" and (root.parent / EXTENSION_SOURCE_DIR).is_dir():
            root = root.parent
        provenance = self.extension_provenance()
        staged: list[tuple[CacheEntry, bytes]] = []
        errors: list[str] = []
        files: list[tuple[Path, str, str]] = []  # (path, ticker, manifest path)
        if (root / EXTENSION_SOURCE_DIR).is_dir():
            for path in sorted((root / EXTENSION_SOURCE_DIR).glob("*.csv")):
                ticker = _source_stem_to_ticker(path.stem)
                files.append((path, ticker, f"{EXTENSION_DIR}/{ticker_to_filename(ticker)}"))
        if (root / FRED_DIR).is_dir():
            for path in sorted((root / FRED_DIR).glob("*.csv")):
                if path.stem in FRED_SERIES:
                    files.append((path, FRED_SERIES[path.stem], f"{FRED_DIR}/{path.name}"))
                else:
                    payload, frame = _read_extension_source(path, errors)
                    if frame is None:
                        continue
                    staged.append((CacheEntry(
                        path=f"{FRED_DIR}/{path.name}", kind="reference", sha256=hashlib.sha256(payload).hexdigest(),
                        rows=len(frame), first=str(frame.index[0].date()), last=str(frame.index[-1].date()),
                        source=provenance.get(f"{FRED_DIR}/{path.name}", {}).get("source", f"imported from {path}"),
                        written_at=_now()), payload))
        entries = self.manifest()
        for path, ticker, relative in files:
            payload, frame = _read_extension_source(path, errors)
            if frame is None:
                continue
            problems = check_price_frame(frame, cal.calendar_for(ticker), "1d")
            if problems:
                errors.append(f"{path.name}: " + "; ".join(problems))
                continue
            info = provenance.get(relative, {})
            base_entry = entries.get(self.relative_path(ticker))
            join = None
            if base_entry is not None:
                from .returns import simple_returns

                base = simple_returns(self._read_entry(base_entry))
                join = check_join(base, frame["close"], base_entry.close_basis or "unknown",
                                  base_file=base_entry.path)
                join["base_sha256"] = base_entry.sha256
            else:
                join = {"status": "no_base", "rule": "no original file: the extension is the only source"}
            staged.append((CacheEntry(
                path=relative, kind=EXTENSION_KIND, sha256=hashlib.sha256(payload).hexdigest(), rows=len(frame),
                ticker=ticker, interval="1d", calendar=cal.calendar_for(ticker),
                timezone=cal.timezone_for(cal.calendar_for(ticker)), first=str(frame.index[0].date()),
                last=str(frame.index[-1].date()), close_basis=info.get("close_basis", "adjusted"),
                missing_fields=tuple(c for c in PRICE_COLUMNS if frame[c].isna().all()),
                source=info.get("source", f"imported from {path}"), written_at=_now(), join=join), payload))
        timeline_dir = root.parent / "timeline"
        for name in (TIMELINE_FILE, "README.md"):
            path = timeline_dir / name
            if not path.exists():
                continue
            payload = path.read_bytes()
            entry = CacheEntry(path=f"{TIMELINE_DIR}/{name}", kind="timeline",
                               sha256=hashlib.sha256(payload).hexdigest(),
                               source=f"shared/timeline/{name}, copied verbatim (each row names its own source)",
                               written_at=_now())
            if name == TIMELINE_FILE:
                try:
                    table = parse_timeline_csv(payload, label=str(path))
                except AnalysisError as exc:
                    errors.append(f"{name}: {exc.message}")
                    continue
                entry = dataclasses.replace(entry, rows=len(table), first=str(table["date"].min().date()),
                                            last=str(table["date"].max().date()))
            staged.append((entry, payload))
        if errors:
            raise CacheCorruptError("no extension was imported; these source files fail validation: "
                                    + " | ".join(errors), "fix or remove those files and import again.")
        for entry, payload in staged:
            self._commit(entry, payload)
        return [entry for entry, _ in staged]

    def extension_coverage(self) -> pd.DataFrame:
        """One row per extension: ticker, file, first, last, rows, close_basis, join status, overlap, the first
        session whose return comes from the extension, and the ex-dividend days accepted on the overlap."""
        rows = []
        for entry in self.manifest().values():
            if entry.kind != EXTENSION_KIND:
                continue
            join = entry.join or {}
            rows.append({"ticker": entry.ticker, "file": entry.path, "first": entry.first, "last": entry.last,
                         "rows": entry.rows, "close_basis": entry.close_basis, "join": join.get("status"),
                         "overlap": (f"{join['overlap_first']}..{join['overlap_last']}"
                                     if join.get("overlap_first") else "-"),
                         "extension_from": join.get("extension_from") or "-",
                         "ex_dividend_days": ",".join(d for d, _ in join.get("ex_dividend_days", [])) or "-"})
        frame = pd.DataFrame(rows)
        return frame.sort_values("ticker").reset_index(drop=True) if not frame.empty else frame

    def extension_provenance(self) -> dict[str, dict[str, str]]:
        """``data/provenance_extended.csv`` by manifest path: ticker, close_basis, source, cross_check."""
        return self._provenance_table("provenance_extended.csv", "file")

    def verify_extensions(self, entries: dict[str, CacheEntry] | None = None,
                          broken: set[str] | frozenset = frozenset()) -> list[Problem]:
        """Check the extension files and re-check each join against the manifest's record.

        For each extension: it parses, its dates are exactly the XNYS sessions of its range, prices are positive and
        in order, rows and first/last agree with the manifest, and :func:`check_join` on the current files gives the
        status, overlap and exception days the manifest records. Also: the timeline parses, and no unlisted file
        lies in ``1d-extended/`` or ``fred/``. A join whose original file is in ``broken`` (already reported) is not
        re-checked.
        """
        entries = self.manifest() if entries is None else entries
        problems: list[Problem] = []
        for relative, entry in sorted(entries.items()):
            path = self.data_dir / relative
            if entry.kind not in (EXTENSION_KIND, "timeline") or not path.exists():
                continue
            if sha256_of(path) != entry.sha256:
                continue  # reported by verify()
            try:
                if entry.kind == "timeline":
                    if relative.endswith(".csv"):
                        parse_timeline_csv(path.read_bytes(), label=relative)
                    continue
                frame = parse_extension_csv(path.read_bytes(), label=relative)
                for text in check_price_frame(frame, entry.calendar or "XNYS", "1d"):
                    problems.append(Problem(relative, text))
                if (entry.rows, entry.first, entry.last) != (len(frame), str(frame.index[0].date()),
                                                             str(frame.index[-1].date())):
                    problems.append(Problem(relative, "rows or first/last date differ from the manifest"))
                base_entry = entries.get(self.relative_path(entry.ticker))
                base_path = self.data_dir / base_entry.path if base_entry is not None else None
                if (base_path is None or base_entry.path in broken or not base_path.exists()
                        or sha256_of(base_path) != base_entry.sha256):
                    continue  # no original, or its own problem is reported by verify()
                if (entry.join or {}).get("base_sha256") != base_entry.sha256:
                    continue  # the original was rewritten since the join (a fetch): joined_returns re-checks it live
                from .returns import simple_returns

                base = simple_returns(self._read_entry(base_entry))
                join = check_join(base, frame["close"], base_entry.close_basis or "unknown", base_file=base_entry.path)
                recorded = entry.join or {}
                keys = ("status", "overlap_first", "overlap_last", "overlap_sessions", "ex_dividend_days",
                        "unexplained_days", "extension_from")
                if any(join.get(k) != recorded.get(k) for k in keys):
                    differ = [k for k in keys if join.get(k) != recorded.get(k)]
                    problems.append(Problem(relative, f"the join with {base_entry.path} differs from the manifest's "
                                                      f"record ({', '.join(differ)})"))
            except AnalysisError as exc:
                problems.append(Problem(relative, exc.message))
        for folder in (EXTENSION_DIR, FRED_DIR, TIMELINE_DIR):
            for path in sorted((self.data_dir / folder).glob("*")):
                if path.is_file() and not path.name.startswith(".") and f"{folder}/{path.name}" not in entries:
                    problems.append(Problem(f"{folder}/{path.name}", "not listed in the manifest"))
        return problems


def serialize_prices(frame: pd.DataFrame, interval: str = "1d") -> bytes:
    """The CSV bytes of a price frame, in the cache's format (empty field for NaN)."""
    out = frame.copy()
    columns = list(PRICE_COLUMNS) + [c for c in OPTIONAL_COLUMNS if c in out.columns]
    out = out[columns]
    if interval == "1d":
        dates = out.index.strftime("%Y-%m-%d")
        name = "date"
    else:
        dates = [ts.isoformat() for ts in out.index]
        name = "datetime"
    out.insert(0, name, dates)
    text = out.to_csv(index=False, float_format="%.10g", na_rep="", lineterminator="\n")
    return text.encode("utf-8")


def _read_extension_source(path: Path, errors: list[str]) -> tuple[bytes, pd.DataFrame | None]:
    """A source file of the extensions (``daily-extended/``, ``fred/``): its bytes and parsed frame, or ``None``
    with the problem added to ``errors`` (the import names every bad file before writing anything)."""
    payload = path.read_bytes()
    try:
        return payload, parse_extension_csv(payload, label=str(path))
    except AnalysisError as exc:
        errors.append(f"{path.name}: {exc.message}")
        return payload, None


def merge_histories(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Merge a fetched history into a cached one without losing or silently changing cached rows.

    Rules
    -----
    * Cached rows are kept as they are; only dates the cache does not hold are added (append-only, because
      Yahoo's intraday history expires and cached bars cannot be fetched again).
    * When the two overlap, the raw close must agree (relative difference <= 1e-4); otherwise nothing is merged
      and the disagreement is reported.
    * ``adj_close`` of the added rows is rescaled by the ratio old/new on the last common date, so that returns
      across the seam stay right when Yahoo's adjustment base has moved (a dividend since the cache was written).

    Returns the merged frame and a report (rows added, overlap, rescale factor).
    """
    if old is None or old.empty:
        return new.copy(), {"added": len(new), "overlap": 0, "adj_rescale": 1.0}
    common = old.index.intersection(new.index)
    report = {"overlap": len(common), "adj_rescale": 1.0}
    if len(common):
        a, b = old.loc[common, "close"], new.loc[common, "close"]
        both = a.notna() & b.notna()
        rel = (b[both] / a[both] - 1).abs()
        if len(rel) and rel.max() > 1e-4:
            bad = rel.idxmax()
            raise CacheCorruptError(
                f"the fetched close disagrees with the cached close on {int((rel > 1e-4).sum())} date(s) "
                f"(largest on {bad}: cached {a[bad]:.6g}, fetched {b[bad]:.6g}); nothing was merged.",
                "inspect the source; the cache is unchanged.",
            )
        last = common[-1]
        if pd.notna(old.loc[last, "adj_close"]) and pd.notna(new.loc[last, "adj_close"]) and new.loc[last, "adj_close"]:
            report["adj_rescale"] = float(old.loc[last, "adj_close"] / new.loc[last, "adj_close"])
    added = new.loc[new.index.difference(old.index)].copy()
    if len(added) and report["adj_rescale"] != 1.0:
        added["adj_close"] = added["adj_close"] * report["adj_rescale"]
    for column in OPTIONAL_COLUMNS:
        if column in added.columns and column not in old.columns:
            old = old.assign(**{column: np.nan})
    merged = pd.concat([old, added.reindex(columns=old.columns)]).sort_index()
    report["added"] = len(added)
    return merged, report


# --------------------------------------------------------------------------------------------------------------------
# index universes: one wide file of adjusted closes and one file of members with their GICS sector
# --------------------------------------------------------------------------------------------------------------------
#: The universes the cache can hold: name -> (wide closes file, constituents file), relative to ``data/``. Both are
#: copied byte for byte from ``shared/market-data/universe/`` (with its README as their provenance note).
UNIVERSES: dict[str, tuple[str, str]] = {
    "sp500": ("universe/sp500_closes.csv", "universe/sp500_constituents_2024-12-27.csv"),
}
#: Columns of a constituents file that the project reads.
UNIVERSE_MEMBER_COLUMNS = ("Symbol", "Security", "GICS Sector", "GICS Sub-Industry")
_UNIVERSE_README = "universe/README.md"


def _universe_name(name: str) -> str:
    key = str(name).strip().lower()
    if key not in UNIVERSES:
        raise UnknownTickerError(f"unknown universe {name!r}; the cache knows {', '.join(sorted(UNIVERSES))}.",
                                 'set universe = "sp500" in the event file.')
    return key


def parse_universe_closes(payload: bytes | Path, label: str = "universe closes") -> pd.DataFrame:
    """Parse a wide file of closes (``date`` then one column per member) or raise :class:`CacheCorruptError`.

    Returns
    -------
    DataFrame
        Float64, sessions (tz-naive, named ``session``) × members; an empty field is NaN (the source had no value).
    """
    payload = payload.read_bytes() if isinstance(payload, Path) else payload
    try:  # fast path: every member column parses as float (empty fields only become NaN)
        fast = pd.read_csv(io.BytesIO(payload), dtype={"date": str}, na_values=[""], keep_default_na=False)
        if (list(fast.columns[:1]) == ["date"] and fast.shape[1] >= 2 and not fast.empty
                and not fast.columns.duplicated().any() and all(fast.dtypes.iloc[1:] == "float64")
                and fast["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()):
            frame = fast.iloc[:, 1:]
            frame.index = pd.DatetimeIndex(pd.to_datetime(fast["date"], format="%Y-%m-%d"),
                                           name="session").as_unit("ns")
            frame.columns.name = "member"
            return frame
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError):
        pass
    try:  # slow path: find the offending field
        raw = pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    if raw.empty or list(raw.columns[:1]) != ["date"] or raw.shape[1] < 2:
        raise CacheCorruptError(f"{label} must have a date column and one column per member.", _IMPORT_HINT)
    if raw.columns.duplicated().any():
        raise CacheCorruptError(f"{label} has duplicated member columns.", _IMPORT_HINT)
    if not raw["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        raise CacheCorruptError(f"{label} has a malformed date column (YYYY-MM-DD expected).", _IMPORT_HINT)
    values = raw.iloc[:, 1:].apply(lambda s: s.str.strip())
    numeric = values.apply(lambda s: pd.to_numeric(s.where(s != ""), errors="coerce"))
    bad = numeric.isna() & (values != "")
    if bad.any().any():
        column = bad.any().idxmax()
        row = int(bad[column].idxmax()) + 2
        raise CacheCorruptError(f"{label} line {row}: {column}={values.at[row - 2, column]!r} is not a number.",
                                _IMPORT_HINT)
    frame = numeric.astype("float64")
    frame.index = pd.DatetimeIndex(pd.to_datetime(raw["date"], format="%Y-%m-%d"), name="session").as_unit("ns")
    frame.columns.name = "member"
    return frame


def parse_universe_members(payload: bytes | Path, label: str = "universe members") -> pd.DataFrame:
    """Parse a constituents file (Symbol, Security, GICS Sector, GICS Sub-Industry, ...), indexed by symbol."""
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    missing = [c for c in UNIVERSE_MEMBER_COLUMNS if c not in raw.columns]
    if missing or raw.empty:
        raise CacheCorruptError(f"{label} lacks the columns {missing} (or has no rows).", _IMPORT_HINT)
    if raw["Symbol"].duplicated().any() or (raw[["Symbol", "GICS Sector"]] == "").any().any():
        raise CacheCorruptError(f"{label} has duplicated or empty symbols or sectors.", _IMPORT_HINT)
    return raw.set_index("Symbol")


def check_universe(closes: pd.DataFrame, members: pd.DataFrame, calendar: str = "XNYS") -> list[str]:
    """The problems of a universe (empty when all is well): sessions exactly those of ``calendar`` from the first
    to the last date, ascending and unique; positive prices; every price column a listed member; no member without
    any price listed as a column."""
    problems: list[str] = []
    index = closes.index
    if not index.is_monotonic_increasing or index.has_duplicates:
        return ["dates are not ascending and unique"]
    expected = cal.sessions(index[0], index[-1], calendar)
    if len(index.difference(expected)):
        problems.append(f"{len(index.difference(expected))} date(s) are not {calendar} sessions")
    if len(expected.difference(index)):
        problems.append(f"{len(expected.difference(index))} {calendar} session(s) missing")
    if (closes <= 0).any().any():
        problems.append("prices <= 0")
    strangers = [c for c in closes.columns if c not in members.index]
    if strangers:
        problems.append(f"columns that are not members: {', '.join(strangers[:5])}")
    empty = [c for c in closes.columns if closes[c].isna().all()]
    if empty:
        problems.append(f"members with no price at all: {', '.join(empty[:5])}")
    return problems


def stage_universe(root: Path | str, name: str = "sp500",
                   provenance: dict[str, dict[str, str]] | None = None) -> list[tuple[CacheEntry, bytes]]:
    """Validate ``<root>/universe/`` and return its manifest entries and bytes, ready to commit (nothing written).

    Parameters
    ----------
    root : path-like
        The ``market-data`` folder.
    name : str
        The universe (:data:`UNIVERSES`).
    provenance : dict, optional
        ``data/provenance.csv`` by key; the rows ``<name>`` and ``<name>-members`` give the sources.

    Returns
    -------
    list of (CacheEntry, bytes)
        Empty when ``root`` has no ``universe/`` folder.

    Raises
    ------
    CacheCorruptError
        When a file fails validation.
    """
    name = _universe_name(name)
    folder = Path(root) / "universe"
    closes_rel, members_rel = UNIVERSES[name]
    if not (folder / Path(closes_rel).name).exists():
        return []
    provenance = provenance or {}
    closes_payload = (folder / Path(closes_rel).name).read_bytes()
    members_payload = (folder / Path(members_rel).name).read_bytes()
    closes = parse_universe_closes(closes_payload, label=closes_rel)
    members = parse_universe_members(members_payload, label=members_rel)
    problems = check_universe(closes, members)
    if problems:
        raise CacheCorruptError(f"{closes_rel} fails validation: " + "; ".join(problems) + ".",
                                "fix the source files and import again; nothing was written.")
    source = provenance.get(name, {}).get("source", f"shared/market-data/{closes_rel} (see universe/README.md)")
    staged = [
        (CacheEntry(path=closes_rel, kind="universe", sha256=hashlib.sha256(closes_payload).hexdigest(),
                    rows=len(closes), ticker=name, interval="1d", calendar="XNYS", timezone="America/New_York",
                    first=str(closes.index[0].date()), last=str(closes.index[-1].date()), close_basis="adjusted",
                    source=source, written_at=_now()), closes_payload),
        (CacheEntry(path=members_rel, kind="universe-members", sha256=hashlib.sha256(members_payload).hexdigest(),
                    rows=len(members), ticker=name,
                    source=provenance.get(f"{name}-members", {}).get("source", f"shared/market-data/{members_rel}"),
                    written_at=_now()), members_payload),
    ]
    if (folder / "README.md").exists():
        payload = (folder / "README.md").read_bytes()
        staged.append((CacheEntry(path=_UNIVERSE_README, kind="provenance", sha256=hashlib.sha256(payload).hexdigest(),
                                  source="shared/market-data/universe/README.md, copied verbatim", written_at=_now()),
                       payload))
    return staged


def import_universe(cache: Cache, source_dir: Path | str, name: str = "sp500") -> list[CacheEntry]:
    """Import an index universe from the shared market data into ``cache`` (validated, copied byte for byte).

    ``source_dir`` is the ``market-data`` folder (or its ``universe/`` subfolder). Returns the entries written.
    """
    root = Path(source_dir)
    if root.name == "universe" and not (root / "universe").is_dir():
        root = root.parent
    staged = stage_universe(root, name, cache.provenance())
    if not staged:
        raise CacheMissError(f"{root} holds no universe/ folder with {UNIVERSES[_universe_name(name)][0]}.",
                             "pass the market-data folder, e.g. ../shared/market-data")
    for entry, payload in staged:
        cache._commit(entry, payload)
    return [entry for entry, _ in staged]


def read_universe(cache: Cache | None = None, name: str = "sp500") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cached universe: its wide frame of **adjusted** closes and its members, checksum-verified.

    Parameters
    ----------
    cache : Cache, optional
        The project's ``data/`` by default.
    name : str
        ``"sp500"``: the S&P 500 members as recorded on 2024-12-27 (see ``data/universe/README.md``).

    Returns
    -------
    closes : DataFrame
        Sessions × members, split- and dividend-adjusted closes (use them for returns, never as raw price levels);
        NaN where the source has no value. ``attrs``: universe, close_basis, source.
    members : DataFrame
        Indexed by symbol, with Security, GICS Sector and GICS Sub-Industry; members without prices included.

    Raises
    ------
    UnknownTickerError
        The universe is not in the cache (the hint gives the import command).
    """
    cache = cache or Cache()
    name = _universe_name(name)
    closes_rel, members_rel = UNIVERSES[name]
    entries = cache.manifest()
    if closes_rel not in entries or members_rel not in entries:
        raise UnknownTickerError(f"the {name} universe is not in the cache.", _IMPORT_HINT)
    closes = parse_universe_closes(cache._committed_bytes(entries[closes_rel]), label=closes_rel)
    members = parse_universe_members(cache._committed_bytes(entries[members_rel]), label=members_rel)
    closes.attrs = {"universe": name, "close_basis": "adjusted", "source": entries[closes_rel].source,
                    "basis": "split- and dividend-adjusted closes (for returns, not raw price levels)"}
    return closes, members


def verify_universe_entry(cache: Cache, relative: str, entry: CacheEntry) -> list[Problem]:
    """``cache verify`` for a universe file whose checksum already matched: it parses, its sessions are exactly
    XNYS's, prices are positive, every column is a member, and rows, first and last agree with the manifest."""
    path = cache.data_dir / relative
    if entry.kind == "universe-members":
        parse_universe_members(path, label=relative)
        return []
    closes = parse_universe_closes(path, label=relative)
    name = entry.ticker or "sp500"
    members_rel = UNIVERSES.get(name, (None, None))[1]
    members_path = cache.data_dir / members_rel if members_rel else None
    if members_path is None or not members_path.exists():
        return [Problem(relative, f"its members file {members_rel} is missing")]
    members = parse_universe_members(members_path, label=members_rel)
    problems = [Problem(relative, text) for text in check_universe(closes, members, entry.calendar or "XNYS")]
    if (entry.rows, entry.first, entry.last) != (len(closes), str(closes.index[0].date()), str(closes.index[-1].date())):
        problems.append(Problem(relative, "rows or first/last date differ from the manifest"))
    return problems

# --------------------------------------------------------------------------------------------------------------------
# extensions (issue 10): a second source for a later date range, joined on the overlap
# --------------------------------------------------------------------------------------------------------------------
#: Manifest kind of an extension file.
EXTENSION_KIND = "prices_extension"
#: Folders in data/: the extended daily histories, the FRED index levels, the DeepSeek timeline.
EXTENSION_DIR = "1d-extended"
EXTENSION_SOURCE_DIR = "daily-extended"
FRED_DIR = "fred"
TIMELINE_DIR = "timeline"
TIMELINE_FILE = "deepseek_timeline.csv"
TIMELINE_COLUMNS = ("date", "time_utc", "label", "kind", "source", "confidence", "note")
#: FRED series that extend a cached index (closing levels).
FRED_SERIES = {"NASDAQCOM": "^IXIC", "SP500": "^GSPC", "DJIA": "^DJI", "NASDAQ100": "^NDX"}
#: Largest |difference| of daily returns on the overlap that counts as agreement: 0.01 pp (the Yahoo and Stooq
#: copies differ by at most 0.0073 pp, SOURCES.md).
JOIN_TOLERANCE = 1e-4
#: On an ex-dividend day an original file of raw closes shows a return lower than the adjusted extension by the
#: dividend yield: accepted when 0 < extension - original <= this (2 pp).
EX_DIVIDEND_MAX = 0.02
#: Fewest overlapping returns a join needs.
JOIN_MIN_OVERLAP = 20
#: Original files whose close is raw (not dividend-adjusted), so their returns may differ on ex-dividend days.
RAW_CLOSE_BASES = ("split_adjusted",)


def parse_extension_csv(payload: bytes | Path, label: str = "file") -> pd.DataFrame:
    """Parse an extension file: ``date,open,high,low,close,volume``, ``date,close`` or FRED's ``date,value``.

    Returns a frame with the cache's columns (``open, high, low, close, adj_close, volume``; NaN where the source has
    no field; ``close`` holds FRED's ``value``). FRED rows with an empty value (holidays) are dropped. Raises
    :class:`CacheCorruptError` on anything else.
    """
    source = payload if isinstance(payload, Path) else io.BytesIO(payload)
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    layouts = (["date", "open", "high", "low", "close", "volume"], ["date", "close"], ["date", "value"])
    columns = list(raw.columns)
    if columns not in layouts:
        raise CacheCorruptError(f"{label} has columns {columns}; expected one of {layouts}.", _IMPORT_HINT)
    raw = raw.rename(columns={"value": "close"})
    if columns[-1] == "value":
        raw = raw[raw["close"].str.strip() != ""]
    if raw.empty:
        raise CacheCorruptError(f"{label} has no rows.", _IMPORT_HINT)
    frame = pd.DataFrame(index=raw.index)
    for column in PRICE_COLUMNS:
        if column not in raw.columns:
            frame[column] = np.nan
            continue
        values = raw[column].str.strip()
        numeric = pd.to_numeric(values.where(values != ""), errors="coerce")
        bad = numeric.isna() & (values != "")
        if bad.any():
            raise CacheCorruptError(f"{label}: {column}={values[bad.idxmax()]!r} is not a number.", _IMPORT_HINT)
        frame[column] = numeric.astype("float64")
    if not raw["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        raise CacheCorruptError(f"{label} has a malformed date column (dates must be YYYY-MM-DD).", _IMPORT_HINT)
    frame.index = pd.DatetimeIndex(pd.to_datetime(raw["date"], format="%Y-%m-%d"), name="session").as_unit("ns")
    return frame


def parse_timeline_csv(payload: bytes, label: str = "timeline") -> pd.DataFrame:
    """Parse the DeepSeek timeline (columns :data:`TIMELINE_COLUMNS`), or raise :class:`CacheCorruptError`."""
    try:
        table = pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CacheCorruptError(f"{label} cannot be parsed as CSV ({type(exc).__name__}).", _IMPORT_HINT) from None
    if tuple(table.columns) != TIMELINE_COLUMNS or table.empty:
        raise CacheCorruptError(f"{label} has columns {list(table.columns)}; expected {list(TIMELINE_COLUMNS)}.",
                                _IMPORT_HINT)
    try:
        table["date"] = pd.to_datetime(table["date"], format="%Y-%m-%d")
    except ValueError as exc:
        raise CacheCorruptError(f"{label} has a malformed date ({exc}).", _IMPORT_HINT) from None
    bad = ~table["kind"].isin(["deepseek_release", "confound", "market"])
    if bad.any():
        raise CacheCorruptError(f"{label}: unknown kind {table.loc[bad, 'kind'].iloc[0]!r}.", _IMPORT_HINT)
    return table


def check_join(base_returns: pd.Series, extension_close: pd.Series, base_basis: str, *,
               base_file: str = "", tolerance: float = JOIN_TOLERANCE) -> dict:
    """Check that an extension can continue an original series: their daily returns agree on the overlap.

    The extension's returns are computed from its own closes; on every session where both have a return, the
    difference (extension - original) must be within ``tolerance`` (0.01 pp), except on ex-dividend days of an
    original whose close is raw (:data:`RAW_CLOSE_BASES`), where the extension is higher by at most
    :data:`EX_DIVIDEND_MAX`. The overlap must hold at least :data:`JOIN_MIN_OVERLAP` returns and reach the original's
    last date, so that the seam lies inside it.

    Parameters
    ----------
    base_returns : Series
        Simple returns of the original file (as :func:`analysis.returns.simple_returns` computes them).
    extension_close : Series
        The extension's closes (adjusted prices, or index levels).
    base_basis : str
        What ``close`` means in the original file (:data:`CLOSE_BASES`).
    base_file : str
        The original's manifest path, for the record.

    Returns
    -------
    dict
        ``status`` (``ok``, ``disagrees``, ``no_overlap``), ``overlap_first``, ``overlap_last``,
        ``overlap_sessions``, ``max_abs_diff_pp`` (over the days that agree), ``tolerance_pp``,
        ``ex_dividend_days``, ``unexplained_days`` (``[date, diff_pp]`` pairs), ``extension_from`` (the first
        session whose return comes from the extension), ``base``, ``rule``. JSON-safe; stored in the manifest.
    """
    close = extension_close.dropna()
    ext = (close / close.shift(1) - 1).iloc[1:]
    common = base_returns.index.intersection(ext.index)
    diff = (ext.reindex(common) - base_returns.reindex(common)).dropna()
    beyond = diff.abs() > tolerance
    ex_div = beyond & (diff > 0) & (diff <= EX_DIVIDEND_MAX) if base_basis in RAW_CLOSE_BASES else beyond & False
    unexplained = beyond & ~ex_div
    after = ext.index[ext.index > base_returns.index[-1]]
    reaches_seam = len(common) and common[-1] == base_returns.index[-1]
    if len(diff) < JOIN_MIN_OVERLAP or not reaches_seam:
        status = "no_overlap"
    elif unexplained.any():
        status = "disagrees"
    else:
        status = "ok"
    agree = diff[~beyond]
    return {
        "status": status,
        "base": base_file,
        "overlap_first": str(diff.index[0].date()) if len(diff) else None,
        "overlap_last": str(diff.index[-1].date()) if len(diff) else None,
        "overlap_sessions": int(len(diff)),
        "max_abs_diff_pp": round(float(agree.abs().max()) * 100, 6) if len(agree) else None,
        "tolerance_pp": tolerance * 100,
        "ex_dividend_days": [[str(d.date()), round(float(v) * 100, 4)] for d, v in diff[ex_div].items()],
        "unexplained_days": [[str(d.date()), round(float(v) * 100, 4)] for d, v in diff[unexplained].items()],
        "extension_from": str(after[0].date()) if len(after) else None,
        "rule": "original file for its range; extension returns only after its last date, chained",
    }
