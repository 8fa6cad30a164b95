"""``load_extract``: read a folder of SSD tables, validate them, build the Cohort.

DESIGN.md "Input: an SSD extract" and "Validation and bad input". Required: ``ssd_person`` and
one link source (``relationships``, else ``ssd_mother``, else ``ssd_family``); every other table
is optional (absent: no events of that type, noted in the report). When ``ssd_person`` is
missing or unusable nothing else is read (every other check needs it).
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohort import Cohort, conform
from ..definitions import DEFAULTS
from . import events as ev
from ..idsets import IdSet, PersonCodes
from .checks import TableRows
from .links import check_links, from_relationships, from_ssd_family, from_ssd_mother
from .memory import release_free_memory
from .metadata import METADATA_FILE, read_metadata, resolve_parameters
from .persons import build_persons
from .readers import ROW, RawFile, find_table_files, normalise, read_file
from .spec import LINK_TABLES, TABLE_COLUMNS, canonical_columns
from .validation import COUNT_COLUMNS, ExtractError, ProblemLog, ValidationReport, id_kind, quote

#: Event tables in the order they are read, with the event types they give.
EVENT_SOURCES: dict[str, str] = {
    "ssd_contacts": "contact", "ssd_early_help_episodes": "early_help",
    "ssd_cin_episodes": "referral", "ssd_cin_assessments": "assessment",
    "ssd_s47_enquiry": "s47", "ssd_initial_cp_conference": "icpc", "ssd_cp_plans": "cp_plan",
    "ssd_cla_episodes": "cla", "ssd_pre_proceedings": "pre_proceedings and care_proceedings",
    "paper_records": "paper",
}


class _Reader:
    """Reads tables on demand, reporting file-level problems and keeping row accounting."""

    def __init__(self, folder: Path, log: ProblemLog, progress: bool):
        self.folder = folder
        self.log = log
        self.files = find_table_files(folder)
        self.read: dict[str, TableRows] = {}
        self.bar = None
        if progress:
            from tqdm import tqdm
            self.bar = tqdm(total=len(self.files), desc="Reading extract", unit="table", file=sys.stderr)

    def has(self, table: str) -> bool:
        return table in self.files

    def table(self, table: str) -> TableRows | None:
        """Read a table; None when absent. Missing required columns: all rows dropped."""
        if table in self.read:
            return self.read[table]
        if table not in self.files:
            return None
        paths = self.files[table]
        path = paths[0]
        for other in paths[1:]:
            self.log.add(table=table, file=other.name, rows=None, column=None, values=None,
                         message=f"{other.name}: {table} is also in {path.name}; {other.name} ignored",
                         severity="warning", action="used", check="other")
        if self.bar is not None:
            self.bar.set_postfix_str(path.name)
        try:
            raw = read_file(path, table)
        except Exception as exc:  # unreadable file: report, treat as absent
            self.log.add(table=table, file=path.name, rows=None, column=None, values=None,
                         message=f"{path.name}: cannot be read ({exc}); table not used. Save it "
                                 f"again as CSV (UTF-8) or Excel (.xlsx) and rerun",
                         severity="error", action="dropped", check="unreadable_file")
            self.read[table] = None
            return None
        df, _ = normalise(raw.df, table, header_row=raw.header_row)
        t = TableRows(table, path.name, df, self.log)
        self._file_notes(t, raw, path)
        self.read[table] = t
        if self.bar is not None:
            self.bar.update(1)
        return t

    def _file_notes(self, t: TableRows, raw: RawFile, path: Path) -> None:
        """Report what the reader noticed about the file as a whole, and missing columns."""
        table, name, df = t.table, path.name, t.df

        def add(message, *, severity="note", check="other", column=None, action="used", rows=None,
                values=None):
            self.log.add(table=table, file=name, rows=rows, column=column, values=values,
                         message=message, severity=severity, action=action, check=check)

        if raw.empty:
            add(f"{name}: the file is empty (no column names, no rows); no {table} rows read. "
                f"Export the table again (a table with no records still has its header row)",
                severity="error", action="dropped", check="empty_file")
            return
        if raw.encoding == "cp1252":
            add(f"{name}: not UTF-8; read as Windows-1252", check="encoding")
        elif raw.encoding is not None and raw.encoding.startswith("utf-16"):
            add(f"{name}: UTF-16 text, not UTF-8; read as UTF-16",
                check="encoding")
        if raw.sheet is not None and raw.other_sheets:
            add(f"{name}: read sheet '{raw.sheet}'; other sheet(s) "
                + ", ".join(f"'{s}'" for s in raw.other_sheets) + " ignored", check="excel_layout")
        if raw.header_row > 1:
            add(f"{name}: the column names are on row {raw.header_row}; row(s) above them "
                f"(titles or notes) ignored", check="excel_layout")
        for col, first, repeat, same in df.attrs.get("duplicate_columns", []):
            if same:
                add(f"{name}: column {col} appears twice (columns {first} and {repeat}, names "
                    f"compared ignoring case) with the same values; column {repeat} ignored",
                    severity="warning", check="duplicate_column", column=col)
            else:
                add(f"{name}: column {col} appears twice (columns {first} and {repeat}, names "
                    f"compared ignoring case) with different values; column {first} used, "
                    f"column {repeat} ignored", severity="error", check="duplicate_column", column=col)
        for row, col, formula in raw.formulas:
            add(f"{name} row {row}: {col} holds the formula {quote(formula)}; formulas are not "
                f"evaluated, so the cell is read as empty", severity="error", check="formula",
                column=col, rows=[row], values=[formula])
        ids = [c for c in raw.numeric_columns if c.endswith("_id") and c in df.columns]
        for col in ids:
            example = df[col].dropna()
            example = example.iloc[0] if len(example) else ""
            add(f"{name}: {col} holds numbers, not text (e.g. {quote(example, id_kind(col))}); read as whole numbers, "
                f"so leading zeros (0012) cannot be recovered", severity="warning",
                check="numeric_id", column=col)
        if raw.ragged:
            rows = [r for r, _, _ in raw.ragged]
            text = pd.Series(pd.NA, index=df.index, dtype="string")
            where = df[ROW].isin(rows)
            by_row = {r: (k, n) for r, k, n in raw.ragged}
            text[where] = [f"has {by_row[r][0]} values but the header has {by_row[r][1]} columns "
                           "(a comma inside text that is not in quotes?); row dropped"
                           for r in df.loc[where, ROW]]
            t.report(where, None, text, check="ragged_row")
        data = [c for c in df.columns if c != ROW]
        blank = df[data].isna().all(axis=1) if data else pd.Series(False, index=df.index)
        t.report(blank, None, "the row is empty; skipped", check="blank_row", severity="note")
        missing = [c for c in TABLE_COLUMNS[table]["required"] if c not in df.columns]
        if missing:
            known = set(canonical_columns(table)) | set(TABLE_COLUMNS[table]["aliases"])
            unknown = [c for c in data if c not in known]
            hints = []
            for c in missing:
                close = difflib.get_close_matches(c, unknown, n=1, cutoff=0.6)
                if close:
                    hints.append(f"{close[0]} looks like {c}: rename it")
            hint = ("; " + "; ".join(hints)) if hints else ""
            n = int(t.keep.sum())
            add(f"{name}: required column(s) {', '.join(missing)} missing{hint}; all {n} rows dropped",
                severity="error", action="dropped", check="missing_column", column=", ".join(missing))
            t.keep = pd.Series(False, index=df.index)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def counts(self) -> pd.DataFrame:
        rows = [t.counts() for name in TABLE_COLUMNS for t in [self.read.get(name)] if t is not None]
        return pd.DataFrame(rows, columns=list(COUNT_COLUMNS))


def _table_note(log: ProblemLog, table: str, message: str, *, severity: str = "note",
                check: str = "missing_table") -> None:
    log.add(table=table, file=None, rows=None, column=None, values=None, message=message,
            severity=severity, action="used", check=check)


def load_extract(path: str | Path, *, audit_date=None, ics_start_date=None, strict: bool = False,
                 progress: bool = False) -> tuple[Cohort, ValidationReport]:
    """Read and validate an SSD extract folder; return ``(cohort, report)``.

    Parameters
    ----------
    path
        Folder with one file per table (``ssd_person.csv``, ``ssd_cp_plans.xlsx``,
        ``relationships.parquet``, ...) and optionally ``extract.json``.
    audit_date, ics_start_date
        Override ``extract.json``; defaults: today and 2009-04-01 (``cohort.DEFAULT_ICS_START``).
    strict
        Raise :class:`ExtractError` listing every error instead of returning a report with errors.
    progress
        Show a progress bar per table on stderr.

    The Cohort's tables follow ``cohort.SCHEMAS``; ``cohort.meta`` records the files read,
    ``link_source`` and ``extract.json``. See the ``neglect_analysis.io`` package docstring for
    every validation rule and choice. A folder that does not exist raises :class:`ExtractError`.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "ssd_person.csv").write_text("pers_person_id,pers_dob\\n0001,1980-01-01\\n0012,31/03/2005\\n")
    >>> _ = (d / "relationships.csv").write_text("person_id,related_person_id,relationship\\n0001,0012,mother_of\\n")
    >>> cohort, report = load_extract(d, audit_date="2018-07-31")
    >>> cohort.links[["parent_id", "child_id", "source"]].values.tolist(), report.has_errors
    ([['0001', '0012', 'relationships']], False)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ExtractError(f"{folder}: no such folder (give the folder that holds the SSD tables)")
    log = ProblemLog()
    meta, meta_problems = read_metadata(folder)
    for msg in meta_problems:
        log.add(table=METADATA_FILE, file=METADATA_FILE, rows=None, column=None, values=None,
                message=msg, severity="error", action="used", check="metadata")
    audit, ics = resolve_parameters(meta, audit_date=audit_date, ics_start_date=ics_start_date)
    reader = _Reader(folder, log, progress)
    try:
        tables = _build(reader, log, audit)
    finally:
        reader.close()
    report = log.report(reader.counts())
    reader.read.clear()  # the tables as read (text): not needed once counted; memory for the sort
    release_free_memory()  # what reading left free, before the events are coded and sorted
    cohort = Cohort.build(
        person_dtype=tables["person_dtype"],  # every id column is coded with it already
        persons=conform(tables["persons"], "persons"),
        links=conform(tables["links"], "links"),
        partners=conform(tables["partners"], "partners"),
        events=conform(tables["events"], "events"),
        case_review=conform(tables["case_review"], "case_review"),
        iro_challenges=conform(tables["iro_challenges"], "iro_challenges"),
        audit_date=audit,
        ics_start_date=ics,
        authority=meta.get("authority"),
        synthetic=bool(meta.get("synthetic", False)),
        source_path=str(folder),
        meta={"files": {k: v[0].name for k, v in reader.files.items()},
              "link_source": tables["link_source"], "extract_json": meta},
    )
    tables.clear()  # the tables before coding (the events unsorted)
    release_free_memory()  # what coding left free, before the analysis
    if strict:
        report.raise_if_errors()
    return cohort, report


