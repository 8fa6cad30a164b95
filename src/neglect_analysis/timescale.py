"""The record-aware age scale of time to escalation (DESIGN.md "Moving away", "Record-aware
time scale").

- :func:`moved_out_dates`: the date each child moved away (censoring).
- :func:`age_scale`: per child, entry and exit ages in days (delayed entry at the ICS start
  date), whether it escalated in follow-up, and whether it escalated before entering.
- :func:`escalation_intervals`: counting-process intervals ``(start, stop]`` with the
  time-varying covariate "an older sibling has escalated".

Vectorised NumPy over child positions; no loops over children or families.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .days import whole_days
from .family import ChildEvents, Family
from .flags import this_authority
from .idsets import positions
from .io.arrowtext import map_distinct

#: Columns of :func:`age_scale`.
AGE_SCALE_COLUMNS: tuple[str, ...] = (
    "child_id", "dob", "entry_age_days", "exit_age_days", "event", "escalated_before_entry",
    "in_curve", "moved_out_date", "moved_away",
)

#: Columns of :func:`escalation_intervals` (DESIGN.md "Outputs"; ``eldest`` follows).
INTERVAL_COLUMNS: tuple[str, ...] = (
    "child_id", "parent_id", "start_age_days", "stop_age_days", "event", "older_sibling_escalated",
    "eldest",
)


def moved_out_dates(cohort: Cohort, children, *, definitions: Definitions = DEFAULTS) -> pd.DataFrame:
    """The date each child moved away, or NaT (DESIGN.md "Moving away").

    A move is the close date (``end_date``) of a CIN episode (``referral`` event) whose close
    reason (``outcome``) is one of ``definitions.moved_away_close_reasons`` (RC5), or the end
    date of an ``early_help`` episode whose end reason contains one of
    ``definitions.moved_away_eh_patterns`` (case-insensitive). A move does not count when the
    child has an event of this authority (:func:`neglect_analysis.flags.this_authority`)
    starting after it. Choice: of the moves that count, the earliest (moves that count have no
    event of this authority between them). The one definition of moving away: the look-now
    list (:func:`neglect_analysis.actions.moved_away_dates`), time to escalation
    (:func:`neglect_analysis.escalation.child_escalation`) and the age scale read it.

    Returns
    -------
    DataFrame
        ``child_id`` (sorted, every child given), ``moved_out_date`` (datetime64, NaT: none).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["A", "B", "C"]})
    >>> ev = pd.DataFrame({"person_id": ["A", "B", "B", "C"],
    ...     "event_type": ["referral", "early_help", "contact", "early_help"],
    ...     "start_date": ["2012-01-01", "2012-01-01", "2013-01-01", "2014-01-01"],
    ...     "end_date": ["2012-06-01", "2012-03-01", None, "2014-05-01"],
    ...     "outcome": ["RC5", "Family moved out of area", None, "Moved away"]})
    >>> c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    >>> moved_out_dates(c, ["A", "B", "C"])["moved_out_date"].dt.strftime("%Y-%m-%d").fillna("").tolist()
    ['2012-06-01', '', '2014-05-01']
    """
    kids = ChildEvents.of(cohort, children)
    ev = kids.events
    n = len(kids.ids)
    cix = ev["cix"].to_numpy()
    start = ev["start_date"].to_numpy().astype("datetime64[ns]")
    end = ev["end_date"].to_numpy().astype("datetime64[ns]")
    etype = ev["event_type"]
    ref = (etype == "referral").to_numpy(dtype=bool, na_value=False)
    eh = (etype == "early_help").to_numpy(dtype=bool, na_value=False)
    # The close reasons are read on the closed CIN / early help episodes only, each distinct
    # text once (a few over millions of events), never on every event.
    cand = np.flatnonzero((ref | eh) & ~np.isnat(end))
    reasons = [r.upper() for r in definitions.moved_away_close_reasons]
    patterns = [p.lower() for p in definitions.moved_away_eh_patterns]

    def says_moved(text: pd.Series) -> pd.Series:
        """Per distinct close reason: 1 = a CIN move code (RC5), + 2 = an early help move text."""
        rc = text.str.strip().str.upper().isin(reasons).to_numpy(dtype=bool, na_value=False)
        pat = np.zeros(len(text), dtype=bool)
        for p in patterns:
            pat |= text.str.lower().str.contains(p, regex=False).to_numpy(dtype=bool, na_value=False)
        return pd.Series(rc.astype(np.int64) + 2 * pat.astype(np.int64), index=text.index)

    said = map_distinct(ev["outcome"].take(cand).astype("string").reset_index(drop=True), says_moved)
    said = said.to_numpy(dtype=np.int64, na_value=0)
    is_move = np.zeros(len(ev), dtype=bool)
    is_move[cand] = (ref[cand] & (said % 2 == 1)) | (eh[cand] & (said >= 2))

    # events of this authority (flags.this_authority, the one definition; an ICPC marked
    # transfer-in is this authority's conference for a child who came back)
    here = (this_authority(ev) if "other_la" in ev.columns else np.ones(len(ev), bool)) & ~np.isnat(start)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, cix[here], start[here].view("int64"))  # last start of this authority

    mv = np.flatnonzero(is_move)
    mv = mv[end[mv].view("int64") >= last[cix[mv]]]  # no event here after the move
    never = np.iinfo(np.int64).max
    first = np.full(n, never)
    np.minimum.at(first, cix[mv], end[mv].view("int64"))
    date = np.where(first == never, np.datetime64("NaT"), first.view("datetime64[ns]"))
    return pd.DataFrame({"child_id": kids.ids.array, "moved_out_date": date.astype("datetime64[ns]")})


def moved_out_on(moved: pd.DataFrame, ids) -> np.ndarray:
    """The move dates of ``moved`` (:func:`moved_out_dates` output) for ``ids``, in their order.

    A run computes :func:`moved_out_dates` once and passes the table to every analysis that
    censors or reports at moving away (:func:`neglect_analysis.escalation.child_escalation`,
    :func:`child_ages`, :func:`neglect_analysis.actions.look_now_list`); this reads it.

    Raises
    ------
    ValueError
        When an id of ``ids`` is not in ``moved`` (its move was never looked for: a child
        would be silently taken as never moved), naming the first such id.

    Examples
    --------
    >>> moved = pd.DataFrame({"child_id": ["A", "B"], "moved_out_date": pd.to_datetime(["2012-06-01", None])})
    >>> moved_out_on(moved, ["B", "A"]).astype("datetime64[D]").astype(str).tolist()
    ['NaT', '2012-06-01']
    >>> moved_out_on(moved, ["C"])
    Traceback (most recent call last):
    ...
    ValueError: moving away: child 'C' is not in the table of move dates (moved_out_dates was run for other children)
    """
    ids = pd.Series(pd.Series(ids).array).astype("string")
    at = positions(ids, moved["child_id"].astype("string"))
    missing = np.flatnonzero((at < 0) & ids.notna().to_numpy())
    if len(missing):
        raise ValueError(f"moving away: child {ids.iloc[missing[0]]!r} is not in the table of move "
                         "dates (moved_out_dates was run for other children)")
    return np.asarray(moved["moved_out_date"].array.take(at, allow_fill=True), dtype="datetime64[ns]")


def age_scale(child_esc: pd.DataFrame, dobs: pd.DataFrame, moved: pd.DataFrame,
              ics_start_date: str | pd.Timestamp) -> pd.DataFrame:
    """Entry and exit ages of each child on the record-aware age scale (DESIGN.md).

    - ``entry_age_days``: age on ``ics_start_date`` (0 when born on or after it).
    - Exit: the escalation if there is one on or before the move, else the earliest of the
      censor date of ``child_esc`` (audit date, 18th birthday, death) and ``moved_out_date``.
      ``exit_age_days`` = exit date minus dob; ``event`` 1 when the exit is the escalation.
      An escalation after the move (e.g. in another authority) is censored at the move.
    - ``escalated_before_entry``: the escalation is on or before the entry day (the child is
      at risk at age t when entry < t <= exit, DESIGN "Counting-process convention"): counted
      apart, not in the curve. Choice: this includes an escalation on the day of birth or
      before birth (pre-birth plans) of a child born after the ICS start.
    - ``in_curve``: dob and involvement known, not escalated before entry, and exit after entry.
    - ``moved_away``: the child's follow-up ended by moving away (exit is the move, no event).

    Children without involvement (censor date empty) have empty ages (DESIGN "Involvement").

    Parameters
    ----------
    child_esc : :func:`neglect_analysis.escalation.child_escalation` output.
    dobs : ``child_id``, ``dob`` (one row per child is used: the first).
    moved : :func:`moved_out_dates` output.
    ics_start_date : the start of the electronic record.

    Returns
    -------
    DataFrame
        :data:`AGE_SCALE_COLUMNS`, one row per child of ``child_esc`` in its order; ages
        Int64, ``event`` int64, flags bool.

    Examples
    --------
    >>> esc = pd.DataFrame({"child_id": ["A", "B", "C"],
    ...     "escalation_date": pd.to_datetime(["2010-01-01", "2008-01-01", None]),
    ...     "censor_date": pd.to_datetime(["2018-07-31", "2018-07-31", "2018-07-31"])})
    >>> dobs = pd.DataFrame({"child_id": ["A", "B", "C"], "dob": pd.to_datetime(["2009-01-01", "2005-01-01", "2012-01-01"])})
    >>> moved = pd.DataFrame({"child_id": ["C"], "moved_out_date": pd.to_datetime(["2013-01-01"])})
    >>> t = age_scale(esc, dobs, moved, "2009-04-01")
    >>> t[["entry_age_days", "exit_age_days", "event", "escalated_before_entry", "in_curve"]].values.tolist()
    [[90, 365, 1, False, True], [1551, 1095, 0, True, False], [0, 366, 0, False, True]]
    """
    ids = child_esc["child_id"]
    d_at = positions(ids, dobs["child_id"])
    dob = np.asarray(dobs["dob"].array.take(d_at, allow_fill=True), dtype="datetime64[ns]")
    m_at = positions(ids, moved["child_id"])
    mv = np.asarray(moved["moved_out_date"].array.take(m_at, allow_fill=True), dtype="datetime64[ns]")
    esc = child_esc["escalation_date"].to_numpy().astype("datetime64[ns]")
    censor = child_esc["censor_date"].to_numpy().astype("datetime64[ns]")
    ics = np.datetime64(pd.Timestamp(ics_start_date), "ns")

    entry = np.where(dob < ics, ics, dob)  # NaT dob stays NaT
    esc_counts = ~np.isnat(esc) & (np.isnat(mv) | (esc <= mv))
    end = np.where(esc_counts, esc, np.fmin(censor, mv))
    end = np.where(np.isnat(censor), np.datetime64("NaT"), end)
    entry_days, exit_days = whole_days(entry - dob), whole_days(end - dob)
    known = ~np.isnan(entry_days) & ~np.isnan(exit_days)
    before = known & esc_counts & (exit_days <= entry_days)
    in_curve = known & ~before & (exit_days > entry_days)
    moved_away = known & ~esc_counts & ~np.isnat(mv) & (end == mv)
    return pd.DataFrame({
        "child_id": ids.to_numpy(),
        "dob": dob,
        "entry_age_days": pd.array(np.where(known, entry_days, np.nan)).astype("Int64"),
        "exit_age_days": pd.array(np.where(known, exit_days, np.nan)).astype("Int64"),
        "event": (known & esc_counts & ~before).astype("int64"),
        "escalated_before_entry": before,
        "in_curve": in_curve,
        "moved_out_date": mv,
        "moved_away": moved_away,
    })[list(AGE_SCALE_COLUMNS)]


def child_ages(cohort: Cohort, family: Family, child_esc: pd.DataFrame, *,
               moved: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`age_scale` of a run's children (dobs from ``family.members``, the Cohort's ICS
    start date) with their moves: ``moved`` (:func:`moved_out_dates` of the run's children,
    computed once per run and passed here), or computed when None."""
    dobs = family.members[["child_id", "dob"]].drop_duplicates("child_id")
    if moved is None:
        moved = moved_out_dates(cohort, family.children, definitions=family.definitions)
    esc = child_esc.assign(child_id=child_esc["child_id"].astype("string"))
    return age_scale(esc, dobs.assign(child_id=dobs["child_id"].astype("string")),
                     moved.assign(child_id=moved["child_id"].astype("string")), cohort.ics_start_date)


