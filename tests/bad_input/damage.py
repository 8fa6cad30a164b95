"""Helpers that damage a copied extract folder: read a table, change cells, write it back.

Rows are named as the analyst sees them in Excel: the header is row 1, the first data row row 2.
Tables are read and written as plain text (every cell a string), so a helper changes only what
it means to change.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd


def path(folder: Path, table: str, suffix: str = ".csv") -> Path:
    return Path(folder) / f"{table}{suffix}"


def read(folder: Path, table: str) -> pd.DataFrame:
    """A CSV table as text (missing cells are empty strings)."""
    return pd.read_csv(path(folder, table), dtype=str, keep_default_na=False, na_values=[])


def write(folder: Path, table: str, df: pd.DataFrame, *, encoding: str = "utf-8") -> None:
    """Write a table back as CSV (quoting only where needed, as SSD scripts do)."""
    df.to_csv(path(folder, table), index=False, encoding=encoding, lineterminator="\n")


def set_cells(folder: Path, table: str, changes: dict[tuple[int, str], str]) -> None:
    """Set cells: ``{(excel_row, column): value}``."""
    df = read(folder, table)
    for (row, col), value in changes.items():
        df.loc[row - 2, col] = value
    write(folder, table, df)


def append(folder: Path, table: str, rows: list[dict]) -> None:
    """Append rows (missing columns left empty)."""
    df = read(folder, table)
    extra = pd.DataFrame([{c: str(r.get(c, "")) for c in df.columns} for r in rows], columns=df.columns)
    write(folder, table, pd.concat([df, extra], ignore_index=True))


def add_person(folder: Path, person_id: str, dob: str = "", sex: str = "F") -> None:
    append(folder, "ssd_person", [{"pers_person_id": person_id, "pers_sex": sex, "pers_dob": dob}])


def add_links(folder: Path, *links: tuple[str, str, str]) -> None:
    """Append ``(person_id, related_person_id, relationship)`` rows to relationships."""
    append(folder, "relationships", [{"person_id": p, "related_person_id": c, "relationship": r}
                                     for p, c, r in links])


def rename_column(folder: Path, table: str, old: str, new: str) -> None:
    write(folder, table, read(folder, table).rename(columns={old: new}))


def drop_column(folder: Path, table: str, column: str) -> None:
    write(folder, table, read(folder, table).drop(columns=[column]))


def delete(folder: Path, table: str, suffix: str = ".csv") -> None:
    path(folder, table, suffix).unlink()


def prepend_lines(folder: Path, table: str, lines: list[str]) -> None:
    p = path(folder, table)
    p.write_text("".join(line + "\n" for line in lines) + p.read_text(encoding="utf-8"), encoding="utf-8")


def insert_lines(folder: Path, table: str, after_row: int, lines: list[str]) -> None:
    """Insert raw text lines after the file line ``after_row`` (no quoted newlines in the table)."""
    p = path(folder, table)
    text = p.read_text(encoding="utf-8").splitlines()
    text[after_row:after_row] = lines
    p.write_text("\n".join(text) + "\n", encoding="utf-8")


def to_xlsx(folder: Path, table: str, *, sheets: dict[str, list[list]] | None = None,
            data_sheet: str | None = None, title_rows: list[list] | None = None,
            typed: dict[str, str] | None = None, formulas: dict[tuple[int, str], str] | None = None,
            ) -> None:
    """Replace ``table.csv`` by ``table.xlsx`` written with openpyxl.

    ``sheets``: other sheets (name -> rows) placed before and after the data sheet (names
    starting with ``~`` go after it); ``data_sheet``: the data sheet's name (default the
    table); ``title_rows``: rows above the header; ``typed``: column -> ``date`` (real Excel
    dates) or ``number`` (numbers, as Excel stores them: floats); ``formulas``:
    ``{(data_row_as_in_csv, column): "=A1+1"}`` written as formulas (rows shift with title rows).
    """
    import openpyxl

    df = read(folder, table)
    typed = typed or {}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = sheets or {}
    for name, rows in sheets.items():
        if not name.startswith("~"):
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
    ws = wb.create_sheet(data_sheet or table)
    for r in title_rows or []:
        ws.append(r)
    ws.append(list(df.columns))
    for _, rec in df.iterrows():
        row = []
        for col, v in rec.items():
            if v == "":
                row.append(None)
            elif typed.get(col) == "date":
                row.append(pd.Timestamp(v).to_pydatetime())
            elif typed.get(col) == "number":
                row.append(float(v))
            else:
                row.append(v)
        ws.append(row)
    offset = len(title_rows or [])
    for (row, col), formula in (formulas or {}).items():
        ws.cell(row=row + offset, column=list(df.columns).index(col) + 1, value=formula)
    for name, rows in sheets.items():
        if name.startswith("~"):
            extra = wb.create_sheet(name[1:])
            for r in rows:
                extra.append(r)
    wb.save(path(folder, table, ".xlsx"))
    path(folder, table).unlink()


def to_parquet(folder: Path, table: str) -> None:
    """Replace ``table.csv`` by ``table.parquet`` with text columns."""
    read(folder, table).replace("", None).to_parquet(path(folder, table, ".parquet"), index=False)
    path(folder, table).unlink()


def rename_ids(folder: Path, mapping: dict[str, str], tables: list[str], columns: list[str]) -> None:
    """Replace ids in the given columns of the given tables (ids not in ``mapping`` unchanged)."""
    for table in tables:
        df = read(folder, table)
        for col in columns:
            if col in df.columns:
                df[col] = df[col].map(lambda v: mapping.get(v, v))
        write(folder, table, df)


def write_json_text(folder: Path, text: str) -> None:
    (Path(folder) / "extract.json").write_text(text, encoding="utf-8")


def set_json(folder: Path, **values) -> None:
    p = Path(folder) / "extract.json"
    meta = json.loads(p.read_text(encoding="utf-8"))
    meta.update(values)
    p.write_text(json.dumps(meta), encoding="utf-8")


def csv_line(values: list[str]) -> str:
    """One CSV line, quoted as a CSV writer would."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def stale_dimension(folder: Path, table: str, ref: str) -> None:
    """Overwrite the ``<dimension ref=...>`` record of ``table.xlsx``'s sheet with ``ref`` (as a
    program that appends rows without updating it leaves it)."""
    import re
    import zipfile

    p = path(folder, table, ".xlsx")
    with zipfile.ZipFile(p) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    for n in sheets:
        xml = parts[n].decode("utf-8")
        if "<dimension " in xml:
            parts[n] = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml).encode("utf-8")
        else:
            parts[n] = xml.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1).encode("utf-8")
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def zip_bomb(folder: Path, table: str, expanded_bytes: int) -> None:
    """Replace ``table.csv`` by a ``table.xlsx`` holding one part of ``expanded_bytes`` repeated
    bytes (a few KB zipped): what a decompression bomb looks like from outside."""
    import zipfile

    with zipfile.ZipFile(path(folder, table, ".xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            block = b"a" * 1_000_000
            for _ in range(expanded_bytes // len(block)):
                part.write(block)
            part.write(b"a" * (expanded_bytes % len(block)))
    path(folder, table).unlink()


def to_binary_parquet(folder: Path, table: str, binary: list[str]) -> None:
    """Replace ``table.csv`` by ``table.parquet`` with the ``binary`` columns stored as bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = read(folder, table).replace("", None)
    cols = {c: pa.array([None if v is None else (v.encode("utf-8") if c in binary else v) for v in df[c]],
                        type=pa.binary() if c in binary else pa.string()) for c in df.columns}
    pq.write_table(pa.table(cols), path(folder, table, ".parquet"))
    path(folder, table).unlink()
