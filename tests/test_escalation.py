"""Escalation, censoring, family signal day and lead time: hand-made children, values by hand."""
import numpy as np
import pandas as pd
import pytest

from neglect_analysis.cohort import Cohort
from neglect_analysis.escalation import (
    ESCALATION_COLUMNS,
    birthday,
    child_escalation,
    family_signal,
    km_groups,
    km_time_to_escalation,
    logrank_tests,
    look_now,
)
from neglect_analysis.siblings import members

AUDIT = "2018-07-31"
T = pd.Timestamp


def ev(person, etype, start, **kw):
    return {"person_id": person, "event_type": etype, "start_date": start, **kw}


@pytest.fixture
def esc():
    persons = pd.DataFrame([
        ("E1", "2005-01-01", None), ("E2", "2007-01-01", None), ("E3", "2010-05-01", None),
        ("E4", "1992-02-29", None), ("E5", "2008-01-01", "2012-01-01"), ("E6", "2009-01-01", None),
        ("E7", "2015-01-01", None), ("E8", "1980-01-01", None), ("E9", "1992-02-29", None),
    ], columns=["person_id", "dob", "death_date"])
    events = pd.DataFrame([
        # E1: referral 2006-01-01, CLA 2006-06-01, CP plan 2007-01-01 -> CLA first;
        #     days 2006-01-01 -> 2006-06-01 = 31+28+31+30+31 = 151.
        ev("E1", "referral", "2006-01-01"), ev("E1", "cla", "2006-06-01"),
        ev("E1", "cp_plan", "2007-01-01"),
        # E2: care proceedings, CLA and CP plan all on 2008-03-01 -> cp_plan (ESCALATION_TYPES
        #     order); first involvement is that day: days 0.
        ev("E2", "care_proceedings", "2008-03-01"), ev("E2", "cla", "2008-03-01"),
        ev("E2", "cp_plan", "2008-03-01"),
        # E3: pre-birth referral 2010-02-01 (dob 2010-05-01), CP plan at birth 2010-05-01:
        #     days 28 + 31 + 30 = 89 (pre-birth involvement counts).
        ev("E3", "referral", "2010-02-01"), ev("E3", "cp_plan", "2010-05-01"),
        # E4: dob 29 Feb 1992 -> 18th birthday 1 March 2010 (2010 not leap); CP plan on
        #     2010-03-02 is after it: not escalated, censored 2010-03-01;
        #     days 2000-01-01 -> 2010-03-01 = 3653 (10 y, leap 2000/04/08) + 31 + 28 = 3712.
        ev("E4", "contact", "2000-01-01", source="paper"), ev("E4", "cp_plan", "2010-03-02"),
        # E5: died 2012-01-01: censored; days 2009-01-01 -> 2012-01-01 = 3 * 365 = 1095.
        ev("E5", "referral", "2009-01-01"),
        # E6: no events at all.
        # E7: censored at audit: 2018-01-01 -> 2018-07-31 = 31+28+31+30+31+30+30 = 211.
        ev("E7", "contact", "2018-01-01"),
        # E8: first recorded at 30 (after the 18th birthday 1998-01-01): never at risk -> days NA.
        ev("E8", "referral", "2010-01-01"),
        # E9: same dob as E4; CP plan on 2010-03-01, the 18th birthday itself (censor date): counts;
        #     days 2009-03-01 -> 2010-03-01 = 365.
        ev("E9", "paper", "2009-03-01", source="paper", outcome="file_note"),
        ev("E9", "cp_plan", "2010-03-01"),
    ])
    events["event_id"] = [f"e{i}" for i in range(len(events))]
    c = Cohort.from_frames(persons=persons, events=events, audit_date=AUDIT)
    return child_escalation(c, [f"E{i}" for i in range(9, 0, -1)]).set_index("child_id")


