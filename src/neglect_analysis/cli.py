"""Command line: ``neglect-analysis report | validate | synthesize | chronology | convert | audit-forms | audit-import``.

Exit status: 0 done, 1 data errors (the validation report is printed), 2 usage errors,
including an output that must not or cannot be written (``--out`` holding someone's files,
disk full, read-only file system, name too long); 128 + the signal number when stopped by
Ctrl-C (130), SIGHUP (129) or SIGTERM (143), after removing unfinished output; 141 (128 +
SIGPIPE) when whoever reads the output stops reading (``validate DATA | head``), quietly.

A usage error is one line on stderr (``neglect-analysis report: error: ...``), never a
traceback. ``--help`` of every command shows every option with its default; ``--version``
prints the package version.
"""
from __future__ import annotations

import argparse
import math
import json
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Sequence

from . import __version__
from .definitions import DEFAULTS

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
#: Exit status when the reader of the output went away (128 + SIGPIPE), as a shell reports it.
EXIT_BROKEN_PIPE = 141
#: Suffixes of file names: ``--out`` of ``report`` and ``synthesize`` is a folder, and a
#: folder named like a file (``--out c.csv``) is almost always a mistake.
FILE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".xls", ".json", ".html", ".md", ".pptx",
                                  ".png", ".svg", ".pdf", ".txt", ".parquet", ".zip")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows each option's default, unless there is none (None/False) or the help
    text already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _at_least_one(text: str) -> int:
    """A whole number of 1 or more (``--parents 0`` is a usage error)."""
    n = _positive_int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return n


def _check_folder_name(path: Path) -> None:
    """``--out`` of ``report`` / ``synthesize`` is a folder: a name that does not exist yet and
    ends like a file (``c.csv``) is a usage error. An existing file is refused, with its own
    message, by :mod:`neglect_analysis.outputs`."""
    if not path.exists() and path.suffix.lower() in FILE_SUFFIXES:
        raise _Usage(f"--out {path} looks like a file name; give a folder (the command writes "
                     f"several files into it). Nothing was written.")


def _iso_date(text: str) -> date:
    from .io.dates import EARLIEST_DATE, LATEST_DATE

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE.date() <= day <= LATEST_DATE.date():
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range (dates from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d})")
    return day


def _id_list(text: str) -> list[str]:
    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("give at least one id, e.g. --index-parents P001,P002")
    return ids


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return n


