"""CSV writing: the exact bytes, by hand, on both writing paths (Arrow for plain cells,
pandas/csv module where a cell needs quotes)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neglect_analysis import export


def _bytes(df: pd.DataFrame, tmp_path) -> bytes:
    return export.write_csv(df, tmp_path / "t.csv").read_bytes()


def test_plain_table_is_written_without_quotes(tmp_path):
    df = pd.DataFrame(
        {
            "child_id": ["0012", "C2", None],
            "dob": pd.to_datetime(["2018-07-27", None, "2001-02-28"]),
            "age_span_years": [10.4567, np.nan, 3.0],
            "n_contacts": [2.0, np.nan, 0.0],
            "share": [0.125, 1 / 3, np.nan],
            "flag": [True, False, True],
        }
    )
    assert export._arrow_body(df) is not None  # the Arrow path is taken
    # By hand: ids as given ("0012" keeps its zeros), missing as empty; dates ISO; years to
    # 2 decimals; n_ columns of whole numbers without ".0"; other floats as repr (rounded to
    # 10 places: 1/3 -> 0.3333333333); booleans 1/0; "\n" line ends, header unquoted.
    assert _bytes(df, tmp_path) == (
        b"child_id,dob,age_span_years,n_contacts,share,flag\n"
        b"0012,2018-07-27,10.46,2,0.125,1\n"
        b"C2,,,,0.3333333333,0\n"
        b",2001-02-28,3.00,0,,1\n"
    )


@pytest.mark.parametrize(
    "value, cell",
    [
        ("a, b", b'"a, b"'),  # delimiter
        ('say "no"', b'"say ""no"""'),  # quote doubled
        ("two\nlines", b'"two\nlines"'),  # line break
    ],
)
def test_cells_that_need_quotes_are_quoted_minimally(tmp_path, value, cell):
    df = pd.DataFrame({"id": ["P1", "P2"], "note": ["plain", value]})
    assert export._arrow_body(df) is None  # Arrow refuses: pandas writes it
    assert _bytes(df, tmp_path) == b"id,note\nP1,plain\nP2," + cell + b"\n"


def test_header_that_needs_quotes(tmp_path):
    df = pd.DataFrame({"a,b": ["x"], "c": ["y"]})
    assert _bytes(df, tmp_path) == b'"a,b",c\nx,y\n'


def test_single_column_empty_cell_is_quoted_as_the_csv_module_does(tmp_path):
    # A line holding only an empty cell would read as a blank line: csv writes "".
    assert _bytes(pd.DataFrame({"id": ["A", ""]}), tmp_path) == b'id\nA\n""\n'


def test_empty_table_has_its_header(tmp_path):
    df = pd.DataFrame({"id": pd.Series([], dtype="str"), "n": pd.Series([], dtype="int64")})
    assert _bytes(df, tmp_path) == b"id,n\n"


def test_non_ascii_text_is_utf8(tmp_path):
    df = pd.DataFrame({"id": ["P1"], "name": ["Zoë Ł"]})
    assert _bytes(df, tmp_path) == "id,name\nP1,Zoë Ł\n".encode("utf-8")


def test_both_paths_give_the_same_bytes_as_pandas_to_csv(tmp_path):
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": ["1", "", None], "d": pd.to_datetime(["2020-01-01"] * 3)})
    expected = export.format_for_csv(df).to_csv(index=False, lineterminator="\n").encode()
    assert _bytes(df, tmp_path) == expected
