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
# # 5 · Robustness: does the answer depend on the model?
#
# Notebook 3 measured abnormal returns with the market model against the S&P 500. Two things could bend that answer:
#
# * **the benchmark.** The S&P 500 and the Nasdaq both contain Nvidia (about 7 % of the S&P 500), so on day 0 part of
#   "the market" is Nvidia itself. RSP, the equal-weight S&P 500, gives NVDA a weight of about 0.2 %; SOXX, a
#   semiconductor ETF, asks a different question (abnormal relative to chip stocks);
# * **the model.** The market-adjusted model (α = 0, β = 1), the constant mean (no market at all), Fama–French
#   three and five factors, Carhart's four (three plus momentum), and a GARCH(1,1) market model whose event-day
#   variances follow the volatility of the weeks before the event.
#
# Below: the day-0 abnormal return (AR[0]) and the two-day CAR[0,+1] under each, in percent of simple close-to-close
# returns, then the intervals for a few firms, the peer groups and their differences, the placebo distribution behind
# the most honest p-value, and what Nvidia's fall cost in market value.

# %% tags=["parameters"]
EVENT_DATE = "2025-01-27"  # day 0 is the first NYSE session on or after this date
TICKERS = None  # None: the AI complex
SPECS = None  # None: the project's (model, benchmark) pairs, analysis.study.ROBUSTNESS_SPECS
FOREST_FIRMS = ("NVDA", "AVGO", "TSM", "GOOGL", "META", "MSFT")  # firms in the interval chart
FOREST_SPECS = (("market", "^GSPC"), ("market", "^IXIC"), ("market", "RSP"), ("constant-mean", None), ("ff3", None),
                ("carhart", None), ("ff5", None), ("garch", "^GSPC"))
FOCUS = "NVDA"  # the firm whose placebo distribution is drawn
BENCHMARK = "^GSPC"  # the market of the main study (for the placebo chart)

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.charts import plot_forest
from analysis.config import find_project_root
from analysis.study import ROBUSTNESS_SPECS, groups_report, groups_tables, robustness, run_event_study, spec_label
from analysis.valuation import nvda_value_lost

# %%
cache = Cache(find_project_root() / "data")  # the project's cache, found from any working directory
checks = robustness(TICKERS, SPECS or ROBUSTNESS_SPECS, EVENT_DATE, cache=cache)
print("specs:", "; ".join(checks.specs))

# %% [markdown]
# ## Day-0 abnormal return (%), firm × spec

# %%
(100 * checks.wide("ar0")).round(2)

# %% [markdown]
# Its t-statistic (Student t, two-sided; |t| > 1.97 is significant at 5 %):

# %%
checks.wide("ar0_t").round(1)

# %% [markdown]
# ## Two days: CAR[0,+1] (%), firm × spec
#
# Tuesday 28 January brought a partial rebound for Nvidia; the two-day window shows how much of day 0 stuck.

# %%
(100 * checks.wide("car01")).round(2)

# %% [markdown]
# ## The models side by side
#
# `analysis.eventstudy.compare` puts fitted studies side by side (the robustness table above is built from it): CAR
# in percent with its t in brackets, per window. The GARCH line says whether every fit converged; a firm whose fit did
# not converge is computed with OLS instead, and named here.

# %%
from analysis.eventstudy import compare

side_by_side = compare(checks.results, windows=((0, 0), (0, 1)))
print(side_by_side.summary())
garch = next((r for label, r in checks.results.items() if r.model == "garch"), None)
print("GARCH fits that fell back to OLS:", (garch.garch_fallbacks or "none") if garch is not None else "not run")

# %% [markdown]
# ## Where the conclusion changes

# %%
Markdown("\n".join(f"* {line}" for line in checks.conclusions()))

# %% [markdown]
# ## Intervals for a few firms
#
# Day-0 AR with its 95 % interval (Student t, prediction error included), one colour per spec.

# %%
plot_forest(checks.forest(FOREST_FIRMS, [spec_label(model, benchmark) for model, benchmark in FOREST_SPECS]),
            title="Day-0 abnormal return by firm, model and benchmark, with 95 % intervals")

# %% [markdown]
# ## The placebo distribution
#
# A day like 27 January sits far in the tail, where the Student t is least trustworthy. The placebo p-value asks
# instead: how many of the 240 estimation-window days had an |AR| at least as large as day 0's? When none had, p takes
# its smallest possible value, 1/241 ≈ 0.004.

# %%
study = run_event_study(TICKERS, BENCHMARK, "market", EVENT_DATE, cache=cache)
study.plot_placebo(FOCUS)

# %% [markdown]
# ## Peer groups: hardware, platforms, power
#
# The firms share one event date, so their abnormal returns are correlated (r̄ is the mean pairwise correlation of
# their estimation-window residuals). The tests below hold under that correlation: the equal-weighted portfolio
# tested as one firm, the Kolari–Pynnönen adjusted BMP t, GRANK (Kolari and Pynnönen 2011), and a joint Wald test that
# every day-0 AR of the group is zero (χ² with N degrees of freedom). With N = 2 (power), the cross-sectional tests
# have almost no degrees of freedom: read the portfolio t. CAAR in percent of simple close-to-close abnormal returns,
# market model against the benchmark above.

# %%
peer = groups_report(benchmark=BENCHMARK, event_date=EVENT_DATE, cache=cache)
group_stats, differences = groups_tables(peer)
group_stats.assign(caar=100 * group_stats["caar"]).rename(columns={"caar": "CAAR (%)"}).round(3)

# %% [markdown]
# The difference between two groups is the equal-weighted long-short portfolio (mean of one group's returns minus the
# mean of the other's), tested as one firm under the market model. CAR and its standard error in percent:

# %%
differences.assign(car=100 * differences["car"], se=100 * differences["se"]).rename(
    columns={"car": "CAR (%)", "se": "se (%)"}).round(3)

# %% [markdown]
# ## The value lost, approximately
#
# Nvidia's loss of market value on day 0 is about shares × the fall in the raw price. The share count is a rounded
# third-party figure (about 24.5 billion, from the 10-Q filed on 20 Nov 2024), so the result is an approximation; it is
# shown beside the figures reported at the time.

# %%
lost = nvda_value_lost(cache, EVENT_DATE)
print(lost)
lost.to_frame().round(2)
