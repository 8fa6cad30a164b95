"""Findings on a hand-made family, every value worked out by hand (see comments)."""
from __future__ import annotations

import pandas as pd
import pytest

from neglect_analysis.cohort import Cohort
from neglect_analysis.findings import FINDINGS_COLUMNS, FindingsInput, findings
from neglect_analysis.pipeline import AnalysisParams, build_tables, family_tables, select_family

AUDIT = "2018-07-31"


@pytest.fixture(scope="module")
def hand_cohort() -> Cohort:
    # Mother M; A (2000-01-01) by father F1; B (2003-01-01) and C (2006-01-01) by father F2.
    persons = pd.DataFrame({
        "person_id": ["M", "F1", "F2", "A", "B", "C"],
        "dob": ["1975-01-01", "1970-01-01", "1972-01-01", "2000-01-01", "2003-01-01", "2006-01-01"],
    })
    links = pd.DataFrame({
        "parent_id": ["M", "M", "M", "F1", "F2", "F2"],
        "child_id": ["A", "B", "C", "A", "B", "C"],
        "relationship": ["mother_of"] * 3 + ["father_of"] * 3,
    })
    ev = pd.DataFrame([
        # A: referral, then a neglect CP plan 2004-01-01 to 2005-01-01 (A's escalation).
        dict(event_id="R1", person_id="A", event_type="referral", start_date="2003-06-01"),
        dict(event_id="CP1", person_id="A", event_type="cp_plan", start_date="2004-01-01",
             end_date="2005-01-01", category="NEG"),
        # B: one assessment the day before A's plan started, one after; a referral 151 days
        # after A's plan ended (within 365: the plan's changes were not sustained).
        dict(event_id="AS1", person_id="B", event_type="assessment", start_date="2003-12-31"),
        dict(event_id="AS2", person_id="B", event_type="assessment", start_date="2006-01-01"),
        dict(event_id="R2", person_id="B", event_type="referral", start_date="2005-06-01"),
        # C: an assessment after A's plan; an S47 in 2008 with no ICPC (judged: not progressing)
        # and one 30 days before the audit (too recent to judge).
        dict(event_id="AS3", person_id="C", event_type="assessment", start_date="2007-01-01"),
        dict(event_id="S1", person_id="C", event_type="s47", start_date="2008-01-01"),
        dict(event_id="S2", person_id="C", event_type="s47", start_date="2018-07-01"),
    ])
    iro = pd.DataFrame({"person_id": ["A"], "cp_plan_id": ["CP1"], "challenge_date": ["2004-06-01"]})
    return Cohort.from_frames(persons=persons, links=links, events=ev, iro_challenges=iro,
                              audit_date=AUDIT, ics_start_date="2009-04-01")


@pytest.fixture(scope="module")
def table(hand_cohort) -> pd.DataFrame:
    return findings(hand_cohort, family_tables(hand_cohort, ["M"])).set_index("measure")


def ratio(table, measure):
    row = table.loc[measure]
    return int(row["numerator"]), int(row["denominator"])


def test_columns(table):
    assert sorted(table.reset_index().columns) == sorted(FINDINGS_COLUMNS)
    assert sorted(table["point"].unique()) == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("measure, expected", [
    # Younger children B and C: B's 2003-12-31 assessment precedes A's plan (2004-01-01); B's
    # 2006 and C's 2007 assessments follow it: 2 of 3.
    ("younger_assessments_after_older_sibling_cp_plan", (2, 3)),
    # Only A (18.6 years at audit) is an adult: 1 of 3.
    ("children_adult_at_audit", (1, 3)),
    # Two other birth parents (F1, F2): the one group has half-siblings.
    ("groups_with_half_siblings", (1, 1)),
    # All three born before the ICS start (2009-04-01); none has paper records yet.
    ("children_pre_ics_childhood", (3, 3)),
    ("pre_ics_children_without_paper_records", (3, 3)),
    # One judged S47 (2008) with no ICPC; the 2018-07-01 one is 30 days old: not judged.
    ("s47_not_progressing_to_icpc", (1, 1)),
    ("children_repeated_s47", (1, 3)),
    # Two referrals of different children: no re-referral.
    ("rereferrals_12m", (0, 2)),
    ("repeat_cp_plans", (0, 1)),
    ("cp_plans_neglect", (1, 1)),
    # A's plan ended 2005-01-01; sibling B was referred 151 days later.
    ("cp_plans_not_sustained", (1, 1)),
    # A escalated first in the family and is the eldest: no older sibling, so A is not in the
    # base (escalated children with an older sibling): 0 of 0.
    ("escalated_with_lead_time", (0, 0)),
    # B and C have a family signal (A's plan) and no escalation, both under 18: 2 of 3.
    ("children_to_look_at_now", (2, 3)),
    ("cp_plans_with_iro_challenge", (1, 1)),
])
def test_hand_computed_measures(table, measure, expected):
    assert ratio(table, measure) == expected


