"""Figures: each function takes a tidy table from an analysis function, draws on ``ax`` (or
``plt.gca()``), returns the Axes, never computes a statistic and never saves.

The house style (colours, fonts, the synthetic-data stamp, saving) lives in
:mod:`neglect_analysis.plots.style`; call :func:`apply_style` before drawing and
:func:`save_figure` to write PNG and SVG.
"""
from .cohort import plot_age_spans, plot_group_sizes
from .findings import plot_lead_times, plot_shares
from .inference import plot_age_km, plot_backtest, plot_cif
from .recurrence import plot_counts
from .style import (
    BASE_COLOURS,
    EVENT_COLOURS,
    GROUP_COLOURS,
    LINE_STYLES,
    apply_style,
    group_colours,
    provenance,
    save_figure,
    style_context,
    synthetic_label,
)
from .survival import plot_km

__all__ = [
    "BASE_COLOURS",
    "EVENT_COLOURS",
    "GROUP_COLOURS",
    "LINE_STYLES",
    "apply_style",
    "plot_age_km",
    "plot_backtest",
    "plot_cif",
    "group_colours",
    "provenance",
    "plot_age_spans",
    "plot_counts",
    "plot_group_sizes",
    "plot_km",
    "plot_lead_times",
    "plot_shares",
    "save_figure",
    "style_context",
    "synthetic_label",
]
