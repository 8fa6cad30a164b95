"""Recurrence definitions (DESIGN.md "Definitions") on hand-made children, values by hand.

Day counts used below (calendar days, later - earlier):
  2010-01-01 -> 2011-01-01 = 365 (2010 not leap);  2011-01-01 -> 2012-01-02 = 366
  2012-01-01 -> 2013-01-01 = 366 (29 Feb 2012);    2011-01-01 -> 2013-01-01 = 365 + 366 = 731
  2014-01-01 -> 2016-01-01 = 365 + 365 = 730
  2017-01-01 -> 2017-03-02 = 31 + 28 + 1 = 60;     -> 2017-03-03 = 61
  2018-06-01 -> 2018-07-31 (audit) = 29 + 31 = 60; 2018-06-02 -> 2018-07-31 = 59
  2010-01-01 -> 2010-04-01 = 31 + 28 + 31 = 90;    -> 2010-04-02 = 91
"""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from neglect_analysis.cohort import Cohort
from neglect_analysis.definitions import DEFAULTS
from neglect_analysis.recurrence import (
    COUNT_COLUMNS,
    FLAG_COLUMNS,
    child_recurrence,
    group_recurrence,
    plans_not_sustained,
)
from neglect_analysis.siblings import members

AUDIT = "2018-07-31"


def ev(person, etype, start, end=None, **kw):
    return {"person_id": person, "event_type": etype, "start_date": start, "end_date": end, **kw}


def cohort_of(rows, persons=None, links=None):
    events = pd.DataFrame(rows)
    events["event_id"] = [f"{r['event_type']}-{i}" if "event_id" not in r or pd.isna(r["event_id"])
                          else r["event_id"] for i, r in enumerate(rows)]
    ids = sorted({r["person_id"] for r in rows} | set(persons or []))
    p = pd.DataFrame({"person_id": ids, "dob": "2005-01-01"})
    return Cohort.from_frames(persons=p, events=events, links=links, audit_date=AUDIT)


def rec(c, children):
    return child_recurrence(c, children).set_index("child_id")


def test_columns_all_children_zeros_and_sorted():
    c = cohort_of([ev("B", "contact", "2010-01-01")], persons=["Z", "A"])
    out = child_recurrence(c, ["Z", "B", "A", "B"])
    assert list(out.columns) == ["child_id", *COUNT_COLUMNS, *FLAG_COLUMNS]
    assert out["child_id"].tolist() == ["A", "B", "Z"]
    # A and Z have no events: every count and flag 0. B: one contact, nothing else.
    assert out.drop(columns="child_id").sum(axis=1).tolist() == [0, 1, 0]
    assert (out[list(COUNT_COLUMNS + FLAG_COLUMNS)].dtypes == "int64").all()


def test_rereferrals_365_366_same_day_and_paper():
    c = cohort_of([
        # R1: 2010-01-01, then +365 (re-referral), then +366 (not): 3 referrals, 1 re-referral.
        ev("R1", "referral", "2010-01-01", "2010-02-01"),
        ev("R1", "referral", "2011-01-01"),
        ev("R1", "referral", "2012-01-02"),
        # R2: two referrals the same day: the second is a re-referral (difference 0).
        ev("R2", "referral", "2010-05-05"),
        ev("R2", "referral", "2010-05-05"),
        # R3: ICS referral then a paper-typed referral 151 days later: 2 referrals, 1 re-referral.
        ev("R3", "referral", "2010-01-01"),
        ev("R3", "referral", "2010-06-01", source="paper", event_id="paper_records:1"),
        # R4: close date of the first is irrelevant: referrals 2010-01-01 (closed 2010-12-31)
        # and 2011-06-01 (516 days after the first referral date): no re-referral.
        ev("R4", "referral", "2010-01-01", "2010-12-31"),
        ev("R4", "referral", "2011-06-01"),
    ])
    out = rec(c, ["R1", "R2", "R3", "R4"])
    assert out["n_referrals"].tolist() == [3, 2, 2, 2]
    assert out["n_rereferrals_12m"].tolist() == [1, 1, 1, 0]


