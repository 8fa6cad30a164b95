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

from .codes import FACTOR_FAMILIES
from .cohort import Cohort
from .days import DAY_NS, whole_days
from .definitions import DEFAULTS, Definitions
from .family import ChildEvents, Family
from .idsets import distinct_sorted, isin, positions
from .io.arrowtext import map_distinct
from .siblings import other_birth_parents

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
def _counted(rows, n: int) -> np.ndarray:
    """The events counted: ``rows`` as a boolean array of ``n`` (every event when None)."""
    if rows is None:
        return np.ones(n, dtype=bool)
    counted = np.asarray(rows, dtype=bool)
    if counted.shape != (n,):
        raise ValueError(f"rows: {counted.shape[0] if counted.ndim else 0} values for {n} events; give "
                         "one boolean per event of the children")
    return counted


def _next_gap_days(person: np.ndarray, date: np.ndarray, next_person: np.ndarray,
                   next_date: np.ndarray) -> np.ndarray:
    """Days from each (person, date) to the first ``next_date`` of the same person on or after
    it: float days (floored), NaN where the date is missing or no same-day or later event
    exists. Persons are keys of one kind on both sides (ids, or integer child positions).

    Each (person, date) becomes one int64 key (person code times the number of dates, plus the
    date's rank: its day number when every date is at midnight), so the first later event of the same person is one binary search
    (``np.searchsorted``) in the sorted keys of the ``next_*`` rows.

    Examples
    --------
    >>> d = np.array(["2010-01-01", "2010-03-01", "2010-01-01"], dtype="datetime64[ns]")
    >>> _next_gap_days(np.array([0, 0, 1]), d, np.array([0]),
    ...                np.array(["2010-01-31"], dtype="datetime64[ns]")).tolist()
    [30.0, nan, nan]
    """
    n = len(person)
    out = np.full(n, np.nan)
    person, next_person = np.asarray(person), np.asarray(next_person)
    if person.dtype.kind not in "iu" or next_person.dtype.kind not in "iu" or \
            (n and person.min() < 0) or (len(next_person) and next_person.min() < 0):  # ids: integer codes
        codes = pd.factorize(np.concatenate([person, next_person]))[0]
        person, next_person = codes[:n], codes[n:]
    date = np.asarray(date, dtype="datetime64[ns]")
    next_date = np.asarray(next_date, dtype="datetime64[ns]")
    left = np.flatnonzero((person >= 0) & ~np.isnat(date))
    right = np.flatnonzero((next_person >= 0) & ~np.isnat(next_date))
    if not len(left) or not len(right):
        return out
    # Each side keyed apart (no concatenation), in place where it can be, and each array let
    # go once used: at a whole authority's size every array here is tens of MB.
    rank_l, rank_r = date.view("int64")[left], next_date.view("int64")[right]  # copies: made ranks in place
    if not (rank_l % DAY_NS).any() and not (rank_r % DAY_NS).any():  # at midnight (the Cohort's): days
        rank_l //= DAY_NS
        rank_r //= DAY_NS
        low = min(rank_l.min(), rank_r.min())
        rank_l -= low
        rank_r -= low
    else:  # the rank of each distinct time over both sides
        ranks = np.unique(np.concatenate([rank_l, rank_r]), return_inverse=True)[1].reshape(-1)
        rank_l, rank_r = ranks[:len(left)], ranks[len(left):]
        del ranks
    width = int(max(rank_l.max(), rank_r.max())) + 1
    key_l = person[left].astype(np.int64)
    key_l *= width
    key_l += rank_l
    key_r = next_person[right].astype(np.int64)
    key_r *= width
    key_r += rank_r
    del rank_l, rank_r
    by = np.argsort(key_r, kind="stable")
    right = right[by]
    key_r = key_r[by]
    del by
    i = np.searchsorted(key_r, key_l, side="left")
    del key_r, key_l
    found = i < len(right)
    hit = right[np.where(found, i, 0)]
    del i, right
    found &= next_person[hit] == person[left]
    out[left[found]] = whole_days(next_date[hit[found]] - date[left[found]])
    return out


