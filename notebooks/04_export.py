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
# Every chart of notebooks 1, 2, 3 and 5, written as PNG (150 dpi, for slides and the web), SVG and PDF (vector, for
# print and for editing). Each chart is built by the same builder that draws it in the notebooks
# (`analysis.figures`), with its title, axis units and a source line. A chart that needs what the event lacks (claims,
# peer groups) is left out, and the table says why.
#
# The files are deterministic: exporting twice gives byte-identical files (no dates or software versions are
# written into them, and the SVG ids are fixed), so a changed file in `git status` means a changed chart.
#
# `make run` executes this notebook with `figures_dir` set; from a terminal, `python -m analysis figures --out DIR`
# does the same export.

# %% tags=["parameters"]
event_file = None  # None: the flagship, events/deepseek-r1.toml; or the path of another event file
event_date = None  # with event_file None: "YYYY-MM-DD" for an ad-hoc event (the flagship's firms, no claims)
figures_dir = None  # None: figures/ for the flagship, build/<name>/figures/ for another event
names = None  # None: every chart; or a list of names from the table below
jobs = 2  # processes sharing the charts (two cores: two workers; the files are the same however many)

# %%
from pathlib import Path

from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.events import resolve_event
from analysis.figures import export_figures, figure_index
from analysis.runner import default_out_dirs

# %%
ROOT = find_project_root()  # the project, found from any working directory
event = resolve_event(event_file, event_date)
target = Path(figures_dir) if figures_dir else default_out_dirs(event)[1]
target = target if target.is_absolute() else ROOT / target
written = export_figures(event, target, names=names, cache=Cache(ROOT / "data"), jobs=jobs)
print(f"{event.title}: {len(written)} files written to {target}")

# %%
figure_index(target, event)
