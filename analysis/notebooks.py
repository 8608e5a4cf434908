"""The notebooks: execute them with papermill, and keep each one in step with its ``py:percent`` script.

Execution (:func:`execute_notebooks`) runs each notebook of ``notebooks/`` headlessly with papermill, which injects
the parameters after the cell tagged ``parameters`` (for every notebook, ``event_file``), several kernels at a time,
and writes the executed ``.ipynb`` and its HTML. Hygiene (:func:`sync_notebooks`, :func:`pair_differences`,
:func:`committed_state_problems`): each notebook is paired with a ``py:percent`` script (``notebooks/jupytext.toml``)
and committed without outputs, with kernel metadata so that JupyterLab opens it without a dialog.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .events import lacks_claims, lacks_firms, lacks_release, lacks_universe

__all__ = ["NOTEBOOKS", "NOTEBOOK_NEEDS", "skipped_notebooks", "EXPORT_NOTEBOOK", "NotebookRun", "default_jobs", "execute_notebooks", "notebook_cells",
           "pair_differences", "committed_state_problems", "sync_notebooks", "KERNELSPEC", "LANGUAGE_INFO"]

#: The notebooks the main job executes, in reading order (names without ``.ipynb``, in ``notebooks/``).
NOTEBOOKS = ("01_data", "02_claims_vs_market", "03_event_study", "04_export", "05_robustness", "06_aftermath",
             "07_timeline", "08_cross_section")


#: Notebooks that need something an event may lack: name -> ``needs(event) -> reason or None``. The main job leaves
#: such a notebook out for that event, with a line that says why.
NOTEBOOK_NEEDS = {"01_data": lacks_firms, "02_claims_vs_market": lacks_claims, "03_event_study": lacks_firms,
                  "05_robustness": lacks_firms, "06_aftermath": lacks_firms, "07_timeline": lacks_release,
                  "08_cross_section": lacks_universe}


def skipped_notebooks(event, notebooks: Sequence[str] = NOTEBOOKS) -> dict[str, str]:
    """The notebooks of ``notebooks`` left out for ``event``, with the reason for each."""
    return {name: reason for name in notebooks if name in NOTEBOOK_NEEDS and (reason := NOTEBOOK_NEEDS[name](event))}
#: The notebook that exports the charts; the main job gives it the figures folder as a parameter.
EXPORT_NOTEBOOK = "04_export"
#: Seconds a kernel may take to start: a busy 2-core machine starting several kernels at once needs more than
#: papermill's default of 60.
KERNEL_START_TIMEOUT_S = 300


def _root() -> Path:
    return config.find_project_root(Path(__file__).parent)


def _anchored(path: Path | str) -> Path:
    """A path as given when absolute, else under the project root."""
    path = Path(path)
    return path if path.is_absolute() else _root() / path


@dataclass
class NotebookRun:
    """One executed notebook: where it went, how long it took, and what failed (if anything)."""

    name: str
    source: Path
    ipynb: Path | None = None
    html: Path | None = None
    seconds: float = 0.0
    html_seconds: float = 0.0
    cells: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _kernel_env() -> dict[str, str]:
    """The kernels' environment: this one's, less MPLBACKEND (the inline backend must draw the figures into the
    outputs, never Agg)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    return env


def _cell_kind(notebook: str, cell) -> str:
    """Where a cell's time goes, for the timing breakdown: imports, plotting, saving or computation."""
    source = cell.get("source", "")
    if notebook == EXPORT_NOTEBOOK and "export_figures(" in source:
        return "saving"
    code = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    if code and all(line.startswith(("import ", "from ", "%")) for line in code):
        return "imports"
    if any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
        return "plotting"
    return "computation"


