"""Pseudonymisation (``privacy.py``, ``report --pseudonymise``): keyed, consistent, leak-free."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from neglect_analysis.cli import main
from neglect_analysis.cohort import Cohort
from neglect_analysis.findings import findings
from neglect_analysis.io import load_extract
from neglect_analysis.io.validation import quote
from neglect_analysis.privacy import (
    KEY_VARIABLE,
    pseudonym_map,
    pseudonymise_cohort,
    pseudonymise_ids,
    pseudonymise_problems,
)
from neglect_analysis.report import ReportOptions, run_report
from neglect_analysis.pipeline import build_tables

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
KEY = "correct-horse-battery-staple-2018"
KEY2 = "another-secret-key-of-enough-length"


# --- keys ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, "", "too-short"])
def test_report_refuses_without_a_key(value, monkeypatch, tmp_path, capsys):
    if value is None:
        monkeypatch.delenv(KEY_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(KEY_VARIABLE, value)
    out = tmp_path / "out"
    code = main(["report", str(SAMPLE), "--out", str(out), "--pseudonymise", "--tables-only", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert KEY_VARIABLE in err and "at least 16 characters" in err
    assert not out.exists()  # nothing half-written
    if value:
        assert value not in err  # the (bad) key is not echoed either


def test_same_key_same_pseudonyms_different_key_different():
    ids = pd.Series(["P000002", "0012", "12", "P000002"])
    a1 = pseudonym_map(ids, KEY.encode())
    a2 = pseudonym_map(ids, KEY.encode())
    b = pseudonym_map(ids, KEY2.encode())
    assert a1 == a2
    assert set(a1) == {"P000002", "0012", "12"}  # distinct ids; "0012" and "12" stay distinct
    assert len(set(a1.values())) == 3
    assert all(a1[i] != b[i] for i in a1)
    # Namespaces: the same text as a person id and as an event id gives unrelated pseudonyms.
    e = pseudonym_map(ids, KEY.encode(), namespace="event")
    assert all(a1[i] != e[i] and e[i].startswith("E") and a1[i].startswith("X") for i in a1)
    assert pseudonymise_ids(["12", "0012"], KEY.encode()) == [a1["12"], a1["0012"]]


# --- a hand-made family: every key mapped consistently -------------------------------------

def _family() -> Cohort:
    # Mother M1 with children C1, C2 (father F1, partner of M1). C1: referral R1, an S47 S1
    # linked to R1, an ICPC I1 linked to S1, a CP plan CP1 challenged by the IRO; C2: a paper
    # record with free text. "R1" is also used as a person id on purpose (namespace check).
    persons = pd.DataFrame({"person_id": ["M1", "F1", "C1", "C2", "R1"],
                            "dob": ["1980-01-01", "1978-01-01", "2001-03-01", "2012-05-01", "1990-01-01"]})
    links = pd.DataFrame({"parent_id": ["M1", "M1", "F1", "F1"], "child_id": ["C1", "C2", "C1", "C2"],
                          "relationship": ["mother_of", "mother_of", "father_of", "father_of"]})
    partners = pd.DataFrame({"person_id": ["M1"], "partner_id": ["F1"], "start_date": ["2000-01-01"]})
    events = pd.DataFrame({
        "event_id": ["R1", "S1", "I1", "CP1", "paper_records:2"],
        "person_id": ["C1", "C1", "C1", "C1", "C2"],
        "event_type": ["referral", "s47", "icpc", "cp_plan", "paper"],
        "start_date": ["2010-01-01", "2010-01-05", "2010-01-20", "2010-01-20", "2013-01-01"],
        "linked_event_id": [None, "R1", "S1", None, None],
        "source": ["ics", "ics", "ics", "ics", "paper"],
        "source_ref": ["ssd_cin_episodes:2", "ssd_s47_enquiry:2", "ssd_initial_cp_conference:2",
                       "ssd_cp_plans:2", "PF/000359/001"],
        "detail": [None, None, None, None, "Home conditions poor; neighbour Mrs Smith concerned"],
    })
    iro = pd.DataFrame({"person_id": ["C1", "C1"], "cp_plan_id": ["CP1", "CP1"],
                        "challenge_date": ["2010-06-01", "2010-07-01"],
                        "theme": ["Drift: core group not meeting", "Mrs Smith's partner not assessed"]})
    review = pd.DataFrame({"person_id": ["C1"], "item_id": ["Q1"], "question": ["Q"], "answer": ["Yes"],
                           "reviewer": ["Jane Auditor"]})
    return Cohort.from_frames(persons=persons, links=links, partners=partners, events=events,
                              iro_challenges=iro, case_review=review, audit_date="2018-07-31")


def test_every_table_is_mapped_consistently():
    c = _family()
    before = {t: getattr(c, t).copy() for t in ("persons", "links", "events", "iro_challenges")}
    p = pseudonymise_cohort(c, KEY.encode())
    person = pseudonym_map(["M1", "F1", "C1", "C2", "R1"], KEY.encode())
    event = pseudonym_map(["R1", "S1", "I1", "CP1", "paper_records:2"], KEY.encode(), namespace="event")
    assert p.persons["person_id"].tolist() == [person[i] for i in ["M1", "F1", "C1", "C2", "R1"]]
    assert p.links["parent_id"].tolist() == [person[i] for i in ["M1", "M1", "F1", "F1"]]
    assert p.links["child_id"].tolist() == [person[i] for i in ["C1", "C2", "C1", "C2"]]
    assert p.partners.iloc[0][["person_id", "partner_id"]].tolist() == [person["M1"], person["F1"]]
    assert p.events["person_id"].tolist() == [person[i] for i in ["C1"] * 4 + ["C2"]]
    assert p.events["event_id"].tolist() == [event[i] for i in ["R1", "S1", "I1", "CP1", "paper_records:2"]]
    # Links between events resolve: S47 -> referral, ICPC -> S47, IRO challenge -> plan.
    ev = p.events.set_index("event_type")
    assert ev.loc["s47", "linked_event_id"] == ev.loc["referral", "event_id"] == event["R1"]
    assert ev.loc["icpc", "linked_event_id"] == ev.loc["s47", "event_id"]
    assert p.iro_challenges.loc[0, "cp_plan_id"] == ev.loc["cp_plan", "event_id"]
    assert p.iro_challenges.loc[0, "person_id"] == person["C1"] == p.case_review.loc[0, "person_id"]
    # "R1" the person and "R1" the referral do not share a pseudonym.
    assert person["R1"] != event["R1"]
    # Source refs: extract refs keep the table name only, paper refs are replaced whole.
    refs = p.events["source_ref"].tolist()
    assert refs[0].startswith("ssd_cin_episodes:R") and not refs[0].endswith(":2")
    assert refs[4].startswith("R") and "PF/" not in refs[4]
    # Free text and staff names are gone; question and answer (needed by findings) kept.
    # A standard theme label (codes.STANDARD_IRO_THEMES) is a category and stays; free text goes.
    assert p.events["detail"].isna().all()
    assert p.iro_challenges["theme"].tolist() == ["Drift: core group not meeting", pd.NA]
    assert p.case_review.loc[0, "reviewer"].startswith("S") and p.case_review.loc[0, "answer"] == "Yes"
    assert p.meta["pseudonymised"] is True
    # The input cohort is unchanged.
    for t, df in before.items():
        pd.testing.assert_frame_equal(getattr(c, t), df)


def test_free_text_kept_only_when_asked():
    p = pseudonymise_cohort(_family(), KEY.encode(), keep_free_text=True)
    assert p.events["detail"].iloc[4].startswith("Home conditions")
    assert p.iro_challenges.loc[0, "theme"] == "Drift: core group not meeting"


def test_validation_problems_lose_their_ids():
    problems = pd.DataFrame({
        "table": ["relationships", "ssd_s47_enquiry"], "row": [4, 9],
        "column": ["person_id", "s47e_referral_id"], "value": ["P999", "R77"],
        "problem": ["relationships.csv row 4: person_id " + quote("P999", "person") + " (a parent) is "
                    "not in ssd_person; child " + quote("C1", "person") + " kept",
                    "ssd_s47_enquiry.csv row 9: s47e_referral_id " + quote("R77", "event")
                    + " is not a referral"],
    })
    out = pseudonymise_problems(problems, KEY.encode())
    k = KEY.encode()
    p999, c1 = pseudonym_map(["P999"], k)["P999"], pseudonym_map(["C1"], k)["C1"]
    r77 = pseudonym_map(["R77"], k, namespace="event")["R77"]
    assert out["value"].tolist() == [p999, r77]
    assert out["problem"].tolist() == [
        f"relationships.csv row 4: person_id {p999} (a parent) is not in ssd_person; child {c1} kept",
        f"ssd_s47_enquiry.csv row 9: s47e_referral_id {r77} is not a referral"]
    assert problems.loc[0, "value"] == "P999"  # input unchanged


def test_ids_with_spaces_and_commas_leave_no_trace(tmp_path):
    # Issue 14: ids holding spaces or commas were matched word by word and leaked. Two people
    # "Smith, J 7" (a contact's person, not in ssd_person) and "M 1" (a mother 11 at the
    # birth of her child "C 2, b"): every message naming them must name their pseudonyms only.
    (tmp_path / "ssd_person.csv").write_text(
        'pers_person_id,pers_dob\n"M 1",2000-03-02\n"C 2, b",2012-03-01\n', encoding="utf-8")
    (tmp_path / "relationships.csv").write_text(
        'person_id,related_person_id,relationship\n"M 1","C 2, b",mother_of\n', encoding="utf-8")
    (tmp_path / "ssd_contacts.csv").write_text(
        'cont_contact_id,cont_person_id,cont_contact_date\n"K 1, x","Smith, J 7",2017-01-01\n',
        encoding="utf-8")
    _, report = load_extract(tmp_path, audit_date="2018-07-31")
    k = KEY.encode()
    x = lambda i: pseudonym_map([i], k)[i]  # noqa: E731
    out = pseudonymise_problems(report, k)
    errors = out[out["severity"] == "error"].sort_values("table")
    assert errors["problem"].tolist() == [
        f"relationships.csv row 2: parent {x('M 1')} (born 2000-03-02) was 11 at the birth of "
        f"{x('C 2, b')} (born 2012-03-01); row dropped",
        f"ssd_contacts.csv row 2: cont_person_id {x('Smith, J 7')} is not in ssd_person; row dropped"]
    assert errors["value"].isna().tolist() == [True, False] and errors["value"].iloc[1] == x("Smith, J 7")
    text = " ".join(out["problem"]) + " ".join(out["value"].dropna())
    for original in ("M 1", "C 2", "Smith", "J 7"):
        assert original not in text
    # the plain report still names them, for the auditor who holds the key to the case system
    assert "cont_person_id Smith, J 7 is not in ssd_person" in " ".join(report.problems["problem"])


# --- the sample: aggregates unchanged ------------------------------------------------------

@pytest.fixture(scope="module")
def sample_runs():
    cohort, _ = load_extract(SAMPLE)
    pseudo = pseudonymise_cohort(cohort, KEY.encode())
    a, b = build_tables(cohort), build_tables(pseudo)
    return cohort, pseudo, a, b


def test_findings_and_group_numbers_unchanged(sample_runs):
    cohort, pseudo, a, b = sample_runs
    pd.testing.assert_frame_equal(findings(cohort, a.family), findings(pseudo, b.family))

    def numbers(df):
        num = df.select_dtypes("number")
        return num.sort_values(list(num.columns)).reset_index(drop=True)

    pd.testing.assert_frame_equal(numbers(a.sibling_groups), numbers(b.sibling_groups))
    # Row by row: each group's numbers travel with its (pseudonymised) parent id.
    m = pseudonym_map(cohort.persons["person_id"], KEY.encode())
    mapped = a.sibling_groups.assign(parent_id=a.sibling_groups["parent_id"].map(m).astype("string"))
    cols = [c for c in mapped.columns if c != "index_parent_ids" and pd.api.types.is_numeric_dtype(mapped[c])]
    pd.testing.assert_frame_equal(
        mapped.set_index("parent_id").sort_index()[cols], b.sibling_groups.set_index("parent_id").sort_index()[cols]
    )
    assert set(b.children["child_id"]) == {m[i] for i in a.children["child_id"]}


# --- the whole report: no original id, no key, anywhere ------------------------------------

@pytest.fixture(scope="module")
def pseudo_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("pseudo") / "report"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_VARIABLE, KEY)
        assert main(["report", str(SAMPLE), "--out", str(out), "--pseudonymise", "--quiet"]) == 0
    return out


def _original_ids() -> set[str]:
    cohort, _ = load_extract(SAMPLE)
    ids = set()
    for table, cols in {"persons": ["person_id"], "links": ["parent_id", "child_id"],
                        "partners": ["person_id", "partner_id"], "events": ["person_id", "event_id",
                        "linked_event_id"], "iro_challenges": ["person_id", "cp_plan_id"]}.items():
        for c in cols:
            ids |= set(getattr(cohort, table)[c].dropna())
    paper = cohort.events[cohort.events["source"] == "paper"]
    return ids | set(paper["source_ref"].dropna())


def _texts(folder: Path):
    """(file, text) of every file: xlsx cell values via openpyxl, other files decoded."""
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        if f.suffix == ".xlsx":
            wb = openpyxl.load_workbook(f, read_only=True)
            cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None]
            yield f, "\n".join(cells + list(wb.sheetnames))
        else:
            yield f, f.read_bytes().decode("utf-8", errors="replace")


def _leaks(folder: Path, ids: set[str]) -> dict[str, list[str]]:
    # Original ids are upper-case letters and digits (P000002, CP0000001, PF/000359/001);
    # pseudonyms are one capital then lower-case hex, so a case-sensitive match cannot confuse them.
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True))
                         + r")(?![A-Za-z0-9])")
    found = {}
    for f, text in _texts(folder):
        hits = sorted(set(pattern.findall(text)))
        if hits:
            found[str(f.relative_to(folder))] = hits[:5]
    return found


def test_report_tables_carry_no_original_id(pseudo_report):
    ids = _original_ids()
    assert len(ids) > 3000
    leaks = _leaks(pseudo_report, ids)
    leaks.pop("analyst/validation_problems.csv", None)  # see the next test
    assert leaks == {}
    children = pd.read_csv(pseudo_report / "analyst" / "children.csv", dtype=str)
    assert children["child_id"].str.fullmatch(r"X[0-9a-f]{16}").all()
    books = list((pseudo_report / "analyst" / "chronologies").glob("*.xlsx"))
    assert len(books) == 38 and all(re.fullmatch(r"chronology_X[0-9a-f]{16}\.xlsx", b.name) for b in books)


def test_validation_problems_file_carries_no_original_id(pseudo_report):
    assert _leaks(pseudo_report / "analyst", _original_ids()).get("validation_problems.csv") is None


def test_key_is_written_nowhere(pseudo_report):
    for f in (p for p in pseudo_report.rglob("*") if p.is_file()):
        data = f.read_bytes()
        assert KEY.encode() not in data, f
    for f, text in _texts(pseudo_report):
        assert KEY not in text, f


def test_pseudonymised_report_counts_equal_the_plain_report(pseudo_report, tmp_path):
    plain = tmp_path / "plain"
    assert main(["report", str(SAMPLE), "--out", str(plain), "--tables-only", "--quiet"]) == 0
    a = pd.read_csv(plain / "analyst" / "findings.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(pseudo_report / "analyst" / "findings.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(a, b)
    for name in sorted(p.name for p in (pseudo_report / "briefing").glob("*.csv")):
        assert (pseudo_report / "briefing" / name).is_file()


def test_index_parents_given_as_original_ids_with_pseudonymise(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    res = run_report(SAMPLE, tmp_path / "o", ReportOptions(pseudonymise=True, tables_only=True,
                                                            index_parents=["P000359"]))
    groups = pd.read_csv(tmp_path / "o" / "analyst" / "sibling_groups.csv", dtype=str)
    assert res.n_parents == 1
    assert groups["parent_id"].tolist() == pseudonymise_ids(["P000359"], KEY.encode())
