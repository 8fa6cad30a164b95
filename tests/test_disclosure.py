"""Disclosure control: DfE primary and secondary suppression, shares, and the recoverability audit.

Expected tables are worked out by hand in the comments (T = total, c = suppressed).
"""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neglect_analysis.disclosure import (
    check_no_small_counts,
    format_share,
    is_recoverable,
    recoverable_cells,
    share_table,
    suppress_counts,
    suppress_series,
)


def frame(rows, index=None, columns=None):
    columns = columns or [f"k{j}" for j in range(len(rows[0]))]
    return pd.DataFrame(rows, index=index or [f"r{i}" for i in range(len(rows))], columns=columns)


def grid(shown):
    """The shown table as a list of lists of text, for compact comparison."""
    return shown.to_numpy().tolist()


# --- no secondary suppression needed ---------------------------------------------------------

def test_no_small_counts_nothing_suppressed_and_true_totals():
    # cells 0 or > 5: nothing to suppress; totals 10, 7 / 7, 10 / 17; zeros shown as 0.
    t = frame([[0, 10], [7, 0]])
    out = suppress_counts(t)
    assert grid(out) == [["0", "10", "10"], ["7", "0", "7"], ["7", "10", "17"]]
    assert list(out.index) == ["r0", "r1", "Total"]
    assert list(out.columns) == ["k0", "k1", "Total"]
    assert not is_recoverable(out, t)


def test_two_small_cells_in_each_line_need_no_secondary():
    # rows (2,3,10)=15 and (4,5,12)=21 each hold two small cells; columns (2,4)=6 and (3,5)=8
    # hold two each; column totals 6, 8, 22 and grand 36 are > 5, so no line has exactly one
    # suppressed entry, and the 2x2 block of c is a cycle: no cell follows from the totals.
    t = frame([[2, 3, 10], [4, 5, 12]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "c", "10", "15"], ["c", "c", "12", "21"], ["6", "8", "22", "36"]]
    assert not is_recoverable(out, t)


def test_all_zero_table_shows_zeros():
    t = frame([[0, 0], [0, 0]])
    assert grid(suppress_counts(t)) == [["0"] * 3] * 3


# --- secondary suppression -------------------------------------------------------------------

def test_row_with_one_small_cell_gets_smallest_other_cell():
    # row r0 (3, 6, 20) has one small cell: the smallest other non-zero cell, 6, goes too;
    # row r1 (4, 7, 30): 7 goes. Columns (3,4)=7 and (6,7)=13 then hold two c each: stable.
    t = frame([[3, 6, 20], [4, 7, 30]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "c", "20", "29"], ["c", "c", "30", "41"], ["7", "13", "50", "70"]]
    assert not is_recoverable(out, t)


def test_column_with_one_small_cell():
    # only column totals: column k1 (3, 20, 9) has one small cell -> the smallest other,
    # 9, is suppressed; rows have no shown total, so nothing else is needed.
    t = frame([[10, 3], [12, 20], [15, 9]])
    out = suppress_counts(t, total_col=False)
    assert grid(out) == [["10", "c"], ["12", "20"], ["15", "c"], ["37", "32"]]
    assert not is_recoverable(out, t)


def test_secondary_skips_zeros():
    # r0 (3, 0, 9): the zero is shown, so the secondary is 9. Column k0 (3, 8)=11 then has one
    # c -> 8; row r1 (8, 0, 10) has one c -> 10; column k2 (9, 10) has two. Zero column shown.
    t = frame([[3, 0, 9], [8, 0, 10]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "0", "c", "12"], ["c", "0", "c", "18"], ["11", "0", "19", "30"]]


def test_secondary_cascades_into_another_row():
    # r0 (3, 8, 9): 3 primary, secondary 8 (smallest). Column k0 (3, 10)=13 then has one c ->
    # 10 (smaller than the total 13). Row r1 (10, 11, 12) now has one c -> 11, which also
    # fixes column k1 (8, 11). Result: a 2x2 block, cells 9 and 12 and every total shown.
    t = frame([[3, 8, 9], [10, 11, 12]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "c", "9", "20"], ["c", "c", "12", "33"], ["13", "19", "21", "53"]]
    assert not is_recoverable(out, t)


def test_ties_prefer_a_cell_whose_other_line_also_needs_one_then_position():
    # r0 (2, 7, 7): two candidates of 7; the one in column k2 (7, 3) is chosen because k2 also
    # has a lone c. r1 (9, 9, 3): candidates 9 and 9; the one in column k0 (2, 9) is chosen
    # for the same reason. Four c in a rectangle, every total > 5 and shown.
    t = frame([[2, 7, 7], [9, 9, 3]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "7", "c", "16"], ["c", "9", "c", "21"], ["11", "16", "10", "37"]]
    # plain position tie: one row, row total only: (2, 7, 7) -> the first 7.
    out = suppress_counts(frame([[2, 7, 7]]), total_row=False)
    assert grid(out) == [["c", "c", "7", "16"]]


