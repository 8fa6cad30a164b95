"""Whole-family chronology figure: one lane per child, the family's history on one time axis."""
from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..codes import EVENT_TYPES
from .. import labels
from .style import EVENT_COLOURS, LINE_STYLES, synthetic_label

#: Event types drawn as bars from start to end date; every other event is a mark at its start.
BAR_TYPES: tuple[str, ...] = ("cp_plan", "cla")
#: Rows drawn as vertical lines, with their colour / line-style key in the house style.
LINE_KEYS: dict[str, str] = {"birth": "birth", "partner_start": "partner", "partner_end": "partner"}
#: Marker per point-event type: colour and shape both carry the type (each shape once, so a
#: grey print or a colour-blind reader can still tell the types apart).
MARKERS: dict[str, str] = {
    "contact": "o",
    "early_help": "s",
    "referral": "D",
    "assessment": "^",
    "s47": "v",
    "icpc": "P",
    "pre_proceedings": "X",
    "care_proceedings": "*",
    "paper": "h",
}
#: Marker edge per type where white would not show: pale paper marks on the grey pre-ICS
#: shading get a dark outline.
MARKER_EDGES: dict[str, str] = {"paper": "#333333"}
#: Hatch per bar type, so CP plans and CLA episodes differ by pattern as well as colour.
BAR_HATCHES: dict[str, str] = {"cp_plan": "", "cla": "///"}
#: Marker at the start of a CP plan or CLA episode known from a paper file (its length is
#: unknown, so its bar is only a stub): large, outlined in black, so it is seen.
PAPER_EPISODE_MARKER = ">"
#: Colour of the pre-ICS shading.
PRE_ICS_COLOUR = "#DDDDDD"
# Legend words (lines, shading, paper episodes) are the one label map's:
# labels.CHRONOLOGY_LINE_LABELS, labels.PRE_ICS_LABEL, labels.PAPER_EPISODE_LABEL.


def chronology_figsize(n_children: int, *, width: float = 12.0) -> tuple[float, float]:
    """Figure size (inches) for a chronology of ``n_children`` lanes: 0.6 in per lane + margins.

    Examples
    --------
    >>> chronology_figsize(12)
    (12.0, 9.0)
    >>> chronology_figsize(1)
    (12.0, 3.5)
    """
    return (float(width), max(3.5, 1.8 + 0.6 * int(n_children)))


