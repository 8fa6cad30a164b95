"""idsets.positions / isin on coded ids: by code when both sides share the dtype, else each
used id looked up once. Expected values worked out by hand."""
import numpy as np
import pandas as pd

from neglect_analysis.idsets import isin, positions

# A dtype of five persons, sorted: A B C D E -> codes 0..4.
DTYPE = pd.CategoricalDtype(pd.Index(["A", "B", "C", "D", "E"], dtype="string"))


def coded(ids):
    return pd.Series(pd.Categorical(ids, dtype=DTYPE))


def test_positions_by_code_when_ids_share_the_dtype():
    values = coded(["D", None, "B", "E", "B"])
    ids = coded(["B", "D", "B"])  # B first at 0 (its second row, 2, is not the first), D at 1
    assert positions(values, ids).tolist() == [1, -1, 0, -1, 0]
    # The same ids as text: the same positions (each used id D, B, E looked up once).
    assert positions(values, pd.Index(["B", "D", "B"])).tolist() == [1, -1, 0, -1, 0]


def test_isin_by_code_and_by_text_agree():
    values = coded(["C", "A", None, "E"])
    assert isin(values, coded(["E", "C"])).tolist() == [True, False, False, True]
    assert isin(values, ["E", "C", "Z"]).tolist() == [True, False, False, True]
    # an empty set of the same dtype: nothing is in it
    assert not isin(values, coded([])).any()
    assert positions(values, coded([])).tolist() == [-1, -1, -1, -1]
    assert np.asarray(positions(coded([]), pd.Index(["A"]))).size == 0
