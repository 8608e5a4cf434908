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
# # 2 · The quoted figures against the market
#
# News articles quote market moves: a stock "fell 12 %", an index "lost 3.6 %"… The event file names a registry of
# those quotes (its key `claims`: a CSV file with each verbatim quote, the article it comes from and the ticker it
# refers to). Here every quoted figure is set against the day's actual prices, in raw prices against the previous raw
# close, as newspapers quote them:
#
# * **close-to-close:** close / previous close − 1, the day's official move;
# * **the opening gap:** open / previous close − 1;
# * **the day's range:** low and high against the previous close.
#
# A figure within half a unit of its last digit of the close *matches the close*; otherwise it may match the open, or
# lie inside the day's range (a snapshot taken during the session), or outside it.

# %% tags=["parameters"]
event_file = None  # None: the flagship, events/deepseek-r1.toml; or the path of another event file
event_date = None  # with event_file None: "YYYY-MM-DD" for an ad-hoc event (the flagship's firms, no claims)

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.events import resolve_event
from analysis.figures import FigureInputs, draw
from analysis.tables import claims_in_plain_words, verdicts_markdown

# %%
cache = Cache(find_project_root() / "data")  # the project's cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)
check = inputs.claims  # None when the event names no claims registry
print(event.describe())
check if check is not None else print("Left out: the event file names no claims registry (key 'claims'), so there "
                                      "is nothing to check.")

# %% [markdown]
# ## The claim chart
#
# One row per quote: the bar is the day's range from low to high, the orange tick the open, the red dot the close,
# and the black diamond the quoted figure with its tolerance. A diamond on the red dot is a close; anywhere else on
# the bar it is a snapshot taken during the day.

# %%
draw("claims", inputs)

# %% [markdown]
# ## What each verdict means

# %%
Markdown(verdicts_markdown(check)) if check is not None else None

# %% [markdown]
# ## In plain words
#
# One sentence per quote. A "sign differs" flag means the article described a fall while the series closed up (or
# the reverse).

# %%
Markdown(claims_in_plain_words(check)) if check is not None else None

# %% [markdown]
# ## Within the day: when each quoted figure held
#
# The verdicts above say that most figures were snapshots taken during the session, not when. Where real intraday
# bars of day 0 are cached (`data/1m`, `data/5m`; their clocks and quirks are in `data/intraday/README.md`), each path
# is drawn in percent against the **previous session's raw close** (where a series has no raw daily close, its own
# closing bar or a close derived from its adjusted daily file is used, and the path says which).
#
# A claim *holds* during a bar when it is true somewhere in that bar's low–high range: a fall ("down") while the
# price is below the previous close, a number while it is within half a unit of its last digit. Times are ET, bars
# labelled by their start. A declared proxy (e.g. QQQ for the Nasdaq-100, in the registry's `intraday_proxy` column)
# is labelled as one; claims with no bars say so, and no path is ever filled in from daily data.

# %%
from analysis.intraday import day_in_time, has_intraday_for

day = None
if check is not None and has_intraday_for(event, cache):
    day = day_in_time(inputs.day0, cache, registry=event.claims)
    display(day.table())
else:
    print("Left out: no claims, or no intraday bars cached for this day 0.")

# %%
draw("intraday_claims", inputs)

# %%
Markdown(day.in_words()) if day is not None else None

# %% [markdown]
# The path of the first series held, with its regular-session low and high and their times:

# %%
print(day.paths[0].summary()) if day is not None and day.paths else None

# %% [markdown]
# **Next:** [3 · The event study](03_event_study.ipynb): was the move abnormal, given how each stock moves with the
# market?
