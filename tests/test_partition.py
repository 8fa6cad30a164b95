"""In-memory, partitioned and Dask runs give identical tables (``partition.py``, ``--engine``)."""
from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest

from neglect_analysis.cli import main
from neglect_analysis.cohort import Cohort
from neglect_analysis.io import load_extract
from neglect_analysis.partition import family_components, plan_partitions, run_partitioned
from neglect_analysis.siblings import members
from neglect_analysis.synthetic import write_extract
from neglect_analysis.pipeline import FamilyTables, build_tables


def all_tables(t) -> dict[str, pd.DataFrame]:
    """Every table of AnalystTables.csv_tables() and every FamilyTables table."""
    out = {f"csv:{k}": v for k, v in t.csv_tables().items()}
    out |= {f"family:{k}": getattr(t.family, k) for k in FamilyTables.SORT_KEYS}
    return out


def assert_identical(a, b) -> None:
    """Every table equal, rows in the same order."""
    ta, tb = all_tables(a), all_tables(b)
    assert list(ta) == list(tb)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], obj=name)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen30") / "extract"
    write_extract(d, n_parents=30, seed=77)
    cohort, report = load_extract(d)
    assert not report.has_errors
    return d, cohort, build_tables(cohort)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_partitioned_equals_in_memory(generated, k):
    _, cohort, whole = generated
    assert len(whole.sibling_groups) == 30
    assert_identical(run_partitioned(cohort, n_partitions=k), whole)


def test_partitioned_row_order_equals_in_memory(generated):
    _, cohort, whole = generated
    assert_identical(run_partitioned(cohort, n_partitions=3), whole)


@pytest.mark.slow
def test_dask_equals_in_memory(generated):
    pytest.importorskip("dask.distributed")
    _, cohort, whole = generated
    assert_identical(run_partitioned(cohort, n_partitions=4, engine="dask"), whole)


# --- a child with two index parents ----------------------------------------------------------

def _shared_child() -> Cohort:
    # M1 (mother) and F1 (father) are both index parents (explicit ids) and share child S;
    # M2 is an unrelated index parent. S's older half-siblings: A (M1's, b. 1995, on a CP plan
    # from 2000) and B (F1's, b. 1998). S (b. 2004) escalates on 2010-01-01.
    persons = pd.DataFrame({
        "person_id": ["M1", "F1", "M2", "A", "B", "S", "D"],
        "dob": ["1975-01-01", "1970-01-01", "1980-01-01", "1995-01-01", "1998-01-01", "2004-01-01", "2006-01-01"],
    })
    links = pd.DataFrame({
        "parent_id": ["M1", "M1", "F1", "F1", "M2"],
        "child_id": ["A", "S", "B", "S", "D"],
        "relationship": ["mother_of", "mother_of", "father_of", "father_of", "mother_of"],
    })
    events = pd.DataFrame({
        "person_id": ["A", "A", "B", "S", "S", "D"],
        "event_type": ["referral", "cp_plan", "referral", "referral", "cp_plan", "contact"],
        "start_date": ["1999-06-01", "2000-01-01", "2003-01-01", "2005-01-01", "2010-01-01", "2007-01-01"],
    })
    return Cohort.from_frames(persons=persons, links=links, events=events, audit_date="2018-07-31")


def test_family_components_keep_a_shared_child_together():
    c = _shared_child()
    m = members(c, ["M1", "F1", "M2"])
    comp = family_components(m)
    # M1 and F1 share S: one component named by its smallest id "F1"; M2 alone.
    assert comp.values.tolist() == [["F1", "F1"], ["M1", "F1"], ["M2", "M2"]]
    for k in (1, 2, 3, 8):
        plan = plan_partitions(c, pd.Index(["M1", "F1", "M2"]), k)
        together = [p for p in plan if "M1" in p]
        assert len(together) == 1 and "F1" in together[0], (k, plan)
        assert sorted(sum(plan, [])) == ["F1", "M1", "M2"]


def test_family_components_and_clusters_by_codes():
    from neglect_analysis.pipeline import family_clusters

    # P2 and P1 share K1, P1 and P3 share K3: one component named P1 (the smallest id, though
    # P2 is the first row); P4 alone. K2's cluster is P1 (its parent P2's component).
    m = pd.DataFrame({"parent_id": ["P2", "P2", "P1", "P1", "P3", "P4"],
                      "child_id": ["K1", "K2", "K1", "K3", "K3", "K4"]}, dtype="string")
    want = [["P1", "P1"], ["P2", "P1"], ["P3", "P1"], ["P4", "P4"]]
    assert family_components(m).values.tolist() == want
    clusters = family_clusters(m)
    assert clusters.values.tolist() == [["K1", "P1"], ["K2", "P1"], ["K3", "P1"], ["K4", "P4"]]
    # The same members coded in a sorted person dtype (more people than members): same answer.
    dtype = pd.CategoricalDtype(pd.Index(["K1", "K2", "K3", "K4", "K9", "P1", "P2", "P3", "P4"], dtype="string"))
    coded = m.astype(dtype)
    assert family_components(coded).values.tolist() == want
    assert family_clusters(coded).values.tolist() == clusters.values.tolist()


@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_shared_child_partitioned_equals_in_memory(k):
    from neglect_analysis.pipeline import AnalysisParams

    c = _shared_child()
    params = AnalysisParams(index_parents=["M1", "F1", "M2"])
    whole = build_tables(c, params)
    # S has two rows in children (one per index parent), and its family signal (2000-01-01 from
    # A's plan, later than S's first involvement 2005-01-01 -> F = 2005-01-01) is the same in both.
    s_rows = whole.children[whole.children["child_id"] == "S"]
    assert sorted(s_rows["parent_id"]) == ["F1", "M1"]
    assert (s_rows["family_signal_date"] == pd.Timestamp("2005-01-01")).all()
    assert (s_rows["lead_time_days"] == 1826).all()  # 2005-01-01 -> 2010-01-01: 5 years, 1 leap day
    assert_identical(run_partitioned(c, params, n_partitions=k), whole)


# --- the command line --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_reports(generated, tmp_path_factory):
    d, _, _ = generated
    base = tmp_path_factory.mktemp("cli")
    default, part = base / "default", base / "partitioned"
    assert main(["report", str(d), "--out", str(default), "--tables-only", "--quiet"]) == 0
    assert main(["report", str(d), "--out", str(part), "--tables-only", "--engine", "partitioned",
                 "--partitions", "4", "--quiet"]) == 0
    return default / "analyst", part / "analyst"


def test_cli_partitioned_writes_byte_identical_csvs(cli_reports):
    a, b = cli_reports
    names = sorted(p.name for p in a.glob("*.csv"))
    assert names == sorted(p.name for p in b.glob("*.csv"))
    assert {"children.csv", "sibling_groups.csv", "km_time_to_escalation.csv", "findings.csv"} <= set(names)
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == []


def test_cli_partitioned_action_lists_byte_identical(cli_reports):
    a, b = cli_reports
    names = ["paper_file_requests.csv", "background_requests.csv"]
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == []
