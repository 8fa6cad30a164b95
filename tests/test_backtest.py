"""Backtest of the family signal, worked by hand on the hand-made extract (tests/extracts/hand).

Hand facts used (EXPECTED.md and the extract's files; audit date 2018-07-31):
- escalations: 0101 CP plan 2005-03-01 (paper); 0103/0104 CP plans 2013-06-03; 0106 care
  proceedings 2016-11-02; 0201 CLA 2012-06-10; 0202 CP plan 2011-09-05; 0203 CP plan
  (other LA) 2011-09-05. 0102 never escalates.
- groups: 0012 = 0101..0106 (birth order as numbered); 0020 = 0201, 0202, 0203, 0103, 0104.
  The groups share the twins, so they are one family.
- dobs: 0102 2000-02-29, 0103/0104 2008-01-15, 0105 2012-06-01, 0201 1997-12-01,
  0202 2001-07-01, 0203 2005-11-11.
"""
from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis import backtest, io, pipeline

HAND = Path(__file__).parent / "extracts" / "hand"


@pytest.fixture(scope="module")
def hand():
    cohort, _ = io.load_extract(HAND)
    t = pipeline.build_tables(cohort)
    return cohort, t


def rows_at(hand, dates):
    cohort, t = hand
    fam = t.family
    concerns = backtest.concern_dates(cohort, fam.members["child_id"].drop_duplicates())
    rules = backtest.rule_dates(fam.members, fam.child_escalation, concerns)
    kids = backtest.backtest_children(cohort, fam.members, fam.child_escalation,
                                      fam.ages[["child_id", "moved_out_date"]],
                                      pipeline.family_clusters(fam.members))
    return backtest.backtest_rows(kids, rules, [pd.Timestamp(d) for d in dates], horizons=(12,),
                                  audit_date=cohort.audit_date)


def test_concern_dates_by_hand(hand):
    cohort, t = hand
    c = backtest.concern_dates(cohort, t.family.members["child_id"].drop_duplicates()).set_index("child_id")
    d = c.apply(lambda s: s.dt.strftime("%Y-%m-%d").fillna(""))
    # 0202: S47 2011-05-01, no linked ICPC, next ICPC 2011-08-25 (116 days) -> known +60 days.
    assert d.loc["0202", "s47_no_icpc_date"] == "2011-06-30"
    # 0203: S47 2011-06-01, unlinked ICPC at 61 days -> not progressing, known 2011-07-31.
    assert d.loc["0203", "s47_no_icpc_date"] == "2011-07-31"
    # 0103: S47 linked to its ICPC -> progressed.
    assert d.loc["0103", "s47_no_icpc_date"] == ""
    # 0105: referrals 2013-01-10, 2014-01-10, 2015-01-11 -> 3rd on 2015-01-11.
    assert d.loc["0105", "third_referral_date"] == "2015-01-11"
    # 0101: first CP plan (paper) 2005-03-01.
    assert d.loc["0101", "cp_plan_date"] == "2005-03-01"


def test_sibling_escalating_after_the_evaluation_date_does_not_flag(hand):
    r = rows_at(hand, ["2011-03-31"])
    esc = r[r["rule"] == "older_sibling_escalated"].set_index("child_id")
    # In the population on 2011-03-31 (born, under 18, not yet escalated): 0102, 0103, 0104,
    # 0201, 0202, 0203. 0101 escalated in 2005; 0105 and 0106 not born.
    assert sorted(esc.index) == ["0102", "0103", "0104", "0201", "0202", "0203"]
    # 0202's older sibling 0201 escalates on 2012-06-10, AFTER the evaluation date: not
    # flagged; 0203's older siblings escalate on 2011-09-05 and 2012-06-10: not flagged.
    assert not esc.loc["0202", "flagged"] and not esc.loc["0203", "flagged"]
    # 0102, 0103, 0104: older sibling 0101 escalated in 2005: flagged.
    assert esc.loc[["0102", "0103", "0104"], "flagged"].all() and not esc.loc["0201", "flagged"]
    # Escalated within 12 months (to 2012-03-31): 0202 and 0203 (2011-09-05); 0201 not (2012-06-10).
    assert sorted(esc.index[esc["escalated"]]) == ["0202", "0203"]


