"""Membership tests of text ids against large id sets, fast on pandas 3 ``str`` columns.

pandas 3 stores text in Arrow; ``Series.isin`` on such a column converts every value of the
*allowed* set to a Python scalar one by one, which costs seconds once the set holds
100,000 ids (every person of a whole-authority extract). :func:`isin` does the same test in
Arrow's hash-based ``is_in`` kernel. Used on the hot paths of loading and analysis.
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
    """
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values.isin(allowed)
    try:
        arr = pa.array(values.astype("string"))
        value_set = _value_set(allowed).cast(arr.type)
        hit = pac.is_in(arr, value_set=value_set).fill_null(False).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):
        return values.isin(allowed).fillna(False).astype(bool)
    return pd.Series(np.asarray(hit, dtype=bool), index=values.index)


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
    """
    try:
        arr = pa.array(values.astype("string"))
        value_set = pa.array(pd.Series(ids).astype("string")).cast(arr.type)
        pos = pac.index_in(arr, value_set=value_set).fill_null(-1)
        return np.asarray(pos.to_numpy(zero_copy_only=False), dtype=np.int64)
    except (pa.ArrowException, TypeError, ValueError):
        return pd.Index(ids).get_indexer(values).astype(np.int64)
