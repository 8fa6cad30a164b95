"""The ``Cohort``: canonical, typed tables that every analysis reads.

The loader (:mod:`neglect_analysis.io`) builds a ``Cohort`` from an SSD extract; tests build
small ones by hand with :meth:`Cohort.from_frames`. Analysis functions only ever read these
tables, never files.

Tables and columns
------------------
persons
    ``person_id`` (str), ``sex`` (str: ``F``, ``M``, ``U``...), ``dob`` (datetime64[ns];
    ``pers_dob``, else ``pers_expected_dob``), ``death_date`` (datetime64[ns]),
    ``in_extract`` (bool: False for a parent named only in ``relationships``, kept with
    unknown dob).
links
    ``parent_id``, ``child_id``, ``relationship`` (``mother_of``, ``father_of``, or
    ``parent_of`` where only a family id was known), ``source`` (``relationships``,
    ``ssd_mother``, ``ssd_family``).
partners
    ``person_id``, ``partner_id``, ``start_date``, ``end_date`` (a ``partner_of`` row as given;
    read in both directions by the analysis).
events
    one row per involvement: ``event_id`` (str, unique within ``event_type``),
    ``person_id``, ``event_type`` (see :data:`neglect_analysis.codes.EVENT_TYPES`),
    ``start_date``, ``end_date`` (NaT = open or instantaneous), ``category`` (CP plan initial
    category code for ``cp_plan``, primary need code for ``referral``, source code for
    ``contact``), ``nfa`` (boolean, nullable), ``factors`` (assessment factor codes joined by
    ``,``, e.g. ``"3B,16A"``; empty string when none), ``outcome`` (contact: the outcome flags
    set to ``Y`` joined by ``;``, e.g. ``"ADVICE_FLAG;NFA_FLAG"``; early help: end reason;
    referral: close reason; icpc: ``CP_PLAN`` when a plan followed; cp_plan: latest category;
    pre_proceedings: outcome text; paper: the paper record's ``event_type`` as written),
    ``other_la`` (bool: ICPC transfer-in or CP plan other-LA flag), ``source`` (``ics`` or
    ``paper``), ``source_ref`` (``table:row`` for the extract, ``document_ref`` for paper),
    ``linked_event_id`` (assessment and s47: referral id; icpc: s47 id; else empty),
    ``detail`` (free text from paper records; never written to outputs unless asked).
case_review
    ``person_id``, ``item_id``, ``question``, ``answer``, ``reviewer``, ``review_date``.

Text that repeats (``events``' ``category``, ``factors``, ``outcome``, ``source`` and
``detail``; ``case_review``'s ``item_id``, ``question``, ``answer`` and ``reviewer``) is held
as a categorical of its text (:func:`label_values`, the ``"label"`` columns of
:data:`SCHEMAS`): it compares, sorts, groups and writes as the text does, in a byte or two a
row (at 100,000 parents about 0.65 GiB less held through the run). To write a new value
into one (a notebook editing a copy of the events), make it text first:
``ev["outcome"] = ev["outcome"].astype("string")``; :meth:`Cohort.with_tables` and
:meth:`Cohort.from_frames` make it a label column again.
iro_challenges
    ``person_id``, ``cp_plan_id``, ``challenge_date``, ``theme``, ``resolved_date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from .codes import EVENT_TYPES
from .days import DAY_NS
from .idsets import sorted_dtype

#: Default audit parameters (DESIGN.md). One place for each default.
DEFAULT_ICS_START = pd.Timestamp("2009-04-01")

#: Column -> dtype of each canonical table. ``"date"`` means datetime64[ns] at midnight;
#: ``"label"`` is text that repeats (codes, flags, sources, review questions), held as a
#: categorical of text categories (:func:`label_values`): the same values as ``"str"``, in a
#: byte or two per row instead of the text of every row.
SCHEMAS: dict[str, dict[str, str]] = {
    "persons": {
        "person_id": "str",
        "sex": "str",
        "dob": "date",
        "death_date": "date",
        "in_extract": "bool",
    },
    "links": {
        "parent_id": "str",
        "child_id": "str",
        "relationship": "str",
        "source": "str",
    },
    "partners": {
        "person_id": "str",
        "partner_id": "str",
        "start_date": "date",
        "end_date": "date",
    },
    "events": {
        "event_id": "str",
        "person_id": "str",
        "event_type": "str",
        "start_date": "date",
        "end_date": "date",
        "category": "label",
        "nfa": "boolean",
        "factors": "label",
        "outcome": "label",
        "other_la": "bool",
        "source": "label",
        "source_ref": "str",
        "linked_event_id": "str",
        "detail": "label",
    },
    "case_review": {
        "person_id": "str",
        "item_id": "label",
        "question": "label",
        "answer": "label",
        "reviewer": "label",
        "review_date": "date",
    },
    "iro_challenges": {
        "person_id": "str",
        "cp_plan_id": "str",
        "challenge_date": "date",
        "theme": "str",
        "resolved_date": "date",
    },
}

#: Person-id columns of each canonical table: all coded with the Cohort's one person dtype.
PERSON_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("person_id",),
    "links": ("parent_id", "child_id"),
    "partners": ("person_id", "partner_id"),
    "events": ("person_id",),
    "case_review": ("person_id",),
    "iro_challenges": ("person_id",),
}

#: ``events.event_type``: categorical, categories in journey order (:data:`codes.EVENT_TYPES`).
EVENT_TYPE_DTYPE = pd.CategoricalDtype(list(EVENT_TYPES))

#: The invariant order of ``events`` (checked when a Cohort is built; missing dates last).
EVENT_ORDER: tuple[str, ...] = ("person_id", "start_date", "event_type", "event_id")

#: Fill values for columns a hand-made table leaves out.
_DEFAULTS = {"str": pd.NA, "label": pd.NA, "date": pd.NaT, "bool": False, "boolean": pd.NA}


def label_values(values: pd.Series) -> pd.Series:
    """Repeating text as a categorical: categories the distinct texts (``string`` dtype,
    sorted), missing values missing. A categorical with text categories is returned as it is.

    The one rule for the ``"label"`` columns of :data:`SCHEMAS`: they compare, sort, group and
    write exactly as the text does.

    Examples
    --------
    >>> v = label_values(pd.Series(["N1", None, "N4", "N1"]))
    >>> list(v.cat.categories), v.cat.codes.tolist(), v.tolist()[:2]
    (['N1', 'N4'], [0, -1, 1, 0], ['N1', <NA>])
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(values.dtype.categories.dtype):
        return values
    return values.astype("string").astype("category")