def test_birthday_29_february():
    dob = pd.Series(pd.to_datetime(["1992-02-29", "1996-02-29", "2000-03-01", None]))
    # 29 Feb + 18 years is never a leap year -> 1 March; 1992 + 20 = 2012 is leap -> 29 Feb.
    assert birthday(dob).tolist()[:3] == [T("2010-03-01"), T("2014-03-01"), T("2018-03-01")]
    assert pd.isna(birthday(dob).iloc[3])
    assert birthday(dob, years=20).iloc[0] == T("2012-02-29")


def test_columns_and_order(esc):
    assert list(esc.reset_index().columns) == list(ESCALATION_COLUMNS)
    assert esc.index.tolist() == [f"E{i}" for i in range(1, 10)]
    assert esc["escalated"].dtype == "int64"
    assert str(esc["days_to_escalation"].dtype) == "Int64"


def test_escalation_types_and_days(esc):
    assert esc.loc["E1", "escalation_type"] == "cla"
    assert esc.loc["E1", "escalation_date"] == T("2006-06-01")
    assert esc.loc["E1", "days_to_escalation"] == 151
    assert esc.loc["E2", "escalation_type"] == "cp_plan"  # same-day tie: ESCALATION_TYPES order
    assert esc.loc["E2", "days_to_escalation"] == 0
    assert esc.loc["E3", "first_involvement_date"] == T("2010-02-01")  # pre-birth
    assert esc.loc["E3", "days_to_escalation"] == 89
    assert esc.loc["E9", "escalated"] == 1 and esc.loc["E9", "days_to_escalation"] == 365
    assert esc["escalated"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 1]


def test_censoring(esc):
    # E4: 18th birthday of a 29 Feb child is 1 March; the later CP plan does not count.
    assert esc.loc["E4", "censor_date"] == T("2010-03-01")
    assert pd.isna(esc.loc["E4", "escalation_date"]) and pd.isna(esc.loc["E4", "escalation_type"])
    assert esc.loc["E4", "days_to_escalation"] == 3712
    # E5: death.
    assert esc.loc["E5", "censor_date"] == T("2012-01-01")
    assert esc.loc["E5", "days_to_escalation"] == 1095
    # E7: audit date.
    assert esc.loc["E7", "censor_date"] == T(AUDIT)
    assert esc.loc["E7", "days_to_escalation"] == 211
    # E8: first involvement after the censor date: no days.
    assert pd.isna(esc.loc["E8", "days_to_escalation"])


def test_days_to_escalation_censored_at_moving_away():
    """DESIGN.md "Moving away": censored on the RC5 close date unless events here follow."""
    persons = pd.DataFrame({"person_id": ["M1", "M2", "M3", "M4"],
                            "dob": ["2005-01-01", "2005-01-01", "2005-01-01", "2005-01-01"]})
    events = pd.DataFrame([
        # M1: referral 2010-01-01 closed RC5 on 2012-01-01, then nothing: censored there.
        #     days 2010-01-01 -> 2012-01-01 = 365 + 365 = 730; the audit date is not the end.
        ev("M1", "referral", "2010-01-01", end_date="2012-01-01", outcome="RC5"),
        # M2: the same closure, then a contact here on 2013-05-01: the move does not count;
        #     censored at the audit date: 2010-01-01 -> 2018-07-31 = 8 x 365 + 2 (2012, 2016
        #     leap days) + 211 (Jan-Jul 2018) = 3133.
        ev("M2", "referral", "2010-01-01", end_date="2012-01-01", outcome="RC5"),
        ev("M2", "contact", "2013-05-01"),
        # M3: RC5 closure 2012-01-01, then another authority's CP plan on 2013-01-01: it is
        #     still an escalation (history), but after the move: censored at 730 days.
        ev("M3", "referral", "2010-01-01", end_date="2012-01-01", outcome="RC5"),
        ev("M3", "cp_plan", "2013-01-01", other_la=True),
        # M4: early help ended "Moved out of area" on 2011-01-01 after a CP plan on 2010-07-01:
        #     escalated while followed, 2010-01-01 -> 2010-07-01 = 181 days.
        ev("M4", "early_help", "2010-01-01", end_date="2011-01-01", outcome="Moved out of area"),
        ev("M4", "cp_plan", "2010-07-01"),
    ])
    c = Cohort.from_frames(persons=persons, events=events, audit_date=AUDIT)
    out = child_escalation(c, ["M1", "M2", "M3", "M4"]).set_index("child_id")
    assert out["days_to_escalation"].tolist() == [730, 3133, 730, 181]
    assert out["escalated"].tolist() == [0, 0, 1, 1]
    assert out["escalated_while_followed"].tolist() == [0, 0, 0, 1]
    # the censor date (audit, 18th birthday, death) is unchanged: M1 is still followed for the
    # look-now list, which shows the move beside it
    assert (out["censor_date"] == T(AUDIT)).all()
    # Kaplan-Meier: M3's escalation after its move is not an event.
    m = pd.DataFrame({"parent_id": "P", "child_id": ["M1", "M2", "M3", "M4"], "birth_order": [1, 2, 3, 4],
                      "dob": pd.to_datetime(["2005-01-01"] * 4)})
    long = km_groups(out.reset_index(), m, pd.DataFrame({"child_id": [], "older_sibling_escalation_date": []}))
    allg = long[long["group"] == "all"].set_index("child_id")
    assert allg["event"].tolist() == [False, False, False, True]


