"""Lists for action: children to look at now, paper files to request and other authorities to
ask for background.

The briefing asks practitioners to "request the paper files where this is not on ICS" (point 3)
and, "where a child has been out of the Local Authority, ... actively seek background from
that Local Authority area" (point 4). These functions turn both into lists, one row per child
and index parent (a child in two sibling groups appears under each parent, with
``n_index_parents`` 2), sorted deterministically.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .chronology import service_episodes
from .flags import other_la_evidence
from .cohort import Cohort
from .family import Family
from .idsets import isin, positions
from .definitions import DAYS_PER_YEAR, DEFAULTS, Definitions
from .escalation import look_now
from .labels import event_type_list_words
from .siblings import join_groups, older_sibling_pairs
from .timescale import moved_out_dates, moved_out_on

#: Row order of :func:`paper_file_requests` (also used to combine family partitions).
PAPER_REQUEST_ORDER: tuple[str, ...] = ("parent_id", "birth_order", "child_id")
#: Row order of :func:`background_requests`.
BACKGROUND_REQUEST_ORDER: tuple[str, ...] = ("parent_id", "first_other_la_date", "child_id")
#: Row order of :func:`look_now_list`: the most recent signal first.
LOOK_NOW_ORDER: tuple[str, ...] = ("days_since_signal", "child_id")
#: Columns of :func:`look_now_list`: those of :func:`neglect_analysis.escalation.look_now`
#: first, then who, why and where things stand.
LOOK_NOW_COLUMNS: tuple[str, ...] = (
    "child_id", "family_signal_date", "censor_date", "days_since_signal",
    "parent_id", "dob", "age_days", "age_years",
    "signal_sibling_id", "signal_event_type", "signal_event_date", "reason",
    "open_services_now", "moved_away", "moved_away_date",
)


def moved_away_dates(
    cohort: Cohort,
    children: pd.Series | pd.Index | list,
    *,
    definitions: Definitions = DEFAULTS,
    moved: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The day each child moved away, where it did (DESIGN.md "Moving away"), for the lists
    for action: :func:`neglect_analysis.timescale.moved_out_dates`, the one definition (the
    same date censors time to escalation), with a 0/1 flag.

    A child moved away on the close date of a CIN episode (referral) closed with a reason in
    ``definitions.moved_away_close_reasons`` (RC5: transferred to another authority), or the
    end date of an early-help episode whose end reason contains one of
    ``definitions.moved_away_eh_patterns`` (``moved``, case-insensitive), unless the child has
    an event of this authority starting after that day; of several such days, the earliest.

    ``moved``: :func:`~neglect_analysis.timescale.moved_out_dates` of (at least) these
    children, as a run computes it once; computed here when None.

    Returns one row per distinct child, sorted by id: ``child_id``, ``moved_away`` (0/1),
    ``moved_away_date`` (NaT where it did not move away).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["A", "B", "C"]})
    >>> ev = pd.DataFrame({"person_id": ["A", "B", "B", "C"],
    ...                    "event_type": ["referral", "early_help", "contact", "referral"],
    ...                    "start_date": ["2015-01-01", "2015-01-01", "2016-03-01", "2015-01-01"],
    ...                    "end_date": ["2015-06-01", "2016-01-01", None, "2015-06-01"],
    ...                    "outcome": ["RC5", "Family moved out of area", None, "RC8"]})
    >>> c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    >>> m = moved_away_dates(c, ["A", "B", "C"])
    >>> m["moved_away"].tolist(), str(m.loc[0, "moved_away_date"].date())
    ([1, 0, 0], '2015-06-01')
    """
    ids = pd.Series(pd.Series(children).astype("string").dropna().unique(), dtype="string")
    ids = ids.sort_values(ignore_index=True)
    if moved is None:
        moved = moved_out_dates(cohort, ids, definitions=definitions)
    date = pd.Series(moved_out_on(moved, ids))
    return pd.DataFrame({
        "child_id": ids,
        "moved_away": date.notna().astype("int64"),
        "moved_away_date": date,
    })


