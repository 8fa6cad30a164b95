"""Shareable means safe (issue 14), output side: no spreadsheet formulas from extract text, no
file outside ``--out``, nothing of the user's overwritten, no half output left behind.

The hostile extract is a small synthetic one (4 families) with formulas put into the ids and
into every free-text column that reaches an output: early-help end reason, CIN close reason,
pre-proceedings outcome, paper ``document_ref``, the authority name, and a contact date that
is not a date (so the value reaches ``validation_problems.csv``); one parent id is a path
(``../../../x``) and one is 300 characters long.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from neglect_analysis import outputs
from neglect_analysis.cli import main
from neglect_analysis.export import neutralise_formulas, write_csv
from neglect_analysis.outputs import (
    MARKER_NAME,
    OutputError,
    Terminated,
    chronology_file_names,
    staged_folder,
)
from neglect_analysis.synthetic import write_extract

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

HYPERLINK = '=HYPERLINK("http://example.org/?leak","click")'
TRAVERSAL = "../../../x"
LONG_ID = "L" * 300
#: Index parents of write_extract(n_parents=4, seed=3) (its analyst/chronologies/index.csv)
#: and two of their children, renamed to hostile ids in every table.
RENAME = {"P000014": HYPERLINK, "P000041": TRAVERSAL, "P000042": LONG_ID, "P000045": "+1",
          "P000015": "@SUM(A1)", "P000019": "-1+2"}
#: A cell a spreadsheet would evaluate: starts with = + - @ tab or CR and is not a plain number.
LIVE = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _hostile_extract(folder: Path) -> Path:
    write_extract(folder, n_parents=4, seed=3)
    for path in folder.glob("*.csv"):
        df = _csv(path)
        df = df.replace(RENAME)  # whole-cell matches: ids, in every table
        path.write_text(df.to_csv(index=False, lineterminator="\n"))

    def edit(name: str, column: str, value: str) -> None:
        df = _csv(folder / f"{name}.csv")
        assert len(df) > 0, name
        df[column] = value
        (folder / f"{name}.csv").write_text(df.to_csv(index=False, lineterminator="\n"))

    edit("ssd_early_help_episodes", "earl_episode_end_reason", "=1+1")
    edit("ssd_cin_episodes", "cine_close_reason", "-2+3")
    edit("paper_records", "document_ref", "@SUM(1,2)")
    contacts = _csv(folder / "ssd_contacts.csv")
    contacts.loc[0, "cont_contact_date"] = "-NOW()"  # not a date: listed in validation_problems.csv
    contacts.to_csv(folder / "ssd_contacts.csv", index=False, lineterminator="\n")
    # the small extract has no pre-proceedings: one row for a child of the first family
    prep = _csv(folder / "ssd_pre_proceedings.csv")
    row = {c: "" for c in prep.columns}
    row.update(prep_table_id="PP1", prep_person_id="@SUM(A1)", prep_plo_family_id="F1",
               prep_pre_pro_decision_date="2016-01-05", prep_pre_pro_outcome=HYPERLINK)
    pd.DataFrame([row], columns=prep.columns).to_csv(folder / "ssd_pre_proceedings.csv", index=False,
                                                    lineterminator="\n")
    meta = json.loads((folder / "extract.json").read_text())
    meta["authority"] = "=EVIL()"
    (folder / "extract.json").write_text(json.dumps(meta))
    return folder


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile extract and its full report, with the files under the work folder before
    and after the run (the report goes to work/deep/out, three levels below the root)."""
    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_extract(root / "data")
    out = root / "a" / "b" / "out"
    before = _listing(root)
    code = main(["report", str(data), "--out", str(out), "--quiet"])
    return {"root": root, "data": data, "out": out, "code": code, "before": before,
            "after": _listing(root)}


# --- no formulas ----------------------------------------------------------------------------

def test_the_hostile_extract_gives_a_report(hostile):
    assert hostile["code"] in (0, 1)  # 1: validation problems (e.g. the close reason), listed
    assert (hostile["out"] / "analyst" / "children.csv").exists()


