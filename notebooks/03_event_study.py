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
# # 3 · The event study: how abnormal was the day?
#
# A stock's abnormal return (AR) on a day is its return minus the return its normal relation with the market
# predicts; a cumulative abnormal return (CAR) sums the ARs over a window of sessions.
#
# The normal relation is the event file's model (by default the market model, R_firm = α + β R_market + ε, against the
# S&P 500), estimated by OLS over the estimation window (by default 240 sessions that end well before the event,
# τ ∈ [−250, −11]). All returns are simple close-to-close returns (adjusted closes), in percent in the tables. The
# t-tests use the exact variance of a prediction, estimation error included (MacKinlay 1997); the placebo p ranks the
# day-0 |AR| among the estimation-window |AR|s, which makes no assumption about fat tails.

# %% tags=["parameters"]
event_file = None  # None: the flagship, events/deepseek-r1.toml; or the path of another event file
event_date = None  # with event_file None: "YYYY-MM-DD" for an ad-hoc event (the flagship's firms, no claims)

# %%
# %matplotlib inline
from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.events import resolve_event
from analysis.figures import FigureInputs, draw
from analysis.tables import day0_table, format_p, group_tests_table, peer_group_table

# %%
cache = Cache(find_project_root() / "data")  # the project's cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)  # the study is fitted once and shared with the charts
results = inputs.study
print(f"{event.title}: {results.model_label}; {results.estimation_label}; day 0 = {results.day0:%a %d %b %Y}; "
      f"{len(results.tickers)} firms")

# %% [markdown]
# ## Day 0, firm by firm
#
# AR[0] is the day-0 abnormal return in percent; t and p test it against zero (Student t with the model's residual
# degrees of freedom, two-sided). The full results, with every window, α, β and σ, are in `results` (its summary
# prints in a terminal as well).

# %%
day0_table(results).style.format({"AR[0] (%)": "{:+.2f}", "t": "{:+.2f}", "p": format_p,
                                  "placebo p (day 0)": format_p})

# %% [markdown]
# ## The path of the shock
#
# Bars: each session's AR with its 95 % interval, for the event's lead firm. Line: the CAR cumulated from the start of
# the AR path, with its exact 95 % band. Day 0 is the red line; the dotted lines are other news in the window (the
# event file's confounds), which is why wide windows are read with care.

# %%
draw("event_path", inputs)

# %% [markdown]
# ## Groups of firms, and the caveats
#
# Testing several firms together needs care:
#
# * **One shared date.** Every firm has the same day 0, so their abnormal returns are correlated (r̄ below is the mean
#   pairwise correlation of their residuals). The tests that survive that come first: the equal-weighted portfolio
#   treated as one firm, the Kolari–Pynnönen adjusted Patell and BMP tests, GRANK and the Wald test. The plain Patell,
#   BMP and sign tests assume independent firms and overstate the evidence.
# * **Small N.** With a handful of firms every cross-sectional test is weak; read the portfolio test and the
#   per-firm tests first. A group of two has almost no cross-sectional degrees of freedom.
# * **The benchmark may contain the firms.** A large firm is a large weight of the S&P 500, so part of the "market"
#   move on day 0 is the firm itself; the market model then understates its own abnormal return. Notebook 5 swaps in
#   other benchmarks, among them RSP, the equal-weight S&P 500.

# %%
group_tests_table(results.group) if results.group.n > 1 else print("One firm: there is no group to test.")

# %%
peer_group_table(results, event.groups).style.format(
    {"r̄": "{:.3f}", "portfolio CAR (%)": "{:+.2f}", "portfolio t": "{:+.2f}", "portfolio p": format_p,
     "KP-adjusted BMP t": "{:+.2f}", "KP-adjusted BMP p": format_p}) if event.groups else print(
    "Left out: the event file defines no peer groups ([groups]).")

# %%
draw("group_caar", inputs)

