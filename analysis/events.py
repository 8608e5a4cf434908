"""One event as a file: ``events/<name>.toml`` read into a frozen :class:`EventConfig`.

An event file needs four keys (``tickers`` may give way to ``universe``, an index whose every member is studied);
everything else has the house default of ``docs/METHOD.md``::

    name = "my-event"              # folder-safe identifier (build/<name>/)
    title = "What happened"        # shown on charts and tables
    date = "2025-03-24"            # calendar date; day 0 is the first session on or after it
    tickers = ["NVDA", "AVGO"]

Optional keys: ``benchmark`` (``"^GSPC"``), ``model`` (``"market"``), ``estimation`` (``[-250, -11]``),
``windows`` (``[[0, 0], [0, 1], [-1, 1]]``), ``ar_path`` (``[-10, 10]``), ``wide_window`` (``[-5, 5]``),
``indices``, ``chart_firms`` (the firms drawn on the per-firm charts; default the first ticker), ``universe``,
``summary`` (a few sentences shown at the top of the notebooks), ``claims`` and ``seeds`` (paths, relative to the event file, of a claims registry and its source texts),
a ``[groups]`` table of peer groups, ``[[confounds]]`` (``date``, ``label``, optional ``tickers``) and a
``[valuation]`` table (``ticker``, ``shares`` — a file under ``data/`` stating "about N billion shares" — and
``[[valuation.reported]]`` figures with ``source`` and ``value_usd``).

An unknown key or a bad value raises :class:`EventFileError`, which names the key and its line. An event made with
:func:`adhoc_event` (``--event DATE`` on the command line) carries no claims and no reported figures; its confounds
are the other known events (every file of ``events/``) that fall near it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from . import config
from .errors import EventFileError

__all__ = ["Confound", "ReportedFigure", "Valuation", "EventConfig", "load_event", "adhoc_event", "flagship",
           "event_files", "known_events", "resolve_event", "FLAGSHIP_FILE", "window_label"]

#: The flagship event file, relative to the project root.
FLAGSHIP_FILE = "events/deepseek-r1.toml"

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_TICKER = re.compile(r"^\^?[A-Za-z0-9][A-Za-z0-9.\-=]{0,14}$")
MODELS = ("market", "market-adjusted", "constant-mean", "ff3", "ff5", "carhart", "garch")


def window_label(window: Sequence[int]) -> str:
    """The one text spelling of an event window: ``(0, 1)`` gives ``[0,+1]``, ``(-1, 1)`` gives ``[-1,+1]``."""
    first, last = (int(w) for w in window)

    def signed(v: int) -> str:
        return f"{v:+d}" if v else "0"

    return f"[{signed(first)},{signed(last)}]"


@dataclass(frozen=True)
class Confound:
    """A dated piece of news that may contaminate a window around day 0.

    Attributes
    ----------
    date : datetime.date
        Its calendar date; it is marked at the first session on or after it.
    label : str
        What happened, in a few words.
    tickers : tuple of str
        The firms it concerns most (empty: the whole market).
    """

    date: dt.date
    label: str
    tickers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportedFigure:
    """A figure reported by the press, e.g. a loss of market value, with its source."""

    source: str
    value_usd: float


@dataclass(frozen=True)
class Valuation:
    """The market value lost by one firm on day 0, approximately, and what the press reported.

    Attributes
    ----------
    ticker : str
    shares_file : str
        A note under ``data/`` stating the share count as "about N billion shares".
    reported : tuple of ReportedFigure
    """

    ticker: str
    shares_file: str
    reported: tuple[ReportedFigure, ...] = ()


def _frozen_groups(groups: Mapping[str, Iterable[str]] | None) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({str(k): tuple(v) for k, v in (groups or {}).items()})


@dataclass(frozen=True)
class EventConfig:
    """Everything that defines one event study. Read one with :func:`load_event`; build one with
    :func:`adhoc_event`; change one with :meth:`replace`.

    Attributes
    ----------
    name, title : str
        Folder-safe identifier, and the title shown on charts and tables.
    date : datetime.date
        The event's calendar date; day 0 is the first session on or after it (:meth:`day0`).
    tickers : tuple of str
        The firms studied.
    benchmark, model : str
        The market proxy and the normal-return model (MacKinlay 1997).
    estimation, ar_path, wide_window : (int, int)
        Windows in relative sessions, inclusive.
    windows : tuple of (int, int)
        Event windows reported for every firm and group.
    groups : mapping of str to tuple of str
        Peer groups (possibly empty).
    confounds : tuple of Confound
        News that contaminates windows around day 0.
    indices : tuple of str
        Index series reported as raw moves and z-scores.
    chart_firms : tuple of str
        Firms drawn on the per-firm charts (default: the first six tickers; the first is the lead firm).
    claims, claims_excluded, seeds : Path or None
        The registry of quoted figures, its exclusions and the folder of source texts; ``None`` when the event has
        no claims.
    valuation : Valuation or None
        The value-lost comparison, when the event has reported figures.
    universe : str or None
        An index universe to study beside the tickers (e.g. ``"sp500"``).
    summary : str
        A few sentences on what happened, shown at the top of the notebooks.
    source : Path or None
        The file the event was read from.
    """

    name: str
    title: str
    date: dt.date
    tickers: tuple[str, ...]
    benchmark: str = config.DEFAULT_BENCHMARK
    model: str = "market"
    estimation: tuple[int, int] = config.ESTIMATION_WINDOW
    windows: tuple[tuple[int, int], ...] = config.EVENT_WINDOWS
    ar_path: tuple[int, int] = config.AR_PATH
    wide_window: tuple[int, int] = config.WIDE_WINDOW
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    confounds: tuple[Confound, ...] = ()
    indices: tuple[str, ...] = config.INDICES
    chart_firms: tuple[str, ...] = ()
    claims: Path | None = None
    claims_excluded: Path | None = None
    seeds: Path | None = None
    valuation: Valuation | None = None
    universe: str | None = None
    summary: str = ""
    source: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", _frozen_groups(self.groups))
        if not self.chart_firms and self.tickers:
            object.__setattr__(self, "chart_firms", self.tickers[:6])

    # ------------------------------------------------------------------------------------------------------------
    @property
    def lead_firm(self) -> str | None:
        """The firm the single-firm charts draw (the first of ``chart_firms``); None for an event that names a
        universe and no firms."""
        return self.chart_firms[0] if self.chart_firms else None

    def __reduce__(self):
        """Pickle as plain fields (the read-only groups mapping cannot be pickled as it is), for worker processes."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["groups"] = dict(self.groups)
        return (_event_from_fields, (values,))

    def replace(self, **changes) -> EventConfig:
        """A copy with some fields changed (the config itself is frozen)."""
        return dataclasses.replace(self, **changes)

    def day0(self, calendar: str = config.EXCHANGE_CALENDAR):
        """Day 0 in ``calendar``: the first session on or after :attr:`date` (:func:`analysis.calendar.event_day0`)."""
        from .calendar import event_day0

        return event_day0(self.date, calendar)

    def relative_confounds(self, window: tuple[int, int] | None = None) -> dict[int, str]:
        """The confounds by relative session tau (XNYS sessions from day 0), within ``window`` (default: the AR
        path and the wide window together).

        Returns
        -------
        dict of int to str
            tau -> label; several confounds on one session are joined with "; ".
        """
        from .calendar import sessions_between

        first, last = window or (min(self.ar_path[0], self.wide_window[0], *(w[0] for w in self.windows)),
                                 max(self.ar_path[1], self.wide_window[1], *(w[1] for w in self.windows)))
        day0 = self.day0().session
        out: dict[int, str] = {}
        for confound in self.confounds:
            tau = sessions_between(day0, confound.date)
            if tau is None or not first <= tau <= last:
                continue
            out[tau] = f"{out[tau]}; {confound.label}" if tau in out else confound.label
        return dict(sorted(out.items()))

    def to_toml(self) -> str:
        """The event as an event file (every key written out; paths absolute), which :func:`load_event` reads back
        to an equal config. The main job writes it beside its outputs, so that the notebooks run exactly this event
        and the build records what was run."""
        def q(text: str) -> str:
            return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

        def items(values) -> str:
            return "[" + ", ".join(q(v) for v in values) + "]"

        def pair(window) -> str:
            return f"[{int(window[0])}, {int(window[1])}]"

        lines = [f"name = {q(self.name)}", f"title = {q(self.title)}", f'date = "{self.date.isoformat()}"',
                 *([f"tickers = {items(self.tickers)}"] if self.tickers else []),
                 f"benchmark = {q(self.benchmark)}", f"model = {q(self.model)}",
                 f"estimation = {pair(self.estimation)}",
                 "windows = [" + ", ".join(pair(w) for w in self.windows) + "]",
                 f"ar_path = {pair(self.ar_path)}", f"wide_window = {pair(self.wide_window)}",
                 f"indices = {items(self.indices)}",
                 *([f"chart_firms = {items(self.chart_firms)}"] if self.chart_firms else [])]
        if self.summary:
            lines.append(f"summary = {q(self.summary)}")
        if self.universe:
            lines.append(f"universe = {q(self.universe)}")
        for key in ("claims", "claims_excluded", "seeds"):
            value = getattr(self, key)
            if value is not None:
                lines.append(f"{key} = {q(Path(value).resolve().as_posix())}")
        if self.groups:
            lines += ["", "[groups]", *(f"{q(name)} = {items(members)}" for name, members in self.groups.items())]
        for confound in self.confounds:
            lines += ["", "[[confounds]]", f'date = "{confound.date.isoformat()}"', f"label = {q(confound.label)}"]
            if confound.tickers:
                lines.append(f"tickers = {items(confound.tickers)}")
        if self.valuation is not None:
            lines += ["", "[valuation]", f"ticker = {q(self.valuation.ticker)}",
                      f"shares = {q(self.valuation.shares_file)}"]
            for figure in self.valuation.reported:
                lines += ["", "[[valuation.reported]]", f"source = {q(figure.source)}",
                          f"value_usd = {figure.value_usd!r}"]
        return "\n".join(lines) + "\n"

    def describe(self) -> str:
        """One line: title, date and day 0, firms, model."""
        day0 = self.day0()
        bench = f" vs {self.benchmark}" if self.model in ("market", "market-adjusted", "garch") else ""
        return (f"{self.title}: event date {self.date}, day 0 = {day0.session.date()}; {len(self.tickers)} firms; "
                f"{self.model} model{bench}; estimation {window_label(self.estimation)}")


