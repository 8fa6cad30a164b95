"""Reading SSD table files (CSV, Excel, Parquet) as text, with column names normalised.

Everything is read as text first so ids keep their leading zeros (``0012`` stays ``0012``).
Empty, whitespace-only and missing-value text (``NULL``, ``NaN``, ``N/A`` ...) become missing. Each row keeps its row number as the
user sees it in Excel: the header is row 1, the first data row is row 2 (column ``_row``).
"""
from __future__ import annotations

import contextlib
import csv
import itertools
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import pyarrow.parquet as pq

from .arrowtext import arrow_text, text_series
from .spec import FILE_SUFFIXES, LITERAL_TEXT_COLUMNS, MISSING_TEXT, TABLE_ALIASES, TABLE_COLUMNS

#: Name of the column holding the row number as in the file (header = row 1).
ROW = "_row"
#: Encodings tried for CSV, in order (UTF-8 with or without BOM, then Windows-1252).
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252")
#: Rows searched for the column names when the first row lacks them (title rows above a table).
HEADER_SCAN_ROWS = 10
#: CSV files from this size are read by pyarrow (multithreaded); smaller ones by pandas' C
#: reader, which starts faster.
ARROW_MIN_BYTES = 1_000_000
#: An .xlsx whose parts expand (unzipped) to more than this many bytes is refused unread.
XLSX_MAX_BYTES = 2 * 1024 ** 3
#: ... and so is one expanding to more than this many times its own size, from
#: :data:`XLSX_RATIO_FROM_BYTES` bytes expanded: real workbooks expand 5 to 30 times (their
#: XML repeats itself), a decompression bomb (a few KB holding a 500 MB cell) thousands.
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM_BYTES = 32 * 1024 ** 2


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


@dataclass
class RawFile:
    """One table file as read, before any check: text cells and what the reader noticed.

    ``header_row``: file row (1-based, as in Excel) of the column names. ``sheet``: the Excel
    sheet read and ``other_sheets`` those ignored. ``formulas``: ``(row, column, formula)`` of
    Excel cells holding a formula (not evaluated: read as empty). ``numeric_columns``: columns
    where Excel or Parquet held numbers (ids there may have lost leading zeros). ``empty``: the
    file has no bytes at all.
    """

    df: pd.DataFrame
    encoding: str | None = None
    header_row: int = 1
    sheet: str | None = None
    other_sheets: list[str] = field(default_factory=list)
    formulas: list[tuple[int, str, str]] = field(default_factory=list)
    numeric_columns: list[str] = field(default_factory=list)
    empty: bool = False
    ragged: list[tuple[int, int, int]] = field(default_factory=list)


def _text_cell(v) -> object:
    """One Excel / Parquet cell as text: dates ISO, whole numbers without ``.0``, bools Y/N."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "Y" if v else "N"
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", errors="replace")
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        if v != v:  # NaN
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _as_text(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Every column as text (real dates ISO, whole floats without ``.0``); also the numeric columns."""
    out = {}
    numeric = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s):
            s = s.map({True: "Y", False: "N"})
        elif pd.api.types.is_float_dtype(s):
            numeric.append(str(col))
            whole = s.dropna()
            if len(whole) and np.all(np.mod(whole.to_numpy(), 1) == 0):
                s = s.astype("Int64")
        elif pd.api.types.is_integer_dtype(s):
            numeric.append(str(col))
        elif s.dtype == object:
            s = s.map(_text_cell)
        out[str(col)] = s.astype("string")
    return pd.DataFrame(out, index=df.index), numeric


def _header_keys(table: str | None) -> list[set[str]] | None:
    """For each required column of ``table``, the names (canonical and aliases) that give it."""
    if table is None:
        return None
    spec = TABLE_COLUMNS[table]
    keys = []
    for col in spec["required"]:
        names = {col} | {a for a, c in spec["aliases"].items() if c == col}
        keys.append(names)
    return keys


