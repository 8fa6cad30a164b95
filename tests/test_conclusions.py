"""Notebook conclusions come from the numbers (hand-made tables; expected words by hand)."""
from dataclasses import replace

import pandas as pd

from neglect_analysis import conclusions
from neglect_analysis.definitions import DEFAULTS


def test_interval_including_one_is_not_called_a_difference():
    ages = pd.DataFrame({"in_curve": [True], "event": [1], "escalated_before_entry": [False], "moved_away": [False]})
    km = pd.DataFrame({"group": "all", "age_days": [10], "survival": [0.0], "ci_lower": [0.0], "ci_upper": [0.0]})
    cox = pd.DataFrame({"term": ["younger"], "hazard_ratio": [0.62], "ci_lower": [0.32], "ci_upper": [1.19],
                        "p_value": [0.15]})
    text = " ".join(conclusions.escalation_conclusions(ages, km, cox))
    assert "of younger siblings could not be told apart from that of eldest children" in text
    assert "hazard ratio 0.62, 95% interval 0.32 to 1.19, p = 0.150" in text


def test_share_by_age_reads_the_last_event_at_or_before_the_age():
    # 17 years = 6209.25 days: the row at 6209 counts, the one at 6210 does not.
    km = pd.DataFrame({"group": "all", "age_days": [6209, 6210], "survival": [0.7, 0.6],
                       "ci_lower": [0.6, 0.5], "ci_upper": [0.8, 0.7]})
    assert conclusions.share_by_age(km, 17) == (30.0, 20.0, 40.0)
    assert conclusions.share_by_age(km.assign(age_days=[7000, 7001]), 17) is None


def test_backtest_sentence_when_best_rule_interval_is_clear_of_the_others():
    s = pd.DataFrame({"evaluation_date": "all", "horizon_months": 12, "rule": ["older_sibling_escalated", "own_history"],
                      "n_children": 100, "flagged": [10, 30], "true_positives": [5, 3], "missed": [3, 2],
                      "sensitivity": [62.5, 60.0], "sensitivity_lower": [30.0, 20.0], "sensitivity_upper": [90.0, 90.0],
                      "ppv": [50.0, 10.0], "ppv_lower": [30.0, 2.0], "ppv_upper": [70.0, 20.0],
                      "alerts_per_1000": [100.0, 300.0]})
    ranked = pd.DataFrame({"rule": ["older_sibling_escalated", None], "signal_age_days": [730.5, None]})
    text = conclusions.backtest_conclusions(s, ranked)
    assert text[2] == ('The highest PPV was that of "an older sibling has escalated" (50.0%), and its interval '
                       "does not overlap the other rules'.")
    # 730.5 days = 2.0 years.
    assert text[3] == ("Of the 2 children to look at now, 1 are flagged by a backtested rule; their signals are "
                       "a median 2.0 years old (up to 2.0 years).")


# --- notebooks 01-05 and 07: sentences from the findings table (hand-made rows) -------------

def found(rows: dict[str, tuple[int, int]], **extra) -> pd.DataFrame:
    """A findings table of {measure: (numerator, denominator)}, point 1, with extra columns."""
    f = pd.DataFrame({"point": 1, "measure": list(rows), "description": [f"{m} (base: x)" for m in rows],
                      "numerator": [n for n, _ in rows.values()], "denominator": [d for _, d in rows.values()]})
    for column, values in extra.items():
        f[column] = values
    return f


def test_share_text_quotes_england_and_the_rest_of_the_authority():
    # 7 of 28 = 25.0%; England 21.9 in 2017-18; the rest of the authority 23.4
    f = found({"rereferrals_12m": (7, 28)}, national_share=[21.9], national_period=["2017-18"],
              authority_share=[23.4])
    assert conclusions.share_text(f.iloc[0]) == "25.0%; England 21.9% in 2017-18; rest of the authority 23.4%"
    assert conclusions.finding_lines(f, [1]) == [
        "rereferrals_12m (base: x): 7 of 28 (25.0%; England 21.9% in 2017-18; rest of the authority 23.4%)"]
    assert conclusions.finding_lines(f, [2]) == []


