"""Work done once per run, held in named objects that every analysis reads.

Two objects, passed openly (never through hidden keywords):

- :class:`ChildEvents`: a set of children (distinct ids, sorted, selected by their codes in
  the Cohort's person dtype) and their events, each event with ``cix``, its child's position
  in the ids. Every per-child analysis
  (:func:`neglect_analysis.recurrence.child_recurrence`,
  :func:`neglect_analysis.escalation.child_escalation`...) accepts one where it accepts child
  ids, and selects one with :meth:`ChildEvents.of` when given ids: one selection rule, one code
  path, whether the report or a notebook calls it.
- :class:`Family`: the sibling groups of one run (the Cohort, the ``members`` table of
  :func:`neglect_analysis.siblings.members`, the :class:`~neglect_analysis.definitions.Definitions`),
  with its children's events as a cached property. Functions over sibling groups accept a
  ``members`` table or a ``Family`` (:meth:`Family.of`).

Examples
--------
>>> import pandas as pd
>>> from neglect_analysis import Cohort
>>> ev = pd.DataFrame({"person_id": ["B", "A", "X"], "event_type": "contact",
...                    "start_date": ["2010-01-01", "2011-01-01", "2012-01-01"]})
>>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "X"]}), events=ev,
...                        audit_date="2018-07-31")
>>> kids = ChildEvents.of(c, ["B", "A"])
>>> list(kids.ids), kids.events["person_id"].tolist(), kids.events["cix"].tolist()
(['A', 'B'], ['A', 'B'], [0, 1])
>>> ChildEvents.of(c, kids) is kids
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .cohort import Cohort, text_ids
from .definitions import DEFAULTS, Definitions
from .idsets import same_codes, used_codes

#: Event columns read by the per-child analyses (selected once per run).
CHILD_EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "person_id", "event_type", "start_date", "end_date", "category", "outcome", "factors",
    "other_la", "source",
)

#: Sort order of a ``members`` table: index parent, then birth order (dob, ties by child id).
MEMBER_ORDER: tuple[str, ...] = ("parent_id", "dob", "child_id")


@dataclass(frozen=True)
class ChildEvents:
    """A set of children and their events, selected once and read by every per-child analysis.

    Attributes
    ----------
    ids : Index
        Distinct child ids, sorted (text: the ids the analysis tables are keyed by).
    events : DataFrame
        The children's events (:data:`CHILD_EVENT_COLUMNS`, in the order of ``cohort.events``)
        with ``cix``, the child's position in ``ids``.
    codes : ndarray
        The children's codes in the Cohort's person dtype (int64, ascending: the order of
        ``ids``), by which they were selected (:func:`child_codes`).
    """

    ids: pd.Index
    events: pd.DataFrame
    codes: np.ndarray

    @classmethod
    def of(cls, cohort: Cohort, children) -> "ChildEvents":
        """The children (ids, a table with ``child_id``, or a :class:`ChildEvents`, returned
        as it is) and their events in ``cohort``. Raises ``ValueError`` naming any id that is
        not a person of the Cohort (:meth:`~neglect_analysis.cohort.Cohort.person_codes`)."""
        if isinstance(children, cls):
            return children
        if isinstance(children, Family):
            return children.children
        codes = child_codes(cohort, children)
        ids = pd.Index(cohort.person_dtype.categories.take(codes), dtype="string", name="child_id")
        cix = child_positions(cohort, codes)
        keep = cix >= 0
        if keep.all():  # every event is a child's (no copy: the columns are shared, copy-on-write)
            return cls(ids, cohort.events[list(CHILD_EVENT_COLUMNS)].assign(cix=cix), codes)
        return cls(ids, cohort.events.loc[keep, list(CHILD_EVENT_COLUMNS)].assign(cix=cix[keep]), codes)

    def __len__(self) -> int:
        return len(self.ids)


def child_codes(cohort: Cohort, children) -> np.ndarray:
    """The distinct person codes of ``children`` in ``cohort.person_dtype``, ascending (int64).

    ``children``: ids, or a table with a ``child_id`` column. Ids coded in the Cohort's person
    dtype (e.g. a Cohort table's column) are read by their codes, with no text hashed; text ids
    (as a user gives them) are looked up once each. Codes sort as the ids do, so the codes
    ascending are the ids sorted. Missing ids are skipped; an id that is not a person of the
    Cohort raises ``ValueError`` naming it (:meth:`~neglect_analysis.cohort.Cohort.person_codes`).

    Examples
    --------
    >>> from neglect_analysis import Cohort
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["C", "A", "B"]}), audit_date="2018-07-31")
    >>> child_codes(c, ["C", "A", "C"]).tolist()
    [0, 2]
    >>> child_codes(c, c.persons["person_id"]).tolist()
    [0, 1, 2]
    >>> child_codes(c, ["A", "Z"])
    Traceback (most recent call last):
    ...
    ValueError: Not in the extract: Z
    """
    if isinstance(children, pd.DataFrame):
        children = children["child_id"]
    dtype = cohort.person_dtype
    codes = same_codes(dtype, children)  # coded in the Cohort's dtype: the codes themselves
    if codes is None:
        if isinstance(children, (pd.Series, pd.Index)):  # no round trip through Python objects
            text = pd.Index(pd.Series(children.array).astype("string").dropna().array)
        elif isinstance(children, (pd.api.extensions.ExtensionArray, np.ndarray)):
            text = pd.Index(pd.Series(children).astype("string").dropna().array)
        else:
            text = pd.Index(pd.Series(list(children), dtype="string").dropna().array)
        codes = dtype.categories.get_indexer(text).astype(np.int64)
        if (codes < 0).any():
            cohort.person_codes(text[codes < 0].unique())  # raises, naming the unknown ids
    return used_codes(codes, len(dtype.categories))


def child_positions(cohort: Cohort, codes: np.ndarray) -> np.ndarray:
    """For each row of ``cohort.events``: its person's position in ``codes`` (-1: not one of
    them), where ``codes`` are distinct person codes (:func:`child_codes`).

    The one selection of children's events, by integer codes only: a lookup table from person
    code to position, the events' codes through it.

    Examples
    --------
    >>> from neglect_analysis import Cohort
    >>> ev = pd.DataFrame({"person_id": ["B", "A", "X"], "event_type": "contact"})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B", "X"]}), events=ev,
    ...                        audit_date="2018-07-31")
    >>> child_positions(c, c.person_codes(["B"])).tolist()
    [-1, 0, -1]
    """
    codes = np.asarray(codes, dtype=np.int64)
    lut = np.full(len(cohort.person_dtype.categories) + 1, -1, dtype=np.int64)
    lut[codes] = np.arange(len(codes))
    return lut[cohort.events["person_id"].cat.codes.to_numpy()]  # code -1 (missing): last entry, -1


def events_of(cohort: Cohort, children) -> pd.DataFrame:
    """Every column of the events of ``children`` (ids or a table with ``child_id``), in the
    order of ``cohort.events`` (:func:`child_positions`), with text ids and event types (an
    analysis table, joined with other analysis tables).

    Examples
    --------
    >>> from neglect_analysis import Cohort
    >>> ev = pd.DataFrame({"person_id": ["B", "A"], "event_type": "contact"})
    >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    >>> events_of(c, ["B"])["person_id"].tolist()
    ['B']
    """
    return text_ids(cohort.events[child_positions(cohort, child_codes(cohort, children)) >= 0])


def sort_members(members: pd.DataFrame) -> pd.DataFrame:
    """``members`` in birth order within each index parent (:data:`MEMBER_ORDER`), index reset.

    Returns ``members`` itself when it is already in that order with a fresh index (as
    :func:`neglect_analysis.siblings.members` returns it), so callers may sort freely.

    Examples
    --------
    >>> m = pd.DataFrame({"parent_id": ["M", "M"], "child_id": ["B", "A"],
    ...                   "dob": pd.to_datetime(["2005-01-01", "2000-01-01"])})
    >>> sort_members(m)["child_id"].tolist()
    ['A', 'B']
    """
    if _in_member_order(members):
        return members
    return members.sort_values(list(MEMBER_ORDER), kind="stable").reset_index(drop=True)


def _in_member_order(members: pd.DataFrame) -> bool:
    """Whether ``members`` is sorted by :data:`MEMBER_ORDER` (missing values last) with a
    RangeIndex: one pass of integer comparisons, no sort."""
    n = len(members)
    if not isinstance(members.index, pd.RangeIndex) or members.index.start != 0 or members.index.step != 1:
        return False
    if n < 2:
        return True
    keys = []
    for col in MEMBER_ORDER:  # each column as integer ranks (missing last)
        codes, _ = pd.factorize(members[col], sort=True, use_na_sentinel=True)
        keys.append(np.where(codes < 0, np.iinfo(np.int64).max, codes))
    prev = [k[:-1] for k in keys]
    nxt = [k[1:] for k in keys]
    ok = np.zeros(n - 1, dtype=bool)
    undecided = np.ones(n - 1, dtype=bool)
    for a, b in zip(prev, nxt):  # lexicographic a <= b, column by column
        ok |= undecided & (a < b)
        undecided &= a == b
    return bool((ok | undecided).all())


class Family:
    """The sibling groups of one run and the work done once for them.

    Build with :meth:`of` from a ``members`` table (:func:`neglect_analysis.siblings.members`).
    Every function over sibling groups accepts a ``Family`` where it accepts ``members``; the
    report builds one per run so the children's events are selected once.

    Attributes
    ----------
    cohort : Cohort
    members : DataFrame
        One row per (index parent, child), in birth order (:func:`sort_members`).
    definitions : Definitions

    Examples
    --------
    >>> from neglect_analysis import Cohort
    >>> persons = pd.DataFrame({"person_id": ["M", "A", "B"], "dob": ["1970-01-01", "1990-01-01", "2001-01-01"]})
    >>> links = pd.DataFrame({"parent_id": "M", "child_id": ["A", "B"], "relationship": "mother_of"})
    >>> c = Cohort.from_frames(persons=persons, links=links, audit_date="2018-07-31")
    >>> from neglect_analysis.siblings import members
    >>> f = Family.of(c, members(c, ["M"]))
    >>> list(f.parents), list(f.children.ids)
    (['M'], ['A', 'B'])
    """

    def __init__(self, cohort: Cohort, members: pd.DataFrame, definitions: Definitions = DEFAULTS):
        self.cohort = cohort
        self.members = sort_members(members)
        self.definitions = definitions

    @classmethod
    def of(cls, cohort: Cohort, members, definitions: Definitions | None = None) -> "Family":
        """``members`` as a Family (a Family is returned as it is, or with new definitions)."""
        if isinstance(members, cls):
            if definitions is None or definitions == members.definitions:
                return members
            return cls(members.cohort, members.members, definitions)
        return cls(cohort, members, DEFAULTS if definitions is None else definitions)

    @cached_property
    def parents(self) -> pd.Index:
        """The index parents with at least one child, sorted."""
        return pd.Index(self.members["parent_id"].drop_duplicates().array, name="parent_id")

    @cached_property
    def children(self) -> ChildEvents:
        """The groups' children and their events (:class:`ChildEvents`)."""
        return ChildEvents.of(self.cohort, self.members)

    @cached_property
    def older_sibling_pairs(self) -> pd.DataFrame:
        """Every (child, older sibling) pair of the groups
        (:func:`neglect_analysis.siblings.older_sibling_pairs`), made once for every measure
        that reads them (family signal, findings)."""
        from .siblings import older_sibling_pairs  # siblings imports this module

        return older_sibling_pairs(self.members)
