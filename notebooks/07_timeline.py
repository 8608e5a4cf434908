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
from analysis.timeline import run_timeline_study, timeline_event_files

# %%
root = find_project_root()
cache = Cache(root / "data")
shock = resolve_event(event_file, event_date)
study = run_timeline_study(timeline_event_files(root / EVENT_LIST if EVENT_LIST else None), cache=cache,
                           flagship_day0=shock.day0().session)

# %% [markdown]
# ## CAR[0,+1] per release (%)

# %%
wide = study.table.pivot(index="event", columns="firm", values="car01")
order = [e.name for e in study.events if e.name in wide.index]
(100 * wide.loc[order, [f for f in FIRMS if f in wide.columns]]).round(2)

# %%
study.plot()

# %%
hw = study.per_event()
closest = study.closest_to_flagship()
moved = hw[(hw["car01_p"] < 0.05)]
flag = hw[hw["day0"] == f"{study.flagship_day0:%Y-%m-%d}"].iloc[0]
biggest = closest.iloc[0] if len(closest) else None
Markdown(
    f"**Which releases moved the AI-capex chain?** Of {len(hw)} releases, the hardware portfolio's CAR[0,+1] is "
    f"significant at 5 % for {len(moved)}: {', '.join(moved.index)}. The flagship day "
    f"({flag['day0']}) cost the group {100 * flag['car01']:+.1f} % over two sessions (t = {flag['car01_t']:+.1f}). "
    + (f"The largest later fall was {biggest.name} ({100 * biggest['car01']:+.1f} %, "
       f"t = {biggest['car01_t']:+.1f}), {abs(biggest['share_of_flagship']):.0%} of the flagship's in size. "
       if biggest is not None else "")
    + f"Across all firms and the {len(closest)} later releases, the mean CAR[0,+1] has t = {study.later.value:+.2f} "
    f"(p = {study.later.pvalue:.2f}); for the hardware firms t = {study.later_hardware.value:+.2f} "
    f"(p = {study.later_hardware.pvalue:.2f}). **No later release came close to {flag['day0']}**: none moved the "
    "hardware group by half as much."
    if len(closest) and (closest["share_of_flagship"].abs() < 0.5).all() else
    "At least one later release moved the hardware group by half the flagship's reaction or more: see the table.")

# %% [markdown]
# Caveats: R1-0528 came out on the evening of Nvidia's earnings, which are traded on τ = +1, inside CAR[0,+1]; the
# V3.1 window holds reports that Nvidia suspended H20 production; V3.1-Terminus and V3.2-Exp are five sessions
# apart. The test assumes the event does not change the variance, and a handful of releases is a small sample.

# %%
print(study.summary())

# %% [markdown]
# ## The dates the seeds give
#
# Seed 001 dates V3 to "26 novembre 2024". The timeline dates it from the GitHub release commit.

# %%
dates = check_date_claims(cache=cache)
dates[["id", "seed", "claimed_date", "timeline_date", "days_off", "verdict", "confidence", "nearest_release"]]

# %%
v3 = dates.set_index("id").loc["v3_release_001"]
Markdown(f"Verdict `{v3.verdict}`: the seed says {v3.claimed_date}, the timeline {v3.timeline_date} "
         f"({v3.days_off:+d} days), source: {v3.source}. The nearest other release is {v3.nearest_release}, a "
         "likely confusion.")
