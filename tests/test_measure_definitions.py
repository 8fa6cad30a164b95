"""Issue 12 definitions on a small hand-made extract, every value worked out by hand.

DESIGN.md "Same event once", "This authority's events", "S47 not progressing to ICPC",
"Other LA", "Mature follow-up", "Lead time that matters", "National comparison by period".

Two families, audit date 2018-07-31 (mature follow-up: plans ended on or before
2018-07-31 - 730 days = 2016-07-31).

Family M (lead times): E (1998, eldest), Y1 (2000), Y2 (2002).
- E: referral 2009-10-01; CP plan 2010-01-01 to 2015-01-01 (E's escalation; eldest: never a
  lead time).
- Y1: referral 2009-06-01 (first involvement); CP plan 2010-01-21 to 2017-01-31 (ended 18
  months before the audit: too recent to judge); referral 2015-06-01 (151 days after E's plan
  ended: E's plan was not sustained).
  Family signal F = later of 2009-06-01 and E's escalation 2010-01-01 = 2010-01-01; escalation
  2010-01-21: lead time 20 days (the usual interval, under 90).
- Y2: referral 2009-01-01; CP plan 2010-07-20 to 2016-06-01 (mature; nothing follows it within
  the windows: sustained). F = 2010-01-01; lead time 2010-01-01 -> 2010-07-20 = 31+28+31+30+31
  +30+19 = 200 days (90 or more: "could have been flagged earlier").

Family N (records): D (2004, eldest), C (2006), K (2008).
- D: another authority's CP plan 2012-01-01 to 2012-06-01 (other_la), another authority's paper
  referral 2012-02-01; this authority's referral 2012-12-20 and CP plan 2013-01-01 (open).
  History: 2 referrals 323 days apart (a re-referral in children.csv) and 2 plans (a repeat);
  this authority's own: 1 referral, 1 plan, neither repeated. The other authority's plan ended
  2012-06-01 (mature) and was followed by D's referral 2012-12-20 (202 days): not sustained.
- C: a paper S47 2010-01-01 (cannot link to a conference), ICS CP plan 2010-01-25 (24 days
  later: progressed); an ICS S47 2011-01-01 with no conference or plan (not progressing). C
  escalated 2010-01-25; its older sibling D escalated only in 2012: no family signal before
  C's escalation, no lead time, but C is an escalated child with an older sibling.
- K: only a paper record of type ``other_la_record`` (other-authority history).

Z (2010) belongs to no selected group: the authority's own baseline. Referrals 2015-01-01 and
2015-06-01 (151 days: a re-referral), an S47 2015-06-10 and a neglect CP plan 2015-07-01 (21
days later: progressed).
"""
from __future__ import annotations

import pandas as pd
import pytest

from neglect_analysis.cohort import Cohort
from neglect_analysis.findings import findings
from neglect_analysis.flags import child_flags
from neglect_analysis.io.load import load_extract
from neglect_analysis.pipeline import family_tables
from neglect_analysis.recurrence import child_recurrence

AUDIT = "2018-07-31"