def link_table(reader: _Reader, log: ProblemLog) -> tuple[str | None, TableRows | None]:
    """The link table used and its rows: the first of ``relationships``, ``ssd_mother``,
    ``ssd_family`` in the extract with a row that can be used.

    A link table with no usable row (header only, an empty or unreadable file, a required
    column missing) is passed over, with a warning, for the next one present: an empty
    ``relationships.csv`` must not hide a populated ``ssd_mother`` (issue 14). When none has
    a usable row the first present is used; a header-only one is then an error (no sibling
    group can be formed). Tables after the one used are noted as not read.
    """
    present = [s for s in LINK_TABLES if reader.has(s)]
    if not present:
        return None, None
    chosen = None
    for source in present:
        t = reader.table(source)
        if t is not None and t.keep.any():
            chosen = source
            break
    source = chosen or present[0]
    for other in present:
        name = reader.files[other][0].name
        if other == source or (chosen is None and other != source):
            continue
        if present.index(other) < present.index(source):
            t = reader.read.get(other)
            why = ("has column names but no rows" if t is not None and len(t.df) == 0
                   else "has no row that can be used")
            _table_note(log, other, f"{name}: {why}; links are taken from "
                        f"{reader.files[source][0].name} instead", severity="warning",
                        check="link_fallback")
        else:
            _table_note(log, other, f"{name}: not read; links are taken from {source}", check="other")
    t = reader.read.get(source)
    if chosen is None and t is not None and len(t.df) == 0 and len(t.df.columns) > 1:
        _table_note(log, source, f"{t.file}: has column names but no rows; no sibling groups can be "
                    f"formed. Export {source} again with its rows", severity="error", check="empty_file")
    return source, t


