"""Issue 14 ("Shareable means safe"), input hardening: the reader and check details behind the
bad-input cases of tests/bad_input/cases.py (which run them end to end through the CLI)."""
from __future__ import annotations

import csv
import re
import zipfile

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neglect_analysis.io import load_extract
from neglect_analysis.io.dates import parse_dates, parse_dates_checked
from neglect_analysis.io.metadata import read_metadata
from neglect_analysis.io.readers import check_zip_size, read_file, read_table
from neglect_analysis.io.validation import (MAX_SHOWN_CHARS, ProblemLog, quote, render_problems,
                                            shorten_values)


def _xlsx_with_stale_dimension(path, n_rows: int, ref: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ssd_person"
    ws.append(["pers_person_id", "pers_dob"])
    for i in range(n_rows):
        ws.append([f"P{i + 1:03d}", "2010-01-01"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    assert "<dimension " in xml
    parts[sheet] = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_xlsx_stale_dimension_reads_every_row(tmp_path):
    # The file: 19 rows under a dimension record announcing 9 (A1:B10) were read as
    # "9 read, 9 used, 0 dropped". All 19 are read now.
    _xlsx_with_stale_dimension(tmp_path / "ssd_person.xlsx", 19, "A1:B10")
    (tmp_path / "relationships.csv").write_text("person_id,related_person_id,relationship\n")
    df = read_table(tmp_path / "ssd_person.xlsx")
    assert df["pers_person_id"].tolist() == [f"P{i:03d}" for i in range(1, 20)]
    assert df["_row"].tolist() == list(range(2, 21))
    _, report = load_extract(tmp_path, audit_date="2018-07-31")
    counts = report.counts.set_index("table").loc["ssd_person"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_reported"]) == (19, 19, 0)


def _bomb(path, n_bytes: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"a" * n_bytes)


def test_zip_size_guard_refuses_by_ratio_and_by_size(tmp_path):
    p = tmp_path / "ssd_person.xlsx"
    _bomb(p, 2_000_000)  # 2 MB of one byte: a few KB zipped (ratio far above 100)
    assert p.stat().st_size < 20_000
    check_zip_size(p)  # under the default floor of 32 MiB expanded: let through
    with pytest.raises(ValueError, match=r"^it expands to 2\.0 MB, more than 100 times its size"):
        check_zip_size(p, ratio_from=1_000_000)
    check_zip_size(p, ratio_from=1_000_000, max_ratio=1e6)  # a ratio allowed
    with pytest.raises(ValueError, match=r"^it expands to 2\.0 MB, more than 1\.0 MB: "):
        check_zip_size(p, max_bytes=1_000_000, max_ratio=1e6)
    # not a zip at all: left to the workbook reader, whose own message is reported
    q = tmp_path / "other.xlsx"
    q.write_bytes(b"not a workbook")
    check_zip_size(q)


def test_zip_size_guard_stops_the_workbook_reader(tmp_path, monkeypatch):
    import neglect_analysis.io.readers as readers

    p = tmp_path / "ssd_person.xlsx"
    _bomb(p, 2_000_000)
    monkeypatch.setattr(readers, "XLSX_RATIO_FROM_BYTES", 1_000_000)
    with pytest.raises(ValueError, match="decompression bomb; not opened"):
        read_file(p, "ssd_person")


def test_csv_field_over_128kb_read_and_limit_restored(tmp_path):
    before = csv.field_size_limit()
    p = tmp_path / "paper_records.csv"
    p.write_text("person_id,event_date,event_type,detail\nP1,2017-01-01,contact," + "x" * 300_000 + "\n")
    df = read_table(p)
    assert df["detail"].str.len().tolist() == [300_000]
    assert csv.field_size_limit() == before


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_large_csv_fast_path_bom_and_late_windows_1252(tmp_path, encoding):
    # A file over ARROW_MIN_BYTES goes to Arrow's reader (told "utf-8": it skips the BOM
    # itself). Its last row holds "Renée": valid UTF-8 with the BOM; in cp1252 the byte 0xE9
    # is not UTF-8, so Arrow refuses the file and the C reader reads it as cp1252.
    from neglect_analysis.io.readers import ARROW_MIN_BYTES

    n = ARROW_MIN_BYTES // 20 + 1  # each row "000000,2010-01-01,F\n" is 20 bytes: over the limit
    rows = "".join(f"{i:06d},2010-01-01,F\n" for i in range(n))
    p = tmp_path / "ssd_person.csv"
    p.write_bytes(("pers_person_id,pers_dob,pers_sex\n" + rows + "Renée,2010-01-02,\n").encode(encoding))
    assert p.stat().st_size >= ARROW_MIN_BYTES
    raw = read_file(p, "ssd_person")
    assert raw.encoding == encoding
    assert list(raw.df.columns) == ["pers_person_id", "pers_dob", "pers_sex"]  # no BOM in a name
    assert len(raw.df) == n + 1
    assert raw.df.iloc[0].tolist() == ["000000", "2010-01-01", "F"]
    assert raw.df.iloc[-1].tolist() == ["Renée", "2010-01-02", ""]  # empty cell kept as ""


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_detected_with_or_without_bom(tmp_path, encoding):
    p = tmp_path / "ssd_person.csv"
    p.write_bytes("pers_person_id,pers_dob\nRenée,2010-01-01\n".encode(encoding))
    raw = read_file(p, "ssd_person")
    assert raw.encoding.startswith("utf-16")
    assert raw.df["pers_person_id"].tolist() == ["Renée"]


def test_binary_parquet_ids_are_decoded(tmp_path):
    p = tmp_path / "ssd_person.parquet"
    pq.write_table(pa.table({"pers_person_id": pa.array([b"0012", b"P\xc3\xa9", b"\xff", None], pa.binary()),
                             "pers_dob": pa.array(["2010-01-01"] * 4)}), p)
    df = read_table(p)
    # UTF-8 bytes decoded (0012 keeps its zeros); bytes that are not UTF-8 get U+FFFD
    assert df["pers_person_id"].tolist()[:3] == ["0012", "Pé", "\ufffd"]
    assert pd.isna(df["pers_person_id"].iloc[3])


def test_parse_dates_checked_tells_out_of_range_from_not_a_date():
    s = pd.Series(["1066-10-14", "14/10/1066", "2999-01-01", "1899-12-31", "2200-01-01",
                   "2199-12-31", "1900-01-01", "2017-02-30", "hello", "60", "9999-12-31", None])
    dates, bad, out = parse_dates_checked(s)
    assert out.tolist() == [True, True, True, True, True, False, False, False, False, False, False, False]
    assert bad.tolist() == [False] * 7 + [True, True, True, False, False]
    assert dates.dt.strftime("%Y-%m-%d").tolist()[5:7] == ["2199-12-31", "1900-01-01"]
    assert parse_dates(s)[1].tolist() == (bad | out).tolist()  # parse_dates: both are bad


def test_extract_json_date_out_of_range(tmp_path):
    (tmp_path / "extract.json").write_text('{"audit_date": "2999-01-01"}')
    meta, problems = read_metadata(tmp_path)
    assert "audit_date" not in meta
    assert problems == ["extract.json: audit_date 2999-01-01 is out of range (dates from 1900-01-01 "
                        "to 2199-12-31 are read); ignored. Correct the date"]


def test_long_values_are_cut_in_texts_and_values():
    log = ProblemLog()
    long_id = "Q" * 20_000_000  # the 20 MB id
    log.add(table="t", file="t.csv", rows=[2], column="cont_person_id", values=[long_id],
            message=["t.csv row 2: cont_person_id " + quote(long_id, "person") + " is unknown"],
            severity="error", action="dropped", check="unknown_person")
    shown = log.frame()
    cut = "Q" * MAX_SHOWN_CHARS + "… (20000000 characters)"
    assert shown.loc[0, "problem"] == f"t.csv row 2: cont_person_id {cut} is unknown"
    assert shown.loc[0, "value"] == cut
    marked = log.frame(marked=True)
    assert marked.loc[0, "value"] == long_id  # kept whole for pseudonymisation
    assert shorten_values(pd.Series(["ab", None], dtype="string")).tolist() == ["ab", pd.NA]


def test_marks_inside_values_cannot_break_a_text():
    text = pd.Series(["a " + quote(pd.Series(["x\x03y\x02z"]), "person").iloc[0] + " b"])
    assert render_problems(text).tolist() == ["a x?y?z b"]
    assert render_problems(text, ids=lambda kind, v: "ID").tolist() == ["a ID b"]


def test_report_problems_carry_no_marks(tmp_path):
    (tmp_path / "ssd_person.csv").write_text("pers_person_id,pers_dob\nP1,2010-01-01\n")
    (tmp_path / "relationships.csv").write_text("person_id,related_person_id,relationship\nM 1,P1,mother_of\n")
    _, report = load_extract(tmp_path, audit_date="2018-07-31")
    assert not report.problems["problem"].str.contains("[\x02\x03]").any()
    rel = (report.problems["table"] == "relationships").to_numpy()
    assert report.problems.loc[rel, "problem"].tolist() == [
        "relationships.csv row 2: person_id M 1 (a parent) is not in ssd_person; kept with unknown "
        "date of birth"]
    assert report.marked.loc[rel, "problem"].tolist() == [
        "relationships.csv row 2: person_id \x02pM 1\x03 (a parent) is not in ssd_person; kept with "
        "unknown date of birth"]