def test_shares_and_national_figures(table):
    assert table.loc["younger_assessments_after_older_sibling_cp_plan", "share"] == 66.7
    assert table.loc["repeat_cp_plans", "share"] == 0.0
    # National re-referral rate for the collection year nearest the audit (2018-07-31: the
    # year ending 31 March 2018, 2017-18): 21.9% (DOMAIN.md).
    assert table.loc["rereferrals_12m", "national_share"] == 21.9
    assert table.loc["rereferrals_12m", "national_year"] == 2018
    assert table.loc["rereferrals_12m", "national_period"] == "2017-18"
    # S47 not progressing: 100 minus ICPCs per S47 in 2017-18 (79,470 / 198,090 = 40.1%) = 59.9.
    assert table.loc["s47_not_progressing_to_icpc", "national_share"] == 59.9
    assert table.loc["s47_not_progressing_to_icpc", "national_period"] == "2017-18"
    # Neglect: DfE publishes plans at 31 March (A6), 2018: 25,820 / 53,790 = 48.0%; labelled.
    assert table.loc["cp_plans_neglect", "national_share"] == 48.0
    assert "plans in place at 31 March" in table.loc["cp_plans_neglect", "national_source"]
    assert "table A6" in table.loc["cp_plans_neglect", "national_source"]
    # Measures without a national figure have no period.
    assert table.loc["children_adult_at_audit", "national_period"] == ""


def test_run_family_is_read_not_made_again(hand_cohort, table):
    # The run's Family (sibling group of M: A, B, C) handed to the findings is the one every
    # measure reads: its children's events and older-sibling pairs are not made again, and
    # the table is the hand-worked one above (e.g. 2 of 3 younger assessments, 2 of 3 to look at).
    groups = select_family(hand_cohort, AnalysisParams(index_parents=["M"]))
    tables = family_tables(hand_cohort, groups)
    data = FindingsInput(hand_cohort, tables, family=groups)
    assert data.family is groups
    pairs = groups.older_sibling_pairs  # cached on the Family: the findings read this object
    # older siblings: B (older A) and C (older A, B); A has none
    assert sorted(data.has_older_sibling.astype(str)) == ["B", "C"]
    assert groups.older_sibling_pairs is pairs
    found = findings(hand_cohort, tables, groups=groups).set_index("measure")
    pd.testing.assert_frame_equal(found, table)
    assert ratio(found, "younger_assessments_after_older_sibling_cp_plan") == (2, 3)
    assert ratio(found, "children_to_look_at_now") == (2, 3)


def test_build_tables_keeps_the_run_family(hand_cohort):
    run = build_tables(hand_cohort, AnalysisParams(index_parents=["M"]))
    assert list(run.groups.parents) == ["M"]
    assert list(run.groups.children.ids) == ["A", "B", "C"]


def test_family_of_another_cohort_is_refused(hand_cohort):
    other = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M", "A"]}),
                               links=pd.DataFrame({"parent_id": ["M"], "child_id": ["A"],
                                                   "relationship": ["mother_of"]}),
                               audit_date=AUDIT)
    groups = select_family(other, AnalysisParams(index_parents=["M"]))
    with pytest.raises(ValueError, match="another Cohort"):
        FindingsInput(hand_cohort, family_tables(hand_cohort, ["M"]), family=groups)


def test_intervals_with_the_run_family_are_the_same(hand_cohort):
    # findings.csv as the report writes it (with intervals) reads the run's Family; the one
    # family (M) is every bootstrap draw, so each interval is the share itself (2 of 3: 66.7).
    from neglect_analysis.bootstrap import findings_with_intervals

    groups = select_family(hand_cohort, AnalysisParams(index_parents=["M"]))
    tables = family_tables(hand_cohort, groups)
    with_run = findings_with_intervals(hand_cohort, tables, groups=groups).set_index("measure")
    pd.testing.assert_frame_equal(with_run, findings_with_intervals(hand_cohort, tables).set_index("measure"))
    row = with_run.loc["younger_assessments_after_older_sibling_cp_plan"]
    assert (row["ci_lower"], row["ci_upper"]) == (66.7, 66.7)


def test_own_events_of_a_type_leave_other_authorities_out():
    # A: a CP plan here (CP1) and one marked other-LA (CP2, history); B: a referral marked
    # other-LA and a referral here. This authority's CP plans: CP1 only; every CP plan: both.
    persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1975-01-01", "2000-01-01", "2003-01-01"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    ev = pd.DataFrame([
        dict(event_id="CP1", person_id="A", event_type="cp_plan", start_date="2004-01-01", other_la=False),
        dict(event_id="CP2", person_id="A", event_type="cp_plan", start_date="2002-01-01", other_la=True),
        dict(event_id="R1", person_id="B", event_type="referral", start_date="2005-01-01", other_la=True),
        dict(event_id="R2", person_id="B", event_type="referral", start_date="2006-01-01", other_la=False),
    ])
    c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date=AUDIT)
    d = FindingsInput(c, family_tables(c, ["M"]))
    assert d.events_of_type("cp_plan", own=True)["event_id"].tolist() == ["CP1"]
    assert d.events_of_type("cp_plan")["event_id"].tolist() == ["CP2", "CP1"]  # by date at load
    assert d.events_of_type("referral", own=True)["event_id"].tolist() == ["R2"]
    # own_rows: the same rows, every type, marked on the children's events (no copy);
    # own_recurrence counts them
    assert d.family.children.events.loc[d.own_rows, "event_id"].tolist() == ["CP1", "R2"]
    rec = d.own_recurrence.set_index("child_id")
    assert (rec.loc["A", "n_cp_plans"], rec.loc["B", "n_referrals"]) == (1, 1)