def place_others(person_ids: IdSet, columns: list[pd.Series]) -> tuple[list[np.ndarray], pd.Index]:
    """Positions of the ids of ``columns`` (links' parents and children, then partners) among
    the people of the load: the persons of ``ssd_person`` (``person_ids``) first, then every
    other id, in order of first appearance (so a parent named only by the link table, found
    first among the parents, is placed as it is added to the persons). Returns each column's
    positions (-1: missing) and the other ids, in their order: one lookup for all columns.

    Examples
    --------
    >>> (parent, partner), others = place_others(IdSet(pd.Index(["C", "M"])),
    ...                                          [pd.Series(["M", "X"]), pd.Series(["Y", "X", "C"])])
    >>> parent.tolist(), partner.tolist(), others.tolist()
    ([1, 2], [3, 2, 0], ['X', 'Y'])
    """
    at = person_ids.positions(*columns) if columns else []
    both = np.concatenate(at) if at else np.zeros(0, dtype=np.int64)
    ids = pd.concat(columns, ignore_index=True) if columns else pd.Series(dtype="string")
    absent = (both < 0) & ids.notna().to_numpy()
    others = pd.Index([], dtype="string")
    if absent.any():
        codes, uniques = pd.factorize(ids[absent])
        both[absent] = len(person_ids) + codes
        others = pd.Index(uniques, dtype="string")
    ends = np.cumsum([len(c) for c in columns])
    return np.split(both, ends[:-1]) if columns else [], others


