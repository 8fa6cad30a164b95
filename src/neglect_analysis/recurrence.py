"""Recurrence: contacts, referrals, re-referrals, S47s, CP plans, contact series, early help.

Implements the DESIGN.md "Definitions" on recurrence, per child (:func:`child_recurrence`), per
sibling group (:func:`group_recurrence`) and per ended CP plan (:func:`plans_not_sustained`).
Everything is vectorised over the whole events table (sorted shifts and
:func:`pandas.merge_asof` by person); nothing loops over children or families.

Paper records: the loader types a paper record whose ``event_type`` is a Cohort event type as
that event (``source="paper"``), so every count here includes paper-sourced contacts,
referrals, S47s, CP plans... (DESIGN.md "Involvement"). Events with no start date are counted
in the ``n_*`` totals but take no part in any date comparison.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from .codes import BIRTH_RELATIONSHIPS, EH_NOT_ENGAGED_PATTERNS, FACTOR_FAMILIES
from .cohort import Cohort
from .idsets import isin, positions

#: Count columns of :func:`child_recurrence`, in output order.
COUNT_COLUMNS: tuple[str, ...] = (
    "n_contacts",
    "n_referrals",
    "n_rereferrals_12m",
    "n_s47",
    "n_s47_no_icpc",
    "n_cp_plans",
    "n_repeat_cp_plans",
    "n_repeat_cp_plans_2y",
    "n_s47_judged",
)
#: 0/1 flag columns of :func:`child_recurrence`.
FLAG_COLUMNS: tuple[str, ...] = ("contact_series", "eh_not_engaged")


# --------------------------------------------------------------------------- helpers
def _child_ids(children: Iterable[str] | pd.Series | pd.Index | pd.DataFrame) -> pd.Index:
    """Distinct child ids, sorted, as a string Index named ``child_id``.

    ``children`` may be ids, or a table with a ``child_id`` column (e.g. sibling members).

    Examples
    --------
    >>> list(_child_ids(["B", "A", "B"]))
    ['A', 'B']
    """
    if isinstance(children, pd.DataFrame):
        children = children["child_id"]
    if isinstance(children, (pd.Series, pd.Index)):  # no round trip through Python objects
        s = pd.Series(children.array, dtype="string")
    else:
        s = pd.Series(list(children), dtype="string")
    s = s.dropna().drop_duplicates().sort_values()
    return pd.Index(s.array, dtype="string", name="child_id")


def _isin(values: pd.Series, allowed) -> pd.Series:
    """``values.isin(allowed)`` for string ids, through pyarrow (much faster on arrow strings).

    Examples
    --------
    >>> _isin(pd.Series(["a", None, "c"], dtype="string"), ["c", "a"]).tolist()
    [True, False, True]
    """
    return isin(values, allowed)


def _events_of(events: pd.DataFrame, ids: pd.Index, event_type: str | Iterable[str] | None = None,
               *, dated: bool = False, columns: Iterable[str] | None = None,
               positions_as: str | None = None) -> pd.DataFrame:
    """Events of the persons in ``ids``, optionally of some types and with a start date only.

    ``columns``: keep only these columns (filtering fewer text columns is much cheaper).
    ``positions_as``: also add the position of the event's person in ``ids`` under this name.
    """
    pos = positions(events["person_id"], ids)
    keep = pos >= 0
    if event_type is not None:
        types = [event_type] if isinstance(event_type, str) else list(event_type)
        keep &= events["event_type"].isin(types).to_numpy(dtype=bool)
    if dated:
        keep &= events["start_date"].notna().to_numpy()
    out = events.loc[keep, list(columns)] if columns is not None else events[keep]
    if positions_as is not None:
        out = out.assign(**{positions_as: pos[keep]})
    return out


def _days_to_next(person: pd.Series, date: pd.Series, next_person: pd.Series,
                  next_date: pd.Series) -> pd.Series:
    """Days from each (person, date) to the first ``next_date`` of the same person on or after it.

    Persons are keys of one dtype on both sides (ids, or integer child positions). Vectorised with :func:`pandas.merge_asof` (forward, by person). Float days aligned to
    ``person.index``; NaN where the date is missing or no same-day or later event exists.

    Examples
    --------
    >>> p = pd.Series(["A", "A", "B"])
    >>> d = pd.to_datetime(pd.Series(["2010-01-01", "2010-03-01", "2010-01-01"]))
    >>> _days_to_next(p, d, pd.Series(["A"]), pd.to_datetime(pd.Series(["2010-01-31"]))).tolist()
    [30.0, nan, nan]
    """
    left = pd.DataFrame({
        "person_id": person.to_numpy(),
        "date": date.to_numpy().astype("datetime64[ns]"),
        "_row": np.arange(len(person)),
    })
    left = left[left["date"].notna()].sort_values("date", kind="stable")
    right = pd.DataFrame({
        "person_id": next_person.to_numpy(),
        "next_date": next_date.to_numpy().astype("datetime64[ns]"),
    })
    right = right[right["next_date"].notna() & right["person_id"].notna()]
    right = right.sort_values("next_date", kind="stable")
    out = np.full(len(person), np.nan)
    if len(left) and len(right):
        m = pd.merge_asof(left, right, left_on="date", right_on="next_date", by="person_id",
                          direction="forward")
        out[m["_row"].to_numpy()] = (m["next_date"] - m["date"]).dt.days.to_numpy(dtype=float)
    return pd.Series(out, index=person.index)


def _per_child(flags: pd.Series, cix: pd.Series, n: int, how: str = "sum") -> np.ndarray:
    """Sum (or any, as 0/1) of a boolean Series per child position ``cix`` (0..n-1), as int64."""
    hits = np.bincount(cix.to_numpy()[flags.to_numpy(dtype=bool)], minlength=n).astype("int64")
    return hits if how == "sum" else (hits > 0).astype("int64")


def _by_distinct(values: pd.Series, fn) -> pd.Series:
    """``fn`` (text Series -> bool Series) applied to the distinct values only, mapped back;
    missing values are passed to ``fn`` as missing too. Columns such as outcomes hold a few
    distinct texts over hundreds of thousands of rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="string")
    res = fn(pd.concat([u, pd.Series([pd.NA], dtype="string")], ignore_index=True))
    return pd.Series(res.to_numpy(dtype=bool)[codes], index=values.index)


