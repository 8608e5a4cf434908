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
# # 8 · The whole index: the S&P 500 by sector and by exposure to AI hardware
#
# The earlier notebooks study 17 hand-picked firms of the AI complex. A skeptic will say we picked them. Here the
# same market model is fitted to **every member of the S&P 500** with enough history (about 480 firms, one batched
# least-squares solve), against the S&P 500 itself (^GSPC) and, because Nvidia alone is about 7 % of that index,
# against RSP, the equal-weight S&P 500.
#
# Three questions:
#
# 1. **Did the market fall, or a corner of it?** The distribution of the members' day-0 returns against the index's.
# 2. **Which sectors and sub-industries fell?** Equal-weighted CAARs with the tests that survive a shared event date.
# 3. **Does exposure to AI hardware explain the day?** A regression across members of the day-0 abnormal return on
#    each member's beta to SOXX (a semiconductor ETF) and its momentum, with heteroskedasticity-robust (HC3) errors.
#
# All returns are simple close-to-close returns computed from **adjusted** closes (split- and dividend-adjusted, as
# of August 2026), so they are right as returns; no adjusted level is shown as a price.

# %% tags=["parameters"]
event_file = None  # None: the flagship, events/deepseek-r1.toml (its `universe` key names the index)
event_date = None  # with event_file None: "YYYY-MM-DD" for an ad-hoc event (the flagship's firms, no claims)
TOP = 10  # sub-industries listed in the table (those that fell most)
timeline_files = None  # None: every event file of events/; or a list of paths, compared with this event
TOP_HIT = 25  # hardest-hit members compared across events

# %%
# %matplotlib inline
from IPython.display import Markdown

from analysis.cache import Cache
from analysis.config import find_project_root
from analysis.events import known_events, load_event, resolve_event
from analysis.figures import FigureInputs, draw
from analysis.universe import timeline_cross_sections

# %%
cache = Cache(find_project_root() / "data")  # the project's cache, found from any working directory
event = resolve_event(event_file, event_date)
inputs = FigureInputs(event, cache)  # the charts below are drawn by the same builders as the export
res = inputs.universe  # the cross-section over the universe's members, fitted once
data = res.data
dist = res.distribution()
print(event.describe())
print(repr(res))


def pct(x: float) -> str:
    return f"{100 * x:+.2f} %".replace("-", "−")


# %% [markdown]
# ## Who is in, who is out
#
# The universe is the index's membership as recorded just before the event, with GICS sectors and sub-industries.
# Some members have no prices in the source, and several of those were acquired or delisted afterwards: the
# cross-section therefore carries a small **survivorship bias**. Members with fewer than 200 estimation-window
# returns (the house rule) fall out too; each one is listed with its reason.

# %%
Markdown("\n".join([f"**{res.n_firms} of {res.n_members} members studied.** Excluded:", ""]
                   + [f"* {t}: {why}" for t, why in res.excluded.items()]
                   + ["", "Notes:", ""] + [f"* {n}" for n in res.notes]))

# %% [markdown]
# ## 1 · The market did not fall; a corner of it did

# %%
Markdown(
    f"On day 0 ({res.day0:%d %b %Y}) **{dist['share_down']:.0%} of the {dist['n']} members fell**. The median member "
    f"returned {pct(dist['median_return'])} and the equal-weighted mean {pct(dist['mean_return'])}, while the "
    f"cap-weighted index returned {pct(dist['index_return'])}"
    + (f" and {dist['marked']} {pct(dist['marked_return'])}" if "marked_return" in dist else "")
    + f". Against the equal-weight ETF RSP ({pct(dist['equal_weight_etf_return'])}) the picture is the same: the index "
    "fell because a few very large members fell a lot, not because most members fell."
)

# %%
draw("universe_histogram", inputs)

# %% [markdown]
# ## 2 · Which sectors fell, which rose
#
# Equal-weighted CAARs (percent of simple close-to-close abnormal returns, market model against ^GSPC). The firms
# share one date, so their abnormal returns are correlated; the tests read first are those that survive this: the
# **portfolio t** (the equal-weighted portfolio regressed on its own, whose residual variance carries every
# covariance) and the **Kolari–Pynnönen adjusted BMP t**. The **cross-sectional t** (Brown and Warner 1985) is shown
# for comparison: it assumes independent firms and so overstates significance here. r̄ is the mean pairwise
# correlation of the members' estimation-window residuals.

# %%
sectors = res.sectors()
shown = sectors[["n", "rbar", "caar[0,0]", "portfolio_t[0,0]", "kp_bmp_t[0,0]", "csect_t[0,0]", "caar[0,1]",
                 "portfolio_t[0,1]"]].copy()
shown[["caar[0,0]", "caar[0,1]"]] *= 100
shown.rename(columns={"caar[0,0]": "CAAR[0,0] %", "caar[0,1]": "CAAR[0,1] %"}).round(2)

# %%
fell = sectors[sectors["caar[0,0]"] < 0].index.tolist()
rose = sectors[sectors["caar[0,0]"] > 0].sort_values("caar[0,0]", ascending=False).index.tolist()
strong = sectors[sectors["portfolio_t[0,0]"].abs() > 1.97].index.tolist()
Markdown(
    f"**Fell:** {', '.join(fell) or 'none'}. **Rose** (most first): {', '.join(rose) or 'none'}. "
    f"Sectors whose portfolio t exceeds 1.97 in absolute value: {', '.join(strong) or 'none'}. "
    "Abnormal returns are measured against an index that itself fell, so a sector that merely held still shows a "
    "positive CAAR; the ranking, not the sign, carries the story."
)

