"""Small drawing helpers shared by the plot modules (layout only, no statistics)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes


def get_ax(ax: Axes | None) -> Axes:
    """``ax``, or the current Axes (``plt.gca()``) when None."""
    return plt.gca() if ax is None else ax


def require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise a readable error when a table lacks columns a plot needs."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} needs a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what} needs columns {columns}; missing {missing} (have {list(df.columns)})"
        )


def numeric_and_text(values: pd.Series, fmt: str = "{:,.0f}") -> tuple[pd.Series, list[str]]:
    """Heights to draw and labels to print for values that may be DfE symbols.

    Numbers are drawn as they are; ``c`` (suppressed), ``z``, ``:`` or any other text is drawn
    as a zero-height bar and printed as given, so a suppressed table can be plotted safely.
    """
    num = pd.to_numeric(values, errors="coerce")
    labels = [
        fmt.format(v) if pd.notna(v) else ("" if pd.isna(raw) else str(raw))
        for v, raw in zip(num.astype("float64"), values.astype(object))
    ]
    return num.astype("float64").fillna(0.0), labels


#: The DfE symbol of a suppressed value (as :data:`neglect_analysis.disclosure.SUPPRESSED`).
SUPPRESSED_TEXT = "c"
#: Length of a suppressed bar, as a share of the longest published bar (a stub, not a value).
SUPPRESSED_STUB = 0.05


def mark_suppressed(ax: Axes, bars, labels: list[str], *, horizontal: bool = False) -> int:
    """Draw the bars labelled ``c`` as short hatched stubs (no fill), so they do not read as 0.

    Each such bar gets length :data:`SUPPRESSED_STUB` of the longest bar (1 when none), hatch
    ``//`` in the bar's colour (no fill) and the gid ``"suppressed"``. Returns how many bars were marked.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> bars = ax.bar(["a", "b"], [40.0, 0.0])
    >>> mark_suppressed(ax, bars, ["40", "c"])
    1
    >>> float(bars[1].get_height()), bars[1].get_hatch(), bars[1].get_gid()
    (2.0, '//', 'suppressed')
    >>> plt.close(fig)
    """
    sizes = [b.get_width() if horizontal else b.get_height() for b in bars]
    top = max([s for s, t in zip(sizes, labels) if t != SUPPRESSED_TEXT] + [0.0])
    stub = SUPPRESSED_STUB * top if top > 0 else 1.0
    n = 0
    for bar, text in zip(bars, labels):
        if text == SUPPRESSED_TEXT:
            (bar.set_width if horizontal else bar.set_height)(stub)
            bar.set_edgecolor(bar.get_facecolor())  # keeps the bar's colour, as its hatch
            bar.set_facecolor("none")
            bar.set_hatch("//")
            bar.set_gid("suppressed")
            n += 1
    return n


def integer_ticks(axis) -> None:
    """Ticks on whole numbers only on a count axis (``ax.yaxis`` or ``ax.xaxis``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["a", "b"], [3, 9])
    >>> integer_ticks(ax.yaxis)
    >>> fig.canvas.draw()
    >>> all(float(t).is_integer() for t in ax.get_yticks())
    True
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
