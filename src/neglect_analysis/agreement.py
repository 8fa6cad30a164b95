"""Agreement between two reviewers of the same case files: Cohen's kappa per question.

When a second auditor reviews some families again, each (child, question) answered by both is
a pair of ratings. :func:`cohen_kappa` gives, per question, how often the two agreed and how
much more than chance that is:

- observed agreement ``p_o`` = pairs with the same answer / pairs;
- chance agreement ``p_e`` = sum over answers ``k`` of (share of reviewer A's answers that are
  ``k``) x (share of reviewer B's answers that are ``k``);
- kappa = ``(p_o - p_e) / (1 - p_e)``: 1 is perfect agreement, 0 what chance gives. Where both
  reviewers gave one and the same answer to every pair, ``p_e`` = 1 and kappa is undefined
  (empty), although they agreed on every pair.

Every answer, ``Not applicable`` included, is a category of its own (Cohen 1960).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of :func:`cohen_kappa`, in order.
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "item_id", "question", "n_pairs", "n_agree", "n_disagree",
    "observed_agreement", "expected_agreement", "kappa",
)


def cohen_kappa(
    pairs: pd.DataFrame,
    *,
    by: str = "item_id",
    first: str = "answer_a",
    second: str = "answer_b",
) -> pd.DataFrame:
    """Cohen's kappa of two reviewers' answers, one row per question.

    Parameters
    ----------
    pairs
        One row per pair of ratings: the question ``by``, the first reviewer's answer
        ``first`` and the second's ``second``. A ``question`` column, where present, is carried
        into the result (its first text per ``by``). Rows with a missing answer on either side
        are not pairs and must be left out by the caller.
    by, first, second
        Column names.

    Returns
    -------
    DataFrame
        :data:`AGREEMENT_COLUMNS`, one row per question sorted by ``by``: ``n_pairs``,
        ``n_agree`` (same answer), ``n_disagree``, ``observed_agreement`` (``p_o``),
        ``expected_agreement`` (``p_e``) and ``kappa`` (``(p_o - p_e) / (1 - p_e)``; empty where
        ``p_e`` is 1), the last three rounded to 4 decimals.

    Examples
    --------
    Ten pairs; A said Yes 5 times, B 6 times; 7 agree: p_o = 0.7, p_e = 0.5 x 0.6 + 0.5 x 0.4
    = 0.5, kappa = 0.2 / 0.5 = 0.4.

    >>> pairs = pd.DataFrame({"item_id": "Q1",
    ...     "answer_a": ["Yes"] * 5 + ["No"] * 5,
    ...     "answer_b": ["Yes"] * 4 + ["No"] + ["Yes"] * 2 + ["No"] * 3})
    >>> cohen_kappa(pairs)[["item_id", "n_pairs", "n_agree", "kappa"]].values.tolist()
    [['Q1', 10, 7, 0.4]]
    """
    missing = [c for c in (by, first, second) if c not in pairs.columns]
    if missing:
        raise ValueError(f"cohen_kappa: the pairs have no column {missing[0]!r}")
    a = pairs[first].astype("string")
    b = pairs[second].astype("string")
    if (a.isna() | b.isna()).any():
        raise ValueError("cohen_kappa: a pair has a missing answer; leave such rows out")
    key = pairs[by].astype("string")
    n = key.groupby(key, sort=True).size()
    agree = (a == b).astype("int64").groupby(key, sort=True).sum().reindex(n.index)
    # chance agreement: per question, the answer shares of each reviewer multiplied, summed
    count_a = pd.crosstab(key, a)
    count_b = pd.crosstab(key, b)
    cats = count_a.columns.union(count_b.columns)
    count_a = count_a.reindex(index=n.index, columns=cats, fill_value=0).to_numpy(dtype="float64")
    count_b = count_b.reindex(index=n.index, columns=cats, fill_value=0).to_numpy(dtype="float64")
    size = n.to_numpy(dtype="float64")
    p_e = (count_a * count_b).sum(axis=1) / size**2
    p_o = agree.to_numpy(dtype="float64") / size
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(np.isclose(p_e, 1.0), np.nan, (p_o - p_e) / (1.0 - p_e))
    out = pd.DataFrame(
        {
            "item_id": n.index.astype(str),
            "question": "",
            "n_pairs": n.to_numpy(dtype="int64"),
            "n_agree": agree.to_numpy(dtype="int64"),
            "n_disagree": (n - agree).to_numpy(dtype="int64"),
            "observed_agreement": np.round(p_o, 4),
            "expected_agreement": np.round(p_e, 4),
            "kappa": np.round(kappa, 4),
        }
    )
    if "question" in pairs.columns:
        text = pairs["question"].astype("string").groupby(key, sort=True).first()
        out["question"] = text.reindex(n.index).fillna("").to_numpy(dtype=object)
    else:
        out = out.drop(columns="question")
    return out.rename(columns={"item_id": by}) if by != "item_id" else out
