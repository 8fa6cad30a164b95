"""Case-file audit forms: written, filled in with openpyxl as an auditor would, read back.

A tiny hand-made cohort of two index parents keeps these fast:

- mother ``=M1`` (an id that would be a formula), children ``=A1`` (2001), ``A2`` (2005),
  ``A3`` (2010): 3 children x 7 questions = 21 question rows;
- mother ``M2``, children ``B1`` (2003), ``B2`` (2008): 14 question rows.
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from neglect_analysis.auditforms import (
    ANSWERS,
    AUDIT_QUESTIONS,
    audit_children,
    chronology_highlights,
    family_signals,
    extract_checksum,
    form_file_name,
    form_state,
    write_audit_forms,
)
from neglect_analysis.auditimport import CASE_REVIEW_COLUMNS, import_forms
from neglect_analysis.cli import main
from neglect_analysis.cohort import Cohort
from neglect_analysis.pipeline import AnalysisParams, build_tables

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def tiny_cohort(extra_event: bool = False) -> Cohort:
    persons = pd.DataFrame({
        "person_id": ["=M1", "=A1", "A2", "A3", "M2", "B1", "B2"],
        "dob": ["1980-01-01", "2001-02-01", "2005-03-01", "2010-06-15", "1982-01-01", "2003-05-05", "2008-08-08"],
    })
    links = pd.DataFrame({"parent_id": ["=M1"] * 3 + ["M2"] * 2,
                          "child_id": ["=A1", "A2", "A3", "B1", "B2"], "relationship": "mother_of"})
    events = pd.DataFrame({
        "person_id": ["=A1", "=A1", "A2", "B1"] + (["B2"] if extra_event else []),
        "event_type": ["referral", "cp_plan", "s47", "contact"] + (["contact"] if extra_event else []),
        "start_date": ["2008-01-10", "2010-05-01", "2012-02-02", "2011-01-01"] + (["2012-01-01"] if extra_event else []),
    })
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31", synthetic=True)


def tiny_tables(cohort):
    return build_tables(cohort, AnalysisParams(index_parents=["=M1", "M2"]))


@pytest.fixture(scope="module")
def tiny():
    c = tiny_cohort()
    return c, tiny_tables(c)


def answer_cells(ws) -> list[str]:
    """Every cell covered by a drop-down (list) validation of the sheet."""
    cells = []
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord]:
                    cells += [c.coordinate for c in row]
    return cells


def fill(path: Path, reviewer: str, date, answers: dict[str, str] | None = None, *, seed: int = 0) -> dict:
    """Fill a form: reviewer, date and every drop-down cell (random answers unless given).

    Returns {(child_id, item_id): answer} as set.
    """
    wb = openpyxl.load_workbook(path)
    ws = wb["Audit"]
    ws["B4"] = reviewer
    ws["B5"] = date
    rng = random.Random(seed)
    out = {}
    for ref in answer_cells(ws):
        row = ws[ref].row
        child, item = ws.cell(row=row, column=1).value, ws.cell(row=row, column=4).value
        value = (answers or {}).get((child, item), rng.choice(ANSWERS))
        ws[ref] = value
        ws[f"G{row}"] = f"note {child} {item}"
        out[(child, item)] = value
    wb.save(path)
    return out


def test_form_content_and_no_formula(tiny, tmp_path):
    cohort, tables = tiny
    paths = write_audit_forms(cohort, tables, tmp_path)
    assert [p.name for p in paths] == [form_file_name("=M1"), "audit_form_M2.xlsx"]
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames == ["Family", "Audit", "Checksum"]
    assert wb["Checksum"].sheet_state == "veryHidden"
    assert all(wb[s].protection.sheet for s in wb.sheetnames)
    audit = wb["Audit"]
    # 3 children x 7 questions, eldest first, from row 9; drop-downs exactly over the answers
    assert audit.max_row == 8 + 21
    assert [audit.cell(row=r, column=1).value for r in (9, 16, 23)] == ["=A1", "A2", "A3"]
    assert [audit.cell(row=r, column=4).value for r in range(9, 16)] == AUDIT_QUESTIONS["item_id"].tolist()
    assert answer_cells(audit) == [f"F{r}" for r in range(9, 30)]
    dv = next(d for d in audit.data_validations.dataValidation if d.type == "list")
    assert dv.formula1 == '"Yes,No,Partly,Not applicable"'
    # the cells to fill in are unlocked, the pre-filled ones locked
    assert not audit["F9"].protection.locked and not audit["G9"].protection.locked
    assert not audit["B4"].protection.locked and not audit["B5"].protection.locked
    assert audit["A9"].protection.locked and audit["E9"].protection.locked
    # ids starting with "=" stay text: no formula element anywhere in the workbook's sheets
    with zipfile.ZipFile(paths[0]) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    assert wb["Family"]["B3"].value == "=M1" and wb["Family"]["B3"].data_type == "s"


def test_family_summary_tables_by_hand(tiny):
    cohort, tables = tiny
    kids = audit_children(cohort, "=M1", tables)
    # ages at 2018-07-31: 2001-02-01 -> 17y 5m; 2005-03-01 -> 13y 4m; 2010-06-15 -> 8y 1m
    assert kids[["child_id", "birth_order", "age_at_audit"]].values.tolist() == [
        ["=A1", 1, "17y 5m"], ["A2", 2, "13y 4m"], ["A3", 3, "8y 1m"]]
    # =A1 escalated 2010-05-01 (CP plan); A2 and A3 have that as family signal day (later of it
    # and their first involvement; A3 has none, so no day); A2 not escalated: look now.
    assert kids["escalation_type"].tolist()[0] == "cp_plan"
    assert kids["look_now"].tolist() == [0, 1, 0]
    hl = chronology_highlights(cohort, "=M1", tables.members)
    # born before ICS (2009-04-01): =A1 and A2; first involvement: =A1 referral 2008-01-10 and
    # A2's S47 2012-02-02 (also an S47 highlight); =A1's CP plan.
    assert hl[["child_id", "event_type", "highlight"]].values.tolist() == [
        ["=A1", "birth", "pre-ICS childhood: born before the electronic record"],
        ["A2", "birth", "pre-ICS childhood: born before the electronic record"],
        ["=A1", "referral", "first involvement"],
        ["=A1", "cp_plan", "Child protection plan"],
        ["A2", "s47", "first involvement; Section 47 enquiry"],
    ]


def test_highlights_and_signals_speak_the_one_label_map(tiny, monkeypatch):
    # Change-proof: the words come from labels.EVENT_TYPE_LABELS when the form is made.
    from neglect_analysis import labels

    cohort, tables = tiny
    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "s47", "Enquiry (s47)")
    monkeypatch.setitem(labels.EVENT_TYPE_LABELS, "cp_plan", "Protection plan")
    hl = chronology_highlights(cohort, "=M1", tables.members)
    assert hl.loc[hl["event_type"] == "s47", "highlight"].tolist() == ["first involvement; Enquiry (s47)"]
    assert hl.loc[hl["event_type"] == "cp_plan", "highlight"].tolist() == ["Protection plan"]
    # =A1 escalated with a CP plan: the signal names it in words, never the raw code
    sig = family_signals(cohort, "=M1", tables)
    assert sig.loc[sig["signal"].str.startswith("escalated"), "signal"].tolist() == ["escalated: Protection plan"]
    monkeypatch.undo()
    sig = family_signals(cohort, "=M1", tables)
    assert "escalated: Child protection plan" in sig["signal"].tolist()
    assert not sig["signal"].str.contains("cp_plan").any()


def test_round_trip_every_dropdown(tiny, tmp_path):
    cohort, tables = tiny
    paths = write_audit_forms(cohort, tables, tmp_path / "forms")
    expected = {}
    expected.update(fill(paths[0], "Auditor 1", dt.datetime(2018, 5, 21), seed=1))
    expected.update(fill(paths[1], "Auditor 2", "21/06/2018", seed=2))
    assert len(expected) == 35
    res = import_forms([tmp_path / "forms"])
    assert res.problems.empty, res.format_problems()
    cr = res.case_review
    assert list(cr.columns) == list(CASE_REVIEW_COLUMNS)
    got = {(r.person_id, r.item_id): r.answer for r in cr.itertuples()}
    assert got == expected
    assert set(cr.loc[cr["parent_id"] == "M2", "reviewer"]) == {"Auditor 2"}
    assert set(cr.loc[cr["parent_id"] == "M2", "review_date"]) == {"2018-06-21"}
    assert set(cr.loc[cr["parent_id"] == "=M1", "review_date"]) == {"2018-05-21"}
    q = dict(zip(AUDIT_QUESTIONS["item_id"], AUDIT_QUESTIONS["question"]))
    assert (cr["question"] == cr["item_id"].map(q)).all()
    assert cr.loc[(cr["person_id"] == "=A1") & (cr["item_id"] == "Q3"), "note"].item() == "note =A1 Q3"
    assert res.agreement.empty and res.second_reviews.empty


def test_each_problem_with_file_sheet_and_cell(tiny, tmp_path):
    cohort, tables = tiny
    forms = tmp_path / "forms"
    p1, p2 = write_audit_forms(cohort, tables, forms)
    fill(p1, "Auditor 1", dt.datetime(2018, 5, 21))
    fill(p2, "", "soon")  # no reviewer, a date that is not one
    # unknown answer on F10 (=A1, Q2) and an unanswered question on F11 (=A1, Q3) of form 1
    wb = openpyxl.load_workbook(p1)
    wb["Audit"]["F10"] = "Maybe"
    wb["Audit"]["F11"] = None
    wb.save(p1)
    # the same family by the same reviewer, again (a copy under another name)
    copy = forms / "zz_copy.xlsx"
    shutil.copy(p1, copy)
    stranger = forms / "other.xlsx"
    openpyxl.Workbook().save(stranger)
    res = import_forms([forms])
    got = res.problems[["file", "sheet", "cell"]].values.tolist()
    f1, f2, fc, fo = (p.as_posix() for p in (p1, p2, copy, stranger))
    # problems in file order (audit_form_M2 sorts before audit_form__M1-...)
    assert got == [
        [f2, "Audit", "B4"], [f2, "Audit", "B5"],
        [f1, "Audit", "F10"], [f1, "Audit", "F11"],
        [fo, "", ""],
        [fc, "Audit", "F10"], [fc, "Audit", "F11"], [fc, "Audit", "B4"],
    ]
    text = res.problems["problem"].tolist()
    assert text[0].startswith("no reviewer") and text[1].startswith("review date is not a date")
    assert res.problems["value"][1] == "soon"
    assert text[2].startswith("unknown answer") and res.problems["value"][2] == "Maybe"
    assert text[3].startswith("unanswered question Q3 for child =A1")
    assert text[4].startswith("not an audit form")
    assert text[7].startswith("duplicate: family =M1 already reviewed by this reviewer in " + f1)
    # usable: form 1 less its two bad rows; nothing of form 2, the copy or the stranger
    assert len(res.case_review) == 21 - 2
    assert set(res.case_review["parent_id"]) == {"=M1"}


def test_child_answered_in_two_families_is_a_duplicate(tmp_path):
    # child S has two index parents (mother X, father Y): it is asked in both forms
    persons = pd.DataFrame({"person_id": ["X", "Y", "S", "T"], "dob": ["1980-01-01", "1979-01-01", "2005-01-01",
                                                                       "2007-01-01"]})
    links = pd.DataFrame({"parent_id": ["X", "Y", "X"], "child_id": ["S", "S", "T"],
                          "relationship": ["mother_of", "father_of", "mother_of"]})
    c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    t = build_tables(c, AnalysisParams(index_parents=["X", "Y"]))
    px, py = write_audit_forms(c, t, tmp_path)
    fill(px, "R", dt.datetime(2018, 5, 1))
    fill(py, "R", dt.datetime(2018, 5, 2))
    res = import_forms([tmp_path])
    # X's form: S rows 9-15, T rows 16-22; Y's form: S rows 9-15, all 7 already answered
    assert res.problems[["file", "cell"]].values.tolist() == [[py.as_posix(), f"F{r}"] for r in range(9, 16)]
    assert res.problems["problem"][0].startswith(f"duplicate: child S question Q1 already answered in {px.as_posix()} Audit!F9")
    assert len(res.case_review) == 14


def test_forms_of_another_extract(tmp_path):
    a, b = tiny_cohort(), tiny_cohort(extra_event=True)
    assert extract_checksum(a) != extract_checksum(b)
    forms = tmp_path / "forms"
    pa = write_audit_forms(a, tiny_tables(a), forms)
    fill(pa[0], "R", dt.datetime(2018, 5, 1))
    fill(pa[1], "R", dt.datetime(2018, 5, 1))
    other = write_audit_forms(b, tiny_tables(b), tmp_path / "b", parents=["M2"])[0]
    fill(other, "Q", dt.datetime(2018, 5, 1))
    moved = forms / "from_b.xlsx"
    shutil.move(other, moved)
    res = import_forms([forms])  # reference: the checksum two of the three forms carry
    assert res.problems[["file", "sheet", "cell"]].values.tolist() == [[moved.as_posix(), "Checksum", "B4"]]
    assert res.problems["problem"][0].startswith(f"form from another extract (extract checksum {extract_checksum(b)}")
    assert len(res.case_review) == 35 and set(res.case_review["reviewer"]) == {"R"}
    # told the extract, the majority can be the odd ones out
    res_b = import_forms([forms], extract=extract_checksum(b))
    assert res_b.problems["file"].tolist() == [pa[1].as_posix(), pa[0].as_posix()]  # file order
    assert set(res_b.case_review["person_id"]) == {"B1", "B2"}


def test_changed_rows_break_the_family_checksum(tiny, tmp_path):
    cohort, tables = tiny
    p = write_audit_forms(cohort, tables, tmp_path)[1]
    fill(p, "R", dt.datetime(2018, 5, 1))
    wb = openpyxl.load_workbook(p)
    wb["Audit"]["A9"] = "B2"  # a row re-labelled with another child
    wb.save(p)
    res = import_forms([p])
    assert res.problems[["sheet", "cell"]].values.tolist() == [["Audit", "A9:E22"]]
    assert res.case_review.empty


def test_second_reviewer_agreement(tiny, tmp_path):
    cohort, tables = tiny
    first = write_audit_forms(cohort, tables, tmp_path / "r1", parents=["M2"])[0]
    second = write_audit_forms(cohort, tables, tmp_path / "r2", parents=["M2"])[0]
    # family M2: children B1, B2. Q1: R1 says Yes, No; R2 says Yes, Yes.
    #   2 pairs, 1 agrees: p_o = 1/2; R1 Yes 1/2, No 1/2; R2 Yes 2/2: p_e = 1/2*1 + 1/2*0 = 1/2
    #   kappa = (1/2 - 1/2) / (1 - 1/2) = 0
    # Q2: R1 Yes, No; R2 Yes, No: p_o = 1, p_e = 1/4 + 1/4 = 1/2, kappa = 1
    # Q3..Q7: both "Not applicable" for both children: p_o = 1, p_e = 1: kappa empty
    a = {("B1", "Q1"): "Yes", ("B2", "Q1"): "No", ("B1", "Q2"): "Yes", ("B2", "Q2"): "No"}
    b = {("B1", "Q1"): "Yes", ("B2", "Q1"): "Yes", ("B1", "Q2"): "Yes", ("B2", "Q2"): "No"}
    rest = {(c, q): "Not applicable" for c in ("B1", "B2") for q in ("Q3", "Q4", "Q5", "Q6", "Q7")}
    fill(first, "R1", dt.datetime(2018, 5, 1), {**a, **rest})
    fill(second, "R2", dt.datetime(2018, 6, 1), {**b, **rest})
    res = import_forms([tmp_path / "r2", tmp_path / "r1"])  # order of folders does not matter
    assert res.problems.empty
    assert set(res.case_review["reviewer"]) == {"R1"} and set(res.second_reviews["reviewer"]) == {"R2"}
    ag = res.agreement.set_index("item_id")
    assert ag["n_pairs"].tolist() == [2] * 7
    assert ag.loc["Q1", ["n_agree", "kappa"]].tolist() == [1, 0.0]
    assert ag.loc["Q2", ["n_agree", "kappa"]].tolist() == [2, 1.0]
    assert ag.loc["Q3":, "kappa"].isna().all()
    # the command writes the same table beside its output
    assert main(["audit-import", str(tmp_path / "r1"), str(tmp_path / "r2"), "--out", str(tmp_path / "cr.csv")]) == 0
    lines = (tmp_path / "audit_agreement.csv").read_text().splitlines()
    assert lines[1:3] == ["Q1,Assessment refers to older siblings' history,2,1,1,0.5,0.5,0.0",
                          "Q2,Chronology complete,2,2,0,1.0,0.5,1.0"]
    assert lines[3].startswith("Q3,Paper file requested,2,2,0,1.0,1.0,")  # kappa empty


def test_write_refuses_user_files_and_filled_forms(tiny, tmp_path):
    cohort, tables = tiny
    p1, p2 = write_audit_forms(cohort, tables, tmp_path)
    before = p2.read_bytes()
    assert form_state(p1) == "blank form"
    # a blank form of ours is replaced, with the same bytes for the same input
    assert write_audit_forms(cohort, tables, tmp_path)[1].read_bytes() == before
    fill(p1, "R", dt.datetime(2018, 5, 1))
    assert form_state(p1) == "filled form"
    with pytest.raises(FileExistsError, match="audit form with answers"):
        write_audit_forms(cohort, tables, tmp_path)
    p1.unlink()
    p2.write_text("the user's own notes")
    with pytest.raises(FileExistsError, match="not an audit form"):
        write_audit_forms(cohort, tables, tmp_path)
    assert p2.read_text() == "the user's own notes" and not p1.exists()  # nothing written
    write_audit_forms(cohort, tables, tmp_path, force=True)
    assert p2.read_bytes() == before


def test_cli_forms_import_and_report_reads_the_table(tmp_path, capsys):
    data = tmp_path / "extract"
    shutil.copytree(SAMPLE, data)
    forms = tmp_path / "forms"
    rc = main(["audit-forms", str(data), "--out", str(forms), "--index-parents", "P000013,P000017", "--quiet"])
    assert rc == 0
    paths = sorted(forms.glob("*.xlsx"))
    assert [p.name for p in paths] == ["audit_form_P000013.xlsx", "audit_form_P000017.xlsx"]
    set_ = {}
    for i, p in enumerate(paths):
        set_.update(fill(p, "Auditor", dt.datetime(2018, 7, 1), seed=i))
    out = data / "case_review.csv"
    # the sample's own case_review.csv is not an output of audit-import: refused without --force
    assert main(["audit-import", str(forms), "--out", str(out)]) == 2
    assert "not an output of audit-import" in capsys.readouterr().err
    assert main(["audit-import", str(forms), "--out", str(out), "--force", "--extract", str(data)]) == 0
    assert (data / "audit_import_problems.csv").read_text().splitlines() == ["file,sheet,cell,problem,value"]
    assert (data / "audit_agreement.csv").read_text().splitlines() == [  # no second reviewer: header only
        "item_id,question,n_pairs,n_agree,n_disagree,observed_agreement,expected_agreement,kappa"]
    assert main(["audit-import", str(forms), "--out", str(out)]) == 0  # its own output: replaced
    from neglect_analysis.io import load_extract

    cohort, _ = load_extract(data)
    cr = cohort.case_review
    assert {(r.person_id, r.item_id): r.answer for r in cr.itertuples()} == set_
    # the report's finding on question Q1 ("older sibling") counts the imported Yes / No answers
    from neglect_analysis.findings import findings

    q1 = [a for (child, item), a in set_.items() if item == "Q1"]
    row = findings(cohort, build_tables(cohort).family).set_index("measure").loc[
        "reviews_assessment_refers_to_older_siblings"]
    assert (row["numerator"], row["denominator"]) == (q1.count("Yes"), q1.count("Yes") + q1.count("No"))


def test_cli_audit_forms_refuses_a_filled_form_and_bad_out(tmp_path, capsys):
    forms = tmp_path / "forms"
    assert main(["audit-forms", str(SAMPLE), "--out", str(forms), "--index-parents", "P000013", "--quiet"]) == 0
    form = forms / "audit_form_P000013.xlsx"
    fill(form, "Auditor", dt.datetime(2018, 7, 1))
    filled = form.read_bytes()
    capsys.readouterr()
    assert main(["audit-forms", str(SAMPLE), "--out", str(forms), "--index-parents", "P000013", "--quiet"]) == 2
    assert "audit form with answers: not replaced" in capsys.readouterr().err
    assert form.read_bytes() == filled
    assert main(["audit-forms", str(SAMPLE), "--out", str(form), "--quiet"]) == 2  # --out is a file
    assert "is a file" in capsys.readouterr().err
    assert main(["audit-import", str(tmp_path / "nowhere"), "--out", str(tmp_path / "cr.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["audit-import", str(forms), "--out", str(tmp_path / "cr.txt")]) == 2


def test_chronology_workbook_writes_ids_as_text(tiny, tmp_path):
    # the explorer's button writes this workbook too: "=A1" must stay text, not become a formula
    from neglect_analysis.workbook import write_chronology_workbook

    cohort, tables = tiny
    path = write_chronology_workbook(cohort, "=M1", tables.members, tmp_path / "c.xlsx")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    ws = openpyxl.load_workbook(path)["Chronology"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("=A1" in v for v in cells)  # the child's id, kept as text
