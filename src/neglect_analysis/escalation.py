"""Time to escalation and earlier identification from older siblings' histories.

Implements DESIGN.md "Definitions": Involvement, Escalation (with censoring), and Earlier
identification (family signal day and lead time), plus the Kaplan-Meier / log-rank tables
of time to escalation by group. Vectorised: per-group sorted cumulative minima, no loops over
children or families.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .codes import ESCALATION_TYPES
from .cohort import Cohort
from .recurrence import _child_ids, _events_of
from .survival import KM_COLUMNS, kaplan_meier, logrank

#: Columns of :func:`child_escalation`.
ESCALATION_COLUMNS: tuple[str, ...] = (
    "child_id", "first_involvement_date", "escalation_date", "escalation_type", "escalated",
    "censor_date", "days_to_escalation",
)

_MAX_DATE = pd.Timestamp("2262-01-01")


def birthday(dob: pd.Series, years: int = 18) -> pd.Series:
    """The calendar date of the ``years``-th birthday (DESIGN.md "Date of birth").

    A 29 February birthday falls on 1 March in a non-leap year. Missing dob gives NaT.

    Examples
    --------
    >>> dob = pd.to_datetime(pd.Series(["2000-02-29", "2001-07-31", None]))
    >>> birthday(dob).dt.strftime("%Y-%m-%d").tolist()
    ['2018-03-01', '2019-07-31', nan]
    >>> birthday(dob, years=20).dt.strftime("%Y-%m-%d").tolist()[0]
    '2020-02-29'
    """
    dob = pd.to_datetime(dob).astype("datetime64[ns]")
    year = dob.dt.year + years
    month, day = dob.dt.month, dob.dt.day
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    moved = (month == 2) & (day == 29) & ~leap
    parts = pd.DataFrame({
        "year": year,
        "month": month.where(~moved, 3),
        "day": day.where(~moved, 1),
    }, index=dob.index)
    return pd.to_datetime(parts).astype("datetime64[ns]")


def child_escalation(
    cohort: Cohort,
    children: Iterable[str] | pd.Series | pd.Index | pd.DataFrame,
    *,
    escalation_types: tuple[str, ...] = ESCALATION_TYPES,
    adult_age_years: int = 18,
) -> pd.DataFrame:
    """One row per child: first involvement, escalation, censoring and days to escalation.

    Implements DESIGN.md "Definitions":

    - ``first_involvement_date``: earliest start of any event of the child (ICS or paper, of
      any type, pre-birth events included).
    - ``censor_date``: earliest of the audit date, the ``adult_age_years``-th birthday
      (calendar date; 29 February -> 1 March, see :func:`birthday`) and death.
    - ``escalation_date`` / ``escalation_type``: the child's first event of a type in
      ``escalation_types`` (CP plan, CLA, care proceedings), whichever starts first. Choices:
      same-day events of two types are broken by the order of ``escalation_types``
      (``cp_plan`` before ``cla`` before ``care_proceedings``), then by event id; an
      escalation dated after the censor date does not count (after the 18th birthday the
      person is no longer a child: not escalated, censored; after the audit date or death it
      cannot exist). An escalation on the censor date itself counts.
    - ``escalated``: 1 when there is an escalation, else 0.
    - ``days_to_escalation``: escalation minus first involvement if escalated, else censor
      date minus first involvement.

    A child with no involvement has empty dates (censor date included) and days, and
    ``escalated`` 0 (DESIGN "Involvement"), and is left out of time to escalation. Choice: a
    child whose first involvement is after its censor date (e.g. first recorded after its
    18th birthday) has empty ``days_to_escalation`` too: it was never at risk as a child.

    Returns
    -------
    DataFrame
        :data:`ESCALATION_COLUMNS`; dates datetime64, ``escalation_type`` string (NA when
        none), ``escalated`` int64, ``days_to_escalation`` Int64. Sorted by ``child_id``.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["C1", "C2"], "dob": ["2005-01-01", "2000-02-29"]})
    >>> ev = pd.DataFrame({"person_id": ["C1", "C1", "C2"], "event_type": ["contact", "cla", "referral"],
    ...                    "start_date": ["2006-01-01", "2006-03-02", "2010-01-01"]})
    >>> c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    >>> child_escalation(c, ["C1", "C2"])[["child_id", "escalation_type", "escalated", "days_to_escalation"]].values.tolist()
    [['C1', 'cla', 1, 60], ['C2', <NA>, 0, 2981]]
    """
    ids = _child_ids(children)
    n = len(ids)
    # Integer child positions (cix) instead of text ids: grouping and sorting on integers.
    ev = _events_of(cohort.events, ids, dated=True, columns=["event_type", "start_date"],
                    positions_as="cix")
    first = ev.groupby("cix")["start_date"].min().reindex(np.arange(n))

    persons = cohort.persons.drop_duplicates("person_id").set_index("person_id")
    dob = persons["dob"].reindex(ids)
    death = persons["death_date"].reindex(ids)
    limits = pd.DataFrame({
        "audit": pd.Series(cohort.audit_date, index=ids).astype("datetime64[ns]"),
        "adult": birthday(dob, adult_age_years),
        "death": death.astype("datetime64[ns]"),
    })
    censor = limits.min(axis=1, skipna=True).astype("datetime64[ns]")

    esc = ev[ev["event_type"].isin(list(escalation_types))]
    esc = esc[esc["start_date"].to_numpy() <= censor.to_numpy()[esc["cix"].to_numpy()]]
    rank = {t: i for i, t in enumerate(escalation_types)}
    # No event-id tie-break needed: tied rows share the date and type, all that is kept.
    esc = esc.assign(_rank=esc["event_type"].map(rank)).sort_values(
        ["cix", "start_date", "_rank"], kind="stable").drop_duplicates("cix")
    esc = esc.set_index("cix")

    out = pd.DataFrame(index=ids)
    out["first_involvement_date"] = first.to_numpy().astype("datetime64[ns]")
    out["escalation_date"] = esc["start_date"].reindex(np.arange(n)).to_numpy().astype("datetime64[ns]")
    out["escalation_type"] = pd.array(esc["event_type"].reindex(np.arange(n)).array, dtype="string")
    out["escalated"] = out["escalation_date"].notna().astype("int64")
    involved = out["first_involvement_date"].notna()
    out["censor_date"] = censor.where(involved)
    end = out["escalation_date"].fillna(out["censor_date"])
    days = (end - out["first_involvement_date"]).dt.days
    out["days_to_escalation"] = days.where(days >= 0).astype("Int64")
    return out.rename_axis("child_id").reset_index()[list(ESCALATION_COLUMNS)]


def older_sibling_escalation(members: pd.DataFrame, child_esc: pd.DataFrame) -> pd.Series:
    """Per child: earliest escalation date of any strictly older sibling (earlier dob) in any
    of its groups; NaT where none escalated. Indexed by child_id.

    ``child_esc`` needs ``child_id`` and ``escalation_date``; any per-child date can be passed
    under that name (e.g. the first CP plan start, as :mod:`neglect_analysis.findings` does).
    Twins (same dob) are not older than each other.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "C"],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2003-01-01", "2003-01-01"])})
    >>> esc = pd.DataFrame({"child_id": ["A", "B"], "escalation_date": pd.to_datetime(["2004-05-01", "2002-01-01"])})
    >>> older_sibling_escalation(m, esc).dt.strftime("%Y-%m-%d").fillna("").to_dict()
    {'A': '', 'B': '2004-05-01', 'C': '2004-05-01'}
    """
    m = members[["parent_id", "child_id", "dob"]].drop_duplicates(["parent_id", "child_id"])
    m = m.merge(child_esc[["child_id", "escalation_date"]], on="child_id", how="left")
    # Earliest escalation per (group, dob): twins share a dob and are not older than each other.
    by_dob = (m.assign(esc=m["escalation_date"].fillna(_MAX_DATE))
              .groupby(["parent_id", "dob"], sort=True)["esc"].min().reset_index())
    running = by_dob.groupby("parent_id")["esc"].cummin()
    by_dob["older_esc"] = running.groupby(by_dob["parent_id"]).shift()
    m = m.merge(by_dob[["parent_id", "dob", "older_esc"]], on=["parent_id", "dob"], how="left")
    s = m.groupby("child_id")["older_esc"].min()
    return s.where(s < _MAX_DATE).astype("datetime64[ns]")


def family_signal(members: pd.DataFrame, child_esc: pd.DataFrame) -> pd.DataFrame:
    """Family signal day F and lead time per child (DESIGN.md "Earlier identification").

    F = the later of the child's first involvement and the earliest escalation of any older
    sibling (earlier dob, in any sibling group the child belongs to; twins with the same dob
    are not older). F is empty where no older sibling escalated, where the child has no
    involvement, and, for a child who escalated on day E, where no older sibling escalated on
    or before E (the earliest older-sibling escalation is after E). Where F < E,
    ``lead_time_days`` = E - F; otherwise empty (same-day escalations give none).

    Parameters
    ----------
    members : ``siblings.members`` output.
    child_esc : :func:`child_escalation` output covering every child in ``members`` (a
        sibling missing from it counts as not escalated).

    Returns
    -------
    DataFrame
        One row per child of ``child_esc``, sorted: ``child_id``, ``family_signal_date``,
        ``lead_time_days`` (Int64), ``older_sibling_escalation_date`` (the earliest older
        sibling escalation, whatever the child's own history; NaT where none).

    Examples
    --------
    >>> members = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"],
    ...                         "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> esc = pd.DataFrame({"child_id": ["A", "B"],
    ...                     "first_involvement_date": pd.to_datetime(["2001-01-01", "2005-02-01"]),
    ...                     "escalation_date": pd.to_datetime(["2003-01-01", "2006-02-01"])})
    >>> family_signal(members, esc)[["child_id", "lead_time_days"]].values.tolist()
    [['A', <NA>], ['B', 365]]
    """
    ce = child_esc.drop_duplicates("child_id").set_index("child_id").sort_index()
    older = older_sibling_escalation(members, child_esc).reindex(ce.index)
    first = ce["first_involvement_date"]
    esc = ce["escalation_date"]
    signal = first.where(first >= older, older).where(first.notna() & older.notna())
    signal = signal.where(~(esc.notna() & (older > esc)))
    lead = (esc - signal).dt.days
    out = pd.DataFrame({
        "family_signal_date": signal.astype("datetime64[ns]"),
        "lead_time_days": lead.where(lead > 0).astype("Int64"),
        "older_sibling_escalation_date": older.astype("datetime64[ns]"),
    }, index=ce.index)
    return out.rename_axis("child_id").reset_index()


def look_now(child_esc: pd.DataFrame, signal: pd.DataFrame, *,
             audit_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Children with a family signal day but no escalation: ones to look at now.

    DESIGN.md "Earlier identification": a child with F but no escalation. With
    ``audit_date`` given, only children still followed at the audit date (censor date equal
    to the audit date: under 18 and alive) are kept.

    Returns
    -------
    DataFrame
        ``child_id``, ``family_signal_date``, ``censor_date``, ``days_since_signal`` (censor
        date minus F, Int64), sorted by ``child_id``.

    Examples
    --------
    >>> esc = pd.DataFrame({"child_id": ["A", "B"], "escalated": [1, 0],
    ...                     "censor_date": pd.to_datetime(["2018-07-31", "2018-07-31"])})
    >>> sig = pd.DataFrame({"child_id": ["A", "B"], "family_signal_date": pd.to_datetime([None, "2018-01-31"])})
    >>> look_now(esc, sig)[["child_id", "days_since_signal"]].values.tolist()
    [['B', 181]]
    """
    x = signal[["child_id", "family_signal_date"]].merge(
        child_esc[["child_id", "escalated", "censor_date"]], on="child_id", how="inner")
    x = x[x["family_signal_date"].notna() & (x["escalated"] == 0)]
    if audit_date is not None:
        x = x[x["censor_date"] == pd.Timestamp(audit_date)]
    x = x.assign(days_since_signal=(x["censor_date"] - x["family_signal_date"]).dt.days.astype("Int64"))
    return x.sort_values("child_id").reset_index(drop=True)[
        ["child_id", "family_signal_date", "censor_date", "days_since_signal"]]


