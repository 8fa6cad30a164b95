"""The whole-pack disclosure audit: differencing against totals, complements, category merging,
the sample briefing, and survival figures drawn only while 10 children are at risk.

Expected ranges are worked out by hand in the comments (x_b: groups in band b, S_b: their children).
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neglect_analysis import briefing, disclosure_audit, summaries
from neglect_analysis.disclosure_audit import (
    DisclosureAuditError,
    Pack,
    audit,
    cell_fails,
    merge_ordered_bands,
    protect,
    require_pass,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def ranges(result: pd.DataFrame) -> dict[str, tuple]:
    """{row: (min, max)} of an audit (max None where unlimited)."""
    return {r: (int(lo), None if pd.isna(hi) else int(hi))
            for r, lo, hi in result[["row", "min_possible", "max_possible"]].itertuples(index=False)}


# --- hand-made packs -------------------------------------------------------------------------

def test_lone_suppressed_cell_is_the_total_minus_the_others_and_is_fixed():
    # a = 20 shown, b = 3 shown as c, total 23 shown: b = 23 - 20 = 3 exactly -> fails.
    p = Pack(threshold=5)
    a = p.add_cell("t", "a", "n", 20)
    b = p.add_cell("t", "b", "n", 3)  # 1..5: suppressed on registration
    t = p.add_cell("t", "Total", "n", 23)
    p.add_sum(t, [a, b])
    assert p.is_suppressed(b)
    first = audit(p)
    assert ranges(first) == {"b": (3, 3)} and not first["passes"].any()
    # the only shown non-total partner is a: suppressed; a + b = 23, both >= 1 -> 1..22 each.
    final = protect(p)
    assert ranges(final) == {"a": (1, 22), "b": (1, 22)} and final["passes"].all()
    assert p.shown(t) == "23"


def pack_of_group_sizes(counts: dict[str, int], suppressed: set[str]) -> Pack:
    """The sample's group sizes as the briefing used to publish them, with the headline totals.

    Bands 5, 6, 7, 8, 9 (one size each) and 10+; 38 groups (headline), 242 children, each in
    one group (the child-group memberships: 242, taken as known to a reader).
    """
    p = Pack(threshold=5)
    groups = p.add_cell("header", "index parents", "n", 38, protected=True)
    members = p.add_cell("groups", "all", "memberships", 242, published=False, known=True)
    children = {"5": 70, "6": 42, "7": 70, "8": 32, "9": 18, "10+": 10, "8+": 60}  # true S_b
    band_keys, child_keys = [], []
    for label, n in counts.items():
        lo = int(label.rstrip("+"))
        k = p.add_cell("group_sizes", label, "n_groups", n, suppressed=label in suppressed)
        s = p.add_cell("group_sizes", label, "children", children[label], published=False)
        p.add_inequality({k: lo, s: -1})  # lo * x_b <= S_b
        if not label.endswith("+"):
            p.add_inequality({s: 1, k: -lo})  # S_b <= lo * x_b (one size per band)
        band_keys.append(k)
        child_keys.append(s)
    p.add_sum(groups, band_keys)
    p.add_sum(members, child_keys)
    return p


SAMPLE_SIZES = {"5": 14, "6": 7, "7": 10, "8": 4, "9": 2, "10+": 1}


def test_the_issues_attack_on_the_old_group_sizes_is_found_and_fixed():
    # Old publication: 5:14, 6:7, 7:10 shown; 8, 9, 10+ as c. x8 + x9 + x10 = 38 - 31 = 7;
    # 8 x8 + 9 x9 + S10 = 242 - 182 = 60 with S10 >= 10 x10. Put x8 = 7 - x9 - x10:
    # 56 + x9 - 8 x10 + S10 = 60 -> S10 = 4 - x9 + 8 x10 >= 10 x10 -> x9 + 2 x10 <= 4.
    # With x9, x10 >= 1: x10 = 1 exactly, x9 in {1, 2}, x8 = 6 - x9 in {4, 5}: all fail.
    p = pack_of_group_sizes(SAMPLE_SIZES, {"8", "9", "10+"})
    first = audit(p)
    assert ranges(first) == {"8": (4, 5), "9": (1, 2), "10+": (1, 1)}
    assert not first["passes"].any()
    final = protect(p)
    assert final["passes"].all()
    # Round 1 suppresses the smallest shown band beside the failing one in "bands add up to
    # 38" (6: 7 groups); that still leaves x10 in 1..3 (4 x10 <= 18 - 2 x8 - 3 x9), so round
    # 2 suppresses 7 (10 groups). Then x6 + x7 + x8 + x9 + x10 = 24 and
    # S10 = 28 - x7 - 2 x8 - 3 x9 + 6 x10 >= 10 x10 -> 4 x10 <= 28 - 1 - 2 - 3 = 22 -> x10 <= 5;
    # x9: 3 x9 <= 28 - 1 - 2 - 4 = 21 -> x9 <= 7.
    assert ranges(final)["10+"] == (1, 5) and ranges(final)["9"] == (1, 7)
    assert [r for r in ranges(final)] == ["6", "7", "8", "9", "10+"]
    assert p.shown(("header", "index parents", "n")) == "38"


def test_merged_bands_leave_nothing_to_narrow():
    # 8, 9 and 10+ merged into 8+ (7 groups): nothing is small, nothing suppressed.
    assert merge_ordered_bands([14, 7, 10, 4, 2, 1]) == [(0, 0), (1, 1), (2, 2), (3, 5)]
    assert audit(pack_of_group_sizes({"5": 14, "6": 7, "7": 10, "8+": 7}, set())).empty


def test_merge_ordered_bands_prefers_no_small_band_then_most_bands():
    # lead times 17, 1, 2, 5, 1 (total 26): no split into 3 bands avoids a band of 1..5
    # (the last 1 must join the 5 -> 6, then 1 + 2 = 3 is small unless joined to 17 or 6);
    # two bands: 17 | 9 (smallest 9) beats 18 | 8, 20 | 6.
    assert merge_ordered_bands([17, 1, 2, 5, 1]) == [(0, 0), (1, 4)]
    # all large: unchanged; zeros are shown, never merged away for being small.
    assert merge_ordered_bands([10, 0, 12]) == [(0, 0), (1, 1), (2, 2)]
    # a total of 1..5: one small band is unavoidable; the most bands are kept.
    assert merge_ordered_bands([3, 0]) == [(0, 0), (1, 1)]


def test_complement_of_a_shown_share_is_found_and_fixed():
    # "35 of 38 groups have half-siblings" tells of 38 - 35 = 3 groups without: pinned to 3.
    p = Pack(threshold=5)
    den = p.add_cell("header", "index parents", "n", 38, protected=True)
    num = p.add_cell("findings", "half_siblings", "numerator", 35)
    p.add_complement(num, den, "findings", "half_siblings")
    first = audit(p)
    assert first[["column", "published", "min_possible", "max_possible"]].values.tolist() == [
        ["complement", "derived", 3, 3]]
    assert not first["passes"].any()
    # Fix: the numerator (the denominator is protected) -> numerator 1..38, complement 0..37.
    final = protect(p)
    assert p.shown(num) == "c"
    assert final[["column", "min_possible", "max_possible"]].values.tolist() == [
        ["numerator", 1, 38], ["complement", 0, 37]]
    assert final["passes"].all()


def test_a_large_complement_needs_nothing():
    # 33 of 242: complement 209 is not small, the audit has nothing to check.
    p = Pack(threshold=5)
    den = p.add_cell("h", "children", "n", 242)
    num = p.add_cell("f", "adults", "numerator", 33)
    p.add_complement(num, den, "f", "adults")
    assert audit(p).empty


def test_same_quantity_twice_is_one_number():
    # A c in one place and the same count shown in another: pinned.
    p = Pack(threshold=5)
    a = p.add_cell("t1", "x", "n", 40, suppressed=True)
    b = p.add_cell("t2", "x", "n", 40)
    assert p.add_same(a, b)
    assert ranges(audit(p)) == {"x": (40, 40)}
    assert not audit(p)["passes"].any()
    # different values are different quantities: no link.
    assert not p.add_same(a, p.add_cell("t3", "x", "n", 41))


def test_cell_fails_rules():
    # suppressed: one value fails; inside 1..5 and narrower fails; 1..5 or beyond 5 passes.
    assert cell_fails(40, 40, 5, suppressed=True)
    assert cell_fails(1, 2, 5, suppressed=True) and cell_fails(2, 5, 5, suppressed=True)
    assert not cell_fails(1, 5, 5, suppressed=True) and not cell_fails(1, 6, 5, suppressed=True)
    assert not cell_fails(1, None, 5, suppressed=True)
    # derived: only a narrowing inside 1..5 fails (0 and large counts are shown anyway).
    assert cell_fails(3, 3, 5, suppressed=False)
    assert not cell_fails(0, 0, 5, suppressed=False) and not cell_fails(7, 7, 5, suppressed=False)


def test_no_further_suppression_possible_is_refused():
    # Every partner protected: the audit still fails and require_pass refuses.
    p = Pack(threshold=5)
    a = p.add_cell("t", "a", "n", 20, protected=True)
    b = p.add_cell("t", "b", "n", 3)
    t = p.add_cell("t", "Total", "n", 23, protected=True)
    p.add_sum(t, [a, b])
    result = protect(p)
    assert not result["passes"].all()
    with pytest.raises(DisclosureAuditError, match=r"t row 'b' column 'n' \(c\) can be narrowed to 3..3"):
        require_pass(result)


def test_relations_must_hold_for_the_true_values():
    p = Pack()
    a = p.add_cell("t", "a", "n", 20)
    t = p.add_cell("t", "Total", "n", 21)
    with pytest.raises(ValueError, match="does not hold"):
        p.add_sum(t, [a])


def test_escalation_table_merges_types_and_shows_children_escalated():
    # eldest: cp 8, cla 0, care 1, not 29; younger: cp 47, cla 0, care 2, not 155.
    # Types apart: care 1, 2 (total 3) small -> 6 cells c at least; CLA and care together:
    # 1, 2, 3 small again; escalated alone: 9 / 49 / 58 and 29 / 155 / 184, nothing small.
    kids = pd.DataFrame({
        "child_id": [f"K{i}" for i in range(242)],
        "birth_order": [1] * 38 + [2] * 204,
        "escalation_type": (["cp_plan"] * 8 + ["care_proceedings"] + [None] * 29
                            + ["cp_plan"] * 47 + ["care_proceedings"] * 2 + [None] * 155),
    })
    table, level = briefing.escalation_table(kids, 5)
    assert level == ()
    assert table.to_numpy().tolist() == [[9, 29, 38], [49, 155, 204], [58, 184, 242]]
    assert list(table.columns) == ["escalated", "not_escalated", "Total"]
    # With larger CLA and care counts the finest split that suppresses least is kept:
    # cp 30 / 40, cla 10 / 12, care 9 / 20: nothing small, types kept apart.
    kids2 = pd.DataFrame({
        "child_id": [f"K{i}" for i in range(181)],
        "birth_order": [1] * 59 + [2] * 122,
        "escalation_type": (["cp_plan"] * 30 + ["cla"] * 10 + ["care_proceedings"] * 9 + [None] * 10
                            + ["cp_plan"] * 40 + ["cla"] * 12 + ["care_proceedings"] * 20 + [None] * 50),
    })
    table2, level2 = briefing.escalation_table(kids2, 5)
    assert list(table2.columns) == ["cp_plan", "cla", "care_proceedings", "escalated", "not_escalated", "Total"]
    assert table2.loc["Total", "escalated"] == 30 + 10 + 9 + 40 + 12 + 20


# --- the sample ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    from neglect_analysis.bootstrap import findings_with_intervals
    from neglect_analysis.io import load_extract
    from neglect_analysis.pipeline import build_tables

    cohort, _ = load_extract(SAMPLE)
    tables = build_tables(cohort)
    found = findings_with_intervals(cohort, tables.family)  # as the report has them
    tables.extra["findings"] = found
    return cohort, tables, found


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    cohort, tables, _ = sample
    out = tmp_path_factory.mktemp("briefing") / "briefing"
    briefing.write_briefing(cohort, tables, out)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_sample_audit_passes_and_is_written(written):
    result = _read(written / "disclosure_audit.csv")
    assert list(result.columns) == list(disclosure_audit.AUDIT_COLUMNS)
    assert set(result["passes"]) == {"1"}
    # 35 and 36 of 38 groups: complements 3 and 2 -> the numerators are c.
    find = _read(written / "findings.csv").set_index("measure")
    for m in ("groups_with_half_siblings", "groups_with_partner_changes"):
        assert find.loc[m, ["numerator", "denominator", "share"]].tolist() == ["c", "38", "c"]
        assert result.loc[(result["row"] == m) & (result["column"] == "numerator"),
                          ["min_possible", "max_possible"]].values.tolist() == [["1", "38"]]


def test_differencing_group_sizes_against_the_sample_totals_fails(written, sample):
    """The issue's attack on what is published now: every c keeps a range of at least 1..5."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    _, tables, _ = sample
    sizes = _read(written / "group_sizes.csv")
    header = re.search(r"(\d+|c) index parents, (\d+|c) children", (written / "briefing.md").read_text())
    n_groups = int(header.group(1))
    n_children = int(header.group(2))
    assert n_children == tables.family.members["child_id"].nunique()
    # Bands as published: lower size from the label ("5", "8+", "6-7"), upper where closed.
    lows = [int(re.match(r"\d+", s).group()) for s in sizes["n_children"]]
    highs = [None if s.endswith("+") else int(s.split("-")[-1]) for s in sizes["n_children"]]
    hidden = (sizes["n_groups"] == "c").to_numpy()
    shown = np.where(hidden, 0, pd.to_numeric(sizes["n_groups"], errors="coerce").fillna(0)).astype(int)
    # variables: x_b (groups) then S_b (children); sum x = groups, sum S = children,
    # lo x <= S <= hi x; shown x fixed, c at least 1.
    k = len(sizes)
    A = [np.r_[np.ones(k), np.zeros(k)], np.r_[np.zeros(k), np.ones(k)]]
    lb, ub = [n_groups, n_children], [n_groups, n_children]
    for b in range(k):
        row = np.zeros(2 * k); row[b] = lows[b]; row[k + b] = -1
        A.append(row); lb.append(-np.inf); ub.append(0)
        if highs[b] is not None:
            row = np.zeros(2 * k); row[k + b] = 1; row[b] = -highs[b]
            A.append(row); lb.append(-np.inf); ub.append(0)
    xb_lo = np.where(hidden, 1, shown)
    xb_hi = np.where(hidden, 10**6, shown)
    bounds = Bounds(np.r_[xb_lo, np.zeros(k)], np.r_[xb_hi, np.full(k, 10**6)])
    cons = LinearConstraint(np.array(A), lb, ub)
    for b in np.flatnonzero(hidden):
        c = np.zeros(2 * k); c[b] = 1
        lo = milp(c, integrality=np.ones(2 * k), bounds=bounds, constraints=cons).x[b]
        hi = milp(-c, integrality=np.ones(2 * k), bounds=bounds, constraints=cons).x[b]
        assert not cell_fails(round(lo), round(hi), 5, suppressed=True), sizes["n_children"][b]
    # And on the sample nothing needs a c: 8, 9 and 10+ are published together as 8+.
    assert sizes.values.tolist() == [["5", "14"], ["6", "7"], ["7", "10"], ["8+", "7"]]


def test_sample_escalation_table_shows_the_children_escalated(written, sample):
    _, tables, _ = sample
    kids = tables.family.children.drop_duplicates("child_id")
    shown = _read(written / "escalation_by_position.csv").set_index("position")
    assert shown.loc["Total", "escalated"] == str(int(kids["escalated"].sum()))
    assert "c" not in shown.to_numpy()


def test_write_briefing_refuses_a_pack_that_fails(sample, tmp_path, monkeypatch):
    # Without the fix-up the sample fails (35 of 38 tells of 3): nothing may be written.
    cohort, tables, _ = sample
    monkeypatch.setattr(disclosure_audit, "protect", lambda pack: audit(pack))
    out = tmp_path / "b"
    with pytest.raises(DisclosureAuditError, match="groups_with_half_siblings"):
        briefing.write_briefing(cohort, tables, out)
    assert not out.exists()


# --- survival figures ------------------------------------------------------------------------

def _path_xy(d: str) -> np.ndarray:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return np.array(nums).reshape(-1, 2)


def _svg_groups(svg: Path) -> dict[str, np.ndarray]:
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.parse(svg).getroot()
    out = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        gid = g.get("id", "")
        if gid.startswith("km-"):
            out[gid] = np.vstack([_path_xy(p.get("d")) for p in g.findall(".//s:path", ns)])
    return out