def has_flag(outcome: pd.Series, flag: str) -> pd.Series:
    """True where ``flag`` is one of the ``;``-joined outcome flags (case-insensitive)."""
    def has(o: pd.Series) -> pd.Series:
        tokens = ";" + o.fillna("").str.upper().str.replace(" ", "", regex=False) + ";"
        return tokens.str.contains(";" + flag.upper() + ";", regex=False).astype(bool)
    return _by_distinct(outcome, has)


# --------------------------------------------------------------------------- per child
def child_recurrence(
    cohort: Cohort,
    children: Iterable[str] | pd.Series | pd.Index | pd.DataFrame,
    *,
    rereferral_days: int = 365,
    repeat_plan_days: int = 730,
    s47_icpc_days: int = 60,
    series_length: int = 3,
    series_days: int = 365,
    advice_eh_days: int = 90,
    advice_flag: str = "ADVICE_FLAG",
) -> pd.DataFrame:
    """One row per child: contacts, referrals, re-referrals, S47s, CP plans, series, early help.

    Implements DESIGN.md "Definitions" (days are ``later - earlier``; "within N days after"
    means ``0 <= later - earlier <= N``):

    - ``n_contacts``, ``n_referrals``, ``n_s47``, ``n_cp_plans``: events of that type, ICS and
      paper (a paper record typed ``referral`` is a referral, DESIGN "Involvement").
    - ``n_rereferrals_12m`` (DfE): referrals dated within ``rereferral_days`` after the same
      child's previous referral (referral dates, not close dates; a same-day second referral
      is a re-referral, difference 0).
    - ``n_repeat_cp_plans`` (DfE "second or subsequent"): every plan after the child's first.
      ``n_repeat_cp_plans_2y``: those starting within ``repeat_plan_days`` after the end of
      the previous plan (plans ordered by start date, then end date, then id). Choice: where
      the previous plan has no end date (still open) or ended after this one started
      (overlap), this plan does not start "after the previous plan's end" and is not counted.
    - ``n_s47_no_icpc``: S47s with no ICPC linked to them (an ``icpc`` whose
      ``linked_event_id`` is the S47's ``event_id``) and no ICPC of the child within
      ``s47_icpc_days`` after the S47 start; counted only once ``audit_date - start >=
      s47_icpc_days``. An S47 with no start date is never counted. ``n_s47_judged`` counts
      the S47s old enough to judge (the denominator of the "not progressing" share).
    - ``contact_series`` (0/1): ``series_length`` consecutive contacts of the child (in date
      order) whose last minus first is at most ``series_days``, with no referral of the child
      dated from the first to the last of them, both days included.
    - ``eh_not_engaged`` (0/1): an early-help episode whose end reason (``outcome``) contains
      one of :data:`codes.EH_NOT_ENGAGED_PATTERNS` (case-insensitive), or a dated contact
      whose outcome flags include ``advice_flag`` with no early-help episode of the child
      starting within ``advice_eh_days`` after it.

    Parameters
    ----------
    cohort : Cohort
    children : ids, or a table with a ``child_id`` column (e.g. ``siblings.members``).

    Returns
    -------
    DataFrame
        ``child_id``, then :data:`COUNT_COLUMNS` and :data:`FLAG_COLUMNS` (int64), one row per
        distinct child in ``children`` (zeros where no events), sorted by ``child_id``.

    Examples
    --------
    >>> ev = pd.DataFrame({"person_id": ["C1", "C1", "C1"], "event_type": "referral",
    ...                    "start_date": ["2010-01-01", "2011-01-01", "2012-01-02"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["C1", "C2"]}), events=ev,
    ...                        audit_date="2018-07-31")
    >>> child_recurrence(c, ["C2", "C1"])[["child_id", "n_referrals", "n_rereferrals_12m"]].values.tolist()
    [['C1', 3, 1], ['C2', 0, 0]]
    """
    ids = _child_ids(children)
    n = len(ids)
    # Integer child positions (cix): fast grouping, and keys for merge_asof.
    ev = _events_of(cohort.events, ids, columns=["event_id", "event_type", "start_date", "end_date",
                                                 "outcome"], positions_as="cix")
    etype = ev["event_type"]
    out = pd.DataFrame(index=ids)

    for col, kind in (("n_contacts", "contact"), ("n_referrals", "referral"),
                      ("n_s47", "s47"), ("n_cp_plans", "cp_plan")):
        out[col] = _per_child(etype == kind, ev["cix"], n)

    # Re-referrals: gap to the previous referral of the same child (sorted shift).
    # Sorts need no event-id tie-break: rows tied on the keys share every value used.
    ref = ev[etype == "referral"].sort_values(["cix", "start_date"], kind="stable")
    gap = (ref["start_date"] - ref.groupby("cix")["start_date"].shift()).dt.days
    out["n_rereferrals_12m"] = _per_child(gap.between(0, rereferral_days), ref["cix"], n)

    # S47 not progressing to ICPC.
    s47 = ev[(etype == "s47") & ev["start_date"].notna()]
    all_icpc = cohort.events.loc[cohort.events["event_type"] == "icpc", "linked_event_id"]
    linked = _isin(s47["event_id"], all_icpc.dropna())
    icpc = ev[etype == "icpc"]
    to_icpc = _days_to_next(s47["cix"], s47["start_date"], icpc["cix"], icpc["start_date"])
    judged = (cohort.audit_date - s47["start_date"]).dt.days >= s47_icpc_days
    no_icpc = judged & ~linked & ~(to_icpc <= s47_icpc_days)
    out["n_s47_no_icpc"] = _per_child(no_icpc, s47["cix"], n)
    out["n_s47_judged"] = _per_child(judged, s47["cix"], n)

    # Repeat CP plans.
    out["n_repeat_cp_plans"] = (out["n_cp_plans"] - 1).clip(lower=0).astype("int64")
    cp = ev[etype == "cp_plan"].sort_values(
        ["cix", "start_date", "end_date"], na_position="last", kind="stable")
    gap = (cp["start_date"] - cp.groupby("cix")["end_date"].shift()).dt.days
    out["n_repeat_cp_plans_2y"] = _per_child(gap.between(0, repeat_plan_days), cp["cix"], n)

    # Contact series: k consecutive contacts spanning <= series_days, no referral in between.
    con = ev[(etype == "contact") & ev["start_date"].notna()].sort_values(
        ["cix", "start_date"], kind="stable")
    last = con.groupby("cix")["start_date"].shift(-(series_length - 1))
    span = (last - con["start_date"]).dt.days
    to_ref = _days_to_next(con["cix"], con["start_date"], ref["cix"], ref["start_date"])
    series = (span <= series_days) & ~(to_ref <= span)
    out["contact_series"] = _per_child(series, con["cix"], n, how="any")

    # Early help not engaged.
    eh = ev[etype == "early_help"]
    pattern = "|".join(re.escape(p) for p in EH_NOT_ENGAGED_PATTERNS)
    declined = _by_distinct(eh["outcome"], lambda o: o.fillna("").str.contains(
        pattern, case=False, regex=True).astype(bool))
    advice = con[has_flag(con["outcome"], advice_flag)]
    to_eh = _days_to_next(advice["cix"], advice["start_date"], eh["cix"], eh["start_date"])
    advice_only = ~(to_eh <= advice_eh_days)
    out["eh_not_engaged"] = np.maximum(
        _per_child(declined, eh["cix"], n, how="any"),
        _per_child(advice_only, advice["cix"], n, how="any"),
    ).astype("int64")

    out = out[list(COUNT_COLUMNS + FLAG_COLUMNS)]
    return out.rename_axis("child_id").reset_index()


