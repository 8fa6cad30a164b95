"""An independent DuckDB SQL rewrite of the per-child counts, first involvement and escalation.

The yardstick of issue 11 item 7: ``neglect-analysis report --tables-only`` should take at most
1.2 x this script, timed as a whole process (``import duckdb`` included), on the same extract.
It reads the raw extract CSVs itself (nothing from the package) and computes, for the children
of the index parents, these columns of ``analyst/children.csv``::

    n_contacts, n_referrals, n_rereferrals_12m, n_s47, n_cp_plans, n_repeat_cp_plans,
    first_involvement_date, escalation_date, escalation_type, escalated

one row per (child, index parent), as the package does. Usage::

    python benchmarks/duckdb_rewrite.py EXTRACT_DIR [--out FILE.csv] [--compare OUT/analyst/children.csv]
                                        [--audit-date D] [--min-children N] [--min-span-years Y]
                                        [--index-parents ID,ID..] [--threads N] [--json]

``--compare`` checks the result against the package's ``children.csv`` column by column and
prints the number of mismatching cells per column (and rows found on one side only); the exit
status is 1 when any cell or row differs. Without it, the script only computes (the timed run).

The rules, from DESIGN.md "Input" and "Definitions" and the loader's documented choices
(``io/readers.py``, ``io/checks.py``, ``io/persons.py``, ``io/links.py``, ``io/events.py``),
written again in SQL:

- Cells are stripped of spaces; empty cells and the words NULL, NaN, NA, N/A, #N/A, None
  (any case) are missing. Column names are stripped and lower-cased; the SSD names of
  DESIGN.md are expected (the package's column aliases are not rewritten here).
- Dates: ISO ``yyyy-m-d`` (a time after it ignored: SQL Server ``2017-03-31 00:00:00.000``),
  UK day-first ``d/m/yyyy`` (``/``, ``.`` or ``-``), Excel serials 61..2958465 (day 0 =
  1899-12-30); an impossible day or a date outside 1900-01-01..2199-12-31 (``9999-12-31``
  included) is missing.
- Persons: rows without id dropped, a repeated id keeps its first row; dob = ``pers_dob``, else
  ``pers_expected_dob``; a death date before the dob is ignored.
- Links: ``relationships`` rows ``mother_of`` / ``father_of`` (text compared ignoring case,
  spaces and hyphens), not self-links, the child in ``ssd_person``; a link whose parent was
  under 12 (whole years) at the child's birth, both dobs known, is dropped.
- Index parents: at least ``--min-children`` (5) distinct linked children with a dob, and an age
  span (days / 365.25) of at least ``--min-span-years`` (10); or the ``--index-parents`` given.
  Their children with a dob are the rows of the result.
- Events: each SSD event table's rows with an id (a repeated id keeps its first row), a person
  in ``ssd_person`` and a start date not after the audit date. Pre-proceedings: a
  ``pre_proceedings`` event on the decision date; where the outcome contains the word "issue"
  (case-insensitive, word start) also a ``care_proceedings`` event on the agreed issue date,
  else the letter date. Paper records: the ``event_type`` (ignoring case, spaces, hyphens) when
  it is one of the Cohort's event types, else ``paper`` (involvement only). "Same event once"
  (DESIGN.md): a paper record of this authority (``other_la`` not y/yes/1/true/t, type not
  ``other_la_record``) typed as an event type is left out where the same person has an
  extract event of that type dated within 7 days of it, either side.
- ``n_rereferrals_12m``: referrals 0..365 days after the child's previous referral;
  ``n_repeat_cp_plans``: CP plans after the first; ``first_involvement_date``: earliest event
  of any type; escalation: the first ``cp_plan``, ``cla`` or ``care_proceedings`` (ties:
  that order) on or before the censor date, the earliest of the audit date, the 18th birthday
  (29 February -> 1 March) and death.

Prints one line of whole-process measures (wall from the process start, CPU user + system,
peak RSS), as ``arrow_floor.py`` does (``--json``: one JSON object).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process_measures import process_measures  # noqa: E402  (stdlib only: no pyarrow here)

#: The children.csv columns this rewrite computes, in order (after child_id, parent_id).
COLUMNS: tuple[str, ...] = (
    "n_contacts", "n_referrals", "n_rereferrals_12m", "n_s47", "n_cp_plans",
    "n_repeat_cp_plans", "first_involvement_date", "escalation_date", "escalation_type",
    "escalated",
)

#: Columns read from each table (a column the file lacks is read as missing).
TABLES: dict[str, tuple[str, ...]] = {
    "ssd_person": ("pers_person_id", "pers_dob", "pers_expected_dob", "pers_death_date"),
    "relationships": ("person_id", "related_person_id", "relationship"),
    "ssd_contacts": ("cont_contact_id", "cont_person_id", "cont_contact_date"),
    "ssd_early_help_episodes": ("earl_episode_id", "earl_person_id", "earl_episode_start_date"),
    "ssd_cin_episodes": ("cine_referral_id", "cine_person_id", "cine_referral_date"),
    "ssd_cin_assessments": ("cina_assessment_id", "cina_person_id", "cina_assessment_start_date"),
    "ssd_s47_enquiry": ("s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date"),
    "ssd_initial_cp_conference": ("icpc_icpc_id", "icpc_person_id", "icpc_icpc_date"),
    "ssd_cp_plans": ("cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date"),
    "ssd_cla_episodes": ("clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date"),
    "ssd_pre_proceedings": ("prep_table_id", "prep_person_id", "prep_pre_pro_decision_date",
                            "prep_pre_pro_outcome", "prep_agree_stepdown_issue_date",
                            "prep_care_pro_letter_date"),
    "paper_records": ("person_id", "event_date", "event_type", "other_la"),
}

#: The date columns of :data:`TABLES` (parsed on load).
DATE_COLUMNS: frozenset[str] = frozenset({
    "pers_dob", "pers_expected_dob", "pers_death_date", "cont_contact_date",
    "earl_episode_start_date", "cine_referral_date", "cina_assessment_start_date",
    "s47e_s47_start_date", "icpc_icpc_date", "cppl_cp_plan_start_date",
    "clae_cla_episode_start_date", "prep_pre_pro_decision_date", "prep_agree_stepdown_issue_date",
    "prep_care_pro_letter_date", "event_date",
})

#: SSD event tables with one event per row: (event type, id, person, start date).
EVENT_TABLES: dict[str, tuple[str, str, str, str]] = {
    "ssd_contacts": ("contact", "cont_contact_id", "cont_person_id", "cont_contact_date"),
    "ssd_early_help_episodes": ("early_help", "earl_episode_id", "earl_person_id",
                                "earl_episode_start_date"),
    "ssd_cin_episodes": ("referral", "cine_referral_id", "cine_person_id", "cine_referral_date"),
    "ssd_cin_assessments": ("assessment", "cina_assessment_id", "cina_person_id",
                            "cina_assessment_start_date"),
    "ssd_s47_enquiry": ("s47", "s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date"),
    "ssd_initial_cp_conference": ("icpc", "icpc_icpc_id", "icpc_person_id", "icpc_icpc_date"),
    "ssd_cp_plans": ("cp_plan", "cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date"),
    "ssd_cla_episodes": ("cla", "clae_cla_episode_id", "clae_person_id",
                         "clae_cla_episode_start_date"),
}

#: Event types of the Cohort a paper record can be typed as (every type but ``paper``).
PAPER_TYPES: tuple[str, ...] = ("contact", "early_help", "referral", "assessment", "s47", "icpc",
                                "cp_plan", "cla", "pre_proceedings", "care_proceedings")

_ISO = r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_UK = r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_SERIAL = r"^([0-9]{1,7})(?:\.[0-9]+)?$"

MACROS = f"""
CREATE MACRO missing_word(t) AS CASE
    WHEN strlen(t) <= 4 AND lower(t) IN ('', 'null', 'nan', 'na', 'n/a', '#n/a', 'none') THEN NULL ELSE t END;