def _is_header(cells, keys: list[set[str]] | None) -> bool:
    """True when ``cells`` (one row) name every required column (ignoring case and spaces)."""
    if not keys:
        return False
    names = {str(c).strip().lower() for c in cells if c is not None and str(c).strip()}
    return all(k & names for k in keys)


def find_header(rows: list[list], table: str | None, *, scan_rows: int = HEADER_SCAN_ROWS) -> int:
    """Index (0-based) of the row holding the column names among the first ``scan_rows`` rows.

    The first row is the header unless it lacks a required column of ``table`` and a later
    row (a title or notes row above the table, as Excel reports often have) has them all.

    Examples
    --------
    >>> find_header([["Contacts run 31/07/2018"], ["cont_contact_id", "cont_person_id",
    ...              "CONT_CONTACT_DATE"], ["K1", "P1", "2017-01-01"]], "ssd_contacts")
    1
    >>> find_header([["x"], ["y"]], "ssd_contacts")
    0
    """
    keys = _header_keys(table)
    if not rows or _is_header(rows[0], keys):
        return 0
    for i, cells in enumerate(rows[:scan_rows]):
        if _is_header(cells, keys):
            return i
    return 0


@contextlib.contextmanager
def _any_field_size():
    """Let Python's csv module read fields of any size (its default limit is 128 KB, and a
    longer field made the whole table unreadable); the limit is put back afterwards."""
    before = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def sniff_utf16(head: bytes) -> str | None:
    """``"utf-16"`` when ``head`` (a file's first bytes) is UTF-16 text (a byte order mark,
    or a zero byte in every other place), else None.

    Examples
    --------
    >>> sniff_utf16("id,dob\\n".encode("utf-16")), sniff_utf16("id,dob".encode("utf-16-le"))
    ('utf-16', 'utf-16-le')
    >>> sniff_utf16(b"id,dob\\n") is None
    True
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    pairs = len(head) // 2
    if pairs >= 2:
        even, odd = head[0:2 * pairs:2], head[1:2 * pairs:2]
        if odd.count(0) == pairs and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) == pairs and odd.count(0) == 0:
            return "utf-16-be"
    return None


def _read_csv(path: Path, table: str | None) -> RawFile:
    if path.stat().st_size == 0:
        return RawFile(pd.DataFrame(), "utf-8-sig", empty=True)
    with path.open("rb") as fh:
        utf16 = sniff_utf16(fh.read(4096))
    with _any_field_size():
        return _read_csv_text(path, table, (utf16,) if utf16 else CSV_ENCODINGS)


def _read_csv_text(path: Path, table: str | None, encodings: tuple[str, ...]) -> RawFile:
    encoding = None
    for enc in encodings:
        try:
            with path.open(encoding=enc, newline="") as fh:
                head = list(itertools.islice(csv.reader(fh), HEADER_SCAN_ROWS))
            encoding = enc
            break
        except UnicodeDecodeError:
            continue
    if encoding is None:  # pragma: no cover - cp1252 decodes nearly every byte
        raise ValueError(f"{path.name}: cannot be read as {' or '.join(encodings)} text")
    skip = find_header(head, table)
    # the header may be on a later physical line when title rows are blank lines
    kwargs = dict(dtype=str, keep_default_na=False, na_values=[], skip_blank_lines=False,
                  skiprows=skip)
    df = None
    if encoding == "utf-8-sig" and skip == 0 and path.stat().st_size >= ARROW_MIN_BYTES:
        try:  # fast path for large files: pyarrow's multithreaded reader. Arrow reads UTF-8
            # natively and skips a byte-order mark itself; naming "utf-8-sig" would make it
            # decode the whole file through Python's codec first (3 times slower). Text that
            # is not UTF-8 fails Arrow's check and goes to the C reader below (then cp1252).
            df = pd.read_csv(path, encoding="utf-8", engine="pyarrow", **kwargs)
        except Exception:  # quoting or ragged rows pyarrow does not take: the C reader decides
            df = None
    ragged: list[tuple[int, int, int]] = []
    if df is None:
        try:
            df, ragged = _read_csv_c(path, encoding, kwargs, skip)
        except UnicodeDecodeError:
            if encoding != "utf-8-sig":
                raise
            encoding = "cp1252"
            df, ragged = _read_csv_c(path, encoding, kwargs, skip)
    return RawFile(df, encoding, header_row=skip + 1, ragged=ragged)


_RAGGED = "\x00ragged:"


def _read_csv_c(path: Path, encoding: str, kwargs: dict, skip: int):
    """pandas' C reader; rows with too many values (an unquoted comma in text) are kept as
    empty rows, so later row numbers still match the file, and listed for the report."""
    try:
        return pd.read_csv(path, encoding=encoding, **kwargs), []
    except pd.errors.ParserError:
        pass
    width = {}

    def bad_line(fields: list[str]) -> list[str]:
        return [_RAGGED + str(len(fields))] + [""] * (width["n"] - 1)

    header = pd.read_csv(path, encoding=encoding, nrows=0, **kwargs)
    width["n"] = len(header.columns)
    df = pd.read_csv(path, encoding=encoding, engine="python", on_bad_lines=bad_line, **kwargs)
    first = df.iloc[:, 0].astype("string")
    marked = first.str.startswith(_RAGGED).fillna(False).astype(bool)
    ragged = [(skip + 2 + int(i), int(first[i][len(_RAGGED):]), width["n"]) for i in df.index[marked]]
    if marked.any():
        df.iloc[np.flatnonzero(marked.to_numpy()), 0] = ""
    return df, ragged


def _read_xlsx(path: Path, table: str | None) -> RawFile:
    """Read the sheet named as the table, else the first sheet with the table's columns, else
    the first sheet. Formulas are reported, never evaluated (their cells read as empty)."""
    import openpyxl

    check_zip_size(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        names = wb.sheetnames
        keys = _header_keys(table)
        grids = {}

        def grid(name):
            if name not in grids:
                ws = wb[name]
                # the <dimension> record can be stale (fewer rows than the sheet holds):
                # read every row there is, never only those it announces
                ws.reset_dimensions()
                grids[name] = [list(r) for r in ws.iter_rows()]
            return grids[name]

        chosen = None
        if table is not None:
            chosen = next((n for n in names if n.strip().lower() == table), None)
            if chosen is None:
                chosen = next((n for n in names
                               if any(_is_header([c.value for c in r], keys)
                                      for r in grid(n)[:HEADER_SCAN_ROWS])), None)
        chosen = chosen or names[0]
        cells = grid(chosen)
    finally:
        wb.close()
    if not cells:
        return RawFile(pd.DataFrame(), None, sheet=chosen,
                       other_sheets=[n for n in names if n != chosen], empty=True)
    first_row = getattr(cells[0][0], "row", 1) if cells[0] else 1
    values = [[c.value for c in r] for r in cells]
    h = find_header(values, table)
    header = [("" if v is None else str(v)) for v in values[h]]
    width = len(header)
    while width and header[width - 1] == "":
        width -= 1
    header = [c or f"column_{i + 1}" for i, c in enumerate(header[:width])]
    formulas = []
    numeric = set()
    data = []
    for i, r in enumerate(cells[h + 1:]):
        row = []
        for j in range(width):
            c = r[j] if j < len(r) else None
            v = getattr(c, "value", None)
            if getattr(c, "data_type", None) == "f" or (isinstance(v, str) and v.startswith("=")
                                                        and getattr(c, "data_type", "s") == "f"):
                formulas.append((first_row + h + 1 + i, header[j].strip().lower(), str(v)))
                v = None
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                numeric.add(header[j])
            row.append(_text_cell(v))
        data.append(row)
    df = pd.DataFrame(data, columns=header, dtype="string") if data else pd.DataFrame(
        {c: pd.Series(dtype="string") for c in header})
    return RawFile(df, None, header_row=first_row + h, sheet=chosen,
                   other_sheets=[n for n in names if n != chosen], formulas=formulas,
                   numeric_columns=[str(c).strip().lower() for c in header if c in numeric])


def check_zip_size(path: Path, *, max_bytes: int | None = None, max_ratio: float | None = None,
                   ratio_from: int | None = None) -> None:
    """Refuse an .xlsx (a zip) that expands too much, before anything is unzipped.

    Raises ``ValueError`` naming the sizes when the parts' declared sizes add up to more than
    ``max_bytes`` (default :data:`XLSX_MAX_BYTES`), or to more than ``max_ratio`` times the
    file's size once past ``ratio_from`` bytes (defaults :data:`XLSX_MAX_RATIO`,
    :data:`XLSX_RATIO_FROM_BYTES`). The declared sizes bound what is unzipped (Python's
    ``zipfile`` stops at them). A file that is no zip is left to the workbook reader.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/sharedStrings.xml", "a" * 1_000_000)
    >>> check_zip_size(p)
    >>> check_zip_size(p, max_ratio=10, ratio_from=0)
    Traceback (most recent call last):
    ...
    ValueError: it expands to 1.0 MB, more than 10 times its size: a damaged workbook or a decompression bomb; not opened
    """
    max_bytes = XLSX_MAX_BYTES if max_bytes is None else max_bytes
    max_ratio = XLSX_MAX_RATIO if max_ratio is None else max_ratio
    ratio_from = XLSX_RATIO_FROM_BYTES if ratio_from is None else ratio_from
    try:
        with zipfile.ZipFile(path) as z:
            expanded = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        return
    size = max(path.stat().st_size, 1)
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    if expanded > max_bytes:
        raise ValueError(f"it expands to {mb(expanded)}, more than {mb(max_bytes)}: a damaged "
                         "workbook or a decompression bomb; not opened")
    if expanded > ratio_from and expanded > max_ratio * size:
        raise ValueError(f"it expands to {mb(expanded)}, more than {max_ratio:g} times its size: a "
                         "damaged workbook or a decompression bomb; not opened")


def read_file(path: str | Path, table: str | None = None) -> RawFile:
    """Read one table file as text, finding its header row (and sheet); see :class:`RawFile`.

    CSV is read as UTF-8 (with or without BOM) and, failing that, Windows-1252; blank lines
    are kept as (empty) rows so row numbers match the file. Excel: the sheet named as the
    table, else the first sheet holding the table's required columns, else the first sheet.
    Parquet: typed columns are turned back into text.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "ssd_person.csv"
    >>> _ = p.write_text("Extract of 31/07/2018\\npers_person_id,pers_dob\\n0012,31/03/2017\\n")
    >>> raw = read_file(p, "ssd_person")
    >>> raw.header_row, raw.df["pers_person_id"].tolist()
    (2, ['0012'])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".xlsx":
        return _read_xlsx(path, table)
    if suffix == ".parquet":
        if path.stat().st_size == 0:
            return RawFile(pd.DataFrame(), None, empty=True)
        data = _binary_as_text(pq.read_table(path))
        if _all_text(data.schema):  # the usual case: take the text as Arrow holds it
            return RawFile(pd.DataFrame({c: text_series(data.column(c)) for c in data.column_names}))
        df, numeric = _as_text(data.to_pandas())
        return RawFile(df, None, numeric_columns=[c.strip().lower() for c in numeric])
    raise ValueError(f"{path.name}: unsupported file type {suffix!r} (use .csv, .xlsx or .parquet)")


