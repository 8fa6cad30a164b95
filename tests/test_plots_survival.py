"""Kaplan-Meier figure, tested through its artists."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from neglect_analysis.plots import GROUP_COLOURS, plot_km  # noqa: E402

KM = pd.DataFrame({
    "group": ["all", "all", "eldest", "younger", "younger"],
    "days": [0, 730.5, 365.25, 365.25, 1461],
    "survival": [1.0, 0.6, 0.5, 0.9, 0.7],
    "ci_lower": [1.0, 0.4, 0.2, 0.8, 0.5],
    "ci_upper": [1.0, 0.8, 0.8, 1.0, 0.85],
    "at_risk": [10, 5, 4, 10, 6],
    "events": [0, 4, 2, 1, 2],
})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_step_line_per_group_with_bands_and_legend():
    fig, ax = plt.subplots()
    assert plot_km(KM, ax=ax) is ax
    assert [ln.get_label() for ln in ax.lines] == ["all", "eldest", "younger"]
    assert len(ax.collections) == 3  # one CI band per group
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["all", "eldest", "younger"]
    assert to_hex(ax.lines[1].get_color()) == GROUP_COLOURS["eldest"].lower()


def test_x_in_years_and_curve_starts_at_one():
    fig, ax = plt.subplots()
    plot_km(KM, groups=["younger"], ax=ax, ci=False)
    (line,) = ax.lines
    # younger: no row at day 0, so (0, 1) is added; 365.25 d = 1 y, 1461 d = 4 y.
    np.testing.assert_allclose(line.get_xdata(), [0.0, 1.0, 4.0])
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.9, 0.7])
    assert line.get_drawstyle() == "steps-post"
    assert len(ax.collections) == 0
    # "all" has a day-0 row: nothing is added.
    fig, ax = plt.subplots()
    plot_km(KM, groups=["all"], ax=ax)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 2.0])


def test_group_selection_and_unknown_group():
    ax = plot_km(KM, groups=["younger", "eldest"])
    assert [ln.get_label() for ln in ax.lines] == ["younger", "eldest"]
    with pytest.raises(ValueError, match="'nobody'"):
        plot_km(KM, groups=["nobody"])
