"""Reading SSD table files (CSV, Excel, Parquet) as text, with column names normalised.

Everything is read as text first so ids keep their leading zeros (``0012`` stays ``0012``).
Empty, whitespace-only and ``NULL`` cells become missing. Each row keeps its row number as the
user sees it in Excel: the header is row 1, the first data row is row 2 (column ``_row``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .spec import FILE_SUFFIXES, MISSING_TEXT, TABLE_ALIASES, TABLE_COLUMNS

#: Name of the column holding the row number as in the file (header = row 1).
ROW = "_row"
#: Encodings tried for CSV, in order (UTF-8 with or without BOM, then Windows-1252).
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252")


def find_table_files(folder: str | Path) -> dict[str, list[Path]]:
    """Map each known table name to the files in ``folder`` that hold it.

    A file holds a table when its name, ignoring case, is the table name (or an older SSD name
    for it, see :data:`~neglect_analysis.io.spec.TABLE_ALIASES`) plus ``.csv``, ``.xlsx`` or
    ``.parquet``. Files are listed in format preference order (CSV, Excel, Parquet).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "SSD_Person.csv").write_text("pers_person_id\\n1\\n")
    >>> _ = (d / "ssd_contact.xlsx").write_bytes(b"")
    >>> {k: [p.name for p in v] for k, v in sorted(find_table_files(d).items())}
    {'ssd_contacts': ['ssd_contact.xlsx'], 'ssd_person': ['SSD_Person.csv']}
    """
    found: dict[str, list[Path]] = {}
    for path in sorted(Path(folder).iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in FILE_SUFFIXES:
            continue
        stem = path.stem.strip().lower()
        table = TABLE_ALIASES.get(stem, stem)
        if table in TABLE_COLUMNS:
            found.setdefault(table, []).append(path)
    for paths in found.values():
        paths.sort(key=lambda p: FILE_SUFFIXES.index(p.suffix.lower()))
    return found


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; real dates as ISO, whole floats without ``.0``."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s):
            s = s.map({True: "Y", False: "N"})
        elif pd.api.types.is_float_dtype(s):
            whole = s.dropna()
            if len(whole) and np.all(np.mod(whole.to_numpy(), 1) == 0):
                s = s.astype("Int64")
        elif s.dtype == object:
            s = s.map(lambda v: v.strftime("%Y-%m-%d %H:%M:%S") if hasattr(v, "strftime") else v)
        out[str(col)] = s.astype("string")
    return pd.DataFrame(out, index=df.index)


def read_raw(path: str | Path) -> tuple[pd.DataFrame, str | None]:
    """Read one file as text; return ``(frame, encoding)`` (encoding None unless CSV).

    CSV is read as UTF-8 (with or without BOM) and, failing that, Windows-1252. Excel: the first
    sheet. Parquet: typed columns are turned back into text.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:  # fast path: pyarrow's multithreaded reader, UTF-8 (BOM handled)
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[],
                             encoding="utf-8-sig", engine="pyarrow")
            return df, "utf-8-sig"
        except Exception:  # not UTF-8, or quoting pyarrow does not take: the C reader decides
            pass
        for encoding in CSV_ENCODINGS:
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[],
                                 encoding=encoding)
                return df, encoding
            except UnicodeDecodeError:
                continue
        raise ValueError(f"{path.name}: cannot be read as UTF-8 or Windows-1252 text")
    if suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
        return _as_text(df), None
    if suffix == ".parquet":
        return _as_text(pd.read_parquet(path)), None
    raise ValueError(f"{path.name}: unsupported file type {suffix!r} (use .csv, .xlsx or .parquet)")


def normalise(df: pd.DataFrame, table: str | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Clean headers and cells; rename known aliases of ``table``; add the ``_row`` column.

    Headers are stripped and lower-cased. Cells are stripped; empty, whitespace-only and
    ``NULL`` cells become missing. Returns the new frame and the aliases applied
    (``{alias: canonical}``). Where both an alias and its canonical column are present, the alias
    is left as an extra column.

    Examples
    --------
    >>> df = pd.DataFrame({" CONT_Contact_Start ": ["2017-03-31"], "cont_person_id": [" 0012 "]})
    >>> out, used = normalise(df, "ssd_contacts")
    >>> list(out.columns), out.loc[0, "cont_person_id"], used
    (['cont_contact_date', 'cont_person_id', '_row'], '0012', {'cont_contact_start': 'cont_contact_date'})
    """
    cols = [str(c).strip().lower() for c in df.columns]
    out = df.copy()
    out.columns = cols
    used: dict[str, str] = {}
    if table is not None:
        aliases = TABLE_COLUMNS[table]["aliases"]
        rename = {}
        for c in cols:
            target = aliases.get(c)
            if target and target not in cols and target not in rename.values():
                rename[c] = target
        used = dict(rename)
        out = out.rename(columns=rename)
    out = out.loc[:, ~out.columns.duplicated()]
    clean = {}
    for c in out.columns:
        s = out[c].astype("string").str.strip()
        s = s.mask(s.isna() | (s == "") | s.str.lower().isin(MISSING_TEXT))
        clean[c] = s
    res = pd.DataFrame(clean, index=out.index)
    res[ROW] = np.arange(2, len(res) + 2, dtype="int64")
    return res.reset_index(drop=True), used


def read_table(path: str | Path, table: str | None = None) -> pd.DataFrame:
    """Read one SSD table file as clean text with the ``_row`` column (header = row 1).

    ``table`` defaults to the file name (``ssd_cp_plans.xlsx`` -> ``ssd_cp_plans``); its
    aliases are renamed to the canonical column names. The CSV encoding used is in
    ``frame.attrs["encoding"]``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "ssd_person.csv"
    >>> _ = p.write_text("PERS_PERSON_ID,pers_dob\\n0012,31/03/2017\\n ,\\n")
    >>> df = read_table(p)
    >>> df["pers_person_id"].tolist(), df["_row"].tolist()
    (['0012', <NA>], [2, 3])
    """
    path = Path(path)
    if table is None:
        stem = path.stem.strip().lower()
        table = TABLE_ALIASES.get(stem, stem)
        table = table if table in TABLE_COLUMNS else None
    raw, encoding = read_raw(path)
    df, _ = normalise(raw, table)
    df.attrs["encoding"] = encoding
    return df
