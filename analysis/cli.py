"""The command line, thin over the modules.

Every command reads the cache only, except ``fetch``. Errors the user can act on are printed as one line
(``error: <problem> Fix: <what to do>``) with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
from collections.abc import Sequence


import re

from . import config
from .cache import CLOSE_BASES, Cache
from .errors import AnalysisError, WindowError


def _cache(args) -> Cache:
    return Cache(args.data_dir) if getattr(args, "data_dir", None) else Cache()


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=1, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


# --- cache ----------------------------------------------------------------------------------------------------------
def cmd_cache_import(args) -> int:
    cache = _cache(args)
    entries = cache.import_market_data(args.source)
    prices = [e for e in entries if e.kind == "prices"]
    bars = [e for e in entries if e.kind == "bars"]  # intraday 1m/5m files
    unchanged = f" ({cache.last_import_unchanged} unchanged, left as they were)" if cache.last_import_unchanged else ""
    print(f"imported {len(prices)} price histories, {len(bars)} intraday bar files and "
          f"{len(entries) - len(prices) - len(bars)} other files into {cache.data_dir}{unchanged}")
    # Issue 10: the extensions (daily-extended/, fred/) and the timeline, each joined to its original on the overlap.
    extensions = cache.import_extensions(args.source)
    joined = [e for e in extensions if e.join]
    refused = [f"{e.ticker} ({e.join['status']})" for e in joined if e.join["status"] not in ("ok", "no_base")]
    print(f"imported {len(joined)} extensions and {len(extensions) - len(joined)} other files; joins not ok: "
          f"{', '.join(refused) or 'none'}")
    return 0


def cmd_cache_verify(args) -> int:
    cache = _cache(args)
    if not cache.manifest_path.exists():
        cache.manifest()  # raises the one rule for a missing manifest: restore it or rebuild it
    rolled = cache.recover()
    for relative in rolled:
        print(f"rolled back an interrupted write of {relative}")
    problems = cache.verify()
    for problem in problems:
        print(f"FAIL {problem}")
    for note in cache.verify_bars()[1] if hasattr(cache, "verify_bars") else []:  # known differences, not failures
        print(f"NOTE {note}")
    if problems:
        print(f"{len(problems)} problem(s) in {cache.data_dir}. Fix: restore the files with git "
              "(git checkout -- data/) or re-import your copy of the market data: "
              "python -m analysis cache import PATH/TO/market-data")
        return 2
    print(f"OK: {len(cache.manifest())} files verified (checksums, schema, sessions, prices) in {cache.data_dir}")
    return 0


def cmd_cache_list(args) -> int:
    cache = _cache(args)
    coverage = cache.coverage()
    if args.json:
        _print_json(coverage.to_dict(orient="records"))
        return 0
    if coverage.empty:
        raise AnalysisError(f"the manifest of {cache.data_dir} lists no price histories.",
                            "import the market data: python -m analysis cache import PATH/TO/market-data")
    print(coverage.drop(columns=["file"]).to_string(index=False))
    print("\nclose_basis: " + "; ".join(f"{k} = {v}" for k, v in CLOSE_BASES.items()))
    extensions = cache.extension_coverage()  # issue 10: later date ranges from a second source, for returns only
    if not extensions.empty:
        print("\nExtensions (adjusted closes or FRED levels, used for returns after the original's last date; "
              "join = the check on the overlap):")
        print(extensions.drop(columns=["file"]).to_string(index=False))
    return 0


# --- fetch ----------------------------------------------------------------------------------------------------------
def cmd_fetch(args) -> int:
    from .market_data import fetch_to_cache

    outcomes = fetch_to_cache(args.tickers, args.start, args.end, args.interval, cache=_cache(args),
                              timeout=args.timeout, progress=not args.no_progress)
    for outcome in outcomes:
        print(("ok    " if outcome.ok else "error: ") + outcome.message, file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 2


# --- calendar -------------------------------------------------------------------------------------------------------
def cmd_day0(args) -> int:
    from .calendar import event_day0

    day0 = event_day0(args.date, args.calendar)
    print(f"event date {day0.event_date.date()} -> day 0 = {day0.session.date()} ({day0.calendar})")
    if day0.note:
        print(f"note: {day0.note}")
    return 0


# --- the event -----------------------------------------------------------------------------------------------------
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _event_date(text: str) -> str:
    """``--event``: a calendar date, YYYY-MM-DD, nothing else (no time, no words)."""
    if not _DATE.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2024-12-26")
    return text.strip()


def _tickers(text: str | None) -> tuple[str, ...] | None:
    """``--tickers``: comma- or space-separated symbols; duplicates (any case) merged with a note on stderr."""
    if text is None:
        return None
    names = [t.strip().upper() for t in text.replace(" ", ",").split(",") if t.strip()]
    if not names:
        from .errors import InvalidTickerError

        raise InvalidTickerError("--tickers is empty.", "name at least one firm, e.g. --tickers NVDA,AVGO, or leave "
                                 "the option out to study the event's firms.")
    merged = tuple(dict.fromkeys(names))
    if len(merged) < len(names):
        print(f"note: duplicate tickers merged: {', '.join(merged)}", file=sys.stderr)
    return merged


def _event(args):
    """The event of a command: ``--event-file``, else ``--event DATE`` (ad hoc: no claims, no reported figures),
    else the flagship; then the command's own overrides (tickers, benchmark, model, windows)."""
    from .events import resolve_event

    event = resolve_event(getattr(args, "event_file", None), getattr(args, "event", None))
    changes = {}
    tickers = _tickers(getattr(args, "tickers", None))
    if tickers:
        changes["tickers"] = tickers
        changes["chart_firms"] = tickers[:6]
    if getattr(args, "benchmark", None):
        changes["benchmark"] = args.benchmark.strip().upper()
    if getattr(args, "model", None):
        changes["model"] = args.model
    if getattr(args, "estimation", None):
        first, last = args.estimation
        if first > last:
            raise WindowError(f"--estimation {first} {last} ends before it starts.", "write --estimation -250 -11.")
        changes["estimation"] = (first, last)
    if getattr(args, "window", None):
        changes["windows"] = tuple(dict.fromkeys([*event.windows, *args.window]))
    if changes.get("benchmark") and changes.get("model", event.model) in ("constant-mean", "ff3", "ff5", "carhart"):
        print(f"note: the {changes.get('model', event.model)} model uses no benchmark; --benchmark "
              f"{changes['benchmark']} is not used.", file=sys.stderr)
    event = event.replace(**changes) if changes else event
    note = event.day0().note
    if note:
        print(f"note: {note}", file=sys.stderr)
    return event


