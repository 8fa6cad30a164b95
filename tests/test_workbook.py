"""The chronology workbook, read back with openpyxl (family of family_fixture.py).

By hand: 13 events + 3 births + 3 partner rows (F2 start, F2 end, P3 start) = 19 data rows,
plus the header = 20 rows on the Chronology sheet.
"""
from __future__ import annotations

import datetime as dt
import time
import zipfile

import openpyxl
import pytest

import pandas as pd

from family_fixture import family_cohort, family_members
from neglect_analysis.chronology import PRACTITIONER_COLUMNS
from neglect_analysis.cohort import Cohort
from neglect_analysis.labels import column_label
from neglect_analysis.plots.style import EVENT_COLOURS
from neglect_analysis.siblings import members
from neglect_analysis.workbook import write_chronology_workbook


@pytest.fixture
def written(tmp_path):
    c = family_cohort()
    path = write_chronology_workbook(c, "M1", family_members(c), tmp_path / "sub" / "M1.xlsx")
    return path


def _rows(ws, header_row=1):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_sheets_header_frozen_filter_and_rows(written):
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["Family", "Chronology", "Timeline"]
    ws = wb["Chronology"]
    header = [c.value for c in ws[1]]
    assert header == [column_label(c) for c in PRACTITIONER_COLUMNS]
    assert header[:6] == ["Date", "End date", "Event", "Children", "Number of children", "Age"]
    assert not any("_" in h for h in header)  # plain words, no internal names
    assert ws.freeze_panes == "D2"
    # no family event in this fixture (no two children share an event): 19 rows as before
    assert ws.max_row == 1 + 19
    assert ws.auto_filter.ref == "A1:T20"  # 20 columns = T


def test_every_sheet_frozen_and_set_up_for_printing(written):
    wb = openpyxl.load_workbook(written)
    titles = {"Family": "$8:$8", "Chronology": "$1:$1", "Timeline": "$1:$1"}
    for ws in wb:
        assert ws.freeze_panes is not None, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == titles[ws.title], ws.title
    # Family: label, title, 3 facts, blank, "Children" = rows 1-7; the header is row 8
    assert wb["Family"]["A8"].value == "Child"
    assert wb["Family"].freeze_panes == "B9"


def test_family_column_a_is_not_as_wide_as_a_title(written):
    ws = openpyxl.load_workbook(written)["Family"]
    # column A holds child ids ("A", "B", "C") and labels such as "Source" / "Audit date";
    # the long title in A2 ("Whole-family chronology: index parent M1", 40 characters) runs
    # across the row and does not set the width: the longest table value in A is the header
    # "Partner" of the partner table, 7 characters + 2 = 9
    assert ws.column_dimensions["A"].width == 9


def test_codes_have_words_yes_no_and_pre_birth(written):
    rows = _rows(openpyxl.load_workbook(written)["Chronology"])
    pairs = [("Category code", "Category"), ("Assessment factor codes", "Assessment factors"),
             ("Outcome code", "Outcome")]
    for r in rows:
        for code, words in pairs:
            if r[code] is not None:
                assert r[words] not in (None, ""), (r, code)
    by_id = {r["Event id"]: r for r in rows if r["Event id"]}
    # E6: contact from source 3B with outcome ADVICE_FLAG (fixture, by the DfE / SSD lists)
    assert (by_id["E6"]["Category code"], by_id["E6"]["Category"]) == ("3B", "Health visitor")
    assert (by_id["E6"]["Outcome code"], by_id["E6"]["Outcome"]) == ("ADVICE_FLAG", "Advice and information")
    assert (by_id["E1"]["Category code"], by_id["E1"]["Category"]) == ("N1", "Abuse or neglect")
    assert by_id["E2"]["Outcome"] == "Child protection plan made"
    assert by_id["E3"]["Event"] == "Child protection plan"
    assert by_id["P1"]["Outcome"] == "file note" and by_id["P1"]["Outcome code"] is None  # text, no code
    # Yes/No: A's ICPC is a transfer-in (other LA); B's referral is after the ICS start
    assert by_id["E2"]["Another local authority"] == "Yes"
    assert by_id["E4"]["Another local authority"] == "No"
    assert by_id["P1"]["Before the case system"] == "Yes" and by_id["E4"]["Before the case system"] == "No"
    # B born 2010-06-15: the contact of 2010-01-15 and referral of 2010-03-10 are before birth
    assert by_id["E11"]["Age"] == "pre-birth" and by_id["E4"]["Age"] == "pre-birth"
    assert by_id["E5"]["Age"] == "0y 2m"  # 2010-09-01: 2 completed months
    assert {r["Recorded in"] for r in rows} == {"Case system", "Paper file"}
    assert not any(isinstance(v, bool) for r in rows for v in r.values())


