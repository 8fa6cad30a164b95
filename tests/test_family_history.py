"""record_sources, older_siblings, contacts and iro on hand-made families; every expected value worked out by hand below.

Family used by most tests (audit 2018-07-31, ICS start 2009-04-01):

  index mother M: A 1990-01-01, B 2000-01-01, C 2005-01-01, C2 2005-01-01 (twin of C)
  index father F: X 1998-01-01, C (C is in both groups)
  index mother N: P 1980-01-01, Q 1990-01-01

  Older siblings (earlier dob, any group; twins are not older):
    A: none   B: A   C: A, B (M) and X (F) = 3   C2: A, B = 2 (not X: C2 is not F's child)
    X: none (eldest of F's group)   P: none   Q: P

  Events:
    A  referral 1995-01-01 (ics); cp_plan 1996-01-01 (source paper); paper 1997-01-01 (paper)
    B  s47 "B1" 2006-01-01; s47 "B2" 2006-06-01
    X  s47 "X1" 2005-06-01
    C  s47 "C1" 2006-01-01 (same day as B1)
    C2 s47 "C2a" 2010-01-01; s47 "C2u" with no date (never a target)
    P  referral 1985-01-01 (source paper)
    Q  s47 "Q1" 1995-01-01
"""
import pandas as pd
import pytest

from neglect_analysis import contacts, iro, older_siblings, record_sources
from neglect_analysis.cohort import Cohort
from neglect_analysis.siblings import members

AUDIT = "2018-07-31"

PERSONS = {"M": "1970-01-01", "F": "1968-01-01", "N": "1960-01-01", "A": "1990-01-01",
           "B": "2000-01-01", "C": "2005-01-01", "C2": "2005-01-01", "X": "1998-01-01",
           "P": "1980-01-01", "Q": "1990-01-01"}
LINKS = [("M", "A"), ("M", "B"), ("M", "C"), ("M", "C2"), ("F", "X"), ("F", "C"), ("N", "P"), ("N", "Q")]
EVENTS = [
    # event_id, person, type, start, source
    ("R1", "A", "referral", "1995-01-01", "ics"),
    ("PL1", "A", "cp_plan", "1996-01-01", "paper"),
    ("PA1", "A", "paper", "1997-01-01", "paper"),
    ("B1", "B", "s47", "2006-01-01", "ics"),
    ("B2", "B", "s47", "2006-06-01", "ics"),
    ("X1", "X", "s47", "2005-06-01", "ics"),
    ("C1", "C", "s47", "2006-01-01", "ics"),
    ("C2a", "C2", "s47", "2010-01-01", "ics"),
    ("C2u", "C2", "s47", None, "ics"),
    ("RP", "P", "referral", "1985-01-01", "paper"),
    ("Q1", "Q", "s47", "1995-01-01", "ics"),
]


def family(events=EVENTS, persons=PERSONS, audit=AUDIT, iro=None):
    p = pd.DataFrame({"person_id": list(persons), "dob": list(persons.values())})
    links = pd.DataFrame(LINKS, columns=["parent_id", "child_id"]).assign(
        relationship=lambda d: d["parent_id"].map({"M": "mother_of", "N": "mother_of", "F": "father_of"}))
    ev = pd.DataFrame(events, columns=["event_id", "person_id", "event_type", "start_date", "source"])
    c = Cohort.from_frames(persons=p, links=links, events=ev, iro_challenges=iro, audit_date=audit)
    return c, members(c, ["F", "M", "N"])


# ------------------------------------------------------------------ older siblings
def test_older_sibling_pairs_twins_and_two_groups():
    _, m = family()
    pairs = older_siblings.older_sibling_pairs(m).values.tolist()
    # see the module docstring: C has A, B (mother's group) and X (father's group); C2 only A, B;
    # the twins C / C2 are not older than each other.
    assert pairs == [["B", "A"], ["C", "A"], ["C", "B"], ["C", "X"], ["C2", "A"], ["C2", "B"], ["Q", "P"]]


