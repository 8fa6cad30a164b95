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


# A hand-made point: two bases interleaved in table order (plans, children, plans, groups).
BY_BASE = pd.DataFrame({
    "point": 6,
    "measure": ["repeat plans", "look now", "plans for neglect", "partner changes"],
    "base": ["CP plans", "children", "CP plans", "sibling groups"],
    "numerator": ["20", "7", "c", "9"],
    "denominator": ["80", "100", "c", "30"],
    "share": ["25.0", "7.0", "c", "30.0"],
    "national_share": [20.2, None, 48.0, None],
})


def test_shares_by_base_draw_one_block_per_base_in_its_colour():
    from neglect_analysis.plots import BASE_COLOURS
    from matplotlib.colors import to_hex

    fig, ax = plt.subplots()
    plot_shares(BY_BASE, ax=ax, by="base")
    # Blocks in order of first appearance: CP plans (rows 0 and 2), children (1), groups (3).
    assert [c.get_label() for c in ax.containers] == ["CP plans", "children", "sibling groups"]
    ys = [[b.get_y() + b.get_height() / 2 for b in c] for c in ax.containers]
    # Layout by hand: heading at 0, plans at 1 and 2; gap 0.5 -> heading 3.5, child at 4.5;
    # heading 6, group at 7.
    assert ys == [[1.0, 2.0], [4.5], [7.0]]
    assert max(ys[0]) < min(ys[1]) and max(ys[1]) < min(ys[2])  # bases never interleave
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["CP plans", "repeat plans", "plans for neglect", "Children", "look now",
                     "Sibling groups", "partner changes"]  # one point: no "6: " prefix
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["CP plans", "Children", "Sibling groups"]
    # One colour per base, the house style's (the same on every point's chart).
    for c in ax.containers:
        published = [b for b in c if b.get_gid() != "suppressed"]
        assert {to_hex(b.get_facecolor()) for b in published} == {BASE_COLOURS[c.get_label()].lower()}
    # The suppressed plan is a hatched stub (0.05 of the longest bar, 30.0) labelled c.
    (stub,) = [b for c in ax.containers for b in c if b.get_gid() == "suppressed"]
    assert stub.get_width() == pytest.approx(1.5) and stub.get_hatch() == "//"
    assert [t.get_text() for t in ax.texts] == ["25.0%", "c", "7.0%", "30.0%"]
    # England's diamonds sit on their own bars (rows 0 and 2 -> y 1 and 2); legend: England only.
    (national,) = [ln for ln in ax.lines if ln.get_label() == "England"]
    np.testing.assert_allclose(national.get_ydata(), [1.0, 2.0])
    # Blocks parted by a rule half-way across each gap: 2 + 0.75 = 2.75, 4.5 + 0.75 = 5.25.
    rules = [ln.get_ydata()[0] for ln in ax.lines if ln.get_gid() == "block-rule"]
    assert rules == [2.75, 5.25]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["England"]
    assert ax.get_ylim() == (7.6, -0.6)  # first heading inside the axes, first block on top


def test_shares_by_base_name_unknown_bases_with_free_colours_and_points():
    from matplotlib.colors import to_hex
    from neglect_analysis.plots import BASE_COLOURS

    f = BY_BASE.assign(base=["families", "children", "families", "children"], point=[5, 6, 5, 6])
    fig, ax = plt.subplots()
    plot_shares(f, ax=ax, by="base")
    colours = {c.get_label(): to_hex(c[0].get_facecolor()) for c in ax.containers}
    assert colours["children"] == BASE_COLOURS["children"].lower()
    assert colours["families"] not in {v.lower() for v in BASE_COLOURS.values()}
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "5: repeat plans"  # two points: prefixed


def test_shares_by_a_missing_column_is_a_readable_error():
    with pytest.raises(ValueError, match="missing \\['base'\\]"):
        plot_shares(FINDINGS, by="base")