def test_summary_by_hand(hand):
    r = rows_at(hand, ["2011-03-31", "2012-03-31"])
    s = backtest.summarise(r, draws=50, seed=1).set_index(["evaluation_date", "rule"])
    # 2011-03-31, older sibling escalated: 6 children, 3 flagged (0102-0104), no true
    # positive, 2 missed (0202, 0203): sensitivity 0 of 2, PPV 0 of 3, 3 / 6 = 500 per 1,000.
    a = s.loc[("2011-03-31", "older_sibling_escalated")]
    assert (a["n_children"], a["flagged"], a["true_positives"], a["missed"]) == (6, 3, 0, 2)
    assert (a["sensitivity"], a["ppv"], a["alerts_per_1000"]) == (0.0, 0.0, 500.0)
    # Own history by 2011-03-31: 0202's S47 is only known on 2011-06-30; no 3rd referral: none.
    o = s.loc[("2011-03-31", "own_history")]
    assert (o["flagged"], o["missed"]) == (0, 2)
    # 2012-03-31: 0102, 0103, 0104, 0201 (0202/0203 escalated, 0105 not born): 3 flagged;
    # 0201 escalates on 2012-06-10, not flagged (eldest of 0020): missed; 0103/0104 escalate
    # after 2013-03-31: not true positives.
    b = s.loc[("2012-03-31", "older_sibling_escalated")]
    assert (b["n_children"], b["flagged"], b["true_positives"], b["missed"]) == (4, 3, 0, 1)
    # Pooled: 10 child-dates, 6 flagged, 3 missed. One family: every interval is the value.
    p = s.loc[("all", "older_sibling_escalated")]
    assert (p["n_children"], p["flagged"], p["missed"]) == (10, 6, 3)
    assert (p["flagged_lower"], p["flagged_upper"], p["alerts_per_1000_lower"]) == (6.0, 6.0, 600.0)


def test_horizon_needs_full_follow_up():
    # 2017-03-31 + 24 months is after the 2018-07-31 audit: no 24-month row for that date.
    kids = pd.DataFrame({"child_id": ["A"], "family": "F", "dob": pd.to_datetime(["2010-01-01"]),
                         "adult_date": pd.to_datetime(["2028-01-01"]), "death_date": pd.NaT,
                         "escalation_date": pd.NaT, "moved_out_date": pd.NaT})
    rules = pd.DataFrame({"child_id": ["A"], "older_sibling_escalated": pd.NaT,
                          "older_sibling_concern": pd.NaT, "own_history": pd.NaT})
    r = backtest.backtest_rows(kids, rules, [pd.Timestamp("2016-03-31"), pd.Timestamp("2017-03-31")],
                               audit_date="2018-07-31")
    got = sorted(set(zip(r["evaluation_date"], r["horizon_months"])))
    assert got == [("2016-03-31", 12), ("2016-03-31", 24), ("2017-03-31", 12)]


