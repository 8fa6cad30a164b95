"""Family bootstrap of shares (DESIGN.md "Family-clustered uncertainty"), worked by hand."""
import numpy as np
import pytest

from neglect_analysis import bootstrap


def test_draw_counts_rows_are_a_resample_of_the_families_and_fixed_by_the_seed():
    w = bootstrap.draw_counts(5, 300, seed=7)
    assert w.shape == (300, 5) and (w.sum(axis=1) == 5).all() and (w >= 0).all()
    assert (w == bootstrap.draw_counts(5, 300, seed=7)).all()
    assert not (w == bootstrap.draw_counts(5, 300, seed=8)).all()
    # Each family is drawn 5 x 1/5 = 1 time per draw on average.
    assert w.mean() == pytest.approx(1.0, abs=0.1)


def test_two_families_percentile_interval_by_hand():
    # Family A: 1 of 4 (25%), family B: 3 of 4 (75%). A draw is AA (25%, probability 1/4),
    # AB or BA (50%, 1/2) or BB (75%, 1/4): the 2.5% and 97.5% quantiles of 2,000 draws are
    # 25 and 75, and the share 50 is the median.
    num, den = np.array([[1], [3]]), np.array([[4], [4]])
    lo, hi = bootstrap.bootstrap_shares(num, den, draws=2000, seed=2018)
    assert (lo[0], hi[0]) == (25.0, 75.0)


def test_children_are_resampled_with_their_family_not_alone():
    # One family of 10 children all escalated, one of 10 none: whole families move together,
    # so a draw's share is 0, 50 or 100 only -- never the 35..65% a child bootstrap gives.
    num, den = np.array([[10], [0]]), np.array([[10], [10]])
    w = bootstrap.draw_counts(2, 2000, seed=2018)
    shares = 100 * (w @ num) / (w @ den)
    assert set(np.unique(shares).tolist()) <= {0.0, 50.0, 100.0}
    lo, hi = bootstrap.bootstrap_shares(num, den, draws=2000, seed=2018)
    assert (lo[0], hi[0]) == (0.0, 100.0)


def test_no_denominator_gives_no_interval():
    lo, hi = bootstrap.bootstrap_shares(np.array([[0], [0]]), np.array([[0], [0]]), draws=10, seed=1)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_groups_sharing_children_are_one_family_in_the_hand_extract():
    from pathlib import Path

    from neglect_analysis import io, pipeline
    from neglect_analysis.findings import findings

    cohort, _ = io.load_extract(Path(__file__).parent / "extracts" / "hand")
    t = pipeline.build_tables(cohort)
    # 0012 and 0020 share the twins 0103/0104 (EXPECTED.md): one family, named 0012. Every
    # draw is that family, so each interval is the share itself; children counted once.
    names, num, den = bootstrap.findings_per_family(cohort, t.family)
    assert list(names) == ["0012"]
    found = bootstrap.with_intervals(findings(cohort, t.family), cohort, t.family)
    shown = found[found["denominator"] > 0]
    assert (shown["ci_lower"] == shown["share"]).all() and (shown["ci_upper"] == shown["share"]).all()
    pre = found.set_index("measure").loc["children_pre_ics_childhood"]
    # Distinct children 0101-0106, 0201-0203 (9); born before the ICS start: all but 0105, 0106.
    assert (pre["numerator"], pre["denominator"]) == (7, 9)


def test_intervals_do_not_depend_on_the_order_or_ids_of_families():
    # Same families in another order: after canonical_order, the same rows in the same order,
    # so the same draws give the same interval.
    num = np.array([[1], [5], [0], [2]])
    den = np.array([[4], [6], [3], [2]])
    perm = np.array([2, 0, 3, 1])
    o1, o2 = bootstrap.canonical_order(num, den), bootstrap.canonical_order(num[perm], den[perm])
    a = bootstrap.bootstrap_shares(num[o1], den[o1], draws=500, seed=5)
    b = bootstrap.bootstrap_shares(num[perm][o2], den[perm][o2], draws=500, seed=5)
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


# ------------------------------------------------------------------ fast == slow, per family
def split_by_family(family, names, of_parent, of_child):
    """The slow reference (the restored code's way, kept here only to test the fast one): the
    run's tables cut into one FamilyTables per family, each row to its parent's family (or,
    in tables without a parent, its child's)."""
    from dataclasses import fields

    import pandas as pd

    parts = [{} for _ in names]
    for f in fields(family):
        df = getattr(family, f.name)
        if "parent_id" in df.columns:
            code = of_parent.reindex(pd.Index(df["parent_id"].astype("string"))).to_numpy()
        else:
            code = of_child.reindex(pd.Index(df["child_id"].astype("string"))).to_numpy()
        for i in range(len(names)):
            parts[i][f.name] = df[code == i].reset_index(drop=True)
    return [type(family)(**p) for p in parts]


