"""The yardsticks of ``benchmarks/`` (issue 11): the Arrow floor and the DuckDB rewrite.

The DuckDB rewrite is a second, independent implementation of the per-child counts, first
involvement and escalation of ``children.csv``; on the hand-made extract it must agree with the
package cell for cell, and with the values worked by hand in
``tests/extracts/hand/EXPECTED.md`` (quoted below, never copied from either program's output).
Skipped where duckdb (the ``bench`` extra) is not installed.
"""
from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest

from neglect_analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]
HAND = ROOT / "tests" / "extracts" / "hand"
sys.path.insert(0, str(ROOT / "benchmarks"))

import arrow_floor  # noqa: E402  (benchmarks/ is not a package)
import bench_report  # noqa: E402
import bench_targets  # noqa: E402


@pytest.fixture(scope="module")
def rewrite():
    pytest.importorskip("duckdb")
    import duckdb_rewrite
    return duckdb_rewrite


@pytest.fixture(scope="module")
def package_children(tmp_path_factory) -> Path:
    """The package's children.csv for the hand extract (default index rule)."""
    out = tmp_path_factory.mktemp("hand_report")
    rc = main(["report", str(HAND), "--out", str(out / "r"), "--tables-only", "--quiet"])
    assert rc == 0
    return out / "r" / "analyst" / "children.csv"


def _rows(con) -> dict[tuple[str, str], dict]:
    cur = con.execute("SELECT * FROM result")
    names = [d[0] for d in cur.description]
    return {(r[0], r[1]): dict(zip(names, r)) for r in cur.fetchall()}


def test_duckdb_rewrite_matches_package_on_hand_extract(rewrite, package_children):
    con = rewrite.compute(HAND)
    c = rewrite.compare(con, package_children)
    # 0012's six children (0101-0106) and 0020's five (0103, 0104, 0201-0203): 11 rows.
    assert (c["rows_both"], c["rows_only_rewrite"], c["rows_only_package"]) == (11, 0, 0)
    assert {k: c[k] for k in rewrite.COLUMNS} == {k: 0 for k in rewrite.COLUMNS}


def test_duckdb_rewrite_hand_values(rewrite):
    rows = _rows(rewrite.compute(HAND))
    assert len(rows) == 11
    # EXPECTED.md, 0101: paper file_note 2002-06-10 (first involvement), paper referral, paper
    # cp_plan 2005-03-01 (the escalation) and an ICS plan: 1 referral, 2 plans, 1 repeat.
    r = rows[("0101", "0012")]
    assert (r["n_referrals"], r["n_cp_plans"], r["n_repeat_cp_plans"]) == (1, 2, 1)
    assert (r["first_involvement_date"], r["escalation_date"], r["escalation_type"], r["escalated"]) == (
        date(2002, 6, 10), date(2005, 3, 1), "cp_plan", 1)
    # 0102: a paper school_report 2009-01-20 (involvement only) and 3 contacts; not escalated.
    r = rows[("0102", "0012")]
    assert (r["n_contacts"], r["first_involvement_date"], r["escalated"], r["escalation_type"]) == (
        3, date(2009, 1, 20), 0, None)
    # 0105: referrals 2013-01-10, 2014-01-10 (365 days: re-referral), 2015-01-11 (366: not).
    r = rows[("0105", "0012")]
    assert (r["n_referrals"], r["n_rereferrals_12m"], r["escalated"]) == (3, 1, 0)
    # 0106 (dob from pers_expected_dob): pre-birth referral 2016-08-01 first; pre-proceedings
    # "Decision to issue" -> care_proceedings on the agreed issue date 02/11/2016, before the
    # CLA of 20/11/2016; two S47s.
    r = rows[("0106", "0012")]
    assert (r["first_involvement_date"], r["escalation_date"], r["escalation_type"], r["n_s47"]) == (
        date(2016, 8, 1), date(2016, 11, 2), "care_proceedings", 2)
    # 0201: 3 contacts, two referrals the same day (the second a re-referral), CLA 2012-06-10.
    r = rows[("0201", "0020")]
    assert (r["n_contacts"], r["n_referrals"], r["n_rereferrals_12m"]) == (3, 2, 1)
    assert (r["escalation_date"], r["escalation_type"]) == (date(2012, 6, 10), "cla")
    # Twins 0103/0104 belong to both index groups.
    assert ("0103", "0012") in rows and ("0103", "0020") in rows


def test_duckdb_rewrite_index_parents_option(rewrite):
    # --index-parents 0040: 0301-0305 (0305 by its expected dob); 0306 has no dob: left out.
    rows = _rows(rewrite.compute(HAND, index_parents=["0040"]))
    assert sorted(c for c, _ in rows) == ["0301", "0302", "0303", "0304", "0305"]
    # 0301 has no events: counts 0, dates empty, not escalated.
    r = rows[("0301", "0040")]
    assert (r["n_contacts"], r["first_involvement_date"], r["escalated"]) == (0, None, 0)


def test_compare_counts_changed_cells_and_missing_rows(rewrite, package_children, tmp_path):
    with package_children.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if (row["child_id"], row["parent_id"]) == ("0105", "0012"):
            row["n_referrals"] = "4"  # one cell changed
            row["escalation_date"] = "2014-01-10"  # and another
    rows = [r for r in rows if (r["child_id"], r["parent_id"]) != ("0201", "0020")]  # a row gone
    changed = tmp_path / "children.csv"
    with changed.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    c = rewrite.compare(rewrite.compute(HAND), changed)
    assert (c["rows_both"], c["rows_only_rewrite"], c["rows_only_package"]) == (10, 1, 0)
    assert c["n_referrals"] == 1 and c["escalation_date"] == 1
    assert sum(c[k] for k in rewrite.COLUMNS) == 2
    assert rewrite.main([str(HAND), "--compare", str(changed)]) == 1