def _followed_through(ages: pd.DataFrame, m: int) -> int:
    """Children in the curve followed through month m of age: entered by its start (age
    (m - 1) * 365.25 / 12 days, 0 for month 0) and still followed after its end."""
    a = ages[ages["in_curve"].astype(bool)]
    start = max(m - 1, 0) * 365.25 / 12
    return int(((a["entry_age_days"].astype(float) <= start)
                & (a["exit_age_days"].astype(float) > m * 365.25 / 12)).sum())


def test_survival_svg_draws_whole_months_of_age_only_while_ten_are_followed(written, sample):
    _, tables, _ = sample
    ages = tables.family.ages
    # Independently of the briefing: the months of age from 0 before the first month with
    # fewer than 10 children followed through it (the point-6 curve: all children).
    last = 0
    while _followed_through(ages, last + 1) >= 10:
        last += 1
    assert _followed_through(ages, 0) >= 10 and last > 12  # the sample draws more than a year
    shapes = _svg_groups(written / "km_age.svg")
    axes = shapes["km-axes"]
    left, right = axes[:, 0].min(), axes[:, 0].max()
    months_at_right = last * (1 + briefing.KM_X_MARGIN)  # a little room after the curve
    for part in ("km-all", "km-all-ci"):
        x = (shapes[part][:, 0] - left) / (right - left) * months_at_right
        assert np.allclose(x, np.round(x), atol=0.05), (part, x[:5])  # whole months
        assert round(x.max()) == last, part  # drawn up to the last month with >= 10
    assert not [g for g in shapes if g.startswith(("km-eldest", "km-younger"))]  # one curve
    data = _read(written / "km_age.csv")
    assert list(data.columns) == ["group", "age_months", "survival", "ci_lower", "ci_upper", "at_risk"]
    assert set(data["group"]) == {"all"}
    assert int(data["age_months"].astype(int).max()) == last
    # every number at risk published is the count of children followed through that month
    assert [int(v) for v in data["at_risk"]] == [_followed_through(ages, int(m)) for m in data["age_months"]]
    assert data["at_risk"].astype(int).min() >= 10
    # a row at every whole year of age, for the numbers-at-risk row
    assert set(range(0, last + 1, 12)) <= set(data["age_months"].astype(int))
    assert not (written / "km_eldest_younger.csv").exists()


