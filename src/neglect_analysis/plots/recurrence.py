"""Bar charts of counts (contacts, referrals, S47 enquiries, CP plans...; DESIGN.md
"Re-referral", "Repeat CP plan", "S47 not progressing to ICPC")."""
from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from ._layout import get_ax, integer_ticks, mark_suppressed, numeric_and_text, require
from ..labels import EVENT_TYPE_LABELS, column_label, event_type_words
from .style import BAR_COLOUR, EVENT_COLOURS


def plot_counts(table: pd.DataFrame, x: str, y: str, ax: Axes | None = None, **style) -> Axes:
    """Vertical bars of ``table[y]`` against ``table[x]``, in table order, with value labels.

    Heights are the values as given (nothing is counted here). Values may be DfE symbols
    (``c``, ``z``, ``:``): such a bar is labelled with the symbol (a ``c`` bar is a short hatched
    stub, :func:`~._layout.mark_suppressed`), so a suppressed
    briefing table can be drawn. When the ``x`` labels are event types the bars take
    :data:`~neglect_analysis.plots.style.EVENT_COLOURS` and the ticks their words
    (:data:`neglect_analysis.labels.EVENT_TYPE_LABELS`). Axis titles are the columns' plain
    headers (:func:`neglect_analysis.labels.column_label`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"event_type": ["contact", "referral", "s47"], "n": [120, 45, "c"]})
    >>> fig, ax = plt.subplots()
    >>> ax = plot_counts(t, "event_type", "n", ax)
    >>> [float(p.get_height()) for p in ax.patches], [t.get_text() for t in ax.texts]
    ([120.0, 45.0, 6.0], ['120', '45', 'c'])
    >>> ax.patches[2].get_hatch()  # the suppressed bar: a hatched stub, 5% of 120
    '//'
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_xlabel()
    (['Contact', 'Referral (child in need)', 'Section 47 enquiry'], 'Event')
    >>> plt.close("all")
    """
    require(table, [x, y], "plot_counts")
    ax = get_ax(ax)
    heights, labels = numeric_and_text(table[y])
    xs = table[x].astype(str).tolist()
    events = bool(xs) and all(v in EVENT_TYPE_LABELS for v in xs)
    if "color" not in style and all(v in EVENT_COLOURS for v in xs):
        style = {**style, "color": [EVENT_COLOURS[v] for v in xs]}
    bars = ax.bar(range(len(xs)), heights.to_numpy(), **{"color": BAR_COLOUR, **style})
    ax.set_xticks(range(len(xs)), event_type_words(pd.Series(xs)).tolist() if events else xs)
    mark_suppressed(ax, bars, labels)
    ax.bar_label(bars, labels=labels, padding=2)
    integer_ticks(ax.yaxis)
    ax.set_xlabel(column_label(x))  # the one label map's words
    ax.set_ylabel(column_label(y))
    ax.margins(y=0.1)
    return ax