def _check_out_dir(out) -> None:
    """An output folder that can be a folder: not an existing file, not below one."""
    for part in (out, *out.parents):
        if part.exists():
            if not part.is_dir():
                what = "is a file" if part == out else f"lies below {part}, which is a file"
                raise AnalysisError(f"--out {out} {what}, not a folder.", "give a folder, e.g. --out figures.")
            break


def _check_benchmark(event, cache) -> None:
    """The event's benchmark before a study: not crypto, and an index named without its caret is named with it."""
    if event.model not in ("market", "market-adjusted"):
        return
    benchmark = event.benchmark
    if benchmark in config.CRYPTO_TICKERS:
        raise AnalysisError(f"{benchmark} trades every calendar day and cannot be the market proxy of an XNYS study.",
                            "use a US index or fund, e.g. --benchmark ^GSPC, ^NDX, RSP or SOXX.")
    held = set(cache.tickers("1d"))
    if benchmark not in held and "^" + benchmark in held:
        raise AnalysisError(f"{benchmark} is not in the cache, but the index ^{benchmark} is.",
                            f"indices take a caret: --benchmark ^{benchmark}")


def _print_frame(table, float_format="{:8.2f}".format) -> None:
    print(table.to_string(index=False, float_format=float_format, na_rep="   n/a"))