def _cohort() -> Cohort:
    persons = pd.DataFrame({
        "person_id": ["M", "N", "E", "Y1", "Y2", "D", "C", "K", "Z"],
        "dob": ["1975-01-01", "1980-01-01", "1998-01-01", "2000-01-01", "2002-01-01",
                "2004-01-01", "2006-01-01", "2008-01-01", "2010-01-01"],
    })
    links = pd.DataFrame({"parent_id": ["M"] * 3 + ["N"] * 3,
                          "child_id": ["E", "Y1", "Y2", "D", "C", "K"], "relationship": "mother_of"})

    def e(eid, who, kind, start, end=None, other_la=False, source="ics", category=None):
        return dict(event_id=eid, person_id=who, event_type=kind, start_date=start, end_date=end,
                    other_la=other_la, source=source, category=category)

    ev = pd.DataFrame([
        e("RE", "E", "referral", "2009-10-01"),
        e("PE", "E", "cp_plan", "2010-01-01", "2015-01-01", category="NEG"),
        e("RY1a", "Y1", "referral", "2009-06-01"),
        e("PY1", "Y1", "cp_plan", "2010-01-21", "2017-01-31", category="NEG"),
        e("RY1b", "Y1", "referral", "2015-06-01"),
        e("RY2", "Y2", "referral", "2009-01-01"),
        e("PY2", "Y2", "cp_plan", "2010-07-20", "2016-06-01", category="PHY"),
        e("PDola", "D", "cp_plan", "2012-01-01", "2012-06-01", other_la=True, category="NEG"),
        e("paper_records:2", "D", "referral", "2012-02-01", other_la=True, source="paper"),
        e("RD", "D", "referral", "2012-12-20"),
        e("PD", "D", "cp_plan", "2013-01-01", category="NEG"),
        e("paper_records:3", "C", "s47", "2010-01-01", source="paper"),
        e("PC", "C", "cp_plan", "2010-01-25", category="NEG"),
        e("SC", "C", "s47", "2011-01-01"),
        e("paper_records:4", "K", "paper", "2011-05-05", other_la=True, source="paper"),
        # Z: a child of no selected group (the authority's own baseline).
        e("RZ1", "Z", "referral", "2015-01-01"),
        e("RZ2", "Z", "referral", "2015-06-01"),
        e("SZ", "Z", "s47", "2015-06-10"),
        e("PZ", "Z", "cp_plan", "2015-07-01", category="NEG"),
    ])
    # IRO challenges: E's plan (disguised compliance), Y1's plan (drift).
    iro = pd.DataFrame({"person_id": ["E", "Y1"], "cp_plan_id": ["PE", "PY1"],
                        "challenge_date": ["2010-06-01", "2010-06-01"],
                        "theme": ["Disguised compliance", "Drift: core group not meeting"]})
    return Cohort.from_frames(persons=persons, links=links, events=ev, iro_challenges=iro,
                              audit_date=AUDIT, ics_start_date="2009-04-01")


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return _cohort()


@pytest.fixture(scope="module")
def table(cohort) -> pd.DataFrame:
    return findings(cohort, family_tables(cohort, ["M", "N"])).set_index("measure")


def ratio(table, measure):
    row = table.loc[measure]
    return int(row["numerator"]), int(row["denominator"])


def test_paper_s47_followed_by_a_plan_progressed(cohort):
    r = child_recurrence(cohort, ["C"]).set_index("child_id")
    # C's paper S47 (plan 24 days later) progressed; the 2011 ICS S47 did not: 1 of 2 judged.
    assert (r.loc["C", "n_s47_no_icpc"], r.loc["C", "n_s47_judged"]) == (1, 2)


def test_s47_plan_after_the_window_does_not_count():
    # One S47 2010-01-01 and a plan 73 days later (2010-03-15; 31 + 28 + 14): beyond 60 days.
    ev = pd.DataFrame({"person_id": "C", "event_type": ["s47", "cp_plan"],
                       "start_date": ["2010-01-01", "2010-03-15"]})
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["C"]}), events=ev, audit_date=AUDIT)
    assert child_recurrence(c, ["C"])["n_s47_no_icpc"].tolist() == [1]


def test_other_authority_history_counts_in_children_csv_not_in_dfe_findings(cohort, table):
    r = child_recurrence(cohort, ["D"]).set_index("child_id")
    # children.csv counts history: D's two plans (one repeat) and two referrals 323 days apart.
    assert (r.loc["D", "n_cp_plans"], r.loc["D", "n_repeat_cp_plans"]) == (2, 1)
    assert (r.loc["D", "n_referrals"], r.loc["D", "n_rereferrals_12m"]) == (2, 1)
    # Findings compared with DfE: this authority's plans E, Y1, Y2, D (2013), C: none a repeat.
    assert ratio(table, "repeat_cp_plans") == (0, 5)
    # This authority's referrals: E, Y1 (2009 and 2015, 6 years apart), Y2, D (2012-12-20): 0 of 5.
    assert ratio(table, "rereferrals_12m") == (0, 5)
    # This authority's S47s at least 60 days old: C's paper one and C's 2011 one; 1 not progressing.
    assert ratio(table, "s47_not_progressing_to_icpc") == (1, 2)
    # This authority's plans with a category: E, Y1 (NEG), Y2 (PHY), D (NEG), C (NEG): 4 of 5.
    assert ratio(table, "cp_plans_neglect") == (4, 5)


