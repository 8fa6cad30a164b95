"""``convert cin-census``: CIN census files (+ SSDA903, + links) -> an SSD-layout extract folder.

:func:`convert_cin_census` reads every census file (in parallel processes, one file each),
ranks the files by collection year, keeps each record once (:mod:`.merge`), builds the SSD
tables (:func:`ssd_tables`) and writes them with :func:`neglect_analysis.export.write_csv`,
with ``extract.json`` and ``conversion_notes.csv`` (every problem and disagreement found, in the
layout of ``analyst/validation_problems.csv``). The mapping and every choice are in the
:mod:`neglect_analysis.convert` package docstring.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from ..export import write_csv
from ..io.arrowtext import map_distinct
from ..io.dates import parse_dates
from ..io.values import factor_sort_key
from ..io.validation import ExtractError, ProblemLog, ValidationReport
from .cin_census import CensusFile, CensusFileError, read_census
from .merge import conflict_messages, latest_versions
from .ssda903 import Return903, read_ssda903

#: ``GenderCurrent`` (schemas to 2024) -> sex letter; ``Sex`` (2025 on) is M/F/U already.
GENDER_CURRENT: dict[str, str] = {"1": "M", "2": "F", "0": "U", "9": "I"}
#: SSDA903 ``SEX`` -> sex letter.
SEX_903: dict[str, str] = {"1": "M", "2": "F"}
#: Census yes/no values (0/1 in most years, true/false accepted by some schemas) -> Y/N.
YES_NO: dict[str, str] = {"1": "Y", "0": "N", "true": "Y", "false": "N", "y": "Y", "n": "N"}
#: Marker of a file written by this converter (``extract.json`` key).
MARKER = "converted_by"
#: Ids made for a mother's child from SSDA903 ``MC_DOB``: ``<mother>`` + this + ``YYYYMMDD``.
DERIVED_CHILD_INFIX = "_MCDOB_"
#: Outcome written for a 2026 pre-proceedings block with an issue date but no outcome text.
ISSUE_OUTCOME = "Decision to issue care proceedings"


class ConversionError(ExtractError):
    """The conversion cannot be done (files that are not CIN census, malformed XML ...)."""


@dataclass
class ConversionResult:
    """What :func:`convert_cin_census` wrote."""

    out: Path
    files: list[Path]
    rows: dict[str, int]
    report: ValidationReport
    has_links: bool
    years: list[int] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.report.has_errors

    def summary(self) -> str:
        years = ", ".join(str(y) for y in self.years) or "unknown"
        lines = [f"Converted CIN census years {years} into an SSD extract in {self.out} "
                 f"({len(self.files)} files):"]
        lines += [f"  {t}: {n} rows" for t, n in self.rows.items()]
        lines.append(f"Conversion notes: {self.report.n('error')} errors, {self.report.n('warning')} "
                     f"warnings, {self.report.n('note')} notes (conversion_notes.csv)")
        if not self.has_links:
            lines.append(NO_LINKS_HINT)
        return "\n".join(lines)


#: What to do when the extract has no family links (printed by ``convert`` and ``report``).
NO_LINKS_HINT = (
    "Sibling groups need a relationships file: the CIN census and SSDA903 returns hold no "
    "links between siblings or parents. Get one in one of three ways: (1) export the case "
    "system's person-relationship table as relationships.csv (person_id, related_person_id, "
    "relationship = mother_of / father_of / partner_of) and give it with --links; (2) take "
    "ssd_mother from the Standard Safeguarding Dataset, or give SSDA903 returns with "
    "MOTHER/MC_DOB with --ssda903 (looked-after mothers only); (3) take ssd_family (one family "
    "id per person) from the Standard Safeguarding Dataset.")


class _Log:
    """The conversion's problems, in the validation report's layout (vectorised adds)."""

    def __init__(self):
        self.log = ProblemLog()

    def rows(self, mask, df: pd.DataFrame, *, table: str, element: str, value, message,
             severity: str, check: str, action: str = "used") -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        d = df[mask]
        values = value[mask] if isinstance(value, pd.Series) else value
        msg = message[mask] if isinstance(message, pd.Series) else message
        self.log.add(table=table, file=None, rows=d["child_pos"].astype("Int64"),
                     column=element, values=values, message=msg, severity=severity,
                     action=action, check=check)
        # file per row: the ProblemLog takes one file per call; fix the last frame's file column
        self.log.frames[-1]["file"] = d["file"].astype("string").to_numpy()

    def one(self, *, table: str, file: str | None, message: str, severity: str = "note",
            check: str = "other", column: str | None = None, value=None, row=None) -> None:
        self.log.add(table=table, file=file, rows=[row], column=column, values=[value],
                     message=[message], severity=severity, action="used", check=check)


def _who(df: pd.DataFrame) -> pd.Series:
    """``<file>: child <id> (Child <n>)`` per row, for messages (``row <n>`` for a CSV file:
    the row in the file, header = 1)."""
    pos = df["child_pos"].astype("Int64").astype("string").fillna("?")
    file = df["file"].astype("string")
    where = pd.Series(" (Child ", index=df.index, dtype="string").where(
        ~file.str.lower().str.endswith(".csv").fillna(False), " (row ")
    return file + ": child " + df["child"].astype("string").fillna("?") + where + pos + ")"


def _date(df: pd.DataFrame, col: str, log: _Log, *, table: str, element: str,
          consequence: str, required: bool = False) -> pd.Series:
    """Parse a text date column; report bad values naming file, child, element and value."""
    dates, bad = parse_dates(df[col])
    if bad.any():
        log.rows(bad, df, table=table, element=element, value=df[col],
                 message=_who(df) + ", " + element + " " + df[col].astype("string")
                 + " is not a date; " + consequence, severity="error", check="bad_date",
                 action="dropped" if required else "used")
    if required:
        missing = df[col].isna().to_numpy()
        if missing.any():
            log.rows(missing, df, table=table, element=element, value=df[col],
                     message=_who(df) + ", " + element + " is empty; " + consequence,
                     severity="error", check="missing_value", action="dropped")
    return dates


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").astype("string")


def _coded(df: pd.DataFrame, col: str, mapping: dict[str, str], log: _Log, *, table: str,
           element: str, expected: str) -> pd.Series:
    """Map codes (case-insensitive) with ``mapping``; unknown: error, left empty."""
    text = df[col].astype("string").str.strip()
    out = text.str.lower().map(mapping).astype("string")
    bad = (text.notna() & out.isna()).to_numpy(dtype=bool)
    if bad.any():
        log.rows(bad, df, table=table, element=element, value=text,
                 message=_who(df) + ", " + element + " " + text.fillna("")
                 + f" is not {expected}; left empty", severity="error", check="unknown_code")
    return out


def _read_all(paths: list[Path], jobs: int) -> tuple[list[CensusFile], list[str]]:
    """Read the census files, ``jobs`` at a time; one-line failures collected, not raised."""
    results: list[CensusFile | None] = [None] * len(paths)
    failures: list[str] = []
    if jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
            futures = [pool.submit(read_census, p) for p in paths]
            for i, f in enumerate(futures):
                try:
                    results[i] = f.result()
                except CensusFileError as exc:
                    failures.append(str(exc))
    else:
        for i, p in enumerate(paths):
            try:
                results[i] = read_census(p)
            except CensusFileError as exc:
                failures.append(str(exc))
    return [r for r in results if r is not None], failures


def _check_out(out: Path, inputs: list[Path], force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file; give a folder for --out")
    for p in inputs:
        rp, ro = p.resolve(), out.resolve()
        if rp == ro or ro in rp.parents:
            raise ValueError(f"Refusing to write the extract into a folder that holds an input ({p}). "
                             "Choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not force:
        meta = out / "extract.json"
        ours = False
        if meta.exists():
            try:
                ours = MARKER in json.loads(meta.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                ours = False
        if not ours:
            raise FileExistsError(f"{out} holds files that are not an earlier conversion; choose an "
                                  "empty folder or give --force to replace them")


def convert_cin_census(census: list[str | Path], out: str | Path, *,
                       ssda903: str | Path | None = None, links: str | Path | None = None,
                       match_upn: bool = False, jobs: int | None = None, force: bool = False,
                       progress: bool = False) -> ConversionResult:
    """Convert CIN census XML files (and SSDA903 returns, and a links file) to an SSD extract.

    Parameters
    ----------
    census
        CIN census XML files, any schema from 2017 to 2026, one or several years.
    out
        Folder for the extract (created; an earlier conversion there is replaced; other files
        only with ``force``).
    ssda903
        Folder of SSDA903 returns (:func:`~neglect_analysis.convert.ssda903.read_ssda903`).
    links
        A ``relationships`` table (CSV, Excel or Parquet), copied into the extract.
    match_upn
        Also treat children with different ``LAchildID`` but the same ``UPN`` as one child
        (the id of the latest file is kept). The UPN is never written out.
    jobs
        Files read at once in separate processes (default: the number of CPUs).

    Raises :class:`ConversionError` (one line per file) when a file is not a CIN census or
    not well-formed XML; nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "cin.xml").write_text(
    ...     '<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2019</Year>'
    ...     '<ReferenceDate>2019-03-31</ReferenceDate></CollectionDetails><Source><LEA>123</LEA>'
    ...     '</Source></Header><Children><Child><ChildIdentifiers><LAchildID>C1</LAchildID>'
    ...     '<PersonBirthDate>2010-05-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>'
    ...     '</ChildIdentifiers><CINdetails><CINreferralDate>2018-06-01</CINreferralDate>'
    ...     '<ReferralSource>2A</ReferralSource><ReferralNFA>0</ReferralNFA></CINdetails>'
    ...     '</Child></Children></Message>')
    >>> r = convert_cin_census([d / "cin.xml"], d / "extract", jobs=1)
    >>> (d / "extract" / "ssd_person.csv").read_text().splitlines()
    ['pers_person_id,pers_sex,pers_dob,pers_expected_dob,pers_death_date', 'C1,F,2010-05-01,,']
    >>> r.has_links
    False
    """
    paths = [Path(p) for p in census]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no such file (give the CIN census XML files)")
    if links is not None and not Path(links).is_file():
        raise FileNotFoundError(f"{links}: no such file (give the relationships file for --links)")
    out = Path(out)
    _check_out(out, paths + [Path(p) for p in (ssda903, links) if p is not None], force)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    if progress:
        print(f"[neglect-analysis] reading {len(paths)} census file(s), {min(jobs, len(paths))} at a time",
              file=sys.stderr, flush=True)
    files, failures = _read_all(paths, jobs)
    if failures:
        raise ConversionError("\n".join(failures))
    returns, skipped = read_ssda903(ssda903) if ssda903 is not None else ([], [])

    log = _Log()
    replaced: dict[str, str] = {}
    tables, meta = ssd_tables(files, returns, log, match_upn=match_upn, out_mapping=replaced)
    if links is not None and replaced:
        _links_with_replaced_ids(Path(links), replaced, log)
    for s in skipped:
        log.one(table="ssda903", file=s.split(":", 1)[0], message=s)

    if progress:
        print(f"[neglect-analysis] writing {out}", file=sys.stderr, flush=True)
    if out.is_dir():
        for child in out.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    written = [write_csv(df, out / f"{name}.csv") for name, df in tables.items()]
    if links is not None:
        src = Path(links)
        target = out / ("relationships" + src.suffix.lower())
        shutil.copyfile(src, target)
        written.append(target)
        meta["converted_from"]["links"] = src.name
    report = ValidationReport(problems=log.log.frame(), counts=pd.DataFrame(
        {"table": list(tables), "file": [f"{t}.csv" for t in tables],
         "rows_read": [len(t) for t in tables.values()], "rows_used": [len(t) for t in tables.values()],
         "rows_reported": 0, "rows_merged": 0, "rows_dropped": 0}))
    written.append(write_csv(report.problems, out / "conversion_notes.csv"))
    meta_path = out / "extract.json"
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(meta_path)
    has_links = links is not None or len(tables.get("ssd_mother", ())) > 0
    return ConversionResult(out=out, files=written, rows={k: len(v) for k, v in tables.items()},
                            report=report, has_links=has_links,
                            years=sorted({f.year for f in files if f.year is not None}))


def _links_with_replaced_ids(path: Path, replaced: dict[str, str], log: _Log) -> None:
    """Warn when the links file (copied unchanged) names ids that UPN matching replaced."""
    from ..io.readers import read_table

    df = read_table(path, "relationships")
    ids = pd.concat([df.get("person_id", pd.Series(dtype="string")),
                     df.get("related_person_id", pd.Series(dtype="string"))]).astype("string")
    named = sorted(set(ids.dropna()) & set(replaced))
    if named:
        pairs = ", ".join(f"{i} -> {replaced[i]}" for i in named[:5]) + (" ..." if len(named) > 5 else "")
        log.one(table="relationships", file=path.name, severity="warning", check="upn_match",
                message=f"{path.name} names {len(named)} id(s) that --match-upn replaced ({pairs}); the "
                        "file is copied unchanged, so those links will not find their person: "
                        "use the kept ids in the links file")


def _ranked(files: list[CensusFile], log: _Log) -> list[CensusFile]:
    """Files from the earliest collection year to the latest (ties: the order given)."""
    order = sorted(range(len(files)), key=lambda i: (files[i].year if files[i].year is not None else -1, i))
    ranked = [files[i] for i in order]
    for f in ranked:
        if f.year is None:
            log.one(table="cin_census", file=f.name, check="other", severity="warning",
                    message=f"{f.name}: no collection Year or ReferenceDate in the header; taken as "
                            "the earliest year (it loses every disagreement)")
    years = pd.Series([f.year for f in ranked])
    for y in years[years.duplicated(keep=False) & years.notna()].unique():
        names = [f.name for f in ranked if f.year == y]
        log.one(table="cin_census", file=names[-1], severity="warning", check="other",
                message=f"{len(names)} files for collection year {y}: {', '.join(names)}; where they "
                        f"disagree the one given last ({names[-1]}) is used")
    return ranked


def _stack(files: list[CensusFile], table: str) -> pd.DataFrame:
    parts = []
    for rank, f in enumerate(files):
        df = f.tables[table]
        if len(df):
            parts.append(df.assign(file=f.name, rank=rank))
    if not parts:
        cols = list(files[0].tables[table].columns) if files else []
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols + ["file"]}).assign(
            rank=pd.Series(dtype="int64"))
    return pd.concat(parts, ignore_index=True)


def _record(df: pd.DataFrame, what: str, date_col: str | None) -> pd.Series:
    text = "child " + df["child"].astype("string")
    if date_col is not None:
        text = text + " " + what + " " + df[date_col].astype("string").fillna("(no date)")
    return text


def _note_conflicts(conflicts: pd.DataFrame, log: _Log, table: str) -> None:
    if len(conflicts):
        log.log.add(table=table, file=None, rows=None, column=None,
                    values=conflicts["old"].astype("string"), message=conflict_messages(conflicts).astype("string"),
                    severity="note", action="used", check="year_conflict")
        log.log.frames[-1]["file"] = (conflicts["old_file"].astype("string") + " / "
                                      + conflicts["new_file"].astype("string")).to_numpy()
        log.log.frames[-1]["column"] = conflicts["column"].astype("string").to_numpy()


def _upn_map(children: pd.DataFrame, extra: pd.DataFrame | None, log: _Log) -> dict[str, str]:
    """Ids to replace when children are matched by UPN: every id sharing a UPN (directly or
    through another id) becomes the id of the latest row among them."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    frames = [children[["child", "upn", "rank"]]]
    if extra is not None and len(extra):
        frames.append(extra[["child", "upn", "rank"]])
    d = pd.concat(frames, ignore_index=True)
    d = d[d["child"].notna()]
    d = d.assign(upn=d["upn"].astype("string").str.strip().str.upper())
    ids, id_code = np.unique(d["child"].astype(str).to_numpy(), return_inverse=True)
    has = d["upn"].notna().to_numpy()
    if not has.any():
        return {}
    upns, upn_code = np.unique(d.loc[has, "upn"].astype(str).to_numpy(), return_inverse=True)
    n = len(ids) + len(upns)
    g = coo_matrix((np.ones(has.sum()), (id_code[has], len(ids) + upn_code)), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    d = d.assign(comp=comp[id_code])
    latest = d.sort_values(["comp", "rank"], kind="stable").drop_duplicates("comp", keep="last")
    canon = d["comp"].map(latest.set_index("comp")["child"])
    change = d.loc[canon != d["child"], ["child"]].assign(to=canon[canon != d["child"]])
    change = change.drop_duplicates("child")
    for r in change.itertuples(index=False):
        log.one(table="ssd_person", file=None, column="UPN", check="upn_match",
                message=f"child {r.child} has the same UPN as child {r.to} (matched with --match-upn); "
                        f"its records are kept under {r.to}")
    return dict(zip(change["child"], change["to"]))


def ssd_tables(files: list[CensusFile], returns: list[Return903], log: _Log, *,
               match_upn: bool = False,
               out_mapping: dict[str, str] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The SSD tables (name -> DataFrame ready for CSV) and ``extract.json`` of a conversion.

    ``files``: the census files read (:func:`~neglect_analysis.convert.cin_census.read_census`),
    in any order; ``returns``: SSDA903 tables; problems and disagreements go to ``log``.
    ``out_mapping``, when given, receives the ids replaced by UPN matching (old -> kept).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> def census(year, closure):
    ...     p = d / f"cin_{year}.xml"
    ...     _ = p.write_text(
    ...         f'<Message><Header><CollectionDetails><Year>{year}</Year></CollectionDetails></Header>'
    ...         '<Children><Child><ChildIdentifiers><LAchildID>C1</LAchildID></ChildIdentifiers>'
    ...         f'<CINdetails><CINreferralDate>2019-06-01</CINreferralDate>{closure}</CINdetails>'
    ...         '</Child></Children></Message>')
    ...     return read_census(p)
    >>> files = [census(2021, "<CINclosureDate>2020-05-01</CINclosureDate>"),
    ...          census(2020, "")]
    >>> tables, meta = ssd_tables(files, [], _Log())
    >>> tables["ssd_cin_episodes"][["cine_person_id", "cine_referral_date", "cine_close_date"]].values.tolist()
    [['C1', '2019-06-01', '2020-05-01']]
    >>> meta["collection_years"], meta["audit_date"] if "audit_date" in meta else None
    ([2020, 2021], None)
    """
    out_mapping = {} if out_mapping is None else out_mapping
    files = _ranked(files, log)
    for f in files:
        for pos, child, element, value, message, severity in f.problems:
            who = f"{f.name}: " + (f"child {child} (Child {pos})" if child else
                                   (f"Child {pos}" if pos else "header"))
            log.one(table="cin_census", file=f.name, row=pos, column=element, value=value,
                    message=f"{who}, {message}", severity=severity,
                    check="missing_value" if severity == "error" else "other")
    kids = _stack(files, "children")
    refs = _stack(files, "referrals")
    asm = _stack(files, "assessments")
    s47 = _stack(files, "s47")
    cpp = _stack(files, "cp_plans")
    prep = _stack(files, "pre_proceedings")

    # SSDA903: header and episodes, ranked after the census of the same year (census wins ties)
    r903 = sorted(returns, key=lambda r: (r.year if r.year is not None else -1, r.label))
    head = [r.table.assign(file=r.label, rank=(r.year or -1) * 100) for r in r903 if r.kind == "header"]
    eps = [r.table.assign(file=r.label, rank=(r.year or -1) * 100) for r in r903 if r.kind == "episodes"]
    names = {"CHILD": "child", "row": "child_pos"}
    head = pd.concat(head, ignore_index=True).rename(columns=names) if head else None
    eps = pd.concat(eps, ignore_index=True).rename(columns=names) if eps else None

    mapping: dict[str, str] = {}
    if match_upn:
        extra = head.rename(columns={"UPN": "upn"}) if head is not None else None
        mapping = _upn_map(kids, extra, log)
        if mapping:
            for df in (kids, refs, asm, s47, cpp, prep, head, eps):
                if df is not None and len(df):
                    df["child"] = df["child"].replace(mapping).astype("string")

    persons = _persons(kids, head, log)
    referrals = _referrals(refs, log)
    assessments, factors = _assessments(asm, log)
    s47_t = _s47(s47, log)
    plans = _cp_plans(cpp, log)
    pre = _pre_proceedings(prep, log)
    icpc = _icpcs(referrals, s47_t, log)

    # ids: sequential in (child, date) order; links between tables through (child, date) keys
    ref_id = _ids(referrals, "R")
    referrals["cine_referral_id"] = ref_id
    ref_key = _lookup(referrals["child"], referrals["referral_date"], ref_id)

    def ref_of(df):
        return _find(ref_key, df["child"], df["referral_date"])

    out: dict[str, pd.DataFrame] = {}
    out["ssd_person"] = persons
    out["ssd_cin_episodes"] = pd.DataFrame({
        "cine_referral_id": ref_id, "cine_person_id": referrals["child"],
        "cine_referral_date": referrals["referral_date"],
        "cine_cin_primary_need_code": referrals["need"], "cine_referral_nfa": referrals["nfa"],
        "cine_close_date": referrals["close_date"], "cine_close_reason": referrals["close_reason"],
        "cine_referral_source_code": referrals["source"],
    })
    a_id = _ids(assessments, "A")
    out["ssd_cin_assessments"] = pd.DataFrame({
        "cina_assessment_id": a_id, "cina_person_id": assessments["child"],
        "cina_referral_id": ref_of(assessments), "cina_assessment_start_date": assessments["start"],
        "cina_assessment_auth_date": assessments["auth"],
    })
    has_f = factors.notna().to_numpy()
    out["ssd_assessment_factors"] = pd.DataFrame({
        "cinf_table_id": _ids(assessments[has_f], "F"), "cinf_assessment_id": a_id[has_f],
        "cinf_assessment_factors_json": factors[has_f].to_numpy(),
    })
    s_id = _ids(s47_t, "S")
    s_key = _lookup(s47_t["child"], s47_t["start"], s_id)
    out["ssd_s47_enquiry"] = pd.DataFrame({
        "s47e_s47_enquiry_id": s_id, "s47e_person_id": s47_t["child"],
        "s47e_referral_id": ref_of(s47_t), "s47e_s47_start_date": s47_t["start"],
        "s47e_s47_end_date": pd.Series(pd.NA, index=s47_t.index, dtype="string"),
        "s47e_s47_nfa": s47_t["icpc_not_required"], "s47e_icpc_target_date": s47_t["icpc_target"],
    })
    i_id = _ids(icpc, "I")
    i_key = _lookup(icpc["child"], icpc["date"], i_id)
    out["ssd_initial_cp_conference"] = pd.DataFrame({
        "icpc_icpc_id": i_id, "icpc_person_id": icpc["child"],
        "icpc_s47_enquiry_id": _find(s_key, icpc["child"], icpc["s47_start"]),
        "icpc_icpc_date": icpc["date"],
        "icpc_icpc_outcome_cp_flag": _cp_on_day(icpc, plans),
        "icpc_icpc_transfer_in": pd.Series(pd.NA, index=icpc.index, dtype="string"),
        "icpc_referral_id": ref_of(icpc),
    })
    out["ssd_cp_plans"] = pd.DataFrame({
        "cppl_cp_plan_id": _ids(plans, "P"), "cppl_person_id": plans["child"],
        "cppl_icpc_id": _find(i_key, plans["child"], plans["start"]),
        "cppl_referral_id": ref_of(plans),
        "cppl_cp_plan_start_date": plans["start"], "cppl_cp_plan_end_date": plans["end"],
        "cppl_cp_plan_initial_category": plans["initial"],
        "cppl_cp_plan_latest_category": plans["latest"],
        "cppl_cp_plan_ola": pd.Series(pd.NA, index=plans.index, dtype="string"),
        "cppl_number_of_previous_cpp": plans["n_previous"],
    })
    if eps is not None:
        cla = _cla(eps, log)
        out["ssd_cla_episodes"] = pd.DataFrame({
            "clae_cla_episode_id": _ids(cla, "L"), "clae_person_id": cla["child"],
            "clae_cla_episode_start_date": cla["DECOM"], "clae_cla_episode_ceased_date": cla["DEC"],
            "clae_cla_episode_start_reason": cla["RNE"], "clae_cla_legal_status": cla["LS"],
            "clae_cla_primary_need_code": cla["CIN"],
            "clae_cla_episode_ceased_reason": cla["REC"],
        })
    if len(pre):
        out["ssd_pre_proceedings"] = pd.DataFrame({
            "prep_table_id": _ids(pre, "PP"), "prep_person_id": pre["child"],
            "prep_plo_family_id": pd.Series(pd.NA, index=pre.index, dtype="string"),
            "prep_pre_pro_decision_date": pre["decision_date"],
            "prep_pre_pro_outcome": pre["outcome"],
            "prep_agree_stepdown_issue_date": pre["issue_date"],
            "prep_care_pro_letter_date": pre["letter_date"],
            "prep_pre_pro_end_date": pre["end_date"], "prep_referral_id": ref_of(pre),
        })
    if head is not None:
        mothers, children = _mothers(head, log)
        if len(mothers):
            out["ssd_mother"] = mothers
            out["ssd_person"] = pd.concat([out["ssd_person"], children], ignore_index=True)
    _unknown_people(out, log)

    meta = _meta(files, r903)
    meta["replaced_ids"] = len(mapping) if match_upn else 0
    out_mapping.clear()
    out_mapping.update(mapping if match_upn else {})
    return out, meta


def _pair(child: pd.Series, date: pd.Series) -> pd.Series:
    return child.astype("string") + "\x1f" + date.astype("string")


def _lookup(child: pd.Series, date: pd.Series, ids: pd.Series) -> pd.Series:
    """Ids indexed by (child, date) text keys, for :func:`_find`."""
    return pd.Series(ids.to_numpy(), index=_pair(child, date).to_numpy(), dtype="string")


def _find(lookup: pd.Series, child: pd.Series, date: pd.Series) -> pd.Series:
    """The id of each (child, date), empty where none (keys are unique)."""
    return _pair(child, date).map(lookup).astype("string")


def _ids(df: pd.DataFrame, prefix: str) -> pd.Series:
    """Sequential ids in the (already sorted) row order: ``R0000001`` ..."""
    numbers = pa.array(np.arange(1, len(df) + 1, dtype=np.int64)).cast(pa.string())
    text = pac.binary_join_element_wise(prefix, pac.utf8_lpad(numbers, 7, "0"), "")
    return pd.Series(text.to_pandas(types_mapper=pd.ArrowDtype).astype("string").to_numpy(),
                     index=df.index, dtype="string")


def _persons(kids: pd.DataFrame, head: pd.DataFrame | None, log: _Log) -> pd.DataFrame:
    t = "ssd_person"
    kids = kids.copy()
    kids["dob"] = _iso(_date(kids, "dob", log, table=t, element="ChildIdentifiers/PersonBirthDate",
                             consequence="left empty"))
    kids["expected_dob"] = _iso(_date(kids, "expected_dob", log, table=t,
                                      element="ChildIdentifiers/ExpectedPersonBirthDate",
                                      consequence="left empty"))
    kids["death_date"] = _iso(_date(kids, "death_date", log, table=t,
                                    element="ChildIdentifiers/PersonDeathDate", consequence="left empty"))
    gender = _coded(kids, "gender_current", GENDER_CURRENT, log, table=t,
                    element="ChildIdentifiers/GenderCurrent", expected="a GenderCurrent code (1, 2, 0, 9)")
    sex = _coded(kids, "sex", {"m": "M", "f": "F", "u": "U"}, log, table=t,
                 element="ChildIdentifiers/Sex", expected="a Sex code (M, F, U)")
    kids["sex_letter"] = sex.fillna(gender)
    cols = ["dob", "expected_dob", "sex_letter", "death_date"]
    labels = {"dob": "PersonBirthDate", "expected_dob": "ExpectedPersonBirthDate",
              "sex_letter": "sex (GenderCurrent/Sex)", "death_date": "PersonDeathDate"}
    kept, conflicts = latest_versions(kids, ["child"], cols, labels=labels,
                                      describe=_record(kids, "", None))
    _note_conflicts(conflicts, log, t)
    persons = pd.DataFrame({"pers_person_id": kept["child"], "pers_sex": kept["sex_letter"],
                            "pers_dob": kept["dob"], "pers_expected_dob": kept["expected_dob"],
                            "pers_death_date": kept["death_date"]})
    if head is not None and len(head):
        h = head.copy()
        h["dob"] = _iso(_date(h, "DOB", log, table=t, element="SSDA903 header DOB", consequence="left empty"))
        h["sex_letter"] = _coded(h, "SEX", SEX_903, log, table=t, element="SSDA903 header SEX",
                                 expected="an SSDA903 SEX code (1, 2)")
        h903, c903 = latest_versions(h, ["child"], ["dob", "sex_letter"],
                                     labels={"dob": "DOB", "sex_letter": "SEX"},
                                     describe=_record(h, "", None))
        _note_conflicts(c903, log, t)
        known = h903["child"].isin(persons["pers_person_id"])
        # children in both: the census is kept; a different 903 value is noted
        both = h903[known].merge(persons, left_on="child", right_on="pers_person_id")
        for col, pcol, label in (("dob", "pers_dob", "DOB"), ("sex_letter", "pers_sex", "SEX")):
            differ = (both[col].notna() & both[pcol].notna() & (both[col] != both[pcol])).fillna(False)
            for r in both[differ].itertuples(index=False):
                log.one(table=t, file=r.file, check="year_conflict", column=label,
                        value=getattr(r, col),
                        message=f"child {r.child}: SSDA903 {label} {getattr(r, col)} in {r.file} but "
                                f"{getattr(r, pcol)} in the CIN census; the census is used")
        # census without a dob: the 903 DOB fills it
        fill = both[both["pers_dob"].isna() & both["dob"].notna()].set_index("child")["dob"]
        if len(fill):
            at = persons["pers_person_id"].isin(fill.index)
            persons.loc[at, "pers_dob"] = persons.loc[at, "pers_person_id"].map(fill).to_numpy()
        only = h903[~known]
        persons = pd.concat([persons, pd.DataFrame({
            "pers_person_id": only["child"], "pers_sex": only["sex_letter"], "pers_dob": only["dob"],
            "pers_expected_dob": pd.NA, "pers_death_date": pd.NA})], ignore_index=True)
    persons = persons.sort_values("pers_person_id", kind="stable").reset_index(drop=True)
    return persons.astype("string")


def _keyed(df: pd.DataFrame, col: str, log: _Log, *, table: str, element: str, what: str) -> pd.DataFrame:
    """Rows with a usable key date (``col`` parsed to ISO text); others reported, dropped.
    The episode's ``referral_date`` of a sub-item is normalised the same way, quietly (a bad
    one is reported with its episode)."""
    df = df.copy()
    if col != "referral_date" and "referral_date" in df.columns:
        df["referral_date"] = _iso(parse_dates(df["referral_date"])[0])
    df[col] = _iso(_date(df, col, log, table=table, element=element, required=True,
                         consequence=f"the {what} is left out"))
    return df[df[col].notna().to_numpy()]


def _referrals(refs: pd.DataFrame, log: _Log) -> pd.DataFrame:
    t = "ssd_cin_episodes"
    r = _keyed(refs, "referral_date", log, table=t, element="CINdetails/CINreferralDate",
               what="episode and what it holds")
    r["close_date"] = _iso(_date(r, "close_date", log, table=t, element="CINdetails/CINclosureDate",
                                 consequence="left empty (open)"))
    r["icpc_date"] = _iso(_date(r, "icpc_date", log, table=t, element="CINdetails/DateOfInitialCPC",
                                consequence="no conference made from it"))
    r["nfa"] = _coded(r, "nfa", YES_NO, log, table=t, element="CINdetails/ReferralNFA",
                      expected="0/1 or true/false")
    r["need"] = r["need"].str.upper()
    r["close_reason"] = r["close_reason"].str.upper()
    r["source"] = r["source"].str.upper()
    cols = ["source", "need", "close_date", "close_reason", "nfa", "icpc_date"]
    labels = {"source": "ReferralSource", "need": "PrimaryNeedCode", "close_date": "CINclosureDate",
              "close_reason": "ReasonForClosure", "nfa": "ReferralNFA", "icpc_date": "DateOfInitialCPC"}
    kept, conflicts = latest_versions(r, ["child", "referral_date"], cols, labels=labels,
                                      describe=_record(r, "referral", "referral_date"))
    _note_conflicts(conflicts, log, t)
    return kept


def _assessments(asm: pd.DataFrame, log: _Log) -> tuple[pd.DataFrame, pd.Series]:
    t = "ssd_cin_assessments"
    a = _keyed(asm, "start", log, table=t, element="Assessments/AssessmentActualStartDate",
               what="assessment")
    a["auth"] = _iso(_date(a, "auth", log, table=t, element="Assessments/AssessmentAuthorisationDate",
                           consequence="left empty"))
    a["factors"] = map_distinct(a["factors"].astype("string"), _factor_json)
    cols = ["referral_date", "auth", "factors"]
    labels = {"referral_date": "CINreferralDate", "auth": "AssessmentAuthorisationDate",
              "factors": "AssessmentFactors"}
    kept, conflicts = latest_versions(a, ["child", "start"], cols, labels=labels,
                                      describe=_record(a, "assessment", "start"))
    _note_conflicts(conflicts, log, t)
    return kept, kept["factors"]


def _factor_json(codes: pd.Series) -> pd.Series:
    """Distinct ``3B,16A`` texts -> JSON arrays, codes upper case, de-duplicated, in code order."""
    def one(text: str) -> str:
        items = sorted({c.strip().upper() for c in text.split(",") if c.strip()}, key=factor_sort_key)
        return json.dumps(items, separators=(",", ":"))

    return pd.Series([one(t) for t in codes], index=codes.index, dtype="string")


def _s47(s47: pd.DataFrame, log: _Log) -> pd.DataFrame:
    t = "ssd_s47_enquiry"
    s = _keyed(s47, "start", log, table=t, element="Section47/S47ActualStartDate", what="S47 enquiry")
    s["icpc_target"] = _iso(_date(s, "icpc_target", log, table=t, element="Section47/InitialCPCtarget",
                                  consequence="left empty"))
    s["icpc_date"] = _iso(_date(s, "icpc_date", log, table=t, element="Section47/DateOfInitialCPC",
                                consequence="no conference made from it"))
    s["icpc_not_required"] = _coded(s, "icpc_not_required", YES_NO, log, table=t,
                                    element="Section47/ICPCnotRequired", expected="0/1 or true/false")
    cols = ["referral_date", "icpc_target", "icpc_date", "icpc_not_required"]
    labels = {"referral_date": "CINreferralDate", "icpc_target": "InitialCPCtarget",
              "icpc_date": "DateOfInitialCPC", "icpc_not_required": "ICPCnotRequired"}
    kept, conflicts = latest_versions(s, ["child", "start"], cols, labels=labels,
                                      describe=_record(s, "S47", "start"))
    _note_conflicts(conflicts, log, t)
    return kept


def _cp_plans(cpp: pd.DataFrame, log: _Log) -> pd.DataFrame:
    t = "ssd_cp_plans"
    p = _keyed(cpp, "start", log, table=t, element="ChildProtectionPlans/CPPstartDate", what="CP plan")
    p["end"] = _iso(_date(p, "end", log, table=t, element="ChildProtectionPlans/CPPendDate",
                          consequence="left empty (open)"))
    for c in ("initial", "latest"):
        p[c] = p[c].str.upper()
    n = p["n_previous"].astype("string").str.strip()
    bad = (n.notna() & ~n.str.fullmatch(r"\d+").fillna(False)).to_numpy(dtype=bool)
    if bad.any():
        log.rows(bad, p, table=t, element="ChildProtectionPlans/NumberOfPreviousCPP", value=n,
                 message=_who(p) + ", ChildProtectionPlans/NumberOfPreviousCPP " + n.fillna("")
                 + " is not a whole number; left empty", severity="error", check="unknown_code")
    p["n_previous"] = n.where(~bad)
    cols = ["referral_date", "end", "initial", "latest", "n_previous"]
    labels = {"referral_date": "CINreferralDate", "end": "CPPendDate", "initial": "InitialCategoryOfAbuse",
              "latest": "LatestCategoryOfAbuse", "n_previous": "NumberOfPreviousCPP"}
    kept, conflicts = latest_versions(p, ["child", "start"], cols, labels=labels,
                                      describe=_record(p, "CP plan", "start"))
    _note_conflicts(conflicts, log, t)
    return kept


def _pre_proceedings(prep: pd.DataFrame, log: _Log) -> pd.DataFrame:
    t = "ssd_pre_proceedings"
    if len(prep):
        um = prep[prep["unmapped"].notna()]
        for names, g in um.groupby("unmapped"):
            log.one(table=t, file=g["file"].iloc[0], column="PreProceedingsandFGDM", value=names,
                    check="other", severity="warning",
                    message=f"PreProceedingsandFGDM element(s) {names.replace(';', ', ')} in {len(g)} "
                            f"block(s) (first: {g['file'].iloc[0]}, child {g['child'].iloc[0]}) are not "
                            "mapped to the SSD; not converted")
    p = _keyed(prep, "decision_date", log, table=t, element="PreProceedingsandFGDM decision date",
               what="pre-proceedings block")
    for c, element in (("end_date", "end date"), ("issue_date", "care proceedings issue date"),
                       ("letter_date", "letter before proceedings date")):
        p[c] = _iso(_date(p, c, log, table=t, element=f"PreProceedingsandFGDM {element}",
                          consequence="left empty"))
    p["outcome"] = p["outcome"].astype("string").where(
        p["outcome"].notna() | p["issue_date"].isna(), ISSUE_OUTCOME)
    cols = ["referral_date", "end_date", "outcome", "issue_date", "letter_date"]
    kept, conflicts = latest_versions(p, ["child", "decision_date"], cols,
                                      describe=_record(p, "pre-proceedings", "decision_date"))
    _note_conflicts(conflicts, log, t)
    return kept


def _icpcs(referrals: pd.DataFrame, s47: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Conferences: each S47's ``DateOfInitialCPC`` (linked to that S47) and each episode's
    ``DateOfInitialCPC``; the same child and date is one conference. An episode's conference
    with no S47 naming that date is linked to the episode's latest S47 starting on or before
    it (none: no S47 link)."""
    from_s47 = s47.loc[s47["icpc_date"].notna(), ["child", "referral_date", "start", "icpc_date"]]
    from_s47 = from_s47.rename(columns={"start": "s47_start", "icpc_date": "date"})
    from_ref = referrals.loc[referrals["icpc_date"].notna(), ["child", "referral_date", "icpc_date"]]
    from_ref = from_ref.rename(columns={"icpc_date": "date"})
    known = pd.MultiIndex.from_frame(from_s47[["child", "date"]])
    new = from_ref[~pd.MultiIndex.from_frame(from_ref[["child", "date"]]).isin(known)]
    if len(new):
        cand = s47[["child", "referral_date", "start"]].rename(columns={"start": "s47_start"})
        m = new.merge(cand, on=["child", "referral_date"], how="left")
        m = m[m["s47_start"].isna() | (m["s47_start"] <= m["date"])]
        m = m.sort_values(["child", "date", "s47_start"], na_position="first").drop_duplicates(
            ["child", "date"], keep="last")
        new = new.merge(m[["child", "date", "s47_start"]], on=["child", "date"], how="left")
    else:
        new = new.assign(s47_start=pd.Series(dtype="string"))
    icpc = pd.concat([from_s47, new], ignore_index=True)
    icpc = icpc.sort_values(["child", "date"], kind="stable").drop_duplicates(["child", "date"])
    return icpc.reset_index(drop=True).astype("string")


def _cp_on_day(icpc: pd.DataFrame, plans: pd.DataFrame) -> pd.Series:
    """``Y`` where a CP plan of the child starts on the conference date, else empty (unknown)."""
    starts = pd.MultiIndex.from_frame(plans[["child", "start"]].astype(str))
    on = pd.MultiIndex.from_frame(icpc[["child", "date"]].astype(str)).isin(starts)
    return pd.Series(np.where(on, "Y", None), index=icpc.index, dtype="string")


def _cla(eps: pd.DataFrame, log: _Log) -> pd.DataFrame:
    t = "ssd_cla_episodes"
    e = eps.copy()
    e["DECOM"] = _iso(_date(e, "DECOM", log, table=t, element="SSDA903 episodes DECOM", required=True,
                            consequence="the episode is left out"))
    e = e[e["DECOM"].notna().to_numpy()]
    e["DEC"] = _iso(_date(e, "DEC", log, table=t, element="SSDA903 episodes DEC",
                          consequence="left empty (open)"))
    cols = ["DEC", "RNE", "LS", "CIN", "REC"]
    kept, conflicts = latest_versions(e, ["child", "DECOM"], cols,
                                      describe=_record(e, "CLA episode", "DECOM"))
    _note_conflicts(conflicts, log, t)
    return kept


def _mothers(head: pd.DataFrame, log: _Log) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``ssd_mother`` rows and the persons made for the mothers' children (SSDA903 header
    ``MOTHER`` = 1 with ``MC_DOB``): one child per distinct (mother, ``MC_DOB``)."""
    t = "ssd_mother"
    h = head.copy()
    flag = h["MOTHER"].astype("string").str.strip()
    bad = (flag.notna() & ~flag.isin(["0", "1"])).to_numpy(dtype=bool)
    if bad.any():
        log.rows(bad, h, table=t, element="SSDA903 header MOTHER", value=flag,
                 message=h["file"].astype("string") + " row " + h["child_pos"].astype("string")
                 + ": child " + h["child"].astype("string") + ", MOTHER " + flag.fillna("")
                 + " is not 0 or 1; no mother link made", severity="error", check="bad_flag")
    mc = _date(h, "MC_DOB", log, table=t, element="SSDA903 header MC_DOB",
               consequence="no mother link made")
    is_mother = (flag == "1").fillna(False).to_numpy(dtype=bool)
    no_date = is_mother & mc.isna().to_numpy() & h["MC_DOB"].isna().to_numpy()
    if no_date.any():
        log.rows(no_date, h, table=t, element="SSDA903 header MC_DOB", value=h["MC_DOB"],
                 message=h["file"].astype("string") + " row " + h["child_pos"].astype("string")
                 + ": child " + h["child"].astype("string")
                 + " has MOTHER 1 but no MC_DOB; no mother link made", severity="warning",
                 check="missing_value")
    m = h[is_mother & mc.notna().to_numpy()].assign(mc=_iso(mc[is_mother & mc.notna().to_numpy()]))
    m = m.drop_duplicates(["child", "mc"]).sort_values(["child", "mc"], kind="stable")
    ids = (m["child"].astype("string") + DERIVED_CHILD_INFIX + m["mc"].str.replace("-", "", regex=False))
    mothers = pd.DataFrame({
        "moth_table_id": _ids(m, "M").to_numpy(), "moth_person_id": m["child"].to_numpy(),
        "moth_childs_person_id": ids.to_numpy(), "moth_childs_dob": m["mc"].to_numpy(),
        "moth_childs_id_derived": "Y",
    }).astype("string")
    children = pd.DataFrame({
        "pers_person_id": ids.to_numpy(), "pers_sex": pd.NA, "pers_dob": m["mc"].to_numpy(),
        "pers_expected_dob": pd.NA, "pers_death_date": pd.NA, "pers_id_derived": "Y",
    }).astype("string")
    return mothers, children


def _unknown_people(out: dict[str, pd.DataFrame], log: _Log) -> None:
    """Rows whose person is not in ``ssd_person`` (a CLA episode of a child in no census file
    and no 903 header): reported and left out."""
    people = set(out["ssd_person"]["pers_person_id"].dropna())
    if "ssd_cla_episodes" in out:
        e = out["ssd_cla_episodes"]
        unknown = ~e["clae_person_id"].isin(people)
        for child in e.loc[unknown, "clae_person_id"].unique():
            log.one(table="ssd_cla_episodes", file=None, column="CHILD", value=child, severity="error",
                    check="unknown_person",
                    message=f"SSDA903 episodes of child {child}: the child is in no census file and no "
                            "SSDA903 header; the episodes are left out")
        out["ssd_cla_episodes"] = e[~unknown].reset_index(drop=True)
    if "ssd_mother" in out:
        p = out["ssd_person"]
        p["pers_id_derived"] = p["pers_id_derived"].astype("string")
        out["ssd_person"] = p.sort_values("pers_person_id", kind="stable").reset_index(drop=True)


def _meta(files: list[CensusFile], returns: list[Return903]) -> dict:
    years = sorted({f.year for f in files if f.year is not None})
    refs = sorted(f.reference_date for f in files if f.reference_date)
    las = sorted({f.la for f in files if f.la})
    meta = {
        MARKER: "neglect-analysis convert cin-census",
        "converted_from": {
            "cin_census": [{"file": f.name, "collection_year": f.year, "reference_date": f.reference_date,
                            "la_code": f.la} for f in files],
            "ssda903": sorted({r.label for r in returns}),
        },
        "collection_years": years,
        "la_code": las[0] if len(las) == 1 else las,
        "authority": f"LA {las[0]}" if len(las) == 1 else None,
        "synthetic": False,
    }
    if refs:
        meta["audit_date"] = refs[-1]
    if years:
        meta["ics_start_date"] = f"{years[0] - 1}-04-01"
    return meta
