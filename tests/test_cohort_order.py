"""The invariant order of ``Cohort.events`` (cohort.EVENT_ORDER) and how it is computed."""
from __future__ import annotations

import pandas as pd
import pytest

from neglect_analysis.cohort import (EVENT_TYPE_DTYPE, Cohort, conform, event_order, events_in_order,
                                     sort_events)

# Rows as given (position: person, start, type, id). Hand-worked EVENT_ORDER: person A before
# B; within a person by start date, missing dates last; then journey order of the type
# (contact < referral < s47); then event id, missing ids last.
#   0: B 2010-05-01 contact e1
#   1: A -          contact e2      A, no date: after every dated A row
#   2: A 2011-01-01 s47     e5
#   3: A 2011-01-01 contact e9      A 2011-01-01 contacts: e3 < e9 < (missing id)
#   4: A 2011-01-01 contact e3
#   5: A 2011-01-01 referral e0     referral after the contacts of that day, before the s47
#   6: A 2011-01-01 contact <NA>
#   7: A 2009-12-31 s47     e7      A's earliest date
# Expected: 7, 4, 3, 6, 5, 2, 1, 0.
ROWS = [("B", "2010-05-01", "contact", "e1"), ("A", None, "contact", "e2"),
        ("A", "2011-01-01", "s47", "e5"), ("A", "2011-01-01", "contact", "e9"),
        ("A", "2011-01-01", "contact", "e3"), ("A", "2011-01-01", "referral", "e0"),
        ("A", "2011-01-01", "contact", None), ("A", "2009-12-31", "s47", "e7")]
EXPECTED = [7, 4, 3, 6, 5, 2, 1, 0]


def _events(times_of_day: bool = False) -> pd.DataFrame:
    ev = conform(pd.DataFrame(ROWS, columns=["person_id", "start_date", "event_type", "event_id"]), "events")
    if times_of_day:  # dates with a time of day: the sort keys cannot be packed into day numbers
        ev["start_date"] = ev["start_date"] + pd.Timedelta(hours=6)
    return ev.assign(person_id=pd.Categorical(ev["person_id"], categories=["A", "B"]),
                     event_type=ev["event_type"].astype(EVENT_TYPE_DTYPE))


def _ids(events: pd.DataFrame) -> list:
    return [None if pd.isna(v) else v for v in events["event_id"]]


@pytest.mark.parametrize("times_of_day", [False, True])
def test_event_order_hand_worked(times_of_day):
    ev = _events(times_of_day)
    assert event_order(ev).tolist() == EXPECTED
    assert not events_in_order(ev)
    assert events_in_order(sort_events(ev))
    assert _ids(sort_events(ev)) == [ROWS[i][3] for i in EXPECTED]


def test_event_order_full_ties_keep_their_order():
    # two rows equal on every key (same id too): a stable sort keeps them as given
    rows = [("A", "2011-01-01", "contact", "x"), ("A", "2010-01-01", "contact", "y"),
            ("A", "2011-01-01", "contact", "x")]
    ev = conform(pd.DataFrame(rows, columns=["person_id", "start_date", "event_type", "event_id"]), "events")
    ev = ev.assign(person_id=pd.Categorical(ev["person_id"]), event_type=ev["event_type"].astype(EVENT_TYPE_DTYPE),
                   category=["first", "dated 2010", "second"])
    assert event_order(ev).tolist() == [1, 0, 2]


def test_cohort_events_are_sorted_by_the_invariant():
    ev = pd.DataFrame(ROWS, columns=["person_id", "start_date", "event_type", "event_id"])
    c = Cohort.from_frames(persons=pd.DataFrame({"person_id": ["A", "B"]}), events=ev, audit_date="2018-07-31")
    assert _ids(c.events) == [ROWS[i][3] for i in EXPECTED]
