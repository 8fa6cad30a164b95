"""Kaplan-Meier and log-rank wrappers: a textbook example worked by hand."""
from math import erfc, exp, log, sqrt

import numpy as np
import pandas as pd
import pytest

from neglect_analysis.survival import KM_COLUMNS, kaplan_meier, logrank

Z95 = 1.959963984540054  # standard normal 97.5% quantile

# Seven subjects (+ = censored): 2, 3+, 4, 4, 5+, 7, 9+.
DAYS = [2, 3, 4, 4, 5, 7, 9]
EVENT = [1, 0, 1, 1, 0, 1, 0]

# Kaplan-Meier by hand, S(t) = prod (1 - d/n); Greenwood V(t) = sum d / (n (n - d)):
#   t=2: n=7 (all), d=1 -> S = 6/7 = 0.857142857;  V = 1/(7*6) = 1/42
#   t=3: censoring only -> no row
#   t=4: n=5 (4,4,5+,7,9+), d=2 -> S = 6/7 * 3/5 = 18/35 = 0.514285714;  V = 1/42 + 2/(5*3) = 11/70
#   t=5: censoring only -> no row
#   t=7: n=2 (7, 9+), d=1 -> S = 18/35 * 1/2 = 9/35 = 0.257142857;  V = 11/70 + 1/(2*1) = 23/35
# Log-log interval: se = sqrt(V) / |log S|; lower = S ** exp(+z se), upper = S ** exp(-z se).
#   t=2: log S = -0.1541507, sqrt V = 0.1543033, se = 1.000990, z se = 1.961905
#        lower = (6/7) ** 7.11197 = 0.334053879, upper = (6/7) ** 0.140608 = 0.978561059
#   t=4: log S = -0.6649763, sqrt V = 0.3964125, se = 0.596130, z se = 1.168393
#        lower = (18/35) ** 3.21676 = 0.117759584, upper = (18/35) ** 0.310873 = 0.813248608
#   t=7: log S = -1.3581235, sqrt V = 0.8106434, se = 0.596885, z se = 1.169873
#        lower = (9/35) ** 3.22153 = 0.012584262, upper = (9/35) ** 0.310413 = 0.656015963
EXPECTED = pd.DataFrame({
    "days": [2, 4, 7],
    "survival": [6 / 7, 18 / 35, 9 / 35],
    "ci_lower": [0.3340538792922221, 0.1177595839165732, 0.012584262070462766],
    "ci_upper": [0.9785610585261755, 0.8132486075757585, 0.6560159632044946],
    "at_risk": [7, 5, 2],
    "events": [1, 2, 1],
})


def _loglog(s, v):
    """The hand formula above (used only to double-check the literal values)."""
    se = sqrt(v) / abs(log(s))
    return s ** exp(Z95 * se), s ** exp(-Z95 * se)


def test_hand_formula_matches_literals():
    for s, v, lo, hi in [(6 / 7, 1 / 42, *EXPECTED.iloc[0, 2:4]),
                         (18 / 35, 11 / 70, *EXPECTED.iloc[1, 2:4]),
                         (9 / 35, 23 / 35, *EXPECTED.iloc[2, 2:4])]:
        assert _loglog(s, v) == pytest.approx((lo, hi), abs=1e-12)


def test_kaplan_meier_textbook_example():
    km = kaplan_meier(DAYS, EVENT, group="all")
    assert list(km.columns) == list(KM_COLUMNS)
    assert (km["group"] == "all").all()
    assert km["days"].tolist() == EXPECTED["days"].tolist()
    for col in ("survival", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(km[col], EXPECTED[col], atol=1e-6)
    assert km["at_risk"].tolist() == EXPECTED["at_risk"].tolist()
    assert km["events"].tolist() == EXPECTED["events"].tolist()


def test_kaplan_meier_order_and_missing_durations_do_not_matter():
    # Same data shuffled, with a NaN duration (left out): identical estimate.
    d = [9, 4, np.nan, 2, 7, 3, 4, 5]
    e = [0, 1, 1, 1, 1, 0, 1, 0]
    km = kaplan_meier(pd.Series(d), pd.Series(e, dtype=bool))
    np.testing.assert_allclose(km["survival"], EXPECTED["survival"], atol=1e-12)


def test_kaplan_meier_no_event_and_empty():
    assert kaplan_meier([1, 2], [0, 0]).empty
    km = kaplan_meier([], [])
    assert km.empty and list(km.columns) == list(KM_COLUMNS)


def test_kaplan_meier_day_zero_event_and_survival_zero():
    # 0 (event), 5 (event): t=0 n=2 d=1 S=1/2; t=5 n=1 d=1 S=0, log-log CI undefined at S=0.
    km = kaplan_meier([0, 5], [True, True], group="g")
    assert km["days"].tolist() == [0, 5]
    assert km["survival"].tolist() == [0.5, 0.0]
    assert np.isnan(km.loc[1, "ci_lower"]) or km.loc[1, "ci_lower"] == 0


def test_kaplan_meier_rejects_negative_and_mismatched():
    with pytest.raises(ValueError):
        kaplan_meier([-1, 2], [1, 1])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1])


def test_logrank_by_hand():
    # Group 1: 1, 2 (both events); group 2: 3, 4 (both events).
    # t=1: n=4, n1=2, d=1: E1 = 2/4 = 1/2, V = n1 n2 d (n-d) / (n^2 (n-1)) = 2*2*1*3/(16*3) = 1/4
    # t=2: n=3, n1=1, d=1: E1 = 1/3,       V = 1*2*1*2/(9*2) = 2/9
    # t=3, t=4: n1 = 0: E1 = 0, V = 0
    # O1 - E1 = 2 - 5/6 = 7/6; V = 1/4 + 2/9 = 17/36; chi2 = (49/36)/(17/36) = 49/17
    # p = P(chi2_1 > 49/17) = erfc(sqrt(49/34)); statistic z = +-sqrt(49/17)
    r = logrank([1, 2], [1, 1], [3, 4], [1, 1])
    assert r.loc[0, ["n_1", "n_2", "events_1", "events_2"]].tolist() == [2, 2, 2, 2]
    assert r.loc[0, "statistic"] ** 2 == pytest.approx(49 / 17, abs=1e-9)
    assert r.loc[0, "p_value"] == pytest.approx(erfc(sqrt(49 / 34)), abs=1e-9)


def test_logrank_undefined():
    r = logrank([], [], [1, 2], [1, 0])
    assert r.loc[0, "n_1"] == 0 and np.isnan(r.loc[0, "statistic"]) and np.isnan(r.loc[0, "p_value"])
    r = logrank([1], [0], [2], [0])
    assert np.isnan(r.loc[0, "p_value"])