def slow_per_family(cohort, family):
    """Every measure evaluated on each family's tables alone (one evaluation per family)."""
    from neglect_analysis.findings import MEASURES, FindingsInput

    names, of_parent, of_child = bootstrap.family_codes(family.members)
    num = np.zeros((len(names), len(MEASURES)), dtype=np.int64)
    den = np.zeros_like(num)
    for i, part in enumerate(split_by_family(family, names, of_parent, of_child)):
        data = FindingsInput(cohort, part)
        for j, m in enumerate(MEASURES):
            num[i, j], den[i, j] = m.compute(data)
    return names, num, den


def assert_fast_equals_slow(cohort, family):
    from neglect_analysis.findings import MEASURES

    names, num, den = bootstrap.findings_per_family(cohort, family)
    s_names, s_num, s_den = slow_per_family(cohort, family)
    assert list(names) == list(s_names)
    for j, m in enumerate(MEASURES):
        assert num[:, j].tolist() == s_num[:, j].tolist(), m.name
        assert den[:, j].tolist() == s_den[:, j].tolist(), m.name
    # the intervals: the same draws over the same per-family values (canonical order)
    got = bootstrap.findings_intervals(cohort, family)
    o = bootstrap.canonical_order(s_num, s_den)
    lo, hi = bootstrap.bootstrap_shares(s_num[o], s_den[o], draws=2000, seed=2018)
    assert got["ci_lower"].tolist() == pytest.approx(np.round(lo, 1).tolist(), nan_ok=True)
    assert got["ci_upper"].tolist() == pytest.approx(np.round(hi, 1).tolist(), nan_ok=True)
    return names, num, den


def test_per_family_counts_equal_the_slow_evaluation_family_by_family_hand_extract():
    from pathlib import Path

    from neglect_analysis import io, pipeline

    cohort, _ = io.load_extract(Path(__file__).parent / "extracts" / "hand")
    # Index parents 0012 and 0020 share the twins 0103/0104: one family (0012); 0040's group
    # (0301-0305) is a second family.
    t = pipeline.build_tables(cohort, pipeline.AnalysisParams(index_parents=["0012", "0020", "0040"]))
    names, num, den = assert_fast_equals_slow(cohort, t.family)
    assert list(names) == ["0012", "0040"]
    from neglect_analysis.findings import MEASURES

    j = [m.name for m in MEASURES].index("children_pre_ics_childhood")
    # Family 0012: children 0101-0106, 0201-0203 (9), born before 2009-04-01: all but 0105,
    # 0106 (7). Family 0040: 0301-0305 (0306 has no dob: not in a group), born before
    # 2009-04-01: 0301 only (2009-03-31).
    assert (num[:, j].tolist(), den[:, j].tolist()) == ([7, 1], [9, 5])


def test_per_family_counts_equal_the_slow_evaluation_on_a_generated_extract(tmp_path):
    from neglect_analysis import io, pipeline
    from neglect_analysis.synthetic import write_extract

    write_extract(tmp_path / "x", n_parents=12, seed=5)
    cohort, _ = io.load_extract(tmp_path / "x")
    t = pipeline.build_tables(cohort)
    names, num, den = assert_fast_equals_slow(cohort, t.family)
    assert len(names) >= 5 and (den.sum(axis=0) > 0).sum() >= 20  # many families, most measures counted


def test_resampled_totals_in_blocks_equal_the_whole_count_matrix(monkeypatch):
    # 7 families, 50 draws; blocks of 10 cells = 1 draw at a time (10 // 7), then 3 draws.
    v = np.arange(14, dtype=float).reshape(7, 2)
    whole = bootstrap.draw_counts(7, 50, seed=3) @ v
    for cells in (10, 21, 10_000):
        monkeypatch.setattr(bootstrap, "BLOCK_CELLS", cells)
        assert (bootstrap.resampled_totals(v, draws=50, seed=3) == whole).all()


def test_draws_are_the_int64_draws_of_the_restored_code():
    # the restored code drew int64 positions; int32 gives the same numbers from the same seed
    n, draws = 13, 40
    idx = np.random.default_rng(2018).integers(0, n, size=(draws, n))
    assert (bootstrap.draw_index(n, draws, 2018) == idx).all()


