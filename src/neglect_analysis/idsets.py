"""Membership tests of text ids against large id sets, fast on pandas 3 ``str`` columns.

pandas 3 stores text in Arrow; ``Series.isin`` on such a column converts every value of the
*allowed* set to a Python scalar one by one, which costs seconds once the set holds
100,000 ids (every person of a whole-authority extract). :func:`isin` does the same test in
Arrow's hash-based ``is_in`` kernel (through :class:`IdSet`, the one membership test of the
package). The loader makes one :class:`IdSet` of the persons per load and hands it to every
check; analysis calls :func:`isin` and :func:`positions`.
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
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded ids: test each category once
        hit = IdSet(allowed).contains(pd.Series(values.cat.categories.astype("string"))).to_numpy()
        codes = values.cat.codes.to_numpy()
        return pd.Series(np.append(hit, False)[codes], index=values.index, dtype=bool)
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
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded ids: look up each category once
        at = positions(pd.Series(values.cat.categories.astype("string")), ids)
        return np.append(at, -1)[values.cat.codes.to_numpy()]
    try:
        arr = pa.array(values.astype("string"))
        value_set = pa.array(pd.Series(ids).astype("string")).cast(arr.type)
        pos = pac.index_in(arr, value_set=value_set).fill_null(-1)
        return np.asarray(pos.to_numpy(zero_copy_only=False), dtype=np.int64)
    except (pa.ArrowException, TypeError, ValueError):
        return pd.Index(ids).get_indexer(values).astype(np.int64)


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