def test_small_totals_suppressed_and_margins_protected():
    # (1, 2 | 3) and (0, 40 | 40); column totals 1, 42; grand 43.
    # Primary: 1, 2, row total 3, column total 1. Column k1 (2, 40 | 42) has one c -> 40.
    # Row r1 (0, 40 | 40): lone c and the zero cannot be used -> its total 40.
    # Total row (1, 42 | 43): lone c -> 42. Grand total 43 stays (a, b stay free).
    t = frame([[1, 2], [0, 40]])
    out = suppress_counts(t)
    assert grid(out) == [["c", "c", "c"], ["0", "c", "c"], ["c", "c", "43"]]
    assert not is_recoverable(out, t)


def test_linear_audit_breaks_a_bridge_between_two_blocks():
    # Blocks of small cells in rows r0-r1 x k0-k1 and rows r2-r3 x k2-k3, joined by 5 at
    # (r1, k2): every line holds >= 2 c, yet (rows r0+r1 hidden sum 15) - (columns k0+k1
    # hidden sum 10) = 5 gives that cell back. The audit suppresses the smallest non-zero cell
    # of its row or column: 50 at (r0, k2) (row r1 offers 70, column k2 offers 50).
    t = frame([[1, 2, 50, 60], [3, 4, 5, 70], [80, 90, 1, 2], [85, 95, 3, 4]])
    dfe_only = suppress_counts(t, linear_audit=False)
    assert recoverable_cells(dfe_only, t, method="lines") == []
    assert recoverable_cells(dfe_only, t, method="linear") == [("r1", "k2")]
    out = suppress_counts(t)
    assert grid(out)[0] == ["c", "c", "c", "60", "113"]
    assert (out != dfe_only).sum().sum() == 1
    assert not is_recoverable(out, t)


def test_protect_small_sums_option():
    # Row r0 hides 2 + 3 = 5 <= 5 beside a shown total: with the option, 10 (smallest) goes
    # too; column k2 (10, 12) then has one c -> 12. Hidden sums now 15, 21, 6, 8, 22.
    t = frame([[2, 3, 10], [4, 5, 12]])
    out = suppress_counts(t, protect_small_sums=True)
    assert grid(out) == [["c", "c", "c", "15"], ["c", "c", "c", "21"], ["6", "8", "22", "36"]]


def test_threshold_is_a_parameter():
    # threshold 10: 7 and 9 are small; row (7, 20), (9, 30): secondaries 20, 30; column totals
    # 16 and 50 shown.
    t = frame([[7, 20], [9, 30]])
    out = suppress_counts(t, threshold=10)
    assert grid(out) == [["c", "c", "27"], ["c", "c", "39"], ["16", "50", "66"]]


def test_input_not_mutated_and_bad_input_named():
    t = frame([[3, 8], [10, 11]])
    before = t.copy()
    suppress_counts(t)
    pd.testing.assert_frame_equal(t, before)
    with pytest.raises(ValueError, match=r"row 'r1', column 'k0': -1"):
        suppress_counts(frame([[3, 8], [-1, 11]]))
    with pytest.raises(ValueError, match=r"column 'k1': 2.5"):
        suppress_counts(frame([[3, 2.5], [1, 11]]))
    with pytest.raises(ValueError, match="non-negative whole-number"):
        suppress_counts(frame([[3, None], [1, 11]]))


def test_suppress_series():
    # (4, 9, 30 | 43): 4 primary, lone c beside a shown total -> 9.
    s = suppress_series(pd.Series({"a": 4, "b": 9, "c": 30}, name="n"))
    assert s.to_dict() == {"a": "c", "b": "c", "c": "30", "Total": "43"}
    assert s.name == "n"
    # total 3 is suppressed itself: (3, 0 | 3): two c, stable.
    assert suppress_series(pd.Series([3, 0])).tolist() == ["c", "0", "c"]


# --- shares ----------------------------------------------------------------------------------

def test_format_share_rounds_half_up_exactly():
    # 1/16 = 6.25 % -> 6.3 (half up, not banker's 6.2); 1/8 = 12.5; 2/3 = 66.666 -> 66.7;
    # 0/5 = 0.0; denominator 0 -> z; 1/3 = 33.33 -> 33.3; 5/6 = 83.33 -> 83.3; 1/1 -> 100.0.
    out = format_share(pd.Series([1, 1, 2, 0, 3, 1, 5, 1]), pd.Series([16, 8, 3, 5, 0, 3, 6, 1]))
    assert out.tolist() == ["6.3", "12.5", "66.7", "0.0", "z", "33.3", "83.3", "100.0"]