def test_older_sibling_pairs_are_coded_and_equal_for_coded_members():
    c, m = family()
    pairs = older_siblings.older_sibling_pairs(m)
    # Coded by the members' children sorted: A B C C2 P Q X -> 0..6. The pairs of the test
    # above: B-A (1, 0), C-A (2, 0), C-B (2, 1), C-X (2, 6), C2-A, C2-B (3, 0/1), Q-P (5, 4).
    assert list(pairs["child_id"].cat.categories) == ["A", "B", "C", "C2", "P", "Q", "X"]
    assert pairs["child_id"].cat.codes.tolist() == [1, 2, 2, 2, 3, 3, 5]
    assert pairs["sibling_id"].cat.codes.tolist() == [0, 0, 1, 6, 0, 1, 4]
    # Members coded in the Cohort's person dtype (every person, sorted: A B C C2 F M N P Q X)
    # give the same pairs, in that dtype's codes (X is 9, not 6).
    coded = m.astype({"parent_id": c.person_dtype, "child_id": c.person_dtype})
    pc = older_siblings.older_sibling_pairs(coded)
    assert pc["child_id"].dtype == c.person_dtype
    assert pc["sibling_id"].cat.codes.tolist() == [0, 0, 1, 9, 0, 1, 7]
    assert pc.astype("string").equals(pairs.astype("string"))


def test_older_sibling_escalation_same_for_coded_members():
    from neglect_analysis.escalation import older_sibling_escalation

    c, m = family()
    # First events as the dates: A 1995-01-01, B 2006-01-01, X 2005-06-01, P 1985-01-01.
    # C's older siblings A, B, X: earliest 1995-01-01; C2 (A, B): 1995-01-01; B (A): 1995-01-01;
    # Q (P): 1985-01-01; A, P, X: none. C and Q have no date of their own (not listed).
    dates = pd.DataFrame({"child_id": ["A", "B", "X", "P"],
                          "escalation_date": pd.to_datetime(["1995-01-01", "2006-01-01", "2005-06-01", "1985-01-01"])})
    want = {"A": "", "B": "1995-01-01", "C": "1995-01-01", "C2": "1995-01-01", "P": "", "Q": "1985-01-01", "X": ""}
    for mm in (m, m.astype({"parent_id": c.person_dtype, "child_id": c.person_dtype})):
        got = older_sibling_escalation(mm, dates)
        assert got.dt.strftime("%Y-%m-%d").fillna("").to_dict() == want
        assert str(got.index.dtype) == "string"


def test_older_sibling_history_counts_by_hand():
    c, m = family()
    h = older_siblings.older_sibling_history(c, m).set_index("event_id")
    # Targets: dated S47s of children with older siblings: B1, B2, C1, C2a, Q1 (not X1: X has no
    # older sibling; not C2u: undated).
    assert list(h.index) == ["B1", "B2", "C1", "C2a", "Q1"]
    assert h["n_older_siblings"].tolist() == [1, 1, 3, 2, 1]
    # B1 (2006-01-01): A's referral 1995, paper plan 1996, paper note 1997 -> referral 1,
    # cp_plan 1, paper 2 (plan and note both from paper); no S47 of A.
    assert h.loc["B1", ["older_referral", "older_s47", "older_cp_plan", "older_care_proceedings",
                        "older_paper"]].tolist() == [1, 0, 1, 0, 2]
    # C1 (2006-01-01): A as above; X's S47 2005-06-01 is earlier -> 1; B's S47 B1 is the same
    # day -> not previous history by default.
    assert h.loc["C1", ["older_referral", "older_s47", "older_cp_plan", "older_paper",
                        "n_older_with_history"]].tolist() == [1, 1, 1, 2, 2]
    # C2a (2010-01-01): older A and B only; B's two S47s (2006) are before -> 2; X not a sibling.
    assert h.loc["C2a", ["older_s47", "n_older_with_history"]].tolist() == [2, 2]
    # Q1 (1995-01-01): P's referral 1985 came from paper records only.
    assert h.loc["Q1", ["older_referral", "older_paper"]].tolist() == [1, 1]
    # Paper only: only Q1 (A's referral R1 is on the electronic record).
    assert h["history_paper_only"].tolist() == [False, False, False, False, True]


