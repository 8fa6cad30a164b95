"""``neglect-analysis report``: the analyst tables, chronology workbooks and briefing pack.

The report is written into a hidden staging folder inside ``OUT`` and moved into place only when
complete, so an interrupted run (error, Ctrl-C, SIGTERM, SIGHUP) never leaves half a report. It
replaces only an empty folder or a previous report of this package, and refuses to write into
the input folder or the project's ``data/`` folder (:mod:`neglect_analysis.outputs`).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from .cohort import Cohort
from .definitions import DEFAULTS, Definitions
from .export import write_csv
from .outputs import check_report_out, chronology_file_names, inside, report_folder
from .pipeline import AnalysisParams, AnalystTables, build_tables


@dataclass
class ReportOptions:
    """Options of ``neglect-analysis report`` (DESIGN.md "Command line").

    ``definitions`` holds every threshold; ``min_children``, ``min_span_years`` and
    ``suppress_below``, when given, override its fields of the same name (the command line's
    options over a ``--definitions`` file). :meth:`run_definitions` gives the result.
    """

    audit_date: date | None = None
    ics_start_date: date | None = None
    min_children: int | None = None
    min_span_years: float | None = None
    definitions: Definitions = DEFAULTS
    index_parents: list[str] | None = None
    suppress_below: int | None = None
    pseudonymise: bool = False
    tables_only: bool = False
    progress: bool = False
    engine: str = "memory"
    partitions: int = 8
    scheduler_address: str | None = None


    def run_definitions(self) -> Definitions:
        """The definitions of the run: ``definitions`` with the options given here over it.

        Examples
        --------
        >>> ReportOptions(min_children=6).run_definitions().min_children
        6
        >>> ReportOptions().run_definitions() == DEFAULTS
        True
        """
        given = {k: getattr(self, k) for k in ("min_children", "min_span_years", "suppress_below")}
        return replace(self.definitions, **{k: v for k, v in given.items() if v is not None})


@dataclass
class ReportResult:
    """What a report run wrote, for the command line's closing lines."""

    out: Path
    label: str
    n_parents: int
    n_children: int
    has_errors: bool
    files: list[Path] = field(default_factory=list)
    briefing_refused: str | None = None

    #: True when the extract has no family links: only the per-child tables were written.
    no_links: bool = False

    def summary(self) -> str:
        lines = [
            f"{self.label}: {self.n_parents} index parents, {self.n_children} children.",
            f"Wrote {len(self.files)} files to {self.out}",
        ]
        if self.has_errors:
            lines.append(
                "Some rows of the extract could not be used: each is listed with file, row, "
                "column, value and what to do in analyst/validation_problems.csv. The tables "
                "cover the rows that could be used."
            )
        if self.briefing_refused:
            lines.append(f"No briefing/ was written. {self.briefing_refused}")

        if self.no_links:
            from .convert import NO_LINKS_HINT

            lines.append("No sibling groups: the extract has no links between parents and children. "
                         "analyst/children.csv holds one row per person, without sibling columns.")
            lines.append(NO_LINKS_HINT)
        return "\n".join(lines)


def _progress(enabled: bool, msg: str) -> None:
    if enabled:
        print(f"[neglect-analysis] {msg}", file=sys.stderr, flush=True)


def write_analyst_tables(tables: AnalystTables, folder: Path) -> list[Path]:
    """Write every analyst CSV table into ``folder``; returns the paths."""
    return [write_csv(df, folder / f"{name}.csv") for name, df in tables.csv_tables().items()]


