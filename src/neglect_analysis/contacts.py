"""Themes across a child's contacts: who raised the concerns, and advice given (point 4).

Each a pure function of a :class:`~neglect_analysis.cohort.Cohort` and the children (ids or the
sibling-group ``members`` table), vectorised over the contacts.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from .codes import CONTACT_SOURCES, NOT_RECORDED
from .cohort import Cohort
from .family import events_of
from .recurrence import has_flag


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
