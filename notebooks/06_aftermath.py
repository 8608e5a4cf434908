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
# # 6 · After the shock: the recovery, the long horizon, one year later
#
# Three questions a year after the event: how long did each firm take to close again at or above its last close
# before day 0; how far did it fall on the way; and where did it stand one year later, against the market?
#
# Every number comes from **returns** chained over the cache and its extension: the original histories for their
# range (so every number of notebooks 1–5 is unchanged), then the split- and dividend-adjusted extension
# (`data/1d-extended/`, `data/fred/`) after their last date. The join was checked on the overlap (daily returns
# within 0.01 pp, ex-dividend days of raw-close files excepted) and is recorded in `data/manifest.json`. A "level"
# below is a cumulative return rebased to 1 at the last pre-event close — never a price.

# %% tags=["parameters"]
event_file = None  # None: the flagship, events/deepseek-r1.toml; or the path of another event file
event_date = None  # with event_file None: "YYYY-MM-DD" for an ad-hoc event (the flagship's firms, no claims)

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.events import resolve_event
from analysis.figures import FigureInputs, draw

# %%
root = find_project_root()
cache = Cache(root / "data")  # the project's cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)  # the chart below is drawn by the same builder as the export
after = inputs.aftermath
print(event.describe())

# %% [markdown]
# ## Drawdown and recovery
#
# `max_drawdown` is the lowest close (on adjusted closes) against the last close before day 0; `recovered_on` the
# first session that closed at or above it, and `sessions_to_recover` how many sessions after the pre-event close
# that took (day 0 counts as 1).

# %%
table = after.to_frame().set_index("ticker")
recovery = table[["last_pre_event_close_date", "recovered_on", "sessions_to_recover", "max_drawdown",
                  "max_drawdown_date"]].copy()
recovery["max_drawdown"] = (100 * recovery["max_drawdown"]).round(2)
recovery.rename(columns={"max_drawdown": "max_drawdown %"})

# %%
not_back = [t for t, e in after.per_ticker.items() if e["recovered_on"] is None]
slowest = max((e["sessions_to_recover"] or 0, t) for t, e in after.per_ticker.items())
lows = recovery["max_drawdown_date"].str[:7].value_counts()
Markdown(f"Not back at their pre-event close by the end of their data: {', '.join(not_back) or 'none'}. "
         f"The slowest to recover: {slowest[1]} ({slowest[0]} sessions). The deepest point falls in {lows.index[0]} "
         f"for {lows.iloc[0]} of {len(recovery)} series: compare it with the news inside the windows below before "
         "reading a drawdown as the event's.")

# %%
draw("aftermath_paths", inputs)  # the event's chart firms, with the benchmark

# %% [markdown]
# ## Long-horizon CAR and BHAR (%)
#
# CAR: market model against the benchmark, estimated over τ ∈ [−250, −11] before the event, exact variance. BHAR:
# buy-and-hold return minus the benchmark's, with a bootstrap p-value. Over months the pre-event α and β are assumed
# to hold and the benchmark's own drift enters: read these as descriptions, beside the news inside each window.

# %%
long = table[[c for c in table.columns if c.startswith(("car[", "bhar["))]]
(100 * long).round(1)

# %%
groups = after.groups_frame()
groups["mean_bhar"] = 100 * groups["mean_bhar"]
groups.rename(columns={"mean_bhar": "mean BHAR %", "t_sa": "skewness-adjusted t"}).round(3)

# %%
Markdown("News inside the windows (from the timeline):\n\n" + "\n".join(
    f"* **[{key}]**: " + "; ".join(f"{i['session']} {i['label']}" for i in items[:6])
    + (f"; and {len(items) - 6} more" if len(items) > 6 else "")
    for key, items in after.confounds.items() if items))

# %% [markdown]
# ## One year later
#
# Each firm on the first session on or after the anniversary of the event date, against its last pre-event close
# and against the benchmark over the same sessions.

# %%
year = table[["anniversary_date", "return_since_pre_event", "excess_vs_benchmark"]].copy()
year[["return_since_pre_event", "excess_vs_benchmark"]] = (100 * year[["return_since_pre_event",
                                                                      "excess_vs_benchmark"]]).round(1)
year.sort_values("excess_vs_benchmark")

# %%
Markdown("\n".join(f"* {note}" for note in after.notes) or "No notes.")
