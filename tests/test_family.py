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