def _binary_as_text(data: pa.Table) -> pa.Table:
    """Binary columns (some SQL exports write ids as bytes) as UTF-8 text; bytes that are not
    UTF-8 are decoded with replacement characters.

    Examples
    --------
    >>> t = _binary_as_text(pa.table({"id": pa.array([b"P001", None], pa.binary())}))
    >>> t.schema.field("id").type, t.column("id").to_pylist()
    (DataType(string), ['P001', None])
    """
    for i, f in enumerate(data.schema):
        if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type):
            col = data.column(i)
            try:
                text = col.cast(pa.large_string() if pa.types.is_large_binary(f.type) else pa.string())
            except pa.ArrowInvalid:
                text = pa.array([None if b is None else b.decode("utf-8", errors="replace")
                                 for b in col.to_pylist()], type=pa.string())
            data = data.set_column(i, pa.field(f.name, text.type), text)
    return data


def _all_text(schema: pa.Schema) -> bool:
    """Whether every column of a Parquet file is text, with distinct names and no pandas index
    stored as a column: then the file's columns are the table's, as text, with no conversion."""
    names = schema.names
    index = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    return (not index and len(set(names)) == len(names)
            and all(pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in schema))


def read_raw(path: str | Path) -> tuple[pd.DataFrame, str | None]:
    """Read one file as text; return ``(frame, encoding)`` (see :func:`read_file`)."""
    path = Path(path)
    stem = path.stem.strip().lower()
    table = TABLE_ALIASES.get(stem, stem)
    raw = read_file(path, table if table in TABLE_COLUMNS else None)
    return raw.df, raw.encoding