def run_report(data_dir: str | Path, out: str | Path, options: ReportOptions | None = None) -> ReportResult:
    """Load the extract in ``data_dir``, run every analysis and write the report to ``out``."""
    from .io import load_extract

    opts = options or ReportOptions()
    data_dir, out = Path(data_dir), Path(out)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a folder. Give the folder holding the SSD tables.")
    check_report_out(out, data_dir)

    key = None
    if opts.pseudonymise:
        from .privacy import key_from_env

        key = key_from_env()  # fail at once, before the long load, when no key is set
    _progress(opts.progress, f"reading {data_dir}")
    cohort, vreport = load_extract(
        data_dir,
        audit_date=opts.audit_date,
        ics_start_date=opts.ics_start_date,
        progress=opts.progress,
    )
    problems = vreport.problems
    index_parents = opts.index_parents
    if key is not None:
        from .privacy import pseudonymise_cohort, pseudonymise_ids, pseudonymise_problems

        problems = pseudonymise_problems(vreport, key)
        cohort = pseudonymise_cohort(cohort, key)
        if index_parents:
            index_parents = pseudonymise_ids(index_parents, key)
        if vreport.has_errors:
            print("Some rows of the extract could not be used: see analyst/validation_problems.csv "
                  "(ids pseudonymised).", file=sys.stderr)
    elif vreport.has_errors:
        print(vreport.format(max_examples=3), file=sys.stderr)

    if len(cohort.links) == 0:  # no family links (e.g. a converted CIN census): per-child tables only
        return _write_unlinked(cohort, vreport, problems, out, data_dir)

    _progress(opts.progress, "computing sibling groups, recurrence and escalation")
    params = AnalysisParams(index_parents=index_parents, definitions=opts.run_definitions())
    if opts.engine == "memory":
        tables = build_tables(cohort, params)
    else:
        from .partition import run_partitioned

        tables = run_partitioned(
            cohort,
            params,
            n_partitions=opts.partitions,
            engine="memory" if opts.engine == "partitioned" else opts.engine,
            scheduler_address=opts.scheduler_address,
            progress=opts.progress,
        )
    from .bootstrap import findings_with_intervals
    from .io.memory import release_free_memory
    from .pipeline import with_signal

    tables.extra["findings"] = findings_with_intervals(cohort, tables.family, definitions=params.definitions,
                                                       groups=tables.groups)
    tables.groups = None  # its children's events are read by nothing after the findings: freed
    release_free_memory()  # between steps, as build_tables does
    tables = with_signal(cohort, tables, definitions=params.definitions)
    release_free_memory()

    refused = None
    with report_folder(out, data_dir) as tmp:
        files = write_analyst_tables(tables, tmp / "analyst")
        files.append(write_csv(problems, tmp / "analyst" / "validation_problems.csv"))
        files.append(write_csv(vreport.counts, tmp / "analyst" / "validation_counts.csv"))
        if not opts.tables_only:
            from .workbook import write_look_now_workbook

            files.append(write_look_now_workbook(cohort, tables.family.look_now, tmp / "analyst" / "look_now.xlsx"))
            files += _write_workbooks(cohort, tables, tmp / "analyst" / "chronologies", opts)
            _progress(opts.progress, "writing the briefing pack")
            from .briefing import write_briefing
            from .disclosure_audit import DisclosureAuditError

            try:
                files += write_briefing(cohort, tables, tmp / "briefing", definitions=params.definitions)
            except DisclosureAuditError as e:  # the analyst tables stand; the pack is not shareable
                refused = str(e)
    files = [out / f.relative_to(tmp) for f in files]
    return ReportResult(
        out=out,
        label=cohort.label(),
        n_parents=int(tables.sibling_groups.shape[0]),
        n_children=int(tables.members["child_id"].nunique()),
        has_errors=bool(vreport.has_errors),
        files=files,
        briefing_refused=refused,
    )


def _write_unlinked(cohort: Cohort, vreport, problems: pd.DataFrame, out: Path, data_dir: Path) -> ReportResult:
    """The report of an extract without family links: ``analyst/children.csv`` (one row per
    person, :func:`neglect_analysis.unlinked.unlinked_children`) and the validation tables."""
    from .unlinked import unlinked_children

    children = unlinked_children(cohort)
    with report_folder(out, data_dir) as tmp:
        files = [write_csv(children, tmp / "analyst" / "children.csv"),
                 write_csv(problems, tmp / "analyst" / "validation_problems.csv"),
                 write_csv(vreport.counts, tmp / "analyst" / "validation_counts.csv")]
    # the missing link table is said by ``no_links``; other errors are the rows' own
    link_missing = (problems["check"] == "missing_table") & (problems["table"] == "relationships")
    row_errors = bool(((problems["severity"] == "error") & ~link_missing.fillna(False)).any())
    return ReportResult(out=out, label=cohort.label(), n_parents=0, n_children=len(children),
                        has_errors=row_errors, no_links=True,
                        files=[out / f.relative_to(tmp) for f in files])


def _write_workbooks(cohort: Cohort, tables: AnalystTables, folder: Path, opts: ReportOptions) -> list[Path]:
    from tqdm import tqdm

    from .workbook import write_chronology_workbook

    folder.mkdir(parents=True, exist_ok=True)
    names = chronology_file_names(tables.sibling_groups["parent_id"])
    files = [write_csv(names, folder / "index.csv")]
    for pid, name in tqdm(list(zip(names["parent_id"], names["file"])), desc="chronologies",
                          disable=not opts.progress, file=sys.stderr):
        files.append(write_chronology_workbook(cohort, pid, tables.members, inside(folder, name)))
    return files
