"""The look-now list (actions.look_now_list) and its workbook, on a hand-made family.

Audit date 2018-07-31. Index parents M (children A 2000-01-01, B 2005-01-01, C 2010-06-15) and
F (children D 2008-01-01 and C). Events:

- A: CP plan from 2012-03-01 (A's escalation: the signal of its younger siblings).
- B: contact 2011-01-01 (first involvement); early help from 2017-01-01 and a referral from
  2017-06-01, both open.
- C: contact 2013-05-05 (first involvement); referral 2014-01-01..2014-06-01 closed RC5
  (transferred to another authority), nothing after: moved away on 2014-06-01.
- D: no events (no involvement: not on the list).

By hand:
- B: F = later of 2011-01-01 and 2012-03-01 = 2012-03-01; days to 2018-07-31 =
  2012-03-01..2018-03-01 (6 x 365 + 1 leap day, 2016) 2191 + Mar 31 + Apr 30 + May 31 + Jun 30
  + 30 = 2343. Age: 13 completed years; days 2005-01-01..2018-01-01 = 13 x 365 + 3 (2008,
  2012, 2016) = 4748, + 181 (to 1 July) + 30 = 4959. Open now: CIN (referral) and early help.
- C: F = later of 2013-05-05 and 2012-03-01 = 2013-05-05; days = 2013-05-05..2018-05-05
  (5 x 365 + 1) 1826 + 26 + 30 + 31 = 1913. Age 8; days 2010-06-15..2018-06-15 = 8 x 365 + 2
  = 2922, + 16 + 30 = 2968. Index parents F and M. Older siblings: A and B (group M), D (group
  F); only A escalated. Moved away 2014-06-01; nothing open.
- Most recent signal first: C (1913 days), then B (2343).
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from neglect_analysis.actions import LOOK_NOW_COLUMNS, look_now_list, moved_away_dates
from neglect_analysis.cohort import Cohort
from neglect_analysis.escalation import child_escalation, family_signal
from neglect_analysis.siblings import members
from neglect_analysis.pipeline import build_tables, AnalysisParams
from neglect_analysis.workbook import write_look_now_workbook


def hand_cohort() -> Cohort:
    persons = pd.DataFrame({
        "person_id": ["M", "F", "A", "B", "C", "D"],
        "dob": ["1975-01-01", "1970-01-01", "2000-01-01", "2005-01-01", "2010-06-15", "2008-01-01"],
    })
    links = pd.DataFrame(
        [("M", "A", "mother_of"), ("M", "B", "mother_of"), ("M", "C", "mother_of"),
         ("F", "C", "father_of"), ("F", "D", "father_of")],
        columns=["parent_id", "child_id", "relationship"])
    events = pd.DataFrame(
        [("E1", "A", "cp_plan", "2012-03-01", "2013-03-01", None),
         ("E2", "B", "contact", "2011-01-01", None, None),
         ("E3", "B", "early_help", "2017-01-01", None, None),
         ("E4", "B", "referral", "2017-06-01", None, None),
         ("E5", "C", "contact", "2013-05-05", None, None),
         ("E6", "C", "referral", "2014-01-01", "2014-06-01", "RC5")],
        columns=["event_id", "person_id", "event_type", "start_date", "end_date", "outcome"])
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31",
                              ics_start_date="2009-04-01", synthetic=True, authority="hand")


@pytest.fixture
def listed():
    c = hand_cohort()
    m = members(c, ["M", "F"])
    esc = child_escalation(c, m)
    return c, look_now_list(c, m, esc, family_signal(m, esc))


def test_rows_order_and_columns(listed):
    _, ln = listed
    assert list(ln.columns) == list(LOOK_NOW_COLUMNS)
    assert list(ln.columns[:4]) == ["child_id", "family_signal_date", "censor_date", "days_since_signal"]
    assert ln["child_id"].tolist() == ["C", "B"]  # most recent signal first
    assert ln["days_since_signal"].tolist() == [1913, 2343]


def test_parent_age_and_reason(listed):
    _, ln = listed
    c, b = ln.iloc[0], ln.iloc[1]
    assert (c["parent_id"], b["parent_id"]) == ("F;M", "M")
    assert (c["age_years"], c["age_days"]) == (8, 2968)
    assert (b["age_years"], b["age_days"]) == (13, 4959)
    assert (c["signal_sibling_id"], c["signal_event_type"]) == ("A", "cp_plan")
    assert c["signal_event_date"] == pd.Timestamp("2012-03-01")
    assert c["family_signal_date"] == pd.Timestamp("2013-05-05")
    assert b["reason"] == "older sibling A: Child protection plan from 2012-03-01"


def test_open_services_and_moved_away(listed):
    _, ln = listed
    c, b = ln.iloc[0], ln.iloc[1]
    assert b["open_services_now"] == "CIN, early help"
    assert c["open_services_now"] == "none"
    assert (c["moved_away"], c["moved_away_date"]) == (1, pd.Timestamp("2014-06-01"))
    assert b["moved_away"] == 0 and pd.isna(b["moved_away_date"])



def test_family_gives_the_same_list_from_its_pairs(listed):
    # The run's Family reads its older-sibling pairs (made once) instead of making them: the
    # same list. D escalates too (CLA 2012-03-01, the day A's plan starts): C's signal
    # siblings are then A (group M) and D (group F), joined in dob order (A 2000, D 2008).
    from neglect_analysis.family import Family

    c, ln = listed
    fam = Family.of(c, members(c, ["M", "F"]))
    esc = child_escalation(c, fam)
    pd.testing.assert_frame_equal(look_now_list(c, fam, esc, family_signal(fam, esc)), ln)
    both = Cohort.from_frames(persons=c.persons.astype({"person_id": "string"}),
                              links=c.links.astype({"parent_id": "string", "child_id": "string"}),
                              events=pd.concat([c.events.astype({"person_id": "string", "event_type": "string"}),
                                                pd.DataFrame({"event_id": ["E7"], "person_id": ["D"],
                                                              "event_type": ["cla"],
                                                              "start_date": pd.to_datetime(["2012-03-01"])})]),
                              audit_date="2018-07-31", ics_start_date="2009-04-01")
    fam = Family.of(both, members(both, ["M", "F"]))
    esc = child_escalation(both, fam)
    got = look_now_list(both, fam, esc, family_signal(fam, esc)).set_index("child_id")
    assert got.loc["C", "signal_sibling_id"] == "A; D"
    assert got.loc["C", "signal_event_type"] == "cp_plan; cla"


def test_moved_away_only_without_later_events():
    persons = pd.DataFrame({"person_id": ["A", "B"]})
    # A: early help ended "Moved out of area" 2015-03-01, then a contact 2016-01-01: came back.
    # B: CIN closed RC5 on 2015-06-01 and early help ended "moved" 2016-02-01: the latest counts.
    ev = pd.DataFrame({
        "person_id": ["A", "A", "B", "B"],
        "event_type": ["early_help", "contact", "referral", "early_help"],
        "start_date": ["2014-01-01", "2016-01-01", "2015-01-01", "2015-09-01"],
        "end_date": ["2015-03-01", None, "2015-06-01", "2016-02-01"],
        "outcome": ["Moved out of area", None, "rc5", "Family MOVED"],
    })
    c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    m = moved_away_dates(c, ["B", "A"])
    assert m["child_id"].tolist() == ["A", "B"]
    assert m["moved_away"].tolist() == [0, 1]
    assert m.loc[1, "moved_away_date"] == pd.Timestamp("2016-02-01")


def test_report_tables_carry_the_list():
    t = build_tables(hand_cohort(), AnalysisParams(index_parents=["M", "F"]))
    ln = t.family.look_now
    assert ln["child_id"].tolist() == ["C", "B"]
    assert ln["parent_id"].tolist() == ["F;M", "M"]


def test_workbook(listed, tmp_path):
    c, ln = listed
    p = write_look_now_workbook(c, ln, tmp_path / "look_now.xlsx")
    ws = openpyxl.load_workbook(p)["Look now"]
    # synthetic label, title, one note, then the header in row 4
    assert ws["A1"].value == c.label()
    header = [x.value for x in ws[4]]
    assert header[:4] == ["Child", "Family signal date", "Followed until", "Days since the signal"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=5, values_only=True)]
    assert [r["Child"] for r in rows] == ["C", "B"]
    assert rows[0]["Moved away"] == "Yes" and rows[1]["Moved away"] == "No"
    assert rows[0]["Sibling's escalation"] == "Child protection plan"
    assert rows[0]["Family signal date"] == dt.datetime(2013, 5, 5)
    assert ws.freeze_panes == "B5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_several_older_siblings_escalating_the_same_day():
    # M's children A (2000), A2 (2001), A3 (2002) escalate on the same day 2012-03-01 (A: CP
    # plan, A2: CLA, A3: CP plan); B (2005, contact 2011-01-01) is younger than all three. By
    # hand: B's signal siblings are the three, by dob: "A; A2; A3"; their types once each, in
    # that order: "cp_plan; cla"; the reason names both in words.
    persons = pd.DataFrame({"person_id": ["M", "A", "A2", "A3", "B"],
                            "dob": ["1975-01-01", "2000-01-01", "2001-01-01", "2002-01-01", "2005-01-01"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "A2", "A3", "B"], "relationship": "mother_of"})
    events = pd.DataFrame(
        [("E1", "A", "cp_plan", "2012-03-01"), ("E2", "A2", "cla", "2012-03-01"),
         ("E3", "A3", "cp_plan", "2012-03-01"), ("E4", "B", "contact", "2011-01-01")],
        columns=["event_id", "person_id", "event_type", "start_date"])
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    m = members(c, ["M"])
    esc = child_escalation(c, m)
    ln = look_now_list(c, m, esc, family_signal(m, esc))
    assert ln["child_id"].tolist() == ["B"]
    row = ln.iloc[0]
    assert row["signal_sibling_id"] == "A; A2; A3"
    assert row["signal_event_type"] == "cp_plan; cla"
    assert row["reason"].startswith("older sibling A; A2; A3: ") and row["reason"].endswith(" from 2012-03-01")
    assert row["parent_id"] == "M"
    assert row["open_services_now"] == "none"