def _finite_float(text: str) -> float:
    """A finite number not below 0 (``nan``, ``inf`` and negatives are usage errors)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x) or x < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, 0 or more")
    return x


def _add_cohort_options(p: argparse.ArgumentParser) -> None:
    """The options that choose the cohort and its definitions (``report``, ``audit-forms``)."""
    p.add_argument("--audit-date", type=_iso_date, metavar="D",
                   help="audit date, ISO (default: extract.json audit_date, else today)")
    p.add_argument("--ics-start", type=_iso_date, metavar="D",
                   help="case-system (ICS) start date, ISO (default: extract.json, else 2009-04-01)")
    p.add_argument("--definitions", type=Path, metavar="FILE",
                   help="a TOML file of thresholds (docs/definitions.md); options below override it "
                        "(default: the DESIGN.md definitions)")
    p.add_argument("--min-children", type=_positive_int, metavar="N",
                   help=f"index parents have at least N children (default {DEFAULTS.min_children})")
    p.add_argument("--min-span-years", type=_finite_float, metavar="Y",
                   help=f"... over an age span of at least Y years (default {DEFAULTS.min_span_years:g})")
    p.add_argument("--index-parents", type=_id_list, metavar="ID,ID..",
                   help="these index parents instead of the rule above (default: the rule)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (DESIGN.md "Command line"): every option has help with its default."""
    audit_help = "audit date, ISO (default: extract.json audit_date, else today)"
    ics_help = "case-system (ICS) start date, ISO (default: extract.json, else 2009-04-01)"
    p = _Parser(
        prog="neglect-analysis",
        description="Whole-family chronologies and sibling-group statistics from an SSD extract.",
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, formatter_class=_HelpFormatter)

    r = command("report", "write the analyst tables, chronology workbooks and the briefing pack")
    r.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="folder holding the SSD extract tables")
    r.add_argument("--out", type=Path, required=True, metavar="OUT",
                   help="folder to write the report into (an empty folder or a previous report)")
    _add_cohort_options(r)
    r.add_argument("--suppress-below", type=_positive_int, metavar="N",
                   help=f"briefing counts from 1 to N are shown as 'c' (default {DEFAULTS.suppress_below})")
    r.add_argument("--pseudonymise", action="store_true",
                   help="replace ids by a keyed hash (key in NEGLECT_ANALYSIS_KEY) (default: off)")
    r.add_argument("--tables-only", action="store_true",
                   help="write the analyst CSV tables only (no workbooks, figures or briefing) (default: off)")
    r.add_argument("--engine", choices=("memory", "partitioned", "dask"), default="memory",
                   help="memory; partitioned: family partitions one after another "
                        "(bounded memory); dask: the same partitions on a dask.distributed cluster")
    r.add_argument("--partitions", type=_positive_int, default=8, metavar="N",
                   help="number of family partitions for --engine partitioned/dask")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler (default: a local cluster)")
    r.add_argument("--quiet", action="store_true", help="no progress output (default: progress shown)")

    v = command("validate", "print the validation report; exit 1 on errors")
    v.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="folder holding the SSD extract tables")
    v.add_argument("--audit-date", type=_iso_date, metavar="D", help=audit_help)
    v.add_argument("--ics-start", type=_iso_date, metavar="D", help=ics_help)
    v.add_argument("--examples", type=_positive_int, default=5, metavar="N",
                   help="examples shown per problem")

    s = command("synthesize", "write a synthetic SSD-format extract")
    s.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write the extract into")
    s.add_argument("--parents", type=_at_least_one, default=38, metavar="N",
                   help="number of index parents (families), 1 or more")
    s.add_argument("--seed", type=int, default=2018, metavar="S", help="random seed (same seed, same extract)")
    s.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format of the tables")
    s.add_argument("--force", action="store_true",
                   help="write into a folder holding files other than a synthetic extract "
                        "(same-named files are replaced) (default: refuse)")
    s.add_argument("--defects", action="store_true",
                   help="write realistic defects into the first block of families (UK dates, "
                        "SQL datetimes, ids without their zeros, a parent only in relationships, "
                        "an unknown code, a repeated row, an end before a start), to test "
                        "validation; counted in extract.json")
    s.add_argument("--background", choices=("auto", "on", "off"), default="auto",
                   help="also write background families (fewer than 5 children: the rest of the "
                        "authority, for the report's authority baseline); auto: at 100 index "
                        "parents or more; counted in extract.json")

    c = command("chronology", "write one family's whole-family chronology workbook and figure")
    c.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="folder holding the SSD extract tables")
    c.add_argument("parent_id", metavar="PARENT_ID", help="id of the family's index parent (mother or father)")
    c.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx",
                   help="the workbook to write; the figure goes beside it as FILE.png and FILE.svg")
    c.add_argument("--audit-date", type=_iso_date, metavar="D", help=audit_help)
    c.add_argument("--ics-start", type=_iso_date, metavar="D", help=ics_help)
    c.add_argument("--force", action="store_true",
                   help="replace FILE.xlsx (and FILE.png, FILE.svg) even if not written by "
                        "neglect-analysis (default: refuse)")

    # --- audit-forms / audit-import (case-file audit workbench) ---
    af = command("audit-forms", "write one pre-filled case-file audit form per index parent")
    af.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    af.add_argument("--out", type=Path, required=True, metavar="DIR")
    _add_cohort_options(af)
    af.add_argument("--force", action="store_true",
                    help="replace files of the same name that are not blank forms of this package")
    af.add_argument("--quiet", action="store_true", help="no progress output")

    ai = command("audit-import", "read completed audit forms into a case_review table")
    ai.add_argument("form_dirs", type=Path, nargs="+", metavar="DIR")
    ai.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    ai.add_argument("--extract", type=Path, metavar="DATA_DIR",
                    help="the extract the forms must come from (default: the one most forms carry)")
    ai.add_argument("--force", action="store_true",
                    help="replace files that are not outputs of audit-import")

    # convert cin-census: statutory returns -> an SSD-layout extract (neglect_analysis.convert)
    cv = command("convert", "convert statutory returns into an SSD extract")
    cv_sub = cv.add_subparsers(dest="source", required=True, metavar="SOURCE")
    cc = cv_sub.add_parser("cin-census", help="CIN census XML files (+ SSDA903, + links) -> SSD tables",
                           formatter_class=_HelpFormatter)
    cc.add_argument("census", nargs="+", type=Path, metavar="FILE.xml",
                    help="CIN census XML files, one or several years (2017 to 2026 schemas)")
    cc.add_argument("--out", type=Path, required=True, metavar="DIR")
    cc.add_argument("--ssda903", type=Path, metavar="DIR",
                    help="folder of SSDA903 returns: header and episodes CSV, or EXPSSDA903 XML")
    cc.add_argument("--links", type=Path, metavar="FILE",
                    help="a relationships table (person_id, related_person_id, relationship), copied through")
    cc.add_argument("--match-upn", action="store_true",
                    help="also match children across years by UPN (never written out)")
    cc.add_argument("--jobs", type=_positive_int, metavar="N",
                    help="files read at once (default: the number of CPUs)")
    cc.add_argument("--force", action="store_true", help="replace files in --out that are not "
                    "an earlier conversion")
    cc.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def _err(msg: str) -> None:
    print(f"neglect-analysis: {msg}", file=sys.stderr)


