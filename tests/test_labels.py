"""Code lists in words (codes.py decoders) and the labels practitioners read (labels.py).

Expected words are the DfE CIN census guidance texts, written out here by hand.
"""
from __future__ import annotations

import pandas as pd

from neglect_analysis.actions import LOOK_NOW_COLUMNS
from neglect_analysis.chronology import PRACTITIONER_COLUMNS
from neglect_analysis.codes import (
    REASONS_FOR_CLOSURE, closure_reason_words, contact_outcome_words, decode, factor_words,
)
from neglect_analysis.labels import (
    column_label, decode_event_codes, event_type_words, practitioner_age, yes_no,
)


def test_reasons_for_closure_rc1_to_rc9():
    assert list(REASONS_FOR_CLOSURE) == [f"RC{i}" for i in range(1, 10)]
    words = closure_reason_words(pd.Series(["RC5", "rc8", " RC9 "])).tolist()
    assert words == ["Transferred to services of another local authority",
                     "Case closed after assessment, no further action",
                     "Case closed after assessment, referred to early help"]


def test_lists_of_codes_and_unknown_codes():
    assert contact_outcome_words(pd.Series(["CP_ENQUIRY_FLAG;NEW_REFERRAL_FLAG"])).tolist() == [
        "Child protection enquiry; New referral"]
    assert factor_words(pd.Series(["3B,16A,99Z"])).tolist() == [
        "Domestic abuse: parent/carer; Neglect; 99Z (not a code of the DfE list)"]
    assert decode(pd.Series([None, ""]), REASONS_FOR_CLOSURE).isna().all()


def test_decode_event_codes_every_code_has_words():
    ev = pd.DataFrame({
        "event_type": ["contact", "referral", "cp_plan", "icpc", "early_help", "paper", "referral"],
        "category": ["3B", "N1", "NEG", None, None, None, "N99"],
        "outcome": ["NFA_FLAG", "RC8", "MUL", "CP_PLAN", "Family moved away", "school_report", None],
        "factors": ["", "3B,16A", "", "", "", "", ""],
    })
    d = decode_event_codes(ev)
    assert d["category_words"].tolist()[:3] == ["Health visitor", "Abuse or neglect", "Neglect"]
    assert d["outcome_words"].tolist()[:6] == [
        "No further action", "Case closed after assessment, no further action", "Multiple",
        "Child protection plan made", "Family moved away", "school report"]
    # text outcomes are words without a code
    assert d["outcome_code"].tolist()[4:6] == [pd.NA, pd.NA]
    assert d.loc[1, "factor_words"] == "Domestic abuse: parent/carer; Neglect"
    assert d.loc[6, "category_words"] == "N99 (not a code of the DfE list)"
    for code, words in (("category_code", "category_words"), ("outcome_code", "outcome_words"),
                        ("factor_codes", "factor_words")):
        assert d.loc[d[code].notna(), words].notna().all()


def test_plain_headers_yes_no_pre_birth():
    for col in list(PRACTITIONER_COLUMNS) + list(LOOK_NOW_COLUMNS):
        label = column_label(col)
        assert "_" not in label and label[0].isupper(), col
    assert event_type_words(pd.Series(["s47", "partner_end"])).tolist() == [
        "Section 47 enquiry", "Partnership of the index parent ended"]
    assert yes_no(pd.Series([True, False])).tolist() == ["Yes", "No"]
    assert practitioner_age(pd.Series(["-0y 0m", "0y 0m"]), pd.Series([-3, 0])).tolist() == ["pre-birth", "0y 0m"]
