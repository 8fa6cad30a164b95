"""Writing tables for people: CSV that opens cleanly in Excel, byte-identical for the same data.

Dates are written ISO (``2018-07-31``), columns in years (name containing ``years``) to 2 decimals, whole
numbers without decimals, missing values as empty cells; UTF-8 and ``\\n`` line endings.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


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
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            txt = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s):
            txt = s.astype("Int64").astype("string")
        elif pd.api.types.is_integer_dtype(s):
            txt = s.astype("Int64").astype("string")
        elif pd.api.types.is_float_dtype(s):
            if "years" in str(col):
                txt = s.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
            elif s.dropna().apply(float.is_integer).all() and str(col).startswith(("n_", "days", "lead_time", "age_")):
                txt = s.astype("Int64").astype("string")
            else:
                txt = s.map(lambda v: "" if pd.isna(v) else repr(float(np.round(v, 10))))
        else:
            txt = s.astype("string")
        out[col] = txt.fillna("").astype(object)
    return pd.DataFrame(out, index=df.index)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV with :func:`format_for_csv`; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    format_for_csv(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path