def test_share_table_suppresses_share_with_its_numerator_or_denominator():
    # a: 3 of 38 -> numerator c, share c. b: 40 of 204 = 19.607 -> 19.6.
    # d: 0 of 4 -> denominator c, so the share is c too (a shown share and numerator give the
    # denominator back). e: 0 of 0 -> share z. f: missing numerator -> ':'.
    num = pd.Series({"a": 3, "b": 40, "d": 0, "e": 0, "f": None})
    den = pd.Series({"a": 38, "b": 204, "d": 4, "e": 0, "f": 10})
    out = share_table(num, den)
    assert out.to_dict("index") == {
        "a": {"numerator": "c", "denominator": "38", "share": "c"},
        "b": {"numerator": "40", "denominator": "204", "share": "19.6"},
        "d": {"numerator": "0", "denominator": "c", "share": "c"},
        "e": {"numerator": "0", "denominator": "0", "share": "z"},
        "f": {"numerator": ":", "denominator": "10", "share": ":"},
    }


def test_share_table_with_total_gets_secondary_suppression():
    # numerators (3, 12, 20 | 35): 3 primary -> 12 secondary; denominators (10, 40, 50 | 100)
    # all shown. Shares: c, c (numerator 12 hidden), 40.0; total 35/100 = 35.0.
    num = pd.Series({"x": 3, "y": 12, "z": 20})
    den = pd.Series({"x": 10, "y": 40, "z": 50})
    out = share_table(num, den, total=True)
    assert out["numerator"].tolist() == ["c", "c", "20", "35"]
    assert out["denominator"].tolist() == ["10", "40", "50", "100"]
    assert out["share"].tolist() == ["c", "c", "40.0", "35.0"]


# --- checks ----------------------------------------------------------------------------------

def test_check_no_small_counts_finds_ints_and_text_but_not_shares():
    df = pd.DataFrame({"n": [0, 3, 12], "t": ["c", "5", "6"], "share": ["2.0", "c", "4.5"]})
    problems = check_no_small_counts(df)
    assert len(problems) == 2
    assert "row 1, column 'n': count 3" in problems[0]
    assert "row 1, column 't': count 5" in problems[1]
    assert check_no_small_counts(df, threshold=2) == []
    assert check_no_small_counts(pd.DataFrame({"x": [4.0, 7.0]}), columns=["x"]) != []


def test_is_recoverable_flags_a_lone_suppressed_cell():
    # Only primary suppression: (3, 8 | 11): the 3 is 11 - 8.
    t = frame([[3, 8]])
    shown = pd.DataFrame([["c", "8", "11"]], index=["r0"], columns=["k0", "k1", "Total"])
    assert recoverable_cells(shown, t, method="lines") == [("r0", "k0")]
    assert is_recoverable(shown, t)


# --- property --------------------------------------------------------------------------------

small_tables = st.integers(1, 4).flatmap(
    lambda r: st.integers(1, 4).flatmap(
        lambda c: st.lists(
            st.lists(st.one_of(st.integers(0, 7), st.integers(0, 40)), min_size=c, max_size=c),
            min_size=r, max_size=r,
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(rows=small_tables, total_row=st.booleans(), total_col=st.booleans(), threshold=st.sampled_from([5, 10]))
def test_property_no_small_count_shown_and_nothing_recoverable(rows, total_row, total_col, threshold):
    t = frame(rows)
    out = suppress_counts(t, threshold=threshold, total_row=total_row, total_col=total_col)
    assert check_no_small_counts(out, threshold) == []
    assert not is_recoverable(out, t, method="linear")
    # every shown value is the true value; totals are true totals
    true = t.copy()
    if total_col:
        true["Total"] = t.sum(axis=1)
    if total_row:
        true.loc["Total"] = true.sum(axis=0)
    shown = out.to_numpy()
    mask = shown != "c"
    assert (shown[mask] == true.to_numpy().astype(str)[mask]).all()
    # zeros are always shown
    assert (shown[true.to_numpy() == 0] == "0").all()


def test_a_cell_pinned_by_the_grand_total_across_lines_is_protected():
    # Found by the property test. Rows: r0 = 0 0 2 4, r1 = 0 3 0 0, r2 = 0 3 0 1 (totals 6, 3, 4;
    # columns 0, 6, 2, 5; grand 13). With every line through r2's "1" already suppressed, it was
    # still pinned: r1 + r2 = 13 - 6 = 7, and column 1 gives 3 + 3 = 6, so r2's last cell = 1.
    t = frame([[0, 0, 2, 4], [0, 3, 0, 0], [0, 3, 0, 1]])
    out = suppress_counts(t, threshold=5, total_row=True, total_col=True)
    assert check_no_small_counts(out, 5) == []
    assert not is_recoverable(out, t, method="linear")
