"""Key messages: each sentence checked against the hand-made published numbers it quotes."""
import dataclasses

import pandas as pd

from neglect_analysis.definitions import DEFAULTS
from neglect_analysis.messages import NOT_PUBLISHED, key_messages, measure_sentence, point_messages


def _shown(rows):
    cols = ["point", "measure", "label", "numerator", "denominator", "share", "national_share", "national_year"]
    return pd.DataFrame(rows, columns=cols)


def test_sentence_quotes_published_numbers_with_national_figure():
    # 30 of 120 referrals were re-referrals: 25.0% (worked by hand), England 22.6% in 2024.
    row = {"measure": "rereferrals_12m", "label": "Re-referrals", "numerator": "30",
           "denominator": "120", "share": "25.0", "national_share": "22.6", "national_year": "2024"}
    assert measure_sentence(row) == ("30 of this authority's 120 referrals (25.0%; England 22.6% in 2024) "
                                     "came within 12 months of the child's previous referral.")


def test_bootstrap_interval_is_quoted_when_present():
    row = {"measure": "escalated_with_lead_time", "label": "x", "numerator": "13", "denominator": "29",
           "share": "44.8", "ci_lower": 27.26, "ci_upper": 62.0}
    assert "(44.8%; family-bootstrap 95% interval 27.3% to 62.0%)" in measure_sentence(row)
    # An interval that is missing is left out, not printed as nan.
    assert "interval" not in measure_sentence({**row, "ci_lower": float("nan")})


def test_suppressed_counts_never_reach_a_sentence():
    # Numerator 'c' (3 in truth), denominator published: no sentence, and no bound either.
    shown = _shown([
        (7, "cp_plans_with_iro_challenge", "IRO", "c", "40", "c", "", ""),
        (7, "other_measure", "Other", "12", "c", "c", "", ""),
    ])
    km = key_messages(shown)
    assert km["sentence"].tolist() == [NOT_PUBLISHED]
    assert not any(ch.isdigit() for ch in NOT_PUBLISHED)
    assert "fewer" not in NOT_PUBLISHED


def test_zero_denominator_and_z_give_no_sentence():
    assert measure_sentence({"measure": "repeat_cp_plans", "numerator": "0", "denominator": "0",
                             "share": "z"}) is None


def test_priority_order_cap_and_generic_template():
    # Point 6: 5 measures published; the 3 of PRIORITY[6] speak, escalation first.
    shown = _shown([
        (6, "repeat_cp_plans", "Repeat", "8", "40", "20.0", "", ""),
        (6, "cp_plans_neglect", "Neglect", "20", "40", "50.0", "", ""),
        (6, "cp_plans_not_sustained", "Not sustained", "10", "25", "40.0", "", ""),
        (6, "escalated_with_lead_time", "Lead", "13", "29", "44.8", "", ""),
        (6, "children_to_look_at_now", "Look", "7", "100", "7.0", "", ""),
        (2, "new_measure", "A new measure", "9", "18", "50.0", "", ""),
    ])
    msgs = point_messages(key_messages(shown))
    assert list(msgs) == [2, 6]  # by point number
    assert msgs[6] == [
        "13 of the 29 escalated children with an older sibling (44.8%) could have been flagged at "
        "least 90 days earlier by reading their older siblings' history.",
        "8 of this authority's 40 child protection plans (20.0%) were a second or subsequent plan.",
        "10 of the 25 plans that ended at least 2 years before the audit (40.0%) were followed by "
        "a new referral within 12 months or a new plan within 2 years.",
    ]
    assert msgs[2] == ["A new measure: 9 of 18 (50.0%)."]


def test_suppressed_headline_falls_back_to_next_published_measure():
    shown = _shown([
        (6, "escalated_with_lead_time", "Lead", "c", "29", "c", "", ""),
        (6, "repeat_cp_plans", "Repeat", "8", "40", "20.0", "", ""),
    ])
    km = key_messages(shown)
    assert km["measure"].tolist() == ["repeat_cp_plans"]
    assert "29" not in " ".join(km["sentence"])  # the row with a suppressed count says nothing


def test_every_registered_measure_has_its_sentence_with_every_placeholder_filled():
    # Distinct numbers, so each must appear where its placeholder was: 11 of 37 is 29.7%.
    from neglect_analysis.findings import MEASURES

    assert MEASURES
    for m in MEASURES:
        row = {"measure": m.name, "label": m.label, "numerator": "11", "denominator": "37", "share": "29.7"}
        text = measure_sentence(row)
        assert text == m.sentence.format(n="11", d="37", s="29.7%", **DEFAULTS.terms()), m.name
        assert "{" not in text and "}" not in text, m.name
        assert all(x in text for x in ("11", "37", "29.7%")), m.name
        assert not text.startswith(m.label + ":") or m.name == "groups_with_large_age_gap"  # not generic


def test_sentence_is_read_from_the_registry(monkeypatch):
    # Change-proof: the sentence key_messages says is the registry's, not a second copy.
    import dataclasses

    from neglect_analysis import findings

    m = findings.MEASURES_BY_NAME["repeat_cp_plans"]
    monkeypatch.setitem(findings.MEASURES_BY_NAME, m.name,
                        dataclasses.replace(m, sentence="Plans again: {n}/{d} ({s})."))
    shown = _shown([(6, "repeat_cp_plans", "Repeat", "8", "40", "20.0", "", "")])
    assert key_messages(shown)["sentence"].tolist() == ["Plans again: 8/40 (20.0%)."]