def test_a_measure_without_rows_cannot_be_resampled():
    from pathlib import Path

    from neglect_analysis import io, pipeline
    from neglect_analysis.findings import Measure

    cohort, _ = io.load_extract(Path(__file__).parent / "extracts" / "hand")
    t = pipeline.build_tables(cohort)
    plain = Measure(1, "children_adult_at_audit", "a plain tuple", lambda d: (1, 2), base="children",
                    label="Adult", sentence="{n} of {d} ({s}).")
    with pytest.raises(ValueError, match="children_adult_at_audit: gives no rows per child or group"):
        bootstrap.findings_per_family(cohort, t.family, measures=(plain,))


def test_draw_blocks_stack_to_the_draws_of_one_call():
    # 7 draws of 5 families in blocks of 3 rows (3 + 3 + 1; odd blocks of 15 and 5 int32 values:
    # the generator keeps the unused half of its last 64-bit word, so nothing shifts)
    blocks = list(bootstrap.draw_blocks(5, 7, seed=11, rows=3))
    assert [a for a, _ in blocks] == [0, 3, 6]
    assert [b.shape for _, b in blocks] == [(3, 5), (3, 5), (1, 5)]
    assert (np.vstack([b for _, b in blocks]) == bootstrap.draw_index(5, 7, seed=11)).all()
    # rows < 1 is read as 1 (one draw a block)
    assert len(list(bootstrap.draw_blocks(5, 2, seed=11, rows=0))) == 2


def test_resampled_totals_of_equal_columns_are_equal_and_exact():
    # columns 0 and 2 are equal (one shared denominator), column 1 differs: by hand, a draw's
    # total of column j is sum_f counts[r, f] * v[f, j], so columns 0 and 2 agree in every draw
    v = np.array([[1.0, 5.0, 1.0], [2.0, 0.0, 2.0], [0.0, 7.0, 0.0]])
    t = bootstrap.resampled_totals(v, draws=30, seed=4)
    w = bootstrap.draw_counts(3, 30, seed=4)
    assert (t[:, 0] == t[:, 2]).all()
    assert (t == w @ v).all()
    # every draw holds 3 families: the total of an all-ones column is 3
    assert (bootstrap.resampled_totals(np.ones((3, 1)), draws=5, seed=1) == 3.0).all()


@pytest.mark.parametrize("coded", [True, False])
def test_per_family_counts_of_coded_and_text_ids_agree_and_an_outsider_is_named(coded):
    from pathlib import Path

    from neglect_analysis import io, pipeline
    from neglect_analysis.findings import Counts, Measure

    cohort, _ = io.load_extract(Path(__file__).parent / "extracts" / "hand")
    t = pipeline.build_tables(cohort, pipeline.AnalysisParams(index_parents=["0012", "0020", "0040"]))
    pid = cohort.persons["person_id"]  # coded with the Cohort's dtype

    def ids_of(*names):
        s = pid[pid.astype("string").isin(names).to_numpy()]
        return s if coded else s.astype("string")

    # families (hand): 0012 (0101-0106, 0201-0203, the twins shared with 0020) and 0040
    # (0301-0305). Rows: 0101 (1 of 1), 0202 (0 of 1), 0303 (1 of 1) -> 0012: 1 of 2, 0040: 1 of 1.
    rows = ids_of("0101", "0202", "0303")  # in the persons' order: 0101, 0202, 0303
    m = Measure(1, "children_adult_at_audit", "three rows", lambda d: Counts(
        rows, num=(rows.astype("string") != "0202").to_numpy(), den=1),
        base="children", label="A", sentence="{n} of {d} ({s}).")
    names, num, den = bootstrap.findings_per_family(cohort, t.family, measures=(m,))
    assert list(names) == ["0012", "0040"]
    assert (num[:, 0].tolist(), den[:, 0].tolist()) == ([1, 1], [2, 1])
    # 0012 is an index parent, not a child of any group: named, whether coded or text
    out = ids_of("0012")
    bad = Measure(1, "children_adult_at_audit", "an outsider", lambda d: Counts(out, num=1, den=1),
                  base="children", label="A", sentence="{n} of {d} ({s}).")
    with pytest.raises(ValueError, match="counts child 0012, who is not in the run's sibling groups"):
        bootstrap.findings_per_family(cohort, t.family, measures=(bad,))


def test_distinct_columns_compares_whole_columns_not_only_their_sums():
    # Columns (1, 2) and (2, 1) both sum to 3 but differ; (1, 2) appears twice.
    from neglect_analysis.bootstrap import distinct_columns

    v = np.array([[1.0, 2.0, 1.0], [2.0, 1.0, 2.0]])
    kept, back = distinct_columns(v)
    assert kept.tolist() == [0, 1] and back.tolist() == [0, 1, 0]
    assert (v[:, kept][:, back] == v).all()
