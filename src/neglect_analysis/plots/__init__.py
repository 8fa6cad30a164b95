"""Figures: each function takes a tidy table from an analysis function, draws on ``ax`` (or
``plt.gca()``), returns the Axes, never computes a statistic and never saves.

The house style (colours, fonts, saving) lives in :mod:`neglect_analysis.plots.style`.
"""
from .style import (
    EVENT_COLOURS,
    GROUP_COLOURS,
    LINE_STYLES,
    apply_style,
    group_colours,
    save_figure,
    style_context,
    synthetic_label,
)

__all__ = [
    "EVENT_COLOURS",
    "GROUP_COLOURS",
    "LINE_STYLES",
    "apply_style",
    "group_colours",
    "save_figure",
    "style_context",
    "synthetic_label",
]