def test_no_involvement(esc):
    row = esc.loc["E6"]
    assert pd.isna(row["first_involvement_date"]) and pd.isna(row["escalation_date"])
    assert pd.isna(row["censor_date"]) and pd.isna(row["days_to_escalation"])
    assert row["escalated"] == 0


# --------------------------------------------------------------------------- family signal
D = pd.to_datetime


def _members(rows):
    return pd.DataFrame(rows, columns=["parent_id", "child_id", "dob", "birth_order"]).assign(
        dob=lambda d: D(d["dob"]))


def _esc(rows):
    return pd.DataFrame(rows, columns=["child_id", "first_involvement_date", "escalation_date"]).assign(
        first_involvement_date=lambda d: D(d["first_involvement_date"]),
        escalation_date=lambda d: D(d["escalation_date"]),
        escalated=lambda d: d["escalation_date"].notna().astype("int64"),
        censor_date=T(AUDIT))


@pytest.fixture
def sig_data():
    mem = _members([
        # Group M: A, B, C, twins T1/T2, D.
        ("M", "A", "1995-01-01", 1), ("M", "B", "1998-01-01", 2), ("M", "C", "2001-01-01", 3),
        ("M", "T1", "2005-01-01", 4), ("M", "T2", "2005-01-01", 5), ("M", "D", "2008-01-01", 6),
        # Group N: twins U1/U2 and a younger V.
        ("N", "U1", "2010-01-01", 1), ("N", "U2", "2010-01-01", 2), ("N", "V", "2012-01-01", 3),
        # Group P: P1, P2, W.
        ("P", "P1", "2000-01-01", 1), ("P", "P2", "2002-01-01", 2), ("P", "W", "2003-01-01", 3),
        # X has two index parents: eldest in M2, younger than H in F2.
        ("M2", "X", "2000-01-01", 1), ("F2", "H", "1990-01-01", 1), ("F2", "X", "2000-01-01", 2),
    ])
    ce = _esc([
        ("A", "1996-01-01", "2000-01-01"),
        ("B", "1999-01-01", "2000-01-01"),   # same day as A
        ("C", "2001-06-01", "2003-01-01"),
        ("T1", "2005-02-01", None),
        ("T2", "2005-03-01", "2007-01-01"),
        ("D", None, None),
        ("U1", "2010-01-15", "2011-01-01"),
        ("U2", "2010-02-01", None),
        ("V", "2012-02-01", None),
        ("P1", "2001-01-01", "2010-01-01"),
        ("P2", "2002-06-01", "2005-01-01"),
        ("W", "2004-01-01", None),
        ("H", "1991-01-01", "1995-01-01"),
        ("X", "2001-01-01", "2003-01-01"),
    ])
    return mem, ce


