"""Helpers that moved out of notebook cells into the package, worked by hand."""
from __future__ import annotations

import pandas as pd

from neglect_analysis import summaries
from neglect_analysis.cohort import Cohort
from neglect_analysis.notebook import Audit
from neglect_analysis.pipeline import build_tables
from neglect_analysis.siblings import index_parent_roles


def test_gap_bands_are_left_closed():
    # 0.99 -> under 1; 1.0 and 1.99 -> 1-2; 3.0 -> 3-5; 9.99 -> 5-10; 10.0 -> 10+
    pairs = pd.DataFrame({"gap_years": [0.99, 1.0, 1.99, 3.0, 9.99, 10.0]})
    assert summaries.gap_band_counts(pairs)["pairs"].tolist() == [1, 2, 0, 1, 1, 1]


def test_count_table_sorts_by_value_and_labels_as_text():
    t = summaries.count_table(pd.Series([0, 3, 0, 1]), "partner_changes", "sibling_groups")
    assert t.values.tolist() == [["0", 2], ["1", 1], ["3", 1]]


def test_index_parent_roles_by_first_link():
    # M: mother (first link); F: father; P: only a family id (parent_of); X is not asked for.
    links = pd.DataFrame({"parent_id": ["M", "F", "P", "X"], "child_id": ["A", "A", "B", "C"],
                          "relationship": ["mother_of", "father_of", "parent_of", "mother_of"]})
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": list("MFPXABC")}), links=links,
                           audit_date="2018-07-31")
    assert index_parent_roles(c, ["M", "F", "P"]).to_dict() == {"mother_of": 1, "father_of": 1, "parent_of": 1}


def shared_child_audit() -> Audit:
    """M's group has A and B, F's group has A (born 2000-01-01, and B 2005-01-01)."""
    from neglect_analysis.pipeline import AnalysisParams

    persons = pd.DataFrame({"person_id": ["M", "F", "A", "B"],
                            "dob": ["1970-01-01", "1970-01-01", "2000-01-01", "2005-01-01"]})
    links = pd.DataFrame({"parent_id": ["M", "M", "F"], "child_id": ["A", "B", "A"],
                          "relationship": ["mother_of", "mother_of", "father_of"]})
    c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    return Audit(c, None, build_tables(c, AnalysisParams(index_parents=["M", "F"])))


def test_audit_kids_counts_a_child_of_two_index_parents_once():
    # A belongs to M's and F's groups: two rows in children, one in kids.
    a = shared_child_audit()
    assert len(a.family.children) == 3 and sorted(a.kids["child_id"]) == ["A", "B"]


def test_audit_finish_stamps_synthetic_figures_only(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    for synthetic in (True, False):
        c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M"]}), audit_date="2018-07-31",
                               synthetic=synthetic, authority="test")
        fig, ax = plt.subplots()
        Audit(c, None, build_tables(c)).finish(ax, "A title")
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        assert ax.get_title() == "A title"
        assert any("SYNTHETIC" in t.upper() for t in texts) == synthetic
        plt.close(fig)


def test_capped_count_table_groups_the_cap_and_above():
    # values 0,1,1,4,9 with cap 4: 0 x1, 1 x2, "4+" x2 (4 and 9); 2 and 3 absent (no rows)
    t = summaries.capped_count_table(pd.Series([0, 1, 1, 4, 9]), 4, "plans", "children")
    assert t.values.tolist() == [["0", 1], ["1", 2], ["4+", 2]]


def test_event_value_counts_and_case_review_answers_by_hand():
    ev = pd.DataFrame({"person_id": ["A", "B", "B", "Z"], "event_type": ["early_help"] * 3 + ["early_help"],
                       "outcome": ["Declined", None, "Declined", "Moved"]})
    cr = pd.DataFrame({"person_id": ["A", "B", "Z"], "question": ["Used older siblings' history?"] * 3,
                       "answer": ["No", "Yes", "Yes"]})
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "Z"]}), events=ev,
                           case_review=cr, audit_date="2018-07-31")
    # A and B only: Declined x2, one open episode; Z (not asked for) left out
    assert summaries.event_value_counts(c, ["A", "B"], "early_help", "outcome", "(open)").to_dict() == \
        {"(open)": 1, "Declined": 2}
    assert summaries.case_review_answers(c, ["A", "B"], "OLDER SIBLING").to_dict() == {"No": 1, "Yes": 1}


def test_audit_findings_carry_the_family_bootstrap_interval_the_report_quotes():
    # M and F share A, so the run has one family: every draw resamples that family, and the
    # interval of "adult at audit" is the share itself. A (born 2000-01-01) is 18 on
    # 2018-01-01, before the audit date; B (2005) is not: 1 of 2 = 50.0%, interval 50.0 to 50.0.
    a = shared_child_audit()
    row = a.findings.set_index("measure").loc["children_adult_at_audit"]
    assert (row["numerator"], row["denominator"], row["share"]) == (1, 2, 50.0)
    assert (row["ci_lower"], row["ci_upper"]) == (50.0, 50.0)


def test_plan_outcome_words_follow_the_definitions():
    # 3 ended plans, 2 old enough to judge: one re-referred, one re-planned (both not
    # sustained). With re-referral 182 days and re-planning 1,095 days (3 years) the rows say so.
    from dataclasses import replace

    from neglect_analysis.definitions import DEFAULTS
    from neglect_analysis.summaries import plan_outcome_counts

    pns = pd.DataFrame({"rereferred": [True, False, False], "replanned": [False, True, False],
                        "not_sustained": [True, True, False]})
    d = replace(DEFAULTS, not_sustained_rereferral_days=182, not_sustained_replan_days=1095)
    t = plan_outcome_counts(pns, [True, True, False], definitions=d)
    assert t["outcome"].tolist()[2:5] == ["followed up 3 years or more", "  new referral within 182 days",
                                          "  new plan within 3 years"]
    assert t["plans"].tolist() == [3, 1, 2, 1, 1, 2, 0]
    assert plan_outcome_counts(pns, [True, True, False])["outcome"].tolist()[2] == "followed up 2 years or more"
