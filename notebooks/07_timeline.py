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
# # 7 · Every release as an event: did the market ever react again?
#
# The timeline (`data/timeline/`) dates every release with a source. Each release the data cover has an event file
# (`events/timeline.txt` lists them), with the same firms, the market model against the S&P 500 estimated before
# that release, and the confounds the timeline names. For each release: the day-0 abnormal return and CAR[0,+1] of
# every firm and of the hardware group's equal-weighted portfolio; then one test across the releases after the
# flagship of "no reaction", whose variance treats firms on the same date as correlated and the same firm on
# different dates as independent unless their windows overlap.

# %% tags=["parameters"]
event_file = None  # the shock later releases are compared with; None: the flagship, events/deepseek-r1.toml
event_date = None  # with event_file None: "YYYY-MM-DD" of another shock to compare with
EVENT_LIST = None  # a file listing the releases' event files, one per line; None: events/timeline.txt
FIRMS = ("NVDA", "AVGO", "TSM", "MU", "AMD", "hardware (EW)")  # columns of the per-release table

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.claims import check_date_claims
from analysis.config import find_project_root
from analysis.events import resolve_event
from analysis.figures import FigureInputs, draw
from analysis.timeline import covers, run_timeline_study, timeline_event_files

# %%
root = find_project_root()
cache = Cache(root / "data")
shock = resolve_event(event_file, event_date)
inputs = FigureInputs(shock, cache)
files = timeline_event_files(root / EVENT_LIST if EVENT_LIST else None)
# The study compares later releases with the shock: it applies when the shock is one of the releases.
study = run_timeline_study(files, cache=cache, flagship_day0=shock.day0().session) if covers(shock, files) else None
if study is not None:
    inputs.timeline = study  # the chart draws this study (the same builder as the export)
Markdown(f"{shock.title}: the releases of the timeline compared with its day 0." if study else
         f"{shock.title} is not one of the releases of the timeline study: this notebook has nothing to show for it.")

# %% [markdown]
# ## CAR[0,+1] per release (%)

# %%
(100 * study.wide(FIRMS)).round(2) if study else None

# %%
draw("timeline_reactions", inputs)

# %%
Markdown(study.conclusion()) if study else None

# %% [markdown]
# Caveats: R1-0528 came out on the evening of Nvidia's earnings, which are traded on τ = +1, inside CAR[0,+1]; the
# V3.1 window holds reports that Nvidia suspended H20 production; V3.1-Terminus and V3.2-Exp are five sessions
# apart. The test assumes the event does not change the variance, and a handful of releases is a small sample.

# %%
print(study.summary() if study else "")

# %% [markdown]
# ## The dates the seeds give
#
# Seed 001 dates V3 to "26 novembre 2024". The timeline dates it from the GitHub release commit.

# %%
dates = check_date_claims(cache=cache) if study else None
columns = ["id", "seed", "claimed_date", "timeline_date", "days_off", "verdict", "confidence", "nearest_release"]
dates[columns] if study else None

# %%
wrong = dates[dates["verdict"] == "date_wrong"] if study else []
Markdown("\n".join(f"* `{row.id}`: verdict `{row.verdict}`; the seed says {row.claimed_date}, the timeline "
                   f"{row.timeline_date} ({row.days_off:+d} days), source: {row.source}. The nearest other release "
                   f"is {row.nearest_release}, a likely confusion." for row in wrong.itertuples()) if study else "")
