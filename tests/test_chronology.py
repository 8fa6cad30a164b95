"""Whole-family chronology and child flags on the hand-made family of family_fixture.py.

Expected rows worked out by hand (19 = 13 events + 3 births + 3 partner rows). Open services
are the OTHER children's episodes covering the date, both ends included:
A's CP plan 2010-01-15..2011-03-01; B's referral (CIN) 2010-03-10..2010-09-30; B's CP plan from
2010-09-01, open (no end date); C's paper CLA 2006-02-02, open on that day only.

 #  date        child  type           open_services (worked out)
 1  1995-05-20  A      birth          -
 2  2000-01-01  C      birth          -
 3  2004-04-04  C      paper          -
 4  2006-02-02  C      cla            - (own episode)
 5  2009-01-01  -      partner_start  - (C's paper CLA was open 2006-02-02 only)
 6  2009-12-01  A      referral       -
 7  2010-01-10  A      icpc           -
 8  2010-01-15  A      cp_plan        - (B has nothing yet; same date: A before B, birth order)
 9  2010-01-15  B      contact        A: CP plan (starts that day)
10  2010-03-10  B      referral       A: CP plan
11  2010-06-15  B      birth          A: CP plan (births before events on one date)
12  2010-06-15  A      contact        B: CIN (B's pre-birth referral still open)
13  2010-09-01  B      cp_plan        A: CP plan
14  2010-09-30  A      contact        B: CP plan, CIN (referral closes that day: included)
15  2011-03-01  B      contact        A: CP plan (A's plan ends that day: included)
16  2011-03-02  B      contact        - (A's plan ended the day before)
17  2011-12-31  -      partner_end    B: CP plan
18  2012-01-01  -      partner_start  B: CP plan
19  2012-05-05  B      contact        - (B's own plan is not listed)
"""
from __future__ import annotations

import pandas as pd
import pytest

from family_fixture import family_cohort, family_members
from neglect_analysis.chronology import CHRONOLOGY_COLUMNS, age_text, family_chronology
from neglect_analysis.flags import child_flags
from neglect_analysis.cohort import Cohort

EXPECTED = [
    ("1995-05-20", "A", "birth", ""),
    ("2000-01-01", "C", "birth", ""),
    ("2004-04-04", "C", "paper", ""),
    ("2006-02-02", "C", "cla", ""),
    ("2009-01-01", None, "partner_start", ""),
    ("2009-12-01", "A", "referral", ""),
    ("2010-01-10", "A", "icpc", ""),
    ("2010-01-15", "A", "cp_plan", ""),
    ("2010-01-15", "B", "contact", "A: CP plan"),
    ("2010-03-10", "B", "referral", "A: CP plan"),
    ("2010-06-15", "B", "birth", "A: CP plan"),
    ("2010-06-15", "A", "contact", "B: CIN"),
    ("2010-09-01", "B", "cp_plan", "A: CP plan"),
    ("2010-09-30", "A", "contact", "B: CP plan, CIN"),
    ("2011-03-01", "B", "contact", "A: CP plan"),
    ("2011-03-02", "B", "contact", ""),
    ("2011-12-31", None, "partner_end", "B: CP plan"),
    ("2012-01-01", None, "partner_start", "B: CP plan"),
    ("2012-05-05", "B", "contact", ""),
]


@pytest.fixture
def chron() -> pd.DataFrame:
    c = family_cohort()
    return family_chronology(c, "M1", family_members(c))


def _as_tuples(ch: pd.DataFrame) -> list[tuple]:
    return [
        (d.strftime("%Y-%m-%d"), None if pd.isna(k) else k, t, o)
        for d, k, t, o in zip(ch["date"], ch["child_id"], ch["event_type"], ch["open_services"])
    ]


def test_rows_order_and_open_services(chron):
    assert list(chron.columns) == list(CHRONOLOGY_COLUMNS)
    assert len(chron) == 19
    assert _as_tuples(chron) == EXPECTED