def test_older_sibling_history_same_day_option():
    c, m = family()
    h = older_siblings.older_sibling_history(c, m, include_same_day=True).set_index("event_id")
    # C1 on 2006-01-01 now also counts B's S47 B1 of that day: X1 + B1 = 2, siblings A, B, X = 3.
    assert h.loc["C1", ["older_s47", "n_older_with_history"]].tolist() == [2, 3]
    # B1's same-day events of older siblings: none (A has nothing on 2006-01-01).
    assert h.loc["B1", "older_s47"] == 0


def test_older_sibling_history_day_before_boundary():
    # An older sibling's event the day before counts; the same day does not (default).
    ev = [("E1", "A", "cp_plan", "2005-12-31", "ics"), ("E2", "A", "s47", "2006-01-01", "ics"),
          ("T", "B", "s47", "2006-01-01", "ics")]
    c, m = family(events=ev)
    h = older_siblings.older_sibling_history(c, m).set_index("event_id")
    assert h.loc["T", ["older_cp_plan", "older_s47"]].tolist() == [1, 0]


def test_older_sibling_history_other_event_types_and_kinds():
    ev = EVENTS + [("AS1", "B", "assessment", "1998-01-01", "ics")]
    c, m = family(events=ev)
    h = older_siblings.older_sibling_history(c, m, event_types=("assessment",), kinds=("referral",))
    # One assessment of B, 1998: A's referral 1995 before it; only the asked kind is a column.
    assert h["event_id"].tolist() == ["AS1"]
    assert [col for col in h.columns if col.startswith("older_")] == ["older_referral"]
    assert h.loc[0, "older_referral"] == 1
    with pytest.raises(ValueError, match="unknown history kinds"):
        older_siblings.older_sibling_history(c, m, kinds=("school",))


def test_history_known_summary_by_hand():
    c, m = family()
    s = older_siblings.history_known_summary(older_siblings.older_sibling_history(c, m)).set_index("kind")
    # Five targets. referral: all 5; s47: C1 and C2a = 2 (40%); cp_plan: B1, B2, C1, C2a = 4 (80%);
    # care proceedings: none; paper: all 5; any: all 5.
    assert s["n_with"].tolist() == [5, 2, 4, 0, 5, 5]
    assert s["share"].tolist() == [100.0, 40.0, 80.0, 0.0, 100.0, 100.0]
    assert set(s["n_events"]) == {5}


def test_history_known_summary_empty():
    out = older_siblings.history_known_summary(pd.DataFrame({"older_s47": [], "n_older_with_history": []}))
    assert out["n_with"].tolist() == [0, 0] and out["share"].isna().all()


# ------------------------------------------------------------------ record sources
def test_child_record_sources_pre_ics_boundary_and_adults():
    # ICS start 2009-04-01: an event on 2009-03-31 is before it, one on 2009-04-01 is not.
    persons = {"M": "1970-01-01", "A": "2000-07-31", "B": "2000-08-01"}
    ev = [("1", "A", "contact", "2009-03-31", "ics"), ("2", "A", "contact", "2009-04-01", "ics"),
          ("3", "B", "paper", "2001-01-01", "paper"), ("4", "B", "referral", None, "ics")]
    p = pd.DataFrame({"person_id": list(persons), "dob": list(persons.values())})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    e = pd.DataFrame(ev, columns=["event_id", "person_id", "event_type", "start_date", "source"])
    c = Cohort.from_frames(persons=p, links=links, events=e, audit_date="2018-07-31")
    out = record_sources.child_record_sources(c, members(c, ["M"])).set_index("child_id")
    # A turns 18 on 2018-07-31, the audit date: adult. B turns 18 on 2018-08-01: not yet.
    assert out["adult_at_audit"].tolist() == [True, False]
    # A: 2 events, 0 paper, 1 before ICS. B: 2 events (one undated), 1 paper, 1 before ICS
    # (the undated referral is not counted as before).
    assert out[["n_events", "n_events_paper", "n_events_pre_ics"]].values.tolist() == [[2, 0, 1], [2, 1, 1]]
    fam = record_sources.family_record_sources(c, members(c, ["M"]))
    assert fam.drop(columns="parent_id").values.tolist() == [[2, 1, 4, 1, 2, 2]]