def _load(args, *, progress: bool = False):
    if not args.data_dir.is_dir():
        raise _Usage(f"{args.data_dir} is not a folder. Give the folder holding the SSD tables.")
    from .io import load_extract

    return load_extract(
        args.data_dir,
        audit_date=args.audit_date,
        ics_start_date=args.ics_start,
        progress=progress,
    )


class _Usage(Exception):
    """A usage error: exit 2 with a message."""


def _cmd_validate(args) -> int:
    cohort, report = _load(args)
    print(report.format(max_examples=args.examples))
    return EXIT_DATA if report.has_errors else EXIT_OK


def _cmd_synthesize(args) -> int:
    from .outputs import claim_extract_folder, staged_folder
    from .synthetic import write_extract

    _check_folder_name(args.out_dir)
    out = claim_extract_folder(args.out_dir, force=args.force)
    with staged_folder(out, merge=True) as stage:
        written = write_extract(stage, n_parents=args.parents, seed=args.seed, fmt=args.format,
                                defects=args.defects,
                                background={"auto": None, "on": True, "off": False}[args.background])
    n = len(written) if written is not None else 0
    n_bg = json.loads((args.out_dir / "extract.json").read_text(encoding="utf-8")).get("n_background_families", 0)
    extra = f" and {n_bg} background families" if n_bg else ""
    print(f"Wrote a SYNTHETIC extract ({args.parents} index parents{extra}, seed {args.seed}) "
          f"to {args.out_dir} ({n} files).")
    if args.defects:
        from .synthetic.defects import DEFECTS

        counts = json.loads((args.out_dir / "extract.json").read_text(encoding="utf-8"))["defects"]
        print("Defects written on purpose (rows):")
        for name, table, column, effect in DEFECTS:
            print(f"  {name}: {counts[name]} in {table}.{column} ({effect})")
    return EXIT_OK


def _cmd_chronology(args) -> int:
    from . import siblings
    from .outputs import claim_file, describe_os_error, is_own_workbook
    from .workbook import write_chronology_figure, write_chronology_workbook

    out = claim_file(args.out, force=args.force, suffix=".xlsx", is_own=is_own_workbook)
    book_is_ours = out.exists() and is_own_workbook(out)
    figures = [claim_file(out.with_suffix(sfx), force=args.force or book_is_ours)
               for sfx in (".png", ".svg")]  # a figure beside our own workbook is ours too
    cohort, report = _load(args)
    if report.has_errors:
        print(report.format(max_examples=3), file=sys.stderr)
    _check_parent(cohort, args.parent_id)
    parents = siblings.index_parents(cohort, ids=[args.parent_id])
    members = siblings.members(cohort, parents)
    try:
        write_chronology_workbook(cohort, args.parent_id, members, out)
        write_chronology_figure(cohort, args.parent_id, members, out.with_suffix(""))
    except OSError as e:
        raise _Usage(f"{describe_os_error(e)}. The chronology was not written completely; "
                     f"see {out} and {figures[0].name}, {figures[1].name}.") from e
    print(f"Wrote the whole-family chronology of {args.parent_id} to {args.out} "
          f"(figure: {figures[0].name}, {figures[1].name})")
    return EXIT_DATA if report.has_errors else EXIT_OK


