"""Kaplan-Meier curves of time to escalation (DESIGN.md "Escalation")."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._layout import get_ax, require
from .style import group_colours

from ..definitions import DAYS_PER_YEAR


def plot_km(
    km: pd.DataFrame,
    groups: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    ci: bool = True,
    ci_alpha: float = 0.2,
    **style,
) -> Axes:
    """Step curves of the Kaplan-Meier estimate, one per group, with confidence bands.

    Draws the table of ``km_time_to_escalation.csv`` (DESIGN.md "Outputs": ``group, days,
    survival, ci_lower, ci_upper, at_risk, events``) as it is: x is ``days / 365.25`` (years),
    y the proportion not yet escalated. Each curve is drawn from (0, 1) when the table has no row
    at day 0 (the estimate is 1 before the first event), as a post-step. Missing CI values are
    left as gaps. The x axis runs from 0 to the end of the longest curve. Each curve's line has
    the SVG id ``km-<group>`` (its band ``km-<group>-ci``), the axes ``km-axes``, so a saved
    figure can be checked for what it draws.

    Parameters
    ----------
    km
        The Kaplan-Meier table.
    groups
        Groups to draw, in legend order (default: all, in order of first appearance).
    ax
        Axes to draw on (default ``plt.gca()``).
    ci, ci_alpha
        Draw the confidence band, and its opacity.
    **style
        Passed to ``Axes.step`` (e.g. ``linewidth``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> km = pd.DataFrame({"group": ["eldest", "younger"], "days": [365, 730],
    ...                    "survival": [0.5, 0.8], "ci_lower": [0.2, 0.5], "ci_upper": [0.8, 0.9],
    ...                    "at_risk": [4, 10], "events": [2, 2]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_km(km, ax=ax)
    >>> [line.get_label() for line in ax.lines]
    ['eldest', 'younger']
    >>> plt.close("all")
    """
    require(km, ["group", "days", "survival", "ci_lower", "ci_upper"], "plot_km")
    ax = get_ax(ax)
    present = list(dict.fromkeys(km["group"].astype(str)))
    chosen = present if groups is None else [str(g) for g in groups]
    unknown = [g for g in chosen if g not in present]
    if unknown:
        raise ValueError(f"plot_km: groups {unknown} are not in the table (it has {present})")
    colours = group_colours(chosen)
    right = 0.0
    for g in chosen:
        part = km.loc[km["group"].astype(str) == g].sort_values("days", kind="stable")
        days = part["days"].astype("float64").to_numpy()
        surv = part["survival"].astype("float64").to_numpy()
        lo = part["ci_lower"].astype("float64").to_numpy()
        hi = part["ci_upper"].astype("float64").to_numpy()
        if len(days) == 0 or days[0] > 0:
            days, surv = np.r_[0.0, days], np.r_[1.0, surv]
            lo, hi = np.r_[1.0, lo], np.r_[1.0, hi]
        years = days / DAYS_PER_YEAR
        kwargs = {"color": colours[g], "where": "post", "label": g, "gid": f"km-{g}", **style}
        (line,) = ax.step(years, surv, **kwargs)
        right = max(right, float(years[-1]))
        if ci:
            ax.fill_between(
                years, lo, hi, step="post", color=line.get_color(), alpha=ci_alpha,
                linewidth=0, label="_nolegend_", gid=f"km-{g}-ci",
            )
    ax.set_xlabel("Years from first involvement")
    ax.set_ylabel("Proportion not yet escalated")
    ax.set_ylim(0, 1.02)
    # The x axis ends where the last curve ends (no curve is drawn beyond its last row).
    ax.set_xlim(0, right if right > 0 else None)
    ax.patch.set_gid("km-axes")
    if chosen:
        ax.legend(title=None, loc="lower left")
    return ax
