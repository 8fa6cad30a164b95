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

from family_fixture import family_cohort, family_members
from neglect_analysis.chronology import CHRONOLOGY_COLUMNS
from neglect_analysis.plots.style import EVENT_COLOURS
from neglect_analysis.workbook import write_chronology_workbook


@pytest.fixture
def written(tmp_path):
    c = family_cohort()
    path = write_chronology_workbook(c, "M1", family_members(c), tmp_path / "sub" / "M1.xlsx")
    return path


def test_sheets_header_frozen_filter_and_rows(written):
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["Family", "Chronology"]
    ws = wb["Chronology"]
    assert [c.value for c in ws[1]] == list(CHRONOLOGY_COLUMNS)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1 + 19
    assert ws.auto_filter.ref == "A1:Q20"  # 17 columns = Q


def test_dates_are_real_excel_dates(written):
    ws = openpyxl.load_workbook(written)["Chronology"]
    first = ws["A2"]  # A's birth
    assert first.value == dt.datetime(1995, 5, 20)
    assert first.number_format == "dd/mm/yyyy"
    assert ws["B2"].value is None  # no end date: empty cell, not "NaT"


def test_fill_colour_per_event_type(written):
    ws = openpyxl.load_workbook(written)["Chronology"]
    type_col = list(CHRONOLOGY_COLUMNS).index("event_type") + 1
    seen = {}
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=type_col)
        seen.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb[-6:])
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
    header_at = next(i for i, r in enumerate(rows) if r[0] == "child_id")
    header = rows[header_at]
    kids = [dict(zip(header, r)) for r in rows[header_at + 1 : header_at + 4]]
    assert [k["child_id"] for k in kids] == ["A", "C", "B"]  # eldest first
    assert [k["birth_order"] for k in kids] == [1, 2, 3]
    assert [k["other_birth_parents"] for k in kids] == ["F1", None, "F2"]
    # A: referral, icpc, cp_plan, 2 contacts = 5; C: paper + cla = 2; B: referral, cp_plan,
    # 4 contacts = 6
    assert [k["n_events"] for k in kids] == [5, 2, 6]
    assert [k["n_contact"] for k in kids] == [2, 0, 4]
    # A born 1995-05-20: 23 years on 2018-05-20, 2 completed months by 2018-07-31
    assert kids[0]["age_at_audit"] == "23y 2m"


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