def test_look_now_ranked_by_the_backtested_ppv_of_the_rule_that_flags_each_child():
    # Hand-made: audit 2018-07-31; pooled 12-month PPVs: older sibling escalated 20% (10-30),
    # older sibling concern 25% (15-35), own history 5% (1-9).
    ln = pd.DataFrame({"child_id": ["A", "B", "C", "D"], "days_since_signal": [181, 730, 365, 10]})
    rules = pd.DataFrame({
        "child_id": ["A", "B", "C", "D"],
        # A: both sibling rules; B: escalated only; C: escalated and own history; D: a rule
        # date after the audit date flags nothing.
        "older_sibling_escalated": pd.to_datetime(["2018-01-31", "2016-07-31", "2017-07-31", "2018-08-10"]),
        "older_sibling_concern": pd.to_datetime(["2017-01-31", None, None, None]),
        "own_history": pd.to_datetime([None, None, "2018-06-30", None]),
    })
    summ = pd.DataFrame({"evaluation_date": ["all"] * 3 + ["2012-03-31"], "horizon_months": 12,
                         "rule": list(backtest.RULES) + ["older_sibling_escalated"],
                         "ppv": [20.0, 25.0, 5.0, 90.0], "ppv_lower": [10.0, 15.0, 1.0, 80.0],
                         "ppv_upper": [30.0, 35.0, 9.0, 99.0]})
    r = backtest.rank_look_now(ln, rules, summ, "2018-07-31")
    # A: best rule is the concern (25% > 20%), flagged since 2017-01-31: 365 + 181 = 546 days
    # (Feb-Jul 2018: 28+31+30+31+30+31). C: escalated (20% > own 5%), 2017-07-31: 365 days.
    # B: escalated, 2016-07-31: 730 days. D: none. Order: A (25%), then the 20% ones by the
    # most recent family signal (C 365 days before B 730), then D (no rule) last.
    assert r["child_id"].tolist() == ["A", "C", "B", "D"]
    assert r["rule"].tolist()[:3] == ["older_sibling_concern", "older_sibling_escalated", "older_sibling_escalated"]
    assert pd.isna(r.loc[3, "rule"]) and pd.isna(r.loc[3, "ppv"])
    assert r["ppv"].tolist()[:3] == [25.0, 20.0, 20.0]
    assert r["ppv_lower"].tolist()[:3] == [15.0, 10.0, 10.0] and r["ppv_upper"].tolist()[:3] == [35.0, 30.0, 30.0]
    assert r["signal_age_days"].tolist()[:3] == [546, 365, 730]
    # the list's own columns are kept, and the rank columns follow them
    assert list(r.columns) == ["child_id", "days_since_signal", *backtest.LOOK_NOW_RANK_COLUMNS]
    assert r.set_index("child_id").loc["B", "days_since_signal"] == 730


def test_look_now_csv_is_the_ranked_list(hand):
    cohort, t = hand
    sig = pipeline.signal_tables(cohort, t.family, definitions=t_defs())
    ranked = sig["look_now"]
    # one list: the same children as the unranked list, with the rank columns
    assert sorted(ranked["child_id"]) == sorted(t.family.look_now["child_id"])
    assert set(backtest.LOOK_NOW_RANK_COLUMNS) <= set(ranked.columns)
    ppv = ranked["ppv"].fillna(-1.0).tolist()
    assert ppv == sorted(ppv, reverse=True)
    # equal PPVs: the most recent family signal first
    key = list(zip([-p for p in ppv], ranked["days_since_signal"].astype(int)))
    assert key == sorted(key)
    out = pipeline.with_signal(cohort, t, definitions=t_defs())
    assert out.family.look_now.equals(ranked) and "signal_backtest" in out.extra
    assert "look_now_ranked" not in out.csv_tables()


def t_defs():
    """Few draws: the ranking, not the interval, is under test."""
    from dataclasses import replace

    from neglect_analysis.definitions import DEFAULTS

    return replace(DEFAULTS, bootstrap_draws=50)