def plot_family_chronology(
    chron: pd.DataFrame,
    ax: Axes | None = None,
    ics_start: str | pd.Timestamp | None = None,
    *,
    open_until: str | pd.Timestamp | None = None,
    min_bar_days: int = 14,
    legend: bool = True,
) -> Axes:
    """Draw a whole-family chronology (output of
    :func:`neglect_analysis.chronology.family_chronology`) and return the Axes.

    One horizontal lane per child, eldest at the top (y tick labels ``"<child> (<order>)"``);
    CP plans and CLA episodes as bars from start to end (an open episode runs to
    ``open_until``, default the latest date in ``chron``; a paper episode with no end date is a
    ``min_bar_days`` stub, its length being unknown); every other dated event as a mark coloured
    by type; births and the index parent's partner changes as vertical lines (dotted, dashed);
    the period before ``ics_start`` shaded. Undated rows are not drawn. Only layout is
    computed; draws on ``plt.gca()`` when ``ax`` is None. Artists carry gids (``marks-<type>``,
    ``bars-<type>``, ``birth``, ``partner``, ``pre-ics``) for tests.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> chron = pd.DataFrame({
    ...     "date": pd.to_datetime(["2005-03-01", "2008-01-10", "2010-02-01", "2010-05-01"]),
    ...     "end_date": pd.to_datetime([None, "2009-01-10", None, None]),
    ...     "child_id": ["A", "A", "B", "B"], "birth_order": [1, 1, 2, 2],
    ...     "event_type": ["birth", "cp_plan", "birth", "referral"], "source": "ics"})
    >>> ax = plot_family_chronology(chron, ics_start="2009-04-01")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['B (2)', 'A (1)']
    >>> plt.close("all")
    """
    if ax is None:
        ax = plt.gca()
    rows = chron[chron["date"].notna()]
    kids = (
        chron.loc[chron["child_id"].notna(), ["child_id", "birth_order"]]
        .drop_duplicates("child_id")
        .sort_values(["birth_order", "child_id"], na_position="last")
    )
    n = len(kids)
    lane = dict(zip(kids["child_id"], range(n - 1, -1, -1)))  # eldest at the top
    latest = pd.concat([chron["date"], chron["end_date"]]).max()
    until = pd.Timestamp(open_until) if open_until is not None else latest
    types_drawn: list[str] = []

    child_rows = rows[rows["child_id"].notna()]
    y = child_rows["child_id"].map(lane)
    for event_type in EVENT_TYPES:
        sel = child_rows["event_type"] == event_type
        if not sel.any():
            continue
        types_drawn.append(event_type)
        colour = EVENT_COLOURS.get(event_type, "#000000")
        if event_type in BAR_TYPES:
            ep = child_rows[sel]
            fallback = ep["date"].where(ep["source"] == "paper", until)
            fallback = fallback.where(ep["source"] != "paper", ep["date"] + pd.Timedelta(days=min_bar_days))
            stop = ep["end_date"].where(ep["end_date"].notna(), fallback)
            start_num = mdates.date2num(ep["date"])
            width = mdates.date2num(stop) - start_num
            lanes = y[sel].to_numpy()
            for ln in sorted(set(lanes)):
                keep = lanes == ln
                ax.broken_barh(
                    list(zip(start_num[keep], width[keep])),
                    (ln - 0.3, 0.6),
                    facecolors=colour,
                    edgecolors="black",
                    linewidths=0.6,
                    hatch=BAR_HATCHES.get(event_type, ""),
                    alpha=0.8,
                    gid=f"bars-{event_type}",
                    zorder=2,
                )
            paper = (ep["source"] == "paper").to_numpy()
            if paper.any():
                ax.plot(
                    start_num[paper],
                    lanes[paper],
                    linestyle="none",
                    marker=PAPER_EPISODE_MARKER,
                    markersize=11,
                    markerfacecolor=colour,
                    markeredgecolor="black",
                    markeredgewidth=1.2,
                    gid=f"paper-{event_type}",
                    zorder=4,
                )
        else:
            ax.scatter(
                mdates.date2num(child_rows.loc[sel, "date"]),
                y[sel].to_numpy(),
                c=colour,
                marker=MARKERS.get(event_type, "o"),
                s=44,
                edgecolors=MARKER_EDGES.get(event_type, "white"),
                linewidths=0.5,
                gid=f"marks-{event_type}",
                zorder=3,
            )

    for row_type, key in LINE_KEYS.items():
        for d in rows.loc[rows["event_type"] == row_type, "date"]:
            ax.axvline(
                mdates.date2num(d),
                color=EVENT_COLOURS.get(key, "#555555"),
                linestyle=LINE_STYLES.get(key, ":"),
                linewidth=1.0,
                gid=key,
                zorder=1,
            )

    shaded = False
    if ics_start is not None and rows["date"].notna().any():
        start = pd.Timestamp(ics_start)
        first = rows["date"].min()
        if first < start:
            shaded = True
            ax.axvspan(mdates.date2num(first), mdates.date2num(start), color=PRE_ICS_COLOUR, alpha=0.5,
                       gid="pre-ics", zorder=0, lw=0)
            ax.text(mdates.date2num(start), 1.0, " ICS start", transform=ax.get_xaxis_transform(),
                    ha="left", va="bottom", fontsize="small")

    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{c} ({o})" for c, o in zip(kids["child_id"][::-1], kids["birth_order"][::-1])])
    ax.set_ylim(-0.7, max(n, 1) - 0.3)
    ax.set_ylabel("Child (birth order)")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    if legend:
        lines_drawn = [k for k in labels.CHRONOLOGY_LINE_LABELS if (rows["event_type"].map(LINE_KEYS) == k).any()]
        has_paper_episode = bool(
            (child_rows["event_type"].isin(list(BAR_TYPES)) & (child_rows["source"] == "paper")).any()
        )
        handles = legend_handles(types_drawn, lines=lines_drawn, pre_ics=shaded, paper_episode=has_paper_episode)
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                      frameon=False, borderaxespad=0.0)
    return ax


