"""Reader details added for messy extracts: header search, Excel columns, the date fast path,
loops in the family tree, extract.json dates. (End-to-end cases: tests/test_bad_input.py.)"""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from neglect_analysis.io.dates import _parse_distinct, _parse_few
from neglect_analysis.io.links import ancestor_pairs
from neglect_analysis.io.metadata import read_metadata
from neglect_analysis.io.readers import excel_column, find_header, normalise


def test_header_found_below_title_rows():
    rows = [["Referrals"], [], ["CINE_REFERRAL_ID", "cine_person_id", "cine_referral_start_date"], ["R1"]]
    # the alias cine_referral_start_date counts for cine_referral_date; row index 2 = file row 3
    assert find_header(rows, "ssd_cin_episodes") == 2
    # a first row already holding the columns is the header, whatever follows
    assert find_header(rows[2:], "ssd_cin_episodes") == 0
    # no row has them: the first row stays the header (and the missing column is reported later)
    assert find_header([["a"], ["b"]], "ssd_cin_episodes") == 0
    # beyond the rows searched (10) the header is not looked for
    assert find_header([["t"]] * 10 + rows[2:3], "ssd_cin_episodes") == 0


def test_excel_columns():
    assert [excel_column(i) for i in (0, 2, 25, 26, 701, 702)] == ["A", "C", "Z", "AA", "ZZ", "AAA"]


def test_missing_words_and_literal_columns():
    df = pd.DataFrame({"person_id": ["P1", "P2", "P3"], "question": ["Q", "Q", "Q"],
                       "answer": ["N/A", "null", "Yes"], "review_date": ["NaN", "#N/A", " None "]})
    out, _ = normalise(df, "case_review")
    # answers are kept as written; dates with missing words are missing
    assert out["answer"].tolist() == ["N/A", "null", "Yes"]
    assert out["review_date"].isna().all()


def test_repeated_columns_found_ignoring_case_and_pandas_suffix():
    df = pd.DataFrame([["K1", "2017-01-01", "2017-01-01", "x"]],
                      columns=["cont_contact_id", "cont_contact_date", "CONT_CONTACT_DATE", "cont_contact_date.1"])
    out, _ = normalise(df, "ssd_contacts")
    assert list(out.columns) == ["cont_contact_id", "cont_contact_date", "_row"]
    assert out.attrs["duplicate_columns"] == [("cont_contact_date", "B", "C", True),
                                              ("cont_contact_date", "B", "D", False)]


def test_ancestor_pairs_chain_and_loop():
    chain = pd.DataFrame({"parent_id": ["G", "M"], "child_id": ["M", "C"]})
    # G -> M -> C: G is an ancestor of M and C, M of C; nobody is their own ancestor
    assert sorted(map(tuple, ancestor_pairs(chain).values.tolist())) == [("G", "C"), ("G", "M"), ("M", "C")]
    loop = pd.DataFrame({"parent_id": ["A", "B"], "child_id": ["B", "A"]})
    assert ("A", "A") in set(map(tuple, ancestor_pairs(loop).values.tolist()))


def test_extract_json_dates_are_day_first(tmp_path):
    (tmp_path / "extract.json").write_text('{"audit_date": "03/04/2017", "ics_start_date": "2009-04-01"}')
    meta, problems = read_metadata(tmp_path)
    assert meta["audit_date"] == pd.Timestamp("2017-04-03") and problems == []  # 3 April, not 4 March


TEXT = st.one_of(
    st.from_regex(r"\A\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}( \d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?\Z"),
    st.from_regex(r"\A\d{1,8}(\.\d{1,3})?\Z"),
    st.text(max_size=12),  # includes non-ASCII digits such as ٠ (read as bad, never a crash)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_date_fast_path_agrees_with_column_path(values):
    s = pd.Series(list(dict.fromkeys(values)), dtype="string")
    few, distinct = _parse_few(s), _parse_distinct(s)
    assert few[0].tolist() == distinct[0].tolist()
    assert few[1].tolist() == distinct[1].tolist()
    assert few[2].tolist() == distinct[2].tolist()  # out of range: the same on both paths