@pytest.mark.parametrize("audit, adult", [("2018-02-28", False), ("2018-03-01", True)])
def test_adult_leap_day_birthday(audit, adult):
    # Born 29 Feb 2000: the 18th birthday is 1 March 2018 (2018 is not a leap year).
    p = pd.DataFrame({"person_id": ["M", "L"], "dob": ["1970-01-01", "2000-02-29"]})
    links = pd.DataFrame({"parent_id": ["M"], "child_id": ["L"], "relationship": "mother_of"})
    c = Cohort.from_frames(persons=p, links=links, audit_date=audit)
    out = record_sources.child_record_sources(c, members(c, ["M"]))
    assert out["adult_at_audit"].tolist() == [adult]
    assert out["n_events"].tolist() == [0]


def test_family_record_sources_child_in_two_groups():
    c, m = family()
    fam = record_sources.family_record_sources(c, m).set_index("parent_id")
    # F: X (1 S47) and C (1 S47) = 2 events. M: A 3 (2 paper, 3 before ICS), B 2, C 1, C2 2
    # (one undated) = 8 events, 2 paper, 3 + 2 + 1 = 6 before 2009-04-01 (C2a is 2010, C2u
    # undated). Adults at 2018-07-31: A (28) and B (18 on 2018-01-01); X (20) in F; P, Q in N.
    assert fam.loc["F"].tolist() == [2, 1, 2, 0, 2, 1]
    assert fam.loc["M"].tolist() == [4, 2, 8, 2, 6, 5]
    assert fam.loc["N"].tolist() == [2, 2, 2, 1, 2, 2]


def test_example_families_rule():
    groups = pd.DataFrame({"parent_id": ["A1", "A2", "A3", "A4"], "n_children_escalated": [3, 3, 1, 0],
                           "age_span_years": [10.0, 12.0, 20.0, 11.0]})
    sources = pd.DataFrame({"parent_id": ["A1", "A2", "A3", "A4"], "n_events_paper": [9, 9, 5, 5],
                            "n_events": [10, 50, 40, 40]})
    # First: most escalated (A1, A2 tie on 3) -> wider span A2. Then most paper among the rest:
    # A1 (9); then A3 and A4 tie on paper and events -> by id A3.
    assert record_sources.example_families(groups, sources, n=4) == ["A2", "A1", "A3", "A4"]
    assert record_sources.example_families(groups, sources, n=1) == ["A2"]


# ------------------------------------------------------------------ contact themes
def contacts_cohort():
    ev = pd.DataFrame({
        "person_id": ["A", "A", "A", "A", "A", "A", "B"],
        "event_type": ["contact"] * 6 + ["contact"],
        "start_date": ["2010-01-01", "2010-02-01", "2010-03-01", "2010-04-01", "2010-05-01",
                       "2010-06-01", "2011-01-01"],
        "category": ["2A", "2A", "6", None, "ZZ", None, "6"],
        "outcome": ["NFA_FLAG;ADVICE_FLAG", None, "ADVICE_FLAGX", None, None, "advice_flag", None],
    })
    ev = pd.concat([ev, pd.DataFrame({"person_id": ["A"], "event_type": ["referral"],
                                      "start_date": ["2010-07-01"], "category": ["N1"]})])
    return Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "Z"]}), events=ev, audit_date=AUDIT)


