"""Command line: ``neglect-analysis report | validate | synthesize | chronology``.

Exit status: 0 done, 1 data errors (the validation report is printed), 2 usage errors.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

from .disclosure import DEFAULT_THRESHOLD
from .siblings import MIN_CHILDREN, MIN_SPAN_YEARS

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (DESIGN.md "Command line")."""
    p = argparse.ArgumentParser(
        prog="neglect-analysis",
        description="Whole-family chronologies and sibling-group statistics from an SSD extract.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("report", help="write the analyst tables and the briefing pack")
    r.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    r.add_argument("--out", type=Path, required=True, metavar="OUT")
    r.add_argument("--audit-date", type=_iso_date, metavar="D",
                   help="default: extract.json audit_date, else today")
    r.add_argument("--ics-start", type=_iso_date, metavar="D",
                   help="case-system start date (default: extract.json, else 2009-04-01)")
    r.add_argument("--min-children", type=_positive_int, default=MIN_CHILDREN, metavar="N")
    r.add_argument("--min-span-years", type=float, default=MIN_SPAN_YEARS, metavar="Y")
    r.add_argument("--index-parents", type=_id_list, metavar="ID,ID..")
    r.add_argument("--suppress-below", type=_positive_int, default=DEFAULT_THRESHOLD, metavar="N",
                   help="briefing counts from 1 to N are shown as 'c' (default 5)")
    r.add_argument("--pseudonymise", action="store_true",
                   help="replace ids by a keyed hash (key in NEGLECT_ANALYSIS_KEY)")
    r.add_argument("--tables-only", action="store_true",
                   help="write the analyst CSV tables only (no workbooks, figures or briefing)")
    r.add_argument("--engine", choices=("memory", "partitioned", "dask"), default="memory",
                   help="memory (default); partitioned: family partitions one after another "
                        "(bounded memory); dask: the same partitions on a dask.distributed cluster")
    r.add_argument("--partitions", type=_positive_int, default=8, metavar="N",
                   help="number of family partitions for --engine partitioned/dask (default 8)")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler (default: a local cluster)")
    r.add_argument("--quiet", action="store_true", help="no progress output")

    v = sub.add_parser("validate", help="print the validation report; exit 1 on errors")
    v.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    v.add_argument("--audit-date", type=_iso_date, metavar="D")
    v.add_argument("--ics-start", type=_iso_date, metavar="D")
    v.add_argument("--examples", type=_positive_int, default=5, metavar="N",
                   help="examples shown per problem (default 5)")

    s = sub.add_parser("synthesize", help="write a synthetic SSD-format extract")
    s.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    s.add_argument("--parents", type=_positive_int, default=38, metavar="N")
    s.add_argument("--seed", type=int, default=2018, metavar="S")
    s.add_argument("--format", choices=("csv", "parquet"), default="csv")
    s.add_argument("--defects", action="store_true",
                   help="write realistic defects into the first block of families (UK dates, "
                        "SQL datetimes, ids without their zeros, a parent only in relationships, "
                        "an unknown code, a repeated row, an end before a start), to test "
                        "validation; counted in extract.json")

    c = sub.add_parser("chronology", help="write one family's whole-family chronology workbook")
    c.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    c.add_argument("parent_id", metavar="PARENT_ID")
    c.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    c.add_argument("--audit-date", type=_iso_date, metavar="D")
    c.add_argument("--ics-start", type=_iso_date, metavar="D")
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
    from .synthetic import write_extract

    written = write_extract(args.out_dir, n_parents=args.parents, seed=args.seed, fmt=args.format,
                            defects=args.defects)
    n = len(written) if written is not None else 0
    print(f"Wrote a SYNTHETIC extract ({args.parents} index parents, seed {args.seed}) "
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
    from .workbook import write_chronology_workbook

    cohort, report = _load(args)
    if report.has_errors:
        print(report.format(max_examples=3), file=sys.stderr)
    parents = siblings.index_parents(cohort, ids=[args.parent_id])
    members = siblings.members(cohort, parents)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_chronology_workbook(cohort, args.parent_id, members, args.out)
    print(f"Wrote the whole-family chronology of {args.parent_id} to {args.out}")
    return EXIT_DATA if report.has_errors else EXIT_OK


def _cmd_report(args) -> int:
    from .report import ReportOptions, run_report

    opts = ReportOptions(
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
    return EXIT_DATA if result.has_errors else EXIT_OK


COMMANDS = {
    "report": _cmd_report,
    "validate": _cmd_validate,
    "synthesize": _cmd_synthesize,
    "chronology": _cmd_chronology,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neglect-analysis`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except _Usage as e:
        _err(str(e))
        return EXIT_USAGE
    except (ValueError, FileNotFoundError, FileExistsError, PermissionError) as e:
        from .io import ExtractError

        _err(str(e))
        return EXIT_DATA if isinstance(e, ExtractError) else EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