def test_family_signal(sig_data):
    mem, ce = sig_data
    s = family_signal(mem, ce).set_index("child_id")
    assert list(s.reset_index().columns)[:3] == ["child_id", "family_signal_date", "lead_time_days"]
    F, L = s["family_signal_date"], s["lead_time_days"]
    # A: eldest, no older sibling -> empty.
    assert pd.isna(F["A"]) and pd.isna(L["A"])
    # B: older A escalated 2000-01-01, the same day as B: F = max(1999-01-01, 2000-01-01)
    #    = 2000-01-01 = E -> F kept, no lead time.
    assert F["B"] == T("2000-01-01") and pd.isna(L["B"])
    # C: older escalations 2000-01-01; F = max(2001-06-01, 2000-01-01) = 2001-06-01;
    #    lead = 2003-01-01 - 2001-06-01 = 365 + 214 = 579.
    assert F["C"] == T("2001-06-01") and L["C"] == 579
    # T1 (not escalated): older A/B/C -> F = first involvement 2005-02-01, no lead.
    assert F["T1"] == T("2005-02-01") and pd.isna(L["T1"])
    # T2: twin T1 is not older; F = 2005-03-01; lead 2005-03-01 -> 2007-01-01 = 365 + 306 = 671.
    assert F["T2"] == T("2005-03-01") and L["T2"] == 671
    # D: no involvement -> empty although older siblings escalated.
    assert pd.isna(F["D"]) and pd.isna(L["D"])
    # U2: only her twin U1 escalated -> no older sibling escalated -> empty.
    assert pd.isna(F["U2"])
    assert s.loc["U2", "older_sibling_escalation_date"] is pd.NaT or pd.isna(
        s.loc["U2", "older_sibling_escalation_date"])
    # V: older twin U1 escalated 2011-01-01 < V's first involvement 2012-02-01 -> F = 2012-02-01.
    assert F["V"] == T("2012-02-01") and pd.isna(L["V"])
    # P2 escalated 2005-01-01; older P1 escalated only in 2010 (after E) -> empty.
    assert pd.isna(F["P2"]) and pd.isna(L["P2"])
    # W (not escalated): older P1 2010, P2 2005 -> earliest 2005-01-01 > first 2004-01-01 -> F = 2005-01-01.
    assert F["W"] == T("2005-01-01")
    # X: eldest in M2 but H (older, group F2) escalated 1995-01-01 -> F = 2001-01-01;
    #    lead = 2003-01-01 - 2001-01-01 = 365 + 365 = 730.
    assert F["X"] == T("2001-01-01") and L["X"] == 730


def test_look_now(sig_data):
    mem, ce = sig_data
    s = family_signal(mem, ce)
    out = look_now(ce, s)
    # F but not escalated: T1, V, W. days_since_signal = audit - F:
    #   T1: 2005-02-01 -> 2018-07-31; V: 2012-02-01 -> 2018-07-31; W: 2005-01-01 -> 2018-07-31.
    assert out["child_id"].tolist() == ["T1", "V", "W"]
    assert out["days_since_signal"].tolist() == [
        (T(AUDIT) - T("2005-02-01")).days, (T(AUDIT) - T("2012-02-01")).days,
        (T(AUDIT) - T("2005-01-01")).days]


def two_parent_cohort() -> Cohort:
    """X's mother M2 (X only child) and father F2 (H older, from another mother); H referred
    1991 and looked after 1995; X's contact 2001 and CP plan 2003."""
    persons = pd.DataFrame({"person_id": ["M2", "F2", "X", "H"],
                            "dob": ["1975-01-01", "1965-01-01", "2000-01-01", "1990-01-01"]})
    links = pd.DataFrame({"parent_id": ["M2", "F2", "F2"], "child_id": ["X", "X", "H"],
                          "relationship": ["mother_of", "father_of", "father_of"]})
    events = pd.DataFrame([
        ev("H", "referral", "1991-01-01"), ev("H", "cla", "1995-01-01"),
        ev("X", "contact", "2001-01-01"), ev("X", "cp_plan", "2003-01-01"),
    ])
    c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date=AUDIT)
    return c