def _empty() -> dict:
    return {"persons": None, "links": None, "partners": None, "events": None,
            "case_review": None, "iro_challenges": None, "link_source": None, "person_dtype": None}


def _build(reader: _Reader, log: ProblemLog, audit_date: pd.Timestamp | None = None) -> dict:
    out = _empty()
    # persons ---------------------------------------------------------------------------------
    pt = reader.table("ssd_person")
    if pt is None:
        _table_note(log, "ssd_person", "ssd_person: table not found in the extract; nothing else "
                    "can be read (add ssd_person.csv, .xlsx or .parquet)", severity="error")
        return out
    if len(pt.df) == 0 and len(pt.df.columns) > 1:
        _table_note(log, "ssd_person", f"{pt.file}: has column names but no rows; nothing can be "
                    "analysed. Export ssd_person again with its rows", severity="error",
                    check="empty_file")
    if not pt.keep.any():
        return out
    persons = build_persons(pt)
    pt.release()
    person_ids = IdSet(persons["person_id"])  # one set for every membership test of this load

    # links -------------------------------------------------------------------------------------
    source, lt = link_table(reader, log)
    links = pd.DataFrame(columns=["parent_id", "child_id", "relationship", "source", ROW])
    partners = None
    others = pd.Index([], dtype="string")  # people of the Cohort not in ssd_person
    if source is None:
        _table_note(log, "relationships", "no link table found (relationships, ssd_mother or "
                    "ssd_family): no sibling groups can be formed", severity="error")
    else:
        out["link_source"] = source
        if lt is not None and lt.keep.any():
            if source == "relationships":
                links, partners = from_relationships(lt, person_ids)
                parent_col = "person_id"
            elif source == "ssd_mother":
                links, dobs = from_ssd_mother(lt, person_ids)
                parent_col = "moth_person_id"
                fill = persons["dob"].isna() & persons["person_id"].isin(dobs["person_id"])
                if fill.any():
                    persons.loc[fill, "dob"] = persons.loc[fill, "person_id"].map(
                        dobs.set_index("person_id")["dob"])
            else:
                links = from_ssd_family(lt, persons)
                parent_col = None
            columns = [links["parent_id"], links["child_id"]]
            columns += [] if partners is None else [partners["person_id"], partners["partner_id"]]
            at, others = place_others(person_ids, columns)
            parent_at, child_at = at[:2]
            absent = links[parent_at >= len(person_ids)].drop_duplicates("parent_id")  # ssd_family: none
            if parent_col is not None and len(absent):
                mask = lt.df[ROW].isin(absent[ROW])
                parent = lt.col(parent_col)[lt.reported(mask)]  # messages for these rows only
                lt.report(mask, parent_col, parent_col + " " + quote(parent, "person")
                          + " (a parent) is not in ssd_person; kept with unknown date of birth",
                          check="parent_not_in_extract", severity="note", drop=False)
                extra = pd.DataFrame({"person_id": absent["parent_id"].to_numpy(), "sex": pd.NA,
                                      "dob": pd.NaT, "death_date": pd.NaT, "in_extract": False})
                persons = pd.concat([persons, extra], ignore_index=True)
            links = links.assign(parent_at=parent_at, child_at=child_at)  # kept through the checks
            links = check_links(links, persons, lt, person_codes=(parent_at, child_at))
            lt.release()
    # the persons are final: one dtype for the Cohort (the persons, then partners named only
    # in relationships), each id column coded from the positions its check found
    coder = PersonCodes(person_ids, others)
    persons["person_id"] = coder.coded(np.arange(len(persons)))
    if "parent_at" in links.columns:
        links = links.assign(parent_id=coder.coded(links.pop("parent_at").to_numpy()),
                             child_id=coder.coded(links.pop("child_at").to_numpy()))
    if partners is not None:
        partners = partners.assign(person_id=coder.coded(at[2]), partner_id=coder.coded(at[3]))
    out["persons"] = persons
    out["links"] = links.drop(columns=[ROW], errors="ignore")
    out["partners"] = partners
    out["person_dtype"] = coder.dtype

    out["events"] = _events(reader, log, coder, persons, audit_date)
    for table in ("case_review", "iro_challenges"):
        out[table] = _extension_table(reader, table, coder)
    return out


