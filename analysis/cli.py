"""The command line, thin over the modules.

Every command reads the cache only, except ``fetch``. Errors the user can act on are printed as one line
(``error: <problem> Fix: <what to do>``) with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


from . import config
from .cache import CLOSE_BASES, Cache
from .errors import AnalysisError


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
    print(f"imported {len(prices)} price histories and {len(entries) - len(prices)} other files into {cache.data_dir}")
    # Issue 10: the extensions (daily-extended/, fred/) and the timeline, each joined to its original on the overlap.
    extensions = cache.import_extensions(args.source)
    joined = [e for e in extensions if e.join]
    refused = [f"{e.ticker} ({e.join['status']})" for e in joined if e.join["status"] not in ("ok", "no_base")]
    print(f"imported {len(joined)} extensions and {len(extensions) - len(joined)} other files; joins not ok: "
          f"{', '.join(refused) or 'none'}")
    return 0


def cmd_cache_verify(args) -> int:
    cache = _cache(args)
    rolled = cache.recover() if cache.manifest_path.exists() else []
    for relative in rolled:
        print(f"rolled back an interrupted write of {relative}")
    problems = cache.verify()
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        print(f"{len(problems)} problem(s) in {cache.data_dir}. Fix: restore the files with git "
              "(git checkout -- data/) or re-import: python -m analysis cache import ../shared/market-data")
        return 1
    print(f"OK: {len(cache.manifest())} files verified (checksums, schema, sessions, prices) in {cache.data_dir}")
    return 0


def cmd_cache_list(args) -> int:
    cache = _cache(args)
    coverage = cache.coverage()
    if args.json:
        _print_json(coverage.to_dict(orient="records"))
        return 0
    if coverage.empty:
        print("the cache is empty. Fix: python -m analysis cache import ../shared/market-data")
        return 1
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
        print(("ok    " if outcome.ok else "FAILED ") + outcome.message, file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


# --- calendar -------------------------------------------------------------------------------------------------------
def cmd_day0(args) -> int:
    from .calendar import event_day0

    day0 = event_day0(args.date, args.calendar)
    print(f"event date {day0.event_date.date()} -> day 0 = {day0.session.date()} ({day0.calendar})")
    if day0.note:
        print(f"note: {day0.note}")
    return 0


# --- moves ----------------------------------------------------------------------------------------------------------
def _print_day0_note(event_date) -> None:
    """Say so on stderr when the event date is not itself a session (stdout stays clean for --json)."""
    from .calendar import event_day0

    note = event_day0(event_date, config.EXCHANGE_CALENDAR).note
    if note:
        print(f"note: {note}", file=sys.stderr)


def cmd_moves(args) -> int:
    _print_day0_note(args.event)
    from .study import day0_moves

    table = day0_moves(_cache(args), args.event)
    if args.json:
        _print_json(json.loads(table.to_json(orient="records")))
        return 0
    print(f"Day-0 moves against the previous raw close (percent; close-to-close, opening gap, intraday low/high), "
          f"event {args.event}:")
    print(table.to_string(index=False, float_format=lambda v: f"{v:8.2f}", na_rep="   n/a"))
    return 0


# --- the main job -------------------------------------------------------------------------------------------------
def cmd_run(args) -> int:
    """The main job, from the cache only: execute the notebooks into --out, export the charts to --figures, print
    the headline table (see analysis/report.py). Exit 1 when a notebook fails or a chart is missing."""
    from pathlib import Path

    from .errors import AnalysisError
    from .report import run_main_job

    if args.data_dir and Path(args.data_dir).resolve() != Cache().data_dir.resolve():
        raise AnalysisError("run executes the notebooks, which read the project's own data/; --data-dir does not "
                            "reach them.", "use `report` or `figures` with --data-dir, or import the data into data/.")
    event = None if args.event == str(config.EVENT_DATE) else args.event
    # Given folders are read from the current directory; the defaults are the project's build/ and figures/.
    result = run_main_job(Path(args.out).resolve() if args.out else "build",
                          Path(args.figures).resolve() if args.figures else "figures", event_date=event,
                          jobs=getattr(args, "jobs", None))
    return 0 if result.ok else 1


def cmd_report(args) -> int:
    """The headline table: each claim's verdict, and each firm's day-0 AR and CARs with t and p."""
    from .report import headline_json, headline_table

    table = headline_table(args.event, benchmark=args.benchmark, cache=_cache(args))
    print(headline_json(table) if args.json else table)
    return 0


def cmd_figures(args) -> int:
    """Export every chart as PNG, SVG and PDF (deterministic files)."""
    from pathlib import Path

    from .report import export_figures

    out = Path(args.out).resolve() if args.out else config.find_project_root(Path(__file__).parent) / "figures"
    written = export_figures(out, names=args.only or None, event_date=args.event, cache=_cache(args))
    print(f"wrote {len(written)} files ({len({p.stem for p in written})} charts) to {out}")
    return 0


# --- study, groups, claims -----------------------------------------------------------------------------------------
def _window(text: str) -> tuple[int, int]:
    try:
        a, b = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a window; write A,B in relative sessions, e.g. -1,1")
    return a, b


def _tickers(text: str | None) -> list[str] | None:
    return [t for t in text.replace(" ", ",").split(",") if t] if text else None


def cmd_study(args) -> int:
    from .study import index_table, run_event_study, study_json

    windows = tuple(dict.fromkeys(list(config.EVENT_WINDOWS) + list(args.window or [])))
    estimation = tuple(args.estimation) if args.estimation else config.ESTIMATION_WINDOW
    cache = _cache(args)
    results = run_event_study(_tickers(args.tickers), args.benchmark, args.model, args.event, estimation, windows,
                              cache=cache)
    indices = index_table(event_date=args.event, estimation_window=estimation, cache=cache)
    _print_day0_note(args.event)
    if args.json:
        _print_json(study_json(results, indices))
        return 0
    print(results.summary())
    print()
    print(f"Indices on day 0 ({results.day0.date()}): raw simple close-to-close return (%), z against the "
          f"estimation window {list(estimation)}, percentile among all cached daily returns")
    shown = indices.assign(return_pct=100 * indices["return"])[["ticker", "return_pct", "z", "percentile",
                                                                 "n_estimation"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:8.2f}"))
    return 0


def cmd_groups(args) -> int:
    from .study import groups_report, groups_tables

    estimation = tuple(args.estimation) if args.estimation else config.ESTIMATION_WINDOW
    windows = tuple(dict.fromkeys(list(config.EVENT_WINDOWS) + list(args.window or [])))
    report = groups_report(None, args.benchmark, args.model, args.event, estimation, windows, cache=_cache(args))
    _print_day0_note(args.event)
    if args.json:
        _print_json(report)
        return 0
    groups, differences = groups_tables(report)
    market = f" vs {args.benchmark}" if args.model in ("market", "market-adjusted") else ""
    print(f"Peer groups, {args.model} model{market}, day 0 = {report['day0']}, estimation window "
          f"{report['estimation_window']}. CAAR and CAR: percent of simple close-to-close abnormal returns; "
          "r̄: mean pairwise correlation of the firms' estimation residuals.")
    for name, members in report["groups"].items():
        print(f"  {name}: {', '.join(members['tickers'])}")
    shown = groups.assign(caar=100 * groups["caar"]).rename(columns={"caar": "CAAR %"})
    print(shown.to_string(index=False, float_format=lambda v: f"{v:8.3f}", na_rep="     n/a"))
    print("\nDifferences (equal-weighted long-short portfolio, tested as one firm):")
    shown = differences.assign(car=100 * differences["car"], se=100 * differences["se"]).rename(
        columns={"car": "CAR %", "se": "se %"})
    print(shown.to_string(index=False, float_format=lambda v: f"{v:8.3f}"))
    return 0


def cmd_robustness(args) -> int:
    from .study import robustness

    result = robustness(_tickers(args.tickers), event_date=args.event, cache=_cache(args))
    if args.json:
        _print_json(json.loads(result.table.to_json(orient="records")))
        return 0
    print(f"Day-0 abnormal return (%, simple close-to-close) by firm and spec, day 0 = {result.day0.date()}, "
          "estimation window [-250, -11]:")
    print((100 * result.wide("ar0")).to_string(float_format=lambda v: f"{v:7.2f}"))
    print("\nIts t statistic (Student t with the spec's df, two-sided):")
    print(result.wide("ar0_t").to_string(float_format=lambda v: f"{v:6.2f}"))
    print("\nWhere the conclusion changes:")
    for line in result.conclusions():
        print(f"- {line}")
    return 0


def cmd_claims(args) -> int:
    from .claims import check_claims

    check = check_claims(cache=_cache(args))
    if args.json:
        _print_json(check.to_records())
        return 0
    print(check.table())
    return 0


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
def build_parser() -> argparse.ArgumentParser:
    from .report import FIGURES

    parser = argparse.ArgumentParser(prog="python -m analysis",
                                     description="Event study of the DeepSeek R1 market shock (27 Jan 2025).")
    parser.add_argument("--data-dir", help="cache folder (default: the project's data/)")
    sub = parser.add_subparsers(dest="command", required=True)

    cache = sub.add_parser("cache", help="import, verify or list the offline cache").add_subparsers(
        dest="cache_command", required=True)
    p = cache.add_parser("import", help="import the shared market data (validated, copied byte for byte)")
    p.add_argument("source", help="the market-data folder, or its daily/ subfolder")
    p.set_defaults(func=cmd_cache_import)
    p = cache.add_parser("verify", help="check every cached file; exit 1 on any problem")
    p.set_defaults(func=cmd_cache_verify)
    p = cache.add_parser("list", help="what is cached and its coverage")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cache_list)

    p = sub.add_parser("fetch", help="fetch histories from Yahoo Finance (needs a network) and merge them")
    p.add_argument("tickers", nargs="+", metavar="TICKER")
    p.add_argument("--start", required=True, help="first date, YYYY-MM-DD (inclusive)")
    p.add_argument("--end", required=True, help="last date, YYYY-MM-DD (inclusive)")
    p.add_argument("--interval", default="1d", choices=["1d", "1h"])
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("day0", help="map a date to event day 0 (first session on or after it)")
    p.add_argument("date")
    p.add_argument("--calendar", default=config.EXCHANGE_CALENDAR, choices=[config.EXCHANGE_CALENDAR,
                                                                             config.CRYPTO_CALENDAR])
    p.set_defaults(func=cmd_day0)

    add_aftermath_parsers(sub)

    p = sub.add_parser("moves", help="raw day-0 moves of every cached series")
    p.add_argument("--event", default=str(config.EVENT_DATE))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_moves)
    def study_options(p):
        p.add_argument("--benchmark", default=config.DEFAULT_BENCHMARK, help="market proxy (default ^GSPC)")
        p.add_argument("--model", default="market", choices=["market", "market-adjusted", "constant-mean", "ff3"])
        p.add_argument("--event", default=str(config.EVENT_DATE), help="event date; day 0 is the first session on "
                                                                       "or after it (default 2025-01-27)")
        p.add_argument("--estimation", nargs=2, type=int, metavar=("START", "END"),
                       help="estimation window in relative sessions (default -250 -11)")
        p.add_argument("--window", type=_window, action="append", metavar="A,B",
                       help="an extra event window in relative sessions, repeatable (e.g. --window=-5,5)")
        p.add_argument("--json", action="store_true", help="one JSON object on stdout; returns as decimals")

    p = sub.add_parser("study", help="the event study of the AI complex (market model vs ^GSPC by default)")
    p.add_argument("--tickers", help="comma-separated firms (default: every cached US stock, the AI complex)")
    study_options(p)
    p.set_defaults(func=cmd_study)

    p = sub.add_parser("groups", help="peer groups (hardware, platforms, power) and their differences")
    study_options(p)
    p.set_defaults(func=cmd_groups)

    p = sub.add_parser("robustness", help="day-0 AR under every model and benchmark, and where the answer changes")
    p.add_argument("--tickers", help="comma-separated firms (default: the AI complex)")
    p.add_argument("--event", default=str(config.EVENT_DATE))
    p.add_argument("--json", action="store_true", help="the tidy table as a JSON array; returns as decimals")
    p.set_defaults(func=cmd_robustness)

    p = sub.add_parser("claims", help="the figures quoted in the seeds against the market data")
    p.add_argument("--json", action="store_true", help="a JSON array, one object per claim, in percent")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("run", help="the main job, from the cache: execute the notebooks, export the figures, "
                                    "print the headline table")
    p.add_argument("--event", default=str(config.EVENT_DATE))
    p.add_argument("--out", default=None, help="folder for executed notebooks and HTML (default: the project's "
                                                "build/)")
    p.add_argument("--figures", default=None, help="folder for exported charts (default: the project's figures/)")
    p.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores + 1)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("report", help="print the headline table: claims with verdicts, day-0 AR and CAR per firm")
    p.add_argument("--event", default=str(config.EVENT_DATE))
    p.add_argument("--benchmark", default=config.DEFAULT_BENCHMARK)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("figures", help="export every chart as PNG, SVG and PDF (byte-identical on every run)")
    p.add_argument("--out", default=None, help="target folder (default: the project's figures/)")
    p.add_argument("--event", default=str(config.EVENT_DATE))
    p.add_argument("--only", nargs="+", metavar="NAME", choices=[f.name for f in FIGURES],
                   help="export only these charts (names as in figures/)")
    p.set_defaults(func=cmd_figures)
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
