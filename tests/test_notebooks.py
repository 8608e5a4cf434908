"""The notebooks and the main job: pairs in step, nothing committed but code, every notebook executes from the cache,
every chart is exported, and exports are byte-identical.

The main job runs once per session (fixture ``main_job``), into a temporary folder, exactly as ``make run`` runs it;
the tests below read what it produced.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import nbformat
import pytest

from analysis import figures, notebooks, runner
from analysis import paths as paths_module
from analysis.events import flagship, load_event

ROOT = notebooks._root()
NOTEBOOK_DIR = ROOT / "notebooks"
NAMES = notebooks.NOTEBOOKS
#: Charts each executed notebook must show (image outputs), at least.
CHARTS_SHOWN = {"01_data": 2, "02_claims_vs_market": 1, "03_event_study": 3, "04_export": 0, "05_robustness": 2,
                "06_aftermath": 1, "07_timeline": 1, "08_cross_section": 3}
# --------------------------------------------------------------------------------------------------------------------
# What is committed
# --------------------------------------------------------------------------------------------------------------------
def test_every_notebook_is_there_with_its_script():
    found = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert found == sorted(NAMES)
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")) == sorted(NAMES)
    assert 'formats = "ipynb,py:percent"' in (NOTEBOOK_DIR / "jupytext.toml").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_pair_is_in_step(name):
    differences = notebooks.pair_differences(NOTEBOOK_DIR / f"{name}.ipynb")
    assert not differences, (f"{name}.ipynb and {name}.py differ: {differences}. Fix: save the notebook in JupyterLab, "
                             "or run: jupytext --sync notebooks/*.ipynb")


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_and_carries_kernel_metadata(name):
    problems = notebooks.committed_state_problems(NOTEBOOK_DIR / f"{name}.ipynb")
    assert not problems, (f"{name}.ipynb: {problems}. Fix: clear the outputs in JupyterLab (Edit > Clear Outputs of "
                          "All Cells) and save, or run: python -c 'from analysis.notebooks import sync_notebooks; "
                          "sync_notebooks()'")
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["language_info"]["name"] == "python"
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"


@pytest.mark.parametrize("name", NAMES)
def test_first_code_cell_is_the_tagged_parameters_cell(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), f"{name}: the first code cell is not tagged parameters"
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "event_file = None" in tagged[0].source and "event_date = None" in tagged[0].source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "a title comes first"


def test_pair_check_catches_a_script_that_drifted(tmp_path):
    for suffix in (".ipynb", ".py"):
        shutil.copy(NOTEBOOK_DIR / f"02_claims_vs_market{suffix}", tmp_path / f"nb{suffix}")
    assert notebooks.pair_differences(tmp_path / "nb.ipynb") == []
    script = tmp_path / "nb.py"
    script.write_text(script.read_text().replace('draw("claims", inputs)', 'draw("claims", inputs)  # edited'))
    assert any("source differs" in d for d in notebooks.pair_differences(tmp_path / "nb.ipynb"))
    script.write_text(script.read_text().replace('# %% tags=["parameters"]', "# %%"))
    assert notebooks.pair_differences(tmp_path / "nb.ipynb")
    script.unlink()
    assert notebooks.pair_differences(tmp_path / "nb.ipynb") == ["nb.py is missing"]


def test_output_check_catches_outputs_and_execution_counts(tmp_path):
    nb = nbformat.read(NOTEBOOK_DIR / "02_claims_vs_market.ipynb", as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code.execution_count = 3
    del nb.metadata["language_info"]
    nbformat.write(nb, tmp_path / "dirty.ipynb")
    problems = notebooks.committed_state_problems(tmp_path / "dirty.ipynb")
    assert any("has outputs" in p for p in problems)
    assert any("execution count" in p for p in problems)
    assert "no language_info metadata" in problems


def test_sync_notebooks_writes_clean_pairs(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK_DIR / "02_claims_vs_market.py", folder / "02_claims_vs_market.py")
    written = notebooks.sync_notebooks(folder)
    target = folder / "02_claims_vs_market.ipynb"
    assert written == [target]
    assert notebooks.committed_state_problems(target) == []
    assert notebooks.pair_differences(target) == []
    committed = nbformat.read(NOTEBOOK_DIR / "02_claims_vs_market.ipynb", as_version=4)
    assert notebooks.notebook_cells(nbformat.read(target, as_version=4)) == notebooks.notebook_cells(committed)
    assert notebooks.sync_notebooks(folder) == []  # idempotent


# --------------------------------------------------------------------------------------------------------------------
# The data the price and volume charts draw
# --------------------------------------------------------------------------------------------------------------------
def test_price_paths_are_rebased_to_100_on_the_friday_before(real_cache):
    paths = paths_module.price_paths(flagship(), ["NVDA", "^IXIC"], cache=real_cache)
    assert list(paths.index) == list(range(-10, 11))
    assert paths.loc[-1].tolist() == [100.0, 100.0]
    assert paths.attrs["base_session"] == "2025-01-24" and paths.attrs["sessions"][10] == "2025-01-27"
    nvda = real_cache.read("NVDA")
    expected = 100 * nvda.loc["2025-01-27", "adj_close"] / nvda.loc["2025-01-24", "adj_close"]
    assert paths.loc[0, "NVDA"] == pytest.approx(expected)
    assert paths.attrs["fields"]["NVDA"] == "adj_close"


def test_volume_paths_divide_by_the_median_of_the_estimation_window(real_cache):
    volume = paths_module.volume_paths(flagship(), ["NVDA", "^NDX"], cache=real_cache)
    assert list(volume.ratio.columns) == ["NVDA"], "^NDX has no volume in the cache and is left out"
    assert volume.shares.loc[0, "NVDA"] == real_cache.read("NVDA").loc["2025-01-27", "volume"]
    assert volume.ratio.loc[0, "NVDA"] == pytest.approx(volume.shares.loc[0, "NVDA"] / volume.baseline["NVDA"])
    assert volume.ratio.loc[0, "NVDA"] > 2


# --------------------------------------------------------------------------------------------------------------------
# The main job
# --------------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_main_job_succeeds_and_prints_the_headline(main_job):
    result, output = main_job["result"], main_job["output"]
    assert result.ok, output
    assert "HEADLINE" in output and "Main job done" in output
    assert "market model vs ^GSPC" in output and "simple close-to-close" in output and "in percent" in output
    for claim in result.headline.claims["id"]:
        assert claim in output
    for firm in ("NVDA", "GOOGL", "META", "equal-weighted"):
        assert firm in output


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_from_the_cache_without_error(main_job, name):
    run = next(r for r in main_job["result"].notebooks if r.name == name)
    assert run.ok, f"{name} failed: {run.error} (see {run.html})"
    nb = nbformat.read(main_job["build"] / f"{name}.ipynb", as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{name}, cell {index}: {output.get('ename')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{name}, cell {index} wrote to stderr (a warning?): {output.text[:300]}")
    assert (main_job["build"] / f"{name}.html").stat().st_size > 10_000
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images >= CHARTS_SHOWN[name], f"{name} shows {images} charts"


@pytest.mark.slow
def test_every_expected_figure_exists_and_is_not_empty(main_job):
    folder = main_job["figures"]
    expected = figures.expected_figure_files(flagship())
    assert len(expected) == 3 * len(figures.FIGURES)
    for name in expected:
        assert (folder / name).is_file(), name
        assert (folder / name).stat().st_size > 1000, name
    assert main_job["result"].missing_figures == []


@pytest.mark.slow
def test_exports_are_byte_identical_across_processes(main_job, tmp_path):
    """The kernel of 04_export wrote one set; this process writes another: every byte must agree."""
    written = figures.export_figures(flagship(), tmp_path)
    assert sorted(p.name for p in written) == sorted(figures.expected_figure_files(flagship()))
    for path in written:
        assert path.read_bytes() == (main_job["figures"] / path.name).read_bytes(), f"{path.name} differs"
    svg = (tmp_path / "claims.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"CreationDate" not in (tmp_path / "claims.pdf").read_bytes()


@pytest.mark.slow
def test_notebooks_find_the_project_root_from_any_working_directory(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK_DIR / "01_data.ipynb", as_version=4)
    nb.cells = nb.cells[:4]  # title, parameters, imports, the cell that finds the root and the cache
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(stderr=subprocess.DEVNULL)
    text = "".join(o.get("text", "") for o in nb.cells[3].outputs)
    assert f"cache: {ROOT / 'data'}" in text


@pytest.mark.slow
def test_a_failing_notebook_is_reported_not_raised(tmp_path):
    stream = io.StringIO()
    broken = flagship().replace(tickers=("NVDA", "ZZZZ"))  # a ticker the cache does not hold
    result = runner.run_main_job(broken, tmp_path / "build", tmp_path / "figures", notebooks=("03_event_study",),
                                 headline=False, stream=stream)
    output = stream.getvalue()
    assert not result.ok
    assert result.notebooks[0].error and "\x1b[" not in result.notebooks[0].error
    assert "FAILED 03_event_study" in output and "FAILED to export the charts" in output
    assert "Main job FAILED" in output
    assert (tmp_path / "build" / "03_event_study.html").exists(), "the failed notebook is kept for reading"
    assert (tmp_path / "build" / "index.html").exists(), "the page says what failed"


# --------------------------------------------------------------------------------------------------------------------
# Another event, from a file with only the four required keys
# --------------------------------------------------------------------------------------------------------------------
MINIMAL_EVENT = """name = "chips-in-march"
title = "Chip makers in March"
date = "2025-03-10"
tickers = ["AMD", "MU", "AVGO"]
"""
#: What must never leak from the flagship into another event's outputs: its claims, reported figures and date.
FLAGSHIP_TRACES = ("2025-01-27", "27 Jan 2025", "Mon 27 Jan", "-11.64", "−11.64", "$589bn", "$593bn", "Bloomberg",
                   "novembre",
                   "DeepSeek R1 shock", "claims.csv", "nasdaq_ixic")


@pytest.fixture(scope="session")
def minimal_job(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("minimal-event")
    path = tmp / "chips.toml"
    path.write_text(MINIMAL_EVENT)
    stream = io.StringIO()
    result = runner.run_main_job(load_event(path), tmp / "build", tmp / "build" / "figures", stream=stream)
    return {"result": result, "build": tmp / "build", "output": stream.getvalue()}


@pytest.mark.slow
def test_a_four_key_event_file_runs_the_whole_main_job(minimal_job):
    result, build = minimal_job["result"], minimal_job["build"]
    assert result.ok, minimal_job["output"]
    assert "HEADLINE: Chip makers in March, day 0 = Mon 10 Mar 2025" in minimal_job["output"]
    left_out = {"02_claims_vs_market", "07_timeline", "08_cross_section"}
    for name in NAMES:
        assert (build / f"{name}.html").is_file() == (name not in left_out), name
    assert "left out: notebook 08_cross_section, because the event file names no universe" in minimal_job["output"]
    assert "left out: notebook 02_claims_vs_market, because the event file names no claims" in minimal_job["output"]
    assert "left out: notebook 07_timeline, because the event is not one of the releases" in minimal_job["output"]
    shown = sorted(p.name for p in (build / "figures").glob("*.png"))
    assert shown == sorted(f"{n}.png" for n in ("price_paths", "volume", "event_path", "index_reactions",
                                                "forest_day0", "placebo", "aftermath_paths"))
    # What the event lacks is left out with a line that says why, never filled with another event's numbers.
    assert "left out: chart claims, because the event file names no claims registry" in minimal_job["output"]
    assert "left out: chart group_caar, because the event file defines no peer groups" in minimal_job["output"]
    assert "Left out: the quoted figures" in minimal_job["output"]


@pytest.mark.slow
def test_another_event_shows_nothing_of_the_flagship(minimal_job):
    build = minimal_job["build"]
    texts = {"stdout": minimal_job["output"]}
    for path in [*build.glob("*.html"), *build.glob("*.ipynb"), build / "index.html", build / "event.toml"]:
        texts[path.name] = path.read_text(encoding="utf-8")
    for where, text in texts.items():
        for trace in FLAGSHIP_TRACES:
            assert trace not in text, f"{trace!r} of the flagship appears in {where}"


@pytest.mark.slow
def test_the_page_holds_the_headline_every_chart_and_the_notebooks(minimal_job):
    page = (minimal_job["build"] / "index.html").read_text(encoding="utf-8")
    assert "<h1>Chip makers in March</h1>" in page and "Headline: Chip makers in March" in page
    for png in sorted((minimal_job["build"] / "figures").glob("*.png")):
        assert f'src="figures/{png.name}"' in page
    for name in NAMES:
        assert (f'href="{name}.html"' in page) == (name not in {"02_claims_vs_market", "07_timeline",
                                                                 "08_cross_section"}), name
    assert "08_cross_section: left out because the event file names no universe" in page
    assert "group_caar: left out because the event file defines no peer groups" in page


# --------------------------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------------------------
def test_cli_report_prints_the_headline_table(capsys):
    from analysis.cli import main

    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert "HEADLINE" in out and "AR[0] %" in out and "CAR[0,+1] %" in out and "t ~ Student t(238)" in out
    assert "nvda" in out and "intraday" in out


def test_cli_report_json(capsys):
    import json

    from analysis.cli import main

    assert main(["report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["day0"] == "2025-01-27" and data["units"] == "percent of simple close-to-close returns"
    nvda = next(row for row in data["firms"] if row["firm"] == "NVDA")
    assert nvda["AR[0]_pct"] < -10 and nvda["AR[0]_p"] < 0.001


def test_cli_figures_exports_the_named_charts(tmp_path, capsys):
    from analysis.cli import main

    assert main(["figures", "--out", str(tmp_path), "--only", "index_reactions"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index_reactions.pdf", "index_reactions.png",
                                                          "index_reactions.svg"]
    assert "wrote 3 files" in capsys.readouterr().out


def test_two_workers_write_the_same_files_as_one(tmp_path):
    names = ["index_reactions", "placebo", "volume"]
    one = figures.export_figures(flagship(), tmp_path / "one", names=names)
    timings: dict = {}
    two = figures.export_figures(flagship(), tmp_path / "two", names=names, jobs=2, timings=timings)
    assert [p.name for p in two] == [p.name for p in one] and len(one) == 9
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert set(timings) == set(names)


def test_export_refuses_unknown_names(tmp_path):
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="no chart named"):
        figures.export_figures(flagship(), tmp_path, names=["no_such_chart"])
    assert not any(tmp_path.iterdir())


def test_make_run_calls_the_main_job_with_an_event_file(project_root):
    makefile = (project_root / "Makefile").read_text()
    run_block = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "-m analysis run --event-file $(EVENT)" in run_block
    assert "EVENT  ?= events/deepseek-r1.toml" in makefile