def test_child_events_out_of_order_are_sorted_first():
    # A ChildEvents whose rows are not by child and date (made by hand, reversed) gives the
    # counts worked by hand above: the order is checked, and sorted when it is not kept.
    # R1: referrals 2010-01-01, 2011-01-01 (+365: re-referral), 2012-01-02 (+366: not).
    # R2: contacts 2017-01-01, 2017-02-01, 2017-03-02 (last - first = 60 days: a series of 3).
    from neglect_analysis.family import ChildEvents

    c = cohort_of([
        ev("R1", "referral", "2010-01-01"), ev("R1", "referral", "2011-01-01"),
        ev("R1", "referral", "2012-01-02"),
        ev("R2", "contact", "2017-01-01"), ev("R2", "contact", "2017-02-01"),
        ev("R2", "contact", "2017-03-02"),
    ])
    kids = ChildEvents.of(c, ["R1", "R2"])
    reversed_kids = ChildEvents(kids.ids, kids.events.iloc[::-1], kids.codes)
    for k in (kids, reversed_kids):
        out = child_recurrence(c, k)
        assert out["n_referrals"].tolist() == [3, 0]
        assert out["n_rereferrals_12m"].tolist() == [1, 0]
        assert out["contact_series"].tolist() == [0, 1]


def test_rereferral_window_is_a_parameter():
    c = cohort_of([ev("R1", "referral", "2010-01-01"), ev("R1", "referral", "2011-01-01")])
    # 365 days apart: counted with the default, not with a 364-day window.
    assert child_recurrence(c, ["R1"], definitions=replace(DEFAULTS, rereferral_days=364))["n_rereferrals_12m"].tolist() == [0]


def test_s47_not_progressing_to_icpc():
    c = cohort_of([
        # S1: ICPC linked to the S47, 151 days later (outside 60): progressed -> 0.
        ev("S1", "s47", "2017-01-01", event_id="s47-S1"),
        ev("S1", "icpc", "2017-06-01", linked_event_id="s47-S1", event_id="icpc-S1"),
        # S2: unlinked ICPC exactly 60 days after: progressed -> 0.
        ev("S2", "s47", "2017-01-01", event_id="s47-S2"),
        ev("S2", "icpc", "2017-03-02", event_id="icpc-S2"),
        # S3: unlinked ICPC 61 days after: not progressing -> 1.
        ev("S3", "s47", "2017-01-01", event_id="s47-S3"),
        ev("S3", "icpc", "2017-03-03", event_id="icpc-S3"),
        # S4: no ICPC after (one the day before does not count) -> 1.
        ev("S4", "s47", "2017-01-01", event_id="s47-S4"),
        ev("S4", "icpc", "2016-12-31", event_id="icpc-S4"),
        # S5: one S47 60 days before audit (judged, no ICPC -> 1) and one 59 days before
        # audit (too recent to judge -> 0): n_s47 2, not progressing 1.
        ev("S5", "s47", "2018-06-01", event_id="s47-S5a"),
        ev("S5", "s47", "2018-06-02", event_id="s47-S5b"),
        # S6: a sibling's ICPC within 60 days does not count for this child -> 1.
        ev("S6", "s47", "2017-01-01", event_id="s47-S6"),
        ev("S7", "icpc", "2017-01-10", event_id="icpc-S7"),
    ])
    out = rec(c, ["S1", "S2", "S3", "S4", "S5", "S6"])
    assert out["n_s47"].tolist() == [1, 1, 1, 1, 2, 1]
    assert out["n_s47_no_icpc"].tolist() == [0, 0, 1, 1, 1, 1]


