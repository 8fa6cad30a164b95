"""Figures of the briefing's findings: shares against national figures, lead times
(DESIGN.md "Earlier identification")."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._layout import get_ax, mark_suppressed, numeric_and_text, require
from .style import BAR_COLOUR, NATIONAL_COLOUR

#: Days per month for lead times (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12


def plot_shares(findings: pd.DataFrame, ax: Axes | None = None, **style) -> Axes:
    """Horizontal bars of each finding's ``share`` (%), national figure as a marker where known.

    One bar per row of the findings table (``point, measure, numerator, denominator, share,
    national_share``), first row at the top, labelled ``"point: measure"``. ``share`` may be a
    DfE symbol (``c``): the bar is empty and labelled ``c``. ``national_share`` (%) is drawn as a
    diamond where present.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> f = pd.DataFrame({"point": [1, 3], "measure": ["re-referral", "repeat plan"],
    ...                   "numerator": [40, 12], "denominator": [120, 30],
    ...                   "share": [33.3, 40.0], "national_share": [22.6, None]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_shares(f, ax)
    >>> [float(p.get_width()) for p in ax.patches]
    [33.3, 40.0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['1: re-referral', '3: repeat plan']
    >>> plt.close("all")
    """
    require(findings, ["point", "measure", "share", "national_share"], "plot_shares")
    ax = get_ax(ax)
    widths, labels = numeric_and_text(findings["share"], fmt="{:.1f}%")
    y = np.arange(len(findings))
    names = (findings["point"].astype(str) + ": " + findings["measure"].astype(str)).tolist()
    bars = ax.barh(y, widths.to_numpy(), height=0.6, label="This cohort",
                   **{"color": BAR_COLOUR, **style})
    mark_suppressed(ax, bars, labels, horizontal=True)
    ax.bar_label(bars, labels=labels, padding=3)
    national = pd.to_numeric(findings["national_share"], errors="coerce").astype("float64")
    has = national.notna().to_numpy()
    if has.any():
        ax.plot(national.to_numpy()[has], y[has], linestyle="none", marker="D", markersize=9,
                color=NATIONAL_COLOUR, label="England")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("Share (%)")
    ax.set_xlim(0, max(100.0, float(np.nanmax(np.r_[widths.to_numpy(), national.to_numpy(), 0]))))
    ax.legend(loc="lower right")
    return ax


def plot_lead_times(
    children: pd.DataFrame, ax: Axes | None = None, *, bin_months: float = 6.0, **style
) -> Axes:
    """Histogram of ``lead_time_days`` of a children table, in months (days / 30.4375).

    Children with no lead time (empty) are left out. Bins are ``bin_months`` wide from 0
    (layout only). Row-level: draw it for analysts, not for a shared briefing unless counts are
    large enough.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> c = pd.DataFrame({"lead_time_days": [30, 150, 400, None]})  # 1.0, 4.9, 13.1 months
    >>> fig, ax = plt.subplots()
    >>> ax = plot_lead_times(c, ax)
    >>> [float(p.get_height()) for p in ax.patches]
    [2.0, 0.0, 1.0]
    >>> plt.close("all")
    """
    require(children, ["lead_time_days"], "plot_lead_times")
    ax = get_ax(ax)
    months = pd.to_numeric(children["lead_time_days"], errors="coerce").dropna().astype("float64")
    months = months.to_numpy() / DAYS_PER_MONTH
    top = max(float(months.max()) if len(months) else 0.0, bin_months)
    edges = np.arange(0.0, top + bin_months, bin_months)
    if len(edges) < 2 or edges[-1] <= top:
        edges = np.r_[edges, edges[-1] + bin_months]
    ax.hist(months, bins=edges, **{"color": BAR_COLOUR, "edgecolor": "white", **style})
    ax.set_xlabel("Lead time (months earlier a whole-family reading could have flagged)")
    ax.set_ylabel("Children")
    return ax