def test_a_measure_with_no_base_gives_no_sentence():
    # 0 of 0 plans followed up 2 years: no "Of the 0 ended plans ..." sentence, and the
    # too-recent sentence stands alone: all 3 ended plans are too recent.
    f = found({"cp_plans_not_sustained": (0, 0), "cp_plans_too_recent_to_judge": (3, 3)})
    assert conclusions.plans_conclusions(f) == [
        "All 3 ended plans are too recent to judge whether the changes lasted."]
    assert conclusions.finding_lines(f, [1])[0].endswith(": 0 of 0 (no base)")


def test_cohort_conclusion_median_and_range_by_hand():
    # groups of 5, 5, 7, 11 children: median (5 + 7) / 2 = 6; spans 10.04 -> 10.0,
    # 12.96 -> 13.0, 15.0, 20.0: median (13.0 + 15.0) / 2 = 14
    groups = pd.DataFrame({"n_children": [5, 5, 7, 11], "age_span_years": [10.04, 12.96, 15.0, 20.0]})
    text = conclusions.cohort_conclusions(found({"children_adult_at_audit": (0, 28)}), groups,
                                          definitions=replace(DEFAULTS, large_gap_years=4))
    assert text[0] == ("The 4 sibling groups have a median of 6 children (from 5 to 11); their eldest and youngest "
                       "children are a median of 14 years apart (from 10 to 20).")
    assert text[1] == ("0 of the 28 children (0.0%) were 18 or over at the audit date: their history belongs to "
                       "the family's story too.")


def test_paper_share_by_adulthood_and_chronology_sentence_by_hand():
    # adults: 2 children, 3 + 7 = 10 involvements, 1 + 4 = 5 on paper: 50.0%;
    # under 18: 1 child, 8 involvements, none on paper: 0.0%
    by_child = pd.DataFrame({"adult_at_audit": [True, False, True], "n_events": [3, 8, 7],
                             "n_events_paper": [1, 0, 4]})
    by = conclusions.paper_share_by_adulthood(by_child)
    assert by.values.tolist() == [["adult at audit", 2, 10, 5, 50.0], ["under 18", 1, 8, 0, 0.0]]
    # one family, 18 involvements, 5 on paper (27.8%), 6 before the ICS (33.3%)
    sources = pd.DataFrame({"n_events": [18], "n_events_paper": [5], "n_events_pre_ics": [6]})
    text = conclusions.chronology_conclusions(found({}), sources, by)
    assert text == [
        "Across the 1 family, 18 involvements are recorded: 5 (27.8%) only on paper and 6 (33.3%) dated before "
        "the electronic record; 1 of the 1 family has history on paper.",
        "On paper: 50.0% of the involvements of the 2 children who are now adults, against 0.0% of those of the 1 "
        "under 18."]
    # adulthood at 21: the second row and the sentence name it
    by21 = conclusions.paper_share_by_adulthood(by_child, definitions=replace(DEFAULTS, adult_age_years=21))
    assert by21["children"].tolist() == ["adult at audit", "under 21"]
    assert conclusions.chronology_conclusions(found({}), sources, by21)[1].endswith("of those of the 1 under 21.")


def test_contacts_sources_counted_over_children_with_contacts():
    # 5 children with contacts: sources 1, 2, 3, 3, 6 -> 3 of 5 (60.0%) from 3 or more
    per = pd.DataFrame({"n_sources": [1, 2, 3, 3, 6]})
    text = conclusions.contacts_conclusions(found({"children_early_help_declined": (2, 10)}), per)
    assert text == [
        "2 of the 10 children (20.0%) had an early-help episode that ended declined or not engaged.",
        "3 of the 5 children with contacts (60.0%) were the subject of contacts from 3 or more different sources."]