def test_family_signal_through_cohort_two_index_parents():
    # X's mother M2 (X only child) and father F2 (H older, from another mother).
    c = two_parent_cohort()
    m = members(c, ["M2", "F2"])
    ce = child_escalation(c, m)
    s = family_signal(m, ce).set_index("child_id")
    assert s.loc["X", "lead_time_days"] == 730  # 2001-01-01 -> 2003-01-01
    assert pd.isna(s.loc["H", "family_signal_date"])


def test_family_signal_of_a_family_reads_its_pairs_once():
    # Same family as above, given as a Family: the older-sibling pairs are made once (a cached
    # property read by family_signal and by older_sibling_escalation) and the values agree.
    # Pairs by hand: X (2000) has the older sibling H (1990) in F2's group; H has none.
    # H escalated on 1995-01-01 (cla); X's first involvement 2001-01-01, so F = 2001-01-01
    # and X's lead time is 2003-01-01 - 2001-01-01 = 730 days.
    from neglect_analysis.escalation import older_sibling_escalation
    from neglect_analysis.family import Family

    c = two_parent_cohort()
    fam = Family.of(c, members(c, ["M2", "F2"]))
    assert fam.older_sibling_pairs.values.tolist() == [["X", "H"]]
    assert fam.older_sibling_pairs is fam.older_sibling_pairs  # made once
    ce = child_escalation(c, fam)
    older = older_sibling_escalation(fam, ce)
    assert pd.isna(older["H"]) and older["X"] == T("1995-01-01")
    s = family_signal(fam, ce).set_index("child_id")
    assert s.loc["X", "lead_time_days"] == 730
    assert s.loc["X", "family_signal_date"] == T("2001-01-01")
    assert pd.isna(s.loc["H", "family_signal_date"])
    pd.testing.assert_frame_equal(family_signal(fam, ce), family_signal(fam.members, ce))


# --------------------------------------------------------------------------- KM by group
def test_km_groups_and_tables():
    mem = _members([
        ("M", "A", "1990-01-01", 1), ("M", "B", "1995-01-01", 2), ("M", "C", "2000-01-01", 3),
        ("M", "D", "2005-01-01", 4), ("Q", "B", "1995-01-01", 1),
    ])
    ce = pd.DataFrame({
        "child_id": ["A", "B", "C", "D"],
        "days_to_escalation": pd.array([100, 200, 300, pd.NA], dtype="Int64"),
        "escalated": [1, 1, 0, 0],
    })
    sig = pd.DataFrame({"child_id": ["A", "B", "C", "D"],
                        "older_sibling_escalation_date": D([None, "1996-01-01", "1996-01-01", "1996-01-01"])})
    g = km_groups(ce, mem, sig)
    groups = g.groupby("group")["child_id"].apply(sorted).to_dict()
    # D has no involvement (no days): in no group. B is eldest in Q -> eldest. No group
    # "born before / after a sibling's escalation" any more (it used the future).
    assert groups == {
        "all": ["A", "B", "C"],
        "eldest": ["A", "B"],
        "younger": ["C"],
    }
    km = km_time_to_escalation(ce, mem, sig)
    # all: 100 (event, n=3) S = 2/3; 200 (event, n=2) S = 1/3; 300 censored -> no row.
    a = km[km["group"] == "all"]
    assert a["days"].tolist() == [100, 200]
    np.testing.assert_allclose(a["survival"], [2 / 3, 1 / 3], atol=1e-12)
    assert a["at_risk"].tolist() == [3, 2]
    # younger: C censored only -> no rows.
    assert "younger" not in set(km["group"])
    assert set(km["group"]) == {"all", "eldest"}
    lr = logrank_tests(ce, mem, sig)
    assert lr[["group_1", "group_2"]].values.tolist() == [["eldest", "younger"]]
    assert lr[["n_1", "n_2", "events_1", "events_2"]].values.tolist() == [[2, 1, 2, 0]]