def conform(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """Return ``df`` with exactly the canonical columns of ``table``, in order and typed.

    Missing columns are added empty (``False`` for flags); extra columns are kept after the
    canonical ones. The input is not modified. Person-id columns that are already coded
    (categorical) and an ``event_type`` already of :data:`EVENT_TYPE_DTYPE` are kept coded
    (:func:`code_tables` then reuses codes of the Cohort's dtype instead of hashing the ids).

    Examples
    --------
    >>> conform(pd.DataFrame({"person_id": ["0012"], "dob": ["2010-05-01"]}), "persons").dtypes["dob"]
    dtype('<M8[ns]')
    >>> conform(pd.DataFrame({"person_id": ["0012"]}), "persons").loc[0, "person_id"]
    '0012'
    """
    schema = SCHEMAS[table]
    # no copy of ``df``: every column below is a new Series (copy-on-write keeps df unchanged)
    df = pd.DataFrame(columns=list(schema)) if df is None else df
    out = {}
    n = len(df)
    coded = PERSON_ID_COLUMNS.get(table, ()) + (("event_type",) if table == "events" else ())
    for col, kind in schema.items():
        s = df[col] if col in df.columns else pd.Series([_DEFAULTS[kind]] * n, index=df.index)
        if col in coded and isinstance(s.dtype, pd.CategoricalDtype) and _coded_as(s, col):
            pass
        elif kind == "str":
            s = s.astype("string")
        elif kind == "label":
            s = label_values(s)
        elif kind == "date":
            s = _midnight(pd.to_datetime(s).astype("datetime64[ns]"))
        elif kind == "bool":
            s = s.fillna(False).astype(bool)
        elif kind == "boolean":
            s = s.astype("boolean")
        out[col] = s
    extra = [c for c in df.columns if c not in schema]
    res = pd.DataFrame(out, index=df.index)
    for c in extra:
        res[c] = df[c]
    return res.reset_index(drop=True)


def _coded_as(s: pd.Series, col: str) -> bool:
    """Whether a categorical column ``col`` is coded as a Cohort codes it: event types with
    :data:`EVENT_TYPE_DTYPE`, person ids with text categories."""
    if col == "event_type":
        return len(s.dtype.categories) == len(EVENT_TYPE_DTYPE.categories) and s.dtype == EVENT_TYPE_DTYPE
    return pd.api.types.is_string_dtype(s.dtype.categories.dtype)


def _id_columns(tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """(table, column) of every person-id column present in ``tables``."""
    return [(name, c) for name, df in tables.items() for c in PERSON_ID_COLUMNS.get(name, ())
            if df is not None and c in df.columns]


def _arrow_text(values: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow ``large_string`` (categoricals as their values)."""
    arr = pa.array(values.astype("string"))  # no copy of Arrow-backed text
    arr = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def _dictionary(tables: Mapping[str, pd.DataFrame]) -> tuple[pa.Array, list[np.ndarray]]:
    """One hash pass over every person-id column: the distinct ids (in order of appearance) and
    each column's positions among them (-1: missing)."""
    cols = _id_columns(tables)
    arrays = [_arrow_text(tables[name][c]) for name, c in cols]
    # one contiguous array: one hash table (encoding chunk by chunk, then unifying the
    # dictionaries, costs several times more)
    joined = pa.chunked_array([ch for a in arrays for ch in a.chunks], type=pa.large_string()).combine_chunks()
    encoded = pac.dictionary_encode(joined)
    dictionary = encoded.dictionary
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    ends = np.cumsum([len(a) for a in arrays])
    return dictionary, np.split(codes, ends[:-1])


def person_dtype(tables: Mapping[str, pd.DataFrame]) -> pd.CategoricalDtype:
    """The one person-id dtype of a Cohort: categories are every id of the person-id columns
    (:data:`PERSON_ID_COLUMNS`) of ``tables``, as text, sorted, so that codes sort as ids do.

    In a loaded extract every such id is a person (the loader adds parents named only in
    ``relationships``); a hand-made Cohort may name people it has no ``persons`` row for.

    Examples
    --------
    >>> t = {"persons": pd.DataFrame({"person_id": ["B", "A"]}),
    ...      "links": pd.DataFrame({"parent_id": ["M"], "child_id": ["A"]})}
    >>> list(person_dtype(t).categories)
    ['A', 'B', 'M']
    """
    dictionary, _ = _dictionary(tables)
    return sorted_dtype(dictionary)[0]


def code_tables(tables: Mapping[str, pd.DataFrame], dtype: pd.CategoricalDtype | None = None
                ) -> dict[str, pd.DataFrame]:
    """Conformed tables with person ids coded (one shared categorical ``dtype``, by default
    :func:`person_dtype` of ``tables``), ``event_type`` categorical in journey order and the
    events in :data:`EVENT_ORDER`: the tables of a :class:`Cohort`.

    The ids are hashed once, all columns together (Arrow ``dictionary_encode``); the codes are
    their ranks among the sorted distinct ids. A column already coded with ``dtype`` itself
    (the same object: the loader codes its tables with the dtype it hands over) is kept as it
    is, without hashing; so is an ``event_type`` already of :data:`EVENT_TYPE_DTYPE`.

    Examples
    --------
    >>> t = code_tables({"persons": conform(pd.DataFrame({"person_id": ["B", "A"]}), "persons"),
    ...                  "events": conform(pd.DataFrame({"person_id": ["B", "A"], "event_type": "cla",
    ...                                                 "event_id": ["e1", "e2"]}), "events")})
    >>> t["events"]["person_id"].tolist(), t["events"]["person_id"].cat.codes.tolist()
    (['A', 'B'], [0, 1])
    """
    cols = _id_columns(tables)
    # compared by identity: == would compare every category of two different dtypes
    todo = [(n, c) for n, c in cols if dtype is None or tables[n][c].dtype is not dtype]
    coded = {}
    if todo or dtype is None:
        dictionary, positions = _dictionary({n: tables[n][[c for m, c in todo if m == n]]
                                             for n in dict.fromkeys(n for n, _ in todo)})
        if dtype is None:
            dtype, rank = sorted_dtype(dictionary)
        else:  # the given categories: each distinct id's code in them (-1: not one of them)
            rank = dtype.categories.get_indexer(pd.Index(pd.array(dictionary, dtype="string"))).astype(np.int64)
        for (name, c), pos in zip(todo, positions):
            codes = np.where(pos >= 0, rank[np.maximum(pos, 0)] if len(rank) else -1, -1)
            coded.setdefault(name, {})[c] = pd.Categorical.from_codes(codes, dtype=dtype)
    out = {}
    for name, df in tables.items():
        new = {c: pd.Series(v, index=df.index) for c, v in coded.get(name, {}).items()}
        if name == "events" and not (isinstance(df["event_type"].dtype, pd.CategoricalDtype)
                                     and _coded_as(df["event_type"], "event_type")):
            new["event_type"] = df["event_type"].astype("string").astype(EVENT_TYPE_DTYPE)
        df = df.assign(**new) if new else df
        if name == "events":
            df = sort_events(df)
        out[name] = df
    return out


def sort_events(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` in :data:`EVENT_ORDER` (person code, start date with missing last, journey
    order of the type, event id), index reset; returned as it is when already in that order.

    The order is :func:`event_order` (integer keys; event ids compared only where person,
    date and type tie); rows already in it (as the loader gives them, ``io.events.concat_events``)
    are found so by :func:`events_in_order`, without a sort, and not copied."""
    if events_in_order(events):
        return events.reset_index(drop=True) if not _fresh_index(events) else events
    return events.take(event_order(events)).reset_index(drop=True)


def event_order(events: pd.DataFrame) -> np.ndarray:
    """The row positions that put ``events`` in :data:`EVENT_ORDER` (a stable sort).

    Person code, start date and type code (missing values last) are packed into one int64
    key where their ranges fit (the day number of dates at midnight, as a Cohort holds them),
    else sorted as three keys; one stable sort of that key, then the rows that tie on it are
    sorted by event id (missing ids last, as Arrow sorts them) within their tie. Text is
    compared for those few rows only.

    Examples
    --------
    >>> ev = conform(pd.DataFrame({"person_id": ["B", "A", "A", "A"], "event_type": "cla",
    ...                            "start_date": ["2010-01-01", None, "2011-01-01", "2011-01-01"],
    ...                            "event_id": ["e1", "e2", "e9", "e3"]}), "events")
    >>> event_order(code_tables({"events": ev})["events"].iloc[[0, 1, 2, 3]]).tolist()
    [0, 1, 2, 3]
    >>> ev = ev.assign(person_id=pd.Categorical(ev["person_id"]), event_type=ev["event_type"].astype(EVENT_TYPE_DTYPE))
    >>> event_order(ev).tolist()  # A 2011 e3, A 2011 e9, A no date, B
    [3, 2, 1, 0]
    """
    keys = _int_keys(events)
    key = _packed(keys)
    if key is None:
        order = np.lexsort(keys[::-1])
        key = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)[1].reshape(-1)
    else:
        order = np.argsort(key, kind="stable")
    ranked = key[order]
    tie = ranked[1:] == ranked[:-1]
    if tie.any():
        tied = np.zeros(len(order), dtype=bool)
        tied[:-1] |= tie
        tied[1:] |= tie
        at = np.flatnonzero(tied)
        rows = order[at]
        ids = _arrow_text(events["event_id"].iloc[rows])
        within = pac.sort_indices(pa.table({"k": key[rows], "e": ids}),
                                  sort_keys=[("k", "ascending"), ("e", "ascending")]).to_numpy()
        order[at] = rows[within]
    return order


def _packed(keys: list[np.ndarray]) -> np.ndarray | None:
    """One int64 key ordering rows as the ``keys`` (person code, start ns, type code; missing
    = int64 max) do lexicographically, or None where the dates have times of day or the three
    ranges do not fit in 62 bits."""
    big = np.iinfo(np.int64).max
    person, start, etype = keys
    dated = start != big
    if dated.any():
        since = start[dated] - start[dated].min()
        if (since % DAY_NS != 0).any():
            return None
        start = start.copy()
        start[dated] = since // DAY_NS  # day numbers from the first date; missing stays last
    ranked = []
    for k in (person, start, etype):  # each as 0..top-1, missing as top - 1
        present = k != big
        top = int(k[present].max()) + 2 if present.any() else 1
        ranked.append((np.where(present, k, top - 1), top))
    (p, n_p), (d, n_d), (t, n_t) = ranked
    if n_p * n_d * n_t >= 2 ** 62:
        return None
    return (p * n_d + d) * n_t + t


def _fresh_index(df: pd.DataFrame) -> bool:
    idx = df.index
    return isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1


def _int_keys(events: pd.DataFrame) -> list[np.ndarray]:
    """int64 sort keys of person, start date and event type, missing values last."""
    return [_int_key(events, i) for i in range(3)]


def _int_key(events: pd.DataFrame, i: int) -> np.ndarray:
    """The ``i``-th of :func:`_int_keys` (0 person, 1 start date, 2 event type): one new int64
    array, missing values set to the int64 maximum in place."""
    big = np.iinfo(np.int64).max
    if i == 1:
        start = events["start_date"].to_numpy(dtype="datetime64[ns]")
        key = start.view("int64").copy()
        key[np.isnat(start)] = big
        return key
    codes = events["person_id" if i == 0 else "event_type"].cat.codes.to_numpy()
    key = codes.astype(np.int64)
    key[codes < 0] = big
    return key


def events_in_order(events: pd.DataFrame) -> bool:
    """Whether ``events`` is in :data:`EVENT_ORDER`: integer comparisons of person, date and
    type for every pair of neighbours, event ids compared only where those three tie.

    Examples
    --------
    >>> ev = code_tables({"events": conform(pd.DataFrame({"person_id": ["A", "A"], "event_type": "cla",
    ...                                                   "event_id": ["e2", "e1"]}), "events")})["events"]
    >>> events_in_order(ev), events_in_order(ev.iloc[::-1])
    (True, False)
    """
    n = len(events)
    if n < 2:
        return True
    ok = np.zeros(n - 1, dtype=bool)
    undecided = np.ones(n - 1, dtype=bool)
    for i in range(3):  # lexicographic key[i] <= key[i + 1], column by column (one key held at a time)
        k = _int_key(events, i)
        a, b = k[:-1], k[1:]
        ok |= undecided & (a < b)
        undecided &= a == b
        del k, a, b
    if not (ok | undecided).all():
        return False
    tied = np.flatnonzero(undecided)
    if not len(tied):
        return True
    ids = events["event_id"].astype("string")
    a, b = ids.iloc[tied].reset_index(drop=True), ids.iloc[tied + 1].reset_index(drop=True)
    # missing ids last: a missing id may only be followed by a missing id
    fine = (a <= b).fillna(False) | b.isna()
    return bool(fine.all())


def text_ids(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its coded columns (person ids, event types) back as text.

    Analysis tables leave the Cohort with text ids: they are written, shown and compared
    across Cohorts as text; only the Cohort's own tables are coded.

    Examples
    --------
    >>> t = pd.DataFrame({"child_id": pd.Categorical(["A", "B"]), "n": [1, 2]})
    >>> text_ids(t).dtypes.astype(str).tolist()
    ['string', 'int64']
    """
    coded = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    if not coded:
        return df
    return df.assign(**{c: df[c].astype("string") for c in coded})


def _midnight(dates: pd.Series) -> pd.Series:
    """``dates.dt.normalize()`` (times dropped), skipped when every date is at midnight already
    (as the loader gives them): the test costs less than normalising a million dates."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    if not np.any((values.view("int64") % DAY_NS != 0) & ~np.isnat(values)):
        return dates
    return dates.dt.normalize()



@dataclass(frozen=True)
class Cohort:
    """Canonical tables of one extract plus the audit parameters.

    Build from an extract with :func:`neglect_analysis.io.load_extract`, or by hand with
    :meth:`from_frames`. Tables are described in the module docstring.

    Examples
    --------
    >>> c = Cohort.from_frames(
    ...     persons=pd.DataFrame({"person_id": ["M1", "C1"], "dob": ["1980-01-01", "2005-06-01"]}),
    ...     links=pd.DataFrame({"parent_id": ["M1"], "child_id": ["C1"], "relationship": ["mother_of"]}),
    ...     audit_date="2018-07-31",
    ... )
    >>> c.audit_date.date().isoformat(), len(c.persons), c.links.loc[0, "source"]
    ('2018-07-31', 2, 'relationships')
    """

    persons: pd.DataFrame
    links: pd.DataFrame
    partners: pd.DataFrame
    events: pd.DataFrame
    case_review: pd.DataFrame
    iro_challenges: pd.DataFrame
    audit_date: pd.Timestamp
    ics_start_date: pd.Timestamp = DEFAULT_ICS_START
    authority: str | None = None
    synthetic: bool = False
    source_path: str | None = None
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        dtype = self.persons["person_id"].dtype
        if not isinstance(dtype, pd.CategoricalDtype):
            raise TypeError("Cohort tables must be coded: build a Cohort with Cohort.build, "
                            "Cohort.from_frames or neglect_analysis.io.load_extract")
        for name, cols in PERSON_ID_COLUMNS.items():
            for c in cols:
                if getattr(self, name)[c].dtype != dtype:
                    raise TypeError(f"Cohort.{name}.{c} is not coded with the Cohort's person dtype")
        if self.events["event_type"].dtype != EVENT_TYPE_DTYPE or not events_in_order(self.events):
            raise ValueError("Cohort.events must be coded and sorted by person, start date, type and id")

    @classmethod
    def build(cls, *, persons, links, partners, events, case_review, iro_challenges,
              person_dtype: pd.CategoricalDtype | None = None, **attributes) -> "Cohort":
        """A Cohort of conformed tables (:func:`conform`): person ids coded with one
        :func:`person_dtype` (``person_dtype`` where given: the loader's, whose columns it has
        coded already), event types coded and events sorted (:func:`code_tables`)."""
        tables = code_tables({"persons": persons, "links": links, "partners": partners, "events": events,
                              "case_review": case_review, "iro_challenges": iro_challenges}, person_dtype)
        return cls(**tables, **attributes)

    @property
    def person_dtype(self) -> pd.CategoricalDtype:
        """The one categorical dtype of every person-id column (categories: the ids, sorted)."""
        return self.persons["person_id"].dtype

    def person_codes(self, ids: Iterable[str]) -> np.ndarray:
        """The codes of the person ids ``ids`` (as given by a user), in the order given.

        Raises ``ValueError`` naming every id that is not in the Cohort.

        Examples
        --------
        >>> c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["P2", "P1"]}), audit_date="2018-07-31")
        >>> c.person_codes(["P2", "P1"]).tolist()
        [1, 0]
        >>> c.person_codes(["P1", "X9"])
        Traceback (most recent call last):
        ...
        ValueError: Not in the extract: X9
        """
        ids = pd.Index([str(i) for i in ids], dtype="string")
        codes = self.person_dtype.categories.get_indexer(ids)
        unknown = ids[codes < 0]
        if len(unknown):
            raise ValueError("Not in the extract: " + ", ".join(unknown[:10])
                             + (f" ... ({len(unknown)} ids)" if len(unknown) > 10 else ""))
        return codes.astype(np.int64)

    @classmethod
    def from_frames(
        cls,
        *,
        persons: pd.DataFrame,
        links: pd.DataFrame | None = None,
        partners: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        case_review: pd.DataFrame | None = None,
        iro_challenges: pd.DataFrame | None = None,
        audit_date: str | pd.Timestamp,
        ics_start_date: str | pd.Timestamp = DEFAULT_ICS_START,
        authority: str | None = None,
        synthetic: bool = False,
        source_path: str | None = None,
    ) -> "Cohort":
        """Build a Cohort from (possibly partial) DataFrames, filling and typing columns.

        Defaults for hand-made tables: ``persons.in_extract`` True, ``links.source``
        ``relationships``, ``events.source`` ``ics``, ``events.event_id`` the row number.
        """
        persons = persons.copy()
        if "in_extract" not in persons:
            persons["in_extract"] = True
        links = None if links is None else links.copy()
        if links is not None and "source" not in links:
            links["source"] = "relationships"
        events = None if events is None else events.copy()
        if events is not None:
            if "source" not in events:
                events["source"] = "ics"
            if "event_id" not in events:
                events["event_id"] = [f"E{i + 1}" for i in range(len(events))]
            if "factors" in events:
                events["factors"] = events["factors"].fillna("")
            else:
                events["factors"] = ""
        return cls.build(
            persons=conform(persons, "persons"),
            links=conform(links, "links"),
            partners=conform(partners, "partners"),
            events=conform(events, "events"),
            case_review=conform(case_review, "case_review"),
            iro_challenges=conform(iro_challenges, "iro_challenges"),
            audit_date=pd.Timestamp(audit_date).normalize(),
            ics_start_date=pd.Timestamp(ics_start_date).normalize(),
            authority=authority,
            synthetic=synthetic,
            source_path=source_path,
        )

    def with_tables(self, **tables: pd.DataFrame) -> "Cohort":
        """Return a copy with some tables replaced (conformed to their schema and coded).

        The copy keeps the person dtype where every id of the new tables is one of its
        categories (a part of the Cohort, as a family partition); otherwise (pseudonymised ids)
        the dtype is made again from every table of the copy."""
        new = {name: getattr(self, name) for name in PERSON_ID_COLUMNS}
        new.update({k: conform(v, k) for k, v in tables.items()})
        replaced = {k: new[k] for k in tables}
        ids = person_dtype(replaced).categories
        known = ids.isin(self.person_dtype.categories).all()
        return replace(self, **code_tables(new, self.person_dtype if known else None))

    def label(self) -> str:
        """Short provenance label for outputs, e.g. ``"SYNTHETIC DATA - sample"``."""
        name = self.authority or "extract"
        return f"SYNTHETIC DATA - {name}" if self.synthetic else name