def _sort_key(dates: np.ndarray) -> np.ndarray:
    """int64 sort key of ``datetime64`` values with missing dates last (as ``sort_values``)."""
    key = np.asarray(dates, dtype="datetime64[ns]").view("int64").copy()
    key[np.isnat(dates)] = np.iinfo(np.int64).max
    return key


def by_child_and_date(cix: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Row positions ordering events by child position, then start date (undated last), a
    stable sort; ``np.arange`` without sorting when they are in that order already, as the
    events of a :class:`~neglect_analysis.family.ChildEvents` are (``cohort.EVENT_ORDER``,
    children sorted as the person codes are): one pass of comparisons instead of a sort.

    Examples
    --------
    >>> d = np.array(["2010-01-01", "NaT", "2009-01-01"], dtype="datetime64[ns]")
    >>> by_child_and_date(np.array([0, 0, 1]), d).tolist(), by_child_and_date(np.array([1, 0, 0]), d).tolist()
    ([0, 1, 2], [2, 1, 0])
    >>> by_child_and_date(np.array([0, 0]), d[[1, 0]]).tolist()
    [1, 0]
    """
    order = child_date_order(cix, start)
    return np.arange(len(cix)) if order is None else order


def child_date_order(cix: np.ndarray, start: np.ndarray) -> np.ndarray | None:
    """:func:`by_child_and_date`'s order, or None when the events are in it already (checked
    once, by :func:`in_child_date_order`; no ``arange`` made): read with :func:`kind_rows`.

    Examples
    --------
    >>> d = np.array(["2010-01-01", "2009-01-01"], dtype="datetime64[ns]")
    >>> child_date_order(np.array([0, 1]), d), child_date_order(np.array([0, 0]), d).tolist()
    (None, [1, 0])
    """
    if in_child_date_order(cix, start):
        return None
    return np.lexsort((_sort_key(start), cix))


def kind_mask(etype: pd.Series, kind: str, counted: np.ndarray) -> np.ndarray:
    """Which events are of type ``kind`` and counted (``counted``: a boolean mask).

    Examples
    --------
    >>> kind_mask(pd.Series(["contact", "referral", "contact"]), "contact", np.array([True, True, False])).tolist()
    [True, False, False]
    """
    return (etype == kind).to_numpy(dtype=bool, na_value=False) & counted


def kind_rows(etype: pd.Series, kind: str, counted: np.ndarray, order: np.ndarray | None, *,
              start: np.ndarray | None = None) -> np.ndarray:
    """Row positions of the counted events of ``kind`` (:func:`kind_mask`), by child and start
    date (``order``: :func:`child_date_order`, None: the rows as they are); with ``start``, the
    dated ones only. The rows of one type, taken in this order, are by child and date too.

    Examples
    --------
    >>> etype = pd.Series(["contact", "contact", "contact"])
    >>> start = np.array(["2010-01-01", "NaT", "2009-01-01"], dtype="datetime64[ns]")
    >>> order = child_date_order(np.array([0, 0, 0]), start)  # 2009 (row 2), 2010 (0), undated (1)
    >>> kind_rows(etype, "contact", np.ones(3, bool), order).tolist()
    [2, 0, 1]
    >>> kind_rows(etype, "contact", np.ones(3, bool), order, start=start).tolist()
    [2, 0]
    """
    keep = kind_mask(etype, kind, counted)
    if start is not None:
        keep &= ~np.isnat(start)
    return np.flatnonzero(keep) if order is None else order[keep[order]]


def in_child_date_order(cix: np.ndarray, start: np.ndarray) -> bool:
    """Whether events are ordered by child position, then start date (undated last): the
    order :func:`by_child_and_date` makes. One pass of comparisons, no copy of the dates.

    Examples
    --------
    >>> d = np.array(["2009-01-01", "2010-01-01", "NaT"], dtype="datetime64[ns]")
    >>> in_child_date_order(np.array([0, 0, 0]), d), in_child_date_order(np.array([0, 0, 0]), d[[0, 2, 1]])
    (True, False)
    >>> in_child_date_order(np.array([0, 1, 1]), d[[1, 0, 2]])  # a new child may start earlier
    True
    """
    cix = np.asarray(cix)
    if len(cix) < 2:
        return True
    ns = np.asarray(start, dtype="datetime64[ns]")
    nat = np.isnat(ns)
    ns = ns.view("int64")
    # Within a child: the next date is undated, or both dated and not earlier.
    later = nat[1:] | (~nat[:-1] & (ns[1:] >= ns[:-1]))
    later |= cix[1:] > cix[:-1]
    later &= cix[1:] >= cix[:-1]
    return bool(later.all())


def _per_child(flags, cix, n: int, how: str = "sum") -> np.ndarray:
    """Sum (or any, as 0/1) of boolean ``flags`` per child position ``cix`` (0..n-1), as int64."""
    hits = np.bincount(np.asarray(cix)[np.asarray(flags, dtype=bool)], minlength=n).astype("int64")
    return hits if how == "sum" else (hits > 0).astype("int64")


def has_flag(outcome: pd.Series, flag: str) -> pd.Series:
    """True where ``flag`` is one of the ``;``-joined outcome flags (case-insensitive)."""
    def has(o: pd.Series) -> pd.Series:
        tokens = ";" + o.fillna("").str.upper().str.replace(" ", "", regex=False) + ";"
        return tokens.str.contains(";" + flag.upper() + ";", regex=False).astype(bool)
    return map_distinct(outcome, has).fillna(False).astype(bool)


# --------------------------------------------------------------------------- per child
def child_recurrence(
    cohort: Cohort,
    children: Iterable[str] | pd.Series | pd.Index | pd.DataFrame | ChildEvents | Family,
    *,
    definitions: Definitions = DEFAULTS,
    rows: np.ndarray | pd.Series | None = None,
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
      ``linked_event_id`` is the S47's ``event_id``) and no ICPC and no CP plan of the child
      within ``s47_icpc_days`` after the S47 start (a paper S47 cannot link to a conference,
      but the plan that followed it shows it progressed); counted only once ``audit_date - start >=
      s47_icpc_days``. An S47 with no start date is never counted. ``n_s47_judged`` counts
      the S47s old enough to judge (the denominator of the "not progressing" share).
    - ``contact_series`` (0/1): ``series_length`` consecutive contacts of the child (in date
      order) whose last minus first is at most ``series_days``, with no referral of the child
      dated from the first to the last of them, both days included.
    - ``eh_not_engaged`` (0/1): an early-help episode whose end reason (``outcome``) contains
      one of ``eh_not_engaged_patterns`` (case-insensitive), or a dated contact
      whose outcome flags include ``advice_flag`` with no early-help episode of the child
      starting within ``advice_eh_days`` after it.

    Parameters
    ----------
    cohort : Cohort
    children : ids, a table with a ``child_id`` column (e.g. ``siblings.members``), or the
        children and their events already selected (:class:`~neglect_analysis.family.ChildEvents`
        or :class:`~neglect_analysis.family.Family`, as the report passes them once per run).
    definitions : the thresholds named below (:class:`~neglect_analysis.definitions.Definitions`).
    rows : optional, one boolean per event of the children (in the order of
        ``ChildEvents.of(cohort, children).events``): the events counted, e.g. this authority's
        (:func:`~neglect_analysis.flags.this_authority`, for the DfE-comparable findings); the
        others are left out as if absent, without copying the events. None: every event.

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
    kids = ChildEvents.of(cohort, children)
    ids, n = kids.ids, len(kids.ids)
    ev = kids.events
    d = definitions
    rereferral_days, repeat_plan_days, s47_icpc_days = d.rereferral_days, d.repeat_plan_days, d.s47_icpc_days
    series_length, series_days = d.series_length, d.series_days
    # Integer child positions (cix) and NumPy dates: grouping, shifts and searches on numbers.
    cix = ev["cix"].to_numpy()
    start, end = ev["start_date"].to_numpy(), ev["end_date"].to_numpy()
    etype = ev["event_type"]
    counted = _counted(rows, len(ev))

    # By child, then start date (undated last): the events' own order (no sort; None). Masks
    # of one type are made when read, one at a time.
    order = child_date_order(cix, start)

    def rows(kind: str, dated: bool = False) -> np.ndarray:
        """Row positions in ``ev`` of the events of ``kind``, by child and start date."""
        return kind_rows(etype, kind, counted, order, start=start if dated else None)

    def same_child_gap(later: np.ndarray, earlier: np.ndarray, r: np.ndarray, lag: int = 1):
        """Days from ``earlier`` of row k to ``later`` of row k + lag (rows ``r``), same child only."""
        if lag == 0:
            return whole_days(later[r] - earlier[r])
        gap = np.full(len(r), np.nan)
        if len(r) > lag:
            same = cix[r[lag:]] == cix[r[:-lag]]
            gap[:-lag] = np.where(same, whole_days(later[r[lag:]] - earlier[r[:-lag]]), np.nan)
        return gap

    out = pd.DataFrame(index=ids)
    for col, kind in (("n_contacts", "contact"), ("n_referrals", "referral"),
                      ("n_s47", "s47"), ("n_cp_plans", "cp_plan")):
        out[col] = np.bincount(cix[kind_mask(etype, kind, counted)], minlength=n).astype("int64")

    # Re-referrals: gap from the previous referral of the same child.
    ref = rows("referral")
    gap = same_child_gap(start, start, ref)  # gap[k]: referral k to k + 1
    rereferral = (gap >= 0) & (gap <= rereferral_days)
    out["n_rereferrals_12m"] = _per_child(rereferral[:-1], cix[ref[1:]], n)

    # S47 not progressing to ICPC.
    s47 = rows("s47", dated=True)
    all_icpc = cohort.events.loc[cohort.events["event_type"] == "icpc", "linked_event_id"]
    linked = isin(ev["event_id"].take(s47), all_icpc.dropna()).to_numpy()
    icpc = rows("icpc")
    to_icpc = _next_gap_days(cix[s47], start[s47], cix[icpc], start[icpc])
    judged = whole_days(np.datetime64(cohort.audit_date, "ns") - start[s47]) >= s47_icpc_days
    plan = rows("cp_plan")
    to_plan = _next_gap_days(cix[s47], start[s47], cix[plan], start[plan])
    no_icpc = judged & ~linked & ~(to_icpc <= s47_icpc_days) & ~(to_plan <= s47_icpc_days)
    out["n_s47_no_icpc"] = _per_child(no_icpc, cix[s47], n)
    out["n_s47_judged"] = _per_child(judged, cix[s47], n)

    # Repeat CP plans: plans by child, start, end (open plans last); gap from the previous end.
    out["n_repeat_cp_plans"] = (out["n_cp_plans"] - 1).clip(lower=0).astype("int64")
    cp = np.flatnonzero(kind_mask(etype, "cp_plan", counted))
    cp = cp[np.lexsort((_sort_key(end[cp]), _sort_key(start[cp]), cix[cp]))]
    gap = same_child_gap(start, end, cp)
    repeat = (gap >= 0) & (gap <= repeat_plan_days)
    out["n_repeat_cp_plans_2y"] = _per_child(repeat[:-1], cix[cp[1:]], n)

    # Contact series: k consecutive contacts spanning <= series_days, no referral in between.
    con = rows("contact", dated=True)
    span = same_child_gap(start, start, con, lag=series_length - 1)
    to_ref = _next_gap_days(cix[con], start[con], cix[ref], start[ref])
    series = (span <= series_days) & ~(to_ref <= span)
    out["contact_series"] = _per_child(series, cix[con], n, how="any")

    # Early help not engaged: declined episodes, or advice not taken up (either).
    eh = early_help_not_engaged(kids, definitions=d, rows=counted)
    out["eh_not_engaged"] = np.maximum(eh["eh_declined"].to_numpy(), eh["advice_not_taken_up"].to_numpy())

    out = out[list(COUNT_COLUMNS + FLAG_COLUMNS)]
    return out.rename_axis("child_id").reset_index()


def early_help_not_engaged(kids: ChildEvents, *, definitions: Definitions = DEFAULTS,
                           rows: np.ndarray | pd.Series | None = None) -> pd.DataFrame:
    """Per child, the two halves of "early help not engaged" (DESIGN.md), kept apart.

    - ``eh_declined`` (0/1): an early-help episode whose end reason contains one of
      ``eh_not_engaged_patterns`` (case-insensitive): the family declined or disengaged.
    - ``advice_not_taken_up`` (0/1): a dated contact whose outcome flags include
      ``advice_flag`` with no early-help episode of the child starting within
      ``advice_eh_days`` after it: advice given, no early help followed.

    ``eh_not_engaged`` of :func:`child_recurrence` is either of them. ``rows``: the events
    counted, as in :func:`child_recurrence` (None: every event of ``kids``).

    Returns
    -------
    DataFrame
        ``child_id``, ``eh_declined``, ``advice_not_taken_up`` (int64), one row per child of
        ``kids``, sorted by ``child_id``.

    Examples
    --------
    >>> ev = pd.DataFrame({"person_id": ["A", "B", "B"], "event_type": ["early_help", "contact", "early_help"],
    ...                    "start_date": ["2010-01-01", "2011-01-01", "2011-03-01"],
    ...                    "outcome": ["Declined by family", "ADVICE_FLAG", "Engaged - outcomes met"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> early_help_not_engaged(ChildEvents.of(c, ["A", "B"])).values.tolist()
    [['A', 1, 0], ['B', 0, 0]]
    """
    d = definitions
    ev = kids.events
    n = len(kids.ids)
    cix = ev["cix"].to_numpy()
    start = ev["start_date"].to_numpy()
    etype = ev["event_type"]
    order = child_date_order(cix, start)
    counted = _counted(rows, len(ev))
    eh = kind_rows(etype, "early_help", counted, order)
    con = kind_rows(etype, "contact", counted, order, start=start)
    pattern = "|".join(re.escape(p) for p in d.eh_not_engaged_patterns)
    declined = map_distinct(ev["outcome"].take(eh), lambda o: o.fillna("").str.contains(
        pattern, case=False, regex=True)).fillna(False).to_numpy(dtype=bool)
    advice = con[has_flag(ev["outcome"].take(con), d.advice_flag).to_numpy()]
    to_eh = _next_gap_days(cix[advice], start[advice], cix[eh], start[eh])
    advice_only = ~(to_eh <= d.advice_eh_days)
    return pd.DataFrame({
        "child_id": kids.ids,
        "eh_declined": _per_child(declined, cix[eh], n, how="any").astype("int64"),
        "advice_not_taken_up": _per_child(advice_only, cix[advice], n, how="any").astype("int64"),
    }).reset_index(drop=True)


# --------------------------------------------------------------------------- per group
def _factor_family_children(kids: ChildEvents) -> dict[str, np.ndarray]:
    """Factor family -> boolean per child position in ``kids.ids``: the family is recorded
    (``events.factors``) on some event of the child. Codes are matched on the distinct
    ``factors`` texts only (a few hundred over hundreds of thousands of events)."""
    ev = kids.events
    codes, uniques = pd.factorize(ev["factors"])
    text = "," + pd.Series(uniques, dtype="string").fillna("").str.upper().str.replace(" ", "", regex=False) + ","
    known = codes >= 0
    cix = ev["cix"].to_numpy()[known]
    out = {}
    for fam, fam_codes in FACTOR_FAMILIES.items():
        pattern = "|".join(re.escape(f",{c.upper()},") for c in fam_codes)
        hit = text.str.contains(pattern, regex=True).to_numpy(dtype=bool, na_value=False)
        out[fam] = np.bincount(cix[hit[codes[known]]], minlength=len(kids.ids)) > 0
    return out


def group_recurrence(
    cohort: Cohort,
    members: pd.DataFrame | Family,
    child_rec: pd.DataFrame,
    *,
    definitions: Definitions = DEFAULTS,
) -> pd.DataFrame:
    """One row per sibling group: recurrence counts summed and recurrent themes.

    Implements DESIGN.md "Definitions", "Recurrent themes": a factor family
    (:data:`codes.FACTOR_FAMILIES`) is recurrent in a sibling group when it is recorded
    (``events.factors`` of any event of the child) for children of at least
    ``definitions.min_other_parents`` different other birth parents. A child's other birth parent is its
    other ``mother_of``/``father_of`` parent in ``cohort.links`` (not the index parent); a child
    with no such link (unknown parent) is not counted for any parent.

    Parameters
    ----------
    members : ``siblings.members`` output (``parent_id``, ``child_id``, ...), or a
        :class:`~neglect_analysis.family.Family` (its children's events selected once).
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
    family = Family.of(cohort, members)
    kids, min_other_parents = family.children, definitions.min_other_parents
    m = family.members[["parent_id", "child_id"]].drop_duplicates()
    # Integer codes: group (sorted parent ids).
    group, parents = pd.factorize(m["parent_id"], sort=True)
    n = len(parents)

    value_cols = list(COUNT_COLUMNS + FLAG_COLUMNS)
    if child_rec["child_id"].is_unique:
        at = positions(m["child_id"], child_rec["child_id"])
        values = {c: np.where(at >= 0, child_rec[c].to_numpy()[at], 0) for c in value_cols}
    else:  # not one row per child: the join as the definition reads
        rec = m.merge(child_rec, on="child_id", how="left")
        values = {c: rec[c].fillna(0).to_numpy() for c in value_cols}
    out = pd.DataFrame(index=pd.Index(parents, name="parent_id"))
    out["n_children"] = np.bincount(group, minlength=n).astype("int64")
    for c in value_cols:
        name = f"n_children_{c}" if c in FLAG_COLUMNS else c
        out[name] = np.bincount(group, weights=values[c], minlength=n).astype("int64")

    # Children of each other birth parent, per group: distinct (group, other parent) pairs.
    # (DESIGN.md "Half-siblings": siblings.other_birth_parents, the one definition) as codes.
    op = other_birth_parents(cohort, family.members)
    o_group, o_child = positions(op["parent_id"], pd.Index(parents)), positions(op["child_id"], kids.ids)
    o_other = pd.factorize(op["other_id"])[0]
    known = (o_group >= 0) & (o_child >= 0) & (o_other >= 0)
    o_group, o_child, o_other = o_group[known], o_child[known], o_other[known]
    families = _factor_family_children(kids)
    themes = pd.Series("", index=out.index, dtype="string")
    width = int(o_other.max()) + 1 if len(o_other) else 1  # (group, other) -> one integer
    for fam, has in families.items():
        rows = has[o_child]
        pairs = distinct_sorted(o_group[rows].astype(np.int64) * width + o_other[rows])
        n_other = np.bincount(pairs // width, minlength=n)
        flag = pd.Series(n_other >= min_other_parents, index=out.index)
        out[f"recurrent_{fam}"] = flag
        themes = themes + flag.map({True: fam + "; ", False: ""}).astype("string")
    out["recurrent_themes"] = themes.str.removesuffix("; ")
    return out.reset_index()


def _with_groups(child: np.ndarray, member_child: np.ndarray, member_group: np.ndarray):
    """Each row of ``child`` (child positions) once per group of the child.

    ``member_child`` / ``member_group``: distinct memberships, sorted by child. Returns the
    row numbers and their groups (rows of a child in no group are left out).
    """
    lo = np.searchsorted(member_child, child, side="left")
    count = np.searchsorted(member_child, child, side="right") - lo
    row = np.repeat(np.arange(len(child)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return row, member_group[np.repeat(lo, count) + offset]


def _count_in_windows(key: np.ndarray, when: np.ndarray, q_key: np.ndarray, lo: np.ndarray,
                      hi: np.ndarray) -> np.ndarray:
    """Per query: the events with the query's key and ``lo <= when < hi`` (all int64).

    One sort of events and query bounds together by (key, time; a bound before an event at
    the same time): the events before a bound are those with a smaller key, or the same key
    and an earlier time. The count in a window is the difference at its two bounds.
    """
    nq = len(q_key)
    keys = np.concatenate([key, q_key, q_key])
    times = np.concatenate([when, lo, hi])
    is_event = np.concatenate([np.ones(len(key), dtype=np.int64), np.zeros(2 * nq, dtype=np.int64)])
    order = np.lexsort((is_event, times, keys))
    before = np.empty(len(keys), dtype=np.int64)
    before[order] = np.cumsum(is_event[order]) - is_event[order]
    return before[len(key) + nq:] - before[len(key):len(key) + nq]


def plans_not_sustained(
    cohort: Cohort,
    members: pd.DataFrame | Family,
    *,
    definitions: Definitions = DEFAULTS,
) -> pd.DataFrame:
    """One row per ended CP plan of a sibling-group child: were the changes sustained?

    Implements DESIGN.md "Definitions", "Changes not sustained": a CP plan that ended
    (``end_date`` not empty) and was followed by a new referral dated within
    ``definitions.not_sustained_rereferral_days`` after its end, or a new CP plan starting
    within ``definitions.not_sustained_replan_days`` after
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
    family = Family.of(cohort, members)
    kids, members = family.children, family.members
    rereferral_days = definitions.not_sustained_rereferral_days
    replan_days = definitions.not_sustained_replan_days
    # Distinct (group, child) memberships as integer codes, sorted by child.
    g = pd.factorize(members["parent_id"])[0]
    c = positions(members["child_id"], kids.ids)
    ok = (g >= 0) & (c >= 0)
    n_groups = g.max(initial=0) + 1
    gc = distinct_sorted(c[ok].astype(np.int64) * n_groups + g[ok])
    member_child, member_group = gc // n_groups, gc % n_groups

    ev = kids.events
    etype = ev["event_type"]
    cix, start = ev["cix"].to_numpy(), ev["start_date"].to_numpy().astype("datetime64[ns]")
    plans = np.flatnonzero((etype == "cp_plan").to_numpy(dtype=bool, na_value=False))
    ended = ev.iloc[plans][["event_id", "person_id", "start_date", "end_date"]]
    keep = ended["end_date"].notna().to_numpy()
    ended = ended[keep].rename(columns={"person_id": "child_id"}).reset_index(drop=True)
    plans = plans[keep]

    # Every sibling is a group member: a plan's window is searched in the events of each
    # group of its child (a sibling in two such groups is found twice: only "any" matters).
    # "Within N days after the end": 0 <= whole days <= N, i.e. end <= date < end + N + 1 days.
    end = ended["end_date"].to_numpy().astype("datetime64[ns]").view("int64")
    k, k_group = _with_groups(cix[plans], member_child, member_group)
    dated = ~np.isnat(start)

    def found(kind: str, days: int) -> np.ndarray:
        """Per (plan, group) row: events of ``kind`` of the group dated in the plan's window."""
        rows = np.flatnonzero((etype == kind).to_numpy(dtype=bool, na_value=False) & dated)
        e, e_group = _with_groups(cix[rows], member_child, member_group)
        return _count_in_windows(e_group, start[rows][e].view("int64"), k_group, end[k],
                                 end[k] + (days + 1) * DAY_NS)

    # The plan itself is never its own "new plan" (it is in its window only when it started
    # on the day it ended): one fewer new plan where it is.
    own = start[plans].view("int64")
    own_in = ~np.isnat(start[plans]) & (own >= end) & (own < end + (replan_days + 1) * DAY_NS)
    rereferred = np.zeros(len(ended), dtype=bool)
    rereferred[k[found("referral", rereferral_days) > 0]] = True
    replanned = np.zeros(len(ended), dtype=bool)
    replanned[k[found("cp_plan", replan_days) - own_in[k] > 0]] = True

    # ``_c`` (position in the sorted ids) orders children as ``child_id`` does, without text.
    out = ended.assign(rereferred=rereferred, replanned=replanned, _c=cix[plans])
    out = out.sort_values(["_c", "start_date", "event_id"]).reset_index(drop=True)
    out["not_sustained"] = out["rereferred"] | out["replanned"]
    return out[["event_id", "child_id", "start_date", "end_date", "rereferred", "replanned",
                "not_sustained"]]
