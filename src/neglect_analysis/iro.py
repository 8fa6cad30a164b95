"""IRO challenge-log coverage of the CP plans in the sibling groups (briefing point 7).

Each a pure function of a :class:`~neglect_analysis.cohort.Cohort` and the sibling-group
``members`` table (:func:`neglect_analysis.siblings.members`), returning a tidy DataFrame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import NOT_RECORDED
from .cohort import Cohort
from .family import events_of


#: Lower bounds of the sibling-group size bands of :func:`plan_challenges`: 5-6, 7-8, 9+.
GROUP_SIZE_BAND_STARTS: tuple[int, ...] = (5, 7, 9)

def _band(size: pd.Series, starts: tuple[int, ...]) -> pd.Series:
    labels = [f"{a}-{b - 1}" if b - 1 > a else str(a) for a, b in zip(starts[:-1], starts[1:])]
    labels += [f"{starts[-1]}+"]
    idx = np.searchsorted(np.asarray(starts), size.to_numpy(), side="right") - 1
    text = np.where(idx < 0, f"<{starts[0]}", np.asarray(labels, dtype=object)[np.clip(idx, 0, None)])
    return pd.Series(text, index=size.index, dtype="string")


def plan_challenges(
    cohort: Cohort,
    members: pd.DataFrame,
    *,
    band_starts: tuple[int, ...] = GROUP_SIZE_BAND_STARTS,
) -> pd.DataFrame:
    """One row per CP plan of a sibling-group child, with its IRO challenge-log entries.

    Briefing point 7 (IRO challenge in larger sibling groups). Plans are the children's
    ``cp_plan`` events, extract and paper (the same plans as the findings table); a challenge
    belongs to a plan when its ``cp_plan_id`` is the plan's ``event_id``. ``group_size`` is
    the size of the largest sibling group the child belongs to, banded from ``band_starts``
    (default 5-6, 7-8, 9+; smaller groups ``"<5"``).

    Returns
    -------
    DataFrame
        ``event_id``, ``child_id``, ``start_date``, ``end_date``, ``category`` (initial
        category code, :data:`NOT_RECORDED` when empty), ``source``, ``group_size``,
        ``group_size_band``, ``n_challenges``, ``n_resolved`` (challenges with a resolved
        date), ``first_challenge_date``, ``challenged`` (bool). Sorted by child, start, id.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1995-01-01", "2005-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"event_id": ["p1", "p2"], "person_id": ["A", "B"], "event_type": "cp_plan",
    ...                    "start_date": ["2000-01-01", "2006-01-01"], "category": ["NEG", None]})
    >>> iro = pd.DataFrame({"person_id": ["A"], "cp_plan_id": ["p1"], "challenge_date": ["2000-03-01"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, iro_challenges=iro, audit_date="2018-07-31")
    >>> p = plan_challenges(c, members(c, ["M"]))
    >>> p[["event_id", "category", "group_size_band", "n_challenges", "challenged"]].values.tolist()
    [['p1', 'NEG', '<5', 1, True], ['p2', 'not recorded', '<5', 0, False]]
    """
    m = members[["parent_id", "child_id"]].drop_duplicates()
    size = m.groupby("parent_id").size()
    child_size = m.assign(n=m["parent_id"].map(size)).groupby("child_id")["n"].max()
    ev = events_of(cohort, child_size.index)
    plans = ev[ev["event_type"] == "cp_plan"]
    out = pd.DataFrame({
        "event_id": plans["event_id"], "child_id": plans["person_id"],
        "start_date": plans["start_date"], "end_date": plans["end_date"],
        "category": plans["category"].astype("string").fillna(NOT_RECORDED),
        "source": plans["source"],
    })
    out["group_size"] = out["child_id"].map(child_size).astype("int64")
    out["group_size_band"] = _band(out["group_size"], tuple(band_starts))
    iro = cohort.iro_challenges
    per = iro.groupby("cp_plan_id").agg(n_challenges=("challenge_date", "size"),
                                        n_resolved=("resolved_date", "count"),
                                        first_challenge_date=("challenge_date", "min"))
    out = out.merge(per, left_on="event_id", right_index=True, how="left")
    out["n_challenges"] = out["n_challenges"].fillna(0).astype("int64")
    out["n_resolved"] = out["n_resolved"].fillna(0).astype("int64")
    out["first_challenge_date"] = out["first_challenge_date"].astype("datetime64[ns]")
    out["challenged"] = out["n_challenges"] > 0
    return out.sort_values(["child_id", "start_date", "event_id"], kind="stable").reset_index(drop=True)


def challenge_coverage(plan_log: pd.DataFrame, *, by: str = "group_size_band") -> pd.DataFrame:
    """Plans and challenged plans per value of ``by`` (a column of :func:`plan_challenges`).

    Returns
    -------
    DataFrame
        ``by`` column, ``n_plans``, ``n_challenged``, ``share`` (per cent, unrounded), sorted
        by the ``by`` value, then a ``"Total"`` row.

    Examples
    --------
    >>> p = pd.DataFrame({"group_size_band": ["5-6", "5-6", "9+"], "challenged": [True, False, False]})
    >>> challenge_coverage(p).values.tolist()
    [['5-6', 2, 1, 50.0], ['9+', 1, 0, 0.0], ['Total', 3, 1, 33.333333333333336]]
    """
    g = plan_log.groupby(by, sort=True)["challenged"].agg(n_plans="size", n_challenged="sum").reset_index()
    total = pd.DataFrame({by: ["Total"], "n_plans": [len(plan_log)], "n_challenged": [int(plan_log["challenged"].sum())]})
    out = pd.concat([g.astype({by: "string"}), total.astype({by: "string"})], ignore_index=True)
    out = out.astype({"n_plans": "int64", "n_challenged": "int64"})
    out["share"] = (100.0 * out["n_challenged"] / out["n_plans"].where(out["n_plans"] > 0)).astype("float64")
    return out


def challenge_themes(cohort: Cohort, plan_log: pd.DataFrame) -> pd.DataFrame:
    """IRO challenges of the plans in ``plan_log`` by theme.

    Returns
    -------
    DataFrame
        ``theme`` (:data:`NOT_RECORDED` when empty), ``n_challenges``, ``n_plans`` (distinct
        plans challenged on the theme); most challenges first, ties by theme.

    Examples
    --------
    >>> iro = pd.DataFrame({"person_id": ["A", "A", "B"], "cp_plan_id": ["p1", "p1", "p9"],
    ...                     "theme": ["Drift", "Drift", "Drift"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), iro_challenges=iro,
    ...                        audit_date="2018-07-31")
    >>> challenge_themes(c, pd.DataFrame({"event_id": ["p1"]})).values.tolist()
    [['Drift', 2, 1]]
    """
    iro = cohort.iro_challenges
    iro = iro[iro["cp_plan_id"].isin(plan_log["event_id"])]
    iro = iro.assign(theme=iro["theme"].astype("string").fillna(NOT_RECORDED))
    out = iro.groupby("theme", sort=True).agg(n_challenges=("cp_plan_id", "size"),
                                              n_plans=("cp_plan_id", "nunique")).reset_index()
    out = out.sort_values(["n_challenges", "theme"], ascending=[False, True], kind="stable")
    return out.astype({"n_challenges": "int64", "n_plans": "int64"}).reset_index(drop=True)


def electronic_plans(plan_log: pd.DataFrame) -> pd.DataFrame:
    """The plans of :func:`plan_challenges` on the electronic record (``source`` ``ics``): the
    base of the IRO finding, since paper plans (before the ICS) have no challenge log.

    Examples
    --------
    >>> log = pd.DataFrame({"event_id": ["a", "b", "c"], "source": ["ics", "paper", "ics"]})
    >>> electronic_plans(log)["event_id"].tolist()
    ['a', 'c']
    """
    return plan_log[(plan_log["source"] == "ics").to_numpy(dtype=bool, na_value=False)]