def test_survival_figure_is_described_by_generated_sentences_without_p_values(written, sample):
    from neglect_analysis import messages

    _, tables, _ = sample
    data = pd.read_csv(written / "km_age.csv")
    page = (written / "briefing.html").read_text(encoding="utf-8")
    md = (written / "briefing.md").read_text(encoding="utf-8")
    curve = messages.curve_sentence(data)
    cox = messages.cox_sentence(tables.extra["escalation_cox"])
    assert curve and cox
    for text in (curve, cox):
        assert text in md and html.escape(text) in page
    # the p-values of escalation_cox.csv are nowhere in the pack
    for p in tables.extra["escalation_cox"]["p_value"]:
        assert f"{p:.3f}" not in md and f"{p:.2f}" not in cox


def test_survival_figure_cells_are_registered_in_the_pack(sample):
    cohort, tables, found = sample
    bp = briefing.BriefingPack(cohort, tables, found)
    monthly = bp.km["km_age"]
    cells = {k[1]: c.value for k, c in bp.pack.cells.items() if k[0] == "km_age"}
    assert cells == {f"all month {m}": int(r) for m, r in zip(monthly["age_months"], monthly["at_risk"])}
    assert all(k[2] == "at_risk" for k in bp.pack.cells if k[0] == "km_age")
    assert not any(bp.pack.is_suppressed(("km_age", r, "at_risk")) for r in cells)