def escalation_intervals(ages: pd.DataFrame, older_esc: pd.Series, clusters: pd.DataFrame,
                         eldest: pd.Series) -> pd.DataFrame:
    """Counting-process intervals with "an older sibling has escalated" (DESIGN.md).

    A child of ``ages`` with ``in_curve`` is at risk on ``(start_age_days, stop_age_days]``.
    The covariate turns on the day after the earliest escalation of an older sibling: with
    ``s`` the child's age on that day, it is 0 for ages ``t <= s`` and 1 for ``t > s``. The
    child's follow-up is split at ``s`` when ``entry < s < exit``; ``event`` is on the last
    interval only. A child who escalates on the day its sibling did has the covariate 0 then.

    Parameters
    ----------
    ages : :func:`age_scale` output.
    older_esc : earliest older-sibling escalation date per child (index ``child_id``), as
        :func:`neglect_analysis.escalation.older_sibling_escalation`.
    clusters : ``child_id``, ``parent_id``: the family each child is clustered in (one row
        per child; the report uses the connected component of its index parents).
    eldest : bool per child (index ``child_id``), :func:`neglect_analysis.siblings.eldest`.

    Returns
    -------
    DataFrame
        :data:`INTERVAL_COLUMNS`, sorted by child and start; ages int64, flags int64.

    Examples
    --------
    >>> ages = pd.DataFrame({"child_id": ["A", "B"], "dob": pd.to_datetime(["2000-01-01", "2005-01-01"]),
    ...     "entry_age_days": [3378, 0], "exit_age_days": [3500, 2000], "event": [1, 0], "in_curve": True})
    >>> older = pd.Series(pd.to_datetime([None, "2009-08-01"]), index=pd.Index(["A", "B"], name="child_id"))
    >>> cl = pd.DataFrame({"child_id": ["A", "B"], "parent_id": "M"})
    >>> el = pd.Series([True, False], index=["A", "B"])
    >>> escalation_intervals(ages, older, cl, el)[["child_id", "start_age_days", "stop_age_days", "event", "older_sibling_escalated"]].values.tolist()
    [['A', 3378, 3500, 1, 0], ['B', 0, 1673, 0, 0], ['B', 1673, 2000, 0, 1]]
    """
    a = ages[ages["in_curve"].astype(bool)].reset_index(drop=True)
    ids = a["child_id"].astype("string")
    o_at = positions(ids, pd.Series(older_esc.index.astype("string")))
    older = np.asarray(older_esc.array.take(o_at, allow_fill=True), dtype="datetime64[ns]")
    dob = a["dob"].to_numpy().astype("datetime64[ns]")
    s = whole_days(older - dob)  # NaN: no older sibling escalated
    entry = a["entry_age_days"].to_numpy(dtype=float)
    stop = a["exit_age_days"].to_numpy(dtype=float)
    event = a["event"].to_numpy().astype("int64")
    split = ~np.isnan(s) & (s > entry) & (s < stop)
    on_from_start = ~np.isnan(s) & (s <= entry)
    n = len(a)
    # First pieces: (entry, s] with 0 where split, else the whole follow-up.
    first_stop = np.where(split, s, stop)
    rows = np.r_[np.arange(n), np.flatnonzero(split)]
    start_all = np.r_[entry, s[split]]
    stop_all = np.r_[first_stop, stop[split]]
    event_all = np.r_[np.where(split, 0, event), event[split]]
    cov_all = np.r_[on_from_start.astype("int64"), np.ones(split.sum(), dtype="int64")]
    c_at = positions(ids.take(rows), clusters["child_id"].astype("string"))
    parent = clusters["parent_id"].astype("string").array.take(c_at, allow_fill=True)
    e_at = positions(ids.take(rows), pd.Series(eldest.index.astype("string")))
    el = np.asarray(eldest.array.take(e_at, allow_fill=True), dtype=bool)
    out = pd.DataFrame({
        "child_id": ids.take(rows).to_numpy(),
        "parent_id": parent,
        "start_age_days": start_all.astype("int64"),
        "stop_age_days": stop_all.astype("int64"),
        "event": event_all,
        "older_sibling_escalated": cov_all,
        "eldest": el.astype("int64"),
    })
    return out.sort_values(["child_id", "start_age_days"], kind="stable").reset_index(drop=True)
