"""Cohen's kappa per question, checked against examples worked by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from neglect_analysis.agreement import AGREEMENT_COLUMNS, cohen_kappa


def _pairs(item: str, table: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Pairs from a contingency table {(answer of A, answer of B): count}."""
    rows = [(item, a, b) for (a, b), k in table.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=["item_id", "answer_a", "answer_b"])


def test_kappa_two_by_two_and_three_by_three_by_hand():
    # Q1, 2 x 2 (rows: reviewer A, columns: reviewer B), 10 pairs:
    #            B Yes  B No | A total
    #   A Yes      4     1   |   5
    #   A No       2     3   |   5
    #   B total    6     4   |  10
    # p_o = (4 + 3) / 10 = 0.7
    # p_e = (5/10)(6/10) + (5/10)(4/10) = 0.30 + 0.20 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    q1 = _pairs("Q1", {("Yes", "Yes"): 4, ("Yes", "No"): 1, ("No", "Yes"): 2, ("No", "No"): 3})
    # Q2, 3 x 3, 12 pairs:
    #              B Yes  B No  B Partly | A total
    #   A Yes        3     1      0      |   4
    #   A No         0     4      1      |   5
    #   A Partly     1     0      2      |   3
    #   B total      4     5      3      |  12
    # p_o = (3 + 4 + 2) / 12 = 0.75
    # p_e = (4*4 + 5*5 + 3*3) / 12^2 = 50 / 144 = 0.347222...
    # kappa = (0.75 - 50/144) / (1 - 50/144) = (58/144) / (94/144) = 58/94 = 0.617021...
    q2 = _pairs("Q2", {("Yes", "Yes"): 3, ("Yes", "No"): 1, ("No", "No"): 4, ("No", "Partly"): 1,
                       ("Partly", "Yes"): 1, ("Partly", "Partly"): 2})
    out = cohen_kappa(pd.concat([q2, q1], ignore_index=True))
    assert list(out.columns) == [c for c in AGREEMENT_COLUMNS if c != "question"]
    assert out["item_id"].tolist() == ["Q1", "Q2"]
    assert out["n_pairs"].tolist() == [10, 12]
    assert out["n_agree"].tolist() == [7, 9]
    assert out["n_disagree"].tolist() == [3, 3]
    assert out["observed_agreement"].tolist() == [0.7, 0.75]
    assert out["expected_agreement"].tolist() == [0.5, round(50 / 144, 4)]
    assert out.loc[0, "kappa"] == pytest.approx(0.4)
    assert out.loc[1, "kappa"] == pytest.approx(round(58 / 94, 4))


def test_kappa_perfect_agreement_and_single_answer():
    # Q1: both reviewers say Yes, No, Yes, No: p_o = 1, p_e = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = 1.
    # Q2: both say "Not applicable" every time: p_o = 1 and p_e = 1, kappa undefined (empty).
    pairs = pd.DataFrame({
        "item_id": ["Q1"] * 4 + ["Q2"] * 3,
        "question": ["Older siblings"] * 4 + ["Paper file"] * 3,
        "answer_a": ["Yes", "No", "Yes", "No"] + ["Not applicable"] * 3,
        "answer_b": ["Yes", "No", "Yes", "No"] + ["Not applicable"] * 3,
    })
    out = cohen_kappa(pairs)
    assert out["question"].tolist() == ["Older siblings", "Paper file"]
    assert out.loc[0, "kappa"] == 1.0
    assert math.isnan(out.loc[1, "kappa"]) and out.loc[1, "n_agree"] == 3


def test_kappa_rejects_missing_answers_and_columns():
    with pytest.raises(ValueError, match="missing answer"):
        cohen_kappa(pd.DataFrame({"item_id": ["Q1"], "answer_a": ["Yes"], "answer_b": [None]}))
    with pytest.raises(ValueError, match="no column 'answer_b'"):
        cohen_kappa(pd.DataFrame({"item_id": ["Q1"], "answer_a": ["Yes"]}))
