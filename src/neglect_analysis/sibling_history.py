"""What the family's records already held: older siblings' history, contact themes, IRO logs.

Statistics the narrative notebooks need beyond the analyst tables, each a pure function of a
:class:`~neglect_analysis.cohort.Cohort` and the sibling-group ``members`` table
(:func:`neglect_analysis.siblings.members`), returning a tidy DataFrame:

- where the history is recorded (electronic record or paper), per child and per family
  (DESIGN.md "Involvement", "Pre-ICS history"; briefing points 1, 3 and 6);
- for each younger child's S47 enquiry (or assessment), which older siblings' involvement was
  already on record that day (DESIGN.md "Sibling group and birth order"; briefing point 5);
- themes across a child's contacts: who raised the concerns (briefing point 4);
- IRO challenge-log coverage of the CP plans in the sibling groups (briefing point 7).

Vectorised over whole tables (merges, group-bys and :func:`pandas.merge_asof`); loops run over
a handful of event kinds, never over children or families.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .codes import CONTACT_SOURCES
from .cohort import Cohort
from .ages import adult_at_audit
from .definitions import DEFAULTS, Definitions
from .family import events_of
from .recurrence import has_flag

#: Older-sibling history looked for by :func:`older_sibling_history`: kind -> label. Every kind
#: but ``paper`` is an event type (extract or paper-sourced); ``paper`` is any event whose
#: ``source`` is ``paper`` (history found only in paper files or other records).
HISTORY_KINDS: dict[str, str] = {
    "referral": "a referral",
    "s47": "an S47 enquiry",
    "cp_plan": "a CP plan",
    "care_proceedings": "care proceedings",
    "paper": "paper records",
}

#: Lower bounds of the sibling-group size bands of :func:`plan_challenges`: 5-6, 7-8, 9+.
GROUP_SIZE_BAND_STARTS: tuple[int, ...] = (5, 7, 9)

#: Label of a contact with no source code, and of a plan with no recorded category.
NOT_RECORDED = "not recorded"


def _distinct_members(members: pd.DataFrame) -> pd.DataFrame:
    return members[["parent_id", "child_id", "dob"]].drop_duplicates(["parent_id", "child_id"])


# ----------------------------------------------------------------------- record sources
def child_record_sources(cohort: Cohort, members: pd.DataFrame, *,
                         definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """Per child and index parent: how many involvements, how many only on paper, how many pre-ICS.

    Implements DESIGN.md "Involvement" (every event of the child, extract or paper, pre-birth
    ones included), "Pre-ICS history" (dated before ``cohort.ics_start_date``) and "Age at
    audit" (adult: :func:`neglect_analysis.ages.adult_at_audit`, the ``adult_age_years``-th
    birthday of ``definitions``, a calendar date, on or before the audit date).

    Returns
    -------
    DataFrame
        ``parent_id``, ``child_id``, ``birth_order``, ``adult_at_audit`` (bool), ``n_events``,
        ``n_events_paper`` (``source == "paper"``), ``n_events_pre_ics`` (start date before the
        ICS start; undated events are not counted), all int64. One row per row of ``members``
        (a child in two groups has two rows), sorted by parent and birth order.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2010-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B"], "event_type": ["paper", "referral", "contact"],
    ...                    "start_date": ["1995-01-01", "2012-01-01", "2012-02-01"],
    ...                    "source": ["paper", "ics", "ics"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> child_record_sources(c, members(c, ["M"])).drop(columns="parent_id").values.tolist()
    [['A', 1, True, 2, 1, 1], ['B', 2, False, 1, 0, 0]]
    """
    m = members[["parent_id", "child_id", "birth_order", "dob"]].drop_duplicates(["parent_id", "child_id"])
    ev = events_of(cohort, m["child_id"].unique())
    per = pd.DataFrame({
        "n_events": ev.groupby("person_id").size(),
        "n_events_paper": (ev["source"] == "paper").groupby(ev["person_id"]).sum(),
        "n_events_pre_ics": (ev["start_date"] < cohort.ics_start_date).groupby(ev["person_id"]).sum(),
    })
    out = m.merge(per, left_on="child_id", right_index=True, how="left")
    for col in ("n_events", "n_events_paper", "n_events_pre_ics"):
        out[col] = out[col].fillna(0).astype("int64")
    out["adult_at_audit"] = adult_at_audit(out["dob"], cohort.audit_date, definitions=definitions).to_numpy()
    out = out.sort_values(["parent_id", "birth_order", "child_id"], kind="stable").reset_index(drop=True)
    return out[["parent_id", "child_id", "birth_order", "adult_at_audit", "n_events", "n_events_paper",
                "n_events_pre_ics"]]


def family_record_sources(cohort: Cohort, members: pd.DataFrame, *,
                          definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """Per index parent: the family's involvements, how many on paper, pre-ICS, of adult children.

    Sums :func:`child_record_sources` over each sibling group (same definitions).

    Returns
    -------
    DataFrame
        ``parent_id``, ``n_children``, ``n_adult_children``, ``n_events``, ``n_events_paper``,
        ``n_events_pre_ics``, ``n_events_adult_children`` (involvements of the children adult
        at the audit date), all int64; sorted by parent.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2010-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B"], "event_type": ["paper", "referral", "contact"],
    ...                    "start_date": ["1995-01-01", "2012-01-01", "2012-02-01"],
    ...                    "source": ["paper", "ics", "ics"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> family_record_sources(c, members(c, ["M"])).values.tolist()
    [['M', 2, 1, 3, 1, 1, 2]]
    """
    per = child_record_sources(cohort, members, definitions=definitions)
    per = per.assign(adult_events=per["n_events"].where(per["adult_at_audit"], 0))
    out = per.groupby("parent_id", sort=True).agg(
        n_children=("child_id", "size"),
        n_adult_children=("adult_at_audit", "sum"),
        n_events=("n_events", "sum"),
        n_events_paper=("n_events_paper", "sum"),
        n_events_pre_ics=("n_events_pre_ics", "sum"),
        n_events_adult_children=("adult_events", "sum"),
    )
    return out.astype("int64").reset_index()


def example_families(sibling_groups: pd.DataFrame, sources: pd.DataFrame, *, n: int = 2) -> list[str]:
    """Index parents to show as example chronologies, chosen by a fixed rule (deterministic).

    The first is the family with the most escalated children (``n_children_escalated`` of
    :func:`neglect_analysis.siblings.sibling_groups`; ties: widest age span, then id); each
    next one, among those not yet chosen, the family with the most paper-recorded involvements
    (``n_events_paper`` of :func:`family_record_sources`; ties: most involvements, then id).

    Examples
    --------
    >>> g = pd.DataFrame({"parent_id": ["M1", "M2", "M3"], "n_children_escalated": [2, 3, 0],
    ...                   "age_span_years": [12.0, 11.0, 10.0]})
    >>> s = pd.DataFrame({"parent_id": ["M1", "M2", "M3"], "n_events_paper": [4, 9, 4], "n_events": [10, 30, 20]})
    >>> example_families(g, s, n=3)
    ['M2', 'M3', 'M1']
    """
    first = sibling_groups.sort_values(["n_children_escalated", "age_span_years", "parent_id"],
                                       ascending=[False, False, True], kind="stable")
    chosen = list(first["parent_id"].astype(str).head(1))
    rest = sources[~sources["parent_id"].astype(str).isin(chosen)].sort_values(
        ["n_events_paper", "n_events", "parent_id"], ascending=[False, False, True], kind="stable")
    return (chosen + list(rest["parent_id"].astype(str)))[:n]


# ------------------------------------------------------------- older siblings' history
def older_sibling_pairs(members: pd.DataFrame) -> pd.DataFrame:
    """Every (child, older sibling) pair: ``child_id``, ``sibling_id``.

    DESIGN.md "Sibling group and birth order": an older sibling has an earlier dob in a group
    the child belongs to (every index parent's group; twins are not older than each other). A
    pair found in two groups is listed once. Sorted by child, sibling.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M", "M", "M", "F"], "child_id": ["A", "T1", "T2", "T1"],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2005-01-01", "2005-01-01", "2005-01-01"])})
    >>> older_sibling_pairs(m).values.tolist()
    [['T1', 'A'], ['T2', 'A']]
    """
    m = _distinct_members(members)
    pairs = m.merge(m.rename(columns={"child_id": "sibling_id", "dob": "sibling_dob"}), on="parent_id")
    pairs = pairs[pairs["sibling_dob"] < pairs["dob"]]
    pairs = pairs[["child_id", "sibling_id"]].drop_duplicates()
    return pairs.sort_values(["child_id", "sibling_id"]).reset_index(drop=True)


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
    pairs = older_sibling_pairs(members)
    n_older = pairs.groupby("child_id").size().rename("n_older_siblings")

    ev = cohort.events
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
    rows = [(k, HISTORY_KINDS[k], int((history[f"older_{k}"] > 0).sum()))
            for k in HISTORY_KINDS if f"older_{k}" in history]
    rows.append(("any", "any of these", int((history["n_older_with_history"] > 0).sum())))
    out = pd.DataFrame(rows, columns=["kind", "history", "n_with"])
    out["n_events"] = n
    out["share"] = 100.0 * out["n_with"] / n if n else np.nan
    return out.astype({"n_with": "int64", "n_events": "int64", "share": "float64"})


# --------------------------------------------------------------------- contact themes
def contact_themes(
    cohort: Cohort,
    children: pd.DataFrame | Iterable[str],
    *,
    advice_flag: str = "ADVICE_FLAG",
) -> pd.DataFrame:
    """Contacts per child and source: who raised the concerns (briefing point 4).

    Counts every contact of the child (``event_type == "contact"``, extract or paper) by its
    DfE source code (``category``; labels from :data:`neglect_analysis.codes.CONTACT_SOURCES`,
    an unknown code labelled as itself, a missing one :data:`NOT_RECORDED`). ``n_advice``
    counts contacts whose outcome flags include ``advice_flag`` (advice given, e.g. to use
    early help; the same flag test as DESIGN.md "Early help not engaged").

    Returns
    -------
    DataFrame
        ``child_id``, ``source_code``, ``source``, ``n_contacts``, ``n_advice``, ``first_date``,
        ``last_date``; sorted by child and source code.

    Examples
    --------
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "A", "B"], "event_type": "contact",
    ...                    "start_date": ["2010-01-01", "2010-02-01", "2010-03-01", "2011-01-01"],
    ...                    "category": ["2A", "2A", "6", None], "outcome": ["ADVICE_FLAG", None, None, None]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> contact_themes(c, ["A", "B"])[["child_id", "source", "n_contacts", "n_advice"]].values.tolist()
    [['A', 'Schools', 2, 1], ['A', 'Police', 1, 0], ['B', 'not recorded', 1, 0]]
    """
    ids = children["child_id"].unique() if isinstance(children, pd.DataFrame) else list(children)
    con = events_of(cohort, ids)
    con = con[con["event_type"] == "contact"]
    code = con["category"].astype("string").fillna(NOT_RECORDED)
    con = pd.DataFrame({
        "child_id": con["person_id"].astype("string"),
        "source_code": code,
        "advice": has_flag(con["outcome"], advice_flag).astype("int64"),
        "date": con["start_date"],
    })
    out = con.groupby(["child_id", "source_code"], sort=True).agg(
        n_contacts=("advice", "size"), n_advice=("advice", "sum"),
        first_date=("date", "min"), last_date=("date", "max"),
    ).reset_index()
    labels = out["source_code"].map(lambda c: CONTACT_SOURCES.get(c, c)).astype("string")
    out.insert(2, "source", labels)
    return out.astype({"n_contacts": "int64", "n_advice": "int64"})


def contact_source_counts(themes: pd.DataFrame) -> pd.DataFrame:
    """Contacts and children per contact source (from :func:`contact_themes`).

    Returns
    -------
    DataFrame
        ``source_code``, ``source``, ``n_contacts``, ``n_children`` (children with at least
        one contact from the source); most contacts first, ties by code.

    Examples
    --------
    >>> t = pd.DataFrame({"child_id": ["A", "A", "B"], "source_code": ["2A", "6", "6"],
    ...                   "source": ["Schools", "Police", "Police"], "n_contacts": [2, 1, 1]})
    >>> contact_source_counts(t).values.tolist()
    [['2A', 'Schools', 2, 1], ['6', 'Police', 2, 2]]
    """
    out = themes.groupby(["source_code", "source"], sort=True).agg(
        n_contacts=("n_contacts", "sum"), n_children=("child_id", "nunique")).reset_index()
    out = out.sort_values(["n_contacts", "source_code"], ascending=[False, True], kind="stable")
    return out.astype({"n_contacts": "int64", "n_children": "int64"}).reset_index(drop=True)


def child_contact_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """Per child with contacts: how many contacts, from how many sources, the most from one.

    Returns
    -------
    DataFrame
        ``child_id``, ``n_contacts``, ``n_sources`` (distinct source codes; a missing code
        counts as one source), ``max_same_source`` (most contacts from one source),
        ``n_advice``; sorted by child.

    Examples
    --------
    >>> t = pd.DataFrame({"child_id": ["A", "A", "B"], "source_code": ["2A", "6", "6"],
    ...                   "n_contacts": [3, 1, 1], "n_advice": [1, 0, 0]})
    >>> child_contact_themes(t).values.tolist()
    [['A', 4, 2, 3, 1], ['B', 1, 1, 1, 0]]
    """
    out = themes.groupby("child_id", sort=True).agg(
        n_contacts=("n_contacts", "sum"), n_sources=("source_code", "nunique"),
        max_same_source=("n_contacts", "max"), n_advice=("n_advice", "sum"))
    return out.astype("int64").reset_index()


# ------------------------------------------------------------------------ IRO challenge
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


__all__ = [
    "HISTORY_KINDS", "GROUP_SIZE_BAND_STARTS", "NOT_RECORDED",
    "child_record_sources", "family_record_sources", "example_families",
    "older_sibling_pairs", "older_sibling_history", "history_known_summary",
    "contact_themes", "contact_source_counts", "child_contact_themes",
    "plan_challenges", "challenge_coverage", "challenge_themes",
]