def legend_handles(
    event_types: list[str],
    *,
    lines: list[str] = (),
    pre_ics: bool = False,
    paper_episode: bool = False,
) -> list:
    """Legend entries of a chronology figure: every event type drawn (a bar patch with its
    hatch for CP plans and CLA, else its marker shape in its colour), then the lines (birth
    dotted, partner change dashed), the paper-episode marker and the grey pre-ICS shading,
    each with a label saying what it means.

    Examples
    --------
    >>> [h.get_label() for h in legend_handles(["contact", "cp_plan"], lines=["birth"], pre_ics=True)]
    ['Contact', 'Child protection plan', 'Birth of a child (dotted line)', 'Before the case system: history on paper (grey)']
    """
    handles: list = []
    for t in event_types:
        colour = EVENT_COLOURS.get(t, "#000000")
        label = labels.EVENT_TYPE_LABELS.get(t, t)
        if t in BAR_TYPES:
            handles.append(Patch(facecolor=colour, edgecolor="black", hatch=BAR_HATCHES.get(t, ""),
                                 alpha=0.8, label=label))
        else:
            handles.append(Line2D([], [], linestyle="none", marker=MARKERS.get(t, "o"), markersize=8,
                                  markerfacecolor=colour, markeredgecolor=MARKER_EDGES.get(t, "white"),
                                  label=label))
    for key in lines:
        handles.append(Line2D([], [], color=EVENT_COLOURS.get(key, "#555555"),
                              linestyle=LINE_STYLES.get(key, ":"), linewidth=1.5, label=labels.CHRONOLOGY_LINE_LABELS[key]))
    if paper_episode:
        handles.append(Line2D([], [], linestyle="none", marker=PAPER_EPISODE_MARKER, markersize=10,
                              markerfacecolor="#BBBBBB", markeredgecolor="black", label=labels.PAPER_EPISODE_LABEL))
    if pre_ics:
        handles.append(Patch(facecolor=PRE_ICS_COLOUR, alpha=0.5, label=labels.PRE_ICS_LABEL))
    return handles


def chronology_figure(
    chron: pd.DataFrame,
    *,
    ics_start: str | pd.Timestamp | None = None,
    open_until: str | pd.Timestamp | None = None,
    title: str | None = None,
    stamp: str | None = None,
) -> Figure:
    """A whole-family chronology figure, ready to save: lanes, legend at the right, ``title``
    above and ``stamp`` (e.g. "SYNTHETIC DATA - sample") as the figure's top-right
    super-title, outside the axes so it never covers the data. Size from
    :func:`chronology_figsize`; the caller closes it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> chron = pd.DataFrame({"date": pd.to_datetime(["2005-03-01", "2008-01-10"]), "end_date": pd.NaT,
    ...                       "child_id": ["A", "A"], "birth_order": [1, 1], "event_type": ["birth", "contact"],
    ...                       "source": "ics"})
    >>> fig = chronology_figure(chron, stamp="SYNTHETIC DATA")
    >>> len(fig.axes[0].texts), fig.get_suptitle()
    (0, 'SYNTHETIC DATA')
    >>> plt.close(fig)
    """
    n = int(chron["child_id"].dropna().nunique())
    fig, ax = plt.subplots(figsize=chronology_figsize(n, width=14.0), layout="constrained")
    plot_family_chronology(chron, ax=ax, ics_start=ics_start, open_until=open_until)
    if title:
        ax.set_title(title, loc="left", fontsize="medium", pad=22)  # room for the "ICS start" mark
    if stamp:
        synthetic_label(fig, stamp)
    return fig