@pytest.mark.parametrize("text, expected", [
    ("2017-03-31", date(2017, 3, 31)),
    ("2017-3-5", date(2017, 3, 5)),
    ("2017-03-31 00:00:00.000", date(2017, 3, 31)),  # SQL Server datetime
    ("31/03/2017", date(2017, 3, 31)),  # UK, day first
    ("5.3.2017 10:00", date(2017, 3, 5)),
    ("42825", date(2017, 3, 31)),  # Excel: 1899-12-30 + 42825 days
    ("42809", date(2017, 3, 15)),  # 0105's death date in the hand extract
    ("2017-02-30", None),  # no such day
    ("03/31/2017", None),  # month first: never read
    ("60", None),  # Excel serials below 61 are not dates
    ("9999-12-31", None),  # SQL Server "open" placeholder
    ("1899-12-31", None),  # before 1900
    (None, None),
])
def test_duckdb_dates(rewrite, text, expected):
    import duckdb
    con = duckdb.connect()
    con.execute(rewrite.MACROS)
    assert con.execute("SELECT in_range(raw_date(clean(?)))", [text]).fetchone()[0] == expected


def test_arrow_floor_reads_every_table_and_sorts_events():
    res = arrow_floor.floor(HAND)
    # 13 CSV files; event rows: contacts 20, early help 5, referrals 15, assessments 2, S47 7,
    # ICPC 5, CP plans 10, CLA 2, pre-proceedings 3, paper records 4 = 73.
    assert (res["tables"], res["events"]) == (13, 73)


def test_report_stage_times_its_three_phases(tmp_path):
    # The phase timer wraps what run_report calls (load, the analysis in its three steps,
    # writing): each phase must be found, or the growth exponent k would be of nothing. The
    # rows counted are the events of the Cohort loaded: the 73 event rows of the floor test,
    # plus the care_proceedings event of pre-proceedings row 000001 ("Decision to issue care
    # proceedings", letter 12/10/2016) = 74.
    rec = bench_report.run_stage("report", HAND, tmp_path / "out", n=0, seed=0)
    phases = rec["phases"]
    assert {"load", "analysis", "write"} <= set(phases)
    assert all(phases[k] > 0 for k in ("load", "analysis", "write"))
    assert rec["rows"] == 74
    assert (tmp_path / "out" / "analyst" / "findings.csv").exists()


def test_run_process_measures_a_child_and_best_run():
    r = bench_targets.run_process([sys.executable, "-c", "x = bytearray(50 * 2**20)"])
    assert r["rc"] == 0 and r["wall"] > 0 and r["cpu"] > 0
    assert r["peak_rss_mib"] >= 50  # the child's own peak: it held 50 MiB
    runs = [{"wall": 3.0, "cpu": 1.0}, {"wall": 2.0, "cpu": 2.5}, {"wall": 2.5, "cpu": 1.2}]
    assert bench_targets.best(runs) == runs[2]  # 3.7 s is the fewest wall + CPU seconds


def test_duckdb_rewrite_same_event_once(rewrite, tmp_path):
    ext = tmp_path / "extract"
    ext.mkdir()
    # DESIGN.md "Same event once", rewritten in SQL. Child C (of M) has an extract referral
    # R1 on 2010-01-10 and four paper referrals:
    #   2010-01-17 (7 days after R1, this authority's): the same event, left out;
    #   2010-01-18 (8 days after): its own referral, counted;
    #   2010-01-12 marked other_la Y: another authority's record, never merged, counted;
    #   2010-01-09 typed "CP plan" (1 day before R1, but not a referral): a plan, counted.
    # By hand: referrals 2010-01-10, -12, -18 = 3; gaps 2 and 6 days: 2 re-referrals; 1 plan.
    # The package, run on the same files, gives the same cells.
    (ext / "extract.json").write_text('{"audit_date": "2018-07-31", "synthetic": true}')
    (ext / "ssd_person.csv").write_text("pers_person_id,pers_dob\nM,1980-01-01\nC,2005-01-01\n")
    (ext / "relationships.csv").write_text("person_id,related_person_id,relationship\nM,C,mother_of\n")
    (ext / "ssd_cin_episodes.csv").write_text(
        "cine_referral_id,cine_person_id,cine_referral_date\nR1,C,2010-01-10\n")
    (ext / "paper_records.csv").write_text(
        "person_id,event_date,event_type,document_ref,other_la\n"
        "C,2010-01-17,referral,D1,N\nC,2010-01-18,Referral,D2,\nC,2010-01-12,referral,D3,Y\n"
        "C,2010-01-09,CP plan,D4,N\n")
    r = _rows(rewrite.compute(ext, index_parents=["M"]))[("C", "M")]
    assert (r["n_referrals"], r["n_rereferrals_12m"], r["n_cp_plans"]) == (3, 2, 1)
    out = tmp_path / "out"
    assert main(["report", str(ext), "--out", str(out), "--tables-only", "--quiet",
                 "--index-parents", "M"]) == 0
    c = rewrite.compare(rewrite.compute(ext, index_parents=["M"]), out / "analyst" / "children.csv")
    assert (c["rows_both"], c["rows_only_rewrite"], c["rows_only_package"]) == (1, 0, 0)
    assert {k: c[k] for k in rewrite.COLUMNS} == {k: 0 for k in rewrite.COLUMNS}