# %% [markdown]
# The chart puts each sector's day-0 CAAR with its 95 % interval (from the portfolio's own regression) beside the
# sub-industries that fell most. Sub-industries are small (often 2 to 5 members), so their intervals are wide and
# their cross-sectional tests have few degrees of freedom.

# %%
draw("universe_sectors", inputs)

# %%
subs = res.sub_industries().head(TOP)
(subs[["n", "caar[0,0]", "portfolio_t[0,0]", "kp_bmp_t[0,0]", "csect_t[0,0]"]]
 .assign(**{"caar[0,0]": lambda f: 100 * f["caar[0,0]"]}).rename(columns={"caar[0,0]": "CAAR[0,0] %"}).round(2))

# %% [markdown]
# The hardest-hit members, by day-0 abnormal return against ^GSPC and against RSP (percent):

# %%
table = res.table()
hardest = table.nsmallest(15, "ar0_^GSPC")[["security", "sector", "sub_industry", "return0", "ar0_^GSPC", "ar0_RSP",
                                            "beta_soxx"]]
hardest.assign(**{c: 100 * hardest[c] for c in ("return0", "ar0_^GSPC", "ar0_RSP")}).round(2)

# %% [markdown]
# ## 3 · How much of the day does AI-hardware exposure explain?
#
# Across members, the day-0 AR (against ^GSPC) is regressed on the member's **beta to SOXX** (the slope of its daily
# return on SOXX's over the estimation window; no hand-picked list) and its **momentum**, P(τ=−21)/P(τ=−252) − 1 in
# sessions, by OLS with HC3 standard errors (MacKinnon and White 1985), then again with one dummy per GICS sector.

# %%
reg = res.regression()
reg_s = res.regression(sector_dummies=True)


def reg_lines(r, label):
    rows = [f"**{label}** (n = {r['n']}, R² = {r['r2']:.3f}){' — ' + r['note'] if r['note'] else ''}", ""]
    rows += [f"* {k}: {r['params'][k]:+.4f} (HC3 se {r['bse_hc3'][k]:.4f}, t {r['t_hc3'][k]:+.2f})"
             for k in ("const", "beta_soxx", "momentum") if k in r["params"]]
    return rows


Markdown("\n".join(reg_lines(reg, "Without sector dummies") + [""] + reg_lines(reg_s, "With sector dummies") + [
    "",
    f"A member with a SOXX beta higher by 0.5 had a day-0 AR lower by about "
    f"{abs(0.5 * reg['params']['beta_soxx']) * 100:.1f} percentage points. The exposure and momentum alone explain "
    f"{reg['r2']:.0%} of the cross-sectional variance of the day's abnormal returns; sector dummies add "
    f"{reg_s['r2'] - reg['r2']:.0%} more, and the SOXX beta keeps its sign and size within sectors "
    f"(t {reg_s['t_hc3']['beta_soxx']:+.1f}).",
]))

# %%
draw("universe_beta", inputs)

# %% [markdown]
# On the flagship day the chart shows why the fit is not tighter: the deepest falls (power producers, data-centre
# electrical and network suppliers) had only moderate SOXX betas. The AI-capex chain reaches beyond chip stocks, into
# the power and the equipment that data centres need, which a beta to a chip ETF measures only in part.

# %% [markdown]
# ## 4 · Did a later DeepSeek release hit the same members?
#
# The same cross-section for every release the data cover (an event whose windows run past the cached benchmark
# series is listed as not covered, with the reason). For each event: the share of members that fell, the median return, the
# index's return, the SOXX-beta slope of the regression (and its HC3 t), and how many of its hardest-hit members were
# also among the reference event's (and the rank correlation of the two days' ARs).

# %%
others = [load_event(path) for path in timeline_files] if timeline_files else known_events()
timeline = timeline_cross_sections([event, *(e for e in others if e.date != event.date)], reference=event, top=TOP_HIT,
                                   data=data)
summary = timeline.summary.copy()
for column in ("share_down", "median_return", "index_return", "mean_ar", "share_ar_down", "beta_soxx_coef"):
    summary[column] = 100 * summary[column]
summary[["day0", "status", "n_firms", "share_down", "median_return", "index_return", "beta_soxx_coef",
         "beta_soxx_t_hc3", "r2", "overlap_top", "spearman_ar0_vs_reference"]].round(2)

# %%
ok = timeline.summary[(timeline.summary["status"] == "ok") & (timeline.summary.index != timeline.reference)]
if len(ok):
    best = ok["overlap_top"].idxmax()
    text = (f"Of the {TOP_HIT} hardest-hit members of {timeline.reference}, at most {int(ok['overlap_top'].max())} "
            f"were among the {TOP_HIT} hardest hit on another covered release ({best}); the rank correlation of "
            f"the day-0 ARs with the reference day ranges from {ok['spearman_ar0_vs_reference'].min():+.2f} to "
            f"{ok['spearman_ar0_vs_reference'].max():+.2f}. No other covered release hit the same members the "
            "same way." if ok["overlap_top"].max() < TOP_HIT / 2 else
            f"{best} hit {int(ok['overlap_top'].max())} of the same {TOP_HIT} members.")
else:
    text = "No other release is covered by the data."
Markdown(text)
