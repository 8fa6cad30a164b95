"""Per-child tables for an extract with no family links (e.g. a converted CIN census).

Sibling groups need links between parents and children (``relationships``, ``ssd_mother`` or
``ssd_family``). Without any, ``report`` still writes ``analyst/children.csv`` from
:func:`unlinked_children`: one row per person of ``ssd_person``, with the per-child columns of
DESIGN.md "Outputs" computed as for any child (counts, re-referrals, escalation, days to
escalation, other LA, pre-ICS childhood), and the columns that need a sibling group
(``parent_id``, ``birth_order``, ``family_signal_date``, ``lead_time_days``) left empty.
"""
from __future__ import annotations

import pandas as pd

from . import escalation, recurrence
from .flags import child_flags
from .cohort import Cohort
from .pipeline import CHILDREN_COLUMNS

#: Columns of ``children.csv`` that need a sibling group: empty without links.
GROUP_COLUMNS: tuple[str, ...] = ("parent_id", "birth_order", "family_signal_date", "lead_time_days")


def unlinked_children(cohort: Cohort) -> pd.DataFrame:
    """One row per person: the ``children.csv`` columns that do not need a sibling group.

    ``age_days`` = audit date minus dob (empty without a dob). Sorted by ``child_id``.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["C2", "C1"], "dob": ["2010-01-01", "2012-06-30"]})
    >>> ev = pd.DataFrame({"person_id": ["C1", "C1", "C1"], "event_type": ["referral", "referral", "cp_plan"],
    ...                    "start_date": ["2015-01-01", "2015-06-01", "2015-07-01"]})
    >>> c = Cohort.from_frames(persons=persons, events=ev, audit_date="2018-07-31")
    >>> t = unlinked_children(c)
    >>> t[["child_id", "n_referrals", "n_rereferrals_12m", "escalated", "age_days"]].values.tolist()
    [['C1', 2, 1, 1, 2222], ['C2', 0, 0, 0, 3133]]
    >>> bool(t["parent_id"].isna().all())
    True
    """
    ids = pd.Index(cohort.persons["person_id"].astype("string").dropna().unique()).sort_values()
    rec = recurrence.child_recurrence(cohort, ids)
    esc = escalation.child_escalation(cohort, ids)
    flags = child_flags(cohort, ids)
    persons = cohort.persons.assign(child_id=cohort.persons["person_id"].astype("string"))
    persons = persons.drop_duplicates("child_id").set_index("child_id")
    out = pd.DataFrame({"child_id": pd.Series(ids, dtype="string")})
    out["dob"] = out["child_id"].map(persons["dob"]).astype("datetime64[ns]")
    out["age_days"] = (cohort.audit_date - out["dob"]).dt.days.astype("Int64")
    for part in (rec, esc, flags):
        part = part.assign(child_id=part["child_id"].astype("string"))
        out = out.merge(part, on="child_id", how="left", validate="one_to_one")
    for c in GROUP_COLUMNS:
        out[c] = pd.Series(pd.NA, index=out.index, dtype="string")
    lead = [c for c in CHILDREN_COLUMNS if c in out.columns]
    return out[lead + [c for c in out.columns if c not in lead]].reset_index(drop=True)
