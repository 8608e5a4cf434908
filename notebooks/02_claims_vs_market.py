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
# **Next:** [3 · The event study](03_event_study.ipynb): was the fall abnormal, given how each stock moves with the
# market?
