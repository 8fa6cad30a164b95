"""Property-based tests over generated extracts: metamorphic relations of the whole pipeline.

Each example takes a small synthetic SSD extract (3 to 6 index parents, a seed chosen by
hypothesis from a small pool so that the baseline run of each extract is computed once),
transforms it in a way that must not change the answer, writes it to a temporary folder,
loads it with ``io.load_extract`` and runs ``pipeline.build_tables`` and ``findings.findings``:

* shuffling the rows of every input table changes no output table (after sorting rows);
* adding an unrelated family (another extract, every id prefixed) changes no other family's
  rows of ``children`` or ``sibling_groups``, and the added family's rows equal its own run;
* renaming ids by a bijection changes no aggregate (findings, sibling-group numbers, KM);
* splitting the extract by family (``partition.run_partitioned``) equals the whole.

Bounded: ``max_examples`` 10 per property, no deadline (loading an extract takes seconds).
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from neglect_analysis.findings import findings
from neglect_analysis.io import load_extract
from neglect_analysis.partition import run_partitioned
from neglect_analysis.synthetic import generate
from neglect_analysis.synthetic.writer import write_tables
from neglect_analysis.pipeline import FamilyTables, build_tables

META = {"audit_date": "2018-07-31", "ics_start_date": "2009-04-01", "synthetic": True}
#: (n_parents, seed) of the extracts hypothesis chooses from; baselines are cached per extract.
POOL = [(3, 11), (4, 2), (6, 40)]
# No shrinking: one example takes seconds; a failure reports the extract and seeds as drawn.
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

extracts = st.sampled_from(POOL)


def id_columns(df: pd.DataFrame) -> list[str]:
    """Id columns of an SSD or extension table: every column named ``*_id``."""
    return [c for c in df.columns if c.endswith("_id")]


def rename_ids(tables: dict[str, pd.DataFrame], fn) -> dict[str, pd.DataFrame]:
    """Apply ``fn`` (a Series -> Series bijection on text) to every id column of every table."""
    return {name: df.assign(**{c: fn(df[c]) for c in id_columns(df)}) for name, df in tables.items()}


def prefix(p: str):
    return lambda s: (p + s.astype("string")).astype("string")


def reverse(s: pd.Series) -> pd.Series:
    return s.astype("string").str.slice(step=-1)


@functools.lru_cache(maxsize=None)
def extract(n: int, seed: int) -> tuple[tuple[str, pd.DataFrame], ...]:
    return tuple(generate(n, seed=seed).items())


def tables_of(n: int, seed: int) -> dict[str, pd.DataFrame]:
    return {k: v.copy() for k, v in extract(n, seed)}


def run(tables: dict[str, pd.DataFrame]):
    """Write ``tables`` as an extract, load it, build the tables and findings."""
    with tempfile.TemporaryDirectory() as d:
        write_tables(tables, d, meta=META)
        cohort, report = load_extract(Path(d))
    assert not report.has_errors
    out = build_tables(cohort)
    out.extra["findings"] = findings(cohort, out.family)
    return cohort, out


@functools.lru_cache(maxsize=None)
def baseline(n: int, seed: int):
    return run(tables_of(n, seed))


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by every column (order-free comparison), index reset."""
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(list(df.columns), kind="stable", na_position="last").reset_index(drop=True)


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], *, sort: bool) -> None:
    assert list(a) == list(b)
    for name in a:
        x, y = (canonical(a[name]), canonical(b[name])) if sort else (a[name], b[name])
        try:
            pd.testing.assert_frame_equal(x, y)
        except AssertionError as e:
            raise AssertionError(f"table {name!r} differs: {e}") from None


# --- shuffling -----------------------------------------------------------------------------

@SETTINGS
@given(ext=extracts, shuffle_seed=st.integers(0, 2**32 - 1))
def test_shuffling_input_rows_changes_no_output_table(ext, shuffle_seed):
    rng = np.random.default_rng(shuffle_seed)
    tables = {k: v.iloc[rng.permutation(len(v))].reset_index(drop=True) for k, v in tables_of(*ext).items()}
    _, shuffled = run(tables)
    _, base = baseline(*ext)
    assert_same_tables(base.csv_tables(), shuffled.csv_tables(), sort=True)