def test_repeat_cp_plans_730_731_open_and_overlap():
    c = cohort_of([
        # P1: plans (start..end) 2010-01-01..2011-01-01, 2013-01-01..2013-06-01 (731 days after
        # the previous end: not within 2y), 2013-07-01..2014-01-01 (30 days after: counted),
        # 2016-01-01 (730 days after 2014-01-01: counted). 4 plans, 3 repeats, 2 within 2y.
        ev("P1", "cp_plan", "2010-01-01", "2011-01-01"),
        ev("P1", "cp_plan", "2013-01-01", "2013-06-01"),
        ev("P1", "cp_plan", "2013-07-01", "2014-01-01"),
        ev("P1", "cp_plan", "2016-01-01"),
        # P2: first plan still open (no end) when the second starts: 1 repeat, not counted in 2y.
        ev("P2", "cp_plan", "2010-01-01"),
        ev("P2", "cp_plan", "2010-06-01", "2011-01-01"),
        # P3: second plan starts the day the first ends (difference 0): counted.
        ev("P3", "cp_plan", "2010-01-01", "2010-06-01"),
        ev("P3", "cp_plan", "2010-06-01"),
        # P4: overlapping plans (second starts before the first ends): not counted.
        ev("P4", "cp_plan", "2010-01-01", "2011-01-01"),
        ev("P4", "cp_plan", "2010-06-01", "2010-09-01"),
        # P5: a single plan: no repeat.
        ev("P5", "cp_plan", "2010-01-01", "2011-01-01"),
    ])
    out = rec(c, ["P1", "P2", "P3", "P4", "P5"])
    assert out["n_cp_plans"].tolist() == [4, 2, 2, 2, 1]
    assert out["n_repeat_cp_plans"].tolist() == [3, 1, 1, 1, 0]
    assert out["n_repeat_cp_plans_2y"].tolist() == [2, 0, 1, 0, 0]


def test_contact_series_boundaries():
    k1 = ["2010-01-01", "2010-06-01", "2011-01-01"]  # last - first = 365
    rows = []
    for child in ("K1", "K3", "K4", "K5"):
        rows += [ev(child, "contact", d) for d in k1]
    rows += [
        # K2: last - first = 2012-01-01 -> 2013-01-01 = 366 -> no series.
        ev("K2", "contact", "2012-01-01"), ev("K2", "contact", "2012-06-01"),
        ev("K2", "contact", "2013-01-01"),
        # K3: referral on the first day -> no series; K4: on the last day -> no series.
        ev("K3", "referral", "2010-01-01"),
        ev("K4", "referral", "2011-01-01"),
        # K5: referrals the day before the first and the day after the last -> series.
        ev("K5", "referral", "2009-12-31"), ev("K5", "referral", "2011-01-02"),
        # K6: contacts 2010-01-01, 2010-06-01, 2011-01-02, 2011-03-01 and a referral on
        # 2010-01-01: (1,2,3) spans 366 days and has the referral; (2,3,4) spans
        # 2010-06-01 -> 2011-03-01 = 273 days with no referral -> series.
        ev("K6", "contact", "2010-01-01"), ev("K6", "contact", "2010-06-01"),
        ev("K6", "contact", "2011-01-02"), ev("K6", "contact", "2011-03-01"),
        ev("K6", "referral", "2010-01-01"),
        # K7: only two contacts -> no series.
        ev("K7", "contact", "2010-01-01"), ev("K7", "contact", "2010-01-02"),
        # K8: three contacts on the same day (span 0), one from paper -> series.
        ev("K8", "contact", "2015-01-01"), ev("K8", "contact", "2015-01-01"),
        ev("K8", "contact", "2015-01-01", source="paper", event_id="paper_records:9"),
    ]
    out = rec(cohort_of(rows), [f"K{i}" for i in range(1, 9)])
    assert out["contact_series"].tolist() == [1, 0, 0, 0, 1, 1, 0, 1]
    assert out["n_contacts"].tolist() == [3, 3, 3, 3, 3, 4, 2, 3]


