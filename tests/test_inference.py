"""Record-aware time scale and family-clustered inference (issue 13).

Hand-worked expectations in comments; lifelines references made in a separate pandas-2
environment by tests/reference/make_inference_reference.py.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neglect_analysis import Cohort, inference, timescale

REF = Path(__file__).parent / "reference"


def test_km_delayed_entry_matches_lifelines_on_sample():
    ages = pd.read_csv(REF / "inference_ages_sample.csv")
    ref = pd.read_csv(REF / "lifelines_age_km_sample.csv")
    km = inference.km_delayed_entry(ages["entry_age_days"], ages["exit_age_days"], ages["event"])
    assert km["age_days"].tolist() == ref["age_days"].tolist()
    np.testing.assert_allclose(km["survival"], ref["survival"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(km["ci_lower"], ref["ci_lower"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(km["ci_upper"], ref["ci_upper"], rtol=0, atol=1e-6)
    assert km["at_risk"].tolist() == ref["at_risk"].tolist()
    assert km["events"].tolist() == ref["events"].tolist()


def test_cox_hazard_ratios_match_lifelines_on_sample():
    iv = pd.read_csv(REF / "inference_intervals_sample.csv")
    ref = pd.read_csv(REF / "lifelines_cox_sample.csv").set_index("term")
    cox = inference.cox_clustered(iv.assign(younger=1 - iv["eldest"]),
                                  ["older_sibling_escalated", "younger"]).set_index("term")
    np.testing.assert_allclose(cox.loc[ref.index, "hazard_ratio"], ref["hazard_ratio"], rtol=1e-8)


def hand_intervals():
    # Times doubled to stay whole. Events at t=2 (A, x=1; at risk A B C D: xbar 1/2) and t=4
    # (B, x=0; at risk B C D E: E entered at 3; F enters AT 4 and is not at risk then:
    # xbar 1/2). Score at beta 0: (1 - 1/2) + (0 - 1/2) = 0, so beta = 0, HR = 1 exactly
    # (counting F at t=4 would give xbar 2/5 and a non-zero beta).
    return pd.DataFrame({
        "child_id": list("ABCDEF"), "parent_id": ["P1", "P1", "P2", "P2", "P3", "P3"],
        "start_age_days": [0, 0, 0, 0, 3, 4], "stop_age_days": [2, 4, 6, 6, 6, 6],
        "event": [1, 1, 0, 0, 0, 0], "x": [1, 0, 1, 0, 1, 0]})


def test_score_residuals_hand_worked():
    iv = hand_intervals()
    # dL = 1/4 at both times; r_i = event_i (x_i - 1/2) - sum over its times (x_i - 1/2)/4:
    # A 1/2 - 1/8 = 3/8; B -1/2 + 2/8 = -1/4; C -2/8; D +2/8; E (t=4 only) -1/8; F none: 0.
    r = inference.score_residuals(iv["start_age_days"], iv["stop_age_days"], iv["event"],
                                  iv[["x"]], [0.0])
    np.testing.assert_allclose(r[:, 0], [0.375, -0.25, -0.25, 0.25, -0.125, 0.0], atol=1e-12)


def test_cox_clustered_hand_worked_sandwich():
    cox = inference.cox_clustered(hand_intervals(), ["x"]).iloc[0]
    # beta = 0 (above). Information: per event time var(x) over the risk set = 1/2 - 1/4, two
    # times: I = 1/2, V = 2. Family sums of residuals: P1 3/8 - 1/4 = 1/8, P2 0, P3 -1/8;
    # B = 2/64 = 1/32; V B V = 4/32 = 1/8; se = sqrt(1/8).
    assert cox["hazard_ratio"] == pytest.approx(1.0, abs=1e-9)
    assert cox["se_robust"] == pytest.approx(np.sqrt(1 / 8), rel=1e-9)
    assert cox["p_value"] == pytest.approx(1.0, abs=1e-8)
    assert (cox["n_children"], cox["n_families"], cox["n_events"]) == (6, 3, 2)


def test_lin_wei_one_child_per_cluster_is_sum_of_squares():
    # Same residuals, each row its own cluster: B = 9/64 + 4/64*3 + 1/64 = 22/64; V B V = 4*22/64.
    r = np.array([[0.375], [-0.25], [-0.25], [0.25], [-0.125], [0.0]])
    cov = inference.lin_wei_covariance(r, list("ABCDEF"), np.array([[2.0]]))
    assert cov[0, 0] == pytest.approx(4 * 22 / 64)


def test_moved_out_dates_rules():
    persons = pd.DataFrame({"person_id": ["A", "B", "C", "D"]})
    ev = pd.DataFrame({
        "person_id": ["A", "A", "B", "B", "C", "D", "D"],
        "event_type": ["referral", "referral", "early_help", "contact", "early_help", "referral", "cp_plan"],
        "start_date": ["2010-01-01", "2012-01-01", "2011-01-01", "2011-06-01", "2013-01-01",
                       "2014-01-01", "2015-01-01"],
        "end_date": ["2010-05-01", "2012-04-01", "2011-03-01", None, "2013-02-01", "2014-03-01", None],
        "outcome": ["RC1", "rc5", "Moved out of area", None, "Engaged", "RC5", None],
        "other_la": [False, False, False, False, False, False, True]})
    c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    got = timescale.moved_out_dates(c, ["A", "B", "C", "D"]).set_index("child_id")["moved_out_date"]
    # A: RC5 closure (case-insensitive), nothing after it. B: moved, but a contact here after
    # it: no move. C: not a move reason. D: the later CP plan is another authority's: a move.
    assert got.dt.strftime("%Y-%m-%d").fillna("").to_dict() == {
        "A": "2012-04-01", "B": "", "C": "", "D": "2014-03-01"}


def test_age_scale_censors_at_move_and_counts_before_entry_apart():
    esc = pd.DataFrame({"child_id": ["A", "B", "C", "D"],
                        "escalation_date": pd.to_datetime([None, "2009-04-01", "2015-01-01", None]),
                        "censor_date": pd.to_datetime(["2018-07-31"] * 3 + [None])})
    dobs = pd.DataFrame({"child_id": ["A", "B", "C", "D"],
                         "dob": pd.to_datetime(["2008-04-01", "2008-04-01", "2010-01-01", "2010-01-01"])})
    moved = pd.DataFrame({"child_id": ["A", "C"], "moved_out_date": pd.to_datetime(["2010-04-01", "2014-01-01"])})
    t = timescale.age_scale(esc, dobs, moved, "2009-04-01").set_index("child_id")
    # A: entry 365 (2008-04-01 to 2009-04-01), moved 2010-04-01 = 730: censored, moved away.
    assert t.loc["A", ["entry_age_days", "exit_age_days", "event"]].tolist() == [365, 730, 0]
    assert t.loc["A", "moved_away"]
    # B: escalated on its entry day: counted apart (at risk only for t > entry).
    assert t.loc["B", "escalated_before_entry"] and not t.loc["B", "in_curve"]
    # C: escalation 2015 after its move 2014: censored at the move (2010-01-01 + 1461 days).
    assert t.loc["C", ["entry_age_days", "exit_age_days", "event"]].tolist() == [0, 1461, 0]
    # D: no involvement: empty ages, not in the curve.
    assert pd.isna(t.loc["D", "exit_age_days"]) and not t.loc["D", "in_curve"]


def test_escalation_intervals_never_use_the_future():
    # Y and Z have an older sibling X who escalated at 2012-01-01. Y (dob 2010-01-01) is
    # followed to age 1000 (2012-09-27): covariate 0 up to age 730 (the escalation day,
    # 2010-01-01 + 730 = 2012-01-01), 1 after. Z (dob 2005-01-01) left follow-up at age 2000
    # (2010-06-24), before X escalated: one row, covariate 0.
    ages = pd.DataFrame({"child_id": ["Y", "Z"], "dob": pd.to_datetime(["2010-01-01", "2005-01-01"]),
                         "entry_age_days": [0, 1551], "exit_age_days": [1000, 2000],
                         "event": [1, 0], "in_curve": True})
    older = pd.Series(pd.to_datetime(["2012-01-01", "2012-01-01"]), index=pd.Index(["Y", "Z"]))
    cl = pd.DataFrame({"child_id": ["Y", "Z"], "parent_id": "M"})
    iv = timescale.escalation_intervals(ages, older, cl, pd.Series([False, False], index=["Y", "Z"]))
    assert iv[["child_id", "start_age_days", "stop_age_days", "event", "older_sibling_escalated"]].values.tolist() == [
        ["Y", 0, 730, 0, 0], ["Y", 730, 1000, 1, 1], ["Z", 1551, 2000, 0, 0]]


def test_cumulative_incidence_matches_lifelines_aalen_johansen_on_sample():
    c = pd.read_csv(REF / "inference_cif_sample.csv")
    ref = pd.read_csv(REF / "lifelines_cif_sample.csv")
    cif = inference.cumulative_incidence(c["entry_age_days"], c["exit_age_days"], c["status"])
    got = cif[cif["events"] > 0]
    assert got["age_days"].tolist() == ref["age_days"].tolist()
    np.testing.assert_allclose(got["cif"], ref["cif"], rtol=0, atol=1e-9)


def test_cumulative_incidence_with_delayed_entry_and_a_competing_move_by_hand():
    # A enters at 0 and escalates at 2; B enters at 0 and moves away at 3; C enters AT 3 (not
    # at risk at 3) and escalates at 5; D enters at 0, censored at 6.
    # t=2: at risk A B D (3): S(2-) = 1, F = 1/3; S(2) = 2/3.
    # t=3: at risk B D (C enters at 3): move: G = 2/3 * 1/2 = 1/3; S(3) = 1/3.
    # t=5: at risk C D (2): F = 1/3 + 1/3 * 1/2 = 1/2.
    cif = inference.cumulative_incidence([0, 0, 3, 0], [2, 3, 5, 6], [1, 2, 1, 0])
    assert cif["at_risk"].tolist() == [3, 2, 2]
    np.testing.assert_allclose(cif["cif"], [1 / 3, 1 / 3, 1 / 2])
    np.testing.assert_allclose(cif["cif_competing"], [0, 1 / 3, 1 / 3])


def test_cox_without_a_maximum_gives_no_estimate_not_an_error():
    # One event, in the only x = 1 row, with everyone at risk: the partial likelihood
    # e^b / (e^b + 2) grows without bound as b -> infinity: no finite estimate.
    iv = pd.DataFrame({"child_id": list("ABC"), "parent_id": ["P", "Q", "R"], "start_age_days": 0,
                       "stop_age_days": [1, 2, 3], "event": [1, 0, 0], "x": [1, 0, 0]})
    cox = inference.cox_clustered(iv, ["x"]).iloc[0]
    assert np.isnan(cox["hazard_ratio"]) and cox["n_events"] == 1


def test_moved_out_dates_found_once_per_run_and_passed_openly(monkeypatch):
    # Issue: moving away was looked up three times per report (time to escalation, the age
    # scale, the look-now list). The run now finds it once and passes the table (``moved=``).
    from neglect_analysis import actions, escalation, pipeline

    persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2010-06-15"]})
    links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    ev = pd.DataFrame({"person_id": ["A", "B", "B"], "event_type": ["cp_plan", "contact", "referral"],
                       "start_date": ["2012-01-10", "2013-01-01", "2014-01-01"],
                       "end_date": ["2013-01-10", None, "2016-03-01"], "outcome": [None, None, "RC5"]})
    c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    calls = []
    real = timescale.moved_out_dates

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    for module in (timescale, escalation, actions):
        monkeypatch.setattr(module, "moved_out_dates", counting)
    t = pipeline.family_tables(c, ["M"])
    assert len(calls) == 1
    # B moved (RC5 closure 2016-03-01, nothing after): the same date in every table.
    kids = t.children.set_index("child_id")
    assert str(kids.loc["B", "moved_out_date"].date()) == "2016-03-01"
    assert str(t.ages.set_index("child_id").loc["B", "moved_out_date"].date()) == "2016-03-01"
    # and the same tables as each analysis finding the moves itself
    calls.clear()
    alone = escalation.child_escalation(c, ["A", "B"])
    assert len(calls) == 1
    pd.testing.assert_frame_equal(alone.astype({"child_id": "string"}),
                                  t.child_escalation.astype({"child_id": "string"}))


def test_moved_out_on_refuses_children_it_was_not_given():
    moved = pd.DataFrame({"child_id": ["A"], "moved_out_date": pd.to_datetime(["2012-06-01"])})
    with pytest.raises(ValueError, match="child 'B' is not in the table of move dates"):
        timescale.moved_out_on(moved, ["A", "B"])
