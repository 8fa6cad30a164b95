"""Per-child history flags of ``children.csv``: other-authority history and pre-ICS childhood.

Implements DESIGN.md "Other LA" and "Pre-ICS childhood"; :func:`other_la_evidence` is the one
definition of other-authority evidence, read by :func:`child_flags` and by
:func:`neglect_analysis.actions.background_requests`.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .codes import OTHER_LA_EVIDENCE
from .cohort import Cohort
from .idsets import isin, positions


def other_la_evidence(events: pd.DataFrame) -> pd.DataFrame:
    """Events that show other-authority history (DESIGN.md "Other LA"), with their kind.

    An ICPC marked transfer-in or a CP plan marked other-LA (``events.other_la`` on an event
    type of :data:`~neglect_analysis.codes.OTHER_LA_EVIDENCE`), or a paper record of another
    authority (``source`` ``paper`` and ``other_la``: marked ``other_la`` Y or of type
    ``other_la_record``); the added ``evidence`` column names the kind, e.g.
    ``icpc_transfer_in``, ``paper_other_la``. The one definition used by :func:`child_flags`
    and :func:`neglect_analysis.actions.background_requests`.

    Examples
    --------
    >>> ev = pd.DataFrame({"person_id": ["A", "A", "B"], "event_type": ["icpc", "referral", "cp_plan"],
    ...                    "other_la": [True, True, False]})
    >>> other_la_evidence(ev)[["person_id", "evidence"]].values.tolist()
    [['A', 'icpc_transfer_in']]
    >>> paper = pd.DataFrame({"person_id": ["C", "D"], "event_type": ["referral", "paper"],
    ...                       "other_la": [True, False], "source": "paper"})
    >>> other_la_evidence(paper)[["person_id", "evidence"]].values.tolist()
    [['C', 'paper_other_la']]
    """
    ola = events["other_la"].to_numpy(dtype=bool)
    paper = (events["source"] == "paper").to_numpy(dtype=bool, na_value=False) if "source" in events \
        else np.zeros(len(events), dtype=bool)
    typed = events["event_type"].isin(list(OTHER_LA_EVIDENCE)).to_numpy(dtype=bool)
    ev = events[ola & (typed | paper)]
    kind = ev["event_type"].astype("string").map(OTHER_LA_EVIDENCE).astype("string")
    if len(ev) and "source" in ev:
        kind = kind.where(~(ev["source"] == "paper").to_numpy(dtype=bool, na_value=False), PAPER_OTHER_LA)
    return ev.assign(evidence=kind)


#: Evidence label of a paper record of another authority (``other_la`` Y or type
#: ``other_la_record``), DESIGN.md "Other LA".
PAPER_OTHER_LA = "paper_other_la"


def child_flags(
    cohort: Cohort,
    children: Iterable[str] | pd.Index | pd.DataFrame,
    *,
    ics_start_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per child: other-authority history and pre-ICS childhood (0/1), vectorised.

    Implements DESIGN.md "Other LA" and "Pre-ICS childhood":

    - ``other_la`` = 1 where the child has an ICPC marked transfer-in, a CP plan marked
      other-LA, or a paper record of another authority (:func:`other_la_evidence`), else 0;
    - ``pre_ics_childhood`` = 1 where the child was born before ``ics_start_date`` (default
      ``cohort.ics_start_date``), 0 where born on or after it, NA where the dob is unknown.

    ``children`` is a list/Index of child ids or a DataFrame with ``child_id``. One row per
    distinct child, sorted by ``child_id``. Columns: ``child_id``, ``other_la`` (int64),
    ``pre_ics_childhood`` (Int64).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["A", "B"], "dob": ["2009-03-31", "2009-04-01"]})
    >>> events = pd.DataFrame({"person_id": ["B"], "event_type": ["icpc"], "start_date": ["2015-01-01"],
    ...                        "other_la": [True]})
    >>> c = Cohort.from_frames(persons=persons, events=events, audit_date="2018-07-31")
    >>> child_flags(c, ["B", "A"]).values.tolist()
    [['A', 0, 1], ['B', 1, 0]]
    """
    if isinstance(children, pd.DataFrame):
        ids = children["child_id"]
    elif isinstance(children, (pd.Index, pd.Series)):  # values as they are, not boxed one by one
        ids = pd.Series(children.array, dtype="string")
    else:
        ids = pd.Series(list(children), dtype="string")
    ids = pd.Series(ids.astype("string").dropna().unique(), dtype="string").sort_values(ignore_index=True)
    start = cohort.ics_start_date if ics_start_date is None else pd.Timestamp(ics_start_date).normalize()

    ola = other_la_evidence(cohort.events)["person_id"]
    persons = cohort.persons
    at = positions(ids, persons["person_id"])  # each child's first persons row, -1: none
    dob = pd.Series(persons["dob"].array.take(at, allow_fill=True), index=ids.index)
    pre = (dob < start).astype("Int64").where(dob.notna(), pd.NA)
    return pd.DataFrame(
        {
            "child_id": ids,
            "other_la": isin(ids, ola).astype("int64"),
            "pre_ics_childhood": pre.astype("Int64"),
        }
    )


def this_authority(events: pd.DataFrame) -> np.ndarray:
    """Whether each event is this authority's (DESIGN.md "This authority's events").

    Events recorded by another authority are history: a CP plan marked other-LA, a paper
    record marked ``other_la`` Y or of type ``other_la_record`` (``events.other_la`` on any
    event type but ``icpc``). An ICPC marked transfer-in is this authority's conference (for a
    child who moved in) and stays. Findings compared with national DfE figures count these
    events only.

    Examples
    --------
    >>> ev = pd.DataFrame({"event_type": ["cp_plan", "icpc", "referral", "cp_plan"],
    ...                    "other_la": [True, True, True, False]})
    >>> this_authority(ev).tolist()
    [False, True, False, True]
    """
    ola = events["other_la"].to_numpy(dtype=bool, na_value=False)
    icpc = (events["event_type"] == "icpc").to_numpy(dtype=bool, na_value=False)
    return ~ola | icpc
