"""Notebook conclusions come from the numbers (hand-made tables; expected words by hand)."""
import pandas as pd

from neglect_analysis import conclusions


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