def test_order_does_not_depend_on_input_order(chron):
    c = family_cohort(reverse=True)
    again = family_chronology(c, "M1", family_members(c))
    pd.testing.assert_frame_equal(chron, again)


def test_ages_and_birth_order(chron):
    row = chron.set_index(["child_id", "event_type", "date"])
    # B's referral 2010-03-10, born 2010-06-15: 10 Mar -> 10 Jun = 31 + 30 + 31 = 92, + 5 = 97 days
    r = row.loc[("B", "referral", pd.Timestamp("2010-03-10"))]
    assert r["age_at_event_days"] == -97 and r["age_text"] == "-0y 3m" and r["birth_order"] == 3
    # B's contact 2010-01-15: 151 days before birth (31 + 28 + 31 + 30 + 31), 5 whole months
    r = row.loc[("B", "contact", pd.Timestamp("2010-01-15"))]
    assert r["age_at_event_days"] == -151 and r["age_text"] == "-0y 5m"
    # A's CP plan 2010-01-15, born 1995-05-20: 14 years on 2009-05-20, 7 months on 2009-12-20,
    # the 8th month would be 2010-01-20 -> "14y 7m"
    r = row.loc[("A", "cp_plan", pd.Timestamp("2010-01-15"))]
    assert r["age_text"] == "14y 7m" and r["birth_order"] == 1
    # C's paper CLA 2006-02-02, born 2000-01-01: 6*365 + 2 leap days (2000, 2004) = 2192 to
    # 2006-01-01, + 31 + 1 = 2224 days; "6y 1m"
    r = row.loc[("C", "cla", pd.Timestamp("2006-02-02"))]
    assert r["age_at_event_days"] == 2224 and r["age_text"] == "6y 1m" and r["birth_order"] == 2
    births = chron[chron["event_type"] == "birth"]
    assert births["age_at_event_days"].tolist() == [0, 0, 0]
    assert births["age_text"].tolist() == ["0y 0m"] * 3
    partner = chron[chron["event_type"].str.startswith("partner")]
    assert partner["age_at_event_days"].isna().all() and partner["birth_order"].isna().all()


def test_flags_sources_and_partners(chron):
    # before ICS start 2009-04-01: rows 1-5 only (the partner start 2009-01-01 included)
    assert chron["before_ics"].tolist() == [True] * 5 + [False] * 14
    assert chron.loc[chron["other_la"], "event_id"].tolist() == ["E2", "E3"]
    assert chron.loc[chron["source"] == "paper", "event_id"].tolist() == ["P1", "P2"]
    partner = chron[chron["event_type"].str.startswith("partner")]
    assert partner["related_person_id"].tolist() == ["F2", "F2", "P3"]
    # B's birth names its father; C has no father on record
    births = chron[chron["event_type"] == "birth"].set_index("child_id")
    assert births.loc["B", "related_person_id"] == "F2"
    assert pd.isna(births.loc["C", "related_person_id"])
    # the partnership start row carries its end date
    assert chron.loc[4, "end_date"] == pd.Timestamp("2011-12-31")


def test_detail_only_when_asked(chron):
    assert "detail" not in chron.columns
    c = family_cohort()
    with_detail = family_chronology(c, "M1", family_members(c), include_detail=True)
    assert with_detail["detail"].dropna().tolist() == ["Home conditions poor"]


def test_inputs_not_mutated():
    c = family_cohort()
    m = family_members(c)
    ev, mem = c.events.copy(), m.copy()
    family_chronology(c, "M1", m)
    pd.testing.assert_frame_equal(c.events, ev)
    pd.testing.assert_frame_equal(m, mem)


def test_parent_without_children_gives_partner_rows_only():
    c = family_cohort()
    m = family_members(c).iloc[0:0]
    ch = family_chronology(c, "M1", m)
    assert ch["event_type"].tolist() == ["partner_start", "partner_end", "partner_start"]


