"""ChildEvents selection (neglect_analysis.family), worked by hand."""
import numpy as np
import pandas as pd

from neglect_analysis import Cohort
from neglect_analysis.family import ChildEvents


def cohort_of(people, events):
    ev = pd.DataFrame({"person_id": events, "event_type": "contact",
                       "start_date": pd.date_range("2010-01-01", periods=len(events), freq="D").astype(str)})
    return Cohort.from_frames(persons=pd.DataFrame({"person_id": people}), events=ev, audit_date="2018-07-31")


def test_every_event_a_childs_shares_the_cohorts_columns():
    # events of B, A, B (sorted at load: A 2010-01-02, B 2010-01-01, B 2010-01-03); children A
    # and B: every event is selected, cix = A 0, B 1, in the Cohort's order.
    c = cohort_of(["A", "B"], ["B", "A", "B"])
    kids = ChildEvents.of(c, ["B", "A"])
    assert list(kids.ids) == ["A", "B"]
    assert kids.events["person_id"].astype(str).tolist() == ["A", "B", "B"]
    assert kids.events["cix"].tolist() == [0, 1, 1]
    assert kids.events.index.tolist() == c.events.index.tolist()
    # no copy of the events when nothing is left out (copy-on-write columns)
    assert np.shares_memory(kids.events["start_date"].to_numpy(), c.events["start_date"].to_numpy())


def test_some_events_left_out_are_selected_the_same_way():
    # X is not a child: its event (row 2 once sorted: A, B, X) is left out, the rest as above.
    c = cohort_of(["A", "B", "X"], ["B", "A", "X"])
    kids = ChildEvents.of(c, ["A", "B"])
    assert kids.events["person_id"].astype(str).tolist() == ["A", "B"]
    assert kids.events["cix"].tolist() == [0, 1]
    assert kids.events.index.tolist() == [0, 1]


def test_children_selected_by_codes_from_text_or_coded_ids():
    # Persons sorted: A B X Z -> codes 0 1 2 3. Children B and X: codes [1, 2], ids B, X;
    # events sorted A, B, X: cix -1 (A, left out), 0 (B), 1 (X).
    c = cohort_of(["Z", "X", "B", "A"], ["X", "A", "B"])
    by_text = ChildEvents.of(c, pd.DataFrame({"child_id": ["X", "B", "X"]}))
    assert by_text.codes.tolist() == [1, 2]
    assert list(by_text.ids) == ["B", "X"] and str(by_text.ids.dtype) == "string"
    assert by_text.events["cix"].tolist() == [0, 1]
    # The same children as a column of the Cohort's person dtype: read by code, same selection.
    coded = pd.DataFrame({"child_id": pd.Categorical(["X", "B", "X"], dtype=c.person_dtype)})
    by_code = ChildEvents.of(c, coded)
    assert by_code.codes.tolist() == [1, 2] and by_code.ids.equals(by_text.ids)
    pd.testing.assert_frame_equal(by_code.events, by_text.events)


def test_a_child_who_is_no_person_is_named():
    import pytest

    c = cohort_of(["A", "B"], ["A"])
    with pytest.raises(ValueError, match="Not in the extract: Q"):
        ChildEvents.of(c, ["A", "Q"])
