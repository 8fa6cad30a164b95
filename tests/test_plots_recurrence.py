"""Count bar charts, tested through their artists."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from neglect_analysis.plots import EVENT_COLOURS, plot_counts  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_bar_heights_are_the_values_in_table_order_with_labels():
    t = pd.DataFrame({"measure": ["re-referrals", "repeat plans", "S47 no ICPC"], "n": [57, 12, 0]})
    fig, ax = plt.subplots()
    assert plot_counts(t, "measure", "n", ax=ax) is ax
    assert [p.get_height() for p in ax.patches] == [57, 12, 0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["re-referrals", "repeat plans", "S47 no ICPC"]
    assert [t.get_text() for t in ax.texts] == ["57", "12", "0"]
    assert ax.get_ylabel() == "N"


def test_event_types_take_house_colours_and_symbols_are_drawn_empty():
    t = pd.DataFrame({"event_type": ["contact", "cp_plan"], "count": ["1204", "c"]})
    ax = plot_counts(t, "event_type", "count")
    assert [p.get_height() for p in ax.patches] == pytest.approx([1204, 60.2])  # c: 0.05 * 1204
    assert [t.get_text() for t in ax.texts] == ["1,204", "c"]
    # The suppressed bar is hatched in its colour, unfilled.
    assert [to_hex(ax.patches[0].get_facecolor()), to_hex(ax.patches[1].get_edgecolor())] == [
        EVENT_COLOURS["contact"].lower(), EVENT_COLOURS["cp_plan"].lower()
    ]


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="'n'"):
        plot_counts(pd.DataFrame({"x": [1]}), "x", "n")