def _check_parent(cohort, person_id: str) -> None:
    """A usage error when ``person_id`` is not a parent with linked children: naming the
    index parent(s) to give instead when it is a child."""
    links = cohort.links
    parent_ids = links["parent_id"].astype("string")
    if (parent_ids == person_id).any():
        return
    of_child = parent_ids[(links["child_id"].astype("string") == person_id).to_numpy()]
    if len(of_child):
        names = ", ".join(sorted(set(of_child.dropna())))
        raise _Usage(f"{person_id} is a child of parent(s) {names}; give one of them as "
                     f"PARENT_ID (the chronology is of the whole family of a parent).")
    raise _Usage(f"{person_id} is not a parent with linked children in the extract; give the id "
                 f"of a family's mother or father.")


def _definitions(path: Path | None):
    """The Definitions of a run: the ``--definitions`` file, else the defaults."""
    from .definitions import Definitions, DefinitionsError

    if path is None:
        return DEFAULTS
    try:
        return Definitions.from_toml(path)
    except DefinitionsError as e:
        raise _Usage(str(e)) from None


def _run_definitions(args):
    """The ``--definitions`` file (else the defaults) with ``--min-children`` and
    ``--min-span-years`` over it, where given."""
    from dataclasses import replace

    given = {k: getattr(args, k) for k in ("min_children", "min_span_years")}
    try:
        return replace(_definitions(args.definitions), **{k: v for k, v in given.items() if v is not None})
    except ValueError as e:  # a value the Definitions refuse (e.g. --min-children 0)
        raise _Usage(str(e)) from None


def _cmd_report(args) -> int:
    from .report import ReportOptions, run_report

    _check_folder_name(args.out)

    opts = ReportOptions(
        definitions=_definitions(args.definitions),
        audit_date=args.audit_date,
        ics_start_date=args.ics_start,
        min_children=args.min_children,
        min_span_years=args.min_span_years,
        index_parents=args.index_parents,
        suppress_below=args.suppress_below,
        pseudonymise=args.pseudonymise,
        tables_only=args.tables_only,
        progress=not args.quiet,
        engine=args.engine,
        partitions=max(args.partitions, 1),
        scheduler_address=args.scheduler,
    )
    result = run_report(args.data_dir, args.out, opts)
    print(result.summary())
    return EXIT_DATA if result.has_errors or result.briefing_refused or result.no_links else EXIT_OK


# --- audit-forms / audit-import (case-file audit workbench) ---
def _cmd_audit_forms(args) -> int:
    from .auditforms import write_audit_forms
    from .pipeline import AnalysisParams, build_tables

    if args.out.exists() and not args.out.is_dir():
        raise _Usage(f"--out {args.out} is a file: give a folder for the audit forms")
    cohort, report = _load(args)
    if report.has_errors:
        print(report.format(max_examples=3), file=sys.stderr)
    params = AnalysisParams(index_parents=args.index_parents, definitions=_run_definitions(args))
    tables = build_tables(cohort, params)
    written = write_audit_forms(cohort, tables, args.out, force=args.force, progress=not args.quiet)
    print(f"{cohort.label()}: wrote {len(written)} audit forms to {args.out}")
    return EXIT_DATA if report.has_errors else EXIT_OK


#: First line of each file ``audit-import`` writes: a file that starts otherwise is not its own.
AUDIT_IMPORT_HEADERS = {
    "case_review": "person_id,item_id,question,answer,reviewer,review_date,note,parent_id",
    "audit_agreement": "item_id,question,n_pairs,n_agree,n_disagree,observed_agreement,expected_agreement,kappa",
    "audit_import_problems": "file,sheet,cell,problem,value",
}