# --------------------------------------------------------------------------- per group
def _other_parents(cohort: Cohort, members: pd.DataFrame) -> pd.DataFrame:
    """(parent_id, child_id, other_parent_id): the child's other birth parents in each group."""
    births = cohort.links[cohort.links["relationship"].isin(BIRTH_RELATIONSHIPS)]
    births = births[["parent_id", "child_id"]].dropna().drop_duplicates()
    births = births.rename(columns={"parent_id": "other_parent_id"})
    m = members[["parent_id", "child_id"]].merge(births, on="child_id", how="inner")
    return m[m["other_parent_id"] != m["parent_id"]]


def _child_factor_families(cohort: Cohort, ids: pd.Index) -> pd.DataFrame:
    """(child_id, family): factor families recorded on any event of the child."""
    ev = _events_of(cohort.events, ids, columns=["person_id", "factors"])
    ev = ev[ev["factors"].fillna("").str.len() > 0]

    def family_hit(pattern: str):
        def hit(f: pd.Series) -> pd.Series:
            codes = "," + f.fillna("").str.upper().str.replace(" ", "", regex=False) + ","
            return codes.str.contains(pattern, regex=True).astype(bool)
        return hit

    parts = []
    for fam, fam_codes in FACTOR_FAMILIES.items():
        pattern = "|".join(re.escape(f",{c.upper()},") for c in fam_codes)
        hit = _by_distinct(ev["factors"], family_hit(pattern))  # a few hundred distinct texts
        parts.append(pd.DataFrame({"child_id": ev.loc[hit, "person_id"], "family": fam}))
    fams = pd.concat(parts, ignore_index=True).astype({"child_id": "string", "family": "string"})
    return fams.drop_duplicates()


