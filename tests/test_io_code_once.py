"""Person ids coded once at load (issue 11): the loader makes the Cohort's person dtype after
the links step and codes every id column from the positions its check found; ``code_tables``
then hashes no id again. Values below are worked out by hand."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import neglect_analysis.cohort as cohort_module
from neglect_analysis.cohort import PERSON_ID_COLUMNS, code_tables, conform, events_in_order
from neglect_analysis.idsets import IdSet, PersonCodes
from neglect_analysis.io import load_extract
from neglect_analysis.io.events import concat_events


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def small_extract(folder: Path) -> Path:
    # ssd_person in file order P3, P1, P2 (not sorted); M9 is a father absent from ssd_person
    # (added to the persons after them); Z5 is named only as P1's partner (not a person);
    # X7 is nobody: its contact and its case-review row are reported and dropped.
    write(folder, "ssd_person.csv", "pers_person_id,pers_dob\nP3,2010-01-01\nP1,1985-01-01\nP2,2012-05-01\n")
    write(folder, "relationships.csv", "person_id,related_person_id,relationship\n"
          "P1,P3,mother_of\nM9,P3,father_of\nP1,Z5,partner_of\nP1,P2,mother_of\n")
    write(folder, "ssd_contacts.csv", "cont_contact_id,cont_person_id,cont_contact_date\n"
          "K1,P3,2015-06-01\nK2,X7,2015-01-01\nK3,P2,2014-01-01\nK4,P3,2013-02-01\n")
    write(folder, "ssd_cin_episodes.csv", "cine_referral_id,cine_person_id,cine_referral_date\n"
          "R1,P3,2015-06-01\nR2,P2,2016-01-01\n")
    write(folder, "case_review.csv", "person_id,item_id,question,answer,reviewer,review_date\n"
          "P2,Q1,q,Yes,A,2018-07-01\nX7,Q1,q,No,A,2018-07-01\n")
    write(folder, "iro_challenges.csv", "person_id,cp_plan_id,challenge_date,theme\nP3,CP1,2017-01-01,t\n")
    return folder


def test_loaded_cohort_is_coded_with_the_dtype_made_at_load(tmp_path, monkeypatch):
    hashed = []
    dictionary = cohort_module._dictionary

    def counting(tables):  # the ids code_tables hashes (none: the loader coded them all)
        hashed.append(sum(len(df[c]) for name, df in tables.items()
                          for c in PERSON_ID_COLUMNS.get(name, ()) if c in df.columns))
        return dictionary(tables)

    monkeypatch.setattr(cohort_module, "_dictionary", counting)
    cohort, report = load_extract(small_extract(tmp_path), audit_date="2018-07-31")
    assert sum(hashed) == 0
    # categories: every id of the persons (P3, P1, P2, then M9 added) and the partner Z5, sorted
    # byte-wise: M9=0, P1=1, P2=2, P3=3, Z5=4 (X7 is in no table, so no category)
    dtype = cohort.person_dtype
    assert dtype.categories.tolist() == ["M9", "P1", "P2", "P3", "Z5"]
    for name, cols in PERSON_ID_COLUMNS.items():
        for c in cols:
            assert getattr(cohort, name)[c].dtype is dtype, (name, c)
    # persons in load order: P3, P1, P2 (ssd_person), M9 (added): codes 3, 1, 2, 0
    assert cohort.persons["person_id"].cat.codes.tolist() == [3, 1, 2, 0]
    assert cohort.persons["in_extract"].tolist() == [True, True, True, False]
    # links P1->P3, M9->P3, P1->P2; partners P1-Z5
    assert cohort.links["parent_id"].cat.codes.tolist() == [1, 0, 1]
    assert cohort.links["child_id"].cat.codes.tolist() == [3, 3, 2]
    assert cohort.partners[["person_id", "partner_id"]].values.tolist() == [["P1", "Z5"]]
    assert cohort.partners["partner_id"].cat.codes.tolist() == [4]
    assert cohort.case_review["person_id"].tolist() == ["P2"]
    assert cohort.iro_challenges["person_id"].cat.codes.tolist() == [3]
    # the same dtype as coding the text tables afresh would make
    text = {name: getattr(cohort, name).assign(**{c: getattr(cohort, name)[c].astype("string") for c in cols})
            for name, cols in PERSON_ID_COLUMNS.items()}
    assert code_tables(text)["persons"]["person_id"].dtype.categories.tolist() == dtype.categories.tolist()


def test_unknown_people_still_reported_with_their_text_ids(tmp_path):
    cohort, report = load_extract(small_extract(tmp_path), audit_date="2018-07-31")
    p = report.problems
    assert p.loc[p["check"] == "unknown_person", "problem"].tolist() == [
        "ssd_contacts.csv row 3: cont_person_id X7 is not in ssd_person; row dropped",
        "case_review.csv row 3: person_id X7 is not in ssd_person; row dropped"]
    assert p.loc[p["check"] == "parent_not_in_extract", "problem"].tolist() == [
        "relationships.csv row 3: person_id M9 (a parent) is not in ssd_person; kept with unknown date of birth"]
    counts = report.counts.set_index("table")
    assert counts.loc["ssd_contacts", ["rows_read", "rows_used", "rows_reported"]].tolist() == [4, 3, 1]
    assert counts.loc["case_review", ["rows_read", "rows_used", "rows_reported"]].tolist() == [2, 1, 1]


def test_loaded_events_are_in_event_order(tmp_path):
    cohort, _ = load_extract(small_extract(tmp_path), audit_date="2018-07-31")
    ev = cohort.events
    # by person code (P2=2 before P3=3), then date, then journey order (contact before
    # referral on P3's 2015-06-01), then id
    assert list(zip(ev["person_id"].astype(str), ev["start_date"].dt.strftime("%Y-%m-%d"),
                    ev["event_type"].astype(str), ev["event_id"])) == [
        ("P2", "2014-01-01", "contact", "K3"), ("P2", "2016-01-01", "referral", "R2"),
        ("P3", "2013-02-01", "contact", "K4"), ("P3", "2015-06-01", "contact", "K1"),
        ("P3", "2015-06-01", "referral", "R1")]
    assert ev["person_id"].cat.codes.tolist() == [2, 2, 3, 3, 3]
    assert events_in_order(ev)


def test_concat_events_orders_and_keeps_the_dtype():
    persons = PersonCodes(IdSet(pd.Index(["B", "A"])))  # categories A, B: A=0, B=1
    types = cohort_module.EVENT_TYPE_DTYPE

    def frame(at, types_, days, ids):
        return conform(pd.DataFrame({
            "person_id": persons.coded(at), "event_type": pd.Categorical(types_, dtype=types),
            "start_date": pd.to_datetime(days), "event_id": ids}), "events")

    # positions: B=0, A=1. First frame: B 2010 cla e1, A (no date) cla e2; second: A 2009 contact
    # e3, A 2009 contact e0 (same person, day, type: the ids decide, e0 first)
    frames = [frame([0, 1], ["cla", "cla"], ["2010-01-01", None], ["e1", "e2"]),
              frame([1, 1], ["contact", "contact"], ["2009-01-01", "2009-01-01"], ["e3", "e0"])]
    ev = concat_events(frames)
    # A: 2009 e0, 2009 e3, no date e2 (missing dates last); then B 2010 e1
    assert ev["event_id"].tolist() == ["e0", "e3", "e2", "e1"]
    assert ev["person_id"].dtype is persons.dtype and ev["person_id"].tolist() == ["A", "A", "A", "B"]
    assert frames == []  # the frames let go


def test_code_tables_codes_text_columns_beside_coded_ones_with_the_given_dtype():
    persons = PersonCodes(IdSet(pd.Index(["P2", "P1"])))  # categories P1=0, P2=1
    tables = {"persons": conform(pd.DataFrame({"person_id": persons.coded([0, 1])}), "persons"),
              "case_review": conform(pd.DataFrame({"person_id": ["P1", "P2", "P1"]}), "case_review")}
    coded = code_tables(tables, persons.dtype)
    assert coded["persons"]["person_id"].cat.codes.tolist() == [1, 0]  # kept as coded: P2, P1
    assert coded["case_review"]["person_id"].dtype is persons.dtype
    assert coded["case_review"]["person_id"].cat.codes.tolist() == [0, 1, 0]


def test_label_columns_are_joined_as_codes_with_the_categories_sorted():
    persons = PersonCodes(IdSet(pd.Index(["A"])))
    types = cohort_module.EVENT_TYPE_DTYPE

    def frame(days, ids, outcome):
        return conform(pd.DataFrame({
            "person_id": persons.coded([0] * len(ids)), "event_type": pd.Categorical(["contact"] * len(ids), dtype=types),
            "start_date": pd.to_datetime(days), "event_id": ids, "outcome": outcome}), "events")

    # first frame's outcomes {NFA, ADVICE}, second's {CSC, missing}: joined categories are
    # the union sorted (ADVICE, CSC, NFA); rows in date order: 2009 e3 CSC, 2010 e1 NFA,
    # 2011 e2 ADVICE, 2012 e4 missing
    frames = [frame(["2010-01-01", "2011-01-01"], ["e1", "e2"], ["NFA", "ADVICE"]),
              frame(["2009-01-01", "2012-01-01"], ["e3", "e4"], ["CSC", None])]
    assert list(frames[0]["outcome"].cat.categories) == ["ADVICE", "NFA"]
    ev = concat_events(frames)
    assert list(ev["outcome"].cat.categories) == ["ADVICE", "CSC", "NFA"]
    assert ev["outcome"].cat.codes.tolist() == [1, 2, 0, -1]
    assert ev["event_id"].tolist() == ["e3", "e1", "e2", "e4"]


def test_label_columns_compare_and_write_as_their_text(tmp_path):
    # a hand-made Cohort codes the same columns: case_review answers Yes, No, Yes -> categories
    # No, Yes; the text read back is the text given
    c = cohort_module.Cohort.from_frames(
        persons=pd.DataFrame({"person_id": ["P1"]}), audit_date="2018-07-31",
        case_review=pd.DataFrame({"person_id": ["P1"] * 3, "item_id": ["Q1", "Q2", "Q3"],
                                  "answer": ["Yes", "No", "Yes"]}))
    answer = c.case_review["answer"]
    assert list(answer.cat.categories) == ["No", "Yes"]
    assert (answer == "Yes").tolist() == [True, False, True]
    c.case_review[["item_id", "answer"]].to_csv(tmp_path / "a.csv", index=False)
    assert (tmp_path / "a.csv").read_text() == "item_id,answer\nQ1,Yes\nQ2,No\nQ3,Yes\n"


def test_a_label_column_edited_as_text_is_a_label_column_again():
    # outcome X made text, set to NEW, handed back: categories are then just NEW
    c = cohort_module.Cohort.from_frames(
        persons=pd.DataFrame({"person_id": ["A"]}), audit_date="2018-07-31",
        events=pd.DataFrame({"person_id": ["A"], "event_type": "contact", "outcome": ["X"]}))
    ev = c.events.copy()
    ev["outcome"] = ev["outcome"].astype("string")
    ev.loc[0, "outcome"] = "NEW"
    outcome = c.with_tables(events=ev).events["outcome"]
    assert isinstance(outcome.dtype, pd.CategoricalDtype)
    assert list(outcome.cat.categories) == ["NEW"] and outcome.tolist() == ["NEW"]
