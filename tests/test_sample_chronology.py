"""The whole-family chronology of the sample family with the most children (issue 3).

The family is chosen from the raw files (relationships.csv birth links), independently of the
package; the workbook is read back with openpyxl and the figure is checked through its artists.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402

from neglect_analysis import siblings  # noqa: E402
from neglect_analysis.chronology import PRACTITIONER_COLUMNS, family_chronology  # noqa: E402
from neglect_analysis.labels import column_label  # noqa: E402
from neglect_analysis.io import load_extract  # noqa: E402
from neglect_analysis.plots.chronology import chronology_figsize, plot_family_chronology  # noqa: E402
from neglect_analysis.workbook import write_chronology_workbook  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
BAR_TYPES = {"cp_plan", "cla"}
LINE_TYPES = {"birth", "partner_start", "partner_end"}


@pytest.fixture(scope="module")
def family():
    rel = pd.read_csv(SAMPLE / "relationships.csv", dtype=str)
    births = rel[rel["relationship"].isin(["mother_of", "father_of"])]
    sizes = births.groupby("person_id")["related_person_id"].nunique()
    parent = sizes.sort_values(ascending=False, kind="stable").index[0]
    kids = set(births.loc[births["person_id"] == parent, "related_person_id"])
    cohort, _ = load_extract(SAMPLE)
    members = siblings.members(cohort, [parent])
    return cohort, parent, kids, members


def test_the_largest_family_has_every_child_in_its_group(family):
    cohort, parent, kids, members = family
    assert set(members["child_id"]) == kids
    assert len(kids) >= 9


def test_workbook_rows_equal_births_partner_rows_and_events(family, tmp_path):
    cohort, parent, kids, members = family
    path = write_chronology_workbook(cohort, parent, members, tmp_path / "big.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Family", "Chronology", "Timeline"]
    ws = wb["Chronology"]
    header = [c.value for c in ws[1]]
    assert header == [column_label(c) for c in PRACTITIONER_COLUMNS]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    codes = [r["Event code"] for r in rows]
    n_events = int(cohort.events["person_id"].isin(kids).sum())
    # a family event is one row naming its children: the children named add up to the events
    assert sum(r["Number of children"] for r in rows if r["Event code"] not in LINE_TYPES) == n_events
    assert sum(c not in LINE_TYPES for c in codes) < n_events  # the sample has family contacts
    assert codes.count("birth") == len(kids)
    # no raw code without its words
    for r in rows:
        for code, words in (("Category code", "Category"), ("Assessment factor codes", "Assessment factors"),
                            ("Outcome code", "Outcome")):
            assert r[code] is None or r[words], (code, r)


def test_figure_has_one_lane_per_child_and_one_mark_per_point_event(family):
    cohort, parent, kids, members = family
    chron = family_chronology(cohort, parent, members)
    fig, ax = plt.subplots(figsize=chronology_figsize(len(kids)))
    plot_family_chronology(chron, ax=ax, ics_start=cohort.ics_start_date)
    assert len(ax.get_yticklabels()) == len(kids)
    dated = chron[chron["date"].notna() & ~chron["event_type"].isin(LINE_TYPES)]
    marks = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in marks) == int((~dated["event_type"].isin(BAR_TYPES)).sum())
    bars = [c for c in ax.collections if isinstance(c, PolyCollection) and (c.get_gid() or "").startswith("bars-")]
    assert sum(len(c.get_paths()) for c in bars) == int(dated["event_type"].isin(BAR_TYPES).sum())
    plt.close(fig)
