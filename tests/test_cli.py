"""Command-line contract: subcommands, options and exit codes (DESIGN.md "Command line")."""
from __future__ import annotations

import pytest

from neglect_analysis.cli import EXIT_USAGE, build_parser, main


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["report"])  # DATA_DIR and --out missing
    assert e.value.code == EXIT_USAGE == 2


def test_bad_iso_date_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["report", str(tmp_path), "--out", str(tmp_path / "o"), "--audit-date", "31/07/2018"])
    assert e.value.code == 2
    assert "is not an ISO date" in capsys.readouterr().err


@pytest.mark.parametrize("value, said", [
    ("nan", "'nan' must be a finite number, 0 or more"),
    ("inf", "'inf' must be a finite number, 0 or more"),
    ("-1", "'-1' must be a finite number, 0 or more"),
    ("ten", "'ten' is not a number"),
])
def test_min_span_years_must_be_finite(value, said, capsys, tmp_path):
    # issue 14: nan and inf were accepted (and every sibling group was then dropped or kept)
    with pytest.raises(SystemExit) as e:
        main(["report", str(tmp_path), "--out", str(tmp_path / "o"), "--min-span-years", value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"neglect-analysis report: error: argument --min-span-years: {said}"


@pytest.mark.parametrize("option", ["--audit-date", "--ics-start"])
def test_dates_out_of_range_are_usage_errors(option, capsys, tmp_path):
    # issue 14: --audit-date 2999-01-01 overflowed pandas (years after 2262) with a traceback
    with pytest.raises(SystemExit) as e:
        main(["validate", str(tmp_path), option, "2999-01-01"])
    assert e.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"neglect-analysis validate: error: argument {option}: '2999-01-01' is out of range "
        "(dates from 1900-01-01 to 2199-12-31)")


def test_missing_data_folder_exits_2_with_a_message(capsys, tmp_path):
    code = main(["validate", str(tmp_path / "nowhere")])
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err


def test_report_options_parse_as_documented(tmp_path):
    args = build_parser().parse_args(
        ["report", "d", "--out", "o", "--audit-date", "2018-07-31", "--ics-start", "2009-04-01",
         "--min-children", "6", "--min-span-years", "12.5", "--index-parents", "P1, P2",
         "--suppress-below", "7", "--pseudonymise", "--tables-only"]
    )
    assert args.audit_date.isoformat() == "2018-07-31"
    assert args.min_children == 6 and args.min_span_years == 12.5
    assert args.index_parents == ["P1", "P2"]
    assert args.suppress_below == 7 and args.pseudonymise and args.tables_only


def test_defaults_match_design():
    from neglect_analysis.report import ReportOptions

    args = build_parser().parse_args(["report", "d", "--out", "o"])
    assert (args.min_children, args.min_span_years, args.suppress_below, args.definitions) == (None,) * 4
    d = ReportOptions(min_children=args.min_children, min_span_years=args.min_span_years,
                      suppress_below=args.suppress_below).run_definitions()
    assert (d.min_children, d.min_span_years, d.suppress_below) == (5, 10.0, 5)
    assert args.audit_date is None and args.ics_start is None
    s = build_parser().parse_args(["synthesize", "x"])
    assert (s.parents, s.seed) == (38, 2018)


SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "sample"


def test_validate_on_the_sample_exits_0_and_prints_the_report(capsys):
    assert main(["validate", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out and "ssd_person.csv: 325 read, 325 used, 0 dropped" in out


def test_synthesize_writes_an_extract_that_validates(tmp_path, capsys):
    out = tmp_path / "extract"
    assert main(["synthesize", str(out), "--parents", "4", "--seed", "3"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    assert (out / "ssd_person.csv").exists() and (out / "extract.json").exists()
    assert main(["validate", str(out)]) == 0
    pq = tmp_path / "pq"
    assert main(["synthesize", str(pq), "--parents", "4", "--seed", "3", "--format", "parquet"]) == 0
    assert (pq / "ssd_person.parquet").exists()


def test_chronology_writes_one_workbook(tmp_path):
    import openpyxl

    book = tmp_path / "family.xlsx"
    assert main(["chronology", str(SAMPLE), "P000013", "--out", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Family", "Chronology", "Timeline"]
    # the figure beside it, same stem
    assert (tmp_path / "family.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "family.svg").read_bytes()


def test_chronology_of_an_unknown_parent_is_a_usage_error(tmp_path, capsys):
    code = main(["chronology", str(SAMPLE), "NOBODY", "--out", str(tmp_path / "x.xlsx")])
    assert code == 2
    assert "NOBODY" in capsys.readouterr().err


def test_definitions_file_sets_thresholds_and_options_override_it(tmp_path):
    from neglect_analysis.cli import _definitions
    from neglect_analysis.report import ReportOptions

    f = tmp_path / "d.toml"
    f.write_text("min_children = 6\nmin_lead_days = 60\n", encoding="utf-8")
    args = build_parser().parse_args(["report", "d", "--out", "o", "--definitions", str(f),
                                      "--min-span-years", "12"])
    d = ReportOptions(definitions=_definitions(args.definitions), min_children=args.min_children,
                      min_span_years=args.min_span_years).run_definitions()
    assert (d.min_children, d.min_lead_days, d.min_span_years, d.suppress_below) == (6, 60, 12.0, 5)


def test_bad_definitions_file_is_a_usage_error_in_one_line(tmp_path, capsys):
    f = tmp_path / "d.toml"
    f.write_text('min_lead_days = "soon"\n', encoding="utf-8")
    code = main(["report", str(SAMPLE), "--out", str(tmp_path / "out"), "--definitions", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert err.strip().count("\n") == 0 and 'min_lead_days = "soon"' in err and "Traceback" not in err


def test_report_with_a_definitions_file_uses_it(tmp_path):
    # min_children = 9 on the sample: exactly the groups of 9 or more children remain
    # (sibling_groups.csv of the default run lists each group's n_children). min_lead_days = 60:
    # the findings' words name 60 days, not the default 90.
    f = tmp_path / "d.toml"
    f.write_text("min_children = 9\nmin_lead_days = 60\n", encoding="utf-8")
    assert main(["report", str(SAMPLE), "--out", str(tmp_path / "o"), "--tables-only", "--quiet",
                 "--definitions", str(f)]) == 0
    assert main(["report", str(SAMPLE), "--out", str(tmp_path / "all"), "--tables-only", "--quiet"]) == 0
    import pandas as pd

    nine = pd.read_csv(tmp_path / "o" / "analyst" / "sibling_groups.csv")
    every = pd.read_csv(tmp_path / "all" / "analyst" / "sibling_groups.csv")
    assert len(nine) == int((every["n_children"] >= 9).sum()) and (nine["n_children"] >= 9).all()
    found = pd.read_csv(tmp_path / "o" / "analyst" / "findings.csv").set_index("measure")
    assert found.loc["escalated_with_lead_time", "label"] == "Escalations that could have been flagged 60+ days earlier"
    assert found.loc["escalated_with_short_lead_time", "description"].startswith(
        "Escalated children with a lead time under 60 days:")


def test_version(capsys):
    from neglect_analysis import __version__

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"neglect-analysis {__version__}"


@pytest.mark.parametrize("command", ["report", "validate", "synthesize", "chronology"])
def test_every_option_has_help_and_shows_its_default(command):
    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices[command]
    for action in sub._actions:
        if action.dest == "help":
            continue
        assert action.help, f"{command} {action.dest} has no help"
    text = sub.format_help()
    if command == "report":
        assert "(default 5)" in text and "(default 10)" in text  # the cohort rule: 5 children, 10 years
        assert "(default: memory)" in text and "(default: 8)" in text
    if command == "synthesize":
        assert "(default: 38)" in text and "(default: 2018)" in text and "(default: csv)" in text
    assert "(default: None)" not in text and "(default: False)" not in text


def test_usage_error_is_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["report"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["neglect-analysis report: error: the following arguments are required: "
                                "DATA_DIR, --out"]


def test_synthesize_zero_parents_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["synthesize", str(tmp_path / "x"), "--parents", "0"])
    assert e.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "neglect-analysis synthesize: error: argument --parents: '0' must be 1 or more"]
    assert not (tmp_path / "x").exists()


def test_chronology_of_a_child_names_its_parents(tmp_path, capsys):
    import pandas as pd

    rel = pd.read_csv(SAMPLE / "relationships.csv", dtype=str)
    births = rel[rel["relationship"].isin(["mother_of", "father_of"])]
    # a child with two birth parents in relationships.csv, read independently of the package
    two = births.groupby("related_person_id")["person_id"].nunique()
    child = sorted(two[two == 2].index)[0]
    parents = sorted(births.loc[births["related_person_id"] == child, "person_id"])
    code = main(["chronology", str(SAMPLE), child, "--out", str(tmp_path / "x.xlsx")])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"neglect-analysis: {child} is a child of parent(s) {', '.join(parents)}; give one of "
                   "them as PARENT_ID (the chronology is of the whole family of a parent)."]
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("argv, said", [
    (["chronology", "DATA", "P1", "--out", "c.csv"], "--out c.csv: give a file name ending in .xlsx."),
    (["report", "DATA", "--out", "c.csv"], "--out c.csv looks like a file name; give a folder"),
    (["synthesize", "x.xlsx"], "--out x.xlsx looks like a file name; give a folder"),
])
def test_out_suffix_is_checked(argv, said, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [str(SAMPLE) if a == "DATA" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_broken_pipe_is_quiet():
    import subprocess
    import sys

    # `true` exits without reading (long before Python has started): every write to the pipe
    # fails with EPIPE, whatever the size of the report
    cmd = f"{sys.executable} -m neglect_analysis.cli validate {SAMPLE} | true; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert done.returncode == 141


def test_broken_pipe_in_process_returns_141(monkeypatch, capsys):
    import sys

    class GoneReader:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", GoneReader())
    assert main(["validate", str(SAMPLE)]) == 141
    monkeypatch.undo()
    assert capsys.readouterr().err == ""
