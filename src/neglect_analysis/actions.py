"""Lists for action: paper files to request and other authorities to ask for background.

The briefing asks practitioners to "request the paper files where this is not on ICS" (point 3)
and, "where a child has been out of the Local Authority, ... actively seek background from
that Local Authority area" (point 4). These functions turn both into lists, one row per child
and index parent (a child in two sibling groups appears under each parent, with
``n_index_parents`` 2), sorted deterministically.
"""
from __future__ import annotations

import pandas as pd

from .flags import other_la_evidence
from .cohort import Cohort
from .idsets import isin
from .definitions import DAYS_PER_YEAR

#: Row order of :func:`paper_file_requests` (also used to combine family partitions).
PAPER_REQUEST_ORDER: tuple[str, ...] = ("parent_id", "birth_order", "child_id")
#: Row order of :func:`background_requests`.
BACKGROUND_REQUEST_ORDER: tuple[str, ...] = ("parent_id", "first_other_la_date", "child_id")


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
    per_child = ev.groupby("person_id").agg(
        first_other_la_date=("start_date", "min"),
        n_evidence_events=("event_id", "size"),
    )
    per_child.insert(1, "evidence", _evidence_kinds(ev).reindex(per_child.index))
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


def _evidence_kinds(ev: pd.DataFrame) -> pd.Series:
    """Per person: the distinct ``evidence`` kinds of its rows, sorted, joined by ``;``.

    Vectorised: one pass per kind (a handful), not a Python join per person.
    """
    has = ev.groupby(["person_id", "evidence"]).size().unstack("evidence", fill_value=0) > 0
    text = pd.Series("", index=has.index, dtype="string")
    for kind in sorted(has.columns):
        text = text.where(~has[kind], text.where(text == "", text + ";") + kind)
    return text
