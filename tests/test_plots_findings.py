"""Findings figures (shares vs national, lead times), tested through their artists."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from neglect_analysis.plots import plot_lead_times, plot_shares  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


FINDINGS = pd.DataFrame({
    "point": [2, 3, 5],
    "measure": ["re-referral within 12 months", "repeat CP plan", "older sibling escalated"],
    "numerator": ["40", "c", "61"],
    "denominator": ["120", "30", "204"],
    "share": ["33.3", "c", "29.9"],
    "national_share": [22.6, 24.5, None],
})


def test_shares_bars_labels_and_national_markers():
    fig, ax = plt.subplots()
    assert plot_shares(FINDINGS, ax=ax) is ax
    assert [p.get_width() for p in ax.patches] == pytest.approx([33.3, 1.665, 29.9])  # c: 0.05 * 33.3
    assert [t.get_text() for t in ax.texts] == ["33.3%", "c", "29.9%"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "2: re-referral within 12 months", "3: repeat CP plan", "5: older sibling escalated"
    ]
    (national,) = ax.lines  # markers only where a national figure exists (rows 0 and 1)
    np.testing.assert_allclose(national.get_xdata(), [22.6, 24.5])
    np.testing.assert_allclose(national.get_ydata(), [0, 1])
    assert national.get_label() == "England"
    assert ax.yaxis_inverted()  # first finding at the top


def test_shares_without_national_figures_draw_no_markers():
    f = FINDINGS.assign(national_share=np.nan)
    ax = plot_shares(f)
    assert len(ax.lines) == 0


def test_lead_time_histogram_in_months_skips_empty():
    # months = days / 30.4375: 30 -> 0.99, 150 -> 4.93, 200 -> 6.57, 400 -> 13.14;
    # 6-month bins from 0: [0,6) 2, [6,12) 1, [12,18) 1; the empty lead time is left out.
    c = pd.DataFrame({"lead_time_days": [30, 150, 200, 400, None]})
    fig, ax = plt.subplots()
    plot_lead_times(c, ax=ax)
    assert [p.get_height() for p in ax.patches] == [2, 1, 1]
    assert [p.get_x() for p in ax.patches] == [0, 6, 12]
    assert "months" in ax.get_xlabel().lower()


def test_lead_times_all_empty_draws_empty_histogram():
    ax = plot_lead_times(pd.DataFrame({"lead_time_days": [None, None]}))
    assert sum(p.get_height() for p in ax.patches) == 0
