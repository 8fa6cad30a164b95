"""What the older siblings' records already held when a younger child was assessed.

For each younger child's S47 enquiry (or assessment), which older siblings' involvement was
already on record that day (DESIGN.md "Sibling group and birth order": an older sibling has an
earlier dob in any group the child belongs to; briefing point 5). Vectorised with merges and
:func:`pandas.merge_asof`; loops run over a handful of history kinds only.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from . import labels
from .cohort import Cohort
from .family import events_of
from .siblings import older_sibling_pairs


#: Older-sibling history looked for by :func:`older_sibling_history`: kind -> label, the one
#: label map's :data:`neglect_analysis.labels.HISTORY_KIND_LABELS` (the same object, so its
#: words are changed there). Every kind but ``paper`` is an event type (extract or
#: paper-sourced); ``paper`` is any event whose ``source`` is ``paper`` (history found only in
#: paper files or other records).
HISTORY_KINDS: dict[str, str] = labels.HISTORY_KIND_LABELS


def older_sibling_history(
    cohort: Cohort,
    members: pd.DataFrame,
    *,
    event_types: Iterable[str] = ("s47",),
    kinds: Iterable[str] = tuple(HISTORY_KINDS),
    include_same_day: bool = False,
) -> pd.DataFrame:
    """For each S47 enquiry (or other event) of a child with older siblings: what the older
    siblings' records already held that day.

    Implements briefing point 5 ("an analysis of relevant previous involvement ... with older
    siblings") on the DESIGN.md definitions of older sibling ("Sibling group and birth order":
    earlier dob, in any group the child belongs to) and "Involvement" (extract and paper events).
    History *on record at the date* = older siblings' events that started before the event's
    start date (``include_same_day=True``: on or before; choice: by default a same-day event
    of a sibling is part of the same enquiry, not previous history). Paper records count on the
    date they describe: the history existed then, in a paper file.

    Parameters
    ----------
    cohort, members
        The Cohort and :func:`neglect_analysis.siblings.members`.
    event_types
        Events of the younger child to look from (default S47 enquiries; e.g. ``("assessment",)``).
    kinds
        History kinds of :data:`HISTORY_KINDS` to count.
    include_same_day
        Count older siblings' events on the same day as earlier history.

    Returns
    -------
    DataFrame
        One row per dated event of ``event_types`` of a child with at least one older sibling:
        ``event_id``, ``child_id``, ``event_type``, ``start_date``, ``n_older_siblings``,
        ``older_<kind>`` per kind (events of the older siblings on record, int64),
        ``n_older_with_history`` (older siblings with at least one such event),
        ``history_paper_only`` (bool: there was such history and all of it from paper
        records). Sorted by child, date, event id.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1995-01-01", "2005-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"event_id": ["p1", "s1", "s2", "s3"], "person_id": ["A", "A", "B", "B"],
    ...                    "event_type": ["cp_plan", "s47", "s47", "s47"],
    ...                    "start_date": ["2000-01-01", "2006-01-01", "2006-01-01", "2010-01-01"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> h = older_sibling_history(c, members(c, ["M"]))
    >>> h[["event_id", "older_s47", "older_cp_plan", "n_older_with_history"]].values.tolist()
    [['s2', 0, 1, 1], ['s3', 1, 1, 1]]
    """
    kinds = [k for k in kinds]
    unknown = [k for k in kinds if k not in HISTORY_KINDS]
    if unknown:
        raise ValueError(f"unknown history kinds {unknown}; choose from {list(HISTORY_KINDS)}")
    pairs = older_sibling_pairs(members).astype("string")  # joined with text-keyed events
    n_older = pairs.groupby("child_id").size().rename("n_older_siblings")

    ev = events_of(cohort, members)  # the groups' children: the younger ones and their siblings
    targets = ev[ev["event_type"].isin(list(event_types)) & ev["start_date"].notna()
                 & ev["person_id"].isin(n_older.index)]
    targets = targets[["event_id", "person_id", "event_type", "start_date"]].rename(columns={"person_id": "child_id"})
    targets = targets.drop_duplicates(["event_type", "event_id"])
    left = targets.merge(pairs, on="child_id").sort_values("start_date", kind="stable")
    key = ["event_type", "event_id"]

    hist = ev[ev["person_id"].isin(pairs["sibling_id"].unique()) & ev["start_date"].notna()]
    masks = {k: (hist["source"] == "paper") if k == "paper" else (hist["event_type"] == k) for k in kinds}
    masks["_ics"] = pd.concat([masks[k] for k in kinds if k != "paper"] + [pd.Series(False, index=hist.index)],
                              axis=1).any(axis=1) & (hist["source"] != "paper")
    masks["_any"] = pd.concat([masks[k] for k in kinds] + [pd.Series(False, index=hist.index)], axis=1).any(axis=1)

    per_pair = left[key + ["child_id", "sibling_id"]].copy()
    for name, mask in masks.items():
        h = hist.loc[mask, ["person_id", "start_date"]].rename(columns={"person_id": "sibling_id"})
        h = h.sort_values(["sibling_id", "start_date"], kind="stable")
        h = h.assign(cum=h.groupby("sibling_id").cumcount() + 1)
        # Several events on one day: keep the last (highest count) of each day.
        h = h.drop_duplicates(["sibling_id", "start_date"], keep="last").sort_values("start_date", kind="stable")
        hit = pd.merge_asof(left[["start_date", "sibling_id"]].reset_index(), h, on="start_date", by="sibling_id",
                            allow_exact_matches=include_same_day, direction="backward")
        per_pair[name] = hit.set_index("index")["cum"].reindex(left.index).fillna(0).astype("int64").to_numpy()

    per_pair["_with"] = (per_pair["_any"] > 0).astype("int64")
    sums = per_pair.groupby(key, sort=False)[[*kinds, "_ics", "_any", "_with"]].sum()
    out = targets.merge(sums.reset_index(), on=key, how="left")
    out["n_older_siblings"] = out["child_id"].map(n_older).astype("int64")
    paper = out["paper"] if "paper" in kinds else pd.Series(0, index=out.index)
    out["history_paper_only"] = ((out["_any"] > 0) & (out["_ics"] == 0) & (paper > 0)).astype(bool)
    out = out.rename(columns={k: f"older_{k}" for k in kinds} | {"_with": "n_older_with_history"})
    cols = (["event_id", "child_id", "event_type", "start_date", "n_older_siblings"]
            + [f"older_{k}" for k in kinds] + ["n_older_with_history", "history_paper_only"])
    out = out.sort_values(["child_id", "start_date", "event_id"], kind="stable").reset_index(drop=True)
    for c in cols[5:-1]:
        out[c] = out[c].fillna(0).astype("int64")
    return out[cols]


def history_known_summary(history: pd.DataFrame) -> pd.DataFrame:
    """How often each kind of older-sibling history was already on record (from
    :func:`older_sibling_history`).

    Returns
    -------
    DataFrame
        One row per ``older_<kind>`` column present, in :data:`HISTORY_KINDS` order, then one
        for any of them: ``kind``, ``history`` (plain label), ``n_with`` (events where the older
        siblings had at least one), ``n_events`` (all events), ``share`` (per cent, unrounded;
        NaN when there are no events).

    Examples
    --------
    >>> h = pd.DataFrame({"older_s47": [0, 2, 1, 0], "older_cp_plan": [0, 0, 1, 1],
    ...                   "n_older_with_history": [0, 1, 1, 1]})
    >>> history_known_summary(h)[["kind", "n_with", "share"]].values.tolist()
    [['s47', 2, 50.0], ['cp_plan', 2, 50.0], ['any', 3, 75.0]]
    """
    n = len(history)
    rows = [(k, labels.HISTORY_KIND_LABELS[k], int((history[f"older_{k}"] > 0).sum()))
            for k in HISTORY_KINDS if f"older_{k}" in history]
    rows.append(("any", labels.HISTORY_ANY_LABEL, int((history["n_older_with_history"] > 0).sum())))
    out = pd.DataFrame(rows, columns=["kind", "history", "n_with"])
    out["n_events"] = n
    out["share"] = 100.0 * out["n_with"] / n if n else np.nan
    return out.astype({"n_with": "int64", "n_events": "int64", "share": "float64"})