# --- moves ----------------------------------------------------------------------------------------------------------
def cmd_moves(args) -> int:
    from .returns import day0_moves

    event = _event(args)
    table = day0_moves(event, _cache(args))
    if args.json:
        _print_json(json.loads(table.to_json(orient="records")))
        return 0
    print(f"Day-0 moves of {event.title} against the previous close (percent; close-to-close, opening gap, "
          f"intraday low/high), event date {event.date}. Prices are as each source gives them (column close basis: "
          "raw, or adjusted, whose levels are not the traded prices but whose day-to-day changes are right except "
          "across a dividend or split):")
    shown = table.rename(columns={"prev_close": "previous close", "close_pct": "close %", "open_pct": "open %",
                                  "low_pct": "low %", "high_pct": "high %", "close_basis": "close basis"})
    _print_frame(shown)
    return 0


# --- the main job -------------------------------------------------------------------------------------------------
def cmd_run(args) -> int:
    """The main job, from the cache only: execute the notebooks, export the charts, write the page and print the
    headline table (analysis/runner.py). Exit 1 when a notebook fails or a chart is missing."""
    from pathlib import Path

    from .runner import run_main_job

    if args.data_dir and Path(args.data_dir).resolve() != Cache().data_dir.resolve():
        raise AnalysisError("run executes the notebooks, which read the project's own data/; --data-dir does not "
                            "reach them.", "use `report` or `figures` with --data-dir, or import the data into data/.")
    event = _event(args)
    result = run_main_job(event, Path(args.out).resolve() if args.out else None,
                          Path(args.figures).resolve() if args.figures else None, jobs=args.jobs)
    return 0 if result.ok else 1


def cmd_report(args) -> int:
    """The headline table: each claim's verdict, and each firm's day-0 AR and CARs with t and p."""
    from .headline import headline_json, headline_table

    table = headline_table(_event(args), _cache(args))
    print(headline_json(table) if args.json else table)
    return 0


def cmd_figures(args) -> int:
    """Export every chart as PNG, SVG and PDF (deterministic files)."""
    from pathlib import Path

    from .figures import export_figures, skipped_figures
    from .runner import default_out_dirs

    event = _event(args)
    out = Path(args.out).resolve() if args.out else default_out_dirs(event)[1]
    _check_out_dir(out)
    written = export_figures(event, out, names=args.only or None, cache=_cache(args),
                             jobs=min(2, os.cpu_count() or 1))
    print(f"wrote {len(written)} files ({len({p.stem for p in written})} charts) to {out}")
    for name, reason in skipped_figures(event).items():
        print(f"left out: {name}, because {reason}")
    return 0


# --- study, groups, claims -----------------------------------------------------------------------------------------
def _window(text: str) -> tuple[int, int]:
    try:
        a, b = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a window; write A,B in relative sessions, e.g. -1,1")
    if a > b:
        raise argparse.ArgumentTypeError(f"{text!r} ends before it starts; write A,B with A <= B")
    return a, b


def cmd_study(args) -> int:
    from .events import window_label
    from .study import index_table, run_event_study, study_json

    event = _event(args)
    cache = _cache(args)
    _check_benchmark(event, cache)
    results = run_event_study(event, cache)
    indices = index_table(event, cache)
    volume = cross = None
    if getattr(args, "volume", False):
        from .volume import volume_study

        volume = volume_study(event, cache, tickers=results.tickers)
    if getattr(args, "cross_section", False):
        from .crosssection import firm_cross_section

        cross = firm_cross_section(results, cache)
    if args.json:
        _print_json(study_json(results, indices, volume=volume, cross_section=cross))
        return 0
    print(results.summary())
    if volume is not None:
        print(volume.attrs["what"])
        shown = volume[["volume0", "abnormal_log_volume", "volume_ratio", "t", "p"]]
        print(shown.to_string(float_format=lambda v: f"{v:10.3f}"))
        print()
    if cross is not None:
        print(cross.summary())
    print()
    print(f"Indices on day 0 ({results.day0.date()}): raw simple close-to-close return (%), z against the "
          f"estimation window {window_label(event.estimation)}, percentile among all cached daily returns")
    shown = indices.assign(return_pct=100 * indices["return"])[["ticker", "return_pct", "z", "percentile",
                                                                 "n_estimation"]]
    _print_frame(shown.rename(columns={"return_pct": "return %", "n_estimation": "estimation returns"}))
    return 0


