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
from .idsets import positions, used_codes
from .ages import birthday
from .days import whole_days
from .definitions import DEFAULTS, Definitions
from .family import ChildEvents, Family
from .siblings import eldest, older_sibling_pairs
from .timescale import moved_out_dates, moved_out_on
from .survival import KM_COLUMNS, kaplan_meier, logrank

#: Columns of :func:`child_escalation`.
ESCALATION_COLUMNS: tuple[str, ...] = (
    "child_id", "first_involvement_date", "escalation_date", "escalation_type", "escalated",
    "censor_date", "days_to_escalation", "escalated_while_followed",
)

_MAX_DATE = pd.Timestamp("2262-01-01")


def child_escalation(
    cohort: Cohort,
    children: Iterable[str] | pd.Series | pd.Index | pd.DataFrame | ChildEvents | Family,
    *,
    escalation_types: tuple[str, ...] = ESCALATION_TYPES,
    definitions: Definitions = DEFAULTS,
    moved: pd.DataFrame | None = None,
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
    - Moving away (DESIGN.md "Moving away", :func:`neglect_analysis.timescale.moved_out_dates`,
      the one definition) ends the follow-up: ``escalated_while_followed`` is 1 when the child
      escalated on or before the day it moved away (or never moved), else 0. Choice: an
      escalation after the move (recorded by another authority) stays ``escalated`` (it is
      history, e.g. for the family signal) but is censored at the move, as on the age scale.
    - ``days_to_escalation``: escalation minus first involvement if escalated while followed,
      else the earliest of the censor date and the move, minus first involvement.

    ``children``: ids, a table with ``child_id``, or the children and their events already
    selected (:class:`~neglect_analysis.family.ChildEvents`, as the report passes them once
    per run). ``definitions.adult_age_years`` (18) sets the birthday that ends childhood.
    ``moved``: the move dates of the children (:func:`neglect_analysis.timescale.moved_out_dates`,
    as the report computes them once per run); computed here when None.

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

    Moving away: C2's CIN episode closes RC5 (transferred) on 2012-01-01, nothing after it:
    censored there, 730 days after its first involvement.

    >>> ev2 = pd.DataFrame({"person_id": ["C2"], "event_type": ["referral"], "start_date": ["2010-01-01"],
    ...                     "end_date": ["2012-01-01"], "outcome": ["RC5"]})
    >>> c2 = Cohort.from_frames(persons=persons, events=ev2, audit_date="2018-07-31")
    >>> child_escalation(c2, ["C2"])[["escalated", "days_to_escalation", "escalated_while_followed"]].values.tolist()
    [[0, 730, 0]]
    """
    kids = ChildEvents.of(cohort, children)
    adult_age_years = definitions.adult_age_years
    ids, n = kids.ids, len(kids.ids)
    # NumPy arrays by child position (cix): no index alignment on text ids.
    ev = kids.events
    cix, start = ev["cix"].to_numpy(), ev["start_date"].to_numpy().astype("datetime64[ns]")
    dated = ~np.isnat(start)
    never = np.iinfo(np.int64).max
    first = np.full(n, never)
    np.minimum.at(first, cix[dated], start[dated].view("int64"))  # earliest start per child
    first = np.where(first == never, np.datetime64("NaT"), first.view("datetime64[ns]"))

    persons = cohort.persons
    at = positions(pd.Series(ids), persons["person_id"])  # first row of each child, -1: none
    dob = pd.Series(persons["dob"].array.take(at, allow_fill=True))
    death = persons["death_date"].array.take(at, allow_fill=True).to_numpy().astype("datetime64[ns]")
    adult = birthday(dob, adult_age_years).to_numpy()
    audit = np.full(n, np.datetime64(cohort.audit_date, "ns"))
    censor = np.fmin(np.fmin(audit, adult), death)  # the earliest; a missing date is skipped

    rank = np.full(len(ev), -1)
    for i, t in enumerate(escalation_types):
        rank[(ev["event_type"] == t).to_numpy(dtype=bool, na_value=False)] = i
    esc = np.flatnonzero((rank >= 0) & dated)
    esc = esc[start[esc] <= censor[cix[esc]]]
    # The first per child by date, then by the order of ``escalation_types``. No event-id
    # tie-break needed: tied rows share the date and type, all that is kept.
    esc = esc[np.lexsort((rank[esc], start[esc].view("int64"), cix[esc]))]
    esc = esc[np.r_[True, cix[esc][1:] != cix[esc][:-1]]] if len(esc) else esc
    esc_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    esc_date[cix[esc]] = start[esc]
    esc_type = np.full(n, None, dtype=object)
    esc_type[cix[esc]] = np.asarray(escalation_types, dtype=object)[rank[esc]]

    involved = ~np.isnat(first)
    censor = np.where(involved, censor, np.datetime64("NaT"))
    if moved is None:
        moved = moved_out_dates(cohort, kids, definitions=definitions)
    moved = moved_out_on(moved, ids)  # in kids.ids order
    followed = ~np.isnat(esc_date) & (np.isnat(moved) | (esc_date <= moved))  # moved: kids.ids order
    days = whole_days(np.where(followed, esc_date, np.fmin(censor, moved)) - first)
    out = pd.DataFrame({
        "child_id": ids,
        "first_involvement_date": first,
        "escalation_date": esc_date,
        "escalation_type": pd.array(esc_type, dtype="string"),
        "escalated": (~np.isnat(esc_date)).astype("int64"),
        "censor_date": censor,
        "days_to_escalation": pd.Series(np.where(days >= 0, days, np.nan)).astype("Int64").array,
        "escalated_while_followed": followed.astype("int64"),
    })
    return out[list(ESCALATION_COLUMNS)]


def older_sibling_escalation(members: pd.DataFrame | Family, child_esc: pd.DataFrame) -> pd.Series:
    """Per child: earliest escalation date of any strictly older sibling (earlier dob) in any
    of its groups; NaT where none escalated. Indexed by child_id.

    ``members``: ``siblings.members`` output, or a :class:`~neglect_analysis.family.Family`
    (its older-sibling pairs made once for the run).

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
    family = members if isinstance(members, Family) else None
    m = (family.members if family is not None else members)[["parent_id", "child_id", "dob"]]
    m = m[(m["parent_id"].notna() & m["child_id"].notna()).to_numpy()]
    ce = child_esc[["child_id", "escalation_date"]]
    if not ce["child_id"].is_unique:  # the earliest date of a child given twice
        ce = ce.groupby("child_id", as_index=False, observed=True)["escalation_date"].min()
    never = _MAX_DATE.value
    # Every (child, older sibling) pair (siblings.older_sibling_pairs: the one definition),
    # coded: each child's date looked up once (by code), taken for its pairs by code, the
    # earliest per child by code. The pairs are made from these members, so they share their
    # codes (siblings.member_codes).
    pairs = family.older_sibling_pairs if family is not None else older_sibling_pairs(m)
    cats = pairs["child_id"].cat.categories
    # The members' children, sorted: the codes the members use (every category of text ids,
    # coded here; some of the Cohort's person dtype).
    if isinstance(m["child_id"].dtype, pd.CategoricalDtype):
        children = used_codes(m["child_id"].cat.codes.to_numpy(), len(cats))
    else:
        children = np.arange(len(cats))
    at = positions(pd.Series(cats.take(children)), ce["child_id"])  # each child's row in ``ce``
    date = ce["escalation_date"].array.take(at, allow_fill=True).to_numpy().astype("datetime64[ns]")
    date_of = np.full(len(cats), never)
    date_of[children] = np.where(np.isnat(date), never, date.view("int64"))
    per_code = np.full(len(cats), never)
    np.minimum.at(per_code, pairs["child_id"].cat.codes.to_numpy(), date_of[pairs["sibling_id"].cat.codes.to_numpy()])
    values = per_code[children]
    values = np.where(values < never, values.view("datetime64[ns]"), np.datetime64("NaT"))
    index = pd.Index(cats.take(children), dtype="string", name="child_id")
    return pd.Series(values, index=index, name="older_esc")


def family_signal(members: pd.DataFrame | Family, child_esc: pd.DataFrame) -> pd.DataFrame:
    """Family signal day F and lead time per child (DESIGN.md "Earlier identification").

    F = the later of the child's first involvement and the earliest escalation of any older
    sibling (earlier dob, in any sibling group the child belongs to; twins with the same dob
    are not older). F is empty where no older sibling escalated, where the child has no
    involvement, and, for a child who escalated on day E, where no older sibling escalated on
    or before E (the earliest older-sibling escalation is after E). Where F < E,
    ``lead_time_days`` = E - F; otherwise empty (same-day escalations give none).

    Parameters
    ----------
    members : ``siblings.members`` output, or a :class:`~neglect_analysis.family.Family`.
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
)


def km_groups(child_esc: pd.DataFrame, members: pd.DataFrame, signal: pd.DataFrame) -> pd.DataFrame:
    """Long table of each child's time-to-escalation group memberships.

    Groups (a child appears once in ``all`` and at most once in each pair):

    - ``all``: distinct children of ``members`` with a ``days_to_escalation`` (involvement).
    - ``eldest`` / ``younger``: choice: ``eldest`` when the child is birth order 1 in any of
      its sibling groups, else ``younger``.

    The former groups "born before / after an older sibling's escalation" used the future (a
    sibling's escalation after the child's own time zero) and are gone: the older sibling's
    escalation is a time-varying covariate on the record-aware age scale
    (:func:`neglect_analysis.timescale.escalation_intervals`). ``signal`` is no longer read.

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
    ['all', 'all', 'eldest', 'younger']
    """
    # One row per child (sorted ids), joined to the other tables by integer positions
    # (hashing the text ids once each) rather than by index joins on text.
    codes, child_ids = pd.factorize(members["child_id"], sort=True)
    known = codes >= 0
    kids = pd.DataFrame({"code": codes[known], "dob": members["dob"].to_numpy()[known]})
    kids = kids.groupby("code").agg(dob=("dob", "first"))
    kids["eldest"] = eldest(members).to_numpy()  # sorted child ids, as ``codes``
    # ``positions`` gives each child's first row: the row a ``drop_duplicates`` would keep.
    ce = child_esc
    at = positions(pd.Series(child_ids), ce["child_id"])
    days = ce["days_to_escalation"].array.take(at, allow_fill=True)
    keep = np.flatnonzero((at >= 0) & ~pd.isna(days))  # children with a time to escalation
    # the event: escalated while followed (not after moving away), where the table says it
    event = ce["escalated_while_followed" if "escalated_while_followed" in ce.columns else "escalated"]
    days, event = days[keep].astype("int64"), event.to_numpy()[at[keep]].astype(bool)
    first_born = kids["eldest"].to_numpy()[keep]
    order_group = np.where(first_born, "eldest", "younger")
    rows = np.concatenate([np.arange(len(keep)), np.arange(len(keep))])
    group = np.concatenate([np.full(len(keep), "all", dtype=object), order_group.astype(object)])
    return pd.DataFrame({
        "child_id": child_ids.take(keep).take(rows).array,
        "group": pd.array(group, dtype="string"),
        "days": days[rows],
        "event": event[rows],
    })


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
    return km_by_group(km_groups(child_esc, members, signal), confidence_level=confidence_level)


def km_by_group(long: pd.DataFrame, *, confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimates of the :func:`km_groups` table ``long``, stacked by group.

    :func:`km_time_to_escalation` is this of :func:`km_groups`; the report builds the groups
    once and calls this and :func:`logrank_by_pair` on them.

    Examples
    --------
    >>> long = pd.DataFrame({"group": "all", "days": [10, 20], "event": [True, False]})
    >>> km_by_group(long)[["group", "days", "survival", "at_risk"]].values.tolist()
    [['all', 10, 0.5, 2]]
    """
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
    [['eldest', 1, 3]]
    """
    return logrank_by_pair(km_groups(child_esc, members, signal))


def logrank_by_pair(long: pd.DataFrame) -> pd.DataFrame:
    """Log-rank tests of the :data:`COMPARISONS` in the :func:`km_groups` table ``long``
    (:func:`logrank_tests` is this of :func:`km_groups`).

    Examples
    --------
    >>> long = pd.DataFrame({"group": ["eldest", "younger"], "days": [10, 20], "event": [True, True]})
    >>> logrank_by_pair(long)[["group_1", "n_1", "n_2"]].values.tolist()
    [['eldest', 1, 1]]
    """
    rows = []
    for g1, g2 in COMPARISONS:
        a, b = long[long["group"] == g1], long[long["group"] == g2]
        res = logrank(a["days"], a["event"], b["days"], b["event"])
        rows.append(res.assign(group_1=g1, group_2=g2))
    out = pd.concat(rows, ignore_index=True)
    return out[["group_1", "group_2"] + [c for c in out.columns if c not in ("group_1", "group_2")]]