def test_timeline_sheet_embeds_the_figure(written):
    with zipfile.ZipFile(written) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
        assert len(media) == 1
        assert z.read(media[0])[:8] == b"\x89PNG\r\n\x1a\n"
        drawings = [n for n in z.namelist() if n.startswith("xl/drawings/drawing")]
        assert len(drawings) == 1


def test_no_formula_element_in_any_sheet(tmp_path):
    # text that Excel would read as formulas, in a code column and in a text column
    persons = pd.DataFrame({"person_id": ["M", "A"], "dob": ["1980-01-01", "2005-03-01"]})
    links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    events = pd.DataFrame({"person_id": ["A", "A"], "event_type": ["contact", "early_help"],
                           "start_date": ["2012-01-10", "2012-02-10"], "category": ["=1+1", None],
                           "outcome": [None, "=HYPERLINK(\"http://x\")"]})
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    p = write_chronology_workbook(c, "M", members(c, ["M"]), tmp_path / "f.xlsx", timeline=False)
    with zipfile.ZipFile(p) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    rows = _rows(openpyxl.load_workbook(p)["Chronology"])
    assert [r["Category code"] for r in rows if r["Event code"] == "contact"] == ["=1+1"]
    assert [r["Outcome"] for r in rows if r["Event code"] == "early_help"] == ['=HYPERLINK("http://x")']


def _shared_contact_cohort():
    """M's children A (2005-03-01), C (2008-01-01) and B (2012-06-15).

    - contacts of A and B on 2012-03-01, source 3B, outcome NFA_FLAG: one family event;
    - a contact of A alone the same day from the police (source 6): its own row;
    - C on a CP plan from 2011-01-01, open: the other child open to a service on that day.
    """
    persons = pd.DataFrame({"person_id": ["M", "A", "C", "B"],
                            "dob": ["1980-01-01", "2005-03-01", "2008-01-01", "2012-06-15"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "C", "B"], "relationship": "mother_of"})
    events = pd.DataFrame({
        "event_id": ["E1", "E2", "E3", "E4"],
        "person_id": ["A", "B", "A", "C"],
        "event_type": ["contact", "contact", "contact", "cp_plan"],
        "start_date": ["2012-03-01", "2012-03-01", "2012-03-01", "2011-01-01"],
        "category": ["3B", "3B", "6", "NEG"],
        "outcome": ["NFA_FLAG", "NFA_FLAG", "NFA_FLAG", "NEG"],
    })
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31",
                              ics_start_date="2009-04-01")


def test_family_event_on_one_row(tmp_path):
    c = _shared_contact_cohort()
    p = write_chronology_workbook(c, "M", members(c, ["M"]), tmp_path / "M.xlsx", timeline=False)
    rows = _rows(openpyxl.load_workbook(p)["Chronology"])
    # 3 births + C's plan + the family contact (A and B) + A's police contact = 6 rows, not 7
    assert len(rows) == 6
    contacts = [r for r in rows if r["Event code"] == "contact"]
    assert [(r["Children"], r["Number of children"]) for r in contacts] == [("A; B", 2), ("A", 1)]
    # A on 2012-03-01: 7y 0m (born 2005-03-01); B not born until 2012-06-15: pre-birth
    assert contacts[0]["Age"] == "A: 7y 0m; B: pre-birth"
    assert contacts[1]["Age"] == "7y 0m"
    assert contacts[0]["Event id"] == "E1; E2"
    # the other children open to a service that day: C on a CP plan (A and B are in the row)
    assert contacts[0]["Other children open to services on this date"] == "C: CP plan"
    assert contacts[1]["Other children open to services on this date"] == "C: CP plan"


def test_dates_are_real_excel_dates(written):
    ws = openpyxl.load_workbook(written)["Chronology"]
    first = ws["A2"]  # A's birth
    assert first.value == dt.datetime(1995, 5, 20)
    assert first.number_format == "dd/mm/yyyy"
    assert ws["B2"].value is None  # no end date: empty cell, not "NaT"