def slow_summarise(rows, draws, seed):
    """The restored code's summarise (pooled rows appended, keys joined as text, a draw-count
    matrix per call): the reference the vectorised one must equal."""
    import numpy as np

    from neglect_analysis.bootstrap import bootstrap_shares, bootstrap_sums, canonical_order

    rows = pd.concat([rows, rows.assign(evaluation_date="all")], ignore_index=True)
    fam, _ = pd.factorize(rows["family"].astype("string"), sort=True)
    keys = rows[["evaluation_date", "rule", "horizon_months"]].astype(str).agg("|".join, axis=1)
    key, names = pd.factorize(keys, sort=False)
    nf, nk = fam.max() + 1, len(names)
    fl, es = rows["flagged"].to_numpy(bool), rows["escalated"].to_numpy(bool)

    def per_family(mask):
        m = np.zeros((nf, nk))
        np.add.at(m, (fam[mask], key[mask]), 1.0)
        return m

    n, f, tp, ms = per_family(np.ones(len(rows), bool)), per_family(fl), per_family(fl & es), per_family(~fl & es)
    o = canonical_order(n, f, tp, ms)
    n, f, tp, ms = n[o], f[o], tp[o], ms[o]
    out = rows.groupby(key)[["evaluation_date", "rule", "horizon_months"]].first().reset_index(drop=True)
    for name, v in (("flagged", f), ("true_positives", tp), ("missed", ms)):
        out[name] = v.sum(axis=0).astype(int)
        out[f"{name}_lower"], out[f"{name}_upper"] = bootstrap_sums(v, draws=draws, seed=seed)
    for name, num, d, scale in (("sensitivity", tp, tp + ms, 100.0), ("ppv", tp, f, 100.0),
                                ("alerts_per_1000", f, n, 1000.0)):
        lo, hi = bootstrap_shares(num, d, draws=draws, seed=seed, scale=scale)
        out[f"{name}_lower"], out[f"{name}_upper"] = np.round(lo, 1), np.round(hi, 1)
    return out


def generated_input(folder: Path, n_parents: int, seed: int):
    """The backtest's children, rules and evaluation dates of a generated extract, as the
    report makes them."""
    from neglect_analysis.synthetic import write_extract

    write_extract(folder, n_parents=n_parents, seed=seed)
    cohort, _ = io.load_extract(folder)
    fam = pipeline.build_tables(cohort).family
    concerns = backtest.concern_dates(cohort, fam.members["child_id"].drop_duplicates())
    rules = backtest.rule_dates(fam.members, fam.child_escalation, concerns)
    kids = backtest.backtest_children(cohort, fam.members, fam.child_escalation,
                                      fam.ages[["child_id", "moved_out_date"]], pipeline.family_clusters(fam.members))
    return cohort, kids, rules, backtest.evaluation_dates(cohort.ics_start_date, cohort.audit_date)


def test_summarise_equals_the_slow_version_on_a_generated_extract(tmp_path):
    cohort, kids, rules, dates = generated_input(tmp_path / "x", 12, 5)
    rows = backtest.backtest_rows(kids, rules, dates, audit_date=cohort.audit_date)
    assert rows["family"].nunique() >= 5
    fast = backtest.summarise(rows, draws=300, seed=7)
    slow = slow_summarise(rows, draws=300, seed=7)
    assert len(fast) == len(slow)
    for c in slow.columns:
        a = fast[c].reset_index(drop=True)
        b = slow[c].reset_index(drop=True)
        if c.endswith(("_lower", "_upper")):
            b = b.astype(float).round(1)
        assert a.astype(str).tolist() == b.astype(str).tolist(), c


def hand_counts_input():
    """Four children in three families (hand-made), evaluation dates 1999-03-31, 2011-03-31 and
    2012-03-31, horizons 12 and 24 months, audit date 2013-06-30."""
    kids = pd.DataFrame({
        "child_id": ["A", "B", "C", "D"], "family": ["F", "F", "G", "H"],
        "dob": pd.to_datetime(["2000-01-01", "2005-01-01", "2006-01-01", "2015-01-01"]),
        "adult_date": pd.to_datetime(["2018-01-01", "2023-01-01", "2024-01-01", "2033-01-01"]),
        "death_date": pd.NaT, "moved_out_date": pd.NaT,
        "escalation_date": pd.to_datetime(["2010-06-01", "2012-09-01", None, None]),
    })
    rules = pd.DataFrame({
        "child_id": ["A", "B", "C", "D"],
        "older_sibling_escalated": pd.to_datetime([None, "2010-06-01", None, None]),
        "older_sibling_concern": pd.to_datetime([None, "2011-01-01", None, None]),
        "own_history": pd.to_datetime([None, None, "2011-06-01", None]),
    })
    dates = [pd.Timestamp(d) for d in ("1999-03-31", "2011-03-31", "2012-03-31")]
    return kids, rules, dates


