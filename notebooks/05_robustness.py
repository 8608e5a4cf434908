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
# Notebook 3 measured abnormal returns with the event's model. Two things could bend that answer:
#
# * **the benchmark.** The S&P 500 and the Nasdaq contain the largest firms (Nvidia was about 7 % of the S&P 500 in
#   early 2025), so on day 0 part of "the market" may be the firm itself. RSP, the equal-weight S&P 500, gives each
#   member about 0.2 %; SOXX, a semiconductor ETF, asks a different question (abnormal relative to chip stocks);
# * **the model.** The market-adjusted model (α = 0, β = 1), the constant mean (no market at all), Fama–French
#   three and five factors, Carhart's four (three plus momentum), and a GARCH(1,1) market model whose event-day
#   variances follow the volatility of the weeks before the event.
#
# Below: the day-0 abnormal return (AR[0]) and the two-day CAR[0,+1] under each, in percent of simple close-to-close
# returns, then the intervals for the chart firms, the placebo distribution behind the most honest p-value, the peer
# groups and their differences.

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
from analysis.study import groups_report, groups_tables, robustness

# %%
cache = Cache(find_project_root() / "data")  # the project's cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)
checks = robustness(event, cache=cache)
print(f"{event.title}; specs:", "; ".join(checks.specs))

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
# The two-day window shows how much of day 0 stuck after the next session.

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
# ## Intervals for the chart firms
#
# Day-0 AR with its 95 % interval (Student t, prediction error included), one colour per spec.

# %%
draw("forest_day0", inputs)

# %% [markdown]
# ## The placebo distribution
#
# A day far in the tail is where the Student t is least trustworthy. The placebo p-value asks instead: how many of the
# estimation-window days had an |AR| at least as large as day 0's? When none had, p takes its smallest possible value,
# 1/(L1 + 1) (1/241 ≈ 0.004 with the default window).

# %%
draw("placebo", inputs)

# %% [markdown]
# ## Peer groups
#
# The firms share one event date, so their abnormal returns are correlated (r̄ is the mean pairwise correlation of
# their estimation-window residuals). The tests below hold under that correlation: the equal-weighted portfolio
# tested as one firm, the Kolari–Pynnönen adjusted BMP t, GRANK (Kolari and Pynnönen 2011), and a joint Wald test that
# every day-0 AR of the group is zero (χ² with N degrees of freedom). With N = 2 the cross-sectional tests have almost
# no degrees of freedom: read the portfolio t. CAAR in percent of simple close-to-close abnormal returns, under the
# event's model.

# %%
if event.groups:
    group_stats, differences = groups_tables(groups_report(event, cache))
    display(group_stats.assign(caar=100 * group_stats["caar"]).rename(columns={"caar": "CAAR (%)"}).round(3))
else:
    differences = None
    print("Left out: the event file defines no peer groups ([groups]).")

# %% [markdown]
# The difference between two groups is the equal-weighted long-short portfolio (mean of one group's returns minus the
# mean of the other's), tested as one firm under the market model. CAR and its standard error in percent:

# %%
differences.assign(car=100 * differences["car"], se=100 * differences["se"]).rename(
    columns={"car": "CAR (%)", "se": "se (%)"}).round(3) if differences is not None and len(differences) else None