def cmd_groups(args) -> int:
    from .eventstudy import format_p
    from .study import groups_report, groups_tables

    event = _event(args)
    _check_benchmark(event, _cache(args))
    report = groups_report(event, _cache(args))
    if args.json:
        _print_json(report)
        return 0
    groups, differences = groups_tables(report)
    market = f" vs {report['benchmark']}" if report["benchmark"] else ""
    print(f"Peer groups of {event.title}, {event.model} model{market}, day 0 = {report['day0']}, estimation window "
          f"{report['estimation_window']}. CAAR and CAR: percent of simple close-to-close abnormal returns; "
          "r̄: mean pairwise correlation of the firms' estimation residuals.")
    for name, members in report["groups"].items():
        print(f"  {name}: {', '.join(members['tickers'])}")
    small = groups["n"] < 3  # BMP's cross-sectional standard deviation would have one degree of freedom or none
    shown = groups.assign(caar=100 * groups["caar"], kp_bmp_t=groups["kp_bmp_t"].where(~small)).rename(columns={
        "caar": "CAAR %", "rbar": "r̄", "portfolio_t": "portfolio t", "kp_bmp_t": "KP-BMP t", "grank_t": "GRANK t",
        "wald_chi2": "Wald χ²", "wald_p": "Wald p"})
    shown["Wald p"] = shown["Wald p"].map(format_p)
    print(shown.to_string(index=False, float_format=lambda v: f"{v:8.3f}", na_rep="     n/a"))
    for name in sorted(set(groups.loc[small, "group"])):
        n = int(groups.loc[groups["group"] == name, "n"].iloc[0])
        print(f"note: {name} has N = {n} firm{'s' if n != 1 else ''}: KP-BMP t needs at least 3 (its cross-sectional "
              "standard deviation would rest on one degree of freedom) and is not shown; GRANK over-rejects with "
              "so few firms; read the portfolio t and the Wald test.")
    span = (min(w[0] for w in event.windows), max(w[1] for w in event.windows))
    for tau, text in sorted(event.relative_confounds(span).items()):
        print(f"Confound warning: τ = {tau:+d} is inside the windows above: {text}.")
    if differences.empty:
        print("\nNo differences: they need at least two peer groups.")
        return 0
    print("\nDifferences (equal-weighted long-short portfolio, tested as one firm):")
    shown = differences.assign(car=100 * differences["car"], se=100 * differences["se"]).rename(
        columns={"car": "CAR %", "se": "se %"})
    shown["p"] = shown["p"].map(format_p)
    print(shown.to_string(index=False, float_format=lambda v: f"{v:8.3f}"))
    return 0


def cmd_robustness(args) -> int:
    from .events import window_label
    from .study import robustness

    event = _event(args)
    result = robustness(event, cache=_cache(args))
    if args.json:
        _print_json(json.loads(result.table.to_json(orient="records")))
        return 0
    print(f"Day-0 abnormal return (%, simple close-to-close) by firm and spec, {event.title}, day 0 = "
          f"{result.day0.date()}, estimation window {window_label(event.estimation)}:")
    print((100 * result.wide("ar0")).to_string(float_format=lambda v: f"{v:7.2f}"))
    print("\nIts t statistic (Student t with the spec's df, two-sided):")
    print(result.wide("ar0_t").to_string(float_format=lambda v: f"{v:6.2f}"))
    print("\nWhere the conclusion changes:")
    for line in result.conclusions():
        print(f"- {line}")
    return 0


def cmd_claims(args) -> int:
    from .claims import check_event_claims

    event = _event(args)
    check = check_event_claims(event, _cache(args))
    if check is None:
        raise AnalysisError(f"the event {event.name} has no claims registry, so there is nothing to check.",
                            "give an event file with a 'claims' key, e.g. --event-file events/deepseek-r1.toml.")
    if args.json:
        _print_json(check.to_records())
        return 0
    print(check.table())
    return 0