def test_early_help_not_engaged():
    c = cohort_of([
        # H1: "Engaged - outcomes met" -> 0.
        ev("H1", "early_help", "2010-01-01", "2010-06-01", outcome="Engaged - outcomes met"),
        # H2: "Declined" -> 1; H3: "Family REFUSED support" -> 1; H4: "Disengaged" -> 1;
        # H5: "not engaged with service" -> 1.
        ev("H2", "early_help", "2010-01-01", "2010-06-01", outcome="Declined"),
        ev("H3", "early_help", "2010-01-01", "2010-06-01", outcome="Family REFUSED support"),
        ev("H4", "early_help", "2010-01-01", "2010-06-01", outcome="Disengaged"),
        ev("H5", "early_help", "2010-01-01", "2010-06-01", outcome="Not engaged with service"),
        # H6: advice contact, early help (engaged) starts 90 days later -> 0.
        ev("H6", "contact", "2010-01-01", outcome="ADVICE_FLAG;NFA_FLAG"),
        ev("H6", "early_help", "2010-04-01", outcome="Engaged - outcomes met"),
        # H7: advice contact, early help 91 days later -> 1.
        ev("H7", "contact", "2010-01-01", outcome="NFA_FLAG;ADVICE_FLAG"),
        ev("H7", "early_help", "2010-04-02", outcome="Engaged - outcomes met"),
        # H8: advice contact, early help only before it (the day before) -> 1.
        ev("H8", "early_help", "2009-12-31", outcome="Engaged - outcomes met"),
        ev("H8", "contact", "2010-01-01", outcome="ADVICE_FLAG"),
        # H9: contact without the advice flag and no early help -> 0.
        ev("H9", "contact", "2010-01-01", outcome="NFA_FLAG"),
        # H10: advice contact with early help the same day (0 days) -> 0.
        ev("H10", "contact", "2010-01-01", outcome="ADVICE_FLAG"),
        ev("H10", "early_help", "2010-01-01", outcome=None),
    ])
    out = rec(c, [f"H{i}" for i in range(1, 11)])
    assert out.loc[[f"H{i}" for i in range(1, 11)], "eh_not_engaged"].tolist() == [
        0, 1, 1, 1, 1, 0, 1, 1, 0, 0]


# --------------------------------------------------------------------------- group level
def _family():
    """Mother M (index) with children A (father F1), B (F2), C (F1), D (father unknown).

    Factors recorded on any event:
      A: 3B, 4B, 16A   B: 3C, 1B   C: 1B, 16A   D: 4B
    domestic abuse: A (F1), B (F2) -> 2 other parents -> recurrent
    substance misuse: B (F2), C (F1) -> recurrent
    mental health: A (F1), D (unknown, not counted) -> 1 -> not recurrent
    neglect: A (F1), C (F1) -> 1 other parent -> not recurrent
    """
    persons = pd.DataFrame({
        "person_id": ["M", "F1", "F2", "A", "B", "C", "D", "X"],
        "dob": ["1975-01-01", "1970-01-01", "1972-01-01", "1993-01-01", "1998-01-01",
                "2003-01-01", "2008-01-01", "2000-01-01"],
    })
    links = pd.DataFrame({
        "parent_id": ["M", "M", "M", "M", "F1", "F2", "F1", "N"],
        "child_id": ["A", "B", "C", "D", "A", "B", "C", "X"],
        "relationship": ["mother_of"] * 4 + ["father_of"] * 3 + ["mother_of"],
    })
    events = pd.DataFrame([
        ev("A", "assessment", "2000-01-01", factors="3B,4B"),
        ev("A", "referral", "2001-01-01", factors="16A"),
        ev("A", "referral", "2001-06-01"),
        ev("B", "assessment", "2005-01-01", factors=" 3C , 1B"),
        ev("B", "contact", "2004-01-01"),
        ev("C", "assessment", "2006-01-01", factors="1B,16A"),
        ev("D", "assessment", "2009-01-01", factors="4B"),
        ev("X", "assessment", "2009-01-01", factors="3A"),
    ])
    events["event_id"] = [f"e{i}" for i in range(len(events))]
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date=AUDIT)