def test_contact_themes_by_hand():
    t = contacts.contact_themes(contacts_cohort(), ["A", "B", "Z"])
    # A: 2A x2 (one with the advice flag among others), 6 x1 (ADVICE_FLAGX is not the flag),
    # ZZ x1 (unknown code, labelled as itself), no code x2 (one with advice_flag, any case);
    # the referral is not a contact. B: 6 x1. Z: no contacts, no rows.
    assert t[["child_id", "source_code", "source", "n_contacts", "n_advice"]].values.tolist() == [
        ["A", "2A", "Schools", 2, 1], ["A", "6", "Police", 1, 0], ["A", "ZZ", "ZZ", 1, 0],
        ["A", "not recorded", "not recorded", 2, 1], ["B", "6", "Police", 1, 0]]
    first = t.set_index(["child_id", "source_code"]).loc[("A", "2A")]
    assert (first["first_date"], first["last_date"]) == (pd.Timestamp("2010-01-01"), pd.Timestamp("2010-02-01"))


def test_contact_source_counts_and_child_themes():
    t = contacts.contact_themes(contacts_cohort(), ["A", "B"])
    counts = contacts.contact_source_counts(t)
    # 2A: 2 contacts, 1 child; 6: 2 contacts (A, B); not recorded: 2, 1 child; ZZ: 1.
    # Most contacts first, ties by code ("2A" < "6" < "not recorded").
    assert counts[["source_code", "n_contacts", "n_children"]].values.tolist() == [
        ["2A", 2, 1], ["6", 2, 2], ["not recorded", 2, 1], ["ZZ", 1, 1]]
    per = contacts.child_contact_themes(t)
    # A: 6 contacts from 4 sources, at most 2 from one, 2 with advice. B: 1, 1, 1, 0.
    assert per.values.tolist() == [["A", 6, 4, 2, 2], ["B", 1, 1, 1, 0]]


# ------------------------------------------------------------------ IRO challenges
def iro_cohort():
    # Mother M: five children K1..K5 (a group of 5); father F: K5 and K6 (a group of 2).
    kids = [f"K{i}" for i in range(1, 7)]
    p = pd.DataFrame({"person_id": ["M", "F"] + kids,
                      "dob": ["1970-01-01", "1968-01-01"] + [f"{2000 + i}-01-01" for i in range(1, 7)]})
    links = pd.DataFrame({"parent_id": ["M"] * 5 + ["F", "F"], "child_id": kids[:5] + ["K5", "K6"],
                          "relationship": ["mother_of"] * 5 + ["father_of"] * 2})
    ev = pd.DataFrame({"event_id": ["p1", "p2", "p3"], "person_id": ["K1", "K5", "K6"], "event_type": "cp_plan",
                       "start_date": ["2010-01-01", "2011-01-01", "2012-01-01"],
                       "end_date": ["2011-01-01", None, None], "category": ["NEG", "EMO", None]})
    iro = pd.DataFrame({"person_id": ["K1", "K1", "K5", "K9"], "cp_plan_id": ["p1", "p1", "p2", "p9"],
                        "challenge_date": ["2010-06-01", "2010-03-01", "2011-05-01", "2012-01-01"],
                        "theme": ["Drift", "Disguised compliance", None, "Drift"],
                        "resolved_date": ["2010-07-01", None, "2011-06-01", None]})
    c = Cohort.from_frames(persons=p, links=links, events=ev, iro_challenges=iro, audit_date=AUDIT)
    return c, members(c, ["F", "M"])


