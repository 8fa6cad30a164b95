"""One hand-made family shared by the chronology, workbook, actions and plot tests.

Audit date 2018-07-31; ICS start 2009-04-01. Index mother M1, three children:

- A  1995-05-20, father F1: childhood before ICS, no paper records (needs a paper-file request),
  other-LA history: ICPC 2010-01-10 transfer-in and CP plan 2010-01-15..2011-03-01 marked OLA.
- C  2000-01-01, no father on record: known only from paper records (a file note 2004-04-04
  and a paper CLA episode 2006-02-02, which has no end date).
- B  2010-06-15, father F2: a pre-birth referral 2010-03-10..2010-09-30, an open CP plan from
  2010-09-01, contacts 2010-01-15 (pre-birth), 2011-03-01, 2011-03-02, 2012-05-05.
- A also has a referral 2009-12-01..2010-01-05 and contacts 2010-06-15 and 2010-09-30.

Birth order: A 1, C 2, B 3. Partners of M1: F2 2009-01-01..2011-12-31 (row written M1 -> F2),
P3 from 2012-01-01, still together (row written P3 -> M1).
"""
from __future__ import annotations

import pandas as pd

from neglect_analysis.cohort import Cohort
from neglect_analysis.siblings import members

EVENTS = [
    # event_id, person, type, start, end, category, outcome, other_la, source, source_ref, detail
    ("E1", "A", "referral", "2009-12-01", "2010-01-05", "N1", None, False, "ics", "r:1", None),
    ("E2", "A", "icpc", "2010-01-10", None, None, "CP_PLAN", True, "ics", "i:1", None),
    ("E3", "A", "cp_plan", "2010-01-15", "2011-03-01", "NEG", "NEG", True, "ics", "p:1", None),
    ("E4", "B", "referral", "2010-03-10", "2010-09-30", "N1", None, False, "ics", "r:2", None),
    ("E5", "B", "cp_plan", "2010-09-01", None, "NEG", "NEG", False, "ics", "p:2", None),
    ("E6", "B", "contact", "2012-05-05", None, "3B", "ADVICE_FLAG", False, "ics", "c:1", None),
    ("E7", "B", "contact", "2011-03-01", None, "2A", None, False, "ics", "c:2", None),
    ("E8", "B", "contact", "2011-03-02", None, "2A", None, False, "ics", "c:3", None),
    ("E9", "A", "contact", "2010-09-30", None, "6", None, False, "ics", "c:4", None),
    ("E10", "A", "contact", "2010-06-15", None, "6", None, False, "ics", "c:5", None),
    ("E11", "B", "contact", "2010-01-15", None, "3B", None, False, "ics", "c:6", None),
    ("P1", "C", "paper", "2004-04-04", None, None, "file_note", False, "paper", "DOC-1",
     "Home conditions poor"),
    ("P2", "C", "cla", "2006-02-02", None, None, None, False, "paper", "DOC-2", None),
]


def family_cohort(*, synthetic: bool = True, reverse: bool = False) -> Cohort:
    persons = pd.DataFrame(
        {
            "person_id": ["M1", "A", "B", "C"],
            "sex": ["F", "M", "F", "M"],
            "dob": ["1978-02-02", "1995-05-20", "2010-06-15", "2000-01-01"],
        }
    )
    links = pd.DataFrame(
        [
            ("M1", "A", "mother_of"),
            ("M1", "B", "mother_of"),
            ("M1", "C", "mother_of"),
            ("F1", "A", "father_of"),
            ("F2", "B", "father_of"),
        ],
        columns=["parent_id", "child_id", "relationship"],
    )
    partners = pd.DataFrame(
        [("M1", "F2", "2009-01-01", "2011-12-31"), ("P3", "M1", "2012-01-01", None)],
        columns=["person_id", "partner_id", "start_date", "end_date"],
    )
    events = pd.DataFrame(
        EVENTS,
        columns=["event_id", "person_id", "event_type", "start_date", "end_date", "category",
                 "outcome", "other_la", "source", "source_ref", "detail"],
    )
    if reverse:
        events = events.iloc[::-1].reset_index(drop=True)
        partners = partners.iloc[::-1].reset_index(drop=True)
    return Cohort.from_frames(
        persons=persons, links=links, partners=partners, events=events,
        audit_date="2018-07-31", ics_start_date="2009-04-01", authority="sample", synthetic=synthetic,
    )


def family_members(cohort: Cohort) -> pd.DataFrame:
    return members(cohort, ["M1"])