# --- intraday -------------------------------------------------------------------------------------------------------
def cmd_intraday(args) -> int:
    """The day's path against the previous close from cached intraday bars, with the low and high and their times."""
    from .events import resolve_event
    from .intraday import intraday_path

    day0 = resolve_event(args.event_file, args.event).day0(config.EXCHANGE_CALENDAR)
    if day0.note:
        print(f"note: {day0.note}", file=sys.stderr)
    path = intraday_path(args.ticker, day0.session, interval=args.interval, cache=_cache(args))
    if args.json:
        _print_json(path.to_dict())
        return 0
    print(path.summary())
    print(f"\nThe regular session every {args.every} minutes (close of the bar starting at that time, ET):")
    print(path.path_table(args.every).to_string(index=False))
    return 0


def _add_intraday_parser(sub) -> None:
    p = sub.add_parser("intraday", help="a day's intraday path vs the previous close, with the low and high and "
                                         "their times (cached 1m/5m bars)")
    p.add_argument("ticker", metavar="TICKER", help="a symbol with cached 1m or 5m bars, e.g. NVDA")
    p.add_argument("--interval", default=None, choices=["1m", "5m", "1h"],
                   help="bar interval (default: the finest cached)")
    p.add_argument("--event", default=None, type=_event_date, help="the day (day 0: first session on or after it; default: the "
                                                 "flagship event's)")
    p.add_argument("--event-file", default=None, metavar="PATH", help="an events/<name>.toml; its day 0 is used")
    p.add_argument("--every", type=int, default=30, help="minutes between the rows of the path table (default 30)")
    p.add_argument("--json", action="store_true", help="summary and every bar as JSON (percent, ET times)")
    p.set_defaults(func=cmd_intraday)


# --- universe: the whole index's cross-section -----------------------------------------------------------------------
def cmd_universe(args) -> int:
    """The cross-section of an event over every member of its universe (analysis/universe.py)."""
    from .events import resolve_event
    from .universe import UniverseStudy

    event = resolve_event(args.event_file, args.event)
    results = UniverseStudy.from_event(event).fit(cache=_cache(args))
    if args.json:
        _print_json(results.to_dict())
        return 0
    print(results.summary())
    return 0


def add_universe_parser(sub) -> None:
    p = sub.add_parser("universe", help="the event over every member of the index (S&P 500): sectors, exposure")
    p.add_argument("--event-file", help="an events/*.toml file; its `universe` key names the index (default sp500)")
    p.add_argument("--event", default=None, type=_event_date, help="an event date instead of a file (default: the "
                                                                    "flagship event)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout; returns as decimals")
    p.set_defaults(func=cmd_universe)


# --- aftermath and timeline (issue 10) ---------------------------------------------------------------------------
def cmd_aftermath(args) -> int:
    """Drawdown, recovery, long-horizon CAR and BHAR, and the anniversary of an event (decimals in JSON)."""
    from .aftermath import run_aftermath
    from .events import resolve_event

    event = resolve_event(args.event_file, args.event)
    return _print_result(run_aftermath(event, tickers=_tickers(args.tickers), cache=_cache(args)), args.json)


def cmd_timeline(args) -> int:
    """Every DeepSeek release of the timeline as an event: day-0 AR and CAR[0,+1], and the test across events."""
    from .timeline import run_timeline_study

    return _print_result(run_timeline_study(cache=_cache(args)), args.json)


def _print_result(result, as_json: bool) -> int:
    """A results object as JSON (``to_dict``) or as its text summary."""
    if as_json:
        _print_json(result.to_dict())
    else:
        print(result.summary())
    return 0


