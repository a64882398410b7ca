"""Figures: functions that take results or data, draw on a matplotlib Axes and return it.

Every plotting function has the signature ``plot_x(data, *, ax=None, **kwargs) -> Axes``:
it draws on ``ax`` (or on a new figure when ``ax`` is None), never calls
``plt.show()`` and never changes ``matplotlib.rcParams`` globally (nor the backend:
the examples run on whichever is in use; headless, matplotlib falls back to Agg). Shared look
(colours, font sizes, spines) lives in :mod:`b12stats.plots.style`. Plotting
never computes a statistic it could be handed: statistics come from
:mod:`b12stats.stats` and friends.

Modules
-------
style
    Shared colours, rc settings as a context and per-Axes styling.
forest
    Forest plot of a correlation meta-analysis (:func:`~b12stats.plots.forest.plot_forest`).
correlations
    Every bundled correlation by variable pair, pooled where allowed.
distributions
    Log-normal distributions rebuilt from published summaries, with cut-offs and shares.
cohorts
    A secondary summary's medians beside the primary paper's geometric means.
effects
    Supplement effects (percent differences with CIs).
scatter
    Milk vs infant B12 of a simulated cohort with the GEE fit and its band.
power
    Simulated power curves with Monte Carlo error bars.
ptrend
    Simulated P values of a test against a published P.
audit
    Audit verdict counts by source kind.
"""