# Worked by hand for hand_counts_input:
# - 1999-03-31: nobody born: no key of that date (as in the rows: a key with no row is not one).
# - 2012-03-31 + 24 months = 2014-03-31 is after the audit (2013-06-30): no such key.
# - So 9 keys: (2011, 12), (2011, 24), (2012, 12), each with the 3 rules in RULES order.
# - Population at 2011-03-31 and at 2012-03-31: B (family F; A escalated 2010-06-01, before
#   both) and C (family G). D (family H) is born in 2015: H has no row, so it is not a family
#   of the counts (a family in the draws changes every interval).
# - flagged: B by older_sibling_escalated (2010-06-01) and older_sibling_concern (2011-01-01)
#   at both dates; C by own_history (2011-06-01) at 2012-03-31 only.
# - escalated: B (2012-09-01) within (2011-03-31, 2013-03-31] (24 months) and within
#   (2012-03-31, 2013-03-31] (12 months); not within (2011-03-31, 2012-03-31].
# - TP: B for both sibling rules at (2011, 24) and (2012, 12); missed: B for own_history there.
HAND_KEYS = [(d, r, h) for d, h in (("2011-03-31", 12), ("2011-03-31", 24), ("2012-03-31", 12))
             for r in backtest.RULES]
HAND_COUNTS = {  # rows F, G; columns the 9 keys above
    "n_children": [[1] * 9, [1] * 9],
    "flagged": [[1, 1, 0, 1, 1, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0, 1]],
    "true_positives": [[0, 0, 0, 1, 1, 0, 1, 1, 0], [0] * 9],
    "missed": [[0, 0, 0, 0, 0, 1, 0, 0, 1], [0] * 9],
}


def counts_as_lists(c):
    keys = list(zip(c.keys["evaluation_date"], c.keys["rule"], c.keys["horizon_months"]))
    return keys, list(c.families), {m: getattr(c, m).tolist() for m in HAND_COUNTS}


@pytest.mark.parametrize("how", ["by date", "from the rows"])
def test_backtest_counts_by_hand(how):
    kids, rules, dates = hand_counts_input()
    if how == "by date":
        c = backtest.backtest_counts(kids, rules, dates, audit_date="2013-06-30")
    else:
        c = backtest.row_counts(backtest.backtest_rows(kids, rules, dates, audit_date="2013-06-30"))
    keys, families, mats = counts_as_lists(c)
    assert keys == HAND_KEYS
    assert families == ["F", "G"]
    assert mats == HAND_COUNTS
    assert c.keys["horizon_months"].dtype == "int64"