def test_km_age_monthly_cuts_where_fewer_are_followed_by_hand():
    # 16 children (entry, exit in days of age; month m ends at m x 30.44 days):
    # A: 8 x (0, 400, no); B1 (0, 20, escalated); B2 (0, 50, no); B3 (0, 70, escalated);
    # B4 (0, 85, no); L: 4 x (100, 400, no), entering in month 4.
    # Followed through month m (entered by its start, followed after its end):
    # m0: A + B1-B4 = 12; m1: A, B2-B4 = 11; m2: A, B3, B4 = 10; m3: A = 8; m4: A = 8 (L entered
    # after the start of month 4); m5..m13: A + L = 12; m14 (ends 426.1): 0.
    # KM: at 20 days 12 at risk (L not yet entered): S = 11/12 = 0.917; at 70 days A, B3, B4:
    # S = 11/12 x 9/10 = 0.825.
    long = pd.DataFrame({"group": "all",
                         "entry_age_days": [0] * 12 + [100] * 4,
                         "exit_age_days": [400] * 8 + [20, 50, 70, 85] + [400] * 4,
                         "event": [0] * 8 + [1, 0, 1, 0] + [0] * 4})
    # default 10: cut at month 3 (8 followed), although 12 are followed again from month 5
    out = summaries.km_age_monthly(long)
    assert out[["age_months", "survival", "at_risk"]].values.tolist() == [[0, 1.0, 12], [1, 0.917, 11], [2, 0.917, 10]]
    # 8: all months to 13; rows at month 0, the changes (1, 3), the year (12) and the last (13)
    out = summaries.km_age_monthly(long, min_at_risk=8)
    assert out[["age_months", "survival", "at_risk"]].values.tolist() == [
        [0, 1.0, 12], [1, 0.917, 11], [3, 0.825, 8], [12, 0.825, 12], [13, 0.825, 12]]
    # 13: month 0 has 12: no curve at all
    assert summaries.km_age_monthly(long, min_at_risk=13).empty