def test_group_recurrence_sums_and_themes():
    c = _family()
    m = members(c, ["M", "F1"])
    g = group_recurrence(c, m, child_recurrence(c, m)).set_index("parent_id")
    assert g.index.tolist() == ["F1", "M"]
    # M: children A, B, C, D; referrals A 2 (second 151 days later: 1 re-referral); contact B 1.
    assert g.loc["M", "n_children"] == 4
    assert g.loc["M", "n_referrals"] == 2 and g.loc["M", "n_rereferrals_12m"] == 1
    assert g.loc["M", "n_contacts"] == 1
    assert g.loc["M", "n_children_contact_series"] == 0
    assert bool(g.loc["M", "recurrent_domestic_abuse"])
    assert bool(g.loc["M", "recurrent_parental_substance_misuse"])
    assert not g.loc["M", "recurrent_parental_mental_health"]
    assert not g.loc["M", "recurrent_neglect"]
    assert g.loc["M", "recurrent_themes"] == "domestic_abuse; parental_substance_misuse"
    # F1: children A and C, whose other parent is M for both -> nothing recurrent.
    assert g.loc["F1", "n_children"] == 2
    assert g.loc["F1", "recurrent_themes"] == ""
    assert not g.loc["F1", ["recurrent_domestic_abuse", "recurrent_neglect"]].any()


def test_group_recurrence_no_factors_at_all():
    c = cohort_of([ev("A", "contact", "2010-01-01")])
    c = c.with_tables(links=pd.DataFrame({"parent_id": ["M"], "child_id": ["A"],
                                          "relationship": ["mother_of"], "source": ["relationships"]}))
    g = group_recurrence(c, members(c, ["M"]), child_recurrence(c, ["A"]))
    assert g["recurrent_themes"].tolist() == [""]
    assert g["n_contacts"].tolist() == [1]


def test_plans_not_sustained():
    # Mother M: children A, B. Mother N: child X (not a sibling of A).
    persons = pd.DataFrame({"person_id": ["M", "N", "A", "B", "X"],
                            "dob": ["1970-01-01", "1970-01-01", "1995-01-01", "1997-01-01", "1996-01-01"]})
    links = pd.DataFrame({"parent_id": ["M", "M", "N"], "child_id": ["A", "B", "X"],
                          "relationship": "mother_of"})
    events = pd.DataFrame([
        # A plan 1 ends 2011-01-01; sibling B referred 2012-01-01 (365 days) -> not sustained.
        ev("A", "cp_plan", "2010-01-01", "2011-01-01", event_id="p1"),
        ev("B", "referral", "2012-01-01", event_id="r1"),
        # A plan 2 starts 2013-01-01 (731 days after plan 1's end: not a re-plan for plan 1).
        # Plan 2 ends 2014-01-01; X (not a sibling) referred 2014-02-01: ignored; B referred
        # 2015-01-02 (366 days): outside; A plan 3 starts 2016-01-01 (730 days) -> replanned.
        ev("A", "cp_plan", "2013-01-01", "2014-01-01", event_id="p2"),
        ev("X", "referral", "2014-02-01", event_id="r2"),
        ev("B", "referral", "2015-01-02", event_id="r3"),
        ev("A", "cp_plan", "2016-01-01", None, event_id="p3"),  # open: no row
        # B's plan starts and ends the same day; nothing follows it; it is not its own re-plan.
        ev("B", "cp_plan", "2017-01-01", "2017-01-01", event_id="p4"),
    ])
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date=AUDIT)
    out = plans_not_sustained(c, members(c, ["M", "N"]))
    assert out["event_id"].tolist() == ["p1", "p2", "p4"]
    assert out["rereferred"].tolist() == [True, False, False]
    assert out["replanned"].tolist() == [False, True, False]
    assert out["not_sustained"].tolist() == [True, True, False]
    # With a 364-day referral window, p1 is sustained (B's referral was 365 days later).
    out = plans_not_sustained(c, members(c, ["M", "N"]), definitions=replace(DEFAULTS, not_sustained_rereferral_days=364))
    assert out["not_sustained"].tolist() == [False, True, False]


