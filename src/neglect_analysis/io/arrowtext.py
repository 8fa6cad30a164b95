"""Text columns as Arrow arrays: distinct values, repeats, cleaning, without Python objects.

pandas 3 keeps text in Arrow. These helpers call Arrow kernels directly where the pandas
equivalents would box every cell (``Series.map`` on text, ``factorize`` then ``to_numpy``) or
hash every cell again for each check. They are used by the loader only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac


def arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """``values`` as Arrow text (nulls where missing): no copy for Arrow-backed text, whose
    chunks (one per Parquet row group, say) are kept; Arrow kernels take either.

    Examples
    --------
    >>> arrow_text(pd.Series(["a", None])).to_pylist()
    ['a', None]
    """
    return pa.array(values.astype("string"))


def text_series(arr: pa.Array | pa.ChunkedArray, index: pd.Index | None = None) -> pd.Series:
    """An Arrow text array as a pandas ``string`` Series (the inverse of :func:`arrow_text`).

    Examples
    --------
    >>> text_series(pa.array(["a", None])).tolist()
    ['a', <NA>]
    """
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=index, copy=False)


def repeat_text(value: str | None, index: pd.Index) -> pd.Series:
    """A ``string`` Series holding ``value`` (None: missing) on every row of ``index``, made
    by Arrow (a pandas scalar broadcast builds a Python object per row first).

    Examples
    --------
    >>> repeat_text("ics", pd.RangeIndex(2)).tolist(), repeat_text(None, pd.RangeIndex(1)).tolist()
    (['ics', 'ics'], [<NA>])
    """
    if value is None:
        return text_series(pa.nulls(len(index), type=pa.large_string()), index)
    return text_series(pa.repeat(pa.scalar(value, type=pa.large_string()), len(index)), index)


def distinct_codes(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)`` of a text column: one hash pass (Arrow ``dictionary_encode``).

    ``uniques`` holds each distinct non-missing value once (``string`` dtype, in order of first
    appearance); ``codes`` (int64, one per row) is the position of the row's value in
    ``uniques``, -1 where missing. Like ``pd.factorize(values)``, without converting the codes
    through pandas. Work done per distinct value is mapped back with ``result[codes]``.
    A categorical of text (a Cohort's label column) is coded already: its codes and its
    categories (which may include values no row holds), with no hash at all.

    Examples
    --------
    >>> codes, uniques = distinct_codes(pd.Series(["b", None, "a", "b"]))
    >>> codes.tolist(), uniques.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    >>> codes, uniques = distinct_codes(pd.Series(["b", None, "a", "b"], dtype="category"))
    >>> codes.tolist(), uniques.tolist()
    ([1, -1, 0, 1], ['a', 'b'])
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques = pd.Series(values.cat.categories.astype("string").array, copy=False)
        return values.cat.codes.to_numpy().astype(np.int64), uniques
    encoded = pac.dictionary_encode(arrow_text(values))
    if isinstance(encoded, pa.ChunkedArray):  # one dictionary for all chunks, indices end to end
        encoded = encoded.unify_dictionaries()
        if encoded.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), text_series(pa.array([], type=pa.large_string()))
        dictionary = encoded.chunk(0).dictionary
        indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks], type=pa.int32())
    else:
        dictionary, indices = encoded.dictionary, encoded.indices
    codes = indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, text_series(dictionary)


def map_distinct(values: pd.Series, fn) -> pd.Series:
    """``fn(values)`` computed on the distinct values only, then taken back to the rows.

    ``fn`` takes and returns a Series (same index, any dtype with missing values) and must work
    value by value (``str.upper``, ``isin``, a regex): a column of a million rows with a dozen
    codes costs a dozen evaluations. Missing values stay missing.

    Examples
    --------
    >>> map_distinct(pd.Series([" n1", None, " n1"]), lambda u: u.str.strip().str.upper()).tolist()
    ['N1', <NA>, 'N1']
    """
    codes, uniques = distinct_codes(values)
    result = fn(uniques)
    return pd.Series(result.array.take(codes, allow_fill=True), index=values.index)


def take_codes(per_value: np.ndarray, codes: np.ndarray, missing) -> np.ndarray:
    """Map a result per distinct value back to the rows: ``per_value[codes]``, ``missing`` at -1.

    Examples
    --------
    >>> take_codes(np.array([10, 20]), np.array([1, -1, 0]), 0).tolist()
    [20, 0, 10]
    """
    per_value = np.asarray(per_value)
    if len(per_value) == 0:  # every row missing
        return np.full(len(codes), missing, dtype=per_value.dtype)
    out = per_value[codes]  # -1 takes the last value: replaced just below
    out[codes < 0] = missing
    return out


def has_repeats(values: pd.Series) -> bool:
    """Whether a non-missing value occurs more than once (sorting: no hash of every id).

    For a column of ids that are nearly all distinct, sorting then comparing neighbours costs
    less than hashing every id (Arrow's hash table grows with every new value); ids already in
    increasing order need no sort.

    Examples
    --------
    >>> has_repeats(pd.Series(["b", None, "a", None])), has_repeats(pd.Series(["b", "a", "b"]))
    (False, True)
    """
    arr = arrow_text(values).drop_null()
    if len(arr) < 2:
        return False
    if pac.all(pac.less(arr[:-1], arr[1:])).as_py():
        return False  # in increasing order already (extracts often are): all distinct
    ordered = arr.take(pac.sort_indices(arr))
    return bool(pac.any(pac.equal(ordered[1:], ordered[:-1])).as_py())