def test_report_of_a_pack_too_small_to_share_writes_the_analyst_tables_and_exits_1(tmp_path, capsys):
    # 4 index parents: the headline "index parents" count (4) is itself in 1..5, so no briefing
    # can hide its small cells; the analyst tables are written, the briefing is not, exit 1.
    from neglect_analysis.cli import main
    from neglect_analysis.synthetic import write_extract

    write_extract(tmp_path / "x", n_parents=4, seed=3)
    code = main(["report", str(tmp_path / "x"), "--out", str(tmp_path / "o"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    assert (tmp_path / "o" / "analyst" / "children.csv").exists()
    assert not (tmp_path / "o" / "briefing").exists()
    assert "No briefing/ was written" in out and "index parents" in out


# --- the authority's own baseline (issue 12: its share is published, so it is audited) --------

def test_a_baseline_share_pins_a_suppressed_cohort_count():
    # Cohort: 3 of 40 (3 suppressed). Rest of the authority: 50 of 200, printed as 25.0%.
    # A reader who knows the whole authority's 53 of 240 gets the rest's denominator,
    # 240 - 40 = 200; 25.0% of 200 (24.95% to 25.05%) is 49.9 to 50.1, so 50; the cohort's
    # numerator is 53 - 50 = 3: pinned.
    pack = Pack(threshold=5)
    num = pack.add_cell("findings", "m", "numerator", 3, suppressed=True)
    den = pack.add_cell("findings", "m", "denominator", 40)
    b_num = pack.add_cell("authority_baseline", "m", "numerator", 50, published=False)
    b_den = pack.add_cell("authority_baseline", "m", "denominator", 200, published=False)
    for c, b, whole in ((num, b_num, 53), (den, b_den, 240)):
        w = pack.add_cell("authority_baseline", "m", f"whole {c[2]}", whole, published=False, known=True)
        pack.add_sum(w, [c, b])
    pack.add_rounded_share(b_num, b_den, "25.0")
    result = audit(pack)
    assert ranges(result) == {"m": (3, 3)} and not result["passes"].any()
    # Without the share the rest's numerator is free (0 to 53, no complement registered
    # here), so the cohort's is 1 to 53 - 0 = 53: it passes.
    pack.drop_rounded_share(b_num, b_den)
    result = audit(pack)
    assert ranges(result) == {"m": (1, 53)} and result["passes"].all()


def test_briefing_withholds_the_baseline_share_beside_a_suppressed_count(sample):
    # The sample has no background children; give two DfE-comparable rows a baseline by
    # hand. rereferrals_12m: the cohort's numerator set to 3 (suppressed), rest 50 of 200:
    # its 25.0% would pin the 3 (test above), so it is withheld (c). repeat_cp_plans keeps
    # its shown counts: its baseline 30 of 120 = 25.0% is shown.
    cohort, tables, found = sample
    found = found.copy()
    i = found.index[found["measure"] == "rereferrals_12m"][0]
    j = found.index[found["measure"] == "repeat_cp_plans"][0]
    found.loc[i, "numerator"] = 3
    found.loc[[i, j], "authority_numerator"] = [50, 30]
    found.loc[[i, j], "authority_denominator"] = [200, 120]
    found.loc[[i, j], "authority_share"] = [25.0, 25.0]
    bp = briefing.BriefingPack(cohort, tables, found)
    result = bp.protect()
    assert result["passes"].all()
    shown = bp.shown_findings().set_index("measure")
    assert shown.loc["rereferrals_12m", "numerator"] == "c"
    assert shown.loc["rereferrals_12m", "authority_share"] == "c"
    assert shown.loc["repeat_cp_plans", "authority_share"] == "25.0"
    assert ("authority_baseline", "repeat_cp_plans", "numerator") in bp.pack.cells
    assert ("authority_baseline", "rereferrals_12m", "numerator") not in bp.pack.cells


def test_notebook_key_messages_are_the_briefing_sentences(sample, written):
    # notebooks print Audit.key_messages: the same sentences as briefing/key_messages.csv
    from neglect_analysis.notebook import Audit

    cohort, tables, _ = sample

    class NoProblems:
        def n(self, severity):
            return 0

    lines = Audit(cohort, NoProblems(), tables).key_messages().splitlines()
    said = _read(written / "key_messages.csv")
    assert len(said) >= 7
    # with the family-bootstrap intervals the report quotes
    assert sum("family-bootstrap 95% interval" in s for s in said["sentence"]) >= 7
    assert [line.strip() for line in lines if line.startswith("   ")] == said["sentence"].tolist()


def test_a_baseline_share_is_withdrawn_when_the_audit_suppresses_its_row_further(sample):
    # groups_with_half_siblings is 35 of 38 on the sample: both shown by the first rule, but
    # the complement 38 - 35 = 3 is small, so the audit suppresses the 35 further. A baseline
    # given by hand (50 of 200 = 25.0%) is then withheld (c), never registered: registered
    # first, it would have pinned the 35 and pushed the audit to suppress the 38 (a headline
    # total) too.
    cohort, tables, found = sample
    found = found.copy()
    i = found.index[found["measure"] == "groups_with_half_siblings"][0]
    assert (found.loc[i, "numerator"], found.loc[i, "denominator"]) == (35, 38)
    found.loc[i, ["authority_numerator", "authority_denominator", "authority_share"]] = [50, 200, 25.0]
    bp = briefing.BriefingPack(cohort, tables, found)
    assert bp.protect()["passes"].all()
    assert "groups_with_half_siblings" not in bp.baseline
    shown = bp.shown_findings().set_index("measure")
    assert shown.loc["groups_with_half_siblings", ["numerator", "denominator"]].tolist() == ["c", "38"]
    assert shown.loc["groups_with_half_siblings", "authority_share"] == "c"
