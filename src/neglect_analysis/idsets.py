"""Membership tests of text ids against large id sets, fast on pandas 3 ``str`` columns.

pandas 3 stores text in Arrow; ``Series.isin`` on such a column converts every value of the
*allowed* set to a Python scalar one by one, which costs seconds once the set holds
100,000 ids (every person of a whole-authority extract). :func:`isin` does the same test in
Arrow's hash-based ``is_in`` kernel (through :class:`IdSet`, the one membership test of the
package). The loader makes one :class:`IdSet` of the persons per load and hands it to every
check; once the persons are final it makes one :class:`PersonCodes` (the Cohort's person dtype)
and each checked id column becomes codes of it from the positions its check found. Analysis
calls :func:`isin` and :func:`positions`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac


def isin(values: pd.Series, allowed) -> pd.Series:
    """``values.isin(allowed)`` for text ids, computed by Arrow; missing values are never in.

    ``allowed`` may be a list, array, Index or Series of text (missing entries are ignored).
    Returns a boolean Series aligned with ``values``. Where the values are not text (e.g.
    integers) it falls back to ``Series.isin``.

    Examples
    --------
    >>> isin(pd.Series(["a", None, "c", "0012"]), pd.Index(["c", "a", "12"])).tolist()
    [True, False, True, False]
    >>> isin(pd.Series([1, 2]), [2]).tolist()
    [False, True]
    >>> isin(pd.Series(["a", None, "c"], dtype="category"), ["c"]).tolist()
    [False, False, True]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded ids: by code, or each id used once
        codes = values.cat.codes.to_numpy()
        hit = np.zeros(len(values.dtype.categories) + 1, dtype=bool)  # code -1: the last, False
        same = same_codes(values.dtype, allowed)
        if same is not None:
            hit[same[same >= 0]] = True
        else:
            used = used_codes(codes, len(values.dtype.categories))
            hit[used] = IdSet(allowed).contains(pd.Series(values.cat.categories.take(used).astype("string"))).to_numpy()
        return pd.Series(hit[codes], index=values.index, dtype=bool)
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values.isin(allowed)
    try:
        return IdSet(allowed).contains(values)
    except (pa.ArrowException, TypeError, ValueError):
        return values.isin(allowed).fillna(False).astype(bool)


def _value_set(allowed) -> pa.Array:
    """``allowed`` as an Arrow text array without missing values (no per-value Python loop
    for pandas or NumPy arrays: ``list()`` of an Arrow-backed array boxes every id)."""
    if isinstance(allowed, (pd.Index, pd.Series, pd.api.extensions.ExtensionArray, np.ndarray)):
        allowed_s = pd.Series(allowed, copy=False)
    else:
        allowed_s = pd.Series(np.asarray(list(allowed), dtype=object))
    return pa.array(allowed_s.astype("string").dropna())


def positions(values: pd.Series, ids: pd.Index | pd.Series) -> np.ndarray:
    """Position of each value in ``ids`` (int64), -1 where absent or missing.

    One hash pass in Arrow (``index_in``): the integer codes to group, sort and merge on
    instead of text. ``ids`` should be distinct (the first position is returned otherwise).

    Examples
    --------
    >>> positions(pd.Series(["b", None, "a", "z"]), pd.Index(["a", "b"])).tolist()
    [1, -1, 0, -1]
    >>> positions(pd.Series(["b", None, "a", "z"], dtype="category"), pd.Index(["a", "b"])).tolist()
    [1, -1, 0, -1]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded ids: by code, or each id used once
        codes = values.cat.codes.to_numpy()
        at = np.full(len(values.dtype.categories) + 1, -1, dtype=np.int64)  # code -1: the last
        same = same_codes(values.dtype, ids)
        if same is not None:  # ids coded alike: the first position of each code
            valid = np.flatnonzero(same >= 0)[::-1]
            at[same[valid]] = valid
        else:
            used = used_codes(codes, len(values.dtype.categories))
            at[used] = positions(pd.Series(values.cat.categories.take(used)), ids)
        return at[codes]
    try:
        arr = pa.array(values.astype("string"))
        value_set = pa.array(pd.Series(ids).astype("string")).cast(arr.type)
        pos = pac.index_in(arr, value_set=value_set).fill_null(-1)
        return np.asarray(pos.to_numpy(zero_copy_only=False), dtype=np.int64)
    except (pa.ArrowException, TypeError, ValueError):
        return pd.Index(ids).get_indexer(values).astype(np.int64)


def used_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """The distinct codes (0 to ``n`` - 1) in ``codes``, ascending; -1 (missing) left out.

    Examples
    --------
    >>> used_codes(np.array([3, -1, 0, 3]), 5).tolist()
    [0, 3]
    """
    codes = np.asarray(codes)
    return np.flatnonzero(np.bincount(codes[codes >= 0], minlength=n))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a 1-D integer array by a sort (NumPy 2's ``np.unique`` hashes,
    about 20 times slower on two million codes).

    Examples
    --------
    >>> distinct_sorted(np.array([7, 3, 7, -1, 3])).tolist()
    [-1, 3, 7]
    """
    v = np.sort(np.asarray(values), kind="stable")
    return v[np.r_[True, v[1:] != v[:-1]]] if len(v) else v


