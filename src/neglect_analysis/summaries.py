"""Aggregate count tables behind the briefing figures (computed here, drawn in ``plots``).

Each function turns an analyst table into a small table of counts that
:mod:`neglect_analysis.disclosure` can suppress and :mod:`neglect_analysis.plots` can draw.
Children are counted once each, whichever sibling group they belong to.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Sibling-group size bands: 5, 6, 7, 8, 9 children, then "10+".
GROUP_SIZE_BANDS: tuple[int, ...] = (5, 6, 7, 8, 9, 10)
#: Lead-time bands in months (upper bounds, right-closed): 0-6, 6-12, 12-24, 24-60, 60+.
LEAD_TIME_BAND_MONTHS: tuple[float, ...] = (6, 12, 24, 60)
DAYS_PER_MONTH = 365.25 / 12


def group_size_counts(groups: pd.DataFrame, *, bands: tuple[int, ...] = GROUP_SIZE_BANDS) -> pd.DataFrame:
    """Number of sibling groups by number of children, the last band open (``"10+"``).

    Groups smaller than the first band are counted in a ``"<5"`` band (only possible with
    explicit index parents).

    Examples
    --------
    >>> g = pd.DataFrame({"n_children": [5, 5, 7, 12, 3]})
    >>> group_size_counts(g).values.tolist()
    [['<5', 1], ['5', 2], ['6', 0], ['7', 1], ['8', 0], ['9', 0], ['10+', 1]]
    """
    n = groups["n_children"].to_numpy()
    labels = [f"<{bands[0]}"] + [str(b) for b in bands[:-1]] + [f"{bands[-1]}+"]
    edges = [-np.inf] + list(bands) + [np.inf]
    idx = np.searchsorted(np.asarray(edges[1:-1], dtype=float), n, side="right")
    counts = np.bincount(idx, minlength=len(labels))
    out = pd.DataFrame({"n_children": labels, "n_groups": counts.astype("int64")})
    if out.loc[0, "n_groups"] == 0:
        out = out.iloc[1:].reset_index(drop=True)
    return out


def lead_time_counts(children: pd.DataFrame, *, band_months: tuple[float, ...] = LEAD_TIME_BAND_MONTHS) -> pd.DataFrame:
    """Children with a lead time, by band of months (days / 30.44), each child once.

    Bands are right-closed: ``"up to 6"``, ``"6-12"``, ..., and ``"over 60"``.

    Examples
    --------
    >>> c = pd.DataFrame({"child_id": ["A", "A", "B", "C", "D"], "lead_time_days": [30, 30, 400, None, 2000]})
    >>> lead_time_counts(c).values.tolist()
    [['up to 6', 1], ['6-12', 0], ['12-24', 1], ['24-60', 0], ['over 60', 1]]
    """
    kids = children.drop_duplicates("child_id")
    months = pd.to_numeric(kids["lead_time_days"], errors="coerce").dropna().to_numpy() / DAYS_PER_MONTH
    idx = np.searchsorted(np.asarray(band_months, dtype=float), months, side="left")
    counts = np.bincount(idx, minlength=len(band_months) + 1)
    labels = [f"up to {band_months[0]:g}"] + [
        f"{a:g}-{b:g}" for a, b in zip(band_months[:-1], band_months[1:])
    ] + [f"over {band_months[-1]:g}"]
    return pd.DataFrame({"lead_time_months": labels, "n_children": counts.astype("int64")})


def escalation_by_position(children: pd.DataFrame) -> pd.DataFrame:
    """Children by position in the family (eldest / younger) and first escalation type.

    A child is ``eldest`` when it is birth order 1 in any of its sibling groups. Columns:
    ``cp_plan``, ``cla``, ``care_proceedings``, ``not_escalated`` (counts); index: position.

    Examples
    --------
    >>> c = pd.DataFrame({"child_id": ["A", "B", "C"], "birth_order": [1, 2, 3],
    ...                   "escalation_type": ["cp_plan", None, "cla"]})
    >>> escalation_by_position(c).values.tolist()
    [[1, 0, 0, 0], [0, 1, 0, 1]]
    """
    pos = children.groupby("child_id")["birth_order"].min().eq(1).map({True: "eldest", False: "younger"})
    typ = children.drop_duplicates("child_id").set_index("child_id")["escalation_type"]
    typ = typ.astype("object").where(typ.notna(), "not_escalated")
    table = pd.crosstab(pos.rename("position"), typ.reindex(pos.index))
    cols = ["cp_plan", "cla", "care_proceedings", "not_escalated"]
    table = table.reindex(index=["eldest", "younger"], columns=cols, fill_value=0).fillna(0)
    table.columns.name = None
    return table.astype("int64")
