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
# # 1 · The data: what is cached, where it came from, and what prices did
#
# Every number in these notebooks comes from the project's offline cache in `data/`: daily histories of the stocks,
# ETFs and indices involved, copied from public sources and checked. No network is needed. The event comes from an
# event file (`events/*.toml`); the parameters cell below names it, and papermill or `make run EVENT=...` can name
# another.
#
# This notebook shows what the cache holds and how it was checked, then what prices and trading volume did in the
# sessions either side of the event.

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
from analysis.paths import price_paths, volume_paths
from analysis.tables import cache_overview, markdown_section
from analysis.valuation import value_lost

# %%
ROOT = find_project_root()
cache = Cache(ROOT / "data")  # the project's offline cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)  # what the charts are drawn from, shared by every chart of this notebook
day0 = event.day0()
print(f"{event.describe()}\ncache: {cache.data_dir}")
if day0.note:
    print(day0.note)
Markdown(f"**{event.title}.** {event.summary}" if event.summary else f"**{event.title}**")

# %% [markdown]
# ## What is cached, and is it intact?
#
# `verify` recomputes every file's checksum against `data/manifest.json`, and checks the schema, that the dates are
# exactly the NYSE sessions (pandas business days would be wrong: the exchange shuts on holidays and days of
# mourning), and that low ≤ open, close ≤ high.

# %%
problems = cache.verify()
print("verify: OK, every cached file is intact" if not problems else "verify found problems:")
for problem in problems:
    print("  ", problem)

# %%
cache_overview(cache)  # the daily histories; intraday bars are shown in notebook 2, where they are used

# %% [markdown]
# `close_basis` says what `close` means in each file; it matters when a quoted figure is compared with a close.

# %%
Markdown(markdown_section(cache.read_text("SOURCES.md"), "## Conventions"))

# %% [markdown]
# ## Prices around the event
#
# Each series is rebased to 100 at the close of the session before day 0 (τ = −1), over the event's AR path. Stocks
# and ETFs use the adjusted close (the close where the source gives only one price); indices their level. The dotted
# lines mark other news in the window, from the event file's confounds.

# %%
paths = price_paths(event, list(dict.fromkeys([*event.chart_firms, *event.indices[:1]])), cache=cache)
print(f"price index, {paths.attrs['base_label']}; day 0 = {paths.attrs['day0']}")
paths.loc[[0, 1, event.ar_path[1]]].T.round(1)  # columns: τ = 0 (day 0), +1, and the end of the window

# %%
draw("price_paths", inputs)

# %% [markdown]
# ## The value lost, approximately
#
# Shares outstanding times the fall in the raw price, beside the figures reported at the time (when the event file
# has a `[valuation]` table).

# %%
lost = value_lost(event, cache)
print(lost if lost is not None else "Left out: the event file reports no value lost ([valuation]).")
lost.to_frame().round(1) if lost is not None else None

# %% [markdown]
# ## Trading volume
#
# Volume as a multiple of each series' median daily volume over the estimation window.

# %%
volume = volume_paths(event, [t for t in event.chart_firms + event.indices[:1] if t in cache.tickers("1d")],
                      cache=cache)
volume.to_frame().round(1)

# %%
draw("volume", inputs)

# %% [markdown]
# **Next:** [2 · The quoted figures against the market](02_claims_vs_market.ipynb).