def _events(reader: _Reader, log: ProblemLog, coder: PersonCodes, persons: pd.DataFrame,
            audit_date: pd.Timestamp | None) -> pd.DataFrame | None:
    """The events of every event table (:data:`EVENT_SOURCES`), person ids coded by ``coder``,
    in ``cohort.EVENT_ORDER``. Each table's text goes once its events are built (the paper
    records' once "Same event once" has merged them), so the text tables are never all held."""
    frames = []
    paper = None
    for table, kind in EVENT_SOURCES.items():
        t = reader.table(table)
        if t is None:
            _table_note(log, table, f"{table}: table not in the extract; no {kind} events",
                        check="absent_table")
            continue
        if not t.keep.any():
            continue
        ft = None
        if table == "ssd_cin_assessments":
            ft = reader.table("ssd_assessment_factors")
            ft = ft if ft is not None and ft.keep.any() else None
            frames.append(ev.assessments(t, coder, ft, audit_date=audit_date))
        else:
            frames.append(ev.BUILDERS[table](t, coder, audit_date=audit_date))
        ev.after_death(t, persons)
        if table == "paper_records":
            paper = (t, frames[-1])
        else:
            t.release()
        if ft is not None:
            ft.release()
        release_free_memory()  # the table's text, before the next is read
    if reader.has("ssd_assessment_factors") and not reader.has("ssd_cin_assessments"):
        ft = reader.table("ssd_assessment_factors")
        ft.report(pd.Series(True, index=ft.df.index), "cinf_assessment_id",
                  "ssd_cin_assessments is not in the extract, so factors cannot be attached; row dropped",
                  check="unknown_person")
    frames = [f for f in frames if len(f)]
    if paper is not None and len(paper[1]) and frames[:-1]:
        # DESIGN.md "Same event once": a paper copy of an ICS event is that event (the paper
        # frame is the last one: paper_records is read last)
        frames[-1] = ev.merge_same_events(paper[0], paper[1], _paper_people_events(frames[:-1], paper[1]),
                                          DEFAULTS.same_event_days)
        frames = [f for f in frames if len(f)]
    if paper is not None:
        paper[0].release()
    paper = None
    frames = [conform(f, "events") for f in frames]
    release_free_memory()  # before the ordered events are made, column by column
    return ev.concat_events(frames) if frames else None


