"""Sibling groups on hand-made families; every expected value worked out by hand below.

Audit date 2018-07-31. Index mother M1 (children linked by ``mother_of``):

====  ==========  ======  ===============================================
id    dob         father  notes
====  ==========  ======  ===============================================
A     1987-03-01  F1      adult child (31 at audit)
B     1995-06-15  F1
T2    2005-09-10  F2      twin, listed before T1 in the links
T1    2005-09-10  F2      twin: same dob, so birth order by id (T1 first)
D     2016-02-29  -       unknown father: not counted in n_other_parents
X     (none)      F9      no dob: left out of the group (F9 not counted)
====  ==========  ======  ===============================================

Index father F2: twins T1, T2 (mother M1) and E 2012-04-01 (mother M2). T1 and T2 thus
belong to two index parents' groups.

partner_of rows: (M1, F2, 2004-01-01, 2010-12-31), (P3, M1, 2012-01-01, open) written the
other way round, and (F1, M1, 1986-01-01, 1999-12-31), again partner first.

Days by hand (calendar days, later - earlier):
- age of A: 1987-03-01 -> 2018-03-01 is 31 years = 31*365 + 8 leap days (1988 ... 2016) =
  11323; 2018-03-01 -> 2018-07-31 is 31+30+31+30+30 = 152; total 11475.
- age of D: 2016-02-29 -> 2017-03-01 is 366 (1 day to 1 March, then 365), -> 2018-03-01 another
  365 = 731, + 152 = 883.
- gap A->B: 1987-03-01 -> 1995-03-01 = 8*365 + 2 (1988, 1992) = 2922; -> 1995-06-15 is
  31+30+31 = 92 to 1 June + 14 = 106; total 3028.
- gap B->T1: 1995-06-15 -> 2005-06-15 = 3650 + 3 (1996, 2000, 2004) = 3653; -> 2005-09-10 is
  30 + 31 + 31 - 5 = 87; total 3740.
- gap T1->T2: 0 (twins).
- gap T2->D: 2005-09-10 -> 2015-09-10 = 3650 + 2 (2008, 2012) = 3652; -> 2016-02-29 is
  30+31+30+31+31 = 153 to 10 February + 19 = 172; total 3824.
- check: 3028 + 3740 + 0 + 3824 = 10592 = 11475 - 883 (span A -> D).
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from neglect_analysis.cohort import Cohort
from neglect_analysis.definitions import DEFAULTS
from neglect_analysis.siblings import (
    SIBLING_GROUP_COLUMNS,
    children_table,
    half_sibling_structure,
    index_parents,
    members,
    partner_timeline,
    sibling_groups,
    sibling_pairs,
)

Y = 365.25


def _cohort() -> Cohort:
    persons = pd.DataFrame(
        {
            "person_id": ["M1", "A", "B", "T1", "T2", "D", "X", "E", "M3", "G", "M4", "H", "I"],
            "dob": [
                "1970-01-01", "1987-03-01", "1995-06-15", "2005-09-10", "2005-09-10", "2016-02-29",
                None, "2012-04-01", "1975-01-01", "2000-01-01", "1980-01-01", "2001-01-01",
                "2003-01-01",
            ],
        }
    )
    links = pd.DataFrame(
        [
            ("M1", "A", "mother_of", "relationships"),
            ("M1", "B", "mother_of", "relationships"),
            ("M1", "T2", "mother_of", "relationships"),
            ("M1", "T1", "mother_of", "relationships"),
            ("M1", "D", "mother_of", "relationships"),
            ("M1", "X", "mother_of", "relationships"),
            ("F1", "A", "father_of", "relationships"),
            ("F1", "B", "father_of", "relationships"),
            ("F2", "T1", "father_of", "relationships"),
            ("F2", "T2", "father_of", "relationships"),
            ("F2", "E", "father_of", "relationships"),
            ("M2", "E", "mother_of", "relationships"),
            ("F9", "X", "father_of", "relationships"),
            ("M3", "G", "mother_of", "relationships"),
            ("M4", "H", "mother_of", "ssd_mother"),
            ("M4", "I", "mother_of", "relationships"),
        ],
        columns=["parent_id", "child_id", "relationship", "source"],
    )
    partners = pd.DataFrame(
        [
            ("M1", "F2", "2004-01-01", "2010-12-31"),
            ("P3", "M1", "2012-01-01", None),
            ("F1", "M1", "1986-01-01", "1999-12-31"),
        ],
        columns=["person_id", "partner_id", "start_date", "end_date"],
    )
    return Cohort.from_frames(persons=persons, links=links, partners=partners, audit_date="2018-07-31")


@pytest.fixture
def cohort() -> Cohort:
    return _cohort()


@pytest.fixture
def mem(cohort) -> pd.DataFrame:
    return members(cohort, ["M1", "F2", "M3", "M4"])


def _row(df: pd.DataFrame, parent: str) -> pd.Series:
    return df.set_index("parent_id").loc[parent]


def test_members_birth_order_twins_by_id_and_no_dob_left_out(mem):
    m1 = mem[mem["parent_id"] == "M1"]
    # X has no dob: not a member. Twins T1/T2 share a dob: T1 before T2 by id.
    assert m1["child_id"].tolist() == ["A", "B", "T1", "T2", "D"]
    assert m1["birth_order"].tolist() == [1, 2, 3, 4, 5]
    f2 = mem[mem["parent_id"] == "F2"]
    assert f2["child_id"].tolist() == ["T1", "T2", "E"]
    # adult child A: 11475 days, over 18 * 365.25 = 6574.5
    assert m1.set_index("child_id").loc["A", "age_days"] == 11475


def test_sibling_groups_columns_exact_and_order(cohort, mem):
    g = sibling_groups(cohort, mem)
    assert tuple(g.columns) == SIBLING_GROUP_COLUMNS
    assert g["parent_id"].tolist() == ["F2", "M1", "M3", "M4"]


def test_sibling_group_m1_by_hand(cohort, mem):
    r = _row(sibling_groups(cohort, mem), "M1")
    assert r["n_children"] == 5  # X (no dob) left out
    assert r["youngest_age_days"] == 883
    assert r["eldest_age_days"] == 11475
    assert r["age_span_years"] == pytest.approx(10592 / Y)  # 28.9993
    assert r["max_gap_years"] == pytest.approx(3824 / Y)  # T2 -> D
    # gaps 3028, 3740, 0, 3824 -> median = (3028 + 3740) / 2 = 3384 days
    assert r["median_gap_years"] == pytest.approx(3384 / Y)
    # other birth parents of A, B, T1, T2, D: F1, F2 (D unknown; F9 is X's, X not in group)
    assert r["n_other_parents"] == 2
    # partners: F1, F2 (partner_of and birth parent, counted once), P3 (row written P3 -> M1)
    # = 3 distinct -> 2 changes
    assert r["n_partner_changes"] == 2
    assert r["link_source"] == "relationships"
    assert pd.isna(r["n_children_escalated"])  # no escalation table given


def test_sibling_group_father_with_twins_from_other_group(cohort, mem):
    r = _row(sibling_groups(cohort, mem), "F2")
    assert r["n_children"] == 3
    # T1/T2 -> M1, E -> M2: two other birth parents
    assert r["n_other_parents"] == 2
    # partners of F2: M1 (the row M1 -> F2 read backwards, and birth parent), M2 -> 2 -> 1 change
    assert r["n_partner_changes"] == 1
    assert r["max_gap_years"] == pytest.approx(
        # 2005-09-10 -> 2011-09-10 = 6*365 + 1 leap day (2008-02-29) = 2191;
        # 2011-09-10 -> 2012-04-01 = 20 (to 30 Sep) + 31 + 30 + 31 + 31 + 29 + 31 (to 31 Mar)
        # + 1 = 204; total 2395
        2395 / Y
    )
    assert r["median_gap_years"] == pytest.approx(2395 / 2 / Y)  # gaps 0 and 2395


def test_single_child_no_partner_never_below_zero(cohort, mem):
    r = _row(sibling_groups(cohort, mem), "M3")
    assert r["n_children"] == 1
    assert r["youngest_age_days"] == r["eldest_age_days"]
    assert r["age_span_years"] == 0
    assert pd.isna(r["max_gap_years"]) and pd.isna(r["median_gap_years"])
    assert r["n_other_parents"] == 0
    assert r["n_partner_changes"] == 0  # 0 partners - 1 clipped at 0


def test_mixed_link_source(cohort, mem):
    assert _row(sibling_groups(cohort, mem), "M4")["link_source"] == "relationships+ssd_mother"


def test_n_children_escalated(cohort, mem):
    esc = pd.DataFrame({"child_id": ["A", "B", "T1", "T2", "D", "G", "H", "I"],
                        "escalated": [1, 0, 1, 0, 0, 0, 1, 1]})
    g = sibling_groups(cohort, mem, esc)
    assert _row(g, "M1")["n_children_escalated"] == 2  # A and T1
    assert pd.isna(_row(g, "F2")["n_children_escalated"])  # E missing from the table: NA, not 0
    assert _row(g, "M3")["n_children_escalated"] == 0
    assert _row(g, "M4")["n_children_escalated"] == 2


def test_named_parent_without_dated_children_gets_a_row():
    persons = pd.DataFrame({"person_id": ["M", "K"], "dob": ["1980-01-01", None]})
    links = pd.DataFrame({"parent_id": ["M"], "child_id": ["K"], "relationship": ["mother_of"]})
    c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    m = members(c, ["M"])
    assert len(m) == 0
    g = sibling_groups(c, m, parents=["M"])
    assert g["parent_id"].tolist() == ["M"] and g.loc[0, "n_children"] == 0


def test_inputs_not_mutated(cohort, mem):
    before = mem.copy()
    links_before = cohort.links.copy()
    sibling_groups(cohort, mem)
    sibling_pairs(mem)
    half_sibling_structure(cohort, mem)
    pd.testing.assert_frame_equal(mem, before)
    pd.testing.assert_frame_equal(cohort.links, links_before)


def test_sibling_pairs_by_hand(mem):
    p = sibling_pairs(mem[mem["parent_id"] == "M1"])
    assert p[["elder_id", "younger_id", "gap_days"]].values.tolist() == [
        ["A", "B", 3028],
        ["B", "T1", 3740],
        ["T1", "T2", 0],
        ["T2", "D", 3824],
    ]
    assert p["gap_years"].tolist() == pytest.approx([3028 / Y, 3740 / Y, 0.0, 3824 / Y])


def test_half_sibling_structure_unknown_fathers(cohort, mem):
    h = half_sibling_structure(cohort, mem[mem["parent_id"] == "M1"])
    assert h[["other_parent_id", "n_children", "child_ids"]].values.tolist() == [
        ["F1", 2, "A;B"],
        ["F2", 2, "T1;T2"],
        ["unknown", 1, "D"],
    ]
    assert h["relationship"].iloc[0] == "father_of"
    assert pd.isna(h["relationship"].iloc[2])


def test_partner_timeline_both_directions(cohort):
    t = partner_timeline(cohort, ["M1", "F2"])
    m1 = t[t["person_id"] == "M1"]
    # F1 and F2 have partner_of rows, so no extra birth_parent rows for them
    assert m1[["partner_id", "source"]].values.tolist() == [
        ["F1", "partner_of"],
        ["F2", "partner_of"],
        ["P3", "partner_of"],
    ]
    assert m1["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["1986-01-01", "2004-01-01", "2012-01-01"]
    assert pd.isna(m1["end_date"].iloc[2])  # P3 still a partner
    f2 = t[t["person_id"] == "F2"]
    # M1 from the row M1 -> F2 read backwards; M2 only as E's mother: dated by E's birth
    assert f2[["partner_id", "source"]].values.tolist() == [["M1", "partner_of"], ["M2", "birth_parent"]]
    assert f2["start_date"].iloc[1] == pd.Timestamp("2012-04-01") == f2["end_date"].iloc[1]


def test_children_table_two_index_parents(mem):
    ct = children_table(mem)
    assert list(ct.columns[:6]) == ["child_id", "parent_id", "birth_order", "dob", "age_days", "n_index_parents"]
    t1 = ct[ct["child_id"] == "T1"]
    assert t1["parent_id"].tolist() == ["F2", "M1"]  # one row per index parent
    assert t1["birth_order"].tolist() == [1, 3]
    assert t1["n_index_parents"].tolist() == [2, 2]
    assert t1["index_parent_ids"].tolist() == ["F2;M1", "F2;M1"]
    assert ct.set_index(["child_id", "parent_id"]).loc[("A", "M1"), "n_index_parents"] == 1
    assert len(ct) == 5 + 3 + 1 + 2


def test_index_parents_span_boundary():
    # five children; eldest-youngest 3653 days = 10.0014 years (>= 10, selected);
    # 3652 days = 9.9986 years (< 10, not selected). 10 years = 3652.5 days.
    dobs_a = ["2000-01-01", "2002-01-01", "2004-01-01", "2006-01-01", "2010-01-01"]  # 3653 days
    dobs_b = ["2000-01-02", "2002-01-01", "2004-01-01", "2006-01-01", "2010-01-01"]  # 3652 days
    ids_a = [f"a{i}" for i in range(5)]
    ids_b = [f"b{i}" for i in range(5)]
    persons = pd.DataFrame({"person_id": ids_a + ids_b, "dob": dobs_a + dobs_b})
    links = pd.DataFrame({"parent_id": ["MA"] * 5 + ["MB"] * 5, "child_id": ids_a + ids_b,
                          "relationship": "mother_of"})
    c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    assert list(index_parents(c)) == ["MA"]
    assert list(index_parents(c, definitions=replace(DEFAULTS, min_children=6))) == []


def test_partner_rows_distinct_by_codes_and_dates():
    # M and P are partners twice from 2000-01-01 (the second row written the other way
    # round) and once more from 2005-01-01: two distinct (M, P, dates) rows once read in both
    # directions; a row of M with itself is no partner. No children: no birth parents.
    from neglect_analysis.cohort import Cohort

    partners = pd.DataFrame({"person_id": ["M", "P", "M", "M"], "partner_id": ["P", "M", "P", "M"],
                             "start_date": ["2000-01-01", "2000-01-01", "2005-01-01", "2001-01-01"],
                             "end_date": ["2003-01-01", "2003-01-01", None, None]})
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M", "P"]}), partners=partners,
                           audit_date="2018-07-31")
    t = partner_timeline(c, ["M"])
    assert t["partner_id"].tolist() == ["P", "P"]
    assert t["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2000-01-01", "2005-01-01"]