def test_inputs_not_mutated():
    c = _family()
    before = c.events.copy()
    m = members(c, ["M"])
    m_before = m.copy()
    group_recurrence(c, m, child_recurrence(c, m))
    plans_not_sustained(c, m)
    pd.testing.assert_frame_equal(c.events, before)
    pd.testing.assert_frame_equal(m, m_before)


def test_s47_judged_counts_only_enquiries_at_least_60_days_old():
    # Audit 2018-07-31. S47 on 2018-06-01: 60 days before audit (30 June + 31 July = 60) -> judged.
    # S47 on 2018-06-02: 59 days -> too recent, not judged. S47 with no ICPC in 2010 -> judged.
    c = cohort_of([ev("A", "s47", "2018-06-01"), ev("A", "s47", "2018-06-02"), ev("A", "s47", "2010-01-01")])
    out = rec(c, ["A"])
    assert out.loc["A", "n_s47"] == 3
    assert out.loc["A", "n_s47_judged"] == 2
    assert out.loc["A", "n_s47_no_icpc"] == 2


def test_rows_count_the_events_selected_as_if_the_others_were_absent():
    # The hand extract's children with every event, and with the events of one type left out
    # by ``rows``: the same counts as the events without those rows, copied (ChildEvents of the
    # kept rows), and the left-out type counts 0.
    from pathlib import Path

    from neglect_analysis import io
    from neglect_analysis.family import ChildEvents
    from neglect_analysis.recurrence import child_recurrence
    from neglect_analysis.siblings import members

    cohort, _ = io.load_extract(Path(__file__).parent / "extracts" / "hand")
    kids = ChildEvents.of(cohort, members(cohort, ["0012", "0020", "0040"]))
    full = child_recurrence(cohort, kids)
    assert full["n_referrals"].sum() > 0 and full["n_cp_plans"].sum() > 0  # something counted
    pd.testing.assert_frame_equal(child_recurrence(cohort, kids, rows=np.ones(len(kids.events), bool)), full)
    keep = (kids.events["event_type"] != "referral").to_numpy()
    masked = child_recurrence(cohort, kids, rows=keep)
    copied = child_recurrence(cohort, ChildEvents(kids.ids, kids.events[keep], kids.codes))
    pd.testing.assert_frame_equal(masked, copied)
    assert masked["n_referrals"].sum() == 0 and (masked["n_cp_plans"] == full["n_cp_plans"]).all()
    with pytest.raises(ValueError, match="rows: 2 values for"):
        child_recurrence(cohort, kids, rows=[True, False])


def test_in_child_date_order_by_hand():
    from neglect_analysis.recurrence import by_child_and_date, in_child_date_order

    d = np.array(["2012-05-01", "2010-01-01", "NaT", "2011-01-01", "2011-01-01"], dtype="datetime64[ns]")
    # Child 0: 2012-05-01 then 2010-01-01: earlier date after a later one -> not in order.
    assert not in_child_date_order(np.array([0, 0, 1, 1, 1]), d)
    # Child 0: 2012-05-01; child 1: 2010-01-01, undated, then 2011-01-01: a dated event after an
    # undated one of the same child -> not in order (undated events come last).
    assert not in_child_date_order(np.array([0, 1, 1, 1, 1]), d)
    # Children 0, 1, 2, 3, 3: each child's dates ascend (3: equal dates, allowed); a new child may
    # start at any date -> in order, and by_child_and_date leaves the rows as they are.
    assert in_child_date_order(np.array([0, 1, 2, 3, 3]), d)
    assert by_child_and_date(np.array([0, 1, 2, 3, 3]), d).tolist() == [0, 1, 2, 3, 4]
    # Children 1 then 0: not in order; sorted: child 0 (row 1), child 1 (rows 2, 3, 4, 0 by date,
    # undated last: 2011-01-01 (rows 3, 4, stable), 2012-05-01 (row 0), NaT (row 2)).
    cix = np.array([1, 0, 1, 1, 1])
    assert not in_child_date_order(cix, d)
    assert by_child_and_date(cix, d).tolist() == [1, 3, 4, 0, 2]
