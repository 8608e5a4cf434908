"""The main job of one event, from the cache only: execute the notebooks, export the charts, print the headline,
and write one page that holds them all.

``make run`` (``python -m analysis run``) calls :func:`run_main_job` for the flagship event; ``make run
EVENT=events/other.toml`` (``python -m analysis run --event-file F``) for another. Outputs:

* ``build/<name>/``: each executed notebook as ``.ipynb`` and HTML (:mod:`analysis.notebooks`, papermill);
* the charts as PNG, SVG and PDF (:mod:`analysis.figures`): ``figures/`` for the flagship (the README shows them),
  ``build/<name>/figures/`` for any other event;
* ``build/<name>/index.html``: the headline table, every chart and a link to each executed notebook, in one file;
* the headline table on standard output (:mod:`analysis.headline`).
"""

from __future__ import annotations

import html
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .events import FLAGSHIP_FILE, EventConfig
from .figures import FIGURES, expected_figure_files, export_figures, skipped_figures
from .headline import Headline, headline_table
from .notebooks import EXPORT_NOTEBOOK, NOTEBOOKS, NotebookRun, execute_notebooks, skipped_notebooks

__all__ = ["MainJobResult", "run_main_job", "default_out_dirs", "write_index_page"]


def _root() -> Path:
    return config.find_project_root(Path(__file__).parent)


def is_flagship(event: EventConfig) -> bool:
    """Whether ``event`` was read from the project's flagship file."""
    return event.source is not None and event.source == (_root() / FLAGSHIP_FILE).resolve()


def default_out_dirs(event: EventConfig) -> tuple[Path, Path]:
    """``build/<name>/`` and the figures folder: ``figures/`` for the flagship, else ``build/<name>/figures/``."""
    out = _root() / "build" / event.name
    return out, (_root() / "figures" if is_flagship(event) else out / "figures")


@dataclass
class MainJobResult:
    """What :func:`run_main_job` did."""

    event: EventConfig
    out_dir: Path
    figures_dir: Path
    notebooks: list[NotebookRun]
    figures: list[Path]
    missing_figures: list[str]
    headline: Headline | None
    headline_error: str | None
    page: Path | None
    seconds: float
    timings: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (all(run.ok for run in self.notebooks) and not self.missing_figures
                and self.headline_error is None)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def write_index_page(result: MainJobResult) -> Path:
    """``<out>/index.html``: the headline table, every exported chart (PNG) with what it shows, and a link to each
    executed notebook's HTML; paths are relative, so the folder can be opened or shared as it is."""
    out = result.out_dir
    event = result.event

    def rel(path: Path) -> str:
        return html.escape(Path(os.path.relpath(path, out)).as_posix())

    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(event.title)}: market reaction</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}img{max-width:100%;border:1px solid #eee}figure{margin:2em 0}</style>",
        "</head><body>",
        f"<h1>{html.escape(event.title)}</h1>",
        f"<p>{html.escape(event.describe())}</p>",
    ]
    if result.headline is not None:
        parts.append(result.headline._repr_html_())
    elif result.headline_error:
        parts.append(f"<p><strong>The headline could not be built:</strong> {html.escape(result.headline_error)}</p>")
    parts.append("<h2>Charts</h2>")
    for spec in FIGURES:
        png = result.figures_dir / f"{spec.name}.png"
        if png.is_file():
            parts.append(f'<figure><img src="{rel(png)}" alt="{html.escape(spec.shows)}">'
                         f"<figcaption>{html.escape(spec.name)}: {html.escape(spec.shows)} "
                         f'(<a href="{rel(png.with_suffix(".svg"))}">SVG</a>, '
                         f'<a href="{rel(png.with_suffix(".pdf"))}">PDF</a>)</figcaption></figure>')
    for name, reason in skipped_figures(event).items():
        parts.append(f"<p>{html.escape(name)}: left out because {html.escape(reason)}.</p>")
    parts.append("<h2>Notebooks</h2><ul>")
    for name, reason in skipped_notebooks(event).items():
        parts.append(f"<li>{html.escape(name)}: left out because {html.escape(reason)}</li>")
    for run in result.notebooks:
        if run.html is not None and run.html.is_file():
            status = "" if run.ok else f" — FAILED: {html.escape(run.error or '')}"
            parts.append(f'<li><a href="{rel(run.html)}">{html.escape(run.name)}</a>{status}</li>')
    parts += ["</ul>", "</body></html>", ""]
    page = out / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page