def test_fill_colour_per_event_type(written):
    ws = openpyxl.load_workbook(written)["Chronology"]
    header = [c.value for c in ws[1]]
    type_col, code_col = header.index("Event") + 1, header.index("Event code") + 1
    seen = {}
    for r in range(2, ws.max_row + 1):
        code = ws.cell(row=r, column=code_col).value
        seen.setdefault(code, set()).add(ws.cell(row=r, column=type_col).fill.fgColor.rgb[-6:])
    # one colour per type, the plot colour; births and partner rows use the line colours
    assert seen["cp_plan"] == {EVENT_COLOURS["cp_plan"].lstrip("#").upper()}
    assert seen["contact"] == {EVENT_COLOURS["contact"].lstrip("#").upper()}
    assert seen["birth"] == {EVENT_COLOURS["birth"].lstrip("#").upper()}
    assert seen["partner_start"] == seen["partner_end"] == {EVENT_COLOURS["partner"].lstrip("#").upper()}
    assert all(len(v) == 1 for v in seen.values())


def test_family_sheet(written):
    ws = openpyxl.load_workbook(written)["Family"]
    assert ws["A1"].value == "SYNTHETIC DATA - sample"  # synthetic label at the top
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Child")
    header = rows[header_at]
    assert header[:4] == ("Child", "Birth order", "Date of birth", "Age at audit date")
    kids = [dict(zip(header, r)) for r in rows[header_at + 1 : header_at + 4]]
    assert [k["Child"] for k in kids] == ["A", "C", "B"]  # eldest first
    assert [k["Birth order"] for k in kids] == [1, 2, 3]
    assert [k["Other birth parents"] for k in kids] == ["F1", None, "F2"]
    # A: referral, icpc, cp_plan, 2 contacts = 5; C: paper + cla = 2; B: referral, cp_plan,
    # 4 contacts = 6
    assert [k["Events in all"] for k in kids] == [5, 2, 6]
    assert [k["Contact (number)"] for k in kids] == [2, 0, 4]
    # A born 1995-05-20: 23 years on 2018-05-20, 2 completed months by 2018-07-31
    assert kids[0]["Age at audit date"] == "23y 2m"
    # born before the ICS start 2009-04-01: A (1995) and C (2000), not B (2010);
    # other LA: A's ICPC transfer-in and CP plan
    assert [k["Childhood began before the case system"] for k in kids] == ["Yes", "Yes", "No"]
    assert [k["Another local authority"] for k in kids] == ["Yes", "No", "No"]
    partners_at = next(i for i, r in enumerate(rows) if r[0] == "Partner")
    assert rows[partners_at][:4] == ("Partner", "Start date", "End date", "Known as")
    assert rows[partners_at + 2][3] == "Recorded as a partner"  # F2: a partner_of row


def test_not_synthetic_has_no_label(tmp_path):
    c = family_cohort(synthetic=False)
    p = write_chronology_workbook(c, "M1", family_members(c), tmp_path / "real.xlsx")
    assert openpyxl.load_workbook(p)["Family"]["A1"].value.startswith("Whole-family chronology")


def test_byte_identical_and_fixed_timestamps(tmp_path):
    c = family_cohort()
    m = family_members(c)
    a = write_chronology_workbook(c, "M1", m, tmp_path / "a.xlsx")
    time.sleep(2.1)  # zip times have 2-second resolution: a later write must not differ
    b = write_chronology_workbook(c, "M1", m, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = openpyxl.load_workbook(a)
    assert wb.properties.created == wb.properties.modified == dt.datetime(2018, 7, 31)
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2018, 7, 31, 0, 0, 0)}


def test_practitioner_view_of_rows_without_children():
    from neglect_analysis.chronology import family_chronology, practitioner_chronology

    c = family_cohort()
    chron = family_chronology(c, "M1", family_members(c))
    # the 3 partner rows of M1 (F2 start, F2 end, P3 start) name no child
    partners = practitioner_chronology(chron[chron["event_type"].isin(["partner_start", "partner_end"])])
    assert partners["n_children"].tolist() == [0, 0, 0]
    assert partners["children"].isna().all() and partners["ages"].isna().all()
    assert practitioner_chronology(chron.iloc[0:0]).empty