def test_other_la_from_paper_records(cohort):
    # D: a CP plan marked other-LA; K: only an other_la_record paper record; E: none.
    flags = child_flags(cohort, ["D", "K", "E"]).set_index("child_id")["other_la"]
    assert flags.to_dict() == {"D": 1, "E": 0, "K": 1}


def test_mature_follow_up(table):
    # Ended plans: E (2015-01-01), Y1 (2017-01-31, 18 months before the audit), Y2 (2016-06-01),
    # D's other-authority plan (2012-06-01). Mature (ended by 2016-07-31): E, Y2, D's: 3.
    # Not sustained: E (Y1 referred 151 days after), D's (D referred 202 days after); Y2 sustained.
    assert ratio(table, "cp_plans_not_sustained") == (2, 3)
    # Y1's plan is too recent to judge: 1 of 4 ended plans (not counted as sustained).
    assert ratio(table, "cp_plans_too_recent_to_judge") == (1, 4)


def test_lead_time_that_matters(table):
    # Escalated children with an older sibling: Y1 (20 days), Y2 (200 days), C (no lead time);
    # the eldest E and D are left out. 90 days or more: Y2 only.
    assert ratio(table, "escalated_with_lead_time") == (1, 3)
    assert ratio(table, "escalated_with_short_lead_time") == (1, 3)
    # Known lead times 20 and 200 days: median 110.0, range 20.0 to 200.0.
    assert table.loc["escalated_with_lead_time", "summary"] == \
        "lead times median 110.0 days (range 20.0 to 200.0)"


def test_every_point_has_two_measures(table):
    assert (table.groupby("point").size() >= 2).all()
    assert sorted(table["point"].unique()) == [1, 2, 3, 4, 5, 6, 7]


def test_paper_duplicate_merged_by_the_loader(tmp_path):
    """A paper referral 4 days after an ICS referral of the same child is that referral: one
    referral, a validation note naming both; 19 days apart, or another authority's, it stays."""
    (tmp_path / "ssd_person.csv").write_text("pers_person_id,pers_dob\nM,1975-01-01\nA,2005-01-01\n")
    (tmp_path / "relationships.csv").write_text(
        "person_id,related_person_id,relationship\nM,A,mother_of\n")
    (tmp_path / "ssd_cin_episodes.csv").write_text(
        "cine_referral_id,cine_person_id,cine_referral_date\nR1,A,2012-01-01\n")
    (tmp_path / "paper_records.csv").write_text(
        "person_id,event_date,event_type,detail,document_ref,other_la\n"
        "A,2012-01-05,referral,copy of the referral,PF/1/001,N\n"       # row 2: 4 days: merged
        "A,2012-01-20,referral,a later referral,PF/1/002,\n"            # row 3: 19 days: kept
        "A,2012-01-03,referral,other authority's referral,OLA/1/001,Y\n"  # row 4: never merged
        "A,2011-05-05,other_la_record,notes from elsewhere,OLA/1/002,\n"  # row 5: other LA
    )
    cohort, report = load_extract(tmp_path, audit_date=AUDIT)
    notes = report.problems[report.problems["check"] == "same_event"]
    assert notes["row"].tolist() == [2]
    assert notes["severity"].tolist() == ["note"] and notes["action"].tolist() == ["merged"]
    text = notes["problem"].iloc[0]
    assert "PF/1/001" in text and "ssd_cin_episodes:2" in text and "R1" in text
    counts = report.counts.set_index("table").loc["paper_records"]
    # 4 rows read: 3 used, 1 reported (the merged duplicate): read = used + reported; the
    # reported row is merged (a note), not dropped: reported = merged + dropped = 1 + 0.
    assert (counts["rows_read"], counts["rows_used"], counts["rows_reported"]) == (4, 3, 1)
    assert (counts["rows_merged"], counts["rows_dropped"]) == (1, 0)
    assert "  paper_records.csv: 4 read, 3 used, 1 merged (the same event as an extract row), 0 dropped" \
        in report.format().splitlines()
    ev = cohort.events
    referrals = ev[ev["event_type"] == "referral"]
    # R1, the 19-day paper referral and the other authority's: 3 referrals.
    assert len(referrals) == 3
    assert sorted(referrals["other_la"].tolist()) == [False, False, True]
    other = ev[ev["outcome"] == "other_la_record"]
    assert other["event_type"].tolist() == ["paper"] and other["other_la"].tolist() == [True]


