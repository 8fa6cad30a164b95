"""Text formatting of the generated tables and writing them as an SSD extract folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

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


class ExtractWriter:
    """Write an extract folder block by block: each table's rows appended as they come.

    CSV: the first block writes the header and its rows, later blocks append rows (UTF-8,
    ``\\n`` line ends, empty cells for missing), so the file is byte for byte that of the
    whole table written at once. Parquet: one ``pyarrow.parquet.ParquetWriter`` per table,
    one row group per block, every block cast to the first block's schema. :meth:`close`
    finishes the files and writes ``extract.json``. Use as a context manager.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with ExtractWriter(d) as w:
    ...     w.append({"case_review": pd.DataFrame({"a": ["x"]})})
    ...     w.append({"case_review": pd.DataFrame({"a": ["y"]})})
    ...     paths = w.close({"seed": 1})
    >>> [p.name for p in paths], paths[0].read_text()
    (['case_review.csv', 'extract.json'], 'a\\nx\\ny\\n')
    """

    def __init__(self, out_dir: str | Path, *, fmt: str = "csv") -> None:
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
        self.out = Path(out_dir)
        self.fmt = fmt
        self.paths: dict[str, Path] = {}
        self.parquet: dict[str, pq.ParquetWriter] = {}
        self.out.mkdir(parents=True, exist_ok=True)

    def append(self, tables: dict[str, pd.DataFrame]) -> None:
        """Append each table's rows to its file (the file is made by the first block)."""
        names = [t for t in TABLE_ORDER if t in tables] + sorted(set(tables) - set(TABLE_ORDER))
        for name in names:
            first = name not in self.paths
            path = self.paths.setdefault(name, self.out / f"{name}.{self.fmt}")
            if self.fmt == "csv":
                tables[name].to_csv(path, mode="w" if first else "a", header=first, index=False,
                                    lineterminator="\n", encoding="utf-8", na_rep="")
                continue
            writer = self.parquet.get(name)
            table = pa.Table.from_pandas(tables[name], preserve_index=False,
                                         schema=writer.schema if writer is not None else None)
            if writer is None:
                writer = self.parquet[name] = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)

    def close(self, meta: dict | None = None) -> list[Path]:
        """Finish every file, write ``extract.json`` (if ``meta``); return the paths written."""
        for writer in self.parquet.values():
            writer.close()
        self.parquet = {}
        paths = list(self.paths.values())
        if meta is not None:
            path = self.out / "extract.json"
            path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            paths.append(path)
        return paths

    def __enter__(self) -> ExtractWriter:
        return self

    def __exit__(self, *exc) -> None:
        for writer in self.parquet.values():
            writer.close()
        self.parquet = {}


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, fmt: str = "csv",
                 meta: dict | None = None) -> list[Path]:
    """Write each table as ``<name>.csv`` (or ``.parquet``) and ``extract.json``; return paths.

    CSV: UTF-8, ``\\n`` line ends, empty cells for missing; bytes depend only on the tables.
    (One block of :class:`ExtractWriter`.)

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> [p.name for p in write_tables({"case_review": pd.DataFrame({"a": ["x"]})}, d, meta={"seed": 1})]
    ['case_review.csv', 'extract.json']
    """
    with ExtractWriter(out_dir, fmt=fmt) as writer:
        writer.append(tables)
        return writer.close(meta)