# --------------------------------------------------------------------------------------------------------------------
# What an event may lack: each answers None, or why a section that needs it is left out
# --------------------------------------------------------------------------------------------------------------------
def lacks_firms(event: EventConfig) -> str | None:
    """Why firm-by-firm sections are left out (the event names only a universe), or None."""
    return None if event.tickers else "the event file names no firms (key 'tickers'), only a universe"


def lacks_claims(event: EventConfig) -> str | None:
    """Why the quoted-figure sections are left out, or None."""
    return None if event.claims else "the event file names no claims registry (key 'claims')"


def lacks_universe(event: EventConfig) -> str | None:
    """Why the index cross-section is left out, or None."""
    return None if event.universe else "the event file names no universe (key 'universe', e.g. \"sp500\")"


def lacks_release(event: EventConfig) -> str | None:
    """Why the timeline sections are left out (the event is not one of the study's releases), or None."""
    from .errors import AnalysisError
    from .timeline import covers

    try:
        return None if covers(event) else "the event is not one of the releases of the timeline study"
    except AnalysisError as exc:
        return f"the timeline study cannot be read ({exc.message})"


def _event_from_fields(values: dict) -> EventConfig:
    return EventConfig(**values)


# --------------------------------------------------------------------------------------------------------------------
# Reading event files
# --------------------------------------------------------------------------------------------------------------------
_TOP_KEYS = {"name", "title", "date", "tickers", "benchmark", "model", "estimation", "windows", "ar_path",
             "wide_window", "groups", "confounds", "indices", "chart_firms", "claims", "claims_excluded", "seeds",
             "valuation", "universe", "summary"}