def group_recurrence(
    cohort: Cohort,
    members: pd.DataFrame,
    child_rec: pd.DataFrame,
    *,
    min_other_parents: int = 2,
) -> pd.DataFrame:
    """One row per sibling group: recurrence counts summed and recurrent themes.

    Implements DESIGN.md "Definitions", "Recurrent themes": a factor family
    (:data:`codes.FACTOR_FAMILIES`) is recurrent in a sibling group when it is recorded
    (``events.factors`` of any event of the child) for children of at least
    ``min_other_parents`` different other birth parents. A child's other birth parent is its
    other ``mother_of``/``father_of`` parent in ``cohort.links`` (not the index parent); a child
    with no such link (unknown parent) is not counted for any parent.

    Parameters
    ----------
    members : ``siblings.members`` output (``parent_id``, ``child_id``, ...).
    child_rec : :func:`child_recurrence` output for (at least) those children.

    Returns
    -------
    DataFrame
        ``parent_id``, ``n_children``, the :data:`COUNT_COLUMNS` summed over the group's
        children, ``n_children_contact_series`` and ``n_children_eh_not_engaged`` (children with
        the 0/1 flag), one boolean ``recurrent_<family>`` per factor family, and
        ``recurrent_themes`` (recurrent family names joined by ``"; "`` in
        :data:`codes.FACTOR_FAMILIES` order, ``""`` when none). Sorted by ``parent_id``.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2001-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "F1", "F2"], "child_id": ["A", "B", "A", "B"],
    ...                       "relationship": ["mother_of", "mother_of", "father_of", "father_of"]})
    >>> ev = pd.DataFrame({"person_id": ["A", "B"], "event_type": "assessment",
    ...                    "start_date": ["2000-01-01", "2010-01-01"], "factors": ["3B,16A", "3A"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> from neglect_analysis.siblings import members
    >>> m = members(c, ["M"])
    >>> g = group_recurrence(c, m, child_recurrence(c, m))
    >>> g.loc[0, "recurrent_themes"], bool(g.loc[0, "recurrent_neglect"])
    ('domestic_abuse', False)
    """
    parents = pd.Index(members["parent_id"].drop_duplicates().sort_values(), name="parent_id")
    m = members[["parent_id", "child_id"]].drop_duplicates()
    rec = m.merge(child_rec, on="child_id", how="left")
    value_cols = list(COUNT_COLUMNS + FLAG_COLUMNS)
    rec[value_cols] = rec[value_cols].fillna(0)
    out = rec.groupby("parent_id")[value_cols].sum().astype("int64")
    out = out.rename(columns={f: f"n_children_{f}" for f in FLAG_COLUMNS})
    out.insert(0, "n_children", m.groupby("parent_id").size().astype("int64"))

    others = _other_parents(cohort, m)
    fams = _child_factor_families(cohort, _child_ids(m))
    theme = others.merge(fams, on="child_id", how="inner")
    n_other = theme.groupby(["parent_id", "family"])["other_parent_id"].nunique()
    recurrent = (n_other >= min_other_parents).unstack("family", fill_value=False)
    themes = pd.Series("", index=out.index, dtype="string")
    for fam in FACTOR_FAMILIES:
        col = recurrent[fam] if fam in recurrent else pd.Series(False, index=recurrent.index)
        flag = col.reindex(out.index, fill_value=False).astype(bool)
        out[f"recurrent_{fam}"] = flag
        themes = themes + flag.map({True: fam + "; ", False: ""}).astype("string")
    out["recurrent_themes"] = themes.str.removesuffix("; ")
    return out.reindex(parents).rename_axis("parent_id").reset_index()