def excel_column(i: int) -> str:
    """Excel column letter of the 0-based column position ``i`` (0 -> A, 27 -> AB).

    Examples
    --------
    >>> excel_column(0), excel_column(25), excel_column(27)
    ('A', 'Z', 'AB')
    """
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _any_case(words) -> tuple[str, ...]:
    """Every upper/lower-case spelling of ``words`` (ASCII): testing a cell against these is
    testing its lower-cased text against ``words``, without lower-casing every cell. (No
    non-ASCII letter lower-cases to a letter of :data:`MISSING_TEXT`.)"""
    out = set()
    for w in words:
        out.update(map("".join, itertools.product(*[sorted({ch.lower(), ch.upper()}) for ch in w])))
    return tuple(sorted(out))


_MISSING_ANY_CASE = _any_case(MISSING_TEXT)
#: The missing-value words in every spelling, as the Arrow set cells are looked up in.
_MISSING_WORDS = pa.array(_MISSING_ANY_CASE, type=pa.large_string())
#: Length in bytes of the longest missing-value word: a longer cell is never one.
_MISSING_MAX_BYTES = max(len(w.encode()) for w in MISSING_TEXT)


def _clean_cells(cells: pa.Array, *, literal: bool = False) -> pa.Array:
    """One column's cells stripped, with empty cells and (unless ``literal``) missing-value
    words (:data:`~neglect_analysis.io.spec.MISSING_TEXT`, any case) set missing.

    Arrow kernels over the column; the word lookup is skipped when no cell is short enough to
    be a missing-value word (ids, dates, JSON).

    Examples
    --------
    >>> _clean_cells(pa.array([" 0012 ", "", "  ", "N/A", "null", None, "Nan-x"])).to_pylist()
    ['0012', None, None, None, None, None, 'Nan-x']
    >>> _clean_cells(pa.array(["N/A", " "]), literal=True).to_pylist()
    ['N/A', None]
    """
    text = cells if _no_edge_space(cells) else pac.utf8_trim_whitespace(cells)
    length = pac.binary_length(text)
    if not pac.any(pac.less_equal(length, _MISSING_MAX_BYTES)).as_py():
        return text  # no cell is empty or a missing-value word
    missing = pac.equal(length, 0)
    if not literal:
        missing = pac.or_(missing, pac.is_in(text, value_set=_MISSING_WORDS.cast(text.type)))
    return pac.if_else(missing, pa.scalar(None, type=text.type), text)