CREATE MACRO clean(x) AS missing_word(trim(x));
CREATE MACRO type_key(x) AS regexp_replace(lower(trim(x, ' \t\r\n')), '[\\s\\-]+', '_', 'g');
CREATE MACRO raw_date(x) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN strlen(x) = 10 AND regexp_full_match(x, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN try_cast(x AS DATE)
    WHEN regexp_matches(x, '{_ISO}')
        THEN CAST(try_strptime(regexp_extract(x, '{_ISO}', 1), '%Y-%m-%d') AS DATE)
    WHEN regexp_matches(x, '{_UK}')
        THEN CAST(try_strptime(regexp_extract(x, '{_UK}', 1) || '/' || regexp_extract(x, '{_UK}', 2)
                               || '/' || regexp_extract(x, '{_UK}', 3), '%d/%m/%Y') AS DATE)
    WHEN regexp_matches(x, '{_SERIAL}')
         AND CAST(regexp_extract(x, '{_SERIAL}', 1) AS BIGINT) BETWEEN 61 AND 2958465
        THEN DATE '1899-12-30' + CAST(regexp_extract(x, '{_SERIAL}', 1) AS INTEGER)
    END;
CREATE MACRO in_range(d) AS CASE WHEN d BETWEEN DATE '1900-01-01' AND DATE '2199-12-31' THEN d END;
CREATE MACRO birthday(dob, years) AS CASE
    WHEN month(dob) = 2 AND day(dob) = 29
         AND NOT ((year(dob) + years) % 4 = 0 AND ((year(dob) + years) % 100 <> 0 OR (year(dob) + years) % 400 = 0))
        THEN make_date(year(dob) + years, 3, 1)
    ELSE make_date(year(dob) + years, month(dob), day(dob)) END;
"""


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh), [])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_tables(con: duckdb.DuckDBPyConnection, folder: Path) -> set[str]:
    """One DuckDB table per CSV of :data:`TABLES` present in ``folder``: the columns used,
    cleaned text (missing columns NULL) and the date columns parsed (``DATE``, missing where
    not a date), in file order (``rowid`` = row order). Three passes per table (text, parse,
    range), each reading columns: an expression used twice in one pass would be computed
    twice. Returns the names of the tables read."""
    present = set()
    for table, wanted in TABLES.items():
        path = folder / f"{table}.csv"
        if not path.is_file():
            continue
        names = {h.strip().lower(): h for h in _header(path)}
        cols = ", ".join(f"clean({_quote(names[c])}) AS {c}" if c in names else f"NULL::VARCHAR AS {c}"
                         for c in wanted)
        con.execute(f"CREATE TABLE text_{table} AS SELECT {cols} FROM read_csv(?, header = true, "
                    "delim = ',', all_varchar = true)", [str(path)])
        dates = [c for c in wanted if c in DATE_COLUMNS]
        if dates:
            con.execute(f"CREATE TABLE raw_{table} AS SELECT * REPLACE ("
                        + ", ".join(f"raw_date({c}) AS {c}" for c in dates) + f") FROM text_{table}")
            con.execute(f"CREATE TABLE {table} AS SELECT * REPLACE ("
                        + ", ".join(f"in_range({c}) AS {c}" for c in dates) + f") FROM raw_{table}")
            con.execute(f"DROP TABLE text_{table}; DROP TABLE raw_{table}")
        else:
            con.execute(f"ALTER TABLE text_{table} RENAME TO {table}")
        present.add(table)
    return present


def audit_date_of(folder: Path, given: str | None) -> date:
    """The audit date: ``given``, else ``extract.json``'s ``audit_date``, else today."""
    if given:
        return date.fromisoformat(given)
    meta = folder / "extract.json"
    if meta.is_file():
        value = json.loads(meta.read_text(encoding="utf-8")).get("audit_date")
        if value:
            return date.fromisoformat(str(value)[:10])
    return date.today()


def first_of_id(table: str, id_col: str) -> str:
    """SQL condition: the row is the first (in file order) of its non-missing id, the loader's
    rule for repeated ids (``TableRows.unique_id``: later repeats dropped)."""
    return (f"rowid IN (SELECT min(rowid) FROM {table} WHERE {id_col} IS NOT NULL "
            f"GROUP BY {id_col})")


def events_sql(present: set[str]) -> str:
    """SQL of the events (person_id, event_type, start_date) of the children in ``kids``, not
    after the audit date (parameter ``$audit``). Only the children's events are kept: every
    one of them is a person of ``ssd_person`` (the loader's known-person check)."""
    parts = []
    for table, (etype, id_col, person, start) in EVENT_TABLES.items():
        if table not in present:
            continue
        parts.append(f"""
        SELECT {person} AS person_id, '{etype}' AS event_type, {start} AS start_date FROM {table}
        WHERE {first_of_id(table, id_col)}
          AND {start} <= $audit AND {person} IN (SELECT child_id FROM kids)""")
    if "ssd_pre_proceedings" in present:
        # prep_table_id is optional: rows without one are kept (the loader's id is the row).
        kept = (f"(prep_table_id IS NULL OR {first_of_id('ssd_pre_proceedings', 'prep_table_id')}) "
                "AND prep_pre_pro_decision_date <= $audit AND prep_person_id IN (SELECT child_id FROM kids)")
        parts.append(f"""
        SELECT prep_person_id, 'pre_proceedings', prep_pre_pro_decision_date
        FROM ssd_pre_proceedings WHERE {kept}
        UNION ALL
        SELECT prep_person_id, 'care_proceedings',
               coalesce(prep_agree_stepdown_issue_date, prep_care_pro_letter_date)
        FROM ssd_pre_proceedings WHERE {kept}
          AND regexp_matches(prep_pre_pro_outcome, '(?i)\\bissue')
          AND coalesce(prep_agree_stepdown_issue_date, prep_care_pro_letter_date) IS NOT NULL""")
    if not parts and "paper_records" not in present:
        return "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS event_type, NULL::DATE AS start_date WHERE false"
    ics = "\nUNION ALL".join(parts) or ("SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS event_type, "
                                         "NULL::DATE AS start_date WHERE false")
    if "paper_records" not in present:
        return ics
    types = ", ".join(f"'{t}'" for t in PAPER_TYPES)
    # Same event once: this authority's typed paper record within 7 days of an extract event
    # of the same person and type is that event (left out).
    return f"""
        WITH ics AS ({ics}),
        paper AS (
            SELECT person_id, CASE WHEN key IN ({types}) THEN key ELSE 'paper' END AS event_type,
                   event_date AS start_date,
                   (lower(other_la) IN ('y', 'yes', '1', 'true', 't') OR key = 'other_la_record') AS other_la
            FROM (SELECT person_id, type_key(event_type) AS key, event_date, other_la FROM paper_records
                  WHERE event_type IS NOT NULL AND event_date <= $audit
                    AND person_id IN (SELECT child_id FROM kids)))
        SELECT person_id, event_type, start_date FROM ics
        UNION ALL
        SELECT person_id, event_type, start_date FROM paper p
        WHERE p.other_la OR p.event_type = 'paper' OR NOT EXISTS (
            SELECT 1 FROM ics i WHERE i.person_id = p.person_id AND i.event_type = p.event_type
              AND abs(date_diff('day', i.start_date, p.start_date)) <= 7)"""


def children_sql(present: set[str], index_parents: list[str] | None) -> str:
    """The whole query: one row per (child, index parent), :data:`COLUMNS`."""
    if index_parents is not None:
        chosen = "SELECT unnest($parents) AS parent_id"
    else:
        chosen = """SELECT parent_id FROM parent_children GROUP BY parent_id
                    HAVING count(*) >= $min_children
                       AND datediff('day', min(dob), max(dob)) / 365.25 >= $min_span"""
    birth = ("""SELECT person_id AS parent_id, related_person_id AS child_id FROM relationships
                WHERE person_id IS NOT NULL AND related_person_id IS NOT NULL
                  AND type_key(relationship) IN ('mother_of', 'father_of')
                  AND person_id <> related_person_id
                  AND related_person_id IN (SELECT person_id FROM persons)"""
             if "relationships" in present else
             "SELECT NULL::VARCHAR AS parent_id, NULL::VARCHAR AS child_id WHERE false")
    return f"""
WITH persons AS (
    SELECT pers_person_id AS person_id, coalesce(pers_dob, pers_expected_dob) AS dob,
           CASE WHEN pers_death_date < coalesce(pers_dob, pers_expected_dob) THEN NULL
                ELSE pers_death_date END AS death
    FROM ssd_person WHERE {first_of_id("ssd_person", "pers_person_id")}
), birth AS (
    SELECT DISTINCT parent_id, child_id FROM ({birth})
), links AS (
    SELECT b.parent_id, b.child_id, c.dob FROM birth b
    LEFT JOIN persons p ON p.person_id = b.parent_id
    JOIN persons c ON c.person_id = b.child_id
    WHERE NOT coalesce(year(c.dob) - year(p.dob)
                       - CASE WHEN month(c.dob) * 100 + day(c.dob) < month(p.dob) * 100 + day(p.dob)
                              THEN 1 ELSE 0 END < 12, false)
), parent_children AS (
    SELECT parent_id, child_id, dob FROM links WHERE dob IS NOT NULL
), members AS (
    SELECT pc.parent_id, pc.child_id, pc.dob FROM parent_children pc
    WHERE pc.parent_id IN ({chosen})
), kids AS (
    SELECT DISTINCT m.child_id, m.dob, p.death,
           least($audit, birthday(m.dob, 18), p.death) AS censor
    FROM members m JOIN persons p ON p.person_id = m.child_id
), events AS (
    {events_sql(present)}
), kid_events AS (
    SELECT person_id AS child_id, event_type, start_date FROM events
), counts AS (
    SELECT child_id,
           count(*) FILTER (WHERE event_type = 'contact') AS n_contacts,
           count(*) FILTER (WHERE event_type = 'referral') AS n_referrals,
           count(*) FILTER (WHERE event_type = 's47') AS n_s47,
           count(*) FILTER (WHERE event_type = 'cp_plan') AS n_cp_plans,
           min(start_date) AS first_involvement_date
    FROM kid_events GROUP BY child_id
), rereferrals AS (
    SELECT child_id, count(*) FILTER (WHERE gap BETWEEN 0 AND 365) AS n_rereferrals_12m FROM (
        SELECT child_id, datediff('day', lag(start_date) OVER (PARTITION BY child_id ORDER BY start_date),
                                  start_date) AS gap
        FROM kid_events WHERE event_type = 'referral')
    GROUP BY child_id
), escalation AS (
    SELECT e.child_id, e.start_date AS escalation_date, e.event_type AS escalation_type
    FROM kid_events e JOIN kids k USING (child_id)
    WHERE e.event_type IN ('cp_plan', 'cla', 'care_proceedings') AND e.start_date <= k.censor
    QUALIFY row_number() OVER (
        PARTITION BY e.child_id ORDER BY e.start_date,
        CASE e.event_type WHEN 'cp_plan' THEN 0 WHEN 'cla' THEN 1 ELSE 2 END) = 1
)
SELECT m.child_id, m.parent_id,
       coalesce(c.n_contacts, 0) AS n_contacts,
       coalesce(c.n_referrals, 0) AS n_referrals,
       coalesce(r.n_rereferrals_12m, 0) AS n_rereferrals_12m,
       coalesce(c.n_s47, 0) AS n_s47,
       coalesce(c.n_cp_plans, 0) AS n_cp_plans,
       greatest(coalesce(c.n_cp_plans, 0) - 1, 0) AS n_repeat_cp_plans,
       c.first_involvement_date,
       x.escalation_date,
       x.escalation_type,
       CASE WHEN x.escalation_date IS NULL THEN 0 ELSE 1 END AS escalated
FROM members m
LEFT JOIN counts c USING (child_id)
LEFT JOIN rereferrals r USING (child_id)
LEFT JOIN escalation x USING (child_id)
"""


def compute(folder: Path, *, audit_date: str | None = None, min_children: int = 5,
            min_span_years: float = 10.0, index_parents: list[str] | None = None,
            threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Run the rewrite on ``folder``; the result is left in the table ``result`` of the
    returned connection (one row per child and index parent)."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(MACROS)
    present = load_tables(con, folder)
    if "ssd_person" not in present:
        raise SystemExit(f"duckdb_rewrite: {folder}: no ssd_person.csv")
    params = {"audit": audit_date_of(folder, audit_date)}
    if index_parents is None:
        params.update(min_children=min_children, min_span=float(min_span_years))
    else:
        params["parents"] = index_parents
    con.execute("CREATE TABLE result AS " + children_sql(present, index_parents), params)
    return con


def compare(con: duckdb.DuckDBPyConnection, children_csv: Path) -> dict:
    """Mismatching cells per column between ``result`` and the package's ``children.csv``
    (joined on child_id and parent_id; values compared as the CSV text: dates ISO, counts as
    integers, empty = missing), and the rows found on one side only."""
    con.execute("CREATE TABLE package AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(children_csv)])
    as_text = {c: (f"strftime(r.{c}, '%Y-%m-%d')" if c.endswith("_date") else f"CAST(r.{c} AS VARCHAR)")
               for c in COLUMNS}
    row = con.execute("""
        SELECT count(*) FILTER (WHERE r.child_id IS NOT NULL AND p.child_id IS NOT NULL),
               count(*) FILTER (WHERE p.child_id IS NULL),
               count(*) FILTER (WHERE r.child_id IS NULL)
        FROM result r FULL JOIN package p ON r.child_id = p.child_id AND r.parent_id = p.parent_id
    """).fetchone()
    out = dict(zip(["rows_both", "rows_only_rewrite", "rows_only_package"], row))
    # cells are compared on the rows found on both sides
    diffs = ", ".join(f"count(*) FILTER (WHERE {as_text[c]} IS DISTINCT FROM p.{c})" for c in COLUMNS)
    both = con.execute(f"""
        SELECT {diffs}
        FROM result r JOIN package p ON r.child_id = p.child_id AND r.parent_id = p.parent_id
    """).fetchone()
    out.update(dict(zip(COLUMNS, both)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("extract", type=Path, help="folder of the extract's CSV tables")
    ap.add_argument("--out", type=Path, help="write the result here (CSV)")
    ap.add_argument("--compare", type=Path, metavar="CHILDREN_CSV",
                    help="compare with the package's analyst/children.csv, cell by cell")
    ap.add_argument("--audit-date", help="ISO date (default: extract.json, else today)")
    ap.add_argument("--min-children", type=int, default=5)
    ap.add_argument("--min-span-years", type=float, default=10.0)
    ap.add_argument("--index-parents", help="comma-separated parent ids (instead of the rule)")
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, the cores)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    parents = None
    if args.index_parents:
        parents = sorted({p.strip() for p in args.index_parents.split(",") if p.strip()})
    con = compute(args.extract, audit_date=args.audit_date, min_children=args.min_children,
                  min_span_years=args.min_span_years, index_parents=parents, threads=args.threads)
    res = {"rows": con.execute("SELECT count(*) FROM result").fetchone()[0]}
    if args.out:
        target = str(args.out).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM result ORDER BY parent_id, child_id) TO '{target}' "
                    "(HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')")
    res.update(process_measures())  # the timed work ends here; the comparison is a check
    status = 0
    if args.compare:
        res["compare"] = compare(con, args.compare)
        c = res["compare"]
        status = int(bool(c["rows_only_rewrite"] or c["rows_only_package"]
                          or any(c[k] for k in COLUMNS)))
    if args.json:
        print(json.dumps(res, default=str))
    else:
        print(f"duckdb: {res['rows']:,} (child, index parent) rows; wall {res['wall_seconds']:.2f} s, "
              f"cpu {res['cpu_seconds']:.2f} s, peak RSS {res['peak_rss_mib']:.0f} MiB")
        if args.compare:
            c = res["compare"]
            print(f"compared with {args.compare}: {c['rows_both']:,} rows on both sides, "
                  f"{c['rows_only_rewrite']} only here, {c['rows_only_package']} only in the package")
            print("mismatching cells per column:")
            for k in COLUMNS:
                print(f"  {k}: {c[k]}")
    return status


if __name__ == "__main__":
    sys.exit(main())