def plans_not_sustained(
    cohort: Cohort,
    members: pd.DataFrame,
    *,
    rereferral_days: int = 365,
    replan_days: int = 730,
) -> pd.DataFrame:
    """One row per ended CP plan of a sibling-group child: were the changes sustained?

    Implements DESIGN.md "Definitions", "Changes not sustained": a CP plan that ended
    (``end_date`` not empty) and was followed by a new referral dated within
    ``rereferral_days`` after its end, or a new CP plan starting within ``replan_days`` after
    its end (``0 <= date - end <= window``), for the same child or a sibling. A sibling is any
    child in any sibling group the plan's child belongs to (the groups of every index parent
    of the child). The plan itself never counts as its own "new plan".

    Returns
    -------
    DataFrame
        ``event_id``, ``child_id``, ``start_date``, ``end_date``, ``rereferred`` (bool: a
        referral in the window), ``replanned`` (bool: a new plan in the window),
        ``not_sustained`` (bool: either). Sorted by child, start date, id.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2001-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "B"], "event_type": ["cp_plan", "referral"],
    ...                    "start_date": ["2008-01-01", "2009-12-31"], "end_date": ["2009-01-01", None]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> from neglect_analysis.siblings import members
    >>> plans_not_sustained(c, members(c, ["M"]))[["child_id", "not_sustained"]].values.tolist()
    [['A', True]]
    """
    m = members[["parent_id", "child_id"]].drop_duplicates()
    ids = _child_ids(m)
    # Integer keys: child and sibling positions in ``ids``, group codes.
    grp = pd.DataFrame({"g": pd.factorize(m["parent_id"])[0], "c": positions(m["child_id"], ids)})
    pairs = grp.merge(grp.rename(columns={"c": "sib"}), on="g")[["c", "sib"]].drop_duplicates()

    plans = _events_of(cohort.events, ids, "cp_plan",
                       columns=["event_id", "person_id", "start_date", "end_date"], positions_as="c")
    ended = plans[plans["end_date"].notna()].rename(columns={"person_id": "child_id"})
    ended = ended.assign(_k=np.arange(len(ended)))
    # Every sibling is a group member, so the siblings' events are the events of ``ids``.
    follow = _events_of(cohort.events, ids, ["referral", "cp_plan"], dated=True,
                        columns=["event_id", "event_type", "start_date"], positions_as="sib")
    follow = pd.DataFrame({"sib": follow["sib"].to_numpy(),
                           "is_ref": (follow["event_type"] == "referral").to_numpy(dtype=bool),
                           "next_date": follow["start_date"].to_numpy(),
                           "next_id": follow["event_id"].array})

    x = ended[["_k", "c", "end_date"]].merge(pairs, on="c").merge(follow, on="sib")
    gap = (x["next_date"] - x["end_date"]).dt.days
    is_ref = x["is_ref"] & gap.between(0, rereferral_days)
    is_plan = ~x["is_ref"] & gap.between(0, replan_days)
    # The plan itself is never its own "new plan" (it can only fall in the window when it
    # started on the day it ended): compare ids on those few candidate rows only.
    cand = x[is_plan]
    own = ended["event_id"].to_numpy(dtype=object)[cand["_k"].to_numpy()]
    plan_k = cand.loc[cand["next_id"].to_numpy(dtype=object) != own, "_k"].unique()
    ref_hit = ended["event_id"].to_numpy(dtype=object)[x.loc[is_ref, "_k"].unique()]
    plan_hit = ended["event_id"].to_numpy(dtype=object)[plan_k]

    out = ended.drop(columns=["_k", "c"]).sort_values(["child_id", "start_date", "event_id"]).reset_index(drop=True)
    out["rereferred"] = isin(out["event_id"], pd.Series(ref_hit, dtype="string")).to_numpy()
    out["replanned"] = isin(out["event_id"], pd.Series(plan_hit, dtype="string")).to_numpy()
    out["not_sustained"] = out["rereferred"] | out["replanned"]
    return out[["event_id", "child_id", "start_date", "end_date", "rereferred", "replanned",
                "not_sustained"]]