def test_summarise_counts_pools_by_hand():
    kids, rules, dates = hand_counts_input()
    c = backtest.backtest_counts(kids, rules, dates, audit_date="2013-06-30")
    s = backtest.summarise_counts(c, draws=40, seed=3).set_index(["evaluation_date", "rule", "horizon_months"])
    # own_history, 12 months, pooled over 2011 and 2012: n 2 + 2 = 4, flagged 0 + 1 (C),
    # TP 0, missed 0 + 1 (B): sensitivity 0 of 1, PPV 0 of 1, 1000 x 1 / 4 = 250 per 1,000.
    o = s.loc[("all", "own_history", 12)]
    assert (o["n_children"], o["flagged"], o["true_positives"], o["missed"]) == (4, 1, 0, 1)
    assert (o["sensitivity"], o["ppv"], o["alerts_per_1000"]) == (0.0, 0.0, 250.0)
    # older_sibling_escalated, 24 months: 2011 only: n 2, flagged 1, TP 1: 100%, 100%, 500.
    e = s.loc[("all", "older_sibling_escalated", 24)]
    assert (e["n_children"], e["flagged"], e["true_positives"], e["missed"]) == (2, 1, 1, 0)
    assert (e["sensitivity"], e["ppv"], e["alerts_per_1000"]) == (100.0, 100.0, 500.0)
    # 9 dated keys, then the pooled (rule, horizon) ones: 3 rules x 12 months, 3 x 24.
    assert len(s) == 9 + 6
    # The family F is in every draw 0, 1 or 2 times, and each of its children is flagged by
    # the sibling rules: a draw's flagged total is 0, 1 or 2 at (2011, 12).
    f = s.loc[("2011-03-31", "older_sibling_escalated", 12)]
    assert 0.0 <= f["flagged_lower"] <= f["flagged_upper"] <= 2.0


def test_counts_by_date_equal_the_rows_on_a_generated_extract(tmp_path):
    cohort, kids, rules, dates = generated_input(tmp_path / "x", 30, 11)
    rows = backtest.backtest_rows(kids, rules, dates, audit_date=cohort.audit_date)
    by_date = backtest.backtest_counts(kids, rules, dates, audit_date=cohort.audit_date)
    assert rows["family"].nunique() >= 10
    assert counts_as_lists(by_date) == counts_as_lists(backtest.row_counts(rows))
    fast = backtest.summarise_counts(by_date, draws=200, seed=9)
    ref = backtest.summarise(rows, draws=200, seed=9)
    assert fast.astype(str).equals(ref.astype(str))
    # the rows' counts, summed, are the table's (one more check of what is counted)
    assert int(rows["flagged"].sum()) == int(fast.loc[fast["evaluation_date"] != "all", "flagged"].sum())


def test_rule_dates_of_a_family_equal_those_of_its_members(hand):
    from neglect_analysis.family import Family

    cohort, t = hand
    fam = t.family
    concerns = backtest.concern_dates(cohort, fam.members["child_id"].drop_duplicates())
    by_members = backtest.rule_dates(fam.members, fam.child_escalation, concerns).set_index("child_id")
    by_family = backtest.rule_dates(Family(cohort, fam.members), fam.child_escalation, concerns).set_index("child_id")
    assert by_family.equals(by_members)
    # By hand (module docstring): 0102's older sibling 0101 escalated 2005-03-01 (paper plan);
    # 0202's older sibling 0201 escalated 2012-06-10; 0201 is the eldest of 0020: never.
    d = by_family["older_sibling_escalated"].dt.strftime("%Y-%m-%d").fillna("")
    assert (d["0102"], d["0202"], d["0201"]) == ("2005-03-01", "2012-06-10", "")


def test_backtest_counts_with_nobody_in_any_population():
    # One child, born 2015: on 2012-03-31 it is in no population (not yet born), so no key
    # and no family has a row; the counts are empty (the rows would be none), not an error.
    kids = pd.DataFrame({"child_id": ["A"], "family": ["M"], "dob": pd.to_datetime(["2015-01-01"]),
                         "adult_date": pd.to_datetime(["2033-01-01"]), "death_date": pd.NaT,
                         "escalation_date": pd.NaT, "moved_out_date": pd.NaT})
    rules = pd.DataFrame({"child_id": ["A"], "older_sibling_escalated": pd.NaT,
                          "older_sibling_concern": pd.NaT, "own_history": pd.NaT})
    c = backtest.backtest_counts(kids, rules, [pd.Timestamp("2012-03-31")], horizons=(12,))
    assert len(c.keys) == 0 and len(c.families) == 0
    assert all(m.shape == (0, 0) for m in (c.n_children, c.flagged, c.true_positives, c.missed))