def look_now_list(
    cohort: Cohort,
    members: pd.DataFrame | Family,
    child_esc: pd.DataFrame,
    signal: pd.DataFrame,
    *,
    definitions: Definitions = DEFAULTS,
    moved: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Children to look at now, with what a team needs to act: who, why, since when, where
    things stand.

    The children are those of :func:`neglect_analysis.escalation.look_now` (DESIGN.md
    "Earlier identification": a family signal day F but no escalation, still followed at the
    audit date), one row per child, with its columns first. Added:

    - ``parent_id``: the child's index parents (``;``-joined when several);
    - ``dob``, ``age_days`` (audit date - dob) and ``age_years`` (completed years at the audit
      date);
    - ``signal_sibling_id``, ``signal_event_type``, ``signal_event_date``: the older
      sibling(s) whose escalation gave the signal (the earliest escalation of a sibling with
      an earlier dob in any of the child's groups; ``;``-joined if several on that day), its
      type (``cp_plan``, ``cla``, ``care_proceedings``) and date. F is the later of that date
      and the child's first involvement;
    - ``reason``: the same in words, e.g. "older sibling B: Child protection plan from
      2014-05-02";
    - ``open_services_now``: services the child is open to on the audit date (CLA, CP plan,
      CIN, early help: :func:`neglect_analysis.chronology.service_episodes`), ``", "``-joined,
      ``"none"`` when none;
    - ``moved_away`` (0/1) and ``moved_away_date``: :func:`moved_away_dates` (from ``moved``,
      the run's :func:`~neglect_analysis.timescale.moved_out_dates`, when given).

    ``members``: :func:`neglect_analysis.siblings.members` output, or the run's
    :class:`~neglect_analysis.family.Family` (its older-sibling pairs made once).

    Order: the most recent signal first (:data:`LOOK_NOW_ORDER`: ``days_since_signal`` ascending,
    then child id). The report's ``look_now.csv`` is this list ranked by the backtested PPV of
    the rule that flags each child (:func:`neglect_analysis.backtest.rank_look_now`, which
    keeps this order among equal PPVs).

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> from neglect_analysis.escalation import child_escalation, family_signal
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1980-01-01", "2005-03-01", "2010-06-15"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> ev = pd.DataFrame({"person_id": ["A", "B"], "event_type": ["cp_plan", "contact"],
    ...                    "start_date": ["2016-01-10", "2015-01-01"], "end_date": ["2017-01-10", None]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=ev, audit_date="2018-07-31")
    >>> m = members(c, ["M"])
    >>> esc = child_escalation(c, m)
    >>> ln = look_now_list(c, m, esc, family_signal(m, esc))
    >>> ln[["child_id", "parent_id", "age_years", "signal_sibling_id", "days_since_signal"]].values.tolist()
    [['B', 'M', 8, 'A', 933]]
    >>> ln.loc[0, "reason"]
    'older sibling A: Child protection plan from 2016-01-10'
    """
    family = members if isinstance(members, Family) else None
    members = family.members if family is not None else members
    base = look_now(child_esc, signal, audit_date=cohort.audit_date)
    base["child_id"] = base["child_id"].astype("string")
    audit = cohort.audit_date
    kids = base["child_id"]

    m = members[["parent_id", "child_id", "dob"]].astype({"parent_id": "string", "child_id": "string"})
    mine = m[isin(m["child_id"], kids)].sort_values(["child_id", "parent_id"], kind="stable")
    parents = join_groups(mine.drop_duplicates(["child_id", "parent_id"]), ["child_id"], "parent_id", ";")
    dob = mine.drop_duplicates("child_id").set_index("child_id")["dob"]

    # The older sibling(s) whose escalation is the child's earliest older-sibling escalation.
    esc = child_esc[["child_id", "escalation_date", "escalation_type"]].astype({"child_id": "string"})
    older_esc = signal[["child_id", "older_sibling_escalation_date"]].astype({"child_id": "string"})
    # These children's (child, older sibling) pairs (siblings.older_sibling_pairs, the one
    # definition; the run's, made once, when given a Family), picked by code.
    pairs = family.older_sibling_pairs if family is not None else older_sibling_pairs(members)
    cats = pairs["child_id"].cat.categories
    at = positions(kids, cats)
    wanted = np.zeros(len(cats) + 1, dtype=bool)
    wanted[at[at >= 0]] = True
    pairs = pairs[wanted[pairs["child_id"].cat.codes.to_numpy()]].astype("string")
    sibling_dob = m.drop_duplicates("child_id").rename(columns={"child_id": "sibling_id", "dob": "sibling_dob"})
    pairs = pairs.merge(sibling_dob[["sibling_id", "sibling_dob"]], on="sibling_id")
    pairs = pairs.merge(esc.rename(columns={"child_id": "sibling_id"}), on="sibling_id")
    pairs = pairs.merge(older_esc, on="child_id")
    pairs = pairs[pairs["escalation_date"] == pairs["older_sibling_escalation_date"]]
    pairs = pairs.drop_duplicates(["child_id", "sibling_id"]).sort_values(
        ["child_id", "sibling_dob", "sibling_id"], kind="stable")
    # joined per child without a Python join per group (join_groups); types distinct, in order
    sib_ids = join_groups(pairs, ["child_id"], "sibling_id", "; ")
    sib_types = join_groups(pairs.drop_duplicates(["child_id", "escalation_type"]), ["child_id"],
                            "escalation_type", "; ")
    sib_date = pairs.groupby("child_id", sort=False)["escalation_date"].first()

    # Services open on the audit date.
    ep = service_episodes(cohort.events[isin(cohort.events["person_id"], kids)], audit)
    ep = ep[(ep["start"] <= audit) & (audit <= ep["stop"])].astype({"child_id": "string"})
    ep = ep.drop_duplicates(["child_id", "service_rank"]).sort_values(["child_id", "service_rank"])
    services = join_groups(ep, ["child_id"], "label", ", ")

    moved = moved_away_dates(cohort, kids, definitions=definitions, moved=moved).set_index("child_id")

    out = base.copy()
    out["parent_id"] = _text_by_child(kids, parents)
    out["dob"] = _by_child(kids, dob)
    out["age_days"] = (audit - out["dob"]).dt.days.astype("Int64")
    d = out["dob"]
    before_birthday = (d.dt.month > audit.month) | ((d.dt.month == audit.month) & (d.dt.day > audit.day))
    out["age_years"] = (audit.year - d.dt.year - before_birthday.astype("int64")).astype("Int64")
    out["signal_sibling_id"] = _text_by_child(kids, sib_ids)
    out["signal_event_type"] = _text_by_child(kids, sib_types)
    out["signal_event_date"] = _by_child(kids, sib_date)
    words = event_type_list_words(out["signal_event_type"])
    out["reason"] = ("older sibling " + out["signal_sibling_id"] + ": " + words
                     + " from " + out["signal_event_date"].dt.strftime("%Y-%m-%d")).astype("string")
    out["open_services_now"] = _text_by_child(kids, services).fillna("none")
    out["moved_away"] = pd.Series(moved["moved_away"].reindex(pd.Index(kids)).fillna(0).astype("int64").to_numpy(), index=kids.index)
    out["moved_away_date"] = _by_child(kids, moved["moved_away_date"])

    out = out.sort_values(list(LOOK_NOW_ORDER), kind="stable").reset_index(drop=True)
    return out[list(LOOK_NOW_COLUMNS)]


def paper_file_requests(
    cohort: Cohort,
    members: pd.DataFrame,
    *,
    ics_start_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Children whose childhood began before the case system and who have no paper records yet.

    Implements DESIGN.md "Pre-ICS history" / "Pre-ICS childhood": a child born before
    ``ics_start_date`` (default ``cohort.ics_start_date``) has history that is not in the
    extract; it is listed until ``paper_records`` hold at least one row for it (any event of
    the child with ``source == "paper"``). Adult children are listed too: their early
    history matters to their younger siblings.

    Columns: ``child_id``, ``parent_id``, ``dob``, ``years_before_ics`` ((ICS start - dob)
    days / 365.25, unrounded), ``birth_order``, ``n_index_parents``. Sorted by parent, birth
    order, child id.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B", "C"],
    ...                         "dob": ["1970-01-01", "1999-04-01", "2003-04-01", "2010-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "C"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["B"], "event_type": ["paper"], "start_date": ["2005-01-01"],
    ...                        "source": ["paper"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> paper_file_requests(c, members(c, ["M"]))[["child_id", "years_before_ics"]].round(2).values.tolist()
    [['A', 10.0]]
    """
    start = cohort.ics_start_date if ics_start_date is None else pd.Timestamp(ics_start_date).normalize()
    ev = cohort.events
    has_paper = ev.loc[ev["source"] == "paper", "person_id"]
    m = members[(members["dob"] < start) & ~isin(members["child_id"], has_paper)]
    out = pd.DataFrame(
        {
            "child_id": m["child_id"],
            "parent_id": m["parent_id"],
            "dob": m["dob"],
            "years_before_ics": (start - m["dob"]).dt.days / DAYS_PER_YEAR,
            "birth_order": m["birth_order"],
            "n_index_parents": m["n_index_parents"],
        }
    )
    return out.sort_values(list(PAPER_REQUEST_ORDER), kind="stable").reset_index(drop=True)


def background_requests(cohort: Cohort, members: pd.DataFrame) -> pd.DataFrame:
    """Children with other-authority history, whose background should be sought from that LA.

    Implements DESIGN.md "Other LA": evidence is an ICPC marked transfer-in or a CP plan
    marked other-LA (``events.other_la`` on an ``icpc`` / ``cp_plan`` event), or a paper
    record of another authority (:func:`~neglect_analysis.flags.other_la_evidence`). One row per child with evidence and index
    parent. Columns: ``child_id``, ``parent_id``, ``first_other_la_date`` (earliest evidence
    start date), ``evidence`` (evidence kinds of
    :data:`~neglect_analysis.codes.OTHER_LA_EVIDENCE` or ``paper_other_la``, sorted, joined by ``;``, e.g.
    ``"cp_plan_other_la;icpc_transfer_in"``), ``n_evidence_events``,
    ``n_family_children_other_la`` (children of the same index parent with evidence: the
    family-level view), ``n_index_parents``. Sorted by parent, first date, child id.

    Examples
    --------
    >>> from neglect_analysis.siblings import members
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "2001-01-01", "2005-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> events = pd.DataFrame({"person_id": ["A", "A"], "event_type": ["cp_plan", "icpc"],
    ...                        "start_date": ["2012-02-01", "2012-01-20"], "other_la": [True, True]})
    >>> c = Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")
    >>> b = background_requests(c, members(c, ["M"]))
    >>> b[["child_id", "evidence", "n_evidence_events"]].values.tolist()
    [['A', 'cp_plan_other_la;icpc_transfer_in', 2]]
    >>> b.loc[0, "first_other_la_date"].date().isoformat()
    '2012-01-20'
    """
    ev = other_la_evidence(cohort.events)
    # Grouped by person code (codes sort as the ids; a groupby on the categorical itself
    # would handle every person of the Cohort), ids as text once per child.
    code = ev["person_id"].cat.codes.to_numpy()
    ev = ev[code >= 0].assign(person_id=code[code >= 0])
    per_child = ev.groupby("person_id").agg(
        first_other_la_date=("start_date", "min"),
        n_evidence_events=("event_id", "size"),
    )
    per_child.insert(1, "evidence", _evidence_kinds(ev).reindex(per_child.index))
    per_child.index = pd.Index(cohort.person_dtype.categories.take(per_child.index.to_numpy()),
                               dtype="string", name="person_id")
    m = members[isin(members["child_id"], per_child.index)]
    out = m[["child_id", "parent_id", "n_index_parents"]].merge(
        per_child, left_on="child_id", right_index=True, how="left"
    )
    out["n_family_children_other_la"] = out.groupby("parent_id")["child_id"].transform("nunique").astype("int64")
    out["n_evidence_events"] = out["n_evidence_events"].astype("int64")
    out["evidence"] = out["evidence"].astype("string")
    cols = ["child_id", "parent_id", "first_other_la_date", "evidence", "n_evidence_events",
            "n_family_children_other_la", "n_index_parents"]
    return out[cols].sort_values(list(BACKGROUND_REQUEST_ORDER), kind="stable").reset_index(drop=True)


def _text_by_child(kids: pd.Series, text: pd.Series) -> pd.Series:
    """``text`` (indexed by child id) for each of ``kids``, as strings (NA where none)."""
    t = pd.Series(text, dtype="string")
    t.index = t.index.astype("string")
    return pd.Series(t.reindex(pd.Index(kids)).array, index=kids.index, dtype="string")


def _by_child(kids: pd.Series, dates: pd.Series) -> pd.Series:
    """``dates`` (indexed by child id) for each of ``kids``, datetime64 (NaT where none)."""
    d = pd.Series(dates).astype("datetime64[ns]")
    d.index = d.index.astype("string")
    d = d[~d.index.duplicated()]
    return pd.Series(d.reindex(pd.Index(kids)).to_numpy(), index=kids.index, dtype="datetime64[ns]")


def _evidence_kinds(ev: pd.DataFrame) -> pd.Series:
    """Per person: the distinct ``evidence`` kinds of its rows, sorted, joined by ``;``.

    Vectorised: one pass per kind (a handful), not a Python join per person.
    """
    has = ev.groupby(["person_id", "evidence"]).size().unstack("evidence", fill_value=0) > 0
    text = pd.Series("", index=has.index, dtype="string")
    for kind in sorted(has.columns):
        text = text.where(~has[kind], text.where(text == "", text + ";") + kind)
    return text