def add_aftermath_parsers(sub) -> None:
    """Register ``aftermath`` and ``timeline`` (kept apart so the block merges cleanly)."""
    p = sub.add_parser("aftermath", help="after the event: drawdown, recovery, CAR/BHAR to +250, one year later")
    p.add_argument("--event-file", help="an event file, e.g. events/deepseek-r1.toml (default: the flagship)")
    p.add_argument("--event", help="an ad-hoc event date instead of a file")
    p.add_argument("--tickers", help="comma-separated firms (default: the event's)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout; returns as decimals")
    p.set_defaults(func=cmd_aftermath)
    p = sub.add_parser("timeline", help="every release of the timeline as an event, and a test across them")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout; returns as decimals")
    p.set_defaults(func=cmd_timeline)


# --- parser ---------------------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse, with a bad option or value reported as the project's one line (exit 2), not the usage text."""

    def error(self, message: str):
        sys.stderr.write(f"error: {message}. Fix: see `{self.prog} --help`.\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    from .figures import figure_names

    parser = _Parser(prog="python -m analysis",
                                     description="How did the market react to a piece of news, and were the moves "
                                                 "the press reported right? An event study from the offline cache; "
                                                 "the flagship event is events/deepseek-r1.toml.")
    parser.add_argument("--data-dir", help="cache folder (default: the project's data/)")
    sub = parser.add_subparsers(dest="command", required=True)

    cache = sub.add_parser("cache", help="import, verify or list the offline cache").add_subparsers(
        dest="cache_command", required=True)
    p = cache.add_parser("import", help="import the shared market data (validated, copied byte for byte)")
    p.add_argument("source", help="the market-data folder, or its daily/ subfolder")
    p.set_defaults(func=cmd_cache_import)
    p = cache.add_parser("verify", help="check every cached file; list every problem and exit 2 if there is any")
    p.set_defaults(func=cmd_cache_verify)
    p = cache.add_parser("list", help="what is cached and its coverage")
    p.add_argument("--json", action="store_true", help="a JSON array, one object per file")
    p.set_defaults(func=cmd_cache_list)

    p = sub.add_parser("fetch", help="fetch histories from Yahoo Finance (needs a network) and merge them")
    p.add_argument("tickers", nargs="+", metavar="TICKER", help="Yahoo symbols, e.g. NVDA ^IXIC BTC-USD")
    p.add_argument("--start", required=True, help="first date, YYYY-MM-DD (inclusive)")
    p.add_argument("--end", required=True, help="last date, YYYY-MM-DD (inclusive)")
    p.add_argument("--interval", default="1d", choices=["1d", "1h", "1m", "5m"],
                   help="1d (default), or intraday bars: Yahoo keeps 1m for 30 days, 5m for 60, 1h for 730")
    p.add_argument("--timeout", type=float, default=20.0,
                   help="seconds allowed for the whole download of each ticker (default 20)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("day0", help="map a date to event day 0 (first session on or after it)")
    p.add_argument("date", type=_event_date, help="calendar date, YYYY-MM-DD")
    p.add_argument("--calendar", default=config.EXCHANGE_CALENDAR,
                   choices=[config.EXCHANGE_CALENDAR, config.CRYPTO_CALENDAR],
                   help="XNYS sessions (default) or every calendar day (24/7, crypto)")
    p.set_defaults(func=cmd_day0)

    add_aftermath_parsers(sub)

    def event_options(p, *, json_help: str = "one JSON document on stdout; returns as decimals"):
        p.add_argument("--event-file", metavar="PATH",
                       help="the event, as a TOML file (default: events/deepseek-r1.toml, the flagship)")
        p.add_argument("--event", type=_event_date, metavar="YYYY-MM-DD",
                       help="an ad-hoc event on this date instead (the flagship's firms; no claims, no reported "
                            "figures); day 0 is the first session on or after it")
        p.add_argument("--json", action="store_true", help=json_help)

    def study_options(p):
        event_options(p)
        p.add_argument("--tickers", help="comma-separated firms (default: the event's tickers)")
        p.add_argument("--benchmark", help="market proxy of the market model (default: the event's, ^GSPC)")
        p.add_argument("--model", choices=["market", "market-adjusted", "constant-mean", "ff3", "carhart", "ff5",
                                           "garch"],
                       help="normal-return model (default: the event's, market)")
        p.add_argument("--estimation", nargs=2, type=int, metavar=("START", "END"),
                       help="estimation window in relative sessions (default: the event's, -250 -11)")
        p.add_argument("--window", type=_window, action="append", metavar="A,B",
                       help="an extra event window in relative sessions, repeatable (e.g. --window -5,5)")

    p = sub.add_parser("moves", help="raw day-0 moves of every cached series")
    event_options(p, json_help="a JSON array, one object per series, in percent")
    p.set_defaults(func=cmd_moves)

    p = sub.add_parser("study", help="the event study of the event's firms (market model vs ^GSPC by default)")
    study_options(p)
    p.add_argument("--volume", action="store_true",
                   help="add day-0 abnormal volume (log-volume market model, Campbell-Wasley 1996) for every firm")
    p.add_argument("--cross-section", action="store_true",
                   help="add the OLS (HC3) of day-0 ARs on SOXX beta, momentum and log dollar volume")
    p.set_defaults(func=cmd_study)

    p = sub.add_parser("groups", help="the event's peer groups and their differences")
    study_options(p)
    p.set_defaults(func=cmd_groups)

    p = sub.add_parser("robustness", help="day-0 AR under every model and benchmark, and where the answer changes")
    event_options(p, json_help="the tidy table as a JSON array; returns as decimals")
    p.add_argument("--tickers", help="comma-separated firms (default: the event's tickers)")
    p.add_argument("--estimation", nargs=2, type=int, metavar=("START", "END"),
                   help="estimation window in relative sessions (default: the event's, -250 -11)")
    p.set_defaults(func=cmd_robustness)

    p = sub.add_parser("claims", help="the figures quoted in the event's articles against the market data")
    event_options(p, json_help="a JSON array, one object per claim, in percent")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("run", help="the main job, from the cache: execute the notebooks, export the figures, "
                                    "write build/<name>/index.html, print the headline table")
    p.add_argument("--event-file", metavar="PATH", help="the event, as a TOML file (default: the flagship)")
    p.add_argument("--event", type=_event_date, metavar="YYYY-MM-DD", help="an ad-hoc event on this date instead")
    p.add_argument("--out", default=None, help="folder for executed notebooks, HTML and the page (default: "
                                                "build/<name>/)")
    p.add_argument("--figures", default=None, help="folder for exported charts (default: figures/ for the "
                                                    "flagship, build/<name>/figures/ otherwise)")
    p.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores + 1)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="print the headline table: claims with verdicts, day-0 AR and CAR per firm")
    event_options(p, json_help="the headline as one JSON object (percent)")
    p.add_argument("--benchmark", help="market proxy of the market model (default: the event's, ^GSPC)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("figures", help="export every chart as PNG, SVG and PDF (byte-identical on every run)")
    p.add_argument("--event-file", metavar="PATH", help="the event, as a TOML file (default: the flagship)")
    p.add_argument("--event", type=_event_date, metavar="YYYY-MM-DD", help="an ad-hoc event on this date instead")
    p.add_argument("--out", default=None, help="target folder (default: figures/ for the flagship, "
                                                "build/<name>/figures/ otherwise)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=figure_names(),
                   help="export only these charts (names as in figures/)")
    p.set_defaults(func=cmd_figures)
    _add_intraday_parser(sub)


    add_universe_parser(sub)
    return parser


def _join_negative_windows(argv: Sequence[str]) -> list[str]:
    """``--window -5,5`` -> ``--window=-5,5``: argparse would read "-5,5" as an option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1] == "--window" and token.startswith("-") and "," in token:
            out[-1] = f"--window={token}"
            continue
        out.append(token)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_negative_windows(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.func(args) or 0)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return interrupted()
    except OSError as exc:  # a folder that cannot be written, a full disk: one line, not a traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}. Fix: check the path and its permissions; the cache is "
              "unchanged.", file=sys.stderr)
        return 2


def interrupted() -> int:
    """Ctrl-C: one line, exit status 130 (128 + SIGINT). Every cache write is atomic, so nothing is half-written."""
    print("interrupted (Ctrl-C); the cache is unchanged.", file=sys.stderr)
    return 130