# --- an unrelated family -------------------------------------------------------------------

def _strip(df: pd.DataFrame, p: str) -> pd.DataFrame:
    """Remove the prefix ``p`` wherever it occurs in a text column (ids, ``;``-joined id lists)."""
    cols = [c for c in df.columns if pd.api.types.is_string_dtype(df[c])]
    return df.assign(**{c: df[c].str.replace(p, "", regex=False) for c in cols})


@SETTINGS
@given(ext=extracts, other=extracts)
def test_adding_an_unrelated_family_changes_no_other_familys_rows(ext, other):
    a, b = tables_of(*ext), rename_ids(tables_of(*other), prefix("ZZ"))
    both = {k: pd.concat([a[k], b[k]], ignore_index=True) for k in a}
    _, combined = run(both)
    _, base_a = baseline(*ext)
    _, base_b = baseline(*other)
    for table in ("children", "sibling_groups"):
        got = getattr(combined, table)
        is_b = got["parent_id"].str.startswith("ZZ")
        # The first family's rows: exactly its own run's rows, in its own run's order.
        pd.testing.assert_frame_equal(got[~is_b].reset_index(drop=True), getattr(base_a, table))
        # The added family's rows, ids un-prefixed: exactly its own run's rows.
        pd.testing.assert_frame_equal(_strip(got[is_b], "ZZ").reset_index(drop=True), getattr(base_b, table))


# --- renaming ids --------------------------------------------------------------------------

def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    return canonical(df.select_dtypes("number"))


RENAMINGS = {"prefix": prefix("id-"), "reverse": reverse}


@SETTINGS
@given(ext=extracts, how=st.sampled_from(sorted(RENAMINGS)))
def test_renaming_ids_changes_no_aggregate(ext, how):
    _, renamed = run(rename_ids(tables_of(*ext), RENAMINGS[how]))
    _, base = baseline(*ext)
    f0, f1 = base.extra["findings"], renamed.extra["findings"]
    pd.testing.assert_frame_equal(f0, f1)
    pd.testing.assert_frame_equal(_numbers(base.sibling_groups), _numbers(renamed.sibling_groups))
    assert sorted(base.sibling_groups["link_source"]) == sorted(renamed.sibling_groups["link_source"])
    # KM: the "eldest"/"younger" split breaks same-day births by id (DESIGN.md birth order),
    # so only a renaming that keeps the order of ids must leave every KM group unchanged;
    # the "all" group never depends on ids.
    km0, km1 = base.km, renamed.km
    if how == "prefix":
        pd.testing.assert_frame_equal(km0, km1)
    pd.testing.assert_frame_equal(km0[km0["group"] == "all"].reset_index(drop=True),
                                  km1[km1["group"] == "all"].reset_index(drop=True))


# --- partitions ----------------------------------------------------------------------------

#: Tables whose rows a partitioned run gives in another order (tables.FamilyTables.SORT_KEYS
#: disagree with actions.py's sort); compared row-order-free here, exact order is an xfail in
#: tests/test_partition.py.
ORDER_DIFFERS = {"paper_file_requests", "background_requests"}


@SETTINGS
@given(ext=extracts, k=st.integers(1, 8))
def test_partitioned_run_equals_the_whole(ext, k):
    cohort, whole = baseline(*ext)
    parts = run_partitioned(cohort, n_partitions=k)
    got = {name: getattr(parts.family, name) for name in FamilyTables.SORT_KEYS} | {"km": parts.km, "logrank": parts.logrank}
    want = {name: getattr(whole.family, name) for name in FamilyTables.SORT_KEYS} | {"km": whole.km, "logrank": whole.logrank}
    for name in want:
        if name in ORDER_DIFFERS:
            pd.testing.assert_frame_equal(canonical(got[name]), canonical(want[name]), obj=name)
        else:
            pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    pd.testing.assert_frame_equal(findings(cohort, parts.family), whole.extra["findings"])
