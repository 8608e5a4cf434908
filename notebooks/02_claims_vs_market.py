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
# Five French news articles (in `seeds/`) quoted market moves for that Monday: "Nvidia −11.64 %", "the Nasdaq
# −3.6 %", "the S&P 500 −2 %"… Each quote is in the registry `data/claims.csv`, with the ticker it refers to. Here
# every quoted figure is set against the day's actual prices, in raw prices against the previous raw close, as
# newspapers quote them:
#
# * **close-to-close:** close / previous close − 1, the day's official move;
# * **the opening gap:** open / previous close − 1;
# * **the day's range:** low and high against the previous close.
#
# A figure within half a unit of its last digit of the close *matches the close*; otherwise it may match the open, or
# lie inside the day's range (a snapshot taken during the session), or outside it.

# %% tags=["parameters"]
EVENT_DATE = None  # None: each claim uses its own date from the registry; or e.g. "2025-01-27" for all of them
REGISTRY = None  # None: data/claims.csv; or another registry with the same columns (path from the project root)

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.claims import check_claims
from analysis.config import find_project_root
from analysis.report import claims_in_plain_words, verdicts_markdown

# %%
ROOT = find_project_root()  # the project, found from any working directory; paths below are taken from it
cache = Cache(ROOT / "data")
check = check_claims(cache, registry=ROOT / REGISTRY if REGISTRY else None, event_date=EVENT_DATE)
check

# %% [markdown]
# ## The claim chart
#
# One row per quote: the bar is the day's range from low to high, the orange tick the open, the red dot the close,
# and the black diamond the quoted figure with its tolerance. A diamond on the red dot is a close; anywhere else on
# the bar it is a snapshot taken during the day.

# %%
check.plot()

# %% [markdown]
# ## What each verdict means

# %%
Markdown(verdicts_markdown(check))

# %% [markdown]
# ## In plain words
#
# One sentence per quote. A "sign differs" flag means the article described a fall while the series closed up (or
# the reverse).

# %%
Markdown(claims_in_plain_words(check))

# %% [markdown]
# ## Within the day: when each quoted figure held
#
# The verdicts above say that most figures were snapshots taken during the session, not when. For a few series we
# hold real intraday bars of day 0 (`data/1m`, `data/5m`; their clocks and quirks are in `data/intraday/README.md`):
# 1-minute bars of the whole day for META, MSFT and RSP, and 5-minute bars of the morning only (to 11:05 ET) for QQQ,
# SMH and AMZN. Each path is in percent against the **previous session's raw close** (for META the daily close of
# the Friday, 647.49); RSP has no raw daily close, so its closing bar is used, and QQQ's is derived from its adjusted
# daily close; each path says which.
#
# A claim *holds* during a bar when it is true somewhere in that bar's low–high range: a fall ("down") while the
# price is below the previous close, a number while it is within half a unit of its last digit. Times are ET, bars
# labelled by their start. QQQ stands in for the Nasdaq-100 (a proxy declared in `data/claims.csv`); claims with no
# bars say so, and no path is ever filled in from daily data.

# %%
from analysis.intraday import day_in_time, intraday_path

day = day_in_time(check.to_frame()["day0"].dropna().iloc[0], cache, registry=ROOT / REGISTRY if REGISTRY else None)
day.table()

# %%
day.plot()

# %%
Markdown(day.in_words())

# %% [markdown]
# Meta is the clearest case: the article's "significant declines" was true from the open until about half past ten,
# and again for a few minutes in mid-afternoon, but not at the close (up 1.91 %). The path of one series, with its
# low and high and their times:

# %%
print(intraday_path("META", day.session, cache=cache).summary())

# %% [markdown]
# **Next:** [3 · The event study](03_event_study.ipynb): was the fall abnormal, given how each stock moves with the
# market?
