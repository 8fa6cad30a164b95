"""Writing tables for people: CSV that opens cleanly in Excel, byte-identical for the same data.

Dates are written ISO (``2018-07-31``), columns in years (name containing ``years``) to 2 decimals, whole
numbers without decimals, missing values as empty cells; UTF-8 and ``\\n`` line endings.

Text is never a live formula (OWASP "CSV injection"): a text cell (or column name) that a
spreadsheet would evaluate, one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, is written with a single quote ``'`` in front (:func:`neutralise_formulas`), unless the
whole cell is a plain number such as ``-3`` or ``+0.5``. Numbers and dates are never changed.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import pyarrow.csv as pacsv


#: First characters that make a spreadsheet read a typed or imported text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A text cell that is a plain decimal number (Excel reads it as that number: nothing to run).
PLAIN_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def neutralise_formulas(text: pa.Array) -> pa.Array:
    """Put a single quote before each text cell a spreadsheet would evaluate as a formula.

    A cell is neutralised when it starts with one of :data:`FORMULA_START` and is not a plain
    number (:data:`PLAIN_NUMBER`); other cells, and missing cells, are returned as they are.
    Excel and LibreOffice show the cell as text, with the quote. The one rule for every CSV
    this package writes (the ``.xlsx`` writer stores extract text as string cells instead).

    Examples
    --------
    >>> cells = pa.array(["=HYPERLINK(A1)", "+1", "-1+2", "@SUM(A1)", "-3", "P001", None, ""])
    >>> neutralise_formulas(cells).to_pylist()
    ["'=HYPERLINK(A1)", '+1', "'-1+2", "'@SUM(A1)", '-3', 'P001', None, '']
    """
    starts = pac.match_substring_regex(text, "^[=+\\-@\t\r]")
    number = pac.match_substring_regex(text, f"^{PLAIN_NUMBER}$")
    risky = pac.and_(starts, pac.invert(number))
    if not pac.any(risky).as_py():
        return text
    quoted = pac.binary_join_element_wise(pa.scalar("'", text.type), text, pa.scalar("", text.type))
    return pac.if_else(risky, quoted, text)


def format_for_csv(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every column as text ready for CSV.

    Examples
    --------
    >>> df = pd.DataFrame({"dob": pd.to_datetime(["2018-07-27", None]),
    ...                    "age_span_years": [10.4567, np.nan],
    ...                    "n": pd.array([3, None], dtype="Int64")})
    >>> format_for_csv(df).values.tolist()
    [['2018-07-27', '10.46', '3'], ['', '', '']]
    """
    text = _text_columns(df)
    return pd.DataFrame({c: pd.Series(a.to_numpy(zero_copy_only=False), index=df.index, dtype=object)
                         for c, a in text.items()}, index=df.index)


def _text_columns(df: pd.DataFrame) -> dict:
    """Every column of ``df`` as an Arrow text array, missing values as empty text."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            txt = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s):
            txt = _int_text(s)
        elif pd.api.types.is_float_dtype(s):
            x = s.to_numpy(dtype=np.float64, na_value=np.nan)
            known = ~np.isnan(x)
            if "years" in str(col):
                txt = _float_text(x, known, lambda v: f"{v:.2f}", df.index)
            elif _all_whole(x[known]) and str(col).startswith(("n_", "days", "lead_time", "age_")):
                txt = _int_text(s)
            else:
                txt = _float_text(np.round(x, 10), known, repr, df.index)
        else:
            txt = pa.array(s.astype("string"), type=pa.large_string())
            if isinstance(txt, pa.ChunkedArray):
                txt = txt.combine_chunks()
            txt = neutralise_formulas(txt)
        if not isinstance(txt, pa.Array):
            txt = pa.array(txt.astype("string"), type=pa.large_string())
        out[col] = txt.cast(pa.large_string()).fill_null("")
    return out


def _int_text(s: pd.Series) -> pa.Array:
    """Whole numbers (or booleans as 1/0) as decimal text, by Arrow."""
    return pac.cast(pa.array(s.astype("Int64")), pa.large_string())


def _all_whole(x: np.ndarray) -> bool:
    """Whether every value is a whole number (``float.is_integer``: infinities are not)."""
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.isfinite(x) & (np.mod(x, 1.0) == 0)))


def _float_text(x: np.ndarray, known: np.ndarray, fmt, index: pd.Index) -> pd.Series:
    """``fmt`` of each known value (as a Python float), empty text where missing."""
    out = np.full(len(x), "", dtype=object)
    out[known] = [fmt(v) for v in x[known].tolist()]
    return pd.Series(out, index=index, dtype=object)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV with :func:`format_for_csv`; returns the path.

    The cells are written by Arrow's CSV writer when no cell needs quoting (the usual case:
    ids, codes, dates, numbers) and by :meth:`pandas.DataFrame.to_csv` otherwise; both give
    the same bytes: the header line by the :mod:`csv` module as pandas writes it, no quotes
    around plain cells, minimal quoting where a cell holds a comma, quote or line break.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> n = pd.array([1, None], dtype="Int64")
    >>> plain = write_csv(pd.DataFrame({"id": ["a", "b"], "n": n}), os.path.join(d, "p.csv"))
    >>> plain.read_text().splitlines()
    ['id,n', 'a,1', 'b,']
    >>> quoted = write_csv(pd.DataFrame({"id": ["a"], "note": ["x, y"]}), os.path.join(d, "q.csv"))
    >>> quoted.read_text().splitlines()
    ['id,note', 'a,"x, y"']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = neutralise_formulas(pa.array([str(c) for c in df.columns], type=pa.large_string())).to_pylist()
    body = _arrow_body(df)
    if body is None:
        cells = format_for_csv(df)
        cells.columns = names
        cells.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    else:
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(names)
        path.write_bytes(header.getvalue().encode("utf-8") + body)
    return path


def _arrow_body(df: pd.DataFrame) -> bytes | None:
    """The CSV rows of ``df`` (no header) written by Arrow without quoting, or ``None`` when
    Arrow cannot give the bytes pandas would: a cell that needs quotes (Arrow refuses it),
    a single column (the csv module writes an empty cell alone on its line as ``""``), or
    repeated column names."""
    if len(df.columns) < 2 or not df.columns.is_unique:
        return None
    table = pa.table({str(c): a for c, a in _text_columns(df).items()})
    buf = io.BytesIO()
    try:
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:
        return None
    return buf.getvalue()
