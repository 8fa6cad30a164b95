"""Sibling-group figures, tested through their artists."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from neglect_analysis.plots import plot_age_spans, plot_group_sizes  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_group_sizes_bar_heights_equal_counts_sorted_by_size():
    counts = pd.DataFrame({"n_children": [9, 5, 6], "n_groups": [2, 20, 12]})
    before = counts.copy()
    fig, ax = plt.subplots()
    out = plot_group_sizes(counts, ax=ax)
    assert out is ax
    assert [p.get_height() for p in ax.patches] == [20, 12, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "6", "9"]
    assert [t.get_text() for t in ax.texts] == ["20", "12", "2"]
    assert ax.get_xlabel() and ax.get_ylabel()
    pd.testing.assert_frame_equal(counts, before)


def test_group_sizes_suppressed_count_drawn_empty_and_labelled_c():
    counts = pd.DataFrame({"n_children": [5, 6], "n_groups": ["30", "c"]})
    ax = plot_group_sizes(counts)  # on plt.gca()
    assert ax is plt.gca()
    # the c bar is a hatched stub 5% of the longest bar: 0.05 * 30 = 1.5
    assert [p.get_height() for p in ax.patches] == pytest.approx([30, 1.5])
    assert ax.patches[1].get_hatch() == "//" and ax.patches[0].get_hatch() is None
    assert [t.get_text() for t in ax.texts] == ["30", "c"]


def test_age_spans_one_range_bar_per_parent_in_years():
    # P2 spans 1 to 20 years (365.25 .. 7305 days), P1 2 to 10 years; sorted by eldest age:
    # P1 (10 y) first at the bottom, then P2.
    g = pd.DataFrame({
        "parent_id": ["P2", "P1"],
        "youngest_age_days": [365.25, 730.5],
        "eldest_age_days": [7305.0, 3652.5],
    })
    fig, ax = plt.subplots()
    plot_age_spans(g, ax=ax)
    bars = [(round(p.get_x(), 6), round(p.get_width(), 6)) for p in ax.patches]
    assert bars == [(2.0, 8.0), (1.0, 19.0)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2"]
    assert "years" in ax.get_xlabel()


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="eldest_age_days"):
        plot_age_spans(pd.DataFrame({"parent_id": ["P1"], "youngest_age_days": [1]}))


def test_group_size_bands_keep_the_analysis_order():
    import matplotlib.pyplot as plt

    from neglect_analysis.plots import plot_group_sizes

    fig, ax = plt.subplots()
    counts = pd.DataFrame({"n_children": ["5", "6", "10+"], "n_groups": [14, "c", 9]})
    plot_group_sizes(counts, ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "6", "10+"]
    assert [float(p.get_height()) for p in ax.patches] == pytest.approx([14.0, 0.7, 9.0])  # 0.05 * 14
    plt.close(fig)
