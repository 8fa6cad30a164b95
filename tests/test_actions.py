"""Lists for action on hand-made families (ICS start 2009-04-01, audit 2018-07-31).

Family of family_fixture.py (index mother M1): A born 1995-05-20 (pre-ICS, no paper records:
requested), C born 2000-01-01 (pre-ICS, known only from paper records: not requested), B born
2010-06-15 (after ICS start: not requested). A has an ICPC transfer-in (2010-01-10) and a CP plan
marked other-LA (2010-01-15).

years_before_ics of A: 1995-05-20 -> 2009-05-20 = 14*365 + 4 leap days (1996, 2000, 2004,
2008) = 5114; 2009-04-01 is 49 days earlier (1 Apr -> 1 May 30, -> 20 May 19) -> 5065 days.
"""
from __future__ import annotations

import pandas as pd
import pytest

from family_fixture import family_cohort, family_members
from neglect_analysis.actions import background_requests, paper_file_requests
from neglect_analysis.cohort import Cohort
from neglect_analysis.siblings import members


def test_paper_file_requests_family():
    c = family_cohort()
    p = paper_file_requests(c, family_members(c))
    assert p["child_id"].tolist() == ["A"]
    assert p.loc[0, "parent_id"] == "M1"
    assert p.loc[0, "dob"] == pd.Timestamp("1995-05-20")
    assert p.loc[0, "years_before_ics"] == pytest.approx(5065 / 365.25)


def test_paper_file_requests_boundaries_and_two_parents():
    # K born the day before ICS start (listed), L on the day (not listed), P in both M's and F's
    # groups (listed under each parent), Q has a paper record of a known type (not listed)
    persons = pd.DataFrame({"person_id": ["K", "L", "P", "Q"],
                            "dob": ["2009-03-31", "2009-04-01", "1990-01-01", "1992-01-01"]})
    links = pd.DataFrame({"parent_id": ["M", "M", "M", "M", "F"], "child_id": ["K", "L", "P", "Q", "P"],
                          "relationship": ["mother_of"] * 4 + ["father_of"]})
    events = pd.DataFrame({"person_id": ["Q", "P"], "event_type": ["referral", "referral"],
                           "start_date": ["1995-01-01", "2010-01-01"], "source": ["paper", "ics"]})
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    p = paper_file_requests(c, members(c, ["M", "F"]))
    assert p[["parent_id", "child_id"]].values.tolist() == [["F", "P"], ["M", "P"], ["M", "K"]]
    assert p["n_index_parents"].tolist() == [2, 2, 1]
    assert p["years_before_ics"].iloc[2] == pytest.approx(1 / 365.25)  # one day
    # an earlier ICS start moves the boundary: nobody born before 1989 here
    assert paper_file_requests(c, members(c, ["M", "F"]), ics_start_date="1989-01-01").empty


def test_background_requests_family():
    c = family_cohort()
    b = background_requests(c, family_members(c))
    assert b["child_id"].tolist() == ["A"]
    assert b.loc[0, "first_other_la_date"] == pd.Timestamp("2010-01-10")  # ICPC before the plan
    assert b.loc[0, "evidence"] == "cp_plan_other_la;icpc_transfer_in"
    assert b.loc[0, "n_evidence_events"] == 2
    assert b.loc[0, "n_family_children_other_la"] == 1


def test_background_requests_only_icpc_and_cp_plan_flags():
    persons = pd.DataFrame({"person_id": ["A", "B", "C"], "dob": ["2001-01-01", "2003-01-01", "2005-01-01"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "C"], "relationship": "mother_of"})
    events = pd.DataFrame(
        {
            "event_id": ["1", "2", "3", "4"],
            "person_id": ["A", "B", "C", "C"],
            "event_type": ["referral", "cp_plan", "icpc", "icpc"],
            "start_date": ["2010-01-01", "2011-05-05", "2012-01-01", "2011-02-02"],
            "other_la": [True, True, False, True],
        }
    )
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    b = background_requests(c, members(c, ["M"]))
    # A's flag is on a referral: not evidence. C's unflagged ICPC does not count; its flagged one
    # (2011-02-02) comes before B's plan (2011-05-05): sorted by first date
    assert b[["child_id", "evidence"]].values.tolist() == [["C", "icpc_transfer_in"], ["B", "cp_plan_other_la"]]
    assert b["n_evidence_events"].tolist() == [1, 1]
    assert b["n_family_children_other_la"].tolist() == [2, 2]


def test_no_events_gives_empty_lists():
    persons = pd.DataFrame({"person_id": ["A"], "dob": ["2012-01-01"]})
    links = pd.DataFrame({"parent_id": ["M"], "child_id": ["A"], "relationship": ["mother_of"]})
    c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    assert background_requests(c, members(c, ["M"])).empty
    assert paper_file_requests(c, members(c, ["M"])).empty
