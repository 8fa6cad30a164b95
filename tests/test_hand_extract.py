"""An outside audit: a hand-made SSD extract run through ``neglect-analysis report``.

``tests/extracts/hand/`` is a small SYNTHETIC extract written by hand (three families, every
DESIGN.md "Definitions" boundary); ``tests/extracts/hand/EXPECTED.md`` holds the hand working
for every value below. The tables here are typed from that working, never copied from the
package's output. Each output column is its own test, so a mismatch names its column.

Conventions (DESIGN.md "Outputs"): dates ISO, years to 2 decimals, ids as given (``0012``), ints
written as ints, NA written as an empty cell.
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from statistics import NormalDist

import pandas as pd
import pytest

from neglect_analysis.cli import main

HAND = Path(__file__).parent / "extracts" / "hand"

CHILDREN_COLUMNS = [
    "child_id", "parent_id", "birth_order", "dob", "age_days", "n_contacts", "n_referrals",
    "n_rereferrals_12m", "n_s47", "n_s47_no_icpc", "n_cp_plans", "n_repeat_cp_plans",
    "n_repeat_cp_plans_2y", "contact_series", "eh_not_engaged", "first_involvement_date",
    "escalation_date", "escalation_type", "escalated", "days_to_escalation",
    "family_signal_date", "lead_time_days", "other_la", "pre_ics_childhood",
]
GROUP_COLUMNS = [
    "parent_id", "n_children", "youngest_age_days", "eldest_age_days", "age_span_years",
    "max_gap_years", "median_gap_years", "n_other_parents", "n_partner_changes",
    "n_children_escalated", "link_source",
]
KEY = ["child_id", "parent_id"]

# Hand values, one line per (child, index parent); the reasoning per child is in EXPECTED.md.
# 0101: paper file_note/referral/cp_plan + ICS plan with an open previous plan (repeat_2y 0).
# 0102: contact span 366 (no series); advice + early help at 90 days (engaged); censored at the
#       18th birthday of a 29 Feb child, 2018-03-01.
# 0103/0104: twins in both groups; S47 with linked ICPC / unlinked ICPC at 60 days; repeat plan
#       at 730 / 731 days; family signal from the eldest half-sibling 0101 in the OTHER group.
# 0105: re-referral at 365, not at 366; "Declined"; censored at death (Excel serial date).
# 0106: dob from pers_expected_dob; pre-birth referral; S47 at 60 days (judged) and 46 (not);
#       care proceedings (decision to issue) before CLA.
# 0201: series spanning 365 days over 29 Feb 2012; same-day referrals; CLA.
# 0202: referral on the last contact day; transfer-in ICPC at 116 days; older sibling
#       escalated after this child -> no family signal.
# 0203: advice + early help at 91 days; unlinked ICPC at 61 days; other-LA plan; older sibling
#       escalated the same day -> F = E, no lead time.
CHILDREN_DEFAULT = """
child_id,parent_id,birth_order,dob,age_days,n_contacts,n_referrals,n_rereferrals_12m,n_s47,n_s47_no_icpc,n_cp_plans,n_repeat_cp_plans,n_repeat_cp_plans_2y,contact_series,eh_not_engaged,first_involvement_date,escalation_date,escalation_type,escalated,days_to_escalation,family_signal_date,lead_time_days,other_la,pre_ics_childhood
0101,0012,1,1995-10-20,8320,0,1,0,0,0,2,1,0,0,0,2002-06-10,2005-03-01,cp_plan,1,995,,,0,1
0102,0012,2,2000-02-29,6727,3,0,0,0,0,0,0,0,0,0,2009-01-20,,,0,3327,2009-01-20,,0,1
0103,0012,3,2008-01-15,3850,1,1,0,1,0,2,1,1,0,0,2010-03-03,2013-06-03,cp_plan,1,1188,2010-03-03,1188,0,1
0104,0012,4,2008-01-15,3850,1,1,0,1,0,2,1,0,0,0,2010-03-03,2013-06-03,cp_plan,1,1188,2010-03-03,1188,0,1
0105,0012,5,2012-06-01,2251,0,3,1,0,0,0,0,0,0,1,2013-01-10,,,0,1525,2013-01-10,,0,0
0106,0012,6,2016-09-20,679,0,1,0,2,1,0,0,0,0,0,2016-08-01,2016-11-02,care_proceedings,1,93,2016-08-01,93,0,0
0201,0020,1,1997-12-01,7547,3,2,1,0,0,0,0,0,1,0,2011-03-01,2012-06-10,cla,1,467,,,0,1
0202,0020,2,2001-07-01,6239,3,1,0,1,1,1,0,0,0,0,2010-05-05,2011-09-05,cp_plan,1,488,,,1,1
0203,0020,3,2005-11-11,4645,1,1,0,1,1,1,0,0,0,1,2010-02-01,2011-09-05,cp_plan,1,581,2011-09-05,,1,1
0103,0020,4,2008-01-15,3850,1,1,0,1,0,2,1,1,0,0,2010-03-03,2013-06-03,cp_plan,1,1188,2010-03-03,1188,0,1
0104,0020,5,2008-01-15,3850,1,1,0,1,0,2,1,0,0,0,2010-03-03,2013-06-03,cp_plan,1,1188,2010-03-03,1188,0,1
"""

# Family 3, selected only with --index-parents 0040.
# 0301: no events (empty dates and days), born the day before ICS start (pre_ics 1).
# 0302: series in contacts 2-4 after a 366-day triple; "DISENGAGED"; ICPC BEFORE the S47 start
#       (not within 60 days after); second plan starts before the first ends (repeat_2y 0).
# 0303: twin of 0302 (same dob: not an older sibling, so no family signal); referral on the
#       first contact day; early help that started before the advice contact.
# 0304: no events although older siblings escalated: family signal empty.
# 0305: unborn (expected dob after the audit date): age -32, censored at audit after 60 days.
# 0306 (no dob at all) is left out.
CHILDREN_0040 = """
child_id,parent_id,birth_order,dob,age_days,n_contacts,n_referrals,n_rereferrals_12m,n_s47,n_s47_no_icpc,n_cp_plans,n_repeat_cp_plans,n_repeat_cp_plans_2y,contact_series,eh_not_engaged,first_involvement_date,escalation_date,escalation_type,escalated,days_to_escalation,family_signal_date,lead_time_days,other_la,pre_ics_childhood
0301,0040,1,2009-03-31,3409,0,0,0,0,0,0,0,0,0,0,,,,0,,,,0,1
0302,0040,2,2009-04-01,3408,4,1,0,1,1,2,1,0,1,1,2010-01-01,2015-03-01,cp_plan,1,1885,,,0,0
0303,0040,3,2009-04-01,3408,4,2,0,0,0,1,0,0,0,1,2011-06-01,2016-04-04,cp_plan,1,1769,,,0,0
0304,0040,4,2017-01-01,576,0,0,0,0,0,0,0,0,0,0,,,,0,,,,0,0
0305,0040,5,2018-09-01,-32,0,1,0,0,0,0,0,0,0,0,2018-06-01,,,0,60,2018-06-01,,0,0
"""

GROUPS_DEFAULT = """
parent_id,n_children,youngest_age_days,eldest_age_days,age_span_years,max_gap_years,median_gap_years,n_other_parents,n_partner_changes,n_children_escalated,link_source
0012,6,679,8320,20.92,7.88,4.36,3,3,4,relationships
0020,5,3850,7547,10.12,4.36,2.88,2,1,5,relationships
"""
GROUPS_0040 = """
parent_id,n_children,youngest_age_days,eldest_age_days,age_span_years,max_gap_years,median_gap_years,n_other_parents,n_partner_changes,n_children_escalated,link_source
0040,5,-32,3409,9.42,7.75,0.83,0,0,2,relationships
"""

# Kaplan-Meier, group "all", by hand (product-limit over distinct children; EXPECTED.md):
# (days, at_risk, events, survival as a fraction)
KM_DEFAULT = [(93, 9, 1, 8 / 9), (467, 8, 1, 7 / 9), (488, 7, 1, 6 / 9), (581, 6, 1, 5 / 9),
              (995, 5, 1, 4 / 9), (1188, 4, 2, 2 / 9)]
KM_0040 = [(1769, 2, 1, 1 / 2), (1885, 1, 1, 0.0)]


def _table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.strip()), dtype=str, keep_default_na=False)


def _read(path: Path) -> pd.DataFrame:
    # Read as text: the test checks how values are written (ids, ints, decimals, empties).
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _run(out: Path, *extra: str) -> dict[str, pd.DataFrame]:
    code = main(["report", str(HAND), "--out", str(out), "--tables-only", "--quiet", *extra])
    assert code == 0
    analyst = out / "analyst"
    return {name: _read(analyst / f"{name}.csv")
            for name in ("children", "sibling_groups", "km_time_to_escalation",
                         "paper_file_requests")}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("hand_default") / "out")


@pytest.fixture(scope="module")
def explicit_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("hand_0040") / "out", "--index-parents", "0040")


def _mismatches(got: pd.DataFrame, expected: pd.DataFrame, key: list[str], column: str) -> list:
    merged = expected[key + [column]].merge(got[key + [column]], on=key, how="left",
                                            suffixes=("_expected", "_got"), validate="1:1")
    bad = merged[merged[f"{column}_expected"] != merged[f"{column}_got"]]
    return [f"{'/'.join(r[k] for k in key)}: expected {r[f'{column}_expected']!r}, "
            f"got {r[f'{column}_got']!r}" for _, r in bad.iterrows()]


def test_validate_exits_0():
    assert main(["validate", str(HAND)]) == 0


# --- run 1: default index rule (0012 and 0020; 0040 is too small a span) -----------------------

def test_default_rows_and_column_contract(default_run):
    children = default_run["children"]
    assert list(children.columns[: len(CHILDREN_COLUMNS)]) == CHILDREN_COLUMNS
    exp = _table(CHILDREN_DEFAULT)
    assert sorted(map(tuple, children[KEY].to_numpy())) == sorted(map(tuple, exp[KEY].to_numpy()))
    groups = default_run["sibling_groups"]
    assert list(groups.columns[: len(GROUP_COLUMNS)]) == GROUP_COLUMNS
    assert sorted(groups["parent_id"]) == ["0012", "0020"]  # ids keep their leading zeros


@pytest.mark.parametrize("column", CHILDREN_COLUMNS[2:])
def test_default_children_column(default_run, column):
    assert _mismatches(default_run["children"], _table(CHILDREN_DEFAULT), KEY, column) == []


@pytest.mark.parametrize("column", GROUP_COLUMNS[1:])
def test_default_sibling_groups_column(default_run, column):
    got = default_run["sibling_groups"]
    assert _mismatches(got, _table(GROUPS_DEFAULT), ["parent_id"], column) == []


def _loglog_ci(rows, z=NormalDist().inv_cdf(0.975)):
    """Greenwood variance, log-log interval: S ** exp(+-z * sqrt(sum) / |ln S|)."""
    out, greenwood = [], 0.0
    for _days, n, d, s in rows:
        greenwood += d / (n * (n - d)) if n > d else math.inf
        if 0 < s < 1:
            sigma = math.sqrt(greenwood) / abs(math.log(s))
            out.append((s ** math.exp(z * sigma), s ** math.exp(-z * sigma)))
        else:
            out.append((None, None))
    return out


def _check_km(km: pd.DataFrame, expected) -> None:
    got = km[km["group"] == "all"].reset_index(drop=True)
    assert got["days"].tolist() == [str(r[0]) for r in expected]
    assert got["at_risk"].tolist() == [str(r[1]) for r in expected]
    assert got["events"].tolist() == [str(r[2]) for r in expected]
    for value, r in zip(got["survival"], expected):
        assert float(value) == pytest.approx(r[3], abs=1e-9)
    for (lo, hi), (_, row) in zip(_loglog_ci(expected), got.iterrows()):
        if lo is None:
            assert row["ci_lower"] == "" and row["ci_upper"] == ""
        else:
            assert float(row["ci_lower"]) == pytest.approx(lo, abs=1e-6)
            assert float(row["ci_upper"]) == pytest.approx(hi, abs=1e-6)


def test_default_km_all(default_run):
    _check_km(default_run["km_time_to_escalation"], KM_DEFAULT)


# --- run 2: --index-parents 0040 ----------------------------------------------------------------

def test_explicit_rows(explicit_run):
    children = explicit_run["children"]
    exp = _table(CHILDREN_0040)
    assert sorted(map(tuple, children[KEY].to_numpy())) == sorted(map(tuple, exp[KEY].to_numpy()))
    assert explicit_run["sibling_groups"]["parent_id"].tolist() == ["0040"]


@pytest.mark.parametrize("column", CHILDREN_COLUMNS[2:])
def test_explicit_children_column(explicit_run, column):
    assert _mismatches(explicit_run["children"], _table(CHILDREN_0040), KEY, column) == []


@pytest.mark.parametrize("column", GROUP_COLUMNS[1:])
def test_explicit_sibling_groups_column(explicit_run, column):
    got = explicit_run["sibling_groups"]
    assert _mismatches(got, _table(GROUPS_0040), ["parent_id"], column) == []


def test_explicit_km_all(explicit_run):
    _check_km(explicit_run["km_time_to_escalation"], KM_0040)


# --- paper_file_requests.csv (DESIGN.md "Pre-ICS history"; not a column contract) -------------
# Born before 2009-04-01: 0101, 0102, 0103, 0104, 0201, 0202, 0203. 0101 and 0102 already have
# paper_records rows; the package lists only children whose paper file has not been read yet
# (actions.paper_file_requests docstring): an accepted reading of "listed for a paper-file
# request; paper_records adds what the files showed".
# years_before_ics = (2009-04-01 - dob) / 365.25: 0103/0104 442 days (366 + 16+28+31+1) -> 1.21;
# 0201 4139 (4018 + 31+31+28+31) -> 11.33; 0202 2831 (2557 + 274) -> 7.75;
# 0203 1237 (1096 + 19+31+31+28+31+1) -> 3.39.
PAPER_REQUESTS = """
child_id,parent_id,years_before_ics
0103,0012,1.21
0104,0012,1.21
0201,0020,11.33
0202,0020,7.75
0203,0020,3.39
0103,0020,1.21
0104,0020,1.21
"""


@pytest.fixture(scope="module")
def paper_requests(default_run):
    return default_run["paper_file_requests"]


def test_paper_file_requests_rows(paper_requests):
    exp = _table(PAPER_REQUESTS)
    assert sorted(map(tuple, paper_requests[KEY].to_numpy())) == sorted(map(tuple, exp[KEY].to_numpy()))


def test_paper_file_requests_years_two_decimals(paper_requests):
    assert _mismatches(paper_requests, _table(PAPER_REQUESTS), KEY, "years_before_ics") == []
