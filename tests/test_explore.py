"""The family explorer, driven in Python as a user drives it in JupyterLab.

Hand-made cohort (audit date 2018-07-31): two index mothers.

- M1: children A (2001, CP plan 2010-05-01) and B (2006, referral 2012-02-02; family signal
  day 2012-02-02, no escalation: look now).
- M2: children C (2003, contact 2011-01-01) and D (2008, no events).
"""
from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

from neglect_analysis.cohort import Cohort  # noqa: E402
from neglect_analysis.explore import FamilyExplorer  # noqa: E402
from neglect_analysis.pipeline import AnalysisParams, build_tables  # noqa: E402

FAMILY_IDS = {"M1": {"M1", "A", "B"}, "M2": {"M2", "C", "D"}}


@pytest.fixture(scope="module")
def cohort():
    persons = pd.DataFrame({"person_id": ["M1", "A", "B", "M2", "C", "D"],
                            "dob": ["1980-01-01", "2001-02-01", "2006-03-01", "1982-01-01", "2003-05-05",
                                    "2008-08-08"]})
    links = pd.DataFrame({"parent_id": ["M1", "M1", "M2", "M2"], "child_id": ["A", "B", "C", "D"],
                          "relationship": "mother_of"})
    events = pd.DataFrame({"person_id": ["A", "B", "C"], "event_type": ["cp_plan", "referral", "contact"],
                           "start_date": ["2010-05-01", "2012-02-02", "2011-01-01"]})
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31",
                              synthetic=True)


@pytest.fixture(scope="module")
def tables(cohort):
    return build_tables(cohort, AnalysisParams(index_parents=["M1", "M2"]))


@pytest.fixture()
def explorer(cohort, tables):
    ex = FamilyExplorer(cohort, tables)
    yield ex
    ex.close()


def lanes(ex) -> list[str]:
    return [t.get_text() for t in ex.figure.axes[0].get_yticklabels()]


def shown_text(ex) -> str:
    """Everything the explorer shows as text: tables, flags, look-now, chart labels, title."""
    ax = ex.figure.axes[0]
    return "\n".join([ex.table_view.value, ex.flags_view.value, ex.look_now_view.value, ax.get_title(),
                      *lanes(ex), *(t.get_text() for t in ax.texts)])


def test_selecting_another_family_changes_chart_table_and_flags(explorer):
    ex = explorer
    assert ex.parent_id == "M1" and ex.chooser.value == "M1"
    assert lanes(ex) == ["B (2)", "A (1)"]  # eldest at the top
    assert set(ex.table["child_id"].dropna()) == {"A", "B"}
    assert ex.flags["child_id"].tolist() == ["A", "B"]
    assert ex.look_now["child_id"].tolist() == ["B"]
    assert "family signal day: an older sibling had escalated" in ex.signals["signal"].tolist()
    png_m1 = ex.chart.value

    ex.chooser.value = "M2"  # as a user picking from the box
    assert ex.parent_id == "M2"
    assert lanes(ex) == ["D (2)", "C (1)"]
    assert set(ex.table["child_id"].dropna()) == {"C", "D"}
    assert ex.flags["child_id"].tolist() == ["C", "D"]
    assert ex.look_now.empty and "no child to look at now" in ex.look_now_view.value
    assert ex.chart.value != png_m1
    assert "family M2" in ex.figure.axes[0].get_title()
    assert any(t.get_text() == "SYNTHETIC DATA" for t in ex.figure.axes[0].texts)
    assert [v for _, v in ex.child_filter.options] == ["C", "D"]

    ex.chooser.value = "M"  # a half-typed search text selects nothing
    assert ex.parent_id == "M2"
    with pytest.raises(ValueError, match="not an index parent"):
        ex.select("A")


def test_table_filters_by_child_and_event_type(explorer):
    ex = explorer
    # M1's chronology: births of A (2001-02-01) and B (2006-03-01), A's CP plan, B's referral
    assert ex.table[["child_id", "event_type"]].values.tolist() == [
        ["A", "birth"], ["B", "birth"], ["A", "cp_plan"], ["B", "referral"]]
    ex.child_filter.value = ("B",)
    assert ex.table["event_type"].tolist() == ["birth", "referral"]
    ex.type_filter.value = ("referral",)
    assert ex.table["event_type"].tolist() == ["referral"]
    assert "2012-02-02" in ex.table_view.value
    ex.filter(event_types=["birth"])
    assert ex.table["child_id"].tolist() == ["A", "B"]
    ex.select("M2")  # a new family clears the filters
    assert ex.child_filter.value == () and len(ex.table) == 3


def test_shows_nothing_of_other_families(explorer):
    ex = explorer
    for pid, ids in FAMILY_IDS.items():
        ex.select(pid)
        others = set().union(*(v for k, v in FAMILY_IDS.items() if k != pid))
        words = set(re.findall(r"\b[A-Z][0-9]?\b", shown_text(ex)))
        assert words & others == set(), pid
        assert ids - {pid} <= words


def test_pseudonymised_explorer_shows_no_raw_id(cohort):
    ex = FamilyExplorer(cohort, params=AnalysisParams(index_parents=["M1", "M2"]), key=b"a-long-secret-key-123")
    try:
        assert not set(ex.parents) & {"M1", "M2"}
        words = set(re.findall(r"\b\w+\b", shown_text(ex)))
        assert not words & {"M1", "M2", "A", "B", "C", "D"}
        assert len(ex.flags) == 2
    finally:
        ex.close()
    with pytest.raises(ValueError, match="either tables or key"):
        FamilyExplorer(cohort, build_tables(cohort), key=b"a-long-secret-key-123")


def test_button_writes_workbook_and_form(explorer, tmp_path):
    ex = explorer
    ex.select("M2")
    ex.folder.value = str(tmp_path)
    ex.write_button.click()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["audit_form_M2.xlsx", "chronology_M2.xlsx"]
    assert "Wrote" in ex.status.value
    wb = openpyxl.load_workbook(tmp_path / "audit_form_M2.xlsx")
    assert [wb["Audit"].cell(row=r, column=1).value for r in (9, 16)] == ["C", "D"]
    # pressing again replaces its own files; a user's file of that name is left alone
    ex.write_files(tmp_path)
    (tmp_path / "chronology_M2.xlsx").write_text("mine")
    ex.write_button.click()  # the button says why in the status line, and writes nothing
    assert "not replaced" in ex.status.value
    with pytest.raises(FileExistsError):
        ex.write_files(tmp_path)
    assert (tmp_path / "chronology_M2.xlsx").read_text() == "mine"