_REQUIRED = ("name", "title", "date")


class _Reader:
    """Validates one parsed TOML document, naming the key and its line in every error."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str) -> int | None:
        leaf = key.split(".")[-1].split("[")[0]
        pattern = re.compile(rf"^\s*(\[+\s*)?([\w.-]*\.)?\"?{re.escape(leaf)}\"?\s*(=|\]+)")
        for number, line in enumerate(self.lines, 1):
            if pattern.match(line):
                return number
        return None

    def error(self, key: str, problem: str, fix: str) -> EventFileError:
        line = self.line_of(key)
        where = f"{self.path}" + (f", line {line}" if line else "")
        return EventFileError(f"{where}: key '{key}' {problem}", fix)

    # -- typed getters ------------------------------------------------------------------------------------------
    def string(self, doc: Mapping, key: str, default=None, *, prefix: str = "") -> str | None:
        value = doc.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(prefix + key, f"must be a non-empty string, not {value!r}.", f'write {key} = "..."')
        return value.strip()

    def date(self, doc: Mapping, key: str, *, prefix: str = "") -> dt.date:
        value = doc.get(key)
        if isinstance(value, dt.datetime):
            raise self.error(prefix + key, f"must be a calendar date without a time, not {value!r}.",
                             f'write {key} = "YYYY-MM-DD"')
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(prefix + key, f"must be a date YYYY-MM-DD, not {value!r}.", f'write {key} = "2024-12-26"')

    def tickers(self, doc: Mapping, key: str, *, prefix: str = "", required: bool = False) -> tuple[str, ...]:
        value = doc.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(t, str) for t in value):
            raise self.error(prefix + key, f"must be a non-empty list of ticker strings, not {value!r}.",
                             f'write {key} = ["NVDA", "AVGO"]')
        out = []
        for ticker in value:
            t = ticker.strip().upper()
            if not _TICKER.fullmatch(t):
                raise self.error(prefix + key, f"holds {ticker!r}, which is not a ticker symbol.",
                                 "use symbols such as NVDA, ^GSPC or BRK-B.")
            if t in out:
                raise self.error(prefix + key, f"lists {t} twice.", f"keep one {t}.")
            out.append(t)
        return tuple(out)

    def window(self, doc: Mapping, key: str, default: tuple[int, int]) -> tuple[int, int]:
        value = doc.get(key)
        if value is None:
            return tuple(default)
        if (not isinstance(value, list) or len(value) != 2 or not all(type(v) is int for v in value)
                or value[0] > value[1]):
            raise self.error(key, f"must be two integers [first, last] with first <= last, not {value!r}.",
                             f"write {key} = [{default[0]}, {default[1]}]")
        return int(value[0]), int(value[1])

    def windows(self, doc: Mapping, key: str) -> tuple[tuple[int, int], ...]:
        value = doc.get(key)
        if value is None:
            return config.EVENT_WINDOWS
        if not isinstance(value, list) or not value:
            raise self.error(key, f"must be a list of windows like [[0, 0], [0, 1]], not {value!r}.",
                             "write windows = [[0, 0], [0, 1], [-1, 1]]")
        return tuple(dict.fromkeys(self.window({key: w}, key, (0, 0)) for w in value))

    def file(self, doc: Mapping, key: str) -> Path | None:
        value = self.string(doc, key)
        if value is None:
            return None
        resolved = (self.path.parent / value).resolve()
        if not resolved.exists():
            raise self.error(key, f"points to {value}, which does not exist (read as {resolved}).",
                             "give a path relative to the event file, or remove the key.")
        return resolved


def _read_event(path: Path) -> EventConfig:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EventFileError(f"no event file at {path}.",
                             "give the path of a .toml file, e.g. --event-file events/deepseek-r1.toml") from None
    except OSError as exc:
        raise EventFileError(f"cannot read the event file {path}: {exc.strerror}.", "check the path and its "
                             "permissions.") from None
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise EventFileError(f"{path} is not UTF-8 text.", "save the event file as UTF-8 TOML.") from None
    except tomllib.TOMLDecodeError as exc:
        raise EventFileError(f"{path} is not valid TOML: {exc}.", "fix the syntax at that line (strings in double "
                             "quotes, lists in [ ]).") from None
    r = _Reader(path, text)
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise r.error(unknown[0], "is not an event key.", f"remove it, or use one of: {', '.join(sorted(_TOP_KEYS))}.")
    for key in _REQUIRED:
        if key not in doc:
            raise EventFileError(f"{path}: the required key '{key}' is missing.",
                                 "add it; every event file needs name, title, date and tickers (or a universe).")
    if "tickers" not in doc and "universe" not in doc:
        raise EventFileError(f"{path}: the required key 'tickers' is missing.",
                             'add tickers = ["NVDA", ...], or name an index universe instead (universe = "sp500").')
    name = r.string(doc, "name")
    if not _NAME.fullmatch(name):
        raise r.error("name", f"must be folder-safe (lower-case letters, digits, '-', '_', '.'), not {name!r}.",
                      'write name = "my-event"')
    model = r.string(doc, "model", "market")
    if model not in MODELS:
        raise r.error("model", f"is {model!r}, which is not a model.", f"use one of {', '.join(MODELS)}.")

    groups_doc = doc.get("groups", {})
    if not isinstance(groups_doc, dict):
        raise r.error("groups", "must be a table of name = [tickers].", '[groups]\nhardware = ["NVDA", "AVGO"]')
    groups = {g: r.tickers(groups_doc, g, prefix="groups.", required=True) for g in groups_doc}

    confounds = []
    raw_confounds = doc.get("confounds", [])
    if not isinstance(raw_confounds, list) or not all(isinstance(c, dict) for c in raw_confounds):
        raise r.error("confounds", "must be an array of tables [[confounds]] with date and label.",
                      '[[confounds]]\ndate = "2025-01-21"\nlabel = "Stargate announced"')
    for item in raw_confounds:
        extra = sorted(set(item) - {"date", "label", "tickers"})
        if extra:
            raise r.error(f"confounds.{extra[0]}", "is not a confound key.", "use date, label and tickers.")
        label = r.string(item, "label", prefix="confounds.")
        if label is None:
            raise r.error("confounds", "has an entry without a label.", 'add label = "what happened"')
        confounds.append(Confound(date=r.date(item, "date", prefix="confounds."), label=label,
                                  tickers=r.tickers(item, "tickers", prefix="confounds.")))

    valuation = None
    if "valuation" in doc:
        v = doc["valuation"]
        if not isinstance(v, dict):
            raise r.error("valuation", "must be a table with ticker, shares and [[valuation.reported]].",
                          '[valuation]\nticker = "NVDA"\nshares = "meta/NVDA_shares_outstanding.md"')
        extra = sorted(set(v) - {"ticker", "shares", "reported"})
        if extra:
            raise r.error(f"valuation.{extra[0]}", "is not a valuation key.", "use ticker, shares and reported.")
        reported = []
        for item in v.get("reported", []):
            value = item.get("value_usd") if isinstance(item, dict) else None
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise r.error("valuation.reported.value_usd", f"must be a positive number of dollars, not {value!r}.",
                              "write value_usd = 589e9")
            reported.append(ReportedFigure(source=r.string(item, "source", prefix="valuation.reported."),
                                           value_usd=float(value)))
        ticker = r.tickers({"ticker": [v.get("ticker")]} if isinstance(v.get("ticker"), str) else {"ticker": None},
                           "ticker", prefix="valuation.", required=True)[0]
        shares = r.string(v, "shares", prefix="valuation.")
        if shares is None:
            raise r.error("valuation.shares", "is missing.", 'write shares = "meta/<TICKER>_shares_outstanding.md"')
        valuation = Valuation(ticker=ticker, shares_file=shares, reported=tuple(reported))

    tickers = r.tickers(doc, "tickers", required="universe" not in doc)
    for group, members in groups.items():
        strangers = [t for t in members if t not in tickers]
        if strangers:
            raise r.error(f"groups.{group}", f"holds {', '.join(strangers)}, which {'is' if len(strangers) == 1 else 'are'}"
                          " not among the event's tickers.", "add them to tickers, or leave them out of the group.")
    chart_firms = r.tickers(doc, "chart_firms")
    universe = r.string(doc, "universe")
    benchmark = r.tickers({"benchmark": [doc["benchmark"]]} if isinstance(doc.get("benchmark"), str)
                          else {"benchmark": doc.get("benchmark", [config.DEFAULT_BENCHMARK])},
                          "benchmark", required=True)[0]
    return EventConfig(
        name=name, title=r.string(doc, "title"), date=r.date(doc, "date"), tickers=tickers,
        benchmark=benchmark, model=model,
        estimation=r.window(doc, "estimation", config.ESTIMATION_WINDOW),
        windows=r.windows(doc, "windows"), ar_path=r.window(doc, "ar_path", config.AR_PATH),
        wide_window=r.window(doc, "wide_window", config.WIDE_WINDOW), groups=groups,
        confounds=tuple(sorted(confounds, key=lambda c: c.date)),
        indices=r.tickers(doc, "indices") or config.INDICES, chart_firms=chart_firms,
        claims=r.file(doc, "claims"), claims_excluded=r.file(doc, "claims_excluded"), seeds=r.file(doc, "seeds"),
        valuation=valuation, universe=universe, summary=r.string(doc, "summary") or "", source=path.resolve(),
    )


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int, size: int) -> EventConfig:
    return _read_event(path)


def load_event(path: Path | str) -> EventConfig:
    """Read and validate an event file.

    Parameters
    ----------
    path : path-like
        A TOML file (see the module docstring for its keys).

    Returns
    -------
    EventConfig

    Raises
    ------
    EventFileError
        For a missing, unreadable or malformed file, an unknown key or a bad value; the message names the key and
        its line.
    """
    path = Path(path).expanduser()
    try:
        stat = path.stat()
    except OSError:
        return _read_event(path)  # raises the one-line error
    return _load_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


def _root() -> Path:
    return config.find_project_root(Path(__file__).parent)


def flagship() -> EventConfig:
    """The project's flagship event (:data:`FLAGSHIP_FILE`)."""
    return load_event(_root() / FLAGSHIP_FILE)