#: Group pairs compared by :func:`logrank_tests`.
COMPARISONS: tuple[tuple[str, str], ...] = (
    ("eldest", "younger"),
    ("born_before_sibling_escalation", "born_after_sibling_escalation"),
)


def km_groups(child_esc: pd.DataFrame, members: pd.DataFrame, signal: pd.DataFrame) -> pd.DataFrame:
    """Long table of each child's time-to-escalation group memberships.

    Groups (a child appears once in ``all`` and at most once in each pair):

    - ``all``: distinct children of ``members`` with a ``days_to_escalation`` (involvement).
    - ``eldest`` / ``younger``: choice: ``eldest`` when the child is birth order 1 in any of
      its sibling groups, else ``younger``.
    - ``born_before_sibling_escalation`` / ``born_after_sibling_escalation``: dob before, or on
      or after (choice: born on the day counts as after), the earliest escalation of any older
      sibling (``older_sibling_escalation_date`` of :func:`family_signal`); children with no
      escalated older sibling are in neither.

    Returns
    -------
    DataFrame
        ``child_id``, ``group``, ``days``, ``event`` (bool).

    Examples
    --------
    >>> members = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                         "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> esc = pd.DataFrame({"child_id": ["A", "B"], "days_to_escalation": [700, 30], "escalated": [1, 0]})
    >>> sig = pd.DataFrame({"child_id": ["A", "B"],
    ...                     "older_sibling_escalation_date": pd.to_datetime([None, "2002-01-01"])})
    >>> km_groups(esc, members, sig)["group"].tolist()
    ['all', 'all', 'eldest', 'younger', 'born_after_sibling_escalation']
    """
    kids = members.groupby("child_id").agg(dob=("dob", "first"), order=("birth_order", "min"))
    ce = child_esc.drop_duplicates("child_id").set_index("child_id")
    base = kids.join(ce[["days_to_escalation", "escalated"]], how="inner")
    base = base[base["days_to_escalation"].notna()]
    base = base.join(signal.drop_duplicates("child_id").set_index("child_id")[
        ["older_sibling_escalation_date"]], how="left")
    base["days"] = base["days_to_escalation"].astype("int64")
    base["event"] = base["escalated"].astype(bool)
    s = base["older_sibling_escalation_date"]
    order_group = np.where(base["order"] == 1, "eldest", "younger")
    born = pd.Series(pd.NA, index=base.index, dtype="string")
    born = born.mask(s.notna() & (base["dob"] < s), "born_before_sibling_escalation")
    born = born.mask(s.notna() & (base["dob"] >= s), "born_after_sibling_escalation")
    parts = [
        base.assign(group="all"),
        base.assign(group=order_group),
        base.assign(group=born).dropna(subset=["group"]),
    ]
    out = pd.concat(parts).rename_axis("child_id").reset_index()
    out["group"] = out["group"].astype("string")
    return out[["child_id", "group", "days", "event"]]