def _no_edge_space(cells: pa.Array | pa.ChunkedArray) -> bool:
    """Whether no cell can need stripping: every cell's first and last byte is a printable
    ASCII character (read from the Arrow buffers; saves copying the column to strip it).

    Conservative: a space, control character or non-ASCII byte at either end of any cell
    gives False, and the column is stripped. An empty or null cell has no bytes: the bytes
    read at its place are the neighbouring cells' edges (the buffer's last byte before the
    first cell), checked anyway.

    Examples
    --------
    >>> _no_edge_space(pa.array(["a", "bc", None, ""])), _no_edge_space(pa.array(["a ", "b"]))
    (True, False)
    """
    for chunk in (cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]):
        _, offsets, data = chunk.buffers()
        if data is None or len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data, dtype=np.uint8)
        if len(data) == 0:
            continue
        for edge in (data[np.minimum(offsets[:-1], len(data) - 1)], data[offsets[1:] - 1]):
            if not ((edge > 0x20) & (edge < 0x7F)).all():
                return False
    return True


def normalise(df: pd.DataFrame, table: str | None = None, *,
              header_row: int = 1) -> tuple[pd.DataFrame, dict[str, str]]:
    """Clean headers and cells; rename known aliases of ``table``; add the ``_row`` column.

    Headers are stripped and lower-cased. Cells are stripped; empty, whitespace-only and
    missing-value text (``NULL``, ``NaN``, ``N/A``, ``NA``, ``None``, ``#N/A``: see
    :data:`~neglect_analysis.io.spec.MISSING_TEXT`) become missing, except in the free-text
    columns of :data:`~neglect_analysis.io.spec.LITERAL_TEXT_COLUMNS`. Returns the new frame
    and the aliases applied (``{alias: canonical}``). Where both an alias and its canonical
    column are present, the alias is left as an extra column. Columns whose names repeat once
    case is ignored keep the first; ``frame.attrs["duplicate_columns"]`` lists
    ``(name, first_letter, repeat_letter, same_values)``. ``_row`` is the row in the file
    (the header is on ``header_row``).

    Examples
    --------
    >>> df = pd.DataFrame({" CONT_Contact_Start ": ["2017-03-31"], "cont_person_id": [" 0012 "]})
    >>> out, used = normalise(df, "ssd_contacts")
    >>> list(out.columns), out.loc[0, "cont_person_id"], used
    (['cont_contact_date', 'cont_person_id', '_row'], '0012', {'cont_contact_start': 'cont_contact_date'})
    """
    cols = _demangle([str(c).strip().lower() for c in df.columns])
    out = df.copy(deep=False)  # new column names only: no copy of the cells (cleaned below)
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
    dup = out.columns.duplicated()
    duplicates = []
    literal = LITERAL_TEXT_COLUMNS.get(table, ()) if table else ()
    clean = {}
    for pos, c in enumerate(out.columns):
        cells = _clean_cells(arrow_text(out.iloc[:, pos]), literal=c in literal)
        s = text_series(cells, index=out.index)
        if dup[pos]:
            first = list(out.columns).index(c)
            same = bool(s.fillna("\x00").equals(clean[c].fillna("\x00")))
            duplicates.append((c, excel_column(first), excel_column(pos), same))
            continue
        clean[c] = s
    res = pd.DataFrame(clean, index=out.index)
    res[ROW] = np.arange(header_row + 1, header_row + 1 + len(res), dtype="int64")
    res = res.reset_index(drop=True)
    res.attrs["duplicate_columns"] = duplicates
    return res, used


def _demangle(cols: list[str]) -> list[str]:
    """Undo pandas' renaming of repeated CSV header names (``a``, ``a.1``) so repeats are seen."""
    seen = set(cols)
    out = []
    for c in cols:
        base, dot, n = c.rpartition(".")
        out.append(base if dot and n.isdigit() and base in seen else c)
    return out


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
    raw = read_file(path, table)
    df, _ = normalise(raw.df, table, header_row=raw.header_row)
    df.attrs["encoding"] = raw.encoding
    return df
