"""The loader's fast paths give the answers of the plain computations they replace.

Each helper below skips work in the usual case (ids in order, no cell to strip, all dates ISO,
a small table against many persons); these tests build the unusual cases by hand, including
text split over several Arrow chunks as Parquet row groups give it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from neglect_analysis.idsets import IdSet
from neglect_analysis.io.arrowtext import (distinct_codes, has_repeats, map_distinct, repeat_text,
                                           take_codes)
from neglect_analysis.io.checks import TableRows
from neglect_analysis.io.dates import _padded_iso_dates, _parse_distinct, _parse_few
from neglect_analysis.io.links import _maybe_on_cycle, _parents_per_child, _person_codes
from neglect_analysis.io.readers import _clean_cells, _no_edge_space
from neglect_analysis.io.validation import ProblemLog


def chunked(*chunks) -> pd.Series:
    """A string Series over several Arrow chunks (as read from a Parquet file's row groups)."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=pa.large_string())))


def test_distinct_codes_over_chunks_share_one_dictionary():
    # values b, -, a | b, c: distinct in order of first appearance b=0, a=1, c=2; missing -1
    codes, uniques = distinct_codes(chunked(["b", None, "a"], ["b", "c"]))
    assert codes.tolist() == [0, -1, 1, 0, 2]
    assert uniques.tolist() == ["b", "a", "c"]
    codes, uniques = distinct_codes(pd.Series([None, None], dtype="string"))
    assert codes.tolist() == [-1, -1] and uniques.tolist() == []


def test_take_codes_fills_missing_rows():
    assert take_codes(np.array([True, False]), np.array([1, -1, 0]), False).tolist() == [False, False, True]
    # nothing distinct (every row missing): every row gets the missing value
    assert take_codes(np.array([], dtype=bool), np.array([-1, -1]), False).tolist() == [False, False]


@pytest.mark.parametrize("values, expected", [
    (["A1", "A2", "A3"], False),          # in order: no sort needed, no repeat
    (["A3", "A1", "A2"], False),          # out of order, all distinct
    (["A3", "A1", "A3"], True),           # out of order, A3 twice
    (["A1", "A1"], True),                 # in order but equal neighbours: a repeat
    (["A1", None, None, "A2"], False),    # missing values never count as repeats
    ([None], False),
])
def test_has_repeats(values, expected):
    assert has_repeats(pd.Series(values, dtype="string")) is expected


def test_has_repeats_across_chunks():
    # A2 ends the first chunk and starts the second
    assert has_repeats(chunked(["A1", "A2"], ["A2", "A3"])) is True
    assert has_repeats(chunked(["A1", "A2"], ["A3"])) is False


def test_map_distinct_and_repeat_text():
    s = pd.Series([" n1", None, "N2", " n1"], dtype="string")
    assert map_distinct(s, lambda u: u.str.strip().str.upper()).tolist() == ["N1", pd.NA, "N2", "N1"]
    assert repeat_text("ics", pd.RangeIndex(3)).tolist() == ["ics"] * 3
    assert repeat_text(None, pd.RangeIndex(2)).isna().all()


@pytest.mark.parametrize("cells, plain", [
    (["abc", "12", "", None], True),       # empty and missing cells have no edge bytes
    (["abc", " 12"], False),               # leading space
    (["abc", "12\t"], False),              # trailing tab
    (["\u00a0x"], False),                  # non-breaking space: non-ASCII, so stripped
    (["é"], False),                        # any non-ASCII edge is left to the real strip
])
def test_no_edge_space(cells, plain):
    assert _no_edge_space(pa.array(cells, type=pa.large_string())) is plain


def test_clean_cells_same_with_or_without_the_strip():
    # " x" must be stripped; a column with nothing to strip still loses empty and NULL cells
    assert _clean_cells(pa.array([" x", "NULL", "", "y"])).to_pylist() == ["x", None, None, "y"]
    assert _clean_cells(pa.array(["x", "NULL", "", "y"])).to_pylist() == ["x", None, None, "y"]
    assert _clean_cells(pa.chunked_array([["x "], ["n/a", "y"]])).to_pylist() == ["x", None, "y"]
    # a sliced array (offset into its buffers) is read from its own cells only
    assert _no_edge_space(pa.array([" a", "b", "c"]).slice(1)) is True


def test_padded_iso_dates_arithmetic():
    text = pd.Series(["2016-02-29", "2017-02-29", "2017-04-31", "2017-12-31 23:59:59.5",
                      "2017-00-10", "2017-13-01", "2017-01-00", "2017-01-32"])
    # 2016 is a leap year, 2017 is not; April has 30 days; month 0/13 and day 0/32 do not exist
    assert np.datetime_as_string(_padded_iso_dates(text), unit="D").tolist() == [
        "2016-02-29", "NaT", "NaT", "2017-12-31", "NaT", "NaT", "NaT", "NaT"]


def test_parse_distinct_matches_one_by_one_parsing():
    # every form once: padded ISO (fast arithmetic), unpadded ISO, UK, serial, placeholder,
    # out of range, impossible, other text
    s = pd.Series(["2017-03-05", "2017-3-5", "05/03/2017", "42825", "9999-12-31", "1899-12-31",
                   "2199-12-31", "2200-01-01", "0000-01-01", "2017-02-29", "x", " ", None,
                   "2017-03-05T10:00", "2017-03-05 10:00:00.000"], dtype="string")
    a, b = _parse_distinct(s), _parse_few(s)
    assert a[0].equals(b[0]) and a[1].tolist() == b[1].tolist() and a[2].tolist() == b[2].tolist()
    # by hand: the four forms of 5 March 2017 read alike (42825 is 31 March 2017)
    assert a[0].iloc[:4].dt.strftime("%Y-%m-%d").tolist() == ["2017-03-05"] * 3 + ["2017-03-31"]
    # placeholder missing, neither bad nor out of range; 1899 and 2200 out of range (not
    # "not a date": issue 14); 2199-12-31 accepted; 0000-01-01 out of range; 2017-02-29 bad
    assert a[1].iloc[4:10].tolist() == [False, False, False, False, False, True]
    assert a[2].iloc[4:10].tolist() == [False, True, False, True, True, False]


def test_id_set_contains_hashes_either_side():
    persons = IdSet(pd.Index(["P1", "P2", "P3", "P4"]))
    # a short table (2 < 4 persons): the persons it names first, then its ids against those
    assert persons.contains(pd.Series(["P2", "X"])).tolist() == [True, False]
    # a long table: straight against the persons
    long = pd.Series(["P4", None, "P1", "Y", "P4"])
    assert persons.contains(long).tolist() == [True, False, True, False, True]


def test_cycle_candidates_and_parents_per_child():
    # 0 -> 1 -> 2 -> 0 is a loop; 3 -> 4 -> 5 is a line; 2 -> 6 leaves the loop
    parent = np.array([0, 1, 2, 3, 4, 2])
    child = np.array([1, 2, 0, 4, 5, 6])
    assert _maybe_on_cycle(parent, child).tolist() == [True, True, True, False, False, False]
    # child 1 has parents 0 and 7 (7 twice), child 2 has parent 1
    per = _parents_per_child(np.array([0, 7, 7, 1]), np.array([1, 1, 1, 2]))
    assert per.tolist() == [2, 2, 2, 1]


def test_person_codes_code_absent_ids_after_the_persons():
    links = pd.DataFrame({"parent_id": ["M", "X", "X"], "child_id": ["C", "C", "M"]})
    parent, child = _person_codes(links, pd.DataFrame({"person_id": ["C", "M"]}))
    # C=0, M=1 (rows of persons); X is not a person: code 2, the same for both of its links
    assert parent.tolist() == [1, 2, 2] and child.tolist() == [0, 0, 1]


def test_id_set_either_side_over_chunks_and_text_types():
    persons = IdSet(pd.Index(["P1", "P2", "P3", "P4"]))
    # a short table (3 < 4 ids) over two chunks: P3 and P1 are persons, Z is not, the gap is missing
    short = chunked(pa.array(["P3", None], type=pa.large_string()), pa.array(["Z"], type=pa.large_string()))
    assert persons.contains(short).tolist() == [True, False, False]
    # a long table (6 >= 4 ids) in the other Arrow text type (32-bit offsets): P2, P2, P4 in
    table = pd.Series(pd.arrays.ArrowStringArray(pa.array(["P2", "x", "P2", None, "P4", "p1"])))
    assert persons.contains(table).tolist() == [True, False, True, False, True, False]
    # the same set serves any number of tests; the index of the values is kept
    assert persons.contains(pd.Series(["P4"], index=[7])).index.tolist() == [7]


def test_problem_log_takes_series_as_it_takes_lists():
    # one problem per row 5 and 9; a missing value and a missing message stay missing
    a, b = ProblemLog(), ProblemLog()
    kw = dict(table="t", file="t.csv", column="c", severity="error", action="used", check="other")
    a.add(rows=[5, 9], values=["x", None], message=["m5", None], **kw)
    b.add(rows=pd.Series([5, 9], index=[3, 4]), values=pd.Series(["x", None], dtype="string"),
          message=pd.Series(["m5", None], dtype="str"), **kw)
    pd.testing.assert_frame_equal(a.frame(), b.frame(), check_exact=True)
    assert b.frame()["row"].tolist() == [5, 9] and b.frame()["problem"].isna().tolist() == [False, True]


def test_reported_rows_by_position_or_by_label():
    df = pd.DataFrame({"a": ["x", "y", "z"], "_row": [2, 3, 4]})
    t = TableRows("t", "t.csv", df, ProblemLog())
    t.keep = pd.Series([True, False, True])
    # row for row: marked and kept -> rows 0 and 2 only (row 1 dropped already; NA not marked)
    mask = pd.Series([True, True, pd.NA], dtype="boolean")
    assert t.reported(mask).tolist() == [True, False, False] and t.hits(mask)
    # a mask over some rows only is matched by label: row 2 marked, row 0 not mentioned
    assert t.reported(pd.Series([True], index=[2])).tolist() == [False, False, True]
    assert not t.hits(pd.Series([True], index=[1]))


def test_link_codes_from_positions_match_person_codes_with_added_parents():
    from neglect_analysis.io.load import place_others
    links = pd.DataFrame({"parent_id": ["M", "X", "Y", "X"], "child_id": ["C", "C", "M", "M"]})
    partners = pd.DataFrame({"person_id": ["Y", "M"], "partner_id": ["Z", "X"]})
    # persons C=0, M=1; parents X and Y are not persons: added after them in order of first
    # appearance, X=2, Y=3 (as the loader appends them); Z, named only as a partner, after them: 4
    (parent, child, p1, p2), others = place_others(
        IdSet(pd.Index(["C", "M"])),
        [links["parent_id"], links["child_id"], partners["person_id"], partners["partner_id"]])
    assert parent.tolist() == [1, 2, 3, 2] and child.tolist() == [0, 0, 1, 1]
    assert p1.tolist() == [3, 1] and p2.tolist() == [4, 2] and others.tolist() == ["X", "Y", "Z"]
    expected = _person_codes(links, pd.DataFrame({"person_id": ["C", "M", "X", "Y"]}))
    assert [a.tolist() for a in expected] == [parent.tolist(), child.tolist()]


def test_command_uses_the_system_memory_pool_unless_one_is_named():
    # io.memory.use_system_memory_pool, called by cli.main: Arrow's "system" pool, unless the
    # user names one in ARROW_DEFAULT_MEMORY_POOL (then Arrow's choice stands).
    import os
    import subprocess
    import sys

    code = ("from neglect_analysis.io.memory import use_system_memory_pool; import pyarrow as pa; "
            "print(use_system_memory_pool(), pa.default_memory_pool().backend_name)")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["system", "system"]
    named = subprocess.run([sys.executable, "-c", code], env={**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"},
                           capture_output=True, text=True, check=True)
    assert named.stdout.split() == ["mimalloc", "mimalloc"]