def test_a_measure_without_every_placeholder_or_with_an_unknown_base_is_refused():
    import pytest

    from neglect_analysis.findings import Measure

    def compute(d):
        return 0, 0

    with pytest.raises(ValueError, match=r"placeholders \{n\}, \{d\}, \{s\} and thresholds of Definitions.terms\(\); it uses \['d', 'n'\]"):
        Measure(1, "x", "X", compute, label="X", base="children", sentence="{n} of {d}.")
    with pytest.raises(ValueError, match="it uses \\['d', 'n', 's', 'total'\\]"):
        Measure(1, "x", "X", compute, label="X", base="children", sentence="{n} of {d} ({s}) of {total}.")
    with pytest.raises(ValueError, match="base 'families' is not one of"):
        Measure(1, "x", "X", compute, label="X", base="families", sentence="{n} of {d} ({s}).")
    with pytest.raises(ValueError, match="its label names \\['gap'\\]"):
        Measure(1, "x", "X", compute, label="X in {gap}", base="children", sentence="{n} of {d} ({s}).")
    # a threshold of Definitions.terms() is a placeholder it may use
    assert Measure(1, "x", "X", compute, label="X", base="children",
                   sentence="{n} of {d} ({s}) within {min_lead_period}.").say("1", "2", "50.0%") == \
        "1 of 2 (50.0%) within 90 days."


def test_sentences_and_descriptions_follow_changed_definitions():
    # Worked by hand from the changed thresholds: lead time 60 days, advice window 30 days,
    # S47 window 45 days, re-referral 2 years (730 days), adults from 21.
    from neglect_analysis.findings import MEASURES_BY_NAME

    d = dataclasses.replace(DEFAULTS, min_lead_days=60, advice_eh_days=30, s47_icpc_days=45,
                            rereferral_days=730, adult_age_years=21)
    row = {"measure": "escalated_with_lead_time", "numerator": "13", "denominator": "29", "share": "44.8"}
    assert measure_sentence(row, d) == ("13 of the 29 escalated children with an older sibling (44.8%) could have "
                                        "been flagged at least 60 days earlier by reading their older siblings' history.")
    shown = _shown([(6, "children_to_look_at_now", "Look now", "8", "40", "20.0", "", "")])
    assert key_messages(shown, definitions=d)["sentence"].tolist() == [
        "8 of the 40 children (20.0%) have a family signal, no escalation yet and are under 21: they can be "
        "looked at now."]
    assert MEASURES_BY_NAME["children_advice_not_taken_up"].describe(d) == (
        "Children given advice at a contact with no early help within 30 days (base: children)")
    assert MEASURES_BY_NAME["s47_not_progressing_to_icpc"].describe(d) == (
        "S47 enquiries of this authority with no conference and no CP plan within 45 days (base: this "
        "authority's S47s at least 45 days old)")
    assert MEASURES_BY_NAME["rereferrals_12m"].label_for(d) == "Re-referrals within 2 years"
    assert MEASURES_BY_NAME["escalated_with_lead_time"].label_for(d) == (
        "Escalations that could have been flagged 60+ days earlier")
    for m in MEASURES_BY_NAME.values():  # no placeholder left in any text at the defaults
        for text in (m.describe(), m.label_for(), m.say("1", "2", "3")):
            assert "{" not in text and "}" not in text, m.name


def test_curve_sentence_quotes_the_published_curve_at_the_last_whole_year():
    # Drawn to month 40: last whole year 3 (month 36), survival 0.675 (0.55 to 0.78):
    # escalated 100 x 0.325 = 32.5%, interval 100 x (1 - 0.78) = 22.0% to 100 x 0.45 = 45.0%.
    from neglect_analysis.messages import curve_sentence

    m = pd.DataFrame({"group": ["all"] * 5 + ["younger"], "age_months": [0, 12, 24, 36, 40, 0],
                      "survival": [1.0, 0.9, 0.8, 0.675, 0.6, 1.0], "ci_lower": [1.0, 0.8, 0.7, 0.55, 0.5, 1.0],
                      "ci_upper": [1.0, 0.95, 0.9, 0.78, 0.7, 1.0]})
    assert curve_sentence(m) == ("Followed from the start of the electronic record, an estimated 32.5% of "
                                 "children had escalated by the age of 3 (95% interval 22.0% to 45.0%).")
    assert curve_sentence(m, "younger") is None  # drawn to month 0 only
    assert curve_sentence(m, "eldest") is None  # not drawn


def test_cox_sentence_quotes_the_clustered_interval_and_never_a_p_value():
    from neglect_analysis.messages import cox_sentence

    cox = pd.DataFrame({"term": ["older_sibling_escalated", "younger"], "hazard_ratio": [0.5, 0.62],
                        "ci_lower": [0.3, 0.32], "ci_upper": [0.84, 1.19], "p_value": [0.009, 0.15]})
    # below 1: two decimals; interval 0.30 to 0.84 excludes 1
    text = cox_sentence(cox)
    assert "0.50 times the rate" in text and "(95% interval 0.30 to 0.84, allowing for families)." in text
    assert "0.009" not in text and "p =" not in text and "p-value" not in text
    # the younger term, whose interval includes 1, says so
    assert cox_sentence(cox, "younger").endswith("(95% interval 0.32 to 1.2, allowing for families); "
                                                 "the interval includes no difference.")
    assert cox_sentence(cox.iloc[0:0]) is None and cox_sentence(None) is None
