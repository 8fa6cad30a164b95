"""The bad-input corpus (tests/bad_input/cases.py): each defect applied to a copy of a clean
synthetic extract, loaded through ``neglect-analysis validate``.

For every case: the exact new problems (severity, action, message), the structured fields
agree with the message (file, row as in Excel, column, value) and every problem says what to
do (``advice``); the exit code; and the row accounting: rows_read == rows_used + rows_reported
for every table, and every row not damaged is still used (counts compared with the clean
extract's).
"""
from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import neglect_analysis.io as nio
from bad_input.cases import CASES, Case
from neglect_analysis.cli import main
from neglect_analysis.io import load_extract
from neglect_analysis.synthetic import write_extract

KEY = ["severity", "action", "problem"]


@pytest.fixture(scope="session")
def clean(tmp_path_factory):
    """The clean extract (written once per session), its Cohort and report."""
    folder = tmp_path_factory.mktemp("clean") / "extract"
    write_extract(folder, n_parents=3, seed=11)
    cohort, report = load_extract(folder)
    assert not report.has_errors and report.n("warning") == 0
    return folder, cohort, report


def run_validate(folder: Path, monkeypatch, capsys):
    """``neglect-analysis validate folder``: the exit code, and the Cohort and report it loaded."""
    seen = {}

    def spy(*args, **kwargs):
        seen["result"] = load_extract(*args, **kwargs)
        return seen["result"]

    monkeypatch.setattr(nio, "load_extract", spy)
    code = main(["validate", str(folder)])
    printed = capsys.readouterr().out
    cohort, report = seen["result"]
    return code, cohort, report, printed


def expand(message: str, counts: pd.DataFrame) -> str:
    """Fill ``{last:TABLE+k}`` (Excel row of the clean table's last row, plus k) and ``{n:TABLE}``."""
    read = counts.set_index("table")["rows_read"]

    def sub(m):
        kind, table, k = m.group(1), m.group(2), int(m.group(3) or 0)
        return str(int(read[table]) + (1 if kind == "last" else 0) + k)

    return re.sub(r"\{(last|n):(\w+?)([+-]\d+)?\}", sub, message)


def new_problems(report, clean_report) -> tuple[list, list]:
    """Problems of ``report`` not in the clean report, and clean problems that vanished."""
    got = Counter(map(tuple, report.problems[KEY].astype(str).values.tolist()))
    base = Counter(map(tuple, clean_report.problems[KEY].astype(str).values.tolist()))
    return sorted((got - base).elements()), sorted((base - got).elements())


def expected_counts(case: Case, clean_counts: pd.DataFrame) -> dict:
    out = {}
    default = case.counts.get("*", "same")
    for r in clean_counts.itertuples(index=False):
        change = case.counts.get(r.table, default)
        if change is None:
            continue
        if change == "same":
            out[r.table] = (r.rows_read, r.rows_used)
        elif change == "all dropped":
            out[r.table] = (r.rows_read, 0)
        elif change == "empty":
            out[r.table] = (0, 0)
        else:
            out[r.table] = (r.rows_read + change[0], r.rows_used + change[1])
    for table, absolute in case.counts.items():  # "+TABLE": a table the clean extract lacks
        if table.startswith("+"):
            out[table[1:]] = absolute
    return out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input(case: Case, clean, tmp_path, monkeypatch, capsys):
    clean_folder, clean_cohort, clean_report = clean
    folder = tmp_path / "extract"
    shutil.copytree(clean_folder, folder)
    case.damage(folder)

    code, cohort, report, printed = run_validate(folder, monkeypatch, capsys)

    # the problems: exactly those expected, beyond the clean extract's
    added, vanished = new_problems(report, clean_report)
    want = sorted(tuple(p[:2]) + (expand(p[2], clean_report.counts),) for p in case.problems)
    assert added == want
    if case.baseline_kept:
        assert vanished == []
    # every problem: file and row as in its message, column and value quoted, advice given
    p = report.problems
    for r in p.itertuples(index=False):
        if pd.notna(r.file):
            assert r.problem.startswith(r.file)
        if pd.notna(r.row):
            assert r.problem.startswith(f"{r.file} row {r.row}: ")
        if pd.notna(r.column) and r.check != "missing_column":
            assert r.column.split(", ")[0] in r.problem
        if pd.notna(r.value) and r.check not in ("young_parent",):
            assert r.value in r.problem
        assert isinstance(r.advice, str) and len(r.advice) > 10
    # the exit code and the printed report
    assert code == case.exit_code
    for sev, _, msg in case.problems:
        if sev != "note":  # notes may be beyond the examples printed per group
            assert expand(msg, clean_report.counts) in printed
    # the row accounting
    c = report.counts
    assert (c["rows_read"] == c["rows_used"] + c["rows_reported"]).all()
    got = {r.table: (r.rows_read, r.rows_used) for r in c.itertuples(index=False)}
    assert got == expected_counts(case, clean_report.counts)
    if case.check is not None:
        case.check(cohort, clean_cohort)


def test_corpus_size():
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "no-such-folder")]) == 2
    assert "is not a folder" in capsys.readouterr().err
