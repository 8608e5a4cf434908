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
# On Monday 27 January 2025, after the Chinese lab DeepSeek released its reasoning model R1, Nvidia fell 17 % in one
# session. Every number in these notebooks comes from the project's offline cache in `data/`: daily histories of the
# stocks, ETFs and indices involved, copied from public sources and checked. No network is needed.
#
# This notebook shows what the cache holds and how it was checked, then what prices and trading volume did in the
# ten sessions either side of the event.

# %% tags=["parameters"]
EVENT_DATE = "2025-01-27"  # day 0 is the first NYSE session on or after this date
WINDOW = (-10, 10)  # sessions around day 0 drawn in the charts (relative session numbers τ)
BASE_TAU = -1  # prices are rebased to 100 at the close of this session (τ = −1: Friday 24 Jan 2025)
PANELS = {  # panel title -> tickers in the price chart
    "Named in the articles": ["NVDA", "GOOGL", "META", "^IXIC"],
    "Hardware peers": ["NVDA", "AVGO", "TSM", "MU", "AMD", "ARM", "ASML", "MRVL", "SMCI"],
    "Platforms": ["GOOGL", "META", "MSFT", "AMZN", "AAPL", "ORCL"],
    "Power for data centres": ["VST", "CEG"],
}
REFERENCE = "^IXIC"  # drawn dashed in every panel that does not list it
VOLUME_TICKERS = ["NVDA", "AVGO", "TSM", "GOOGL", "META", "^IXIC"]

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.calendar import event_day0
from analysis.charts import plot_rebased_prices
from analysis.config import confounds_for, find_project_root
from analysis.report import cache_overview, markdown_section, price_paths, volume_paths
from analysis.valuation import nvda_value_lost

# %%
ROOT = find_project_root()
cache = Cache(ROOT / "data")  # the project's offline cache, found from any working directory
day0 = event_day0(EVENT_DATE)
print(f"project root: {ROOT}\ncache: {cache.data_dir}\nday 0: {day0.session:%A %d %B %Y}")
if day0.note:
    print(day0.note)

# %% [markdown]
# ## What is cached, and is it intact?
#
# `verify` recomputes every file's checksum against `data/manifest.json`, and checks the schema, that the dates are
# exactly the NYSE sessions (the exchange was shut on 9 and 20 January 2025), and that low ≤ open, close ≤ high.

# %%
problems = cache.verify()
print("verify: OK, every cached file is intact" if not problems else "verify found problems:")
for problem in problems:
    print("  ", problem)

# %%
cache_overview(cache)

# %% [markdown]
# `close_basis` says what `close` means in each file; it matters when a quoted figure is compared with a close.
# From `data/SOURCES.md`:

# %%
Markdown(markdown_section(cache.read_text("SOURCES.md"), "## Conventions"))

# %% [markdown]
# ## Prices around the event
#
# Each series is rebased to 100 at the close of the last session before day 0, and drawn over ten sessions either
# side. Stocks and ETFs use the adjusted close (the close where the source gives only one price); indices their
# level. The dotted lines mark other news in the window (see `METHOD.md`): Stargate on τ = −4, the FOMC and big-tech
# earnings from τ = +2.

# %%
tickers = list(dict.fromkeys(t for group in PANELS.values() for t in group))
paths = price_paths(tickers, EVENT_DATE, WINDOW, BASE_TAU, cache=cache)
print(f"price index, {paths.attrs['base_label']}; day 0 = {paths.attrs['day0']}")
paths.loc[[0, 1, WINDOW[1]]].T.round(1)  # columns: τ = 0 (day 0), +1, and the end of the window

# %%
plot_rebased_prices(paths, PANELS, reference=REFERENCE, base_label=paths.attrs["base_label"], day0=day0.session,
                    confounds=confounds_for(day0.session))

# %% [markdown]
# In money: Nvidia's loss of market value that day, approximately (shares outstanding × the fall in the raw price),
# beside the figures reported at the time.

# %%
value_lost = nvda_value_lost(cache, EVENT_DATE)
print(value_lost)
value_lost.to_frame().round(1)

# %% [markdown]
# ## Trading volume
#
# Volume on each session as a multiple of the series' normal volume (its median over the estimation window,
# τ ∈ [−250, −11]). The price fall came with several times the usual trading.

# %%
volume = volume_paths(VOLUME_TICKERS, EVENT_DATE, WINDOW, cache=cache)
volume.to_frame().round(1)

# %%
volume.plot()

# %% [markdown]
# **Next:** [2 · The quoted figures against the market](02_claims_vs_market.ipynb).
