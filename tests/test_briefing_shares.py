"""The briefing's per-point shares: grouped by base (the measure registry's ``base``)."""
from __future__ import annotations

import pandas as pd

from neglect_analysis import plots
from neglect_analysis.briefing import SHARES_COLUMNS, plt, point_shares  # briefing draws with Agg
from neglect_analysis.findings import BASES, MEASURES


# A hand-made findings table (as found) and the same rows as published (counts as text, c).
FOUND = pd.DataFrame({
    "point": [5, 6, 6, 6, 6],
    "measure": ["rereferrals_12m", "repeat_cp_plans", "children_to_look_at_now", "cp_plans_neglect",
                "escalated_with_lead_time"],
    "base": ["referrals", "CP plans", "children", "CP plans", "children"],
})
SHOWN = pd.DataFrame({
    "point": [5, 6, 6, 6, 6],
    "measure": FOUND["measure"],
    "label": ["Re-referrals", "Repeat plans", "Look now", "Neglect plans", "Lead time"],
    "description": "d",
    "numerator": ["30", "20", "7", "c", "9"],
    "denominator": ["120", "80", "100", "c", "49"],
    "share": ["25.0", "25.0", "7.0", "c", "18.4"],
    "national_share": ["22.6", "20.2", "", "48.0", ""],
    "national_year": "2017-18",
})


def test_point_shares_groups_rows_by_base_in_order_of_first_appearance():
    t = point_shares(SHOWN, FOUND, 6)
    assert list(t.columns) == list(SHARES_COLUMNS)
    # Point 6 in table order: plans, children, plans, children -> plans block, then children.
    assert t[["base", "label"]].values.tolist() == [
        ["CP plans", "Repeat plans"], ["CP plans", "Neglect plans"],
        ["children", "Look now"], ["children", "Lead time"]]
    assert t["share"].tolist() == ["25.0", "c", "7.0", "18.4"]  # published text, not recomputed
    assert point_shares(SHOWN, FOUND, 5)["base"].tolist() == ["referrals"]


def test_the_briefing_figure_draws_bars_of_different_bases_in_different_blocks():
    t = point_shares(SHOWN, FOUND, 6)
    drawn = t.assign(point=6, measure=t["label"])
    fig, ax = plt.subplots()
    plots.plot_shares(drawn, ax=ax, by="base")
    blocks = {c.get_label(): [b.get_y() + b.get_height() / 2 for b in c] for c in ax.containers}
    plt.close(fig)
    # heading 0, plans 1 and 2; gap: heading 3.5, children 4.5 and 5.5
    assert blocks == {"CP plans": [1.0, 2.0], "children": [4.5, 5.5]}


def test_every_measure_has_a_known_base_with_a_colour():
    assert {m.base for m in MEASURES} <= set(BASES)
    assert set(BASES) <= set(plots.BASE_COLOURS)
    assert len(set(plots.BASE_COLOURS.values())) == len(plots.BASE_COLOURS)  # one colour per base
