"""Sibling groups: index-parent selection, group membership and birth order.

A sibling group is an index parent's linked children (full and half siblings), sorted by date
of birth with ties broken by child id. A child with two index parents belongs to both groups.
People with no date of birth (neither ``pers_dob`` nor ``pers_expected_dob``) are left out of
sibling groups; the loader reports them.

Functions: :func:`index_parents`, :func:`members` (the groups), :func:`sibling_groups` (one row
per index parent: ``sibling_groups.csv``), :func:`sibling_pairs` (age gaps),
:func:`half_sibling_structure` (children per other birth parent), :func:`partner_timeline`
(changes of partner) and :func:`children_table` (leading columns of ``children.csv``).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .codes import BIRTH_RELATIONSHIPS, LINK_SOURCES
from .cohort import Cohort, text_ids
from .definitions import DAYS_PER_YEAR, DEFAULTS, Definitions
from .family import Family, sort_members
from .idsets import distinct_sorted, first_of_each, isin, positions


def parent_children(cohort: Cohort, parents: pd.Index | None = None) -> pd.DataFrame:
    """Distinct (parent, child) pairs with the child's dob, children without dob left out.

    Restricted to ``parents`` when given (cheaper than filtering afterwards). The input of
    :func:`index_parents_of` and :func:`members_of`, computed once per run by the report.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", None]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "A"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> parent_children(c)[["parent_id", "child_id"]].values.tolist()
    [['M', 'A']]
    """
    links = cohort.links[["parent_id", "child_id"]]
    if parents is not None:
        links = links[isin(links["parent_id"], parents)]
    links = links.drop_duplicates()
    dob = cohort.persons[["person_id", "dob"]].rename(columns={"person_id": "child_id"})
    pc = links.merge(dob, on="child_id", how="inner")
    return text_ids(pc[pc["dob"].notna()])


def index_parents(
    cohort: Cohort,
    *,
    ids: Iterable[str] | None = None,
    definitions: Definitions = DEFAULTS,
) -> pd.Index:
    """Ids of the index parents, sorted.

    Either the given ``ids`` (kept as given, in sorted order; each must be a parent in
    ``cohort.links``), or every parent with at least ``definitions.min_children`` linked
    children with a known dob and an age span (eldest minus youngest, in days / 365.25) of at
    least ``definitions.min_span_years`` years (:func:`index_parents_of`).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2001-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M"], "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> from dataclasses import replace
    >>> list(index_parents(c, definitions=replace(DEFAULTS, min_children=2)))
    ['M']
    >>> list(index_parents(c, definitions=replace(DEFAULTS, min_children=3)))
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
    return index_parents_of(parent_children(cohort), definitions=definitions)


def eldest(members: pd.DataFrame) -> pd.Series:
    """Per child: whether it is the eldest (birth order 1) in any of its sibling groups.

    The one definition of "eldest" (time-to-escalation groups, escalation by position).
    Boolean Series indexed by ``child_id``, sorted.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M", "M", "F"], "child_id": ["A", "B", "B"], "birth_order": [1, 2, 1]})
    >>> eldest(m).to_dict()
    {'A': True, 'B': True}
    """
    return members.groupby("child_id", sort=True)["birth_order"].min().eq(1).rename("eldest")


def index_parents_of(pc: pd.DataFrame, *, definitions: Definitions = DEFAULTS) -> pd.Index:
    """The default index-parent rule (DESIGN.md) on the (parent, child, dob) table ``pc`` of
    :func:`parent_children`: at least ``definitions.min_children`` children and an age span
    of at least ``definitions.min_span_years`` years. Sorted ids.

    Examples
    --------
    >>> pc = pd.DataFrame({"parent_id": ["M", "M", "F"], "child_id": ["A", "B", "A"],
    ...                    "dob": pd.to_datetime(["1990-01-01", "2001-01-01", "1990-01-01"])})
    >>> from dataclasses import replace
    >>> list(index_parents_of(pc, definitions=replace(DEFAULTS, min_children=2)))
    ['M']
    """
    g = pc.groupby("parent_id")["dob"].agg(["count", "min", "max"])
    span = (g["max"] - g["min"]).dt.days / DAYS_PER_YEAR
    keep = (g["count"] >= definitions.min_children) & (span >= definitions.min_span_years)
    return pd.Index(sorted(g.index[keep]), name="parent_id")


