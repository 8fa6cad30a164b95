"""Date formats and cell values of the loader (values worked out by hand)."""
from __future__ import annotations

import pandas as pd
import pytest

from neglect_analysis.io.dates import parse_dates
from neglect_analysis.io.values import (parse_cp_category, parse_factors, parse_flags,
                                        parse_outcome_json, parse_primary_need)


def iso(s: pd.Series) -> list:
    return [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in s]


@pytest.mark.parametrize("text, expected", [
    ("2017-03-31", "2017-03-31"),               # ISO
    ("2017-3-1", "2017-03-01"),                 # ISO without leading zeros
    ("2017-03-31 00:00:00.000", "2017-03-31"),  # SQL Server datetime
    ("2017-03-31 14:25:00", "2017-03-31"),      # Excel real date read as text, time dropped
    ("2017-03-31T08:00:00", "2017-03-31"),      # ISO with T
    ("31/03/2017", "2017-03-31"),               # UK
    ("01/02/2017", "2017-02-01"),               # UK: day first, 1 February, never 2 January
    ("1/2/2017", "2017-02-01"),
    ("31/03/2017 00:00", "2017-03-31"),
    ("42825", "2017-03-31"),                    # Excel serial: 1899-12-30 + 42825 days
    ("42825.75", "2017-03-31"),                 # serial with a time part
    ("61", "1900-03-01"),                       # first serial after Excel's fake 1900-02-29
])
def test_each_format(text, expected):
    dates, bad = parse_dates(pd.Series([text]))
    assert iso(dates) == [expected]
    assert not bad.iloc[0]


@pytest.mark.parametrize("text", [
    "31/02/2017",    # 31 February
    "2017-02-30",    # 30 February
    "2011-02-29",    # 2011 is not a leap year
    "03/31/2017",    # month first: month 31 does not exist
    "13/13/2017",
    "60",            # Excel's fictitious 1900-02-29
    "yesterday",
    "2017/03/31",    # year first with slashes is not an accepted format
    "3017-01-01",    # outside 1900..2199
])
def test_impossible_or_unknown_dates_are_bad(text):
    dates, bad = parse_dates(pd.Series([text]))
    assert iso(dates) == [None]
    assert bad.iloc[0]


def test_leap_day_and_missing():
    dates, bad = parse_dates(pd.Series(["29/02/2016", None, "", "   ", "9999-12-31 00:00:00.000"]))
    # 2016 is a leap year; empty / whitespace are missing, not bad; 9999-12-31 = open (missing)
    assert iso(dates) == ["2016-02-29", None, None, None, None]
    assert bad.tolist() == [False, False, False, False, False]


def test_keeps_index():
    dates, bad = parse_dates(pd.Series(["31/03/2017", "x"], index=[10, 20]))
    assert list(dates.index) == [10, 20] and bad.to_dict() == {10: False, 20: True}


def test_flags():
    f, bad = parse_flags(pd.Series(["Y", "n", "Yes", "NO", "1", "0", "True", "false", None, "?"]))
    assert f.tolist() == [True, False, True, False, True, False, True, False, pd.NA, pd.NA]
    assert bad.tolist() == [False] * 9 + [True]


def test_cp_category_text_and_codes():
    c, bad = parse_cp_category(pd.Series(["Neglect", "Physical Abuse", "SEXUAL ABUSE", "Emotional abuse",
                                          "Multiple", " neg ", "mul", "Financial", None]))
    assert c.tolist() == ["NEG", "PHY", "SAB", "EMO", "MUL", "NEG", "MUL", pd.NA, pd.NA]
    assert bad.tolist() == [False] * 7 + [True, False]


def test_primary_need():
    c, bad = parse_primary_need(pd.Series(["N0", " n5 ", "N10", "1", None]))
    assert c.tolist() == ["N0", "N5", pd.NA, pd.NA, pd.NA]
    assert bad.tolist() == [False, False, True, True, False]


def test_factors_json_comma_legacy_and_unknown():
    f, p = parse_factors(pd.Series(['["3B","16A"]', "16A, 3b", '["18A","19A","2B"]', "1B,XX", "[3B", "21"]))
    # sorted by number then letter; duplicates and case ignored; legacy 18A/19A accepted
    assert f.tolist() == ["3B,16A", "3B,16A", "2B,18A,19A", "1B", "", "21"]
    assert p.tolist() == [pd.NA, pd.NA, pd.NA, "has unknown factor code(s) XX",
                          "is not a JSON list of factor codes", pd.NA]


def test_contact_outcome_json():
    o, nfa, p = parse_outcome_json(pd.Series([
        '{"NEW_REFERRAL_FLAG":"N","CP_ENQUIRY_FLAG":"N","NFA_FLAG":"Y","ADVICE_FLAG":"Y"}',
        '{"OUTCOME_NEW_REFERRAL_FLAG":"Y","OUTCOME_NFA_FLAG":"N"}',   # older SSD keys
        "{}", "[1]", None]))
    assert o.tolist() == ["ADVICE_FLAG;NFA_FLAG", "NEW_REFERRAL_FLAG", "", pd.NA, pd.NA]
    assert nfa.tolist() == [True, False, False, pd.NA, pd.NA]
    assert p.tolist() == [pd.NA, pd.NA, pd.NA, "is not a JSON object of Y/N flags", pd.NA]