def test_s47_sentence_quotes_the_paper_row_only():
    # the paper row: 4 of 16 enquiries = 25.0%; other rows of the summary are not quoted
    known = pd.DataFrame({"kind": ["referral", "paper"], "n_with": [15, 4], "n_events": [16, 16]})
    text = conclusions.s47_conclusions(found({"children_repeated_s47": (1, 3)}), known)
    assert text == [
        "At 4 of those 16 enquiries (25.0%) the older siblings had paper records: history a reader of the "
        "electronic record alone would not see.",
        "1 of the 3 children (33.3%) had two or more S47 enquiries."]


def test_neglect_sentence_says_when_england_counts_plans_at_31_march():
    # 9 of 12 = 75.0%; England's figure is A6, plans in place at 31 March
    f = found({"cp_plans_neglect": (9, 12)}, national_share=[48.0], national_period=["2017-18"],
              national_source=["neglect_initial_category_pct (percent of CP plans in place at 31 March (not plans started)): DfE"])
    assert conclusions.plans_conclusions(f) == [
        "9 of the 12 plans of this authority with a recorded category (75.0%; England 48.0% in 2017-18) began under "
        "neglect (England's figure counts plans in place at 31 March, not plans started)."]


def test_iro_themes_one_winner_and_three_tied():
    # 2 of 8 plans challenged (25.0%), 6 without; one theme with 3 challenges
    f = found({"cp_plans_with_iro_challenge": (2, 8)})
    one = pd.DataFrame({"theme": ["Drift", "Other"], "n_challenges": [3, 1]})
    assert conclusions.iro_conclusions(f, one) == [
        "2 of the 8 child protection plans on the electronic record (25.0%) had an IRO challenge; 6 had none.",
        'The most frequent theme was "Drift" (3 challenges).']
    tied = pd.DataFrame({"theme": ["C", "A", "B"], "n_challenges": [1, 1, 1]})
    assert conclusions.iro_conclusions(found({}), tied) == [
        'The most frequent themes were "A", "B" and "C" (1 challenge each).']
    assert conclusions.iro_conclusions(found({}), tied.iloc[:0]) == []


def test_conclusions_name_the_runs_thresholds():
    # Changed definitions change the words: a series of 4 contacts in 2 years (730 days), S47s
    # judged at 45 days, plans followed up for 3 years (1,095 days) with re-referral within
    # 6 months written in days (182), adults from 21, big gaps from 4 years.
    d = replace(DEFAULTS, series_length=4, series_days=730, s47_icpc_days=45, not_sustained_replan_days=1095,
                not_sustained_rereferral_days=182, adult_age_years=21, large_gap_years=4)
    f = found({"children_contact_series": (5, 20), "s47_not_progressing_to_icpc": (3, 4),
               "cp_plans_not_sustained": (1, 2), "groups_with_large_age_gap": (1, 3),
               "children_adult_at_audit": (2, 10)})
    per = pd.DataFrame({"n_sources": []})
    assert conclusions.contacts_conclusions(f, per, definitions=d) == [
        "5 of the 20 children (25.0%) had a series of 4 contacts within 2 years with no referral."]
    assert conclusions.s47_conclusions(f, per.assign(kind=[], n_with=[], n_events=[]), definitions=d)[0].endswith(
        "led to no initial conference and no plan within 45 days.")
    assert conclusions.plans_conclusions(f, definitions=d) == [
        "Of the 2 ended plans followed up for 3 years or more, 1 (50.0%) were followed by a new referral within "
        "182 days or a new plan within 3 years (child or sibling)."]
    groups = pd.DataFrame({"n_children": [], "age_span_years": []})
    assert conclusions.cohort_conclusions(f, groups, definitions=d) == [
        "In 1 of the 3 groups (33.3%) the largest gap between consecutive children is 4 years or more.",
        "2 of the 10 children (20.0%) were 21 or over at the audit date: their history belongs to the family's "
        "story too."]