def test_age_text_boundaries():
    dob = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-29", "2010-01-31", "2010-06-15", None]))
    date = pd.Series(pd.to_datetime(["2009-02-28", "2009-03-01", "2010-02-28", "2010-06-14", "2011-01-01"]))
    # 29 Feb birthday: 28 Feb next year is 11 completed months, 1 March a full year;
    # born 31 Jan, on 28 Feb no month is completed; the day before birth: "-0y 0m"; no dob: NA
    out = age_text(dob, date)
    assert out.tolist()[:4] == ["0y 11m", "1y 0m", "0y 0m", "-0y 0m"]
    assert pd.isna(out.iloc[4])


def test_child_flags_by_hand():
    c = family_cohort()
    extra = Cohort.from_frames(
        persons=pd.concat(
            [c.persons, pd.DataFrame({"person_id": ["Y", "Z", "U"], "dob": ["2009-03-31", "2009-04-01", None]})]
        ),
        events=pd.concat(
            [c.events, pd.DataFrame({"event_id": ["X1"], "person_id": ["Z"], "event_type": ["referral"],
                                     "start_date": ["2012-01-01"], "other_la": [True]})]
        ),
        audit_date="2018-07-31",
    )
    f = child_flags(extra, ["Z", "A", "B", "C", "Y", "U", "A"]).set_index("child_id")
    assert list(f.index) == ["A", "B", "C", "U", "Y", "Z"]  # distinct, sorted
    # A: ICPC transfer-in and CP plan OLA -> 1; Z's flag is on a referral: not in the definition
    assert f["other_la"].to_dict() == {"A": 1, "B": 0, "C": 0, "U": 0, "Y": 0, "Z": 0}
    # born before 2009-04-01: A (1995), C (2000), Y (day before); B (2010), Z (on the day): 0
    assert f.loc[["A", "B", "C", "Y", "Z"], "pre_ics_childhood"].tolist() == [1, 0, 1, 1, 0]
    assert pd.isna(f.loc["U", "pre_ics_childhood"])  # unknown dob
    # a DataFrame with child_id works too, and an ICS start override moves the boundary
    g = child_flags(extra, pd.DataFrame({"child_id": ["Z"]}), ics_start_date="2009-04-02")
    assert g["pre_ics_childhood"].tolist() == [1]


def test_open_ended_referrals_nfa_and_paper():
    # A: referral 2012-01-01 marked NFA, no close date -> open on that day only;
    #    referral 2014-01-01, no close date, not NFA -> open until the audit date.
    # C: paper CP plan 2013-05-05 (no end date on paper) -> open on that day only.
    # B's contacts: 2012-01-01 -> "A: CIN"; 2012-01-02 -> ""; 2013-05-05 -> "C: CP plan";
    # 2013-05-06 -> ""; 2018-07-31 (audit date) -> "A: CIN".
    persons = pd.DataFrame({"person_id": ["A", "B", "C"], "dob": ["2005-01-01", "2008-01-01", "2010-01-01"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "C"], "relationship": "mother_of"})
    events = pd.DataFrame(
        [
            ("R1", "A", "referral", "2012-01-01", True, "ics"),
            ("R2", "A", "referral", "2014-01-01", False, "ics"),
            ("P1", "C", "cp_plan", "2013-05-05", None, "paper"),
            ("K1", "B", "contact", "2012-01-01", None, "ics"),
            ("K2", "B", "contact", "2012-01-02", None, "ics"),
            ("K3", "B", "contact", "2013-05-05", None, "ics"),
            ("K4", "B", "contact", "2013-05-06", None, "ics"),
            ("K5", "B", "contact", "2018-07-31", None, "ics"),
        ],
        columns=["event_id", "person_id", "event_type", "start_date", "nfa", "source"],
    )
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    from neglect_analysis.siblings import members

    ch = family_chronology(c, "M", members(c, ["M"])).set_index("event_id")
    assert ch.loc[["K1", "K2", "K3", "K4", "K5"], "open_services"].tolist() == [
        "A: CIN", "", "C: CP plan", "", "A: CIN"
    ]
