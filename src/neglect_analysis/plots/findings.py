"""Figures of the briefing's findings: shares against national figures, lead times
(DESIGN.md "Earlier identification")."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._layout import get_ax, mark_suppressed, numeric_and_text, require
from .style import BAR_COLOUR, BASE_COLOURS, GROUP_CYCLE, NATIONAL_COLOUR

#: Days per month for lead times (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12


def plot_shares(findings: pd.DataFrame, ax: Axes | None = None, *, by: str | None = None,
                colours: dict[str, str] | None = None, **style) -> Axes:
    """Horizontal bars of each finding's ``share`` (%), national figure as a marker where known.

    One bar per row of the findings table (``point, measure, numerator, denominator, share,
    national_share``), first row at the top. ``share`` may be a DfE symbol (``c``): the bar is
    a hatched stub labelled ``c`` (:func:`~._layout.mark_suppressed`). ``national_share`` (%)
    is drawn as a diamond where present.

    Without ``by``, bars are labelled ``"point: measure"``, all in one colour. With ``by`` (a
    column, e.g. ``"base"``: what each share is a share of), the rows are drawn in one block per
    value of ``by``, blocks in order of first appearance and rows in table order within a block:
    each block is headed by its value (a bold y-tick label, capitalised), its bars are
    one ``BarContainer`` labelled with that value, drawn in ``colours[value]`` (default
    :data:`~.style.BASE_COLOURS`; a value not named there takes the next colour of
    :data:`~.style.GROUP_CYCLE` not used by them), and blocks are parted by a thin rule. Bars are labelled
    with ``measure`` alone when the table holds one point.

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

    Grouped by base: a heading row above each block.

    >>> g = f.assign(point=6, base=["referrals", "CP plans"])
    >>> fig, ax = plt.subplots()
    >>> ax = plot_shares(g, ax, by="base")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Referrals', 're-referral', 'CP plans', 'repeat plan']
    >>> [c.get_label() for c in ax.containers]
    ['referrals', 'CP plans']
    >>> plt.close("all")
    """
    require(findings, ["point", "measure", "share", "national_share"] + ([by] if by else []), "plot_shares")
    ax = get_ax(ax)
    widths, labels = numeric_and_text(findings["share"], fmt="{:.1f}%")
    national = pd.to_numeric(findings["national_share"], errors="coerce").astype("float64")
    if by is None:
        y = np.arange(len(findings), dtype="float64")
        names = (findings["point"].astype(str) + ": " + findings["measure"].astype(str)).tolist()
        bars = ax.barh(y, widths.to_numpy(), height=0.6, label="This cohort",
                       **{"color": BAR_COLOUR, **style})
        mark_suppressed(ax, bars, labels, horizontal=True)
        ax.bar_label(bars, labels=labels, padding=3)
        ax.set_yticks(y, names)
    else:
        y = _grouped_shares(ax, findings, by, widths, labels, colours, style)
    has = national.notna().to_numpy()
    england = []
    if has.any():
        england = ax.plot(national.to_numpy()[has], y[has], linestyle="none", marker="D", markersize=9,
                          color=NATIONAL_COLOUR, label="England")
    if by is None:
        ax.invert_yaxis()
        ax.legend(loc="lower right")
    else:  # the first heading sits above the first bar: keep it inside the axes
        ax.set_ylim(float(y.max(initial=0.0)) + 0.6, -0.6)
        if england:  # the blocks are named by their headings; the legend names England only
            ax.legend(handles=england, loc="lower right")
    ax.set_xlabel("Share (%)")
    ax.set_xlim(0, max(100.0, float(np.nanmax(np.r_[widths.to_numpy(), national.to_numpy(), 0]))))
    return ax


#: Room (in bar rows) between two blocks of :func:`plot_shares` ``by``.
BLOCK_GAP = 0.5


def _grouped_shares(ax: Axes, findings: pd.DataFrame, by: str, widths: pd.Series, labels: list[str],
                    colours: dict[str, str] | None, style: dict) -> np.ndarray:
    """Draw the blocks of :func:`plot_shares` ``by``; return each row's bar position."""
    key = findings[by].astype("string").fillna("").to_numpy(dtype=object)
    blocks = list(dict.fromkeys(key))
    named = {**BASE_COLOURS, **(colours or {})}
    free = [c for c in GROUP_CYCLE if c not in named.values()] or list(GROUP_CYCLE)
    unnamed = [b for b in blocks if b not in named]
    colour = {**{b: free[i % len(free)] for i, b in enumerate(unnamed)}, **{b: named[b] for b in blocks if b in named}}
    one_point = findings["point"].nunique() == 1
    names = findings["measure"].astype(str) if one_point else (
        findings["point"].astype(str) + ": " + findings["measure"].astype(str))
    y = np.zeros(len(findings), dtype="float64")
    ticks: list[float] = []
    tick_names: list[str] = []
    headings: list[int] = []
    drawn: list[tuple] = []
    at = 0.0
    for k, b in enumerate(blocks):
        rows = np.flatnonzero(key == b)
        if k:
            ax.axhline(at - (BLOCK_GAP + 1) / 2, color="#BBBBBB", linewidth=0.8, gid="block-rule")
        headings.append(len(ticks))
        ticks.append(at)
        tick_names.append(b[:1].upper() + b[1:])
        y[rows] = at + 1 + np.arange(len(rows))
        ticks += y[rows].tolist()
        tick_names += names.iloc[rows].tolist()
        bars = ax.barh(y[rows], widths.to_numpy()[rows], height=0.6, label=b,
                       **{"color": colour[b], **style})
        drawn.append((bars, [labels[i] for i in rows]))
        at = float(y[rows][-1]) + 1 + BLOCK_GAP
    # one stub length for every suppressed bar, set by the longest published bar of the chart
    mark_suppressed(ax, [bar for bars, _ in drawn for bar in bars], [t for _, ts in drawn for t in ts],
                    horizontal=True)
    for bars, texts in drawn:
        ax.bar_label(bars, labels=texts, padding=3)
    ax.set_yticks(ticks, tick_names)
    tick_labels = ax.get_yticklabels()
    for i in headings:
        tick_labels[i].set_fontweight("bold")  # black: a pale base colour would not read as text
        tick_labels[i].set_gid("block-heading")
    ax.tick_params(axis="y", length=0)
    return y


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
