"""The notebooks and the main job: pairs in step, nothing committed but code, every notebook executes from the cache,
every chart is exported, and exports are byte-identical.

The main job runs once per session (fixture ``main_job``), into a temporary folder, exactly as ``make run`` runs it;
the tests below read what it produced.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from analysis import report

NOTEBOOK_DIR = report._root() / "notebooks"
NAMES = report.NOTEBOOKS
#: Charts each executed notebook must show (image outputs), at least.
CHARTS_SHOWN = {"01_data": 2, "02_claims_vs_market": 1, "03_event_study": 3, "04_export": 0, "05_robustness": 2,
                "06_aftermath": 1, "07_timeline": 1}
#: Anything that would reach the network fails fast in the kernels the main job starts.
OFFLINE_ENV = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY":
               "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
               "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="session")
def main_job(tmp_path_factory):
    """``run_main_job`` once, into a temporary folder, with the network made unreachable for the kernels."""
    tmp = tmp_path_factory.mktemp("main-job")
    saved = {key: os.environ.get(key) for key in OFFLINE_ENV}
    os.environ.update(OFFLINE_ENV)
    stream = io.StringIO()
    try:
        result = report.run_main_job(tmp / "build", tmp / "figures", stream=stream)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"result": result, "build": tmp / "build", "figures": tmp / "figures", "output": stream.getvalue()}


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
    differences = report.pair_differences(NOTEBOOK_DIR / f"{name}.ipynb")
    assert not differences, (f"{name}.ipynb and {name}.py differ: {differences}. Fix: save the notebook in JupyterLab, "
                             "or run: jupytext --sync notebooks/*.ipynb")


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_and_carries_kernel_metadata(name):
    problems = report.committed_state_problems(NOTEBOOK_DIR / f"{name}.ipynb")
    assert not problems, (f"{name}.ipynb: {problems}. Fix: clear the outputs in JupyterLab (Edit > Clear Outputs of "
                          "All Cells) and save, or run: python -c 'from analysis.report import sync_notebooks; "
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
    assert "EVENT_DATE" in tagged[0].source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "a title comes first"


def test_pair_check_catches_a_script_that_drifted(tmp_path):
    for suffix in (".ipynb", ".py"):
        shutil.copy(NOTEBOOK_DIR / f"02_claims_vs_market{suffix}", tmp_path / f"nb{suffix}")
    assert report.pair_differences(tmp_path / "nb.ipynb") == []
    script = tmp_path / "nb.py"
    script.write_text(script.read_text().replace("check.plot()", "check.plot()  # edited"))
    assert any("source differs" in d for d in report.pair_differences(tmp_path / "nb.ipynb"))
    script.write_text(script.read_text().replace('# %% tags=["parameters"]', "# %%"))
    assert report.pair_differences(tmp_path / "nb.ipynb")
    script.unlink()
    assert report.pair_differences(tmp_path / "nb.ipynb") == ["nb.py is missing"]


def test_output_check_catches_outputs_and_execution_counts(tmp_path):
    nb = nbformat.read(NOTEBOOK_DIR / "02_claims_vs_market.ipynb", as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code.execution_count = 3
    del nb.metadata["language_info"]
    nbformat.write(nb, tmp_path / "dirty.ipynb")
    problems = report.committed_state_problems(tmp_path / "dirty.ipynb")
    assert any("has outputs" in p for p in problems)
    assert any("execution count" in p for p in problems)
    assert "no language_info metadata" in problems


def test_sync_notebooks_writes_clean_pairs(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK_DIR / "02_claims_vs_market.py", folder / "02_claims_vs_market.py")
    written = report.sync_notebooks(folder)
    target = folder / "02_claims_vs_market.ipynb"
    assert written == [target]
    assert report.committed_state_problems(target) == []
    assert report.pair_differences(target) == []
    committed = nbformat.read(NOTEBOOK_DIR / "02_claims_vs_market.ipynb", as_version=4)
    assert report.notebook_cells(nbformat.read(target, as_version=4)) == report.notebook_cells(committed)
    assert report.sync_notebooks(folder) == []  # idempotent


def test_inject_parameters_goes_right_after_the_parameters_cell():
    nb = nbformat.read(NOTEBOOK_DIR / "04_export.ipynb", as_version=4)
    report.inject_parameters(nb, {"FIGURES_DIR": "/tmp/x", "NAMES": ["claims"]})
    position = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nb.cells[position + 1]
    assert injected.metadata.tags == ["injected-parameters"]
    assert "FIGURES_DIR = '/tmp/x'" in injected.source and "NAMES = ['claims']" in injected.source
    nbformat.validate(nb)


# --------------------------------------------------------------------------------------------------------------------
# The data the price and volume charts draw
# --------------------------------------------------------------------------------------------------------------------
def test_price_paths_are_rebased_to_100_on_the_friday_before(real_cache):
    paths = report.price_paths(["NVDA", "^IXIC"], cache=real_cache)
    assert list(paths.index) == list(range(-10, 11))
    assert paths.loc[-1].tolist() == [100.0, 100.0]
    assert paths.attrs["base_session"] == "2025-01-24" and paths.attrs["sessions"][10] == "2025-01-27"
    nvda = real_cache.read("NVDA")
    expected = 100 * nvda.loc["2025-01-27", "adj_close"] / nvda.loc["2025-01-24", "adj_close"]
    assert paths.loc[0, "NVDA"] == pytest.approx(expected)
    assert paths.attrs["fields"]["NVDA"] == "adj_close"


def test_volume_paths_divide_by_the_median_of_the_estimation_window(real_cache):
    volume = report.volume_paths(["NVDA", "^NDX"], cache=real_cache)
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
    figures = main_job["figures"]
    expected = report.expected_figure_files()
    assert len(expected) == 3 * len(report.FIGURES)
    for name in expected:
        assert (figures / name).is_file(), name
        assert (figures / name).stat().st_size > 1000, name
    assert main_job["result"].missing_figures == []


@pytest.mark.slow
def test_exports_are_byte_identical_across_processes(main_job, tmp_path):
    """The kernel of 04_export wrote one set; this process writes another: every byte must agree."""
    written = report.export_figures(tmp_path)
    assert sorted(p.name for p in written) == sorted(report.expected_figure_files())
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
    client.execute(env=report._kernel_env(), stderr=subprocess.DEVNULL)
    text = "".join(o.get("text", "") for o in nb.cells[3].outputs)
    assert f"project root: {report._root()}" in text
    assert f"cache: {report._root() / 'data'}" in text


@pytest.mark.slow
def test_a_failing_notebook_is_reported_not_raised(tmp_path):
    stream = io.StringIO()
    result = report.run_main_job(tmp_path / "build", tmp_path / "figures", event_date="2030-01-02",
                                 notebooks=["01_data"], headline=False, stream=stream)
    output = stream.getvalue()
    assert not result.ok
    assert result.notebooks[0].error and "\x1b[" not in result.notebooks[0].error
    assert "FAILED 01_data" in output and "FAILED to export the charts" in output and "Main job FAILED" in output
    assert (tmp_path / "build" / "01_data.html").exists(), "the failed notebook is kept for reading"


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


def test_export_refuses_unknown_names(tmp_path):
    with pytest.raises(ValueError, match="unknown figure"):
        report.export_figures(tmp_path, names=["no_such_chart"])


def test_make_run_calls_the_main_job(project_root):
    makefile = (project_root / "Makefile").read_text()
    run_block = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "-m analysis run" in run_block
    assert sys.executable  # the Makefile's venv python runs it; see analysis/cli.py cmd_run