def test_authority_baseline_beside_the_cohort(table):
    # Z only: re-referrals 1 of 2; S47s not progressing 0 of 1; repeat plans 0 of 1; neglect 1 of 1.
    got = table[["authority_numerator", "authority_denominator"]].dropna().astype(int)
    assert {m: tuple(v) for m, v in got.iterrows()} == {
        "rereferrals_12m": (1, 2), "s47_not_progressing_to_icpc": (0, 1),
        "repeat_cp_plans": (0, 1), "cp_plans_neglect": (1, 1)}
    assert table.loc["rereferrals_12m", "authority_share"] == 50.0
    # The cohort's own figures are unchanged by Z (see above).
    assert ratio(table, "rereferrals_12m") == (0, 5)


def test_iro_challenges_and_their_themes(table):
    # Plans in the extract (ICS): PE, PY1, PY2, PDola, PD, PC; challenged: PE, PY1.
    assert ratio(table, "cp_plans_with_iro_challenge") == (2, 6)
    # One of the two challenges names disguised compliance; its group M is 1 of 2 groups.
    assert ratio(table, "iro_challenges_disguised_compliance") == (1, 2)
    assert ratio(table, "groups_with_disguised_compliance") == (1, 2)
    assert table.loc["iro_challenges_disguised_compliance", "summary"] == \
        "themes: Disguised compliance 1; Drift: core group not meeting 1"


def test_paper_plans_have_no_challenge_log():
    # A paper plan and an ICS plan, the ICS one challenged: 1 of 1 (the paper plan is left out).
    persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1975-01-01", "2000-01-01", "2003-01-01"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    ev = pd.DataFrame({"event_id": ["paper_records:2", "P1"], "person_id": ["A", "B"],
                       "event_type": "cp_plan", "start_date": ["2005-01-01", "2012-01-01"],
                       "source": ["paper", "ics"]})
    iro = pd.DataFrame({"person_id": ["B"], "cp_plan_id": ["P1"], "challenge_date": ["2012-03-01"]})
    c = Cohort.from_frames(persons=persons, links=links, events=ev, iro_challenges=iro, audit_date=AUDIT)
    t = findings(c, family_tables(c, ["M"])).set_index("measure")
    assert ratio(t, "cp_plans_with_iro_challenge") == (1, 1)


def test_briefing_shows_the_authority_baseline_suppressed():
    from neglect_analysis.briefing import display_table, suppressed_findings
    f = pd.DataFrame({"point": [5, 6], "measure": ["a", "b"], "label": "x", "description": ["A", "B"],
                      "numerator": [10, 20], "denominator": [40, 40], "share": [25.0, 50.0],
                      "national_share": [21.9, float("nan")], "national_year": pd.array([2018, pd.NA], dtype="Int64"),
                      "national_period": ["2017-18", ""],
                      "authority_numerator": pd.array([3, 20], dtype="Int64"),
                      "authority_denominator": pd.array([40, 40], dtype="Int64")})
    out = suppressed_findings(f, threshold=5)
    # 3 of 40: the numerator is 1 to 5, so the share is suppressed (c); 20 of 40: 50.0.
    assert out["authority_share"].tolist() == ["c", "50.0"]
    assert out["national_year"].tolist() == ["2017-18", ""]
    shown = display_table("findings", out)
    assert list(shown.columns)[-3:] == ["Rest of authority (%)", "England (%)", "England, year to 31 March"]
    # Without a baseline the column is not shown.
    plain = suppressed_findings(f.drop(columns=["authority_numerator", "authority_denominator"]))
    assert "Rest of authority (%)" not in display_table("findings", plain).columns
