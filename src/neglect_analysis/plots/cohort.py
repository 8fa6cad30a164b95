"""Figures of sibling-group structure: group sizes and age spans (DESIGN.md "Sibling group")."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..labels import column_label
from ._layout import get_ax, integer_ticks, mark_suppressed, numeric_and_text, require
from .style import BAR_COLOUR

#: Days per year, as in DESIGN.md ("years are days / 365.25").
from ..definitions import DAYS_PER_YEAR


def plot_group_sizes(counts: pd.DataFrame, ax: Axes | None = None, **style) -> Axes:
    """Bar chart of the number of sibling groups by number of children.

    Draws a pre-counted table (the analysis counts, this only draws): one bar per row of
    ``counts``, height ``n_groups``, in order of ``n_children`` (banded text labels such as
    ``"10+"`` keep the order given), each labelled with its value.
    ``n_groups`` may hold DfE symbols (``c``): drawn as an empty bar labelled ``c``.

    Parameters
    ----------
    counts
        Columns ``n_children``, ``n_groups``.
    ax
        Axes to draw on (default ``plt.gca()``).
    **style
        Passed to ``Axes.bar`` (e.g. ``color``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_group_sizes(pd.DataFrame({"n_children": [5, 6, 9], "n_groups": [20, 12, 6]}), ax)
    >>> [float(p.get_height()) for p in ax.patches]
    [20.0, 12.0, 6.0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Children in the sibling group', 'Sibling groups')
    >>> plt.close("all")
    """
    require(counts, ["n_children", "n_groups"], "plot_group_sizes")
    ax = get_ax(ax)
    # Numeric sizes are sorted; banded labels ("<5", "10+") keep the analysis's order.
    numeric = pd.to_numeric(counts["n_children"], errors="coerce").notna().all()
    table = counts.sort_values("n_children", kind="stable") if numeric else counts
    heights, labels = numeric_and_text(table["n_groups"])
    x = table["n_children"].astype(str).tolist()
    bars = ax.bar(x, heights.to_numpy(), **{"color": BAR_COLOUR, **style})
    mark_suppressed(ax, bars, labels)
    ax.bar_label(bars, labels=labels, padding=2)
    integer_ticks(ax.yaxis)
    ax.set_xlabel(column_label("n_children", "group_sizes"))  # the one label map's words
    ax.set_ylabel(column_label("n_groups", "group_sizes"))
    ax.margins(y=0.1)
    return ax


def plot_age_spans(groups: pd.DataFrame, ax: Axes | None = None, **style) -> Axes:
    """One horizontal bar per index parent from the youngest to the eldest child's age (years).

    Reads ``parent_id``, ``youngest_age_days``, ``eldest_age_days`` of the sibling-group table
    (one row per index parent); ages are shown in years (days / 365.25). Sorted by eldest age,
    then youngest age, then id, the widest-reaching family at the top.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> g = pd.DataFrame({"parent_id": ["P1", "P2"], "youngest_age_days": [365.25, 0],
    ...                   "eldest_age_days": [3652.5, 7305]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_age_spans(g, ax)
    >>> [(round(float(p.get_x()), 2), round(float(p.get_width()), 2)) for p in ax.patches]
    [(1.0, 9.0), (0.0, 20.0)]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['P1', 'P2']
    >>> plt.close("all")
    """
    require(groups, ["parent_id", "youngest_age_days", "eldest_age_days"], "plot_age_spans")
    ax = get_ax(ax)
    table = groups.sort_values(
        ["eldest_age_days", "youngest_age_days", "parent_id"], kind="stable"
    )
    young = table["youngest_age_days"].astype("float64").to_numpy() / DAYS_PER_YEAR
    old = table["eldest_age_days"].astype("float64").to_numpy() / DAYS_PER_YEAR
    y = np.arange(len(table))
    ax.barh(y, old - young, left=young, height=0.6, **{"color": BAR_COLOUR, **style})
    ax.set_yticks(y, table["parent_id"].astype(str).tolist())
    ax.set_xlabel("Age of children at audit (years)")
    ax.set_ylabel("Index parent")
    ax.set_xlim(left=0)
    return ax