def _first_error(nb) -> str | None:
    """``ename: evalue`` of the first cell that raised, in an executed notebook."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {_ANSI.sub('', str(output.get('evalue', '')))}"
    return None


def _execute_one(name: str, source: Path, out_dir: Path, parameters: Mapping[str, object], timeout: int) -> NotebookRun:
    """papermill in a child process (its kernels and event loops end with it), then the HTML in this one."""
    import json
    import subprocess
    import sys

    import nbformat
    from nbconvert import HTMLExporter

    run = NotebookRun(name=name, source=source)
    out_dir.mkdir(parents=True, exist_ok=True)
    run.ipynb = out_dir / f"{name}.ipynb"
    command = [sys.executable, "-m", "papermill", str(source), str(run.ipynb), "--kernel", "python3",
               "--cwd", str(source.parent), "--no-progress-bar", "--no-log-output", "--log-level", "ERROR",
               "--no-request-save-on-cell-execute", "--execution-timeout", str(timeout),
               "--start-timeout", str(KERNEL_START_TIMEOUT_S),
               "--parameters_yaml", json.dumps(dict(parameters))]  # JSON is YAML
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=_kernel_env())
    run.seconds = time.perf_counter() - start
    if not run.ipynb.exists():
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        run.error = lines[-1] if lines else f"papermill exited with status {done.returncode}"
        return run
    nb = nbformat.read(run.ipynb, as_version=4)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        run.error = _first_error(nb) or (lines[-1] if lines else f"papermill exited with status {done.returncode}")
    for cell in nb.cells:
        if cell.cell_type == "code":
            duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
            run.cells.append({"kind": _cell_kind(name, cell), "seconds": float(duration or 0.0)})
    start = time.perf_counter()
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb, resources={"metadata": {"name": name}})
    run.html = out_dir / f"{name}.html"
    run.html.write_text(body, encoding="utf-8")
    run.html_seconds = time.perf_counter() - start
    return run


def default_jobs() -> int:
    """Kernels the main job runs at once by default: one more than the cores."""
    return (os.cpu_count() or 1) + 1


def execute_notebooks(
    out_dir: Path | str = "build",
    *,
    notebooks: Sequence[str] = NOTEBOOKS,
    parameters: Mapping[str, Mapping[str, object]] | None = None,
    jobs: int | None = None,
    timeout: int = 600,
    on_done: Callable[[NotebookRun], None] | None = None,
) -> list[NotebookRun]:
    """Execute ``notebooks`` (names in ``notebooks/``) with papermill, ``jobs`` kernels at a time, into ``out_dir``
    as executed ``.ipynb`` and HTML. A failing notebook is still written (with its error output) and reported in
    :attr:`NotebookRun.error`; the others run on.

    Parameters
    ----------
    out_dir : path
        A relative path is taken from the project root.
    notebooks : sequence of str
    parameters : mapping of notebook name to {variable: value}, optional
        Injected by papermill after each notebook's ``parameters`` cell.
    jobs : int, optional
        Kernels running at once; default: one more than the cores (a kernel starting up or waiting leaves its core
        to the others). The export notebook, the longest, starts first.
    timeout : int
        Seconds per cell.
    on_done : callable, optional
        Called with each :class:`NotebookRun` as it finishes.

    Returns
    -------
    list of NotebookRun
        In the order of ``notebooks``.
    """
    root = _root()
    out = _anchored(out_dir)
    parameters = parameters or {}
    jobs = max(1, jobs or min(len(notebooks), default_jobs()))
    schedule = sorted(notebooks, key=lambda name: name != EXPORT_NOTEBOOK)

    def one(name: str) -> NotebookRun:
        run = _execute_one(name, root / "notebooks" / f"{name}.ipynb", out, parameters.get(name, {}), timeout)
        if on_done is not None:
            on_done(run)
        return run

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {name: pool.submit(one, name) for name in schedule}
        return [futures[name].result() for name in notebooks]


#: Kernel metadata every committed notebook carries, so that JupyterLab opens it without a "Select Kernel" dialog.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11",
}


def notebook_cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a pair must agree on: each cell's type, source (trailing blanks ignored) and tags."""
    return [(cell.cell_type, cell.source.rstrip(), tuple(cell.get("metadata", {}).get("tags", [])))
            for cell in nb.cells]


def pair_differences(ipynb: Path | str, script: Path | str | None = None) -> list[str]:
    """How a notebook and its ``py:percent`` script differ in content (empty when they are in step)."""
    import jupytext
    import nbformat

    ipynb = Path(ipynb)
    script = Path(script) if script else ipynb.with_suffix(".py")
    if not script.exists():
        return [f"{script.name} is missing"]
    left = notebook_cells(nbformat.read(ipynb, as_version=4))
    right = notebook_cells(jupytext.read(script, fmt="py:percent"))
    problems = []
    if len(left) != len(right):
        problems.append(f"{ipynb.name} has {len(left)} cells, {script.name} has {len(right)}")
    for index, (a, b) in enumerate(zip(left, right)):
        if a != b:
            what = "type" if a[0] != b[0] else ("source" if a[1] != b[1] else "tags")
            problems.append(f"cell {index}: the {what} differs between {ipynb.name} and {script.name}")
    return problems


def committed_state_problems(ipynb: Path | str) -> list[str]:
    """Outputs, execution counts or missing kernel metadata in a notebook meant to be committed."""
    import nbformat

    nb = nbformat.read(Path(ipynb), as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has an execution count")
        if "execution" in cell.get("metadata", {}):
            problems.append(f"cell {index} has execution timing metadata")
    for key in ("kernelspec", "language_info"):
        if key not in nb.metadata:
            problems.append(f"no {key} metadata")
    return problems


def sync_notebooks(folder: Path | str = "notebooks") -> list[Path]:
    """Rewrite each ``.ipynb`` of ``folder`` from its ``py:percent`` script: no outputs, no execution counts, kernel
    and language metadata set. The script is the source of truth here; to keep edits made in JupyterLab, save there
    (jupytext writes the script too) or run ``jupytext --sync`` first."""
    import jupytext
    import nbformat

    written = []
    for script in sorted(_anchored(folder).glob("[0-9][0-9]_*.py")):
        nb = jupytext.read(script, fmt="py:percent")
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
            cell.pop("id", None)
        pairing = {k: v for k, v in nb.metadata.get("jupytext", {}).items() if k != "text_representation"}
        pairing.setdefault("formats", "ipynb,py:percent")
        nb.metadata = {"jupytext": pairing, "kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
        nb.nbformat, nb.nbformat_minor = 4, 5
        for index, cell in enumerate(nb.cells):
            cell["id"] = f"{script.stem[:2]}-{index:02d}"
        target = script.with_suffix(".ipynb")
        text = nbformat.writes(nb) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written