#: Date columns of the extension tables (the first is required in ``iro_challenges``).
EXTENSION_DATES: dict[str, tuple[str, ...]] = {
    "case_review": ("review_date",), "iro_challenges": ("challenge_date", "resolved_date")}


def _extension_table(reader: _Reader, table: str, coder: PersonCodes) -> pd.DataFrame | None:
    """``case_review`` or ``iro_challenges`` as read and checked, person ids coded by ``coder``."""
    t = reader.table(table)
    if t is None or not t.keep.any():
        return None
    release_free_memory()  # what the reader left free, before the table's checks
    t.known_person("person_id", coder)
    frame = {c: t.col(c) for c in TABLE_COLUMNS[table]["required"] + TABLE_COLUMNS[table]["optional"]}
    frame["person_id"] = t.person_column("person_id", coder)
    for c in EXTENSION_DATES[table]:
        frame[c] = t.date(c, required=(c == "challenge_date"))
    if table == "iro_challenges":
        frame["resolved_date"] = t.date_order(frame["challenge_date"], frame["resolved_date"],
                                              "challenge_date", "resolved_date")
    kept = t.kept(pd.DataFrame(frame))
    t.release()
    release_free_memory()  # what reading the table left free
    return kept


def _paper_people_events(frames: list[pd.DataFrame], paper: pd.DataFrame) -> pd.DataFrame:
    """The ICS events (``frames``, person ids coded with one dtype) of the people with a paper
    record, in their order, with the columns :func:`~neglect_analysis.io.events.same_event_pairs`
    reads: the ICS events it can match, without a copy of every event."""
    dtype = paper["person_id"].dtype
    named = np.zeros(len(dtype.categories) + 1, dtype=bool)  # the last entry: a missing code (-1)
    named[paper["person_id"].cat.codes.to_numpy()] = True
    named[-1] = False
    cols = ["event_id", "person_id", "event_type", "start_date", "other_la", "source_ref"]
    picked = [f.loc[named[f["person_id"].cat.codes.to_numpy()], cols] for f in frames]
    ics = pd.concat(picked, ignore_index=True)
    # pd.concat makes an equal dtype, not the same one: the codes given back their dtype
    ics["person_id"] = pd.Categorical.from_codes(ics["person_id"].cat.codes.to_numpy(), dtype=dtype, validate=False)
    return ics