def first_of_each(values: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct value of a 1-D integer array, in
    the order of the values (``np.unique(values, return_index=True)[1]``, by a sort).

    Examples
    --------
    >>> first_of_each(np.array([5, 2, 5, 2, 9])).tolist()
    [1, 0, 4]
    """
    order = np.argsort(np.asarray(values), kind="stable")
    v = np.asarray(values)[order]
    return order[np.r_[True, v[1:] != v[:-1]]] if len(v) else order


def same_codes(dtype: pd.CategoricalDtype, ids) -> np.ndarray | None:
    """The codes of ``ids`` when they are coded in ``dtype`` too (a categorical of the same
    dtype: the Cohort's person dtype), else None (text, looked up by value).

    Examples
    --------
    >>> d = pd.CategoricalDtype(["a", "b"])
    >>> same_codes(d, pd.Series(["b", None], dtype=d)).tolist(), same_codes(d, pd.Index(["b"]))
    ([1, -1], None)
    """
    other = getattr(ids, "dtype", None)
    if not isinstance(other, pd.CategoricalDtype) or not (other is dtype or other == dtype):
        return None
    return np.asarray(pd.Categorical(ids, dtype=dtype).codes, dtype=np.int64)


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """``values`` as Arrow text, missing values as nulls."""
    return pa.array(values.astype("string"))


class IdSet:
    """A set of text ids (the persons of ``ssd_person``) held as one Arrow array, made once
    per load and passed to every membership test of that load.

    Each test then works in Arrow alone: no copy of the ids through pandas per test. A table
    shorter than the set is tested the cheaper way round: the ids it names are picked out of
    the set first (a hash of the table's values, the set's ids looked up in it), then the
    table is tested against those few. Either way the answer is ``isin(values, ids)``; missing
    values are never in the set.

    Examples
    --------
    >>> persons = IdSet(pd.Index(["P1", "P2", "P3"]))
    >>> persons.contains(pd.Series(["P2", None, "X"])).tolist()
    [True, False, False]
    >>> persons.contains(pd.Series(["P3", "P1", "P1", "Y"])).tolist()
    [True, True, True, False]
    """

    def __init__(self, ids):
        arr = _value_set(ids)
        self.ids = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr

    def __len__(self) -> int:
        return len(self.ids)

    def contains(self, values: pd.Series) -> pd.Series:
        """Whether each value is in the set (boolean Series aligned with ``values``)."""
        arr = _arrow_text(values)
        ids = self.ids if self.ids.type == arr.type else self.ids.cast(arr.type)
        if len(arr) < len(ids):  # hash the table's values, not every id of the set
            table = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            ids = ids.filter(pac.is_in(ids, value_set=table))
        hit = pac.is_in(arr, value_set=ids).fill_null(False)
        return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)

    def positions(self, *columns: pd.Series) -> list[np.ndarray]:
        """Position in the set (int64; -1: absent or missing) of each value of each column,
        found in one lookup for all the columns.

        Examples
        --------
        >>> parent, child = IdSet(pd.Index(["M", "C"])).positions(pd.Series(["M", "X"]), pd.Series(["C", None]))
        >>> parent.tolist(), child.tolist()
        ([0, -1], [1, -1])
        """
        chunks = []
        for c in columns:
            arr = _arrow_text(c)
            chunks += arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        joined = pa.chunked_array([ch.cast(self.ids.type) for ch in chunks], type=self.ids.type)
        pos = pac.index_in(joined, value_set=self.ids).fill_null(-1).to_numpy(zero_copy_only=False)
        ends = np.cumsum([len(c) for c in columns])
        return np.split(pos.astype(np.int64), ends[:-1])


def id_set(ids: "IdSet | pd.Index | pd.Series") -> IdSet:
    """``ids`` as an :class:`IdSet` (made here when given an Index or Series of ids).

    Examples
    --------
    >>> s = IdSet(pd.Index(["a"]))
    >>> id_set(s) is s, len(id_set(pd.Index(["a", "b"])))
    (True, 2)
    """
    return ids if isinstance(ids, IdSet) else IdSet(ids)


def sorted_dtype(ids: pa.Array | pa.ChunkedArray) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """The categorical dtype whose categories are the distinct text ``ids`` sorted (Arrow's
    byte order), and each entry's code in it (its rank): ``codes = rank[position]``.

    The one definition of a Cohort's person dtype (:func:`neglect_analysis.cohort.person_dtype`
    and :class:`PersonCodes` both call it), so codes sort as the ids do.

    Examples
    --------
    >>> dtype, rank = sorted_dtype(pa.array(["M", "C", "A"]))
    >>> list(dtype.categories), rank.tolist()
    (['A', 'C', 'M'], [2, 1, 0])
    """
    order = pac.sort_indices(ids).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    categories = pd.Index(pd.array(ids.take(pa.array(order)), dtype="string"))
    return pd.CategoricalDtype(categories), rank


class PersonCodes:
    """The persons of one load coded once: membership in ``ssd_person`` and the Cohort's person
    dtype, so that a checked id column becomes codes without hashing its ids again.

    ``members`` (an :class:`IdSet`) are the people of ``ssd_person`` that every check tests
    against; ``others`` are ids that are no row of it but are still people of the Cohort
    (parents named only by the link table, partners): they get codes but are not members.
    Every id is one position in :attr:`ids` (the members first, in their order, then the
    others); :meth:`coded` turns positions (as :meth:`IdSet.positions` gives them, -1 for
    none) into a categorical of :attr:`dtype`, whose categories are :attr:`ids` sorted
    (:func:`sorted_dtype`): the dtype ``cohort.person_dtype`` makes of the same ids.

    Examples
    --------
    >>> persons = PersonCodes(IdSet(pd.Index(["P2", "P1"])), others=pd.Index(["M9"]))
    >>> list(persons.dtype.categories)
    ['M9', 'P1', 'P2']
    >>> at = persons.members.positions(pd.Series(["P1", "X", "P2"]))[0]  # -1: X is no member
    >>> at.tolist(), persons.coded(at).codes.tolist()
    ([1, -1, 0], [1, -1, 2])
    """

    def __init__(self, members: IdSet, others=None):
        self.members = members
        ids = members.ids
        if others is not None and len(others):
            extra = _value_set(others)
            extra = extra.combine_chunks() if isinstance(extra, pa.ChunkedArray) else extra
            ids = pa.concat_arrays([ids.cast(pa.large_string()), extra.cast(pa.large_string())])
        self.ids = ids
        self.dtype, self.rank = sorted_dtype(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def coded(self, at: np.ndarray) -> pd.Categorical:
        """Positions in :attr:`ids` (-1: none) as a categorical of :attr:`dtype` (-1: missing)."""
        at = np.asarray(at, dtype=np.int64)
        codes = np.where(at >= 0, self.rank[np.maximum(at, 0)], -1) if len(self.rank) else np.full(len(at), -1)
        return pd.Categorical.from_codes(codes, dtype=self.dtype, validate=False)


def person_codes(ids: "PersonCodes | IdSet | pd.Index | pd.Series") -> PersonCodes:
    """``ids`` as :class:`PersonCodes` (made here, every id a member, when given an
    :class:`IdSet`, an Index or a Series of distinct ids).

    Examples
    --------
    >>> p = person_codes(pd.Index(["b", "a"]))
    >>> person_codes(p) is p, list(p.dtype.categories)
    (True, ['a', 'b'])
    """
    return ids if isinstance(ids, PersonCodes) else PersonCodes(id_set(ids))


def members(ids: "PersonCodes | IdSet | pd.Index | pd.Series") -> IdSet:
    """The :class:`IdSet` a membership test uses: the members of :class:`PersonCodes`, else
    ``ids`` as an :class:`IdSet` (:func:`id_set`).

    Examples
    --------
    >>> len(members(PersonCodes(IdSet(pd.Index(["a"])), others=pd.Index(["b"])))), len(members(pd.Index(["a", "b"])))
    (1, 2)
    """
    return ids.members if isinstance(ids, PersonCodes) else id_set(ids)
