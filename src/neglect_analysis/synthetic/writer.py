"""Text formatting of the generated tables and writing them as an SSD extract folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .families import NO_DATE

#: File order of an extract (DESIGN.md "Input: an SSD extract" plus the extension tables).
TABLE_ORDER: tuple[str, ...] = (
    "ssd_person", "ssd_contacts", "ssd_early_help_episodes", "ssd_cin_episodes",
    "ssd_cin_assessments", "ssd_assessment_factors", "ssd_s47_enquiry",
    "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cla_episodes", "ssd_pre_proceedings",
    "relationships", "paper_records", "case_review", "iro_challenges",
)


def is_date_column(name: str) -> bool:
    """Columns holding dates: names ending in ``date`` or ``dob``.

    Examples
    --------
    >>> is_date_column("pers_dob"), is_date_column("cine_close_reason")
    (True, False)
    """
    return name.endswith("date") or name.endswith("dob")


def iso_dates(days: np.ndarray) -> np.ndarray:
    """ISO ``YYYY-MM-DD`` text (``None`` for missing) from integer days since 1970-01-01.

    Examples
    --------
    >>> iso_dates(np.array([0, NO_DATE])).tolist()
    ['1970-01-01', None]
    """
    days = np.asarray(days, dtype=np.int64)
    missing = days == NO_DATE
    text = np.datetime_as_string(np.where(missing, 0, days).astype("datetime64[D]"), unit="D")
    out = text.astype(object)
    out[missing] = None
    return out


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text (pandas ``str`` dtype), dates ISO, missing as NA.

    Examples
    --------
    >>> as_text(pd.DataFrame({"x_date": [0], "n": [3]})).iloc[0].tolist()
    ['1970-01-01', '3']
    """
    out = {}
    for col in frame.columns:
        values = frame[col].to_numpy()
        out[col] = _arrow_text(col, values)
        if out[col] is None:  # anything unusual: the general (slower) conversion
            if is_date_column(col) and values.dtype.kind in "iu":
                values = iso_dates(values)
            out[col] = pd.Series(values, dtype="str")
    return pd.DataFrame(out, columns=list(frame.columns))


def _arrow_text(col: str, values: np.ndarray) -> pd.Series | None:
    """:func:`as_text` of one column by Arrow casts (same text, no Python objects); None
    where the column is neither integer days nor all text."""
    try:
        if is_date_column(col) and values.dtype.kind in "iu":
            days = values.astype(np.int64)
            missing = days == NO_DATE
            arr = pa.array(np.where(missing, 0, days).astype(np.int32), mask=missing)
            return pd.Series(arr.cast(pa.date32()).cast(pa.large_string()), dtype="str")
        if values.dtype == object:
            return pd.Series(pa.array(values, type=pa.large_string(), from_pandas=True), dtype="str")
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return None


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, fmt: str = "csv",
                 meta: dict | None = None) -> list[Path]:
    """Write each table as ``<name>.csv`` (or ``.parquet``) and ``extract.json``; return paths.

    CSV: UTF-8, ``\\n`` line ends, empty cells for missing; bytes depend only on the tables.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> [p.name for p in write_tables({"case_review": pd.DataFrame({"a": ["x"]})}, d, meta={"seed": 1})]
    ['case_review.csv', 'extract.json']
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    names = [t for t in TABLE_ORDER if t in tables] + sorted(set(tables) - set(TABLE_ORDER))
    for name in names:
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            tables[name].to_csv(path, index=False, lineterminator="\n", encoding="utf-8", na_rep="")
        else:
            tables[name].to_parquet(path, index=False, engine="pyarrow")
        paths.append(path)
    if meta is not None:
        path = out / "extract.json"
        path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