def km_time_to_escalation(child_esc: pd.DataFrame, members: pd.DataFrame,
                          signal: pd.DataFrame, *, confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier time to escalation, stacked by group (DESIGN.md "Escalation").

    Groups as in :func:`km_groups`; estimates by :func:`survival.kaplan_meier` (one row per
    group and event time). Writes ``km_time_to_escalation.csv``'s columns.

    Returns
    -------
    DataFrame
        :data:`survival.KM_COLUMNS`: ``group``, ``days``, ``survival``, ``ci_lower``,
        ``ci_upper``, ``at_risk``, ``events``.

    Examples
    --------
    >>> members = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "birth_order": [1, 2],
    ...                         "dob": pd.to_datetime(["2000-01-01", "2005-01-01"])})
    >>> esc = pd.DataFrame({"child_id": ["A", "B"], "days_to_escalation": [700, 30], "escalated": [1, 0]})
    >>> sig = pd.DataFrame({"child_id": ["A", "B"], "older_sibling_escalation_date": pd.NaT})
    >>> km_time_to_escalation(esc, members, sig)[["group", "days", "survival", "at_risk"]].values.tolist()
    [['all', 700, 0.0, 1], ['eldest', 700, 0.0, 1]]
    """
    long = km_groups(child_esc, members, signal)
    frames = [
        kaplan_meier(g["days"], g["event"], group=name, confidence_level=confidence_level)
        for name, g in long.groupby("group", sort=False)
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in KM_COLUMNS.items()})
    return pd.concat(frames, ignore_index=True)


def logrank_tests(child_esc: pd.DataFrame, members: pd.DataFrame,
                  signal: pd.DataFrame) -> pd.DataFrame:
    """Log-rank comparisons of time to escalation, one row per pair in :data:`COMPARISONS`.

    Returns
    -------
    DataFrame
        ``group_1``, ``group_2`` and the :func:`survival.logrank` columns (``n_1``, ``n_2``,
        ``events_1``, ``events_2``, ``statistic``, ``p_value``).

    Examples
    --------
    >>> members = pd.DataFrame({"parent_id": "M", "child_id": list("ABCD"), "birth_order": [1, 2, 3, 4],
    ...                         "dob": pd.to_datetime(["1990-01-01", "1995-01-01", "2000-01-01", "2005-01-01"])})
    >>> esc = pd.DataFrame({"child_id": list("ABCD"), "days_to_escalation": [700, 30, 50, 90],
    ...                     "escalated": [1, 1, 0, 1]})
    >>> sig = pd.DataFrame({"child_id": list("ABCD"), "older_sibling_escalation_date": pd.NaT})
    >>> logrank_tests(esc, members, sig)[["group_1", "n_1", "n_2"]].values.tolist()
    [['eldest', 1, 3], ['born_before_sibling_escalation', 0, 0]]
    """
    long = km_groups(child_esc, members, signal)
    rows = []
    for g1, g2 in COMPARISONS:
        a, b = long[long["group"] == g1], long[long["group"] == g2]
        res = logrank(a["days"], a["event"], b["days"], b["event"])
        rows.append(res.assign(group_1=g1, group_2=g2))
    out = pd.concat(rows, ignore_index=True)
    return out[["group_1", "group_2"] + [c for c in out.columns if c not in ("group_1", "group_2")]]