def run_main_job(
    event: EventConfig,
    out_dir: Path | str | None = None,
    figures_dir: Path | str | None = None,
    *,
    notebooks: tuple[str, ...] = NOTEBOOKS,
    jobs: int | None = None,
    timeout: int = 600,
    headline: bool = True,
    stream=None,
) -> MainJobResult:
    """The main job of ``event``, from the cache only: execute the notebooks into ``out_dir``, export the charts to
    ``figures_dir``, write ``index.html`` and print the headline table.

    Parameters
    ----------
    event : EventConfig
        Passed to every notebook as its ``event_file`` parameter (the event must come from a file).
    out_dir, figures_dir : path, optional
        Default :func:`default_out_dirs`; relative paths are taken from the project root.
    notebooks : tuple of str
    jobs : int, optional
        Kernels at once (default: cores + 1).
    timeout : int
        Seconds per cell.
    headline : bool
        Compute and print the headline table (in this process, while the kernels run).
    stream : file, optional
        Where progress and the table go (default stdout).

    Returns
    -------
    MainJobResult
    """
    stream = sys.stdout if stream is None else stream
    started = time.perf_counter()
    left_out = skipped_notebooks(event, notebooks)
    notebooks = tuple(name for name in notebooks if name not in left_out)
    default_out, default_figures = default_out_dirs(event)
    out = Path(out_dir) if out_dir else default_out
    out = out if out.is_absolute() else _root() / out
    figures = Path(figures_dir) if figures_dir else default_figures
    figures = figures if figures.is_absolute() else _root() / figures
    out.mkdir(parents=True, exist_ok=True)
    # The notebooks run exactly this event (with any change made in code), from a file that the build keeps.
    event_path = out / "event.toml"
    event_path.write_text(f"# The event this build ran (written by the main job).\n{event.to_toml()}", encoding="utf-8")
    common = {"event_file": str(event_path)}
    parameters = {name: dict(common) for name in notebooks}
    if EXPORT_NOTEBOOK in parameters:
        parameters[EXPORT_NOTEBOOK]["figures_dir"] = str(figures)

    def say(text: str = "") -> None:
        print(text, file=stream, flush=True)

    def done(run: NotebookRun) -> None:
        status = "ok    " if run.ok else "FAILED"
        where = f"{_relative(run.ipynb)}, {_relative(run.html)}" if run.html else "(not written)"
        say(f"{status} {run.name:<20} {run.seconds:5.1f} s  -> {where}" + (f"\n       {run.error}" if run.error else ""))

    timings: dict = {}

    def timed_headline() -> Headline:
        start = time.perf_counter()
        try:
            return headline_table(event)
        finally:
            timings["headline"] = time.perf_counter() - start

    say(f"{event.describe()}")
    say(f"Executing {len(notebooks)} notebooks from the cache into {_relative(out)}/ (executed .ipynb and HTML)")
    for name, reason in left_out.items():
        say(f"left out: notebook {name}, because {reason}")
    table, headline_error = None, None
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(timed_headline) if headline else None
        start = time.perf_counter()
        runs = execute_notebooks(out, notebooks=notebooks, parameters=parameters, jobs=jobs, timeout=timeout,
                                 on_done=done)
        timings["notebooks"] = time.perf_counter() - start
        if future is not None:
            try:
                table = future.result()
            except Exception as exc:  # reported below, and the job fails
                headline_error = f"{type(exc).__name__}: {exc}"
    if EXPORT_NOTEBOOK not in notebooks:
        start = time.perf_counter()
        try:
            export_figures(event, figures, jobs=min(2, os.cpu_count() or 1))
        except Exception as exc:  # reported; the missing files make the job fail below
            say(f"FAILED to export the charts: {type(exc).__name__}: {exc}")
        timings["export"] = time.perf_counter() - start
    expected = expected_figure_files(event)
    present = [figures / n for n in expected if (figures / n).is_file() and (figures / n).stat().st_size > 0]
    missing = [n for n in expected if figures / n not in present]
    kinds = sorted({p.suffix[1:].upper() for p in present})
    missing_charts = list(dict.fromkeys(Path(name).stem for name in missing))
    say(f"Exported {len({p.stem for p in present})} charts ({', '.join(kinds) or 'none'}) to {_relative(figures)}/"
        + (f"; MISSING {len(missing)} files of {', '.join(missing_charts)}" if missing else ""))
    for name, reason in skipped_figures(event).items():
        say(f"left out: chart {name}, because {reason}")
    if table is not None:
        say()
        say(str(table))
    elif headline:
        say(f"FAILED to build the headline table: {headline_error}")
    result = MainJobResult(event=event, out_dir=out, figures_dir=figures, notebooks=runs, figures=present,
                           missing_figures=missing, headline=table, headline_error=headline_error, page=None,
                           seconds=0.0, timings=timings)
    result.page = write_index_page(result)
    result.seconds = time.perf_counter() - started
    failed = [run.name for run in runs if not run.ok]
    say()
    say(f"One page with the headline, every chart and the notebooks: {_relative(result.page)}")
    say(f"Main job {'done' if result.ok else 'FAILED'} in {result.seconds:.1f} s"
        + (f"; failed notebooks: {', '.join(failed)} (see {_relative(out)}/<name>.html)" if failed else ""))
    return result
