"""Sibling groups: index-parent selection, group membership and birth order.

A sibling group is an index parent's linked children (full and half siblings), sorted by date
of birth with ties broken by child id. A child with two index parents belongs to both groups.
People with no date of birth (neither ``pers_dob`` nor ``pers_expected_dob``) are left out of
sibling groups; the loader reports them.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .cohort import Cohort

#: Defaults of the index-parent rule (DESIGN.md).
MIN_CHILDREN = 5
MIN_SPAN_YEARS = 10.0
DAYS_PER_YEAR = 365.25


def _parent_children(cohort: Cohort) -> pd.DataFrame:
    """Distinct (parent, child) pairs with the child's dob, children without dob left out."""
    links = cohort.links[["parent_id", "child_id"]].drop_duplicates()
    dob = cohort.persons[["person_id", "dob"]].rename(columns={"person_id": "child_id"})
    pc = links.merge(dob, on="child_id", how="inner")
    return pc[pc["dob"].notna()]


def index_parents(
    cohort: Cohort,
    *,
    ids: Iterable[str] | None = None,
    min_children: int = MIN_CHILDREN,
    min_span_years: float = MIN_SPAN_YEARS,
) -> pd.Index:
    """Ids of the index parents, sorted.

    Either the given ``ids`` (kept as given, in sorted order; each must be a parent in
    ``cohort.links``), or every parent with at least ``min_children`` linked children with a
    known dob and an age span (eldest minus youngest, in days / 365.25) of at least
    ``min_span_years`` years.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2001-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M"], "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> list(index_parents(c, min_children=2, min_span_years=10))
    ['M']
    >>> list(index_parents(c, min_children=3))
    []
    """
    if ids is not None:
        wanted = pd.Index(sorted({str(i) for i in ids}), name="parent_id")
        unknown = wanted.difference(pd.Index(cohort.links["parent_id"].dropna().unique()))
        if len(unknown):
            raise ValueError(
                "These index parents have no linked children in the extract: "
                + ", ".join(unknown[:10])
                + (" ..." if len(unknown) > 10 else "")
            )
        return wanted
    pc = _parent_children(cohort)
    g = pc.groupby("parent_id")["dob"].agg(["count", "min", "max"])
    span = (g["max"] - g["min"]).dt.days / DAYS_PER_YEAR
    keep = (g["count"] >= min_children) & (span >= min_span_years)
    return pd.Index(sorted(g.index[keep]), name="parent_id")


def members(cohort: Cohort, parents: Iterable[str] | pd.Index) -> pd.DataFrame:
    """One row per (index parent, child): the sibling groups.

    Columns: ``parent_id``, ``child_id``, ``dob``, ``birth_order`` (1 = eldest; dob order,
    ties by child id), ``age_days`` (audit date minus dob, also for a child who has died),
    ``n_index_parents`` (how many of the given index parents this child belongs to).
    Sorted by parent id and birth order.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "T2", "T1", "E"],
    ...                         "dob": ["1970-01-01", "2010-05-05", "2010-05-05", "1995-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["T2", "T1", "E"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> members(c, ["M"])[["child_id", "birth_order"]].values.tolist()
    [['E', 1], ['T1', 2], ['T2', 3]]
    """
    parents = pd.Index(list(parents), dtype="string")
    pc = _parent_children(cohort)
    m = pc[pc["parent_id"].isin(parents)].sort_values(["parent_id", "dob", "child_id"])
    m = m.reset_index(drop=True)
    m["birth_order"] = m.groupby("parent_id").cumcount().astype("int64") + 1
    m["age_days"] = (cohort.audit_date - m["dob"]).dt.days.astype("int64")
    m["n_index_parents"] = m.groupby("child_id")["parent_id"].transform("size").astype("int64")
    return m[["parent_id", "child_id", "dob", "birth_order", "age_days", "n_index_parents"]]