def _own_csv(path: Path, header: str) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().rstrip("\r\n") == header
    except (OSError, UnicodeDecodeError):
        return False


def _cmd_audit_import(args) -> int:
    from .auditforms import extract_checksum
    from .auditimport import import_forms
    from .export import write_csv

    out = args.out
    if out.suffix.lower() != ".csv":
        raise _Usage(f"--out {out} must be a .csv file (the case_review table)")
    targets = {"case_review": out, "audit_agreement": out.with_name("audit_agreement.csv"),
               "audit_import_problems": out.with_name("audit_import_problems.csv")}
    if not args.force:
        for kind, path in targets.items():
            if path.exists() and not _own_csv(path, AUDIT_IMPORT_HEADERS[kind]):
                raise _Usage(f"{path} exists and is not an output of audit-import: not replaced. "
                             "Use --force to replace it, or choose another --out.")
    extract = None
    if args.extract is not None:
        args.data_dir, args.audit_date, args.ics_start = args.extract, None, None
        cohort, _ = _load(args)
        extract = extract_checksum(cohort)
    res = import_forms(args.form_dirs, extract=extract)
    # all three every time (header only when empty), so no file of an earlier run is left stale
    written = [write_csv(res.case_review, targets["case_review"]),
               write_csv(res.agreement, targets["audit_agreement"]),
               write_csv(res.problems, targets["audit_import_problems"])]
    n_second = res.second_reviews["parent_id"].nunique()
    print(f"Read {res.n_forms} forms: {len(res.case_review)} answers for "
          f"{res.case_review['person_id'].nunique()} children"
          + (f"; second reviews of {n_second} families (agreement in {targets['audit_agreement']})"
             if len(res.agreement) else "")
          + f". Wrote {', '.join(str(p) for p in written)}")
    if res.has_problems:
        print(f"{len(res.problems)} problems (file sheet!cell: problem):", file=sys.stderr)
        print(res.format_problems(max_lines=50), file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


def _cmd_convert(args) -> int:
    from .convert import convert_cin_census

    result = convert_cin_census(args.census, args.out, ssda903=args.ssda903, links=args.links,
                                match_upn=args.match_upn, jobs=args.jobs or None, force=args.force,
                                progress=not args.quiet)
    if len(result.report.problems):
        print(result.report.format(max_examples=3), file=sys.stderr)
    print(result.summary())
    return EXIT_DATA if result.has_errors else EXIT_OK


COMMANDS = {
    "report": _cmd_report,
    "validate": _cmd_validate,
    "synthesize": _cmd_synthesize,
    "chronology": _cmd_chronology,
    "audit-forms": _cmd_audit_forms,
    "audit-import": _cmd_audit_import,
    "convert": _cmd_convert,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neglect-analysis`` command; returns the exit status."""
    from .io.memory import use_system_memory_pool

    use_system_memory_pool()  # freed Arrow buffers reused, not faulted in again (io.memory)
    try:
        args = build_parser().parse_args(argv)
        try:
            status = COMMANDS[args.command](args)
        finally:
            sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except _Usage as e:
        _err(str(e))
        return EXIT_USAGE
    except ValueError as e:
        from .io import ExtractError

        _err(str(e))
        return EXIT_DATA if isinstance(e, ExtractError) else EXIT_USAGE
    except OSError as e:
        from .outputs import describe_os_error

        _err(describe_os_error(e))
        return EXIT_USAGE
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP while writing (outputs.Terminated)
        import signal

        signum = getattr(e, "signum", signal.SIGINT)
        _err(f"stopped by {signal.Signals(signum).name}; no unfinished output was left behind.")
        return 128 + int(signum)


def _quiet_broken_pipe() -> int:
    """The reader of stdout went away (``... | head``): say nothing, as ``cat`` does.

    Python's documented recipe: point stdout at the null device, so the flush at interpreter
    exit does not raise again and print "Exception ignored ... BrokenPipeError".
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (tests)
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