def test_plan_challenges_by_hand():
    c, m = iro_cohort()
    p = iro.plan_challenges(c, m).set_index("event_id")
    # K1: group of 5 -> "5-6". K5: groups of 5 and 2 -> largest 5. K6: only F's group of 2 -> "<5".
    assert p["group_size"].tolist() == [5, 5, 2]
    assert p["group_size_band"].tolist() == ["5-6", "5-6", "<5"]
    # p1: two challenges (earliest 2010-03-01), one resolved; p2: one, resolved; p3: none.
    # The challenge of plan p9 belongs to no plan here and is ignored.
    assert p["n_challenges"].tolist() == [2, 1, 0]
    assert p["n_resolved"].tolist() == [1, 1, 0]
    assert p.loc["p1", "first_challenge_date"] == pd.Timestamp("2010-03-01")
    assert pd.isna(p.loc["p3", "first_challenge_date"])
    assert p["challenged"].tolist() == [True, True, False]
    assert p["category"].tolist() == ["NEG", "EMO", "not recorded"]


@pytest.mark.parametrize("starts, expected", [
    ((2, 5), ["5+", "5+", "2-4"]),     # bands 2-4 and 5+
    ((2, 3), ["3+", "3+", "2"]),       # bands 2 and 3+
    ((5, 6, 7), ["5", "5", "<5"]),     # bands <5, 5, 6, 7+
])
def test_plan_challenges_band_boundaries(starts, expected):
    c, m = iro_cohort()
    # Group sizes of the three plans' children: 5, 5, 2.
    assert iro.plan_challenges(c, m, band_starts=starts)["group_size_band"].tolist() == expected


def test_challenge_coverage_and_themes():
    c, m = iro_cohort()
    p = iro.plan_challenges(c, m)
    cov = iro.challenge_coverage(p)
    # "5-6": 2 plans, both challenged (100%); "<5": 1 plan, none (0%); total 3, 2 (66.7%).
    assert cov[["group_size_band", "n_plans", "n_challenged"]].values.tolist() == [
        ["5-6", 2, 2], ["<5", 1, 0], ["Total", 3, 2]]
    assert cov["share"].round(1).tolist() == [100.0, 0.0, 66.7]
    by_cat = iro.challenge_coverage(p, by="category")
    assert by_cat["category"].tolist() == ["EMO", "NEG", "not recorded", "Total"]
    themes = iro.challenge_themes(c, p)
    # Challenges of p1/p2: "Drift" (p1), "Disguised compliance" (p1), none recorded (p2); all 1.
    # The p9 challenge is not about a plan in the log. Ties sorted by theme.
    assert themes.values.tolist() == [["Disguised compliance", 1, 1], ["Drift", 1, 1], ["not recorded", 1, 1]]


def test_challenge_coverage_empty_log():
    empty = pd.DataFrame({"group_size_band": pd.Series([], dtype="string"), "challenged": pd.Series([], dtype=bool)})
    cov = iro.challenge_coverage(empty)
    assert cov["group_size_band"].tolist() == ["Total"]
    assert cov["n_plans"].tolist() == [0] and cov["share"].isna().all()


def test_inputs_not_mutated():
    c, m = family()
    before = (c.events.copy(), m.copy())
    older_siblings.older_sibling_history(c, m)
    record_sources.family_record_sources(c, m)
    iro.plan_challenges(c, m)
    pd.testing.assert_frame_equal(c.events, before[0])
    pd.testing.assert_frame_equal(m, before[1])


def test_history_words_come_from_the_one_label_map(monkeypatch):
    # Change-proof: the summary's words are labels.HISTORY_KIND_LABELS (and HISTORY_ANY_LABEL).
    from neglect_analysis import labels

    assert older_siblings.HISTORY_KINDS is labels.HISTORY_KIND_LABELS
    monkeypatch.setitem(labels.HISTORY_KIND_LABELS, "s47", "a section 47 enquiry")
    monkeypatch.setattr(labels, "HISTORY_ANY_LABEL", "at least one")
    h = pd.DataFrame({"older_s47": [0, 1], "n_older_with_history": [0, 1]})
    assert older_siblings.history_known_summary(h)["history"].tolist() == ["a section 47 enquiry", "at least one"]