def test_no_formula_in_any_workbook(hostile):
    books = sorted((hostile["out"] / "analyst" / "chronologies").glob("*.xlsx"))
    assert len(books) == 4
    seen = ""
    for book in books:
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = z.read(name).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, (book.name, name)
                    seen += xml
    # not vacuous: the formula texts are in the workbooks, as text (XML-escaped quotes)
    assert HYPERLINK.replace('"', "&quot;") in seen or HYPERLINK in seen
    for text in ("=1+1", "@SUM(1,2)", "=EVIL()", "@SUM(A1)", "-1+2"):
        assert text in seen, text


def test_every_csv_cell_is_neutralised(hostile):
    live = []
    n_quoted = 0
    for path in sorted(hostile["out"].rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.reader(f)):
                for cell in row:
                    if LIVE.match(cell) and not NUMBER.match(cell):
                        live.append((path.name, i, cell))
                    n_quoted += cell.startswith("'")
    assert live == []
    assert n_quoted > 0  # the hostile cells are there, neutralised
    children = _csv(hostile["out"] / "analyst" / "children.csv")
    assert "'" + HYPERLINK in set(children["parent_id"])
    assert "'-1+2" in set(children["child_id"]) and "'@SUM(A1)" in set(children["child_id"])
    # "+1" is a plain number to a spreadsheet (it shows 1): left as it is
    assert "+1" in set(children["parent_id"])


def test_validation_problems_are_neutralised(hostile):
    problems = _csv(hostile["out"] / "analyst" / "validation_problems.csv")
    values = set(problems["value"])
    assert "-NOW()" not in values  # the bad contact date is listed, neutralised
    assert "'-NOW()" in values


@pytest.mark.slow
def test_pseudonymised_report_neutralises_text(tmp_path, monkeypatch):
    """--pseudonymise hashes ids, but the free text (end reason, outcome) still reaches the
    workbooks: still no formula. Tables-only would not test this, so a full run."""
    data = _hostile_extract(tmp_path / "data")
    monkeypatch.setenv("NEGLECT_ANALYSIS_KEY", "k" * 32)
    out = tmp_path / "out"
    assert main(["report", str(data), "--out", str(out), "--quiet", "--pseudonymise"]) in (0, 1)
    books = sorted((out / "analyst" / "chronologies").glob("*.xlsx"))
    assert len(books) == 4
    for book in books:
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                assert b"<f>" not in z.read(name), (book.name, name)


# --- paths ----------------------------------------------------------------------------------

def test_a_traversal_id_writes_nothing_outside_out(hostile):
    root, out = hostile["root"], hostile["out"]
    outside = [p for p in hostile["after"] if not (root / p).resolve().is_relative_to(out.resolve())]
    # outside --out: only what was there before plus the folders leading to --out
    assert sorted(set(outside) - set(hostile["before"])) == ["a", "a/b"]
    index = _csv(out / "analyst" / "chronologies" / "index.csv")
    files = dict(zip(index["parent_id"], index["file"]))
    # "../../../x": 9 unsafe characters as "_", then 12 hex of sha256("../../../x") (sha256sum)
    assert files[TRAVERSAL] == "chronology__________x_0274b71897ca.xlsx"
    for name in index["file"]:
        assert (out / "analyst" / "chronologies" / name).is_file()


def test_a_300_character_id_is_handled(hostile):
    index = _csv(hostile["out"] / "analyst" / "chronologies" / "index.csv")
    name = dict(zip(index["parent_id"], index["file"]))[LONG_ID]
    # 40 characters of the id, then 12 hex digits of its SHA-256
    assert re.fullmatch(r"chronology_L{40}_[0-9a-f]{12}\.xlsx", name)
    assert len(name) == len("chronology_") + 40 + 1 + 12 + len(".xlsx") == 69


def test_safe_ids_keep_their_names_and_others_are_hashed():
    names = chronology_file_names(["P000013", "0012", "a.b", "x" * 65, "ab", "AB", "-x", ""])
    assert names["file"].tolist()[:2] == ["chronology_P000013.xlsx", "chronology_0012.xlsx"]
    # dot, too long, case-twins, leading '-', empty: hashed (prefix, "_", 12 hex)
    for f in names["file"].tolist()[2:]:
        assert re.fullmatch(r"chronology_[A-Za-z0-9_-]{0,40}_[0-9a-f]{12}\.xlsx", f), f
    assert names["file"].str.lower().is_unique