def members(cohort: Cohort, parents: Iterable[str] | pd.Index) -> pd.DataFrame:
    """One row per (index parent, child): the sibling groups.

    Columns: ``parent_id``, ``child_id``, ``dob``, ``birth_order`` (1 = eldest; dob order,
    ties by child id), ``age_days`` (audit date minus dob, also for a child who has died),
    ``n_index_parents`` (how many of the given index parents this child belongs to).
    Sorted by parent id and birth order.

    :func:`members_of` of :func:`parent_children` restricted to ``parents``.

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
    return members_of(parent_children(cohort, parents), parents, audit_date=cohort.audit_date)


def members_of(pc: pd.DataFrame, parents: Iterable[str] | pd.Index, *,
               audit_date: str | pd.Timestamp) -> pd.DataFrame:
    """The sibling groups of ``parents`` from the (parent, child, dob) table ``pc`` of
    :func:`parent_children` (the rows of other parents are left out); columns and order as
    :func:`members`, ages at ``audit_date``.

    Examples
    --------
    >>> pc = pd.DataFrame({"parent_id": ["M", "M", "F"], "child_id": ["B", "A", "A"],
    ...                    "dob": pd.to_datetime(["2001-01-01", "1990-01-01", "1990-01-01"])})
    >>> members_of(pc, ["M"], audit_date="2018-07-31")[["child_id", "birth_order"]].values.tolist()
    [['A', 1], ['B', 2]]
    """
    parents = pd.Index(list(parents), dtype="string")
    audit_date = pd.Timestamp(audit_date)
    pc = pc[isin(pc["parent_id"], parents)]
    m = pc.sort_values(["parent_id", "dob", "child_id"])
    m = m.reset_index(drop=True)
    m["birth_order"] = m.groupby("parent_id").cumcount().astype("int64") + 1
    m["age_days"] = (audit_date - m["dob"]).dt.days.astype("int64")
    m["n_index_parents"] = m.groupby("child_id")["parent_id"].transform("size").astype("int64")
    # an analysis table: it leaves the Cohort with text ids
    return text_ids(m[["parent_id", "child_id", "dob", "birth_order", "age_days", "n_index_parents"]])


# --------------------------------------------------------------------------------------------
# Sibling-group structure: gaps, half-siblings, partners (DESIGN.md "Definitions")
# --------------------------------------------------------------------------------------------

#: Year columns of :func:`sibling_groups` and :func:`sibling_pairs`. The functions return them
#: unrounded; writers round them to :data:`YEAR_DECIMALS` places (DESIGN.md "Outputs").
YEAR_COLUMNS: tuple[str, ...] = ("age_span_years", "max_gap_years", "median_gap_years", "gap_years")
YEAR_DECIMALS = 2

#: Label for children with no other birth parent on record (:func:`half_sibling_structure`).
UNKNOWN_PARENT = "unknown"

SIBLING_GROUP_COLUMNS: tuple[str, ...] = (
    "parent_id",
    "n_children",
    "youngest_age_days",
    "eldest_age_days",
    "age_span_years",
    "max_gap_years",
    "median_gap_years",
    "n_other_parents",
    "n_partner_changes",
    "n_children_escalated",
    "link_source",
)


def join_groups(df: pd.DataFrame, keys: list[str], col: str, sep: str) -> pd.Series:
    """``col`` joined by ``sep`` within each group of ``keys``, in the row order of ``df``
    (``df.groupby(keys)[col].agg(sep.join)``; a missing value joins as empty text).

    Vectorised (one ``np.add.reduceat`` over the whole column) instead of a Python join per
    group, so it stays fast for hundreds of thousands of groups. Indexed by ``keys``, sorted.

    Examples
    --------
    >>> df = pd.DataFrame({"child_id": ["B", "A", "B"], "parent_id": ["M2", "M1", "M1"]})
    >>> join_groups(df, ["child_id"], "parent_id", ";").to_dict()
    {'A': 'M1', 'B': 'M2;M1'}
    """
    if df.empty:
        idx = pd.MultiIndex.from_arrays([[]] * len(keys), names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return pd.Series([], index=idx, dtype="string", name=col)
    d = df[keys + [col]].reset_index(drop=True)
    order = d.groupby(keys, sort=True).ngroup().to_numpy()
    d = d.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    codes = np.sort(order, kind="stable")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    pieces = (sep + d[col].astype("string").fillna("")).to_numpy(dtype=object)
    joined = pd.Series(np.add.reduceat(pieces, starts), dtype="string").str.slice(len(sep))
    index = pd.MultiIndex.from_frame(d.loc[starts, keys]) if len(keys) > 1 else pd.Index(d.loc[starts, keys[0]])
    return pd.Series(joined.array, index=index, name=col)


def older_sibling_pairs(members: pd.DataFrame) -> pd.DataFrame:
    """Every (child, older sibling) pair: ``child_id``, ``sibling_id``, coded.

    DESIGN.md "Sibling group and birth order": an older sibling has an earlier dob in a group
    the child belongs to (every index parent's group; twins are not older than each other). A
    pair found in two groups is listed once. Sorted by child, sibling.

    Both columns are categoricals of one dtype (:func:`member_codes`), so that the pairs (about
    two million at 100,000 parents) are joined by their codes: a table keyed by child looks up
    each child once (:func:`neglect_analysis.idsets.positions` of a categorical), never each pair.
    ``.astype("string")`` gives the text ids.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M", "M", "M", "F"], "child_id": ["A", "T1", "T2", "T1"],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2005-01-01", "2005-01-01", "2005-01-01"])})
    >>> pairs = older_sibling_pairs(m)
    >>> pairs.astype("string").values.tolist()
    [['T1', 'A'], ['T2', 'A']]
    >>> pairs["child_id"].cat.codes.tolist(), list(pairs["child_id"].cat.categories)
    ([1, 2], ['A', 'T1', 'T2'])
    """
    m = members[["parent_id", "child_id", "dob"]]
    m = m[(m["parent_id"].notna() & m["child_id"].notna()).to_numpy()]
    group = pd.factorize(m["parent_id"])[0].astype(np.int64)
    child, dtype = member_codes(m["child_id"])
    n = len(dtype.categories)
    # Distinct (group, child) rows, the first of each, ordered by group: every row against
    # every row of its group (a group of n children gives n x n candidates), kept where the
    # dob is earlier.
    first = first_of_each(group * max(n, 1) + child)
    group, child = group[first], child[first]
    dob = m["dob"].to_numpy(dtype="datetime64[ns]")[first]
    size = np.bincount(group) if len(group) else np.zeros(0, dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    k = size[group]  # candidates per row
    row = np.repeat(np.arange(len(group)), k)
    other = np.repeat(start[group], k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    older = dob[other] < dob[row]  # NaT compares False: no dob, no pair
    key = distinct_sorted(child[row[older]] * n + child[other[older]])
    return pd.DataFrame({"child_id": pd.Categorical.from_codes(key // max(n, 1), dtype=dtype, validate=False),
                         "sibling_id": pd.Categorical.from_codes(key % max(n, 1), dtype=dtype, validate=False)})


def member_codes(ids: pd.Series) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """Integer codes of child (or parent) ids and their categorical dtype, codes in id order.

    A categorical column keeps its dtype and codes (the Cohort's person dtype, whose categories
    are sorted: :func:`neglect_analysis.idsets.sorted_dtype`); text is coded by its distinct
    ids, sorted. Missing ids get code -1.

    Examples
    --------
    >>> codes, dtype = member_codes(pd.Series(["B", "A", None, "B"], dtype="string"))
    >>> codes.tolist(), list(dtype.categories)
    ([1, 0, -1, 1], ['A', 'B'])
    >>> codes, dtype = member_codes(pd.Series(["B", "A"], dtype=pd.CategoricalDtype(["A", "B", "C"])))
    >>> codes.tolist(), list(dtype.categories)
    ([1, 0], ['A', 'B', 'C'])
    """
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy().astype(np.int64), ids.dtype
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), pd.CategoricalDtype(pd.Index(uniques, dtype="string"))


def index_parent_roles(cohort: Cohort, parents: Iterable[str]) -> pd.Series:
    """How many of ``parents`` are linked to their children as mothers, as fathers (their
    first link in ``cohort.links``), or as parents only (``parent_of``: ``ssd_family``).

    Examples
    --------
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "F"], "child_id": ["A", "B", "A"],
    ...                       "relationship": ["mother_of", "mother_of", "father_of"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M", "F", "A", "B"]}), links=links,
    ...                        audit_date="2018-07-31")
    >>> index_parent_roles(c, ["M", "F"]).to_dict()
    {'mother_of': 1, 'father_of': 1}
    """
    links = cohort.links[isin(cohort.links["parent_id"], pd.Index(list(parents)))]
    first = links.drop_duplicates("parent_id")["relationship"].astype("string")
    return pd.Series({r: int((first == r).sum()) for r in ("mother_of", "father_of")}
                     | ({"parent_of": int((first == "parent_of").sum())} if (first == "parent_of").any() else {}))


def other_birth_parents(cohort: Cohort, members: pd.DataFrame) -> pd.DataFrame:
    """(parent_id, child_id, other_id, relationship): each member's other birth parents.

    DESIGN.md "Half-siblings": an other birth parent is a ``mother_of``/``father_of`` link of
    the child whose parent is not the index parent. Children with none are absent (their
    other parent is unknown). Rows in the order of ``members``.

    Examples
    --------
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "F1", "F2"], "child_id": ["A", "B", "A", "B"],
    ...                       "relationship": ["mother_of", "mother_of", "father_of", "father_of"]})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["M", "A", "B", "F1", "F2"]}),
    ...                        links=links, audit_date="2018-07-31")
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"]})
    >>> other_birth_parents(c, m)[["child_id", "other_id"]].values.tolist()
    [['A', 'F1'], ['B', 'F2']]
    """
    links = cohort.links
    birth = links.loc[
        links["relationship"].isin(BIRTH_RELATIONSHIPS) & links["parent_id"].notna(),
        ["parent_id", "child_id", "relationship"],
    ]
    # Integer keys: the members' children by first appearance, the birth links' positions
    # among them (-1: not a member), the other parent's code.
    child, kids = pd.factorize(members["child_id"])
    b_child = positions(birth["child_id"], kids)
    b_other = pd.factorize(birth["parent_id"])[0]
    mine = np.flatnonzero(b_child >= 0)
    first = ~pd.Series(b_child[mine] * (b_other.max(initial=0) + 1) + b_other[mine]).duplicated().to_numpy()
    birth = birth.iloc[mine[first]]  # one row per (other parent, child), the first
    pairs = pd.DataFrame({"c": child, "_m": np.arange(len(members))}).merge(
        pd.DataFrame({"c": b_child[mine[first]], "_b": np.arange(len(birth))}), on="c", how="inner")
    m, b = members.iloc[pairs["_m"].to_numpy()], birth.iloc[pairs["_b"].to_numpy()]
    op = pd.DataFrame({
        "parent_id": m["parent_id"].array,
        "child_id": m["child_id"].array,
        "other_id": b["parent_id"].array,
        "relationship": b["relationship"].array,
    })
    return op[op["other_id"] != op["parent_id"]].reset_index(drop=True)


def _partner_rows(cohort: Cohort, parents: pd.Index) -> pd.DataFrame:
    """``partner_of`` rows read in both directions, kept where the first person is in ``parents``."""
    p = cohort.partners[["person_id", "partner_id", "start_date", "end_date"]]
    both = pd.concat(
        [p, p.rename(columns={"person_id": "partner_id", "partner_id": "person_id"})],
        ignore_index=True,
    )[["person_id", "partner_id", "start_date", "end_date"]]
    keep = (
        isin(both["person_id"], parents)
        & both["partner_id"].notna()
        & (both["person_id"] != both["partner_id"])
    )
    both = both[keep]
    # Distinct rows by person codes and dates (a drop_duplicates of the categoricals would
    # hash every person of the Cohort).
    key = pd.DataFrame({"p": both["person_id"].cat.codes, "q": both["partner_id"].cat.codes,
                        "s": both["start_date"], "e": both["end_date"]})
    return both[~key.duplicated().to_numpy()].reset_index(drop=True)


def _link_source(cohort: Cohort, members: pd.DataFrame) -> pd.Series:
    """Per parent: the source of its links to its group's children.

    One source gives its name (``relationships``, ``ssd_mother``, ``ssd_family``); mixed sources
    are joined by ``+`` in order of preference (e.g. ``relationships+ssd_mother``).
    """
    links = cohort.links
    # the group's links: parent in the groups and child in the groups (a child of a group
    # parent that is in any group is in that parent's group too: both came from these links)
    parents = pd.Index(members["parent_id"].unique())
    parent = positions(links["parent_id"], parents)
    sel = (parent >= 0) & isin(links["child_id"], members["child_id"]).to_numpy() & links["source"].notna().to_numpy()
    source, names = pd.factorize(links["source"][sel])
    names = [str(n) for n in names]
    ordered = [n for n in LINK_SOURCES if n in names] + sorted(set(names) - set(LINK_SOURCES))
    # has[i, j]: parent i has a link from source j (integer codes, no text groupby)
    has = np.zeros((len(parents), len(names)), dtype=bool)
    has[parent[sel], source] = True
    rows = np.flatnonzero(has.any(axis=1))
    text = pd.Series("", index=pd.Index(parents[rows], name="parent_id"), dtype="string")
    for name in ordered:  # a handful of sources: a loop over columns, not over parents
        here = has[rows, names.index(name)]
        text = text.where(~here, text.where(text == "", text + "+") + name)
    return text


def sibling_groups(
    cohort: Cohort,
    members: pd.DataFrame | Family,
    escalated: pd.DataFrame | None = None,
    *,
    parents: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per index parent: size, ages, gaps, half-siblings and partners of its group.

    Implements DESIGN.md "Definitions": *sibling group*, *age gaps*, *half-siblings*.

    Columns (the ``sibling_groups.csv`` contract, in this order):

    - ``parent_id``; ``n_children`` (children in the group, i.e. linked and with a dob);
    - ``youngest_age_days`` / ``eldest_age_days``: age at the audit date, in days;
    - ``age_span_years``: eldest dob to youngest dob, days / 365.25;
    - ``max_gap_years`` / ``median_gap_years``: of the consecutive dob differences (days / 365.25)
      in birth order; twins give a gap of 0; empty (NaN) for a group of one child;
    - ``n_other_parents``: distinct other birth parents (``mother_of``/``father_of`` links)
      among the group's children; children with no other parent on record are not counted;
      ``parent_of`` links (``ssd_family`` fallback) are not birth-parent links and are ignored;
    - ``n_partner_changes``: distinct partners of the index parent, i.e. its ``partner_of`` rows
      read in both directions (whatever their dates) together with the other birth parents,
      minus one, never below zero;
    - ``n_children_escalated``: sum of ``escalated`` (0/1) over the group, from the table of
      :func:`neglect_analysis.escalation.child_escalation`; NA when ``escalated`` is None, and NA
      for a group with a child missing from ``escalated`` (no silent zero);
    - ``link_source``: ``relationships``, ``ssd_mother`` or ``ssd_family``; a group whose links
      came from more than one source shows them joined by ``+`` in that order of preference.

    Years are returned **unrounded** (so that downstream arithmetic is exact); writers round the
    :data:`YEAR_COLUMNS` to :data:`YEAR_DECIMALS` places for ``sibling_groups.csv``.

    Parameters
    ----------
    cohort : Cohort
    members : DataFrame
        Output of :func:`members`.
    escalated : DataFrame, optional
        ``child_id``, ``escalated`` (0/1), one row per child.
    parents : iterable of str, optional
        The index parents. When given, a parent with no child in ``members`` (e.g. every child
        lacks a dob) still gets a row, with ``n_children`` 0; otherwise only parents present in
        ``members`` appear.

    Returns
    -------
    DataFrame
        Sorted by ``parent_id``.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B", "C", "F1"],
    ...                         "dob": ["1970-01-01", "1990-01-01", "2000-01-01", "2000-01-01", None]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "M", "F1"], "child_id": ["A", "B", "C", "A"],
    ...                       "relationship": ["mother_of"] * 3 + ["father_of"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> g = sibling_groups(c, members(c, ["M"]))
    >>> print(g[["n_children", "n_other_parents", "n_partner_changes", "link_source"]].to_string(index=False))
     n_children  n_other_parents  n_partner_changes   link_source
              3                1                  0 relationships
    >>> print(g[["age_span_years", "max_gap_years", "median_gap_years"]].round(2).to_string(index=False))
     age_span_years  max_gap_years  median_gap_years
               10.0           10.0               5.0
    """
    m = Family.of(cohort, members).members  # in birth order
    gap_days = m.groupby("parent_id", sort=False)["dob"].diff().dt.days
    m = m.assign(_gap=gap_days / DAYS_PER_YEAR)
    g = m.groupby("parent_id", sort=True).agg(
        n_children=("child_id", "size"),
        youngest_age_days=("age_days", "min"),
        eldest_age_days=("age_days", "max"),
        _dob_min=("dob", "min"),
        _dob_max=("dob", "max"),
        max_gap_years=("_gap", "max"),
        median_gap_years=("_gap", "median"),
    )
    if parents is not None:
        idx = pd.Index(sorted({str(p) for p in parents}), name="parent_id", dtype="string")
        g = g.reindex(idx.union(g.index.astype("string")))
        g["n_children"] = g["n_children"].fillna(0)
    g["age_span_years"] = (g["_dob_max"] - g["_dob_min"]).dt.days / DAYS_PER_YEAR

    others = other_birth_parents(cohort, m)
    partners = _partner_rows(cohort, pd.Index(g.index))
    # Distinct partners per parent by integer keys: the parent's row of ``g``, the partner's
    # person code (both come from the Cohort's links and partners, one dtype).
    n_groups, n_people = len(g), len(cohort.person_dtype.categories) + 1

    def distinct_per_parent(parent: pd.Series, person: pd.Series) -> np.ndarray:
        at, code = positions(parent, g.index), person.cat.codes.to_numpy().astype(np.int64)
        ok = (at >= 0) & (code >= 0)
        return distinct_sorted(at[ok] * n_people + code[ok])

    other_keys = distinct_per_parent(others["parent_id"], others["other_id"])
    g["n_other_parents"] = np.bincount(other_keys // n_people, minlength=n_groups)
    every_key = distinct_sorted(np.concatenate(
        [other_keys, distinct_per_parent(partners["person_id"], partners["partner_id"])]))
    n_partners = pd.Series(np.bincount(every_key // n_people, minlength=n_groups), index=g.index)
    g["n_partner_changes"] = (n_partners - 1).clip(lower=0)

    if escalated is None:
        g["n_children_escalated"] = pd.Series(pd.NA, index=g.index, dtype="Int64")
    else:
        # Each member's row in ``escalated`` (its first, -1 if absent): a take, not a text merge.
        at = positions(m["child_id"], escalated["child_id"])
        e_val = pd.to_numeric(escalated["escalated"]).astype("Int64").array.take(at, allow_fill=True)
        e = pd.DataFrame({"parent_id": m["parent_id"].array, "escalated": e_val,
                          "_missing": e_val.isna()})
        agg = e.groupby("parent_id").agg(n=("escalated", "sum"), missing=("_missing", "any"))
        n_esc = agg["n"].astype("Int64").where(~agg["missing"])
        g["n_children_escalated"] = n_esc.reindex(g.index).astype("Int64")
        g.loc[g["n_children"] == 0, "n_children_escalated"] = 0

    g["link_source"] = _link_source(cohort, m).reindex(g.index).astype("string")
    for col in ("n_children", "n_other_parents", "n_partner_changes"):
        g[col] = g[col].astype("int64")
    for col in ("youngest_age_days", "eldest_age_days"):
        g[col] = g[col].astype("Int64") if g[col].isna().any() else g[col].astype("int64")
    out = g.reset_index()
    out["parent_id"] = out["parent_id"].astype("string")
    return out[list(SIBLING_GROUP_COLUMNS)]


def sibling_pairs(members: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of consecutive siblings in birth order: the age gaps.

    Implements DESIGN.md "Age gaps" (consecutive dob differences; years = days / 365.25,
    unrounded). Columns: ``parent_id``, ``elder_id``, ``younger_id``, ``gap_days``,
    ``gap_years``. A group of n children gives n - 1 rows; twins give ``gap_days`` 0 (the
    elder is the one with the smaller id). Sorted by parent and birth order.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B", "C"],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2001-01-01", "2001-01-01"])})
    >>> sibling_pairs(m)[["elder_id", "younger_id", "gap_days"]].values.tolist()
    [['A', 'B', 366], ['B', 'C', 0]]
    """
    m = sort_members(members)
    prev = m.groupby("parent_id", sort=False)[["child_id", "dob"]].shift(1)
    pairs = pd.DataFrame(
        {
            "parent_id": m["parent_id"],
            "elder_id": prev["child_id"],
            "younger_id": m["child_id"],
            "gap_days": (m["dob"] - prev["dob"]).dt.days,
        }
    )
    pairs = pairs[pairs["elder_id"].notna()].reset_index(drop=True)
    pairs["gap_days"] = pairs["gap_days"].astype("int64")
    pairs["gap_years"] = pairs["gap_days"] / DAYS_PER_YEAR
    return pairs


def half_sibling_structure(cohort: Cohort, members: pd.DataFrame) -> pd.DataFrame:
    """Children of each index parent per other birth parent (the half-sibling structure).

    Implements DESIGN.md "Half-siblings". One row per (index parent, other birth parent):
    ``parent_id``, ``other_parent_id`` (``"unknown"`` for children with no other
    ``mother_of``/``father_of`` link), ``relationship`` (``father_of``/``mother_of`` of the
    other parent; NA for unknown), ``n_children``, ``first_dob``, ``last_dob`` (of those
    children), ``child_ids`` (in birth order, joined by ``;``). A child with two other birth
    parents on record (a data error the loader reports) is counted under each. Sorted by
    parent, first dob, other parent id.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B", "C"],
    ...                         "dob": ["1970-01-01", "1990-01-01", "1995-01-01", "2000-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "M", "F1", "F1"],
    ...                       "child_id": ["A", "B", "C", "A", "C"],
    ...                       "relationship": ["mother_of"] * 3 + ["father_of"] * 2})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> half_sibling_structure(c, members(c, ["M"]))[["other_parent_id", "n_children", "child_ids"]].values.tolist()
    [['F1', 2, 'A;C'], ['unknown', 1, 'B']]
    """
    m = sort_members(members)
    others = other_birth_parents(cohort, m)
    full = m[["parent_id", "child_id", "dob", "birth_order"]].merge(
        others, on=["parent_id", "child_id"], how="left"
    )
    full["other_id"] = full["other_id"].astype("string").fillna(UNKNOWN_PARENT)
    full = full.sort_values(["parent_id", "other_id", "birth_order"], kind="stable")
    out = (
        full.groupby(["parent_id", "other_id"], sort=True)
        .agg(
            relationship=("relationship", "first"),
            n_children=("child_id", "size"),
            first_dob=("dob", "min"),
            last_dob=("dob", "max"),
        )
        .reset_index()
        .rename(columns={"other_id": "other_parent_id"})
    )
    ids = join_groups(full, ["parent_id", "other_id"], "child_id", ";")
    out["child_ids"] = ids.to_numpy()
    out["n_children"] = out["n_children"].astype("int64")
    out = out.sort_values(["parent_id", "first_dob", "other_parent_id"], kind="stable")
    return out.reset_index(drop=True)


def partner_timeline(cohort: Cohort, parents: Iterable[str] | pd.Index) -> pd.DataFrame:
    """The partners of each parent over time, to see changes of partner.

    Implements the partner part of DESIGN.md "Half-siblings". One row per (parent, partner):
    ``person_id`` (the parent), ``partner_id``, ``start_date``, ``end_date``, ``source``:

    - ``partner_of``: a dated ``partner_of`` row of ``cohort.partners``, read in both directions
      (every row is kept: a couple that separated and reunited has two rows);
    - ``birth_parent``: another birth parent of the parent's children (children with a dob, as
      in sibling groups) who has no ``partner_of`` row with the parent. Its dates are the dobs
      of the first and last shared child: evidence of the relationship, not its true start/end.

    Sorted by parent, start date (unknown last), partner id, source.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "1995-01-01"]})
    >>> links = pd.DataFrame({"parent_id": ["M", "M", "F1", "F1"], "child_id": ["A", "B", "A", "B"],
    ...                       "relationship": ["mother_of", "mother_of", "father_of", "father_of"]})
    >>> partners = pd.DataFrame({"person_id": ["P2"], "partner_id": ["M"],
    ...                          "start_date": ["2000-01-01"], "end_date": ["2003-06-30"]})
    >>> c = Cohort.from_frames(persons=persons, links=links, partners=partners, audit_date="2018-07-31")
    >>> t = partner_timeline(c, ["M"])
    >>> t[["partner_id", "source"]].values.tolist()
    [['F1', 'birth_parent'], ['P2', 'partner_of']]
    >>> t["start_date"].dt.year.tolist()
    [1990, 2000]
    """
    parents = pd.Index([str(p) for p in parents], dtype="string").unique()
    rows = _partner_rows(cohort, parents).assign(source="partner_of")
    m = parent_children(cohort, parents)
    others = other_birth_parents(cohort, m).merge(m[["parent_id", "child_id", "dob"]], on=["parent_id", "child_id"])
    births = (
        others.groupby(["parent_id", "other_id"], sort=True)["dob"]
        .agg(["min", "max"])
        .reset_index()
        .rename(
            columns={"parent_id": "person_id", "other_id": "partner_id", "min": "start_date", "max": "end_date"}
        )
    )
    known = rows[["person_id", "partner_id"]].drop_duplicates().assign(_known=True)
    births = births.merge(known, on=["person_id", "partner_id"], how="left")
    births = births[births["_known"].isna()].drop(columns="_known").assign(source="birth_parent")
    out = pd.concat([rows, births], ignore_index=True)
    for col in ("person_id", "partner_id", "source"):
        out[col] = out[col].astype("string")
    for col in ("start_date", "end_date"):
        out[col] = out[col].astype("datetime64[ns]")
    out = out.sort_values(
        ["person_id", "start_date", "partner_id", "source", "end_date"], na_position="last", kind="stable"
    )
    return out[["person_id", "partner_id", "start_date", "end_date", "source"]].reset_index(drop=True)


def children_table(members: pd.DataFrame) -> pd.DataFrame:
    """One row per child and index parent: the leading columns of ``children.csv``.

    Implements DESIGN.md "Outputs" (``children.csv``) and "Sibling group and birth order".
    Columns: ``child_id``, ``parent_id``, ``birth_order`` (1 = eldest), ``dob``, ``age_days``,
    ``n_index_parents`` (2 when the child belongs to two index parents' groups: it then has two
    rows), ``index_parent_ids`` (all its index parents, sorted, joined by ``;``). Sorted by
    parent and birth order, like :func:`members`.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["F", "M", "M"], "child_id": ["A", "A", "B"],
    ...                   "dob": pd.to_datetime(["2000-01-01", "2000-01-01", "2003-01-01"]),
    ...                   "birth_order": [1, 1, 2], "age_days": [6786, 6786, 5690], "n_index_parents": [2, 2, 1]})
    >>> children_table(m)[["child_id", "parent_id", "n_index_parents", "index_parent_ids"]].values.tolist()
    [['A', 'F', 2, 'F;M'], ['A', 'M', 2, 'F;M'], ['B', 'M', 1, 'M']]
    """
    m = sort_members(members)
    pairs = m[["child_id", "parent_id"]].drop_duplicates()
    n_parents = pairs.groupby("child_id").size()
    out = m[["child_id", "parent_id", "birth_order", "dob", "age_days"]].copy()
    # every child is in ``n_parents``: a take by integer position, not a text map
    out["n_index_parents"] = n_parents.to_numpy()[positions(out["child_id"], n_parents.index)].astype("int64")
    out["index_parent_ids"] = out["parent_id"].astype("string")
    multi = out["n_index_parents"] > 1  # join only where there is more than one parent
    if multi.any():
        several = pairs[isin(pairs["child_id"], out.loc[multi, "child_id"])].sort_values(["child_id", "parent_id"])
        ids = join_groups(several, ["child_id"], "parent_id", ";")
        out.loc[multi, "index_parent_ids"] = out.loc[multi, "child_id"].map(ids).to_numpy()
    return out
