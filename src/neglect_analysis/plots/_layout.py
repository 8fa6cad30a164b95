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