def test_inside_refuses_a_name_that_leaves_the_folder(tmp_path):
    with pytest.raises(OutputError):
        outputs.inside(tmp_path, "../x.xlsx")
    with pytest.raises(OutputError):
        outputs.inside(tmp_path, "sub/x.xlsx")
    with pytest.raises(OutputError):
        outputs.inside(tmp_path, "/etc/x.xlsx")


# --- report --out ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return Path(write_extract(tmp_path_factory.mktemp("small") / "data", n_parents=4, seed=3)[0]).parent


def test_a_folder_with_someones_file_survives_report(small, tmp_path, capsys):
    board = tmp_path / "board"
    board.mkdir()
    (board / "papers.docx").write_bytes(b"minutes of the board")
    assert main(["report", str(small), "--out", str(board), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is not empty and is not a report of neglect-analysis" in err and "papers.docx" in err
    assert err.count("\n") == 1  # one line
    assert _listing(board) == ["papers.docx"]
    assert (board / "papers.docx").read_bytes() == b"minutes of the board"


def test_out_as_the_current_folder_is_refused(small, tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(small), "--out", ".", "--quiet"]) == 2
    assert _listing(tmp_path) == ["notes.txt"]


def test_out_naming_a_file_is_refused(small, tmp_path, capsys):
    f = tmp_path / "afile.txt"
    f.write_text("keep me")
    assert main(["report", str(small), "--out", str(f), "--quiet"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert _listing(tmp_path) == ["afile.txt"] and f.read_text() == "keep me"


def test_out_with_a_name_too_long_is_one_line(small, tmp_path, capsys):
    assert main(["report", str(small), "--out", str(tmp_path / ("x" * 300)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the file name is too long" in err and err.count("\n") == 1
    assert _listing(tmp_path) == []


def _previous_report(out: Path) -> None:
    """A report as an earlier run leaves it: files listed in the marker."""
    (out / "briefing").mkdir(parents=True)
    (out / "briefing" / "old.csv").write_text("a\n1\n")
    (out / "analyst").mkdir()
    (out / "analyst" / "children.csv").write_text("old\n")
    (out / MARKER_NAME).write_text("neglect-analysis report 0.0.1\nanalyst/children.csv\nbriefing/old.csv\n")


def test_a_previous_report_is_replaced(small, tmp_path):
    out = tmp_path / "out"
    _previous_report(out)
    assert main(["report", str(small), "--out", str(out), "--quiet", "--tables-only"]) == 0
    assert not (out / "briefing").exists()  # tables-only now: the old briefing is gone
    assert (out / "analyst" / "children.csv").read_text() != "old\n"
    listed = (out / MARKER_NAME).read_text().splitlines()
    assert listed[0].startswith("neglect-analysis report ")
    assert "analyst/children.csv" in listed and "briefing/old.csv" not in listed
    assert [p for p in out.iterdir() if p.name.startswith(".neglect-analysis-")] == [out / MARKER_NAME]
    # and again: a report of this package is replaced without a word
    assert main(["report", str(small), "--out", str(out), "--quiet", "--tables-only"]) == 0


def test_a_previous_report_with_a_users_file_is_refused(small, tmp_path, capsys):
    out = tmp_path / "out"
    _previous_report(out)
    (out / "briefing" / "my-notes.docx").write_text("mine")
    before = _listing(out)
    assert main(["report", str(small), "--out", str(out), "--quiet", "--tables-only"]) == 2
    assert "files it did not write (briefing/my-notes.docx)" in capsys.readouterr().err
    assert _listing(out) == before and (out / "briefing" / "old.csv").read_text() == "a\n1\n"


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EROFS, "the file system is read-only")])
def test_disk_full_or_read_only_is_one_line_and_keeps_the_previous_report(
        small, tmp_path, monkeypatch, capsys, code, words):
    import neglect_analysis.report as report

    out = tmp_path / "out"
    _previous_report(out)
    before = {p: (out / p).read_bytes() for p in _listing(out) if (out / p).is_file()}

    def full(df, path):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(report, "write_csv", full)
    assert main(["report", str(small), "--out", str(out), "--quiet", "--tables-only"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "previous contents" in err
    assert "Traceback" not in err
    assert {p: (out / p).read_bytes() for p in _listing(out) if (out / p).is_file()} == before


# --- chronology and synthesize --------------------------------------------------------------

def test_chronology_refuses_the_extracts_own_files(small, tmp_path, capsys):
    person = small / "ssd_person.csv"
    text = person.read_bytes()
    for force in ([], ["--force"]):  # not an .xlsx name: refused even with --force
        assert main(["chronology", str(small), "P000014", "--out", str(person), *force]) == 2
    assert "ending in .xlsx" in capsys.readouterr().err
    assert person.read_bytes() == text


def test_chronology_replaces_only_its_own_workbook_unless_forced(small, tmp_path, capsys):
    book = tmp_path / "family.xlsx"
    book.write_bytes(b"someone's spreadsheet")
    assert main(["chronology", str(small), "P000014", "--out", str(book)]) == 2
    assert "was not written by neglect-analysis" in capsys.readouterr().err
    assert book.read_bytes() == b"someone's spreadsheet"
    assert main(["chronology", str(small), "P000014", "--out", str(book), "--force"]) == 0
    assert outputs.is_own_workbook(book)
    first = book.read_bytes()
    assert main(["chronology", str(small), "P000014", "--out", str(book)]) == 0  # its own: replaced
    assert book.read_bytes() == first
    # no temporary file left; the figure beside the workbook (issue 15)
    assert _listing(tmp_path) == ["family.png", "family.svg", "family.xlsx"]


def test_chronology_out_naming_a_folder_is_refused(small, tmp_path, capsys):
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    assert main(["chronology", str(small), "P000014", "--out", str(folder)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_chronology_disk_full_keeps_the_previous_workbook(small, tmp_path, monkeypatch, capsys):
    import neglect_analysis.outputs as out_mod

    book = tmp_path / "family.xlsx"
    assert main(["chronology", str(small), "P000014", "--out", str(book)]) == 0
    first = book.read_bytes()
    capsys.readouterr()

    def full(fd, mode):
        raise OSError(errno.ENOSPC, "No space left on device", str(book))

    monkeypatch.setattr(out_mod.os, "fdopen", full)
    assert main(["chronology", str(small), "P000014", "--out", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the disk is full" in err
    assert book.read_bytes() == first
    assert _listing(tmp_path) == ["family.png", "family.svg", "family.xlsx"]  # the first run's files


def test_synthesize_refuses_a_folder_that_is_not_its_own(tmp_path, capsys):
    real = tmp_path / "extract"
    real.mkdir()
    (real / "ssd_person.csv").write_text("pers_person_id\nREAL1\n")
    assert main(["synthesize", str(real), "--parents", "2", "--seed", "1"]) == 2
    assert "not a synthetic extract" in capsys.readouterr().err
    assert _listing(real) == ["ssd_person.csv"]
    assert main(["synthesize", str(real), "--parents", "2", "--seed", "1", "--force"]) == 0
    assert (real / "ssd_person.csv").read_text() != "pers_person_id\nREAL1\n"


def test_synthesize_rewrites_its_own_extract_and_leaves_other_files(tmp_path):
    out = tmp_path / "syn"
    assert main(["synthesize", str(out), "--parents", "2", "--seed", "1"]) == 0
    (out / "README.md").write_text("notes")
    assert main(["synthesize", str(out), "--parents", "3", "--seed", "2"]) == 0  # its own: no --force
    assert json.loads((out / "extract.json").read_text())["n_parents"] == 3
    assert (out / "README.md").read_text() == "notes"
    assert not [p for p in out.iterdir() if p.name.startswith(".neglect-analysis-")]


def test_synthesize_over_a_file_is_refused(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("mine")
    assert main(["synthesize", str(f)]) == 2
    assert f.read_text() == "mine"


# --- interrupted runs -----------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_writing_removes_the_staging_folder(tmp_path, sig):
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.txt").write_text("before")
    with pytest.raises(Terminated) as e:
        with staged_folder(out) as stage:
            (stage / "half.csv").write_text("row-level data")
            os.kill(os.getpid(), sig)
            time.sleep(5)  # the handler raises before this ends
    assert e.value.signum == sig
    assert _listing(tmp_path) == ["out", "out/previous.txt"]
    assert signal.getsignal(sig) == signal.SIG_DFL  # handlers put back


def test_an_ignored_signal_stays_ignored(tmp_path):
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with staged_folder(tmp_path / "o") as stage:
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            (stage / "a").write_text("x")
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert _listing(tmp_path) == ["o", "o/a"]


@pytest.mark.slow
def test_sigterm_during_a_report_leaves_no_partial_folder(tmp_path):
    """The command in a subprocess; SIGTERM once the staging folder exists (while writing)."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "neglect_analysis.cli", "report", str(SAMPLE), "--out", str(out), "--quiet"],
        stderr=subprocess.PIPE, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(p.name.startswith(outputs.STAGING_PREFIX) for p in out.iterdir()):
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the report finished before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"stopped by SIGTERM" in err and b"Traceback" not in err
    assert _listing(tmp_path) == []  # --out did not exist before: nothing is left


# --- the one neutralising rule --------------------------------------------------------------

def test_neutralise_formulas_by_hand():
    cells = pa.array(["=1+1", "+1", "-1+2", "@x", "\tx", "\rx", "-0.5", "1e-3", "a=b", "'x", None])
    # by hand: = @ TAB CR always; + and - unless the whole cell is a plain number
    assert neutralise_formulas(cells).to_pylist() == [
        "'=1+1", "+1", "'-1+2", "'@x", "'\tx", "'\rx", "-0.5", "1e-3", "a=b", "'x", None]


def test_write_csv_neutralises_text_on_both_paths_and_keeps_numbers(tmp_path):
    df = pd.DataFrame({"id": ["=A1", "P1"], "reason": ["-2+3", "Declined"], "x": [-0.5, 2.0],
                       "n_days": pd.array([-3, 4], dtype="Int64")})
    # Arrow path (nothing to quote): text cells get "'", numbers stay
    assert write_csv(df, tmp_path / "a.csv").read_text() == (
        "id,reason,x,n_days\n'=A1,'-2+3,-0.5,-3\nP1,Declined,2.0,4\n")
    # pandas path (a cell needs quotes), and a column name from the data
    df2 = pd.DataFrame({"=cmd": ['@SUM(1,2)', "ok"], "y": ["a", "b"]})
    assert write_csv(df2, tmp_path / "b.csv").read_text() == (
        "'=cmd,y\n\"'@SUM(1,2)\",a\nok,b\n")


def test_describe_os_error_messages():
    assert outputs.describe_os_error(OSError(errno.ENAMETOOLONG, "x", "o/f")) == \
        "cannot write o/f: the file name is too long"
    assert outputs.describe_os_error(OSError(errno.EROFS, "x", "o")) == \
        "cannot write o: the file system is read-only"


@pytest.mark.parametrize("command", [["chronology", "DATA", "P000014", "--out", "LONG.xlsx"],
                                     ["synthesize", "LONG"]])
def test_a_name_too_long_for_chronology_or_synthesize_is_one_line(small, tmp_path, capsys, command):
    long = str(tmp_path / ("y" * 300))
    argv = [a.replace("DATA", str(small)).replace("LONG", long) for a in command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "the file name is too long" in err and err.count("\n") == 1
    assert _listing(tmp_path) == []


def test_own_workbook_recognised_whichever_way_the_creator_namespace_is_written(tmp_path):
    import zipfile

    from neglect_analysis.outputs import WORKBOOK_CREATOR, is_own_workbook

    forms = {  # openpyxl without lxml, openpyxl with lxml (python-pptx brings lxml), another creator
        "plain.xlsx": f"<cp:coreProperties><dc:creator>{WORKBOOK_CREATOR}</dc:creator></cp:coreProperties>",
        "lxml.xlsx": ('<cp:coreProperties><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">'
                      f"{WORKBOOK_CREATOR}</dc:creator></cp:coreProperties>"),
        "other.xlsx": "<cp:coreProperties><dc:creator>Someone</dc:creator></cp:coreProperties>",
    }
    for name, core in forms.items():
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr("docProps/core.xml", core)
    assert [is_own_workbook(tmp_path / n) for n in forms] == [True, True, False]
