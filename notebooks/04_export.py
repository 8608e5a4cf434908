# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4 · Export the charts
#
# Every chart of notebooks 1, 2, 3 and 5, written to `figures/` as PNG (150 dpi, for slides and the web), SVG and
# PDF (vector, for print and for editing). Each chart is built afresh from the package, exactly as the notebooks draw
# it, with its title, axis units and a source line.
#
# The files are deterministic: exporting twice gives byte-identical files (no dates or software versions are
# written into them, and the SVG ids are fixed), so a changed file in `git status` means a changed chart.
#
# `make run` executes this notebook with `FIGURES_DIR` set; from a terminal, `python -m analysis figures --out DIR`
# does the same export.

# %% tags=["parameters"]
EVENT_DATE = "2025-01-27"  # day 0 is the first NYSE session on or after this date
BENCHMARK = "^GSPC"  # the market of the market model in the event-study charts
FIGURES_DIR = None  # None: the project's figures/ folder
NAMES = None  # None: every chart; or a list of names from the table below

# %%
from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.report import export_figures, figure_index

# %%
ROOT = find_project_root()  # the project, found from any working directory
target = ROOT / (FIGURES_DIR or "figures")  # an absolute FIGURES_DIR stays as it is
written = export_figures(target, names=NAMES, event_date=EVENT_DATE, benchmark=BENCHMARK, cache=Cache(ROOT / "data"))
print(f"{len(written)} files written to {target}")

# %%
figure_index(target)