# %% [markdown]
# ## Statistics added for researchers
#
# The tests that EventStudyTools, Stata's `eventstudy2` and R's `estudy2` report beside ours, on the same ARs:
#
# * **cross-sectional t** (Brown and Warner 1985, "CSect T"), the **skewness-adjusted t** (Hall 1992; Lyon, Barber and
#   Tsai 1999) and the **Wilcoxon signed-rank test** of the firms' CARs. All three assume independent firms: with one
#   event date they over-reject (about 34 % instead of 5 % in our simulation with a correlation of 0.1);
# * a **bootstrap p** for the CAAR that resamples whole estimation-window dates (9 999 draws, fixed seed), so each draw
#   keeps the cross-correlation of the firms: it holds its 5 % size under correlation;
# * a **pre-trend test**: the joint F test that every AR of [−10,−1] is zero, per firm and for the portfolio;
# * **Holm** and **Benjamini–Hochberg** adjustments of the per-firm p-values, for testing many firms at once.

# %%
from analysis.events import window_label

group_tests = results.group
{window_label(w.window): {
    "CAAR (%)": round(100 * w.caar, 2),
    "csect t": round(w.csect.value, 2), "csect p": format_p(w.csect.pvalue),
    "skew-adjusted t": round(w.skew.value, 2), "skew p": format_p(w.skew.pvalue),
    "Wilcoxon p": format_p(w.wilcoxon.pvalue), "bootstrap p": format_p(w.bootstrap.pvalue)}
 for w in group_tests.windows}

# %%
pretrend = results.pretrend()
pretrend.assign(reject_5pct=pretrend["p"] < 0.05).round(3)

# %%
(results.adjusted_pvalues((0, 0)).join(results.car((0, 0))[["car"]]).assign(car=lambda f: 100 * f["car"])
 .rename(columns={"car": "AR[0] (%)"}).round(4))

# %% [markdown]
# ### Volume and volatility on day 0
#
# **Abnormal volume**: a market model of log volume, ln(1 + shares traded) against the S&P 500's log volume, fitted
# over the same estimation window (Campbell and Wasley 1996); `volume_ratio` is day-0 volume over its normal level.
# **Abnormal volatility**: the day-0 squared AR over its expected value under the model (F(1, df) under the null), and
# over the day-0 variance that a GARCH(1,1) market model forecast at the end of the estimation window (χ²(1)).

# %%
from analysis.volatility import abnormal_volatility
from analysis.volume import volume_study

volume = volume_study(event, cache, tickers=results.tickers)
volume[["volume0", "abnormal_log_volume", "volume_ratio", "t", "p"]].round(3)

# %%
abnormal_volatility(results, fit_garch=True).round(4)  # also against a GARCH(1,1) forecast of day 0

# %% [markdown]
# ### Who fell, and why
#
# OLS of the day-0 ARs on three characteristics measured before the event: the beta to SOXX over the estimation window
# (exposure to AI hardware), the return over months 12 to 1 (momentum) and the log dollar volume, with HC3 standard
# errors. With this few firms it describes rather than proves (the caveat under the table says why).

# %%
from analysis.crosssection import firm_cross_section

who = firm_cross_section(results, cache) if len(results.tickers) >= 8 else None
who if who is not None else print("Left out: too few firms for the regression (at least 8).")

# %%
draw("cross_section", inputs)

# %% [markdown]
# ## The indices
#
# An index has no abnormal return against itself. For each: its raw day-0 return (simple, close-to-close), z = that
# return divided by the standard deviation of its daily returns over the estimation window, and the percentile of the
# day among all its cached daily returns.

# %%
indices = inputs.indices
indices.assign(**{"return (%)": 100 * indices["return"]}).drop(columns="return").round(2)

# %%
draw("index_reactions", inputs)

# %% [markdown]
# **Next:** [4 · Export the charts](04_export.ipynb), or [5 · Robustness](05_robustness.ipynb).