def event_files(folder: Path | str | None = None) -> list[Path]:
    """Every ``*.toml`` of ``events/`` (or ``folder``), sorted."""
    return sorted(Path(folder or _root() / "events").glob("*.toml"))


def known_events(folder: Path | str | None = None) -> list[EventConfig]:
    """Every readable event file of ``events/``; a malformed one is skipped here (``load_event`` reports it)."""
    out = []
    for path in event_files(folder):
        try:
            out.append(load_event(path))
        except EventFileError:
            continue
    return out


def _known_confounds(date: dt.date, exclude: str | None = None) -> tuple[Confound, ...]:
    """Other events' days and their declared confounds, as confounds of an ad-hoc event (within about a month)."""
    seen: dict[tuple[dt.date, str], Confound] = {}
    for event in known_events():
        if event.name == exclude:
            continue
        candidates = [Confound(event.date, event.title, event.chart_firms), *event.confounds]
        for c in candidates:
            if abs((c.date - date).days) <= 40 and not (c.date == date and c.label == event.title == exclude):
                seen.setdefault((c.date, c.label), c)
    return tuple(sorted(seen.values(), key=lambda c: c.date))


def adhoc_event(
    date,
    tickers: Sequence[str] | None = None,
    *,
    base: EventConfig | None = None,
    **changes,
) -> EventConfig:
    """An event made on the fly for ``--event DATE``: no claims, no reported figures.

    Parameters
    ----------
    date : date-like
        The event date (YYYY-MM-DD).
    tickers : sequence of str, optional
        The firms; default those of ``base`` (the flagship's when ``base`` is None).
    base : EventConfig, optional
        Where the firms, groups, benchmark and windows come from (default: the flagship).
    **changes
        Other fields to set (benchmark, model, estimation, windows, ...).

    Returns
    -------
    EventConfig
        Named ``event-YYYY-MM-DD``; its confounds are the other known events near the date.
    """
    from .calendar import to_date

    day = to_date(date).date()
    base = base or flagship()
    if base.date == day:
        return base.replace(**({"tickers": tuple(tickers)} if tickers else {}), **changes)
    fields = {
        "name": f"event-{day.isoformat()}", "title": f"Event of {day:%d %b %Y}", "date": day,
        "tickers": tuple(tickers) if tickers else base.tickers, "benchmark": base.benchmark, "model": base.model,
        "estimation": base.estimation, "windows": base.windows, "ar_path": base.ar_path,
        "wide_window": base.wide_window, "groups": base.groups, "indices": base.indices,
        "chart_firms": base.chart_firms if not tickers else (), "confounds": _known_confounds(day),
    }
    fields.update(changes)
    return EventConfig(**fields)


def resolve_event(event_file: Path | str | None = None, event_date=None) -> EventConfig:
    """The event an entry point asked for: a file, else an ad-hoc date, else the flagship.

    Parameters
    ----------
    event_file : path-like, optional
    event_date : date-like, optional
        Used only without ``event_file``; a date equal to the flagship's gives the flagship itself.
    """
    if event_file:
        event = load_event(event_file)
        if event_date is not None and pd.Timestamp(event_date).date() != event.date:
            raise EventFileError(f"--event {event_date} disagrees with the date of {event_file} ({event.date}).",
                                 "give one of --event and --event-file.")
        return event
    if event_date is not None:
        return adhoc_event(event_date)
    return flagship()
