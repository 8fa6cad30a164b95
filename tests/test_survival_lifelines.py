"""Kaplan-Meier and log-rank against an independent library (lifelines) on the sample.

The input (each child's group, days and event in the committed synthetic sample) and the
lifelines results were written by ``tests/reference/make_lifelines_reference.py``: lifelines
pins pandas < 3, so it ran in a separate environment and its numbers are stored here.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neglect_analysis import survival

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def km_input() -> pd.DataFrame:
    return pd.read_csv(REF / "km_input_sample.csv")


def test_kaplan_meier_matches_lifelines(km_input):
    expected = pd.read_csv(REF / "lifelines_km_sample.csv")
    ours = pd.concat(
        [survival.kaplan_meier(g["days"], g["event"], group=name)
         for name, g in km_input.groupby("group", sort=False)],
        ignore_index=True,
    )
    assert len(expected) > 100 and expected["group"].nunique() >= 4
    assert ours["group"].astype(str).tolist() == expected["group"].tolist()
    assert ours["days"].tolist() == expected["days"].tolist()
    assert ours["at_risk"].tolist() == expected["at_risk"].tolist()
    assert ours["events"].tolist() == expected["events"].tolist()
    np.testing.assert_allclose(ours["survival"], expected["survival"], rtol=1e-10, atol=1e-11)
    # Where the curve reaches 0 the log-log interval is undefined: we leave it empty (NaN,
    # documented in survival.kaplan_meier); lifelines writes 0 to 0. Everywhere else the
    # intervals agree (stored to 12 significant digits).
    undefined = ours["ci_lower"].isna()
    assert (ours.loc[undefined, "survival"] == 0).all() and undefined.sum() == 1
    assert (expected.loc[undefined, ["ci_lower", "ci_upper"]] == 0).all().all()
    for col in ("ci_lower", "ci_upper"):
        np.testing.assert_allclose(ours.loc[~undefined, col], expected.loc[~undefined, col],
                                   rtol=1e-10, atol=1e-11, err_msg=col)


def test_logrank_matches_lifelines(km_input):
    expected = pd.read_csv(REF / "lifelines_logrank_sample.csv")
    for row in expected.itertuples():
        a = km_input[km_input["group"] == row.group_1]
        b = km_input[km_input["group"] == row.group_2]
        ours = survival.logrank(a["days"], a["event"], b["days"], b["event"]).iloc[0]
        # scipy reports the standardised z; lifelines the chi-squared on 1 df (z squared)
        assert ours["statistic"] ** 2 == pytest.approx(row.chi2, rel=1e-9)
        assert ours["p_value"] == pytest.approx(row.p_value, rel=1e-9)
